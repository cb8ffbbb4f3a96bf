"""The ``time`` measures of measures.yml: a base measure over a shifted date range.

Per group, the context's dates are those of the date filter and the group's own Date columns;
``last`` is the latest of them, but never past the As Of Date (the last date of
``reporting.dates`` with ``is_on_or_before_as_of``). Then, as in the DAX:

- ``previous_year``: the context's dates up to ``last``, one year earlier (SAMEPERIODLASTYEAR);
- ``year_to_date``: 1 January of ``last``'s year to ``last`` (other date filters replaced);
- ``previous_year_to_date``: that range one year earlier;
- ``run_rate_full_year``: year to date / elapsed days x days in the year (rounded to 4 places);
- ``budget_months``: the context's dates within the months the budget covers (first to last budget
  month of ``reporting.budget``; TREATAS on the budget months in the DAX).

One year earlier: the same day, 29 February -> 28 February; a range that ends with a whole month
ends with the whole month a year earlier (Feb 2025 -> 1-29 Feb 2024).

The groups' date spans come from the calendar's rows (read once per build); every period of a
dataset is one statement, each group's shifted range a row of a ``windows`` table joined on the
order date.
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from salespulse.semantic import Measure
from salespulse.web.query.aggregates import Key, Part, Values
from salespulse.web.query.dimensions import dimension_rows
from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.sources import Source
from salespulse.web.query.sqlbuild import DATE, GroupColumn, view

MONEY = Decimal("0.0001")
#: Enough digits that rounding a quotient of two amounts to 4 or 6 places is exact.
EXACT = Context(prec=60)


@dataclass(frozen=True)
class Calendar:
    first: date  # first date of reporting.dates
    last: date  # last date of reporting.dates
    as_of: date  # the As Of Date


def load_calendar(reader: Reader | Session) -> Calendar:
    session = session_of(reader)

    def compute() -> Calendar:
        rows = session.query(
            "select min(date_day), max(date_day), max(case when is_on_or_before_as_of then date_day end) "
            f"from {view(DATE)}"
        )
        first, last, as_of = rows[0]
        if first is None:
            raise LookupError("reporting.dates is empty: build the warehouse first")
        return Calendar(first, last, as_of or last)

    return session.cached("calendar", compute)


def budget_months(reader: Reader | Session) -> tuple[date, date] | None:
    """First and last day of the months ``reporting.budget`` covers (None without a budget)."""
    session = session_of(reader)

    def compute() -> tuple[date, date] | None:
        first, last = session.query(
            f"select min(budget_month), max(budget_month) from {view('Budget Lines')}"
        )[0]
        if first is None:
            return None
        return first, month_end(last.year, last.month)

    return session.cached("budget_months", compute)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar_module.monthrange(year, month)[1])


def year_earlier(day: date) -> date:
    return date(day.year - 1, day.month, min(day.day, calendar_module.monthrange(day.year - 1, day.month)[1]))


def previous_year(start: date, end: date) -> tuple[date, date]:
    """SAMEPERIODLASTYEAR of the contiguous range ``start``..``end``."""
    shifted_end = year_earlier(end)
    if end == month_end(end.year, end.month) and start <= end.replace(day=1):
        shifted_end = month_end(shifted_end.year, shifted_end.month)
    return year_earlier(start), shifted_end


@dataclass(frozen=True)
class Window:
    """One group's shifted range and the factor applied to the base (run rate)."""

    date_from: date
    date_to: date
    factor: tuple[int, int] | None = None  # (numerator, denominator)


def window(
    period: str, start: date, end: date, count: int, as_of: date, budget: tuple[date, date] | None = None
) -> Window | None:
    """The range ``period`` evaluates its base over, for a group whose dates span start..end
    (``budget``: the first and last day of the months the budget covers, for ``budget_months``)."""
    if period == "budget_months":
        if budget is None:
            return None
        if count != (end - start).days + 1:
            raise ValueError("budget_months needs contiguous dates per group (e.g. months, not weekdays)")
        first, last_day = max(start, budget[0]), min(end, budget[1])
        return Window(first, last_day) if first <= last_day else None
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
    reader: Reader | Session, groups: Sequence[GroupColumn], filters: Filters
) -> list[tuple[Key, date, date, int]]:
    """(Date group values, first date, last date, number of dates) of each group's context.

    A walk over every row of the calendar: kept per build for the groups and date range (a page
    asks for the same few on every request)."""
    session = session_of(reader)
    sources = tuple(g.source for g in groups)

    def compute() -> list[tuple[Key, date, date, int]]:
        columns, rows = dimension_rows(session, DATE)
        at = {column: i for i, column in enumerate(columns)}
        day, keys = at["date_day"], [at[source] for source in sources]
        spans: dict[Key, list[Any]] = {}
        for row in rows:
            value = row[day]
            if (filters.date_from is not None and value < filters.date_from) or (
                filters.date_to is not None and value > filters.date_to
            ):
                continue
            key = tuple(row[i] for i in keys)
            span = spans.get(key)
            if span is None:
                spans[key] = [value, value, 1]
            else:
                span[0], span[1], span[2] = min(span[0], value), max(span[1], value), span[2] + 1
        return [(key, first, last, count) for key, (first, last, count) in spans.items()]

    return session.cached(("date spans", sources, filters.date_from, filters.date_to), compute)


#: Chooses the source of a windows query: (aggregate measures, other groups, filters, windows) ->
#: (source, read the rollup rows?) per measure.
Planner = Callable[
    [Sequence[Measure], Sequence[GroupColumn], Filters, Sequence[tuple[date, date]]],
    list[tuple[Source | None, bool | None, list[Measure]]],
]


@dataclass(eq=False)
class TimePlan:
    """The windows one dataset's time measures read, and the parts that read them."""

    measures: list[Measure]
    groups: list[GroupColumn]
    date_groups: list[GroupColumn]
    other_groups: list[GroupColumn]
    closures: dict[str, list[Measure]]
    aggregates: list[Measure]
    wanted: list[tuple[str, Key, Window, int]]  # (period, date key, window, window id)
    parts: list[Part]


def plan_time(
    reader: Reader | Session,
    measures: Sequence[Measure],
    filters: Filters,
    scope: Scope,
    groups: Sequence[GroupColumn],
    as_of: date,
    base_closure: Callable[[str], list[Measure]],
    planner: Planner | None = None,
) -> TimePlan | None:
    """The parts (aggregates per window id and non-date group) the time measures need; ``None``
    when no group has a window. Parts of several datasets with the same windows and filters run as
    one statement (``run_parts``)."""
    session = session_of(reader)
    periods = list(dict.fromkeys(m.spec["period"] for m in measures))
    closures: dict[str, list[Measure]] = {}
    for period in periods:
        closure: list[Measure] = []
        for measure in (m for m in measures if m.spec["period"] == period):
            closure += [m for m in base_closure(measure.spec["base"]) if m not in closure]
        closures[period] = closure

    date_groups = [g for g in groups if g.table == DATE]
    other_groups = [g for g in groups if g.table != DATE]
    spans = date_spans(session, date_groups, filters)
    budget = budget_months(session) if "budget_months" in periods else None
    ranges: dict[tuple[date, date], int] = {}  # distinct shifted ranges -> window id
    wanted: list[tuple[str, Key, Window, int]] = []
    for period in periods:
        for key, start, end, count in spans:
            shifted = window(period, start, end, count, as_of, budget)
            if shifted is not None:
                window_id = ranges.setdefault((shifted.date_from, shifted.date_to), len(ranges))
                wanted.append((period, key, shifted, window_id))
    if not wanted:
        return None
    aggregates: list[Measure] = []
    for closure in closures.values():
        aggregates += [m for m in closure if m.kind == "aggregate" and m not in aggregates]
    windows = tuple(ranges)
    undated = replace(filters, date_from=None, date_to=None)  # the windows replace the dates
    plans = planner(aggregates, other_groups, filters, windows) if planner else [(None, None, aggregates)]
    parts = [
        Part(source, items, tuple(other_groups), undated, scope, all_values, windows=windows)
        for source, all_values, items in plans
    ]
    return TimePlan(
        list(measures), list(groups), date_groups, other_groups, closures, aggregates, wanted, parts
    )


def finish_time(plan: TimePlan, derive: Callable[[dict[str, Any], Sequence[Measure]], None]) -> Values:
    """The time measures per group, from the plan's computed parts."""
    by_window: dict[Key, dict[str, Any]] = {}
    for part in plan.parts:
        for key, row in part.result.items():
            by_window.setdefault(key, {}).update(row)
    # the result's key: the groups in their order, from (date key..., other values...)
    produced = [*plan.date_groups, *plan.other_groups]
    order = [next(i for i, g in enumerate(produced) if g is group) for group in plan.groups]
    of_window: dict[int, list[tuple[Key, dict[str, Any]]]] = {}
    for (found_id, *others), values in by_window.items():
        of_window.setdefault(found_id, []).append((tuple(others), values))
    result: Values = {}
    for period, date_key, shifted, window_id in plan.wanted:
        for others, values in of_window.get(window_id, []):
            row = {m.name: values.get(m.name) for m in plan.aggregates}
            derive(row, plan.closures[period])
            if shifted.factor is not None:
                row = {name: _scaled(value, shifted.factor) for name, value in row.items()}
            key = (*date_key, *others)
            out = result.setdefault(tuple(key[i] for i in order), {})
            for measure in plan.measures:
                if measure.spec["period"] == period:
                    out[measure.name] = row.get(measure.spec["base"])
    return result


def _scaled(value: Any, factor: tuple[int, int]) -> Any:
    if value is None:
        return None
    exact = EXACT.divide(EXACT.multiply(Decimal(value), factor[0]), factor[1])
    return exact.quantize(MONEY, rounding=ROUND_HALF_UP)
