"""Incremental builds of the order-line path give the full refresh's rows, and touch only what changed.

The session's demo warehouse (20 k lines) is copied; three trickle deliveries are landed with the
real loader, each followed by an incremental ``dbt run`` (and, after the last, ``dbt test``: the
data tests hold on the incremental tables):

1. a trickle delivery and a changed setting (``SALESPULSE_HISTORY_YEARS``): a full rebuild;
2. a trickle delivery plus the traps: an old line moved to another client, product and month, an
   old line now breaking a business rule (rejected), and a client reassigned to another rep in a
   new customers delivery (a dimension the facts copy); then (2b) a whole order moved to another
   day and a client's first order cancelled, without a dimension change (incremental);
3. a trickle delivery only, with a marker planted in untouched rows of every incremental table
   first: an incremental run keeps it (a model that silently rebuilt everything would not). The
   delta-maintained aggregates (macros/delta_maintenance.sql) add to their old rows, so every marked
   group they keep still carries it, touched or not: the marker is taken out of those groups by
   their whole grain.
4. the as-of date set 30 days back (``SALESPULSE_AS_OF``, same year): fct_customer_activity
   rebuilds in full (a client lost in those days without an order in them is no longer lost, and the
   change set does not name it), the other models stay incremental.

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
    "int_order_lines__checked": "intermediate",
    "int_customer_orders": "intermediate",
    "fct_sales": "marts",
    "fct_orders": "marts",
    "fct_customer_activity": "marts",
    "agg_web_sales_daily": "marts",
    "agg_web_client_sales_daily": "marts",
    "agg_web_sales_monthly": "marts",
    "agg_web_product_sales_monthly": "marts",
    "agg_web_customer_activity": "marts",
    "agg_web_client_sales_monthly_unranked": "marts",
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
    "agg_web_sales_daily": (
        "net_sales_amount",
        "(order_date, campaign_key, territory_key, sales_rep_key)",
        "daily",
    ),
    "agg_web_client_sales_daily": ("net_sales_amount", "(customer_key, order_date)", "client_days"),
    "agg_web_sales_monthly": (
        "net_sales_amount",
        "(month_start_date, campaign_key, geography_key, territory_key, sales_rep_key)",
        "monthly",
    ),
    "agg_web_product_sales_monthly": (
        "net_sales_amount",
        "(month_start_date, product_key, campaign_key, territory_key, sales_rep_key)",
        "product_monthly",
    ),
    "agg_web_product_sales_lines": ("net_sales_amount", "order_number", "orders"),
    "agg_web_customer_activity": ("active_months_1", "customer_key", "customers"),
    "fct_customer_activity": ("orders", "customer_key", "customers"),
    "rejected_rows": ("source_row", "business_key", "rejected_lines"),
}
#: The delta-maintained aggregates: their touched keys are the key tuples of int_order_lines__delta.
DELTA = {
    "agg_web_sales_daily": "daily",
    "agg_web_sales_monthly": "monthly",
    "agg_web_product_sales_monthly": "product_monthly",
}
#: Their measure columns; the other columns are the grain.
MEASURES = {
    "net_sales_amount",
    "sales_quantity",
    "margin_amount",
    "cancelled_amount",
    "order_count",
    "new_customer_count",
    "line_count",
}
CANDIDATES = {
    "lines": "select order_line_id from marts.fct_sales order by order_date, order_line_id limit 20",
    "client_days": """
        select distinct customer_key, order_date from marts.agg_web_client_sales_daily
        order by order_date, customer_key limit 20""",
    "daily": """
        select distinct order_date, campaign_key, territory_key, sales_rep_key from marts.agg_web_sales_daily
        order by 1, 2, 3, 4 limit 20""",
    "monthly": """
        select distinct month_start_date, campaign_key, geography_key, territory_key, sales_rep_key
        from marts.agg_web_sales_monthly order by 1, 2, 3, 4, 5 limit 20""",
    "product_monthly": """
        select distinct month_start_date, product_key, campaign_key, territory_key, sales_rep_key
        from marts.agg_web_product_sales_monthly order by 1, 2, 3, 4, 5 limit 20""",
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


def _in(key: str, keys: list) -> tuple[str, list]:
    """``key in (...)`` for a column or a tuple of columns ``(a, b)`` (keys are tuples then)."""
    if not key.startswith("("):
        return f"{key} in ({', '.join('?' for _ in keys)})", list(keys)
    width = key.count(",") + 1
    row = f"({', '.join('?' for _ in range(width))})"
    return f"{key} in ({', '.join(row for _ in keys)})", [v for k in keys for v in k]


def _write_order_traps(delivery: Path, warehouse: Warehouse) -> None:
    """A whole order moved three days on, and a client's first order cancelled (its next order turns
    New): the delta-maintained aggregates' traps, in a delivery without a dimension change."""
    lines_dir = delivery / "order_lines"
    files = sorted(lines_dir.glob("*.parquet"))
    latest_rows: dict[tuple, dict] = {}
    for path in files:
        for row in pq.read_table(path).to_pylist():
            key = (row["order_number"], row["line_number"])
            if key not in latest_rows or row["last_modified_at"] >= latest_rows[key]["last_modified_at"]:
                latest_rows[key] = row
    stamp = max(r["last_modified_at"] for r in latest_rows.values()) + timedelta(minutes=2)
    ((first_order,),) = warehouse.query(
        "select first_order_number from intermediate.int_customer_orders where order_count >= 2 "
        "order by customer_id limit 1"
    )
    ((moved_order,),) = warehouse.query(
        "select order_number from marts.fct_sales where counts_as_sales and order_number <> ? "
        "group by order_number having count(*) >= 2 order by order_number limit 1",
        [first_order],
    )
    days = timedelta(days=3)
    moved = {"ship_date": None, "last_modified_at": stamp}
    rows = [
        {**row, **moved, "order_date": row["order_date"] + days, "due_date": row["due_date"] + days}
        if order == moved_order
        else {**row, "status": "cancelled", "last_modified_at": stamp}
        for (order, _), row in sorted(latest_rows.items())
        if order in (moved_order, first_order)
    ]
    pq.write_table(
        pa.Table.from_pylist(rows, schema=pq.read_schema(files[0])), lines_dir / "order_lines_fix_02.parquet"
    )


def _sums(warehouse: Warehouse, model: str, keys: list) -> dict:
    column, key, _ = MARKED[model]
    where, params = _in(key, keys)
    columns = key.strip("()")
    rows = warehouse.query(
        f"select {columns}, sum({column}), count(*) from {INCREMENTAL[model]}.{model} "
        f"where {where} group by {columns}",
        params,
    )
    return {(r[0] if len(r) == 3 else tuple(r[:-2])): (Decimal(r[-2]), r[-1]) for r in rows}


def _add(warehouse: Warehouse, model: str, keys: list, amount: int) -> None:
    column, key, _ = MARKED[model]
    where, params = _in(key, keys)
    warehouse.execute(
        f"update {INCREMENTAL[model]}.{model} set {column} = {column} + {amount} where {where}", params
    )


def _grain(warehouse: Warehouse, model: str) -> list[str]:
    columns = warehouse.query(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [INCREMENTAL[model], model],
    )
    return [name for (name,) in columns if name not in MEASURES]


def _keep_marked_groups(warehouse: Warehouse, model: str, keys: list) -> None:
    """A delta model's marked groups, by their whole grain (marts.marked__<model>)."""
    where, params = _in(MARKED[model][1], keys)
    warehouse.execute(
        f"create table marts.marked__{model} as select {', '.join(_grain(warehouse, model))} "
        f"from marts.{model} where {where}",
        params,
    )


def _unmark_groups(warehouse: Warehouse, model: str) -> None:
    """Take the marker out of a delta model's marked groups it kept (touched or not)."""
    column = MARKED[model][0]
    match = " and ".join(f"marked.{c} is not distinct from {model}.{c}" for c in _grain(warehouse, model))
    warehouse.execute(
        f"update marts.{model} set {column} = {column} - {MARK} "
        f"from marts.marked__{model} as marked where {match}"
    )
    warehouse.execute(f"drop table marts.marked__{model}")


def _mark(warehouse: Warehouse) -> dict[str, dict]:
    """Add MARK to the marked column of the candidate partitions; return their sums before."""
    before = {}
    with warehouse.transaction():
        for model, (_, _, kind) in MARKED.items():
            keys = [k[0] if len(k) == 1 else tuple(k) for k in warehouse.query(CANDIDATES[kind])]
            before[model] = _sums(warehouse, model, keys)
            assert before[model], model
            if model in DELTA:
                _keep_marked_groups(warehouse, model, list(before[model]))
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
    touched = {
        "lines": {r[0] for r in changes},
        "rejected_lines": {r[0] for r in changes},  # a broken line's business key is its order_line_id
        "orders": {r[1] for r in changes},
        # the unknown client's (-1) lines of every touched day too
        "client_days": {(r[3], r[2]) for r in changes} | {(-1, r[2]) for r in changes},
        "customers": {r[3] for r in changes},
    }
    # the delta models' key tuples: those of the touched orders' lines before and after
    for model, kind in DELTA.items():
        columns = MARKED[model][1].strip("()")
        touched[kind] = set(warehouse.query(f"select distinct {columns} from changes.int_order_lines__delta"))
    return touched


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
            if model in DELTA:
                _unmark_groups(warehouse, model)
            else:
                _add(warehouse, model, kept, -MARK)


def _state(warehouse: Warehouse) -> dict[str, object]:
    """Each incremental model's starting point (none: its last build was a full one)."""
    return dict(warehouse.query("select model_name, since_loaded_at from intermediate.incremental_state"))


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
        # 2b: an order moved to another day, a first order cancelled: incremental (no dimension changed)
        _write_order_traps(delivery, warehouse)
    _land(delivery, target, env)
    run_dbt(["run"], target=target, env=env)
    with connect(target, {**os.environ, **env}) as warehouse:
        state = _state(warehouse)
        assert all(state[model] is not None for model in DELTA), state
        before = _mark(warehouse)
    # 3: a trickle delivery only: incremental everywhere, the marked rows stay as they were
    list(trickle(delivery, seed=23, lines=40, count=1, every=0))
    _land(delivery, target, env)
    run_dbt(["run"], target=target, env=env)
    with connect(target, {**os.environ, **env}) as warehouse:
        state = _state(warehouse)
        assert set(INCREMENTAL) <= set(state)
        assert all(state[model] is not None for model in INCREMENTAL), state  # all incremental
        assert warehouse.query("select count(*) from intermediate.int_order_lines__changes")[0][0] > 0
        _check_and_unmark(warehouse, before)
    run_dbt(["test"], target=target, env=env)  # the data tests hold on the incremental tables

    # 4: the as-of date set 30 days back (same year): clients lost in those days are no longer lost,
    # though the change set (the lines the move crosses) names only those with an order in them
    with connect(target, {**os.environ, **env}) as warehouse:
        last = warehouse.query("select max(order_date) from marts.fct_orders")[0][0]
        as_of = max(last - timedelta(days=30), last.replace(month=1, day=1))
        lost = {
            key
            for (key,) in warehouse.query(
                "select customer_key from marts.fct_customer_activity "
                "where activity_type = 'lost' and event_date > ?",
                [as_of],
            )
        }
    env = {**env, "SALESPULSE_AS_OF": as_of.isoformat()}
    run_dbt(["run"], target=target, env=env)
    with connect(target, {**os.environ, **env}) as warehouse:
        assert lost - _touched(warehouse)["customers"], "no client lost then without an order then"
        state = _state(warehouse)
        assert state["fct_customer_activity"] is None and state["fct_orders"] is not None, state
    run_dbt(["test"], target=target, env=env)

    full_env = _env_of(full_copy(), work / "full", SALESPULSE_AS_OF=as_of.isoformat())
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
