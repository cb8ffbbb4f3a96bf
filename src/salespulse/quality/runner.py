"""Running the suites: each dataset through its GX checkpoint, then the Data Docs."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import great_expectations as gx

from .context import DEFAULT_DOCS_DIR, DOCS_SITE, clear_docs, ephemeral_context
from .datasets import DATASETS, Dataset
from .engines import Engine, open_engine
from .groups import GROUP_CELLS, report_order
from .outcomes import ExpectationOutcome, QualityReport, SuiteOutcome, outcome, unreadable

#: Distribution checks (shares, means, quantiles) run only on tables with at least this many rows.
MIN_ROWS_FOR_DISTRIBUTIONS = 200


def run_suite(context: Any, engine: Engine, dataset: Dataset, group_cells: int = GROUP_CELLS) -> SuiteOutcome:
    """Validate ``dataset``: its checks in the engine's groups, one GX checkpoint per group (named
    ``<dataset>.part<i>of<n>`` when there are several), the results in the order of one whole run.

    Each group's frame is released before the next is read; the last stays with GX until the runner
    calls ``engine.release()``.
    """
    checks = dataset.checks()
    try:
        sample_rows = engine.row_count(dataset.sample_source)
        enough = sample_rows >= MIN_ROWS_FOR_DISTRIBUTIONS
        active = [c for c in checks if enough or not c.is_distribution]
        groups = engine.groups(dataset, active, group_cells)
    except Exception as error:  # a missing or broken table fails its suite; the others still run
        return unreadable(dataset, error)
    skipped = tuple(str(c.expectation.notes) for c in checks if c not in active)

    found: dict[str, ExpectationOutcome] = {}
    success = True
    for number, group in enumerate(groups, start=1):
        name = dataset.name if len(groups) == 1 else f"{dataset.name}.part{number}of{len(groups)}"
        if number > 1:
            engine.release()
        try:
            batch_definition, batch_parameters = engine.batch(name, dataset, group)
        except Exception as error:
            return unreadable(dataset, error)
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for item in group:
            suite.add_expectation(item.expectation)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=name, validation_definitions=[validation], result_format="SUMMARY")
        )
        result = checkpoint.run(batch_parameters=batch_parameters)
        success = success and bool(result.success)
        for run in result.run_results.values():
            for item in run.results:
                assert item.expectation_config is not None
                found[str(item.expectation_config.id)] = outcome(dataset.name, item)
    outcomes = tuple(found[str(item.expectation.id)] for item in report_order(active))
    return SuiteOutcome(
        suite=dataset.name,
        source=dataset.source,
        sample_rows=sample_rows,
        success=success and all(o.success for o in outcomes),
        expectations=outcomes,
        skipped=skipped,
    )


def run_quality_checks(
    target: str | None = None,
    *,
    docs_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    group_cells: int = GROUP_CELLS,
) -> QualityReport:
    """Validate the marts of ``target`` (default: the profile's default) and build the Data Docs.

    ``environ`` replaces ``os.environ`` when rendering the target from profiles.yml. ``group_cells``: the
    values a DuckDB table's frame may hold before its checks are validated in column groups (``groups``).
    """
    started = time.perf_counter()
    docs_dir = (docs_dir or DEFAULT_DOCS_DIR).resolve()
    context = ephemeral_context(docs_dir)
    with closing(open_engine(context, target, environ)) as engine, warnings.catch_warnings():
        # GX 1.24 wants a table asset's schema in the connection (search_path); the marts span two.
        warnings.filterwarnings("ignore", message="`schema_name` is deprecated", category=DeprecationWarning)
        suites = []
        for dataset in DATASETS:
            suites.append(run_suite(context, engine, dataset, group_cells))
            engine.release()
    clear_docs(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    context.build_data_docs(site_names=[DOCS_SITE])
    index = docs_dir / "index.html"
    return QualityReport(
        target=engine.target,
        success=all(s.success for s in suites),
        suites=suites,
        docs_index=index if index.is_file() else None,
        seconds=time.perf_counter() - started,
    )
