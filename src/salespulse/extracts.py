"""Find delivered extract files and read them into typed Arrow tables, checked against the contract.

Structural problems (a missing column, a value that is not of the column's type, a required value
that is empty, bytes that are not UTF-8, a row with the wrong number of fields) refuse the file with
a ``Problem`` naming file, line/row and column. Business-rule problems (an unknown customer on an
order line, say) are not this module's job: such rows land and the warehouse rejects them with a
reason, so that every raw row is accounted for.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from salespulse.contract import DATA_FILE_SUFFIXES, ENTITIES, Column, ColumnType, Entity
from salespulse.errors import Problem

#: How many offending rows one problem lists before summarising.
MAX_ROWS_SHOWN = 5

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(18, 4),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}

_INTEGER_RE = r"^[+-]?\d+$"
_DECIMAL_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
_TIMESTAMP_RE = r"^\d{4}-\d{2}-\d{2}([ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?)?$"

_EXPECTED: dict[ColumnType, str] = {
    "integer": "a whole number",
    "decimal": "a number with '.' as decimal separator",
    "date": "a date as YYYY-MM-DD",
    "timestamp": "a timestamp as YYYY-MM-DD HH:MM:SS",
}


@dataclass(frozen=True)
class DeliveredFile:
    entity: Entity
    path: Path
    relpath: str

    @property
    def format(self) -> str:
        return self.path.suffix.lower().lstrip(".")

    def sha256(self) -> str:
        return file_sha256(self.path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(data_dir: Path) -> tuple[dict[str, list[DeliveredFile]], list[Problem]]:
    """The files delivered for each entity: ``<name>.csv``, ``<name>.parquet`` or a folder ``<name>/``."""
    found: dict[str, list[DeliveredFile]] = {}
    problems: list[Problem] = []
    if not data_dir.is_dir():
        return found, [Problem(str(data_dir), "delivery folder does not exist")]
    for entity in ENTITIES:
        singles = [data_dir / f"{entity.name}{s}" for s in DATA_FILE_SUFFIXES]
        singles = [p for p in singles if p.is_file()]
        folder = data_dir / entity.name
        in_folder = (
            sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DATA_FILE_SUFFIXES)
            if folder.is_dir()
            else []
        )
        paths = singles + in_folder
        if len(singles) > 1 or (singles and in_folder):
            problems.append(
                Problem(
                    entity.name,
                    "delivered more than once ("
                    + ", ".join(p.relative_to(data_dir).as_posix() for p in paths)
                    + "): deliver one file or one folder",
                )
            )
        elif not paths and entity.required:
            problems.append(
                Problem(
                    f"{entity.name}.csv",
                    f"required extract is missing: deliver {entity.name}.csv, {entity.name}.parquet "
                    f"or a folder {entity.name}/ in {data_dir}",
                )
            )
        found[entity.name] = [DeliveredFile(entity, p, p.relative_to(data_dir).as_posix()) for p in paths]
    return found, problems


def read_extract(delivered: DeliveredFile) -> tuple[pa.Table | None, list[Problem]]:
    """The file as a table with the contract's columns (in order) plus ``_source_row``.

    Returns ``(None, problems)`` when the file does not match the contract.
    """
    reader = _read_csv_as_text if delivered.format == "csv" else _read_parquet
    try:
        raw, problems = reader(delivered)
    except (OSError, pa.ArrowException) as exc:
        return None, [Problem(delivered.relpath, f"cannot be read as {delivered.format.upper()}: {exc}")]
    if raw is None:
        return None, problems
    columns, problems = _match_columns(delivered, raw.column_names)
    is_csv = delivered.format == "csv"
    typed: list[pa.ChunkedArray] = []
    for column in delivered.entity.columns:
        source = columns.get(column.name)
        if source is None:
            typed.append(pa.chunked_array([pa.nulls(raw.num_rows, ARROW_TYPES[column.type])]))
            continue
        values, column_problems = _convert(raw.column(source), column, delivered.relpath, is_csv)
        problems.extend(column_problems)
        typed.append(values)
    if problems:
        return None, problems
    typed.append(pa.chunked_array([pa.array(range(1, raw.num_rows + 1), pa.int64())]))
    names = [*delivered.entity.column_names, "_source_row"]
    return pa.Table.from_arrays(typed, names=names), []


def _match_columns(delivered: DeliveredFile, header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Map contract column names to the positions of the file's headers (case and spaces ignored)."""
    by_key: dict[str, int] = {}
    problems: list[Problem] = []
    for index, name in enumerate(header):
        key = name.strip().lower()
        if key in by_key:
            problems.append(Problem(delivered.relpath, "column appears twice in the header", column=name))
        by_key.setdefault(key, index)
    mapping: dict[str, int] = {}
    for column in delivered.entity.columns:
        source = by_key.get(column.name)
        if source is not None:
            mapping[column.name] = source
        elif column.required:
            problems.append(
                Problem(
                    delivered.relpath,
                    f"required column is missing (the header has: {', '.join(header)})",
                    column=column.name,
                    line=1 if delivered.format == "csv" else None,
                )
            )
    return mapping, problems


def _read_parquet(delivered: DeliveredFile) -> tuple[pa.Table, list[Problem]]:
    return pq.read_table(delivered.path), []


def _read_csv_as_text(delivered: DeliveredFile) -> tuple[pa.Table | None, list[Problem]]:
    """Every column as text; conversion to the contract's types happens column by column later."""
    header = _csv_header(delivered.path)
    if header is None:
        return None, [Problem(delivered.relpath, "file is empty: a header line is required", line=1)]
    bad_rows: list[pv.InvalidRow] = []

    def keep_bad_row(row: pv.InvalidRow) -> str:
        bad_rows.append(row)
        return "skip"

    try:
        table = pv.read_csv(
            delivered.path,
            read_options=pv.ReadOptions(block_size=1 << 24),
            parse_options=pv.ParseOptions(invalid_row_handler=keep_bad_row),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        table = None
    if table is None or bad_rows:
        return None, _diagnose_csv(delivered) or [
            Problem(delivered.relpath, "is not a well-formed UTF-8 CSV file")
        ]
    return table, []


def _csv_header(path: Path) -> list[str] | None:
    with path.open("rb") as fh:
        first = fh.readline()
    if not first.strip():
        return None
    text = first.decode("utf-8-sig", errors="replace")
    return next(csv.reader(io.StringIO(text)))


def _diagnose_csv(delivered: DeliveredFile) -> list[Problem]:
    """Slow path, only for a file that failed to parse: find the lines and fields that are wrong."""
    problems: list[Problem] = []
    with delivered.path.open("rb") as fh:
        lines = iter(fh)
        header_bytes = next(lines)
        header = next(csv.reader([header_bytes.decode("utf-8-sig", errors="replace")]))
        for line_no, raw_line in enumerate(lines, start=2):
            if len(problems) >= MAX_ROWS_SHOWN:
                break
            try:
                text = raw_line.decode("utf-8")
            except UnicodeDecodeError:
                # latin-1 maps bytes 1:1, so the fields split as they would in UTF-8
                fields = next(csv.reader([raw_line.decode("latin-1")]))
                bad = [i for i, f in enumerate(fields) if not _utf8(f.encode("latin-1"))]
                column = (header[bad[0]] if bad[0] < len(header) else f"#{bad[0] + 1}") if bad else None
                problems.append(
                    Problem(
                        delivered.relpath,
                        "bytes that are not UTF-8: save the file as UTF-8",
                        line=line_no,
                        row=line_no - 1,
                        column=column,
                    )
                )
                continue
            if not text.strip():
                continue
            fields = next(csv.reader([text]))
            if len(fields) != len(header):
                problems.append(
                    Problem(
                        delivered.relpath,
                        f"has {len(fields)} fields where the header has {len(header)}",
                        line=line_no,
                        row=line_no - 1,
                    )
                )
    return problems


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _convert(
    values: pa.ChunkedArray, column: Column, relpath: str, is_csv: bool
) -> tuple[pa.ChunkedArray, list[Problem]]:
    """Cast one column to its contract type, listing the rows whose values do not fit."""
    target = ARROW_TYPES[column.type]
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        text = pc.utf8_trim_whitespace(values)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, values.type), text)
        converted, bad = _parse_text(text, column.type)
    else:
        converted, bad = _cast_native(values, column.type)
        if converted is None:
            return pa.chunked_array([pa.nulls(len(values), target)]), [
                Problem(
                    relpath,
                    f"has type {values.type}, which cannot hold {_EXPECTED.get(column.type, 'text')}",
                    column=column.name,
                )
            ]
    problems = _row_problems(relpath, column, values, bad, is_csv, "is not " + _EXPECTED.get(column.type, ""))
    if column.required:
        missing = pc.and_(pc.is_null(converted), pc.invert(bad)) if bad is not None else pc.is_null(converted)
        problems += _row_problems(
            relpath, column, values, missing, is_csv, "is empty but the column is required"
        )
    return pa.chunked_array([converted]), problems


def _parse_text(text: pa.Array, type_: ColumnType) -> tuple[pa.Array, pa.Array | None]:
    """Parse text into ``type_``; the mask marks non-empty values that could not be parsed."""
    if type_ == "string":
        return text, None
    pattern = {"integer": _INTEGER_RE, "decimal": _DECIMAL_RE, "date": _DATE_RE, "timestamp": _TIMESTAMP_RE}[
        type_
    ]
    ok = pc.fill_null(pc.match_substring_regex(text, pattern), True)
    if type_ in ("date", "timestamp"):
        day = pc.utf8_slice_codeunits(text, 0, 10)
        parsed_day = pc.strptime(day, "%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2025-02-30 over to 2025-03-01: a real date formats back to itself.
        same = pc.equal(pc.strftime(parsed_day, "%Y-%m-%d"), day)
        ok = pc.and_(ok, pc.fill_null(same, False))
        ok = pc.or_(ok, pc.is_null(text))
    clean = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    if type_ == "integer":
        converted = pc.cast(clean, pa.int64())
    elif type_ == "decimal":
        converted = pc.cast(pc.round(pc.cast(clean, pa.decimal128(38, 10)), 4), ARROW_TYPES["decimal"])
    elif type_ == "date":
        converted = pc.cast(pc.strptime(clean, "%Y-%m-%d", unit="s"), pa.date32())
    else:
        converted = pc.cast(pc.replace_substring(clean, "T", " "), pa.timestamp("us"))
    return converted, pc.invert(ok)


def _cast_native(values: pa.Array, type_: ColumnType) -> tuple[pa.Array | None, pa.Array | None]:
    """Cast a typed (Parquet) column; ``None`` when its type cannot hold the contract's type at all."""
    source = values.type
    numeric = pa.types.is_integer(source) or pa.types.is_floating(source) or pa.types.is_decimal(source)
    temporal = pa.types.is_date(source) or pa.types.is_timestamp(source)
    if type_ == "string":
        return pc.cast(values, pa.string()), None
    if type_ == "integer" and numeric:
        whole = pc.equal(pc.cast(values, pa.float64()), pc.floor(pc.cast(values, pa.float64())))
        bad = pc.invert(pc.fill_null(whole, True))
        return pc.cast(pc.if_else(bad, pa.scalar(None, source), values), pa.int64(), safe=False), bad
    if type_ == "decimal" and numeric:
        if pa.types.is_floating(source):
            bad = pc.invert(pc.fill_null(pc.is_finite(values), True))
            finite = pc.if_else(bad, pa.scalar(None, source), values)
            return pc.cast(pc.round(finite, 4), ARROW_TYPES["decimal"], safe=False), bad
        if pa.types.is_decimal(source) and source.scale > 4:
            values = pc.round(values, 4)
        return pc.cast(values, ARROW_TYPES["decimal"]), None
    if type_ in ("date", "timestamp") and temporal:
        if type_ == "date" and pa.types.is_timestamp(source):
            midnight = pc.equal(pc.cast(pc.cast(values, pa.date32()), source), values)
            bad = pc.invert(pc.fill_null(midnight, True))
            return pc.cast(values, pa.date32(), safe=False), bad
        return pc.cast(values, ARROW_TYPES[type_]), None
    return None, None


def _row_problems(
    relpath: str, column: Column, values: pa.Array, mask: pa.Array | None, is_csv: bool, message: str
) -> list[Problem]:
    if mask is None:
        return []
    rows = pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()
    problems = []
    for index in rows[:MAX_ROWS_SHOWN]:
        shown = values[index].as_py()
        problems.append(
            Problem(
                relpath,
                f"{shown!r} {message}" if shown is not None else message,
                row=index + 1,
                line=index + 2 if is_csv else None,
                column=column.name,
            )
        )
    if len(rows) > MAX_ROWS_SHOWN:
        problems.append(
            Problem(relpath, f"... {len(rows) - MAX_ROWS_SHOWN} more rows: {message}", column=column.name)
        )
    return problems
