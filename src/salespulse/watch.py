"""``salespulse watch``: refresh cycles (``salespulse.refresh``) on a timer and when files arrive.

A loop in the main thread, not a scheduler library: a cycle must run where signals are delivered
(``salespulse.dbt`` forwards SIGTERM/SIGINT to dbt from the main thread only), cycles never overlap
(the next waits for the last), and the folder is polled -- a listing every ``poll`` seconds costs
nothing next to a cycle, works on network shares where inotify sees nothing, and a file counts as
arrived only once the listing has stayed the same for one more poll (a file still being copied
does not start a cycle; writers should still write to a temporary name and rename, as the trickle
feed does).

- The first cycle runs at once; then one every ``interval`` seconds (0: never on the timer) and,
  with ``on_arrival``, one as soon as the folder's listing changes and settles.
- On DuckDB a cycle starts from the standby, the build one cycle behind (``salespulse.handover``),
  or else copies the whole published warehouse (seconds and GBs at 10 M lines, and the cycle after
  it runs slower while the kernel writes the copy out). After a build, load or forecast there is
  no standby, so while there is nothing to do the watch prepares one: a cycle forced with nothing
  new copies the published build and publishes the copy unchanged (no dbt), and the build it
  replaces becomes the standby of the next cycle. It costs one copy while idle (a third warehouse
  on disk for its length); the dashboards then read the copy, the same data. When the code or the
  settings changed since the last build, that forced cycle rebuilds everything, and a second one
  copies the result (a build that rebuilt everything is no standby: catching it up would rebuild
  everything again).
- A failed cycle publishes nothing (the dashboards keep the last good build) and is logged with
  why; the next try waits ``min_backoff`` seconds, doubled after every further failure up to
  ``max_backoff``, whatever arrives meanwhile. A cycle that succeeds (or finds nothing new) resets it.
- SIGTERM, SIGINT or SIGHUP stop the watch: between cycles at once; during a cycle dbt is stopped
  first (``salespulse.dbt``), the cycle's build is discarded and the lock released. Exit code 0.
"""

from __future__ import annotations

import logging
import math
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from salespulse.dbt import FORWARDED_SIGNALS
from salespulse.refresh import CRASHED, NOTHING_NEW, PUBLISHED, Cycle, run_cycle, standby_missing

log = logging.getLogger(__name__)

#: The reason of a cycle the watch runs to prepare a standby (see the module docstring).
STANDBY = "standby"
#: Standby cycles tried in a row: a first one may rebuild everything (new code or settings since the
#: last build), and a build that rebuilt everything offers no standby; the second then copies it.
STANDBY_TRIES = 2


class WatchStopped(KeyboardInterrupt):
    """The watch received ``signum``: it stops (a cycle under way is discarded first)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@dataclass(frozen=True)
class Schedule:
    """When cycles run (see the module docstring)."""

    interval: float = 60.0
    on_arrival: bool = True
    poll: float = 2.0
    min_backoff: float = 5.0
    max_backoff: float = 300.0

    def backoff(self, failures: int) -> float:
        """Seconds before the next try after ``failures`` failed cycles in a row."""
        return min(self.max_backoff, self.min_backoff * 2 ** max(failures - 1, 0))


def folder_state(folder: Path) -> frozenset[tuple[str, int, int]]:
    """Every file under ``folder`` (relative path, size, mtime), hidden and temporary names aside."""
    if not folder.is_dir():
        return frozenset()
    found = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue  # renamed or removed meanwhile: the next listing sees it
        if path.is_file():
            found.add((relative.as_posix(), stat.st_size, stat.st_mtime_ns))
    return frozenset(found)


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM/SIGINT/SIGHUP into ``WatchStopped`` for the block (``salespulse.dbt`` installs its
    own handlers while dbt runs and raises ``DbtInterrupted`` once dbt has exited)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise WatchStopped(signum)

    previous = {signum: signal.getsignal(signum) for signum in FORWARDED_SIGNALS}
    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _wait_for_reason(
    folder: Path, schedule: Schedule, due: float, seen: frozenset[tuple[str, int, int]], not_before: float
) -> str:
    """Sleep until the timer is ``due`` or (with ``on_arrival``, not before ``not_before``) the folder
    has changed since ``seen`` and settled."""
    while True:
        now = time.monotonic()
        if now >= due:
            return "timer"
        if schedule.on_arrival and now >= not_before:
            state = folder_state(folder)
            if state != seen:
                time.sleep(schedule.poll)  # settled: the same listing one poll later
                if folder_state(folder) == state:
                    return "files arrived"
                continue
        time.sleep(min(schedule.poll, due - now))


def _waiting_for(schedule: Schedule, due: float, failures: int) -> str:
    """What the watch waits for, in words (the idle line of its log)."""
    when = []
    if due < math.inf:
        when.append(f"{'the retry' if failures else 'the timer'} in {max(due - time.monotonic(), 0):.0f} s")
    if schedule.on_arrival:
        when.append("files to arrive")
    return " or ".join(when) or "a signal"


def _report(number: int, reason: str, cycle: Cycle) -> None:
    if cycle.status == NOTHING_NEW:
        log.info("cycle %d (%s): %s", number, reason, cycle.lines[0])
        return
    if reason == STANDBY and not (cycle.failed or cycle.new_files or cycle.built_everything):
        log.info(
            "cycle %d (%s): the standby for the next cycle is ready (%.1f s)", number, reason, cycle.seconds
        )
        return
    new = ", ".join(cycle.new_files[:5]) + (
        f" and {len(cycle.new_files) - 5} more" if len(cycle.new_files) > 5 else ""
    )
    new = new or "nothing"
    details = "\n  ".join(line for text in cycle.lines for line in text.splitlines())
    if cycle.failed:
        log.error(
            "cycle %d (%s) FAILED (%s) after %.1f s; new: %s\n  %s",
            number,
            reason,
            cycle.status,
            cycle.seconds,
            new,
            details,
        )
    else:
        log.info(
            "cycle %d (%s): published in %.1f s; new: %s\n  %s", number, reason, cycle.seconds, new, details
        )


def _cycle(
    target: str | None, folder: Path, budget_files: Sequence[Path], *, quality: bool, force: bool
) -> Cycle:
    """One cycle, dbt's output kept out of the log; an exception (the database unreachable, a full
    disk) is a failed cycle like any other, not the end of the watch."""
    started = time.monotonic()
    try:
        return run_cycle(target, folder, budget_files, quality=quality, force=force, capture=True)
    except Exception as error:
        log.debug("the cycle raised", exc_info=True)
        return Cycle(
            CRASHED, [f"{type(error).__name__}: {error}"], exit_code=1, seconds=time.monotonic() - started
        )


def watch(
    target: str | None,
    folder: Path,
    budget_files: Sequence[Path],
    schedule: Schedule,
    *,
    quality: bool = False,
    cycles: int = 0,
) -> int:
    """Run cycles until stopped (or ``cycles`` of them, when not 0); return the exit code (0)."""
    from salespulse.dbt import DbtInterrupted
    from salespulse.handover import published_path

    every = f"every {schedule.interval:g} s" if schedule.interval > 0 else "not on a timer"
    arrival = f"on arrival (polled every {schedule.poll:g} s)" if schedule.on_arrival else "not on arrival"
    log.info(
        "watching %s: %s, %s; target %s. SIGTERM or Ctrl+C stops.",
        folder,
        every,
        arrival,
        target or "default",
    )
    in_place = published_path(target) is None
    failures = 0
    number = counted = 0
    prepare = STANDBY_TRIES  # standby cycles left to try (after the start and after each publish)
    with _stop_on_signals():
        try:
            due, not_before, reason = time.monotonic(), 0.0, "start"
            seen = folder_state(folder)
            while True:
                if number and prepare and not failures and standby_missing(target, folder, budget_files):
                    reason = STANDBY
                elif number:
                    log.info("idle: waiting for %s", _waiting_for(schedule, due, failures))
                    reason = _wait_for_reason(folder, schedule, due, seen, not_before)
                    reason = "retry" if failures and reason == "timer" else reason
                number += 1
                seen = folder_state(folder)  # what arrives during the cycle starts the next one
                # PostgreSQL keeps the files a failed build landed: only a forced cycle builds them
                force = (failures > 0 and in_place) or reason == STANDBY
                cycle = _cycle(target, folder, budget_files, quality=quality, force=force)
                _report(number, reason, cycle)
                if reason == STANDBY and not cycle.new_files:
                    prepare = prepare - 1 if not cycle.failed else 0  # a failure: the next cycle copies
                    continue
                if cycle.status == PUBLISHED:
                    prepare = STANDBY_TRIES
                counted += 1
                if cycle.failed:
                    failures += 1
                    pause = schedule.backoff(failures)
                    log.warning("failure %d in a row: next try in %.0f s", failures, pause)
                    due = not_before = time.monotonic() + pause  # arrivals wait for it too
                else:
                    failures, not_before = 0, 0.0
                    due = time.monotonic() + schedule.interval if schedule.interval > 0 else math.inf
                if cycles and counted >= cycles:
                    return 0
        except (WatchStopped, DbtInterrupted) as stop:
            during = (
                "during a cycle: its build was discarded, nothing published; "
                if isinstance(stop, DbtInterrupted)
                else ""
            )
            log.info(
                "stopped (%s): %sthe dashboards keep the last published build",
                signal.Signals(stop.signum).name,
                during,
            )
            return 0
