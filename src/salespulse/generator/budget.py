"""The sales budget finance sends as an Excel workbook, planned from prior-year actuals."""

from __future__ import annotations

import io
import zipfile
from calendar import monthrange
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .catalogue import CATEGORIES
from .geography import TERRITORIES
from .plan import Month, Period, Signals

BudgetForm = Literal["detailed", "simple"]

MONTH_FORMAT = "mmm yyyy"
AMOUNT_FORMAT = "#,##0"
#: Fixed zip entry time, so that the same workbook always has the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="BFBFBF")


@dataclass(frozen=True)
class BudgetLine:
    month: date
    category: str
    territory_code: str
    amount: int  # whole currency units, a multiple of 100
    sales_rep_id: str | None = None  # the rep whose quota this is (the detailed form has one)


def _base_month(months: list[Month], budget_year: int) -> Month:
    """The month a budget month is planned from: preferably the same month in the latest earlier
    year, else in the nearest later year, mostly covered by the data; the budget year's own month
    only when there is nothing else."""
    return min(
        months,
        key=lambda m: (
            m.n_days < 15,
            m.first.year == budget_year,
            m.first.year > budget_year,
            abs(budget_year - 1 - m.first.year),
            -m.n_days,
        ),
    )


def plan_budget(
    period: Period, signals: Signals, expected: Callable[[Month], np.ndarray]
) -> list[BudgetLine]:
    """Budget = expected net sales of the same month a year earlier (``expected(month)`` in cents, by
    category and territory) x (1 + planned growth) per year, scaled to whole months, rounded to hundreds."""
    lines: list[BudgetLine] = []
    year = period.budget_year
    for month_no in range(1, 13):
        base = _base_month([m for m in period.months if m.first.month == month_no], year)
        factor = (1 + signals.planned_growth) ** (year - base.first.year)
        factor *= monthrange(base.first.year, month_no)[1] / base.n_days
        hundreds = np.floor(expected(base) * factor / 10_000 + 0.5).astype(np.int64)
        for k, category in enumerate(CATEGORIES):
            for t, territory in enumerate(TERRITORIES):
                lines.append(
                    BudgetLine(date(year, month_no, 1), category, territory.code, int(hundreds[k, t]) * 100)
                )
    return lines


def split_by_rep(lines: list[BudgetLine], book: Mapping[str, Sequence[tuple[str, int]]]) -> list[BudgetLine]:
    """Rep quotas: each (month, category, territory) amount split between the territory's reps in
    proportion to their book (``book[territory]``: (rep id, clients owned)), in hundreds, largest
    remainders first, so that every territory's total is unchanged. A territory without reps keeps
    one line without a rep."""
    out: list[BudgetLine] = []
    for line in lines:
        reps = [(rep, weight) for rep, weight in book.get(line.territory_code, ()) if weight > 0]
        if not reps:
            out.append(line)
            continue
        hundreds, total = line.amount // 100, sum(weight for _, weight in reps)
        shares = [hundreds * weight / total for _, weight in reps]
        floors = [int(share) for share in shares]
        by_remainder = sorted(range(len(reps)), key=lambda i: (floors[i] - shares[i], i))
        for i in by_remainder[: hundreds - sum(floors)]:
            floors[i] += 1
        out.extend(
            replace(line, amount=floor * 100, sales_rep_id=rep)
            for (rep, _), floor in zip(reps, floors, strict=True)
        )
    return out


def monthly_totals(lines: list[BudgetLine]) -> dict[date, int]:
    totals: dict[date, int] = {}
    for line in lines:
        totals[line.month] = totals.get(line.month, 0) + line.amount
    return totals


def _header(ws: Worksheet, row: int, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = Border(bottom=_THIN)


def _data_row(ws: Worksheet, row: int, values: list[object]) -> None:
    """One row; the first cell is the month, the last the amount (a blank row when values are None)."""
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        if col == 1:
            cell.number_format = MONTH_FORMAT
        elif col == len(values):
            cell.number_format = AMOUNT_FORMAT
        cell.border = Border(bottom=_THIN)


def build_workbook(lines: list[BudgetLine], period: Period, signals: Signals, form: BudgetForm) -> Workbook:
    year = period.budget_year
    wb = Workbook()
    ws = wb.active
    if form == "simple":
        ws.title = "Budget"
        _header(ws, 1, ["Month", "Budget"])
        for i, (month, total) in enumerate(sorted(monthly_totals(lines).items()), start=2):
            _data_row(ws, i, [datetime(month.year, month.month, 1), total])
        ws.column_dimensions["A"].width = 12
        ws.column_dimensions["B"].width = 14
    else:
        ws.title = f"Budget {year}"
        ws["A1"] = f"FY{year} Internet Sales Budget"
        ws["A1"].font = Font(bold=True, size=14)
        with_rep = any(line.sales_rep_id for line in lines)
        # header -> column width; the rep column only when the lines carry quotas
        columns = {"Month": 12, "Category": 14, "Territory": 11, **({"Sales Rep": 10} if with_rep else {})}
        columns["Budget"] = 14
        _header(ws, 3, list(columns))
        row = 4
        for line in lines:
            month = datetime(line.month.year, line.month.month, 1)
            rep = [line.sales_rep_id] if with_rep else []
            _data_row(ws, row, [month, line.category, line.territory_code, *rep, line.amount])
            row += 1
        for blank in range(row, row + 2):  # formatted but empty, as spreadsheets often end
            _data_row(ws, blank, [None] * len(columns))
        ws.freeze_panes = "A4"
        for col, width in zip("ABCDE", columns.values(), strict=False):
            ws.column_dimensions[col].width = width
        notes = wb.create_sheet("Notes")
        for i, text in enumerate(
            [
                f"FY{year} internet sales budget - approved version",
                "Prepared by Finance (FP&A) for the sales dashboards.",
                f"Basis: FY{year - 1} underlying net sales (run rate, without one-off orders) by month, "
                f"product category and sales territory, plus {signals.planned_growth:.0%} planned growth.",
                *(
                    ["Rep quotas: each territory's budget split between its reps by the clients they own."]
                    if with_rep
                    else []
                ),
                "Amounts are net of discounts, in whole currency units, rounded to hundreds.",
                "Territory codes as in the CRM; categories as in the product catalogue.",
            ],
            start=1,
        ):
            notes.cell(row=i, column=1, value=text)
        notes.column_dimensions["A"].width = 100
    # Finance's file was last saved before the budget year began; fixed so the bytes repeat.
    stamp = datetime(year - 1, 12, 15, 9, 30, 0)
    wb.properties.creator = "Finance"
    wb.properties.lastModifiedBy = "Finance"
    wb.properties.title = f"FY{year} Internet Sales Budget"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes with fixed properties and zip entry times (``Workbook.save`` stamps now())."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def write_budget(
    lines: list[BudgetLine], path: Path, period: Period, signals: Signals, form: BudgetForm
) -> None:
    path.write_bytes(workbook_bytes(build_workbook(lines, period, signals, form)))
