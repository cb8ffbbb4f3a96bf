"""The committed TMDL says what the semantic layer (``measures.yml``) says.

Every measure of ``salespulse.semantic.load_measures()`` is in the measure table with the DAX
``salespulse.semantic.measures.dax`` renders (whitespace-normalised), its format string, display
folder and description; and the TMDL has no measure ``measures.yml`` does not define.
"""

from __future__ import annotations

from salespulse.errors import Problem
from salespulse.powerbi.tmdl import TmdlModel
from salespulse.powerbi.tmdl_writer import currency_format_dax
from salespulse.semantic import Measure, SemanticModel, load_measures, load_model
from salespulse.semantic.measures import MEASURE_TABLE, MEASURES_FILE, dax

SPEC_FILE = "src/salespulse/semantic/measures.yml"


def normalise(text: str) -> str:
    return " ".join(text.split())


def check_model_spec(
    model: TmdlModel,
    measures: tuple[Measure, ...] | None = None,
    semantic_model: SemanticModel | None = None,
) -> list[Problem]:
    measures = load_measures(MEASURES_FILE) if measures is None else measures
    semantic_model = semantic_model or load_model()
    table = model.table(MEASURE_TABLE)
    home = table.file if table else model.model_file
    problems: list[Problem] = []
    for spec in measures:
        found = model.measure(spec.name)
        if found is None or found.name != spec.name:
            problems.append(Problem(home, f"measure [{spec.name}] of {SPEC_FILE} is not in the model"))
            continue
        label = f"measure [{spec.name}]"
        if found.table != MEASURE_TABLE:
            problems.append(found.problem(f"{label} is in table '{found.table}', not '{MEASURE_TABLE}'"))
        if normalise(found.expression) != normalise(dax(spec, semantic_model)):
            problems.append(
                Problem(
                    found.file,
                    f"{label}: DAX differs from what {SPEC_FILE} renders (run `salespulse powerbi write`)",
                    line=found.expression_line,
                )
            )
        # an amount's format string is dynamic: the reporting currency's symbol from Settings
        expected = {
            "formatString": None if spec.is_currency else spec.format,
            "formatStringDefinition": currency_format_dax(spec.format) if spec.is_currency else None,
            "displayFolder": spec.folder,
            "description": spec.description,
            "isHidden": bool(spec.spec.get("hidden")),
        }
        actual = {
            "formatString": found.format_string,
            "formatStringDefinition": (found.format_string_expression or "").strip() or None,
            "displayFolder": found.display_folder,
            "description": normalise(found.description),
            "isHidden": found.is_hidden,
        }
        for key, value in expected.items():
            if actual[key] != value:
                problems.append(
                    found.problem(f"{label}: {key} is {actual[key]!r}, {SPEC_FILE} says {value!r}")
                )
    defined = {spec.name for spec in measures}
    for measure in model.measures():
        if measure.name not in defined:
            problems.append(measure.problem(f"measure [{measure.name}] is not defined in {SPEC_FILE}"))
    return problems
