"""The app's shared services for a request: the warehouse reader, the app database and the cache of
per-scope values, kept on the Flask app (``create_app`` sets them up). Every layer that needs one
(sign-in, exports, the UI's context) reads it here, so none of them imports another for it."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app

from salespulse.web.query.readers import Reader
from salespulse.web.server.appdb import AppDB

EXTENSION = "salespulse"
T = TypeVar("T")


@dataclass
class Services:
    reader: Reader
    db: AppDB
    cache: ScopeCache


class ScopeCache:
    """Per (scope, warehouse build) values. A DuckDB build never changes once published, so a new
    build is a new key and the next request after a rebuild computes afresh; readers without a
    build identity (PostgreSQL) are not cached."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, reader: Reader, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        build = build_identity(reader)
        if build is None:
            return compute()
        full = (build, *key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return self._items[full]
        value = compute()
        with self._lock:
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def build_identity(reader: Reader) -> str | None:
    """The published build a DuckDB reader's next query reads (see ``salespulse.handover``)."""
    published = getattr(reader, "published", None)
    if published is None:
        return None
    return os.path.realpath(published)


def services() -> Services:
    return current_app.extensions[EXTENSION]


def reader() -> Reader:
    return services().reader


def app_db() -> AppDB:
    return services().db
