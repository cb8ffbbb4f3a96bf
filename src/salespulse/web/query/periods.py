"""The period each KPI card covers, as its subtitle: the web's twin of the Report Labels measures
(``measures.yml``, ``Period`` ... ``As Of Period``) that Power BI's cards show, with the same card ->
label mapping (``CARD_PERIODS``), the same rules and the same wording (``Jan 2023 - Dec 2025`` for
whole months, a day where a period starts or ends mid-month, one day as ``31 Dec 2025``, inside the
label's ``text``). A card whose value is blank gets no period."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Any

from salespulse.semantic import load_measures
from salespulse.semantic.measures import CARD_PERIODS, DEFAULT_PERIOD
from salespulse.web.query.analytics import budget_year
from salespulse.web.query.filters import Filters
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.sqlbuild import DATE, placeholders, view
from salespulse.web.query.timeintel import budget_months, load_calendar, month_end, year_earlier

Span = tuple[date, date]


@cache
def label_texts() -> dict[str, str]:
    """Report Labels measure -> its wording, ``{period}`` standing for the dates."""
    labels = (m for m in load_measures() if m.kind == "dax" and "period" in m.spec)
    return {m.name: m.spec["period"].get("text", "{period}") for m in labels}


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


def _extent(
    session: Session, table: str, low: str, high: str, campaigns: tuple[int, ...] = ()
) -> Span | None:
    """(min ``low``, max ``high``) of an analytics view, once per build (and campaign filter): the
    date filter does not cut these (whole campaigns, the whole backtest), as in the DAX labels."""

    def compute() -> Span | None:
        where = f" where campaign_key in ({placeholders(campaigns)})" if campaigns else ""
        sql = f"select min({low}), max({high}) from {view(table)}{where}"
        first, last = session.query(sql, list(campaigns))[0]
        return (first, last) if first is not None and last is not None else None

    return session.cached(("extent", table, campaigns), compute)


def _backtest(session: Session) -> Span | None:
    months = _extent(session, "Forecast Backtest", "first_month", "last_month")
    return months and (months[0], month_end(months[1].year, months[1].month))


def period_rules(session: Session, filters: Filters) -> dict[str, Callable[[], Span | None]]:
    """Report Labels measure -> how the web computes its dates in the context of ``filters``."""
    as_of = load_calendar(session).as_of
    last = min(filters.date_to or as_of, as_of)
    year_start = date(last.year, 1, 1)

    def in_context() -> Span | None:
        return _clip(history(session), filters.date_from, filters.date_to)

    def budget() -> Span | None:
        return _clip(budget_months(session), filters.date_from, filters.date_to)

    def forecast_year() -> Span:
        year = budget_year(session)  # the year the Forecast page's cards project
        return date(year, 1, 1), date(year, 12, 31)

    return {
        DEFAULT_PERIOD: in_context,
        "Budget Period": budget,
        "Budget To Date Period": lambda: _clip(budget(), None, as_of),
        "YTD Period": lambda: (year_start, last),
        "PYTD Period": lambda: (year_earlier(year_start), year_earlier(last)),
        "Run-Rate Period": lambda: (year_start, date(last.year, 12, 31)),
        "YoY Period": in_context,
        "As Of Period": lambda: (as_of, as_of),
        "Forecast Year Period": forecast_year,
        "Campaign Window Period": lambda: _extent(
            session, "Campaign Effectiveness", "start_date", "window_end_date", filters.campaign_keys
        ),
        "Backtest Period": lambda: _backtest(session),
    }


def card_periods(reader: Reader | Session, filters: Filters, values: Mapping[str, Any]) -> dict[str, str]:
    """Card measure -> the subtitle naming the period it covers (absent where the value is blank).
    Only the periods of the cards shown are computed."""
    rules, texts = period_rules(session_of(reader), filters), label_texts()
    out: dict[str, str] = {}
    for name, value in values.items():
        measure = CARD_PERIODS.get(name, DEFAULT_PERIOD)
        dates = label(rules[measure]()) if value is not None else None
        if dates is not None:
            out[name] = texts[measure].replace("{period}", dates)
    return out
