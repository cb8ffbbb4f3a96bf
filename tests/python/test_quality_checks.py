"""The check builders the quality suites share, run by GX on small frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from salespulse.quality.checks import Check, one_row_per
from salespulse.quality.context import ephemeral_context
from salespulse.quality.datasets import DATASETS


def passes(check: Check, frame: pd.DataFrame, docs_dir: Path) -> bool:
    """Whether GX finds ``frame`` meets ``check`` (an in-memory context, as the suites run in)."""
    context = ephemeral_context(docs_dir)
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    return bool(batch.validate(check.expectation).success)


def test_one_row_per_every_row_also_checks_rows_whose_grain_is_all_empty(tmp_path: Path) -> None:
    """Two company-wide budget lines of one month (no category, territory or rep) are a duplicate
    grain: GX's default skips them, ``every_row`` catches them; a distinct grain passes both ways."""
    columns = ["category_name", "territory_code", "sales_rep_id"]
    empty_twice = pd.DataFrame({c: [None, None] for c in columns})
    distinct = pd.DataFrame(
        {"category_name": ["Bikes", None], "territory_code": [None, None], "sales_rep_id": [None, None]}
    )
    assert passes(one_row_per(columns, "default"), empty_twice, tmp_path)
    assert not passes(one_row_per(columns, "every row", every_row=True), empty_twice, tmp_path)
    assert passes(one_row_per(columns, "every row", every_row=True), distinct, tmp_path)


def test_grains_with_empty_columns_are_checked_on_every_row() -> None:
    """The budget, the sales-vs-budget view and the geography have grain columns that may be empty."""
    never = {
        dataset.name: [
            c.expectation.column_list
            for c in dataset.checks()
            if type(c.expectation).__name__ == "ExpectCompoundColumnsToBeUnique"
            and c.expectation.ignore_row_if == "never"
        ]
        for dataset in DATASETS
    }
    assert never["marts.fct_budget"] == [["budget_month", "category_name", "territory_code", "sales_rep_id"]]
    assert never["reporting.sales_vs_budget_monthly"] == [
        ["month_start_date", "category_name", "territory_code", "sales_rep_id"]
    ]
    assert never["marts.dim_geography"] == [["country_code", "state_province", "city"]]
