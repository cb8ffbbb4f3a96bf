"""The charts' Plotly: the partial bundle ``npm ci`` builds (scripts/plotly_bundle.mjs), served under
an address carrying its version and kept by the browser, like the map's shapes.

In Chromium with its HTTP cache on, as a user has it (no Playwright route, which would switch the
cache off; other host names do not resolve): every page's charts draw with the bundle and the map
with its versioned shapes, Dash's full Plotly is never asked for, nothing leaves 127.0.0.1, and a
page opened again takes the bundle and the shapes from the cache without asking the server.
Outcomes only, never timings (speed is ``make bench``'s: scripts/bench_browser.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from plotly.offline import get_plotlyjs_version

from salespulse.web.server.assetversions import (
    ASSETS,
    BUNDLE,
    BUNDLE_META,
    bundle_version,
    content_version,
    plotly_bundle_url,
    versioned_url,
)
from salespulse.web.ui.charts import TRACE_TYPES
from test_web_browser import pick, settle, sign_in
from web_browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SLUGS,
    TIMEOUT_MS,
    UNDRAWN,
    draw_every_chart,
    serve_dashboard,
    skip_without_chromium,
)
from web_testing import MANAGER

IMMUTABLE = "public, max-age=31536000, immutable"
#: The trace types the charts draw: what the bundle must hold.
TRACES = set(TRACE_TYPES)
MAP_POINTS = "[data-visual=sales_by_city] .scattergeo .point"

#: Every chart of the page: its visual, whether Plotly drew it, and its traces' types.
CHARTS = """() => Array.from(document.querySelectorAll('#page-content .js-plotly-plot')).map((g) => ({
  visual: g.closest('.card').dataset.visual,
  drawn: !!(g._fullLayout && g.querySelector('.main-svg')),
  types: (g.data || []).map((t) => t.type || 'scatter'),
}))"""

#: The cache's part in a resource: bytes over the network (0: taken from the browser's cache).
TRANSFERRED = """(path) => performance.getEntriesByType('resource')
  .filter((e) => new URL(e.name).pathname === path)
  .map((e) => ({url: e.name, transferred: e.transferSize, size: e.decodedBodySize}))"""


#: A map located by country names (no chart does so; plotly.js's own feature): points drawn.
LOCATED = """async () => {
  const div = document.createElement('div');
  document.body.appendChild(div);
  await Plotly.newPlot(div, [{type: 'scattergeo', locationmode: 'country names', locations: ['France'],
                              mode: 'markers'}], {}, {topojsonURL: '/assets/topojson/'});
  const found = div.querySelectorAll('.scattergeo .point').length;
  Plotly.purge(div);
  div.remove();
  return found;
}"""


def test_the_bundle_is_built_for_the_installed_plotly() -> None:
    """``npm ci`` built the bundle (package.json's postinstall) of the plotly.js version Python's
    plotly ships, and the app uses it."""
    assert bundle_version(ASSETS / BUNDLE) == get_plotlyjs_version(), "run npm ci (make setup)"
    assert plotly_bundle_url() == versioned_url(BUNDLE)


def test_a_bundle_of_another_version_or_none_is_not_used(tmp_path: Path) -> None:
    """No bundle, or one of another plotly.js version (a stale node_modules): Dash's full Plotly."""
    assert plotly_bundle_url(tmp_path) is None
    stale = tmp_path / BUNDLE
    stale.parent.mkdir(parents=True)
    stale.write_text("/* plotly.js v0.0.1 (MIT, Plotly, Inc.), partial bundle: bar. */ var Plotly = {};\n")
    assert bundle_version(stale) == "0.0.1" and plotly_bundle_url(tmp_path) is None
    stale.write_text(f"/* plotly.js v{get_plotlyjs_version()} (MIT), partial bundle: bar. */ var Plotly;\n")
    assert plotly_bundle_url(tmp_path) == f"/assets/{BUNDLE}?v={content_version(stale)}"
    version = content_version(stale)
    stale.write_text(stale.read_text() + "// changed\n")
    assert content_version(stale) != version  # new bytes, new address


@pytest.fixture(scope="module")
def server(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_dashboard(demo_duckdb, tmp_path_factory, "web-bundle")


@pytest.fixture(scope="module")
def cached_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str]]]:
    """Chromium with a profile of its own and its HTTP cache on; (context, every URL requested)."""
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("bundle-profile")),
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
            headless=True,
            viewport={"width": 1440, "height": 1000},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda request: requested.append(request.url))
        yield context, requested
        context.close()


@skip_without_chromium()
def test_every_page_draws_with_the_partial_bundle(server: str, cached_browser: tuple[Any, list[str]]) -> None:
    context, requested = cached_browser
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, MANAGER)
    bundle = page.get_attribute(f"meta[name={BUNDLE_META}]", "content")
    assert bundle == versioned_url(BUNDLE)

    page.wait_for_selector(MAP_POINTS)
    assert page.locator(MAP_POINTS).count() > 10
    assert page.locator("[data-visual=sales_by_city] .geo .countries path").count() > 0
    # the bundle's Plotly, of the version Python's plotly ships, with the charts' trace types only
    plotly = page.evaluate("() => [Plotly.version, Object.keys(Plotly.PlotSchema.get().traces)]")
    assert plotly[0] == get_plotlyjs_version() and set(plotly[1]) == TRACES

    drawn: dict[str, list[dict[str, Any]]] = {}
    for slug in SLUGS:
        if slug != "overview":
            page.click(f"#nav-{slug}")
        settle(page)
        page.wait_for_function(f"() => !document.querySelector('{UNDRAWN}')")
        drawn[slug] = page.evaluate(CHARTS)
    assert all(drawn.values()), drawn  # every page has charts
    not_drawn = [(slug, c["visual"]) for slug, charts in drawn.items() for c in charts if not c["drawn"]]
    assert not_drawn == []
    assert {t for charts in drawn.values() for c in charts for t in c["types"]} <= TRACES
    assert errors == []

    paths = [urlsplit(url) for url in requested]
    assert {p.hostname for p in paths} == {"127.0.0.1"}, sorted(
        {u for u in requested if "127.0.0.1" not in u}
    )
    assert not [p for p in paths if p.path.endswith("/package_data/plotly.min.js")]  # Dash's full Plotly
    asked = [p for p in paths if p.path == f"/assets/{BUNDLE}"]
    assert [f"{p.path}?{p.query}" for p in asked] == [bundle]
    shapes = [p for p in paths if p.path.startswith("/assets/topojson/")]
    assert shapes and all(re.fullmatch(r"v=[0-9a-f]{16}", p.query) for p in shapes), shapes
    for url in [bundle, f"{shapes[0].path}?{shapes[0].query}"]:
        answer = page.request.get(server + url)
        assert answer.ok and answer.headers["cache-control"] == IMMUTABLE, url

    # the bundle looks country names up on first use only (scripts/plotly_bundle.mjs): still found
    located = page.evaluate(LOCATED)
    assert located == 1, located

    # opened again: the bundle and the map's shapes come from the browser's cache, without a byte
    # from the server (a revalidation would transfer its headers)
    page.goto(server + "/overview")
    page.wait_for_selector(".kpi")
    draw_every_chart(page)
    page.wait_for_selector(MAP_POINTS)
    for path in (f"/assets/{BUNDLE}", shapes[0].path):
        entries = page.evaluate(TRANSFERRED, path)
        assert entries and all(e["transferred"] == 0 and e["size"] > 0 for e in entries), (path, entries)
    assert errors == []


#: How the page got Plotly and the map's shapes: the bundle's script elements (where), and who
#: fetched the world's shapes (``fetch``: assets/plotly-bundle.js; ``xmlhttprequest``: Plotly).
LOADED_BY = """() => ({
  scripts: Array.from(document.querySelectorAll('script[src*="plotly.min.js"]'))
    .map((s) => s.parentElement.tagName),
  shapes: performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname.startsWith('/assets/topojson/'))
    .map((e) => e.initiatorType),
  handed: !!(window.PlotlyGeoAssets && window.PlotlyGeoAssets.topojson.world_110m),
  layout: performance.getEntriesByType('resource')
    .filter((e) => ['/_dash-layout', '/_dash-dependencies'].includes(new URL(e.name).pathname))
    .map((e) => e.initiatorType),
  real: typeof window.Plotly.react === 'function',
})"""


@skip_without_chromium()
def test_plotly_and_the_maps_shapes_load_beside_the_layout(
    server: str, cached_browser: tuple[Any, list[str]]
) -> None:
    """A page opened by its address loads the bundle and the world's shapes itself, once the page
    has loaded, while the layout is on the server (assets/plotly-bundle.js): one script, in the
    head (Dash's graph would add its own to the body), and the shapes fetched by the page, not by
    Plotly after the map drew without them. The charts draw with that Plotly. The layout and the
    callbacks are preloaded by the page's Link header, not asked for by Dash's renderer once its
    scripts have run, and not asked for twice."""
    context, _ = cached_browser
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, MANAGER)
    for slug in ("overview", "reps", "overview"):
        page.goto(f"{server}/{slug}")
        page.wait_for_selector("#page-content .js-plotly-plot .main-svg")
        settle(page)
        page.wait_for_function(f"() => !document.querySelector('{UNDRAWN}')")
        loaded = page.evaluate(LOADED_BY)
        assert loaded["scripts"] == ["HEAD"], (slug, loaded)
        assert loaded["shapes"] == ["fetch"] and loaded["handed"] and loaded["real"], (slug, loaded)
        # the layout and the callbacks asked for once each, by the page's preload (web/server/app.py)
        assert loaded["layout"] == ["link", "link"], (slug, loaded)
        assert page.evaluate(CHARTS) and all(c["drawn"] for c in page.evaluate(CHARTS)), slug
    assert page.locator(MAP_POINTS).count() > 10
    assert errors == []


#: Every chart of the page: its visual, whether Plotly drew it, where its card starts and its height.
PLACED = """() => Array.from(document.querySelectorAll('#page-content .dash-graph')).map((g) => ({
  visual: g.closest('.card').dataset.visual,
  drawn: !!g.querySelector('.main-svg'),
  top: g.getBoundingClientRect().top,
  height: g.getBoundingClientRect().height,
}))"""
IDLE = "() => !document.querySelector('._dash-loading-callback, [data-dash-is-loading=\"true\"]')"


def _opened_unscrolled(page: Any, server: str) -> list[dict[str, Any]]:
    """Sales Overview opened by its address and left at the top: its charts once Dash is idle."""
    page.goto(f"{server}/overview")
    page.wait_for_selector("#page-content .dash-graph .main-svg")
    page.wait_for_function(IDLE)
    page.wait_for_timeout(500)
    return page.evaluate(PLACED)


@skip_without_chromium()
def test_charts_below_the_first_screen_draw_when_scrolled_to(
    server: str, cached_browser: tuple[Any, list[str]]
) -> None:
    """The charts on the first screen are drawn as the page loads; those below it wait, in their
    place, until they are scrolled near (assets/plotly-bundle.js). A filter changed meanwhile
    draws the new figure; printing draws every chart."""
    context, _ = cached_browser
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, MANAGER)
    screen = page.viewport_size["height"]

    charts = _opened_unscrolled(page, server)
    near = [c["visual"] for c in charts if c["top"] < screen + 200]
    assert near and [c["visual"] for c in charts if c["drawn"]] == near, charts
    waiting = [c for c in charts if not c["drawn"]]
    assert "sales_by_city" in [c["visual"] for c in waiting], charts
    assert all(c["height"] >= 200 for c in waiting), waiting  # in their place, not collapsed
    page.locator("[data-visual=sales_by_city]").scroll_into_view_if_needed()
    page.wait_for_selector(MAP_POINTS)
    everywhere = page.locator(MAP_POINTS).count()

    # printing draws every chart still waiting
    _opened_unscrolled(page, server)
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function(f"() => !document.querySelector('{UNDRAWN}')")

    # a region picked while the map waits: the map, scrolled to, shows that region's cities only
    _opened_unscrolled(page, server)
    page.click("#f-regions")
    page.get_by_role("option", name="Europe").first.click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(250)
    page.wait_for_function(IDLE)
    assert [c["drawn"] for c in page.evaluate(PLACED) if c["visual"] == "sales_by_city"] == [False]
    page.locator("[data-visual=sales_by_city]").scroll_into_view_if_needed()
    page.wait_for_selector(MAP_POINTS)
    europe = page.locator(MAP_POINTS).count()
    assert 0 < europe < everywhere
    page.goto(f"{server}/overview")  # the same filter picked with every chart drawn: the same cities
    page.wait_for_selector(".kpi")
    pick(page, "#f-regions", "Europe")
    assert page.locator(MAP_POINTS).count() == europe
    assert errors == []
