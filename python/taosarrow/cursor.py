"""The PEP 249 cursor, with the Arrow fetch methods ADBC made familiar."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Deque, Dict, Iterator, List, Optional, Sequence, Tuple

from . import _frames
from ._params import format_braces, format_query, has_braces, quote
from .exceptions import InterfaceError, NotSupportedError, ProgrammingError
from .types import TYPE_NAMES

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


def _is_params(value: Any) -> bool:
    """Whether ``value`` is a qmark parameter sequence (a list or tuple) or ``None``."""
    return value is None or isinstance(value, (list, tuple))


def _is_req_id(value: Any) -> bool:
    """Whether ``value`` can be a request id (an ``int``, not a ``bool``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _returns_rows() -> ProgrammingError:
    return ProgrammingError("executemany() does not take queries that return rows")


class Cursor:
    """A PEP 249 cursor. Rows are tuples; the Arrow methods read the same result as columns."""

    arraysize: int

    def __init__(self, connection: "Connection") -> None:
        self._connection: Optional["Connection"] = connection
        self._result: Any = None
        # Rows read ahead of the caller; a deque, so taking one is O(1).
        self._buffer: Deque[Tuple[Any, ...]] = deque()
        self._description: Optional[List[Tuple[Any, ...]]] = None
        self._rowcount = -1
        self.arraysize = 1000
        self._logfile: Optional[str] = None

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

    @property
    def row_count(self) -> int:
        """taos-ws-py's name of :attr:`rowcount` (0 before any statement)."""
        return max(self._rowcount, 0)

    @property
    def affected_rows(self) -> int:
        """taospy's affected rows of the last statement without a result set (else 0)."""
        return max(self._rowcount, 0) if self._result is None else 0

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
        self._buffer = deque()
        self._description = None
        self._rowcount = -1

    # -- execution ------------------------------------------------------------------------
    def execute(self, operation: str, *args: Any, req_id: Optional[int] = None, **kwargs: Any) -> Any:
        """Runs one statement. Returns the affected rows (an ``int``) for a statement without
        a result set, as taospy and taos-ws-py do, and for one with a result set the cursor
        itself, so ``cursor.execute(sql).fetchall()`` works (taospy returns an opaque result
        handle there). Whether there is a result set is the server's answer, not a guess
        from the SQL text.

        Parameters, in the two styles the official clients use:

        - ``execute(sql, parameters[, req_id])`` with ``parameters`` a list or tuple (PEP
          249 / taospy, also as ``parameters=`` or ``params=``): ``?`` placeholders,
          bound server-side through stmt2 (quoted as literals when pyarrow is not installed);
        - ``execute(sql, *args, **kwargs)`` with other values (taos-ws-py): ``str.format``
          placeholders, ``execute("USE {name}", name="db")``, each value written safely
          (see :func:`taosarrow._params.format_braces`). Arguments the SQL does not use are
          ignored, as by ``str.format`` (``execute("SHOW DNODES", 1)`` runs the SQL).
        """
        connection = self.connection
        parameters, sql, positional_req_id = self._parameters(operation, args, kwargs)
        if positional_req_id is not None:
            if req_id is not None:
                raise ProgrammingError("req_id given twice")
            req_id = positional_req_id
        self._reset()
        if parameters is not None and len(parameters) > 0 and _can_bind():
            stmt = self._prepare(sql)
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
                return self if self._result is not None else self._rowcount
        self._log(sql)
        affected, result = connection._execute_native(format_query(sql, parameters), req_id)
        if result is None:
            self._rowcount = affected
            return affected
        self._set_result(result)
        return self

    @staticmethod
    def _parameters(
        operation: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]
    ) -> Tuple[Any, str, Optional[int]]:
        """``(qmark parameters or None, SQL, req_id given positionally)`` from
        :meth:`execute`'s arguments."""
        for name in ("parameters", "params"):
            if name in kwargs and _is_params(kwargs[name]):
                if args:
                    raise ProgrammingError(f"{name}= given with positional parameters")
                args = (kwargs.pop(name),)
                break
        if args and _is_params(args[0]):
            if kwargs:
                raise ProgrammingError("qmark parameters cannot be mixed with {name} keywords")
            if len(args) > 2 or (len(args) == 2 and not _is_req_id(args[1])):
                raise ProgrammingError("execute(sql, parameters, req_id) takes a sequence and an int")
            return args[0], operation, (args[1] if len(args) == 2 else None)
        if args or kwargs:
            return None, format_braces(operation, args, kwargs), None
        return None, operation, None

    def execute_with_req_id(self, operation: str, *args: Any, req_id: Optional[int] = None, **kwargs: Any) -> Any:
        """taos-ws-py's :meth:`execute` with a request id: ``execute_with_req_id(sql, req_id)``
        or ``execute_with_req_id(sql, *args, req_id=…, **kwargs)``."""
        if req_id is None:
            if not args or not _is_req_id(args[-1]):
                raise ProgrammingError("execute_with_req_id needs a req_id (an int)")
            args, req_id = args[:-1], args[-1]
        return self.execute(operation, *args, req_id=req_id, **kwargs)

    def execute_many(self, operation: str, seq_of_parameters: Sequence[Any], req_id: Optional[int] = None) -> int:
        """Runs ``operation`` once per parameter set and returns the total affected rows
        (also in :attr:`row_count`), as taos-ws-py and taospy do:

        - a ``dict`` fills ``{name}`` placeholders (``"CREATE TABLE {name} USING st TAGS
          ({t1})"``);
        - a tuple or list fills ``{}`` placeholders when the SQL has some (taos-ws-py);
          otherwise its values are appended to the SQL as one ``(v1, v2, …)`` group each
          and the whole runs as one statement (taospy: ``execute_many("INSERT INTO t
          VALUES", [(ts, 1), (ts2, 2)])``).

        Values are written as :func:`taosarrow._params.format_braces` and
        :func:`taosarrow._params.quote` write them. A statement with a result set raises
        :class:`ProgrammingError`.
        """
        statements: List[str] = []
        groups: List[str] = []
        braces = has_braces(operation)
        for row in seq_of_parameters:
            if isinstance(row, dict):
                statements.append(format_braces(operation, (), row))
            elif braces:
                statements.append(format_braces(operation, tuple(row), {}))
            else:
                groups.append("(" + ", ".join(quote(v) for v in row) + ")")
        if groups:
            statements.append(operation + " " + " ".join(groups))
        self._reset()
        total = 0
        for sql in statements:
            self._log(sql)
            affected, result = self.connection._execute_native(sql, req_id)
            if result is not None:
                result.close()
                raise _returns_rows()
            total += affected
        self._rowcount = total
        return total

    def execute_many_with_req_id(self, operation: str, seq_of_parameters: Sequence[Any], req_id: int) -> int:
        """:meth:`execute_many` with a request id (taos-ws-py)."""
        return self.execute_many(operation, seq_of_parameters, req_id)

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
        rows = result.fetch_rows(want, self.connection._ns_timestamps)
        if not rows:
            return False
        self._buffer.extend(rows)
        return True

    def _take(self, n: int) -> List[Tuple[Any, ...]]:
        buf = self._buffer
        if n >= len(buf):
            out = list(buf)
            buf.clear()
        else:
            out = [buf.popleft() for _ in range(max(n, 0))]
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

    def fetch_all_into_dict(self) -> List[Dict[str, Any]]:
        """Every remaining row as a ``{column name: value}`` dict (taos-ws-py)."""
        names = [d[0] for d in self._description or []]
        return [dict(zip(names, row)) for row in self.fetchall()]

    def fetchallintodict(self) -> List[Dict[str, Any]]:
        """taos-ws-py's other name of :meth:`fetch_all_into_dict`."""
        return self.fetch_all_into_dict()

    def keys(self) -> List[str]:
        """The column names of the current result (taospy), ``[]`` without one."""
        return [d[0] for d in self._description or []]

    def istype(self, col: int, data_type: str) -> bool:
        """Whether column ``col`` of the current result has the type named ``data_type``
        (taospy), e.g. ``istype(0, "TIMESTAMP")``; ``BINARY`` is ``VARCHAR``."""
        if not self._description:
            return False
        name = data_type.strip().upper()
        name = "VARCHAR" if name == "BINARY" else name
        return TYPE_NAMES.get(self._description[col][1]) == name
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

    def fetch_df(self, *, dtype_backend: str = "numpy", categories: _frames.Categories = None) -> Any:
        """The remaining result as a pandas ``DataFrame`` (``dtype_backend="pyarrow"`` for
        ``pd.ArrowDtype`` columns; ``categories`` as for :func:`taosarrow.read_pandas`)."""
        return _frames.to_pandas(self._arrow_source().read_all(), dtype_backend=dtype_backend, categories=categories)

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
    def setinputsizes(self, sizes: Any = None) -> None:
        """Accepted and ignored (PEP 249)."""

    def setoutputsize(self, size: Any = None, column: Optional[int] = None) -> None:
        """Accepted and ignored (PEP 249)."""

    def setinputsize(self, sizes: Any = None) -> None:
        """taospy's spelling of :meth:`setinputsizes`; ignored."""

    def setoutputsizes(self, size: Any = None, column: Optional[int] = None) -> None:
        """taos-ws-py's spelling of :meth:`setoutputsize`; ignored."""

    def call_proc(self, *args: Any) -> Any:
        """taos-ws-py's name of :meth:`callproc`: TDengine has no stored procedures."""
        return self.callproc(*args)

    def nextset(self) -> None:
        """There is never another result set (PEP 249): ``None``."""
        return None

    def stop_query(self) -> None:
        """Stops the current query and frees its result (taospy)."""
        self._reset()

    def log(self, logfile: str) -> None:
        """Appends every statement this cursor runs to ``logfile``, one per line ending in
        ``;`` (taospy)."""
        self._logfile = logfile

    def _log(self, sql: str) -> None:
        logfile = self._logfile
        if logfile:
            with open(logfile, "a", encoding="utf-8") as f:
                f.write(f"{sql};\n")

    def close(self) -> None:
        """Closes the cursor and its result. Idempotent."""
        if self._connection is not None:
            self._reset()
            self._connection = None

    def _columns(self) -> List[Tuple[str, str]]:
        from .result import TaosField

        return [(d[0], TaosField(d[0], d[1], d[3] or 0).type_name) for d in (self._description or [])]

    def __repr__(self) -> str:
        from ._display import columns_repr

        return columns_repr("Cursor", self._columns(), max(self._rowcount, 0))

    def _repr_html_(self) -> str:
        from ._display import columns_html

        return columns_html("Cursor", self._columns(), max(self._rowcount, 0))

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
