"""The reporting currency the warehouse was built with (``reporting.settings``), for the pages,
their exports and the format of every amount; the web never reads ``SALESPULSE_CURRENCY`` itself,
so it shows what the published warehouse says even when the server's environment differs."""

from __future__ import annotations

from salespulse.currency import Currency
from salespulse.web.query.readers import Reader
from salespulse.web.query.session import Session, session_of
from salespulse.web.query.sqlbuild import view

SETTINGS = "Settings"


def reporting_currency(reader: Reader | Session) -> Currency:
    session = session_of(reader)

    def compute() -> Currency:
        rows = session.query(f"select currency_code, currency_symbol from {view(SETTINGS)}")
        if len(rows) != 1:
            raise LookupError(f"reporting.settings has {len(rows)} rows, expected one: rebuild the warehouse")
        code, symbol = rows[0]
        return Currency(code=str(code), symbol=str(symbol))

    return session.cached("currency", compute)
