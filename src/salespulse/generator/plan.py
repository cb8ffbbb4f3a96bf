"""The period being simulated and the planted signals with their true parameters.

Everything the rest of the generator treats as "truth" lives here, so that the manifest can
record it and the tests can check that the generated files show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    """Days since 1970-01-01, the integer day representation used throughout the generator."""
    return (d - EPOCH).days


def from_day_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def add_months(d: date, n: int) -> date:
    """First day of the month ``n`` months after the month of ``d``."""
    years, month0 = divmod(d.month - 1 + n, 12)
    return date(d.year + years, month0 + 1, 1)


@dataclass(frozen=True)
class Month:
    index: int
    first: date  # first day of the calendar month
    lo: int  # first simulated day (day number), clipped to the period start
    hi: int  # last simulated day (day number), clipped to as_of

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def n_days(self) -> int:
        return self.hi - self.lo + 1

    @property
    def full(self) -> bool:
        """Whether the whole calendar month is simulated."""
        return self.lo == day_number(self.first) and self.hi == day_number(add_months(self.first, 1)) - 1


@dataclass(frozen=True)
class Period:
    start: date
    as_of: date
    budget_year: int

    def __post_init__(self) -> None:
        if self.as_of < self.start + timedelta(days=364):
            raise ValueError(f"the period {self.start}..{self.as_of} must span at least a year")

    @cached_property
    def months(self) -> tuple[Month, ...]:
        out: list[Month] = []
        first = self.start.replace(day=1)
        while first <= self.as_of:
            last = add_months(first, 1) - timedelta(days=1)
            lo, hi = max(first, self.start), min(last, self.as_of)
            out.append(Month(len(out), first, day_number(lo), day_number(hi)))
            first = add_months(first, 1)
        return tuple(out)

    @property
    def years(self) -> range:
        return range(self.start.year, self.as_of.year + 1)

    @property
    def history_start(self) -> date:
        """When the oldest customers were created (the CRM predates the order extract)."""
        return date(self.start.year - 3, 1, 1)

    @property
    def launch_date(self) -> date:
        """Launch of the new product line: the first of the month nearest the middle of the period."""
        mid = self.start + (self.as_of - self.start) / 2
        return mid.replace(day=1) if mid.day <= 15 else add_months(mid, 1)

    @property
    def discontinue_date(self) -> date:
        """Last sale day of the products the launch replaces."""
        return self.launch_date - timedelta(days=1)

    @property
    def decline_start(self) -> date:
        """When the declining clients start buying less: twelve months before the end of the data."""
        return add_months(self.as_of + timedelta(days=1), -12)


@dataclass(frozen=True)
class Signals:
    """True parameters of the patterns planted in the data."""

    #: Yearly growth of the order volume, before price increases.
    volume_growth: float = 0.14
    #: List prices and standard costs rise by this share every 1 January.
    price_increase: float = 0.03
    #: Finance's plan: budget = prior-year actual net sales x (1 + planned_growth).
    planned_growth: float = 0.15
    #: The region whose net sales shrink in the budget year, so it misses budget.
    miss_region: str = "Europe"
    #: Net-sales growth of ``miss_region`` in the budget year from volume and price (the product
    #: line launched the year before adds a little through the product mix).
    miss_region_growth: float = -0.09
    #: Orders cancelled when entered (one version, status cancelled).
    direct_cancel_share: float = 0.012
    #: Orders first delivered open and cancelled in a later month.
    late_cancel_share: float = 0.008
    #: Shipped orders first delivered open without ship date; the ship date follows later.
    late_ship_date_share: float = 0.012
    #: Lines whose quantity is corrected in a later month.
    late_quantity_share: float = 0.010
    #: Large business clients whose purchases decline from ``Period.decline_start``.
    declining_clients: int = 5
    #: Comparable large clients that stay steady.
    control_clients: int = 5
    #: Order-rate multiplier of declining clients ``decline_months`` after the decline starts.
    decline_floor: float = 0.25
    decline_months: int = 9
    #: Declining clients place no orders in the last (low, high) days before as_of.
    silence_days: tuple[int, int] = (70, 110)
    #: Share of orders placed by the large business clients.
    large_client_order_share: float = 0.07
    #: Share of customers that are businesses.
    business_share: float = 0.15

    @property
    def late_update_share(self) -> float:
        return self.late_cancel_share + self.late_ship_date_share + self.late_quantity_share
