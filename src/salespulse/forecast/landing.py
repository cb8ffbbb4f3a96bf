"""Land a forecast run in the raw schema through the project's loading path (``Warehouse``).

Two tables, replaced together in one transaction (readers see the previous run or this one, never a
mix), each row carrying the run id, the as-of date, the model name and its parameters:

- ``raw.forecast_monthly``: one row per series and forecast month, with the 80 % and 95 % intervals;
- ``raw.forecast_backtest``: one row per series, method (model or seasonal naive) and backtest
  month, with the actual sales it is compared with.

The tables are created on first use; the dbt staging models read an empty set until they exist
(macro ``source_rows_or_empty`` in ``macros/analytics.sql``), so a warehouse that never ran a
forecast still builds. The dbt source file ``models/staging/forecast/_forecast__sources.yml`` is
rendered from ``TABLES`` and ``DESCRIPTIONS`` (``salespulse contract --write``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

import pyarrow as pa

from salespulse.contract import SQL_TYPES, Column
from salespulse.warehouse import Warehouse

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
FORECAST_TABLE = "forecast_monthly"
BACKTEST_TABLE = "forecast_backtest"


def _c(name: str, kind: str, required: bool, description: str) -> Column:
    return Column(name, kind, required, description)  # type: ignore[arg-type]


_RUN = (
    _c("run_id", "string", True, "Identifies the run: a hash of its input series, as-of date and model."),
    _c("as_of_date", "date", True, "As-of date of the warehouse the run read."),
    _c("model_name", "string", True, "ets_combination (the model) or seasonal_naive (the baseline)."),
    _c("model_parameters", "string", True, "JSON: model specification, seed, fitted parameters."),
    _c("series_level", "string", True, "total, category or territory."),
    _c("series_member", "string", True, "All for the total, else the category name or territory code."),
)
_AMOUNTS = (
    _c("forecast_amount", "decimal", True, "Forecast net sales of the month."),
    *(
        _c(
            f"{side}_{level}_amount",
            "decimal",
            False,
            f"{side.capitalize()} bound of the {level} % prediction interval (empty for the baseline).",
        )
        for level in (80, 95)
        for side in ("lower", "upper")
    ),
)
_TRAINING_START = _c(
    "training_start_month", "date", True, "First month of the history the model was fitted on."
)
_LOADED_AT = _c("_loaded_at", "timestamp", True, "When the run landed (UTC).")

SOURCE_DESCRIPTION = (
    "The sales forecast and its backtest, landed in the raw schema by `salespulse forecast` after "
    "`salespulse build`. Each run replaces both tables in one transaction. Until the first run the "
    "tables do not exist and the staging models read an empty set (macro source_rows_or_empty), so "
    "the warehouse always builds."
)
DESCRIPTIONS: dict[str, str] = {
    FORECAST_TABLE: "One row per forecast series and month of the 12 months after the last complete month.",
    BACKTEST_TABLE: (
        "One row per series, method (the model or the seasonal-naive baseline) and month of the 12 "
        "months after the backtest cut-off, with the actual sales it is compared with."
    ),
}
TABLES: dict[str, tuple[Column, ...]] = {
    FORECAST_TABLE: (
        *_RUN,
        _c("forecast_month", "date", True, "First day of the forecast month."),
        _c("horizon_months", "integer", True, "Months ahead of the last month of history (1 = the next)."),
        *_AMOUNTS,
        _TRAINING_START,
        _c("training_end_month", "date", True, "Last month of the history the model was fitted on."),
        _LOADED_AT,
    ),
    BACKTEST_TABLE: (
        *_RUN,
        _c("cutoff_date", "date", True, "Last day of the data the backtest model was fitted on."),
        _c("forecast_month", "date", True, "First day of the backtest month."),
        _c("horizon_months", "integer", True, "Months after the cut-off (1 = the month after)."),
        *_AMOUNTS,
        _c("actual_amount", "decimal", True, "Actual net sales of the month."),
        _TRAINING_START,
        _LOADED_AT,
    ),
}

_ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(18, 4),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.type], nullable=not c.required) for c in TABLES[table]])


def money(value: float | None) -> Decimal | None:
    """A float amount as the 4-decimal value the warehouse stores (rounded half to even by format)."""
    return None if value is None else Decimal(f"{value:.4f}")


def parameters_json(parameters: dict[str, object]) -> str:
    return json.dumps(parameters, sort_keys=True, separators=(",", ":"))


def _table_ddl(dialect: str, table: str) -> str:
    types = SQL_TYPES[dialect]
    body = ",\n  ".join(
        f'"{c.name}" {types[c.type]}{" not null" if c.required else ""}' for c in TABLES[table]
    )
    return f"create table {RAW_SCHEMA}.{table} (\n  {body}\n)"


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the raw forecast tables; recreate one whose columns no longer match."""
    warehouse.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table, columns in TABLES.items():
        existing = warehouse.table_columns(RAW_SCHEMA, table)
        if existing == [c.name for c in columns]:
            continue
        if existing:
            log.warning("raw.%s has columns %s; recreating it", table, existing)
            # PostgreSQL keeps the staging views bound to the table: they go too, dbt rebuilds them
            cascade = " cascade" if warehouse.dialect == "postgres" else ""
            warehouse.execute(f"drop table {RAW_SCHEMA}.{table}{cascade}")
        warehouse.execute(_table_ddl(warehouse.dialect, table))


def to_arrow(table: str, rows: Iterable[dict[str, object]]) -> pa.Table:
    schema = arrow_schema(table)
    return pa.Table.from_pylist(list(rows), schema=schema)


class LandableRun(Protocol):
    """What landing needs of a run (``run.ForecastRun``): its rows, stamped with the landing time.

    Declared here rather than importing ``ForecastRun``, so that landing stays below the run that
    uses it (no import loop)."""

    def forecast_rows(self, loaded_at: datetime) -> Iterable[dict[str, object]]: ...

    def backtest_rows(self, loaded_at: datetime) -> Iterable[dict[str, object]]: ...


def land(warehouse: Warehouse, run: LandableRun, loaded_at: datetime | None = None) -> dict[str, int]:
    """Replace the raw forecast tables with ``run`` in one transaction; return the rows per table."""
    stamp = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    data = {
        FORECAST_TABLE: to_arrow(FORECAST_TABLE, run.forecast_rows(stamp)),
        BACKTEST_TABLE: to_arrow(BACKTEST_TABLE, run.backtest_rows(stamp)),
    }
    with warehouse.transaction():
        ensure_tables(warehouse)
        for table, rows in data.items():
            warehouse.execute(f"delete from {RAW_SCHEMA}.{table}")
            if rows.num_rows:
                warehouse.append(f"{RAW_SCHEMA}.{table}", rows)
    warehouse.analyze([f"{RAW_SCHEMA}.{table}" for table in data])
    return {table: rows.num_rows for table, rows in data.items()}
