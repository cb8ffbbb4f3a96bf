"""The Power BI project as a whole: generated files in step with the semantic layer, all checks pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salespulse.powerbi import project
from salespulse.powerbi.checks import warehouse_columns
from salespulse.semantic import dbt_macros
from salespulse.warehouse import Warehouse


def test_committed_project_is_generated_and_passes_every_check(demo_duck: Warehouse) -> None:
    assert project.stale_files() == []
    problems, skipped = project.check_project(project.POWERBI_DIR, warehouse_columns(demo_duck))
    assert problems == []
    if skipped:  # the schema folder is absent: say so, never pass silently
        pytest.skip("; ".join(skipped))


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The generated folders copied to tmp_path, with the project module pointed at the copies."""
    root = tmp_path / "copy"
    shutil.copytree(project.POWERBI_DIR, root / "powerbi")
    shutil.copytree(project.DOCS_DIR, root / "docs")
    macros = root / "measures.sql"
    shutil.copyfile(dbt_macros.MACROS_FILE, macros)
    monkeypatch.setattr(project, "POWERBI_DIR", root / "powerbi")
    monkeypatch.setattr(project, "SEMANTIC_MODEL_DIR", root / "powerbi" / "SalesPulse.SemanticModel")
    monkeypatch.setattr(project, "REPORT_DIR", root / "powerbi" / "SalesPulse.Report")
    monkeypatch.setattr(project, "DOCS_DIR", root / "docs")
    monkeypatch.setattr(dbt_macros, "MACROS_FILE", macros)
    assert project.stale_files() == []
    return root


def test_a_hand_edit_of_a_generated_file_is_reported(project_copy: Path) -> None:
    measures = project_copy / "powerbi/SalesPulse.SemanticModel/definition/tables/Key Measures.tmdl"
    measures.write_text(measures.read_text().replace("DIVIDE ( [Margin], [Sales] )", "[Margin] / [Sales]"))
    (project_copy / "measures.sql").write_text("{# edited #}\n")
    stale = {problem.file: problem.message for problem in project.stale_files()}
    assert any(file.endswith("Key Measures.tmdl") for file in stale), stale
    assert any(file.endswith("measures.sql") for file in stale), stale
    assert all("salespulse powerbi write" in message for message in stale.values())


def test_files_nothing_generates_are_reported_but_desktop_caches_are_not(project_copy: Path) -> None:
    extra = project_copy / "powerbi/SalesPulse.Report/definition/pages/old_page/page.json"
    extra.parent.mkdir(parents=True)
    extra.write_text("{}")
    cache = project_copy / "powerbi/SalesPulse.SemanticModel/.pbi/cache.abf"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"desktop cache")
    stale = [problem for problem in project.stale_files()]
    assert [problem.file.endswith("old_page/page.json") for problem in stale] == [True]
    assert "not generated" in stale[0].message


def test_write_all_restores_the_generated_files_and_keeps_desktop_caches(project_copy: Path) -> None:
    measures = project_copy / "powerbi/SalesPulse.SemanticModel/definition/tables/Key Measures.tmdl"
    original = measures.read_text()
    measures.write_text("broken")
    extra = project_copy / "powerbi/SalesPulse.Report/definition/pages/old_page/page.json"
    extra.parent.mkdir(parents=True)
    extra.write_text("{}")
    cache = project_copy / "powerbi/SalesPulse.Report/.pbi/localSettings.json"
    cache.parent.mkdir(parents=True)
    cache.write_text("{}")
    written = project.write_all()
    assert measures in written and measures.read_text() == original
    assert not extra.exists() and not extra.parent.exists()
    assert cache.exists()
    assert project.stale_files() == []


def test_missing_schemas_are_reported_as_skipped_not_passed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SALESPULSE_PBI_SCHEMAS", str(tmp_path / "nowhere"))
    problems, skipped = project.check_project(project.POWERBI_DIR)
    assert problems == []
    assert len(skipped) == 1 and "nowhere" in skipped[0]
