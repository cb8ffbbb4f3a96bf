"""What a click does to the filter state: cross-filter, drill down / up, open a detail page.

Pure functions of (state, what was clicked) -> (new state, page slug). Whatever a click carries
comes from the browser, so it is only used to pick values; ``state.resolve`` later keeps the ones
the user's scope offers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from salespulse.web.ui.screen import drilled_year, year_range
from salespulse.web.ui.state import GEO_LEVELS, GeoIndex, State, empty_state, month_range, series_of
from salespulse.web.ui.visuals import Visual


@dataclass(frozen=True)
class Lookups:
    """Names -> keys of the clickable entities a scope sees (charts that only carry names)."""

    clients: Mapping[str, list[int]] = field(default_factory=dict)
    products: Mapping[str, list[int]] = field(default_factory=dict)
    reps: Mapping[str, list[int]] = field(default_factory=dict)
    campaigns: Mapping[str, list[int]] = field(default_factory=dict)
    territories: Mapping[str, list[str]] = field(default_factory=dict)
    geo: GeoIndex = field(default_factory=lambda: GeoIndex(()))

    @classmethod
    def from_options(cls, options: Mapping[str, pd.DataFrame], geo: GeoIndex) -> Lookups:
        return cls(
            clients=_index(options["customers"], "Client", "Customer Key"),
            products=_index(options["products"], "Product", "Product Key"),
            reps=_index(options["sales_reps"], "Sales Rep", "Sales Rep Key"),
            campaigns=_index(options["campaigns"], "Campaign", "Campaign Key"),
            territories=_index(options["territories"], "Territory", "Territory Code", keys=False),
            geo=geo,
        )


def _index(frame: pd.DataFrame, name: str, key: str, keys: bool = True) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for label, value in frame[[name, key]].itertuples(index=False):
        found.setdefault(str(label), []).append(int(value) if keys else str(value))
    return found


def _copy(state: Mapping[str, Any] | None) -> State:
    out = empty_state()
    out.update(copy.deepcopy(dict(state or {})))
    return out


def _toggle(current: Sequence[Any], values: list[Any]) -> list[Any]:
    """Select ``values``; clicking what is already the whole selection clears it (as Power BI)."""
    return [] if sorted(current) == sorted(values) else values


def _first(custom: Any) -> Any:
    if isinstance(custom, list | tuple):
        return custom[0] if custom else None
    return custom


def _keys(custom: Any, by_name: Mapping[str, list[Any]], has_key: bool) -> list[Any]:
    value = _first(custom)
    if value is None:
        return []
    if has_key:
        return [value]
    return list(by_name.get(str(value), []))


def apply_click(
    slug: str, item: Visual, custom: Any, state: Mapping[str, Any] | None, lookups: Lookups
) -> tuple[State, str]:
    """The state and page after clicking a point whose ``customdata`` is ``custom``."""
    new = _copy(state)
    action = item.click
    has_key = item.key is not None
    if action == "month":
        year, month = (custom or [None, None])[:2] if isinstance(custom, list | tuple) else (None, None)
        if isinstance(year, int) and isinstance(month, int) and 1 <= month <= 12:
            start, end = month_range(year, month)
            new["date_from"], new["date_to"] = start.isoformat(), end.isoformat()
        return new, slug
    if action == "client":
        keys = _keys(custom, lookups.clients, has_key)
        if keys:
            new["customer_keys"] = keys
            return new, "customer"
        return new, slug
    if action == "product":
        keys = _keys(custom, lookups.products, has_key)
        if keys:
            new["product_keys"] = keys
            return new, "product"
        return new, slug
    if action == "rep":
        new["sales_rep_keys"] = _toggle(new["sales_rep_keys"], _keys(custom, lookups.reps, has_key))
    elif action == "territory":
        new["territory_codes"] = _toggle(new["territory_codes"], _keys(custom, lookups.territories, has_key))
    elif action == "campaign":
        new["campaign_keys"] = _toggle(new["campaign_keys"], _keys(custom, lookups.campaigns, has_key))
    elif action == "series":
        new["series"] = series_of(_first(custom)) or new.get("series")
    elif action == "city":
        key = _first(custom)
        path = lookups.geo.path_of(int(key)) if isinstance(key, int) else []
        new["geo"] = [] if path and new.get("geo") == path else path
    elif action == "time_drill":
        return _time_drill(new, custom), slug
    elif action == "product_drill":
        return _product_drill(new, custom, slug)
    elif action == "geo_drill":
        items = custom if isinstance(custom, list | tuple) else []
        path = [str(p) for p in items if p is not None][: len(GEO_LEVELS)]
        new["geo"] = path
    return new, slug


def _time_drill(state: State, custom: Any) -> State:
    year, month = [*custom, None, None][:2] if isinstance(custom, list | tuple) else (None, None)
    if not isinstance(year, int):
        return state
    if isinstance(month, int) and 1 <= month <= 12:
        start, end = month_range(year, month)
        state["date_from"], state["date_to"] = start.isoformat(), end.isoformat()
    else:
        state["date_from"], state["date_to"] = year_range(year)
    return state


def _product_drill(state: State, custom: Any, slug: str) -> tuple[State, str]:
    level, name, key = [*custom, None, None, None][:3] if isinstance(custom, list | tuple) else (None,) * 3
    if level == "Category" and isinstance(name, str):
        state.update(categories=[name], subcategories=[], product_keys=[])
    elif level == "Subcategory" and isinstance(name, str):
        state.update(subcategories=[name], product_keys=[])
    elif level == "Product" and isinstance(key, int):
        state["product_keys"] = [key]
        return state, "product"
    return state, slug


def apply_crumb(target: str, state: Mapping[str, Any] | None) -> State:
    """Drill up: ``time:0`` all years, ``time:1`` the drilled year; ``product:0..2``; ``geo:0..3``."""
    new = _copy(state)
    hierarchy, _, level_text = str(target).partition(":")
    level = int(level_text) if level_text.isdigit() else 0
    if hierarchy == "time":
        year = drilled_year(new)
        if level == 0 or year is None:
            new["date_from"] = new["date_to"] = None
        else:
            new["date_from"], new["date_to"] = year_range(year)
    elif hierarchy == "product":
        if level == 0:
            new.update(categories=[], subcategories=[], product_keys=[])
        elif level == 1:
            new.update(subcategories=[], product_keys=[])
        else:
            new["product_keys"] = []
    elif hierarchy == "geo":
        new["geo"] = list(new.get("geo") or [])[:level]
    return new


def crumbs(
    hierarchy: str, state: Mapping[str, Any], labels: Mapping[str, Mapping[Any, str]]
) -> list[tuple[str, str]]:
    """(label, crumb target) of each level above the current one, then the current one."""
    if hierarchy == "time":
        year = drilled_year(state)
        trail = [("All years", "time:0")]
        if year is not None:
            trail.append((str(year), "time:1"))
            if state.get("date_from") != f"{year}-01-01" or state.get("date_to") != f"{year}-12-31":
                trail.append((f"{state['date_from']} – {state['date_to']}", ""))
        return trail
    if hierarchy == "product":
        trail = [("All categories", "product:0")]
        if state.get("categories"):
            trail.append((", ".join(state["categories"]), "product:1"))
        if state.get("subcategories"):
            trail.append((", ".join(state["subcategories"]), "product:2"))
        products = labels.get("product_keys", {})
        if state.get("product_keys"):
            trail.append((", ".join(products.get(k, str(k)) for k in state["product_keys"]), ""))
        return trail
    path = list(state.get("geo") or [])
    return [("All regions", "geo:0"), *((name, f"geo:{i + 1}") for i, name in enumerate(path))]


def apply_row(slug: str, item: Visual, row_id: Any, state: Mapping[str, Any] | None) -> tuple[State, str]:
    """A click on a table row whose id is the entity's key."""
    new = _copy(state)
    if row_id is None:
        return new, slug
    if item.click == "client":
        new["customer_keys"] = [row_id]
        return new, "customer"
    if item.click == "product":
        new["product_keys"] = [row_id]
        return new, "product"
    if item.click == "rep":
        new["sales_rep_keys"] = _toggle(new["sales_rep_keys"], [row_id])
    elif item.click == "campaign":
        new["campaign_keys"] = _toggle(new["campaign_keys"], [row_id])
    elif item.click == "series":
        new["series"] = series_of(row_id) or new.get("series")
    return new, slug
