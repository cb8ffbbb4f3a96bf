"""How each kind of customer buys: order rate, category mix, basket size, quantities, discounts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Profile:
    #: Share of customers of its type (individual or business) in this segment.
    share: float
    #: Mean relative order rate of a customer.
    weight: float
    #: Probability of each category (Bikes, Components, Clothing, Accessories) being an order's main one.
    mix: tuple[float, float, float, float]
    #: Mean number of lines per order beyond the first, and the most lines an order has.
    extra_lines: float
    max_lines: int
    #: Mean number of units per line beyond the first, per category.
    quantity: tuple[float, float, float, float]
    #: Negotiated discount in basis points (1 bp = 0.0001).
    discount_bp: int

    @property
    def mean_lines(self) -> float:
        """Expected lines per order: 1 + E[min(Poisson(extra_lines), max_lines - 1)]."""
        cap, lam = self.max_lines - 1, self.extra_lines
        below = sum(k * math.exp(-lam) * lam**k / math.factorial(k) for k in range(cap))
        tail = 1.0 - sum(math.exp(-lam) * lam**k / math.factorial(k) for k in range(cap))
        return 1.0 + below + cap * tail


INDIVIDUAL, BUSINESS = "Individual", "Business"

#: Segment name -> (customer type, profile).
SEGMENTS: dict[str, tuple[str, Profile]] = {
    "Enthusiast": (
        INDIVIDUAL,
        Profile(0.25, 2.0, (0.30, 0.30, 0.15, 0.25), 0.8, 5, (0.02, 0.2, 0.3, 0.5), 0),
    ),
    "Commuter": (INDIVIDUAL, Profile(0.30, 1.2, (0.25, 0.15, 0.20, 0.40), 0.6, 5, (0.01, 0.1, 0.3, 0.6), 0)),
    "Family": (INDIVIDUAL, Profile(0.20, 1.0, (0.25, 0.05, 0.30, 0.40), 0.9, 6, (0.15, 0.05, 0.8, 0.8), 0)),
    "Occasional": (
        INDIVIDUAL,
        Profile(0.25, 0.5, (0.15, 0.05, 0.30, 0.50), 0.4, 4, (0.0, 0.05, 0.2, 0.4), 0),
    ),
    "Small Business": (
        BUSINESS,
        Profile(0.60, 0.7, (0.30, 0.25, 0.20, 0.25), 0.8, 6, (0.1, 0.3, 0.6, 0.6), 0),
    ),
    "Corporate": (BUSINESS, Profile(0.25, 1.0, (0.25, 0.15, 0.35, 0.25), 1.2, 8, (0.3, 0.6, 1.5, 1.5), 500)),
    "Reseller": (BUSINESS, Profile(0.15, 1.8, (0.40, 0.30, 0.10, 0.20), 1.5, 10, (0.6, 1.0, 2.0, 2.0), 1000)),
}
SEGMENT_NAMES: tuple[str, ...] = tuple(SEGMENTS)
LARGE_SEGMENTS: tuple[str, ...] = ("Corporate", "Reseller")

#: Basket and quantity profile of the large business clients (category mix and share are unused);
#: their discount is their segment's plus ``LARGE_EXTRA_DISCOUNT_BP``.
LARGE = Profile(1.0, 1.0, (0.25, 0.25, 0.25, 0.25), 1.5, 10, (1.0, 2.0, 3.0, 3.0), 0)
LARGE_EXTRA_DISCOUNT_BP = 200

#: Category of each line after the first, given the order's main category (rows) - consumers.
CROSS_SELL_CONSUMER = np.array(
    [
        [0.05, 0.10, 0.35, 0.50],
        [0.00, 0.60, 0.10, 0.30],
        [0.00, 0.00, 0.60, 0.40],
        [0.00, 0.10, 0.30, 0.60],
    ]
)
#: The same for businesses, which buy several bikes or parts on one order.
CROSS_SELL_BUSINESS = np.array(
    [
        [0.40, 0.15, 0.15, 0.30],
        [0.05, 0.65, 0.05, 0.25],
        [0.00, 0.00, 0.75, 0.25],
        [0.05, 0.10, 0.25, 0.60],
    ]
)


def profile_table(attr: str) -> np.ndarray:
    """One attribute of every segment's profile, plus the large-client profile as the last row."""
    return np.array([getattr(p, attr) for _, p in SEGMENTS.values()] + [getattr(LARGE, attr)], dtype=float)
