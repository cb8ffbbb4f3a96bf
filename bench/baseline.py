#!/usr/bin/env python3
"""A hand-written baseline for the build: the core of what `salespulse build` does, in plain DuckDB SQL.

    python bench/baseline.py WAREHOUSE.duckdb [--json OUT.json]

It reads the raw tables of a loaded warehouse (``raw.*``, as `salespulse load` lands them) and writes its
tables into the schema ``baseline`` of the same file, so run it on a copy (scripts/bench_build.py does; not
named ``baseline.duckdb``: DuckDB names the catalog after the file, and the schema would be ambiguous). What
it does, each step one SQL statement, timed:

1. **versions**: every order-line version ranked once (latest ``last_modified_at``, then load, file,
   row), renamed and cast as staging does, with the first business rule the latest version breaks
   (the rules of models/intermediate/int_order_lines__checked.sql: unknown status, quantity <= 0,
   negative price, discount outside [0, 1), extended amount off by more than a cent, ordered after the
   as-of date, due before ordered); older versions are superseded.
2. **dimensions**: the latest version of territories, sales reps, customers, products, campaigns and
   geography (trimmed, as staging does); customer -> city (geography) -> territory, else the rep's
   territory; rep -> territory -> region; hashed keys (md5, the build's ``surrogate_key``), unknown
   members (-1).
3. **customer orders**: first / last order date, order count, first order number per customer.
4. **fct_sales**: the lines that break no rule, keyed (hashed ``sales_key``, yyyymmdd date keys,
   dimension keys), with the measures (gross, discount, net, cost, margin, cancelled) and New /
   Returning; **rejected_rows**: the broken and the superseded versions.
5. **fct_orders**: one row per order, with the customer's order sequence and the previous / next order.
6. **budget** (latest version per cell, keyed, to date at the as-of date) and **sales vs budget** at the
   budget's grain (month x category x territory x rep, or coarser when the budget is).
7. **daily slice cube**: what agg_web_sales_daily holds (day x category, and day over all categories,
   x campaign x territory x rep x client type x the client's rep and territory: sums, distinct orders,
   new clients).
8. **key checks**: every key above unique and not null, every fact key found in its dimension, every
   cube cell once. Any violation fails the run (exit 1).

Left out (so the build does more than this): the other ten web aggregates and the customer marts (RFM,
at-risk, activity, acquisition, campaign effectiveness), dim_date, the geography of cities no
geography row names, the customer label for namesakes, the reporting views (views: no work), dbt's
other ~300 data tests (accepted values, relationships of every model, totals agreeing to the cent),
unit tests, the data-freshness table, and the hand-over (the build copies the published file, builds
the copy and swaps a link; this writes in place). The timing therefore flatters the baseline, never
the build.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
STATUSES = ROOT / "seeds" / "order_statuses.csv"


def key(*columns: str) -> str:
    """The build's surrogate key: the first 13 hex digits of md5 over the '|'-joined columns, as bigint."""
    joined = " || '|' || ".join(f"coalesce(cast({c} as varchar), '~null~')" for c in columns)
    return f"cast(('0x' || substr(md5({joined}), 1, 13)) as bigint)"


def date_key(column: str) -> str:
    return f"(year({column}) * 10000 + month({column}) * 100 + day({column}))"


def latest(
    table: str, partition: str, order: str = "_loaded_at desc, _source_file desc, _source_row desc"
) -> str:
    return (
        f"select * from raw.{table} qualify row_number() over (partition by {partition} order by {order}) = 1"
    )


def statuses_sql() -> str:
    """The order statuses seed as a VALUES list (the build loads it as a table)."""
    with STATUSES.open(newline="") as handle:
        rows = [(r["status"], r["counts_as_sales"].strip().lower() == "true") for r in csv.DictReader(handle)]
    values = ", ".join(f"('{status}', {str(counts).lower()})" for status, counts in rows)
    return f"select * from (values {values}) as statuses(status, counts_as_sales)"


def steps(as_of: str) -> list[tuple[str, str]]:
    """(name, SQL) of every step, in order."""
    as_of_date = f"date '{as_of}'"
    return [
        (
            "versions (latest per line, business rules)",
            f"""
create or replace table baseline.order_lines as
with ranked as (
    select *, row_number() over (
        partition by order_number, line_number
        order by last_modified_at desc, _loaded_at desc, _source_file desc, _source_row desc
    ) as version_rank
    from raw.order_lines
),
renamed as (
    select
        order_number || '-' || cast(line_number as varchar) as order_line_id,
        order_number, cast(line_number as integer) as line_number,
        order_date, due_date, ship_date,
        lower(trim(status)) as order_status, trim(customer_id) as customer_id, trim(sku) as sku,
        nullif(trim(campaign_code), '') as campaign_code,
        cast(quantity as integer) as quantity, unit_price, discount_pct, extended_amount,
        standard_cost as unit_standard_cost,
        last_modified_at, _source_file as source_file, _source_row as source_row, version_rank
    from ranked
)
select
    renamed.*,
    statuses.counts_as_sales,
    case
        when version_rank > 1 then 'superseded_by_later_version'
        when statuses.status is null then 'unknown_status'
        when quantity <= 0 then 'non_positive_quantity'
        when unit_price < 0 then 'negative_unit_price'
        when discount_pct < 0 or discount_pct >= 1 then 'discount_out_of_range'
        when abs(extended_amount - round(quantity * unit_price * (1 - discount_pct), 2)) > 0.01
            then 'extended_amount_mismatch'
        when order_date > {as_of_date} then 'after_as_of_date'
        when due_date < order_date then 'due_before_order_date'
    end as rejection_reason
from renamed
left join ({statuses_sql()}) as statuses on renamed.order_status = statuses.status
""",
        ),
        (
            "dimensions (territory, rep, geography, product, campaign)",
            f"""
create or replace table baseline.dim_territory as
select {key("territory_code")} as territory_key, territory_code, territory_name, region_name, country_code
from (
    select trim(territory_code) as territory_code, trim(territory_name) as territory_name,
        trim(region) as region_name, upper(trim(country_code)) as country_code
    from ({latest("territories", "territory_code")})
)
union all select -1, 'UNASSIGNED', 'Unassigned', 'Unassigned', null;

create or replace table baseline.dim_sales_rep as
with reps as (
    select trim(employee_id) as employee_id, trim(full_name) as full_name,
        nullif(trim(territory_code), '') as territory_code, nullif(trim(manager_id), '') as manager_id
    from ({latest("sales_reps", "employee_id")})
)
select
    {key("reps.employee_id")} as sales_rep_key, reps.employee_id, reps.full_name,
    coalesce(t.territory_code, 'UNASSIGNED') as territory_code,
    coalesce(t.territory_name, 'Unassigned') as territory_name,
    coalesce(t.region_name, 'Unassigned') as region_name,
    managers.full_name as manager_name
from reps
left join reps as managers on reps.manager_id = managers.employee_id
left join baseline.dim_territory as t on reps.territory_code = t.territory_code
union all select -1, 'UNASSIGNED', 'Unassigned', 'UNASSIGNED', 'Unassigned', 'Unassigned', null;

create or replace table baseline.dim_geography as
select {key("country_code", "state_province", "city")} as geography_key, *
from (
    select trim(city) as city, trim(state_province) as state_province,
        upper(trim(country_code)) as country_code, nullif(trim(territory_code), '') as territory_code
    from ({latest("geography", "country_code, state_province, city")})
);

create or replace table baseline.dim_product as
select {key("sku")} as product_key, sku, product_name, category_name, {key("category_name")} as category_key
from (
    select trim(sku) as sku, trim(product_name) as product_name, trim(category) as category_name
    from ({latest("products", "sku")})
)
union all select -1, 'UNKNOWN', 'Unknown product', 'Unknown', -1;

create or replace table baseline.dim_campaign as
select {key("campaign_code")} as campaign_key, campaign_code
from (select trim(campaign_code) as campaign_code from ({latest("campaigns", "campaign_code")}))
union all select -1, 'NONE';
""",
        ),
        (
            "customer orders (first / last / count)",
            """
create or replace table baseline.customer_orders as
select
    customer_id,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    count(distinct order_number) as order_count,
    min({'d': order_date, 'n': order_number}).n as first_order_number
from baseline.order_lines
where rejection_reason is null and counts_as_sales
group by customer_id
""",
        ),
        (
            "dim_customer (customer -> city / rep -> territory -> region)",
            f"""
create or replace table baseline.dim_customer as
with customers as (
    select trim(customer_id) as customer_id, trim(customer_name) as customer_name,
        trim(customer_type) as customer_type, trim(city) as city,
        nullif(trim(state_province), '') as state_province, upper(trim(country_code)) as country_code,
        nullif(trim(sales_rep_id), '') as sales_rep_id
    from ({latest("customers", "customer_id")})
),
located as (
    select customers.customer_id, g.geography_key, g.territory_code
    from customers
    join baseline.dim_geography as g
        on customers.country_code = g.country_code and lower(customers.city) = lower(g.city)
        and (customers.state_province is null or lower(customers.state_province) = lower(g.state_province))
    qualify row_number() over (
        partition by customers.customer_id order by g.state_province, g.geography_key
    ) = 1
),
enriched as (
    select
        customers.*, located.geography_key, reps.employee_id,
        coalesce(located.territory_code, reps.territory_code) as territory_code,
        orders.first_order_date, orders.last_order_date, orders.first_order_number,
        coalesce(orders.order_count, 0) as order_count
    from customers
    left join located on customers.customer_id = located.customer_id
    left join baseline.dim_sales_rep as reps on customers.sales_rep_id = reps.employee_id
    left join baseline.customer_orders as orders on customers.customer_id = orders.customer_id
)
select
    {key("customer_id")} as customer_key, customer_id, customer_name, customer_type,
    coalesce(geography_key, -1) as geography_key,
    case when territory_code is null then -1 else {key("territory_code")} end as territory_key,
    case when employee_id is null then -1 else {key("employee_id")} end as sales_rep_key,
    territory_code, first_order_date, last_order_date, first_order_number, order_count
from enriched
union all
select -1, 'UNKNOWN', 'Unknown customer', 'Unknown', -1, -1, -1, null, null, null, null, 0
""",
        ),
        (
            "fct_sales (keys, measures, New / Returning) and rejected_rows",
            f"""
create or replace table baseline.fct_sales as
select
    {key("l.order_number", "l.line_number")} as sales_key,
    l.order_line_id, l.order_number, l.line_number,
    {date_key("l.order_date")} as order_date_key, {date_key("l.due_date")} as due_date_key,
    case when l.ship_date is not null then {date_key("l.ship_date")} end as ship_date_key,
    l.order_date,
    coalesce(c.customer_key, -1) as customer_key, coalesce(p.product_key, -1) as product_key,
    coalesce(c.sales_rep_key, -1) as sales_rep_key, coalesce(c.geography_key, -1) as geography_key,
    coalesce(c.territory_key, -1) as territory_key, coalesce(k.campaign_key, -1) as campaign_key,
    l.order_status, l.order_status = 'cancelled' as is_cancelled, l.counts_as_sales,
    case when not l.counts_as_sales then null
        when l.order_number = c.first_order_number then 'New' else 'Returning' end as customer_order_type,
    l.quantity as ordered_quantity, l.unit_price, l.discount_pct,
    case when l.counts_as_sales then l.quantity else 0 end as sales_quantity,
    cast(case when l.counts_as_sales then greatest(round(l.quantity * l.unit_price, 2), l.extended_amount)
        else 0 end as decimal(18, 4)) as gross_amount,
    cast(case when l.counts_as_sales
        then greatest(round(l.quantity * l.unit_price, 2), l.extended_amount) - l.extended_amount
        else 0 end as decimal(18, 4)) as discount_amount,
    cast(case when l.counts_as_sales then l.extended_amount else 0 end as decimal(18, 4)) as net_sales_amount,
    cast(case when l.counts_as_sales then l.quantity * l.unit_standard_cost else 0 end as decimal(18, 4))
        as cost_amount,
    cast(case when l.counts_as_sales then l.extended_amount - l.quantity * l.unit_standard_cost else 0 end
        as decimal(18, 4)) as margin_amount,
    cast(case when l.counts_as_sales then 0 else l.extended_amount end as decimal(18, 4)) as cancelled_amount,
    l.last_modified_at, l.source_file, l.source_row
from baseline.order_lines as l
left join baseline.dim_customer as c on l.customer_id = c.customer_id
left join baseline.dim_product as p on l.sku = p.sku
left join baseline.dim_campaign as k on l.campaign_code = k.campaign_code
where l.rejection_reason is null;

create or replace table baseline.rejected_rows as
select 'order_lines' as entity, source_file, source_row, order_line_id as business_key, rejection_reason
from baseline.order_lines
where rejection_reason is not null
""",
        ),
        (
            "fct_orders (order sequence per customer)",
            f"""
create or replace table baseline.fct_orders as
with orders as (
    select order_number, min(order_date) as order_date, min(customer_key) as customer_key,
        min(sales_rep_key) as sales_rep_key, min(territory_key) as territory_key, count(*) as line_count,
        sum(sales_quantity) as sales_quantity,
        cast(sum(net_sales_amount) as decimal(18, 4)) as net_sales_amount
    from baseline.fct_sales where counts_as_sales group by order_number
)
select
    {key("order_number")} as order_key, *, {date_key("order_date")} as order_date_key,
    row_number() over customer_orders as customer_order_sequence,
    lag(order_date) over customer_orders as previous_order_date,
    lead(order_date) over customer_orders as next_order_date
from orders
window customer_orders as (partition by customer_key order by order_date, order_number)
""",
        ),
        (
            "budget and sales vs budget at the budget's grain",
            f"""
create or replace table baseline.fct_budget as
with budget as (
    select budget_month, nullif(trim(category), '') as category_name,
        nullif(trim(territory_code), '') as territory_code, nullif(trim(sales_rep_id), '') as sales_rep_id,
        budget_amount
    from ({latest("budget", "budget_month, category, territory_code, sales_rep_id")})
),
dated as (
    select *, day(last_day(budget_month)) as days_in_month,
        case when last_day(budget_month) <= {as_of_date} then day(last_day(budget_month))
            when budget_month > {as_of_date} then 0 else day({as_of_date}) end as elapsed_days
    from budget
)
select
    {key("budget_month", "category_name", "territory_code", "sales_rep_id")} as budget_key, *,
    case when elapsed_days > 0 then cast(budget_amount * elapsed_days / days_in_month as decimal(18, 4))
        end as budget_to_date_amount
from dated;

create or replace table baseline.sales_vs_budget_monthly as
with grain as (
    select max(category_name is not null)::int as has_category, max(territory_code is not null)::int
        as has_territory, max(sales_rep_id is not null)::int as has_sales_rep
    from baseline.fct_budget
),
sales as (
    select
        date_trunc('month', s.order_date)::date as budget_month,
        case when grain.has_category = 1 then p.category_name end as category_name,
        case when grain.has_territory = 1 then t.territory_code end as territory_code,
        case when grain.has_sales_rep = 1 then r.employee_id end as sales_rep_id,
        cast(sum(s.net_sales_amount) as decimal(18, 4)) as sales_amount
    from baseline.fct_sales as s
    join baseline.dim_product as p on s.product_key = p.product_key
    join baseline.dim_territory as t on s.territory_key = t.territory_key
    join baseline.dim_sales_rep as r on s.sales_rep_key = r.sales_rep_key
    cross join grain
    group by all
),
combined as (
    select
        coalesce(b.budget_month, s.budget_month) as month_start_date,
        coalesce(b.category_name, s.category_name) as category_name,
        coalesce(b.territory_code, s.territory_code) as territory_code,
        coalesce(b.sales_rep_id, s.sales_rep_id) as sales_rep_id,
        s.sales_amount, b.budget_amount, b.budget_to_date_amount
    from sales as s
    full join baseline.fct_budget as b
        on s.budget_month = b.budget_month and s.category_name is not distinct from b.category_name
        and s.territory_code is not distinct from b.territory_code
        and s.sales_rep_id is not distinct from b.sales_rep_id
)
select
    {
                key(
                    "combined.month_start_date",
                    "combined.category_name",
                    "combined.territory_code",
                    "combined.sales_rep_id",
                )
            } as sales_vs_budget_key,
    combined.*, t.territory_name, t.region_name, r.full_name as sales_rep_name,
    combined.sales_amount - combined.budget_amount as variance_amount,
    combined.sales_amount / nullif(combined.budget_amount, 0) as attainment_pct,
    combined.sales_amount / nullif(combined.budget_to_date_amount, 0) as attainment_to_date_pct
from combined
left join baseline.dim_territory as t on combined.territory_code = t.territory_code
left join baseline.dim_sales_rep as r on combined.sales_rep_id = r.employee_id
""",
        ),
        (
            "daily slice cube (agg_web_sales_daily)",
            f"""
create or replace table baseline.sales_daily as
select
    s.order_date, {date_key("s.order_date")} as order_date_key,
    grouping(p.category_name) = 1 as is_all_categories, p.category_name,
    s.campaign_key, s.territory_key, s.sales_rep_key, c.customer_type,
    c.sales_rep_key as customer_sales_rep_key, c.territory_key as customer_territory_key,
    cast(sum(s.net_sales_amount) as decimal(18, 4)) as net_sales_amount,
    cast(sum(s.sales_quantity) as bigint) as sales_quantity,
    cast(sum(s.margin_amount) as decimal(18, 4)) as margin_amount,
    cast(sum(s.cancelled_amount) as decimal(18, 4)) as cancelled_amount,
    count(distinct s.order_number) filter (where s.counts_as_sales) as order_count,
    count(distinct s.customer_key) filter (where s.customer_order_type = 'New' and s.customer_key <> -1)
        as new_customer_count
from baseline.fct_sales as s
left join baseline.dim_customer as c on s.customer_key = c.customer_key
left join baseline.dim_product as p on s.product_key = p.product_key
group by grouping sets (
    (s.order_date, p.category_name, s.campaign_key, s.territory_key, s.sales_rep_key, c.customer_type,
        c.sales_rep_key, c.territory_key),
    (s.order_date, s.campaign_key, s.territory_key, s.sales_rep_key, c.customer_type,
        c.sales_rep_key, c.territory_key)
)
""",
        ),
    ]


#: (table, key columns): each combination must be unique and never null.
KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("baseline.dim_territory", ("territory_key",)),
    ("baseline.dim_sales_rep", ("sales_rep_key",)),
    ("baseline.dim_geography", ("geography_key",)),
    ("baseline.dim_product", ("product_key",)),
    ("baseline.dim_campaign", ("campaign_key",)),
    ("baseline.dim_customer", ("customer_key",)),
    ("baseline.fct_sales", ("sales_key",)),
    ("baseline.fct_sales", ("order_number", "line_number")),
    ("baseline.rejected_rows", ("entity", "source_file", "source_row")),
    ("baseline.fct_orders", ("order_key",)),
    ("baseline.fct_budget", ("budget_key",)),
    ("baseline.sales_vs_budget_monthly", ("sales_vs_budget_key",)),
    (
        "baseline.sales_daily",
        (
            "order_date",
            "is_all_categories",
            "category_name",
            "campaign_key",
            "territory_key",
            "sales_rep_key",
            "customer_type",
            "customer_sales_rep_key",
            "customer_territory_key",
        ),
    ),
)

#: (fact, key column, dimension, dimension key): every fact key must be in its dimension.
RELATIONSHIPS: tuple[tuple[str, str, str, str], ...] = (
    ("baseline.fct_sales", "customer_key", "baseline.dim_customer", "customer_key"),
    ("baseline.fct_sales", "product_key", "baseline.dim_product", "product_key"),
    ("baseline.fct_sales", "sales_rep_key", "baseline.dim_sales_rep", "sales_rep_key"),
    ("baseline.fct_sales", "territory_key", "baseline.dim_territory", "territory_key"),
    ("baseline.fct_sales", "campaign_key", "baseline.dim_campaign", "campaign_key"),
    ("baseline.fct_orders", "customer_key", "baseline.dim_customer", "customer_key"),
)

#: Columns of the daily cube that are null by design (the all-categories rows, no client type).
NULLABLE_GRAIN = frozenset({"category_name", "customer_type"})


def key_violations(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str]) -> int:
    """Rows repeating a key value (beyond its first row), plus rows with a null key column.

    A null key is counted once, as null (not again as a repeat); the cube's nullable grain columns
    (``NULLABLE_GRAIN``) may be null, and null equals null when repeats are counted.
    """
    listed = ", ".join(columns)
    null_test = " or ".join(f"{c} is null" for c in columns if c not in NULLABLE_GRAIN) or "false"
    sql = f"""
        select
            (select coalesce(sum(rows_per_key - 1), 0) from (
                select count(*) as rows_per_key from {table} where not ({null_test})
                group by {listed} having count(*) > 1
            ))
            + (select count(*) from {table} where {null_test})
    """
    return int(con.execute(sql).fetchone()[0])  # type: ignore[index]


def orphans(con: duckdb.DuckDBPyConnection, fact: str, column: str, dimension: str, dim_key: str) -> int:
    """Fact rows whose key is not in the dimension."""
    sql = f"select count(*) from {fact} anti join {dimension} on {fact}.{column} = {dimension}.{dim_key}"
    return int(con.execute(sql).fetchone()[0])  # type: ignore[index]


def as_of_date(con: duckdb.DuckDBPyConnection) -> str:
    """SALESPULSE_AS_OF, else the latest order date the loader recorded (as the build decides it)."""
    configured = os.environ.get("SALESPULSE_AS_OF", "").strip()
    if configured:
        return configured
    found = con.execute(
        "select max(last_order_date) from raw._load_log where entity = 'order_lines'"
    ).fetchone()
    if not found or found[0] is None:
        raise SystemExit("no order lines loaded (raw._load_log): run `salespulse load` first")
    return found[0].isoformat()


def run(path: Path) -> dict[str, object]:
    """Build the baseline tables in ``path`` and check their keys; the timings, row counts and violations."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with duckdb.connect(str(path)) as con:
        con.execute("set preserve_insertion_order = false")  # no step needs rows in load order
        con.execute("create schema if not exists baseline")
        as_of = as_of_date(con)
        for name, sql in steps(as_of):
            step_started = time.perf_counter()
            con.execute(sql)
            timings[name] = time.perf_counter() - step_started
        check_started = time.perf_counter()
        violations = {
            f"{table} ({', '.join(columns)})": key_violations(con, table, columns) for table, columns in KEYS
        }
        violations |= {
            f"{fact}.{column} -> {dim}": orphans(con, fact, column, dim, dim_key)
            for fact, column, dim, dim_key in RELATIONSHIPS
        }
        timings["key checks"] = time.perf_counter() - check_started
        step_started = time.perf_counter()
        con.execute("checkpoint")
        timings["checkpoint"] = time.perf_counter() - step_started
        rows = {
            table: int(con.execute(f"select count(*) from {table}").fetchone()[0])  # type: ignore[index]
            for table in dict.fromkeys(table for table, _ in KEYS)
        }
    return {
        "as_of": as_of,
        "seconds": time.perf_counter() - started,
        "steps": timings,
        "rows": rows,
        "violations": {name: count for name, count in violations.items() if count},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("warehouse", type=Path, help="a loaded DuckDB warehouse (written: use a copy)")
    parser.add_argument("--json", type=Path, help="write the result here as JSON")
    args = parser.parse_args(argv)
    result = run(args.warehouse)
    for name, seconds in result["steps"].items():  # type: ignore[attr-defined]
        print(f"  {name:<62} {seconds:7.1f} s")
    print(f"baseline: {result['seconds']:.1f} s, {result['rows']['baseline.fct_sales']:,} sales lines")  # type: ignore[index]
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if result["violations"]:
        print(f"key checks failed: {result['violations']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
