"""Hand a freshly built DuckDB warehouse over to its readers: no restart, never half-built.

DuckDB allows one writer per file, and a writer cannot even open a file that another process has
open read-only. So a load or build never writes the file readers use. Next to the configured
warehouse path ``P`` (``SALESPULSE_DUCKDB_PATH``, default ``.warehouse/salespulse.duckdb``)::

    P                               symlink -> P.builds/<build id>/<P.name>: the published warehouse
    P.builds/<build id>/<P.name>    one complete warehouse per directory, never written once published
    P.builds/<build id>/.published  marks a directory that was published (others are crashed builds)
    P.builds/.lock                  flock held by the one load/build that may run at a time (and by
                                    the dbt it runs: ``salespulse.dbt``)

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
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from salespulse.settings import PROJECT_ROOT

T = TypeVar("T")

#: Published builds kept after a publish (the current one and the one before it).
DEFAULT_KEEP = 2
PUBLISHED_MARKER = ".published"


def builds_dir(published: Path) -> Path:
    return published.with_name(published.name + ".builds")


def current(published: Path) -> Path:
    """The file readers should open now: the build ``published`` links to (or ``published`` itself)."""
    return Path(os.path.realpath(published))


def published_path(target: str | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The DuckDB file of a ``profiles.yml`` target, or ``None`` when the target is not DuckDB."""
    from salespulse.warehouse import target_config

    config = target_config(target, environ)
    if config["type"] != "duckdb":
        return None
    path = Path(config["path"])
    return path if path.is_absolute() else PROJECT_ROOT / path


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


def _publish(published: Path, staged: Path) -> None:
    (staged.parent / PUBLISHED_MARKER).touch()
    _fsync_dir(staged.parent)
    link = published.with_name(f".{published.name}.{staged.parent.name}.link")
    os.symlink(os.path.relpath(staged, published.parent), link)
    legacy_wal = published.with_name(published.name + ".wal")
    was_plain_file = published.exists() and not published.is_symlink()
    os.replace(link, published)  # the hand-over: readers resolve the new build from here on
    if was_plain_file and legacy_wal.exists():
        legacy_wal.unlink()  # the replaced file's WAL: copied into the build, folded in there
    _fsync_dir(published.parent)


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


@contextlib.contextmanager
def staged(published: Path, *, keep: int = DEFAULT_KEEP) -> Iterator[Path]:
    """A private copy of the published warehouse to write; published when the block ends cleanly.

    Yields the path to give the writer (as ``SALESPULSE_DUCKDB_PATH``). Builds run one at a time
    (a second one waits for the lock); readers are never waited for and never see the copy before
    it is complete. An exception in the block discards the copy and propagates.
    """
    published = published.absolute()
    directory = builds_dir(published)
    with _writer_lock(directory):
        prune(published, keep)  # leftovers of crashed builds
        build_id = datetime.now().strftime("%Y%m%dT%H%M%S.%f") + "-" + uuid.uuid4().hex[:8]
        build_dir = directory / build_id
        build_dir.mkdir()
        build_file = build_dir / published.name
        try:
            _copy_published(published, build_file)
            yield build_file
            _checkpoint(build_file)
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
) -> T:
    """Run ``work(env)`` against a staged copy of a DuckDB target and publish it if it succeeded.

    ``env`` holds ``SALESPULSE_DUCKDB_PATH`` of the copy; ``work`` passes it to the loader or dbt.
    For other targets (PostgreSQL) ``work({})`` runs in place: the loader commits all or nothing
    and dbt replaces each relation in a transaction, so readers see a relation before or after.
    """
    published = published_path(target)
    if published is None:
        return work({})

    class _Failed(Exception):
        pass

    outcome: list[T] = []
    try:
        with staged(published, keep=keep) as path:
            outcome.append(work({"SALESPULSE_DUCKDB_PATH": str(path)}))
            if not succeeded(outcome[0]):
                raise _Failed
    except _Failed:
        pass  # the copy is discarded; readers keep the published warehouse
    return outcome[0]
