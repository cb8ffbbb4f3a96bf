"""Column groups: a big table's checks validated a few columns at a time, with the results of one run.

GX's pandas engine copies the whole batch for a column check: the rows where the column is set, then the
rows that fail it. With every checked column of fct_sales in one frame (17 columns, 1.3 GB at 10 M order
lines), a ``mostly`` check failing on 40 % of the rows (``customer_order_type``) copied 4 M rows of all
17 columns, several times: that put the suite's peak at 5.2 GB and took 10 s. Validated on a frame of its
own few columns, the same check copies only those.

So the checks of a table with more than ``max_cells`` values to read (rows x columns) are split into
groups of at most ``max_cells``: the checks reading a column stay together, and so do the columns a
pair or compound check reads together (connected by the columns they share). Checks that read no value
(row count, column names) go with the first group. A check that may read any column (``columns_read``
gives None) keeps the suite whole. Each group's frame still has the table's columns and rows (see
``PandasDuckDBEngine.read``), so every check gives the result it gives in one frame; ``report_order``
puts the results back in the order GX reports a whole suite in.
"""

from __future__ import annotations

from collections.abc import Sequence

from .checks import Check
from .projection import columns_read

#: The values (rows x columns) a group's frame may hold: 5 columns at 10 M rows, 400 MB of float64. Below
#: it, a suite is one group (every table of the demo data).
GROUP_CELLS = 50_000_000


def column_groups(checks: Sequence[Check], rows: int, max_cells: int = GROUP_CELLS) -> list[list[Check]]:
    """``checks`` in groups reading at most ``max_cells`` values each (a larger connected set alone)."""
    read = [columns for columns in (columns_read([item]) for item in checks) if columns is not None]
    if not checks or len(read) < len(checks):
        return [list(checks)]
    # connected sets of columns, in the order the suite first reads them
    components: list[set[str]] = []
    for columns in read:
        if not columns:
            continue
        touching = [c for c in components if c & columns]
        merged = set(columns).union(*touching)
        first = min((components.index(c) for c in touching), default=len(components))
        components = [c for c in components if c not in touching]
        components.insert(min(first, len(components)), merged)
    groups: list[set[str]] = []
    for component in components:
        if groups and (len(groups[-1]) + len(component)) * rows <= max_cells:
            groups[-1] |= component
        else:
            groups.append(set(component))
    if not groups:
        return [list(checks)]
    placed: list[list[Check]] = [[] for _ in groups]
    for item, columns in zip(checks, read, strict=True):
        index = next((i for i, group in enumerate(groups) if columns <= group), 0)
        placed[index].append(item)
    return placed


def report_order(checks: Sequence[Check]) -> list[Check]:
    """``checks`` in the order GX 1.24 reports a suite's results in (``Validator.
    process_expectations_for_validation``): grouped by their ``column`` argument, the groups in order of
    first appearance, the checks without one (table, pair and compound checks) as one such group."""
    by_column: dict[object, list[Check]] = {}
    for item in checks:
        column = item.expectation.configuration.kwargs.get("column")
        by_column.setdefault(column if isinstance(column, str) else None, []).append(item)
    return [item for group in by_column.values() for item in group]
