"""Running totals of the generated order lines, for the budget and the manifest."""

from __future__ import annotations

import numpy as np

from .campaigns import Campaign
from .catalogue import CATEGORIES, LAUNCH_SUBCATEGORY, Catalogue
from .customers import Customers
from .geography import TERRITORIES
from .lines import CANCELLED, Lines
from .orders import UPDATE_KINDS, MonthBatch
from .plan import Period, day_number, from_day_number


def cents_text(cents: int) -> str:
    """Cents as an exact decimal string, e.g. ``1234.50``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{frac:02d}"


class Tally:
    def __init__(
        self, period: Period, customers: Customers, catalogue: Catalogue, campaigns: list[Campaign]
    ) -> None:
        self.period = period
        self.customers = customers
        self.catalogue = catalogue
        self.campaigns = campaigns
        #: Net sales in cents of the latest line versions, excluding cancelled lines, by order month,
        #: line category and customer territory.
        self.actual = np.zeros((len(period.months), len(CATEGORIES), len(TERRITORIES)), dtype=np.int64)
        self.first_versions = 0
        self.updates = np.zeros(len(UPDATE_KINDS), dtype=np.int64)
        self.direct_cancels = 0
        self.final_status = np.zeros(3, dtype=np.int64)
        self.net_by_year: dict[int, int] = {}
        self.orders_by_year: dict[int, int] = {}
        self.campaign_orders = np.zeros(len(campaigns), dtype=np.int64)
        self._tracked = np.concatenate([customers.declining, customers.controls])
        self._tracked_lines: list[Lines] = []
        self._launch = np.array([s == LAUNCH_SUBCATEGORY for s in catalogue.subcategory])
        self._ended = catalogue.end_day < catalogue.end_day.max()
        self.launch_first_day: int | None = None
        self.ended_last_day: int | None = None

    def add(self, batch: MonthBatch) -> None:
        final = batch.final
        net = final.net_cents
        live = final.status != CANCELLED
        category = self.catalogue.category[final.product]
        territory = self.customers.territory[final.customer]
        cell = category * len(TERRITORIES) + territory
        sums = np.bincount(cell[live], weights=net[live], minlength=self.actual[0].size)
        self.actual[batch.month.index] += np.rint(sums).astype(np.int64).reshape(self.actual[0].shape)

        year = batch.month.first.year
        self.net_by_year[year] = self.net_by_year.get(year, 0) + int(net[live].sum())
        heads = final.line_no == 1
        self.orders_by_year[year] = self.orders_by_year.get(year, 0) + int(heads.sum())
        coded = heads & (final.campaign >= 0)
        self.campaign_orders += np.bincount(final.campaign[coded], minlength=len(self.campaigns))
        self.first_versions += len(batch.lines)
        self.updates += np.bincount(batch.update_kind, minlength=len(UPDATE_KINDS))
        self.direct_cancels += batch.direct_cancels
        self.final_status += np.bincount(final.status, minlength=3)
        self._tracked_lines.append(final.take(np.flatnonzero(np.isin(final.customer, self._tracked))))

        launched = final.order_day[self._launch[final.product]]
        if len(launched) and self.launch_first_day is None:
            self.launch_first_day = int(launched.min())
        ended = final.order_day[self._ended[final.product]]
        if len(ended):
            self.ended_last_day = int(ended.max())

    @property
    def late_updates(self) -> int:
        return int(self.updates.sum())

    def client_histories(self) -> dict[int, dict[str, object]]:
        """Orders and net sales of the declining and control clients, per half-year, and their
        ordering rhythm in the twelve months before the decline started."""
        lines = Lines.concat(self._tracked_lines)
        half_year = lines.order_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) // 6
        live = lines.status != CANCELLED
        net = lines.net_cents
        decline = day_number(self.period.decline_start)
        out: dict[int, dict[str, object]] = {}
        for customer in self._tracked:
            mine = lines.customer == customer
            days = lines.order_day[mine & (lines.line_no == 1)]
            halves = {}
            for year in self.period.years:
                for h in (1, 2):
                    index = (year - 1970) * 2 + h - 1
                    halves[f"{year}-H{h}"] = cents_text(int(net[mine & live & (half_year == index)].sum()))
            before = int(((days < decline) & (days >= decline - 365)).sum())
            last = int(days.max()) if len(days) else None
            out[int(customer)] = {
                "last_order_date": None if last is None else from_day_number(last).isoformat(),
                "days_without_orders_at_as_of": None
                if last is None
                else day_number(self.period.as_of) - last,
                "orders_in_year_before_decline": before,
                "usual_interval_days": round(365 / before, 2) if before else None,
                "net_sales_by_half_year": halves,
            }
        return out
