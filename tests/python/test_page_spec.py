"""The page spec (``semantic/pages.yml``) is what both front ends show.

Each web page and its Power BI page are read back from what they render: the PBIR ``visual.json``
files ``salespulse powerbi write`` writes (through ``report_reader``), and the web's figures,
tables and cards as its render callback sends them to the browser. For every page, the two show the
same visuals (the same titles, measures and category fields), except where the spec declares that
they differ (a visual or a page only one front end has, another title, other measures or fields,
each with its why), and each front end shows exactly what the spec gives it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from salespulse.powerbi.project import REPORT_FOLDER
from salespulse.powerbi.report import write_report
from salespulse.powerbi.report_reader import PageFile, VisualFile, read_pages
from salespulse.semantic import load_measures
from salespulse.semantic.pages import POWERBI, WEB, PageSpec, PageSpecError, VisualSpec, load_pages
from salespulse.web.query.pages import BUILDERS
from salespulse.web.query.pages import PAGES as PAGE_DATA
from salespulse.web.ui.charts import CATEGORY_TITLES
from salespulse.web.ui.state import empty_state
from salespulse.web.ui.visuals import PAGES, visuals, web_visual
from web_testing import MANAGER, Callbacks, components, forecast_app, render, signed_in

SPEC = load_pages()
#: Visuals of a Power BI page that show no data of their own: the rail, buttons, the navigator.
FURNITURE = ("slicer", "textbox", "actionButton", "bookmarkNavigator", "group")
KPIS = "kpis"


@dataclass(frozen=True)
class Seen:
    """What one front end shows of one visual."""

    title: str
    measures: frozenset[str]
    category: frozenset[str]


def _names(names: Any) -> frozenset[str]:
    """Category names as the web titles its axes (``Year Month Name`` -> ``Month``)."""
    return frozenset(CATEGORY_TITLES.get(name, name) for name in names)


# --------------------------------------------------------------------------- Power BI, read back


def _pbi_visual(visual: VisualFile) -> Seen:
    measures = {ref.property for ref in visual.fields if ref.kind == "measure"}
    category: set[str] = set()
    hierarchies: set[tuple[str, str | None]] = set()
    for ref in visual.fields:
        if ref.kind == "column":
            category.add(ref.property)
        elif ref.kind == "hierarchy_level" and (ref.entity, ref.hierarchy) not in hierarchies:
            hierarchies.add((ref.entity, ref.hierarchy))  # a drill: its top level
            category.add(ref.property)
    return Seen(visual.title, frozenset(measures), _names(category))


def pbi_page(page: PageFile) -> dict[str, Seen]:
    """The data visuals of a written Power BI page by name; its KPI cards as one ``kpis``."""
    seen: dict[str, Seen] = {}
    cards: list[str] = []
    for visual in page.visuals:
        if visual.visual_type in FURNITURE:
            continue
        if visual.visual_type == "cardVisual":
            cards += [ref.property for ref in visual.fields if ref.json_path.startswith("$.Data.")]
            continue
        assert visual.name not in seen, (page.name, visual.name)
        seen[visual.name] = _pbi_visual(visual)
    if cards:
        seen[KPIS] = Seen("", frozenset(cards), frozenset())
    return seen


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Seen]]:
    """Every Power BI page as ``salespulse powerbi write`` writes it, read back from its files."""
    out = tmp_path_factory.mktemp("page-spec-pbir")
    write_report(out)
    return {page.name: pbi_page(page) for page in read_pages(out / REPORT_FOLDER)}


# --------------------------------------------------------------------------- web, as rendered


def _sections(tree: Any) -> Iterator[dict[str, Any]]:
    """The page's visual cards (``<section data-visual=...>``), in page order."""
    if isinstance(tree, list):
        for item in tree:
            yield from _sections(item)
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if tree.get("type") == "Section" and "data-visual" in props:
            yield tree
            return
        for value in props.values() if isinstance(props, dict) else ():
            yield from _sections(value)


MEASURES = {measure.name for measure in load_measures()} | set(SPEC.web_measures)
_HOVERED = re.compile(r"<br>([^<]*?): %\{")  # a trace's hover: "<br>{measure}: %{y...}"


def web_section(section: dict[str, Any], series: str | None) -> Seen:
    """What a rendered visual card shows: its heading; the cards' measures; a chart's measures
    (each trace's hover names its measure) and category axis (and the field its traces split by);
    a table's columns."""
    title = next(components(section, "H2"))["props"]["children"]
    cards = [d["props"]["data-measure"] for d in components(section, "Div") if "data-measure" in d["props"]]
    if cards:
        return Seen(title, frozenset(cards), frozenset())
    for table in components(section, "DataTable"):
        columns = [column["name"] for column in table["props"]["columns"]]
        measures = frozenset(c for c in columns if c in MEASURES)
        return Seen(title, measures, _names(c for c in columns if c not in MEASURES))
    figure = next(components(section, "Graph"))["props"]["figure"]
    traces = figure["data"]
    measures = frozenset(m for trace in traces for m in _HOVERED.findall(trace.get("hovertemplate", "")))
    layout = figure["layout"]
    axis = "yaxis" if traces and traces[0].get("orientation") == "h" else "xaxis"
    category = {(layout.get(axis, {}).get("title") or {}).get("text")} - {None}
    if traces and traces[0].get("type") == "scattergeo":  # a map: its points are cities ("City, Country")
        assert traces[0]["text"], title
        category = {"City"}
    return Seen(title, measures, _names({*category, *([series] if series else [])}))


@pytest.fixture(scope="module")
def rendered(
    demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, list[tuple[str, Seen]]]]:
    """Every web page as the manager sees it with no filters (after the forecast, so the Forecast
    page draws its band): ``slug -> [(dataset, what it shows)]`` in page order."""
    for app, _ in forecast_app(demo_duckdb, tmp_path_factory, "page-spec"):
        callbacks = Callbacks(signed_in(app, MANAGER))
        pages: dict[str, list[tuple[str, Seen]]] = {}
        for slug in PAGES:
            response = render(callbacks, empty_state(), slug)
            items = {item.dataset: item for item in visuals(slug)}
            sections = list(_sections(response["page-content"]["children"]))
            pages[slug] = []
            for section in sections:
                dataset = section["props"]["data-visual"]
                series = items[dataset].series if dataset in items else None
                pages[slug].append((dataset, web_section(section, series)))
        yield pages


# --------------------------------------------------------------------------- the comparison


def _spec_seen(visual: VisualSpec, front_end: str) -> Seen:
    shown = visual.shown(front_end)
    title = "" if visual.kind == "cards" and front_end == POWERBI else shown.title
    return Seen(title, shown.measures, _names(shown.category))


def test_both_front_ends_have_the_spec_pages() -> None:
    from salespulse.powerbi.report_pages import pages

    assert [page.name for page in pages()] == [page.name for page in SPEC.on(POWERBI)]
    assert list(PAGES) == [page.slug for page in SPEC.on(WEB)] == list(BUILDERS)
    assert list(PAGE_DATA) == [page.title for page in SPEC.on(WEB)] == list(PAGES.values())
    for page in SPEC.pages:
        if not (page.on(POWERBI) and page.on(WEB)):
            assert page.why, page.name  # a page one front end does not have says why


@pytest.mark.parametrize("page", SPEC.on(POWERBI), ids=lambda page: page.name)
def test_the_power_bi_page_shows_what_the_spec_says(
    page: PageSpec, written: dict[str, dict[str, Seen]]
) -> None:
    seen = written[page.name]
    assert set(seen) == {visual.id for visual in page.visuals_on(POWERBI)}  # none added, none dropped
    for visual in page.visuals_on(POWERBI):
        assert seen[visual.id] == _spec_seen(visual, POWERBI), (page.name, visual.id)


@pytest.mark.parametrize("page", SPEC.on(WEB), ids=lambda page: page.slug)
def test_the_web_page_shows_what_the_spec_says(
    page: PageSpec, rendered: dict[str, list[tuple[str, Seen]]]
) -> None:
    shown = rendered[page.slug]
    spec_visuals = page.visuals_on(WEB)
    # none added, none dropped, in the spec's order
    assert [dataset for dataset, _ in shown] == [web_visual(v).dataset for v in spec_visuals]
    for visual, (_, seen) in zip(spec_visuals, shown, strict=True):
        assert seen == _spec_seen(visual, WEB), (page.slug, visual.id)


@pytest.mark.parametrize(
    "page", [p for p in SPEC.pages if p.on(POWERBI) and p.on(WEB)], ids=lambda page: page.slug
)
def test_a_web_page_and_its_power_bi_page_show_the_same_visuals(
    page: PageSpec, written: dict[str, dict[str, Seen]], rendered: dict[str, list[tuple[str, Seen]]]
) -> None:
    """Visual for visual, what the web renders against what the PBIR files say; a difference passes
    only where the spec declares it (a visual on one front end only, another title, other measures
    or category fields: each with its why)."""
    pbi = written[page.name]
    web = {
        visual.id: seen for visual, (_, seen) in zip(page.visuals_on(WEB), rendered[page.slug], strict=True)
    }
    for visual in page.visuals:
        if visual.only_on is not None:
            assert visual.why, (page.slug, visual.id)
            assert (visual.id in pbi) == (visual.only_on == POWERBI), (page.slug, visual.id)
            assert (visual.id in web) == (visual.only_on == WEB), (page.slug, visual.id)
            continue
        assert visual.id in pbi and visual.id in web, (page.slug, visual.id)
        both, one = (visual.powerbi, visual.web), (pbi[visual.id], web[visual.id])
        if not any(r.measures is not None for r in both):
            assert one[0].measures == one[1].measures, (page.slug, visual.id)
        if not any(r.category is not None for r in both):
            assert one[0].category == one[1].category, (page.slug, visual.id)
        if visual.kind != "cards" and not any(r.title is not None for r in both):
            # the same title, but for each front end's words on how to read or use it there
            titles = [seen.title.removesuffix(r.note) for seen, r in zip(one, both, strict=True)]
            assert titles[0] == titles[1] == visual.title, (page.slug, visual.id)


# --------------------------------------------------------------------------- the loader


def _spec_file(tmp_path: Path, visual: dict[str, Any]) -> Path:
    path = tmp_path / "pages.yml"
    page = {"slug": "p", "name": "p", "title": "P", "visuals": [visual]}
    path.write_text(yaml.safe_dump({"pages": [page]}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("visual", "error"),
    [
        ({"measures": ["Sales"], "web": {"measures": ["Orders"]}}, "without a why"),
        ({"measures": ["Sales"], "only_on": "web"}, "with a why"),
        ({"measures": ["Net Revenue"]}, "not a measure"),
        ({"measures": ["Sales"], "category": ["Customer[Planet]"]}, "no column"),
        ({"measures": ["Sales"], "drill": "Date.Calendar[Year, Week]"}, "no level"),
        (
            {"measures": ["Sales"], "web": {"measures": ["New Customers Without Campaign"], "why": "x"}},
            "not a",
        ),
    ],
)
def test_the_loader_refuses_what_the_model_does_not_have(
    tmp_path: Path, visual: dict[str, Any], error: str
) -> None:
    with pytest.raises(PageSpecError, match=error):
        load_pages(_spec_file(tmp_path, {"id": "v", "title": "V", "kind": "bar", **visual}))
