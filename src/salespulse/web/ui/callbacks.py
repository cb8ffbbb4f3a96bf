"""The Dash callbacks. Each one runs on the server for the signed-in user (the request guard has
checked the session and the CSRF header) and resolves the user's scope there; the browser's state
and component values are proposals that ``state.resolve`` intersects with that scope.

- ``control``: the one writer of the filter state (slicers, quick picks, clicks on charts and
  tables, breadcrumbs, chips, saved views, ``?view=`` / ``?client=`` / ``?product=`` links) and of
  the slicers' values, so they always show the state. When it restores a whole state (page load,
  link, saved view) it sends the slicers' options with their values: a Dash dropdown drops a value
  that is not among its options, so a value arriving before its options had was
  lost (the Region of a shared link), and with it the filter.
- ``render``: the page for the state: title, chips, visuals, export links.

Both run in ONE callback (``_control_and_render``): a filter change, a click or a page load is one
request that answers with the new state and the page drawn for it, not a state that the browser
then sends back for a second request (a round trip and the renderer's processing in between, on
every action). A page switch (``url.pathname``) keeps the state and only renders.
- ``typeahead_options``: what a type-ahead slicer (clients, products) offers; what the other
  slicers offer comes with the page's layout (``choices``).
- ``views``: save, list and delete saved views (the app database).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, no_update
from flask import request

from salespulse.web.exports.routes import export_href
from salespulse.web.query.slicers import Slicer, panel_slicers
from salespulse.web.ui import context
from salespulse.web.ui.actions import apply_click, apply_crumb, apply_row
from salespulse.web.ui.choices import option_lists, slicer_options
from salespulse.web.ui.layout import FIRST_PAGE_ID, SLICERS, slicer_id
from salespulse.web.ui.render import filter_chips, page_content
from salespulse.web.ui.screen import screen_data
from salespulse.web.ui.state import (
    Resolved,
    calendar_of,
    empty_state,
    pick_of,
    quick_pick_range,
    quick_picks,
    resolve,
    series_of,
)
from salespulse.web.ui.visuals import DEFAULT_SLUG, PAGES, chart_id, visuals

FIELDS = [field for field, _ in SLICERS]
#: The slicers whose options come as the user types (clients, products: ``typeahead_options``).
TYPEAHEADS = [slicer for slicer in panel_slicers() if slicer.typeahead]
#: Slicers whose options the layout brings (``choices``).
OPTION_FIELDS = [field for field in FIELDS if field not in {slicer.name for slicer in TYPEAHEADS}]
#: Outputs of the control step: state, path, dates (2), quick pick, notice, each type-ahead's
#: options, quick-pick options, the other slicers' options, every slicer's value.
CONTROL_OUTPUTS = 7 + len(TYPEAHEADS) + len(OPTION_FIELDS) + len(FIELDS)
#: Outputs of the render step: title, chips, content, three export links, a class per page link.
RENDER_OUTPUTS = 6 + len(PAGES)
#: The options a type-ahead offers at a time (besides the chosen ones).
MATCHES = 30


def slug_of(pathname: Any) -> str:
    slug = (pathname if isinstance(pathname, str) else "/").strip("/").split("/")[0]
    return slug if slug in PAGES else DEFAULT_SLUG


def resolve_state(state: Any) -> Resolved:
    scope = context.scope()
    return resolve(
        state if isinstance(state, dict) else {},
        context.options(scope),
        context.geo_index(scope),
        context.allowed(scope),
    )


def _find_visual(visual_id: str) -> tuple[str, Any] | None:
    slug = str(visual_id).split(":")[0]
    for item in visuals(slug) if slug in PAGES else ():
        if chart_id(slug, item) == visual_id:
            return slug, item
    return None


# --------------------------------------------------------------------------- control


def _open_view(view_id: str, state: dict[str, Any], slug: str) -> tuple[dict[str, Any], str, str]:
    """(state, slug, notice) after opening a saved view: the owner's, or one shared with all."""
    me = context.scope().email
    view = context.app_db().get_view(str(view_id))
    if view is None or (view.owner.lower() != me.lower() and not view.shared):
        return state, slug, "That saved view does not exist or is private."
    notice = (
        "" if view.owner.lower() == me.lower() else f"Shared view “{view.name}”, within what you may see."
    )
    return {**empty_state(), **view.state}, view.page if view.page in PAGES else slug, notice


def _from_link(search: str, state: dict[str, Any], slug: str) -> tuple[dict[str, Any], str, str]:
    query = parse_qs(search.lstrip("?") if isinstance(search, str) else "")
    if query.get("view"):
        return _open_view(query["view"][0], state, slug)
    new = {**empty_state(), **state}
    if query.get("client"):
        new["customer_keys"] = query["client"][:1]
        return new, "customer", ""
    if query.get("product"):
        new["product_keys"] = query["product"][:1]
        return new, "product", ""
    return state, slug, ""


def control(args: list[Any], state: dict[str, Any] | None, pathname: str | None) -> tuple[Any, ...]:
    """The new state from whatever triggered; every output of ``register``'s control callback."""
    (search, view_id, pick, start, end, clear, _charts, _tables, _crumbs, _chips, _series, *values) = args
    state = {**empty_state(), **(state if isinstance(state, dict) else {})}
    slug = slug_of(pathname)
    new_slug = slug
    notice: Any = no_update
    trigger = ctx.triggered_id
    triggered_value = ctx.triggered[0]["value"] if ctx.triggered else None
    lookups = context.lookups()
    restored = False  # a whole state from a link or a saved view (or the page load)

    if trigger is None or trigger == "url":
        state, new_slug, notice = _from_link(search, state, slug)
        restored = True
    elif trigger == "views-list" and view_id:
        state, new_slug, notice = _open_view(view_id, state, slug)
        restored = True
    elif trigger == "quick-pick" and isinstance(pick, str):
        chosen = quick_pick_range(pick, calendar_of(context.options()))
        if chosen is not None:
            state["date_from"] = chosen[0].isoformat() if chosen[0] else None
            state["date_to"] = chosen[1].isoformat() if chosen[1] else None
    elif trigger == "dates":
        state["date_from"], state["date_to"] = start, end
    elif trigger == "clear-all" and clear:
        state = empty_state()
    elif isinstance(trigger, dict) and triggered_value:
        kind = trigger.get("type")
        if kind == "chart":
            found = _find_visual(trigger.get("id", ""))
            points = triggered_value.get("points") if isinstance(triggered_value, dict) else None
            if found and isinstance(points, list) and points and isinstance(points[0], dict):
                state, new_slug = apply_click(found[0], found[1], points[0].get("customdata"), state, lookups)
        elif kind == "table":
            found = _find_visual(trigger.get("id", ""))
            if found and isinstance(triggered_value, dict):
                state, new_slug = apply_row(found[0], found[1], triggered_value.get("row_id"), state)
        elif kind == "crumb":
            state = apply_crumb(str(trigger.get("target", "")), state)
        elif kind == "series":
            state["series"] = series_of(triggered_value) or state.get("series")
        elif kind == "chip":
            field = str(trigger.get("field", ""))
            if field == "dates":
                state["date_from"] = state["date_to"] = None
            elif field in state and field != "void":
                state[field] = []
            state["void"] = [v for v in state.get("void") or [] if v != field]
    elif isinstance(trigger, str) and trigger.startswith("f-"):
        for field, value in zip(FIELDS, values, strict=True):
            if trigger == slicer_id(field):
                state[field] = value or []

    resolved = resolve_state(state)
    clean = resolved.state
    slicer_values = [clean[field] for field in FIELDS]
    # a type-ahead's options follow its value, unless the user is typing in it
    typed = [
        typeahead_options(slicer, None, clean[slicer.name])
        if trigger != slicer_id(slicer.name)
        else no_update
        for slicer in TYPEAHEADS
    ]
    path_out = (
        f"/{new_slug}" if new_slug != slug or (trigger is None and (pathname or "/") == "/") else no_update
    )
    opts = context.options()
    cal = calendar_of(opts)
    # the quick pick shows the period the dates are, whatever set them (a link, a click, a chip)
    pick_out: Any = no_update if trigger == "quick-pick" else pick_of(clean, cal)
    picks: Any = no_update
    options: list[Any] = [no_update] * len(OPTION_FIELDS)
    holds = any(clean[field] for field in OPTION_FIELDS) or clean["date_from"] or clean["date_to"]
    if restored and holds:  # the options travel with the values they must hold (module docstring)
        picks = quick_picks(cal)
        per_field = option_lists(opts)
        options = [per_field[field] for field in OPTION_FIELDS]
    return (
        clean,
        path_out,
        clean["date_from"],
        clean["date_to"],
        pick_out,
        notice,
        *typed,
        picks,
        *options,
        *slicer_values,
    )


# --------------------------------------------------------------------------- render


def render(state: dict[str, Any] | None, pathname: str | None) -> tuple[Any, ...]:
    slug = slug_of(pathname)
    scope = context.scope()
    resolved = resolve_state(state)
    labels = context.labels(scope)
    data = screen_data(slug, resolved, scope, context.reader())
    content = page_content(slug, data, resolved, labels, calendar_of(context.options(scope)).as_of)
    clean = resolved.state
    links = [export_href(fmt, slug, clean) for fmt in ("csv", "xlsx", "pdf")]
    nav = ["nav-link active" if s == slug else "nav-link" for s in PAGES]
    return (PAGES[slug], filter_chips(resolved, labels), content, *links, *nav)


# --------------------------------------------------------------------------- slicer options


def typeahead_options(slicer: Slicer, search: str | None, selected: list[Any] | None) -> list[dict[str, Any]]:
    """What a type-ahead slicer offers: the values the user may see whose name contains ``search``
    (the first ``MATCHES``), after the selected ones."""
    rows = context.options()[slicer.options]
    key, name = slicer.value, slicer.shown
    chosen = {int(v) for v in (selected if isinstance(selected, list) else []) if isinstance(v, int)}
    picked = rows[rows[key].isin(chosen)]
    needle = search.strip().casefold() if isinstance(search, str) else ""
    if needle:
        found = rows[rows[name].str.casefold().str.contains(needle, regex=False)].head(MATCHES)
    else:
        found = rows.head(MATCHES)
    frame = pd.concat([picked, found[~found[key].isin(chosen)]]) if len(picked) else found
    return slicer_options(slicer, frame)


# --------------------------------------------------------------------------- saved views


def views(
    save: int,
    delete: int,
    name: str | None,
    shared: list[str] | None,
    selected: str | None,
    state: dict[str, Any] | None,
    pathname: str | None,
) -> tuple[Any, ...]:
    """Save or delete a view (the list itself comes with the page's layout, so opening a page waits
    for no saved-views request before its filters and charts)."""
    db = context.app_db()
    me = context.scope().email
    message: Any = no_update
    link: Any = no_update
    selected_out: Any = no_update
    if ctx.triggered_id == "view-save" and save:
        resolved = resolve_state(state)
        try:
            view = db.save_view(
                me, name if isinstance(name, str) else "", slug_of(pathname), resolved.state, bool(shared)
            )
        except ValueError as error:
            message = str(error)
        else:
            link = f"{request.host_url.rstrip('/')}/{view.page}?view={view.id}"
            message = f"Saved “{view.name}”" + (
                " (anyone signed in may open the link, within their own scope)."
                if view.shared
                else " (only you may open it)."
            )
            selected_out = view.id
    elif ctx.triggered_id == "view-delete" and delete:
        if isinstance(selected, str) and db.delete_view(me, selected):
            message, link, selected_out = "Deleted.", "", None
        else:
            message = "Pick one of your views to delete."
    return context.own_views(), message, link, selected_out


def _register_typeahead(app: Dash, slicer: Slicer) -> None:
    """A type-ahead's options as the user types, and with the values chosen."""

    @app.callback(
        Output(slicer_id(slicer.name), "options"),
        Input(slicer_id(slicer.name), "search_value"),
        Input(slicer_id(slicer.name), "value"),
        prevent_initial_call=True,  # the page load's options come with its state (control)
    )
    def _options(search: str | None, selected: list[Any] | None) -> list[dict[str, Any]]:
        return typeahead_options(slicer, search, selected)


def register(app: Dash) -> None:
    control_inputs = [
        Input("url", "search"),
        Input("views-list", "value"),
        Input("quick-pick", "value"),
        Input("dates", "start_date"),
        Input("dates", "end_date"),
        Input("clear-all", "n_clicks"),
        Input({"type": "chart", "id": ALL}, "clickData"),
        Input({"type": "table", "id": ALL}, "active_cell"),
        Input({"type": "crumb", "target": ALL}, "n_clicks"),
        Input({"type": "chip", "field": ALL}, "n_clicks"),
        Input({"type": "series", "id": ALL}, "value"),
        *(Input(slicer_id(field), "value") for field in FIELDS),
    ]

    @app.callback(
        Output("state", "data"),
        Output("url", "pathname"),
        Output("dates", "start_date"),
        Output("dates", "end_date"),
        Output("quick-pick", "value"),
        Output("notice", "children"),
        # with a type-ahead's value: a client or product set by a click must be among the options
        # when it arrives
        *(Output(slicer_id(slicer.name), "options", allow_duplicate=True) for slicer in TYPEAHEADS),
        # and, when a link or a saved view restores a state, every slicer's options with its value
        Output("quick-pick", "options", allow_duplicate=True),
        *(Output(slicer_id(field), "options", allow_duplicate=True) for field in OPTION_FIELDS),
        *(Output(slicer_id(field), "value") for field in FIELDS),
        Output("page-title", "children"),
        Output("active-filters", "children"),
        Output("page-content", "children"),
        Output("export-csv", "href"),
        Output("export-xlsx", "href"),
        Output("export-pdf", "href"),
        *(Output(f"nav-{slug}", "className") for slug in PAGES),
        # emptied by the first call: only the page load finds the page the layout drew
        Output(FIRST_PAGE_ID, "data"),
        *control_inputs,
        # a page switch; also an output: a click that drills to another page draws that page at once
        Input("url", "pathname"),
        State("state", "data"),
        State(FIRST_PAGE_ID, "data"),
        prevent_initial_call="initial_duplicate",  # runs on page load too (``?view=`` links)
    )
    def _control_and_render(*args: Any) -> tuple[Any, ...]:
        *rest, first_page = args
        if first_page:  # the first call: the page load, of the page the layout drew (``first_page``)?
            search, pathname = rest[0], rest[-2]
            if first_page == slug_of(pathname) and not search:
                return (*(no_update,) * (CONTROL_OUTPUTS + RENDER_OUTPUTS), None)
        return (*_respond(*rest), None if first_page else no_update)

    def _respond(*args: Any) -> tuple[Any, ...]:
        *inputs, pathname, state = args
        nothing = (no_update,) * (CONTROL_OUTPUTS + RENDER_OUTPUTS)
        triggered = set(ctx.triggered_prop_ids) if ctx.triggered else set()
        if isinstance(ctx.triggered_id, dict) and not (ctx.triggered and ctx.triggered[0]["value"]):
            return nothing  # a chart / button that just appeared
        if (
            isinstance(ctx.triggered_id, dict)
            and ctx.triggered_id.get("type") == "series"
            and isinstance(state, dict)
            and ctx.triggered[0]["value"] == state.get("series")
        ):
            return nothing  # the series selector showing the series shown
        if triggered == {"url.pathname"}:  # a page switch: the same state on another page
            return (no_update,) * CONTROL_OUTPUTS + render(state, pathname)
        controlled = list(control(inputs, state, pathname))
        # a slicer already showing its value is left alone: sending it again would run the callbacks
        # that listen to it (the client type-ahead) for nothing
        shown = inputs[-len(FIELDS) :]
        for index, before in zip(range(CONTROL_OUTPUTS - len(FIELDS), CONTROL_OUTPUTS), shown, strict=True):
            if (before or []) == controlled[index]:
                controlled[index] = no_update
        new_state, path_out = controlled[0], controlled[1]
        return (*controlled, *render(new_state, path_out if isinstance(path_out, str) else pathname))

    for slicer in TYPEAHEADS:
        _register_typeahead(app, slicer)

    @app.callback(
        Output("views-list", "options"),
        Output("view-message", "children"),
        Output("view-link", "value"),
        Output("views-list", "value"),
        Input("view-save", "n_clicks"),
        Input("view-delete", "n_clicks"),
        State("view-name", "value"),
        State("view-shared", "value"),
        State("views-list", "value"),
        State("state", "data"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _views(*args: Any) -> tuple[Any, ...]:
        return views(*args)
