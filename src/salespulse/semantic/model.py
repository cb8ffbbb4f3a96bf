"""Load ``model.yml`` and the reporting models' contracts into one description of the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from salespulse import dbt_docs
from salespulse.settings import PROJECT_ROOT

MODEL_FILE = Path(__file__).with_name("model.yml")
REPORTING_SQL = PROJECT_ROOT / "models" / "reporting"

_WORDS = {"pct": "%", "id": "ID", "sku": "SKU", "iso": "ISO", "yoy": "YoY", "ytd": "YTD", "mtd": "MTD"}


def display_name(column: str) -> str:
    """``net_sales_amount`` -> ``Net Sales Amount``; ``discount_pct`` -> ``Discount %``."""
    return " ".join(_WORDS.get(word, word.capitalize()) for word in column.split("_"))


@dataclass(frozen=True)
class Column:
    name: str  # what users see in the model
    source: str  # the reporting view's column
    sql_type: str  # the contract's data_type
    description: str
    hidden: bool = False
    is_key: bool = False
    sort_by: str | None = None  # model name of the sort column
    data_category: str | None = None
    ignore_rules: tuple[str, ...] = ()  # best-practice rules waived for this column (ids)

    @property
    def is_amount(self) -> bool:
        return self.sql_type.startswith("numeric") and self.sql_type.endswith(",4)")


@dataclass(frozen=True)
class Hierarchy:
    name: str
    levels: tuple[str, ...]  # model column names, top first


@dataclass(frozen=True)
class IncrementalRefresh:
    date_column: str  # source column
    rolling_window_years: int
    incremental_months: int
    # source column of the row's last change: the policy's pollingExpression (detect data changes)
    # reads its latest value per partition and re-imports only the partitions where it moved
    polling_column: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    model: str  # dbt model name (rpt_*)
    view: str  # the view's name in the reporting schema (the model's alias)
    description: str
    columns: tuple[Column, ...]
    hierarchies: tuple[Hierarchy, ...] = ()
    date_table: bool = False
    incremental_refresh: IncrementalRefresh | None = None

    def column(self, name: str) -> Column:
        """A column by model name or by source name."""
        for column in self.columns:
            if name in (column.name, column.source):
                return column
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def key(self) -> Column:
        return next(column for column in self.columns if column.is_key)


@dataclass(frozen=True)
class Relationship:
    from_table: str
    from_column: str  # model names
    to_table: str
    to_column: str
    is_active: bool = True

    @property
    def name(self) -> str:
        return f"{self.from_table}.{self.from_column} -> {self.to_table}.{self.to_column}"


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    filters: dict[str, str] = field(default_factory=dict)  # model table -> DAX row filter


@dataclass(frozen=True)
class SemanticModel:
    tables: tuple[Table, ...]
    relationships: tuple[Relationship, ...]  # the active ones: how filters (and the web's joins) flow
    roles: tuple[Role, ...]
    # inactive relationships (Power BI only): a measure turns one on with USERELATIONSHIP
    inactive_relationships: tuple[Relationship, ...] = ()

    def table(self, name: str) -> Table:
        for table in self.tables:
            if name in (table.name, table.model, table.view):
                return table
        raise KeyError(f"no model table {name!r}")


def _view_alias(model: str, reporting: Path) -> str:
    """The alias a reporting model's SQL sets (``config(alias='sales')``), else the model name."""
    (path,) = reporting.rglob(f"{model}.sql")
    text = path.read_text(encoding="utf-8")
    marker = "alias='"
    if marker not in text:
        return model
    return text.split(marker, 1)[1].split("'", 1)[0]


def _contracts(reporting: Path) -> dict[str, list[dict]]:
    """The columns of every reporting model, from the ``_*__models.yml`` files of the folder tree."""
    contracts: dict[str, list[dict]] = {}
    for path in sorted(reporting.rglob("_*__models.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        contracts |= {model["name"]: model["columns"] for model in document.get("models", [])}
    return contracts


def _table(spec: dict, contract: list[dict], reporting: Path) -> Table:
    names: dict[str, str] = spec.get("names", {})
    hidden = set(spec.get("hidden", []))
    excluded = set(spec.get("exclude", []))
    unknown = excluded - {item["name"] for item in contract}
    if unknown:
        raise KeyError(f"table {spec['name']!r} excludes columns its view lacks: {sorted(unknown)}")
    categories: dict[str, str] = spec.get("data_categories", {})
    sort_by: dict[str, str] = spec.get("sort_by", {})
    ignored: dict[str, list[str]] = spec.get("ignore_rules", {})

    def model_name(source: str) -> str:
        return names.get(source, display_name(source))

    columns = tuple(
        Column(
            name=model_name(item["name"]),
            source=item["name"],
            sql_type=item["data_type"],
            # a shared meaning is a docs block of models/docs/ (`{{ doc("...") }}`): its text, as dbt shows it
            description=dbt_docs.render(item.get("description", "")).strip(),
            # Keys are for relationships: users filter on the names, never on the numbers.
            hidden=item["name"] in hidden or item["name"].endswith("_key"),
            is_key=item["name"] == spec["key"],
            sort_by=model_name(sort_by[item["name"]]) if item["name"] in sort_by else None,
            data_category=categories.get(item["name"]),
            ignore_rules=tuple(ignored.get(item["name"], ())),
        )
        for item in contract
        if item["name"] not in excluded
    )
    refresh = spec.get("incremental_refresh")
    return Table(
        name=spec["name"],
        model=spec["model"],
        view=_view_alias(spec["model"], reporting),
        description=spec["description"],
        columns=columns,
        hierarchies=tuple(
            Hierarchy(item["name"], tuple(model_name(level) for level in item["levels"]))
            for item in spec.get("hierarchies", [])
        ),
        date_table=bool(spec.get("date_table", False)),
        incremental_refresh=IncrementalRefresh(**refresh) if refresh else None,
    )


@cache
def load_model(model_file: Path = MODEL_FILE, reporting: Path = REPORTING_SQL) -> SemanticModel:
    """The model of ``model_file`` over the reporting models (SQL and contracts) under ``reporting``."""
    spec = yaml.safe_load(model_file.read_text(encoding="utf-8"))
    contracts = _contracts(reporting)
    tables = tuple(_table(item, contracts[item["model"]], reporting) for item in spec["tables"])
    by_name = {table.name: table for table in tables}

    def end(ref: str) -> tuple[str, str]:
        table_name, column = ref.split(".", 1)
        return table_name, by_name[table_name].column(column).name

    relationships = tuple(Relationship(*end(left), *end(right)) for left, right in spec["relationships"])
    inactive = tuple(
        Relationship(*end(left), *end(right), is_active=False)
        for left, right in spec.get("inactive_relationships") or []
    )
    roles = tuple(
        Role(item["name"], item["description"], dict(item.get("filters") or {})) for item in spec["roles"]
    )
    return SemanticModel(tables, relationships, roles, inactive)
