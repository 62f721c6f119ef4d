"""``TaosStmt2``: the stmt2 statement of taospy (``conn.statement2(sql, option)``) and of
taos-ws-py (``conn.stmt2_statement()``), one class serving both.

taospy's calls::

    stmt = conn.statement2("INSERT INTO ? USING meters TAGS (?, ?) VALUES (?, ?, ?)")
    stmt.bind_param(["d1"], [[1, "sf"]], [[[ts1, ts2], [10.2, 10.3], [219, 220]]])
    stmt.bind_param_with_tables([BindTable("d2", [2, "la"])])  # columns via add_col_data
    stmt.execute(); stmt.affected_rows; stmt.close()

taos-ws-py's calls::

    stmt = conn.stmt2_statement()
    stmt.prepare("INSERT INTO t VALUES (?, ?)")
    stmt.bind([stmt2_bind_param_view(None, None, [millis_timestamps_to_column([...]),
                                                  ints_to_column([...])])])
    stmt.execute(); stmt.affect_rows(); stmt.result_set()

``from taosarrow.statement2 import *`` gives what ``from taos.statement2 import *`` gives
programs: ``TaosStmt2``, ``TaosStmt2Option``, ``BindTable``, ``StatementError``,
``PrecisionEnum``, ``TaosResult``.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from ._views import PyPrecision, PyStmt2BindParam
from .exceptions import StatementError
from .result import TaosResult
from .utils import IS_V3
from .statement import (
    BIND_COLUMN,
    BIND_TAG,
    BIND_TBNAME,
    BindTable,
    Statement2,
    Stmt2Field,
)

__all__ = [
    "TaosStmt2",
    "TaosStmt2Option",
    "BindTable",
    "Stmt2Field",
    "StatementError",
    "PrecisionEnum",
    "TaosResult",
    "IS_V3",
]

#: taospy's precision constants (``Milliseconds``, ``Microseconds``, ``Nanoseconds``: 0, 1,
#: 2), the same enum as taos-ws-py's ``PyPrecision``.
PrecisionEnum = PyPrecision


class TaosStmt2Option:
    """taospy's stmt2 options. ``reqid`` is the request id (an int); ``single_stb_insert``
    and ``single_table_bind_once`` are hints of the native C client that the WebSocket
    protocol has no use for: they are kept, not sent. ``is_async=True`` (taospy's
    asynchronous execution callback) is refused; other keywords are ignored, as taospy
    ignores them."""

    def __init__(
        self,
        reqid: Optional[int] = None,
        single_stb_insert: bool = False,
        single_table_bind_once: bool = False,
        **kwargs: Any,
    ) -> None:
        if reqid is not None and (type(reqid) is not int):
            raise StatementError(f"reqid type error, expected int type but got {type(reqid)}.")
        if kwargs.get("is_async"):
            raise StatementError("asynchronous stmt2 execution (is_async) is not supported")
        self.reqid: Optional[int] = reqid
        self.single_stb_insert = bool(single_stb_insert)
        self.single_table_bind_once = bool(single_table_bind_once)
        self.is_async = False

    def __repr__(self) -> str:
        return (
            f"TaosStmt2Option(reqid={self.reqid!r}, single_stb_insert={self.single_stb_insert}, "
            f"single_table_bind_once={self.single_table_bind_once})"
        )


class TaosStmt2(Statement2):
    """A stmt2 statement with the calls of taospy's ``TaosStmt2`` and taos-ws-py's
    ``TaosStmt2`` (see the module documentation)."""

    def __init__(
        self,
        native_connection: Any,
        sql: Optional[str] = None,
        option: Optional[TaosStmt2Option] = None,
    ) -> None:
        """A statement on ``native_connection`` (a :class:`~taosarrow.Connection` or its
        native half), prepared at once when ``sql`` is given."""
        if option is not None and not isinstance(option, TaosStmt2Option):
            raise StatementError(f"option must be a TaosStmt2Option, not {type(option).__name__}")
        #: The options given (``None``: defaults).
        self.option = option
        # taos-ws-py's ``TaosStmt2(conn)`` takes the connection itself.
        opened = getattr(native_connection, "_conn", None)
        super().__init__(opened() if callable(opened) else native_connection, sql)

    # -- taos-ws-py -------------------------------------------------------------------------
    def bind(self, params: Sequence[PyStmt2BindParam]) -> None:
        """Binds ``stmt2_bind_param_view(...)`` values: one per table for an INSERT, exactly
        one (its columns: one single-value view per ``?``) for a query."""
        if isinstance(params, PyStmt2BindParam):
            params = [params]
        if isinstance(params, (str, bytes)) or not isinstance(params, Sequence):
            raise TypeError("bind() takes a list of stmt2_bind_param_view(...) values")
        for p in params:
            if not isinstance(p, PyStmt2BindParam):
                raise TypeError(
                    f"bind() takes stmt2_bind_param_view(...) values, not {type(p).__name__}"
                )
        if not params:
            raise StatementError("bind() needs at least one stmt2_bind_param_view(...)")
        self._ready()
        if not self._is_insert:
            if len(params) != 1:
                raise StatementError(
                    f"a query binds one stmt2_bind_param_view(...), {len(params)} given"
                )
            self._bind_query([list(params[0].columns)])
            return
        binds_name = bool(self._by_role(BIND_TBNAME))
        names = [p.table_name or None for p in params] if binds_name else None
        if names is not None and any(n is None for n in names):
            raise StatementError("the SQL binds the table name (INSERT INTO ? …): give table_name")
        tags = [p.tags or [] for p in params]
        self._bind_tables(names, tags, [list(p.columns) for p in params])

    def affect_rows(self) -> int:
        """The rows the last :meth:`execute` wrote (taos-ws-py's name)."""
        return self.affected_rows

    def result_set(self) -> TaosResult:
        """The result of an executed query (taos-ws-py's name for :meth:`result`)."""
        return self.result()

    # -- taospy ----------------------------------------------------------------------------
    def get_fields(self) -> Tuple[int, List[Stmt2Field]]:
        """``(count, fields)``: the placeholders of the prepared INSERT (for a query, the
        number of ``?`` and no fields)."""
        if not self._is_insert:
            return self._param_count, []
        return len(self._fields), self.fields

    @property
    def tag_fields(self) -> List[Stmt2Field]:
        """The tag placeholders."""
        return self._by_role(BIND_TAG)

    @property
    def column_fields(self) -> List[Stmt2Field]:
        """The column placeholders."""
        return self._by_role(BIND_COLUMN)

    @property
    def all_fields(self) -> List[Stmt2Field]:
        """Every placeholder (table name, tags, columns) in the SQL's order."""
        return self.fields

    @property
    def is_tbname(self) -> bool:
        """Whether the SQL binds the table name."""
        return bool(self._by_role(BIND_TBNAME))

    def __enter__(self) -> "TaosStmt2":
        return self
