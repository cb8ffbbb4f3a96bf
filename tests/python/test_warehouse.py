"""The dbt warehouse built from deliveries: reconciliation, unknown members, docs, both targets."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from salespulse.dbt import run_dbt
from salespulse.warehouse import Warehouse, connect
from warehouse_build import assert_same_on_both, build_warehouse

REPORTING_VIEWS = {
    "sales": "sales_key",
    "budget": "budget_key",
    "customers": "customer_key",
    "products": "product_key",
    "dates": "date_key",
    "sales_reps": "sales_rep_key",
    "geography": "geography_key",
    "territories": "territory_key",
    "campaigns": "campaign_key",
    "sales_vs_budget_monthly": "sales_vs_budget_key",
}


def scalar(warehouse: Warehouse, sql: str) -> object:
    return warehouse.query(sql)[0][0]


def test_demo_reporting_layer_answers_the_managers_questions(demo_duck: Warehouse) -> None:
    # sales by month vs budget, two years back plus the current one
    months = demo_duck.query(
        "select year_number, count(*), sum(sales_amount), sum(budget_amount) "
        "from reporting.sales_vs_budget_monthly group by year_number order by year_number"
    )
    assert [m[0] for m in months] == [2022, 2023, 2024]
    assert months[0][3] is None and months[1][3] is None and months[2][3] > 0
    assert months[0][2] < months[1][2] < months[2][2]  # year-on-year growth
    # attainment by region: the planted miss in Europe, the others near or above plan
    attainment = {
        region: sales / budget
        for region, sales, budget in demo_duck.query(
            "select region_name, sum(sales_amount), sum(budget_amount) "
            "from reporting.sales_vs_budget_monthly where year_number = 2024 group by region_name"
        )
    }
    others = [value for region, value in attainment.items() if region != "Europe"]
    assert attainment["Europe"] < Decimal("0.9")
    assert attainment["Europe"] < min(others) - Decimal("0.1")
    # top clients, by category, by rep, by campaign: every sale has its members
    top = demo_duck.query(
        "select c.customer_name, sum(s.net_sales_amount) as amount from reporting.sales s "
        "join reporting.customers c on s.customer_key = c.customer_key "
        "group by c.customer_name order by amount desc limit 10"
    )
    assert len(top) == 10 and top[0][1] > top[9][1] > 0
    unassigned = demo_duck.query(
        "select sum(case when customer_key = -1 then 1 else 0 end), "
        "sum(case when product_key = -1 then 1 else 0 end), "
        "sum(case when sales_rep_key = -1 then 1 else 0 end), "
        "sum(case when geography_key = -1 then 1 else 0 end), "
        "sum(case when campaign_key <> -1 then 1 else 0 end) from reporting.sales"
    )[0]
    assert unassigned[:4] == (0, 0, 0, 0)
    assert unassigned[4] > 0  # campaign sales are attributed


def test_late_updates_are_superseded_and_every_raw_line_is_accounted_for(
    demo_duck: Warehouse, demo_delivery: Path
) -> None:
    manifest = json.loads((demo_delivery / "_manifest.json").read_text())
    raw_lines = scalar(demo_duck, "select count(*) from raw.order_lines")
    facts = scalar(demo_duck, "select count(*) from marts.fct_sales")
    superseded = scalar(
        demo_duck,
        "select count(*) from marts.rejected_rows "
        "where entity = 'order_lines' and rejection_reason = 'superseded_by_later_version'",
    )
    rejected = scalar(demo_duck, "select count(*) from marts.rejected_rows where entity = 'order_lines'")

    assert raw_lines == facts + rejected
    assert (
        superseded == manifest["row_counts"]["late_updates"] if "row_counts" in manifest else superseded > 0
    )
    raw_net = scalar(
        demo_duck,
        "select sum(extended_amount) from raw.order_lines r where status <> 'cancelled' and not exists "
        "(select 1 from marts.rejected_rows x "
        "where x.source_file = r._source_file and x.source_row = r._source_row)",
    )
    assert raw_net == scalar(demo_duck, "select sum(net_sales_amount) from reporting.sales")
    assert raw_net == scalar(demo_duck, "select sum(sales_amount) from reporting.sales_vs_budget_monthly")
    assert scalar(demo_duck, "select sum(budget_amount) from raw.budget") == scalar(
        demo_duck, "select sum(budget_amount) from reporting.budget"
    )


def test_every_model_and_column_is_documented(demo_duckdb: dict[str, str]) -> None:
    run_dbt(["docs", "generate"], env=demo_duckdb)
    target = Path(demo_duckdb["DBT_TARGET_PATH"])
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())

    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    assert len(models) >= 25
    undocumented = [k for k, v in models.items() if not v["description"].strip()]
    assert not undocumented
    missing = []
    for key, node in models.items():
        documented = {name for name, col in node["columns"].items() if col["description"].strip()}
        if node["config"]["materialized"] == "ephemeral":  # inlined, never built: no catalog entry
            assert documented and documented == set(node["columns"]), node["name"]
            continue
        built = {c.lower() for c in catalog["nodes"][key]["columns"]}
        missing += [f"{node['name']}.{c}" for c in sorted(built - documented)]
    assert not missing, missing
    assert (target / "index.html").exists()


@pytest.fixture
def minimal_delivery_warehouse(mini_delivery: Path, tmp_path: Path) -> Iterator[Warehouse]:
    """The hand-written minimal delivery (no reps, territories, geography or campaigns), with two
    extra order lines: one for a customer the CRM does not know, one with a status the ERP invented."""
    january = mini_delivery / "order_lines" / "order_lines_2024-01.csv"
    january.write_text(
        january.read_text()
        + "SO8,1,2024-01-25,2024-02-01,,open,C404,AC-1,1,4.99,0,4.99,1.87,,2024-01-25 10:00:00\n"
        + "SO9,1,2024-01-26,2024-02-02,,on-hold,C1,AC-1,1,4.99,0,4.99,1.87,,2024-01-26 10:00:00\n"
    )
    env = build_warehouse(
        mini_delivery, tmp_path, "duckdb", {"SALESPULSE_DUCKDB_PATH": str(tmp_path / "m.duckdb")}
    )
    with connect("duckdb", {**os.environ, **env}) as warehouse:
        yield warehouse


def test_minimal_delivery_builds_with_unassigned_members_and_rejects_with_reasons(
    minimal_delivery_warehouse: Warehouse,
) -> None:
    w = minimal_delivery_warehouse
    members = w.query(
        "select distinct t.territory_name, r.full_name, c.campaign_name from reporting.sales s "
        "join reporting.territories t on s.territory_key = t.territory_key "
        "join reporting.sales_reps r on s.sales_rep_key = r.sales_rep_key "
        "join reporting.campaigns c on s.campaign_key = c.campaign_key"
    )
    assert members == [("Unassigned", "Unassigned", "No campaign")]
    unknown = w.query(
        "select c.customer_name, s.net_sales_amount from reporting.sales s "
        "join reporting.customers c on s.customer_key = c.customer_key where s.order_number = 'SO8'"
    )
    assert unknown == [("Unknown customer", Decimal("4.99"))]  # kept, not dropped
    rejected = w.query("select business_key, rejection_reason from marts.rejected_rows")
    assert rejected == [("SO9-1", "unknown_status")]
    # a month-only budget: one row per month, no category grain, no attainment per category
    grains = w.query(
        "select distinct budget_grain, category_name, territory_code from reporting.sales_vs_budget_monthly"
    )
    assert grains == [("month", None, None)]


@pytest.mark.postgres
def test_reporting_numbers_are_identical_on_duckdb_and_postgres(
    demo_duck: Warehouse, demo_postgres: dict[str, str]
) -> None:
    with connect("postgres", {**os.environ, **demo_postgres}) as pg:
        assert_same_on_both(demo_duck, pg, REPORTING_VIEWS)


def test_sources_are_fresh_after_a_load_and_the_budget_matches_the_workbook(
    demo_duckdb: dict[str, str], demo_delivery: Path
) -> None:
    from salespulse.budget import budget_total, read_budget

    # dbt needs the DuckDB file to itself: no connection is open while it runs
    freshness = run_dbt(["source", "freshness"], env=demo_duckdb, check=False)
    assert freshness.returncode == 0, freshness.stdout[-3000:]
    assert "PASS freshness of erp.order_lines" in freshness.stdout

    workbook = budget_total(read_budget(demo_delivery / "budget_2024.xlsx"))
    manifest = json.loads((demo_delivery / "_manifest.json").read_text())
    assert workbook == manifest["budget_total"] > 0
    with connect("duckdb", {**os.environ, **demo_duckdb}) as warehouse:
        assert scalar(warehouse, "select sum(budget_amount) from reporting.budget") == workbook


def test_reconciliation_tests_catch_a_cent_of_difference(mini_delivery: Path, tmp_path: Path) -> None:
    env = build_warehouse(
        mini_delivery, tmp_path, "duckdb", {"SALESPULSE_DUCKDB_PATH": str(tmp_path / "r.duckdb")}
    )
    with connect("duckdb", {**os.environ, **env}) as warehouse, warehouse.transaction():
        # the raw layer changes by one cent after the build: the marts no longer agree with it
        warehouse.execute("update raw.budget set budget_amount = budget_amount + 0.01 where _source_row = 2")
        warehouse.execute(
            "update raw.order_lines set extended_amount = extended_amount + 0.01 where _source_row = 1"
        )

    result = run_dbt(["test", "--select", "test_type:singular"], env=env, check=False)

    assert result.returncode == 1
    assert "FAIL 1 assert_budget_reconciles_raw_to_reporting" in result.stdout
    assert "FAIL 1 assert_net_sales_reconcile_raw_to_reporting" in result.stdout
    assert "PASS assert_every_raw_order_line_is_accounted_for" in result.stdout
