"""The export writers on their own (no warehouse, no browser): Excel sheet names that Excel accepts and
a reader recognises, and PDF charts of every shape a page can hand them (one point, no point, all
zero, negative, months of several years) written and read back."""

from __future__ import annotations

import calendar
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from salespulse.web.exports.report import Report, chart_data, shorten
from salespulse.web.exports.report_csv import report_zip
from salespulse.web.exports.report_pdf import pdf_bytes
from salespulse.web.exports.report_xlsx import sheet_name, workbook_bytes
from salespulse.web.ui.visuals import VISUALS, Visual

FORBIDDEN = set("[]:*?/\\")
ABBREVIATED = {"TD", "&"}  # the deliberate abbreviations of report_xlsx.ABBREVIATIONS


def words(text: str) -> set[str]:
    return set(re.sub(r"[\[\]:*?/\\(),]", " ", text).split())


def assert_sheet_names(titles: list[str], names: list[str]) -> None:
    assert len({n.lower() for n in names}) == len(names), names  # unique (Excel ignores case)
    for title, name in zip(titles, names, strict=True):
        assert 0 < len(name) <= 31, name
        assert not FORBIDDEN & set(name) and not name.startswith("'") and not name.endswith("'"), name
        body = re.sub(r" \(\d+\)$", "", name)  # a " (2)" that makes a name unique
        # never cut mid-word: every word is a whole word of the title (or a deliberate abbreviation)
        assert words(body) <= words(title) | ABBREVIATED, (title, name)


@pytest.mark.parametrize("slug", list(VISUALS))
def test_every_sheet_name_of_a_page_fits_excel_whole_words(slug: str) -> None:
    titles = [item.title for item in VISUALS[slug] if item.kind != "kpis"]
    taken = {"report", "history"}
    assert_sheet_names(titles, [sheet_name(title, taken) for title in titles])


def test_sheet_names_read_as_the_title_shortened() -> None:
    def name(title: str) -> str:
        return sheet_name(title, {"report", "history"})

    assert name("Top 10 clients") == "Top 10 clients"  # fits: as it is
    assert name("Sales and forecast by month, with 80 % and 95 % intervals") == "Sales and forecast by month"
    assert name("Backtest by series: the model against the seasonal-naive baseline") == "Backtest by series"
    assert name("Sales vs budget by category (the budget's months)") == "Sales vs budget by category"
    assert name("Sales vs budget to date by territory (the budget's months)") == (
        "Sales vs budget TD by territory"
    )
    assert name("Quota, sales and attainment by rep") == "Quota, sales and attainment"  # no dangling "by"
    assert name("Projected full year vs budget by series") == "Projected full year vs budget"


def test_sheet_names_unique_clean_and_never_empty() -> None:
    titles = [
        "Sales vs budget to date by territory",
        "Sales vs budget to date by territory",
        "Sales vs budget to date by territory",
        "[Q1]: sales/returns? *all*",
        "'Quoted'",
        "",
        ":::",
        "History",
        "Report",
        "Supercalifragilisticexpialidocious-and-then-some-more",
        "Clients " + "very " * 20 + "long",
    ]
    taken = {"report", "history"}
    names = [sheet_name(title, taken) for title in titles]
    assert names[:3] == [
        "Sales vs budget TD by territory",
        "Sales vs budget TD (2)",
        "Sales vs budget TD (3)",
    ]
    assert names[3] == "Q1 sales returns all"
    assert names[4] == "Quoted"
    assert names[5] == "Sheet" and names[6] == "Sheet (2)"
    assert names[7] == "History (2)" and names[8] == "Report (2)"  # Excel reserves "History"
    assert names[9] == titles[9][:31]  # one word longer than the limit: cut where it must be
    assert names[10] == "Clients very very very very"
    assert {n.lower() for n in names} & {"report", "history"} == set()
    assert all(len(n) <= 31 and not FORBIDDEN & set(n) for n in names)


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("Lakeside Velo Club (C000255)", 28) == "Lakeside Velo Club (C000255)"
    assert shorten("Mountain-200 Black, 42 and a much longer name", 24) == "Mountain-200 Black, 42…"
    assert shorten("Supercalifragilisticexpialidocious", 10) == "Supercali…"


# --------------------------------------------------------------------------- PDF charts

#: Five years of months, as the monthly visuals label them.
MONTHS = [f"{calendar.month_abbr[m]} {y}" for y in range(2020, 2025) for m in range(1, 13)]


def report(visuals: list[Visual], datasets: dict[str, pd.DataFrame], title: str = "Chart shapes") -> Report:
    return Report(
        title=title,
        slug="overview",
        user="someone@salespulse.example (manager: all data)",
        as_of=date(2024, 12, 31),
        generated=datetime(2025, 1, 2, 9, 30, tzinfo=UTC),
        filters=[("Dates", "2020-01-01 to 2024-12-31")],
        datasets=datasets,
        visuals=visuals,
    )


def pdf_text(body: bytes) -> tuple[int, str]:
    pages = PdfReader(io.BytesIO(body)).pages
    return len(pages), " ".join(" ".join(p.extract_text().split()) for p in pages)


def combo(name: str, months: list[str], sales: list[Any], budget: list[Any]) -> tuple[Visual, pd.DataFrame]:
    item = Visual(
        name, f"Sales vs budget ({name})", "combo", x="Year Month Name", y=("Sales", "Budget To Date")
    )
    return item, pd.DataFrame({"Year Month Name": months, "Sales": sales, "Budget To Date": budget})


def trend(name: str, years: dict[int, list[Any]]) -> tuple[Visual, pd.DataFrame]:
    item = Visual(name, f"Sales trend ({name})", "lines", x="Month", y=("Sales",), series="Year")
    rows = [
        {"Year": year, "Month": month, "Sales": value}
        for year, values in years.items()
        for month, value in zip(["January", "February", "March"], values, strict=False)
    ]
    return item, pd.DataFrame(rows, columns=["Year", "Month", "Sales"])


def bars(name: str, kind: str, values: list[Any], measure: str = "Sales") -> tuple[Visual, pd.DataFrame]:
    item = Visual(name, f"Bars ({name})", kind, x="Name", y=(measure,))
    return item, pd.DataFrame({"Name": [f"Item {i}" for i in range(len(values))], measure: values})


def shapes() -> list[tuple[Visual, pd.DataFrame]]:
    """Every chart shape a page hands the PDF writer."""
    many = len(MONTHS)
    return [
        # the default view: several years, the budget only in the last one (a blank series in the
        # first months: reportlab failed with "Polyline must have 2 or more points")
        combo(
            "several_years",
            MONTHS,
            [Decimal(1000 + i) for i in range(many)],
            [None] * (many - 12) + [900] * 12,
        ),
        combo("no_budget", MONTHS[:24], [Decimal(500)] * 24, [None] * 24),  # two years, no budget at all
        combo("one_month", ["Jan 2024"], [Decimal(10)], [Decimal(12)]),  # one point per series
        combo("no_values", ["Jan 2024", "Feb 2024"], [None, None], [None, None]),
        trend("one_point", {2023: [Decimal(5)], 2024: [None, Decimal(7)]}),  # lines of one point
        trend("empty_year", {2022: [None, None, None], 2023: [1, 2, 3], 2024: [None]}),
        trend("zero", {2024: [0, 0, 0]}),
        trend("nan_inf", {2024: [float("nan"), float("inf"), 3.0]}),
        bars("all_zero", "bar", [0, 0, 0]),
        bars("negative", "hbar", [Decimal(-5), Decimal(-1), Decimal(-12)]),
        bars("mixed_sign", "bar", [Decimal(-5), Decimal(8), None]),
        bars(
            "percent_only", "hbar", [Decimal("0.95"), Decimal("1.2"), None], measure="Campaign Sales Uplift %"
        ),
        bars("empty_frame", "bar", []),
        (
            Visual(
                "band",
                "Forecast band",
                "band",
                x="Month",
                y=("Forecast Actual", "Forecast", "Forecast Lower 80", "Forecast Upper 80"),
            ),
            pd.DataFrame(
                {
                    "Month": MONTHS[:4],
                    "Forecast Actual": [1.0, 2.0, None, None],
                    "Forecast": [None, None, 3.0, 4.0],
                    "Forecast Lower 80": [None, None, 2.5, 3.0],
                    "Forecast Upper 80": [None, None, 3.5, 5.0],
                }
            ),
        ),
    ]


def test_pdf_draws_every_chart_shape() -> None:
    items = shapes()
    body = pdf_bytes(report([v for v, _ in items], {v.dataset: f for v, f in items}))
    pages, text = pdf_text(body)
    assert pages >= 2 and text.startswith("Chart shapes")
    for item, _ in items:
        assert item.title in text
    # a series with no value is said to be missing, not drawn as a line through no points
    assert "Not charted, no values: Budget To Date." in text
    assert "No values to chart: Sales, Budget To Date." in text
    assert "Not charted, no values: 2022, 2024." in text  # the other year of the trend is drawn
    assert "No data for these filters." in text  # the empty frame


@pytest.mark.parametrize("index", range(len(shapes())), ids=[v.dataset for v, _ in shapes()])
def test_pdf_writes_each_chart_shape_alone(index: int) -> None:
    item, frame = shapes()[index]
    pages, text = pdf_text(pdf_bytes(report([item], {item.dataset: frame}, title="One chart")))
    assert pages >= 1 and text.startswith("One chart") and item.title in text


def test_exports_chart_every_month_of_several_years_and_the_biggest_cities() -> None:
    item, frame = shapes()[0]
    data = chart_data(item, frame, limit=20)
    assert data is not None and data.categories == MONTHS  # not the first 20 months only
    assert data.series["Budget To Date"][-12:] == [900] * 12
    city = Visual("sales_by_city", "Sales by city", "map", x="City", y=("Sales",))
    cities = pd.DataFrame({"City": ["Hobart", "London", "Lyon", "Nowhere"], "Sales": [2, 9, 5, None]})
    ranked = chart_data(city, cities, limit=2)
    assert ranked is not None and ranked.categories == ["London", "Lyon"]  # a map has no order: ranked


# --------------------------------------------------------------------------- Excel and CSV files


def test_workbook_holds_shortened_sheets_and_data_as_data() -> None:
    items = shapes()
    clients = Visual("clients", "Clients, most valuable first (every one you may see)", "table", y=("Sales",))
    tricky = pd.DataFrame(
        {
            "Client": ['=HYPERLINK("http://example.invalid")', "Bell\x07 GmbH", "Plain"],
            "Sales": [Decimal("NaN"), float("inf"), Decimal("12.50")],
        }
    )
    visuals = [*(v for v, _ in items), clients]
    book = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(report(visuals, {**{v.dataset: f for v, f in items}, "clients": tricky})))
    )
    assert book.sheetnames[0] == "Report"
    titles = [v.title for v in visuals]
    assert_sheet_names(titles, book.sheetnames[1:])
    assert "Clients, most valuable first" in book.sheetnames
    # the cover lists every sheet, linked, with the visual's full title
    cover = [[c for c in row if c is not None] for row in book["Report"].iter_rows(values_only=True)]
    listed = cover[cover.index(["Sheets"]) + 1 :]
    assert listed == [[name, title] for name, title in zip(book.sheetnames[1:], titles, strict=True)]
    sheet = book["Clients, most valuable first"]
    rows = list(sheet.iter_rows(min_row=2, max_col=2, values_only=True))
    assert rows == [('=HYPERLINK("http://example.invalid")', None), ("Bell GmbH", None), ("Plain", 12.5)]
    assert sheet["A2"].data_type == "s"  # text, not a formula Excel would run
    several = book[book.sheetnames[1]]
    assert len(several._charts) == 1
    assert several.cell(row=2 + len(MONTHS), column=5).value == "Dec 2024"  # every month charted


def test_csv_archive_names_every_table_once() -> None:
    first = Visual("a", "Sales by rep", "table", y=("Sales",))
    second = Visual("b", "Sales by rep", "table", y=("Sales",))
    frame = pd.DataFrame({"Sales Rep": ["Felix"], "Sales": [Decimal(1)]})
    archive = zipfile.ZipFile(io.BytesIO(report_zip(report([first, second], {"a": frame, "b": frame}))))
    assert archive.namelist() == ["filters.csv", "sales-by-rep.csv", "sales-by-rep-2.csv"]
