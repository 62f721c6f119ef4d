"""stmt2 from Python: ``Connection.statement2(sql)`` with the calls TDengine users know.

Values given as Python lists are turned into Arrow arrays of the prepared column types
(this needs pyarrow) and bound as stmt2's columnar payload; Arrow arrays (anything with
``__arrow_c_array__``, the value views of :mod:`taosarrow._views` included) are bound as
they are, cast where the placeholder's type differs and the cast loses nothing (DECIMAL
values are rounded half away from zero to the column's scale, as TDengine rounds)::

    stmt = conn.statement2("INSERT INTO ? USING meters TAGS (?, ?) VALUES (?, ?, ?)")
    stmt.bind_param(["d1", "d2"], [[1, "sf"], [2, "la"]],
                    [[[ts1, ts2], [10.2, 10.3], [219, 220]],
                     [[ts3], [9.8], [221]]])
    stmt.execute()
    stmt.close()

The values taospy takes are taken: ``0``/``1`` (any number) and bools for BOOL; for a
TIMESTAMP ints (ticks in the database precision), ``datetime`` objects and ISO 8601 text
(naive ones in the connection's ``timezone`` when one was given, else in local time, as
taospy reads them); ``str`` or ``bytes`` for the text and binary types; ``Decimal``, ``str``,
ints and floats for DECIMAL.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import numbers
from collections import OrderedDict
from typing import Any, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from . import _native
from . import _timestamps as _ts
from . import _views as _v
from .exceptions import InterfaceError, NotSupportedError, StatementError

__all__ = [
    "Statement2",
    "Stmt2Field",
    "BindTable",
    "IgnoreUpdateType",
    "IGNORE",
    "datetime_ticks",
]

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

    @property
    def type(self) -> int:
        """The TDengine type code (taospy's name for it)."""
        return self.type_code

    @property
    def field_type(self) -> int:
        """The placeholder's role (taospy's name): 1 column, 2 tag, 4 table name."""
        return self.bind_type


class BindTable:
    """One child table's data for :meth:`Statement2.bind_param_with_tables`: its name, its
    tag values and its columns (added one by one with :meth:`add_col_data`)."""

    def __init__(
        self,
        name: Optional[str] = None,
        tags: Optional[Sequence[Any]] = None,
        datas: Optional[Sequence[Sequence[Any]]] = None,
    ) -> None:
        self.name = name
        self.tags: Optional[List[Any]] = None if tags is None else list(tags)
        self.datas: List[Sequence[Any]] = list(datas or [])

    def add_col_data(self, data: Sequence[Any]) -> None:
        """Appends one column's values."""
        self.datas.append(data)

    def __repr__(self) -> str:
        return f"BindTable(name={self.name!r}, tags={self.tags!r}, columns={len(self.datas)})"


class IgnoreUpdateType:
    """taospy's marker for "leave this column as it is" in a partial update."""

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IgnoreUpdateType) and self.value == other.value

    def __hash__(self) -> int:
        return hash((IgnoreUpdateType, self.value))

    def __repr__(self) -> str:
        return f"IgnoreUpdateType({self.value!r})"


#: The partial-update marker. The WebSocket stmt2 protocol carries no "ignore" state, so
#: binding it raises :class:`NotSupportedError`.
IGNORE = IgnoreUpdateType()


class _InsertFlag(int):
    """Whether a statement is an INSERT: true or false as a bool is, and callable, so both
    ``stmt.is_insert`` and taospy's ``stmt.is_insert()`` read it."""

    def __call__(self) -> bool:
        return bool(self)

    def __repr__(self) -> str:
        return repr(bool(self))

    __str__ = __repr__


def _pa() -> Any:
    try:
        import pyarrow as pa
    except ImportError as exc:  # pragma: no cover - exercised without pyarrow only
        raise InterfaceError(
            "binding Python lists needs pyarrow; pass Arrow arrays or install pyarrow"
        ) from exc
    return pa


def _pc() -> Any:
    _pa()
    import pyarrow.compute as pc

    return pc


def _arrow_type(f: Any) -> Any:
    """The pyarrow type of a placeholder's values (``f``: a :class:`Stmt2Field` or any field
    with ``name``, ``type_code``, ``precision`` and ``scale``), from the Rust type table
    (which rejects NULL and MEDIUMBLOB placeholders)."""
    try:
        return _v.arrow_type(f.type_code, f.precision, f.scale)
    except ValueError as exc:
        raise StatementError(f"placeholder {f.name!r}: {exc}") from exc


# -- timestamps ------------------------------------------------------------------------------
def _statement_error(exc: _ts.TimestampError) -> StatementError:
    """A timestamp problem as the stmt2 binders raise it."""
    return StatementError(str(exc))


def datetime_ticks(value: Any, precision: int, tz: Optional[str] = None) -> int:
    """Ticks in ``precision`` (0 ms, 1 µs, 2 ns) of an int (taken as ticks already), a
    ``datetime`` or ISO 8601 text; naive values are in ``tz`` (an IANA name) or, without
    one, in local time. Finer parts than the precision are dropped (floor)."""
    _ts.NS_PER_TICK[int(precision)]  # an unknown precision is a KeyError, whatever the value
    if isinstance(value, bool):
        raise StatementError(f"a TIMESTAMP takes ints, datetimes or ISO text, not {value!r}")
    try:
        if isinstance(value, numbers.Integral):
            return _ts.check_range(int(value), value)
        if isinstance(value, _dt.datetime):
            ns = _ts.datetime_ns(value, tz)
        elif isinstance(value, str):
            ns = _ts.iso_ns(value, tz)
        else:
            raise StatementError(
                f"a TIMESTAMP takes ints, datetimes or ISO text, not {type(value).__name__}"
            )
        return _ts.to_ticks(ns, precision, _ts.Rounding.FLOOR, shown=value)
    except _ts.TimestampError as exc:
        raise _statement_error(exc) from exc


def _timestamp_column(values: Any, f: Stmt2Field, tz: Optional[str]) -> Any:
    """The TIMESTAMP array of ``values`` for placeholder ``f``: ints are ticks of the
    database precision; instants (Arrow or numpy timestamps, datetimes, ISO text) are cut
    to it towards the past; naive ones are wall time in ``tz`` (numpy/pandas ones UTC)."""
    pa, pc = _pa(), _pc()
    target = _arrow_type(f)
    try:
        arr = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
        arr = None
    if arr is not None:
        t = arr.type
        if pa.types.is_integer(t) or pa.types.is_null(t):
            try:
                return arr.cast(pa.int64()).cast(target)
            except pa.ArrowInvalid as exc:
                raise StatementError(f"column {f.name!r}: timestamp out of range ({exc})") from None
        if pa.types.is_timestamp(t):
            if t.tz is None and not isinstance(values, (list, tuple)):
                # numpy / pandas naive datetime64: UTC, as Arrow reads them.
                arr = pc.assume_timezone(arr, timezone="UTC")
            elif t.tz is None and tz is not None:
                try:
                    arr = pc.assume_timezone(arr, timezone=tz, ambiguous="earliest", nonexistent="earliest")
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    pass  # a zone Arrow does not know: one value at a time below
            if arr.type.tz is not None:
                try:
                    return _ts.rescale(arr, f.precision, _ts.Rounding.FLOOR)
                except _ts.TimestampError as exc:
                    raise _statement_error(exc) from None
    # Mixed values, text, naive datetimes in local time: one value at a time (as taospy).
    ticks = [None if v is None else datetime_ticks(v, f.precision, tz) for v in values]
    return pa.array(ticks, type=pa.int64()).cast(target)


# -- the other types -------------------------------------------------------------------------
def _value_error(f: Stmt2Field, values: Any, exc: BaseException) -> Exception:
    """The error for values that do not fit placeholder ``f``."""
    if any(isinstance(v, IgnoreUpdateType) for v in values):
        return NotSupportedError(
            f"column {f.name!r}: IGNORE (partial update) is not supported by stmt2 over WebSocket"
        )
    return StatementError(f"column {f.name!r} ({_v.TYPE_NAMES.get(f.type_code, f.type_code)}): {exc}")


def _bool_column(values: Any, f: Stmt2Field) -> Any:
    pa, pc = _pa(), _pc()
    try:
        return pa.array(values, type=pa.bool_())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        pass
    try:
        arr = pa.array(values)
        if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
            return pc.not_equal(arr, 0)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
        pass
    # 0/1, floats and bools mixed: each taken as its truth value, as taospy does.
    out = []
    for v in values:
        if v is None or isinstance(v, (bool, int, float)):
            out.append(None if v is None else bool(v))
        else:
            raise _value_error(f, values, TypeError(f"a BOOL takes bools or numbers, not {v!r}"))
    return pa.array(out, type=pa.bool_())


def _int_column(values: Any, f: Stmt2Field) -> Any:
    pa = _pa()
    target = _arrow_type(f)
    try:
        try:
            arr = pa.array(values)
        except OverflowError:
            arr = pa.array(values, type=pa.uint64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as exc:
        raise _value_error(f, values, exc) from None
    t = arr.type
    if not (
        pa.types.is_integer(t)
        or pa.types.is_boolean(t)
        or pa.types.is_null(t)
        or pa.types.is_floating(t)
    ):
        raise _value_error(f, values, TypeError(f"integers expected, not {t} values"))
    try:
        # Safe: out of range and floats with a fraction are errors, not wrapped or cut.
        return arr.cast(target, safe=True)
    except pa.ArrowInvalid as exc:
        raise _value_error(f, values, exc) from None


def _float_column(values: Any, f: Stmt2Field) -> Any:
    pa, pc = _pa(), _pc()
    try:
        wide = pa.array(values, type=pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as exc:
        raise _value_error(f, values, exc) from None
    if f.type_code != _v.FLOAT:
        return wide
    narrow = wide.cast(pa.float32(), safe=False)
    overflow = pc.and_(pc.is_inf(narrow), pc.invert(pc.is_inf(wide)))
    if pc.any(overflow).as_py():
        raise _value_error(f, values, OverflowError("value beyond the FLOAT range (±3.4e38)"))
    return narrow


def _decimal_column(values: Any, f: Stmt2Field) -> Any:
    pa = _pa()
    try:
        arr = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
        arr = None
    if arr is not None:
        t = arr.type
        if pa.types.is_decimal(t):
            return _round_decimals(arr, f)
        if pa.types.is_null(t):
            return arr.cast(_arrow_type(f))
        if pa.types.is_string(t) or pa.types.is_integer(t):
            # Text is parsed (and rounded) by the Rust encoder; ints are exact.
            return arr
    out: List[Optional[decimal.Decimal]] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        try:
            if isinstance(v, bool):
                raise TypeError("a DECIMAL does not take bools")
            d = v if isinstance(v, decimal.Decimal) else decimal.Decimal(repr(v) if isinstance(v, float) else v)
        except (TypeError, ValueError, decimal.InvalidOperation) as exc:
            raise _value_error(f, values, exc) from None
        if not d.is_finite():
            raise _value_error(f, values, ValueError(f"a DECIMAL must be finite, not {d}"))
        out.append(d)
    try:
        return _round_decimals(pa.array(out), f)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise _value_error(f, values, exc) from None


def _round_decimals(arr: Any, f: Stmt2Field) -> Any:
    """A decimal array at most at the column's scale, rounded half away from zero."""
    pa, pc = _pa(), _pc()
    t = arr.type
    if not pa.types.is_decimal(t) or t.scale <= f.scale:
        return arr
    rounded = pc.round(arr, ndigits=f.scale, round_mode="half_towards_infinity")
    make = pa.decimal256 if pa.types.is_decimal256(t) else pa.decimal128
    return rounded.cast(make(t.precision, f.scale))


def _typed_column(values: Any, f: Stmt2Field) -> Any:
    pa = _pa()
    try:
        return pa.array(values, type=_arrow_type(f))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError) as exc:
        raise _value_error(f, values, exc) from None


_INT_CODES = frozenset(
    {_v.TINYINT, _v.SMALLINT, _v.INT, _v.BIGINT, _v.UTINYINT, _v.USMALLINT, _v.UINT, _v.UBIGINT}
)
_BINARY_CODES = frozenset({_v.VARBINARY, _v.GEOMETRY, _v.BLOB})
_TEXT_ONLY_CODES = frozenset({_v.NCHAR, _v.JSON})
_DECIMAL_CODES = frozenset({_v.DECIMAL, _v.DECIMAL64})
_SCALARS = (str, bytes, bytearray, memoryview, int, float, decimal.Decimal, _dt.datetime, _dt.date)


def _as_values(values: Any) -> Any:
    """A column's values: a bare value is a one-value column (as taospy takes it)."""
    if isinstance(values, (list, tuple)):
        return values
    if values is None or isinstance(values, _SCALARS) or not hasattr(values, "__len__"):
        return [values]
    return values


def _fit(values: Any, f: Stmt2Field) -> Any:
    """An Arrow input for placeholder ``f``: a value view's array, cast where the types
    differ and nothing is lost (text to the binary types, UTF-8 bytes to NCHAR/JSON) and
    DECIMALs rounded to the column's scale; other Arrow objects are passed on, the Rust
    encoder converting (checked) what it can."""
    if isinstance(values, _v._View):
        values = values.array
    try:
        import pyarrow as pa
    except ImportError:  # Arrow objects from another library, bound without pyarrow.
        return values
    if not isinstance(values, pa.Array):
        return values
    t, code = values.type, f.type_code
    if pa.types.is_decimal(t) and code in _DECIMAL_CODES:
        return _round_decimals(values, f)
    if (pa.types.is_string(t) or pa.types.is_large_string(t)) and code in _BINARY_CODES:
        return values.cast(pa.large_binary() if pa.types.is_large_string(t) else pa.binary())
    if (pa.types.is_binary(t) or pa.types.is_large_binary(t)) and code in _TEXT_ONLY_CODES:
        try:
            return values.cast(pa.large_string() if pa.types.is_large_binary(t) else pa.string())
        except pa.ArrowInvalid as exc:
            raise StatementError(f"column {f.name!r}: bytes that are not UTF-8 ({exc})") from None
    return values


def column_array(values: Any, f: Stmt2Field, tz: Optional[str] = None) -> Any:
    """The Arrow array bound for placeholder ``f`` from a list of values (or an Arrow
    array / value view, see :func:`_fit`); ``tz`` is the zone of naive datetimes."""
    if hasattr(values, "__arrow_c_array__"):
        return _fit(values, f)
    values = _as_values(values)
    code = f.type_code
    if code == _v.BOOL:
        return _bool_column(values, f)
    if code in _INT_CODES:
        return _int_column(values, f)
    if code in (_v.FLOAT, _v.DOUBLE):
        return _float_column(values, f)
    if code == _v.TIMESTAMP:
        return _timestamp_column(values, f, tz)
    if code in _DECIMAL_CODES:
        return _decimal_column(values, f)
    return _typed_column(values, f)


def query_param(value: Any, tz: Optional[str] = None) -> Any:
    """The one-value Arrow array bound for a query's ``?``: an Arrow array or view as it is;
    ``[v]`` or ``v`` typed by its Python type (bool BOOL, int BIGINT or BIGINT UNSIGNED,
    float DOUBLE, str VARCHAR, bytes VARBINARY, Decimal DECIMAL, datetime TIMESTAMP)."""
    if isinstance(value, _v._View):
        return value.array
    if hasattr(value, "__arrow_c_array__"):
        return value
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise StatementError(f"a query parameter takes one value, {len(value)} given")
        value = value[0]
    pa = _pa()
    if value is None:
        raise StatementError("a query parameter cannot be None (compare with IS NULL instead)")
    if isinstance(value, IgnoreUpdateType):
        raise NotSupportedError("IGNORE is for INSERT columns, not query parameters")
    if isinstance(value, bool):
        return pa.array([value], type=pa.bool_())
    if isinstance(value, int):
        if _ts.I64_MIN <= value <= _ts.I64_MAX:
            return pa.array([value], type=pa.int64())
        if 0 <= value < 2**64:
            return pa.array([value], type=pa.uint64())
        raise StatementError(f"query parameter {value} is beyond BIGINT UNSIGNED")
    if isinstance(value, float):
        return pa.array([value], type=pa.float64())
    if isinstance(value, str):
        return pa.array([value], type=pa.string())
    if isinstance(value, (bytes, bytearray, memoryview)):
        return pa.array([bytes(value)], type=pa.binary())
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise StatementError(f"a DECIMAL parameter must be finite, not {value}")
        return pa.array([value])
    if isinstance(value, _dt.datetime):
        try:
            ns = _ts.datetime_ns(value, tz)
        except _ts.TimestampError as exc:
            raise _statement_error(exc) from exc
        return pa.array([ns], type=pa.int64()).cast(pa.timestamp("ns", tz="UTC"))
    try:
        return pa.array([value])
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise StatementError(f"cannot bind a query parameter of type {type(value).__name__}: {exc}") from None


# -- the statement ---------------------------------------------------------------------------
def _entries(what: str, items: Any) -> Optional[List[Any]]:
    """taospy's rule for ``tbnames``/``tags``/``datas``: ``None`` or all-``None`` is none,
    some ``None`` is an error, otherwise a list or tuple."""
    if items is None:
        return None
    if isinstance(items, (str, bytes)) or not isinstance(items, (list, tuple)):
        raise StatementError(f"{what} must be a list or tuple, not {type(items).__name__}")
    nones = sum(1 for x in items if x is None)
    if nones == len(items) and items:
        return None
    if nones:
        raise StatementError(f"{what}: some entries are None and some are not")
    return list(items)


class Statement2:
    """A stmt2 prepared statement on one connection (from :meth:`Connection.statement2`)."""

    def __init__(self, native_connection: Any, sql: Optional[str] = None) -> None:
        self._native: Any = _native.NativeStmt2(native_connection)
        self._tz: Optional[str] = getattr(native_connection, "timezone", None)
        self._fields: List[Stmt2Field] = []
        self._prepared = False
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
        stmt = self._stmt()
        if not isinstance(sql, str):
            raise StatementError(f"sql must be a str, not {type(sql).__name__}")
        if not sql.strip():
            raise StatementError("sql is empty")
        self._prepared = False
        is_insert, count, fields = stmt.prepare(sql)
        self._is_insert = is_insert
        self._param_count = count
        self._fields = [Stmt2Field(*f) for f in fields]
        self._prepared = True

    @property
    def is_insert(self) -> _InsertFlag:
        """Whether the prepared SQL is an INSERT (also callable: ``is_insert()``)."""
        return _InsertFlag(self._is_insert)

    @property
    def fields(self) -> List[Stmt2Field]:
        """The placeholders of an INSERT (table name, tags, columns), in order."""
        return list(self._fields)

    def _by_role(self, role: int) -> List[Stmt2Field]:
        return [f for f in self._fields if f.bind_type == role]

    def _ready(self) -> Any:
        stmt = self._stmt()
        if not self._prepared:
            raise StatementError("prepare() the statement before binding")
        return stmt

    # -- binding ---------------------------------------------------------------------------
    def bind_param(
        self,
        tbnames: Optional[Sequence[Optional[str]]],
        tags: Optional[Sequence[Optional[Sequence[Any]]]],
        datas: Sequence[Any],
    ) -> None:
        """Binds data: per table its name, its tag values and its columns (each a list of
        row values or an Arrow array). For a query, ``datas`` is ``[[p1, p2, …]]`` (each
        ``pN`` a value or a one-value list). For an INSERT that binds the table name as a
        column (``INSERT INTO stb (tbname, ts, …) VALUES (?, ?, …)``), ``bind_param(None,
        None, rows)`` takes rows whose values follow the placeholders."""
        self._ready()
        if not self._is_insert:
            self._bind_query(datas)
            return
        if tbnames is None and tags is None and self._by_role(BIND_TBNAME):
            if datas is None:
                raise StatementError("nothing to bind: datas is None")
            self.bind_rows(datas)
            return
        names = _entries("tbnames", tbnames)
        tag_rows = _entries("tags", tags)
        tables = _entries("datas", datas)
        if not tables:
            raise StatementError("nothing to bind: datas is empty or None")
        n = len(tables)
        if names is not None and len(names) != n:
            raise StatementError(f"tbnames has {len(names)} entries, datas {n}: one per table")
        if tag_rows is not None and len(tag_rows) != n:
            raise StatementError(f"tags has {len(tag_rows)} entries, datas {n}: one per table")
        self._bind_tables(names, tag_rows, tables)

    def _bind_tables(
        self,
        names: Optional[List[Any]],
        tag_rows: Optional[List[Any]],
        tables: List[Any],
    ) -> None:
        stmt = self._ready()
        tag_fields = self._by_role(BIND_TAG)
        col_fields = self._by_role(BIND_COLUMN)
        binds_name = bool(self._by_role(BIND_TBNAME))
        if binds_name and names is None:
            raise StatementError("the SQL binds the table name (INSERT INTO ? …): give tbnames")
        out: List[Tuple[Optional[str], List[Any], List[Any]]] = []
        for i, cols in enumerate(tables):
            name = None
            if binds_name and names is not None:
                name = names[i]
                if not isinstance(name, str) or not name:
                    raise StatementError(f"table {i}: the table name must be a non-empty str, not {name!r}")
            trow = [] if tag_rows is None else tag_rows[i]
            if trow is None:
                trow = []
            if isinstance(trow, (str, bytes)) or not isinstance(trow, (list, tuple)):
                raise StatementError(f"table {i}: tags must be a list of values, not {type(trow).__name__}")
            if len(trow) != len(tag_fields):
                raise StatementError(
                    f"table {i}: {len(tag_fields)} tag value(s) expected, {len(trow)} given"
                )
            if isinstance(cols, (str, bytes)) or not isinstance(cols, (list, tuple)):
                raise StatementError(f"table {i}: the columns must be a list, not {type(cols).__name__}")
            if len(cols) != len(col_fields):
                raise StatementError(
                    f"table {i}: {len(col_fields)} column(s) expected, {len(cols)} given"
                )
            tag_arrays = [
                _fit(v, f) if hasattr(v, "__arrow_c_array__") else column_array([v], f, self._tz)
                for v, f in zip(trow, tag_fields)
            ]
            col_arrays = [column_array(c, f, self._tz) for c, f in zip(cols, col_fields)]
            lengths = sorted({len(a) for a in col_arrays if hasattr(a, "__len__")})
            if len(lengths) > 1:
                raise StatementError(
                    f"table {i}: the columns have different lengths {lengths}; each column "
                    "needs one value per row"
                )
            for a, f in zip(tag_arrays, tag_fields):
                if hasattr(a, "__len__") and len(a) != 1:
                    raise StatementError(f"table {i}: tag {f.name!r} takes one value, {len(a)} given")
            out.append((name, tag_arrays, col_arrays))
        stmt.bind(out)

    def _bind_query(self, datas: Any) -> None:
        stmt = self._ready()
        if isinstance(datas, (str, bytes)) or not isinstance(datas, (list, tuple)):
            raise StatementError("a query binds datas=[[p1, p2, …]]")
        if len(datas) != 1 or datas[0] is None:
            raise StatementError("a query binds exactly one set of parameters: [[p1, p2, …]]")
        row = datas[0]
        if isinstance(row, (str, bytes)) or not isinstance(row, (list, tuple)):
            raise StatementError("a query binds datas=[[p1, p2, …]]")
        if len(row) != self._param_count:
            raise StatementError(
                f"the query has {self._param_count} placeholder(s), {len(row)} given"
            )
        stmt.bind_params([query_param(p, self._tz) for p in row])

    def bind_param_with_tables(self, tables: Iterable[Any]) -> None:
        """Binds :class:`BindTable` objects (or ``(name, tags, datas)`` tuples)."""
        names: List[Optional[str]] = []
        tags: List[Any] = []
        datas: List[Sequence[Sequence[Any]]] = []
        for t in tables:
            if isinstance(t, tuple):
                name, tag, data = t
            else:
                name, tag, data = t.name, t.tags, t.datas
            names.append(name)
            tags.append(tag)
            datas.append(data)
        if not datas:
            raise StatementError("bind_param_with_tables() needs at least one table")
        self._ready()
        if not self._is_insert:
            raise StatementError("bind_param_with_tables() is for INSERT statements")
        self.bind_param(names, tags, datas)

    def bind_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Binds rows whose values follow the placeholders in order (table name, tags,
        columns); rows are grouped by table. This is what ``executemany`` uses."""
        self._ready()
        if not self._is_insert:
            raise StatementError("bind_rows() is for INSERT statements")
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
            raise StatementError("rows must be a list of rows")
        roles = [f.bind_type for f in self._fields]
        width = len(roles)
        groups: "OrderedDict[Tuple[Any, ...], List[Sequence[Any]]]" = OrderedDict()
        key_idx = [i for i, r in enumerate(roles) if r in (BIND_TBNAME, BIND_TAG)]
        for row in rows:
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
                raise StatementError(f"each row must be a sequence of {width} value(s), not {row!r}")
            if len(row) != width:
                raise StatementError(f"each row needs {width} value(s), got {len(row)}")
            try:
                key = tuple(row[i] for i in key_idx)
                group = groups.setdefault(key, [])
            except TypeError as exc:  # an unhashable tag value
                raise StatementError(f"a table name or tag value cannot be used: {exc}") from None
            group.append(row)
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
        if not datas:
            raise StatementError("nothing to bind: no rows")
        self._bind_tables(names if name_idx else None, tags if tag_idx else None, datas)

    # -- running ---------------------------------------------------------------------------
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

