"""Excel export: a "Report" sheet (title, user, as-of date, filters, key figures), then one sheet
per visual with its table and, for charts, a native Excel chart of the same numbers."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from salespulse.web.ui.formatting import excel_format
from salespulse.web.ui.report import ChartData, Report, chart_data, public_columns

HEADER = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
TITLE = Font(bold=True, size=16)


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, Decimal | int | float | str | date | datetime | bool):
        return value
    return str(value)


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _write_table(sheet: Worksheet, frame: pd.DataFrame, row: int, column: int = 1) -> tuple[int, int]:
    """Write a header and rows at (row, column); return the last row and column written."""
    columns = public_columns(frame)
    for offset, name in enumerate(columns):
        cell = sheet.cell(row=row, column=column + offset, value=name)
        cell.font, cell.fill = HEADER, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for r, record in enumerate(frame[columns].itertuples(index=False), start=row + 1):
        for offset, value in enumerate(record):
            cell = sheet.cell(row=r, column=column + offset, value=_cell(value))
            form = excel_format(columns[offset])
            if form and cell.value is not None:
                cell.number_format = form
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for offset, name in enumerate(columns):
        width = max([len(str(name))] + [len(str(v)) for v in frame[name].head(200).tolist()]) + 2
        sheet.column_dimensions[get_column_letter(column + offset)].width = min(max(width, 10), 45)
    return row + len(frame), column + len(columns) - 1


def _write_chart_block(sheet: Worksheet, data: ChartData, column: int, title: str) -> None:
    """The chart's numbers in wide form (right of the table) and a native chart over them."""
    sheet.cell(row=1, column=column, value="Chart data").font = Font(bold=True)
    names = list(data.series)
    sheet.cell(row=2, column=column, value="")
    for offset, name in enumerate(names, start=1):
        sheet.cell(row=2, column=column + offset, value=name).font = Font(bold=True)
    for r, category in enumerate(data.categories, start=3):
        sheet.cell(row=r, column=column, value=category)
        for offset, name in enumerate(names, start=1):
            sheet.cell(row=r, column=column + offset, value=data.series[name][r - 3])
    last = 2 + len(data.categories)
    categories = Reference(sheet, min_col=column, min_row=3, max_row=last)
    bars = [n for n in names if n not in data.percent]
    lines = [n for n in names if n in data.percent]
    if data.lines:
        bars, lines = [], names
    chart = BarChart() if bars else LineChart()
    chart.title = title
    for name in bars or lines:
        offset = names.index(name) + 1
        chart.add_data(
            Reference(sheet, min_col=column + offset, min_row=2, max_row=last), titles_from_data=True
        )
    chart.set_categories(categories)
    if lines and bars:  # a percentage next to amounts: a line on its own axis
        line = LineChart()
        for name in lines:
            offset = names.index(name) + 1
            line.add_data(
                Reference(sheet, min_col=column + offset, min_row=2, max_row=last), titles_from_data=True
            )
        line.y_axis.axId = 200
        line.y_axis.crosses = "max"
        chart += line
    chart.height, chart.width = 9, 18
    anchor_column = get_column_letter(column + len(names) + 2)
    sheet.add_chart(chart, f"{anchor_column}2")


def workbook_bytes(report: Report) -> bytes:
    book = Workbook()
    cover = book.active
    cover.title = "Report"
    cover["A1"] = report.title
    cover["A1"].font = TITLE
    rows: list[tuple[str, Any]] = [
        ("User", report.user),
        ("As of", report.as_of),
        ("Generated", report.generated.replace(tzinfo=None)),
    ]
    rows += [(f"Filter: {label}", value) for label, value in report.filters] or [("Filters", "none")]
    if report.notice:
        rows.append(("Notice", report.notice))
    for r, (label, value) in enumerate(rows, start=3):
        cover.cell(row=r, column=1, value=label).font = Font(bold=True)
        cell = cover.cell(row=r, column=2, value=value)
        if isinstance(value, date | datetime):
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 70
    next_row = len(rows) + 5
    taken = {"report"}
    for item, frame in report.items():
        if item.kind == "kpis":
            cover.cell(row=next_row, column=1, value="Key figures").font = Font(bold=True, size=13)
            kpis = pd.DataFrame(
                {"Measure": list(frame.columns), "Value": list(frame.iloc[0]) if len(frame) else []}
            )
            for r, (name, value) in enumerate(kpis.itertuples(index=False), start=next_row + 1):
                cover.cell(row=r, column=1, value=name)
                cell = cover.cell(row=r, column=2, value=_cell(value))
                form = excel_format(name)
                if form and cell.value is not None:
                    cell.number_format = form
                cell.alignment = Alignment(horizontal="left")
            continue
        sheet = book.create_sheet(_sheet_name(item.title, taken))
        _, last_column = _write_table(sheet, frame, row=1)
        sheet.freeze_panes = "A2"
        if len(frame):
            sheet.auto_filter.ref = f"A1:{get_column_letter(last_column)}{len(frame) + 1}"
        data = chart_data(item, frame)
        if data is not None and data.categories:
            _write_chart_block(sheet, data, column=last_column + 2, title=item.title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
