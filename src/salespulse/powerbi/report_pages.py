"""The report's pages: what each page shows and where (the single source of the PBIR pages).

Every report page is 1280 x 720. A rail on the left holds the page heading and the slicers, synced
across pages; the rest of the canvas is a grid of rows, each row split between its visuals by
weight, so no two visuals overlap. A page's rail holds only the slicers that act on its visuals:
the slicer's table reaches a table the visual reads through the model's relationships
(``report_scope``). The main pages also have a mobile layout: heading, cards two by two, then each
chart full width. The tooltip page (320 x 240) is shown when hovering a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from salespulse.powerbi.pbir import GREATER_THAN, Ref, col, levels, msr
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

SALES = msr("Sales")
CLIENT = col("Customer", "Client")
PRODUCT = col("Product", "Product")
SALES_REP = col("Sales Rep", "Sales Rep")
YEAR_MONTH = col("Date", "Year Month Name")
CALENDAR = levels("Date", "Calendar", ("Year", "Quarter", "Month", "Date"))
PRODUCT_HIERARCHY = levels("Product", "Product Hierarchy", ("Category", "Subcategory", "Product"))
# The Sales Overview's filter card on the budget year, set by the "Budget year vs budget" bookmark:
# a flag of the Date table (SALESPULSE_BUDGET_YEAR, else the as-of year), never a year number.
OVERVIEW_BUDGET_YEAR_FILTER = "sales_overview_budget_year"
BUDGET_YEAR = col("Date", "Is Budget Year")
TOTAL_SERIES = "All"  # Forecast Series[Series] of the company total (series level "total")
GEOGRAPHY_HIERARCHY = levels("Geography", "Geography Hierarchy", ("Region", "Country", "State", "City"))
CLIENT_TOOLTIP = "client_tooltip"  # the tooltip page shown when hovering a client
BOOKMARK_NAVIGATOR = "saved_views"
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


def cards(*measures: str) -> Row:
    return Row(96, tuple(kpi_card(name) for name in measures))


def filtered_card(page: str, name: str, *filters: tuple[Ref, tuple[bool | int | str, ...]]) -> Visual:
    """A card whose measure is read under visual-level filters (e.g. the budget year)."""
    visual = kpi_card(name)
    visual.filters.extend(
        only(f"{page}_card_{slug(name)}_{slug(ref.name)}", ref, values) for ref, values in filters
    )
    return visual


def sales_overview() -> Page:
    page = "sales_overview"
    return Page(
        page,
        "Sales Overview",
        (
            cards("Sales", "Budget", "Attainment %", "Sales YTD", "Sales PYTD", "Sales Run-Rate FY"),
            navigator_row(),
            Row(
                280,
                (
                    chart(
                        "sales_vs_budget_by_month",
                        "Sales vs budget to date by month (the budget's months)",
                        "lineClusteredColumnComboChart",
                        {
                            "Category": (YEAR_MONTH,),
                            "Y": (msr("Sales In Budget Months"),),
                            "Y2": (msr("Budget To Date"),),
                        },
                        sort=((YEAR_MONTH, "Ascending"),),
                    ),
                    chart(
                        "sales_trend",
                        "Sales trend over the history window",
                        "lineChart",
                        {
                            "Category": (col("Date", "Month"),),
                            "Series": (col("Date", "Year"),),
                            "Y": (SALES,),
                        },
                        sort=((col("Date", "Month"), "Ascending"),),
                        filters=(
                            # the history window (SALESPULSE_HISTORY_YEARS / _START), as the web's trend
                            only(f"{page}_sales_trend_years", col("Date", "Is In History"), (True,)),
                        ),
                    ),
                ),
            ),
            Row(
                264,
                (
                    chart(
                        "top_10_clients",
                        "Top 10 clients (hover a client for its details)",
                        "clusteredBarChart",
                        {"Category": (CLIENT,), "Y": (SALES,)},
                        sort=((SALES, "Descending"),),
                        filters=(top_n(f"{page}_top_10_clients", CLIENT, SALES, 10),),
                        tooltip_page=CLIENT_TOOLTIP,
                    ),
                    chart(
                        "top_10_products",
                        "Top 10 products",
                        "clusteredBarChart",
                        {"Category": (PRODUCT,), "Y": (SALES,)},
                        sort=((SALES, "Descending"),),
                        filters=(top_n(f"{page}_top_10_products", PRODUCT, SALES, 10),),
                    ),
                    chart(
                        "sales_by_category",
                        "Sales by category",
                        "donutChart",
                        {"Category": (col("Product", "Category"),), "Y": (SALES,)},
                        sort=((SALES, "Descending"),),
                    ),
                    # A core bar chart, not a map: the Bing map visuals (map, filledMap) are
                    # deprecated and Azure Maps can be switched off per tenant; this renders
                    # everywhere and drills down Region > Country > State > City.
                    chart(
                        "sales_by_geography",
                        "Sales by geography (drill Region > Country > State > City)",
                        "clusteredBarChart",
                        {"Category": GEOGRAPHY_HIERARCHY, "Y": (SALES,)},
                        sort=((SALES, "Descending"),),
                    ),
                ),
            ),
        ),
        filters=((OVERVIEW_BUDGET_YEAR_FILTER, BUDGET_YEAR),),
    )


# The reps table lists only the reps with a quota: Budget To Date > 0 drops the blanks (a budget
# without reps, a rep without a quota) that a sort or a "below 100 %" filter would otherwise take
# for 0 % attainment. The "Reps behind budget" bookmark restates it beside its own filter.
REPS_TABLE = "sales_vs_budget_by_rep"
REPS_WITH_QUOTA = MeasureFilter(REPS_TABLE, msr("Budget To Date"), GREATER_THAN, 0)


def sales_reps() -> Page:
    page = "sales_reps"
    attainment = msr("Attainment %")
    return Page(
        page,
        "Sales Reps",
        (
            cards("Sales", "Budget", "Variance", "Attainment %", "Customers", "New Customers"),
            navigator_row(),
            Row(52, (text_card("rep_quota_note", msr("Rep Quota Note")),)),
            Row(
                300,
                (
                    chart(
                        REPS_TABLE,
                        "Quota, sales and attainment by sales rep (lowest attainment first)",
                        "tableEx",
                        {
                            "Values": (
                                SALES_REP,
                                msr("Budget", display="Quota"),
                                msr("Budget To Date", display="Quota To Date"),
                                msr("Sales In Budget Months", display="Sales (quota months)"),
                                msr("Variance"),
                                attainment,
                            )
                        },
                        sort=((attainment, "Ascending"),),
                        filters=(REPS_WITH_QUOTA.card(page),),
                    ),
                    chart(
                        "new_customers_by_rep",
                        "New customers by sales rep",
                        "clusteredBarChart",
                        {"Category": (SALES_REP,), "Y": (msr("New Customers"),)},
                        sort=((msr("New Customers"), "Descending"),),
                    ),
                ),
                (3, 2),
            ),
            Row(
                184,
                (
                    chart(
                        "sales_by_rep_over_time",
                        "Sales by sales rep over time (drill Year > Quarter > Month)",
                        "pivotTable",
                        {"Rows": (SALES_REP,), "Columns": CALENDAR[:3], "Values": (SALES,)},
                    ),
                ),
            ),
        ),
    )


def customer_details() -> Page:
    return Page(
        "customer_details",
        "Customer Details",
        (
            cards("Sales", "Orders", "Units", "Average Order Value", "Margin %", "YTD YoY %"),
            Row(
                292,
                (
                    chart(
                        "sales_over_time",
                        "Sales over time (drill Year > Quarter > Month > Date)",
                        "clusteredColumnChart",
                        {"Category": CALENDAR, "Y": (SALES,)},
                        sort=((CALENDAR[0], "Ascending"),),
                    ),
                    chart(
                        "products_bought",
                        "Products bought",
                        "pivotTable",
                        {"Rows": PRODUCT_HIERARCHY, "Values": (msr("Units"), SALES)},
                        sort=((SALES, "Descending"),),
                    ),
                ),
            ),
            Row(
                300,
                (
                    chart(
                        "order_lines",
                        "Order lines",
                        "tableEx",
                        {
                            "Values": (
                                col("Order Lines", "Order Date"),
                                col("Order Lines", "Order Number"),
                                PRODUCT,
                                col("Order Lines", "Order Status"),
                                msr("Units"),
                                SALES,
                            )
                        },
                        sort=((col("Order Lines", "Order Date"), "Descending"),),
                    ),
                ),
            ),
        ),
        drillthrough=CLIENT,
    )


def product_details() -> Page:
    page = "product_details"
    return Page(
        page,
        "Product Details",
        (
            cards("Sales", "Units", "Orders", "Customers", "Margin %", "YTD YoY %"),
            Row(
                300,
                (
                    chart(
                        "sales_over_time",
                        "Sales over time (drill Year > Quarter > Month)",
                        "clusteredColumnChart",
                        {"Category": CALENDAR[:3], "Y": (SALES,)},
                        sort=((CALENDAR[0], "Ascending"),),
                    ),
                    chart(
                        "top_clients",
                        "Top 10 clients",
                        "clusteredBarChart",
                        {"Category": (CLIENT,), "Y": (SALES,)},
                        sort=((SALES, "Descending"),),
                        filters=(top_n(f"{page}_top_clients", CLIENT, SALES, 10),),
                    ),
                ),
            ),
            Row(
                292,
                (
                    chart(
                        "sales_by_territory",
                        "Sales by territory",
                        "clusteredBarChart",
                        {"Category": (col("Territory", "Territory"),), "Y": (SALES,)},
                        sort=((SALES, "Descending"),),
                    ),
                    chart(
                        "sales_by_geography",
                        "Sales by geography (Region > Country > State > City)",
                        "pivotTable",
                        {"Rows": GEOGRAPHY_HIERARCHY, "Values": (msr("Units"), SALES)},
                        sort=((SALES, "Descending"),),
                    ),
                ),
            ),
        ),
        drillthrough=PRODUCT,
    )


def campaigns() -> Page:
    page = "campaigns"
    campaign = col("Campaign", "Campaign")
    campaign_sales = msr("Campaign Sales")
    uplift = msr("Campaign Sales Uplift %")
    effectiveness = "Campaign Effectiveness"
    return Page(
        page,
        "Campaigns",
        (
            cards(
                "Campaign Sales",
                "Campaign Share %",
                "Sales",
                "New Customers",
                "Campaign Incremental Sales",
                "Campaign Sales Uplift %",
            ),
            Row(
                192,
                (
                    chart(
                        "sales_by_campaign",
                        "Sales by campaign",
                        "clusteredBarChart",
                        {"Category": (campaign,), "Y": (campaign_sales,)},
                        sort=((campaign_sales, "Descending"),),
                    ),
                    chart(
                        "campaign_sales_over_time",
                        "Campaign sales and share of sales by month",
                        "lineClusteredColumnComboChart",
                        {"Category": (YEAR_MONTH,), "Y": (campaign_sales,), "Y2": (msr("Campaign Share %"),)},
                        sort=((YEAR_MONTH, "Ascending"),),
                    ),
                    chart(
                        "new_customers_by_campaign",
                        "New customers by campaign",
                        "clusteredBarChart",
                        {"Category": (campaign,), "Y": (msr("New Customers"),)},
                        sort=((msr("New Customers"), "Descending"),),
                    ),
                ),
                (2, 3, 2),
            ),
            Row(
                200,
                (
                    chart(
                        "campaign_results",
                        "Campaign results",
                        "tableEx",
                        {
                            "Values": (
                                campaign,
                                col("Campaign", "Campaign Type"),
                                col("Campaign", "Channel"),
                                col("Campaign", "Start Date"),
                                col("Campaign", "End Date"),
                                campaign_sales,
                                msr("Campaign Share %"),
                                msr("New Customers"),
                            )
                        },
                        sort=((campaign_sales, "Descending"),),
                        filters=(
                            only(
                                f"{page}_campaign_results_campaigns", col("Campaign", "Is Campaign"), (True,)
                            ),
                        ),
                    ),
                    chart(
                        "sales_uplift_by_campaign",
                        "Sales uplift by campaign (100 % = as expected without the campaign)",
                        "clusteredBarChart",
                        {"Category": (campaign,), "Y": (uplift,)},
                        sort=((uplift, "Descending"),),
                    ),
                ),
                (3, 2),
            ),
            Row(
                192,
                (
                    chart(
                        "campaign_effectiveness",
                        "Campaign effectiveness: the campaign window against its baseline (company-wide)",
                        "tableEx",
                        {
                            "Values": (
                                campaign,
                                col(effectiveness, "Target Category", display="Scope"),
                                col("Campaign", "Start Date"),
                                col(effectiveness, "Window End Date"),
                                msr("Campaign Window Sales"),
                                col(effectiveness, "Window Orders"),
                                col(effectiveness, "Window Units"),
                                msr("Campaign New Clients"),
                                msr("Campaign Expected Sales"),
                                msr("Campaign Incremental Sales"),
                                uplift,
                                col(effectiveness, "Baseline Method"),
                            )
                        },
                        sort=((uplift, "Descending"),),
                    ),
                ),
            ),
        ),
    )


def forecast() -> Page:
    """The Forecast page. Every visual reads the Forecast Series dimension the three forecast tables
    relate to, so the cards and the chart follow the Series slicer (and row-level security reaches
    them through it); the two tables by series ignore the slicer and list every series the user
    may see."""
    page = "forecast"
    yearly, backtest = "Forecast Yearly", "Forecast Backtest"
    series = col("Forecast Series", "Series")
    series_slicer = f"slicer_{page}_series"
    by_series = ("projected_vs_budget_by_series", "backtest_by_series")
    budget_year = ((col(yearly, "Is Budget Year"), (True,)),)
    forecast_line = msr("Forecast")
    return Page(
        page,
        "Forecast",
        (
            Row(
                96,
                (
                    *(
                        filtered_card(page, name, *budget_year)
                        for name in (
                            "Projected Full Year",
                            "Projected Budget",
                            "Projected vs Budget",
                            "Projected Attainment %",
                        )
                    ),
                    *cards("Backtest MAPE %", "Baseline MAPE %").visuals,
                ),
            ),
            Row(
                300,
                (
                    single_slicer(series_slicer, series, sync_group="Series"),
                    chart(
                        "sales_and_forecast_by_month",
                        "Sales and forecast by month: 8 months in 10 land in the band"
                        " (the 95 % interval in the tooltip; series: on the left)",
                        "lineChart",
                        {
                            "Category": (YEAR_MONTH,),
                            "Y": (msr("Forecast Actual"), forecast_line),
                            "Tooltips": (msr("Forecast Lower 95"), msr("Forecast Upper 95")),
                        },
                        sort=((YEAR_MONTH, "Ascending"),),
                        objects=error_band(forecast_line, msr("Forecast Lower 80"), msr("Forecast Upper 80")),
                    ),
                ),
                (1, 5),
            ),
            Row(
                292,
                (
                    chart(
                        by_series[0],
                        "Budget year: projected full year vs budget, every series",
                        "tableEx",
                        {
                            "Values": (
                                col("Forecast Series", "Series Level"),
                                series,
                                msr("Projected Full Year"),
                                msr("Projected Budget"),
                                msr("Projected vs Budget"),
                                msr("Projected Attainment %"),
                            )
                        },
                        sort=((series, "Ascending"),),  # by Series Order: the total, categories, territories
                        filters=(
                            only(
                                f"{page}_projected_vs_budget_budget_year",
                                col(yearly, "Is Budget Year"),
                                (True,),
                            ),
                        ),
                    ),
                    chart(
                        by_series[1],
                        "Backtest, every series: the model against the seasonal-naive baseline",
                        "tableEx",
                        {
                            "Values": (
                                col("Forecast Series", "Series Level"),
                                series,
                                col(backtest, "Model"),
                                col(backtest, "MAPE %"),
                                col(backtest, "Bias %"),
                                col(backtest, "Coverage 80 %"),
                                col(backtest, "Coverage 95 %"),
                                col(backtest, "Beats Baseline"),
                            )
                        },
                        sort=((series, "Ascending"),),  # by Series Order: the total, categories, territories
                    ),
                ),
                (2, 3),
            ),
        ),
        no_filter=tuple((series_slicer, target) for target in by_series),
    )


def clients() -> Page:
    page = "clients"
    segments = "Client Segments"
    segment = col(segments, "RFM Segment")
    segmented = msr("Segmented Clients")
    return Page(
        page,
        "Clients",
        (
            cards(
                "Segmented Clients",
                "At-Risk Clients",
                "At-Risk %",
                "Sales At Risk",
                "New Clients",
                "Lost Clients",
            ),
            Row(
                300,
                (
                    chart(
                        "clients_by_segment",
                        "Clients by RFM segment (as of the as-of date)",
                        "clusteredBarChart",
                        {"Category": (segment,), "Y": (segmented,)},
                        sort=((segment, "Ascending"),),
                    ),
                    chart(
                        "segments_by_client_type",
                        "RFM segment by client type",
                        "pivotTable",
                        {
                            "Rows": (segment,),
                            "Columns": (col("Customer", "Client Type"),),
                            "Values": (segmented,),
                        },
                        sort=((segment, "Ascending"),),
                    ),
                    chart(
                        "client_activity_by_month",
                        "New, returning and lost clients by month",
                        "lineChart",
                        {
                            "Category": (YEAR_MONTH,),
                            "Y": (msr("New Clients"), msr("Returning Clients"), msr("Lost Clients")),
                        },
                        sort=((YEAR_MONTH, "Ascending"),),
                    ),
                ),
                (2, 2, 3),
            ),
            Row(
                292,
                (
                    chart(
                        "clients_acquired_by_rep",
                        "Clients acquired by sales rep",
                        "clusteredBarChart",
                        {"Category": (SALES_REP,), "Y": (msr("Clients Acquired"),)},
                        sort=((msr("Clients Acquired"), "Descending"),),
                    ),
                    chart(
                        "at_risk_clients",
                        "At-risk clients, most valuable first (right-click a client to drill through)",
                        "tableEx",
                        {
                            "Values": (
                                CLIENT,
                                segment,
                                col(segments, "At Risk Reason", display="Why at risk"),
                                col(segments, "Recency Days", display="Days since last order"),
                                col(segments, "Usual Order Interval Days", display="Usual interval (days)"),
                                col(segments, "Sales Trend Ratio", display="Sales trend"),
                                msr("Sales At Risk"),
                            )
                        },
                        sort=((msr("Sales At Risk"), "Descending"),),
                        filters=(
                            only(f"{page}_at_risk_clients_at_risk", col(segments, "Is At Risk"), (True,)),
                        ),
                        tooltip_page=CLIENT_TOOLTIP,
                    ),
                ),
                (2, 5),
            ),
        ),
    )


def client_tooltip() -> Page:
    """The tooltip of a client (Page information > Allow use as tooltip), 320 x 240: the hovered
    client's sales against last year, orders, margin and year-to-date growth."""
    return Page(
        CLIENT_TOOLTIP,
        "Client tooltip",
        (
            Row(108, (kpi_card("Sales"), kpi_card("Orders"))),
            Row(108, (kpi_card("Margin %"), kpi_card("YTD YoY %"))),
        ),
        kind=TOOLTIP_PAGE,
    )


def pages() -> tuple[Page, ...]:
    """The report's pages in tab order (the tooltip page last, hidden in view mode)."""
    return (
        sales_overview(),
        sales_reps(),
        customer_details(),
        product_details(),
        campaigns(),
        forecast(),
        clients(),
        client_tooltip(),
    )
