"""The data of each report page, for ``Filters`` + ``Scope``: the Power BI report's pages
(``salespulse.powerbi.report_pages``), visual for visual, plus the detail tables of the web.

Each page function returns ``{dataset: DataFrame}`` (headers: model column names and measure
names), in the order the page shows them; ``filter_options`` gives what each slicer may offer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from salespulse.semantic import load_model
from salespulse.web.filters import Filters, Scope
from salespulse.web.measures import evaluate
from salespulse.web.readers import Reader, default_reader
from salespulse.web.sqlbuild import ident, view
from salespulse.web.timeintel import load_calendar

Pair = tuple[str, str]
Page = dict[str, pd.DataFrame]

MONTH: Pair = ("Date", "Year Month Name")
CLIENT: Pair = ("Customer", "Client")
PRODUCT: Pair = ("Product", "Product")
CATEGORY: Pair = ("Product", "Category")
SALES_REP: Pair = ("Sales Rep", "Sales Rep")
CAMPAIGN: Pair = ("Campaign", "Campaign")
CALENDAR: tuple[Pair, ...] = (("Date", "Year"), ("Date", "Quarter"), ("Date", "Month"))
#: Rows of an order-line table a page returns at most (the newest first).
ORDER_LINES_LIMIT = 1_000


@dataclass(frozen=True)
class Dataset:
    measures: tuple[str, ...]
    by: tuple[Pair, ...] = ()
    top: int | None = None
    order_by: str | None = None
    descending: bool = True


def _run(datasets: dict[str, Dataset], filters: Filters, scope: Scope, reader: Reader) -> Page:
    return {
        name: evaluate(
            spec.measures,
            filters,
            scope,
            by=spec.by,
            top=spec.top,
            order_by=spec.order_by,
            descending=spec.descending,
            reader=reader,
        )
        for name, spec in datasets.items()
    }


def _relative_years(filters: Filters, reader: Reader, years: int = 3) -> Filters:
    """``filters`` narrowed to the as-of year and the ``years - 1`` before it (Relative Year)."""
    as_of = load_calendar(reader).as_of
    start, end = date(as_of.year - years + 1, 1, 1), date(as_of.year, 12, 31)
    return replace(
        filters,
        date_from=max(start, filters.date_from or start),
        date_to=min(end, filters.date_to or end),
    )


def sales_overview(filters: Filters, scope: Scope, *, reader: Reader | None = None) -> Page:
    """KPI cards; sales vs budget to date by month; the trend of this year and the two before
    (Year x Month); top 10 clients and products; sales by category; sales by city (map)."""
    reader = reader or default_reader()
    city = tuple(
        ("Geography", c) for c in ("Geography Key", "City", "Region", "Country", "Latitude", "Longitude")
    )
    page = _run(
        {
            "kpis": Dataset(
                ("Sales", "Budget", "Attainment %", "Sales YTD", "Sales PYTD", "Sales Run-Rate FY")
            ),
            "sales_vs_budget_by_month": Dataset(
                ("Sales", "Budget", "Budget To Date", "Variance", "Attainment %"), (MONTH,)
            ),
        },
        filters,
        scope,
        reader,
    )
    page["sales_trend"] = evaluate(
        ["Sales"],
        _relative_years(filters, reader),
        scope,
        by=[("Date", "Year"), ("Date", "Month")],
        reader=reader,
    )
    page |= _run(
        {
            "top_10_clients": Dataset(("Sales",), (CLIENT,), top=10),
            "top_10_products": Dataset(("Sales",), (PRODUCT, CATEGORY), top=10),
            "sales_by_category": Dataset(
                ("Sales", "Budget", "Budget To Date", "Attainment %"), (CATEGORY,), order_by="Sales"
            ),
            "sales_by_city": Dataset(("Sales",), city),
        },
        filters,
        scope,
        reader,
    )
    return page


def sales_reps(filters: Filters, scope: Scope, *, reader: Reader | None = None) -> Page:
    """KPI cards; sales vs budget per rep (lowest attainment first); new customers per rep; sales
    per rep over Year > Quarter > Month; sales vs budget per territory (the budget's grain)."""
    reader = reader or default_reader()
    rep = (("Sales Rep", "Sales Rep Key"), SALES_REP, ("Sales Rep", "Territory Name"))
    budget = ("Sales", "Budget", "Budget To Date", "Variance", "Attainment %")
    return _run(
        {
            "kpis": Dataset(("Sales", "Budget", "Variance", "Attainment %", "Customers", "New Customers")),
            "sales_vs_budget_by_rep": Dataset(
                (*budget, "Orders", "Customers"), rep, order_by="Attainment %", descending=False
            ),
            "new_customers_by_rep": Dataset(("New Customers",), (SALES_REP,), order_by="New Customers"),
            "sales_by_rep_over_time": Dataset(("Sales",), (SALES_REP, *CALENDAR)),
            "sales_vs_budget_by_territory": Dataset(
                budget, (("Territory", "Region"), ("Territory", "Territory Code"), ("Territory", "Territory"))
            ),
        },
        filters,
        scope,
        reader,
    )


def _members(
    table: str,
    attributes: Sequence[str],
    measures: Sequence[str],
    filters: Filters,
    scope: Scope,
    reader: Reader,
) -> pd.DataFrame:
    """One row per member of a dimension (largest first measure first): the measures grouped by
    its key, then its ``attributes`` (model column names) looked up by key."""
    model_table = load_model().table(table)
    key = model_table.key
    frame = evaluate(measures, filters, scope, by=[(table, key.name)], order_by=measures[0], reader=reader)
    columns = [model_table.column(name) for name in attributes]
    sql = f"select {', '.join(ident(c.source) for c in (key, *columns))} from {view(table)}"
    lookup = pd.DataFrame(reader.query(sql), columns=[key.name, *attributes])
    return frame.merge(lookup, on=key.name, how="left")[[key.name, *attributes, *measures]]


def _order_lines(filters: Filters, scope: Scope, reader: Reader, detail: bool) -> pd.DataFrame:
    """Order lines of the page's client / product, newest first (at most ``ORDER_LINES_LIMIT``)."""
    by = (
        ("Order Lines", "Order Date"),
        ("Order Lines", "Order Number"),
        ("Order Lines", "Line Number"),
        CLIENT,
        PRODUCT,
        ("Order Lines", "Order Status"),
    )
    if not detail:  # a drill-through page without its client / product: no lines to list
        return pd.DataFrame(columns=[*(column for _, column in by), "Units", "Sales"])
    lines = evaluate(["Units", "Sales"], filters, scope, by=by, reader=reader)
    lines = lines.sort_values(["Order Date", "Order Number", "Line Number"], ascending=[False, True, True])
    return lines.head(ORDER_LINES_LIMIT).reset_index(drop=True)


def customer_details(filters: Filters, scope: Scope, *, reader: Reader | None = None) -> Page:
    """The drill-through page of a client (``filters.customer_keys``): KPI cards; the client table;
    sales over Year > Quarter > Month; products bought; the order lines."""
    reader = reader or default_reader()
    page = _run(
        {
            "kpis": Dataset(("Sales", "Orders", "Units", "Average Order Value", "Margin %", "YoY %")),
            "sales_over_time": Dataset(("Sales",), CALENDAR),
            "products_bought": Dataset(
                ("Units", "Sales"), (CATEGORY, ("Product", "Subcategory"), PRODUCT), order_by="Sales"
            ),
        },
        filters,
        scope,
        reader,
    )
    page["clients"] = _members(
        "Customer",
        (
            "Client",
            "Client Type",
            "Industry",
            "Segment",
            "City",
            "Country Code",
            "First Order Date",
            "Last Order Date",
        ),
        ("Sales", "Sales LY", "YoY %", "Orders", "Units", "Average Order Value", "Margin %"),
        filters,
        scope,
        reader,
    )
    page["order_lines"] = _order_lines(filters, scope, reader, bool(filters.customer_keys))
    return {
        name: page[name] for name in ("kpis", "clients", "sales_over_time", "products_bought", "order_lines")
    }


def product_details(filters: Filters, scope: Scope, *, reader: Reader | None = None) -> Page:
    """The drill-through page of a product (``filters.product_keys``): KPI cards; the product
    table; sales over Year > Quarter > Month; top 10 clients; sales by territory and geography."""
    reader = reader or default_reader()
    geography = tuple(("Geography", c) for c in ("Region", "Country", "State", "City"))
    products = _members(
        "Product",
        ("SKU", "Product", "Subcategory", "Category", "Product Status"),
        ("Sales", "Sales LY", "YoY %", "Units", "Margin", "Margin %"),
        filters,
        scope,
        reader,
    )
    page = _run(
        {
            "kpis": Dataset(("Sales", "Units", "Orders", "Customers", "Margin %", "YoY %")),
            "sales_over_time": Dataset(("Sales",), CALENDAR),
            "top_clients": Dataset(("Sales",), (CLIENT,), top=10),
            "sales_by_territory": Dataset(("Sales",), (("Territory", "Territory"),), order_by="Sales"),
            "sales_by_geography": Dataset(("Units", "Sales"), geography, order_by="Sales"),
        },
        filters,
        scope,
        reader,
    )
    return {"kpis": page.pop("kpis"), "products": products} | page


def campaigns(filters: Filters, scope: Scope, *, reader: Reader | None = None) -> Page:
    """KPI cards; campaign sales by campaign; campaign sales and share by month; new customers by
    campaign; the campaign results table (campaigns only, not "No campaign")."""
    reader = reader or default_reader()
    details = tuple(
        ("Campaign", c)
        for c in (
            "Campaign Key",
            "Campaign",
            "Campaign Type",
            "Channel",
            "Start Date",
            "End Date",
            "Is Campaign",
        )
    )
    page = _run(
        {
            "kpis": Dataset(("Campaign Sales", "Campaign Share %", "Sales", "New Customers")),
            "sales_by_campaign": Dataset(("Campaign Sales",), (CAMPAIGN,), order_by="Campaign Sales"),
            "campaign_sales_over_time": Dataset(("Campaign Sales", "Campaign Share %"), (MONTH,)),
            "new_customers_by_campaign": Dataset(("New Customers",), (CAMPAIGN,), order_by="New Customers"),
            "campaign_results": Dataset(
                ("Campaign Sales", "Campaign Share %", "New Customers", "Sales", "Orders"),
                details,
                order_by="Campaign Sales",
            ),
        },
        filters,
        scope,
        reader,
    )
    results = page["campaign_results"]
    page["campaign_results"] = (
        results[results["Is Campaign"] == True]  # noqa: E712 (a column of booleans)
        .drop(columns="Is Campaign")
        .reset_index(drop=True)
    )
    return page


PAGES: dict[str, Callable[..., Page]] = {
    "Sales Overview": sales_overview,
    "Sales Reps": sales_reps,
    "Customer Details": customer_details,
    "Product Details": product_details,
    "Campaigns": campaigns,
}


def page_data(name: str, filters: Filters, scope: Scope, *, reader: Reader | None = None) -> Page:
    """The datasets of the page called ``name`` (a key of ``PAGES``)."""
    return PAGES[name](filters, scope, reader=reader)


def filter_options(scope: Scope, *, reader: Reader | None = None) -> Page:
    """What each slicer may offer, already restricted to what ``scope`` sees (see ``options``)."""
    from salespulse.web.options import filter_options as options

    return options(scope, reader=reader)
