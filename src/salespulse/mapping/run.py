"""Map a folder of exports into a delivery folder, all or nothing.

Every export is read and converted in memory and every problem is collected first; only when
there are none are the contract files written, into a temporary folder next to ``--out``, checked
with the loader's own reader (``extracts.read_extract``), and then moved into place with a
rename. A failed run leaves ``--out`` as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa

from salespulse.contract import Entity
from salespulse.errors import Problem
from salespulse.extracts import ARROW_TYPES, discover, read_extract
from salespulse.generator.tables import csv_bytes, write_parquet
from salespulse.mapping.resolve import Lookups, column_text
from salespulse.mapping.rules import DERIVED, fill_order_lines
from salespulse.mapping.sources import SourceFile, find_files, read_source
from salespulse.mapping.spec import ColumnSpec, EntitySpec, Mapping, load_mapping
from salespulse.mapping.values import convert
from salespulse.settings import DEFAULT_BUDGET_FILES

OutputFormat = Literal["csv", "parquet"]


class MappingError(Exception):
    """The exports (or the mapping) cannot be turned into contract files. Nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s); nothing was written:\n{shown}{more}")


@dataclass
class MapReport:
    out_dir: Path
    #: Rows written per output file, relative to ``out_dir``.
    files: dict[str, int] = field(default_factory=dict)
    #: The rules the mapping applied (what it filled in, and how).
    notes: list[str] = field(default_factory=list)


@dataclass
class _Mapped:
    """One entity's converted rows, with the export file and row each came from."""

    spec: EntitySpec
    sources: list[SourceFile]
    columns: dict[str, pa.Array | None]
    files: np.ndarray
    rows: np.ndarray


def _column_spec(spec: EntitySpec, name: str, source: SourceFile) -> ColumnSpec | None:
    """The mapping's rule for ``name``, else the export column of the same name, if any."""
    if name in spec.columns:
        return spec.columns[name]
    header = source.column(name)
    return ColumnSpec(name, sources=(header,)) if header is not None else None


def _map_file(
    spec: EntitySpec, source: SourceFile, lookups: Lookups
) -> tuple[dict[str, pa.Array | None], list[Problem]]:
    entity = spec.entity
    columns: dict[str, pa.Array | None] = {}
    problems: list[Problem] = []
    rows = len(source.frame)
    for column in entity.columns:
        rule = _column_spec(spec, column.name, source)
        if rule is None:
            derived = entity.name == "order_lines" and column.name in DERIVED
            if column.required and not derived:
                header = ", ".join(map(str, source.frame.columns))
                problems.append(
                    Problem(
                        source.relpath,
                        f"{entity.name}.{column.name} is required and has no source: map it to an export "
                        f"column or a value (the header has: {header})",
                        column=column.name,
                    )
                )
            columns[column.name] = None if derived else pa.nulls(rows, ARROW_TYPES[column.type])
            continue
        text, shown, found = column_text(rule, source, lookups)
        problems += found
        if text is None:
            columns[column.name] = pa.nulls(rows, ARROW_TYPES[column.type])
            continue
        values, found = convert(text, column, source, shown, rule.format, spec.csv.decimal)
        problems += found
        columns[column.name] = values
    return columns, problems


def _map_entity(
    spec: EntitySpec, source_dir: Path, lookups: Lookups
) -> tuple[_Mapped | None, list[str], list[Problem]]:
    paths = find_files(source_dir, spec.files)
    if not paths:
        return (
            None,
            [],
            [Problem(", ".join(spec.files), f"no export file for {spec.entity.name} in {source_dir}")],
        )
    problems: list[Problem] = []
    sources: list[SourceFile] = []
    parts: list[dict[str, pa.Array | None]] = []
    for path in paths:
        source, found = read_source(path, source_dir, spec.csv)
        problems += found
        if source is None:
            continue
        columns, found = _map_file(spec, source, lookups)
        problems += found
        sources.append(source)
        parts.append(columns)
    if problems:
        return None, [], problems
    names = spec.entity.column_names
    delivered = {n: any(p[n] is not None for p in parts) for n in names}
    columns = {
        n: pa.concat_arrays([p[n] for p in parts])
        if delivered[n] and all(p[n] is not None for p in parts)
        else None
        for n in names
    }
    inconsistent = [n for n in names if delivered[n] and columns[n] is None]
    if inconsistent:
        return (
            None,
            [],
            [
                Problem(
                    ", ".join(s.relpath for s in sources),
                    f"some files have {', '.join(inconsistent)} and some do not",
                )
            ],
        )
    files = np.concatenate([np.full(len(s.frame), i) for i, s in enumerate(sources)])
    rows = np.concatenate([np.arange(len(s.frame)) for s in sources])
    notes: list[str] = []
    if spec.entity.name == "order_lines":
        columns, notes, problems = fill_order_lines(columns, files, rows, sources, spec.line_sort)
    mapped = _Mapped(spec, sources, columns, files, rows)
    if spec.entity.mode == "snapshot":
        problems += _duplicate_keys(mapped)
    return (None if problems else mapped), [f"{spec.entity.name}.{n}" for n in notes], problems


def _duplicate_keys(mapped: _Mapped) -> list[Problem]:
    """Two rows with the same business key in a snapshot: name both (the loader would refuse them)."""
    keys = list(zip(*(mapped.columns[k].to_pylist() for k in mapped.spec.entity.primary_key), strict=True))  # type: ignore[union-attr]
    first: dict[tuple[object, ...], int] = {}
    problems = []
    for index, key in enumerate(keys):
        if key in first:
            earlier = first[key]
            other = mapped.sources[mapped.files[earlier]]
            problems.append(
                mapped.sources[mapped.files[index]].where(
                    int(mapped.rows[index]),
                    None,
                    f"{mapped.spec.entity.name} key {', '.join(map(str, key))} appears twice "
                    f"(also {other.relpath} row {int(mapped.rows[earlier]) + 1})",
                )
            )
        else:
            first[key] = index
        if len(problems) >= 20:
            break
    return problems


def _table(entity: Entity, columns: dict[str, pa.Array | None], take: np.ndarray | None = None) -> pa.Table:
    arrays = [columns[n] for n in entity.column_names]
    table = pa.Table.from_arrays(arrays, names=entity.column_names)  # type: ignore[arg-type]
    return table if take is None else table.take(pa.array(take))


def _write(table: pa.Table, path: Path, fmt: OutputFormat) -> str:
    path = path.with_suffix(f".{fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        path.write_bytes(csv_bytes(table))
    else:
        write_parquet(table, path)
    return path.name


def _write_entity(mapped: _Mapped, out: Path, fmt: OutputFormat) -> dict[str, int]:
    """Snapshots: one ``<entity>`` file. Order lines: one file per export file, in ``order_lines/``."""
    entity = mapped.spec.entity
    written: dict[str, int] = {}
    if entity.mode == "snapshot":
        name = _write(_table(entity, mapped.columns), out / entity.name, fmt)
        written[name] = len(mapped.files)
        return written
    for index, source in enumerate(mapped.sources):
        take = np.flatnonzero(mapped.files == index)
        stem = Path(source.relpath).with_suffix("").as_posix().replace("/", "_")
        name = _write(_table(entity, mapped.columns, take), out / entity.name / stem, fmt)
        written[f"{entity.name}/{name}"] = len(take)
    return written


def _copy_budgets(
    mapping: Mapping, source_dir: Path, out: Path
) -> tuple[dict[str, int], list[str], list[Problem]]:
    copied: dict[str, int] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    for budget in mapping.budgets:
        paths = find_files(source_dir, (budget.pattern,))
        if not paths:
            problems.append(Problem(budget.pattern, f"no budget workbook matches in {source_dir}"))
        if budget.rename_to and len(paths) > 1:
            problems.append(
                Problem(
                    budget.pattern, f"'as: {budget.rename_to}' needs exactly one workbook, found {len(paths)}"
                )
            )
            continue
        for path in paths:
            name = budget.rename_to or path.name
            if name in copied:
                problems.append(Problem(name, "two budget workbooks would get the same name"))
            shutil.copyfile(path, out / name)
            copied[name] = 0
            if not fnmatch(name, DEFAULT_BUDGET_FILES):
                notes.append(
                    f"budget {name}: not matched by {DEFAULT_BUDGET_FILES}, set SALESPULSE_BUDGET_FILES"
                )
    return copied, notes, problems


def _publish(staging: Path, out: Path, replace: bool) -> None:
    """Move ``staging`` to ``out`` with renames; an existing ``out`` is swapped out only if ``replace``."""
    if not out.exists():
        os.replace(staging, out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old)


def map_exports(
    mapping_path: Path, source_dir: Path, out_dir: Path, *, fmt: OutputFormat = "csv", replace: bool = False
) -> MapReport:
    """Turn the exports in ``source_dir`` into a delivery folder ``out_dir`` (see the module docstring).

    Raises :class:`MappingError` listing every problem; then nothing was written.
    """
    mapping, problems = load_mapping(mapping_path)
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    if not source_dir.is_dir():
        problems.append(Problem(str(source_dir), "export folder does not exist"))
    if out_dir.exists() and not replace:
        problems.append(Problem(str(out_dir), "delivery folder exists: pass --replace to replace it"))
    if mapping is None or problems:
        raise MappingError(problems)
    lookups = Lookups(source_dir, mapping.path.resolve().parent, mapping.csv)
    report = MapReport(out_dir)
    mapped: list[_Mapped] = []
    for spec in mapping.entities.values():
        result, notes, found = _map_entity(spec, source_dir, lookups)
        problems += found
        report.notes += notes
        if result is not None:
            mapped.append(result)
    problems += lookups.problems
    if problems:
        raise MappingError(problems)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.mapping-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    try:
        for result in mapped:
            report.files.update(_write_entity(result, staging, fmt))
        copied, notes, problems = _copy_budgets(mapping, source_dir, staging)
        report.files.update(copied)
        report.notes += notes
        problems += _check_delivery(staging)
        if problems:
            raise MappingError(problems)
        _publish(staging, out_dir, replace)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return report


def _check_delivery(folder: Path) -> list[Problem]:
    """The written files read back with the loader's reader: what the mapping wrote, ``salespulse
    load`` accepts (a safety net: a problem here is a mapping bug, reported, never published)."""
    found, problems = discover(folder)
    for files in found.values():
        for delivered in files:
            problems += read_extract(delivered)[1]
    return problems
