"""The product catalogue: models in colours and sizes, prices by year, launches and discontinuations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from .plan import Period, add_months, day_number

CATEGORIES: tuple[str, ...] = ("Bikes", "Components", "Clothing", "Accessories")
BIKES, COMPONENTS, CLOTHING, ACCESSORIES = range(4)

#: The product line launched in the middle of the period.
LAUNCH_SUBCATEGORY = "E-Bikes"

#: subcategory -> (category, SKU prefix)
SUBCATEGORIES: dict[str, tuple[str, str]] = {
    "Mountain Bikes": ("Bikes", "BK"),
    "Road Bikes": ("Bikes", "BK"),
    "Touring Bikes": ("Bikes", "BK"),
    "E-Bikes": ("Bikes", "EB"),
    "Wheels": ("Components", "WH"),
    "Frames": ("Components", "FR"),
    "Brakes": ("Components", "BR"),
    "Drivetrain": ("Components", "DT"),
    "Saddles": ("Components", "SE"),
    "Jerseys": ("Clothing", "JE"),
    "Shorts & Tights": ("Clothing", "SH"),
    "Gloves": ("Clothing", "GL"),
    "Jackets & Vests": ("Clothing", "JK"),
    "Caps & Socks": ("Clothing", "CS"),
    "Helmets": ("Accessories", "HE"),
    "Bottles & Cages": ("Accessories", "BC"),
    "Lights & Locks": ("Accessories", "LL"),
    "Tires & Tubes": ("Accessories", "TT"),
    "Pumps & Tools": ("Accessories", "PT"),
    "Racks & Stands": ("Accessories", "RA"),
}

COLOR_CODES = {"Black": "B", "Silver": "S", "Red": "R", "Blue": "U", "Yellow": "Y", "White": "W", "Grey": "G"}
COLOR_CODES["Multi"] = "M"

# Lifecycle markers: CORE models were on sale before the period; NEW ones start a given number of
# months after the period start; LAUNCH models start on the launch date (the product-line launch
# and a replacement model); DISCONTINUED ones stop the day before it.
CORE, NEW, LAUNCH, DISCONTINUED = "core", "new", "launch", "discontinued"

_F = ("S", "M", "L", "XL")
_MTB = ("38", "42", "44", "48")
_ROAD = ("44", "48", "52", "58")

# name, code, subcategory, list price (in the as_of year), colours, sizes, popularity, lifecycle, months
_MODEL_ROWS: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], float, str, int], ...] = (
    ("Mountain-100", "M100", "Mountain Bikes", "3399.99", ("Silver", "Black"), _MTB, 0.5, CORE, 0),
    (
        "Mountain-200",
        "M200",
        "Mountain Bikes",
        "2294.99",
        ("Silver", "Black"),
        ("38", "42", "46"),
        1.0,
        CORE,
        0,
    ),
    ("Mountain-300", "M300", "Mountain Bikes", "1079.99", ("Black",), ("38", "40", "44", "48"), 1.4, CORE, 0),
    ("Mountain-500", "M500", "Mountain Bikes", "539.99", ("Silver", "Black"), (*_MTB, "52"), 1.6, CORE, 0),
    ("Road-150", "R150", "Road Bikes", "3499.99", ("Red",), (*_ROAD, "62"), 0.4, CORE, 0),
    ("Road-350", "R350", "Road Bikes", "1699.99", ("Black", "Red"), _ROAD, 0.9, CORE, 0),
    ("Road-550", "R550", "Road Bikes", "1120.49", ("Red", "Yellow"), _ROAD, 1.1, CORE, 0),
    ("Road-650", "R650", "Road Bikes", "782.99", ("Red", "Black"), (*_ROAD, "62"), 1.5, DISCONTINUED, 0),
    ("Road-450", "R450", "Road Bikes", "799.99", ("Blue", "Black"), _ROAD, 1.5, LAUNCH, 0),
    ("Road-750", "R750", "Road Bikes", "539.99", ("Black",), _ROAD, 1.3, CORE, 0),
    (
        "Touring-1000",
        "T1000",
        "Touring Bikes",
        "2384.07",
        ("Blue", "Yellow"),
        ("46", "50", "54", "60"),
        0.6,
        CORE,
        0,
    ),
    ("Touring-2000", "T2000", "Touring Bikes", "1214.85", ("Blue",), ("46", "50", "54", "60"), 0.8, CORE, 0),
    (
        "Touring-3000",
        "T3000",
        "Touring Bikes",
        "742.35",
        ("Blue", "Yellow"),
        ("44", "50", "54", "58", "62"),
        1.0,
        CORE,
        0,
    ),
    ("E-Trail 500", "E500", "E-Bikes", "3299.99", ("Black", "Grey"), ("M", "L"), 0.2, LAUNCH, 0),
    ("E-City 300", "E300", "E-Bikes", "2499.99", ("Grey", "White"), ("S", "M", "L"), 0.25, LAUNCH, 0),
    ("E-Commute 200", "E200", "E-Bikes", "1899.99", ("Black", "White"), ("S", "M", "L"), 0.3, LAUNCH, 0),
    ("LL Mountain Front Wheel", "LMF", "Wheels", "60.75", (), (), 1.5, CORE, 0),
    ("ML Mountain Front Wheel", "MMF", "Wheels", "209.03", (), (), 0.9, CORE, 0),
    ("HL Mountain Rear Wheel", "HMR", "Wheels", "327.22", (), (), 0.6, CORE, 0),
    ("LL Road Front Wheel", "LRF", "Wheels", "85.57", (), (), 1.3, CORE, 0),
    ("HL Road Rear Wheel", "HRR", "Wheels", "357.06", (), (), 0.6, CORE, 0),
    ("Touring Rear Wheel", "TRR", "Wheels", "245.01", (), (), 0.7, CORE, 0),
    (
        "HL Mountain Frame",
        "HMF",
        "Frames",
        "989.99",
        ("Black", "Silver"),
        ("38", "42", "46", "48"),
        0.3,
        CORE,
        0,
    ),
    ("ML Road Frame", "MRF", "Frames", "594.83", ("Red",), _ROAD, 0.4, CORE, 0),
    (
        "LL Touring Frame",
        "LTF",
        "Frames",
        "333.42",
        ("Blue", "Yellow"),
        ("50", "54", "58", "62"),
        0.4,
        CORE,
        0,
    ),
    ("Front Brakes", "FB", "Brakes", "106.50", ("Silver",), (), 1.2, CORE, 0),
    ("Rear Brakes", "RB", "Brakes", "106.50", ("Silver",), (), 1.2, CORE, 0),
    ("Hydraulic Disc Brake Set", "HDB", "Brakes", "249.99", ("Black",), (), 0.7, NEW, 10),
    ("Chain", "CH", "Drivetrain", "20.24", ("Silver",), (), 2.5, CORE, 0),
    ("Front Derailleur", "FD", "Drivetrain", "91.49", ("Silver",), (), 0.9, CORE, 0),
    ("Rear Derailleur", "RD", "Drivetrain", "121.46", ("Silver",), (), 1.0, CORE, 0),
    ("LL Crankset", "LCS", "Drivetrain", "175.49", ("Black",), (), 0.6, CORE, 0),
    ("HL Crankset", "HCS", "Drivetrain", "404.99", ("Black",), (), 0.4, CORE, 0),
    ("ML Pedal", "MPD", "Drivetrain", "62.09", ("Silver",), (), 1.2, CORE, 0),
    ("HL Pedal", "HPD", "Drivetrain", "80.99", ("Silver",), (), 0.8, CORE, 0),
    ("11-Speed Cassette", "C11", "Drivetrain", "89.99", ("Silver",), (), 1.1, CORE, 0),
    ("LL Road Seat", "LRS", "Saddles", "27.12", ("Black",), (), 1.2, CORE, 0),
    ("ML Mountain Seat", "MMS", "Saddles", "39.14", ("Black",), (), 1.0, CORE, 0),
    ("HL Touring Seat", "HTS", "Saddles", "52.64", ("Black",), (), 0.7, CORE, 0),
    ("Gel Comfort Saddle", "GCS", "Saddles", "34.99", ("Black",), (), 1.1, CORE, 0),
    ("Long-Sleeve Logo Jersey", "LSL", "Jerseys", "49.99", ("Multi",), _F, 1.4, CORE, 0),
    ("Short-Sleeve Classic Jersey", "SSC", "Jerseys", "53.99", ("Yellow", "Blue"), _F, 1.2, DISCONTINUED, 0),
    ("Pro Team Jersey", "PTJ", "Jerseys", "64.99", ("Red", "Black"), _F, 0.9, LAUNCH, 0),
    ("Men's Sports Shorts", "MSS", "Shorts & Tights", "59.99", ("Black",), _F, 1.2, CORE, 0),
    ("Women's Mountain Shorts", "WMS", "Shorts & Tights", "69.99", ("Black",), _F[:3], 1.0, CORE, 0),
    ("Women's Tights", "WTI", "Shorts & Tights", "74.99", ("Black",), _F[:3], 0.7, CORE, 0),
    ("Men's Bib-Shorts", "MBS", "Shorts & Tights", "89.99", ("Multi",), _F[:3], 0.6, CORE, 0),
    ("Half-Finger Gloves", "HFG", "Gloves", "24.49", ("Black",), _F[:3], 1.5, CORE, 0),
    ("Full-Finger Gloves", "FFG", "Gloves", "37.99", ("Black",), _F[:3], 1.1, CORE, 0),
    ("Winter Gloves", "WGL", "Gloves", "44.99", ("Black",), _F[:3], 0.8, CORE, 0),
    ("Classic Vest", "CVE", "Jackets & Vests", "63.50", ("Blue",), _F[:3], 0.8, CORE, 0),
    ("Rain Jacket", "RJA", "Jackets & Vests", "89.99", ("Yellow", "Black"), _F, 0.5, NEW, 8),
    ("Cycling Cap", "CAP", "Caps & Socks", "8.99", ("Multi",), (), 2.0, CORE, 0),
    ("Racing Socks", "RSO", "Caps & Socks", "8.99", ("White",), ("M", "L"), 1.6, CORE, 0),
    ("Mountain Bike Socks", "MSO", "Caps & Socks", "9.50", ("White",), ("M", "L"), 1.4, DISCONTINUED, 0),
    ("Merino Socks", "MER", "Caps & Socks", "14.99", ("Grey",), ("M", "L"), 1.0, CORE, 0),
    ("Sport-100 Helmet", "S100", "Helmets", "34.99", ("Red", "Black", "Blue"), (), 3.0, CORE, 0),
    ("Aero Road Helmet", "AERO", "Helmets", "129.99", ("White", "Black"), (), 0.3, NEW, 3),
    ("Kids Helmet", "KID", "Helmets", "29.99", ("Blue", "Red"), (), 1.0, CORE, 0),
    ("Water Bottle - 30 oz.", "WB30", "Bottles & Cages", "4.99", (), (), 4.0, CORE, 0),
    ("Mountain Bottle Cage", "MBC", "Bottles & Cages", "9.99", (), (), 1.8, CORE, 0),
    ("Road Bottle Cage", "RBC", "Bottles & Cages", "8.99", (), (), 1.6, CORE, 0),
    ("Insulated Bottle", "INS", "Bottles & Cages", "14.99", (), (), 1.2, CORE, 0),
    ("Headlights - Dual-Beam", "HDB", "Lights & Locks", "34.99", (), (), 1.2, CORE, 0),
    ("Headlights - Weatherproof", "HWP", "Lights & Locks", "44.99", (), (), 1.0, CORE, 0),
    ("Taillights - Battery-Powered", "TLB", "Lights & Locks", "13.99", (), (), 1.6, CORE, 0),
    ("Rechargeable Light Set", "RLS", "Lights & Locks", "64.99", (), (), 0.4, NEW, 14),
    ("Cable Lock", "CLK", "Lights & Locks", "25.00", (), (), 1.4, CORE, 0),
    ("U-Lock", "ULK", "Lights & Locks", "59.99", (), (), 1.0, CORE, 0),
    ("Patch Kit/8 Patches", "PK8", "Tires & Tubes", "3.29", (), (), 2.5, CORE, 0),
    ("Mountain Tire Tube", "MTT", "Tires & Tubes", "4.99", (), (), 2.5, CORE, 0),
    ("Road Tire Tube", "RTT", "Tires & Tubes", "3.99", (), (), 2.2, CORE, 0),
    ("HL Mountain Tire", "HMT", "Tires & Tubes", "35.00", (), (), 1.0, CORE, 0),
    ("ML Road Tire", "MRT", "Tires & Tubes", "24.99", (), (), 1.1, CORE, 0),
    ("Touring Tire", "TOT", "Tires & Tubes", "28.99", (), (), 0.9, CORE, 0),
    ("Minipump", "MPU", "Pumps & Tools", "19.99", (), (), 1.6, CORE, 0),
    ("Floor Pump", "FPU", "Pumps & Tools", "49.99", (), (), 0.9, CORE, 0),
    ("Multi-Tool", "MTL", "Pumps & Tools", "24.99", (), (), 1.2, CORE, 0),
    ("Bike Wash - Dissolver", "BWD", "Pumps & Tools", "7.95", (), (), 1.5, CORE, 0),
    ("Chain Lube", "LUB", "Pumps & Tools", "6.99", (), (), 1.8, CORE, 0),
    ("Hitch Rack - 4-Bike", "HR4", "Racks & Stands", "120.00", (), (), 0.6, CORE, 0),
    ("Wall Mount Rack", "WMR", "Racks & Stands", "39.99", (), (), 0.8, CORE, 0),
    ("All-Purpose Bike Stand", "APS", "Racks & Stands", "159.00", (), (), 0.5, CORE, 0),
)

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Catalogue:
    """One entry per SKU; ``price_cents``/``cost_cents`` are per SKU and calendar year of the period."""

    rows: list[dict[str, object]]
    sku: list[str]
    category: np.ndarray  # category index per SKU
    subcategory: list[str]
    start_day: np.ndarray  # day number of sell_start_date
    end_day: np.ndarray  # day number of sell_end_date (a far-future day while on sale)
    popularity: np.ndarray
    first_year: int
    price_cents: np.ndarray  # (n_sku, n_years)
    cost_cents: np.ndarray  # (n_sku, n_years)

    def __len__(self) -> int:
        return len(self.sku)

    def available(self, lo: int, hi: int) -> np.ndarray:
        """SKUs on sale on every day from ``lo`` to ``hi`` (day numbers)."""
        return (self.start_day <= lo) & (self.end_day >= hi)

    def skus_in(self, subcategory: str) -> list[str]:
        return [s for s, sub in zip(self.sku, self.subcategory, strict=True) if sub == subcategory]

    def skus_ending(self, end: date) -> list[str]:
        return [str(r["sku"]) for r in self.rows if r["sell_end_date"] == end]


def _price_in(price: Decimal, years_back: int, increase: float) -> Decimal:
    return (price / Decimal(str(1 + increase)) ** years_back).quantize(_CENT, rounding=ROUND_HALF_UP)


def _size_weights(n: int) -> list[float]:
    """Middle sizes sell best."""
    return [1.0 + min(i, n - 1 - i) for i in range(n)] if n else [1.0]


def build_catalogue(period: Period, rng: np.random.Generator, price_increase: float) -> Catalogue:
    far_future = day_number(date(9999, 12, 31))
    years = list(period.years)
    price_year = period.as_of.year
    rows: list[dict[str, object]] = []
    category: list[int] = []
    popularity: list[float] = []
    prices: list[list[int]] = []
    costs: list[list[int]] = []
    start_days: list[int] = []
    end_days: list[int] = []
    for name, code, sub, price, colors, sizes, pop, lifecycle, months in _MODEL_ROWS:
        cat, prefix = SUBCATEGORIES[sub]
        start = {
            CORE: add_months(period.start, -int(rng.integers(6, 48))),
            DISCONTINUED: add_months(period.start, -int(rng.integers(12, 48))),
            NEW: add_months(period.start, months),
            LAUNCH: period.launch_date,
        }[lifecycle]
        end = period.discontinue_date if lifecycle == DISCONTINUED else None
        list_price = Decimal(price)
        cost_share = Decimal(str(round(float(rng.uniform(0.50, 0.70)), 3)))
        listed_year = min(price_year, end.year) if end else price_year
        by_year = [_price_in(list_price, price_year - y, price_increase) for y in years]
        cost_by_year = [(p * cost_share).quantize(_CENT, rounding=ROUND_HALF_UP) for p in by_year]
        size_w = _size_weights(len(sizes))
        for color in colors or (None,):
            for size, sw in zip(sizes or (None,), size_w, strict=True):
                sku = f"{prefix}-{code}{COLOR_CODES[color] if color else ''}{'-' + size if size else ''}"
                label = (
                    f"{name} {color}, {size}"
                    if color and size
                    else ", ".join(filter(None, (name, color, size)))
                )
                listed = _price_in(list_price, price_year - listed_year, price_increase)
                rows.append(
                    {
                        "sku": sku,
                        "product_name": label,
                        "model": name,
                        "color": color,
                        "size": size,
                        "subcategory": sub,
                        "category": cat,
                        "list_price": listed,
                        "standard_cost": (listed * cost_share).quantize(_CENT, rounding=ROUND_HALF_UP),
                        "sell_start_date": start,
                        "sell_end_date": end,
                    }
                )
                category.append(CATEGORIES.index(cat))
                start_days.append(day_number(start))
                end_days.append(day_number(end) if end else far_future)
                popularity.append(pop * sw / max(len(colors), 1))
                prices.append([int(p * 100) for p in by_year])
                costs.append([int(c * 100) for c in cost_by_year])
    skus = [str(r["sku"]) for r in rows]
    if len(set(skus)) != len(skus):
        raise AssertionError("duplicate SKU in the catalogue")
    return Catalogue(
        rows=rows,
        sku=skus,
        category=np.array(category, dtype=np.int64),
        subcategory=[str(r["subcategory"]) for r in rows],
        start_day=np.array(start_days, dtype=np.int64),
        end_day=np.array(end_days, dtype=np.int64),
        popularity=np.array(popularity),
        first_year=years[0],
        price_cents=np.array(prices, dtype=np.int64),
        cost_cents=np.array(costs, dtype=np.int64),
    )
