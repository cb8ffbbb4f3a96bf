"""Accessibility of the dashboard, checked in Chromium with axe-core (from npm: package-lock.json,
installed by `make setup`): no serious or critical violation of the WCAG 2.0 / 2.1 A and AA rules
on any page, for each role, in the default view and with a slicer's list, the calendar, filters
and a table's second page; the phone layout with its filter drawer open; and the slicers reached
and used from the keyboard.

axe-core is injected by the test (``add_script_tag``), never fetched: the context bypasses the
app's Content-Security-Policy, which (rightly) refuses inline scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from salespulse.settings import PROJECT_ROOT
from test_web_browser import chips, settle, sign_in
from web_browsing import SLUGS, Browser, skip_without_chromium
from web_testing import LEAD, MANAGER, REP

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
ROLES = {"manager": MANAGER, "regional lead": LEAD, "sales rep": REP}
DESKTOP = {"viewport": {"width": 1440, "height": 1000}, "bypass_csp": True}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "bypass_csp": True,
}

pytestmark = skip_without_chromium()


@pytest.fixture(scope="module")
def axe() -> Path:
    """axe-core's script; a missing install fails (a skipped check would pass unnoticed)."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE.relative_to(PROJECT_ROOT)} is missing): run `make setup` "
            "(it runs `npm ci --no-audit --no-fund` on package-lock.json)",
            pytrace=False,
        )
    return AXE


def violations(page: Any, axe: Path) -> list[str]:
    """The serious and critical WCAG A / AA violations axe-core finds in the page as it is now:
    ``rule (impact): element, element, ...``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    found = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                     resultTypes: ['violations']}))
            .violations.map(v => ({id: v.id, impact: v.impact,
                                   targets: v.nodes.map(n => n.target.join(' '))}))""",
        WCAG,
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(v['targets'][:4])}"
        + (f" and {len(v['targets']) - 4} more" if len(v["targets"]) > 4 else "")
        for v in found
        if v["impact"] in BLOCKING
    ]


def test_sign_in_page(axe: Path, dashboard: str, chromium: Browser) -> None:
    context = chromium.context(**DESKTOP)
    page = context.new_page()
    page.goto(dashboard + "/login")
    assert violations(page, axe) == []
    context.close()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_for_every_role(axe: Path, dashboard: str, chromium: Browser, role: str) -> None:
    context = chromium.context(**DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, dashboard, ROLES[role])
    assert page.evaluate("document.documentElement.lang") == "en"  # written by the server
    found = {}
    for slug in SLUGS:
        page.click(f"#nav-{slug}")
        settle(page)
        found[slug] = violations(page, axe)
    assert found == {slug: [] for slug in SLUGS}
    assert errors == [] and chromium.aborted == []
    context.close()


def test_open_lists_calendar_filters_and_pages(axe: Path, dashboard: str, chromium: Browser) -> None:
    """What the default views do not show: a slicer's list open, the calendar open, active filter
    chips, a table turned to its next page."""
    context = chromium.context(**DESKTOP)
    page = context.new_page()
    sign_in(page, dashboard, MANAGER)
    found: dict[str, list[str]] = {}

    page.click("#f-regions")
    page.get_by_role("listbox", name="Region").wait_for()
    found["region list open"] = violations(page, axe)
    page.get_by_role("option", name="Europe").click()
    page.keyboard.press("Escape")
    settle(page)
    assert "Region: Europe" in chips(page)
    page.click("#quick-pick")
    page.get_by_role("listbox", name="Dates").wait_for()
    found["quick picks open"] = violations(page, axe)
    page.keyboard.press("Escape")
    page.click("#dates")
    page.locator(".dash-datepicker-calendar").first.wait_for()
    found["calendar open"] = violations(page, axe)
    page.keyboard.press("Escape")
    settle(page)
    found["filtered"] = violations(page, axe)

    page.click("#nav-customer")
    settle(page)
    next_page = page.locator("[data-visual=clients]").get_by_role("button", name="Next page")
    next_page.click()  # found by its name: the icon button had none
    settle(page)
    found["table page 2"] = violations(page, axe)
    assert found == {state: [] for state in found}
    context.close()


def test_phone_with_the_filter_drawer_open(axe: Path, dashboard: str, chromium: Browser) -> None:
    context = chromium.context(**PHONE)
    page = context.new_page()
    sign_in(page, dashboard, REP)
    found = {"drawer closed": violations(page, axe)}
    page.get_by_role("button", name="Filters", exact=True).tap()
    page.locator("#filters").wait_for(state="visible")
    found["drawer open"] = violations(page, axe)
    assert found == {"drawer closed": [], "drawer open": []}
    context.close()


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {id: e.id, role: e.getAttribute('role'), tag: e.tagName.toLowerCase(),
                           name: e.closest('label') ? e.closest('label').innerText.trim() : ''}; }"""
    )


def test_slicers_from_the_keyboard(dashboard: str, chromium: Browser) -> None:
    """Tab stops on each slicer's button (not on the hidden stand-in Dash 4 puts before it), Enter
    opens its list, the arrows move through the options, Enter picks one."""
    context = chromium.context(**DESKTOP)
    page = context.new_page()
    sign_in(page, dashboard, MANAGER)
    page.focus("#clear-all")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "quick-pick"
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "clear-all"
    for expected in ("quick-pick", "dates", "dates-end-date", "f-regions"):
        page.keyboard.press("Tab")
        assert focused(page)["id"] == expected
    page.keyboard.press("Enter")
    page.get_by_role("listbox", name="Region").wait_for()
    page.keyboard.press("ArrowDown")
    # Dash moves the focus on the next animation frame
    page.wait_for_function("document.activeElement.getAttribute('role') === 'option'")
    option = focused(page)
    assert option["role"] == "option" and option["name"] == "Europe"
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    assert "Region: Europe" in chips(page)
    assert focused(page)["id"] == "f-regions"
    context.close()
