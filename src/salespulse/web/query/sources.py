"""Where a query on the order lines reads from: ``reporting.sales`` or an aggregate of it.

dbt builds aggregates of the order lines for the web (``models/marts/web``, read through the
``reporting.web_*`` views). A query (measures, groups, filters, scope, dates) reads the smallest one
that gives exactly the numbers ``reporting.sales`` would, else the order lines:

- every column it filters or groups by, and the scope's columns, is in the aggregate (or in a
  dimension joined on one of its keys; a month aggregate only has month-level Date columns);
- its dates (filter and time-intelligence windows) fit the aggregate's grain: any range for a day
  aggregate, whole months for a month one;
- every measure can be computed there: sums from the summed columns (a condition on a joined
  dimension, like Campaign Sales, is fine); a distinct count only from a count the aggregate made
  for exactly that measure, and only where it adds up (see ``Source.counts``).

Each aggregate's rows keep the client's attributes the row-level security needs (its owning rep and
territory), or join the client (the copies of the order lines), so the scope applies in every query,
on every source. ``load_available`` says which aggregates the build being read has (they are used
only when they were built from the order lines being read).
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from salespulse.semantic import Measure, load_model
from salespulse.web.query.filters import Filters, Scope

SALES, CUSTOMER, PRODUCT, DATE = "Order Lines", "Customer", "Product", "Date"
TERRITORY, SALES_REP, CAMPAIGN, GEOGRAPHY = "Territory", "Sales Rep", "Campaign", "Geography"
Pair = tuple[str, str]  # (model table, reporting view column)

#: Date columns that are the same on every day of a month (a month aggregate joins the Date view on
#: the first day of the month).
MONTH_LEVEL = frozenset(
    {
        "year_number",
        "year_name",
        "quarter_number",
        "quarter_name",
        "year_quarter_name",
        "year_quarter_sort",
        "month_number",
        "month_name",
        "month_short_name",
        "year_month_name",
        "year_month_sort",
        "month_start_date",
        "month_end_date",
        "days_in_month",
        "fiscal_year",
        "fiscal_quarter",
        "is_current_year",
        "is_current_month",
        "relative_year",
        "relative_month",
    }
)

#: Bits per word of web_customer_activity's month masks, and its words.
MASK_BITS, MASK_WORDS = 62, 2

#: A distinct-count measure's identity: (column, where table, sorted where items, sorted where-not
#: items).
CountKey = tuple[str, str, tuple[tuple[str, Any], ...], tuple[tuple[str, Any], ...]]


def _conditions(spec: dict[str, Any]) -> list[str]:
    """The columns an aggregate measure's row conditions (where, where_not) read."""
    return [*(spec.get("where") or {}), *(spec.get("where_not") or {})]


def count_key(measure: Measure) -> CountKey:
    spec = measure.spec
    where = tuple(sorted((spec.get("where") or {}).items()))
    where_not = tuple(sorted((spec.get("where_not") or {}).items()))
    return spec["column"], spec.get("where_table", spec["table"]), where, where_not


ORDERS: CountKey = ("order_number", SALES, (("counts_as_sales", True),), ())
_KNOWN = (("customer_key", -1),)  # the Unknown customer is no client
NEW_CUSTOMERS: CountKey = ("customer_key", SALES, (("customer_order_type", "New"),), _KNOWN)
CUSTOMERS: CountKey = ("customer_key", SALES, (("counts_as_sales", True),), _KNOWN)


def named(table: str, *columns: str) -> dict[Pair, str]:
    """Columns of a model table that an aggregate holds under their own names."""
    return {(table, column): column for column in columns}


#: The client's attributes row-level security needs (and the Client Type slicer): every aggregate
#: that sums the lines carries them, prefixed where an order line has a column of the same name.
_CLIENT_COLUMNS = {
    (CUSTOMER, "customer_type"): "customer_type",
    (CUSTOMER, "sales_rep_key"): "customer_sales_rep_key",
    (CUSTOMER, "territory_key"): "customer_territory_key",
}
#: An aggregate's date columns, by its grain (``Source.dates``).
_DATE_COLUMNS: dict[str, dict[Pair, str]] = {
    "day": named(SALES, "order_date", "order_date_key"),
    "month": {(SALES, "order_date"): "month_start_date"},
}
_LINE_KEYS = named(SALES, "campaign_key", "territory_key", "sales_rep_key")
_SUMS = {
    column: column for column in ("net_sales_amount", "sales_quantity", "margin_amount", "cancelled_amount")
}
#: Summed integer columns: cast back to bigint so every target returns integers, as the lines do.
INTEGER_SUMS = frozenset({"sales_quantity"})


@dataclass(frozen=True, eq=False)
class Source:
    """An aggregate view of the order lines (``reporting.<view>``)."""

    view: str
    #: "day": ``order_date`` / ``order_date_key``; "month": ``month_start_date``; "mask": no date
    #: column, the months are bits of ``active_months_<n>`` (client counts only).
    dates: str
    columns: Mapping[Pair, str]  # model column -> the aggregate's column
    joins: frozenset[str] = frozenset()  # dimensions joined on the aggregate's key of them
    sums: Mapping[str, str] = field(default_factory=dict)  # order-line column -> its sum here
    #: distinct counts made for one measure -> how it is read ("orders", "new_customers", "active").
    counts: Mapping[CountKey, str] = field(default_factory=dict)
    #: (flag column, columns empty on the flagged rows): rows over all values of those columns.
    rollup: tuple[str, frozenset[Pair]] | None = None
    #: One row per order line (not summed): measures are computed as on ``reporting.sales``.
    lines: bool = False
    #: Columns a query must filter on to read here (the order the rows are sorted by).
    requires: frozenset[Pair] = frozenset()
    #: Holds the rows of some values of this column only, those of ``members_view``
    #: (``Available.members``): a query must filter on values it holds.
    partial: Pair | None = None
    members_view: str | None = None

    def resolves(self, table: str, column: str, model: Any) -> bool:
        """Whether a model column can be read here (directly, by key or by a join)."""
        if (table, column) in self.columns:
            return True
        if table == SALES:
            return False
        fact, key = relationship(model, table)
        if column == key and (SALES, fact) in self.columns:
            return True  # a dimension's key: the aggregate's own key column
        if table not in self.joins:
            return False
        if table == DATE and self.dates == "month":
            return column in MONTH_LEVEL
        return True

    def column(self, table: str, column: str, model: Any) -> str | None:
        """The aggregate's own column holding a model column (a dimension key included), if any."""
        if (table, column) in self.columns:
            return self.columns[(table, column)]
        if table != SALES:
            fact, key = relationship(model, table)
            if column == key:
                return self.columns.get((SALES, fact))
        return None


def relationship(model: Any, table: str) -> tuple[str, str]:
    """(order-line column, dimension column) of the relationship from the order lines to ``table``."""
    for rel in model.relationships:
        if rel.from_table == SALES and rel.to_table == table:
            return model.table(SALES).column(rel.from_column).source, model.table(table).column(
                rel.to_column
            ).source
    raise KeyError(f"{SALES!r} has no relationship to {table!r}")


def summed(
    view: str,
    dates: str,
    groups: Mapping[Pair, str],
    joins: frozenset[str],
    sums: Mapping[str, str],
    counts: Mapping[CountKey, str] | None = None,
    rollup: tuple[str, frozenset[Pair]] | None = None,
) -> Source:
    """An aggregate that sums the order lines (or counts them): its date columns (by ``dates``), the
    columns it is grouped by (``groups``) and the client's attributes row-level security needs."""
    columns = {**_DATE_COLUMNS.get(dates, {}), **groups, **_CLIENT_COLUMNS}
    return Source(view, dates, columns, joins, sums, counts or {}, rollup)


_CATEGORY = named(PRODUCT, "category_name")
DAILY = summed(
    "web_sales_daily",
    "day",
    {**_CATEGORY, **_LINE_KEYS},
    frozenset({DATE, TERRITORY, SALES_REP, CAMPAIGN}),
    sums=_SUMS,
    counts={ORDERS: "orders", NEW_CUSTOMERS: "new_customers"},
    rollup=("is_all_categories", frozenset(_CATEGORY)),
)
MONTHLY = summed(
    "web_sales_monthly",
    "month",
    {**_CATEGORY, **named(SALES, "geography_key"), **named(CUSTOMER, "industry"), **_LINE_KEYS},
    frozenset({DATE, TERRITORY, SALES_REP, CAMPAIGN, GEOGRAPHY}),
    sums=_SUMS,
)
PRODUCTS_MONTHLY = summed(
    "web_product_sales_monthly",
    "month",
    {**named(SALES, "product_key"), **_LINE_KEYS},
    frozenset({DATE, TERRITORY, SALES_REP, CAMPAIGN, PRODUCT}),
    sums=_SUMS,
)
CUSTOMER_ACTIVITY = summed(
    "web_customer_activity",
    "mask",
    {
        **named(SALES, "customer_key", "sales_rep_key", "territory_key", "geography_key"),
        **_CATEGORY,
        **named(CUSTOMER, "customer_label", "industry"),
    },
    frozenset({TERRITORY, SALES_REP, GEOGRAPHY}),
    sums={},
    counts={CUSTOMERS: "active"},
    rollup=("is_all_categories", frozenset(_CATEGORY)),
)
_CLIENT_NAMES = {
    **named(CUSTOMER, "customer_label"),
    **_CATEGORY,
    **named(SALES, "territory_key", "sales_rep_key"),
}
_CLIENT_SUMS = {"net_sales_amount": "net_sales_amount"}
CLIENTS_MONTHLY = summed(
    "web_client_sales_monthly",
    "month",
    _CLIENT_NAMES,
    frozenset({DATE, TERRITORY, SALES_REP}),
    sums=_CLIENT_SUMS,
)
_LINE_DIMENSIONS = frozenset({DATE, PRODUCT, SALES_REP, GEOGRAPHY, TERRITORY, CAMPAIGN, CUSTOMER})
#: The order-line columns the copies of the lines hold: the client lines all of them, the product
#: lines those the product page reads (no line numbers, statuses, order types or cancelled amounts).
_LINE_COLUMNS = (
    "order_date",
    "order_date_key",
    "order_number",
    "line_number",
    "customer_key",
    "product_key",
    "sales_rep_key",
    "geography_key",
    "territory_key",
    "campaign_key",
    "order_status",
    "counts_as_sales",
    "customer_order_type",
    "sales_quantity",
    "net_sales_amount",
    "margin_amount",
    "cancelled_amount",
)
_NOT_ON_PRODUCT_LINES = frozenset(
    {"order_date_key", "order_status", "customer_order_type", "cancelled_amount"}
)
#: The order lines of the clients with many lines, sorted by client: a query on a few of them reads
#: only their rows (a client with few lines costs little on reporting.sales).
CUSTOMER_LINES = Source(
    "web_customer_sales_lines",
    "day",
    named(SALES, *_LINE_COLUMNS),
    _LINE_DIMENSIONS,
    lines=True,
    requires=frozenset({(CUSTOMER, "customer_key")}),
    partial=(CUSTOMER, "customer_key"),
    members_view="web_big_clients",
)
#: The order lines sorted by product: a query on a few products reads only their rows.
PRODUCT_LINES = Source(
    "web_product_sales_lines",
    "day",
    named(SALES, *(column for column in _LINE_COLUMNS if column not in _NOT_ON_PRODUCT_LINES)),
    _LINE_DIMENSIONS,
    lines=True,
    requires=frozenset({(PRODUCT, "product_key")}),
)
#: CLIENTS_MONTHLY with the clients' keys (one per name): for rankings of clients by key only, read
#: for the few candidates of a ranking by their rank. Not a general source: it is sorted by rank, so
#: a query on a few clients by key would read all of it (their lines cost less).
CLIENT_KEYS_MONTHLY = summed(
    "web_client_sales_monthly",
    "month",
    {**named(SALES, "customer_key"), **_CLIENT_NAMES},
    frozenset({DATE, TERRITORY, SALES_REP}),
    sums=_CLIENT_SUMS,
)
#: Sorted by ``client_rank``: the rows of a ranking's candidates are read by their ranks.
RANK_SORTED = (CLIENTS_MONTHLY, CLIENT_KEYS_MONTHLY)
#: Per client x day x territory x rep (about an order a row), sorted by client: measures of given
#: clients (the top clients' table, a small client's page) without the lines' distinct counts.
CLIENTS_DAILY = summed(
    "web_client_sales_daily",
    "day",
    named(SALES, "customer_key", "territory_key", "sales_rep_key"),
    frozenset({DATE, TERRITORY, SALES_REP, CUSTOMER}),
    sums=_SUMS,
    counts={ORDERS: "client_orders"},
)
#: Upper bounds of each client name's sales (all dates): for rankings of clients only.
CLIENT_BOUNDS = summed(
    "web_client_sales",
    "none",
    _CLIENT_NAMES,
    frozenset({TERRITORY, SALES_REP}),
    sums={"net_sales_amount": "positive_net_sales_amount"},
)
#: In the order they are tried: the smallest that answers wins.
SOURCES = (
    DAILY,
    MONTHLY,
    PRODUCTS_MONTHLY,
    CUSTOMER_ACTIVITY,
    CLIENTS_MONTHLY,
    CUSTOMER_LINES,
    PRODUCT_LINES,
)
#: Tried after those: a client that the client lines do not hold is read here rather than from the
#: order lines (when the build has it).
CLIENT_SOURCES = (CLIENTS_DAILY,)
ALL_SOURCES = (*SOURCES, *CLIENT_SOURCES, CLIENT_BOUNDS)
CHECKS_VIEW = "web_sales_checks"
MEMBER_VIEWS = tuple(s.members_view for s in ALL_SOURCES if s.members_view)


@dataclass(frozen=True)
class Available:
    """The aggregates of the build being read, and whether their distinct counts add up."""

    sources: tuple[Source, ...] = ()
    orders_add_up: bool = False
    new_customers_add_up: bool = False
    #: Every counted order falls in one group of ``CLIENTS_DAILY``.
    client_orders_add_up: bool = False
    #: The values a partial source holds (``Source.partial``).
    members: Mapping[Source, frozenset[Any]] = field(default_factory=dict)
    #: Sources for rankings only (``CLIENT_KEYS_MONTHLY``), never chosen for other queries.
    ranking: tuple[Source, ...] = ()

    def has(self, source: Source) -> bool:
        return source in self.sources or source in self.ranking


NONE = Available()


# --------------------------------------------------------------------------- dates


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar_module.monthrange(day.year, day.month)[1])


def whole_months(date_from: date | None, date_to: date | None) -> bool:
    """Whether a date range (open ends allowed) is made of whole months."""
    return (date_from is None or date_from.day == 1) and (date_to is None or date_to == month_end(date_to))


def month_index(first: date, day: date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


def month_masks(first: date, date_from: date | None, date_to: date | None) -> list[int]:
    """The ``active_months_<n>`` bits of the months from ``date_from`` to ``date_to`` (whole months)."""
    low = 0 if date_from is None else max(0, month_index(first, date_from))
    high = MASK_BITS * MASK_WORDS - 1 if date_to is None else month_index(first, date_to)
    masks = []
    for word in range(MASK_WORDS):
        start, end = max(low, word * MASK_BITS), min(high, (word + 1) * MASK_BITS - 1)
        bits = 0
        if start <= end:
            bits = ((1 << (end - start + 1)) - 1) << (start - word * MASK_BITS)
        masks.append(bits)
    return masks


# --------------------------------------------------------------------------- what a query needs


@dataclass(frozen=True)
class Need:
    """What a query on the order lines reads: the planner's input."""

    measures: tuple[Measure, ...]
    groups: tuple[Pair, ...]  # grouped model columns
    filters: Filters
    scope: Scope
    dates: tuple[tuple[date | None, date | None], ...]  # the date ranges it reads (filter or windows)
    extra: tuple[Pair, ...] = ()  # other columns it filters on

    def columns(self) -> list[Pair]:
        """Every model column the query filters or groups by, the scope's and the measures'."""
        found: list[Pair] = [*self.groups, *self.extra]
        for table in (CUSTOMER, PRODUCT, SALES_REP, GEOGRAPHY, TERRITORY, CAMPAIGN, DATE):
            found += [(table, column) for column, _ in self.filters.on(table)]
        model = load_model()
        found += [reach.reads for reach in model.reach(SALES, model.web_role(self.scope.role))]
        for measure in self.measures:
            spec = measure.spec
            if spec.get("function") == "sum" and (spec.get("where") or spec.get("where_not")):
                where_table = spec.get("where_table", spec["table"])
                found += [(where_table, column) for column in _conditions(spec)]
        return list(dict.fromkeys(found))


def pinned(need: Need, column: Pair) -> bool:
    """Whether every result group holds one value of ``column`` (grouped, or filtered to one value)."""
    if column in need.groups:
        return True
    values = dict(need.filters.on(column[0])).get(column[1])
    return values is not None and len(values) == 1


def rollup_rows(source: Source, need: Need) -> bool | None:
    """Which rows of a source with a rollup to read: the all-values rows (True) when the query does
    not touch the rolled-up columns, else the per-value rows (False); ``None``: no rollup."""
    if source.rollup is None:
        return None
    _, rolled = source.rollup
    return not any(column in rolled for column in need.columns())


def can_compute(
    source: Source, measure: Measure, need: Need, available: Available, first_month: date | None, model: Any
) -> bool:
    """Whether ``source`` gives exactly the value of one aggregate measure for ``need``."""
    spec = measure.spec
    function = spec.get("function")
    if source.lines:  # as on reporting.sales: the measure's column and its condition's columns
        where_table = spec.get("where_table", spec["table"])
        return source.resolves(SALES, spec["column"], model) and all(
            source.resolves(where_table, column, model) for column in _conditions(spec)
        )
    if function == "sum":
        if spec["column"] not in source.sums:
            return False
        where_table = spec.get("where_table", spec["table"])
        return where_table != SALES or not _conditions(spec)
    if function != "distinct_count":
        return False
    kind = source.counts.get(count_key(measure))
    if kind is None:
        return False
    if kind == "orders" and not available.orders_add_up:
        return False
    if kind == "client_orders" and not available.client_orders_add_up:
        return False
    if kind == "new_customers" and not available.new_customers_add_up:
        return False
    if kind == "active" and first_month is None:
        return False
    # a count adds up over the rows of one value of a rolled-up column, or over the rollup rows
    if source.rollup is not None and not rollup_rows(source, need):
        _, rolled = source.rollup
        if not all(pinned(need, column) for column in rolled):
            return False
    return True


def fits(
    source: Source,
    need: Need,
    model: Any,
    first_month: date | None,
    as_of: date | None,
    available: Available = NONE,
) -> bool:
    """Whether ``source`` can read every column and date range of ``need`` (measures aside)."""
    if not all(source.resolves(table, column, model) for table, column in need.columns()):
        return False
    for table, column in source.requires:
        if column not in dict(need.filters.on(table)):
            return False
    if source.partial is not None:
        values = dict(need.filters.on(source.partial[0])).get(source.partial[1], ())
        if not values or not set(values) <= available.members.get(source, frozenset()):
            return False
    if source.dates == "day":
        return True
    if source.dates == "month":
        return all(whole_months(start, end) for start, end in need.dates)
    if source.dates == "mask":
        if any(table == DATE for table, _ in need.columns()) or first_month is None or as_of is None:
            return False
        if month_index(first_month, as_of) >= MASK_BITS * MASK_WORDS:
            return False  # sales in months the masks do not hold
        return len(need.dates) <= 1 and all(whole_months(start, end) for start, end in need.dates)
    return False


def choose(
    measure: Measure,
    need: Need,
    available: Available,
    model: Any,
    first_month: date | None,
    as_of: date | None,
    candidates: Iterable[Source] = SOURCES,
) -> Source | None:
    """The first available source that computes ``measure`` exactly for ``need``; ``None``: the
    order lines."""
    for source in candidates:
        if not available.has(source):
            continue
        if fits(source, need, model, first_month, as_of, available) and can_compute(
            source, measure, need, available, first_month, model
        ):
            return source
    return None


def load_available(session: Any) -> Available:
    """Which aggregate views the build has: none on a warehouse built before them, and none when
    the order lines are not those they were built from (a DuckDB build whose fct_sales changed
    without its aggregates; checked once per build)."""

    def compute() -> Available:
        names = [source.view for source in ALL_SOURCES] + [CHECKS_VIEW, *MEMBER_VIEWS]
        placeholders = ", ".join("?" for _ in names)
        rows = session.query(
            "select table_name from information_schema.tables "
            f"where table_schema = 'reporting' and table_name in ({placeholders})",
            names,
        )
        found = {row[0] for row in rows}
        sources = tuple(source for source in ALL_SOURCES if source.view in found)
        if not sources:
            return NONE
        if CHECKS_VIEW not in found:
            return NONE
        checks = session.query(
            "select orders_add_up, new_customers_add_up, order_lines, net_sales_amount, sales_quantity "
            f'from reporting."{CHECKS_VIEW}"'
        )
        if not checks:
            return NONE
        orders, new_customers, *built_from = checks[0]
        if session.build is not None:  # one statement per build: are these the lines they summed?
            lines = session.query(
                "select count(*), coalesce(sum(net_sales_amount), 0), coalesce(sum(sales_quantity), 0) "
                'from reporting."sales"'
            )
            if [*lines[0]] != built_from:
                return NONE
        members = {}
        for source in sources:
            if source.partial is not None and source.members_view in found:
                column = load_model().table(source.partial[0]).column(source.partial[1]).source
                rows = session.query(f'select "{column}" from reporting."{source.members_view}"')
                members[source] = frozenset(row[0] for row in rows)
        ranking: tuple[Source, ...] = ()
        if CLIENTS_MONTHLY in sources:  # a build before the clients' keys were added has none
            keyed = session.query(
                "select count(*) from information_schema.columns where table_schema = 'reporting' "
                "and table_name = ? and column_name = 'customer_key'",
                [CLIENT_KEYS_MONTHLY.view],
            )
            ranking = (CLIENT_KEYS_MONTHLY,) if keyed[0][0] else ()
        client_orders = False
        if CLIENTS_DAILY in sources:  # built with its check
            (client_orders,) = session.query(f'select client_orders_add_up from reporting."{CHECKS_VIEW}"')[0]
        return Available(
            sources,
            orders_add_up=bool(orders),
            new_customers_add_up=bool(new_customers),
            client_orders_add_up=bool(client_orders),
            members=members,
            ranking=ranking,
        )

    if not getattr(session, "aggregates", True):
        return NONE
    return session.cached("web aggregates", compute)  # type: ignore[no-any-return]
