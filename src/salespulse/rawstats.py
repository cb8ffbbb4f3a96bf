"""Row counts and amount totals of the raw layer: what a load landed, comparable across targets."""

from __future__ import annotations

from decimal import Decimal

from salespulse.loader import RAW_SCHEMA, raw_tables
from salespulse.warehouse import Warehouse


def raw_totals(warehouse: Warehouse) -> dict[str, dict[str, int | Decimal]]:
    """Per raw table: ``rows`` and the exact sum of every decimal column."""
    totals: dict[str, dict[str, int | Decimal]] = {}
    for table, columns in raw_tables().items():
        if table.startswith("_"):
            continue
        sums = [c.name for c in columns if c.type == "decimal"]
        select = ", ".join(["count(*)", *(f'coalesce(sum("{name}"), 0)' for name in sums)])
        row = warehouse.query(f"select {select} from {RAW_SCHEMA}.{table}")[0]
        totals[table] = {"rows": int(row[0])}
        totals[table].update(
            {f"sum_{name}": Decimal(value) for name, value in zip(sums, row[1:], strict=True)}
        )
    return totals
