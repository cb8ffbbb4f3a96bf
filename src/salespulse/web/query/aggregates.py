"""The ``aggregate`` measures of measures.yml as SQL over the order lines, plus shared types.

A partial result (``Values``) maps a group key (the group columns' values, in order) to the
measures computed for it; ``None`` is a blank.

A ``Part`` is one dataset's aggregate measures on one source (``reporting.sales`` or an aggregate
of it, see ``salespulse.web.query.sources``). ``run_parts`` runs many parts with few statements: parts
with the same source, filters and scope share one ``group by grouping sets (...)`` (one scan for
several datasets); a part that keeps only its top groups (``Rank``) runs alone, ranked in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from salespulse.semantic import Measure
from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.session import Session
from salespulse.web.query.sources import INTEGER_SUMS, Source, count_key, month_masks
from salespulse.web.query.sqlbuild import (
    ALIASES,
    SALES,
    GroupColumn,
    Select,
    filter_rows,
    ident,
    rollup_rows,
    scope_rows,
)

Key = tuple[Any, ...]
Values = dict[Key, dict[str, Any]]
Pair = tuple[str, str]

_FUNCTIONS = {"sum": "sum", "distinct_count": "count"}


@dataclass(frozen=True)
class Dates:
    """The date range a distinct count over month masks reads (``web_customer_activity``)."""

    first_month: date | None = None
    date_from: date | None = None
    date_to: date | None = None


def aggregate_sql(select: Select, measure: Measure, dates: Dates = Dates()) -> tuple[str, list[Any]]:
    """``sum(...)`` / ``count(distinct ...)`` of one aggregate measure, with its bound values.

    On an aggregate source: the sum of its summed column, or the count it made for this measure.
    """
    spec = measure.spec
    table = select.model.table(spec["table"]).name
    if table != select.fact:
        raise ValueError(f"measure {measure.name!r} aggregates {table!r}, not {select.fact!r}")
    function = spec["function"]
    if function not in _FUNCTIONS:
        raise ValueError(f"measure {measure.name!r} has unknown function {function!r}")
    if select.source is not None and not select.source.lines:
        return _source_sql(select, select.source, measure, dates)
    expression = select.ref(table, spec["column"])
    params: list[Any] = []
    if spec.get("where") or spec.get("where_not"):
        expression, params = _when(select, spec, expression)
    distinct = "distinct " if function == "distinct_count" else ""
    return f"{_FUNCTIONS[function]}({distinct}{expression})", params


def _when(select: Select, spec: dict[str, Any], expression: str) -> tuple[str, list[Any]]:
    where_table = select.model.table(spec.get("where_table", spec["table"])).name
    conditions, params = [], []
    for operator, key in (("=", "where"), ("<>", "where_not")):
        for source, value in (spec.get(key) or {}).items():
            conditions.append(f"{select.ref(where_table, source)} {operator} ?")
            params.append(value)
    return f"case when {' and '.join(conditions)} then {expression} end", params


def _source_sql(select: Select, source: Source, measure: Measure, dates: Dates) -> tuple[str, list[Any]]:
    spec = measure.spec
    alias = ALIASES[select.fact]
    if spec["function"] == "sum":
        expression = f"{alias}.{ident(source.sums[spec['column']])}"
        params: list[Any] = []
        if spec.get("where") or spec.get("where_not"):
            expression, params = _when(select, spec, expression)
        sql = f"sum({expression})"
        if spec["column"] in INTEGER_SUMS:
            sql = f"cast({sql} as bigint)"
        return sql, params
    kind = source.counts[count_key(measure)]
    if kind in ("orders", "client_orders"):
        return f"cast(sum({alias}.{ident('order_count')}) as bigint)", []
    if kind == "new_customers":
        return f"cast(sum({alias}.{ident('new_customer_count')}) as bigint)", []
    if kind == "active":
        if dates.first_month is None:
            raise ValueError("client counts over month masks need the calendar's first month")
        masks = month_masks(dates.first_month, dates.date_from, dates.date_to)
        tests = " or ".join(
            f"({alias}.{ident(f'active_months_{word}')} & cast(? as bigint)) <> 0"
            for word in range(len(masks))
        )
        return f"cast(count(case when {tests} then 1 end) as bigint)", masks
    raise ValueError(f"{source.view} has no count of kind {kind!r}")


def blank(measure: Measure, value: Any) -> Any:
    """A distinct count over no rows is blank, as in DAX (SQL says 0)."""
    if measure.spec.get("function") == "distinct_count" and value == 0:
        return None
    return value


def aggregate_columns(
    select: Select, measures: Sequence[Measure], dates: Dates = Dates()
) -> tuple[list[str], list[Any]]:
    columns: list[str] = []
    params: list[Any] = []
    for measure in measures:
        sql, values = aggregate_sql(select, measure, dates)
        columns.append(sql)
        params.extend(values)
    return columns, params


@dataclass(frozen=True)
class Rank:
    """Keep the groups ranked ``limit`` or better (ties included) by a measure or a group column."""

    limit: int
    descending: bool = True
    measure: str | None = None  # a measure of the part
    column: GroupColumn | None = None  # or one of its group columns


@dataclass(eq=False)
class Part:
    """Aggregate measures of one dataset, grouped, on one source (``None``: the order lines)."""

    source: Source | None
    measures: list[Measure]
    groups: tuple[GroupColumn, ...]
    filters: Filters
    scope: Scope
    all_values: bool | None = None  # rollup rows or per-value rows (sources with a rollup)
    rank: Rank | None = None
    extra: tuple[tuple[Pair, tuple[Any, ...]], ...] = ()  # more (table, column) in (values)
    extra_columns: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # the source's own column in (values)
    dates: Dates = field(default_factory=Dates)
    #: Time-intelligence windows (date from, date to): the rows are grouped by window id first
    #: (``w.window_id``), each window reading its own dates (the filters' dates are not applied).
    windows: tuple[tuple[date, date], ...] = ()
    result: Values = field(default_factory=dict)


def _alone(part: Part) -> bool:
    return part.rank is not None or bool(part.extra) or bool(part.extra_columns)


def _batch_key(part: Part) -> tuple[Any, ...]:
    # on the order lines a distinct count costs a pass per grouping set: keep the parts that count
    # apart from those that only sum (an aggregate's counts are sums)
    lines = part.source is None or part.source.lines
    counts = lines and any(m.spec.get("function") == "distinct_count" for m in part.measures)
    return (part.source, part.filters, part.scope, part.all_values, part.dates, part.windows, counts)


def run_parts(session: Session, parts: Sequence[Part]) -> None:
    """Compute every part (into ``part.result``), batching those that can share a statement."""
    batches: dict[tuple[Any, ...], list[Part]] = {}
    alone: list[Part] = []
    for part in parts:
        if _alone(part):
            alone.append(part)
        else:
            batches.setdefault(_batch_key(part), []).append(part)
    for batch in batches.values():
        _run_batch(session, batch)
    for part in alone:
        _run_batch(session, [part])


WINDOW = "w.window_id"


def _select(part: Part) -> tuple[Select, tuple[str, list[Any]]]:
    """The part's select (filters, scope, rows to read) and its ``with`` clause (the windows)."""
    source = part.source
    select = Select(SALES, source=source)
    dates = not part.windows and (source is None or source.dates != "mask")
    filter_rows(select, part.filters, dates=dates)
    prefix: tuple[str, list[Any]] = ("", [])
    if part.windows:
        rows = ", ".join("(cast(? as integer), cast(? as date), cast(? as date))" for _ in part.windows)
        values = [v for i, (start, end) in enumerate(part.windows) for v in (i, start, end)]
        prefix = (f"with windows (window_id, date_from, date_to) as (values {rows})\n", values)
        order_date = select.ref(SALES, "order_date")
        select.join(f"inner join windows as w on {order_date} between w.date_from and w.date_to")
    scope_rows(select, part.scope)
    rollup_rows(select, part.all_values)
    for (table, column), values in part.extra:
        select.where_in(select.ref(table, column), values)
    for column, values in part.extra_columns:
        select.where_in(f"{ALIASES[SALES]}.{ident(column)}", values)
    return select, prefix


def _run_batch(session: Session, parts: Sequence[Part]) -> None:
    first = parts[0]
    select, prefix_clause = _select(first)
    measures: list[Measure] = []
    for part in parts:
        measures += [m for m in part.measures if m not in measures]
    window = [WINDOW] if first.windows else []
    part_exprs = [[*window, *(select.ref(g.table, g.source) for g in part.groups)] for part in parts]
    expressions = list(dict.fromkeys(e for exprs in part_exprs for e in exprs))
    sets = list(dict.fromkeys(tuple(exprs) for exprs in part_exprs))
    columns, params = aggregate_columns(select, measures, first.dates)
    grouped = len(sets) > 1
    prefix = [f"grouping({', '.join(expressions)})"] if grouped and expressions else []
    if first.rank is not None:
        rank = first.rank
        if rank.measure is not None:
            index = [m.name for m in measures].index(rank.measure)
            order, order_params = aggregate_sql(select, measures[index], first.dates)
        else:
            assert rank.column is not None
            order, order_params = select.ref(rank.column.table, rank.column.source), []
        direction = "desc" if rank.descending else "asc"
        ranking = f"rank() over (order by {order} {direction} nulls last) as {ident('__rank')}"
        sql, values = select.render(
            [*expressions, *columns, ranking],
            [*params, *order_params],
            group_by=list(sets[0]),
            prefix=prefix_clause,
        )
        sql = f"select * from (\n{sql}\n) as ranked where ranked.{ident('__rank')} <= ?"
        values.append(rank.limit)
    elif grouped:
        sql, values = select.render(
            [*prefix, *expressions, *columns], params, grouping_sets=sets, prefix=prefix_clause
        )
    else:
        sql, values = select.render(
            [*expressions, *columns], params, group_by=list(sets[0]), prefix=prefix_clause
        )
    rows = session.query(sql, values)

    offset = len(prefix)
    positions = {e: offset + i for i, e in enumerate(expressions)}
    measure_at = {m.name: offset + len(expressions) + i for i, m in enumerate(measures)}
    bits = {
        s: sum(1 << (len(expressions) - 1 - i) for i, e in enumerate(expressions) if e not in s) for s in sets
    }
    for part, exprs in zip(parts, part_exprs, strict=True):
        part.result = {}
        wanted = bits[tuple(exprs)]
        at = [positions[e] for e in exprs]
        for row in rows:
            if prefix and row[0] != wanted:
                continue
            part.result[tuple(row[i] for i in at)] = {
                m.name: blank(m, row[measure_at[m.name]]) for m in part.measures
            }
