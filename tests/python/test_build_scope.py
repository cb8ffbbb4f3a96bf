"""What a refresh cycle builds (salespulse.build_scope), decided from a real DuckDB warehouse's load log
and build record; the builds themselves are in test_refresh.py (a selected cycle equals a full build)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from salespulse import build_scope
from salespulse.dbt import whole_build
from salespulse.loader import LOAD_LOG, RAW_SCHEMA, raw_tables
from salespulse.warehouse import Warehouse, connect

SETTINGS = {"SALESPULSE_CURRENCY": "USD", "SALESPULSE_HISTORY_YEARS": "2"}
#: What the record says reads the as-of date (the test below finds such names in a manifest).
AS_OF_MODELS = ("dim_date", "fct_budget")


def _land(warehouse: Warehouse, entity: str, name: str, at: datetime, last_order: date | None = None) -> None:
    """A load-log row, as the loader writes one per landed file."""
    with warehouse.transaction():
        warehouse.execute(
            f"insert into {RAW_SCHEMA}.{LOAD_LOG} values (?, ?, ?, ?, ?, ?)",
            [entity, name, "0" * 64, 1, last_order, at],
        )


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    with connect("duckdb", {"SALESPULSE_DUCKDB_PATH": str(tmp_path / "w.duckdb")}) as warehouse:
        columns = ", ".join(f'"{c.name}" varchar' for c in raw_tables()[LOAD_LOG])
        warehouse.execute(f"create schema {RAW_SCHEMA}")
        warehouse.execute(f"create table {RAW_SCHEMA}.{LOAD_LOG} ({columns})")
        warehouse.execute(
            f"alter table {RAW_SCHEMA}.{LOAD_LOG} alter row_count type bigint; "
            f"alter table {RAW_SCHEMA}.{LOAD_LOG} alter last_order_date type date; "
            f"alter table {RAW_SCHEMA}.{LOAD_LOG} alter _loaded_at type timestamp"
        )
        _land(warehouse, "order_lines", "order_lines/a.parquet", datetime(2025, 1, 1, 8), date(2024, 12, 31))
        _land(warehouse, "customers", "customers.csv", datetime(2025, 1, 1, 8))
        yield warehouse


def test_a_cycle_selects_what_changed_since_the_warehouses_last_build(warehouse: Warehouse) -> None:
    sources = build_scope.project_sources()
    assert sources["order_lines"] == "erp.order_lines" and sources["_load_log"] == "loader._load_log"
    first = build_scope.plan(warehouse, SETTINGS, sources)
    assert first.select is None and "no record" in first.why and first.args == ["build"]

    build_scope.remember(warehouse, SETTINGS, build_scope.fingerprint(SETTINGS), AS_OF_MODELS)
    assert build_scope.plan(warehouse, SETTINGS, sources).select == ()  # nothing landed since

    _land(warehouse, "customers", "customers.csv", datetime(2025, 1, 1, 9))  # a snapshot replaced
    _land(warehouse, "order_lines", "order_lines/b.parquet", datetime(2025, 1, 1, 9), date(2024, 12, 31))
    scope = build_scope.plan(warehouse, SETTINGS, sources)
    assert scope.select == ("source:crm.customers+", "source:erp.order_lines+", "source:loader._load_log+")
    assert scope.args[-2:] == ["--exclude-resource-type", "unit_test"]
    assert build_scope.plan(warehouse, SETTINGS, sources, full=True).select is None

    # a setting dbt reads, the as-of date, a table no source reads: everything
    other = {**SETTINGS, "SALESPULSE_CURRENCY": "EUR"}
    assert "setting changed" in build_scope.plan(warehouse, other, sources).why
    _land(warehouse, "order_lines", "order_lines/c.parquet", datetime(2025, 1, 1, 10), date(2025, 1, 1))
    moved = build_scope.plan(warehouse, SETTINGS, sources)  # and what the models reading it feed
    assert moved.select == (
        "source:crm.customers+", "source:erp.order_lines+", "source:loader._load_log+",
        "dim_date+", "fct_budget+",
    )  # fmt: skip
    assert "as-of date moved (2024-12-31 -> 2025-01-01): and the 2 models" in moved.why
    assert moved.fingerprint == build_scope.fingerprint(SETTINGS)  # computed once, for run_dbt to record
    build_scope.remember(warehouse, SETTINGS, build_scope.fingerprint(SETTINGS), None)
    _land(warehouse, "order_lines", "order_lines/d.parquet", datetime(2025, 1, 2, 8), date(2025, 1, 2))
    unknown = build_scope.plan(warehouse, SETTINGS, sources)  # a record that cannot say which: all
    assert unknown.select is None and "does not name the models that read it" in unknown.why
    pinned = {**SETTINGS, "SALESPULSE_AS_OF": "2024-12-31"}
    build_scope.remember(warehouse, pinned, build_scope.fingerprint(pinned), AS_OF_MODELS)
    _land(warehouse, "mystery", "mystery.csv", datetime(2025, 1, 1, 11))
    assert "no dbt source reads" in (build_scope.plan(warehouse, pinned, sources).why)

    build_scope.forget(warehouse)  # what a command that writes models does first
    assert build_scope.recorded(warehouse) is None


def test_the_models_that_read_the_as_of_date_are_found_through_the_macros_they_call(tmp_path: Path) -> None:
    """From a manifest in dbt's layout: a model reaches the macro directly, through a chain of
    macros (recursive ones among them), through a call dbt did not list because it runs only when
    `execute` is true, or not at all; tests and analyses are not built by a cycle."""

    def macro(name: str, *calls: str) -> tuple[str, dict[str, object]]:
        return f"macro.p.{name}", {"name": name, "depends_on": {"macros": [f"macro.p.{c}" for c in calls]}}

    def node(kind: str, name: str, *calls: str, sql: str = "") -> tuple[str, dict[str, object]]:
        return f"{kind}.p.{name}", {
            "name": name, "resource_type": kind, "raw_code": sql,
            "depends_on": {"macros": [f"macro.p.{c}" for c in calls]},
        }  # fmt: skip

    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "macros": dict(
                    [
                        macro(build_scope.AS_OF_MACRO),
                        macro("as_of_date_value", build_scope.AS_OF_MACRO),
                        macro("budget_year", "as_of_date_value"),
                        macro("walk", "walk", "money"),
                        macro("money"),
                        macro("ping", "pong"),
                        macro("pong", "ping", "budget_year"),
                    ]
                ),
                "nodes": dict(
                    [
                        node("model", "fct_budget", "budget_year"),
                        node("model", "dim_date", "as_of_date_value", "money"),
                        node("model", "dim_product", "walk", sql="select {{ money('price') }}"),
                        node("model", "fct_orders", "ping"),
                        node("model", "rpt_settings", sql="{% if execute %}{{ budget_year () }}{% endif %}"),
                        node("test", "assert_budget", "budget_year"),
                        node("analysis", "attainment", "as_of_date_value"),
                    ]
                ),
            }
        )
    )
    found = build_scope.as_of_models(manifest)
    assert found == ("dim_date", "fct_budget", "fct_orders", "rpt_settings")
    assert build_scope.as_of_models(tmp_path / "missing.json") is None


def test_the_fingerprint_covers_the_project_files_and_the_settings_dbt_reads(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("vars:\n  x: \"{{ env_var('SALESPULSE_X', '') }}\"\n")
    (tmp_path / "models" / "m.sql").write_text("select 1")
    before = build_scope.fingerprint({}, tmp_path)
    assert build_scope.fingerprint({"UNREAD": "1"}, tmp_path) == before
    assert build_scope.fingerprint({"SALESPULSE_X": "1"}, tmp_path) != before
    (tmp_path / "models" / "m.sql").write_text("select 2")
    assert build_scope.fingerprint({}, tmp_path) != before


def test_only_a_whole_build_is_recorded_without_the_callers_word() -> None:
    assert whole_build(["build"]) and whole_build(["build", "--full-refresh"])
    assert not whole_build(["build", "--select", "source:forecast+"])
    assert not whole_build(["build", "--exclude=dim_date"]) and not whole_build(["run"])
