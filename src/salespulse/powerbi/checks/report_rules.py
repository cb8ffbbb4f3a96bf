"""Report rules: what a Power BI reviewer refuses in a report even when every file is valid.

- no deprecated visual type (the Bing ``map`` and ``filledMap``), and no Latitude or Longitude
  column summarized (averaged or summed) in a visual;
- the custom theme validates against Microsoft's report theme schema, and the base theme is a
  Microsoft base theme (SharedResources), not our custom theme;
- no filter card a reader sees empty: a card with no value is hidden in view mode;
- every slicer acts on a data visual of its page (the model's relationships reach a table the
  visual reads), and no slicer saves a selection on a table a security role filters;
- bookmarks are reachable: each bookmark's page has a bookmark navigator;
- every data visual has alt text; KPI cards with a comparison show it (reference label);
- a report-page tooltip names a page of type Tooltip; the main pages have a mobile layout;
- an interval is a band, not lines: no line chart plots an interval bound (a measure named
  "... Lower NN" or "... Upper NN") as a line, and each error band is on a series the chart plots.

``check_report_rules`` runs them all; problems name the file (relative to the report folder).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from salespulse.errors import Problem
from salespulse.powerbi.problems import JsonProblem
from salespulse.powerbi.report_fields import MEASURE, document_field_refs
from salespulse.powerbi.report_reader import PageFile, VisualFile, _literal_text, read_json, read_pages
from salespulse.powerbi.report_scope import Edge, acts_on, measure_tables, reach
from salespulse.powerbi.tmdl import TmdlModel

DEPRECATED_VISUALS = {
    "map": "the Bing map is deprecated (Desktop asks to upgrade it to Azure Maps)",
    "filledMap": "the Bing filled map is deprecated (Desktop asks to upgrade it to Azure Maps)",
}
COORDINATES = {"latitude", "longitude"}
INTERVAL_BOUND = re.compile(r"\b(Lower|Upper) \d+$")
LINE_ROLES = ("Y", "Y2")
NOT_DATA = {"textbox", "actionButton", "bookmarkNavigator", "shape", "image", "group"}


def _problem(file: str, message: str, json_path: str = "$") -> Problem:
    return JsonProblem(file=file, message=message, json_path=json_path)


def _is_data(visual: VisualFile) -> bool:
    return visual.visual_type not in NOT_DATA and "query" in visual.config


def _check_visual_types(page: PageFile) -> Iterator[Problem]:
    for visual in page.visuals:
        reason = DEPRECATED_VISUALS.get(visual.visual_type)
        if reason:
            yield _problem(
                visual.relative,
                f"visual type {visual.visual_type!r} is refused: {reason}; use a core visual",
                "$.visual.visualType",
            )
        yield from _summarized_coordinates(visual, visual.config.get("query", {}), "$.visual.query")


def _summarized_coordinates(visual: VisualFile, node: Any, path: str) -> Iterator[Problem]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _summarized_coordinates(visual, item, f"{path}[{index}]")
    elif isinstance(node, dict):
        aggregation = node.get("Aggregation")
        if isinstance(aggregation, dict):
            column = aggregation.get("Expression", {}).get("Column", {})
            name = str(column.get("Property", ""))
            if name.lower() in COORDINATES:
                yield _problem(
                    visual.relative,
                    f"column {name!r} is summarized: a coordinate must never be averaged or summed",
                    f"{path}.Aggregation",
                )
        for key, value in node.items():
            yield from _summarized_coordinates(visual, value, f"{path}.{key}")


def _theme_files(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """themeCollection key -> (type, file path under StaticResources) of report.json's document."""
    packages = {package.get("type"): package for package in report.get("resourcePackages", [])}
    found = {}
    for key, theme in report.get("themeCollection", {}).items():
        if not isinstance(theme, dict):
            continue
        items = packages.get(theme.get("type"), {}).get("items", [])
        item = next((item for item in items if item.get("name") == theme.get("name")), None)
        if item is not None:
            found[key] = (str(theme.get("type")), f"{theme.get('type')}/{item.get('path')}")
    return found


def _check_themes(report_dir: Path, theme_schema: Path | None) -> Iterator[Problem]:
    file = "definition/report.json"
    report = read_json(report_dir / file)
    collection = report.get("themeCollection", {})
    base, custom = collection.get("baseTheme"), collection.get("customTheme")
    files = _theme_files(report)
    if isinstance(base, dict) and base.get("type") != "SharedResources":
        yield _problem(
            file,
            "the base theme must be one of Microsoft's (SharedResources); register our theme as"
            " the customTheme (RegisteredResources)",
            "$.themeCollection.baseTheme.type",
        )
    if not isinstance(custom, dict):
        yield _problem(file, "no customTheme: the report's own theme is missing", "$.themeCollection")
        return
    custom_path = report_dir / "StaticResources" / files["customTheme"][1] if "customTheme" in files else None
    custom_name = None
    if custom_path is not None and custom_path.is_file():
        document = read_json(custom_path)
        custom_name = document.get("name") if isinstance(document, dict) else None
        theme_file = f"StaticResources/{files['customTheme'][1]}"
        if theme_schema is not None:
            schema = json.loads(theme_schema.read_text(encoding="utf-8"))
            for error in sorted(Draft7Validator(schema).iter_errors(document), key=lambda e: e.json_path):
                yield _problem(theme_file, f"theme schema: {error.message[:200]}", error.json_path)
    if isinstance(base, dict) and base.get("name") in {custom.get("name"), custom_name} - {None}:
        yield _problem(
            file,
            f"the base theme {base.get('name')!r} is our custom theme: use a Microsoft base theme",
            "$.themeCollection.baseTheme.name",
        )


def _check_filter_cards(file: str, document: dict[str, Any]) -> Iterator[Problem]:
    config = document.get("filterConfig")
    filters = config.get("filters", []) if isinstance(config, dict) else []
    for index, item in enumerate(filters):
        if not isinstance(item, dict) or item.get("howCreated") == "Drillthrough":
            continue
        if "filter" not in item and not item.get("isHiddenInViewMode"):
            yield _problem(
                file,
                f"filter card {item.get('name')!r} has no filter and readers see it empty:"
                " remove it, or hide it in view mode if a bookmark sets it",
                f"$.filterConfig.filters[{index}]",
            )


class _Scope:
    def __init__(self, model: TmdlModel) -> None:
        edges = [
            Edge(rel.from_table, rel.to_table, rel.cross_filtering_behavior == "bothDirections")
            for rel in model.relationships
            if rel.is_active
        ]
        self.reached = reach(edges)
        expressions = {measure.name: measure.expression for measure in model.measures()}
        self.measures = measure_tables(expressions, [table.name for table in model.tables])
        self.secured = {permission.table for role in model.roles for permission in role.table_permissions}

    def tables_read(self, visual: VisualFile) -> set[str]:
        refs = document_field_refs(
            {"query": visual.config.get("query", {}), "filters": visual.document.get("filterConfig", {})},
            visual.relative,
        )
        tables: set[str] = set()
        for ref in refs:
            tables |= self.measures.get(ref.property, set()) if ref.kind == MEASURE else {ref.entity}
        return tables

    def secured_reach(self) -> set[str]:
        return {table for secured in self.secured for table in self.reached.get(secured, {secured})}


def _check_slicers(page: PageFile, scope: _Scope) -> Iterator[Problem]:
    slicers = [visual for visual in page.visuals if visual.visual_type == "slicer"]
    data = [
        scope.tables_read(visual) for visual in page.visuals if _is_data(visual) and visual not in slicers
    ]
    secured = scope.secured_reach()
    for slicer in slicers:
        tables = {ref.entity for ref in slicer.fields}
        if data and not any(acts_on(table, read, scope.reached) for table in tables for read in data):
            yield _problem(
                slicer.relative,
                f"slicer on {sorted(tables)} acts on no visual of page {page.name!r}: no relationship"
                " reaches the tables its visuals read",
                "$.visual",
            )
        for index, item in enumerate(slicer.config.get("objects", {}).get("general", [])):
            saved = item.get("properties", {}).get("filter")
            fields = {ref.entity for ref in document_field_refs(saved, slicer.relative)} if saved else set()
            if fields & secured:
                yield _problem(
                    slicer.relative,
                    f"slicer saves a selection on {sorted(fields & secured)}, which row-level security"
                    " filters: a role that cannot see the value opens on nothing",
                    f"$.visual.objects.general[{index}].properties.filter",
                )


def _check_visuals(page: PageFile, pages: dict[str, PageFile]) -> Iterator[Problem]:
    for visual in page.visuals:
        container = visual.config.get("visualContainerObjects", {})
        if _is_data(visual):
            texts = [
                _literal_text(item.get("properties", {}).get("altText"))
                for item in container.get("general", [])
            ]
            if not any(texts):
                yield _problem(
                    visual.relative, "data visual without alt text", "$.visual.visualContainerObjects"
                )
        for index, item in enumerate(container.get("visualTooltip", [])):
            properties = item.get("properties", {})
            section = _literal_text(properties.get("section"))
            if section is None:
                continue
            target = pages.get(section)
            if target is None or target.document.get("type") != "Tooltip":
                yield _problem(
                    visual.relative,
                    f"tooltip page {section!r} is not a page of type Tooltip",
                    f"$.visual.visualContainerObjects.visualTooltip[{index}]",
                )


def _check_intervals(page: PageFile) -> Iterator[Problem]:
    for visual in page.visuals:
        if visual.visual_type not in (
            "lineChart",
            "lineClusteredColumnComboChart",
            "lineStackedColumnComboChart",
        ):
            continue
        state = visual.config.get("query", {}).get("queryState", {})
        plotted = {
            projection.get("queryRef")
            for role in LINE_ROLES
            for projection in state.get(role, {}).get("projections", [])
        }
        for role in LINE_ROLES:
            for ref in document_field_refs(state.get(role, {}), visual.relative):
                if ref.kind == MEASURE and INTERVAL_BOUND.search(ref.property):
                    yield _problem(
                        visual.relative,
                        f"interval bound [{ref.property}] is drawn as a line: draw the interval as an"
                        " error band on its series (Analytics pane > Error bars)",
                        f"$.visual.query.queryState.{role}",
                    )
        for index, item in enumerate(visual.config.get("objects", {}).get("error", [])):
            series = item.get("selector", {}).get("metadata")
            if series not in plotted:
                yield _problem(
                    visual.relative,
                    f"error band on {series!r}, a series the chart does not plot",
                    f"$.visual.objects.error[{index}].selector",
                )


def _check_cards(page: PageFile, comparisons: dict[str, str]) -> Iterator[Problem]:
    for visual in page.visuals:
        if visual.visual_type != "cardVisual":
            continue
        state = visual.config.get("query", {}).get("queryState", {})
        shown = [ref.property for ref in document_field_refs(state.get("Data", {}), visual.relative)]
        compared = [ref.property for ref in document_field_refs(state.get("ReferenceLabels", {}), "")]
        for name in shown:
            if name in comparisons and comparisons[name] not in compared:
                yield _problem(
                    visual.relative,
                    f"KPI card [{name}] shows no comparison: add [{comparisons[name]}]"
                    " as its reference label",
                    "$.visual.query.queryState",
                )


def _check_bookmarks(report_dir: Path, pages: dict[str, PageFile]) -> Iterator[Problem]:
    folder = report_dir / "definition" / "bookmarks"
    for path in sorted(folder.glob("*.bookmark.json")) if folder.exists() else []:
        section = read_json(path).get("explorationState", {}).get("activeSection")
        page = pages.get(section)
        if page is not None and not any(v.visual_type == "bookmarkNavigator" for v in page.visuals):
            yield _problem(
                path.relative_to(report_dir).as_posix(),
                f"bookmark is reachable from nothing: page {section!r} has no bookmark navigator",
                "$.explorationState.activeSection",
            )


def _check_mobile(report_dir: Path, page: PageFile) -> Iterator[Problem]:
    if page.document.get("type") in ("Drillthrough", "Tooltip"):
        return
    folder = report_dir / Path(page.relative).parent / "visuals"
    if not any(folder.glob("*/mobile.json")):
        yield _problem(page.relative, "main page without a mobile layout (no visuals/*/mobile.json)")


def check_report_rules(
    report_dir: Path,
    model: TmdlModel | None = None,
    *,
    theme_schema: Path | None = None,
    kpi_comparisons: dict[str, str] | None = None,
) -> list[Problem]:
    """Every report rule (see the module's docstring). The slicer rules need the parsed ``model``;
    the theme is validated when ``theme_schema`` (Microsoft's report theme schema) is given."""
    if kpi_comparisons is None:
        from salespulse.powerbi.report_pages import KPI_COMPARISONS

        kpi_comparisons = KPI_COMPARISONS
    pages = read_pages(report_dir)
    by_name = {page.name: page for page in pages}
    problems: list[Problem] = list(_check_themes(report_dir, theme_schema))
    problems += _check_filter_cards(
        "definition/report.json", read_json(report_dir / "definition/report.json")
    )
    scope = _Scope(model) if model is not None else None
    for page in pages:
        problems += _check_visual_types(page)
        problems += _check_filter_cards(page.relative, page.document)
        problems += _check_visuals(page, by_name)
        problems += _check_cards(page, kpi_comparisons)
        problems += _check_intervals(page)
        problems += _check_mobile(report_dir, page)
        if scope is not None:
            problems += _check_slicers(page, scope)
    problems += _check_bookmarks(report_dir, by_name)
    return problems
