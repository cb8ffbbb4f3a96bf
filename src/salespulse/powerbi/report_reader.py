"""Read a PBIR report folder back: pages in tab order, their visuals with positions and fields."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salespulse.powerbi.report_fields import FieldRef, document_field_refs
from salespulse.powerbi.visuals import Position

Json = dict[str, Any]
_COMPARISONS = {0: "=", 1: ">", 2: ">=", 3: "<", 4: "<="}


class UnreadableFileError(ValueError):
    """A report file that is not JSON (the schema check reports it with its line)."""

    def __init__(self, path: Path, error: Exception) -> None:
        self.path = path
        super().__init__(f"{path}: not valid JSON: {error}")


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableFileError(path, error) from error


def _literal_text(value: Any) -> str | None:
    """The text of a ``{"expr": {"Literal": {"Value": "'text'"}}}`` formatting value."""
    try:
        text = value["expr"]["Literal"]["Value"]
    except (KeyError, TypeError):
        return None
    if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return None


@dataclass(frozen=True)
class VisualFile:
    relative: str  # relative to the report folder
    document: Json

    @property
    def name(self) -> str:
        return str(self.document.get("name", ""))

    @property
    def config(self) -> Json:
        visual = self.document.get("visual")
        return visual if isinstance(visual, dict) else {}

    @property
    def visual_type(self) -> str:
        if "visualGroup" in self.document:
            return "group"
        return str(self.config.get("visualType", "?"))

    @property
    def position(self) -> Position | None:
        position = self.document.get("position")
        try:
            return Position(position["x"], position["y"], position["width"], position["height"])
        except (KeyError, TypeError):
            return None

    @property
    def fields(self) -> list[FieldRef]:
        """The fields the visual shows: its query in role order, then the bounds of its error bands."""
        query = self.config.get("query", {})
        objects = self.config.get("objects", {})
        return document_field_refs(
            query.get("queryState", {}) if isinstance(query, dict) else {}, self.relative
        ) + document_field_refs(objects.get("error", []) if isinstance(objects, dict) else [], self.relative)

    @property
    def sync_group(self) -> str | None:
        group = self.config.get("syncGroup")
        return str(group.get("groupName")) if isinstance(group, dict) else None

    @property
    def title(self) -> str:
        """The visual's title, else its heading text, slicer field or type."""
        for item in self.config.get("visualContainerObjects", {}).get("title", []):
            text = _literal_text(item.get("properties", {}).get("text"))
            if text:
                return text
        if self.visual_type == "textbox":
            for item in self.config.get("objects", {}).get("general", []):
                for paragraph in item.get("properties", {}).get("paragraphs", []):
                    runs = "".join(run.get("value", "") for run in paragraph.get("textRuns", []))
                    if runs:
                        return runs
        for role in self.config.get("query", {}).get("queryState", {}).values():
            for projection in role.get("projections", []):
                return str(projection.get("displayName") or projection.get("nativeQueryRef") or "")
        if self.visual_type == "actionButton":
            for item in self.config.get("visualContainerObjects", {}).get("visualLink", []):
                text = _literal_text(item.get("properties", {}).get("type"))
                if text:
                    return text
        return self.visual_type


@dataclass(frozen=True)
class PageFile:
    folder: str  # the page's folder name
    relative: str  # page.json, relative to the report folder
    document: Json
    visuals: tuple[VisualFile, ...]

    @property
    def name(self) -> str:
        return str(self.document.get("name", ""))

    @property
    def display_name(self) -> str:
        return str(self.document.get("displayName", self.name))

    @property
    def width(self) -> float:
        return float(self.document.get("width", 1280))

    @property
    def height(self) -> float:
        return float(self.document.get("height", 720))


def read_pages(report_dir: Path) -> list[PageFile]:
    """The pages in ``pages.json`` order (pages it does not list follow, by display name)."""
    pages_dir = report_dir / "definition" / "pages"
    pages: list[PageFile] = []
    for page_json in sorted(pages_dir.glob("*/page.json")):
        visuals = tuple(
            VisualFile(path.relative_to(report_dir).as_posix(), read_json(path))
            for path in sorted(page_json.parent.glob("visuals/*/visual.json"))
        )
        visuals = tuple(sorted(visuals, key=lambda v: (v.document.get("position", {}).get("z", 0), v.name)))
        pages.append(
            PageFile(
                page_json.parent.name,
                page_json.relative_to(report_dir).as_posix(),
                read_json(page_json),
                visuals,
            )
        )
    order: list[str] = []
    metadata = pages_dir / "pages.json"
    if metadata.exists():
        order = [str(name) for name in read_json(metadata).get("pageOrder", [])]
    rank = {name: index for index, name in enumerate(order)}
    return sorted(pages, key=lambda page: (rank.get(page.name, len(rank)), page.display_name))


def _value(literal: Any) -> str:
    value = str(literal.get("Literal", {}).get("Value", "?")) if isinstance(literal, dict) else "?"
    if value.endswith(("L", "D")) and value[:-1].lstrip("-").replace(".", "", 1).isdigit():
        return value[:-1]
    return value


def _restatement(state: dict[str, Any]) -> str | None:
    """``Date[Is Budget Year] = true`` for a bookmark filter state that sets a value."""
    filter_ = state.get("filter")
    if not isinstance(filter_, dict):
        return None
    parts = []
    for where in filter_.get("Where", []):
        condition = where.get("Condition", {})
        scoped = {"From": filter_.get("From", []), "Where": [where]}  # resolves the From aliases
        labels = [ref.label for ref in document_field_refs(scoped, "")]
        if "In" in condition:
            values = ", ".join(_value(row[0]) for row in condition["In"].get("Values", []) if row)
            parts.append(f"{labels[0]} = {values}" if labels else values)
        elif "Comparison" in condition:
            comparison = condition["Comparison"]
            operator = _COMPARISONS.get(comparison.get("ComparisonKind"), "?")
            parts.append(f"{labels[0] if labels else '?'} {operator} {_value(comparison.get('Right'))}")
    return " and ".join(parts) or None


def filter_restatements(state: Any) -> list[str]:
    """Every filter value set anywhere in ``state`` (a bookmark's exploration state, say)."""
    found: list[str] = []
    if isinstance(state, dict):
        text = _restatement(state) if "filter" in state else None
        if text:
            found.append(text)
        for value in state.values():
            found.extend(filter_restatements(value))
    elif isinstance(state, list):
        for item in state:
            found.extend(filter_restatements(item))
    return found
