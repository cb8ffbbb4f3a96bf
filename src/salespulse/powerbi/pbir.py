"""PBIR building blocks: schema URLs, field references, literals and filter definitions.

Everything here returns the plain JSON structures Power BI Desktop writes in a PBIR report
(``semanticQuery`` expressions: ``Column`` / ``Measure`` / ``HierarchyLevel`` over
``SourceRef: {Entity}``, and ``FilterDefinition`` with ``From`` aliases).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salespulse.semantic.measures import MEASURE_TABLE

Json = dict[str, Any]

SCHEMA_BASE = "https://developer.microsoft.com/json-schemas/fabric"
_REPORT = f"{SCHEMA_BASE}/item/report/definition"

# The newest versions in Microsoft's schemas (../shared/powerbi-json-schemas).
SCHEMAS = {
    "pbip": f"{SCHEMA_BASE}/pbip/pbipProperties/1.0.0/schema.json",
    "platform": f"{SCHEMA_BASE}/gitIntegration/platformProperties/2.1.0/schema.json",
    "pbir": f"{SCHEMA_BASE}/item/report/definitionProperties/2.0.0/schema.json",
    "version": f"{_REPORT}/versionMetadata/1.0.0/schema.json",
    "report": f"{_REPORT}/report/3.3.0/schema.json",
    "pages": f"{_REPORT}/pagesMetadata/1.1.0/schema.json",
    "page": f"{_REPORT}/page/2.1.0/schema.json",
    "visual": f"{_REPORT}/visualContainer/2.9.0/schema.json",
    "mobile": f"{_REPORT}/visualContainerMobileState/2.4.0/schema.json",
    "bookmarks": f"{_REPORT}/bookmarksMetadata/1.0.0/schema.json",
    "bookmark": f"{_REPORT}/bookmark/2.1.0/schema.json",
}

# semanticQuery enumerations
AVERAGE = 1  # QueryAggregateFunction
DESCENDING = 2  # QuerySortClause.Direction
GREATER_THAN, GREATER_OR_EQUAL, LESS_THAN = 1, 2, 3  # QueryComparisonKind


def literal(value: bool | int | float | str) -> Json:
    """A ``Literal`` expression: ``true``, ``24L``, ``2.5D``, ``'text'``."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = f"{value}L"
    elif isinstance(value, float):
        text = f"{value:g}D"
    else:
        text = "'" + value.replace("'", "''") + "'"
    return {"Literal": {"Value": text}}


def prop(value: bool | int | float | str) -> Json:
    """A formatting property value (``{"expr": {"Literal": ...}}``)."""
    return {"expr": literal(value)}


@dataclass(frozen=True)
class Ref:
    """A field of the model as a visual, filter or bookmark uses it."""

    entity: str
    name: str  # column, measure or level name
    kind: str  # "column" | "measure" | "level"
    hierarchy: str | None = None
    aggregate: int | None = None  # QueryAggregateFunction over a column
    display: str | None = None  # a visual-scoped display name

    def _field(self, source: Json) -> Json:
        if self.kind == "measure":
            return {"Measure": {"Expression": source, "Property": self.name}}
        if self.kind == "level":
            hierarchy = {"Hierarchy": {"Expression": source, "Hierarchy": self.hierarchy}}
            return {"HierarchyLevel": {"Expression": hierarchy, "Level": self.name}}
        column = {"Column": {"Expression": source, "Property": self.name}}
        if self.aggregate is not None:
            return {"Aggregation": {"Expression": column, "Function": self.aggregate}}
        return column

    def expr(self) -> Json:
        """The field as visuals, filter cards and bookmarks write it (``SourceRef: {Entity}``)."""
        return self._field({"SourceRef": {"Entity": self.entity}})

    def in_query(self, alias: str) -> Json:
        """The field inside a filter or subquery whose ``From`` names the entity ``alias``."""
        return self._field({"SourceRef": {"Source": alias}})

    @property
    def query_ref(self) -> str:
        if self.kind == "level":
            return f"{self.entity}.{self.hierarchy}.{self.name}"
        base = f"{self.entity}.{self.name}"
        return f"Avg({base})" if self.aggregate == AVERAGE else base

    @property
    def native_ref(self) -> str:
        if self.display:
            return self.display
        if self.kind == "level":
            return f"{self.hierarchy} {self.name}"
        return f"Average of {self.name}" if self.aggregate == AVERAGE else self.name

    @property
    def label(self) -> str:
        """How the layout pictures name the field: ``Date[Year]``, ``[Sales]``."""
        if self.kind == "measure":
            return f"[{self.name}]"
        if self.kind == "level":
            return f"{self.entity}[{self.hierarchy} > {self.name}]"
        text = f"{self.entity}[{self.name}]"
        return f"Avg {text}" if self.aggregate == AVERAGE else text


def col(entity: str, name: str, display: str | None = None) -> Ref:
    return Ref(entity, name, "column", display=display)


def msr(name: str, display: str | None = None) -> Ref:
    return Ref(MEASURE_TABLE, name, "measure", display=display)


def avg(ref: Ref) -> Ref:
    return Ref(ref.entity, ref.name, "column", aggregate=AVERAGE, display=ref.display)


def levels(entity: str, hierarchy: str, names: tuple[str, ...]) -> tuple[Ref, ...]:
    return tuple(Ref(entity, name, "level", hierarchy=hierarchy) for name in names)


def _aliases(entities: list[str]) -> dict[str, str]:
    """Desktop's ``From`` aliases: the entity's first letter, numbered when two clash."""
    aliases: dict[str, str] = {}
    for entity in entities:
        if entity in aliases:
            continue
        base = entity[0].lower()
        alias, n = base, 1
        while alias in aliases.values():
            alias, n = f"{base}{n}", n + 1
        aliases[entity] = alias
    return aliases


def _from(aliases: dict[str, str]) -> list[Json]:
    return [{"Name": alias, "Entity": entity, "Type": 0} for entity, alias in aliases.items()]


def in_filter(ref: Ref, values: tuple[bool | int | str, ...]) -> Json:
    """A categorical ``FilterDefinition``: ``ref`` is one of ``values``."""
    aliases = _aliases([ref.entity])
    condition = {
        "In": {
            "Expressions": [ref.in_query(aliases[ref.entity])],
            "Values": [[literal(value)] for value in values],
        }
    }
    return {"Version": 2, "From": _from(aliases), "Where": [{"Condition": condition}]}


def comparison_filter(ref: Ref, kind: int, value: int | float) -> Json:
    """An advanced ``FilterDefinition``: ``ref <kind> value`` (for example a measure below 100 %)."""
    aliases = _aliases([ref.entity])
    condition = {
        "Comparison": {
            "ComparisonKind": kind,
            "Left": ref.in_query(aliases[ref.entity]),
            "Right": literal(value),
        }
    }
    return {"Version": 2, "From": _from(aliases), "Where": [{"Condition": condition}]}


def top_n_filter(ref: Ref, by: Ref, count: int) -> Json:
    """A TopN ``FilterDefinition``: the ``count`` values of ``ref`` with the highest ``by``."""
    aliases = _aliases([ref.entity, by.entity])
    subquery = {
        "Version": 2,
        "From": _from(aliases),
        "Select": [{**ref.in_query(aliases[ref.entity]), "Name": "field"}],
        "OrderBy": [{"Direction": DESCENDING, "Expression": by.in_query(aliases[by.entity])}],
        "Top": count,
    }
    outer = _aliases([ref.entity])
    condition = {
        "In": {
            "Expressions": [ref.in_query(outer[ref.entity])],
            "Table": {"SourceRef": {"Source": "subquery"}},
        }
    }
    return {
        "Version": 2,
        "From": [
            {"Name": "subquery", "Expression": {"Subquery": {"Query": subquery}}, "Type": 2},
            *_from(outer),
        ],
        "Where": [{"Condition": condition}],
    }
