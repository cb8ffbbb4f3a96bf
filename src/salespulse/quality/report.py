"""The readable summary of a run, and the CLI entry point that prints it."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from .engines import QualityError
from .outcomes import QualityReport
from .runner import MIN_ROWS_FOR_DISTRIBUTIONS, run_quality_checks


def format_report(report: QualityReport) -> str:
    failed = len(report.failures)
    lines = [
        f"Data quality on {report.target}: {len(report.suites)} suites, {report.expectation_count} "
        f"expectations, {report.expectation_count - failed} passed, {failed} failed, "
        f"{report.skipped_count} distribution checks skipped ({report.seconds:.1f} s)"
    ]
    width = max(len(s.suite) for s in report.suites) if report.suites else 0
    for suite in report.suites:
        status = "ok  " if suite.success else "FAIL"
        passed = len(suite.expectations) - len(suite.failures)
        note = ""
        if suite.skipped:
            note = (
                f"  ({len(suite.skipped)} skipped: sample {suite.sample_rows} < {MIN_ROWS_FOR_DISTRIBUTIONS})"
            )
        lines.append(f"  {status} {suite.suite:<{width}}  {passed}/{len(suite.expectations)}{note}")
        for failure in suite.failures:
            lines.append(f"         - {failure.expectation}({failure.target}): {failure.description}")
            lines.append(f"           {failure.detail}")
    if report.docs_index is not None:
        lines.append(f"Data Docs: {report.docs_index.as_uri()}")
    return "\n".join(lines)


def main_summary(
    target: str | None = None,
    *,
    docs_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """Run the checks and print a readable summary; exit code 0 when every expectation passed, else 1."""
    out = out or sys.stdout
    try:
        report = run_quality_checks(target, docs_dir=docs_dir, environ=environ)
    except QualityError as error:
        print(f"data quality checks could not run: {error}", file=out)
        return 1
    print(format_report(report), file=out)
    return 0 if report.success else 1
