"""Build a warehouse from a delivery the way `make demo` does: load, then `dbt build`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from salespulse.dbt import run_dbt
from salespulse.loader import load
from salespulse.warehouse import Warehouse, connect

WAREHOUSE_SCHEMAS = ("raw", "staging", "intermediate", "marts", "reporting", "reference")


def build_warehouse(delivery: Path, work: Path, target: str, env: dict[str, str]) -> dict[str, str]:
    """Load ``delivery`` (with its ``budget*.xlsx`` workbooks) into ``target`` and build it;
    return the environment that reaches it.

    dbt's target/ and logs/ go to ``work`` so parallel builds do not share them.
    """
    env = {**env, "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    with connect(target, {**os.environ, **env}) as warehouse:
        # the PostgreSQL server is shared by the session: start from an empty database
        with warehouse.transaction():
            for schema in WAREHOUSE_SCHEMAS:
                warehouse.execute(f"drop schema if exists {schema} cascade")
        load(delivery, warehouse, budget_files=sorted(delivery.glob("budget*.xlsx")))
    run_dbt(["build"], target=target, env=env)
    return env


def postgres_copy(
    pg_cluster: object, demo_env: dict[str, str], delivery: Path, work: Path, database: str
) -> dict[str, str]:
    """A database of its own (``database``) with the demo PostgreSQL warehouse: a copy of the demo
    database, or a fresh build when the demo database is in use (PostgreSQL copies only idle
    templates). Returns the environment that reaches it."""
    from psycopg import errors

    env = {
        **demo_env,
        "PGDATABASE": database,
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    with pg_cluster.connect(autocommit=True) as conn:  # type: ignore[attr-defined]
        try:
            conn.execute(f"create database {database} template {demo_env['PGDATABASE']}")
            return env
        except errors.ObjectInUse:  # someone is connected to the template: build a new one
            conn.execute(f"create database {database}")
    return build_warehouse(delivery, work, "postgres", env)


def assert_same_on_both(duck: Warehouse, pg: Warehouse, views: Mapping[str, str]) -> None:
    """Every reporting view of ``views`` (view -> its ``order by``) has the same columns and rows on
    DuckDB and on PostgreSQL (values compared as values: ``Decimal('1.50') == Decimal('1.5000')``)."""
    for view, key in views.items():
        assert duck.table_columns("reporting", view) == pg.table_columns("reporting", view), view
        select = f"select * from reporting.{view} order by {key}"
        duck_rows, pg_rows = duck.query(select), pg.query(select)
        assert len(duck_rows) == len(pg_rows) > 0, view
        assert [tuple(map(_normal, r)) for r in duck_rows] == [tuple(map(_normal, r)) for r in pg_rows], view


def _normal(value: object) -> object:
    return value.normalize() if isinstance(value, Decimal) else value
