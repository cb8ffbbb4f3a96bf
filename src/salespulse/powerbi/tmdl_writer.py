"""Render the semantic model folder (``powerbi/SalesPulse.SemanticModel``) as Desktop saves it.

TMDL: tab indentation, ``///`` descriptions, expressions two levels deeper than their object,
stable ``lineageTag`` GUIDs (uuid5 of the object's path, so the same model gives the same bytes).
"""

from __future__ import annotations

import json
import uuid

from salespulse.currency import SYMBOL_PLACEHOLDER, with_currency
from salespulse.powerbi import PROJECT_NAME
from salespulse.semantic import Column, Measure, Role, SemanticModel, Table, load_measures, load_model
from salespulse.semantic.measures import MEASURE_TABLE, dax
from salespulse.semantic.model import RowRule

IGNORE_RULES_ANNOTATION = "BestPracticeAnalyzer_IgnoreRules"
NAMESPACE = uuid.UUID("6f1c1b7e-3f0a-4c5e-9a57-5a1e5b0c2d11")
T = "\t"
#: 1601: the first level with dynamic format strings (the money measures' currency symbol).
COMPATIBILITY_LEVEL = 1601
#: The one-row table of build settings and the column the money measures' format strings read.
SETTINGS_TABLE = "Settings"
CURRENCY_SYMBOL_COLUMN = "Currency Symbol"
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
    "timestamp": "dateTime",
    "boolean": "boolean",
}

#: The Power Query type each TMDL data type is loaded as (``Table.TransformColumnTypes``): fixed
#: decimal is Currency.Type; a date column stays a date (``type date``), a timestamp a datetime.
M_TYPES = {
    "string": "type text",
    "int64": "Int64.Type",
    "decimal": "Currency.Type",
    "double": "type number",
    "boolean": "type logical",
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


#: Format of a double column by the end of its view column's name: shares and ratios as percentages
#: (an uplift of 1.4 = 140 %), day counts and expected counts with one decimal, growth factors with
#: two, coordinates with six (a map's precision); anything else with two decimals.
_DOUBLE_FORMATS = (
    (("_ratio", "_uplift"), "0.0%"),  # (a _pct column is a percentage whatever its type)
    (("_days", "_orders"), "#,0.0"),
    (("_factor",), "0.00"),
    (("latitude", "longitude"), "0.000000"),
)


def is_date(column: Column) -> bool:
    """A date without time of day (``date``), as opposed to a timestamp."""
    return column.sql_type == "date"


def m_type(column: Column) -> str:
    """The Power Query type the partition gives the column: the same as its TMDL data type."""
    kind = data_type(column)
    if kind == "dateTime":
        return "type date" if is_date(column) else "type datetime"
    return M_TYPES[kind]


def format_string(column: Column) -> str | None:
    kind = data_type(column)
    if column.source.endswith("_pct"):  # a fraction, whatever its type (0.15 = 15 %)
        return "0.0%"
    if kind == "decimal":
        return "#,0.00"
    if kind == "double":
        return next((f for ends, f in _DOUBLE_FORMATS if column.source.endswith(ends)), "#,0.00")
    if kind == "int64":
        return "0"
    if kind == "dateTime":
        return "yyyy-mm-dd" if is_date(column) else "yyyy-mm-dd hh:nn:ss"
    return None


def _description(text: str, indent: str) -> list[str]:
    return [f"{indent}/// {line}" for line in text.splitlines() if line.strip()] if text else []


def _expression(text: str, indent: str) -> list[str]:
    return [f"{indent}{line}" if line else "" for line in text.splitlines()]


def _column(table: Table, column: Column) -> list[str]:
    lines = [*_description(column.description, T), f"{T}column {quote(column.name)}"]
    lines.append(f"{T * 2}dataType: {data_type(column)}")
    # isKey makes the engine require unique values across the whole table; an incrementally
    # refreshed table is loaded partition by partition, so it is never marked (BPA rule).
    if column.is_key and table.incremental_refresh is None:
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
    if column.ignore_rules:
        # Tabular Editor's Best Practice Analyzer reads waived rules from this annotation
        waived = json.dumps({"RuleIDs": list(column.ignore_rules)}, separators=(",", ":"))
        lines += ["", f"{T * 2}annotation {IGNORE_RULES_ANNOTATION} = {waived}"]
    if is_date(column):
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


def _source_step(table: Table) -> str:
    """``Source =``: the table's own view, named literally for both sources.

    Both paths are static (parameters and a literal name, nothing built from a function argument):
    the Service finds a query's data sources by reading its M before it runs it, and refuses to
    refresh a source whose path only a function call can compute (a dynamic data source).
    """
    view = table.view
    postgres = f'PostgreSQL.Database(Server, Database){{[Schema = ReportingSchema, Item = "{view}"]}}[Data]'
    return (
        "    Source =\n"
        '        if WarehouseSource = "Parquet" then\n'
        f'            Parquet.Document(File.Contents(ParquetFolder & "{view}.parquet"))\n'
        "        else\n"
        f"            {postgres}"
    )


def _range_filter(table: Table, step: str) -> str:
    column = table.incremental_refresh.date_column  # type: ignore[union-attr]
    return (
        f'    #"Filtered Rows" = Table.SelectRows({step}, each [{column}] >= Date.From(RangeStart)'
        f" and [{column}] < Date.From(RangeEnd))"
    )


def partition_source(table: Table) -> str:
    """The M of a table's partition: its view (PostgreSQL or Parquet, as WarehouseSource says), the
    incremental-refresh range, the model's columns typed as the TMDL columns are (the two sources
    type some columns differently: Parquet's decimals and dates are not PostgreSQL's)."""
    steps = [_source_step(table)]
    last = "Source"
    if table.incremental_refresh is not None:
        steps.append(_range_filter(table, last))
        last = '#"Filtered Rows"'
    names = ", ".join(f'"{column.source}"' for column in table.columns)
    steps.append(f"    Columns = Table.SelectColumns({last}, {{{names}}})")
    types = ",\n".join(f'            {{"{column.source}", {m_type(column)}}}' for column in table.columns)
    steps.append(
        f"    Typed = Table.TransformColumnTypes(\n        Columns,\n        {{\n{types}\n        }}\n    )"
    )
    return "let\n" + ",\n".join(steps) + "\nin\n    Typed"


def polling_source(table: Table) -> str | None:
    """The refresh policy's pollingExpression: the latest change of a partition's rows (the Service
    re-imports a partition of the incremental range only when it differs from the last refresh's)."""
    policy = table.incremental_refresh
    if policy is None or policy.polling_column is None:
        return None
    column = table.column(policy.polling_column).source
    steps = [_source_step(table), _range_filter(table, "Source")]
    steps.append(f'    LastModified = List.Max(#"Filtered Rows"[{column}])')
    return "let\n" + ",\n".join(steps) + "\nin\n    LastModified"


def _refresh_policy(table: Table) -> list[str]:
    policy = table.incremental_refresh
    if policy is None:
        return []
    lines = [
        f"{T}refreshPolicy",
        f"{T * 2}policyType: basic",
        f"{T * 2}rollingWindowGranularity: year",
        f"{T * 2}rollingWindowPeriods: {policy.rolling_window_years}",
        f"{T * 2}incrementalGranularity: month",
        f"{T * 2}incrementalPeriods: {policy.incremental_months}",
    ]
    polling = polling_source(table)
    if polling is not None:
        lines += [f"{T * 2}pollingExpression =", *_expression(polling, T * 4), ""]
    return [*lines, f"{T * 2}sourceExpression =", *_expression(partition_source(table), T * 4), ""]


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
    static = f"{T * 2}formatString: " + ('"' + fmt.replace('"', '""') + '"' if needs_quotes else fmt)
    lines += [
        *([] if measure.is_currency else [static]),
        f"{T * 2}displayFolder: {measure.folder}",
        *([f"{T * 2}isHidden"] if measure.spec.get("hidden") else []),
        f"{T * 2}lineageTag: {lineage_tag(MEASURE_TABLE, 'measure', measure.name)}",
        "",
    ]
    if measure.is_currency:
        # one line, after a blank line, as Desktop writes a dynamic format string
        lines += [f"{T * 2}formatStringDefinition = {currency_format_dax(fmt)}", ""]
    return lines


def currency_format_dax(fmt: str) -> str:
    """The DAX of an amount's dynamic format string: ``fmt`` with the reporting currency's symbol
    (``Settings[Currency Symbol]``, from ``reporting.settings``) as a quoted literal before the
    digits of each section, so one committed model shows whatever currency the warehouse has."""
    pattern = with_currency(fmt).replace('"', '""')
    symbol = f"SELECTEDVALUE({quote(SETTINGS_TABLE)}[{CURRENCY_SYMBOL_COLUMN}])"
    return f'SUBSTITUTE("{pattern}", "{SYMBOL_PLACEHOLDER}", """" & {symbol} & """")'


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
    return "\n".join(lines)


def render_relationships(model: SemanticModel) -> str:
    lines: list[str] = []
    for relationship in (*model.relationships, *model.inactive_relationships):
        lines.append(f"relationship {lineage_tag('relationship', relationship.name)}")
        if not relationship.is_active:
            lines.append(f"{T}isActive: false")
        lines += [
            f"{T}fromColumn: {quote(relationship.from_table)}.{quote(relationship.from_column)}",
            f"{T}toColumn: {quote(relationship.to_table)}.{quote(relationship.to_column)}",
            "",
        ]
    return "\n".join(lines)


def _dax_column(model: SemanticModel, table: str, source: str) -> str:
    """``'Table'[Column]`` of a view column, by the names users see."""
    name = model.table(table).column(source).name
    return f"'{table.replace(chr(39), chr(39) * 2)}'[{name}]"


def rule_filter(rule: RowRule, model: SemanticModel) -> str:
    """The DAX row filter of one model.yml rule: the column equals the signed-in user's value,
    looked up on the user table by e-mail (the e-mail itself is ``USERPRINCIPALNAME ()``)."""
    user = model.user
    assert user is not None, "model.yml declares no user table"
    me = "USERPRINCIPALNAME ()"
    value = (
        me
        if rule.user == user.identity
        else f"LOOKUPVALUE ( {_dax_column(model, user.table, rule.user)}, "
        f"{_dax_column(model, user.table, user.identity)}, {me} )"
    )
    column = _dax_column(model, rule.table, rule.column)
    condition = f"{column} = {value}"
    return f'{column} <> "" && {condition}' if rule.not_blank else condition


def render_role(role: Role, model: SemanticModel | None = None) -> str:
    model = model or load_model()
    lines = [*_description(role.description, ""), f"role {quote(role.name)}", f"{T}modelPermission: read", ""]
    for rule in role.rules:
        lines += [f"{T}tablePermission {quote(rule.table)} = {rule_filter(rule, model)}", ""]
    return "\n".join(lines)


def render_model(model: SemanticModel) -> str:
    order = [name for name, *_ in PARAMETERS]
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
        "definition/database.tmdl": f"database\n\tcompatibilityLevel: {COMPATIBILITY_LEVEL}\n",
        "definition/model.tmdl": render_model(model),
        "definition/expressions.tmdl": render_expressions(),
        "definition/relationships.tmdl": render_relationships(model),
        "definition/cultures/en-US.tmdl": "cultureInfo en-US\n",
        f"definition/tables/{MEASURE_TABLE}.tmdl": render_measure_table(model, measures),
    }
    for table in model.tables:
        files[f"definition/tables/{table.name}.tmdl"] = render_table(table)
    for role in model.roles:
        files[f"definition/roles/{role.name}.tmdl"] = render_role(role, model)
    return files
