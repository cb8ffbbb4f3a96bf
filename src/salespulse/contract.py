"""The raw landing contract: which files a company delivers and what their columns mean.

This module is the single source of truth. The loader validates against it, the demo
generator writes to it, and ``docs/raw-data-contract.md`` is rendered from it
(``salespulse contract --write``; a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "integer", "decimal", "date", "timestamp"]
LoadMode = Literal["snapshot", "append"]

#: SQL types of the raw layer, per target dialect. Amounts are exact decimals so that
#: reconciliation holds to the cent.
SQL_TYPES: dict[str, dict[ColumnType, str]] = {
    "duckdb": {
        "string": "varchar",
        "integer": "bigint",
        "decimal": "decimal(18, 4)",
        "date": "date",
        "timestamp": "timestamp",
    },
    "postgres": {
        "string": "text",
        "integer": "bigint",
        "decimal": "numeric(18, 4)",
        "date": "date",
        "timestamp": "timestamp",
    },
}

TYPE_FORMATS: dict[ColumnType, str] = {
    "string": "UTF-8 text",
    "integer": "whole number",
    "decimal": "number with `.` as decimal separator, no thousands separator",
    "date": "`YYYY-MM-DD`",
    "timestamp": "`YYYY-MM-DD HH:MM:SS` (ISO 8601, `T` separator allowed), no time zone",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool
    description: str


@dataclass(frozen=True)
class Entity:
    """One extract: a file (or a folder of files) of one kind of record."""

    name: str
    system: str
    description: str
    required: bool
    mode: LoadMode
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    without_it: str = ""
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, type_: ColumnType, required: bool, description: str) -> Column:
    return Column(name, type_, required, description)


ORDER_LINES = Entity(
    name="order_lines",
    system="ERP",
    description=(
        "Internet sales order lines. Deliver the full history once, then files of lines "
        "created or changed since the previous delivery. A line delivered again with a later "
        "`last_modified_at` replaces the earlier version downstream (late updates)."
    ),
    required=True,
    mode="append",
    primary_key=("order_number", "line_number", "last_modified_at"),
    columns=(
        _c("order_number", "string", True, "Sales order number, e.g. `SO0001234`."),
        _c("line_number", "integer", True, "Line number within the order, from 1."),
        _c("order_date", "date", True, "Date the order was placed."),
        _c("due_date", "date", True, "Date delivery was promised for."),
        _c("ship_date", "date", False, "Date the line shipped; empty while open or when cancelled."),
        _c("status", "string", True, "`shipped`, `open` or `cancelled`."),
        _c("customer_id", "string", True, "Customer business key, as in `customers`."),
        _c("sku", "string", True, "Product SKU, as in `products`."),
        _c("quantity", "integer", True, "Units ordered."),
        _c("unit_price", "decimal", True, "Price per unit before discount."),
        _c("discount_pct", "decimal", True, "Discount on the line as a fraction (0.15 = 15 %)."),
        _c(
            "extended_amount",
            "decimal",
            True,
            "Net line amount: quantity x unit price x (1 - discount), rounded to the cent.",
        ),
        _c("standard_cost", "decimal", True, "Standard cost per unit when the line was booked."),
        _c("campaign_code", "string", False, "Campaign the order used, as in `campaigns`; empty if none."),
        _c("last_modified_at", "timestamp", True, "When the ERP last changed this line."),
    ),
    allowed={"status": ("shipped", "open", "cancelled")},
)

CUSTOMERS = Entity(
    name="customers",
    system="CRM",
    description="Every customer that may appear on an order line: one row per customer, full snapshot.",
    required=True,
    mode="snapshot",
    primary_key=("customer_id",),
    columns=(
        _c("customer_id", "string", True, "Customer business key, e.g. `C000042`."),
        _c("customer_name", "string", True, "Person's or company's name."),
        _c("customer_type", "string", True, "`Individual` or `Business`."),
        _c("industry", "string", False, "Business customers' industry; empty for individuals."),
        _c("segment", "string", False, "CRM segment, e.g. `Enthusiast`, `Commuter`, `Reseller`."),
        _c("email", "string", False, "Contact e-mail."),
        _c("address_line", "string", False, "Street address."),
        _c("postal_code", "string", False, "Postal code."),
        _c("city", "string", True, "City name, as in `geography` when that file is delivered."),
        _c("state_province", "string", False, "State, province or county."),
        _c("country_code", "string", True, "ISO 3166-1 alpha-2 country code, e.g. `US`."),
        _c("created_date", "date", True, "Date the customer was created in the CRM."),
        _c("sales_rep_id", "string", False, "Owning sales rep, as in `sales_reps`; empty if unassigned."),
    ),
    allowed={"customer_type": ("Individual", "Business")},
)

PRODUCTS = Entity(
    name="products",
    system="ERP",
    description="The product catalogue, including discontinued products: one row per SKU, full snapshot.",
    required=True,
    mode="snapshot",
    primary_key=("sku",),
    columns=(
        _c("sku", "string", True, "Stock-keeping unit, the product's business key."),
        _c("product_name", "string", True, "Product name as shown to customers."),
        _c("model", "string", False, "Product model (a family of sizes and colours)."),
        _c("color", "string", False, "Colour."),
        _c("size", "string", False, "Size."),
        _c("subcategory", "string", True, "Product subcategory, e.g. `Mountain Bikes`."),
        _c("category", "string", True, "Product category: `Bikes`, `Components`, `Clothing`, `Accessories`."),
        _c("list_price", "decimal", True, "Current list price."),
        _c("standard_cost", "decimal", True, "Current standard cost."),
        _c("sell_start_date", "date", True, "First day the product could be sold (launch)."),
        _c("sell_end_date", "date", False, "Last day the product could be sold; empty while on sale."),
    ),
)

SALES_REPS = Entity(
    name="sales_reps",
    system="HR",
    description="Sales people and their managers: one row per employee, full snapshot.",
    required=False,
    mode="snapshot",
    primary_key=("employee_id",),
    columns=(
        _c("employee_id", "string", True, "Employee business key, e.g. `E0101`."),
        _c("full_name", "string", True, "First and last name."),
        _c("email", "string", True, "Work e-mail; also the sign-in name used for row-level security."),
        _c("job_title", "string", False, "e.g. `Sales Representative`, `Regional Sales Manager`."),
        _c(
            "territory_code",
            "string",
            False,
            "Territory the person sells in or leads; empty for company-wide roles.",
        ),
        _c("manager_id", "string", False, "Employee id of the manager; empty at the top."),
        _c("hire_date", "date", True, "Hire date."),
    ),
    without_it="customers' `sales_rep_id` is ignored and every sale belongs to the `Unassigned` rep.",
)

TERRITORIES = Entity(
    name="territories",
    system="CRM",
    description="Sales territories and the regions they roll up to.",
    required=False,
    mode="snapshot",
    primary_key=("territory_code",),
    columns=(
        _c("territory_code", "string", True, "Territory business key, e.g. `US-NW`."),
        _c("territory_name", "string", True, "Territory name, e.g. `Northwest`."),
        _c("region", "string", True, "Sales region (territory group), e.g. `North America`."),
        _c("country_code", "string", True, "ISO 3166-1 alpha-2 country the territory is in."),
    ),
    without_it="every sale falls in the `Unassigned` territory and region.",
)

GEOGRAPHY = Entity(
    name="geography",
    system="CRM",
    description=(
        "The cities customers live in, with coordinates so maps need no online geocoding, "
        "and the territory each city belongs to."
    ),
    required=False,
    mode="snapshot",
    primary_key=("country_code", "state_province", "city"),
    columns=(
        _c("city", "string", True, "City name."),
        _c("state_province", "string", True, "State, province or county."),
        _c("state_code", "string", False, "Short code of the state or province."),
        _c("country_code", "string", True, "ISO 3166-1 alpha-2 country code."),
        _c("country_name", "string", True, "Country name."),
        _c("territory_code", "string", False, "Sales territory of the city, as in `territories`."),
        _c("latitude", "decimal", True, "Latitude in decimal degrees (WGS 84)."),
        _c("longitude", "decimal", True, "Longitude in decimal degrees (WGS 84)."),
    ),
    without_it="customers keep their city and country but have no coordinates or territory.",
)

CAMPAIGNS = Entity(
    name="campaigns",
    system="Marketing",
    description="Marketing campaigns that orders can refer to.",
    required=False,
    mode="snapshot",
    primary_key=("campaign_code",),
    columns=(
        _c("campaign_code", "string", True, "Campaign business key, as on order lines."),
        _c("campaign_name", "string", True, "Campaign name."),
        _c(
            "campaign_type", "string", True, "e.g. `Seasonal sale`, `Product launch`, `Clearance`, `Loyalty`."
        ),
        _c("channel", "string", True, "e.g. `Email`, `Social`, `Search`, `Display`."),
        _c("start_date", "date", True, "First day of the campaign."),
        _c("end_date", "date", True, "Last day of the campaign."),
        _c("discount_pct", "decimal", False, "Discount the campaign offers, as a fraction."),
        _c("target_category", "string", False, "Product category the campaign promotes; empty for all."),
    ),
    without_it="every sale is in the `No campaign` member.",
)

ENTITIES: tuple[Entity, ...] = (
    ORDER_LINES,
    CUSTOMERS,
    PRODUCTS,
    SALES_REPS,
    TERRITORIES,
    GEOGRAPHY,
    CAMPAIGNS,
)

ENTITY_BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}

#: Columns the loader adds to every raw table.
LOAD_METADATA: tuple[Column, ...] = (
    _c("_source_file", "string", True, "File the row came from, relative to the delivery folder."),
    _c("_source_row", "integer", True, "Row number in that file (1 = first data row)."),
    _c("_loaded_at", "timestamp", True, "When the load that landed the file ran (UTC)."),
)

#: The budget as it lands in ``raw.budget`` (read from the workbook, see ``budget.py``).
BUDGET_COLUMNS: tuple[Column, ...] = (
    _c("budget_month", "date", True, "First day of the budget month."),
    _c("category", "string", False, "Product category; empty in the simple (total per month) form."),
    _c("territory_code", "string", False, "Sales territory; empty in the simple form."),
    _c("sales_rep_id", "string", False, "Sales rep, when the detailed form has a rep column."),
    _c("budget_amount", "decimal", True, "Budgeted net sales amount."),
    _c("_source_sheet", "string", True, "Worksheet the row came from."),
)

#: Budget workbook headers, per logical field. Matching ignores case, spaces and punctuation.
BUDGET_HEADERS: dict[str, tuple[str, ...]] = {
    "month": (
        "month",
        "budget month",
        "period",
        "date",
        "month start",
        "fiscal month",
        "year month",
        "calendar month",
        "budget period",
    ),
    "category": ("category", "product category", "category name"),
    "territory": ("territory", "sales territory", "territory code"),
    "sales_rep": (
        "sales rep",
        "sales rep id",
        "employee id",
        "rep",
        "rep id",
        "salesperson",
        "sales person",
        "sales person id",
    ),
    "amount": (
        "budget",
        "amount",
        "budget amount",
        "sales budget",
        "target",
        "sales target",
        "quota",
        "net sales budget",
        "budget net sales",
    ),
}

DATA_FILE_SUFFIXES = (".csv", ".parquet")
