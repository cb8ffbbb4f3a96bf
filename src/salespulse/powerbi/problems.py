"""A problem in one place of a Power BI project file: the file and the JSON path inside it."""

from __future__ import annotations

from dataclasses import dataclass

from salespulse.errors import Problem


@dataclass(frozen=True)
class JsonProblem(Problem):
    """A :class:`~salespulse.errors.Problem` that also names the JSON path (``$.visual.query...``)."""

    json_path: str = "$"

    def __str__(self) -> str:
        return f"{self.file} at {self.json_path}: {self.message}"
