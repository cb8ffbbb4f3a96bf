"""``_manifest.json``: the parameters, the files and the planted signals with their true values."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TypedDict

import numpy as np

from .budget import BudgetLine
from .catalogue import CATEGORIES, LAUNCH_SUBCATEGORY
from .customers import Customers
from .demand import SEASONALITY, SOUTHERN_SHIFTED, WEEKDAY
from .geography import REGIONS, SOUTHERN_TERRITORIES, TERRITORIES
from .lines import STATUSES
from .orders import UPDATE_KINDS
from .plan import Period
from .tally import Tally, cents_text
from .world import World

MANIFEST_NAME = "_manifest.json"
FORMAT_VERSION = 1


class FileEntry(TypedDict):
    rows: int
    bytes: int
    sha256: str


def file_entry(path: Path, rows: int) -> FileEntry:
    data = path.read_bytes()
    return {"rows": rows, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _ids(customers: Customers, index: np.ndarray) -> list[str]:
    return [str(v) for v in customers.ids.take(index).to_pylist()]


def _attainment(period: Period, tally: Tally, budget: list[BudgetLine]) -> dict[str, float] | None:
    """Actual / budget net sales per region in the budget year, when the data covers all of it."""
    months = [m for m in period.months if m.first.year == period.budget_year]
    if len(months) != 12 or not all(m.full for m in months):
        return None
    actual = tally.actual[[m.index for m in months]].sum(axis=(0, 1))  # per territory, cents
    region_of = {t.code: t.region for t in TERRITORIES}
    planned = dict.fromkeys(REGIONS, 0)
    for line in budget:
        planned[region_of[line.territory_code]] += line.amount * 100
    done = dict.fromkeys(REGIONS, 0)
    for t, terr in enumerate(TERRITORIES):
        done[terr.region] += int(actual[t])
    return {r: round(done[r] / planned[r], 4) for r in REGIONS if planned[r]}


def signals_truth(world: World, tally: Tally, budget: list[BudgetLine]) -> dict[str, object]:
    period, signals, demand = world.period, world.signals, world.demand
    customers, catalogue, campaigns = world.customers, world.catalogue, world.campaigns
    years = sorted(tally.net_by_year)
    net = tally.net_by_year
    launch_campaign = [c.code for c in campaigns if c.campaign_type == "Product launch"]
    ended = catalogue.skus_ending(period.discontinue_date)
    first_versions = tally.first_versions
    histories = tally.client_histories()
    declining, controls = _ids(customers, customers.declining), _ids(customers, customers.controls)
    return {
        "seasonality": {
            "monthly_index": {c: SEASONALITY[k].round(2).tolist() for k, c in enumerate(CATEGORIES)},
            "southern_hemisphere_territories": sorted(SOUTHERN_TERRITORIES),
            "southern_shifted_categories": [CATEGORIES[k] for k in SOUTHERN_SHIFTED],
            "weekday_index_monday_first": WEEKDAY.round(2).tolist(),
        },
        "growth": {
            "volume_growth": signals.volume_growth,
            "price_increase": signals.price_increase,
            "expected_net_sales_growth": round(
                (1 + signals.volume_growth) * (1 + signals.price_increase) - 1, 4
            ),
            "net_sales_by_year": {str(y): cents_text(net[y]) for y in years},
            "orders_by_year": {str(y): tally.orders_by_year[y] for y in years},
            "net_sales_growth_by_year": {str(y): round(net[y] / net[y - 1] - 1, 4) for y in years[1:]},
            "note": "net sales = extended_amount of the latest version of each line, excluding cancelled, "
            "by order_date; the first and last years may be partial",
        },
        "campaigns": {
            c.code: {**c.truth(), "orders_with_code": int(tally.campaign_orders[j])}
            for j, c in enumerate(campaigns)
        },
        "declining_clients": {
            "decline_start": period.decline_start.isoformat(),
            "rate_floor": signals.decline_floor,
            "floor_reached_after_months": signals.decline_months,
            "silence_days_before_as_of": list(signals.silence_days),
            "clients": {
                cid: histories[int(i)] for cid, i in zip(declining, customers.declining, strict=True)
            },
            "controls": {cid: histories[int(i)] for cid, i in zip(controls, customers.controls, strict=True)},
        },
        "large_clients": {
            "ids": _ids(customers, np.flatnonzero(customers.large)),
            "order_share": signals.large_client_order_share,
        },
        "budget_miss": {
            "region": signals.miss_region,
            "budget_year": period.budget_year,
            "planned_growth": signals.planned_growth,
            "region_net_sales_growth_in_budget_year": signals.miss_region_growth,
            "region_order_rate_factor": round(demand.miss_region_factor, 4),
            "budget_basis": "expected prior-year net sales under the demand model (no sampling noise)"
            " by month, category and territory x (1 + planned_growth)",
            "attainment_by_region": _attainment(period, tally, budget),
        },
        "product_launch": {
            "subcategory": LAUNCH_SUBCATEGORY,
            "launch_date": period.launch_date.isoformat(),
            "skus": catalogue.skus_in(LAUNCH_SUBCATEGORY),
            "first_sale_date": None if tally.launch_first_day is None else _iso(tally.launch_first_day),
            "campaign": launch_campaign[0] if launch_campaign else None,
        },
        "discontinued_products": {
            "sell_end_date": period.discontinue_date.isoformat(),
            "skus": ended,
            "last_sale_date": None if tally.ended_last_day is None else _iso(tally.ended_last_day),
        },
        "late_updates": {
            "planned_share": round(signals.late_update_share, 4),
            "count": tally.late_updates,
            "share": round(tally.late_updates / first_versions, 4) if first_versions else 0.0,
            "by_kind": {k: int(n) for k, n in zip(UPDATE_KINDS, tally.updates, strict=True)},
        },
        "sampling": {
            "orders": "per territory, customer segment and main category the monthly order count is the"
            " expected count rounded by systematic sampling; orders go to customers as a multinomial draw",
            "products": "stratified per territory and category, so each product mix follows popularity",
            "rounding": "extended_amount = quantity x unit_price x (1 - discount_pct),"
            " rounded half up to the cent",
        },
        "statuses": {
            "final_lines": {s: int(n) for s, n in zip(STATUSES, tally.final_status, strict=True)},
            "cancelled_on_entry_lines": tally.direct_cancels,
            "planned_cancelled_share": round(signals.direct_cancel_share + signals.late_cancel_share, 4),
        },
    }


def _iso(day: int) -> str:
    return str(np.datetime64(day, "D"))


def write_manifest(path: Path, content: dict[str, object]) -> None:
    content = {"format_version": FORMAT_VERSION, **content}
    path.write_text(
        json.dumps(content, sort_keys=True, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
