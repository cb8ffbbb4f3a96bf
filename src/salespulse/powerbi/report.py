"""Render the Power BI report (PBIR) and its project file, as Power BI Desktop saves a PBIP.

``render_report()`` gives every file (path relative to ``powerbi/`` -> text); ``write_report()``
writes them and removes report files that are no longer rendered. Same input, same bytes: names
come from the page and visual specs in ``report_pages``, ids from fixed UUID namespaces.

Regenerate with ``salespulse powerbi write`` (``project.write_all``: also redraws docs/powerbi/).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from salespulse.powerbi import PROJECT_NAME
from salespulse.powerbi.files import sync_files
from salespulse.powerbi.pbir import SCHEMAS, Json
from salespulse.powerbi.report_bookmarks import (
    bookmark_specs,
    filter_card,
    render_bookmark,
    render_bookmarks_metadata,
    report_filter_cards,
)
from salespulse.powerbi.report_pages import TOOLTIP_PAGE, Page, pages
from salespulse.settings import PROJECT_ROOT

REPORT_FOLDER = f"{PROJECT_NAME}.Report"
SEMANTIC_MODEL_FOLDER = f"{PROJECT_NAME}.SemanticModel"
POWERBI_DIR = PROJECT_ROOT / "powerbi"
DOCS_DIR = PROJECT_ROOT / "docs" / "powerbi"

# The base theme is one of the monthly themes Power BI ships (SharedResources): the report names
# it, Desktop supplies it. Its JSON is Microsoft's and is not committed (see powerbi/README.md).
BASE_THEME = "CY24SU10"
BASE_THEME_PATH = f"BaseThemes/{BASE_THEME}.json"
# Our theme is the custom theme on top of it (RegisteredResources), as View > Themes > Browse
# for themes registers one; it must validate against Microsoft's report theme schema.
CUSTOM_THEME = PROJECT_NAME
CUSTOM_THEME_FILE = f"{CUSTOM_THEME}.json"
THEME_SCHEMA_FILE = "reportThemeSchema-2.152.json"  # in the schema folder's report-theme/
# Versions Desktop records when a theme is imported (its own, not the schema versions).
THEME_VERSION_AT_IMPORT = {"visual": "2.9.0", "report": "3.3.0", "page": "2.3.1"}
PBIR_VERSION = "4.0"  # definition.pbir format with a definition/ folder (PBIR)
REPORT_DEFINITION_VERSION = "2.0.0"
LOGICAL_ID = uuid.uuid5(uuid.NAMESPACE_URL, f"salespulse/powerbi/{REPORT_FOLDER}")

GITIGNORE = "**/.pbi/localSettings.json\n**/.pbi/cache.abf\n"


def dumps(document: Json) -> str:
    """JSON the way the project commits it: 2-space indent, non-ASCII kept, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _theme() -> Json:
    """The custom theme: the report's colours and fonts, over the base theme."""
    return {
        "name": CUSTOM_THEME,
        "dataColors": [
            "#1F4E79",
            "#2E86AB",
            "#F18F01",
            "#C73E1D",
            "#3B8B5A",
            "#8E5572",
            "#6C757D",
            "#E9C46A",
        ],
        "foreground": "#1B1B1B",
        "background": "#FFFFFF",
        "tableAccent": "#1F4E79",
        "good": "#3B8B5A",
        "neutral": "#E9C46A",
        "bad": "#C73E1D",
        "textClasses": {
            "title": {"fontFace": "Segoe UI Semibold", "fontSize": 12, "color": "#1B1B1B"},
            "label": {"fontFace": "Segoe UI", "fontSize": 10, "color": "#3A3A3A"},
        },
    }


def _report() -> Json:
    return {
        "$schema": SCHEMAS["report"],
        "themeCollection": {
            "baseTheme": {
                "name": BASE_THEME,
                "reportVersionAtImport": THEME_VERSION_AT_IMPORT,
                "type": "SharedResources",
            },
            "customTheme": {
                "name": CUSTOM_THEME_FILE,
                "reportVersionAtImport": THEME_VERSION_AT_IMPORT,
                "type": "RegisteredResources",
            },
        },
        "filterConfig": {"filters": report_filter_cards()},
        "objects": {
            "section": [{"properties": {"verticalAlignment": {"expr": {"Literal": {"Value": "'Top'"}}}}}]
        },
        "resourcePackages": [
            {
                "name": "SharedResources",
                "type": "SharedResources",
                "items": [{"name": BASE_THEME, "path": BASE_THEME_PATH, "type": "BaseTheme"}],
            },
            {
                "name": "RegisteredResources",
                "type": "RegisteredResources",
                "items": [{"name": CUSTOM_THEME_FILE, "path": CUSTOM_THEME_FILE, "type": "CustomTheme"}],
            },
        ],
        "settings": {
            "useStylableVisualContainerHeader": True,
            "exportDataMode": "AllowSummarized",
            "defaultDrillFilterOtherVisuals": True,
            "allowChangeFilterTypes": True,
            "useEnhancedTooltips": True,
            "useDefaultAggregateDisplayName": True,
        },
    }


def _page(page: Page) -> Json:
    width, height = page.size
    document: Json = {
        "$schema": SCHEMAS["page"],
        "name": page.name,
        "displayName": page.display_name,
        "displayOption": "FitToPage",
        "height": height,
        "width": width,
    }
    if page.kind == TOOLTIP_PAGE:
        document["type"] = TOOLTIP_PAGE
        document["visibility"] = "HiddenInViewMode"
    if page.no_filter:
        document["visualInteractions"] = [
            {"source": source, "target": target, "type": "NoFilter"} for source, target in page.no_filter
        ]
    cards = [filter_card(name, ref) for name, ref in page.filters]
    if page.drillthrough is not None:
        bound = page.drillthrough
        cards.append(
            {**filter_card(page.drillthrough_filter, bound, hidden=False), "howCreated": "Drillthrough"}
        )
        document["filterConfig"] = {"filters": cards}
        document["pageBinding"] = {
            "name": f"{page.name}_binding",
            "type": "Drillthrough",
            "parameters": [
                {
                    "name": f"Param_{page.drillthrough_filter}",
                    "boundFilter": page.drillthrough_filter,
                    "fieldExpr": bound.expr(),
                }
            ],
        }
        document["type"] = "Drillthrough"
        document["visibility"] = "HiddenInViewMode"
    elif cards:
        document["filterConfig"] = {"filters": cards}
    return document


def _documents() -> dict[str, Json]:
    report = f"{REPORT_FOLDER}/definition"
    documents: dict[str, Json] = {
        f"{PROJECT_NAME}.pbip": {
            "$schema": SCHEMAS["pbip"],
            "version": "1.0",
            "artifacts": [{"report": {"path": REPORT_FOLDER}}],
            "settings": {"enableAutoRecovery": True},
        },
        f"{REPORT_FOLDER}/.platform": {
            "$schema": SCHEMAS["platform"],
            "metadata": {"type": "Report", "displayName": PROJECT_NAME},
            "config": {"version": "2.0", "logicalId": str(LOGICAL_ID)},
        },
        f"{REPORT_FOLDER}/definition.pbir": {
            "$schema": SCHEMAS["pbir"],
            "version": PBIR_VERSION,
            "datasetReference": {"byPath": {"path": f"../{SEMANTIC_MODEL_FOLDER}"}},
        },
        f"{report}/version.json": {"$schema": SCHEMAS["version"], "version": REPORT_DEFINITION_VERSION},
        f"{report}/report.json": _report(),
    }
    report_pages = pages()
    documents[f"{report}/pages/pages.json"] = {
        "$schema": SCHEMAS["pages"],
        "pageOrder": [page.name for page in report_pages],
        "activePageName": report_pages[0].name,
    }
    for page in report_pages:
        folder = f"{report}/pages/{page.name}"
        documents[f"{folder}/page.json"] = _page(page)
        for order, (visual, position) in enumerate(page.placed()):
            documents[f"{folder}/visuals/{visual.name}/visual.json"] = visual.container(position, order)
        for order, (visual, position) in enumerate(page.mobile()):
            documents[f"{folder}/visuals/{visual.name}/mobile.json"] = visual.mobile(position, order)
    by_name = {page.name: page for page in report_pages}
    specs = bookmark_specs()
    documents[f"{report}/bookmarks/bookmarks.json"] = render_bookmarks_metadata(specs)
    for spec in specs:
        documents[f"{report}/bookmarks/{spec.name}.bookmark.json"] = render_bookmark(spec, by_name[spec.page])
    documents[f"{REPORT_FOLDER}/StaticResources/RegisteredResources/{CUSTOM_THEME_FILE}"] = _theme()
    return documents


def render_report() -> dict[Path, str]:
    """Every file of the report, the project file and .gitignore: path relative to powerbi/ -> text."""
    rendered = {Path(path): dumps(document) for path, document in _documents().items()}
    rendered[Path(".gitignore")] = GITIGNORE
    return rendered


def write_report(out_dir: Path) -> list[Path]:
    """Write the report into ``out_dir`` (the powerbi/ folder); drop report files no longer rendered."""
    files = {out_dir / relative: text for relative, text in render_report().items()}
    sync_files(files, [out_dir / REPORT_FOLDER])
    return sorted(files)
