"""One refresh cycle: land what is new in the delivery folder, build incrementally, check, publish.

``salespulse refresh`` runs one; ``salespulse watch`` (``salespulse.watch``) runs them on a timer
and when files arrive. A cycle is ONE hand-over (``salespulse.handover.run_staged``): the load and
the ``dbt build`` (and the quality suite, when asked) write the same private build, and readers see
it only when all of it passed, so they never see the new raw rows without the marts built on them.
It runs under the writer lock, one cycle (or load, build, forecast) at a time.

A cycle is *replayable*: it lands every file of the folder that the warehouse it writes has not
landed yet, then builds. So on DuckDB it may start from the standby build -- the one the current
build replaced, one cycle behind -- instead of a copy of the current one: the loader catches up on
the previous cycle's files as well as the new ones, and the incremental models on both. See
``salespulse.handover`` for when the standby is taken and what that costs.

Whether anything is new is decided first, against the *published* warehouse, read-only: the
standby is behind by design and would always look stale. Nothing new: nothing is built or published.

The build is ``dbt build --select`` of what the raw tables that changed since the written
warehouse's last build feed (``salespulse.build_scope``, which says when that equals a full build
and when it builds everything instead: first build, changed code or settings, a moved as-of date,
``full_build``).

PostgreSQL has no file hand-over: the load commits in one transaction, then dbt replaces relation
after relation in place, so for the length of the build a reader can see some marts rebuilt and
others not; a failed build leaves the failed models and those downstream with their previous data,
and the files stay landed: ``force`` builds again although nothing is new.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from salespulse.contract import ENTITY_BY_NAME

#: What a failed cycle's status names (the exit code of ``salespulse refresh`` follows it).
PUBLISHED = "published"
NOTHING_NEW = "nothing new"
LOAD_REFUSED = "load refused"
BUILD_FAILED = "build failed"
QUALITY_FAILED = "quality failed"
CRASHED = "error"  # an exception, not a verdict on the data (``salespulse watch`` reports it as a failure)

#: dbt's terminal colours, kept out of a log.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: SHA-256 of delivered files by (path, size, mtime): a watch does not re-read unchanged files.
_digests: dict[tuple[str, int, int], str] = {}


@dataclass
class Cycle:
    """What one cycle did: ``status``, the lines that tell a user why, and the exit code."""

    status: str
    lines: list[str] = field(default_factory=list)
    exit_code: int = 0
    seconds: float = 0.0
    new_files: list[str] = field(default_factory=list)
    #: dbt built every node (``build_scope``: new code or settings, no record of a complete build, ...)
    built_everything: bool = False

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


def _sha256(path: Path) -> str:
    from salespulse.extracts import file_sha256

    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        _digests[key] = file_sha256(path)
    return _digests[key]


def landed_files(target: str | None, environ: Mapping[str, str]) -> dict[tuple[str, str], str]:
    """(raw table, file) -> SHA-256 of every file the *published* warehouse has landed, read-only.

    DuckDB: the build the link names, opened read-only and closed at once (a cycle must never hold
    the build that becomes the standby). Nothing published yet: nothing landed.
    """
    from salespulse.handover import current, published_path
    from salespulse.loader import LOAD_LOG, RAW_SCHEMA

    sql = f"select entity, source_file, sha256 from {RAW_SCHEMA}.{LOAD_LOG}"
    published = published_path(target, environ)
    if published is not None:
        import duckdb

        if not published.exists():
            return {}
        con = duckdb.connect(
            str(current(published)), read_only=True, config={"autoinstall_known_extensions": False}
        )
        try:
            if not con.execute(
                "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
                [RAW_SCHEMA, LOAD_LOG],
            ).fetchall():
                return {}
            rows = con.execute(sql).fetchall()
        finally:
            con.close()
    else:
        from salespulse.warehouse import connect

        with connect(target, environ) as warehouse:
            if not warehouse.table_columns(RAW_SCHEMA, LOAD_LOG):
                return {}
            rows = warehouse.query(sql)
    return {(entity, source_file): sha for entity, source_file, sha in rows}


def new_files(folder: Path, budget_files: Sequence[Path], landed: Mapping[tuple[str, str], str]) -> list[str]:
    """What a load of ``folder`` would change in a warehouse that has ``landed``: new or changed
    files, snapshot files no longer delivered, and problems (a cycle must run to report them)."""
    from salespulse.extracts import discover
    from salespulse.loader import BUDGET_TABLE

    delivered, problems = discover(folder)
    wanted = {(name, item.relpath): item.path for name, items in delivered.items() for item in items}
    wanted |= {(BUDGET_TABLE, path.name): path for path in budget_files if path.is_file()}
    found = [f"problem: {problem}" for problem in problems]
    found += [f"missing budget workbook {path}" for path in budget_files if not path.is_file()]
    found += [
        name for (table, name), path in sorted(wanted.items()) if landed.get((table, name)) != _sha256(path)
    ]
    for table, name in sorted(landed):
        entity = ENTITY_BY_NAME.get(table)
        snapshot = table == BUDGET_TABLE or (entity is not None and entity.mode == "snapshot")
        if snapshot and (table, name) not in wanted:
            found.append(f"{name} (no longer delivered)")
    return found


def replay_key(folder: Path, budget_files: Sequence[Path]) -> str:
    """What makes two cycles the same replayable work (``salespulse.handover``): the folder and the
    workbooks they land."""
    return json.dumps(
        {
            "cycle": "refresh",
            "data_dir": str(folder.resolve()),
            "budget": [str(p.resolve()) for p in budget_files],
        }
    )


def standby_missing(target: str | None, folder: Path, budget_files: Sequence[Path]) -> bool:
    """Whether the next cycle would copy the whole published warehouse: DuckDB, a build published,
    and no standby for this folder's cycles (``salespulse.handover``). PostgreSQL builds in place."""
    from salespulse.handover import published_path, standby_ready

    published = published_path(target)
    return (
        published is not None
        and published.exists()
        and not standby_ready(published, replay_key(folder, budget_files))
    )


def run_cycle(
    target: str | None,
    folder: Path,
    budget_files: Sequence[Path],
    *,
    quality: bool = False,
    force: bool = False,
    capture: bool = False,
    full_build: bool = False,
) -> Cycle:
    """Run one cycle (see the module docstring); ``capture`` keeps dbt's output out of the terminal
    (a failure's report quotes its end); ``full_build`` builds every node whatever was delivered.
    Raises ``salespulse.dbt.DbtInterrupted`` when asked to stop while dbt runs (dbt has exited;
    nothing was published)."""
    from salespulse import build_scope
    from salespulse.build_outcome import failed_nodes, failure_report, run_results_path
    from salespulse.dbt import dbt_env, run_dbt
    from salespulse.errors import ContractError
    from salespulse.handover import published_path, run_staged
    from salespulse.loader import load
    from salespulse.warehouse import connect

    started = time.monotonic()
    environ = dict(os.environ)
    pending = new_files(folder, budget_files, landed_files(target, environ))
    if not pending and not force:
        return Cycle(NOTHING_NEW, [f"nothing new in {folder}: nothing built, nothing published"])
    staged = published_path(target, environ) is not None
    kept = "Nothing was published: the dashboards keep showing the previous build."

    def work(env: dict[str, str]) -> Cycle:
        writer_env = {**environ, **env}
        try:
            with connect(target, writer_env) as warehouse:
                report = load(folder, warehouse, budget_files=list(budget_files))
        except ContractError as exc:
            return Cycle(LOAD_REFUSED, [f"load refused: {exc}", *([kept] if staged else [])], exit_code=2)
        landed = [
            f"{f.source_file} ({f.rows:,} rows, {f.action})" for f in report.files if f.action != "unchanged"
        ]
        lines = [f"landed {len(landed)} file(s)" + (": " + ", ".join(landed[:10]) if landed else "")]
        if len(landed) > 10:
            lines.append(f"  ... and {len(landed) - 10} more")
        with connect(target, writer_env) as warehouse:
            scope = build_scope.plan(warehouse, dbt_env(env), build_scope.project_sources(), full=full_build)
        lines.append(scope.why)
        if scope.select == ():
            return Cycle(PUBLISHED, lines)
        built = run_dbt(
            scope.args,
            target=target,
            env=env,
            check=False,
            capture=capture,
            covers_changes=scope.select is not None,
            fingerprint=scope.fingerprint,
        )
        if built.returncode:
            tail = _ANSI.sub("", built.stdout or "").strip().splitlines()[-15:] if capture else []
            report_text = failure_report(failed_nodes(run_results_path(writer_env)), staged=staged)
            return Cycle(BUILD_FAILED, [*lines, *tail, report_text], exit_code=built.returncode)
        lines.append("dbt build passed")
        if quality:
            from salespulse.quality import main_summary

            out = io.StringIO()
            if main_summary(target, environ=writer_env, out=out):
                after = kept if staged else "In place (PostgreSQL): the marts are rebuilt already."
                return Cycle(QUALITY_FAILED, [*lines, out.getvalue().rstrip(), after], exit_code=1)
            lines.append("quality suite passed")
        return Cycle(PUBLISHED, lines, built_everything=scope.select is None)

    cycle = run_staged(
        target,
        work,
        succeeded=lambda done: not done.failed,
        replay=replay_key(folder, budget_files),
        offer_standby=lambda done: not done.built_everything,
    )
    cycle.new_files = pending
    cycle.seconds = time.monotonic() - started
    return cycle
