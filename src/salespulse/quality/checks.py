"""``Check``: one expectation tagged with its kind and a sentence, and the builders the suites share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import great_expectations.expectations as gxe

VOLUME, RANGE, DISTRIBUTION, UNIQUENESS, COMPLETENESS, SCHEMA = (
    "volume",
    "range",
    "distribution",
    "uniqueness",
    "completeness",
    "schema",
)


@dataclass(frozen=True)
class Check:
    kind: str
    expectation: gxe.Expectation

    @property
    def is_distribution(self) -> bool:
        return self.kind == DISTRIBUTION


def check(kind: str, description: str, expectation: gxe.Expectation) -> Check:
    """Tag an expectation with its kind and a sentence for the report and the Data Docs."""
    expectation.notes = description
    expectation.meta = {"kind": kind, "description": description}
    return Check(kind, expectation)


def not_null(columns: Sequence[str], what: str) -> list[Check]:
    return [
        check(COMPLETENESS, f"{what} {c} is never null", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in columns
    ]


def non_negative(columns: Sequence[str], what: str) -> list[Check]:
    return [
        check(
            RANGE, f"{what} {c} is never negative", gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
        )
        for c in columns
    ]


def one_row_per(columns: Sequence[str], description: str, every_row: bool = False) -> Check:
    """The table's grain: no two rows share ``columns``.

    GX leaves out a row whose grain columns are all empty; ``every_row`` checks those too, for a grain
    whose columns may all be empty on a real row (a company-wide budget line has no category,
    territory or rep).
    """
    extra = {"ignore_row_if": "never"} if every_row else {}
    unique = gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns), **extra)
    return check(UNIQUENESS, description, unique)


def at_least(column_a: str, column_b: str, description: str) -> Check:
    return check(
        RANGE,
        description,
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=column_a,
            column_B=column_b,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    )


def equals(column: str, value: int, description: str) -> Check:
    return check(
        VOLUME,
        description,
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=value, max_value=value),
    )
