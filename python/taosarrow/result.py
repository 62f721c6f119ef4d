"""``TaosResult`` and ``TaosField``: a query's result, iterated as rows, and its columns.

Both follow taospy and taos-ws-py at once. A field's ``name``, ``type`` and ``bytes`` are
attributes as in taospy (``field.type == 9``) that can also be called as taos-ws-py's methods
(``field.type() == "TIMESTAMP"``): each is a small ``str``/``int`` subclass with ``__call__``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

from ._timestamps import CODES as _PRECISION_CODES
from .exceptions import OperationalError
from .types import TYPE_NAMES

__all__ = ["TaosResult", "TaosField", "TaosFields", "TaosRow", "TaosRows", "TaosBlocks"]


class FieldName(str):
    """A column name: a ``str`` (taospy's ``field.name``) that returns itself when called
    (taos-ws-py's ``field.name()``)."""

    __slots__ = ()

    def __call__(self) -> str:
        return str(self)


class FieldType(int):
    """A column's TDengine type code: an ``int`` (taospy's ``field.type``, e.g. 9) that,
    called, gives the type name (taos-ws-py's ``field.type()``, e.g. ``"TIMESTAMP"``)."""

    __slots__ = ()

    def __call__(self) -> str:
        return TYPE_NAMES.get(int(self), str(int(self)))


class FieldBytes(int):
    """A column's declared length in bytes: an ``int`` (taospy's ``field.bytes``) that
    returns itself when called (taos-ws-py's ``field.bytes()``)."""

    __slots__ = ()

    def __call__(self) -> int:
        return int(self)


class TaosField:
    """One result column: its name, TDengine type code and declared length (plus the
    precision and scale of DECIMAL columns).

    ``name``, ``type`` and ``bytes`` work as taospy's attributes and as taos-ws-py's
    methods (see :class:`FieldType`); ``length`` is taospy's alias of ``bytes``,
    ``type_code`` the plain code, ``type_name`` the name. ``field["name"]`` reads an
    attribute as in taospy; ``field[0]`` … ``field[4]`` and unpacking give
    ``(name, type_code, length, precision, scale)``.
    """

    __slots__ = ("_name", "_type", "_bytes", "precision", "scale")

    def __init__(self, name: str, type_code: int, length: int, precision: int = 0, scale: int = 0) -> None:
        self._name = FieldName(name)
        self._type = FieldType(type_code)
        self._bytes = FieldBytes(length)
        #: Digits of a DECIMAL column (0 for other types).
        self.precision = int(precision)
        #: Digits after the point of a DECIMAL column (0 for other types).
        self.scale = int(scale)

    @property
    def name(self) -> FieldName:
        """The column name (also callable)."""
        return self._name

    @property
    def type(self) -> FieldType:
        """The TDengine type code (called: the type name)."""
        return self._type

    @property
    def bytes(self) -> FieldBytes:
        """The declared length in bytes (also callable)."""
        return self._bytes

    @property
    def length(self) -> int:
        """taospy's alias of :attr:`bytes`."""
        return int(self._bytes)

    @property
    def type_code(self) -> int:
        """The TDengine type code as a plain ``int``."""
        return int(self._type)

    @property
    def type_name(self) -> str:
        """The TDengine type name, e.g. ``"NCHAR"``."""
        return self._type()

    def _astuple(self) -> Tuple[str, int, int, int, int]:
        return (str(self._name), int(self._type), int(self._bytes), self.precision, self.scale)

    def __getitem__(self, item: Union[int, str]) -> Any:
        if isinstance(item, str):
            return getattr(self, item)
        return self._astuple()[item]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._astuple())

    def __len__(self) -> int:
        return 5

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TaosField):
            return self._astuple() == other._astuple()
        if isinstance(other, tuple):
            return self._astuple() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __str__(self) -> str:
        return "{name: %s, type: %d, bytes: %d}" % (self._name, self._type, self._bytes)

    def __repr__(self) -> str:
        return (
            f"TaosField(name={str(self._name)!r}, type_code={int(self._type)}, length={int(self._bytes)}, "
            f"precision={self.precision}, scale={self.scale})"
        )


class TaosFields(list):  # type: ignore[type-arg]
    """The columns of a result: a ``list`` of :class:`TaosField` whose ``count`` is taospy's
    column-count property (not ``list.count``)."""

    @property
    def count(self) -> int:  # type: ignore[override]
        """The number of columns."""
        return len(self)


class TaosRow(tuple):  # type: ignore[type-arg]
    """One row from :meth:`TaosResult.rows_iter`: a tuple, also callable (taospy's
    ``row()``) and with taospy's ``as_tuple()`` and ``as_dict()``."""

    _names: Tuple[str, ...] = ()

    def __call__(self) -> Tuple[Any, ...]:
        return tuple(self)

    def as_tuple(self) -> Tuple[Any, ...]:
        """The values as a plain tuple."""
        return tuple(self)

    def as_dict(self) -> Dict[str, Any]:
        """``{column name: value}``."""
        return dict(zip(self._names, self))


class TaosResult:
    """The result of :meth:`Connection.query`. Iterate it (it is its own iterator, as in
    taospy and taos-ws-py) for rows as tuples, or read it at once with :meth:`fetch_all`,
    :meth:`fetch_all_into_dict` or :meth:`to_arrow`. The rows can be read once.

    Row values follow the type table: ms/µs timestamps as time-zone-aware ``datetime``, ns
    timestamps as the connection's ``ns_timestamps`` option says (``int`` by default),
    DECIMAL as ``decimal.Decimal``, VARBINARY/GEOMETRY/BLOB as ``bytes``.

    taospy's asynchronous ``fetch_rows_a`` (a C callback API) and its TMQ accessors
    (``get_topic_name`` …) are not provided.
    """

    def __init__(self, native: Any, ns_timestamps: str = "int", affected_rows: int = 0) -> None:
        self._native = native
        self._ns = ns_timestamps
        self._affected_rows = affected_rows
        fields = native.fields() if native is not None else []
        self._fields = TaosFields(TaosField(*f) for f in fields)
        self._names = tuple(str(f.name) for f in self._fields)
        self._buffer: List[Tuple[Any, ...]] = []
        self._pos = 0
        self._row_count = 0
        self._done = native is None

    # -- metadata -------------------------------------------------------------------------
    @property
    def fields(self) -> TaosFields:
        """The result columns (:class:`TaosField`; ``fields.count`` is their number)."""
        return TaosFields(self._fields)

    @property
    def field_count(self) -> int:
        """The number of result columns."""
        return len(self._fields)

    @property
    def row_count(self) -> int:
        """The rows read from this result so far (taospy's ``row_count``)."""
        return self._row_count

    @property
    def affected_rows(self) -> int:
        """The rows a statement without a result set affected (0 for a query)."""
        return self._affected_rows

    @property
    def precision(self) -> int:
        """taospy's timestamp precision code: 0 (ms), 1 (µs) or 2 (ns)."""
        if self._native is None:
            return 0
        return _PRECISION_CODES[self._native.precision]

    @property
    def precision_name(self) -> str:
        """The timestamp precision as a unit name: ``"ms"``, ``"us"`` or ``"ns"``."""
        return "ms" if self._native is None else self._native.precision

    def errno(self) -> int:
        """taospy's pending-error code: always 0 (errors are raised as exceptions)."""
        return 0

    def errstr(self) -> str:
        """taospy's pending-error text: always empty (errors are raised as exceptions)."""
        return ""

    # -- reading --------------------------------------------------------------------------
    def _next_batch(self) -> Optional[List[Tuple[Any, ...]]]:
        """The rows of the next batch not yet taken from the buffer, or ``None`` at the end."""
        if self._done:
            return None
        if self._native is None:
            raise OperationalError("the result is closed")
        rows = self._native.fetch_rows(None, self._ns)
        if not rows:
            self._done = True
            return None
        return rows

    def _columns(self) -> List[Tuple[str, str]]:
        return [(str(f.name), f.type_name) for f in self._fields]

    def __repr__(self) -> str:
        from ._display import columns_repr

        return columns_repr("TaosResult", self._columns(), self._row_count)

    def _repr_html_(self) -> str:
        from ._display import columns_html

        return columns_html("TaosResult", self._columns(), self._row_count)

    def __iter__(self) -> "TaosResult":
        return self

    def __next__(self) -> Tuple[Any, ...]:
        while self._pos >= len(self._buffer):
            rows = self._next_batch()
            if rows is None:
                self._buffer, self._pos = [], 0
                raise StopIteration
            self._buffer, self._pos = rows, 0
        row = self._buffer[self._pos]
        self._pos += 1
        self._row_count += 1
        return row

    def next(self) -> Tuple[Any, ...]:
        """The next row (taospy's ``next()``); ``StopIteration`` at the end."""
        return self.__next__()

    def _rest(self) -> List[Tuple[Any, ...]]:
        """Every remaining row, counted."""
        out = self._buffer[self._pos :]
        self._buffer, self._pos = [], 0
        while True:
            rows = self._next_batch()
            if rows is None:
                break
            out.extend(rows)
        self._row_count += len(out)
        return out

    def fetch_all(self) -> List[Tuple[Any, ...]]:
        """Every remaining row as a list of tuples."""
        return self._rest()

    def fetch_all_into_dict(self) -> List[Dict[str, Any]]:
        """Every remaining row as a ``{column name: value}`` dict."""
        names = self._names
        return [dict(zip(names, row)) for row in self._rest()]

    def fetch_block(self) -> Tuple[List[Tuple[Any, ...]], int]:
        """The next block of rows as ``(rows, length)`` (taospy); ``StopIteration`` at the end."""
        if self._pos < len(self._buffer):
            rows = self._buffer[self._pos :]
        else:
            batch = self._next_batch()
            if batch is None:
                raise StopIteration
            rows = batch
        self._buffer, self._pos = [], 0
        self._row_count += len(rows)
        return rows, len(rows)

    def blocks_iter(self) -> "TaosBlocks":
        """An iterator of :meth:`fetch_block` results (taospy)."""
        return TaosBlocks(self)

    def rows_iter(self, num_of_rows: Optional[int] = None) -> "TaosRows":
        """An iterator of the remaining rows as :class:`TaosRow` (taospy), stopping once
        :attr:`row_count` reaches ``num_of_rows`` when given."""
        return TaosRows(self, num_of_rows)

    def to_arrow(self) -> Any:
        """The remaining rows as a table exporting ``__arrow_c_stream__`` (timestamps are
        Arrow timestamps of the result's precision; nothing is converted per value)."""
        if self._pos < len(self._buffer) or self._row_count:
            raise OperationalError("rows were already read one by one; query again to read Arrow")
        if self._native is None:
            raise OperationalError("the result has no rows to read")
        return self._native.read_all()

    def stop_query(self) -> None:
        """Stops the query (taospy); the rows not yet read are dropped."""
        self.close()

    def close(self) -> None:
        """Stops the query and frees its server-side result. Idempotent."""
        native, self._native = self._native, None
        self._buffer, self._pos, self._done = [], 0, True
        if native is not None:
            native.close()

    def __enter__(self) -> "TaosResult":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class TaosRows:
    """taospy's row iterator (:meth:`TaosResult.rows_iter`)."""

    def __init__(self, result: TaosResult, num_of_rows: Optional[int] = None) -> None:
        self._result = result
        self._num_of_rows = num_of_rows

    def __iter__(self) -> "TaosRows":
        return self

    def __next__(self) -> TaosRow:
        if self._num_of_rows is not None and self._result.row_count >= self._num_of_rows:
            raise StopIteration
        row = TaosRow(next(self._result))
        row._names = self._result._names
        return row

    def next(self) -> TaosRow:
        """The next row."""
        return self.__next__()

    @property
    def row_count(self) -> int:
        """The rows read from the result so far."""
        return self._result.row_count


class TaosBlocks:
    """taospy's block iterator (:meth:`TaosResult.blocks_iter`): ``(rows, length)`` pairs."""

    def __init__(self, result: TaosResult) -> None:
        self._result = result

    def __iter__(self) -> "TaosBlocks":
        return self

    def __next__(self) -> Tuple[List[Tuple[Any, ...]], int]:
        return self._result.fetch_block()

    def next(self) -> Tuple[List[Tuple[Any, ...]], int]:
        """The next block."""
        return self.__next__()
