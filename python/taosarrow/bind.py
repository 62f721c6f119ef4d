"""taospy's parameter binding for prepared statements (stmt v1), built on Arrow arrays.

``new_bind_params(n)`` gives the parameters of one row, ``new_multi_binds(n)`` the columns of
several rows; each is filled with a typed setter and handed to ``Connection.statement(sql)``::

    stmt = conn.statement("INSERT INTO ? USING meters TAGS (?) VALUES (?, ?)")
    tags = new_bind_params(1)
    tags[0].int(2)
    stmt.set_tbname_tags("d1", tags)
    params = new_multi_binds(2)
    params[0].timestamp([1626861392589, 1626861392590])
    params[1].double([10.3, None])
    stmt.bind_param_batch(params)
    stmt.execute()

A setter takes one value, or a list or tuple of values (one per row), ``None`` being NULL, as
taospy's do; it also takes an Arrow array (pyarrow, or anything exporting
``__arrow_c_array__``/``__arrow_c_stream__``) or a one-dimensional numpy array or pandas
Series, which are cast without a Python object per value. Each setter builds a pyarrow array
of its TDengine type at once (the Arrow type comes from the Rust type table), so a bad value
raises :class:`~taosarrow.ProgrammingError` at the setter, naming it. The statement then
converts each array to its tag's or column's type where no value changes (a value the
column cannot hold raises :class:`~taosarrow.StatementError`).

Timestamps (``timestamp(values, precision=PrecisionEnum.Milliseconds)``): ints are raw
ticks of the database's precision, whatever ``precision`` says, as taospy binds them (a
column of ints, or an integer Arrow array; in a list mixed with other kinds, an int counts
ticks of ``precision``); a float counts seconds (not in nanoseconds); a ``datetime`` or an
ISO 8601 string is an instant, naive ones read in local time as ``datetime.timestamp()``
does (in the connection's ``timezone`` when it has one, as taospy does), and is cut to
``precision`` (a string keeps up to nine fraction digits exactly, a ``pandas.Timestamp`` its
nanoseconds); an Arrow timestamp array is converted to ``precision`` exactly, a finer part
raising. Instants are converted to the database's precision exactly (taospy stores their
ticks of ``precision`` as they are, so a ``precision`` other than the database's gives the
same result there only when it matches); ticks finer than the database's raise rather than
being cut. The conversions themselves live in :mod:`taosarrow._timestamps`.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import functools
import numbers
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple, Type

from . import _native
from . import _timestamps as _ts
from .exceptions import PrecisionError, ProgrammingError
from .precision import PrecisionEnum, precision_code
from .statement import _arrow_type, _pa
from .stmt1 import Stmt1Field
from .types import TYPE_NAMES

__all__ = [
    "TaosBind",
    "TaosMultiBind",
    "new_bind_param",
    "new_bind_params",
    "new_multi_bind",
    "new_multi_binds",
    "bind_arrays",
    "PrecisionEnum",
    "PrecisionError",
]

_TABLE = _native.type_table()
#: TDengine type name → code (DECIMAL is two codes, and has no stmt v1 setter).
_CODE = {name: code for code, name, _group, _ok in _TABLE if name != "DECIMAL"}
_NULL = _CODE["NULL"]


@functools.lru_cache(maxsize=None)
def _setter_type(type_name: str, precision: int) -> Any:
    """The pyarrow type a setter builds, from the Rust type table (``precision``: the
    precision code of a TIMESTAMP)."""
    return _arrow_type(Stmt1Field("", _CODE[type_name], precision, 0, 0))


def _type_name(code: int) -> str:
    return TYPE_NAMES.get(code, f"type {code}")


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def _bad(setter: str, why: str) -> ProgrammingError:
    return ProgrammingError(f"{setter}(): {why}")


def _arrow_errors(pa: Any) -> Tuple[Type[BaseException], ...]:
    return (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError,
            TypeError, ValueError)


def _inputs(values: Any) -> Tuple[Optional[List[Any]], Optional[Any]]:
    """``(python values, None)`` or ``(None, pyarrow array)``: lists and tuples hold one
    value per row, Arrow and numpy/pandas arrays are taken as arrays, anything else is one
    value."""
    if isinstance(values, (list, tuple)):
        return list(values), None
    if isinstance(values, (str, bytes, bytearray, memoryview)) or values is None:
        return [values], None
    pa = _pa()
    if isinstance(values, pa.Array):
        return None, values
    if isinstance(values, pa.ChunkedArray):
        return None, values.combine_chunks()
    try:
        if hasattr(values, "__arrow_c_array__"):
            return None, pa.array(values)
        if hasattr(values, "__arrow_c_stream__"):
            return None, pa.chunked_array(values).combine_chunks()
        if getattr(values, "ndim", None) == 1:
            return None, pa.array(values)
    except _arrow_errors(pa) as exc:
        raise ProgrammingError(f"cannot read {type(values).__name__} values: {exc}") from exc
    if getattr(values, "ndim", 0) not in (0, None):
        raise ProgrammingError(f"a {values.ndim}-dimensional array cannot be bound")
    return [values], None


def _is_int(v: Any) -> bool:
    return type(v) is int or (isinstance(v, numbers.Integral) and not isinstance(v, bool))


def _cast(setter: str, arr: Any, target: Any) -> Any:
    pa = _pa()
    if arr.type == target:
        return arr
    try:
        return arr.cast(target, safe=True)
    except _arrow_errors(pa) as exc:
        raise _bad(setter, str(exc)) from exc


def _offender(items: Iterable[Any], ok: Callable[[Any], bool]) -> Optional[Tuple[int, Any]]:
    for i, v in enumerate(items):
        if v is not None and not ok(v):
            return i, v
    return None


def _wrong(setter: str, items: List[Any], ok: Callable[[Any], bool], wanted: str,
           exc: Optional[BaseException] = None) -> ProgrammingError:
    found = _offender(items, ok)
    if found is None:
        return _bad(setter, str(exc) if exc is not None else f"takes {wanted}")
    i, v = found
    return _bad(setter, f"takes {wanted}; value {i} is {_describe(v)}")


def _int_range(target: Any) -> Tuple[int, int]:
    """The smallest and largest value of a pyarrow integer type."""
    pa = _pa()
    bits = target.bit_width
    if pa.types.is_signed_integer(target):
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


#: Lists longer than this have their types inferred by pyarrow (fast per value, slow to
#: start) before the per-value checks, which then run only when inference fails.
_INFER_FROM = 32


def _inferred_ints(items: List[Any]) -> Optional[Any]:
    """The integer (or all-NULL) array pyarrow infers for a long list, else ``None``."""
    if len(items) <= _INFER_FROM:
        return None
    pa = _pa()
    try:
        arr = pa.array(items)
    except _arrow_errors(pa):
        return None
    return arr if pa.types.is_integer(arr.type) or pa.types.is_null(arr.type) else None


def _integers(setter: str, values: Any, target: Any, name: str = "") -> Any:
    pa = _pa()
    items, arr = _inputs(values)
    if arr is None:
        assert items is not None
        inferred = _inferred_ints(items)
        if inferred is not None:
            try:
                return inferred if inferred.type == target else inferred.cast(target, safe=True)
            except _arrow_errors(pa):
                pass  # the checks below name the offending value
        if _offender(items, _is_int) is not None:
            raise _wrong(setter, items, _is_int, "int values (or None)")
        try:
            return pa.array(items, type=target)
        except _arrow_errors(pa) as exc:
            lo, hi = _int_range(target)
            found = _offender(items, lambda v: lo <= v <= hi)
            if found is None:
                raise _bad(setter, str(exc)) from exc
            i, v = found
            kind = f" for {name}" if name else ""
            raise _bad(setter, f"value {i} ({v}) is out of range{kind} ({lo}..{hi})") from exc
    if not (pa.types.is_integer(arr.type) or pa.types.is_null(arr.type)):
        raise _bad(setter, f"takes integers, got an Arrow {arr.type} array")
    return _cast(setter, arr, target)


def _is_real(v: Any) -> bool:
    t = type(v)
    return t is float or t is int or (isinstance(v, numbers.Real) and not isinstance(v, bool))


def _reals(setter: str, values: Any, target: Any) -> Any:
    pa = _pa()
    items, arr = _inputs(values)
    wanted = "int or float values (or None)"
    numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_null, pa.types.is_decimal)
    if arr is None:
        assert items is not None
        if _offender(items, _is_real) is not None:
            raise _wrong(setter, items, _is_real, wanted)
        try:
            arr = pa.array(items, type=target)
        except _arrow_errors(pa) as exc:
            raise _bad(setter, str(exc)) from exc
    elif not any(f(arr.type) for f in numeric):
        raise _bad(setter, f"takes numbers, got an Arrow {arr.type} array")
    return _cast(setter, arr, target)


def _is_bool(v: Any) -> bool:
    t = type(v)
    return isinstance(v, (bool, numbers.Integral)) or (
        t.__module__ == "numpy" and t.__name__ in ("bool_", "bool")
    )


def _bools(setter: str, values: Any, target: Any) -> Any:
    pa = _pa()
    items, arr = _inputs(values)
    wanted = "bool values (or ints, or None)"
    if arr is None:
        assert items is not None
        if _offender(items, _is_bool) is not None:
            raise _wrong(setter, items, _is_bool, wanted)
        try:
            arr = pa.array([None if v is None else builtins.bool(v) for v in items], type=target)
        except _arrow_errors(pa) as exc:
            raise _bad(setter, str(exc)) from exc
    elif not (pa.types.is_boolean(arr.type) or pa.types.is_integer(arr.type)
              or pa.types.is_null(arr.type)):
        raise _bad(setter, f"takes bools, got an Arrow {arr.type} array")
    return _cast(setter, arr, target)


_BYTES_LIKE = (bytes, bytearray, memoryview)


def _is_text(v: Any) -> bool:
    return isinstance(v, (str,) + _BYTES_LIKE)


def _texts(setter: str, values: Any, target: Any) -> Any:
    """VARCHAR / NCHAR / JSON: str, or UTF-8 bytes."""
    pa = _pa()
    items, arr = _inputs(values)
    if arr is None:
        assert items is not None
        try:
            arr = pa.array(items, type=target)
        except _arrow_errors(pa) as exc:
            found = _offender(items, _is_text)
            if found is not None:
                raise _wrong(setter, items, _is_text, "str or bytes values (or None)") from exc
            for i, v in enumerate(items):
                if isinstance(v, _BYTES_LIKE):
                    try:
                        bytes(v).decode("utf-8")
                    except UnicodeDecodeError as err:
                        raise _bad(setter, f"value {i} is not valid UTF-8 ({err.reason})") from err
            # memoryviews pyarrow does not read as text: decode them here.
            fixed = [bytes(v).decode("utf-8") if isinstance(v, memoryview) else v for v in items]
            try:
                arr = pa.array(fixed, type=target)
            except _arrow_errors(pa) as exc2:
                raise _bad(setter, str(exc2)) from exc2
    elif not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
              or pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)
              or pa.types.is_null(arr.type)):
        raise _bad(setter, f"takes text, got an Arrow {arr.type} array")
    return _cast(setter, arr, target)


def _blobs(setter: str, values: Any, target: Any, text_ok: builtins.bool) -> Any:
    """VARBINARY (bytes, or str as UTF-8) / GEOMETRY (WKB bytes only)."""
    pa = _pa()
    items, arr = _inputs(values)
    if arr is None:
        assert items is not None
        ok: Callable[[Any], builtins.bool] = _is_text if text_ok else (
            lambda v: isinstance(v, _BYTES_LIKE)
        )
        wanted = "bytes or str values (or None)" if text_ok else "WKB bytes values (or None)"
        if _offender(items, ok) is not None:
            raise _wrong(setter, items, ok, wanted)
        try:
            arr = pa.array(items, type=target)
        except _arrow_errors(pa) as exc:
            raise _bad(setter, str(exc)) from exc
    else:
        kinds = [pa.types.is_binary, pa.types.is_large_binary, pa.types.is_fixed_size_binary,
                 pa.types.is_null]
        if text_ok:
            kinds += [pa.types.is_string, pa.types.is_large_string]
        if not any(f(arr.type) for f in kinds):
            raise _bad(setter, f"takes bytes, got an Arrow {arr.type} array")
    return _cast(setter, arr, target)


def _ticks(value: Any, code: int, tz: Optional[_dt.tzinfo]) -> Tuple[Optional[int], builtins.bool]:
    """One timestamp value as ticks of precision ``code`` (instants cut towards the past),
    and whether it is wall time (a naive datetime or a string without offset) read in
    ``tz`` (local time when ``None``)."""
    if value is None:
        return None, False
    if isinstance(value, bool):
        raise TypeError("a bool is not a timestamp")
    if isinstance(value, numbers.Integral):
        return builtins.int(value), False
    if isinstance(value, builtins.float):
        if code == PrecisionEnum.Nanoseconds:
            raise PrecisionError(
                "a float of seconds cannot carry nanoseconds; give an int of nanoseconds"
            )
        return _ts.seconds_ticks(value, code), False
    if isinstance(value, _dt.datetime):
        ns = _ts.datetime_ns(value, tz)
        return _ts.to_ticks(ns, code, _ts.Rounding.FLOOR, shown=value), _ts.is_naive(value)
    if isinstance(value, str):
        parsed = _ts.parse_iso(value)
        return _ts.to_ticks(parsed.ns(tz), code, _ts.Rounding.FLOOR, shown=value), parsed.naive
    raise TypeError(
        "timestamps are ints (ticks of the precision), floats (seconds), datetimes or ISO "
        f"8601 strings; got {_describe(value)}"
    )


def _timestamps(
    setter: str, values: Any, code: int, tz: Optional[_dt.tzinfo] = None
) -> Tuple[Any, Optional[List[Any]]]:
    """The timestamp array of ``values``, and the values themselves when some are wall time
    (to be read again in a connection's time zone)."""
    pa = _pa()
    target = _setter_type("TIMESTAMP", code)
    items, arr = _inputs(values)
    if arr is None:
        assert items is not None
        inferred = _inferred_ints(items)
        if inferred is not None:
            # Ints are raw ticks of the database precision, whatever ``precision`` says (as
            # taospy binds them): the statement reads an int64 array that way.
            return _cast(setter, inferred, pa.int64()), None
        raw = lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool)  # noqa: E731
        if _offender(items, raw) is None and any(v is not None for v in items):
            try:
                return pa.array([None if v is None else builtins.int(v) for v in items], type=pa.int64()), None
            except _arrow_errors(pa) as exc:
                raise _bad(setter, f"{exc} (timestamps are 64-bit)") from exc
        ticks: List[Any] = items
        wall = False
        if _offender(items, lambda v: type(v) is int) is not None:
            ticks = []
            for i, v in enumerate(items):
                try:
                    t, naive = _ticks(v, code, tz)
                except PrecisionError as exc:
                    raise PrecisionError(f"{setter}(): value {i}: {exc.msg}") from exc
                except (TypeError, ValueError, OverflowError, OSError) as exc:
                    raise _bad(setter, f"value {i}: {exc}") from exc
                ticks.append(t)
                wall = wall or naive
        try:
            return pa.array(ticks, type=target), (items if wall else None)
        except _arrow_errors(pa) as exc:
            raise _bad(setter, f"{exc} (timestamps are 64-bit)") from exc
    if pa.types.is_timestamp(arr.type):
        # Instants: exact in ``precision``, a finer part is refused rather than cut.
        try:
            return _ts.rescale(arr, code, _ts.Rounding.EXACT), None
        except _ts.TimestampError as exc:
            raise _bad(setter, str(exc)) from exc
    if pa.types.is_integer(arr.type):
        return _cast(setter, arr, pa.int64()), None
    if pa.types.is_null(arr.type):
        return _cast(setter, arr, target), None
    raise _bad(setter, f"takes timestamps or int ticks, got an Arrow {arr.type} array")


class TaosMultiBind:
    """One parameter, with one value per row (a column), set by one of the typed setters.

    After a setter, ``buffer_type`` is the TDengine type code, ``num`` the number of rows
    and :attr:`array` the pyarrow array of the values."""

    __slots__ = ("buffer_type", "num", "precision", "_array", "_wall")

    def __init__(self) -> None:
        #: The TDengine type code of the values (0, NULL, until a setter is called).
        self.buffer_type: builtins.int = _NULL
        #: How many rows the values are.
        self.num: builtins.int = 0
        #: The precision code of a timestamp's values (``None`` for other types).
        self.precision: Optional[builtins.int] = None
        self._array: Any = None
        # The values of a timestamp() given wall times (naive datetimes, strings without
        # offset), read again in the connection's time zone when it has one.
        self._wall: Optional[List[Any]] = None

    @property
    def array(self) -> Any:
        """The values as a pyarrow array; :class:`ProgrammingError` before a setter."""
        if self._array is None:
            raise ProgrammingError("the parameter was not set: call one of its setters first")
        return self._array

    @property
    def is_set(self) -> builtins.bool:
        """Whether a setter was called."""
        return self._array is not None

    def _set(
        self,
        type_name: str,
        array: Any,
        precision: Optional[builtins.int] = None,
        wall: Optional[List[Any]] = None,
    ) -> None:
        self.buffer_type = _CODE[type_name]
        self.num = len(array)
        self.precision = precision
        self._array = array
        self._wall = wall

    def array_in(self, timezone: Optional[str]) -> Any:
        """:attr:`array`, with naive datetimes and ISO strings without offset read as wall
        time in the IANA zone ``timezone`` rather than in local time (``None``: as set)."""
        arr = self.array
        if timezone is None or self._wall is None or self.precision is None:
            return arr
        try:
            zone = _ts.zone(timezone)
        except _ts.TimestampError as exc:
            raise ProgrammingError(str(exc)) from exc
        return _timestamps("timestamp", self._wall, self.precision, zone)[0]

    def _target(self, type_name: str) -> Any:
        return _setter_type(type_name, 0)

    def _int_setter(self, setter: str, type_name: str, values: Any) -> None:
        self._set(type_name, _integers(setter, values, self._target(type_name), type_name))

    def bool(self, values: Any) -> None:
        """BOOL values (``True``/``False``; ints are true when not 0; ``None`` is NULL)."""
        self._set("BOOL", _bools("bool", values, self._target("BOOL")))

    def tinyint(self, values: Any) -> None:
        """TINYINT values (-128..127)."""
        self._int_setter("tinyint", "TINYINT", values)

    def smallint(self, values: Any) -> None:
        """SMALLINT values (-32768..32767)."""
        self._int_setter("smallint", "SMALLINT", values)

    def int(self, values: Any) -> None:
        """INT values (32-bit signed)."""
        self._int_setter("int", "INT", values)

    def bigint(self, values: Any) -> None:
        """BIGINT values (64-bit signed)."""
        self._int_setter("bigint", "BIGINT", values)

    def tinyint_unsigned(self, values: Any) -> None:
        """TINYINT UNSIGNED values (0..255)."""
        self._int_setter("tinyint_unsigned", "TINYINT UNSIGNED", values)

    def smallint_unsigned(self, values: Any) -> None:
        """SMALLINT UNSIGNED values (0..65535)."""
        self._int_setter("smallint_unsigned", "SMALLINT UNSIGNED", values)

    def int_unsigned(self, values: Any) -> None:
        """INT UNSIGNED values (0..2**32 - 1)."""
        self._int_setter("int_unsigned", "INT UNSIGNED", values)

    def bigint_unsigned(self, values: Any) -> None:
        """BIGINT UNSIGNED values (0..2**64 - 1)."""
        self._int_setter("bigint_unsigned", "BIGINT UNSIGNED", values)

    def float(self, values: Any) -> None:
        """FLOAT values (ints or floats, stored as 32-bit floats)."""
        self._set("FLOAT", _reals("float", values, self._target("FLOAT")))

    def double(self, values: Any) -> None:
        """DOUBLE values (ints or floats)."""
        self._set("DOUBLE", _reals("double", values, self._target("DOUBLE")))

    def binary(self, values: Any) -> None:
        """BINARY (VARCHAR) values: ``str``, or UTF-8 ``bytes``/``bytearray``."""
        self._set("VARCHAR", _texts("binary", values, self._target("VARCHAR")))

    def varchar(self, values: Any) -> None:
        """VARCHAR values; the same as :meth:`binary`."""
        self._set("VARCHAR", _texts("varchar", values, self._target("VARCHAR")))

    def nchar(self, values: Any) -> None:
        """NCHAR values: ``str``, or UTF-8 ``bytes``."""
        self._set("NCHAR", _texts("nchar", values, self._target("NCHAR")))

    def json(self, values: Any) -> None:
        """JSON (tag) values: the JSON text as ``str`` or UTF-8 ``bytes``."""
        self._set("JSON", _texts("json", values, self._target("JSON")))

    def varbinary(self, values: Any) -> None:
        """VARBINARY values: ``bytes``, ``bytearray``, ``memoryview`` (or ``str``, as UTF-8)."""
        self._set("VARBINARY", _blobs("varbinary", values, self._target("VARBINARY"), True))

    def geometry(self, values: Any) -> None:
        """GEOMETRY values: WKB as ``bytes``, ``bytearray`` or ``memoryview``."""
        self._set("GEOMETRY", _blobs("geometry", values, self._target("GEOMETRY"), False))

    def timestamp(self, values: Any, precision: Any = PrecisionEnum.Milliseconds) -> None:
        """TIMESTAMP values: ints are raw ticks of the database precision (as in taospy;
        ``precision``, a :class:`PrecisionEnum`, default milliseconds, is the unit of the
        other kinds and of ints mixed with them), floats seconds, ``datetime`` and ISO 8601 strings instants
        (naive ones in local time, or in the time zone of the connection they are bound on
        when it has one), cut to ``precision``."""
        code = precision_code(precision)
        array, wall = _timestamps("timestamp", values, code)
        self._set("TIMESTAMP", array, code, wall)

    def null(self, num: builtins.int = 1) -> None:
        """``num`` NULLs of no type: bound, they take the placeholder's type."""
        if not isinstance(num, builtins.int) or isinstance(num, builtins.bool) or num < 0:
            raise ProgrammingError(f"null(): the row count must be an int >= 0, not {num!r}")
        self._set("NULL", _pa().nulls(num))

    def __repr__(self) -> str:
        if self._array is None:
            return f"{type(self).__name__}(unset)"
        return f"{type(self).__name__}({_type_name(self.buffer_type)}, num={self.num})"


class TaosBind(TaosMultiBind):
    """One parameter of one row (``new_bind_params``). Its setters take one value; a list
    or tuple binds one value per row, as TDengine 3's taospy does."""

    __slots__ = ()


def new_bind_param() -> TaosBind:
    """One :class:`TaosBind`."""
    return TaosBind()


def new_bind_params(size: int) -> List[TaosBind]:
    """``size`` parameters of a row (or tags), each to be set with a typed setter."""
    return [TaosBind() for _ in range(_size(size))]


def new_multi_bind() -> TaosMultiBind:
    """One :class:`TaosMultiBind`."""
    return TaosMultiBind()


def new_multi_binds(size: int) -> List[TaosMultiBind]:
    """``size`` column parameters, each to be set with a list of values per row."""
    return [TaosMultiBind() for _ in range(_size(size))]


def _size(size: Any) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ProgrammingError(f"the parameter count must be an int >= 0, not {size!r}")
    return size


def bind_arrays(
    binds: Sequence[Any],
    what: str = "column",
    fields: Optional[Sequence[Any]] = None,
    timezone: Optional[str] = None,
) -> List[Any]:
    """The arrays of ``binds`` (:class:`TaosMultiBind`/:class:`TaosBind`, every one set), as
    the statement sends them; the statement converts each to its tag's or column's type
    where no value changes and checks counts and lengths. The NULLs of
    :meth:`TaosMultiBind.null` take the type of their field in ``fields`` (the prepared
    tags or columns, when known); wall-time timestamps are read in ``timezone`` (see
    :meth:`TaosMultiBind.array_in`)."""
    out = []
    for i, b in enumerate(binds):
        if not isinstance(b, TaosMultiBind):
            raise ProgrammingError(
                f"{what} {i}: expected a TaosBind/TaosMultiBind, got {type(b).__name__}"
            )
        if not b.is_set:
            raise ProgrammingError(f"{what} {i} was not set: call one of its setters first")
        if b.buffer_type == _NULL and fields is not None and i < len(fields):
            out.append(_pa().nulls(b.num, type=_arrow_type(fields[i])))
        else:
            out.append(b.array_in(timezone))
    return out
