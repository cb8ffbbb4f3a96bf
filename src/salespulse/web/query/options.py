"""The values each slicer may offer, restricted by the user's scope like the Power BI roles.

Each dimension keeps the rows model.yml's role rules leave it (``sqlbuild.scope_conditions``):
clients a rep owns or of the lead's region, the lead's territories, the rep's own row. Beyond the
rules, a slicer offers only what is worth picking: a rep the territories and cities of the order
lines they see, a regional lead the reps and cities of their region. Products, categories and
campaigns are not restricted by any role.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from salespulse.semantic import load_model
from salespulse.web.query.filters import Scope
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.slicers import SLICERS
from salespulse.web.query.sources import DAILY, MONTHLY, NONE, Available, load_available
from salespulse.web.query.sqlbuild import (
    SALES,
    Select,
    ident,
    own_columns,
    region_territories,
    rollup_rows,
    scope_conditions,
    scope_rows,
    view,
)
from salespulse.web.query.timeintel import load_calendar


def _visible(scope: Scope, table: str, source: str, available: Available = NONE) -> tuple[str, list[Any]]:
    """A subquery of the distinct values of a column over the order lines ``scope`` sees (from an
    aggregate of all the lines that has the column, when the build has one)."""
    model = load_model()
    reads = [reach.reads for reach in model.reach(SALES, model.web_role(scope.role))]
    for aggregate in (DAILY, MONTHLY):
        if available.has(aggregate) and all(
            aggregate.resolves(t, c, model) for t, c in ((table, source), *reads)
        ):
            select = Select(SALES, source=aggregate)
            rollup_rows(select, True if aggregate.rollup else None)
            break
    else:
        select = Select(SALES)
    scope_rows(select, scope)
    column = select.ref(table, source)
    return select.render([f"distinct {column}"])


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
    scope: Scope,
    table: str,
    available: Available = NONE,
    *,
    used: str | None = None,
    region: str | None = None,
) -> tuple[str, list[Any]]:
    """The where clause of a dimension for ``scope``: the rows the role's rules leave it and, of
    those, for a rep the values of column ``used`` their order lines use, for a regional lead the
    rows of the condition ``region`` on their region."""
    found = scope_conditions(table, scope, own_columns(table, "v"))
    if scope.role == "regional_lead" and region:
        found.append((region, [scope.region]))
    if scope.role == "sales_rep" and used:
        found.append(_in(used, *_visible(scope, table, used, available)))
    if not found:
        return "", []
    return "where " + " and ".join(c for c, _ in found), [value for _, params in found for value in params]


def _in(source: str, subquery: str, params: list[Any]) -> tuple[str, list[Any]]:
    return f"v.{ident(source)} in ({subquery})", params


def filter_options(scope: Scope, *, reader: Reader | Session | None = None) -> dict[str, pd.DataFrame]:
    """``{dataset: DataFrame}``: dates (first, last, as-of), regions, territories, sales_reps,
    categories, subcategories, products, customers, client_types, industries, campaigns, cities, and
    the dataset of any other slicer of ``salespulse.web.query.slicers``."""
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
    where, params = _restricted(scope, "Territory", available, used="territory_key")
    territories = _frame(
        reader, "Territory", ["region_name", "territory_code", "territory_name"], where, params
    )
    options["regions"] = territories[["Region"]].drop_duplicates().reset_index(drop=True)
    options["territories"] = territories
    # a rep: their own row (the role's rule)
    where, params = _restricted(scope, "Sales Rep", available, region="v.region_name = ?")
    options["sales_reps"] = _frame(
        reader, "Sales Rep", ["full_name", "sales_rep_key", "territory_code", "region_name"], where, params
    )
    options["categories"] = _frame(reader, "Product", ["category_name"])
    options["subcategories"] = _frame(reader, "Product", ["category_name", "subcategory_name"])
    options["products"] = _frame(
        reader, "Product", ["category_name", "subcategory_name", "product_name", "product_key"]
    )
    where, params = _restricted(scope, "Customer", available)
    options["customers"] = _frame(
        reader, "Customer", ["customer_label", "customer_key", "customer_type", "industry"], where, params
    )
    options["client_types"] = _frame(reader, "Customer", ["customer_type"], where, params)
    options["industries"] = _frame(reader, "Customer", ["industry"], where, params)
    options["campaigns"] = _frame(reader, "Campaign", ["campaign_name", "campaign_key"])
    where, params = _restricted(
        scope,
        "Geography",
        available,
        used="geography_key",
        region=f"v.territory_code in ({region_territories('territory_code')})",
    )
    options["cities"] = _frame(
        reader,
        "Geography",
        ["region_name", "country_name", "city", "state_province", "geography_key"],
        where,
        params,
    )
    model = load_model()
    for slicer in SLICERS:  # a slicer without a dataset above: the values the role's rules leave
        if slicer.options not in options:
            table = model.table(slicer.table)
            names = dict.fromkeys(name for name in (slicer.shown, slicer.value, slicer.extra) if name)
            where, params = _restricted(scope, slicer.table, available)
            sources = [table.column(name).source for name in names]
            options[slicer.options] = _frame(reader, slicer.table, sources, where, params)
    return options
