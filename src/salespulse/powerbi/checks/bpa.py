"""Best-practice rules in the spirit of Tabular Editor's Best Practice Analyzer.

Relationships: matching data types, hidden foreign keys, single direction, one filter path
between two tables, no inactive relationship that no measure activates. Tables: a marked key
that relationships target (a marked date table keeps its date column as key, whatever column its
relationships use), one marked date table and auto date/time off. Columns: money in fixed
decimal, numbers not summarised by default, month and weekday names sorted by a number, hierarchy
levels on existing columns, known data categories. Measures: format string, description, display
folder. DAX: DIVIDE instead of ``/``, no IFERROR / ISERROR. Names: no table the engine reserves
(``Measures``), no column named like a measure. Incremental refresh: no marked key on the refreshed
table, a polling expression on a column of the table. Power Query (M): every data source's path
static (never built from a function's argument), every loaded column typed as its TMDL column.
"""

from __future__ import annotations

import json
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
        if table.refresh_policy is not None:
            # isKey makes the engine hold the column unique over the whole table, but an incremental
            # refresh loads one partition at a time: a row whose date moved to another partition
            # is in two partitions until both are refreshed, and the refresh fails on the duplicate.
            problems += [
                key.problem(
                    f"column '{table.name}'[{key.name}] is marked isKey on a table with an incremental "
                    "refresh policy: partitions refreshed apart can hold a key twice; do not mark it"
                )
                for key in table.key_columns
            ]
        elif not is_measure_table(table) and not table.calculation_items and not table.key_columns:
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


#: Rule ids a column may waive with Tabular Editor's annotation
#: ``BestPracticeAnalyzer_IgnoreRules = {"RuleIDs": [...]}``.
COLUMN_SHADOWS_MEASURE = "COLUMN_SHADOWS_MEASURE"
IGNORE_RULES_ANNOTATION = "BestPracticeAnalyzer_IgnoreRules"


def ignored_rules(column: Column) -> set[str]:
    try:
        value = json.loads(column.annotations.get(IGNORE_RULES_ANNOTATION) or "{}")
    except json.JSONDecodeError:
        return set()
    return set(value.get("RuleIDs", [])) if isinstance(value, dict) else set()


def name_rules(model: TmdlModel) -> list[Problem]:
    problems = [
        table.problem(f"table '{table.name}' has a name the Analysis Services engine reserves: rename it")
        for table in model.tables
        if table.name.strip().lower() in RESERVED_TABLE_NAMES
    ]
    # A column named like a measure shadows it: [Attainment %] in a visual, a field list search or
    # an unqualified DAX reference no longer says which one is meant.
    measures = {measure.name.lower(): measure for measure in model.measures()}
    for table in model.tables:
        for column in table.columns:
            measure = measures.get(column.name.lower())
            if measure is None or (column.is_hidden and is_measure_table(table)):
                continue
            if COLUMN_SHADOWS_MEASURE not in ignored_rules(column):
                problems.append(
                    column.problem(
                        f"column '{table.name}'[{column.name}] has the name of measure [{measure.name}] "
                        f"('{measure.table}'): rename or remove one of them"
                    )
                )
    return problems


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


def format_problem(label: str, name: str, format_string: str | None, data_category: str | None = None) -> str:
    """What is wrong with a column's or measure's format string, or "": a share (name ending in %)
    shown as a plain number, or six decimals on anything but a coordinate."""
    fmt = format_string or ""
    if name.rstrip().endswith("%") and fmt and "%" not in fmt:
        return f"{label} is a share (its name ends in %) formatted {fmt!r}; use a percent format"
    if fmt.endswith("0.000000") and data_category not in ("Latitude", "Longitude"):
        return f"{label} is formatted with six decimals ({fmt!r}); only coordinates need them"
    return ""


def format_rules(model: TmdlModel) -> list[Problem]:
    problems = []
    for table in model.tables:
        for column in table.columns:
            label = f"column '{table.name}'[{column.name}]"
            message = format_problem(label, column.name, column.format_string, column.data_category)
            if message:
                problems.append(column.problem(message))
    for measure in model.measures():
        message = format_problem(f"measure [{measure.name}]", measure.name, measure.format_string)
        if message:
            problems.append(measure.problem(message))
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


# ---------------------------------------------------------------------------------------------
# Incremental refresh and Power Query (M)

#: Functions that open a data source. The Service finds a query's data sources (and their
#: credentials and gateway) by reading these calls' arguments before it runs the M, so the path
#: must be made of literals and parameters; a path computed from a function's argument is a
#: dynamic data source, which the Service refuses to refresh.
DATA_SOURCE_FUNCTIONS = (
    "PostgreSQL.Database",
    "Sql.Database",
    "Sql.Databases",
    "MySQL.Database",
    "Oracle.Database",
    "Odbc.DataSource",
    "Odbc.Query",
    "OleDb.DataSource",
    "OleDb.Query",
    "File.Contents",
    "Folder.Files",
    "Folder.Contents",
    "Web.Contents",
    "OData.Feed",
    "SharePoint.Files",
    "SharePoint.Contents",
    "AzureStorage.Blobs",
    "AzureStorage.DataLake",
    "Snowflake.Databases",
    "Databricks.Catalogs",
)
_DATA_SOURCE_CALL = re.compile(
    r"(?<![\w.#])(" + "|".join(re.escape(name) for name in DATA_SOURCE_FUNCTIONS) + r")\s*\("
)
_LAMBDA = re.compile(r"\(([^()]*)\)\s*(?:as\s+[\w.]+\s*)?=>")
_EACH = re.compile(r"(?<![\w.#])each\b")
_FIELD_ACCESS = re.compile(r"\[\s*[A-Za-z_][^\[\]=,]*\]")
_TRANSFORM_TYPES = re.compile(r"(?<![\w.#])Table\.TransformColumnTypes\s*\(")
_TYPE_PAIR = re.compile(r'\{\s*"((?:[^"]|"")*)"\s*,\s*([^{},]+?)\s*\}')
_FIELD_OF_STEP = re.compile(r'(?:#"(?:[^"]|"")*"|\b[A-Za-z_][\w.]*)\s*\[\s*([^\[\]=,]+?)\s*\]')

#: The TMDL data type each Power Query type loads as.
M_TYPE_DATA_TYPES = {
    "type text": "string",
    "text.type": "string",
    "int64.type": "int64",
    "int32.type": "int64",
    "int16.type": "int64",
    "int8.type": "int64",
    "currency.type": "decimal",
    "type number": "double",
    "number.type": "double",
    "double.type": "double",
    "decimal.type": "double",
    "percentage.type": "double",
    "type date": "datetime",
    "date.type": "datetime",
    "type datetime": "datetime",
    "datetime.type": "datetime",
    "type datetimezone": "datetime",
    "datetimezone.type": "datetime",
    "type logical": "boolean",
    "logical.type": "boolean",
}


def _mask_m(text: str) -> str:
    """``text`` with the contents of M strings and comments blanked (same length, lines kept)."""
    out = list(text)
    index, count = 0, len(text)
    while index < count:
        char = text[index]
        if char == '"':
            end = index + 1
            while end < count:
                if text[end] == '"':
                    if text[end + 1 : end + 2] == '"':
                        end += 2
                        continue
                    break
                end += 1
            for position in range(index + 1, min(end, count)):
                out[position] = " " if text[position] != "\n" else "\n"
            index = end + 1
        elif text.startswith("//", index):
            end = text.find("\n", index)
            end = count if end < 0 else end
            out[index:end] = " " * (end - index)
            index = end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = count if end < 0 else end + 2
            out[index:end] = [c if c == "\n" else " " for c in text[index:end]]
            index = end
        else:
            index += 1
    return "".join(out)


def _arguments(masked: str, open_paren: int) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of each top-level argument of the call whose '(' is at ``open_paren``, and the
    index just after its ')'."""
    depth, start, spans = 0, open_paren + 1, []
    for index in range(open_paren + 1, len(masked)):
        char = masked[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                spans.append((start, index))
                return spans, index + 1
            depth -= 1
        elif char == "," and depth == 0:
            spans.append((start, index))
            start = index + 1
    spans.append((start, len(masked)))
    return spans, len(masked)


def _scope_end(masked: str, start: int) -> int:
    """Where the expression starting at ``start`` ends: at the bracket enclosing it."""
    depth = 0
    for index in range(start, len(masked)):
        char = masked[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return index
            depth -= 1
    return len(masked)


def _parameters(declaration: str) -> set[str]:
    names = set()
    for part in declaration.split(","):
        words = [word for word in part.split() if word.lower() != "optional"]
        if words and re.fullmatch(r"[A-Za-z_]\w*", words[0]):
            names.add(words[0])
    return names


def _dynamic_sources(m: str) -> list[tuple[int, str, str]]:
    """(offset, data-source function, argument name) of every data-source call inside a function
    (``(x) => ...`` or ``each ...``) whose path uses that function's argument."""
    masked = _mask_m(m)
    scopes: list[tuple[int, int, set[str], bool]] = [
        (match.end(), _scope_end(masked, match.end()), _parameters(match.group(1)), False)
        for match in _LAMBDA.finditer(masked)
    ]
    scopes += [
        (match.end(), _scope_end(masked, match.end()), {"_"}, True) for match in _EACH.finditer(masked)
    ]
    found = []
    for call in _DATA_SOURCE_CALL.finditer(masked):
        spans, _ = _arguments(masked, call.end() - 1)
        if call.group(1) == "Web.Contents":
            spans = spans[:1]  # RelativePath and Query options are the static way to vary a URL
        path = [masked[start:end] for start, end in spans]
        path = [text for text in path if not (text.strip().startswith("[") and "=" in text)]  # options
        for start, end, names, is_each in scopes:
            if not start <= call.start() < end:
                continue
            used = [
                name
                for name in sorted(names)
                if any(re.search(rf"(?<![\w.#]){re.escape(name)}(?![\w.])", text) for text in path)
            ]
            if is_each and not used and any(_FIELD_ACCESS.search(text) for text in path):
                used = ["_"]
            found += [(call.start(), call.group(1), name) for name in used]
    return found


def _partition_sites(table: Table) -> list[tuple[str, str, str, int]]:
    """(label, M, file, line) of each M partition of ``table``."""
    return [
        (
            f"partition of '{table.name}'",
            partition.source,
            partition.file,
            partition.source_line or partition.line,
        )
        for partition in table.partitions
        if partition.source is not None and partition.source_type.lower() == "m"
    ]


def _m_sites(model: TmdlModel) -> list[tuple[str, str, str, int]]:
    """(label, M, file, line of its first line) of every Power Query expression of the model."""
    sites = [
        (f"expression {expression.name}", expression.expression, expression.file, expression.expression_line)
        for expression in model.expressions
    ]
    for table in model.tables:
        sites += _partition_sites(table)
        policy = table.refresh_policy
        if policy is not None:
            for label, text, line in (
                (
                    "refresh policy's sourceExpression",
                    policy.source_expression,
                    policy.source_expression_line,
                ),
                (
                    "refresh policy's pollingExpression",
                    policy.polling_expression,
                    policy.polling_expression_line,
                ),
            ):
                if text is not None:
                    sites.append((f"{label} of '{table.name}'", text, policy.file, line or policy.line))
    return sites


def static_source_rules(model: TmdlModel) -> list[Problem]:
    problems = []
    for label, m, file, line in _m_sites(model):
        for offset, function, name in _dynamic_sources(m):
            argument = "the row (each)" if name == "_" else f"argument {name!r}"
            problems.append(
                Problem(
                    file,
                    f"{label}: {function} builds its path from the function's {argument}: a dynamic data "
                    "source, which the Service refuses to refresh; name the source literally in each "
                    "partition",
                    line=line + m.count("\n", 0, offset),
                )
            )
    return problems


def _typed_columns(m: str) -> dict[str, str] | None:
    """``{source column: M type}`` of the M's Table.TransformColumnTypes steps; None without one."""
    masked = _mask_m(m)
    calls = list(_TRANSFORM_TYPES.finditer(masked))
    if not calls:
        return None
    types: dict[str, str] = {}
    for call in calls:
        spans, _ = _arguments(masked, call.end() - 1)
        if len(spans) < 2:
            continue
        start, end = spans[1]
        for name, kind in _TYPE_PAIR.findall(m[start:end]):
            types[name.replace('""', '"')] = " ".join(kind.split())
    return types


def m_type_rules(model: TmdlModel) -> list[Problem]:
    """Every import partition types every column it loads (Table.TransformColumnTypes), as its TMDL
    column is typed: PostgreSQL and Parquet type some columns differently (decimal scale, dates)."""
    problems = []
    for table in model.tables:
        loaded = [column for column in table.columns if not column.is_calculated and column.source_column]
        sources = _partition_sites(table)
        policy = table.refresh_policy
        if policy is not None and policy.source_expression:
            sources.append(
                (
                    f"refresh policy of '{table.name}'",
                    policy.source_expression,
                    policy.file,
                    policy.source_expression_line or policy.line,
                )
            )
        for label, m, file, line in sources:
            if "#table(" in m or not loaded:
                continue  # data entered in the model types itself
            types = _typed_columns(m)
            if types is None:
                problems.append(
                    Problem(
                        file,
                        f"{label}: its M types no column (no Table.TransformColumnTypes); type every "
                        "column it loads as its TMDL column",
                        line=line,
                    )
                )
                continue
            for column in loaded:
                kind = types.get(column.source_column or "")
                label_column = f"column '{table.name}'[{column.name}]"
                if kind is None:
                    problems.append(
                        Problem(
                            file,
                            f"{label}: {label_column} ({column.source_column}) is loaded untyped",
                            line=line,
                        )
                    )
                elif M_TYPE_DATA_TYPES.get(kind.lower()) != (column.data_type or "").lower():
                    problems.append(
                        Problem(
                            file,
                            f"{label}: {label_column} is typed {kind} in M but dataType {column.data_type} "
                            "in the model",
                            line=line,
                        )
                    )
    return problems


def polling_fields(m: str) -> list[str]:
    """The columns a polling expression reads: ``Step[column]`` and ``each [column]``."""
    masked = _mask_m(m)
    fields = [match.group(1).strip() for match in _FIELD_OF_STEP.finditer(masked)]
    for clause in re.findall(r"\beach\b([^\n]*)", masked):
        fields += [field.strip() for field in re.findall(r"\[([^\[\]=,]+)\]", clause)]
    return list(dict.fromkeys(field for field in fields if field))


def refresh_policy_rules(model: TmdlModel) -> list[Problem]:
    """A polling expression (detect data changes) reads a column of its own table."""
    problems = []
    for table in model.tables:
        policy = table.refresh_policy
        if policy is None or policy.polling_expression is None:
            continue
        line = policy.polling_expression_line or policy.line
        sources = {(column.source_column or "").lower() for column in table.columns}
        fields = polling_fields(policy.polling_expression)
        if not fields:
            problems.append(
                Problem(
                    policy.file,
                    f"refresh policy of '{table.name}': its pollingExpression reads no column",
                    line=line,
                )
            )
        problems += [
            Problem(
                policy.file,
                f"refresh policy of '{table.name}': its pollingExpression reads [{field}], which is not a "
                "source column of the table",
                line=line,
            )
            for field in fields
            if field.lower() not in sources
        ]
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
        + format_rules(model)
        + dax_rules(model)
        + static_source_rules(model)
        + m_type_rules(model)
        + refresh_policy_rules(model)
    )
