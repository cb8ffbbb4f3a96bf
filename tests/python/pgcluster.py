"""A throw-away PostgreSQL cluster for tests and benchmarks.

Test tooling, not part of the ``salespulse`` package: nothing run by users needs it. pytest finds
it on ``pythonpath`` (``from pgcluster import ThrowawayCluster``); ``scripts/bench.py`` puts this
folder on ``sys.path``; a shell runs the file itself.

Each cluster lives in a fresh temporary directory (data directory, unix socket directory
and server log), listens only on 127.0.0.1 on a free TCP port, and requires a password
(scram-sha-256) for a superuser created by ``initdb``. Server settings trade durability
for speed (``fsync=off`` etc.): never keep data you care about in it.

In Python::

    with ThrowawayCluster() as pg:
        subprocess.run(["dbt", "build"], env={**os.environ, **pg.env}, check=True)

From a shell (the server outlives the ``start`` command)::

    eval "$(python tests/python/pgcluster.py start --state-file .pg/state.json)"
    ...
    python tests/python/pgcluster.py stop --state-file .pg/state.json

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system
user (``runuser``); otherwise it runs as the current user. The binaries come from
``$SALESPULSE_PG_BINDIR``, ``pg_config --bindir`` or the newest ``/usr/lib/postgresql/*/bin``
(``scripts/install-system-deps.sh`` installs them on Debian).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

HOST = "127.0.0.1"
DEFAULT_USER = "salespulse"
DEFAULT_DATABASE = "salespulse"
#: The system user that runs the server when we are root.
SERVER_SYSTEM_USER = "postgres"
#: Environment variable naming a directory with initdb/pg_ctl, to override the search.
BINDIR_ENV = "SALESPULSE_PG_BINDIR"
#: This file as a shell runs it from the project root (its messages name it so).
COMMAND = "tests/python/pgcluster.py"

#: Fast, test-friendly server settings. Not crash-safe. Override with ``settings=``.
FAST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "256MB",
    "max_connections": "50",
    "max_wal_size": "1GB",
    "timezone": "UTC",
    "log_timezone": "UTC",
}

SettingValue = str | int | float | bool

_PORT_ATTEMPTS = 5
_LOG_TAIL_LINES = 40
_STOP_TIMEOUT = 60


class ClusterError(RuntimeError):
    """The throw-away cluster could not be set up, started or stopped."""


# --------------------------------------------------------------------------- helpers


def find_bindir() -> Path:
    """The directory holding the server binaries (initdb, pg_ctl, postgres)."""
    override = os.environ.get(BINDIR_ENV)
    if override:
        if _has_server_binaries(Path(override)):
            return Path(override)
        raise ClusterError(f"{BINDIR_ENV}={override} does not contain initdb and pg_ctl")
    from_pg_config = _pg_config_bindir()
    if from_pg_config is not None and _has_server_binaries(from_pg_config):
        return from_pg_config
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True):
        if _has_server_binaries(candidate):
            return candidate
    raise ClusterError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/install-system-deps.sh "
        f"(Debian package 'postgresql') or point {BINDIR_ENV} at their directory"
    )


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    output = result.stdout.strip()
    return Path(output) if result.returncode == 0 and output else None


def _has_server_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl"))


def _version_key(bindir: Path) -> tuple[int, ...]:
    """``/usr/lib/postgresql/15/bin`` -> ``(15,)``; ``9.6`` -> ``(9, 6)``."""
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (it may be taken before we use it: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The system user to run the server as, or None for the current user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_SYSTEM_USER)
    except KeyError:
        raise ClusterError(
            f"running as root, but there is no {SERVER_SYSTEM_USER!r} system user to run PostgreSQL as "
            "(PostgreSQL refuses to run as root): install the 'postgresql' package "
            "(scripts/install-system-deps.sh)"
        ) from None
    return SERVER_SYSTEM_USER


def _command_prefix(run_as: str | None) -> list[str]:
    if run_as is None:
        return []
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", run_as, "--"]


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for item in [path, *path.rglob("*")]:
        os.chown(item, entry.pw_uid, entry.pw_gid)


def _conf_value(value: SettingValue) -> str:
    """A postgresql.conf value, always single-quoted (valid for every setting type)."""
    text = ("on" if value else "off") if isinstance(value, bool) else str(value)
    return "'" + text.replace("'", "''") + "'"


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _tail(path: Path, lines: int = _LOG_TAIL_LINES, offset: int = 0) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", errors="replace")
    except OSError as exc:
        return f"(no server log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------- the cluster

_LIVE: set[ThrowawayCluster] = set()


def _stop_all_live() -> None:
    """atexit safety net: stop the clusters this process started and did not stop."""
    for cluster in list(_LIVE):
        if cluster._owner_pid == os.getpid():
            with contextlib.suppress(Exception):
                cluster.stop()


atexit.register(_stop_all_live)


class ThrowawayCluster:
    """A disposable PostgreSQL server; ``start()`` / ``stop()`` or use it as a context manager."""

    def __init__(
        self,
        *,
        user: str = DEFAULT_USER,
        password: str | None = None,
        database: str = DEFAULT_DATABASE,
        bindir: str | Path | None = None,
        base_dir: str | Path | None = None,
        settings: Mapping[str, SettingValue] | None = None,
        start_timeout: int = 60,
    ) -> None:
        self.user = user
        self.password = password or secrets.token_urlsafe(24)
        self.database = database
        self.bindir: Path | None = Path(bindir) if bindir else None
        self.base_dir = Path(base_dir) if base_dir else None
        self.settings: dict[str, str] = {
            **{name: _conf_value(value) for name, value in FAST_SETTINGS.items()},
            **{name: _conf_value(value) for name, value in (settings or {}).items()},
        }
        self.start_timeout = start_timeout
        #: The temporary directory; None when not started (or stopped).
        self.directory: Path | None = None
        self.port: int | None = None
        self.run_as: str | None = None
        self._owner_pid: int | None = None

    # ----------------------------------------------------------------- paths and state

    @property
    def data_dir(self) -> Path:
        return self._require_directory() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._require_directory() / "socket"

    @property
    def log_file(self) -> Path:
        return self._require_directory() / "server.log"

    @property
    def pid(self) -> int | None:
        """The postmaster's process id from ``postmaster.pid`` (may be stale: see `running`); else None."""
        if self.directory is None:
            return None
        try:
            first_line = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
        except OSError:
            return None
        return int(first_line) if first_line.strip().isdigit() else None

    @property
    def running(self) -> bool:
        pid = self.pid
        return pid is not None and _alive(pid)

    def _require_directory(self) -> Path:
        if self.directory is None:
            raise ClusterError("the cluster is not started")
        return self.directory

    def _require_port(self) -> int:
        if self.port is None:
            raise ClusterError("the cluster is not started")
        return self.port

    # ----------------------------------------------------------------- client connection

    @property
    def env(self) -> dict[str, str]:
        """The standard libpq environment variables that point a client at this cluster."""
        return {
            "PGHOST": HOST,
            "PGPORT": str(self._require_port()),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
        }

    @property
    def dsn(self) -> str:
        """A libpq ``key=value`` connection string (includes the password)."""
        return self._conninfo(self.database)

    conninfo = dsn

    @property
    def url(self) -> str:
        """A ``postgresql://`` URL (SQLAlchemy: replace the scheme with ``postgresql+psycopg``)."""
        credentials = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"postgresql://{credentials}@{HOST}:{self._require_port()}/{quote(self.database, safe='')}"

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        """A new psycopg connection to the cluster's database."""
        return psycopg.connect(self.dsn, **kwargs)

    def _conninfo(self, dbname: str) -> str:
        return make_conninfo(
            host=HOST, port=self._require_port(), user=self.user, password=self.password, dbname=dbname
        )

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = f"{HOST}:{self.port} in {self.directory}" if self.directory else "not started"
        return f"<ThrowawayCluster {where}>"

    def start(self) -> Self:
        """Create and start the cluster; on failure nothing is left behind."""
        if self.directory is not None:
            raise ClusterError(f"the cluster is already started in {self.directory}")
        self.bindir = self.bindir or find_bindir()
        self.run_as = _server_user()
        self.directory = Path(tempfile.mkdtemp(prefix="salespulse-pg-", dir=self.base_dir))
        self._owner_pid = os.getpid()
        _LIVE.add(self)
        try:
            self._prepare_directory()
            self._initdb()
            self._write_config()
            self._start_server()
            self._create_database()
        except BaseException:
            with contextlib.suppress(Exception):
                self._teardown("immediate")
            raise
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory. Safe to call more than once."""
        self._teardown("fast")

    def detach(self) -> dict[str, Any]:
        """Let the server outlive this process (no atexit stop); returns its state for `from_state`."""
        _LIVE.discard(self)
        return self.state()

    def state(self) -> dict[str, Any]:
        """A JSON-able description of the running cluster (includes the password)."""
        directory = self._require_directory()
        return {
            "pid": self.pid,
            "directory": str(directory),
            "data_dir": str(self.data_dir),
            "log_file": str(self.log_file),
            "host": HOST,
            "port": self._require_port(),
            "user": self.user,
            "password": self.password,
            "database": self.database,
            "bindir": str(self.bindir),
            "run_as": self.run_as,
            "env": self.env,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> ThrowawayCluster:
        """Re-attach to a cluster described by `state()`, e.g. to stop it from another process.

        The attached object does not stop the server when this process exits.
        """
        cluster = cls(
            user=state["user"], password=state["password"], database=state["database"], bindir=state["bindir"]
        )
        cluster.directory = Path(state["directory"])
        cluster.port = int(state["port"])
        cluster.run_as = state.get("run_as")
        return cluster

    # ----------------------------------------------------------------- steps of start()

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """Run a server binary as the server's user, in the cluster directory, output captured."""
        env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
        return subprocess.run(
            [*_command_prefix(self.run_as), *map(str, args)],
            cwd=self._require_directory(),
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )

    def _binary(self, name: str) -> Path:
        assert self.bindir is not None
        return self.bindir / name

    @property
    def _pwfile(self) -> Path:
        return self._require_directory() / "pwfile"

    def _prepare_directory(self) -> None:
        self.socket_dir.mkdir(mode=0o700)
        self._pwfile.touch(mode=0o600)
        self._pwfile.write_text(self.password + "\n")
        if self.run_as is not None:
            _chown_tree(self._require_directory(), self.run_as)

    def _initdb(self) -> None:
        try:
            result = self._run(
                self._binary("initdb"),
                "--pgdata", self.data_dir,
                "--username", self.user,
                "--pwfile", self._pwfile,
                "--auth-host", "scram-sha-256",
                "--auth-local", "scram-sha-256",
                "--encoding", "UTF8",
                "--no-locale",
                "--no-sync",
            )  # fmt: skip
        finally:
            self._pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            hint = (
                f" (the {self.run_as!r} user must be able to reach {self.directory}; try TMPDIR=/tmp)"
                if self.run_as
                else ""
            )
            raise ClusterError(f"initdb failed{hint}:\n{result.stdout}{result.stderr}")

    def _write_config(self) -> None:
        fixed = {
            "listen_addresses": _conf_value(HOST),
            "unix_socket_directories": _conf_value(str(self.socket_dir)),
        }
        lines = [f"{name} = {value}" for name, value in {**self.settings, **fixed}.items()]
        # Appending keeps the file's owner and mode; later lines win in postgresql.conf.
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"\n# salespulse throw-away cluster ({COMMAND})\n" + "\n".join(lines) + "\n")

    def _start_server(self) -> None:
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            port = free_port()
            log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
            result = self._run(
                self._binary("pg_ctl"), "start", "--pgdata", self.data_dir, "--log", self.log_file,
                "--wait", "--timeout", str(self.start_timeout), "-o", f"-p {port}",
            )  # fmt: skip
            if result.returncode == 0:
                self.port = port
                return
            new_log = _tail(self.log_file, offset=log_offset)
            if "Address already in use" in new_log and attempt < _PORT_ATTEMPTS:
                continue  # another process took the port between free_port() and the bind
            raise ClusterError(
                f"PostgreSQL did not start (pg_ctl exit code {result.returncode}):\n"
                f"{result.stdout}{result.stderr}\nlast lines of {self.log_file}:\n{new_log}"
            )

    def _create_database(self) -> None:
        if self.database == "postgres":
            return
        with psycopg.connect(self._conninfo("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))

    # ----------------------------------------------------------------- teardown

    def _teardown(self, mode: str) -> None:
        directory = self.directory
        if directory is None:
            return
        pid = self.pid
        if pid is not None and _alive(pid):
            self._pg_ctl_stop(pid, mode)
        shutil.rmtree(directory, ignore_errors=True)
        self.directory = None
        self.port = None
        _LIVE.discard(self)

    def _pg_ctl_stop(self, pid: int, mode: str) -> None:
        """Stop the postmaster; escalate to an immediate shutdown; raise if it is still alive."""
        output = ""
        for stop_mode in dict.fromkeys((mode, "immediate")):
            result = self._run(
                self._binary("pg_ctl"), "stop", "--pgdata", self.data_dir, "--mode", stop_mode,
                "--wait", "--timeout", str(_STOP_TIMEOUT),
            )  # fmt: skip
            if result.returncode == 0 or not _alive(pid):
                return
            output += result.stdout + result.stderr
        raise ClusterError(
            f"PostgreSQL (pid {pid}) did not stop; its files are left in {self.directory}:\n{output}"
        )


# --------------------------------------------------------------------------- command line


def _exports(env: Mapping[str, str]) -> str:
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in env.items())


def _read_state(path: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ClusterError(f"cannot read state file {path}: {exc}") from exc
    return state


def _write_state(path: Path, state: Mapping[str, Any]) -> None:
    """Write the state file atomically, readable by the owner only (it holds the password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(state, handle, indent=2)
        handle.write("\n")
    partial.replace(path)


def _cmd_start(args: argparse.Namespace) -> int:
    state_file: Path = args.state_file
    if state_file.exists():
        old = ThrowawayCluster.from_state(_read_state(state_file))
        if old.running:
            raise ClusterError(
                f"{state_file} describes a running cluster (pid {old.pid}, port {old.port}); stop it first"
            )
        print(f"pgcluster: {state_file} is stale (its server is gone); replacing it", file=sys.stderr)
        old.stop()
    cluster = ThrowawayCluster(password=args.password).start()
    try:
        _write_state(state_file, cluster.detach())
    except BaseException:
        cluster.stop()
        raise
    print(_exports(cluster.env))
    print(
        f"pgcluster: PostgreSQL on {HOST}:{cluster.port} (pid {cluster.pid}) in {cluster.directory}; "
        f"stop it with: python {COMMAND} stop --state-file {state_file}",
        file=sys.stderr,
    )
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    state_file: Path = args.state_file
    if not state_file.exists():
        print(f"pgcluster: no state file {state_file}; nothing to stop", file=sys.stderr)
        return 0
    ThrowawayCluster.from_state(_read_state(state_file)).stop()
    state_file.unlink()
    print("pgcluster: stopped", file=sys.stderr)
    return 0


def _cmd_env(args: argparse.Namespace) -> int:
    print(_exports(_read_state(args.state_file)["env"]))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python {COMMAND}",
        description="Start or stop a throw-away PostgreSQL cluster (127.0.0.1, random port and password).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start a cluster; print `export PG...=` lines for eval")
    start.add_argument("--password", help="superuser password (default: random)")
    commands.add_parser("stop", help="stop the cluster and remove its files and the state file")
    commands.add_parser("env", help="print the `export PG...=` lines again")
    for command in commands.choices.values():
        command.add_argument(
            "--state-file", type=Path, required=True, help="JSON file describing the cluster"
        )
    args = parser.parse_args(argv)
    handler = {"start": _cmd_start, "stop": _cmd_stop, "env": _cmd_env}[args.command]
    try:
        return handler(args)
    except ClusterError as exc:
        print(f"pgcluster: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
