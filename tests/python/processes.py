"""Processes of a test's warehouse, seen through /proc (Linux): which are alive, which still work on
it, whether its writer lock is free. Deadlines, never measurements: a slow machine only waits longer."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from salespulse.handover import builds_dir


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``seconds`` (a deadline, not a
    measurement: a slow machine only waits longer)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {seconds:.0f} s: {what}")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    """``pid`` runs (a zombie has exited: its files, the lock among them, are closed)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def processes_of(published: Path) -> dict[int, str]:
    """Live processes (pid -> command line) working on ``published``: the build, whose environment
    names it, and its dbt and dbt's helpers, whose environment names a folder of its builds."""
    mark = f"SALESPULSE_DUCKDB_PATH={published}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if any(variable.startswith(mark) for variable in environ) and alive(int(entry.name)):
            found[int(entry.name)] = cmdline
    return found


def lock_is_free(published: Path) -> bool:
    with open(builds_dir(published) / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True  # closing the file releases it
