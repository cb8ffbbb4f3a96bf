"""The reporting currency: one ISO 4217 code (``SALESPULSE_CURRENCY``) and the symbol shown with it.

Amounts in the warehouse carry no currency of their own: the delivery is in one currency, and this
setting names it. The symbol comes from the Unicode CLDR data (Babel) unless
``SALESPULSE_CURRENCY_SYMBOL`` overrides it. Every layer reads the same pair: the build hands both
to dbt (``reporting.settings``), and the web dashboard, its exports and Power BI's dynamic format
strings read them from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import get_currency_symbol, is_currency

DEFAULT_CURRENCY = "USD"

#: Stands for the currency symbol in a format pattern (the Unicode "currency sign").
SYMBOL_PLACEHOLDER = "¤"


@dataclass(frozen=True)
class Currency:
    code: str
    symbol: str


def currency_for(code: str, symbol: str = "") -> Currency:
    """The currency of an ISO 4217 code (upper-cased); ``symbol`` overrides CLDR's English symbol.

    Raises ``ValueError`` naming the code when CLDR does not know it.
    """
    iso = code.strip().upper()
    if not is_currency(iso):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code (e.g. USD, EUR, GBP)")
    return Currency(code=iso, symbol=symbol.strip() or get_currency_symbol(iso, locale="en_US"))


def with_currency(pattern: str) -> str:
    """A number format pattern (Power BI / Excel syntax, sections split by ``;``) with the currency
    placeholder put before each section's digits, after its sign: ``#,0;-#,0;0`` becomes
    ``¤#,0;-¤#,0;¤0``. A literal ``"..."`` or an existing placeholder is left as it is."""
    sections = []
    for section in pattern.split(";"):
        if SYMBOL_PLACEHOLDER in section or section.startswith('"'):
            sections.append(section)
            continue
        sign = section[:1] if section[:1] in "+-" else ""
        sections.append(sign + SYMBOL_PLACEHOLDER + section[len(sign) :])
    return ";".join(sections)


def quoted_symbol_pattern(pattern: str, symbol: str) -> str:
    """``pattern`` with each placeholder replaced by the symbol as a quoted literal (``"€"#,0``),
    the form Excel and Power BI read literally whatever characters the symbol has."""
    literal = '"' + symbol.replace('"', "") + '"' if symbol else ""
    return pattern.replace(SYMBOL_PLACEHOLDER, literal)
