"""Load ``measures.yml`` and render each measure's DAX.

The kinds are described at the top of ``measures.yml``. DAX is rendered here; the web dashboard
evaluates the same definitions against the warehouse (``salespulse.semantic.evaluate``) and the
warehouse's monthly model uses the macros rendered by ``salespulse.semantic.dbt_macros``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from salespulse.semantic.model import SemanticModel, load_model

MEASURES_FILE = Path(__file__).with_name("measures.yml")
#: The measure table. Not "Measures": Analysis Services reserves that name (Desktop renames the table).
MEASURE_TABLE = "Key Measures"
# The Report Labels measure naming the period each KPI card covers in the filter context (Power
# BI's card subtitle, the web's too); a card whose measure is not listed covers the dates in context.
DEFAULT_PERIOD = "Period"
CARD_PERIODS = {
    "Budget": "Budget Period",
    **dict.fromkeys(
        ("Budget To Date", "Sales In Budget Months", "Variance", "Attainment %"), "Budget To Date Period"
    ),
    **dict.fromkeys(("Sales YTD", "Sales YTD YoY", "YTD YoY %"), "YTD Period"),
    "Sales PYTD": "PYTD Period",
    "Sales Run-Rate FY": "Run-Rate Period",
    "YoY %": "YoY Period",
    **dict.fromkeys(("Segmented Clients", "At-Risk Clients", "At-Risk %", "Sales At Risk"), "As Of Period"),
    **dict.fromkeys(("Campaign Incremental Sales", "Campaign Sales Uplift %"), "Campaign Window Period"),
    **dict.fromkeys(
        ("Projected Full Year", "Projected Budget", "Projected vs Budget", "Projected Attainment %"),
        "Forecast Year Period",
    ),
    **dict.fromkeys(("Backtest MAPE %", "Baseline MAPE %"), "Backtest Period"),
}
KINDS = ("aggregate", "budget", "difference", "ratio", "time", "dax")
PERIODS = ("previous_year", "year_to_date", "previous_year_to_date", "run_rate_full_year", "budget_months")
FUNCTIONS = {"sum": "SUM", "distinct_count": "DISTINCTCOUNT", "average": "AVERAGE", "count_rows": "COUNTROWS"}
BUDGET_TABLE = "Budget Lines"
#: The hidden helper measure every budget measure asks whether the filter context is at the budget's
#: grain (one test, not one copy per budget measure).
BUDGET_GRAIN = "Budget At Grain"
DATE_TABLE = "Date"


@dataclass(frozen=True)
class Measure:
    name: str
    kind: str
    folder: str
    format: str
    description: str
    spec: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_currency(self) -> bool:
        """An amount, shown with the reporting currency's symbol."""
        return bool(self.spec.get("currency"))

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Other measures this one is computed from."""
        keys = {"ratio": ("numerator", "denominator"), "difference": ("left", "right"), "time": ("base",)}
        return tuple(self.spec[key] for key in keys.get(self.kind, ()))


@cache
def load_measures(path: Path = MEASURES_FILE) -> tuple[Measure, ...]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    measures = []
    for item in document["measures"]:
        item = dict(item)
        measure = Measure(
            name=item.pop("name"),
            kind=item.pop("kind"),
            folder=item.pop("folder"),
            format=item.pop("format"),
            description=" ".join(item.pop("description").split()),
            spec=item,
        )
        if measure.kind not in KINDS:
            raise ValueError(f"{path}: measure {measure.name!r} has unknown kind {measure.kind!r}")
        if measure.kind == "aggregate" and measure.spec["function"] not in FUNCTIONS:
            raise ValueError(
                f"{path}: measure {measure.name!r} has unknown function {measure.spec['function']!r}"
            )
        if measure.kind == "aggregate" and (measure.spec["function"] == "count_rows") == (
            "column" in measure.spec
        ):
            raise ValueError(f"{path}: measure {measure.name!r}: count_rows takes no column, the others one")
        if measure.kind == "time" and measure.spec["period"] not in PERIODS:
            raise ValueError(
                f"{path}: measure {measure.name!r} has unknown period {measure.spec['period']!r}"
            )
        if (
            measure.kind == "dax"
            and sum(key in measure.spec for key in ("dax", "period", "budget_grain")) != 1
        ):
            raise ValueError(
                f"{path}: measure {measure.name!r}: a dax measure has one of dax, period or budget_grain"
            )
        measures.append(measure)
    names = {measure.name for measure in measures}
    if any(m.kind == "budget" for m in measures) and BUDGET_GRAIN not in names:
        raise ValueError(f"{path}: the budget measures need the helper measure {BUDGET_GRAIN!r}")
    for measure in measures:
        missing = [name for name in measure.depends_on if name not in names]
        if "of" in measure.spec.get("period", {}) and measure.spec["period"]["of"] not in names:
            missing.append(measure.spec["period"]["of"])
        if missing:
            raise ValueError(f"{path}: measure {measure.name!r} uses undefined measures {missing}")
    return tuple(measures)


def quote_table(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def column_ref(table: str, column: str) -> str:
    return f"{quote_table(table)}[{column}]"


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE ()" if value else "FALSE ()"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace('"', '""') + '"'


def _aggregate(measure: Measure, model: SemanticModel) -> str:
    table = model.table(measure.spec["table"])
    function = FUNCTIONS[measure.spec["function"]]
    if measure.spec["function"] == "count_rows":
        expression = f"{function} ( {quote_table(table.name)} )"
    else:
        expression = f"{function} ( {column_ref(table.name, table.column(measure.spec['column']).name)} )"
    where = measure.spec.get("where") or {}
    where_not = measure.spec.get("where_not") or {}
    not_blank = measure.spec.get("where_not_blank") or []
    filters_from = measure.spec.get("filters_from") or {}
    if not where and not where_not and not not_blank and not filters_from:
        return expression
    where_table = model.table(measure.spec.get("where_table", table.name))

    def where_column(source: str) -> str:
        return column_ref(where_table.name, where_table.column(source).name)

    filters = ",\n    ".join(
        [f"{where_column(source)} = {_literal(value)}" for source, value in where.items()]
        + [f"{where_column(source)} <> {_literal(value)}" for source, value in where_not.items()]
        + [f"NOT ISBLANK ( {where_column(source)} )" for source in not_blank]
        + [_filter_from(table.name, source, other, model) for source, other in filters_from.items()]
    )
    return f"CALCULATE (\n    {expression},\n    {filters}\n)"


def _filter_from(table: str, source: str, other: str, model: SemanticModel) -> str:
    """The filters set directly on ``other`` (``Table.column``, by view column names), applied to
    ``source`` of ``table``: for a table that carries a dimension's attribute as its own column
    but has no relationship to that dimension. Only direct filters pass (FILTERS, not VALUES), so
    a filter on another column of the dimension (one client) does not narrow it to the client's
    attribute values."""
    other_table, other_source = other.split(".", 1)
    target = column_ref(table, model.table(table).column(source).name)
    origin = column_ref(other_table, model.table(other_table).column(other_source).name)
    return f"KEEPFILTERS ( TREATAS ( FILTERS ( {origin} ), {target} ) )"


def _budget_grain(model: SemanticModel) -> str:
    """TRUE where the filter context is at the budget's grain or coarser: whole months (the as-of
    month whole up to the as-of date), whole categories and territories where the budget has them,
    a sales rep only where it has reps, no client and no campaign."""
    product, geography = model.table("Product"), model.table("Geography")
    budget_grain = column_ref(BUDGET_TABLE, model.table(BUDGET_TABLE).column("budget_grain").name)
    date_month = column_ref(DATE_TABLE, model.table(DATE_TABLE).column("month_start_date").name)
    # the as-of month is whole up to the as-of date: its later days have no sales yet
    date_day = column_ref(DATE_TABLE, model.table(DATE_TABLE).column("date_day").name)
    category = column_ref(product.name, product.column("category_name").name)
    territory_code = column_ref(geography.name, geography.column("territory_code").name)
    return f"""VAR _grain = CALCULATE ( MAX ( {budget_grain} ), REMOVEFILTERS () )
VAR _by_category = CONTAINSSTRING ( _grain, "category" )
VAR _by_territory = CONTAINSSTRING ( _grain, "territory" )
VAR _by_rep = CONTAINSSTRING ( _grain, "sales rep" )
VAR _as_of = [As Of Date]
VAR _whole_months =
    COUNTROWS ( FILTER ( 'Date', {date_day} <= _as_of || {date_month} > _as_of ) )
        = CALCULATE (
            COUNTROWS ( FILTER ( 'Date', {date_day} <= _as_of || {date_month} > _as_of ) ),
            REMOVEFILTERS ( 'Date' ),
            VALUES ( {date_month} )
        )
VAR _whole_categories =
    COUNTROWS ( 'Product' )
        = CALCULATE ( COUNTROWS ( 'Product' ), REMOVEFILTERS ( 'Product' ), VALUES ( {category} ) )
VAR _whole_territories =
    COUNTROWS ( 'Geography' )
        = CALCULATE (
            COUNTROWS ( 'Geography' ), REMOVEFILTERS ( 'Geography' ), VALUES ( {territory_code} )
        )
RETURN
    _whole_months
        && ( NOT ISCROSSFILTERED ( 'Product' ) || ( _by_category && _whole_categories ) )
        && ( NOT ISCROSSFILTERED ( 'Geography' ) || ( _by_territory && _whole_territories ) )
        && ( _by_territory || NOT ISCROSSFILTERED ( 'Territory' ) )
        && ( _by_rep || NOT ISCROSSFILTERED ( 'Sales Rep' ) )
        && NOT ISCROSSFILTERED ( 'Customer' )
        && NOT ISCROSSFILTERED ( 'Campaign' )"""


def _budget(measure: Measure, model: SemanticModel) -> str:
    """The budget column's sum where the context is at the budget's grain (``BUDGET_GRAIN``), blank
    elsewhere; the budget has no relationship to Product and Geography, so their category and
    territory filters are carried over to its own columns."""
    budget = model.table(BUDGET_TABLE)
    product, geography = model.table("Product"), model.table("Geography")

    def b(source: str) -> str:
        return column_ref(budget.name, budget.column(source).name)

    category = column_ref(product.name, product.column("category_name").name)
    territory_code = column_ref(geography.name, geography.column("territory_code").name)
    return f"""VAR _product_filtered = ISCROSSFILTERED ( 'Product' )
VAR _categories = VALUES ( {category} )
VAR _geography_filtered = ISCROSSFILTERED ( 'Geography' )
VAR _territories = VALUES ( {territory_code} )
RETURN
    IF (
        [{BUDGET_GRAIN}],
        CALCULATE (
            SUM ( {b(measure.spec["column"])} ),
            FILTER (
                ALL ( {b("category_name")} ),
                NOT _product_filtered || {b("category_name")} IN _categories
            ),
            FILTER (
                ALL ( {b("territory_code")} ),
                NOT _geography_filtered || {b("territory_code")} IN _territories
            )
        )
    )"""


def _time(measure: Measure) -> str:
    base = f"[{measure.spec['base']}]"
    last_day = """VAR _as_of = [As Of Date]
VAR _last_day = MIN ( MAX ( 'Date'[Date] ), _as_of )"""
    if measure.spec["period"] == "budget_months":
        budget_month = column_ref(BUDGET_TABLE, "Budget Month")
        return f"""VAR _budget_months = CALCULATETABLE ( VALUES ( {budget_month} ), REMOVEFILTERS () )
RETURN
    CALCULATE ( {base}, KEEPFILTERS ( TREATAS ( _budget_months, 'Date'[Month Start Date] ) ) )"""
    return {
        "previous_year": f"""{last_day}
VAR _dates = FILTER ( VALUES ( 'Date'[Date] ), 'Date'[Date] <= _last_day )
RETURN
    CALCULATE ( {base}, SAMEPERIODLASTYEAR ( _dates ) )""",
        "year_to_date": f"""{last_day}
RETURN
    CALCULATE ( {base}, DATESBETWEEN ( 'Date'[Date], DATE ( YEAR ( _last_day ), 1, 1 ), _last_day ) )""",
        "previous_year_to_date": f"""{last_day}
VAR _year_to_date = DATESBETWEEN ( 'Date'[Date], DATE ( YEAR ( _last_day ), 1, 1 ), _last_day )
RETURN
    CALCULATE ( {base}, SAMEPERIODLASTYEAR ( _year_to_date ) )""",
        "run_rate_full_year": f"""{last_day}
VAR _year_start = DATE ( YEAR ( _last_day ), 1, 1 )
VAR _elapsed_days = DATEDIFF ( _year_start, _last_day, DAY ) + 1
VAR _days_in_year = DATEDIFF ( _year_start, DATE ( YEAR ( _last_day ), 12, 31 ), DAY ) + 1
VAR _year_to_date = CALCULATE ( {base}, DATESBETWEEN ( 'Date'[Date], _year_start, _last_day ) )
RETURN
    DIVIDE ( _year_to_date * _days_in_year, _elapsed_days )""",
    }[measure.spec["period"]]


def dax(measure: Measure, model: SemanticModel | None = None) -> str:
    """The DAX expression of a measure, formatted the way it is stored in the TMDL."""
    model = model or load_model()
    spec = measure.spec
    if measure.kind == "aggregate":
        return _aggregate(measure, model)
    if measure.kind == "budget":
        return _budget(measure, model)
    if measure.kind == "difference":
        left, right = f"[{spec['left']}]", f"[{spec['right']}]"
        return f"IF ( NOT ISBLANK ( {right} ), {left} - {right} )"
    if measure.kind == "ratio":
        numerator = f"[{spec['numerator']}]"
        if spec.get("numerator_blank_as_zero"):
            numerator = f"COALESCE ( {numerator}, 0 )"
        denominator = f"[{spec['denominator']}]"
        if spec.get("denominator_all"):  # a share of the whole: the table's filters removed
            whole = quote_table(spec["denominator_all"])
            denominator = f"CALCULATE ( {denominator}, REMOVEFILTERS ( {whole} ) )"
        return f"DIVIDE ( {numerator}, {denominator} )"
    if measure.kind == "time":
        return _time(measure)
    if "period" in spec:
        return _period_label(spec["period"])
    if spec.get("budget_grain"):
        return _budget_grain(model)
    return " ".join(str(spec["dax"]).split())


def _period_label(period: dict[str, str]) -> str:
    """A text measure naming the period from ``period["from"]`` to ``period["to"]`` (DAX dates):
    ``Jan 2023 - Dec 2025`` for whole months, a day where the period starts or ends mid-month
    (``Jan 2025 - 15 Jan 2026``), one day as ``31 Dec 2025``. ``text`` wraps it (``As of {period}``);
    with ``of`` the label is blank wherever that measure is blank, so a card never names the period
    of a number it does not show. One template, so every card's period reads the same way."""
    before, _, after = period.get("text", "{period}").partition("{period}")
    label = " & ".join(
        [*([_literal(before)] if before else []), "_period", *([_literal(after)] if after else [])]
    )
    shown = "NOT ISBLANK ( _from )"
    if "of" in period:
        shown += f" && NOT ISBLANK ( [{period['of']}] )"
    return f"""VAR _from = {" ".join(period["from"].split())}
VAR _to = {" ".join(period["to"].split())}
VAR _start = IF ( DAY ( _from ) = 1, FORMAT ( _from, "mmm yyyy" ), FORMAT ( _from, "d mmm yyyy" ) )
VAR _end = IF ( _to = EOMONTH ( _to, 0 ), FORMAT ( _to, "mmm yyyy" ), FORMAT ( _to, "d mmm yyyy" ) )
VAR _period =
    SWITCH (
        TRUE (),
        _from = _to, FORMAT ( _from, "d mmm yyyy" ),
        _start = _end, _start,
        _start & " - " & _end
    )
RETURN
    IF ( {shown}, {label} )"""
