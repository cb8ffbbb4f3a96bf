"""The Power BI report (PBIR): committed files, schema validation, field and structure checks, layout.

Every check here is also shown to catch what it is for: a copy of the project is broken in one
place and the problem must be reported, naming the right file.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from salespulse.errors import Problem
from salespulse.powerbi.layout import page_slug, render_layout_pictures
from salespulse.powerbi.problems import JsonProblem
from salespulse.powerbi.report import DOCS_DIR, POWERBI_DIR, REPORT_FOLDER, render_report, write_report
from salespulse.powerbi.report_fields import (
    ModelFields,
    check_report_fields,
    report_field_refs,
    semantic_model_fields,
)
from salespulse.powerbi.report_reader import PageFile, VisualFile, filter_restatements, read_json, read_pages
from salespulse.powerbi.report_structure import check_report_structure
from salespulse.powerbi.schemas import (
    SCHEMAS_ENV,
    SchemasNotFoundError,
    require_schemas,
    schemas_dir,
    validate_json_files,
)
from salespulse.powerbi.tmdl import parse_semantic_model
from salespulse.semantic import load_measures, load_model
from salespulse.settings import PROJECT_ROOT

REPORT_DIR = POWERBI_DIR / REPORT_FOLDER
PAGES = (
    "Sales Overview",
    "Sales Reps",
    "Customer Details",
    "Product Details",
    "Campaigns",
    "Forecast",
    "Clients",
    "Client tooltip",
)
SLICED_FIELDS = {
    "Date[Date]",
    "Territory[Region]",
    "Sales Rep[Sales Rep]",
    "Product[Category]",
    "Customer[Client]",
    "Customer[Client Type]",
    "Customer[Industry]",
    "Campaign[Campaign]",
}
OVERVIEW = "definition/pages/sales_overview"
TOP_CLIENTS = f"{OVERVIEW}/visuals/top_10_clients/visual.json"
CUSTOMER_PAGE = "definition/pages/customer_details/page.json"


@pytest.fixture(scope="module")
def schemas() -> Path:
    try:
        return require_schemas()
    except SchemasNotFoundError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def model() -> ModelFields:
    return semantic_model_fields()


@pytest.fixture(scope="module")
def pages() -> list[PageFile]:
    return read_pages(REPORT_DIR)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of powerbi/ (report, model, project file) to break."""
    target = tmp_path / "powerbi"
    shutil.copytree(POWERBI_DIR, target, ignore=shutil.ignore_patterns(".pbi"))
    return target


def edit(path: Path, change: Callable[[Any], Any]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    result = change(document)
    path.write_text(json.dumps(document if result is None else result, indent=2), encoding="utf-8")


def files_of(problems: list[Problem]) -> set[str]:
    return {problem.file for problem in problems}


# --------------------------------------------------------------------------------------------
# The committed files
# --------------------------------------------------------------------------------------------


def test_every_committed_json_file_validates_against_its_schema(schemas: Path) -> None:
    problems = validate_json_files(POWERBI_DIR, schemas)
    assert problems == [], "\n".join(map(str, problems))


def test_committed_report_is_what_the_generator_renders() -> None:
    rendered = render_report()
    stale = [str(path) for path, text in rendered.items() if not (POWERBI_DIR / path).is_file()]
    stale += [
        str(path)
        for path, text in rendered.items()
        if (POWERBI_DIR / path).is_file() and (POWERBI_DIR / path).read_text(encoding="utf-8") != text
    ]
    committed = {
        path.relative_to(POWERBI_DIR)
        for path in REPORT_DIR.rglob("*")
        if path.is_file() and ".pbi" not in path.relative_to(REPORT_DIR).parts
    }
    extra = sorted(str(path) for path in committed - set(rendered))
    assert not stale and not extra, (
        f"out of date: {stale}; not rendered any more: {extra}. Run salespulse powerbi write"
    )


def test_rendering_is_deterministic_and_json_is_formatted() -> None:
    first, second = render_report(), render_report()
    assert first == second
    for path, text in first.items():
        assert text.endswith("\n") and not text.endswith("\n\n"), path
        if path.name != ".gitignore":
            assert json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n" == text, path


def test_write_report_drops_files_no_longer_rendered_and_keeps_local_settings(tmp_path: Path) -> None:
    write_report(tmp_path)
    stale = tmp_path / REPORT_FOLDER / "definition/pages/old_page/visuals/old/visual.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    local = tmp_path / REPORT_FOLDER / ".pbi" / "localSettings.json"
    local.parent.mkdir()
    local.write_text("{}", encoding="utf-8")
    written = write_report(tmp_path)
    assert not stale.exists() and not (tmp_path / REPORT_FOLDER / "definition/pages/old_page").exists()
    assert local.exists()
    assert {path.relative_to(tmp_path) for path in written} == set(render_report())


def test_project_files_are_what_desktop_saves() -> None:
    pbir = read_json(REPORT_DIR / "definition.pbir")
    assert pbir["datasetReference"] == {"byPath": {"path": "../SalesPulse.SemanticModel"}}
    assert read_json(POWERBI_DIR / "SalesPulse.pbip")["artifacts"] == [{"report": {"path": REPORT_FOLDER}}]
    assert read_json(REPORT_DIR / ".platform")["metadata"] == {"type": "Report", "displayName": "SalesPulse"}
    gitignore = (POWERBI_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"**/.pbi/localSettings.json", "**/.pbi/cache.abf"} <= set(gitignore)
    report = read_json(REPORT_DIR / "definition/report.json")
    themes = report["themeCollection"]
    # a Microsoft base theme (Desktop ships it) under our custom theme, registered as Desktop does
    assert themes["baseTheme"]["type"] == "SharedResources" and themes["baseTheme"]["name"] == "CY24SU10"
    custom = themes["customTheme"]
    assert custom["type"] == "RegisteredResources"
    theme_file = REPORT_DIR / "StaticResources/RegisteredResources" / custom["name"]
    assert read_json(theme_file)["name"] == "SalesPulse"
    registered = [p for p in report["resourcePackages"] if p["type"] == "RegisteredResources"]
    assert registered[0]["items"] == [{"name": custom["name"], "path": custom["name"], "type": "CustomTheme"}]
    assert not (REPORT_DIR / "StaticResources/SharedResources").exists()  # Microsoft's file: not ours
    for path in REPORT_DIR.rglob("*.json"):
        if "StaticResources" not in path.parts:
            assert read_json(path)["$schema"].startswith(
                "https://developer.microsoft.com/json-schemas/fabric/"
            )


def test_report_files_are_consistent() -> None:
    problems = check_report_structure(REPORT_DIR)
    assert problems == [], "\n".join(map(str, problems))


def test_every_field_the_report_uses_exists_in_the_model_and_is_visible(model: ModelFields) -> None:
    problems = check_report_fields(REPORT_DIR, model)
    assert problems == [], "\n".join(map(str, problems))


LEAKS = (
    re.compile(r"(?<![\w/])[A-Za-z]:(?:\\|/(?!/))"),  # C:\ (also JSON-escaped) or C:/, not a URL
    re.compile(r"(?<![\w.~:/-])/(?:home|work|Users|root|tmp|mnt)/"),
    re.compile(r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token)[\"']?\s*[=:]"),
    re.compile(r"(?i)AccountKey=|SharedAccessSignature=|Bearer [A-Za-z0-9._-]{20,}"),
)


def leaks(folder: Path) -> list[str]:
    """Lines with a local path or a credential, in every file Power BI reads (not the Markdown
    guides, which may show example paths on the reader's machine, nor Desktop's local caches)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or ".pbi" in path.parts or path.suffix in (".abf", ".md"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if any(pattern.search(line) for pattern in LEAKS):
                found.append(f"{path.relative_to(folder).as_posix()}:{number}: {line.strip()}")
    return found


def test_no_local_paths_or_credentials_under_powerbi() -> None:
    assert leaks(POWERBI_DIR) == []


@pytest.mark.parametrize(
    "leak",
    [
        '"path": "C:\\\\Users\\\\me\\\\SalesPulse.SemanticModel"',
        '"path": "/home/me/model"',
        '"password": "hunter2"',
    ],
)
def test_leak_scan_catches_local_paths_and_credentials(project_copy: Path, leak: str) -> None:
    pbir = project_copy / REPORT_FOLDER / "definition.pbir"
    pbir.write_text(pbir.read_text(encoding="utf-8").replace('"version": "4.0"', f'{leak}, "version": "4.0"'))
    assert [line.split(":")[0] for line in leaks(project_copy)] == [f"{REPORT_FOLDER}/definition.pbir"]


# --------------------------------------------------------------------------------------------
# What the issue asks for
# --------------------------------------------------------------------------------------------


def labels(page: PageFile) -> set[str]:
    return {ref.label for visual in page.visuals for ref in visual.fields}


def test_every_page_of_the_issue_is_present(pages: list[PageFile]) -> None:
    assert [page.display_name for page in pages] == list(PAGES)
    by_name = {page.display_name: page for page in pages}
    expected = {
        "Sales Overview": {
            "[Sales]",
            "[Budget]",
            "[Attainment %]",
            "[Budget To Date]",
            "[Sales YTD]",
            "[Sales PYTD]",
            "Date[Year Month Name]",
            "Date[Month]",
            "Date[Year]",
            "Customer[Client]",
            "Product[Product]",
            "Product[Category]",
            "Geography[Geography Hierarchy > City]",
        },
        "Sales Reps": {
            "Sales Rep[Sales Rep]",
            "[Sales]",
            "[Budget]",
            "[Variance]",
            "[Attainment %]",
            "[New Customers]",
        },
        "Customer Details": {"[Sales]", "Order Lines[Order Number]", "Product[Product Hierarchy > Product]"},
        "Product Details": {"[Sales]", "Customer[Client]", "Territory[Territory]"},
        "Campaigns": {"[Campaign Sales]", "[Campaign Share %]", "Campaign[Campaign]", "[New Customers]"},
    }
    for name, fields in expected.items():
        assert fields <= labels(by_name[name]), (name, fields - labels(by_name[name]))
    types = {visual.visual_type for visual in by_name["Sales Overview"].visuals}
    # no Bing map (deprecated): sales by geography is a core bar chart drilling Region > City
    assert {"cardVisual", "lineClusteredColumnComboChart", "lineChart", "clusteredBarChart"} <= types
    assert not types & {"map", "filledMap"}


def test_top_10_visuals_filter_on_the_top_10_by_sales() -> None:
    for file, field in (
        (TOP_CLIENTS, "Client"),
        (f"{OVERVIEW}/visuals/top_10_products/visual.json", "Product"),
    ):
        (top,) = read_json(REPORT_DIR / file)["filterConfig"]["filters"]
        assert top["type"] == "TopN" and top["field"]["Column"]["Property"] == field
        query = top["filter"]["From"][0]["Expression"]["Subquery"]["Query"]
        assert query["Top"] == 10
        assert query["OrderBy"][0]["Expression"]["Measure"]["Property"] == "Sales"


def test_drill_through_pages_are_bound_to_client_and_product(pages: list[PageFile]) -> None:
    bound = {}
    for page in pages:
        binding = page.document.get("pageBinding")
        if binding:
            (parameter,) = binding["parameters"]
            column = parameter["fieldExpr"]["Column"]
            bound[page.display_name] = f"{column['Expression']['SourceRef']['Entity']}[{column['Property']}]"
            assert page.document["type"] == "Drillthrough"
            assert any(visual.visual_type == "actionButton" for visual in page.visuals)  # the back button
    assert bound == {"Customer Details": "Customer[Client]", "Product Details": "Product[Product]"}


# The slicers each page carries: only those whose table reaches a table the page's visuals read.
PAGE_SLICERS = {
    "Forecast": {"Date[Date]", "Territory[Region]", "Forecast Series[Series]"},
    "Clients": SLICED_FIELDS - {"Product[Category]", "Campaign[Campaign]"},
    "Client tooltip": set(),
}


def test_every_page_has_synced_slicers_for_the_fields_that_act_on_it(pages: list[PageFile]) -> None:
    groups: dict[str, str] = {}
    for page in pages:
        slicers = [visual for visual in page.visuals if visual.visual_type == "slicer"]
        shown = {ref.label for slicer in slicers for ref in slicer.fields}
        assert shown == PAGE_SLICERS.get(page.display_name, SLICED_FIELDS), page.display_name
        if not slicers:
            continue
        fields = {}
        for slicer in slicers:
            (ref,) = slicer.fields
            fields[ref.label] = slicer
            assert slicer.sync_group, (page.display_name, ref.label)
            assert groups.setdefault(ref.label, slicer.sync_group) == slicer.sync_group
        modes = {label: json.dumps(visual.config["objects"]["data"]) for label, visual in fields.items()}
        assert "'Between'" in modes["Date[Date]"]
        if "Customer[Client]" in fields:
            assert "'Dropdown'" in modes["Customer[Client]"]
            client = fields["Customer[Client]"].config["objects"]
            assert (
                client["general"][0]["properties"]["selfFilterEnabled"]["expr"]["Literal"]["Value"] == "true"
            )
    assert len(set(groups.values())) == len(groups)  # one group per field


def test_the_three_hierarchies_are_drillable_in_visuals() -> None:
    hierarchies = {(ref.entity, ref.hierarchy) for ref in report_field_refs(REPORT_DIR) if ref.hierarchy}
    assert {("Date", "Calendar"), ("Product", "Product Hierarchy"), ("Geography", "Geography Hierarchy")} <= (
        hierarchies
    )


def test_bookmarks_for_the_saved_views() -> None:
    folder = REPORT_DIR / "definition/bookmarks"
    bookmarks = {read_json(path)["displayName"]: read_json(path) for path in folder.glob("*.bookmark.json")}
    assert {"Budget year vs budget", "Last 24 months", "Year to date", "Last 12 months"} <= set(bookmarks)
    listed = [item["name"] for item in read_json(folder / "bookmarks.json")["items"]]
    assert sorted(listed) == sorted(bookmark["name"] for bookmark in bookmarks.values())
    budget = bookmarks["Budget year vs budget"]["explorationState"]
    assert budget["activeSection"] == "sales_overview"
    # the budget year is the Date table's flag (the warehouse's setting), never a year number
    assert filter_restatements(budget) == ["Date[Is Budget Year] = true"]
    assert filter_restatements(bookmarks["Last 24 months"]["explorationState"]) == [
        "Date[Is Last 24 Months] = true"
    ]


def test_no_year_is_written_in_the_report_the_model_or_their_generator() -> None:
    """Every period follows the warehouse's settings: no year of the demo (or any other) is a
    literal in the generated project, the semantic layer or the Power BI generator."""
    from salespulse.generator.api import DEMO_AS_OF, DEMO_BUDGET_YEAR, DEMO_START

    years = {str(DEMO_BUDGET_YEAR), str(DEMO_AS_OF.year), str(DEMO_START.year)}
    folders = ("powerbi", "src/salespulse/powerbi", "src/salespulse/semantic")
    found = [
        f"{path.relative_to(PROJECT_ROOT)}: {year}"
        for folder in folders
        for path in sorted((PROJECT_ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in (".json", ".tmdl", ".py", ".yml", ".pbip", ".pbir", ".pbism")
        for year in years
        if re.search(rf"(?<![0-9]){year}(?![0-9])", path.read_text(encoding="utf-8"))
    ]
    assert not found


def test_reps_behind_budget_never_keeps_or_sorts_blank_attainment() -> None:
    """DAX compares a blank as 0: "Attainment % < 100 %" alone keeps every rep without a quota.
    The reps table keeps only reps with Budget To Date > 0, and the bookmark restates that filter
    beside its own, so neither the sort (lowest attainment first) nor the bookmark sees blanks."""
    folder = REPORT_DIR / "definition"
    table = read_json(folder / "pages/sales_reps/visuals/sales_vs_budget_by_rep/visual.json")
    assert filter_restatements(table["filterConfig"]) == ["[Budget To Date] > 0"]
    sort = table["visual"]["query"]["sortDefinition"]["sort"]
    assert [item["field"]["Measure"]["Property"] for item in sort] == ["Attainment %"]
    bookmark = read_json(folder / "bookmarks/bookmark_reps_behind_budget.bookmark.json")
    state = bookmark["explorationState"]["sections"]["sales_reps"]["visualContainers"]
    assert filter_restatements(state["sales_vs_budget_by_rep"]) == [
        "[Budget To Date] > 0",
        "[Attainment %] < 1",
    ]
    # the bookmark restates the table's filter under the table's own filter name
    names = [item["name"] for item in state["sales_vs_budget_by_rep"]["filters"]["byExpr"]]
    assert table["filterConfig"]["filters"][0]["name"] in names


def test_every_kpi_card_says_which_period_it_covers(pages: list[PageFile]) -> None:
    """Each card's subtitle is bound to a text measure of the Report Labels folder (Format > Title
    > Subtitle > fx > Field value), and vs-budget cards name the budget's months, not all history."""
    semantic = parse_semantic_model(PROJECT_ROOT / "powerbi/SalesPulse.SemanticModel")
    periods: dict[tuple[str, str], str] = {}
    for page in pages:
        for visual in page.visuals:
            if visual.visual_type != "cardVisual":
                continue
            (subtitle,) = visual.config["visualContainerObjects"]["subTitle"]
            period = subtitle["properties"]["text"]["expr"]["Measure"]["Property"]
            measure = semantic.measure(period)
            assert measure is not None and measure.display_folder == "Report Labels", (
                visual.relative,
                period,
            )
            assert measure.format_string == "@"
            shown = visual.fields[0]  # the number; a comparison may follow (reference label)
            periods[(page.display_name, shown.property)] = period
    assert periods[("Sales Overview", "Sales")] == "Period"
    assert periods[("Sales Overview", "Budget")] == "Budget Period"
    for page in ("Sales Overview", "Sales Reps"):
        assert periods[(page, "Attainment %")] == "Budget To Date Period"
    assert periods[("Sales Reps", "Variance")] == "Budget To Date Period"
    assert len(periods) == 6 * 7 + 4  # six cards on each of the seven pages, four on the tooltip


def test_vs_budget_visuals_compare_the_budget_with_the_sales_of_its_months(pages: list[PageFile]) -> None:
    """Like with like: a visual showing a budget measure shows Sales In Budget Months, not Sales."""
    budget = {"[Budget]", "[Budget To Date]", "[Variance]", "[Attainment %]"}
    for page in pages:
        for visual in page.visuals:
            shown = {ref.label for ref in visual.fields}
            if visual.visual_type not in ("card", "cardVisual") and shown & budget:
                assert "[Sales]" not in shown and "[Sales In Budget Months]" in shown, visual.relative


def test_sales_reps_page_says_when_the_budget_has_no_rep_grain() -> None:
    semantic = parse_semantic_model(PROJECT_ROOT / "powerbi/SalesPulse.SemanticModel")
    note = read_json(REPORT_DIR / "definition/pages/sales_reps/visuals/rep_quota_note/visual.json")
    assert [ref.label for ref in VisualFile("note", note).fields] == ["[Rep Quota Note]"]
    expression = semantic.measure("Rep Quota Note").expression  # type: ignore[union-attr]
    assert "The budget has no sales-rep grain: quotas per rep are not available." in expression
    assert "'Budget Lines'[Budget Grain]" in expression and '"sales rep"' in expression


def test_no_two_visuals_on_a_page_overlap_and_all_fit_the_canvas(pages: list[PageFile]) -> None:
    for page in pages:
        placed = [(visual.name, visual.position) for visual in page.visuals]
        for index, (name, position) in enumerate(placed):
            assert position is not None
            assert position.x >= 0 and position.y >= 0, name
            assert position.x + position.width <= 1280 and position.y + position.height <= 720, name
            for other, other_position in placed[index + 1 :]:
                assert not position.overlaps(other_position), (page.display_name, name, other)


def test_layout_pictures_exist_for_every_page_and_are_up_to_date(pages: list[PageFile]) -> None:
    rendered = render_layout_pictures(REPORT_DIR)
    assert {f"{page_slug(name)}.svg" for name in PAGES} | {"README.md"} == set(rendered)
    for name, text in rendered.items():
        path = DOCS_DIR / name
        assert path.is_file() and path.read_text(encoding="utf-8") == text, (
            f"docs/powerbi/{name} is out of date: run salespulse powerbi write"
        )
    assert {path.name for path in DOCS_DIR.glob("*.svg")} == {
        name for name in rendered if name.endswith(".svg")
    }
    for page in pages:
        svg = rendered[f"{page_slug(page.display_name)}.svg"]
        for visual in page.visuals:
            assert f'<g id="{visual.name}">' in svg
        assert f"({page_slug(page.display_name)}.svg)" in rendered["README.md"]


# --------------------------------------------------------------------------------------------
# The analytics pages (Forecast, Clients) and campaign effectiveness
# --------------------------------------------------------------------------------------------

FORECAST = "definition/pages/forecast"
CLIENTS = "definition/pages/clients"
SERIES_SLICER = f"{FORECAST}/visuals/slicer_forecast_series/visual.json"
FORECAST_CHART = f"{FORECAST}/visuals/sales_and_forecast_by_month/visual.json"
AT_RISK_TABLE = f"{CLIENTS}/visuals/at_risk_clients/visual.json"


def visual_filters(file: str) -> list[str]:
    """The visual-level filters of one visual, restated as 'Table[Column] = value'."""
    return sorted(filter_restatements(read_json(REPORT_DIR / file)["filterConfig"]))


def test_analytics_pages_follow_the_five_and_keep_the_rail(pages: list[PageFile]) -> None:
    by_name = {page.display_name: page for page in pages}
    forecast, clients = by_name["Forecast"], by_name["Clients"]
    for page in (forecast, clients):
        assert (page.width, page.height) == (1280, 720)
        rail = {ref.label for visual in page.visuals if visual.sync_group for ref in visual.fields}
        assert rail == PAGE_SLICERS[page.display_name], page.display_name
    assert {
        "[Projected Full Year]",
        "[Projected Budget]",
        "[Projected vs Budget]",
        "[Projected Attainment %]",
        "[Backtest MAPE %]",
        "[Baseline MAPE %]",
        "[Forecast Actual]",
        "[Forecast]",
        "[Forecast Lower 80]",
        "[Forecast Upper 80]",
        "[Forecast Lower 95]",
        "[Forecast Upper 95]",
        "Forecast Backtest[MAPE %]",
        "Forecast Backtest[Bias %]",
        "Forecast Backtest[Beats Baseline]",
        "Forecast Series[Series]",
    } <= labels(forecast)
    # The fact tables' own series columns are hidden: users slice by Forecast Series.
    assert not {label for label in labels(forecast) if label.endswith(("[Series]", "[Series Level]"))} - {
        "Forecast Series[Series]",
        "Forecast Series[Series Level]",
    }
    assert {
        "[Segmented Clients]",
        "[At-Risk Clients]",
        "[Sales At Risk]",
        "[New Clients]",
        "[Returning Clients]",
        "[Lost Clients]",
        "[Clients Acquired]",
        "Client Segments[RFM Segment]",
        "Client Segments[At Risk Reason]",
        "Customer[Client Type]",
        "Sales Rep[Sales Rep]",
    } <= labels(clients)
    assert {
        "[Campaign Window Sales]",
        "[Campaign Expected Sales]",
        "[Campaign Incremental Sales]",
        "[Campaign Sales Uplift %]",
        "[Campaign New Clients]",
        "Campaign Effectiveness[Window Orders]",
        "Campaign Effectiveness[Window Units]",
    } <= labels(by_name["Campaigns"])


def test_forecast_intervals_are_shown_for_one_series_at_a_time_opening_on_the_total() -> None:
    slicer = read_json(REPORT_DIR / SERIES_SLICER)["visual"]
    (projection,) = slicer["query"]["queryState"]["Values"]["projections"]
    assert projection["queryRef"] == "Forecast Series.Series"
    selection = slicer["objects"]["selection"][0]["properties"]
    assert selection["singleSelect"]["expr"]["Literal"]["Value"] == "true"
    assert selection["strictSingleSelect"]["expr"]["Literal"]["Value"] == "true"  # a value is always selected
    # no saved value: every role opens on the first series it may see (sorted by Series Order, so
    # the total for a manager, the own territory for a rep), never on a hidden "All"
    assert "general" not in slicer["objects"]
    (sort,) = slicer["query"]["sortDefinition"]["sort"]
    assert sort["field"]["Column"]["Property"] == "Series" and sort["direction"] == "Ascending"
    chart = read_json(REPORT_DIR / FORECAST_CHART)["visual"]
    state = chart["query"]["queryState"]
    lines = [p["field"]["Measure"]["Property"] for p in state["Y"]["projections"]]
    assert lines == ["Forecast Actual", "Forecast"]  # the bounds are no lines
    # the 80 % interval is a filled band on the Forecast line; the 95 % bounds are in its tooltip
    (bounds, look) = chart["objects"]["error"]
    assert bounds["selector"]["metadata"] == look["selector"]["metadata"] == "Key Measures.Forecast"
    assert bounds["selector"]["data"] == [{"dataViewWildcard": {"matchingOption": 0}}]
    explicit = bounds["properties"]["errorRange"]["explicit"]
    assert [explicit[key]["expr"]["Measure"]["Property"] for key in ("lowerBound", "upperBound")] == [
        "Forecast Lower 80",
        "Forecast Upper 80",
    ]
    shown = {key: value["expr"]["Literal"]["Value"] for key, value in look["properties"].items()}
    assert shown["enabled"] == shown["shadeShow"] == "true" and shown["shadeBandStyle"] == "'fill'"
    assert shown["barShow"] == shown["markerShow"] == "false"
    tooltips = [p["field"]["Measure"]["Property"] for p in state["Tooltips"]["projections"]]
    assert tooltips == ["Forecast Lower 95", "Forecast Upper 95"]
    measures = [
        *lines,
        *tooltips,
        *(explicit[key]["expr"]["Measure"]["Property"] for key in explicit if key != "isRelative"),
    ]
    # Every measure of the chart reads Sales Forecast, which the slicer's Forecast Series filters
    # through its relationship: one series is in context.
    by_name = {measure.name: measure for measure in load_measures()}
    assert {by_name[name].spec["table"] for name in measures} == {"Sales Forecast"}
    model = load_model()
    forecast_tables = {"Sales Forecast", "Forecast Yearly", "Forecast Backtest"}
    assert {
        rel.from_table for rel in model.relationships if rel.to_table == "Forecast Series"
    } == forecast_tables
    # one filter path from Territory to the forecast: through Forecast Series only
    assert not [
        rel
        for rel in model.relationships
        if rel.from_table in forecast_tables and rel.to_table == "Territory"
    ]


def test_forecast_cards_follow_the_series_slicer_for_the_budget_year() -> None:
    """No card is pinned to a series: the slicer's series (and row-level security) reaches them."""
    for measure in (
        "projected_full_year",
        "projected_budget",
        "projected_vs_budget",
        "projected_attainment_pct",
    ):
        assert visual_filters(f"{FORECAST}/visuals/card_{measure}/visual.json") == [
            "Forecast Yearly[Is Budget Year] = true",
        ], measure
    for measure in ("backtest_mape_pct", "baseline_mape_pct"):
        visual = read_json(REPORT_DIR / f"{FORECAST}/visuals/card_{measure}/visual.json")
        assert "filterConfig" not in visual, measure
    # and the slicer filters them (and the chart): no interaction turns it off
    targets = {
        item["target"] for item in read_json(REPORT_DIR / FORECAST / "page.json")["visualInteractions"]
    }
    assert (
        not {name for name in targets if name.startswith("card_")}
        and FORECAST_CHART.split("/")[-2] not in targets
    )


def test_series_slicer_does_not_filter_the_tables_that_list_every_series() -> None:
    page = read_json(REPORT_DIR / FORECAST / "page.json")
    assert page["visualInteractions"] == [
        {"source": "slicer_forecast_series", "target": "projected_vs_budget_by_series", "type": "NoFilter"},
        {"source": "slicer_forecast_series", "target": "backtest_by_series", "type": "NoFilter"},
    ]
    for name in ("projected_vs_budget_by_series", "backtest_by_series"):
        table = read_json(REPORT_DIR / f"{FORECAST}/visuals/{name}/visual.json")["visual"]
        refs = [p["queryRef"] for p in table["query"]["queryState"]["Values"]["projections"]]
        assert "Forecast Series.Series" in refs, name
        # sorted by Series, whose sort-by column puts the total first, then categories, territories
        (sort,) = table["query"]["sortDefinition"]["sort"]
        assert sort["field"]["Column"]["Property"] == "Series" and sort["direction"] == "Ascending", name


def test_at_risk_clients_table_lists_only_at_risk_clients_and_drills_through_to_the_client() -> None:
    assert visual_filters(AT_RISK_TABLE) == ["Client Segments[Is At Risk] = true"]
    table = read_json(REPORT_DIR / AT_RISK_TABLE)["visual"]
    refs = [p["queryRef"] for p in table["query"]["queryState"]["Values"]["projections"]]
    # Customer Details is bound to Customer[Client]: a visual showing it offers the drill-through.
    bound = read_json(REPORT_DIR / CUSTOMER_PAGE)["pageBinding"]["parameters"][0]["fieldExpr"]["Column"]
    assert refs[0] == f"{bound['Expression']['SourceRef']['Entity']}.{bound['Property']}" == "Customer.Client"
    assert "Key Measures.Sales At Risk" in refs
    assert table["query"]["sortDefinition"]["sort"][0]["field"]["Measure"]["Property"] == "Sales At Risk"


def test_segments_are_sorted_by_their_order_not_alphabetically() -> None:
    assert load_model().table("Client Segments").column("RFM Segment").sort_by == "RFM Segment Order"
    chart = read_json(REPORT_DIR / f"{CLIENTS}/visuals/clients_by_segment/visual.json")["visual"]
    (sort,) = chart["query"]["sortDefinition"]["sort"]
    assert sort == {
        "field": {
            "Column": {"Expression": {"SourceRef": {"Entity": "Client Segments"}}, "Property": "RFM Segment"}
        },
        "direction": "Ascending",
    }


# --------------------------------------------------------------------------------------------
# Each check catches what it is for
# --------------------------------------------------------------------------------------------


def _rename_client_column(document: Any) -> None:
    document["visual"]["query"]["queryState"]["Category"]["projections"][0]["field"]["Column"]["Property"] = (
        "Customer Name"
    )


def _rename_card_measure(document: Any) -> None:
    document["visual"]["query"]["queryState"]["Data"]["projections"][0]["field"]["Measure"]["Property"] = (
        "Revenue"
    )


def _show_hidden_key(document: Any) -> None:
    document["visual"]["query"]["queryState"]["Category"]["projections"][0]["field"]["Column"]["Property"] = (
        "Customer Key"
    )


def _rename_level(document: Any) -> None:
    document["visual"]["query"]["queryState"]["Rows"]["projections"][1]["field"]["HierarchyLevel"][
        "Level"
    ] = "Brand"


def _rename_top_n_subquery_entity(document: Any) -> None:
    document["filterConfig"]["filters"][0]["filter"]["From"][0]["Expression"]["Subquery"]["Query"]["From"][0][
        "Entity"
    ] = "Clients"


def _rename_page_filter_column(document: Any) -> None:
    document["filterConfig"]["filters"][0]["field"]["Column"]["Property"] = "Calendar Year"


def _rename_report_filter_column(document: Any) -> None:
    document["filterConfig"]["filters"][0]["field"]["Column"]["Property"] = "Is Year To Date"


def _rename_slicer_table(document: Any) -> None:
    document["visual"]["query"]["queryState"]["Values"]["projections"][0]["field"]["Column"]["Expression"][
        "SourceRef"
    ]["Entity"] = "Region"


def _rename_bookmark_measure(document: Any) -> None:
    state = document["explorationState"]["sections"]["sales_reps"]["visualContainers"][
        "sales_vs_budget_by_rep"
    ]
    state["filters"]["byExpr"][0]["expression"]["Measure"]["Property"] = "Attainment"


def _rename_measure_table(document: Any) -> None:
    document["visual"]["query"]["queryState"]["Data"]["projections"][0]["field"]["Measure"]["Expression"][
        "SourceRef"
    ]["Entity"] = "Order Lines"


def _rename_interval_measure(document: Any) -> None:
    bounds = document["visual"]["objects"]["error"][0]["properties"]["errorRange"]["explicit"]
    bounds["upperBound"]["expr"]["Measure"]["Property"] = "Forecast Upper 99"


def _show_hidden_segment_column(document: Any) -> None:
    document["visual"]["query"]["queryState"]["Values"]["projections"][0]["field"] = {
        "Column": {"Expression": {"SourceRef": {"Entity": "Client Segments"}}, "Property": "Customer Name"}
    }


def _rename_slicer_default(document: Any) -> None:
    sort = document["visual"]["query"]["sortDefinition"]["sort"][0]
    sort["field"]["Column"]["Property"] = "Series Member"


BROKEN_FIELDS = [
    pytest.param(
        "definition/pages/forecast/visuals/sales_and_forecast_by_month/visual.json",
        _rename_interval_measure,
        "[Forecast Upper 99]",
        id="forecast-measure",
    ),
    pytest.param(
        "definition/pages/clients/visuals/at_risk_clients/visual.json",
        _show_hidden_segment_column,
        "'Client Segments'[Customer Name] is hidden",
        id="analytics-hidden-column",
    ),
    pytest.param(
        "definition/pages/forecast/visuals/slicer_forecast_series/visual.json",
        _rename_slicer_default,
        "column 'Forecast Series'[Series Member]",
        id="slicer-sort",
    ),
    pytest.param(TOP_CLIENTS, _rename_client_column, "column 'Customer'[Customer Name]", id="visual-column"),
    pytest.param(
        f"{OVERVIEW}/visuals/card_sales/visual.json", _rename_card_measure, "[Revenue]", id="measure"
    ),
    pytest.param(TOP_CLIENTS, _show_hidden_key, "is hidden", id="hidden-column"),
    pytest.param(
        "definition/pages/customer_details/visuals/products_bought/visual.json",
        _rename_level,
        "level 'Brand'",
        id="hierarchy-level",
    ),
    pytest.param(TOP_CLIENTS, _rename_top_n_subquery_entity, "table 'Clients'", id="visual-topn-filter"),
    pytest.param(f"{OVERVIEW}/page.json", _rename_page_filter_column, "[Calendar Year]", id="page-filter"),
    pytest.param(
        "definition/report.json", _rename_report_filter_column, "[Is Year To Date]", id="report-filter"
    ),
    pytest.param(
        f"{OVERVIEW}/visuals/slicer_region/visual.json", _rename_slicer_table, "'Region'", id="slicer"
    ),
    pytest.param(
        "definition/bookmarks/bookmark_reps_behind_budget.bookmark.json",
        _rename_bookmark_measure,
        "[Attainment]",
        id="bookmark",
    ),
    pytest.param(
        f"{OVERVIEW}/visuals/card_sales/visual.json",
        _rename_measure_table,
        "measures live in",
        id="measure-table",
    ),
]


@pytest.mark.parametrize(("file", "change", "message"), BROKEN_FIELDS)
def test_field_check_reports_a_broken_reference_in_its_file(
    project_copy: Path, model: ModelFields, file: str, change: Callable[[Any], None], message: str
) -> None:
    report_dir = project_copy / REPORT_FOLDER
    edit(report_dir / file, change)
    problems = check_report_fields(report_dir, model)
    assert problems, "the broken reference was not reported"
    assert files_of(problems) == {file}, problems
    assert any(message in problem.message for problem in problems), problems
    assert all(
        isinstance(problem, JsonProblem) and problem.json_path.startswith("$.") for problem in problems
    )


def test_field_refs_resolve_query_aliases_to_entities() -> None:
    refs = [ref for ref in report_field_refs(REPORT_DIR) if ref.file == TOP_CLIENTS]
    in_subquery = [ref for ref in refs if "Subquery" in ref.json_path]
    assert {(ref.entity, ref.property, ref.kind) for ref in in_subquery} == {
        ("Customer", "Client", "column"),
        ("Key Measures", "Sales", "measure"),
    }


def _break_position_type(document: Any) -> None:
    document["position"]["x"] = "208"


def _unknown_schema_version(document: Any) -> None:
    document["$schema"] = document["$schema"].replace("/2.9.0/", "/9.9.9/")


def _drop_schema(document: Any) -> None:
    del document["$schema"]


def _misspell_filter_type(document: Any) -> None:
    document["filterConfig"]["filters"][0]["type"] = "Top10"


BROKEN_SCHEMAS = [
    pytest.param(
        TOP_CLIENTS, _break_position_type, "$.position.x", "is not of type 'number'", id="wrong-type"
    ),
    pytest.param(TOP_CLIENTS, _misspell_filter_type, "$.filterConfig.filters[0].type", "'Top10'", id="enum"),
    pytest.param(
        TOP_CLIENTS, _unknown_schema_version, "$['$schema']", "not one of Microsoft's", id="unknown-url"
    ),
    pytest.param(CUSTOMER_PAGE, _drop_schema, "$", "no $schema", id="no-schema"),
]


@pytest.mark.parametrize(("file", "change", "json_path", "message"), BROKEN_SCHEMAS)
def test_schema_validation_reports_the_file_and_json_path(
    schemas: Path, project_copy: Path, file: str, change: Callable[[Any], None], json_path: str, message: str
) -> None:
    edit(project_copy / REPORT_FOLDER / file, change)
    problems = validate_json_files(project_copy, schemas)
    assert problems, "the broken file was not reported"
    assert files_of(problems) == {f"{REPORT_FOLDER}/{file}"}, problems
    assert any(
        isinstance(p, JsonProblem) and p.json_path == json_path and message in p.message for p in problems
    ), problems


def test_schema_validation_reports_a_file_that_is_not_json(schemas: Path, project_copy: Path) -> None:
    (project_copy / "SalesPulse.pbip").write_text("{ not json", encoding="utf-8")
    problems = validate_json_files(project_copy, schemas)
    assert [(p.file, "not valid JSON" in p.message) for p in problems] == [("SalesPulse.pbip", True)]


def test_missing_schemas_are_reported_clearly_never_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SCHEMAS_ENV, str(tmp_path / "nowhere"))
    assert schemas_dir() == tmp_path / "nowhere"
    with pytest.raises(SchemasNotFoundError, match=rf"not found at .*nowhere.*set {SCHEMAS_ENV}"):
        validate_json_files(POWERBI_DIR)
    monkeypatch.delenv(SCHEMAS_ENV)
    assert schemas_dir().parts[-2:] == ("shared", "powerbi-json-schemas")


def _drop_binding(document: Any) -> None:
    del document["pageBinding"]


def _unbind_filter(document: Any) -> None:
    document["pageBinding"]["parameters"][0]["boundFilter"] = "no_such_filter"


def _overlap(document: Any) -> None:
    document["position"]["x"], document["position"]["y"] = 300, 150


def _page_name(document: Any) -> None:
    document["name"] = "customers"


def _bookmark_visual(document: Any) -> None:
    containers = document["explorationState"]["sections"]["sales_overview"]["visualContainers"]
    containers["gone"] = containers.pop("top_10_clients")


def _theme_name(document: Any) -> None:
    document["themeCollection"]["baseTheme"]["name"] = "CY99SU99"


def _absolute_model_path(document: Any) -> None:
    document["datasetReference"]["byPath"]["path"] = "C:/Reports/SalesPulse.SemanticModel"


def _slicer_sync_group(document: Any) -> None:
    document["visual"]["syncGroup"]["groupName"] = "Date"


def _interaction_target(document: Any) -> None:
    document["visualInteractions"][0]["target"] = "backtest_by_month"


BROKEN_STRUCTURE = [
    pytest.param(
        f"{FORECAST}/page.json",
        _interaction_target,
        "interaction target 'backtest_by_month' is not a visual of the page",
        id="interaction-target",
    ),
    pytest.param(
        CUSTOMER_PAGE, _drop_binding, "without its Drillthrough pageBinding", id="drillthrough-unbound"
    ),
    pytest.param(CUSTOMER_PAGE, _unbind_filter, "'no_such_filter' is not a filter", id="drillthrough-filter"),
    pytest.param(CUSTOMER_PAGE, _page_name, "differs from its folder", id="page-name"),
    pytest.param(TOP_CLIENTS, _overlap, "overlaps", id="overlap"),
    pytest.param(
        "definition/bookmarks/bookmark_all_history.bookmark.json",
        _bookmark_visual,
        "'gone' is not on page",
        id="bookmark-visual",
    ),
    pytest.param("definition/report.json", _theme_name, "'CY99SU99' is not in", id="theme"),
    pytest.param("definition.pbir", _absolute_model_path, "relative path", id="dataset-path"),
    pytest.param(
        f"{OVERVIEW}/visuals/slicer_region/visual.json", _slicer_sync_group, "sync group", id="sync"
    ),
]


def assert_break_reported(
    project_copy: Path,
    check: Callable[[Path], list[Any]],
    file: str,
    change: Callable[[Any], None],
    message: str,
) -> None:
    """``change`` made to ``file`` of a copy of the report is reported by ``check`` on that file."""
    report_dir = project_copy / REPORT_FOLDER
    edit(report_dir / file, change)
    problems = check(report_dir)
    assert any(problem.file == file and message in problem.message for problem in problems), problems


@pytest.mark.parametrize(("file", "change", "message"), BROKEN_STRUCTURE)
def test_structure_check_reports_the_broken_file(
    project_copy: Path, file: str, change: Callable[[Any], None], message: str
) -> None:
    assert_break_reported(project_copy, check_report_structure, file, change, message)


def test_structure_check_reports_a_missing_custom_theme_file(project_copy: Path) -> None:
    report_dir = project_copy / REPORT_FOLDER
    for theme in (report_dir / "StaticResources").rglob("*.json"):
        theme.unlink()
    problems = check_report_structure(report_dir)
    assert [p.file for p in problems] == ["definition/report.json"] and "is missing" in problems[0].message


def test_layout_pictures_follow_a_moved_visual(project_copy: Path) -> None:
    report_dir = project_copy / REPORT_FOLDER
    before = render_layout_pictures(report_dir)["sales-overview.svg"]

    def move(document: Any) -> None:
        document["position"]["width"] -= 10

    edit(report_dir / TOP_CLIENTS, move)
    assert render_layout_pictures(report_dir)["sales-overview.svg"] != before


def test_checks_report_a_report_file_that_is_not_json(project_copy: Path, model: ModelFields) -> None:
    report_dir = project_copy / REPORT_FOLDER
    (report_dir / TOP_CLIENTS).write_text('{"name": "top_10_clients",', encoding="utf-8")
    problems = check_report_structure(report_dir)
    assert [(p.file, "not valid JSON" in p.message) for p in problems] == [(TOP_CLIENTS, True)]
    assert check_report_fields(report_dir, model) == []  # left to the schema check, which names the line


# --------------------------------------------------------------------------------------------
# The report rules (checks/report_rules.py): each catches what it is for
# --------------------------------------------------------------------------------------------

GEOGRAPHY_CHART = f"{OVERVIEW}/visuals/sales_by_geography/visual.json"
FORECAST_SLICER = f"{FORECAST}/visuals/slicer_forecast_series/visual.json"


def _bing_map(document: Any) -> None:
    document["visual"]["visualType"] = "map"


def _filled_map(document: Any) -> None:
    document["visual"]["visualType"] = "filledMap"


def _averaged_latitude(document: Any) -> None:
    column = {"Column": {"Expression": {"SourceRef": {"Entity": "Geography"}}, "Property": "Latitude"}}
    document["visual"]["query"]["queryState"]["Y"]["projections"].append(
        {
            "field": {"Aggregation": {"Expression": column, "Function": 1}},
            "queryRef": "Avg(Geography.Latitude)",
        }
    )


def _custom_theme_as_base(document: Any) -> None:
    document["themeCollection"]["baseTheme"]["name"] = "SalesPulse.json"


def _visible_empty_card(document: Any) -> None:
    del document["filterConfig"]["filters"][0]["isHiddenInViewMode"]


def _no_alt_text(document: Any) -> None:
    del document["visual"]["visualContainerObjects"]["general"]


def _no_comparison(document: Any) -> None:
    del document["visual"]["query"]["queryState"]["ReferenceLabels"]


def _tooltip_to_a_report_page(document: Any) -> None:
    properties = document["visual"]["visualContainerObjects"]["visualTooltip"][0]["properties"]
    properties["section"]["expr"]["Literal"]["Value"] = "'clients'"


def _slicer_default_all(document: Any) -> None:
    document["visual"]["objects"]["general"] = [
        {
            "properties": {
                "filter": {
                    "filter": {
                        "Version": 2,
                        "From": [{"Name": "f", "Entity": "Forecast Series", "Type": 0}],
                        "Where": [
                            {
                                "Condition": {
                                    "In": {
                                        "Expressions": [
                                            {
                                                "Column": {
                                                    "Expression": {"SourceRef": {"Source": "f"}},
                                                    "Property": "Series",
                                                }
                                            }
                                        ],
                                        "Values": [[{"Literal": {"Value": "'All'"}}]],
                                    }
                                }
                            }
                        ],
                    }
                }
            }
        }
    ]


def _interval_as_lines(document: Any) -> None:
    projections = document["visual"]["query"]["queryState"]["Y"]["projections"]
    line = projections[-1]
    for name in ("Forecast Lower 80", "Forecast Upper 80"):
        projections.append(
            json.loads(
                json.dumps(line).replace('"Forecast"', json.dumps(name)).replace(".Forecast", f".{name}")
            )
        )


def _band_on_a_series_not_plotted(document: Any) -> None:
    for item in document["visual"]["objects"]["error"]:
        item["selector"]["metadata"] = "Key Measures.Forecast Lower 95"


BROKEN_RULES = [
    pytest.param(GEOGRAPHY_CHART, _bing_map, "'map' is refused", id="bing-map"),
    pytest.param(GEOGRAPHY_CHART, _filled_map, "'filledMap' is refused", id="filled-map"),
    pytest.param(GEOGRAPHY_CHART, _averaged_latitude, "'Latitude' is summarized", id="averaged-latitude"),
    pytest.param("definition/report.json", _custom_theme_as_base, "is our custom theme", id="base-theme"),
    pytest.param("definition/report.json", _visible_empty_card, "readers see it empty", id="empty-card"),
    pytest.param(TOP_CLIENTS, _no_alt_text, "without alt text", id="alt-text"),
    pytest.param(
        f"{OVERVIEW}/visuals/card_sales/visual.json", _no_comparison, "[Sales LY]", id="kpi-comparison"
    ),
    pytest.param(TOP_CLIENTS, _tooltip_to_a_report_page, "not a page of type Tooltip", id="tooltip-page"),
    pytest.param(FORECAST_SLICER, _slicer_default_all, "row-level security", id="slicer-default-under-rls"),
    pytest.param(
        FORECAST_CHART, _interval_as_lines, "[Forecast Lower 80] is drawn as a line", id="interval-lines"
    ),
    pytest.param(FORECAST_CHART, _band_on_a_series_not_plotted, "does not plot", id="band-series"),
]


def report_rules(report_dir: Path) -> list[Problem]:
    from salespulse.powerbi.checks.report_rules import check_report_rules
    from salespulse.powerbi.report import THEME_SCHEMA_FILE

    model = parse_semantic_model(report_dir.parent / "SalesPulse.SemanticModel")
    theme_schema = schemas_dir() / "report-theme" / THEME_SCHEMA_FILE
    return check_report_rules(
        report_dir, model, theme_schema=theme_schema if theme_schema.is_file() else None
    )


def test_committed_report_passes_the_report_rules() -> None:
    problems = report_rules(REPORT_DIR)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize(("file", "change", "message"), BROKEN_RULES)
def test_report_rules_catch_the_broken_file(
    project_copy: Path, file: str, change: Callable[[Any], None], message: str
) -> None:
    assert_break_reported(project_copy, report_rules, file, change, message)


def test_report_rules_catch_a_slicer_that_acts_on_nothing(project_copy: Path) -> None:
    """A Campaign slicer on the Forecast page: no relationship reaches the forecast tables."""
    report_dir = project_copy / REPORT_FOLDER
    source = report_dir / "definition/pages/sales_overview/visuals/slicer_campaign"
    shutil.copytree(source, report_dir / FORECAST / "visuals/slicer_campaign")
    (report_dir / FORECAST / "visuals/slicer_campaign/mobile.json").unlink(missing_ok=True)
    problems = report_rules(report_dir)
    assert [p.file for p in problems] == [f"{FORECAST}/visuals/slicer_campaign/visual.json"], problems
    assert "acts on no visual" in problems[0].message


def test_report_rules_catch_an_unreachable_bookmark_and_a_page_without_mobile_layout(
    project_copy: Path,
) -> None:
    report_dir = project_copy / REPORT_FOLDER
    shutil.rmtree(report_dir / OVERVIEW / "visuals/saved_views")
    for mobile in (report_dir / OVERVIEW / "visuals").glob("*/mobile.json"):
        mobile.unlink()
    problems = report_rules(report_dir)
    files = {p.file for p in problems}
    assert f"{OVERVIEW}/page.json" in files  # no mobile layout
    assert "definition/bookmarks/bookmark_year_to_date.bookmark.json" in files  # no navigator
    assert all("navigator" in p.message for p in problems if "bookmarks/" in p.file)


def test_report_rules_validate_the_custom_theme_against_microsofts_theme_schema(
    schemas: Path, project_copy: Path
) -> None:
    theme = project_copy / REPORT_FOLDER / "StaticResources/RegisteredResources/SalesPulse.json"
    edit(theme, lambda document: document.update(dataColors="#1F4E79"))
    problems = report_rules(project_copy / REPORT_FOLDER)
    assert [p.file for p in problems] == ["StaticResources/RegisteredResources/SalesPulse.json"], problems
    assert "theme schema" in problems[0].message


def test_every_data_visual_has_alt_text_and_main_pages_have_a_mobile_layout(pages: list[PageFile]) -> None:
    for page in pages:
        mobile = list((REPORT_DIR / Path(page.relative).parent / "visuals").glob("*/mobile.json"))
        is_main = page.document.get("type") not in ("Drillthrough", "Tooltip")
        assert bool(mobile) == is_main, page.display_name
        for visual in page.visuals:
            if "query" in visual.config and visual.visual_type != "bookmarkNavigator":
                general = visual.config["visualContainerObjects"]["general"][0]["properties"]
                assert general["altText"]["expr"]["Literal"]["Value"].strip("'"), visual.relative


def test_saved_views_are_reachable_and_the_client_tooltip_is_wired(pages: list[PageFile]) -> None:
    by_name = {page.name: page for page in pages}
    for name in ("sales_overview", "sales_reps"):
        assert any(v.visual_type == "bookmarkNavigator" for v in by_name[name].visuals), name
    tooltip = by_name["client_tooltip"].document
    assert (tooltip["type"], tooltip["width"], tooltip["height"]) == ("Tooltip", 320, 240)
    for file in (TOP_CLIENTS, AT_RISK_TABLE):
        (item,) = read_json(REPORT_DIR / file)["visual"]["visualContainerObjects"]["visualTooltip"]
        assert item["properties"]["section"]["expr"]["Literal"]["Value"] == "'client_tooltip'"
