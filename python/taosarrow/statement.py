"""stmt2 from Python: ``Connection.statement2(sql)`` with the calls TDengine users know.

Values given as Python lists are turned into Arrow arrays of the prepared column types
(this needs pyarrow) and bound as stmt2's columnar payload; Arrow arrays (anything with
``__arrow_c_array__``) are bound as they are::

    stmt = conn.statement2("INSERT INTO ? USING meters TAGS (?, ?) VALUES (?, ?, ?)")
    stmt.bind_param(["d1", "d2"], [[1, "sf"], [2, "la"]],
                    [[[ts1, ts2], [10.2, 10.3], [219, 220]],
                     [[ts3], [9.8], [221]]])
    stmt.execute()
    stmt.close()
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from . import _native
from .exceptions import InterfaceError, ProgrammingError

__all__ = ["Statement2", "Stmt2Field", "BindTable"]

#: ``bind_type`` of the placeholders.
BIND_COLUMN, BIND_TAG, BIND_QUERY, BIND_TBNAME = 1, 2, 3, 4


class Stmt2Field(NamedTuple):
    """One placeholder of a prepared INSERT, as the server describes it."""

    name: str
    type_code: int
    precision: int
    scale: int
    bytes: int
    bind_type: int


class BindTable:
    """One child table's data for :meth:`Statement2.bind_param_with_tables`."""

    def __init__(
        self,
        name: Optional[str] = None,
        tags: Optional[Sequence[Any]] = None,
        datas: Optional[Sequence[Sequence[Any]]] = None,
    ) -> None:
        self.name = name
        self.tags: List[Any] = list(tags or [])
        self.datas: List[Sequence[Any]] = list(datas or [])

    def add_col_data(self, data: Sequence[Any]) -> None:
        """Appends one column's values."""
        self.datas.append(data)


def _pa() -> Any:
    try:
        import pyarrow as pa
    except ImportError as exc:  # pragma: no cover - exercised without pyarrow only
        raise InterfaceError(
            "binding Python lists needs pyarrow; pass Arrow arrays or install pyarrow"
        ) from exc
    return pa


def _arrow_type(f: Any) -> Any:
    """The pyarrow type of a placeholder's values (``f``: a :class:`Stmt2Field` or any field
    with ``name``, ``type_code``, ``precision`` and ``scale``), from the Rust type table
    (which rejects NULL and MEDIUMBLOB placeholders)."""
    pa = _pa()
    try:
        native = _native.arrow_type(f.type_code, f.precision, f.scale)
    except ValueError as exc:
        raise ProgrammingError(f"placeholder {f.name!r}: {exc}") from exc
    return pa.field(native).type


def _array(values: Any, f: Optional[Stmt2Field]) -> Any:
    if hasattr(values, "__arrow_c_array__"):
        return values
    pa = _pa()
    if f is not None and f.type_code == 8:
        # VARCHAR also takes bytes (BINARY is an alias of VARCHAR).
        if any(isinstance(v, (bytes, bytearray)) for v in values):
            values = [v.decode() if isinstance(v, (bytes, bytearray)) else v for v in values]
    try:
        return pa.array(list(values), type=None if f is None else _arrow_type(f))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        name = "parameter" if f is None else f"column {f.name!r}"
        raise ProgrammingError(f"{name}: {exc}") from exc


class Statement2:
    """A stmt2 prepared statement on one connection (from :meth:`Connection.statement2`)."""

    def __init__(self, native_connection: Any, sql: Optional[str] = None) -> None:
        self._native: Any = _native.NativeStmt2(native_connection)
        self._fields: List[Stmt2Field] = []
        self._is_insert = False
        self._param_count = 0
        self.affected_rows = 0
        if sql is not None:
            self.prepare(sql)

    def _stmt(self) -> Any:
        if self._native is None:
            raise InterfaceError("the statement is closed")
        return self._native

    def prepare(self, sql: str) -> None:
        """Prepares ``sql`` (placeholders ``?``); may be called again with other SQL."""
        is_insert, count, fields = self._stmt().prepare(sql)
        self._is_insert = is_insert
        self._param_count = count
        self._fields = [Stmt2Field(*f) for f in fields]

    @property
    def is_insert(self) -> bool:
        """Whether the prepared SQL is an INSERT."""
        return self._is_insert

    @property
    def fields(self) -> List[Stmt2Field]:
        """The placeholders of an INSERT (table name, tags, columns), in order."""
        return list(self._fields)

    def _by_role(self, role: int) -> List[Stmt2Field]:
        return [f for f in self._fields if f.bind_type == role]

    def bind_param(
        self,
        tbnames: Optional[Sequence[Optional[str]]],
        tags: Optional[Sequence[Optional[Sequence[Any]]]],
        datas: Sequence[Sequence[Sequence[Any]]],
    ) -> None:
        """Binds data: per table its name, its tag values and its columns (each a list of
        row values or an Arrow array). For a query, ``datas`` is ``[[[p1], [p2], …]]``."""
        if not self._is_insert:
            if len(datas) != 1:
                raise ProgrammingError("a query binds exactly one set of parameters")
            params = [_array(col, None) for col in datas[0]]
            if len(params) != self._param_count:
                raise ProgrammingError(
                    f"the query has {self._param_count} placeholder(s), {len(params)} given"
                )
            self._stmt().bind_params(params)
            return
        tag_fields = self._by_role(BIND_TAG)
        col_fields = self._by_role(BIND_COLUMN)
        n = len(datas)
        names = list(tbnames) if tbnames is not None else [None] * n
        tag_rows = list(tags) if tags is not None else [None] * n
        if len(names) != n or len(tag_rows) != n:
            raise ProgrammingError("tbnames, tags and datas must have one entry per table")
        tables: List[Tuple[Optional[str], List[Any], List[Any]]] = []
        for name, trow, cols in zip(names, tag_rows, datas):
            trow = list(trow or [])
            if len(trow) != len(tag_fields):
                raise ProgrammingError(f"{len(tag_fields)} tag value(s) expected, {len(trow)} given")
            if len(cols) != len(col_fields):
                raise ProgrammingError(f"{len(col_fields)} column(s) expected, {len(cols)} given")
            tag_arrays = [_array([v], f) for v, f in zip(trow, tag_fields)]
            col_arrays = [_array(c, f) for c, f in zip(cols, col_fields)]
            tables.append((name, tag_arrays, col_arrays))
        self._stmt().bind(tables)

    def bind_param_with_tables(self, tables: Iterable[Any]) -> None:
        """Binds :class:`BindTable` objects (or ``(name, tags, datas)`` tuples)."""
        names: List[Optional[str]] = []
        tags: List[Sequence[Any]] = []
        datas: List[Sequence[Sequence[Any]]] = []
        for t in tables:
            if isinstance(t, tuple):
                name, tag, data = t
            else:
                name, tag, data = t.name, t.tags, t.datas
            names.append(name)
            tags.append(tag)
            datas.append(data)
        self.bind_param(names, tags, datas)

    def bind_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Binds rows whose values follow the placeholders in order (table name, tags,
        columns); rows are grouped by table. This is what ``executemany`` uses."""
        if not self._is_insert:
            raise ProgrammingError("bind_rows() is for INSERT statements")
        roles = [f.bind_type for f in self._fields]
        width = len(roles)
        groups: "OrderedDict[Tuple[Any, ...], List[Sequence[Any]]]" = OrderedDict()
        key_idx = [i for i, r in enumerate(roles) if r in (BIND_TBNAME, BIND_TAG)]
        for row in rows:
            if len(row) != width:
                raise ProgrammingError(f"each row needs {width} value(s), got {len(row)}")
            key = tuple(row[i] for i in key_idx)
            groups.setdefault(key, []).append(row)
        col_idx = [i for i, r in enumerate(roles) if r == BIND_COLUMN]
        tag_idx = [i for i, r in enumerate(roles) if r == BIND_TAG]
        name_idx = [i for i, r in enumerate(roles) if r == BIND_TBNAME]
        names: List[Optional[str]] = []
        tags: List[List[Any]] = []
        datas: List[List[List[Any]]] = []
        for group in groups.values():
            first = group[0]
            names.append(first[name_idx[0]] if name_idx else None)
            tags.append([first[i] for i in tag_idx])
            datas.append([[r[i] for r in group] for i in col_idx])
        self.bind_param(names if name_idx else None, tags if tag_idx else None, datas)

    def execute(self) -> int:
        """Executes what was bound; returns (and keeps in ``affected_rows``) rows written."""
        self.affected_rows = self._stmt().execute()
        return self.affected_rows

    def result(self) -> Any:
        """The result of an executed query (a :class:`TaosResult`)."""
        from .result import TaosResult

        return TaosResult(self._stmt().result())

    def _native_result(self) -> Any:
        return self._stmt().result()

    def close(self) -> None:
        """Closes the statement. Idempotent."""
        native, self._native = self._native, None
        if native is not None:
            native.close()

    def __enter__(self) -> "Statement2":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
