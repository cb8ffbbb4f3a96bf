"""The standby hand-over (salespulse.handover): a replayable cycle writes the build the current one
replaced -- one cycle behind -- instead of copying the whole warehouse, and catches up.

Real DuckDB files and the real loader throughout. A cycle here is what ``salespulse refresh`` does
with a stand-in for dbt: land every file of the delivery folder not landed yet, then derive a
"built" table (the latest version of every order line) from raw, in ``staged(..., replay=KEY)``.
Whether a build was taken or copied is read from the file's inode: a rename keeps it, a copy not.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from deliveries import write_mini_delivery
from duckdb_files import write
from salespulse.handover import PUBLISHED_MARKER, builds_dir, current, staged
from salespulse.loader import LoadReport, load
from salespulse.warehouse import DuckDBWarehouse
from salespulse.web.query.readers import DuckDBReader

KEY = "refresh:test"
HEADER = (
    "order_number,line_number,order_date,due_date,ship_date,status,customer_id,sku,quantity,"
    "unit_price,discount_pct,extended_amount,standard_cost,campaign_code,last_modified_at\n"
)
#: Later deliveries: a new order, then a late update of an old line (its quantity) and another order.
DELIVERIES = {
    "order_lines/order_lines_2024-03.csv": "SO4,1,2024-03-02,2024-03-09,,open,C1,AC-1,1,4.99,0,4.99,1.87,,"
    "2024-03-02 10:00:00\n",
    "order_lines/order_lines_2024-04.csv": "SO1,1,2024-01-03,2024-01-10,2024-01-05,shipped,C1,BK-1,2,"
    "3578.27,0,7156.54,2171.29,,2024-04-01 09:00:00\n"
    "SO5,1,2024-04-03,2024-04-10,,open,C3,CL-1,1,8.99,0,8.99,6.92,,2024-04-03 11:00:00\n",
    "order_lines/order_lines_2024-05.csv": "SO6,1,2024-05-05,2024-05-12,,open,C2,AC-1,4,4.99,0,19.96,1.87,,"
    "2024-05-05 12:00:00\n",
}
BUILD = """
    create or replace table main.built as
    select order_number, line_number, quantity from raw.order_lines
    qualify row_number() over (
        partition by order_number, line_number order by last_modified_at desc, _loaded_at desc
    ) = 1
"""
BUILT = "select order_number || '-' || line_number, quantity from main.built order by 1"


def deliver(folder: Path, name: str) -> None:
    (folder / name).write_text(HEADER + DELIVERIES[name], encoding="utf-8")


def land_and_build(folder: Path, path: Path) -> LoadReport:
    with DuckDBWarehouse(path) as warehouse:
        report = load(folder, warehouse, budget_files=sorted(folder.glob("budget*.xlsx")))
        warehouse.execute(BUILD)
    return report


def cycle(folder: Path, published: Path, wait: float = 5.0) -> LoadReport:
    with staged(published, replay=KEY, standby_wait=wait) as path:
        return land_and_build(folder, path)


def inode(path: Path) -> int:
    return current(path).stat().st_ino if path.is_symlink() else path.stat().st_ino


def build_dirs(published: Path) -> list[str]:
    return sorted(p.name for p in builds_dir(published).iterdir() if p.is_dir())


def built(published: Path) -> dict[str, int]:
    reader = DuckDBReader(published)
    try:
        return dict(reader.query(BUILT))
    finally:
        reader.close()


def expected(*deliveries: str) -> dict[str, int]:
    rows = {"SO1-1": 1, "SO1-2": 2, "SO2-1": 10, "SO3-1": 3}
    for name in deliveries:
        for line in DELIVERIES[name].splitlines():
            fields = line.split(",")
            rows[f"{fields[0]}-{fields[1]}"] = int(fields[8])
    return rows


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_mini_delivery(tmp_path / "delivery")


@pytest.fixture
def published(tmp_path: Path, folder: Path) -> Path:
    """Two cycles published (both copies: the first has nothing before it, the second's current was
    not made by a cycle that recorded its standby). The standby now exists."""
    path = tmp_path / "warehouse" / "salespulse.duckdb"
    cycle(folder, path)
    deliver(folder, "order_lines/order_lines_2024-03.csv")
    cycle(folder, path)
    return path


def test_the_standby_is_taken_not_copied_and_catches_up_two_deliveries(folder: Path, published: Path) -> None:
    live = current(published)
    standby = next(builds_dir(published) / name for name in build_dirs(published) if name != live.parent.name)
    standby_inode, live_inode = (standby / published.name).stat().st_ino, live.stat().st_ino
    assert built(published) == expected("order_lines/order_lines_2024-03.csv")
    # the standby is one cycle behind: it has not landed the 2024-03 file the current build has
    con = duckdb.connect(str(standby / published.name), read_only=True)
    assert con.execute("select count(*) from raw.order_lines where order_number = 'SO4'").fetchall() == [(0,)]
    con.close()

    deliver(folder, "order_lines/order_lines_2024-04.csv")
    report = cycle(folder, published)

    # taken: the same file, renamed to a new build id (no copy), the old current kept as standby
    assert inode(published) == standby_inode
    assert current(published).parent.name not in {standby.name, live.parent.name}
    assert build_dirs(published) == sorted([live.parent.name, current(published).parent.name])
    # caught up: the previous cycle's file and the new one landed, the late update wins
    landed = sorted(f.source_file for f in report.files if f.action == "loaded")
    assert landed == ["order_lines/order_lines_2024-03.csv", "order_lines/order_lines_2024-04.csv"]
    assert built(published) == expected(
        "order_lines/order_lines_2024-03.csv", "order_lines/order_lines_2024-04.csv"
    )
    assert built(published)["SO1-1"] == 2

    # and the next cycle takes the build that was current before (blue/green from now on)
    deliver(folder, "order_lines/order_lines_2024-05.csv")
    before = inode(published)
    cycle(folder, published)
    assert inode(published) == live_inode != before
    assert built(published) == expected(*DELIVERIES)


HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("open", flush=True)
    for line in sys.stdin:
        if line.strip() == "exit":
            break
        print(con.execute(line).fetchall(), flush=True)
    con.close()
    """
)


def test_a_reader_process_on_the_standby_makes_the_cycle_copy_and_keeps_reading(
    folder: Path, published: Path
) -> None:
    live = current(published)
    # another process reads the current build (a web server that has not queried since) ...
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(live)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "open"
        # ... a cycle during which it reads on: the standby is free, so it is taken
        deliver(folder, "order_lines/order_lines_2024-04.csv")
        cycle(folder, published)
        taken_inode = inode(published)
        held, held_inode = live, live.stat().st_ino  # now the standby, still open in the other process
        assert current(published) != held

        deliver(folder, "order_lines/order_lines_2024-05.csv")
        before = inode(published)
        cycle(folder, published, wait=0.5)  # DuckDB would refuse the writer: wait, then copy

        assert inode(published) not in {before, held_inode}  # a copy
        assert built(published) == expected(*DELIVERIES)
        # the reader still reads the build it opened, whole and unchanged
        holder.stdin.write("select count(*) from main.built\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == str(
            [(len(expected("order_lines/order_lines_2024-03.csv")),)]
        )
        holder.stdin.write("exit\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    # the copy recorded its standby, which nobody holds now: the next cycle takes it
    cycle(folder, published)
    assert inode(published) == taken_inode
    assert built(published) == expected(*DELIVERIES)


CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import duckdb
    from salespulse.handover import staged
    with staged(Path(sys.argv[1]), replay=sys.argv[2]) as path:
        con = duckdb.connect(str(path))
        con.execute("create or replace table main.built as select 'half' as order_number")
        con.close()
        print(path, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # a crash mid-cycle: nothing runs after this
    """
)


def test_a_crash_mid_cycle_keeps_the_publish_and_the_next_cycle_recovers_by_copy(
    folder: Path, published: Path
) -> None:
    live = current(published)
    live_inode = live.stat().st_ino
    before = built(published)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, str(published), KEY], capture_output=True, text=True, timeout=120
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    half_built = Path(crashed.stdout.strip()).parent
    assert current(published) == live and built(published) == before  # readers saw nothing
    assert half_built.is_dir() and not (half_built / PUBLISHED_MARKER).exists()  # not a publish
    assert build_dirs(published) == sorted([live.parent.name, half_built.name])  # the standby went into it

    deliver(folder, "order_lines/order_lines_2024-04.csv")
    cycle(folder, published)

    assert not half_built.exists()  # deleted before anything else
    assert inode(published) != live_inode  # a copy of the current build
    assert built(published) == expected(
        "order_lines/order_lines_2024-03.csv", "order_lines/order_lines_2024-04.csv"
    )
    # the next cycle is blue/green again
    deliver(folder, "order_lines/order_lines_2024-05.csv")
    cycle(folder, published)
    assert inode(published) == live_inode


def test_a_failed_cycle_keeps_the_last_publish_and_the_standby_is_rebuilt_by_copy(
    folder: Path, published: Path
) -> None:
    live = current(published)
    before = built(published)
    deliver(folder, "order_lines/order_lines_2024-04.csv")
    with pytest.raises(RuntimeError, match="dbt failed"), staged(published, replay=KEY) as path:
        land_and_build(folder, path)
        raise RuntimeError("dbt failed")
    assert current(published) == live and built(published) == before
    assert build_dirs(published) == [live.parent.name]  # the standby was in the failed build: gone

    cycle(folder, published)
    assert inode(published) != live.stat().st_ino  # a copy of the current build
    assert built(published) == expected(
        "order_lines/order_lines_2024-03.csv", "order_lines/order_lines_2024-04.csv"
    )
    assert len(build_dirs(published)) == 2


def test_another_kind_of_publish_in_between_makes_the_next_cycle_copy(folder: Path, published: Path) -> None:
    """A load, build or forecast is not repeated by a cycle: its standby would lose what it did."""
    with staged(published) as path:  # e.g. `salespulse forecast`: lands something no cycle lands again
        write(path, "create table main.forecast as select 42 as amount")
    after_forecast = current(published)
    deliver(folder, "order_lines/order_lines_2024-04.csv")
    cycle(folder, published)
    assert inode(published) != after_forecast.stat().st_ino
    reader = DuckDBReader(published)
    assert reader.query("select amount from main.forecast") == [(42,)]
    reader.close()
    # the layout before the standby (empty markers) reads the same way: such a build is never taken
    assert (after_forecast.parent / PUBLISHED_MARKER).read_text() == "{}"


def test_a_cycle_that_rebuilt_everything_offers_no_standby_the_next_copies_it(
    folder: Path, published: Path
) -> None:
    """Catching the build before a full rebuild up would rebuild everything again: a copy is cheaper."""
    live = current(published)
    deliver(folder, "order_lines/order_lines_2024-04.csv")
    with staged(published, replay=KEY, offer_standby=lambda: False) as path:  # e.g. new code: all of it
        land_and_build(folder, path)
    rebuilt = current(published)
    assert (live.parent / PUBLISHED_MARKER).is_file()  # kept for readers, but not offered
    rebuilt_inode = rebuilt.stat().st_ino
    inodes = {rebuilt_inode, live.stat().st_ino}

    deliver(folder, "order_lines/order_lines_2024-05.csv")
    cycle(folder, published)
    assert inode(published) not in inodes  # a copy of the rebuilt build
    assert built(published) == expected(*DELIVERIES)
    assert build_dirs(published) == sorted([rebuilt.parent.name, current(published).parent.name])

    # that copy offers its standby again: the next cycle takes the rebuilt build
    cycle(folder, published)
    assert inode(published) == rebuilt_inode
    assert built(published) == expected(*DELIVERIES)
