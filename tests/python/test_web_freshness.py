"""The header says how fresh the data is: "Data as of <as-of> · loaded <last load>", opening onto each
source's last load and newest change, as the warehouse recorded them (``reporting.data_freshness``
over ``raw._load_log``), read from the page's own layout (no request of its own).

The times are compared with direct queries of the warehouse, never with the clock: a later load
with one new order-lines file moves the shown load time once it is built (not before: the header
describes the data the pages show), and a warehouse built before the view existed still opens.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from salespulse.dbt import run_dbt
from salespulse.generator import trickle
from salespulse.handover import staged
from salespulse.loader import load
from salespulse.warehouse import DuckDBWarehouse
from salespulse.web.query.readers import DuckDBReader
from web_testing import MANAGER, REP, duckdb_app, signed_in

pytestmark = pytest.mark.slow


def by_id(tree: Any, wanted: str) -> dict[str, Any] | None:
    """The component with id ``wanted`` in a serialised layout."""
    if isinstance(tree, list):
        for item in tree:
            if (found := by_id(item, wanted)) is not None:
                return found
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == wanted:
            return tree
        for value in props.values():
            if (found := by_id(value, wanted)) is not None:
                return found
    return None


def words(tree: Any) -> list[str]:
    """The texts of a component and everything in it, in order."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, list):
        return [text for item in tree for text in words(item)]
    if isinstance(tree, dict):
        return words(tree.get("props", {}).get("children"))
    return []


def header(app: Any, email: str = MANAGER) -> tuple[str, list[str]]:
    """The freshness line of the header and the lines of its details, as ``email`` gets them."""
    response = signed_in(app, email).get("/_dash-layout")
    assert response.status_code == 200
    freshness = by_id(response.get_json(), "data-freshness")
    assert freshness is not None, "the header has no data freshness"
    summary = by_id(freshness, "data-freshness-summary")
    assert summary is not None
    details = [text for item in freshness["props"]["children"][1:] for text in words(item)]
    return "".join(words(summary)), details


def stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def recorded(reader: DuckDBReader) -> tuple[str, dict[str, datetime], datetime]:
    """As-of date, last load per raw table and newest order-line change of the published build,
    queried directly (the settings and the raw layer, not the freshness view)."""
    ((as_of,),) = reader.query("select as_of_date from reporting.settings")
    loads = dict(reader.query("select entity, max(_loaded_at) from raw._load_log group by entity"))
    ((changed,),) = reader.query("select max(last_modified_at) from raw.order_lines")
    return as_of.isoformat(), loads, changed


@pytest.fixture
def web(demo_duckdb: dict[str, str], tmp_path: Path) -> Iterator[tuple[Any, DuckDBReader]]:
    app, reader = duckdb_app(demo_duckdb, tmp_path)
    yield app, reader
    reader.close()


def test_header_says_as_of_and_when_each_source_was_loaded(web: tuple[Any, DuckDBReader]) -> None:
    as_of, loads, changed = recorded(web[1])
    summary, details = header(web[0])
    assert summary == f"Data as of {as_of} · loaded {stamp(max(loads.values()))}"
    listed = [line for line in details if ": loaded " in line]
    assert len(listed) == len(loads) >= 4  # order lines, customers, products, budget at least
    for table, loaded in loads.items():
        label = table.replace("_", " ").capitalize()
        change = f" · newest change {stamp(changed)}" if table == "order_lines" else ""
        assert f"{label}: loaded {stamp(loaded)}{change}" in listed
    assert header(web[0], REP) == (summary, details)  # the same for every role


def test_a_warehouse_without_the_view_still_opens(web: tuple[Any, DuckDBReader]) -> None:
    app, reader = web
    with staged(reader.published) as path, duckdb.connect(str(path)) as con:
        con.execute("drop table reporting.data_freshness")
    summary, details = header(app)
    assert summary.startswith("Data as of ") and summary.endswith(" · loaded unknown")
    assert details[-1] == "This warehouse does not record its loads: build it again to see them."


def test_a_later_load_moves_the_load_time_once_built(
    web: tuple[Any, DuckDBReader], demo_delivery: Path, tmp_path: Path
) -> None:
    app, reader = web
    before, before_details = header(app)
    delivery = Path(shutil.copytree(demo_delivery, tmp_path / "delivery"))
    next(trickle(delivery, count=1, every=0))  # one new order-lines file
    with staged(reader.published) as path, DuckDBWarehouse(path) as warehouse:
        report = load(delivery, warehouse, budget_files=sorted(delivery.glob("budget*.xlsx")))
    assert [f.entity for f in report.files if f.action != "unchanged"] == ["order_lines"]
    assert header(app) == (before, before_details)  # landed, not built: not on the pages yet

    env = {"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    with staged(reader.published) as path:
        run_dbt(["run", "--select", "rpt_data_freshness"], target="duckdb", env={**env, **_path(path)})
    _, loads, changed = recorded(reader)
    after, details = header(app)
    assert after != before
    assert after.endswith(f" · loaded {stamp(loads['order_lines'])}")
    assert loads["order_lines"] == report.loaded_at == max(loads.values())
    assert f"Order lines: loaded {stamp(report.loaded_at)} · newest change {stamp(changed)}" in details
    unchanged = [line for line in details if line.startswith("Customers: ")]
    assert unchanged == [line for line in before_details if line.startswith("Customers: ")]


def _path(path: Path) -> dict[str, str]:
    return {"SALESPULSE_DUCKDB_PATH": os.fspath(path)}
