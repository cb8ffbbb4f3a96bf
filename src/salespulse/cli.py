"""The ``salespulse`` command: everything that is not dbt SQL."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from salespulse.contract import ENTITIES
from salespulse.settings import load_settings

if TYPE_CHECKING:
    from click.decorators import FC

    from salespulse.dbt import DbtInterrupted
    from salespulse.web.server.appdb import AppDB
    from salespulse.web.server.audit import AuditLog

SNAPSHOT_ENTITIES = [e for e in ENTITIES if e.mode == "snapshot"]
DAY = click.DateTime(["%Y-%m-%d"])
TARGET_HELP = "profiles.yml target (default: SALESPULSE_TARGET, else duckdb)."


def target_option(text: str = TARGET_HELP) -> Callable[[FC], FC]:
    """``--target``, declared once for every command that reads or writes a warehouse (``None``: the
    profile's default, which profiles.yml takes from ``SALESPULSE_TARGET``); ``text`` only where the
    option means more than that."""
    return click.option("--target", help=text)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Sales analytics: demo data, raw loading and checks."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


@main.command()
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), help="Folder to write (default: the data dir)."
)
@click.option("--seed", default=42, show_default=True, help="Random seed: same seed, same bytes.")
@click.option("--order-lines", default=100_000, show_default=True, help="About how many order lines.")
@click.option(
    "--as-of",
    type=DAY,
    help="Last day of data (default: SALESPULSE_AS_OF, else the demo's).",
)
@click.option(
    "--budget-form", type=click.Choice(["detailed", "simple"]), default="detailed", show_default=True
)
@click.option("--lines-format", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option(
    "--trickle",
    is_flag=True,
    help="Then write a small delivery (new orders, late updates, cancellations) every --every seconds; "
    "extracts already in the folder are kept and followed on from.",
)
@click.option("--every", default=10.0, show_default=True, help="With --trickle: seconds between deliveries.")
@click.option(
    "--count", default=0, show_default=True, help="With --trickle: deliveries to write (0: until stopped)."
)
@click.option("--lines", default=40, show_default=True, help="With --trickle: order-line rows per delivery.")
def generate(
    out_dir: Path | None,
    seed: int,
    order_lines: int,
    as_of: object,
    budget_form: str,
    lines_format: str,
    trickle: bool,
    every: float,
    count: int,
    lines: int,
) -> None:
    """Write the demo company's source extracts and budget workbook (--trickle: then a feed of deliveries)."""
    from salespulse.generator import generate as run
    from salespulse.generator.trickle import has_extract

    settings = load_settings()
    if trickle and has_extract(out_dir or settings.data_dir):
        _trickle(out_dir or settings.data_dir, seed, lines, count, every)
        return
    chosen = as_of.date() if as_of is not None else settings.as_of  # type: ignore[attr-defined]
    dates = {"as_of": chosen} if chosen is not None else {}
    if settings.budget_year is not None:
        dates["budget_year"] = settings.budget_year
    target = out_dir or settings.data_dir
    summary = run(
        target,
        seed=seed,
        order_lines=order_lines,
        budget_form=budget_form,  # type: ignore[arg-type]
        lines_format=lines_format,  # type: ignore[arg-type]
        **dates,  # type: ignore[arg-type]
    )
    click.echo(f"wrote demo extracts to {target}")
    click.echo(str(summary))
    if trickle:
        _trickle(target, seed, lines, count, every)


def _trickle(folder: Path, seed: int, lines: int, count: int, every: float) -> None:
    """Write the trickle's deliveries into ``folder`` until ``count`` are written or Ctrl+C."""
    from salespulse.errors import ContractError
    from salespulse.generator import trickle

    try:
        for delivery in trickle(folder, seed=seed, lines=lines, count=count, every=every):
            click.echo(str(delivery))
    except (ValueError, ContractError) as exc:
        click.echo(f"trickle refused: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("trickle stopped (every delivery written is whole)")


@main.command("map")
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The mapping file (docs/bring-your-own-data.md).",
)
@click.option(
    "--source", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder of exports."
)
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Delivery folder to write."
)
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
@click.option("--replace", is_flag=True, help="Replace the delivery folder if it exists.")
def map_command(mapping_file: Path, source: Path, out_dir: Path, fmt: str, replace: bool) -> None:
    """Turn ERP/CRM exports into the raw contract's files (then `salespulse load` them)."""
    from salespulse.mapping import MappingError, map_exports

    try:
        report = map_exports(mapping_file, source, out_dir, fmt=fmt, replace=replace)  # type: ignore[arg-type]
    except MappingError as exc:
        click.echo(f"map refused: {exc}", err=True)
        sys.exit(2)
    for note in report.notes:
        click.echo(f"  rule: {note}")
    for name, rows in report.files.items():
        click.echo(f"  {name:<40} {rows:>10,} rows" if rows else f"  {name:<40}     copied")
    click.echo(f"wrote {out_dir}: load it with SALESPULSE_DATA_DIR={out_dir} salespulse load")


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Delivery folder (default: the setting).")
@click.option(
    "--budget-file",
    "budget_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A budget workbook, repeatable (default: SALESPULSE_BUDGET_FILES in the folder: budget*.xlsx).",
)
@click.option("--budget-sheet", help="Worksheet to read (default: the first with a budget header).")
@click.option(
    "--accept-shrink",
    multiple=True,
    type=click.Choice([e.name for e in SNAPSHOT_ENTITIES]),
    help="Land this snapshot even if it is empty or has under half the rows landed before (repeatable).",
)
@target_option()
def load(
    data_dir: Path | None,
    budget_files: tuple[Path, ...],
    budget_sheet: str | None,
    accept_shrink: tuple[str, ...],
    target: str | None,
) -> None:
    """Land the delivery folder and the budget in the raw schema of a target, all or nothing."""
    import os

    from salespulse.errors import ContractError
    from salespulse.handover import run_staged
    from salespulse.loader import LoadReport
    from salespulse.loader import load as run
    from salespulse.warehouse import connect

    settings = load_settings()
    folder = data_dir or settings.data_dir
    workbooks = list(budget_files) or settings.budget_workbooks(folder)

    def land(env: dict[str, str]) -> LoadReport:
        # DuckDB: into a copy of the warehouse, published when something landed (salespulse.handover)
        with connect(target, {**os.environ, **env}) as warehouse:
            return run(
                folder,
                warehouse,
                budget_files=workbooks,
                budget_sheet=budget_sheet,
                accept_shrink=accept_shrink,
            )

    try:
        report = run_staged(target, land, succeeded=lambda landed: landed.changed)
    except ContractError as exc:
        click.echo(f"load refused: {exc}", err=True)
        sys.exit(2)
    changed = [f for f in report.files if f.action != "unchanged"]
    click.echo(
        f"{report.target}: {len(changed)} file(s) landed, {len(report.files) - len(changed)} unchanged"
    )
    for name, rows in report.table_rows.items():
        click.echo(f"  raw.{name:<12} {rows:>12,} rows")
    click.echo(as_of_line(settings.as_of, report.last_order_date))


def as_of_line(configured: object, last_order_date: object) -> str:
    """Which as-of date the next build uses, and why (the load and build outputs say it)."""
    if configured is not None:
        return f"as of {configured} (SALESPULSE_AS_OF); last order date loaded: {last_order_date or 'none'}"
    if last_order_date is None:
        return "as of: not known yet (no order lines loaded and SALESPULSE_AS_OF is not set)"
    return f"as of {last_order_date}: the last order date loaded (SALESPULSE_AS_OF is not set)"


@main.command()
@target_option()
@click.option("--skip-quality", is_flag=True, help="Do not run the Great Expectations suite afterwards.")
def build(target: str | None, skip_quality: bool) -> None:
    """Build and test the warehouse with dbt, then run the data-quality suite on the marts."""
    from salespulse.dbt import DbtInterrupted, run_dbt
    from salespulse.handover import run_staged

    # DuckDB: built in a copy of the warehouse, published only when the build passed (salespulse.handover)
    try:
        result = run_staged(
            target,
            lambda env: run_dbt(["build"], target=target, env=env, check=False, capture=False),
            succeeded=lambda built: built.returncode == 0,
        )
    except DbtInterrupted as stop:
        _interrupted("build", stop, target)
    if result.returncode:
        from salespulse.build_outcome import failed_nodes, failure_report, run_results_path
        from salespulse.handover import published_path

        report = failure_report(failed_nodes(run_results_path()), staged=published_path(target) is not None)
        click.echo(report, err=True)
        sys.exit(result.returncode)
    if not skip_quality:
        from salespulse.quality import main_summary

        sys.exit(main_summary(target))


DATA_DIR_OPTION = click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Delivery folder (default: SALESPULSE_DATA_DIR)."
)


def seconds_option(name: str, minimum: float, default: float, text: str) -> Callable[[FC], FC]:
    """A duration in seconds of ``watch``'s timing, at least ``minimum``, its default shown in --help."""
    return click.option(
        name, type=click.FloatRange(min=minimum), default=default, show_default=True, help=text
    )


QUALITY_OPTION = click.option(
    "--quality",
    is_flag=True,
    help="Run the quality suite on the new build before publishing it (fail: no publish).",
)


def _delivery(data_dir: Path | None) -> tuple[Path, list[Path]]:
    """The delivery folder a cycle lands and its budget workbooks, resolved like `salespulse load`'s."""
    settings = load_settings()
    folder = data_dir or settings.data_dir
    return folder, settings.budget_workbooks(folder)


@main.command()
@DATA_DIR_OPTION
@target_option()
@QUALITY_OPTION
@click.option(
    "--force", is_flag=True, help="Build even when no file is new (PostgreSQL: after a failed build)."
)
@click.option(
    "--full-build",
    is_flag=True,
    help="Build every dbt node, not only what the delivery feeds (incremental models stay incremental).",
)
def refresh(data_dir: Path | None, target: str | None, quality: bool, force: bool, full_build: bool) -> None:
    """One near-real-time cycle: land the new files, build incrementally, publish -- as ONE hand-over.

    Readers never see the new rows without the models built on them; a failure publishes nothing
    (DuckDB). Exit 0 when published or nothing was new, 2 when the load was refused, 1 when the quality
    suite failed, else dbt's code.
    """
    from salespulse.dbt import DbtInterrupted
    from salespulse.refresh import run_cycle

    logging.getLogger("salespulse.handover").setLevel(logging.INFO)
    folder, workbooks = _delivery(data_dir)
    try:
        cycle = run_cycle(
            target, folder, workbooks, quality=quality, force=force, capture=False, full_build=full_build
        )
    except DbtInterrupted as stop:
        _interrupted("refresh", stop, target)
    if cycle.new_files:
        click.echo("new: " + ", ".join(cycle.new_files))
    for line in cycle.lines:
        click.echo(line, err=cycle.failed)
    click.echo(f"refresh: {cycle.status} in {cycle.seconds:.1f} s", err=cycle.failed)
    sys.exit(cycle.exit_code)


@main.command()
@DATA_DIR_OPTION
@target_option()
@seconds_option("--interval", 0, 60.0, "Seconds between cycles on the timer (0: only when files arrive).")
@click.option(
    "--on-arrival/--no-on-arrival",
    default=True,
    show_default=True,
    help="Also run a cycle when files arrive.",
)
@seconds_option("--poll", 0.1, 2.0, "Seconds between folder listings.")
@seconds_option("--max-backoff", 1, 300.0, "Longest wait after failed cycles (the wait doubles from 5 s).")
@QUALITY_OPTION
@click.option(
    "--cycles",
    type=click.IntRange(min=0),
    default=0,
    help="Stop after this many cycles (0: until stopped; standby preparations do not count).",
)
def watch(
    data_dir: Path | None,
    target: str | None,
    interval: float,
    on_arrival: bool,
    poll: float,
    max_backoff: float,
    quality: bool,
    cycles: int,
) -> None:
    """Run refresh cycles every --interval seconds and when files arrive, one at a time, until SIGTERM/Ctrl+C.

    A failed cycle keeps the last good publish, is logged with why, and is retried after a backoff.
    On DuckDB, while idle, it prepares the standby the next cycle starts from (one copy of the
    published warehouse after a build, load or forecast) so that no delivery waits for a copy.
    """
    from salespulse.watch import Schedule
    from salespulse.watch import watch as run

    if interval == 0 and not on_arrival:
        raise click.UsageError("with --interval 0 and --no-on-arrival no cycle would ever run")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True)
    folder, workbooks = _delivery(data_dir)
    schedule = Schedule(
        interval=interval,
        on_arrival=on_arrival,
        poll=poll,
        max_backoff=max(max_backoff, Schedule.min_backoff),
    )
    sys.exit(run(target, folder, workbooks, schedule, quality=quality, cycles=cycles))


def _interrupted(what: str, stop: DbtInterrupted, target: str | None) -> NoReturn:
    """Say that a signal stopped dbt and what readers see now, then exit 128 + the signal's number."""
    from salespulse.handover import published_path

    if published_path(target) is not None:
        after = "Nothing was published: the dashboards keep showing the previous build."
    else:
        after = "In place (PostgreSQL): the models dbt finished were replaced; the others keep their data."
    click.echo(f"{what} interrupted: {stop}. {after}", err=True)
    sys.exit(stop.exit_code)


@main.command()
@target_option()
def quality(target: str | None) -> None:
    """Run the Great Expectations suite on the built marts; write its data docs to artifacts/gx/."""
    from salespulse.quality import main_summary

    sys.exit(main_summary(target))


@main.command()
@target_option()
@click.option(
    "--backtest-cutoff",
    type=DAY,
    help="Last day of the backtest's training data (default: 12 months before the last complete month).",
)
def forecast(target: str | None, backtest_cutoff: object) -> None:
    """Forecast monthly sales 12 months ahead (after `salespulse build`), with intervals and a backtest.

    Lands raw.forecast_monthly and raw.forecast_backtest in one transaction, then builds the forecast
    models (dbt build --select source:forecast+).
    """
    from salespulse.dbt import DbtInterrupted
    from salespulse.forecast.run import ForecastBuild, forecast_and_build
    from salespulse.handover import run_staged

    cutoff = backtest_cutoff.date() if backtest_cutoff is not None else None  # type: ignore[attr-defined]
    # DuckDB: in a copy of the warehouse, published only when the forecast models built (salespulse.handover)
    try:
        outcome: ForecastBuild = run_staged(
            target,
            lambda env: forecast_and_build(target, env, backtest_cutoff=cutoff, capture=False),
            succeeded=lambda done: done.dbt_returncode == 0,
        )
    except DbtInterrupted as stop:
        _interrupted("forecast", stop, target)
    for line in outcome.run.summary():
        click.echo(line)
    if outcome.dbt_returncode:
        sys.exit(outcome.dbt_returncode)


@main.command()
@target_option()
def summary(target: str | None) -> None:
    """Row counts and amount totals of the raw layer."""
    from salespulse.rawstats import raw_totals
    from salespulse.warehouse import connect

    with connect(target) as warehouse:
        for table, values in raw_totals(warehouse).items():
            shown = ", ".join(f"{k}={v:,}" for k, v in values.items())
            click.echo(f"raw.{table}: {shown}")


@main.command()
@click.option("--write", is_flag=True, help="Rewrite the generated files.")
@click.option("--check", is_flag=True, help="Fail if a generated file is out of date.")
def contract(write: bool, check: bool) -> None:
    """Print the raw data contract page; --write / --check it and the dbt sources generated from it."""
    from salespulse.contract_doc import render, render_all

    if not (write or check):
        click.echo(render())
        return
    stale = []
    for path, text in render_all().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            click.echo(f"wrote {path}")
        else:
            stale.append(path)
    if stale:
        click.echo("out of date (run `salespulse contract --write`): " + ", ".join(map(str, stale)), err=True)
        sys.exit(1)


@main.command("export-parquet")
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default="artifacts/parquet", show_default=True
)
@target_option()
def export_parquet(out_dir: Path, target: str | None) -> None:
    """Write every reporting view to <out>/<view>.parquet (Power BI's no-server source)."""
    from salespulse.export import export_reporting_parquet
    from salespulse.warehouse import connect

    with connect(target) as warehouse:
        for item in export_reporting_parquet(warehouse, out_dir):
            click.echo(f"{item.path}: {item.rows:,} rows")
    click.echo(f"In Power BI set WarehouseSource = Parquet and ParquetFolder = {out_dir.resolve()}{os.sep}")


@main.command()
@click.option("--host", help="Address to listen on (default: SALESPULSE_WEB_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port (default: SALESPULSE_WEB_PORT or 8050).")
@target_option()
@click.option(
    "--demo-users", is_flag=True, help="First create an account (password 'demo') for everyone in sales_reps."
)
def serve(host: str | None, port: int | None, target: str | None, demo_users: bool) -> None:
    """Serve the web dashboard (http://127.0.0.1:8050 by default) until Ctrl+C."""
    from salespulse.web.server.app import serve as run
    from salespulse.web.server.app import settings

    default_host, default_port = settings()
    run(host or default_host, port or default_port, target=target, demo_users=demo_users)


@main.group()
def users() -> None:
    """Web dashboard accounts: passwords, sessions, revocation, lockouts, audit log (SALESPULSE_APP_DB)."""


def _accounts() -> tuple[AppDB, AuditLog]:
    """The app database of ``SALESPULSE_APP_DB`` and its audit log on the system clock, opened the one
    way every ``users`` command needs them (the web app opens its own in ``salespulse.web.server.app``)."""
    from salespulse.web.server.appdb import AppDB, app_db_path
    from salespulse.web.server.audit import AuditLog
    from salespulse.web.server.security import system_clock

    db = AppDB(app_db_path())
    return db, AuditLog(db, system_clock)


@users.command("set-password")
@click.argument("email")
def users_set_password(email: str) -> None:
    """Create the account of EMAIL, or reset its password (asked twice, not echoed)."""
    import getpass

    db, _ = _accounts()
    password = getpass.getpass(f"password for {email}: ")
    if password != getpass.getpass("again: "):
        click.echo("the passwords differ", err=True)
        sys.exit(1)
    db.set_password(email, password)
    click.echo(f"{email}: password set in {db.path}")


@users.command("demo-users")
@target_option()
def users_demo_users(target: str | None) -> None:
    """An account (password 'demo') for everyone in reporting.sales_reps who has none yet."""
    from salespulse.web.query.readers import open_reader
    from salespulse.web.server.appdb import DEMO_PASSWORD, create_demo_users

    db, _ = _accounts()
    created = create_demo_users(db, open_reader(target))
    click.echo(f"{len(created)} demo account(s) created in {db.path} (password {DEMO_PASSWORD!r})")


@users.command("sessions")
@click.argument("email", required=False)
def users_sessions(email: str | None) -> None:
    """List the sessions not ended yet (of EMAIL, or of everyone)."""
    from salespulse.web.server.appdb import iso_time

    db, _ = _accounts()
    found = db.sessions(email)
    for item in found:
        click.echo(
            f"{item.email}  signed in {iso_time(item.created_at)}  last request {iso_time(item.last_seen_at)}"
            f"  from {item.address or '?'}"
        )
    click.echo(f"{len(found)} session(s)")


@users.command("revoke")
@click.argument("email")
def users_revoke(email: str) -> None:
    """End every session of EMAIL now (its next request must sign in again)."""
    db, audit = _accounts()
    ended = db.end_sessions(email)
    audit.record("sessions_revoked", email, sessions=ended, by="salespulse users revoke")
    click.echo(f"{email}: {ended} session(s) ended")


@users.command("delete")
@click.argument("email")
def users_delete(email: str) -> None:
    """Delete the account of EMAIL and end its sessions (someone who left; their saved views stay)."""
    db, audit = _accounts()
    ended = db.end_sessions(email)
    if not db.delete_user(email):
        click.echo(f"{email}: no such account", err=True)
        sys.exit(1)
    audit.record("account_deleted", email, sessions=ended, by="salespulse users delete")
    click.echo(f"{email}: account deleted, {ended} session(s) ended")


@users.command("unlock")
@click.argument("who")
def users_unlock(who: str) -> None:
    """Lift the sign-in lockout of WHO (an e-mail or a client address) and forget its failures."""
    from salespulse.web.server.throttle import account_key, address_key

    db, _ = _accounts()
    key = account_key(who) if "@" in who else address_key(who)
    click.echo(f"{key}: {'unlocked' if db.unlock(key) else 'was not locked'}")


@users.command("audit")
@click.option("--email", help="Only this e-mail's entries.")
@click.option("--event", help="Only this event (sign_in, sign_in_failed, lockout, export, ...).")
@click.option("--limit", default=50, show_default=True, help="How many of the newest entries.")
def users_audit(email: str | None, event: str | None, limit: int) -> None:
    """Print the newest entries of the audit log (sign-ins, failures, lockouts, sign-outs, exports)."""
    import json

    db, _ = _accounts()
    for entry in db.audit_entries(email=email, event=event, limit=limit):
        detail = json.dumps(entry.detail, sort_keys=True)
        click.echo(f"{entry.at}  {entry.event:<16} {entry.email or '-'}  {entry.address or '-'}  {detail}")


@main.group()
def powerbi() -> None:
    """The Power BI project under powerbi/: write it from the semantic layer, check it offline."""


@powerbi.command("write")
def powerbi_write() -> None:
    """Regenerate the PBIP (TMDL model, PBIR report), the dbt measure macros and the layout pictures."""
    from salespulse.powerbi.project import write_all

    for path in write_all():
        click.echo(f"wrote {path}")


@powerbi.command("check")
@target_option("Also check the model against this target's reporting views.")
def powerbi_check(target: str | None) -> None:
    """Every offline check: JSON schemas, TMDL vs warehouse, DAX, best-practice rules, no secrets."""
    from salespulse.powerbi.project import run_checks

    problems, skipped = run_checks(target)
    for note in skipped:
        click.echo(f"skipped: {note}", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in powerbi/", err=True)
        sys.exit(1)
    click.echo("powerbi/: all checks passed")


if __name__ == "__main__":
    main()
