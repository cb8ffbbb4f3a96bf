"""Validate a Power BI project's JSON files against Microsoft's published schemas, offline.

Each file names its schema in ``$schema`` (``https://developer.microsoft.com/json-schemas/...``);
that URL maps to a file of the local schema folder (``fabric/...``). Every schema file is
registered under the URL its path gives, not under its own ``$id`` (some declare a wrong one).

The folder comes from ``SALESPULSE_PBI_SCHEMAS``, by default ``../shared/powerbi-json-schemas``
beside the project. When it is absent, :class:`SchemasNotFoundError` says so: a check that cannot
run must be reported as skipped, never as passed.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from salespulse.errors import Problem
from salespulse.powerbi.problems import JsonProblem
from salespulse.settings import PROJECT_ROOT

SCHEMAS_ENV = "SALESPULSE_PBI_SCHEMAS"
SCHEMA_URL_PREFIX = "https://developer.microsoft.com/json-schemas/"
JSON_SUFFIXES = (".json", ".pbip", ".pbir", ".pbism", ".platform")
# Files Desktop itself writes without a $schema: resource packages (themes, images) and the model
# diagram. They are checked as JSON only.
UNSCHEMATIZED = ("StaticResources", "diagramLayout.json")
_MESSAGE_LIMIT = 300


class SchemasNotFoundError(FileNotFoundError):
    """The local copy of Microsoft's schemas is not where the setting says."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(f"Power BI JSON schemas not found at {folder}; set {SCHEMAS_ENV} to their folder")


def schemas_dir() -> Path:
    """The schema folder: ``$SALESPULSE_PBI_SCHEMAS`` or ``<project root>/../shared/powerbi-json-schemas``."""
    value = os.environ.get(SCHEMAS_ENV)
    if value:
        return Path(value).expanduser().resolve()
    return PROJECT_ROOT.parent / "shared" / "powerbi-json-schemas"


def require_schemas(folder: Path | None = None) -> Path:
    """The schema folder, or :class:`SchemasNotFoundError` when it is missing."""
    folder = folder or schemas_dir()
    if not (folder / "fabric").is_dir():
        raise SchemasNotFoundError(folder)
    return folder


@cache
def _schemas(folder: Path) -> tuple[Registry, dict[str, dict[str, Any]]]:
    """Every schema file keyed by its URL, and a registry to resolve their ``$ref``s offline."""
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted((folder / "fabric").rglob("*.json")):
        url = SCHEMA_URL_PREFIX + path.relative_to(folder).as_posix()
        contents = json.loads(path.read_text(encoding="utf-8"))
        contents["$id"] = url  # resolve relative $refs against where the file really is
        documents[url] = contents
    registry = Registry().with_resources(
        (url, Resource.from_contents(contents, default_specification=DRAFT7))
        for url, contents in documents.items()
    )
    return registry, documents


@cache
def _validator(folder: Path, url: str) -> Draft7Validator:
    registry, documents = _schemas(folder)
    return Draft7Validator(documents[url], registry=registry)


def json_files(folder: Path) -> list[Path]:
    """The project's JSON files: ``*.json``, ``.pbip``, ``.pbir``, ``.pbism``, ``.platform``."""
    return sorted(path for path in folder.rglob("*") if path.is_file() and path.name.endswith(JSON_SUFFIXES))


def _needs_schema(relative: Path) -> bool:
    return not any(part in UNSCHEMATIZED for part in relative.parts)


def _problem(file: str, error: ValidationError) -> Problem:
    if error.context and all(e.validator == "const" and not e.relative_path for e in error.context):
        allowed = ", ".join(repr(e.validator_value) for e in error.context)
        message = f"{error.instance!r} is not one of {allowed}"
    else:
        if error.context:
            error = best_match(error.context)
        message = error.message
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 3] + "..."
    return JsonProblem(file=file, message=message, json_path=error.json_path)


def validate_document(file: str, document: Any, folder: Path) -> list[Problem]:
    """Problems of one parsed document against the schema its ``$schema`` names."""
    if not isinstance(document, dict):
        return [JsonProblem(file=file, message="not a JSON object")]
    url = document.get("$schema")
    if not isinstance(url, str):
        return [JsonProblem(file=file, message="no $schema: every PBIP file must name its schema")]
    _, documents = _schemas(folder)
    if url not in documents:
        return [
            JsonProblem(
                file=file,
                message=f"$schema {url!r} is not one of Microsoft's schemas (not in {folder})",
                json_path="$['$schema']",
            )
        ]
    errors = sorted(_validator(folder, url).iter_errors(document), key=lambda e: (e.json_path, e.message))
    return [_problem(file, error) for error in errors]


def validate_json_files(folder: Path, schemas_dir: Path | None = None) -> list[Problem]:
    """Validate every JSON file under ``folder``; problems name the file (relative) and JSON path.

    Raises :class:`SchemasNotFoundError` when the schema folder is absent.
    """
    schemas = require_schemas(schemas_dir)
    problems: list[Problem] = []
    for path in json_files(folder):
        relative = path.relative_to(folder)
        file = relative.as_posix()
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            line = getattr(error, "lineno", None)
            problems.append(JsonProblem(file=file, message=f"not valid JSON: {error}", line=line))
            continue
        if _needs_schema(relative):
            problems.extend(validate_document(file, document, schemas))
    return problems
