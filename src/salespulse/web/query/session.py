"""One request's access to the warehouse: the reader, plus the lookups that do not change within a
published build (calendar, budget grain, small dimensions, which aggregate views exist).

A page asks for several datasets; they share one ``Session``, so a lookup is read once per request,
never once per dataset. On DuckDB a published build never changes (``salespulse.handover``), so the
lookups are also kept per build across requests: the first request after a publish reads the new
build's. Readers without a build identity (PostgreSQL) keep them for the request only.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from salespulse.web.query.readers import Reader, Row

T = TypeVar("T")

#: Lookups kept per (build, key), least recently used dropped first.
_BUILD_CACHE: OrderedDict[tuple[str, Any], Any] = OrderedDict()
_BUILD_CACHE_SIZE = 256
_LOCK = threading.Lock()


def build_identity(reader: Reader) -> str | None:
    """The published DuckDB build a reader's next query reads, or ``None`` (no build identity)."""
    published = getattr(reader, "published", None)
    if published is None:
        return None
    return os.path.realpath(published)


class Session:
    """A reader plus memoised lookups (``cached``) for one request.

    ``aggregates=False`` reads every order-line measure from ``reporting.sales`` (the reference
    the aggregates are tested against).
    """

    def __init__(self, reader: Reader, *, aggregates: bool = True) -> None:
        self.reader = reader
        self.aggregates = aggregates
        self.dialect = getattr(reader, "dialect", "duckdb")
        self.build = build_identity(reader)
        self._memo: dict[Any, Any] = {}
        self.queries = 0  # statements this session ran (for benchmarks and tests)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[Row]:
        self.queries += 1
        return self.reader.query(sql, params)

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per session, and once per published build where there is one."""
        if key in self._memo:
            return self._memo[key]  # type: ignore[no-any-return]
        if self.build is None:
            value = compute()
        else:
            full = (self.build, key)
            with _LOCK:
                found = full in _BUILD_CACHE
                if found:
                    _BUILD_CACHE.move_to_end(full)
                    value = _BUILD_CACHE[full]
            if not found:
                value = compute()
                with _LOCK:
                    _BUILD_CACHE[full] = value
                    while len(_BUILD_CACHE) > _BUILD_CACHE_SIZE:
                        _BUILD_CACHE.popitem(last=False)
        self._memo[key] = value
        return value


def session_of(reader: Reader | Session | None) -> Session:
    """A session for ``reader`` (the process's default reader when ``None``); a session as is."""
    if isinstance(reader, Session):
        return reader
    if reader is None:
        from salespulse.web.query.readers import default_reader

        reader = default_reader()
    return Session(reader)
