"""Best-practice rules in the spirit of Tabular Editor's Best Practice Analyzer.

Relationships: matching data types, hidden foreign keys, single direction, one filter path
between two tables, no inactive relationship that no measure activates. Tables: a marked key
that relationships target (a marked date table keeps its date column as key, whatever column its
relationships use), one marked date table and auto date/time off. Columns: money in fixed
decimal, numbers not summarised by default, month and weekday names sorted by a number, hierarchy
levels on existing columns, known data categories. Measures: format string, description, display
folder. DAX: DIVIDE instead of ``/``, no IFERROR / ISERROR. Names: no table the engine reserves
(``Measures``).
"""

from __future__ import annotations

import re

from pbi_parsers.dax import TokenType

from salespulse.errors import Problem
from salespulse.powerbi.checks.dax_tokens import (
    DaxSite,
    DaxSyntaxError,
    call_arguments,
    dax_sites,
    function_calls,
    name_of,
    tokenize,
)
from salespulse.powerbi.tmdl import Column, Relationship, Table, TmdlModel

AUTO_DATE_TIME = "__PBI_TimeIntelligenceEnabled"
_MONEY = re.compile(r"(amount|price|cost)$")
_MONTH_OR_DAY_SOURCE = re.compile(r"(month_name|month_short_name|month_short|day_name|weekday_name|weekday)$")
_ERROR_FUNCTIONS = {"IFERROR", "ISERROR"}
_SINGLE_DIRECTION = {"onedirection", "automatic"}
# The column data categories Power BI knows (Time marks a date table, on tables only).
DATA_CATEGORIES = {
    "Address",
    "Barcode",
    "City",
    "Continent",
    "Country",
    "County",
    "ImageUrl",
    "Latitude",
    "Longitude",
    "Place",
    "PostalCode",
    "StateOrProvince",
    "Uncategorized",
    "WebUrl",
}


def is_measure_table(table: Table) -> bool:
    return bool(table.measures) and all(column.is_hidden for column in table.columns)


def _snake(column: Column) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (column.source_column or column.name).lower()).strip("_")


def _filter_edges(model: TmdlModel) -> dict[str, list[tuple[str, Relationship]]]:
    """Where filters flow along active relationships: one side -> many side (and back if both ways)."""
    edges: dict[str, list[tuple[str, Relationship]]] = {}
    for relationship in model.relationships:
        if not relationship.is_active:
            continue
        one, many = relationship.to_table.lower(), relationship.from_table.lower()
        edges.setdefault(one, []).append((many, relationship))
        if relationship.cross_filtering_behavior.lower() not in _SINGLE_DIRECTION:
            edges.setdefault(many, []).append((one, relationship))
    return edges


def _second_paths(start: str, edges: dict[str, list[tuple[str, Relationship]]]) -> dict[str, Relationship]:
    """Tables a filter on ``start`` reaches by more than one path, with a relationship of the second."""
    reached: set[str] = set()
    again: dict[str, Relationship] = {}
    stack: list[tuple[str, tuple[str, ...]]] = [(start, (start,))]
    while stack:
        table, path = stack.pop()
        for target, relationship in edges.get(table, []):
            if target in path:
                continue
            if target in reached:
                again.setdefault(target, relationship)
            reached.add(target)
            stack.append((target, (*path, target)))
    return again


def ambiguity_rules(model: TmdlModel) -> list[Problem]:
    """A filter must reach a table by one path only (Desktop deactivates relationships otherwise)."""
    edges = _filter_edges(model)
    names = {table.name.lower(): table.name for table in model.tables}
    return [
        relationship.problem(
            f"filters on '{names.get(start, start)}' reach '{names.get(target, target)}' by more than "
            "one path of active relationships (ambiguous); make one of them inactive"
        )
        for start in sorted(edges)
        for target, relationship in sorted(_second_paths(start, edges).items())
    ]


def relationship_rules(model: TmdlModel) -> list[Problem]:
    problems = []
    activated = _activated_relationships(model)
    for relationship in model.relationships:
        name = (
            f"relationship '{relationship.from_table}'[{relationship.from_column}] -> "
            f"'{relationship.to_table}'[{relationship.to_column}]"
        )
        source = model.column(relationship.from_table, relationship.from_column)
        target = model.column(relationship.to_table, relationship.to_column)
        if source and target and (source.data_type or "").lower() != (target.data_type or "").lower():
            problems.append(
                relationship.problem(f"{name}: data types differ ({source.data_type} -> {target.data_type})")
            )
        if source and not source.is_hidden:
            problems.append(
                source.problem(
                    f"column '{source.table}'[{source.name}] is a foreign key ({name}) and not hidden"
                )
            )
        if relationship.cross_filtering_behavior.lower() not in _SINGLE_DIRECTION:
            problems.append(
                relationship.problem(
                    f"{name} filters in both directions ({relationship.cross_filtering_behavior}); "
                    "use single direction"
                )
            )
        ends = frozenset(
            {
                (relationship.from_table.lower(), relationship.from_column.lower()),
                (relationship.to_table.lower(), relationship.to_column.lower()),
            }
        )
        if not relationship.is_active and ends not in activated:
            problems.append(
                relationship.problem(f"{name} is inactive and no measure activates it (USERELATIONSHIP)")
            )
    return problems


def _activated_relationships(model: TmdlModel) -> set[frozenset[tuple[str, str]]]:
    """The column pairs of every USERELATIONSHIP ( 'A'[x], 'B'[y] ) in the model's DAX."""
    pairs = set()
    for site in dax_sites(model):
        try:
            tokens = tokenize(site.expression)
        except DaxSyntaxError:
            continue
        for name, paren, _ in function_calls(tokens):
            if name != "USERELATIONSHIP":
                continue
            ends = [
                (name_of(argument[0]).lower(), name_of(argument[1]).lower())
                for argument in call_arguments(tokens, paren)
                if len(argument) == 2 and argument[1].tok_type == TokenType.BRACKETED_IDENTIFIER
            ]
            pairs.add(frozenset(ends))
    return pairs


def key_rules(model: TmdlModel) -> list[Problem]:
    problems = []
    for table in model.tables:
        if not is_measure_table(table) and not table.calculation_items and not table.key_columns:
            problems.append(table.problem(f"table '{table.name}' has no key column (isKey)"))
    for relationship in model.relationships:
        table = model.table(relationship.to_table)
        if table is None or relationship.to_cardinality.lower() != "one" or table.is_date_table:
            continue
        keys = table.key_columns
        if keys and all(key.name.lower() != relationship.to_column.lower() for key in keys):
            problems.append(
                relationship.problem(
                    f"relationship to '{table.name}'[{relationship.to_column}]: the one side should be the "
                    f"table's key column [{keys[0].name}]"
                )
            )
    return problems


def date_table_rules(model: TmdlModel) -> list[Problem]:
    problems = []
    marked = [table for table in model.tables if table.is_date_table]
    for table in marked:
        if not any((key.data_type or "").lower() == "datetime" for key in table.key_columns):
            problems.append(
                table.problem(f"date table '{table.name}' has no dateTime key column (isKey) to be marked by")
            )
    if not marked:
        candidates = [
            table
            for table in model.tables
            if any((key.data_type or "").lower() == "datetime" for key in table.key_columns)
            or (
                re.search(r"date|calendar", table.name, re.IGNORECASE)
                and any((column.data_type or "").lower() == "datetime" for column in table.columns)
            )
        ]
        for table in candidates:
            problems.append(
                table.problem(
                    f"table '{table.name}' looks like the date table but is not marked (dataCategory: Time)"
                )
            )
        if not candidates:
            problems.append(
                Problem(model.model_file, "no table is marked as the date table (dataCategory: Time)")
            )
    value = model.annotations.get(AUTO_DATE_TIME)
    if value != "0":
        file, line = model.annotation_lines.get(AUTO_DATE_TIME, (model.model_file, 1))
        problems.append(
            Problem(
                file,
                f"auto date/time is on: annotation {AUTO_DATE_TIME} = {value or '(absent)'}, want 0",
                line=line,
            )
        )
    for table in model.tables:
        if table.name.startswith(("LocalDateTable_", "DateTableTemplate_")):
            problems.append(table.problem(f"table '{table.name}' is an auto date/time table"))
    return problems


#: Table names the Analysis Services engine reserves: Desktop renames such a table ("Measures 1")
#: and every visual that refers to it breaks; older tools refuse the model.
RESERVED_TABLE_NAMES = frozenset({"measures"})


def name_rules(model: TmdlModel) -> list[Problem]:
    return [
        table.problem(f"table '{table.name}' has a name the Analysis Services engine reserves: rename it")
        for table in model.tables
        if table.name.strip().lower() in RESERVED_TABLE_NAMES
    ]


def _is_month_or_day_name(column: Column) -> bool:
    if (column.data_type or "").lower() != "string":
        return False
    name = column.name.lower()
    return (
        name in {"month", "weekday", "day"}
        or any(part in name for part in ("month name", "month short", "weekday", "day name", "day of week"))
        or bool(_MONTH_OR_DAY_SOURCE.search(_snake(column)))
    )


def column_rules(model: TmdlModel) -> list[Problem]:
    problems = []
    for table in model.tables:
        for column in table.columns:
            label = f"column '{table.name}'[{column.name}]"
            kind = (column.data_type or "").lower()
            if kind == "double" and _MONEY.search(_snake(column)):
                problems.append(column.problem(f"{label} holds money as double; use decimal (fixed decimal)"))
            if column.is_numeric and not column.is_hidden and (column.summarize_by or "").lower() != "none":
                problems.append(
                    column.problem(
                        f"{label} is a visible number summarised by {column.summarize_by or 'default (sum)'}"
                        "; set summarizeBy: none (or hide it) and use measures"
                    )
                )
            if column.data_category and column.data_category not in DATA_CATEGORIES:
                problems.append(
                    column.problem(
                        f"{label} has data category {column.data_category!r}, which Power BI lacks"
                    )
                )
            if _is_month_or_day_name(column):
                target = table.column(column.sort_by_column) if column.sort_by_column else None
                if target is None or not target.is_numeric:
                    problems.append(
                        column.problem(f"{label} is a month or weekday name not sorted by a number column")
                    )
        for hierarchy in table.hierarchies:
            for level in hierarchy.levels:
                if level.column is None or table.column(level.column) is None:
                    problems.append(
                        level.problem(
                            f"hierarchy '{table.name}'[{hierarchy.name}] level {level.name!r} uses column "
                            f"{level.column!r}, which is not in the table"
                        )
                    )
    return problems


def measure_rules(model: TmdlModel) -> list[Problem]:
    problems = []
    for measure in model.measures():
        label = f"measure [{measure.name}]"
        if not measure.format_string and measure.format_string_expression is None:
            problems.append(measure.problem(f"{label} has no formatString"))
        if not measure.description.strip():
            problems.append(measure.problem(f"{label} has no description (/// above it)"))
        if not (measure.display_folder or "").strip():
            problems.append(measure.problem(f"{label} is in no displayFolder"))
    return problems


def _dax_site_rules(site: DaxSite) -> list[Problem]:
    try:
        tokens = tokenize(site.expression)
    except DaxSyntaxError:
        return []  # the dax check reports it
    problems = [
        Problem(
            site.file,
            f"{site.label}: divides with '/'; use DIVIDE ( ... )",
            line=site.line_at(token.text_slice.start),
        )
        for token in tokens
        if token.tok_type == TokenType.DIVIDE_SIGN
    ]
    problems += [
        Problem(
            site.file,
            f"{site.label}: uses {name}; test for the error's cause instead",
            line=site.line_at(offset),
        )
        for name, _, offset in function_calls(tokens)
        if name in _ERROR_FUNCTIONS
    ]
    return problems


def dax_rules(model: TmdlModel) -> list[Problem]:
    problems: list[Problem] = []
    for site in dax_sites(model):
        problems += _dax_site_rules(site)
    return problems


def check_bpa(model: TmdlModel) -> list[Problem]:
    return (
        name_rules(model)
        + relationship_rules(model)
        + ambiguity_rules(model)
        + key_rules(model)
        + date_table_rules(model)
        + column_rules(model)
        + measure_rules(model)
        + dax_rules(model)
    )
