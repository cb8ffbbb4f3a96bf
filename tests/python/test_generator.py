"""The demo-data generator: deterministic files that match the landing contract and carry the
planted signals, measured from the files the way the warehouse will see them."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from salespulse.contract import ENTITIES, ORDER_LINES, Entity
from salespulse.generator import GenerateSummary, generate

SEED = 7
#: Large enough for the signals to stand well clear of sampling noise, small enough to be quick.
SIGNAL_LINES = 200_000
SMALL_LINES = 20_000
AS_OF = date(2024, 12, 31)
BUDGET_YEAR = 2024
REFERENCE_FILES = ("customers", "products", "sales_reps", "territories", "geography", "campaigns")

#: Parquet types the spec asks for, per contract column type (decimals depend on the column).
PARQUET_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
#: Types the CSV text must parse as.
CSV_TYPES = {**PARQUET_TYPES, "decimal": pa.decimal128(18, 4), "timestamp": pa.timestamp("s")}


@dataclass(frozen=True)
class Demo:
    out: Path
    summary: GenerateSummary
    manifest: dict
    db: duckdb.DuckDBPyConnection

    def one(self, sql: str) -> object:
        row = self.db.execute(sql).fetchone()
        assert row is not None
        return row[0]

    def rows(self, sql: str) -> list[tuple]:
        return self.db.execute(sql).fetchall()


def _connect(out: Path) -> duckdb.DuckDBPyConnection:
    db = duckdb.connect()
    lines = out / "order_lines"
    db.execute(f"create view versions as select * from read_parquet('{lines}/*.parquet', filename = true)")
    db.execute(
        """create table lines as select * exclude (filename) from versions
           qualify row_number() over (
               partition by order_number, line_number order by last_modified_at desc) = 1"""
    )
    for entity in ENTITIES:
        if entity.name != "order_lines":
            db.register(entity.name, _read_contract_csv(out / f"{entity.name}.csv", entity))
    db.execute(
        """create view customer_region as
           select c.customer_id, c.country_code, g.territory_code, t.region
           from customers c
           join geography g using (city, state_province, country_code)
           join territories t using (territory_code)"""
    )
    db.execute(
        """create table heads as
           select l.order_number, l.order_date, l.customer_id, l.campaign_code, p.category
           from lines l join products p using (sku) where l.line_number = 1"""
    )
    return db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    out = tmp_path_factory.mktemp("demo")
    summary = generate(out, seed=SEED, order_lines=SIGNAL_LINES)
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    return Demo(out, summary, manifest, _connect(out))


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two runs with the same seed and one with another seed, at a small volume."""
    runs = []
    for name, seed in (("a", SEED), ("b", SEED), ("c", SEED + 1)):
        out = tmp_path_factory.mktemp(f"run_{name}")
        generate(out, seed=seed, order_lines=SMALL_LINES)
        runs.append(out)
    return runs[0], runs[1], runs[2]


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _expected_parquet_type(entity: Entity, column: str) -> pa.DataType:
    col = entity.column(column)
    if col.type == "decimal":
        return pa.decimal128(9, 4) if column == "discount_pct" else pa.decimal128(18, 2)
    return PARQUET_TYPES[col.type]


def _read_contract_csv(path: Path, entity: Entity) -> pa.Table:
    """Parse a CSV with the contract's types; fails on any value that does not parse."""
    options = pacsv.ConvertOptions(
        column_types={c.name: CSV_TYPES[c.type] for c in entity.columns},
        strings_can_be_null=True,
        include_columns=entity.column_names,
    )
    return pacsv.read_csv(path, convert_options=options)


def _check_contract_table(table: pa.Table, entity: Entity) -> None:
    for col in entity.columns:
        values = table.column(col.name)
        if col.required:
            assert values.null_count == 0, f"{entity.name}.{col.name} has empty required values"
        if col.name in entity.allowed:
            assert set(values.drop_null().to_pylist()) <= set(entity.allowed[col.name]), col.name


# -- determinism and files ----------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(small_runs: tuple[Path, Path, Path]) -> None:
    a, b, _ = small_runs
    files_a, files_b = _files(a), _files(b)
    assert files_a.keys() == files_b.keys()
    assert "budget_2024.xlsx" in files_a and "_manifest.json" in files_a
    for name in files_a:
        assert files_a[name] == files_b[name], f"{name} differs between two runs with the same seed"


def test_other_seed_gives_other_order_lines(small_runs: tuple[Path, Path, Path]) -> None:
    a, _, c = small_runs
    files_a, files_c = _files(a), _files(c)
    line_files = [n for n in files_a if n.startswith("order_lines/")]
    assert line_files
    assert all(files_a[n] != files_c.get(n) for n in line_files)
    assert files_a["geography.csv"] == files_c["geography.csv"]  # hand-written reference data


def test_file_set_and_summary(demo: Demo) -> None:
    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
    expected = {f"order_lines/order_lines_{m}.parquet" for m in months}
    expected |= {f"{n}.csv" for n in REFERENCE_FILES} | {"budget_2024.xlsx", "_manifest.json"}
    assert set(_files(demo.out)) == expected
    assert set(demo.summary.files) == expected
    s = demo.summary
    assert abs(s.order_lines - SIGNAL_LINES) <= 0.1 * SIGNAL_LINES
    assert s.rows["order_lines"] == s.order_lines == demo.one("select count(*) from versions")
    assert s.rows["customers"] == SIGNAL_LINES // 20
    assert s.budget_total == demo.manifest["budget_total"] > 0


def test_manifest_is_sorted_and_describes_the_files(demo: Demo) -> None:
    text = (demo.out / "_manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(demo.manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert demo.manifest["seed"] == SEED
    assert demo.manifest["parameters"]["order_lines"] == SIGNAL_LINES
    for name, entry in demo.manifest["files"].items():
        data = (demo.out / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    for name in REFERENCE_FILES:
        assert demo.manifest["files"][f"{name}.csv"]["rows"] == demo.one(f"select count(*) from {name}")
    signals = demo.manifest["signals"]
    expected_signals = {
        "seasonality",
        "growth",
        "campaigns",
        "declining_clients",
        "budget_miss",
        "product_launch",
    }
    assert expected_signals | {"discontinued_products", "late_updates"} <= set(signals)
    # No clock: nothing in the manifest looks like a run time.
    assert not re.search(r"\d{2}:\d{2}:\d{2}", text)


# -- contract ----------------------------------------------------------------------------------


def test_order_line_parquet_types_match_the_contract(demo: Demo) -> None:
    for path in sorted((demo.out / "order_lines").glob("*.parquet")):
        schema = pq.read_schema(path)
        assert schema.names == ORDER_LINES.column_names, path.name
        for name in schema.names:
            assert schema.field(name).type == _expected_parquet_type(ORDER_LINES, name), (path.name, name)
    table = pq.read_table(demo.out / "order_lines" / "order_lines_2024-06.parquet")
    _check_contract_table(table, ORDER_LINES)


@pytest.mark.parametrize("entity", [e for e in ENTITIES if e.name != "order_lines"], ids=lambda e: e.name)
def test_reference_csvs_match_the_contract(demo: Demo, entity: Entity) -> None:
    path = demo.out / f"{entity.name}.csv"
    raw = path.read_bytes()
    assert raw.decode("utf-8").splitlines()[0] == ",".join(entity.column_names)
    assert b"\r" not in raw
    table = _read_contract_csv(path, entity)
    assert table.column_names == entity.column_names
    assert table.num_rows > 0
    _check_contract_table(table, entity)
    keys = table.select(list(entity.primary_key)).to_pylist()
    assert len({tuple(k.values()) for k in keys}) == len(keys), f"{entity.name}: duplicate primary key"


def test_csv_order_lines_and_simple_budget(tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=3, order_lines=5_000, budget_form="simple", lines_format="csv")
    files = sorted((tmp_path / "order_lines").glob("order_lines_*.csv"))
    assert len(files) == 36
    rows = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == ",".join(ORDER_LINES.column_names)
        table = _read_contract_csv(path, ORDER_LINES)
        _check_contract_table(table, ORDER_LINES)
        rows += table.num_rows
    assert rows == summary.order_lines
    sample = text.splitlines()[1]  # ISO dates, seconds-precision timestamps, '.' decimals
    assert re.search(r",\d{4}-\d{2}-\d{2},", sample)
    assert re.search(r",\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", sample)
    wb = openpyxl.load_workbook(tmp_path / "budget_2024.xlsx")
    assert wb.sheetnames == ["Budget"]
    ws = wb["Budget"]
    assert [c.value for c in ws[1]] == ["Month", "Budget"]
    body = list(ws.iter_rows(min_row=2, values_only=True))
    assert [m for m, _ in body] == [datetime(2024, m, 1) for m in range(1, 13)]
    assert sum(v for _, v in body) == summary.budget_total


# -- consistency -------------------------------------------------------------------------------


def test_referential_integrity(demo: Demo) -> None:
    q = demo.one
    assert (
        q("select count(*) from versions where customer_id not in (select customer_id from customers)") == 0
    )
    assert q("select count(*) from versions where sku not in (select sku from products)") == 0
    orphan_campaigns = (
        "select count(*) from versions where campaign_code not in (select campaign_code from campaigns)"
    )
    assert q(orphan_campaigns) == 0
    assert q("select count(*) from customers") == q("select count(*) from customer_region")
    unknown_territory = """select count(*) from geography
                           where territory_code not in (select territory_code from territories)"""
    assert q(unknown_territory) == 0
    # Each customer's rep sells in the customer's territory.
    bad_reps = """select count(*) from customer_region cr join customers c using (customer_id)
                  left join sales_reps r on r.employee_id = c.sales_rep_id
                  where r.job_title is distinct from 'Sales Representative'
                     or r.territory_code is distinct from cr.territory_code"""
    assert q(bad_reps) == 0
    unknown_manager = """select count(*) from sales_reps where manager_id is not null
                         and manager_id not in (select employee_id from sales_reps)"""
    assert q(unknown_manager) == 0
    key = "select count(*) from (select distinct order_number, line_number, last_modified_at from versions)"
    assert q(key) == q("select count(*) from versions")


def test_extended_amount_is_exact(demo: Demo) -> None:
    wrong = """select count(*) from versions
               where extended_amount <> round(quantity * unit_price * (1 - discount_pct), 2)"""
    assert demo.one(wrong) == 0
    sample = demo.rows(
        """select quantity, unit_price, discount_pct, extended_amount
           from versions using sample 3000 rows (reservoir, 1)"""
    )
    for quantity, price, discount, amount in sample:
        exact = (Decimal(quantity) * price * (1 - discount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert exact == amount


def test_dates_statuses_and_customers(demo: Demo) -> None:
    q = demo.one
    assert q("select max(order_date) from versions") <= AS_OF
    assert q("select max(ship_date) from versions") <= AS_OF
    assert (
        q("select count(*) from versions where date_diff('day', order_date, due_date) not between 5 and 12")
        == 0
    )
    shipped_late = """select count(*) from versions where status = 'shipped'
                      and date_diff('day', order_date, ship_date) not between 1 and 7"""
    assert q(shipped_late) == 0
    assert q("select count(*) from versions where (ship_date is null) <> (status <> 'shipped')") == 0
    # Open means the ship date is still ahead: only orders from the last week are open at the end.
    last_open = q("select min(order_date) from lines where status = 'open'")
    assert last_open is None or last_open >= AS_OF - timedelta(days=7)
    before_created = """select count(*) from versions v join customers c using (customer_id)
                        where v.order_date < c.created_date"""
    assert q(before_created) == 0
    outside_sale = """select count(*) from versions v join products p using (sku)
                      where v.order_date < p.sell_start_date or v.order_date > p.sell_end_date"""
    assert q(outside_sale) == 0
    cancelled = q("select avg((status = 'cancelled')::int) from lines")
    assert 0.01 < cancelled < 0.03


def test_monthly_files_are_deltas_with_late_updates(demo: Demo) -> None:
    q = demo.one
    # Every row sits in the file of the month it was last modified in.
    misplaced = """select count(*) from versions where not ends_with(
                       filename, 'order_lines_' || strftime(last_modified_at, '%Y-%m') || '.parquet')"""
    assert q(misplaced) == 0
    # First versions are stamped on the order date; later ones in a later month.
    firsts = """select count(*) from (
                  select order_number, line_number, min(last_modified_at)::date as stamp,
                         any_value(order_date) as day
                  from versions group by all) where stamp <> day"""
    assert q(firsts) == 0
    n_lines = q("select count(*) from lines")
    later = q("select count(*) from versions") - n_lines
    share = later / n_lines
    assert 0.02 < share < 0.04
    assert later == demo.manifest["signals"]["late_updates"]["count"]
    changed = """select count(*) from (
                   select order_number, line_number,
                          count(distinct status) > 1 or count(distinct quantity) > 1
                          or count(distinct coalesce(ship_date, date '1900-01-01')) > 1 as differs
                   from versions group by all having count(*) > 1) where not differs"""
    assert q(changed) == 0
    assert q("select count(*) from versions group by order_number, line_number order by 1 desc limit 1") == 2


# -- reference data ------------------------------------------------------------------------------


def test_reference_data_is_realistic(demo: Demo) -> None:
    q, rows = demo.one, demo.rows
    assert q("select count(*) from territories") == 10
    assert dict(rows("select region, count(*) from territories group by all")) == {
        "North America": 6,
        "Europe": 3,
        "Pacific": 1,
    }
    assert 60 <= q("select count(*) from geography") <= 80
    boxes = {"US": (24, 50, -125, -66), "CA": (42, 60, -130, -52), "FR": (41, 52, -5, 10)}
    boxes |= {"DE": (47, 56, 5, 16), "GB": (49, 61, -9, 2), "AU": (-44, -10, 112, 154)}
    for country, lat, lon in rows("select country_code, latitude, longitude from geography"):
        lat_lo, lat_hi, lon_lo, lon_hi = boxes[country]
        assert lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi, (country, lat, lon)

    reps = rows("select employee_id, email, job_title, territory_code, manager_id, hire_date from sales_reps")
    vp = [r for r in reps if r[4] is None]
    assert len(vp) == 1 and vp[0][3] is None
    managers = {r[0]: r for r in reps if r[2] == "Regional Sales Manager"}
    assert len(managers) == 3 and all(m[4] == vp[0][0] for m in managers.values())
    region_of = dict(rows("select territory_code, region from territories"))
    per_territory: dict[str, int] = {}
    for _, email, title, territory, manager, _ in reps:
        assert re.fullmatch(r"[a-z]+\.[a-z]+@salespulse\.example", email), email
        if title == "Sales Representative":
            per_territory[territory] = per_territory.get(territory, 0) + 1
            assert region_of[managers[manager][3]] == region_of[territory]
    assert set(per_territory) == set(region_of) and set(per_territory.values()) <= {1, 2}
    assert sorted(r[-1].year for r in reps if r[-1].year >= 2022) == [2023]

    assert 200 <= q("select count(*) from products") <= 300
    assert q("select count(distinct category) from products") == 4
    assert 15 <= q("select count(distinct subcategory) from products") <= 20
    ranges = {"Bikes": (400, 3500), "Components": (10, 1000), "Clothing": (8, 90), "Accessories": (3, 160)}
    for category, lo, hi, cost_lo, cost_hi in rows(
        """select category, min(list_price), max(list_price), min(standard_cost / list_price),
                  max(standard_cost / list_price) from products group by all"""
    ):
        assert ranges[category][0] <= lo and hi <= ranges[category][1], category
        assert Decimal("0.49") <= cost_lo <= cost_hi <= Decimal("0.71"), category

    campaigns = rows("select start_date, end_date, discount_pct, campaign_type, channel from campaigns")
    assert 8 <= len(campaigns) <= 12
    for start, end, discount, kind, channel in campaigns:
        assert 14 <= (end - start).days + 1 <= 35
        assert Decimal("0.05") <= discount <= Decimal("0.20")
        assert kind in {"Seasonal sale", "Product launch", "Clearance", "Loyalty"}
        assert channel in {"Email", "Social", "Search", "Display"}

    business = q("select avg((customer_type = 'Business')::int) from customers")
    assert 0.12 < business < 0.18
    assert (
        q("select count(*) from customers where (customer_type = 'Business') <> (industry is not null)") == 0
    )
    assert q("select min(created_date) from customers").year == 2019
    assert q("select max(created_date) from customers") <= AS_OF


# -- planted signals -----------------------------------------------------------------------------


def test_seasonality(demo: Demo) -> None:
    units = dict(
        demo.rows(
            """select month(order_date), sum(quantity) from lines l join products p using (sku)
               join customer_region cr using (customer_id)
               where p.category = 'Bikes' and cr.country_code <> 'AU' and status <> 'cancelled'
               group by all"""
        )
    )
    summer = sum(units[m] for m in (5, 6, 7))
    winter = sum(units[m] for m in (11, 12, 1))
    assert summer / winter > 1.5
    orders = dict(
        demo.rows(
            """select month(order_date), count(*) from heads
               where category in ('Clothing', 'Accessories') and year(order_date) = 2023 group by all"""
        )
    )
    holiday = (orders[11] + orders[12]) / 2
    rest = sum(orders[m] for m in range(2, 10)) / 8
    assert holiday / rest > 1.2
    assert demo.manifest["signals"]["seasonality"]["monthly_index"]["Bikes"][5] > 1.2


def test_year_on_year_growth(demo: Demo) -> None:
    net = dict(
        demo.rows(
            """select year(order_date), sum(extended_amount) from lines
               where status <> 'cancelled' group by all"""
        )
    )
    for year in (2023, 2024):
        growth = net[year] / net[year - 1] - 1
        assert 0.05 < growth < 0.30, (year, growth)
        recorded = demo.manifest["signals"]["growth"]["net_sales_growth_by_year"][str(year)]
        assert abs(recorded - float(growth)) < 0.001
    assert demo.manifest["signals"]["growth"]["net_sales_by_year"]["2024"] == str(net[2024])


def test_campaign_uplift(demo: Demo) -> None:
    campaigns = demo.manifest["signals"]["campaigns"]
    assert campaigns
    observed_vs_planted = []
    for code, c in campaigns.items():
        start, end = date.fromisoformat(c["start_date"]), date.fromisoformat(c["end_date"])
        target = f"and category = '{c['target_category']}'" if c["target_category"] else ""
        shares = {}
        for year in (2022, 2023, 2024):
            lo, hi = start.replace(year=year), end.replace(year=year)
            in_window = demo.one(
                f"select count(*) from heads where order_date between '{lo}' and '{hi}' {target}"
            )
            in_year = demo.one(f"select count(*) from heads where year(order_date) = {year} {target}")
            shares[year] = in_window / in_year
        others = [s for y, s in shares.items() if y != start.year]
        uplift = shares[start.year] / (sum(others) / len(others))
        assert uplift > 1 + (c["uplift"] - 1) / 2, (code, uplift, c["uplift"])
        observed_vs_planted.append(uplift / c["uplift"])
        coded = demo.one(f"select count(*) from heads where campaign_code = '{code}'")
        assert coded == c["orders_with_code"] > 0
        wrong_category = f"or category <> '{c['target_category']}'" if c["target_category"] else ""
        misplaced = demo.one(
            f"""select count(*) from heads where campaign_code = '{code}'
                and (order_date not between '{start}' and '{end}' {wrong_category})"""
        )
        assert misplaced == 0, code
    assert 0.9 < sum(observed_vs_planted) / len(observed_vs_planted) < 1.1
    outside = """select count(*) from versions v where campaign_code is not null and not exists (
                   select 1 from campaigns c where c.campaign_code = v.campaign_code
                   and v.order_date between c.start_date and c.end_date)"""
    assert demo.one(outside) == 0
    discounted = """select count(*) from versions v join campaigns c using (campaign_code)
                    where v.discount_pct < c.discount_pct"""
    assert demo.one(discounted) == 0


def _half_year_sales(demo: Demo, ids: list[str], year: int) -> float:
    in_list = ",".join(f"'{i}'" for i in ids)
    value = demo.one(
        f"""select coalesce(sum(extended_amount), 0) from lines where status <> 'cancelled'
            and customer_id in ({in_list}) and order_date between '{year}-07-01' and '{year}-12-31'"""
    )
    return float(value)


def test_declining_clients(demo: Demo) -> None:
    truth = demo.manifest["signals"]["declining_clients"]
    declining, controls = list(truth["clients"]), list(truth["controls"])
    assert len(declining) == 5 and len(controls) == 5
    assert _half_year_sales(demo, declining, 2024) < 0.5 * _half_year_sales(demo, declining, 2023)
    assert _half_year_sales(demo, controls, 2024) > 0.7 * _half_year_sales(demo, controls, 2023)
    large = set(demo.manifest["signals"]["large_clients"]["ids"])
    assert set(declining) | set(controls) <= large
    top = demo.rows(
        """select customer_id from lines where status <> 'cancelled' and year(order_date) = 2023
           group by all order by sum(extended_amount) desc limit 10"""
    )
    assert sum(1 for (cid,) in top if cid in large) >= 7  # the large clients lead a top-clients chart
    for cid in declining:
        orders_2023 = demo.one(
            f"select count(*) from heads where customer_id = '{cid}' and year(order_date) = 2023"
        )
        last = demo.one(f"select max(order_date) from heads where customer_id = '{cid}'")
        usual_interval = 365 / orders_2023
        assert (AS_OF - last).days >= 60
        assert (AS_OF - last).days > 4 * usual_interval, (cid, last, usual_interval)
        assert truth["clients"][cid]["last_order_date"] == last.isoformat()
    for cid in controls:
        assert (AS_OF - demo.one(f"select max(order_date) from heads where customer_id = '{cid}'")).days < 30


def _budget(out: Path) -> list[tuple[datetime, str, str, str, int]]:
    wb = openpyxl.load_workbook(out / "budget_2024.xlsx")
    assert wb.sheetnames == ["Budget 2024", "Notes"]
    ws = wb["Budget 2024"]
    assert ws["A1"].value == "FY2024 Internet Sales Budget"
    assert all(c.value is None for c in ws[2])
    assert [c.value for c in ws[3]] == ["Month", "Category", "Territory", "Sales Rep", "Budget"]
    rows = []
    for row in ws.iter_rows(min_row=4):
        if all(c.value is None for c in row):
            continue
        month, category, territory, rep, amount = row
        assert month.number_format == "mmm yyyy" and amount.number_format == "#,##0"
        rows.append((month.value, category.value, territory.value, rep.value, amount.value))
    assert ws.max_row == 3 + len(rows) + 2  # two formatted, empty rows at the end
    assert wb["Notes"].max_row >= 3
    return rows


def test_budget_workbook_and_region_miss(demo: Demo) -> None:
    budget = _budget(demo.out)
    reps = dict(
        demo.rows(
            "select employee_id, territory_code from sales_reps where job_title = 'Sales Representative'"
        )
    )
    assert len(budget) == 12 * 4 * len(reps)  # a quota per month, category and rep
    assert len({(m, c, t, r) for m, c, t, r, _ in budget}) == len(budget)
    assert all(reps[r] == t for _, _, t, r, _ in budget)  # each quota in the rep's own territory
    assert {m for m, *_ in budget} == {datetime(BUDGET_YEAR, m, 1) for m in range(1, 13)}
    assert all(isinstance(a, int) and a % 100 == 0 for *_, a in budget)
    assert sum(a for *_, a in budget) == demo.summary.budget_total
    # quotas follow the reps' books: within a territory, more clients never means a smaller quota
    clients = dict(demo.rows("select sales_rep_id, count(*) from customers group by all"))
    quota: dict[str, int] = {}
    for *_, rep, amount in budget:
        quota[rep] = quota.get(rep, 0) + amount
    for a, b in ((a, b) for a in reps for b in reps if reps[a] == reps[b] and clients[a] > clients[b]):
        assert quota[a] >= quota[b], (a, b)

    region_of = dict(demo.rows("select territory_code, region from territories"))
    planned: dict[str, int] = {}
    for _, _, territory, _, amount in budget:
        planned[region_of[territory]] = planned.get(region_of[territory], 0) + amount
    actual = dict(
        demo.rows(
            f"""select region, sum(extended_amount) from lines join customer_region using (customer_id)
                where status <> 'cancelled' and year(order_date) = {BUDGET_YEAR} group by all"""
        )
    )
    attainment = {r: float(actual[r]) / planned[r] for r in planned}
    miss = demo.manifest["signals"]["budget_miss"]
    assert miss["region"] == "Europe"
    assert attainment["Europe"] < 0.90
    assert all(a > 0.93 for r, a in attainment.items() if r != "Europe"), attainment
    for region, value in attainment.items():
        assert abs(miss["attainment_by_region"][region] - value) < 0.01
    europe = dict(
        demo.rows(
            """select year(order_date), sum(extended_amount)
               from lines join customer_region using (customer_id)
               where status <> 'cancelled' and region = 'Europe' group by all"""
        )
    )
    assert europe[BUDGET_YEAR] < europe[BUDGET_YEAR - 1]  # Europe shrinks in the budget year


def test_product_launch_and_discontinued_products(demo: Demo) -> None:
    launch = demo.manifest["signals"]["product_launch"]
    assert launch["subcategory"] == "E-Bikes"
    launched = date.fromisoformat(launch["launch_date"])
    assert launched == date(2023, 7, 1)
    assert demo.one("select min(sell_start_date) from products where subcategory = 'E-Bikes'") == launched
    first_sale = demo.one(
        "select min(order_date) from versions v join products p using (sku) where p.subcategory = 'E-Bikes'"
    )
    assert launched <= first_sale <= launched + timedelta(days=7)
    ended = demo.manifest["signals"]["discontinued_products"]
    assert ended["skus"]
    in_list = ",".join(f"'{s}'" for s in ended["skus"])
    last_sale = demo.one(f"select max(order_date) from versions where sku in ({in_list})")
    assert date.fromisoformat(ended["sell_end_date"]) - timedelta(days=31) <= last_sale
    assert last_sale <= date.fromisoformat(ended["sell_end_date"])
