"""Read export files (CSV, Parquet, Excel) as text, keeping where every value came from.

Every cell is read as text so that nothing is guessed (pandas would turn ``00042`` into 42 and
``20250131`` into a float); the converters in ``values.py`` parse text the same way whatever the
file format was. Each row keeps its file and its row number (1 = first data row), which is what
every problem names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from salespulse.errors import Problem
from salespulse.mapping.spec import CsvOptions

SUFFIXES = (".csv", ".txt", ".parquet", ".xlsx")


@dataclass(frozen=True)
class SourceFile:
    """One export file read as text: ``frame`` holds its columns (``""`` for empty cells)."""

    relpath: str
    frame: pd.DataFrame
    #: CSV only: the file line of data row 1 (the header is line 1).
    first_line: int | None

    def column(self, name: str) -> str | None:
        """The header that ``name`` means: the exact name, else one differing only in case/spaces."""
        if name in self.frame.columns:
            return name
        wanted = name.strip().casefold()
        matches = [c for c in self.frame.columns if str(c).strip().casefold() == wanted]
        return matches[0] if len(matches) == 1 else None

    def where(self, index: int, column: str | None = None, message: str = "") -> Problem:
        """A problem at data row ``index`` (0-based) of this file."""
        line = None if self.first_line is None else index + self.first_line
        return Problem(self.relpath, message, row=index + 1, line=line, column=column)


def find_files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    """The files matching any of ``patterns`` (globs relative to ``folder``), sorted, each once."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        for path in sorted(folder.glob(pattern)):
            if path.is_file() and not path.name.startswith(("~$", ".")):
                found.setdefault(path, None)
    return list(found)


def read_source(path: Path, folder: Path, options: CsvOptions) -> tuple[SourceFile | None, list[Problem]]:
    """``path`` as a text table; ``(None, problems)`` when it cannot be read."""
    relpath = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return SourceFile(relpath, _parquet_as_text(path), None), []
        if suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
            return SourceFile(relpath, frame.map(_cell_text), None), []
        if suffix not in (".csv", ".txt"):
            return None, [Problem(relpath, f"unsupported export format (use one of {', '.join(SUFFIXES)})")]
        frame = pd.read_csv(
            path,
            sep=options.delimiter,
            encoding=options.encoding,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except UnicodeDecodeError as exc:
        return None, [
            Problem(relpath, f"is not {options.encoding} text (byte {exc.start}): set csv.encoding")
        ]
    except pd.errors.EmptyDataError:
        return None, [Problem(relpath, "file is empty: a header line is required", line=1)]
    except (OSError, ValueError, pa.ArrowException, pd.errors.ParserError) as exc:
        return None, [Problem(relpath, f"cannot be read: {exc}")]
    frame.columns = [str(c).strip() for c in frame.columns]
    return SourceFile(relpath, frame.map(str.strip), 2), []


def _cell_text(value: object) -> str:
    """An Excel cell as text: whole numbers without ``.0`` and dates as ISO, like a CSV export."""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


def _parquet_as_text(path: Path) -> pd.DataFrame:
    table = pq.read_table(path)
    columns = {}
    for name, values in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_timestamp(values.type):
            text = pc.strftime(values, format="%Y-%m-%d %H:%M:%S")
        else:
            text = pc.cast(values, pa.string())
        columns[name] = pc.fill_null(text, "").to_numpy(zero_copy_only=False)
    return pd.DataFrame(columns, dtype=object)
