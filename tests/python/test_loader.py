"""Landing deliveries in the raw schema: contract checks, atomicity, idempotence."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from deliveries import MINI_BUDGET_MONTHLY, write_simple_budget
from salespulse.errors import ContractError
from salespulse.loader import load
from salespulse.warehouse import Warehouse

ORDER_FILE = "order_lines/order_lines_2024-01.csv"


def run_load(folder: Path, warehouse: Warehouse, **kwargs: object):
    return load(folder, warehouse, budget_files=sorted(folder.glob("budget*.xlsx")), **kwargs)


def snapshot(warehouse: Warehouse) -> dict[str, list[tuple]]:
    """Every raw table's full contents (sorted), load metadata included."""
    tables = [
        r[0]
        for r in warehouse.query("select table_name from information_schema.tables where table_schema='raw'")
    ]
    return {t: sorted(map(repr, warehouse.query(f"select * from raw.{t}"))) for t in sorted(tables)}


def test_mini_delivery_lands_typed_with_metadata(mini_delivery: Path, duckdb_warehouse: Warehouse) -> None:
    report = run_load(mini_delivery, duckdb_warehouse)

    assert report.table_rows["order_lines"] == 4
    assert report.table_rows["customers"] == 3
    assert report.table_rows["products"] == 3
    assert report.table_rows["budget"] == 12
    # optional extracts that were not delivered exist, empty
    for optional in ("sales_reps", "territories", "geography", "campaigns"):
        assert report.table_rows[optional] == 0
    row = duckdb_warehouse.query(
        "select order_date, ship_date, quantity, extended_amount, discount_pct, last_modified_at, "
        "_source_file, _source_row, campaign_code from raw.order_lines where order_number = 'SO2'"
    )[0]
    assert str(row[0]) == "2024-01-20" and row[1] is None and row[2] == 10
    assert row[3] == Decimal("89.90") and row[4] == Decimal("0")
    assert str(row[5]) == "2024-01-21 08:30:00"
    assert row[6:8] == (ORDER_FILE, 3)
    assert row[8] is None  # empty optional value lands as NULL, not ''
    names = duckdb_warehouse.query("select customer_name from raw.customers order by customer_id")
    assert [n[0] for n in names] == ["Ada Lovelace", "Wheels, Inc.", "Jörg Müller"]
    total = duckdb_warehouse.query("select sum(budget_amount) from raw.budget")[0][0]
    assert total == Decimal(12 * MINI_BUDGET_MONTHLY)


def test_reloading_the_same_files_changes_nothing(mini_delivery: Path, duckdb_warehouse: Warehouse) -> None:
    run_load(mini_delivery, duckdb_warehouse)
    before = snapshot(duckdb_warehouse)

    again = run_load(mini_delivery, duckdb_warehouse)

    assert not again.changed
    assert {f.action for f in again.files} == {"unchanged"}
    assert snapshot(duckdb_warehouse) == before  # _loaded_at included


def test_new_file_appends_and_redelivered_file_replaces_its_rows(
    mini_delivery: Path, duckdb_warehouse: Warehouse
) -> None:
    run_load(mini_delivery, duckdb_warehouse)
    header = (mini_delivery / ORDER_FILE).read_text().splitlines()[0]
    (mini_delivery / "order_lines" / "order_lines_2024-03.csv").write_text(
        header + "\nSO4,1,2024-03-01,2024-03-08,,open,C1,AC-1,1,4.99,0,4.99,1.87,,2024-03-01 12:00:00\n"
    )
    # the January file is delivered again with a late update of SO2 (cancelled -> shipped)
    january = mini_delivery / ORDER_FILE
    january.write_text(
        january.read_text().replace(
            "SO2,1,2024-01-20,2024-01-27,,cancelled", "SO2,1,2024-01-20,2024-01-27,2024-01-22,shipped"
        )
    )

    report = run_load(mini_delivery, duckdb_warehouse)

    actions = {f.source_file: f.action for f in report.files if f.entity == "order_lines"}
    assert actions == {
        ORDER_FILE: "replaced",
        "order_lines/order_lines_2024-02.csv": "unchanged",
        "order_lines/order_lines_2024-03.csv": "loaded",
    }
    assert report.table_rows["order_lines"] == 5
    status = duckdb_warehouse.query("select status from raw.order_lines where order_number = 'SO2'")
    assert status == [("shipped",)]


BROKEN_CASES = [
    # (id, file, old text, new text, expected fragments of the message)
    (
        "missing-column",
        "products.csv",
        ",list_price,",
        ",price,",
        ["products.csv", "line 1", "'list_price'", "missing"],
    ),
    (
        "text-in-integer",
        ORDER_FILE,
        "C1,AC-1,2,",
        "C1,AC-1,two,",
        [ORDER_FILE, "line 3", "row 2", "'quantity'", "'two'"],
    ),
    (
        "bad-date",
        ORDER_FILE,
        "SO2,1,2024-01-20",
        "SO2,1,20/01/2024",
        [ORDER_FILE, "line 4", "'order_date'", "YYYY-MM-DD"],
    ),
    (
        "impossible-date",
        "customers.csv",
        "2022-05-06",
        "2022-02-30",
        ["customers.csv", "line 3", "'created_date'", "2022-02-30"],
    ),
    (
        "decimal-comma",
        "products.csv",
        "4.99,1.87",
        '"4,99",1.87',
        ["products.csv", "line 3", "'list_price'", "'4,99'"],
    ),
    (
        "empty-required",
        "customers.csv",
        "C3,Jörg Müller",
        "C3,",
        ["customers.csv", "line 4", "'customer_name'", "required"],
    ),
    (
        "bad-timestamp",
        ORDER_FILE,
        "2024-01-05 10:00:00\nSO1,2",
        "yesterday\nSO1,2",
        [ORDER_FILE, "line 2", "'last_modified_at'"],
    ),
    (
        "too-few-fields",
        "products.csv",
        "Caps,Clothing,8.99,6.92,2021-01-01,2023-12-31",
        "Caps,Clothing,8.99",
        ["products.csv", "line 4", "fields"],
    ),
    (
        "duplicate-header",
        "customers.csv",
        ",segment,email,",
        ",segment,segment,",
        ["customers.csv", "'segment'", "twice"],
    ),
]


@pytest.mark.parametrize(
    ("case", "file", "old", "new", "expected"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES]
)
def test_broken_extract_is_refused_with_file_row_and_column(
    case: str,
    file: str,
    old: str,
    new: str,
    expected: list[str],
    mini_delivery: Path,
    duckdb_warehouse: Warehouse,
) -> None:
    path = mini_delivery / file
    text = path.read_text(encoding="utf-8")
    assert old in text, case
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    message = str(caught.value)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert "nothing was loaded" in message
    assert duckdb_warehouse.query(
        "select count(*) from information_schema.tables where table_schema = 'raw'"
    ) == [(0,)]


def test_wrong_encoding_names_line_and_column(mini_delivery: Path, duckdb_warehouse: Warehouse) -> None:
    path = mini_delivery / "customers.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    problems = caught.value.problems
    assert any(
        p.file == "customers.csv" and p.line == 3 and p.column == "state_province" and "UTF-8" in p.message
        for p in problems
    ), problems
    assert any(p.line == 4 and p.column == "customer_name" for p in problems), problems


def test_parquet_with_a_wrong_type_is_refused(mini_delivery: Path, duckdb_warehouse: Warehouse) -> None:
    (mini_delivery / "order_lines" / "order_lines_2024-02.csv").unlink()
    table = pa.table({"order_number": ["SO9"], "line_number": [1], "order_date": [True]})
    pq.write_table(table, mini_delivery / "order_lines" / "order_lines_2024-02.parquet")

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    message = str(caught.value)
    assert "order_lines/order_lines_2024-02.parquet, column 'order_date': has type bool" in message
    assert "column 'customer_id': required column is missing" in message


def test_missing_required_extract_and_double_delivery(
    mini_delivery: Path, duckdb_warehouse: Warehouse
) -> None:
    (mini_delivery / "products.csv").unlink()
    (mini_delivery / "customers.parquet").write_bytes(b"not parquet")

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    message = str(caught.value)
    assert "products.csv: required extract is missing" in message
    assert "customers: delivered more than once (customers.csv, customers.parquet)" in message


def test_failed_load_keeps_the_previous_raw_data(mini_delivery: Path, duckdb_warehouse: Warehouse) -> None:
    run_load(mini_delivery, duckdb_warehouse)
    before = snapshot(duckdb_warehouse)
    # a good new order file and a broken budget: neither may land
    header = (mini_delivery / ORDER_FILE).read_text().splitlines()[0]
    (mini_delivery / "order_lines" / "order_lines_2024-03.csv").write_text(
        header + "\nSO4,1,2024-03-01,2024-03-08,,open,C1,AC-1,1,4.99,0,4.99,1.87,,2024-03-01 12:00:00\n"
    )
    write_simple_budget(mini_delivery / "budget_2024.xlsx", amount=-5)

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    assert "budget_2024.xlsx" in str(caught.value) and "negative" in str(caught.value)
    assert snapshot(duckdb_warehouse) == before


def test_budget_names_only_known_categories(mini_delivery: Path, duckdb_warehouse: Warehouse) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget 2024"
    sheet.append(["Month", "Category", "Territory", "Budget"])
    from datetime import date

    for month in range(1, 13):
        sheet.append([date(2024, month, 1), "Bikes" if month != 5 else "Scooters", "US-NW", 100])
    workbook.save(mini_delivery / "budget_2024.xlsx")

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    problems = caught.value.problems
    assert any(p.sheet == "Budget 2024" and p.row == 6 and "Scooters" in p.message for p in problems), (
        problems
    )
    # no territories extract was delivered, so US-NW is unknown too
    assert any("US-NW" in p.message for p in problems), problems


def test_cli_refuses_bad_input_with_exit_code_2(mini_delivery: Path, tmp_path: Path) -> None:
    path = mini_delivery / "products.csv"
    path.write_text(path.read_text().replace("3578.27", "lots"))
    env = {"SALESPULSE_DUCKDB_PATH": str(tmp_path / "cli.duckdb"), "PATH": "/usr/bin:/bin"}

    result = subprocess.run(
        [sys.executable, "-m", "salespulse.cli", "load", "--data-dir", str(mini_delivery)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert "products.csv, line 2, row 1, column 'list_price': 'lots' is not a number" in result.stderr


# --------------------------------------------------------------------------------------------
# Budgets as finance sends them, and snapshots that would silently empty a dimension
# --------------------------------------------------------------------------------------------


def _write_months(path: Path, first: tuple[int, int], months: int, header: str = "Date") -> None:
    """A simple workbook as finance sends it: ``header | Budget``, months across years."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet.append([header, "Budget"])
    year, month = first
    for _ in range(months):
        sheet.append([date(year, month, 1), 1000.1234])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    workbook.save(path)


def test_several_budget_workbooks_land_together_and_reload_as_one(
    mini_delivery: Path, duckdb_warehouse: Warehouse
) -> None:
    (mini_delivery / "budget_2024.xlsx").unlink()
    _write_months(mini_delivery / "budget_2024.xlsx", (2024, 1), 12, header="Month")
    _write_months(mini_delivery / "budget_rolling.xlsx", (2025, 1), 18)

    report = run_load(mini_delivery, duckdb_warehouse)

    assert report.table_rows["budget"] == 30
    files = duckdb_warehouse.query(
        "select _source_file, min(budget_month), max(budget_month), count(*) "
        "from raw.budget group by 1 order by 1"
    )
    assert files == [
        ("budget_2024.xlsx", date(2024, 1, 1), date(2024, 12, 1), 12),
        ("budget_rolling.xlsx", date(2025, 1, 1), date(2026, 6, 1), 18),
    ]
    assert not run_load(mini_delivery, duckdb_warehouse).changed
    # one workbook re-sent: the budget is replaced whole, both files still land
    _write_months(mini_delivery / "budget_rolling.xlsx", (2025, 1), 12)
    again = run_load(mini_delivery, duckdb_warehouse)
    assert {(f.source_file, f.action) for f in again.files if f.entity == "budget"} == {
        ("budget_2024.xlsx", "replaced"),
        ("budget_rolling.xlsx", "replaced"),
    }
    assert again.table_rows["budget"] == 24


def test_a_month_delivered_twice_across_workbooks_refuses_the_load(
    mini_delivery: Path, duckdb_warehouse: Warehouse
) -> None:
    run_load(mini_delivery, duckdb_warehouse)
    before = snapshot(duckdb_warehouse)
    _write_months(mini_delivery / "budget_2024_h2.xlsx", (2024, 7), 6)

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    (problem,) = caught.value.problems
    assert problem.file == "budget_2024_h2.xlsx"
    assert "months 2024-07 to 2024-12 are also in budget_2024.xlsx" in problem.message
    assert snapshot(duckdb_warehouse) == before


def test_a_header_only_snapshot_is_refused_unless_accepted(
    mini_delivery: Path, duckdb_warehouse: Warehouse
) -> None:
    run_load(mini_delivery, duckdb_warehouse)
    before = snapshot(duckdb_warehouse)
    products = mini_delivery / "products.csv"
    products.write_text(products.read_text().splitlines()[0] + "\n")

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    (problem,) = caught.value.problems
    assert problem.file == "products.csv"
    assert (
        "has no data rows (only a header); landing it would empty raw.products (3 rows now)"
        in problem.message
    )
    assert "--accept-shrink products" in problem.message
    assert snapshot(duckdb_warehouse) == before

    report = run_load(mini_delivery, duckdb_warehouse, accept_shrink={"products"})
    assert report.table_rows["products"] == 0


def test_a_snapshot_that_loses_most_of_its_rows_is_refused_unless_accepted(
    mini_delivery: Path, duckdb_warehouse: Warehouse
) -> None:
    run_load(mini_delivery, duckdb_warehouse)
    customers = mini_delivery / "customers.csv"
    lines = customers.read_text().splitlines()
    customers.write_text("\n".join(lines[:2]) + "\n")  # 1 of 3 customers

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    assert (
        "the customers snapshot would shrink from 3 rows to 1 (under 50%" in caught.value.problems[0].message
    )
    assert run_load(mini_delivery, duckdb_warehouse, accept_shrink={"customers"}).table_rows["customers"] == 1
    # a snapshot that keeps half of its rows or more lands as usual
    customers.write_text("\n".join(lines) + "\n")
    assert run_load(mini_delivery, duckdb_warehouse).table_rows["customers"] == 3


def test_repeated_business_keys_in_one_file_are_refused_naming_both_rows(
    mini_delivery: Path, duckdb_warehouse: Warehouse
) -> None:
    customers = mini_delivery / "customers.csv"
    lines = customers.read_text().splitlines()
    customers.write_text("\n".join([*lines, lines[1].replace("Ada Lovelace", "Ada King")]) + "\n")
    orders = mini_delivery / ORDER_FILE
    order_lines = orders.read_text().splitlines()
    orders.write_text("\n".join([*order_lines, order_lines[1]]) + "\n")

    with pytest.raises(ContractError) as caught:
        run_load(mini_delivery, duckdb_warehouse)

    messages = {(p.file, p.row, p.column): p.message for p in caught.value.problems}
    assert messages[("customers.csv", 4, "customer_id")].startswith("customer_id C1 is on rows 1 and 4;")
    assert messages[(ORDER_FILE, 4, "order_number")].startswith(
        "order_number SO1, line_number 1, last_modified_at 2024-01-05 10:00:00 is on rows 1 and 4;"
    )
    assert duckdb_warehouse.table_columns("raw", "customers") == []  # nothing landed, not even the tables


def test_cli_lands_several_budgets_and_accepts_a_shrink_when_told(
    mini_delivery: Path, tmp_path: Path
) -> None:
    import os

    env = {**os.environ, "SALESPULSE_DUCKDB_PATH": str(tmp_path / "wh" / "cli.duckdb")}
    env.pop("SALESPULSE_BUDGET_FILES", None)
    _write_months(mini_delivery / "budget_2025.xlsx", (2025, 1), 12)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "salespulse.cli", "load", "--data-dir", str(mini_delivery), *args]
        return subprocess.run(command, env=env, capture_output=True, text=True)

    first = cli()
    assert first.returncode == 0, first.stderr
    assert "raw.budget                 24 rows" in first.stdout
    products = mini_delivery / "products.csv"
    products.write_text(products.read_text().splitlines()[0] + "\n")
    refused = cli()
    assert refused.returncode == 2 and "--accept-shrink products" in refused.stderr
    accepted = cli("--accept-shrink", "products")
    assert accepted.returncode == 0, accepted.stderr
    only_2025 = cli("--accept-shrink", "products", "--budget-file", str(mini_delivery / "budget_2025.xlsx"))
    assert "raw.budget                 12 rows" in only_2025.stdout
