"""The period each KPI card covers, as its subtitle: the web's twin of the Report Labels measures
(``measures.yml``, ``Period`` ... ``YoY Period``) that Power BI's cards show, with the same rules
and the same wording (``Jan 2023 - Dec 2025`` for whole months, a day where a period starts or
ends mid-month, one day as ``31 Dec 2025``). A card whose value is blank gets no period."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from salespulse.web.filters import Filters
from salespulse.web.readers import Reader
from salespulse.web.session import Session, session_of
from salespulse.web.sqlbuild import DATE, view
from salespulse.web.timeintel import budget_months, load_calendar, month_end, year_earlier

Span = tuple[date, date]

#: Card measure -> the period rule it follows; unlisted cards cover the dates in context.
CARD_PERIODS: dict[str, str] = {
    "Budget": "budget",
    **dict.fromkeys(
        ("Budget To Date", "Sales In Budget Months", "Variance", "Attainment %"), "budget_to_date"
    ),
    "Sales YTD": "ytd",
    "Sales PYTD": "pytd",
    "Sales Run-Rate FY": "run_rate",
    "YoY %": "yoy",
}


def label(span: Span | None) -> str | None:
    """``Jan 2023 - Dec 2025``; ``Jan 2025 - 15 Jan 2026``; ``Mar 2025``; ``31 Dec 2025``."""
    if span is None:
        return None
    start, end = span
    day = f"{start.day} {start:%b %Y}"
    if start == end:
        return day
    first = f"{start:%b %Y}" if start.day == 1 else day
    last = f"{end:%b %Y}" if end == month_end(end.year, end.month) else f"{end.day} {end:%b %Y}"
    return first if first == last else f"{first} - {last}"


def _clip(span: Span | None, low: date | None, high: date | None) -> Span | None:
    if span is None:
        return None
    start = max(span[0], low) if low is not None else span[0]
    end = min(span[1], high) if high is not None else span[1]
    return (start, end) if start <= end else None


def history(reader: Reader | Session) -> Span:
    """The history window: its first day up to the as-of date (``Date[Is In History]``)."""
    session = session_of(reader)

    def compute() -> Span:
        first = session.query(f"select min(date_day) from {view(DATE)} where is_in_history")[0][0]
        calendar = load_calendar(session)
        return first or calendar.first, calendar.as_of

    return session.cached("history window", compute)


def periods(reader: Reader | Session, filters: Filters) -> dict[str, Span | None]:
    """Each period rule's dates in the context of ``filters``."""
    session = session_of(reader)
    as_of = load_calendar(session).as_of
    in_context = _clip(history(session), filters.date_from, filters.date_to)
    budget = _clip(budget_months(session), filters.date_from, filters.date_to)
    last = min(filters.date_to or as_of, as_of)
    year_start = date(last.year, 1, 1)
    return {
        "context": in_context,
        "budget": budget,
        "budget_to_date": _clip(budget, None, as_of),
        "ytd": (year_start, last),
        "pytd": (year_earlier(year_start), year_earlier(last)),
        "run_rate": (year_start, date(last.year, 12, 31)),
        "yoy": in_context,
    }


def card_periods(reader: Reader | Session, filters: Filters, values: Mapping[str, Any]) -> dict[str, str]:
    """Card measure -> the subtitle naming the period it covers (absent where the value is blank)."""
    spans = periods(reader, filters)
    out: dict[str, str] = {}
    for name, value in values.items():
        rule = CARD_PERIODS.get(name, "context")
        text = label(spans[rule])
        if value is None or text is None:
            continue
        if rule == "run_rate":
            text += ", at the year-to-date run rate"
        elif rule == "yoy":
            text += " vs a year earlier"
        out[name] = text
    return out
