"""Where the batches come from: DuckDB read through pandas, or PostgreSQL through GX's SQL datasource."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
from great_expectations.execution_engine import pandas_execution_engine
from sqlalchemy.engine import URL

from salespulse.warehouse import PostgresWarehouse, duckdb_file, target_config

from .checks import Check
from .datasets import Dataset
from .groups import column_groups
from .projection import columns_read


class QualityError(RuntimeError):
    """The checks could not run at all (no warehouse, unknown target, ...)."""


class Engine:
    """Where the batches come from: the GX data source plus a way to count rows."""

    def __init__(self, context: Any, config: dict[str, Any]) -> None:
        self.context = context
        self.target = str(config["name"])

    def groups(self, dataset: Dataset, checks: Sequence[Check], max_cells: int) -> list[list[Check]]:
        """``checks`` in the groups to validate one after the other (each on its own batch)."""
        return [list(checks)]

    def batch(
        self, name: str, dataset: Dataset, checks: Sequence[Check]
    ) -> tuple[Any, dict[str, Any] | None]:
        """The batch definition (asset ``name``) of ``dataset`` and the batch parameters to run ``checks``
        on it with."""
        raise NotImplementedError

    def row_count(self, relation: str) -> int:
        raise NotImplementedError

    def release(self) -> None:
        """Let go of the batch a suite validated (called after each suite)."""

    def close(self) -> None:
        pass


class PandasDuckDBEngine(Engine):
    """DuckDB through pandas: GX's SQL datasource emits ``SELECT * WHERE true`` against DuckDB.

    A table is read with only the columns whose values its checks read (``columns_read``); the frame
    still has all the table's columns, in order, so row count, column set and missing columns are those
    of ``select *``. See ``read``. A big table's checks are validated in column groups (``groups``), each
    on a frame read for its own checks.
    """

    def __init__(self, context: Any, config: dict[str, Any]) -> None:
        import duckdb

        super().__init__(context, config)
        path = duckdb_file(config)
        if not path.is_file():
            raise QualityError(f"no DuckDB warehouse at {path}: run `salespulse load` and `dbt build` first")
        try:
            self.con = duckdb.connect(
                str(path), read_only=True, config={"autoinstall_known_extensions": False}
            )
        except duckdb.Error as error:  # e.g. a dbt build holds the write lock
            raise QualityError(f"cannot open {path}: {error}") from error
        self.source = context.data_sources.add_pandas("warehouse")
        self.fingerprint_threshold = pandas_execution_engine.HASH_THRESHOLD
        pandas_execution_engine.HASH_THRESHOLD = 0  # see ``close``

    def frame(self, sql: str) -> pd.DataFrame:
        """The rows of ``sql`` as a pandas frame, through Arrow, with the columns cast by ``pandas_ready``.

        Not DuckDB's ``.df()``: at 10 M order lines it peaked at 5.8 GB for a 1.2 GB frame of fct_sales
        and took 12 s; through Arrow the same frame (same dtypes) peaks at 2.6 GB and takes 4 s.
        """
        relation = self.con.sql(sql)
        columns = ", ".join(
            pandas_ready(quote(name), column_type.id)
            for name, column_type in zip(relation.columns, relation.types, strict=True)
        )
        table = self.con.sql(f"select {columns} from ({sql}) as batch").to_arrow_table()
        return table.to_pandas(self_destruct=True, split_blocks=True)

    def read(self, dataset: Dataset, checks: Sequence[Check]) -> pd.DataFrame:
        """The rows of ``dataset`` for ``checks``: a derived query whole, a table projected.

        The frame of a table has the table's columns in the table's order (bound from ``select *``, which
        reads no row), but only the columns the checks read are selected; the others are all-null sparse
        placeholders, which take no memory. No check reads their values: the column-set checks see their
        names, the row-count checks the frame's length (every row of the table, as before). A column a
        check names but the table lacks stays missing, so GX reports it as with ``select *``.
        """
        needed = columns_read(checks) if dataset.relation is not None else None
        if needed is None:
            return self.frame(dataset.sql)
        columns = self.con.sql(dataset.sql).columns
        selected = [c for c in columns if c in needed]
        if selected:
            frame = self.frame(f"select {', '.join(map(quote, selected))} from {dataset.relation}")
        else:  # no check reads a value (only row counts or column names)
            frame = pd.DataFrame(index=pd.RangeIndex(self.row_count(str(dataset.relation))))
        for position, name in enumerate(columns):
            if name not in needed:
                frame.insert(position, name, placeholder(len(frame)))
        return frame

    def groups(self, dataset: Dataset, checks: Sequence[Check], max_cells: int) -> list[list[Check]]:
        """A table's checks in column groups (``column_groups``); a derived query's whole (read whole)."""
        if dataset.relation is None:
            return [list(checks)]
        return column_groups(checks, self.row_count(dataset.relation), max_cells)

    def batch(
        self, name: str, dataset: Dataset, checks: Sequence[Check]
    ) -> tuple[Any, dict[str, Any] | None]:
        asset = self.source.add_dataframe_asset(name)
        frame = self.read(dataset, checks)
        return asset.add_batch_definition_whole_dataframe("all rows"), {"dataframe": frame}

    def row_count(self, relation: str) -> int:
        return int(self.con.execute(f"select count(*) from {relation}").fetchall()[0][0])

    def release(self) -> None:
        """Drop the frames GX keeps: its execution engine caches every batch it loaded, so the frame of
        fct_sales (1.3 GB at 10 M lines) stayed in memory under every later suite."""
        manager = self.source.get_execution_engine().batch_manager
        manager.reset_batch_cache()
        manager.batch_data_cache.clear()

    def close(self) -> None:
        """Close the warehouse, and give GX back its batch fingerprints (off while this engine is open).

        GX fingerprints every pandas batch under 1 GB by hashing every value of every column
        (``hash_pandas_dataframe``), a batch marker no check reads: about a second per column at 10 M rows,
        and more for the null placeholders, which the column groups of fct_sales would all have paid for
        (its whole frame, above 1 GB, never was). Off, the results are the same; the markers lack the hash.
        """
        self.con.close()
        pandas_execution_engine.HASH_THRESHOLD = self.fingerprint_threshold


class PostgresEngine(Engine):
    """PostgreSQL through GX's SQL datasource: the server computes the metrics."""

    def __init__(self, context: Any, config: dict[str, Any]) -> None:
        super().__init__(context, config)
        import psycopg

        try:
            self.warehouse = PostgresWarehouse(config)
        except psycopg.Error as error:
            raise QualityError(f"cannot connect to {config['host']}:{config['port']}: {error}") from error
        self.warehouse.conn.autocommit = True  # counts hold no locks between suites
        self.source = context.data_sources.add_postgres("warehouse", connection_string=postgres_url(config))

    def batch(
        self, name: str, dataset: Dataset, checks: Sequence[Check]
    ) -> tuple[Any, dict[str, Any] | None]:
        # The server computes each metric over the columns it needs: no projection or groups to make here.
        if dataset.relation is not None:
            schema, table = dataset.relation.split(".", 1)
            asset = self.source.add_table_asset(name, table_name=table, schema_name=schema)
        else:
            # GX wants a query asset to start with SELECT: wrap the ones starting with WITH.
            query = f"select * from ({dataset.sql.strip()}) as derived"
            asset = self.source.add_query_asset(name, query=query)
        return asset.add_batch_definition_whole_table("all rows"), None

    def row_count(self, relation: str) -> int:
        return int(self.warehouse.query(f"select count(*) from {relation}")[0][0])

    def close(self) -> None:
        self.warehouse.close()
        # GX's SQLAlchemy engine pools connections; let them go now, not at garbage collection.
        self.source.get_engine().dispose()


#: DuckDB types widened before pandas sees them: GX checks a column's range vectorised only when its dtype
#: is int64 or float64 (``column.dtype in [int, float]``); an int32 column was checked value by value in
#: Python (three such checks on fct_sales took ~20 s at 10 M lines). Widening keeps every value.
WIDENED_INTEGERS = frozenset({"tinyint", "smallint", "integer", "utinyint", "usmallint", "uinteger"})


def pandas_ready(column: str, type_id: str) -> str:
    """The select expression giving pandas ``column`` as ``.df()`` would, with fast-to-check integers.

    DECIMAL becomes DOUBLE and DATE becomes TIMESTAMP (float64 and datetime64[us], what ``.df()`` gives;
    Arrow alone would give Python Decimal and date objects); small integers become BIGINT (int64).
    """
    if type_id == "decimal":
        return f"cast({column} as double) as {column}"
    if type_id == "date":
        return f"cast({column} as timestamp) as {column}"
    if type_id in WIDENED_INTEGERS:
        return f"cast({column} as bigint) as {column}"
    return column


def placeholder(rows: int) -> pd.arrays.ArrowExtensionArray:
    """``rows`` nulls that take no memory, and none when GX filters the frame.

    An Arrow null array has no buffers: GX filters the whole frame (every column) for each column check,
    and a filtered Arrow null array is again bufferless. A sparse all-NaN column (the placeholder before)
    was made dense by every such filter: 80 MB per placeholder per check at 10 M rows, which put the
    suite's peak at 6 GB.
    """
    return pd.arrays.ArrowExtensionArray(pa.nulls(rows))


def quote(identifier: str) -> str:
    """A DuckDB (and SQL) quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def postgres_url(config: dict[str, Any]) -> str:
    """A SQLAlchemy URL (psycopg 3 driver) for a postgres output of profiles.yml."""
    host = str(config["host"])
    socket_dir = host.startswith("/")
    url = URL.create(
        "postgresql+psycopg",
        username=str(config["user"]),
        password=str(config.get("password") or "") or None,
        host=None if socket_dir else host,
        port=int(config["port"]),
        database=str(config["dbname"]),
        query={"host": host} if socket_dir else {},
    )
    return url.render_as_string(hide_password=False)


def open_engine(context: Any, target: str | None, environ: Mapping[str, str] | None = None) -> Engine:
    try:
        config = target_config(target, environ)
    except KeyError as error:
        raise QualityError(str(error.args[0] if error.args else error)) from error
    engines: dict[str, type[Engine]] = {"duckdb": PandasDuckDBEngine, "postgres": PostgresEngine}
    if config["type"] not in engines:
        raise QualityError(
            f"target {config['name']!r} has type {config['type']!r}, which the checks do not support"
        )
    return engines[config["type"]](context, config)
