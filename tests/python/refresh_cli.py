"""The near-real-time CLI tests' helpers: a published demo warehouse, its delivery folder, the
environment of `salespulse refresh` / `watch` / `generate --trickle` run as subprocesses."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from salespulse.handover import staged
from salespulse.warehouse import Warehouse
from salespulse.web.query.readers import Reader

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


def postgres_setup(
    pg_cluster: object, demo_postgres: dict[str, str], demo_delivery: Path, tmp_path: Path, database: str
) -> tuple[Path, dict[str, str]]:
    """A copy of the session's PostgreSQL demo warehouse in ``database`` and of its delivery folder,
    private to a test; returns the folder and the environment that points the CLI at both."""
    from warehouse_build import postgres_copy

    folder = Path(shutil.copytree(demo_delivery, tmp_path / "delivery"))
    base = postgres_copy(pg_cluster, demo_postgres, folder, tmp_path / "copy", database)
    return folder, {**os.environ, **base, "SALESPULSE_TARGET": "postgres", "SALESPULSE_DATA_DIR": str(folder)}


def order_numbers(reader: Reader) -> set[str]:
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


#: Relations that are not the warehouse's content: the incremental models' and the build's records,
#: and the change set (it holds what the last build changed, so it differs by design).
NOT_CONTENT = {
    "intermediate.incremental_state",
    "intermediate.last_build",
    "intermediate.int_order_lines__changes",
}
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "reporting")


def model_relations(warehouse: Warehouse) -> list[str]:
    """Every table and view dbt builds (the model schemas), but NOT_CONTENT."""
    marks = ", ".join("?" for _ in MODEL_SCHEMAS)
    rows = warehouse.query(
        f"select table_schema, table_name from information_schema.tables where table_schema in ({marks})",
        list(MODEL_SCHEMAS),
    )
    return sorted(f"{schema}.{name}" for schema, name in rows if f"{schema}.{name}" not in NOT_CONTENT)


def assert_same_relations(built: Warehouse, reference: Warehouse) -> None:
    """``built`` holds the relations of ``reference`` with the same rows (a selected build against a
    full one)."""
    relations = model_relations(reference)
    assert model_relations(built) == relations
    assert len(relations) > 60
    differ = [
        r
        for r in relations
        if sorted(map(repr, built.query(f"select * from {r}")))
        != sorted(map(repr, reference.query(f"select * from {r}")))
    ]
    assert not differ, f"the selected build and a full build differ in {differ}"


def reassign_a_client(folder: Path) -> str:
    """A customers delivery: the first client with a sales rep moves to another rep; returns its id."""
    path = folder / "customers.csv"
    with path.open(newline="", encoding="utf-8") as f:
        customers = list(csv.DictReader(f))
    reps = sorted({c["sales_rep_id"] for c in customers if c["sales_rep_id"]})
    client = next(c for c in customers if c["sales_rep_id"])
    client["sales_rep_id"] = next(rep for rep in reps if rep != client["sales_rep_id"])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(customers[0]))
        writer.writeheader()
        writer.writerows(customers)
    return client["customer_id"]


def move_an_order_to_the_next_day(folder: Path) -> str:
    """The newest trickle file's latest order, one day later (its order, due, ship and change dates):
    a delivery that moves the as-of date. Returns the order number."""
    path = max((folder / "order_lines").glob("order_lines_trickle_*"))
    assert path.suffix == ".parquet", path
    table = pq.read_table(path)
    rows = table.to_pylist()
    latest = max(rows, key=lambda row: (row["order_date"], row["order_number"]))["order_number"]
    for row in rows:
        if row["order_number"] == latest:
            for column in ("order_date", "due_date", "ship_date", "last_modified_at"):
                if row[column] is not None:
                    row[column] += timedelta(days=1)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    return str(latest)
