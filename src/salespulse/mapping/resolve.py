"""One contract column's text from an export file: pick, join, translate, look up, default.

The order is fixed and documented: source column(s) (joined with ``join``, empty parts left
out) or a constant, then ``map`` (value translation, case-insensitive), then each ``lookup``
step (a two-column table of another file, e.g. city -> country), then ``default`` for whatever
is still empty or was not found in the lookup.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salespulse.errors import Problem
from salespulse.mapping.sources import SourceFile, read_source
from salespulse.mapping.spec import ColumnSpec, CsvOptions, LookupStep
from salespulse.mapping.values import rows_problem


class Lookups:
    """Lookup tables, each read once: ``key -> value`` (keys compared without case and spaces)."""

    def __init__(self, source_dir: Path, mapping_dir: Path, options: CsvOptions) -> None:
        self.dirs = (source_dir, mapping_dir)
        self.options = options
        self.tables: dict[tuple[str, str, str], dict[str, str] | None] = {}
        self.problems: list[Problem] = []

    def _path(self, name: str) -> Path | None:
        found = list(dict.fromkeys(d / name for d in self.dirs if (d / name).is_file()))
        if len(found) > 1:
            self.problems.append(
                Problem(
                    name,
                    "lookup file is in both the export folder and the mapping's folder "
                    f"({found[0]}, {found[1]})",
                )
            )
            return None
        if not found:
            self.problems.append(
                Problem(name, f"lookup file not found in {self.dirs[0]} nor in {self.dirs[1]}")
            )
            return None
        return found[0]

    def table(self, step: LookupStep) -> dict[str, str] | None:
        key = (step.file, step.key, step.value)
        if key not in self.tables:
            self.tables[key] = self._read(step)
        return self.tables[key]

    def _read(self, step: LookupStep) -> dict[str, str] | None:
        path = self._path(step.file)
        if path is None:
            return None
        source, problems = read_source(path, path.parent, self.options)
        self.problems += problems
        if source is None:
            return None
        columns = [source.column(step.key), source.column(step.value)]
        if None in columns:
            header = ", ".join(map(str, source.frame.columns))
            missing = step.key if columns[0] is None else step.value
            self.problems.append(
                Problem(
                    source.relpath, f"lookup column is missing (the header has: {header})", column=missing
                )
            )
            return None
        table: dict[str, str] = {}
        keys = source.frame[columns[0]].str.casefold()
        for index, (k, v) in enumerate(zip(keys, source.frame[columns[1]], strict=True)):
            if k in table and table[k] != v:
                self.problems.append(
                    source.where(
                        index,
                        columns[0],
                        f"{k!r} appears twice with different {step.value} ({table[k]!r}, {v!r})",
                    )
                )
            table[k] = v
        return table


def column_text(
    spec: ColumnSpec, source: SourceFile, lookups: Lookups
) -> tuple[pd.Series | None, str, list[Problem]]:
    """The column's text per row of ``source`` (``None`` on problems) and how problems name it."""
    frame = source.frame
    if spec.constant is not None:
        text = pd.Series([spec.constant] * len(frame), dtype=object)
        shown = spec.target
    else:
        headers = [source.column(name) for name in spec.sources]
        missing = [name for name, header in zip(spec.sources, headers, strict=True) if header is None]
        if missing:
            header = ", ".join(map(str, frame.columns))
            return (
                None,
                missing[0],
                [
                    Problem(
                        source.relpath,
                        f"export column is missing (the header has: {header})",
                        column=name,
                        line=1 if source.first_line else None,
                    )
                    for name in missing
                ],
            )
        parts = [frame[h].reset_index(drop=True) for h in headers]
        if len(parts) == 1:
            text = parts[0]
        else:
            text = pd.Series(
                [spec.join.join(p for p in row if p) for row in zip(*parts, strict=True)], dtype=object
            )
        shown = str(headers[0]) if len(headers) == 1 else " + ".join(map(str, headers))
    if spec.value_map:
        text = text.map(lambda v: spec.value_map.get(v.casefold(), v))
    problems: list[Problem] = []
    for step in spec.lookup:
        table = lookups.table(step)
        if table is None:
            return None, shown, []  # the lookup's own problem is in lookups.problems
        found = text.map(lambda v, t=table: t.get(v.casefold()) if v else "")
        unknown = found.isna().to_numpy()
        if unknown.any() and spec.default is None:
            problems += rows_problem(
                source,
                shown,
                unknown,
                text,
                f"is not in {step.file} (column {step.key}) and {spec.target} has no default",
            )
        text = found.fillna("")
    if spec.default is not None:
        text = text.where(text != "", spec.default)
    return (None if problems else text.astype(object)), shown, problems


def empty_text(rows: int) -> pd.Series:
    return pd.Series(np.full(rows, "", dtype=object))
