"""Errors that name the file, sheet, row and column of bad input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in a delivered file."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class ContractError(Exception):
    """Delivered data does not match the raw landing contract. Nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the delivered data; nothing was loaded:\n{shown}{more}"
        )
