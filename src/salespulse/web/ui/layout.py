"""The app shell: header with the pages and the user, the filter panel, saved views, exports and
the page area (filled by the render callback). Built per page load, for a signed-in user only."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from flask_login import current_user

from salespulse.web.auth import csrf_token
from salespulse.web.ui.state import FIELD_LABELS, empty_state
from salespulse.web.ui.visuals import PAGES

#: Slicers of the filter panel, in order: (state field, placeholder).
SLICERS: tuple[tuple[str, str], ...] = (
    ("regions", "All regions"),
    ("territory_codes", "All territories"),
    ("sales_rep_keys", "All sales reps"),
    ("categories", "All categories"),
    ("subcategories", "All subcategories"),
    ("product_keys", "All products"),
    ("customer_keys", "Type a client's name…"),
    ("client_types", "All client types"),
    ("industries", "All industries"),
    ("campaign_keys", "All campaigns"),
)


def slicer_id(field: str) -> str:
    return f"f-{field.replace('_', '-')}"


def _slicer(field: str, placeholder: str) -> html.Div:
    return html.Div(
        [
            html.Label(FIELD_LABELS[field], htmlFor=slicer_id(field)),
            dcc.Dropdown(id=slicer_id(field), multi=True, placeholder=placeholder, options=[], value=[]),
        ],
        className="slicer",
    )


def _header() -> html.Header:
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
    return html.Header(
        [
            html.Div("salespulse", className="brand"),
            html.Nav(links, className="nav"),
            html.Div(
                [html.Span(user, id="user-email"), html.Span(id="user-role", className="role"), logout],
                className="user",
            ),
        ],
        className="topbar",
    )


def _filters() -> html.Aside:
    dates = html.Div(
        [
            html.Label("Dates", htmlFor="quick-pick"),
            dcc.Dropdown(id="quick-pick", options=[], value=None, placeholder="Quick pick…", clearable=False),
            dcc.DatePickerRange(
                id="dates",
                display_format="YYYY-MM-DD",
                clearable=True,
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
            dcc.Dropdown(id="views-list", options=[], value=None, placeholder="Open a saved view…"),
            html.Div(
                [
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
            html.Div(dcc.Input(id="view-link", type="text", readOnly=True, value="", className="view-link")),
        ],
        className="views",
    )
    return html.Aside(
        [
            html.Div(
                [
                    html.H2("Filters"),
                    html.Button("Clear all", id="clear-all", n_clicks=0, className="secondary"),
                ],
                className="panel-head",
            ),
            dates,
            *(_slicer(field, placeholder) for field, placeholder in SLICERS),
            views,
        ],
        className="filters",
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


def serve_layout() -> Any:
    """The layout of one page load (the request guard only lets signed-in users get here)."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="state", data=empty_state()),
            dcc.Store(id="views-changed", data=0),
            _header(),
            html.Div(
                [
                    _filters(),
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
