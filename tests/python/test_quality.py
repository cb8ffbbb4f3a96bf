"""The Great Expectations suites on the marts: pass on good data, fail naming the check on broken data."""

from __future__ import annotations

import io
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import great_expectations.expectations as gxe
import pandas as pd
import pytest
from great_expectations.expectations.row_conditions import Column

from deliveries import write_mini_delivery
from salespulse.quality import (
    MIN_ROWS_FOR_DISTRIBUTIONS,
    QualityReport,
    engines,
    format_report,
    main_summary,
    run_quality_checks,
)
from salespulse.quality.checks import RANGE, VOLUME, check
from salespulse.quality.context import ephemeral_context
from salespulse.quality.datasets import DATASETS, Dataset
from salespulse.quality.groups import column_groups
from salespulse.quality.projection import columns_read
from salespulse.quality.runner import run_suite
from salespulse.warehouse import Warehouse
from warehouse_build import build_warehouse

FCT_SALES = "marts.fct_sales"
BETWEEN = "expect_column_values_to_be_between"


@pytest.fixture(scope="module")
def mini_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made delivery (the ``mini_delivery`` files) built once; tests change copies only."""
    work = tmp_path_factory.mktemp("quality-mini")
    delivery = write_mini_delivery(work / "delivery")
    path = work / "mini.duckdb"
    build_warehouse(delivery, work, "duckdb", {"SALESPULSE_DUCKDB_PATH": str(path)})
    return path


@pytest.fixture(scope="module")
def demo_duckdb_for_quality(demo_delivery: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("quality-demo")
    path = work / "demo.duckdb"
    build_warehouse(demo_delivery, work, "duckdb", {"SALESPULSE_DUCKDB_PATH": str(path)})
    return path


def warehouse_copy(source: Path, folder: Path, *statements: str) -> dict[str, str]:
    """Copy a built DuckDB warehouse, run ``statements`` on the copy; the environment selecting it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / source.name
    shutil.copyfile(source, path)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, path.with_name(path.name + ".wal"))
    with duckdb.connect(str(path)) as con:
        for sql in statements:
            con.execute(sql)
    return {**os.environ, "SALESPULSE_DUCKDB_PATH": str(path)}


def check_duckdb(environ: dict[str, str], docs_dir: Path) -> QualityReport:
    return run_quality_checks("duckdb", docs_dir=docs_dir, environ=environ)


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every address a socket connects to or a name resolved while the test runs (both let through)."""
    attempts: list[Any] = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def recording_connect(self: socket.socket, address: Any) -> None:
        if self.family != socket.AF_UNIX:
            attempts.append(address)
        connect(self, address)

    def recording_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(host)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    yield attempts


def test_good_data_passes_offline_with_data_docs(
    mini_duckdb: Path, tmp_path: Path, network_attempts: list[Any]
) -> None:
    environ = warehouse_copy(mini_duckdb, tmp_path / "wh")
    out = io.StringIO()

    exit_code = main_summary("duckdb", docs_dir=tmp_path / "docs", environ=environ, out=out)

    summary = out.getvalue()
    assert exit_code == 0, summary
    assert "0 failed" in summary and "FAIL" not in summary
    # a four-line delivery is too small a sample for shares and means: those are skipped, and said so
    assert f"skipped: sample 4 < {MIN_ROWS_FOR_DISTRIBUTIONS}" in summary
    index = tmp_path / "docs" / "index.html"
    assert index.is_file() and f"Data Docs: {index.as_uri()}" in summary
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert len(pages) == summary.count("  ok   ")  # one validation page per suite
    assert "marts.fct_sales" in index.read_text(encoding="utf-8")
    assert network_attempts == []  # no analytics, no version check, no CDN fetch while building the docs


def test_negative_net_sales_fail_the_suite_naming_the_expectation(mini_duckdb: Path, tmp_path: Path) -> None:
    environ = warehouse_copy(
        mini_duckdb,
        tmp_path / "wh",
        "update marts.fct_sales set net_sales_amount = -5 where order_line_id = 'SO1-2'",
    )
    out = io.StringIO()

    exit_code = main_summary("duckdb", docs_dir=tmp_path / "docs", environ=environ, out=out)

    summary = out.getvalue()
    assert exit_code == 1
    assert "FAIL marts.fct_sales" in summary
    assert f"{BETWEEN}(net_sales_amount): sales measure net_sales_amount is never negative" in summary
    assert "1 of 4 rows unexpected (25.00 %), e.g. [-5.0]" in summary
    assert (tmp_path / "docs" / "index.html").is_file()  # failures are documented too


#: A breakage per row, in tables and columns the others leave alone, and the expectation that names it.
BREAKAGES: list[tuple[str, str, str, str]] = [
    (
        "update marts.fct_sales set discount_pct = 1.5 where order_line_id = 'SO1-2'",
        FCT_SALES,
        BETWEEN,
        "discount_pct",
    ),
    (
        "insert into marts.fct_sales select * from marts.fct_sales where order_line_id = 'SO3-1'",
        FCT_SALES,
        "expect_compound_columns_to_be_unique",
        "order_number, line_number",
    ),
    (  # a line in April after sales in January and February: March is missing
        "insert into marts.fct_sales select * replace ('SO7' as order_number, "
        "date '2024-04-10' as order_date) from marts.fct_sales where order_line_id = 'SO3-1'",
        "derived.volume",
        BETWEEN,
        "months_without_sales",
    ),
    (
        "update marts.dim_geography set latitude = 123 where city = 'Paris'",
        "marts.dim_geography",
        BETWEEN,
        "latitude",
    ),
    (
        "delete from marts.dim_date where date_day = date '2023-12-31'",
        "derived.calendar_years",
        BETWEEN,
        "last_month_day",
    ),
    (
        "update marts.dim_sales_rep set email = 'nobody' where sales_rep_key = -1",
        "marts.dim_sales_rep",
        "expect_column_values_to_match_regex",
        "email",
    ),
    (
        "insert into marts.rejected_rows values (1, 'order_lines', 'x.csv', 1, 'SO1-9', 'made_up')",
        "marts.rejected_rows",
        "expect_column_values_to_be_in_set",
        "rejection_reason",
    ),
    (  # a budget of 1 a month (the report is a table, built from it): January's sales are 3,587 times it
        "update marts.fct_budget set budget_amount = 1; "
        "update reporting.sales_vs_budget_monthly set budget_amount = 1 where budget_amount is not null",
        "derived.monthly_attainment",
        BETWEEN,
        "attainment",
    ),
    (  # the report loses a column and gains one
        "alter table reporting.sales_vs_budget_monthly drop column budget_basis; "
        "alter table reporting.sales_vs_budget_monthly add column surprise integer default 0",
        "reporting.sales_vs_budget_monthly",
        "expect_table_columns_to_match_set",
        "table",
    ),
    # the report is a table, so it keeps its sales
    (
        "delete from marts.dim_territory",
        "marts.dim_territory",
        "expect_table_row_count_to_be_between",
        "table",
    ),
    ("drop table marts.dim_campaign", "marts.dim_campaign", "read", "table"),
]


def test_every_kind_of_breakage_is_caught_by_its_expectation(mini_duckdb: Path, tmp_path: Path) -> None:
    environ = warehouse_copy(mini_duckdb, tmp_path / "wh", *(sql for sql, *_ in BREAKAGES))

    report = check_duckdb(environ, tmp_path / "docs")

    assert not report.success
    missed = [
        (suite, name, target)
        for _, suite, name, target in BREAKAGES
        if not report.failed(suite, name, target)
    ]
    assert not missed, format_report(report)
    for untouched in ("marts.dim_customer", "marts.dim_product", "derived.sales_margin"):
        assert report.suite(untouched).success, format_report(report)
    unread = report.suite("marts.dim_campaign").failures[0]
    assert "dim_campaign" in unread.detail and len(report.suites) > 10  # the other suites still ran


def test_a_missing_warehouse_is_reported_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.duckdb"
    out = io.StringIO()

    exit_code = main_summary(
        "duckdb",
        docs_dir=tmp_path / "docs",
        environ={**os.environ, "SALESPULSE_DUCKDB_PATH": str(path)},
        out=out,
    )

    assert exit_code == 1
    assert "could not run" in out.getvalue() and str(path) in out.getvalue()
    assert not path.exists()


@pytest.mark.slow
def test_demo_data_passes_every_check_and_distribution_shifts_fail(
    demo_duckdb_for_quality: Path, tmp_path: Path
) -> None:
    good = check_duckdb(warehouse_copy(demo_duckdb_for_quality, tmp_path / "good"), tmp_path / "docs")
    assert good.success, format_report(good)
    assert good.skipped_count == 0  # thousands of lines: the distribution checks run too

    broken = check_duckdb(
        warehouse_copy(
            demo_duckdb_for_quality,
            tmp_path / "broken",
            # a fifth of the lines cancelled, and net amounts in cents instead of units
            "update marts.fct_sales set order_status = 'cancelled' where sales_key % 5 = 0",
            "update marts.fct_sales set net_sales_amount = net_sales_amount * 100",
        ),
        tmp_path / "docs",
    )
    assert broken.failed(FCT_SALES, "expect_column_values_to_not_be_in_set", "order_status")
    assert broken.failed(FCT_SALES, "expect_column_mean_to_be_between", "net_sales_amount")


def dataset(name: str) -> Dataset:
    return next(d for d in DATASETS if d.name == name)


def test_the_checks_name_the_columns_they_read() -> None:
    read = columns_read(dataset(FCT_SALES).checks())
    assert read is not None
    assert {"order_number", "line_number", "net_sales_amount", "customer_order_type"} <= read
    assert "sales_key" not in read  # only in the column-set check, which sees the names, not the values
    assert columns_read([check(VOLUME, "rows", gxe.ExpectTableRowCountToBeBetween(min_value=1))]) == set()
    # a check that may read any column: read them all
    other_table = gxe.ExpectTableRowCountToEqualOtherTable(other_table_name="marts.fct_budget")
    assert columns_read([check(VOLUME, "as many rows", other_table)]) is None
    conditioned = gxe.ExpectColumnValuesToNotBeNull(
        column="unit_price", row_condition=Column("order_status") == "open"
    )
    assert columns_read([check(RANGE, "open lines have a price", conditioned)]) is None


def test_the_projected_frame_has_the_tables_columns_and_rows(mini_duckdb: Path, tmp_path: Path) -> None:
    environ = warehouse_copy(mini_duckdb, tmp_path / "wh")
    fct_sales = dataset(FCT_SALES)
    only_rows = [check(VOLUME, "rows", gxe.ExpectTableRowCountToBeBetween(min_value=1))]
    with closing(engines.open_engine(ephemeral_context(tmp_path / "docs"), "duckdb", environ)) as engine:
        whole = engine.frame(fct_sales.sql)
        for checks in (fct_sales.checks(), only_rows):
            frame = engine.read(fct_sales, checks)
            assert list(frame.columns) == list(whole.columns) and len(frame) == len(whole)
            read = sorted(columns_read(checks) or ())
            pd.testing.assert_frame_equal(frame[read], whole[read])
            assert frame.drop(columns=read).isna().all().all()  # placeholders: names only


def test_frames_come_in_the_dtypes_gx_checks_vectorised(mini_duckdb: Path, tmp_path: Path) -> None:
    """Integers as int64 (GX checks an int32 column's range value by value in Python), decimals as float64
    and dates as datetime64, as DuckDB's ``.df()`` gave them; the values unchanged."""
    environ = warehouse_copy(mini_duckdb, tmp_path / "wh")
    sql = """
        select 7::integer as small, 2.5::decimal(18, 4) as amount, date '2024-02-29' as day,
            null::integer as missing, 'x' as label
    """
    with closing(engines.open_engine(ephemeral_context(tmp_path / "docs"), "duckdb", environ)) as engine:
        frame = engine.frame(sql)
    assert [str(t) for t in frame.dtypes] == ["int64", "float64", "datetime64[us]", "float64", "str"]
    assert frame.iloc[0, :3].tolist() == [7, 2.5, pd.Timestamp("2024-02-29")]
    assert frame["missing"].isna().all() and frame["label"].tolist() == ["x"]


def test_no_frame_outlives_its_suite(mini_duckdb: Path, tmp_path: Path) -> None:
    """GX's execution engine caches every batch it loads: the runner lets each suite's frame go."""
    environ = warehouse_copy(mini_duckdb, tmp_path / "wh")
    context = ephemeral_context(tmp_path / "docs")
    with closing(engines.open_engine(context, "duckdb", environ)) as engine:
        cache = engine.source.get_execution_engine().batch_manager.batch_data_cache
        for name in (FCT_SALES, "marts.fct_budget"):
            assert run_suite(context, engine, dataset(name)).success
            assert len(cache) == 1  # the suite's frame, kept by GX...
            engine.release()
            assert not cache  # ...until released


def outcomes(report: QualityReport) -> list[tuple[Any, ...]]:
    return [(s.suite, s.source, s.sample_rows, s.success, s.expectations, s.skipped) for s in report.suites]


@pytest.mark.slow
def test_duckdb_reads_only_the_checked_columns_with_the_results_of_reading_all(
    demo_duckdb_for_quality: Path, mini_duckdb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[tuple[str, list[str]]] = []
    frame = engines.PandasDuckDBEngine.frame

    def recording_frame(self: engines.PandasDuckDBEngine, sql: str) -> pd.DataFrame:
        result = frame(self, sql)
        reads.append((sql, list(result.columns)))
        return result

    monkeypatch.setattr(engines.PandasDuckDBEngine, "frame", recording_frame)
    # the demo (distribution checks run), and the mini warehouse with every breakage (a column missing)
    warehouses = [
        warehouse_copy(demo_duckdb_for_quality, tmp_path / "demo"),
        warehouse_copy(mini_duckdb, tmp_path / "broken", *(sql for sql, *_ in BREAKAGES)),
    ]
    with duckdb.connect(warehouses[0]["SALESPULSE_DUCKDB_PATH"], read_only=True) as con:
        table_columns = con.sql(f"select * from {FCT_SALES}").columns

    projected = [check_duckdb(environ, tmp_path / "docs") for environ in warehouses]
    fct_sales_reads = [columns for sql, columns in reads if sql.endswith(f" from {FCT_SALES}")]
    assert len(fct_sales_reads) == 2
    assert all(set(columns) < set(table_columns) for columns in fct_sales_reads), fct_sales_reads

    reads.clear()
    monkeypatch.setattr(engines, "columns_read", lambda checks: None)  # read every column
    whole = [check_duckdb(environ, tmp_path / "docs") for environ in warehouses]
    assert (f"select * from {FCT_SALES}", table_columns) in reads

    assert projected[0].success and not projected[1].success, format_report(projected[1])
    for with_projection, without in zip(projected, whole, strict=True):
        assert outcomes(with_projection) == outcomes(without)


@pytest.mark.postgres
def test_postgres_runs_the_suites_through_the_sql_datasource(
    mini_delivery: Path, pg_cluster: Any, pg_warehouse: Warehouse, tmp_path: Path
) -> None:
    env = build_warehouse(mini_delivery, tmp_path, "postgres", dict(pg_cluster.env))
    environ = {**os.environ, **env}

    good = run_quality_checks("postgres", docs_dir=tmp_path / "docs", environ=environ)
    assert good.success, format_report(good)
    assert good.target == "postgres"
    assert good.suite(FCT_SALES).sample_rows == 4

    where = "where order_line_id = 'SO1-2'"
    original = pg_warehouse.query(f"select net_sales_amount from marts.fct_sales {where}")[0][0]
    with pg_warehouse.transaction():
        pg_warehouse.execute(f"update marts.fct_sales set net_sales_amount = -5 {where}")
    try:
        broken = run_quality_checks("postgres", docs_dir=tmp_path / "docs", environ=environ)
    finally:
        with pg_warehouse.transaction():
            pg_warehouse.execute(f"update marts.fct_sales set net_sales_amount = ? {where}", [original])

    assert not broken.success
    assert broken.failed(FCT_SALES, BETWEEN, "net_sales_amount")
    docs = tmp_path / "docs"
    assert (docs / "index.html").is_file()
    password = pg_cluster.env["PGPASSWORD"]
    assert not any(password in page.read_text(encoding="utf-8") for page in docs.rglob("*.html"))


def test_column_groups_keep_linked_columns_together_and_small_tables_whole() -> None:
    checks = dataset(FCT_SALES).checks()
    rows = 10_000_000

    groups = column_groups(checks, rows, max_cells=2 * rows)  # two columns a group (more if linked)

    assert sorted(map(id, (c for group in groups for c in group))) == sorted(map(id, checks))  # none lost
    read = [columns_read(group) or set() for group in groups]
    assert {"order_number", "line_number"} <= read[0]  # a compound check's columns in one frame
    assert {"gross_amount", "net_sales_amount", "margin_amount"} <= next(
        r for r in read if "margin_amount" in r
    )
    assert all(not a & b for i, a in enumerate(read) for b in read[i + 1 :])  # a column is read once
    no_values = [c for c in checks if columns_read([c]) == set()]
    assert no_values and all(c in groups[0] for c in no_values)  # row count and column set: first group
    assert len(groups) > 5 and len(column_groups(checks, 100_000)) == 1  # the demo's fct_sales is whole
    conditioned = gxe.ExpectColumnValuesToNotBeNull(
        column="unit_price", row_condition=Column("order_status") == "open"
    )
    anything = [*checks, check(RANGE, "open lines have a price", conditioned)]
    assert column_groups(anything, rows, max_cells=1) == [anything]  # may read any column: whole


#: Bad values in columns that column groups put in later groups of fct_sales, and the check naming each.
LATER_GROUP_BREAKAGES: list[tuple[str, str, str]] = [
    (
        "update marts.fct_sales set cancelled_amount = -1 where order_line_id = 'SO2-1'",
        BETWEEN,
        "cancelled_amount",
    ),
    (
        "update marts.fct_sales set counts_as_sales = null where order_line_id = 'SO1-1'",
        "expect_column_values_to_not_be_null",
        "counts_as_sales",
    ),
    (
        "update marts.fct_sales set margin_amount = net_sales_amount + 1 where order_line_id = 'SO1-1'",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "net_sales_amount >= margin_amount",
    ),
]


def test_column_groups_report_every_check_as_one_frame_does(mini_duckdb: Path, tmp_path: Path) -> None:
    """Each connected set of fct_sales's columns validated alone (``group_cells=1``): the results, failures
    planted in later groups included, equal one frame's, in the same order; the Data Docs have a page per
    group."""
    statements = [sql for sql, *_ in BREAKAGES] + [sql for sql, *_ in LATER_GROUP_BREAKAGES]
    environ = warehouse_copy(mini_duckdb, tmp_path / "wh", *statements)

    grouped = run_quality_checks("duckdb", docs_dir=tmp_path / "grouped", environ=environ, group_cells=1)
    whole = run_quality_checks("duckdb", docs_dir=tmp_path / "whole", environ=environ, group_cells=10**12)

    planted = [(FCT_SALES, name, target) for _, name, target in LATER_GROUP_BREAKAGES]
    planted += [(suite, name, target) for _, suite, name, target in BREAKAGES]
    assert not [p for p in planted if not grouped.failed(*p)], format_report(grouped)
    assert outcomes(grouped) == outcomes(whole)
    pages = list((tmp_path / "grouped" / "validations" / "marts" / "fct_sales").rglob("*.html"))
    assert len(pages) > 5 and all(".part" in page.name for page in pages)  # one validation page per group
    assert not list((tmp_path / "whole").rglob("*part*of*"))  # and one per suite when whole


@pytest.mark.slow
def test_column_groups_give_the_demos_results(demo_duckdb_for_quality: Path, tmp_path: Path) -> None:
    """On the demo, where the distribution checks run (``mostly`` checks failing on many rows included)."""
    environ = warehouse_copy(demo_duckdb_for_quality, tmp_path / "wh")

    grouped = run_quality_checks("duckdb", docs_dir=tmp_path / "grouped", environ=environ, group_cells=1)
    whole = run_quality_checks("duckdb", docs_dir=tmp_path / "whole", environ=environ, group_cells=10**12)

    assert grouped.success and grouped.skipped_count == 0, format_report(grouped)
    assert outcomes(grouped) == outcomes(whole)
