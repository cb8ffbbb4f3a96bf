"""Sign-in, sessions and the request guard of the web app.

- Accounts live in the app database (``appdb``): an e-mail and an Argon2 hash. Whether the
  person may see anything, and what, is decided per request from the warehouse
  (``resolve_scope``): an account whose e-mail is not (or no longer) in ``reporting.sales_reps``
  with a role cannot sign in and is signed out.
- Every route but ``/login`` and the static ``/assets/`` answers 401 (API: callbacks, exports,
  layout) or redirects to the sign-in page (pages) without a session.
- State-changing requests carry a CSRF token: the sign-in and sign-out forms in a hidden field,
  Dash's callbacks in the ``X-CSRFToken`` header (the Dash renderer copies it from the
  ``_csrf_token`` cookie); the session cookie is HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from salespulse.web.filters import AccessDenied, Scope, resolve_scope

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
PUBLIC_PREFIXES = ("/assets/",)
PUBLIC_PATHS = ("/login", "/_favicon.ico")
#: Paths answered with 401 rather than a redirect to the sign-in page.
API_PREFIXES = ("/_dash", "/export/", "/api/", "/_reload-hash")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # the Dash renderer boots from an inline script; Plotly compiles some functions at run time
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)

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
        from salespulse.web.ui.context import reader

        g.scope = resolve_scope(current_user.email, reader())
    return g.scope


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _guard() -> Response | None:
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if not current_user.is_authenticated:
        if _is_api(path) or request.method != "GET":
            return _json_error("sign in first", 401)
        return redirect("/login?next=" + _quote(request.full_path.rstrip("?")))
    changes = request.method not in ("GET", "HEAD", "OPTIONS") and path != "/logout"  # logout: form token
    if changes and not _csrf_ok(request.headers.get(CSRF_HEADER)):
        return _json_error("missing or wrong CSRF token", 403)
    try:
        current_scope()
    except AccessDenied as error:
        logout_user()
        session.clear()
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
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith(PUBLIC_PREFIXES):
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


def _login() -> Any:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")))
        return _login_page(next_path=safe_next(request.args.get("next")))
    next_path = safe_next(request.form.get("next"))
    email = (request.form.get("email") or "").strip()[:254]
    if not _csrf_ok(request.form.get("csrf_token")):
        return _login_page("The form expired: please sign in again.", email, next_path, 400)
    from salespulse.web.ui.context import app_db, reader

    account = app_db().verify(email, request.form.get("password") or "")
    if account is None:
        return _login_page("Wrong e-mail or password.", email, next_path, 401)
    try:
        resolve_scope(account, reader())
    except AccessDenied:
        return _login_page("This account has no dashboard role.", email, next_path, 403)
    session.clear()
    login_user(User(account))
    session["csrf"] = secrets.token_urlsafe(32)  # a new token for the signed-in session
    return redirect(next_path)


def _logout() -> Any:
    if current_user.is_authenticated and not _csrf_ok(request.form.get("csrf_token")):
        return _json_error("missing or wrong CSRF token", 403)
    logout_user()
    session.clear()
    response = redirect("/login")
    response.delete_cookie(CSRF_COOKIE)
    return response


def init_auth(server: Flask) -> None:
    """Sign-in routes, the user loader, the guard and the security headers on ``server``."""
    manager = LoginManager()
    manager.init_app(server)
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        from salespulse.web.ui.context import app_db

        email = app_db().user_email(user_id)
        return User(email) if email else None

    @manager.unauthorized_handler
    def unauthorized() -> Response:
        return _json_error("sign in first", 401)

    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="salespulse_session",
    )
    server.before_request(_guard)
    server.after_request(_headers)
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])
