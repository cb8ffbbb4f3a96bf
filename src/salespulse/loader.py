"""Land a delivery folder (extracts + budget workbook) in the ``raw`` schema of a target, atomically.

- Every file is checked against the contract; any problem anywhere refuses the whole load and
  leaves the previous raw data as it was (one transaction, rolled back).
- Loading the same files again changes nothing: each landed file is recorded in
  ``raw._load_log`` with its SHA-256, and a file whose content is already landed is skipped.
- Snapshot extracts (customers, products, ...) replace their table when any of their files
  changed. Append extracts (order lines) keep one set of rows per file: a new file is added, a
  re-delivered file replaces its own earlier rows, other files stay.
- Optional extracts that were not delivered still get an empty table, so the dbt models always
  find their sources and fall back to "Unassigned" members.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from salespulse import budget as budget_reader
from salespulse.contract import (
    BUDGET_COLUMNS,
    ENTITIES,
    ENTITY_BY_NAME,
    LOAD_METADATA,
    SQL_TYPES,
    Column,
)
from salespulse.errors import ContractError, Problem
from salespulse.extracts import DeliveredFile, discover, file_sha256, read_extract
from salespulse.load_checks import duplicate_key_problems, shrink_problems
from salespulse.warehouse import Warehouse

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
LOAD_LOG = "_load_log"
BUDGET_TABLE = "budget"

LOAD_LOG_COLUMNS: tuple[Column, ...] = (
    Column("entity", "string", True, "Raw table the file landed in."),
    Column("source_file", "string", True, "File path relative to the delivery folder."),
    Column("sha256", "string", True, "SHA-256 of the file's bytes when it landed."),
    Column("row_count", "integer", True, "Rows landed from the file."),
    Column(
        "last_order_date",
        "date",
        False,
        "Order-lines files: the latest order date among the file's lines that is not after the "
        "line's own last change (so a mistyped future date cannot move it). The build's as-of date "
        "when SALESPULSE_AS_OF is not set.",
    ),
    Column("_loaded_at", "timestamp", True, "When the load that landed the file ran (UTC)."),
)


@dataclass(frozen=True)
class FileOutcome:
    entity: str
    source_file: str
    action: str  # "loaded", "replaced", "unchanged"
    rows: int


@dataclass
class LoadReport:
    target: str
    loaded_at: datetime
    files: list[FileOutcome] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    #: The latest order date of every order-lines file landed (now or before): the as-of date a
    #: build uses when ``SALESPULSE_AS_OF`` is not set.
    last_order_date: date | None = None

    @property
    def changed(self) -> bool:
        return any(f.action != "unchanged" for f in self.files)


@dataclass(frozen=True)
class _Pending:
    """A file to land, read lazily so large extracts are streamed one file at a time."""

    entity: str
    source_file: str
    sha256: str
    read: Callable[[], tuple[pa.Table | None, list[Problem]]]


def load(
    data_dir: Path,
    warehouse: Warehouse,
    *,
    budget_files: Sequence[Path],
    budget_sheet: str | None = None,
    accept_shrink: Collection[str] = (),
) -> LoadReport:
    """Land ``data_dir`` and the budget workbooks in ``raw``; on bad input raise ``ContractError``.

    ``accept_shrink`` names the snapshot extracts that may arrive empty or with fewer than half
    the rows landed before (refused otherwise, see ``salespulse.load_checks``).
    """
    delivered, problems = discover(data_dir)
    if not budget_files:
        problems.append(
            Problem(
                str(data_dir),
                "no budget workbook delivered (looked for budget*.xlsx, SALESPULSE_BUDGET_FILES)",
            )
        )
    for workbook in budget_files:
        if not workbook.is_file():
            problems.append(Problem(workbook.name, f"budget workbook is missing (looked for {workbook})"))
    if problems:
        raise ContractError(problems)

    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    report = LoadReport(target=warehouse.dialect, loaded_at=loaded_at)
    # the workbooks are read together (a month may belong to one only), and only when they must land
    budgets = _BudgetRead(list(budget_files), budget_sheet, lambda: _reference_values(delivered))
    budget_pending = [
        _Pending(BUDGET_TABLE, path.name, file_sha256(path), lambda i=i: budgets.table(i))
        for i, path in enumerate(budget_files)
    ]

    with warehouse.transaction():
        _ensure_tables(warehouse)
        landed = _landed_files(warehouse)
        for entity in ENTITIES:
            pending = [_pending_extract(f) for f in delivered.get(entity.name, [])]
            problems += _land(
                warehouse, entity.name, entity.mode, pending, landed, loaded_at, report, accept_shrink
            )
        problems += _land(warehouse, BUDGET_TABLE, "snapshot", budget_pending, landed, loaded_at, report)
        if problems:
            raise ContractError(problems)
        for name in [*(e.name for e in ENTITIES), BUDGET_TABLE]:
            report.table_rows[name] = warehouse.query(f"select count(*) from {RAW_SCHEMA}.{name}")[0][0]
        report.last_order_date = last_order_date_loaded(warehouse)
    changed = sorted({f.entity for f in report.files if f.action != "unchanged"})
    warehouse.analyze([f"{RAW_SCHEMA}.{name}" for name in changed])
    return report


class _BudgetRead:
    """Every budget workbook read once, on the first request for any of them."""

    def __init__(
        self, paths: list[Path], sheet: str | None, known: Callable[[], dict[str, set[str] | None]]
    ) -> None:
        self._paths, self._sheet, self._known = paths, sheet, known
        self._result: tuple[list[pa.Table] | None, list[Problem]] | None = None

    def table(self, index: int) -> tuple[pa.Table | None, list[Problem]]:
        """The ``index``-th workbook's table; every workbook's problems come with the first call."""
        first = self._result is None
        if self._result is None:
            self._result = _read_budgets(self._paths, self._sheet, self._known())
        tables, problems = self._result
        return (tables[index] if tables else None), (problems if first else [])


def _pending_extract(delivered: DeliveredFile) -> _Pending:
    return _Pending(
        delivered.entity.name, delivered.relpath, delivered.sha256(), lambda: read_extract(delivered)
    )


def _land(
    warehouse: Warehouse,
    table: str,
    mode: str,
    pending: list[_Pending],
    landed: dict[tuple[str, str], str],
    loaded_at: datetime,
    report: LoadReport,
    accept_shrink: Collection[str] = (),
) -> list[Problem]:
    """Land the files of one raw table; return the problems found (the caller rolls back)."""
    before = {f: sha for (t, f), sha in landed.items() if t == table}
    if mode == "snapshot":
        return _land_snapshot(warehouse, table, pending, before, loaded_at, report, accept_shrink)
    todo = [p for p in pending if before.get(p.source_file) != p.sha256]
    same = [p for p in pending if before.get(p.source_file) == p.sha256]
    report.files += [FileOutcome(table, p.source_file, "unchanged", 0) for p in same]
    problems: list[Problem] = []
    for item in todo:
        data, file_problems = _read_checked(item)
        if file_problems or data is None:
            problems += file_problems
            continue
        if problems:
            continue  # keep checking the remaining files, but write nothing more
        action = "replaced" if item.source_file in before else "loaded"
        if action == "replaced":
            warehouse.execute(f"delete from {RAW_SCHEMA}.{table} where _source_file = ?", [item.source_file])
            warehouse.execute(
                f"delete from {RAW_SCHEMA}.{LOAD_LOG} where entity = ? and source_file = ?",
                [table, item.source_file],
            )
        _append(warehouse, table, item, data, loaded_at, report, action)
    return problems


def _land_snapshot(
    warehouse: Warehouse,
    table: str,
    pending: list[_Pending],
    before: dict[str, str],
    loaded_at: datetime,
    report: LoadReport,
    accept_shrink: Collection[str],
) -> list[Problem]:
    """A snapshot replaces its table whole when any of its files changed; every file is read and
    checked before the old rows go."""
    if {p.source_file: p.sha256 for p in pending} == before:
        report.files += [FileOutcome(table, p.source_file, "unchanged", 0) for p in pending]
        return []
    problems: list[Problem] = []
    read: list[tuple[_Pending, pa.Table]] = []
    for item in pending:
        data, file_problems = _read_checked(item)
        problems += file_problems
        if data is not None and not file_problems:
            read.append((item, data))
    if problems:
        return problems
    if table != BUDGET_TABLE:  # the budget reader has its own completeness rules
        current = warehouse.query(f"select count(*) from {RAW_SCHEMA}.{table}")[0][0]
        problems = shrink_problems(
            table, {item.source_file: data.num_rows for item, data in read}, current, accept_shrink
        )
        if problems:
            return problems
    warehouse.execute(f"delete from {RAW_SCHEMA}.{table}")
    warehouse.execute(f"delete from {RAW_SCHEMA}.{LOAD_LOG} where entity = ?", [table])
    for item, data in read:
        action = "replaced" if item.source_file in before else "loaded"
        _append(warehouse, table, item, data, loaded_at, report, action)
    return []


def _read_checked(item: _Pending) -> tuple[pa.Table | None, list[Problem]]:
    """Read one pending file; an extract's repeated business keys are problems too."""
    data, problems = item.read()
    entity = ENTITY_BY_NAME.get(item.entity)
    if data is not None and not problems and entity is not None:
        problems = duplicate_key_problems(data, entity, item.source_file)
    return (None if problems else data), problems


def _append(
    warehouse: Warehouse,
    table: str,
    item: _Pending,
    data: pa.Table,
    loaded_at: datetime,
    report: LoadReport,
    action: str,
) -> None:
    warehouse.append(f"{RAW_SCHEMA}.{table}", _with_metadata(data, item.source_file, loaded_at))
    warehouse.append(
        f"{RAW_SCHEMA}.{LOAD_LOG}",
        pa.table(
            {
                "entity": [table],
                "source_file": [item.source_file],
                "sha256": [item.sha256],
                "row_count": pa.array([data.num_rows], pa.int64()),
                "last_order_date": pa.array([_last_order_date(data)], pa.date32()),
                "_loaded_at": pa.array([loaded_at], pa.timestamp("us")),
            }
        ),
    )
    report.files.append(FileOutcome(table, item.source_file, action, data.num_rows))


def _last_order_date(data: pa.Table) -> date | None:
    """The latest order date of a file's lines that is not after the line's own last change."""
    if "order_date" not in data.column_names or "last_modified_at" not in data.column_names:
        return None
    order_date = data.column("order_date")
    changed = pc.cast(data.column("last_modified_at"), pa.date32())
    plausible = pc.filter(order_date, pc.less_equal(order_date, changed))
    latest = pc.max(plausible).as_py()
    return latest if isinstance(latest, date) else None


def last_order_date_loaded(warehouse: Warehouse) -> date | None:
    """The latest order date over every order-lines file in ``raw`` (``None`` before a load)."""
    if not warehouse.table_columns(RAW_SCHEMA, LOAD_LOG):
        return None
    rows = warehouse.query(
        f"select max(last_order_date) from {RAW_SCHEMA}.{LOAD_LOG} where entity = 'order_lines'"
    )
    value = rows[0][0] if rows else None
    return value if isinstance(value, date) else None


def _with_metadata(data: pa.Table, source_file: str, loaded_at: datetime) -> pa.Table:
    rows = data.num_rows
    data = data.append_column("_source_file", pa.array([source_file] * rows, pa.string()))
    return data.append_column("_loaded_at", pa.array([loaded_at] * rows, pa.timestamp("us")))


def _read_budgets(
    paths: list[Path], sheet: str | None, known: dict[str, set[str] | None]
) -> tuple[list[pa.Table] | None, list[Problem]]:
    try:
        tables = budget_reader.read_budgets(
            paths,
            sheet=sheet,
            categories=known["categories"],
            territories=known["territories"],
            sales_reps=known["sales_reps"],
        )
    except ContractError as exc:
        return None, exc.problems
    return tables, []


def _reference_values(delivered: dict[str, list[DeliveredFile]]) -> dict[str, set[str] | None]:
    """Categories, territories and reps the budget may name, from this delivery's own extracts.

    A reference extract that was not delivered (or does not read) gives an empty set for the
    optional ones, so a budget naming territories without a territories extract is refused with a
    message saying which values are unknown; categories are always checked against products.
    """

    def values(entity: str, column: str) -> set[str]:
        found: set[str] = set()
        for item in delivered.get(entity, []):
            table, _ = read_extract(item)
            if table is not None:
                found.update(v for v in pc.unique(table.column(column)).to_pylist() if v is not None)
        return found

    return {
        "categories": values("products", "category"),
        "territories": values("territories", "territory_code"),
        "sales_reps": values("sales_reps", "employee_id"),
    }


def _table_ddl(dialect: str, table: str, columns: tuple[Column, ...]) -> str:
    types = SQL_TYPES[dialect]
    body = ",\n  ".join(f'"{c.name}" {types[c.type]}{" not null" if c.required else ""}' for c in columns)
    return f"create table {RAW_SCHEMA}.{table} (\n  {body}\n)"


def raw_tables() -> dict[str, tuple[Column, ...]]:
    """Every raw table the loader maintains, with its columns (contract columns + load metadata)."""
    tables: dict[str, tuple[Column, ...]] = {LOAD_LOG: LOAD_LOG_COLUMNS}
    for entity in ENTITIES:
        optional = tuple(Column(c.name, c.type, False, c.description) for c in entity.columns)
        # Required-ness is enforced by the loader per file; the table itself stays permissive so an
        # optional extract's empty table and older deliveries fit.
        tables[entity.name] = optional + LOAD_METADATA
    source_row = Column("_source_row", "integer", True, "Excel row number of the row in its sheet.")
    others = tuple(c for c in LOAD_METADATA if c.name != "_source_row")
    tables[BUDGET_TABLE] = (*BUDGET_COLUMNS, source_row, *others)
    return tables


def _ensure_tables(warehouse: Warehouse) -> None:
    """Create ``raw`` and its tables; rebuild a table whose columns no longer match the contract."""
    warehouse.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table, columns in raw_tables().items():
        existing = warehouse.table_columns(RAW_SCHEMA, table)
        wanted = [c.name for c in columns]
        if existing == wanted:
            continue
        if existing:
            log.warning("raw.%s has columns %s; recreating it for the current contract", table, existing)
            warehouse.execute(f"drop table {RAW_SCHEMA}.{table}")
            warehouse.execute(f"delete from {RAW_SCHEMA}.{LOAD_LOG} where entity = ?", [table])
        warehouse.execute(_table_ddl(warehouse.dialect, table, columns))


def _landed_files(warehouse: Warehouse) -> dict[tuple[str, str], str]:
    rows = warehouse.query(f"select entity, source_file, sha256 from {RAW_SCHEMA}.{LOAD_LOG}")
    return {(entity, source_file): sha for entity, source_file, sha in rows}
