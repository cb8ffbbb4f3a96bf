"""What a run found: the outcome of each expectation and suite, read from GX's validation results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from great_expectations.core.expectation_validation_result import (
    ExpectationValidationResult,
)

from .checks import VOLUME
from .datasets import Dataset


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str  # e.g. "expect_column_values_to_be_between"
    target: str  # column(s) or "table"
    kind: str  # volume, range, distribution, uniqueness, completeness, schema
    description: str
    success: bool
    detail: str  # observed value or unexpected rows, or the error GX raised


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    source: str  # the table or the derived query's name
    sample_rows: int
    success: bool
    expectations: tuple[ExpectationOutcome, ...]
    #: Descriptions of distribution checks not run because the sample was too small.
    skipped: tuple[str, ...] = ()

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]


@dataclass
class QualityReport:
    target: str
    success: bool
    suites: list[SuiteOutcome] = field(default_factory=list)
    #: The Data Docs ``index.html`` (None if it was not built).
    docs_index: Path | None = None
    seconds: float = 0.0

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [f for s in self.suites for f in s.failures]

    @property
    def expectation_count(self) -> int:
        return sum(len(s.expectations) for s in self.suites)

    @property
    def skipped_count(self) -> int:
        return sum(len(s.skipped) for s in self.suites)

    def suite(self, name: str) -> SuiteOutcome:
        for outcome in self.suites:
            if outcome.suite == name:
                return outcome
        raise KeyError(name)

    def failed(self, suite: str, expectation: str, target: str | None = None) -> bool:
        """Whether ``expectation`` (on ``target``, if given) failed in ``suite``."""
        return any(
            f.suite == suite and f.expectation == expectation and (target is None or f.target == target)
            for f in self.failures
        )


def unreadable(dataset: Dataset, error: Exception) -> SuiteOutcome:
    message = " ".join(str(error).split())[:500]
    failure = ExpectationOutcome(
        suite=dataset.name,
        expectation="read",
        target="table",
        kind=VOLUME,
        description=f"{dataset.source} can be read",
        success=False,
        detail=f"error: {type(error).__name__}: {message}",
    )
    return SuiteOutcome(dataset.name, dataset.source, 0, False, (failure,))


def outcome(suite: str, result: ExpectationValidationResult) -> ExpectationOutcome:
    config = result.expectation_config
    assert config is not None
    meta = config.meta or {}
    raised = bool(result.exception_info and result.exception_info.get("raised_exception"))
    return ExpectationOutcome(
        suite=suite,
        expectation=config.type,
        target=describe_target(config.kwargs),
        kind=str(meta.get("kind", "")),
        description=str(meta.get("description", "")),
        success=bool(result.success) and not raised,
        detail=describe_result(result, raised),
    )


def describe_target(kwargs: dict[str, Any]) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} >= {kwargs['column_B']}"
    return "table"


def describe_result(result: ExpectationValidationResult, raised: bool) -> str:
    if raised:
        return f"error: {result.exception_info.get('exception_message')}"
    details = result.result or {}
    if "unexpected_count" in details:
        unexpected = details.get("unexpected_count") or 0
        text = f"{unexpected} of {details.get('element_count')} rows unexpected"
        if unexpected:
            text += f" ({details.get('unexpected_percent') or 0:.2f} %)"
            examples = details.get("partial_unexpected_list") or []
            if examples:
                text += f", e.g. {examples[:3]}"
        return text
    if "observed_value" in details:
        return f"observed {details['observed_value']}"
    return ""
