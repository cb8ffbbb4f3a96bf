"""The dashboard's filter state as the browser holds it, and how the server turns it into ``Filters``.

The browser keeps a plain JSON dict (``State``): dates as ISO strings, one list per slicer, the
geography drill path and ``void`` (slicers whose every value was outside the user's scope). It is
never trusted: ``resolve`` keeps only values the user's scope offers (``filter_options``), so a
value the browser made up, another rep's client or an SQL fragment never reaches a query. A slicer
whose values were all dropped matches nothing: the page then shows nothing rather than widening to
"not filtered".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from salespulse.web.query.filters import Filters
from salespulse.web.query.slicers import panel_slicers

State = dict[str, Any]

#: State field -> (filter_options dataset, column) that lists the values a scope may use: the
#: filter panel's slicers (``salespulse.web.query.slicers``).
LIST_FIELDS: dict[str, tuple[str, str]] = {
    slicer.name: (slicer.options, slicer.value) for slicer in panel_slicers()
}
#: What each field is called on screen and in exports.
FIELD_LABELS: dict[str, str] = {
    "dates": "Dates",
    **{slicer.name: slicer.label for slicer in panel_slicers()},
    "geo": "Geography",
}
GEO_LEVELS = ("Region", "Country", "City")
MAX_VALUES = 500  # per slicer: more is not a person clicking


#: The Forecast page's series (``level:member``, see ``salespulse.web.query.analytics``): a choice of the
#: page, not a filter; the page falls back to the first series the user may see.
SERIES = re.compile(r"^(total|category|territory):[^\x00-\x1f]{1,100}$")


def empty_state() -> State:
    return {
        "date_from": None,
        "date_to": None,
        **{name: [] for name in LIST_FIELDS},
        "geo": [],
        "void": [],
        "series": None,
    }


def series_of(value: Any) -> str | None:
    """A well-formed series choice, else ``None``."""
    return value if isinstance(value, str) and SERIES.match(value) else None


@dataclass(frozen=True)
class Calendar:
    first: date
    last: date
    as_of: date


def calendar_of(options: Mapping[str, pd.DataFrame]) -> Calendar:
    row = options["dates"].iloc[0]
    return Calendar(_to_date(row["First Date"]), _to_date(row["Last Date"]), _to_date(row["As Of Date"]))


def _to_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def parse_date(value: Any) -> date | None:
    """An ISO date (``YYYY-MM-DD``, optionally followed by a time), else ``None``."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class GeoIndex:
    """The cities a scope sees: (Geography Key, Region, Country, City) rows."""

    rows: tuple[tuple[int, str, str, str], ...]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> GeoIndex:
        columns = ["Geography Key", "Region", "Country", "City"]
        return cls(
            tuple((int(k), str(r), str(c), str(t)) for k, r, c, t in frame[columns].itertuples(index=False))
        )

    def keys(self, path: list[str]) -> tuple[int, ...]:
        """The cities under a drill path (region, country, city); empty when it names nothing."""
        return tuple(sorted(k for k, *names in self.rows if list(names[: len(path)]) == list(path)))

    def path_of(self, key: int) -> list[str]:
        for k, *names in self.rows:
            if k == key:
                return list(names)
        return []


@dataclass(frozen=True)
class Resolved:
    """A state checked against a scope: the filters to query with and the state to show."""

    filters: Filters
    state: State  # only values the scope offers: safe to send back to the browser
    void: tuple[str, ...]  # fields whose values were all outside the scope

    @property
    def empty(self) -> bool:
        """Nothing the user may see matches: show no data at all."""
        return bool(self.void)


def _key(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) < 20:
        return int(value)
    return None


def _clean(field: str, values: Any, allowed: set[Any]) -> tuple[list[Any], bool]:
    """(the allowed values asked for, whether some asked value was dropped)."""
    if values is None or values == "":
        return [], False
    items = values if isinstance(values, list | tuple) else [values]
    is_key = field.endswith("_keys")
    kept: list[Any] = []
    for item in items[:MAX_VALUES]:
        value = _key(item) if is_key else (item if isinstance(item, str) else None)
        if value is not None and value in allowed and value not in kept:
            kept.append(value)
    return sorted(kept), len(kept) < len(items)


def allowed_values(options: Mapping[str, pd.DataFrame]) -> dict[str, set[Any]]:
    allowed: dict[str, set[Any]] = {}
    for field, (dataset, column) in LIST_FIELDS.items():
        values = options[dataset][column].dropna().tolist()
        allowed[field] = {int(v) for v in values} if field.endswith("_keys") else {str(v) for v in values}
    return allowed


def resolve(
    state: Mapping[str, Any] | None,
    options: Mapping[str, pd.DataFrame],
    geo: GeoIndex,
    allowed: Mapping[str, set[Any]] | None = None,
) -> Resolved:
    """``state`` intersected with what ``options`` (one scope's ``filter_options``) offer
    (``allowed``: their ``allowed_values``, when the caller keeps them)."""
    raw = dict(state or {})
    clean = empty_state()
    asked_void = raw.get("void") if isinstance(raw.get("void"), list) else []
    void: list[str] = [v for v in asked_void if isinstance(v, str) and v in FIELD_LABELS][:20]

    allowed = allowed if allowed is not None else allowed_values(options)
    for field in LIST_FIELDS:
        kept, dropped = _clean(field, raw.get(field), allowed[field])
        clean[field] = kept
        if dropped and not kept and field not in void:
            void.append(field)

    path = raw.get("geo") or []
    if isinstance(path, list) and all(isinstance(p, str) for p in path) and 0 < len(path) <= len(GEO_LEVELS):
        if geo.keys(path):
            clean["geo"] = list(path)
        elif "geo" not in void:
            void.append("geo")
    elif path and "geo" not in void:
        void.append("geo")

    cal = calendar_of(options)
    date_from, date_to = parse_date(raw.get("date_from")), parse_date(raw.get("date_to"))
    bad_dates = (raw.get("date_from") and date_from is None) or (raw.get("date_to") and date_to is None)
    if date_from is not None:
        date_from = max(date_from, cal.first)
    if date_to is not None:
        date_to = min(date_to, cal.last)
    if bad_dates or (date_from and date_to and date_from > date_to):
        if "dates" not in void:
            void.append("dates")
        date_from = date_to = None
    clean["date_from"] = date_from.isoformat() if date_from else None
    clean["date_to"] = date_to.isoformat() if date_to else None
    clean["void"] = void
    clean["series"] = series_of(raw.get("series"))

    filters = Filters(
        date_from=date_from,
        date_to=date_to,
        geography_keys=geo.keys(clean["geo"]) if clean["geo"] else (),
        **{field: tuple(clean[field]) for field in LIST_FIELDS},
    )
    return Resolved(filters, clean, tuple(void))


# --------------------------------------------------------------------------- date quick picks


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def quick_picks(cal: Calendar) -> list[dict[str, str]]:
    """The quick date ranges offered: all dates, YTD, last 12 / 24 months, each year."""
    picks = [
        {"label": "All dates", "value": "all"},
        {"label": f"Year to date ({cal.as_of.year})", "value": "ytd"},
        {"label": "Last 12 months", "value": "l12m"},
        {"label": "Last 24 months", "value": "l24m"},
    ]
    picks += [{"label": str(y), "value": f"year:{y}"} for y in range(cal.as_of.year, cal.first.year - 1, -1)]
    return picks


def quick_pick_range(pick: str, cal: Calendar) -> tuple[date | None, date | None] | None:
    """The (from, to) of a quick pick, relative to the As Of Date (never the clock)."""
    as_of = cal.as_of
    if pick == "all":
        return None, None
    if pick == "ytd":
        return date(as_of.year, 1, 1), as_of
    if pick in ("l12m", "l24m"):
        # whole months (the as-of month to date and the 11 or 23 before it), as the Date table's
        # flags: a mid-month as-of date does not cut a month the monthly budget covers whole
        months = 12 if pick == "l12m" else 24
        return add_months(as_of.replace(day=1), 1 - months), as_of
    if pick.startswith("year:") and pick[5:].isdigit():
        year = int(pick[5:])
        if cal.first.year <= year <= cal.last.year:
            return date(year, 1, 1), date(year, 12, 31)
    return None


def pick_of(state: Mapping[str, Any], cal: Calendar) -> str | None:
    """The quick pick whose range the state's dates are (clamped to the calendar, as ``resolve``
    does), if any: what the quick-pick slicer shows when a link or a saved view restores a state."""
    start, end = parse_date(state.get("date_from")), parse_date(state.get("date_to"))
    if start is None and end is None:
        return None
    for item in quick_picks(cal):
        chosen = quick_pick_range(item["value"], cal)
        if chosen is None or chosen[0] is None or chosen[1] is None:
            continue
        if (max(chosen[0], cal.first), min(chosen[1], cal.last)) == (start, end):
            return item["value"]
    return None


def describe(resolved: Resolved, labels: Mapping[str, Mapping[Any, str]]) -> list[tuple[str, str]]:
    """(label, values) of each active filter, for the screen, the PDF and the workbook."""
    state = resolved.state
    lines: list[tuple[str, str]] = []
    if state["date_from"] or state["date_to"]:
        lines.append(("Dates", f"{state['date_from'] or 'start'} to {state['date_to'] or 'end'}"))
    for field in LIST_FIELDS:
        if state[field]:
            names = labels.get(field, {})
            lines.append((FIELD_LABELS[field], ", ".join(str(names.get(v, v)) for v in state[field])))
    if state["geo"]:
        lines.append(("Geography", " › ".join(state["geo"])))
    for field in resolved.void:
        lines.append((FIELD_LABELS.get(field, field), "outside what you may see: nothing matches"))
    return lines


def value_labels(options: Mapping[str, pd.DataFrame]) -> dict[str, dict[Any, str]]:
    """Names of the key-valued slicers' keys (for describing filters)."""
    return {
        slicer.name: _names(options[slicer.options], slicer.value, slicer.shown)
        for slicer in panel_slicers()
        if slicer.value != slicer.shown
    }


def _names(frame: pd.DataFrame, key: str, name: str) -> dict[Any, str]:
    return {
        (int(k) if key.endswith("Key") else k): str(n) for k, n in frame[[key, name]].itertuples(index=False)
    }
