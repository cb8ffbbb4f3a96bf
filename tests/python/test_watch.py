"""`salespulse watch`: cycles when files arrive, a failed cycle keeps the last publish, SIGTERM stops it.

The real CLI as a subprocess, watching a copy of the demo delivery folder and publishing a copy of
the session's demo warehouse. Outcomes are polled with generous deadlines (never timed): a slow
machine only waits longer. Linux only (/proc tells which processes are left).
"""

from __future__ import annotations

import signal
import subprocess
import sys
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
    trickle,
)
from salespulse.handover import current
from salespulse.watch import Schedule, folder_state
from salespulse.web.query.readers import DuckDBReader

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc: Linux only")


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
    with log.open("w") as sink:  # a file, not a pipe nobody reads
        watch = subprocess.Popen(
            [SALESPULSE, "watch", "--interval", "0", "--poll", "0.5", "--max-backoff", "3600"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=sink,
        )
    try:
        wait_until(lambda: "cycle 1 (start): nothing new" in log.read_text(), 300, "the first cycle")

        # a delivery dropped into the folder is published: the reader sees its orders
        new = trickle(env, folder, count=1, seed=9) - known
        assert new
        wait_until(
            lambda: new <= order_numbers(reader), 1200, f"the delivery is published\n{log.read_text()}"
        )
        # (as cycle 2; or on a retry, if a cycle failed meanwhile -- the project's models being edited)
        assert (
            "(files arrived): published in" in log.read_text() or "(retry): published in" in log.read_text()
        )
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
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
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
