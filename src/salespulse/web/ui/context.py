"""Per-request access to the app's services: the warehouse reader, the app database, the signed-in
user's scope, and the slicer options of that scope (cached per published build)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
from flask import g

from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.measures import evaluate
from salespulse.web.query.pages import filter_options
from salespulse.web.server.services import app_db, reader, services
from salespulse.web.ui.actions import Lookups
from salespulse.web.ui.state import GeoIndex, allowed_values, value_labels

T = TypeVar("T")


def scope() -> Scope:
    """The signed-in user's scope, resolved on the server (once per request)."""
    from salespulse.web.server.auth import current_scope

    return current_scope()


def own_views() -> list[dict[str, str]]:
    """The signed-in user's saved views as options of the views list (shared ones say so)."""
    views = app_db().views_of(scope().email)
    return [{"label": v.name + (" (shared)" if v.shared else ""), "value": v.id} for v in views]


def _memo(kind: str, who: Scope, compute: Callable[[], T]) -> T:
    """Once per request (``flask.g``), and across requests per published build (``ScopeCache``)."""
    memo: dict[tuple[str, Scope], Any] = g.setdefault("salespulse_memo", {})
    if (kind, who) not in memo:
        memo[(kind, who)] = services().cache.get(reader(), (kind, who), compute)
    return memo[(kind, who)]


def options(user: Scope | None = None) -> dict[str, pd.DataFrame]:
    """What each slicer may offer the user (``salespulse.web.query.pages.filter_options``)."""
    who = user or scope()
    return _memo("options", who, lambda: filter_options(who, reader=reader()))


def geo_index(user: Scope | None = None) -> GeoIndex:
    """The cities the user sees, with their region and country (the geography drill)."""
    who = user or scope()

    def compute() -> GeoIndex:
        by = [("Geography", c) for c in ("Geography Key", "Region", "Country", "City")]
        return GeoIndex.from_frame(evaluate(["Sales"], Filters(), who, by=by, reader=reader()))

    return _memo("geo", who, compute)


def lookups(user: Scope | None = None) -> Lookups:
    who = user or scope()
    return _memo("lookups", who, lambda: Lookups.from_options(options(who), geo_index(who)))


def labels(user: Scope | None = None) -> dict[str, dict[Any, str]]:
    who = user or scope()
    return _memo("labels", who, lambda: value_labels(options(who)))


def allowed(user: Scope | None = None) -> dict[str, set[Any]]:
    """The values each list slicer may hold for the user (every state is checked against them: at
    10 M lines the client keys alone took 0.25 s to gather, on every request)."""
    who = user or scope()
    return _memo("allowed", who, lambda: allowed_values(options(who)))
