#!/usr/bin/env python3
"""Throughput benchmark: demo-data generation, raw loading, `dbt build`, web page queries and the web
dashboard in a browser at chosen scales.

    python scripts/bench.py                        # 100 k, 1 M and 10 M lines, DuckDB; PostgreSQL at 1 M
    python scripts/bench.py --scales 200000 --postgres-scales 200000 --browser-scales 200000

At the scales of --build-scales (default 10 M) it also runs scripts/bench_build.py on copies of the
loaded raw warehouse: the hand-written baseline (bench/baseline.py) and `salespulse build` back to back
(target: the build <= 2x the baseline), the quality suite (<= 60 s, <= 4 GB), an incremental refresh of a
10 k-line delivery (<= 10 % of the build, <= 15 s); and, at --freshness-scales (default 10 M),
scripts/bench_freshness.py: file arrival -> visible in the web with `salespulse watch` running while the
web is used (p95 <= 60 s), by a user as fast as the server answers and by one a second. Their results:
bench/results/build-<lines>.json, freshness-<lines>.json, freshness-<lines>-paced.json.

Targets (this 2-core machine): 10 M order lines built and tested by dbt on DuckDB in <= 60 s; web
page interactions p95 <= 150 ms server-side at 10 M lines (scripts/bench_web.py,
bench/results/web-<lines>.json); in Chromium, from a user's action to the charts drawn, p95 <= 1 s
at 100 k lines and <= 1.5 s at 10 M (scripts/bench_browser.py, artifacts/bench/browser-<lines>.md).

Each step runs as its own process (the real CLI), so wall time and peak memory are the step's
own. Results print as a table and are written to bench/results/raw-load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"


@dataclass
class Step:
    step: str
    target: str
    order_lines: int
    seconds: float
    peak_rss_mb: float

    @property
    def lines_per_second(self) -> float:
        return self.order_lines / self.seconds if self.seconds else 0.0


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall time (s) and peak resident memory (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def bench_scale(
    lines: int,
    work: Path,
    postgres_env: dict[str, str] | None,
    browser_rounds: int | None,
    build_bench: bool = False,
    freshness_bench: bool = False,
) -> list[Step]:
    data = work / f"data-{lines}"
    shutil.rmtree(data, ignore_errors=True)
    env = {**os.environ, "SALESPULSE_DUCKDB_PATH": str(work / f"warehouse-{lines}.duckdb")}
    Path(env["SALESPULSE_DUCKDB_PATH"]).unlink(missing_ok=True)
    steps = []
    seconds, rss = run(
        [str(BIN / "salespulse"), "generate", "--out", str(data), "--order-lines", str(lines)], env
    )
    steps.append(Step("generate", "files", lines, seconds, rss))
    load = [str(BIN / "salespulse"), "load", "--data-dir", str(data)]
    seconds, rss = run([*load, "--target", "duckdb"], env)
    steps.append(Step("load", "duckdb", lines, seconds, rss))
    seconds, rss = run([*load, "--target", "duckdb"], env)
    steps.append(Step("reload (unchanged)", "duckdb", lines, seconds, rss))
    warehouse = Path(os.path.realpath(env["SALESPULSE_DUCKDB_PATH"]))  # the loaded raw warehouse
    if build_bench:  # baseline vs build, quality, refresh: bench/results/build-<lines>.json (own table)
        issue15 = [sys.executable, str(ROOT / "scripts" / "bench_build.py"), "--label", str(lines)]
        issue15 += ["--warehouse", str(warehouse), "--data-dir", str(data), "--work-dir", str(work / "build")]
        seconds, rss = run(issue15, env)
        steps.append(Step("baseline/build/refresh", "duckdb", lines, seconds, rss))
    build = [str(BIN / "salespulse"), "build", "--skip-quality"]
    quality = [str(BIN / "salespulse"), "quality"]
    seconds, rss = run([*build, "--target", "duckdb"], env)
    steps.append(Step("dbt build", "duckdb", lines, seconds, rss))
    seconds, rss = run([*quality, "--target", "duckdb"], env)
    steps.append(Step("quality (GX)", "duckdb", lines, seconds, rss))
    seconds, rss = run([str(BIN / "salespulse"), "forecast", "--target", "duckdb"], env)
    steps.append(Step("forecast (fit, land, build)", "duckdb", lines, seconds, rss))
    if freshness_bench:  # file arrival -> visible in the web: bench/results/freshness-<lines>[-paced].json
        freshness = [sys.executable, str(ROOT / "scripts" / "bench_freshness.py")]
        freshness += ["--warehouse", env["SALESPULSE_DUCKDB_PATH"], "--data-dir", str(data)]
        freshness += ["--work-dir", str(work / "freshness")]
        seconds, rss = run([*freshness, "--label", str(lines)], env)  # a web user as fast as answered
        steps.append(Step("arrival -> web (watch)", "duckdb", lines, seconds, rss))
        seconds, rss = run([*freshness, "--label", f"{lines}-paced", "--think", "1"], env)
        steps.append(Step("arrival -> web (watch, paced user)", "duckdb", lines, seconds, rss))
    # the web dashboard's server-side time per interaction: bench/results/web-<lines>.json
    seconds, rss = run([sys.executable, str(ROOT / "scripts" / "bench_web.py"), "--label", str(lines)], env)
    steps.append(Step("web pages (all)", "duckdb", lines, seconds, rss))
    if browser_rounds is not None:  # the time a user feels: artifacts/bench/browser-<lines>.md
        browser = [sys.executable, str(ROOT / "scripts" / "bench_browser.py"), "--label", str(lines)]
        seconds, rss = run([*browser, "--rounds", str(browser_rounds)], env)
        steps.append(Step("web in a browser", "duckdb", lines, seconds, rss))
    if postgres_env is not None:
        seconds, rss = run([*load, "--target", "postgres"], {**env, **postgres_env})
        steps.append(Step("load", "postgres", lines, seconds, rss))
        seconds, rss = run([*build, "--target", "postgres"], {**env, **postgres_env})
        steps.append(Step("dbt build", "postgres", lines, seconds, rss))
        seconds, rss = run([*quality, "--target", "postgres"], {**env, **postgres_env})
        steps.append(Step("quality (GX)", "postgres", lines, seconds, rss))
    shutil.rmtree(data, ignore_errors=True)
    Path(env["SALESPULSE_DUCKDB_PATH"]).unlink(missing_ok=True)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--postgres-scales", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--browser-scales", type=int, nargs="*", default=[100_000, 10_000_000])
    parser.add_argument("--browser-rounds", type=int, default=3, help="rounds of every page's actions")
    parser.add_argument("--build-scales", type=int, nargs="*", default=[10_000_000])
    parser.add_argument("--freshness-scales", type=int, nargs="*", default=[10_000_000])
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "work")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "tests" / "python"))  # the throw-away cluster is test tooling
    from pgcluster import ThrowawayCluster

    args.work_dir.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    with ThrowawayCluster() as cluster:
        for lines in args.scales:
            pg_env = cluster.env if lines in args.postgres_scales else None
            rounds = args.browser_rounds if lines in args.browser_scales else None
            steps += bench_scale(
                lines,
                args.work_dir,
                pg_env,
                rounds,
                build_bench=lines in args.build_scales,
                freshness_bench=lines in args.freshness_scales,
            )
    shutil.rmtree(args.work_dir, ignore_errors=True)

    print(f"\n{'step':<20} {'target':<9} {'order lines':>12} {'seconds':>9} {'lines/s':>11} {'peak MB':>9}")
    for s in steps:
        print(
            f"{s.step:<20} {s.target:<9} {s.order_lines:>12,} {s.seconds:>9.1f} "
            f"{s.lines_per_second:>11,.0f} {s.peak_rss_mb:>9,.0f}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "raw-load.json"
    out.write_text(
        json.dumps([asdict(s) | {"lines_per_second": s.lines_per_second} for s in steps], indent=2)
    )
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
