"""Dash components of a page from its data: KPI cards, charts (with drill breadcrumbs), tables,
and the chips of the active filters.

Cards write amounts with the currency and variances signed and coloured (``formatting``); tables
keep numbers as numbers (sorting, exports) and format them the same way, wrap long headers and
text, and scroll sideways inside their card when they are still wider.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
from dash import dash_table, dcc, html

from salespulse.web.exports.report import public_columns
from salespulse.web.exports.routes import export_href
from salespulse.web.ui.actions import crumbs
from salespulse.web.ui.charts import figure_for, graph_config
from salespulse.web.ui.formatting import TONES, card_text, display, is_variance, table_format, tone
from salespulse.web.ui.screen import KPI_PERIODS, QUOTA_NOTE, as_number
from salespulse.web.ui.state import FIELD_LABELS, LIST_FIELDS, Resolved
from salespulse.web.ui.visuals import Visual, chart_id, visuals

SERIES_PICKER = {"type": "series", "id": "forecast"}


def _kpis(frame: pd.DataFrame, periods: pd.DataFrame | None = None) -> html.Div:
    """One card per measure: its name, its value and the period it covers (``KPI_PERIODS``)."""
    row = frame.iloc[0] if len(frame) else {}
    covered = periods.iloc[0].to_dict() if periods is not None and len(periods) else {}
    cards = []
    for name in frame.columns:
        value = row[name] if len(frame) else None
        period = covered.get(name)
        colour = TONES.get(tone(value) or "") if is_variance(name) else None
        cards.append(
            html.Div(
                [
                    html.Div(name, className="kpi-label"),
                    html.Div(
                        card_text(name, value),
                        className="kpi-value",
                        title=display(name, value),
                        **({"style": {"color": colour}} if colour else {}),
                    ),
                    *([html.Div(period, className="kpi-period")] if isinstance(period, str) else []),
                ],
                className="kpi",
                **{"data-measure": name},
            )
        )
    return html.Div(cards, className="kpis")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return as_number(value)


def _row_id(value: Any) -> int | str:
    """A table row's id: the clicked entity's key (an integer key, or a text one: a series)."""
    return value if isinstance(value, str) else int(value)


def table_component(slug: str, item: Visual, frame: pd.DataFrame) -> html.Div:
    if item.limit:
        frame = frame.head(item.limit)
    columns = [c for c in public_columns(frame) if not c.endswith(" Key")]  # surrogate keys: exports only
    specs = []
    for name in columns:
        form = table_format(name)
        spec: dict[str, Any] = {"name": name, "id": name}
        if form:
            spec.update(type="numeric", format=form)
        specs.append(spec)
    records = []
    for index, row in enumerate(frame.to_dict("records")):
        record = {name: _cell(row[name]) for name in columns}
        record["id"] = _row_id(row[item.key]) if item.key and item.key in row else index
        records.append(record)
    with warnings.catch_warnings():  # Dash 4 says DataTable will leave the builtins one day
        warnings.simplefilter("ignore", DeprecationWarning)
        return _data_table(slug, item, specs, records)


#: The page's font (the DataTable's own stylesheet would set a monospace one).
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: Text columns that hold sentences: wrapped in a column of readable width, not one long line.
LONG_TEXT = {"At Risk Reason": "300px", "At Risk Rule": "110px", "Baseline Method": "150px"}
#: Why an at-risk client is at risk, on their row's client and segment cells too.
REASON = "At Risk Reason"


def _variance_colours(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Variance columns: above zero green, below red (the cells also carry their sign)."""
    rules = []
    for spec in specs:
        name = spec["id"]
        if not is_variance(name):
            continue
        for query, colour in ((f"{{{name}}} > 0", TONES["up"]), (f"{{{name}}} < 0", TONES["down"])):
            rules.append({"if": {"filter_query": query, "column_id": name}, "color": colour})
    return rules


def _tooltips(records: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The at-risk reason as the tooltip of the client's and the segment's cells (a Champion who
    is at risk says why where the eye lands)."""
    if not records or REASON not in records[0]:
        return None
    tips = []
    for record in records:
        reason = record.get(REASON)
        text = {"value": f"At risk: {reason}", "type": "text"} if reason else None
        tips.append({column: text for column in ("Client", "RFM Segment") if text and column in record})
    return tips


def _data_table(
    slug: str, item: Visual, specs: list[dict[str, Any]], records: list[dict[str, Any]]
) -> html.Div:
    numeric = [s["id"] for s in specs if s.get("type") == "numeric"]
    table = dash_table.DataTable(
        id={"type": "table", "id": chart_id(slug, item)},
        columns=specs,
        data=records,
        page_size=12,
        sort_action="native",
        # wider than its card (a phone, many columns): it scrolls sideways inside the card
        style_table={"overflowX": "auto", "minWidth": "100%"},
        style_cell={
            "fontFamily": FONT,
            "fontSize": "13px",
            "padding": "4px 8px",
            "textAlign": "left",
            "whiteSpace": "normal",
            "height": "auto",
        },
        style_cell_conditional=[
            {"if": {"column_type": "numeric"}, "textAlign": "right", "whiteSpace": "nowrap"},
            *(
                {"if": {"column_id": s["id"]}, "whiteSpace": "nowrap"}
                for s in specs
                if s["id"].endswith("Date")
            ),
            *(
                {"if": {"column_id": name}, "minWidth": width, "maxWidth": "480px"}
                for name, width in LONG_TEXT.items()
            ),
        ],
        style_data_conditional=_variance_colours(specs),
        style_header={
            "fontWeight": "600",
            "backgroundColor": "#eef3f7",
            "whiteSpace": "normal",
            "height": "auto",
        },
        style_header_conditional=[{"if": {"column_id": name}, "textAlign": "right"} for name in numeric],
        tooltip_data=_tooltips(records),
        tooltip_delay=300,
        tooltip_duration=None,
        cell_selectable=item.click is not None,
        css=[
            {"selector": ".dash-spreadsheet td", "rule": "cursor: pointer;" if item.click else ""},
            # a visible scrollbar where the platform hides it (overlay scrollbars)
            {"selector": ".dash-spreadsheet-container::-webkit-scrollbar", "rule": "height: 10px;"},
            {
                "selector": ".dash-spreadsheet-container::-webkit-scrollbar-thumb",
                "rule": "background: #b9c8d6; border-radius: 5px;",
            },
        ],
    )
    return html.Div(table, className="table-scroll", style={"maxWidth": "100%", "overflowX": "auto"})


def _selected(
    item: Visual,
    state: Mapping[str, Any],
    lookups_labels: Mapping[str, Mapping[Any, str]],
    series: str | None = None,
) -> set[Any]:
    """What the visual should highlight: the values the page is filtered to (the series shown)."""
    if item.click == "series":
        return {series} if series else set()
    if item.click == "rep":
        if item.key:
            return set(state.get("sales_rep_keys") or [])
        names = lookups_labels.get("sales_rep_keys", {})
        return {names.get(k) for k in state.get("sales_rep_keys") or []}
    if item.click == "territory":
        if item.key:
            return set(state.get("territory_codes") or [])
        names = lookups_labels.get("territory_codes", {})
        return {names.get(k) for k in state.get("territory_codes") or []}
    if item.click == "campaign":
        names = lookups_labels.get("campaign_keys", {})
        return {names.get(k) for k in state.get("campaign_keys") or []}
    return set()


def _breadcrumbs(
    hierarchy: str, state: Mapping[str, Any], labels: Mapping[str, Mapping[Any, str]]
) -> html.Nav:
    trail = crumbs(hierarchy, state, labels)
    parts: list[Any] = []
    for index, (label, target) in enumerate(trail):
        last = index == len(trail) - 1
        if index:
            parts.append(html.Span("›", className="crumb-sep"))
        if target and not last:
            parts.append(
                html.Button(label, id={"type": "crumb", "target": target}, n_clicks=0, className="crumb")
            )
        else:
            parts.append(html.Span(label, className="crumb current"))
    return html.Nav(parts, className="breadcrumbs", **{"aria-label": f"{hierarchy} drill"})


def _card(slug: str, item: Visual, body: Any, state: Mapping[str, Any], extra: Any = None) -> html.Section:
    head = [html.H2(item.title)]
    if item.kind != "kpis":
        head.append(
            html.A(
                "CSV",
                href=export_href("csv", slug, dict(state), table=item.dataset),
                download="",
                className="card-export",
                title="Download this visual's data as CSV",
            )
        )
    children = [html.Div(head, className="card-head")]
    if extra is not None:
        children.append(extra)
    if item.hint:
        children.append(html.Div(item.hint, className="hint"))
    children.append(body)
    return html.Section(children, className=f"card w{item.width}", **{"data-visual": item.dataset})


def _chosen_series(data: Mapping[str, pd.DataFrame]) -> str | None:
    series = data.get("series")
    if series is None or series.empty:
        return None
    chosen = series[series["Selected"]]
    return str(chosen["Series Key"].iloc[0]) if len(chosen) else None


def _series_picker(series: pd.DataFrame, chosen: str | None) -> html.Div:
    """The Forecast page's series selector (one series at a time: intervals do not add up)."""
    options = [{"label": str(r["Label"]), "value": str(r["Series Key"])} for r in series.to_dict("records")]
    return html.Div(
        [
            html.Label("Series", htmlFor="series-picker"),
            dcc.Dropdown(
                id=SERIES_PICKER,
                options=options,
                value=chosen,
                clearable=False,
                searchable=False,
                className="series-dropdown",
            ),
            html.Span(
                "The total and each category; a territory when the forecast has territories "
                "(and for sales reps and regional leads only their own territories').",
                className="muted small",
            ),
        ],
        className="series-picker",
        id="series-picker",
    )


def _analytics_notices(slug: str, data: Mapping[str, pd.DataFrame], as_of: date | None) -> list[Any]:
    """What the Forecast and Clients pages say before their visuals."""
    when = f" ({as_of.isoformat()})" if as_of else ""
    out: list[Any] = []
    if slug == "forecast":
        series = data.get("series")
        if series is None or series.empty:
            out.append(
                html.Div(
                    "No forecast series for what you may see with these filters. The forecast has "
                    "the company total and each category, and a territory only when every territory "
                    "has enough orders (docs/analytics.md); sales reps and regional leads see their "
                    "own territories' series only.",
                    className="info",
                    id="forecast-none",
                )
            )
            return out
        out.append(_series_picker(series, _chosen_series(data)))
        months = data.get("forecast_by_month")
        if months is not None and months["Forecast"].isna().all():
            out.append(
                html.Div(
                    "No forecast yet for this series: `salespulse forecast` has not run on this "
                    "warehouse (or the series has too little history). The chart shows the actuals.",
                    className="info",
                    id="forecast-empty",
                )
            )
        out.append(
            html.Div(
                f"As of {as_of.isoformat() if as_of else 'the as-of date'}. Category, region and "
                "territory filters pick the series; the other filters do not apply to the forecast.",
                className="info muted small",
            )
        )
    elif slug == "clients":
        out.append(
            html.Div(
                f"RFM segments and at-risk clients are as of the as-of date{when}; new, returning and "
                "lost clients and acquisition follow the date filter. Client type, industry, region, "
                "territory, sales rep and client filters apply where they can.",
                className="info muted small",
            )
        )
    return out


def page_content(
    slug: str,
    data: Mapping[str, pd.DataFrame],
    resolved: Resolved,
    labels: Mapping[str, Mapping[Any, str]],
    as_of: date | None = None,
) -> list[Any]:
    state = resolved.state
    if resolved.empty:
        return [
            html.Div(
                "Nothing you may see matches these filters. "
                "Clear the filters marked “outside what you may see”.",
                className="empty-notice",
                id="empty-notice",
            )
        ]
    out: list[Any] = []
    if slug == "customer" and not state["customer_keys"]:
        out.append(
            html.Div(
                "All clients you may see: click one, or pick one in the Client filter, for their details.",
                className="info",
            )
        )
    if slug == "product" and not state["product_keys"]:
        out.append(
            html.Div(
                "All products: click one, or pick one in the Product filter, for its details.",
                className="info",
            )
        )
    out.extend(_analytics_notices(slug, data, as_of))
    note = data.get(QUOTA_NOTE)
    if note is not None and len(note):
        out.append(html.Div(str(note["note"].iloc[0]), className="info muted small", id="quota-note"))
    series = _chosen_series(data)
    for item in visuals(slug):
        frame = data.get(item.dataset)
        if frame is None:
            continue
        if item.kind == "kpis":
            out.append(_card(slug, item, _kpis(frame, data.get(KPI_PERIODS)), state))
            continue
        if item.kind == "table":
            out.append(_card(slug, item, table_component(slug, item, frame), state))
            continue
        figure = figure_for(item, frame, _selected(item, state, labels, series))
        graph = dcc.Graph(
            id={"type": "chart", "id": chart_id(slug, item)},
            figure=figure,
            config=graph_config(figure),
            className="graph",
            # its place on the page before it is drawn: charts off the first screen are drawn when
            # scrolled to (assets/plotly-bundle.js), and would all collapse onto the first screen
            style={"height": f"{figure['layout']['height']}px"},
        )
        extra = _breadcrumbs(item.drill, state, labels) if item.drill else None
        out.append(_card(slug, item, graph, state, extra))
    return [html.Div(out, className="grid")]


def filter_chips(resolved: Resolved, labels: Mapping[str, Mapping[Any, str]]) -> list[Any]:
    """One removable chip per active filter."""
    state = resolved.state
    chips: list[Any] = []

    def chip(field: str, text: str, void: bool = False) -> None:
        chips.append(
            html.Span(
                [
                    html.Span(f"{FIELD_LABELS.get(field, field)}: ", className="chip-label"),
                    html.Span(text),
                    html.Button(
                        "×",
                        id={"type": "chip", "field": field},
                        n_clicks=0,
                        className="chip-x",
                        title="Remove",
                    ),
                ],
                className="chip void" if void else "chip",
            )
        )

    if state["date_from"] or state["date_to"]:
        chip("dates", f"{state['date_from'] or 'start'} – {state['date_to'] or 'end'}")
    for field in LIST_FIELDS:
        if state[field]:
            names = labels.get(field, {})
            values = [str(names.get(v, v)) for v in state[field]]
            text = ", ".join(values[:3]) + (f" +{len(values) - 3}" if len(values) > 3 else "")
            chip(field, text)
    if state["geo"]:
        chip("geo", " › ".join(state["geo"]))
    for field in resolved.void:
        chip(field, "outside what you may see", void=True)
    if not chips:
        chips.append(html.Span("No filters: everything you may see.", className="muted small"))
    return chips
