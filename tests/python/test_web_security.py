"""Row-level security of the web app by every route: a rep never sees another rep's client, hostile
filter values are harmless, and requests without a session or a CSRF token get nothing."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from salespulse.web.query.readers import Reader
from salespulse.web.ui.state import LIST_FIELDS
from salespulse.web.ui.visuals import PAGES
from web_testing import (
    LEAD,
    MANAGER,
    OTHER_REP,
    REP,
    Callbacks,
    components,
    demo_app_fixture,
    forecast_app,
    graphs,
    own_client_keys,
    render,
    signed_in,
    state,
    tables,
    text_of,
)

INJECTIONS: list[Any] = [
    "' or 1=1 --",
    "1; drop table marts.fct_sales; --",
    "Bikes' union select email from reporting.sales_reps --",
    '") or ("1"="1',
    "1 or 1=1",
    {"$ne": None},
    10**30,
    -1,
    True,
    None,
    ["nested", ["list"]],
]


web = demo_app_fixture("web-security")


@pytest.fixture(scope="module")
def others_client(web: tuple[Any, Reader]) -> tuple[int, str]:
    """A client owned by another rep (same country as REP), with the largest sales: (key, name)."""
    reader = web[1]
    rows = reader.query(
        "select c.customer_key, c.customer_name from reporting.customers c "
        "join reporting.sales_reps r on r.sales_rep_key = c.sales_rep_key "
        "join reporting.sales s on s.customer_key = c.customer_key "
        "where lower(r.email) = ? group by 1, 2 order by sum(s.net_sales_amount) desc limit 1",
        [OTHER_REP],
    )
    key, name = rows[0]
    mine = reader.query(
        "select count(*) from reporting.customers c join reporting.sales_reps r using (sales_rep_key) "
        "where lower(r.email) = ? and c.customer_name = ?",
        [REP, name],
    )[0][0]
    assert mine == 0, "pick a client whose name no client of REP shares"
    return int(key), name


def control(calls: Callbacks, values: dict[str, Any], changed: str) -> dict[str, Any]:
    base = {"state.data": state(), "url.pathname": "/overview", "url.search": ""}
    return calls.call("state.data", {**base, **values}, [changed])


def assert_nothing_shown(response: dict[str, Any], name: str) -> None:
    assert name not in text_of(response)
    assert graphs(response) == {} and tables(response) == {}
    assert "empty-notice" in text_of(response["page-content"])


def test_rep_sees_only_own_clients_by_default(
    web: tuple[Any, Reader], others_client: tuple[int, str]
) -> None:
    app, reader = web
    calls = Callbacks(signed_in(app, REP))
    own = own_client_keys(reader, REP)
    for slug in PAGES:
        response = render(calls, state(), slug)
        assert others_client[1] not in text_of(response), slug
    rows = tables(render(calls, state(), "customer"))["customer:clients:table"]
    assert rows and {r["id"] for r in rows} <= own
    options = calls.call(
        "f-customer-keys.options",
        {"f-customer-keys.search_value": others_client[1], "f-customer-keys.value": [others_client[0]]},
        ["f-customer-keys.search_value"],
    )["f-customer-keys"]["options"]
    assert all(o["value"] in own for o in options)


def test_filter_values_and_crafted_callbacks(web: tuple[Any, Reader], others_client: tuple[int, str]) -> None:
    app, _ = web
    calls = Callbacks(signed_in(app, REP))
    key, name = others_client
    for slug in PAGES:
        assert_nothing_shown(render(calls, state(customer_keys=[key]), slug), name)
        assert_nothing_shown(render(calls, state(customer_keys=[str(key)], void=[]), slug), name)
    # the slicer posting another rep's client: dropped, and the page shows nothing
    response = control(calls, {"f-customer-keys.value": [key]}, "f-customer-keys.value")
    assert response["state"]["data"]["customer_keys"] == [] and response["state"]["data"]["void"] == [
        "customer_keys"
    ]
    assert name not in text_of(response)
    # another rep as a filter, or another region
    rep_keys = [
        int(k)
        for (k,) in web[1].query(
            "select sales_rep_key from reporting.sales_reps where lower(email) = ?", [OTHER_REP]
        )
    ]
    assert_nothing_shown(render(calls, state(sales_rep_keys=rep_keys), "reps"), name)
    lead = Callbacks(signed_in(app, LEAD))
    outside = render(lead, state(regions=["North America"]), "overview")
    assert "empty-notice" in text_of(outside["page-content"])
    # a click on a table row / chart point naming the other rep's client
    cell = {"row": 0, "column": 0, "column_id": "Client", "row_id": key}
    component = {"id": "customer:clients:table", "type": "table"}
    pattern = next(
        f"{i['id']}.active_cell" for i in calls.find("state.data")["inputs"] if '"table"' in i["id"]
    )
    clicked = calls.call(
        "state.data",
        {
            "state.data": state(),
            "url.pathname": "/customer",
            pattern: [{"id": component, "property": "active_cell", "value": cell}],
        },
        [json.dumps(component, sort_keys=True, separators=(",", ":")) + ".active_cell"],
    )
    assert clicked["state"]["data"]["void"] == ["customer_keys"]


def test_urls_and_saved_views(web: tuple[Any, Reader], others_client: tuple[int, str]) -> None:
    app, _ = web
    key, name = others_client
    rep = Callbacks(signed_in(app, REP))
    by_url = control(rep, {"url.search": f"?client={key}"}, "url.search")
    assert by_url["url"]["pathname"] == "/customer"
    assert by_url["state"]["data"]["void"] == ["customer_keys"]
    assert_nothing_shown(render(rep, by_url["state"]["data"], "customer"), name)

    other = Callbacks(signed_in(app, OTHER_REP))
    views = {}
    for shared in (False, True):
        saved = other.call(
            "views-list.options",
            {
                "view-save.n_clicks": 1,
                "view-name.value": f"my best client {shared}",
                "view-shared.value": ["shared"] if shared else [],
                "state.data": state(customer_keys=[key]),
                "url.pathname": "/customer",
            },
            ["view-save.n_clicks"],
        )
        views[shared] = saved["view-link"]["value"].split("view=")[1]
    private = control(rep, {"url.search": f"?view={views[False]}"}, "url.search")
    assert "private" in text_of(private["notice"]) and private["state"]["data"] == state()
    picked = control(rep, {"views-list.value": views[False]}, "views-list.value")
    assert "private" in text_of(picked["notice"]) and name not in text_of(picked)
    shared = control(rep, {"url.search": f"?view={views[True]}"}, "url.search")
    assert shared["state"]["data"]["customer_keys"] == [] and shared["state"]["data"]["void"] == [
        "customer_keys"
    ]
    assert name not in text_of(shared)
    assert_nothing_shown(render(rep, shared["state"]["data"], "customer"), name)
    # deleting someone else's view does nothing
    rep.call(
        "views-list.options",
        {
            "view-delete.n_clicks": 1,
            "views-list.value": views[True],
            "state.data": state(),
            "url.pathname": "/",
        },
        ["view-delete.n_clicks"],
    )
    assert app.server.extensions["salespulse"].db.get_view(views[True]) is not None


def test_exports(web: tuple[Any, Reader], others_client: tuple[int, str]) -> None:
    app, _ = web
    key, name = others_client
    client = signed_in(app, REP)
    crafted = {"page": "customer", "state": json.dumps(state(customer_keys=[key]))}
    assert client.get("/export/csv", query_string={**crafted, "table": "clients"}).data == b""
    archive = zipfile.ZipFile(io.BytesIO(client.get("/export/csv", query_string=crafted).data))
    assert all(name not in archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/xlsx", query_string=crafted).data))
    assert name not in json.dumps(
        [[c for c in r] for s in book for r in s.iter_rows(values_only=True)], default=str
    )
    pdf = PdfReader(io.BytesIO(client.get("/export/pdf", query_string=crafted).data))
    assert name not in "".join(p.extract_text() for p in pdf.pages)
    # no filters at all: the rep's own clients only
    everything = {"page": "customer", "state": "{}"}
    clients = client.get("/export/csv", query_string={**everything, "table": "clients"}).data.decode(
        "utf-8-sig"
    )
    assert clients.count("\n") > 1 and name not in clients
    # pages and tables that do not exist; broken state
    assert client.get("/export/csv", query_string={"page": "admin"}).status_code == 404
    assert client.get("/export/csv", query_string={"page": "customer", "table": "secrets"}).status_code == 404
    assert (
        client.get("/export/xlsx", query_string={"page": "customer", "state": "{not json"}).status_code == 400
    )


def test_sql_injection_through_every_filter(web: tuple[Any, Reader]) -> None:
    app, reader = web
    client = signed_in(app, LEAD)
    calls = Callbacks(client)
    before = reader.query("select count(*), sum(net_sales_amount) from marts.fct_sales")
    for field in [*LIST_FIELDS, "date_from", "date_to", "geo", "void"]:
        for payload in INJECTIONS:
            value = payload if field in ("date_from", "date_to") else [payload]
            response = render(calls, state(**{field: value}), "overview")
            assert "page-content" in response
            exported = client.get(
                "/export/csv",
                query_string={
                    "page": "overview",
                    "table": "top_10_clients",
                    "state": json.dumps(state(**{field: value})),
                },
            )
            assert exported.status_code == 200
        slicer = f"f-{field.replace('_', '-')}.value"
        if field in LIST_FIELDS:
            response = control(calls, {slicer: INJECTIONS[:5]}, slicer)
            assert response["state"]["data"][field] == []
    search = calls.call(
        "f-customer-keys.options",
        {"f-customer-keys.search_value": "' or 1=1 --", "f-customer-keys.value": ["1 or 1=1"]},
        ["f-customer-keys.search_value"],
    )
    assert search["f-customer-keys"]["options"] == []
    assert control(calls, {"url.search": "?view=' or '1'='1"}, "url.search")["state"]["data"] == state()
    assert reader.query("select count(*), sum(net_sales_amount) from marts.fct_sales") == before


def test_malformed_callback_payloads(web: tuple[Any, Reader], others_client: tuple[int, str]) -> None:
    """Values of the wrong type in every input: answered (never a server error), never with data
    outside the scope."""
    app, _ = web
    calls = Callbacks(signed_in(app, REP))
    key, name = others_client
    states: list[Any] = [[1, 2], "x", 5, {"void": 5, "geo": 7, "date_from": 12, "customer_keys": {"a": key}}]
    for bad in states:
        for path in ("/customer", 42, None, "/../../etc"):
            response = calls.post(
                calls.payload(
                    "page-content.children", {"state.data": bad, "url.pathname": path}, ["state.data"]
                )
            )
            assert response.status_code == 200 and name.encode() not in response.data
    chart = '{"id":"overview:top_10_clients:hbar","type":"chart"}'
    pattern = next(f"{i['id']}.clickData" for i in calls.find("state.data")["inputs"] if '"chart"' in i["id"])
    for junk in ("junk", {"points": [1]}, {"points": [{"customdata": {"x": 1}}]}, {"points": "all"}):
        body = calls.payload(
            "state.data",
            {
                "state.data": {"customer_keys": key},
                "url.pathname": 7,
                "url.search": 9,
                "quick-pick.value": 5,
                pattern: [{"id": json.loads(chart), "property": "clickData", "value": junk}],
            },
            [f"{chart}.clickData"],
        )
        response = calls.post(body)
        assert response.status_code == 200 and name.encode() not in response.data
    for values in (
        {"view-save.n_clicks": 1, "view-name.value": 5, "state.data": "x", "url.pathname": None},
        {"view-delete.n_clicks": 1, "views-list.value": {"id": 1}},
    ):
        changed = [next(iter(values))]
        assert calls.post(calls.payload("views-list.options", values, changed)).status_code == 200
    body = calls.payload(
        "f-customer-keys.options",
        {"f-customer-keys.search_value": 5, "f-customer-keys.value": "x"},
        ["f-customer-keys.search_value"],
    )
    assert calls.post(body).status_code == 200


def test_callbacks_need_a_session_and_the_csrf_header(web: tuple[Any, Reader]) -> None:
    app, _ = web
    client = signed_in(app, REP)
    calls = Callbacks(client)
    body = calls.payload(
        "page-content.children", {"state.data": state(), "url.pathname": "/overview"}, ["state.data"]
    )
    assert calls.post(body, headers={}).status_code == 403
    assert calls.post(body, headers={"X-CSRFToken": "forged"}).status_code == 403
    assert calls.post(body).status_code == 200
    anonymous = app.server.test_client()
    response = anonymous.post("/_dash-update-component", json=body)
    assert response.status_code == 401 and b"Sales" not in response.data
    for path in ("/export/xlsx?page=overview", "/_dash-layout", "/customer?view=x"):
        assert anonymous.get(path).status_code in (302, 401)


@pytest.fixture(scope="module")
def forecast_web(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Reader]]:
    yield from forecast_app(demo_duckdb, tmp_path_factory, "web-security")


def test_forecast_series_outside_the_scope(forecast_web: tuple[Any, Reader]) -> None:
    """A rep sees the series of their own territory only, whatever series or filter the browser
    asks for: on screen, in every export, through a shared view."""
    app, reader = forecast_web
    total_actual = reader.query(
        "select sum(actual_amount), sum(forecast_amount) from reporting.sales_forecast "
        "where series_level = 'total'"
    )[0]
    rep = signed_in(app, REP)
    calls = Callbacks(rep)
    for asked in (None, "total:All", "category:Bikes", "territory:US-C", "' or 1=1 --"):
        response = render(calls, state(series=asked), "forecast")
        (picker,) = [
            c
            for c in components(response["page-content"]["children"], "Dropdown")
            if c["props"]["id"]["type"] == "series"
        ]
        assert [o["value"] for o in picker["props"]["options"]] == ["territory:DE"]
        assert picker["props"]["value"] == "territory:DE"
        figure = graphs(response)["forecast:forecast_by_month:band"]
        actual = next(t for t in figure["data"] if t["meta"] == "Forecast Actual")
        assert sum(actual["y"]) < float(total_actual[0]) / 3
        assert tables(response)["forecast:backtest:table"][0]["Series"] == "DE"
    crafted = {"page": "forecast", "state": json.dumps(state(series="total:All"))}
    archive = zipfile.ZipFile(io.BytesIO(rep.get("/export/csv", query_string=crafted).data))
    months = archive.read("sales-and-forecast-by-month-with-80-and-95-intervals.csv").decode("utf-8-sig")
    assert {line.split(",")[0] for line in months.splitlines()[1:]} == {"DE"}
    by_series = archive.read("projected-full-year-vs-budget-by-series.csv").decode("utf-8-sig")
    assert "total:All" not in by_series and "category:" not in by_series
    # another region's territory as a filter: outside the scope, nothing shown
    lead = Callbacks(signed_in(app, LEAD))
    outside = render(lead, state(territory_codes=["US-C"]), "forecast")
    assert "empty-notice" in text_of(outside["page-content"]) and graphs(outside) == {}
    europe = render(lead, state(series="total:All"), "forecast")
    (picker,) = [
        c
        for c in components(europe["page-content"]["children"], "Dropdown")
        if c["props"]["id"]["type"] == "series"
    ]
    assert [o["value"] for o in picker["props"]["options"]] == [
        "territory:DE",
        "territory:FR",
        "territory:GB",
    ]
    # a manager's shared view of the total opens, for the rep, on their territory
    manager = Callbacks(signed_in(app, MANAGER))
    saved = manager.call(
        "views-list.options",
        {
            "view-save.n_clicks": 1,
            "view-name.value": "the total forecast",
            "view-shared.value": ["shared"],
            "state.data": state(series="total:All"),
            "url.pathname": "/forecast",
        },
        ["view-save.n_clicks"],
    )
    view_id = saved["view-link"]["value"].split("view=")[1]
    opened = control(calls, {"url.search": f"?view={view_id}"}, "url.search")
    assert opened["state"]["data"]["series"] == "total:All"  # a choice, not a filter: kept ...
    shown = render(calls, opened["state"]["data"], "forecast")  # ... and shown within the scope
    assert tables(shown)["forecast:backtest:table"][0]["Series"] == "DE"


def test_clients_page_of_a_rep(web: tuple[Any, Reader], others_client: tuple[int, str]) -> None:
    app, reader = web
    calls = Callbacks(signed_in(app, REP))
    own = own_client_keys(reader, REP)
    response = render(calls, state(), "clients")
    rows = tables(response)["clients:at_risk_clients:table"]
    assert rows and {r["id"] for r in rows} <= own
    reps = graphs(response)["clients:clients_acquired_by_rep:hbar"]["data"][0]
    assert list(reps["y"]) == ["Felix Braun"]
    assert others_client[1] not in text_of(response)
    client = signed_in(app, REP)
    exported = client.get(
        "/export/csv", query_string={"page": "clients", "table": "at_risk_clients", "state": "{}"}
    ).data.decode("utf-8-sig")
    assert exported.count("\n") == len(rows) + 1 and others_client[1] not in exported
