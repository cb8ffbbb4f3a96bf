"""The self-hosted web dashboard: a Plotly Dash app on Flask, served by waitress.

``create_app()`` builds it; ``serve()`` (``salespulse serve``) serves it on
``SALESPULSE_WEB_HOST``:``SALESPULSE_WEB_PORT`` (default http://127.0.0.1:8050). Every asset
(JavaScript, CSS, map shapes) is served by the app itself: nothing is fetched from a CDN. The charts
draw with a partial Plotly bundle that ``npm ci`` builds (``salespulse.web.server.assetversions``), kept
by the browser under an address carrying its version.
Data come from the warehouse of ``SALESPULSE_TARGET`` through the data layer's reader, per request,
so the next interaction after a rebuild shows the new build without a restart.

Sign-in, sessions and the security headers: ``salespulse.web.server.auth`` (settings in
``salespulse.web.server.security``). Running it for many users behind a reverse proxy with TLS:
docs/deploy.md (``SALESPULSE_WEB_THREADS``, ``SALESPULSE_WEB_CONNECTION_LIMIT``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import replace

from dash import Dash
from flask import Flask, Response, redirect, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from salespulse.settings import SettingsError
from salespulse.web.exports.routes import init_exports
from salespulse.web.query.currency import reporting_currency
from salespulse.web.query.readers import Reader, open_reader
from salespulse.web.server.appdb import AppDB, app_db_path, create_demo_users
from salespulse.web.server.assetversions import ASSETS, page_meta_tags
from salespulse.web.server.auth import PUBLIC_PATHS, content_security_policy, init_auth
from salespulse.web.server.security import Clock, SecuritySettings, security_settings
from salespulse.web.server.services import EXTENSION, ScopeCache, Services
from salespulse.web.ui.callbacks import register
from salespulse.web.ui.first_page import serve_layout
from salespulse.web.ui.formatting import use_currency

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
#: waitress: requests served at once, and connections held open (the rest wait in the backlog).
DEFAULT_THREADS = 8
DEFAULT_CONNECTION_LIMIT = 100
#: What Dash's renderer asks for first, once its scripts have run: asked for by the browser as soon
#: as the page's headers arrive (``rel=preload``, matched to the renderer's same-origin ``fetch``).
PRELOADED = ("/_dash-layout", "/_dash-dependencies")
PRELOAD = ", ".join(f"<{path}>; rel=preload; as=fetch; crossorigin=anonymous" for path in PRELOADED)
log = logging.getLogger(__name__)


def _preload_layout(response: Response) -> Response:
    """A dashboard page, signed in: its layout and callbacks preloaded.

    Dash's renderer asks for the layout only once its scripts have been parsed and run, about
    0.1 s after the page's response; preloaded, the server builds the layout meanwhile. The
    layout request's ``Referer`` is still the page's address (the first page drawn with it:
    ``web/ui/first_page.py``)."""
    if (
        response.status_code == 200
        and response.mimetype == "text/html"
        and request.path not in PUBLIC_PATHS
        and current_user.is_authenticated
    ):
        response.headers.setdefault("Link", PRELOAD)
    return response


def create_app(
    reader: Reader | None = None,
    db: AppDB | None = None,
    *,
    target: str | None = None,
    secret_key: str | None = None,
    secure_cookies: bool | None = None,
    security: SecuritySettings | None = None,
    clock: Clock | None = None,
) -> Dash:
    """The Dash app (``app.server`` is its Flask server).

    ``reader``: the warehouse (default: ``open_reader(target)``, ``SALESPULSE_TARGET``);
    ``db``: the app database (default: ``SALESPULSE_APP_DB``); ``security``: sessions, throttling,
    cookies, HSTS and proxies (default: ``security_settings()``, the environment's), with
    ``secure_cookies`` overriding its cookie setting; ``clock``: seconds since the epoch (default:
    the system's; tests pass their own to move time).
    """
    db = db or AppDB(app_db_path())
    reader = reader or open_reader(target)
    security = security or security_settings()
    if secure_cookies is not None:
        security = replace(security, secure_cookies=secure_cookies)
    server = Flask(__name__)
    server.secret_key = secret_key or os.environ.get("SALESPULSE_WEB_SECRET_KEY") or db.secret_key()
    if security.proxy_hops:  # the client's address and scheme as the trusted proxies saw them
        hops = security.proxy_hops
        proxied = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
        server.wsgi_app = proxied  # type: ignore[method-assign]
    server.extensions[EXTENSION] = Services(reader=reader, db=db, cache=ScopeCache())
    # amounts are written with the published warehouse's currency (reporting.settings), read once
    # per request and only by a request that writes one
    server.before_request(lambda: use_currency(lambda: reporting_currency(reader).symbol))
    signin = init_auth(server, db, assets=ASSETS, settings=security, clock=clock)
    init_exports(server)

    app = Dash(
        __name__,
        server=server,
        assets_folder=str(ASSETS),
        # vendored code is not a page script: assets/plotly-bundle.js loads the Plotly bundle
        assets_path_ignore=["^vendor$"],
        meta_tags=page_meta_tags(ASSETS),
        serve_locally=True,
        title="salespulse",
        update_title=None,
        suppress_callback_exceptions=True,
        compress=False,
        enable_mcp=False,
    )
    app.layout = serve_layout
    register(app)
    # after every callback is registered: the hashes of the inline scripts Dash will write
    signin.policy = content_security_policy(app.csp_hashes())
    server.add_url_rule("/", "root", lambda: redirect("/overview"))
    server.after_request(_preload_layout)
    return app


def serve(
    host: str,
    port: int,
    *,
    target: str | None = None,
    demo_users: bool = False,
    threads: int | None = None,
    connection_limit: int | None = None,
) -> None:
    """Serve the dashboard until interrupted (creating the demo accounts first when asked).

    ``threads`` / ``connection_limit``: waitress's (default ``SALESPULSE_WEB_THREADS`` /
    ``SALESPULSE_WEB_CONNECTION_LIMIT``; docs/deploy.md sizes them).
    """
    from waitress import serve as waitress_serve

    default_threads, default_limit = server_limits()

    reader = open_reader(target)
    db = AppDB(app_db_path())
    if demo_users:
        created = create_demo_users(db, reader)
        if created:
            print(f"created {len(created)} demo account(s) in {db.path} (password 'demo')")
    app = create_app(reader, db, target=target)
    print(f"salespulse web dashboard on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    waitress_serve(
        app.server,
        host=host,
        port=port,
        threads=threads or default_threads,
        connection_limit=connection_limit or default_limit,
        ident="salespulse",
    )


def settings(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    env = os.environ if environ is None else environ
    return env.get("SALESPULSE_WEB_HOST", DEFAULT_HOST), int(env.get("SALESPULSE_WEB_PORT", DEFAULT_PORT))


def server_limits(environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """waitress's threads and connection limit: ``SALESPULSE_WEB_THREADS`` (default 8) and
    ``SALESPULSE_WEB_CONNECTION_LIMIT`` (default 100)."""
    env = os.environ if environ is None else environ
    values = []
    for name, default, high in (
        ("SALESPULSE_WEB_THREADS", DEFAULT_THREADS, 256),
        ("SALESPULSE_WEB_CONNECTION_LIMIT", DEFAULT_CONNECTION_LIMIT, 100_000),
    ):
        text = env.get(name, "").strip()
        if not text:
            values.append(default)
            continue
        if not text.isdigit() or not 1 <= int(text) <= high:
            raise SettingsError(f"{name}={text!r}: expected a whole number from 1 to {high}")
        values.append(int(text))
    return values[0], values[1]
