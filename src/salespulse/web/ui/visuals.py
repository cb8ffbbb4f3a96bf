"""What each page shows on the web: its visuals, in order, and what a click on each does.

Rendered from the page spec (``salespulse/semantic/pages.yml``, the same spec the Power BI report's
pages are written from): a visual's title, measures and category fields come from there, and its
``web`` block gives the web's own rendering (Plotly chart kind, category column, click, width).
The screen (``render``), the exports (``salespulse.web.exports.routes``) and the click handling
(``actions``) all read these specs, so an export holds exactly the visuals of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from salespulse.semantic.pages import WEB, PageSpec, VisualSpec, load_pages

#: URL slug -> page name (the page spec's title; ``salespulse.web.query.pages.PAGES`` builds each page's
#: data by that name). The web's pages, in the spec's order.
PAGES: dict[str, str] = {page.slug: page.title for page in load_pages().on(WEB)}
DEFAULT_SLUG = next(iter(PAGES))


@dataclass(frozen=True)
class Visual:
    """One chart, table or row of cards.

    ``kind``: kpis | bar | hbar | combo | lines | stacked | band | map | table. ``x`` is the
    category column, ``y`` the measures, ``series`` a column that splits traces (``lines`` without
    one: a line per measure; ``band``: actual, forecast, then the lower / upper bounds of each
    interval, narrowest first). ``click`` names the action
    of a click (see ``actions``); ``key`` is the column holding the clicked entity's key (tables:
    the row id). ``limit`` caps the rows a chart draws (the export keeps them all).
    """

    dataset: str
    title: str
    kind: str
    x: str | None = None
    y: tuple[str, ...] = ()
    series: str | None = None
    click: str | None = None
    key: str | None = None
    width: int = 6
    limit: int | None = None
    hint: str = ""

    @property
    def drill(self) -> str | None:
        """The hierarchy this visual drills (time, product, geo), if any."""
        return self.click.removesuffix("_drill") if self.click and self.click.endswith("_drill") else None


#: Visual kinds drawn as a drill-down (their category column is the level's member ``Name``).
DRILLS = ("time_drill", "product_drill", "geo_drill")
#: Web kinds without a category axis.
NO_AXIS = ("kpis", "table")


def web_visual(spec: VisualSpec) -> Visual:
    """The web's rendering of a visual of the page spec."""
    web = spec.web
    kind = str(web.get("kind"))
    click = web.get("click")
    x = web.get("x")
    if x is None and kind not in NO_AXIS:
        fields = web.category if web.category is not None else spec.category or spec.drill
        x = "Name" if click in DRILLS else fields[0].name
    series = web.get("series") or (spec.series.name if spec.series else None)
    limit = web.get("limit")
    return Visual(
        str(web.get("dataset", spec.id)),
        spec.title_on(WEB),
        kind,
        x=x,
        y=() if kind == "kpis" else spec.measures_on(WEB),
        series=series,
        click=click,
        key=web.get("key"),
        width=int(web.get("width", 6)),
        limit=int(limit) if limit is not None else None,
        hint=str(web.get("hint", "")).format(limit=limit),
    )


def _page_visuals(page: PageSpec) -> tuple[Visual, ...]:
    return tuple(web_visual(spec) for spec in page.visuals_on(WEB))


#: URL slug -> the page's visuals, in page order.
VISUALS: dict[str, tuple[Visual, ...]] = {page.slug: _page_visuals(page) for page in load_pages().on(WEB)}


@cache
def page_spec(slug: str) -> PageSpec:
    """The page spec of the web page ``slug``."""
    return load_pages().by_slug(slug)


def visuals(slug: str) -> tuple[Visual, ...]:
    return VISUALS[slug]


def visual(slug: str, dataset: str, kind: str | None = None) -> Visual | None:
    for item in VISUALS.get(slug, ()):
        if item.dataset == dataset and (kind is None or item.kind == kind):
            return item
    return None


def chart_id(slug: str, item: Visual) -> str:
    """The component id part of a visual (unique per page)."""
    return f"{slug}:{item.dataset}:{item.kind}"
