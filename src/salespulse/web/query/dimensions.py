"""The rows of a small dimension's reporting view (the calendar, products, cities), read once per
published build: the budget's grain and the calendar's spans are worked out from them in Python."""

from __future__ import annotations

from typing import Any

from salespulse.semantic import load_model
from salespulse.web.query.session import Session
from salespulse.web.query.sqlbuild import ident, view


def dimension_rows(session: Session, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(columns, rows) of a small dimension's view (the calendar, products, cities), once per build."""

    def compute() -> tuple[list[str], list[tuple[Any, ...]]]:
        columns = [c.source for c in load_model().table(table).columns]
        sql = f"select {', '.join(ident(c) for c in columns)} from {view(table)}"
        return columns, [tuple(row) for row in session.query(sql)]

    return session.cached(("dimension", table), compute)
