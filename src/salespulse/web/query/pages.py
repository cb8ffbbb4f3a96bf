"""The data of each report page, for ``Filters`` + ``Scope``: the pages of the page spec
(``salespulse/semantic/pages.yml``, which the Power BI report's pages are written from too), visual
for visual, plus the detail tables of the web.

Each page function returns ``{dataset: DataFrame}`` (headers: model column names and measure
names), in the order the page shows them; ``filter_options`` gives what each slicer may offer.
A page's datasets are evaluated together (``evaluate_many``): one session, shared statements.
Where a dataset is exactly what the spec says its visual shows (measures, category fields, top
N, sort), it is read from the spec (``spec_dataset``); the others carry what the web adds to a
visual (keys to click, attributes, the amounts its exports hold) on top of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from salespulse.semantic import load_model
from salespulse.semantic.pages import WEB, load_pages
from salespulse.web.query import analytics
from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.measures import Request, evaluate_many
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.sqlbuild import ident, placeholders, view
from salespulse.web.query.timeintel import load_calendar

Pair = tuple[str, str]
Page = dict[str, pd.DataFrame]

MONTH: Pair = ("Date", "Year Month Name")
CLIENT: Pair = ("Customer", "Client")
PRODUCT: Pair = ("Product", "Product")
CATEGORY: Pair = ("Product", "Category")
SALES_REP: Pair = ("Sales Rep", "Sales Rep")
CAMPAIGN: Pair = ("Campaign", "Campaign")
CALENDAR: tuple[Pair, ...] = (("Date", "Year"), ("Date", "Quarter"), ("Date", "Month"))
ORDER_DATE: Pair = ("Order Lines", "Order Date")
ORDER_LINE_COLUMNS: tuple[Pair, ...] = (
    ORDER_DATE,
    ("Order Lines", "Order Number"),
    ("Order Lines", "Line Number"),
    CLIENT,
    PRODUCT,
    ("Order Lines", "Order Status"),
)
#: Rows of an order-line table a page returns at most (the newest first).
ORDER_LINES_LIMIT = 1_000
#: Members looked up by key at most (more: the whole dimension is read).
LOOKUP_KEYS = 1_000


@dataclass(frozen=True)
class Dataset:
    measures: tuple[str, ...]
    by: tuple[Pair, ...] = ()
    top: int | None = None
    order_by: str | None = None
    descending: bool = True


def spec_dataset(slug: str, visual_id: str) -> Dataset:
    """The dataset of the web page ``slug``'s visual ``visual_id`` as the page spec says it shows:
    its measures, by its category fields, its top N, ordered by the measure it is sorted on."""
    spec = load_pages().by_slug(slug).visual(visual_id)
    fields = spec.web.category if spec.web.category is not None else spec.category
    by = tuple((str(f.table), f.name) for f in fields)
    order_by, descending = None, True
    if spec.sort is not None and spec.sort[0].is_measure and spec.top is None:
        order_by, descending = spec.sort[0].name, spec.sort[1] == "Descending"
    return Dataset(spec.measures_on(WEB), by, spec.top, order_by, descending)


def _requests(datasets: dict[str, Dataset], filters: Filters) -> dict[str, Request]:
    return {
        name: Request(spec.measures, filters, spec.by, spec.top, spec.order_by, spec.descending)
        for name, spec in datasets.items()
    }


def _run(datasets: dict[str, Dataset], filters: Filters, scope: Scope, reader: Reader | Session) -> Page:
    return evaluate_many(_requests(datasets, filters), scope, reader=reader)


def _relative_years(filters: Filters, reader: Reader | Session, years: int = 3) -> Filters:
    """``filters`` narrowed to the as-of year and the ``years - 1`` before it (Relative Year)."""
    as_of = load_calendar(reader).as_of
    start, end = date(as_of.year - years + 1, 1, 1), date(as_of.year, 12, 31)
    return replace(
        filters,
        date_from=max(start, filters.date_from or start),
        date_to=min(end, filters.date_to or end),
    )


def sales_overview(filters: Filters, scope: Scope, *, reader: Reader | Session | None = None) -> Page:
    """KPI cards; sales vs budget to date by month; the trend of this year and the two before
    (Year x Month); top 10 clients and products; sales by category; sales by city (map)."""
    session = session_of(reader)
    city = tuple(
        ("Geography", c) for c in ("Geography Key", "City", "Region", "Country", "Latitude", "Longitude")
    )
    requests = _requests(
        {
            "kpis": spec_dataset("overview", "kpis"),
            "sales_vs_budget_by_month": Dataset(
                ("Sales", "Budget", "Budget To Date", "Variance", "Attainment %"), (MONTH,)
            ),
        },
        filters,
    )
    requests["sales_trend"] = Request(
        ("Sales",), _relative_years(filters, session), (("Date", "Year"), ("Date", "Month"))
    )
    requests |= _requests(
        {
            "top_10_clients": spec_dataset("overview", "top_10_clients"),
            "top_10_products": Dataset(("Sales",), (PRODUCT, CATEGORY), top=10),
            "sales_by_category": Dataset(
                ("Sales", "Sales In Budget Months", "Budget", "Budget To Date", "Attainment %"),
                (CATEGORY,),
                order_by="Sales",
            ),
            "sales_by_city": Dataset(("Sales",), city),
        },
        filters,
    )
    return evaluate_many(requests, scope, reader=session)


def sales_reps(filters: Filters, scope: Scope, *, reader: Reader | Session | None = None) -> Page:
    """KPI cards; sales vs budget per rep (lowest attainment first); new customers per rep; sales
    per rep over Year > Quarter > Month; sales vs budget per territory (the budget's grain)."""
    reader = session_of(reader)
    rep = (("Sales Rep", "Sales Rep Key"), SALES_REP, ("Sales Rep", "Territory Name"))
    budget = ("Sales", "Sales In Budget Months", "Budget", "Budget To Date", "Variance", "Attainment %")
    return _run(
        {
            "kpis": spec_dataset("reps", "kpis"),
            "sales_vs_budget_by_rep": Dataset(
                (*budget, "Orders", "Customers"), rep, order_by="Attainment %", descending=False
            ),
            "new_customers_by_rep": spec_dataset("reps", "new_customers_by_rep"),
            "sales_by_rep_over_time": Dataset(("Sales",), (SALES_REP, *CALENDAR)),
            "sales_vs_budget_by_territory": Dataset(
                budget, (("Territory", "Region"), ("Territory", "Territory Code"), ("Territory", "Territory"))
            ),
        },
        filters,
        scope,
        reader,
    )


def _member_lookup(
    table: str, attributes: Sequence[str], keys: Sequence[int], session: Session
) -> pd.DataFrame:
    """The ``attributes`` (model column names) of a dimension's members, by key: the members of
    ``keys`` (the whole dimension for many keys)."""
    model_table = load_model().table(table)
    key = model_table.key
    columns = [model_table.column(name) for name in attributes]
    sql = f"select {', '.join(ident(c.source) for c in (key, *columns))} from {view(table)}"
    params: list[int] = []
    if len(keys) <= LOOKUP_KEYS:
        if not keys:
            return pd.DataFrame(columns=[key.name, *attributes])
        sql += f" where {ident(key.source)} in ({placeholders(keys)})"
        params = list(keys)
    return pd.DataFrame(session.query(sql, params), columns=[key.name, *attributes])


def _with_members(
    frame: pd.DataFrame, table: str, attributes: Sequence[str], measures: Sequence[str], session: Session
) -> pd.DataFrame:
    """One row per member of a dimension (the measures grouped by its key, largest first measure
    first), with its ``attributes`` looked up by key."""
    key = load_model().table(table).key.name
    keys = [int(k) for k in frame[key].tolist() if k is not None]
    lookup = _member_lookup(table, attributes, keys, session)
    return frame.merge(lookup, on=key, how="left")[[key, *attributes, *measures]]


def _members(table: str, measures: Sequence[str], filters: Filters, top: int | None = None) -> Request:
    """The members of ``table`` by its key with ``measures``, largest first; ``top``: only that
    many (ranked on the first measure alone, the others computed for those keys only)."""
    key = load_model().table(table).key.name
    return Request(tuple(measures), filters, ((table, key),), top=top, order_by=measures[0])


def _order_lines(filters: Filters, detail: bool) -> Request | None:
    """Order lines of the page's client / product, newest first (at most ``ORDER_LINES_LIMIT``)."""
    if not detail:  # a drill-through page without its client / product: no lines to list
        return None
    return Request(("Units", "Sales"), filters, ORDER_LINE_COLUMNS, newest=(ORDER_DATE, ORDER_LINES_LIMIT))


def _newest_lines(lines: pd.DataFrame | None) -> pd.DataFrame:
    if lines is None:
        return pd.DataFrame(columns=[*(column for _, column in ORDER_LINE_COLUMNS), "Units", "Sales"])
    lines = lines.sort_values(["Order Date", "Order Number", "Line Number"], ascending=[False, True, True])
    return lines.head(ORDER_LINES_LIMIT).reset_index(drop=True)


#: The Customer Details page lists the largest clients only (by Sales): a table of 400 000 clients
#: is not read by anyone, and computing every measure for each costs seconds at 10 M lines. The
#: page spec's limit of the clients table.
CLIENTS_LISTED = int(load_pages().by_slug("customer").visual("clients").web.get("limit"))

CLIENT_ATTRIBUTES = (
    "Client",
    "Client Type",
    "Industry",
    "Segment",
    "City",
    "Country Code",
    "First Order Date",
    "Last Order Date",
)
CLIENT_MEASURES = ("Sales", "Sales LY", "YoY %", "Orders", "Units", "Average Order Value", "Margin %")


def customer_details(filters: Filters, scope: Scope, *, reader: Reader | Session | None = None) -> Page:
    """The drill-through page of a client (``filters.customer_keys``): KPI cards; the client table;
    sales over Year > Quarter > Month; products bought; the order lines."""
    session = session_of(reader)
    requests = _requests(
        {
            "kpis": spec_dataset("customer", "kpis"),
            "sales_over_time": Dataset(("Sales",), CALENDAR),
            "products_bought": Dataset(
                ("Units", "Sales"), (CATEGORY, ("Product", "Subcategory"), PRODUCT), order_by="Sales"
            ),
        },
        filters,
    )
    requests["clients"] = _members("Customer", CLIENT_MEASURES, filters, top=CLIENTS_LISTED)
    lines = _order_lines(filters, bool(filters.customer_keys))
    if lines is not None:
        requests["order_lines"] = lines
    page = evaluate_many(requests, scope, reader=session)
    page["clients"] = _with_members(page["clients"], "Customer", CLIENT_ATTRIBUTES, CLIENT_MEASURES, session)
    page["order_lines"] = _newest_lines(page.get("order_lines"))
    return {
        name: page[name] for name in ("kpis", "clients", "sales_over_time", "products_bought", "order_lines")
    }


PRODUCT_ATTRIBUTES = ("SKU", "Product", "Subcategory", "Category", "Product Status")
PRODUCT_MEASURES = ("Sales", "Sales LY", "YoY %", "Units", "Margin", "Margin %")


def product_details(filters: Filters, scope: Scope, *, reader: Reader | Session | None = None) -> Page:
    """The drill-through page of a product (``filters.product_keys``): KPI cards; the product
    table; sales over Year > Quarter > Month; top 10 clients; sales by territory and geography."""
    session = session_of(reader)
    geography = tuple(("Geography", c) for c in ("Region", "Country", "State", "City"))
    requests = {"products": _members("Product", PRODUCT_MEASURES, filters)}
    requests |= _requests(
        {
            "kpis": spec_dataset("product", "kpis"),
            "sales_over_time": Dataset(("Sales",), CALENDAR),
            "top_clients": spec_dataset("product", "top_clients"),
            "sales_by_territory": spec_dataset("product", "sales_by_territory"),
            "sales_by_geography": Dataset(("Units", "Sales"), geography, order_by="Sales"),
        },
        filters,
    )
    page = evaluate_many(requests, scope, reader=session)
    products = _with_members(page.pop("products"), "Product", PRODUCT_ATTRIBUTES, PRODUCT_MEASURES, session)
    return {"kpis": page.pop("kpis"), "products": products} | page


#: The Campaigns page's card of the new customers whose first order had no campaign (the chart of
#: new customers by campaign shows campaigns only: "No campaign" would flatten every bar).
NO_CAMPAIGN_NEW_CUSTOMERS = "New Customers Without Campaign"
SHARE = "Campaign Share %"


def campaigns(filters: Filters, scope: Scope, *, reader: Reader | Session | None = None) -> Page:
    """KPI cards (with the campaigns' incremental sales and uplift, and the new customers who came
    without a campaign); campaign sales by campaign; campaign sales and share by month; new
    customers by campaign (campaigns only); the campaign results table (campaigns only, not "No
    campaign"); the campaigns' effectiveness against their baseline (company-wide for every role:
    ``analytics.campaign_effectiveness``).

    Campaign Share % is a share of all sales: Campaign Sales over the Sales of the same filters
    without the Campaign filter or grouping (DAX: ``REMOVEFILTERS ( Campaign )`` in the denominator),
    so a campaign's row, a month and the card with a campaign picked say how much of the business
    the campaign made (measures.yml ``denominator_all``, which the evaluator honours)."""
    reader = session_of(reader)
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
    is_campaign: Pair = ("Campaign", "Is Campaign")
    requests = _requests(
        {
            "kpis": Dataset(("Campaign Sales", SHARE, "Sales", "New Customers")),
            "sales_by_campaign": spec_dataset("campaigns", "sales_by_campaign"),
            "campaign_sales_over_time": spec_dataset("campaigns", "campaign_sales_over_time"),
            "new_customers_by_campaign": Dataset(
                ("New Customers",), (CAMPAIGN, is_campaign), order_by="New Customers"
            ),
            "campaign_results": Dataset(
                ("Campaign Sales", SHARE, "New Customers", "Sales", "Orders"),
                details,
                order_by="Campaign Sales",
            ),
        },
        filters,
    )
    page = evaluate_many(requests, scope, reader=reader)
    kpis = page["kpis"]
    results = page["campaign_results"]
    results = results[results["Is Campaign"] == True]  # noqa: E712 (a column of booleans)
    results = results.drop(columns="Is Campaign").reset_index(drop=True)
    page["campaign_results"] = results

    new = page["new_customers_by_campaign"]
    flags = new["Is Campaign"] == True  # noqa: E712 (a column of booleans)
    without = [v for v in new.loc[~flags, "New Customers"] if v is not None]
    page["new_customers_by_campaign"] = new[flags].drop(columns="Is Campaign").reset_index(drop=True)
    position = kpis.columns.get_loc("New Customers") + 1
    count = sum(without) if without else None  # blank where the filters leave no such customer
    kpis.insert(
        position, NO_CAMPAIGN_NEW_CUSTOMERS, pd.Series([count] * len(kpis), index=kpis.index, dtype=object)
    )

    effectiveness = analytics.campaign_effectiveness(filters, scope, reader)
    for name, value in analytics.campaign_totals(effectiveness).items():
        kpis[name] = pd.Series([value] * len(kpis), index=kpis.index, dtype=object)
    page["campaign_effectiveness"] = effectiveness
    return page


#: The analytics pages (``salespulse.web.query.analytics``): read from the analytics reporting views.
forecast = analytics.forecast
clients = analytics.clients

#: The data of each web page of the page spec, by its slug.
BUILDERS: dict[str, Callable[..., Page]] = {
    "overview": sales_overview,
    "reps": sales_reps,
    "customer": customer_details,
    "product": product_details,
    "campaigns": campaigns,
    "forecast": forecast,
    "clients": clients,
}
#: The same by page name (the spec's title: what ``page_data`` and the web's ``PAGES`` name a page by).
PAGES: dict[str, Callable[..., Page]] = {
    load_pages().by_slug(slug).title: build for slug, build in BUILDERS.items()
}


def page_data(
    name: str, filters: Filters, scope: Scope, *, reader: Reader | Session | None = None, **options: Any
) -> Page:
    """The datasets of the page called ``name`` (a key of ``PAGES``); ``options`` are the page's own
    (the Forecast page's ``series``)."""
    return PAGES[name](filters, scope, reader=reader, **options)


def filter_options(scope: Scope, *, reader: Reader | None = None) -> Page:
    """What each slicer may offer, already restricted to what ``scope`` sees (see ``options``)."""
    from salespulse.web.query.options import filter_options as options

    return options(scope, reader=reader)
