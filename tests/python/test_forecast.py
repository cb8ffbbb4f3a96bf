"""The sales forecast: series rules, the model, the backtest, landing through ``Warehouse``, the dbt
models downstream of it, the ``salespulse forecast`` command, and the same numbers on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from salespulse.cli import main
from salespulse.forecast import model
from salespulse.forecast.backtest import bias, mape
from salespulse.forecast.landing import BACKTEST_TABLE, FORECAST_TABLE, TABLES
from salespulse.forecast.run import compute, forecast_and_build, run_forecast
from salespulse.forecast.series import (
    ALL_MEMBER,
    Series,
    build_series,
    last_complete_month,
    month_add,
    read_history,
    territory_rule,
)
from salespulse.warehouse import Warehouse, connect
from warehouse_build import assert_same_on_both, postgres_copy

AS_OF = date(2024, 12, 31)
CATEGORIES = {"Accessories", "Bikes", "Clothing", "Components"}
#: Reporting views of the forecast and their keys.
FORECAST_VIEWS = {
    "forecast_series": "forecast_series_key",
    "sales_forecast": "sales_forecast_key",
    "sales_forecast_yearly": "sales_forecast_year_key",
    "forecast_backtest": "forecast_backtest_key",
}


# -- rules and model, no warehouse -------------------------------------------------------------


def test_month_arithmetic_and_the_last_complete_month() -> None:
    assert month_add(date(2024, 11, 1), 3) == date(2025, 2, 1)
    assert month_add(date(2024, 1, 1), -1) == date(2023, 12, 1)
    assert last_complete_month(date(2024, 12, 31)) == date(2024, 12, 1)
    assert last_complete_month(date(2024, 2, 29)) == date(2024, 2, 1)
    assert last_complete_month(date(2024, 12, 30)) == date(2024, 11, 1)  # December is in progress


def test_a_series_needs_two_years_of_uninterrupted_sales() -> None:
    start = date(2021, 1, 1)
    long = Series("category", "Bikes", start, tuple([0.0] * 6 + [5.0] * 24))
    trailing = long.forecastable()
    assert trailing is not None and trailing.start == date(2021, 7, 1) and len(trailing.values) == 24
    assert Series("category", "Bikes", start, (5.0,) * 23).forecastable() is None
    gap = Series("category", "Bikes", start, (5.0,) * 20 + (0.0,) + (5.0,) * 20)
    assert gap.forecastable() is None  # only 20 months since the empty one


def test_series_are_the_total_each_category_and_only_optionally_each_territory() -> None:
    cells = [
        (date(2024, 1, 1), "Bikes", "DE", Decimal("1.10")),
        (date(2024, 1, 1), "Bikes", "FR", Decimal("2.20")),
        (date(2024, 2, 1), "Clothing", "DE", Decimal("3.30")),
    ]
    without = build_series(cells, date(2024, 2, 1), include_territories=False)
    assert [(s.level, s.member) for s in without] == [
        ("total", ALL_MEMBER),
        ("category", "Bikes"),
        ("category", "Clothing"),
    ]
    assert without[0].values == (3.3, 3.3)  # decimals summed exactly, months filled with zero
    assert without[1].values == (3.3, 0.0)
    assert without[2].start == date(2024, 2, 1)
    with_territories = build_series(cells, date(2024, 2, 1), include_territories=True)
    assert {s.member for s in with_territories if s.level == "territory"} == {"DE", "FR"}


def test_territories_are_forecast_only_when_every_one_has_enough_orders_every_month() -> None:
    last = date(2024, 12, 1)
    months = [month_add(last, -i) for i in range(12)]
    busy = {m: 150 for m in months}
    include, reason = territory_rule({"DE": busy, "FR": busy}, last, 100)
    assert include, reason
    one_quiet_month = {**busy, months[5]: 99}
    include, reason = territory_rule({"DE": busy, "FR": one_quiet_month}, last, 100)
    assert not include and "FR, 99" in reason
    missing_month = {m: 150 for m in months[:-1]}
    assert not territory_rule({"DE": busy, "FR": missing_month}, last, 100)[0]


def _seasonal_series(months: int, seed: int = 1) -> np.ndarray:
    t = np.arange(months)
    rng = np.random.default_rng(seed)
    return 1000 * (1 + 0.01 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12)) * rng.normal(1, 0.05, months)


def test_the_model_is_deterministic_with_nested_non_negative_intervals() -> None:
    values = _seasonal_series(36)
    first, second = model.forecast(values, 12), model.forecast(values, 12)
    assert np.array_equal(first.point, second.point)
    for level in model.INTERVALS:
        assert np.array_equal(first.lower[level], second.lower[level])
        assert np.array_equal(first.upper[level], second.upper[level])
    assert np.all(first.lower[0.95] >= 0)
    assert np.all(first.lower[0.95] <= first.lower[0.80])
    assert np.all(first.lower[0.80] <= first.point) and np.all(first.point <= first.upper[0.80])
    assert np.all(first.upper[0.80] <= first.upper[0.95])
    assert len(first.fitted) == 2  # both member models fitted
    with pytest.raises(ValueError, match="need 24"):
        model.forecast(values[:23], 12)


def test_the_model_follows_a_clean_seasonal_pattern_closer_than_seasonal_naive() -> None:
    history = _seasonal_series(48)
    truth = 1000 * (1 + 0.01 * np.arange(48, 60)) * (1 + 0.3 * np.sin(2 * np.pi * np.arange(48, 60) / 12))
    fitted = model.forecast(history, 12).point
    assert mape(list(fitted), list(truth)) < mape(list(model.seasonal_naive(history, 12)), list(truth))


def test_mape_and_bias_by_hand() -> None:
    assert mape([110, 180, 10], [100, 200, 0]) == pytest.approx(0.1)  # the month without sales is left out
    assert bias([110, 180, 10], [100, 200, 0]) == pytest.approx(0.0)
    assert bias([100, 150, 5], [100, 200, 0]) == pytest.approx(-0.15)
    assert list(model.seasonal_naive(np.arange(24.0), 13)) == [*range(12, 24), 12]


# -- on the demo warehouse (a copy: the session's warehouse is read-only) -------------------------


def _copy_duckdb(env: dict[str, str], work: Path) -> dict[str, str]:
    source = Path(env["SALESPULSE_DUCKDB_PATH"]).resolve()
    target = work / "forecast.duckdb"
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return {
        "SALESPULSE_DUCKDB_PATH": str(target),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }


@pytest.fixture(scope="module")
def forecast_cli(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], str]:
    """A copy of the demo DuckDB warehouse after `salespulse forecast`: (its environment, the output)."""
    env = _copy_duckdb(demo_duckdb, tmp_path_factory.mktemp("forecast-duckdb"))
    result = CliRunner().invoke(main, ["forecast", "--target", "duckdb"], env=env)
    assert result.exit_code == 0, result.output
    return env, result.output


@pytest.fixture
def forecast_duck(forecast_cli: tuple[dict[str, str], str]) -> Iterator[Warehouse]:
    with connect("duckdb", {**os.environ, **forecast_cli[0]}) as warehouse:
        yield warehouse


def test_cli_lands_one_run_in_raw_and_says_what_it_did(forecast_cli: tuple[dict[str, str], str]) -> None:
    env, output = forecast_cli
    assert "5 series x 12 months" in output
    assert "territories not forecast" in output  # the 20k demo has 14-69 orders a month per territory
    assert "backtest (fit up to 2023-12-31" in output
    with connect("duckdb", {**os.environ, **env}) as warehouse:
        runs = warehouse.query(
            "select run_id, as_of_date, model_name, count(*), min(forecast_month), max(forecast_month) "
            "from raw.forecast_monthly group by run_id, as_of_date, model_name"
        )
        assert len(runs) == 1
        _, as_of, model_name, rows, first, last = runs[0]
        assert (as_of, model_name, rows) == (AS_OF, model.MODEL_NAME, 5 * 12)
        assert (first, last) == (date(2025, 1, 1), date(2025, 12, 1))
        backtest = warehouse.query(
            "select model_name, count(*), min(cutoff_date) from raw.forecast_backtest group by model_name"
        )
        assert sorted(backtest) == [
            (model.MODEL_NAME, 60, date(2023, 12, 31)),
            (model.BASELINE_NAME, 60, date(2023, 12, 31)),
        ]
        assert warehouse.table_columns("raw", FORECAST_TABLE) == [c.name for c in TABLES[FORECAST_TABLE]]
        assert warehouse.table_columns("raw", BACKTEST_TABLE) == [c.name for c in TABLES[BACKTEST_TABLE]]


def test_the_forecast_view_continues_the_actuals_with_intervals(forecast_duck: Warehouse) -> None:
    rows = forecast_duck.query(
        "select series_level, series_member, month_status, count(*), count(actual_amount), "
        "count(forecast_amount), sum(case when lower_95_amount <= lower_80_amount "
        "and lower_80_amount <= forecast_amount and forecast_amount <= upper_80_amount "
        "and upper_80_amount <= upper_95_amount and lower_95_amount >= 0 then 1 else 0 end) "
        "from reporting.sales_forecast group by series_level, series_member, month_status"
    )
    by_series = {(r[0], r[1], r[2]): r[3:] for r in rows}
    assert {(level, member) for level, member, _ in by_series} == {("total", "All")} | {
        ("category", c) for c in CATEGORIES
    }
    for (_, _, status), (months, actuals, forecasts, nested) in by_series.items():
        if status == "complete":
            assert (months, actuals, forecasts) == (36, 36, 0)
        else:
            assert (status, months, actuals, forecasts, nested) == ("future", 12, 0, 12, 12)
    # each category's forecast is its own model: together they come close to the total's
    totals = dict(
        forecast_duck.query(
            "select series_level, sum(forecast_amount) from reporting.sales_forecast group by series_level"
        )
    )
    assert abs(totals["category"] / totals["total"] - 1) < Decimal("0.1")


def test_projected_full_year_against_budget(forecast_duck: Warehouse) -> None:
    years = {
        row[0]: row[1:]
        for row in forecast_duck.query(
            "select year_number, complete_months, forecast_months, actual_to_date_amount, "
            "projected_full_year_amount, budget_amount, projected_attainment_pct "
            "from reporting.sales_forecast_yearly where series_level = 'total' order by year_number"
        )
    }
    assert sorted(years) == [2022, 2023, 2024, 2025]
    sales_2024 = forecast_duck.query(
        "select sum(s.net_sales_amount) from reporting.sales s "
        "join reporting.dates d on s.order_date_key = d.date_key where d.year_number = 2024"
    )[0][0]
    budget = forecast_duck.query("select sum(budget_amount) from reporting.budget")[0][0]
    complete, forecast_months, actual, projected, budget_2024, attainment = years[2024]
    assert (complete, forecast_months) == (12, 0)
    assert actual == projected == sales_2024
    assert budget_2024 == budget
    assert attainment == (projected / budget).quantize(Decimal("0.000001"))
    complete, forecast_months, actual, projected, budget_2025, _ = years[2025]
    assert (complete, forecast_months, actual, budget_2025) == (0, 12, None, None)
    forecast_2025 = forecast_duck.query(
        "select sum(forecast_amount) from reporting.sales_forecast "
        "where series_level = 'total' and year_number = 2025"
    )[0][0]
    assert projected == forecast_2025 > 0


def test_the_model_beats_seasonal_naive_in_the_demo_backtest(forecast_duck: Warehouse) -> None:
    view = {
        (level, member, name): (mape_pct, bias_pct)
        for level, member, name, mape_pct, bias_pct in forecast_duck.query(
            "select series_level, series_member, model_name, mape_pct, bias_pct "
            "from reporting.forecast_backtest"
        )
    }
    naive = model.BASELINE_NAME
    series = {(level, member) for level, member, _ in view}
    assert len(series) == 5
    assert view[("total", "All", model.MODEL_NAME)][0] < view[("total", "All", naive)][0]
    mean = {
        name: sum(view[(level, member, name)][0] for level, member in series) / len(series)
        for name in (model.MODEL_NAME, naive)
    }
    assert mean[model.MODEL_NAME] < mean[naive]
    # the warehouse gives the Python backtest's numbers (it sums the monthly errors to 4 decimals)
    run = compute(read_history(forecast_duck))
    for (level, member), scores in run.scores().items():
        for name, (python_mape, python_bias) in scores.items():
            view_mape, view_bias = view[(level, member, name)]
            assert float(view_mape) == pytest.approx(python_mape, abs=1e-5)
            assert float(view_bias) == pytest.approx(python_bias, abs=1e-5)


def _check_forecast_series(warehouse: Warehouse) -> list[tuple[str, str]]:
    """Every row of the three forecast views has its series in reporting.forecast_series (key,
    level, member, category and territory agree); the monthly view has every series of the
    dimension. Returns the dimension's (level, member) in series order."""
    series = warehouse.query(
        "select forecast_series_key, series_level, series_member, category_name, territory_key,"
        " territory_code"
        " from reporting.forecast_series order by series_order"
    )
    orders = [
        order for (order,) in warehouse.query("select series_order from reporting.forecast_series order by 1")
    ]
    assert orders == list(range(1, len(series) + 1))
    for view in ("sales_forecast", "sales_forecast_yearly", "forecast_backtest"):
        unmatched = warehouse.query(
            f"select count(*) from reporting.{view} as f left join reporting.forecast_series as s"
            " on f.forecast_series_key = s.forecast_series_key"
            " where s.forecast_series_key is null or f.series_level <> s.series_level"
            " or f.series_member <> s.series_member or f.territory_key <> s.territory_key"
            " or coalesce(f.category_name, '~') <> coalesce(s.category_name, '~')"
            " or coalesce(f.territory_code, '~') <> coalesce(s.territory_code, '~')"
        )
        assert unmatched == [(0,)], view
    keys = {key for key, *_ in series}
    monthly = {
        key for (key,) in warehouse.query("select distinct forecast_series_key from reporting.sales_forecast")
    }
    assert monthly == keys
    levels = [level for _, level, *_ in series]
    assert levels == sorted(
        levels, key=["total", "category", "territory"].index
    )  # total, categories, territories
    for level in ("category", "territory"):
        members = [member for _, lvl, member, *_ in series if lvl == level]
        assert members == sorted(members), level
    return [(level, member) for _, level, member, *_ in series]


def test_every_forecast_row_has_its_series_in_the_series_dimension(forecast_duck: Warehouse) -> None:
    series = _check_forecast_series(forecast_duck)
    assert series[0] == ("total", "All")
    assert {member for level, member in series if level == "category"} == CATEGORIES
    backtest = forecast_duck.query(
        "select count(distinct forecast_series_key) from reporting.forecast_backtest"
    )
    assert backtest == [(len(series),)]  # every series of the demo is forecast and backtested


def test_the_same_input_gives_identical_rows(forecast_duck: Warehouse) -> None:
    stamp = datetime(2025, 1, 1)
    first = run_forecast(forecast_duck, land_result=False)
    second = run_forecast(forecast_duck, land_result=False)
    assert first.run_id == second.run_id
    for rows in ("forecast_rows", "backtest_rows"):
        assert list(getattr(first, rows)(stamp)) == list(getattr(second, rows)(stamp))
    # and equal to what the command landed earlier (but for the landing time)
    for table, rows in ((FORECAST_TABLE, "forecast_rows"), (BACKTEST_TABLE, "backtest_rows")):
        names = [c.name for c in TABLES[table] if c.name != "_loaded_at"]
        landed = sorted(forecast_duck.query(f"select {', '.join(names)} from raw.{table}"))
        computed = sorted(tuple(row[n] for n in names) for row in getattr(first, rows)(stamp))
        assert landed == computed, table


def test_territories_are_forecast_when_the_rule_allows(demo_duckdb: dict[str, str], tmp_path: Path) -> None:
    env = _copy_duckdb(demo_duckdb, tmp_path)
    done = forecast_and_build("duckdb", env, min_territory_orders=1)  # raises if the dbt build fails
    assert done.dbt_returncode == 0
    assert done.run.history.territory_decision.startswith("territories forecast")
    with connect("duckdb", {**os.environ, **env}) as warehouse:
        territories = warehouse.query(
            "select f.territory_code, count(*), max(t.territory_name) from reporting.sales_forecast f "
            "join reporting.territories t on f.territory_key = t.territory_key "
            "where f.series_level = 'territory' and f.month_status = 'future' group by f.territory_code"
        )
        assert len(territories) == 10 and {n for _, n, _ in territories} == {12}
        assert (
            warehouse.query("select count(distinct series_member) from reporting.forecast_backtest")[0][0]
            == 15
        )
        series = _check_forecast_series(warehouse)
        assert [level for level, _ in series] == ["total"] + ["category"] * 4 + ["territory"] * 10
        # the territory series relate to the territories (the Power BI filter path of a regional lead)
        assert warehouse.query(
            "select count(*) from reporting.forecast_series as s join reporting.territories as t"
            " on s.territory_key = t.territory_key and s.territory_code = t.territory_code"
        ) == [(10,)]


def test_a_warehouse_that_never_ran_a_forecast_still_has_its_history(demo_duck: Warehouse) -> None:
    assert demo_duck.table_columns("raw", FORECAST_TABLE) == []  # the session warehouse: no forecast ran
    rows = demo_duck.query(
        "select count(*), count(actual_amount), count(forecast_amount), count(budget_amount) "
        "from reporting.sales_forecast where series_level = 'total'"
    )
    assert rows == [(36, 36, 0, 12)]
    assert demo_duck.query("select count(*) from reporting.forecast_backtest") == [(0,)]
    # the history-only series are in the series dimension before any forecast run
    assert _check_forecast_series(demo_duck) == [("total", "All")] + [
        ("category", c) for c in sorted(CATEGORIES)
    ]
    yearly = demo_duck.query(
        "select projected_full_year_amount, budget_amount from reporting.sales_forecast_yearly "
        "where series_level = 'total' and year_number = 2024"
    )
    assert yearly[0][0] > 0 and yearly[0][1] > 0


# -- PostgreSQL ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forecast_postgres(
    demo_delivery: Path,
    demo_postgres: dict[str, str],
    pg_cluster: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """A copy of the demo PostgreSQL warehouse (a database of its own) after the forecast."""
    work = tmp_path_factory.mktemp("forecast-postgres")
    env = postgres_copy(pg_cluster, demo_postgres, demo_delivery, work, "salespulse_forecast")
    forecast_and_build("postgres", env)
    return env


@pytest.mark.postgres
def test_forecast_on_postgres_gives_the_same_rows_as_on_duckdb(
    forecast_duck: Warehouse, forecast_postgres: dict[str, str]
) -> None:
    with connect("postgres", {**os.environ, **forecast_postgres}) as pg:
        for table in (FORECAST_TABLE, BACKTEST_TABLE):
            names = ", ".join(c.name for c in TABLES[table] if c.name != "_loaded_at")
            select = f"select {names} from raw.{table}"
            assert sorted(forecast_duck.query(select)) == sorted(pg.query(select)), table
        assert_same_on_both(forecast_duck, pg, FORECAST_VIEWS)
