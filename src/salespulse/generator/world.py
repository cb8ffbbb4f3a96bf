"""The simulated world the order lines are drawn from: the period, the planted signals, the catalogue,
the campaigns, the customers and the demand model calibrated to them.

One object, built once per generation, so that the order simulator and the manifest's ground truth
read the same world instead of each taking its six parts as a list of arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from .campaigns import Campaign, build_campaigns
from .catalogue import Catalogue, build_catalogue
from .customers import Customers, build_customers
from .demand import Demand
from .plan import Period, Signals
from .rng import stream


@dataclass(frozen=True)
class World:
    period: Period
    signals: Signals
    catalogue: Catalogue
    campaigns: list[Campaign]
    customers: Customers
    demand: Demand


def build_world(period: Period, seed: int, order_lines: int) -> World:
    """The world of ``period`` for ``seed``, its demand calibrated to about ``order_lines`` lines."""
    signals = Signals()
    catalogue = build_catalogue(period, stream(seed, "reference"), signals.price_increase)
    campaigns = build_campaigns(period)
    customers = build_customers(period, signals, order_lines, stream(seed, "customers"))
    demand = Demand(period, signals, campaigns, customers)
    demand.calibrate(order_lines)
    return World(period, signals, catalogue, campaigns, customers, demand)
