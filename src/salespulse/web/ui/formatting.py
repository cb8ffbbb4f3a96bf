"""Number formats of measures.yml (Power BI format strings) for charts, tables, cards and files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from salespulse.semantic import load_measures
from salespulse.web.measures import catalog

#: Power BI format string -> (d3 format for Plotly / DataTable, Excel number format).
FORMATS: dict[str, tuple[str, str]] = {
    "#,0": (",.0f", "#,##0"),
    "#,0.00": (",.2f", "#,##0.00"),
    "0.0%": (".1%", "0.0%"),
    "#,0;-#,0;0": (",.0f", "#,##0;-#,##0;0"),
    "#,0.0": (",.1f", "#,##0.0"),
}
#: Formats of the model columns the analytics pages show next to measures (their measures' own
#: formats come from measures.yml, like every measure's).
COLUMN_FORMATS: dict[str, str] = {
    "Annual Sales At Risk Amount": "#,0",
    "Recency Days": "#,0",
    "Months Compared": "#,0",
    "Usual Order Interval Days": "#,0.0",
    **dict.fromkeys(
        ("Order Uplift", "Bias %", "Coverage 80 %", "Coverage 95 %", "Sales Trend Ratio"), "0.0%"
    ),
}


@cache
def _formats() -> dict[str, str]:
    """Every measure's format of measures.yml (also those the web reads from the analytics views)."""
    return {m.name: m.format for m in load_measures() if m.format}


def measure_format(name: str) -> str | None:
    item = catalog().get(name)
    if item is not None and item.format:
        return item.format
    return _formats().get(name) or COLUMN_FORMATS.get(name)


def d3_format(name: str) -> str | None:
    spec = FORMATS.get(measure_format(name) or "")
    return spec[0] if spec else None


def excel_format(name: str) -> str | None:
    spec = FORMATS.get(measure_format(name) or "")
    return spec[1] if spec else None


def is_percent(name: str) -> bool:
    return (measure_format(name) or "").endswith("%")


def display(name: str, value: Any) -> str:
    """A measure's value as text: ``12,345``, ``1,234.50``, ``98.7%``; blank -> an em dash."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    form = measure_format(name)
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if form == "0.0%":
        return f"{number * 100:,.1f}%"
    if form == "#,0.00":
        return f"{number:,.2f}"
    if form == "#,0.0":
        return f"{number:,.1f}"
    if form in ("#,0", "#,0;-#,0;0"):
        return f"{number:,.0f}"
    return str(value)


def short(value: Any) -> str:
    """A compact amount for cards: 32.3 M, 451.2 K."""
    if value is None:
        return "—"
    number = float(value)
    for limit, suffix in ((1e9, " B"), (1e6, " M"), (1e3, " K")):
        if abs(number) >= limit:
            return f"{number / limit:,.1f}{suffix}"
    return f"{number:,.0f}"
