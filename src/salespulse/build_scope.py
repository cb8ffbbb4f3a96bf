"""What a refresh cycle builds: only the dbt nodes its delivery can change, or everything.

A plain ``dbt build`` runs every model and every data test whatever was delivered: at 10 M order
lines, hundreds of nodes at ~80 ms of dbt overhead each on 2 cores, and the checks of customer data
although no customer file came. A cycle instead builds the nodes downstream of the raw tables that
changed (``dbt build --select source:*.<table>+``), plus those of the load log (data freshness),
when that gives the tables a full build gives.

It does when every node was last built from the same code and settings and from raw tables that
differ only in the selected ones. The warehouse records that itself, in ``intermediate.last_build``:
after a ``dbt build`` that passed whole (``salespulse.dbt.run_dbt``), one row per raw table the
loader has landed files in -- how many files and the latest ``_loaded_at`` (every landing stamps a
new one; a removed file changes the count) -- with the fingerprint of the build's code and settings
and the as-of date it used. ``run_dbt`` deletes the record before any command that writes models,
so a build that fails or is stopped half-way leaves none.

A cycle compares the raw tables with the record *of the warehouse it writes*. So the landed set is
what changed since that warehouse's last build, however it got there: a DuckDB cycle that starts
from the standby (one cycle behind) lands the previous cycle's files too, and selects their tables
as well; on PostgreSQL a failed cycle leaves no record and the next one builds everything.

A full ``dbt build`` (incremental models still incremental) instead when:

- there is no record (first build, a failed or interrupted build, a dbt command run by hand);
- the fingerprint differs: any file of the dbt project (models, macros, tests, seeds, the project
  file), dbt's version, or a setting dbt reads (every ``env_var`` the project names: history start,
  budget year, currency, ...);
- the as-of date moved (a delivery with a later order date, when ``SALESPULSE_AS_OF`` is not set):
  every relative date hangs off it, in models that read no raw table a delivery changes;
- a changed raw table is not a source of the project, or the caller asks (``--full-refresh``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from salespulse.settings import PROJECT_ROOT
from salespulse.warehouse import Warehouse

#: Where a build's record lives (a dbt schema; no model is named so).
RECORD_SCHEMA = "intermediate"
RECORD_TABLE = "last_build"
RECORD_COLUMNS = "fingerprint, as_of_date, entity, files, last_loaded_at"
#: What shapes every node besides the raw rows: the dbt project's files.
PROJECT_FILES = ("dbt_project.yml", "packages.yml", "dependencies.yml", "selectors.yml")
PROJECT_DIRS = ("models", "macros", "seeds", "data_tests", "snapshots", "dbt_packages")
#: The loader's source that every landing changes (data freshness reads it).
LOAD_LOG_SOURCE = "_load_log"
_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")

#: (raw table) -> (files landed, latest ``_loaded_at``)
RawState = dict[str, tuple[int, datetime]]


@dataclass(frozen=True)
class Scope:
    """What a cycle builds: ``select`` (dbt selectors; ``None``: every node) and why, for the log."""

    select: tuple[str, ...] | None
    why: str

    @property
    def args(self) -> list[str]:
        """``dbt build``'s arguments. A selected build runs no unit tests: they test the models' code
        on fixed rows, and the code is the code of the last complete build, which ran them."""
        if not self.select:
            return ["build"]
        return ["build", "--select", *self.select, "--exclude-resource-type", "unit_test"]


def _project_paths(root: Path) -> list[Path]:
    paths = [root / name for name in PROJECT_FILES if (root / name).is_file()]
    for folder in PROJECT_DIRS:
        if (root / folder).is_dir():
            paths += sorted(
                p for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
    return paths


def fingerprint(environ: Mapping[str, str], root: Path = PROJECT_ROOT) -> str:
    """SHA-256 of what shapes every node besides the raw rows: the project's files, dbt's version and
    the value of every environment variable the project reads (``env_var('...')``)."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    names: set[str] = set()
    for path in _project_paths(root):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root)}\0{len(data)}\0".encode())
        digest.update(data)
        if path.suffix in (".sql", ".yml", ".yaml", ".md"):
            names.update(_ENV_VAR.findall(data.decode("utf-8", errors="replace")))
    for name in sorted(names):
        digest.update(f"{name}={environ.get(name, '')}\0".encode())
    return digest.hexdigest()


def as_of_value(warehouse: Warehouse, environ: Mapping[str, str]) -> str:
    """The as-of date a build of ``warehouse`` settles on, as macros/dates.sql works it out."""
    from salespulse.loader import last_order_date_loaded

    configured = environ.get("SALESPULSE_AS_OF", "").strip()
    if configured:
        return configured
    loaded = last_order_date_loaded(warehouse)
    return loaded.isoformat() if loaded is not None else ""


def raw_state(warehouse: Warehouse) -> RawState:
    """Per raw table the loader has landed files in: how many, and the latest landing."""
    from salespulse.loader import LOAD_LOG, RAW_SCHEMA

    if not warehouse.table_columns(RAW_SCHEMA, LOAD_LOG):
        return {}
    rows = warehouse.query(
        f"select entity, count(*), max(_loaded_at) from {RAW_SCHEMA}.{LOAD_LOG} group by entity"
    )
    return {entity: (int(files), latest) for entity, files, latest in rows}


def forget(warehouse: Warehouse) -> None:
    """Delete the record: a command that writes models is about to run."""
    if warehouse.table_columns(RECORD_SCHEMA, RECORD_TABLE):
        with warehouse.transaction():
            warehouse.execute(f"delete from {RECORD_SCHEMA}.{RECORD_TABLE}")


def remember(warehouse: Warehouse, environ: Mapping[str, str], built_with: str) -> None:
    """Record that every node is built from the raw tables as they are now, with the settings of
    ``environ`` (dbt's environment: see ``salespulse.dbt.dbt_env``) and the code and settings whose
    fingerprint was ``built_with`` when the build started (a file edited during it is not claimed)."""
    state = raw_state(warehouse)
    as_of = as_of_value(warehouse, environ)
    table = f"{RECORD_SCHEMA}.{RECORD_TABLE}"
    types = {"duckdb": "varchar", "postgres": "text"}.get(warehouse.dialect, "varchar")
    with warehouse.transaction():
        warehouse.execute(f"create schema if not exists {RECORD_SCHEMA}")
        warehouse.execute(
            f"create table if not exists {table} (fingerprint {types} not null, as_of_date {types} not null, "
            f"entity {types} not null, files bigint not null, last_loaded_at timestamp not null)"
        )
        warehouse.execute(f"delete from {table}")
        for entity, (files, latest) in sorted(state.items()):
            warehouse.execute(
                f"insert into {table} ({RECORD_COLUMNS}) values (?, ?, ?, ?, ?)",
                [built_with, as_of, entity, files, latest],
            )


def recorded(warehouse: Warehouse) -> tuple[str, str, RawState] | None:
    """The record of the last build: (fingerprint, as-of date, raw state), or ``None``."""
    if not warehouse.table_columns(RECORD_SCHEMA, RECORD_TABLE):
        return None
    rows = warehouse.query(f"select {RECORD_COLUMNS} from {RECORD_SCHEMA}.{RECORD_TABLE}")
    if not rows or len({(r[0], r[1]) for r in rows}) != 1:
        return None
    return rows[0][0], rows[0][1], {r[2]: (int(r[3]), r[4]) for r in rows}


def plan(
    warehouse: Warehouse, environ: Mapping[str, str], sources: Mapping[str, str], *, full: bool = False
) -> Scope:
    """What a cycle builds in ``warehouse`` after its load (see the module docstring).

    ``sources``: raw table -> its dbt source (``erp.order_lines``), from ``project_sources``.
    """
    everything = "full build: "
    if full:
        return Scope(None, everything + "asked for")
    record = recorded(warehouse)
    if record is None:
        return Scope(None, everything + "no record of a complete build in this warehouse")
    fingerprint_then, as_of_then, state_then = record
    if fingerprint_then != fingerprint(environ):
        return Scope(None, everything + "the dbt project, dbt or a setting changed since the last build")
    as_of_now = as_of_value(warehouse, environ)
    if as_of_then != as_of_now:
        return Scope(None, everything + f"the as-of date moved ({as_of_then} -> {as_of_now})")
    state_now = raw_state(warehouse)
    changed = sorted(t for t in state_then.keys() | state_now.keys() if state_then.get(t) != state_now.get(t))
    if not changed:
        return Scope((), "nothing landed since the last build: nothing to build")
    unknown = [t for t in changed if t not in sources]
    if unknown:
        return Scope(None, everything + f"{', '.join(unknown)} changed, which no dbt source reads")
    select = tuple(f"source:{sources[t]}+" for t in [*changed, LOAD_LOG_SOURCE] if t in sources)
    return Scope(select, f"only what {', '.join(changed)} feed(s), and the load log")


def project_sources(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Raw table -> ``source_name.table_name`` of every source the project declares on the raw
    schema (models/**/_*__sources.yml), read from the yml (no dbt parse)."""
    import yaml

    found: dict[str, str] = {}
    for path in sorted((root / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or []:
            for table in source.get("tables") or []:
                identifier = table.get("identifier") or table["name"]
                found[str(identifier)] = f"{source['name']}.{table['name']}"
    return found
