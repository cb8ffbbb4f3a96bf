"""Fresh data without a restart, never a half-built warehouse: salespulse.handover and its readers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from duckdb_files import write
from salespulse.handover import builds_dir, current, run_staged, staged
from salespulse.web.query.readers import DuckDBReader

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def publish(published: Path, sql: str, keep: int = 2) -> Path:
    with staged(published, keep=keep) as path:
        write(path, sql)
    return path


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse" / "salespulse.duckdb"
    publish(path, "create table t as select 1 as v")
    return path


def test_a_reader_keeps_reading_while_another_process_builds_and_publishes(published: Path) -> None:
    reader = DuckDBReader(published)
    assert reader.query("select v from t") == [(1,)]
    first_build = reader.build
    # a long query is running on the published build ...
    handle = reader._acquire()
    running = handle.connection.cursor()
    running.execute("select range from range(200000)")
    assert len(running.fetchmany(1000)) == 1000
    # ... while a build in another process copies it, writes the copy and publishes it
    script = textwrap.dedent(
        f"""
        import duckdb
        from pathlib import Path
        from salespulse.handover import staged
        with staged(Path({str(published)!r})) as path:
            con = duckdb.connect(str(path))
            con.execute("update t set v = 2")
            con.close()
        """
    )
    started = time.monotonic()
    build = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert build.returncode == 0, build.stderr  # the reader's lock did not stop the writer
    assert time.monotonic() - started < 30
    # the running query finishes on the old build, without an error
    assert len(running.fetchall()) == 199_000
    running.close()
    reader._release(handle)
    # the next query sees the new data, on the new build
    assert reader.query("select v from t") == [(2,)]
    assert reader.build != first_build
    assert first_build not in reader._handles  # the old connection was closed once idle
    reader.close()


def test_a_failed_build_is_never_published(published: Path) -> None:
    reader = DuckDBReader(published)
    before = current(published)
    with pytest.raises(RuntimeError, match="dbt failed"), staged(published) as path:
        write(path, "update t set v = 3")
        raise RuntimeError("dbt failed")
    assert current(published) == before
    assert reader.query("select v from t") == [(1,)]
    assert [p.name for p in builds_dir(published).iterdir() if p.is_dir()] == [before.parent.name]
    reader.close()


def test_run_staged_publishes_only_what_succeeded(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESPULSE_TARGET", "duckdb")
    monkeypatch.setenv("SALESPULSE_DUCKDB_PATH", str(published))
    reader = DuckDBReader(published)

    def work(value: int, code: int):
        def run(env: dict[str, str]) -> int:
            write(Path(env["SALESPULSE_DUCKDB_PATH"]), f"update t set v = {value}")
            return code

        return run

    assert run_staged(None, work(4, 1), succeeded=lambda code: code == 0) == 1
    assert reader.query("select v from t") == [(1,)]
    assert run_staged(None, work(5, 0), succeeded=lambda code: code == 0) == 0
    assert reader.query("select v from t") == [(5,)]
    reader.close()


def test_every_staged_build_is_written_through_one_stable_path(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt re-parses the whole project when its profile's DuckDB path changes: the writer's path is
    the same for every build, and leads into that build's own directory (its WAL with it)."""
    monkeypatch.setenv("SALESPULSE_TARGET", "duckdb")
    monkeypatch.setenv("SALESPULSE_DUCKDB_PATH", str(published))
    seen: list[tuple[str, Path]] = []

    def work(env: dict[str, str]) -> None:
        path = Path(env["SALESPULSE_DUCKDB_PATH"])
        seen.append((str(path), current(path)))
        con = duckdb.connect(str(path))
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("update t set v = v + 1")
        wal = Path(str(path) + ".wal")
        assert wal.exists() and current(wal).parent == current(path).parent
        con.close()

    for _ in range(2):
        run_staged(None, work)
    (first_path, first_build), (second_path, second_build) = seen
    assert first_path == second_path and first_build != second_build
    assert second_build == current(published) and first_build.parent.parent == builds_dir(published)
    assert not Path(first_path).parent.exists()  # the alias is gone once the build is published
    reader = DuckDBReader(published)
    assert reader.query("select v from t") == [(3,)]  # both builds' WAL was folded in before publishing
    reader.close()


def test_old_builds_are_pruned_and_a_reader_of_a_pruned_build_keeps_reading(published: Path) -> None:
    old = duckdb.connect(str(current(published)), read_only=True)
    for value in (2, 3, 4):
        publish(published, f"update t set v = {value}", keep=2)
    builds = sorted(p for p in builds_dir(published).iterdir() if p.is_dir())
    assert len(builds) == 2 and current(published).parent == builds[-1]  # ids sort in build order
    assert old.execute("select v from t").fetchall() == [(1,)]  # its file is gone, its data is not
    old.close()
    reader = DuckDBReader(published)
    assert reader.query("select v from t") == [(4,)]
    reader.close()


def _open_files() -> set[Path]:
    fds = Path("/proc/self/fd")
    return {Path(os.readlink(fd)) for fd in fds.iterdir() if fd.exists()}


def test_an_idle_reader_lets_go_of_a_build_that_is_no_longer_published(published: Path) -> None:
    """The next refresh cycle takes the previous build as its standby only if nobody has it open."""
    reader = DuckDBReader(published, release_every=0.1)
    assert reader.query("select v from t") == [(1,)]
    first = current(published)
    assert first in _open_files()
    publish(published, "update t set v = 2")
    deadline = time.monotonic() + 30
    while first in _open_files() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first not in _open_files(), "the reader still holds a build that is no longer published"
    assert reader.query("select v from t") == [(2,)]  # and the next query opens the new build
    reader.close()


def test_a_plain_warehouse_file_is_migrated_to_published_builds(tmp_path: Path) -> None:
    plain = tmp_path / "salespulse.duckdb"
    write(plain, "create table t as select 1 as v")
    holder = duckdb.connect(str(plain), read_only=True)
    publish(plain, "update t set v = 2")
    assert plain.is_symlink() and current(plain).parent.parent == builds_dir(plain)
    assert holder.execute("select v from t").fetchall() == [(1,)]
    holder.close()
    reader = DuckDBReader(plain)
    assert reader.query("select v, current_database() from t") == [(2, "salespulse")]
    reader.close()


@pytest.mark.slow
def test_salespulse_build_publishes_a_dbt_build_while_the_web_reads(
    demo_duckdb: dict[str, str], tmp_path: Path
) -> None:
    """`salespulse build` on DuckDB: dbt builds a copy; readers go on reading and then see the result."""
    published = tmp_path / "salespulse.duckdb"
    with staged(published) as path:  # the demo warehouse, published; then a load that drops a month
        shutil.copyfile(demo_duckdb["SALESPULSE_DUCKDB_PATH"], path)
    with staged(published) as path:
        write(path, "delete from raw.order_lines where order_date >= date '2024-12-01'")
    reader = DuckDBReader(published)
    total = "select sum(net_sales_amount) from reporting.sales"
    before = reader.query(total)
    env = {
        **os.environ,
        "SALESPULSE_TARGET": "duckdb",
        "SALESPULSE_DUCKDB_PATH": str(published),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    log = tmp_path / "build.log"
    # the output goes to a file: a pipe nobody reads while waiting fills up and blocks dbt
    with log.open("w") as sink:
        build = subprocess.Popen(
            [str(Path(sys.executable).with_name("salespulse")), "build", "--skip-quality"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
        answers = []
        while build.poll() is None:
            answers.append(reader.query(total))  # never an error, never a half-built warehouse
            time.sleep(0.05)
    output = log.read_text()
    assert build.returncode == 0, output[-3000:]
    after = reader.query(total)
    assert after < before  # the rebuilt marts no longer have December's lines
    assert len(answers) > 10 and set(map(tuple, answers)) <= {tuple(before), tuple(after)}
    assert reader.query("select count(*) from reporting.sales where order_date >= date '2024-12-01'") == [
        (0,)
    ]
    reader.close()


def test_a_failing_data_test_names_the_test_and_its_rows_and_keeps_the_previous_publish(
    demo_duckdb: dict[str, str], tmp_path: Path
) -> None:
    """A build whose data test fails says which test, on how many rows, and publishes nothing."""
    published = tmp_path / "salespulse.duckdb"
    with staged(published) as path:
        shutil.copyfile(demo_duckdb["SALESPULSE_DUCKDB_PATH"], path)
    reader = DuckDBReader(published)
    customers = reader.query("select count(*) from staging.stg_crm__customers")[0][0]
    with staged(published) as path:  # a load whose customers lost their type: valid raw, failing test
        write(path, "update raw.customers set customer_type = null")
    before = current(published)
    env = {
        **os.environ,
        "SALESPULSE_TARGET": "duckdb",
        "SALESPULSE_DUCKDB_PATH": str(published),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    build = subprocess.run(
        [str(Path(sys.executable).with_name("salespulse")), "build", "--skip-quality"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode != 0
    assert f"test not_null_stg_crm__customers_customer_type failed on {customers:,} rows" in build.stderr
    assert "Nothing was published: the dashboards keep showing the previous build" in build.stderr
    assert current(published) == before
    # the marts are the previous build's: every client still has its type
    assert reader.query("select count(*) from marts.dim_customer where customer_type is null") == [(0,)]
    reader.close()
