"""The demand model: expected orders per customer, category and day.

Expected orders of customer ``c`` in category ``k`` on day ``d`` are

    scale x pool_c x weight_c x factor_c(month) x mix[segment_c, k] x intensity[hemisphere_c, k, d]

where ``intensity`` holds the trend (volume growth), seasonality, the weekday pattern and the
campaign uplifts, ``factor`` the region shortfall and the declining clients' decay, and ``pool``
normalises regular customers so that acquisition does not add growth beyond the planned trend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .campaigns import Campaign
from .catalogue import BIKES, CATEGORIES, COMPONENTS
from .customers import Customers
from .geography import REGIONS
from .plan import Month, Period, Signals, day_number
from .segments import SEGMENTS, profile_table

#: Monthly seasonality per category (Jan..Dec, mean 1) in the northern hemisphere: bikes and
#: parts peak in spring and summer, clothing and accessories in the Nov-Dec gift season.
SEASONALITY = np.array(
    [
        [0.60, 0.70, 1.00, 1.30, 1.45, 1.45, 1.30, 1.10, 0.90, 0.75, 0.70, 0.75],
        [0.80, 0.85, 1.05, 1.20, 1.20, 1.15, 1.10, 1.00, 0.95, 0.90, 0.85, 0.95],
        [0.85, 0.80, 0.90, 0.95, 1.00, 0.95, 0.90, 0.90, 0.95, 1.05, 1.30, 1.45],
        [0.85, 0.80, 0.90, 0.95, 1.00, 1.00, 0.95, 0.90, 0.90, 1.00, 1.30, 1.45],
    ]
)
#: Categories whose season is shifted by six months in the southern hemisphere.
SOUTHERN_SHIFTED = (BIKES, COMPONENTS)
#: Monday..Sunday.
WEEKDAY = np.array([1.06, 1.02, 1.00, 0.98, 0.94, 0.92, 1.08])


def _seasonality_by_hemisphere() -> np.ndarray:
    south = SEASONALITY.copy()
    for k in SOUTHERN_SHIFTED:
        south[k] = np.roll(SEASONALITY[k], 6)
    return np.stack([SEASONALITY, south])


@dataclass(frozen=True)
class MonthRates:
    """Expected orders of the customers active in one month."""

    customers: np.ndarray  # indices of the active customers
    expected: np.ndarray  # (n_active, 4) expected orders per category
    first: np.ndarray  # first active day offset within the month, per active customer
    stop: np.ndarray  # one past the last active day offset
    cumulative: np.ndarray  # (2, 4, n_days + 1) running sum of the day intensity


class Demand:
    def __init__(
        self, period: Period, signals: Signals, campaigns: list[Campaign], customers: Customers
    ) -> None:
        self.period = period
        self.signals = signals
        self.campaigns = campaigns
        self.customers = customers
        self.scale = 1.0
        self._season = _seasonality_by_hemisphere()
        self._mix = np.array([p.mix for _, p in SEGMENTS.values()])
        large = customers.large
        share = signals.large_client_order_share
        self._pool = np.where(large, share / (1 - share) / customers.weight[large].sum(), 1.0)
        self._miss_region = REGIONS.index(signals.miss_region)
        self._decline_start = day_number(period.decline_start)

    @property
    def miss_region_factor(self) -> float:
        """Order-rate multiplier of the region that misses budget, from the budget year on."""
        s = self.signals
        return (1 + s.miss_region_growth) / ((1 + s.volume_growth) * (1 + s.price_increase))

    def decline_factor(self, month: Month) -> float:
        """Order-rate multiplier of the declining clients in ``month``."""
        if month.lo < self._decline_start:
            return 1.0
        months = (month.first.year - self.period.decline_start.year) * 12 + month.first.month
        months -= self.period.decline_start.month
        return self.signals.decline_floor ** ((months + 0.5) / self.signals.decline_months)

    def intensity(self, month: Month) -> np.ndarray:
        """(hemisphere, category, day) intensity of the month's days."""
        days = np.arange(month.lo, month.hi + 1)
        years = (days - day_number(self.period.start)) / 365.25
        trend = np.exp(math.log1p(self.signals.volume_growth) * years)
        weekday = WEEKDAY[(days + 3) % 7]  # 1970-01-01 was a Thursday
        season = self._season[:, :, month.first.month - 1]
        out = season[:, :, None] * (trend * weekday)[None, None, :]
        for c in self.campaigns:
            first, last = max(c.start_day, month.lo), min(c.end_day, month.hi)
            if first <= last:
                cats = (
                    [CATEGORIES.index(c.target_category)]
                    if c.target_category
                    else list(range(len(CATEGORIES)))
                )
                out[:, cats, first - month.lo : last - month.lo + 1] *= c.uplift
        return out

    def rates(self, month: Month) -> MonthRates:
        cu = self.customers
        active = np.flatnonzero((cu.created_day <= month.hi) & (cu.until_day >= month.lo))
        first = np.clip(cu.created_day[active] - month.lo, 0, month.n_days)
        stop = np.clip(cu.until_day[active] - month.lo + 1, 0, month.n_days)
        cumulative = np.zeros((2, len(CATEGORIES), month.n_days + 1))
        np.cumsum(self.intensity(month), axis=2, out=cumulative[:, :, 1:])
        hemisphere = cu.southern[active].astype(np.int64)
        exposure = cumulative[hemisphere, :, stop] - cumulative[hemisphere, :, first]  # (n_active, 4)

        weight = cu.weight[active] * self._pool[active]
        regular = ~cu.large[active]
        active_share = (stop - first) / month.n_days
        weight[regular] /= max(float((weight[regular] * active_share[regular]).sum()), 1e-12)
        factor = np.where(cu.region[active] == self._miss_region, self._miss_factor(month), 1.0)
        factor[np.isin(active, cu.declining)] *= self.decline_factor(month)
        expected = exposure * (self.scale * weight * factor)[:, None] * self._mix[cu.segment[active]]
        return MonthRates(active, expected, first, stop, cumulative)

    def _miss_factor(self, month: Month) -> float:
        return self.miss_region_factor if month.first.year >= self.period.budget_year else 1.0

    def calibrate(self, target_rows: int) -> None:
        """Set ``scale`` so that the expected number of order-line rows is ``target_rows``."""
        mean_lines = profile_table("mean_lines")
        profile = np.where(self.customers.large, len(SEGMENTS), self.customers.segment)
        self.scale = 1.0
        expected_lines = 0.0
        for month in self.period.months:
            r = self.rates(month)
            expected_lines += float((r.expected.sum(axis=1) * mean_lines[profile[r.customers]]).sum())
        self.scale = target_rows / (expected_lines * (1 + self.signals.late_update_share))
