"""The charts' figures, written as plain JSON (web/ui/charts.py), are what plotly's graph objects
would accept: every property name and value valid in plotly's schema, only the trace types the
partial bundle holds, and plotly's default look carried by a template cut to what the charts use."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from salespulse.web.query.readers import Reader
from salespulse.web.ui.charts import HOUSE_TEMPLATE, TRACE_TYPES, figure_for, graph_config
from salespulse.web.ui.visuals import PAGES
from web_testing import MANAGER, REP, Callbacks, demo_app_fixture, graphs, render, signed_in, state

#: Views that draw every kind of figure: the default, a drill to one country (the map at 50 m),
#: a range with no sales (the empty figure), several years, a category and a chosen series.
STATES = {
    "default": {},
    "one country": {"geo": ["Europe", "Germany"]},
    "no sales": {"date_from": "2030-01-01", "date_to": "2030-12-31"},
    "three years": {"date_from": "2022-01-01", "date_to": "2024-12-31"},
    "a category": {"categories": ["Bikes"], "series": 2023},
}


web = demo_app_fixture("web-charts")


@pytest.fixture(scope="module")
def figures(web: tuple[Any, Reader]) -> list[tuple[str, dict[str, Any]]]:
    """Every figure of every page, for the manager and a rep, in each of ``STATES``."""
    out: list[tuple[str, dict[str, Any]]] = []
    for email in (MANAGER, REP):
        callbacks = Callbacks(signed_in(web[0], email))
        for name, values in STATES.items():
            for slug in PAGES:
                for visual, figure in graphs(render(callbacks, state(**values), slug)).items():
                    out.append((f"{email} {name} {visual}", figure))
    return out


def test_every_figure_is_valid_in_plotlys_schema(figures: list[tuple[str, dict[str, Any]]]) -> None:
    kinds: set[str] = set()
    for where, figure in figures:
        try:
            go.Figure(figure)  # raises on a property name or value plotly does not know
        except ValueError as error:
            pytest.fail(f"{where}: {error}")
        kinds |= {trace["type"] for trace in figure["data"]}
    assert kinds == set(TRACE_TYPES), kinds  # every kind drawn somewhere, and nothing else


def test_a_property_plotly_does_not_know_is_caught() -> None:
    """The check above can fail: a misspelt axis property is refused."""
    figure = {"data": [{"type": "bar", "x": [1], "y": [2]}], "layout": {"xaxis": {"tickformt": ",~f"}}}
    with pytest.raises(ValueError, match="tickformt"):
        go.Figure(figure)


def test_figures_carry_plotlys_look_cut_to_the_charts_trace_types(
    figures: list[tuple[str, dict[str, Any]]],
) -> None:
    full = pio.templates["plotly"].to_plotly_json()
    assert set(HOUSE_TEMPLATE["data"]) == set(TRACE_TYPES)
    for kind in TRACE_TYPES:
        assert HOUSE_TEMPLATE["data"][kind] == full["data"][kind]
    for key, value in HOUSE_TEMPLATE["layout"].items():
        assert full["layout"][key] == value, key
    # the parts of other chart types are left out (polar, ternary, 3-D scenes, colour scales)
    assert not {"polar", "ternary", "scene", "colorscale", "coloraxis"} & set(HOUSE_TEMPLATE["layout"])
    for where, figure in figures:
        assert figure["layout"]["template"] == HOUSE_TEMPLATE, where


def test_a_map_figure_names_its_shapes_and_others_do_not(figures: list[tuple[str, dict[str, Any]]]) -> None:
    maps = [(where, f) for where, f in figures if any(t["type"] == "scattergeo" for t in f["data"])]
    assert maps
    resolutions = set()
    for where, figure in maps:
        resolution = figure["layout"]["geo"]["resolution"]
        resolutions.add(resolution)
        assert graph_config(figure)["topojsonURL"].split("?")[0].endswith(f"world_{resolution}m.json"), where
    assert resolutions == {50, 110}  # the world, and one country drilled into
    for where, figure in figures:
        if not any(t["type"] == "scattergeo" for t in figure["data"]):
            assert graph_config(figure)["topojsonURL"] == "/assets/topojson/", where


def test_an_empty_frame_gives_the_empty_figure() -> None:
    import pandas as pd

    from salespulse.web.ui.visuals import visuals

    item = next(v for v in visuals("overview") if v.kind not in ("kpis", "table"))
    figure = figure_for(item, pd.DataFrame())
    assert figure["data"] == []
    assert figure["layout"]["annotations"][0]["text"] == "No data for these filters"
    go.Figure(figure)
