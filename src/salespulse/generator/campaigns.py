"""Marketing campaigns: a three-year rota of windows plus the launch campaign of the new product line."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from .catalogue import LAUNCH_SUBCATEGORY, SUBCATEGORIES
from .plan import Period, day_number


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    campaign_type: str
    channel: str
    start: date
    end: date
    discount: Decimal
    target_category: str | None
    #: Order rate of the target category (or of all orders) is multiplied by this in the window.
    uplift: float
    #: Share of the eligible orders in the window that use the campaign (code and discount).
    redemption: float

    @property
    def start_day(self) -> int:
        return day_number(self.start)

    @property
    def end_day(self) -> int:
        return day_number(self.end)

    def overlaps(self, other: Campaign) -> bool:
        return self.start <= other.end and other.start <= self.end

    def row(self) -> dict[str, object]:
        return {
            "campaign_code": self.code,
            "campaign_name": f"{self.name} {self.start.year}",
            "campaign_type": self.campaign_type,
            "channel": self.channel,
            "start_date": self.start,
            "end_date": self.end,
            "discount_pct": self.discount,
            "target_category": self.target_category,
        }

    def truth(self) -> dict[str, object]:
        """What the manifest records about the campaign."""
        return {
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "target_category": self.target_category,
            "discount_pct": str(self.discount),
            "uplift": self.uplift,
            "redemption_share": self.redemption,
        }


# name, type, channel, (month, day) of the first day, length in days, discount, target, uplift, redemption
_Slot = tuple[str, str, str, tuple[int, int], int, str, str | None, float, float]

#: Campaign slots by year of a three-year rota. Windows never fall on the same calendar days in two
#: rota years, so every window can be compared with the same days of other years without a campaign.
_ROTA: tuple[tuple[_Slot, ...], ...] = (
    (
        ("New Year Clearance", "Clearance", "Email", (1, 10), 21, "0.20", "Clothing", 1.45, 0.55),
        ("Spring Into Cycling", "Seasonal sale", "Display", (4, 4), 21, "0.10", "Bikes", 1.35, 0.45),
        ("Black Friday Week", "Seasonal sale", "Social", (11, 21), 14, "0.15", None, 1.6, 0.5),
    ),
    (
        ("Spring Tune-up", "Seasonal sale", "Search", (3, 6), 21, "0.10", "Components", 1.4, 0.5),
        ("Loyalty Rewards", "Loyalty", "Email", (9, 11), 21, "0.05", "Accessories", 1.3, 0.4),
        ("Holiday Gift Guide", "Seasonal sale", "Email", (12, 5), 18, "0.10", "Accessories", 1.5, 0.5),
    ),
    (
        ("Winter Warm-up", "Clearance", "Display", (2, 5), 21, "0.15", "Clothing", 1.4, 0.5),
        ("Summer Ride Sale", "Seasonal sale", "Search", (5, 13), 21, "0.10", "Bikes", 1.35, 0.45),
        ("Members Week", "Loyalty", "Email", (10, 14), 14, "0.05", None, 1.3, 0.35),
    ),
)

_LAUNCH: _Slot = ("E-Bike Launch", "Product launch", "Social", (0, 0), 28, "0.05", "Bikes", 1.5, 0.4)


def _campaign(slot: _Slot, start: date) -> Campaign:
    name, kind, channel, _, length, discount, target, uplift, redemption = slot
    end = start + timedelta(days=length - 1)
    return Campaign("", name, kind, channel, start, end, Decimal(discount), target, uplift, redemption)


def build_campaigns(period: Period) -> list[Campaign]:
    """The campaigns that fit entirely in the period, with codes ``CMPyynn`` in date order."""
    if SUBCATEGORIES[LAUNCH_SUBCATEGORY][0] != _LAUNCH[6]:
        raise AssertionError("the launch campaign must target the launched product line's category")
    launch = _campaign(_LAUNCH, period.launch_date)
    found = [launch]
    for year in period.years:
        for slot in _ROTA[(year - period.start.year) % len(_ROTA)]:
            month, day = slot[3]
            c = _campaign(slot, date(year, month, day))
            if not c.overlaps(launch):
                found.append(c)
    inside = sorted(
        (c for c in found if period.start <= c.start and c.end <= period.as_of), key=lambda c: c.start
    )
    out: list[Campaign] = []
    for c in inside:
        seq = 1 + sum(1 for o in out if o.start.year == c.start.year)
        out.append(replace(c, code=f"CMP{c.start:%y}{seq:02d}"))
    return out
