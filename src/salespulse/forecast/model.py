"""The forecasting model: an equal-weight combination of two statsmodels ETS models, and the baseline.

Why this model (measured in docs/analytics.md): with two or three years of monthly history a
single exponential-smoothing model is chosen on very little evidence. The two members differ
only in how they treat the trend:

- ETS(A,N,M): additive errors, no trend, multiplicative seasonality, all states estimated;
- ETS(A,Ad,M): the same with a damped additive trend, initial states from the classical
  decomposition of the first two years (``initialization_method="heuristic"``).

The forecast is the mean of the two point forecasts. The 80 % and 95 % intervals are quantiles
of the pooled simulated sample paths of both models (``ETSResults.simulate`` with fixed seeds), so
they cover the uncertainty of the errors and of which member is right. Forecasts and interval
bounds are never below zero (sales cannot be negative).

The seasonal-naive baseline forecasts each month with the same month a year earlier.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import statsmodels
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from salespulse.forecast.series import SEASON_MONTHS

MODEL_NAME = "ets_combination"
BASELINE_NAME = "seasonal_naive"
#: Seed of the simulated sample paths: the same input always gives the same intervals.
SEED = 20_241_231
#: Simulated sample paths per member model.
REPETITIONS = 5_000
INTERVALS = (0.80, 0.95)

#: statsmodels ETSModel arguments of the two members.
MEMBERS: tuple[dict[str, Any], ...] = (
    {"error": "add", "trend": None, "seasonal": "mul", "initialization_method": "estimated"},
    {
        "error": "add",
        "trend": "add",
        "damped_trend": True,
        "seasonal": "mul",
        "initialization_method": "heuristic",
    },
)


def model_spec() -> dict[str, Any]:
    """What the model is, for the landed ``model_parameters`` (and the run id)."""
    return {
        "model": MODEL_NAME,
        "library": f"statsmodels {statsmodels.__version__}",
        "members": [{"class": "ETSModel", "seasonal_periods": SEASON_MONTHS, **m} for m in MEMBERS],
        "combination": "mean of the member point forecasts",
        "intervals": f"quantiles of {REPETITIONS} simulated paths per member, pooled",
        "seed": SEED,
    }


@dataclass(frozen=True)
class ModelForecast:
    """Point forecast and interval bounds per month ahead (arrays of the horizon's length)."""

    point: np.ndarray
    lower: dict[float, np.ndarray]
    upper: dict[float, np.ndarray]
    #: Fitted smoothing parameters of each member that fitted.
    fitted: list[dict[str, float]] = field(default_factory=list)


def _fitted_parameters(result: Any) -> dict[str, float]:
    names = ("smoothing_level", "smoothing_trend", "smoothing_seasonal", "damping_trend")
    out: dict[str, float] = {}
    for name in names:
        value = getattr(result, name, None)
        if value is not None:
            out[name.removeprefix("smoothing_")] = round(float(value), 6)
    out["aicc"] = round(float(result.aicc), 3)
    return out


def forecast(values: np.ndarray, horizon: int, *, seed: int = SEED) -> ModelForecast:
    """Fit both members on ``values`` (consecutive months, all positive) and forecast ``horizon`` months."""
    if len(values) < 2 * SEASON_MONTHS:
        raise ValueError(f"{len(values)} months of history; the seasonal models need {2 * SEASON_MONTHS}")
    points, paths, fitted = [], [], []
    for index, member in enumerate(MEMBERS):
        with warnings.catch_warnings():
            # convergence and bound warnings are expected on short, noisy series
            warnings.simplefilter("ignore")
            try:
                result = ETSModel(values, seasonal_periods=SEASON_MONTHS, **member).fit(disp=False)
                point = np.asarray(result.forecast(horizon), dtype=float)
                simulated = result.simulate(
                    horizon, anchor="end", repetitions=REPETITIONS, rng=np.random.default_rng(seed + index)
                )
            except (ValueError, np.linalg.LinAlgError):
                continue
        sample = np.asarray(simulated, dtype=float).reshape(horizon, REPETITIONS)
        if not (np.all(np.isfinite(point)) and np.all(np.isfinite(sample))):
            continue
        points.append(point)
        paths.append(sample)
        fitted.append({"member": index + 1, **_fitted_parameters(result)})
    if not points:
        raise ValueError("no member model could be fitted")
    pooled = np.clip(np.hstack(paths), 0.0, None)
    lower, upper = {}, {}
    for level in INTERVALS:
        tail = (1.0 - level) / 2
        lower[level] = np.quantile(pooled, tail, axis=1)
        upper[level] = np.quantile(pooled, 1.0 - tail, axis=1)
    point = np.clip(np.mean(points, axis=0), 0.0, None)
    return ModelForecast(point=point, lower=lower, upper=upper, fitted=fitted)


def seasonal_naive(values: np.ndarray, horizon: int) -> np.ndarray:
    """Each month ahead forecast by the same month of the last observed year."""
    if len(values) < SEASON_MONTHS:
        raise ValueError("the seasonal-naive forecast needs a full year of history")
    last_year = np.asarray(values[-SEASON_MONTHS:], dtype=float)
    return np.array([last_year[h % SEASON_MONTHS] for h in range(horizon)])
