"""The throw-away PostgreSQL cluster, against a real server (no mocks)."""

from __future__ import annotations

import json
import os
import shlex
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pgcluster import ThrowawayCluster

pytestmark = pytest.mark.postgres

CLI = [sys.executable, str(Path(__file__).with_name("pgcluster.py"))]


@pytest.fixture(scope="module")
def throwaway() -> Iterator[ThrowawayCluster]:
    with ThrowawayCluster() as cluster:
        yield cluster


def _accepts_connections(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect((host, port))
    except OSError:
        return False
    return True


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) with a listening TCP socket on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            next(handle)
            for line in handle:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"


def test_env_holds_the_standard_libpq_variables(throwaway: ThrowawayCluster) -> None:
    assert throwaway.env == {
        "PGHOST": "127.0.0.1",
        "PGPORT": str(throwaway.port),
        "PGUSER": "salespulse",
        "PGPASSWORD": throwaway.password,
        "PGDATABASE": "salespulse",
    }
    assert len(throwaway.password) >= 20
    assert ThrowawayCluster().password != ThrowawayCluster().password


def test_client_reads_and_writes_with_the_env_alone(
    throwaway: ThrowawayCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in throwaway.env.items():
        monkeypatch.setenv(name, value)
    with psycopg.connect("") as conn:
        assert conn.execute("select current_database(), current_user").fetchone() == (
            "salespulse",
            "salespulse",
        )
        conn.execute("create table orders (order_number text primary key, amount numeric(18, 4))")
        conn.execute("insert into orders values ('SO1', 10.5), ('SO2', 2.25)")
    with psycopg.connect(throwaway.dsn) as conn:
        rows = conn.execute("select order_number, amount::text from orders order by 1").fetchall()
    assert rows == [("SO1", "10.5000"), ("SO2", "2.2500")]


def test_server_uses_the_fast_test_settings(throwaway: ThrowawayCluster) -> None:
    names = ["fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "max_connections"]
    with throwaway.connect() as conn:
        values = [conn.execute(f"show {name}").fetchone()[0] for name in names]
    assert values == ["off", "off", "off", "256MB", "50"]
    assert throwaway.log_file.parent == throwaway.directory
    assert throwaway.log_file.stat().st_size > 0


def test_listens_on_127_0_0_1_only(throwaway: ThrowawayCluster) -> None:
    port = throwaway.port
    assert port is not None
    with throwaway.connect() as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)
    assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and nothing on IPv6
    assert _accepts_connections("127.0.0.1", port)
    assert not _accepts_connections("127.0.0.2", port)  # same loopback device, other address
    assert not _accepts_connections("::1", port)


def test_wrong_or_missing_password_is_refused(
    throwaway: ThrowawayCluster, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(make_conninfo(throwaway.dsn, password="wrong"), connect_timeout=10)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(make_conninfo(throwaway.dsn, password=""), connect_timeout=10)


@pytest.mark.skipif(os.geteuid() != 0, reason="only as root does the server run as another user")
def test_as_root_the_server_runs_as_postgres(throwaway: ThrowawayCluster) -> None:
    pid = throwaway.pid
    assert pid is not None
    status = Path(f"/proc/{pid}/status").read_text()
    real_uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    assert int(real_uid) == throwaway.data_dir.stat().st_uid != 0


def test_stop_closes_the_port_and_removes_the_directory() -> None:
    cluster = ThrowawayCluster(password="given secret")
    cluster.start()
    port, directory, pid = cluster.port, cluster.directory, cluster.pid
    assert port is not None and directory is not None and pid is not None
    assert directory.is_dir() and _alive(pid) and _accepts_connections("127.0.0.1", port)
    with psycopg.connect(make_conninfo(cluster.dsn, password="given secret")) as conn:
        assert conn.execute("select 1").fetchone() == (1,)

    cluster.stop()
    assert not _accepts_connections("127.0.0.1", port)
    assert not directory.exists()
    assert not _alive(pid)
    assert cluster.directory is None and not cluster.running
    cluster.stop()  # a second stop is harmless


def _sh(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False)


def test_cli_start_env_stop_round_trip(tmp_path: Path) -> None:
    state_file = tmp_path / "pg" / "state.json"
    state_arg = f"--state-file {shlex.quote(str(state_file))}"
    cli = shlex.join(CLI)
    python = shlex.quote(sys.executable)
    probe = "import psycopg; print(psycopg.connect('').execute('select current_database()').fetchone()[0])"
    try:
        # What a Makefile does: eval the exports, then run a client that only knows PG* variables.
        started = _sh(f'eval "$({cli} start {state_arg})" && {python} -c "{probe}"')
        assert started.returncode == 0, started.stderr
        assert started.stdout.strip() == "salespulse"

        state = json.loads(state_file.read_text())
        assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
        env = state["env"]
        port, directory = int(env["PGPORT"]), Path(state["directory"])
        # The `start` process is gone; the server it started is not.
        assert _alive(state["pid"]) and _accepts_connections("127.0.0.1", port)

        printed = _sh(f"{cli} env {state_arg}")
        assert printed.stdout.splitlines() == [f"export {k}={shlex.quote(v)}" for k, v in env.items()]

        again = _sh(f"{cli} start {state_arg}")
        assert again.returncode == 1 and "stop it first" in again.stderr

        stopped = _sh(f"{cli} stop {state_arg}")
        assert stopped.returncode == 0, stopped.stderr
        assert not state_file.exists()
        assert not directory.exists()
        assert not _accepts_connections("127.0.0.1", port)
        assert not _alive(state["pid"])
        assert _sh(f"{cli} stop {state_arg}").returncode == 0  # nothing left to stop
    finally:
        if state_file.exists():
            _sh(f"{cli} stop {state_arg}")
