"""Which columns' values a suite's checks read: the DuckDB engine reads only those from its table.

An expectation with a column domain reads the columns its ``column``, ``column_A``/``column_B`` or
``column_list`` name. The table-level expectations listed in ``NO_COLUMN_VALUES`` read no column's values:
the row count, or only the column names (``column_set`` names the columns a table must have, it reads none
of them). Anything else (a table-level expectation not listed, a ``row_condition``) may read any column,
and then the whole table is read.
"""

from __future__ import annotations

from collections.abc import Iterable

from .checks import Check

#: The kwargs naming the columns whose values a column, column-pair or multicolumn expectation reads.
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list",)

#: Table-level expectations that see the row count or the column names, but no column's values.
NO_COLUMN_VALUES = frozenset(
    {
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_column_count_to_be_between",
        "expect_table_column_count_to_equal",
    }
)


def columns_read(checks: Iterable[Check]) -> frozenset[str] | None:
    """The columns whose values ``checks`` read, or None when a check may read any column."""
    columns: set[str] = set()
    for item in checks:
        config = item.expectation.configuration
        kwargs = config.kwargs
        if kwargs.get("row_condition"):
            return None  # a pandas query string: it may name any column
        named = [kwargs[k] for k in COLUMN_KWARGS if k in kwargs]
        named += [c for k in COLUMN_LIST_KWARGS for c in kwargs.get(k) or ()]
        if not all(isinstance(c, str) for c in named):
            return None  # e.g. a suite parameter instead of a column name
        if not named and config.type not in NO_COLUMN_VALUES:
            return None
        columns.update(named)
    return frozenset(columns)
