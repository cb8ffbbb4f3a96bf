#!/usr/bin/env python3
"""Web dashboard benchmark: server-side time of each page's full set of queries after a filter change.

    python scripts/bench_web.py                       # the warehouse of the current settings
    SALESPULSE_DUCKDB_PATH=... python scripts/bench_web.py --interactions 30

An interaction is what the app does after a user changes a filter: every dataset of the page,
for one user's scope. The filter changes are a fixed, seeded sequence (a region, a category, a
sales rep, a year, the last 12 months, a client type, combinations), run for a manager, a
regional lead and a sales rep, on every page. Target: p95 <= 150 ms per interaction at 10 M order
lines on a 2-core machine. Results go to bench/results/web-<order lines>.json, with the statements
each page ran per interaction (median).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))

from salespulse.web.query.filters import Filters, Scope, resolve_scope  # noqa: E402
from salespulse.web.query.pages import PAGES, filter_options, page_data  # noqa: E402
from salespulse.web.query.readers import open_reader  # noqa: E402
from salespulse.web.query.session import Session  # noqa: E402


def _values(frame, column: str) -> list:  # type: ignore[no-untyped-def]
    return [value for value in frame[column].tolist() if value is not None]


def filter_changes(options: dict, as_of: date, count: int, seed: int = 7) -> list[Filters]:  # type: ignore[type-arg]
    """A fixed sequence of filter states, as a user clicking through slicers would produce."""
    rng = random.Random(seed)
    regions = _values(options["regions"], "Region")
    categories = _values(options["categories"], "Category")
    reps = [int(key) for key in _values(options["sales_reps"], "Sales Rep Key")]
    client_types = _values(options["client_types"], "Client Type")
    years = [as_of.year - 2, as_of.year - 1, as_of.year]
    last_12 = (date(as_of.year - 1, as_of.month, 1), as_of)
    states = [Filters()]
    while len(states) < count:
        state: dict = {}  # type: ignore[type-arg]
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["region", "category", "rep", "year", "last_12", "client_type"])
            if kind == "region" and regions:
                state["regions"] = [rng.choice(regions)]
            elif kind == "category" and categories:
                state["categories"] = [rng.choice(categories)]
            elif kind == "rep" and reps:
                state["sales_rep_keys"] = [rng.choice(reps)]
            elif kind == "year":
                year = rng.choice(years)
                state["date_from"], state["date_to"] = date(year, 1, 1), date(year, 12, 31)
            elif kind == "last_12":
                state["date_from"], state["date_to"] = last_12
            elif client_types:
                state["client_types"] = [rng.choice(client_types)]
        states.append(Filters(**state))
    return states


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", default=None, help="profiles.yml target (default: the setting)")
    parser.add_argument("--interactions", type=int, default=20, help="filter changes per page and scope")
    parser.add_argument("--label", default=None, help="results file suffix (default: the order-line count)")
    args = parser.parse_args()

    reader = open_reader(args.target)
    (order_lines,) = reader.query("select count(*) from reporting.sales")[0]
    emails = {
        role: reader.query(
            "select email from reporting.sales_reps where job_title = ? order by employee_id limit 1", [title]
        )[0][0]
        for role, title in (
            ("manager", "VP Sales"),
            ("regional_lead", "Regional Sales Manager"),
            ("sales_rep", "Sales Representative"),
        )
    }
    scopes: dict[str, Scope] = {role: resolve_scope(email, reader) for role, email in emails.items()}
    (as_of,) = reader.query("select max(date_day) from reporting.dates where is_on_or_before_as_of")[0]
    top = "select {0} from reporting.sales group by {0} order by sum(net_sales_amount) desc limit 1"
    (top_customer,) = reader.query(top.format("customer_key"))[0]
    (top_product,) = reader.query(top.format("product_key"))[0]

    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    statements: dict[str, list[int]] = {page: [] for page in PAGES}
    for role, scope in scopes.items():
        states = filter_changes(filter_options(scope, reader=reader), as_of, args.interactions)
        for page in PAGES:
            page_data(page, Filters(), scope, reader=reader)  # warm-up: first connection, caches
            for state in states:
                if page == "Customer Details":
                    state = Filters(**{**state.__dict__, "customer_keys": (top_customer,)})
                elif page == "Product Details":
                    state = Filters(**{**state.__dict__, "product_keys": (top_product,)})
                session = Session(reader)  # what the app does per request: one session
                started = time.perf_counter()
                page_data(page, state, scope, reader=session)
                timings[page].append((time.perf_counter() - started) * 1000)
                statements[page].append(session.queries)
            print(f"{role:<14} {page:<17} p95 {percentile(timings[page][-len(states) :], 0.95):7.1f} ms")

    every = [value for values in timings.values() for value in values]
    summary = {
        "order_lines": order_lines,
        "interactions": len(every),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "max_ms": round(max(every), 1),
        "pages": {
            page: {
                "p50_ms": round(statistics.median(v), 1),
                "p95_ms": round(percentile(v, 0.95), 1),
                "statements_p50": statistics.median(statements[page]),
            }
            for page, v in timings.items()
        },
        "target_p95_ms": 150,
    }
    print(json.dumps(summary, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"web-{args.label or order_lines}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
