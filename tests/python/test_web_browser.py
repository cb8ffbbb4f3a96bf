"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against the app served
on 127.0.0.1: sign in, slicers, cross-filter and drill by clicking charts, detail pages, every
export, saved views, sign out. Screenshots of each page go to ``artifacts/screenshots/``. Every
request the browser makes is recorded; none may leave 127.0.0.1 (any that tried would be aborted).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
from pypdf import PdfReader

from salespulse.settings import PROJECT_ROOT
from salespulse.web.ui.visuals import PAGES
from web_browsing import (
    CHROMIUM,
    TIMEOUT_MS,
    draw_every_chart,
    local_context,
    scroll_to_visual,
    serve_dashboard,
)
from web_testing import MANAGER, REP

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make setup installs it)"
)


@pytest.fixture(scope="module")
def server(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by waitress on a free port of 127.0.0.1, in a background thread, on the demo
    warehouse after the forecast (with territory series, so a rep has one)."""
    yield from serve_dashboard(demo_duckdb, tmp_path_factory, "web-browser")


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A fresh Chromium profile; (context, every URL requested, URLs aborted for leaving the machine)."""
    yield from local_context(tmp_path_factory, "chromium-profile", accept_downloads=True)


def assert_all_local(requested: list[str], aborted: list[str]) -> None:
    assert requested
    outside = [
        u for u in requested if urlsplit(u).hostname != "127.0.0.1" and not u.startswith(("data:", "blob:"))
    ]
    assert outside == [] and aborted == []


def settle(page: Any) -> None:
    """Wait until Dash has no callback in flight, then scroll through the page so that every chart
    is drawn (charts off the first screen draw when scrolled near: assets/plotly-bundle.js)."""
    page.wait_for_timeout(250)
    page.wait_for_function(
        "() => !document.querySelector('._dash-loading-callback, [data-dash-is-loading=\"true\"]')",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(250)
    draw_every_chart(page)


def chips(page: Any) -> str:
    return " ".join(page.inner_text("#active-filters").split())


def click_point(page: Any, visual: str, index: int = 0, points: str = ".bars .point path") -> None:
    """Click a bar / marker of a visual (Plotly's drag layer sits over the shapes: click by position)."""
    scroll_to_visual(page, visual)
    target = page.locator(f"[data-visual={visual}] {points}").nth(index)
    # to the middle of the screen (never under the sticky header), then wait until the chart stops
    # moving (a redraw after a resize shifts the shapes) and the point is the visual's own
    target.evaluate("el => el.scrollIntoView({block: 'center'})")
    box = target.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        again = target.bounding_box()
        x, y = again["x"] + again["width"] / 2, again["y"] + again["height"] / 2
        on_visual = page.evaluate(
            "([x, y, v]) => !!document.elementFromPoint(x, y)?.closest(`[data-visual=${v}]`)", [x, y, visual]
        )
        if again == box and on_visual:
            break
        box = again
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    settle(page)


def pick(page: Any, dropdown: str, option: str, typed: str = "") -> None:
    page.click(dropdown)
    if typed:
        page.keyboard.type(typed)
        page.wait_for_timeout(800)
    page.get_by_role("option", name=option, exact=False).first.click()
    page.keyboard.press("Escape")
    settle(page)


def sign_in(page: Any, base: str, email: str, path: str = "/overview") -> None:
    page.context.clear_cookies()  # a fresh sign-in, whatever an earlier test left behind
    page.goto(base + path)
    page.fill("#email", email)
    page.fill("#password", "demo")
    page.click("#login-submit")
    page.wait_for_selector(".kpi")
    settle(page)


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def download(page: Any, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(selector)
    item = info.value
    return item.suggested_filename, Path(item.path()).read_bytes()


def test_dashboard_in_a_browser(server: str, browser_context: tuple[Any, list[str], list[str]]) -> None:
    context, requested, aborted = browser_context
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(server + "/overview")
    assert "/login" in page.url
    shoot(page, "login")
    sign_in(page, server, MANAGER)
    assert page.inner_text("#user-role") == "manager: all data"
    # the offline map: its markers are drawn once the topojson the app serves has loaded
    page.wait_for_selector("[data-visual=sales_by_city] .scattergeo .point")
    assert page.locator("[data-visual=sales_by_city] .scattergeo .point").count() > 10
    assert page.locator("[data-visual=sales_by_city] .geo .countries path, .geo path").count() > 0
    shoot(page, "sales-overview")

    # slicers: a quick pick and a region
    pick(page, "#quick-pick", "Year to date")
    assert "Dates: 2024-01-01 – 2024-12-31" in chips(page)
    pick(page, "#f-regions", "Europe")
    assert "Region: Europe" in chips(page)
    page.click("#clear-all")
    settle(page)
    assert "No filters" in chips(page)

    # cross-filter: a month of the sales vs budget chart
    click_point(page, "sales_vs_budget_by_month", 0)
    assert "Dates: 2022-01-01 – 2022-01-31" in chips(page)
    page.click("#clear-all")
    settle(page)

    # drill down: product hierarchy (category -> subcategory), geography (region -> country), map city
    click_point(page, "product_drill", 0)
    assert "Category: Bikes" in chips(page)
    click_point(page, "product_drill", 0)
    assert "Subcategory:" in chips(page)
    assert page.locator("[data-visual=product_drill] .breadcrumbs .crumb").count() == 3
    page.locator("[data-visual=product_drill] .breadcrumbs button").first.click()
    settle(page)
    assert "Category" not in chips(page)
    click_point(page, "geo_drill", 0)
    click_point(page, "geo_drill", 0)
    assert chips(page).startswith("Geography: North America › United States")
    click_point(page, "sales_by_city", 0, points=".scattergeo .point")
    assert chips(page).count("›") == 2  # region › country › city
    shoot(page, "sales-overview-drilled")
    page.click("#clear-all")
    settle(page)

    # a client in a chart opens their page; every export of it
    first_client = page.evaluate(  # the label of the first bar, from the plot's own data
        "document.querySelector('[data-visual=top_10_clients] .js-plotly-plot').data[0].y[0]"
    )
    click_point(page, "top_10_clients", 0)
    assert page.url.endswith("/customer")
    assert f"Client: {first_client}" in chips(page)
    assert page.inner_text("#page-title") == "Customer Details"
    shoot(page, "customer-details")

    name, body = download(page, "#export-csv")
    assert name == "customer-details-csv.zip"
    archive = zipfile.ZipFile(io.BytesIO(body))
    clients = list(csv.DictReader(io.StringIO(archive.read("clients.csv").decode("utf-8-sig"))))
    assert [c["Client"] for c in clients] == [first_client]
    assert first_client in archive.read("filters.csv").decode("utf-8-sig")
    name, body = download(page, "[data-visual=order_lines] .card-export")
    lines = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines and {line["Client"] for line in lines} == {first_client}
    name, body = download(page, "#export-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(body))
    header, row = list(book["Clients"].iter_rows(max_row=2, values_only=True))
    assert name == "customer-details.xlsx" and row[header.index("Client")] == first_client
    assert ["Filter: Client", first_client] in [
        [c for c in r if c] for r in book["Report"].iter_rows(values_only=True)
    ]
    assert sum(len(sheet._charts) for sheet in book) >= 2
    name, body = download(page, "#export-pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert name == "customer-details.pdf" and f"Client: {first_client}" in " ".join(text.split())

    # time drill on the client's page: year -> months
    click_point(page, "time_drill", 0)
    assert "Dates: 2022-01-01 – 2022-12-31" in chips(page)
    assert "Jan 2022" in page.inner_text("[data-visual=time_drill]")

    # save the view, leave it, reopen it by its link
    page.fill("#view-name", "Top client 2022")
    page.locator("#view-shared input").check()
    page.click("#view-save")
    settle(page)
    link = page.input_value("#view-link")
    assert "/customer?view=" in link and "Saved" in page.inner_text("#view-message")
    page.click("#clear-all")
    settle(page)
    page.click("#nav-campaigns")
    settle(page)
    assert "No filters" in chips(page)
    page.goto(link)
    page.wait_for_selector(".kpi")
    settle(page)
    assert page.inner_text("#page-title") == "Customer Details"
    assert f"Client: {first_client}" in chips(page) and "2022-01-01 – 2022-12-31" in chips(page)
    page.click("#clear-all")
    settle(page)

    # a product opens its page; then a screenshot of every page
    page.click("#nav-overview")
    settle(page)
    click_point(page, "top_10_products", 0)
    assert page.url.endswith("/product") and "Product:" in chips(page)
    shoot(page, "product-details")
    page.click("#clear-all")
    settle(page)
    for slug in ("reps", "customer", "product", "campaigns"):
        page.click(f"#nav-{slug}")
        settle(page)
        assert page.inner_text("#page-title") == PAGES[slug]
        shoot(
            page, PAGES[slug].lower().replace(" ", "-") + ("-all" if slug in ("customer", "product") else "")
        )
    click_point(page, "sales_by_campaign", 0)  # cross-filter by campaign
    assert "Campaign:" in chips(page)

    page.click("#logout")
    page.wait_for_selector("#login-submit")
    page.goto(server + "/reps")
    assert "/login" in page.url
    assert errors == []
    assert_all_local(requested, aborted)
    page.close()


def kpi(page: Any, measure: str) -> str:
    return page.locator(f"[data-measure='{measure}'] .kpi-value").get_attribute("title") or ""


def plot_data(page: Any, visual: str) -> list[dict[str, Any]]:
    """The traces a visual's Plotly chart draws (names, meta, x, y)."""
    return page.evaluate(
        f"() => Array.from(document.querySelector('[data-visual={visual}] .js-plotly-plot').data)"
        ".map(t => ({name: t.name, meta: t.meta, x: t.x, y: t.y}))"
    )


def test_forecast_and_clients_in_a_browser(
    server: str, browser_context: tuple[Any, list[str], list[str]]
) -> None:
    context, requested, aborted = browser_context
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, MANAGER, "/forecast")
    assert page.inner_text("#page-title") == "Forecast"

    # the forecast of the total: actual, forecast and both bands, drawn
    traces = plot_data(page, "forecast_by_month")
    metas = {t["meta"] for t in traces}
    assert {"Forecast Actual", "Forecast", "Forecast Lower 80", "Forecast Upper 95"} <= metas
    forecast = next(t for t in traces if t["meta"] == "Forecast")
    assert len(forecast["y"]) == 12
    assert page.locator("[data-visual=forecast_by_month] path.js-fill").count() >= 2  # the bands
    assert "Total" in page.inner_text("#series-picker")
    total_year = kpi(page, "Projected Full Year")
    assert page.locator("[data-visual=backtest] .dash-spreadsheet td").count() > 15
    shoot(page, "forecast")

    # another series: the chart and the cards follow
    pick(page, "#series-picker .series-dropdown", "Category: Bikes")
    assert "Category: Bikes" in page.inner_text("#series-picker")
    bikes = next(t for t in plot_data(page, "forecast_by_month") if t["meta"] == "Forecast")
    assert bikes["y"] != forecast["y"] and kpi(page, "Projected Full Year") != total_year
    shoot(page, "forecast-bikes")
    # a bar of the projected full year picks its series
    labels = next(t for t in plot_data(page, "projected_vs_budget"))["x"]
    click_point(page, "projected_vs_budget", labels.index("DE"))
    assert "Territory: DE" in page.inner_text("#series-picker")
    # a region filter offers its territories
    pick(page, "#f-regions", "Pacific")
    assert "Territory: AU" in page.inner_text("#series-picker")
    page.click("#clear-all")
    settle(page)

    # clients: segments, activity, acquisition and the at-risk table, with data
    page.click("#nav-clients")
    settle(page)
    assert page.inner_text("#page-title") == "Clients"
    assert page.locator("[data-visual=clients_by_segment] .bars .point path").count() == 8
    assert page.locator("[data-visual=client_activity_by_month] .scatter").count() == 3
    assert page.locator("[data-visual=clients_acquired_by_rep] .bars .point path").count() > 10
    at_risk = kpi(page, "At-Risk Clients")
    assert int(at_risk.replace(",", "")) > 100
    shoot(page, "clients")
    # a filter changes the page
    pick(page, "#f-client-types", "Business")
    assert "Client type: Business" in chips(page)
    assert kpi(page, "At-Risk Clients") != at_risk
    shoot(page, "clients-business")
    # an at-risk client opens their details
    cell = page.locator("[data-visual=at_risk_clients] .dash-spreadsheet td").first
    name = cell.inner_text().strip()
    cell.click()
    settle(page)
    assert page.url.endswith("/customer") and page.inner_text("#page-title") == "Customer Details"
    assert f"Client: {name}" in chips(page)
    page.click("#clear-all")
    settle(page)

    # campaigns: the uplift bar and the effectiveness table
    page.click("#nav-campaigns")
    settle(page)
    assert page.locator("[data-visual=campaign_effectiveness] .bars .point path").count() >= 5
    assert page.locator("[data-visual=campaign_effectiveness] .dash-spreadsheet td").count() > 20
    shoot(page, "campaigns-effectiveness")
    page.click("#logout")
    page.wait_for_selector("#login-submit")
    assert errors == []
    assert_all_local(requested, aborted)
    page.close()


def test_a_rep_in_a_browser(server: str, browser_context: tuple[Any, list[str], list[str]]) -> None:
    context, requested, aborted = browser_context
    page = context.new_page()
    sign_in(page, server, REP, "/campaigns")
    assert page.inner_text("#user-role") == "sales rep: own clients and sales"
    page.click("#nav-reps")
    settle(page)
    reps = page.locator("[data-visual=sales_vs_budget_by_rep] .ytick text")
    assert [reps.nth(i).text_content() for i in range(reps.count())] == ["Felix Braun"]
    pick(page, "#f-customer-keys", "", typed="a")
    assert "Client:" in chips(page)
    shoot(page, "sales-reps-as-a-rep")
    page.click("#clear-all")
    settle(page)
    page.click("#nav-forecast")  # only their own territory's series
    settle(page)
    options = page.evaluate("document.querySelector('#series-picker').innerText")
    assert "Territory: DE" in options and "Total" not in options
    assert len(next(t for t in plot_data(page, "forecast_by_month") if t["meta"] == "Forecast")["y"]) == 12
    shoot(page, "forecast-as-a-rep")
    page.click("#logout")
    page.wait_for_selector("#login-submit")
    assert_all_local(requested, aborted)
    page.close()
