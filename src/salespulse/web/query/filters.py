"""What a dashboard user asked for (``Filters``) and what they may see (``Scope``).

Filters are plain values, validated here, and only ever reach SQL as bound parameters. A
``Scope`` is the row-level security of ``model.yml``'s roles, resolved on the server from the
signed-in user's e-mail against ``reporting.sales_reps``; every query takes one, never optional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, make_dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

from salespulse.semantic.model import load_roles
from salespulse.web.query.readers import Reader
from salespulse.web.query.slicers import SLICERS

Role = Literal["manager", "regional_lead", "sales_rep"]

#: ``sales_reps.job_title`` -> role, from the roles of model.yml (their ``job_titles``).
JOB_TITLE_ROLES: dict[str, Role] = {
    title: role.web_role  # type: ignore[misc]  # checked: Scope refuses an unknown role
    for role in load_roles().roles
    for title in role.job_titles
}

#: Filter field -> (model table, reporting view column) it restricts: one per slicer (``slicers``).
FILTER_COLUMNS: dict[str, tuple[str, str]] = {
    slicer.name: (slicer.table, slicer.column) for slicer in SLICERS
}
_KEY_FIELDS = {slicer.name for slicer in SLICERS if slicer.keys}


class AccessDenied(PermissionError):
    """The e-mail is not a sales rep, regional lead or manager in ``reporting.sales_reps``."""


def _as_date(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise ValueError(f"filter {name}: {value!r} is not a date")


def _as_key(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"filter {name}: {value!r} is not a key")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"filter {name}: {value!r} is not a key")


def _as_values(value: Any, name: str) -> tuple[Any, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, str | int) else tuple(value)
    if name in _KEY_FIELDS:
        return tuple(sorted({_as_key(item, name) for item in items}))
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"filter {name}: values must be text")
    return tuple(sorted(set(items)))


class _FilterValues:
    """The behaviour of ``Filters``; its fields are the dates and one tuple per slicer."""

    date_from: date | None
    date_to: date | None

    def __post_init__(self) -> None:
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if item.name in ("date_from", "date_to"):
                normal: Any = _as_date(value, item.name)
            else:
                normal = _as_values(value, item.name)
            object.__setattr__(self, item.name, normal)

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> Filters:
        """Filters from untyped input (a UI's state: lists, ISO date strings, string keys).

        Unknown names and values that cannot be dates or keys raise ``ValueError``.
        """
        names = {item.name for item in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown filters: {', '.join(map(repr, unknown))}")
        return cls(**values)  # type: ignore[return-value]

    def active(self, table: str) -> bool:
        """Whether any filter restricts model table ``table`` (dates: the Date table)."""
        if table == "Date":
            return self.date_from is not None or self.date_to is not None
        return any(getattr(self, name) for name, (owner, _) in FILTER_COLUMNS.items() if owner == table)

    def without(self, table: str) -> Filters:
        """These filters but those on model table ``table`` (DAX ``REMOVEFILTERS ( 'table' )``)."""
        if table == "Date":
            return replace(self, date_from=None, date_to=None)  # type: ignore[type-var]
        return replace(self, **{name: () for name, (owner, _) in FILTER_COLUMNS.items() if owner == table})  # type: ignore[type-var]

    def on(self, table: str) -> list[tuple[str, tuple[Any, ...]]]:
        """The (view column, values) filters that restrict ``table``."""
        return [
            (column, getattr(self, name))
            for name, (owner, column) in FILTER_COLUMNS.items()
            if owner == table and getattr(self, name)
        ]


# A dataclass made from the registry, so that a slicer declared there is a field here too.
Filters = make_dataclass(
    "Filters",
    [
        ("date_from", "date | None", field(default=None)),
        ("date_to", "date | None", field(default=None)),
        *((s.name, "tuple[int, ...]" if s.keys else "tuple[str, ...]", field(default=())) for s in SLICERS),
    ],
    bases=(_FilterValues,),
    frozen=True,
)
Filters.__module__ = __name__
Filters.__doc__ = """The slicers of a page. Everything is optional: empty means "not filtered".

The fields are the dates and one per slicer of ``salespulse.web.query.slicers`` (``regions``, ...). Dates
are inclusive. Text values match exactly; keys are the integer surrogate keys of ``filter_options``.
Lists are accepted and stored as sorted tuples, so equal filters are equal (and hashable, for
caches). A value that cannot be a date or a key raises ``ValueError``.
"""


@dataclass(frozen=True)
class Scope:
    """Row-level security of one user (model.yml roles).

    - ``manager``: everything.
    - ``regional_lead``: order lines of the territories of ``region`` whose client also belongs to a
      territory of ``region``; clients of the region; budget of the region's territories.
    - ``sales_rep``: order lines with ``sales_rep_key`` whose client is owned by ``sales_rep_key``
      (``customers.sales_rep_key``); those clients; budget rows of that rep only.
    """

    role: Role
    email: str
    region: str | None = None
    sales_rep_key: int | None = None

    def __post_init__(self) -> None:
        if self.role not in JOB_TITLE_ROLES.values():
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "regional_lead" and not self.region:
            raise ValueError("a regional lead's scope needs a region")
        if self.role == "sales_rep" and self.sales_rep_key is None:
            raise ValueError("a sales rep's scope needs their sales_rep_key")

    @classmethod
    def manager(cls, email: str = "") -> Scope:
        return cls("manager", email)

    @classmethod
    def regional_lead(cls, region: str, email: str = "") -> Scope:
        return cls("regional_lead", email, region=region)

    @classmethod
    def sales_rep(cls, sales_rep_key: int, email: str = "") -> Scope:
        return cls("sales_rep", email, sales_rep_key=sales_rep_key)


def resolve_scope(email: str, reader: Reader | None = None) -> Scope:
    """The scope of the user with ``email`` (case-insensitive), from ``reporting.sales_reps``.

    Raises ``AccessDenied`` for an unknown e-mail or a job title without a role.
    """
    from salespulse.web.query.readers import default_reader

    reader = reader or default_reader()
    address = (email or "").strip()
    if not address:
        raise AccessDenied("no e-mail: sign in first")
    rows = reader.query(
        "select sales_rep_key, job_title, region_name from reporting.sales_reps "
        "where lower(email) = lower(?) and sales_rep_key <> -1",
        [address],
    )
    if len(rows) != 1:
        raise AccessDenied(f"{address} is not a known sales rep, regional lead or manager")
    key, title, region = rows[0]
    role = JOB_TITLE_ROLES.get(title)
    if role is None:
        raise AccessDenied(f"{address} has job title {title!r}, which has no dashboard role")
    if role == "manager":
        return Scope.manager(address)
    if role == "regional_lead":
        return Scope.regional_lead(region, address)
    return Scope.sales_rep(int(key), address)
