"""The web dashboard's aggregates (models/marts/web, read through reporting.web_*): every page gives
the numbers of reporting.sales itself, for every role and many filters, with few statements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import pytest

from salespulse.semantic import load_model
from salespulse.web import Filters, Scope, evaluate, resolve_scope
from salespulse.web.query.measures import measure
from salespulse.web.query.pages import PAGES, page_data
from salespulse.web.query.readers import DuckDBReader, Reader
from salespulse.web.query.session import Session
from salespulse.web.query.sources import (
    CUSTOMER_ACTIVITY,
    CUSTOMER_LINES,
    DAILY,
    NONE,
    SOURCES,
    Available,
    Need,
    choose,
    month_masks,
    whole_months,
)
from web_testing import ANALYTICS_VIEWS, LEAD, MANAGER, REP, Recording, published_reader


@pytest.fixture(scope="module")
def reader(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBReader]:
    yield from published_reader(demo_duckdb, tmp_path_factory.mktemp("web-aggregates"))


def one(reader: Reader, sql: str, params: Sequence[Any] = ()) -> Any:
    return reader.query(sql, list(params))[0][0]


def records(frames: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {name: [tuple(row) for row in frame.itertuples(index=False)] for name, frame in frames.items()}


def filter_states(reader: Reader) -> list[Filters]:
    """Slicer states of every kind: whole months and odd dates, one and two categories, columns
    some aggregates lack (subcategory, industry, city, campaign)."""

    def first(sql: str) -> Any:
        return one(reader, sql)

    as_of = first("select max(date_day) from reporting.dates where is_on_or_before_as_of")
    year = as_of.year
    category = first("select min(category_name) from reporting.products where product_key <> -1")
    categories = tuple(r[0] for r in reader.query("select distinct category_name from reporting.products"))
    rep = first("select min(sales_rep_key) from reporting.sales_reps where sales_rep_key <> -1")
    return [
        Filters(),
        Filters(date_from=date(year, 1, 1), date_to=date(year, 12, 31)),
        Filters(date_from=date(year - 1, as_of.month, 1), date_to=as_of, client_types=("Business",)),
        Filters(date_from=date(year, 3, 5), date_to=date(year, 6, 17)),
        Filters(categories=(category,), regions=("Europe",)),
        Filters(categories=categories[:2], date_from=date(year - 1, 1, 1), date_to=date(year - 1, 12, 31)),
        Filters(sales_rep_keys=(rep,), date_from=date(year - 1, 7, 1)),
        Filters(subcategories=("Mountain Bikes",)),
        Filters(industries=("Retail",), date_from=date(year, 2, 1), date_to=date(year, 2, 29)),
        Filters(
            campaign_keys=(first("select min(campaign_key) from reporting.campaigns where is_campaign"),)
        ),
        Filters(geography_keys=(first("select min(geography_key) from reporting.geography"),)),
        Filters(date_from=date(year + 1, 1, 1)),  # after the as-of date: nothing
    ]


@pytest.mark.parametrize("email", [MANAGER, LEAD, REP])
def test_every_page_from_aggregates_equals_the_order_lines(reader: Reader, email: str) -> None:
    """The same datasets, value for value and type for type, as when every order-line measure is
    read from reporting.sales; the client and product pages for a big client, a small one and a
    product."""
    scope = resolve_scope(email, reader)
    states = filter_states(reader)
    clients = [
        one(reader, "select customer_key from reporting.sales group by 1 order by count(*) desc limit 1"),
        one(reader, "select customer_key from reporting.sales group by 1 order by count(*), 1 limit 1"),
    ]
    product = one(reader, "select product_key from reporting.sales group by 1 order by count(*) desc limit 1")
    for name in PAGES:
        for i, state in enumerate(states):
            if name == "Customer Details":
                state = Filters(**{**state.__dict__, "customer_keys": (clients[i % 2],)})
            elif name == "Product Details":
                state = Filters(**{**state.__dict__, "product_keys": (product,)})
            fast = records(page_data(name, state, scope, reader=Session(reader)))
            slow = records(page_data(name, state, scope, reader=Session(reader, aggregates=False)))
            assert fast == slow, (name, state)
            for dataset, rows in fast.items():
                for got, want in zip(rows, slow[dataset], strict=True):
                    assert [type(v) for v in got] == [type(v) for v in want], (name, dataset, state)


def test_measures_by_any_column_equal_the_order_lines(reader: Reader) -> None:
    manager = Scope.manager()
    cases = [
        (
            ["Sales", "Orders", "Customers", "New Customers", "Units", "Campaign Sales"],
            [("Date", "Year Month Name")],
        ),
        (
            ["Sales", "Orders", "Customers", "New Customers"],
            [("Product", "Category"), ("Territory", "Region")],
        ),
        (["Customers", "Orders", "Margin %"], [("Customer", "Client Type"), ("Sales Rep", "Sales Rep")]),
        (
            ["Sales LY", "Sales YTD", "YoY %", "Sales Run-Rate FY"],
            [("Date", "Year"), ("Product", "Category")],
        ),
        (["Sales", "Returning Customers", "Cancelled Sales"], [("Campaign", "Campaign")]),
    ]
    for measures, by in cases:
        for filters in filter_states(reader):
            fast = evaluate(measures, filters, manager, by=by, reader=Session(reader))
            slow = evaluate(measures, filters, manager, by=by, reader=Session(reader, aggregates=False))
            assert fast.equals(slow), (measures, by, filters)
            top = evaluate(
                measures[:1], filters, manager, by=[("Customer", "Client")], top=7, reader=Session(reader)
            )
            assert top.equals(
                evaluate(
                    measures[:1],
                    filters,
                    manager,
                    by=[("Customer", "Client")],
                    top=7,
                    reader=Session(reader, aggregates=False),
                )
            ), (measures[:1], filters)


def test_pages_read_aggregates_with_few_statements(reader: Reader) -> None:
    """After a filter change, the overview reads no order line and every page runs a handful of
    statements (lookups of the build are read once)."""
    recording = Recording(reader)
    manager = resolve_scope(MANAGER, reader)
    page_data("Sales Overview", Filters(), manager, reader=recording)  # warm the build's lookups
    for name in PAGES:
        recording.statements.clear()
        filters = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31), regions=("Europe",))
        page_data(name, filters, manager, reader=recording)
        assert len(recording.statements) <= 12, (name, recording.statements)
        if name in ("Sales Overview", "Sales Reps", "Campaigns"):
            assert not any('"reporting"."sales" as s' in sql for sql in recording.statements), name


def test_a_sales_reps_statements_all_carry_the_scope(reader: Reader) -> None:
    """Row-level security on every source: each statement on sales facts filters on the rep."""
    recording = Recording(reader)
    scope = resolve_scope(REP, reader)
    for name in PAGES:
        page_data(name, Filters(regions=("Europe",)), scope, reader=recording)
    facts = [
        sql for sql in recording.statements if '"reporting"."sales"' in sql or '"reporting"."web_' in sql
    ]
    assert facts
    for sql in facts:
        if "web_sales_checks" in sql or "web_big_clients" in sql or "information_schema" in sql:
            continue
        assert "sales_rep_key" in sql, sql
    # the analytics pages' views too (campaign effectiveness is company-wide for every role)
    analytics = [
        sql for sql in recording.statements if any(f'"reporting"."{v}"' in sql for v in ANALYTICS_VIEWS)
    ]
    assert len(analytics) >= 10
    for sql in analytics:
        assert "sales_rep_key" in sql, sql
        if "forecast" in sql:
            assert "series_level" in sql, sql
    assert any('"reporting"."campaign_effectiveness"' in sql for sql in recording.statements)


def test_a_count_that_does_not_add_up_is_read_from_the_order_lines() -> None:
    """An order spread over two days (or clients) would be counted twice in the daily aggregate:
    when the build's check says so, Orders and New Customers come from the order lines."""
    model = load_model()
    need = Need((measure("Orders"),), (), Filters(), Scope.manager(), ((None, None),))
    trusted = Available(SOURCES, orders_add_up=True, new_customers_add_up=True)
    assert choose(measure("Orders"), need, trusted, model, date(2022, 1, 1), date(2024, 12, 31)) is DAILY
    doubtful = Available(SOURCES, orders_add_up=False, new_customers_add_up=True)
    assert choose(measure("Orders"), need, doubtful, model, date(2022, 1, 1), date(2024, 12, 31)) is None
    assert choose(measure("Orders"), need, NONE, model, date(2022, 1, 1), date(2024, 12, 31)) is None
    # two categories: an order with lines in both would count twice over the category rows
    two = Need(
        (measure("Orders"),), (), Filters(categories=("Bikes", "Clothing")), Scope.manager(), ((None, None),)
    )
    assert choose(measure("Orders"), two, trusted, model, date(2022, 1, 1), date(2024, 12, 31)) is None
    # client counts: whole months only, and never by date
    customers = measure("Customers")
    months = Need(
        (customers,), (), Filters(date_from=date(2024, 3, 1)), Scope.manager(), ((date(2024, 3, 1), None),)
    )
    assert (
        choose(customers, months, trusted, model, date(2022, 1, 1), date(2024, 12, 31)) is CUSTOMER_ACTIVITY
    )
    odd = Need(
        (customers,), (), Filters(date_from=date(2024, 3, 2)), Scope.manager(), ((date(2024, 3, 2), None),)
    )
    assert choose(customers, odd, trusted, model, date(2022, 1, 1), date(2024, 12, 31)) is None
    # the client lines hold some clients only
    lines = Need((measure("Sales"),), (), Filters(customer_keys=(42,)), Scope.manager(), ((None, None),))
    held = Available(SOURCES, members={CUSTOMER_LINES: frozenset({42})})
    assert choose(measure("Sales"), lines, held, model, None, None) is CUSTOMER_LINES
    assert choose(measure("Sales"), lines, Available(SOURCES), model, None, None) is None


def test_month_masks_and_whole_months() -> None:
    first = date(2022, 1, 1)
    assert month_masks(first, date(2022, 1, 1), date(2022, 3, 31)) == [0b111, 0]
    assert month_masks(first, date(2022, 3, 1), date(2022, 3, 31)) == [0b100, 0]
    assert month_masks(first, None, None) == [(1 << 62) - 1, (1 << 62) - 1]
    low, high = month_masks(first, date(2027, 2, 1), date(2027, 4, 30))  # months 61 to 63
    assert (low, high) == (1 << 61, 0b11)
    assert month_masks(first, date(2024, 5, 1), date(2024, 4, 30)) == [0, 0]
    assert whole_months(date(2024, 3, 1), date(2024, 2, 29)) and whole_months(None, None)
    assert not whole_months(date(2024, 3, 2), None) and not whole_months(None, date(2024, 2, 28))
