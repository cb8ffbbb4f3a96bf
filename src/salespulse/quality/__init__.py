"""Great Expectations checks on the built marts that dbt tests do not express.

dbt's tests guard keys, relationships and accepted values row by row. The suites here look at the
warehouse as a whole: volumes (and volumes relative to each other), value ranges of the measures,
distributions, uniqueness of compound keys, not-null measures and the column set of the reporting
view. Distribution checks need a sample to mean anything, so they run only when the table they
describe has at least ``MIN_ROWS_FOR_DISTRIBUTIONS`` rows (the report lists the ones skipped).

- DuckDB: every table (and every derived query) is read through pandas and validated in memory,
  because GX's SQL datasource emits ``SELECT * WHERE true`` against DuckDB. A table is read with only
  the columns whose values its checks read (``projection.columns_read``); the frame keeps the table's
  column names and row count, so the results are those of reading every column. A big table (fct_sales
  at millions of lines) is validated in column groups, a few columns' frame at a time
  (``groups.column_groups``; one Data Docs page per group), with the results of one whole run.
- PostgreSQL: GX's SQL datasource with table assets (and query assets for the derived queries), so
  the metrics are computed by the server.

The context is ephemeral: nothing is written but the HTML Data Docs (default
``artifacts/gx/data_docs``, git-ignored). Nothing here reaches the internet: analytics are off, and
generating the docs makes no network call (the pages link CSS/JS on public CDNs, which a browser
fetches when they are opened).
"""

from __future__ import annotations

import os

# Before any module of the package imports great_expectations (ruff allows os.environ changes above
# imports): importing a submodule runs this first.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from .context import DEFAULT_DOCS_DIR
from .engines import QualityError
from .outcomes import ExpectationOutcome, QualityReport, SuiteOutcome
from .report import format_report, main_summary
from .runner import MIN_ROWS_FOR_DISTRIBUTIONS, run_quality_checks

__all__ = [
    "DEFAULT_DOCS_DIR",
    "MIN_ROWS_FOR_DISTRIBUTIONS",
    "ExpectationOutcome",
    "QualityError",
    "QualityReport",
    "SuiteOutcome",
    "format_report",
    "main_summary",
    "run_quality_checks",
]
