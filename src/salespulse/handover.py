"""Hand a freshly built DuckDB warehouse over to its readers: no restart, never half-built.

DuckDB allows one writer per file, and a writer cannot even open a file that another process has
open read-only. So a load or build never writes the file readers use. Next to the configured
warehouse path ``P`` (``SALESPULSE_DUCKDB_PATH``, default ``.warehouse/salespulse.duckdb``)::

    P                               symlink -> P.builds/<build id>/<P.name>: the published warehouse
    P.builds/<build id>/<P.name>    one complete warehouse per directory, never written once published
    P.builds/<build id>/.published  marks a directory that was published (others are crashed builds)
    P.builds/.lock                  flock held by the one load/build that may run at a time (and by
                                    the dbt it runs: ``salespulse.dbt``)
    P.writing                       symlink -> the build directory being written, while it is: the
                                    writer's stable path (``writing_alias``)

Writer (``staged``): take the lock, copy the published file (and its WAL, if a writer left one)
into a new build directory, let the caller load / ``dbt build`` there (``SALESPULSE_DUCKDB_PATH``
pointing at it), checkpoint it, then publish by swapping the symlink with ``os.replace`` (atomic).
If the work fails, the directory is deleted and readers never see it. A build asked to stop
(SIGTERM, Ctrl+C) first stops its dbt and waits for it to exit (``salespulse.dbt``), then deletes
its directory and releases the lock: the next build never prunes a folder that is still written.

Readers resolve ``P`` per request (``current``): the resolved path names one build and its bytes
never change, so a connection cached per resolved path is always consistent, and the first
request after a publish opens the new build. Every build keeps the file name ``P.name``, so DuckDB
gives it the same catalog name. Old builds: all but the ``keep`` newest published ones are deleted
after a publish. Readers still using a deleted build keep reading it (POSIX keeps an unlinked file
until its last descriptor closes); keeping the previous build (``keep >= 2``) gives a reader that
resolved the link just before a publish a whole build cycle to open it. Tools that open ``P``
itself (the quality suite, ``dbt docs``, any DuckDB client) follow the link; the file they see
is the same published build.

A first staged build migrates a plain file at ``P`` (the layout before this module): it is
copied, and replaced by the link; readers that had it open keep their copy until they close it.
POSIX only (symlinks, flock).

Standby (blue/green) for repeatable cycles. Copying the published file costs its whole size on
every cycle (GBs at 10 M order lines) however small the change. A cycle that can be *replayed*
(``salespulse refresh``: land every file of the delivery folder not landed yet, then an
incremental ``dbt build``) passes a ``replay`` key, written into the ``.published`` marker as JSON
with the id of the build it replaced (``previous``). The next cycle with the same key takes that
previous build -- the *standby*, one cycle behind -- instead of a copy: the loader lands what the
standby has not landed (it tracks landed files by SHA-256) and the incremental build catches up,
so the result equals the published build plus one cycle. The standby is taken only when

- the current build was published by a cycle with the same key (a ``load``, ``build`` or
  ``forecast`` in between did something a refresh does not repeat: the next cycle copies);
- it is the build the current one replaced, still marked published, with no WAL beside it;
- the current build's cycle did not rebuild everything (new code or settings, no record of a
  complete build, ``--full-build``): the build before it would have to rebuild everything as
  well, where a copy costs seconds;
- no process has it open: DuckDB would refuse the writer's lock. The web's reader keeps the build
  it last queried open until its next query, so a reader may still sit on it; the cycle waits
  up to ``standby_wait`` seconds for it to close, then copies the current build instead.

Taking the standby first removes its marker, then renames its directory to the new build id (a
rename, not a copy: the same inode, O(1)): a crash from then on leaves an unmarked directory that
the next cycle deletes (``prune``) before copying the current build again; a failed cycle deletes
it at once. Readers resolve build paths from the link only, and a build id is never reused, so a
path still names one immutable published build and caches keyed by it stay right; a reader that
resolved the standby's old path opens nothing (``FileNotFoundError``) and resolves the link again.
Disk: two warehouses in the steady state (today's copy needs a third during a build).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Published builds kept after a publish (the current one and the one before it: the standby).
DEFAULT_KEEP = 2
PUBLISHED_MARKER = ".published"
#: Seconds a replayable cycle waits for readers to close the standby before it copies instead.
STANDBY_WAIT_SECONDS = 5.0
#: ``P`` + this: the stable name of the build being written (``writing_alias``).
WRITING_SUFFIX = ".writing"


def builds_dir(published: Path) -> Path:
    return published.with_name(published.name + ".builds")


def current(published: Path) -> Path:
    """The file readers should open now: the build ``published`` links to (or ``published`` itself)."""
    return Path(os.path.realpath(published))


def published_path(target: str | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The DuckDB file of a ``profiles.yml`` target, or ``None`` when the target is not DuckDB."""
    from salespulse.warehouse import duckdb_file, target_config

    config = target_config(target, environ)
    return duckdb_file(config) if config["type"] == "duckdb" else None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


#: Descriptors of the writer locks this process holds (``writer_lock_fds``).
_held_locks: list[int] = []


def writer_lock_fds() -> tuple[int, ...]:
    """The writer locks this process holds, for a child that writes the staged copy (dbt) to inherit
    (``pass_fds``). A flock belongs to the open file, not to a process: the lock stays taken until
    the build and that child are both gone, so even if the build is killed, no later build prunes
    the folder its child is still writing."""
    return tuple(_held_locks)


@contextlib.contextmanager
def _writer_lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    # released by closing the file, never by LOCK_UN: that would release it for a child that
    # inherited it (writer_lock_fds) and may still be running
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # waits for a load/build that is running (and its dbt)
        _held_locks.append(handle.fileno())
        try:
            yield
        finally:
            _held_locks.remove(handle.fileno())


def _copy_published(published: Path, staged: Path) -> None:
    """Copy the published warehouse (and a WAL a writer left behind) into ``staged``."""
    if not published.exists():
        return
    import duckdb

    source = current(published)
    # A read-only connection takes DuckDB's shared lock: no writer can be half-way through the
    # file while it is copied (one that holds the write lock makes this fail, loudly).
    try:
        guard = duckdb.connect(str(source), read_only=True, config={"autoinstall_known_extensions": False})
    except duckdb.ConnectionException as error:
        if "different configuration" not in str(error):
            raise
        guard = None  # this process has it open already, read-only: that holds the same lock
    try:
        shutil.copyfile(source, staged)
        wal = source.with_name(source.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, staged.with_name(staged.name + ".wal"))
    finally:
        if guard is not None:
            guard.close()


def _checkpoint(staged: Path) -> None:
    """Fold the WAL into the file, so the published file is complete on its own."""
    import duckdb

    if not staged.exists():
        raise FileNotFoundError(f"the build wrote no warehouse at {staged}")
    con = duckdb.connect(str(staged), config={"autoinstall_known_extensions": False})
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    wal = staged.with_name(staged.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} is still there after a checkpoint: not publishing {staged}")
    _fsync_file(staged)


def _marker(build: Path) -> dict[str, str]:
    """What a build's ``.published`` marker says (``{}``: empty, as before the standby, or unreadable)."""
    try:
        data = json.loads((build / PUBLISHED_MARKER).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_marker(published: Path, staged: Path, replay: str | None, standby: bool = True) -> None:
    """Say how ``staged`` was made: a replayable cycle's key and the build it replaces (the standby
    the next such cycle may take; none when ``standby`` is false). ``_publish`` then marks it
    published."""
    previous = current(published).parent.name if published.is_symlink() and standby else None
    marker = {"replay": replay, "previous": previous} if replay else {}
    (staged.parent / PUBLISHED_MARKER).write_text(json.dumps(marker), encoding="utf-8")


def _publish(published: Path, staged: Path) -> None:
    (staged.parent / PUBLISHED_MARKER).touch()
    _fsync_dir(staged.parent)
    legacy_wal = published.with_name(published.name + ".wal")
    was_plain_file = published.exists() and not published.is_symlink()
    _point_link(published, staged)  # the hand-over: readers resolve the new build from here on
    if was_plain_file and legacy_wal.exists():
        legacy_wal.unlink()  # the replaced file's WAL: copied into the build, folded in there
    _fsync_dir(published.parent)


def _point_link(link: Path, target: Path) -> None:
    """Make ``link`` a relative symlink to ``target`` in one step: a new link beside it, renamed over
    it (``os.replace``: whoever resolves ``link`` sees the old target or the new one)."""
    fresh = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(target, link.parent), fresh)
    os.replace(fresh, link)


def _published_builds(directory: Path) -> list[Path]:
    """Published build directories, oldest publish first (the marker is written at publish)."""
    builds = [p for p in directory.iterdir() if p.is_dir() and (p / PUBLISHED_MARKER).exists()]
    return sorted(builds, key=lambda p: ((p / PUBLISHED_MARKER).stat().st_mtime_ns, p.name))


def prune(published: Path, keep: int = DEFAULT_KEEP) -> list[Path]:
    """Delete published builds but the ``keep`` newest (never the current one); return the deleted.

    Directories without the published marker are builds that crashed: deleted too. Call with the
    writer lock held (``staged`` does).
    """
    directory = builds_dir(published)
    if not directory.is_dir():
        return []
    live = current(published).parent
    builds = _published_builds(directory)
    keep_set = {*builds[-max(keep, 1) :], live}
    doomed = [p for p in directory.iterdir() if p.is_dir() and p not in keep_set]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


def _in_use(path: Path) -> str | None:
    """Why ``path`` cannot be written now (a process has it open), or ``None`` when it can.

    Asks DuckDB itself: opening it for writing takes the lock every DuckDB connection takes, so a
    reader in any process (or a connection of this one) makes it fail. Closed again at once.
    """
    import duckdb

    try:
        probe = duckdb.connect(str(path), config={"autoinstall_known_extensions": False})
    except duckdb.Error as error:
        return str(error).splitlines()[0]
    probe.close()
    return None


def _standby(published: Path, replay: str) -> tuple[Path | None, str]:
    """The build a cycle with key ``replay`` may take instead of a copy, or ``None`` and why not."""
    if not published.is_symlink():
        return None, "no build published yet"
    live = current(published).parent
    marker = _marker(live)
    if marker.get("replay") != replay:
        return None, "the current build was not published by this kind of cycle"
    if not marker.get("previous"):
        return None, "the current build offers no standby (it rebuilt everything, or replaced no build)"
    standby = builds_dir(published) / str(marker["previous"])
    if standby == live or not (standby / PUBLISHED_MARKER).is_file():
        return None, "the build before the current one is gone"
    if standby.joinpath(published.name + ".wal").exists():
        return None, "the standby has a WAL: something wrote it after it was published"
    return standby, ""


def standby_ready(published: Path, replay: str) -> bool:
    """Whether the next cycle with key ``replay`` would find a standby to take (``staged``; it may
    still wait for a reader to close it)."""
    return _standby(published.absolute(), replay)[0] is not None


def _take_standby(published: Path, replay: str, build_dir: Path, wait: float) -> tuple[bool, str]:
    """Rename the standby to ``build_dir`` if it can be taken (see the module docstring)."""
    standby, why = _standby(published, replay)
    if standby is None:
        return False, why
    deadline = time.monotonic() + wait
    while (busy := _in_use(standby / published.name)) is not None:
        if time.monotonic() >= deadline:
            return False, f"the standby {standby.name} is still open after {wait:g} s ({busy})"
        time.sleep(0.2)
    (standby / PUBLISHED_MARKER).unlink()  # from here on a crash leaves a folder prune deletes
    _fsync_dir(standby)
    os.rename(standby, build_dir)
    _fsync_dir(build_dir.parent)
    return True, f"took the standby {standby.name} (one cycle behind) as {build_dir.name}"


@contextlib.contextmanager
def staged(
    published: Path,
    *,
    keep: int = DEFAULT_KEEP,
    replay: str | None = None,
    standby_wait: float = STANDBY_WAIT_SECONDS,
    offer_standby: Callable[[], bool] = lambda: True,
) -> Iterator[Path]:
    """A private warehouse to write; published when the block ends cleanly.

    Yields the path to give the writer (as ``SALESPULSE_DUCKDB_PATH``): a copy of the published
    warehouse, or -- for a replayable cycle (``replay``, see the module docstring) -- the standby
    build, one cycle behind, when it can be taken. Builds run one at a time (a second one waits
    for the lock); readers are never waited for (but for ``standby_wait`` on the standby) and never
    see the build before it is complete. An exception in the block discards it and propagates.
    ``offer_standby``, asked once the block ended cleanly: whether the build this one replaces may
    be the standby of the next cycle with the same ``replay`` key.
    """
    published = published.absolute()
    directory = builds_dir(published)
    with _writer_lock(directory):
        prune(published, keep)  # leftovers of crashed builds
        build_id = datetime.now().strftime("%Y%m%dT%H%M%S.%f") + "-" + uuid.uuid4().hex[:8]
        build_dir = directory / build_id
        build_file = build_dir / published.name
        try:
            taken, why = _take_standby(published, replay, build_dir, standby_wait) if replay else (False, "")
            if taken:
                log.info("hand-over: %s", why)
            else:
                build_dir.mkdir()
                started = time.monotonic()
                _copy_published(published, build_file)
                if replay:
                    size = build_file.stat().st_size / 1e6 if build_file.exists() else 0.0
                    log.info(
                        "hand-over: copied the published warehouse (%.0f MB in %.1f s): %s",
                        size,
                        time.monotonic() - started,
                        why,
                    )
            yield build_file
            _checkpoint(build_file)
            _write_marker(published, build_file, replay, offer_standby())
            _publish(published, build_file)
        except BaseException:
            # a Ctrl+C can land just after the hand-over (in _publish's fsync): never delete what
            # readers now use
            if current(published).parent != build_dir.resolve():
                shutil.rmtree(build_dir, ignore_errors=True)
            raise
        prune(published, keep)


def run_staged(
    target: str | None,
    work: Callable[[dict[str, str]], T],
    *,
    succeeded: Callable[[T], bool] = lambda _: True,
    keep: int = DEFAULT_KEEP,
    replay: str | None = None,
    offer_standby: Callable[[T], bool] = lambda _: True,
) -> T:
    """Run ``work(env)`` against a staged copy of a DuckDB target and publish it if it succeeded.

    ``env`` holds ``SALESPULSE_DUCKDB_PATH`` of the copy; ``work`` passes it to the loader or dbt.
    ``replay``: ``work`` is a replayable cycle, which may start from the standby (``staged``);
    ``offer_standby(outcome)``: whether the build it replaces may be the next one's standby.
    On PostgreSQL ``work({})`` runs in place, under the database's writer lock
    (``salespulse.warehouse.postgres_writer_lock``): the loader commits all or nothing and dbt
    replaces each relation in a transaction, so readers see a relation before or after. Any other
    target runs ``work({})`` in place with no lock (none is known for it).
    """
    from salespulse.warehouse import duckdb_file, postgres_writer_lock, target_config

    config = target_config(target)
    if config["type"] == "postgres":

        def waiting(pid: int) -> None:
            log.info(
                "waiting for the writer lock of database %s: another load, build, refresh or forecast"
                " is writing to it (server process %s)",
                config["dbname"],
                pid,
            )

        with postgres_writer_lock(config, waiting):
            return work({})
    if config["type"] != "duckdb":
        return work({})  # no writer lock known for that target
    published = duckdb_file(config)

    class _Failed(Exception):
        pass

    outcome: list[T] = []
    try:
        with (
            staged(
                published, keep=keep, replay=replay, offer_standby=lambda: offer_standby(outcome[0])
            ) as path,
            writing_alias(published, path) as alias,
        ):
            outcome.append(work({"SALESPULSE_DUCKDB_PATH": str(alias)}))
            if not succeeded(outcome[0]):
                raise _Failed
    except _Failed:
        pass  # the copy is discarded; readers keep the published warehouse
    return outcome[0]


@contextlib.contextmanager
def writing_alias(published: Path, build_file: Path) -> Iterator[Path]:
    """``build_file`` under a name that is the same for every build: ``P.writing/<P.name>``, through
    ``P.writing``, a symlink to its build directory (replaced atomically; removed after the block).

    dbt keys its partial parsing on the profile's connection settings, the DuckDB path among them: a
    path that names the build directory changes on every build, and every ``dbt build`` then parses
    the whole project again (about 6 s of a refresh cycle). DuckDB puts its WAL beside the path it
    is given, i.e. inside the real build directory, through the link. Call with the writer lock
    held (``staged``): one build writes at a time, so one alias serves them all.
    """
    link = published.with_name(published.name + WRITING_SUFFIX)
    _point_link(link, build_file.parent)
    try:
        yield link / build_file.name
    finally:
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
