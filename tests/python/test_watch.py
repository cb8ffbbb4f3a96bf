"""`salespulse watch`: cycles when files arrive, a failed cycle keeps the last publish, SIGTERM stops it.

The real CLI as a subprocess, watching a copy of the demo delivery folder and publishing a copy of
the session's demo warehouse. Outcomes are polled with generous deadlines (never timed): a slow
machine only waits longer. Linux only (/proc tells which processes are left).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from processes import lock_is_free, processes_of, wait_until
from refresh_cli import (
    BROKEN,
    PROJECT_ROOT,
    SALESPULSE,
    Setup,
    break_delivery,
    demo_setup,
    order_numbers,
    postgres_setup,
    trickle,
)
from salespulse.handover import current
from salespulse.warehouse import target_config
from salespulse.watch import Schedule, folder_state
from salespulse.web.query.readers import DuckDBReader, PostgresReader

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc: Linux only")


@contextmanager
def watching(env: dict[str, str], log: Path, *options: str) -> Iterator[subprocess.Popen[bytes]]:
    """`salespulse watch` with ``options``, its output in ``log``; killed if still running at the end."""
    with log.open("w") as sink:  # a file, not a pipe nobody reads
        watch = subprocess.Popen(
            [SALESPULSE, "watch", *options], cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=sink
        )
    try:
        yield watch
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()


@pytest.fixture
def setup(
    demo_duckdb: dict[str, str], demo_delivery: Path, tmp_path: Path
) -> tuple[Path, Path, dict[str, str]]:
    return demo_setup(demo_duckdb, demo_delivery, tmp_path)


@pytest.mark.slow
def test_watch_publishes_an_arrival_keeps_the_last_publish_on_a_failure_and_stops_on_sigterm(
    setup: Setup, tmp_path: Path
) -> None:
    published, folder, env = setup
    reader = DuckDBReader(published)
    known = order_numbers(reader)
    log = tmp_path / "watch.log"
    options = ("--interval", "0", "--poll", "0.5", "--max-backoff", "3600")
    with watching(env, log, *options) as watch:
        built = current(published)
        wait_until(lambda: "cycle 1 (start): nothing new" in log.read_text(), 300, "the first cycle")

        # nothing to do after a build: the watch prepares a standby (publishes a copy, no dbt) and
        # then waits; the build it replaced is the standby of the next cycle
        wait_until(lambda: "idle: waiting for files to arrive" in log.read_text(), 600, "the standby")
        assert "cycle 2 (standby): the standby for the next cycle is ready" in log.read_text()
        assert current(published) != built and built.exists()
        assert order_numbers(reader) == known

        # a delivery dropped into the folder is published: the reader sees its orders
        new = trickle(env, folder, count=1, seed=9) - known
        assert new
        wait_until(
            lambda: new <= order_numbers(reader), 1200, f"the delivery is published\n{log.read_text()}"
        )
        # (as cycle 3; or on a retry, if a cycle failed meanwhile -- the project's models being edited)
        output = log.read_text()
        assert "(files arrived): published in" in output or "(retry): published in" in output
        # from the standby: the build the standby cycle replaced, not a copy of the published one
        assert f"took the standby {built.parent.name}" in output, output[-3000:]
        good = current(published)

        # a broken file: the cycle fails, says why, and the dashboards keep the last publish
        break_delivery(folder)
        wait_until(lambda: "FAILED (load refused)" in log.read_text(), 600, "the broken delivery's cycle")
        output = log.read_text()
        assert BROKEN in output and "Nothing was published" in output and "next try in 5 s" in output
        assert current(published) == good
        assert new <= order_numbers(reader)

        # SIGTERM (during the backoff): a clean stop, nothing left running, the lock free
        watch.send_signal(signal.SIGTERM)
        assert watch.wait(timeout=300) == 0, log.read_text()[-3000:]
    reader.close()
    assert "stopped (SIGTERM)" in log.read_text()
    wait_until(lambda: not processes_of(published), 60, "no process of the watch is left")
    assert lock_is_free(published)
    assert current(published) == good


def test_the_backoff_doubles_from_the_first_failure_up_to_its_bound() -> None:
    schedule = Schedule(min_backoff=5, max_backoff=60)
    assert [schedule.backoff(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_a_file_counts_once_it_has_its_name_and_hidden_temporary_files_do_not(tmp_path: Path) -> None:
    (tmp_path / "order_lines").mkdir()
    before = folder_state(tmp_path)
    (tmp_path / "order_lines" / ".order_lines_x.parquet.tmp").write_bytes(b"half")
    assert folder_state(tmp_path) == before  # a writer's temporary file starts no cycle
    (tmp_path / "order_lines" / ".order_lines_x.parquet.tmp").rename(tmp_path / "order_lines" / "x.parquet")
    assert {name for name, _, _ in folder_state(tmp_path) - before} == {"order_lines/x.parquet"}


@pytest.mark.slow
def test_after_a_settings_change_the_watch_rebuilds_while_idle_then_prepares_a_standby(
    setup: Setup, tmp_path: Path
) -> None:
    """A new setting (or new code) rebuilds everything once. Doing that while idle, and then copying
    the result as the standby, leaves the first delivery a selected cycle from a standby."""
    published, folder, env = setup
    reader = DuckDBReader(published)
    known = order_numbers(reader)
    log = tmp_path / "watch.log"
    changed = {**env, "SALESPULSE_CURRENCY_SYMBOL": "US$"}  # a setting dbt reads: a new fingerprint
    with watching(changed, log, "--interval", "0", "--poll", "0.5") as watch:
        wait_until(lambda: "idle: waiting for files to arrive" in log.read_text(), 1200, "the rebuild")
        output = log.read_text()
        assert "cycle 1 (start): nothing new" in output
        # the first idle cycle rebuilt everything, and says why; a build that did is no standby
        assert "cycle 2 (standby): published in" in output
        assert "full build: the dbt project, dbt or a setting changed since the last build" in output
        assert "cycle 3 (standby): the standby for the next cycle is ready" in output, output[-3000:]
        assert order_numbers(reader) == known

        new = trickle(env, folder, count=1, seed=21) - known
        wait_until(
            lambda: new <= order_numbers(reader), 1200, f"the delivery is published\n{log.read_text()}"
        )
        output = log.read_text().split("cycle 3 (standby)")[1]
        # from the rebuilt build (the standby): the delivery alone, not everything again
        assert "took the standby" in output and "only what order_lines feed(s)" in output, output[-3000:]
        watch.send_signal(signal.SIGTERM)
        assert watch.wait(timeout=300) == 0, log.read_text()[-3000:]
    reader.close()
    assert lock_is_free(published)


@pytest.mark.slow
@pytest.mark.postgres
def test_watch_on_postgres_publishes_an_arrival_and_a_refused_file_changes_nothing(
    demo_delivery: Path, demo_postgres: dict[str, str], pg_cluster: object, tmp_path: Path
) -> None:
    """On PostgreSQL a cycle builds in place (no standby to prepare); a refused file commits nothing."""
    folder, env = postgres_setup(pg_cluster, demo_postgres, demo_delivery, tmp_path, "salespulse_watch")
    reader = PostgresReader(target_config("postgres", env))
    known = order_numbers(reader)
    log = tmp_path / "watch.log"
    with watching(env, log, "--target", "postgres", "--interval", "0", "--poll", "0.5") as watch:
        wait_until(lambda: "idle: waiting for files to arrive" in log.read_text(), 300, "the first cycle")
        assert "cycle 1 (start): nothing new" in log.read_text()

        new = trickle(env, folder, count=1, seed=9) - known
        assert new
        wait_until(lambda: new <= order_numbers(reader), 1200, f"the delivery is built\n{log.read_text()}")
        wait_until(lambda: "(files arrived): published in" in log.read_text(), 300, "the cycle's line")

        raw_lines = reader.query("select count(*) from raw.order_lines")
        break_delivery(folder)
        wait_until(lambda: "FAILED (load refused)" in log.read_text(), 600, "the broken delivery's cycle")
        output = log.read_text()
        assert BROKEN in output and "next try in 5 s" in output
        assert "(standby)" not in output  # nothing to prepare: PostgreSQL has no file hand-over
        assert new <= order_numbers(reader)
        assert reader.query("select count(*) from raw.order_lines") == raw_lines

        watch.send_signal(signal.SIGTERM)
        assert watch.wait(timeout=300) == 0, log.read_text()[-3000:]
    reader.close()
    assert "stopped (SIGTERM)" in log.read_text()
