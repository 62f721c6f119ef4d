"""stmt (v1) from Python: ``Connection.statement()`` with the calls of taos-ws-py::

    stmt = conn.statement()
    stmt.prepare("INSERT INTO ? USING stb TAGS (?, ?) VALUES (?, ?)")
    stmt.set_tbname_tags("d1", [taosarrow.int_to_tag(1), taosarrow.varchar_to_tag("a")])
    stmt.bind_param([taosarrow.millis_timestamps_to_column([ts1, ts2]),
                     taosarrow.ints_to_column([1, 2])])
    stmt.add_batch()
    rows = stmt.execute()
    stmt.close()

Tags and columns are Arrow arrays: a view (an object with ``.array``, as the
``*_to_tag`` / ``*_to_column`` builders make) or anything with ``__arrow_c_array__``. Each is
converted to its prepared column's type where no value changes, and refused otherwise.
:meth:`Statement.bind_arrays` and :meth:`Statement.set_tag_arrays` are the one way arrays
reach the server; the other front ends build their arrays and call those.
"""

from __future__ import annotations

from typing import Any, List, NamedTuple, Optional, Sequence

from . import _native
from .exceptions import InterfaceError, ProgrammingError

__all__ = ["Statement", "Stmt1Field"]


class Stmt1Field(NamedTuple):
    """One tag or column of a prepared INSERT, as the server describes it."""

    name: str
    type_code: int
    precision: int
    scale: int
    bytes: int


def _array_of(value: Any, what: str) -> Any:
    """The Arrow array a view (``.array``) or an Arrow array stands for."""
    array = getattr(value, "array", value)
    if not hasattr(array, "__arrow_c_array__"):
        raise ProgrammingError(
            f"{what}: expected a tag/column view or an Arrow array, got {type(value).__name__}"
        )
    return array


class Statement:
    """A stmt (v1) prepared statement on one connection (from :meth:`Connection.statement`)."""

    def __init__(self, native_connection: Any, sql: Optional[str] = None) -> None:
        self._native: Any = _native.NativeStmt1(native_connection)
        self._is_insert = False
        self._num_params = 0
        #: Rows written by every ``execute`` of this statement so far.
        self.affected_rows = 0
        if sql is not None:
            self.prepare(sql)

    def _stmt(self) -> Any:
        if self._native is None:
            raise InterfaceError("the statement is closed")
        return self._native

    def prepare(self, sql: str) -> None:
        """Prepares ``sql`` (placeholders ``?``); may be called again with other SQL."""
        self._is_insert, self._num_params = self._stmt().prepare(sql)

    @property
    def is_insert(self) -> bool:
        """Whether the prepared SQL is an INSERT."""
        return self._is_insert

    @property
    def num_params(self) -> int:
        """Placeholders: the columns of an INSERT, the ``?`` of a query."""
        return self._num_params

    def tag_fields(self) -> List[Stmt1Field]:
        """The tags of the prepared INSERT (empty when there are none)."""
        return [Stmt1Field(*f) for f in self._stmt().tag_fields()]

    def col_fields(self) -> List[Stmt1Field]:
        """The columns of the prepared INSERT."""
        return [Stmt1Field(*f) for f in self._stmt().col_fields()]

    def set_tbname(self, name: str) -> None:
        """Names the (child) table the next rows go to. For ``insert into ? values (…)``
        (no ``USING``) it is a normal or existing child table, ``db.tb`` allowed, and
        :meth:`col_fields` and the binds that follow are that table's columns."""
        self._stmt().set_tbname(name)

    def set_tags(self, tags: Sequence[Any]) -> None:
        """Sets the current table's tags: one tag view (or length-1 Arrow array) per tag."""
        self.set_tag_arrays([_array_of(t, f"tag {i}") for i, t in enumerate(tags)])

    def set_tbname_tags(self, name: str, tags: Sequence[Any]) -> None:
        """:meth:`set_tbname` then :meth:`set_tags`."""
        self.set_tbname(name)
        self.set_tags(tags)

    def set_tag_arrays(self, arrays: Sequence[Any]) -> None:
        """Sets the current table's tags from length-1 Arrow arrays, one per tag."""
        self._stmt().set_tags(list(arrays))

    def bind_param(self, params: Sequence[Any]) -> None:
        """Binds rows: one column view (or Arrow array) per column, all of one length; for
        a query one length-1 view per ``?``."""
        self.bind_arrays([_array_of(p, f"column {i}") for i, p in enumerate(params)])

    def bind_arrays(self, arrays: Sequence[Any]) -> None:
        """Binds rows from Arrow arrays (anything with ``__arrow_c_array__``), one per
        column (or per ``?`` of a query)."""
        self._stmt().bind(list(arrays))

    def add_batch(self) -> None:
        """Ends the rows bound for the current table; another table (or more rows) may
        follow before :meth:`execute`."""
        self._stmt().add_batch()

    def execute(self) -> int:
        """Executes what was bound; returns the rows this call wrote (0 for a query)."""
        rows = self._stmt().execute()
        self.affected_rows += rows
        return rows

    def affect_rows(self) -> int:
        """Rows written by every :meth:`execute` so far (taos-ws-py's name)."""
        return self.affected_rows

    def result(self) -> Any:
        """The result of an executed query (a :class:`~taosarrow.result.TaosResult`)."""
        from .result import TaosResult

        return TaosResult(self._stmt().result())

    def close(self) -> None:
        """Closes the statement. Idempotent."""
        native, self._native = self._native, None
        if native is not None:
            native.close()

    def __enter__(self) -> "Statement":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
