"""One forecast run: read the history, forecast every eligible series, backtest, land the result."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from salespulse.forecast import model
from salespulse.forecast.backtest import BacktestResult, backtest, cutoff_month
from salespulse.forecast.landing import land, money, parameters_json
from salespulse.forecast.series import (
    MIN_HISTORY_MONTHS,
    MIN_TERRITORY_ORDERS,
    SEASON_MONTHS,
    SalesHistory,
    Series,
    last_complete_month,
    month_add,
    read_history,
)
from salespulse.warehouse import Warehouse

HORIZON_MONTHS = SEASON_MONTHS


@dataclass(frozen=True)
class SeriesForecast:
    series: Series  # the history the model was fitted on
    forecast: model.ModelForecast

    def months(self) -> list[date]:
        return [month_add(self.series.end, h + 1) for h in range(len(self.forecast.point))]


@dataclass(frozen=True)
class Skipped:
    level: str
    member: str
    reason: str


@dataclass(frozen=True)
class ForecastRun:
    run_id: str
    history: SalesHistory
    train_until: date
    forecasts: tuple[SeriesForecast, ...]
    backtests: tuple[BacktestResult, ...]
    skipped: tuple[Skipped, ...]

    @property
    def as_of(self) -> date:
        return self.history.as_of

    def _parameters(self, fitted: list[dict[str, float]], method: str = model.MODEL_NAME) -> str:
        if method == model.BASELINE_NAME:
            return parameters_json({"model": model.BASELINE_NAME, "rule": "same month of the previous year"})
        return parameters_json({**model.model_spec(), "fitted": fitted})

    def forecast_rows(self, loaded_at: datetime) -> Iterator[dict[str, object]]:
        for item in self.forecasts:
            parameters = self._parameters(item.forecast.fitted)
            f = item.forecast
            for h, month in enumerate(item.months()):
                yield {
                    "run_id": self.run_id,
                    "as_of_date": self.as_of,
                    "model_name": model.MODEL_NAME,
                    "model_parameters": parameters,
                    "series_level": item.series.level,
                    "series_member": item.series.member,
                    "forecast_month": month,
                    "horizon_months": h + 1,
                    "forecast_amount": money(float(f.point[h])),
                    "lower_80_amount": money(float(f.lower[0.80][h])),
                    "upper_80_amount": money(float(f.upper[0.80][h])),
                    "lower_95_amount": money(float(f.lower[0.95][h])),
                    "upper_95_amount": money(float(f.upper[0.95][h])),
                    "training_start_month": item.series.start,
                    "training_end_month": item.series.end,
                    "_loaded_at": loaded_at,
                }

    def backtest_rows(self, loaded_at: datetime) -> Iterator[dict[str, object]]:
        for result in self.backtests:
            for row in result.months:
                yield {
                    "run_id": self.run_id,
                    "as_of_date": self.as_of,
                    "model_name": row.method,
                    "model_parameters": self._parameters(result.fitted, row.method),
                    "series_level": result.series.level,
                    "series_member": result.series.member,
                    "cutoff_date": result.cutoff,
                    "forecast_month": row.month,
                    "horizon_months": row.horizon,
                    "forecast_amount": money(row.forecast),
                    "lower_80_amount": money(row.lower[0.80]) if row.lower else None,
                    "upper_80_amount": money(row.upper[0.80]) if row.upper else None,
                    "lower_95_amount": money(row.lower[0.95]) if row.lower else None,
                    "upper_95_amount": money(row.upper[0.95]) if row.upper else None,
                    "actual_amount": money(row.actual),
                    "training_start_month": result.series.start,
                    "_loaded_at": loaded_at,
                }

    def scores(self) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
        """{(level, member): {method: (MAPE, bias)}} of the backtest."""
        return {
            (r.series.level, r.series.member): {
                method: r.score(method) for method in (model.MODEL_NAME, model.BASELINE_NAME)
            }
            for r in self.backtests
        }

    def summary(self) -> list[str]:
        """What ran, in lines a person reads after ``salespulse forecast``."""
        lines = [
            f"forecast run {self.run_id}: as of {self.as_of}, history to {self.history.last_month:%Y-%m}, "
            f"{len(self.forecasts)} series x {HORIZON_MONTHS} months ({model.MODEL_NAME})",
            self.history.territory_decision,
        ]
        lines += [f"skipped {s.level} {s.member}: {s.reason}" for s in self.skipped]
        if self.backtests:
            cutoff = self.backtests[0].cutoff
            lines.append(
                f"backtest (fit up to {cutoff}, next 12 months): MAPE / bias, model vs seasonal naive"
            )
            for (level, member), by_method in self.scores().items():
                m_mape, m_bias = by_method[model.MODEL_NAME]
                n_mape, n_bias = by_method[model.BASELINE_NAME]
                scores = f"{m_mape:6.1%} {m_bias:+6.1%}   vs {n_mape:6.1%} {n_bias:+6.1%}"
                lines.append(f"  {level:<9} {member:<12} {scores}")
        return lines


def run_id_of(history: SalesHistory, train_until: date) -> str:
    """A hash of everything the run's numbers depend on: the same input gives the same id."""
    payload = {
        "as_of": history.as_of.isoformat(),
        "last_month": history.last_month.isoformat(),
        "train_until": train_until.isoformat(),
        "model": model.model_spec(),
        "series": [[s.level, s.member, s.start.isoformat(), list(s.values)] for s in history.series],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def compute(history: SalesHistory, *, train_until: date | None = None) -> ForecastRun:
    """Forecast every eligible series of ``history`` and backtest it with training up to ``train_until``."""
    until = train_until or cutoff_month(history.last_month)
    forecasts, backtests, skipped = [], [], []
    for full in history.series:
        train = full.forecastable()
        if train is None:
            skipped.append(
                Skipped(
                    full.level,
                    full.member,
                    f"fewer than {MIN_HISTORY_MONTHS} months of uninterrupted sales up to "
                    f"{history.last_month:%Y-%m}",
                )
            )
            continue
        try:
            forecasts.append(SeriesForecast(train, model.forecast(train.array(), HORIZON_MONTHS)))
        except ValueError as error:
            skipped.append(Skipped(full.level, full.member, str(error)))
            continue
        result = backtest(full, until)
        if result is not None:
            backtests.append(result)
    return ForecastRun(
        run_id_of(history, until), history, until, tuple(forecasts), tuple(backtests), tuple(skipped)
    )


def run_forecast(
    warehouse: Warehouse,
    *,
    backtest_cutoff: date | None = None,
    min_territory_orders: int = MIN_TERRITORY_ORDERS,
    land_result: bool = True,
) -> ForecastRun:
    """Read the built warehouse, forecast, backtest, and (by default) land the run in ``raw``.

    ``backtest_cutoff``: last day of the backtest's training data (default: the end of the month
    twelve months before the last complete month, 2023-12-31 on the demo data).
    """
    history = read_history(warehouse, min_territory_orders=min_territory_orders)
    train_until = last_complete_month(backtest_cutoff) if backtest_cutoff else None
    run = compute(history, train_until=train_until)
    if land_result:
        land(warehouse, run)
    return run


@dataclass(frozen=True)
class ForecastBuild:
    run: ForecastRun
    dbt_returncode: int


def forecast_and_build(
    target: str | None,
    env: dict[str, str],
    *,
    backtest_cutoff: date | None = None,
    min_territory_orders: int = MIN_TERRITORY_ORDERS,
    capture: bool = True,
) -> ForecastBuild:
    """Forecast on ``target`` (reached with ``env`` on top of the process environment), land the run,
    then ``dbt build --select source:forecast+`` so the forecast models and their tests pick it up.

    When the warehouse's build record says every node was built from the raw tables as they are
    (``salespulse.build_scope``: nothing landed since its last complete build), that selection covers
    all that changed, and the record is kept: the next refresh cycle builds only what it delivers."""
    import os

    from salespulse import build_scope
    from salespulse.dbt import dbt_env, run_dbt
    from salespulse.warehouse import connect

    with connect(target, {**os.environ, **env}) as warehouse:
        complete = build_scope.plan(warehouse, dbt_env(env), build_scope.project_sources())
        run = run_forecast(
            warehouse, backtest_cutoff=backtest_cutoff, min_territory_orders=min_territory_orders
        )
    built = run_dbt(
        ["build", "--select", "source:forecast+"],
        target=target,
        env=env,
        check=False,
        capture=capture,
        covers_changes=complete.select == (),
        fingerprint=complete.fingerprint,
    )
    if capture and built.returncode:
        raise RuntimeError(f"dbt build of the forecast models failed:\n{(built.stdout or '')[-4000:]}")
    return ForecastBuild(run, built.returncode)
