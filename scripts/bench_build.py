#!/usr/bin/env python3
"""Issue 15's build benchmarks, in one run on copies of one loaded raw warehouse (`make bench` runs it).

    python scripts/bench_build.py --warehouse W.duckdb --data-dir DELIVERY [--label 10000000]

1. **Baseline vs build**, back to back: bench/baseline.py (hand-written DuckDB SQL doing the core of the
   build) on one copy, then `salespulse build --skip-quality` (every model, dbt's data and unit tests,
   the hand-over: copy the published file, build the copy, swap the link) on another. Target: the build
   <= 2x the baseline. The quality suite is NOT inside that figure: it is step 2, and the table also
   gives build + quality against the baseline.
2. **Quality suite** (`salespulse quality`'s code, Data Docs into the work folder) on the built
   warehouse. Targets at 10 M lines: <= 60 s and <= 4 GB peak resident memory.
3. **Incremental refresh**, REFRESH_CYCLES times: a 10 k-line trickle delivery (new orders, late updates to
   old lines, cancellations: `salespulse generate --trickle --lines 10000 --count 1`) into a copy of the
   delivery folder, then `salespulse refresh` on the built warehouse; each with what the cycle said
   (copy or standby, full or selected build) and dbt's slowest nodes. Targets, on the last (steady)
   cycle: <= 10 % of the full build and <= 15 s. Skipped (and said so) when this checkout has no
   `refresh` command. Every step runs with the settings PINNED.

Every figure comes with the machine's load (1-minute load average before and after the step): the
machine's 2 CPUs may be shared. W is only read (copied). Results: bench/results/build-<label>.json and
a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
SALESPULSE = str(BIN / "salespulse")

#: Refresh cycles measured: the first after the build copies the published file (a build is no cycle,
#: its standby is not taken) and, in the 10 M data, moves the as-of date into a new day (a full build);
#: the second starts from the standby, one cycle behind; the third is the steady state.
REFRESH_CYCLES = 3
#: Settings pinned for every step: the trickle crosses into the year after the extract, which would
#: otherwise move the history window and the budget year (a full rebuild, as any setting change).
PINNED = {"SALESPULSE_BUDGET_YEAR": "2024", "SALESPULSE_HISTORY_START": "2022-01-01"}

#: The lines of `salespulse refresh`'s output that say what the cycle did.
CYCLE_LINES = ("INFO hand-over", "landed", "only what", "full build", "nothing landed", "refresh:")

QUALITY = (
    "import sys; from pathlib import Path; from salespulse.quality import main_summary; "
    "sys.exit(main_summary(None, docs_dir=Path(sys.argv[1])))"
)


@dataclass
class Measured:
    step: str
    seconds: float
    cpu_seconds: float  # user + system of the step and its children: what the load cannot stretch
    peak_rss_mb: float
    returncode: int
    load_before: float
    load_after: float
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def load_average() -> float:
    return os.getloadavg()[0]


def measure(step: str, command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run ``command`` (output to ``log``); its wall time, peak RSS (its own and its children's) and load."""
    before = load_average()
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl+C / SIGTERM of the benchmark: stop the step too (it forwards to dbt)
            process.terminate()
            process.wait()
            raise
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    # ru_maxrss of wait4 is the largest of the process and its waited-for descendants (dbt, its threads)
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(
        step, seconds, cpu, usage.ru_maxrss / 1024, code, before, load_average(), note=f"log: {log}"
    )


def copy_warehouse(source: Path, target: Path) -> Path:
    """A private copy of the file ``source`` resolves to (and its WAL, if any)."""
    resolved = Path(os.path.realpath(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resolved, target)
    wal = resolved.with_name(resolved.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target


def salespulse(checkout: Path) -> tuple[list[str], dict[str, str]]:
    """The CLI of ``checkout``: its ``src/`` first on the path, so its models and macros are built."""
    if checkout.resolve() == ROOT:
        return [SALESPULSE], {}
    return [sys.executable, "-m", "salespulse.cli"], {"PYTHONPATH": str(checkout.resolve() / "src")}


def has_command(name: str, cli: list[str] | None = None, env: dict[str, str] | None = None) -> bool:
    listed = subprocess.run(
        [*(cli or [SALESPULSE]), "--help"], capture_output=True, text=True, cwd=ROOT, env=env
    ).stdout
    return any(line.split()[:1] == [name] for line in listed.splitlines())


def bench(warehouse: Path, data_dir: Path, work: Path, checkout: Path) -> list[Measured]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = {**os.environ, **PINNED, "DBT_TARGET_PATH": str(work / "target")}
    cli, cli_env = salespulse(checkout)
    steps: list[Measured] = []

    # 1. back to back: the baseline, then the build, each on its own copy of the same raw warehouse
    baseline_db = copy_warehouse(warehouse, work / "baseline" / "salespulse.duckdb")
    built = copy_warehouse(warehouse, work / "build" / "salespulse.duckdb")
    baseline_json = work / "baseline.json"
    baseline = measure(
        "baseline (bench/baseline.py)",
        [sys.executable, str(ROOT / "bench" / "baseline.py"), str(baseline_db), "--json", str(baseline_json)],
        base,
        work / "baseline.log",
    )
    if baseline_json.exists():
        baseline.extra = json.loads(baseline_json.read_text())
    steps.append(baseline)
    baseline_db.unlink()
    env = {**base, "SALESPULSE_DUCKDB_PATH": str(built)}
    build = measure(
        "build --skip-quality (models + tests + publish)",
        [*cli, "build", "--skip-quality", "--target", "duckdb"],
        env | cli_env,
        work / "build.log",
    )
    steps.append(build)

    # 2. the quality suite on the built warehouse (this checkout's code, whichever checkout built it)
    quality = measure(
        "quality suite (GX)", [sys.executable, "-c", QUALITY, str(work / "gx")], env, work / "quality.log"
    )
    summary = [line for line in (work / "quality.log").read_text().splitlines() if "Data quality" in line]
    quality.note = summary[0] if summary else quality.note
    steps.append(quality)

    # 3. an incremental refresh of a 10 k-line delivery with late updates
    if not has_command("refresh", cli, base | cli_env):
        steps.append(
            Measured(
                "refresh (10 k lines)", 0, 0, 0, -1, load_average(), load_average(), "no refresh command"
            )
        )
        return steps
    delivery = work / "delivery"
    shutil.copytree(data_dir, delivery)
    for cycle in range(1, REFRESH_CYCLES + 1):
        trickle_args = [
            "--trickle",
            "--lines",
            "10000",
            "--count",
            "1",
            "--every",
            "0",
            "--seed",
            str(14 + cycle),
        ]
        trickle = measure(
            f"generate --trickle (10 k lines) #{cycle}",
            [*cli, "generate", "--out", str(delivery), *trickle_args],
            env | cli_env,
            work / f"trickle-{cycle}.log",
        )
        steps.append(trickle)
        refresh = measure(
            f"refresh (10 k lines, late updates) #{cycle}",
            [*cli, "refresh", "--data-dir", str(delivery), "--target", "duckdb"],
            env | cli_env,
            work / f"refresh-{cycle}.log",
        )
        refresh.extra = cycle_facts(work / f"refresh-{cycle}.log", Path(base["DBT_TARGET_PATH"]))
        steps.append(refresh)
    return steps


def cycle_facts(log: Path, target: Path) -> dict[str, object]:
    """What a refresh did (how the hand-over started, what it built) and dbt's slowest nodes."""
    text = log.read_text(errors="replace") if log.exists() else ""
    said = [line.strip()[:200] for line in text.splitlines() if line.startswith(CYCLE_LINES)]
    facts: dict[str, object] = {"said": said}
    results = target / "run_results.json"
    if results.exists():
        nodes = json.loads(results.read_text())["results"]
        facts["dbt_nodes"] = len(nodes)
        facts["dbt_seconds_summed"] = round(sum(n["execution_time"] for n in nodes), 1)
        slowest = sorted(nodes, key=lambda n: -n["execution_time"])[:12]
        facts["slowest"] = [f"{n['execution_time']:.2f} s {n['unique_id']}" for n in slowest]
    return facts


def ratios(steps: list[Measured]) -> dict[str, float]:
    by = {s.step.split(" (")[0]: s for s in steps}
    out: dict[str, float] = {}
    if "baseline" in by and "build --skip-quality" in by and by["baseline"].seconds:
        out["build / baseline"] = by["build --skip-quality"].seconds / by["baseline"].seconds
        out["build / baseline, CPU time"] = (
            by["build --skip-quality"].cpu_seconds / by["baseline"].cpu_seconds
        )
        if "quality suite" in by:
            out["(build + quality) / baseline"] = (
                by["build --skip-quality"].seconds + by["quality suite"].seconds
            ) / by["baseline"].seconds
    refreshes = [s for s in steps if s.step.startswith("refresh") and s.returncode == 0]
    if refreshes and "build --skip-quality" in by:  # the last cycle: the steady state
        out["refresh / build"] = refreshes[-1].seconds / by["build --skip-quality"].seconds
    return out


def table(steps: list[Measured], found: dict[str, float]) -> str:
    lines = [f"{'step':<50} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'rc':>3} {'load before/after':>18}"]
    for s in steps:
        lines.append(
            f"{s.step:<50} {s.seconds:>8.1f} {s.cpu_seconds:>8.1f} {s.peak_rss_mb:>8,.0f} {s.returncode:>3} "
            f"{s.load_before:>8.1f} / {s.load_after:<8.1f}"
        )
    lines += [f"{name:<50} {value:>8.2f}x" for name, value in found.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, required=True, help="a loaded DuckDB warehouse (only read)")
    parser.add_argument("--data-dir", type=Path, required=True, help="the delivery it was loaded from")
    parser.add_argument("--label", default="10000000", help="names the results file (order lines)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "work" / "build")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (warehouse copies)")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="build with this checkout's package, models and macros (e.g. `git archive` of a commit)",
    )
    args = parser.parse_args()

    steps = bench(args.warehouse, args.data_dir, args.work_dir, args.checkout)
    found = ratios(steps)
    print(table(steps, found))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"build-{args.label}.json"
    out.write_text(
        json.dumps(
            {
                "order_lines": args.label,
                "checkout": str(args.checkout.resolve()),
                "cpus": os.cpu_count(),
                "steps": [asdict(s) for s in steps],
                "ratios": found,
                "targets": {
                    "build / baseline": "<= 2",
                    "quality": "<= 60 s and <= 4096 MB at 10 M lines",
                    "refresh": "<= 10 % of the build and <= 15 s",
                },
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nwritten to {out}")
    if not args.keep:
        shutil.rmtree(args.work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
