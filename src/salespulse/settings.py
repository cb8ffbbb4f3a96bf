"""The project's settings: one place, read from ``SALESPULSE_*`` environment variables.

Nothing here reads the clock: the "as of" date is a setting (or, when it is not set, the last
order date loaded), so that every number is reproducible. The same variables reach every layer:

- the loader and the CLI read them through :func:`load_settings`;
- dbt reads them itself through ``env_var()`` in ``dbt_project.yml`` (so a plain ``dbt build``
  honours them too) and the macros in ``macros/dates.sql`` resolve the defaults;
- the web dashboard, the forecast and Power BI read the dates the build settled on from the
  warehouse (``reporting.dates``: ``is_on_or_before_as_of``, ``is_budget_year``), never from
  their own copy.

=============================  ===============================================================
``SALESPULSE_AS_OF``           last day of data (``YYYY-MM-DD``); unset: the last order date loaded
``SALESPULSE_HISTORY_YEARS``   whole calendar years shown before the as-of year (default 2)
``SALESPULSE_HISTORY_START``   first day of the history window; overrides the years above
``SALESPULSE_BUDGET_YEAR``     the year the forecast projects and compares with its budget;
                               unset: the as-of date's year
``SALESPULSE_BUDGET_FILES``    the budget workbooks of the delivery (a glob relative to the
                               data dir, default ``budget*.xlsx``; several years allowed)
``SALESPULSE_DATA_DIR``        the delivery folder
``SALESPULSE_CURRENCY``        ISO 4217 code of the amounts delivered (default ``USD``)
``SALESPULSE_CURRENCY_SYMBOL`` the symbol shown with amounts; unset: CLDR's (``$``, ``€``, ``CHF``)
=============================  ===============================================================

The warehouse connection (``SALESPULSE_TARGET``, ``SALESPULSE_DUCKDB_PATH``, ``PG*``) is read by
``profiles.yml``, which dbt and the loader share (``salespulse.warehouse``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from salespulse.currency import DEFAULT_CURRENCY, Currency, currency_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_HISTORY_YEARS = 2
DEFAULT_BUDGET_FILES = "budget*.xlsx"

#: The variables :class:`Settings` reads (also what ``dbt_project.yml`` reads with ``env_var``).
AS_OF_VAR = "SALESPULSE_AS_OF"
HISTORY_YEARS_VAR = "SALESPULSE_HISTORY_YEARS"
HISTORY_START_VAR = "SALESPULSE_HISTORY_START"
BUDGET_YEAR_VAR = "SALESPULSE_BUDGET_YEAR"
BUDGET_FILES_VAR = "SALESPULSE_BUDGET_FILES"
CURRENCY_VAR = "SALESPULSE_CURRENCY"
CURRENCY_SYMBOL_VAR = "SALESPULSE_CURRENCY_SYMBOL"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    #: Last day of data; ``None``: the last order date loaded (the build says which it used).
    as_of: date | None
    #: Whole calendar years before the as-of year that the history window covers.
    history_years: int
    #: First day of the history window when set explicitly (else Jan 1, ``history_years`` back).
    history_start: date | None
    #: The year the forecast projects and compares with its budget; ``None``: the as-of year.
    budget_year: int | None
    #: Glob, relative to ``data_dir``, of the budget workbooks to land.
    budget_files: str
    data_dir: Path
    #: The currency of every amount delivered (code and the symbol shown with it).
    currency: Currency

    def history_start_for(self, as_of: date) -> date:
        """First day of the history window for the as-of date the build settled on."""
        return self.history_start or date(as_of.year - self.history_years, 1, 1)

    def budget_workbooks(self, data_dir: Path | None = None) -> list[Path]:
        """The budget workbooks of a delivery folder, in name order (``~$`` lock files left out)."""
        folder = data_dir or self.data_dir
        found = folder.glob(self.budget_files)
        return sorted(p for p in found if p.is_file() and not p.name.startswith("~$"))


def _date(environ: Mapping[str, str], name: str) -> date | None:
    value = environ.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a date; expected YYYY-MM-DD, e.g. 2025-06-15") from None


def int_setting(env: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    """A whole-number setting within [low, high]; ``default`` when unset; else a SettingsError naming it."""
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a whole number") from None
    if not low <= number <= high:
        raise SettingsError(f"{name}={number} is out of range ({low} to {high})")
    return number


def _path(environ: Mapping[str, str], name: str, default: Path) -> Path:
    value = environ.get(name, "").strip()
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def _currency(environ: Mapping[str, str]) -> Currency:
    code = environ.get(CURRENCY_VAR, "").strip() or DEFAULT_CURRENCY
    try:
        return currency_for(code, environ.get(CURRENCY_SYMBOL_VAR, ""))
    except ValueError as error:
        raise SettingsError(f"{CURRENCY_VAR}: {error}") from None


def dbt_currency_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The currency as dbt reads it (``dbt_project.yml``): the code and the resolved symbol, so that
    dbt, which cannot ask CLDR, writes the same symbol into ``reporting.settings``."""
    currency = _currency(os.environ if environ is None else environ)
    return {CURRENCY_VAR: currency.code, CURRENCY_SYMBOL_VAR: currency.symbol}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``SALESPULSE_*`` environment variables (see the module docstring and README)."""
    env = os.environ if environ is None else environ
    history_years = int_setting(env, HISTORY_YEARS_VAR, DEFAULT_HISTORY_YEARS, 0, 50)
    assert history_years is not None
    return Settings(
        as_of=_date(env, AS_OF_VAR),
        history_years=history_years,
        history_start=_date(env, HISTORY_START_VAR),
        budget_year=int_setting(env, BUDGET_YEAR_VAR, None, 1900, 2999),
        budget_files=env.get(BUDGET_FILES_VAR, "").strip() or DEFAULT_BUDGET_FILES,
        data_dir=_path(env, "SALESPULSE_DATA_DIR", PROJECT_ROOT / "data" / "demo"),
        currency=_currency(env),
    )
