"""The self-hosted web dashboard: a Plotly Dash app on Flask, served by waitress.

``create_app()`` builds it; ``main()`` (``salespulse serve``) serves it on
``SALESPULSE_WEB_HOST``:``SALESPULSE_WEB_PORT`` (default http://127.0.0.1:8050). Every asset
(JavaScript, CSS, map shapes) is served by the app itself: nothing is fetched from a CDN.
Data come from the warehouse of ``SALESPULSE_TARGET`` through the data layer's reader, per request,
so the next interaction after a rebuild shows the new build without a restart.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dash import Dash
from flask import Flask, redirect

from salespulse.web.appdb import AppDB, app_db_path, create_demo_users
from salespulse.web.auth import init_auth
from salespulse.web.exports import init_exports
from salespulse.web.readers import Reader, open_reader
from salespulse.web.ui.callbacks import register
from salespulse.web.ui.context import EXTENSION, ScopeCache, Services
from salespulse.web.ui.layout import serve_layout

ASSETS = Path(__file__).with_name("assets")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
log = logging.getLogger(__name__)


def create_app(
    reader: Reader | None = None,
    db: AppDB | None = None,
    *,
    target: str | None = None,
    secret_key: str | None = None,
    secure_cookies: bool | None = None,
) -> Dash:
    """The Dash app (``app.server`` is its Flask server).

    ``reader``: the warehouse (default: ``open_reader(target)``, ``SALESPULSE_TARGET``);
    ``db``: the app database (default: ``SALESPULSE_APP_DB``).
    """
    db = db or AppDB(app_db_path())
    reader = reader or open_reader(target)
    server = Flask(__name__)
    server.secret_key = secret_key or os.environ.get("SALESPULSE_WEB_SECRET_KEY") or db.secret_key()
    if secure_cookies is None:
        secure_cookies = os.environ.get("SALESPULSE_WEB_SECURE_COOKIES", "") in ("1", "true", "yes")
    server.config["SESSION_COOKIE_SECURE"] = secure_cookies
    server.extensions[EXTENSION] = Services(reader=reader, db=db, cache=ScopeCache())
    init_auth(server)
    init_exports(server)

    app = Dash(
        __name__,
        server=server,
        assets_folder=str(ASSETS),
        serve_locally=True,
        title="salespulse",
        update_title=None,
        suppress_callback_exceptions=True,
        compress=False,
        enable_mcp=False,
    )
    app.layout = serve_layout
    register(app)
    server.add_url_rule("/", "root", lambda: redirect("/overview"))
    return app


def serve(
    host: str,
    port: int,
    *,
    target: str | None = None,
    demo_users: bool = False,
    threads: int = 8,
) -> None:
    """Serve the dashboard until interrupted (creating the demo accounts first when asked)."""
    from waitress import serve as waitress_serve

    reader = open_reader(target)
    db = AppDB(app_db_path())
    if demo_users:
        created = create_demo_users(db, reader)
        if created:
            print(f"created {len(created)} demo account(s) in {db.path} (password 'demo')")
    app = create_app(reader, db, target=target)
    print(f"salespulse web dashboard on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="salespulse")


def settings(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    env = os.environ if environ is None else environ
    return env.get("SALESPULSE_WEB_HOST", DEFAULT_HOST), int(env.get("SALESPULSE_WEB_PORT", DEFAULT_PORT))


def main(argv: Sequence[str] | None = None) -> int:
    host, port = settings()
    parser = argparse.ArgumentParser(
        prog="python -m salespulse.web.app", description="Serve the web dashboard."
    )
    parser.add_argument(
        "--host", default=host, help=f"address to listen on (SALESPULSE_WEB_HOST, default {host})"
    )
    parser.add_argument("--port", type=int, default=port, help=f"port (SALESPULSE_WEB_PORT, default {port})")
    parser.add_argument("--target", help="profiles.yml target (default SALESPULSE_TARGET, duckdb)")
    parser.add_argument(
        "--demo-users", action="store_true", help="create the demo accounts (password 'demo')"
    )
    args = parser.parse_args(argv)
    serve(args.host, args.port, target=args.target, demo_users=args.demo_users)
    return 0


if __name__ == "__main__":
    sys.exit(main())
