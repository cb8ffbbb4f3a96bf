"""What the filter panel offers the signed-in user: each slicer's options, the quick picks, the date
bounds, the role line and how fresh the data is. They depend on the user's scope and the published
warehouse only, so the page's layout carries them (``layout.serve_layout``): opening a page waits for
no options request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salespulse.web.exports.report import describe_scope
from salespulse.web.query.slicers import Slicer, panel_slicers
from salespulse.web.server.freshness import Freshness, load_freshness
from salespulse.web.server.services import reader, services
from salespulse.web.ui import context
from salespulse.web.ui.state import calendar_of, quick_picks

Options = list[dict[str, Any]]


def options_of(frame: Any, label: str, value: str, extra: str | None = None) -> Options:
    """A dropdown's options from a frame: ``label`` (with `` · extra``) shown, ``value`` kept."""
    out = []
    for row in frame.to_dict("records"):
        text = str(row[label]) + (f" · {row[extra]}" if extra and row.get(extra) else "")
        out.append({"label": text, "value": int(row[value]) if value.endswith("Key") else str(row[value])})
    return out


def slicer_options(slicer: Slicer, frame: Any) -> Options:
    """A slicer's dropdown options from its ``filter_options`` dataset (or the rows of it given)."""
    return options_of(frame, slicer.shown, slicer.value, slicer.extra)


def option_lists(opts: Any) -> dict[str, Options]:
    """What each slicer but the type-ahead ones (clients, products) offers, from a scope's
    ``filter_options``."""
    return {
        slicer.name: slicer_options(slicer, opts[slicer.options])
        for slicer in panel_slicers()
        if not slicer.typeahead
    }


@dataclass(frozen=True)
class Choices:
    quick_picks: Options
    first: str  # the first and last day the date picker allows, and the month it opens on
    last: str
    as_of: str
    role: str  # "manager: all data", "sales rep: own clients and sales", ...
    slicers: dict[str, Options]  # field -> options (all slicers but the type-ahead ones)
    freshness: Freshness  # the header's "data as of ... · loaded ..." and each source's loads


def freshness() -> Freshness:
    """The published build's freshness: the same for every user, read once per build (``ScopeCache``;
    a PostgreSQL reader has no build identity, so it reads two small relations per page load)."""
    return services().cache.get(reader(), ("freshness",), lambda: load_freshness(reader()))


def choices() -> Choices:
    """The signed-in user's choices (``context.options`` is cached per scope and published build)."""
    scope = context.scope()
    opts = context.options(scope)
    cal = calendar_of(opts)
    return Choices(
        quick_picks=quick_picks(cal),
        first=cal.first.isoformat(),
        last=cal.last.isoformat(),
        as_of=cal.as_of.isoformat(),
        role=describe_scope(scope).split("(", 1)[-1].rstrip(")"),
        slicers=option_lists(opts),
        freshness=freshness(),
    )
