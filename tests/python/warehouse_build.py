"""Build a warehouse from a delivery the way `make demo` does: load, then `dbt build`."""

from __future__ import annotations

import os
from pathlib import Path

from salespulse.dbt import run_dbt
from salespulse.loader import load
from salespulse.warehouse import connect


def build_warehouse(delivery: Path, work: Path, target: str, env: dict[str, str]) -> dict[str, str]:
    """Load ``delivery`` into ``target`` and build it; return the environment that reaches it.

    dbt's target/ and logs/ go to ``work`` so parallel builds do not share them.
    """
    env = {**env, "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    with connect(target, {**os.environ, **env}) as warehouse:
        load(delivery, warehouse, budget_file=delivery / "budget_2024.xlsx", budget_year=2024)
    run_dbt(["build"], target=target, env=env)
    return env
