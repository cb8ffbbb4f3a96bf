"""The dashboard on a phone (390 x 844, touch) and on tablets, in Chromium: no page is wider than
the screen (a wide table scrolls inside its card), the cards stack full width and the key figures
wrap, and the filters are a drawer: closed at first, opened by the Filters button, usable (a
region picked in it filters the page), closed by its Close button, a tap beside it or Escape.
Wider screens keep the desktop layout: the filter panel at the side, no Filters button.
"""

from __future__ import annotations

from typing import Any

import pytest

from test_web_browser import chips, settle, sign_in
from web_browsing import SLUGS, Browser, skip_without_chromium
from web_testing import LEAD, MANAGER

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}

pytestmark = skip_without_chromium()

#: Elements that stick out to the right of the viewport and are not inside a scrolling (or
#: clipping) box, i.e. what makes the page wider than the screen.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  return Array.from(document.body.querySelectorAll('*'))
    .filter((e) => e.getBoundingClientRect().right > width + 1 && !inScroller(e))
    .slice(0, 5)
    .map((e) => {
      const classes = typeof e.className === 'string' ? e.className.trim().split(/\\s+/).join('.') : '';
      return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (classes ? '.' + classes : '');
    });
}"""

#: The geometry of the page area: cards, charts, key figures and tables.
LAYOUT = """() => {
  const box = (e) => e.getBoundingClientRect();
  const grid = document.querySelector('#page-content .grid');
  const cards = Array.from(document.querySelectorAll('#page-content .card'));
  const scrolls = (e) =>
    ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1;
  return {
    grid: grid ? box(grid).width : 0,
    cards: cards.map((c) => ({visual: c.dataset.visual, width: box(c).width, right: box(c).right})),
    charts: Array.from(document.querySelectorAll('#page-content .js-plotly-plot')).map((g) => {
      const card = g.closest('.card');
      return {visual: card.dataset.visual, width: box(g).width, card: box(card).width};
    }),
    kpiRows: new Set(Array.from(document.querySelectorAll('.kpi')).map((k) => Math.round(box(k).top))).size,
    tablesScrolling: Array.from(document.querySelectorAll('#page-content .card div')).filter(scrolls).length,
  };
}"""


def page_width(page: Any) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def too_wide(page: Any) -> list[str]:
    """Why the page is wider than the viewport (empty when it is not)."""
    width = page.viewport_size["width"]
    return [] if page_width(page) <= width else [f"{page_width(page)} px", *page.evaluate(OVERFLOWING)]


def drawer_open(page: Any) -> bool:
    shown = page.is_visible("#filters")
    assert page.get_attribute("#filters-toggle", "aria-expanded") == ("true" if shown else "false")
    return shown


def kpi_sales(page: Any) -> str:
    return page.locator("[data-measure='Sales'] .kpi-value").get_attribute("title") or ""


def test_phone(dashboard: str, chromium: Browser) -> None:
    context = chromium.context(**PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(dashboard + "/login")
    assert too_wide(page) == []
    sign_in(page, dashboard, MANAGER)
    toggle = page.get_by_role("button", name="Filters", exact=True)
    assert toggle.is_visible() and not drawer_open(page)  # the page comes first, not the filters

    wide: dict[str, list[str]] = {}
    scrolling_tables = 0
    for slug in SLUGS:
        page.locator(f"#nav-{slug}").tap()  # the page links scroll sideways inside the header
        settle(page)
        assert page.url.endswith(f"/{slug}") and not drawer_open(page)
        wide[slug] = too_wide(page)
        layout = page.evaluate(LAYOUT)
        # every card takes the whole width (one column), no chart is wider than its card
        assert layout["cards"] and all(
            abs(card["width"] - layout["grid"]) <= 1 and card["right"] <= 390 for card in layout["cards"]
        ), (slug, layout)
        assert all(chart["width"] <= chart["card"] for chart in layout["charts"]), (slug, layout["charts"])
        assert layout["kpiRows"] >= 2, slug  # the key figures wrap
        scrolling_tables += layout["tablesScrolling"]
    assert wide == {slug: [] for slug in SLUGS}
    assert scrolling_tables > 0  # the wide tables scroll inside their card instead of widening the page

    page.locator("#nav-overview").tap()
    settle(page)
    before = kpi_sales(page)
    toggle.tap()
    assert drawer_open(page)
    assert page.evaluate("document.activeElement.id") == "filters-close"
    box = page.locator("#filters").bounding_box()
    assert box["x"] == 0 and box["width"] < 390 and too_wide(page) == []

    # a filter picked in the drawer filters the page; closing the list leaves the drawer open
    page.locator("#f-regions").tap()
    page.get_by_role("option", name="Europe").tap()
    page.keyboard.press("Escape")
    settle(page)
    assert drawer_open(page)
    page.get_by_role("button", name="Close", exact=True).tap()
    assert not drawer_open(page)
    assert page.evaluate("document.activeElement.id") == "filters-toggle"
    assert "Region: Europe" in chips(page) and kpi_sales(page) != before

    # a tap beside the drawer and Escape close it too
    toggle.tap()
    assert drawer_open(page)
    page.touchscreen.tap(380, 600)
    assert not drawer_open(page)
    toggle.tap()
    assert drawer_open(page)
    page.keyboard.press("Escape")
    assert not drawer_open(page)
    page.get_by_role("button", name="Filters", exact=True).tap()
    page.get_by_role("button", name="Clear all", exact=True).tap()
    settle(page)
    assert "No filters" in chips(page) and kpi_sales(page) == before
    assert errors == [] and chromium.aborted == []
    context.close()


@pytest.mark.parametrize(
    ("width", "height", "drawer"),
    [(768, 1024, True), (1024, 768, False), (1440, 1000, False)],
    ids=["portrait-tablet", "landscape-tablet", "desktop"],
)
def test_tablets_and_desktop(
    dashboard: str, chromium: Browser, width: int, height: int, drawer: bool
) -> None:
    context = chromium.context(viewport={"width": width, "height": height}, has_touch=width < 1440)
    page = context.new_page()
    sign_in(page, dashboard, LEAD)
    toggle = page.locator("#filters-toggle")
    if drawer:
        assert toggle.is_visible() and not page.is_visible("#filters")
    else:  # the desktop layout: the filter panel at the side, 290 px wide, and no Filters button
        assert not toggle.is_visible() and page.is_visible("#filters")
        assert page.locator("#filters").bounding_box()["width"] == 290
    wide = {}
    for slug in SLUGS:
        page.click(f"#nav-{slug}")
        settle(page)
        wide[slug] = too_wide(page)
    assert wide == {slug: [] for slug in SLUGS}
    assert chromium.aborted == []
    context.close()
