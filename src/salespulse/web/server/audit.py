"""The audit log: who signed in, failed to, was locked out, signed out, timed out, and what they
exported, when, from which address and with which scope and filters (``audit_log`` of the app
database; ``salespulse users audit`` prints it).

Events: ``sign_in``, ``sign_in_failed`` (a wrong password, or an account without a dashboard
role), ``sign_in_refused`` (tried while locked out), ``lockout`` (a counter reached its limit:
``kind`` account or address), ``sign_out``, ``session_expired`` (``reason`` idle or absolute, noted
when the expired cookie comes back) and ``export`` (``format``, ``page``, ``table``, ``scope``,
``filters``), ``access_denied`` (signed out: the e-mail lost its role in ``reporting.sales_reps``),
and from the command line ``sessions_revoked`` and ``account_deleted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, request

from salespulse.web.query.filters import Scope
from salespulse.web.server.appdb import AppDB, iso_time
from salespulse.web.server.security import Clock

EXTENSION = "salespulse.audit"


@dataclass(frozen=True)
class AuditLog:
    db: AppDB
    clock: Clock

    def record(self, event: str, email: str = "", **detail: Any) -> None:
        """Note ``event`` of ``email``, from the current request's client address (if any)."""
        address = (request.remote_addr or "") if has_request_context() else ""
        self.db.audit(iso_time(self.clock()), event, email or "", address, detail)


def audit_log() -> AuditLog:
    """The app's audit log (set up by ``salespulse.web.server.auth.init_auth``)."""
    log: AuditLog = current_app.extensions[EXTENSION]
    return log


def record_export(
    scope: Scope,
    scope_text: str,
    fmt: str,
    page: str,
    filters: Sequence[tuple[str, str]],
    table: str | None = None,
) -> None:
    """Note an export by the signed-in user (``scope``, described as on the report): the export route
    calls this once per download, with the filters as they apply (after the scope has been
    applied), as written on the report."""
    audit_log().record(
        "export",
        scope.email,
        format=fmt,
        page=page,
        table=table or "all",
        scope=scope_text,
        role=scope.role,
        region=scope.region,
        sales_rep_key=scope.sales_rep_key,
        filters=[[str(name), str(value)] for name, value in filters],
    )
