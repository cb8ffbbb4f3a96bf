"""Read-only access to the warehouse for the web server: many threads, fresh data, no locks held.

A reader is anything with ``dialect`` and ``query(sql, params) -> rows`` (``?`` placeholders);
``salespulse.warehouse.Warehouse`` fits too. ``open_reader`` picks the one of a ``profiles.yml``
target; ``default_reader`` keeps one per process.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from salespulse import handover

Row = tuple[Any, ...]


class Reader(Protocol):
    dialect: str

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[Row]: ...


@dataclass
class _Handle:
    path: Path
    connection: Any
    in_flight: int = 0
    retired: bool = False


class DuckDBReader:
    """Reads the published DuckDB warehouse (see ``salespulse.handover``), read-only.

    One connection per published build, opened on the first query that sees the build and shared
    by all threads (a cursor per query). A query that starts after a publish runs on the new build;
    queries already running finish on the old one, whose connection is closed when the last of
    them returns. The reader never holds the file a build writes, so it never blocks one.

    An idle web must not hold the build it last read either: the next refresh cycle takes that
    build as its standby (``salespulse.handover``) and has to copy the warehouse while any process
    has it open. So a daemon thread checks the link every ``release_every`` seconds and closes the
    connection of a build that is no longer published once no query uses it.
    """

    dialect = "duckdb"

    def __init__(self, published: Path, release_every: float = 2.0) -> None:
        self.published = published
        self.release_every = release_every
        self._lock = threading.Lock()
        self._handles: dict[Path, _Handle] = {}
        self._current: Path | None = None
        self._stop = threading.Event()
        self._releaser: threading.Thread | None = None

    @property
    def build(self) -> Path | None:
        """The build the last query ran on."""
        return self._current

    def _open(self, path: Path) -> Any:
        import duckdb

        if not path.is_file():
            raise FileNotFoundError(
                f"no DuckDB warehouse at {self.published}: run `salespulse load` and `salespulse build`"
            )
        return duckdb.connect(str(path), read_only=True, config={"autoinstall_known_extensions": False})

    def _acquire(self) -> _Handle:
        with self._lock:
            path = handover.current(self.published)
            if path != self._current:
                try:
                    connection = self._open(path)
                except Exception:  # published and pruned in between: the link names a newer build
                    path = handover.current(self.published)
                    connection = self._open(path)
                for handle in self._handles.values():
                    handle.retired = True
                self._handles[path] = _Handle(path, connection)
                self._current = path
                self._close_idle()
                self._start_releaser()
            handle = self._handles[path]
            handle.in_flight += 1
            return handle

    def _start_releaser(self) -> None:
        if self._releaser is None and self.release_every > 0:
            self._stop.clear()
            self._releaser = threading.Thread(
                target=self._release_loop, name="warehouse-release", daemon=True
            )
            self._releaser.start()

    def _release_loop(self) -> None:
        while not self._stop.wait(self.release_every):
            self.release_stale()

    def release_stale(self) -> None:
        """Retire the connection of a build that is no longer published (closed once idle)."""
        with self._lock:
            if self._current is None or handover.current(self.published) == self._current:
                return
            for handle in self._handles.values():
                handle.retired = True
            self._current = None
            self._close_idle()

    def _close_idle(self) -> None:
        for path, handle in list(self._handles.items()):
            if handle.retired and handle.in_flight == 0:
                handle.connection.close()
                del self._handles[path]

    def _release(self, handle: _Handle) -> None:
        with self._lock:
            handle.in_flight -= 1
            self._close_idle()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[Row]:
        handle = self._acquire()
        try:
            cursor = handle.connection.cursor()
            try:
                return cursor.execute(sql, list(params or [])).fetchall()
            finally:
                cursor.close()
        finally:
            self._release(handle)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            for handle in self._handles.values():
                handle.retired = True
            self._current = None
            self._close_idle()
            self._releaser = None


class PostgresReader:
    """One autocommit, read-only connection per thread: each query sees the latest committed build
    and no transaction is left open that could hold up dbt's relation swaps."""

    dialect = "postgres"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = dict(config)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Any] = []

    def _connect(self) -> Any:
        from salespulse.warehouse import postgres_connection

        connection = postgres_connection(self.config, "salespulse-web", autocommit=True)
        connection.execute("set default_transaction_read_only = on")
        with self._lock:
            self._connections.append(connection)
        return connection

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed:
            connection = self._local.connection = self._connect()
        return connection

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[Row]:
        import psycopg

        text = sql.replace("?", "%s")
        for attempt in (1, 2):
            connection = self._connection()
            try:
                with connection.cursor() as cursor:
                    cursor.execute(text, list(params or []))
                    return cursor.fetchall()
            except psycopg.OperationalError:
                if attempt == 2 or not connection.closed:
                    raise
                self._local.connection = None  # the server dropped it: reconnect once
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()


def open_reader(target: str | None = None, environ: Mapping[str, str] | None = None) -> Reader:
    """A reader for a ``profiles.yml`` target (default: the profile's default target)."""
    from salespulse.warehouse import target_config

    config = target_config(target, environ)
    if config["type"] == "duckdb":
        published = handover.published_path(target, environ)
        assert published is not None
        return DuckDBReader(published)
    if config["type"] == "postgres":
        return PostgresReader(config)
    raise ValueError(f"target {config['name']!r} has type {config['type']!r}, which the web does not read")


@cache
def default_reader(target: str | None = None) -> Reader:
    """The process's reader of ``target`` (``SALESPULSE_TARGET`` by default), opened once."""
    return open_reader(target)
