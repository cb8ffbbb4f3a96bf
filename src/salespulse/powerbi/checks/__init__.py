"""Offline checks of the Power BI semantic model (Power BI Desktop does not run here).

Each check returns a list of ``salespulse.errors.Problem`` naming the file and line:

- ``structure``: names resolve (refs, relationship ends, sort-by columns) and are unique;
- ``dax``: every DAX expression parses and references only existing tables, columns, measures;
- ``bpa``: best-practice rules (relationships, keys, date table, columns, measures, DAX style);
- ``model_spec``: the measures agree with ``src/salespulse/semantic/measures.yml``;
- ``secrets``: no local path or credential in any file;
- ``security``: every role that filters rows filters each table related to a secured table;
- ``warehouse``: tables read reporting views that exist, columns map onto their columns and types.

``check_semantic_model`` runs them all.
"""

from __future__ import annotations

from pathlib import Path

from salespulse.errors import Problem
from salespulse.powerbi.checks.bpa import check_bpa
from salespulse.powerbi.checks.dax import check_dax
from salespulse.powerbi.checks.model_spec import check_model_spec
from salespulse.powerbi.checks.secrets import check_secrets
from salespulse.powerbi.checks.security import check_security
from salespulse.powerbi.checks.structure import check_structure
from salespulse.powerbi.checks.warehouse import ViewColumns, check_warehouse, warehouse_columns
from salespulse.powerbi.tmdl import TmdlError, parse_semantic_model

__all__ = [
    "ViewColumns",
    "check_bpa",
    "check_dax",
    "check_model_spec",
    "check_secrets",
    "check_security",
    "check_semantic_model",
    "check_structure",
    "check_warehouse",
    "warehouse_columns",
]


def check_semantic_model(folder: Path, warehouse_columns: ViewColumns | None = None) -> list[Problem]:
    """Every check of the semantic model folder (``*.SemanticModel``); the warehouse check only
    when ``warehouse_columns`` (``{view: {column: sql type}}`` of the reporting schema) is given.

    File names in the problems are relative to ``folder``.
    """
    folder = Path(folder)
    problems = check_secrets(folder)
    try:
        model = parse_semantic_model(folder)
    except TmdlError as error:
        return [*problems, error.problem()]
    problems += check_structure(model) + check_dax(model) + check_bpa(model) + check_model_spec(model)
    problems += check_security(model)
    if warehouse_columns is not None:
        problems += check_warehouse(model, warehouse_columns)
    return problems
