"""PDF export: the page as a printable report (A4 landscape) with the user, the as-of date and the
active filters written on it, the key figures, and each visual as a vector chart and a table."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from salespulse.web.exports.report import ChartData, Report, chart_data, public_columns, shorten
from salespulse.web.ui.charts import PALETTE
from salespulse.web.ui.formatting import display

TABLE_ROWS = 30
MAX_LABELS = 24  # category labels on one axis
LEGEND_ENTRIES = 12
PAGE = landscape(A4)
WIDTH = PAGE[0] - 30 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "h2": base["Heading2"],
        "body": base["BodyText"],
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7, leading=8.5),
    }


def _text(value: Any, column: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return display(column, value) if display(column, value) != str(value) else f"{value}"
    return str(value)


def _table(frame: pd.DataFrame, styles: dict[str, ParagraphStyle]) -> Table:
    columns = public_columns(frame)
    shown = frame[columns].head(TABLE_ROWS)
    rows = [[Paragraph(f"<b>{escape(str(c))}</b>", styles["cell"]) for c in columns]]
    for record in shown.itertuples(index=False):
        rows.append(
            [Paragraph(escape(_text(v, c)), styles["cell"]) for v, c in zip(record, columns, strict=True)]
        )
    table = Table(rows, repeatRows=1, colWidths=[WIDTH / max(len(columns), 1)] * len(columns))
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe8f0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0bcc8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def drawn_series(data: ChartData) -> tuple[list[str], list[str]]:
    """(the series a PDF chart draws, the series with no value at all).

    Amounts are drawn, percentages only when there are no amounts (one value axis). A series without
    a single value is left out: reportlab cannot draw a line through no points (the budget of a
    range without a budget, a year of a trend with no sales) and a row of zero bars would say
    "zero" where the truth is "none"."""
    empty = [n for n, values in data.series.items() if all(v is None for v in values)]
    present = [n for n in data.series if n not in empty]
    return [n for n in present if n not in data.percent] or present, empty


def _axis_format(values: list[float], percent: bool) -> Any:
    """Tick labels: whole numbers (or per cent), with decimals only when the range is narrow enough
    for whole numbers to repeat on neighbouring ticks."""
    scale = 100 if percent else 1
    span = (max(values) - min(values)) * scale if values else 0
    digits = 0 if span >= 10 or span == 0 else (1 if span >= 1 else 2)
    suffix = "%" if percent else ""
    return lambda v: f"{v * scale:,.{digits}f}{suffix}"


def _labels(categories: list[str]) -> list[str]:
    """Category labels, shortened at a word; with more than ``MAX_LABELS`` (the months of several
    years) only every n-th is written, so they do not print over each other."""
    step = -(-len(categories) // MAX_LABELS)
    return [shorten(c, 28) if i % step == 0 else "" for i, c in enumerate(categories)]


def _drawing(data: ChartData, horizontal: bool) -> Drawing | None:
    """A vector chart of ``data``, or ``None`` when no series has a value to draw."""
    names, _ = drawn_series(data)
    if not names:
        return None
    as_lines = (
        data.lines or len(names) > 3 or (not horizontal and len(data.categories) > 8 and len(names) > 1)
    )
    # a line skips a blank value (a forecast's past, an actual's future); a bar is drawn as zero
    values = [[v if v is not None or as_lines else 0 for v in data.series[n]] for n in names]
    numbers = [v for row in values for v in row if v is not None]
    height = 170 if not horizontal else max(120, 14 * len(data.categories) + 40)
    drawing = Drawing(WIDTH, height + 20)
    if as_lines:
        chart: Any = HorizontalLineChart()
        chart.lines.strokeWidth = 1.5
    else:
        chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (160 if horizontal else 50), 30
    chart.width, chart.height = WIDTH - chart.x - 140, height - 30
    chart.data = values
    labels = _labels(data.categories)
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = 6
    if not horizontal:
        chart.categoryAxis.labels.angle = 45 if len(labels) > 6 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
    else:
        chart.categoryAxis.reverseDirection = True
    chart.valueAxis.labels.fontSize = 6
    if all(v >= 0 for v in numbers):
        chart.valueAxis.valueMin = 0
    if all(v == 0 for v in numbers):  # all zero: an axis from 0 to 1, not a range of nothing
        chart.valueAxis.valueMax = 1
    chart.valueAxis.labelTextFormat = _axis_format(numbers, all(n in data.percent for n in names))
    style = chart.lines if isinstance(chart, HorizontalLineChart) else chart.bars
    for index, row in enumerate(values):
        color = colors.HexColor(PALETTE[index % len(PALETTE)])
        style[index].strokeColor = color
        if not isinstance(chart, HorizontalLineChart):
            style[index].fillColor = color
        elif sum(v is not None for v in row) == 1:  # a line of one point is a dot: draw it
            style[index].symbol = makeMarker("FilledCircle", size=4)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 130, height
    legend.fontSize = 6
    legend.colorNamePairs = [
        (colors.HexColor(PALETTE[i % len(PALETTE)]), shorten(n, 24)) for i, n in enumerate(names)
    ][:LEGEND_ENTRIES]
    # one column beside the chart, inside the drawing (reportlab's default: columns of 3 that run off
    # the page, rows 14 pt apart that run into the table below)
    legend.columnMaximum = LEGEND_ENTRIES
    legend.dx = legend.dy = 6
    legend.deltay = 9
    drawing.add(legend)
    return drawing


def pdf_bytes(report: Report) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{report.title} – salespulse",
        author=report.user,
    )
    story: list[Any] = [Paragraph(escape(report.title), styles["title"])]
    meta = [
        f"<b>User:</b> {escape(report.user)}",
        f"<b>As of:</b> {report.as_of.isoformat()}",
        f"<b>Generated:</b> {report.generated.strftime('%Y-%m-%d %H:%M')} UTC",
    ]
    story += [Paragraph(line, styles["small"]) for line in meta]
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph("<b>Active filters</b>", styles["body"]))
    lines = [f"{escape(label)}: {escape(value)}" for label, value in report.filters] or [
        "none (all data you may see)"
    ]
    story += [Paragraph(f"• {line}", styles["small"]) for line in lines]
    if report.notice:
        story.append(Paragraph(f"<b>{escape(report.notice)}</b>", styles["body"]))
    for item, frame in report.items():
        block: list[Any] = [Spacer(1, 4 * mm), Paragraph(escape(item.title), styles["h2"])]
        if item.kind == "kpis":
            if len(frame):
                pairs = [(c, display(c, frame.iloc[0][c])) for c in frame.columns]
                table = Table([[c for c, _ in pairs], [v for _, v in pairs]])
                table.setStyle(
                    TableStyle(
                        [
                            ("FONTSIZE", (0, 0), (-1, -1), 9),
                            ("FONTNAME", (0, 1), (-1, 1), "Helvetica-Bold"),
                            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0bcc8")),
                        ]
                    )
                )
                block.append(table)
            story.append(KeepTogether(block))
            continue
        data = chart_data(item, frame, limit=20)
        if data is not None and data.categories:
            drawing = _drawing(data, horizontal=item.kind in ("hbar", "map"))
            if drawing is not None:
                block.append(drawing)
            empty = drawn_series(data)[1]
            if empty:
                note = "No values to chart" if drawing is None else "Not charted, no values"
                block.append(Paragraph(f"{note}: {escape(', '.join(empty))}.", styles["small"]))
        if frame.empty:
            block.append(Paragraph("No data for these filters.", styles["small"]))
        story.append(KeepTogether(block))
        if not frame.empty:
            story.append(_table(frame, styles))
            if len(frame) > TABLE_ROWS:
                story.append(
                    Paragraph(
                        f"First {TABLE_ROWS} of {len(frame):,} rows (the Excel export has all).",
                        styles["small"],
                    )
                )
    document.build(story)
    return buffer.getvalue()
