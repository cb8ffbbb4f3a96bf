"""`salespulse refresh`: one cycle -- land what is new, dbt build, publish as one hand-over.

A cycle builds only what the raw tables it changed feed (salespulse.build_scope): after a delivery
of order lines, and after one of customers, the warehouse equals a full `dbt build` of a copy, row
for row, on DuckDB and on PostgreSQL; a bad row still fails the cycle.

The real CLI as a subprocess on a published copy of the session's demo warehouse; deliveries come
from the real trickle feed (`salespulse generate --trickle`); what readers see is read through the
web's DuckDB reader.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from processes import wait_until
from refresh_cli import (
    BROKEN,
    PROJECT_ROOT,
    SALESPULSE,
    Setup,
    assert_same_relations,
    break_delivery,
    demo_setup,
    move_an_order_to_the_next_day,
    order_numbers,
    postgres_setup,
    reassign_a_client,
    salespulse,
    trickle,
)
from salespulse.dbt import run_dbt
from salespulse.generator import trickle as generate_trickle
from salespulse.handover import builds_dir, current
from salespulse.warehouse import connect, postgres_writer_lock, target_config
from salespulse.web.query.readers import DuckDBReader, PostgresReader


@pytest.fixture
def setup(
    demo_duckdb: dict[str, str], demo_delivery: Path, tmp_path: Path
) -> tuple[Path, Path, dict[str, str]]:
    return demo_setup(demo_duckdb, demo_delivery, tmp_path)


def test_nothing_new_builds_and_publishes_nothing(setup: Setup) -> None:
    published, _, env = setup
    before = current(published)
    done = salespulse(env, "refresh")
    assert done.returncode == 0, done.stderr
    assert "refresh: nothing new" in done.stdout
    assert current(published) == before
    assert [p for p in builds_dir(published).iterdir() if p.is_dir()] == [before.parent]


def test_a_refused_delivery_publishes_nothing_and_says_why(setup: Setup) -> None:
    published, folder, env = setup
    before = current(published)
    break_delivery(folder)
    done = salespulse(env, "refresh")
    assert done.returncode == 2
    assert "load refused" in done.stderr and BROKEN in done.stderr
    assert "Nothing was published" in done.stderr
    assert current(published) == before


@pytest.mark.slow
def test_refresh_publishes_a_trickle_delivery_and_the_next_catches_the_standby_up(
    setup: Setup,
) -> None:
    published, folder, env = setup
    reader = DuckDBReader(published)
    known = order_numbers(reader)
    first_build = current(published)
    first_inode = first_build.stat().st_ino

    new = trickle(env, folder, count=1, seed=5) - known
    assert new
    done = salespulse(env, "refresh")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "refresh: published" in done.stdout
    assert "copied the published warehouse" in done.stderr  # `build` published the one before
    assert new <= order_numbers(reader)  # the reader sees it on its next query, no restart

    # two more deliveries: the cycle starts from the standby (the first build, which has not landed
    # the first delivery either) and catches up on all three
    newer = trickle(env, folder, count=2, seed=5) - known - new
    assert newer
    done = salespulse(env, "refresh")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "took the standby" in done.stderr
    assert current(published).stat().st_ino == first_inode  # the standby's file, renamed, not copied
    assert current(published) != first_build  # under a new build id
    assert (new | newer) <= order_numbers(reader)
    landed = reader.query(
        "select count(distinct source_file) from raw._load_log where source_file like '%trickle%'"
    )
    assert landed == [(3,)]
    reader.close()


def _selected_cycles_equal_a_full_build(
    target: str,
    folder: Path,
    env: dict[str, str],
    built: Callable[[], dict[str, str]],
    full_copy: Callable[[], dict[str, str]],
) -> None:
    """Three cycles, each checked against a full build of a copy of what it built: a trickle delivery
    (order lines only), a customers delivery (a client moves to another rep), then a trickle delivery
    with an order on the next day: the as-of date moves (into the next year: the budget year and the
    history start derived from it move too)."""

    def next_day() -> None:
        trickle(env, folder, count=1, seed=10)
        move_an_order_to_the_next_day(folder)

    deliveries = [
        (lambda: trickle(env, folder, count=1, seed=9), "order_lines"),
        (lambda: reassign_a_client(folder), "customers"),
        (next_day, "order_lines, as-of"),
    ]
    for deliver, delivered in deliveries:
        deliver()
        table, moves_as_of = delivered.split(", ")[0], delivered.endswith("as-of")
        done = salespulse(env, "refresh", "--target", target)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        assert "only what " in done.stdout and table in done.stdout.split("only what ")[1], done.stdout
        # a new day reaches the models that read the as-of date, not every node
        assert ("the as-of date moved" in done.stdout) == moves_as_of, done.stdout
        ran = _results(Path(env["DBT_TARGET_PATH"]))
        assert not any(node.startswith("model.salespulse.dim_campaign") for node in ran)  # no campaigns came
        # no products came either, but dim_product reads the as-of date ("not yet launched")
        assert any(node.startswith("model.salespulse.dim_product") for node in ran) == moves_as_of
        if delivered == "order_lines":  # the accounting reads the changed lines' raw rows only
            accounting = ran["test.salespulse.assert_every_raw_order_line_is_accounted_for"]
            assert accounting["status"] == "pass" and "changed_lines" in accounting["compiled_code"]
            # and so does the reconciliation of the net sales to the raw rows
            reconciled = ran["test.salespulse.assert_net_sales_reconcile_raw_to_reporting"]
            assert reconciled["status"] == "pass" and "raw_changed_sales" in reconciled["compiled_code"]
        reference = full_copy()
        run_dbt(["build"], target=target, env=reference)
        with (
            connect(target, {**os.environ, **built()}) as mine,
            connect(target, {**os.environ, **reference}) as full,
        ):
            assert_same_relations(mine, full)


@pytest.mark.slow
def test_selected_cycles_equal_a_full_build_on_duckdb(setup: Setup, tmp_path: Path) -> None:
    published, folder, env = setup

    def full_copy() -> dict[str, str]:
        copy = tmp_path / "full" / "w.duckdb"
        shutil.rmtree(copy.parent, ignore_errors=True)
        copy.parent.mkdir()
        shutil.copyfile(current(published), copy)
        return {"SALESPULSE_DUCKDB_PATH": str(copy), **_dbt_paths(tmp_path / "full-dbt")}

    _selected_cycles_equal_a_full_build(
        "duckdb", folder, env, lambda: {"SALESPULSE_DUCKDB_PATH": str(current(published))}, full_copy
    )


@pytest.mark.slow
@pytest.mark.postgres
def test_selected_cycles_equal_a_full_build_on_postgres(
    demo_delivery: Path, demo_postgres: dict[str, str], pg_cluster: object, tmp_path: Path
) -> None:
    folder, base = postgres_setup(
        pg_cluster, demo_postgres, demo_delivery, tmp_path, "salespulse_refresh_scope"
    )
    env = {**base, **_dbt_paths(tmp_path / "dbt")}
    copies = iter(range(10))

    def full_copy() -> dict[str, str]:
        name = f"salespulse_refresh_full_{next(copies)}"
        with pg_cluster.connect(autocommit=True) as conn:  # type: ignore[attr-defined]
            conn.execute(f"drop database if exists {name}")
            conn.execute(f"create database {name} template {base['PGDATABASE']}")
        return {**base, "PGDATABASE": name, **_dbt_paths(tmp_path / "full-dbt")}

    _selected_cycles_equal_a_full_build("postgres", folder, env, lambda: base, full_copy)


@pytest.mark.slow
def test_after_a_forecast_the_next_cycle_still_builds_only_what_it_delivers(setup: Setup) -> None:
    """`salespulse forecast` builds the forecast models alone; the warehouse was complete before it
    and is after it, so it keeps its build record."""
    _, folder, env = setup
    forecast = salespulse(env, "forecast")
    assert forecast.returncode == 0, (forecast.stdout + forecast.stderr)[-3000:]
    trickle(env, folder, count=1, seed=12)
    done = salespulse(env, "refresh")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "only what order_lines feed(s)" in done.stdout, done.stdout


@pytest.mark.slow
def test_a_bad_row_beside_a_delivery_still_fails_the_selected_cycle(setup: Setup) -> None:
    """An OLD fct_sales row given the key of a line the delivery updates: a duplicate the selected
    build's restricted unique test finds (tests/python/test_changed_rows.py, through the cycle)."""
    published, folder, env = setup
    (tick,) = generate_trickle(folder, seed=31, lines=40, count=1, every=0)
    changed = tick.late_updates or tick.old_updates or tick.cancelled
    with connect("duckdb", {**os.environ, "SALESPULSE_DUCKDB_PATH": str(current(published))}) as warehouse:
        (key,) = warehouse.query(
            "select sales_key from marts.fct_sales where order_number = ? and line_number = ?",
            list(changed[0]),
        )[0]
        with warehouse.transaction():  # the published build is copied by the cycle, with this row
            warehouse.execute(
                "update marts.fct_sales set sales_key = ? where order_line_id = "
                "(select min(order_line_id) from marts.fct_sales where order_number <> ?)",
                [key, changed[0][0]],
            )
    before = current(published)
    done = salespulse(env, "refresh")
    assert done.returncode != 0
    assert "only what order_lines" in done.stderr, done.stderr[-3000:]
    assert "unique_fct_sales_sales_key failed" in done.stderr
    assert current(published) == before


def _results(target_path: Path) -> dict[str, dict[str, Any]]:
    """The nodes of dbt's last invocation (run_results.json), by unique id without a test's hash."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return {".".join(r["unique_id"].split(".")[:3]): r for r in results}


def _dbt_paths(work: Path) -> dict[str, str]:
    return {"DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}


@pytest.mark.slow
def test_a_cycle_that_rebuilt_everything_offers_no_standby_the_next_copies_it(setup: Setup) -> None:
    """The build before a full rebuild would have to rebuild everything again to catch up (its
    state predates the new code or settings): the next cycle copies the rebuilt build instead."""
    published, folder, env = setup
    trickle(env, folder, count=1, seed=14)
    done = salespulse(env, "refresh", "--full-build")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    rebuilt = current(published)

    trickle(env, folder, count=1, seed=15)
    done = salespulse(env, "refresh")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "offers no standby (it rebuilt everything" in done.stderr, done.stderr[-3000:]
    assert "only what " in done.stdout  # the copy is up to date: it builds only the delivery
    assert current(published).stat().st_ino != rebuilt.stat().st_ino


@pytest.mark.slow
@pytest.mark.postgres
def test_a_cycle_on_postgres_waits_while_another_writer_holds_the_database(
    demo_delivery: Path, demo_postgres: dict[str, str], pg_cluster: object, tmp_path: Path
) -> None:
    """PostgreSQL has no file hand-over: writers take turns through the database's writer lock, as
    DuckDB's take turns through the flock. Held here as another load or build would hold it."""
    folder, env = postgres_setup(pg_cluster, demo_postgres, demo_delivery, tmp_path, "salespulse_turns")
    config = target_config("postgres", env)
    reader = PostgresReader(config)
    known = order_numbers(reader)
    new = trickle(env, folder, count=1, seed=9) - known
    assert new
    log = tmp_path / "refresh.log"
    with postgres_writer_lock(config):
        with log.open("w") as sink:
            cycle = subprocess.Popen(
                [SALESPULSE, "refresh", "--target", "postgres"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=sink,
                stderr=sink,
            )

        def waits() -> bool:
            assert cycle.poll() is None, f"the cycle did not wait for the lock:\n{log.read_text()[-3000:]}"
            return "waiting for the writer lock of database salespulse_turns" in log.read_text()

        wait_until(waits, 300, "the cycle says it waits for the writer lock")
        assert not new & order_numbers(reader)
        assert reader.query("select count(*) from raw.order_lines where order_number = %s", [min(new)]) == [
            (0,)
        ]
    assert cycle.wait(timeout=900) == 0, log.read_text()[-3000:]
    assert "refresh: published in" in log.read_text()
    assert new <= order_numbers(reader)
    reader.close()
