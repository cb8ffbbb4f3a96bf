"""The near-real-time CLI tests' helpers: a published demo warehouse, its delivery folder, the
environment of `salespulse refresh` / `watch` / `generate --trickle` run as subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from salespulse.handover import staged
from salespulse.web.query.readers import DuckDBReader

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SALESPULSE = str(Path(sys.executable).with_name("salespulse"))
BROKEN = "order_lines/order_lines_broken.csv"


def publish_copy(demo_duckdb: dict[str, str], published: Path) -> Path:
    """The demo warehouse, published at ``published`` the way `salespulse build` leaves it."""
    with staged(published) as build_file:
        shutil.copyfile(demo_duckdb["SALESPULSE_DUCKDB_PATH"], build_file)
    return published


def cli_env(published: Path, folder: Path, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SALESPULSE_TARGET": "duckdb",
        "SALESPULSE_DUCKDB_PATH": str(published),
        "SALESPULSE_DATA_DIR": str(folder),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }


def salespulse(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SALESPULSE, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def trickle(env: dict[str, str], folder: Path, count: int, seed: int) -> set[str]:
    """Deliver ``count`` trickle files with the real command; return the order numbers they name."""
    before = set((folder / "order_lines").glob("order_lines_trickle_*"))
    done = salespulse(
        env, "generate", "--trickle", "--out", str(folder), "--every", "0", "--count", str(count),
        "--seed", str(seed), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    files = set((folder / "order_lines").glob("order_lines_trickle_*")) - before
    assert len(files) == count
    return {n for path in files for n in pq.read_table(path, columns=["order_number"]).column(0).to_pylist()}


def order_numbers(reader: DuckDBReader) -> set[str]:
    return {row[0] for row in reader.query("select distinct order_number from reporting.sales")}


def break_delivery(folder: Path) -> None:
    """An order-lines file the contract refuses (no such columns)."""
    (folder / BROKEN).write_text("order_no,qty\nX1,1\n", encoding="utf-8")


#: A published demo warehouse, its delivery folder, and the environment that points the CLI at both.
Setup = tuple[Path, Path, dict[str, str]]


def demo_setup(demo_duckdb: dict[str, str], demo_delivery: Path, tmp_path: Path) -> Setup:
    """Copies of the session's demo warehouse (published) and delivery folder, private to a test."""
    published = publish_copy(demo_duckdb, tmp_path / "warehouse" / "salespulse.duckdb")
    folder = Path(shutil.copytree(demo_delivery, tmp_path / "delivery"))
    return published, folder, cli_env(published, folder, tmp_path)
