"""CSV exports: one table as a CSV file, or every table of a page as CSV files in a ZIP archive
(with ``filters.csv`` saying who asked, as of when, and with which filters)."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd

from salespulse.web.exports.report import Report, file_stem, public_columns


def table_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it right); numbers exactly as computed."""
    columns = public_columns(frame)
    return frame[columns].to_csv(index=False).encode("utf-8-sig")


def filters_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Setting", "Value"])
    writer.writerow(["Page", report.title])
    writer.writerow(["User", report.user])
    writer.writerow(["As of", report.as_of.isoformat()])
    writer.writerow(["Generated", report.generated.isoformat(timespec="seconds")])
    for label, value in report.filters:
        writer.writerow([f"Filter: {label}", value])
    if report.notice:
        writer.writerow(["Notice", report.notice])
    return out.getvalue().encode("utf-8-sig")


def report_zip(report: Report) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("filters.csv", filters_csv(report))
        taken = {"filters"}
        for item, frame in report.items():
            stem = "key-figures" if item.kind == "kpis" else file_stem(item.title)
            name, n = stem, 2
            while name in taken:  # two visuals with one title: two files, not one archive entry twice
                name, n = f"{stem}-{n}", n + 1
            taken.add(name)
            archive.writestr(f"{name}.csv", table_csv(frame))
    return buffer.getvalue()
