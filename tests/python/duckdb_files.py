"""DuckDB files the hand-over tests make by hand: a statement run in a file of its own connection."""

from __future__ import annotations

from pathlib import Path

import duckdb


def write(path: Path, sql: str) -> None:
    """Run ``sql`` in the DuckDB file ``path`` (created if missing) and close it."""
    con = duckdb.connect(str(path))
    try:
        con.execute(sql)
    finally:
        con.close()
