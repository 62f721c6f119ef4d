"""One-call reads: ``read_arrow``, ``read_pandas``, ``read_polars`` and the lazy ``scan_polars``."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, List, Optional, Tuple, Union

from . import _frames
from ._polars_scan import build_select, translate
from .connection import Connection
from .exceptions import Error, ProgrammingError

__all__ = ["read_arrow", "read_pandas", "read_polars", "scan_polars"]

ConnOrDsn = Union[Connection, str]


@contextlib.contextmanager
def _connection(conn_or_dsn: ConnOrDsn) -> Iterator[Connection]:
    if isinstance(conn_or_dsn, Connection):
        yield conn_or_dsn
    else:
        conn = Connection(conn_or_dsn)
        try:
            yield conn
        finally:
            conn.close()


def _read_all(conn: Connection, sql: str, progress: Any) -> Any:
    """Every batch of ``sql``: the native table at once, or with ``progress`` a pyarrow
    table read batch by batch, ``progress`` told the rows read after each."""
    result = conn._query_native(sql)
    if progress is None or progress is False:
        return result.read_all()
    from .writes import _progress_callback

    import pyarrow as pa

    update = _progress_callback(progress, None, "taosarrow read")
    reader = pa.RecordBatchReader.from_stream(result.reader())
    batches = []
    rows = 0
    for batch in reader:
        batches.append(batch)
        rows += batch.num_rows
        if update is not None:
            update(rows)
    close = getattr(update, "close", None)
    if close is not None:
        close()
    return pa.Table.from_batches(batches, schema=reader.schema)


def read_arrow(sql: str, conn_or_dsn: ConnOrDsn, *, progress: Any = None) -> Any:
    """The result of ``sql`` as a ``pyarrow.Table``. ``progress=True`` shows a tqdm bar of
    the rows read (when tqdm is installed); a callable receives the rows read so far after
    each batch."""
    with _connection(conn_or_dsn) as conn:
        return _frames.to_pyarrow_table(_read_all(conn, sql, progress))


def read_pandas(
    sql: str,
    conn_or_dsn: ConnOrDsn,
    *,
    dtype_backend: str = "numpy",
    categories: _frames.Categories = None,
    progress: Any = None,
) -> Any:
    """The result of ``sql`` as a pandas ``DataFrame`` (``progress`` as for :func:`read_arrow`;
    ``categories=True`` or a list of names reads string columns as ``pandas.Categorical``)."""
    with _connection(conn_or_dsn) as conn:
        return _frames.to_pandas(_read_all(conn, sql, progress), dtype_backend=dtype_backend, categories=categories)


def read_polars(sql: str, conn_or_dsn: ConnOrDsn, *, progress: Any = None) -> Any:
    """The result of ``sql`` as a polars ``DataFrame`` (pyarrow not needed without
    ``progress``, which is as for :func:`read_arrow`)."""
    with _connection(conn_or_dsn) as conn:
        return _frames.to_polars(_read_all(conn, sql, progress))


def _probe(conn: Connection, source: str) -> Tuple[bool, Any]:
    """``(is_query, empty result)`` for a table name or a query: the server decides. The
    source is tried as a (quoted) table name first, then as a sub-query; when both fail the
    sub-query's error is raised (chained to the table's)."""
    try:
        return False, _probe_result(conn, build_select(source, None, None, 0, False))
    except Error as table_error:
        try:
            return True, _probe_result(conn, build_select(source, None, None, 0, True))
        except Error as query_error:
            raise query_error from table_error


def _probe_result(conn: Connection, sql: str) -> Any:
    _, result = conn._execute_native(sql)
    if result is None:
        raise ProgrammingError(f"{sql!r} returned no result set")
    return result.read_all()


def scan_polars(table_or_query: str, conn_or_dsn: ConnOrDsn, *, on_sql: Optional[Any] = None) -> Any:
    """A polars ``LazyFrame`` over a table (``name`` or ``db.name``) or a query (whichever
    the server accepts, tried in that order).

    Projections become the SELECT list, simple comparisons, ranges, ``is_in`` and null tests
    on columns become ``WHERE``, ``head(n)`` becomes ``LIMIT``; polars applies the full
    predicate again to the streamed batches. ``on_sql`` (optional) is called with every
    SQL text sent.
    """
    import polars as pl

    with _connection(conn_or_dsn) as conn:
        is_query, probe = _probe(conn, table_or_query)
        empty = pl.DataFrame(probe)
    schema = empty.schema

    def source(
        with_columns: Optional[List[str]],
        predicate: Optional[Any],
        n_rows: Optional[int],
        batch_size: Optional[int],
    ) -> Iterator[Any]:
        where, complete = translate(predicate, dict(schema))
        columns = with_columns
        if predicate is not None and columns is not None:
            needed = predicate.meta.root_names()
            columns = list(dict.fromkeys([*columns, *needed]))
        limit = n_rows if complete else None
        sql = build_select(table_or_query, columns, where, limit, is_query)
        if on_sql is not None:
            on_sql(sql)
        remaining = n_rows
        with _connection(conn_or_dsn) as conn:
            reader = conn._query_native(sql).reader()
            for batch in _polars_batches(reader):
                if predicate is not None:
                    batch = batch.filter(predicate)
                if with_columns is not None:
                    batch = batch.select(with_columns)
                if remaining is not None:
                    if remaining <= 0:
                        break
                    batch = batch.head(remaining)
                    remaining -= batch.height
                yield batch

    return pl.io.plugins.register_io_source(io_source=source, schema=schema)


def _polars_batches(reader: Any) -> Iterator[Any]:
    import polars as pl

    try:
        import pyarrow as pa
    except ImportError:
        pa = None
    if pa is not None:
        for rb in pa.RecordBatchReader.from_stream(reader):
            yield pl.from_arrow(rb)
    else:
        # Without pyarrow the stream is read whole through the PyCapsule protocol.
        yield pl.DataFrame(reader)
