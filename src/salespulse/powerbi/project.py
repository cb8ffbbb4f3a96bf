"""The whole Power BI project at once: write every generated file, or run every offline check.

Generated from the semantic layer: the TMDL model, the PBIR report (with ``.pbip`` and
``.gitignore``), the dbt measure macros and the page-layout pictures in ``docs/powerbi``.
"""

from __future__ import annotations

from pathlib import Path

from salespulse.errors import Problem
from salespulse.powerbi.files import sync_files, unexpected_files
from salespulse.powerbi.report import (
    DOCS_DIR,
    POWERBI_DIR,
    REPORT_FOLDER,
    SEMANTIC_MODEL_FOLDER,
    THEME_SCHEMA_FILE,
    render_report,
    write_report,
)
from salespulse.settings import PROJECT_ROOT

# The project depends on the report, never the other way round: the folders are named once, in ``report``.
SEMANTIC_MODEL_DIR = POWERBI_DIR / SEMANTIC_MODEL_FOLDER
REPORT_DIR = POWERBI_DIR / REPORT_FOLDER


def rendered_files(report_dir: Path = REPORT_DIR) -> dict[Path, str]:
    """Every generated file (absolute path -> text). Layout pictures are drawn from ``report_dir``."""
    from salespulse.powerbi.layout import render_layout_pictures
    from salespulse.powerbi.tmdl_writer import render_semantic_model
    from salespulse.semantic import dbt_macros

    files = {SEMANTIC_MODEL_DIR / path: text for path, text in render_semantic_model().items()}
    files |= {POWERBI_DIR / path: text for path, text in render_report().items()}
    files[dbt_macros.MACROS_FILE] = dbt_macros.render()
    if report_dir.exists():
        files |= {DOCS_DIR / name: text for name, text in render_layout_pictures(report_dir).items()}
    return files


def _managed_dirs() -> tuple[Path, ...]:
    return (SEMANTIC_MODEL_DIR, REPORT_DIR, DOCS_DIR)


def write_all() -> list[Path]:
    """Write every generated file; delete files in the generated folders that are no longer rendered."""
    write_report(POWERBI_DIR)  # the layout pictures are drawn from the written report
    return sync_files(rendered_files(), _managed_dirs())


def stale_files() -> list[Problem]:
    """Generated files that differ from what their sources render, or that nothing renders."""
    files = rendered_files()
    problems = []
    for path, text in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            state = "missing" if current is None else "out of date"
            problems.append(Problem(_relative(path), f"{state}: run `salespulse powerbi write`"))
    for path in unexpected_files(files, _managed_dirs()):
        problems.append(Problem(_relative(path), "not generated: remove it or add it to the sources"))
    return problems


def _relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def check_project(
    powerbi_dir: Path = POWERBI_DIR, warehouse_columns: dict[str, dict[str, str]] | None = None
) -> tuple[list[Problem], list[str]]:
    """Every offline check of a PBIP folder: (problems, notes on checks that could not run)."""
    from salespulse.powerbi.checks import check_semantic_model
    from salespulse.powerbi.report_fields import ModelFields, check_report_fields
    from salespulse.powerbi.report_structure import check_report_structure
    from salespulse.powerbi.schemas import SchemasNotFoundError, validate_json_files
    from salespulse.powerbi.tmdl import TmdlError, parse_semantic_model

    skipped: list[str] = []
    problems: list[Problem] = []
    try:
        problems += validate_json_files(powerbi_dir)
    except SchemasNotFoundError as error:
        skipped.append(str(error))
    model_dir = powerbi_dir / SEMANTIC_MODEL_FOLDER
    report_dir = powerbi_dir / REPORT_FOLDER
    problems += check_semantic_model(model_dir, warehouse_columns)
    problems += check_report_structure(report_dir)
    try:
        model = parse_semantic_model(model_dir)
    except TmdlError:
        return problems, skipped  # check_semantic_model reported it
    fields = ModelFields(
        tables={table.name: {column.name for column in table.columns} for table in model.tables},
        measures={measure.name for table in model.tables for measure in table.measures},
        hierarchies={
            table.name: {h.name: [level.name for level in h.levels] for h in table.hierarchies}
            for table in model.tables
        },
        hidden={
            table.name: {column.name for column in table.columns if column.is_hidden}
            for table in model.tables
        },
    )
    problems += check_report_fields(report_dir, fields)
    problems += _report_rules(report_dir, model, skipped)
    return problems, skipped


def _report_rules(report_dir: Path, model: object, skipped: list[str]) -> list[Problem]:
    """The report rules (checks/report_rules.py); the theme schema check is skipped, and said so,
    when Microsoft's schemas are absent."""
    from salespulse.powerbi.checks.report_rules import check_report_rules
    from salespulse.powerbi.report_reader import UnreadableFileError
    from salespulse.powerbi.schemas import schemas_dir

    theme_schema = schemas_dir() / "report-theme" / THEME_SCHEMA_FILE
    if not theme_schema.is_file() and (schemas_dir() / "fabric").is_dir():
        skipped.append(f"report theme schema not found at {theme_schema}: the custom theme was not validated")
    try:
        return check_report_rules(
            report_dir,
            model,
            theme_schema=theme_schema if theme_schema.is_file() else None,  # type: ignore[arg-type]
        )
    except UnreadableFileError:
        return []  # the structure check reports it


def run_checks(target: str | None = None) -> tuple[list[Problem], list[str]]:
    """The committed project: generated files up to date, and every offline check.

    With ``target``, the model is also checked against that warehouse's reporting views.
    """
    columns = None
    if target is not None:
        from salespulse.powerbi.checks import warehouse_columns
        from salespulse.warehouse import connect

        with connect(target) as warehouse:
            columns = warehouse_columns(warehouse)
    problems, skipped = check_project(POWERBI_DIR, columns)
    return stale_files() + problems, skipped
