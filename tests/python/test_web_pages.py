"""Pages that read right, without a browser: a restored state brings its slicers' options with it,
Campaign Share % is a share of all sales, campaigns charted on their own, only reps who acquired
clients, at-risk clients with their reason, axis titles with units and signed, coloured variances.
Numbers are checked against the reporting views' own SQL on the demo warehouse."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from salespulse.web import Filters, resolve_scope
from salespulse.web.query.measures import ratio
from salespulse.web.query.pages import NO_CAMPAIGN_NEW_CUSTOMERS, PAGES
from salespulse.web.query.readers import Reader
from salespulse.web.ui.formatting import TONES, card_text, money, signed, table_format, titled, tone
from salespulse.web.ui.layout import slicer_id
from salespulse.web.ui.state import Calendar, pick_of
from salespulse.web.ui.visuals import PAGES as SLUGS
from web_testing import (
    MANAGER,
    REP,
    Callbacks,
    components,
    demo_app_fixture,
    graphs,
    render,
    signed_in,
    state,
    tables,
)

SHARE = "Campaign Share %"


web = demo_app_fixture("web-pages")


@pytest.fixture
def callbacks(web: tuple[Any, Reader]) -> Callbacks:
    return Callbacks(signed_in(web[0], MANAGER))


def one(reader: Reader, sql: str, params: list[Any] | None = None) -> Any:
    return reader.query(sql, params or [])[0][0]


# --------------------------------------------------------------------------- restored state


def test_a_link_brings_every_slicers_options_with_its_value(callbacks: Callbacks) -> None:
    """A Dash dropdown drops a value that is not among its options: the values a ``?view=`` link
    restores must arrive with the options (the Region of a shared link was lost otherwise)."""
    every = state(
        date_from="2023-01-01",
        date_to="2023-12-31",
        regions=["Europe"],
        categories=["Bikes"],
        client_types=["Business"],
        territory_codes=["DE"],
    )
    saved = callbacks.call(
        "views-list.options",
        {
            "view-save.n_clicks": 1,
            "view-name.value": "Everything",
            "view-shared.value": ["shared"],
            "state.data": every,
            "url.pathname": "/overview",
        },
        ["view-save.n_clicks"],
    )
    view_id = saved["view-link"]["value"].split("view=")[1]
    opened = callbacks.call(
        "state.data",
        {"url.search": f"?view={view_id}", "url.pathname": "/overview", "state.data": state()},
        ["url.search"],
    )
    for field in ("regions", "categories", "client_types", "territory_codes"):
        slicer = opened[slicer_id(field)]
        assert slicer["value"] == every[field], field
        offered = {o["value"] for o in slicer["options"]}
        assert set(slicer["value"]) <= offered, field
    # the quick pick shows the year the dates are, among the options sent with it
    assert opened["quick-pick"]["value"] == "year:2023"
    assert "year:2023" in {o["value"] for o in opened["quick-pick"]["options"]}
    assert (opened["dates"]["start_date"], opened["dates"]["end_date"]) == ("2023-01-01", "2023-12-31")
    # a slicer change leaves the options alone (they are the slicer_options callback's)
    changed = callbacks.call(
        "state.data",
        {"f-regions.value": ["Pacific"], "state.data": every, "url.pathname": "/overview", "url.search": ""},
        ["f-regions.value"],
    )
    assert "options" not in changed.get(slicer_id("regions"), {})
    assert changed["state"]["data"]["regions"] == ["Pacific"]


def test_the_quick_pick_of_a_restored_range() -> None:
    cal = Calendar(date(2022, 1, 3), date(2024, 12, 31), date(2024, 12, 31))
    assert pick_of(state(date_from="2023-01-01", date_to="2023-12-31"), cal) == "year:2023"
    assert pick_of(state(date_from="2022-01-03", date_to="2022-12-31"), cal) == "year:2022"  # clamped
    assert pick_of(state(date_from="2024-01-01", date_to="2024-12-31"), cal) == "ytd"  # the first that fits
    assert pick_of(state(date_from="2023-02-01", date_to="2023-12-31"), cal) is None
    assert pick_of(state(), cal) is None  # no dates: no pick, as on a fresh page


# --------------------------------------------------------------------------- campaigns


def test_campaign_share_is_a_share_of_all_sales(web: tuple[Any, Reader]) -> None:
    reader = web[1]
    manager = resolve_scope(MANAGER, reader)
    total = one(reader, "select sum(net_sales_amount) from reporting.sales")
    per_campaign = dict(
        reader.query(
            "select s.campaign_key, sum(s.net_sales_amount) from reporting.sales s "
            "join reporting.campaigns m using (campaign_key) where m.is_campaign group by s.campaign_key"
        )
    )
    page = PAGES["Campaigns"](Filters(), manager, reader=reader)
    results = page["campaign_results"]
    shares = dict(zip(results["Campaign Key"], results[SHARE], strict=True))
    assert shares == {key: ratio(sales, total) for key, sales in per_campaign.items()}
    assert all(share < 1 for share in shares.values())  # was 100.0 % on every row
    kpis = page["kpis"].iloc[0]
    assert kpis[SHARE] == ratio(sum(per_campaign.values()), total)

    # a campaign picked: its share of all sales, on the card and by month
    biggest = max(per_campaign, key=lambda key: per_campaign[key])
    picked = PAGES["Campaigns"](Filters(campaign_keys=(biggest,)), manager, reader=reader)
    assert picked["kpis"].iloc[0][SHARE] == ratio(per_campaign[biggest], total)
    by_month = dict(
        reader.query(
            "select d.year_month_name, sum(s.net_sales_amount) from reporting.sales s "
            "join reporting.dates d on s.order_date_key = d.date_key group by d.year_month_name"
        )
    )
    months = picked["campaign_sales_over_time"]
    assert len(months) >= 1
    for month, sales, share in months[["Year Month Name", "Campaign Sales", SHARE]].itertuples(index=False):
        assert share == ratio(sales, by_month[month]) and share < 1


def test_new_customers_by_campaign_shows_campaigns_and_counts_the_rest(web: tuple[Any, Reader]) -> None:
    reader = web[1]
    manager = resolve_scope(MANAGER, reader)
    page = PAGES["Campaigns"](Filters(), manager, reader=reader)
    chart = page["new_customers_by_campaign"]
    campaigns = {
        name for (name,) in reader.query("select campaign_name from reporting.campaigns where is_campaign")
    }
    assert len(chart) and set(chart["Campaign"]) <= campaigns and "No campaign" not in set(chart["Campaign"])
    expected = dict(
        reader.query(
            "select m.campaign_name, count(distinct s.customer_key) from reporting.sales s "
            "join reporting.campaigns m using (campaign_key) "
            "where s.customer_order_type = 'New' and s.customer_key <> -1 and m.is_campaign "
            "group by m.campaign_name"
        )
    )
    assert dict(zip(chart["Campaign"], chart["New Customers"], strict=True)) == expected
    without = one(
        reader,
        "select count(distinct s.customer_key) from reporting.sales s join reporting.campaigns m "
        "using (campaign_key) where s.customer_order_type = 'New' and s.customer_key <> -1 "
        "and not m.is_campaign",
    )
    assert without > max(expected.values())  # why "No campaign" flattened every campaign's bar
    assert page["kpis"].iloc[0][NO_CAMPAIGN_NEW_CUSTOMERS] == without


def test_the_campaigns_page_reads_on_its_own(callbacks: Callbacks) -> None:
    page = render(callbacks, state(), "campaigns")
    figures = graphs(page)
    combo = figures["campaigns:campaign_sales_over_time:combo"]["layout"]
    assert combo["yaxis2"]["rangemode"] == "tozero"  # the share axis never goes below 0 %
    assert (
        combo["yaxis2"]["title"]["text"] == SHARE and combo["yaxis"]["title"]["text"] == "Campaign Sales ($)"
    )
    bars = figures["campaigns:new_customers_by_campaign:hbar"]["data"][0]
    assert "No campaign" not in bars["y"]
    cards = {
        c["props"]["data-measure"]: c["props"]["children"]
        for c in components(page["page-content"]["children"], "Div")
        if "data-measure" in c.get("props", {})
    }
    assert NO_CAMPAIGN_NEW_CUSTOMERS in cards
    incremental = cards["Campaign Incremental Sales"][1]["props"]
    assert (
        incremental["children"].startswith(("+$", "\u2212$"))
        and incremental["style"]["color"] in TONES.values()
    )
    results = tables(page)["campaigns:campaign_results:table"]
    assert {r[SHARE] for r in results} != {1.0}
    # wide tables scroll inside their card and wrap their headers
    wrappers = [
        d
        for d in components(page["page-content"]["children"], "Div")
        if d["props"].get("className") == "table-scroll"
    ]
    assert len(wrappers) == 2 and all(w["props"]["style"]["overflowX"] == "auto" for w in wrappers)


# --------------------------------------------------------------------------- clients


def test_only_reps_who_acquired_clients_are_charted(web: tuple[Any, Reader], callbacks: Callbacks) -> None:
    reader = web[1]
    managers = {
        name
        for (name,) in reader.query(
            "select full_name from reporting.sales_reps where job_title <> 'Sales Representative'"
        )
    }
    assert "Unassigned" in managers and len(managers) > 2  # the VP, the regional leads, Unassigned
    for filters in (state(), state(date_from="2024-11-01", date_to="2024-11-30")):
        chart = graphs(render(callbacks, filters, "clients"))["clients:clients_acquired_by_rep:hbar"]["data"][
            0
        ]
        assert chart["y"] and all(value > 0 for value in chart["x"])
        assert not set(chart["y"]) & managers
    every_rep = one(reader, "select count(distinct sales_rep_key) from reporting.rep_acquisition_monthly")
    acquiring = one(
        reader,
        "select count(*) from (select sales_rep_key from reporting.rep_acquisition_monthly "
        "group by sales_rep_key having sum(new_clients) > 0)",
    )
    page = PAGES["Clients"](Filters(), resolve_scope(MANAGER, reader), reader=reader)
    assert len(page["clients_acquired_by_rep"]) == acquiring < every_rep
    rep = PAGES["Clients"](Filters(), resolve_scope(REP, reader), reader=reader)["clients_acquired_by_rep"]
    assert len(rep) == 1 and rep["Clients Acquired"].iloc[0] > 0


def test_at_risk_clients_say_why(web: tuple[Any, Reader], callbacks: Callbacks) -> None:
    reader = web[1]
    page = PAGES["Clients"](Filters(), resolve_scope(MANAGER, reader), reader=reader)
    table = page["at_risk_clients"]
    columns = list(table.columns)
    # the reason comes right after who the client is and their segment, before the numbers
    assert columns.index("At Risk Reason") == columns.index("RFM Segment") + 2
    assert columns.index("At Risk Rule") == columns.index("RFM Segment") + 1
    assert table["At Risk Reason"].map(bool).all() and table["At Risk Rule"].map(bool).all()
    top_segments = table[table["RFM Segment"].isin(["Champions", "Loyal"])]
    assert len(top_segments) > 0  # the demo has at-risk Champions and Loyal clients: each says why
    rules = dict(
        reader.query("select customer_key, at_risk_rule from reporting.customer_segments where is_at_risk")
    )
    assert {k: r for k, r in zip(table["Customer Key"], table["At Risk Rule"], strict=True)} == {
        k: rules[k] for k in table["Customer Key"]
    }
    rendered = render(callbacks, state(), "clients")
    grid = next(
        t
        for t in components(rendered["page-content"]["children"], "DataTable")
        if t["props"]["id"]["id"] == "clients:at_risk_clients:table"
    )
    rows, tips = grid["props"]["data"], grid["props"]["tooltip_data"]
    assert len(tips) == len(rows)
    assert all(
        tip["RFM Segment"]["value"] == f"At risk: {row['At Risk Reason']}"
        for row, tip in zip(rows, tips, strict=True)
    )


# --------------------------------------------------------------------------- charts that read on their own


@pytest.mark.parametrize("slug", [s for s in SLUGS if s != "forecast"])
def test_every_cartesian_chart_titles_its_axes_with_units(callbacks: Callbacks, slug: str) -> None:
    for visual, figure in graphs(render(callbacks, state(), slug)).items():
        layout = figure["layout"]
        if "geo" in layout or not figure["data"]:  # the map; an empty chart says "No data"
            continue
        for axis in ("xaxis", "yaxis"):
            title = (layout.get(axis, {}).get("title") or {}).get("text")
            assert title, (visual, axis)
        values = layout["xaxis" if figure["data"][0].get("orientation") == "h" else "yaxis"]["title"]["text"]
        assert values.endswith((")", "%")), (visual, values)  # a unit: ($), (count), (days) or a %


def test_the_forecast_chart_titles_its_axes(web: tuple[Any, Reader]) -> None:
    from salespulse.web.ui.charts import band_figure
    from salespulse.web.ui.visuals import visual

    item = visual("forecast", "forecast_by_month")
    assert item is not None
    frame = pd.DataFrame(
        {"Month Start Date": [date(2024, m, 1) for m in (1, 2)], **{name: [1.0, 2.0] for name in item.y}}
    )
    layout = band_figure(item, frame)["layout"]
    assert layout["xaxis"]["title"]["text"] == "Month" and layout["yaxis"]["title"]["text"] == "Net sales ($)"


def test_variances_are_signed_and_coloured(callbacks: Callbacks) -> None:
    page = render(callbacks, state(), "reps")
    cards = {
        c["props"]["data-measure"]: c["props"]["children"][1]["props"]
        for c in components(page["page-content"]["children"], "Div")
        if "data-measure" in c.get("props", {})
    }
    variance = cards["Variance"]
    # the hover title writes the amount with the currency and a true minus sign
    assert "$" in variance["title"]
    value = Decimal(variance["title"].replace(",", "").replace("$", "").replace("\u2212", "-"))
    assert variance["children"] == card_text("Variance", value)
    assert variance["children"][0] == ("+" if value > 0 else "\u2212") and "$" in variance["children"]
    assert variance["style"]["color"] == TONES[tone(value) or ""]
    assert cards["Sales"]["children"].startswith("$") and "style" not in cards["Sales"]
    grid = next(
        t
        for t in components(page["page-content"]["children"], "DataTable")
        if t["props"]["id"]["id"] == "reps:sales_vs_budget_by_rep:table"
    )
    spec = {c["id"]: c for c in grid["props"]["columns"]}
    assert spec["Variance"]["format"]["specifier"] == "+$,.0f"
    assert spec["Sales"]["format"] == {"locale": {"symbol": ["$", ""]}, "specifier": "$,.0f"}
    assert spec["Attainment %"]["format"] == {"specifier": ".1%"}
    colours = {
        (rule["if"]["filter_query"], rule["color"])
        for rule in grid["props"]["style_data_conditional"]
        if rule["if"].get("column_id") == "Variance"
    }
    assert colours == {("{Variance} > 0", TONES["up"]), ("{Variance} < 0", TONES["down"])}
    # the rows keep numbers (sorting, exports), and some reps are behind their quota: shown red
    assert all(
        isinstance(r["Variance"], float | int) for r in grid["props"]["data"] if r["Variance"] is not None
    )
    assert json.dumps(page).count(TONES["down"]) >= 1


def test_money_and_variance_text() -> None:
    assert money(Decimal("12345.4")) == "$12,345" and money(Decimal("-1234.5"), symbol="€") == "\u2212€1,234"
    assert money(1234, signed=True) == "+$1,234" and money(Decimal("0.4"), signed=True) == "$0"
    assert money(32_345_678, compact=True) == "$32.3 M" and money(None) == "—"
    assert signed("Variance", Decimal("-1234")) == "\u2212$1,234"
    assert (
        signed("YoY %", Decimal("0.0321")) == "+3.2%" and signed("YoY %", Decimal("-0.0321")) == "\u22123.2%"
    )
    assert signed("YoY %", 0) == "0.0%" and signed("Sales YoY", None) == "—"
    assert card_text("Sales", 6_540_863.94) == "$6.5 M" and card_text("Orders", 1234) == "1,234"
    assert card_text("YTD YoY %", Decimal("-0.0321")) == "\u22123.2%"
    assert table_format("YTD YoY %") == {"specifier": "+.1%"} and table_format("Orders") == {
        "specifier": ",.0f"
    }
    assert titled("Sales") == "Sales ($)" and titled("Orders") == "Orders (count)"
    assert titled("Attainment %") == "Attainment %" and titled("Recency Days") == "Recency Days (days)"
    assert tone(Decimal("-1")) == "down" and tone(2) == "up" and tone(0) is None and tone(None) is None
