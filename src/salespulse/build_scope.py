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
- the as-of date moved and the record does not say which models read it (see below);
- a changed raw table is not a source of the project, or the caller asks (``--full-build``).

The as-of date moves when a delivery brings a later order date (``SALESPULSE_AS_OF`` unset): every
relative date hangs off it, also in models that read no raw table a delivery changes (the budget's
elapsed days, the settings, the forecast's horizon). Those are the models whose SQL reaches the
macro that reads it from the load log (``AS_OF_MACRO``), directly or through other macros: the
record keeps their names, taken from the manifest of the build it records (so they belong to the
code it fingerprints), and a cycle that moves the date selects them and what they feed as well.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from salespulse.settings import PROJECT_ROOT
from salespulse.warehouse import Warehouse

#: Where a build's record lives (a dbt schema; no model is named so).
RECORD_SCHEMA = "intermediate"
RECORD_TABLE = "last_build"
RECORD_COLUMNS = "fingerprint, as_of_date, entity, files, last_loaded_at, as_of_models"
#: What shapes every node besides the raw rows: the dbt project's files.
PROJECT_FILES = ("dbt_project.yml", "packages.yml", "dependencies.yml", "selectors.yml")
PROJECT_DIRS = ("models", "macros", "seeds", "data_tests", "snapshots", "dbt_packages")
#: The loader's source that every landing changes (data freshness reads it).
LOAD_LOG_SOURCE = "_load_log"
#: The macro through which every node that depends on the as-of date reads it (macros/dates.sql).
AS_OF_MACRO = "last_order_date_loaded"
_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")

#: (raw table) -> (files landed, latest ``_loaded_at``)
RawState = dict[str, tuple[int, datetime]]


@dataclass(frozen=True)
class Scope:
    """What a cycle builds: ``select`` (dbt selectors; ``None``: every node) and why, for the log."""

    select: tuple[str, ...] | None
    why: str
    #: The fingerprint ``plan`` computed (``None`` when it did not need one): ``run_dbt`` records it.
    fingerprint: str | None = None

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


class Record(NamedTuple):
    """A warehouse's record of its last complete build (see the module docstring)."""

    fingerprint: str
    as_of: str
    state: RawState
    #: The models that read the as-of date (``as_of_models``), or ``None``: not known.
    as_of_models: tuple[str, ...] | None


def remember(
    warehouse: Warehouse, environ: Mapping[str, str], built_with: str, as_of_models: Sequence[str] | None
) -> None:
    """Record that every node is built from the raw tables as they are now, with the settings of
    ``environ`` (dbt's environment: see ``salespulse.dbt.dbt_env``) and the code and settings whose
    fingerprint was ``built_with`` when the build started (a file edited during it is not claimed);
    ``as_of_models``: the models of that code that read the as-of date (``None``: unknown)."""
    state = raw_state(warehouse)
    as_of = as_of_value(warehouse, environ)
    models = " ".join(as_of_models) if as_of_models is not None else None
    table = f"{RECORD_SCHEMA}.{RECORD_TABLE}"
    text = {"duckdb": "varchar", "postgres": "text"}.get(warehouse.dialect, "varchar")
    with warehouse.transaction():
        warehouse.execute(f"create schema if not exists {RECORD_SCHEMA}")
        warehouse.execute(f"drop table if exists {table}")  # also a record of an older layout
        warehouse.execute(
            f"create table {table} (fingerprint {text} not null, as_of_date {text} not null, "
            f"entity {text} not null, files bigint not null, last_loaded_at timestamp not null, "
            f"as_of_models {text})"
        )
        for entity, (files, latest) in sorted(state.items()):
            warehouse.execute(
                f"insert into {table} ({RECORD_COLUMNS}) values (?, ?, ?, ?, ?, ?)",
                [built_with, as_of, entity, files, latest, models],
            )


def recorded(warehouse: Warehouse) -> Record | None:
    """The record of the last build, or ``None`` (none, or one of an older layout)."""
    columns = {c.lower() for c in warehouse.table_columns(RECORD_SCHEMA, RECORD_TABLE)}
    if not columns >= {c.strip() for c in RECORD_COLUMNS.split(",")}:
        return None
    rows = warehouse.query(f"select {RECORD_COLUMNS} from {RECORD_SCHEMA}.{RECORD_TABLE}")
    if not rows or len({(r[0], r[1], r[5]) for r in rows}) != 1:
        return None
    models = rows[0][5]
    return Record(
        rows[0][0],
        rows[0][1],
        {r[2]: (int(r[3]), r[4]) for r in rows},
        tuple(models.split()) if models is not None else None,
    )


def as_of_models(manifest: Path) -> tuple[str, ...] | None:
    """The models whose SQL reaches ``AS_OF_MACRO`` (directly or through other macros), from dbt's
    ``manifest.json``; ``None`` when it cannot be read."""
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
        macros, nodes = document["macros"], document["nodes"]
    except (OSError, ValueError, KeyError):
        return None
    callers: dict[str, set[str]] = {}
    for key, macro in macros.items():
        for called in (macro.get("depends_on") or {}).get("macros", []):
            callers.setdefault(called, set()).add(key)
    # the macros that reach it: it and its callers, their callers, ... (a walk up the call graph)
    reaching = {key for key, macro in macros.items() if macro.get("name") == AS_OF_MACRO}
    todo = list(reaching)
    while todo:
        for caller in callers.get(todo.pop(), ()):
            if caller not in reaching:
                reaching.add(caller)
                todo.append(caller)
    # dbt lists the macros a node called while it was parsed, so not one called only when `execute`
    # is true: its SQL is searched for the names of the macros that reach it as well
    names = sorted({str(macros[key].get("name")) for key in reaching}, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, names))
    called = re.compile(rf"\b(?:{alternatives})\s*\(") if names else None

    def reads_as_of(node: dict[str, Any]) -> bool:
        if reaching.intersection((node.get("depends_on") or {}).get("macros", [])):
            return True
        return called is not None and called.search(str(node.get("raw_code") or "")) is not None

    return tuple(
        sorted(
            str(node["name"])
            for node in nodes.values()
            if node.get("resource_type") in ("model", "seed", "snapshot") and reads_as_of(node)
        )
    )


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
    now = fingerprint(environ)
    if record.fingerprint != now:
        return Scope(None, everything + "the dbt project, dbt or a setting changed since the last build", now)
    as_of_now = as_of_value(warehouse, environ)
    moved = f"the as-of date moved ({record.as_of} -> {as_of_now})" if record.as_of != as_of_now else ""
    if moved and record.as_of_models is None:
        return Scope(None, everything + moved + ", and the record does not name the models that read it", now)
    state_now = raw_state(warehouse)
    changed = sorted(
        t for t in record.state.keys() | state_now.keys() if record.state.get(t) != state_now.get(t)
    )
    if not changed and not moved:
        return Scope((), "nothing landed since the last build: nothing to build", now)
    unknown = [t for t in changed if t not in sources]
    if unknown:
        return Scope(None, everything + f"{', '.join(unknown)} changed, which no dbt source reads", now)
    select = tuple(f"source:{sources[t]}+" for t in [*changed, LOAD_LOG_SOURCE] if t in sources)
    why = f"only what {', '.join(changed)} feed(s), and the load log"
    if moved:
        models = record.as_of_models or ()
        select += tuple(f"{name}+" for name in models)
        why += f"; {moved}: and the {len(models)} models that read it, with what they feed"
    return Scope(select, why, now)


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
