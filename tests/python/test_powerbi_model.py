"""The Power BI semantic model (TMDL) proved by every check that runs without Power BI Desktop.

The committed model passes them all, against the demo warehouse's reporting views too; then each
rule is shown to catch its defect: a copy of the model with exactly one thing broken.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from salespulse.errors import Problem
from salespulse.powerbi.checks import (
    ViewColumns,
    check_bpa,
    check_dax,
    check_model_spec,
    check_security,
    check_semantic_model,
    check_structure,
    warehouse_columns,
)
from salespulse.powerbi.checks.dax_tokens import DaxSyntaxError, parse_dax, references
from salespulse.powerbi.checks.security import role_reach
from salespulse.powerbi.checks.warehouse import compatible, views_read
from salespulse.powerbi.tmdl import TmdlError, parse_semantic_model, parse_tmdl
from salespulse.semantic import load_measures, load_model
from salespulse.semantic.measures import dax
from salespulse.settings import PROJECT_ROOT
from salespulse.warehouse import Warehouse, connect

MODEL = PROJECT_ROOT / "powerbi" / "SalesPulse.SemanticModel"
ORDER_LINES = "definition/tables/Order Lines.tmdl"
MEASURES = "definition/tables/Key Measures.tmdl"
DATE = "definition/tables/Date.tmdl"
CUSTOMER = "definition/tables/Customer.tmdl"
RELATIONSHIPS = "definition/relationships.tmdl"
FIRST_RELATIONSHIP = "\tfromColumn: 'Order Lines'.'Order Date Key'\n"


@pytest.fixture(scope="module")
def reporting_columns(demo_duckdb: dict[str, str]) -> ViewColumns:
    """The reporting views of the session's demo DuckDB warehouse: {view: {column: type}}."""
    with connect("duckdb", {**os.environ, **demo_duckdb}) as warehouse:
        return warehouse_columns(warehouse)


# "The demo is not the world": the demo company from 2024 to a mid-month as-of date two years
# later, its budget for the year before the as-of year (set through SALESPULSE_BUDGET_YEAR, the way
# a user sets it; the as-of date is the last order date loaded).
OTHER_START, OTHER_AS_OF, OTHER_BUDGET_YEAR = date(2024, 1, 1), date(2026, 1, 15), 2025


@pytest.fixture(scope="module")
def other_year_duckdb(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from salespulse.generator import generate
    from warehouse_build import build_warehouse

    delivery = tmp_path_factory.mktemp("other-year")
    generate(
        delivery, order_lines=20_000, start=OTHER_START, as_of=OTHER_AS_OF, budget_year=OTHER_BUDGET_YEAR
    )
    work = tmp_path_factory.mktemp("other-year-duckdb")
    env = {
        "SALESPULSE_DUCKDB_PATH": str(work / "other.duckdb"),
        "SALESPULSE_BUDGET_YEAR": str(OTHER_BUDGET_YEAR),
    }
    return build_warehouse(delivery, work, "duckdb", env)


@pytest.fixture(scope="module")
def other_year_duck(other_year_duckdb: dict[str, str]) -> Iterator[Warehouse]:
    with connect("duckdb", {**os.environ, **other_year_duckdb}) as warehouse:
        yield warehouse


@pytest.fixture(params=["demo_duck", "other_year_duck"])
def built(request: pytest.FixtureRequest) -> Warehouse:
    """Each measure-agreement test runs on the demo and on the other-year warehouse."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A copy of the committed semantic model folder to break."""
    return Path(shutil.copytree(MODEL, tmp_path / MODEL.name))


def edit(folder: Path, file: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` (which must occur exactly ``count`` times) in one file of the model."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def reported(problems: list[Problem], file: str, *fragments: str) -> list[Problem]:
    """The problems naming ``file`` whose message has every fragment; fails when there is none."""
    found = [p for p in problems if p.file == file and all(f in p.message for f in fragments)]
    assert found, f"no problem in {file} with {fragments}; got:\n" + "\n".join(map(str, problems))
    return found


# ---------------------------------------------------------------------------------------------
# The committed model


def test_committed_model_passes_every_offline_check() -> None:
    assert [str(p) for p in check_semantic_model(MODEL)] == []


@pytest.mark.slow
def test_committed_model_reads_the_warehouse_reporting_views(reporting_columns: ViewColumns) -> None:
    assert "sales" in reporting_columns and "dates" in reporting_columns
    assert [str(p) for p in check_semantic_model(MODEL, reporting_columns)] == []


@pytest.mark.slow
def test_committed_model_reads_a_warehouse_of_other_years_with_a_mid_month_as_of_date(
    other_year_duck: Warehouse,
) -> None:
    """The model (and the budget-year bookmark's Date[Is Budget Year], the cards' Date[Is In
    History]) fits a warehouse built for other years: the flags carry that warehouse's years."""
    assert [str(p) for p in check_semantic_model(MODEL, warehouse_columns(other_year_duck))] == []
    ((first, last, budget_first, budget_last),) = other_year_duck.query(
        "select min(date_day) filter (where is_in_history), max(date_day) filter (where is_in_history),"
        " min(date_day) filter (where is_budget_year), max(date_day) filter (where is_budget_year)"
        " from reporting.dates"
    )
    assert (first, last) == (OTHER_START, OTHER_AS_OF)
    assert (budget_first, budget_last) == (date(OTHER_BUDGET_YEAR, 1, 1), date(OTHER_BUDGET_YEAR, 12, 31))


def test_committed_model_is_read_completely() -> None:
    model = parse_semantic_model(MODEL)
    assert model.annotations["__PBI_TimeIntelligenceEnabled"] == "0"
    assert {ref.name for ref in model.refs if ref.type == "table"} == {table.name for table in model.tables}
    sales = model.measure("Sales")
    assert sales is not None and sales.table == "Key Measures" and sales.display_folder == "Sales"
    # an amount: the signed pattern with the currency placeholder the Settings symbol replaces
    assert '"¤#,0;-¤#,0;¤0"' in model.measure("Variance").format_string_expression  # type: ignore[union-attr,operator]
    budget = model.measure("Budget")
    assert budget is not None and "[Budget At Grain]" in budget.expression and "RETURN" in budget.expression
    grain = model.measure("Budget At Grain")
    assert grain is not None and grain.is_hidden and grain.expression.startswith("VAR _grain")
    order_lines = model.table("Order Lines")
    assert order_lines is not None and order_lines.refresh_policy is not None
    source = order_lines.refresh_policy.source_expression or ""
    assert 'Item = "sales"' in source and 'ParquetFolder & "sales.parquet"' in source
    assert [level.column for level in model.table("Date").hierarchies[0].levels] == [  # type: ignore[union-attr]
        "Year",
        "Quarter",
        "Month",
        "Date",
    ]
    inactive = {(r.from_column, r.to_table) for r in model.relationships if not r.is_active}
    assert len(model.relationships) == 27 and inactive == {
        ("Ship Date Key", "Date"),
        ("Due Date Key", "Date"),
    }
    assert {role.name for role in model.roles} == {"Sales Rep", "Regional Lead", "Manager"}
    # no shared M function: every partition names its own source (a static data source)
    assert model.expression("ReportingView") is None
    assert not [expression.name for expression in model.expressions if expression.is_function]


# ---------------------------------------------------------------------------------------------
# warehouse: views and columns


@pytest.mark.slow
def test_renamed_source_column_is_reported(model: Path, reporting_columns: ViewColumns) -> None:
    edit(model, ORDER_LINES, "sourceColumn: net_sales_amount\n", "sourceColumn: net_sales_amt\n")
    reported(
        check_semantic_model(model, reporting_columns), ORDER_LINES, "'net_sales_amt'", "reporting.sales"
    )


@pytest.mark.slow
def test_wrong_view_name_is_reported(model: Path, reporting_columns: ViewColumns) -> None:
    edit(model, "definition/tables/Customer.tmdl", 'Item = "customers"', 'Item = "customer"')
    reported(check_semantic_model(model, reporting_columns), "definition/tables/Customer.tmdl", "'customer'")


@pytest.mark.slow
def test_column_type_that_does_not_match_the_view_is_reported(
    model: Path, reporting_columns: ViewColumns
) -> None:
    edit(
        model,
        ORDER_LINES,
        "\tcolumn 'Order Number'\n\t\tdataType: string\n",
        "\tcolumn 'Order Number'\n\t\tdataType: int64\n",
    )
    reported(check_semantic_model(model, reporting_columns), ORDER_LINES, "int64", "order_number")


@pytest.mark.slow
def test_incremental_refresh_filter_on_a_missing_column_is_reported(
    model: Path, reporting_columns: ViewColumns
) -> None:
    edit(model, ORDER_LINES, "each [order_date] >=", "each [order_day] >=", count=3)
    reported(check_semantic_model(model, reporting_columns), ORDER_LINES, "[order_day]")


def test_view_names_are_found_in_every_m_form() -> None:
    assert views_read('let Source = ReportingView("sales") in Source', ["ReportingView"]) == ["sales"]
    navigation = 'PostgreSQL.Database("h", "d"){[Schema = "reporting", Item = "budget"]}[Data]'
    assert views_read(navigation, []) == ["budget"]
    assert views_read('Parquet.Document(File.Contents(Folder & "dates.parquet"))', []) == ["dates"]
    assert views_read('Value.NativeQuery(Db, "select * from reporting.campaigns")', []) == ["campaigns"]


@pytest.mark.parametrize(
    ("data_type", "sql_type", "ok"),
    [
        ("int64", "bigint", True),
        ("int64", "integer", True),
        ("decimal", "numeric(18,4)", True),
        ("decimal", "decimal(18,4)", True),
        ("decimal", "numeric(18,6)", False),
        ("double", "numeric(9,6)", True),
        ("double", "double", True),
        ("string", "text", True),
        ("string", "varchar", True),
        ("dateTime", "date", True),
        ("dateTime", "timestamp with time zone", True),
        ("boolean", "boolean", True),
        ("int64", "text", False),
        ("string", "bigint", False),
    ],
)
def test_type_compatibility(data_type: str, sql_type: str, ok: bool) -> None:
    assert compatible(data_type, sql_type) is ok


# ---------------------------------------------------------------------------------------------
# dax: syntax and references


def test_dax_syntax_error_is_reported_with_its_line(model: Path) -> None:
    edit(
        model,
        MEASURES,
        "measure Sales = SUM ( 'Order Lines'[Net Sales Amount] )\n",
        "measure Sales = SUM ( 'Order Lines'[Net Sales Amount]\n",
    )
    problems = reported(check_semantic_model(model), MEASURES, "measure [Sales]", "DAX syntax error")
    line = (model / MEASURES).read_text(encoding="utf-8").splitlines().index(
        "\tmeasure Sales = SUM ( 'Order Lines'[Net Sales Amount]"
    ) + 1
    assert problems[0].line == line


def test_dax_syntax_error_in_a_multi_line_measure_names_the_line(model: Path) -> None:
    line_text = "\t\t\tVAR _product_filtered = ISCROSSFILTERED ( 'Product' )"
    path = model / MEASURES
    text = path.read_text(encoding="utf-8")
    assert text.count(line_text + "\n") == 2  # Budget, then Budget To Date
    path.write_text(text.replace(line_text + "\n", line_text + " )\n", 1), encoding="utf-8")
    problems = reported(
        check_dax(parse_semantic_model(model)), MEASURES, "measure [Budget]", "DAX syntax error"
    )
    assert problems[0].line == text.splitlines().index(line_text) + 1


def test_row_level_security_filter_on_a_missing_column_is_reported(model: Path) -> None:
    role = "definition/roles/Sales Rep.tmdl"
    edit(
        model,
        role,
        "tablePermission 'Sales Rep' = 'Sales Rep'[Email]",
        "tablePermission 'Sales Rep' = 'Sales Rep'[E-mail]",
    )
    reported(check_semantic_model(model), role, "role 'Sales Rep'", "'Sales Rep'[E-mail] does not exist")


@pytest.mark.parametrize(
    "expression",
    [
        "IF ( NOT ISBLANK ( [A] ), [B] - [A] )",
        "FILTER ( ALL ( 'T'[c] ), NOT _f || 'T'[c] IN _values )",
        "NOT NOT [A] && [B]",
        "VAR Variance = 1\nVAR ReturnValue = Variance + 1\nRETURN\n    ReturnValue",
        "VAR.S ( 'T'[x] ) + PERCENTILE.INC ( 'T'[x], .5 )",
        "COUNTROWS ( 'O''Brien' ) + SUM ( 'T'[Price]]s] )",
        "'T'[c] IN\n{ 1, 2 }",
        "{ ( \"Category\", NAMEOF ( 'T'[c] ), 0 ), ( \"Size\", NAMEOF ( 'T'[s] ), 1 ) }",
        'SWITCH ( TRUE (), [A] > 1, "big", [A] < 0, "negative", BLANK () )',
        "RANKX ( ALL ( 'T'[c] ), [M], , DESC, Dense ) // rank\n/* done */",
        "DATEADD ( 'Date'[Date], -1, YEAR )",
        "'Date'[Date].[Year]",
    ],
)
def test_valid_dax_parses(expression: str) -> None:
    assert parse_dax(expression)


def test_variables_and_keywords_are_not_taken_for_tables() -> None:
    tokens = parse_dax("VAR Variance = 1\nVAR _x = Variance + 1\nRETURN\n    DATEADD ( 'D'[Date], _x, YEAR )")
    assert [(ref.kind, ref.table, ref.name) for ref in references(tokens)] == [("column", "D", "Date")]


@pytest.mark.parametrize(
    "expression",
    [
        "SUM ( 'T'[x] ",
        "SUM ( 'T'[x] ) )",
        "1 +",
        "VAR x = 1",
        "",
        "CALCULATE ( [M], 'T'[x] = )",
    ],
)
def test_dax_syntax_errors_are_caught(expression: str) -> None:
    with pytest.raises(DaxSyntaxError):
        parse_dax(expression)


# ---------------------------------------------------------------------------------------------
# bpa: best-practice rules


def test_division_sign_in_strings_and_comments_is_not_reported(model: Path) -> None:
    edit(
        model,
        MEASURES,
        "DIVIDE ( [Margin], [Sales] )",
        'DIVIDE ( [Margin], [Sales] ) /* a / b */ -- x / y\n\t\t\t& ""',
    )
    assert not [p for p in check_bpa(parse_semantic_model(model)) if "'/'" in p.message]


def test_inactive_relationship_a_measure_activates_is_accepted(model: Path) -> None:
    edit(model, RELATIONSHIPS, FIRST_RELATIONSHIP, "\tisActive: false\n" + FIRST_RELATIONSHIP)
    edit(
        model,
        MEASURES,
        "measure Units = SUM ( 'Order Lines'[Sales Quantity] )",
        "measure Units = CALCULATE ( SUM ( 'Order Lines'[Sales Quantity] ), "
        "USERELATIONSHIP ( 'Order Lines'[Order Date Key], 'Date'[Date Key] ) )",
    )
    assert not [p for p in check_bpa(parse_semantic_model(model)) if "inactive" in p.message]


def test_ambiguous_filter_paths_are_reported(model: Path) -> None:
    path = model / RELATIONSHIPS
    path.write_text(
        path.read_text(encoding="utf-8") + "\nrelationship 5d7c0e0a-0000-4000-8000-000000000001\n"
        "\tfromColumn: Customer.'Territory Key'\n"
        "\ttoColumn: Territory.'Territory Key'\n",
        encoding="utf-8",
    )
    problems = check_semantic_model(model)
    reported(problems, RELATIONSHIPS, "filters on 'Territory' reach 'Order Lines' by more than one path")
    assert all("more than one path" in p.message for p in problems)


# ---------------------------------------------------------------------------------------------
# structure


def test_ref_to_a_missing_table_is_reported(model: Path) -> None:
    (model / "definition/tables/Campaign.tmdl").unlink()
    problems = check_semantic_model(model)
    reported(problems, "definition/model.tmdl", "ref table 'Campaign'")
    reported(problems, RELATIONSHIPS, "'Campaign'[Campaign Key], which does not exist")


def test_sort_by_a_missing_column_is_reported(model: Path) -> None:
    edit(model, DATE, "\t\tsortByColumn: 'Quarter Number'\n", "\t\tsortByColumn: 'Quarter No'\n")
    reported(check_structure(parse_semantic_model(model)), DATE, "sorted by [Quarter No]")


# ---------------------------------------------------------------------------------------------
# secrets


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "definition/expressions.tmdl",
            'expression ParquetFolder = ""',
            'expression ParquetFolder = "C:\\Users\\anna\\salespulse\\"',
            "absolute local path",
        ),
        (
            "definition/tables/Customer.tmdl",
            "PostgreSQL.Database(Server, Database)",
            'PostgreSQL.Database(Server, Database, [Password="hunter2"])',
            "credential",
        ),
        ("definition.pbism", '"settings": {}', '"settings": {"password": "hunter2"}', "credential"),
        (
            ORDER_LINES,
            'Parquet.Document(File.Contents(ParquetFolder & "sales.parquet"))',
            'Csv.Document(File.Contents("/home/anna/sales.csv"))',
            "absolute local path",
        ),
    ],
    ids=["windows-path", "m-password", "json-password", "unix-path"],
)
def test_local_paths_and_credentials_are_reported(
    model: Path, file: str, old: str, new: str, message: str
) -> None:
    count = 3 if file == ORDER_LINES else 1  # Order Lines: partition, refresh policy, polling
    edit(model, file, old, new, count=count)
    problems = reported(check_semantic_model(model), file, message)
    assert "hunter2" not in str(problems)


# ---------------------------------------------------------------------------------------------
# model_spec: the TMDL says what measures.yml says


def test_measure_whose_dax_differs_from_measures_yml_is_reported(model: Path) -> None:
    edit(model, MEASURES, "SUM ( 'Order Lines'[Sales Quantity] )", "SUM ( 'Order Lines'[Ordered Quantity] )")
    problems = check_semantic_model(model)
    reported(problems, MEASURES, "measure [Units]", "DAX differs")
    assert all("measure [Units]" in p.message for p in problems)


def test_whitespace_in_measure_dax_does_not_count(model: Path) -> None:
    edit(
        model,
        MEASURES,
        "measure Units = SUM ( 'Order Lines'[Sales Quantity] )",
        "measure Units =\n\t\t\tSUM (\n\t\t\t    'Order Lines'[Sales Quantity]\n\t\t\t)",
    )
    assert check_model_spec(parse_semantic_model(model)) == []


def test_measures_missing_from_or_unknown_to_measures_yml_are_reported(model: Path) -> None:
    edit(model, MEASURES, "measure Units = ", "measure 'Units Sold' = ")
    problems = check_semantic_model(model)
    reported(
        problems, MEASURES, "measure [Units] of src/salespulse/semantic/measures.yml is not in the model"
    )
    reported(problems, MEASURES, "measure [Units Sold] is not defined in")


def test_measure_metadata_differing_from_measures_yml_is_reported(model: Path) -> None:
    edit(
        model,
        MEASURES,
        "\t\tformatString: 0.0%\n\t\tdisplayFolder: Margin\n",
        "\t\tformatString: 0.00%\n\t\tdisplayFolder: Margin\n",
    )
    reported(check_model_spec(parse_semantic_model(model)), MEASURES, "measure [Margin %]", "formatString")


def test_amounts_take_the_currency_symbol_from_settings(model: Path) -> None:
    """Every amount of measures.yml carries a dynamic format string reading Settings' symbol (and
    no static one); a count does not; the Settings table imports reporting.settings."""
    parsed = parse_semantic_model(model)
    amounts = [m for m in load_measures() if m.is_currency]
    assert {"Sales", "Budget", "Variance", "Average Order Value"} <= {m.name for m in amounts}
    for spec in amounts:
        found = parsed.measure(spec.name)
        assert found is not None and found.format_string is None
        assert "SELECTEDVALUE(Settings[Currency Symbol])" in (found.format_string_expression or "")
    orders = parsed.measure("Orders")
    assert orders is not None and orders.format_string == "#,0" and orders.format_string_expression is None
    settings = parsed.table("Settings")
    source = settings.partitions[0].source if settings else ""
    assert '"settings.parquet"' in (source or "") and 'Item = "settings"' in (source or "")


def test_an_amount_without_its_currency_format_is_reported(model: Path) -> None:
    text = (model / MEASURES).read_text(encoding="utf-8")
    start = text.index("measure Margin = ")
    line = text.index("\t\tformatStringDefinition = ", start)
    end = text.index("\n", line) + 1
    (model / MEASURES).write_text(text[:line] + "\t\tformatString: #,0\n" + text[end:], encoding="utf-8")
    problems = check_model_spec(parse_semantic_model(model))
    reported(problems, MEASURES, "measure [Margin]", "formatStringDefinition")
    reported(problems, MEASURES, "measure [Margin]", "formatString is '#,0'")


# ---------------------------------------------------------------------------------------------
# The TMDL reader on files as Power BI Desktop writes them

DESKTOP_FILES = {
    "definition/database.tmdl": "database\n\tcompatibilityLevel: 1567\n",
    "definition/model.tmdl": (
        "model Model\n"
        "\tculture: en-GB\n"
        "\tdefaultPowerBIDataSourceVersion: powerBI_V3\n"
        "\tdiscourageImplicitMeasures\n"
        "\tdataAccessOptions\n"
        "\t\tlegacyRedirects\n"
        "\t\treturnErrorValuesAsNull\n"
        "\n"
        "annotation __PBI_TimeIntelligenceEnabled = 0\n"
        "\n"
        'annotation PBI_QueryOrder = ["Shop Sales","Calendar"]\n'
        "\n"
        "ref table 'Shop Sales'\n"
        "ref table Calendar\n"
        "ref table 'Time Intelligence'\n"
        "\n"
        "ref cultureInfo en-GB\n"
    ),
    "definition/tables/Shop Sales.tmdl": (
        "/// Receipt lines of the shop.\n"
        "/// One row per line.\n"
        "table 'Shop Sales'\n"
        "\tlineageTag: 1e0c5a52-4c2f-4a57-9b51-0b0c1d2e3f40\n"
        "\n"
        "\t/// Quantity times net price.\n"
        "\tmeasure 'Net Revenue' = SUMX ( 'Shop Sales', [Quantity] * [Net Price] )\n"
        '\t\tformatString: "€ #,0.00;-€ #,0.00;""zero"""\n'
        "\t\tdisplayFolder: Revenue\n"
        "\t\tlineageTag: 2e0c5a52-4c2f-4a57-9b51-0b0c1d2e3f41\n"
        "\n"
        '\t\tannotation PBI_FormatHint = {"currencyCulture":"en-IE"}\n'
        "\n"
        "\t/// Share of O'Brien's revenue.\n"
        "\tmeasure 'O''Brien Share' =\n"
        "\t\t\tVAR __total = CALCULATE ( [Net Revenue], REMOVEFILTERS ( 'Shop Sales' ) )\n"
        "\t\t\tRETURN\n"
        "\t\t\t    DIVIDE ( [Net Revenue], __total )\n"
        "\t\tformatString: 0.0%\n"
        "\t\tdisplayFolder: Revenue\\Shares\n"
        "\n"
        "\t/// Revenue by ship date.\n"
        "\tmeasure 'Shipped Revenue' = ```\n"
        "\t\t\t\n"
        "\t\t\tCALCULATE (\n"
        "\t\t\t    [Net Revenue],\n"
        "\t\t\t\n"
        "\t\t\t    USERELATIONSHIP ( 'Shop Sales'[Ship Date], Calendar[Date] )\n"
        "\t\t\t)\n"
        "\t\t\t```\n"
        "\t\tformatString: #,0\n"
        "\t\tdisplayFolder: Revenue\n"
        "\n"
        "\tcolumn 'Net Price'\n"
        "\t\tdataType: decimal\n"
        "\t\tformatString: \\€#,0.00\n"
        "\t\tsummarizeBy: none\n"
        "\t\tsourceColumn: Net Price\n"
        "\n"
        "\t\tchangedProperty = DataType\n"
        "\n"
        "\t\tannotation SummarizationSetBy = User\n"
        "\n"
        "\tcolumn Quantity\n"
        "\t\tdataType: int64\n"
        "\t\tisKey: false\n"
        "\t\tsummarizeBy: none\n"
        "\t\tsourceColumn: Quantity\n"
        "\n"
        "\tcolumn 'Order Date'\n"
        "\t\tdataType: dateTime\n"
        "\t\tisHidden\n"
        "\t\tsummarizeBy: none\n"
        "\t\tsourceColumn: Order Date\n"
        "\n"
        "\tcolumn 'Ship Date'\n"
        "\t\tdataType: dateTime\n"
        "\t\tisHidden\n"
        "\t\tsummarizeBy: none\n"
        "\t\tsourceColumn: Ship Date\n"
        "\n"
        "\tcolumn 'Line Total' = 'Shop Sales'[Quantity] * 'Shop Sales'[Net Price]\n"
        "\t\tdataType: decimal\n"
        "\t\tisHidden\n"
        "\t\tsummarizeBy: none\n"
        "\t\tisDataTypeInferred\n"
        "\n"
        "\tpartition 'Shop Sales-6b0c1d2e-3f40-4a57-9b51-0b0c1d2e3f42' = m\n"
        "\t\tmode: import\n"
        "\t\tsource =\n"
        "\t\t\t\tlet\n"
        '\t\t\t\t    Source = Csv.Document(File.Contents(ShopFolder & "sales.csv"), [Delimiter = ","]),\n'
        "\t\t\t\t\n"
        '\t\t\t\t    #"Promoted Headers" = Table.TransformColumnTypes(Table.PromoteHeaders(Source), '
        '{{"Net Price", Currency.Type}, {"Quantity", Int64.Type}, {"Order Date", type date}, '
        '{"Ship Date", type date}})\n'
        "\t\t\t\tin\n"
        '\t\t\t\t    #"Promoted Headers"\n'
        "\n"
        "\tannotation PBI_ResultType = Table\n"
    ),
    "definition/tables/Calendar.tmdl": (
        "table Calendar\n"
        "\tdataCategory: Time\n"
        "\n"
        "\tcolumn Date\n"
        "\t\tdataType: dateTime\n"
        "\t\tisKey\n"
        "\t\tsummarizeBy: none\n"
        "\t\tsourceColumn: Date\n"
        "\n"
        "\tcolumn 'Month Name'\n"
        "\t\tdataType: string\n"
        "\t\tsummarizeBy: none\n"
        "\t\tsourceColumn: Month Name\n"
        "\t\tsortByColumn: 'Month No'\n"
        "\n"
        "\tcolumn 'Month No'\n"
        "\t\tdataType: int64\n"
        "\t\tisHidden\n"
        "\t\tsourceColumn: Month No\n"
        "\n"
        "\thierarchy 'Year-Month'\n"
        "\n"
        "\t\tlevel Month\n"
        "\t\t\tcolumn: 'Month Name'\n"
        "\n"
        "\t\tlevel Day\n"
        "\t\t\tcolumn: Date\n"
        "\n"
        "\tpartition Calendar = calculated\n"
        "\t\tmode: import\n"
        "\t\tsource = CALENDAR ( DATE ( 2024, 1, 1 ), DATE ( 2024, 12, 31 ) )\n"
    ),
    "definition/tables/Time Intelligence.tmdl": (
        "table 'Time Intelligence'\n"
        "\n"
        "\tcalculationGroup\n"
        "\t\tprecedence: 1\n"
        "\n"
        "\t\tcalculationItem Current = SELECTEDMEASURE ()\n"
        "\n"
        "\t\tcalculationItem YTD =\n"
        "\t\t\t\tCALCULATE ( SELECTEDMEASURE (), DATESYTD ( Calendar[Date] ) )\n"
        "\n"
        "\tcolumn Period\n"
        "\t\tdataType: string\n"
        "\t\tsummarizeBy: none\n"
        "\t\tsourceColumn: Name\n"
        "\t\tsortByColumn: Ordinal\n"
        "\n"
        "\tcolumn Ordinal\n"
        "\t\tdataType: int64\n"
        "\t\tisHidden\n"
        "\t\tsourceColumn: Ordinal\n"
        "\n"
        "\tpartition 'Time Intelligence' = calculationGroup\n"
    ),
    "definition/relationships.tmdl": (
        "relationship 0b0c1d2e-3f40-4a57-9b51-0b0c1d2e3f43\n"
        "\tfromColumn: 'Shop Sales'.'Order Date'\n"
        "\ttoColumn: Calendar.Date\n"
        "\n"
        "relationship 0b0c1d2e-3f40-4a57-9b51-0b0c1d2e3f44\n"
        "\tisActive: false\n"
        "\tfromColumn: 'Shop Sales'.'Ship Date'\n"
        "\ttoColumn: Calendar.Date\n"
    ),
    "definition/expressions.tmdl": (
        "/// Folder of the shop's exports.\n"
        'expression ShopFolder = "exports" meta '
        '[IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]\n'
        "\tqueryGroup: Parameters\n"
        "\n"
        "\tannotation PBI_ResultType = Text\n"
    ),
    "definition/roles/Store Manager.tmdl": (
        "role 'Store Manager'\n"
        "\tmodelPermission: read\n"
        "\n"
        "\ttablePermission 'Shop Sales' = 'Shop Sales'[Quantity] > 0\n"
    ),
    "definition/cultures/en-GB.tmdl": (
        "cultureInfo en-GB\n"
        "\n"
        "\tlinguisticMetadata =\n"
        "\t\t\t{\n"
        '\t\t\t  "Version": "1.0.0",\n'
        '\t\t\t  "Language": "en-GB"\n'
        "\t\t\t}\n"
        "\t\tcontentType: json\n"
    ),
}


@pytest.fixture
def desktop_model(tmp_path: Path) -> Path:
    folder = tmp_path / "Shop.SemanticModel"
    for relative, text in DESKTOP_FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if relative.endswith("model.tmdl"):  # Desktop on Windows: BOM and CRLF
            path.write_bytes(("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"))
        else:
            path.write_text(text, encoding="utf-8")
    return folder


def test_desktop_files_are_read(desktop_model: Path) -> None:
    model = parse_semantic_model(desktop_model)
    assert model.properties["culture"] == "en-GB" and model.properties["discourageImplicitMeasures"] == "true"
    assert model.annotations == {
        "__PBI_TimeIntelligenceEnabled": "0",
        "PBI_QueryOrder": '["Shop Sales","Calendar"]',
    }
    assert model.database == {"compatibilityLevel": "1567"} and model.cultures == ["en-GB"]
    sales = model.table("shop sales")
    assert sales is not None and sales.description == "Receipt lines of the shop.\nOne row per line."
    revenue = sales.measure("Net Revenue")
    assert revenue is not None
    assert revenue.expression == "SUMX ( 'Shop Sales', [Quantity] * [Net Price] )"
    assert revenue.format_string == '€ #,0.00;-€ #,0.00;"zero"'
    assert revenue.annotations == {"PBI_FormatHint": '{"currencyCulture":"en-IE"}'}
    share = sales.measure("O'Brien Share")
    assert share is not None and share.description == "Share of O'Brien's revenue."
    assert share.expression == (
        "VAR __total = CALCULATE ( [Net Revenue], REMOVEFILTERS ( 'Shop Sales' ) )\n"
        "RETURN\n"
        "    DIVIDE ( [Net Revenue], __total )"
    )
    assert share.expression_line == 16 and share.line == 15 and share.display_folder == "Revenue\\Shares"
    shipped = sales.measure("Shipped Revenue")
    assert shipped is not None and shipped.format_string == "#,0"
    assert shipped.expression == (
        "\nCALCULATE (\n    [Net Revenue],\n\n"
        "    USERELATIONSHIP ( 'Shop Sales'[Ship Date], Calendar[Date] )\n)"
    )
    price, quantity = sales.column("Net Price"), sales.column("Quantity")
    assert price is not None and price.source_column == "Net Price" and price.format_string == "\\€#,0.00"
    assert quantity is not None and not quantity.is_key and not quantity.is_hidden
    total = sales.column("Line Total")
    assert total is not None and total.is_calculated and total.is_hidden
    partition = sales.partitions[0]
    assert partition.name == "Shop Sales-6b0c1d2e-3f40-4a57-9b51-0b0c1d2e3f42" and partition.mode == "import"
    assert partition.source is not None and partition.source.splitlines()[2] == ""
    assert partition.source.endswith('in\n    #"Promoted Headers"')
    calendar = model.table("Calendar")
    assert calendar is not None and calendar.is_date_table and calendar.is_calculated
    assert [(level.name, level.column) for level in calendar.hierarchies[0].levels] == [
        ("Month", "Month Name"),
        ("Day", "Date"),
    ]
    group = model.table("Time Intelligence")
    assert group is not None and [item.name for item in group.calculation_items] == ["Current", "YTD"]
    assert (
        group.calculation_items[1].expression
        == "CALCULATE ( SELECTEDMEASURE (), DATESYTD ( Calendar[Date] ) )"
    )
    inactive = model.relationships[1]
    assert (inactive.from_table, inactive.from_column, inactive.is_active) == (
        "Shop Sales",
        "Ship Date",
        False,
    )
    assert model.roles[0].table_permissions[0].expression == "'Shop Sales'[Quantity] > 0"
    folder = model.expression("ShopFolder")
    assert (
        folder is not None and folder.is_parameter and folder.description == "Folder of the shop's exports."
    )


def test_desktop_model_passes_the_model_checks(desktop_model: Path) -> None:
    model = parse_semantic_model(desktop_model)
    assert check_structure(model) == [] and check_dax(model) == []
    # a fact table without a marked key is the only departure from the rules
    assert [p.message for p in check_bpa(model)] == ["table 'Shop Sales' has no key column (isKey)"]


def test_tmdl_indented_with_spaces_is_read() -> None:
    text = (
        "table Sales\n"
        "    measure 'Sales Amount' = SUMX ( 'Sales', 'Sales'[Quantity] * 'Sales'[Net Price] )\n"
        "        formatString: $ #,##0\n"
        "    column 'Net Price'\n"
        "        dataType: int64\n"
        "        isHidden\n"
        '        sourceColumn: "Net Price"\n'
        "    partition 'Sales-Partition' = m\n"
        "        mode: import\n"
        "        source =\n"
        "            let\n"
        "                Source = Sql.Database(Server, Database)\n"
        "            in\n"
        "                Source\n"
    )
    table = parse_tmdl(text, "Sales.tmdl")[0]
    measure = table.objects("measure")[0]
    assert measure.properties["formatString"] == "$ #,##0"
    column = table.objects("column")[0]
    assert column.properties == {"dataType": "int64", "isHidden": "true", "sourceColumn": "Net Price"}
    source = table.objects("partition")[0].first("source")
    assert (
        source is not None
        and source.value == "let\n    Source = Sql.Database(Server, Database)\nin\n    Source"
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("table T\n\tmeasure M = ```\n\t\t\t1\n", 2, "never closed"),
        ("table T\n\t\tcolumn C\n", 2, "unexpected indentation"),
        ("table T\n\tcolumn C\n\t\tdataType: int64\n\t\t\tisHidden\n", 4, "unexpected indentation"),
        ("table 'T\n", 1, "unterminated quoted name"),
        ("table T\n\t/// a description of nothing\n", 2, "description"),
    ],
)
def test_tmdl_errors_name_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(TmdlError) as caught:
        parse_tmdl(text, "tables/T.tmdl")
    assert (caught.value.file, caught.value.line) == ("tables/T.tmdl", line)
    assert message in caught.value.message


def test_unreadable_tmdl_is_reported_by_the_checks(model: Path) -> None:
    edit(model, DATE, "\tcolumn Year\n", "\t\t\tcolumn Year\n")
    problems = check_semantic_model(model)
    assert len(problems) == 1 and problems[0].file == DATE and "TMDL syntax" in problems[0].message
    assert (
        problems[0].line
        == (model / DATE).read_text(encoding="utf-8").splitlines().index("\t\t\tcolumn Year") + 1
    )


def test_unknown_data_category_is_reported(model: Path) -> None:
    geography = "definition/tables/Geography.tmdl"
    edit(model, geography, "\t\tdataCategory: Latitude\n", "\t\tdataCategory: EmailAddress\n")
    reported(check_semantic_model(model), geography, "has data category 'EmailAddress'")


# ---------------------------------------------------------------------------------------------
# One break, one problem: each case edits one file of a copy of the model and names what the
# checks must report about that file.

BREAKS = [
    pytest.param(
        MEASURES,
        "AVERAGE ( 'Forecast Backtest'[MAPE %] ),\n\t\t\t    'Forecast Backtest'[Is Baseline] = FALSE ()",
        "AVERAGE ( 'Forecast Backtest'[MAPE] ),\n\t\t\t    'Forecast Backtest'[Is Baseline] = FALSE ()",
        ("measure [Backtest MAPE %]", "'Forecast Backtest'[MAPE] does not exist"),
        id="analytics_measure_on_a_missing_column",
    ),
    pytest.param(
        MEASURES,
        "DIVIDE ( [Campaign Sales With Baseline], [Campaign Expected Sales] )",
        "DIVIDE ( [Campaign Window Sales], [Campaign Expected Sales] )",
        ("measure [Campaign Sales Uplift %]", "DAX differs from what"),
        id="analytics_measure_edited_by_hand",
    ),
    pytest.param(
        MEASURES,
        "SUM ( 'Order Lines'[Margin Amount] )",
        "SUM ( 'Order Lines'[Margin Amt] )",
        ("measure [Margin]", "'Order Lines'[Margin Amt] does not exist"),
        id="dax_reference_to_a_missing_column",
    ),
    pytest.param(
        MEASURES,
        "DIVIDE ( [Margin], [Sales] )",
        "DIVIDE ( [Margin], [Salez] )",
        ("measure [Margin %]", "[Salez]"),
        id="dax_reference_to_a_missing_measure",
    ),
    pytest.param(
        MEASURES,
        "REMOVEFILTERS ( 'Date' ), 'Date'[Is On Or Before As Of]",
        "REMOVEFILTERS ( 'Dates' ), 'Date'[Is On Or Before As Of]",
        ("measure [As Of Date]", "table 'Dates' does not exist"),
        id="dax_reference_to_a_missing_table",
    ),
    pytest.param(
        ORDER_LINES,
        "\tcolumn 'Net Sales Amount'\n\t\tdataType: decimal\n",
        "\tcolumn 'Net Sales Amount'\n\t\tdataType: double\n",
        ("'Order Lines'[Net Sales Amount]", "double"),
        id="double_for_an_amount",
    ),
    pytest.param(
        "definition/tables/Campaign.tmdl",
        "column 'Discount %'\n\t\tdataType: decimal\n\t\tformatString: 0.0%",
        "column 'Discount %'\n\t\tdataType: decimal\n\t\tformatString: #,0.00",
        ("column 'Campaign'[Discount %]", "share", "percent format"),
        id="share_not_formatted_as_percent",
    ),
    pytest.param(
        "definition/tables/Client Segments.tmdl",
        "formatString: 0.0%\n\t\tlineageTag: ",
        "formatString: 0.000000\n\t\tlineageTag: ",
        ("six decimals",),
        id="six_decimals_on_a_ratio",
    ),
    pytest.param(
        MEASURES,
        "DIVIDE ( [Margin], [Sales] )",
        "[Margin] / [Sales]",
        ("measure [Margin %]", "'/'", "DIVIDE"),
        id="division_operator",
    ),
    pytest.param(
        MEASURES,
        "DIVIDE ( [Sales], [Orders] )",
        "IFERROR ( DIVIDE ( [Sales], [Orders] ), 0 )",
        ("measure [Average Order Value]", "IFERROR"),
        id="iferror",
    ),
    pytest.param(
        MEASURES,
        "DIVIDE ( [Sales], [Orders] )",
        "IF ( ISERROR ( [Sales] ), 0, DIVIDE ( [Sales], [Orders] ) )",
        ("measure [Average Order Value]", "ISERROR"),
        id="iserror",
    ),
    pytest.param(
        MEASURES,
        "measure Units = SUM ( 'Order Lines'[Sales Quantity] )\n\t\tformatString: #,0\n",
        "measure Units = SUM ( 'Order Lines'[Sales Quantity] )\n",
        ("measure [Units] has no formatString",),
        id="measure_without_format_string",
    ),
    pytest.param(
        MEASURES,
        "\t/// Units sold (cancelled lines excluded).\n",
        "",
        ("measure [Units] has no description",),
        id="measure_without_description",
    ),
    pytest.param(
        MEASURES,
        "[Sales Quantity] )\n\t\tformatString: #,0\n\t\tdisplayFolder: Sales\n",
        "[Sales Quantity] )\n\t\tformatString: #,0\n",
        ("measure [Units] is in no displayFolder",),
        id="measure_outside_display_folders",
    ),
    pytest.param(
        ORDER_LINES,
        "\tcolumn 'Customer Key'\n\t\tdataType: int64\n\t\tisHidden\n",
        "\tcolumn 'Customer Key'\n\t\tdataType: int64\n",
        ("'Order Lines'[Customer Key] is a foreign key", "not hidden"),
        id="visible_foreign_key",
    ),
    pytest.param(
        RELATIONSHIPS,
        FIRST_RELATIONSHIP + "\ttoColumn: Date.'Date Key'\n",
        FIRST_RELATIONSHIP + "\ttoColumn: Date.Date\n",
        ("data types differ (int64 -> dateTime)",),
        id="relationship_with_mismatched_types",
    ),
    pytest.param(
        RELATIONSHIPS,
        "\tfromColumn: 'Order Lines'.'Customer Key'\n\ttoColumn: Customer.'Customer Key'\n",
        "\tfromColumn: 'Order Lines'.'Customer Key'\n\ttoColumn: Customer.'Order Count'\n",
        ("'Customer'[Order Count]", "key column [Customer Key]"),
        id="relationship_to_a_column_that_is_not_the_key",
    ),
    pytest.param(
        "definition/tables/Product.tmdl",
        "\t\tisKey\n",
        "",
        ("'Product' has no key column",),
        id="table_without_key",
    ),
    pytest.param(
        DATE,
        "\tdataCategory: Time\n",
        "",
        ("'Date' looks like the date table", "not marked"),
        id="unmarked_date_table",
    ),
    pytest.param(
        DATE,
        "\t\tdataType: dateTime\n\t\tisKey\n",
        "\t\tdataType: dateTime\n",
        ("date table 'Date' has no dateTime key column",),
        id="date_table_without_a_date_key",
    ),
    pytest.param(
        "definition/model.tmdl",
        "annotation __PBI_TimeIntelligenceEnabled = 0",
        "annotation __PBI_TimeIntelligenceEnabled = 1",
        ("auto date/time is on",),
        id="auto_date_time_on",
    ),
    pytest.param(
        RELATIONSHIPS,
        FIRST_RELATIONSHIP,
        "\tisActive: false\n" + FIRST_RELATIONSHIP,
        ("'Order Lines'[Order Date Key]", "inactive"),
        id="inactive_relationship_no_measure_uses",
    ),
    pytest.param(
        RELATIONSHIPS,
        FIRST_RELATIONSHIP,
        FIRST_RELATIONSHIP + "\tcrossFilteringBehavior: bothDirections\n",
        ("both directions",),
        id="relationship_in_both_directions",
    ),
    pytest.param(
        DATE,
        "\t\tsourceColumn: month_name\n\t\tsortByColumn: 'Month Number'\n",
        "\t\tsourceColumn: month_name\n",
        ("'Date'[Month] is a month or weekday name",),
        id="month_name_without_sort_by",
    ),
    pytest.param(
        DATE,
        "\t\tsortByColumn: 'ISO Day Of Week'\n",
        "\t\tsortByColumn: 'Year Name'\n",
        ("'Date'[Weekday] is a month or weekday name",),
        id="weekday_sorted_by_text",
    ),
    pytest.param(
        DATE,
        "\t\tsummarizeBy: none\n\t\tsourceColumn: year_number\n",
        "\t\tsummarizeBy: sum\n\t\tsourceColumn: year_number\n",
        ("'Date'[Year] is a visible number summarised by sum",),
        id="visible_number_summarised_by_sum",
    ),
    pytest.param(
        DATE,
        "\t\t\tcolumn: Quarter\n",
        "\t\t\tcolumn: 'Quarter Name'\n",
        ("hierarchy 'Date'[Calendar]", "'Quarter Name'"),
        id="hierarchy_level_on_a_missing_column",
    ),
    pytest.param(
        "definition/tables/Campaign.tmdl",
        "table Campaign\n",
        "table Measures\n",
        ("table 'Measures' has a name the Analysis Services engine reserves",),
        id="a_table_named_measures",
    ),
    pytest.param(
        "definition/tables/Campaign.tmdl",
        "\tcolumn Campaign\n",
        "\tcolumn Sales\n",
        ("column 'Campaign'[Sales] has the name of measure [Sales]",),
        id="column_named_like_a_measure",
    ),
    pytest.param(
        ORDER_LINES,
        "\tcolumn 'Sales Key'\n\t\tdataType: int64\n",
        "\tcolumn 'Sales Key'\n\t\tdataType: int64\n\t\tisKey\n",
        ("'Order Lines'[Sales Key] is marked isKey on a table with an incremental refresh policy",),
        id="key_marked_on_the_incrementally_refreshed_table",
    ),
    pytest.param(
        CUSTOMER,
        '\t\t\t\t            {"email", type text},\n',
        "",
        ("partition of 'Customer'", "'Customer'[Email] (email) is loaded untyped"),
        id="partition_loading_a_column_untyped",
    ),
    pytest.param(
        CUSTOMER,
        '{"customer_key", Int64.Type}',
        '{"customer_key", type text}',
        ("'Customer'[Customer Key] is typed type text in M but dataType int64",),
        id="partition_typing_a_column_unlike_the_model",
    ),
    pytest.param(
        "definition/tables/Product.tmdl",
        "Typed = Table.TransformColumnTypes(",
        "Typed = Table.TransformColumns(",
        ("partition of 'Product': its M types no column",),
        id="partition_typing_no_column",
    ),
    pytest.param(
        CUSTOMER,
        'Parquet.Document(File.Contents(ParquetFolder & "customers.parquet"))',
        'Table.Combine(List.Transform({"customers"}, (view) => Parquet.Document(File.Contents(ParquetFolder'
        ' & view & ".parquet"))))',
        ("partition of 'Customer'", "File.Contents builds its path from the function's argument 'view'"),
        id="data_source_path_built_from_a_function_argument",
    ),
    pytest.param(
        CUSTOMER,
        'Parquet.Document(File.Contents(ParquetFolder & "customers.parquet"))',
        'Table.AddColumn(#table({"url"}, {{"https://example.org/c"}}), "Data", each Web.Contents([url]))',
        ("partition of 'Customer'", "Web.Contents builds its path from the function's the row (each)"),
        id="data_source_path_built_from_each_row",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "fragments"), BREAKS)
def test_a_break_is_reported(model: Path, file: str, old: str, new: str, fragments: tuple[str, ...]) -> None:
    edit(model, file, old, new)
    reported(check_semantic_model(model), file, *fragments)


def test_every_partition_names_its_own_view_for_both_sources() -> None:
    """No shared M function builds a path from its argument: each partition (and the refresh
    policy) names its view literally, for PostgreSQL and for Parquet."""
    parsed = parse_semantic_model(MODEL)
    semantic = load_model()
    for table in semantic.tables:
        found = parsed.table(table.name)
        assert found is not None
        sources = [p.source or "" for p in found.partitions]
        if found.refresh_policy is not None:
            sources.append(found.refresh_policy.source_expression or "")
        for m in sources:
            assert f'Item = "{table.view}"' in m and f'ParquetFolder & "{table.view}.parquet"' in m, (
                table.name
            )
            assert "Table.TransformColumnTypes(" in m, table.name


def test_a_shared_function_building_the_parquet_path_is_reported(model: Path) -> None:
    """The former ReportingView(view) function: File.Contents(ParquetFolder & view & ".parquet")."""
    expressions = model / "definition/expressions.tmdl"
    expressions.write_text(
        expressions.read_text(encoding="utf-8") + "\nexpression ReportingView =\n"
        "\t\t(view as text) as table =>\n"
        "\t\tlet\n"
        '\t\t    Result = Parquet.Document(File.Contents(ParquetFolder & view & ".parquet"))\n'
        "\t\tin\n"
        "\t\t    Result\n",
        encoding="utf-8",
    )
    problems = reported(
        check_semantic_model(model),
        "definition/expressions.tmdl",
        "expression ReportingView",
        "File.Contents builds its path from the function's argument 'view'",
        "dynamic data source",
    )
    assert (
        problems[0].line
        == expressions.read_text(encoding="utf-8")
        .splitlines()
        .index('\t\t    Result = Parquet.Document(File.Contents(ParquetFolder & view & ".parquet"))')
        + 1
    )


def test_a_column_named_like_a_measure_is_reported_and_accepted_with_a_waiver(model: Path) -> None:
    file = "definition/tables/Campaign Effectiveness.tmdl"
    assert not [p for p in check_bpa(parse_semantic_model(model)) if "has the name of measure" in p.message]
    edit(model, file, "column 'Window Orders'", "column Orders")
    reported(
        check_semantic_model(model), file, "'Campaign Effectiveness'[Orders] has the name of measure [Orders]"
    )
    edit(
        model,
        file,
        "\t\tsourceColumn: orders\n",
        "\t\tsourceColumn: orders\n\n"
        '\t\tannotation BestPracticeAnalyzer_IgnoreRules = {"RuleIDs":["COLUMN_SHADOWS_MEASURE"]}\n',
    )
    assert not [p for p in check_bpa(parse_semantic_model(model)) if "has the name of measure" in p.message]


def _add_polling(model: Path, column: str) -> None:
    """The committed polling expression, reading ``column`` instead of last_modified_at."""
    edit(
        model,
        ORDER_LINES,
        'List.Max(#"Filtered Rows"[last_modified_at])',
        f'List.Max(#"Filtered Rows"[{column}])',
    )


def test_a_polling_expression_on_a_column_of_the_table_is_read_and_accepted(model: Path) -> None:
    _add_polling(model, "order_date")
    parsed = parse_semantic_model(model)
    policy = parsed.table("Order Lines").refresh_policy  # type: ignore[union-attr]
    assert policy is not None and 'List.Max(#"Filtered Rows"[order_date])' in (
        policy.polling_expression or ""
    )
    assert "Table.TransformColumnTypes" in (policy.source_expression or "")  # the next property is intact
    assert check_semantic_model(model) == []


def test_a_polling_expression_on_a_missing_column_is_reported(model: Path) -> None:
    _add_polling(model, "last_changed_at")
    reported(
        check_semantic_model(model),
        ORDER_LINES,
        "pollingExpression reads [last_changed_at], which is not a source column of the table",
    )


@pytest.mark.slow
def test_a_polling_expression_on_a_column_the_view_lacks_is_reported_against_the_warehouse(
    model: Path, reporting_columns: ViewColumns
) -> None:
    _add_polling(model, "last_changed_at")
    reported(
        check_semantic_model(model, reporting_columns),
        ORDER_LINES,
        "[last_changed_at]",
        "not a column of sales",
    )


def test_the_writer_renders_the_polling_expression_of_a_policy_with_a_polling_column(tmp_path: Path) -> None:
    from dataclasses import replace

    from salespulse.powerbi.tmdl_writer import render_semantic_model

    semantic = load_model()
    tables = tuple(
        replace(t, incremental_refresh=replace(t.incremental_refresh, polling_column="order_date"))
        if t.incremental_refresh
        else t
        for t in semantic.tables
    )
    folder = tmp_path / "Polled.SemanticModel"
    for relative, text in render_semantic_model(replace(semantic, tables=tables)).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    parsed = parse_semantic_model(folder)
    policy = parsed.table("Order Lines").refresh_policy  # type: ignore[union-attr]
    assert policy is not None and 'List.Max(#"Filtered Rows"[order_date])' in (
        policy.polling_expression or ""
    )
    assert [str(p) for p in check_bpa(parsed)] == []


# ---------------------------------------------------------------------------------------------
# Row-level security of the analytics tables

SALES_REP_ROLE = "definition/roles/Sales Rep.tmdl"
FORECAST_TABLES = ("Sales Forecast", "Forecast Yearly", "Forecast Backtest")


def reached_by_role(model: Path) -> dict[str, set[str]]:
    """For each role, the tables its filters reach (directly or through relationships)."""
    parsed = parse_semantic_model(model)
    names = {table.name.lower(): table.name for table in parsed.tables}
    return {role.name: {names[table] for table in role_reach(parsed, role)} for role in parsed.roles}


def test_sales_rep_role_filters_the_forecast_series_to_the_reps_own_territory() -> None:
    parsed = parse_semantic_model(MODEL)
    (role,) = [role for role in parsed.roles if role.name == "Sales Rep"]
    filters = {item.table: " ".join(item.expression.split()) for item in role.table_permissions}
    rep_territory = "LOOKUPVALUE ( 'Sales Rep'[Territory Code], 'Sales Rep'[Email], USERPRINCIPALNAME () )"
    # blank / empty codes (the total and category series) never match, even for an unknown user
    code = "'Forecast Series'[Territory Code]"
    assert filters["Forecast Series"] == f'{code} <> "" && {code} = {rep_territory}'
    assert parsed.column("Forecast Series", "Territory Code") is not None
    assert parsed.column("Sales Rep", "Territory Code") is not None
    # One filter, on the dimension: the three forecast tables follow it through their relationships.
    assert not set(FORECAST_TABLES) & set(filters)
    # Never Territory: it would cut the rep's own order lines in another territory.
    assert "Territory" not in filters


def test_forecast_tables_reach_territory_through_forecast_series_only() -> None:
    parsed = parse_semantic_model(MODEL)
    edges = {(rel.from_table, rel.to_table) for rel in parsed.relationships if rel.is_active}
    for table in FORECAST_TABLES:
        assert (table, "Forecast Series") in edges and (table, "Territory") not in edges, table
    assert ("Forecast Series", "Territory") in edges


def test_analytics_tables_follow_the_row_level_rules_and_campaign_effectiveness_is_company_wide() -> None:
    reached = reached_by_role(MODEL)
    analytics = {"Client Segments", "Client Activity", "Rep Acquisition", "Forecast Series", *FORECAST_TABLES}
    assert analytics <= reached["Sales Rep"]
    assert analytics <= reached["Regional Lead"]
    assert reached["Manager"] == set()
    assert "Territory" in reached["Regional Lead"] and "Territory" not in reached["Sales Rep"]
    assert all("Campaign Effectiveness" not in tables for tables in reached.values())


def test_a_role_leaving_the_forecast_series_unfiltered_is_reported(model: Path) -> None:
    edit(model, SALES_REP_ROLE, "\ttablePermission 'Forecast Series' = ", "\tannotation Gone = ")
    reached = reached_by_role(model)["Sales Rep"]
    assert not {"Forecast Series", *FORECAST_TABLES} & reached
    found = reported(
        check_semantic_model(model),
        SALES_REP_ROLE,
        "role 'Sales Rep' leaves table 'Forecast Series' unfiltered",
        "'Territory'",
    )
    assert len(found) == 1


def test_a_role_filter_looking_up_row_by_row_is_reported(model: Path) -> None:
    """The former Regional Lead filter on Customer: one LOOKUPVALUE per client row."""
    role = "definition/roles/Regional Lead.tmdl"
    path = model / role
    lines = path.read_text(encoding="utf-8").splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith("\ttablePermission Customer = ")]
    lines[index] = (
        "\ttablePermission Customer = LOOKUPVALUE ( 'Territory'[Region], 'Territory'[Territory Key], "
        "'Customer'[Territory Key] ) = LOOKUPVALUE ( 'Sales Rep'[Region Name], 'Sales Rep'[Email], "
        "USERPRINCIPALNAME () )"
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = reported(
        check_semantic_model(model),
        role,
        "role 'Regional Lead' filter on 'Customer': LOOKUPVALUE searches with 'Customer'[Territory Key]",
    )
    assert len(problems) == 1 and problems[0].line == index + 1


def test_roles_that_see_everything_are_not_reported(model: Path) -> None:
    assert check_security(parse_semantic_model(MODEL)) == []
    regional = model / "definition/roles/Regional Lead.tmdl"
    text = regional.read_text(encoding="utf-8")
    regional.write_text(text.split("\ttablePermission", 1)[0], encoding="utf-8")  # now like Manager
    assert check_security(parse_semantic_model(model)) == []


# ---------------------------------------------------------------------------------------------
# The analytics measures mean what the warehouse's columns mean


def _measure_values(warehouse: Warehouse, name: str, key: str) -> dict[Any, Any]:
    """An aggregate measure of measures.yml per value of ``key`` of its table's view, computed the
    way its DAX reads (rows matching ``where`` / ``where_not_blank``; blank where no row counts)."""
    spec = {measure.name: measure for measure in load_measures()}[name].spec
    table = load_model().table(spec["table"])
    expression = {"sum": "sum({})", "average": "avg({})", "count_rows": "count(*)"}[spec["function"]]
    where = [f"{column} = ?" for column in spec.get("where", {})]
    where += [f"{column} is not null" for column in spec.get("where_not_blank", [])]
    sql = (
        f"select {key}, {expression.format(spec.get('column'))} from reporting.{table.view}"
        f" where {' and '.join(where) or 'true'} group by {key}"
    )
    return dict(warehouse.query(sql, list(spec.get("where", {}).values())))


def _divide(numerator: Any, denominator: Any) -> float | None:
    """DAX DIVIDE: blank when the denominator is blank or zero."""
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def _same(value: Any, column: Any) -> bool:
    if value is None or column is None:
        return value is None and column is None
    return abs(float(value) - float(column)) <= 1e-6


@pytest.mark.slow
def test_campaign_measures_for_one_campaign_equal_its_uplift_and_incremental_sales(
    built: Warehouse,
) -> None:
    with_baseline = _measure_values(built, "Campaign Sales With Baseline", "campaign_key")
    expected = _measure_values(built, "Campaign Expected Sales", "campaign_key")
    incremental = _measure_values(built, "Campaign Incremental Sales", "campaign_key")
    window = _measure_values(built, "Campaign Window Sales", "campaign_key")
    rows = built.query(
        "select campaign_key, sales_uplift, incremental_net_sales_amount, net_sales_amount"
        " from reporting.campaign_effectiveness"
    )
    assert rows
    for key, uplift, incremental_amount, net_sales in rows:
        uplift_measure = _divide(with_baseline.get(key), expected.get(key))  # Campaign Sales Uplift %
        assert _same(uplift_measure, uplift), (key, uplift_measure, uplift)
        assert _same(incremental.get(key), incremental_amount) and _same(window[key], net_sales), key


@pytest.mark.slow
def test_projected_measures_for_one_series_year_equal_the_yearly_view(built: Warehouse) -> None:
    key = "sales_forecast_year_key"
    projected = _measure_values(built, "Projected Full Year", key)
    budget = _measure_values(built, "Projected Budget", key)
    rows = built.query(
        f"select {key}, projected_vs_budget_amount, projected_attainment_pct"
        " from reporting.sales_forecast_yearly"
    )
    assert any(attainment is not None for *_, attainment in rows)
    for row_key, versus, attainment in rows:
        right = budget.get(row_key)
        difference = None if right is None else (projected.get(row_key) or 0) - right  # Projected vs Budget
        assert _same(difference, versus), row_key
        assert _same(_divide(projected.get(row_key), right), attainment), row_key


@pytest.mark.slow
def test_client_measures_count_the_segments_view(built: Warehouse) -> None:
    segmented = _measure_values(built, "Segmented Clients", "rfm_segment")
    at_risk = _measure_values(built, "At-Risk Clients", "rfm_segment")
    ((clients, flagged, evaluated),) = built.query(
        "select count(*), count(*) filter (where is_at_risk), count(*) filter (where is_at_risk_evaluated)"
        " from reporting.customer_segments"
    )
    assert sum(segmented.values()) == clients > 0
    assert sum(at_risk.values()) == flagged > 0
    assert sum(_measure_values(built, "Evaluated Clients", "rfm_segment").values()) == evaluated >= flagged


def test_client_activity_measures_take_the_customer_slicers_on_its_own_columns() -> None:
    """Client Activity has no relationship to Customer: its client type and industry columns take
    the filters set directly on the Customer columns (a client slicer does not narrow them)."""
    model = parse_semantic_model(MODEL)
    for name in ("New Clients", "Returning Clients", "Reactivated Clients", "Lost Clients"):
        expression = " ".join(model.measure(name).expression.split())  # type: ignore[union-attr]
        for column in ("Client Type", "Industry"):
            assert (
                f"KEEPFILTERS ( TREATAS ( FILTERS ( 'Customer'[{column}] ), 'Client Activity'[{column}] ) )"
                in expression
            ), name
    assert "TREATAS" not in model.measure("Clients Acquired").expression  # type: ignore[union-attr]


def test_filters_from_a_column_the_model_lacks_is_refused(tmp_path: Path) -> None:
    source = (PROJECT_ROOT / "src/salespulse/semantic/measures.yml").read_text(encoding="utf-8")
    broken = tmp_path / "measures.yml"
    broken.write_text(
        source.replace("industry: Customer.industry", "industry: Customer.sector"), encoding="utf-8"
    )
    measure = {m.name: m for m in load_measures(broken)}["Lost Clients"]
    with pytest.raises(KeyError, match="sector"):
        dax(measure, load_model())
