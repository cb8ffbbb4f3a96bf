"""Render the raw landing contract (``contract.py``): the Markdown page newcomers read and the dbt sources."""

from __future__ import annotations

from pathlib import Path

from salespulse.contract import BUDGET_HEADERS, ENTITIES, LOAD_METADATA, TYPE_FORMATS, Column, Entity
from salespulse.load_checks import ACCEPT_FLAG, SHRINK_SHARE
from salespulse.settings import PROJECT_ROOT

DOC_PATH = PROJECT_ROOT / "docs" / "raw-data-contract.md"

_INTRO = """\
# Raw data contract: what to deliver

<!-- Generated from src/salespulse/contract.py by `salespulse contract --write`. Do not edit by hand. -->

To run this product on your own data, put these files in one delivery folder (the demo's is
`data/demo/`; point `SALESPULSE_DATA_DIR` at yours) and run `salespulse load`. Each extract is
either one file, `<name>.csv` or `<name>.parquet`, or a folder `<name>/` of such files (for example
one file per day or month of order lines).

**Minimal delivery**: `order_lines`, `customers`, `products` and the budget workbook. Sales reps,
territories, geography and campaigns are optional enrichments: without them everything still
builds, and sales fall into `Unassigned` / `No campaign` members.

**CSV files**: UTF-8 (a byte-order mark is fine), comma-separated, a header line with the column
names below (any order, any letter case; unknown extra columns are ignored), `"` for quoting, an
empty field for a missing value. **Parquet files**: the same column names; columns may already be
typed (integers, decimals or floats for numbers, date or timestamp types for dates).

**What happens on load**: every file is checked before anything lands. A file that does not
match (a required column missing, a value that is not of the column's type, an empty required
value, bytes that are not UTF-8, a row with the wrong number of fields) refuses the whole load
with a message naming file, line/row and column, and the warehouse keeps its previous data.
Values that are well-formed but break a business rule do land: the warehouse sets such order
lines aside in `rejected_rows` with the reason (an unknown status, an extended amount that does
not add up, a date after the as-of date), and an order line for a customer, product or campaign
the other extracts do not know is kept under the Unknown / No campaign member. Loading the same
files again changes nothing.

**Money**: amounts and unit prices are kept to 4 decimals. `extended_amount` is the line's net
amount rounded to the cent (half away from zero) and must be within one cent of quantity x unit
price x (1 - discount), or the line is set aside as `extended_amount_mismatch`. The warehouse
rounds a line's gross amount (quantity x unit price) to the cent the same way and never below the
net amount, so the discount (gross - net) is never negative, also with 4-decimal unit prices.

| type | format |
|---|---|
"""

_BUDGET = """
## Budget workbooks: `budget*.xlsx` (at least one required)

Finance's `.xlsx` workbooks, as they send them: every file of the delivery folder matching
`SALESPULSE_BUDGET_FILES` (default `budget*.xlsx`), or the files named with `salespulse load
--budget-file` (repeatable). A workbook covers any run of whole months: a calendar year, or a
rolling 12 or 18 months across years; several workbooks (one per year, say) make one budget.
The first sheet with a recognised header is read (or the sheet named by `--budget-sheet`). The
header row may sit below a title; matching ignores case, spaces and punctuation. Two forms:

- **Simple**: a month column and an amount column, one row per month.
- **Detailed**: month x product category x sales territory (optionally x sales rep, for rep
  quotas) and amount; each combination at most once, every month present.

From a workbook's first month to its last no month may be missing (a month far from the others
is pointed at by row: a mistyped year?). Each month belongs to one budget: a month in two
workbooks refuses the load, naming both files. All workbooks of a delivery share one form (the
same grain columns). Month cells are dates on the first of the month (or text `YYYY-MM`,
`YYYY-MM-DD`, `Jan 2025`); amounts are numbers, zero or more, kept to 4 decimals (text such as
`1,200` or `n/a` is refused). Blank rows are ignored; a row labelled `Total` is checked against
the sum of the rows above it. Categories must exist in `products`, territories in `territories`,
reps in `sales_reps`. Any problem is reported with file, sheet, row and column, and nothing is
loaded. A refused header shows what the sheet's header row holds.

| field | header names accepted |
|---|---|
"""


def _entity_section(entity: Entity) -> str:
    status = "required" if entity.required else "optional"
    mode = (
        "full snapshot: each delivery replaces the previous one. A file with no data rows, or a "
        f"snapshot with under {SHRINK_SHARE:.0%} of the rows landed before (a partial export?), is "
        f"refused unless the load says it is real (`salespulse load {ACCEPT_FLAG} {entity.name}`)"
        if entity.mode == "snapshot"
        else (
            "incremental: each new file adds rows, a file delivered again replaces its own rows, "
            "and files removed from the folder stay loaded (the raw table is the delivery history)"
        )
    )
    lines = [
        f"## `{entity.name}` ({status}, from the {entity.system})",
        "",
        entity.description,
        "",
        f"- Loading: {mode}.",
        f"- One row per: {', '.join(f'`{k}`' for k in entity.primary_key)}; a file repeating a key is "
        "refused, naming both rows.",
    ]
    if entity.without_it:
        lines.append(f"- Without it: {entity.without_it}")
    for column, values in entity.allowed.items():
        lines.append(f"- `{column}` values: {', '.join(f'`{v}`' for v in values)}.")
    lines += ["", "| column | type | required | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{c.name}` | {c.type} | {'yes' if c.required else 'no'} | {c.description} |"
        for c in entity.columns
    ]
    return "\n".join(lines) + "\n"


def render() -> str:
    parts = [_INTRO]
    parts += [f"| {name} | {fmt} |\n" for name, fmt in TYPE_FORMATS.items()]
    parts += ["\n" + _entity_section(e) for e in ENTITIES]
    parts.append(_BUDGET)
    parts += [
        f"| {field} | {', '.join(f'`{h}`' for h in headers)} |\n" for field, headers in BUDGET_HEADERS.items()
    ]
    parts.append("\n## Columns the loader adds to every raw table\n\n| column | meaning |\n|---|---|\n")
    parts += [f"| `{c.name}` | {c.description} |\n" for c in LOAD_METADATA]
    return "".join(parts)


#: dbt source per delivering system; the budget workbook comes from finance.
SOURCE_SYSTEMS: dict[str, str] = {"ERP": "erp", "CRM": "crm", "HR": "hr", "Marketing": "marketing"}
BUDGET_SOURCE = "finance"
FORECAST_SOURCE = "forecast"
LOADER_SOURCE = "loader"

_SOURCE_HEADER = "# Generated from {origin} by `salespulse contract --write`. Do not edit by hand."


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _source_yaml(
    source: str,
    description: str,
    tables: list[tuple[str, str, tuple[Column, ...], bool]],
    origin: str = "src/salespulse/contract.py",
) -> str:
    lines = [
        _SOURCE_HEADER.format(origin=origin),
        "sources:",
        f"  - name: {source}",
        f"    description: {_yaml_text(description)}",
        "    schema: \"{{ var('raw_schema', 'raw') }}\"",
        "    config:",
        "      loaded_at_field: _loaded_at",
        "      freshness:",
        "        warn_after: {count: 1, period: day}",
        "        error_after: {count: 7, period: day}",
        "    tables:",
    ]
    for name, table_description, columns, required in tables:
        lines += [f"      - name: {name}", f"        description: {_yaml_text(table_description)}"]
        if not required:
            # an optional extract may legitimately never be delivered (its table stays empty), and
            # the forecast tables exist only after the first `salespulse forecast`
            lines += ["        config:", "          freshness: null"]
        lines.append("        columns:")
        for column in columns:
            lines += [
                f"          - name: {column.name}",
                f"            description: {_yaml_text(column.description)}",
            ]
    return "\n".join(lines) + "\n"


def render_sources() -> dict[Path, str]:
    """The dbt sources files, one per delivering system, keyed by path."""
    from salespulse.forecast import landing as forecast_landing
    from salespulse.loader import BUDGET_TABLE, LOAD_LOG, raw_tables

    tables = raw_tables()
    rendered: dict[Path, str] = {}
    for system, source in SOURCE_SYSTEMS.items():
        entities = [e for e in ENTITIES if e.system == system]
        rendered[_source_path(source)] = _source_yaml(
            source,
            f"Extracts delivered by the {system}, landed in the raw schema by `salespulse load`.",
            [(e.name, e.description, tables[e.name], e.required) for e in entities],
        )
    rendered[_source_path(BUDGET_SOURCE)] = _source_yaml(
        BUDGET_SOURCE,
        "The sales budget workbook finance sends, read and validated by `salespulse load`.",
        [
            (
                BUDGET_TABLE,
                "Budget rows as read from the workbook, at the grain it has.",
                tables[BUDGET_TABLE],
                True,
            )
        ],
    )
    rendered[_source_path(FORECAST_SOURCE)] = _source_yaml(
        FORECAST_SOURCE,
        forecast_landing.SOURCE_DESCRIPTION,
        [
            (name, forecast_landing.DESCRIPTIONS[name], columns, False)
            for name, columns in forecast_landing.TABLES.items()
        ],
        origin="src/salespulse/forecast/landing.py",
    )
    rendered[_source_path(LOADER_SOURCE)] = _source_yaml(
        LOADER_SOURCE,
        "What `salespulse load` recorded about the files it landed in the raw schema.",
        [
            (
                LOAD_LOG,
                "One row per file landed and still in the raw layer: its raw table, path, SHA-256, rows and"
                " load time.",
                tables[LOAD_LOG],
                True,
            )
        ],
        origin="src/salespulse/loader.py",
    )
    return rendered


def _source_path(source: str) -> Path:
    return PROJECT_ROOT / "models" / "staging" / source / f"_{source}__sources.yml"


def render_all() -> dict[Path, str]:
    """Every file generated from the contract: the Markdown page and the dbt sources."""
    return {DOC_PATH: render(), **render_sources()}
