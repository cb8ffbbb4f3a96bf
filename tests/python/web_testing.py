"""Helpers of the web app's tests: a published copy of the demo warehouse, an app on it, signing
in with Flask's test client, and calling a Dash callback as the browser would."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from dash import Dash

from salespulse.handover import staged
from salespulse.web.query.readers import DuckDBReader, Reader, Row
from salespulse.web.server.app import create_app
from salespulse.web.server.appdb import DEMO_PASSWORD, AppDB
from salespulse.web.ui.state import empty_state

MANAGER = "margaret.holloway@salespulse.example"  # VP Sales
LEAD = "sophie.laurent@salespulse.example"  # Regional Sales Manager, Europe
REP = "felix.braun@salespulse.example"  # Sales Representative, Germany
OTHER_REP = "katrin.vogel@salespulse.example"  # Sales Representative, Germany too
US_REP = "priya.raman@salespulse.example"  # Sales Representative, North America
USERS = (MANAGER, LEAD, REP, OTHER_REP, US_REP)

#: The analytics views the Forecast and Clients pages read (with the user's scope).
ANALYTICS_VIEWS = (
    "sales_forecast",
    "sales_forecast_yearly",
    "forecast_backtest",
    "customer_segments",
    "customer_activity_monthly",
    "rep_acquisition_monthly",
)


def publish_copy(source: str | Path, folder: Path) -> Path:
    """The demo warehouse published through the hand-over in ``folder`` (the session's file stays
    free for tests that write to it); returns the published path."""
    published = folder / "salespulse.duckdb"
    with staged(published) as path:
        shutil.copyfile(source, path)
    return published


def published_reader(env: Mapping[str, str], folder: Path) -> Iterator[DuckDBReader]:
    """The web's reader of ``env``'s warehouse published in ``folder`` (see publish_copy), for a module
    fixture (``yield from``); closed when the fixture ends."""
    reader = DuckDBReader(publish_copy(env["SALESPULSE_DUCKDB_PATH"], folder))
    yield reader
    reader.close()


_FORECASTS: dict[str, dict[str, str]] = {}


def forecast_copy(demo_env: Mapping[str, str], folder: Path) -> dict[str, str]:
    """A copy of the demo DuckDB warehouse after the forecast, with a series per territory too (the
    territory rule at 1 order a month), so the forecast pages have total, category and territory
    series; built once per test session. Returns the environment that reaches it."""
    source = demo_env["SALESPULSE_DUCKDB_PATH"]
    if source not in _FORECASTS:
        from salespulse.forecast.run import forecast_and_build

        target = folder / "forecast.duckdb"
        shutil.copyfile(source, target)
        env = {
            "SALESPULSE_DUCKDB_PATH": str(target),
            "DBT_TARGET_PATH": str(folder / "target"),
            "DBT_LOG_PATH": str(folder / "logs"),
        }
        forecast_and_build("duckdb", env, min_territory_orders=1)  # raises if the dbt build fails
        _FORECASTS[source] = env
    return _FORECASTS[source]


def forecast_app(demo_env: Mapping[str, str], factory: Any, name: str) -> Iterator[tuple[Dash, DuckDBReader]]:
    """The app on the demo warehouse after the forecast (total, categories and territories), for a
    module fixture (``yield from``); ``factory`` is pytest's tmp_path_factory."""
    env = forecast_copy(demo_env, factory.mktemp(f"{name}-forecast"))
    yield from serving(env, factory.mktemp(f"{name}-forecast-app"))


def serving(demo_env: Mapping[str, str], folder: Path) -> Iterator[tuple[Dash, DuckDBReader]]:
    """The app on a copy of ``demo_env``'s warehouse, for a module fixture (``yield from``); the
    reader is closed when the fixture ends."""
    app, reader = duckdb_app(demo_env, folder)
    yield app, reader
    reader.close()


def demo_app_fixture(folder: str) -> Any:
    """A test module's ``web`` fixture, ``web = demo_app_fixture("web-app")``: the app on the module's own
    copy of the demo warehouse (in a temporary ``folder``), as ``(app, reader)``, for the whole module."""

    @pytest.fixture(scope="module", name="web")
    def web(
        demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[tuple[Dash, DuckDBReader]]:
        """The app and its reader on this module's copy of the demo warehouse."""
        yield from serving(demo_duckdb, tmp_path_factory.mktemp(folder))

    return web


def own_client_keys(reader: Any, email: str) -> set[int]:
    """The keys of the clients the sales rep with ``email`` owns."""
    return {
        int(key)
        for (key,) in reader.query(
            "select c.customer_key from reporting.customers c "
            "join reporting.sales_reps r using (sales_rep_key) where lower(r.email) = ?",
            [email],
        )
    }


def make_app(reader: Any, folder: Path, users: tuple[str, ...] = USERS) -> Dash:
    db = AppDB(folder / "app.sqlite")
    for email in users:
        db.set_password(email, DEMO_PASSWORD)
    return create_app(reader, db, secret_key="test-secret")


def duckdb_app(demo_env: Mapping[str, str], folder: Path) -> tuple[Dash, DuckDBReader]:
    reader = DuckDBReader(publish_copy(demo_env["SALESPULSE_DUCKDB_PATH"], folder))
    return make_app(reader, folder), reader


def login(client: Any, email: str, password: str = DEMO_PASSWORD) -> Any:
    """Sign in with the form (CSRF token included); returns the response."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )


def signed_in(app: Dash, email: str) -> Any:
    """A test client of ``app`` signed in as ``email``."""
    client = app.server.test_client()
    assert login(client, email).status_code == 302
    return client


def state(**values: Any) -> dict[str, Any]:
    """What a page's state store holds: the empty state with ``values`` set."""
    return {**empty_state(), **values}


def csrf_header(client: Any) -> dict[str, str]:
    cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value if cookie else ""}


def _spec(text: str) -> dict[str, Any]:
    """``id.property`` of a dependency (the id may be a JSON object)."""
    ident, _, prop = text.rpartition(".")
    return {"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop}


def _outputs(output: str) -> list[dict[str, Any]] | dict[str, Any]:
    """A list for a multi-output callback, one spec for a single output (as the renderer sends)."""
    if output.startswith(".."):
        return [_spec(part.split("@")[0]) for part in output.strip(".").split("...")]
    return _spec(output.split("@")[0])


class Callbacks:
    """Calls the app's callbacks through ``/_dash-update-component``, as the Dash renderer does."""

    def __init__(self, client: Any) -> None:
        self.client = client
        response = client.get("/_dash-dependencies")
        assert response.status_code == 200, response.status_code
        self.dependencies = response.get_json()

    def find(self, output: str) -> dict[str, Any]:
        """The callback writing ``output`` (the one that writes only it, if there is one)."""
        for dependency in self.dependencies:
            if dependency["output"].split("@")[0] == output:
                return dependency
        for dependency in self.dependencies:
            if output in dependency["output"]:
                return dependency
        raise KeyError(output)

    def payload(
        self, output: str, values: Mapping[str, Any], changed: list[str] | None = None
    ) -> dict[str, Any]:
        """The request body of the callback writing ``output``; ``values`` maps ``id.property``
        (or ``{"type": ...}`` JSON of a pattern) to what the browser would send."""
        dependency = self.find(output)

        def fill(items: list[dict[str, Any]]) -> list[Any]:
            out: list[Any] = []
            for item in items:
                ident = item["id"]
                key = f"{ident}.{item['property']}"
                if ident.startswith("{"):  # a pattern (ALL): a list of matching components
                    out.append(values.get(key, []))
                else:
                    out.append({"id": ident, "property": item["property"], "value": values.get(key)})
            return out

        return {
            "output": dependency["output"],
            "outputs": _outputs(dependency["output"]),
            "inputs": fill(dependency["inputs"]),
            "state": fill(dependency["state"]),
            "changedPropIds": changed or [],
        }

    def post(self, body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Any:
        return self.client.post(
            "/_dash-update-component",
            json=body,
            headers=dict(headers if headers is not None else csrf_header(self.client)),
        )

    def call(
        self, output: str, values: Mapping[str, Any], changed: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        response = self.post(self.payload(output, values, changed))
        assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:2000])
        return response.get_json()["response"]


def render(callbacks: Callbacks, state: Mapping[str, Any], slug: str) -> dict[str, dict[str, Any]]:
    """The render callback's response for a page and a state."""
    return callbacks.call(
        "page-content.children",
        {"state.data": dict(state), "url.pathname": f"/{slug}"},
        ["state.data"],
    )


def components(tree: Any, kind: str) -> Iterator[dict[str, Any]]:
    """Every component of type ``kind`` (e.g. ``Graph``, ``DataTable``) in a serialised layout."""
    if isinstance(tree, list):
        for item in tree:
            yield from components(item, kind)
    elif isinstance(tree, dict):
        if tree.get("type") == kind:
            yield tree
        props = tree.get("props", {})
        for value in props.values() if isinstance(props, dict) else ():
            yield from components(value, kind)


def graphs(response: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``visual id -> figure`` of the rendered page."""
    content = response["page-content"]["children"]
    return {g["props"]["id"]["id"]: g["props"]["figure"] for g in components(content, "Graph")}


def tables(response: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    content = response["page-content"]["children"]
    return {t["props"]["id"]["id"]: t["props"]["data"] for t in components(content, "DataTable")}


def text_of(tree: Any) -> str:
    """All the strings of a serialised layout (to look for names that must not be there)."""
    return json.dumps(tree, default=str)


class Recording:
    """A reader that keeps the statements it ran (``statements``), and each with its values (``bound``)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.dialect = reader.dialect
        self.published = getattr(reader, "published", None)
        self.statements: list[str] = []
        self.bound: list[tuple[str, list[Any]]] = []

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[Row]:
        self.statements.append(sql)
        self.bound.append((sql, list(params or [])))
        return self.reader.query(sql, params)
