"""The mapping file (``mapping.yml``): which export files feed which contract entity, and how.

The file is checked completely before any export is read, and every problem names the mapping
file and the key that is wrong (``entities.order_lines.columns.order_date.format``), so a typo
never turns into a silently empty column. The format is described in
``docs/bring-your-own-data.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from salespulse.contract import ENTITY_BY_NAME, Entity
from salespulse.errors import Problem

#: Date formats with a name; anything else containing ``%`` is a ``strptime`` pattern.
NAMED_DATE_FORMATS = ("iso", "yyyymmdd")

_COLUMN_KEYS = {"column", "columns", "join", "value", "format", "map", "lookup", "default"}
_ENTITY_KEYS = {"file", "columns", "line_numbers", "csv"}
_CSV_KEYS = {"delimiter", "encoding", "decimal"}
_TOP_KEYS = {"entities", "budgets", "csv"}


@dataclass(frozen=True)
class LookupStep:
    """Translate a value through a two-column table of a file (e.g. city -> country code)."""

    file: str
    key: str
    value: str


@dataclass(frozen=True)
class ColumnSpec:
    """Where one contract column's values come from: source column(s) or a constant, then rules."""

    target: str
    sources: tuple[str, ...] = ()
    join: str = " "
    constant: str | None = None
    format: str | None = None
    value_map: dict[str, str] = field(default_factory=dict)
    lookup: tuple[LookupStep, ...] = ()
    default: str | None = None

    @property
    def described(self) -> str:
        if self.constant is not None:
            return f"the constant {self.constant!r}"
        return " + ".join(self.sources)


@dataclass(frozen=True)
class CsvOptions:
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    decimal: str = "."


@dataclass(frozen=True)
class EntitySpec:
    entity: Entity
    files: tuple[str, ...]
    columns: dict[str, ColumnSpec]
    csv: CsvOptions
    #: Order lines without line numbers: the contract columns their lines are numbered by.
    line_sort: tuple[str, ...] = ("sku",)


@dataclass(frozen=True)
class BudgetCopy:
    """A budget workbook copied into the delivery unchanged (optionally under another name)."""

    pattern: str
    rename_to: str | None = None


@dataclass(frozen=True)
class Mapping:
    path: Path
    entities: dict[str, EntitySpec]
    budgets: tuple[BudgetCopy, ...]
    #: CSV options of the whole mapping (lookup files are read with them).
    csv: CsvOptions = CsvOptions()


class _Checker:
    """Collects problems about the mapping file, each naming the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.path.name, f"{where}: {message}"))

    def unknown_keys(self, where: str, given: dict[str, Any], allowed: set[str]) -> None:
        for key in given:
            if key not in allowed:
                self.fail(f"{where}.{key}", f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _text(value: Any) -> str:
    """A YAML scalar as the text a CSV cell would hold (dates as ISO, numbers as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _csv_options(check: _Checker, where: str, raw: Any, base: CsvOptions) -> CsvOptions:
    if raw is None:
        return base
    if not isinstance(raw, dict):
        check.fail(where, "must be a mapping (delimiter, encoding, decimal)")
        return base
    check.unknown_keys(where, raw, _CSV_KEYS)
    options = {**base.__dict__, **{k: v for k, v in raw.items() if k in _CSV_KEYS}}
    for key in _CSV_KEYS:
        if not isinstance(options[key], str) or not options[key]:
            check.fail(f"{where}.{key}", "must be a non-empty text")
    if options["decimal"] not in (".", ","):
        check.fail(f"{where}.decimal", "must be '.' or ','")
    if len(options["delimiter"]) != 1:
        check.fail(f"{where}.delimiter", "must be one character")
    return CsvOptions(**options)


def _lookup(check: _Checker, where: str, raw: Any) -> tuple[LookupStep, ...]:
    steps = raw if isinstance(raw, list) else [raw]
    out = []
    for i, step in enumerate(steps):
        here = f"{where}[{i}]" if isinstance(raw, list) else where
        if not isinstance(step, dict) or set(step) != {"file", "key", "value"}:
            check.fail(here, "must give file, key and value (the file's key and value columns)")
            continue
        if not all(isinstance(step[k], str) and step[k] for k in ("file", "key", "value")):
            check.fail(here, "file, key and value must be texts")
            continue
        out.append(LookupStep(step["file"], step["key"], step["value"]))
    return tuple(out)


def _column(check: _Checker, where: str, entity: Entity, target: str, raw: Any) -> ColumnSpec | None:
    if target not in entity.column_names:
        check.fail(
            where, f"{entity.name} has no column {target!r} (it has: {', '.join(entity.column_names)})"
        )
        return None
    if isinstance(raw, str):
        return ColumnSpec(target, sources=(raw,))
    if not isinstance(raw, dict):
        check.fail(where, "must be a source column name or a mapping (column, value, format, ...)")
        return None
    check.unknown_keys(where, raw, _COLUMN_KEYS)
    given = [k for k in ("column", "columns", "value") if k in raw]
    if len(given) != 1:
        check.fail(where, "give exactly one of column, columns or value")
        return None
    sources: tuple[str, ...] = ()
    constant = None
    if "value" in raw:
        if raw["value"] is None or isinstance(raw["value"], (dict, list)):
            check.fail(f"{where}.value", "must be a single value")
        else:
            constant = _text(raw["value"])
    else:
        names = _strings(raw.get("column", raw.get("columns")))
        if names is None or ("column" in raw and len(names) != 1):
            check.fail(f"{where}.{given[0]}", "must name source column(s)")
            return None
        sources = tuple(names)
    column = entity.column(target)
    fmt = raw.get("format")
    if fmt is not None:
        if column.type not in ("date", "timestamp"):
            check.fail(
                f"{where}.format",
                f"only date and timestamp columns have a format ({target} is a {column.type})",
            )
        elif not isinstance(fmt, str) or (fmt not in NAMED_DATE_FORMATS and "%" not in fmt):
            check.fail(
                f"{where}.format",
                f"{fmt!r} is not a date format: use iso, yyyymmdd or a strptime pattern like %d/%m/%Y",
            )
    value_map = raw.get("map", {})
    if not isinstance(value_map, dict):
        check.fail(f"{where}.map", "must map source values to contract values")
        value_map = {}
    default = raw.get("default")
    return ColumnSpec(
        target,
        sources=sources,
        join=_text(raw.get("join", " ")),
        constant=constant,
        format=fmt if isinstance(fmt, str) else None,
        value_map={_text(k).strip().casefold(): _text(v) for k, v in value_map.items()},
        lookup=_lookup(check, f"{where}.lookup", raw["lookup"]) if "lookup" in raw else (),
        default=None if default is None else _text(default),
    )


def _entity(check: _Checker, name: str, raw: Any, csv: CsvOptions) -> EntitySpec | None:
    where = f"entities.{name}"
    entity = ENTITY_BY_NAME.get(name)
    if entity is None:
        check.fail(where, f"not a contract entity (expected one of: {', '.join(ENTITY_BY_NAME)})")
        return None
    if not isinstance(raw, dict):
        check.fail(where, "must be a mapping with file and columns")
        return None
    check.unknown_keys(where, raw, _ENTITY_KEYS)
    files = _strings(raw.get("file"))
    if files is None:
        check.fail(f"{where}.file", "must name the export file (a name or glob, or a list of them)")
        files = []
    columns: dict[str, ColumnSpec] = {}
    raw_columns = raw.get("columns") or {}
    if not isinstance(raw_columns, dict):
        check.fail(f"{where}.columns", "must map contract columns to source columns")
        raw_columns = {}
    for target, spec in raw_columns.items():
        parsed = _column(check, f"{where}.columns.{target}", entity, str(target), spec)
        if parsed is not None:
            columns[parsed.target] = parsed
    line_sort: tuple[str, ...] = ("sku",)
    if "line_numbers" in raw:
        numbering = raw["line_numbers"]
        order = _strings(numbering.get("sort_by")) if isinstance(numbering, dict) else None
        if name != "order_lines":
            check.fail(f"{where}.line_numbers", "only order_lines have line numbers")
        elif order is None or set(numbering) != {"sort_by"}:
            check.fail(f"{where}.line_numbers", "must be {sort_by: [contract columns]}")
        else:
            unknown = [c for c in order if c not in entity.column_names]
            if unknown:
                check.fail(f"{where}.line_numbers.sort_by", f"not order_lines columns: {', '.join(unknown)}")
            line_sort = tuple(order)
    return EntitySpec(
        entity, tuple(files), columns, _csv_options(check, f"{where}.csv", raw.get("csv"), csv), line_sort
    )


def _budgets(check: _Checker, raw: Any) -> tuple[BudgetCopy, ...]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(BudgetCopy(item))
        elif isinstance(item, dict) and set(item) <= {"file", "as"} and isinstance(item.get("file"), str):
            rename = item.get("as")
            if rename is not None and (not isinstance(rename, str) or "/" in rename):
                check.fail(f"budgets[{i}].as", "must be a file name")
                rename = None
            out.append(BudgetCopy(item["file"], rename))
        else:
            check.fail(f"budgets[{i}]", "must be a workbook name or glob, or {file: ..., as: ...}")
    return tuple(out)


def load_mapping(path: Path) -> tuple[Mapping | None, list[Problem]]:
    """Parse and check ``path``; ``(None, problems)`` when anything in it is wrong."""
    path = Path(path)
    check = _Checker(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [Problem(str(path), f"cannot read the mapping file: {exc.strerror}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [
            Problem(
                path.name,
                f"is not valid YAML: {getattr(exc, 'problem', exc)}",
                line=mark.line + 1 if mark else None,
            )
        ]
    if not isinstance(raw, dict) or not isinstance(raw.get("entities"), dict):
        return None, [Problem(path.name, "must be a mapping with an 'entities' section")]
    check.unknown_keys("(top level)", raw, _TOP_KEYS)
    csv = _csv_options(check, "csv", raw.get("csv"), CsvOptions())
    entities = {}
    for name, spec in raw["entities"].items():
        parsed = _entity(check, str(name), spec, csv)
        if parsed is not None:
            entities[parsed.entity.name] = parsed
    for required in (e for e in ENTITY_BY_NAME.values() if e.required):
        if required.name not in entities and not any(
            p.message.startswith(f"entities.{required.name}") for p in check.problems
        ):
            check.fail("entities", f"{required.name} is a required extract: map it")
    budgets = _budgets(check, raw["budgets"]) if raw.get("budgets") is not None else ()
    if check.problems:
        return None, check.problems
    return Mapping(path, entities, budgets, csv), []
