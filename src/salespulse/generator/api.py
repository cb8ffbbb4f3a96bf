"""``generate``: write a complete, deterministic demo delivery to a folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa

from ..contract import CAMPAIGNS, CUSTOMERS, GEOGRAPHY, PRODUCTS, SALES_REPS, TERRITORIES, Entity
from .budget import BudgetForm, plan_budget, split_by_rep, write_budget
from .expected import ExpectedSales
from .geography import geography_table, territory_table
from .lines import Lines
from .manifest import MANIFEST_NAME, FileEntry, file_entry, signals_truth, write_manifest
from .orders import OrderSimulator
from .plan import Period
from .rng import stream
from .staff import rep_books, sales_rep_table
from .tables import table_from_rows, write_csv, write_parquet
from .tally import Tally
from .trickle import clear_trickle
from .world import build_world

LinesFormat = Literal["parquet", "csv"]
LINES_DIR = "order_lines"


@dataclass(frozen=True)
class GenerateSummary:
    out_dir: Path
    seed: int
    #: Rows per entity (``order_lines`` counts every version) and ``budget`` rows.
    rows: dict[str, int] = field(hash=False)
    #: Rows per file written, by path relative to ``out_dir`` (the manifest excepted).
    file_rows: dict[str, int] = field(hash=False)
    #: Files written, relative to ``out_dir``, sorted.
    files: tuple[str, ...]
    #: Order-line rows written, including later versions of changed lines.
    order_lines: int
    late_updates: int
    budget_total: int

    def __str__(self) -> str:
        line_files = sum(1 for name in self.file_rows if name.startswith(LINES_DIR))
        counts = ", ".join(
            f"{name} {n:,}" for name, n in self.rows.items() if name not in ("order_lines", "budget")
        )
        return (
            f"{self.order_lines:,} order-line rows in {line_files} monthly files "
            f"({self.late_updates:,} later versions of changed lines); {counts}; "
            f"budget {self.rows['budget']:,} rows totalling {self.budget_total:,} "
            f"(seed {self.seed}, in {self.out_dir})"
        )


def _validate(seed: int, order_lines: int, budget_form: str, lines_format: str) -> None:
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if order_lines < 1_000:
        raise ValueError("order_lines must be at least 1000")
    if budget_form not in ("detailed", "simple"):
        raise ValueError(f"budget_form must be 'detailed' or 'simple', not {budget_form!r}")
    if lines_format not in ("parquet", "csv"):
        raise ValueError(f"lines_format must be 'parquet' or 'csv', not {lines_format!r}")


def _clear_previous(lines_dir: Path) -> None:
    """Remove order-line files of an earlier run (only files this generator names), trickle
    deliveries included: they changed lines of the data being replaced."""
    for old in sorted(lines_dir.glob("order_lines_????-??.*")):
        if old.suffix in (".parquet", ".csv"):
            old.unlink()
    clear_trickle(lines_dir)


#: The demo company's defaults: three years of history and the budget of the last one.
DEMO_START = date(2022, 1, 1)
DEMO_AS_OF = date(2024, 12, 31)
DEMO_BUDGET_YEAR = 2024


def generate(
    out_dir: Path,
    *,
    seed: int = 42,
    order_lines: int = 100_000,
    start: date = DEMO_START,
    as_of: date = DEMO_AS_OF,
    budget_year: int = DEMO_BUDGET_YEAR,
    budget_form: BudgetForm = "detailed",
    lines_format: LinesFormat = "parquet",
) -> GenerateSummary:
    """Write the demo source-system extracts, the budget workbook and ``_manifest.json`` to ``out_dir``.

    The same arguments always give byte-identical files. ``order_lines`` is the approximate number
    of order-line rows (within a few per cent). Order lines are generated and written one month at a
    time, so memory stays bounded at any volume.
    """
    _validate(seed, order_lines, budget_form, lines_format)
    out_dir = Path(out_dir)
    period = Period(start, as_of, budget_year)
    world = build_world(period, seed, order_lines)
    customers = world.customers
    simulator = OrderSimulator(world)
    tally = Tally(period, customers, world.catalogue, world.campaigns)

    files = _write_order_lines(out_dir, seed, period, simulator, tally, lines_format)
    reference: list[tuple[Entity, pa.Table]] = [
        (CUSTOMERS, customers.table),
        (PRODUCTS, table_from_rows(PRODUCTS, world.catalogue.rows)),
        (SALES_REPS, sales_rep_table()),
        (TERRITORIES, territory_table()),
        (GEOGRAPHY, geography_table()),
        (CAMPAIGNS, table_from_rows(CAMPAIGNS, [c.row() for c in world.campaigns])),
    ]
    for entity, table in reference:
        name = f"{entity.name}.csv"
        write_csv(table, out_dir / name)
        files[name] = file_entry(out_dir / name, table.num_rows)

    expected = ExpectedSales(world.demand, customers, world.catalogue, world.campaigns, world.signals)
    budget = plan_budget(period, world.signals, expected.month)
    if budget_form == "detailed":  # with rep quotas: each territory's budget split by the reps' books
        budget = split_by_rep(budget, rep_books(customers.table))
    budget_name = f"budget_{budget_year}.xlsx"
    write_budget(budget, out_dir / budget_name, period, world.signals, budget_form)
    budget_rows = len(budget) if budget_form == "detailed" else 12
    files[budget_name] = file_entry(out_dir / budget_name, budget_rows)

    rows = {entity.name: table.num_rows for entity, table in reference}
    rows["order_lines"] = sum(f["rows"] for name, f in files.items() if name.startswith(LINES_DIR))
    rows["budget"] = budget_rows
    budget_total = sum(line.amount for line in budget)
    parameters = {
        "order_lines": order_lines,
        "start": start.isoformat(),
        "as_of": as_of.isoformat(),
        "budget_year": budget_year,
        "budget_form": budget_form,
        "lines_format": lines_format,
    }
    write_manifest(
        out_dir / MANIFEST_NAME,
        {
            "generator": "salespulse.generator",
            "seed": seed,
            "parameters": parameters,
            "rows": rows,
            "budget_total": budget_total,
            "files": files,
            "signals": signals_truth(world, tally, budget),
        },
    )
    return GenerateSummary(
        out_dir=out_dir,
        seed=seed,
        rows=rows,
        file_rows={name: f["rows"] for name, f in sorted(files.items())},
        files=tuple(sorted([*files, MANIFEST_NAME])),
        order_lines=rows["order_lines"],
        late_updates=tally.late_updates,
        budget_total=budget_total,
    )


def _write_order_lines(
    out_dir: Path,
    seed: int,
    period: Period,
    simulator: OrderSimulator,
    tally: Tally,
    lines_format: LinesFormat,
) -> dict[str, FileEntry]:
    """Monthly delta files: the lines created in the month, then later versions of earlier lines
    changed in the month. Returns the manifest entries of the files."""
    lines_dir = out_dir / LINES_DIR
    lines_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(lines_dir)
    write = write_parquet if lines_format == "parquet" else write_csv
    files: dict[str, FileEntry] = {}
    pending: dict[int, list[Lines]] = {}  # later versions by the month that delivers them
    for month in period.months:
        batch = simulator.month(month, stream(seed, "orders", month.index))
        tally.add(batch)
        for target in np.unique(batch.update_month):
            chosen = np.flatnonzero(batch.update_month == target)
            pending.setdefault(int(target), []).append(batch.updates.take(chosen))
        later = Lines.concat(pending.pop(month.index, [])).sorted()
        table = simulator.table(Lines.concat([batch.lines, later]))
        name = f"{LINES_DIR}/order_lines_{month.label}.{lines_format}"
        write(table, out_dir / name)
        files[name] = file_entry(out_dir / name, table.num_rows)
    if pending:
        raise AssertionError("late updates left undelivered")
    return files
