"""Export the reporting layer to Parquet: the no-server path of the Power BI model.

``salespulse export-parquet --out DIR`` writes one ``<view>.parquet`` per reporting view, typed
as the view's contract says (money as decimal(18,4), dates as date32), from any target. Power BI
reads them with ``Parquet.Document`` when its ``WarehouseSource`` parameter is ``Parquet``.
Files are written beside the target and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from salespulse.semantic import Table, load_model
from salespulse.warehouse import Warehouse

REPORTING_SCHEMA = "reporting"

_SIMPLE_TYPES = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
}


def arrow_type(sql_type: str) -> pa.DataType:
    """The Arrow type of a reporting contract's data_type (``numeric(18,4)`` -> decimal128(18, 4))."""
    numeric = re.fullmatch(r"numeric\((\d+),\s*(\d+)\)", sql_type)
    if numeric:
        return pa.decimal128(int(numeric.group(1)), int(numeric.group(2)))
    return _SIMPLE_TYPES[sql_type]


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(column.source, arrow_type(column.sql_type)) for column in table.columns])


@dataclass(frozen=True)
class ExportedView:
    view: str
    path: Path
    rows: int


def export_reporting_parquet(warehouse: Warehouse, out_dir: Path) -> list[ExportedView]:
    """Write every reporting view of the semantic model to ``out_dir/<view>.parquet``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exported = []
    for table in load_model().tables:
        schema = arrow_schema(table)
        columns = ", ".join(f'"{name}"' for name in schema.names)
        sql = f'select {columns} from {REPORTING_SCHEMA}."{table.view}"'
        path = out_dir / f"{table.view}.parquet"
        partial = path.with_name(f".{path.name}.partial")
        rows = 0
        with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
            for batch in warehouse.arrow_batches(sql, schema):
                writer.write_batch(batch)
                rows += batch.num_rows
        os.replace(partial, path)
        exported.append(ExportedView(table.view, path, rows))
    return exported
