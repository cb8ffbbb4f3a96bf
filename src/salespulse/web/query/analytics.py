"""The data of the analytics pages: Forecast, Clients, and the campaign effectiveness of Campaigns.

They read the analytics reporting views (``docs/analytics.md``) with plain parameterised SQL, not
through the order-line measure evaluator: identifiers come from ``model.yml`` (``ident``, ``view``),
values are bound, and every statement carries the user's scope: model.yml's role rules, rendered by
``sqlbuild.scope_conditions`` as for the rest of the web (the Power BI roles are their DAX):

- Client Segments, Client Activity, Rep Acquisition: a sales rep their own clients (and their own
  acquisition row), by ``sales_rep_key``; a regional lead the territories of their region, by
  ``territory_key``; a manager all.
- Sales Forecast, Forecast Yearly, Forecast Backtest: a sales rep the territory series of their own
  territory, a regional lead those of their region's territories (never the total or the category
  series: they hold other regions' sales); a manager every series.
- Campaign Effectiveness: company-wide figures, the same for every role.

Page filters apply where the view has the column (``FILTERED_BY``); the forecast's category, region
and territory filters pick the series instead. Headers are the Power BI measure names (same
meaning) and the model's column names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from salespulse.semantic import load_model
from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.measures import difference, ratio
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.slicers import SLICERS
from salespulse.web.query.sqlbuild import ident, own_columns, placeholders, scope_conditions, view
from salespulse.web.query.timeintel import budget_months, load_calendar

Page = dict[str, pd.DataFrame]

SEGMENTS = "Client Segments"
ACTIVITY = "Client Activity"
ACQUISITION = "Rep Acquisition"
FORECAST = "Sales Forecast"
YEARLY = "Forecast Yearly"
BACKTEST = "Forecast Backtest"
EFFECTIVENESS = "Campaign Effectiveness"
CUSTOMER = "Customer"
TERRITORY = "Territory"
SALES_REP = "Sales Rep"
CAMPAIGN = "Campaign"
DATE = "Date"

#: Series levels of the forecast views, in the order they are offered.
LEVELS = ("total", "category", "territory")
TERRITORY_LEVEL = "territory"
DATES = "dates"  # the date range, as a filter name


def header(table: str, source: str) -> str:
    """The model's name of a view column (what users see)."""
    return load_model().table(table).column(source).name


# --------------------------------------------------------------------------- statements


@dataclass
class Query:
    """``select ... from reporting.<view of table> as v [join ...] where ...`` with bound values."""

    table: str
    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    alias: str = "v"

    def col(self, source: str, table: str | None = None, alias: str | None = None) -> str:
        """``alias."column"`` of a view column the model has (``KeyError`` otherwise)."""
        column = load_model().table(table or self.table).column(source)
        return f"{alias or self.alias}.{ident(column.source)}"

    def where(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def where_in(self, expression: str, values: Sequence[Any]) -> None:
        self.where(f"{expression} in ({placeholders(values)})", *values)

    def join(self, table: str, alias: str) -> None:
        """An inner join of a model table along the model's relationship from this view."""
        model = load_model()
        for rel in model.relationships:
            if rel.from_table == self.table and rel.to_table == table:
                left = self.col(rel.from_column)
                right = self.col(rel.to_column, table, alias)
                self.joins.append(f"inner join {view(table)} as {alias} on {left} = {right}")
                return
        raise KeyError(f"{self.table!r} has no relationship to {table!r}")

    def sql(
        self, columns: Sequence[str], group_by: Sequence[str] = (), order_by: Sequence[str] = ()
    ) -> tuple[str, list[Any]]:
        text = f"select {', '.join(columns)}\nfrom {view(self.table)} as {self.alias}"
        if self.joins:
            text += "\n" + "\n".join(self.joins)
        if self.conditions:
            text += "\nwhere " + "\n  and ".join(self.conditions)
        if group_by:
            text += f"\ngroup by {', '.join(group_by)}"
        if order_by:
            text += f"\norder by {', '.join(order_by)}"
        return text, list(self.params)

    def run(
        self,
        session: Session,
        columns: Sequence[str],
        group_by: Sequence[str] = (),
        order_by: Sequence[str] = (),
    ) -> list[tuple[Any, ...]]:
        sql, params = self.sql(columns, group_by, order_by)
        return [tuple(row) for row in session.query(sql, params)]


def _territories_where(condition: str) -> str:
    """A subquery: the territory keys of the territories matching ``condition`` (on ``t``)."""
    return f"select t.{ident('territory_key')} from {view(TERRITORY)} as t where {condition}"


# --------------------------------------------------------------------------- row-level security
# model.yml's role rules, rendered by sqlbuild.scope_conditions as for the order lines: a table the
# rules do not reach through its relationships (Campaign Effectiveness) is company-wide.


# --------------------------------------------------------------------------- page filters

Rule = Callable[[Query, Filters], None]


def _on(source: str, name: str) -> Rule:
    """The filter ``name`` restricts the view column ``source``."""

    def rule(query: Query, filters: Filters) -> None:
        query.where_in(query.col(source), getattr(filters, name))

    return rule


def _territory_codes_by_key(query: Query, filters: Filters) -> None:
    codes = filters.territory_codes
    subquery = _territories_where(f"t.{ident('territory_code')} in ({placeholders(codes)})")
    query.where(f"{query.col('territory_key')} in ({subquery})", *codes)


def _months(query: Query, filters: Filters) -> None:
    """Months whose first day is in the date range (the month rows' relationship to Date)."""
    if filters.date_from is not None:
        query.where(f"{query.col('month_start_date')} >= ?", filters.date_from)
    if filters.date_to is not None:
        query.where(f"{query.col('month_start_date')} <= ?", filters.date_to)


def _series_of_regions(query: Query, filters: Filters) -> None:
    subquery = _territories_where(f"t.{ident('region_name')} in ({placeholders(filters.regions)})")
    query.where(f"{query.col('series_level')} = ?", TERRITORY_LEVEL)
    query.where(f"{query.col('territory_key')} in ({subquery})", *filters.regions)


def _series_of_territories(query: Query, filters: Filters) -> None:
    query.where(f"{query.col('series_level')} = ?", TERRITORY_LEVEL)
    query.where_in(query.col("territory_code"), filters.territory_codes)


def _series_of_categories(query: Query, filters: Filters) -> None:
    query.where(f"{query.col('series_level')} = ?", "category")
    query.where_in(query.col("category_name"), filters.categories)


_SERIES_RULES: dict[str, Rule] = {
    "regions": _series_of_regions,
    "territory_codes": _series_of_territories,
    "categories": _series_of_categories,
}
#: Filters that restrict a view otherwise than by its column of the slicer's (``slicers``).
_SPECIAL: dict[str, dict[str, Rule]] = {
    ACTIVITY: {"territory_codes": _territory_codes_by_key},  # the month rows carry the territory key
    FORECAST: _SERIES_RULES,
    YEARLY: _SERIES_RULES,
    BACKTEST: _SERIES_RULES,
}
#: The views whose rows are months (the date range picks the months).
_MONTHLY = (ACTIVITY, ACQUISITION)


def _rules(table: str) -> dict[str, Rule]:
    """Filter name -> how it restricts the view: the date range, then each slicer that names a
    column of the view (``Slicer.analytics``) or has a special rule, in the registry's order."""
    special = _SPECIAL.get(table, {})
    rules: dict[str, Rule] = {DATES: _months} if table in _MONTHLY else {}
    for slicer in SLICERS:
        if slicer.name in special:
            rules[slicer.name] = special[slicer.name]
        elif table in slicer.analytics:
            rules[slicer.name] = _on(slicer.analytics[table], slicer.name)
    return rules


#: Model table -> filter name -> how it restricts the table's view. A filter not listed does not
#: apply to the view (it has no such column), as a Power BI slicer without a relationship.
RULES: dict[str, dict[str, Rule]] = {
    table: _rules(table)
    for table in (SEGMENTS, ACTIVITY, ACQUISITION, FORECAST, YEARLY, BACKTEST, EFFECTIVENESS)
}


def _active(filters: Filters, name: str) -> bool:
    if name == DATES:
        return filters.date_from is not None or filters.date_to is not None
    return bool(getattr(filters, name))


def query(table: str, filters: Filters, scope: Scope) -> Query:
    """A query of a model table's view with the user's scope and the page filters that apply."""
    if not isinstance(scope, Scope):
        raise TypeError("scope must be a salespulse.web.Scope (row-level security is never optional)")
    found = Query(table)
    for condition, params in scope_conditions(table, scope, own_columns(table, found.alias)):
        found.where(condition, *params)
    for name, rule in RULES[table].items():
        if _active(filters, name):
            rule(found, filters)
    return found


#: (page, dataset) of the analytics pages -> the filters it honours (the others do not apply to
#: the view it reads); datasets not listed are the order-line measures', which honour every filter.
FILTERED_BY: dict[tuple[str, str], frozenset[str]] = {
    **{
        ("Forecast", name): frozenset(_SERIES_RULES)
        for name in ("series", "kpis", "forecast_by_month", "projected_vs_budget", "backtest")
    },
    **{
        ("Clients", name): frozenset(RULES[SEGMENTS])
        for name in ("clients_by_segment", "segments_by_client_type", "at_risk_clients")
    },
    ("Clients", "kpis"): frozenset(RULES[SEGMENTS]) | frozenset(RULES[ACTIVITY]),
    ("Clients", "client_activity_by_month"): frozenset(RULES[ACTIVITY]),
    ("Clients", "clients_acquired_by_rep"): frozenset(RULES[ACQUISITION]),
    ("Campaigns", "campaign_effectiveness"): frozenset(RULES[EFFECTIVENESS]),
}


def honours(page: str, dataset: str, name: str) -> bool:
    """Whether the filter ``name`` (a ``Filters`` field, or ``dates``) applies to a page's dataset."""
    found = FILTERED_BY.get((page, dataset))
    if found is None:
        return True
    return name in found or (name in ("date_from", "date_to") and DATES in found)


# --------------------------------------------------------------------------- frames


def _column(values: list[Any]) -> pd.Series:
    """Blanks stay ``None`` (not NaN) and amounts ``Decimal``, as the measure evaluator's frames."""
    if any(v is None for v in values) or any(isinstance(v, Decimal) for v in values):
        return pd.Series(values, dtype=object)
    return pd.Series(values)


def frame(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    data = {name: _column([row[i] for row in rows]) for i, name in enumerate(columns)}
    return pd.DataFrame(data, columns=list(columns))


# --------------------------------------------------------------------------- forecast

SERIES_KEY = "Series Key"
FORECAST_MONTH = ("month_start_date", "month_status")
FORECAST_MEASURES = {  # Power BI measure -> the Sales Forecast column it sums
    "Forecast Actual": "actual_amount",
    "Forecast": "forecast_amount",
    "Forecast Lower 80": "lower_80_amount",
    "Forecast Upper 80": "upper_80_amount",
    "Forecast Lower 95": "lower_95_amount",
    "Forecast Upper 95": "upper_95_amount",
}
PROJECTED = ("Projected Full Year", "Projected Budget", "Projected vs Budget", "Projected Attainment %")
MAPES = ("Backtest MAPE %", "Baseline MAPE %")
FORECAST_KPIS = (*PROJECTED, *MAPES)
BACKTEST_COLUMNS = ("bias_pct", "coverage_80_pct", "coverage_95_pct", "beats_baseline", "months_compared")


def series_key(level: str, member: str) -> str:
    return f"{level}:{member}"


def series_label(level: str, member: str) -> str:
    """What the series selector shows: Total, Category: Bikes, Territory: DE."""
    return "Total" if level == "total" else f"{level.capitalize()}: {member}"


def _level_order(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def forecast_series(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    """The series the user may see that match the filters: total, categories, territories."""
    found = query(FORECAST, filters, scope)
    level, member = found.col("series_level"), found.col("series_member")
    rows = sorted(
        found.run(session, [level, member], group_by=[level, member]),
        key=lambda row: (_level_order(row[0]), row[1]),
    )
    return frame(
        [(series_key(lv, m), m, lv, series_label(lv, m)) for lv, m in rows],
        [SERIES_KEY, header(FORECAST, "series_member"), header(FORECAST, "series_level"), "Label"],
    )


def _chosen(series: pd.DataFrame, asked: str | None) -> tuple[str, str] | None:
    """(level, member) of the series to show: the one asked for when offered, else the first."""
    if series.empty:
        return None
    keys = series[SERIES_KEY].tolist()
    index = keys.index(asked) if asked in keys else 0
    row = series.iloc[index]
    return str(row[header(FORECAST, "series_level")]), str(row[header(FORECAST, "series_member")])


def _one_series(found: Query, chosen: tuple[str, str] | None) -> None:
    if chosen is None:
        found.where("1 = 0")  # nothing the user may see matches
        return
    found.where(f"{found.col('series_level')} = ?", chosen[0])
    found.where(f"{found.col('series_member')} = ?", chosen[1])


def _projected(projected: Any, budget: Any) -> tuple[Any, Any, Any, Any]:
    return projected, budget, difference(projected, budget), ratio(projected, budget)


def _forecast_kpis(filters: Filters, scope: Scope, session: Session, chosen: Any, year: int) -> pd.DataFrame:
    yearly = query(YEARLY, filters, scope)
    _one_series(yearly, chosen)
    yearly.where(f"{yearly.col('year_number')} = ?", year)
    projected, budget = yearly.run(
        session,
        [f"sum({yearly.col('projected_full_year_amount')})", f"sum({yearly.col('budget_amount')})"],
    )[0]
    backtest = query(BACKTEST, filters, scope)
    _one_series(backtest, chosen)
    baseline, mape = backtest.col("is_baseline"), backtest.col("mape_pct")
    model_sum, model_count, base_sum, base_count = backtest.run(
        session,
        [
            f"sum(case when not {baseline} then {mape} end)",
            f"count(case when not {baseline} then {mape} end)",
            f"sum(case when {baseline} then {mape} end)",
            f"count(case when {baseline} then {mape} end)",
        ],
    )[0]
    row = (*_projected(projected, budget), ratio(model_sum, model_count), ratio(base_sum, base_count))
    return frame([row], FORECAST_KPIS)


def _forecast_by_month(filters: Filters, scope: Scope, session: Session, chosen: Any) -> pd.DataFrame:
    found = query(FORECAST, filters, scope)
    _one_series(found, chosen)
    month, status = (found.col(c) for c in FORECAST_MONTH)
    sums = [f"sum({found.col(c)})" for c in FORECAST_MEASURES.values()]
    rows = found.run(session, [month, status, *sums], group_by=[month, status], order_by=[month])
    member = chosen[1] if chosen else None
    return frame(
        [(member, *row) for row in rows],
        [
            header(FORECAST, "series_member"),
            *(header(FORECAST, c) for c in FORECAST_MONTH),
            *FORECAST_MEASURES,
        ],
    )


def _projected_vs_budget(filters: Filters, scope: Scope, session: Session, year: int) -> pd.DataFrame:
    found = query(YEARLY, filters, scope)
    found.where(f"{found.col('year_number')} = ?", year)
    level, member = found.col("series_level"), found.col("series_member")
    rows = found.run(
        session,
        [
            level,
            member,
            f"sum({found.col('projected_full_year_amount')})",
            f"sum({found.col('budget_amount')})",
        ],
        group_by=[level, member],
    )
    rows = sorted(rows, key=lambda row: (_level_order(row[0]), row[1]))
    return frame(
        [
            (series_key(lv, m), m, year, *_projected(projected, budget))
            for lv, m, projected, budget in rows
            if projected is not None or budget is not None
        ],
        [SERIES_KEY, header(YEARLY, "series_member"), header(YEARLY, "year_number"), *PROJECTED],
    )


def _backtest(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    """Per series: the model's and the seasonal-naive baseline's MAPE, the model's bias and
    interval coverage, whether it beats the baseline, and the cut-off it was fitted to."""
    found = query(BACKTEST, filters, scope)
    columns = ["series_level", "series_member", "is_baseline", "mape_pct", "cutoff_date", *BACKTEST_COLUMNS]
    rows = found.run(session, [found.col(c) for c in columns])
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        item = series.setdefault(
            (values["series_level"], values["series_member"]),
            {"cutoff": values["cutoff_date"], "model": [], "baseline": [], "details": {}},
        )
        item["baseline" if values["is_baseline"] else "model"].append(values["mape_pct"])
        if not values["is_baseline"]:
            item["details"] = {c: values[c] for c in BACKTEST_COLUMNS}
    out = []
    for (level, member), item in sorted(series.items(), key=lambda s: (_level_order(s[0][0]), s[0][1])):
        mapes = [_average(item["model"]), _average(item["baseline"])]
        details = [item["details"].get(c) for c in BACKTEST_COLUMNS]
        out.append((series_key(level, member), member, *mapes, *details, item["cutoff"]))
    return frame(
        out,
        [
            SERIES_KEY,
            header(BACKTEST, "series_member"),
            *MAPES,
            *(header(BACKTEST, c) for c in BACKTEST_COLUMNS),
            header(BACKTEST, "cutoff_date"),
        ],
    )


def _average(values: list[Any]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return ratio(sum(present, Decimal(0)), len(present)) if present else None


def budget_year(session: Session) -> int:
    """The year the budget covers (where its months start): the year the projected full year is
    compared with the budget. Without a budget, the as-of year."""
    months = budget_months(session)
    return months[0].year if months else load_calendar(session).as_of.year


def forecast(
    filters: Filters, scope: Scope, *, reader: Reader | Session | None = None, series: str | None = None
) -> Page:
    """The Forecast page: the series offered (``series``, not a visual) with the one shown; KPI
    cards of that series (the budget year's projected full year against budget, backtest MAPE of
    the model and of the seasonal-naive baseline); its months (actual, forecast, 80 % and 95 %
    intervals); projected full year vs budget per series; the backtest per series.

    ``series`` (``level:member``, e.g. ``category:Bikes``) picks the series; one that is not offered
    (outside the scope or the filters) gives the first offered: the total, else the first category
    (the category filter's), else the first territory (the region's)."""
    session = session_of(reader)
    year = budget_year(session)
    offered = forecast_series(filters, scope, session)
    chosen = _chosen(offered, series)
    offered["Selected"] = pd.Series(
        [key == series_key(*chosen) if chosen else False for key in offered[SERIES_KEY]], dtype=bool
    )
    return {
        "series": offered,
        "kpis": _forecast_kpis(filters, scope, session, chosen, year),
        "forecast_by_month": _forecast_by_month(filters, scope, session, chosen),
        "projected_vs_budget": _projected_vs_budget(filters, scope, session, year),
        "backtest": _backtest(filters, scope, session),
    }


# --------------------------------------------------------------------------- clients

CLIENT_KPIS = (
    "Segmented Clients",
    "At-Risk Clients",
    "At-Risk %",
    "Sales At Risk",
    "New Clients",
    "Lost Clients",
)
SEGMENT_MEASURES = ("Segmented Clients", "At-Risk Clients", "Sales At Risk")
ACTIVITY_MEASURES = {  # Power BI measure -> the Client Activity column it sums
    "New Clients": "new_clients",
    "Returning Clients": "returning_clients",
    "Reactivated Clients": "reactivated_clients",
    "Lost Clients": "lost_clients",
}
#: The at-risk table's columns: (model table whose name users see, view column). Why a client is at
#: risk comes right after who they are: the RFM segment ranks a client against the others over two
#: years, the at-risk rule against their own history, so a Champion or a Loyal client who went
#: quiet or buys much less than they used to is at risk, and the table says so.
AT_RISK_COLUMNS: tuple[tuple[str, str], ...] = (
    (CUSTOMER, "customer_key"),
    (CUSTOMER, "customer_label"),
    (CUSTOMER, "customer_type"),
    (TERRITORY, "territory_code"),
    (SEGMENTS, "rfm_segment"),
    (SEGMENTS, "at_risk_rule"),
    (SEGMENTS, "at_risk_reason"),
    (SEGMENTS, "recency_days"),
    (SEGMENTS, "usual_order_interval_days"),
    (SEGMENTS, "sales_trend_ratio"),
)
#: Rows of the at-risk table at most (the most valuable first).
AT_RISK_LIMIT = 1_000


def _segment_sums(found: Query) -> list[str]:
    """Segmented Clients (client rows), At-Risk Clients, Sales At Risk; blank over no rows."""
    at_risk = found.col("is_at_risk")
    return [
        "sum(1)",
        f"sum(case when {at_risk} then 1 end)",
        f"sum(case when {at_risk} then {found.col('annual_sales_at_risk_amount')} end)",
    ]


def _client_kpis(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    segments = query(SEGMENTS, filters, scope)
    evaluated = f"sum(case when {segments.col('is_at_risk_evaluated')} then 1 end)"
    clients, at_risk, amount, judged = segments.run(session, [*_segment_sums(segments), evaluated])[0]
    activity = query(ACTIVITY, filters, scope)
    new, lost = activity.run(
        session, [f"sum({activity.col(ACTIVITY_MEASURES[m])})" for m in ("New Clients", "Lost Clients")]
    )[0]
    return frame([(clients, at_risk, ratio(at_risk, judged), amount, new, lost)], CLIENT_KPIS)


def _clients_by_segment(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    found = query(SEGMENTS, filters, scope)
    segment, order = found.col("rfm_segment"), found.col("rfm_segment_order")
    rows = found.run(
        session, [segment, *_segment_sums(found)], group_by=[segment, order], order_by=[order, segment]
    )
    return frame(rows, [header(SEGMENTS, "rfm_segment"), *SEGMENT_MEASURES])


def _segments_by_client_type(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    found = query(SEGMENTS, filters, scope)
    segment, order, kind = (
        found.col("rfm_segment"),
        found.col("rfm_segment_order"),
        found.col("customer_type"),
    )
    rows = found.run(
        session,
        [segment, kind, "sum(1)"],
        group_by=[segment, order, kind],
        order_by=[order, segment, kind],
    )
    return frame(
        rows, [header(SEGMENTS, "rfm_segment"), header(CUSTOMER, "customer_type"), "Segmented Clients"]
    )


def _activity_by_month(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    found = query(ACTIVITY, filters, scope)
    found.join(DATE, "d")
    month = found.col("year_month_name", DATE, "d")
    order = found.col("year_month_sort", DATE, "d")
    sums = [f"sum({found.col(c)})" for c in ACTIVITY_MEASURES.values()]
    rows = found.run(session, [month, *sums], group_by=[month, order], order_by=[order])
    return frame(rows, [header(DATE, "year_month_name"), *ACTIVITY_MEASURES])


def _acquired_by_rep(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    """Clients acquired per rep in the date range, most first: only reps who acquired some (the
    view has a row for every rep and month, managers and Unassigned included, mostly zeros)."""
    found = query(ACQUISITION, filters, scope)
    key, name = found.col("sales_rep_key"), found.col("sales_rep_name")
    acquired = f"sum({found.col('new_clients')})"
    rows = found.run(
        session, [key, name, acquired], group_by=[key, name], order_by=[f"{acquired} desc", name]
    )
    rows = [row for row in rows if row[2]]
    return frame(
        rows, [header(SALES_REP, "sales_rep_key"), header(SALES_REP, "full_name"), "Clients Acquired"]
    )


def _at_risk_clients(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    found = query(SEGMENTS, filters, scope)
    found.where(f"{found.col('is_at_risk')}")
    amount, name = found.col("annual_sales_at_risk_amount"), found.col("customer_label")
    sql, params = found.sql(
        [*(found.col(source) for _, source in AT_RISK_COLUMNS), amount],
        order_by=[f"{amount} desc nulls last", name, found.col("customer_key")],
    )
    rows = session.query(f"{sql}\nlimit ?", [*params, AT_RISK_LIMIT])
    # a client's Sales At Risk: the measure over their row, a year of their usual buying
    names = [header(table, source) for table, source in AT_RISK_COLUMNS]
    return frame(rows, [*names, "Sales At Risk"])


def clients(filters: Filters, scope: Scope, *, reader: Reader | Session | None = None) -> Page:
    """The Clients page: KPI cards; clients by RFM segment (in segment order); segment x client
    type; new, returning, reactivated and lost clients by month; clients acquired per sales rep;
    the at-risk clients (most valuable first). Segments and at-risk are as of the as-of date;
    activity and acquisition follow the date filter (months whose first day is in the range)."""
    session = session_of(reader)
    return {
        "kpis": _client_kpis(filters, scope, session),
        "clients_by_segment": _clients_by_segment(filters, scope, session),
        "segments_by_client_type": _segments_by_client_type(filters, scope, session),
        "client_activity_by_month": _activity_by_month(filters, scope, session),
        "clients_acquired_by_rep": _acquired_by_rep(filters, scope, session),
        "at_risk_clients": _at_risk_clients(filters, scope, session),
    }


# --------------------------------------------------------------------------- campaigns

EFFECTIVENESS_COLUMNS: tuple[tuple[str, str], ...] = (
    (CAMPAIGN, "campaign_key"),
    (CAMPAIGN, "campaign_name"),
    (EFFECTIVENESS, "target_category"),
    (CAMPAIGN, "start_date"),
    (EFFECTIVENESS, "window_end_date"),
)
EFFECTIVENESS_SUMS = (  # Power BI measures and model columns -> the Campaign Effectiveness column summed
    ("Campaign Window Sales", "net_sales_amount"),
    (header(EFFECTIVENESS, "orders"), "orders"),
    (header(EFFECTIVENESS, "units"), "units"),
    ("Campaign New Clients", "new_clients"),
    ("Campaign Expected Sales", "expected_net_sales_amount"),
    ("Campaign Incremental Sales", "incremental_net_sales_amount"),
)
UPLIFT = "Campaign Sales Uplift %"


def _with_baseline(found: Query) -> str:
    """Campaign Sales With Baseline: window sales of the campaigns that have an expected value."""
    expected = found.col("expected_net_sales_amount")
    return f"sum(case when {expected} is not null then {found.col('net_sales_amount')} end)"


def _sort_uplift(rows: list[tuple[Any, ...]], position: int) -> list[tuple[Any, ...]]:
    """Largest uplift first, campaigns without one last (as the Power BI visual sorts)."""
    valued = sorted((r for r in rows if r[position] is not None), key=lambda r: r[position], reverse=True)
    return valued + [r for r in rows if r[position] is None]


def campaign_effectiveness(filters: Filters, scope: Scope, session: Session) -> pd.DataFrame:
    """Per campaign that started by the as-of date (company-wide, for every role): its scope and
    window, window sales, orders, units and new clients, the sales expected without it, the
    difference, and the sales uplift (window / expected sales: ``sales_uplift`` for one campaign);
    largest uplift first. Only the Campaign filter applies."""
    found = query(EFFECTIVENESS, filters, scope)
    attributes = [found.col(source) for _, source in EFFECTIVENESS_COLUMNS]
    method = found.col("baseline_method")
    sums = [f"sum({found.col(source)})" for _, source in EFFECTIVENESS_SUMS]
    rows = found.run(
        session,
        [*attributes, method, *sums, _with_baseline(found)],
        group_by=[*attributes, method],
        order_by=[found.col("start_date"), found.col("campaign_name")],
    )
    expected = [name for name, _ in EFFECTIVENESS_SUMS].index("Campaign Expected Sales")
    first, width = len(attributes) + 1, len(attributes) + 1 + len(sums)
    out = [
        (*row[: first - 1], *row[first:width], ratio(row[width], row[first + expected]), row[first - 1])
        for row in rows
    ]
    names = [header(table, source) for table, source in EFFECTIVENESS_COLUMNS]
    measures = [name for name, _ in EFFECTIVENESS_SUMS]
    return frame(
        _sort_uplift(out, width - 1), [*names, *measures, UPLIFT, header(EFFECTIVENESS, "baseline_method")]
    )


def campaign_totals(effectiveness: pd.DataFrame) -> dict[str, Any]:
    """Campaign Incremental Sales and Campaign Sales Uplift % over the campaigns of
    ``campaign_effectiveness`` (exact sums of its rows)."""
    rows = effectiveness.to_dict("records")
    incremental = [
        r["Campaign Incremental Sales"] for r in rows if r["Campaign Incremental Sales"] is not None
    ]
    expected = [r["Campaign Expected Sales"] for r in rows if r["Campaign Expected Sales"] is not None]
    with_baseline = [
        r["Campaign Window Sales"]
        for r in rows
        if r["Campaign Expected Sales"] is not None and r["Campaign Window Sales"] is not None
    ]

    def total(values: list[Any]) -> Any:
        return sum(values[1:], values[0]) if values else None

    return {
        "Campaign Incremental Sales": total(incremental),
        UPLIFT: ratio(total(with_baseline), total(expected)),
    }
