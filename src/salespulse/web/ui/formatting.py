"""Number formats of measures.yml (Power BI format strings) for charts, tables, cards and files.

Money is written through one function, ``money`` (its symbol from ``currency_symbol``, the one
place the reporting currency plugs in); variances (differences, YoY) are written signed by
``signed`` and coloured by ``tone``, so a gap reads the same in a card, a table and an axis.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from salespulse.currency import DEFAULT_CURRENCY, currency_for, quoted_symbol_pattern, with_currency
from salespulse.semantic import Measure, load_measures
from salespulse.web.query.measures import catalog

#: Power BI format string -> (d3 format for Plotly / DataTable, Excel number format).
FORMATS: dict[str, tuple[str, str]] = {
    "#,0": (",.0f", "#,##0"),
    "#,0.00": (",.2f", "#,##0.00"),
    "0.0%": (".1%", "0.0%"),
    "#,0;-#,0;0": (",.0f", "#,##0;-#,##0;0"),
    "#,0.0": (",.1f", "#,##0.0"),
    "+0.0%;-0.0%;0.0%": ("+.1%", "+0.0%;-0.0%;0.0%"),
}
#: Formats of the model columns the analytics pages show next to measures (their measures' own
#: formats come from measures.yml, like every measure's).
COLUMN_FORMATS: dict[str, str] = {
    "Annual Sales At Risk Amount": "#,0",
    "Recency Days": "#,0",
    "Months Compared": "#,0",
    "Usual Order Interval Days": "#,0.0",
    "New Customers Without Campaign": "#,0",
    "Window Orders": "#,0",
    "Window Units": "#,0",
    **dict.fromkeys(
        ("Order Uplift", "Bias %", "Coverage 80 %", "Coverage 95 %", "Sales Trend Ratio"), "0.0%"
    ),
}
#: Model columns (not measures) that hold money or days.
MONEY_COLUMNS = frozenset(
    {"Annual Sales At Risk Amount", "Earlier Monthly Sales Amount", "Recent Monthly Sales Amount"}
)
DAY_COLUMNS = frozenset({"Recency Days", "Usual Order Interval Days"})
#: The symbol amounts are shown with outside a request (the default currency's; ``currency_symbol``).
CURRENCY_SYMBOL = currency_for(DEFAULT_CURRENCY).symbol
MINUS = "\u2212"  # a real minus sign: as wide as the plus, not a hyphen
#: Text colours of a variance (4.5:1 or more on the cards' and tables' white, WCAG 1.4.3).
TONES = {"up": "#1e7b3c", "down": "#b3261e"}


@cache
def _formats() -> dict[str, str]:
    """Every measure's format of measures.yml (also those the web reads from the analytics views)."""
    return {m.name: m.format for m in load_measures() if m.format}


@cache
def _measures() -> dict[str, Measure]:
    return {m.name: m for m in load_measures()}


def measure_format(name: str) -> str | None:
    item = catalog().get(name)
    if item is not None and item.format:
        return item.format
    return _formats().get(name) or COLUMN_FORMATS.get(name)


def d3_format(name: str) -> str | None:
    spec = FORMATS.get(measure_format(name) or "")
    return spec[0] if spec else None


def excel_format(name: str) -> str | None:
    """A measure's Excel number format; an amount's carries the currency symbol (``"€"#,##0``)."""
    spec = FORMATS.get(measure_format(name) or "")
    if not spec:
        return None
    return quoted_symbol_pattern(with_currency(spec[1]), currency_symbol()) if is_money(name) else spec[1]


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
    if is_money(name):
        return money(number, decimals=2 if form == "#,0.00" else 0)
    if form == "0.0%":
        return f"{number * 100:,.1f}%"
    if form == "+0.0%;-0.0%;0.0%":
        return f"{number * 100:+,.1f}%" if number else "0.0%"
    if form == "#,0.00":
        return f"{number:,.2f}"
    if form == "#,0.0":
        return f"{number:,.1f}"
    if form in ("#,0", "#,0;-#,0;0"):
        return f"{number:,.0f}"
    return str(value)


# --------------------------------------------------------------------------- money, units, variances


#: This request's currency symbol, or how to read it (``use_currency``): read on first use, once.
_SYMBOL: ContextVar[str | Callable[[], str] | None] = ContextVar("currency_symbol", default=None)


def use_currency(resolve: Callable[[], str]) -> None:
    """Make ``resolve`` (the published warehouse's ``reporting.settings``) this request's source of
    the symbol; the app calls it before every request, the warehouse is asked only if an amount
    is written."""
    _SYMBOL.set(resolve)


def currency_symbol() -> str:
    """The symbol of the reporting currency (``SALESPULSE_CURRENCY`` as the warehouse was built
    with it); outside a request, the default currency's."""
    found = _SYMBOL.get()
    if found is None:
        return CURRENCY_SYMBOL
    if callable(found):
        found = found()
        _SYMBOL.set(found)
    return found


def is_money(name: str) -> bool:
    """Whether a measure or column is an amount of money: a measure marked ``currency`` in
    measures.yml (the same flag gives Power BI's amounts their currency format), or a model column
    of ``MONEY_COLUMNS``."""
    item = _measures().get(name)
    return item.is_currency if item is not None else name in MONEY_COLUMNS


def is_variance(name: str) -> bool:
    """Whether a measure is a gap or a change, shown signed and coloured: a difference (Variance,
    Sales YoY, Projected vs Budget), a measure whose format signs it (Campaign Incremental Sales,
    YTD YoY %), or a ratio of a difference (YoY %)."""
    item = _measures().get(name)
    if item is None:
        return False
    if item.kind == "difference" or item.format.startswith(("#,0;-", "+")):
        return True
    return item.kind == "ratio" and is_variance(item.spec["numerator"])


def unit(name: str) -> str:
    """What a measure or column counts, for axis titles: the currency symbol, ``%``, ``days`` or
    ``count``."""
    if is_percent(name):
        return "%"
    if is_money(name):
        return currency_symbol()
    if name in DAY_COLUMNS:
        return "days"
    return "count"


def titled(name: str) -> str:
    """A measure with its unit, for an axis: ``Sales ($)``, ``Orders (count)``; a name that already
    says it is a percentage keeps its ``%`` (``Attainment %``)."""
    found = unit(name)
    return name if found == "%" and name.rstrip().endswith("%") else f"{name} ({found})"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _sign(number: Decimal, text: str, signed: bool) -> str:
    """The sign a number written as ``text`` (its absolute value, rounded) takes: a minus, a plus
    when ``signed``; none when it rounds to zero."""
    if not any(ch.isdigit() and ch != "0" for ch in text):
        return ""
    if number < 0:
        return MINUS
    return "+" if signed else ""


def _compact(number: Decimal) -> str:
    """32.3 M, 451.2 K, 950 (of an absolute value)."""
    for limit, suffix in ((Decimal("1e9"), " B"), (Decimal("1e6"), " M"), (Decimal("1e3"), " K")):
        if number >= limit:
            return f"{number / limit:,.1f}{suffix}"
    return f"{number:,.0f}"


def money(
    value: Any, symbol: str | None = None, *, decimals: int = 0, signed: bool = False, compact: bool = False
) -> str:
    """An amount with the currency symbol: ``$12,345``, ``−$1,234``; ``signed``: ``+$1,234``;
    ``compact``: ``$32.3 M``; blank: an em dash. Every amount the screen writes as text comes
    through here, with ``currency_symbol`` unless ``symbol`` says otherwise."""
    if _blank(value):
        return "—"
    number = _decimal(value)
    body = _compact(abs(number)) if compact else f"{abs(number):,.{decimals}f}"
    return f"{_sign(number, body, signed)}{currency_symbol() if symbol is None else symbol}{body}"


def signed(name: str, value: Any, *, compact: bool = False) -> str:
    """A variance with its sign: ``+1,234`` / ``−1,234``, money ``+$1,234``, ``+3.2%``; zero is
    unsigned; blank: an em dash."""
    if _blank(value):
        return "—"
    number = _decimal(value)
    if is_percent(name):
        body = f"{abs(number) * 100:,.1f}%"
        return _sign(number, body, True) + body
    if is_money(name):
        return money(
            number, signed=True, compact=compact, decimals=2 if measure_format(name) == "#,0.00" else 0
        )
    body = _compact(abs(number)) if compact else f"{abs(number):,.0f}"
    return _sign(number, body, True) + body


def tone(value: Any) -> str | None:
    """``up`` (above zero), ``down`` (below) or ``None`` (zero, blank): a variance's colour."""
    if _blank(value) or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = _decimal(value)
    return "up" if number > 0 else "down" if number < 0 else None


def card_text(name: str, value: Any) -> str:
    """What a KPI card shows: amounts compact with the currency (``$32.3 M``), variances signed
    (``+$1.2 K``, ``−3.2%``), the rest as ``display``."""
    if _blank(value) or isinstance(value, str | bool):
        return display(name, value)
    if is_variance(name):
        return signed(name, value, compact=is_money(name))
    if is_money(name):
        return money(value, compact=True)
    return display(name, value)


def table_format(name: str) -> dict[str, Any] | None:
    """A DataTable column's number format: the measure's d3 format, with the currency symbol for
    money and an explicit sign for variances (the cells stay numbers: sorting, exports)."""
    form = d3_format(name)
    if form is None:
        return None
    sign = "+" if is_variance(name) and not form.startswith("+") else ""
    if is_money(name):
        return {"locale": {"symbol": [currency_symbol(), ""]}, "specifier": f"{sign}${form}"}
    return {"specifier": f"{sign}{form}"}
