"""Evaluate the measures of measures.yml for ``Filters`` + ``Scope``, optionally grouped.

``evaluate(["Sales", "Budget", "Attainment %"], filters, scope, by=[("Date", "Year Month Name")])``
returns one row per group (model names as headers), as a Power BI visual would show it: groups
where every asked measure is blank are left out. Every kind follows the header of measures.yml:

- aggregate: SQL aggregates over ``reporting.sales``, joined to the dimensions used only
  (``salespulse.web.aggregates``);
- budget: sums over ``reporting.budget`` with the budget-grain rule (``salespulse.web.budget``);
- time: the base over a shifted date range (``salespulse.web.timeintel``);
- difference, ratio: from their operands here, with ``decimal.Decimal``; a ratio is rounded half
  up to 6 places like the warehouse's ``ratio_of`` macro.

Values are ``Decimal`` (amounts, ratios), ``int`` (counts) or ``None`` (blank).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from operator import itemgetter
from typing import Any

import pandas as pd

from salespulse.semantic import Measure, load_measures
from salespulse.web.aggregates import Key, Values, aggregate_values
from salespulse.web.budget import budget_values
from salespulse.web.filters import Filters, Scope
from salespulse.web.readers import Reader, default_reader
from salespulse.web.sqlbuild import GroupColumn, group_columns, sort_columns
from salespulse.web.timeintel import EXACT, load_calendar, time_values

RATIO_PLACES = Decimal("0.000001")
DERIVED = ("difference", "ratio")


@cache
def catalog() -> dict[str, Measure]:
    """Every measure of measures.yml the warehouse can compute, by name."""
    return {m.name: m for m in load_measures() if m.kind != "dax"}


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


def evaluate(
    measures: Sequence[str],
    filters: Filters,
    scope: Scope,
    *,
    by: Sequence[tuple[str, str]] = (),
    top: int | None = None,
    order_by: str | None = None,
    descending: bool = True,
    reader: Reader | None = None,
) -> pd.DataFrame:
    """The ``measures`` (names of measures.yml) for ``filters`` within ``scope``.

    ``by``: model (table, column) pairs to group by, e.g. ``("Date", "Year Month Name")``,
    ``("Customer", "Client")``; rows come sorted by them (by their sort column where the model has
    one, e.g. months in calendar order). ``order_by``: a measure to sort by, largest first (smallest
    first with ``descending=False``; blanks last either way); ``top``: keep the first that many rows
    of that order (``order_by`` defaults to the first measure). Without ``by`` the result is one
    row, even when blank. Unknown measures or columns raise ``KeyError``.
    """
    if not isinstance(filters, Filters):
        raise TypeError("filters must be a salespulse.web.Filters")
    if not isinstance(scope, Scope):
        raise TypeError("scope must be a salespulse.web.Scope: row-level security is not optional")
    if top is not None and (not isinstance(top, int) or top < 1):
        raise ValueError("top must be a positive integer")
    if isinstance(measures, str):
        measures = [measures]
    names = list(dict.fromkeys(measures))
    if order_by is None and top is not None:
        order_by = names[0]
    if order_by is not None and order_by not in names:
        names.append(order_by)
    reader = reader or default_reader()
    groups = group_columns(by)
    all_groups = (*groups, *sort_columns(groups))
    needed = closure(names)

    def of_kind(*kinds: str) -> list[Measure]:
        return [m for m in needed if m.kind in kinds]

    parts = [
        aggregate_values(reader, of_kind("aggregate"), filters, scope, all_groups),
        budget_values(reader, of_kind("budget"), filters, scope, all_groups),
    ]
    if of_kind("time"):
        as_of = load_calendar(reader).as_of
        parts.append(
            time_values(reader, of_kind("time"), filters, scope, all_groups, as_of, _base_closure, derive)
        )
    rows = _merge(parts, grouped=bool(all_groups))
    derived = of_kind(*DERIVED)
    for values in rows.values():
        for item in needed:
            values.setdefault(item.name, None)
        derive(values, derived)
    items = list(rows.items())
    if all_groups:
        items = [item for item in items if any(item[1][n] is not None for n in measures)]
        items = _order(items, all_groups, order_by, descending)
        if top is not None:
            items = items[:top]
    shown = list(dict.fromkeys(measures))
    data = {g.label: _column([key[i] for key, _ in items]) for i, g in enumerate(groups)}
    data |= {name: _column([values[name] for _, values in items]) for name in shown}
    return pd.DataFrame(data, columns=[*(g.label for g in groups), *shown])
