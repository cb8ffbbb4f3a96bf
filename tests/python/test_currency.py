"""The reporting currency: the setting, the symbol, and the format patterns every layer uses."""

from __future__ import annotations

import pytest

from salespulse.currency import currency_for, quoted_symbol_pattern, with_currency
from salespulse.dbt import dbt_env
from salespulse.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("environ", "code", "symbol"),
    [
        ({}, "USD", "$"),
        ({"SALESPULSE_CURRENCY": "eur"}, "EUR", "€"),
        ({"SALESPULSE_CURRENCY": "CHF"}, "CHF", "CHF"),
        ({"SALESPULSE_CURRENCY": "GBP", "SALESPULSE_CURRENCY_SYMBOL": "GBP "}, "GBP", "GBP"),
    ],
)
def test_the_currency_setting_resolves_a_symbol(environ: dict[str, str], code: str, symbol: str) -> None:
    currency = load_settings(environ).currency
    assert (currency.code, currency.symbol) == (code, symbol)


def test_an_unknown_currency_is_refused_naming_the_setting() -> None:
    with pytest.raises(SettingsError, match=r"SALESPULSE_CURRENCY.*'XYZ' is not an ISO 4217"):
        load_settings({"SALESPULSE_CURRENCY": "XYZ"})


def test_dbt_gets_the_symbol_it_cannot_look_up() -> None:
    env = dbt_env({"SALESPULSE_CURRENCY": "JPY", "SALESPULSE_CURRENCY_SYMBOL": ""})
    assert (env["SALESPULSE_CURRENCY"], env["SALESPULSE_CURRENCY_SYMBOL"]) == ("JPY", "¥")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("#,0", "¤#,0"),
        ("#,0;-#,0;0", "¤#,0;-¤#,0;¤0"),
        ("#,0.00", "¤#,0.00"),
        ('#,0;-#,0;"zero"', '¤#,0;-¤#,0;"zero"'),
        ("¤#,0", "¤#,0"),
    ],
)
def test_the_symbol_goes_before_the_digits_after_the_sign(pattern: str, expected: str) -> None:
    assert with_currency(pattern) == expected


def test_the_symbol_is_quoted_so_any_characters_read_literally() -> None:
    assert quoted_symbol_pattern("¤#,0;-¤#,0", "R$") == '"R$"#,0;-"R$"#,0'
    assert quoted_symbol_pattern("¤#,0", "") == "#,0"
    assert currency_for("brl").symbol == "R$"
