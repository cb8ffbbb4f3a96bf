"""Derived queries (cross-table volumes and per-group shapes) and their suites.

The SQL is portable: it runs on DuckDB and PostgreSQL alike.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from .checks import DISTRIBUTION, RANGE, VOLUME, Check, check, equals

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
