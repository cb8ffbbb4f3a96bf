"""A page opened by its address is drawn by the layout request itself (``web/ui/first_page.py``):
the first callback then sends nothing, and the page is the one the callback would have drawn. A
page opened from the root or by a link with a query keeps the callback path. In Chromium, against
the app served on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from salespulse.web.ui.visuals import PAGES
from test_web_browser import settle
from web_browsing import CHROMIUM, local_context, serve_dashboard
from web_testing import MANAGER

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make setup installs it)"
)


@pytest.fixture(scope="module")
def server(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_dashboard(demo_duckdb, tmp_path_factory, "web-first-page")


@pytest.fixture(scope="module")
def page(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    for context, _, aborted in local_context(tmp_path_factory, "chromium-first-page"):
        tab = context.new_page()
        tab.goto(server + "/overview")
        tab.fill("#email", MANAGER)
        tab.fill("#password", "demo")
        tab.click("#login-submit")
        tab.wait_for_selector(".kpi")
        yield tab
        assert aborted == []


#: Something of a page drawn in the page area.
DRAWN = "#page-content .kpi, #page-content .js-plotly-plot, #page-content .dash-table-container"


def _open(tab: Any, url: str) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """Load ``url``; (the layout's JSON, every callback response as (status, body)) of that load."""
    layouts: list[Any] = []
    callbacks: list[Any] = []

    def record(response: Any) -> None:
        path = urlsplit(response.url).path  # callbacks carry a query (``?endId=``)
        if path == "/_dash-layout":
            layouts.append(response)
        elif path == "/_dash-update-component":
            callbacks.append(response)

    tab.on("response", record)
    try:
        tab.goto(url)
        tab.wait_for_selector(
            "#page-content .kpi, #page-content .js-plotly-plot, #page-content .dash-table-container"
        )
        settle(tab)
    finally:
        tab.remove_listener("response", record)
    assert len(layouts) == 1
    bodies = [(response.status, response.text() if response.status == 200 else "") for response in callbacks]
    return layouts[0].json(), bodies


def _stores(layout: dict[str, Any]) -> dict[str, Any]:
    """The layout's components by id (a walk of Dash's JSON tree)."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(layout)
    return found


def _drew_page(bodies: list[tuple[int, str]]) -> bool:
    return any(
        "page-content" in json.loads(body).get("response", {}) for status, body in bodies if status == 200
    )


@pytest.mark.parametrize("slug", list(PAGES))
def test_a_page_opened_by_its_address_comes_drawn_with_the_layout(page: Any, server: str, slug: str) -> None:
    layout, bodies = _open(page, f"{server}/{slug}")
    components = _stores(layout)
    assert components["first-page"]["data"] == slug
    assert components["page-content"].get("children"), "the layout carries the page"
    assert components["page-title"]["children"] == PAGES[slug]
    # no hidden warm-up chart and table: the page's own charts ask for their code at once
    assert not {"warm-up-chart", "warm-up-table"} & set(components)
    assert bodies, "the page's first callback ran"
    assert not _drew_page(bodies), "the first callback drew the page again"
    assert page.inner_text("#page-title") == PAGES[slug]
    assert "active" in (page.get_attribute(f"#nav-{slug}", "class") or "")
    assert page.get_attribute("#export-csv", "href").startswith(f"/export/csv?page={slug}")


def test_the_root_and_links_with_a_query_are_drawn_by_the_callback(page: Any, server: str) -> None:
    layout, bodies = _open(page, f"{server}/")
    assert _stores(layout)["first-page"]["data"] is None
    # the hidden chart and table fetch their code while the first callback is on the server
    assert {"warm-up-chart", "warm-up-table"} <= set(_stores(layout))
    assert _drew_page(bodies)
    first = next(iter(PAGES))
    layout, bodies = _open(page, f"{server}/{first}?view=no-such-view")
    assert _stores(layout)["first-page"]["data"] is None
    assert _drew_page(bodies)
    assert "does not exist" in page.inner_text("#notice")


def test_a_page_drawn_by_the_layout_answers_the_next_action(page: Any, server: str) -> None:
    _open(page, f"{server}/overview")
    before = page.inner_text("#active-filters")
    page.click("#f-regions")
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    settle(page)
    assert page.inner_text("#active-filters") != before


def test_a_signed_in_page_preloads_its_layout(page: Any, server: str) -> None:
    """A dashboard page tells the browser to ask for its layout and callbacks at once (a ``Link``
    preload header), not once Dash's scripts have run; the sign-in page, to anyone, does not."""
    signed_in = page.request.get(f"{server}/customer")
    assert signed_in.status == 200
    link = signed_in.headers.get("link", "")
    preloaded = re.findall(r"<([^>]+)>; rel=preload; as=fetch; crossorigin", link)
    assert preloaded == ["/_dash-layout", "/_dash-dependencies"]
    for path in ("/login", "/overview"):  # nobody signed in: the sign-in page (redirected to)
        with urlopen(f"{server}{path}") as anonymous:
            assert urlsplit(anonymous.url).path == "/login" and anonymous.headers.get("Link") is None
