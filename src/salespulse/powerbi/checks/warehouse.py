"""Every import table reads a reporting view that exists, and every column maps onto one of its columns.

The view is found in the partition's M (and the incremental refresh policy's source and polling
expressions, whose row filter and polled column must be columns of the view): a call of one of
the model's shared M functions with the view's name (``ReportingView("sales")``), a navigation
step (``{[Schema = "reporting", Item = "sales"]}``), a ``sales.parquet`` file or ``reporting.sales``
in a native query. Warehouse columns are passed in as ``{view: {column: sql type}}``;
``warehouse_columns`` reads them from an open ``Warehouse``.
"""

from __future__ import annotations

import re

from salespulse.errors import Problem
from salespulse.powerbi.checks.bpa import polling_fields
from salespulse.powerbi.tmdl import Column, Table, TmdlModel
from salespulse.warehouse import Warehouse

REPORTING_SCHEMA = "reporting"

ViewColumns = dict[str, dict[str, str]]

_INTEGERS = {"bigint", "integer", "int", "int2", "int4", "int8", "smallint", "tinyint", "hugeint"}
_DECIMALS = {"numeric", "decimal"}
_FLOATS = {"double", "double precision", "float", "float4", "float8", "real"}
_TEXTS = {"text", "varchar", "character varying", "char", "character", "bpchar", "string", "uuid"}
_DATES = {
    "date",
    "timestamp",
    "timestamptz",
    "datetime",
    "timestamp with time zone",
    "timestamp without time zone",
}
_FIXED_DECIMAL_SCALE = 4  # Power BI's fixed decimal number keeps 4 decimals


def warehouse_columns(warehouse: Warehouse, schema: str = REPORTING_SCHEMA) -> ViewColumns:
    """``{view: {column: sql type}}`` of ``schema`` from ``information_schema.columns``."""
    rows = warehouse.query(
        "select table_name, column_name, data_type, numeric_precision, numeric_scale "
        "from information_schema.columns where table_schema = ? order by table_name, ordinal_position",
        [schema],
    )
    views: ViewColumns = {}
    for view, column, data_type, precision, scale in rows:
        sql_type = str(data_type).lower()
        if sql_type in _DECIMALS and precision is not None and scale is not None:
            sql_type = f"{sql_type}({precision},{scale})"
        views.setdefault(view, {})[column] = sql_type
    return views


def _base_and_scale(sql_type: str) -> tuple[str, int | None]:
    match = re.match(r"\s*([a-z ]+?)\s*(?:\(\s*\d+\s*(?:,\s*(\d+)\s*)?\))?\s*$", sql_type.lower())
    if not match:
        return sql_type.lower().strip(), None
    scale = match.group(2)
    return match.group(1), int(scale) if scale is not None else (0 if "(" in sql_type else None)


def compatible(data_type: str, sql_type: str) -> bool:
    """Whether a TMDL dataType can hold a warehouse column of ``sql_type`` without loss."""
    base, scale = _base_and_scale(sql_type)
    kind = data_type.lower()
    if kind == "int64":
        return base in _INTEGERS
    if kind == "decimal":
        return base in _DECIMALS and (scale is None or scale <= _FIXED_DECIMAL_SCALE)
    if kind == "double":
        return base in _DECIMALS | _FLOATS
    if kind == "string":
        return base in _TEXTS
    if kind == "datetime":
        return base in _DATES
    if kind == "boolean":
        return base in {"boolean", "bool"}
    return False


def views_read(m: str, functions: list[str], schema: str = REPORTING_SCHEMA) -> list[str]:
    """The reporting views an M expression reads."""
    found: list[str] = []
    for function in functions:
        found += re.findall(rf'(?<![\w.#]){re.escape(function)}\s*\(\s*"([^"]+)"', m)
    found += re.findall(r'\bItem\s*=\s*"([^"]+)"', m)
    found += re.findall(r'"(?:[^"]*[\\/])?([^"\\/]+)\.parquet"', m, flags=re.IGNORECASE)
    found += re.findall(rf'\b{re.escape(schema)}\."?(\w+)', m)
    return list(dict.fromkeys(found))


def _schemas_named(m: str) -> list[str]:
    return re.findall(r'\bSchema\s*=\s*"([^"]+)"', m)


def _filtered_fields(m: str) -> list[str]:
    """Fields an M row filter uses (``Table.SelectRows(Source, each [order_date] >= ...)``)."""
    fields: list[str] = []
    for clause in re.findall(r"\beach\b([^\n]*)", m):
        fields += re.findall(r"\[([^\[\]]+)\]", clause)
    return fields


def _lookup(columns: dict[str, dict[str, str]], view: str) -> tuple[str, dict[str, str]] | None:
    for name, view_columns in columns.items():
        if name.lower() == view.lower():
            return name, view_columns
    return None


def _column_problems(table: Table, column: Column, view: str, view_columns: dict[str, str]) -> list[Problem]:
    source = column.source_column or ""
    sql_type = view_columns.get(source)
    if sql_type is None:
        return [
            column.problem(
                f"column '{table.name}'[{column.name}]: sourceColumn {source!r} is not a column of "
                f"{REPORTING_SCHEMA}.{view}"
            )
        ]
    if column.data_type and not compatible(column.data_type, sql_type):
        return [
            column.problem(
                f"column '{table.name}'[{column.name}]: dataType {column.data_type} does not match "
                f"{REPORTING_SCHEMA}.{view}.{source} ({sql_type})"
            )
        ]
    return []


def _sources(table: Table) -> list[tuple[str, str, int]]:
    """(M, file, line) of every M the table is loaded with."""
    sources = [
        (partition.source, partition.file, partition.source_line or partition.line)
        for partition in table.partitions
        if partition.source is not None and partition.source_type.lower() == "m"
    ]
    policy = table.refresh_policy
    if policy is not None and policy.source_expression:
        sources.append((policy.source_expression, policy.file, policy.source_expression_line or policy.line))
    if policy is not None and policy.polling_expression:
        sources.append(
            (policy.polling_expression, policy.file, policy.polling_expression_line or policy.line)
        )
    return sources


def _table_problems(table: Table, columns: ViewColumns, functions: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    views: set[str] = set()
    for m, file, line in _sources(table):
        found = views_read(m, functions)
        if not found:
            if "#table(" not in m:  # data entered in the model itself has no view
                problems.append(
                    Problem(file, f"table '{table.name}': its M reads no reporting view", line=line)
                )
            continue
        for schema in _schemas_named(m):
            if schema.lower() != REPORTING_SCHEMA:
                problems.append(
                    Problem(
                        file,
                        f"table '{table.name}' reads schema {schema!r}, not {REPORTING_SCHEMA}",
                        line=line,
                    )
                )
        for view in found:
            match = _lookup(columns, view)
            if match is None:
                problems.append(
                    Problem(
                        file,
                        f"table '{table.name}' reads view {view!r}, which is not in the warehouse's "
                        f"{REPORTING_SCHEMA} schema",
                        line=line,
                    )
                )
                continue
            views.add(match[0])
            polled = (
                polling_fields(m)
                if m == (table.refresh_policy and table.refresh_policy.polling_expression)
                else []
            )
            for field in dict.fromkeys(_filtered_fields(m) + polled):
                if field not in match[1]:
                    problems.append(
                        Problem(
                            file,
                            f"table '{table.name}' filters on [{field}], not a column of {view}",
                            line=line,
                        )
                    )
    if len(views) > 1:
        problems.append(table.problem(f"table '{table.name}' reads more than one view: {sorted(views)}"))
    if len(views) == 1:
        view = views.pop()
        for column in table.columns:
            if not column.is_calculated and column.source_column is not None:
                problems += _column_problems(table, column, view, columns[view])
    return problems


def check_warehouse(model: TmdlModel, columns: ViewColumns) -> list[Problem]:
    """Tables against the warehouse's reporting views (``columns`` as ``warehouse_columns`` returns)."""
    functions = [expression.name for expression in model.expressions if expression.is_function]
    problems: list[Problem] = []
    for table in model.tables:
        problems += _table_problems(table, columns, functions)
    return problems
