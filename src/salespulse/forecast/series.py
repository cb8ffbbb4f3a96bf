"""Monthly sales series read from a built warehouse (its reporting views), and which ones to forecast.

Every number comes through ``Warehouse.query`` on the reporting views, so the same code reads DuckDB,
PostgreSQL or any later target. The as-of date is the one the warehouse was built with
(``reporting.dates.is_on_or_before_as_of``), never the clock.

Rules (see docs/analytics.md):

- Only complete months are history: the as-of month counts when the as-of date is its last day.
- A series is forecast when it has at least ``MIN_HISTORY_MONTHS`` months of uninterrupted
  positive sales up to the last complete month (the seasonal models need two full years).
- The total and every product category are always attempted. Territories are forecast only when
  every territory with sales had at least ``MIN_TERRITORY_ORDERS`` orders in each of the last
  twelve complete months: below that, a territory's month is dominated by a few large orders and
  its forecast would be noise (in the demo's last year a territory of the 20k and 100k data has 14 to 351
  orders a month, with some below 100 at both sizes, so territories are not forecast there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from salespulse.warehouse import Warehouse

SEASON_MONTHS = 12
MIN_HISTORY_MONTHS = 2 * SEASON_MONTHS
MIN_TERRITORY_ORDERS = 100

TOTAL, CATEGORY, TERRITORY = "total", "category", "territory"
ALL_MEMBER = "All"
LEVEL_ORDER = {TOTAL: 0, CATEGORY: 1, TERRITORY: 2}


def month_add(month: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``month``'s month."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Number of months from ``first``'s month to ``last``'s month (0 when the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def last_complete_month(as_of: date) -> date:
    """First day of the last month that is complete on ``as_of``."""
    if (as_of + timedelta(days=1)).day == 1:
        return as_of.replace(day=1)
    return month_add(as_of.replace(day=1), -1)


@dataclass(frozen=True)
class Series:
    """Monthly net sales of one series: consecutive months from ``start`` (first day of a month)."""

    level: str
    member: str
    start: date
    values: tuple[float, ...]

    @property
    def key(self) -> tuple[int, str]:
        return LEVEL_ORDER[self.level], self.member

    @property
    def end(self) -> date:
        return month_add(self.start, len(self.values) - 1)

    def months(self) -> list[date]:
        return [month_add(self.start, i) for i in range(len(self.values))]

    def array(self) -> np.ndarray:
        return np.asarray(self.values, dtype=float)

    def until(self, last_month: date) -> Series:
        """The series up to and including ``last_month``."""
        keep = max(0, months_between(self.start, last_month) + 1)
        return replace(self, values=self.values[:keep])

    def value(self, month: date) -> float | None:
        index = months_between(self.start, month)
        return self.values[index] if 0 <= index < len(self.values) else None

    def forecastable(self) -> Series | None:
        """The trailing run of positive months if it is long enough for the seasonal models, else None."""
        values = self.values
        run = 0
        while run < len(values) and values[len(values) - 1 - run] > 0:
            run += 1
        if run < MIN_HISTORY_MONTHS:
            return None
        return Series(self.level, self.member, month_add(self.end, 1 - run), values[len(values) - run :])


@dataclass(frozen=True)
class SalesHistory:
    """Everything the forecast reads from the warehouse."""

    as_of: date
    last_month: date
    series: tuple[Series, ...]
    #: Why territories are (not) forecast, in words.
    territory_decision: str


def warehouse_as_of(warehouse: Warehouse) -> date:
    """The as-of date the warehouse was built with."""
    rows = warehouse.query("select max(date_day) from reporting.dates where is_on_or_before_as_of")
    if not rows or rows[0][0] is None:
        raise RuntimeError("reporting.dates has no day up to the as-of date: run `salespulse build` first")
    value = rows[0][0]
    return value if isinstance(value, date) else date.fromisoformat(str(value))


_MONTHLY_SALES_SQL = """
select
    dates.month_start_date,
    products.category_name,
    territories.territory_code,
    sum(sales.net_sales_amount) as net_sales_amount
from reporting.sales as sales
inner join reporting.dates as dates on sales.order_date_key = dates.date_key
inner join reporting.products as products on sales.product_key = products.product_key
inner join reporting.territories as territories on sales.territory_key = territories.territory_key
where sales.counts_as_sales and dates.month_start_date <= ?
group by dates.month_start_date, products.category_name, territories.territory_code
"""

_TERRITORY_ORDERS_SQL = """
select
    dates.month_start_date,
    territories.territory_code,
    count(distinct sales.order_number) as orders
from reporting.sales as sales
inner join reporting.dates as dates on sales.order_date_key = dates.date_key
inner join reporting.territories as territories on sales.territory_key = territories.territory_key
where sales.counts_as_sales and dates.month_start_date <= ? and dates.month_start_date > ?
group by dates.month_start_date, territories.territory_code
"""


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def read_history(warehouse: Warehouse, *, min_territory_orders: int = MIN_TERRITORY_ORDERS) -> SalesHistory:
    """Monthly net sales of the total, each category and each territory up to the last complete month."""
    as_of = warehouse_as_of(warehouse)
    last_month = last_complete_month(as_of)
    cells = [
        (_as_date(month), category, territory, Decimal(str(amount or 0)))
        for month, category, territory, amount in warehouse.query(_MONTHLY_SALES_SQL, [last_month])
    ]
    orders: dict[str, dict[date, int]] = defaultdict(dict)
    for month, territory, count in warehouse.query(
        _TERRITORY_ORDERS_SQL, [last_month, month_add(last_month, -SEASON_MONTHS)]
    ):
        orders[str(territory)][_as_date(month)] = int(count)
    include, decision = territory_rule(orders, last_month, min_territory_orders)
    series = build_series(cells, last_month, include_territories=include)
    return SalesHistory(as_of, last_month, tuple(series), decision)


def territory_rule(
    orders: Mapping[str, Mapping[date, int]], last_month: date, min_orders: int = MIN_TERRITORY_ORDERS
) -> tuple[bool, str]:
    """Whether to forecast by territory: every territory with sales had ``min_orders`` orders in
    each of the last twelve complete months. Returns the decision and its reason in words."""
    months = [month_add(last_month, -i) for i in range(SEASON_MONTHS)]
    if not orders:
        return False, "territories not forecast: no sales by territory"
    short = {
        territory: min(by_month.get(m, 0) for m in months) for territory, by_month in sorted(orders.items())
    }
    below = {t: n for t, n in short.items() if n < min_orders}
    if below:
        worst = min(below, key=lambda t: (below[t], t))
        return False, (
            f"territories not forecast: {len(below)} of {len(short)} territories had fewer than "
            f"{min_orders} orders in a month of the last 12 (fewest: {worst}, {below[worst]})"
        )
    return (
        True,
        f"territories forecast: every territory had {min_orders}+ orders in each of the last 12 months",
    )


def build_series(
    cells: Iterable[tuple[date, str | None, str | None, Decimal]],
    last_month: date,
    *,
    include_territories: bool,
) -> list[Series]:
    """Series of the total, each category (and each territory) from monthly (category, territory) cells.

    Amounts are summed as exact decimals, so the series (and the forecast) do not depend on the
    order in which a target returns the rows.
    """
    sums: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for month, category, territory, amount in cells:
        sums[(TOTAL, ALL_MEMBER)][month] += amount
        sums[(CATEGORY, category or "Unknown")][month] += amount
        if include_territories:
            sums[(TERRITORY, territory or "UNASSIGNED")][month] += amount
    out = []
    for (level, member), by_month in sums.items():
        first = min(by_month)
        count = months_between(first, last_month) + 1
        values = tuple(float(by_month.get(month_add(first, i), Decimal(0))) for i in range(count))
        out.append(Series(level, member, first, values))
    return sorted(out, key=lambda s: s.key)
