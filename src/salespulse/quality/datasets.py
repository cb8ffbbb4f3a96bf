"""What the suites validate: each suite's table or derived query, in the order they run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .checks import Check
from .derived_suites import (
    CALENDAR_YEARS_SQL,
    MONTHLY_ATTAINMENT_SQL,
    SALES_BY_MONTH_SQL,
    SALES_MARGIN_SQL,
    VOLUME_SQL,
    calendar_years_checks,
    monthly_attainment_checks,
    sales_by_month_checks,
    sales_margin_checks,
    volume_checks,
)
from .dimension_suites import (
    dim_campaign_checks,
    dim_customer_checks,
    dim_date_checks,
    dim_geography_checks,
    dim_product_checks,
    dim_sales_rep_checks,
    dim_territory_checks,
)
from .fact_suites import fct_budget_checks, fct_sales_checks, rejected_rows_checks, sales_vs_budget_checks


@dataclass(frozen=True)
class Dataset:
    """What one suite validates: a table (``relation``) or a derived ``query``."""

    name: str
    checks: Callable[[], list[Check]]
    relation: str | None = None
    query: str | None = None
    #: The table whose row count is the sample size of the distribution checks.
    sample_relation: str | None = None

    @property
    def source(self) -> str:
        return self.relation or f"query {self.name}"

    @property
    def sample_source(self) -> str:
        return self.sample_relation or self.relation or "marts.fct_sales"

    @property
    def sql(self) -> str:
        return self.query if self.query is not None else f"select * from {self.relation}"


DATASETS: tuple[Dataset, ...] = (
    Dataset("marts.fct_sales", fct_sales_checks, relation="marts.fct_sales"),
    Dataset("marts.fct_budget", fct_budget_checks, relation="marts.fct_budget"),
    Dataset("marts.dim_customer", dim_customer_checks, relation="marts.dim_customer"),
    Dataset("marts.dim_product", dim_product_checks, relation="marts.dim_product"),
    Dataset("marts.dim_date", dim_date_checks, relation="marts.dim_date"),
    Dataset("marts.dim_geography", dim_geography_checks, relation="marts.dim_geography"),
    Dataset("marts.dim_sales_rep", dim_sales_rep_checks, relation="marts.dim_sales_rep"),
    Dataset("marts.dim_territory", dim_territory_checks, relation="marts.dim_territory"),
    Dataset("marts.dim_campaign", dim_campaign_checks, relation="marts.dim_campaign"),
    Dataset("marts.rejected_rows", rejected_rows_checks, relation="marts.rejected_rows"),
    Dataset(
        "reporting.sales_vs_budget_monthly",
        sales_vs_budget_checks,
        relation="reporting.sales_vs_budget_monthly",
    ),
    Dataset("derived.volume", volume_checks, query=VOLUME_SQL, sample_relation="marts.fct_sales"),
    Dataset("derived.calendar_years", calendar_years_checks, query=CALENDAR_YEARS_SQL),
    Dataset("derived.sales_by_month", sales_by_month_checks, query=SALES_BY_MONTH_SQL),
    Dataset("derived.sales_margin", sales_margin_checks, query=SALES_MARGIN_SQL),
    Dataset("derived.monthly_attainment", monthly_attainment_checks, query=MONTHLY_ATTAINMENT_SQL),
)
