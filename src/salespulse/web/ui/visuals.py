"""What each page shows: its visuals, in order, and what a click on each does.

The screen (``render``), the exports (``salespulse.web.exports``) and the click handling
(``actions``) all read these specs, so an export holds exactly the visuals of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from salespulse.web.pages import CLIENTS_LISTED

#: URL slug -> page name of ``salespulse.web.pages.PAGES`` (the Power BI report's pages).
PAGES: dict[str, str] = {
    "overview": "Sales Overview",
    "reps": "Sales Reps",
    "customer": "Customer Details",
    "product": "Product Details",
    "campaigns": "Campaigns",
    "forecast": "Forecast",
    "clients": "Clients",
}
DEFAULT_SLUG = "overview"


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


CAMPAIGN_HINT = "Company-wide figures for every role; of the filters only Campaign applies."
FORECAST_BAND = (
    "Forecast Actual",
    "Forecast",
    "Forecast Lower 80",
    "Forecast Upper 80",
    "Forecast Lower 95",
    "Forecast Upper 95",
)

TIME_DRILL = Visual(
    "time_drill",
    "Sales over time",
    "bar",
    x="Name",
    y=("Sales",),
    click="time_drill",
    hint="Click a year to drill into its months, a month to filter the page to it.",
)

VISUALS: dict[str, tuple[Visual, ...]] = {
    "overview": (
        Visual("kpis", "Key figures", "kpis", width=12),
        Visual(
            "sales_vs_budget_by_month",
            "Sales vs budget to date, by month",
            "combo",
            x="Year Month Name",
            y=("Sales", "Budget To Date"),
            click="month",
            width=12,
            hint="Click a month to filter the page to it.",
        ),
        Visual(
            "sales_trend",
            "Sales trend: this year and the two before",
            "lines",
            x="Month",
            y=("Sales",),
            series="Year",
            click="month",
        ),
        Visual(
            "product_drill",
            "Sales by product hierarchy",
            "bar",
            x="Name",
            y=("Sales",),
            click="product_drill",
            hint="Category → subcategory → product; a product opens its page.",
        ),
        Visual("top_10_clients", "Top 10 clients", "hbar", x="Client", y=("Sales",), click="client"),
        Visual("top_10_products", "Top 10 products", "hbar", x="Product", y=("Sales",), click="product"),
        Visual(
            "sales_by_city",
            "Sales by city",
            "map",
            x="City",
            y=("Sales",),
            click="city",
            key="Geography Key",
            width=7,
            hint="Click a city to filter the page to it.",
        ),
        Visual(
            "geo_drill",
            "Sales by geography",
            "hbar",
            x="Name",
            y=("Sales",),
            click="geo_drill",
            width=5,
            hint="Region → country → city.",
        ),
        Visual(
            "sales_by_category",
            "Sales vs budget by category (the budget's months)",
            "table",
            y=("Sales", "Sales In Budget Months", "Budget", "Budget To Date", "Attainment %"),
            width=12,
        ),
    ),
    "reps": (
        Visual("kpis", "Key figures", "kpis", width=12),
        Visual(
            "sales_vs_budget_by_rep",
            "Sales vs quota to date by rep, the budget's months (lowest attainment first)",
            "hbar",
            x="Sales Rep",
            y=("Sales In Budget Months", "Budget To Date"),
            click="rep",
            key="Sales Rep Key",
        ),
        Visual(
            "new_customers_by_rep",
            "New customers by rep",
            "hbar",
            x="Sales Rep",
            y=("New Customers",),
            click="rep",
        ),
        Visual(
            "time_drill",
            "Sales by rep over time",
            "stacked",
            x="Name",
            y=("Sales",),
            series="Sales Rep",
            click="time_drill",
            width=12,
            hint=TIME_DRILL.hint,
        ),
        Visual(
            "sales_vs_budget_by_territory",
            "Sales vs budget to date by territory (the budget's months)",
            "bar",
            x="Territory",
            y=("Sales In Budget Months", "Budget To Date"),
            click="territory",
            key="Territory Code",
            width=12,
        ),
        Visual(
            "sales_vs_budget_by_rep",
            "Quota, sales and attainment by rep",
            "table",
            y=(
                "Sales",
                "Sales In Budget Months",
                "Budget",
                "Budget To Date",
                "Variance",
                "Attainment %",
                "Orders",
                "Customers",
            ),
            click="rep",
            key="Sales Rep Key",
            width=12,
        ),
    ),
    "customer": (
        Visual("kpis", "Key figures", "kpis", width=12),
        Visual(
            "clients",
            "Clients",
            "table",
            y=("Sales", "Sales LY", "YoY %", "Orders", "Units", "Average Order Value", "Margin %"),
            click="client",
            key="Customer Key",
            width=12,
            limit=CLIENTS_LISTED,
            hint=f"The {CLIENTS_LISTED} largest clients by sales; click one to open their details.",
        ),
        TIME_DRILL,
        Visual(
            "products_bought", "Products bought", "hbar", x="Product", y=("Sales",), click="product", limit=15
        ),
        Visual("order_lines", "Order lines (newest first)", "table", y=("Units", "Sales"), width=12),
    ),
    "product": (
        Visual("kpis", "Key figures", "kpis", width=12),
        Visual(
            "products",
            "Products",
            "table",
            y=("Sales", "Sales LY", "YoY %", "Units", "Margin", "Margin %"),
            click="product",
            key="Product Key",
            width=12,
            hint="Click a product to open its details.",
        ),
        TIME_DRILL,
        Visual("top_clients", "Top 10 clients", "hbar", x="Client", y=("Sales",), click="client"),
        Visual(
            "sales_by_territory", "Sales by territory", "bar", x="Territory", y=("Sales",), click="territory"
        ),
        Visual(
            "geo_drill",
            "Sales by geography",
            "hbar",
            x="Name",
            y=("Sales",),
            click="geo_drill",
            hint="Region → country → city.",
        ),
    ),
    "campaigns": (
        Visual("kpis", "Key figures", "kpis", width=12),
        Visual(
            "sales_by_campaign",
            "Campaign sales by campaign",
            "hbar",
            x="Campaign",
            y=("Campaign Sales",),
            click="campaign",
        ),
        Visual(
            "new_customers_by_campaign",
            "New customers by campaign",
            "hbar",
            x="Campaign",
            y=("New Customers",),
            click="campaign",
            hint="Campaigns only: the new customers whose first order had no campaign are the "
            "“New Customers Without Campaign” card.",
        ),
        Visual(
            "campaign_sales_over_time",
            "Campaign sales and share by month",
            "combo",
            x="Year Month Name",
            y=("Campaign Sales", "Campaign Share %"),
            click="month",
            width=12,
        ),
        Visual(
            "campaign_results",
            "Campaign results",
            "table",
            y=("Campaign Sales", "Campaign Share %", "New Customers", "Sales", "Orders"),
            click="campaign",
            key="Campaign Key",
            width=12,
        ),
        Visual(
            "campaign_effectiveness",
            "Sales uplift by campaign (100 % = as expected without the campaign)",
            "hbar",
            x="Campaign",
            y=("Campaign Sales Uplift %",),
            click="campaign",
            width=12,
            hint=CAMPAIGN_HINT,
        ),
        Visual(
            "campaign_effectiveness",
            "Campaign effectiveness: the campaign window against its baseline",
            "table",
            y=(
                "Campaign Window Sales",
                "Window Orders",
                "Window Units",
                "Campaign New Clients",
                "Campaign Expected Sales",
                "Campaign Incremental Sales",
                "Campaign Sales Uplift %",
            ),
            click="campaign",
            key="Campaign Key",
            width=12,
            hint=CAMPAIGN_HINT + " Baseline: the same weeks last year (growth-adjusted), or the weeks "
            "around the campaign (docs/analytics.md).",
        ),
    ),
    "forecast": (
        Visual(
            "kpis",
            "Key figures of the series (budget year)",
            "kpis",
            width=12,
            hint="Projected full year: actuals of the complete months plus the forecast of the others, "
            "against the budget. Backtest: how far off the forecast was on the 12 months after the "
            "backtest cut-off (the model, and the seasonal-naive baseline).",
        ),
        Visual(
            "forecast_by_month",
            "Sales and forecast by month, with 80 % and 95 % intervals",
            "band",
            x="Month Start Date",
            y=FORECAST_BAND,
            width=12,
            hint="8 months out of 10 should land in the dark band, 19 out of 20 in the light one. "
            "One series at a time: intervals do not add up.",
        ),
        Visual(
            "projected_vs_budget",
            "Projected full year vs budget by series",
            "bar",
            x="Series",
            y=("Projected Full Year", "Projected Budget"),
            click="series",
            key="Series Key",
            width=5,
            hint="The budget year. Click a series to show it.",
        ),
        Visual(
            "backtest",
            "Backtest by series: the model against the seasonal-naive baseline",
            "table",
            y=("Backtest MAPE %", "Baseline MAPE %", "Bias %", "Coverage 80 %", "Coverage 95 %"),
            click="series",
            key="Series Key",
            width=7,
            hint="MAPE: average monthly error (lower is better). Bias: above 0 = forecast too high. "
            "Coverage: share of months inside the 80 % / 95 % interval. Click a series to show it.",
        ),
    ),
    "clients": (
        Visual(
            "kpis",
            "Key figures",
            "kpis",
            width=12,
            hint="Segments and at-risk clients as of the as-of date; new and lost clients in the date range.",
        ),
        Visual(
            "clients_by_segment",
            "Clients by RFM segment (as of the as-of date)",
            "bar",
            x="RFM Segment",
            y=("Segmented Clients",),
            hint="Recency, frequency and monetary value against the other clients (docs/analytics.md).",
        ),
        Visual(
            "segments_by_client_type",
            "RFM segment by client type",
            "stacked",
            x="RFM Segment",
            y=("Segmented Clients",),
            series="Client Type",
        ),
        Visual(
            "client_activity_by_month",
            "New, returning and lost clients by month",
            "lines",
            x="Year Month Name",
            y=("New Clients", "Returning Clients", "Lost Clients"),
            click="month",
            width=12,
            hint="Lost: 365 days without an order. Click a month to filter the page to it.",
        ),
        Visual(
            "clients_acquired_by_rep",
            "Clients acquired by sales rep",
            "hbar",
            x="Sales Rep",
            y=("Clients Acquired",),
            click="rep",
            key="Sales Rep Key",
            width=12,
            hint="Clients whose first order is in the date range, by the rep who owns them; reps who "
            "acquired none are left out. Click a rep to filter the page.",
        ),
        Visual(
            "at_risk_clients",
            "At-risk clients, most valuable first",
            "table",
            y=("Recency Days", "Usual Order Interval Days", "Sales Trend Ratio", "Sales At Risk"),
            click="client",
            key="Customer Key",
            width=12,
            limit=500,
            hint="Clients who went quiet or buy much less than they used to, as of the as-of date: days "
            "since their last order (Recency Days) against their usual interval, recent monthly sales "
            "against earlier ones (trend), and a year of their usual buying (at risk). The RFM segment "
            "ranks a client against the others over two years, at risk against their own history: a "
            "Champion or a Loyal client who stopped buying is at risk, and the rule and the reason say "
            "why. Click a client for their details.",
        ),
    ),
}


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
