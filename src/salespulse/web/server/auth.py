"""Sign-in, sessions and the request guard of the web app.

- Accounts live in the app database (``appdb``): an e-mail and an Argon2 hash. Whether the
  person may see anything, and what, is decided per request from the warehouse
  (``resolve_scope``): an account whose e-mail is not (or no longer) in ``reporting.sales_reps``
  with a role cannot sign in and is signed out.
- Sessions live on the server (``appdb`` ``sessions``): the signed cookie carries only a random
  token. Signing out deletes the session, ``salespulse users revoke`` deletes all of an account's,
  and a session ends after ``SALESPULSE_SESSION_IDLE_MINUTES`` without a request or
  ``SALESPULSE_SESSION_MAX_HOURS`` after signing in: a copy of the cookie is worthless after any
  of these.
- Wrong passwords are throttled per e-mail and per client address (``throttle``); sign-ins,
  failures, lockouts, sign-outs, time-outs and exports go to the audit log (``audit``).
- Every route but ``/login`` and the files really in the assets folder answers 401 (API:
  callbacks, exports, layout) or redirects to the sign-in page (pages) without a session.
- State-changing requests carry a CSRF token: the sign-in and sign-out forms in a hidden field,
  Dash's callbacks in the ``X-CSRFToken`` header (the Dash renderer copies it from the
  ``_csrf_token`` cookie); the session cookie is HttpOnly and SameSite=Lax (and Secure with a
  ``__Host-`` name behind HTTPS: ``SALESPULSE_WEB_SECURE_COOKIES``).
- The Content-Security-Policy allows scripts from the app only, plus the one inline script Dash
  writes into each page (by its hash, ``content_security_policy``); see docs/deploy.md.
"""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from salespulse.web.query.filters import AccessDenied, Scope, resolve_scope
from salespulse.web.server.appdb import AppDB
from salespulse.web.server.assetversions import is_current_version
from salespulse.web.server.audit import EXTENSION as AUDIT_EXTENSION
from salespulse.web.server.audit import AuditLog
from salespulse.web.server.security import Clock, SecuritySettings
from salespulse.web.server.services import reader
from salespulse.web.server.throttle import Throttle

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
ASSETS_PREFIX = "/assets/"
LIBRARY_PREFIX = "/_dash-component-suites/"
PUBLIC_PATHS = ("/login", "/_favicon.ico")
#: Paths answered with 401 rather than a redirect to the sign-in page.
API_PREFIXES = ("/_dash", "/export/", "/api/", "/_reload-hash")
#: A versioned asset file: the same bytes at that address for good.
IMMUTABLE = "public, max-age=31536000, immutable"
#: The key of the server-side session's token in the (signed) cookie session.
SESSION_TOKEN = "sid"
EXTENSION = "salespulse.signin"


def content_security_policy(script_hashes: Sequence[str] = ()) -> str:
    """The Content-Security-Policy of every response.

    Scripts: the app's own files, and the inline scripts Dash writes into its page by their hash
    (``Dash.csp_hashes()``: the renderer's start-up line, plus clientside callbacks if any are
    added); no ``'unsafe-inline'``, no ``'unsafe-eval'`` (Dash 4.4 and Plotly 3 need neither).
    Styles keep ``'unsafe-inline'``: Plotly writes ``style`` attributes into its SVG and the
    components set inline styles, which a CSP can only allow wholesale; a style cannot run code.
    """
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *script_hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'self'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · salespulse</title><link rel="stylesheet" href="/assets/app.css"></head>
<body class="login-body">
<main class="login-card">
  <h1>salespulse</h1>
  <p class="muted">Internet sales dashboard</p>
  {% if error %}<p class="login-error" role="alert">{{ error }}</p>{% endif %}
  <form method="post" action="/login">
    <input type="hidden" name="csrf_token" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next }}">
    <label for="email">E-mail</label>
    <input id="email" name="email" type="email" autocomplete="username" required autofocus
           value="{{ email }}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button id="login-submit" type="submit">Sign in</button>
  </form>
</main></body></html>"""


class User(UserMixin):
    def __init__(self, email: str) -> None:
        self.id = email
        self.email = email


@dataclass
class SignIn:
    """What the sign-in needs, kept on the Flask app (``signin()``)."""

    db: AppDB
    settings: SecuritySettings
    clock: Clock
    throttle: Throttle
    audit: AuditLog
    assets: Path
    policy: str = CONTENT_SECURITY_POLICY


def signin() -> SignIn:
    found: SignIn = current_app.extensions[EXTENSION]
    return found


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _csrf_ok(value: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and value and hmac.compare_digest(str(expected), str(value)))


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return "/"
    return target


def current_scope() -> Scope:
    """The signed-in user's scope, from ``reporting.sales_reps`` (once per request)."""
    if "scope" not in g:
        if not current_user.is_authenticated:
            raise AccessDenied("sign in first")
        g.scope = resolve_scope(current_user.email, reader())
    return g.scope


def is_public_asset(path: str, assets: Path) -> bool:
    """``path`` names a file inside the assets folder (after resolving links and ``..``).

    Only those are served without a session: an empty segment (``/assets//overview``), a dot
    segment, a backslash or a path to anything but an existing file is treated as any other path.
    """
    if not path.startswith(ASSETS_PREFIX):
        return False
    relative = path[len(ASSETS_PREFIX) :]
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in relative or "\x00" in relative:
        return False
    root = assets.resolve()
    target = root.joinpath(*parts).resolve()
    return target.is_relative_to(root) and target.is_file()


def _current_version(path: str) -> bool:
    """The request names the public asset ``path`` with the version the file has now."""
    file = signin().assets.joinpath(*path[len(ASSETS_PREFIX) :].split("/"))
    return is_current_version(file, request.args.get("v"), request.args.get("m"))


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _public_asset(path: str) -> bool:
    """``is_public_asset`` of the request's path (checked once per request)."""
    if "salespulse_asset" not in g:
        g.salespulse_asset = is_public_asset(path, signin().assets)
    public: bool = g.salespulse_asset
    return public


def _guard() -> Response | None:
    path = request.path
    if path in PUBLIC_PATHS or _public_asset(path):
        return None
    if not current_user.is_authenticated:
        if SESSION_TOKEN in session:  # signed out elsewhere, revoked or timed out: drop the cookie
            session.clear()
        if _is_api(path) or request.method != "GET":
            return _json_error("sign in first", 401)
        return redirect("/login?next=" + _quote(request.full_path.rstrip("?")))
    changes = request.method not in ("GET", "HEAD", "OPTIONS") and path != "/logout"  # logout: form token
    if changes and not _csrf_ok(request.headers.get(CSRF_HEADER)):
        return _json_error("missing or wrong CSRF token", 403)
    if path.startswith(LIBRARY_PREFIX):  # Dash's own code: a session suffices, no warehouse lookup
        return None
    try:
        current_scope()
    except AccessDenied as error:
        _end_session("access_denied")
        if _is_api(path):
            return _json_error(str(error), 403)
        return redirect("/login")
    return None


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")


def _json_error(message: str, status: int) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _headers(response: Response) -> Response:
    services = signin()
    response.headers.setdefault("Content-Security-Policy", services.policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if services.settings.hsts_seconds:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={services.settings.hsts_seconds}")
    if _public_asset(request.path):
        # no session is looked up for it; asked for with its current version (``?v=`` / Dash's
        # ``?m=``), the file is kept a year and not asked for again (a new version is a new address)
        if response.status_code in (200, 304) and _current_version(request.path):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
    if request.path.startswith(LIBRARY_PREFIX):
        # Dash's and Plotly's own code, the same for everyone: versioned files are kept a year (Dash
        # sets it); the others (the charts' 4.8 MB Plotly among them) are revalidated by their ETag,
        # never downloaded and compiled again on every page.
        response.headers.setdefault("Cache-Control", "private, no-cache")
        return response
    response.headers.setdefault("Cache-Control", "no-store")
    if current_user.is_authenticated and session.get("csrf"):
        response.set_cookie(
            CSRF_COOKIE,
            session["csrf"],
            samesite="Strict",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=False,  # the Dash renderer reads it and sends it back as a header
        )
    return response


def _login_page(error: str = "", email: str = "", next_path: str = "/", status: int = 200) -> Any:
    html = render_template_string(LOGIN_PAGE, error=error, email=email, next=next_path, csrf=csrf_token())
    return html, status


def _locked(seconds: float, email: str, next_path: str) -> Any:
    """The answer while locked out: the same for an e-mail with an account and one without."""
    minutes = max(1, math.ceil(seconds / 60))
    html, status = _login_page(
        f"Too many failed sign-ins: try again in {minutes} minute{'s' if minutes > 1 else ''}.",
        email,
        next_path,
        429,
    )
    return html, status, {"Retry-After": str(math.ceil(seconds))}


def _login() -> Any:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")))
        return _login_page(next_path=safe_next(request.args.get("next")))
    next_path = safe_next(request.form.get("next"))
    email = (request.form.get("email") or "").strip()[:254]
    if not _csrf_ok(request.form.get("csrf_token")):
        return _login_page("The form expired: please sign in again.", email, next_path, 400)
    services = signin()
    address = request.remote_addr or ""
    wait = services.throttle.retry_after(email, address)
    if wait:
        services.audit.record("sign_in_refused", email, reason="locked out")
        return _locked(wait, email, next_path)
    account = services.db.verify(email, request.form.get("password") or "")
    if account is None:
        services.audit.record("sign_in_failed", email, reason="wrong e-mail or password")
        locked = services.throttle.failed(email, address)
        for kind in locked:
            minutes = services.settings.lockout_seconds / 60
            services.audit.record("lockout", email, kind=kind, minutes=minutes)
        if locked:
            return _locked(services.throttle.retry_after(email, address), email, next_path)
        return _login_page("Wrong e-mail or password.", email, next_path, 401)
    try:
        resolve_scope(account, reader())
    except AccessDenied:
        services.audit.record("sign_in_failed", account, reason="no dashboard role")
        return _login_page("This account has no dashboard role.", email, next_path, 403)
    services.throttle.succeeded(email)
    if session.get(SESSION_TOKEN):  # signing in again in the same browser: the old session ends
        services.db.end_session(str(session[SESSION_TOKEN]))
    session.clear()  # nothing of the anonymous session carries over (no session fixation)
    session[SESSION_TOKEN] = services.db.create_session(
        account,
        services.clock(),
        address=address,
        user_agent=request.user_agent.string,
        idle=services.settings.idle_seconds,
        absolute=services.settings.absolute_seconds,
    )
    login_user(User(account))
    session["csrf"] = secrets.token_urlsafe(32)  # a new token for the signed-in session
    services.audit.record("sign_in", account)
    return redirect(next_path)


def _end_session(event: str) -> None:
    """End the request's server-side session (noted as ``event``) and clear the cookie."""
    token = session.get(SESSION_TOKEN)
    if token:
        email = signin().db.end_session(str(token))
        if email:
            signin().audit.record(event, email)
    logout_user()
    session.clear()


def _logout() -> Any:
    if current_user.is_authenticated and not _csrf_ok(request.form.get("csrf_token")):
        return _json_error("missing or wrong CSRF token", 403)
    _end_session("sign_out")
    response = redirect("/login")
    response.delete_cookie(CSRF_COOKIE)
    return response


def _load_user(user_id: str) -> User | None:
    """The user of the request's server-side session, or ``None`` (anonymous) when there is none:
    never issued, signed out, revoked, timed out, or the account is gone."""
    token = session.get(SESSION_TOKEN)
    if not token:
        return None
    services = signin()
    info, ended = services.db.resume_session(
        str(token),
        services.clock(),
        idle=services.settings.idle_seconds,
        absolute=services.settings.absolute_seconds,
    )
    if info is None:
        return None
    if ended:
        services.audit.record("session_expired", info.email, reason=ended)
        return None
    if info.email.lower() != str(user_id).lower():
        return None
    return User(info.email)


def init_auth(
    server: Flask,
    db: AppDB,
    *,
    assets: Path,
    settings: SecuritySettings | None = None,
    clock: Clock | None = None,
) -> SignIn:
    """Sign-in routes, the user loader, the guard and the security headers on ``server``.

    ``settings`` default to the environment's (``security_settings()``), ``clock`` to the
    system's; ``assets`` is the folder served under ``/assets/``. Set ``SignIn.policy`` once the
    Dash app knows its inline scripts (``content_security_policy(app.csp_hashes())``).
    """
    from salespulse.web.server.security import security_settings, system_clock

    settings = settings or security_settings()
    clock = clock or system_clock
    audit = AuditLog(db, clock)
    services = SignIn(db, settings, clock, Throttle(db, settings, clock), audit, Path(assets))
    server.extensions[EXTENSION] = services
    server.extensions[AUDIT_EXTENSION] = audit

    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "basic"
    manager.user_loader(_load_user)

    @manager.unauthorized_handler
    def unauthorized() -> Response:
        return _json_error("sign in first", 401)

    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # the __Host- prefix: the browser keeps the cookie only if Secure, for this host, path /
        SESSION_COOKIE_NAME="__Host-salespulse_session" if settings.secure_cookies else "salespulse_session",
    )
    server.before_request(_guard)
    server.after_request(_headers)
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])
    return services
