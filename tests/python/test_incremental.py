"""Incremental builds of the order-line path give the full refresh's rows, and touch only what changed.

The session's demo warehouse (20 k lines) is copied; three trickle deliveries are landed with the
real loader, each followed by an incremental ``dbt run`` (and, after the last, ``dbt test``: the
data tests hold on the incremental tables):

1. a trickle delivery and a changed setting (``SALESPULSE_HISTORY_YEARS``): a full rebuild;
2. a trickle delivery plus the traps: an old line moved to another client, product and month, an
   old line now breaking a business rule (rejected), and a client reassigned to another rep in a
   new customers delivery (a dimension the facts copy);
3. a trickle delivery only, with a marker planted in untouched rows of every incremental table
   first: an incremental run keeps it (a model that silently rebuilt everything would not).

Then a copy of the same warehouse is rebuilt with ``--full-refresh`` and every reporting relation,
every incremental table and rejected_rows are compared row for row, on DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salespulse.dbt import run_dbt
from salespulse.generator import trickle
from salespulse.loader import load
from salespulse.warehouse import Warehouse, connect

#: The incremental models (macros/incremental.sql) and where they live.
INCREMENTAL = {
    "stg_erp__order_lines": "staging",
    "int_customer_orders": "intermediate",
    "fct_sales": "marts",
    "fct_orders": "marts",
    "agg_web_sales_daily": "marts",
    "agg_web_client_sales_daily": "marts",
    "agg_web_sales_monthly": "marts",
    "agg_web_product_sales_monthly": "marts",
    "agg_web_customer_activity": "marts",
    "agg_web_product_sales_lines": "marts",
    "agg_web_customer_sales_lines": "marts",
    "rejected_rows": "marts",
}
#: Relations compared besides the reporting schema's.
ALSO_COMPARED = dict(INCREMENTAL)
SETTINGS = {"SALESPULSE_HISTORY_YEARS": "3"}
MARK = 1000

#: Per incremental table: the column a marker is added to, the key of its partitions, and candidate
#: partitions (the oldest ones); the candidates a delivery does not touch must keep the marker.
#: Only columns no fully rebuilt model reads (a marker must not leak into the full-refresh comparison).
MARKED = {
    "stg_erp__order_lines": ("source_row", "order_line_id", "lines"),
    "fct_sales": ("source_row", "order_line_id", "lines"),
    "agg_web_sales_daily": ("net_sales_amount", "order_date", "days"),
    "agg_web_client_sales_daily": ("net_sales_amount", "order_date", "days"),
    "agg_web_sales_monthly": ("net_sales_amount", "month_start_date", "months"),
    "agg_web_product_sales_monthly": ("net_sales_amount", "month_start_date", "months"),
    "agg_web_product_sales_lines": ("net_sales_amount", "order_number", "orders"),
    "agg_web_customer_activity": ("active_months_1", "customer_key", "customers"),
    "rejected_rows": ("source_row", "business_key", "rejected_lines"),
}
CANDIDATES = {
    "lines": "select order_line_id from marts.fct_sales order by order_date, order_line_id limit 20",
    "days": "select distinct order_date from marts.fct_sales order by 1 limit 20",
    "months": "select distinct month_start_date from marts.agg_web_sales_monthly order by 1 limit 12",
    "orders": "select distinct order_number from marts.fct_sales order by 1 limit 20",
    "rejected_lines": """
        select business_key from marts.rejected_rows
        where entity = 'order_lines' and rejection_reason <> 'superseded_by_later_version'
        order by 1 limit 20""",
    "customers": """
        select customers.customer_key
        from intermediate.int_customer_orders as customer_orders
        inner join marts.dim_customer as customers on customer_orders.customer_id = customers.customer_id
        order by customer_orders.last_order_date, customer_orders.customer_id limit 20""",
}


def _env_of(base: dict[str, str], work: Path, **extra: str) -> dict[str, str]:
    work.mkdir(parents=True, exist_ok=True)
    return {
        **base,
        **SETTINGS,
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        **extra,
    }


def _land(delivery: Path, target: str, env: dict[str, str]) -> None:
    with connect(target, {**os.environ, **env}) as warehouse:
        load(delivery, warehouse, budget_files=sorted(delivery.glob("budget*.xlsx")))


def _write_traps(delivery: Path, warehouse: Warehouse) -> None:
    """An old line moved to another client, product and month; an old line now rejected; a client
    reassigned to another rep (a new customers delivery)."""
    lines_dir = delivery / "order_lines"
    table = pq.read_table(sorted(lines_dir.glob("order_lines_20*.parquet"))[2])
    latest = max(
        pq.read_table(p, columns=["last_modified_at"]).column(0).to_pylist()[-1]
        for p in lines_dir.glob("*.parquet")
    )
    rows = table.slice(0, 2).to_pylist()
    other_customer, other_sku = warehouse.query(
        "select min(customer_id), min(sku) from staging.stg_erp__order_lines "
        "where customer_id <> ? and sku <> ?",
        [rows[0]["customer_id"], rows[0]["sku"]],
    )[0]
    moved = {
        **rows[0],
        "customer_id": other_customer,
        "sku": other_sku,
        "order_date": rows[0]["order_date"] + timedelta(days=45),
        "due_date": rows[0]["due_date"] + timedelta(days=45),
        "ship_date": None,
        "last_modified_at": latest + timedelta(minutes=1),
    }
    rejected = {**rows[1], "quantity": 0, "extended_amount": Decimal("0.00"), "last_modified_at": latest}
    rejected["last_modified_at"] = latest + timedelta(minutes=1)
    pq.write_table(
        pa.Table.from_pylist([moved, rejected], schema=table.schema), lines_dir / "order_lines_fix_01.parquet"
    )

    with (delivery / "customers.csv").open(newline="") as f:
        customers = list(csv.DictReader(f))
    reps = sorted({c["sales_rep_id"] for c in customers if c["sales_rep_id"]})
    client = next(c for c in customers if c["customer_id"] == rows[0]["customer_id"])
    client["sales_rep_id"] = next(rep for rep in reps if rep != client["sales_rep_id"])
    with (delivery / "customers.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(customers[0]))
        writer.writeheader()
        writer.writerows(customers)


def _sums(warehouse: Warehouse, model: str, keys: list) -> dict:
    column, key, _ = MARKED[model]
    marks = ", ".join("?" for _ in keys)
    rows = warehouse.query(
        f"select {key}, sum({column}), count(*) from {INCREMENTAL[model]}.{model} "
        f"where {key} in ({marks}) group by {key}",
        keys,
    )
    return {k: (Decimal(total), count) for k, total, count in rows}


def _add(warehouse: Warehouse, model: str, keys: list, amount: int) -> None:
    column, key, _ = MARKED[model]
    marks = ", ".join("?" for _ in keys)
    warehouse.execute(
        f"update {INCREMENTAL[model]}.{model} set {column} = {column} + {amount} where {key} in ({marks})",
        keys,
    )


def _mark(warehouse: Warehouse) -> dict[str, dict]:
    """Add MARK to the marked column of the candidate partitions; return their sums before."""
    before = {}
    with warehouse.transaction():
        for model, (_, _, kind) in MARKED.items():
            keys = [k for (k,) in warehouse.query(CANDIDATES[kind])]
            before[model] = _sums(warehouse, model, keys)
            assert before[model], model
            _add(warehouse, model, list(before[model]), MARK)
    return before


def _touched(warehouse: Warehouse) -> dict[str, set]:
    """The partitions the last run's change set names (int_order_lines__changes)."""
    changes = warehouse.query(
        "select changes.order_line_id, changes.order_number, changes.order_date, customers.customer_key "
        "from intermediate.int_order_lines__changes as changes "
        "left join marts.dim_customer as customers on changes.customer_id = customers.customer_id"
    )
    assert changes
    return {
        "lines": {r[0] for r in changes},
        "rejected_lines": {r[0] for r in changes},  # a broken line's business key is its order_line_id
        "orders": {r[1] for r in changes},
        "days": {r[2] for r in changes},
        "months": {r[2].replace(day=1) for r in changes},
        "customers": {r[3] for r in changes},
    }


def _check_and_unmark(warehouse: Warehouse, before: dict[str, dict]) -> None:
    """Untouched candidates kept the marker (the model did not rebuild them); remove it."""
    touched = _touched(warehouse)
    with warehouse.transaction():
        for model, sums in before.items():
            _, key, kind = MARKED[model]
            kept = [k for k in sums if k not in touched[kind]]
            assert kept, f"{model}: every candidate was touched, nothing shows a partial rebuild"
            after = _sums(warehouse, model, kept)
            for k in kept:
                total, count = sums[k]
                assert after[k] == (total + MARK * count, count), f"{model} rebuilt {key} {k}: untouched"
            _add(warehouse, model, kept, -MARK)


def _rows(warehouse: Warehouse, relation: str) -> list[tuple]:
    return sorted(warehouse.query(f"select * from {relation}"), key=repr)


def _relations(warehouse: Warehouse) -> list[str]:
    reporting = warehouse.query(
        "select table_name from information_schema.tables where table_schema = 'reporting' order by 1"
    )
    return [f"reporting.{name}" for (name,) in reporting] + [f"{s}.{m}" for m, s in ALSO_COMPARED.items()]


def _incremental_then_full(
    target: str, delivery: Path, work: Path, base_env: dict[str, str], full_copy: Callable[[], dict[str, str]]
) -> None:
    env = _env_of(base_env, work / "incremental")
    # 1: a trickle delivery and a setting that shapes the output (a full rebuild)
    list(trickle(delivery, seed=21, lines=40, count=1, every=0))
    _land(delivery, target, env)
    run_dbt(["run"], target=target, env=env)
    # 2: a trickle delivery and the traps
    list(trickle(delivery, seed=22, lines=40, count=1, every=0))
    with connect(target, {**os.environ, **env}) as warehouse:
        _write_traps(delivery, warehouse)
    _land(delivery, target, env)
    run_dbt(["run"], target=target, env=env)
    with connect(target, {**os.environ, **env}) as warehouse:
        reasons = warehouse.query(
            "select count(*) from marts.rejected_rows where rejection_reason = 'non_positive_quantity'"
        )[0][0]
        assert reasons >= 1
        before = _mark(warehouse)
    # 3: a trickle delivery only: incremental everywhere, the marked rows stay as they were
    list(trickle(delivery, seed=23, lines=40, count=1, every=0))
    _land(delivery, target, env)
    run_dbt(["run"], target=target, env=env)
    with connect(target, {**os.environ, **env}) as warehouse:
        state = dict(
            warehouse.query("select model_name, since_loaded_at from intermediate.incremental_state")
        )
        assert set(INCREMENTAL) <= set(state)
        assert all(state[model] is not None for model in INCREMENTAL), state  # all incremental
        assert warehouse.query("select count(*) from intermediate.int_order_lines__changes")[0][0] > 0
        _check_and_unmark(warehouse, before)
    run_dbt(["test"], target=target, env=env)  # the data tests hold on the incremental tables

    full_env = _env_of(full_copy(), work / "full")
    run_dbt(["run", "--full-refresh"], target=target, env=full_env)
    with (
        connect(target, {**os.environ, **env}) as incremental,
        connect(target, {**os.environ, **full_env}) as full,
    ):
        relations = _relations(full)
        assert len(relations) > 40
        differ = [r for r in relations if _rows(incremental, r) != _rows(full, r)]
        assert not differ, f"incremental and full refresh differ in {differ}"


def test_incremental_builds_equal_a_full_refresh_on_duckdb(
    demo_delivery: Path, demo_duckdb: dict[str, str], tmp_path: Path
) -> None:
    delivery = Path(shutil.copytree(demo_delivery, tmp_path / "delivery"))
    database = tmp_path / "incremental" / "w.duckdb"
    database.parent.mkdir()
    shutil.copy(demo_duckdb["SALESPULSE_DUCKDB_PATH"], database)
    base = {"SALESPULSE_DUCKDB_PATH": str(database)}

    def full_copy() -> dict[str, str]:
        copy = tmp_path / "full" / "w.duckdb"
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(database, copy)
        return {"SALESPULSE_DUCKDB_PATH": str(copy)}

    _incremental_then_full("duckdb", delivery, tmp_path, base, full_copy)


@pytest.mark.postgres
def test_incremental_builds_equal_a_full_refresh_on_postgres(
    demo_delivery: Path, demo_postgres: dict[str, str], pg_cluster: object, tmp_path: Path
) -> None:
    from warehouse_build import postgres_copy

    delivery = Path(shutil.copytree(demo_delivery, tmp_path / "delivery"))
    base = postgres_copy(pg_cluster, demo_postgres, delivery, tmp_path / "copy", "salespulse_incremental")

    def full_copy() -> dict[str, str]:
        return postgres_copy(
            pg_cluster, base, delivery, tmp_path / "copy-full", "salespulse_incremental_full"
        )

    _incremental_then_full("postgres", delivery, tmp_path, base, full_copy)
