"""What the mapping fills in when an order-lines export lacks a contract column.

The rules (also in ``docs/bring-your-own-data.md``):

- ``line_number``: the lines of each order numbered 1, 2, ... after a stable sort by the
  ``line_numbers.sort_by`` columns (default: ``sku``), ties kept in export order (file, then
  row). The same export always gives the same numbers.
- ``quantity``: 1. The line's amount must then agree with its unit price (``extended_amount``
  = unit price x (1 - discount), to the cent, as the warehouse checks): a line that does not is
  refused, because its export has quantities the mapping does not see.
- ``unit_price``: the line amount (with quantity 1), when only the amount is exported.
- ``extended_amount``: quantity x unit price x (1 - discount) rounded to the cent, when only
  the unit price is exported.
- ``discount_pct``: 0.
- ``status``: ``shipped`` when the line has a ship date, else ``open``.
- ``last_modified_at``: the later of the order date and the ship date, at midnight, so that
  mapping the same export twice gives the same bytes (and the loader skips it).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salespulse.errors import Problem
from salespulse.extracts import ARROW_TYPES, MAX_ROWS_SHOWN
from salespulse.mapping.sources import SourceFile
from salespulse.mapping.values import ROUND_MODE

#: Order-lines columns a rule can fill in (see the module docstring).
DERIVED = frozenset(
    {"line_number", "quantity", "unit_price", "discount_pct", "extended_amount", "status", "last_modified_at"}
)
TOLERANCE = Decimal("0.01")  # what the warehouse allows between the amount and its recomputation

Columns = dict[str, pa.Array | None]


def _cents(values: pa.Array) -> pa.Array:
    return pc.cast(pc.round(values, ndigits=2, round_mode=ROUND_MODE), ARROW_TYPES["decimal"])


def _net(columns: Columns) -> pa.Array:
    """quantity x unit price x (1 - discount), rounded to the cent."""
    one_minus = pc.subtract(pa.scalar(Decimal(1), ARROW_TYPES["decimal"]), columns["discount_pct"])
    gross = pc.multiply(pc.cast(columns["quantity"], pa.decimal128(19, 0)), columns["unit_price"])
    # decimal256: the exact product of three decimal(18, 4) values does not fit 38 digits
    return _cents(pc.multiply(pc.cast(gross, pa.decimal256(40, 4)), one_minus))


def fill_order_lines(
    columns: Columns, files: np.ndarray, rows: np.ndarray, sources: list[SourceFile], sort_by: tuple[str, ...]
) -> tuple[Columns, list[str], list[Problem]]:
    """``columns`` with every ``None`` (not exported) column filled in by its rule.

    ``files`` / ``rows`` give each line's source (index into ``sources``, 0-based row). Returns
    the columns, a note per rule applied (the command prints them) and the problems found.
    """
    count = len(files)
    notes: list[str] = []
    problems: list[Problem] = []
    filled = dict(columns)
    if filled["discount_pct"] is None:
        filled["discount_pct"] = pa.array([Decimal(0)] * count, ARROW_TYPES["decimal"])
        notes.append("discount_pct: 0 (not in the export)")
    quantity_assumed = filled["quantity"] is None
    if quantity_assumed:
        filled["quantity"] = pa.array(np.ones(count, dtype=np.int64))
        notes.append("quantity: 1 (not in the export)")
    if filled["unit_price"] is None and filled["extended_amount"] is not None:
        filled["unit_price"] = filled["extended_amount"]
        notes.append("unit_price: the line amount (not in the export)")
    if filled["unit_price"] is None:
        problems.append(
            Problem(
                sources[0].relpath,
                "order lines need a unit price or a line amount: map unit_price or extended_amount",
            )
        )
        return filled, notes, problems
    if filled["extended_amount"] is None:
        filled["extended_amount"] = _net(filled)
        notes.append("extended_amount: quantity x unit price x (1 - discount), rounded to the cent")
    elif quantity_assumed and columns["unit_price"] is not None:
        problems += _amounts_disagree(filled, files, rows, sources)
    if filled["status"] is None:
        filled["status"] = pc.if_else(pc.is_null(filled["ship_date"]), "open", "shipped")
        notes.append("status: shipped when the line has a ship date, else open")
    if filled["last_modified_at"] is None:
        latest = pc.max_element_wise(filled["order_date"], filled["ship_date"], skip_nulls=True)
        filled["last_modified_at"] = pc.cast(pc.cast(latest, pa.timestamp("s")), ARROW_TYPES["timestamp"])
        notes.append("last_modified_at: the later of order date and ship date")
    if filled["line_number"] is None:
        filled["line_number"] = _line_numbers(filled, files, rows, sort_by)
        notes.append(f"line_number: numbered within each order by {', '.join(sort_by)}, then export order")
    return filled, notes, problems


def _amounts_disagree(
    columns: Columns, files: np.ndarray, rows: np.ndarray, sources: list[SourceFile]
) -> list[Problem]:
    gap = pc.abs(pc.subtract(columns["extended_amount"], _net(columns)))
    wrong = pc.fill_null(pc.greater(gap, pa.scalar(TOLERANCE, ARROW_TYPES["decimal"])), False)
    found = np.flatnonzero(wrong.to_numpy(zero_copy_only=False))
    problems = []
    for index in found[:MAX_ROWS_SHOWN]:
        amount = columns["extended_amount"][index].as_py()
        price = columns["unit_price"][index].as_py()
        problems.append(
            sources[files[index]].where(
                int(rows[index]),
                "extended_amount",
                f"line amount {amount} is not unit price {price} x quantity 1 x (1 - discount): "
                "the export has quantities (map quantity) or discounts (map discount_pct)",
            )
        )
    if len(found) > MAX_ROWS_SHOWN:
        problems.append(
            Problem(
                sources[0].relpath,
                f"... {len(found) - MAX_ROWS_SHOWN} more lines whose amount is not quantity 1 x unit price",
            )
        )
    return problems


def _line_numbers(
    columns: Columns, files: np.ndarray, rows: np.ndarray, sort_by: tuple[str, ...]
) -> pa.Array:
    """1, 2, ... within each order after a stable sort (the same export gives the same numbers)."""
    frame = pd.DataFrame({"order_number": columns["order_number"].to_pandas()})
    keys = ["order_number"]
    for i, name in enumerate(sort_by):
        frame[f"k{i}"] = columns[name].to_pandas()
        keys.append(f"k{i}")
    frame["_file"], frame["_row"] = files, rows
    ordered = frame.sort_values([*keys, "_file", "_row"], kind="stable", na_position="last")
    numbers = ordered.groupby("order_number", sort=False, dropna=False).cumcount() + 1
    return pa.array(numbers.reindex(frame.index).to_numpy(dtype=np.int64))
