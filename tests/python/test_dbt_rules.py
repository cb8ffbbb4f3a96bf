"""dbt-project-evaluator's rules hold for the project (``scripts/dbt_rules.py``): every row the rules
find is fixed, or deliberately kept with its reason in ``ALLOWED``, or waits in ``PENDING`` for a fix
in a file of its own; and each rule finds what it should on a small hand-made manifest."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from salespulse.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "dbt_rules.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dbt_rules", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["dbt_rules"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


rules = _load_script()


@pytest.fixture(scope="module")
def project_manifest() -> dict:
    """The manifest ``dbt parse`` writes for the project (in a temporary folder of its own)."""
    return rules.parse_manifest(PROJECT_ROOT)


def test_the_project_breaks_no_rule_but_the_allowed_ones(project_manifest: dict) -> None:
    verdict = rules.judge(rules.evaluate(project_manifest))
    assert not verdict.to_fix, "fix these, or allow them with a reason in scripts/dbt_rules.py: " + "\n".join(
        f"{row.rule}: {row.subject}" for row in verdict.to_fix
    )
    assert not verdict.stale, f"these entries cover no row any more, remove them: {verdict.stale}"


def test_every_allowance_and_pending_fix_says_why() -> None:
    for entries in (rules.ALLOWED, rules.PENDING):
        for (rule, pattern), reason in entries.items():
            assert rule in rules.RULE_NAMES, rule
            assert pattern and reason.strip(), (rule, pattern)


# --- each rule on a hand-made manifest ------------------------------------------------------------


def _model(name: str, folder: str, parents: list[str], materialized: str = "table") -> dict:
    return {
        "resource_type": "model",
        "package_name": "demo",
        "name": name,
        "original_file_path": f"models/{folder}/{name}.sql",
        "config": {"materialized": materialized},
        "depends_on": {"nodes": parents},
        "columns": {},
    }


def _source(source: str, table: str, fresh: bool = True) -> dict:
    freshness = {"warn_after": {"count": 1, "period": "day"}, "error_after": {"count": None}}
    return {
        "resource_type": "source",
        "package_name": "demo",
        "source_name": source,
        "name": table,
        "freshness": freshness if fresh else None,
    }


def _test(kind: str, model: str, column: str | None = None) -> dict:
    return {
        "resource_type": "test",
        "package_name": "demo",
        "test_metadata": {"name": kind, "kwargs": {}},
        "attached_node": model,
        "column_name": column,
        "depends_on": {"nodes": [model]},
    }


def _manifest(models: dict[str, dict], sources: dict[str, dict], tests: list[dict], exposures: dict) -> dict:
    nodes = {f"model.demo.{name}": node for name, node in models.items()}
    nodes |= {f"test.demo.t{index}": test for index, test in enumerate(tests)}
    return {
        "metadata": {"project_name": "demo"},
        "nodes": nodes,
        "sources": {f"source.demo.{uid}": node for uid, node in sources.items()},
        "exposures": {f"exposure.demo.{name}": node for name, node in exposures.items()},
    }


def _m(name: str) -> str:
    return f"model.demo.{name}"


@pytest.fixture
def bad_manifest() -> dict:
    """A small project that breaks every rule once (and keeps them elsewhere)."""
    models = {
        "stg_shop__orders": _model("stg_shop__orders", "staging", ["source.demo.shop.orders"], "view"),
        "stg_shop__items": _model(
            "stg_shop__items", "staging", ["source.demo.shop.items", _m("stg_shop__orders")]
        ),
        "int_orders": _model(
            "int_orders", "intermediate", [_m("stg_shop__orders"), "source.demo.shop.items"]
        ),
        "fct_orders": _model("fct_orders", "marts", [_m("int_orders"), _m("stg_shop__orders")]),
        "orders_summary": _model("orders_summary", "marts", [_m("fct_orders")]),
        "rpt_a": _model("rpt_a", "reporting", [_m("fct_orders")], "view"),
        "rpt_b": _model("rpt_b", "reporting", [_m("fct_orders")]),
        "rpt_c": _model("rpt_c", "reporting", [_m("fct_orders")]),
        "rpt_settings": _model("rpt_settings", "reporting", []),
        "rpt_wide": _model("rpt_wide", "reporting", [_m(f"dim_{n}") for n in range(7)]),
        **{f"dim_{n}": _model(f"dim_{n}", "marts", [_m("stg_shop__orders")]) for n in range(7)},
    }
    sources = {
        "shop.orders": _source("shop", "orders"),
        "shop.items": _source("shop", "items", fresh=False),
        "shop.unused": _source("shop", "unused"),
    }
    tests = [
        _test("unique", _m("fct_orders"), "order_id"),
        _test("not_null", _m("fct_orders"), "order_id"),
        _test("unique", _m("int_orders"), "order_id"),  # unique without not_null: no primary key
        _test("not_null", _m("int_orders"), "customer_id"),
        _test("unique_combination_of_columns", _m("rpt_wide")),
    ]
    exposures = {"app": {"resource_type": "exposure", "package_name": "demo", "name": "app"}}
    exposures["app"]["depends_on"] = {"nodes": [_m("rpt_a"), _m("rpt_wide"), "source.demo.shop.orders"]}
    return _manifest(models, sources, tests, exposures)


def _rows(manifest: dict, rule: str) -> list[str]:
    return [row.subject for row in rules.evaluate(manifest) if row.rule == rule]


def test_primary_keys_need_unique_and_not_null_on_one_column_or_a_combination(bad_manifest: dict) -> None:
    missing = _rows(bad_manifest, "missing_primary_key_tests")
    assert "fct_orders" not in missing and "rpt_wide" not in missing
    assert "int_orders" in missing and "stg_shop__orders" in missing


def test_a_not_null_constraint_stands_in_for_the_not_null_test(bad_manifest: dict) -> None:
    bad_manifest["nodes"][_m("int_orders")]["columns"] = {"order_id": {"constraints": [{"type": "not_null"}]}}
    assert "int_orders" not in _rows(bad_manifest, "missing_primary_key_tests")


def test_sources_without_freshness(bad_manifest: dict) -> None:
    assert _rows(bad_manifest, "sources_without_freshness") == ["shop.items"]


def test_models_reading_sources_outside_staging(bad_manifest: dict) -> None:
    assert _rows(bad_manifest, "direct_join_to_source") == [
        "int_orders <- shop.items",
        "int_orders <- stg_shop__orders",
        "stg_shop__items <- shop.items",
        "stg_shop__items <- stg_shop__orders",
    ]
    assert _rows(bad_manifest, "marts_or_intermediate_dependent_on_source") == [
        "int_orders <- source shop.items"
    ]
    assert _rows(bad_manifest, "staging_dependent_on_staging") == ["stg_shop__items <- stg_shop__orders"]


def test_names_follow_their_layer(bad_manifest: dict) -> None:
    assert _rows(bad_manifest, "model_naming_conventions") == ["orders_summary"]


def test_exposures_read_tables(bad_manifest: dict) -> None:
    assert _rows(bad_manifest, "exposure_parents_materializations") == ["rpt_a -> app", "shop.orders -> app"]


def test_fanout_counts_leaf_models_and_an_exposure_is_a_child(bad_manifest: dict) -> None:
    # rpt_a has the exposure as a child: fct_orders has three leaf children, not four
    (row,) = [row for row in rules.evaluate(bad_manifest) if row.rule == "model_fanout"]
    assert (row.subject, row.detail) == ("fct_orders", "orders_summary, rpt_b, rpt_c")


def test_too_many_joins_from_seven_parents(bad_manifest: dict) -> None:
    assert _rows(bad_manifest, "too_many_joins") == ["rpt_wide"]


def test_rejoining_an_upstream_concept_through_a_single_use_model(bad_manifest: dict) -> None:
    assert _rows(bad_manifest, "rejoining_of_upstream_concepts") == [
        "stg_shop__orders -> int_orders -> fct_orders"
    ]
    # once int_orders has another child it is shared work, not a step to fold in
    bad_manifest["nodes"][_m("rpt_b")]["depends_on"]["nodes"].append(_m("int_orders"))
    assert _rows(bad_manifest, "rejoining_of_upstream_concepts") == []


def test_root_models_unused_sources_and_source_fanout(bad_manifest: dict) -> None:
    assert _rows(bad_manifest, "root_models") == ["rpt_settings"]
    assert _rows(bad_manifest, "unused_sources") == ["shop.unused"]
    assert _rows(bad_manifest, "source_fanout") == [
        "shop.items -> int_orders, stg_shop__items",
        "shop.orders -> app, stg_shop__orders",
    ]


def test_an_allowance_covers_its_rows_and_goes_stale_without_them(bad_manifest: dict) -> None:
    rows = rules.evaluate(bad_manifest)
    allowed = {("model_naming_conventions", "orders_*"): "a summary", ("root_models", "rpt_gone"): "gone"}
    verdict = rules.judge(rows, allowed, {})
    assert ("model_naming_conventions", "orders_summary") not in {(r.rule, r.subject) for r in verdict.to_fix}
    assert [reason for row, reason in verdict.allowed] == ["a summary"]
    assert verdict.stale == [("root_models", "rpt_gone")]
    assert not verdict.passed


def test_the_command_fails_on_a_row_to_fix(bad_manifest: dict, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(bad_manifest), encoding="utf-8")
    command = [sys.executable, str(SCRIPT), "--manifest", str(manifest)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FIX     model_naming_conventions: orders_summary" in result.stdout
