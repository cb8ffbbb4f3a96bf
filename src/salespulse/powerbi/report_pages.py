"""The report's pages: where each visual of the page spec sits, and how Power BI draws it.

What a page shows (its visuals' titles, measures, category fields, drills, sorts, top N, filters,
tooltips) is the page spec's (``salespulse/semantic/pages.yml``), which the web dashboard renders
too; this module adds Power BI's rendering: the PBIR visual types (the spec's ``powerbi`` blocks),
each page's grid (``LAYOUTS``), the rail of slicers, bookmarks' filter cards, the mobile layout.

Every report page is 1280 x 720. A rail on the left holds the page heading and the slicers, synced
across pages; the rest of the canvas is a grid of rows, each row split between its visuals by
weight, so no two visuals overlap. A page's rail holds only the slicers that act on its visuals:
the slicer's table reaches a table the visual reads through the model's relationships
(``report_scope``). The main pages also have a mobile layout: heading, cards two by two, then each
chart full width. The tooltip page (320 x 240) is shown when hovering a client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from salespulse.powerbi.pbir import GREATER_THAN, Json, Ref, col, msr
from salespulse.powerbi.report_fields import MEASURE, document_field_refs
from salespulse.powerbi.report_scope import acts_on, semantic_scope
from salespulse.powerbi.visuals import (
    MeasureFilter,
    Position,
    Visual,
    back_button,
    bookmark_navigator,
    card,
    chart,
    error_band,
    only,
    single_slicer,
    slicer,
    slug,
    text_card,
    textbox,
    top_n,
)
from salespulse.semantic.measures import CARD_PERIODS, DEFAULT_PERIOD
from salespulse.semantic.pages import POWERBI, Field, PageSpec, VisualSpec, load_pages

WIDTH, HEIGHT = 1280, 720
TOOLTIP_WIDTH, TOOLTIP_HEIGHT = 320, 240  # Desktop's Tooltip page size
MOBILE_WIDTH = 320  # the phone canvas of Desktop's mobile layout
GAP = 8
RAIL_X, RAIL_WIDTH = GAP, 192
CONTENT_X = RAIL_X + RAIL_WIDTH + GAP
CONTENT_WIDTH = WIDTH - CONTENT_X - GAP


@dataclass(frozen=True)
class SlicerSpec:
    field: Ref
    mode: str  # "Between" (date range) or "Dropdown"
    search: bool = False

    @property
    def sync_group(self) -> str:
        """One group per field, the same on every page (Desktop's default: the field's name)."""
        return self.field.name


SLICERS = (
    SlicerSpec(col("Date", "Date"), "Between"),
    SlicerSpec(col("Territory", "Region"), "Dropdown"),
    SlicerSpec(col("Sales Rep", "Sales Rep"), "Dropdown"),
    SlicerSpec(col("Product", "Category", display="Product category"), "Dropdown"),
    SlicerSpec(col("Customer", "Client"), "Dropdown", search=True),
    SlicerSpec(col("Customer", "Client Type"), "Dropdown"),
    SlicerSpec(col("Customer", "Industry"), "Dropdown"),
    SlicerSpec(col("Campaign", "Campaign"), "Dropdown"),
)

# The Sales Overview's filter card on the budget year, set by the "Budget year vs budget" bookmark:
# a flag of the Date table (SALESPULSE_BUDGET_YEAR, else the as-of year), never a year number.
OVERVIEW_BUDGET_YEAR_FILTER = "sales_overview_budget_year"
BUDGET_YEAR = col("Date", "Is Budget Year")
TOTAL_SERIES = "All"  # Forecast Series[Series] of the company total (series level "total")
BOOKMARK_NAVIGATOR = "saved_views"
CLIENT_TOOLTIP = "client_tooltip"  # the tooltip page shown when hovering a client
# The comparison each KPI card shows beneath its number (the card's reference label), where the
# model has one: last year, the prior year to date, the budget, the baseline.
KPI_COMPARISONS = {
    "Sales": "Sales LY",
    "Orders": "Orders LY",
    "Units": "Units LY",
    "Customers": "Customers LY",
    "Margin %": "Margin % LY",
    "Sales YTD": "Sales PYTD",
    "Variance": "Budget To Date",
    "Attainment %": "Budget To Date",
    "Sales Run-Rate FY": "Budget",
    "Budget": "Sales In Budget Months",
    "Projected Full Year": "Projected Budget",
    "Projected vs Budget": "Projected Budget",
    "Projected Attainment %": "Projected Budget",
    "Backtest MAPE %": "Baseline MAPE %",
    "Campaign Sales": "Campaign Share %",
    "Campaign Incremental Sales": "Campaign Expected Sales",
}
DEFAULT_PAGE, TOOLTIP_PAGE = "Default", "Tooltip"


@cache
def _scope() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return semantic_scope()


def tables_read(visual: Visual) -> set[str]:
    """The model tables a visual reads: its fields' tables and the tables its measures' DAX names."""
    _, measure_tables = _scope()
    refs = document_field_refs({"query": visual.config.get("query", {}), "filters": visual.filters}, "")
    tables: set[str] = set()
    for ref in refs:
        tables |= measure_tables.get(ref.property, set()) if ref.kind == MEASURE else {ref.entity}
    return tables


@dataclass(frozen=True)
class Row:
    height: int
    visuals: tuple[Visual, ...]
    weights: tuple[int, ...] = ()


@dataclass(frozen=True)
class Page:
    name: str
    display_name: str
    rows: tuple[Row, ...]
    drillthrough: Ref | None = None  # the field a drill-through page is bound to
    filters: tuple[tuple[str, Ref], ...] = ()  # filter-pane cards of the page: (name, field)
    # visuals a visual's selection does not filter: (source visual, target visual), written as
    # page.json visualInteractions of type NoFilter (Desktop's Edit interactions > None)
    no_filter: tuple[tuple[str, str], ...] = ()
    kind: str = DEFAULT_PAGE  # "Tooltip": a report-page tooltip, no rail

    @property
    def drillthrough_filter(self) -> str:
        return f"{self.name}_drillthrough"

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the canvas."""
        return (TOOLTIP_WIDTH, TOOLTIP_HEIGHT) if self.kind == TOOLTIP_PAGE else (WIDTH, HEIGHT)

    @property
    def has_mobile_layout(self) -> bool:
        """The main pages: neither drill-through targets nor tooltips."""
        return self.kind == DEFAULT_PAGE and self.drillthrough is None

    def slicers(self) -> tuple[SlicerSpec, ...]:
        """The rail's slicers that act on at least one data visual of the page."""
        reached, _ = _scope()
        read = [tables_read(visual) for row in self.rows for visual in row.visuals]
        return tuple(spec for spec in SLICERS if any(acts_on(spec.field.entity, t, reached) for t in read))

    def rail(self) -> list[tuple[Visual, Position]]:
        placed: list[tuple[Visual, Position]] = []
        if self.kind == TOOLTIP_PAGE:
            return placed
        heading = textbox("page_title", self.display_name)
        if self.drillthrough is not None:
            placed.append((back_button("back_button"), Position(RAIL_X, GAP, 40, 48)))
            placed.append((heading, Position(RAIL_X + 48, GAP, RAIL_WIDTH - 48, 48)))
        else:
            placed.append((heading, Position(RAIL_X, GAP, RAIL_WIDTH, 48)))
        y = GAP + 48 + GAP
        for spec in self.slicers():
            height = 88 if spec.mode == "Between" else 56
            visual = slicer(
                f"slicer_{slug(spec.field.name)}",
                spec.field,
                mode=spec.mode,
                search=spec.search,
                sync_group=spec.sync_group,
            )
            placed.append((visual, Position(RAIL_X, y, RAIL_WIDTH, height)))
            y += height + GAP
        return placed

    def grid(self) -> list[tuple[Visual, Position]]:
        placed: list[tuple[Visual, Position]] = []
        y = GAP
        left = GAP if self.kind == TOOLTIP_PAGE else CONTENT_X
        content_width = self.size[0] - left - GAP
        for row in self.rows:
            weights = row.weights or (1,) * len(row.visuals)
            free = content_width - GAP * (len(row.visuals) - 1)
            x = left
            for index, (visual, weight) in enumerate(zip(row.visuals, weights, strict=True)):
                last = index == len(row.visuals) - 1
                width = left + content_width - x if last else free * weight // sum(weights)
                placed.append((visual, Position(x, y, width, row.height)))
                x += width + GAP
            y += row.height + GAP
        return placed

    def placed(self) -> list[tuple[Visual, Position]]:
        """Every visual with its position, in z and tab order."""
        return self.rail() + self.grid()

    def mobile(self) -> list[tuple[Visual, Position]]:
        """The mobile layout of a main page: the heading, the KPI cards two by two, then every other
        data visual (slicers, notes and buttons left to the filter pane and the desktop layout)."""
        if not self.has_mobile_layout:
            return []
        placed = self.placed()
        heading = [(visual, position) for visual, position in placed if visual.name == "page_title"]
        result = [(heading[0][0], Position(0, 0, MOBILE_WIDTH, 48))]
        y = 48 + GAP
        kpis = [visual for visual, _ in placed if visual.config["visualType"] == "cardVisual"]
        half = (MOBILE_WIDTH - GAP) // 2
        for index, visual in enumerate(kpis):
            column = index % 2
            result.append((visual, Position(column * (half + GAP), y, half, 96)))
            if column == 1 or index == len(kpis) - 1:
                y += 96 + GAP
        for visual, _ in placed:
            if (
                visual.config["visualType"] in _NOT_ON_MOBILE
                or visual in kpis
                or "query" not in visual.config
            ):
                continue
            result.append((visual, Position(0, y, MOBILE_WIDTH, 280)))
            y += 280 + GAP
        return result


_NOT_ON_MOBILE = ("slicer", "cardVisual", "card", "textbox", "actionButton", "bookmarkNavigator")


def kpi_card(name: str) -> Visual:
    """The card of measure ``name``, subtitled with the period it covers, compared with the measure
    ``KPI_COMPARISONS`` gives it."""
    compare = KPI_COMPARISONS.get(name)
    period = msr(CARD_PERIODS.get(name, DEFAULT_PERIOD))
    return card(f"card_{slug(name)}", msr(name), period, msr(compare) if compare else None)


def navigator_row() -> Row:
    """The saved views (bookmarks), one button each."""
    return Row(40, (bookmark_navigator(BOOKMARK_NAVIGATOR, "Saved views (bookmarks)"),))


def filtered_card(page: str, name: str, *filters: tuple[Ref, tuple[bool | int | str, ...]]) -> Visual:
    """A card whose measure is read under visual-level filters (e.g. the budget year)."""
    visual = kpi_card(name)
    visual.filters.extend(
        only(f"{page}_card_{slug(name)}_{slug(ref.name)}", ref, values) for ref, values in filters
    )
    return visual


def ref(field: Field) -> Ref:
    """A field of the page spec as PBIR names it."""
    if field.table is None:
        return msr(field.name, display=field.label)
    if field.hierarchy is not None:
        return Ref(field.table, field.name, "level", hierarchy=field.hierarchy, display=field.label)
    return col(field.table, field.name, display=field.label)


def _refs(fields: tuple[Field, ...]) -> tuple[Ref, ...]:
    return tuple(ref(field) for field in fields)


def _roles(spec: VisualSpec, visual_type: str) -> dict[str, tuple[Ref, ...]]:
    """The visual's fields in the roles of its PBIR visual type."""
    if visual_type == "tableEx":
        return {"Values": _refs(spec.columns)}
    measures = _refs(spec.measures)
    fields = spec.powerbi.category if spec.powerbi.category is not None else spec.category
    category = _refs(fields) or _refs(spec.drill)
    series = (ref(spec.series),) if spec.series else ()
    if visual_type == "pivotTable":
        columns = series or (_refs(spec.drill) if fields else ())
        return {"Rows": category} | ({"Columns": columns} if columns else {}) | {"Values": measures}
    if visual_type == "lineClusteredColumnComboChart":
        return {"Category": category, "Y": measures[:1], "Y2": measures[1:]}
    roles = {"Category": category} | ({"Series": series} if series else {}) | {"Y": measures}
    if spec.band is not None:
        roles["Tooltips"] = (msr(spec.band.outer[0]), msr(spec.band.outer[1]))
    return roles


def data_visual(page: PageSpec, spec: VisualSpec) -> Visual:
    """The PBIR visual of a data visual of the page spec."""
    visual_type = str(spec.powerbi.get("visual"))
    if spec.kind == "note":
        return text_card(spec.id, msr(spec.measure_names[0]))
    roles = _roles(spec, visual_type)
    filter_name = spec.powerbi.get("filter")
    filters: list[Json] = []
    if spec.top is not None:
        category = next(iter(roles.values()))[0]
        filters.append(
            top_n(filter_name or f"{page.name}_{spec.id}", category, msr(spec.measure_names[0]), spec.top)
        )
    for field, values in spec.where:
        if filter_name is None:
            raise ValueError(
                f"page {page.name}, visual {spec.id}: a where needs powerbi.filter (its card's name)"
            )
        filters.append(only(filter_name, ref(field), values))
    filters.extend(extra(page.name) for extra in EXTRA_FILTERS.get((page.name, spec.id), ()))
    band = spec.band
    return chart(
        spec.id,
        spec.title_on(POWERBI),
        visual_type,
        roles,
        sort=((ref(spec.sort[0]), spec.sort[1]),) if spec.sort else (),
        filters=tuple(filters),
        objects=error_band(msr(band.line), msr(band.inner[0]), msr(band.inner[1])) if band else None,
        tooltip_page=spec.tooltip,
    )


# The reps table lists only the reps with a quota: Budget To Date > 0 drops the blanks (a budget
# without reps, a rep without a quota) that a sort or a "below 100 %" filter would otherwise take
# for 0 % attainment. The "Reps behind budget" bookmark restates it beside its own filter. Power BI's
# only: the web's table lists every rep (a rep without a quota says so in its blank quota).
REPS_TABLE = "sales_vs_budget_by_rep"
REPS_WITH_QUOTA = MeasureFilter(REPS_TABLE, msr("Budget To Date"), GREATER_THAN, 0)
#: Power BI's own filter cards of a visual, beside the spec's: (page, visual) -> page name -> card.
EXTRA_FILTERS: dict[tuple[str, str], tuple[Callable[[str], Json], ...]] = {
    ("sales_reps", REPS_TABLE): (REPS_WITH_QUOTA.card,)
}

NAVIGATOR, SERIES_SLICER, KPIS = "<saved views>", "<series slicer>", "kpis"
# The forecast's series slicer: the chart and the cards follow it, the two tables by series do not.
FORECAST_SERIES = col("Forecast Series", "Series")
FORECAST_SERIES_SLICER = "slicer_forecast_series"
FORECAST_BY_SERIES = ("projected_vs_budget_by_series", "backtest_by_series")
# The Forecast page's projection cards read the budget year (the backtest's cover the backtest).
FORECAST_BUDGET_YEAR = ((col("Forecast Yearly", "Is Budget Year"), (True,)),)
FORECAST_BUDGET_YEAR_CARDS = (
    "Projected Full Year",
    "Projected Budget",
    "Projected vs Budget",
    "Projected Attainment %",
)


@dataclass(frozen=True)
class Grid:
    """A row of a page's grid: its height, what it holds (visual ids of the page spec; ``kpis`` a
    card per measure of the cards visual, ``kpis[2:4]`` the third and fourth of them; ``NAVIGATOR``,
    ``SERIES_SLICER``) and the weights that split its width."""

    height: int
    items: tuple[str, ...]
    weights: tuple[int, ...] = ()


#: Each page's grid, row by row (the rail of slicers beside it is ``Page.rail``).
LAYOUTS: dict[str, tuple[Grid, ...]] = {
    "sales_overview": (
        Grid(96, (KPIS,)),
        Grid(40, (NAVIGATOR,)),
        Grid(280, ("sales_vs_budget_by_month", "sales_trend")),
        Grid(264, ("top_10_clients", "top_10_products", "sales_by_category", "sales_by_geography")),
    ),
    "sales_reps": (
        Grid(96, (KPIS,)),
        Grid(40, (NAVIGATOR,)),
        Grid(52, ("rep_quota_note",)),
        Grid(300, (REPS_TABLE, "new_customers_by_rep"), (3, 2)),
        Grid(184, ("sales_by_rep_over_time",)),
    ),
    "customer_details": (
        Grid(96, (KPIS,)),
        Grid(292, ("sales_over_time", "products_bought")),
        Grid(300, ("order_lines",)),
    ),
    "product_details": (
        Grid(96, (KPIS,)),
        Grid(300, ("sales_over_time", "top_clients")),
        Grid(292, ("sales_by_territory", "sales_by_geography")),
    ),
    "campaigns": (
        Grid(96, (KPIS,)),
        Grid(192, ("sales_by_campaign", "campaign_sales_over_time", "new_customers_by_campaign"), (2, 3, 2)),
        Grid(200, ("campaign_results", "sales_uplift_by_campaign"), (3, 2)),
        Grid(192, ("campaign_effectiveness",)),
    ),
    "forecast": (
        Grid(96, (KPIS,)),
        Grid(300, (SERIES_SLICER, "sales_and_forecast_by_month"), (1, 5)),
        Grid(292, FORECAST_BY_SERIES, (2, 3)),
    ),
    "clients": (
        Grid(96, (KPIS,)),
        Grid(300, ("clients_by_segment", "segments_by_client_type", "client_activity_by_month"), (2, 2, 3)),
        Grid(292, ("clients_acquired_by_rep", "at_risk_clients"), (2, 5)),
    ),
    CLIENT_TOOLTIP: (
        Grid(108, ("kpis[0:2]",)),
        Grid(108, ("kpis[2:4]",)),
    ),
}
#: Filter-pane cards of a page: (name, field).
PAGE_FILTERS: dict[str, tuple[tuple[str, Ref], ...]] = {
    "sales_overview": ((OVERVIEW_BUDGET_YEAR_FILTER, BUDGET_YEAR),),
}
#: Visuals a visual's selection does not filter: (source visual, target visual).
NO_FILTER: dict[str, tuple[tuple[str, str], ...]] = {
    "forecast": tuple((FORECAST_SERIES_SLICER, target) for target in FORECAST_BY_SERIES),
}


def _card(page: PageSpec, name: str) -> Visual:
    if page.name == "forecast" and name in FORECAST_BUDGET_YEAR_CARDS:
        return filtered_card(page.name, name, *FORECAST_BUDGET_YEAR)
    return kpi_card(name)


def _row(page: PageSpec, grid: Grid) -> Row:
    visuals: list[Visual] = []
    for item in grid.items:
        if item.startswith(KPIS):
            start, _, stop = item.removeprefix(KPIS).strip("[]").partition(":")
            names = page.visual(KPIS).measure_names[int(start or 0) : int(stop) if stop else None]
            visuals += [_card(page, name) for name in names]
        elif item == NAVIGATOR:
            return navigator_row()
        elif item == SERIES_SLICER:
            visuals.append(single_slicer(FORECAST_SERIES_SLICER, FORECAST_SERIES, sync_group="Series"))
        else:
            visuals.append(data_visual(page, page.visual(item)))
    return Row(grid.height, tuple(visuals), grid.weights)


def report_page(page: PageSpec) -> Page:
    """The Power BI page of a page of the spec; every visual the spec gives Power BI is placed."""
    layout = LAYOUTS[page.name]
    placed = {item.partition("[")[0] for grid in layout for item in grid.items}
    ids = {visual.id for visual in page.visuals_on(POWERBI)}
    missing, unknown = sorted(ids - placed), sorted(placed - ids - {NAVIGATOR, SERIES_SLICER})
    if missing or unknown:
        raise ValueError(f"page {page.name}: layout misses {missing}, places {unknown} not in the page spec")
    return Page(
        page.name,
        page.title,
        tuple(_row(page, grid) for grid in layout),
        drillthrough=ref(page.drillthrough) if page.drillthrough else None,
        filters=PAGE_FILTERS.get(page.name, ()),
        no_filter=NO_FILTER.get(page.name, ()),
        kind=TOOLTIP_PAGE if page.tooltip else DEFAULT_PAGE,
    )


def pages() -> tuple[Page, ...]:
    """The report's pages in tab order (the tooltip page last, hidden in view mode)."""
    return tuple(report_page(page) for page in load_pages().on(POWERBI))
