"""Read finance's sales budget workbooks (.xlsx) into a typed table.

Two layouts are accepted, recognised from the header row (see ``contract.BUDGET_HEADERS``):

* simple: Month | Budget, exactly one row per month;
* detailed: Month | Category | Territory | [Sales rep] | Budget, each combination at most once
  and at least one row for every month.

A workbook covers any run of whole months: a calendar year, or a rolling 12 or 18 months across
years; no month may be missing between its first and its last. Several workbooks may be delivered
(one per year, say): each month belongs to one of them, and they share one layout
(:func:`read_budgets`).

The header may sit below a title (within the first 20 rows). A row whose month cell says
``Total`` is a control total: it must equal the sum of the amounts and be the last row.
Everything is checked before anything is returned; all problems are raised together as one
:class:`~salespulse.errors.ContractError`.
"""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import openpyxl
import pyarrow as pa
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from salespulse.contract import BUDGET_COLUMNS, BUDGET_HEADERS, ColumnType
from salespulse.errors import ContractError, Problem

T = TypeVar("T")

HEADER_SEARCH_ROWS = 20
MAX_LISTED = 15
FOUR_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 14  # decimal(18, 4) keeps 14 digits before the point

_ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(18, 4),
    "date": pa.date32(),
}
BUDGET_SCHEMA = pa.schema(
    [pa.field(c.name, _ARROW_TYPES[c.type], nullable=not c.required) for c in BUDGET_COLUMNS]
    + [pa.field("_source_row", pa.int64(), nullable=False)]
)

_FIELD_LABELS = {
    "month": "Month",
    "category": "Category",
    "territory": "Territory",
    "sales_rep": "Sales rep",
    "amount": "Budget",
}
_GRAIN_FIELDS = ("category", "territory", "sales_rep")

_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_MONTH_NUMBERS = {n: i for i, name in enumerate(_MONTH_NAMES, 1) for n in (name, name[:3])} | {"sept": 9}
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_NAMED_MONTH = re.compile(r"([a-z]+)\.?\s+(\d{4})")
_MONTH_FORMATS = "a date cell, or text like 2025-01, 2025-01-01, Jan 2025 or January 2025"

# What a damaged or non-xlsx file raises somewhere inside openpyxl / zipfile / the XML parser.
_UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    OSError,
    KeyError,
    ValueError,
    SyntaxError,
    EOFError,
    zlib.error,
)


def _normalise(text: str) -> str:
    """Header text without case, spaces, underscores or punctuation."""
    return re.sub(r"[\W_]+", "", text.casefold())


_FIELD_BY_HEADER = {_normalise(h): f for f, names in BUDGET_HEADERS.items() for h in names}


class _CellError(Exception):
    """A cell's content is not acceptable; the message says why."""


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def read_budget(
    path: Path,
    *,
    sheet: str | None = None,
    categories: Collection[str] | None = None,
    territories: Collection[str] | None = None,
    sales_reps: Collection[str] | None = None,
) -> pa.Table:
    """Read and validate the budget workbook at ``path``.

    ``categories`` / ``territories`` / ``sales_reps``, when given, are the known values; any
    other value in the workbook is a problem (matching ignores case and surrounding spaces and
    returns the known spelling). Raises ``ContractError`` listing every problem found.
    """
    return _read_one(Path(path), sheet, _known_values(categories, territories, sales_reps)).table


def read_budgets(
    paths: Sequence[Path],
    *,
    sheet: str | None = None,
    categories: Collection[str] | None = None,
    territories: Collection[str] | None = None,
    sales_reps: Collection[str] | None = None,
) -> list[pa.Table]:
    """Read several workbooks (one per year, say) as one budget: every problem of every file is
    raised together; then each month must belong to one workbook only and all workbooks must share
    one layout (the same grain columns). Returns one table per path, in the given order."""
    known = _known_values(categories, territories, sales_reps)
    problems: list[Problem] = []
    sheets: list[_Sheet] = []
    for path in paths:
        try:
            sheets.append(_read_one(Path(path), sheet, known))
        except ContractError as exc:
            problems += exc.problems
    if problems:
        raise ContractError(problems)
    problems = _layout_problems(sheets) + _shared_month_problems(sheets)
    if problems:
        raise ContractError(problems)
    return [s.table for s in sheets]


def budget_total(table: pa.Table) -> Decimal:
    """Sum of ``budget_amount`` as an exact Decimal (for reconciliation)."""
    return sum((v for v in table.column("budget_amount").to_pylist() if v is not None), Decimal(0))


@dataclass(frozen=True)
class _Sheet:
    """One workbook's budget, read and checked, with what the cross-workbook checks need."""

    file: str
    sheet: str
    header: _Header
    table: pa.Table
    month_rows: dict[date, int]  # month -> first Excel row holding it

    @property
    def layout(self) -> tuple[str, ...]:
        """The grain columns the workbook has (its form)."""
        return tuple(f for f in _GRAIN_FIELDS if f in self.header.fields)

    def describe_header(self) -> str:
        return " | ".join(self.header.names[i] for i in sorted(self.header.names))


def _known_values(
    categories: Collection[str] | None,
    territories: Collection[str] | None,
    sales_reps: Collection[str] | None,
) -> dict[str, _Known]:
    return {
        "category": _Known.of("category", "categories", categories),
        "territory": _Known.of("territory", "territories", territories),
        "sales_rep": _Known.of("sales rep", "sales reps", sales_reps),
    }


def _read_one(path: Path, sheet: str | None, known: dict[str, _Known]) -> _Sheet:
    _check_file(path)
    try:
        with ExitStack() as stack:
            values = _open_workbook(path, stack, data_only=True)
            formulas = _open_workbook(path, stack, data_only=False)
            ws, header = _select_sheet(values, path.name, sheet)
            report = _Report(path.name, ws.title, header)
            _check_header(report)
            lost = _formula_cells(formulas[ws.title])
            rows, total = _read_rows(ws, lost, report, known)
    except _UNREADABLE as exc:
        raise ContractError([_unreadable(path, exc)]) from exc
    _check_duplicates(rows, report)
    _check_months(rows, report)
    _check_total(total, rows, report)
    if report.problems:
        raise ContractError(report.problems)
    month_rows: dict[date, int] = {}
    for r in rows:
        if r.month is not None:
            month_rows.setdefault(r.month, r.row)
    return _Sheet(path.name, ws.title, header, _to_table(rows, ws.title), month_rows)


def _layout_problems(sheets: Sequence[_Sheet]) -> list[Problem]:
    """Every workbook of one budget has the same grain columns (one form)."""
    if len({s.layout for s in sheets}) <= 1:
        return []
    first = sheets[0]
    return [
        Problem(
            file=s.file,
            sheet=s.sheet,
            row=s.header.row,
            message=(
                f"has the columns {s.describe_header()}, but {first.file} has {first.describe_header()}; "
                "all budget workbooks must have the same layout (the same grain columns: month, and "
                "category, territory and sales rep when used)"
            ),
        )
        for s in sheets[1:]
        if s.layout != first.layout
    ]


def _shared_month_problems(sheets: Sequence[_Sheet]) -> list[Problem]:
    """Each month belongs to one budget: a month in two workbooks names both."""
    owner: dict[date, _Sheet] = {}
    shared: dict[tuple[str, str], list[date]] = {}
    by_name = {s.file: s for s in sheets}
    for s in sheets:
        for month in sorted(s.month_rows):
            if month in owner:
                shared.setdefault((owner[month].file, s.file), []).append(month)
            else:
                owner[month] = s
    problems = []
    for (first_name, second_name), months in shared.items():
        first, second = by_name[first_name], by_name[second_name]
        problems.append(
            Problem(
                file=second.file,
                sheet=second.sheet,
                row=second.month_rows[months[0]],
                column=second.header.names.get(second.header.fields["month"]),
                message=(
                    f"{_month_list(months)} {'is' if len(months) == 1 else 'are'} also in {first.file} "
                    f"(sheet {first.sheet!r}, from row {first.month_rows[months[0]]}); each month belongs "
                    "to one budget: remove the months from one of the two workbooks"
                ),
            )
        )
    return problems


def _month_list(months: Sequence[date]) -> str:
    """``month 2025-03`` or ``months 2025-01 to 2025-06`` (runs joined by commas)."""
    runs = _runs(sorted(months))
    text = ", ".join(f"{a:%Y-%m}" if a == b else f"{a:%Y-%m} to {b:%Y-%m}" for a, b in runs)
    return ("month " if len(months) == 1 else "months ") + text


def _runs(months: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive months grouped into (first, last) runs; ``months`` sorted."""
    runs: list[tuple[date, date]] = []
    for month in months:
        if runs and _month_index(month) == _month_index(runs[-1][1]) + 1:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def _month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _month_at(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


# --------------------------------------------------------------------------------------------
# Opening the file
# --------------------------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    """Fail early, with a plain message, when the path cannot be an .xlsx workbook."""
    if not path.exists():
        message = f"file not found: {path}"
    elif not path.is_file():
        message = f"{path} is a folder, not an .xlsx file"
    elif path.suffix.lower() != ".xlsx":
        message = (
            f"is not an .xlsx workbook (the name ends in {path.suffix or 'nothing'!r}); "
            "save the budget from Excel as an Excel Workbook (.xlsx)"
        )
    else:
        return
    raise ContractError([Problem(file=path.name, message=message)])


def _open_workbook(path: Path, stack: ExitStack, *, data_only: bool) -> Any:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    stack.callback(workbook.close)
    return workbook


def _unreadable(path: Path, exc: BaseException) -> Problem:
    return Problem(
        file=path.name,
        message=(
            f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc}); the file may be "
            "damaged, password-protected or another format renamed to .xlsx. "
            "Open it in Excel and save it again as an Excel Workbook (.xlsx)"
        ),
    )


def _sheet_rows(ws: Any, min_row: int = 1, max_row: int | None = None) -> Iterator[tuple[int, Sequence[Any]]]:
    """(Excel row number, cells) for every row, ignoring the sheet's stored (often wrong) size."""
    ws.reset_dimensions()
    yield from enumerate(ws.iter_rows(min_row=min_row, max_row=max_row), start=min_row)


def _formula_cells(ws: Any) -> set[tuple[int, int]]:
    """(row, 0-based column) of every formula cell, read from the formula view of the sheet."""
    return {
        (row, index)
        for row, cells in _sheet_rows(ws)
        for index, cell in enumerate(cells)
        if getattr(cell, "data_type", None) == "f"
    }


# --------------------------------------------------------------------------------------------
# Finding the sheet and its header row
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    row: int
    fields: dict[str, int]  # logical field -> 0-based column index
    names: dict[int, str]  # 0-based column index -> header text as written
    repeated: tuple[tuple[str, int], ...] = ()  # (field, column) of a second column for one field

    @property
    def detailed(self) -> bool:
        return any(f in self.fields for f in _GRAIN_FIELDS)


def _scan_header(row: int, cells: Sequence[Any]) -> _Header:
    fields: dict[str, int] = {}
    names: dict[int, str] = {}
    repeated: list[tuple[str, int]] = []
    for index, cell in enumerate(cells):
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        names[index] = str(value).strip()
        found = _FIELD_BY_HEADER.get(_normalise(value)) if isinstance(value, str) else None
        if found in fields:
            repeated.append((found, index))
        elif found is not None:
            fields[found] = index
    return _Header(row, fields, names, tuple(repeated))


def _header_candidates(ws: Any) -> Iterator[_Header]:
    for row, cells in _sheet_rows(ws, 1, HEADER_SEARCH_ROWS):
        yield _scan_header(row, cells)


def _find_header(ws: Any) -> _Header | None:
    """The first row among the first 20 with both a month and an amount header."""
    return next((h for h in _header_candidates(ws) if {"month", "amount"} <= h.fields.keys()), None)


def _partial_header_problems(ws: Any, file: str) -> list[Problem]:
    """Explain a header row that has a Month (or a Budget plus another budget column) but not both."""
    for header in _header_candidates(ws):
        has = header.fields.keys()
        if "month" in has or ("amount" in has and len(has) > 1):
            missing = "amount" if "month" in has else "month"
            found = ", ".join(header.names.values())
            return [
                Problem(
                    file=file,
                    sheet=ws.title,
                    row=header.row,
                    message=(
                        f"the header row has no {_FIELD_LABELS[missing]} column (found: {found}); "
                        f"expected a column named {_expected(missing)}"
                    ),
                )
            ]
    return []


def _select_sheet(workbook: Any, file: str, sheet: str | None) -> tuple[Any, _Header]:
    sheets = {ws.title: ws for ws in workbook.worksheets}
    listing = ", ".join(repr(name) for name in sheets)
    if sheet is not None:
        if sheet not in sheets:
            message = f"sheet {sheet!r} not found; the workbook has the sheets {listing}"
            raise ContractError([Problem(file=file, sheet=sheet, message=message)])
        candidates = [sheets[sheet]]
    else:
        candidates = list(sheets.values())
    for ws in candidates:
        header = _find_header(ws)
        if header is not None:
            return ws, header
    problems = [p for ws in candidates for p in _partial_header_problems(ws, file)]
    if not problems:
        where = f"sheet {sheet!r} has no" if sheet is not None else "no sheet has a"
        sheets_named = "" if sheet is not None else f" (sheets: {listing})"
        message = (
            f"{where} Month and a Budget header in its first {HEADER_SEARCH_ROWS} rows{sheets_named}; "
            f"expected a header row with a column named {_expected('month')} "
            f"and one named {_expected('amount')}{_first_rows(candidates)}"
        )
        problems = [Problem(file=file, sheet=sheet, message=message)]
    raise ContractError(problems)


def _first_rows(sheets: Sequence[Any]) -> str:
    """What the sheets start with, so a refused header shows what the file holds instead."""
    shown = []
    for ws in sheets:
        header = next((h for h in _header_candidates(ws) if h.names), None)
        if header is None:
            shown.append(f"sheet {ws.title!r} is empty")
        else:
            cells = " | ".join(header.names[i] for i in sorted(header.names))
            shown.append(f"sheet {ws.title!r} row {header.row} holds: {cells}")
    return "; instead " + "; ".join(shown) if shown else ""


def _expected(field_name: str) -> str:
    names = [f'"{h[0].upper()}{h[1:]}"' for h in BUDGET_HEADERS[field_name]]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def _check_header(report: _Report) -> None:
    """Raise for header problems that would make every data row unreadable."""
    header = report.header
    for field_name, index in header.repeated:
        first = report.column(header.fields[field_name])
        report.add(
            f"is a second {_FIELD_LABELS[field_name]} column (the first is {first!r}); "
            "keep only one column per field",
            header.row,
            index,
        )
    if header.detailed:
        for field_name in ("category", "territory"):
            if field_name not in header.fields:
                report.add(
                    f"the header row has no {_FIELD_LABELS[field_name]} column, but the detailed budget "
                    "(by category and territory) needs both; "
                    f"expected a column named {_expected(field_name)}",
                    header.row,
                )
    if report.problems:
        raise ContractError(report.problems)


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@dataclass
class _Report:
    """Problems found in one sheet, located by row and column header."""

    file: str
    sheet: str
    header: _Header
    problems: list[Problem] = field(default_factory=list)

    def column(self, index: int) -> str:
        return self.header.names.get(index) or get_column_letter(index + 1)

    def add(self, message: str, row: int | None = None, index: int | None = None) -> None:
        column = self.column(index) if index is not None else None
        self.problems.append(Problem(self.file, message, row=row, column=column, sheet=self.sheet))


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    value: Any = None
    is_error: bool = False  # an Excel error value such as #REF!
    lost_formula: bool = False  # a formula whose result was never saved

    @property
    def blank(self) -> bool:
        if self.lost_formula:
            return False
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


_EMPTY = _Cell()


def _cells(raw: Sequence[Any], row: int, lost: set[tuple[int, int]]) -> list[_Cell]:
    return [
        _Cell(
            value=cell.value,
            is_error=getattr(cell, "data_type", None) == "e",
            lost_formula=cell.value is None and (row, index) in lost,
        )
        for index, cell in enumerate(raw)
    ]


def _cell_at(cells: Sequence[_Cell], index: int | None) -> _Cell:
    return cells[index] if index is not None and index < len(cells) else _EMPTY


def _value(cell: _Cell) -> Any:
    """The cell's value (stripped text, None when blank), or a problem for formulas and errors."""
    if cell.lost_formula:
        raise _CellError("formula has no saved value: open and save the workbook in Excel")
    if cell.is_error:
        raise _CellError(f"contains the Excel error {cell.value}; fix the formula in the workbook")
    if isinstance(cell.value, str):
        return cell.value.strip() or None
    return cell.value


def _parse_month(cell: _Cell) -> date:
    value = _value(cell)
    if value is None:
        raise _CellError(f"month is empty; expected {_MONTH_FORMATS}")
    if isinstance(value, datetime):
        if value.time() != time():
            raise _CellError(f"month {value} has a time of day; expected a date on the first of the month")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse_month_text(value)
    raise _CellError(f"month {value!r} is not a date; expected {_MONTH_FORMATS}")


def _parse_month_text(text: str) -> date:
    iso = _ISO_MONTH.fullmatch(text)
    named = _NAMED_MONTH.fullmatch(text.casefold())
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3] or 1))
        if named and named[1] in _MONTH_NUMBERS:
            return date(int(named[2]), _MONTH_NUMBERS[named[1]], 1)
    except ValueError:
        pass  # e.g. 2025-13 or 2025-02-30: fall through to the same message
    raise _CellError(f'cannot read "{text}" as a month; expected {_MONTH_FORMATS}')


def _parse_amount(cell: _Cell) -> Decimal:
    value = _value(cell)
    if value is None:
        raise _CellError("amount is empty; expected a number (0 when nothing is budgeted)")
    if isinstance(value, str):
        raise _CellError(
            f'amount "{value}" is text, not a number; enter it as a number '
            "without thousands separators, currency signs or words"
        )
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _CellError(f"amount {value!r} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _CellError(f"amount {value!r} is not a finite number")
    amount = Decimal(repr(value) if isinstance(value, float) else value)
    if not amount.is_finite():
        raise _CellError(f"amount {value} is not a finite number")
    amount = amount.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise _CellError(f"amount {amount.normalize():f} is negative; budget amounts must be zero or more")
    if amount >= MAX_AMOUNT:
        raise _CellError(f"amount {amount.normalize():f} is too large (at most 14 digits before the point)")
    return amount


def _text(cell: _Cell) -> str | None:
    value = _value(cell)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None if value is None else str(value).strip()


@dataclass(frozen=True)
class _Known:
    """The known values of one grain field (None: anything goes)."""

    label: str
    plural: str
    values: dict[str, str] | None  # casefolded -> spelling as known

    @classmethod
    def of(cls, label: str, plural: str, values: Collection[str] | None) -> _Known:
        lookup = None if values is None else {str(v).strip().casefold(): str(v).strip() for v in values}
        return cls(label, plural, lookup)

    def listing(self) -> str:
        names = sorted((self.values or {}).values())
        if not names:
            return "none"
        shown = ", ".join(names[:MAX_LISTED])
        return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _parse_code(cell: _Cell, known: _Known, *, required: bool) -> str | None:
    text = _text(cell)
    if text is None:
        if required:
            raise _CellError(f"{known.label} is empty; every row of the detailed budget needs one")
        return None
    if known.values is None:
        return text
    if text.casefold() not in known.values:
        raise _CellError(f'unknown {known.label} "{text}"; known {known.plural}: {known.listing()}')
    return known.values[text.casefold()]


def _is_total(cell: _Cell) -> bool:
    return isinstance(cell.value, str) and cell.value.strip().casefold() == "total"


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    row: int
    month: date | None  # first of the month; None when unusable
    category: str | None
    territory: str | None
    sales_rep: str | None
    amount: Decimal | None
    key: tuple[Any, ...] | None  # grain key, None when a key cell is unusable


@dataclass(frozen=True)
class _Total:
    row: int
    amount: Decimal | None


def _read_rows(
    ws: Any, lost: set[tuple[int, int]], report: _Report, known: dict[str, _Known]
) -> tuple[list[_Row], _Total | None]:
    header = report.header
    rows: list[_Row] = []
    total: _Total | None = None
    for row, raw in _sheet_rows(ws, header.row + 1):
        cells = _cells(raw, row, lost)
        if total is not None:
            _check_blank_after_total(cells, row, report)
        elif all(_cell_at(cells, i).blank for i in header.fields.values()):
            continue
        elif _is_total(_cell_at(cells, header.fields["month"])):
            total = _Total(row, _checked(report, row, header.fields["amount"], _parse_amount, cells))
        else:
            rows.append(_parse_row(cells, row, report, known))
    return rows, total


def _checked(
    report: _Report, row: int, index: int | None, parse: Callable[[_Cell], T], cells: Sequence[_Cell]
) -> T | None:
    """Parse one cell; on failure record the problem and return None."""
    try:
        return parse(_cell_at(cells, index))
    except _CellError as exc:
        report.add(str(exc), row, index)
        return None


def _parse_row(cells: Sequence[_Cell], row: int, report: _Report, known: dict[str, _Known]) -> _Row:
    fields = report.header.fields
    before = len(report.problems)
    month = _checked(report, row, fields["month"], _parse_month, cells)
    month = _budget_month(month, report, row) if month is not None else None
    codes = {
        name: _checked(
            report, row, index, partial(_parse_code, known=known[name], required=name != "sales_rep"), cells
        )
        for name, index in fields.items()
        if name in _GRAIN_FIELDS
    }
    key_ok = month is not None and len(report.problems) == before
    key = (month, *(v.casefold() if v else None for v in codes.values())) if key_ok else None
    return _Row(
        row=row,
        month=month,
        category=codes.get("category"),
        territory=codes.get("territory"),
        sales_rep=codes.get("sales_rep"),
        amount=_checked(report, row, fields["amount"], _parse_amount, cells),
        key=key,
    )


def _budget_month(month: date, report: _Report, row: int) -> date:
    """Check a month date; return its first day."""
    if month.day != 1:
        report.add(
            f"{month.isoformat()} is not the first of a month; enter budget months as the 1st",
            row,
            report.header.fields["month"],
        )
    return month.replace(day=1)


def _check_blank_after_total(cells: Sequence[_Cell], row: int, report: _Report) -> None:
    index = next((i for i, cell in enumerate(cells) if not cell.blank), None)
    if index is not None:
        report.add("is not blank, but rows after the Total row must be blank", row, index)


# --------------------------------------------------------------------------------------------
# Whole-sheet checks
# --------------------------------------------------------------------------------------------


#: A run of months this many months or more away from the rest of the workbook is pointed at by row.
_APART_MONTHS = 3


def _check_months(rows: list[_Row], report: _Report) -> None:
    """Every month from the workbook's first to its last needs a row (one row in the simple form)."""
    index = report.header.fields["month"]
    first_row: dict[date, int] = {}
    for r in rows:
        if r.month is not None:
            first_row.setdefault(r.month, r.row)
    if not first_row:
        if not report.problems:
            report.add("has a header but no budget rows below it", report.header.row)
        return
    runs = _runs(sorted(first_row))
    first, last = runs[0][0], runs[-1][1]
    need = "at least one row" if report.header.detailed else "exactly one row"
    rule = f"the budget needs {need} for every month from {first:%Y-%m} to {last:%Y-%m}"
    main = max(runs, key=lambda run: _month_index(run[1]) - _month_index(run[0]))
    gaps = [_month_index(after[0]) - _month_index(before[1]) - 1 for before, after in pairwise(runs)]
    for (before, _), gap in zip(pairwise(runs), gaps, strict=True):
        lo, hi = _month_index(before[1]) + 1, _month_index(before[1]) + gap
        if lo == hi:
            month = _month_at(lo)
            report.add(
                f"no row for {month:%Y-%m} ({_MONTH_NAMES[month.month - 1].title()}); {rule}", index=index
            )
        else:
            report.add(
                f"no rows for {_month_at(lo):%Y-%m} to {_month_at(hi):%Y-%m} ({gap} months); {rule}",
                index=index,
            )
    for number, run in enumerate(runs):
        # the missing months between this run and its nearest neighbour
        apart = min([*gaps[max(number - 1, 0) : number], *gaps[number : number + 1]], default=0)
        if run != main and apart >= _APART_MONTHS:
            alone = run[0] == run[1]
            what = (
                f"month {run[0]:%Y-%m} stands" if alone else f"months {run[0]:%Y-%m} to {run[1]:%Y-%m} stand"
            )
            report.add(
                f"{what} {apart} months apart "
                f"from the rest of the budget ({main[0]:%Y-%m} to {main[1]:%Y-%m}); a mistyped year?",
                first_row[run[0]],
                index,
            )


def _check_duplicates(rows: list[_Row], report: _Report) -> None:
    first_row: dict[tuple[Any, ...], int] = {}
    for r in rows:
        if r.key is None:
            continue
        if r.key in first_row:
            report.add(
                f"{_describe_key(r)} duplicates row {first_row[r.key]}; {_grain_rule(report)}",
                r.row,
                report.header.fields["month"],
            )
        else:
            first_row[r.key] = r.row


def _describe_key(r: _Row) -> str:
    parts = [f"month {r.month:%Y-%m}"] if r.month else []
    for label, value in (("category", r.category), ("territory", r.territory), ("sales rep", r.sales_rep)):
        if value is not None:
            parts.append(f"{label} {value}")
    return ", ".join(parts)


def _grain_rule(report: _Report) -> str:
    if not report.header.detailed:
        return "the simple budget has exactly one row per month"
    grain = "month, category, territory" + (", sales rep" if "sales_rep" in report.header.fields else "")
    return f"each combination of {grain} may appear only once"


def _check_total(total: _Total | None, rows: list[_Row], report: _Report) -> None:
    """A Total row must equal the sum of the amounts, to the cent."""
    if total is None or total.amount is None or any(r.amount is None for r in rows):
        return  # no total, or the amount problems already reported explain any difference
    expected = sum((r.amount for r in rows if r.amount is not None), Decimal(0))
    stated = total.amount.quantize(CENTS, rounding=ROUND_HALF_UP)
    summed = expected.quantize(CENTS, rounding=ROUND_HALF_UP)
    if stated != summed:
        report.add(
            f"Total row says {stated:,.2f} but the amounts above add up to {summed:,.2f} "
            f"(difference {stated - summed:,.2f})",
            total.row,
            report.header.fields["amount"],
        )


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


def _to_table(rows: list[_Row], sheet: str) -> pa.Table:
    columns = {
        "budget_month": [r.month for r in rows],
        "category": [r.category for r in rows],
        "territory_code": [r.territory for r in rows],
        "sales_rep_id": [r.sales_rep for r in rows],
        "budget_amount": [r.amount for r in rows],
        "_source_sheet": [sheet] * len(rows),
        "_source_row": [r.row for r in rows],
    }
    return pa.Table.from_pydict(columns, schema=BUDGET_SCHEMA)
