"""The suites on the fact tables, the rejected rows and the reporting view."""

from __future__ import annotations

import great_expectations.expectations as gxe

from .checks import (
    DISTRIBUTION,
    RANGE,
    SCHEMA,
    UNIQUENESS,
    VOLUME,
    Check,
    at_least,
    check,
    non_negative,
    not_null,
    one_row_per,
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
        one_row_per(["order_number", "line_number"], "one row per order line (order_number, line_number)"),
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
        one_row_per(
            ["budget_month", "category_name", "territory_code", "sales_rep_id"],
            "one budget row per month x category x territory x sales rep",
            every_row=True,
        ),
        check(
            UNIQUENESS,
            "the whole budget has one grain",
            gxe.ExpectColumnUniqueValueCountToBeBetween(column="budget_grain", min_value=1, max_value=1),
        ),
        *not_null(["budget_amount", "budget_month"], "budget"),
        *non_negative(["budget_amount"], "budget"),
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
        one_row_per(["entity", "source_file", "source_row"], "one row per raw row (entity, file, row)"),
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
    "territory_key",
    "territory_code",
    "territory_name",
    "region_name",
    "sales_rep_key",
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
        one_row_per(
            ["month_start_date", "category_name", "territory_code", "sales_rep_id"],
            "one row per month x category x territory x sales rep",
            every_row=True,
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
