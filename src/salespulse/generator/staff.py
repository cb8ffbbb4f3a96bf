"""The sales organisation: a VP, one regional manager per region, reps per territory."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from ..contract import SALES_REPS
from .tables import table_from_records

EMAIL_DOMAIN = "salespulse.example"

VP_TITLE = "VP Sales"
MANAGER_TITLE = "Regional Sales Manager"
REP_TITLE = "Sales Representative"


@dataclass(frozen=True)
class Employee:
    employee_id: str
    full_name: str
    job_title: str
    territory_code: str | None
    manager_id: str | None
    hire_date: date
    region: str | None = None  # the region a regional manager leads

    @property
    def email(self) -> str:
        return f"{ascii_slug(self.full_name, '.')}@{EMAIL_DOMAIN}"


def ascii_slug(text: str, sep: str) -> str:
    """Lower-case ASCII form of a name, words joined by ``sep`` (``Étienne Roy`` -> ``etienne.roy``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in plain.lower()).split()
    return sep.join(words)


_VP = Employee("E0101", "Margaret Holloway", VP_TITLE, None, None, date(2012, 3, 5))

_MANAGERS = (
    Employee("E0102", "Daniel Okafor", MANAGER_TITLE, "US-NW", "E0101", date(2014, 6, 16), "North America"),
    Employee("E0103", "Sophie Laurent", MANAGER_TITLE, "GB", "E0101", date(2015, 9, 1), "Europe"),
    Employee("E0104", "Liam Fraser", MANAGER_TITLE, "AU", "E0101", date(2016, 2, 8), "Pacific"),
)

_REPS = (
    # id, name, territory, manager, hire date
    ("E0110", "Rachel Kim", "US-NW", "E0102", date(2016, 4, 11)),
    ("E0111", "Tom Brennan", "US-NW", "E0102", date(2019, 8, 19)),
    ("E0112", "Carlos Mendoza", "US-SW", "E0102", date(2015, 1, 12)),
    ("E0113", "Jenna Whitfield", "US-SW", "E0102", date(2018, 10, 1)),
    ("E0114", "Marcus Hale", "US-C", "E0102", date(2017, 5, 22)),
    ("E0115", "Priya Raman", "US-NE", "E0102", date(2016, 11, 7)),
    ("E0116", "Owen Gallagher", "US-NE", "E0102", date(2023, 6, 12)),
    ("E0117", "Tanya Brooks", "US-SE", "E0102", date(2018, 3, 5)),
    ("E0118", "Étienne Roy", "CA", "E0102", date(2017, 9, 18)),
    ("E0119", "Megan Clarke", "CA", "E0102", date(2020, 1, 13)),
    ("E0120", "Julien Moreau", "FR", "E0103", date(2016, 6, 20)),
    ("E0121", "Katrin Vogel", "DE", "E0103", date(2015, 10, 5)),
    ("E0122", "Felix Braun", "DE", "E0103", date(2021, 2, 1)),
    ("E0123", "Hannah Price", "GB", "E0103", date(2017, 7, 3)),
    ("E0124", "Jack Nguyen", "AU", "E0104", date(2016, 8, 29)),
    ("E0125", "Chloe Mitchell", "AU", "E0104", date(2019, 4, 15)),
)

EMPLOYEES: tuple[Employee, ...] = (
    _VP,
    *_MANAGERS,
    *(Employee(eid, name, REP_TITLE, terr, mgr, hired) for eid, name, terr, mgr, hired in _REPS),
)


def reps_by_territory() -> dict[str, list[Employee]]:
    """The Sales Representatives of each territory (customers are assigned to these)."""
    out: dict[str, list[Employee]] = {}
    for e in EMPLOYEES:
        if e.job_title == REP_TITLE and e.territory_code:
            out.setdefault(e.territory_code, []).append(e)
    return out


def sales_rep_table() -> pa.Table:
    return table_from_records(SALES_REPS, EMPLOYEES)


def rep_books(customers: pa.Table) -> dict[str, list[tuple[str, int]]]:
    """Territory -> (rep id, clients the rep owns) for each of the territory's reps, in staff order."""
    owned = Counter(customers.column("sales_rep_id").to_pylist())
    return {
        territory: [(e.employee_id, owned[e.employee_id]) for e in reps]
        for territory, reps in reps_by_territory().items()
    }
