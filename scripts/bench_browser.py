#!/usr/bin/env python3
"""Browser benchmark: the time a user feels on each page of the web dashboard, in Chromium.

    python scripts/bench_browser.py                    # the warehouse of the current settings
    SALESPULSE_DUCKDB_PATH=... python scripts/bench_browser.py --rounds 3 --pages customer

The app is served as ``salespulse serve`` serves it (waitress, its own process) on a free port of
127.0.0.1, and Debian's Chromium, driven by Playwright with the flags of the browser tests, signs in
as the manager and, on every page: switches to it, changes filters (a region, a category, a quick
pick, a client on Customer Details, and clears each), drills (or cross-filters) by clicking a
chart, types a client's name in the type-ahead and loads the page afresh; plus the sign-in itself.

"Time" is what the user waits for: from the input event (the click or key that starts the action;
the start of the navigation for a first load) to the moment the page is quiet, measured in the
page: no request in flight, none of Dash's loading states, and no DOM change (charts drawn) for
``--quiet-ms``; the time reported ends at the last response or DOM change, not when quiet was seen.
Not a change: Dash's graph toggling its unstyled "dash-graph--pending" class for the size check it
runs 100 ms after a chart's first draw (this benchmark counted it until 2026-12-06).
Charts below the first screen are drawn when they are scrolled near (assets/plotly-bundle.js), so
an action's time covers what it draws on the screen at 1440 x 1000; a drill first scrolls its chart
into view, untimed. The sign-in is reported on its own: it includes the password check (Argon2id).
Each sample also records the requests it made: which callback, its time and response size, so the
report says where the time goes (server and network until the last response, then drawing).

The browser keeps its HTTP cache, as a user coming back has it (``--no-cache``: a browser that keeps
nothing, every request answered in full, as on a first visit; the benchmark's runs before this
option had no cache); no request may leave 127.0.0.1 (other host names do not resolve, and any
request elsewhere fails the run). ``--actions first load`` times first loads only.

Target on a 2-core machine: p95 <= 1 s per page and action up to 1 M order lines, <= 1.5 s above.
Results: artifacts/bench/browser-<label>.json (every sample) and .md (p50 / p95 per page and
action). Timings are of the machine as it is: other jobs sharing the CPUs lengthen them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "artifacts" / "bench"
# the package, and the browser tests' helpers: Debian's Chromium, its flags and the pages, as the
# tests drive them
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "python")]
from web_browsing import CHROMIUM, CHROMIUM_ARGS, SLUGS  # noqa: E402

TIMEOUT_MS = 180_000
ACTIONS = ("first load", "page switch", "filter change", "drill", "type-ahead")
#: The columns of the report: the actions, and the sign-in (Sales Overview loaded after the password
#: check; not a first load: Argon2id spends about 130 ms on the password here, by design).
COLUMNS = (*ACTIONS, "sign-in")
#: The chart each page is drilled (or cross-filtered) on by a click of its first bar.
DRILLS = {
    "overview": "product_drill",
    "reps": "time_drill",
    "customer": "time_drill",
    "product": "time_drill",
    "campaigns": "sales_by_campaign",
    "forecast": "projected_vs_budget",
    "clients": "clients_acquired_by_rep",
}
REGIONS = ("Europe", "North America", "Pacific")
QUICK_PICKS = ("Year to date", "Last 12 months", "Last 24 months")
TYPED = ("an", "er", "ma", "co", "st")
#: An option of the open dropdown (Dash's own dropdown: a label around a hidden input).
OPTION = ".dash-dropdown-option:visible"

#: Injected into every document before the app's scripts: counts requests in flight (fetch and
#: XHR), keeps each request's callback, timing and size, the last DOM change, and the start of an
#: action (the first input event after ``arm``; kept in sessionStorage across a navigation).
PROBE = r"""
(() => {
  const b = window.__bench = {inflight: 0, lastNet: 0, lastDom: 0, armed: false, requests: [],
                              resources: []};
  const epoch = (t) => performance.timeOrigin + t;
  // the network's own times (the promises above resolve late when the page is busy drawing)
  performance.setResourceTimingBufferSize(100000);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      b.resources.push({url: e.name, start: epoch(e.startTime), first_byte: epoch(e.responseStart),
                        end: epoch(e.responseEnd), bytes: e.encodedBodySize});
      b.lastNet = Math.max(b.lastNet, e.responseEnd);
    }
  }).observe({type: 'resource', buffered: true});
  const label = (body) => {
    try {
      const outputs = JSON.parse(body).outputs;
      const first = Array.isArray(outputs) ? outputs[0] : outputs;
      return typeof first.id === 'string' ? first.id + '.' + first.property : JSON.stringify(first.id);
    } catch (e) { return ''; }
  };
  const origFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const item = {url: url, callback: label(init && init.body), start: epoch(performance.now()),
                  end: null, bytes: 0};
    b.requests.push(item); b.inflight++; b.lastNet = performance.now();
    const promise = origFetch.apply(this, arguments);
    promise.then((r) => r.clone().arrayBuffer()).then((buf) => { item.bytes = buf.byteLength; })
      .catch(() => {}).finally(() => {
        item.end = epoch(performance.now()); b.inflight--; b.lastNet = performance.now();
      });
    return promise;
  };
  const open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__url = url;
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    const item = {url: String(this.__url), callback: '', start: epoch(performance.now()),
                  end: null, bytes: 0};
    b.requests.push(item); b.inflight++; b.lastNet = performance.now();
    this.addEventListener('loadend', () => {
      item.end = epoch(performance.now());
      item.bytes = (this.responseText || '').length;
      b.inflight--; b.lastNet = performance.now();
    });
    return send.apply(this, arguments);
  };
  const start = (event) => {
    if (!b.armed) return;
    b.armed = false;
    sessionStorage.setItem('benchStart', String(epoch(event.timeStamp)));
  };
  window.addEventListener('pointerdown', start, true);
  window.addEventListener('keydown', start, true);
  b.arm = (navigation) => {
    sessionStorage.removeItem('benchStart');
    b.armed = !navigation;
  };
  // Dash's graph marks itself "dash-graph--pending" while Plotly draws and again for the size check
  // it runs 100 ms after the first draw (Plots.resize's timer): a class with no style, not a change
  // anyone sees, so a mutation that only toggles it is not a DOM change here
  const unseen = (m) => m.type === 'attributes' && m.attributeName === 'class' &&
    [m.oldValue || '', m.target.getAttribute('class') || ''].map(
      (c) => c.split(/\s+/).filter((n) => n && n !== 'dash-graph--pending').sort().join(' ')
    ).reduce((a, c) => a === c);
  new MutationObserver((list) => { if (!list.every(unseen)) b.lastDom = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true,
                        characterData: true});
})();
"""

#: Polled in the page: the action's sample once the page has been quiet for ``quiet`` ms.
QUIET = """
(quiet) => {
  const b = window.__bench;
  if (!b || b.armed || b.inflight > 0 || document.readyState !== 'complete') return false;
  if (document.querySelector('._dash-loading-callback, [data-dash-is-loading="true"]')) return false;
  const stored = sessionStorage.getItem('benchStart');
  const start = stored === null ? performance.timeOrigin : Number(stored);
  const last = performance.timeOrigin + Math.max(b.lastNet, b.lastDom);
  const end = Math.max(last, start);
  if (performance.timeOrigin + performance.now() - end < quiet) return false;
  const resources = b.resources.filter((r) => r.start >= start - 1);
  const timing = (r) => {  // the resource entry of a request: same address, nearest start
    const url = new URL(r.url, location.href).href;
    const gap = (e) => Math.abs(e.start - r.start);
    let best = null;
    for (const e of resources) {
      if (e.url === url && (best === null || gap(e) < gap(best))) best = e;
    }
    return best;
  };
  const requests = b.requests.filter((r) => r.start >= start - 1 && r.end !== null).map((r) => {
    const e = timing(r) || {first_byte: r.end, end: r.end, start: r.start};
    return {url: r.url, callback: r.callback, start_ms: r.start - start, bytes: r.bytes,
            server_ms: e.first_byte - r.start, ms: e.end - r.start, handled_ms: r.end - r.start};
  });
  const lastResponse = Math.max(start, ...resources.map((e) => e.end));
  return {ms: end - start, network_ms: lastResponse - start, requests: requests};
}
"""


@dataclass
class Sample:
    page: str
    action: str
    what: str
    ms: float
    #: Until the last response arrived (server and network); the rest is drawing.
    network_ms: float
    requests: list[dict[str, Any]] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manager_email() -> tuple[str, int]:
    """The manager's e-mail (VP Sales) and the order lines of the warehouse read."""
    from salespulse.web.query.readers import open_reader

    reader = open_reader()
    try:
        (email,) = reader.query(
            "select email from reporting.sales_reps where job_title = 'VP Sales' order by employee_id limit 1"
        )[0]
        (lines,) = reader.query("select count(*) from reporting.sales")[0]
    finally:
        reader.close()  # type: ignore[attr-defined]
    return str(email), int(lines)


@contextmanager
def served(work: Path, email: str) -> Iterator[str]:
    """``salespulse serve`` on a free port with an app database holding the manager's account."""
    from salespulse.web.server.appdb import DEMO_PASSWORD, AppDB

    app_db = work / "app.sqlite"
    AppDB(app_db).set_password(email, DEMO_PASSWORD)
    port = free_port()
    env = {**os.environ, "SALESPULSE_APP_DB": str(app_db)}
    log = (work / "server.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "salespulse"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit(f"the server stopped: see {work / 'server.log'}")
            try:
                urllib.request.urlopen(base + "/login", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not answer within a minute")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


class Bench:
    """One browser tab and the samples it takes."""

    def __init__(self, page: Any, base: str, quiet_ms: int) -> None:
        self.page = page
        self.base = base
        self.quiet_ms = quiet_ms
        self.samples: list[Sample] = []
        #: Actions that asked the server nothing (a click that changed no filter): not timed.
        self.no_ops: list[Sample] = []
        self.slug = ""

    # -- timing
    def arm(self, navigation: bool = False) -> None:
        self.page.evaluate("(navigation) => window.__bench.arm(navigation)", navigation)

    def idle(self) -> dict[str, Any]:
        handle = self.page.wait_for_function(QUIET, arg=self.quiet_ms, polling=50, timeout=TIMEOUT_MS)
        return handle.json_value()  # type: ignore[no-any-return]

    def settle(self) -> None:
        """Wait for quiet, unmeasured (between actions)."""
        self.arm(navigation=True)
        self.idle()

    def record(self, action: str, what: str, slug: str | None = None) -> Sample:
        found = self.idle()
        sample = Sample(slug or self.slug, action, what, found["ms"], found["network_ms"], found["requests"])
        if any("_dash-update-component" in r["url"] for r in sample.requests) or action in (
            "first load",
            "sign-in",
        ):
            self.samples.append(sample)
            print(f"{sample.page:<10} {action:<14} {what:<28} {sample.ms:8.0f} ms", flush=True)
        else:
            self.no_ops.append(sample)
            print(f"{sample.page:<10} {action:<14} {what:<28} no request: not timed", flush=True)
        return sample

    # -- actions
    def sign_in(self, email: str) -> None:
        page = self.page
        page.context.clear_cookies()
        page.goto(self.base + "/overview")
        page.fill("#email", email)
        page.fill("#password", "demo")
        self.arm()
        page.click("#login-submit")
        page.wait_for_selector(".kpi", timeout=TIMEOUT_MS)
        self.slug = "overview"
        self.record("sign-in", "password, then Sales Overview")

    def first_load(self, slug: str) -> None:
        self.arm(navigation=True)
        self.page.goto(f"{self.base}/{slug}")
        self.page.wait_for_selector("#page-content", timeout=TIMEOUT_MS)
        self.slug = slug
        self.record("first load", "open the link")

    def switch(self, slug: str) -> None:
        self.arm()
        self.page.click(f"#nav-{slug}")
        self.slug = slug
        self.record("page switch", "from another page")

    def pick(self, dropdown: str, option: str | int, what: str) -> None:
        """Open a slicer, pick an option (by its text, or the n-th), close it: timed from the pick."""
        page = self.page
        page.click(dropdown)
        options = page.locator(OPTION)
        options.first.wait_for(timeout=TIMEOUT_MS)
        if isinstance(option, int):
            target = options.nth(option % options.count())
        else:
            target = options.filter(has_text=option).first
        self.arm()
        target.click()
        page.keyboard.press("Escape")
        self.record("filter change", what)

    def clear(self) -> None:
        self.arm()
        self.page.click("#clear-all")
        self.record("filter change", "clear all")

    def drill(self, visual: str) -> bool:
        """Click the largest bar of a chart (a bar of zero width cannot be clicked); ``False`` when
        the chart has none to click."""
        page = self.page
        # on the screen and drawn first (charts below the first screen draw when scrolled near):
        # scrolling to it is not part of the drill
        page.locator(f"[data-visual={visual}]").scroll_into_view_if_needed()
        page.locator(f"[data-visual={visual}] .main-svg").first.wait_for(timeout=TIMEOUT_MS)
        self.settle()
        bars = page.locator(f"[data-visual={visual}] .bars .point path")
        if bars.count() == 0:
            return False
        bars.first.scroll_into_view_if_needed()
        boxes = [bars.nth(i).bounding_box() for i in range(min(bars.count(), 40))]
        sized = [box for box in boxes if box and box["width"] * box["height"] > 0]
        if not sized:
            return False
        box = max(sized, key=lambda b: b["width"] * b["height"])
        self.arm()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.record("drill", f"click {visual}")
        return True

    def type_ahead(self, typed: str, choose: bool) -> None:
        """Type a client's name: timed from the last key to the options shown; ``choose``: then
        pick the first client (a filter change)."""
        page = self.page
        page.click("#f-customer-keys")
        page.keyboard.type(typed[:-1])
        self.arm()
        page.keyboard.type(typed[-1])
        self.record("type-ahead", f"type {typed!r}")
        options = page.locator(OPTION)
        if choose and options.count():
            self.arm()
            options.first.click()
            page.keyboard.press("Escape")
            self.record("filter change", "a client")
        else:
            page.keyboard.press("Escape")
            self.settle()


def run_round(bench: Bench, slugs: tuple[str, ...], number: int, actions: Collection[str] = ACTIONS) -> None:
    """Every page's ``actions`` once (the page is reached by a switch unless only first loads are
    timed; the samples of actions not asked for are dropped by ``main``)."""
    for slug in slugs:
        if set(actions) - {"first load"}:
            if bench.slug == slug:  # a switch needs another page to come from
                bench.page.click(f"#nav-{'reps' if slug == 'overview' else 'overview'}")
                bench.slug = ""
                bench.settle()
            bench.switch(slug)
        if "filter change" in actions:
            bench.pick("#f-regions", REGIONS[number % len(REGIONS)], "a region")
            bench.clear()
            bench.pick("#f-categories", number, "a category")
            bench.clear()
            bench.pick("#quick-pick", QUICK_PICKS[number % len(QUICK_PICKS)], "a quick pick")
            bench.clear()
        if "drill" in actions and bench.drill(DRILLS[slug]):
            bench.clear()
        if "type-ahead" in actions:
            bench.type_ahead(TYPED[number % len(TYPED)], choose=slug == "customer")
            if slug == "customer":
                bench.clear()
        if "first load" in actions:
            bench.first_load(slug)


def summarise(samples: list[Sample], order_lines: int, target_ms: float) -> dict[str, Any]:
    def stats(items: list[Sample]) -> dict[str, Any]:
        values = [s.ms for s in items]
        calls: dict[str, list[tuple[float, float, int]]] = {}
        for sample in items:
            for request in sample.requests:
                if "_dash-update-component" in request["url"]:
                    calls.setdefault(request["callback"], []).append(
                        (request["server_ms"], request["ms"], request["bytes"])
                    )
        return {
            "n": len(values),
            "p50_ms": round(statistics.median(values)),
            "p95_ms": round(percentile(values, 0.95)),
            "max_ms": round(max(values)),
            "network_p50_ms": round(statistics.median(s.network_ms for s in items)),
            "drawing_p50_ms": round(statistics.median(s.ms - s.network_ms for s in items)),
            "requests_p50": statistics.median(len(s.requests) for s in items),
            "callbacks": {
                name: {
                    "calls": len(found),
                    "server_p50_ms": round(statistics.median(server for server, _, _ in found)),
                    "p50_ms": round(statistics.median(ms for _, ms, _ in found)),
                    "p50_kb": round(statistics.median(size for _, _, size in found) / 1024, 1),
                }
                for name, found in sorted(calls.items())
            },
        }

    pages: dict[str, dict[str, Any]] = {}
    for slug in SLUGS:
        for action in COLUMNS:
            found = [s for s in samples if s.page == slug and s.action == action]
            if found:
                pages.setdefault(slug, {})[action] = stats(found)
    every = [s.ms for s in samples]
    return {
        "order_lines": order_lines,
        "samples": len(samples),
        "target_p95_ms": target_ms,
        "p50_ms": round(statistics.median(every)) if every else None,
        "p95_ms": round(percentile(every, 0.95)) if every else None,
        "worst": sorted(
            (
                {"page": p, "action": a, "p95_ms": v["p95_ms"]}
                for p, acts in pages.items()
                for a, v in acts.items()
            ),
            key=lambda item: -item["p95_ms"],
        )[:5],
        "pages": pages,
    }


def markdown(summary: dict[str, Any], label: str) -> str:
    target = summary["target_p95_ms"]
    lines = [
        f"# Browser benchmark, {summary['order_lines']:,} order lines ({label})",
        "",
        f"Manager, Chromium; p50 / p95 in ms from the action to charts drawn and the network idle "
        f"(target p95 <= {target:,.0f} ms). {summary['samples']} samples; browser cache: "
        f"{summary.get('cache', 'HTTP cache on')}. Times are of the machine as it was, other jobs included.",
        "",
        "| page | " + " | ".join(COLUMNS) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for slug, actions in summary["pages"].items():
        cells = []
        for action in COLUMNS:
            found = actions.get(action)
            if found is None:
                cells.append("")
                continue
            flag = " **over**" if found["p95_ms"] > target else ""
            cells.append(f"{found['p50_ms']:,} / {found['p95_ms']:,}{flag}")
        lines.append(f"| {slug} | " + " | ".join(cells) + " |")
    if summary.get("not_timed"):
        lines += ["", "Not timed (the action asked the server nothing): " + "; ".join(summary["not_timed"])]
    lines += [
        "",
        "Where the time goes, per page and action (p50): until the last response (server and network), "
        "then drawing; each callback's time to its first byte (server), to its last, and its size:",
        "",
    ]
    for slug, actions in summary["pages"].items():
        for action, found in actions.items():
            calls = ", ".join(
                f"{name} {c['server_p50_ms']} / {c['p50_ms']} ms, {c['p50_kb']} KB"
                for name, c in found["callbacks"].items()
            )
            lines.append(
                f"- {slug}, {action}: responses {found['network_p50_ms']} ms, "
                f"drawing {found['drawing_p50_ms']} ms; {calls}"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="times each page's actions are repeated")
    parser.add_argument("--pages", nargs="+", choices=SLUGS, default=list(SLUGS))
    parser.add_argument("--quiet-ms", type=int, default=400, help="quiet time that ends an action")
    parser.add_argument("--label", default=None, help="results file suffix (default: the order-line count)")
    parser.add_argument("--target-ms", type=float, default=None, help="p95 target (default: by scale)")
    parser.add_argument(
        "--actions",
        nargs="+",
        choices=ACTIONS,
        default=list(ACTIONS),
        help="the actions timed (default: all)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="a browser that keeps nothing (every request answered in full: a first visit each time); "
        "default: the HTTP cache works as for a user coming back",
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"needs Debian's chromium at {CHROMIUM} (make setup installs it)")
    from playwright.sync_api import sync_playwright

    email, order_lines = manager_email()
    target_ms = args.target_ms or (1000.0 if order_lines <= 1_000_000 else 1500.0)
    label = args.label or str(order_lines)
    slugs = tuple(args.pages)
    with (
        tempfile.TemporaryDirectory(prefix="salespulse-bench-browser-") as tmp,
        served(Path(tmp), email) as base,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            str(Path(tmp) / "profile"),
            executable_path=str(CHROMIUM),
            # nothing may leave the machine: no other host's name resolves (unlike a Playwright
            # route, this keeps the browser's HTTP cache, as a user has it)
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
            headless=True,
            viewport={"width": 1440, "height": 1000},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(PROBE)
        elsewhere: list[str] = []
        context.on(
            "request",
            lambda request: (
                None if urlsplit(request.url).hostname == "127.0.0.1" else elsewhere.append(request.url)
            ),
        )
        if args.no_cache:  # every request through Playwright: the browser's cache is switched off
            context.route("**/*", lambda route: route.continue_())
        bench = Bench(context.new_page(), base, args.quiet_ms)
        bench.sign_in(email)
        run_round(bench, slugs, 0, args.actions)  # warm-up: caches, the OS's file cache, the browser's
        bench.samples.clear()
        bench.no_ops.clear()
        for number in range(args.rounds):
            bench.sign_in(email)
            run_round(bench, slugs, number + 1, args.actions)
        context.close()
    if elsewhere:
        raise SystemExit(f"requests left the machine: {sorted(set(elsewhere))}")

    timed = [s for s in bench.samples if s.action in (*args.actions, "sign-in")]  # a sign-in every round
    summary = summarise(timed, order_lines, target_ms)
    summary["cache"] = "none (--no-cache)" if args.no_cache else "HTTP cache on"
    summary["not_timed"] = sorted({f"{s.page}: {s.action}, {s.what}" for s in bench.no_ops})
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"browser-{label}.json"
    raw = {"raw": [asdict(s) for s in timed], "no_ops": [asdict(s) for s in bench.no_ops]}
    out.write_text(json.dumps(summary | raw, indent=1) + "\n")
    report = markdown(summary, label)
    (RESULTS / f"browser-{label}.md").write_text(report)
    print(report)
    print(f"written to {out} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
