"""dbt's docs blocks, for the Python that reads the models' yml files directly.

A column meaning shared by several models is written once, as a docs block in ``models/docs/*.md``
(``{% docs column_<name> %}...{% enddocs %}``), and each model's yml refers to it with
``description: '{{ doc("column_<name>") }}'``. dbt renders the reference; :func:`render` does the
same for readers outside dbt (the semantic layer's contracts, hence the Power BI descriptions), so
they see the text dbt docs shows. Like dbt, a block's text is its contents stripped.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from salespulse.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"

_BLOCK = re.compile(r"\{%-?\s*docs\s+(\w+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.S)
#: A description that is (or contains) a reference to a docs block; group 2 is its name.
REFERENCE = re.compile(r"""\{\{\s*doc\(\s*(['"])(\w+)\1\s*\)\s*\}\}""")


@cache
def docs_blocks(models_dir: Path = MODELS_DIR) -> dict[str, str]:
    """Every docs block of the ``*.md`` files under ``models_dir``: name -> text."""
    blocks: dict[str, str] = {}
    for path in sorted(models_dir.rglob("*.md")):
        for name, contents in _BLOCK.findall(path.read_text(encoding="utf-8")):
            if name in blocks:
                raise ValueError(f"docs block {name!r} is defined twice (again in {path})")
            blocks[name] = contents.strip()
    return blocks


def render(description: str, models_dir: Path = MODELS_DIR) -> str:
    """``description`` with every ``{{ doc("name") }}`` replaced by that docs block's text."""
    if "doc(" not in description:
        return description
    blocks = docs_blocks(models_dir)

    def text(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in blocks:
            raise KeyError(f"no docs block {name!r} under {models_dir}")
        return blocks[name]

    return REFERENCE.sub(text, description)
