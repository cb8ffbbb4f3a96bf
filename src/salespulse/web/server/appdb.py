"""The web app's own database (SQLite): sign-in accounts, sessions, sign-in throttling, the audit
log, saved views and the session secret.

It holds nothing from the warehouse: a user's role and scope are resolved from
``reporting.sales_reps`` on every request (``salespulse.web.resolve_scope``); this file only knows
who may sign in (an e-mail and an Argon2 password hash), who is signed in (a row per session, so
that signing out or revoking ends it on the server, whatever cookie a browser kept), who failed
to sign in lately (``salespulse.web.server.throttle``), what happened
(``salespulse.web.server.audit``) and what each user saved. Times of sessions and throttling are
seconds since the epoch from the app's clock
(``salespulse.web.server.security.Clock``), so tests move time instead of waiting.

Setting: ``SALESPULSE_APP_DB`` (default ``.warehouse/app.sqlite``). ``salespulse users
set-password EMAIL`` creates or resets one account (``salespulse users --help``: the others).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from salespulse.settings import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / ".warehouse" / "app.sqlite"
#: The one password of every demo account (README, "The web dashboard").
DEMO_PASSWORD = "demo"
VIEW_NAME_MAX = 80

_SCHEMA = """
create table if not exists users (
    email text primary key collate nocase,
    password_hash text not null,
    created_at text not null
);
create table if not exists saved_views (
    id text primary key,
    owner text not null collate nocase,
    name text not null,
    page text not null,
    state text not null,
    shared integer not null default 0,
    created_at text not null
);
create index if not exists saved_views_owner on saved_views (owner);
create table if not exists settings (
    key text primary key,
    value text not null
);
create table if not exists sessions (
    token_hash text primary key,  -- sha256 of the cookie's token: a copy of this file signs no one in
    email text not null collate nocase,
    created_at real not null,
    last_seen_at real not null,
    address text not null default '',
    user_agent text not null default ''
);
create index if not exists sessions_email on sessions (email);
create table if not exists login_throttle (
    kind text not null,  -- 'account' or 'address'
    key text not null,
    failures integer not null,
    window_start real not null,
    locked_until real not null default 0,
    primary key (kind, key)
);
create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,
    event text not null,
    email text not null default '',
    address text not null default '',
    detail text not null default '{}'
);
create index if not exists audit_log_email on audit_log (email, id);
"""

#: A session's last request is written at most this often (not at every callback); the idle
#: time-out is therefore exact to within this many seconds.
TOUCH_EVERY = 60.0

_hasher = PasswordHasher()


def app_db_path(environ: dict[str, str] | None = None) -> Path:
    """``SALESPULSE_APP_DB`` (relative paths from the project root), or the default."""
    value = (environ if environ is not None else os.environ).get("SALESPULSE_APP_DB")
    if not value:
        return DEFAULT_PATH
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class SavedView:
    id: str
    owner: str
    name: str
    page: str
    state: dict[str, Any]
    shared: bool
    created_at: str


@dataclass(frozen=True)
class SessionInfo:
    email: str
    created_at: float
    last_seen_at: float
    address: str
    user_agent: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    event: str
    email: str
    address: str
    detail: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso_time(seconds: float) -> str:
    """Seconds since the epoch as an ISO 8601 UTC time (the audit log's ``at``)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AppDB:
    """One SQLite file; a short connection per call, so any thread may use it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=10)
        try:
            con.execute("pragma journal_mode = wal")
            with con:  # one transaction, committed on success
                yield con
        finally:
            con.close()

    # ------------------------------------------------------------------ accounts

    def set_password(self, email: str, password: str) -> None:
        """Create the account of ``email`` or replace its password."""
        address = email.strip()
        if not address or not password:
            raise ValueError("an account needs an e-mail and a password")
        hashed = _hasher.hash(password)
        with self._connect() as con:
            con.execute(
                "insert into users (email, password_hash, created_at) values (?, ?, ?) "
                "on conflict (email) do update set password_hash = excluded.password_hash",
                (address, hashed, _now()),
            )

    def has_user(self, email: str) -> bool:
        with self._connect() as con:
            row = con.execute("select 1 from users where email = ?", (email.strip(),)).fetchone()
        return row is not None

    def user_email(self, email: str) -> str | None:
        """The account's e-mail as stored, or ``None`` when there is no such account."""
        with self._connect() as con:
            row = con.execute("select email from users where email = ?", (email.strip(),)).fetchone()
        return row[0] if row else None

    def verify(self, email: str, password: str) -> str | None:
        """The account's e-mail when ``password`` is right, else ``None`` (same time either way)."""
        with self._connect() as con:
            row = con.execute(
                "select email, password_hash from users where email = ?", ((email or "").strip(),)
            ).fetchone()
        stored = row[1] if row else _DUMMY_HASH
        try:
            _hasher.verify(stored, password or "")
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):
            self.set_password(row[0], password)
        return row[0]

    def delete_user(self, email: str) -> bool:
        """Delete an account and end its sessions (its saved views stay); ``False``: no such account."""
        with self._connect() as con:
            con.execute("delete from sessions where email = ?", (email.strip(),))
            cursor = con.execute("delete from users where email = ?", (email.strip(),))
        return cursor.rowcount == 1

    def create_users(self, emails: Sequence[str], password: str) -> list[str]:
        """Accounts for the ``emails`` that have none yet (existing passwords are kept)."""
        created = []
        for email in emails:
            if email and not self.has_user(email):
                self.set_password(email, password)
                created.append(email)
        return created

    # ------------------------------------------------------------------ sessions

    def create_session(
        self, email: str, now: float, *, address: str = "", user_agent: str = "", idle: float, absolute: float
    ) -> str:
        """A new session of ``email``: the token its cookie carries (only its hash is stored).

        Sessions past either time-out whose cookie never came back are deleted on the way.
        """
        token = secrets.token_urlsafe(32)
        with self._connect() as con:
            con.execute(
                "delete from sessions where last_seen_at < ? or created_at < ?", (now - idle, now - absolute)
            )
            con.execute(
                "insert into sessions (token_hash, email, created_at, last_seen_at, address, user_agent) "
                "values (?, ?, ?, ?, ?, ?)",
                (_token_hash(token), email, now, now, address[:64], user_agent[:300]),
            )
        return token

    def resume_session(
        self, token: str, now: float, *, idle: float, absolute: float
    ) -> tuple[SessionInfo | None, str]:
        """The session of ``token`` at ``now``: ``(info, "")`` while it lives (its last request is
        noted), ``(info, "idle" | "absolute")`` when it has just timed out (it is deleted), and
        ``(None, "unknown")`` for a token that was never issued, signed out, revoked or whose account
        is gone."""
        key = _token_hash(token)
        with self._connect() as con:
            row = con.execute(
                "select s.email, s.created_at, s.last_seen_at, s.address, s.user_agent from sessions s "
                "join users u on u.email = s.email where s.token_hash = ?",
                (key,),
            ).fetchone()
            if row is None:
                return None, "unknown"
            info = SessionInfo(*row)
            ended = (
                "absolute"
                if now - info.created_at > absolute
                else "idle"
                if now - info.last_seen_at > idle
                else ""
            )
            if ended:
                con.execute("delete from sessions where token_hash = ?", (key,))
            elif now - info.last_seen_at >= TOUCH_EVERY:
                con.execute("update sessions set last_seen_at = ? where token_hash = ?", (now, key))
        return info, ended

    def end_session(self, token: str) -> str | None:
        """End one session (signing out); the e-mail it belonged to, or ``None`` if it had ended."""
        key = _token_hash(token)
        with self._connect() as con:
            row = con.execute("delete from sessions where token_hash = ? returning email", (key,)).fetchone()
        return row[0] if row else None

    def end_sessions(self, email: str) -> int:
        """End every session of ``email`` (revocation); how many there were."""
        with self._connect() as con:
            cursor = con.execute("delete from sessions where email = ?", (email.strip(),))
        return cursor.rowcount

    def sessions(self, email: str | None = None) -> list[SessionInfo]:
        """The sessions not ended yet (of ``email``, or of everyone), oldest first. Some may have timed
        out already: a session is known to have timed out when its cookie comes back."""
        sql = "select email, created_at, last_seen_at, address, user_agent from sessions"
        with self._connect() as con:
            if email is None:
                rows = con.execute(sql + " order by created_at").fetchall()
            else:
                rows = con.execute(sql + " where email = ? order by created_at", (email.strip(),)).fetchall()
        return [SessionInfo(*row) for row in rows]

    # ------------------------------------------------------------------ sign-in throttling

    def locked_until(self, keys: Sequence[tuple[str, str]], now: float) -> float:
        """The latest end of a lockout in force on any ``(kind, key)``; 0 when none is."""
        if not keys:
            return 0.0
        where = " or ".join("(kind = ? and key = ?)" for _ in keys)
        params = [part for pair in keys for part in pair]
        with self._connect() as con:
            row = con.execute(
                f"select max(locked_until) from login_throttle where locked_until > ? and ({where})",
                (now, *params),
            ).fetchone()
        return float(row[0] or 0.0)

    def note_failure(
        self, kind: str, key: str, now: float, *, limit: int, window: float, lockout: float
    ) -> bool:
        """Count a failed sign-in against ``(kind, key)``; ``True`` when it starts a lockout (the
        ``limit``-th failure within ``window`` seconds). Stale counters are deleted on the way."""
        with self._connect() as con:
            con.execute(
                "delete from login_throttle where window_start < ? and locked_until < ?", (now - window, now)
            )
            row = con.execute(
                "select failures, window_start from login_throttle where kind = ? and key = ?", (kind, key)
            ).fetchone()
            failures = 1 if row is None or row[1] < now - window else row[0] + 1
            start = now if row is None or failures == 1 else row[1]
            locked = failures >= limit
            con.execute(
                "insert into login_throttle (kind, key, failures, window_start, locked_until) "
                "values (?, ?, ?, ?, ?) on conflict (kind, key) do update set failures = excluded.failures, "
                "window_start = excluded.window_start, "
                "locked_until = max(login_throttle.locked_until, excluded.locked_until)",
                (
                    kind,
                    key,
                    0 if locked else failures,
                    now if locked else start,
                    now + lockout if locked else 0,
                ),
            )
        return locked

    def clear_failures(self, kind: str, key: str) -> None:
        with self._connect() as con:
            con.execute("delete from login_throttle where kind = ? and key = ?", (kind, key))

    def unlock(self, key: str) -> int:
        """Lift the lockout and forget the failures of an e-mail or address; how many were kept."""
        with self._connect() as con:
            cursor = con.execute("delete from login_throttle where key = ?", (key.strip().lower(),))
        return cursor.rowcount

    def lockouts(self, now: float) -> list[tuple[str, str, float]]:
        """``(kind, key, locked until)`` of every lockout in force."""
        with self._connect() as con:
            rows = con.execute(
                "select kind, key, locked_until from login_throttle where locked_until > ? order by 3",
                (now,),
            ).fetchall()
        return [(kind, key, float(until)) for kind, key, until in rows]

    # ------------------------------------------------------------------ audit log

    def audit(self, at: str, event: str, email: str, address: str, detail: dict[str, Any]) -> None:
        with self._connect() as con:
            con.execute(
                "insert into audit_log (at, event, email, address, detail) values (?, ?, ?, ?, ?)",
                (at, event, email[:254], address[:64], json.dumps(detail, sort_keys=True, default=str)),
            )

    def audit_entries(
        self, *, email: str | None = None, event: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The newest ``limit`` entries (of ``email`` / of one ``event`` when given), oldest first."""
        where, params = [], []
        if email is not None:
            where.append("email = ? collate nocase")
            params.append(email.strip())
        if event is not None:
            where.append("event = ?")
            params.append(event)
        sql = "select id, at, event, email, address, detail from audit_log"
        if where:
            sql += " where " + " and ".join(where)
        with self._connect() as con:
            rows = con.execute(sql + " order by id desc limit ?", (*params, int(limit))).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in reversed(rows)]

    # ------------------------------------------------------------------ saved views

    def save_view(self, owner: str, name: str, page: str, state: dict[str, Any], shared: bool) -> SavedView:
        title = " ".join((name or "").split())[:VIEW_NAME_MAX]
        if not title:
            raise ValueError("a saved view needs a name")
        view = SavedView(secrets.token_urlsafe(9), owner, title, page, dict(state), bool(shared), _now())
        with self._connect() as con:
            con.execute(
                "insert into saved_views (id, owner, name, page, state, shared, created_at) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                (
                    view.id,
                    owner,
                    title,
                    page,
                    json.dumps(state, sort_keys=True),
                    int(shared),
                    view.created_at,
                ),
            )
        return view

    def get_view(self, view_id: str) -> SavedView | None:
        with self._connect() as con:
            row = con.execute(
                "select id, owner, name, page, state, shared, created_at from saved_views where id = ?",
                (str(view_id),),
            ).fetchone()
        return _view(row) if row else None

    def views_of(self, owner: str) -> list[SavedView]:
        with self._connect() as con:
            rows = con.execute(
                "select id, owner, name, page, state, shared, created_at from saved_views "
                "where owner = ? order by name, created_at",
                (owner,),
            ).fetchall()
        return [_view(row) for row in rows]

    def delete_view(self, owner: str, view_id: str) -> bool:
        """Delete a view of ``owner``; ``False`` when they have none with that id."""
        with self._connect() as con:
            cursor = con.execute("delete from saved_views where id = ? and owner = ?", (view_id, owner))
        return cursor.rowcount == 1

    # ------------------------------------------------------------------ settings

    def secret_key(self) -> str:
        """The session-signing key: made once, kept in this file (sessions survive restarts)."""
        with self._connect() as con:
            con.execute(
                "insert into settings (key, value) values ('secret_key', ?) on conflict (key) do nothing",
                (secrets.token_urlsafe(48),),
            )
            return con.execute("select value from settings where key = 'secret_key'").fetchone()[0]


def _view(row: Sequence[Any]) -> SavedView:
    return SavedView(row[0], row[1], row[2], row[3], json.loads(row[4]), bool(row[5]), row[6])


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def demo_emails(reader: Any) -> list[str]:
    """The e-mail of every sales rep, regional manager and VP in ``reporting.sales_reps``."""
    from salespulse.web.query.filters import JOB_TITLE_ROLES

    rows = reader.query(
        "select email, job_title from reporting.sales_reps where email is not null order by email"
    )
    return [email for email, title in rows if title in JOB_TITLE_ROLES]


def create_demo_users(db: AppDB, reader: Any, password: str = DEMO_PASSWORD) -> list[str]:
    """An account with the demo password for every person of ``reporting.sales_reps`` lacking one."""
    return db.create_users(demo_emails(reader), password)
