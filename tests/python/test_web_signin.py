"""The hardened sign-in, over real HTTP against the app on the demo warehouse: lockouts per e-mail
and per client address (that never tell whether an account exists), server-side sessions that
signing out, revoking and the idle / absolute time-outs end, the audit log, the asset guard, the
security headers and settings, and the pages in Chromium under the strict Content-Security-Policy.

Time is the app's injected clock (a fixed epoch moved by the tests), never the machine's.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dash import Dash

from salespulse.cli import main as cli
from salespulse.settings import SettingsError
from salespulse.web.query.readers import DuckDBReader
from salespulse.web.server.app import ASSETS, create_app, server_limits
from salespulse.web.server.appdb import DEMO_PASSWORD, AppDB
from salespulse.web.server.assetversions import versioned_url
from salespulse.web.server.security import SecuritySettings, security_settings
from salespulse.web.server.throttle import address_key
from salespulse.web.ui.state import empty_state
from salespulse.web.ui.visuals import PAGES
from web_testing import LEAD, MANAGER, REP, USERS, csrf_header, login, publish_copy

START = 1_700_000_000.0  # the clock's fixed start (2023-11-14): nothing depends on today
SETTINGS = SecuritySettings(
    idle_seconds=30 * 60,
    absolute_seconds=8 * 3600,
    max_failures=3,
    max_address_failures=5,
    window_seconds=10 * 60,
    lockout_seconds=15 * 60,
)
NOBODY = "nobody.at.all@salespulse.example"  # no account has it


class Clock:
    """The app's clock: seconds since the epoch, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def warehouse(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DuckDBReader]:
    reader = DuckDBReader(
        publish_copy(demo_duckdb["SALESPULSE_DUCKDB_PATH"], tmp_path_factory.mktemp("signin"))
    )
    yield reader
    reader.close()


class Site:
    """A fresh app (own app database, own clock) on the demo warehouse."""

    def __init__(self, reader: DuckDBReader, folder: Path, settings: SecuritySettings = SETTINGS) -> None:
        self.db = AppDB(folder / "app.sqlite")
        for email in USERS:
            self.db.set_password(email, DEMO_PASSWORD)
        self.clock = Clock()
        self.app: Dash = create_app(
            reader, self.db, secret_key="test-secret", security=settings, clock=self.clock
        )

    def client(self, address: str = "127.0.0.1", **environ: str) -> Any:
        """A browser at ``address`` (``environ``: more WSGI variables, e.g. forwarded headers)."""
        client = self.app.server.test_client()
        client.environ_base.update(REMOTE_ADDR=address, **environ)
        return client

    def signed_in(self, email: str, address: str = "127.0.0.1") -> Any:
        client = self.client(address)
        assert login(client, email).status_code == 302
        return client

    def events(self, email: str | None = None) -> list[str]:
        return [entry.event for entry in self.db.audit_entries(email=email, limit=1000)]


@pytest.fixture
def site(warehouse: DuckDBReader, tmp_path: Path) -> Site:
    return Site(warehouse, tmp_path)


def message(response: Any) -> str:
    found = re.search(r'<p class="login-error" role="alert">([^<]*)</p>', response.get_data(as_text=True))
    return found.group(1) if found else ""


def reads_pages(client: Any) -> bool:
    """The client's session reads a page and an export (else it is sent to sign in / refused)."""
    page = client.get("/overview")
    export = client.get("/export/csv", query_string={"page": "overview", "table": "top_10_clients"})
    assert (page.status_code == 200) == (export.status_code == 200), (page.status_code, export.status_code)
    if page.status_code != 200:
        assert page.status_code == 302 and page.headers["Location"].startswith("/login")
        assert export.status_code == 401 and b"Client" not in export.data
    return page.status_code == 200


# ---------------------------------------------------------------------------------------- throttling


def test_lockout_per_account_refuses_the_right_password_until_it_ends(site: Site) -> None:
    client = site.client()
    for _ in range(1, SETTINGS.max_failures):
        response = login(client, REP, "wrong")
        assert response.status_code == 401 and message(response) == "Wrong e-mail or password."
    locking = login(client, REP, "wrong")
    assert locking.status_code == 429 and "try again in 15 minutes" in message(locking)
    assert locking.headers["Retry-After"] == str(int(SETTINGS.lockout_seconds))
    # the right password, while locked: refused, and no session
    refused = login(client, REP)
    assert refused.status_code == 429 and not reads_pages(client)
    site.clock.advance(SETTINGS.lockout_seconds - 61)
    late = login(client, REP)
    assert late.status_code == 429 and "try again in 2 minutes" in message(late)
    assert login(site.client("10.1.1.1"), REP).status_code == 429  # the account, from anywhere
    assert login(site.client(), MANAGER).status_code == 302  # another account, same address: not locked
    site.clock.advance(62)
    assert login(client, REP).status_code == 302 and reads_pages(client)
    assert site.events(REP) == [
        *["sign_in_failed"] * SETTINGS.max_failures,
        "lockout",
        "sign_in_refused",
        "sign_in_refused",
        "sign_in_refused",
        "sign_in",
        "export",
    ]
    lockout = site.db.audit_entries(event="lockout")[0]
    assert lockout.detail == {"kind": "account", "minutes": 15.0} and lockout.address == "127.0.0.1"


def test_a_success_forgives_the_accounts_failures(site: Site) -> None:
    client = site.client()
    for _ in range(SETTINGS.max_failures - 1):
        assert login(client, LEAD, "wrong").status_code == 401
    assert login(client, LEAD).status_code == 302
    other = site.client()
    for _ in range(SETTINGS.max_failures - 1):
        assert login(other, LEAD, "wrong").status_code == 401  # counted afresh: not locked yet


def test_failures_outside_the_window_do_not_add_up(site: Site) -> None:
    client = site.client()
    for _ in range(SETTINGS.max_failures - 1):
        assert login(client, REP, "wrong").status_code == 401
    site.clock.advance(SETTINGS.window_seconds + 1)
    for _ in range(SETTINGS.max_failures - 1):
        assert login(client, REP, "wrong").status_code == 401
    assert login(client, REP).status_code == 302


def test_lockout_does_not_reveal_whether_an_account_exists(site: Site) -> None:
    def attempts(email: str, address: str) -> list[tuple[int, str, str | None]]:
        client = site.client(address)
        answers = [login(client, email, "wrong") for _ in range(SETTINGS.max_failures + 1)]
        return [(a.status_code, message(a), a.headers.get("Retry-After")) for a in answers]

    real, unknown = attempts(REP, "10.0.0.1"), attempts(NOBODY, "10.0.0.2")
    assert real == unknown
    assert [status for status, _, _ in real] == [401] * (SETTINGS.max_failures - 1) + [429, 429]


def test_lockout_per_address(site: Site) -> None:
    attacker = site.client("192.0.2.7")
    # one wrong password for each of several e-mails: no account reaches its own limit
    for index in range(SETTINGS.max_address_failures - 1):
        assert login(attacker, f"guess{index}@salespulse.example", "wrong").status_code == 401
    assert login(attacker, REP, "wrong").status_code == 429
    assert login(attacker, MANAGER).status_code == 429 and not reads_pages(attacker)
    assert login(site.client("192.0.2.8"), MANAGER).status_code == 302  # another address may
    assert login(site.client("192.0.2.8"), REP).status_code == 302  # REP is not locked itself
    site.clock.advance(SETTINGS.lockout_seconds + 1)
    assert login(attacker, MANAGER).status_code == 302
    lockouts = site.db.audit_entries(event="lockout")
    assert [(e.email, e.address, e.detail["kind"]) for e in lockouts] == [(REP, "192.0.2.7", "address")]


def test_addresses_are_counted_by_ipv6_network() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("192.0.2.7") == "192.0.2.7" and address_key("::ffff:192.0.2.7") == "192.0.2.7"


# ---------------------------------------------------------------------------------------- sessions


def cookie_of(client: Any) -> str:
    return client.get_cookie("salespulse_session").value  # type: ignore[no-any-return]


def replay(site: Site, cookie: str) -> Any:
    """A new client presenting a saved session cookie (as a copied cookie would be)."""
    client = site.client()
    client.set_cookie("salespulse_session", cookie)
    return client


def test_logout_ends_the_session_on_the_server(site: Site) -> None:
    client = site.signed_in(REP)
    saved = cookie_of(client)
    assert reads_pages(replay(site, saved))  # the copy works while the session lives
    token = csrf_header(client)["X-CSRFToken"]  # the sign-out form's hidden field has the same
    assert token and client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not reads_pages(client)
    copy = replay(site, saved)
    assert not reads_pages(copy)
    assert copy.post("/_dash-update-component", json={}, headers=csrf_header(copy)).status_code == 401
    assert site.db.sessions(REP) == []
    assert site.events(REP) == ["sign_in", "export", "sign_out"]


def test_signing_in_again_ends_the_previous_session(site: Site) -> None:
    client = site.signed_in(REP)
    first = cookie_of(client)
    assert login(site.client(), REP).status_code == 302  # another browser: both live
    with client.session_transaction() as cookie_session:  # the same browser, through the form again
        token = cookie_session["csrf"]
    again = client.post(
        "/login", data={"email": REP, "password": DEMO_PASSWORD, "csrf_token": token, "next": "/"}
    )
    assert again.status_code == 302 and reads_pages(client)
    assert not reads_pages(replay(site, first))
    assert len(site.db.sessions(REP)) == 2


def test_revoke_ends_every_session_of_an_account(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    laptop, phone = site.signed_in(REP, "10.0.0.1"), site.signed_in(REP, "10.0.0.2")
    manager = site.signed_in(MANAGER)
    assert reads_pages(laptop) and reads_pages(phone)
    monkeypatch.setenv("SALESPULSE_APP_DB", str(site.db.path))
    listed = CliRunner().invoke(cli, ["users", "sessions", REP])
    assert listed.exit_code == 0 and "2 session(s)" in listed.output and "10.0.0.2" in listed.output
    revoked = CliRunner().invoke(cli, ["users", "revoke", REP])
    assert revoked.exit_code == 0 and f"{REP}: 2 session(s) ended" in revoked.output
    assert not reads_pages(laptop) and not reads_pages(phone)
    assert reads_pages(manager)
    assert site.events(REP)[-1] == "sessions_revoked"
    audit = CliRunner().invoke(cli, ["users", "audit", "--email", REP])
    assert audit.exit_code == 0 and "sessions_revoked" in audit.output
    # a deleted account: its sessions end and it cannot sign in again
    assert CliRunner().invoke(cli, ["users", "delete", MANAGER]).exit_code == 0
    assert not reads_pages(manager) and login(site.client(), MANAGER).status_code == 401


def test_cli_unlocks_an_account(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    client = site.client()
    for _ in range(SETTINGS.max_failures):
        login(client, REP, "wrong")
    assert login(client, REP).status_code == 429
    monkeypatch.setenv("SALESPULSE_APP_DB", str(site.db.path))
    result = CliRunner().invoke(cli, ["users", "unlock", REP.upper()])
    assert result.exit_code == 0 and "unlocked" in result.output
    assert login(client, REP).status_code == 302


def test_idle_timeout(site: Site) -> None:
    client = site.signed_in(REP)
    for _ in range(3):  # activity keeps it alive past the idle time in total
        site.clock.advance(SETTINGS.idle_seconds - 60)
        assert reads_pages(client)
    site.clock.advance(SETTINGS.idle_seconds + 1)
    assert not reads_pages(client)
    expired = site.db.audit_entries(event="session_expired")
    assert [(e.email, e.detail) for e in expired] == [(REP, {"reason": "idle"})]
    assert login(client, REP).status_code == 302 and reads_pages(client)


def test_absolute_timeout(site: Site) -> None:
    client = site.signed_in(REP)
    step = SETTINGS.idle_seconds / 2
    elapsed = 0.0
    while elapsed + step < SETTINGS.absolute_seconds:  # busy the whole time
        site.clock.advance(step)
        elapsed += step
        assert reads_pages(client)
    site.clock.advance(step + 1)  # past the maximum, though the last request was a moment ago
    assert not reads_pages(client)
    assert site.db.audit_entries(event="session_expired")[0].detail == {"reason": "absolute"}


def test_a_session_cookie_without_a_server_session_is_refused(site: Site) -> None:
    """A cookie signed with the app's key but naming no session (e.g. from before this version):
    no access."""
    client = site.client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = MANAGER
        cookie_session["_fresh"] = True
    assert not reads_pages(client)
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = MANAGER
        cookie_session["sid"] = "made-up"
    assert not reads_pages(client)


# ---------------------------------------------------------------------------------------- audit log


def test_audit_log_of_exports(site: Site) -> None:
    client = site.signed_in(REP, "10.9.8.7")
    state = {**empty_state(), "categories": ["Bikes"], "date_from": "2023-01-01", "date_to": "2023-12-31"}
    csv = client.get(
        "/export/csv", query_string={"page": "customer", "table": "clients", "state": json.dumps(state)}
    )
    assert csv.status_code == 200
    assert client.get("/export/xlsx", query_string={"page": "overview", "state": "{}"}).status_code == 200
    exports = site.db.audit_entries(event="export")
    assert [
        (e.email, e.address, e.detail["format"], e.detail["page"], e.detail["table"]) for e in exports
    ] == [
        (REP, "10.9.8.7", "csv", "customer", "clients"),
        (REP, "10.9.8.7", "xlsx", "overview", "all"),
    ]
    first = exports[0].detail
    assert first["role"] == "sales_rep" and first["sales_rep_key"] is not None
    assert first["scope"] == f"{REP} (sales rep: own clients and sales)"
    assert ["Category", "Bikes"] in first["filters"]
    assert any(name == "Dates" and "2023-01-01" in value for name, value in first["filters"])
    assert exports[0].at == "2023-11-14T22:13:20+00:00"  # the app's clock


# ---------------------------------------------------------------------------------------- the guard


@contextmanager
def served(app: Dash) -> Iterator[int]:
    """The app served by waitress on a free port of 127.0.0.1; yields the port."""
    from waitress.server import create_server

    # poll(): closing the socket at the end is seen as such, not an error of select() in the thread
    http = create_server(app.server, host="127.0.0.1", port=0, threads=4, asyncore_use_poll=True)
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    try:
        yield int(http.effective_port)  # type: ignore[union-attr]
    finally:
        http.close()
        thread.join(timeout=10)


def raw_get(port: int, path: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` exactly as written (no client-side normalisation of ``//`` or ``..``)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        if cookie:
            connection.putheader("Cookie", f"salespulse_session={cookie}")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_only_real_asset_files_are_public(site: Site) -> None:
    topojson = sorted(p for p in (ASSETS / "topojson").rglob("*") if p.is_file())[0]
    real = ["/assets/app.css", "/assets/" + topojson.relative_to(ASSETS).as_posix()]
    not_files = [
        "/assets//overview",
        "/assets/../x",
        "/assets/../auth.py",
        "/assets/%2e%2e/auth.py",
        "/assets/./app.css",
        "/assets/nonexistent",
        "/assets/nonexistent.js",
        "/assets/topojson",
        "/assets/topojson/",
        "/assets/",
        "/assets/app.css/",
        "/assets\\..\\auth.py",
    ]
    with served(site.app) as port:
        for path in real:
            status, headers, body = raw_get(port, path)
            assert status == 200 and body and "no-store" not in headers.get("Cache-Control", ""), path
        for path in not_files:
            status, headers, body = raw_get(port, path)
            assert status in (302, 401, 404), (path, status)
            assert b"_dash-config" not in body and b"DashRenderer" not in body, path
            assert status != 302 or headers["Location"].startswith("/login"), path
        # with a session: still no file from outside the folder
        client = site.signed_in(MANAGER)
        cookie = cookie_of(client)
        for path in not_files:
            status, _, body = raw_get(port, path, cookie)
            assert b"from __future__" not in body, (path, status)
        assert raw_get(port, "/assets/nonexistent.js", cookie)[0] == 404
        assert raw_get(port, "/overview", cookie)[0] == 200


# ---------------------------------------------------------------------------------------- headers


def script_policy(response: Any) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    (scripts,) = [d for d in policy.split("; ") if d.startswith("script-src ")]
    return scripts.split()[1:]


def test_content_security_policy_allows_only_the_pages_own_inline_script(site: Site) -> None:
    client = site.signed_in(MANAGER)
    page = client.get("/overview")
    allowed = script_policy(page)
    assert allowed[0] == "'self'" and "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed
    assert all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", source) for source in allowed[1:])
    # every inline script the browser would run has its hash in the policy (and nothing else does)
    html = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)  # comments do not run
    inline = [
        body
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        if "src=" not in attributes and "application/json" not in attributes
    ]
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline}
    assert inline and hashes == set(allowed[1:])
    policy = page.headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert client.get("/login").headers["Content-Security-Policy"] == policy
    assert "Strict-Transport-Security" not in page.headers


def test_library_code_is_revalidated_and_pages_are_never_stored(site: Site) -> None:
    """Plotly (4.8 MB) and Dash's lazily loaded chunks carry no version in their address: they are
    kept and revalidated by ETag (a 304, not a download and a compile on every page); pages,
    callbacks and exports are never stored; nothing of the library is served without a session."""
    library = "/_dash-component-suites/plotly/package_data/plotly.min.js"
    assert site.client().get(library).status_code in (302, 401)
    client = site.signed_in(MANAGER)
    first = client.get(library)
    caching = first.headers["Cache-Control"]
    assert first.status_code == 200 and len(first.data) > 1_000_000
    assert "no-store" not in caching and "no-cache" in caching and "private" in caching
    again = client.get(library, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert client.get("/overview").headers["Cache-Control"] == "no-store"


def test_assets_asked_for_with_their_version_are_kept_for_good(site: Site) -> None:
    """An asset file asked for with its current version (the content hash ``?v=``, Dash's modified
    time ``?m=``) is kept a year without asking again, signed in or not; the same file without a
    version, or with one it no longer has, is revalidated; nothing else changes."""
    immutable = "public, max-age=31536000, immutable"
    anonymous = site.client()
    current = versioned_url("app.css")
    assert anonymous.get(current).headers["Cache-Control"] == immutable
    for stale in ("/assets/app.css", "/assets/app.css?v=0123456789abcdef", "/assets/app.css?m=1"):
        answer = anonymous.get(stale)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache", stale
    client = site.signed_in(MANAGER)
    page = client.get("/overview").get_data(as_text=True)
    scripts = re.findall(r'src="(/assets/[^"]+\?m=[^"]+)"', page)
    assert scripts and all(anonymous.get(url).headers["Cache-Control"] == immutable for url in scripts)
    bundle = re.search(r'<meta name="salespulse-plotly" content="([^"]+)"', page)
    if bundle:  # built by npm ci (test_web_bundle checks it is)
        assert anonymous.get(bundle.group(1)).headers["Cache-Control"] == immutable
    assert client.get("/overview").headers["Cache-Control"] == "no-store"


def test_secure_cookies_hsts_and_proxy_headers(warehouse: DuckDBReader, tmp_path: Path) -> None:
    behind_tls = SecuritySettings(secure_cookies=True, hsts_seconds=31_536_000, proxy_hops=1)
    site = Site(warehouse, tmp_path, behind_tls)
    # as the reverse proxy forwards it: TLS ended at the proxy, the client's address in a header
    client = site.client("10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    page = client.get("/login", headers=headers)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    signed = client.post(
        "/login",
        data={"email": MANAGER, "password": DEMO_PASSWORD, "csrf_token": token, "next": "/"},
        headers=headers,
    )
    assert signed.status_code == 302
    cookies = signed.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-salespulse_session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "Path=/" in session_cookie
    assert "Domain" not in session_cookie
    assert site.db.audit_entries(event="sign_in")[0].address == "203.0.113.9"
    # the defaults (plain HTTP on a laptop): no HSTS, a plain cookie, and no proxy trusted, so a
    # forged header changes nothing (the throttle counts the real address)
    plain = Site(warehouse, tmp_path / "plain")
    forged = plain.client("10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    signed = login(forged, MANAGER)
    assert signed.status_code == 302 and "Strict-Transport-Security" not in signed.headers
    session_cookie = next(c for c in signed.headers.getlist("Set-Cookie") if "salespulse_session=" in c)
    assert session_cookie.startswith("salespulse_session=") and "Secure" not in session_cookie
    assert plain.db.audit_entries(event="sign_in")[0].address == "10.0.0.1"


def test_settings_from_the_environment() -> None:
    assert security_settings({}) == SecuritySettings()
    chosen = security_settings(
        {
            "SALESPULSE_SESSION_IDLE_MINUTES": "10",
            "SALESPULSE_SESSION_MAX_HOURS": "4",
            "SALESPULSE_LOGIN_MAX_FAILURES": "7",
            "SALESPULSE_LOGIN_MAX_FAILURES_PER_ADDRESS": "50",
            "SALESPULSE_LOGIN_WINDOW_MINUTES": "5",
            "SALESPULSE_LOGIN_LOCKOUT_MINUTES": "30",
            "SALESPULSE_WEB_SECURE_COOKIES": "1",
            "SALESPULSE_WEB_HSTS_SECONDS": "63072000",
            "SALESPULSE_WEB_PROXY_HOPS": "1",
        }
    )
    assert chosen == SecuritySettings(600, 4 * 3600, 7, 50, 300, 1800, True, 63_072_000, 1)
    for name, value in (
        ("SALESPULSE_SESSION_IDLE_MINUTES", "0"),
        ("SALESPULSE_LOGIN_MAX_FAILURES", "many"),
        ("SALESPULSE_WEB_SECURE_COOKIES", "maybe"),
    ):
        with pytest.raises(SettingsError, match=name):
            security_settings({name: value})
    assert server_limits({}) == (8, 100)
    assert server_limits({"SALESPULSE_WEB_THREADS": "16", "SALESPULSE_WEB_CONNECTION_LIMIT": "400"}) == (
        16,
        400,
    )
    with pytest.raises(SettingsError, match="SALESPULSE_WEB_THREADS"):
        server_limits({"SALESPULSE_WEB_THREADS": "0"})


# ---------------------------------------------------------------------------------------- Chromium


def test_pages_render_in_chromium_under_the_policy(site: Site) -> None:
    """Every page in Chromium with the strict policy: charts drawn, no CSP violation, no script
    error, nothing requested outside 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    from test_web_browser import settle
    from web_browsing import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    violations: list[str] = []
    errors: list[str] = []
    outside: list[str] = []
    with served(site.app) as port, sync_playwright() as playwright:
        base = f"http://127.0.0.1:{port}"
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(base)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        page = context.new_page()
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + "/overview")
        page.fill("#email", MANAGER)
        page.fill("#password", DEMO_PASSWORD)
        page.click("#login-submit")
        page.wait_for_selector(".kpi")
        settle(page)
        page.wait_for_selector("[data-visual=sales_by_city] .scattergeo .point")
        for slug in PAGES:
            page.click(f"#nav-{slug}")
            settle(page)
            assert page.inner_text("#page-title") == PAGES[slug]
            assert page.locator(".js-plotly-plot .main-svg").count() > 0, slug
            drawn = page.locator(".js-plotly-plot .bars .point path, .js-plotly-plot .scatterlayer path")
            assert drawn.count() > 0, slug
        context.close()
        browser.close()
    assert violations == [] and errors == [] and outside == []
