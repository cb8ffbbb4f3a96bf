"""An incremental ``dbt build`` tests the rows it wrote; a full build and ``dbt test`` test every row.

macros/changed_rows.sql restricts the generic tests of the incremental models (and of the views over
them) to the keys the build touched, when the build was incremental. On a copy of the session's demo
warehouse, on DuckDB and on PostgreSQL:

1. with a trickle delivery, two OLD fct_sales rows the delivery does not touch are tampered with:
   one gets the sales key of a line the delivery updates (a duplicate between an old row and a new
   one: dbt's own ``where`` filters both sides of ``unique`` and would miss it), one a null margin;
2. the incremental ``dbt build`` fails on the duplicate, its test restricted (its SQL reads the
   change set), and passes the old null: it did not read the old rows. Every test that ran on an
   incremental table is restricted, by the key its pre-hook deletes and inserts again;
   (2b) a line written straight into raw without a SKU (a null the loader would refuse): the next
   incremental build fails on it, staging's test restricted to the lines loaded since;
3. ``dbt test`` on its own reads every row and finds the old null and the duplicate;
4. ``dbt build --full-refresh`` runs every test unrestricted.

(The models turn a delivered orphan key into the Unknown member, -1, so an orphan cannot come
through a delivery; relationships tests are among those checked restricted in step 2.)
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from salespulse.dbt import run_dbt
from salespulse.generator import trickle
from salespulse.loader import load
from salespulse.warehouse import Warehouse, connect

#: A restricted test reads its model through a `where` subquery (the change set, or lines loaded since).
RESTRICTED = re.compile(r"\) dbt_subquery")


def _run(target: str, work: Path, env: dict[str, str], *args: str) -> tuple[dict[str, str], dict[str, str]]:
    """``dbt <args>`` (failures expected): each test's status and compiled SQL, by name."""
    run_dbt(list(args), target=target, env=env, check=False)
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    status = {r["unique_id"].split(".")[2]: r["status"] for r in tests}
    sql = {r["unique_id"].split(".")[2]: r.get("compiled_code") or "" for r in tests}
    return status, sql


def _incremental_keys(work: Path) -> dict[str, str]:
    """Each incremental model and the key its pre-hook deletes and inserts again (dbt's manifest)."""
    keys = {}
    for node in json.loads((work / "target" / "manifest.json").read_text())["nodes"].values():
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental":
            hook = node["config"]["pre-hook"][0]["sql"]
            match = re.search(r"(?:changes|delta)_clear\('([^']+)'|incremental_clear\([^,]+, '(\w+)'", hook)
            assert match, f"{node['name']}: no key in its pre-hook {hook}"
            keys[node["name"]] = match.group(1) or match.group(2)
    return keys


def _tests_by_model(work: Path) -> dict[str, list[str]]:
    tests: dict[str, list[str]] = {}
    for node in json.loads((work / "target" / "manifest.json").read_text())["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            tests.setdefault(node["attached_node"].split(".")[-1], []).append(node["name"])
    return tests


def _plant(delivery: Path, warehouse: Warehouse) -> tuple[str, str]:
    """Deliver the faults (step 1); return the order_line_ids of the two old rows tampered with."""
    (tick,) = trickle(delivery, seed=31, lines=40, count=1, every=0)
    changed = tick.late_updates or tick.old_updates or tick.cancelled
    assert changed, "the delivery changes no old line"
    (duplicated,) = warehouse.query(
        "select sales_key from marts.fct_sales where order_number = ? and line_number = ?", list(changed[0])
    )[0]
    load(delivery, warehouse, budget_files=sorted(delivery.glob("budget*.xlsx")))
    old = [
        line_id
        for (line_id,) in warehouse.query(
            "select order_line_id from marts.fct_sales where order_number not in "
            "(select order_number from raw.order_lines where _source_file like 'order_lines/order_lines_t%') "
            "order by order_date, order_line_id limit 2"
        )
    ]
    with warehouse.transaction():
        warehouse.execute(
            "update marts.fct_sales set sales_key = ? where order_line_id = ?", [duplicated, old[0]]
        )
        warehouse.execute("update marts.fct_sales set margin_amount = null where order_line_id = ?", [old[1]])
    return old[0], old[1]


def _raw_null_sku(warehouse: Warehouse) -> None:
    """A copy of the last raw line loaded, without a SKU, loaded a second later (step 2b)."""
    columns = [
        name
        for (name,) in warehouse.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'order_lines' order by ordinal_position"
        )
    ]
    values = {
        "order_number": "'SO9999998'",
        "sku": "null",
        "_loaded_at": "_loaded_at + interval '1 second'",
    }
    with warehouse.transaction():
        warehouse.execute(
            f"insert into raw.order_lines ({', '.join(columns)}) "
            f"select {', '.join(values.get(c, c) for c in columns)} from raw.order_lines "
            "where _loaded_at = (select max(_loaded_at) from raw.order_lines) "
            "order by _source_file, _source_row limit 1"
        )


def _changed_rows_then_every_row(target: str, delivery: Path, work: Path, env: dict[str, str]) -> None:
    env = {**env, "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    with connect(target, {**os.environ, **env}) as warehouse:
        duplicate_row, null_row = _plant(delivery, warehouse)

    # 2. the incremental build: the duplicate fails its restricted test, the old null is not read
    status, sql = _run(target, work, env, "build")
    with connect(target, {**os.environ, **env}) as warehouse:
        state = dict(
            warehouse.query("select model_name, since_loaded_at from intermediate.incremental_state")
        )
        kept = warehouse.query(
            "select count(*) from marts.fct_sales where order_line_id = ? and margin_amount is null",
            [null_row],
        )[0][0]
        duplicated = warehouse.query(
            "select count(*) from marts.fct_sales where sales_key = "
            "(select sales_key from marts.fct_sales where order_line_id = ?)",
            [duplicate_row],
        )[0][0]
    assert state["fct_sales"] is not None and state["stg_erp__order_lines"] is not None, "not incremental"
    assert kept == 1 and duplicated == 2, "the delivery touched the old rows planted (test set-up)"
    assert {name for name, s in status.items() if s == "fail"} == {"unique_fct_sales_sales_key"}
    assert RESTRICTED.search(sql["unique_fct_sales_sales_key"])
    assert status["not_null_fct_sales_margin_amount"] == "pass"  # restricted: the old null is not read
    # every test that ran on an incremental table (those below fct_sales were skipped: it failed)
    tests = _tests_by_model(work)
    checked = set()
    for model, key in _incremental_keys(work).items():
        for name in tests.get(model, []):
            if status[name] in ("pass", "fail"):
                assert RESTRICTED.search(sql[name]), f"{name} on incremental {model} read the whole table"
                assert f"{key} in (" in sql[name], f"{name} is not restricted by {model}'s key {key}"
                checked.add(model)
    assert {"stg_erp__order_lines", "int_customer_orders", "fct_sales"} <= checked
    assert not any(RESTRICTED.search(sql[name]) for name in tests["dim_customer"])  # a full table: whole

    # 2b. a null the loader would refuse, written straight into raw after that load: the next
    # incremental build's staging test, restricted to the lines loaded since, finds it
    with connect(target, {**os.environ, **env}) as warehouse:
        _raw_null_sku(warehouse)
    status, sql = _run(target, work, env, "build")
    assert status["not_null_stg_erp__order_lines_sku"] == "fail"
    assert RESTRICTED.search(sql["not_null_stg_erp__order_lines_sku"])

    # 3. dbt test on its own reads every row
    status, sql = _run(target, work, env, "test", "--select", "fct_sales")
    assert status["not_null_fct_sales_margin_amount"] == "fail"
    assert status["unique_fct_sales_sales_key"] == "fail"
    assert not any(RESTRICTED.search(code) for code in sql.values())

    # 4. a full refresh (the raw null taken out again) runs every test, none restricted, all passing:
    # the tampered old rows are rebuilt away
    with connect(target, {**os.environ, **env}) as warehouse, warehouse.transaction():
        warehouse.execute("delete from raw.order_lines where order_number = 'SO9999998'")
    status, sql = _run(target, work, env, "build", "--full-refresh")
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    assert len(status) == sum(node["resource_type"] == "test" for node in manifest["nodes"].values()) > 300
    assert not any(RESTRICTED.search(code) for code in sql.values())
    assert set(status.values()) == {"pass"}, {name: s for name, s in status.items() if s != "pass"}


def test_an_incremental_build_tests_the_changed_rows_on_duckdb(
    demo_delivery: Path, demo_duckdb: dict[str, str], tmp_path: Path
) -> None:
    delivery = Path(shutil.copytree(demo_delivery, tmp_path / "delivery"))
    database = tmp_path / "w.duckdb"
    shutil.copy(demo_duckdb["SALESPULSE_DUCKDB_PATH"], database)
    _changed_rows_then_every_row(
        "duckdb", delivery, tmp_path / "dbt", {"SALESPULSE_DUCKDB_PATH": str(database)}
    )


@pytest.mark.postgres
def test_an_incremental_build_tests_the_changed_rows_on_postgres(
    demo_delivery: Path, demo_postgres: dict[str, str], pg_cluster: object, tmp_path: Path
) -> None:
    from warehouse_build import postgres_copy

    delivery = Path(shutil.copytree(demo_delivery, tmp_path / "delivery"))
    env = postgres_copy(pg_cluster, demo_postgres, delivery, tmp_path / "copy", "salespulse_changed_rows")
    _changed_rows_then_every_row("postgres", delivery, tmp_path / "dbt", env)
