"""Helpers of the browser tests at other screen sizes and with axe-core: the dashboard served on
127.0.0.1 in a background thread, and Debian's Chromium (the flags of ``test_web_browser``) with
a viewport of one's choice, held to the machine (any request elsewhere is aborted and recorded)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest

from salespulse.web.ui.visuals import PAGES
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from web_testing import duckdb_app, forecast_copy

#: Every dashboard page, in the order of the header.
SLUGS = tuple(PAGES)


def serve_dashboard(demo_env: Mapping[str, str], factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """The app on the demo warehouse after the forecast (so every role has a forecast series),
    served by waitress on a free port; yields its base URL (for a module fixture's ``yield from``)."""
    from waitress.server import create_server

    forecast = forecast_copy(demo_env, factory.mktemp(f"{name}-forecast"))
    app, reader = duckdb_app(forecast, factory.mktemp(name))
    http = create_server(app.server, host="127.0.0.1", port=0, threads=6)
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.effective_port}"
    http.close()
    thread.join(timeout=10)
    reader.close()


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
