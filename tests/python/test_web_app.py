"""The web app through Flask's test client: sign-in, every page's numbers equal to the data layer's,
clicks and drill-downs, saved views, exports, fresh data after a rebuild, PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from salespulse.handover import staged
from salespulse.web import Filters, Scope, evaluate, resolve_scope
from salespulse.web.query.pages import page_data
from salespulse.web.query.periods import card_periods
from salespulse.web.query.readers import DuckDBReader, Reader, open_reader
from salespulse.web.server.appdb import AppDB
from salespulse.web.ui.formatting import display
from salespulse.web.ui.screen import as_number, quota_note
from salespulse.web.ui.visuals import PAGES, chart_id, visuals
from web_testing import (
    LEAD,
    MANAGER,
    REP,
    US_REP,
    Callbacks,
    components,
    demo_app_fixture,
    forecast_app,
    graphs,
    login,
    make_app,
    publish_copy,
    render,
    signed_in,
    state,
    tables,
    text_of,
)

web = demo_app_fixture("web-app")


@pytest.fixture
def client(web: tuple[Any, Reader]) -> Any:
    return signed_in(web[0], MANAGER)


@pytest.fixture
def callbacks(client: Any) -> Callbacks:
    return Callbacks(client)


def numbers(frame: pd.DataFrame, column: str) -> list[Any]:
    return [as_number(v) for v in frame[column].tolist()]


# --------------------------------------------------------------------------- sign-in


def test_unauthenticated_requests_get_nothing(web: tuple[Any, Reader]) -> None:
    client = web[0].server.test_client()
    for path in ("/", "/overview", "/customer?client=1", "/overview?view=abc"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]
    for path in (
        "/_dash-layout",
        "/_dash-dependencies",
        "/export/csv?page=overview",
        "/export/pdf?page=reps",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert b"Sales" not in response.data
    response = client.post("/_dash-update-component", json={"output": "page-content.children", "inputs": []})
    assert response.status_code == 401
    assert client.get("/assets/app.css").status_code == 200  # static styling, no data


def test_login_logout(web: tuple[Any, Reader]) -> None:
    app, _ = web
    client = app.server.test_client()
    assert login(client, MANAGER, "wrong").status_code == 401
    assert login(client, "nobody@salespulse.example").status_code == 401
    response = login(client, MANAGER)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/overview")
    assert page.status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    token = client.get_cookie("_csrf_token").value
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_account_without_a_role_cannot_sign_in(web: tuple[Any, Reader]) -> None:
    app, _ = web
    db: AppDB = app.server.extensions["salespulse"].db
    db.set_password("former.employee@salespulse.example", "demo")
    response = login(app.server.test_client(), "former.employee@salespulse.example")
    assert response.status_code == 403
    assert b"no dashboard role" in response.data


def test_next_is_never_another_site(web: tuple[Any, Reader]) -> None:
    client = web[0].server.test_client()
    page = client.get("/login?next=//evil.example/x").get_data(as_text=True)
    assert 'value="/"' in page and "evil" not in page


def test_pages_are_served_locally(client: Any) -> None:
    html = client.get("/overview").get_data(as_text=True)
    for url in [*_attrs(html, "src"), *_attrs(html, "href")]:
        assert url.startswith("/"), url
    assert client.get("/assets/topojson/world_110m.json").status_code == 200
    assert "connect-src 'self'" in client.get("/overview").headers["Content-Security-Policy"]


def _attrs(html: str, name: str) -> list[str]:
    import re

    return re.findall(rf'{name}="([^"]+)"', html)


# --------------------------------------------------------------------------- every page's numbers


def expected(slug: str, dataset: str, filters: Filters, scope: Scope, reader: Reader) -> pd.DataFrame:
    """The data layer's numbers behind a visual (drill levels straight from ``evaluate``)."""
    data = page_data(PAGES[slug], filters, scope, reader=reader)
    if dataset in data:
        return data[dataset]
    if dataset == "product_drill":
        return data["sales_by_category"][["Category", "Sales"]]
    if dataset == "geo_drill":
        return evaluate(
            ["Sales"], filters, scope, by=[("Geography", "Region")], order_by="Sales", reader=reader
        )
    if dataset == "time_drill":
        by = [("Date", "Year")] + ([("Sales Rep", "Sales Rep")] if slug == "reps" else [])
        return evaluate(["Sales"], filters, scope, by=by, reader=reader)
    raise KeyError(dataset)


def trace_values(trace: dict[str, Any], horizontal: bool) -> list[Any]:
    return list(trace["x"] if horizontal else trace["y"])


def check_figure(item: Any, figure: dict[str, Any], frame: pd.DataFrame) -> None:
    traces = figure["data"]
    if item.limit:
        frame = frame.head(item.limit)
    if item.kind == "map":
        assert [c[1] for c in traces[0]["customdata"]] == numbers(frame, "Sales")
        assert list(traces[0]["lat"]) == numbers(frame, "Latitude")
        return
    if item.dataset == "time_drill":
        expected_totals: dict[str, Decimal] = {}
        for row in frame.to_dict("records"):
            expected_totals[str(row["Year"])] = (
                expected_totals.get(str(row["Year"]), Decimal(0)) + row["Sales"]
            )
        shown: dict[str, float] = {}
        for trace in traces:
            for x, y in zip(trace["x"], trace["y"], strict=True):
                shown[x] = shown.get(x, 0.0) + y
        assert set(shown) == set(expected_totals)
        for year, value in expected_totals.items():
            assert shown[year] == pytest.approx(float(value), abs=0.005)
        return
    if item.kind == "band":  # a line or a band edge per measure, blanks left out
        drawn = {trace["meta"]: trace for trace in traces}
        dates = [d.isoformat() for d in frame[item.x]]
        for measure in item.y:
            present = [(x, v) for x, v in zip(dates, numbers(frame, measure), strict=True) if v is not None]
            if not present:
                assert measure not in drawn, measure
                continue
            assert list(zip(drawn[measure]["x"], drawn[measure]["y"], strict=True)) == present, measure
        return
    if item.series:  # one trace per series value
        for trace in traces:
            part = frame[frame[item.series].astype(str) == trace["name"]]
            assert list(trace["y"]) == numbers(part, item.y[0])
        return
    horizontal = item.kind == "hbar"
    for index, measure in enumerate(item.y):
        assert trace_values(traces[index], horizontal) == numbers(frame, measure), (item.dataset, measure)
    labels = [str(v) for v in frame[item.x if item.x in frame.columns else frame.columns[0]].tolist()]
    assert list(traces[0]["y" if horizontal else "x"]) == labels, item.dataset


def check_page(slug: str, response: dict[str, Any], filters: Filters, scope: Scope, reader: Reader) -> int:
    figures, data_tables = graphs(response), tables(response)
    if slug == "reps":  # the page says what a quota is (or why there is none), never blank columns
        notes = [
            c
            for c in components(response["page-content"]["children"], "Div")
            if c["props"].get("id") == "quota-note"
        ]
        assert [n["props"]["children"] for n in notes] == [quota_note(reader)]
    checked = 0
    for item in visuals(slug):
        if item.kind == "kpis":
            frame = expected(slug, "kpis", filters, scope, reader)
            cards = {
                c["props"]["data-measure"]: c
                for c in components(response["page-content"]["children"], "Div")
                if "data-measure" in c.get("props", {})
            }
            periods = card_periods(reader, filters, frame.iloc[0].to_dict())
            assert periods  # every page's cards name their period
            for name in frame.columns:
                children = cards[name]["props"]["children"]
                assert children[1]["props"]["title"] == display(name, frame.iloc[0][name]), name
                subtitle = children[2]["props"]["children"] if len(children) > 2 else None
                assert subtitle == periods.get(name), name
            checked += 1
        elif item.kind == "table":
            frame = expected(slug, item.dataset, filters, scope, reader)
            if item.limit:
                frame = frame.head(item.limit)
            rows = data_tables[chart_id(slug, item)]
            for measure in item.y:
                assert [r[measure] for r in rows] == numbers(frame, measure), (item.dataset, measure)
            checked += 1
        else:
            frame = expected(slug, item.dataset, filters, scope, reader)
            check_figure(item, figures[chart_id(slug, item)], frame)
            checked += 1
    return checked


@pytest.mark.parametrize("slug", list(PAGES))
def test_each_page_shows_the_data_layers_numbers(
    slug: str, callbacks: Callbacks, web: tuple[Any, Reader]
) -> None:
    reader = web[1]
    scope = resolve_scope(MANAGER, reader)
    assert check_page(slug, render(callbacks, state(), slug), Filters(), scope, reader) == len(visuals(slug))


def test_filtered_pages_show_the_data_layers_numbers(callbacks: Callbacks, web: tuple[Any, Reader]) -> None:
    reader = web[1]
    scope = resolve_scope(MANAGER, reader)
    clients = evaluate(["Sales"], Filters(), scope, by=[("Customer", "Customer Key")], top=1, reader=reader)
    products = evaluate(["Sales"], Filters(), scope, by=[("Product", "Product Key")], top=1, reader=reader)
    cases = {
        "overview": {"date_from": "2024-01-01", "date_to": "2024-12-31", "regions": ["Europe"]},
        "reps": {"categories": ["Bikes"], "date_from": "2024-01-01", "date_to": "2024-06-30"},
        "customer": {"customer_keys": [int(clients.iloc[0, 0])]},
        "product": {"product_keys": [int(products.iloc[0, 0])]},
        "campaigns": {"client_types": ["Business"]},
        "forecast": {"categories": ["Bikes"]},
        "clients": {"client_types": ["Business"], "date_from": "2024-01-01", "date_to": "2024-12-31"},
    }
    for slug, values in cases.items():
        response = render(callbacks, state(**values), slug)
        filters = Filters(**{k: v for k, v in values.items()})
        if slug == "reps":  # a date range inside one year: the time hierarchy shows months
            figure = graphs(response)[chart_id(slug, visuals(slug)[3])]
            months = {x for trace in figure["data"] for x in trace["x"]}
            assert months == {f"{m} 2024" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun")}
            continue
        assert check_page(slug, response, filters, scope, reader) == len(visuals(slug)), slug


# --------------------------------------------------------------------------- clicks, drill, slicers


def control(
    callbacks: Callbacks, values: dict[str, Any], changed: str, page: str = "/overview"
) -> dict[str, Any]:
    base = {"state.data": state(), "url.pathname": page, "url.search": ""}
    return callbacks.call("state.data", {**base, **values}, [changed])


def pattern(kind: str, ident: str, prop: str, value: Any, key: str = "id") -> tuple[str, dict[str, Any]]:
    """(changedPropIds entry, values entry) of a pattern-matched component."""
    component = {key: ident, "type": kind}
    name = json.dumps(component, sort_keys=True, separators=(",", ":"))
    pattern_key = json.dumps({key: ["ALL"], "type": kind}, separators=(",", ":"))
    return f"{name}.{prop}", {f"{pattern_key}.{prop}": [{"id": component, "property": prop, "value": value}]}


def _pattern_key(callbacks: Callbacks, kind: str, prop: str) -> str:
    for item in callbacks.find("state.data")["inputs"]:
        if item["id"].startswith("{") and f'"{kind}"' in item["id"] and item["property"] == prop:
            return f"{item['id']}.{prop}"
    raise KeyError(kind)


def click(
    callbacks: Callbacks,
    kind: str,
    ident: str,
    prop: str,
    value: Any,
    current: dict[str, Any],
    page: str,
    key: str = "id",
) -> dict[str, Any]:
    component = {key: ident, "type": kind}
    name = json.dumps(component, sort_keys=True, separators=(",", ":"))
    values = {
        "state.data": current,
        "url.pathname": page,
        _pattern_key(callbacks, kind, prop): [{"id": component, "property": prop, "value": value}],
    }
    return callbacks.call("state.data", values, [f"{name}.{prop}"])


def test_quick_picks_and_slicers(callbacks: Callbacks) -> None:
    response = control(callbacks, {"quick-pick.value": "ytd"}, "quick-pick.value")
    assert (response["state"]["data"]["date_from"], response["state"]["data"]["date_to"]) == (
        "2024-01-01",
        "2024-12-31",
    )
    response = control(callbacks, {"quick-pick.value": "l24m"}, "quick-pick.value")
    assert response["state"]["data"]["date_from"] == "2023-01-01"
    response = control(callbacks, {"f-regions.value": ["Europe", "Atlantis"]}, "f-regions.value")
    assert response["state"]["data"]["regions"] == ["Europe"]
    assert response["f-regions"]["value"] == ["Europe"]
    response = control(
        callbacks, {"clear-all.n_clicks": 1, "state.data": state(regions=["Europe"])}, "clear-all.n_clicks"
    )
    assert response["state"]["data"] == state()


def test_cross_filter_drill_and_detail_pages(callbacks: Callbacks, web: tuple[Any, Reader]) -> None:
    reader = web[1]
    scope = resolve_scope(MANAGER, reader)
    # a month of the sales vs budget chart filters the page to that month
    month = click(
        callbacks,
        "chart",
        "overview:sales_vs_budget_by_month:combo",
        "clickData",
        {"points": [{"customdata": [2024, 2]}]},
        state(),
        "/overview",
    )
    assert (month["state"]["data"]["date_from"], month["state"]["data"]["date_to"]) == (
        "2024-02-01",
        "2024-02-29",
    )
    # product hierarchy: category -> subcategory -> product (opens its page)
    current = state()
    category = click(
        callbacks,
        "chart",
        "overview:product_drill:bar",
        "clickData",
        {"points": [{"customdata": ["Category", "Bikes", None]}]},
        current,
        "/overview",
    )
    current = category["state"]["data"]
    assert current["categories"] == ["Bikes"]
    page = render(callbacks, current, "overview")
    bikes = evaluate(
        ["Sales"],
        Filters(categories=("Bikes",)),
        scope,
        by=[("Product", "Subcategory")],
        order_by="Sales",
        reader=reader,
    )
    figure = graphs(page)["overview:product_drill:bar"]
    assert list(figure["data"][0]["x"]) == bikes["Subcategory"].tolist()
    assert list(figure["data"][0]["y"]) == numbers(bikes, "Sales")
    sub = click(
        callbacks,
        "chart",
        "overview:product_drill:bar",
        "clickData",
        {"points": [{"customdata": ["Subcategory", bikes.iloc[0, 0], None]}]},
        current,
        "/overview",
    )
    current = sub["state"]["data"]
    products = graphs(render(callbacks, current, "overview"))["overview:product_drill:bar"]["data"][0]
    key = products["customdata"][0][2]
    product = click(
        callbacks,
        "chart",
        "overview:product_drill:bar",
        "clickData",
        {"points": [{"customdata": ["Product", products["x"][0], key]}]},
        current,
        "/overview",
    )
    assert product["url"]["pathname"] == "/product"
    assert product["state"]["data"]["product_keys"] == [key]
    # breadcrumb up to all categories
    up = click(
        callbacks, "crumb", "product:0", "n_clicks", 1, product["state"]["data"], "/product", key="target"
    )
    assert up["state"]["data"]["categories"] == [] and up["state"]["data"]["product_keys"] == []
    # time: a year drills into its months
    year = click(
        callbacks,
        "chart",
        "reps:time_drill:stacked",
        "clickData",
        {"points": [{"customdata": [2023, None]}]},
        state(),
        "/reps",
    )
    assert (year["state"]["data"]["date_from"], year["state"]["data"]["date_to"]) == (
        "2023-01-01",
        "2023-12-31",
    )
    months = graphs(render(callbacks, year["state"]["data"], "reps"))["reps:time_drill:stacked"]
    assert {x for t in months["data"] for x in t["x"]} == {
        f"{m} 2023"
        for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    }
    # geography: region -> country -> city
    region = click(
        callbacks,
        "chart",
        "overview:geo_drill:hbar",
        "clickData",
        {"points": [{"customdata": ["Europe"]}]},
        state(),
        "/overview",
    )
    assert region["state"]["data"]["geo"] == ["Europe"]
    countries = graphs(render(callbacks, region["state"]["data"], "overview"))["overview:geo_drill:hbar"]
    europe = evaluate(
        ["Sales"], Filters(), scope, by=[("Geography", "Region"), ("Geography", "Country")], reader=reader
    )
    europe = europe[europe["Region"] == "Europe"]
    assert set(countries["data"][0]["y"]) == set(europe["Country"])
    # a client in a chart opens the client's page
    clients = graphs(render(callbacks, state(), "overview"))["overview:top_10_clients:hbar"]["data"][0]
    opened = click(
        callbacks,
        "chart",
        "overview:top_10_clients:hbar",
        "clickData",
        {"points": [{"customdata": clients["customdata"][0]}]},
        state(),
        "/overview",
    )
    assert opened["url"]["pathname"] == "/customer"
    assert len(opened["state"]["data"]["customer_keys"]) >= 1
    # a row of a table too
    row = click(
        callbacks,
        "table",
        "customer:clients:table",
        "active_cell",
        {"row": 0, "column": 0, "column_id": "Client", "row_id": opened["state"]["data"]["customer_keys"][0]},
        state(),
        "/customer",
    )
    assert row["state"]["data"]["customer_keys"] == opened["state"]["data"]["customer_keys"][:1]


def test_client_type_ahead(callbacks: Callbacks) -> None:
    response = callbacks.call(
        "f-customer-keys.options",
        {"f-customer-keys.search_value": "adams", "f-customer-keys.value": []},
        ["f-customer-keys.search_value"],
    )
    options = response["f-customer-keys"]["options"]
    assert options and all("adams" in o["label"].lower() for o in options)


# --------------------------------------------------------------------------- saved views


def save_view(
    callbacks: Callbacks, name: str, current: dict[str, Any], page: str, shared: bool
) -> dict[str, Any]:
    return callbacks.call(
        "views-list.options",
        {
            "view-save.n_clicks": 1,
            "view-name.value": name,
            "view-shared.value": ["shared"] if shared else [],
            "state.data": current,
            "url.pathname": page,
        },
        ["view-save.n_clicks"],
    )


def open_link(callbacks: Callbacks, search: str) -> dict[str, Any]:
    return callbacks.call(
        "state.data",
        {"url.search": search, "url.pathname": "/overview", "state.data": state()},
        ["url.search"],
    )


def test_saved_views_restore_filters_and_page(web: tuple[Any, Reader]) -> None:
    app, _ = web
    owner = app.server.test_client()
    login(owner, LEAD)
    calls = Callbacks(owner)
    saved = save_view(
        calls, "Bikes in France", state(categories=["Bikes"], territory_codes=["FR"]), "/reps", False
    )
    link = saved["view-link"]["value"]
    view_id = link.split("view=")[1]
    assert link.endswith(f"/reps?view={view_id}")
    assert any(o["value"] == view_id for o in saved["views-list"]["options"])
    reopened = open_link(calls, f"?view={view_id}")
    assert reopened["url"]["pathname"] == "/reps"
    assert reopened["state"]["data"]["categories"] == ["Bikes"]
    assert reopened["state"]["data"]["territory_codes"] == ["FR"]
    # private: another user is refused and keeps their own state
    other = app.server.test_client()
    login(other, MANAGER)
    refused = open_link(Callbacks(other), f"?view={view_id}")
    assert "private" in json.dumps(refused["notice"])
    assert refused["state"]["data"] == state()
    # deleting
    deleted = calls.call(
        "views-list.options",
        {
            "view-delete.n_clicks": 1,
            "views-list.value": view_id,
            "state.data": state(),
            "url.pathname": "/reps",
        },
        ["view-delete.n_clicks"],
    )
    assert all(o["value"] != view_id for o in deleted["views-list"]["options"])


def test_shared_view_applies_within_the_openers_scope(web: tuple[Any, Reader]) -> None:
    app, _ = web
    manager = app.server.test_client()
    login(manager, MANAGER)
    saved = save_view(
        Callbacks(manager), "Europe bikes", state(regions=["Europe"], categories=["Bikes"]), "/overview", True
    )
    view_id = saved["view-link"]["value"].split("view=")[1]
    lead = app.server.test_client()
    login(lead, LEAD)
    opened = open_link(Callbacks(lead), f"?view={view_id}")
    assert opened["state"]["data"]["regions"] == ["Europe"] and opened["state"]["data"]["void"] == []
    # a rep of North America: Europe is outside their scope, so the view shows them nothing
    rep = app.server.test_client()
    login(rep, US_REP)
    calls = Callbacks(rep)
    opened = open_link(calls, f"?view={view_id}")
    assert opened["state"]["data"]["regions"] == [] and opened["state"]["data"]["void"] == ["regions"]
    assert opened["state"]["data"]["categories"] == ["Bikes"]
    page = render(calls, opened["state"]["data"], "overview")
    assert graphs(page) == {} and "empty-notice" in json.dumps(page["page-content"])


# --------------------------------------------------------------------------- the analytics pages


@pytest.fixture(scope="module")
def forecast_web(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Reader]]:
    """The app on the demo warehouse after the forecast (total, categories and territories)."""
    yield from forecast_app(demo_duckdb, tmp_path_factory, "web-app")


def series_picker(response: dict[str, Any]) -> dict[str, Any]:
    (picker,) = [
        c
        for c in components(response["page-content"]["children"], "Dropdown")
        if c["props"]["id"]["type"] == "series"
    ]
    return picker["props"]


def band_trace(response: dict[str, Any], measure: str) -> dict[str, Any]:
    figure = graphs(response)["forecast:forecast_by_month:band"]
    return next(t for t in figure["data"] if t["meta"] == measure)


def test_the_forecast_page_switches_series(forecast_web: tuple[Any, Reader]) -> None:
    app, reader = forecast_web
    client = app.server.test_client()
    login(client, MANAGER)
    calls = Callbacks(client)
    scope = resolve_scope(MANAGER, reader)
    first = render(calls, state(), "forecast")
    assert check_page("forecast", first, Filters(), scope, reader) == len(visuals("forecast"))
    picker = series_picker(first)
    assert picker["value"] == "total:All" and len(picker["options"]) == 15
    assert len(band_trace(first, "Forecast")["y"]) == 12
    # the selector: the page shows the series picked
    picked = click(calls, "series", "forecast", "value", "category:Bikes", state(), "/forecast")
    current = picked["state"]["data"]
    assert current["series"] == "category:Bikes"
    bikes = render(calls, current, "forecast")
    assert series_picker(bikes)["value"] == "category:Bikes"
    expected_bikes = page_data("Forecast", Filters(), scope, reader=reader, series="category:Bikes")
    assert band_trace(bikes, "Forecast")["y"] == numbers(
        expected_bikes["forecast_by_month"].dropna(subset=["Forecast"]), "Forecast"
    )
    assert band_trace(bikes, "Forecast")["y"] != band_trace(first, "Forecast")["y"]
    # the selector appearing with the series shown changes nothing
    body = calls.payload(
        "state.data",
        {
            "state.data": current,
            "url.pathname": "/forecast",
            '{"id":["ALL"],"type":"series"}.value': [
                {"id": {"id": "forecast", "type": "series"}, "property": "value", "value": "category:Bikes"}
            ],
        },
        ['{"id":"forecast","type":"series"}.value'],
    )
    unchanged = calls.post(body)
    assert unchanged.status_code == 204 or "state" not in unchanged.get_json()["response"]
    # a bar of the projected full year, a row of the backtest: that series
    bar = click(
        calls,
        "chart",
        "forecast:projected_vs_budget:bar",
        "clickData",
        {"points": [{"customdata": ["territory:DE"]}]},
        current,
        "/forecast",
    )
    assert bar["state"]["data"]["series"] == "territory:DE"
    row = click(
        calls,
        "table",
        "forecast:backtest:table",
        "active_cell",
        {"row": 0, "column": 0, "column_id": "Series", "row_id": "category:Clothing"},
        current,
        "/forecast",
    )
    assert row["state"]["data"]["series"] == "category:Clothing"
    # a category filter offers (and shows) its own series
    filtered = render(calls, state(categories=["Clothing"]), "forecast")
    assert series_picker(filtered)["value"] == "category:Clothing"
    assert [o["value"] for o in series_picker(filtered)["options"]] == ["category:Clothing"]
    # the exports say which series they hold
    query = {"page": "forecast", "state": json.dumps(state(series="category:Bikes"))}
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/xlsx", query_string=query).data))
    cover = [[c for c in r if c is not None] for r in book["Report"].iter_rows(values_only=True)]
    assert ["Filter: Forecast series", "Category: Bikes"] in cover
    sheet = book["Sales and forecast by month"]
    assert {r[0] for r in sheet.iter_rows(min_row=2, max_col=1, values_only=True)} - {None} == {"Bikes"}
    assert len(sheet._charts) == 1
    text = " ".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(client.get("/export/pdf", query_string=query).data)).pages
    )
    assert "Forecast series: Category: Bikes" in " ".join(text.split())
    archive = zipfile.ZipFile(io.BytesIO(client.get("/export/csv", query_string=query).data))
    months = list(
        csv.DictReader(
            io.StringIO(
                archive.read("sales-and-forecast-by-month-with-80-and-95-intervals.csv").decode("utf-8-sig")
            )
        )
    )
    assert len(months) == 48 and {m["Series"] for m in months} == {"Bikes"}


def test_the_forecast_page_without_a_forecast_says_so(callbacks: Callbacks) -> None:
    response = render(callbacks, state(), "forecast")
    assert "forecast-empty" in text_of(response["page-content"])
    lead = render(callbacks, state(regions=["Europe"]), "forecast")  # no territory series in this demo
    assert "forecast-none" in text_of(lead["page-content"])


def test_the_clients_page_clicks(callbacks: Callbacks, web: tuple[Any, Reader]) -> None:
    reader = web[1]
    scope = resolve_scope(MANAGER, reader)
    page = render(callbacks, state(), "clients")
    at_risk = tables(page)["clients:at_risk_clients:table"]
    assert at_risk and at_risk[0]["Client"] and at_risk[0]["At Risk Reason"]
    key = at_risk[0]["id"]
    opened = click(
        callbacks,
        "table",
        "clients:at_risk_clients:table",
        "active_cell",
        {"row": 0, "column": 0, "column_id": "Client", "row_id": key},
        state(),
        "/clients",
    )
    assert opened["url"]["pathname"] == "/customer"
    assert opened["state"]["data"]["customer_keys"] == [key]
    details = tables(render(callbacks, opened["state"]["data"], "customer"))["customer:clients:table"]
    assert [r["Client"] for r in details] == [at_risk[0]["Client"]]
    month = click(
        callbacks,
        "chart",
        "clients:client_activity_by_month:lines",
        "clickData",
        {"points": [{"customdata": [2024, 3]}]},
        state(),
        "/clients",
    )
    current = month["state"]["data"]
    assert (current["date_from"], current["date_to"]) == ("2024-03-01", "2024-03-31")
    filtered = render(callbacks, current, "clients")
    march = page_data("Clients", Filters(date_from="2024-03-01", date_to="2024-03-31"), scope, reader=reader)
    assert (
        check_page("clients", filtered, Filters(date_from="2024-03-01", date_to="2024-03-31"), scope, reader)
        == 6
    )
    assert (
        march["kpis"].iloc[0]["New Clients"]
        < page_data("Clients", Filters(), scope, reader=reader)["kpis"].iloc[0]["New Clients"]
    )
    reps = graphs(filtered)["clients:clients_acquired_by_rep:hbar"]["data"][0]
    rep = click(
        callbacks,
        "chart",
        "clients:clients_acquired_by_rep:hbar",
        "clickData",
        {"points": [{"customdata": reps["customdata"][0]}]},
        current,
        "/clients",
    )
    assert rep["state"]["data"]["sales_rep_keys"] == reps["customdata"][0]


# --------------------------------------------------------------------------- exports


def test_exports_hold_what_is_on_screen(client: Any, web: tuple[Any, Reader]) -> None:
    reader = web[1]
    scope = resolve_scope(MANAGER, reader)
    current = state(categories=["Bikes"], date_from="2024-01-01", date_to="2024-12-31")
    filters = Filters(categories=("Bikes",), date_from="2024-01-01", date_to="2024-12-31")
    data = page_data("Sales Overview", filters, scope, reader=reader)
    query = {"page": "overview", "state": json.dumps(current)}

    one = client.get("/export/csv", query_string={**query, "table": "top_10_clients"})
    assert one.status_code == 200 and one.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(one.data.decode("utf-8-sig"))))
    assert [r["Client"] for r in rows] == data["top_10_clients"]["Client"].tolist()
    assert [Decimal(r["Sales"]) for r in rows] == data["top_10_clients"]["Sales"].tolist()

    archive = zipfile.ZipFile(io.BytesIO(client.get("/export/csv", query_string=query).data))
    assert "filters.csv" in archive.namelist() and "top-10-clients.csv" in archive.namelist()
    assert "Bikes" in archive.read("filters.csv").decode("utf-8-sig")

    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/xlsx", query_string=query).data))
    assert book.sheetnames[0] == "Report"
    cover = [[c for c in row if c is not None] for row in book["Report"].iter_rows(values_only=True)]
    assert ["Filter: Category", "Bikes"] in cover
    sheet = book["Top 10 clients"]
    top = data["top_10_clients"]
    values = list(sheet.iter_rows(min_row=2, max_row=len(top) + 1, max_col=2, values_only=True))
    assert [r[0] for r in values] == data["top_10_clients"]["Client"].tolist()
    assert [r[1] for r in values] == pytest.approx(numbers(data["top_10_clients"], "Sales"))
    assert len(sheet._charts) == 1  # a native Excel chart of the same numbers

    pdf = client.get("/export/pdf", query_string=query)
    assert pdf.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Sales Overview" in text and "Active filters" in text
    assert "Category: Bikes" in text and "2024-01-01 to 2024-12-31" in text
    assert data["top_10_clients"]["Client"].iloc[0] in text


# --------------------------------------------------------------------------- fresh data, PostgreSQL


def test_a_rebuild_shows_without_a_restart(demo_duckdb: dict[str, str], tmp_path: Path) -> None:
    published = publish_copy(demo_duckdb["SALESPULSE_DUCKDB_PATH"], tmp_path)
    reader = DuckDBReader(published)
    app = make_app(reader, tmp_path, (MANAGER,))
    client = app.server.test_client()
    login(client, MANAGER)
    calls = Callbacks(client)
    scope = resolve_scope(MANAGER, reader)
    before = page_data("Sales Overview", Filters(), scope, reader=reader)["kpis"]["Sales"].iloc[0]

    def sales_card() -> str:
        response = render(calls, state(), "overview")
        cards = [
            c
            for c in components(response["page-content"]["children"], "Div")
            if c.get("props", {}).get("data-measure") == "Sales"
        ]
        return cards[0]["props"]["children"][1]["props"]["title"]

    assert sales_card() == display("Sales", before)
    with staged(published) as path:  # a rebuild: readers keep the old build until it is published
        shutil.copyfile(os.path.realpath(published), path)
        with duckdb.connect(str(path)) as con:
            con.execute("update marts.fct_sales set net_sales_amount = net_sales_amount * 2")
    assert sales_card() == display("Sales", before * 2)
    reader.close()


@pytest.mark.postgres
def test_postgres_warehouse(
    demo_postgres: dict[str, str], demo_duckdb: dict[str, str], tmp_path: Path
) -> None:
    reader = open_reader("postgres", {**os.environ, **demo_postgres})
    app = make_app(reader, tmp_path, (MANAGER, REP))
    client = app.server.test_client()
    login(client, REP)
    calls = Callbacks(client)
    scope = resolve_scope(REP, reader)
    for slug in ("overview", "customer"):
        assert check_page(slug, render(calls, state(), slug), Filters(), scope, reader) == len(visuals(slug))
    duck = DuckDBReader(publish_copy(demo_duckdb["SALESPULSE_DUCKDB_PATH"], tmp_path / "duck"))
    same = page_data("Sales Overview", Filters(), resolve_scope(REP, duck), reader=duck)["kpis"]
    assert page_data("Sales Overview", Filters(), scope, reader=reader)["kpis"].equals(same)
    duck.close()
    reader.close()  # type: ignore[attr-defined]
