"""A page as a printable / downloadable report: its title, who asked, the active filters and the
datasets of its visuals. The CSV, Excel and PDF writers all take a ``Report``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from salespulse.web.filters import Scope
from salespulse.web.ui.screen import as_number
from salespulse.web.ui.visuals import Visual

CHART_KINDS = ("bar", "hbar", "combo", "lines", "stacked", "band", "map")
#: Chart kinds drawn as lines (not bars) in the exports.
LINE_KINDS = ("lines", "band")


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


def public_columns(frame: pd.DataFrame) -> list[str]:
    """Columns worth showing (not the drill helpers' internals)."""
    return [c for c in frame.columns if c not in ("Level", "Key", "Month Number")]


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
        categories = list(dict.fromkeys(str(v) for v in frame[x].tolist()))[:limit]
        series: dict[str, list[Any]] = {}
        for name, part in frame.groupby(item.series, sort=True):
            values = {str(k): as_number(v) for k, v in zip(part[x], part[item.y[0]], strict=True)}
            series[str(name)] = [values.get(c) for c in categories]
        return ChartData(categories, series, lines=item.kind in LINE_KINDS)
    part = frame if item.kind == "band" else frame.head(limit)  # a forecast: every month
    data = ChartData([str(v) for v in part[x].tolist()], lines=item.kind in LINE_KINDS)
    for measure in item.y:
        data.series[measure] = [as_number(v) for v in part[measure].tolist()]
        if is_percent(measure):
            data.percent.add(measure)
    return data
