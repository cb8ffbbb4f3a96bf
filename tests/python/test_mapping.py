"""`salespulse map` on its own: each export shape the mapping handles, and each refusal (naming
the export file, row and column, with nothing written)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from foreign_exports import (
    NAMESAKE,
    NOT_IN_LOOKUP,
    ForeignExports,
    doc_mapping,
    net_amount,
    write_foreign_exports,
)
from salespulse.cli import main
from salespulse.extracts import discover, read_extract
from salespulse.mapping import MappingError, map_exports


@pytest.fixture
def exports(tmp_path: Path) -> ForeignExports:
    return write_foreign_exports(tmp_path / "exports", orders=300)


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yml"
    path.write_text(doc_mapping(), encoding="utf-8")
    return path


def text_frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (row 1 = first data row) of an export file."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[row][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def refused(mapping: Path, exports: ForeignExports, out: Path, **kwargs: object) -> list[str]:
    with pytest.raises(MappingError) as caught:
        map_exports(mapping, exports.folder, out, **kwargs)  # type: ignore[arg-type]
    assert "nothing was written" in str(caught.value)
    return [str(p) for p in caught.value.problems]


def test_doc_mapping_turns_the_foreign_exports_into_contract_files(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    out = tmp_path / "delivery"
    report = map_exports(mapping, exports.folder, out)
    # the loader's own reader accepts every file
    found, problems = discover(out)
    assert problems == []
    for files in found.values():
        for delivered in files:
            assert read_extract(delivered)[1] == []
    assert sorted(p.name for p in (out / "order_lines").iterdir()) == list(exports.sales_files)
    assert any(note.startswith("order_lines.line_number") for note in report.notes)

    for name in exports.sales_files:
        foreign = text_frame(exports.folder / name)
        lines = text_frame(out / "order_lines" / name)
        assert len(lines) == len(foreign)  # the same rows, in export order
        assert list(lines["order_number"]) == list(foreign["SalesOrderNumber"])
        assert list(lines["order_date"]) == [f"{k[:4]}-{k[4:6]}-{k[6:]}" for k in foreign["OrderDateKey"]]
        assert list(lines["ship_date"]) == [f"{k[:4]}-{k[4:6]}-{k[6:]}" for k in foreign["ShipDateKey"]]
        assert set(lines["quantity"]) == {"1"} and set(lines["status"]) == {"shipped"}
        assert [Decimal(p) for p in lines["unit_price"]] == [Decimal(p) for p in foreign["UnitPrice"]]
        assert [Decimal(a) for a in lines["extended_amount"]] == [
            net_amount(a) for a in foreign["SalesAmount"]
        ]
        # line numbers: 1..n per order, in sku order, ties in export order
        lines["sku_n"] = lines["sku"]
        for _, order in lines.groupby("order_number", sort=False):
            assert list(order["line_number"].astype(int).sort_values()) == list(range(1, len(order) + 1))
            by_number = order.sort_values("line_number", key=lambda s: s.astype(int))
            assert list(by_number["sku"]) == sorted(order["sku"])
    assert any(Decimal(p) % Decimal("0.01") for p in text_frame(out / "order_lines" / name)["unit_price"])

    customers = text_frame(out / "customers.csv")
    foreign_customers = text_frame(exports.folder / "DimCustomer.csv")
    assert list(customers["customer_id"]) == list(foreign_customers["CustomerKey"])
    countries = dict(zip(customers["city"], customers["country_code"], strict=True))
    assert countries["Toronto"] == "CA" and countries["Berlin"] == "DE"
    assert countries[NOT_IN_LOOKUP] == "US"  # not in cities.csv: the mapping's default
    namesakes = customers[customers["customer_name"] == " ".join(NAMESAKE)]
    assert sorted(namesakes["customer_id"].astype(int)) == sorted(exports.namesake_keys)
    products = text_frame(out / "products.csv")
    assert set(products["sell_start_date"]) == {"2023-01-01"}
    assert (out / "budget_2025-2026.xlsx").read_bytes() == (exports.folder / exports.budget_file).read_bytes()


def test_mapping_the_same_exports_again_gives_the_same_bytes(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    map_exports(mapping, exports.folder, tmp_path / "a")
    map_exports(mapping, exports.folder, tmp_path / "b", fmt="parquet")
    map_exports(mapping, exports.folder, tmp_path / "b", fmt="parquet", replace=True)
    map_exports(mapping, exports.folder, tmp_path / "c")
    for path in (tmp_path / "a").rglob("*.csv"):
        assert path.read_bytes() == (tmp_path / "c" / path.relative_to(tmp_path / "a")).read_bytes()
    assert sorted(p.name for p in (tmp_path / "b" / "order_lines").iterdir()) == [
        Path(n).with_suffix(".parquet").name for n in exports.sales_files
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_a_date_key_that_is_not_a_date_names_file_row_and_column(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    edit_csv(exports.folder / exports.sales_files[1], 7, "OrderDateKey", "20250230")
    problems = refused(mapping, exports, tmp_path / "delivery")
    assert problems == [
        f"{exports.sales_files[1]}, line 8, row 7, column 'OrderDateKey': "
        "'20250230' is not a date key as yyyymmdd (e.g. 20250131)"
    ]
    assert not (tmp_path / "delivery").exists()


def test_bad_values_are_refused_by_row(exports: ForeignExports, mapping: Path, tmp_path: Path) -> None:
    sales = exports.folder / exports.sales_files[0]
    edit_csv(sales, 3, "UnitPrice", "1.234,5")
    edit_csv(sales, 4, "CustomerKey", "")
    edit_csv(exports.folder / "DimEmployee.csv", 2, "HireDate", "2021-03-01")
    problems = refused(mapping, exports, tmp_path / "delivery")
    assert any(
        p.startswith(f"{sales.name}, line 4, row 3, column 'UnitPrice': '1.234,5' is not a number")
        for p in problems
    )
    assert (
        f"{sales.name}, line 5, row 4, column 'CustomerKey': is empty but customer_id is required" in problems
    )
    assert any(
        p.startswith("DimEmployee.csv, line 3, row 2, column 'HireDate': '2021-03-01'") for p in problems
    )


def test_an_amount_that_is_not_one_unit_price_is_refused(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    sales = exports.folder / exports.sales_files[0]
    price = Decimal(text_frame(sales)["UnitPrice"][4])
    edit_csv(sales, 5, "SalesAmount", str(price * 3))
    [problem] = refused(mapping, exports, tmp_path / "delivery")
    assert problem.startswith(f"{sales.name}, line 6, row 5, column 'extended_amount': line amount")
    assert "the export has quantities (map quantity)" in problem


def test_without_unit_price_the_amount_is_the_unit_price(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    mapping.write_text(mapping.read_text().replace("      unit_price: UnitPrice", "      # no unit price"))
    report = map_exports(mapping, exports.folder, tmp_path / "delivery")
    assert "order_lines.unit_price: the line amount (not in the export)" in report.notes
    lines = text_frame(tmp_path / "delivery" / "order_lines" / exports.sales_files[0])
    assert list(lines["unit_price"]) == list(lines["extended_amount"])


def test_without_amount_it_is_computed_to_the_cent(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    mapping.write_text(mapping.read_text().replace("      extended_amount: SalesAmount", ""))
    map_exports(mapping, exports.folder, tmp_path / "delivery")
    name = exports.sales_files[0]
    lines = text_frame(tmp_path / "delivery" / "order_lines" / name)
    assert [Decimal(a) for a in lines["extended_amount"]] == [
        net_amount(p) for p in text_frame(exports.folder / name)["UnitPrice"]
    ]


def test_a_city_the_lookup_does_not_know_needs_a_default(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    mapping.write_text(mapping.read_text().replace("        default: US", ""))
    problems = refused(mapping, exports, tmp_path / "delivery")
    row = list(text_frame(exports.folder / "DimCustomer.csv")["City"]).index(NOT_IN_LOOKUP) + 1
    assert problems[0] == (
        f"DimCustomer.csv, line {row + 1}, row {row}, column 'City': "
        f"'{NOT_IN_LOOKUP}' is not in cities.csv (column City) and country_code has no default"
    )


def test_a_missing_export_column_names_the_header(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    mapping.write_text(mapping.read_text().replace("sku: ProductKey", "sku: ProductID"))
    problems = refused(mapping, exports, tmp_path / "delivery")
    assert problems[0].startswith(
        f"{exports.sales_files[0]}, line 1, column 'ProductID': "
        "export column is missing (the header has: ProductKey, "
    )


def test_a_required_column_without_a_source_is_refused(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    mapping.write_text(mapping.read_text().replace("      created_date: DateFirstPurchase", ""))
    [problem] = refused(mapping, exports, tmp_path / "delivery")
    assert problem.startswith("DimCustomer.csv, column 'created_date': customers.created_date is required")


def test_duplicate_keys_in_a_snapshot_name_both_rows(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    edit_csv(exports.folder / "DimProduct.csv", 4, "ProductKey", "310")
    [problem] = refused(mapping, exports, tmp_path / "delivery")
    assert (
        problem == "DimProduct.csv, line 5, row 4: products key 310 appears twice (also DimProduct.csv row 1)"
    )


def test_mapping_file_mistakes_name_the_key(exports: ForeignExports, mapping: Path, tmp_path: Path) -> None:
    text = mapping.read_text()
    text = text.replace("customer_id: CustomerKey\n      sku", "client_id: CustomerKey\n      sku")
    text = text.replace("format: yyyymmdd}\n      due_date", "format: ddmmyyyy}\n      due_date")
    mapping.write_text(text)
    problems = refused(mapping, exports, tmp_path / "delivery")
    assert problems[0].startswith("mapping.yml: entities.order_lines.columns.order_date.format: 'ddmmyyyy'")
    assert problems[1].startswith(
        "mapping.yml: entities.order_lines.columns.client_id: order_lines has no column"
    )


def test_an_existing_delivery_is_replaced_only_when_asked_and_only_by_a_good_run(
    exports: ForeignExports, mapping: Path, tmp_path: Path
) -> None:
    out = tmp_path / "delivery"
    map_exports(mapping, exports.folder, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert refused(mapping, exports, out) == [f"{out}: delivery folder exists: pass --replace to replace it"]
    edit_csv(exports.folder / "DimCustomer.csv", 1, "DateFirstPurchase", "yesterday")
    refused(mapping, exports, out, replace=True)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["delivery", "exports", "mapping.yml"]


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    source = tmp_path / "exports"
    source.mkdir()
    (source / "lines.csv").write_text(
        "Order;Date;Customer;Item;Price;Cost\nA1;31/01/2025;K1;P1;12,3456;7,5\nA1;31/01/2025;K1;P0;1,005;0,5\n",
        encoding="cp1252",
    )
    (source / "clients.csv").write_text("Id;Name;Town\nK1;Zoë;Köln\n", encoding="cp1252")
    (source / "items.csv").write_text(
        "Id;Name;Group;Family;Price;Cost\nP1;Bike;Road;Bikes;12,3456;7,5\n", encoding="cp1252"
    )
    (tmp_path / "m.yml").write_text(
        """
csv: {delimiter: ";", encoding: cp1252, decimal: ","}
entities:
  order_lines:
    file: lines.csv
    columns:
      order_number: Order
      order_date: {column: Date, format: "%d/%m/%Y"}
      due_date: {column: Date, format: "%d/%m/%Y"}
      customer_id: Customer
      sku: Item
      unit_price: Price
      standard_cost: Cost
  customers:
    file: clients.csv
    columns: {customer_id: Id, customer_name: Name, customer_type: {value: Business}, city: Town,
              country_code: {value: DE}, created_date: {value: 2024-01-01}}
  products:
    file: items.csv
    columns: {sku: Id, product_name: Name, subcategory: Group, category: Family, list_price: Price,
              standard_cost: Cost, sell_start_date: {value: 2024-01-01}}
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        [
            "map",
            "--mapping",
            str(tmp_path / "m.yml"),
            "--source",
            str(source),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "rule: order_lines.status: shipped when the line has a ship date, else open" in result.output
    lines = text_frame(tmp_path / "out" / "order_lines" / "lines.csv")
    assert list(lines["line_number"]) == ["2", "1"]  # numbered by sku: P0 before P1
    assert list(lines["unit_price"]) == ["12.3456", "1.0050"]
    assert list(lines["extended_amount"]) == ["12.3500", "1.0100"]  # to the cent, half away from zero
    assert list(lines["status"]) == ["open", "open"] and list(lines["order_date"]) == ["2025-01-31"] * 2
    assert list(lines["last_modified_at"]) == ["2025-01-31 00:00:00"] * 2
    assert text_frame(tmp_path / "out" / "customers.csv")["city"][0] == "Köln"


def test_the_command_refuses_with_exit_code_2(exports: ForeignExports, mapping: Path, tmp_path: Path) -> None:
    edit_csv(exports.folder / exports.sales_files[0], 2, "DueDateKey", "2025013")
    result = CliRunner().invoke(
        main,
        ["map", "--mapping", str(mapping), "--source", str(exports.folder), "--out", str(tmp_path / "d")],
    )
    assert result.exit_code == 2
    assert (
        f"{exports.sales_files[0]}, line 3, row 2, column 'DueDateKey': '2025013' is not a date key"
        in result.output
    )
    assert not (tmp_path / "d").exists()
