"""Row-level security is written once (model.yml's role rules) and both renderings leave the same rows.

For every demo user, on the demo warehouse after the forecast (total, category and territory
series), each model table's rows are computed twice, independently:

- Power BI: the role's ``tablePermission`` DAX as ``salespulse powerbi write`` renders it, read
  back from the TMDL text and evaluated here (a small interpreter of the forms a role filter may
  take; any other form fails the test), then carried along the model's active relationships as
  Power BI carries a filter from a dimension to the tables that point at it;
- the web: the SQL its query builders run (``scope_rows`` on the order lines and the budget,
  ``analytics.query`` on the analytics views, ``scope_conditions`` on a dimension, the clients
  slicer of ``filter_options``).

A rule rendered differently on one side (another column, a lost rule, a wrong lookup) leaves other
rows there, and the sets differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from salespulse.powerbi.tmdl_writer import render_semantic_model
from salespulse.semantic import SemanticModel, load_model
from salespulse.web.query.analytics import RULES, query
from salespulse.web.query.filters import Filters, Scope, resolve_scope
from salespulse.web.query.options import filter_options
from salespulse.web.query.readers import DuckDBReader
from salespulse.web.query.sqlbuild import (
    BUDGET,
    SALES,
    Select,
    ident,
    own_columns,
    scope_conditions,
    scope_rows,
    view,
)
from salespulse.web.server.appdb import demo_emails
from web_testing import LEAD, REP, forecast_copy, published_reader

_COLUMN = r"'((?:[^']|'')+)'\[([^\]]+)\]"
_ME = r"USERPRINCIPALNAME \(\)"
_CONDITION = re.compile(rf"{_COLUMN} (=|<>) (.+)")
_LOOKUP = re.compile(rf"LOOKUPVALUE \( {_COLUMN}, {_COLUMN}, {_ME} \)")
_PERMISSION = re.compile(r"^\ttablePermission ('(?:[^']|'')+'|[^ ]+) = (.+)$", re.MULTILINE)

Keys = set[Any]


@pytest.fixture(scope="module")
def reader(demo_duckdb: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBReader]:
    env = forecast_copy(demo_duckdb, tmp_path_factory.mktemp("rls-forecast"))
    yield from published_reader(env, tmp_path_factory.mktemp("rls"))


def role_filters() -> dict[str, dict[str, str]]:
    """Role name -> model table -> its DAX row filter, read back from the rendered TMDL."""
    found: dict[str, dict[str, str]] = {}
    for path, text in render_semantic_model().items():
        if path.startswith("definition/roles/"):
            name = path.removeprefix("definition/roles/").removesuffix(".tmdl")
            found[name] = {
                table.strip("'").replace("''", "'"): dax for table, dax in _PERMISSION.findall(text)
            }
    return found


def _blank(value: Any) -> bool:
    return value is None or value == ""


def dax_equal(left: Any, right: Any) -> bool:
    """DAX's ``=`` on text and keys: a blank equals a blank and the empty text."""
    if _blank(left) or _blank(right):
        return _blank(left) and _blank(right)
    return bool(left == right)


class PowerBI:
    """The rows each model table keeps for one user under the DAX of their role."""

    def __init__(
        self, reader: DuckDBReader, model: SemanticModel, filters: dict[str, str], email: str
    ) -> None:
        self.reader, self.model, self.email = reader, model, email
        self.filters = {table: self._parse(dax) for table, dax in filters.items()}
        self.kept: dict[str, Keys | None] = {}

    def _rows(self, table: str, names: list[str]) -> list[dict[str, Any]]:
        """The table's rows, by the model's column names."""
        model_table = self.model.table(table)
        sources = [model_table.column(name).source for name in names]
        sql = f"select {', '.join(ident(s) for s in sources)} from {view(table)}"
        return [dict(zip(names, row, strict=True)) for row in self.reader.query(sql)]

    def _value(self, text: str) -> Any:
        if text == '""':
            return ""
        if re.fullmatch(_ME, text):
            return self.email
        lookup = _LOOKUP.fullmatch(text)
        if lookup is None:
            pytest.fail(f"a role filter's value this test cannot evaluate: {text}")
        table, column, search_table, search_column = (part.replace("''", "'") for part in lookup.groups())
        assert table == search_table, text
        rows = self._rows(table, [column, search_column])
        found = [row[column] for row in rows if str(row[search_column]).lower() == self.email.lower()]
        return found[0] if len(found) == 1 else None  # LOOKUPVALUE: blank when no row matches

    def _parse(self, dax: str) -> list[tuple[str, str, Any]]:
        """``'T'[C] = value && ...`` -> (column, operator, value) conditions on the table."""
        conditions = []
        for part in dax.split(" && "):
            match = _CONDITION.fullmatch(part)
            if match is None:
                pytest.fail(f"a role filter this test cannot evaluate: {part}")
            _, column, operator, value = match.groups()
            conditions.append((column, operator, self._value(value)))
        return conditions

    def keys(self, table: str) -> Keys | None:
        """The keys of the rows ``table`` keeps; ``None``: not filtered (every row)."""
        if table not in self.kept:
            model_table = self.model.table(table)
            own = self.filters.get(table, [])
            relations = [
                (self.model.table(table).column(rel.from_column).source, self.keys(rel.to_table))
                for rel in self.model.relationships
                if rel.from_table == table
            ]
            relations = [(column, keys) for column, keys in relations if keys is not None]
            if not own and not relations:
                self.kept[table] = None
                return None
            key = model_table.key.name
            names = list(
                dict.fromkeys(
                    [key, *(c for c, _, _ in own), *(model_table.column(c).name for c, _ in relations)]
                )
            )
            kept = set()
            for row in self._rows(table, names):
                if not all(dax_equal(row[c], v) == (op == "=") for c, op, v in own):
                    continue
                if all(row[model_table.column(c).name] in keys for c, keys in relations):
                    kept.add(row[key])
            self.kept[table] = kept
        return self.kept[table]


def web_keys(reader: DuckDBReader, model: SemanticModel, table: str, scope: Scope) -> Keys:
    """The keys of the rows of ``table`` the web's query builder leaves ``scope``."""
    key = model.table(table).key.source
    if table in (SALES, BUDGET):
        select = Select(table, model=model)
        scope_rows(select, scope)
        sql, params = select.render([select.ref(table, key)])
    elif table in RULES:  # an analytics view
        sql, params = query(table, Filters(), scope).sql([f"v.{ident(key)}"])
    else:
        found = scope_conditions(table, scope, own_columns(table, "v", model), model)
        where = " and ".join(condition for condition, _ in found) or "1 = 1"
        sql = f"select v.{ident(key)} from {view(table, model)} as v where {where}"
        params = [value for _, values in found for value in values]
    return {row[0] for row in reader.query(sql, params)}


def all_keys(reader: DuckDBReader, model: SemanticModel, table: str) -> Keys:
    return {
        row[0] for row in reader.query(f"select {ident(model.table(table).key.source)} from {view(table)}")
    }


def compare(
    reader: DuckDBReader, email: str, filters: dict[str, dict[str, str]]
) -> dict[str, tuple[Keys, Keys]]:
    """Model table -> (Power BI's rows, the web's rows) for the user with ``email``."""
    model = load_model()
    scope = resolve_scope(email, reader)
    role = model.web_role(scope.role)
    power_bi = PowerBI(reader, model, filters[role.name], email)
    found = {}
    for table in model.tables:
        kept = power_bi.keys(table.name)
        found[table.name] = (
            all_keys(reader, model, table.name) if kept is None else kept,
            web_keys(reader, model, table.name, scope),
        )
    return found


def test_every_demo_user_sees_the_same_rows_in_power_bi_and_the_web(reader: DuckDBReader) -> None:
    filters = role_filters()
    users = demo_emails(reader)
    assert {LEAD, REP} <= set(users) and len(users) > 10
    for email in users:
        compared = compare(reader, email, filters)
        for table, (power_bi, web) in compared.items():
            assert power_bi == web, (email, table, len(power_bi), len(web))
        scope = resolve_scope(email, reader)
        if scope.role != "manager":  # not vacuous: the role leaves some rows and hides others
            lines, _ = compared[SALES]
            assert 0 < len(lines) < len(all_keys(reader, load_model(), SALES)), email
        options = filter_options(scope, reader=reader)["customers"]
        assert set(options["Customer Key"]) == compared["Customer"][0], email


def test_the_forecast_tables_are_secured_by_series_on_both_sides(reader: DuckDBReader) -> None:
    """A rep sees only their territory's series, a lead their region's, in the warehouse used above."""
    filters = role_filters()
    series = "Forecast Series"
    everything = all_keys(reader, load_model(), series)
    for email in (REP, LEAD):
        power_bi, web = compare(reader, email, filters)[series]
        assert power_bi == web and 0 < len(web) < len(everything), email


def test_a_rule_lost_on_one_side_is_caught(reader: DuckDBReader) -> None:
    """The comparison has teeth: the lead's role without its rule on Customer keeps every client,
    more than the web shows (the web still applies the rule)."""
    filters = role_filters()
    weakened = {**filters, "Regional Lead": {"Territory": filters["Regional Lead"]["Territory"]}}
    power_bi, web = compare(reader, LEAD, weakened)["Customer"]
    assert power_bi > web and web


def test_the_rendered_dax_and_the_web_read_the_same_rules() -> None:
    """Every rule of model.yml is one tablePermission of its role, and the web finds a role for it."""
    model = load_model()
    filters = role_filters()
    for role in model.roles:
        assert list(filters[role.name]) == [rule.table for rule in role.rules]
        assert model.web_role(role.web_role) is role
    assert {role.web_role for role in model.roles} == {"sales_rep", "regional_lead", "manager"}
