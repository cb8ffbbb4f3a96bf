"""The reporting layer exported to Parquet: Power BI's no-server source."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from salespulse.export import arrow_schema, export_reporting_parquet
from salespulse.semantic import load_model
from salespulse.warehouse import Warehouse, connect


def _assert_export_matches(warehouse: Warehouse, out: Path) -> None:
    exported = {item.view: item for item in export_reporting_parquet(warehouse, out)}
    model = load_model()
    assert set(exported) == {table.view for table in model.tables}
    for table in model.tables:
        item = exported[table.view]
        parquet = pq.read_table(item.path)
        # typed as the view's contract says, in the view's column order
        assert parquet.schema.equals(arrow_schema(table)), table.view
        (rows,) = warehouse.query(f"select count(*) from reporting.{table.view}")[0]
        assert parquet.num_rows == item.rows == rows, table.view
    sales = pq.read_table(exported["sales"].path, columns=["net_sales_amount"]).column(0)
    (total,) = warehouse.query("select sum(net_sales_amount) from reporting.sales")[0]
    assert sum((value for value in sales.to_pylist() if value is not None), Decimal(0)) == total
    # renamed into place: nothing half-written is left behind
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]


def test_export_from_duckdb_is_complete_and_typed(demo_duck: Warehouse, tmp_path: Path) -> None:
    _assert_export_matches(demo_duck, tmp_path / "parquet")


@pytest.mark.postgres
def test_export_from_postgres_is_complete_and_typed(demo_postgres: dict[str, str], tmp_path: Path) -> None:
    with connect("postgres", {**os.environ, **demo_postgres}) as warehouse:
        _assert_export_matches(warehouse, tmp_path / "parquet")


def test_export_replaces_files_atomically(demo_duck: Warehouse, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    export_reporting_parquet(demo_duck, out)
    before = (out / "sales.parquet").stat().st_ino
    export_reporting_parquet(demo_duck, out)
    # a new file was renamed over the old one (a reader holding the old one keeps a whole file)
    assert (out / "sales.parquet").stat().st_ino != before
    assert pq.read_table(out / "sales.parquet").num_rows > 0
