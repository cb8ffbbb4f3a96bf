"""The analytics pages' data (Forecast, Clients, campaign effectiveness) against the analytics
reporting views' own SQL, for every role: numbers, series choice, filters, row-level security on
every statement, and the same pages on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from salespulse.web import Filters, Scope, resolve_scope
from salespulse.web.query.analytics import FILTERED_BY, honours
from salespulse.web.query.pages import PAGES
from salespulse.web.query.readers import DuckDBReader, Reader, open_reader
from warehouse_build import postgres_copy
from web_testing import ANALYTICS_VIEWS, LEAD, MANAGER, REP, Recording, forecast_copy, published_reader


@pytest.fixture(scope="module")
def reader(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBReader]:
    """The demo warehouse as built by `make demo` before `salespulse forecast`: no forecast."""
    yield from published_reader(demo_duckdb, tmp_path_factory.mktemp("wa"))


@pytest.fixture(scope="module")
def forecast_reader(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DuckDBReader]:
    """The demo warehouse after the forecast (total, categories and territories)."""
    env = forecast_copy(demo_duckdb, tmp_path_factory.mktemp("web-forecast"))
    yield from published_reader(env, tmp_path_factory.mktemp("wa-forecast"))


def rows(reader: Reader, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in reader.query(sql, list(params))]


def firsts(reader: Reader, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The first column of each row."""
    return [r[0] for r in reader.query(sql, list(params))]


def records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(None if v is pd.NA else v for v in r) for r in frame.itertuples(index=False)]


def ratio(numerator: Any, denominator: Any) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def scope_sql(reader: Reader, scope: Scope, alias: str = "v") -> tuple[str, list[Any]]:
    """The rows of Client Segments / Client Activity / Rep Acquisition a scope sees, written out."""
    if scope.role == "sales_rep":
        return f"{alias}.sales_rep_key = ?", [scope.sales_rep_key]
    if scope.role == "regional_lead":
        keys = firsts(
            reader, "select territory_key from reporting.territories where region_name = ?", [scope.region]
        )
        return f"{alias}.territory_key in ({', '.join('?' for _ in keys)})", keys
    return "1 = 1", []


def series_sql(reader: Reader, scope: Scope) -> tuple[str, list[Any]]:
    """The forecast series a scope sees, written out: a rep's territory, a lead's region's."""
    if scope.role == "manager":
        return "1 = 1", []
    if scope.role == "sales_rep":
        codes = firsts(
            reader,
            "select territory_code from reporting.sales_reps where sales_rep_key = ?",
            [scope.sales_rep_key],
        )
    else:
        codes = firsts(
            reader, "select territory_code from reporting.territories where region_name = ?", [scope.region]
        )
    return f"series_level = 'territory' and territory_code in ({', '.join('?' for _ in codes)})", codes


def scopes(reader: Reader) -> list[Scope]:
    return [resolve_scope(email, reader) for email in (MANAGER, LEAD, REP)]


# --------------------------------------------------------------------------- forecast


def test_the_forecast_page_before_any_forecast_shows_the_history(reader: Reader) -> None:
    manager = resolve_scope(MANAGER, reader)
    page = PAGES["Forecast"](Filters(), manager, reader=reader)
    assert page["series"]["Series Key"].tolist() == [
        "total:All",
        "category:Accessories",
        "category:Bikes",
        "category:Clothing",
        "category:Components",
    ]
    assert page["series"]["Selected"].tolist() == [True, False, False, False, False]
    months = page["forecast_by_month"]
    assert records(months[["Month Start Date", "Forecast Actual"]]) == rows(
        reader,
        "select month_start_date, actual_amount from reporting.sales_forecast "
        "where series_level = 'total' order by month_start_date",
    )
    assert months["Forecast"].isna().all() and months["Forecast Upper 95"].isna().all()
    assert page["backtest"].empty
    kpis = page["kpis"].iloc[0]
    projected, budget = rows(
        reader,
        "select projected_full_year_amount, budget_amount from reporting.sales_forecast_yearly "
        "where series_level = 'total' and is_budget_year",
    )[0]
    assert (kpis["Projected Full Year"], kpis["Projected Budget"]) == (projected, budget) != (None, None)
    assert kpis["Backtest MAPE %"] is None and kpis["Baseline MAPE %"] is None


def test_every_forecast_series_equals_the_views(forecast_reader: Reader) -> None:
    reader = forecast_reader
    manager = resolve_scope(MANAGER, reader)
    offered = PAGES["Forecast"](Filters(), manager, reader=reader)["series"]
    assert len(offered) == 15 and set(offered["Series Level"]) == {"total", "category", "territory"}
    yearly = {
        (r[0], r[1]): r[2:]
        for r in rows(
            reader,
            "select series_level, series_member, projected_full_year_amount, budget_amount, "
            "projected_vs_budget_amount, projected_attainment_pct from reporting.sales_forecast_yearly "
            "where is_budget_year",
        )
    }
    backtest = {
        (r[0], r[1], r[2]): r[3:]
        for r in rows(
            reader,
            "select series_level, series_member, is_baseline, mape_pct, bias_pct, coverage_80_pct, "
            "coverage_95_pct, beats_baseline from reporting.forecast_backtest",
        )
    }
    for key, level, member in offered[["Series Key", "Series Level", "Series"]].itertuples(index=False):
        page = PAGES["Forecast"](Filters(), manager, reader=reader, series=key)
        assert page["series"].loc[page["series"]["Selected"], "Series Key"].tolist() == [key]
        # the chart's months are the view's rows of the series
        assert records(page["forecast_by_month"].drop(columns="Series")) == rows(
            reader,
            "select month_start_date, month_status, actual_amount, forecast_amount, lower_80_amount, "
            "upper_80_amount, lower_95_amount, upper_95_amount from reporting.sales_forecast "
            "where series_level = ? and series_member = ? order by month_start_date",
            [level, member],
        )
        assert page["forecast_by_month"]["Forecast"].notna().sum() == 12
        kpis = page["kpis"].iloc[0]
        assert tuple(kpis[list(page["kpis"].columns[:4])]) == yearly[(level, member)]
        assert kpis["Backtest MAPE %"] == backtest[(level, member, False)][0]
        assert kpis["Baseline MAPE %"] == backtest[(level, member, True)][0]
    page = PAGES["Forecast"](Filters(), manager, reader=reader)
    by_series = page["projected_vs_budget"]
    assert {(k.split(":")[0], m): tuple(v) for k, m, *v in records(by_series.drop(columns="Year"))} == {
        key: values for key, values in yearly.items() if values[0] is not None or values[1] is not None
    }
    table = page["backtest"]
    assert len(table) == 15
    for key, member, model_mape, base_mape, bias, cov80, cov95, beats, *_ in records(table):
        level = key.split(":")[0]
        assert (model_mape, bias, cov80, cov95, beats) == backtest[(level, member, False)][:5]
        assert base_mape == backtest[(level, member, True)][0]


def test_the_filters_pick_the_series(forecast_reader: Reader) -> None:
    reader = forecast_reader
    manager = resolve_scope(MANAGER, reader)

    def offered(filters: Filters, series: str | None = None) -> tuple[list[str], list[str]]:
        page = PAGES["Forecast"](filters, manager, reader=reader, series=series)
        frame = page["series"]
        return frame["Series Key"].tolist(), frame.loc[frame["Selected"], "Series Key"].tolist()

    assert offered(Filters(categories=("Bikes",))) == (["category:Bikes"], ["category:Bikes"])
    assert offered(Filters(categories=("Bikes", "Clothing")), "category:Clothing") == (
        ["category:Bikes", "category:Clothing"],
        ["category:Clothing"],
    )
    europe = ["territory:DE", "territory:FR", "territory:GB"]
    assert offered(Filters(regions=("Europe",)), "total:All") == (europe, ["territory:DE"])
    assert offered(Filters(territory_codes=("FR",))) == (["territory:FR"], ["territory:FR"])
    # a category and a region: no series is both (Power BI's blank)
    nothing = PAGES["Forecast"](Filters(categories=("Bikes",), regions=("Europe",)), manager, reader=reader)
    assert all(frame.empty for name, frame in nothing.items() if name != "kpis")
    assert records(nothing["kpis"]) == [(None,) * 6]
    # filters without a column in the forecast views do not change it
    clients = PAGES["Forecast"](
        Filters(client_types=("Business",), date_from=date(2024, 1, 1)), manager, reader=reader
    )
    everything = PAGES["Forecast"](Filters(), manager, reader=reader)
    assert all(records(clients[n]) == records(everything[n]) for n in everything)


def test_forecast_scope_reps_and_leads_see_their_territories_only(forecast_reader: Reader) -> None:
    reader = forecast_reader
    for scope in scopes(reader)[1:]:
        where, params = series_sql(reader, scope)
        visible = rows(
            reader,
            "select distinct series_level || ':' || series_member from reporting.sales_forecast "
            f"where {where}",
            params,
        )
        expected = sorted(r[0] for r in visible)
        assert expected and all(key.startswith("territory:") for key in expected)
        for asked in (None, "total:All", "category:Bikes", "territory:US-C", expected[-1]):
            page = PAGES["Forecast"](Filters(), scope, reader=reader, series=asked)
            assert page["series"]["Series Key"].tolist() == expected
            chosen = page["series"].loc[page["series"]["Selected"], "Series Key"].tolist()
            assert chosen == ([asked] if asked in expected else [expected[0]])
            assert set(page["forecast_by_month"]["Series"]) == {chosen[0].split(":", 1)[1]}
            assert sorted(page["projected_vs_budget"]["Series Key"]) == expected
            assert sorted(page["backtest"]["Series Key"]) == expected
        # asking for another region's territory by filter: nothing
        other = "US-C"
        page = PAGES["Forecast"](Filters(territory_codes=(other,)), scope, reader=reader)
        assert page["series"].empty and page["forecast_by_month"].empty


# --------------------------------------------------------------------------- clients

CLIENT_FILTERS = [
    Filters(),
    Filters(client_types=("Business",), date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)),
    Filters(regions=("Europe",), industries=("Retail", "Consumer")),
    Filters(territory_codes=("DE", "US-C"), date_from=date(2023, 7, 1)),
]


def filter_sql(filters: Filters, alias: str, *, customer: bool, months: bool) -> tuple[str, list[Any]]:
    """The page filters on a client view, written out (``customer``: the view has client columns)."""
    parts, params = ["1 = 1"], []
    if customer and filters.client_types:
        parts.append(f"{alias}.customer_type in ({', '.join('?' for _ in filters.client_types)})")
        params += filters.client_types
    if customer and filters.industries:
        parts.append(f"{alias}.industry in ({', '.join('?' for _ in filters.industries)})")
        params += filters.industries
    if filters.regions:
        parts.append(f"{alias}.region_name in ({', '.join('?' for _ in filters.regions)})")
        params += filters.regions
    if filters.territory_codes:
        parts.append(
            f"{alias}.territory_key in (select territory_key from reporting.territories "
            f"where territory_code in ({', '.join('?' for _ in filters.territory_codes)}))"
        )
        params += filters.territory_codes
    if filters.sales_rep_keys:
        parts.append(f"{alias}.sales_rep_key in ({', '.join('?' for _ in filters.sales_rep_keys)})")
        params += filters.sales_rep_keys
    if months and filters.date_from:
        parts.append(f"{alias}.month_start_date >= ?")
        params.append(filters.date_from)
    if months and filters.date_to:
        parts.append(f"{alias}.month_start_date <= ?")
        params.append(filters.date_to)
    return " and ".join(parts), params


def test_the_clients_page_equals_the_views(reader: Reader) -> None:
    for scope in scopes(reader):
        own, own_params = scope_sql(reader, scope)
        for filters in CLIENT_FILTERS:
            page = PAGES["Clients"](filters, scope, reader=reader)
            seg_where, seg_params = filter_sql(filters, "v", customer=True, months=False)
            where, params = f"{own} and {seg_where}", [*own_params, *seg_params]
            segments = f"from reporting.customer_segments v where {where}"
            clients, at_risk, amount, evaluated = rows(
                reader,
                "select count(*), sum(case when is_at_risk then 1 else 0 end), "
                "sum(case when is_at_risk then annual_sales_at_risk_amount end), "
                f"sum(case when is_at_risk_evaluated then 1 else 0 end) {segments}",
                params,
            )[0]
            act_where, act_params = filter_sql(filters, "v", customer=True, months=True)
            new, lost = rows(
                reader,
                "select sum(new_clients), sum(lost_clients) from reporting.customer_activity_monthly v "
                f"where {own} and {act_where}",
                [*own_params, *act_params],
            )[0]
            kpis = page["kpis"].iloc[0]
            assert clients > 0 and at_risk > 0, (scope, filters)
            assert kpis["Segmented Clients"] == clients
            assert kpis["At-Risk Clients"] == at_risk  # the count of is_at_risk for the scope
            assert kpis["Sales At Risk"] == amount
            assert kpis["At-Risk %"] == ratio(at_risk, evaluated)
            assert (kpis["New Clients"], kpis["Lost Clients"]) == (new, lost)
            by_segment = rows(
                reader,
                "select rfm_segment, count(*) "
                f"{segments} group by rfm_segment, rfm_segment_order order by rfm_segment_order",
                params,
            )
            assert records(page["clients_by_segment"][["RFM Segment", "Segmented Clients"]]) == by_segment
            by_type = rows(
                reader,
                f"select rfm_segment, customer_type, count(*) {segments} "
                "group by rfm_segment, rfm_segment_order, customer_type "
                "order by rfm_segment_order, customer_type",
                params,
            )
            assert records(page["segments_by_client_type"]) == by_type
            by_month = rows(
                reader,
                "select d.year_month_name, sum(v.new_clients), sum(v.returning_clients), "
                "sum(v.reactivated_clients), sum(v.lost_clients) "
                "from reporting.customer_activity_monthly v join reporting.dates d "
                f"on v.month_date_key = d.date_key where {own} and {act_where} "
                "group by d.year_month_name, d.year_month_sort order by d.year_month_sort",
                [*own_params, *act_params],
            )
            assert records(page["client_activity_by_month"]) == by_month
            acq_where, acq_params = filter_sql(filters, "v", customer=False, months=True)
            acquired = dict(
                rows(
                    reader,
                    "select sales_rep_key, sum(new_clients) from reporting.rep_acquisition_monthly v "
                    f"where {own} and {acq_where} group by sales_rep_key",
                    [*own_params, *acq_params],
                )
            )
            reps = page["clients_acquired_by_rep"]
            # only reps who acquired clients (the view lists every rep, managers and Unassigned too)
            assert dict(zip(reps["Sales Rep Key"], reps["Clients Acquired"], strict=True)) == {
                rep: count for rep, count in acquired.items() if count
            }
            assert list(reps["Clients Acquired"]) == sorted(reps["Clients Acquired"], reverse=True)
            table = page["at_risk_clients"]
            risky = rows(
                reader,
                f"select customer_key, annual_sales_at_risk_amount, at_risk_reason {segments} and is_at_risk",
                params,
            )
            assert len(table) == len(risky) == at_risk
            assert {
                (k, a, r) for k, a, r in records(table[["Customer Key", "Sales At Risk", "At Risk Reason"]])
            } == set(risky)
            assert list(table["Sales At Risk"]) == sorted(table["Sales At Risk"], reverse=True)
        if scope.role == "sales_rep":
            assert set(
                PAGES["Clients"](Filters(), scope, reader=reader)["clients_acquired_by_rep"]["Sales Rep Key"]
            ) == {scope.sales_rep_key}


def test_client_filters_apply_where_the_view_has_the_column(reader: Reader) -> None:
    manager = resolve_scope(MANAGER, reader)
    customer = rows(
        reader,
        "select customer_key from reporting.customer_segments where is_at_risk "
        "order by annual_sales_at_risk_amount desc limit 1",
    )[0][0]
    page = PAGES["Clients"](Filters(customer_keys=(customer,)), manager, reader=reader)
    assert page["kpis"].iloc[0]["Segmented Clients"] == 1 and page["at_risk_clients"][
        "Customer Key"
    ].tolist() == [customer]
    everything = PAGES["Clients"](Filters(), manager, reader=reader)
    # activity and acquisition have no client column: a client filter does not apply to them
    assert records(page["client_activity_by_month"]) == records(everything["client_activity_by_month"])
    assert not honours("Clients", "client_activity_by_month", "customer_keys")
    assert honours("Clients", "clients_acquired_by_rep", "date_from") and not honours(
        "Clients", "at_risk_clients", "date_from"
    )
    assert honours("Sales Overview", "kpis", "customer_keys")  # the order-line pages: every filter


# --------------------------------------------------------------------------- campaigns


def test_campaign_effectiveness_equals_the_view_for_every_role(reader: Reader) -> None:
    view = {
        r[0]: r[1:]
        for r in rows(
            reader,
            "select campaign_key, net_sales_amount, expected_net_sales_amount, incremental_net_sales_amount, "
            "sales_uplift, new_clients, orders, units from reporting.campaign_effectiveness",
        )
    }
    first = None
    for scope in scopes(reader):
        page = PAGES["Campaigns"](Filters(), scope, reader=reader)
        table = page["campaign_effectiveness"]
        assert first is None or records(table) == first  # company-wide: the same for every role
        first = records(table)
        assert set(table["Campaign Key"]) == set(view)
        for row in table.to_dict("records"):
            window, expected, incremental, uplift, new, orders, units = view[row["Campaign Key"]]
            assert (row["Campaign Window Sales"], row["Campaign Expected Sales"]) == (window, expected)
            assert row["Campaign Incremental Sales"] == incremental
            assert row["Campaign Sales Uplift %"] == uplift  # the sales_uplift column for one campaign
            window_counts = (row["Campaign New Clients"], row["Window Orders"], row["Window Units"])
            assert window_counts == (new, orders, units)
        uplifts = [u for u in table["Campaign Sales Uplift %"] if u is not None]
        assert uplifts == sorted(uplifts, reverse=True) and len(uplifts) > 5
        kpis = page["kpis"].iloc[0]
        assert kpis["Campaign Incremental Sales"] == sum(v[2] for v in view.values() if v[2] is not None)
        with_baseline = sum(v[0] for v in view.values() if v[1] is not None)
        assert kpis["Campaign Sales Uplift %"] == ratio(
            with_baseline, sum(v[1] for v in view.values() if v[1] is not None)
        )
    campaign = next(iter(view))
    one = PAGES["Campaigns"](Filters(campaign_keys=(campaign,)), resolve_scope(REP, reader), reader=reader)
    assert one["campaign_effectiveness"]["Campaign Key"].tolist() == [campaign]


# --------------------------------------------------------------------------- row-level security


def test_every_analytics_statement_carries_the_scope(forecast_reader: Reader) -> None:
    """Each statement on an analytics view binds the rep's key (a rep) or the region (a lead);
    campaign effectiveness is the one company-wide view."""
    for email in (REP, LEAD):
        recording = Recording(forecast_reader)
        scope = resolve_scope(email, forecast_reader)
        for name in ("Forecast", "Clients", "Campaigns"):
            for filters in (Filters(), Filters(regions=("Europe",), categories=("Bikes",))):
                PAGES[name](
                    filters,
                    scope,
                    reader=recording,
                    **({"series": "total:All"} if name == "Forecast" else {}),
                )
        analytics = [
            (sql, params)
            for sql, params in recording.bound
            if any(f'"reporting"."{v}"' in sql for v in ANALYTICS_VIEWS)
        ]
        assert len(analytics) >= 10
        for sql, params in analytics:
            if scope.role == "sales_rep":
                assert "sales_rep_key" in sql and scope.sales_rep_key in params, sql
            else:
                assert "region_name" in sql and scope.region in params, sql
            if "sales_forecast" in sql or "forecast_backtest" in sql:
                assert "series_level" in sql and "territory" in params, sql
        company = [sql for sql in recording.statements if '"reporting"."campaign_effectiveness"' in sql]
        assert company and all("sales_rep_key" not in sql for sql in company)
    with pytest.raises(TypeError, match="row-level security"):
        PAGES["Clients"](Filters(), None, reader=forecast_reader)  # type: ignore[arg-type]


def test_a_rep_sees_only_their_own_clients(reader: Reader) -> None:
    rep = resolve_scope(REP, reader)
    owned = set(
        firsts(
            reader,
            "select customer_key from reporting.customers where sales_rep_key = ?",
            [rep.sales_rep_key],
        )
    )
    page = PAGES["Clients"](Filters(), rep, reader=reader)
    assert set(page["at_risk_clients"]["Customer Key"]) <= owned
    assert page["kpis"].iloc[0]["Segmented Clients"] == len(
        owned & {r[0] for r in rows(reader, "select customer_key from reporting.customer_segments")}
    )
    other = rows(
        reader,
        "select customer_key from reporting.customer_segments "
        "where sales_rep_key not in (?, -1) and is_at_risk limit 1",
        [rep.sales_rep_key],
    )[0][0]
    mine = PAGES["Clients"](Filters(customer_keys=(other,)), rep, reader=reader)
    assert mine["at_risk_clients"].empty and mine["kpis"].iloc[0]["Segmented Clients"] is None


def test_filters_that_match_nothing_show_nothing_where_they_apply(reader: Reader) -> None:
    manager = resolve_scope(MANAGER, reader)
    for field in ("regions", "territory_codes", "categories", "client_types", "industries"):
        filters = Filters(**{field: ("x' or '1'='1",)})
        for name in ("Forecast", "Clients", "Campaigns"):
            for dataset, frame in PAGES[name](filters, manager, reader=reader).items():
                if (name, dataset) in FILTERED_BY and honours(name, dataset, field) and dataset != "kpis":
                    assert frame.empty, (name, dataset, field)


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_the_analytics_pages_on_postgres_equal_duckdb(
    demo_postgres: dict[str, str],
    demo_delivery: Path,
    pg_cluster: object,
    forecast_reader: Reader,
    tmp_path: Path,
) -> None:
    """The demo on PostgreSQL after the same forecast: every analytics page, every role, equal."""
    from salespulse.forecast.run import forecast_and_build

    env = postgres_copy(pg_cluster, demo_postgres, demo_delivery, tmp_path, "salespulse_web_forecast")
    forecast_and_build("postgres", env, min_territory_orders=1)
    pg = open_reader("postgres", {**os.environ, **env})
    try:
        for email in (MANAGER, LEAD, REP):
            duck_scope, pg_scope = resolve_scope(email, forecast_reader), resolve_scope(email, pg)
            for name in ("Forecast", "Clients", "Campaigns"):
                for filters in (Filters(), Filters(date_from=date(2023, 7, 1), client_types=("Business",))):
                    options = {"series": "territory:DE"} if name == "Forecast" else {}
                    duck = PAGES[name](filters, duck_scope, reader=forecast_reader, **options)
                    postgres = PAGES[name](filters, pg_scope, reader=pg, **options)
                    for dataset, frame in duck.items():
                        assert records(frame) == records(postgres[dataset]), (email, name, dataset)
    finally:
        pg.close()  # type: ignore[attr-defined]
