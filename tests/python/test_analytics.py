"""Client segments, at-risk clients, new / returning / lost clients, rep acquisition and campaign
effectiveness on the demo warehouse: the planted signals are found, the numbers reconcile with the
sales, and PostgreSQL gives the same numbers as DuckDB."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salespulse.forecast import model
from salespulse.forecast.run import compute
from salespulse.forecast.series import read_history
from salespulse.settings import PROJECT_ROOT
from salespulse.warehouse import Warehouse, connect
from warehouse_build import assert_same_on_both, build_warehouse

#: Reporting views of the analytics and their keys.
ANALYTICS_VIEWS = {
    "customer_segments": "customer_key",
    "customer_activity_monthly": "customer_activity_month_key",
    "rep_acquisition_monthly": "rep_acquisition_key",
    "campaign_effectiveness": "campaign_key",
    "forecast_series": "forecast_series_key",
    "sales_forecast": "sales_forecast_key",
    "sales_forecast_yearly": "sales_forecast_year_key",
}
SEGMENTS = {
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Needs attention",
    "At risk",
    "Hibernating",
    "Lost",
}
DEMO_100K = PROJECT_ROOT / "data" / "demo"

#: Recovered / planted campaign uplift (orders in scope). Sampling noise sets the tolerance: a
#: campaign's in-scope orders in its window and baseline are Poisson-like counts of 35-300 (20k
#: lines) or 120-1,400 (100k lines), so one campaign's uplift carries about 12-25 % (20k) or 5-10 %
#: (100k) noise (1 sigma), and orders whose main category is another one but that carry a line of
#: the target category (cross-selling) dilute the uplift of Clothing and Accessories campaigns.
#: Each campaign must be within about two sigma, the mean over the ten campaigns within 10 %, and
#: every campaign must show an uplift.
UPLIFT_TOLERANCE = {"20k": 0.35, "100k": 0.25}
UPLIFT_MEAN_TOLERANCE = 0.10


def _manifest(delivery: Path) -> dict[str, Any]:
    return json.loads((delivery / "_manifest.json").read_text())


def _scalar(warehouse: Warehouse, sql: str) -> Any:
    return warehouse.query(sql)[0][0]


def _in_list(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


# -- at-risk clients -------------------------------------------------------------------------------


def _check_planted_decline(warehouse: Warehouse, manifest: dict[str, Any]) -> None:
    truth = manifest["signals"]["declining_clients"]
    declining, controls = sorted(truth["clients"]), sorted(truth["controls"])
    rows = {
        cid: (evaluated, at_risk, reason)
        for cid, evaluated, at_risk, reason in warehouse.query(
            "select customer_id, is_at_risk_evaluated, is_at_risk, at_risk_reason "
            f"from reporting.customer_segments where customer_id in ({_in_list(declining + controls)})"
        )
    }
    assert set(rows) == set(declining + controls)
    assert all(rows[cid][0] for cid in rows), "planted clients have the history the rule needs"
    found = [cid for cid in declining if rows[cid][1]]
    flagged_controls = [cid for cid in controls if rows[cid][1]]
    assert found == declining, f"declining clients not found: {sorted(set(declining) - set(found))}"
    assert flagged_controls == [], f"steady controls flagged: {flagged_controls}"
    for cid in declining:
        reason = rows[cid][2]
        assert reason.startswith("No order for ") and "usually one every" in reason and "%" in reason
        days = int(reason.removeprefix("No order for ").split()[0])
        assert days == truth["clients"][cid]["days_without_orders_at_as_of"]


def test_planted_declining_clients_are_at_risk_and_steady_controls_are_not(
    demo_duck: Warehouse, demo_delivery: Path
) -> None:
    _check_planted_decline(demo_duck, _manifest(demo_delivery))


def test_at_risk_is_a_minority_of_the_evaluated_clients_and_ranked_by_value(demo_duck: Warehouse) -> None:
    at_risk, evaluated, clients, without_value = demo_duck.query(
        "select sum(case when is_at_risk then 1 else 0 end), "
        "sum(case when is_at_risk_evaluated then 1 else 0 end), count(*), "
        "sum(case when is_at_risk and not (annual_sales_at_risk_amount > 0) then 1 else 0 end) "
        "from reporting.customer_segments"
    )[0]
    assert 5 <= at_risk < evaluated / 2 and evaluated < clients
    assert without_value == 0
    rules = dict(
        demo_duck.query(
            "select at_risk_rule, count(*) from reporting.customer_segments where is_at_risk "
            "group by at_risk_rule"
        )
    )
    assert set(rules) <= {"gone quiet", "buying less", "gone quiet and buying less"}


# -- RFM segments -----------------------------------------------------------------------------------


def test_every_buying_client_has_scores_and_exactly_one_segment(demo_duck: Warehouse) -> None:
    buyers = _scalar(
        demo_duck, "select count(*) from reporting.customers where has_purchased and customer_key <> -1"
    )
    rows = demo_duck.query(
        "select rfm_segment, count(*), min(recency_score), max(recency_score), min(frequency_score), "
        "max(frequency_score), min(monetary_score), max(monetary_score) "
        "from reporting.customer_segments group by rfm_segment"
    )
    assert sum(r[1] for r in rows) == buyers
    assert {r[0] for r in rows} == SEGMENTS  # the demo has clients in every segment
    for segment, _, r_min, r_max, f_min, f_max, m_min, m_max in rows:
        assert min(r_min, f_min, m_min) >= 1 and max(r_max, f_max, m_max) <= 5
        if segment == "Champions":
            assert min(r_min, f_min, m_min) >= 4
        if segment in ("At risk", "Hibernating"):
            assert r_max <= 2
    wrong = demo_duck.query(
        "select count(*) from reporting.customer_segments "
        "where (rfm_segment = 'Lost') <> (recency_days >= 365) "
        "or (rfm_segment = 'New') <> (recency_days < 365 and first_order_date > date '2024-10-02')"
    )
    assert wrong == [(0,)]
    # monetary values rarely tie: each score holds about a fifth of the clients
    fifths = dict(
        demo_duck.query(
            "select monetary_score, count(*) from reporting.customer_segments group by monetary_score"
        )
    )
    assert all(0.15 < fifths[score] / buyers < 0.25 for score in range(1, 6)), fifths


def test_segments_slice_by_client_type_industry_and_region(demo_duck: Warehouse) -> None:
    total = _scalar(demo_duck, "select sum(monetary_amount) from reporting.customer_segments")
    by_slice = demo_duck.query(
        "select customer_type, industry, region_name, rfm_segment, count(*), sum(monetary_amount) "
        "from reporting.customer_segments group by customer_type, industry, region_name, rfm_segment"
    )
    assert sum(r[5] for r in by_slice) == total
    assert {r[0] for r in by_slice} == {"Individual", "Business"}
    assert {r[2] for r in by_slice} == {"North America", "Europe", "Pacific"}
    assert len({r[1] for r in by_slice if r[0] == "Business"}) > 3


# -- new, returning, lost clients and acquisition per rep -----------------------------------------


def test_client_activity_per_month_reconciles_with_the_sales(demo_duck: Warehouse) -> None:
    buyers = _scalar(
        demo_duck, "select count(*) from reporting.customers where has_purchased and customer_key <> -1"
    )
    assert _scalar(demo_duck, "select sum(new_clients) from reporting.customer_activity_monthly") == buyers
    activity = dict(
        demo_duck.query(
            "select month_start_date, sum(active_clients) from reporting.customer_activity_monthly "
            "group by month_start_date"
        )
    )
    ordering = dict(
        demo_duck.query(
            "select d.month_start_date, count(distinct s.customer_key) from reporting.sales s "
            "join reporting.dates d on s.order_date_key = d.date_key "
            "where s.counts_as_sales and s.customer_key <> -1 group by d.month_start_date"
        )
    )
    assert activity == ordering
    # every client the segments call Lost has become lost, and nobody is lost before a year of data
    lost_now = _scalar(
        demo_duck, "select count(*) from reporting.customer_segments where rfm_segment = 'Lost'"
    )
    lost_events = demo_duck.query(
        "select min(month_start_date), sum(lost_clients), sum(reactivated_clients) "
        "from reporting.customer_activity_monthly where lost_clients > 0 or reactivated_clients > 0"
    )[0]
    assert str(lost_events[0]) >= "2022-12-01"
    assert lost_events[1] >= lost_now > 0
    assert lost_events[1] - lost_events[2] == lost_now  # lost once more than they came back


def test_new_clients_per_rep_add_up_to_the_clients_each_rep_owns(demo_duck: Warehouse) -> None:
    per_rep = dict(
        demo_duck.query(
            "select sales_rep_key, sum(new_clients) from reporting.rep_acquisition_monthly "
            "group by sales_rep_key"
        )
    )
    owned = dict(
        demo_duck.query(
            "select sales_rep_key, count(*) from reporting.customers "
            "where has_purchased and customer_key <> -1 group by sales_rep_key"
        )
    )
    assert {k: v for k, v in per_rep.items() if v} == owned
    months, reps = demo_duck.query(
        "select count(distinct month_start_date), count(distinct sales_rep_key) "
        "from reporting.rep_acquisition_monthly"
    )[0]
    assert months == 36 and reps == _scalar(demo_duck, "select count(*) from reporting.sales_reps")
    last = demo_duck.query(
        "select sales_rep_key, cumulative_new_clients from reporting.rep_acquisition_monthly "
        "where month_start_date = date '2024-12-01'"
    )
    assert {k: v for k, v in last if v} == owned


# -- campaigns -------------------------------------------------------------------------------------


def _check_uplift(
    warehouse: Warehouse, manifest: dict[str, Any], tolerance: float
) -> list[tuple[str, float, float]]:
    planted = manifest["signals"]["campaigns"]
    rows = warehouse.query(
        "select campaign_code, baseline_method, order_uplift from reporting.campaign_effectiveness"
    )
    assert {code for code, _, _ in rows} == set(planted)
    results = []
    for code, method, uplift in rows:
        assert method != "none" and uplift is not None, code
        truth = planted[code]["uplift"]
        ratio = float(uplift) / truth
        results.append((code, float(uplift), truth))
        assert float(uplift) > 1.0, (code, uplift, truth)
        assert abs(ratio - 1) <= tolerance, (code, float(uplift), truth)
    mean = sum(u / t for _, u, t in results) / len(results)
    assert abs(mean - 1) <= UPLIFT_MEAN_TOLERANCE, mean
    return results


def test_campaign_uplift_recovers_the_planted_uplift(demo_duck: Warehouse, demo_delivery: Path) -> None:
    _check_uplift(demo_duck, _manifest(demo_delivery), UPLIFT_TOLERANCE["20k"])
    methods = dict(
        demo_duck.query("select campaign_code, baseline_method from reporting.campaign_effectiveness")
    )
    # 2022 has no previous year: the weeks around those campaigns are their baseline
    assert {m for c, m in methods.items() if c.startswith("CMP22")} == {"weeks around the campaign"}
    assert {m for c, m in methods.items() if not c.startswith("CMP22")} == {
        "same weeks last year, growth-adjusted"
    }


def test_campaign_measures_reconcile_with_the_sales(demo_duck: Warehouse) -> None:
    rows = demo_duck.query(
        "select campaign_key, target_category, start_date, window_end_date, net_sales_amount, orders, "
        "units, redeemed_orders, redeemed_net_sales_amount, new_clients from reporting.campaign_effectiveness"
    )
    assert rows
    for key, category, start, end, sales, orders, units, redeemed, redeemed_sales, new_clients in rows:
        scope = "" if category == "All categories" else f"and p.category_name = '{category}'"
        expected = demo_duck.query(
            "select sum(s.net_sales_amount), count(distinct s.order_number), sum(s.sales_quantity) "
            "from reporting.sales s join reporting.products p on s.product_key = p.product_key "
            f"where s.counts_as_sales and s.order_date between date '{start}' and date '{end}' {scope}"
        )[0]
        assert (sales, orders, units) == expected
        assert (redeemed, redeemed_sales) == demo_duck.query(
            "select count(distinct order_number), coalesce(sum(net_sales_amount), 0) from reporting.sales "
            f"where counts_as_sales and campaign_key = {key}"
        )[0]
        assert new_clients == _scalar(
            demo_duck,
            "select count(*) from reporting.customers where customer_key <> -1 "
            f"and first_order_date between date '{start}' and date '{end}'",
        )


# -- the 100k demo (data/demo) ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_100k(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """data/demo (the `make demo` company, 100k lines) loaded and built in a scratch DuckDB file."""
    manifest_path = DEMO_100K / "_manifest.json"
    if not manifest_path.exists():
        pytest.skip("data/demo has not been generated (make data)")
    work = tmp_path_factory.mktemp("demo-100k")
    env = build_warehouse(DEMO_100K, work, "duckdb", {"SALESPULSE_DUCKDB_PATH": str(work / "demo.duckdb")})
    with connect("duckdb", {**os.environ, **env}) as warehouse:
        yield warehouse


@pytest.mark.slow
def test_the_100k_demo_finds_the_planted_signals(demo_100k: Warehouse) -> None:
    manifest = _manifest(DEMO_100K)
    _check_planted_decline(demo_100k, manifest)
    _check_uplift(demo_100k, manifest, UPLIFT_TOLERANCE["100k"])
    scores = compute(read_history(demo_100k)).scores()
    assert scores[("total", "All")][model.MODEL_NAME][0] < scores[("total", "All")][model.BASELINE_NAME][0]
    mean = {
        name: sum(by_method[name][0] for by_method in scores.values()) / len(scores)
        for name in (model.MODEL_NAME, model.BASELINE_NAME)
    }
    assert mean[model.MODEL_NAME] < mean[model.BASELINE_NAME]


# -- PostgreSQL ------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_analytics_views_are_identical_on_duckdb_and_postgres(
    demo_duck: Warehouse, demo_postgres: dict[str, str]
) -> None:
    with connect("postgres", {**os.environ, **demo_postgres}) as pg:
        assert_same_on_both(demo_duck, pg, ANALYTICS_VIEWS)
