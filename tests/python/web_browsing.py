"""Helpers of the browser tests at other screen sizes and with axe-core: the dashboard served on
127.0.0.1 in a background thread, and Debian's Chromium (the flags of ``test_web_browser``) with
a viewport of one's choice, held to the machine (any request elsewhere is aborted and recorded)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from salespulse.web.ui.visuals import PAGES
from web_testing import duckdb_app, forecast_copy

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
TIMEOUT_MS = 30_000

#: Every dashboard page, in the order of the header.
SLUGS = tuple(PAGES)

#: A chart of the page Plotly has not drawn yet (Plotly marks the graph's div js-plotly-plot when it
#: draws; Dash's wrapper is there from the start).
UNDRAWN = "#page-content .dash-graph:not(:has(.main-svg))"

#: Scrolls through the page chart by chart, as a reader would, waiting at each until Plotly has
#: started drawing it (at most 2 s), then back to the top.
_SCROLL_THROUGH = """async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  for (const chart of document.querySelectorAll('#page-content .dash-graph')) {
    if (!chart.getClientRects().length) continue; // hidden: drawn once shown
    chart.scrollIntoView({block: 'center'});
    for (let i = 0; i < 60 && !chart.querySelector('.main-svg'); i++) await frame();
  }
  window.scrollTo(0, 0);
}"""

#: The visuals of the charts that are displayed and not drawn yet (a chart whose card is hidden is
#: drawn once it is shown).
_SHOWN_UNDRAWN = """() => Array.from(document.querySelectorAll('#page-content .dash-graph'))
  .filter((chart) => chart.getClientRects().length && !chart.querySelector('.main-svg'))
  .map((chart) => (chart.closest('[data-visual]') || {dataset: {}}).dataset.visual || chart.id)"""


def draw_every_chart(page: Any) -> None:
    """Every chart of the page that is displayed drawn: those off the first screen are drawn only
    when scrolled near (assets/plotly-bundle.js), so scroll through the page, and again, as a reader
    would, while a chart is still undrawn: a figure that arrives after the scroll has passed its
    chart waits off the screen for the next one. Fails naming the charts still undrawn."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        page.evaluate(_SCROLL_THROUGH)
        undrawn = page.evaluate(_SHOWN_UNDRAWN)
        if not undrawn:
            return
        assert time.monotonic() < deadline, f"charts not drawn after {TIMEOUT_MS} ms: {undrawn}"
        page.wait_for_timeout(200)


def scroll_to_visual(page: Any, visual: str) -> None:
    """A visual's card on the screen, so that its chart is drawn (charts draw when scrolled near)."""
    page.locator(f"[data-visual={visual}]").first.scroll_into_view_if_needed()


def serve(app: Any, reader: Any) -> Iterator[str]:
    """``app`` served by waitress on a free port of 127.0.0.1 in a background thread; yields its base
    URL (for a module fixture's ``yield from``) and closes the server and ``reader`` at the end."""
    from waitress.server import create_server

    http = create_server(app.server, host="127.0.0.1", port=0, threads=6)
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.effective_port}"
    http.close()
    thread.join(timeout=10)
    reader.close()


def serve_dashboard(demo_env: Mapping[str, str], factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """The app on the demo warehouse after the forecast (so every role has a forecast series),
    served by waitress on a free port; yields its base URL (for a module fixture's ``yield from``)."""
    forecast = forecast_copy(demo_env, factory.mktemp(f"{name}-forecast"))
    yield from serve(*duckdb_app(forecast, factory.mktemp(name)))


def local_context(
    factory: pytest.TempPathFactory, name: str, **options: Any
) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A fresh Chromium profile at 1440x1000 (Playwright context ``options`` on top), for a module
    fixture's ``yield from``: (context, every URL requested, URLs aborted for leaving the machine)."""
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    aborted: list[str] = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(factory.mktemp(name)),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            **{"viewport": {"width": 1440, "height": 1000}, **options},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda request: requested.append(request.url))
        context.route("**/*", only_local)
        yield context, requested, aborted
        context.close()


class Browser:
    """One headless Chromium; ``context(...)`` opens a fresh profile with Playwright's context
    options (viewport, touch, ...). ``aborted`` lists every request that tried to leave 127.0.0.1."""

    def __init__(self, chromium: Any) -> None:
        self.chromium = chromium
        self.aborted: list[str] = []

    def _only_local(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort()

    def context(self, **options: Any) -> Any:
        context = self.chromium.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._only_local)
        return context


def launch() -> Iterator[Browser]:
    """Chromium for a module fixture (``yield from``); closed when the fixture ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield Browser(chromium)
        chromium.close()


def skip_without_chromium() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make setup installs it)"
    )
