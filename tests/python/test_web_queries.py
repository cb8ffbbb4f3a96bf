"""The web dashboard's server side against the demo warehouse: every page query equals the
reporting layer's own SQL, the budget-grain rule, row-level security and hostile filter values."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pytest

from salespulse.web import AccessDenied, Filters, Scope, evaluate, resolve_scope
from salespulse.web.query.analytics import honours
from salespulse.web.query.pages import PAGES, filter_options
from salespulse.web.query.readers import DuckDBReader, Reader, open_reader
from salespulse.web.query.timeintel import previous_year, window
from web_testing import published_reader

MANAGER = "margaret.holloway@salespulse.example"  # VP Sales
LEAD = "sophie.laurent@salespulse.example"  # Regional Sales Manager, Europe
REP = "felix.braun@salespulse.example"  # Sales Representative, Germany
AS_OF = date(2024, 12, 31)
MONTHLY_GROUPS = [("Date", "Month Start Date"), ("Product", "Category"), ("Territory", "Territory Code")]
MONTHLY_MEASURES = ["Sales", "Budget", "Budget To Date", "Variance", "Attainment %"]


@pytest.fixture(scope="module")
def reader(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBReader]:
    """The web's reader of the demo warehouse, published through the hand-over (a copy: the
    session's file stays free for tests that open it read-write)."""
    yield from published_reader(demo_duckdb, tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def manager(reader: Reader) -> Scope:
    return resolve_scope(MANAGER, reader)


def rows(reader: Reader, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return reader.query(sql, list(params))


def one(reader: Reader, sql: str, params: Sequence[Any] = ()) -> Any:
    return rows(reader, sql, params)[0][0]


def records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(None if v is pd.NA else v for v in r) for r in frame.itertuples(index=False)]


def as_dict(frame: pd.DataFrame, keys: Sequence[str], value: str) -> dict[Any, Any]:
    return {
        tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r[value] for r in frame.to_dict("records")
    }


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator / denominator).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- the one definition


def assert_agrees_with_monthly_model(reader: Reader, scope: Scope) -> int:
    """The web's budget measures per month x category x territory (x rep, with rep quotas) are the
    monthly model's rows; returns how many budget rows were compared."""
    by_rep = "sales rep" in (one(reader, "select max(budget_grain) from reporting.budget") or "")
    groups = [*MONTHLY_GROUPS, *([("Sales Rep", "Employee ID")] if by_rep else [])]
    web = evaluate(MONTHLY_MEASURES, Filters(), scope, by=groups, reader=reader)
    width = len(groups)
    mine = {tuple(r[:width]): r[width:] for r in records(web)}
    rep = ", sales_rep_id" if by_rep else ""
    view = rows(
        reader,
        f"select month_start_date, category_name, territory_code{rep}, sales_amount, budget_amount, "
        "budget_to_date_amount, variance_amount, attainment_to_date_pct "
        "from reporting.sales_vs_budget_monthly",
    )
    assert len(view) > 400
    compared = 0
    for row in view:
        key, (sales, budget, to_date, variance, attainment) = tuple(row[:width]), row[width:]
        if key not in mine:  # a row the web shows nothing for: nothing to show in the view either
            assert (budget, to_date, variance, attainment) == (None, None, None, None), key
            assert sales in (None, 0), key
            continue
        web_sales, web_budget, web_to_date, web_variance, web_attainment = mine.pop(key)
        assert (web_budget, web_to_date, web_variance, web_attainment) == (
            budget,
            to_date,
            variance,
            attainment,
        ), key
        assert (web_sales or 0) == (sales or 0), key
        compared += budget is not None
    assert not mine, f"groups the monthly model does not have: {list(mine)[:5]}"
    return compared


def test_measures_agree_with_warehouse_monthly_model(reader: Reader, manager: Scope) -> None:
    """Budget, Budget To Date, Variance and Attainment % per month x category x territory are the
    warehouse's sales_vs_budget_monthly, to the last digit: one definition (measures.yml)."""
    compared = assert_agrees_with_monthly_model(reader, manager)
    assert compared == one(reader, "select count(*) from reporting.budget")


@pytest.mark.postgres
def test_measures_agree_with_warehouse_monthly_model_on_postgres(
    demo_postgres: dict[str, str], reader: Reader, manager: Scope
) -> None:
    pg = open_reader("postgres", {**os.environ, **demo_postgres})
    try:
        assert assert_agrees_with_monthly_model(pg, manager) > 400
        # and every page gives the same numbers on both targets
        lead = resolve_scope(LEAD, pg)
        for scope in (manager, lead):
            for name, page in PAGES.items():
                filters = Filters(date_from=date(2023, 7, 1))
                duck, postgres = page(filters, scope, reader=reader), page(filters, scope, reader=pg)
                for dataset, frame in duck.items():
                    assert records(frame) == records(postgres[dataset]), (name, dataset)
    finally:
        pg.close()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- every page query


def test_sales_overview_equals_the_reporting_views(reader: Reader, manager: Scope) -> None:
    page = PAGES["Sales Overview"](Filters(), manager, reader=reader)
    total = one(reader, "select sum(net_sales_amount) from reporting.sales")
    budget = one(reader, "select sum(budget_amount) from reporting.budget")
    to_date = one(reader, "select sum(budget_to_date_amount) from reporting.budget")
    ytd = one(
        reader,
        "select sum(net_sales_amount) from reporting.sales where order_date between ? and ?",
        [date(2024, 1, 1), AS_OF],
    )
    pytd = one(
        reader,
        "select sum(net_sales_amount) from reporting.sales where order_date between ? and ?",
        [date(2023, 1, 1), date(2023, 12, 31)],
    )
    # Attainment compares only the budget's months (2024 here) with the budget, not all history
    assert records(page["kpis"]) == [(total, budget, ratio(ytd, to_date), ytd, pytd, ytd)]  # 366 of 366 days

    by_month = rows(
        reader,
        "select d.year_month_name, sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.dates d on s.order_date_key = d.date_key group by d.year_month_name",
    )
    monthly = page["sales_vs_budget_by_month"]
    assert as_dict(monthly, ["Year Month Name"], "Sales") == dict(by_month)
    assert list(monthly["Year Month Name"][:2]) == ["Jan 2022", "Feb 2022"]  # calendar order
    budget_by_month = rows(
        reader,
        "select d.year_month_name, sum(b.budget_amount), sum(b.budget_to_date_amount) "
        "from reporting.budget b join reporting.dates d on b.budget_month_date_key = d.date_key "
        "group by d.year_month_name",
    )
    assert {k: v for k, v in as_dict(monthly, ["Year Month Name"], "Budget").items() if v is not None} == {
        m: b for m, b, _ in budget_by_month
    }
    assert {
        k: v for k, v in as_dict(monthly, ["Year Month Name"], "Budget To Date").items() if v is not None
    } == {m: t for m, _, t in budget_by_month}

    trend = rows(
        reader,
        "select d.year_number, d.month_name, sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.dates d on s.order_date_key = d.date_key where d.relative_year between -2 and 0 "
        "group by d.year_number, d.month_name",
    )
    assert as_dict(page["sales_trend"], ["Year", "Month"], "Sales") == {(y, m): v for y, m, v in trend}
    assert list(page["sales_trend"]["Month"][:3]) == ["January", "February", "March"]

    clients = rows(
        reader,
        "select c.customer_label, sum(s.net_sales_amount) as amount from reporting.sales s "
        "join reporting.customers c on s.customer_key = c.customer_key "
        "group by c.customer_label order by amount desc limit 10",  # namesakes stay apart
    )
    assert records(page["top_10_clients"]) == clients
    products = rows(
        reader,
        "select p.product_name, p.category_name, sum(s.net_sales_amount) as amount from reporting.sales s "
        "join reporting.products p on s.product_key = p.product_key "
        "group by p.product_name, p.category_name order by amount desc limit 10",
    )
    assert records(page["top_10_products"]) == products
    categories = rows(
        reader,
        "select p.category_name, sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.products p on s.product_key = p.product_key group by p.category_name",
    )
    assert as_dict(page["sales_by_category"], ["Category"], "Sales") == dict(categories)
    cities = rows(
        reader,
        "select g.geography_key, g.city, g.region_name, g.country_name, g.latitude, g.longitude, "
        "sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.geography g on s.geography_key = g.geography_key "
        "group by g.geography_key, g.city, g.region_name, g.country_name, g.latitude, g.longitude",
    )
    assert sorted(records(page["sales_by_city"])) == sorted(cities)


def test_sales_reps_page_equals_the_reporting_views(reader: Reader, manager: Scope) -> None:
    page = PAGES["Sales Reps"](Filters(), manager, reader=reader)
    reps = page["sales_vs_budget_by_rep"]
    by_rep = rows(
        reader, "select sales_rep_key, sum(net_sales_amount) from reporting.sales group by sales_rep_key"
    )
    assert as_dict(reps, ["Sales Rep Key"], "Sales") == dict(by_rep)
    # the demo budget carries rep quotas: each rep's Budget is their quota, with an attainment
    assert one(reader, "select max(budget_grain) from reporting.budget") == (
        "month x category x territory x sales rep"
    )
    quotas = rows(
        reader, "select sales_rep_key, sum(budget_amount) from reporting.budget group by sales_rep_key"
    )
    assert {k: v for k, v in as_dict(reps, ["Sales Rep Key"], "Budget").items() if v is not None} == dict(
        quotas
    )
    with_quota = reps[reps["Budget"].notna()]
    assert len(with_quota) == len(quotas) > 1 and with_quota["Attainment %"].notna().all()
    attainment = [float(v) for v in with_quota["Attainment %"]]
    assert attainment == sorted(attainment)  # lowest attainment first
    new = rows(
        reader,
        "select r.full_name, count(distinct s.customer_key) from reporting.sales s "
        "join reporting.sales_reps r on s.sales_rep_key = r.sales_rep_key "
        "where s.customer_order_type = 'New' and s.customer_key <> -1 group by r.full_name",
    )
    assert as_dict(page["new_customers_by_rep"], ["Sales Rep"], "New Customers") == dict(new)
    over_time = rows(
        reader,
        "select r.full_name, d.year_number, d.quarter_name, d.month_name, sum(s.net_sales_amount) "
        "from reporting.sales s join reporting.sales_reps r on s.sales_rep_key = r.sales_rep_key "
        "join reporting.dates d on s.order_date_key = d.date_key group by all",
    )
    assert as_dict(page["sales_by_rep_over_time"], ["Sales Rep", "Year", "Quarter", "Month"], "Sales") == {
        tuple(r[:4]): r[4] for r in over_time
    }
    territories = rows(
        reader,
        "select territory_code, sum(sales_amount), sum(budget_amount), sum(budget_to_date_amount), "
        # what is compared with the budget: the sales of the months the budget covers
        "sum(case when month_start_date between (select min(budget_month) from reporting.budget) "
        "and (select max(budget_month) from reporting.budget) then sales_amount end) "
        "from reporting.sales_vs_budget_monthly group by territory_code "
        "having sum(budget_amount) is not null",
    )
    web = {r["Territory Code"]: r for r in page["sales_vs_budget_by_territory"].to_dict("records")}
    for code, sales, budget, to_date, budgeted_sales in territories:
        assert (web[code]["Sales"], web[code]["Budget"], web[code]["Budget To Date"]) == (
            sales,
            budget,
            to_date,
        )
        assert web[code]["Attainment %"] == ratio(budgeted_sales, to_date)
        assert web[code]["Variance"] == budgeted_sales - to_date


def busiest(reader: Reader, column: str) -> int:
    return one(
        reader,
        f"select {column} from reporting.sales group by {column} order by count(*) desc, {column} limit 1",
    )


def test_customer_details_page_equals_the_client_rows(reader: Reader, manager: Scope) -> None:
    client = busiest(reader, "customer_key")
    page = PAGES["Customer Details"](Filters(customer_keys=(client,)), manager, reader=reader)
    sales, orders, units = rows(
        reader,
        "select sum(net_sales_amount), count(distinct case when counts_as_sales then order_number end), "
        "sum(sales_quantity) from reporting.sales where customer_key = ?",
        [client],
    )[0]
    kpis = page["kpis"].iloc[0]
    assert (kpis["Sales"], kpis["Orders"], kpis["Units"]) == (sales, orders, units)
    assert kpis["Average Order Value"] == ratio(sales, Decimal(orders))
    detail = page["clients"]
    assert list(detail["Customer Key"]) == [client]
    assert detail["Client"][0] == one(
        reader, "select customer_label from reporting.customers where customer_key = ?", [client]
    )
    lines = rows(
        reader,
        "select order_date, order_number, line_number, sales_quantity, net_sales_amount from reporting.sales "
        "where customer_key = ? order by order_date desc, order_number, line_number",
        [client],
    )
    shown = page["order_lines"]
    assert records(shown[["Order Date", "Order Number", "Line Number", "Units", "Sales"]]) == lines
    bought = rows(
        reader,
        "select p.product_name, sum(s.sales_quantity) from reporting.sales s "
        "join reporting.products p on s.product_key = p.product_key where s.customer_key = ? group by all",
        [client],
    )
    assert as_dict(page["products_bought"], ["Product"], "Units") == dict(bought)
    # without a client the drill-through page lists no order lines
    assert PAGES["Customer Details"](Filters(), manager, reader=reader)["order_lines"].empty


def test_product_details_page_equals_the_product_rows(reader: Reader, manager: Scope) -> None:
    product = busiest(reader, "product_key")
    page = PAGES["Product Details"](Filters(product_keys=(product,)), manager, reader=reader)
    sales, units, customers = rows(
        reader,
        "select sum(net_sales_amount), sum(sales_quantity), "
        "count(distinct case when counts_as_sales and customer_key <> -1 then customer_key end) "
        "from reporting.sales where product_key = ?",
        [product],
    )[0]
    kpis = page["kpis"].iloc[0]
    assert (kpis["Sales"], kpis["Units"], kpis["Customers"]) == (sales, units, customers)
    assert list(page["products"]["Product Key"]) == [product]
    territories = rows(
        reader,
        "select t.territory_name, sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.territories t on s.territory_key = t.territory_key "
        "where s.product_key = ? group by all",
        [product],
    )
    assert as_dict(page["sales_by_territory"], ["Territory"], "Sales") == dict(territories)
    top = rows(
        reader,
        "select c.customer_label, sum(s.net_sales_amount) as amount from reporting.sales s "
        "join reporting.customers c on s.customer_key = c.customer_key where s.product_key = ? "
        "group by c.customer_label order by amount desc, c.customer_label limit 10",
        [product],
    )
    assert sorted(records(page["top_clients"])) == sorted(top)
    assert sum(page["sales_by_geography"]["Sales"]) == sales


def test_campaigns_page_equals_the_reporting_views(reader: Reader, manager: Scope) -> None:
    page = PAGES["Campaigns"](Filters(), manager, reader=reader)
    campaign_sales, total = rows(
        reader,
        "select sum(case when m.is_campaign then s.net_sales_amount end), sum(s.net_sales_amount) "
        "from reporting.sales s join reporting.campaigns m on s.campaign_key = m.campaign_key",
    )[0]
    kpis = page["kpis"].iloc[0]
    assert (kpis["Campaign Sales"], kpis["Campaign Share %"], kpis["Sales"]) == (
        campaign_sales,
        ratio(campaign_sales, total),
        total,
    )
    per_campaign = rows(
        reader,
        "select m.campaign_name, sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.campaigns m on s.campaign_key = m.campaign_key where m.is_campaign group by all",
    )
    results = page["campaign_results"]
    assert as_dict(results, ["Campaign"], "Campaign Sales") == dict(per_campaign)
    assert "No campaign" not in set(results["Campaign"])
    assert list(results["Campaign Sales"]) == sorted(results["Campaign Sales"], reverse=True)


def test_a_share_of_all_drops_only_its_tables_filter_and_group(reader: Reader, manager: Scope) -> None:
    """Campaign Share % (measures.yml ``denominator_all: Campaign``), evaluated like any measure: a
    campaign's row and a campaign filter divide by the sales of the same other filters without the
    Campaign filter or group, as DAX's REMOVEFILTERS does; the other filters stay."""
    (campaign, key), (other, _) = rows(
        reader,
        "select m.campaign_name, m.campaign_key from reporting.campaigns m where m.is_campaign "
        "order by m.campaign_key limit 2",
    )
    europe = "Europe"
    per_month = rows(
        reader,
        "select d.year_month_name, "
        "sum(case when s.campaign_key = ? then s.net_sales_amount end), sum(s.net_sales_amount) "
        "from reporting.sales s join reporting.dates d on s.order_date = d.date_day "
        "join reporting.territories t on s.territory_key = t.territory_key "
        "where t.region_name = ? group by all",
        [key, europe],
    )
    filters = Filters(campaign_keys=[key], regions=[europe])
    by_month = evaluate(
        ["Campaign Share %"], filters, manager, by=[("Date", "Year Month Name")], reader=reader
    )
    expected = {month: ratio(part, whole) for month, part, whole in per_month if part is not None}
    shown = as_dict(by_month, ["Year Month Name"], "Campaign Share %")
    assert {m: v for m, v in shown.items() if v is not None} == expected
    assert list(by_month.columns) == ["Year Month Name", "Campaign Share %"]  # no helper column left
    by_campaign = evaluate(
        ["Campaign Sales", "Campaign Share %"],
        Filters(regions=[europe]),
        manager,
        by=[("Campaign", "Campaign")],
        reader=reader,
    )
    (whole,) = rows(
        reader,
        "select sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.territories t on s.territory_key = t.territory_key where t.region_name = ?",
        [europe],
    )[0]
    for name in (campaign, other):
        row = by_campaign[by_campaign["Campaign"] == name].iloc[0]
        assert row["Campaign Share %"] == ratio(row["Campaign Sales"], whole) < 1


def test_filter_options_offer_every_member_to_a_manager(reader: Reader, manager: Scope) -> None:
    options = filter_options(manager, reader=reader)
    assert len(options["customers"]) == one(reader, "select count(*) from reporting.customers")
    assert len(options["products"]) == one(reader, "select count(*) from reporting.products")
    assert set(options["regions"]["Region"]) == {
        r[0] for r in rows(reader, "select region_name from reporting.territories")
    }
    assert options["dates"].iloc[0]["As Of Date"] == AS_OF


def test_time_measures_shift_the_date_range(reader: Reader, manager: Scope) -> None:
    filters = Filters(date_from=date(2024, 3, 1), date_to=date(2024, 6, 15))

    def sales(start: date, end: date) -> Decimal:
        return one(
            reader,
            "select sum(net_sales_amount) from reporting.sales where order_date between ? and ?",
            [start, end],
        )

    kpis = evaluate(
        ["Sales", "Sales LY", "Sales YTD", "Sales PYTD", "Sales Run-Rate FY", "YoY %", "YTD YoY %"],
        filters,
        manager,
        reader=reader,
    ).iloc[0]
    assert kpis["Sales"] == sales(date(2024, 3, 1), date(2024, 6, 15))
    assert kpis["Sales LY"] == sales(date(2023, 3, 1), date(2023, 6, 15))
    assert kpis["Sales YTD"] == sales(date(2024, 1, 1), date(2024, 6, 15))
    assert kpis["Sales PYTD"] == sales(date(2023, 1, 1), date(2023, 6, 15))
    run_rate = (kpis["Sales YTD"] * 366 / 167).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    assert kpis["Sales Run-Rate FY"] == run_rate
    assert kpis["YoY %"] == ratio(kpis["Sales"] - kpis["Sales LY"], kpis["Sales LY"])
    assert kpis["YTD YoY %"] == ratio(kpis["Sales YTD"] - kpis["Sales PYTD"], kpis["Sales PYTD"])
    # per month: last year's same month
    monthly = evaluate(
        ["Sales", "Sales LY"], Filters(), manager, by=[("Date", "Year Month Name")], reader=reader
    )
    by_month = dict(zip(monthly["Year Month Name"], monthly["Sales"], strict=True))
    for month, last_year in zip(monthly["Year Month Name"], monthly["Sales LY"], strict=True):
        name, year = month.split()
        assert last_year == by_month.get(f"{name} {int(year) - 1}"), month


def test_previous_year_keeps_whole_months_and_29_february() -> None:
    assert previous_year(date(2024, 2, 1), date(2024, 2, 29)) == (date(2023, 2, 1), date(2023, 2, 28))
    assert previous_year(date(2025, 2, 1), date(2025, 2, 28)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert previous_year(date(2025, 2, 10), date(2025, 2, 28)) == (date(2024, 2, 10), date(2024, 2, 28))
    assert window("previous_year", date(2025, 1, 1), date(2025, 12, 31), 365, AS_OF) is None  # after as-of
    with pytest.raises(ValueError, match="contiguous"):
        window("previous_year", date(2024, 1, 1), date(2024, 1, 31), 5, AS_OF)  # Mondays of January


# --------------------------------------------------------------------------- the budget's grain


def test_budget_is_blank_below_its_grain(reader: Reader, manager: Scope) -> None:
    def budget(filters: Filters, by: Sequence[tuple[str, str]] = ()) -> Any:
        frame = evaluate(["Budget", "Attainment %", "Sales"], filters, manager, by=by, reader=reader)
        return frame["Budget"].iloc[0] if not by else frame["Budget"]

    def expected(where: str = "", params: Sequence[Any] = ()) -> Decimal:
        return one(
            reader,
            "select sum(b.budget_amount) from reporting.budget b "
            f"join reporting.territories t on b.territory_key = t.territory_key {where}",
            params,
        )

    product = busiest(reader, "product_key")
    client = busiest(reader, "customer_key")
    campaign = one(reader, "select min(campaign_key) from reporting.campaigns where is_campaign")
    germany = [
        r[0]
        for r in rows(reader, "select geography_key from reporting.geography where territory_code = 'DE'")
    ]
    # finer than the grain: blank
    for filters in (
        Filters(product_keys=(product,)),
        Filters(subcategories=("Mountain Bikes",)),
        Filters(customer_keys=(client,)),
        Filters(client_types=("Business",)),
        Filters(industries=("Retail",)),
        Filters(campaign_keys=(campaign,)),
        Filters(date_from=date(2024, 3, 2), date_to=date(2024, 3, 31)),
        Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 30)),
        Filters(geography_keys=tuple(germany[:1])),
    ):
        assert budget(filters) is None, filters
    for by in (("Date", "Date"), ("Customer", "Client"), ("Product", "Product"), ("Campaign", "Campaign")):
        assert budget(Filters(), [by]).isna().all(), by
    # at the grain (or coarser): the budget's own sum
    assert budget(Filters()) == expected()
    assert budget(Filters(date_from=date(2024, 3, 1), date_to=date(2024, 5, 31))) == expected(
        "where b.budget_month between ? and ?", [date(2024, 3, 1), date(2024, 5, 31)]
    )
    assert budget(Filters(categories=("Bikes",))) == expected("where b.category_name = 'Bikes'")
    bike_subcategories = [
        r[0]
        for r in rows(
            reader, "select distinct subcategory_name from reporting.products where category_name = 'Bikes'"
        )
    ]
    assert budget(Filters(subcategories=tuple(bike_subcategories))) == expected(
        "where b.category_name = 'Bikes'"
    )
    assert budget(Filters(regions=("Europe",))) == expected("where t.region_name = 'Europe'")
    assert budget(Filters(geography_keys=tuple(germany))) == expected(
        "where b.territory_code = 'DE'"
    )  # whole territory
    rep = busiest(reader, "sales_rep_key")  # the demo budget has rep quotas: a rep is at its grain
    assert budget(Filters(sales_rep_keys=(rep,))) == expected("where b.sales_rep_key = ?", [rep])


# --------------------------------------------------------------------------- row-level security


def test_scopes_are_resolved_from_the_sales_reps_view(reader: Reader) -> None:
    assert resolve_scope(MANAGER, reader).role == "manager"
    lead = resolve_scope(LEAD.upper(), reader)
    assert (lead.role, lead.region) == ("regional_lead", "Europe")
    rep = resolve_scope(f"  {REP} ", reader)
    assert rep.role == "sales_rep"
    assert rep.sales_rep_key == one(
        reader, "select sales_rep_key from reporting.sales_reps where email = ?", [REP]
    )
    for unknown in ("nobody@salespulse.example", "", "' or 1=1 --"):
        with pytest.raises(AccessDenied):
            resolve_scope(unknown, reader)
    with pytest.raises(TypeError, match="row-level security"):
        evaluate(["Sales"], Filters(), None, reader=reader)  # type: ignore[arg-type]


def test_a_sales_rep_sees_only_their_own_clients_and_sales(reader: Reader) -> None:
    scope = resolve_scope(REP, reader)
    key = scope.sales_rep_key
    own = (
        "from reporting.sales s join reporting.customers c on s.customer_key = c.customer_key "
        "where s.sales_rep_key = ? and c.sales_rep_key = ?"
    )
    total = one(reader, f"select sum(s.net_sales_amount) {own}", [key, key])
    assert 0 < total < one(reader, "select sum(net_sales_amount) from reporting.sales")
    overview = PAGES["Sales Overview"](Filters(), scope, reader=reader)
    assert overview["kpis"]["Sales"].iloc[0] == total
    # their own quota, not the company's budget
    quota = one(reader, "select sum(budget_amount) from reporting.budget where sales_rep_key = ?", [key])
    assert (
        0
        < overview["kpis"]["Budget"].iloc[0]
        == quota
        < one(reader, "select sum(budget_amount) from reporting.budget")
    )
    assert sum(overview["sales_by_category"]["Sales"]) == total
    clients = PAGES["Customer Details"](Filters(), scope, reader=reader)["clients"]
    owned = {
        r[0]
        for r in rows(reader, "select customer_key from reporting.customers where sales_rep_key = ?", [key])
    }
    assert set(clients["Customer Key"]) <= owned
    assert sum(clients["Sales"]) == total
    options = filter_options(scope, reader=reader)
    assert set(options["customers"]["Customer Key"]) == owned
    assert list(options["sales_reps"]["Sales Rep Key"]) == [key]
    # another rep's client is not reachable by filtering for it
    other = one(
        reader, "select min(customer_key) from reporting.customers where sales_rep_key not in (?, -1)", [key]
    )
    assert evaluate(["Sales"], Filters(customer_keys=(other,)), scope, reader=reader)["Sales"].iloc[0] is None
    reps = PAGES["Sales Reps"](Filters(), scope, reader=reader)["sales_vs_budget_by_rep"]
    assert list(reps["Sales Rep Key"]) == [key]


def test_a_regional_lead_sees_only_their_region(reader: Reader) -> None:
    scope = resolve_scope(LEAD, reader)
    region = (
        "from reporting.sales s join reporting.territories t on s.territory_key = t.territory_key "
        "join reporting.customers c on s.customer_key = c.customer_key "
        "where t.region_name = ? and c.territory_key in "
        "(select territory_key from reporting.territories where region_name = ?)"
    )
    total = one(reader, f"select sum(s.net_sales_amount) {region}", ["Europe", "Europe"])
    page = PAGES["Sales Overview"](Filters(), scope, reader=reader)
    assert page["kpis"]["Sales"].iloc[0] == total
    assert page["kpis"]["Budget"].iloc[0] == one(
        reader,
        "select sum(b.budget_amount) from reporting.budget b "
        "join reporting.territories t on b.territory_key = t.territory_key where t.region_name = 'Europe'",
    )
    assert set(page["sales_by_city"]["Region"]) == {"Europe"}
    territories = PAGES["Sales Reps"](Filters(), scope, reader=reader)["sales_vs_budget_by_territory"]
    assert set(territories["Region"]) == {"Europe"}
    options = filter_options(scope, reader=reader)
    assert list(options["regions"]["Region"]) == ["Europe"]
    assert set(options["territories"]["Territory Code"]) == {"DE", "FR", "GB"}
    # asking for another region gives nothing, not that region
    assert evaluate(["Sales"], Filters(regions=("Pacific",)), scope, reader=reader)["Sales"].iloc[0] is None


# --------------------------------------------------------------------------- hostile input

INJECTIONS = (
    "'; drop table marts.fct_sales; --",
    "x' or '1'='1",
    "Bikes' union select 1 --",
    '" or ""="',
    "?",
    "%s",
    "Europe') or 1=1 --",
)
TEXT_FILTERS = ("regions", "territory_codes", "categories", "subcategories", "client_types", "industries")
KEY_FILTERS = ("sales_rep_keys", "product_keys", "customer_keys", "campaign_keys", "geography_keys")


def test_filters_take_a_ui_state_and_refuse_what_they_do_not_know() -> None:
    parsed = Filters.parse(
        {"date_from": "2024-03-01", "regions": ["Pacific", "Europe", "Europe"], "customer_keys": ["42", 7]}
    )
    assert parsed == Filters(date_from=date(2024, 3, 1), regions=("Europe", "Pacific"), customer_keys=(7, 42))
    assert Filters.parse({"regions": [], "categories": None}) == Filters()  # empty: not filtered
    with pytest.raises(ValueError, match="unknown filters"):
        Filters.parse({"regions); drop table x; --": ["Europe"]})
    with pytest.raises(ValueError, match="must be text"):
        Filters.parse({"regions": [1]})


def test_sql_injection_in_every_filter_is_harmless(reader: Reader, manager: Scope) -> None:
    counts = "select (select count(*) from reporting.sales), (select count(*) from reporting.customers)"
    before = rows(reader, counts)
    for field in TEXT_FILTERS:
        for value in INJECTIONS:
            filters = Filters.parse({field: [value]})
            result = evaluate(["Sales", "Budget", "Orders"], filters, manager, reader=reader)
            assert records(result) == [(None, None, None)], (field, value)  # a value that matches nothing
            for name, page in PAGES.items():
                for dataset, frame in page(filters, manager, reader=reader).items():
                    # an analytics view without the filter's column is not filtered by it (Power BI)
                    if dataset != "kpis" and honours(name, dataset, field):
                        assert frame.empty, (name, dataset, field, value)
    for field in KEY_FILTERS:
        for value in INJECTIONS:
            with pytest.raises(ValueError, match="not a key"):
                Filters.parse({field: [value]})
    for value in INJECTIONS:
        with pytest.raises(ValueError, match="not a date"):
            Filters.parse({"date_from": value})
        with pytest.raises(AccessDenied):
            resolve_scope(value, reader)
        with pytest.raises(KeyError):
            evaluate(["Sales"], Filters(), manager, by=[("Customer", value)], reader=reader)
        with pytest.raises(KeyError):
            evaluate([value], Filters(), manager, reader=reader)
    assert rows(reader, counts) == before


# --------------------------------------------------------------------------- how fast


def test_every_page_answers_quickly_for_every_role(
    reader: Reader, capsys: pytest.CaptureFixture[str]
) -> None:
    timings = []
    for email in (MANAGER, LEAD, REP):
        scope = resolve_scope(email, reader)
        for name, page in PAGES.items():
            started = time.perf_counter()
            page(Filters(), scope, reader=reader)
            timings.append((scope.role, name, time.perf_counter() - started))
        started = time.perf_counter()
        filter_options(scope, reader=reader)
        timings.append((scope.role, "filter options", time.perf_counter() - started))
    with capsys.disabled():
        print("\npage query times at demo size:")
        for role, name, seconds in timings:
            print(f"  {role:<14} {name:<18} {seconds * 1000:7.0f} ms")
    assert max(seconds for *_, seconds in timings) < 10
