"""Arrow tables typed after the landing contract, and their CSV and Parquet files.

Both writers are deterministic: the same table always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..contract import Column, Entity

MONEY = pa.decimal128(18, 2)
FRACTION = pa.decimal128(9, 4)
#: Decimal columns that are not money.
_DECIMAL_TYPES: dict[str, pa.Decimal128Type] = {
    "discount_pct": FRACTION,
    "latitude": FRACTION,
    "longitude": FRACTION,
}
_PLAIN_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
_NEEDS_QUOTES = r'[",\r\n]'


def arrow_type(column: Column) -> pa.DataType:
    if column.type == "decimal":
        return _DECIMAL_TYPES.get(column.name, MONEY)
    return _PLAIN_TYPES[column.type]


def arrow_schema(entity: Entity) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c), nullable=not c.required) for c in entity.columns])


def _mask(mask: np.ndarray | None) -> np.ndarray | None:
    return None if mask is None or not mask.any() else mask


def decimal_array(units: np.ndarray, type_: pa.Decimal128Type, mask: np.ndarray | None = None) -> pa.Array:
    """Decimals from integers in units of the type's scale (cents for scale 2), without rounding."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63  # sign extension to 128 bits, little-endian
    mask = _mask(mask)
    validity = None if mask is None else pa.array(~mask).buffers()[1]
    return pa.Array.from_buffers(
        type_, len(units), [validity, pa.py_buffer(words.tobytes())], null_count=-1 if mask is not None else 0
    )


def date_array(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Dates from day numbers (days since 1970-01-01)."""
    return pa.array(np.asarray(days, dtype=np.int32), mask=_mask(mask)).view(pa.date32())


def timestamp_array(micros: np.ndarray) -> pa.Array:
    """Naive timestamps from microseconds since 1970-01-01 00:00."""
    return pa.array(np.asarray(micros, dtype=np.int64)).view(pa.timestamp("us"))


def take(values: pa.Array, index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """``values[index]``, null where ``mask`` is true."""
    return values.take(pa.array(np.asarray(index, dtype=np.int64), mask=_mask(mask)))


def numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Business keys like ``SO0043659`` from integers."""
    digits = pc.utf8_lpad(
        pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width=width, padding="0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def table_from_columns(entity: Entity, columns: Mapping[str, pa.Array]) -> pa.Table:
    """A table in contract column order; fails if a column is missing, extra or mistyped."""
    if set(columns) != set(entity.column_names):
        raise ValueError(f"{entity.name}: columns {sorted(columns)} differ from the contract")
    schema = arrow_schema(entity)
    arrays = [columns[name] for name in entity.column_names]
    for field, array in zip(schema, arrays, strict=True):
        if array.type != field.type:
            raise TypeError(f"{entity.name}.{field.name}: {array.type} is not {field.type}")
    return pa.Table.from_arrays(arrays, schema=schema)


def table_from_rows(entity: Entity, rows: Iterable[Mapping[str, object]]) -> pa.Table:
    """A small table from dicts of Python values (``None`` for missing)."""
    rows = list(rows)
    schema = arrow_schema(entity)
    return pa.Table.from_pylist([{f.name: r[f.name] for f in schema} for r in rows], schema=schema)


def table_from_records(
    entity: Entity, records: Iterable[object], **computed: Callable[[Any], object]
) -> pa.Table:
    """A reference table from objects that carry the contract's columns as attributes of the same
    name; ``computed`` gives, by column, the value of those they carry under another name or not at all."""
    return table_from_rows(
        entity,
        (
            {
                c.name: computed[c.name](r) if c.name in computed else getattr(r, c.name)
                for c in entity.columns
            }
            for r in records
        ),
    )


def _csv_text(column: pa.ChunkedArray) -> pa.Array:
    array = column.combine_chunks()
    if pa.types.is_timestamp(array.type):
        text = pc.strftime(array.cast(pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")
    else:
        text = array.cast(pa.string())
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.fill_null(pc.if_else(pc.match_substring_regex(text, _NEEDS_QUOTES), quoted, text), "")


def csv_bytes(table: pa.Table) -> bytes:
    """RFC 4180 CSV: header row, ``,`` separated, ``\\n`` line ends, quotes only where needed,
    ISO dates, ``YYYY-MM-DD HH:MM:SS`` timestamps, ``.`` decimals, empty for missing values."""
    header = ",".join(table.column_names) + "\n"
    if table.num_rows == 0:
        return header.encode()
    cells = [_csv_text(table.column(i)) for i in range(table.num_columns)]
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "\n", "")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    body = lines.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
    return header.encode() + body


def write_csv(table: pa.Table, path: Path) -> None:
    path.write_bytes(csv_bytes(table))


#: How every generated Parquet file is written (the trickle's deliveries too).
PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 1_048_576,
}


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, **PARQUET_OPTIONS)  # type: ignore[arg-type]
