"""Shared fixtures: a small hand-made delivery, the demo delivery, warehouses on both targets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deliveries import write_mini_delivery
from salespulse.warehouse import DuckDBWarehouse, Warehouse, connect

# Nothing a test runs may reach the internet.
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DBT_VERSION_CHECK", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def mini_delivery(tmp_path: Path) -> Path:
    """A hand-written minimal delivery: order lines (two monthly files), customers, products, budget."""
    return write_mini_delivery(tmp_path / "delivery")


@pytest.fixture
def duckdb_warehouse(tmp_path: Path) -> Iterator[DuckDBWarehouse]:
    with DuckDBWarehouse(tmp_path / "warehouse" / "test.duckdb") as warehouse:
        yield warehouse


@pytest.fixture(scope="session")
def demo_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's demo company at a small scale (shared by the whole session: do not modify)."""
    from salespulse.generator import generate

    out = tmp_path_factory.mktemp("demo")
    generate(out, order_lines=20_000)
    return out


@pytest.fixture(scope="session")
def demo_duckdb(demo_delivery: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo delivery loaded and built on DuckDB (session-wide: read it, do not modify it).

    Returns the environment that reaches it (``SALESPULSE_DUCKDB_PATH``, dbt's target/log paths).
    """
    from warehouse_build import build_warehouse

    work = tmp_path_factory.mktemp("demo-duckdb")
    return build_warehouse(
        demo_delivery, work, "duckdb", {"SALESPULSE_DUCKDB_PATH": str(work / "demo.duckdb")}
    )


@pytest.fixture(scope="module")
def dashboard(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 over the demo warehouse after the forecast, one per
    test module; its base URL."""
    from web_browsing import serve_dashboard

    yield from serve_dashboard(demo_duckdb, tmp_path_factory, request.module.__name__)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (web_browsing.Browser), one per test module."""
    from web_browsing import launch

    yield from launch()


@pytest.fixture
def demo_duck(demo_duckdb: dict[str, str]) -> Iterator[Warehouse]:
    """A connection to the session's demo DuckDB warehouse."""
    with connect("duckdb", {**os.environ, **demo_duckdb}) as warehouse:
        yield warehouse


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """A throw-away PostgreSQL server owned by this test run, stopped at the end."""
    from pgcluster import ThrowawayCluster

    with ThrowawayCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def demo_postgres(
    demo_delivery: Path, pg_cluster: object, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The demo delivery built on PostgreSQL, in a database of its own (session-wide: do not modify).

    Returns the environment that reaches it (``PG*`` variables, dbt's target/log paths).
    """
    from warehouse_build import build_warehouse

    with pg_cluster.connect(autocommit=True) as conn:  # type: ignore[attr-defined]
        conn.execute("create database salespulse_demo")
    env = {**pg_cluster.env, "PGDATABASE": "salespulse_demo"}  # type: ignore[attr-defined]
    return build_warehouse(demo_delivery, tmp_path_factory.mktemp("demo-postgres"), "postgres", env)


@pytest.fixture
def pg_warehouse(pg_cluster: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Warehouse]:
    """The ``postgres`` target of profiles.yml pointed at the throw-away server, with an empty raw schema."""
    for name, value in pg_cluster.env.items():  # type: ignore[attr-defined]
        monkeypatch.setenv(name, value)
    with connect("postgres") as warehouse:
        with warehouse.transaction():
            warehouse.execute("drop schema if exists raw cascade")
        yield warehouse
