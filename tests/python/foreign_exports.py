"""A small company's exports in a foreign (AdventureWorks-like) shape, written by the tests.

Internet sales without line numbers or quantities, dates as integer keys (``20250131``), unit
prices and amounts with 4 decimals; customers with a city but no country (a city -> country
lookup file beside them, and one city missing from it); products with subcategory and category
names; a small employee export; and finance's budget workbook as they send it (sheet ``Budget``,
``Date | Budget``, 18 months, trailing blank rows). Deterministic for a seed.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl

FOUR = Decimal("0.0001")
CENT = Decimal("0.01")

CITIES = (  # city, state, country: Lyon is deliberately not in the lookup file (default: US)
    ("Seattle", "Washington", "US"),
    ("Portland", "Oregon", "US"),
    ("Toronto", "Ontario", "CA"),
    ("Berlin", "Berlin", "DE"),
    ("Paris", "Ile-de-France", "FR"),
    ("Lyon", "Auvergne-Rhone-Alpes", "FR"),
)
NOT_IN_LOOKUP = "Lyon"
PRODUCTS = (  # subcategory, category, base price
    ("Road Bikes", "Bikes", Decimal("1457.9900")),
    ("Mountain Bikes", "Bikes", Decimal("2319.9900")),
    ("Helmets", "Accessories", Decimal("34.9900")),
    ("Bottles and Cages", "Accessories", Decimal("4.9950")),
    ("Jerseys", "Clothing", Decimal("53.9900")),
    ("Gloves", "Clothing", Decimal("24.4950")),
)
NAMESAKE = ("Jordan", "Lee")
SALES_HEADER = (
    "ProductKey",
    "OrderDateKey",
    "DueDateKey",
    "ShipDateKey",
    "CustomerKey",
    "SalesOrderNumber",
    "UnitPrice",
    "ProductStandardCost",
    "SalesAmount",
    "TaxAmt",
)


@dataclass(frozen=True)
class ForeignExports:
    folder: Path
    sales_files: tuple[str, ...]
    customer_keys: tuple[int, ...]
    namesake_keys: tuple[int, int]
    budget_file: str


def _key(day: date) -> str:
    return day.strftime("%Y%m%d")


def _write(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_budget_workbook(path: Path, first: date, months: int, amount: Decimal) -> None:
    """Finance's workbook as sent: sheet Budget, Date | Budget, then a few blank rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet.append(["Date", "Budget"])
    year, month = first.year, first.month
    for i in range(months):
        sheet.append([date(year, month, 1), float(amount + i * 100)])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for _ in range(3):
        sheet.append([None, None])
    workbook.save(path)


def write_foreign_exports(
    folder: Path,
    *,
    seed: int = 11,
    orders: int = 2_000,
    start: date = date(2024, 1, 1),
    end: date = date(2026, 1, 31),
) -> ForeignExports:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    customers = []
    for key in range(11000, 11000 + 150):
        city, state, _ = CITIES[key % len(CITIES)]
        first, last = (
            rng.choice(("Ana", "Ben", "Chen", "Dara", "Eli")),
            rng.choice(("Ruiz", "Novak", "Okafor")),
        )
        customers.append([key, f"AW{key:08d}", first, last, f"c{key}@example.com", city, state, "2023-06-01"])
    namesakes = (11000 + 150, 11000 + 151)
    for key, city in zip(namesakes, ("Seattle", "Berlin"), strict=True):
        state = next(s for c, s, _ in CITIES if c == city)
        customers.append([key, f"AW{key:08d}", *NAMESAKE, f"c{key}@example.com", city, state, "2023-06-01"])
    _write(
        folder / "DimCustomer.csv",
        (
            "CustomerKey",
            "CustomerAlternateKey",
            "FirstName",
            "LastName",
            "EmailAddress",
            "City",
            "StateProvinceName",
            "DateFirstPurchase",
        ),
        customers,
    )
    _write(
        folder / "cities.csv",
        ("City", "CountryRegionCode"),
        [(c, country) for c, _, country in CITIES if c != NOT_IN_LOOKUP],
    )
    products = []
    for key, (subcategory, category, price) in enumerate(PRODUCTS, start=310):
        cost = (price * Decimal("0.6")).quantize(FOUR)
        products.append(
            [
                key,
                f"P-{key}",
                f"{subcategory} {key}",
                subcategory,
                category,
                price,
                cost,
                "2023-01-01 00:00:00",
            ]
        )
    _write(
        folder / "DimProduct.csv",
        (
            "ProductKey",
            "ProductAlternateKey",
            "EnglishProductName",
            "EnglishProductSubcategoryName",
            "EnglishProductCategoryName",
            "ListPrice",
            "StandardCost",
            "StartDate",
        ),
        products,
    )
    _write(
        folder / "DimEmployee.csv",
        ("EmployeeKey", "FirstName", "LastName", "EmailAddress", "Title", "HireDate", "ParentEmployeeKey"),
        [
            (272, "Amy", "Alberts", "amy.alberts@example.com", "VP Sales", "20200101", ""),
            (281, "Raj", "Patel", "raj.patel@example.com", "Sales Representative", "20210301", "272"),
        ],
    )
    keys = [c[0] for c in customers]
    days = (end - start).days + 1
    by_year: dict[int, list[tuple[object, ...]]] = {}
    for number in range(orders):
        day = start + timedelta(days=rng.randrange(days))
        customer = namesakes[number % 2] if number % 50 == 0 else rng.choice(keys)
        for _ in range(rng.choice((1, 1, 2, 3))):
            key = rng.randrange(310, 310 + len(PRODUCTS))
            base = products[key - 310][5]
            price = (base * Decimal(rng.choice(("1", "0.95", "1.0125")))).quantize(FOUR)
            amount = price  # one unit, no discount: the line amount is the unit price (4 decimals)
            by_year.setdefault(day.year, []).append(
                (
                    key,
                    _key(day),
                    _key(day + timedelta(days=12)),
                    _key(day + timedelta(days=7)),
                    customer,
                    f"SO{43697 + number}",
                    price,
                    products[key - 310][6],
                    amount,
                    (amount * Decimal("0.08")).quantize(FOUR),
                )
            )
    files = []
    for year, rows in sorted(by_year.items()):
        name = f"FactInternetSales_{year}.csv"
        _write(folder / name, SALES_HEADER, rows)
        files.append(name)
    budget = "Budget FY2025-26.xlsx"
    write_budget_workbook(folder / budget, date(2025, 1, 1), 18, Decimal("90000"))
    return ForeignExports(folder, tuple(files), tuple(keys), namesakes, budget)


def net_amount(amount: str) -> Decimal:
    """The contract's line amount: the export's amount rounded half up to the cent."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


DOC = Path(__file__).resolve().parents[2] / "docs" / "bring-your-own-data.md"
DOC_MARKER = "<!-- example mapping:"


def doc_mapping() -> str:
    """The example mapping of docs/bring-your-own-data.md (the first YAML block after its marker)."""
    text = DOC.read_text(encoding="utf-8")
    after = text[text.index(DOC_MARKER) :]
    start = after.index("```yaml\n") + len("```yaml\n")
    return after[start : after.index("```", start)]
