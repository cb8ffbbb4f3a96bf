"""The web's aggregate sources (web/query/sources.py) read only columns dbt declares for their views.

A web aggregate's columns are declared by its reporting view's yml (the enforced contract; the view's
SQL selects exactly those, macros/reporting_views.sql); the Python ``Source`` says which model column
each one holds. A column renamed or dropped on one side only fails here, not on the first query that
happens to read it.
"""

from __future__ import annotations

import yaml

from salespulse.semantic.model import REPORTING_SQL
from salespulse.web.query.sources import ALL_SOURCES, CHECKS_VIEW, MEMBER_VIEWS, Source


def declared_columns() -> dict[str, list[str]]:
    """The columns the reporting layer's yml declares, per view (``rpt_<view>`` is read as ``<view>``)."""
    spec = yaml.safe_load((REPORTING_SQL / "web" / "_web__models.yml").read_text(encoding="utf-8"))
    return {
        model["name"].removeprefix("rpt_"): [column["name"] for column in model["columns"]]
        for model in spec["models"]
    }


def read_columns(source: Source) -> set[str]:
    """Every column of its view a source names: the model columns it holds, its sums, its rollup flag."""
    found = {*source.columns.values(), *source.sums.values()}
    if source.rollup is not None:
        found.add(source.rollup[0])
    return found


def test_every_source_reads_only_columns_its_view_declares() -> None:
    declared = declared_columns()
    for source in ALL_SOURCES:
        assert source.view in declared, source.view
        assert read_columns(source) <= set(declared[source.view]), source.view


def test_the_copies_of_the_order_lines_hold_every_column_declared() -> None:
    """A lines source computes measures as on reporting.sales: every column of its view is a column
    of the order lines, under the same name."""
    declared = declared_columns()
    for source in (source for source in ALL_SOURCES if source.lines):
        assert sorted(source.columns.values()) == sorted(declared[source.view]), source.view


def test_the_check_and_member_views_are_declared() -> None:
    assert {CHECKS_VIEW, *MEMBER_VIEWS} <= set(declared_columns())
