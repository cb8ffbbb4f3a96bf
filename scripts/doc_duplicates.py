#!/usr/bin/env python3
"""Count how often the dbt project says the same column description: the measure of issue 14's
"887 of 1,021 column descriptions are copies of 260 texts".

    python scripts/doc_duplicates.py            # the counts
    python scripts/doc_duplicates.py --top 20   # and the 20 most repeated texts, with their columns

Reads every ``models/**/*.yml`` (models' and sources' columns) as written, without rendering Jinja:
a column whose description is a ``{{ doc("...") }}`` reference counts as one text per docs block,
which is the point (the text lives once, in ``models/docs/*.md``). Counted:

- column descriptions: every column with a non-empty description, of the models' yml and,
  apart, of the sources' yml;
- distinct texts: how many different descriptions there are;
- repeated texts: distinct literal texts (not ``doc()`` references) that two or more columns carry,
  and how many columns carry them (the copies still to move into docs blocks, or deliberately left:
  the generated ``_*__sources.yml`` files are written from ``src/salespulse/contract.py``);
- doc references: columns whose description is a ``doc()`` reference.

Standard library and PyYAML only.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOC_REFERENCE = re.compile(r"^\{\{\s*doc\(\s*['\"]([^'\"]+)['\"]\s*\)\s*\}\}$")


def column_descriptions(models: Path) -> Iterator[tuple[str, str, str]]:
    """``(file, model or source.table, column)`` -> description, for every column of every yml."""
    for path in sorted(models.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        relative = str(path.relative_to(models.parent))
        owners: list[tuple[str, dict]] = [(item["name"], item) for item in document.get("models") or []]
        owners += [(item["name"], item) for item in document.get("seeds") or []]
        for source in document.get("sources") or []:
            owners += [(f"{source['name']}.{table['name']}", table) for table in source.get("tables") or []]
        for owner, node in owners:
            for column in node.get("columns") or []:
                yield (
                    relative,
                    f"{owner}.{column['name']}",
                    " ".join(str(column.get("description") or "").split()),
                )


def report(title: str, descriptions: list[tuple[str, str]], top: int) -> None:
    """Print the counts of ``(column, description)`` pairs, and the ``top`` most repeated texts."""
    columns_by_text: dict[str, list[str]] = defaultdict(list)
    for column, text in descriptions:
        if text:
            columns_by_text[text].append(column)
    described = sum(len(columns) for columns in columns_by_text.values())
    references = sum(len(c) for text, c in columns_by_text.items() if DOC_REFERENCE.match(text))
    repeated = {
        text: columns
        for text, columns in columns_by_text.items()
        if len(columns) > 1 and not DOC_REFERENCE.match(text)
    }
    print(f"{title}")
    print(f"  column descriptions:    {described} ({len(descriptions) - described} columns without)")
    print(f"  distinct texts:         {len(columns_by_text)}")
    print(f"  doc() references:       {references}")
    copies = sum(len(columns) for columns in repeated.values())
    print(f"  literal texts repeated: {len(repeated)} (carried by {copies} columns)")
    for text, columns in sorted(repeated.items(), key=lambda item: -len(item[1]))[:top]:
        print(f"\n  {len(columns)} x {text!r}")
        for column in columns:
            print(f"      {column}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=0, help="list the N most repeated literal texts")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    args = parser.parse_args()
    models: list[tuple[str, str]] = []
    sources: list[tuple[str, str]] = []
    for file, column, text in column_descriptions(args.models):
        (sources if file.endswith("__sources.yml") else models).append((column, text))
    report("models (the hand-written _*__models.yml):", models, args.top)
    report("sources (_*__sources.yml, generated from src/salespulse/contract.py):", sources, args.top)


if __name__ == "__main__":
    main()
