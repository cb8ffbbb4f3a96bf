"""Expected net sales under the demand model, without sampling noise.

Finance plans the budget from the prior year's run rate: what the business was expected to sell
by month, category and territory, without the luck of individual large orders. Planning from
expected values keeps a region's attainment free of the prior year's noise, so the planted miss
stands out even in a small demo.
"""

from __future__ import annotations

import numpy as np

from .campaigns import Campaign
from .catalogue import CATEGORIES, Catalogue
from .customers import Customers
from .demand import Demand
from .geography import TERRITORIES
from .plan import Month, Signals
from .segments import (
    CROSS_SELL_BUSINESS,
    CROSS_SELL_CONSUMER,
    LARGE_EXTRA_DISCOUNT_BP,
    SEGMENTS,
    profile_table,
)


class ExpectedSales:
    def __init__(
        self,
        demand: Demand,
        customers: Customers,
        catalogue: Catalogue,
        campaigns: list[Campaign],
        signals: Signals,
    ) -> None:
        self.demand = demand
        self.customers = customers
        self.catalogue = catalogue
        self.campaigns = campaigns
        self.kept = 1.0 - signals.direct_cancel_share - signals.late_cancel_share
        business = np.array([kind == "Business" for kind, _ in SEGMENTS.values()] + [True])
        extra = profile_table("mean_lines") - 1.0
        cross = np.where(business[:, None, None], CROSS_SELL_BUSINESS, CROSS_SELL_CONSUMER)
        # Units of category j per order of main category k, per profile p: (p, k, j).
        lines = extra[:, None, None] * cross + np.eye(len(CATEGORIES))[None, :, :]
        self._units = lines * (1.0 + profile_table("quantity"))[:, None, :]
        self._discount = profile_table("discount_bp")

    def _unit_price(self, month: Month) -> np.ndarray:
        """Popularity-weighted mean list price per category of the products on sale (cents)."""
        cat = self.catalogue
        on_sale = cat.available(month.lo, month.hi)
        year = month.first.year - cat.first_year
        weight = cat.popularity * on_sale
        per_category = np.bincount(
            cat.category, weights=weight * cat.price_cents[:, year], minlength=len(CATEGORIES)
        )
        return per_category / np.bincount(cat.category, weights=weight, minlength=len(CATEGORIES))

    def _campaign_shares(self, month: Month) -> np.ndarray:
        """(campaign, hemisphere, main category) share of the month's orders placed in the window."""
        intensity = self.demand.intensity(month)
        total = intensity.sum(axis=2)
        days = np.arange(month.lo, month.hi + 1)
        shares = np.zeros((len(self.campaigns), *total.shape))
        for j, c in enumerate(self.campaigns):
            window = (days >= c.start_day) & (days <= c.end_day)
            if window.any():
                share = intensity[:, :, window].sum(axis=2) / total
                if c.target_category:
                    share *= np.arange(len(CATEGORIES)) == CATEGORIES.index(c.target_category)
                shares[j] = share * c.redemption
        return shares

    def month(self, month: Month) -> np.ndarray:
        """Expected net sales in cents, by line category and customer territory: (category, territory)."""
        cu = self.customers
        rates = self.demand.rates(month)
        active = rates.customers
        profile = np.where(cu.large[active], len(SEGMENTS), cu.segment[active])
        negotiated = self._discount[cu.segment[active]] + LARGE_EXTRA_DISCOUNT_BP * cu.large[active]
        # Expected (1 - discount) per customer and main category, with and without a campaign.
        shares = self._campaign_shares(month)[:, cu.southern[active].astype(np.int64), :]  # (j, c, k)
        kept = (1.0 - negotiated / 10_000)[:, None] * (1.0 - shares.sum(axis=0))
        for j, c in enumerate(self.campaigns):
            kept += (1.0 - np.maximum(negotiated, int(c.discount * 10_000)) / 10_000)[:, None] * shares[j]
        orders = rates.expected * kept  # (c, k), discount-weighted
        units = np.einsum("ck,ckj->cj", orders, self._units[profile])
        sales = units * self._unit_price(month)[None, :] * self.kept
        out = np.zeros((len(CATEGORIES), len(TERRITORIES)))
        for k in range(len(CATEGORIES)):
            out[k] = np.bincount(cu.territory[active], weights=sales[:, k], minlength=len(TERRITORIES))
        return out
