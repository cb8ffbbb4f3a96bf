"""How fresh the data on the dashboards is: the build's as-of date, when the newest file it read was
loaded, and per raw table its last load and (order lines) newest change, from
``reporting.data_freshness`` (``models/reporting/rpt_data_freshness.sql``).

That view is a table built with the rest, so it describes the data the pages show, not a load that
has not been built yet. Times are shown as the loader stored them (UTC), never compared with the
server's clock. A warehouse built before the view existed still opens: its loads are "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from salespulse.web.query.readers import Reader
from salespulse.web.query.sqlbuild import SCHEMA, ident

FRESHNESS_VIEW = "data_freshness"
UNKNOWN = "unknown"
SEPARATOR = " · "


@dataclass(frozen=True)
class SourceFreshness:
    table: str  # the raw table: order_lines, customers, budget, ...
    last_loaded_at: datetime
    newest_change_at: datetime | None  # only the order lines carry a change time

    @property
    def label(self) -> str:
        """``order_lines`` -> ``Order lines``."""
        return self.table.replace("_", " ").capitalize()

    def describe(self) -> str:
        change = f" · newest change {stamp(self.newest_change_at)}" if self.newest_change_at else ""
        return f"{self.label}: loaded {stamp(self.last_loaded_at)}{change}"


@dataclass(frozen=True)
class Freshness:
    sources: tuple[SourceFreshness, ...]  # empty: the warehouse does not say (built before the view)

    @property
    def last_loaded_at(self) -> datetime | None:
        return max((s.last_loaded_at for s in self.sources), default=None)

    def parts(self, as_of: date | str | None) -> tuple[str, str]:
        """``Data as of 2024-12-31`` and ``loaded 2025-01-02 06:15:09 UTC`` (``unknown`` for what is
        not known): the header may show them on two lines."""
        day = as_of.isoformat() if isinstance(as_of, date) else (as_of or UNKNOWN)
        return f"Data as of {day}", f"loaded {stamp(self.last_loaded_at)}"

    def summary(self, as_of: date | str | None) -> str:
        return SEPARATOR.join(self.parts(as_of))

    def details(self) -> list[str]:
        """One line per raw table, or why there is none."""
        if not self.sources:
            return ["This warehouse does not record its loads: build it again to see them."]
        return [source.describe() for source in self.sources]


def stamp(moment: datetime | None) -> str:
    """A stored time, to the second, in UTC as the loader records it."""
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else UNKNOWN


def load_freshness(reader: Reader) -> Freshness:
    """The freshness of the build ``reader`` reads (two small queries: call it once per build)."""
    (found,) = reader.query(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [SCHEMA, FRESHNESS_VIEW],
    )[0]
    if not found:
        return Freshness(())
    rows = reader.query(
        "select source_table, last_loaded_at, newest_change_at "
        f"from {ident(SCHEMA)}.{ident(FRESHNESS_VIEW)} order by source_table"
    )
    return Freshness(tuple(SourceFreshness(table, loaded, changed) for table, loaded, changed in rows))
