"""The trickle feed: small later deliveries the real loader lands as new order-line versions.

A small demo is generated and loaded, three trickle deliveries are written through the real
command (``salespulse generate --trickle --count 3 --every 0``), then the same loader lands them:
new orders appear, an old line's late update and a cancellation win as the latest version, and
the same seed writes the same bytes whether the ticks run in one go or one per run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from salespulse.cli import main
from salespulse.contract import ORDER_LINES
from salespulse.generator import TrickleError, generate, trickle
from salespulse.generator.trickle import OLD_DAYS, TICK_WINDOW_SECONDS
from salespulse.loader import load
from salespulse.warehouse import DuckDBWarehouse, Warehouse

LINES = 3_000
PER_DELIVERY = 30
TRICKLE_FILES = [f"order_lines/order_lines_trickle_{tick:06d}.parquet" for tick in (1, 2, 3)]

#: The latest version of every line, as staging picks it (``macros/versions.sql``).
LATEST = """
    select * from raw.order_lines
    qualify row_number() over (
        partition by order_number, line_number
        order by last_modified_at desc, _loaded_at desc, _source_file desc, _source_row desc
    ) = 1
"""


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _land(folder: Path, warehouse: Warehouse):
    return load(folder, warehouse, budget_files=sorted(folder.glob("budget*.xlsx")))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo delivery, never trickled into (copy it first)."""
    out = tmp_path_factory.mktemp("trickle-demo") / "delivery"
    generate(out, order_lines=LINES)
    return out


@pytest.fixture
def folder(demo: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo, tmp_path / "delivery"))


def _cli_trickle(folder: Path, *args: str) -> str:
    result = CliRunner().invoke(
        main, ["generate", "--trickle", "--out", str(folder), "--every", "0", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_trickle_deliveries_land_as_new_versions(folder: Path, tmp_path: Path) -> None:
    with DuckDBWarehouse(tmp_path / "warehouse" / "trickle.duckdb") as warehouse:
        _land(folder, warehouse)
        raw_rows = warehouse.query("select count(*) from raw.order_lines")[0][0]
        before = dict(warehouse.query(f"select order_number || '-' || line_number, status from ({LATEST})"))
        last_change = warehouse.query("select max(last_modified_at) from raw.order_lines")[0][0]
        extract = _digests(folder)

        output = _cli_trickle(folder, "--count", "3", "--lines", str(PER_DELIVERY), "--seed", "7")

        # the extracts are followed on from, not regenerated
        assert {k: v for k, v in _digests(folder).items() if k in extract} == extract
        assert sorted(set(_digests(folder)) - set(extract)) == TRICKLE_FILES
        assert output.count("trickle ") == 3
        assert not list((folder / "order_lines").glob(".*"))  # no temporary file left behind

        report = _land(folder, warehouse)

        actions = {f.source_file: f.action for f in report.files if f.entity == "order_lines"}
        assert sorted(name for name, action in actions.items() if action == "loaded") == TRICKLE_FILES
        assert {a for name, a in actions.items() if name not in TRICKLE_FILES} == {"unchanged"}
        assert report.table_rows["order_lines"] == raw_rows + 3 * PER_DELIVERY
        rows = [
            dict(zip(ORDER_LINES.column_names, r, strict=True))
            for name in TRICKLE_FILES
            for r in warehouse.query(
                f"select {', '.join(ORDER_LINES.column_names)} from raw.order_lines "
                "where _source_file = ? order by _source_row",
                [name],
            )
        ]
        assert len(rows) == 3 * PER_DELIVERY
        # every delivery is later than everything before it, tick after tick
        stamps = [
            warehouse.query(
                "select min(last_modified_at), max(last_modified_at) from raw.order_lines "
                "where _source_file = ?",
                [name],
            )[0]
            for name in TRICKLE_FILES
        ]
        assert last_change < stamps[0][0] <= stamps[0][1] < stamps[1][0] <= stamps[1][1] < stamps[2][0]
        assert (stamps[2][1] - last_change).total_seconds() <= 3 * TICK_WINDOW_SECONDS

        latest = {
            f"{r[0]}-{r[1]}": r
            for r in warehouse.query(
                f"select order_number, line_number, status, quantity, order_date, last_modified_at, "
                f"_source_file from ({LATEST})"
            )
        }
        new = [r for r in rows if f"{r['order_number']}-{r['line_number']}" not in before]
        changed = [r for r in rows if f"{r['order_number']}-{r['line_number']}" in before]
        # new orders: in raw, entered open (a later tick may ship or cancel a line of an earlier one)
        first_versions = {f"{r['order_number']}-{r['line_number']}": r for r in reversed(new)}
        assert len(first_versions) >= PER_DELIVERY
        assert all(
            r["status"] == "open" and r["order_date"] >= last_change.date() for r in first_versions.values()
        )
        assert all(latest[f"{r['order_number']}-{r['line_number']}"][6] in TRICKLE_FILES for r in new)
        # the last delivered version of every line is its latest version now
        last_delivered = {f"{r['order_number']}-{r['line_number']}": r for r in rows}
        for key, r in last_delivered.items():
            assert latest[key][5] == r["last_modified_at"]
        # a late update of an old line: a quantity changed on a line ordered long before
        old = [r for r in changed if (last_change.date() - r["order_date"]).days > OLD_DAYS]
        assert old
        for r in old:
            assert latest[f"{r['order_number']}-{r['line_number']}"][3] == r["quantity"]
        # cancellations: lines that were not cancelled before are cancelled now
        cancelled = [r for r in changed if r["status"] == "cancelled"]
        assert cancelled
        assert all(before[f"{r['order_number']}-{r['line_number']}"] != "cancelled" for r in cancelled)
        assert all(latest[f"{r['order_number']}-{r['line_number']}"][2] == "cancelled" for r in cancelled)
        # nothing the warehouse's business rules would reject (int_order_lines__checked)
        assert all(r["quantity"] > 0 and r["due_date"] >= r["order_date"] for r in rows)
        assert all(
            abs(r["extended_amount"] - round(r["quantity"] * r["unit_price"] * (1 - r["discount_pct"]), 2))
            <= 0.01
            for r in rows
        )
        assert all(0 <= r["discount_pct"] < 1 and r["unit_price"] >= 0 for r in rows)

        again = _land(folder, warehouse)
        assert not again.changed  # a delivery lands once


def test_same_seed_same_bytes_in_one_run_or_one_tick_per_run(folder: Path, tmp_path: Path) -> None:
    other = Path(shutil.copytree(folder, tmp_path / "other"))

    written = [d.path for d in trickle(folder, seed=3, lines=PER_DELIVERY, count=3, every=0)]
    for _ in range(3):
        _cli_trickle(other, "--count", "1", "--lines", str(PER_DELIVERY), "--seed", "3")

    assert [p.relative_to(folder).as_posix() for p in written] == TRICKLE_FILES
    for name in TRICKLE_FILES:
        assert (folder / name).read_bytes() == (other / name).read_bytes(), name
    # the deliveries are typed like the monthly files
    monthly = pq.read_schema(next((folder / "order_lines").glob("order_lines_2024-*.parquet")))
    assert pq.read_schema(folder / TRICKLE_FILES[0]).equals(monthly)

    changed_seed = Path(shutil.copytree(other, tmp_path / "seed"))
    for name in TRICKLE_FILES:
        (changed_seed / name).unlink()
    next(iter(trickle(changed_seed, seed=4, lines=PER_DELIVERY, count=1, every=0)))
    assert (changed_seed / TRICKLE_FILES[0]).read_bytes() != (folder / TRICKLE_FILES[0]).read_bytes()


def test_regenerating_removes_trickle_deliveries(folder: Path) -> None:
    list(trickle(folder, lines=PER_DELIVERY, count=1, every=0))
    generate(folder, order_lines=LINES)
    assert not list((folder / "order_lines").glob("order_lines_trickle_*"))


def test_trickle_needs_an_extract_to_follow_on_from(tmp_path: Path) -> None:
    with pytest.raises(TrickleError, match="salespulse generate"):
        list(trickle(tmp_path, count=1, every=0))
    with pytest.raises(ValueError, match="at least 3 lines"):
        list(trickle(tmp_path, lines=2, count=1, every=0))


def test_trickle_csv_deliveries_follow_the_monthly_format(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    generate(out, order_lines=1_000, lines_format="csv")
    (delivery,) = trickle(out, lines=5, count=1, every=0)
    assert delivery.path.name == "order_lines_trickle_000001.csv"
    header = (out / "order_lines" / "order_lines_2024-12.csv").read_text().splitlines()[0]
    assert delivery.path.read_text().splitlines()[0] == header
    with DuckDBWarehouse(tmp_path / "w.duckdb") as warehouse:
        report = _land(out, warehouse)
    assert any(f.source_file.endswith("trickle_000001.csv") and f.rows == 5 for f in report.files)


@pytest.mark.slow
def test_trickle_reaches_reporting_sales_after_a_build(folder: Path, tmp_path: Path) -> None:
    """Generate, load and build; trickle; load and build again: the changes are in reporting.sales."""
    from salespulse.dbt import run_dbt
    from salespulse.warehouse import connect
    from warehouse_build import build_warehouse

    env = build_warehouse(
        folder, tmp_path / "work", "duckdb", {"SALESPULSE_DUCKDB_PATH": str(tmp_path / "w" / "demo.duckdb")}
    )
    deliveries = list(trickle(folder, seed=11, lines=PER_DELIVERY, count=3, every=0))
    with connect("duckdb", {**os.environ, **env}) as warehouse:
        _land(folder, warehouse)
    run_dbt(["build"], target="duckdb", env=env)

    with connect("duckdb", {**os.environ, **env}) as warehouse:
        sales = {
            (r[0], r[1]): r[2:]
            for r in warehouse.query(
                "select order_number, line_number, order_status, is_cancelled, ordered_quantity, "
                "net_sales_amount from reporting.sales"
            )
        }
        reasons = warehouse.query("select distinct rejection_reason from marts.rejected_rows")
    new_orders = {number for d in deliveries for number in d.new_orders}
    assert new_orders <= {order for order, _ in sales}
    cancelled = {key for d in deliveries for key in d.cancelled}
    assert cancelled and all(sales[key][0] == "cancelled" and sales[key][1] for key in cancelled)
    assert all(sales[key][3] == 0 for key in cancelled)  # a cancelled line sells nothing
    updated = {key for d in deliveries for key in d.old_updates} - cancelled
    rows = {
        (r["order_number"], r["line_number"]): r
        for d in deliveries
        for r in pq.read_table(d.path).to_pylist()
    }
    assert updated and all(sales[key][2] == rows[key]["quantity"] for key in updated)
    # the only raw rows not in the facts are the versions a later one replaced
    assert reasons in ([], [("superseded_by_later_version",)])
