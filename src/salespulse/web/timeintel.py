"""The ``time`` measures of measures.yml: a base measure over a shifted date range.

Per group, the context's dates are those of the date filter and the group's own Date columns;
``last`` is the latest of them, but never past the As Of Date (the last date of
``reporting.dates`` with ``is_on_or_before_as_of``). Then, as in the DAX:

- ``previous_year``: the context's dates up to ``last``, one year earlier (SAMEPERIODLASTYEAR);
- ``year_to_date``: 1 January of ``last``'s year to ``last`` (other date filters replaced);
- ``previous_year_to_date``: that range one year earlier;
- ``run_rate_full_year``: year to date / elapsed days x days in the year (rounded to 4 places).

One year earlier: the same day, 29 February -> 28 February; a range that ends with a whole month
ends with the whole month a year earlier (Feb 2025 -> 1-29 Feb 2024).
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from salespulse.semantic import Measure
from salespulse.web.aggregates import Key, Values, aggregate_columns, rows_to_values
from salespulse.web.filters import Filters, Scope
from salespulse.web.readers import Reader
from salespulse.web.sqlbuild import DATE, SALES, GroupColumn, Select, filter_rows, ident, scope_rows, view

MONEY = Decimal("0.0001")
#: Enough digits that rounding a quotient of two amounts to 4 or 6 places is exact.
EXACT = Context(prec=60)


@dataclass(frozen=True)
class Calendar:
    first: date  # first date of reporting.dates
    last: date  # last date of reporting.dates
    as_of: date  # the As Of Date


def load_calendar(reader: Reader) -> Calendar:
    rows = reader.query(
        "select min(date_day), max(date_day), max(case when is_on_or_before_as_of then date_day end) "
        f"from {view(DATE)}"
    )
    first, last, as_of = rows[0]
    if first is None:
        raise LookupError("reporting.dates is empty: build the warehouse first")
    return Calendar(first, last, as_of or last)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar_module.monthrange(year, month)[1])


def year_earlier(day: date) -> date:
    return date(day.year - 1, day.month, min(day.day, calendar_module.monthrange(day.year - 1, day.month)[1]))


def previous_year(start: date, end: date) -> tuple[date, date]:
    """SAMEPERIODLASTYEAR of the contiguous range ``start``..``end``."""
    shifted_end = year_earlier(end)
    if end == _month_end(end.year, end.month) and start <= end.replace(day=1):
        shifted_end = _month_end(shifted_end.year, shifted_end.month)
    return year_earlier(start), shifted_end


@dataclass(frozen=True)
class Window:
    """One group's shifted range and the factor applied to the base (run rate)."""

    date_from: date
    date_to: date
    factor: tuple[int, int] | None = None  # (numerator, denominator)


def window(period: str, start: date, end: date, count: int, as_of: date) -> Window | None:
    """The range ``period`` evaluates its base over, for a group whose dates span start..end."""
    last = min(end, as_of)
    year_start = date(last.year, 1, 1)
    if period == "previous_year":
        if start > last:
            return None
        if count != (end - start).days + 1:
            raise ValueError("previous_year needs contiguous dates per group (e.g. months, not weekdays)")
        return Window(*previous_year(start, last))
    if period == "year_to_date":
        return Window(year_start, last)
    if period == "previous_year_to_date":
        return Window(*previous_year(year_start, last))
    if period == "run_rate_full_year":
        elapsed = (last - year_start).days + 1
        days_in_year = (date(last.year, 12, 31) - year_start).days + 1
        return Window(year_start, last, (days_in_year, elapsed))
    raise ValueError(f"unknown period {period!r}")


def date_spans(
    reader: Reader, groups: Sequence[GroupColumn], filters: Filters
) -> list[tuple[Key, date, date, int]]:
    """(Date group values, first date, last date, number of dates) of each group's context."""
    keys = [f"d.{ident(g.source)}" for g in groups]
    conditions: list[str] = []
    params: list[Any] = []
    if filters.date_from is not None:
        conditions.append("d.date_day >= ?")
        params.append(filters.date_from)
    if filters.date_to is not None:
        conditions.append("d.date_day <= ?")
        params.append(filters.date_to)
    columns = ", ".join([*keys, "min(d.date_day)", "max(d.date_day)", "count(*)"])
    sql = f"select {columns} from {view(DATE)} as d"
    if conditions:
        sql += " where " + " and ".join(conditions)
    if keys:
        sql += " group by " + ", ".join(keys)
    rows = reader.query(sql, params)
    return [(tuple(r[: len(keys)]), r[-3], r[-2], r[-1]) for r in rows if r[-1]]


def time_values(
    reader: Reader,
    measures: Sequence[Measure],
    filters: Filters,
    scope: Scope,
    groups: Sequence[GroupColumn],
    as_of: date,
    base_closure: Callable[[str], list[Measure]],
    derive: Callable[[dict[str, Any], Sequence[Measure]], None],
) -> Values:
    """The time measures per group. ``base_closure(name)`` lists the measures a base is computed
    from (aggregates and derived, dependencies first); ``derive`` computes derived ones in a row."""
    result: Values = {}
    for period in dict.fromkeys(m.spec["period"] for m in measures):
        of_period = [m for m in measures if m.spec["period"] == period]
        closure: list[Measure] = []
        for measure in of_period:
            closure += [m for m in base_closure(measure.spec["base"]) if m not in closure]
        for key, values in _period_values(
            reader, period, closure, filters, scope, groups, as_of, derive
        ).items():
            row = result.setdefault(key, {})
            for measure in of_period:
                row[measure.name] = values.get(measure.spec["base"])
    return result


def _period_values(
    reader: Reader,
    period: str,
    closure: Sequence[Measure],
    filters: Filters,
    scope: Scope,
    groups: Sequence[GroupColumn],
    as_of: date,
    derive: Callable[[dict[str, Any], Sequence[Measure]], None],
) -> Values:
    date_groups = [g for g in groups if g.table == DATE]
    other_groups = [g for g in groups if g.table != DATE]
    windows: list[tuple[Key, Window]] = []
    for key, start, end, count in date_spans(reader, date_groups, filters):
        shifted = window(period, start, end, count, as_of)
        if shifted is not None:
            windows.append((key, shifted))
    if not windows:
        return {}
    aggregates = [m for m in closure if m.kind == "aggregate"]
    select = Select(SALES)
    filter_rows(select, filters, dates=False)
    scope_rows(select, scope)
    group_by = ["w.window_id", *(select.ref(g.table, g.source) for g in other_groups)]
    columns, params = aggregate_columns(select, aggregates)
    values_sql = ", ".join("(cast(? as integer), cast(? as date), cast(? as date))" for _ in windows)
    prefix_params = [p for i, (_, w) in enumerate(windows) for p in (i, w.date_from, w.date_to)]
    select.join(
        f"inner join windows as w on {select.ref(SALES, 'order_date')} between w.date_from and w.date_to"
    )
    sql, values = select.render(
        [*group_by, *columns],
        params,
        group_by,
        prefix=(f"with windows (window_id, date_from, date_to) as (values {values_sql})\n", prefix_params),
    )
    by_window = rows_to_values(reader.query(sql, values), len(group_by), aggregates)

    # the result's key: the groups in their order, from (date key..., other values...)
    produced = [*date_groups, *other_groups]
    order = [next(i for i, g in enumerate(produced) if g is group) for group in groups]
    result: Values = {}
    for (window_id, *others), row in by_window.items():
        date_key, shifted = windows[window_id]
        derive(row, closure)
        if shifted.factor is not None:
            row = {name: _scaled(value, shifted.factor) for name, value in row.items()}
        values = (*date_key, *others)
        result[tuple(values[i] for i in order)] = row
    return result


def _scaled(value: Any, factor: tuple[int, int]) -> Any:
    if value is None:
        return None
    exact = EXACT.divide(EXACT.multiply(Decimal(value), factor[0]), factor[1])
    return exact.quantize(MONEY, rounding=ROUND_HALF_UP)
