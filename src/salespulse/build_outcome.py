"""What a failed ``dbt build`` means for the user: which nodes failed, on how many rows, and what
the dashboards show meanwhile. Read from dbt's ``run_results.json`` so it never depends on the
wording of dbt's console output."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from salespulse.settings import PROJECT_ROOT

#: dbt statuses that make a build fail (``warn`` does not).
FAILING = ("fail", "error")


@dataclass(frozen=True)
class FailedNode:
    """One model, seed, data test or unit test that failed or errored."""

    unique_id: str
    status: str
    failures: int | None
    message: str

    @property
    def name(self) -> str:
        """``test.salespulse.unique_fct_sales_sales_key.1a2b`` -> ``test unique_fct_sales_sales_key``."""
        parts = self.unique_id.split(".")
        kind = parts[0].replace("_", " ")
        name = parts[2] if len(parts) > 2 else self.unique_id
        return f"{kind} {name}"

    def describe(self) -> str:
        if self.status == "fail" and self.failures is not None:
            rows = "row" if self.failures == 1 else "rows"
            return f"{self.name} failed on {self.failures:,} {rows}"
        first_line = (self.message or "").strip().splitlines()[:1]
        return f"{self.name} {self.status}: {first_line[0] if first_line else 'no message'}"


def run_results_path(environ: dict[str, str] | None = None) -> Path:
    """dbt's ``run_results.json`` of the last invocation in this project."""
    env = os.environ if environ is None else environ
    target = Path(env.get("DBT_TARGET_PATH", "target"))
    return (target if target.is_absolute() else PROJECT_ROOT / target) / "run_results.json"


def failed_nodes(path: Path) -> list[FailedNode]:
    """The failed or errored nodes of a dbt invocation, in the order dbt ran them."""
    if not path.exists():
        return []
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    return [
        FailedNode(r["unique_id"], r["status"], r.get("failures"), r.get("message") or "")
        for r in results
        if r.get("status") in FAILING
    ]


def failure_report(nodes: list[FailedNode], *, staged: bool) -> str:
    """The lines a user reads after a failed build: what failed and what the dashboards show."""
    lines = (
        [f"The build failed: {len(nodes)} of its checks or models did not pass."]
        if nodes
        else ["The build failed before dbt reported any node (see dbt's output above)."]
    )
    lines += [f"  - {node.describe()}" for node in nodes]
    if staged:
        lines.append(
            "Nothing was published: the dashboards keep showing the previous build. "
            "Fix the data (or the model) and run the build again."
        )
    else:
        lines.append(
            "In place (PostgreSQL): models upstream of a failure were rebuilt; the failed ones and "
            "everything downstream of them were skipped and keep their previous data."
        )
    return "\n".join(lines)
