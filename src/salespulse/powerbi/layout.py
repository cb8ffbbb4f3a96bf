"""Pictures of the report's page layouts, drawn from the PBIR positions, for review without Power BI.

One SVG per page (``<page-display-name-slug>.svg``: every visual's box, title, type and fields) and
a README.md index, written to docs/powerbi/. Plain SVG text, readable on GitHub.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from salespulse.powerbi.report_fields import LEVEL, FieldRef, document_field_refs
from salespulse.powerbi.report_reader import PageFile, VisualFile, filter_restatements, read_json, read_pages

CAPTION_HEIGHT = 40
FONT = "Segoe UI, Helvetica, Arial, sans-serif"
_CHAR_WIDTH = 0.56  # average glyph width as a share of the font size
_FILLS = {
    "slicer": "#DEECF9",
    "card": "#E7F3EA",
    "tableEx": "#FFF4CE",
    "pivotTable": "#FFF4CE",
    "map": "#ECE9F7",
    "textbox": "#FFFFFF",
    "actionButton": "#FFFFFF",
}
README = "README.md"


def page_slug(display_name: str) -> str:
    """``Sales Overview`` -> ``sales-overview``."""
    return re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-")


def _fit(text: str, width: float, size: float) -> str:
    limit = max(int(width / (size * _CHAR_WIDTH)), 1)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def _labels(refs: list[FieldRef]) -> list[str]:
    """Field labels, with the levels of one hierarchy folded into ``Table[Hierarchy: A > B]``."""
    labels: list[str] = []
    previous: FieldRef | None = None
    for ref in refs:
        same_hierarchy = previous is not None and (previous.kind, previous.entity, previous.hierarchy) == (
            LEVEL,
            ref.entity,
            ref.hierarchy,
        )
        if ref.kind == LEVEL and same_hierarchy:
            labels[-1] = labels[-1][:-1] + f" > {ref.property}]"
            previous = ref
            continue
        labels.append(f"{ref.entity}[{ref.hierarchy}: {ref.property}]" if ref.kind == LEVEL else ref.label)
        previous = ref
    return labels


def _wrap(head: str, items: list[str], width: float, size: float) -> list[str]:
    """``head`` and the comma-separated ``items`` over as many lines as the width needs."""
    limit = max(int(width / (size * _CHAR_WIDTH)), 1)
    lines = [head]
    for index, item in enumerate(items):
        text = item + ("," if index < len(items) - 1 else "")
        if len(lines[-1]) + 1 + len(text) > limit and lines[-1].strip():
            lines.append("  " + text)
        else:
            lines[-1] += " " + text
    return lines


def _role_lines(visual: VisualFile, width: float) -> list[str]:
    query_state = visual.config.get("query", {}).get("queryState", {})
    lines = []
    for role, state in query_state.items():
        refs = document_field_refs(state, visual.relative)
        if refs:
            lines += _wrap(f"{role}:", _labels(refs), width, 10)
    for key, head in (("title", "Title"), ("subTitle", "Subtitle")):  # bound to a measure
        for item in visual.config.get("visualContainerObjects", {}).get(key, []):
            refs = document_field_refs(item.get("properties", {}).get("text", {}), visual.relative)
            if refs:
                lines.append(f"{head}: {refs[0].label}")
    for item in visual.document.get("filterConfig", {}).get("filters", []):
        refs = document_field_refs(item.get("field", {}), visual.relative)
        if refs:
            lines.append(f"Filter ({item.get('type', '?')}): {refs[0].label}")
    return lines


def _type_line(visual: VisualFile) -> str:
    text = visual.visual_type
    if visual.visual_type == "slicer":
        for item in visual.config.get("objects", {}).get("data", []):
            mode = item.get("properties", {}).get("mode", {}).get("expr", {}).get("Literal", {}).get("Value")
            if mode:
                text += f" · {mode.strip(chr(39))}"
        if visual.sync_group:
            text += " · synced"
    return text


def _box(visual: VisualFile) -> list[str]:
    position = visual.position
    if position is None:
        return []
    x, y, w, h = position.x, position.y, position.width, position.height
    fill = _FILLS.get(visual.visual_type, "#FFFFFF")
    dash = ' stroke-dasharray="4 3"' if visual.visual_type in ("textbox", "actionButton") else ""
    parts = [
        f'<g id="{escape(visual.name)}">',
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="{fill}" stroke="#605E5C"{dash}/>',
    ]
    if w < 80:  # a button: its label only
        lines = [(visual.title, 10, ' font-weight="bold" fill="#201F1E"')]
    else:
        lines = [
            (visual.title, 13, ' font-weight="bold" fill="#201F1E"'),
            (_type_line(visual), 10, ' fill="#605E5C"'),
        ]
        lines += [(line, 10, ' fill="#323130"') for line in _role_lines(visual, w - 12)]
    baseline = y + 17
    for index, (text, size, style) in enumerate(lines):
        if baseline > y + h - 4:
            break
        remaining = len(lines) - index
        if remaining > 1 and baseline + 14 > y + h - 4:
            text, size, style = f"+{remaining} more", 10, ' fill="#605E5C"'
        shown = escape(_fit(text, w - 12, size))
        parts.append(f'<text x="{x + 6}" y="{baseline}" font-size="{size}"{style}>{shown}</text>')
        baseline += 17 if index == 0 else 14
    parts.append("</g>")
    return parts


def _page_notes(page: PageFile) -> list[str]:
    notes = []
    binding = page.document.get("pageBinding")
    if page.document.get("type") == "Drillthrough" and isinstance(binding, dict):
        for parameter in binding.get("parameters", []):
            for ref in document_field_refs(parameter.get("fieldExpr", {}), page.relative):
                notes.append(f"drill-through target on {ref.label}")
    if page.document.get("visibility") == "HiddenInViewMode":
        notes.append("hidden in view mode")
    for item in page.document.get("filterConfig", {}).get("filters", []):
        if item.get("howCreated") != "Drillthrough":
            for ref in document_field_refs(item.get("field", {}), page.relative):
                notes.append(f"page filter card {ref.label}")
    ignored: dict[str, list[str]] = {}  # source visual -> the visuals its selection does not filter
    for item in page.document.get("visualInteractions", []):
        if isinstance(item, dict) and item.get("type") == "NoFilter":
            ignored.setdefault(str(item.get("source")), []).append(str(item.get("target")))
    for source, targets in ignored.items():
        notes.append(f"{source} does not filter {', '.join(targets)}")
    return notes


def render_page_svg(page: PageFile) -> str:
    width, height = int(page.width), int(page.height)
    caption = " · ".join([f"{page.display_name} ({width} x {height})", *_page_notes(page)])
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + CAPTION_HEIGHT}" '
        f'viewBox="0 0 {width} {height + CAPTION_HEIGHT}" font-family="{FONT}">',
        f"<title>{escape(page.display_name)}: layout of the Power BI report page</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#F3F2F1" stroke="#8A8886"/>',
    ]
    for visual in page.visuals:
        lines.extend(_box(visual))
    shown = escape(_fit(caption, width - 16, 14))
    lines.append(f'<text x="8" y="{height + 26}" font-size="14" fill="#323130">{shown}</text>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def _bookmark_rows(report_dir: Path, pages: list[PageFile]) -> list[str]:
    folder = report_dir / "definition" / "bookmarks"
    metadata = folder / "bookmarks.json"
    if not metadata.exists():
        return []
    names = {page.name: page.display_name for page in pages}
    rows = []
    for item in read_json(metadata).get("items", []):
        for name in item.get("children", [item.get("name")]):
            path = folder / f"{name}.bookmark.json"
            if not path.exists():
                continue
            bookmark = read_json(path)
            state = bookmark.get("explorationState", {})
            page = names.get(state.get("activeSection"), state.get("activeSection"))
            filters = "; ".join(filter_restatements(state)) or "no filter (clears the saved periods)"
            rows.append(f"| {bookmark.get('displayName')} | {page} | {filters} |")
    return rows


def render_index(report_dir: Path, pages: list[PageFile]) -> str:
    lines = [
        "# Power BI report: page layouts",
        "",
        f"Every page of `powerbi/{report_dir.name}/`, drawn from the positions in its PBIR files: each box",
        "is a visual with its title, type and fields. Generated with the report; do not edit by hand",
        "(`salespulse powerbi write` rewrites the report and these pictures).",
        "",
        "| Page | Visuals | Notes |",
        "|---|---|---|",
    ]
    for page in pages:
        notes = "; ".join(_page_notes(page))
        lines.append(
            f"| [{page.display_name}](#{page_slug(page.display_name)}) | {len(page.visuals)} | {notes} |"
        )
    for page in pages:
        lines += [
            "",
            f"## {page.display_name}",
            "",
            f"![{page.display_name}]({page_slug(page.display_name)}.svg)",
        ]
    bookmarks = _bookmark_rows(report_dir, pages)
    if bookmarks:
        lines += ["", "## Bookmarks", "", "| Bookmark | Page | Sets |", "|---|---|---|", *bookmarks]
    return "\n".join(lines) + "\n"


def render_layout_pictures(report_dir: Path) -> dict[str, str]:
    """File name -> text: one SVG per page and the README.md index."""
    pages = read_pages(report_dir)
    rendered = {f"{page_slug(page.display_name)}.svg": render_page_svg(page) for page in pages}
    rendered[README] = render_index(report_dir, pages)
    return rendered
