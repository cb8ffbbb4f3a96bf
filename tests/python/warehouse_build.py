"""Build a warehouse from a delivery the way `make demo` does: load, then `dbt build`."""

from __future__ import annotations

import os
from pathlib import Path

from salespulse.dbt import run_dbt
from salespulse.loader import load
from salespulse.warehouse import connect

WAREHOUSE_SCHEMAS = ("raw", "staging", "intermediate", "marts", "reporting", "reference")


def build_warehouse(delivery: Path, work: Path, target: str, env: dict[str, str]) -> dict[str, str]:
    """Load ``delivery`` into ``target`` and build it; return the environment that reaches it.

    dbt's target/ and logs/ go to ``work`` so parallel builds do not share them.
    """
    env = {**env, "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    with connect(target, {**os.environ, **env}) as warehouse:
        # the PostgreSQL server is shared by the session: start from an empty database
        with warehouse.transaction():
            for schema in WAREHOUSE_SCHEMAS:
                warehouse.execute(f"drop schema if exists {schema} cascade")
        load(delivery, warehouse, budget_file=delivery / "budget_2024.xlsx", budget_year=2024)
    run_dbt(["build"], target=target, env=env)
    return env
