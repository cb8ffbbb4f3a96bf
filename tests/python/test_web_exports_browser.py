"""Every export of every page, for each demo role, downloaded in Chromium as a person does it (the
CSV, Excel and PDF links of the page), in the default view and over a range of two whole years, and
read back: no failed request, a PDF with the page's title, a workbook whose sheet names Excel takes
and a reader recognises, CSV files that parse.

One server and one browser for the module; each role signs in once, in a browser context of its own,
and walks every page twice (default view, then the date range typed into the date picker).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
from pypdf import PdfReader

from salespulse.web.exports.report import file_stem
from salespulse.web.ui.visuals import PAGES, visuals
from test_web_browser import (  # the module's server: the demo warehouse after the forecast
    assert_all_local,
    chips,
    server,  # noqa: F401 (a fixture)
    settle,
    sign_in,
)
from test_web_exports import assert_sheet_names
from web_browsing import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from web_testing import LEAD, MANAGER, REP

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make setup installs it)"
    ),
]

ROLES = {"manager": MANAGER, "regional lead": LEAD, "rep": REP}
#: Two whole years without a budget (the demo's budget is 2024's): the range that failed the PDF.
RANGE = ("2022-01-01", "2023-12-31")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """A role's browser context: every URL it requested, those it was refused (not 127.0.0.1), and
    every answer of the server that was an error."""

    def __init__(self, browser: Any) -> None:
        self.requested: list[str] = []
        self.aborted: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.on("request", lambda request: self.requested.append(request.url))
        self.context.on("response", self._response)
        self.context.route("**/*", self._local_only)

    def _local_only(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort()

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(f"{response.status} {response.url[:200]}")


def fetch(page: Any, selector: str) -> tuple[str, bytes]:
    """Click an export link and wait for its file (a failed download says which link and why)."""
    with page.expect_download() as info:
        page.click(selector)
    item = info.value
    failure = item.failure()
    assert failure is None, (selector, failure, item.url[:300])
    return item.suggested_filename, Path(item.path()).read_bytes()


def set_range(page: Any, start: str, end: str) -> None:
    """Type a date range into the date picker, as a person would."""
    for side, value in (("start", start), ("end", end)):
        field = page.locator(f"input.dash-datepicker-{side}-date")
        field.fill(value)
        field.press("Enter")
        settle(page)  # the start's callback answered before the end is typed, as a person waits
    page.keyboard.press("Escape")
    settle(page)


def check_pdf(name: str, body: bytes, slug: str, email: str, dated: bool) -> None:
    title = PAGES[slug]
    assert name == f"{file_stem(title)}.pdf"
    pages = PdfReader(io.BytesIO(body)).pages
    assert len(pages) >= 1
    first = " ".join(pages[0].extract_text().split())
    assert first.startswith(title) and email in first and "Active filters" in first
    assert ("Dates: " + " to ".join(RANGE) in first) == dated


def check_workbook(name: str, body: bytes, slug: str, dated: bool) -> None:
    title = PAGES[slug]
    assert name == f"{file_stem(title)}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames[0] == "Report" and book["Report"]["A1"].value == title
    cover = [[c for c in row if c is not None] for row in book["Report"].iter_rows(values_only=True)]
    assert (["Filter: Dates", " to ".join(RANGE)] in cover) == dated
    # the cover lists each sheet with its visual's full title: the name is that title, shortened
    listed = cover[cover.index(["Sheets"]) + 1 :]
    assert [row[0] for row in listed] == book.sheetnames[1:] and len(book.sheetnames) > 1
    page_titles = {item.title for item in visuals(slug)}
    assert {row[1] for row in listed} <= page_titles
    assert_sheet_names([row[1] for row in listed], book.sheetnames[1:])


def check_csv(name: str, body: bytes, slug: str, dated: bool) -> None:
    title = PAGES[slug]
    assert name == f"{file_stem(title)}-csv.zip"
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert names[0] == "filters.csv" and len(names) > 1 and len(set(names)) == len(names)
    settings = list(csv.reader(io.StringIO(archive.read("filters.csv").decode("utf-8-sig"))))
    assert ["Page", title] in settings
    assert (["Filter: Dates", " to ".join(RANGE)] in settings) == dated
    for member in names[1:]:
        rows = list(csv.reader(io.StringIO(archive.read(member).decode("utf-8-sig"))))
        assert rows and rows[0], member  # a header at least


@pytest.mark.parametrize("role", list(ROLES))
def test_every_export_of_every_page_downloads(server: str, browser: Any, role: str) -> None:  # noqa: F811
    email = ROLES[role]
    session = Session(browser)
    page = session.context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    sign_in(page, server, email)
    for dated in (False, True):
        if dated:
            set_range(page, *RANGE)
        for slug in PAGES:
            page.click(f"#nav-{slug}")
            settle(page)
            assert page.inner_text("#page-title") == PAGES[slug]
            assert ("Dates: " + " – ".join(RANGE) in chips(page)) == dated
            check_pdf(*fetch(page, "#export-pdf"), slug, email, dated)
            check_workbook(*fetch(page, "#export-xlsx"), slug, dated)
            check_csv(*fetch(page, "#export-csv"), slug, dated)
            assert session.errors == [], (slug, dated, session.errors)
    assert page_errors == []
    assert_all_local(session.requested, session.aborted)
    session.context.close()
