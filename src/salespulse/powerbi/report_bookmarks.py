"""Saved views (bookmarks) and the report-level filter cards they set.

A bookmark restores the filter cards of the report and of its page by name (set to a value, or
cleared), and visual-level filters by expression, the way Desktop captures them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salespulse.powerbi.pbir import LESS_THAN, SCHEMAS, Json, Ref, col, in_filter, msr
from salespulse.powerbi.report_pages import OVERVIEW_BUDGET_YEAR_FILTER, REPS_TABLE, REPS_WITH_QUOTA, Page
from salespulse.powerbi.visuals import MeasureFilter, slug

EXPLORATION_STATE_VERSION = "1.3"
HOW_CREATED_USER = 1  # bookmark filter states number Desktop's "howCreated" kinds
HOW_CREATED_AUTO = 0

# Report-level filter cards (empty until a bookmark sets them): the relative periods of Date.
# They are hidden in view mode: readers never see an empty card; the bookmarks set and clear them
# by name (a bookmark restores named filter cards only), and the bookmark navigator shows which
# saved view is on.
REPORT_FILTERS: tuple[tuple[str, Ref], ...] = (
    ("report_period_ytd", col("Date", "Is YTD")),
    ("report_period_last_12_months", col("Date", "Is Last 12 Months")),
    ("report_period_last_24_months", col("Date", "Is Last 24 Months")),
)


@dataclass(frozen=True)
class BookmarkSpec:
    display_name: str
    page: str
    description: str
    report_filters: dict[str, tuple[bool | int | str, ...]] = field(default_factory=dict)
    page_filters: dict[str, tuple[bool | int | str, ...]] = field(default_factory=dict)
    visual_filters: tuple[MeasureFilter, ...] = ()

    @property
    def name(self) -> str:
        return f"bookmark_{slug(self.display_name)}"


def bookmark_specs() -> tuple[BookmarkSpec, ...]:
    """The saved views. None names a year: the budget year is Date[Is Budget Year] and the other
    periods are the relative flags of Date, so every view follows the warehouse's settings."""
    return (
        BookmarkSpec(
            "Budget year vs budget",
            "sales_overview",
            "Sales Overview for the budget year (Date[Is Budget Year]: SALESPULSE_BUDGET_YEAR, else the"
            " as-of year): sales against budget month by month.",
            page_filters={OVERVIEW_BUDGET_YEAR_FILTER: (True,)},
        ),
        BookmarkSpec(
            "Year to date",
            "sales_overview",
            "Every page limited to 1 January up to the as-of date.",
            report_filters={"report_period_ytd": (True,)},
        ),
        BookmarkSpec(
            "Last 12 months",
            "sales_overview",
            "Every page limited to the as-of month to date and the 11 whole months before it.",
            report_filters={"report_period_last_12_months": (True,)},
        ),
        BookmarkSpec(
            "Last 24 months",
            "sales_overview",
            "Every page limited to the as-of month to date and the 23 whole months before it.",
            report_filters={"report_period_last_24_months": (True,)},
        ),
        BookmarkSpec(
            "Reps behind budget",
            "sales_reps",
            "Sales Reps, the table showing only reps with a quota and below 100 % attainment.",
            # the table's own filter (reps with a quota) restated, so blanks never pass "< 100 %"
            visual_filters=(REPS_WITH_QUOTA, MeasureFilter(REPS_TABLE, msr("Attainment %"), LESS_THAN, 1.0)),
        ),
        BookmarkSpec(
            "All history",
            "sales_overview",
            "Sales Overview with every saved period filter cleared.",
        ),
    )


def report_filter_cards() -> list[Json]:
    """The report's filter-pane cards, as report.json's ``filterConfig`` lists them."""
    return [filter_card(name, ref) for name, ref in REPORT_FILTERS]


def filter_card(name: str, ref: Ref, *, hidden: bool = True) -> Json:
    """A filter-pane card on ``ref`` with no value set: hidden in view mode unless ``hidden`` is
    False (a card that exists only for bookmarks to set would show readers an empty card)."""
    card: Json = {"name": name, "field": ref.expr(), "type": "Categorical", "howCreated": "User"}
    if hidden:
        card["isHiddenInViewMode"] = True
    return card


def _card_state(name: str, ref: Ref, values: tuple[bool | int | str, ...] | None) -> Json:
    state: Json = {"name": name, "type": "Categorical"}
    if values:
        state["filter"] = in_filter(ref, values)
    state["howCreated"] = HOW_CREATED_USER
    return state


def _by_name(cards: tuple[tuple[str, Ref], ...], values: dict[str, tuple[bool | int | str, ...]]) -> Json:
    unknown = set(values) - {name for name, _ in cards}
    if unknown:
        raise KeyError(f"bookmark sets filter cards that do not exist: {sorted(unknown)}")
    return {"byName": {name: _card_state(name, ref, values.get(name)) for name, ref in cards}}


def _visual_states(spec: BookmarkSpec, page: Page) -> Json:
    states: Json = {}
    for visual, _ in page.placed():
        state: Json = {}
        targets = [target for target in spec.visual_filters if target.visual == visual.name]
        if targets:
            state["filters"] = {
                "byExpr": [
                    {
                        "name": target.name(page.name),
                        "type": "Advanced",
                        "filter": target.filter(),
                        "expression": target.measure.expr(),
                        "howCreated": HOW_CREATED_AUTO,
                    }
                    for target in targets
                ]
            }
        state["singleVisual"] = {"visualType": visual.config["visualType"], "objects": {}}
        states[visual.name] = state
    missing = sorted({target.visual for target in spec.visual_filters} - set(states))
    if missing:
        raise KeyError(f"bookmark {spec.display_name!r}: no visual {missing} on {page.name}")
    return states


def render_bookmark(spec: BookmarkSpec, page: Page) -> Json:
    section: Json = {}
    if page.filters:
        section["filters"] = _by_name(page.filters, spec.page_filters)
    elif spec.page_filters:
        raise KeyError(f"bookmark {spec.display_name!r}: page {page.name} has no filter cards")
    section["visualContainers"] = _visual_states(spec, page)
    return {
        "$schema": SCHEMAS["bookmark"],
        "displayName": spec.display_name,
        "name": spec.name,
        "explorationState": {
            "version": EXPLORATION_STATE_VERSION,
            "activeSection": page.name,
            "filters": _by_name(REPORT_FILTERS, spec.report_filters),
            "sections": {page.name: section},
        },
    }


def render_bookmarks_metadata(specs: tuple[BookmarkSpec, ...]) -> Json:
    return {"$schema": SCHEMAS["bookmarks"], "items": [{"name": spec.name} for spec in specs]}
