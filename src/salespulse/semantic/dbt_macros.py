"""Render the derived measures (difference, ratio) of ``measures.yml`` as dbt macros.

The warehouse's monthly model calls ``measure__variance(...)`` and ``measure__attainment_pct(...)``,
so "Attainment %" means the same in dbt, in the web dashboard and in Power BI.
"""

from __future__ import annotations

import re
from pathlib import Path

from salespulse.semantic.measures import MEASURES_FILE, Measure, load_measures
from salespulse.settings import PROJECT_ROOT

MACROS_FILE = PROJECT_ROOT / "macros" / "generated" / "measures.sql"


def macro_name(measure_name: str) -> str:
    """``Attainment %`` -> ``measure__attainment_pct``."""
    words = re.findall(r"[a-z0-9]+|%", measure_name.lower())
    return "measure__" + "_".join("pct" if word == "%" else word for word in words)


def _difference(measure: Measure) -> str:
    return (
        f"{{#- {measure.name}: {measure.description} -#}}\n"
        f"{{% macro {macro_name(measure.name)}(left, right) -%}}\n"
        "    case when {{ right }} is not null then {{ left }} - {{ right }} end\n"
        "{%- endmacro %}\n"
    )


def _ratio(measure: Measure) -> str:
    numerator = "coalesce(' ~ numerator ~ ', 0)" if measure.spec.get("numerator_blank_as_zero") else None
    numerator_expression = f"'{numerator}'" if numerator else "numerator"
    return (
        f"{{#- {measure.name}: {measure.description} -#}}\n"
        f"{{% macro {macro_name(measure.name)}(numerator, denominator) -%}}\n"
        "    case when {{ denominator }} <> 0 then "
        f"{{{{ ratio_of({numerator_expression}, denominator) }}}} end\n"
        "{%- endmacro %}\n"
    )


def render(measures: tuple[Measure, ...] | None = None) -> str:
    measures = measures or load_measures()
    source = MEASURES_FILE.relative_to(PROJECT_ROOT)
    parts = [
        f"{{#- Generated from {source} by `salespulse powerbi write`: edit that file, not this one. -#}}\n"
    ]
    for measure in measures:
        if measure.kind == "difference":
            parts.append(_difference(measure))
        elif measure.kind == "ratio":
            parts.append(_ratio(measure))
    return "\n".join(parts)


def write(path: Path = MACROS_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
