"""Order-line versions as integer columns, and their Arrow form in the contract's types."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from ..contract import ORDER_LINES
from .tables import (
    FRACTION,
    MONEY,
    date_array,
    decimal_array,
    numbered,
    table_from_columns,
    take,
    timestamp_array,
)

STATUSES = ("shipped", "open", "cancelled")
SHIPPED, OPEN, CANCELLED = range(3)
ORDER_NUMBER_WIDTH = 7
DAY_US = 86_400 * 1_000_000


@dataclass(frozen=True)
class Lines:
    """Days since 1970, cents, basis points (0.0001), microseconds; -1 for an empty date or campaign."""

    order_no: np.ndarray
    line_no: np.ndarray
    order_day: np.ndarray
    due_day: np.ndarray
    ship_day: np.ndarray
    status: np.ndarray
    customer: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    price: np.ndarray
    discount_bp: np.ndarray
    cost: np.ndarray
    campaign: np.ndarray
    modified_us: np.ndarray

    def __len__(self) -> int:
        return len(self.order_no)

    def take(self, index: np.ndarray) -> Lines:
        return Lines(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[Lines]) -> Lines:
        if not parts:
            return Lines(**{f.name: np.zeros(0, dtype=np.int64) for f in fields(Lines)})
        return Lines(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Lines)})

    def sorted(self) -> Lines:
        """In delivery order: by modification time, order number and line number."""
        return self.take(np.lexsort((self.line_no, self.order_no, self.modified_us)))

    @property
    def net_cents(self) -> np.ndarray:
        """quantity x unit price x (1 - discount), rounded half up to the cent, in integers."""
        return (self.quantity * self.price * (10_000 - self.discount_bp) + 5_000) // 10_000


def lines_table(lines: Lines, customer_ids: pa.Array, skus: pa.Array, campaign_codes: pa.Array) -> pa.Table:
    """The order lines as an Arrow table typed after the contract."""
    no_ship = lines.ship_day < 0
    no_campaign = lines.campaign < 0
    return table_from_columns(
        ORDER_LINES,
        {
            "order_number": numbered("SO", lines.order_no, ORDER_NUMBER_WIDTH),
            "line_number": pa.array(lines.line_no, pa.int64()),
            "order_date": date_array(lines.order_day),
            "due_date": date_array(lines.due_day),
            "ship_date": date_array(np.where(no_ship, 0, lines.ship_day), mask=no_ship),
            "status": take(pa.array(STATUSES), lines.status),
            "customer_id": take(customer_ids, lines.customer),
            "sku": take(skus, lines.product),
            "quantity": pa.array(lines.quantity, pa.int64()),
            "unit_price": decimal_array(lines.price, MONEY),
            "discount_pct": decimal_array(lines.discount_bp, FRACTION),
            "extended_amount": decimal_array(lines.net_cents, MONEY),
            "standard_cost": decimal_array(lines.cost, MONEY),
            "campaign_code": take(campaign_codes, np.where(no_campaign, 0, lines.campaign), mask=no_campaign)
            if len(campaign_codes)
            else pa.nulls(len(lines), pa.string()),
            "last_modified_at": timestamp_array(lines.modified_us),
        },
    )
