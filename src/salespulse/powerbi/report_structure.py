"""Checks of a PBIR report's inner consistency that the JSON schemas cannot express.

- pages.json lists exactly the page folders, and its active page exists;
- every page and visual is named as its folder, visuals fit the page and do not overlap;
- a drill-through page has its binding: a Drillthrough ``pageBinding`` whose parameters each name
  a filter of the page on the same field;
- a page's visualInteractions name two different visuals of the page, each pair once;
- filter names are unique across the report; slicers of one sync group share one field;
- bookmarks.json lists exactly the bookmark files, and each bookmark's pages and visuals exist;
- the themes report.json names are in its resource packages, the custom theme's file is present;
- definition.pbir references the semantic model by a relative path that exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from salespulse.errors import Problem
from salespulse.powerbi.problems import JsonProblem
from salespulse.powerbi.report_reader import PageFile, UnreadableFileError, read_json, read_pages

DRILLTHROUGH = "Drillthrough"


def _problem(file: str, message: str, json_path: str = "$") -> Problem:
    return JsonProblem(file=file, message=message, json_path=json_path)


def _filters(document: dict[str, Any]) -> list[dict[str, Any]]:
    config = document.get("filterConfig")
    filters = config.get("filters", []) if isinstance(config, dict) else []
    return [item for item in filters if isinstance(item, dict)]


def _check_pages_metadata(report_dir: Path, pages: list[PageFile]) -> Iterator[Problem]:
    file = "definition/pages/pages.json"
    path = report_dir / file
    if not path.exists():
        yield _problem(file, "pages.json is missing")
        return
    metadata = read_json(path)
    names = {page.name for page in pages}
    order = metadata.get("pageOrder", [])
    for index, name in enumerate(order):
        if name not in names:
            yield _problem(
                file, f"pageOrder names page {name!r}, which does not exist", f"$.pageOrder[{index}]"
            )
    for name in sorted(names - set(order)):
        yield _problem(file, f"page {name!r} is not in pageOrder", "$.pageOrder")
    active = metadata.get("activePageName")
    if active is not None and active not in names:
        yield _problem(file, f"activePageName {active!r} does not exist", "$.activePageName")


def _check_page(page: PageFile) -> Iterator[Problem]:
    if page.name != page.folder:
        yield _problem(
            page.relative, f"page name {page.name!r} differs from its folder {page.folder!r}", "$.name"
        )
    placed = []
    for visual in page.visuals:
        folder = Path(visual.relative).parent.name
        if visual.name != folder:
            yield _problem(visual.relative, f"visual name {visual.name!r} differs from its folder", "$.name")
        position = visual.position
        if position is None or "parentGroupName" in visual.document:
            continue
        if position.x < 0 or position.y < 0 or position.x + position.width > page.width:
            yield _problem(visual.relative, "the visual does not fit the page's width", "$.position")
        elif position.y + position.height > page.height:
            yield _problem(visual.relative, "the visual does not fit the page's height", "$.position")
        for other in placed:
            if position.overlaps(other.position):
                yield _problem(visual.relative, f"the visual overlaps visual {other.name!r}", "$.position")
        placed.append(visual)


def _check_drillthrough(page: PageFile) -> Iterator[Problem]:
    document = page.document
    binding = document.get("pageBinding")
    is_target = document.get("type") == DRILLTHROUGH or (
        isinstance(binding, dict) and binding.get("type") == DRILLTHROUGH
    )
    if not is_target:
        return
    if not isinstance(binding, dict) or binding.get("type") != DRILLTHROUGH:
        yield _problem(
            page.relative, "drill-through page without its Drillthrough pageBinding", "$.pageBinding"
        )
        return
    if document.get("type") != DRILLTHROUGH:
        yield _problem(
            page.relative, "page with a Drillthrough binding is not of type Drillthrough", "$.type"
        )
    parameters = binding.get("parameters") or []
    if not parameters:
        yield _problem(page.relative, "drill-through binding has no parameters", "$.pageBinding.parameters")
    filters = {item.get("name"): item for item in _filters(document)}
    for index, parameter in enumerate(parameters):
        path = f"$.pageBinding.parameters[{index}]"
        bound = parameter.get("boundFilter")
        if bound not in filters:
            yield _problem(
                page.relative, f"boundFilter {bound!r} is not a filter of the page", f"{path}.boundFilter"
            )
        elif filters[bound].get("field") != parameter.get("fieldExpr"):
            yield _problem(
                page.relative, f"fieldExpr differs from the field of filter {bound!r}", f"{path}.fieldExpr"
            )


def _check_interactions(page: PageFile) -> Iterator[Problem]:
    interactions = page.document.get("visualInteractions", [])
    if not isinstance(interactions, list):
        return  # the schema reports it
    visuals = {visual.name for visual in page.visuals}
    seen: set[tuple[Any, Any]] = set()
    for index, item in enumerate(interactions):
        if not isinstance(item, dict):
            continue
        path = f"$.visualInteractions[{index}]"
        source, target = item.get("source"), item.get("target")
        for key, name in (("source", source), ("target", target)):
            if name not in visuals:
                yield _problem(page.relative, f"interaction {key} {name!r} is not a visual of the page", path)
        if source == target:
            yield _problem(page.relative, f"interaction of visual {source!r} with itself", path)
        if (source, target) in seen:
            yield _problem(page.relative, f"interaction {source!r} -> {target!r} is listed twice", path)
        seen.add((source, target))


def _check_filter_names(report_dir: Path, pages: list[PageFile]) -> Iterator[Problem]:
    documents = [("definition/report.json", read_json(report_dir / "definition/report.json"))]
    for page in pages:
        documents.append((page.relative, page.document))
        documents.extend((visual.relative, visual.document) for visual in page.visuals)
    seen: dict[str, str] = {}
    for file, document in documents:
        for index, item in enumerate(_filters(document)):
            name = item.get("name")
            if name in seen:
                yield _problem(
                    file,
                    f"filter name {name!r} is also used in {seen[name]}",
                    f"$.filterConfig.filters[{index}].name",
                )
            else:
                seen[str(name)] = file


def _check_sync_groups(pages: list[PageFile]) -> Iterator[Problem]:
    fields: dict[str, tuple[list[str], str]] = {}
    for page in pages:
        for visual in page.visuals:
            group = visual.sync_group
            if group is None:
                continue
            labels = [ref.label for ref in visual.fields]
            if group not in fields:
                fields[group] = (labels, visual.relative)
            elif fields[group][0] != labels:
                yield _problem(
                    visual.relative,
                    f"sync group {group!r} slices {labels}, but {fields[group][1]} slices {fields[group][0]}",
                    "$.visual.syncGroup",
                )


def _check_bookmarks(report_dir: Path, pages: list[PageFile]) -> Iterator[Problem]:
    folder = report_dir / "definition" / "bookmarks"
    if not folder.exists():
        return
    metadata_file = "definition/bookmarks/bookmarks.json"
    listed: list[str] = []
    if (report_dir / metadata_file).exists():
        for item in read_json(report_dir / metadata_file).get("items", []):
            listed.extend(item.get("children", [item.get("name")]))
    else:
        yield _problem(metadata_file, "bookmarks.json is missing")
    visuals = {page.name: {visual.name for visual in page.visuals} for page in pages}
    files = sorted(folder.glob("*.bookmark.json"))
    for path in files:
        file = path.relative_to(report_dir).as_posix()
        bookmark = read_json(path)
        name = bookmark.get("name")
        if f"{name}.bookmark.json" != path.name:
            yield _problem(file, f"bookmark name {name!r} differs from its file name", "$.name")
        if name not in listed:
            yield _problem(file, f"bookmark {name!r} is not listed in bookmarks.json", "$.name")
        state = bookmark.get("explorationState", {})
        if state.get("activeSection") not in visuals:
            yield _problem(
                file, f"activeSection {state.get('activeSection')!r} is not a page", "$.explorationState"
            )
        for page_name, section in state.get("sections", {}).items():
            path_ = f"$.explorationState.sections[{page_name!r}]"
            if page_name not in visuals:
                yield _problem(file, f"section {page_name!r} is not a page", path_)
                continue
            for visual_name in section.get("visualContainers", {}):
                if visual_name not in visuals[page_name]:
                    yield _problem(file, f"visual {visual_name!r} is not on page {page_name!r}", path_)
    names = {path.name.removesuffix(".bookmark.json") for path in files}
    for name in listed:
        if name not in names:
            yield _problem(
                metadata_file, f"bookmarks.json lists {name!r}, which has no bookmark file", "$.items"
            )


def _check_theme(report_dir: Path) -> Iterator[Problem]:
    file = "definition/report.json"
    report = read_json(report_dir / file)
    packages = {package.get("type"): package for package in report.get("resourcePackages", [])}
    for key, package_type in (("baseTheme", "SharedResources"), ("customTheme", "RegisteredResources")):
        theme = report.get("themeCollection", {}).get(key)
        if not isinstance(theme, dict):
            continue
        items = packages.get(theme.get("type"), {}).get("items", [])
        item = next((item for item in items if item.get("name") == theme.get("name")), None)
        path = f"$.themeCollection.{key}"
        if item is None:
            yield _problem(
                file, f"{key} {theme.get('name')!r} is not in the {package_type} resource package", path
            )
        elif theme.get("type") == "SharedResources":
            continue  # a base theme Power BI ships: Desktop supplies its file (powerbi/README.md)
        elif not (report_dir / "StaticResources" / str(theme.get("type")) / item["path"]).is_file():
            yield _problem(
                file, f"{key} file StaticResources/{theme.get('type')}/{item['path']} is missing", path
            )


def _check_dataset_reference(report_dir: Path) -> Iterator[Problem]:
    file = "definition.pbir"
    if not (report_dir / file).exists():
        yield _problem(file, "definition.pbir is missing")
        return
    reference = read_json(report_dir / file).get("datasetReference", {})
    by_path = reference.get("byPath")
    if not isinstance(by_path, dict):
        yield _problem(file, "the report must reference its semantic model by path", "$.datasetReference")
        return
    target = str(by_path.get("path", ""))
    if Path(target).is_absolute() or "\\" in target or ":" in target:
        yield _problem(
            file, f"byPath {target!r} must be a relative path with '/'", "$.datasetReference.byPath.path"
        )
    elif not (report_dir / target / "definition.pbism").is_file():
        yield _problem(
            file, f"byPath {target!r} is not a semantic model folder", "$.datasetReference.byPath.path"
        )


def check_report_structure(report_dir: Path) -> list[Problem]:
    """Every inconsistency between the report's files (see the module's docstring)."""
    try:
        return _check_report_structure(report_dir)
    except UnreadableFileError as error:
        return [_problem(error.path.relative_to(report_dir).as_posix(), f"not valid JSON: {error.__cause__}")]


def _check_report_structure(report_dir: Path) -> list[Problem]:
    pages = read_pages(report_dir)
    problems = list(_check_dataset_reference(report_dir))
    problems.extend(_check_pages_metadata(report_dir, pages))
    for page in pages:
        problems.extend(_check_page(page))
        problems.extend(_check_drillthrough(page))
        problems.extend(_check_interactions(page))
    problems.extend(_check_filter_names(report_dir, pages))
    problems.extend(_check_sync_groups(pages))
    problems.extend(_check_bookmarks(report_dir, pages))
    problems.extend(_check_theme(report_dir))
    return problems
