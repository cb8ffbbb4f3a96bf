"""The model holds together: every name one object uses for another resolves, and names are unique.

What Power BI Desktop refuses to open: a ``ref`` to a missing table, a relationship, sort-by
column or row filter naming a missing object, two objects with one name, an import table
without a partition.
"""

from __future__ import annotations

from collections import Counter

from salespulse.errors import Problem
from salespulse.powerbi.tmdl import Table, TmdlModel


def _refs(model: TmdlModel) -> list[Problem]:
    known = {
        "table": {table.name.lower() for table in model.tables},
        "role": {role.name.lower() for role in model.roles},
        "expression": {expression.name.lower() for expression in model.expressions},
        "cultureInfo": {culture.lower() for culture in model.cultures},
    }
    return [
        ref.problem(f"ref {ref.type} {ref.name!r}: there is no such {ref.type}")
        for ref in model.refs
        if ref.type in known and ref.name.lower() not in known[ref.type]
    ]


def _relationship_ends(model: TmdlModel) -> list[Problem]:
    problems = []
    for relationship in model.relationships:
        for table, column in (
            (relationship.from_table, relationship.from_column),
            (relationship.to_table, relationship.to_column),
        ):
            if model.column(table, column) is None:
                problems.append(
                    relationship.problem(f"relationship uses '{table}'[{column}], which does not exist")
                )
    return problems


def _duplicates(names: list[str]) -> set[str]:
    counts = Counter(name.lower() for name in names)
    return {name for name, count in counts.items() if count > 1}


def _table_problems(table: Table) -> list[Problem]:
    problems = []
    for duplicate in _duplicates([column.name for column in table.columns]):
        problems.append(table.problem(f"table '{table.name}' has more than one column named {duplicate!r}"))
    column_names = {column.name.lower() for column in table.columns}
    for measure in table.measures:
        if measure.name.lower() in column_names:
            problems.append(
                measure.problem(f"measure [{measure.name}] has the name of a column of '{table.name}'")
            )
    for column in table.columns:
        if column.sort_by_column is not None and table.column(column.sort_by_column) is None:
            problems.append(
                column.problem(
                    f"column '{table.name}'[{column.name}] is sorted by [{column.sort_by_column}], "
                    "which is not a column of the table"
                )
            )
    if not table.partitions and not table.calculation_items:
        problems.append(table.problem(f"table '{table.name}' has no partition"))
    return problems


def check_structure(model: TmdlModel) -> list[Problem]:
    problems = _refs(model) + _relationship_ends(model)
    for duplicate in _duplicates([table.name for table in model.tables]):
        problems.append(Problem(model.model_file, f"more than one table is named {duplicate!r}"))
    measures = list(model.measures())
    for duplicate in _duplicates([measure.name for measure in measures]):
        for measure in measures:
            if measure.name.lower() == duplicate:
                problems.append(measure.problem(f"more than one measure is named [{measure.name}]"))
    for table in model.tables:
        problems += _table_problems(table)
    return problems
