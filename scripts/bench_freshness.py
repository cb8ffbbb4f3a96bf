#!/usr/bin/env python3
"""File arrival -> visible in the web, with `salespulse watch` running while the web is being used.

    python scripts/bench_freshness.py --warehouse W.duckdb --data-dir DELIVERY [--deliveries 5]

On copies of a built warehouse W (published the way `salespulse build` leaves it) and of the delivery
folder it was loaded from, with the settings pinned as in bench_build.py:

1. start `salespulse serve --demo-users` on 127.0.0.1 (a free port) and `salespulse watch --interval 0`
   (cycles only when files arrive) on the copies; wait until the watch is idle (after a build it first
   prepares the standby its cycles start from: its time is reported, not part of any latency);
2. sign in as a demo user (a manager) and keep a second signed-in user busy on the web meanwhile: the
   page layout (which carries the freshness header) and every page in turn, as fast as it answers
   (the default: one core kept busy), or ``--think`` seconds apart (a person's pace);
3. per delivery: `salespulse generate --trickle --count 1` writes the next delivery into a staging copy
   of the folder (it follows on from the extracts there; generating is not part of the latency), then
   the new file is moved into the watched folder (a rename: the arrival moment, t0);
4. poll the layout every 0.5 s until its header says "loaded <time>" with a time at or after t0 (the
   loader stamps the rows it lands; refresh publishes the rows and the models built on them as one
   hand-over, so the header cannot move before the data). The latency is then - t0.

Target: p95 <= 60 s. Results: bench/results/freshness-<label>.json and a table on stdout, with the
machine's load, the web's request count and its latency while the refreshes ran.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import PINNED, ROOT, SALESPULSE, copy_warehouse, has_command

RESULTS = ROOT / "bench" / "results"
PASSWORD = "demo"  # salespulse.web.server.appdb.DEMO_PASSWORD
LOADED = re.compile(r"loaded (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGES = ("/", "/reps", "/customer", "/product", "/campaigns", "/forecast", "/clients")  # web/pages
IDLE = "idle: waiting for"  # salespulse.watch: the watch waits for files
STANDBY = re.compile(r"the standby for the next cycle is ready \(([0-9.]+) s\)")
HANDOVER = re.compile(r"hand-over: (took the standby|copied the published warehouse \([^)]*\))")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_users(warehouse: Path, count: int) -> list[str]:
    """E-mails of demo accounts, managers first (they see every row)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select lower(trim(email)) from raw.sales_reps
            order by employee_id not in (select manager_id from raw.sales_reps where manager_id is not null),
                employee_id
            """
        ).fetchall()
    return [email for (email,) in rows[:count]]


def sign_in(base: str, email: str, timeout: float = 60.0) -> requests.Session:
    session = requests.Session()
    deadline = time.monotonic() + timeout
    while True:
        try:
            page = session.get(f"{base}/login", timeout=10)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    token = CSRF.search(page.text)
    form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else "", "next": "/"}
    answer = session.post(f"{base}/login", data=form, allow_redirects=False, timeout=30)
    if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
        raise SystemExit(f"could not sign in as {email}: HTTP {answer.status_code}")
    return session


def loaded_at(session: requests.Session, base: str) -> datetime | None:
    """The "loaded ..." time of the freshness header in the layout the signed-in user gets."""
    layout = session.get(f"{base}/_dash-layout", timeout=30)
    found = LOADED.search(layout.text) if layout.ok else None
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) if found else None


@dataclass
class WebUse:
    """A second user on the web while the refreshes run: the layout and each page, round and round."""

    session: requests.Session
    base: str
    think: float = 0.0
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            for path in ("/_dash-layout", *PAGES):
                started = time.perf_counter()
                try:
                    ok = self.session.get(f"{self.base}{path}", timeout=60).status_code < 500
                except requests.RequestException:
                    ok = False
                self.seconds.append(time.perf_counter() - started)
                self.errors += not ok
                if self.think and self.stop.wait(self.think):
                    return


def new_files(folder: Path, before: set[Path]) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p not in before and not p.name.startswith(".")
    )


def arrive(staging: Path, watched: Path, seed: int, lines: int) -> float:
    """Write the next trickle delivery in ``staging``, move it into ``watched``; the arrival time (epoch)."""
    before = {p for p in staging.rglob("*") if p.is_file()}
    subprocess.run(
        [SALESPULSE, "generate", "--trickle", "--out", str(staging), "--count", "1", "--every", "0",
         "--lines", str(lines), "--seed", str(seed)],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    created = new_files(staging, before)
    hidden = []
    for path in created:  # copy beside, then rename: the watcher never sees half a file
        target = watched / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".{target.name}.part")
        shutil.copyfile(path, part)
        hidden.append((part, target))
    arrived = time.time()
    for part, target in hidden:
        os.replace(part, target)
    return arrived


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))] if ordered else 0.0


def publish_copy(warehouse: Path, published: Path) -> Path:
    """A copy of ``warehouse`` published at ``published`` as `salespulse build` leaves a build."""
    from salespulse.handover import staged

    with staged(published) as build_file:
        copy_warehouse(warehouse, build_file)
    return published


def wait_for(log: Path, text: str, timeout: float, process: subprocess.Popen[bytes]) -> float:
    """Seconds until ``text`` is in ``log`` (the process's output); fails if it exits first."""
    started = time.monotonic()
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() - started > timeout:
            raise SystemExit(f"{log} never said {text!r}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    return time.monotonic() - started


def bench(args: argparse.Namespace) -> dict[str, object]:
    work: Path = args.work_dir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    published = publish_copy(args.warehouse, work / "wh" / "salespulse.duckdb")
    watched, staging = work / "delivery", work / "staging"
    shutil.copytree(args.data_dir, watched)
    shutil.copytree(args.data_dir, staging)
    env = {
        **os.environ,
        **PINNED,
        "SALESPULSE_DUCKDB_PATH": str(published),
        "SALESPULSE_APP_DB": str(work / "app.sqlite"),
        "SALESPULSE_DATA_DIR": str(watched),
        "DBT_TARGET_PATH": str(work / "target"),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = {name: (work / f"{name}.log").open("w") for name in ("serve", "watch")}
    serve = subprocess.Popen(
        [SALESPULSE, "serve", "--host", "127.0.0.1", "--port", str(port), "--demo-users"],
        env=env, cwd=ROOT, stdout=logs["serve"], stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    watch = subprocess.Popen(
        [SALESPULSE, "watch", "--data-dir", str(watched), "--interval", "0", "--poll", "1"],
        env=env, cwd=ROOT, stdout=logs["watch"], stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    latencies: list[dict[str, object]] = []
    users = demo_users(published, 2)
    try:
        ready_seconds = wait_for(work / "watch.log", IDLE, args.timeout, watch)
        poller = sign_in(base, users[0])
        user = WebUse(sign_in(base, users[-1]), base, think=args.think)
        worker = threading.Thread(target=user.run, daemon=True)
        worker.start()
        for number in range(args.deliveries):
            load_before = os.getloadavg()[0]
            arrived = arrive(staging, watched, seed=1000 + number, lines=args.lines)
            shown = None
            while time.time() - arrived < args.timeout:
                stamp = loaded_at(poller, base)
                if stamp is not None and stamp.timestamp() >= int(arrived):
                    shown = time.time()
                    break
                time.sleep(0.5)
            latency = (shown - arrived) if shown else None
            latencies.append({"delivery": number + 1, "seconds": latency, "load_before": load_before,
                              "load_after": os.getloadavg()[0]})  # fmt: skip
            print(
                f"delivery {number + 1}: " + (f"visible after {latency:.1f} s" if latency else "NOT visible")
            )
            time.sleep(args.pause)
        user.stop.set()
        worker.join(timeout=120)
    finally:
        for process in (watch, serve):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (watch, serve):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for handle in logs.values():
            handle.close()
    seen = [float(item["seconds"]) for item in latencies if item["seconds"] is not None]  # type: ignore[arg-type]
    watch_log = (work / "watch.log").read_text(errors="replace")
    standby = STANDBY.search(watch_log)
    return {
        "order_lines": args.label,
        "lines_per_delivery": args.lines,
        "deliveries": latencies,
        "visible": len(seen),
        "p50_seconds": statistics.median(seen) if seen else None,
        "p95_seconds": percentile(seen, 0.95) if seen else None,
        "max_seconds": max(seen) if seen else None,
        "web_think_seconds": args.think,
        "web_requests": len(user.seconds),
        "web_errors": user.errors,
        "web_p95_seconds": percentile(user.seconds, 0.95),
        "watch_ready_seconds": ready_seconds,
        "standby_prepared_seconds": float(standby.group(1)) if standby else None,
        "handovers": HANDOVER.findall(watch_log),
        "target": "p95 <= 60 s",
        "logs": str(work),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, required=True, help="a built DuckDB warehouse (only read)")
    parser.add_argument("--data-dir", type=Path, required=True, help="the delivery it was loaded from")
    parser.add_argument("--deliveries", type=int, default=5)
    parser.add_argument("--lines", type=int, default=200, help="order-line rows per delivery")
    parser.add_argument(
        "--pause", type=float, default=5.0, help="seconds between a delivery shown and the next"
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds between the second user's requests (0: none)"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="give a delivery up after this long")
    parser.add_argument("--label", default="10000000")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "work" / "freshness")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (copies, logs)")
    args = parser.parse_args()
    if not has_command("watch"):
        raise SystemExit("this checkout has no `salespulse watch`: nothing to measure")
    result = bench(args)
    print(
        f"file arrival -> visible in the web: {result['visible']}/{args.deliveries} deliveries, "
        f"p50 {result['p50_seconds']} s, p95 {result['p95_seconds']} s, max {result['max_seconds']} s; "
        f"web meanwhile: {result['web_requests']} requests, {result['web_errors']} errors, "
        f"p95 {result['web_p95_seconds']:.2f} s"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"freshness-{args.label}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"written to {out}")
    if not args.keep:
        shutil.rmtree(args.work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
