"""Connections to the warehouse targets of ``profiles.yml`` behind one small interface.

The loader writes Arrow tables through ``Warehouse.append`` and runs plain SQL; it never needs to
know which engine is behind it. A new target (Spark, say) is a new subclass here and an output in
``profiles.yml``.
"""

from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import pyarrow as pa
import pyarrow.csv as pv
import yaml

from salespulse.settings import PROJECT_ROOT

PROFILE_NAME = "salespulse"


def profiles_path() -> Path:
    directory = os.environ.get("DBT_PROFILES_DIR")
    return (Path(directory) if directory else PROJECT_ROOT) / "profiles.yml"


def target_config(target: str | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The rendered output ``target`` of the project's dbt profile (``env_var`` resolved as dbt does).

    ``environ`` replaces the process environment for the rendering (default: ``os.environ``).
    """
    variables = os.environ if environ is None else environ

    def env_var(name: str, default: str | None = None) -> str:
        value = variables.get(name, default)
        if value is None:
            raise KeyError(f"environment variable {name} is required by profiles.yml and not set")
        return value

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["env_var"] = env_var
    env.filters["as_number"] = lambda v: int(v) if str(v).isdigit() else float(v)
    text = profiles_path().read_text(encoding="utf-8")
    profile = yaml.safe_load(text)[PROFILE_NAME]
    name = target or env.from_string(str(profile["target"])).render()
    if name not in profile["outputs"]:
        raise KeyError(f"target {name!r} is not in {profiles_path()} (have: {', '.join(profile['outputs'])})")
    rendered = {
        key: env.from_string(value).render() if isinstance(value, str) else value
        for key, value in profile["outputs"][name].items()
    }
    return {"name": name, **rendered}


class Warehouse(ABC):
    """One open connection to a target, with explicit transactions."""

    dialect: str

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None: ...

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def append(self, table: str, data: pa.Table) -> None:
        """Insert the rows of ``data`` into ``table`` (columns matched by name)."""

    @abstractmethod
    def _begin(self) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: readers see the state before or after, never in between."""
        self._begin()
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        self._commit()

    @abstractmethod
    def analyze(self, tables: Sequence[str]) -> None:
        """Refresh planner statistics of ``tables`` after a load."""

    @abstractmethod
    def arrow_batches(
        self, sql: str, schema: pa.Schema, batch_rows: int = 250_000
    ) -> Iterator[pa.RecordBatch]:
        """Stream the result of ``sql`` as Arrow record batches of ``schema`` (columns in order)."""

    def table_columns(self, schema: str, table: str) -> list[str]:
        rows = self.query(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        )
        return [r[0] for r in rows]

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(self, path: Path) -> None:
        import duckdb

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.con = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.con.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params).fetchall()

    def append(self, table: str, data: pa.Table) -> None:
        self.con.register("_salespulse_batch", data)
        try:
            names = ", ".join(f'"{n}"' for n in data.column_names)
            self.con.execute(f"insert into {table} ({names}) select {names} from _salespulse_batch")
        finally:
            self.con.unregister("_salespulse_batch")

    def arrow_batches(
        self, sql: str, schema: pa.Schema, batch_rows: int = 250_000
    ) -> Iterator[pa.RecordBatch]:
        reader = self.con.sql(sql).to_arrow_reader(batch_rows)
        for batch in reader:
            yield pa.RecordBatch.from_arrays(
                [column.cast(field.type) for column, field in zip(batch.columns, schema, strict=True)],
                schema=schema,
            )

    def analyze(self, tables: Sequence[str]) -> None:
        """DuckDB keeps its statistics up to date itself."""
        return

    def _begin(self) -> None:
        self.con.begin()

    def _commit(self) -> None:
        self.con.commit()

    def _rollback(self) -> None:
        self.con.rollback()

    def close(self) -> None:
        self.con.close()


def postgres_connection(config: Mapping[str, Any], application_name: str, **options: Any) -> Any:
    """A psycopg connection to a rendered ``postgres`` target of profiles.yml (``target_config``)."""
    import psycopg

    return psycopg.connect(
        host=config["host"],
        port=int(config["port"]),
        user=config["user"],
        password=config.get("password") or None,
        dbname=config["dbname"],
        connect_timeout=int(config.get("connect_timeout", 10)),
        application_name=application_name,
        **options,
    )


#: The key of the PostgreSQL advisory lock that writers of one warehouse database take in turn
#: (``postgres_writer_lock``); advisory locks are per database, so one constant serves every one.
WRITER_LOCK_KEY = 0x53414C45  # "SALE"


@contextmanager
def postgres_writer_lock(
    config: Mapping[str, Any], waiting: Callable[[int], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse database's writer lock for the block: loads, builds, cycles and forecasts
    take turns, as the DuckDB hand-over's flock makes them do there (a second one waits).

    A session-level advisory lock on a connection of its own: PostgreSQL releases it when that
    connection ends, also when the process holding it is killed (its dbt child dies with it on Linux:
    ``salespulse.dbt``). ``waiting(pid)`` is called, with the holder's server process id, before
    waiting for a lock another writer holds.
    """
    connection = postgres_connection(config, "salespulse-writer", autocommit=True)
    try:
        taken = connection.execute("select pg_try_advisory_lock(%s)", [WRITER_LOCK_KEY]).fetchone()[0]
        if not taken:
            if waiting is not None:
                holder = connection.execute(
                    "select min(pid) from pg_locks where locktype = 'advisory' and granted"
                    " and database = (select oid from pg_database where datname = current_database())"
                    " and classid = 0 and objid = %s and objsubid = 1",
                    [WRITER_LOCK_KEY],
                ).fetchone()[0]
                waiting(holder or 0)
            connection.execute("select pg_advisory_lock(%s)", [WRITER_LOCK_KEY])
        yield
    finally:
        connection.close()  # releases the lock


class PostgresWarehouse(Warehouse):
    dialect = "postgres"

    #: Rows per COPY chunk: bounds memory while streaming large tables.
    COPY_BATCH_ROWS = 200_000

    def __init__(self, config: dict[str, Any]) -> None:
        self.conn = postgres_connection(config, "salespulse-loader")

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), params)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), params)
            return cur.fetchall()

    def append(self, table: str, data: pa.Table) -> None:
        names = ", ".join(f'"{n}"' for n in data.column_names)
        options = pv.WriteOptions(include_header=False, quoting_style="needed")
        with (
            self.conn.cursor() as cur,
            cur.copy(f"copy {table} ({names}) from stdin (format csv)") as copy,
        ):
            for batch in data.to_batches(max_chunksize=self.COPY_BATCH_ROWS):
                buffer = io.BytesIO()
                pv.write_csv(batch, buffer, write_options=options)
                copy.write(buffer.getbuffer())

    def arrow_batches(
        self, sql: str, schema: pa.Schema, batch_rows: int = 250_000
    ) -> Iterator[pa.RecordBatch]:
        # A named (server-side) cursor streams instead of holding the whole result in memory.
        with self.conn.cursor(name="salespulse_arrow_batches") as cur:
            cur.execute(self._sql(sql))
            while rows := cur.fetchmany(batch_rows):
                columns = list(zip(*rows, strict=True))
                yield pa.RecordBatch.from_arrays(
                    [
                        pa.array(values, type=field.type)
                        for values, field in zip(columns, schema, strict=True)
                    ],
                    schema=schema,
                )

    def analyze(self, tables: Sequence[str]) -> None:
        with self.transaction():
            for table in tables:
                self.execute(f"analyze {table}")

    def _begin(self) -> None:
        # psycopg opens a transaction implicitly on the first statement (autocommit is off).
        pass

    def _commit(self) -> None:
        self.conn.commit()

    def _rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


def duckdb_file(config: Mapping[str, Any]) -> Path:
    """The file of a rendered ``duckdb`` target (``target_config``); relative paths from the project root."""
    path = Path(config["path"])
    return path if path.is_absolute() else PROJECT_ROOT / path


def connect(target: str | None = None, environ: Mapping[str, str] | None = None) -> Warehouse:
    """Open the warehouse of a ``profiles.yml`` target (default: the profile's default target)."""
    config = target_config(target, environ)
    kind = config["type"]
    if kind == "duckdb":
        return DuckDBWarehouse(duckdb_file(config))
    if kind == "postgres":
        return PostgresWarehouse(config)
    raise ValueError(f"target {config['name']!r} has type {kind!r}, which the loader does not support")
