"""The PEP 249 cursor, with the Arrow fetch methods ADBC made familiar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence, Tuple

from . import _frames
from ._params import format_query
from .exceptions import InterfaceError, NotSupportedError, ProgrammingError

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["Cursor"]


def _can_bind() -> bool:
    """Whether parameters can be bound through stmt2 (lists become Arrow arrays)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _returns_rows() -> ProgrammingError:
    return ProgrammingError("executemany() does not take queries that return rows")


class Cursor:
    """A PEP 249 cursor. Rows are tuples; the Arrow methods read the same result as columns."""

    arraysize: int

    def __init__(self, connection: "Connection") -> None:
        self._connection: Optional["Connection"] = connection
        self._result: Any = None
        self._buffer: List[Tuple[Any, ...]] = []
        self._description: Optional[List[Tuple[Any, ...]]] = None
        self._rowcount = -1
        self.arraysize = 1000

    # -- state ----------------------------------------------------------------------------
    @property
    def connection(self) -> "Connection":
        """The connection this cursor belongs to."""
        if self._connection is None:
            raise InterfaceError("the cursor is closed")
        return self._connection

    @property
    def description(self) -> Optional[List[Tuple[Any, ...]]]:
        """Per column ``(name, type_code, display_size, internal_size, precision, scale,
        null_ok)``; ``type_code`` is the TDengine type code, equal to ``STRING``, ``NUMBER``…"""
        return self._description

    @property
    def rowcount(self) -> int:
        """Affected rows of the last statement, rows fetched so far for a query, or -1."""
        return self._rowcount

    def _active(self) -> Any:
        if self._result is None:
            raise ProgrammingError("no result set: execute a query first")
        return self._result

    def _reset(self) -> None:
        if self._result is not None:
            try:
                self._result.close()
            finally:
                self._result = None
        self._buffer = []
        self._description = None
        self._rowcount = -1

    # -- execution ------------------------------------------------------------------------
    def execute(self, operation: str, parameters: Optional[Sequence[Any]] = None, req_id: Optional[int] = None) -> "Cursor":
        """Runs one statement; ``?`` placeholders take ``parameters`` (qmark style), bound
        server-side through stmt2 (quoted as literals when pyarrow is not installed).
        Whether the statement has a result set is the server's answer, not a guess from the
        SQL text."""
        connection = self.connection
        self._reset()
        if parameters is not None and len(parameters) > 0 and _can_bind():
            stmt = self._prepare(operation)
            if stmt is not None:
                try:
                    if stmt.is_insert:
                        stmt.bind_rows([parameters])
                        self._rowcount = stmt.execute()
                    else:
                        stmt.bind_param(None, None, [[[p] for p in parameters]])
                        stmt.execute()
                        self._set_result(stmt._native_result())
                finally:
                    stmt.close()
                return self
        affected, result = connection._execute_native(format_query(operation, parameters), req_id)
        if result is None:
            self._rowcount = affected
        else:
            self._set_result(result)
        return self

    def _set_result(self, result: Any) -> None:
        self._result = result
        self._description = [
            (name, code, None, length, precision or None, scale or None, True)
            for (name, code, length, precision, scale) in result.fields()
        ]
        self._rowcount = 0

    def _prepare(self, operation: str) -> Any:
        """A stmt2 statement for ``operation``, or ``None`` when the server cannot prepare
        it (the caller then quotes the parameters into the SQL)."""
        from .exceptions import StatementError
        from .statement import Statement2

        try:
            return Statement2(self.connection._conn(), operation)
        except StatementError:
            return None

    def executemany(self, operation: str, seq_of_parameters: Sequence[Sequence[Any]]) -> "Cursor":
        """Runs an INSERT for every parameter sequence; with pyarrow installed all rows go
        in one stmt2 bind (grouped by child table). ``rowcount`` is the total affected.
        A statement the server answers with a result set raises ``ProgrammingError``."""
        rows = list(seq_of_parameters)
        self._reset()
        if rows and _can_bind():
            stmt = self._prepare(operation)
            if stmt is not None:
                try:
                    if not stmt.is_insert:
                        raise _returns_rows()
                    stmt.bind_rows(rows)
                    self._rowcount = stmt.execute()
                finally:
                    stmt.close()
                return self
        total = 0
        for params in rows:
            self.execute(operation, params)
            if self._result is not None:
                self._reset()
                raise _returns_rows()
            total += max(self._rowcount, 0)
        self._rowcount = total
        return self

    def callproc(self, *args: Any) -> Any:
        """TDengine has no stored procedures."""
        from .exceptions import NotSupportedError

        raise NotSupportedError("TDengine has no stored procedures")

    # -- rows -----------------------------------------------------------------------------
    def _fill(self, want: Optional[int]) -> bool:
        result = self._active()
        rows = result.fetch_rows(want)
        if not rows:
            return False
        self._buffer.extend(rows)
        return True

    def _take(self, n: int) -> List[Tuple[Any, ...]]:
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        self._rowcount += len(out)
        return out

    def fetchone(self) -> Optional[Tuple[Any, ...]]:
        """The next row, or ``None`` at the end."""
        if not self._buffer and not self._fill(None):
            self._active()
            return None
        return self._take(1)[0]

    def fetchmany(self, size: Optional[int] = None) -> List[Tuple[Any, ...]]:
        """Up to ``size`` (default ``arraysize``) rows."""
        n = self.arraysize if size is None else int(size)
        self._active()
        while len(self._buffer) < n and self._fill(None):
            pass
        return self._take(n)

    def fetchall(self) -> List[Tuple[Any, ...]]:
        """Every remaining row."""
        self._active()
        while self._fill(None):
            pass
        return self._take(len(self._buffer))

    def __iter__(self) -> Iterator[Tuple[Any, ...]]:
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    # -- Arrow ----------------------------------------------------------------------------
    def _arrow_source(self) -> Any:
        result = self._active()
        if self._buffer:
            raise ProgrammingError("rows were already fetched one by one; re-execute to read Arrow")
        return result

    def fetch_arrow_table(self) -> Any:
        """The remaining result as a ``pyarrow.Table``."""
        return _frames.to_pyarrow_table(self._arrow_source().read_all())

    def fetch_record_batch(self) -> Any:
        """The remaining result as a streaming ``pyarrow.RecordBatchReader``."""
        return _frames.to_pyarrow_reader(self._arrow_source().reader())

    def fetch_arrow(self) -> Any:
        """The remaining result as an Arrow table object exporting ``__arrow_c_stream__``
        (no pyarrow needed)."""
        return self._arrow_source().read_all()

    def fetch_df(self, *, dtype_backend: str = "numpy") -> Any:
        """The remaining result as a pandas ``DataFrame`` (``dtype_backend="pyarrow"`` for
        ``pd.ArrowDtype`` columns)."""
        return _frames.to_pandas(self._arrow_source().read_all(), dtype_backend=dtype_backend)

    def fetch_polars(self) -> Any:
        """The remaining result as a polars ``DataFrame`` (no pyarrow needed)."""
        return _frames.to_polars(self._arrow_source().read_all())

    def adbc_ingest(
        self,
        table_name: str,
        data: Any,
        mode: str = "append",
        *,
        catalog_name: Optional[str] = None,
        db_schema_name: Optional[str] = None,
        temporary: bool = False,
    ) -> int:
        """Writes Arrow data (pyarrow, polars, pandas, ``__arrow_c_stream__``) into
        ``table_name`` through stmt2 binds; returns the rows written (ADBC's signature).
        ``mode``: ``append``, ``create``, ``replace`` or ``create_append``.
        ``db_schema_name`` (or ``catalog_name``) is the database. For super tables use
        :meth:`Connection.write`."""
        if temporary:
            raise NotSupportedError("TDengine has no temporary tables")
        db = db_schema_name or catalog_name
        target = f"{db}.{table_name}" if db else table_name
        n = self.connection.write(data, target, mode=mode)
        self._reset()
        self._rowcount = n
        return n

    # -- misc -----------------------------------------------------------------------------
    def setinputsizes(self, sizes: Any) -> None:
        """Accepted and ignored (PEP 249)."""

    def setoutputsize(self, size: Any, column: Optional[int] = None) -> None:
        """Accepted and ignored (PEP 249)."""

    def close(self) -> None:
        """Closes the cursor and its result. Idempotent."""
        if self._connection is not None:
            self._reset()
            self._connection = None

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
