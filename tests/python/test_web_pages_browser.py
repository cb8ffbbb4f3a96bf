"""Pages that read right, in a real browser (Debian's Chromium driven by Playwright) against the app
served on 127.0.0.1: a shared view's link restores every filter; charts are drawn at their card's
width whatever the card was when they were drawn; wide tables stay inside their card. Every
request the browser makes is recorded; none may leave 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from salespulse.web import Filters, evaluate, resolve_scope
from salespulse.web.query.readers import DuckDBReader
from test_web_browser import (
    assert_all_local,
    chips,
    kpi,
    settle,
    sign_in,
)
from web_browsing import CHROMIUM, local_context, serve
from web_testing import MANAGER, duckdb_app

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make setup installs it)"
)


@pytest.fixture(scope="module")
def served(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, DuckDBReader]]:
    """The app on the demo warehouse, served by waitress on a free port of 127.0.0.1."""
    app, reader = duckdb_app(demo_duckdb, tmp_path_factory.mktemp("web-pages-browser"))
    for url in serve(app, reader):
        yield url, reader


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A fresh Chromium profile; (context, every URL requested, URLs aborted for leaving the machine)."""
    yield from local_context(tmp_path_factory, "chromium-pages")


# --------------------------------------------------------------------------- a shared view's link


@dataclass(frozen=True)
class Line:
    """One real sale's members: a view filtered to all of them still shows that sale."""

    region: str
    territory: str
    territory_name: str
    rep: str
    rep_territory: str
    category: str
    subcategory: str
    product: str
    client: str
    client_type: str
    industry: str
    campaign: str
    year: int
    filters: Filters


def a_sale_with_every_member(reader: DuckDBReader) -> Line:
    """A 2023 campaign sale to a business client whose every member a slicer offers, and which the
    data layer finds again under all those filters at once."""
    rows = reader.query(
        "select t.region_name, t.territory_code, t.territory_name, r.full_name, r.territory_code, "
        "p.category_name, p.subcategory_name, p.product_name, c.customer_label, c.customer_type, "
        "c.industry, m.campaign_name, s.sales_rep_key, s.product_key, s.customer_key, s.campaign_key "
        "from reporting.sales s "
        "join reporting.territories t using (territory_key) "
        "join reporting.sales_reps r using (sales_rep_key) "
        "join reporting.products p using (product_key) join reporting.customers c using (customer_key) "
        "join reporting.campaigns m using (campaign_key) "
        "where m.is_campaign and s.counts_as_sales and c.industry is not null and s.sales_rep_key <> -1 "
        "and extract(year from s.order_date) = 2023 and c.sales_rep_key = s.sales_rep_key "
        "order by s.net_sales_amount desc, s.order_line_id limit 20"
    )
    scope = resolve_scope(MANAGER, reader)
    for row in rows:
        region, territory, territory_name, rep, rep_territory, category, subcategory, product = row[:8]
        client, client_type, industry, campaign, rep_key, product_key, customer_key, campaign_key = row[8:]
        filters = Filters(
            date_from="2023-01-01",
            date_to="2023-12-31",
            regions=(region,),
            territory_codes=(territory,),
            sales_rep_keys=(rep_key,),
            categories=(category,),
            subcategories=(subcategory,),
            product_keys=(product_key,),
            customer_keys=(customer_key,),
            client_types=(client_type,),
            industries=(industry,),
            campaign_keys=(campaign_key,),
        )
        sales = evaluate(["Sales"], filters, scope, reader=reader)
        if len(sales) and sales["Sales"].iloc[0]:
            return Line(
                region,
                territory,
                territory_name,
                rep,
                rep_territory,
                category,
                subcategory,
                product,
                client,
                client_type,
                industry,
                campaign,
                2023,
                filters,
            )
    raise AssertionError("no 2023 campaign sale to a business client in the demo warehouse")


def choose(page: Any, dropdown: str, option: str, typed: str = "") -> None:
    """Pick the option labelled exactly ``option`` of a slicer (typing ``typed`` to find it)."""
    page.click(dropdown)
    if typed:
        search = page.locator(".dash-dropdown-search")
        search.wait_for()
        search.fill(typed)
    label = re.compile(rf"^\s*{re.escape(option)}\s*$")
    page.locator(".dash-options-list-option").filter(has_text=label).first.click()
    page.keyboard.press("Escape")
    settle(page)


def slicer_text(page: Any, selector: str) -> str:
    return " ".join(page.inner_text(selector).split())


def manager_page(
    served: tuple[str, DuckDBReader], browser: tuple[Any, list[str], list[str]], path: str
) -> Any:
    """A new tab of the test browser, signed in as the manager and showing ``path``."""
    page = browser[0].new_page()
    sign_in(page, served[0], MANAGER, path)
    return page


def test_a_shared_link_restores_every_filter(
    served: tuple[str, DuckDBReader], browser: tuple[Any, list[str], list[str]]
) -> None:
    base, reader = served
    context, requested, aborted = browser
    line = a_sale_with_every_member(reader)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, MANAGER, "/overview")
    everything = kpi(page, "Sales")

    choose(page, "#quick-pick", str(line.year))
    choose(page, "#f-regions", line.region)
    choose(page, "#f-territory-codes", f"{line.territory_name} · {line.region}", typed=line.territory_name)
    choose(page, "#f-sales-rep-keys", f"{line.rep} · {line.rep_territory}", typed=line.rep)
    choose(page, "#f-categories", line.category)
    choose(page, "#f-subcategories", f"{line.subcategory} · {line.category}", typed=line.subcategory)
    choose(page, "#f-product-keys", f"{line.product} · {line.subcategory}", typed=line.product)
    choose(page, "#f-customer-keys", f"{line.client} · {line.client_type}", typed=line.client)
    choose(page, "#f-client-types", line.client_type)
    choose(page, "#f-industries", line.industry, typed=line.industry)
    choose(page, "#f-campaign-keys", line.campaign, typed=line.campaign)
    before = chips(page)
    for label in ("Dates:", "Region:", "Territory:", "Sales rep:", "Category:", "Subcategory:", "Product:"):
        assert label in before
    for label in ("Client:", "Client type:", "Industry:", "Campaign:"):
        assert label in before
    filtered = kpi(page, "Sales")
    assert filtered and filtered != everything

    page.fill("#view-name", "Every filter")
    page.locator("#view-shared input").check()
    page.click("#view-save")
    settle(page)
    link = page.input_value("#view-link")
    assert "/overview?view=" in link
    page.close()

    for attempt in range(3):  # the race lost the Region 3 times out of 3
        fresh = context.new_page()
        fresh.on("pageerror", lambda error: errors.append(str(error)))
        fresh.goto(link)
        fresh.wait_for_selector(".kpi")
        settle(fresh)
        assert chips(fresh) == before, attempt
        shown = {
            "#quick-pick": str(line.year),
            "#f-regions": line.region,
            "#f-territory-codes": line.territory_name,
            "#f-sales-rep-keys": line.rep,
            "#f-categories": line.category,
            "#f-subcategories": line.subcategory,
            "#f-product-keys": line.product,
            "#f-customer-keys": line.client,
            "#f-client-types": line.client_type,
            "#f-industries": line.industry,
            "#f-campaign-keys": line.campaign,
        }
        for selector, text in shown.items():
            assert text in slicer_text(fresh, selector), (attempt, selector)
        dates = [fresh.input_value(f".dash-datepicker-{end}-date") for end in ("start", "end")]
        assert dates == [f"{line.year}-01-01", f"{line.year}-12-31"], attempt
        # the charts are filtered: the cards' total and the top clients are the view's
        assert kpi(fresh, "Sales") == filtered
        clients = fresh.evaluate(
            "document.querySelector('[data-visual=top_10_clients] .js-plotly-plot').data[0].y"
        )
        assert list(clients) == [line.client]
        fresh.close()
    assert errors == []
    assert_all_local(requested, aborted)


# --------------------------------------------------------------------------- charts at their card's width

WIDTHS = """(visual) => {
  const graph = document.querySelector(`[data-visual=${visual}] .graph`);
  const plot = graph.querySelector('.js-plotly-plot');
  const svg = plot.querySelector('svg.main-svg');
  return [graph.getBoundingClientRect().width, svg.getBoundingClientRect().width];
}"""


def drawn_at_card_width(page: Any, visual: str) -> bool:
    """The chart's drawing is as wide as its card's graph area (to the pixel)."""
    page.wait_for_function(f"() => ({WIDTHS})('{visual}')[0] > 100")
    container, drawn = page.evaluate(WIDTHS, visual)
    return abs(container - drawn) <= 2


def restored_at_card_width(page: Any, visual: str) -> bool:
    """Once the styles the test added for ``visual`` are removed, it is redrawn at its card's width."""
    page.evaluate(
        "() => document.querySelectorAll('style').forEach("
        f"s => s.textContent.includes('{visual}') && s.remove())"
    )
    settle(page)
    return drawn_at_card_width(page, visual)


def test_the_rfm_chart_is_drawn_at_its_cards_width(
    served: tuple[str, DuckDBReader], browser: tuple[Any, list[str], list[str]]
) -> None:
    _, requested, aborted = browser
    page = manager_page(served, browser, "/overview")
    for slug in ("reps", "campaigns", "overview"):  # after navigating from any page
        page.click(f"#nav-{slug}")
        settle(page)
        page.click("#nav-clients")
        page.wait_for_selector("[data-visual=clients_by_segment] .js-plotly-plot")
        settle(page)
        assert drawn_at_card_width(page, "clients_by_segment"), slug

    # its card hidden when the page came (so not drawn: charts draw when they come near the
    # screen), then shown: drawn at the card's width
    page.click("#nav-reps")
    settle(page)
    page.add_style_tag(content="[data-visual=clients_by_segment] .graph { display: none !important; }")
    page.click("#nav-clients")
    page.wait_for_selector("[data-visual=clients_by_segment] .graph", state="attached")
    settle(page)
    assert restored_at_card_width(page, "clients_by_segment")

    # drawn in a container squeezed to 60 px, then given its width back
    page.add_style_tag(content="[data-visual=clients_by_segment] .graph { width: 60px !important; }")
    settle(page)
    assert restored_at_card_width(page, "clients_by_segment")

    # a narrower window: every chart follows its card
    page.set_viewport_size({"width": 1180, "height": 1000})
    settle(page)
    for visual in ("clients_by_segment", "segments_by_client_type", "clients_acquired_by_rep"):
        assert drawn_at_card_width(page, visual), visual
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.close()
    assert_all_local(requested, aborted)


# --------------------------------------------------------------------------- campaigns


TABLE = """(visual) => {
  const scroller = document.querySelector(`[data-visual=${visual}] .dash-spreadsheet-container`);
  const card = scroller.closest('[data-visual]');
  const headers = card.querySelectorAll('th');
  const last = headers[headers.length - 1];
  const box = (e) => e.getBoundingClientRect();
  const inside = (e) => box(e).left >= box(card).left - 1 && box(e).right <= box(card).right + 1;
  const wide = scroller.scrollWidth > scroller.clientWidth + 1;
  scroller.scrollLeft = scroller.scrollWidth;
  const reached = inside(last);
  scroller.scrollLeft = 0;
  const page = document.documentElement.scrollWidth <= innerWidth;
  return {wide, reached, scroller: inside(scroller), page};
}"""


def test_the_campaigns_page_in_a_browser(
    served: tuple[str, DuckDBReader], browser: tuple[Any, list[str], list[str]]
) -> None:
    _, requested, aborted = browser
    page = manager_page(served, browser, "/campaigns")
    # the results table fits its card on a laptop; the effectiveness one scrolls inside its card
    results = page.evaluate(TABLE, "campaign_results")
    assert results == {"wide": False, "reached": True, "scroller": True, "page": True}
    effectiveness = page.evaluate(TABLE, "campaign_effectiveness")
    assert effectiveness["reached"] and effectiveness["scroller"] and effectiveness["page"]
    page.set_viewport_size({"width": 1000, "height": 1000})  # narrower: both scroll inside their card
    settle(page)
    for visual in ("campaign_results", "campaign_effectiveness"):
        found = page.evaluate(TABLE, visual)
        assert found == {"wide": True, "reached": True, "scroller": True, "page": True}, visual
    page.set_viewport_size({"width": 1440, "height": 1000})
    settle(page)
    # the share axis starts at 0 %, and every axis has its title
    ticks = page.evaluate(
        "() => Array.from(document.querySelectorAll("
        "'[data-visual=campaign_sales_over_time] g.y2tick')).map(t => t.textContent)"
    )
    assert ticks and not any(t.startswith(("-", "\u2212")) for t in ticks)
    titles = page.evaluate(
        "() => Array.from(document.querySelectorAll("
        "'[data-visual=campaign_sales_over_time] [class^=g-][class$=title]')).map(t => t.textContent)"
    )
    assert sorted(t for t in titles if t) == ["Campaign Sales ($)", "Campaign Share %", "Month"]
    bars = page.evaluate(
        "document.querySelector('[data-visual=new_customers_by_campaign] .js-plotly-plot').data[0].y"
    )
    assert bars and "No campaign" not in bars
    assert kpi(page, "New Customers Without Campaign")
    page.close()
    assert_all_local(requested, aborted)
