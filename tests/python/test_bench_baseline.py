"""The hand-written build baseline (bench/baseline.py): it builds from raw tables and its key checks bite.

Its speed is measured by `make bench`, never here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from salespulse.loader import load
from salespulse.warehouse import DuckDBWarehouse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_baseline", ROOT / "bench" / "baseline.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def loaded(mini_delivery: Path, tmp_path: Path) -> Path:
    """The mini delivery landed in raw (no dbt build: the baseline reads raw only)."""
    path = tmp_path / "warehouse" / "salespulse.duckdb"
    with DuckDBWarehouse(path) as warehouse:
        load(mini_delivery, warehouse, budget_files=sorted(mini_delivery.glob("budget*.xlsx")))
    return path


def test_the_baseline_builds_from_raw_with_every_key_sound(baseline: ModuleType, loaded: Path) -> None:
    result = baseline.run(loaded)
    assert result["violations"] == {}
    with duckdb.connect(str(loaded), read_only=True) as con:
        (raw_lines,) = con.execute(
            "select count(distinct (order_number, line_number)) from raw.order_lines"
        ).fetchone()
        (rejected,) = con.execute(
            "select count(*) from baseline.rejected_rows"
            " where rejection_reason <> 'superseded_by_later_version'"
        ).fetchone()
    # every order line once: kept in fct_sales or rejected for a business rule
    assert result["rows"]["baseline.fct_sales"] + rejected == raw_lines > 0


def test_the_key_checks_find_a_duplicate_a_null_key_and_an_orphan(baseline: ModuleType, loaded: Path) -> None:
    baseline.run(loaded)
    with duckdb.connect(str(loaded)) as con:
        assert baseline.key_violations(con, "baseline.fct_sales", ("sales_key",)) == 0
        con.execute("insert into baseline.fct_sales select * from baseline.fct_sales limit 1")
        assert baseline.key_violations(con, "baseline.fct_sales", ("sales_key",)) == 1
        assert baseline.key_violations(con, "baseline.fct_sales", ("order_number", "line_number")) == 1
        con.execute("update baseline.dim_product set product_key = null where product_key = -1")
        assert baseline.key_violations(con, "baseline.dim_product", ("product_key",)) == 1
        assert (
            baseline.orphans(con, "baseline.fct_sales", "product_key", "baseline.dim_product", "product_key")
            == 0
        )
        con.execute(
            "delete from baseline.dim_product"
            " where product_key in (select product_key from baseline.fct_sales)"
        )
        assert (
            baseline.orphans(con, "baseline.fct_sales", "product_key", "baseline.dim_product", "product_key")
            > 0
        )
