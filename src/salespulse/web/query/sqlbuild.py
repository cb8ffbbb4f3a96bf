"""SQL pieces rendered from the semantic model: identifiers only from model.yml, values only bound.

A ``Select`` reads one fact view of the reporting schema, or an aggregate of the order lines
(``salespulse.web.query.sources``), and joins a dimension view only when a column of it is used, along
the model's relationships. ``GroupColumn`` is a model column a result is grouped by. ``filter_rows``
and ``scope_rows`` add a page's filters and a user's row-level security to any select on the sales
facts, whatever it reads. ``scope_conditions`` is the web's one rendering of model.yml's role rules
(the Power BI roles are their DAX): every query builder of the web applies a user's scope with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from salespulse.semantic import Column, SemanticModel, load_model
from salespulse.semantic.model import Reach
from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.sources import DATE as DATE_TABLE
from salespulse.web.query.sources import Source

SCHEMA = "reporting"
SALES = "Order Lines"
BUDGET = "Budget Lines"
DATE = "Date"
CUSTOMER = "Customer"
TERRITORY = "Territory"
#: The tables a result may be grouped by.
GROUPABLE = (SALES, DATE, CUSTOMER, "Product", "Sales Rep", "Geography", TERRITORY, "Campaign")
#: The fact's column a date range filters.
FACT_DATES = {SALES: "order_date", BUDGET: "budget_month"}
ALIASES = {
    SALES: "s",
    BUDGET: "b",
    DATE: "d",
    CUSTOMER: "c",
    "Product": "p",
    "Sales Rep": "r",
    "Geography": "g",
    TERRITORY: "t",
    "Campaign": "m",
}
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """A quoted identifier; only plain lower-case model names pass."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a model identifier: {name!r}")
    return f'"{name}"'


def view(table: str, model: SemanticModel | None = None) -> str:
    model = model or load_model()
    return f"{ident(SCHEMA)}.{ident(model.table(table).view)}"


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap as a dict key
class GroupColumn:
    table: str  # model table
    column: Column
    label: str  # the result's column header

    @property
    def source(self) -> str:
        return self.column.source


def group_columns(
    by: Sequence[tuple[str, str]], model: SemanticModel | None = None
) -> tuple[GroupColumn, ...]:
    """Model (table, column) pairs -> group columns; unknown names raise ``KeyError``."""
    model = model or load_model()
    resolved: list[tuple[str, Column]] = []
    for table_name, column_name in by:
        table = model.table(table_name)
        if table.name not in GROUPABLE:
            raise KeyError(f"cannot group by table {table.name!r}")
        column = table.column(column_name)
        if (table.name, column) not in resolved:
            resolved.append((table.name, column))
    names = [column.name for _, column in resolved]
    return tuple(
        GroupColumn(table, column, column.name if names.count(column.name) == 1 else f"{table} {column.name}")
        for table, column in resolved
    )


def sort_columns(
    groups: Sequence[GroupColumn], model: SemanticModel | None = None
) -> tuple[GroupColumn, ...]:
    """Columns the groups sort by (Year Month Name by Year Month Sort), not already grouped."""
    model = model or load_model()
    extra: list[GroupColumn] = []
    for group in groups:
        if group.column.sort_by:
            column = model.table(group.table).column(group.column.sort_by)
            if all(g.column != column for g in (*groups, *extra)):
                extra.append(GroupColumn(group.table, column, f"__sort {group.table} {column.name}"))
    return tuple(extra)


@dataclass
class Select:
    """``select ... from reporting.<fact> join <dims> where ... group by ...`` with bound values.

    With a ``source``, it reads that aggregate of the order lines instead of ``reporting.sales``:
    ``ref`` gives the aggregate's column of a model column (or joins its dimension on the
    aggregate's key) and raises ``KeyError`` for a column the aggregate does not have.
    """

    fact: str
    model: SemanticModel = field(default_factory=load_model)
    joins: list[str] = field(default_factory=list)  # model tables joined, in order
    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    extra_joins: list[tuple[str, list[Any]]] = field(default_factory=list)
    source: Source | None = None

    def alias(self, table: str) -> str:
        if table == self.fact:
            return ALIASES[table]
        if table not in self.joins:
            self._relationship(table)  # raises when the fact does not reach the table
            if self.source is not None and table not in self.source.joins:
                raise KeyError(f"{self.source.view} cannot join {table!r}")
            self.joins.append(table)
        return ALIASES[table]

    def _relationship(self, table: str) -> tuple[str, str]:
        for rel in self.model.relationships:
            if rel.from_table == self.fact and rel.to_table == table:
                fact_column = self.model.table(self.fact).column(rel.from_column).source
                dim_column = self.model.table(table).column(rel.to_column).source
                return fact_column, dim_column
        raise KeyError(f"{self.fact!r} has no relationship to {table!r}")

    def ref(self, table: str, source: str) -> str:
        """``alias."column"`` of a model table's view column, joining the table when needed.

        A dimension's key is read from the fact's foreign key (no join).
        """
        column = self.model.table(table).column(source).source
        if self.source is not None:
            own = self.source.column(table, column, self.model)
            if own is not None:
                return f"{ALIASES[self.fact]}.{ident(own)}"
            if table == self.fact or not self.source.resolves(table, column, self.model):
                raise KeyError(f"{self.source.view} has no {table}.{column}")
            return f"{self.alias(table)}.{ident(column)}"
        if table != self.fact:
            fact_column, dim_column = self._relationship(table)
            if column == dim_column:
                return f"{ALIASES[self.fact]}.{ident(fact_column)}"
        return f"{self.alias(table)}.{ident(column)}"

    def where(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def where_in(self, expression: str, values: Sequence[Any]) -> None:
        self.where(f"{expression} in ({placeholders(values)})", *values)

    def join(self, clause: str, *params: Any) -> None:
        """A join of a subquery (``inner join (...) as x on ...``), rendered after the dimensions."""
        self.extra_joins.append((clause, list(params)))

    def render(
        self,
        columns: Sequence[str],
        column_params: Sequence[Any] = (),
        group_by: Sequence[str] = (),
        prefix: tuple[str, Sequence[Any]] = ("", ()),
        grouping_sets: Sequence[Sequence[str]] | None = None,
    ) -> tuple[str, list[Any]]:
        """The statement and its bound values, in the order their ``?`` appear.

        ``prefix`` is a ``with`` clause and its values; ``grouping_sets`` replaces ``group_by``
        with ``group by grouping sets (...)``; call after every ``ref``.
        """
        sql = f"{prefix[0]}select {', '.join(columns)}\nfrom {self.from_clause()}\n{self.where_clause()}"
        if grouping_sets is not None:
            sets = ", ".join(f"({', '.join(items)})" for items in grouping_sets)
            sql += f"\ngroup by grouping sets ({sets})"
        elif group_by:
            sql += f"\ngroup by {', '.join(group_by)}"
        params = [*prefix[1], *column_params]
        for _, join_params in self.extra_joins:
            params.extend(join_params)
        return sql, [*params, *self.params]

    def from_clause(self) -> str:
        fact = ALIASES[self.fact]
        relation = view(self.fact, self.model) if self.source is None else source_view(self.source)
        parts = [f"{relation} as {fact}"]
        for table in self.joins:
            fact_column, dim_column = self._relationship(table)
            alias = ALIASES[table]
            if self.source is not None:
                if table == DATE_TABLE and (self.fact, fact_column) not in self.source.columns:
                    # on the order date (a month aggregate's: the first day of the month)
                    fact_column, dim_column = "order_date", "date_day"
                own = self.source.columns[(self.fact, fact_column)]
                on = f"{fact}.{ident(own)} = {alias}.{ident(dim_column)}"
            else:
                on = f"{fact}.{ident(fact_column)} = {alias}.{ident(dim_column)}"
            parts.append(f"inner join {view(table, self.model)} as {alias} on {on}")
        parts.extend(clause for clause, _ in self.extra_joins)
        return "\n".join(parts)

    def where_clause(self) -> str:
        return ("where " + "\n  and ".join(self.conditions)) if self.conditions else ""


def source_view(source: Source) -> str:
    return f"{ident(SCHEMA)}.{ident(source.view)}"


def filter_rows(select: Select, filters: Filters, *, dates: bool = True, lenient: bool = False) -> None:
    """Restrict a select on the sales facts by ``filters`` (``dates=False``: all but the dates).

    ``lenient``: leave out the filters on columns the select cannot read (for upper bounds only).
    """
    if dates and (filters.date_from is not None or filters.date_to is not None):
        try:
            date_column: str | None = select.ref(select.fact, FACT_DATES[select.fact])
        except KeyError:
            if not lenient:
                raise
            date_column = None
        if date_column is not None and filters.date_from is not None:
            select.where(f"{date_column} >= ?", filters.date_from)
        if date_column is not None and filters.date_to is not None:
            select.where(f"{date_column} <= ?", filters.date_to)
    for table in GROUPABLE:
        for column, values in filters.on(table):
            try:
                expression = select.ref(table, column)
            except KeyError:
                if lenient:
                    continue
                raise
            select.where_in(expression, values)


def rollup_rows(select: Select, all_values: bool | None) -> None:
    """On an aggregate with rollup rows, read the rollup rows (True) or the per-value rows (False)."""
    if select.source is None or select.source.rollup is None:
        return
    if all_values is None:
        raise ValueError(f"{select.source.view} needs a choice of rollup rows")
    flag = select.source.rollup[0]
    select.where(f"{ALIASES[select.fact]}.{ident(flag)} = ?", bool(all_values))


def region_territories(column: str = "territory_key") -> str:
    """A subquery: the territory keys (or codes) of one region (one bound value)."""
    return f"select {ident(column)} from {view(TERRITORY)} where region_name = ?"


#: ``ref(model table, view column)``: a query's expression of a column of the table it reads or of
#: one it reaches in one step; ``KeyError`` when it cannot read it (the condition then goes through
#: a subquery on the foreign key).
Ref = Callable[[str, str], str]


def own_columns(table: str, alias: str, model: SemanticModel | None = None) -> Ref:
    """A ``Ref`` of a plain ``<view> as <alias>`` query: its own columns only."""
    model = model or load_model()

    def ref(owner: str, column: str) -> str:
        if owner != table:
            raise KeyError(f"{table!r} reads no column of {owner!r}")
        return f"{alias}.{ident(model.table(table).column(column).source)}"

    return ref


#: The user table's columns a ``Scope`` carries (resolved at sign-in); others are looked up on the
#: user's own row by their key.
_CARRIED = {"region_name": "region", "sales_rep_key": "sales_rep_key"}


def _user_value(reach: Reach, scope: Scope, model: SemanticModel) -> tuple[str, list[Any]]:
    """The SQL of the user's value of a rule, and its bound values."""
    carried = _CARRIED.get(reach.user)
    if carried is not None and getattr(scope, carried) is not None:
        return "?", [getattr(scope, carried)]
    user = model.user
    if user is None or scope.sales_rep_key is None:
        raise ValueError(f"a {scope.role} scope has no {reach.user!r} for the rule on {reach.rule.table!r}")
    key = model.table(user.table).key.source
    lookup = f"(select {ident(reach.user)} from {view(user.table, model)} where {ident(key)} = ?)"
    return lookup, [scope.sales_rep_key]


def _condition(reach: Reach, expression: str, value: str, model: SemanticModel) -> str:
    """``expression`` (the reach's column) keeps the rows of the user's ``value``."""
    rule = reach.rule
    if rule.via is not None:  # the column of the row the via column points at
        through = model.table(rule.via[1])
        return (
            f"{expression} in (select {ident(through.key.source)} from {view(through.name, model)} "
            f"where {ident(rule.column)} = {value})"
        )
    if rule.not_blank:
        return f"{expression} <> '' and {expression} = {value}"
    return f"{expression} = {value}"


def scope_conditions(
    table: str, scope: Scope, ref: Ref, model: SemanticModel | None = None
) -> list[tuple[str, list[Any]]]:
    """Row-level security on a query of model table ``table``: (condition, bound values) pairs.

    The one rendering of model.yml's role rules for the web, as the Power BI roles are their DAX:
    each rule that reaches ``table`` through the model's relationships keeps its rows. A column
    ``ref`` reads (the table's own, a joined dimension's, an aggregate's copy) is compared directly;
    otherwise the foreign key is restricted to the keys a subquery keeps, relationship by relationship.
    A table's ``secured_rows`` (model.yml) are said wherever a rule reaches through it.
    """
    if not isinstance(scope, Scope):
        raise TypeError("scope must be a salespulse.web.Scope (row-level security is never optional)")
    model = model or load_model()
    found: list[tuple[str, list[Any]]] = []
    for reach in model.reach(table, model.web_role(scope.role)):
        value, params = _user_value(reach, scope, model)
        if len(reach.hops) <= 1:
            try:
                condition = _condition(reach, ref(*reach.reads), value, model)
                secured = model.table(reach.target).secured_rows
                only = [f"{ref(reach.target, column)} = ?" for column, _ in secured]
                found.append((" and ".join([*only, condition]), [*(v for _, v in secured), *params]))
                continue
            except KeyError:
                if not reach.hops:
                    raise
        inner = _condition(reach, ident(reach.column), value, model)
        for index in reversed(range(len(reach.hops))):
            hop = reach.hops[index]
            secured = model.table(hop.to_table).secured_rows
            where = " and ".join([*(f"{ident(column)} = ?" for column, _ in secured), inner])
            params = [*(v for _, v in secured), *params]
            keys = f"select {ident(hop.to_column)} from {view(hop.to_table, model)} where {where}"
            inner = f"{ref(table, hop.from_column) if index == 0 else ident(hop.from_column)} in ({keys})"
        found.append((inner, params))
    return found


def scope_rows(select: Select, scope: Scope) -> None:
    """Row-level security on a select of the sales facts or the budget (model.yml roles)."""
    for condition, params in scope_conditions(select.fact, scope, select.ref, select.model):
        select.where(condition, *params)


#: The budget's row-level security: the same rules (a rep's own rows, the region's territories).
scope_budget = scope_rows
