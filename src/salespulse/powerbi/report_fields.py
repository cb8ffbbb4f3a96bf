"""Every model field a PBIR report references, and a check that each one exists in the model.

References are found wherever the report can hold them: visual projections and sorts, visual,
page and report filters (including TopN subqueries, whose ``From`` aliases are resolved), slicers,
drill-through bindings, conditional formatting and bookmarks. A field is a ``Column`` or
``Measure`` of an entity, or a ``HierarchyLevel`` of an entity's hierarchy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salespulse.errors import Problem
from salespulse.powerbi.problems import JsonProblem
from salespulse.semantic.measures import MEASURE_TABLE

COLUMN, MEASURE, LEVEL, HIERARCHY = "column", "measure", "hierarchy_level", "hierarchy"
_KINDS = {"Column": COLUMN, "Measure": MEASURE, "HierarchyLevel": LEVEL, "Hierarchy": HIERARCHY}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class FieldRef:
    """One reference to a model field, and where it is."""

    entity: str
    property: str  # column, measure or hierarchy name; the level name for a hierarchy level
    kind: str  # "column" | "measure" | "hierarchy_level" | "hierarchy"
    file: str  # relative to the report folder
    json_path: str
    hierarchy: str | None = None  # for a hierarchy level

    @property
    def label(self) -> str:
        if self.kind == MEASURE:
            return f"[{self.property}]"
        if self.kind == LEVEL:
            return f"{self.entity}[{self.hierarchy} > {self.property}]"
        return f"{self.entity}[{self.property}]"


@dataclass(frozen=True)
class ModelFields:
    """What a report may reference: visible and hidden columns, measures, hierarchies."""

    tables: dict[str, set[str]]
    measures: set[str]
    hierarchies: dict[str, dict[str, list[str]]]
    hidden: dict[str, set[str]]


def semantic_model_fields() -> ModelFields:
    """The fields of the model described by ``salespulse.semantic`` (model.yml + measures.yml)."""
    from salespulse.semantic import load_measures, load_model

    model = load_model()
    return ModelFields(
        tables={table.name: {column.name for column in table.columns} for table in model.tables},
        measures={measure.name for measure in load_measures()},
        hierarchies={
            table.name: {hierarchy.name: list(hierarchy.levels) for hierarchy in table.hierarchies}
            for table in model.tables
        },
        hidden={
            table.name: {column.name for column in table.columns if column.hidden} for table in model.tables
        },
    )


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{key!r}]"


def _entity(expression: Any, aliases: Mapping[str, str]) -> str | None:
    """The entity a ``SourceRef`` names, directly or through a query alias."""
    if not isinstance(expression, dict):
        return None
    source = expression.get("SourceRef")
    if not isinstance(source, dict):
        return None
    if "Entity" in source:
        return str(source["Entity"])
    alias = source.get("Source")
    return aliases.get(alias, f"<unknown alias {alias!r}>") if alias is not None else None


def _field(
    key: str, body: dict[str, Any], aliases: Mapping[str, str], file: str, path: str
) -> FieldRef | None:
    kind = _KINDS[key]
    if kind == LEVEL:
        hierarchy = body.get("Expression", {}).get("Hierarchy")
        if not isinstance(hierarchy, dict):
            return None
        entity = _entity(hierarchy.get("Expression"), aliases)
        if entity is None:
            return None
        return FieldRef(entity, str(body.get("Level")), kind, file, path, str(hierarchy.get("Hierarchy")))
    entity = _entity(body.get("Expression"), aliases)
    if entity is None:
        return None
    name = body.get("Hierarchy") if kind == HIERARCHY else body.get("Property")
    return FieldRef(entity, str(name), kind, file, path)


def _walk(node: Any, path: str, aliases: Mapping[str, str], file: str) -> Iterator[FieldRef]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, _child(path, index), aliases, file)
        return
    if not isinstance(node, dict):
        return
    sources = node.get("From")
    if isinstance(sources, list):  # a query or filter definition opens a scope of aliases
        aliases = {
            **aliases,
            **{
                str(source["Name"]): str(source["Entity"])
                for source in sources
                if isinstance(source, dict) and "Name" in source and "Entity" in source
            },
        }
    for key, value in node.items():
        if key in _KINDS and isinstance(value, dict):
            ref = _field(key, value, aliases, file, path)
            if ref is not None:
                yield ref
                continue
        yield from _walk(value, _child(path, key), aliases, file)


def document_field_refs(document: Any, file: str) -> list[FieldRef]:
    """Every field referenced anywhere in one parsed PBIR document."""
    return list(_walk(document, "$", {}, file))


def report_field_refs(report_dir: Path) -> list[FieldRef]:
    """Every field the report's definition (report, pages, visuals, bookmarks) references."""
    refs: list[FieldRef] = []
    for path in sorted((report_dir / "definition").rglob("*.json")):
        file = path.relative_to(report_dir).as_posix()
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue  # not JSON: the schema check reports it
        refs.extend(document_field_refs(document, file))
    return refs


def _missing(ref: FieldRef, model: ModelFields, measures_table: str) -> str | None:
    """What is wrong with one reference, or None."""
    tables, measures, hierarchies, hidden = model.tables, model.measures, model.hierarchies, model.hidden
    if ref.kind == MEASURE:
        if ref.entity != measures_table:
            if ref.entity not in tables:
                return f"table '{ref.entity}' does not exist in the model"
            return (
                f"measure '{ref.entity}'[{ref.property}] does not exist: measures live in '{measures_table}'"
            )
        if ref.property not in measures:
            return f"measure [{ref.property}] does not exist in '{measures_table}'"
        return None
    if ref.entity not in tables and ref.entity != measures_table:
        return f"table '{ref.entity}' does not exist in the model"
    if ref.kind == COLUMN:
        if ref.property not in tables.get(ref.entity, set()):
            hint = " (it is a measure)" if ref.entity == measures_table and ref.property in measures else ""
            return f"column '{ref.entity}'[{ref.property}] does not exist{hint}"
        if ref.property in hidden.get(ref.entity, set()):
            return f"column '{ref.entity}'[{ref.property}] is hidden: visuals must not show hidden columns"
        return None
    table_hierarchies = hierarchies.get(ref.entity, {})
    name = ref.hierarchy if ref.kind == LEVEL else ref.property
    if name not in table_hierarchies:
        return f"hierarchy '{ref.entity}'[{name}] does not exist"
    if ref.kind == LEVEL and ref.property not in table_hierarchies[name]:
        return f"level {ref.property!r} does not exist in hierarchy '{ref.entity}'[{name}]"
    return None


def check_report_fields(
    report_dir: Path, model: ModelFields, *, measures_table: str = MEASURE_TABLE
) -> list[Problem]:
    """Every reference to a table, column, measure, hierarchy or level the model lacks, and every
    reference to a hidden column; measures live in ``measures_table``."""
    problems: list[Problem] = []
    for ref in report_field_refs(report_dir):
        message = _missing(ref, model, measures_table)
        if message is not None:
            problems.append(JsonProblem(file=ref.file, message=message, json_path=ref.json_path))
    return problems
