"""The budget workbook reader, against real .xlsx files written with openpyxl."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from salespulse.budget import budget_total, read_budget, read_budgets
from salespulse.errors import ContractError

YEAR = 2025
CATEGORIES = ("Bikes", "Clothing")
TERRITORIES = ("US-NW", "US-SE")
REPS = {"US-NW": "E0101", "US-SE": "E0102"}
DETAILED_SHEET = "Budget 2025"
DETAILED_FIRST_ROW = 4  # title on row 1, blank row 2, header on row 3

Rows = list[list[Any]]
Expected = tuple[str | None, int | None, str | None, str]  # sheet, row, column, message fragment


# --------------------------------------------------------------------------------------------
# Workbook builders
# --------------------------------------------------------------------------------------------


def write_workbook(
    path: Path,
    sheets: dict[str, Rows],
    *,
    date_format: str = "yyyy-mm-dd",
    amount_format: str | None = None,
    formatted_blank_rows: int = 0,
) -> Path:
    """Write ``sheets`` (name -> rows, ``[]`` is a blank row) as an .xlsx file."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, date | datetime):
                    cell.number_format = date_format
                elif (
                    amount_format and isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
                ):
                    cell.number_format = amount_format
        # Styled but empty rows below the data, as Excel leaves them after formatting a range.
        for row in range(ws.max_row + 1, ws.max_row + 1 + formatted_blank_rows):
            for column in (1, 2):
                cell = ws.cell(row=row, column=column)
                cell.number_format = "#,##0.00"
                cell.fill = PatternFill("solid", fgColor="FFFF99")
    workbook.save(path)
    return path


def simple(changes: dict[int, list[Any]] | None = None, extra: Sequence[list[Any]] = ()) -> Rows:
    """A valid simple sheet (header on row 1, Jan on row 2 ... Dec on row 13).

    ``changes`` replaces whole rows by Excel row number; ``extra`` is appended from row 14.
    """
    rows: Rows = [["Month", "Budget"]] + [[date(YEAR, m, 1), 1000 * m + 0.5] for m in range(1, 13)]
    for excel_row, row in (changes or {}).items():
        rows[excel_row - 1] = row
    return rows + list(extra)


SIMPLE_TOTAL = Decimal("78006.00")  # 1000 x (1 + ... + 12) + 12 x 0.5


def detailed_amount(month: int, category: str, territory: str) -> float:
    return 10_000 * month + 1_000 * CATEGORIES.index(category) + 100 * TERRITORIES.index(territory) + 0.25


def detailed(
    changes: dict[int, list[Any]] | None = None,
    extra: Sequence[list[Any]] = (),
    *,
    with_rep: bool = True,
    total: bool = False,
) -> Rows:
    """A valid detailed sheet: title, blank row, header on row 3, then month x category x territory.

    Data starts on row 4: Jan/Bikes/US-NW, Jan/Bikes/US-SE, Jan/Clothing/US-NW, Jan/Clothing/US-SE,
    Feb/Bikes/US-NW (row 8), ...; 48 rows, so row 52 is the first row after the data.
    """
    rep_header = ["Sales Rep"] if with_rep else []
    rows: Rows = [
        ["Sales budget 2025 - approved by the board"],
        [],
        ["Month", "Product Category", "Sales Territory", *rep_header, "Budget Amount"],
    ]
    for month in range(1, 13):
        for category in CATEGORIES:
            for territory in TERRITORIES:
                rep = [REPS[territory]] if with_rep else []
                amount = detailed_amount(month, category, territory)
                rows.append([date(YEAR, month, 1), category, territory, *rep, amount])
    for excel_row, row in (changes or {}).items():
        rows[excel_row - 1] = row
    rows += list(extra)
    if total:
        amounts = [r[-1] for r in rows[DETAILED_FIRST_ROW - 1 :] if r]
        rows.append(["Total", None, None, *([None] if with_rep else []), sum(amounts)])
    return rows


def detailed_total() -> Decimal:
    return sum(
        (
            Decimal(repr(detailed_amount(m, c, t)))
            for m in range(1, 13)
            for c in CATEGORIES
            for t in TERRITORIES
        ),
        Decimal(0),
    )


def problems_of(excinfo: pytest.ExceptionInfo[ContractError]) -> list[tuple[Any, ...]]:
    return [(p.sheet, p.row, p.column, p.message) for p in excinfo.value.problems]


def assert_problems(excinfo: pytest.ExceptionInfo[ContractError], expected: Sequence[Expected]) -> None:
    """The raised problems are exactly ``expected`` (in any order), matched by message fragment."""
    found = problems_of(excinfo)
    unmatched = list(found)
    for sheet, row, column, fragment in expected:
        match = next(
            (p for p in unmatched if p[:3] == (sheet, row, column) and fragment in p[3]),
            None,
        )
        assert match is not None, f"no problem {(sheet, row, column, fragment)} in {found}"
        unmatched.remove(match)
    assert not unmatched, f"unexpected problems: {unmatched}"


# --------------------------------------------------------------------------------------------
# Valid workbooks
# --------------------------------------------------------------------------------------------


def test_simple_form_with_formatted_trailing_rows(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "budget.xlsx", {"Budget": simple()}, formatted_blank_rows=25)

    table = read_budget(path)

    assert table.schema.names == [
        "budget_month",
        "category",
        "territory_code",
        "sales_rep_id",
        "budget_amount",
        "_source_sheet",
        "_source_row",
    ]
    assert table.schema.field("budget_month").type == pa.date32()
    assert table.schema.field("budget_amount").type == pa.decimal128(18, 4)
    assert table.schema.field("_source_row").type == pa.int64()
    assert table.num_rows == 12
    assert table.column("budget_month").to_pylist() == [date(YEAR, m, 1) for m in range(1, 13)]
    assert table.column("category").null_count == 12
    assert table.column("territory_code").null_count == 12
    assert table.column("sales_rep_id").null_count == 12
    assert table.column("_source_sheet").to_pylist() == ["Budget"] * 12
    assert table.column("_source_row").to_pylist() == list(range(2, 14))
    assert table.column("budget_amount").to_pylist()[0] == Decimal("1000.5000")
    assert budget_total(table) == SIMPLE_TOTAL


@pytest.mark.parametrize("notes_first", [False, True], ids=["notes-second", "notes-first"])
@pytest.mark.parametrize("with_rep", [True, False], ids=["with-rep", "without-rep"])
def test_detailed_form_below_a_title_with_total(tmp_path: Path, notes_first: bool, with_rep: bool) -> None:
    notes: Rows = [["Notes"], ["Prepared by Finance, FP&A"], [], ["Amounts in USD, net of discounts"]]
    budget = detailed(with_rep=with_rep, total=True)
    sheets = (
        {"Notes": notes, DETAILED_SHEET: budget} if notes_first else {DETAILED_SHEET: budget, "Notes": notes}
    )
    path = write_workbook(
        tmp_path / "budget.xlsx",
        sheets,
        date_format="mmm yyyy",
        amount_format="#,##0",
        formatted_blank_rows=5,
    )

    table = read_budget(
        path,
        categories=["Bikes", "Clothing", "Accessories", "Components"],
        territories=["US-NW", "US-SE", "US-SW"],
        sales_reps=["E0101", "E0102", "E0103"],
    )

    assert table.num_rows == 48
    assert budget_total(table) == detailed_total()
    first = table.slice(0, 1).to_pylist()[0]
    assert first == {
        "budget_month": date(YEAR, 1, 1),
        "category": "Bikes",
        "territory_code": "US-NW",
        "sales_rep_id": "E0101" if with_rep else None,
        "budget_amount": Decimal("10000.2500"),
        "_source_sheet": DETAILED_SHEET,
        "_source_row": DETAILED_FIRST_ROW,
    }
    assert table.column("_source_row").to_pylist()[-1] == DETAILED_FIRST_ROW + 47
    assert set(table.column("budget_month").to_pylist()) == {date(YEAR, m, 1) for m in range(1, 13)}


def test_explicit_sheet_is_used(tmp_path: Path) -> None:
    sheets = {"Draft": simple({2: [date(YEAR, 1, 1), 1]}), "Final": simple()}
    path = write_workbook(tmp_path / "budget.xlsx", sheets)

    assert read_budget(path)["budget_amount"][0].as_py() == Decimal(1)
    final = read_budget(path, sheet="Final")
    assert final["budget_amount"][0].as_py() == Decimal("1000.5")
    assert set(final["_source_sheet"].to_pylist()) == {"Final"}


@pytest.mark.parametrize(
    "month_text",
    ["{y}-{m:02d}", "{y}-{m}", "{y}-{m:02d}-01", "{abbr} {y}", "{name} {y}", "{upper} {y}", "  {abbr}. {y} "],
)
def test_month_as_text(tmp_path: Path, month_text: str) -> None:
    names = ["January", "February", "March", "April", "May", "June"]
    names += ["July", "August", "September", "October", "November", "December"]
    rows: Rows = [["Month", "Budget"]]
    for m, name in enumerate(names, 1):
        text = month_text.format(y=YEAR, m=m, abbr=name[:3], name=name, upper=name.upper())
        rows.append([text, 100])
    path = write_workbook(tmp_path / "budget.xlsx", {"Budget": rows})

    table = read_budget(path)

    assert table.column("budget_month").to_pylist() == [date(YEAR, m, 1) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("month_header", "amount_header"),
    [("budget_month", "BUDGET AMOUNT"), ("Period", "Sales-Budget"), (" month ", "Amount")],
)
def test_header_names_ignore_case_spaces_and_punctuation(
    tmp_path: Path, month_header: str, amount_header: str
) -> None:
    rows = simple({1: [month_header, amount_header]})
    path = write_workbook(tmp_path / "budget.xlsx", {"Budget": rows})

    assert read_budget(path).num_rows == 12


def test_amounts_are_exact_decimals(tmp_path: Path) -> None:
    amounts = [1234.56, 0.1 + 0.2, 0, 7, Decimal("12.3456"), 99.99999, 1e6, 0.005, 1, 2, 3, 4]
    rows: Rows = [["Month", "Budget"]] + [[date(YEAR, m, 1), a] for m, a in enumerate(amounts, 1)]
    path = write_workbook(tmp_path / "budget.xlsx", {"Budget": rows})

    got = read_budget(path).column("budget_amount").to_pylist()

    assert got[:8] == [
        Decimal("1234.56"),
        Decimal("0.3"),
        Decimal(0),
        Decimal(7),
        Decimal("12.3456"),
        Decimal("100.0000"),
        Decimal(1_000_000),
        Decimal("0.005"),
    ]


def test_known_values_match_ignoring_case_and_return_the_known_spelling(tmp_path: Path) -> None:
    rows = detailed({DETAILED_FIRST_ROW: [date(YEAR, 1, 1), " bikes ", "us-nw", "e0101", 5]})
    path = write_workbook(tmp_path / "budget.xlsx", {DETAILED_SHEET: rows})

    table = read_budget(path, categories=CATEGORIES, territories=TERRITORIES, sales_reps=REPS.values())

    assert table.slice(0, 1).select(["category", "territory_code", "sales_rep_id"]).to_pylist() == [
        {"category": "Bikes", "territory_code": "US-NW", "sales_rep_id": "E0101"}
    ]


def test_same_month_category_territory_for_two_reps_is_not_a_duplicate(tmp_path: Path) -> None:
    extra = [[date(YEAR, 1, 1), "Bikes", "US-NW", "E0103", 5], [date(YEAR, 1, 1), "Bikes", "US-NW", None, 5]]
    path = write_workbook(tmp_path / "budget.xlsx", {DETAILED_SHEET: detailed(extra=extra)})

    table = read_budget(path)

    assert table.num_rows == 50
    assert table.column("sales_rep_id").to_pylist()[-2:] == ["E0103", None]


def finance_rolling(first: date = date(2025, 1, 1), months: int = 18, header: str = "Date") -> Rows:
    """Finance's rolling workbook as sent: ``Date | Budget``, months across years, cents and more."""
    rows: Rows = [[header, "Budget"]]
    for n in range(months):
        year, month0 = divmod(first.month - 1 + n, 12)
        rows.append([date(first.year + year, month0 + 1, 1), 250_000.125 + 1_000 * n])
    return rows


def test_finance_rolling_workbook_spans_two_years(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "Budget FY25-26.xlsx", {"Budget": finance_rolling()}, formatted_blank_rows=30
    )

    table = read_budget(path)

    months = table.column("budget_month").to_pylist()
    assert months[0] == date(2025, 1, 1) and months[-1] == date(2026, 6, 1) and len(months) == 18
    assert table.column("budget_amount").to_pylist()[17] == Decimal("267000.1250")
    assert budget_total(table) == sum(Decimal("250000.125") + 1_000 * n for n in range(18))


@pytest.mark.parametrize("header", ["Date", "Month start", "Fiscal month", "Year-Month", "BUDGET PERIOD"])
def test_common_month_headers_are_understood(tmp_path: Path, header: str) -> None:
    path = write_workbook(tmp_path / "budget.xlsx", {"Budget": finance_rolling(header=header, months=12)})

    assert read_budget(path).num_rows == 12


def test_a_refused_header_shows_what_the_sheet_holds(tmp_path: Path) -> None:
    rows: Rows = [["Planning 2025"], [], ["Mois", "Objectif"], [date(2025, 1, 1), 5]]
    path = write_workbook(tmp_path / "budget.xlsx", {"Budget": rows})

    with pytest.raises(ContractError) as excinfo:
        read_budget(path)

    (problem,) = excinfo.value.problems
    assert 'expected a header row with a column named "Month"' in problem.message
    assert "sheet 'Budget' row 1 holds: Planning 2025" in problem.message


def test_several_workbooks_are_one_budget(tmp_path: Path) -> None:
    first = write_workbook(tmp_path / "budget_2025.xlsx", {"Budget": finance_rolling(months=12)})
    second = write_workbook(tmp_path / "budget_2026.xlsx", {"Plan": finance_rolling(date(2026, 1, 1), 12)})

    tables = read_budgets([first, second])

    assert [t.num_rows for t in tables] == [12, 12]
    assert tables[1].column("budget_month").to_pylist()[0] == date(2026, 1, 1)
    assert tables[1].column("_source_sheet").to_pylist()[0] == "Plan"


def test_a_month_in_two_workbooks_names_both(tmp_path: Path) -> None:
    rolling = write_workbook(tmp_path / "budget_rolling.xlsx", {"Budget": finance_rolling()})
    year = write_workbook(tmp_path / "budget_2026.xlsx", {"Budget": finance_rolling(date(2026, 1, 1), 12)})

    with pytest.raises(ContractError) as excinfo:
        read_budgets([rolling, year])

    (problem,) = excinfo.value.problems
    assert (problem.file, problem.sheet, problem.row, problem.column) == (
        "budget_2026.xlsx",
        "Budget",
        2,
        "Date",
    )
    assert (
        "months 2026-01 to 2026-06 are also in budget_rolling.xlsx (sheet 'Budget', from row 14)"
        in problem.message
    )


def test_workbooks_of_one_budget_share_one_layout(tmp_path: Path) -> None:
    simple_year = write_workbook(tmp_path / "budget_2025.xlsx", {"Budget": finance_rolling(months=12)})
    detailed_year = write_workbook(
        tmp_path / "budget_2026.xlsx",
        {"Budget": [["Month", "Category", "Territory", "Budget"], [date(2026, 1, 1), "Bikes", "US-NW", 5]]},
    )

    with pytest.raises(ContractError) as excinfo:
        read_budgets([simple_year, detailed_year])

    (problem,) = excinfo.value.problems
    assert problem.file == "budget_2026.xlsx" and problem.row == 1
    assert (
        "has the columns Month | Category | Territory | Budget, but budget_2025.xlsx has Date | Budget"
        in (problem.message)
    )


def test_problems_of_every_workbook_are_reported_together(tmp_path: Path) -> None:
    gap = finance_rolling(months=12)
    del gap[5]  # May 2025
    first = write_workbook(tmp_path / "budget_2025.xlsx", {"Budget": gap})
    second = write_workbook(tmp_path / "budget_2026.xlsx", {"Budget": [["Date", "Budget"], ["soon", 5]]})

    with pytest.raises(ContractError) as excinfo:
        read_budgets([first, second])

    found = {(p.file, p.row) for p in excinfo.value.problems}
    assert ("budget_2025.xlsx", None) in found and ("budget_2026.xlsx", 2) in found
    assert any("no row for 2025-05 (May)" in p.message for p in excinfo.value.problems)


# --------------------------------------------------------------------------------------------
# Broken workbooks: each names the exact sheet, row and column
# --------------------------------------------------------------------------------------------

S, D = "Budget", DETAILED_SHEET
FEB, MAR = date(YEAR, 2, 1), date(YEAR, 3, 1)
KNOWN_CATEGORIES = ("Bikes", "Clothing", "Components", "Accessories")

BROKEN: list[tuple[str, dict[str, Rows], dict[str, Any], list[Expected]]] = [
    (
        "missing sheet",
        {S: simple(), "Notes": [["Notes"]]},
        {"sheet": "Plan"},
        [("Plan", None, None, "sheet 'Plan' not found; the workbook has the sheets 'Budget', 'Notes'")],
    ),
    (
        "no header in any sheet",
        {S: simple()[1:], "Notes": [["Notes"]]},
        {},
        [
            (
                None,
                None,
                None,
                "no sheet has a Month and a Budget header in its first 20 rows (sheets: 'Budget', 'Notes')",
            )
        ],
    ),
    (
        "no header in the named sheet",
        {S: simple()[1:]},
        {"sheet": S},
        [(S, None, None, "sheet 'Budget' has no Month and a Budget header")],
    ),
    (
        "header below row 20",
        {S: [["Budget 2025"]] + [[] for _ in range(20)] + simple()},
        {},
        [(None, None, None, "no sheet has a Month and a Budget header in its first 20 rows")],
    ),
    (
        "missing amount column",
        {S: simple({1: ["Month", "Notes"]})},
        {},
        [(S, 1, None, 'no Budget column (found: Month, Notes); expected a column named "Budget"')],
    ),
    (
        "missing month column",
        {S: [["When", "Category", "Budget"], [FEB, "Bikes", 1]]},
        {},
        [(S, 1, None, 'no Month column (found: When, Category, Budget); expected a column named "Month"')],
    ),
    (
        "detailed form without territory",
        {S: [["Month", "Category", "Budget"], [FEB, "Bikes", 1]]},
        {},
        [(S, 1, None, "no Territory column, but the detailed budget (by category and territory) needs both")],
    ),
    (
        "two amount columns",
        {S: simple({1: ["Month", "Budget", "Amount"]})},
        {},
        [(S, 1, "Amount", "is a second Budget column (the first is 'Budget')")],
    ),
    (
        "missing month",
        {S: simple({5: []})},
        {},
        [
            (
                S,
                None,
                "Month",
                "no row for 2025-04 (April); the budget needs exactly one row for every month "
                "from 2025-01 to 2025-12",
            )
        ],
    ),
    (
        "duplicated month",
        {S: simple(extra=[[MAR, 5]])},
        {},
        [(S, 14, "Month", "month 2025-03 duplicates row 4; the simple budget has exactly one row per month")],
    ),
    (
        "duplicated detailed key",
        {D: detailed(extra=[[FEB, "Bikes", "US-NW", "E0101", 10]])},
        {},
        [
            (
                D,
                52,
                "Month",
                "month 2025-02, category Bikes, territory US-NW, sales rep E0101 duplicates row 8; "
                "each combination of month, category, territory, sales rep may appear only once",
            )
        ],
    ),
    (
        "duplicated detailed key, different case",
        {D: detailed(extra=[[FEB, "BIKES", "us-nw", "e0101", 10]], with_rep=True)},
        {},
        [(D, 52, "Month", "duplicates row 8")],
    ),
    (
        "amount with thousands separator",
        {S: simple({3: [FEB, "1,200"]})},
        {},
        [(S, 3, "Budget", 'amount "1,200" is text, not a number')],
    ),
    (
        "amount n/a",
        {S: simple({3: [FEB, "n/a"]})},
        {},
        [(S, 3, "Budget", 'amount "n/a" is text, not a number')],
    ),
    (
        "negative amount",
        {S: simple({3: [FEB, -500]})},
        {},
        [(S, 3, "Budget", "amount -500 is negative; budget amounts must be zero or more")],
    ),
    (
        "empty amount",
        {S: simple({3: [FEB, None]})},
        {},
        [(S, 3, "Budget", "amount is empty; expected a number")],
    ),
    (
        "boolean amount",
        {S: simple({3: [FEB, True]})},
        {},
        [(S, 3, "Budget", "amount True is not a number")],
    ),
    (
        "Excel error as amount",
        {S: simple({3: [FEB, "#DIV/0!"]})},
        {},
        [(S, 3, "Budget", "contains the Excel error #DIV/0!")],
    ),
    (
        "empty month",
        {S: simple({3: [None, 5]})},
        {},
        [
            (S, 3, "Month", "month is empty"),
            (S, None, "Month", "no row for 2025-02"),
        ],
    ),
    (
        "date not on the first of a month",
        {S: simple({4: [date(YEAR, 3, 15), 5]})},
        {},
        [(S, 4, "Month", "2025-03-15 is not the first of a month")],
    ),
    (
        "text date not on the first of a month",
        {S: simple({4: ["2025-03-31", 5]})},
        {},
        [(S, 4, "Month", "2025-03-31 is not the first of a month")],
    ),
    (
        "a mistyped year leaves a stray month and gaps",
        {S: simple({4: [date(2024, 3, 1), 5]})},
        {},
        [
            (
                S,
                4,
                "Month",
                "month 2024-03 stands 9 months apart from the rest of the budget (2025-04 to 2025-12)",
            ),
            (S, None, "Month", "no rows for 2024-04 to 2024-12 (9 months); the budget needs exactly one row"),
            (S, None, "Month", "no row for 2025-03"),
        ],
    ),
    (
        "unparseable month text",
        {S: simple({4: ["Marhc 2025", 5]})},
        {},
        [
            (
                S,
                4,
                "Month",
                'cannot read "Marhc 2025" as a month; expected a date cell, or text like 2025-01',
            ),
            (S, None, "Month", "no row for 2025-03"),
        ],
    ),
    (
        "impossible month number",
        {S: simple({4: ["2025-13", 5]})},
        {},
        [
            (S, 4, "Month", 'cannot read "2025-13" as a month'),
            (S, None, "Month", "no row for 2025-03"),
        ],
    ),
    (
        "month as a plain number",
        {S: simple({4: [45717, 5]})},
        {},
        [
            (S, 4, "Month", "month 45717 is not a date"),
            (S, None, "Month", "no row for 2025-03"),
        ],
    ),
    (
        "unknown category",
        {D: detailed({5: [date(YEAR, 1, 1), "Bikez", "US-SE", "E0102", 5]})},
        {"categories": KNOWN_CATEGORIES},
        [
            (
                D,
                5,
                "Product Category",
                'unknown category "Bikez"; known categories: Accessories, Bikes, Clothing',
            )
        ],
    ),
    (
        "unknown territory, long known list trimmed",
        {D: detailed({6: [date(YEAR, 1, 1), "Clothing", "US-XX", "E0101", 5]})},
        {"territories": [*TERRITORIES, *(f"T{n:02d}" for n in range(30))]},
        [(D, 6, "Sales Territory", 'unknown territory "US-XX"; known territories: T00, T01, ')],
    ),
    (
        "unknown sales rep",
        {D: detailed({7: [date(YEAR, 1, 1), "Clothing", "US-SE", "E9999", 5]})},
        {"sales_reps": REPS.values()},
        [(D, 7, "Sales Rep", 'unknown sales rep "E9999"; known sales reps: E0101, E0102')],
    ),
    (
        "territory when no territories are known",
        {D: detailed()},
        {"territories": set()},
        [(D, row, "Sales Territory", "known territories: none") for row in range(4, 52)],
    ),
    (
        "empty category in the detailed form",
        {D: detailed({5: [date(YEAR, 1, 1), None, "US-SE", "E0102", 5]})},
        {},
        [(D, 5, "Product Category", "category is empty; every row of the detailed budget needs one")],
    ),
    (
        "detailed form missing a month",
        {D: detailed({row: [] for row in range(8, 12)})},
        {},
        [(D, None, "Month", "no row for 2025-02 (February); the budget needs at least one row")],
    ),
    (
        "Total row mismatch",
        {S: simple(extra=[[], ["Total", 78_000]])},
        {},
        [(S, 15, "Budget", "Total row says 78,000.00 but the amounts above add up to 78,006.00")],
    ),
    (
        "Total row mismatch in the detailed form",
        {D: detailed(extra=[["TOTAL", None, None, None, 1]])},
        {},
        [(D, 52, "Budget Amount", "Total row says 1.00 but the amounts above add up to ")],
    ),
    (
        "rows after the Total row",
        {S: simple(extra=[["total", 78_006], [], [None, None, "checked by JB"], [MAR, 5]])},
        {},
        [
            (S, 16, "C", "is not blank, but rows after the Total row must be blank"),
            (S, 17, "Month", "is not blank, but rows after the Total row must be blank"),
        ],
    ),
    (
        "formula without cached value",
        {S: simple({3: [FEB, "=1000+1"]})},
        {},
        [(S, 3, "Budget", "formula has no saved value: open and save the workbook in Excel")],
    ),
    (
        "formula without cached value in the Total row",
        {S: simple(extra=[["Total", "=SUM(B2:B13)"]])},
        {},
        [(S, 14, "Budget", "formula has no saved value")],
    ),
    (
        "formula without cached value as month",
        {S: simple({3: ["=DATE(2025,2,1)", 5]})},
        {},
        [
            (S, 3, "Month", "formula has no saved value"),
            (S, None, "Month", "no row for 2025-02"),
        ],
    ),
    (
        "several problems at once",
        {
            S: simple(
                {3: [FEB, "1,200"], 5: [date(YEAR, 4, 2), -1], 7: [date(2026, 6, 1), None], 9: ["soon", 8]},
                extra=[[MAR, 1]],
            )
        },
        {},
        [
            (S, 3, "Budget", "is text, not a number"),
            (S, 5, "Month", "2025-04-02 is not the first of a month"),
            (S, 5, "Budget", "is negative"),
            (S, 7, "Month", "month 2026-06 stands 5 months apart from the rest of the budget"),
            (S, None, "Month", "no rows for 2026-01 to 2026-05 (5 months)"),
            (S, 7, "Budget", "amount is empty"),
            (S, 9, "Month", 'cannot read "soon" as a month'),
            (S, 14, "Month", "month 2025-03 duplicates row 4"),
            (S, None, "Month", "no row for 2025-06"),
            (S, None, "Month", "no row for 2025-08"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("sheets", "kwargs", "expected"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_broken_workbook(
    tmp_path: Path, sheets: dict[str, Rows], kwargs: dict[str, Any], expected: list[Expected]
) -> None:
    path = write_workbook(tmp_path / "budget.xlsx", sheets)

    with pytest.raises(ContractError) as excinfo:
        read_budget(path, **kwargs)

    assert_problems(excinfo, expected)
    assert {p.file for p in excinfo.value.problems} == {"budget.xlsx"}


def test_problems_are_readable(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "budget.xlsx", {S: simple({3: [FEB, "n/a"]})})

    with pytest.raises(ContractError) as excinfo:
        read_budget(path)

    assert str(excinfo.value.problems[0]) == (
        "budget.xlsx, sheet 'Budget', row 3, column 'Budget': amount \"n/a\" is text, not a number; "
        "enter it as a number without thousands separators, currency signs or words"
    )


# --------------------------------------------------------------------------------------------
# Files that are not readable workbooks
# --------------------------------------------------------------------------------------------


def write_random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def write_zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")


def write_truncated_workbook(path: Path) -> None:
    write_workbook(path, {S: simple()})
    path.write_bytes(path.read_bytes()[:600])


def write_broken_sheet_xml(path: Path) -> None:
    """A well-formed zip whose worksheet XML is cut off: only noticed while reading the rows."""
    write_workbook(path, {S: simple()})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet_xml = "xl/worksheets/sheet1.xml"
    parts[sheet_xml] = parts[sheet_xml][: len(parts[sheet_xml]) // 2]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    "damage",
    [write_random_bytes, write_zip_without_workbook, write_truncated_workbook, write_broken_sheet_xml],
)
def test_corrupt_file(tmp_path: Path, damage: Any) -> None:
    path = tmp_path / "budget.xlsx"
    damage(path)

    with pytest.raises(ContractError) as excinfo:
        read_budget(path)

    assert_problems(excinfo, [(None, None, None, "cannot be read as an .xlsx workbook")])
    assert excinfo.value.problems[0].file == "budget.xlsx"


@pytest.mark.parametrize("name", ["budget.xls", "budget.csv", "budget"])
def test_wrong_extension(tmp_path: Path, name: str) -> None:
    path = write_workbook(tmp_path / "budget.xlsx", {S: simple()}).rename(tmp_path / name)

    with pytest.raises(ContractError) as excinfo:
        read_budget(path)

    assert_problems(excinfo, [(None, None, None, "is not an .xlsx workbook")])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as excinfo:
        read_budget(tmp_path / "budget.xlsx")

    assert_problems(excinfo, [(None, None, None, "file not found")])


def test_budget_total_of_an_empty_table() -> None:
    empty = pa.table({"budget_amount": pa.array([], pa.decimal128(18, 4))})

    assert budget_total(empty) == Decimal(0)
