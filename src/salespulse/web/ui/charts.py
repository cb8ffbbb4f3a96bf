"""Plotly figures of the page visuals, from the page's DataFrames (numbers as the data layer gives
them; ``Decimal`` becomes float only here, for the browser).

A figure is the plain JSON Plotly.js reads (``{"data": [...], "layout": {...}}``), written here as
dicts rather than with plotly's graph objects: those validate and copy every property on every
assignment, which cost ~0.2 s of server time per page of seven charts, a good part of every page
load, filter change and drill. What the graph objects gave is kept: the look of plotly's default
template (``HOUSE_TEMPLATE``: the part of it that bar, line and map charts use, 1.3 KB instead of the
7 KB each figure carried), and a check of every property name against plotly's schema in the tests
(``test_web_charts``).

Every point carries ``customdata`` naming what a click on it selects (see ``actions``). Every
cartesian chart titles its axes, values with their unit (``Sales ($)``, ``Orders (count)``,
``Attainment %``); a value axis whose values are all 0 or more starts at 0, never below.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import plotly.io as pio  # type: ignore[import-untyped]

from salespulse.web.server.assetversions import versioned_url
from salespulse.web.ui.formatting import d3_format, is_percent, titled, unit
from salespulse.web.ui.screen import MONTH_NUMBERS, as_number
from salespulse.web.ui.state import GEO_LEVELS
from salespulse.web.ui.visuals import Visual

#: A Plotly figure as Plotly.js reads it.
Figure = dict[str, Any]

PALETTE = ["#1f5f8b", "#e07b39", "#3a9d5d", "#8e5ea2", "#c4484e", "#5aa7c8", "#b8a23b", "#7f7f7f"]
DIMMED = "#b9c8d6"
#: Topojson files the app serves itself (``assets/topojson``): maps never reach a CDN.
TOPOJSON_URL = "/assets/topojson/"


#: Category columns whose axis title is another word.
CATEGORY_TITLES = {"Year Month Name": "Month", "Month Start Date": "Month"}


def graph_config(figure: Figure | None = None) -> dict[str, Any]:
    """``dcc.Graph(config=...)``: no Plotly logo or cloud links, map shapes from this server.

    Not ``responsive``: with a figure height, Dash then sizes the graph to 100 % of a card whose
    height is its content's, and every chart collapses to a few pixels. Dash 4's graph redraws at
    its container's width whenever that changes without it (``test_web_pages_browser``).

    A map's shapes are fetched once the map draws: ``topojson_url`` names them with their version,
    so the browser keeps them and never asks again."""
    config: dict[str, Any] = {
        "displaylogo": False,
        "showAxisDragHandles": False,
        "topojsonURL": TOPOJSON_URL,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendDataToCloud"],
    }
    if figure is not None and any(trace["type"] == "scattergeo" for trace in figure["data"]):
        config["topojsonURL"] = topojson_url(int(figure["layout"].get("geo", {}).get("resolution") or 110))
    return config


def _house_template() -> dict[str, Any]:
    """Plotly's default template ("plotly") as the charts use it: its layout without the parts of
    other chart types (polar, ternary, 3-D scenes, colour scales), and its bar, line and map traces."""
    full = pio.templates["plotly"].to_plotly_json()
    unused = ("polar", "ternary", "coloraxis", "colorscale", "scene")
    return {
        "layout": {key: value for key, value in full["layout"].items() if key not in unused},
        "data": {kind: full["data"][kind] for kind in TRACE_TYPES},
    }


#: The trace types the charts draw (the partial Plotly bundle holds these only).
TRACE_TYPES = ("bar", "scatter", "scattergeo")
HOUSE_TEMPLATE = _house_template()


def _figure() -> Figure:
    return {"data": [], "layout": {"template": HOUSE_TEMPLATE}}


def _trace(figure: Figure, kind: str, **props: Any) -> None:
    figure["data"].append({"type": kind, **props})


def _merge(target: dict[str, Any], updates: dict[str, Any]) -> None:
    """Plotly's ``update``: nested dicts merge, anything else replaces."""
    for key, value in updates.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _update_axes(figure: Figure, letter: str, **props: Any) -> None:
    """Plotly's ``update_xaxes`` / ``update_yaxes``: every axis of that letter the figure has (the
    first one at least)."""
    layout = figure["layout"]
    names = [key for key in layout if key.startswith(f"{letter}axis")] or [f"{letter}axis"]
    for name in names:
        _merge(layout.setdefault(name, {}), props)


def topojson_url(resolution: int) -> str:
    """Plotly's ``topojsonURL`` for a world map at ``resolution`` (110 or 50): the file's versioned
    address. Plotly asks for ``topojsonURL + "world_<resolution>m.json"``; the ``#`` after the
    version makes that name a fragment, which the browser never sends, so the request is the
    file's own versioned address (``/assets/topojson/world_110m.json?v=<hash>``)."""
    name = f"topojson/world_{resolution}m.json"
    return f"{versioned_url(name)}#"


def axis_format(measure: str) -> str:
    """Axis ticks: percentages as such, numbers with separators and no padding zeros (a count's
    axis may tick at 0.5)."""
    return ".1%" if is_percent(measure) else ",~f"


def category_title(item: Visual, frame: pd.DataFrame) -> str:
    """The category axis's title: the column shown, or the level of a drill (Year, Month,
    Category, Region, ...)."""
    column = item.x or ""
    if column == "Name" and "Level" in frame.columns and len(frame):
        return str(frame["Level"].iloc[0])
    return CATEGORY_TITLES.get(column, column)


def value_title(measures: Sequence[str]) -> str:
    """The value axis's title: one measure with its unit; several of one unit as what they have in
    common (``Clients (count)`` for new, returning and lost clients; else ``Amount ($)``,
    ``Number (count)``); the legend names each."""
    if len(measures) == 1:
        return titled(measures[0])
    units = {unit(m) for m in measures}
    if len(units) > 1:
        return ", ".join(titled(m) for m in measures)
    found = units.pop()
    last_words = {m.split()[-1] for m in measures}
    if len(last_words) == 1 and found != "%":
        return f"{last_words.pop()} ({found})"
    common = {"count": "Number", "%": "Percent", "days": "Days"}.get(found, "Amount")
    return f"{common} ({found})"


def _from_zero(values: Sequence[Any]) -> dict[str, Any]:
    """A value axis starting at 0 when no value is below it (Plotly pads a line's axis below its
    lowest point, e.g. to -1.1 % for shares that are never negative)."""
    present = [v for v in values if v is not None]
    return {"rangemode": "tozero"} if all(v >= 0 for v in present) else {}


def _axis(title: str) -> dict[str, Any]:
    return {"title": {"text": title, "font": {"size": 12}}}


#: Pixels of one 12 px character of the axis labels, on the wide side, and of an axis title's line.
CHAR_PX = 7.0
TITLE_PX = 24
#: A legend row's height, and a legend entry's width besides its text (the symbol and the gaps).
LEGEND_ROW_PX = 19
LEGEND_ENTRY_PX = 40
#: Plotly slants category labels that do not fit side by side by 30 degrees, and stands them up
#: (90 degrees) when even slanted they are closer than this (12 px text: about 1.3 lines / sin 30).
UPRIGHT_BELOW_PX = 32


def figure_px(span: int) -> int:
    """A chart's width on a 1440 px desktop screen, for its card's span of the 12-column grid
    (app.css: 423 px at 5 columns, 1076 px at 12). Other screens may differ: automargin mends."""
    return int(93.3 * span - 44)


def _tick_text(value: Any, tickformat: str | None) -> str:
    if isinstance(value, str):
        return value
    number = float(value)
    if tickformat and tickformat.endswith("%"):
        return f"{number:.1%}"
    return f"{number:,.0f}"


def _axis_ticks(figure: Figure, letter: str, name: str) -> list[str]:
    """The longest tick labels axis ``name`` (``y``, ``y2``, ``x``) may show: its categories, or its
    values' extremes in its tick format (Plotly's own ticks are rounder, never longer)."""
    layout_axis = figure["layout"].get(f"{letter}axis{name[1:]}", {})
    if layout_axis.get("type") == "date":
        return ["Mmm 0000"]
    values: list[Any] = []
    for trace in figure["data"]:
        if (trace.get(f"{letter}axis") or letter) != name:
            continue
        values += [v for v in (trace.get(letter) or ()) if v is not None]
    if not values:
        return []
    if layout_axis.get("type") == "category" or any(isinstance(v, str) for v in values):
        return [str(v) for v in values]
    numbers = [float(v) for v in values]
    return [_tick_text(v, layout_axis.get("tickformat")) for v in (min(numbers), max(numbers), 0.0)]


def _legend_rows(figure: Figure, room: int) -> int:
    """The rows of the horizontal legend above the plot (0: no legend): Plotly shows one when the
    layout says so or, unsaid, when more than one trace has an entry (one per legend group)."""
    entries: dict[str, str] = {}
    for index, trace in enumerate(figure["data"]):
        if trace.get("showlegend") is not False and trace.get("name"):
            entries.setdefault(str(trace.get("legendgroup") or index), str(trace["name"]))
    shown = figure["layout"].get("showlegend")
    if not entries or shown is False or (shown is None and len(entries) < 2):
        return 0
    rows, used = 1, 0
    for name in entries.values():
        entry = int(len(name) * CHAR_PX) + LEGEND_ENTRY_PX
        if used and used + entry > room:
            rows, used = rows + 1, 0
        used += entry
    return rows


def _estimated_margins(figure: Figure, width: int) -> dict[str, int]:
    """Margins that hold the tick labels, axis titles and legend of a chart ``width`` px wide,
    estimated from the figure's own labels as Plotly lays them out (numeric x ticks about 80 px
    apart, 4 to 9 of them; category labels slanted, or stood up, when they do not fit).
    Plotly's ``automargin`` stays on as the safety net: it only ever widens a margin, but each
    widening draws the chart again, which is a good part of a page's drawing time; margins already
    wide enough cost it nothing."""
    if not any(trace["type"] in ("bar", "scatter") for trace in figure["data"]):
        return {"l": 10, "r": 10, "t": 10, "b": 10}

    def longest(texts: list[str]) -> int:
        return int(max((len(t) for t in texts), default=0) * CHAR_PX)

    def titled_axis(letter: str, name: str) -> int:
        axis_title = figure["layout"].get(f"{letter}axis{name[1:]}", {}).get("title") or {}
        return TITLE_PX if axis_title.get("text") else 0

    left = 16 + longest(_axis_ticks(figure, "y", "y")) + titled_axis("y", "y")
    right = 10
    if any(trace.get("yaxis") == "y2" for trace in figure["data"]):
        right = 16 + longest(_axis_ticks(figure, "y", "y2")) + titled_axis("y", "y2")
    plot = max(width - left - right, 100)
    ticks = _axis_ticks(figure, "x", "x")
    label = longest(ticks)
    x_axis = figure["layout"].get("xaxis", {})
    words = any(isinstance(v, str) for trace in figure["data"] for v in trace.get("x") or ())
    kind = x_axis.get("type") or ("category" if words else "linear")
    # the label at the right end: the last category, or the widest round number
    last = int(len(ticks[-1]) * CHAR_PX) if ticks and kind == "category" else label
    rough = max(min(plot // 80, 9), 4)  # Plotly's numeric or date ticks: about 80 px apart
    count = len(set(ticks)) if kind == "category" else rough + (kind != "date")
    spacing = plot / max(count, 1)
    if label + 10 <= spacing:  # side by side; the last label may reach past the plot's right edge
        angle = 0
        overhang = last // 2 - (int(spacing // 2) if kind == "category" else 8)
        right = max(right, overhang + 6)
        below = 20
    elif spacing >= UPRIGHT_BELOW_PX:  # slanted by 30 degrees, reaching right of their tick
        angle = 30
        right = max(right, int(last * 0.87) + 6)
        below = int(label * 0.55) + 16
    else:  # upright
        angle = 90
        below = label + 16
    bottom = 10 + below + titled_axis("x", "x") + (4 if angle else 0)
    # the top leaves room for Plotly's mode bar, which would otherwise sit on the first bar or point,
    # and for the legend's rows above the plot
    top = 30 + LEGEND_ROW_PX * _legend_rows(figure, width - left - right)
    return {"l": left, "r": right, "t": top, "b": bottom}


def _layout(figure: Figure, height: int = 340) -> Figure:
    _merge(
        figure["layout"],
        {
            "height": height,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "hovermode": "closest",
            "clickmode": "event",
        },
    )
    _update_axes(figure, "x", automargin=True, gridcolor="#e6ebf0")
    _update_axes(figure, "y", automargin=True, gridcolor="#e6ebf0")
    return figure


def empty_figure(message: str = "No data for these filters") -> Figure:
    figure = _figure()
    figure["layout"]["annotations"] = [
        {"text": message, "showarrow": False, "font": {"size": 14, "color": "#6b7785"}}
    ]
    _update_axes(figure, "x", visible=False)
    _update_axes(figure, "y", visible=False)
    return _layout(figure, height=220)


def year_month(label: Any) -> list[int] | None:
    """``"Jan 2024"`` -> ``[2024, 1]``."""
    try:
        parsed = datetime.strptime(str(label), "%b %Y")
    except ValueError:
        return None
    return [parsed.year, parsed.month]


def customdata(item: Visual, frame: pd.DataFrame) -> list[list[Any]]:
    """What each row's point selects when clicked."""
    out: list[list[Any]] = []
    for row in frame.to_dict("records"):
        if item.click == "month" and item.series:
            out.append([int(row[item.series]), MONTH_NUMBERS.get(row[item.x], 0)])
        elif item.click == "month":
            out.append(year_month(row[item.x]) or [])
        elif item.click == "time_drill":
            month = row.get("Month Number")
            out.append([int(row["Year"]), int(month) if month == month and month is not None else None])
        elif item.click == "product_drill":
            key = row.get("Key")
            out.append([row["Level"], row["Name"], int(key) if key == key and key is not None else None])
        elif item.click == "geo_drill":
            depth = GEO_LEVELS.index(row["Level"]) + 1
            out.append([row[level] for level in GEO_LEVELS[:depth]])
        elif item.key:
            value = row[item.key]
            out.append([int(value) if isinstance(value, int | float) else value])
        else:
            out.append([row[item.x] if item.x else None])
    return out


def _numbers(frame: pd.DataFrame, column: str) -> list[Any]:
    return [as_number(v) for v in frame[column].tolist()]


def _colors(values: list[Any], selected: Collection[Any], base: str) -> list[str] | str:
    if not selected:
        return base
    return [base if v in selected else DIMMED for v in values]


def bar_figure(
    item: Visual, frame: pd.DataFrame, selected: Collection[Any] = (), horizontal: bool = False
) -> Figure:
    figure = _figure()
    labels = [str(v) for v in frame[item.x].tolist()]
    data = customdata(item, frame)
    picked = [d[0] for d in data]
    drawn: list[Any] = []
    for index, measure in enumerate(item.y):
        values = _numbers(frame, measure)
        drawn += values
        color = _colors(picked, selected, PALETTE[index % len(PALETTE)])
        form = d3_format(measure)
        common = {"name": measure, "customdata": data, "marker": {"color": color}}
        if horizontal:
            _trace(
                figure,
                "bar",
                x=values,
                y=labels,
                orientation="h",
                hovertemplate=f"%{{y}}<br>{measure}: %{{x:{form}}}<extra></extra>",
                **common,
            )
        else:
            _trace(
                figure,
                "bar",
                x=labels,
                y=values,
                hovertemplate=f"%{{x}}<br>{measure}: %{{y:{form}}}<extra></extra>",
                **common,
            )
    axis = {"tickformat": axis_format(item.y[0]), **_axis(value_title(item.y)), **_from_zero(drawn)}
    category = _axis(category_title(item, frame))
    if horizontal:
        _update_axes(figure, "y", autorange="reversed", type="category", **category)
        _update_axes(figure, "x", **axis)
    else:
        _update_axes(figure, "x", type="category", **category)
        _update_axes(figure, "y", **axis)
    _merge(figure["layout"], {"barmode": "group", "showlegend": len(item.y) > 1})
    height = max(300, 28 * len(labels) + 80) if horizontal else 340
    return _layout(figure, height=min(height, 640))


def combo_figure(item: Visual, frame: pd.DataFrame) -> Figure:
    """The first measure as bars, the second as a line (own axis when it is a percentage)."""
    figure = _figure()
    labels = [str(v) for v in frame[item.x].tolist()]
    data = customdata(item, frame)
    bars, line = item.y[0], item.y[1]
    _trace(
        figure,
        "bar",
        x=labels,
        y=_numbers(frame, bars),
        name=bars,
        customdata=data,
        marker={"color": PALETTE[0]},
        hovertemplate=f"%{{x}}<br>{bars}: %{{y:{d3_format(bars)}}}<extra></extra>",
    )
    second_axis = is_percent(line)
    _trace(
        figure,
        "scatter",
        x=labels,
        y=_numbers(frame, line),
        name=line,
        customdata=data,
        mode="lines+markers",
        line={"color": PALETTE[1], "width": 2},
        yaxis="y2" if second_axis else "y",
        connectgaps=False,
        hovertemplate=f"%{{x}}<br>{line}: %{{y:{d3_format(line)}}}<extra></extra>",
    )
    bar_values, line_values = _numbers(frame, bars), _numbers(frame, line)
    if second_axis:
        _merge(
            figure["layout"],
            {
                "yaxis": {"tickformat": axis_format(bars), **_axis(titled(bars)), **_from_zero(bar_values)},
                "yaxis2": {
                    "overlaying": "y",
                    "side": "right",
                    "tickformat": axis_format(line),
                    "showgrid": False,
                    **_axis(titled(line)),
                    **_from_zero(line_values),
                },
            },
        )
    else:
        figure["layout"]["yaxis"] = {
            "tickformat": axis_format(bars),
            **_axis(value_title((bars, line))),
            **_from_zero(bar_values + line_values),
        }
    _update_axes(figure, "x", type="category", **_axis(category_title(item, frame)))
    return _layout(figure)


def lines_figure(item: Visual, frame: pd.DataFrame) -> Figure:
    """One line per ``series`` value (e.g. a year) over ``x`` (e.g. month); without ``series``, one
    line per measure."""
    figure = _figure()
    measure = item.y[0]
    data = customdata(item, frame)
    if item.series is None:
        labels = [str(v) for v in frame[item.x].tolist()]
        for index, name in enumerate(item.y):
            _trace(
                figure,
                "scatter",
                x=labels,
                y=_numbers(frame, name),
                name=name,
                mode="lines+markers",
                customdata=data,
                line={"color": PALETTE[index % len(PALETTE)], "width": 2},
                marker={"size": 5},
                hovertemplate=f"%{{x}}<br>{name}: %{{y:{d3_format(name)}}}<extra></extra>",
            )
        every = [v for name in item.y for v in _numbers(frame, name)]
        _update_axes(figure, "x", type="category", **_axis(category_title(item, frame)))
        _update_axes(
            figure, "y", tickformat=axis_format(measure), **_axis(value_title(item.y)), **_from_zero(every)
        )
        return _layout(figure)
    for index, (name, part) in enumerate(frame.groupby(item.series, sort=True)):
        rows = part.index.tolist()
        _trace(
            figure,
            "scatter",
            x=[str(v) for v in part[item.x].tolist()],
            y=_numbers(part, measure),
            name=str(name),
            mode="lines+markers",
            customdata=[data[frame.index.get_loc(r)] for r in rows],
            line={"color": PALETTE[index % len(PALETTE)], "width": 2},
            hovertemplate=f"%{{x}} {name}<br>{measure}: %{{y:{d3_format(measure)}}}<extra></extra>",
        )
    _update_axes(
        figure,
        "y",
        tickformat=axis_format(measure),
        **_axis(titled(measure)),
        **_from_zero(_numbers(frame, measure)),
    )
    _update_axes(figure, "x", **_axis(category_title(item, frame)))
    if item.x == "Month":  # calendar order, whichever year's line comes first
        _update_axes(figure, "x", type="category", categoryorder="array", categoryarray=list(MONTH_NUMBERS))
    return _layout(figure)


BAND_COLORS = ("rgba(31, 95, 139, 0.32)", "rgba(31, 95, 139, 0.14)")  # 80 %, 95 %


def _present(xs: list[Any], ys: list[Any]) -> tuple[list[Any], list[Any]]:
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
    return [x for x, _ in pairs], [y for _, y in pairs]


def band_figure(item: Visual, frame: pd.DataFrame) -> Figure:
    """The actual and the forecast as lines over ``x`` (months), and each interval as a band
    between its lower and upper bound (``item.y``: actual, forecast, then lower / upper pairs,
    the narrowest first). Every trace's ``meta`` names the measure it draws."""
    figure = _figure()
    xs = [v.isoformat() if hasattr(v, "isoformat") else str(v) for v in frame[item.x].tolist()]
    actual, point, *bounds = item.y
    pairs = list(zip(bounds[0::2], bounds[1::2], strict=True))
    for index, (lower, upper) in reversed(list(enumerate(pairs))):  # widest first, under the rest
        label = upper.rsplit(" ", 1)[-1] + " % interval"
        color = BAND_COLORS[min(index, len(BAND_COLORS) - 1)]
        edges = [(bound, *_present(xs, _numbers(frame, bound))) for bound in (upper, lower)]
        if not all(ys for _, _, ys in edges):
            continue
        for bound, x_edge, y_edge in edges:  # the upper edge, then the lower one filled up to it
            _trace(
                figure,
                "scatter",
                x=x_edge,
                y=y_edge,
                name=label,
                meta=bound,
                mode="lines",
                line={"width": 0, "color": color},
                legendgroup=label,
                hovertemplate=f"%{{x|%b %Y}}<br>{bound}: %{{y:{d3_format(bound)}}}<extra></extra>",
                **({"fill": "tonexty", "fillcolor": color} if bound == lower else {"showlegend": False}),
            )
    for name, label, style in (
        (actual, "Actual", {"color": PALETTE[0], "width": 2}),
        (point, "Forecast", {"color": PALETTE[1], "width": 2, "dash": "dash"}),
    ):
        x_line, y_line = _present(xs, _numbers(frame, name))
        if y_line:
            _trace(
                figure,
                "scatter",
                x=x_line,
                y=y_line,
                name=label,
                meta=name,
                mode="lines+markers",
                line=style,
                marker={"size": 5},
                hovertemplate=f"%{{x|%b %Y}}<br>{name}: %{{y:{d3_format(name)}}}<extra></extra>",
            )
    _update_axes(figure, "x", type="date", tickformat="%b %Y", **_axis(category_title(item, frame)))
    _update_axes(
        figure, "y", tickformat=axis_format(point), rangemode="tozero", **_axis(f"Net sales ({unit(point)})")
    )
    _layout(figure, height=380)
    figure["layout"]["hovermode"] = "x"
    return figure


def _bounds(values: list[Any], pad: float, low: float, high: float) -> list[float]:
    present = [v for v in values if v is not None]
    if not present:
        return [low, high]
    span = max(present) - min(present)
    margin = max(pad, span * 0.15)
    return [max(low, min(present) - margin), min(high, max(present) + margin)]


def stacked_figure(item: Visual, frame: pd.DataFrame) -> Figure:
    """Bars of ``x`` stacked by ``series`` (e.g. sales per period, per rep)."""
    figure = _figure()
    measure = item.y[0]
    data = customdata(item, frame)
    order = list(dict.fromkeys(str(v) for v in frame[item.x].tolist()))
    for index, (name, part) in enumerate(frame.groupby(item.series, sort=True)):
        _trace(
            figure,
            "bar",
            x=[str(v) for v in part[item.x].tolist()],
            y=_numbers(part, measure),
            name=str(name),
            customdata=[data[frame.index.get_loc(r)] for r in part.index.tolist()],
            marker={"color": PALETTE[index % len(PALETTE)]},
            hovertemplate=f"%{{x}} · {name}<br>{measure}: %{{y:{d3_format(measure)}}}<extra></extra>",
        )
    figure["layout"]["barmode"] = "stack"
    _update_axes(
        figure,
        "x",
        type="category",
        categoryorder="array",
        categoryarray=order,
        **_axis(category_title(item, frame)),
    )
    _update_axes(figure, "y", tickformat=axis_format(measure), **_axis(titled(measure)))
    return _layout(figure, height=380)


def map_figure(item: Visual, frame: pd.DataFrame, selected: Collection[Any] = ()) -> Figure:
    """Sales by city as bubbles on an offline world map (``graph_config`` points Plotly at the
    topojson this app serves)."""
    figure = _figure()
    measure = item.y[0]
    values = _numbers(frame, measure)
    largest = max((v for v in values if v), default=1) or 1
    sizes = [6 + 34 * ((v or 0) / largest) ** 0.5 for v in values]
    keys = [int(k) for k in frame[item.key].tolist()]
    _trace(
        figure,
        "scattergeo",
        lat=_numbers(frame, "Latitude"),
        lon=_numbers(frame, "Longitude"),
        text=[f"{c}, {n}" for c, n in zip(frame["City"], frame["Country"], strict=True)],
        customdata=[[k, v] for k, v in zip(keys, values, strict=True)],
        marker={
            "size": sizes,
            "color": _colors(keys, selected, PALETTE[0]),
            "opacity": 0.8,
            "line": {"width": 0.5, "color": "#ffffff"},
        },
        hovertemplate=f"%{{text}}<br>{measure}: %{{customdata[1]:{d3_format(measure)}}}<extra></extra>",
        name=measure,
    )
    figure["layout"]["geo"] = {
        "projection": {"type": "natural earth"},
        "resolution": 50 if len(set(frame["Country"])) == 1 else 110,
        "showcountries": True,
        "countrycolor": "#c9d3dd",
        "showland": True,
        "landcolor": "#f1f4f7",
        "showocean": True,
        "oceancolor": "#e4eef6",
        "showlakes": False,
        "lataxis": {"range": _bounds(_numbers(frame, "Latitude"), 6, -60, 85)},
        "lonaxis": {"range": _bounds(_numbers(frame, "Longitude"), 10, -180, 180)},
    }
    figure["layout"]["showlegend"] = False
    return _layout(figure, height=380)


def figure_for(item: Visual, frame: pd.DataFrame, selected: Collection[Any] = ()) -> Figure:
    """The visual's figure, with margins estimated for the width of its card."""
    figure = _drawn(item, frame, selected)
    figure["layout"]["margin"] = _estimated_margins(figure, figure_px(item.width))
    return figure


def _drawn(item: Visual, frame: pd.DataFrame, selected: Collection[Any] = ()) -> Figure:
    if frame is None or frame.empty:
        return empty_figure()
    if item.limit:
        frame = frame.head(item.limit)
    if item.kind == "bar":
        return bar_figure(item, frame, selected)
    if item.kind == "hbar":
        return bar_figure(item, frame, selected, horizontal=True)
    if item.kind == "combo":
        return combo_figure(item, frame)
    if item.kind == "lines":
        return lines_figure(item, frame)
    if item.kind == "stacked":
        return stacked_figure(item, frame)
    if item.kind == "band":
        return band_figure(item, frame)
    if item.kind == "map":
        return map_figure(item, frame, selected)
    raise ValueError(f"no figure for visual kind {item.kind!r}")
