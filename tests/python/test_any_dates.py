"""Real company dates: another year, a mid-month as-of date and a budget that spans two years.

The demo company is generated for January 2024 to 15 January 2026, and finance's budget is sent as
one rolling workbook for January 2025 to June 2026 (the demo's 2025 budget, with the first half of
2026 added), as real finance teams send it. No ``SALESPULSE_AS_OF`` is set: the build takes the
last order date loaded. The same delivery is built on DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from salespulse.budget import read_budget
from salespulse.web import Filters, evaluate, resolve_scope
from salespulse.web.query.readers import DuckDBReader, Reader, open_reader
from salespulse.web.query.timeintel import load_calendar
from test_web_queries import MANAGER, assert_agrees_with_monthly_model
from warehouse_build import build_warehouse

START, AS_OF = date(2024, 1, 1), date(2026, 1, 15)
BUDGET_MONTHS = 18  # January 2025 to June 2026
GROWTH_2026 = Decimal("1.08")
SETTINGS = (
    "SALESPULSE_AS_OF",
    "SALESPULSE_BUDGET_YEAR",
    "SALESPULSE_HISTORY_YEARS",
    "SALESPULSE_HISTORY_START",
)
CENTS = Decimal("0.01")


def _rolling_budget(delivery: Path) -> Decimal:
    """Replace the generated 2025 workbook by one rolling workbook, Jan 2025 - Jun 2026; its total."""
    (generated,) = delivery.glob("budget_*.xlsx")
    table = read_budget(generated)
    generated.unlink()
    with_rep = table.column("sales_rep_id").null_count < table.num_rows
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet.append(["Sales budget, rolling 18 months"])
    sheet.append([])
    sheet.append(["Budget month", "Category", "Territory", *(["Sales rep"] if with_rep else []), "Budget"])
    total = Decimal(0)
    rows = table.to_pylist()
    for year, factor, months in ((2025, Decimal(1), range(1, 13)), (2026, GROWTH_2026, range(1, 7))):
        for row in rows:
            if row["budget_month"].month not in months:
                continue
            amount = (row["budget_amount"] * factor).quantize(CENTS, rounding=ROUND_HALF_UP)
            rep = [row["sales_rep_id"]] if with_rep else []
            sheet.append(
                [
                    date(year, row["budget_month"].month, 1),
                    row["category"],
                    row["territory_code"],
                    *rep,
                    amount,
                ]
            )
            total += amount
    for _ in range(3):  # trailing blank rows, as Excel leaves them
        sheet.append([])
    workbook.save(delivery / "budget_rolling_2025-01_2026-06.xlsx")
    return total


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Decimal]:
    from salespulse.generator import generate

    out = tmp_path_factory.mktemp("any-dates")
    generate(out, order_lines=20_000, start=START, as_of=AS_OF, budget_year=2025)
    return out, _rolling_budget(out)


def _forget_a_client(customers: Path) -> None:
    """The CRM extract lacks a client who ordered (created after the extract ran): their lines land
    on the Unknown customer (-1)."""
    header, _first, *rest = customers.read_text(encoding="utf-8").splitlines(keepends=True)
    customers.write_text(header + "".join(rest), encoding="utf-8")


def _env(**extra: str) -> dict[str, str]:
    """The test's environment without any date setting: the build works them out from the data."""
    return {**{k: v for k, v in os.environ.items() if k not in SETTINGS}, **extra}


@pytest.fixture(scope="module")
def duck_env(delivery: tuple[Path, Decimal], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("any-dates-duckdb")
    saved = {k: os.environ.pop(k) for k in SETTINGS if k in os.environ}
    try:
        return build_warehouse(
            delivery[0], work, "duckdb", _env(SALESPULSE_DUCKDB_PATH=str(work / "any.duckdb"))
        )
    finally:
        os.environ.update(saved)


@pytest.fixture(scope="module")
def duck(duck_env: dict[str, str]) -> Iterator[DuckDBReader]:
    reader = DuckDBReader(Path(duck_env["SALESPULSE_DUCKDB_PATH"]))
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def postgres(
    delivery: tuple[Path, Decimal], pg_cluster: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reader]:
    with pg_cluster.connect(autocommit=True) as conn:  # type: ignore[attr-defined]
        conn.execute("create database salespulse_any_dates")
    env = {**pg_cluster.env, "PGDATABASE": "salespulse_any_dates"}  # type: ignore[attr-defined]
    work = tmp_path_factory.mktemp("any-dates-postgres")
    saved = {k: os.environ.pop(k) for k in SETTINGS if k in os.environ}
    try:
        built = build_warehouse(delivery[0], work, "postgres", _env(**env))
    finally:
        os.environ.update(saved)
    reader = open_reader("postgres", {**os.environ, **built})
    yield reader
    reader.close()  # type: ignore[attr-defined]


def _one(reader: Reader, sql: str) -> object:
    return reader.query(sql, [])[0][0]


def _manager_totals(reader: Reader, measures: list[str], first: date, last: date) -> pd.Series:
    """The measures the web shows the manager (who sees every row) over ``first`` .. ``last``."""
    filters = Filters(date_from=first, date_to=last)
    return evaluate(measures, filters, resolve_scope(MANAGER, reader), reader=reader).iloc[0]


def test_the_build_settles_on_the_last_order_date_and_its_year(duck: Reader) -> None:
    last_order = _one(duck, "select max(order_date) from raw.order_lines")
    assert last_order == AS_OF  # the generator's last day has orders
    assert load_calendar(duck).as_of == AS_OF
    bounds = duck.query(
        "select min(case when is_in_history then date_day end), "
        "max(case when is_in_history then date_day end), "
        "min(case when is_budget_year then year_number end), max(case when is_ytd then date_day end) "
        "from reporting.dates",
        [],
    )[0]
    assert bounds == (date(2024, 1, 1), AS_OF, 2026, AS_OF)
    assert (
        _one(duck, "select count(*) from marts.rejected_rows where rejection_reason = 'after_as_of_date'")
        == 0
    )


def test_the_two_year_budget_lands_whole(duck: Reader, delivery: tuple[Path, Decimal]) -> None:
    months = duck.query(
        "select min(budget_month), max(budget_month), count(distinct budget_month) from reporting.budget", []
    )
    assert months == [(date(2025, 1, 1), date(2026, 6, 1), BUDGET_MONTHS)]
    assert _one(duck, "select sum(budget_amount) from reporting.budget") == delivery[1]


def test_each_budget_month_meets_its_own_sales_and_the_as_of_month_is_prorated(duck: Reader) -> None:
    by_month = {
        month: (sales, budget, to_date, basis)
        for month, sales, budget, to_date, basis in duck.query(
            "select month_start_date, sum(sales_amount), sum(budget_amount), sum(budget_to_date_amount), "
            "max(budget_basis) from reporting.sales_vs_budget_monthly group by month_start_date",
            [],
        )
    }
    sales_jan = _one(
        duck,
        "select sum(net_sales_amount) from reporting.sales s "
        "join reporting.dates d on s.order_date_key = d.date_key "
        "where d.date_day between '2026-01-01' and '2026-01-15'",
    )
    sales, budget, to_date, basis = by_month[date(2026, 1, 1)]
    assert sales == sales_jan and basis == "prorated: 15 of 31 days"
    assert abs(to_date - budget * 15 / 31) < Decimal("0.0001") * BUDGET_MONTHS
    for month in (date(2026, m, 1) for m in range(2, 7)):  # budgeted, not yet sold: empty, not zero
        assert by_month[month][0] is None and by_month[month][1] > 0 and by_month[month][2] is None
    assert by_month[date(2024, 6, 1)][1] is None  # sales before the budget starts carry no budget


def test_the_web_agrees_with_the_monthly_model(duck: Reader) -> None:
    assert assert_agrees_with_monthly_model(duck, resolve_scope(MANAGER, duck)) > 0


def test_year_to_date_mid_month_has_a_budget_to_date_and_an_attainment(duck: Reader) -> None:
    ytd = _manager_totals(duck, ["Sales", "Budget To Date", "Attainment %"], date(2026, 1, 1), AS_OF)
    budget_to_date = _one(
        duck, "select sum(budget_to_date_amount) from reporting.budget where budget_month = '2026-01-01'"
    )
    assert ytd["Budget To Date"] == budget_to_date
    assert (
        ytd["Attainment %"] is not None
        and abs(float(ytd["Attainment %"]) - float(ytd["Sales"] / budget_to_date)) < 1e-6
    )


@pytest.mark.parametrize(
    ("flag", "pick"), [("is_ytd", "ytd"), ("is_last_12_months", "l12m"), ("is_last_24_months", "l24m")]
)
def test_saved_periods_are_whole_months_with_a_budget_at_a_mid_month_as_of_date(
    duck: Reader, flag: str, pick: str
) -> None:
    """The Date table's period flags (Power BI's bookmarks) and the web's quick picks cover the same
    whole months, the as-of month up to the as-of date: the monthly budget has a Budget To Date and an
    Attainment % there instead of going blank over a cut first month."""
    from salespulse.web.ui.state import quick_pick_range

    first, last = duck.query(f"select min(date_day), max(date_day) from reporting.dates where {flag}", [])[0]
    assert first.day == 1 and last == AS_OF
    assert quick_pick_range(pick, load_calendar(duck)) == (first, last)
    web = _manager_totals(duck, ["Sales In Budget Months", "Budget To Date", "Attainment %"], first, last)
    sales, to_date = duck.query(  # the sales of the months the budget covers, whoever sold them
        "select sum(sales_amount), sum(budget_to_date_amount) from reporting.sales_vs_budget_monthly "
        "where month_start_date between ? and ? "
        "and month_start_date in (select budget_month from reporting.budget)",
        [first, last],
    )[0]
    assert web["Budget To Date"] == to_date and web["Sales In Budget Months"] == sales
    assert abs(float(web["Attainment %"]) - float(sales / to_date)) < 1e-6  # stored to 6 places


def test_a_range_over_two_budget_years_compares_each_month_with_its_own_sales(duck: Reader) -> None:
    web = _manager_totals(
        duck, ["Sales In Budget Months", "Budget To Date", "Variance"], date(2024, 7, 1), AS_OF
    )
    sales, to_date = duck.query(
        "select sum(sales_amount), sum(budget_to_date_amount) from reporting.sales_vs_budget_monthly "
        "where budget_amount is not null and month_start_date <= '2026-01-15'",
        [],
    )[0]
    assert web["Sales In Budget Months"] == sales  # July - December 2024 had no budget: left out
    assert web["Budget To Date"] == to_date
    assert web["Variance"] == sales - to_date


@pytest.mark.postgres
def test_postgres_builds_the_same_reporting_numbers(duck: Reader, postgres: Reader) -> None:
    for sql in (
        "select date_day, is_on_or_before_as_of, is_in_history, is_budget_year, is_ytd, is_last_12_months "
        "from reporting.dates order by date_day",
        "select budget_month, category_name, territory_code, sales_rep_id, budget_amount, "
        "budget_to_date_amount "
        "from reporting.budget order by 1, 2, 3, 4",
        "select month_start_date, category_name, territory_code, sales_rep_id, sales_amount, budget_amount, "
        "budget_to_date_amount, attainment_to_date_pct from reporting.sales_vs_budget_monthly "
        "order by 1, 2, 3, 4",
    ):
        assert duck.query(sql, []) == postgres.query(sql, []), sql


def test_kpi_cards_name_the_period_each_covers(duck: Reader) -> None:
    from salespulse.web.query.periods import card_periods

    first = _one(duck, "select min(date_day) from reporting.dates where is_in_history")
    cards = ("Sales", "Budget", "Attainment %", "Sales YTD", "Sales PYTD", "Sales Run-Rate FY")
    periods = card_periods(duck, Filters(), {**dict.fromkeys(cards, 1), "Variance": None})
    assert periods == {
        "Sales": f"{first:%b %Y} - 15 Jan 2026",
        "Budget": "Jan 2025 - Jun 2026",
        "Attainment %": "Jan 2025 - 15 Jan 2026",
        "Sales YTD": "Jan 2026 - 15 Jan 2026",
        "Sales PYTD": "Jan 2025 - 15 Jan 2025",
        "Sales Run-Rate FY": "Jan 2026 - Dec 2026, at the year-to-date run rate",
    }  # a blank card (Variance) names no period
    # the client snapshot is as of the as-of date whatever the dates; the backtest's period is its page's
    assert card_periods(duck, Filters(), {"At-Risk Clients": 1, "Backtest MAPE %": 1}) == {
        "At-Risk Clients": "As of 15 Jan 2026"
    }
    one_year = card_periods(
        duck, Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)), {"Budget": 1}
    )
    assert one_year == {"Budget": "Jan 2025 - Dec 2025"}


def test_vs_budget_by_territory_compares_the_budget_months_only(duck: Reader) -> None:
    from salespulse.web.query.pages import sales_reps

    page = sales_reps(Filters(), resolve_scope(MANAGER, duck), reader=duck)
    web = {
        row["Territory Code"]: (row["Sales In Budget Months"], row["Budget To Date"])
        for row in page["sales_vs_budget_by_territory"].to_dict("records")
    }
    expected = {
        territory: (sales, to_date)
        for territory, sales, to_date in duck.query(
            "select territory_code, sum(sales_amount), sum(budget_to_date_amount) "
            "from reporting.sales_vs_budget_monthly where budget_amount is not null "
            "and month_start_date <= '2026-01-15' group by territory_code",
            [],
        )
    }
    assert web == expected and len(web) > 1
    # all history's sales are more than the budget months' (the like-with-like trap)
    assert all(
        row["Sales"] > row["Sales In Budget Months"]
        for row in page["sales_vs_budget_by_territory"].to_dict("records")
    )


@pytest.fixture(scope="module")
def forgetful_duck(
    delivery: tuple[Path, Decimal], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DuckDBReader]:
    """The same delivery, but the CRM extract lacks a client who ordered, and the company reports in
    euros (SALESPULSE_CURRENCY=EUR, the symbol from CLDR)."""
    work = tmp_path_factory.mktemp("any-dates-unknown-client")
    shutil.copytree(delivery[0], work / "delivery")
    _forget_a_client(work / "delivery" / "customers.csv")
    saved = {k: os.environ.pop(k) for k in SETTINGS if k in os.environ}
    try:
        env = build_warehouse(
            work / "delivery",
            work,
            "duckdb",
            _env(SALESPULSE_DUCKDB_PATH=str(work / "unknown.duckdb"), SALESPULSE_CURRENCY="EUR"),
        )
    finally:
        os.environ.update(saved)
    reader = DuckDBReader(Path(env["SALESPULSE_DUCKDB_PATH"]))
    yield reader
    reader.close()


def test_the_unknown_customer_is_not_counted_as_a_client(forgetful_duck: DuckDBReader) -> None:
    """Lines of a client the CRM lacks land on the Unknown customer; Customers and New Customers count
    clients, so it is not one of them (as Power BI's measures, rendered from the same definition)."""
    duck = forgetful_duck
    unknown = _one(duck, "select count(*) from reporting.sales where customer_key = -1 and counts_as_sales")
    assert unknown > 0
    scope = resolve_scope(MANAGER, duck)
    for filters in (Filters(), Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))):
        where = "s.counts_as_sales and s.customer_key <> -1"
        params: list[object] = []
        if filters.date_from:
            where += " and s.order_date between ? and ?"
            params = [filters.date_from, filters.date_to]
        customers, new = duck.query(
            f"select count(distinct s.customer_key), "
            f"count(distinct case when s.customer_order_type = 'New' then s.customer_key end) "
            f"from reporting.sales s where {where}",
            params,
        )[0]
        web = evaluate(["Customers", "New Customers"], filters, scope, reader=duck).iloc[0]
        assert (web["Customers"], web["New Customers"]) == (customers, new)


def test_the_warehouse_currency_reaches_the_pages_and_their_exports(
    forgetful_duck: DuckDBReader, tmp_path: Path
) -> None:
    """A warehouse built in euros: reporting.settings says so, and the web's cards, Excel number
    formats and PDF write amounts with the euro sign, never the dollar."""
    from salespulse.web.ui.state import empty_state
    from web_testing import login, make_app

    assert forgetful_duck.query("select currency_code, currency_symbol from reporting.settings") == [
        ("EUR", "€")
    ]
    client = make_app(forgetful_duck, tmp_path).server.test_client()
    login(client, MANAGER)
    query = {"page": "overview", "state": json.dumps(empty_state())}
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/xlsx", query_string=query).data))
    formats = {cell.number_format for sheet in book for row in sheet.iter_rows() for cell in row}
    assert any('"€"' in form for form in formats) and not any("$" in form for form in formats)
    pdf = client.get("/export/pdf", query_string=query)
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "€" in text and "$" not in text
