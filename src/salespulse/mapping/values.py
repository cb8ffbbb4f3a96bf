"""Turn one export column (text) into one contract column (typed), naming every cell that does not fit.

Amounts keep the contract's precision: every decimal is rounded half away from zero to 4 places
(decimal(18, 4)), and ``extended_amount`` to the cent, as the contract defines it. Dates are
parsed strictly (``20250230`` is an error, not March 2nd): each distinct value is parsed once
with Python's own calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salespulse.contract import Column
from salespulse.errors import Problem
from salespulse.extracts import ARROW_TYPES, MAX_ROWS_SHOWN
from salespulse.mapping.sources import SourceFile

#: Columns rounded to the cent (the contract: "rounded to the cent"); other decimals keep 4 places.
CENT_COLUMNS = frozenset({"extended_amount"})
ROUND_MODE = "half_towards_infinity"  # half away from zero, like ROUND_HALF_UP on Decimal

_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_DECIMAL = r"^[+-]?(\d{1,14}(\.\d{0,18})?|\.\d{1,18})$"
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})([ T]00:00(:00(\.0+)?)?)?$")
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$")
_WIDE = pa.decimal128(38, 18)

_EXPECTED = {
    "integer": "a whole number",
    "decimal": "a number (at most 14 digits before the decimal point)",
}


def _date_parser(fmt: str) -> tuple[Callable[[str], dt.date], str]:
    if fmt == "yyyymmdd":

        def parse(text: str) -> dt.date:
            if not re.fullmatch(r"\d{8}", text):
                raise ValueError
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))

        return parse, "a date key as yyyymmdd (e.g. 20250131)"
    if fmt == "iso":

        def parse(text: str) -> dt.date:
            match = _ISO_DATE.match(text)
            if match is None:
                raise ValueError
            return dt.date.fromisoformat(match[1])

        return parse, "a date as YYYY-MM-DD"
    return (lambda text: dt.datetime.strptime(text, fmt).date()), f"a date as {fmt}"


def _timestamp_parser(fmt: str) -> tuple[Callable[[str], dt.datetime], str]:
    if fmt == "iso":

        def parse(text: str) -> dt.datetime:
            if not _ISO_TIMESTAMP.match(text):
                raise ValueError
            return dt.datetime.fromisoformat(text)

        return parse, "a timestamp as YYYY-MM-DD HH:MM:SS"
    if fmt == "yyyymmdd":
        day, expected = _date_parser(fmt)
        return (lambda text: dt.datetime.combine(day(text), dt.time())), expected
    return (lambda text: dt.datetime.strptime(text, fmt)), f"a timestamp as {fmt}"


def _parse_each(text: pd.Series, parse: Callable[[str], object]) -> tuple[list[object], np.ndarray]:
    """Parse every distinct non-empty value once; the mask marks the cells that did not parse."""
    parsed: dict[str, object] = {}
    for value in pd.unique(text):
        if value:
            try:
                parsed[value] = parse(value)
            except ValueError:
                parsed[value] = None
    values = [parsed.get(v) if v else None for v in text]
    bad = np.fromiter((bool(v) and parsed[v] is None for v in text), dtype=bool, count=len(text))
    return values, bad


def convert(
    text: pd.Series, column: Column, source: SourceFile, shown: str, fmt: str | None, decimal_sep: str = "."
) -> tuple[pa.Array, list[Problem]]:
    """``text`` (one value per row of ``source``, ``""`` = empty) as ``column``'s contract type.

    ``shown`` is how problems name the source (the export's column name). Required columns
    must not be empty.
    """
    type_ = column.type
    text = text.reset_index(drop=True)
    if type_ in ("date", "timestamp"):
        parser, expected = (_date_parser if type_ == "date" else _timestamp_parser)(fmt or "iso")
        values, bad = _parse_each(text, parser)
        array = pa.array(values, ARROW_TYPES[type_])
    elif type_ == "string":
        array = pc.if_else(
            pc.equal(pa.array(text, pa.string()), ""),
            pa.scalar(None, pa.string()),
            pa.array(text, pa.string()),
        )
        bad, expected = np.zeros(len(text), dtype=bool), ""
    elif type_ == "integer":
        expected = _EXPECTED[type_]
        bad = np.array([bool(v) and not _INTEGER.match(v) for v in text], dtype=bool)
        clean = [int(v) if v and not b else None for v, b in zip(text, bad, strict=True)]
        array = pa.array(clean, pa.int64())
    else:
        expected = _EXPECTED[type_]
        raw = pa.array(text, pa.string())
        if decimal_sep == ",":
            raw = pc.replace_substring(raw, ",", ".")
        ok = pc.match_substring_regex(raw, _DECIMAL)
        empty = pc.equal(raw, "")
        bad = pc.and_(pc.invert(ok), pc.invert(empty)).to_numpy(zero_copy_only=False)
        wide = pc.cast(pc.if_else(ok, raw, pa.scalar(None, pa.string())), _WIDE)
        places = 2 if column.name in CENT_COLUMNS else 4
        array = pc.cast(pc.round(wide, ndigits=places, round_mode=ROUND_MODE), ARROW_TYPES["decimal"])
    problems = rows_problem(source, shown, bad, text, f"is not {expected}")
    if column.required:
        empty = (text == "").to_numpy()
        problems += rows_problem(source, shown, empty, text, f"is empty but {column.name} is required")
    return array, problems


def rows_problem(
    source: SourceFile, shown: str, mask: np.ndarray, text: pd.Series | None, message: str
) -> list[Problem]:
    """One problem per offending row (the first few), then a count of the rest."""
    rows = np.flatnonzero(mask)
    problems = []
    for index in rows[:MAX_ROWS_SHOWN]:
        value = text.iloc[index] if text is not None else ""
        problems.append(source.where(int(index), shown, f"{value!r} {message}" if value else message))
    if len(rows) > MAX_ROWS_SHOWN:
        problems.append(
            Problem(source.relpath, f"... {len(rows) - MAX_ROWS_SHOWN} more rows: {message}", column=shown)
        )
    return problems
