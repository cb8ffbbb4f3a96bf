"""The ``aggregate`` measures of measures.yml as SQL over ``reporting.sales``, plus shared types.

A partial result (``Values``) maps a group key (the group columns' values, in order) to the
measures computed for it; ``None`` is a blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salespulse.semantic import Measure
from salespulse.web.filters import Filters, Scope
from salespulse.web.readers import Reader
from salespulse.web.sqlbuild import SALES, GroupColumn, Select, filter_rows, scope_rows

Key = tuple[Any, ...]
Values = dict[Key, dict[str, Any]]

_FUNCTIONS = {"sum": "sum", "distinct_count": "count"}


def aggregate_sql(select: Select, measure: Measure) -> tuple[str, list[Any]]:
    """``sum(...)`` / ``count(distinct ...)`` of one aggregate measure, with its bound ``where``."""
    spec = measure.spec
    table = select.model.table(spec["table"]).name
    if table != select.fact:
        raise ValueError(f"measure {measure.name!r} aggregates {table!r}, not {select.fact!r}")
    expression = select.ref(table, spec["column"])
    params: list[Any] = []
    where = spec.get("where") or {}
    if where:
        where_table = select.model.table(spec.get("where_table", table)).name
        conditions = []
        for source, value in where.items():
            conditions.append(f"{select.ref(where_table, source)} = ?")
            params.append(value)
        expression = f"case when {' and '.join(conditions)} then {expression} end"
    function = spec["function"]
    if function not in _FUNCTIONS:
        raise ValueError(f"measure {measure.name!r} has unknown function {function!r}")
    distinct = "distinct " if function == "distinct_count" else ""
    return f"{_FUNCTIONS[function]}({distinct}{expression})", params


def blank(measure: Measure, value: Any) -> Any:
    """A distinct count over no rows is blank, as in DAX (SQL says 0)."""
    if measure.spec.get("function") == "distinct_count" and value == 0:
        return None
    return value


def aggregate_columns(select: Select, measures: Sequence[Measure]) -> tuple[list[str], list[Any]]:
    columns: list[str] = []
    params: list[Any] = []
    for measure in measures:
        sql, values = aggregate_sql(select, measure)
        columns.append(sql)
        params.extend(values)
    return columns, params


def rows_to_values(rows: list[tuple[Any, ...]], width: int, measures: Sequence[Measure]) -> Values:
    return {
        tuple(row[:width]): {m.name: blank(m, v) for m, v in zip(measures, row[width:], strict=True)}
        for row in rows
    }


def aggregate_values(
    reader: Reader,
    measures: Sequence[Measure],
    filters: Filters,
    scope: Scope,
    groups: Sequence[GroupColumn],
) -> Values:
    """Every aggregate of ``measures`` per group, in one query over the scoped, filtered sales."""
    if not measures:
        return {}
    select = Select(SALES)
    filter_rows(select, filters)
    scope_rows(select, scope)
    group_by = [select.ref(g.table, g.source) for g in groups]
    columns, params = aggregate_columns(select, measures)
    sql, values = select.render([*group_by, *columns], params, group_by)
    return rows_to_values(reader.query(sql, values), len(group_by), measures)
