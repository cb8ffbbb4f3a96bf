"""dbt's exposures list exactly the reporting views each front end reads: the lineage `dbt docs`
draws (and `dbt build --select +exposure:...`) is the one the dashboards depend on."""

from __future__ import annotations

import re

import yaml

from salespulse.semantic.model import REPORTING_SQL, load_model
from salespulse.web.query.sources import ALL_SOURCES, CHECKS_VIEW, MEMBER_VIEWS
from salespulse.web.server.freshness import FRESHNESS_VIEW

REF = re.compile(r"ref\('([a-z0-9_]+)'\)")


def exposures() -> dict[str, set[str]]:
    spec = yaml.safe_load((REPORTING_SQL / "_exposures.yml").read_text(encoding="utf-8"))
    return {
        item["name"]: {REF.fullmatch(ref).group(1) for ref in item["depends_on"]}
        for item in spec["exposures"]
    }


def model_views() -> set[str]:
    return {table.model for table in load_model().tables}


def test_the_power_bi_exposure_lists_the_views_the_semantic_model_imports() -> None:
    assert exposures()["power_bi_internet_sales"] == model_views()


def test_the_web_exposure_lists_the_model_views_and_the_web_aggregates() -> None:
    web_views = {source.view for source in ALL_SOURCES} | set(MEMBER_VIEWS) | {CHECKS_VIEW, FRESHNESS_VIEW}
    assert exposures()["web_dashboard"] == model_views() | {f"rpt_{view}" for view in web_views}
