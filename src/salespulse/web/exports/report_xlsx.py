"""Excel export: a "Report" sheet (title, user, as-of date, filters, key figures), then one sheet
per visual with its table and, for charts, a native Excel chart of the same numbers."""

from __future__ import annotations

import io
import math
import numbers
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from salespulse.web.exports.report import ChartData, Report, chart_data, public_columns
from salespulse.web.ui.formatting import excel_format

HEADER = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
TITLE = Font(bold=True, size=16)
MAX_SHEET_NAME = 31  # Excel's limit
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Words a shortened sheet name does not end on.
DANGLING = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "per", "the", "to"}
DANGLING |= {"vs", "with", "without", "&"}
#: The abbreviations a sheet name may use to fit whole (a finance reader knows them).
ABBREVIATIONS = (("to date", "TD"), ("and", "&"))


def _cell(value: Any) -> Any:
    """A value a cell can hold: blanks, NaN and infinities (Excel has no such number and calls a file
    holding one corrupt) are empty; text loses the control characters XML cannot carry."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool | date | datetime):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` as data: a text starting with "=" (a client called "=HYPERLINK(...)") stays
    text, never a formula Excel would run."""
    cell = sheet.cell(row=row, column=column, value=_cell(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    return cell


def _clean(text: str) -> str:
    """``text`` without the characters Excel forbids in a sheet name (``[]:*?/\\``), on one line,
    not starting or ending with an apostrophe (Excel refuses that too)."""
    return " ".join(FORBIDDEN.sub(" ", text).split()).strip("'").strip()


def _trim(text: str) -> str:
    """``text`` without a trailing separator or connecting word ("Sales vs budget to date, by"
    reads as cut off; "Sales vs budget to date" does not)."""
    words = text.rstrip(" ,;–-&").split(" ")
    while len(words) > 1 and words[-1].lower() in DANGLING:
        words.pop()
        words[-1] = words[-1].rstrip(",;–-&")
    return " ".join(words)


def _word_cut(text: str, limit: int) -> str:
    """The longest start of ``text`` that ends at a word boundary and fits ``limit``."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else ""
    return _trim(head) or text[:limit].strip()


def _readings(title: str) -> list[str]:
    """Shorter readings of a visual's title, most complete first: the title; without a remark in
    brackets; the heading before a colon or a dash (what follows explains it); the part before the
    first comma, when it has two words or more (a comma after one word starts a list)."""
    plain = " ".join(re.sub(r"\s*\([^)]*\)", "", title).split()) or title
    out = [title, plain]
    heading = re.split(r": | [–—-] ", plain, maxsplit=1)[0]
    out.append(heading)
    first = heading.split(", ", 1)[0]
    if len(first.split()) >= 2:
        out.append(first)
    return out


def sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name for a visual's title that Excel accepts and a reader recognises: at most 31
    characters without ``[]:*?/\\``, unique in the workbook (``taken``: names used so far, lower
    case; the new one is added), never cut mid-word.

    The most complete reading of the title that fits (see ``_readings``), each tried as it is and
    with the deliberate abbreviations of ``ABBREVIATIONS`` ("Sales vs budget TD by territory");
    failing all, the shortest reading cut at the last whole word that fits, without a dangling "by"
    or "and". A name already taken gets " (2)", " (3)", ... (cut at a word to make room)."""
    readings = [_clean(r) for r in _readings(title)]
    tries = [name for r in _readings(title) for name in (_clean(r), _clean(_abbreviate(r)))]
    base = next((name for name in tries if name and len(name) <= MAX_SHEET_NAME), "")
    base = base or _word_cut(readings[-1], MAX_SHEET_NAME) or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = _word_cut(base, MAX_SHEET_NAME - len(suffix)) + suffix, n + 1
    taken.add(name.lower())
    return name


def _abbreviate(text: str) -> str:
    for long, short in ABBREVIATIONS:
        text = re.sub(rf"\b{re.escape(long)}\b", short, text)
    return text


def _write_table(sheet: Worksheet, frame: pd.DataFrame, row: int, column: int = 1) -> tuple[int, int]:
    """Write a header and rows at (row, column); return the last row and column written."""
    columns = public_columns(frame)
    for offset, name in enumerate(columns):
        cell = _put(sheet, row, column + offset, name)
        cell.font, cell.fill = HEADER, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for r, record in enumerate(frame[columns].itertuples(index=False), start=row + 1):
        for offset, value in enumerate(record):
            cell = _put(sheet, r, column + offset, value)
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
        _put(sheet, 2, column + offset, name).font = Font(bold=True)
    for r, category in enumerate(data.categories, start=3):
        _put(sheet, r, column, category)
        for offset, name in enumerate(names, start=1):
            _put(sheet, r, column + offset, data.series[name][r - 3])
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


def _write_contents(cover: Worksheet, contents: list[tuple[str, str]], row: int) -> None:
    """A list of the sheets on the cover, each linked, with the visual's full title (a sheet name
    holds at most 31 characters; the title says what the sheet is)."""
    if not contents:
        return
    cover.cell(row=row, column=1, value="Sheets").font = Font(bold=True, size=13)
    for r, (name, title) in enumerate(contents, start=row + 1):
        link = _put(cover, r, 1, name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(name)}!A1")
        link.style = "Hyperlink"
        _put(cover, r, 2, title)


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
        cell = _put(cover, r, 2, value)
        if isinstance(value, date | datetime):
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 70
    next_row = len(rows) + 5
    taken = {"report", "history"}  # Excel keeps "History" for itself
    contents: list[tuple[str, str]] = []
    for item, frame in report.items():
        if item.kind == "kpis":
            cover.cell(row=next_row, column=1, value="Key figures").font = Font(bold=True, size=13)
            kpis = pd.DataFrame(
                {"Measure": list(frame.columns), "Value": list(frame.iloc[0]) if len(frame) else []}
            )
            for r, (name, value) in enumerate(kpis.itertuples(index=False), start=next_row + 1):
                _put(cover, r, 1, name)
                cell = _put(cover, r, 2, value)
                form = excel_format(name)
                if form and cell.value is not None:
                    cell.number_format = form
                cell.alignment = Alignment(horizontal="left")
            next_row += len(kpis) + 2
            continue
        sheet = book.create_sheet(sheet_name(item.title, taken))
        contents.append((sheet.title, item.title))
        _, last_column = _write_table(sheet, frame, row=1)
        sheet.freeze_panes = "A2"
        if len(frame):
            sheet.auto_filter.ref = f"A1:{get_column_letter(last_column)}{len(frame) + 1}"
        data = chart_data(item, frame)
        if data is not None and data.categories:
            _write_chart_block(sheet, data, column=last_column + 2, title=item.title)
    _write_contents(cover, contents, next_row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
