"""Run dbt for the project with the environment it needs (no tracking, no version check)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from salespulse.settings import PROJECT_ROOT, dbt_currency_env

#: Variables that keep dbt from reaching the internet.
OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    "DO_NOT_TRACK": "1",
}


def dbt_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """dbt's environment: offline, this project's profiles, and the settings resolved the way the
    rest of the project resolves them (the currency's symbol, which dbt cannot look up itself)."""
    env = {**os.environ, **OFFLINE_ENV, "DBT_PROFILES_DIR": str(PROJECT_ROOT), **(extra or {})}
    return {**env, **dbt_currency_env(env)}


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def run_dbt(
    args: Sequence[str],
    *,
    target: str | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    capture: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` in the project directory; raise with dbt's output when it fails.

    With ``capture=False`` dbt prints straight to the terminal (for people watching a build).
    """
    command = [dbt_executable(), *args]
    if target:
        command += ["--target", target]
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=dbt_env(env), capture_output=capture, text=True, check=False
    )
    if check and result.returncode != 0:
        # without capture dbt has already printed its output to the terminal
        output = (result.stdout or "")[-6000:] + (result.stderr or "")
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{output}")
    return result
