"""The app shell: header with the pages and the user, the filter panel, saved views, exports and
the page area (filled by the render callback, or already drawn: ``first_page``). Built per page
load, for a signed-in user only.

On narrow screens (phones, portrait tablets: ``app.css``) the filter panel is a drawer, closed
at first and opened by the header's Filters button (``assets/drawer.js``); on wider screens it is
the side panel and the button is hidden. Dash 4 components whose markup breaks WCAG rules no prop
can fix are patched in the browser by ``assets/a11y.js``.
"""

from __future__ import annotations

import re
from typing import Any

from dash import dash_table, dcc, hooks, html
from flask_login import current_user

from salespulse.web.query.slicers import panel_slicers
from salespulse.web.server.auth import csrf_token
from salespulse.web.server.freshness import SEPARATOR
from salespulse.web.ui.choices import Choices, choices
from salespulse.web.ui.context import own_views
from salespulse.web.ui.state import FIELD_LABELS, empty_state
from salespulse.web.ui.visuals import PAGES

#: Slicers of the filter panel, in order: (state field, placeholder) (``salespulse.web.query.slicers``).
SLICERS: tuple[tuple[str, str], ...] = tuple((slicer.name, slicer.placeholder) for slicer in panel_slicers())


#: The language of the page, for screen readers and hyphenation (WCAG 3.1.1); every text is English.
LANGUAGE = "en"
FILTERS_ID = "filters"
#: A store naming the page the layout was served with already drawn (``first_page``), else empty.
FIRST_PAGE_ID = "first-page"
_HTML_TAG = re.compile(r"<html(?![^>]*\blang=)", re.IGNORECASE)


@hooks.index()
def _html_lang(index: str) -> str:
    """Dash's index page opens with a bare ``<html>``: give it the language (unless an index string
    already does), in the page the server sends rather than from a script, and whatever else the
    app does to its index (Content-Security-Policy hashes) stays as it is."""
    return _HTML_TAG.sub(f'<html lang="{LANGUAGE}"', index, count=1)


def slicer_id(field: str) -> str:
    return f"f-{field.replace('_', '-')}"


def _slicer(field: str, placeholder: str, options: list[dict[str, Any]]) -> html.Div:
    return html.Div(
        [
            html.Label(FIELD_LABELS[field], htmlFor=slicer_id(field)),
            dcc.Dropdown(id=slicer_id(field), multi=True, placeholder=placeholder, options=options, value=[]),
        ],
        className="slicer",
    )


def _freshness(offered: Choices) -> html.Details:
    """The header's "Data as of <as-of> · loaded <last load>", opening onto each source's last load
    and newest change: a disclosure (keyboard and screen readers open it as a button), all in words.
    Two lines beside the user on wide screens, a row of its own under the pages on phones (app.css)."""
    fresh = offered.freshness
    as_of, loaded = fresh.parts(offered.as_of)
    return html.Details(
        [
            html.Summary(
                [
                    html.Span(as_of),
                    html.Span(SEPARATOR, className="freshness-separator"),
                    html.Span(loaded, className="freshness-loaded"),
                ],
                id="data-freshness-summary",
            ),
            html.Div(
                [
                    html.P("Each source's last load and newest change (times in UTC, as loaded):"),
                    html.Ul([html.Li(line) for line in fresh.details()]),
                ],
                className="freshness-panel",
            ),
        ],
        id="data-freshness",
        className="freshness",
    )


def _header(offered: Choices | None) -> html.Header:
    role = offered.role if offered else ""
    links = [
        dcc.Link(name, href=f"/{slug}", id=f"nav-{slug}", className="nav-link")
        for slug, name in PAGES.items()
    ]
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
            html.Button("Sign out", id="logout", type="submit", className="link-button"),
        ],
        action="/logout",
        method="post",
        className="logout-form",
    )
    user = current_user.email if current_user.is_authenticated else ""
    toggle = html.Button(  # shown on narrow screens only (app.css); drawer.js opens and closes
        "Filters",
        id="filters-toggle",
        type="button",
        className="filters-toggle",
        **{"aria-controls": FILTERS_ID, "aria-expanded": "false"},
    )
    return html.Header(
        [
            toggle,
            html.Div("salespulse", className="brand"),
            html.Nav(links, className="nav", **{"aria-label": "Pages"}),
            *([_freshness(offered)] if offered else []),
            html.Div(
                [html.Span(user, id="user-email"), html.Span(role, id="user-role", className="role"), logout],
                className="user",
                title=user,  # the e-mail is hidden where the bar is too narrow for it
            ),
        ],
        className="topbar",
    )


def _filters(offered: Choices | None) -> html.Aside:
    dates = html.Div(
        [
            html.Label("Dates", htmlFor="quick-pick"),
            dcc.Dropdown(
                id="quick-pick",
                options=offered.quick_picks if offered else [],
                value=None,
                placeholder="Quick pick…",
                clearable=False,
            ),
            dcc.DatePickerRange(
                id="dates",
                min_date_allowed=offered.first if offered else None,
                max_date_allowed=offered.last if offered else None,
                initial_visible_month=offered.as_of if offered else None,
                display_format="YYYY-MM-DD",
                # Dash 4's clear control is an <a> without href or role carrying aria-label (an ARIA
                # error); the date chip's x and "Clear all" clear the dates instead
                clearable=False,
                start_date_placeholder_text="From",
                end_date_placeholder_text="To",
                first_day_of_week=1,
            ),
        ],
        className="slicer",
    )
    views = html.Section(
        [
            html.H3("Saved views"),
            dcc.Dropdown(
                id="views-list",
                options=own_views() if offered else [],
                value=None,
                placeholder="Open a saved view…",
            ),
            html.Div(
                [
                    html.Label("View name", htmlFor="view-name", className="visually-hidden"),
                    dcc.Input(
                        id="view-name",
                        type="text",
                        placeholder="Name this view",
                        maxLength=80,
                        debounce=False,
                    ),
                    dcc.Checklist(
                        id="view-shared",
                        options=[{"label": " shareable link", "value": "shared"}],
                        value=[],
                        className="check",
                    ),
                    html.Div(
                        [
                            html.Button("Save view", id="view-save", n_clicks=0),
                            html.Button("Delete", id="view-delete", n_clicks=0, className="secondary"),
                        ],
                        className="buttons",
                    ),
                ],
                className="view-form",
            ),
            html.Div(id="view-message", className="muted small", role="status"),
            html.Div(
                [
                    html.Label("Link to the saved view", htmlFor="view-link", className="visually-hidden"),
                    dcc.Input(id="view-link", type="text", readOnly=True, value="", className="view-link"),
                ]
            ),
        ],
        className="views",
    )
    close = html.Button(  # the drawer's own way out (narrow screens only)
        "Close",
        id="filters-close",
        type="button",
        className="secondary filters-close",
        **{"aria-controls": FILTERS_ID},
    )
    return html.Aside(
        [
            html.Div(
                [
                    html.H2("Filters", id="filters-title"),
                    html.Div(
                        [html.Button("Clear all", id="clear-all", n_clicks=0, className="secondary"), close],
                        className="buttons",
                    ),
                ],
                className="panel-head",
            ),
            dates,
            *(
                _slicer(field, placeholder, offered.slicers.get(field, []) if offered else [])
                for field, placeholder in SLICERS
            ),
            views,
        ],
        id=FILTERS_ID,
        className="filters",
        **{"aria-labelledby": "filters-title"},
    )


def _exports() -> html.Div:
    return html.Div(
        [
            html.Span("Export:", className="muted"),
            html.A("CSV", id="export-csv", href="#", download="", className="export"),
            html.A("Excel", id="export-xlsx", href="#", download="", className="export"),
            html.A("PDF", id="export-pdf", href="#", download="", className="export"),
        ],
        className="exports",
    )


def _warm_up() -> list[Any]:
    """An empty chart and table, never shown: they make the browser fetch and compile the chart and
    table code while the page's first callbacks are on the server, instead of after them. Not in a
    layout that brings its page drawn (``first_page``): its own charts and tables ask for that code
    at once, and an empty chart would cost a drawing of its own."""
    hidden = {"display": "none"}
    return [
        dcc.Graph(
            id="warm-up-chart", figure={"data": [], "layout": {}}, config={"staticPlot": True}, style=hidden
        ),
        html.Div(
            dash_table.DataTable(id="warm-up-table", data=[], columns=[]),
            style=hidden,
            **{"aria-hidden": "true"},
        ),
    ]


def serve_layout(warm_up: bool = True) -> Any:
    """The layout of one page load (the request guard only lets signed-in users get here), with what
    the filter panel offers the user: the first callback can draw the page at once. (Dash also calls
    it once unsigned, to check the layout.)"""
    offered = choices() if current_user.is_authenticated else None
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="state", data=empty_state()),
            dcc.Store(id=FIRST_PAGE_ID, data=None),
            *(_warm_up() if warm_up else []),
            _header(offered),
            html.Div(
                [
                    _filters(offered),
                    # behind the open drawer on narrow screens: a tap on it closes the drawer
                    html.Div(id="filters-backdrop", className="drawer-backdrop"),
                    html.Main(
                        [
                            html.Div(
                                [html.H1(id="page-title"), _exports()],
                                className="page-head",
                            ),
                            html.Div(id="notice", className="notice", role="status"),
                            html.Div(id="active-filters", className="chips"),
                            dcc.Loading(html.Div(id="page-content"), type="dot", delay_show=300),
                        ],
                        className="content",
                    ),
                ],
                className="body",
            ),
        ],
        className="app",
    )
