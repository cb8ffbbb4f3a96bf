"""Stopping `salespulse build` stops its dbt first: no orphan writes a build folder after the lock is
released, nothing is published, and the next build runs normally (salespulse.dbt, salespulse.handover).

Real processes throughout: `salespulse build` on a copy of the session's demo warehouse, signalled
while dbt is writing models; /proc tells which processes of that build are still alive. Linux only
(/proc, and PR_SET_PDEATHSIG is what ties dbt to a build killed with SIGKILL).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from duckdb_files import write
from processes import alive, lock_is_free, processes_of, wait_until
from salespulse.handover import PUBLISHED_MARKER, builds_dir, current, staged

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SALESPULSE = str(Path(sys.executable).with_name("salespulse"))

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl: Linux only")

#: What the published warehouse holds; a build that was stopped must leave all of it unchanged.
COUNTS = {
    "reporting.sales": "select count(*), sum(net_sales_amount) from reporting.sales",
    "marts.fct_sales": "select count(*) from marts.fct_sales",
    "marts.dim_customer": "select count(*) from marts.dim_customer",
    "raw.order_lines": "select count(*) from raw.order_lines",
}


def dbt_of(published: Path) -> list[int]:
    return [pid for pid, cmdline in processes_of(published).items() if "/dbt build" in cmdline]


def waits_for_a_lock(pid: int) -> bool:
    """``pid`` is blocked in flock (a ``->`` line of /proc/locks names the waiters)."""
    return any(
        line.split()[1:3] == ["->", "FLOCK"] and line.split()[5] == str(pid)
        for line in Path("/proc/locks").read_text().splitlines()
    )


def build_folders(published: Path) -> dict[str, bool]:
    """Build folder -> whether it was published."""
    folders = builds_dir(published).iterdir()
    return {p.name: (p / PUBLISHED_MARKER).exists() for p in folders if p.is_dir()}


def counts(published: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(current(published)), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in COUNTS.items()}
    finally:
        con.close()


def read(published: Path) -> str:
    con = duckdb.connect(str(current(published)), read_only=True)
    try:
        return str(con.execute("select v from t").fetchall()[0][0])
    finally:
        con.close()


@pytest.fixture
def published(demo_duckdb: dict[str, str], tmp_path: Path) -> Path:
    """A published copy of the session's demo warehouse, private to the test."""
    path = tmp_path / "salespulse.duckdb"
    with staged(path) as build_file:
        shutil.copyfile(demo_duckdb["SALESPULSE_DUCKDB_PATH"], build_file)
    return path


def build_env(published: Path, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SALESPULSE_TARGET": "duckdb",
        "SALESPULSE_DUCKDB_PATH": str(published),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_a_stopped_build_leaves_no_dbt_running_frees_the_lock_and_publishes_nothing(
    published: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    before, published_build = counts(published), current(published)
    env = build_env(published, tmp_path)
    log = tmp_path / "build.log"
    # the output goes to a file: a pipe nobody reads while waiting fills up and blocks dbt
    with log.open("w") as sink:
        build = subprocess.Popen(
            [SALESPULSE, "build", "--skip-quality"], cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=sink
        )
        try:
            # dbt is writing the build's copy: models have started
            wait_until(lambda: " START " in log.read_text(), 180, "dbt starts building models")
            dbt = dbt_of(published)
            assert len(dbt) == 1, processes_of(published)
            assert not lock_is_free(published)
            os.kill(build.pid, signum)
            returncode = build.wait(timeout=120)
        finally:
            if build.poll() is None:
                build.kill()
                build.wait()
    output = log.read_text()

    if signum == signal.SIGKILL:
        assert returncode == -signal.SIGKILL

        # the kernel kills dbt (PR_SET_PDEATHSIG); until dbt has gone, the lock stays taken
        def dbt_gone() -> bool:
            free = lock_is_free(published)
            assert not (free and alive(dbt[0])), "the lock was free while the build's dbt still ran"
            return free and not alive(dbt[0])

        wait_until(dbt_gone, 60, "dbt dies with the build")
    else:
        assert returncode == 128 + signum, output[-3000:]
        assert f"build interrupted: {signum.name} received; dbt was stopped and has exited" in output
        assert "Nothing was published" in output
        # the build exited only after its dbt had: at that moment dbt is gone and the lock is free
        assert not alive(dbt[0])
        assert lock_is_free(published)
        assert build_folders(published) == {published_build.parent.name: True}  # its folder is deleted
    # dbt's helpers (multiprocessing's resource tracker) end when dbt has
    wait_until(lambda: not processes_of(published), 60, "no process of the build is left")
    assert lock_is_free(published)

    # readers keep the last good warehouse
    assert current(published) == published_build
    assert counts(published) == before

    # the next build takes the lock, clears what a killed build left, builds and publishes
    rebuilt = subprocess.run(
        [SALESPULSE, "build", "--skip-quality"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rebuilt.returncode == 0, (rebuilt.stdout + rebuilt.stderr)[-3000:]
    assert current(published) != published_build
    assert counts(published) == before  # the same raw data, built again
    assert all(build_folders(published).values()), build_folders(published)


def test_a_build_folder_is_not_pruned_while_a_child_of_a_killed_build_still_writes_it(tmp_path: Path) -> None:
    """Where the kernel does not kill the child with its build (not Linux; or a grandchild), the
    writer lock the child inherited keeps the next build waiting instead of pruning its folder.

    The build's child forks a grandchild (PR_SET_PDEATHSIG is not inherited across fork), so the
    grandchild outlives a SIGKILLed build as dbt would where there is no PR_SET_PDEATHSIG.
    """
    published = tmp_path / "salespulse.duckdb"
    with staged(published) as build_file:
        write(build_file, "create table t as select 'the published build' as v")
    release = tmp_path / "release"
    writer = textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        if os.fork() == 0:  # the grandchild writes the build folder until released
            folder = Path(os.environ["SALESPULSE_DUCKDB_PATH"]).parent
            (folder / "written").write_text("still writing")
            while not Path({str(release)!r}).exists():
                time.sleep(0.05)
            os._exit(0)
        time.sleep(3600)
        """
    )
    build_script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from salespulse.dbt import run_tied
        from salespulse.handover import staged, writer_lock_fds
        with staged(Path({str(published)!r})) as path:
            env = {{**os.environ, "SALESPULSE_DUCKDB_PATH": str(path)}}
            run_tied([sys.executable, "-c", {writer!r}], env=env, capture=False, pass_fds=writer_lock_fds())
        """
    )
    build = subprocess.Popen([sys.executable, "-c", build_script], cwd=PROJECT_ROOT)
    try:
        wait_until(
            lambda: any(builds_dir(published).glob("*/written")), 60, "the grandchild writes the build folder"
        )
        (written,) = builds_dir(published).glob("*/written")
        build.kill()
        build.wait()
        wait_until(lambda: len(processes_of(published)) == 1, 60, "the build and its child are gone")

        assert not lock_is_free(published)  # the grandchild holds it
        next_build = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from pathlib import Path\nfrom salespulse.handover import staged\n"
                f"with staged(Path({str(published)!r})) as path:\n"
                f"    import duckdb; duckdb.connect(str(path)).execute(\"update t set v = 'next'\").close()",
            ],
            cwd=PROJECT_ROOT,
        )
        # the next build waits for the lock: it has neither pruned the folder nor published
        wait_until(lambda: waits_for_a_lock(next_build.pid), 60, "the next build waits for the lock")
        assert written.exists()
        assert read(published) == "the published build"
        release.touch()
        assert next_build.wait(timeout=60) == 0
    finally:
        release.touch()
        if build.poll() is None:
            build.kill()
            build.wait()
    assert read(published) == "next"
    assert not written.parent.exists()  # pruned once nothing wrote it any more
    wait_until(lambda: not processes_of(published), 60, "the grandchild is gone")
