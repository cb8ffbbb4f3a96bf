"""Export routes: what is on screen as CSV (one table, or a ZIP of all), Excel or PDF.

``GET /export/<csv|xlsx|pdf>?page=<slug>&state=<json>[&table=<dataset>]``. Computed on the
server for the signed-in user's scope, like the screen: the browser's ``state`` only proposes
filters, ``resolve`` keeps those the scope offers (see ``ui.state``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, request

from salespulse.web.exports.report import Report, describe_scope, file_stem
from salespulse.web.exports.report_csv import report_zip, table_csv
from salespulse.web.exports.report_pdf import pdf_bytes
from salespulse.web.exports.report_xlsx import workbook_bytes
from salespulse.web.server.audit import record_export
from salespulse.web.ui import context
from salespulse.web.ui.screen import screen_data, shown
from salespulse.web.ui.state import calendar_of, describe, resolve
from salespulse.web.ui.visuals import PAGES, visuals

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
MAX_STATE = 20_000  # characters of a state: far more than any real selection


def export_href(fmt: str, slug: str, state: dict[str, Any], table: str | None = None) -> str:
    """The URL of an export of a page with a state (what the screen's links point at)."""
    query = {"page": slug, "state": json.dumps(state, separators=(",", ":"), sort_keys=True)}
    if table:
        query["table"] = table
    return f"/export/{fmt}?{urlencode(query)}"


def _state() -> dict[str, Any]:
    text = request.args.get("state") or "{}"
    if len(text) > MAX_STATE:
        abort(400, "filter state too large")
    try:
        value = json.loads(text)
    except ValueError:
        abort(400, "filter state is not JSON")
    if not isinstance(value, dict):
        abort(400, "filter state must be an object")
    return value


def build_report(slug: str, state: dict[str, Any]) -> Report:
    """The page ``slug`` for the signed-in user and ``state``, as a report."""
    scope = context.scope()
    options = context.options(scope)
    resolved = resolve(state, options, context.geo_index(scope), context.allowed(scope))
    data = screen_data(slug, resolved, scope, context.reader())
    notice = "Nothing you may see matches these filters." if resolved.empty else ""
    filters = describe(resolved, context.labels(scope))
    series = data.get("series")
    if series is not None and len(series):  # the Forecast page: which series it shows
        chosen = series[series["Selected"]]
        filters.append(("Forecast series", str(chosen["Label"].iloc[0]) if len(chosen) else "none"))
    return Report(
        title=PAGES[slug],
        slug=slug,
        user=describe_scope(scope),
        as_of=calendar_of(options).as_of,
        generated=datetime.now(UTC),
        filters=filters,
        datasets=shown(slug, data),
        visuals=visuals(slug),
        notice=notice,
    )


def _download(body: bytes, name: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export(fmt: str) -> Response:
    slug = request.args.get("page", "")
    if slug not in PAGES or fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    report = build_report(slug, _state())
    scope = context.scope()  # the audit log: who, what, within which scope
    record_export(scope, describe_scope(scope), fmt, slug, report.filters, request.args.get("table"))
    stem = file_stem(report.title)
    if fmt == "xlsx":
        return _download(workbook_bytes(report), f"{stem}.xlsx", FORMATS["xlsx"])
    if fmt == "pdf":
        return _download(pdf_bytes(report), f"{stem}.pdf", FORMATS["pdf"])
    table = request.args.get("table")
    if table:
        if not any(item.dataset == table for item in visuals(slug)):
            abort(404)
        frame = report.datasets.get(table)
        if frame is None:  # nothing the user may see matches: an empty file, never other data
            return _download(b"", f"{stem}-{file_stem(table)}.csv", FORMATS["csv"])
        return _download(table_csv(frame), f"{stem}-{file_stem(table)}.csv", FORMATS["csv"])
    return _download(report_zip(report), f"{stem}-csv.zip", FORMATS["zip"])


def init_exports(server: Flask) -> None:
    server.add_url_rule("/export/<fmt>", "export", export, methods=["GET"])
