"""One configuration: the settings module, and the same settings reaching a plain `dbt build`.

The analyst's path is tested as they would take it: `salespulse load`, then `dbt build` with no
vars on the command line, the settings only in the environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from deliveries import write_mini_delivery
from salespulse.dbt import dbt_env, dbt_executable
from salespulse.settings import PROJECT_ROOT, SettingsError, load_settings
from salespulse.warehouse import connect

#: The mini delivery's latest order (SO3, ordered 14 February 2024): a mid-month as-of date.
MINI_LAST_ORDER = date(2024, 2, 14)
SETTINGS_VARS = (
    "SALESPULSE_AS_OF",
    "SALESPULSE_HISTORY_YEARS",
    "SALESPULSE_HISTORY_START",
    "SALESPULSE_BUDGET_YEAR",
    "SALESPULSE_BUDGET_FILES",
)


def test_unset_settings_leave_the_dates_to_the_data() -> None:
    settings = load_settings({})
    assert settings.as_of is None
    assert settings.budget_year is None
    assert settings.history_start_for(date(2026, 1, 15)) == date(2024, 1, 1)


def test_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SALESPULSE_AS_OF": "2026-01-15",
            "SALESPULSE_HISTORY_YEARS": "1",
            "SALESPULSE_BUDGET_YEAR": "2025",
            "SALESPULSE_DATA_DIR": str(tmp_path),
            "SALESPULSE_BUDGET_FILES": "finance/*.xlsx",
        }
    )
    assert settings.as_of == date(2026, 1, 15)
    assert settings.history_start_for(settings.as_of) == date(2025, 1, 1)
    assert settings.budget_year == 2025
    (tmp_path / "finance").mkdir()
    for name in ("plan_2026.xlsx", "plan_2025.xlsx", "~$plan_2025.xlsx", "notes.txt"):
        (tmp_path / "finance" / name).write_bytes(b"")
    assert [p.name for p in settings.budget_workbooks()] == ["plan_2025.xlsx", "plan_2026.xlsx"]
    explicit = load_settings({"SALESPULSE_HISTORY_START": "2023-07-01"})
    assert explicit.history_start_for(date(2026, 1, 15)) == date(2023, 7, 1)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SALESPULSE_AS_OF", "15/01/2026", "expected YYYY-MM-DD"),
        ("SALESPULSE_AS_OF", "2026-02-30", "expected YYYY-MM-DD"),
        ("SALESPULSE_HISTORY_YEARS", "two", "not a whole number"),
        ("SALESPULSE_HISTORY_YEARS", "-1", "out of range"),
        ("SALESPULSE_BUDGET_YEAR", "25", "out of range"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_variable(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=name) as refused:
        load_settings({name: value})
    assert says in str(refused.value)


def _plain_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The analyst's shell: no SALESPULSE_* dates unless given, the warehouse in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    return {
        **env,
        "SALESPULSE_DUCKDB_PATH": str(tmp_path / "warehouse" / "salespulse.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        **settings,
    }


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=PROJECT_ROOT, env=dbt_env(env), capture_output=True, text=True)


def _salespulse(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "salespulse.cli", *args], env)


def _dates(env: dict[str, str]) -> tuple[date, date, int]:
    """(as-of date, history start, budget year) as the built reporting.dates has them."""
    with connect("duckdb", env) as warehouse:
        rows = warehouse.query(
            "select max(case when is_on_or_before_as_of then date_day end), "
            "min(case when is_in_history then date_day end), "
            "max(case when is_budget_year then year_number end) from reporting.dates"
        )
    return rows[0]


@pytest.mark.slow
def test_a_plain_dbt_build_after_a_load_uses_the_settings_or_the_last_order_date(tmp_path: Path) -> None:
    delivery = write_mini_delivery(tmp_path / "delivery")
    env = _plain_env(tmp_path, SALESPULSE_DATA_DIR=str(delivery))

    loaded = _salespulse("load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert f"as of {MINI_LAST_ORDER}: the last order date loaded" in loaded.stdout

    built = _run([dbt_executable(), "build"], env)
    assert built.returncode == 0, built.stdout[-4000:]
    assert f"as of {MINI_LAST_ORDER} (the last order date loaded" in built.stdout
    assert _dates(env) == (MINI_LAST_ORDER, date(2022, 1, 1), 2024)

    # the same plain dbt, told by the environment alone: another as-of date, window and budget year
    told = {**env, "SALESPULSE_AS_OF": "2024-01-20", "SALESPULSE_HISTORY_YEARS": "1"}
    rebuilt = _run([dbt_executable(), "run", "--select", "dim_date", "rpt_dates"], {**told})
    assert rebuilt.returncode == 0, rebuilt.stdout[-4000:]
    assert "as of 2024-01-20 (set by SALESPULSE_AS_OF)" in rebuilt.stdout
    assert _dates(env) == (date(2024, 1, 20), date(2023, 1, 1), 2024)


@pytest.mark.slow
def test_a_mistyped_setting_stops_dbt_naming_it(tmp_path: Path) -> None:
    delivery = write_mini_delivery(tmp_path / "delivery")
    env = _plain_env(tmp_path, SALESPULSE_DATA_DIR=str(delivery))
    assert _salespulse("load", env=env).returncode == 0
    refused = _run(
        [dbt_executable(), "run", "--select", "dim_date"], {**env, "SALESPULSE_AS_OF": "31.01.2026"}
    )
    assert refused.returncode != 0
    assert "SALESPULSE_AS_OF" in refused.stdout and "31.01.2026" in refused.stdout


@pytest.mark.slow
def test_a_plain_dbt_build_before_any_load_says_to_load_first(tmp_path: Path) -> None:
    env = _plain_env(tmp_path)
    (tmp_path / "warehouse").mkdir()
    built = _run([dbt_executable(), "build"], env)
    assert built.returncode != 0
    assert "No order lines are loaded" in built.stdout
    assert "salespulse load" in built.stdout
