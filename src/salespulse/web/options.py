"""The values each slicer may offer, restricted by the user's scope like the Power BI roles.

Clients: those the scope sees (a rep's own, the region's). Territories, regions, reps and cities:
a regional lead's region, a rep's own and those of the order lines they see; a manager all.
Products, categories and campaigns are not restricted by any role.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from salespulse.semantic import load_model
from salespulse.web.filters import Scope
from salespulse.web.readers import Reader
from salespulse.web.session import Session, session_of
from salespulse.web.sources import DAILY, MONTHLY, NONE, Available, load_available
from salespulse.web.sqlbuild import (
    SALES,
    Select,
    ident,
    region_territories,
    rollup_rows,
    scope_customers,
    scope_rows,
    view,
)
from salespulse.web.timeintel import load_calendar


def _visible(scope: Scope, table: str, source: str, available: Available = NONE) -> tuple[str, list[Any]]:
    """A subquery of the distinct values of a column over the order lines ``scope`` sees (from an
    aggregate of all the lines that has the column, when the build has one)."""
    model = load_model()
    for aggregate in (DAILY, MONTHLY):
        if available.has(aggregate) and all(
            aggregate.resolves(t, c, model) for t, c in ((table, source), *_SCOPE_COLUMNS[scope.role])
        ):
            select = Select(SALES, source=aggregate)
            rollup_rows(select, True if aggregate.rollup else None)
            break
    else:
        select = Select(SALES)
    scope_rows(select, scope)
    column = select.ref(table, source)
    return select.render([f"distinct {column}"])


#: The model columns a role's row-level security reads.
_SCOPE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "manager": (),
    "sales_rep": (("Order Lines", "sales_rep_key"), ("Customer", "sales_rep_key")),
    "regional_lead": (("Territory", "region_name"), ("Customer", "territory_key")),
}


def _frame(
    reader: Reader | Session, table: str, sources: Sequence[str], where: str = "", params: Sequence[Any] = ()
) -> pd.DataFrame:
    """Distinct ``sources`` of a model table's view, sorted, headed by model names."""
    model_table = load_model().table(table)
    columns = ", ".join(ident(s) for s in sources)
    sql = f"select distinct {columns} from {view(table)} as v {where} order by {columns}"
    names = [model_table.column(s).name for s in sources]
    return pd.DataFrame(reader.query(sql, list(params)), columns=names)


def _restricted(
    scope: Scope, table: str, source: str, region_condition: str, available: Available = NONE
) -> tuple[str, list[Any]]:
    """The where clause of a dimension for ``scope``: the region's, or what a rep's lines use."""
    if scope.role == "regional_lead":
        return f"where {region_condition}", [scope.region]
    if scope.role == "sales_rep":
        subquery, params = _visible(scope, table, source, available)
        return f"where v.{ident(source)} in ({subquery})", params
    return "", []


def filter_options(scope: Scope, *, reader: Reader | Session | None = None) -> dict[str, pd.DataFrame]:
    """``{slicer: DataFrame}``: dates (first, last, as-of), regions, territories, sales_reps,
    categories, subcategories, products, customers, client_types, industries, campaigns, cities."""
    if not isinstance(scope, Scope):
        raise TypeError("scope must be a salespulse.web.Scope")
    session = session_of(reader)
    reader = session
    available = load_available(session)
    calendar = load_calendar(session)
    options: dict[str, pd.DataFrame] = {
        "dates": pd.DataFrame(
            [(calendar.first, calendar.last, calendar.as_of)],
            columns=["First Date", "Last Date", "As Of Date"],
        )
    }
    where, params = _restricted(scope, "Territory", "territory_key", "v.region_name = ?", available)
    territories = _frame(
        reader, "Territory", ["region_name", "territory_code", "territory_name"], where, params
    )
    options["regions"] = territories[["Region"]].drop_duplicates().reset_index(drop=True)
    options["territories"] = territories
    if scope.role == "sales_rep":
        where, params = "where v.sales_rep_key = ?", [scope.sales_rep_key]
    else:
        where, params = _restricted(scope, "Sales Rep", "sales_rep_key", "v.region_name = ?", available)
    options["sales_reps"] = _frame(
        reader, "Sales Rep", ["full_name", "sales_rep_key", "territory_code", "region_name"], where, params
    )
    options["categories"] = _frame(reader, "Product", ["category_name"])
    options["subcategories"] = _frame(reader, "Product", ["category_name", "subcategory_name"])
    options["products"] = _frame(
        reader, "Product", ["category_name", "subcategory_name", "product_name", "product_key"]
    )
    condition, params = scope_customers("v", scope)
    where = f"where {condition}"
    options["customers"] = _frame(
        reader, "Customer", ["customer_label", "customer_key", "customer_type", "industry"], where, params
    )
    options["client_types"] = _frame(reader, "Customer", ["customer_type"], where, params)
    options["industries"] = _frame(reader, "Customer", ["industry"], where, params)
    options["campaigns"] = _frame(reader, "Campaign", ["campaign_name", "campaign_key"])
    where, params = _restricted(
        scope,
        "Geography",
        "geography_key",
        f"v.territory_code in ({region_territories('territory_code')})",
        available,
    )
    options["cities"] = _frame(
        reader,
        "Geography",
        ["region_name", "country_name", "city", "state_province", "geography_key"],
        where,
        params,
    )
    return options
