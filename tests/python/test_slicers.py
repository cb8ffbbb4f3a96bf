"""One slicer registry (``salespulse.web.query.slicers``): a slicer added there alone is a filter panel
dropdown, a key of the URL / saved-view state, a ``Filters`` field, a condition in the SQL of the
order lines and of the analytics views it names, a list of options the user's scope allows, and an
input and output of the callbacks.

The extra slicer is added to the registry in a fresh interpreter before the web is imported (as an
edit of slicers.py would be), on a copy of the demo warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from salespulse.web.query import slicers
from salespulse.web.query.filters import FILTER_COLUMNS, Filters
from salespulse.web.ui.layout import SLICERS
from salespulse.web.ui.state import FIELD_LABELS, LIST_FIELDS
from web_testing import REP, publish_copy

#: slicers.py as an editor leaves it after adding one slicer: one more entry at the end of the registry
EDIT = textwrap.dedent(
    """
    SLICERS = (*SLICERS, Slicer(
        "segments", "Segment", "Customer", "segment", "segments", "Segment", "Segment",
        placeholder="All segments", analytics={"Client Segments": "crm_segment"},
    ))
    """
)
EXTRA = textwrap.dedent(
    """
    import importlib.util, json, sys
    from pathlib import Path

    import salespulse  # the top package only: the web is imported after the edit

    path = Path(salespulse.__file__).parent / "web" / "query" / "slicers.py"
    spec = importlib.util.spec_from_loader("salespulse.web.query.slicers", None)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    sys.modules["salespulse.web.query.slicers"] = module
    exec(compile(path.read_text(encoding="utf-8") + sys.argv[3], str(path), "exec"), module.__dict__)

    from dash import Dash
    from salespulse.web.query.analytics import query
    from salespulse.web.query.filters import Filters, resolve_scope
    from salespulse.web.query.options import filter_options
    from salespulse.web.query.readers import DuckDBReader
    from salespulse.web.query.sqlbuild import SALES, Select, filter_rows
    from salespulse.web.ui import callbacks
    from salespulse.web.ui.layout import _filters
    from salespulse.web.ui.state import GeoIndex, empty_state, resolve

    reader = DuckDBReader(sys.argv[1])
    scope = resolve_scope(sys.argv[2], reader)
    options = filter_options(scope, reader=reader)
    offered = sorted(options["segments"]["Segment"])
    state = {**empty_state(), "segments": [offered[0], "made up"]}
    resolved = resolve(state, options, GeoIndex(()))
    select = Select(SALES)
    filter_rows(select, resolved.filters)
    sql, params = select.render(["count(*)"])
    analytics_sql, analytics_params = query("Client Segments", resolved.filters, scope).sql(["count(*)"])
    app = Dash(__name__)
    callbacks.register(app)
    (control,) = [key for key in app.callback_map if "state.data" in key]
    print(json.dumps({
        "layout": str(_filters(None)),
        "empty": empty_state(),
        "offered": offered,
        "owned": sorted({r[0] for r in reader.query(
            "select c.segment from reporting.customers c where c.sales_rep_key = ?", [scope.sales_rep_key])}),
        "state": resolved.state["segments"],
        "filters": list(resolved.filters.segments),
        "sql": sql, "params": params, "rows": reader.query(sql, params)[0][0],
        "analytics_sql": analytics_sql, "analytics_params": analytics_params,
        "inputs": [item["id"] for item in app.callback_map[control]["inputs"]],
        "control": control,
    }, default=str))
    """
)


@pytest.fixture(scope="module")
def extended(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the web makes of the registry with one more slicer (a rep signed in)."""
    published = publish_copy(demo_duckdb["SALESPULSE_DUCKDB_PATH"], tmp_path_factory.mktemp("slicers"))
    result = subprocess.run(
        [sys.executable, "-c", EXTRA, str(published), REP, EDIT],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_slicer_added_to_the_registry_is_in_the_layout_state_sql_and_callbacks(
    extended: dict[str, Any],
) -> None:
    assert "f-segments" in extended["layout"] and "All segments" in extended["layout"]
    assert "'Segment'" in extended["layout"]  # its label
    assert extended["empty"]["segments"] == []
    # the options are the values of the clients the rep's role leaves (the role's rule on Customer)
    assert extended["offered"] == extended["owned"] and extended["offered"]
    # the state keeps what the scope offers and drops what it does not
    assert extended["state"] == extended["filters"] == [extended["offered"][0]]
    assert 'c."segment" in (?)' in extended["sql"] and extended["params"] == [extended["offered"][0]]
    assert extended["rows"] > 0
    assert '"crm_segment" in (?)' in extended["analytics_sql"]
    assert extended["offered"][0] in extended["analytics_params"]
    assert "f-segments" in extended["inputs"] and "f-segments.value" in extended["control"]
    assert "f-segments.options" in extended["control"]


def test_everything_derives_from_the_registry() -> None:
    """Today's slicers, in their order, with their labels, columns and datasets (the URLs and the
    element ids the browser tests use stay as they were)."""
    panel = [slicer.name for slicer in slicers.panel_slicers()]
    assert [field for field, _ in SLICERS] == panel == list(LIST_FIELDS)
    assert panel == [
        "regions",
        "territory_codes",
        "sales_rep_keys",
        "categories",
        "subcategories",
        "product_keys",
        "customer_keys",
        "client_types",
        "industries",
        "campaign_keys",
    ]
    assert list(FILTER_COLUMNS) == [*panel, "geography_keys"]
    assert [f for f in Filters.__dataclass_fields__ if f not in ("date_from", "date_to")] == list(
        FILTER_COLUMNS
    )
    assert list(FIELD_LABELS) == ["dates", *panel, "geo"]
    assert FILTER_COLUMNS["client_types"] == ("Customer", "customer_type")
