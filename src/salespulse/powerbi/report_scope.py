"""Which tables a visual reads, and which slicers can act on it, from the model's relationships.

A slicer on table S filters table T when S is T or a chain of active relationships carries the
filter from S to T: from a relationship's one side (``to``) to its many side (``from``), and back
too when the relationship filters both ways. A visual reads the tables of its columns and
hierarchy levels and, for each measure, the tables its DAX names (following the measures it calls).
The generator places only the slicers that act on a page's visuals; the report check refuses a
slicer that acts on none of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_QUOTED_TABLE = re.compile(r"'((?:[^']|'')+)'")
_BARE_TABLE = re.compile(r"(?<!['\w\[])([A-Za-z_][A-Za-z0-9_]*)(?![\w'\]])")
_BRACKETED = re.compile(r"\[([^\]]+)\]")


@dataclass(frozen=True)
class Edge:
    """An active relationship: ``one`` filters ``many`` (and back when ``both``)."""

    many: str
    one: str
    both: bool = False


def reach(edges: Iterable[Edge]) -> dict[str, set[str]]:
    """Table -> every table its filters reach (itself included)."""
    step: dict[str, set[str]] = {}
    for edge in edges:
        step.setdefault(edge.one, set()).add(edge.many)
        if edge.both:
            step.setdefault(edge.many, set()).add(edge.one)
    tables = set(step) | {table for targets in step.values() for table in targets}
    reached: dict[str, set[str]] = {}
    for table in tables:
        seen, todo = {table}, [table]
        while todo:
            for target in step.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        reached[table] = seen
    return reached


def measure_tables(expressions: Mapping[str, str], tables: Iterable[str]) -> dict[str, set[str]]:
    """Measure -> the model tables its DAX names, directly or through the measures it calls."""
    known = set(tables)
    direct: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for name, expression in expressions.items():
        text = re.sub(r'"(?:[^"]|"")*"', '""', expression)  # not inside string literals
        named = {match.replace("''", "'") for match in _QUOTED_TABLE.findall(text)}
        named |= set(_BARE_TABLE.findall(_BRACKETED.sub("", _QUOTED_TABLE.sub("", text))))
        direct[name] = named & known
        calls[name] = {match for match in _BRACKETED.findall(text) if match in expressions and match != name}
    resolved: dict[str, set[str]] = {}

    def tables_of(name: str, stack: frozenset[str]) -> set[str]:
        if name in resolved:
            return resolved[name]
        found = set(direct.get(name, set()))
        for called in calls.get(name, set()) - stack:
            found |= tables_of(called, stack | {name})
        resolved[name] = found
        return found

    for name in expressions:
        tables_of(name, frozenset({name}))
    return resolved


def acts_on(slicer_table: str, read: Iterable[str], reached: Mapping[str, set[str]]) -> bool:
    """Whether a slicer on ``slicer_table`` filters any of the tables ``read``."""
    targets = reached.get(slicer_table, {slicer_table})
    return any(table in targets for table in read)


def semantic_scope() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(table -> tables it filters, measure -> tables it reads) of the semantic layer's model."""
    from salespulse.semantic import load_measures, load_model
    from salespulse.semantic.measures import dax

    model = load_model()
    edges = [Edge(rel.from_table, rel.to_table) for rel in model.relationships]
    measures = load_measures()
    expressions = {measure.name: dax(measure, model) for measure in measures}
    return reach(edges), measure_tables(expressions, [table.name for table in model.tables])
