"""Column meanings are written once: a description several models share is a docs block of
``models/docs/*.md``, every ``doc()`` reference resolves, and the Python that reads the yml
(``salespulse.dbt_docs``, hence the Power BI descriptions) sees the text dbt renders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from salespulse import dbt_docs
from salespulse.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"
DBT = Path(sys.executable).parent / "dbt"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The manifest ``dbt parse`` writes for the project, into a target folder of this test's own."""
    work = tmp_path_factory.mktemp("dbt_docs")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_ROOT),
        "SALESPULSE_TARGET": "duckdb",
        "SALESPULSE_DUCKDB_PATH": str(work / "unused.duckdb"),  # parsing opens no warehouse
    }
    command = [str(DBT), "parse", "--no-partial-parse", "--target-path", str(work / "target")]
    command += ["--log-path", str(work / "logs")]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))


def yml_columns() -> Iterator[tuple[str, str, str, str]]:
    """``(file, model, column, description as written)`` of every model column of ``models/**/*.yml``."""
    for path in sorted(MODELS.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            for column in model.get("columns") or []:
                yield (
                    str(path.relative_to(PROJECT_ROOT)),
                    model["name"],
                    column["name"],
                    column.get("description", ""),
                )


def manifest_columns(manifest: dict) -> dict[tuple[str, str], str]:
    """``(model or source table, column)`` -> the description dbt rendered."""
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    return {
        (node["name"], name): column["description"]
        for node in nodes
        if node["resource_type"] in ("model", "source")
        for name, column in node["columns"].items()
    }


def test_no_column_description_is_empty(manifest: dict) -> None:
    empty = [column for column, description in manifest_columns(manifest).items() if not description.strip()]
    assert not empty


def test_every_doc_reference_resolves_to_its_block(manifest: dict) -> None:
    rendered = manifest_columns(manifest)
    blocks = {doc["name"]: doc["block_contents"] for doc in manifest["docs"].values()}
    for file, model, column, written in yml_columns():
        text = rendered[(model, column)]
        assert "doc(" not in text, f"{file}: {model}.{column} keeps an unrendered reference"
        match = dbt_docs.REFERENCE.fullmatch(written.strip())
        if match:
            assert text.strip() == blocks[match.group(2)].strip(), f"{file}: {model}.{column}"


def test_python_readers_see_the_text_dbt_renders(manifest: dict) -> None:
    """``dbt_docs.render`` (what the semantic layer and the Power BI descriptions read) agrees with dbt."""
    rendered = manifest_columns(manifest)
    for file, model, column, written in yml_columns():
        assert dbt_docs.render(written).strip() == rendered[(model, column)].strip(), (
            f"{file}: {model}.{column}"
        )


def test_a_description_shared_by_several_models_is_a_docs_block() -> None:
    columns_by_text: dict[str, list[str]] = defaultdict(list)
    for _file, model, column, written in yml_columns():
        if "doc(" not in written:
            columns_by_text[" ".join(written.split())].append(f"{model}.{column}")
    copies = {text: columns for text, columns in columns_by_text.items() if len(columns) > 1}
    assert not copies, "write these once, as docs blocks of models/docs/*.md: " + repr(copies)


def test_every_docs_block_is_used() -> None:
    used = {
        match.group(2)
        for _file, _model, _column, written in yml_columns()
        for match in dbt_docs.REFERENCE.finditer(written)
    }
    assert set(dbt_docs.docs_blocks()) == used


def test_render_replaces_references_and_refuses_unknown_blocks(tmp_path: Path) -> None:
    (tmp_path / "columns.md").write_text(
        "# Columns\n\n{% docs column_x %}\n  The x of the row.\n{% enddocs %}\n", encoding="utf-8"
    )
    assert dbt_docs.render("{{ doc('column_x') }}", tmp_path) == "The x of the row."
    assert dbt_docs.render('See {{ doc("column_x") }}', tmp_path) == "See The x of the row."
    assert dbt_docs.render("Plain text.", tmp_path) == "Plain text."
    with pytest.raises(KeyError, match="column_y"):
        dbt_docs.render('{{ doc("column_y") }}', tmp_path)
