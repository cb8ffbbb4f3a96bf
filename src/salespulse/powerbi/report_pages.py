"""The report's pages: what each page shows and where (the single source of the PBIR pages).

Every page is 1280 x 720. A rail on the left holds the page heading and the slicers, synced across
pages; the rest of the canvas is a grid of rows, each row split between its visuals by weight, so
no two visuals overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

from salespulse.powerbi.pbir import GREATER_THAN, Ref, avg, col, levels, msr
from salespulse.powerbi.visuals import (
    MeasureFilter,
    Position,
    Visual,
    back_button,
    card,
    chart,
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

    @property
    def drillthrough_filter(self) -> str:
        return f"{self.name}_drillthrough"

    def rail(self) -> list[tuple[Visual, Position]]:
        placed: list[tuple[Visual, Position]] = []
        heading = textbox("page_title", self.display_name)
        if self.drillthrough is not None:
            placed.append((back_button("back_button"), Position(RAIL_X, GAP, 40, 48)))
            placed.append((heading, Position(RAIL_X + 48, GAP, RAIL_WIDTH - 48, 48)))
        else:
            placed.append((heading, Position(RAIL_X, GAP, RAIL_WIDTH, 48)))
        y = GAP + 48 + GAP
        for spec in SLICERS:
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
        for row in self.rows:
            weights = row.weights or (1,) * len(row.visuals)
            free = CONTENT_WIDTH - GAP * (len(row.visuals) - 1)
            x = CONTENT_X
            for index, (visual, weight) in enumerate(zip(row.visuals, weights, strict=True)):
                last = index == len(row.visuals) - 1
                width = CONTENT_X + CONTENT_WIDTH - x if last else free * weight // sum(weights)
                placed.append((visual, Position(x, y, width, row.height)))
                x += width + GAP
            y += row.height + GAP
        return placed

    def placed(self) -> list[tuple[Visual, Position]]:
        """Every visual with its position, in z and tab order."""
        return self.rail() + self.grid()


def kpi_card(name: str) -> Visual:
    """The card of measure ``name``, subtitled with the period it covers."""
    return card(f"card_{slug(name)}", msr(name), msr(CARD_PERIODS.get(name, DEFAULT_PERIOD)))


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
                312,
                (
                    chart(
                        "top_10_clients",
                        "Top 10 clients",
                        "clusteredBarChart",
                        {"Category": (CLIENT,), "Y": (SALES,)},
                        sort=((SALES, "Descending"),),
                        filters=(top_n(f"{page}_top_10_clients", CLIENT, SALES, 10),),
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
                    chart(
                        "sales_by_city",
                        "Sales by city and region",
                        "map",
                        {
                            "Category": (col("Geography", "City"),),
                            "Series": (col("Geography", "Region"),),
                            "X": (avg(col("Geography", "Longitude")),),
                            "Y": (avg(col("Geography", "Latitude")),),
                            "Size": (SALES,),
                        },
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
                232,
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
            cards("Sales", "Orders", "Units", "Average Order Value", "Margin %", "YoY %"),
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
            cards("Sales", "Units", "Orders", "Customers", "Margin %", "YoY %"),
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
                                col(effectiveness, "Orders"),
                                col(effectiveness, "Units"),
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
    bands = ("Forecast Lower 95", "Forecast Lower 80", "Forecast Upper 80", "Forecast Upper 95")
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
                    single_slicer(series_slicer, series, default=TOTAL_SERIES, sync_group="Series"),
                    chart(
                        "sales_and_forecast_by_month",
                        "Sales and forecast by month, 80 % and 95 % intervals (series: on the left)",
                        "lineChart",
                        {
                            "Category": (YEAR_MONTH,),
                            "Y": (msr("Forecast Actual"), msr("Forecast"), *(msr(name) for name in bands)),
                        },
                        sort=((YEAR_MONTH, "Ascending"),),
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
                    ),
                ),
                (2, 5),
            ),
        ),
    )


def pages() -> tuple[Page, ...]:
    """The report's pages in tab order."""
    return (
        sales_overview(),
        sales_reps(),
        customer_details(),
        product_details(),
        campaigns(),
        forecast(),
        clients(),
    )
