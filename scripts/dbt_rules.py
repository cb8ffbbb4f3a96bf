#!/usr/bin/env python3
"""dbt-project-evaluator's rules, evaluated on dbt's manifest: the measure of issue 14's
"dbt-project-evaluator flags 12 rules, 116 rows".

    python scripts/dbt_rules.py                      # `dbt parse` into a temporary folder, then the rows
    python scripts/dbt_rules.py --manifest target/manifest.json
    python scripts/dbt_rules.py --all                # also list the allowed rows, with their reasons

dbt-labs' package (https://github.com/dbt-labs/dbt-project-evaluator) cannot be installed here
(hub packages cannot be downloaded), and it builds its findings as models in the warehouse; these are
the same rules read straight from ``manifest.json``, so they need no warehouse and no download:

- ``missing_primary_key_tests``: a model without a ``unique`` and a ``not_null`` test on one column
  (or a ``unique`` test and a ``not_null`` constraint), nor a ``unique_combination_of_columns`` test
  (this project's macro, standing in for dbt_utils').
- ``sources_without_freshness``: a source table with no ``warn_after`` or ``error_after``.
- ``direct_join_to_source``: a model reading both a model and a source (one row per parent).
- ``marts_or_intermediate_dependent_on_source``: an ``int_`` / marts model reading a source.
- ``model_naming_conventions``: a model whose prefix is not one its folder's layer allows
  (``staging``: ``stg_``; ``intermediate``: ``int_``; ``marts``: ``fct_``, ``dim_``; ``reporting``:
  ``rpt_``), the package's naming and model-directory rules in one.
- ``exposure_parents_materializations``: an exposure reading a source, a view or an ephemeral model.
- ``model_fanout``: a model with 3 or more direct children that are models with no children at all.
- ``too_many_joins``: a model with 7 or more direct parents.
- ``rejoining_of_upstream_concepts``: a parent whose child ``between`` has no other child than a
  model the parent also feeds directly (``between`` could be a CTE of that model).
- ``source_fanout``, ``multiple_sources_joined``, ``root_models``, ``unused_sources``,
  ``staging_dependent_on_staging``, ``staging_dependent_on_downstream_models``: the package's other DAG
  rules, cheap to read from the manifest.

Thresholds and definitions follow the package's defaults (``models_fanout_threshold`` 3,
``too_many_joins_threshold`` 7). Tests are not part of the DAG; exposures are children (so a model an
exposure reads is no leaf: the reporting views Power BI and the web read are no fanout) except for
the rejoining rule, as in the package. Seeds count as parents.

A row the design deliberately keeps is listed in :data:`ALLOWED` with its reason (which the model's,
exposure's or source's description, or dbt_project.yml, also says); a row whose fix belongs to a file
this change could not edit waits in :data:`PENDING`. The command exits 1 when a row is neither fixed,
allowed nor pending, or when an entry covers no row any more (fixed: remove it).
``tests/python/test_dbt_rules.py`` runs it.

Standard library only (dbt is run as a command for ``dbt parse``).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FANOUT_THRESHOLD = 3
TOO_MANY_JOINS_THRESHOLD = 7
#: Prefixes each layer (the first folder under models/) allows.
LAYER_PREFIXES: dict[str, tuple[str, ...]] = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("fct_", "dim_"),
    "reporting": ("rpt_",),
}
#: Generic tests that prove a grain on their own (this project writes dbt_utils' as a macro).
COMBINATION_TESTS = {"unique_combination_of_columns"}
DAG_TYPES = {"model", "seed", "snapshot", "source", "exposure"}

#: Rows the design keeps on purpose: (rule, subject pattern) -> why. A pattern (``fnmatch``) stands
#: for rows that share one reason; every entry must still match a row (else it is stale and fails).
#: The model's (or the exposure's, the source's) description says the same.
ALLOWED: dict[tuple[str, str], str] = {
    # rejected_rows reads every raw table through `ranked_versions` (macros/versions.sql) to list the
    # earlier versions a later delivery superseded. Staging keeps only the latest version of each
    # business key, so no model but the raw tables holds those rows; reading them is what lets every
    # raw row be accounted for (in the warehouse or in rejected_rows).
    ("direct_join_to_source", "rejected_rows <- *"): "reads every raw table so that each raw row is "
    "accounted for: staging keeps only the latest version, the superseded ones are in no model",
    ("marts_or_intermediate_dependent_on_source", "rejected_rows <- source *"): "as above: the "
    "superseded versions exist only in the raw tables",
    ("multiple_sources_joined", "rejected_rows"): "as above: the superseded rows of every raw table",
    ("too_many_joins", "rejected_rows"): "as above: eight raw tables and the checked order lines",
    ("too_many_joins", "fct_sales"): "the order lines, three dimensions and first orders, plus two "
    "incremental-build orderings: the change set, and the web aggregates' before image "
    "(int_order_lines__previous), which must be captured before fct_sales is rebuilt",
    ("source_fanout", "* -> rejected_rows, stg_*"): "each raw table feeds its staging model and "
    "rejected_rows (its superseded versions)",
    ("source_fanout", "erp.order_lines -> rejected_rows, rpt_data_freshness, stg_erp__order_lines"): "as "
    "above, and rpt_data_freshness (the newest change time a delivered line carries)",
    # rpt_data_freshness describes the raw layer itself: the loader's log (no staging model: it is
    # the loader's, not a delivery) and the newest change time of the delivered order lines.
    (
        "multiple_sources_joined",
        "rpt_data_freshness",
    ): "describes the raw layer itself (load log, deliveries)",
    # rpt_settings is the build's settings (dbt vars), one row: like a date spine it has no parent.
    ("root_models", "rpt_settings"): "the build's settings from dbt vars: no parent to have",
    # The reporting layer is views over marts tables (a pass-through with an enforced contract):
    # Power BI imports them at refresh, the web's filtered queries are answered by the tables
    # underneath; materialising them would copy every mart at each build for no faster query.
    # dbt_project.yml (`reporting: +materialized: view`) and the exposures' descriptions say so.
    ("exposure_parents_materializations", "rpt_* -> *"): "reporting views over marts tables: Power BI "
    "imports them, the web's queries run on the tables underneath",
    # Optional extracts may never be delivered (their table stays empty) and the forecast tables
    # exist only after the first `salespulse forecast`: a freshness check would fail on a valid setup.
    # The generated _*__sources.yml (src/salespulse/contract_doc.py) set `freshness: null` for them.
    ("sources_without_freshness", "crm.territories"): "optional extract (may never be delivered)",
    ("sources_without_freshness", "crm.geography"): "optional extract (may never be delivered)",
    ("sources_without_freshness", "hr.sales_reps"): "optional extract (may never be delivered)",
    ("sources_without_freshness", "marketing.campaigns"): "optional extract (may never be delivered)",
    ("sources_without_freshness", "forecast.forecast_monthly"): "landed by `salespulse forecast`",
    ("sources_without_freshness", "forecast.forecast_backtest"): "landed by `salespulse forecast`",
    # agg_web_*: pre-aggregates the web reads at 10 M lines. Neither facts (no event grain) nor
    # dimensions; the prefix says what they are and keeps them apart from the marts users query.
    ("model_naming_conventions", "agg_web_*"): "web pre-aggregates, not facts: `agg_` says so",
    # rejected_rows is the data-quality mart, named for what it holds (README, reconciliation tests).
    ("model_naming_conventions", "rejected_rows"): "data-quality mart, neither fact nor dimension",
    # Each agg_web_* table is read through rpt_web_*, a select of all its columns: the grain is
    # tested once, on the published view (models/reporting/web/_web__models.yml), not twice.
    ("missing_primary_key_tests", "agg_web_*"): "grain tested on its pass-through view rpt_web_*",
    # One row by construction (totals without a group by): there is no key to be unique.
    ("missing_primary_key_tests", "rpt_web_sales_checks"): "one row by construction: no key",
    # Ephemeral (inlined, never built): fct_sales's lines with many-to-one joins to dimensions whose
    # keys are unique-tested, so its grain is fct_sales's (sales_key, tested there); a test would
    # re-run the whole join at 10 M lines to prove it again.
    ("missing_primary_key_tests", "int_order_lines__enriched"): "ephemeral, fct_sales's grain (tested there)",
    # A view whose every row dim_customer copies (no filter): customer_id is tested unique and not
    # null there; a test of the view computes its joins and window again (2.5 s a cycle at 10 M lines).
    ("missing_primary_key_tests", "int_customers__enriched"): "every row copied into dim_customer, "
    "whose customer_id is tested unique and not null",
    # The ranked client table is agg_web_client_sales_monthly_unranked's rows with one rank per label:
    # the grain is tested on the unranked table (restricted to the clients a cycle rewrites), not again
    # over 5.7 M rows at every cycle.
    ("missing_primary_key_tests", "rpt_web_client_sales_monthly"): "grain tested on "
    "agg_web_client_sales_monthly_unranked (its rows, one rank per label)",
    # The incremental build's change set: every raw version of a changed line (the old version names
    # the groups it leaves, the latest those it joins), so a line may appear several times by design.
    ("missing_primary_key_tests", "int_order_lines__changes"): "a change set: one row per raw version",
    # The marts hold each analytic at its keys (unit-tested there); the reporting model adds the
    # dimensions' names for the BI tools, as every reporting model does over its mart.
    (
        "rejoining_of_upstream_concepts",
        "dim_campaign -> fct_campaign_effectiveness -> rpt_campaign_effectiveness",
    ): "mart at its keys, reporting adds the names",
    (
        "rejoining_of_upstream_concepts",
        "dim_sales_rep -> fct_rep_acquisition_monthly -> rpt_rep_acquisition_monthly",
    ): "mart at its keys, reporting adds the names",
    # rpt_forecast_series is itself published (Power BI reads it; the exposure is not counted by the
    # rule): not an in-between step to fold into rpt_sales_forecast, which puts actuals, forecast and
    # budget side by side per series and so reads seven models.
    ("rejoining_of_upstream_concepts", "* -> rpt_forecast_series -> rpt_sales_forecast"): "the series "
    "view is published itself",
    ("too_many_joins", "rpt_sales_forecast"): "actuals, forecast and budget side by side per series",
}

#: Rows to fix in files this change does not own: (rule, subject pattern) -> the fix. They fail
#: nothing yet; once fixed the entry matches no row, is stale, and the check fails until it goes.
PENDING: dict[tuple[str, str], str] = {}


@dataclass(frozen=True, order=True)
class Row:
    """One finding: the rule, what it is about (``child <- parent``, a model, a source) and details."""

    rule: str
    subject: str
    detail: str = ""


@dataclass(frozen=True)
class Graph:
    """The project's DAG (tests left out) and what the rules need of each node."""

    nodes: dict[str, dict]  # unique_id -> manifest node, source or exposure
    parents: dict[str, set[str]]
    children: dict[str, set[str]]
    tests: list[dict]

    @classmethod
    def from_manifest(cls, manifest: dict) -> Graph:
        project = manifest["metadata"].get("project_name")
        nodes = {
            uid: node
            for uid, node in [
                *manifest["nodes"].items(),
                *manifest["sources"].items(),
                *manifest["exposures"].items(),
            ]
            if node["resource_type"] in DAG_TYPES and node.get("package_name", project) == project
        }
        parents: dict[str, set[str]] = {uid: set() for uid in nodes}
        children: dict[str, set[str]] = {uid: set() for uid in nodes}
        for uid, node in nodes.items():
            for parent in (node.get("depends_on") or {}).get("nodes") or []:
                if parent in nodes:
                    parents[uid].add(parent)
                    children[parent].add(uid)
        tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]
        return cls(nodes, parents, children, tests)

    def name(self, uid: str) -> str:
        node = self.nodes[uid]
        if node["resource_type"] == "source":
            return f"{node['source_name']}.{node['name']}"
        return node["name"]

    def of_type(self, *resource_types: str) -> list[str]:
        return sorted(uid for uid, node in self.nodes.items() if node["resource_type"] in resource_types)

    def kind(self, uid: str) -> str:
        return self.nodes[uid]["resource_type"]

    def layer(self, uid: str) -> str:
        """The folder under models/ a model lives in (``staging``, ``marts``, ...)."""
        return Path(self.nodes[uid]["original_file_path"]).parts[1]

    def model_type(self, uid: str) -> str:
        """The package's model type: by prefix first, else by folder."""
        name = self.nodes[uid]["name"]
        for layer, prefixes in LAYER_PREFIXES.items():
            if name.startswith(prefixes):
                return "other" if layer == "reporting" else layer
        layer = self.layer(uid)
        return layer if layer in ("staging", "intermediate", "marts") else "other"


def missing_primary_key_tests(graph: Graph) -> Iterator[Row]:
    unique: dict[str, set[str]] = defaultdict(set)
    not_null: dict[str, set[str]] = defaultdict(set)
    combined: set[str] = set()
    for test in graph.tests:
        metadata = test.get("test_metadata") or {}
        model, column = test.get("attached_node"), test.get("column_name")
        if not model or not metadata:
            continue
        if metadata["name"] in COMBINATION_TESTS:
            combined.add(model)
        elif metadata["name"] == "unique" and column:
            unique[model].add(column)
        elif metadata["name"] == "not_null" and column:
            not_null[model].add(column)
    for uid in graph.of_type("model"):
        constrained = {
            name
            for name, column in graph.nodes[uid]["columns"].items()
            if any(c.get("type") == "not_null" for c in column.get("constraints") or [])
        }
        if uid not in combined and not unique[uid] & (not_null[uid] | constrained):
            yield Row("missing_primary_key_tests", graph.name(uid))


def sources_without_freshness(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("source"):
        freshness = graph.nodes[uid].get("freshness") or {}
        if not any((freshness.get(key) or {}).get("count") for key in ("warn_after", "error_after")):
            yield Row("sources_without_freshness", graph.name(uid))


def direct_join_to_source(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        kinds = {graph.kind(parent) for parent in graph.parents[uid]}
        if {"model", "source"} <= kinds:
            for parent in sorted(graph.parents[uid]):
                yield Row(
                    "direct_join_to_source", f"{graph.name(uid)} <- {graph.name(parent)}", graph.kind(parent)
                )


def marts_or_intermediate_dependent_on_source(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        if graph.model_type(uid) in ("marts", "intermediate"):
            for parent in sorted(p for p in graph.parents[uid] if graph.kind(p) == "source"):
                rule = "marts_or_intermediate_dependent_on_source"
                yield Row(rule, f"{graph.name(uid)} <- source {graph.name(parent)}")


def model_naming_conventions(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        layer = graph.layer(uid)
        allowed = LAYER_PREFIXES.get(layer)
        if allowed is None:
            yield Row("model_naming_conventions", graph.name(uid), f"in models/{layer}/, no known layer")
        elif not graph.nodes[uid]["name"].startswith(allowed):
            yield Row("model_naming_conventions", graph.name(uid), f"{layer} allows {', '.join(allowed)}")


def exposure_parents_materializations(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("exposure"):
        for parent in sorted(graph.parents[uid]):
            node = graph.nodes[parent]
            materialized = (node.get("config") or {}).get("materialized")
            if node["resource_type"] == "source" or materialized in ("view", "ephemeral"):
                rule = "exposure_parents_materializations"
                yield Row(rule, f"{graph.name(parent)} -> {graph.name(uid)}", materialized or "source")


def model_fanout(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        leaves = sorted(
            graph.name(child)
            for child in graph.children[uid]
            if graph.kind(child) == "model" and not graph.children[child]
        )
        if len(leaves) >= FANOUT_THRESHOLD:
            yield Row("model_fanout", graph.name(uid), ", ".join(leaves))


def too_many_joins(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        if len(graph.parents[uid]) >= TOO_MANY_JOINS_THRESHOLD:
            yield Row("too_many_joins", graph.name(uid), f"{len(graph.parents[uid])} parents")


def rejoining_of_upstream_concepts(graph: Graph) -> Iterator[Row]:
    def children(uid: str) -> set[str]:
        return {child for child in graph.children[uid] if graph.kind(child) != "exposure"}

    for parent in sorted(graph.nodes):
        if graph.kind(parent) == "exposure":
            continue
        for between in sorted(children(parent)):
            (only_child,) = children(between) if len(children(between)) == 1 else (None,)
            if only_child is not None and only_child in children(parent):
                subject = f"{graph.name(parent)} -> {graph.name(between)} -> {graph.name(only_child)}"
                yield Row("rejoining_of_upstream_concepts", subject, f"{graph.name(parent)} also direct")


def source_fanout(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("source"):
        if len(graph.children[uid]) > 1:
            names = ", ".join(sorted(graph.name(child) for child in graph.children[uid]))
            yield Row("source_fanout", f"{graph.name(uid)} -> {names}")


def multiple_sources_joined(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        sources = sorted(graph.name(p) for p in graph.parents[uid] if graph.kind(p) == "source")
        if len(sources) > 1:
            yield Row("multiple_sources_joined", graph.name(uid), ", ".join(sources))


def root_models(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        if not graph.parents[uid]:
            yield Row("root_models", graph.name(uid))


def unused_sources(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("source"):
        if not graph.children[uid]:
            yield Row("unused_sources", graph.name(uid))


def staging_dependencies(graph: Graph) -> Iterator[Row]:
    for uid in graph.of_type("model"):
        if graph.model_type(uid) != "staging":
            continue
        for parent in sorted(p for p in graph.parents[uid] if graph.kind(p) == "model"):
            parent_type = graph.model_type(parent)
            rule = "staging_dependent_on_staging" if parent_type == "staging" else None
            rule = rule or "staging_dependent_on_downstream_models"
            yield Row(rule, f"{graph.name(uid)} <- {graph.name(parent)}", parent_type)


RULES: tuple[Callable[[Graph], Iterable[Row]], ...] = (
    missing_primary_key_tests,
    sources_without_freshness,
    direct_join_to_source,
    marts_or_intermediate_dependent_on_source,
    model_naming_conventions,
    exposure_parents_materializations,
    model_fanout,
    too_many_joins,
    rejoining_of_upstream_concepts,
    source_fanout,
    multiple_sources_joined,
    root_models,
    unused_sources,
    staging_dependencies,
)


#: The names rows carry (``staging_dependencies`` gives two).
RULE_NAMES = frozenset(
    [rule.__name__ for rule in RULES if rule is not staging_dependencies]
    + ["staging_dependent_on_staging", "staging_dependent_on_downstream_models"]
)


def evaluate(manifest: dict) -> list[Row]:
    """Every rule's rows for the project the manifest describes, sorted."""
    graph = Graph.from_manifest(manifest)
    return sorted(row for rule in RULES for row in rule(graph))


def covering(row: Row, entries: dict[tuple[str, str], str]) -> tuple[str, str] | None:
    """The entry of ``entries`` (:data:`ALLOWED` or :data:`PENDING`) that covers ``row``, if any."""
    for rule, pattern in entries:
        if rule == row.rule and fnmatch.fnmatchcase(row.subject, pattern):
            return rule, pattern
    return None


@dataclass(frozen=True)
class Verdict:
    """The rows sorted by what is to be done about them."""

    to_fix: list[Row]
    allowed: list[tuple[Row, str]]  # with the reason
    pending: list[tuple[Row, str]]  # with the fix, in a file this change does not own
    stale: list[tuple[str, str]]  # entries of ALLOWED / PENDING that cover no row any more

    @property
    def passed(self) -> bool:
        return not self.to_fix and not self.stale


def judge(
    rows: list[Row],
    allowed: dict[tuple[str, str], str] = ALLOWED,
    pending: dict[tuple[str, str], str] = PENDING,
) -> Verdict:
    """Sort ``rows`` by the entries that cover them; entries that cover nothing are stale."""
    verdict = Verdict([], [], [], [])
    used: set[tuple[str, str]] = set()
    for row in rows:
        # pending first: its entries are narrower than the allowances they would fall under
        if entry := covering(row, pending):
            verdict.pending.append((row, pending[entry]))
        elif entry := covering(row, allowed):
            verdict.allowed.append((row, allowed[entry]))
        else:
            verdict.to_fix.append(row)
        if entry:
            used.add(entry)
    verdict.stale.extend(entry for entry in [*allowed, *pending] if entry not in used)
    return verdict


def parse_manifest(project: Path = ROOT) -> dict:
    """``dbt parse`` the project into a temporary target folder (no warehouse opened) and read it."""
    dbt = Path(sys.executable).parent / "dbt"
    with tempfile.TemporaryDirectory(prefix="dbt_rules_") as work:
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "SALESPULSE_TARGET": "duckdb",
            "SALESPULSE_DUCKDB_PATH": str(Path(work) / "unused.duckdb"),
        }
        command = [str(dbt), "parse", "--no-partial-parse", "--target-path", f"{work}/target"]
        command += ["--log-path", f"{work}/logs"]
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError("dbt parse failed:\n" + result.stdout + result.stderr)
        return json.loads((Path(work) / "target" / "manifest.json").read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, help="a manifest.json (default: `dbt parse` one)")
    parser.add_argument("--all", action="store_true", help="also list the allowed rows and why")
    args = parser.parse_args()
    manifest = json.loads(args.manifest.read_text(encoding="utf-8")) if args.manifest else parse_manifest()
    rows = evaluate(manifest)
    verdict = judge(rows)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for index, group in enumerate(
        [verdict.to_fix, [r for r, _ in verdict.allowed], [r for r, _ in verdict.pending]]
    ):
        for row in group:
            counts[row.rule][index] += 1
    print(
        f"{len(rows)} rows over {len(counts)} rules: {len(verdict.to_fix)} to fix, "
        f"{len(verdict.allowed)} allowed, {len(verdict.pending)} pending"
    )
    for rule, (to_fix, allowed, pending) in sorted(counts.items()):
        print(f"  {rule:45} {to_fix:3} to fix {allowed:3} allowed {pending:3} pending")
    for row in verdict.to_fix:
        print(f"FIX     {row.rule}: {row.subject}" + (f" ({row.detail})" if row.detail else ""))
    for row, fix in verdict.pending:
        print(f"PENDING {row.rule}: {row.subject}: {fix}")
    if args.all:
        for row, reason in verdict.allowed:
            print(f"ALLOW   {row.rule}: {row.subject}: {reason}")
    for rule, pattern in verdict.stale:
        print(f"STALE   entry covers no row (remove it): {rule}: {pattern}")
    sys.exit(0 if verdict.passed else 1)


if __name__ == "__main__":
    main()
