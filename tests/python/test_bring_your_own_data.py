"""Bring your own data, end to end, as docs/bring-your-own-data.md tells a new company to do it:
foreign-shaped exports (integer date keys, no line numbers, no quantity, 4-decimal prices, no
country, namesakes) and finance's budget workbook as sent (``Date | Budget``, 18 months across
two calendar years, trailing blank rows) -> ``salespulse map`` with the page's example mapping ->
``salespulse load`` -> ``salespulse build`` with a mid-month as-of date -> the reporting views,
the web's numbers and the Power BI checks, against sums computed here from the exports."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from foreign_exports import NAMESAKE, ForeignExports, doc_mapping, net_amount, write_foreign_exports
from salespulse.cli import main
from salespulse.semantic.model import display_name
from salespulse.web import Filters, evaluate, resolve_scope
from salespulse.web.query.pages import PAGES
from salespulse.web.query.readers import DuckDBReader
from web_testing import published_reader

pytestmark = pytest.mark.slow

AS_OF = date(2026, 1, 15)  # mid-month: the rest of January is after the as-of date
MANAGER = "amy.alberts@example.com"  # VP Sales in DimEmployee.csv


def run(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> ForeignExports:
    return write_foreign_exports(tmp_path_factory.mktemp("byod") / "exports", orders=2_000)


@pytest.fixture(scope="module")
def warehouse(company: ForeignExports, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The exports mapped, loaded and built the documented way; the environment that reaches it."""
    work = tmp_path_factory.mktemp("byod-work")
    mapping = work / "mapping.yml"
    mapping.write_text(doc_mapping(), encoding="utf-8")
    delivery = work / "delivery"
    run(["map", "--mapping", str(mapping), "--source", str(company.folder), "--out", str(delivery)], {})
    env = {
        "SALESPULSE_DATA_DIR": str(delivery),
        "SALESPULSE_AS_OF": AS_OF.isoformat(),
        "SALESPULSE_DUCKDB_PATH": str(work / "wh" / "salespulse.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    (work / "wh").mkdir()
    run(["load"], env)
    run(["build", "--skip-quality"], env)
    return env


@pytest.fixture(scope="module")
def reader(warehouse: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBReader]:
    """The web's reader of a published copy (the built file stays free for the Power BI check)."""
    yield from published_reader(warehouse, tmp_path_factory.mktemp("byod-web"))


@pytest.fixture(scope="module")
def foreign(company: ForeignExports) -> pd.DataFrame:
    """Every exported order line, with the contract's net amount, computed here from the exports."""
    frames = []
    for name in company.sales_files:
        frame = pd.read_csv(company.folder / name, dtype=str)
        frame["file"], frame["row"] = name, range(1, len(frame) + 1)
        frames.append(frame)
    lines = pd.concat(frames, ignore_index=True)
    lines["order_date"] = pd.to_datetime(lines["OrderDateKey"], format="%Y%m%d").dt.date
    lines["net"] = lines["SalesAmount"].map(net_amount)
    return lines


def yearly(lines: pd.DataFrame) -> dict[int, Decimal]:
    sold = lines[lines["order_date"] <= AS_OF]
    return {
        int(y): sum(g["net"], Decimal(0)) for y, g in sold.groupby(sold["order_date"].map(lambda d: d.year))
    }


def test_every_exported_line_is_in_sales_or_rejected(reader: DuckDBReader, foreign: pd.DataFrame) -> None:
    sold = dict(reader.query("select order_number, count(*) from reporting.sales group by order_number"))
    rejected = reader.query(
        "select source_file, source_row, rejection_reason from marts.rejected_rows "
        "where entity = 'order_lines'"
    )
    after = foreign[foreign["order_date"] > AS_OF]
    assert len(after) > 0
    assert sorted((f, r, why) for f, r, why in rejected) == sorted(
        (f"order_lines/{f}", r, "after_as_of_date") for f, r in zip(after["file"], after["row"], strict=True)
    )
    expected = foreign[foreign["order_date"] <= AS_OF].groupby("SalesOrderNumber").size().to_dict()
    assert sold == expected


def test_yearly_sales_equal_the_exports(reader: DuckDBReader, foreign: pd.DataFrame) -> None:
    warehouse = dict(
        reader.query(
            "select extract(year from order_date), sum(net_sales_amount) from reporting.sales group by 1"
        )
    )
    assert {int(y): v for y, v in warehouse.items()} == yearly(foreign)
    assert set(yearly(foreign)) == {2024, 2025, 2026}


def test_namesakes_stay_two_clients(
    reader: DuckDBReader, company: ForeignExports, foreign: pd.DataFrame
) -> None:
    rows = reader.query(
        "select c.customer_id, sum(s.net_sales_amount) from reporting.customers c "
        "join reporting.sales s using (customer_key) where c.customer_name = ? group by c.customer_id",
        [" ".join(NAMESAKE)],
    )
    sold = foreign[foreign["order_date"] <= AS_OF]
    expected = {
        str(k): sum(sold[sold["CustomerKey"] == str(k)]["net"], Decimal(0)) for k in company.namesake_keys
    }
    assert dict(rows) == expected
    assert reader.query("select count(*) from reporting.customers where customer_key <> -1")[0][0] == len(
        company.customer_keys
    )


def test_every_budget_month_is_loaded(reader: DuckDBReader, company: ForeignExports) -> None:
    sent = pd.read_excel(company.folder / company.budget_file, sheet_name="Budget").dropna(how="all")
    expected = {
        d.date(): Decimal(str(a)).quantize(Decimal("0.0001"))
        for d, a in zip(sent["Date"], sent["Budget"], strict=True)
    }
    assert len(expected) == 18
    loaded = reader.query(
        "select budget_month, sum(budget_amount) from reporting.budget group by budget_month"
    )
    assert dict(loaded) == expected


def test_the_web_shows_the_same_numbers(reader: DuckDBReader, foreign: pd.DataFrame) -> None:
    scope = resolve_scope(MANAGER, reader)
    by_year = evaluate(["Sales"], Filters(), scope, by=[("Date", "Year")], reader=reader)
    assert {int(r["Year"]): r["Sales"] for r in by_year.to_dict("records")} == yearly(foreign)
    by_client = evaluate(
        ["Sales"], Filters(), scope, by=[("Customer", display_name("customer_id"))], reader=reader
    )
    sold = foreign[foreign["order_date"] <= AS_OF]
    assert {r["Customer ID"]: r["Sales"] for r in by_client.to_dict("records")} == {
        k: sum(g["net"], Decimal(0)) for k, g in sold.groupby("CustomerKey")
    }
    overview = PAGES["Sales Overview"](Filters(), scope, reader=reader)
    assert overview["kpis"]["Sales"].iloc[0] == sum(yearly(foreign).values())
    assert overview["kpis"]["Sales YTD"].iloc[0] == yearly(foreign)[AS_OF.year]


def test_power_bi_checks_pass_against_this_warehouse(warehouse: dict[str, str]) -> None:
    # in a process of its own, as a user runs it
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, **warehouse, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "salespulse.cli", "powerbi", "check", "--target", "duckdb"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "powerbi/: all checks passed" in result.stdout


def test_a_budget_without_reps_says_so_on_the_sales_reps_page(reader: DuckDBReader) -> None:
    """Finance's month-only workbook has no rep quotas: the page says so, and the rep columns stay
    blank rather than showing the company's budget against one rep's sales."""
    from salespulse.web.ui.screen import quota_note

    assert quota_note(reader) == "The budget has no sales-rep grain: quotas per rep are not available."
    scope = resolve_scope(MANAGER, reader)
    reps = PAGES["Sales Reps"](Filters(), scope, reader=reader)["sales_vs_budget_by_rep"]
    assert len(reps) >= 1 and reps["Budget"].isna().all() and reps["Attainment %"].isna().all()
    assert PAGES["Sales Reps"](Filters(), scope, reader=reader)["kpis"]["Budget"].iloc[0] is not None
