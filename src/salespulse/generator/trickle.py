"""The trickle feed: small order-line deliveries after the demo extracts, one per tick.

An ERP that feeds the warehouse in near real time sends, every few minutes, the lines created or
changed since its last export: new orders, late updates of earlier lines (old ones too: a
corrected quantity months after the sale) and cancellations. The trickle writes exactly such
deliveries next to the demo's monthly files, so the land / build / publish loop can be watched and
tested end to end without an ERP.

- Each delivery is one more file of the append extract, ``order_lines/order_lines_trickle_NNNNNN``
  in the format of the monthly files: new to the loader by its name, never replacing a file.
- A changed line is delivered again whole, with a later ``last_modified_at``; staging keeps the
  latest version. Tick ``k`` covers the ERP's changes of a fixed window of ``TICK_WINDOW_SECONDS``
  starting ``k - 1`` windows after the last change in the extracts (and after anything delivered
  since), so every delivery is later than everything before it. Time comes from the data and the
  tick number, never from the clock: the same folder and seed give the same bytes.
- What a tick writes depends only on the folder's order lines (read as the loader reads them), the
  seed and the tick number, so three ticks in one run equal three runs of one tick.
- Files are written to a hidden temporary name (a suffix the loader ignores) and renamed into
  place, so a watcher never reads half a file.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..contract import DATA_FILE_SUFFIXES, ORDER_LINES
from ..errors import ContractError
from ..extracts import DeliveredFile, discover, read_extract
from .lines import ORDER_NUMBER_WIDTH
from .plan import day_number
from .rng import stream
from .tables import PARQUET_OPTIONS, arrow_schema, csv_bytes

LINES_DIR = ORDER_LINES.name  # the append extract's folder, as the generator writes it
TRICKLE_PREFIX = "order_lines_trickle_"
TRICKLE_RE = re.compile(rf"^{TRICKLE_PREFIX}(\d{{6}})\.(csv|parquet)$")
#: ERP time one delivery covers.
TICK_WINDOW_SECONDS = 300
#: Shares of a delivery's rows: new order lines, cancellations; the rest are late updates.
NEW_SHARE = 0.7
CANCEL_SHARE = 0.1
#: New orders repeat orders placed this many days before the tick (customers, baskets, prices).
RECENT_DAYS = 90
#: A line ordered this many days before the tick is "old": half the late updates go to such lines.
OLD_DAYS = 180
MIN_LINES = 3
CENT = Decimal("0.01")
BASIS_POINT = Decimal("0.0001")
_EPOCH = datetime(1970, 1, 1)


class TrickleError(ValueError):
    """The folder holds nothing the trickle can follow on from."""


@dataclass(frozen=True)
class TrickleDelivery:
    tick: int
    path: Path
    rows: int
    new_orders: tuple[str, ...]
    new_lines: int
    #: (order number, line number) of the lines delivered again with a change, by kind.
    late_updates: tuple[tuple[str, int], ...]
    old_updates: tuple[tuple[str, int], ...]
    cancelled: tuple[tuple[str, int], ...]
    first_change: datetime
    last_change: datetime

    def __str__(self) -> str:
        return (
            f"trickle {self.tick}: {self.path.parent.name}/{self.path.name}, {self.rows} rows: "
            f"{self.new_lines} new lines in {len(self.new_orders)} orders, {len(self.late_updates)} "
            f"late updates ({len(self.old_updates)} of lines ordered over {OLD_DAYS} days before), "
            f"{len(self.cancelled)} cancelled; changes {self.first_change} .. {self.last_change}"
        )


def trickle_ticks(lines_dir: Path) -> list[int]:
    """The tick numbers of the trickle files already in ``lines_dir``, ascending."""
    if not lines_dir.is_dir():
        return []
    return sorted(int(m.group(1)) for p in lines_dir.iterdir() if (m := TRICKLE_RE.match(p.name)))


def has_extract(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds order-line files other than trickle deliveries to follow on from."""
    lines_dir = Path(out_dir) / LINES_DIR
    return lines_dir.is_dir() and any(
        p.suffix in DATA_FILE_SUFFIXES and not TRICKLE_RE.match(p.name) for p in lines_dir.iterdir()
    )


def clear_trickle(lines_dir: Path) -> None:
    """Remove earlier trickle deliveries (they follow on from data that is being replaced)."""
    for path in sorted(lines_dir.glob(f"{TRICKLE_PREFIX}*")):
        if TRICKLE_RE.match(path.name):
            path.unlink()


def _micros(values: pa.ChunkedArray) -> np.ndarray:
    return pc.cast(values, pa.int64()).to_numpy()


class TrickleFeed:
    """The order lines of a delivery folder (latest version of each line), and the next deliveries."""

    def __init__(self, out_dir: Path, *, seed: int = 42, lines: int = 40) -> None:
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        if lines < MIN_LINES:
            raise ValueError(f"a trickle delivery has at least {MIN_LINES} lines (new, updated, cancelled)")
        self.out_dir = Path(out_dir)
        self.seed = seed
        self.lines = lines
        self.lines_dir = self.out_dir / LINES_DIR
        files = self._delivered_files()
        extract = [f for f in files if not TRICKLE_RE.match(f.path.name)]
        if not extract:
            raise TrickleError(
                f"no order-line extract in {self.lines_dir}: run `salespulse generate --out {self.out_dir}`"
            )
        self.format = extract[-1].format
        state, anchor = self._read(files, extract)
        self._state = state
        #: Last change in the extracts proper (whole seconds): tick 1 starts after it.
        self._anchor = anchor
        ticks = trickle_ticks(self.lines_dir)
        self.tick = ticks[-1] if ticks else 0

    def _delivered_files(self) -> list[DeliveredFile]:
        found, _ = discover(self.out_dir)  # other extracts' problems are the loader's business
        return [f for f in found.get(ORDER_LINES.name, []) if f.path.parent == self.lines_dir]

    @staticmethod
    def _read(files: list[DeliveredFile], extract: list[DeliveredFile]) -> tuple[pa.Table, int]:
        """The latest version of every line (as staging picks it), sorted by order and line number,
        and the last change of the extract files in whole seconds."""
        tables, anchor = [], 0
        for index, delivered in enumerate(files):
            table, problems = read_extract(delivered)
            if table is None:
                raise ContractError(problems)
            if delivered in extract and table.num_rows:
                anchor = max(anchor, int(_micros(table["last_modified_at"]).max()) // 1_000_000)
            tables.append(table.append_column("_file", pa.array([index] * table.num_rows, pa.int64())))
        every = pa.concat_tables(tables).sort_by(
            [
                ("order_number", "ascending"),
                ("line_number", "ascending"),
                ("last_modified_at", "ascending"),
                ("_file", "ascending"),
                ("_source_row", "ascending"),
            ]
        )
        order_no = every["order_number"].to_numpy(zero_copy_only=False)
        line_no = every["line_number"].to_numpy()
        last = np.ones(len(order_no), dtype=bool)
        last[:-1] = (order_no[1:] != order_no[:-1]) | (line_no[1:] != line_no[:-1])
        return every.filter(pa.array(last)).select(ORDER_LINES.column_names), anchor

    # -- one delivery -----------------------------------------------------------------------------

    def next(self) -> TrickleDelivery:
        """Write the next delivery and take its lines into the state."""
        self.tick += 1
        rng = stream(self.seed, "trickle", self.tick)
        state = self._state
        modified = _micros(state["last_modified_at"])
        latest_s = int(modified.max()) // 1_000_000
        start_s = max(self._anchor + (self.tick - 1) * TICK_WINDOW_SECONDS, latest_s) + 1
        today = day_number((_EPOCH + timedelta(seconds=start_s)).date())

        order_day = pc.cast(state["order_date"], pa.int32()).to_numpy()
        status = state["status"].to_numpy(zero_copy_only=False)
        n_new = round(self.lines * NEW_SHARE)
        n_cancel = max(1, round(self.lines * CANCEL_SHARE))
        n_update = max(1, self.lines - n_new - n_cancel)
        n_new = self.lines - n_cancel - n_update

        taken = np.zeros(len(status), dtype=bool)

        def pick(mask: np.ndarray, n: int) -> np.ndarray:
            candidates = np.flatnonzero(mask & ~taken)
            chosen = np.sort(rng.choice(candidates, size=min(n, len(candidates)), replace=False))
            taken[chosen] = True
            return chosen

        is_open, is_shipped = status == "open", status == "shipped"
        cancelled = pick(is_open, n_cancel)
        if len(cancelled) < n_cancel:  # no open line left: a shipped one is cancelled (a return)
            cancelled = np.sort(np.concatenate([cancelled, pick(is_shipped, n_cancel - len(cancelled))]))
        n_old = (n_update + 1) // 2
        old = pick(is_shipped & (order_day < today - OLD_DAYS), n_old)
        shipped_now = pick(is_open, n_update - len(old))
        corrected_recent = pick(is_shipped, n_update - len(old) - len(shipped_now))

        rows: list[dict[str, object]] = []
        new_orders = self._new_orders(n_new, order_day, today, start_s, rows, rng)
        changes = sorted(
            [(int(i), "cancel") for i in cancelled]
            + [(int(i), "quantity") for i in np.concatenate([old, corrected_recent])]
            + [(int(i), "ship") for i in shipped_now]
        )
        change_times = start_s + rng.integers(0, TICK_WINDOW_SECONDS, len(changes))
        for (index, kind), at in zip(changes, change_times, strict=True):
            rows.append(self._changed(index, kind, int(at), rng))
        rows.sort(key=lambda r: (r["last_modified_at"], r["order_number"], r["line_number"]))

        key = self._key
        updated = np.sort(np.concatenate([old, corrected_recent, shipped_now]))
        delivery = TrickleDelivery(
            tick=self.tick,
            path=self._write(rows),
            rows=len(rows),
            new_orders=tuple(new_orders),
            new_lines=len(rows) - len(changes),
            late_updates=tuple(key(int(i)) for i in updated),
            old_updates=tuple(key(int(i)) for i in old),
            cancelled=tuple(key(int(i)) for i in cancelled),
            first_change=rows[0]["last_modified_at"],  # type: ignore[arg-type]
            last_change=rows[-1]["last_modified_at"],  # type: ignore[arg-type]
        )
        self._take(rows, np.array([i for i, _ in changes], dtype=np.int64))
        return delivery

    def _key(self, index: int) -> tuple[str, int]:
        return str(self._state["order_number"][index].as_py()), int(self._state["line_number"][index].as_py())

    def _row(self, index: int) -> dict[str, object]:
        return self._state.slice(index, 1).to_pylist()[0]

    def _new_orders(
        self,
        n_lines: int,
        order_day: np.ndarray,
        today: int,
        start_s: int,
        rows: list[dict[str, object]],
        rng: np.random.Generator,
    ) -> list[str]:
        """Repeat orders of recent ones (same client, basket, prices and discount), entered in the
        window, open, without campaign; ``n_lines`` lines in all. Returns the new order numbers."""
        state = self._state
        line_no = state["line_number"].to_numpy()
        no_campaign = state["campaign_code"].is_null().to_numpy(zero_copy_only=False)
        templates = np.flatnonzero((line_no == 1) & (order_day >= today - RECENT_DAYS) & no_campaign)
        if not len(templates):
            templates = np.flatnonzero(line_no == 1)
        numbers = pc.cast(pc.utf8_slice_codeunits(state["order_number"], 2), pa.int64())
        next_number = int(pc.max(numbers).as_py()) + 1
        order_no = state["order_number"].to_numpy(zero_copy_only=False)
        entered = iter(np.sort(start_s + rng.integers(0, TICK_WINDOW_SECONDS, n_lines)))
        made: list[str] = []
        while len(rows) < n_lines:
            first = int(rng.choice(templates))
            stop = first + 1
            while stop < len(order_no) and order_no[stop] == order_no[first]:
                stop += 1
            number = f"SO{next_number:0{ORDER_NUMBER_WIDTH}d}"
            next_number += 1
            created = _EPOCH + timedelta(seconds=int(next(entered)))  # one entry time per order
            for line, index in enumerate(range(first, min(stop, first + n_lines - len(rows))), start=1):
                row = self._row(index)
                gap = row["due_date"] - row["order_date"]  # type: ignore[operator]
                row.update(
                    order_number=number,
                    line_number=line,
                    order_date=created.date(),
                    due_date=created.date() + gap,
                    ship_date=None,
                    status="open",
                    campaign_code=None,
                    last_modified_at=created,
                )
                rows.append(_priced(row))
            made.append(number)
        return made

    def _changed(self, index: int, kind: str, at: int, rng: np.random.Generator) -> dict[str, object]:
        """The line's next version: cancelled, shipped (ship date set) or a corrected quantity."""
        row = self._row(index)
        changed_at = _EPOCH + timedelta(seconds=at)
        if kind == "cancel":
            row.update(status="cancelled", ship_date=None)
        elif kind == "ship":
            row.update(status="shipped", ship_date=max(changed_at.date(), row["order_date"]))  # type: ignore[type-var]
        else:
            quantity = int(row["quantity"])  # type: ignore[arg-type]
            row["quantity"] = quantity + 1 if quantity == 1 or rng.random() < 0.5 else quantity - 1
        row["last_modified_at"] = changed_at
        return _priced(row)

    # -- files and state --------------------------------------------------------------------------

    def _write(self, rows: list[dict[str, object]]) -> Path:
        """Write the delivery under a temporary name the loader ignores, then rename it into place."""
        table = pa.Table.from_pylist(rows, schema=arrow_schema(ORDER_LINES))
        if self.format == "csv":
            data = csv_bytes(table)
        else:
            buffer = io.BytesIO()
            pq.write_table(table, buffer, **PARQUET_OPTIONS)
            data = buffer.getvalue()
        path = self.lines_dir / f"{TRICKLE_PREFIX}{self.tick:06d}.{self.format}"
        temporary = self.lines_dir / f".{path.name}.tmp"
        with temporary.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
        directory = os.open(self.lines_dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return path

    def _take(self, rows: list[dict[str, object]], replaced: np.ndarray) -> None:
        """The delivered versions replace the earlier ones of their lines; keep the state sorted."""
        keep = np.ones(self._state.num_rows, dtype=bool)
        keep[replaced] = False
        delivered = pa.Table.from_pylist(rows, schema=self._state.schema)
        self._state = pa.concat_tables([self._state.filter(pa.array(keep)), delivered]).sort_by(
            [("order_number", "ascending"), ("line_number", "ascending")]
        )


def _priced(row: dict[str, object]) -> dict[str, object]:
    """Money to the cent and the net amount recomputed: quantity x price x (1 - discount), half up."""
    price = Decimal(row["unit_price"]).quantize(CENT)  # type: ignore[arg-type]
    discount = Decimal(row["discount_pct"]).quantize(BASIS_POINT)  # type: ignore[arg-type]
    row["unit_price"] = price
    row["discount_pct"] = discount
    row["standard_cost"] = Decimal(row["standard_cost"]).quantize(CENT)  # type: ignore[arg-type]
    row["extended_amount"] = (int(row["quantity"]) * price * (1 - discount)).quantize(CENT, ROUND_HALF_UP)  # type: ignore[arg-type]
    return row


def trickle(
    out_dir: Path, *, seed: int = 42, lines: int = 40, count: int = 0, every: float = 10.0
) -> Iterator[TrickleDelivery]:
    """Write a delivery every ``every`` seconds (``count`` of them; 0 = until stopped), yielding each."""
    if count < 0 or every < 0:
        raise ValueError("count and every must not be negative")
    feed = TrickleFeed(out_dir, seed=seed, lines=lines)
    written = 0
    while not count or written < count:
        if written:
            time.sleep(every)
        yield feed.next()
        written += 1
