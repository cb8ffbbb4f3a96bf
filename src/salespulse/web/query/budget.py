"""The ``budget`` measures of measures.yml: sums over ``reporting.budget`` at the budget's grain.

A budget value is blank where the filter context (filters and group) is finer than the grain the
budget has (``budget_grain``), exactly as the DAX of ``salespulse.semantic.measures``:

- dates must cover whole months (the as-of month: its days up to the as-of date);
- a product filter or group must cover whole categories and the budget must have categories;
- a geography (city) filter or group must cover whole territories and the budget have territories;
- a territory / region filter or group needs territories in the budget, a rep one reps;
- any client, campaign (or order-line attribute) filter or group blanks it.

The budget then sums its rows of the context's months, of the categories of its products, of the
territories of its cities / its territories, of its reps; the user's scope limits the rows.

The grain and the coverage of the dimensions (the calendar, products, cities: no sales data) are
worked out in Python from their rows, read once per build (``salespulse.web.query.session``); the budget
itself is read with the user's scope, one query per dataset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from salespulse.semantic import Measure
from salespulse.web.query.aggregates import Key, Values
from salespulse.web.query.dimensions import dimension_rows
from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.sqlbuild import (
    BUDGET,
    CUSTOMER,
    DATE,
    SALES,
    TERRITORY,
    GroupColumn,
    Select,
    ident,
    placeholders,
    scope_budget,
    view,
)
from salespulse.web.query.timeintel import load_calendar

PRODUCT, GEOGRAPHY, SALES_REP, CAMPAIGN = "Product", "Geography", "Sales Rep", "Campaign"
#: Dimension -> the column of it that is the budget's grain, and the budget's column it matches.
GRAIN_COLUMNS = {
    DATE: ("month_start_date", "budget_month"),
    PRODUCT: ("category_name", "category_name"),
    GEOGRAPHY: ("territory_code", "territory_code"),
}


def budget_grain(reader: Reader | Session) -> tuple[bool, bool, bool] | None:
    """(by category, by territory, by rep) of the budget's grain; ``None`` without a budget."""
    session = session_of(reader)

    def compute() -> tuple[bool, bool, bool] | None:
        rows = session.query(f"select max(budget_grain) from {view(BUDGET)}")
        grain = rows[0][0] if rows else None
        if grain is None:
            return None
        return "category" in grain, "territory" in grain, "sales rep" in grain

    return session.cached("budget grain", compute)


def _dimension_conditions(table: str, alias: str, filters: Filters) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if table == DATE:
        if filters.date_from is not None:
            conditions.append(f"{alias}.date_day >= ?")
            params.append(filters.date_from)
        if filters.date_to is not None:
            conditions.append(f"{alias}.date_day <= ?")
            params.append(filters.date_to)
        return conditions, params
    for column, values in filters.on(table):
        conditions.append(f"{alias}.{ident(column)} in ({placeholders(values)})")
        params.extend(values)
    return conditions, params


def _where(conditions: list[str]) -> str:
    return ("where " + " and ".join(conditions)) if conditions else ""


def _budget_days(columns: list[str], rows: list[tuple[Any, ...]], as_of: date) -> list[tuple[Any, ...]]:
    """The calendar days a context must hold to cover whole months: the as-of month counts as
    whole up to the as-of date (its later days have no sales yet), as in the DAX."""
    at = {column: i for i, column in enumerate(columns)}
    day, month = at["date_day"], at["month_start_date"]
    return [r for r in rows if r[day] <= as_of or r[month] > as_of]


def coverage(
    reader: Reader | Session, table: str, groups: Sequence[GroupColumn], filters: Filters
) -> dict[Key, bool]:
    """Per group of ``table``'s columns: does the context cover whole grain members (months,
    categories, territories)? The context's rows of each member touched must be all its rows."""
    session = session_of(reader)
    columns, rows = dimension_rows(session, table)
    at = {column: i for i, column in enumerate(columns)}
    grain = at[GRAIN_COLUMNS[table][0]]
    if table == DATE:
        as_of = load_calendar(session).as_of
        rows = session.cached(("budget days", table), lambda: _budget_days(columns, rows, as_of))
    members: Counter[Any] = session.cached(("grain members", table), lambda: Counter(r[grain] for r in rows))
    if table == DATE:
        day, low, high = at["date_day"], filters.date_from, filters.date_to
        context_rows = [
            r for r in rows if (low is None or r[day] >= low) and (high is None or r[day] <= high)
        ]
    else:
        context_rows = rows
        for column, values in filters.on(table):
            i, allowed = at[column], frozenset(values)
            context_rows = [r for r in context_rows if r[i] in allowed]
    keys = [at[g.source] for g in groups]
    context: Counter[tuple[Key, Any]] = Counter((tuple(r[i] for i in keys), r[grain]) for r in context_rows)
    whole: dict[Key, bool] = {}
    for (key, member), count in context.items():
        whole[key] = whole.get(key, True) and count == members[member]
    # no row (a filter that selects nothing): the budget sums no row either
    return whole or {(): True}


def _context_join(select: Select, table: str, groups: Sequence[GroupColumn], filters: Filters) -> list[str]:
    """Join the distinct (group columns, grain) of a dimension's context; return the group refs."""
    grain, budget_column = GRAIN_COLUMNS[table]
    alias = {PRODUCT: "pc", GEOGRAPHY: "gc"}[table]
    keys = [f"v.{ident(g.source)} as k{i}" for i, g in enumerate(groups)]
    conditions, params = _dimension_conditions(table, "v", filters)
    columns = ", ".join([*keys, f"v.{ident(grain)}"])
    subquery = f"select distinct {columns} from {view(table)} as v {_where(conditions)}"
    budget_ref = select.ref(BUDGET, budget_column)
    select.join(f"inner join ({subquery}) as {alias} on {budget_ref} = {alias}.{ident(grain)}", *params)
    return [f"{alias}.k{i}" for i in range(len(groups))]


def budget_values(
    reader: Reader | Session,
    measures: Sequence[Measure],
    filters: Filters,
    scope: Scope,
    groups: Sequence[GroupColumn],
) -> Values:
    """The budget measures per group; blank (absent) where the context is finer than the grain."""
    if not measures:
        return {}
    session = session_of(reader)
    grain = budget_grain(session)
    grouped = {g.table for g in groups}

    def touched(table: str) -> bool:
        return filters.active(table) or table in grouped

    if grain is None or any(touched(t) for t in (CUSTOMER, CAMPAIGN, SALES)):
        return {}
    by_category, by_territory, by_rep = grain
    if (
        (touched(PRODUCT) and not by_category)
        or (touched(GEOGRAPHY) and not by_territory)
        or (touched(TERRITORY) and not by_territory)
        or (touched(SALES_REP) and not by_rep)
    ):
        return {}

    select = Select(BUDGET)
    month = select.ref(BUDGET, "budget_month")
    if filters.date_from is not None:
        select.where(f"{month} >= ?", filters.date_from)
    if filters.date_to is not None:
        select.where(f"{month} <= ?", filters.date_to)
    for table in (TERRITORY, SALES_REP):
        for column, values in filters.on(table):
            select.where_in(select.ref(table, column), values)
    scope_budget(select, scope)

    refs: dict[GroupColumn, str] = {}
    for table in (PRODUCT, GEOGRAPHY):
        if touched(table):
            own = [g for g in groups if g.table == table]
            refs.update(zip(own, _context_join(select, table, own, filters), strict=True))
    group_by = [refs[g] if g in refs else select.ref(g.table, g.source) for g in groups]
    columns = [f"sum({select.ref(BUDGET, m.spec['column'])})" for m in measures]
    sql, params = select.render([*group_by, *columns], (), group_by)
    rows = session.query(sql, params)

    checks: list[tuple[list[int], dict[Key, bool]]] = []  # (positions of a dimension's groups, coverage)
    for table in (DATE, PRODUCT, GEOGRAPHY):
        if touched(table):
            positions = [i for i, g in enumerate(groups) if g.table == table]
            checks.append((positions, coverage(session, table, [groups[i] for i in positions], filters)))
    result: Values = {}
    width = len(groups)
    for row in rows:
        key = tuple(row[:width])
        if all(whole.get(tuple(key[i] for i in positions), False) for positions, whole in checks):
            result[key] = {m.name: value for m, value in zip(measures, row[width:], strict=True)}
    return result
