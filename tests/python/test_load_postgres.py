"""The same raw layer lands in a real PostgreSQL server, with the same numbers as in DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from salespulse.errors import ContractError
from salespulse.loader import load
from salespulse.rawstats import raw_totals
from salespulse.warehouse import DuckDBWarehouse, Warehouse

pytestmark = pytest.mark.postgres


def run_load(folder: Path, warehouse: Warehouse):
    return load(folder, warehouse, budget_files=sorted(folder.glob("budget*.xlsx")))


def contents(warehouse: Warehouse, table: str) -> list[str]:
    return sorted(map(repr, warehouse.query(f"select * from raw.{table}")))


def test_demo_delivery_has_identical_counts_and_totals_on_both_targets(
    demo_delivery: Path, pg_warehouse: Warehouse, tmp_path: Path
) -> None:
    with DuckDBWarehouse(tmp_path / "demo.duckdb") as duck:
        run_load(demo_delivery, duck)
        duck_totals = raw_totals(duck)
    run_load(demo_delivery, pg_warehouse)

    pg_totals = raw_totals(pg_warehouse)

    assert pg_totals == duck_totals
    assert duck_totals["order_lines"]["rows"] > 15_000
    assert duck_totals["budget"]["sum_budget_amount"] > 0
    assert all(duck_totals[t]["rows"] > 0 for t in duck_totals)


def test_reload_on_postgres_is_idempotent_and_a_failed_load_rolls_back(
    mini_delivery: Path, pg_warehouse: Warehouse
) -> None:
    run_load(mini_delivery, pg_warehouse)
    before = {t: contents(pg_warehouse, t) for t in ("order_lines", "customers", "budget", "_load_log")}

    assert not run_load(mini_delivery, pg_warehouse).changed
    assert {t: contents(pg_warehouse, t) for t in before} == before

    products = mini_delivery / "products.csv"
    products.write_text(products.read_text().replace("Bottles and Cages", "Bottles and Cages,extra"))
    with pytest.raises(
        ContractError, match=r"products.csv, line 3, row 2: has 12 fields where the header has 11"
    ):
        run_load(mini_delivery, pg_warehouse)
    assert {t: contents(pg_warehouse, t) for t in before} == before


def test_strings_and_nulls_survive_copy(mini_delivery: Path, pg_warehouse: Warehouse) -> None:
    run_load(mini_delivery, pg_warehouse)

    rows = pg_warehouse.query(
        "select customer_name, industry, state_province from raw.customers order by customer_id"
    )

    assert rows == [
        ("Ada Lovelace", None, "Washington"),
        ("Wheels, Inc.", "Retail", "Île-de-France"),
        ("Jörg Müller", None, "Berlin"),
    ]
