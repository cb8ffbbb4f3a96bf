"""Row-level security leaves no table that carries the secured keys open.

A table some role filters (Sales Rep, Customer, Territory) is a *secured* dimension. In every role
that filters rows at all, each table related to a secured dimension (the many side: order lines,
budget, client analytics, the forecast tables of the secured Forecast Series, and Forecast Series
itself, which relates to the secured Territory) must be filtered, by a table filter of its own or
through active relationships from a table the role filters. Otherwise that role would see the
table's rows of everyone: e.g. a sales rep role that filters Sales Rep sees every territory's
forecast when the forecast series relate to Territory only. A table related to no secured
dimension (the company-wide campaign effectiveness) is left alone.

A row filter is evaluated for every row of its table, so it must not look a value up row by row:
``LOOKUPVALUE ( ..., 'Customer'[Territory Key] )`` in the Customer filter runs one lookup per
client. Put the attribute on the secured table (or compare with a set computed once) instead.
"""

from __future__ import annotations

from itertools import pairwise

from pbi_parsers.dax import TokenType

from salespulse.errors import Problem
from salespulse.powerbi.checks.dax_tokens import (
    DaxSyntaxError,
    call_arguments,
    function_calls,
    name_of,
    tokenize,
)
from salespulse.powerbi.tmdl import Role, TablePermission, TmdlModel

_TABLE_NAMES = {TokenType.SINGLE_QUOTED_IDENTIFIER, TokenType.UNQUOTED_IDENTIFIER}


def _reached(model: TmdlModel, start: set[str]) -> set[str]:
    """Tables a filter on ``start`` reaches along active relationships (one side -> many side,
    and back for relationships filtering both ways), ``start`` included."""
    edges: dict[str, set[str]] = {}
    for relationship in model.relationships:
        if not relationship.is_active:
            continue
        one, many = relationship.to_table.lower(), relationship.from_table.lower()
        edges.setdefault(one, set()).add(many)
        if relationship.cross_filtering_behavior.lower() == "bothdirections":
            edges.setdefault(many, set()).add(one)
    reached, stack = set(start), list(start)
    while stack:
        for target in edges.get(stack.pop(), set()) - reached:
            reached.add(target)
            stack.append(target)
    return reached


def _filtered(role: Role) -> set[str]:
    return {
        permission.table.lower() for permission in role.table_permissions if permission.expression.strip()
    }


def role_reach(model: TmdlModel, role: Role) -> set[str]:
    """The tables (lower case) the role's filters reach; empty for a role that sees everything."""
    filtered = _filtered(role)
    return _reached(model, filtered) if filtered else set()


def _row_by_row_lookups(permission: TablePermission) -> list[Problem]:
    """A LOOKUPVALUE whose search value reads a column of the filtered table (one lookup per row)."""
    try:
        tokens = tokenize(permission.expression)
    except DaxSyntaxError:
        return []  # the dax check reports it
    problems = []
    own = permission.table.lower()
    for name, paren, offset in function_calls(tokens):
        if name != "LOOKUPVALUE":
            continue
        arguments = call_arguments(tokens, paren)
        # LOOKUPVALUE ( result, search column 1, search value 1, ... [, alternate result] )
        for argument in arguments[2::2][: (len(arguments) - 1) // 2]:
            columns = [
                f"'{name_of(token)}'[{name_of(following)}]"
                for token, following in pairwise(argument)
                if token.tok_type in _TABLE_NAMES
                and following.tok_type == TokenType.BRACKETED_IDENTIFIER
                and name_of(token).lower() == own
            ]
            if columns:
                problems.append(
                    Problem(
                        permission.file,
                        f"role '{permission.role}' filter on '{permission.table}': LOOKUPVALUE searches with "
                        f"{columns[0]}, a column of the filtered table: one lookup per row; put the "
                        "looked-up attribute on the table (or compare with a set computed once)",
                        line=permission.expression_line + permission.expression.count("\n", 0, offset),
                    )
                )
    return problems


def lookup_rules(model: TmdlModel) -> list[Problem]:
    return [
        problem
        for role in model.roles
        for permission in role.table_permissions
        for problem in _row_by_row_lookups(permission)
    ]


def check_security(model: TmdlModel) -> list[Problem]:
    return lookup_rules(model) + _reach_rules(model)


def _reach_rules(model: TmdlModel) -> list[Problem]:
    secured = set().union(*(_filtered(role) for role in model.roles)) if model.roles else set()
    if not secured:
        return []
    names = {table.name.lower(): table.name for table in model.tables}
    dependants: dict[str, list[str]] = {}  # many-side table -> the secured tables it relates to
    for relationship in model.relationships:
        one, many = relationship.to_table.lower(), relationship.from_table.lower()
        # a secured table on the many side too (Forecast Series -> Territory): a role that does
        # not filter it itself must still reach it
        if relationship.is_active and one in secured:
            dependants.setdefault(many, []).append(names.get(one, one))
    problems = []
    for role in model.roles:
        reached = role_reach(model, role)
        if not reached:
            continue  # a role that sees everything
        for table, related in sorted(dependants.items()):
            if table in reached:
                continue
            listed = ", ".join(f"'{name}'" for name in sorted(set(related)))
            problems.append(
                role.problem(
                    f"role '{role.name}' leaves table '{names.get(table, table)}' unfiltered: it relates to "
                    f"{listed}, which row-level security filters, but no filter of this role reaches it "
                    "(add a table filter)"
                )
            )
    return problems
