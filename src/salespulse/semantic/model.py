"""Load ``model.yml`` and the reporting models' contracts into one description of the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

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
    #: (view column, value): the only rows a role's rules can leave (the others belong to no user);
    #: the web's row-level security says so in its SQL too
    secured_rows: tuple[tuple[str, Any], ...] = ()

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
class UserTable:
    """Who the signed-in user is: the row of ``table`` whose ``identity`` column is their e-mail
    (``USERPRINCIPALNAME ()`` in Power BI, the web's session e-mail)."""

    table: str  # model table
    identity: str  # its view column holding the e-mail


@dataclass(frozen=True)
class RowRule:
    """A role keeps the rows of ``table`` whose ``column`` equals the user's ``user`` column.

    ``not_blank``: and the column is not empty (an unknown user's blank never matches).
    ``via`` (column, model table): the column is that table's ``column`` of the row ``via[0]``
    points at (the client's region is its territory's): the web reads it through ``via[0]``,
    which the aggregates of the order lines keep; Power BI reads the column itself.
    """

    table: str  # model table
    column: str  # its view column
    user: str  # the user table's view column
    not_blank: bool = False
    via: tuple[str, str] | None = None


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    rules: tuple[RowRule, ...] = ()
    web_role: str = ""  # the web's name of the role (salespulse.web.Scope.role)
    job_titles: tuple[str, ...] = ()  # the user table's job titles that have this role in the web


@dataclass(frozen=True)
class Roles:
    """The row-level security of both front ends: who the user is and what each role keeps."""

    user: UserTable
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class Hop:
    """One step of a relationship: ``from_table.from_column`` -> ``to_table.to_column`` (view columns)."""

    from_table: str
    from_column: str
    to_table: str
    to_column: str


@dataclass(frozen=True)
class Reach:
    """How one rule restricts a query of model table ``table``: along ``hops`` (the active
    relationships from ``table`` to the rule's table), the rows whose ``column`` of the last table
    reached (``target``) equals the user's ``user`` column. A rule on the user table's identity
    column is the user's own row, read by its key; a rule on a table's key is read from the foreign
    key one step before (one join fewer)."""

    rule: RowRule
    table: str
    hops: tuple[Hop, ...]
    column: str  # a view column of ``target``
    user: str  # the user table's view column the value is

    @property
    def target(self) -> str:
        return self.hops[-1].to_table if self.hops else self.table

    @property
    def reads(self) -> tuple[str, str]:
        """The (model table, view column) a query compares: ``target``'s column when it is the
        queried table or one relationship away, else the foreign key of the first relationship."""
        if len(self.hops) <= 1:
            return self.target, self.column
        return self.table, self.hops[0].from_column


@dataclass(frozen=True)
class SemanticModel:
    tables: tuple[Table, ...]
    relationships: tuple[Relationship, ...]  # the active ones: how filters (and the web's joins) flow
    roles: tuple[Role, ...]
    # inactive relationships (Power BI only): a measure turns one on with USERELATIONSHIP
    inactive_relationships: tuple[Relationship, ...] = ()
    user: UserTable | None = None  # who the signed-in user is (the roles' lookups)
    # (table, role) -> its reach: asked for on every web query
    _reached: dict[tuple[str, str], tuple[Reach, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def table(self, name: str) -> Table:
        for table in self.tables:
            if name in (table.name, table.model, table.view):
                return table
        raise KeyError(f"no model table {name!r}")

    def hops(self, start: str, end: str) -> tuple[Hop, ...] | None:
        """The active relationships from ``start`` to ``end`` (many to one, the way filters flow
        back), shortest first; ``None`` when a filter on ``end`` never reaches ``start``."""
        paths: dict[str, tuple[Hop, ...]] = {start: ()}
        queue = [start]
        while queue:
            current = queue.pop(0)
            if current == end:
                return paths[current]
            for rel in self.relationships:
                if rel.from_table == current and rel.to_table not in paths:
                    hop = Hop(
                        current,
                        self.table(current).column(rel.from_column).source,
                        rel.to_table,
                        self.table(rel.to_table).column(rel.to_column).source,
                    )
                    paths[rel.to_table] = (*paths[current], hop)
                    queue.append(rel.to_table)
        return None

    def web_role(self, name: str) -> Role:
        """The role the web calls ``name`` (``Scope.role``)."""
        for role in self.roles:
            if role.web_role == name:
                return role
        raise KeyError(f"model.yml has no role for the web's {name!r}")

    def reach(self, table: str, role: Role) -> tuple[Reach, ...]:
        """The rules of ``role`` that restrict model table ``table``, each with its way there."""
        if (table, role.name) not in self._reached:
            self._reached[(table, role.name)] = self._reach(table, role)
        return self._reached[(table, role.name)]

    def _reach(self, table: str, role: Role) -> tuple[Reach, ...]:
        found: list[Reach] = []
        for rule in role.rules:
            hops = self.hops(table, rule.table)
            if hops is None:
                continue  # no relationship carries the rule's filter to this table
            column, user = rule.column, rule.user
            if (
                self.user is not None
                and rule.table == self.user.table
                and column == user == self.user.identity
            ):
                column = user = self.table(rule.table).key.source  # the user's own row
            if rule.via is not None:
                column = rule.via[0]
            elif hops and column == hops[-1].to_column:
                column, hops = hops[-1].from_column, hops[:-1]
            found.append(Reach(rule, table, hops, column, user))
        return tuple(found)


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
        secured_rows=tuple((spec.get("secured_rows") or {}).items()),
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
    security = load_roles(model_file)
    for rule in (rule for role in security.roles for rule in role.rules):
        # a typo in a rule fails here, not in a query or in the Power BI Service
        by_name[rule.table].column(rule.column)
        by_name[security.user.table].column(rule.user)
        if rule.via is not None:
            by_name[rule.table].column(rule.via[0])
            by_name[rule.via[1]].column(rule.column)
    return SemanticModel(tables, relationships, security.roles, inactive, security.user)


@cache
def load_roles(model_file: Path = MODEL_FILE) -> Roles:
    """The row-level security of ``model_file`` alone (no contracts read: cheap at import)."""
    spec = yaml.safe_load(model_file.read_text(encoding="utf-8"))
    roles = tuple(
        Role(
            item["name"],
            item["description"],
            tuple(
                RowRule(
                    rule["table"],
                    rule["column"],
                    rule["user"],
                    bool(rule.get("not_blank", False)),
                    tuple(rule["via"]) if rule.get("via") else None,  # type: ignore[arg-type]
                )
                for rule in item.get("rules") or []
            ),
            item["web_role"],
            tuple(item.get("job_titles") or ()),
        )
        for item in spec["roles"]
    )
    return Roles(UserTable(**spec["user"]), roles)
