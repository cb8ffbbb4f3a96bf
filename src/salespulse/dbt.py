"""Run dbt for the project with the environment it needs (no tracking, no version check), as a child
that never outlives the command that started it.

Stopping a command that runs dbt (``salespulse build``: SIGTERM from a service manager, SIGINT from
Ctrl+C, SIGHUP from a closed terminal) stops dbt first: dbt runs in a process group of its own, the
signal is forwarded to that group, dbt gets ``STOP_GRACE_SECONDS`` to exit before the group is
SIGKILLed, and only once dbt has exited does ``run_dbt`` raise ``DbtInterrupted``. So a caller that
holds the warehouse's writer lock (``salespulse.handover``) releases it, and discards its build
folder, only when nothing writes there any more. A parent killed with SIGKILL cannot forward
anything: on Linux the kernel then kills dbt too (``PR_SET_PDEATHSIG``); elsewhere dbt may run on
until it finishes, but it inherits the writer lock, so no other build starts (or prunes its folder)
meanwhile.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from salespulse.settings import PROJECT_ROOT, dbt_currency_env

if TYPE_CHECKING:
    from salespulse.warehouse import Warehouse

#: Variables that keep dbt from reaching the internet.
OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    "DO_NOT_TRACK": "1",
}

#: Signals that stop the command running dbt, and are passed on to dbt.
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: Seconds dbt gets to exit after a forwarded signal before its process group is SIGKILLed (dbt
#: cancels its running queries on SIGINT; a second signal to the command SIGKILLs at once).
STOP_GRACE_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class DbtInterrupted(KeyboardInterrupt):
    """The command running dbt received ``signum``; dbt was stopped and has exited.

    A ``KeyboardInterrupt``: code that handles failures (``except Exception``) does not swallow a
    request to stop, and ``salespulse.handover.staged`` discards the build folder and re-raises.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum  # what a shell reports for a process killed by the signal
        super().__init__(f"{signal.Signals(signum).name} received; dbt was stopped and has exited")


def dbt_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """dbt's environment: offline, this project's profiles, and the settings resolved the way the
    rest of the project resolves them (the currency's symbol, which dbt cannot look up itself)."""
    env = {**os.environ, **OFFLINE_ENV, "DBT_PROFILES_DIR": str(PROJECT_ROOT), **(extra or {})}
    return {**env, **dbt_currency_env(env)}


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to SIGKILL the child when its parent dies (Linux only).

    ``prctl`` is looked up here, before the fork: the child only calls it. The kernel sends the
    signal when the *thread* that started the child exits; ``run_dbt`` blocks that thread until dbt
    has exited, so that is when the process dies. Returns ``None`` where ``prctl`` does not exist.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl: no signal will come
            os._exit(1)

    return preexec


class _Stopper:
    """Passes the signals that stop this process on to a child's process group; SIGKILLs the group
    if the child has not exited ``grace`` seconds after the first one, or at a second one."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.signum: int | None = None
        self._process: subprocess.Popen[str] | None = None
        self._timer: threading.Timer | None = None

    @contextlib.contextmanager
    def forwarding(self) -> Iterator[None]:
        """Install the handlers for the block (main thread only: elsewhere Python delivers no signal)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {signum: signal.getsignal(signum) for signum in FORWARDED_SIGNALS}
        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, self._received)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    def attach(self, process: subprocess.Popen[str]) -> None:
        self._process = process
        if self.signum is not None:  # arrived while the child was being started
            self._stop(self.signum)

    def detach(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._process = None

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)

    def _received(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum
            if self._process is not None:
                self._stop(signum)
        else:
            self.kill()  # asked twice: stop now

    def _stop(self, signum: int) -> None:
        self._signal_group(signum)
        self._timer = threading.Timer(self.grace, self.kill)
        self._timer.daemon = True
        self._timer.start()

    def _signal_group(self, signum: int) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return  # reaped: its process group id may name someone else's group by now
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)


def run_tied(
    command: Sequence[str],
    *,
    env: dict[str, str],
    capture: bool,
    cwd: Path = PROJECT_ROOT,
    pass_fds: Sequence[int] = (),
    grace: float = STOP_GRACE_SECONDS,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to completion as a child tied to this process (see the module docstring).

    Raises ``DbtInterrupted`` once the child has exited when this process was asked to stop.
    """
    stopper = _Stopper(grace)
    pipe: Any = subprocess.PIPE if capture else None
    with stopper.forwarding():
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdout=pipe,
            stderr=pipe,
            text=True,
            process_group=0,  # signals to this process's group (a terminal's Ctrl+C) do not reach it
            preexec_fn=_die_with_parent(),
            pass_fds=tuple(pass_fds),
        )
        stopper.attach(process)
        try:
            stdout, stderr = process.communicate()
        except BaseException:
            stopper.kill()
            process.wait()
            raise
        finally:
            stopper.detach()
    if stopper.signum is not None:
        raise DbtInterrupted(stopper.signum)
    return subprocess.CompletedProcess(list(command), process.returncode, stdout, stderr)


#: dbt commands that write models, seeds or snapshots (they void the build record first).
WRITERS = ("build", "run", "seed", "snapshot")
#: Arguments that make a ``dbt build`` cover less than every node, or build it otherwise than a
#: refresh would (``--vars`` outside the settings, ``--empty``): such a build records nothing.
PARTIAL = (
    "-s", "--select", "-m", "--models", "--exclude", "--selector", "--resource-type", "--resource-types",
    "--exclude-resource-type", "--exclude-resource-types", "--inline", "--vars", "--empty",
)  # fmt: skip


def whole_build(args: Sequence[str]) -> bool:
    """Whether ``dbt <args>`` builds and tests every node (no selection)."""
    return bool(args) and args[0] == "build" and not any(a.split("=")[0] in PARTIAL for a in args)


def run_dbt(
    args: Sequence[str],
    *,
    target: str | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    capture: bool = True,
    covers_changes: bool = False,
    fingerprint: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` in the project directory; raise with dbt's output when it fails.

    With ``capture=False`` dbt prints straight to the terminal (for people watching a build). dbt
    inherits the writer locks this process holds (``salespulse.handover``), so a lock outlives
    this process for as long as dbt does. Raises ``DbtInterrupted`` (dbt has exited) when this
    process is asked to stop.

    Keeps the warehouse's build record (``salespulse.build_scope``): a command that writes models
    deletes it first; a ``dbt build`` that passed writes it again when it covered every node, or
    when the caller vouches (``covers_changes``) that its selection holds everything downstream of
    every raw table that changed since the record (``salespulse.refresh``'s selected builds).
    ``fingerprint``: the code and settings' fingerprint, when the caller has just computed it.
    """
    from salespulse import build_scope
    from salespulse.build_outcome import run_results_path
    from salespulse.handover import writer_lock_fds

    command = [dbt_executable(), *args]
    if target:
        command += ["--target", target]
    environ = dbt_env(env)
    writes = bool(args) and args[0] in WRITERS
    if writes:  # the fingerprint of what this build starts with: a file edited during it is not claimed
        fingerprint = fingerprint or build_scope.fingerprint(environ)
        _on_warehouse(target, environ, build_scope.forget)
    result = run_tied(command, env=environ, capture=capture, pass_fds=writer_lock_fds())
    if writes and result.returncode == 0 and (whole_build(args) or (covers_changes and args[0] == "build")):
        as_of_models = build_scope.as_of_models(run_results_path(environ).with_name("manifest.json"))
        _on_warehouse(
            target,
            environ,
            lambda warehouse: build_scope.remember(warehouse, environ, str(fingerprint), as_of_models),
        )
    if check and result.returncode != 0:
        # without capture dbt has already printed its output to the terminal
        output = (result.stdout or "")[-6000:] + (result.stderr or "")
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{output}")
    return result


def _on_warehouse(target: str | None, environ: dict[str, str], action: Callable[[Warehouse], None]) -> None:
    """``action`` on a connection to dbt's warehouse (``environ`` names it), closed again at once."""
    from salespulse.warehouse import connect

    with connect(target, environ) as warehouse:
        action(warehouse)
