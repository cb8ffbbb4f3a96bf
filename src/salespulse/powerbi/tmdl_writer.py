"""Render the semantic model folder (``powerbi/SalesPulse.SemanticModel``) as Desktop saves it.

TMDL: tab indentation, ``///`` descriptions, expressions two levels deeper than their object,
stable ``lineageTag`` GUIDs (uuid5 of the object's path, so the same model gives the same bytes).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from salespulse.powerbi import PROJECT_NAME
from salespulse.semantic import Column, Measure, Role, SemanticModel, Table, load_measures, load_model
from salespulse.semantic.measures import MEASURE_TABLE, dax

NAMESPACE = uuid.UUID("6f1c1b7e-3f0a-4c5e-9a57-5a1e5b0c2d11")
T = "\t"
REPORTING_SCHEMA = "reporting"
PARAMETER_GROUP = "Parameters"
PBISM_SCHEMA = "https://developer.microsoft.com/json-schemas/fabric/item/semanticModel/definitionProperties/1.0.0/schema.json"
PLATFORM_SCHEMA = (
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json"
)

_DATA_TYPES = {
    "text": "string",
    "bigint": "int64",
    "integer": "int64",
    "date": "dateTime",
    "boolean": "boolean",
}


def lineage_tag(*path: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(path)))


def quote(name: str) -> str:
    """TMDL object names are quoted when they contain anything but letters, digits and _."""
    if name.replace("_", "").isalnum() and not name[0].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def data_type(column: Column) -> str:
    """TMDL data type: fixed decimal for money (4 decimals), double for ratios and coordinates."""
    if column.sql_type.startswith("numeric"):
        return "decimal" if column.is_amount else "double"
    return _DATA_TYPES[column.sql_type]


def format_string(column: Column) -> str | None:
    kind = data_type(column)
    if kind == "decimal":
        return "#,0.00"
    if kind == "double":
        return "0.0%" if column.source.endswith("_pct") else "0.000000"
    if kind == "int64":
        return "0"
    if kind == "dateTime":
        return "yyyy-mm-dd"
    return None


def _description(text: str, indent: str) -> list[str]:
    return [f"{indent}/// {line}" for line in text.splitlines() if line.strip()] if text else []


def _expression(text: str, indent: str) -> list[str]:
    return [f"{indent}{line}" if line else "" for line in text.splitlines()]


def _column(table: Table, column: Column) -> list[str]:
    lines = [*_description(column.description, T), f"{T}column {quote(column.name)}"]
    lines.append(f"{T * 2}dataType: {data_type(column)}")
    if column.is_key:
        lines.append(f"{T * 2}isKey")
    if column.hidden:
        lines.append(f"{T * 2}isHidden")
    fmt = format_string(column)
    if fmt:
        lines.append(f"{T * 2}formatString: {fmt}")
    lines.append(f"{T * 2}lineageTag: {lineage_tag(table.name, 'column', column.name)}")
    if column.data_category:
        lines.append(f"{T * 2}dataCategory: {column.data_category}")
    lines.append(f"{T * 2}summarizeBy: none")
    lines.append(f"{T * 2}sourceColumn: {column.source}")
    if column.sort_by:
        lines.append(f"{T * 2}sortByColumn: {quote(column.sort_by)}")
    lines += ["", f"{T * 2}annotation SummarizationSetBy = User"]
    if data_type(column) == "dateTime":
        lines += ["", f"{T * 2}annotation UnderlyingDateTimeDataType = Date"]
    return [*lines, ""]


def _hierarchy(table: Table, name: str, levels: tuple[str, ...]) -> list[str]:
    lines = [
        f"{T}hierarchy {quote(name)}",
        f"{T * 2}lineageTag: {lineage_tag(table.name, 'hierarchy', name)}",
        "",
    ]
    for level in levels:
        lines += [
            f"{T * 2}level {quote(level)}",
            f"{T * 3}lineageTag: {lineage_tag(table.name, 'hierarchy', name, level)}",
            f"{T * 3}column: {quote(level)}",
            "",
        ]
    return lines


def partition_source(table: Table) -> str:
    """The M of a table's partition: the reporting view, through the ReportingView function."""
    step = 'Source = ReportingView("' + table.view + '")'
    if table.incremental_refresh is None:
        return f"let\n    {step}\nin\n    Source"
    column = table.incremental_refresh.date_column
    return (
        "let\n"
        f"    {step},\n"
        f'    #"Filtered Rows" = Table.SelectRows(Source, each [{column}] >= Date.From(RangeStart)'
        f" and [{column}] < Date.From(RangeEnd))\n"
        "in\n"
        '    #"Filtered Rows"'
    )


def _refresh_policy(table: Table) -> list[str]:
    policy = table.incremental_refresh
    if policy is None:
        return []
    return [
        f"{T}refreshPolicy",
        f"{T * 2}policyType: basic",
        f"{T * 2}rollingWindowGranularity: year",
        f"{T * 2}rollingWindowPeriods: {policy.rolling_window_years}",
        f"{T * 2}incrementalGranularity: day",
        f"{T * 2}incrementalPeriods: {policy.incremental_days}",
        f"{T * 2}sourceExpression =",
        *_expression(partition_source(table), T * 4),
        "",
    ]


def render_table(table: Table) -> str:
    lines = [*_description(table.description, ""), f"table {quote(table.name)}"]
    lines.append(f"{T}lineageTag: {lineage_tag(table.name)}")
    if table.date_table:
        lines.append(f"{T}dataCategory: Time")
    lines.append("")
    lines += _refresh_policy(table)
    for column in table.columns:
        lines += _column(table, column)
    for hierarchy in table.hierarchies:
        lines += _hierarchy(table, hierarchy.name, hierarchy.levels)
    lines += [
        f"{T}partition {quote(table.name)} = m",
        f"{T * 2}mode: import",
        f"{T * 2}source =",
        *_expression(partition_source(table), T * 4),
        "",
        f"{T}annotation PBI_ResultType = Table",
        "",
    ]
    return "\n".join(lines)


def _measure(model: SemanticModel, measure: Measure) -> list[str]:
    expression = dax(measure, model)
    lines = _description(measure.description, T)
    if "\n" in expression:
        lines += [f"{T}measure {quote(measure.name)} =", *_expression(expression, T * 3)]
    else:
        lines.append(f"{T}measure {quote(measure.name)} = {expression}")
    fmt = measure.format
    needs_quotes = any(char in fmt for char in " ;\"'")
    lines += [
        f"{T * 2}formatString: " + (json.dumps(fmt) if needs_quotes else fmt),
        f"{T * 2}displayFolder: {measure.folder}",
        f"{T * 2}lineageTag: {lineage_tag(MEASURE_TABLE, 'measure', measure.name)}",
        "",
    ]
    return lines


def render_measure_table(model: SemanticModel, measures: tuple[Measure, ...]) -> str:
    lines = [
        "/// Every measure of the model, in display folders. Defined in "
        "src/salespulse/semantic/measures.yml.",
        f"table {quote(MEASURE_TABLE)}",
        f"{T}lineageTag: {lineage_tag(MEASURE_TABLE)}",
        "",
    ]
    for measure in measures:
        lines += _measure(model, measure)
    lines += [
        f"{T}column Value",
        f"{T * 2}dataType: string",
        f"{T * 2}isHidden",
        f"{T * 2}lineageTag: {lineage_tag(MEASURE_TABLE, 'column', 'Value')}",
        f"{T * 2}summarizeBy: none",
        f"{T * 2}sourceColumn: Value",
        "",
        f"{T * 2}annotation SummarizationSetBy = Automatic",
        "",
        f"{T}partition {quote(MEASURE_TABLE)} = m",
        f"{T * 2}mode: import",
        f"{T * 2}source = #table(type table [Value = text], {{}})",
        "",
        f"{T}annotation PBI_ResultType = Table",
        "",
    ]
    return "\n".join(lines)


# RangeStart / RangeEnd: the Service sets them for each incremental-refresh partition it refreshes,
# so their defaults only matter where nothing replaces them: Power BI Desktop and a .pbit template,
# which filter Order Lines with the defaults as they are. A window no order date can fall outside
# (1 January 1900 up to the last day M's dates allow) loads the whole history, whatever the
# warehouse's as-of date, history window and budget years are; a year of the data written here
# would go stale with the next delivery (and cut the history in Desktop without a word).
RANGE_START_DEFAULT = "#datetime(1900, 1, 1, 0, 0, 0)"
RANGE_END_DEFAULT = "#datetime(9999, 12, 31, 0, 0, 0)"

# Parameters: Desktop shows them under Transform data > Edit parameters; the README explains them.
PARAMETERS: tuple[tuple[str, str, str, str], ...] = (
    (
        "WarehouseSource",
        '"PostgreSQL"',
        'List={"PostgreSQL", "Parquet"}, DefaultValue="PostgreSQL", Type="Text"',
        "Where the reporting views are read from: PostgreSQL (the shared warehouse) or Parquet "
        "(files written by `salespulse export-parquet`).",
    ),
    ("Server", '"localhost"', 'Type="Text"', "PostgreSQL host (and :port when not 5432)."),
    ("Database", '"salespulse"', 'Type="Text"', "PostgreSQL database that holds the reporting schema."),
    ("ReportingSchema", '"reporting"', 'Type="Text"', "Schema of the reporting views."),
    (
        "ParquetFolder",
        '""',
        'Type="Text"',
        "Folder with the .parquet files of `salespulse export-parquet`, ending with a backslash.",
    ),
    (
        "RangeStart",
        RANGE_START_DEFAULT,
        'Type="DateTime"',
        "Incremental refresh: start of the partition being refreshed (set by the Service per "
        "partition). The default loads every order line in Desktop and from a template.",
    ),
    (
        "RangeEnd",
        RANGE_END_DEFAULT,
        'Type="DateTime"',
        "Incremental refresh: end of the partition being refreshed, exclusive (set by the Service per "
        "partition). The default loads every order line in Desktop and from a template.",
    ),
)

REPORTING_VIEW_FUNCTION = """(view as text) as table =>
let
    FromPostgreSQL = () =>
        PostgreSQL.Database(Server, Database){[Schema = ReportingSchema, Item = view]}[Data],
    FromParquet = () => Parquet.Document(File.Contents(ParquetFolder & view & ".parquet")),
    Result = if WarehouseSource = "Parquet" then FromParquet() else FromPostgreSQL()
in
    Result"""


def render_expressions() -> str:
    lines: list[str] = []
    for name, value, meta, description in PARAMETERS:
        required = "false" if name == "ParquetFolder" else "true"
        lines += [
            f"/// {description}",
            f"expression {name} = {value} meta "
            f"[IsParameterQuery=true, {meta}, IsParameterQueryRequired={required}]",
            f"{T}lineageTag: {lineage_tag('expression', name)}",
            f"{T}queryGroup: {PARAMETER_GROUP}",
            "",
            f"{T}annotation PBI_ResultType = " + ("DateTime" if "DateTime" in meta else "Text"),
            "",
        ]
    lines += [
        "/// Reads one reporting view from the source WarehouseSource names. "
        "Every table's partition calls it.",
        "expression ReportingView =",
        *_expression(REPORTING_VIEW_FUNCTION, T * 2),
        f"{T}lineageTag: {lineage_tag('expression', 'ReportingView')}",
        f"{T}queryGroup: {PARAMETER_GROUP}",
        "",
        f"{T}annotation PBI_ResultType = Function",
        "",
    ]
    return "\n".join(lines)


def render_relationships(model: SemanticModel) -> str:
    lines: list[str] = []
    for relationship in model.relationships:
        lines += [
            f"relationship {lineage_tag('relationship', relationship.name)}",
            f"{T}fromColumn: {quote(relationship.from_table)}.{quote(relationship.from_column)}",
            f"{T}toColumn: {quote(relationship.to_table)}.{quote(relationship.to_column)}",
            "",
        ]
    return "\n".join(lines)


def render_role(role: Role) -> str:
    lines = [*_description(role.description, ""), f"role {quote(role.name)}", f"{T}modelPermission: read", ""]
    for table, expression in role.filters.items():
        lines += [f"{T}tablePermission {quote(table)} = {' '.join(expression.split())}", ""]
    return "\n".join(lines)


def render_model(model: SemanticModel) -> str:
    order = [name for name, *_ in PARAMETERS] + ["ReportingView"]
    table_names = [table.name for table in model.tables] + [MEASURE_TABLE]
    lines = [
        "model Model",
        f"{T}culture: en-US",
        f"{T}defaultPowerBIDataSourceVersion: powerBI_V3",
        f"{T}discourageImplicitMeasures",
        f"{T}sourceQueryCulture: en-US",
        f"{T}dataAccessOptions",
        f"{T * 2}legacyRedirects",
        f"{T * 2}returnErrorValuesAsNull",
        "",
        f"queryGroup {PARAMETER_GROUP}",
        "",
        f"{T}annotation PBI_QueryGroupOrder = 0",
        "",
        "annotation __PBI_TimeIntelligenceEnabled = 0",
        "",
        f"annotation PBI_QueryOrder = {json.dumps(order + table_names, separators=(',', ':'))}",
        "",
        'annotation PBI_ProTooling = ["DevMode"]',
        "",
    ]
    lines += [f"ref table {quote(name)}" for name in table_names]
    lines += [""]
    lines += [f"ref role {quote(role.name)}" for role in model.roles]
    lines += ["", "ref cultureInfo en-US", ""]
    return "\n".join(lines)


def render_semantic_model(
    model: SemanticModel | None = None, measures: tuple[Measure, ...] | None = None
) -> dict[str, str]:
    """Every file of the semantic model folder: relative path -> text."""
    model = model or load_model()
    measures = measures or load_measures()
    files: dict[str, str] = {
        "definition.pbism": json.dumps({"$schema": PBISM_SCHEMA, "version": "4.2", "settings": {}}, indent=2)
        + "\n",
        ".platform": json.dumps(
            {
                "$schema": PLATFORM_SCHEMA,
                "metadata": {"type": "SemanticModel", "displayName": PROJECT_NAME},
                "config": {"version": "2.0", "logicalId": lineage_tag("platform", "SemanticModel")},
            },
            indent=2,
        )
        + "\n",
        "definition/database.tmdl": "database\n\tcompatibilityLevel: 1567\n",
        "definition/model.tmdl": render_model(model),
        "definition/expressions.tmdl": render_expressions(),
        "definition/relationships.tmdl": render_relationships(model),
        "definition/cultures/en-US.tmdl": "cultureInfo en-US\n",
        f"definition/tables/{MEASURE_TABLE}.tmdl": render_measure_table(model, measures),
    }
    for table in model.tables:
        files[f"definition/tables/{table.name}.tmdl"] = render_table(table)
    for role in model.roles:
        files[f"definition/roles/{role.name}.tmdl"] = render_role(role)
    return files


def write_semantic_model(folder: Path) -> list[Path]:
    written = []
    for relative, text in render_semantic_model().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
