"""A page as a printable / downloadable report: its title, who asked, the active filters and the
datasets of its visuals. The CSV, Excel and PDF writers all take a ``Report``."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from salespulse.web.query.filters import Scope
from salespulse.web.ui.screen import as_number
from salespulse.web.ui.visuals import Visual

CHART_KINDS = ("bar", "hbar", "combo", "lines", "stacked", "band", "map")
#: Chart kinds drawn as lines (not bars) in the exports.
LINE_KINDS = ("lines", "band")
#: Chart kinds whose categories are consecutive months: an export draws every one of them (cutting
#: at a row limit would drop the latest months of a range of several years), not the first few.
SEQUENCE_KINDS = ("combo", "lines", "band")


@dataclass(frozen=True)
class Report:
    title: str
    slug: str
    user: str  # who it was made for, with their role
    as_of: date
    generated: datetime
    filters: Sequence[tuple[str, str]]
    datasets: dict[str, pd.DataFrame]
    visuals: Sequence[Visual]
    notice: str = ""

    def items(self) -> list[tuple[Visual, pd.DataFrame]]:
        """Each visual with its data (a dataset shown twice is listed once, as its first visual)."""
        seen: set[str] = set()
        out = []
        for item in self.visuals:
            if item.dataset in self.datasets and item.dataset not in seen:
                seen.add(item.dataset)
                out.append((item, self.datasets[item.dataset]))
        return out


def describe_scope(scope: Scope) -> str:
    if scope.role == "manager":
        return f"{scope.email} (manager: all data)"
    if scope.role == "regional_lead":
        return f"{scope.email} (regional lead: {scope.region})"
    return f"{scope.email} (sales rep: own clients and sales)"


def file_stem(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "report"


def shorten(text: str, limit: int, mark: str = "…") -> str:
    """``text`` in at most ``limit`` characters, cut at a word boundary (a label cut mid-word reads
    as a typo), with ``mark`` appended when cut; a single over-long word is cut where it must be."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(mark)
    head = text[: room + 1].rsplit(" ", 1)[0].rstrip(" ,;:–-") if " " in text[: room + 1] else ""
    return (head or text[:room]) + mark


def public_columns(frame: pd.DataFrame) -> list[str]:
    """Columns worth showing (not the drill helpers' internals)."""
    return [c for c in frame.columns if c not in ("Level", "Key", "Month Number")]


def chart_number(value: Any) -> Any:
    """A value a chart can draw: a finite number, else ``None`` (a NaN or an infinity from a
    division would break the axis of a PDF chart and make Excel call the workbook corrupt)."""
    number = as_number(value)
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return number


@dataclass
class ChartData:
    """A chart's categories and one list of numbers per series (wide form, blanks as ``None``)."""

    categories: list[str]
    series: dict[str, list[Any]] = field(default_factory=dict)
    percent: set[str] = field(default_factory=set)
    lines: bool = False  # drawn as lines (a trend, a forecast), not bars


def chart_data(item: Visual, frame: pd.DataFrame, limit: int = 25) -> ChartData | None:
    """The numbers a native chart of ``item`` draws (long data with a series column pivoted)."""
    from salespulse.web.ui.formatting import is_percent

    if item.kind not in CHART_KINDS or frame.empty or not item.y:
        return None
    x = item.x or frame.columns[0]
    if item.series:
        categories = list(dict.fromkeys(str(v) for v in frame[x].tolist()))
        if item.kind not in SEQUENCE_KINDS:
            categories = categories[:limit]
        series: dict[str, list[Any]] = {}
        for name, part in frame.groupby(item.series, sort=True):
            values = {str(k): chart_number(v) for k, v in zip(part[x], part[item.y[0]], strict=True)}
            series[str(name)] = [values.get(c) for c in categories]
        return ChartData(categories, series, lines=item.kind in LINE_KINDS)
    if item.kind == "map":  # a map has no order: its export charts the cities that sold most
        ranks = [chart_number(v) for v in frame[item.y[0]].tolist()]
        frame = frame.iloc[sorted(range(len(frame)), key=lambda i: (ranks[i] is None, -(ranks[i] or 0)))]
    part = frame if item.kind in SEQUENCE_KINDS else frame.head(limit)  # a trend: every month
    data = ChartData([str(v) for v in part[x].tolist()], lines=item.kind in LINE_KINDS)
    for measure in item.y:
        data.series[measure] = [chart_number(v) for v in part[measure].tolist()]
        if is_percent(measure):
            data.percent.add(measure)
    return data
