"""Great Expectations checks on the built marts that dbt tests do not express.

dbt's tests guard keys, relationships and accepted values row by row. The suites here look at the
warehouse as a whole: volumes (and volumes relative to each other), value ranges of the measures,
distributions, uniqueness of compound keys, not-null measures and the column set of the reporting
view. Distribution checks need a sample to mean anything, so they run only when the table they
describe has at least ``MIN_ROWS_FOR_DISTRIBUTIONS`` rows (the report lists the ones skipped).

- DuckDB: every table (and every derived query) is read through pandas and validated in memory,
  because GX's SQL datasource emits ``SELECT * WHERE true`` against DuckDB.
- PostgreSQL: GX's SQL datasource with table assets (and query assets for the derived queries), so
  the metrics are computed by the server.

The context is ephemeral: nothing is written but the HTML Data Docs (default
``artifacts/gx/data_docs``, git-ignored). Nothing here reaches the internet: analytics are off, and
generating the docs makes no network call (the pages link CSS/JS on public CDNs, which a browser
fetches when they are opened).
"""

from __future__ import annotations

import os

# Before great_expectations is imported (ruff allows os.environ changes above imports).
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import shutil
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.core.expectation_validation_result import (
    ExpectationValidationResult,
)
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from sqlalchemy.engine import URL

from salespulse.settings import PROJECT_ROOT
from salespulse.warehouse import PostgresWarehouse, target_config

DEFAULT_DOCS_DIR = PROJECT_ROOT / "artifacts" / "gx" / "data_docs"
DOCS_SITE = "salespulse_local_site"
#: Distribution checks (shares, means, quantiles) run only on tables with at least this many rows.
MIN_ROWS_FOR_DISTRIBUTIONS = 200

VOLUME, RANGE, DISTRIBUTION, UNIQUENESS, COMPLETENESS, SCHEMA = (
    "volume",
    "range",
    "distribution",
    "uniqueness",
    "completeness",
    "schema",
)


class QualityError(RuntimeError):
    """The checks could not run at all (no warehouse, unknown target, ...)."""


# --------------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str  # e.g. "expect_column_values_to_be_between"
    target: str  # column(s) or "table"
    kind: str  # volume, range, distribution, uniqueness, completeness, schema
    description: str
    success: bool
    detail: str  # observed value or unexpected rows, or the error GX raised


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    source: str  # the table or the derived query's name
    sample_rows: int
    success: bool
    expectations: tuple[ExpectationOutcome, ...]
    #: Descriptions of distribution checks not run because the sample was too small.
    skipped: tuple[str, ...] = ()

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]


@dataclass
class QualityReport:
    target: str
    success: bool
    suites: list[SuiteOutcome] = field(default_factory=list)
    #: The Data Docs ``index.html`` (None if it was not built).
    docs_index: Path | None = None
    seconds: float = 0.0

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [f for s in self.suites for f in s.failures]

    @property
    def expectation_count(self) -> int:
        return sum(len(s.expectations) for s in self.suites)

    @property
    def skipped_count(self) -> int:
        return sum(len(s.skipped) for s in self.suites)

    def suite(self, name: str) -> SuiteOutcome:
        for outcome in self.suites:
            if outcome.suite == name:
                return outcome
        raise KeyError(name)

    def failed(self, suite: str, expectation: str, target: str | None = None) -> bool:
        """Whether ``expectation`` (on ``target``, if given) failed in ``suite``."""
        return any(
            f.suite == suite and f.expectation == expectation and (target is None or f.target == target)
            for f in self.failures
        )


# --------------------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    kind: str
    expectation: gxe.Expectation

    @property
    def is_distribution(self) -> bool:
        return self.kind == DISTRIBUTION


def check(kind: str, description: str, expectation: gxe.Expectation) -> Check:
    """Tag an expectation with its kind and a sentence for the report and the Data Docs."""
    expectation.notes = description
    expectation.meta = {"kind": kind, "description": description}
    return Check(kind, expectation)


def not_null(columns: Sequence[str], what: str) -> list[Check]:
    return [
        check(COMPLETENESS, f"{what} {c} is never null", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in columns
    ]


def non_negative(columns: Sequence[str], what: str) -> list[Check]:
    return [
        check(
            RANGE, f"{what} {c} is never negative", gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
        )
        for c in columns
    ]


def at_least(column_a: str, column_b: str, description: str) -> Check:
    return check(
        RANGE,
        description,
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=column_a,
            column_B=column_b,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    )


def equals(column: str, value: int, description: str) -> Check:
    return check(
        VOLUME,
        description,
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=value, max_value=value),
    )


SALES_MEASURES = (
    "ordered_quantity",
    "sales_quantity",
    "unit_price",
    "discount_pct",
    "gross_amount",
    "discount_amount",
    "net_sales_amount",
    "cost_amount",
    "margin_amount",
    "cancelled_amount",
)


def fct_sales_checks() -> list[Check]:
    return [
        check(VOLUME, "fct_sales is not empty", gxe.ExpectTableRowCountToBeBetween(min_value=1)),
        check(
            SCHEMA,
            "fct_sales has the keys and measures the dashboards read",
            gxe.ExpectTableColumnsToMatchSet(
                column_set=["sales_key", "order_date_key", "customer_key", "product_key", *SALES_MEASURES],
                exact_match=False,
            ),
        ),
        check(
            UNIQUENESS,
            "one row per order line (order_number, line_number)",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["order_number", "line_number"]),
        ),
        *not_null([*SALES_MEASURES, "order_status", "is_cancelled", "counts_as_sales"], "sales measure"),
        *non_negative(
            [
                "sales_quantity",
                "gross_amount",
                "discount_amount",
                "net_sales_amount",
                "cost_amount",
                "cancelled_amount",
            ],
            "sales measure",
        ),
        check(
            RANGE,
            "unit prices are positive",
            gxe.ExpectColumnValuesToBeBetween(column="unit_price", min_value=0, strict_min=True),
        ),
        check(
            RANGE,
            "a discount is a share: at least 0, below 1",
            gxe.ExpectColumnValuesToBeBetween(
                column="discount_pct", min_value=0, max_value=1, strict_max=True
            ),
        ),
        check(
            RANGE,
            "ordered quantities are between 1 and 1,000",
            gxe.ExpectColumnValuesToBeBetween(column="ordered_quantity", min_value=1, max_value=1_000),
        ),
        at_least("ordered_quantity", "sales_quantity", "sales quantity never exceeds the ordered quantity"),
        at_least("gross_amount", "net_sales_amount", "net sales never exceed gross sales"),
        at_least(
            "net_sales_amount", "margin_amount", "margin never exceeds net sales (cost is not negative)"
        ),
        check(
            DISTRIBUTION,
            "at most 10 % of the order lines are cancelled",
            gxe.ExpectColumnValuesToNotBeInSet(column="order_status", value_set=["cancelled"], mostly=0.90),
        ),
        check(
            DISTRIBUTION,
            "mean net sales per line between 20 and 3,000",
            gxe.ExpectColumnMeanToBeBetween(column="net_sales_amount", min_value=20, max_value=3_000),
        ),
        check(
            DISTRIBUTION,
            "mean discount below 25 %",
            gxe.ExpectColumnMeanToBeBetween(column="discount_pct", min_value=0, max_value=0.25),
        ),
        # Quantiles as a median band and a "mostly" bound: GX 1.24's quantile expectation returns a
        # numpy bool as its success, which its JSON result store cannot serialise.
        check(
            DISTRIBUTION,
            "median ordered quantity between 1 and 3",
            gxe.ExpectColumnMedianToBeBetween(column="ordered_quantity", min_value=1, max_value=3),
        ),
        check(
            DISTRIBUTION,
            "95 % of the lines order at most 20 units (95th percentile <= 20)",
            gxe.ExpectColumnValuesToBeBetween(
                column="ordered_quantity", min_value=1, max_value=20, mostly=0.95
            ),
        ),
        check(
            DISTRIBUTION,
            "at least 25 % of the sales lines are repeat business (customer_order_type Returning)",
            gxe.ExpectColumnValuesToBeInSet(
                column="customer_order_type", value_set=["Returning"], mostly=0.25
            ),
        ),
    ]


def fct_budget_checks() -> list[Check]:
    return [
        check(VOLUME, "at least one budget row per month", gxe.ExpectTableRowCountToBeBetween(min_value=12)),
        check(
            VOLUME,
            "the budget covers exactly twelve months",
            gxe.ExpectColumnUniqueValueCountToBeBetween(column="budget_month", min_value=12, max_value=12),
        ),
        check(
            UNIQUENESS,
            "one budget row per month x category x territory x sales rep",
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["budget_month", "category_name", "territory_code", "sales_rep_id"],
                ignore_row_if="never",
            ),
        ),
        check(
            UNIQUENESS,
            "the whole budget has one grain",
            gxe.ExpectColumnUniqueValueCountToBeBetween(column="budget_grain", min_value=1, max_value=1),
        ),
        *not_null(["budget_amount", "budget_month"], "budget"),
        *non_negative(["budget_amount"], "budget"),
    ]


def dim_customer_checks() -> list[Check]:
    return [
        check(
            VOLUME,
            "customers besides the Unknown member",
            gxe.ExpectTableRowCountToBeBetween(min_value=2),
        ),
        check(
            RANGE,
            "customer types are Individual, Business or the Unknown member",
            gxe.ExpectColumnDistinctValuesToBeInSet(
                column="customer_type", value_set=["Individual", "Business", "Unknown"]
            ),
        ),
        *non_negative(["order_count"], "customer"),
        at_least("last_order_date", "first_order_date", "last order not before the first"),
        check(
            DISTRIBUTION,
            "at least half of the customers are individuals",
            gxe.ExpectColumnValuesToBeInSet(column="customer_type", value_set=["Individual"], mostly=0.5),
        ),
        check(
            DISTRIBUTION,
            "at least 2 % of the customers are businesses",
            gxe.ExpectColumnValuesToBeInSet(column="customer_type", value_set=["Business"], mostly=0.02),
        ),
        check(
            DISTRIBUTION,
            "at least 20 % of the customers have purchased",
            gxe.ExpectColumnValuesToBeInSet(column="has_purchased", value_set=[True], mostly=0.2),
        ),
    ]


def dim_product_checks() -> list[Check]:
    return [
        check(VOLUME, "products besides the Unknown member", gxe.ExpectTableRowCountToBeBetween(min_value=2)),
        check(
            RANGE,
            "list prices are positive",
            gxe.ExpectColumnValuesToBeBetween(column="list_price", min_value=0, strict_min=True),
        ),
        *non_negative(["standard_cost"], "product"),
        at_least("list_price", "standard_cost", "list price covers the standard cost"),
        at_least("sell_end_date", "sell_start_date", "a product stops selling after it starts"),
    ]


def dim_date_checks() -> list[Check]:
    ranges = {
        "month_number": (1, 12),
        "quarter_number": (1, 4),
        "day_of_month": (1, 31),
        "days_in_month": (28, 31),
        "iso_day_of_week": (1, 7),
        "iso_week_number": (1, 53),
    }
    return [
        check(VOLUME, "at least one whole year", gxe.ExpectTableRowCountToBeBetween(min_value=365)),
        check(
            UNIQUENESS,
            "one row per (year, month, day)",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["year_number", "month_number", "day_of_month"]),
        ),
        *[
            check(
                RANGE,
                f"{column} between {low} and {high}",
                gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high),
            )
            for column, (low, high) in ranges.items()
        ],
        at_least("days_in_month", "day_of_month", "day of month within the month's length"),
    ]


def dim_geography_checks() -> list[Check]:
    return [
        check(VOLUME, "at least the Unknown member", gxe.ExpectTableRowCountToBeBetween(min_value=1)),
        check(
            RANGE,
            "latitudes between -90 and 90",
            gxe.ExpectColumnValuesToBeBetween(column="latitude", min_value=-90, max_value=90),
        ),
        check(
            RANGE,
            "longitudes between -180 and 180",
            gxe.ExpectColumnValuesToBeBetween(column="longitude", min_value=-180, max_value=180),
        ),
        check(
            UNIQUENESS,
            "one row per city (country, state / province, city)",
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["country_code", "state_province", "city"], ignore_row_if="never"
            ),
        ),
    ]


def dim_sales_rep_checks() -> list[Check]:
    return [
        check(VOLUME, "at least the Unassigned member", gxe.ExpectTableRowCountToBeBetween(min_value=1)),
        check(
            RANGE,
            "e-mail addresses (row-level security) look like addresses",
            gxe.ExpectColumnValuesToMatchRegex(column="email", regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        ),
        check(
            UNIQUENESS,
            "no two sales reps share an e-mail (row-level security)",
            gxe.ExpectColumnValuesToBeUnique(column="email"),
        ),
    ]


def dim_territory_checks() -> list[Check]:
    return [
        check(VOLUME, "at least the Unassigned member", gxe.ExpectTableRowCountToBeBetween(min_value=1)),
        check(
            UNIQUENESS,
            "territory codes are unique",
            gxe.ExpectColumnValuesToBeUnique(column="territory_code"),
        ),
    ]


def dim_campaign_checks() -> list[Check]:
    return [
        check(VOLUME, "at least the No-campaign member", gxe.ExpectTableRowCountToBeBetween(min_value=1)),
        check(
            RANGE,
            "campaign discounts are shares below 1",
            gxe.ExpectColumnValuesToBeBetween(
                column="discount_pct", min_value=0, max_value=1, strict_max=True
            ),
        ),
        check(
            RANGE,
            "campaigns last between a day and a year",
            gxe.ExpectColumnValuesToBeBetween(column="duration_days", min_value=1, max_value=366),
        ),
        at_least("end_date", "start_date", "a campaign ends after it starts"),
    ]


REJECTION_REASONS = [
    "superseded_by_later_version",
    "unknown_status",
    "non_positive_quantity",
    "negative_unit_price",
    "discount_out_of_range",
    "extended_amount_mismatch",
    "after_as_of_date",
    "due_before_order_date",
]


def rejected_rows_checks() -> list[Check]:
    return [
        check(
            UNIQUENESS,
            "one row per raw row (entity, file, row)",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["entity", "source_file", "source_row"]),
        ),
        check(
            RANGE,
            "every rejection has a known reason",
            gxe.ExpectColumnValuesToBeInSet(column="rejection_reason", value_set=REJECTION_REASONS),
        ),
        *not_null(["entity", "source_file", "source_row", "rejection_reason"], "rejected row"),
    ]


REPORT_COLUMNS = [
    "sales_vs_budget_key",
    "month_date_key",
    "month_start_date",
    "year_number",
    "month_number",
    "budget_grain",
    "category_name",
    "territory_code",
    "territory_name",
    "region_name",
    "sales_rep_id",
    "sales_rep_name",
    "sales_amount",
    "budget_amount",
    "budget_to_date_amount",
    "budget_basis",
    "is_complete_month",
    "elapsed_days",
    "days_in_month",
    "variance_amount",
    "attainment_pct",
    "attainment_to_date_pct",
]


def sales_vs_budget_checks() -> list[Check]:
    return [
        check(
            SCHEMA,
            "the reporting view has exactly the documented columns",
            gxe.ExpectTableColumnsToMatchSet(column_set=REPORT_COLUMNS, exact_match=True),
        ),
        check(VOLUME, "at least one row per budget month", gxe.ExpectTableRowCountToBeBetween(min_value=12)),
        check(
            UNIQUENESS,
            "one row per month x category x territory x sales rep",
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["month_start_date", "category_name", "territory_code", "sales_rep_id"],
                ignore_row_if="never",
            ),
        ),
        *non_negative(["attainment_pct", "attainment_to_date_pct"], "report"),
        # A small cell (one category x territory x rep in one month) can beat its budget many times
        # over; the company-wide monthly attainment is held to 0..5 in derived.monthly_attainment.
        *[
            check(
                RANGE,
                f"{column} between 0 and 5 in at least 95 % of the rows where set",
                gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=5, mostly=0.95),
            )
            for column in ("attainment_pct", "attainment_to_date_pct")
        ],
        check(
            RANGE,
            "elapsed days between 0 and 31",
            gxe.ExpectColumnValuesToBeBetween(column="elapsed_days", min_value=0, max_value=31),
        ),
        at_least("days_in_month", "elapsed_days", "elapsed days within the month"),
        *non_negative(["sales_amount", "budget_amount", "budget_to_date_amount"], "report"),
        *not_null(["month_start_date", "budget_grain", "budget_basis", "elapsed_days"], "report"),
    ]


# Derived queries: cross-table volumes and per-group shapes. Portable SQL (DuckDB and PostgreSQL).

VOLUME_SQL = """
with sales as (
    select
        count(*) as sales_lines,
        count(distinct customer_key) as customers_with_sales,
        min(month_index) as first_month_index,
        max(month_index) as last_month_index,
        count(distinct month_index) as months_with_sales
    from (
        select
            customer_key,
            cast(extract(year from order_date) as integer) * 12
            + cast(extract(month from order_date) as integer) as month_index
        from marts.fct_sales
    ) as lines
),
rejected as (
    select count(*) as rejected_lines
    from marts.rejected_rows
    where entity = 'order_lines' and rejection_reason <> 'superseded_by_later_version'
),
budget as (select count(*) as budget_rows from marts.fct_budget),
report as (select count(*) as report_rows from reporting.sales_vs_budget_monthly),
calendar as (
    select count(distinct year_number) as calendar_years, max(year_number) - min(year_number) + 1 as year_span
    from marts.dim_date
)
select
    sales.sales_lines,
    coalesce(sales.last_month_index - sales.first_month_index + 1 - sales.months_with_sales, 0)
        as months_without_sales,
    cast(rejected.rejected_lines as double precision)
        / cast(nullif(sales.sales_lines + rejected.rejected_lines, 0) as double precision)
        as rejected_line_share,
    cast(sales.sales_lines as double precision)
        / cast(nullif(sales.customers_with_sales, 0) as double precision) as lines_per_customer,
    report.report_rows - budget.budget_rows as report_rows_beyond_budget,
    calendar.year_span - calendar.calendar_years as calendar_missing_years
from sales
cross join rejected
cross join budget
cross join report
cross join calendar
"""

CALENDAR_YEARS_SQL = """
select
    year_number,
    count(*) as day_count,
    min(month_number * 100 + day_of_month) as first_month_day,
    max(month_number * 100 + day_of_month) as last_month_day
from marts.dim_date
group by year_number
"""

SALES_BY_MONTH_SQL = """
select
    order_month,
    line_count,
    cast(line_count as double precision) / cast(avg(line_count) over () as double precision)
        as share_of_mean_month
from (
    select
        cast(extract(year from order_date) as integer) * 100
        + cast(extract(month from order_date) as integer) as order_month,
        count(*) as line_count
    from marts.fct_sales
    group by 1
) as monthly
"""

MONTHLY_ATTAINMENT_SQL = """
select
    month_start_date,
    cast(sum(coalesce(sales_amount, 0)) as double precision)
        / cast(sum(budget_amount) as double precision) as attainment
from reporting.sales_vs_budget_monthly
where is_complete_month and budget_amount is not null
group by month_start_date
having sum(budget_amount) > 0
"""

SALES_MARGIN_SQL = """
select
    order_line_id,
    cast(margin_amount as double precision) / cast(net_sales_amount as double precision) as margin_ratio
from marts.fct_sales
where net_sales_amount > 0
"""


def volume_checks() -> list[Check]:
    return [
        check(
            VOLUME,
            "the warehouse has sales lines",
            gxe.ExpectColumnValuesToBeBetween(column="sales_lines", min_value=1),
        ),
        equals("months_without_sales", 0, "every month between the first and the last order has sales"),
        equals("calendar_missing_years", 0, "dim_date has no missing year"),
        check(
            VOLUME,
            "the reporting view has a row for every budget row",
            gxe.ExpectColumnValuesToBeBetween(column="report_rows_beyond_budget", min_value=0),
        ),
        check(
            DISTRIBUTION,
            "at most 5 % of the order lines break a business rule",
            gxe.ExpectColumnValuesToBeBetween(column="rejected_line_share", min_value=0, max_value=0.05),
        ),
        check(
            DISTRIBUTION,
            "between 1 and 1,000 order lines per buying customer",
            gxe.ExpectColumnValuesToBeBetween(column="lines_per_customer", min_value=1, max_value=1_000),
        ),
    ]


def calendar_years_checks() -> list[Check]:
    return [
        check(
            VOLUME,
            "every year of dim_date has 365 or 366 days",
            gxe.ExpectColumnValuesToBeBetween(column="day_count", min_value=365, max_value=366),
        ),
        equals("first_month_day", 101, "every year of dim_date starts on 1 January"),
        equals("last_month_day", 1231, "every year of dim_date ends on 31 December"),
    ]


def sales_by_month_checks() -> list[Check]:
    return [
        check(
            DISTRIBUTION,
            "every month's order lines between a fifth and five times the mean month",
            gxe.ExpectColumnValuesToBeBetween(column="share_of_mean_month", min_value=0.2, max_value=5),
        ),
    ]


def monthly_attainment_checks() -> list[Check]:
    return [
        check(
            RANGE,
            "each complete month's sales are between 0 and 5 times its budget",
            gxe.ExpectColumnValuesToBeBetween(column="attainment", min_value=0, max_value=5),
        ),
    ]


def sales_margin_checks() -> list[Check]:
    return [
        check(
            RANGE,
            "margin between -100 % and +100 % of net sales",
            gxe.ExpectColumnValuesToBeBetween(column="margin_ratio", min_value=-1, max_value=1),
        ),
        check(
            DISTRIBUTION,
            "mean margin between 5 % and 80 % of net sales",
            gxe.ExpectColumnMeanToBeBetween(column="margin_ratio", min_value=0.05, max_value=0.8),
        ),
    ]


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


# --------------------------------------------------------------------------------------- engines


class Engine:
    """Where the batches come from: the GX data source plus a way to count rows."""

    def __init__(self, context: Any, config: dict[str, Any]) -> None:
        self.context = context
        self.target = str(config["name"])

    def batch(self, dataset: Dataset) -> tuple[Any, dict[str, Any] | None]:
        """The batch definition of ``dataset`` and the batch parameters to run it with."""
        raise NotImplementedError

    def row_count(self, relation: str) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


class PandasDuckDBEngine(Engine):
    """DuckDB through pandas: GX's SQL datasource emits ``SELECT * WHERE true`` against DuckDB."""

    def __init__(self, context: Any, config: dict[str, Any]) -> None:
        import duckdb

        super().__init__(context, config)
        path = Path(config["path"])
        path = path if path.is_absolute() else PROJECT_ROOT / path
        if not path.is_file():
            raise QualityError(f"no DuckDB warehouse at {path}: run `salespulse load` and `dbt build` first")
        try:
            self.con = duckdb.connect(
                str(path), read_only=True, config={"autoinstall_known_extensions": False}
            )
        except duckdb.Error as error:  # e.g. a dbt build holds the write lock
            raise QualityError(f"cannot open {path}: {error}") from error
        self.source = context.data_sources.add_pandas("warehouse")

    def frame(self, sql: str) -> pd.DataFrame:
        return self.con.sql(sql).df()

    def batch(self, dataset: Dataset) -> tuple[Any, dict[str, Any] | None]:
        asset = self.source.add_dataframe_asset(dataset.name)
        return asset.add_batch_definition_whole_dataframe("all rows"), {"dataframe": self.frame(dataset.sql)}

    def row_count(self, relation: str) -> int:
        return int(self.con.execute(f"select count(*) from {relation}").fetchall()[0][0])

    def close(self) -> None:
        self.con.close()


class PostgresEngine(Engine):
    """PostgreSQL through GX's SQL datasource: the server computes the metrics."""

    def __init__(self, context: Any, config: dict[str, Any]) -> None:
        super().__init__(context, config)
        import psycopg

        try:
            self.warehouse = PostgresWarehouse(config)
        except psycopg.Error as error:
            raise QualityError(f"cannot connect to {config['host']}:{config['port']}: {error}") from error
        self.warehouse.conn.autocommit = True  # counts hold no locks between suites
        self.source = context.data_sources.add_postgres("warehouse", connection_string=postgres_url(config))

    def batch(self, dataset: Dataset) -> tuple[Any, dict[str, Any] | None]:
        if dataset.relation is not None:
            schema, table = dataset.relation.split(".", 1)
            asset = self.source.add_table_asset(dataset.name, table_name=table, schema_name=schema)
        else:
            # GX wants a query asset to start with SELECT: wrap the ones starting with WITH.
            query = f"select * from ({dataset.sql.strip()}) as derived"
            asset = self.source.add_query_asset(dataset.name, query=query)
        return asset.add_batch_definition_whole_table("all rows"), None

    def row_count(self, relation: str) -> int:
        return int(self.warehouse.query(f"select count(*) from {relation}")[0][0])

    def close(self) -> None:
        self.warehouse.close()
        # GX's SQLAlchemy engine pools connections; let them go now, not at garbage collection.
        self.source.get_engine().dispose()


def postgres_url(config: dict[str, Any]) -> str:
    """A SQLAlchemy URL (psycopg 3 driver) for a postgres output of profiles.yml."""
    host = str(config["host"])
    socket_dir = host.startswith("/")
    url = URL.create(
        "postgresql+psycopg",
        username=str(config["user"]),
        password=str(config.get("password") or "") or None,
        host=None if socket_dir else host,
        port=int(config["port"]),
        database=str(config["dbname"]),
        query={"host": host} if socket_dir else {},
    )
    return url.render_as_string(hide_password=False)


def open_engine(context: Any, target: str | None, environ: Mapping[str, str] | None = None) -> Engine:
    try:
        config = target_config(target, environ)
    except KeyError as error:
        raise QualityError(str(error.args[0] if error.args else error)) from error
    engines: dict[str, type[Engine]] = {"duckdb": PandasDuckDBEngine, "postgres": PostgresEngine}
    if config["type"] not in engines:
        raise QualityError(
            f"target {config['name']!r} has type {config['type']!r}, which the checks do not support"
        )
    return engines[config["type"]](context, config)


# --------------------------------------------------------------------------------------- running


def ephemeral_context(docs_dir: Path) -> Any:
    """An in-memory GX context whose only Data Docs site is ``docs_dir``; analytics and progress bars off."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suite(context: Any, engine: Engine, dataset: Dataset) -> SuiteOutcome:
    try:
        sample_rows = engine.row_count(dataset.sample_source)
        batch_definition, batch_parameters = engine.batch(dataset)
    except Exception as error:  # a missing or broken table fails its suite; the others still run
        return unreadable(dataset, error)
    checks = dataset.checks()
    enough = sample_rows >= MIN_ROWS_FOR_DISTRIBUTIONS
    active = [c for c in checks if enough or not c.is_distribution]
    skipped = tuple(str(c.expectation.notes) for c in checks if c not in active)

    suite = context.suites.add(gx.ExpectationSuite(name=dataset.name))
    for item in active:
        suite.add_expectation(item.expectation)
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=dataset.name, data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name=dataset.name, validation_definitions=[validation], result_format="SUMMARY")
    )
    result = checkpoint.run(batch_parameters=batch_parameters)
    outcomes = tuple(outcome(dataset.name, r) for run in result.run_results.values() for r in run.results)
    return SuiteOutcome(
        suite=dataset.name,
        source=dataset.source,
        sample_rows=sample_rows,
        success=bool(result.success) and all(o.success for o in outcomes),
        expectations=outcomes,
        skipped=skipped,
    )


def unreadable(dataset: Dataset, error: Exception) -> SuiteOutcome:
    message = " ".join(str(error).split())[:500]
    failure = ExpectationOutcome(
        suite=dataset.name,
        expectation="read",
        target="table",
        kind=VOLUME,
        description=f"{dataset.source} can be read",
        success=False,
        detail=f"error: {type(error).__name__}: {message}",
    )
    return SuiteOutcome(dataset.name, dataset.source, 0, False, (failure,))


def outcome(suite: str, result: ExpectationValidationResult) -> ExpectationOutcome:
    config = result.expectation_config
    assert config is not None
    meta = config.meta or {}
    raised = bool(result.exception_info and result.exception_info.get("raised_exception"))
    return ExpectationOutcome(
        suite=suite,
        expectation=config.type,
        target=describe_target(config.kwargs),
        kind=str(meta.get("kind", "")),
        description=str(meta.get("description", "")),
        success=bool(result.success) and not raised,
        detail=describe_result(result, raised),
    )


def describe_target(kwargs: dict[str, Any]) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} >= {kwargs['column_B']}"
    return "table"


def describe_result(result: ExpectationValidationResult, raised: bool) -> str:
    if raised:
        return f"error: {result.exception_info.get('exception_message')}"
    details = result.result or {}
    if "unexpected_count" in details:
        unexpected = details.get("unexpected_count") or 0
        text = f"{unexpected} of {details.get('element_count')} rows unexpected"
        if unexpected:
            text += f" ({details.get('unexpected_percent') or 0:.2f} %)"
            examples = details.get("partial_unexpected_list") or []
            if examples:
                text += f", e.g. {examples[:3]}"
        return text
    if "observed_value" in details:
        return f"observed {details['observed_value']}"
    return ""


def clear_docs(docs_dir: Path) -> None:
    """Remove an earlier run's pages (only the folders and index GX writes): the docs show this run."""
    for name in ("validations", "expectations"):
        shutil.rmtree(docs_dir / name, ignore_errors=True)
    (docs_dir / "index.html").unlink(missing_ok=True)


def run_quality_checks(
    target: str | None = None, *, docs_dir: Path | None = None, environ: Mapping[str, str] | None = None
) -> QualityReport:
    """Validate the marts of ``target`` (default: the profile's default) and build the Data Docs.

    ``environ`` replaces ``os.environ`` when rendering the target from profiles.yml.
    """
    started = time.perf_counter()
    docs_dir = (docs_dir or DEFAULT_DOCS_DIR).resolve()
    context = ephemeral_context(docs_dir)
    with closing(open_engine(context, target, environ)) as engine, warnings.catch_warnings():
        # GX 1.24 wants a table asset's schema in the connection (search_path); the marts span two.
        warnings.filterwarnings("ignore", message="`schema_name` is deprecated", category=DeprecationWarning)
        suites = [run_suite(context, engine, dataset) for dataset in DATASETS]
    clear_docs(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    context.build_data_docs(site_names=[DOCS_SITE])
    index = docs_dir / "index.html"
    return QualityReport(
        target=engine.target,
        success=all(s.success for s in suites),
        suites=suites,
        docs_index=index if index.is_file() else None,
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------------------- CLI


def format_report(report: QualityReport) -> str:
    failed = len(report.failures)
    lines = [
        f"Data quality on {report.target}: {len(report.suites)} suites, {report.expectation_count} "
        f"expectations, {report.expectation_count - failed} passed, {failed} failed, "
        f"{report.skipped_count} distribution checks skipped ({report.seconds:.1f} s)"
    ]
    width = max(len(s.suite) for s in report.suites) if report.suites else 0
    for suite in report.suites:
        status = "ok  " if suite.success else "FAIL"
        passed = len(suite.expectations) - len(suite.failures)
        note = ""
        if suite.skipped:
            note = (
                f"  ({len(suite.skipped)} skipped: sample {suite.sample_rows} < {MIN_ROWS_FOR_DISTRIBUTIONS})"
            )
        lines.append(f"  {status} {suite.suite:<{width}}  {passed}/{len(suite.expectations)}{note}")
        for failure in suite.failures:
            lines.append(f"         - {failure.expectation}({failure.target}): {failure.description}")
            lines.append(f"           {failure.detail}")
    if report.docs_index is not None:
        lines.append(f"Data Docs: {report.docs_index.as_uri()}")
    return "\n".join(lines)


def main_summary(
    target: str | None = None,
    *,
    docs_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """Run the checks and print a readable summary; exit code 0 when every expectation passed, else 1."""
    out = out or sys.stdout
    try:
        report = run_quality_checks(target, docs_dir=docs_dir, environ=environ)
    except QualityError as error:
        print(f"data quality checks could not run: {error}", file=out)
        return 1
    print(format_report(report), file=out)
    return 0 if report.success else 1
