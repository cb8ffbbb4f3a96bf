"""Order lines, one month at a time: orders drawn from the demand model, their fate (shipped, open,
cancelled, changed later), baskets of products with quantities, prices and discounts."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from .catalogue import CATEGORIES
from .demand import MonthRates
from .geography import TERRITORIES
from .lines import CANCELLED, DAY_US, OPEN, SHIPPED, Lines, lines_table
from .plan import Month
from .segments import (
    CROSS_SELL_BUSINESS,
    CROSS_SELL_CONSUMER,
    LARGE_EXTRA_DISCOUNT_BP,
    SEGMENTS,
    profile_table,
)
from .world import World

#: Kinds of late update, as counted in the manifest.
UPDATE_KINDS = ("cancelled", "ship_date_set", "quantity_corrected")
LATE_CANCEL, LATE_SHIP, LATE_QUANTITY = range(3)

FIRST_ORDER_NUMBER = 43_659
#: Relative number of orders placed in each hour of the day.
HOURLY = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 5.5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6, 6, 5, 3.5, 2]
)
#: Due date and ship date, in days after the order date (inclusive ranges).
DUE_DAYS = (5, 12)
SHIP_DAYS = (1, 7)
#: A late update lands in the next month, or (with this probability) the one after.
SECOND_MONTH_SHARE = 0.3


@dataclass(frozen=True)
class MonthBatch:
    month: Month
    #: First versions of the lines created in the month.
    lines: Lines
    #: The latest version of each line created in the month (what the warehouse should end up with).
    final: Lines
    #: Later versions, with the index of the month whose file delivers each and the kind of change.
    updates: Lines
    update_month: np.ndarray
    update_kind: np.ndarray
    #: Lines cancelled when entered.
    direct_cancels: int


@dataclass(frozen=True)
class _Orders:
    """One entry per order of the month, in order-number order."""

    number: np.ndarray
    customer: np.ndarray
    category: np.ndarray  # main category
    profile: np.ndarray  # row of the segment profile tables (the last row for large clients)
    day: np.ndarray
    created_us: np.ndarray
    due_day: np.ndarray
    ship_day: np.ndarray
    campaign: np.ndarray
    discount_bp: np.ndarray


@dataclass(frozen=True)
class _Fate:
    """What happens to each order after it is entered."""

    status: np.ndarray  # final status
    direct_cancel: np.ndarray
    late_cancel: np.ndarray
    late_ship: np.ndarray
    later_us: np.ndarray  # when the later version is made (for late_cancel and late_ship)
    later_month: np.ndarray


def _allocate(rates: MonthRates, stratum: np.ndarray, n_strata: int, rng: np.random.Generator) -> np.ndarray:
    """Orders of the month as (active customer x category) cell indices.

    The number of orders of each customer stratum (e.g. territory and segment) and category is the
    expected number, rounded by systematic sampling (so it is exact to within one order); the orders
    are then spread over the stratum's customers in proportion to their expected orders, as a
    multinomial draw. Regional totals thus carry no counting noise, while each customer's orders
    still vary like a Poisson count.
    """
    n_cat = len(CATEGORIES)
    expected = rates.expected.ravel()
    group = (stratum[:, None] * n_cat + np.arange(n_cat)[None, :]).ravel()
    n_groups = n_strata * n_cat
    cells = np.argsort(group, kind="stable")
    running = np.cumsum(expected[cells])
    total = np.bincount(group, weights=expected, minlength=n_groups)
    edges = np.floor(np.concatenate([[0.0], np.cumsum(total)]) + rng.random())
    counts = np.diff(edges).astype(np.int64)
    first = np.searchsorted(group[cells], np.arange(n_groups))  # first sorted cell of each group
    last = np.concatenate([first[1:], [len(cells)]]) - 1
    start = np.concatenate([[0.0], running])[first]
    of = np.repeat(np.arange(n_groups), counts)
    pos = np.searchsorted(running, start[of] + rng.random(len(of)) * total[of], side="right")
    return cells[np.clip(pos, first[of], last[of])]


def _stratified_uniforms(stratum: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform numbers in [0, 1) that are evenly spread within each stratum, in random order."""
    order = rng.permutation(len(stratum))
    order = order[np.argsort(stratum[order], kind="stable")]
    sizes = np.bincount(stratum)
    offset = rng.random(len(sizes))
    rank = np.arange(len(order)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    ordered = stratum[order]
    u = np.empty(len(stratum))
    u[order] = (rank + offset[ordered]) / sizes[ordered]
    return u


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


class OrderSimulator:
    def __init__(self, world: World) -> None:
        period, campaigns, customers = world.period, world.campaigns, world.customers
        self.signals = world.signals
        self.demand = world.demand
        self.customers = customers
        self.catalogue = world.catalogue
        self.campaigns = campaigns
        self.next_order = FIRST_ORDER_NUMBER
        self._extra_lines = profile_table("extra_lines")
        self._max_lines = profile_table("max_lines").astype(np.int64)
        self._quantity = profile_table("quantity")
        self._discount = profile_table("discount_bp").astype(np.int64)
        self._cross_sell = np.stack([CROSS_SELL_CONSUMER.cumsum(axis=1), CROSS_SELL_BUSINESS.cumsum(axis=1)])
        self._hourly = HOURLY.cumsum() / HOURLY.sum()
        self._month_lo = np.array([m.lo for m in period.months])
        self._month_hi = np.array([m.hi for m in period.months])
        self._campaign_bp = np.array([int(c.discount * 10_000) for c in campaigns] + [0], dtype=np.int64)
        self._customer_ids = customers.ids
        self._skus = pa.array(world.catalogue.sku, pa.string())
        self._campaign_codes = pa.array([c.code for c in campaigns], pa.string())

    def table(self, lines: Lines) -> pa.Table:
        return lines_table(lines, self._customer_ids, self._skus, self._campaign_codes)

    def month(self, month: Month, rng: np.random.Generator) -> MonthBatch:
        orders = self._orders(month, rng)
        fate = self._fate(month, orders, rng)
        return self._lines(month, orders, fate, rng)

    # -- orders ---------------------------------------------------------------------------------

    def _orders(self, month: Month, rng: np.random.Generator) -> _Orders:
        """Orders per active customer and main category, then a day and a time each."""
        cu = self.customers
        rates = self.demand.rates(month)
        active = rates.customers
        profile = np.where(cu.large[active], len(SEGMENTS), cu.segment[active])
        stratum = cu.territory[active] * (len(SEGMENTS) + 1) + profile
        cells = _allocate(rates, stratum, len(TERRITORIES) * (len(SEGMENTS) + 1), rng)
        local, category = np.divmod(cells, len(CATEGORIES))
        day = month.lo + self._days(rates, local, category, rng)
        seconds = self._seconds(len(local), rng)
        order = np.lexsort((seconds, day))
        customer, category, day, seconds = (
            rates.customers[local[order]],
            category[order],
            day[order],
            seconds[order],
        )
        n = len(order)
        number = self.next_order + np.arange(n)
        self.next_order += n
        campaign = self._campaigns(day, category, rng)
        negotiated = self._discount[cu.segment[customer]] + LARGE_EXTRA_DISCOUNT_BP * cu.large[customer]
        return _Orders(
            number=number,
            customer=customer,
            category=category,
            profile=np.where(cu.large[customer], len(SEGMENTS), cu.segment[customer]),
            day=day,
            created_us=day * DAY_US + seconds * 1_000_000,
            due_day=day + rng.integers(DUE_DAYS[0], DUE_DAYS[1] + 1, n),
            ship_day=day + rng.integers(SHIP_DAYS[0], SHIP_DAYS[1] + 1, n),
            campaign=campaign,
            discount_bp=np.maximum(negotiated, self._campaign_bp[campaign]),
        )

    def _days(
        self, rates: MonthRates, local: np.ndarray, category: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Day offsets within the month, drawn from each customer's active days by intensity."""
        n_cat = len(CATEGORIES)
        cumulative = rates.cumulative.reshape(2 * n_cat, -1)
        width = cumulative.shape[1]
        group = self.customers.southern[rates.customers[local]].astype(np.int64) * n_cat + category
        first, stop = rates.first[local], rates.stop[local]
        low, high = cumulative[group, first], cumulative[group, stop]
        target = low + rng.random(len(local)) * (high - low)
        span = 2.0 * float(cumulative[:, -1].max()) + 1.0  # makes the concatenated rows increasing
        flat = (cumulative + np.arange(2 * n_cat)[:, None] * span).ravel()
        pos = np.searchsorted(flat, target + group * span, side="right") - 1 - group * width
        return np.clip(pos, first, stop - 1)

    def _seconds(self, n: int, rng: np.random.Generator) -> np.ndarray:
        hour = np.searchsorted(self._hourly, rng.random(n), side="right")
        return np.minimum(hour, 23) * 3600 + rng.integers(0, 3600, n)

    def _campaigns(self, day: np.ndarray, category: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Campaign index per order (-1 for none): a share of the eligible orders in each window."""
        code = np.full(len(day), -1, dtype=np.int64)
        u = rng.random(len(day))
        for j, c in enumerate(self.campaigns):
            eligible = (day >= c.start_day) & (day <= c.end_day) & (u < c.redemption)
            if c.target_category:
                eligible &= category == CATEGORIES.index(c.target_category)
            code[eligible] = j
        return code

    # -- fate -----------------------------------------------------------------------------------

    def _later(
        self, month: Month, not_before: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """When a later version is made: a working-hours time in the next month or the one after,
        not before ``not_before``. Returns (microseconds, month index, whether it is on or before as_of)."""
        n = len(not_before)
        target = month.index + 1 + (rng.random(n) < SECOND_MONTH_SHARE)
        valid = target < len(self._month_lo)
        target = np.minimum(target, len(self._month_lo) - 1)
        lo, hi = self._month_lo[target], self._month_hi[target]
        day = np.maximum(lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64), not_before)
        valid &= day <= hi
        seconds = rng.integers(8 * 3600, 18 * 3600, n)
        return day * DAY_US + seconds * 1_000_000, target, valid

    def _fate(self, month: Month, orders: _Orders, rng: np.random.Generator) -> _Fate:
        """Cancelled on entry, cancelled later, shipped with the ship date recorded later, or as planned."""
        s = self.signals
        bounds = np.cumsum([s.direct_cancel_share, s.late_cancel_share, s.late_ship_date_share])
        band = np.searchsorted(bounds, rng.random(len(orders.day)), side="right")
        natural = np.where(orders.ship_day <= self._month_hi[-1], SHIPPED, OPEN)
        late_ship = (band == 2) & (natural == SHIPPED)
        later_us, later_month, valid = self._later(month, np.where(late_ship, orders.ship_day, 0), rng)
        late_cancel = (band == 1) & valid
        late_ship &= valid
        direct = band == 0
        return _Fate(
            status=np.where(direct | late_cancel, CANCELLED, natural),
            direct_cancel=direct,
            late_cancel=late_cancel,
            late_ship=late_ship,
            later_us=later_us,
            later_month=later_month,
        )

    # -- lines ----------------------------------------------------------------------------------

    def _line_categories(
        self, main: np.ndarray, business: np.ndarray, line_no: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """First line: the order's main category; further lines by the cross-selling matrix."""
        rows = self._cross_sell[business.astype(np.int64), main]
        other = np.minimum((rng.random(len(main))[:, None] > rows).sum(axis=1), len(CATEGORIES) - 1)
        return np.where(line_no == 1, main, other)

    def _products(
        self, month: Month, category: np.ndarray, territory: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """A product of the line's category on sale all month, by popularity; the products of each
        territory's lines of a category are a stratified sample, so its product mix follows popularity."""
        cat = self.catalogue
        on_sale = cat.available(month.lo, month.hi)
        product = np.empty(len(category), dtype=np.int64)
        u = _stratified_uniforms(category * len(TERRITORIES) + territory, rng)
        for k, name in enumerate(CATEGORIES):
            lines = np.flatnonzero(category == k)
            if not len(lines):
                continue
            candidates = np.flatnonzero(on_sale & (cat.category == k))
            if not len(candidates):
                raise RuntimeError(f"no {name} product on sale in {month.label}")
            weights = np.cumsum(cat.popularity[candidates])
            pick = np.searchsorted(weights, u[lines] * weights[-1], side="right")
            product[lines] = candidates[np.minimum(pick, len(candidates) - 1)]
        return product

    def _lines(self, month: Month, orders: _Orders, fate: _Fate, rng: np.random.Generator) -> MonthBatch:
        """Baskets, the final version of every line, its first version and the later versions."""
        n_lines = 1 + np.minimum(
            rng.poisson(self._extra_lines[orders.profile]), self._max_lines[orders.profile] - 1
        )
        of = np.repeat(np.arange(len(n_lines)), n_lines)  # order of each line
        line_no = np.arange(len(of)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
        business = self.customers.business[orders.customer[of]]
        category = self._line_categories(orders.category[of], business, line_no, rng)
        product = self._products(month, category, self.customers.territory[orders.customer[of]], rng)
        quantity = 1 + rng.poisson(self._quantity[orders.profile[of], category])
        year = _year_of(orders.day)[of] - self.catalogue.first_year

        corrected_us, corrected_month, valid = self._later(month, np.zeros(len(of), dtype=np.int64), rng)
        untouched = ~(fate.direct_cancel | fate.late_cancel | fate.late_ship)
        corrected = (rng.random(len(of)) < self.signals.late_quantity_share) & valid & untouched[of]
        order_updated = (fate.late_cancel | fate.late_ship)[of]
        status = fate.status[of]
        final = Lines(
            order_no=orders.number[of],
            line_no=line_no,
            order_day=orders.day[of],
            due_day=orders.due_day[of],
            ship_day=np.where(status == SHIPPED, orders.ship_day[of], -1),
            status=status,
            customer=orders.customer[of],
            product=product,
            quantity=quantity,
            price=self.catalogue.price_cents[product, year],
            discount_bp=orders.discount_bp[of],
            cost=self.catalogue.cost_cents[product, year],
            campaign=orders.campaign[of],
            modified_us=np.where(corrected, corrected_us, np.where(order_updated, fate.later_us[of], 0)),
        )
        wrong = quantity + rng.choice(np.array([-2, -1, 1, 2]), len(of))
        first = replace(
            final,
            status=np.where(order_updated, OPEN, final.status),
            ship_day=np.where(order_updated, -1, final.ship_day),
            quantity=np.where(corrected, np.where(wrong < 1, quantity + 1, wrong), quantity),
            modified_us=orders.created_us[of],
        )
        final = replace(
            final, modified_us=np.where(corrected | order_updated, final.modified_us, first.modified_us)
        )
        updated = np.flatnonzero(corrected | order_updated)
        kind = np.where(corrected, LATE_QUANTITY, np.where(fate.late_cancel[of], LATE_CANCEL, LATE_SHIP))
        return MonthBatch(
            month=month,
            lines=first,
            final=final,
            updates=final.take(updated),
            update_month=np.where(corrected, corrected_month, fate.later_month[of])[updated],
            update_kind=kind[updated],
            direct_cancels=int(fate.direct_cancel[of].sum()),
        )
