"""The suites on the dimension tables."""

from __future__ import annotations

import great_expectations.expectations as gxe

from .checks import DISTRIBUTION, RANGE, UNIQUENESS, VOLUME, Check, at_least, check, non_negative, one_row_per


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
        one_row_per(["year_number", "month_number", "day_of_month"], "one row per (year, month, day)"),
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
        one_row_per(
            ["country_code", "state_province", "city"],
            "one row per city (country, state / province, city)",
            every_row=True,
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
