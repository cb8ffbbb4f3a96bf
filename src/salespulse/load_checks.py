"""Checks across the rows of a delivered file that the column checks cannot make.

- Business keys: a snapshot file (customers, products, ...) lists each key once; an order-lines
  file lists each version of a line (order, line, last change) once. A repeated key is refused
  naming both rows, rather than one row silently replacing the other downstream.
- Shrinking snapshots: a snapshot replaces its table whole, so a file that arrives empty (a header
  only) or with far fewer rows than the snapshot in the warehouse would quietly move every sale to
  "Unknown". Such a file is refused unless the user says the shrink is real (``accept_shrink``).
"""

from __future__ import annotations

from collections.abc import Collection

import pyarrow as pa
import pyarrow.compute as pc

from salespulse.contract import Entity
from salespulse.errors import Problem

#: A snapshot that would keep fewer than this share of the rows now in the warehouse is refused.
SHRINK_SHARE = 0.5
MAX_SHOWN = 10
ACCEPT_FLAG = "--accept-shrink"


def duplicate_key_problems(table: pa.Table, entity: Entity, relpath: str) -> list[Problem]:
    """One problem per business key that appears on more than one row of the file."""
    keys = list(entity.primary_key)
    if table.num_rows < 2:
        return []
    counted = (
        table.select([*keys, "_source_row"])
        .group_by(keys)
        .aggregate([("_source_row", "min"), ("_source_row", "max"), ("_source_row", "count")])
    )
    repeated = counted.filter(pc.greater(counted["_source_row_count"], 1)).sort_by("_source_row_min")
    rule = f"each {' + '.join(keys)} may appear only once in a {entity.name} file"
    problems = []
    for row in repeated.slice(0, MAX_SHOWN).to_pylist():
        key = ", ".join(f"{k} {row[k]}" for k in keys)
        count, first, last = row["_source_row_count"], row["_source_row_min"], row["_source_row_max"]
        where = (
            f"rows {first} and {last}" if count == 2 else f"{count} rows, first row {first}, last row {last}"
        )
        problems.append(Problem(relpath, f"{key} is on {where}; {rule}", row=last, column=keys[0]))
    if repeated.num_rows > MAX_SHOWN:
        problems.append(
            Problem(relpath, f"... and {repeated.num_rows - MAX_SHOWN} more repeated keys; {rule}")
        )
    return problems


def shrink_problems(
    table: str, files: dict[str, int], current_rows: int, accept_shrink: Collection[str]
) -> list[Problem]:
    """Refuse an empty snapshot file, or a snapshot that would lose most of the table's rows.

    ``files``: the snapshot's files and their data rows; ``current_rows``: rows in raw now.
    """
    if table in accept_shrink:
        return []
    how = f"if the {table} snapshot really is this small, load with `salespulse load {ACCEPT_FLAG} {table}`"
    empty = [name for name, rows in files.items() if rows == 0]
    if empty:
        return [
            Problem(
                name,
                f"has no data rows (only a header); landing it would empty raw.{table} "
                f"({current_rows:,} rows now); {how}",
            )
            for name in empty
        ]
    delivered = sum(files.values())
    if current_rows and delivered < SHRINK_SHARE * current_rows:
        first = next(iter(files))
        return [
            Problem(
                first,
                f"the {table} snapshot would shrink from {current_rows:,} rows to {delivered:,} "
                f"(under {SHRINK_SHARE:.0%} of the rows landed before); a partial export? {how}",
            )
        ]
    return []
