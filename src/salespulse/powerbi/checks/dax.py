"""Every DAX expression parses and uses only tables, columns and measures the model has."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pbi_parsers.dax import Token, TokenType

from salespulse.errors import Problem
from salespulse.powerbi.checks.dax_tokens import (
    DaxSite,
    DaxSyntaxError,
    Reference,
    dax_sites,
    parse_dax,
    references,
)
from salespulse.powerbi.tmdl import TmdlModel

# Columns a DAX table expression makes up: GENERATESERIES / {...} give [Value], [Value1], ...
_GENERATED_COLUMN = re.compile(r"^Value\d*$", re.IGNORECASE)


class _Names:
    """The model's names, case-insensitive as DAX's."""

    def __init__(self, model: TmdlModel) -> None:
        self.model = model
        self.measures = {measure.name.lower() for measure in model.measures()}
        self.tables = {table.name.lower(): table for table in model.tables}

    def column_of(self, table: str, name: str) -> bool:
        found = self.tables.get(table.lower())
        if found is None:
            return False
        wanted = name.lower()
        return any(
            item.name.lower() == wanted for item in [*found.columns, *found.measures, *found.hierarchies]
        )


def _unqualified_ok(
    reference: Reference, site: DaxSite, names: _Names, tables_used: set[str], made_up: set[str]
) -> bool:
    """``[Name]``: a measure, or a column of a table whose rows the expression can be iterating."""
    name = reference.name
    if name.lower() in names.measures or name.lower() in made_up or _GENERATED_COLUMN.match(name):
        return True
    candidates = tables_used | {table for table in (site.table, site.home_table) if table}
    return any(names.column_of(table, name) for table in candidates)


def _string_literals(tokens: Sequence[Token]) -> set[str]:
    """Names an expression gives new columns ("Name" arguments of ADDCOLUMNS, SELECTCOLUMNS, ...)."""
    return {
        token.text[1:-1].replace('""', '"').lower()
        for token in tokens
        if token.tok_type == TokenType.STRING_LITERAL
    }


def _site_problems(site: DaxSite, names: _Names) -> list[Problem]:
    try:
        tokens = parse_dax(site.expression)
    except DaxSyntaxError as error:
        return [
            Problem(
                site.file, f"{site.label}: DAX syntax error: {error.message}", line=site.line_at(error.offset)
            )
        ]
    found = list(references(tokens))
    tables_used = {ref.table for ref in found if ref.kind == "column" and ref.table} | {
        ref.name for ref in found if ref.kind == "table"
    }
    made_up = _string_literals(tokens)
    problems = []
    for ref in found:
        message = None
        if ref.kind == "table" and ref.name.lower() not in names.tables:
            message = f"table '{ref.name}' does not exist"
        elif ref.kind == "column" and ref.table is not None:
            if ref.table.lower() not in names.tables:
                message = f"'{ref.table}'[{ref.name}]: table '{ref.table}' does not exist"
            elif not names.column_of(ref.table, ref.name):
                message = f"column '{ref.table}'[{ref.name}] does not exist"
        elif ref.kind == "measure":
            if site.measure is not None and ref.name.lower() == site.measure.lower():
                message = f"[{ref.name}] refers to the measure itself"
            elif not _unqualified_ok(ref, site, names, tables_used, made_up):
                message = f"[{ref.name}] is neither a measure nor a column of a table in context"
        if message:
            problems.append(Problem(site.file, f"{site.label}: {message}", line=site.line_at(ref.offset)))
    return problems


def check_dax(model: TmdlModel) -> list[Problem]:
    names = _Names(model)
    problems: list[Problem] = []
    for role in model.roles:
        for permission in role.table_permissions:
            if permission.table.lower() not in names.tables:
                problems.append(
                    permission.problem(
                        f"role '{role.name}' filters table '{permission.table}', which does not exist"
                    )
                )
    for site in dax_sites(model):
        problems += _site_problems(site, names)
    return problems
