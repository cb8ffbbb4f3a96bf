"""The web app's own database (SQLite): sign-in accounts, saved views and the session secret.

It holds nothing from the warehouse: a user's role and scope are resolved from
``reporting.sales_reps`` on every request (``salespulse.web.resolve_scope``); this file only knows
who may sign in (an e-mail and an Argon2 password hash) and what each user saved.

Setting: ``SALESPULSE_APP_DB`` (default ``.warehouse/app.sqlite``). ``python -m
salespulse.web.appdb set-password EMAIL`` creates or resets one account.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sqlite3
import sys
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
"""

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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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

    def create_users(self, emails: Sequence[str], password: str) -> list[str]:
        """Accounts for the ``emails`` that have none yet (existing passwords are kept)."""
        created = []
        for email in emails:
            if email and not self.has_user(email):
                self.set_password(email, password)
                created.append(email)
        return created

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
    from salespulse.web.filters import JOB_TITLE_ROLES

    rows = reader.query(
        "select email, job_title from reporting.sales_reps where email is not null order by email"
    )
    return [email for email, title in rows if title in JOB_TITLE_ROLES]


def create_demo_users(db: AppDB, reader: Any, password: str = DEMO_PASSWORD) -> list[str]:
    """An account with the demo password for every person of ``reporting.sales_reps`` lacking one."""
    return db.create_users(demo_emails(reader), password)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m salespulse.web.appdb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    setpw = commands.add_parser("set-password", help="Create an account or reset its password.")
    setpw.add_argument("email")
    commands.add_parser("demo-users", help="Accounts (password 'demo') for everyone in reporting.sales_reps.")
    args = parser.parse_args(argv)
    db = AppDB(app_db_path())
    if args.command == "set-password":
        password = getpass.getpass(f"password for {args.email}: ")
        if password != getpass.getpass("again: "):
            print("the passwords differ", file=sys.stderr)
            return 1
        db.set_password(args.email, password)
        print(f"{args.email}: password set in {db.path}")
        return 0
    from salespulse.web.readers import open_reader

    created = create_demo_users(db, open_reader())
    print(f"{len(created)} demo account(s) created in {db.path} (password {DEMO_PASSWORD!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
