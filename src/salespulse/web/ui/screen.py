"""The data behind one page as the user sees it: the data layer's page datasets plus the current
level of each drill-down hierarchy (time, product, geography).

Drill levels follow the filters, so a drill is also a cross-filter of the whole page:

- time: all years -> the months of one year (a date range inside one calendar year);
- product: categories -> the subcategories of one category -> the products of one subcategory;
- geography: regions -> the countries of one region -> the cities of one country (``state["geo"]``).

Levels the page datasets already hold are summed from them (exact ``Decimal`` sums); the product
levels below category are measures of the data layer grouped by subcategory / product.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

from salespulse.web.query.budget import budget_grain
from salespulse.web.query.filters import Filters, Scope
from salespulse.web.query.measures import evaluate
from salespulse.web.query.pages import page_data
from salespulse.web.query.periods import card_periods
from salespulse.web.query.readers import Reader
from salespulse.web.ui.state import GEO_LEVELS, Resolved, State, parse_date
from salespulse.web.ui.visuals import PAGES, visuals

#: The dataset of the KPI cards' subtitles: the period each card covers (one row, a column per card).
KPI_PERIODS = "kpi_periods"
#: The Sales Reps page's note on quotas (Power BI's Rep Quota Note): one row, column ``note``.
QUOTA_NOTE = "quota_note"


def quota_note(reader: Reader) -> str:
    """What the Sales Reps page says about quotas: the rep's budget, or why there is none."""
    grain = budget_grain(reader)
    if grain is None:
        return "No budget is loaded: quotas per rep are not available."
    if grain[2]:
        return (
            "Quota = the rep's budget. Attainment and variance compare it with the rep's sales of the "
            "same months, to the as-of date."
        )
    return "The budget has no sales-rep grain: quotas per rep are not available."


MONTH_NUMBERS = {name: number for number, name in enumerate(calendar.month_name) if name}
PRODUCT_LEVELS = ("Category", "Subcategory", "Product")
DRILL_COLUMNS = ["Level", "Name", "Key", "Sales"]


def total(values: Iterable[Any]) -> Any:
    """The sum of the non-blank values (``None`` when all are blank), exact for ``Decimal``."""
    present = [v for v in values if v is not None and not (isinstance(v, float) and v != v)]
    if not present:
        return None
    return sum(present[1:], present[0])


def drilled_year(state: Mapping[str, Any]) -> int | None:
    """The year the time hierarchy is drilled into: the date range lies inside one calendar year."""
    start, end = parse_date(state.get("date_from")), parse_date(state.get("date_to"))
    if start and end and start.year == end.year:
        return start.year
    return None


def time_drill(frame: pd.DataFrame, year: int | None, series: str | None = None) -> pd.DataFrame:
    """Sales by year, or by month of ``year``, from a (Year, Month, [series], Sales) dataset."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in frame.to_dict("records"):
        if year is not None and int(row["Year"]) != year:
            continue
        month = MONTH_NUMBERS.get(row["Month"]) if year is not None else None
        key = (int(row["Year"]), month, row[series] if series else None)
        groups.setdefault(key, []).append(row["Sales"])
    rows = []
    for (row_year, month, name), values in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1] or 0)
    ):
        label = calendar.month_abbr[month] + f" {row_year}" if month else str(row_year)
        rows.append(
            {
                "Level": "Month" if month else "Year",
                "Name": label,
                "Year": row_year,
                "Month Number": month,
                **({series: name} if series else {}),
                "Sales": total(values),
            }
        )
    columns = ["Level", "Name", "Year", "Month Number", *([series] if series else []), "Sales"]
    return pd.DataFrame(rows, columns=columns)


def product_level(filters: Filters) -> int:
    """0: categories, 1: subcategories of one category, 2: products of one subcategory."""
    if len(filters.subcategories) == 1:
        return 2
    if len(filters.categories) == 1:
        return 1
    return 0


def product_drill(by_category: pd.DataFrame, filters: Filters, scope: Scope, reader: Reader) -> pd.DataFrame:
    level = product_level(filters)
    if level == 0:
        rows = [
            ("Category", name, None, sales)
            for name, sales in by_category[["Category", "Sales"]].itertuples(index=False)
        ]
    elif level == 1:
        found = evaluate(
            ["Sales"], filters, scope, by=[("Product", "Subcategory")], order_by="Sales", reader=reader
        )
        rows = [("Subcategory", name, None, sales) for name, sales in found.itertuples(index=False)]
    else:
        found = evaluate(
            ["Sales"],
            filters,
            scope,
            by=[("Product", "Product Key"), ("Product", "Product")],
            order_by="Sales",
            reader=reader,
        )
        rows = [("Product", name, int(key), sales) for key, name, sales in found.itertuples(index=False)]
    return pd.DataFrame(rows, columns=DRILL_COLUMNS)


def geo_drill(frame: pd.DataFrame, path: Sequence[str]) -> pd.DataFrame:
    """Sales by region, country or city (the level below ``path``) from a dataset with Region,
    Country, City and Sales columns; the path's last level when it already names a city."""
    depth = min(len(path), len(GEO_LEVELS) - 1)
    groups: dict[tuple[str, ...], list[Any]] = {}
    for row in frame.to_dict("records"):
        names = tuple(str(row[level]) for level in GEO_LEVELS)
        if list(names[: len(path)]) != list(path):
            continue
        groups.setdefault(names[: depth + 1], []).append(row["Sales"])
    rows = []
    for names, values in groups.items():
        padded = list(names) + [None] * (len(GEO_LEVELS) - len(names))
        rows.append(
            {
                "Level": GEO_LEVELS[depth],
                "Name": names[-1],
                **dict(zip(GEO_LEVELS, padded, strict=True)),
                "Sales": total(values),
            }
        )
    result = pd.DataFrame(rows, columns=["Level", "Name", *GEO_LEVELS, "Sales"])
    return result.sort_values("Sales", ascending=False, key=_sort_blank_last).reset_index(drop=True)


def _sort_blank_last(column: pd.Series) -> pd.Series:
    return column.map(lambda v: float(v) if v is not None else float("-inf"))


def screen_data(slug: str, resolved: Resolved, scope: Scope, reader: Reader) -> dict[str, pd.DataFrame]:
    """Every dataset the page ``slug`` shows, for the resolved filters; nothing when the filters
    match nothing the user may see."""
    if resolved.empty:
        return {}
    filters, state = resolved.filters, resolved.state
    options = {"series": state.get("series")} if slug == "forecast" else {}
    data = page_data(PAGES[slug], filters, scope, reader=reader, **options)
    kpis = data.get("kpis")
    if kpis is not None and len(kpis):
        subtitles = card_periods(reader, filters, kpis.iloc[0].to_dict())
        data[KPI_PERIODS] = pd.DataFrame([subtitles])
    if slug == "overview":
        data["product_drill"] = product_drill(data["sales_by_category"], filters, scope, reader)
        data["geo_drill"] = geo_drill(data["sales_by_city"], state["geo"])
    elif slug == "reps":
        data[QUOTA_NOTE] = pd.DataFrame({"note": [quota_note(reader)]})
        data["time_drill"] = time_drill(
            data["sales_by_rep_over_time"], drilled_year(state), series="Sales Rep"
        )
    elif slug in ("customer", "product"):
        data["time_drill"] = time_drill(data["sales_over_time"], drilled_year(state))
        if slug == "product":
            data["geo_drill"] = geo_drill(data["sales_by_geography"], state["geo"])
    return data


def shown(slug: str, data: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The datasets the page's visuals show, in page order (what an export holds)."""
    out: dict[str, pd.DataFrame] = {}
    for item in visuals(slug):
        if item.dataset in data and item.dataset not in out:
            out[item.dataset] = data[item.dataset]
    return out


def as_number(value: Any) -> Any:
    """A JSON / chart friendly number: ``Decimal`` -> float; blanks -> ``None``."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:
        return None
    return value


def year_range(year: int) -> tuple[str, str]:
    return f"{year}-01-01", f"{year}-12-31"


def drill_state(state: State) -> dict[str, Any]:
    """The drill position of each hierarchy (for breadcrumbs)."""
    return {"year": drilled_year(state), "geo": list(state.get("geo") or [])}
