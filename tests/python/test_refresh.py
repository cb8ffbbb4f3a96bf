"""`salespulse refresh`: one cycle -- land what is new, dbt build, publish as one hand-over.

The real CLI as a subprocess on a published copy of the session's demo warehouse; deliveries come
from the real trickle feed (`salespulse generate --trickle`); what readers see is read through the
web's DuckDB reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from refresh_cli import BROKEN, Setup, break_delivery, demo_setup, order_numbers, salespulse, trickle
from salespulse.handover import builds_dir, current
from salespulse.web.query.readers import DuckDBReader


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
