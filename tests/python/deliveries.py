"""Small hand-written deliveries for loader tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

MINI_FILES: dict[str, str] = {
    "customers.csv": (
        "customer_id,customer_name,customer_type,industry,segment,email,address_line,postal_code,"
        "city,state_province,country_code,created_date,sales_rep_id\n"
        "C1,Ada Lovelace,Individual,,Enthusiast,ada@example.com,1 Main St,98101,Seattle,Washington,US,"
        "2021-03-04,E1\n"
        'C2,"Wheels, Inc.",Business,Retail,Reseller,,,,Paris,Île-de-France,FR,2022-05-06,\n'
        "C3,Jörg Müller,Individual,,Commuter,,,,Berlin,Berlin,DE,2023-01-02,E1\n"
    ),
    "products.csv": (
        "sku,product_name,model,color,size,subcategory,category,list_price,standard_cost,"
        "sell_start_date,sell_end_date\n"
        "BK-1,Road-150 Red 52,Road-150,Red,52,Road Bikes,Bikes,3578.27,2171.29,2021-01-01,\n"
        "AC-1,Water Bottle,Water Bottle,,,Bottles and Cages,Accessories,4.99,1.87,2021-01-01,\n"
        "CL-1,Cycling Cap,Cap,Blue,M,Caps,Clothing,8.99,6.92,2021-01-01,2023-12-31\n"
    ),
    "order_lines/order_lines_2024-01.csv": (
        "order_number,line_number,order_date,due_date,ship_date,status,customer_id,sku,quantity,"
        "unit_price,discount_pct,extended_amount,standard_cost,campaign_code,last_modified_at\n"
        "SO1,1,2024-01-03,2024-01-10,2024-01-05,shipped,C1,BK-1,1,3578.27,0,3578.27,2171.29,,"
        "2024-01-05 10:00:00\n"
        "SO1,2,2024-01-03,2024-01-10,2024-01-05,shipped,C1,AC-1,2,4.99,0.1,8.98,1.87,,2024-01-05 10:00:00\n"
        "SO2,1,2024-01-20,2024-01-27,,cancelled,C2,CL-1,10,8.99,0,89.90,6.92,,2024-01-21T08:30:00\n"
    ),
    "order_lines/order_lines_2024-02.csv": (
        "order_number,line_number,order_date,due_date,ship_date,status,customer_id,sku,quantity,"
        "unit_price,discount_pct,extended_amount,standard_cost,campaign_code,last_modified_at\n"
        "SO3,1,2024-02-14,2024-02-21,2024-02-16,shipped,C3,AC-1,3,4.99,0,14.97,1.87,,2024-02-16 09:15:00\n"
    ),
}

MINI_BUDGET_MONTHLY = 1000


def write_simple_budget(path: Path, year: int = 2024, amount: float = MINI_BUDGET_MONTHLY) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet.append(["Month", "Budget"])
    for month in range(1, 13):
        sheet.append([date(year, month, 1), amount])
    workbook.save(path)


def write_mini_delivery(folder: Path) -> Path:
    for name, text in MINI_FILES.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    write_simple_budget(folder / "budget_2024.xlsx")
    return folder
