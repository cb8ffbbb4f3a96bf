"""Evaluate the measures of measures.yml for ``Filters`` + ``Scope``, optionally grouped.

``evaluate(["Sales", "Budget", "Attainment %"], filters, scope, by=[("Date", "Year Month Name")])``
returns one row per group (model names as headers), as a Power BI visual would show it: groups
where every asked measure is blank are left out. Every kind follows the header of measures.yml:

- aggregate: SQL aggregates over ``reporting.sales``, joined to the dimensions used only, or over
  the smallest aggregate of it that gives the same numbers (``salespulse.web.query.aggregates``,
  ``salespulse.web.query.sources``);
- budget: sums over ``reporting.budget`` with the budget-grain rule (``salespulse.web.query.budget``);
- time: the base over a shifted date range (``salespulse.web.query.timeintel``);
- difference, ratio: from their operands here, with ``decimal.Decimal``; a ratio is rounded half
  up to 6 places like the warehouse's ``ratio_of`` macro.

Values are ``Decimal`` (amounts, ratios), ``int`` (counts) or ``None`` (blank).

``evaluate_many`` evaluates several datasets (``Request``) at once, as a page does: their lookups
are read once, and their aggregates share statements where they can (``run_parts``). A top N of a
dimension's members (the largest clients) is ranked first and its other measures computed for
those members only (``_narrowed``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from operator import itemgetter
from typing import Any

import pandas as pd

from salespulse.semantic import Measure, load_measures, load_model
from salespulse.web.query.aggregates import Dates, Key, Part, Rank, Values, run_parts
from salespulse.web.query.budget import budget_values
from salespulse.web.query.filters import FILTER_COLUMNS, Filters, Scope
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.sources import (
    CAMPAIGN,
    CLIENT_BOUNDS,
    CLIENT_KEYS_MONTHLY,
    CUSTOMER,
    GEOGRAPHY,
    PRODUCT,
    RANK_SORTED,
    SALES,
    SALES_REP,
    TERRITORY,
    Available,
    Need,
    Source,
    choose,
    load_available,
    rollup_rows,
)
from salespulse.web.query.sqlbuild import (
    GroupColumn,
    Select,
    filter_rows,
    group_columns,
    ident,
    scope_rows,
    sort_columns,
)
from salespulse.web.query.timeintel import EXACT, Calendar, TimePlan, finish_time, load_calendar, plan_time

RATIO_PLACES = Decimal("0.000001")
DERIVED = ("difference", "ratio")


@cache
def catalog() -> dict[str, Measure]:
    """Every measure of measures.yml this evaluator can compute, by name: aggregates (sum, distinct
    count) over Order Lines, the budget, and the measures derived from those. DAX-only measures and
    the analytics measures over other model tables (forecast, client segments, campaign
    effectiveness: Power BI's) are left out."""
    measures = {m.name: m for m in load_measures()}

    def computable(item: Measure) -> bool:
        if item.kind == "dax":
            return False
        if item.kind == "aggregate":
            return item.spec["table"] == "Order Lines" and item.spec["function"] in ("sum", "distinct_count")
        return all(computable(measures[name]) for name in item.depends_on)

    return {name: item for name, item in measures.items() if computable(item)}


def measure(name: str) -> Measure:
    try:
        return catalog()[name]
    except KeyError:
        raise KeyError(f"no measure {name!r} in measures.yml (or it is DAX-only)") from None


def closure(names: Sequence[str], *, into_time: bool = False) -> list[Measure]:
    """The measures ``names`` need, dependencies first. Without ``into_time`` a time measure's
    base is not included: it is evaluated in the shifted context, by ``timeintel``."""
    ordered: list[Measure] = []

    def visit(name: str) -> None:
        item = measure(name)
        if item in ordered:
            return
        if item.kind in DERIVED or (into_time and item.kind == "time"):
            for dependency in item.depends_on:
                visit(dependency)
        ordered.append(item)

    for name in names:
        visit(name)
    return ordered


def difference(left: Any, right: Any) -> Any:
    """left - right; blank when right is blank (a blank left counts as 0, as in DAX)."""
    if right is None:
        return None
    return (left or 0) - right


def ratio(numerator: Any, denominator: Any, *, blank_as_zero: bool = False) -> Decimal | None:
    """numerator / denominator rounded half up to 6 places; blank when the denominator is blank
    or zero, or the numerator is blank (unless it counts as 0)."""
    if numerator is None and blank_as_zero:
        numerator = 0
    if numerator is None or denominator is None or denominator == 0:
        return None
    exact = EXACT.divide(Decimal(numerator), Decimal(denominator))
    return exact.quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def derive(row: dict[str, Any], measures: Sequence[Measure]) -> None:
    """Compute the derived measures of ``measures`` (in order) into ``row``."""
    for item in measures:
        spec = item.spec
        if item.kind == "difference":
            row[item.name] = difference(row.get(spec["left"]), row.get(spec["right"]))
        elif item.kind == "ratio":
            row[item.name] = ratio(
                row.get(spec["numerator"]),
                row.get(spec["denominator"]),
                blank_as_zero=bool(spec.get("numerator_blank_as_zero")),
            )


def _base_closure(name: str) -> list[Measure]:
    found = closure([name], into_time=True)
    unsupported = [m.name for m in found if m.kind not in ("aggregate", *DERIVED)]
    if unsupported:
        raise ValueError(f"time measures over {unsupported} are not supported (aggregates and derived only)")
    return found


def _merge(parts: Sequence[Values], grouped: bool) -> Values:
    rows: Values = {} if grouped else {(): {}}
    for part in parts:
        for key, values in part.items():
            rows.setdefault(key, {}).update(values)
    return rows


Item = tuple[Key, dict[str, Any]]


def _ascending(items: list[Item], positions: Sequence[int]) -> list[Item]:
    """``items`` sorted by their key's values at ``positions``, blanks last."""
    if not positions:
        return items
    if all(k[i] is not None for k, _ in items for i in positions):
        get = itemgetter(*positions)
        return sorted(items, key=lambda item: get(item[0]))
    return sorted(items, key=lambda item: tuple(_blank_last(item[0][i]) for i in positions))


def _blank_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def _order(
    items: list[Item], groups: Sequence[GroupColumn], order_by: str | None, descending: bool
) -> list[Item]:
    """Sort by the group columns (their model sort columns where they have one), then by
    ``order_by``, blanks last (a stable sort keeps ties in group order)."""
    positions = {(g.table, g.column.name): i for i, g in enumerate(groups)}
    sort_positions = [
        positions.get((g.table, g.column.sort_by), i) if g.column.sort_by else i
        for i, g in enumerate(groups)
        if not g.label.startswith("__sort ")
    ]
    items = _ascending(items, sort_positions)
    if order_by:
        blank = [item for item in items if item[1][order_by] is None]
        valued = [item for item in items if item[1][order_by] is not None]
        items = sorted(valued, key=lambda item: item[1][order_by], reverse=descending) + blank
    return items


def _column(values: list[Any]) -> pd.Series:
    if any(v is None for v in values) or any(isinstance(v, Decimal) for v in values):
        return pd.Series(values, dtype=object)
    return pd.Series(values)


Pair = tuple[str, str]


@dataclass(frozen=True)
class Request:
    """One dataset: ``evaluate``'s arguments. ``newest``: keep only the groups of the ``n`` newest
    values of a grouped column (ties included), e.g. the last 1 000 order lines by Order Date."""

    measures: tuple[str, ...]
    filters: Filters
    by: tuple[Pair, ...] = ()
    top: int | None = None
    order_by: str | None = None
    descending: bool = True
    newest: tuple[Pair, int] | None = None


@dataclass(eq=False)
class _Plan:
    request: Request
    names: list[str]
    order_by: str | None
    groups: tuple[GroupColumn, ...]
    all_groups: tuple[GroupColumn, ...]
    needed: list[Measure]
    parts: list[Part] = field(default_factory=list)
    ranked: Values | None = None  # a ranking computed from upper bounds (top clients)
    time: TimePlan | None = None

    def of_kind(self, *kinds: str) -> list[Measure]:
        return [m for m in self.needed if m.kind in kinds]


def _validated(request: Request, scope: Scope) -> _Plan:
    if not isinstance(request.filters, Filters):
        raise TypeError("filters must be a salespulse.web.Filters")
    if not isinstance(scope, Scope):
        raise TypeError("scope must be a salespulse.web.Scope: row-level security is not optional")
    top = request.top
    if top is not None and (not isinstance(top, int) or top < 1):
        raise ValueError("top must be a positive integer")
    measures = [request.measures] if isinstance(request.measures, str) else list(request.measures)
    names = list(dict.fromkeys(measures))
    order_by = request.order_by
    if order_by is None and top is not None:
        order_by = names[0]
    if order_by is not None and order_by not in names:
        names.append(order_by)
    groups = group_columns(request.by)
    all_groups = (*groups, *sort_columns(groups))
    return _Plan(request, names, order_by, groups, all_groups, closure(names))


def evaluate(
    measures: Sequence[str],
    filters: Filters,
    scope: Scope,
    *,
    by: Sequence[tuple[str, str]] = (),
    top: int | None = None,
    order_by: str | None = None,
    descending: bool = True,
    reader: Reader | Session | None = None,
) -> pd.DataFrame:
    """The ``measures`` (names of measures.yml) for ``filters`` within ``scope``.

    ``by``: model (table, column) pairs to group by, e.g. ``("Date", "Year Month Name")``,
    ``("Customer", "Client")``; rows come sorted by them (by their sort column where the model has
    one, e.g. months in calendar order). ``order_by``: a measure to sort by, largest first (smallest
    first with ``descending=False``; blanks last either way); ``top``: keep the first that many rows
    of that order (``order_by`` defaults to the first measure). Without ``by`` the result is one
    row, even when blank. Unknown measures or columns raise ``KeyError``.
    """
    if isinstance(measures, str):
        measures = [measures]
    request = Request(tuple(measures), filters, tuple(by), top, order_by, descending)
    return evaluate_many({"": request}, scope, reader=reader)[""]


@dataclass(frozen=True)
class _ShareOfAll:
    """A ratio whose denominator ignores one table's filters and groups (measures.yml
    ``denominator_all``; DAX ``CALCULATE ( [denominator], REMOVEFILTERS ( 'table' ) )``): Campaign
    Share % of a campaign's row is its sales over all sales of the same context, not over its own."""

    dataset: str
    measure: str
    numerator: str
    kept: tuple[Pair, ...]  # the groups the denominator keeps (those not on the table)
    denominator: Request

    @property
    def key(self) -> str:
        return f"{self.dataset}\x00{self.measure} of all"


def _shares_of_all(requests: Mapping[str, Request]) -> list[_ShareOfAll]:
    shares = []
    for name, request in requests.items():
        for item in closure(request.measures):
            table = item.spec.get("denominator_all") if item.kind == "ratio" else None
            if not table:
                continue
            if request.order_by == item.name or request.newest is not None:
                raise ValueError(f"{item.name!r} (a share of all {table}) cannot order or cut a dataset")
            kept = tuple(pair for pair in request.by if pair[0] != table)
            denominator = Request((item.spec["denominator"],), request.filters.without(table), kept)
            shares.append(_ShareOfAll(name, item.name, item.spec["numerator"], kept, denominator))
    return shares


def evaluate_many(
    requests: Mapping[str, Request], scope: Scope, *, reader: Reader | Session | None = None
) -> dict[str, pd.DataFrame]:
    """``{name: evaluate(...)}`` of several datasets, with shared lookups and statements. A share of
    all (``denominator_all``) is computed from a second dataset of its denominator without that
    table's filters and groups, evaluated with the others."""
    shares = _shares_of_all(requests)
    if not shares:
        return _evaluate_all(requests, scope, session_of(reader))
    everything = dict(requests)
    added: dict[str, set[str]] = {}
    for share in shares:
        request = everything[share.dataset]
        if share.numerator not in request.measures:
            everything[share.dataset] = replace(request, measures=(*request.measures, share.numerator))
            added.setdefault(share.dataset, set()).add(share.numerator)
        everything[share.key] = share.denominator
    frames = _evaluate_all(everything, scope, session_of(reader))
    for share in shares:
        frame, whole = frames[share.dataset], frames.pop(share.key)
        columns = [column for _, column in share.kept]
        totals = {
            tuple(row[:-1]): row[-1]
            for row in whole[[*columns, share.denominator.measures[0]]].itertuples(index=False)
        }
        keys = frame[columns].itertuples(index=False) if columns else [()] * len(frame)
        frame[share.measure] = pd.Series(
            [
                ratio(part, totals.get(tuple(key)))
                for part, key in zip(frame[share.numerator], keys, strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
    for dataset, names in added.items():
        frames[dataset] = frames[dataset].drop(columns=sorted(names))
    return frames


def _evaluate_all(requests: Mapping[str, Request], scope: Scope, session: Session) -> dict[str, pd.DataFrame]:
    requests = {name: _narrowed(request, scope, session) for name, request in requests.items()}
    plans = {name: _validated(request, scope) for name, request in requests.items()}
    available = load_available(session)
    calendar = (
        load_calendar(session)
        if available.sources or any(p.of_kind("time") for p in plans.values())
        else None
    )
    model = load_model()

    def planner(
        measures: Sequence[Measure],
        groups: Sequence[GroupColumn],
        filters: Filters,
        windows: Sequence[tuple[date, date]],
    ) -> list[tuple[Source | None, bool | None, list[Measure]]]:
        need = Need(tuple(measures), _pairs(groups), filters, scope, tuple(windows))
        windowed = tuple(s for s in available.sources if s.dates in ("day", "month"))
        return _by_source(measures, need, available, calendar, model, windowed)

    parts: list[Part] = []
    for plan in plans.values():
        aggregates = plan.of_kind("aggregate")
        if aggregates and _ranks_clients(plan, available):
            plan.ranked = _top_clients(session, plan, scope, available, calendar, model)
        elif aggregates:
            plan.parts = _aggregate_parts(plan, aggregates, scope, available, calendar, model)
            parts += plan.parts
        if plan.of_kind("time"):
            assert calendar is not None
            plan.time = plan_time(
                session,
                plan.of_kind("time"),
                plan.request.filters,
                scope,
                plan.all_groups,
                calendar.as_of,
                _base_closure,
                planner,
            )
            if plan.time is not None:
                parts += plan.time.parts
    run_parts(session, parts)  # every dataset's aggregates, few statements

    frames: dict[str, pd.DataFrame] = {}
    for name, plan in plans.items():
        request = plan.request
        results = [part.result for part in plan.parts]
        if plan.ranked is not None:
            results.append(plan.ranked)
        results.append(
            budget_values(session, plan.of_kind("budget"), request.filters, scope, plan.all_groups)
        )
        if plan.time is not None:
            results.append(finish_time(plan.time, derive))
        frames[name] = _frame(plan, _merge(results, grouped=bool(plan.all_groups)))
    return frames


#: The filter of each dimension key a dataset may be grouped by: ``Customer Key`` -> customer_keys.
_KEY_FILTERS = {pair: name for name, pair in FILTER_COLUMNS.items() if name.endswith("_keys")}
#: Members a top N is narrowed to at most (they become bound values of one statement).
NARROW_MAX = 1_000


def _narrowed(request: Request, scope: Scope, session: Session) -> Request:
    """A top N of a dimension's members (the 500 largest clients of 400 000), as the same request
    restricted to the members that make the top, found first by the sorting measure alone.

    The ranking is cheap (an aggregate, or the clients' sales bounds) while the other measures may
    not be (distinct counts, last year's values: a pass over the order lines per member); computed
    for the top members only they cost a pass over those members' rows. The result is the same:
    the members are those the full ranking keeps (ties broken alike), and every measure of a member
    is computed on all of its rows. A ranking with fewer than N members (the sorting measure blank
    for some) is left whole: members with a blank sorting measure would make the top.
    """
    top = request.top
    if top is None or top > NARROW_MAX or request.newest is not None:
        return request
    plan = _validated(request, scope)
    if plan.order_by is None or measure(plan.order_by).kind != "aggregate" or len(plan.needed) == 1:
        return request
    if len(plan.all_groups) != 1:
        return request
    group = plan.all_groups[0]
    name = _KEY_FILTERS.get((group.table, group.source))
    if name is None or 0 < len(getattr(request.filters, name)) <= top:
        return request
    ranking = Request((plan.order_by,), request.filters, request.by, top, plan.order_by, request.descending)
    ranked = evaluate_many({"": ranking}, scope, reader=session)[""]
    if len(ranked) < top:
        return request
    keys = tuple(int(key) for key in ranked[group.label])
    return replace(request, filters=replace(request.filters, **{name: keys}))


def _pairs(groups: Sequence[GroupColumn]) -> tuple[Pair, ...]:
    return tuple((g.table, g.source) for g in groups)


def _by_source(
    measures: Sequence[Measure],
    need: Need,
    available: Available,
    calendar: Calendar | None,
    model: Any,
    candidates: Sequence[Source] | None = None,
) -> list[tuple[Source | None, bool | None, list[Measure]]]:
    """The measures grouped by the source each is read from, with the rows to read there."""
    first_month = calendar.first.replace(day=1) if calendar else None
    as_of = calendar.as_of if calendar else None
    chosen: dict[Source | None, list[Measure]] = {}
    for item in measures:
        source = choose(
            item,
            need,
            available,
            model,
            first_month,
            as_of,
            candidates if candidates is not None else available.sources,
        )
        chosen.setdefault(source, []).append(item)
    return [
        (source, rollup_rows(source, need) if source is not None else None, items)
        for source, items in chosen.items()
    ]


def _aggregate_parts(
    plan: _Plan,
    aggregates: list[Measure],
    scope: Scope,
    available: Available,
    calendar: Calendar | None,
    model: Any,
) -> list[Part]:
    request = plan.request
    filters = request.filters
    need = Need(
        tuple(aggregates), _pairs(plan.all_groups), filters, scope, ((filters.date_from, filters.date_to),)
    )
    first_month = calendar.first.replace(day=1) if calendar else None
    dates = Dates(first_month, filters.date_from, filters.date_to)
    parts = [
        Part(source, items, plan.all_groups, filters, scope, all_values, dates=dates)
        for source, all_values, items in _by_source(aggregates, need, available, calendar, model)
    ]
    if len(parts) == 1:
        only = parts[0]
        if request.top is not None and plan.order_by is not None and len(plan.needed) == len(aggregates):
            only.rank = Rank(request.top, request.descending, measure=plan.order_by)
        elif request.newest is not None:
            (table, column), limit = request.newest
            found = [g for g in plan.all_groups if (g.table, g.column.name) == (table, column)]
            if found:
                only.rank = Rank(limit, True, column=found[0])
    return parts


# --------------------------------------------------------------------------- top clients


def _ranks_clients(plan: _Plan, available: Available) -> bool:
    """A top-N of client names (or keys: one per name) by a sum of net sales, every measure an
    aggregate: ranked from upper bounds (``web_client_sales``), then exact sales of the names that
    can make the top."""
    request = plan.request
    if request.top is None or not request.descending or plan.order_by is None:
        return False
    if not available.has(CLIENT_BOUNDS) or len(plan.needed) != len(plan.of_kind("aggregate")):
        return False
    grouped = [(g.table, g.source) for g in plan.all_groups]
    by_key = grouped == [(CUSTOMER, "customer_key")] and available.has(CLIENT_KEYS_MONTHLY)
    if grouped != [(CUSTOMER, "customer_label")] and not by_key:
        return False
    spec = measure(plan.order_by).spec
    if spec.get("function") != "sum" or spec.get("column") not in CLIENT_BOUNDS.sums:
        return False
    # bounds that ignore a filter (a product, a city...) are too loose to be worth it
    model = load_model()
    filters = request.filters
    return all(
        CLIENT_BOUNDS.resolves(table, column, model)
        for table in (CUSTOMER, PRODUCT, SALES_REP, GEOGRAPHY, TERRITORY, CAMPAIGN)
        for column, _ in filters.on(table)
    )


#: Candidates per row asked for. When they do not settle the ranking, the ranking is computed in
#: full (ranked in SQL) rather than with more candidates: by then the filters are selective or the
#: bounds loose, and a full ranking costs less than more rounds.
_CANDIDATES_PER_ROW = 8


def _top_clients(
    session: Session,
    plan: _Plan,
    scope: Scope,
    available: Available,
    calendar: Calendar | None,
    model: Any,
) -> Values:
    """The measures of the client names that can be in the top ``request.top``.

    A name's bound (its positive net sales of all dates, in the filters the bounds can apply) is at
    least its sales in any context. Candidates are the names with the largest bounds; once the
    ``top``-th largest exact value among them exceeds the largest bound left out, no other name can
    enter the top (ties included), and the candidates' rows give exactly the full ranking's top.
    """
    request = plan.request
    top = request.top
    assert top is not None and plan.order_by is not None
    aggregates = plan.of_kind("aggregate")
    count = top * _CANDIDATES_PER_ROW
    filters = request.filters
    need = Need(
        tuple(aggregates),
        _pairs(plan.all_groups),
        filters,
        scope,
        ((filters.date_from, filters.date_to),),
        ((CUSTOMER, "customer_label"),),
    )
    first_month = calendar.first.replace(day=1) if calendar else None
    dates = Dates(first_month, filters.date_from, filters.date_to)
    # the ranking sources first: sorted by rank, they read the candidates' rows only
    sources = _by_source(
        aggregates, need, available, calendar, model, (*available.ranking, *available.sources)
    )
    bounds = _client_bounds(session, filters, scope, count + 1)
    candidates = bounds[:count]
    if not candidates:
        return {}
    parts = []
    for source, all_values, items in sources:
        part = Part(source, items, plan.all_groups, filters, scope, all_values, dates=dates)
        if source in RANK_SORTED:  # sorted by client rank: read the candidates' rows only
            part.extra_columns = (("client_rank", tuple(rank for _, rank, _ in candidates)),)
        else:
            part.extra = (((CUSTOMER, "customer_label"), tuple(name for name, _, _ in candidates)),)
        parts.append(part)
    run_parts(session, parts)
    found = _merge([part.result for part in parts], grouped=True)
    if len(bounds) <= count:
        return found  # every name is a candidate
    exact = sorted(
        (v[plan.order_by] for v in found.values() if v.get(plan.order_by) is not None), reverse=True
    )
    if len(exact) >= top and exact[top - 1] > bounds[count][2]:
        return found
    plan.parts = _aggregate_parts(plan, aggregates, scope, available, calendar, model)
    run_parts(session, plan.parts)
    return {}


def _client_bounds(
    session: Session, filters: Filters, scope: Scope, limit: int
) -> list[tuple[str, int, Any]]:
    """(client name, client rank, upper bound of its net sales), largest bound first (at most
    ``limit``); the bounds apply the filters but the dates, and the scope."""
    select = Select(SALES, source=CLIENT_BOUNDS)
    filter_rows(select, filters, dates=False, lenient=True)
    scope_rows(select, scope)
    name = select.ref(CUSTOMER, "customer_label")
    rank = f"s.{ident('client_rank')}"
    if not select.conditions:
        # nothing narrows the bounds: they are the all-dates sums the ranks number, largest first
        # (the table is sorted by rank: only the first rows are read)
        select.where(f"{rank} <= ?", limit)
    bound = f"sum(s.{ident(CLIENT_BOUNDS.sums['net_sales_amount'])})"
    sql, params = select.render([name, rank, f"{bound} as bound"], group_by=[name, rank])
    rows = session.query(f"{sql}\norder by bound desc\nlimit ?", [*params, limit])
    return [(row[0], row[1], row[2]) for row in rows]


# --------------------------------------------------------------------------- results


def _frame(plan: _Plan, rows: Values) -> pd.DataFrame:
    derived = plan.of_kind(*DERIVED)
    for values in rows.values():
        for item in plan.needed:
            values.setdefault(item.name, None)
        derive(values, derived)
    request = plan.request
    measures = list(
        dict.fromkeys([request.measures] if isinstance(request.measures, str) else request.measures)
    )
    items = list(rows.items())
    if plan.all_groups:
        items = [item for item in items if any(item[1][n] is not None for n in measures)]
        items = _order(items, plan.all_groups, plan.order_by, request.descending)
        if request.top is not None:
            items = items[: request.top]
    data = {g.label: _column([key[i] for key, _ in items]) for i, g in enumerate(plan.groups)}
    data |= {name: _column([values[name] for _, values in items]) for name in measures}
    return pd.DataFrame(data, columns=[*(g.label for g in plan.groups), *measures])
