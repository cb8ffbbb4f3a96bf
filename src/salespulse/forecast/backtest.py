"""Backtest: fit on the history up to a cut-off, forecast the next twelve months, compare with actuals.

The model and the seasonal-naive baseline are scored the same way, per series:

- MAPE (mean absolute percentage error): the mean over the compared months of
  |forecast - actual| / actual (months without positive actual sales are left out);
- bias: (sum of forecasts - sum of actuals) / sum of actuals; positive = over-forecast.

The warehouse computes the same numbers from the landed rows (``reporting.forecast_backtest``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from salespulse.forecast import model
from salespulse.forecast.series import SEASON_MONTHS, Series, month_add, months_between


@dataclass(frozen=True)
class BacktestMonth:
    method: str
    month: date
    horizon: int
    forecast: float
    actual: float
    lower: dict[float, float] | None
    upper: dict[float, float] | None


@dataclass(frozen=True)
class BacktestResult:
    series: Series  # the training part
    cutoff: date  # last day of the training data
    months: tuple[BacktestMonth, ...]
    fitted: list[dict[str, float]]

    def score(self, method: str) -> tuple[float, float]:
        """(MAPE, bias) of ``method`` as fractions."""
        rows = [m for m in self.months if m.method == method]
        return mape([m.forecast for m in rows], [m.actual for m in rows]), bias(
            [m.forecast for m in rows], [m.actual for m in rows]
        )


def mape(forecasts: list[float], actuals: list[float]) -> float:
    pairs = [(f, a) for f, a in zip(forecasts, actuals, strict=True) if a > 0]
    if not pairs:
        return float("nan")
    return float(np.mean([abs(f - a) / a for f, a in pairs]))


def bias(forecasts: list[float], actuals: list[float]) -> float:
    total = sum(actuals)
    return float((sum(forecasts) - total) / total) if total > 0 else float("nan")


def cutoff_month(last_month: date) -> date:
    """Default last training month: twelve months before the last complete month."""
    return month_add(last_month, -SEASON_MONTHS)


def backtest(full: Series, train_until: date, horizon: int = SEASON_MONTHS) -> BacktestResult | None:
    """Backtest one series with training months up to ``train_until`` (a month's first day).

    Returns None when the training part is too short for the model or nothing follows the cut-off.
    """
    train = full.until(train_until).forecastable()
    if train is None or train.end != train_until:
        return None
    available = min(horizon, months_between(train_until, full.end))
    if available <= 0:
        return None
    fitted = model.forecast(train.array(), available)
    naive = model.seasonal_naive(train.array(), available)
    rows: list[BacktestMonth] = []
    for h in range(available):
        month = month_add(train_until, h + 1)
        actual = full.value(month) or 0.0
        rows.append(
            BacktestMonth(
                model.MODEL_NAME,
                month,
                h + 1,
                float(fitted.point[h]),
                actual,
                {level: float(bound[h]) for level, bound in fitted.lower.items()},
                {level: float(bound[h]) for level, bound in fitted.upper.items()},
            )
        )
        rows.append(BacktestMonth(model.BASELINE_NAME, month, h + 1, float(naive[h]), actual, None, None))
    cutoff = month_add(train_until, 1) - timedelta(days=1)
    return BacktestResult(train, cutoff, tuple(rows), fitted.fitted)
