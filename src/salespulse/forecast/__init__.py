"""Monthly sales forecast with backtest, computed in Python and landed in the raw schema.

``salespulse forecast`` (after ``salespulse build``) reads the built warehouse's reporting views,
fits the model of ``model.py`` per series, backtests it against the seasonal-naive baseline,
replaces ``raw.forecast_monthly`` and ``raw.forecast_backtest`` in one transaction and builds the
dbt models downstream of them (``dbt build --select source:forecast+``).
"""

from salespulse.forecast.run import ForecastRun, compute, run_forecast

__all__ = ["ForecastRun", "compute", "run_forecast"]
