"""Where the web dashboard's time went, kept away: a top N of clients (the Customer Details page's
client table) computes its dearer measures for the top clients only and ranks them without reading
the order lines, with the numbers of the full ranking. Outcomes are statements and numbers, never
timings (speed is ``make bench``'s: scripts/bench_browser.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from salespulse.semantic import load_model
from salespulse.web import Filters, Scope, evaluate, resolve_scope
from salespulse.web.query import measures as measures_module
from salespulse.web.query.measures import measure
from salespulse.web.query.readers import DuckDBReader, Reader
from salespulse.web.query.session import Session
from salespulse.web.query.sources import CLIENT_SOURCES, CLIENTS_DAILY, SOURCES, Available, Need, choose
from web_testing import LEAD, MANAGER, REP, Recording, publish_copy

#: The client table's measures (pages.CLIENT_MEASURES): sums, a distinct count, last year, ratios.
CLIENT_MEASURES = ["Sales", "Sales LY", "YoY %", "Orders", "Units", "Average Order Value", "Margin %"]
BY_KEY = [("Customer", "Customer Key")]
TOP = 25
LINES = 'from "reporting"."sales"'


@pytest.fixture(scope="module")
def reader(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBReader]:
    web = DuckDBReader(
        publish_copy(demo_duckdb["SALESPULSE_DUCKDB_PATH"], tmp_path_factory.mktemp("web-speed"))
    )
    yield web
    web.close()


def records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in frame.itertuples(index=False)]


def top_clients(reader: Reader | Session, filters: Filters, scope: Scope) -> pd.DataFrame:
    return evaluate(CLIENT_MEASURES, filters, scope, by=BY_KEY, order_by="Sales", top=TOP, reader=reader)


def full_ranking_top(
    reader: Reader, filters: Filters, scope: Scope, monkeypatch: pytest.MonkeyPatch
) -> pd.DataFrame:
    """Every client's measures, sorted by Sales, cut at ``TOP``: what the client table showed."""
    with monkeypatch.context() as patch:
        patch.setattr(measures_module, "NARROW_MAX", 0)  # no narrowing: every client is computed
        every = evaluate(CLIENT_MEASURES, filters, scope, by=BY_KEY, order_by="Sales", reader=Session(reader))
    return every.head(TOP).reset_index(drop=True)


def states(reader: Reader) -> list[Filters]:
    (as_of,) = reader.query("select max(date_day) from reporting.dates where is_on_or_before_as_of")[0]
    year = as_of.year
    (category,) = reader.query("select min(category_name) from reporting.products where product_key <> -1")[0]
    return [
        Filters(),
        Filters(date_from=date(year - 1, 1, 1), date_to=date(year - 1, 12, 31)),
        Filters(regions=("Europe",)),
        Filters(date_from=date(year - 1, 3, 5), date_to=date(year, 2, 10), categories=(category,)),
        Filters(client_types=("Business",), date_from=date(year, 1, 1), date_to=as_of),
    ]


@pytest.mark.parametrize("email", [MANAGER, LEAD, REP])
def test_a_top_n_of_clients_equals_the_top_of_every_client(
    reader: Reader, email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scope = resolve_scope(email, reader)
    for filters in states(reader):
        want = full_ranking_top(reader, filters, scope, monkeypatch)
        got = top_clients(Session(reader), filters, scope)
        assert records(got) == records(want), (email, filters)
        assert list(got.columns) == list(want.columns)
        for got_row, want_row in zip(records(got), records(want), strict=True):
            assert [type(v) for v in got_row] == [type(v) for v in want_row]


def test_a_top_n_of_clients_computes_the_top_clients_only(reader: Reader) -> None:
    """The distinct count and last year's sales per client are computed for the top clients only
    (their keys bound), from the clients' daily sums, not once over every client's order lines:
    the 31 s of the client table at 10 M lines."""
    recording = Recording(reader)
    clients = top_clients(Session(recording), Filters(), Scope.manager())
    assert len(clients) == TOP
    assert not [sql for sql in recording.statements if LINES in sql]
    per_client = [sql for sql in recording.statements if '"web_client_sales_daily"' in sql]
    assert len(per_client) == 2  # the measures, and last year's sales
    for sql in per_client:
        assert '"customer_key" in (' in sql, sql
        assert sql.count("?") < TOP + 10  # the top clients' keys, not every client's


def test_clients_are_ranked_by_key_from_the_sales_bounds(reader: Reader) -> None:
    """Ranking clients by key reads the clients' sales bounds and the candidates' monthly sales,
    not the order lines (a pass over every line grouped by client)."""
    recording = Recording(reader)
    ranked = evaluate(["Sales"], Filters(), Scope.manager(), by=BY_KEY, top=TOP, reader=Session(recording))
    assert len(ranked) == TOP
    assert not [sql for sql in recording.statements if LINES in sql]
    assert any('"web_client_sales_monthly"' in sql for sql in recording.statements)
    want = reader.query(
        "select customer_key, sum(net_sales_amount) from reporting.sales "
        "group by 1 order by 2 desc, 1 limit ?",
        [TOP],
    )
    assert sorted(records(ranked)) == sorted((int(key), sales) for key, sales in want)


def test_a_build_before_the_client_aggregates_gives_the_same_top_clients(
    demo_duckdb: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse built before web_client_sales_monthly had the clients' keys and before
    web_client_sales_daily still answers, from the order lines, with the same numbers."""
    source = tmp_path / "old.duckdb"
    shutil.copyfile(demo_duckdb["SALESPULSE_DUCKDB_PATH"], source)
    with duckdb.connect(str(source)) as connection:
        columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns where table_schema = 'reporting' "
                "and table_name = 'web_client_sales_monthly' order by ordinal_position"
            ).fetchall()
            if name != "customer_key"
        ]
        connection.execute(
            "create or replace view reporting.web_client_sales_monthly as select "
            + ", ".join(columns)
            + " from marts.agg_web_client_sales_monthly"
        )
        connection.execute("drop view reporting.web_client_sales_daily")
    old = DuckDBReader(publish_copy(source, tmp_path / "published"))
    try:
        recording = Recording(old)
        got = top_clients(Session(recording), Filters(), Scope.manager())
        assert any(LINES in sql for sql in recording.statements)
        assert not any("web_client_sales_daily" in sql for sql in recording.statements)
        assert records(got) == records(full_ranking_top(old, Filters(), Scope.manager(), monkeypatch))
    finally:
        old.close()


def test_client_orders_are_summed_only_where_they_add_up() -> None:
    """A client's Orders come from the daily client sums only when the build's check says every
    order falls in one of their rows; else from the order lines. Their sums always may."""
    model = load_model()
    need = Need((measure("Orders"),), (), Filters(customer_keys=(42,)), Scope.manager(), ((None, None),))
    every = (*SOURCES, *CLIENT_SOURCES)
    trusted = Available(every, orders_add_up=True, client_orders_add_up=True)
    doubtful = Available(every, orders_add_up=True, client_orders_add_up=False)
    assert choose(measure("Orders"), need, trusted, model, None, None, every) is CLIENTS_DAILY
    assert choose(measure("Orders"), need, doubtful, model, None, None, every) is None
    assert choose(measure("Sales"), need, doubtful, model, None, None, every) is CLIENTS_DAILY
    # a filter the daily client sums do not have (a campaign): the order lines
    campaign = Need(
        (measure("Sales"),),
        (),
        Filters(customer_keys=(42,), campaign_keys=(7,)),
        Scope.manager(),
        ((None, None),),
    )
    assert choose(measure("Sales"), campaign, trusted, model, None, None, every) is None
