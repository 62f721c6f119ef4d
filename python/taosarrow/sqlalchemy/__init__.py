"""SQLAlchemy 2 and pandas over taosarrow.

::

    import pandas as pd
    from sqlalchemy import create_engine
    from taosarrow.sqlalchemy import arrow_insert

    engine = create_engine("taosarrow://root:taosdata@localhost:6041/db")
    df.to_sql("meters", engine, index=False, if_exists="append", method=arrow_insert)
    back = pd.read_sql("SELECT * FROM meters", engine)

The dialect (:class:`TaosArrowDialect`) is registered as ``taosarrow``, ``taosarrow+ws`` and
``taosarrow+wss``. :func:`arrow_insert` is a pandas ``to_sql`` ``method=`` that writes the
DataFrame itself through taosarrow's Arrow ingest (stmt2 column binds), keeping nanosecond
timestamps exact; without it pandas' rows go through one stmt2 ``executemany``.
"""

from __future__ import annotations

from typing import Any, Iterable, List

from .dialect import TaosArrowDialect
from .types import (
    BIGINT,
    BIGINT_UNSIGNED,
    BINARY,
    BOOL,
    DECIMAL,
    DOUBLE,
    FLOAT,
    GEOMETRY,
    INT,
    INT_UNSIGNED,
    JSON,
    NCHAR,
    SMALLINT,
    SMALLINT_UNSIGNED,
    TIMESTAMP,
    TINYINT,
    TINYINT_UNSIGNED,
    VARBINARY,
    VARCHAR,
    resolve_type,
)

dialect = TaosArrowDialect

__all__ = [
    "TaosArrowDialect",
    "dialect",
    "arrow_insert",
    "BIGINT",
    "BIGINT_UNSIGNED",
    "BINARY",
    "BOOL",
    "DECIMAL",
    "DOUBLE",
    "FLOAT",
    "GEOMETRY",
    "INT",
    "INT_UNSIGNED",
    "JSON",
    "NCHAR",
    "SMALLINT",
    "SMALLINT_UNSIGNED",
    "TIMESTAMP",
    "TINYINT",
    "TINYINT_UNSIGNED",
    "VARBINARY",
    "VARCHAR",
    "resolve_type",
]


def _raw_connection(conn: Any) -> Any:
    """The taosarrow :class:`~taosarrow.Connection` under a SQLAlchemy connection."""
    raw = conn.connection
    return getattr(raw, "dbapi_connection", None) or getattr(raw, "driver_connection", raw)


def arrow_insert(pd_table: Any, conn: Any, keys: List[str], data_iter: Iterable[Any]) -> int:
    """A pandas ``DataFrame.to_sql(…, method=arrow_insert)``: writes the rows of this chunk
    from the DataFrame itself (not the Python objects pandas made of them) through
    :meth:`taosarrow.Connection.write`, so timestamps keep their nanoseconds and no value
    becomes a Python object. Returns the rows written."""
    rows = sum(1 for _ in data_iter)
    frame = pd_table.frame
    if pd_table.index is not None:
        frame = frame.reset_index()
    start: int = getattr(pd_table, "_taosarrow_written", 0)
    chunk = frame.iloc[start : start + rows]
    pd_table._taosarrow_written = start + rows
    chunk = chunk[list(keys)]
    name = pd_table.name if pd_table.schema is None else f"{pd_table.schema}.{pd_table.name}"
    raw = _raw_connection(conn)
    return int(raw.write(_decimals_as_declared(chunk, pd_table.table), table=name))


def _decimals_as_declared(chunk: Any, table: Any) -> Any:
    """``chunk`` as Arrow, its float columns that the table declares DECIMAL(p, s) rounded to
    ``s`` places (half away from zero, as TDengine rounds) and cast to that type: the ingest
    binds no float to a DECIMAL, which would hide a rounding."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data = pa.Table.from_pandas(chunk, preserve_index=False)
    for i, field in enumerate(data.schema):
        column = table.columns.get(field.name) if table is not None else None
        declared = getattr(column, "type", None)
        if not isinstance(declared, DECIMAL) or not pa.types.is_floating(field.type):
            continue
        precision, scale = declared.precision or 18, declared.scale or 0
        target = pa.decimal128(precision, scale)
        rounded = pc.round(data.column(i), ndigits=scale, round_mode="half_towards_infinity")
        data = data.set_column(i, field.name, pc.cast(rounded, target, safe=False))
    return data
