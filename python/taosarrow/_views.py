"""taos-ws-py's value views: the ``*_to_tag`` and ``*_to_column`` builders and
``stmt2_bind_param_view``, for ``conn.stmt2_statement()``.

Each builder returns a view holding one pyarrow array of the Arrow type the Rust type table
gives the TDengine type (``_native.arrow_type``), built by one ``pa.array`` call over the
values given (no Python object per value)::

    stmt = conn.stmt2_statement()
    stmt.prepare("INSERT INTO ? USING meters TAGS (?, ?) VALUES (?, ?, ?)")
    stmt.bind([stmt2_bind_param_view(
        "d1",
        [int_to_tag(1), varchar_to_tag("sf")],
        [millis_timestamps_to_column([1_700_000_000_000, 1_700_000_001_000]),
         floats_to_column([10.2, 10.3]), ints_to_column([219, None])],
    )])
    stmt.execute()

Errors follow taos-ws-py: a value outside the type's range raises ``OverflowError``, a value
of the wrong kind ``TypeError`` (a ``str`` where a list is expected: ``ValueError``), a bad
DECIMAL value :class:`~taosarrow.ProgrammingError`.
"""

from __future__ import annotations

import decimal
import enum
import functools
from typing import Any, List, Optional, Sequence, Union

from . import _native
from ._timestamps import CODES
from .exceptions import InterfaceError, ProgrammingError
from .types import TYPE_NAMES

__all__ = [
    "PyPrecision",
    "PyTagView",
    "PyColumnView",
    "PyStmt2BindParam",
    "stmt2_bind_param_view",
    "bool_to_tag",
    "tiny_int_to_tag",
    "small_int_to_tag",
    "int_to_tag",
    "big_int_to_tag",
    "u_tiny_int_to_tag",
    "u_small_int_to_tag",
    "u_int_to_tag",
    "u_big_int_to_tag",
    "float_to_tag",
    "double_to_tag",
    "varchar_to_tag",
    "nchar_to_tag",
    "json_to_tag",
    "varbinary_to_tag",
    "geometry_to_tag",
    "timestamp_to_tag",
    "millis_timestamps_to_column",
    "micros_timestamps_to_column",
    "nanos_timestamps_to_column",
    "bools_to_column",
    "tiny_ints_to_column",
    "small_ints_to_column",
    "ints_to_column",
    "big_ints_to_column",
    "unsigned_tiny_ints_to_column",
    "unsigned_small_ints_to_column",
    "unsigned_ints_to_column",
    "unsigned_big_ints_to_column",
    "floats_to_column",
    "doubles_to_column",
    "decimal64_to_column",
    "decimal_to_column",
    "varchar_to_column",
    "nchar_to_column",
    "json_to_column",
    "binary_to_column",
    "varbinary_to_column",
    "geometry_to_column",
    "blob_to_column",
]


def _pa() -> Any:
    try:
        import pyarrow as pa
    except ImportError as exc:  # pragma: no cover - exercised without pyarrow only
        raise InterfaceError("the value views need pyarrow") from exc
    return pa


# -- type codes, from the Rust type table ----------------------------------------------------
_CODES = {name: code for code, name, _group, _ok in _native.type_table()}
BOOL = _CODES["BOOL"]
TINYINT = _CODES["TINYINT"]
SMALLINT = _CODES["SMALLINT"]
INT = _CODES["INT"]
BIGINT = _CODES["BIGINT"]
UTINYINT = _CODES["TINYINT UNSIGNED"]
USMALLINT = _CODES["SMALLINT UNSIGNED"]
UINT = _CODES["INT UNSIGNED"]
UBIGINT = _CODES["BIGINT UNSIGNED"]
FLOAT = _CODES["FLOAT"]
DOUBLE = _CODES["DOUBLE"]
VARCHAR = _CODES["VARCHAR"]
TIMESTAMP = _CODES["TIMESTAMP"]
NCHAR = _CODES["NCHAR"]
JSON = _CODES["JSON"]
VARBINARY = _CODES["VARBINARY"]
BLOB = _CODES["BLOB"]
GEOMETRY = _CODES["GEOMETRY"]
# Both DECIMAL codes print as "DECIMAL": the 16-byte one has the lower code (17), the
# 8-byte DECIMAL64 the higher (21).
DECIMAL, DECIMAL64 = sorted(code for code, name, _g, _ok in _native.type_table() if name == "DECIMAL")
#: The largest precision of each DECIMAL type.
_DECIMAL_DIGITS = {DECIMAL64: 18, DECIMAL: 38}
_DECIMAL_LABEL = {DECIMAL64: "decimal64", DECIMAL: "decimal"}


@functools.lru_cache(maxsize=None)
def arrow_type(type_code: int, precision: int = 0, scale: int = 0) -> Any:
    """The pyarrow type of values of a TDengine type (``precision``: the timestamp precision
    code, or a DECIMAL's precision; ``scale``: a DECIMAL's scale), from the Rust type table."""
    return _pa().field(_native.arrow_type(type_code, precision, scale)).type


class PyPrecision(enum.IntEnum):
    """A timestamp precision, as taos-ws-py names it; the values are TDengine's codes."""

    Milliseconds = 0
    Microseconds = 1
    Nanoseconds = 2


def _precision_code(precision: Any) -> int:
    if isinstance(precision, str):
        code = CODES.get(precision.lower())
        if code is not None:
            return code
        raise ValueError(f"unknown timestamp precision {precision!r}")
    try:
        return int(PyPrecision(int(precision)))
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"precision must be a PyPrecision (Milliseconds, Microseconds, Nanoseconds), "
            f"not {precision!r}"
        ) from exc


class _View:
    __slots__ = ("array", "type_code")

    def __init__(self, array: Any, type_code: int) -> None:
        #: The values: a pyarrow Array of the type's Arrow type.
        self.array = array
        #: The TDengine type code.
        self.type_code = type_code

    @property
    def type_name(self) -> str:
        """The TDengine type name, e.g. ``"INT"``."""
        name = TYPE_NAMES.get(self.type_code, str(self.type_code))
        t = self.array.type
        if name == "DECIMAL" and hasattr(t, "scale"):
            return f"{name}({t.precision}, {t.scale})"
        if name == "TIMESTAMP" and hasattr(t, "unit"):
            return f"{name}({t.unit})"
        return name

    def __len__(self) -> int:
        return len(self.array)

    def __arrow_c_array__(self, requested_schema: Any = None) -> Any:
        """Exports the values through the Arrow C data interface."""
        return self.array.__arrow_c_array__(requested_schema)


class PyTagView(_View):
    """One tag value (from a ``*_to_tag`` builder): ``array`` has length 1."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"PyTagView({self.type_name}, {self.array[0].as_py()!r})"


class PyColumnView(_View):
    """One column's values (from a ``*_to_column`` builder)."""

    __slots__ = ()

    def __repr__(self) -> str:
        n = len(self.array)
        return f"PyColumnView({self.type_name}, {n} row{'' if n == 1 else 's'})"


class PyStmt2BindParam:
    """One table's binding for ``TaosStmt2.bind``: its name, tag views and column views."""

    __slots__ = ("table_name", "tags", "columns")

    def __init__(
        self,
        table_name: Optional[str],
        tags: Optional[List[PyTagView]],
        columns: List[PyColumnView],
    ) -> None:
        self.table_name = table_name
        self.tags = tags
        self.columns = columns

    def __repr__(self) -> str:
        tags = None if self.tags is None else len(self.tags)
        return (
            f"PyStmt2BindParam(table_name={self.table_name!r}, tags={tags}, "
            f"columns={len(self.columns)})"
        )


def stmt2_bind_param_view(
    table_name: Optional[str],
    tags: Optional[Sequence[PyTagView]],
    columns: Sequence[PyColumnView],
) -> PyStmt2BindParam:
    """One table's data for ``TaosStmt2.bind``: ``table_name`` (``None`` or ``""`` when the
    SQL names the table), its tag views (``None`` when it has none) and its column views. For
    a query, ``columns`` holds one single-value view per ``?``."""
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence):
        raise TypeError("columns must be a list of PyColumnView")
    if len(columns) == 0:
        raise ProgrammingError("stmt2 columns cannot be empty")
    for c in columns:
        if not isinstance(c, PyColumnView):
            raise TypeError(f"columns must be PyColumnView values, not {type(c).__name__}")
    if tags is not None:
        if isinstance(tags, (str, bytes)) or not isinstance(tags, Sequence):
            raise TypeError("tags must be a list of PyTagView or None")
        for t in tags:
            if not isinstance(t, PyTagView):
                raise TypeError(f"tags must be PyTagView values, not {type(t).__name__}")
    if table_name is not None and not isinstance(table_name, str):
        raise TypeError(f"table_name must be a str or None, not {type(table_name).__name__}")
    return PyStmt2BindParam(table_name, None if tags is None else list(tags), list(columns))


# -- array builders --------------------------------------------------------------------------
def _values(values: Any, what: str) -> Any:
    """``values`` if it is a sequence of values (not text), as taos-ws-py requires."""
    if isinstance(values, (str, bytes, bytearray)):
        raise ValueError(f"{what}: expected a list of values, not {type(values).__name__}")
    return values


def _arrow_errors(pa: Any) -> tuple:
    return (pa.ArrowInvalid, pa.ArrowTypeError)


def _ints(values: Any, code: int, what: str) -> Any:
    """Integers (or bools): no floats, as taos-ws-py; out of range is ``OverflowError``."""
    pa = _pa()
    values = _values(values, what)
    try:
        arr = pa.array(values)
    except OverflowError:
        # Beyond int64: only BIGINT UNSIGNED can hold it.
        try:
            arr = pa.array(values, type=pa.uint64())
        except OverflowError as exc:
            raise OverflowError(f"{what}: value out of range ({exc})") from None
        except _arrow_errors(pa) as exc:
            raise TypeError(f"{what}: {exc}") from None
    except _arrow_errors(pa) as exc:
        raise TypeError(f"{what}: {exc}") from None
    t = arr.type
    if not (pa.types.is_integer(t) or pa.types.is_boolean(t) or pa.types.is_null(t)):
        raise TypeError(f"{what} takes integers (or None), not values of type {t}")
    target = arrow_type(code)
    try:
        return arr.cast(target, safe=True)
    except pa.ArrowInvalid as exc:
        raise OverflowError(f"{what}: value out of range for {TYPE_NAMES[code]} ({exc})") from None


def _typed(values: Any, target: Any, what: str) -> Any:
    pa = _pa()
    values = _values(values, what)
    try:
        return pa.array(values, type=target)
    except OverflowError as exc:
        raise OverflowError(f"{what}: {exc}") from None
    except _arrow_errors(pa) as exc:
        raise TypeError(f"{what}: {exc}") from None


def _floats(values: Any, code: int, what: str) -> Any:
    return _typed(values, arrow_type(code), what)


def _bools(values: Any, what: str) -> Any:
    return _typed(values, arrow_type(BOOL), what)


def _texts(values: Any, code: int, what: str) -> Any:
    return _typed(values, arrow_type(code), what)


def _bytes(values: Any, code: int, what: str) -> Any:
    return _typed(values, arrow_type(code), what)


def _timestamps(values: Any, precision: int, what: str) -> Any:
    arr = _ints(values, BIGINT, what)
    return arr.cast(arrow_type(TIMESTAMP, precision))


def _decimal_scale(v: decimal.Decimal) -> int:
    exponent = v.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _decimals(values: Any, code: int) -> Any:
    """DECIMAL values: ``decimal.Decimal`` or ``None``; the array's scale is the largest
    scale of the values, its precision the type's largest."""
    pa = _pa()
    label = _DECIMAL_LABEL[code]
    digits = _DECIMAL_DIGITS[code]
    values = _values(values, f"{label}_to_column")
    Decimal = decimal.Decimal
    for v in values:
        if v is not None and (not isinstance(v, Decimal) or not v.is_finite()):
            i = next(k for k, w in enumerate(values) if w is v)
            if not isinstance(v, Decimal):
                raise ProgrammingError(
                    f"expected decimal.Decimal or None, got {type(v).__name__} at index {i}"
                )
            raise ProgrammingError(f"decimal value must be finite, got '{v}' at index {i}")
    try:
        arr = pa.array(values)
        t = arr.type
        precision, scale = (t.precision, t.scale) if hasattr(t, "scale") else (1, 0)
    except _arrow_errors(pa):
        # Beyond what Arrow holds at all (e.g. 1E-100): find the culprit below.
        arr, precision, scale = None, digits + 1, digits + 1
    if scale > digits or precision > digits:
        for i, v in enumerate(values):
            if v is None:
                continue
            s = _decimal_scale(v)
            if s > digits:
                raise ProgrammingError(
                    f"{label} scale exceeds maximum {digits}: scale {s} at index {i} ({v})"
                )
            if len(v.as_tuple().digits) + max(0, v.as_tuple().exponent) > digits:
                raise ProgrammingError(
                    f"{label} precision exceeds maximum {digits}: "
                    f"{len(v.as_tuple().digits)} digits at index {i} ({v})"
                )
        raise ProgrammingError(f"{label} values exceed DECIMAL({digits}, {min(scale, digits)})")
    scale = max(scale, 0)
    return arr.cast(arrow_type(code, digits, scale))


# -- tags ----------------------------------------------------------------------------------
def bool_to_tag(value: Optional[bool]) -> PyTagView:
    """A BOOL tag (``None``: NULL)."""
    return PyTagView(_bools([value], "bool_to_tag"), BOOL)


def tiny_int_to_tag(value: Optional[int]) -> PyTagView:
    """A TINYINT tag."""
    return PyTagView(_ints([value], TINYINT, "tiny_int_to_tag"), TINYINT)


def small_int_to_tag(value: Optional[int]) -> PyTagView:
    """A SMALLINT tag."""
    return PyTagView(_ints([value], SMALLINT, "small_int_to_tag"), SMALLINT)


def int_to_tag(value: Optional[int]) -> PyTagView:
    """An INT tag."""
    return PyTagView(_ints([value], INT, "int_to_tag"), INT)


def big_int_to_tag(value: Optional[int]) -> PyTagView:
    """A BIGINT tag."""
    return PyTagView(_ints([value], BIGINT, "big_int_to_tag"), BIGINT)


def u_tiny_int_to_tag(value: Optional[int]) -> PyTagView:
    """A TINYINT UNSIGNED tag."""
    return PyTagView(_ints([value], UTINYINT, "u_tiny_int_to_tag"), UTINYINT)


def u_small_int_to_tag(value: Optional[int]) -> PyTagView:
    """A SMALLINT UNSIGNED tag."""
    return PyTagView(_ints([value], USMALLINT, "u_small_int_to_tag"), USMALLINT)


def u_int_to_tag(value: Optional[int]) -> PyTagView:
    """An INT UNSIGNED tag."""
    return PyTagView(_ints([value], UINT, "u_int_to_tag"), UINT)


def u_big_int_to_tag(value: Optional[int]) -> PyTagView:
    """A BIGINT UNSIGNED tag."""
    return PyTagView(_ints([value], UBIGINT, "u_big_int_to_tag"), UBIGINT)


def float_to_tag(value: Optional[float]) -> PyTagView:
    """A FLOAT tag (rounded to 32 bits)."""
    return PyTagView(_floats([value], FLOAT, "float_to_tag"), FLOAT)


def double_to_tag(value: Optional[float]) -> PyTagView:
    """A DOUBLE tag."""
    return PyTagView(_floats([value], DOUBLE, "double_to_tag"), DOUBLE)


def varchar_to_tag(value: Optional[str]) -> PyTagView:
    """A VARCHAR (BINARY) tag."""
    return PyTagView(_texts([value], VARCHAR, "varchar_to_tag"), VARCHAR)


def nchar_to_tag(value: Optional[str]) -> PyTagView:
    """An NCHAR tag."""
    return PyTagView(_texts([value], NCHAR, "nchar_to_tag"), NCHAR)


def json_to_tag(value: Optional[str]) -> PyTagView:
    """A JSON tag: the JSON text (an object, as TDengine requires)."""
    return PyTagView(_texts([value], JSON, "json_to_tag"), JSON)


def varbinary_to_tag(value: Optional[bytes]) -> PyTagView:
    """A VARBINARY tag."""
    return PyTagView(_bytes([value], VARBINARY, "varbinary_to_tag"), VARBINARY)


def geometry_to_tag(value: Optional[bytes]) -> PyTagView:
    """A GEOMETRY tag: WKB bytes."""
    return PyTagView(_bytes([value], GEOMETRY, "geometry_to_tag"), GEOMETRY)


def timestamp_to_tag(value: Optional[int], precision: Union[PyPrecision, int, str]) -> PyTagView:
    """A TIMESTAMP tag: ``value`` ticks since the epoch in ``precision`` (a
    :class:`PyPrecision`)."""
    code = _precision_code(precision)
    return PyTagView(_timestamps([value], code, "timestamp_to_tag"), TIMESTAMP)


# -- columns -------------------------------------------------------------------------------
def millis_timestamps_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A TIMESTAMP column of milliseconds since the epoch."""
    return PyColumnView(
        _timestamps(values, PyPrecision.Milliseconds, "millis_timestamps_to_column"), TIMESTAMP
    )


def micros_timestamps_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A TIMESTAMP column of microseconds since the epoch."""
    return PyColumnView(
        _timestamps(values, PyPrecision.Microseconds, "micros_timestamps_to_column"), TIMESTAMP
    )


def nanos_timestamps_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A TIMESTAMP column of nanoseconds since the epoch."""
    return PyColumnView(
        _timestamps(values, PyPrecision.Nanoseconds, "nanos_timestamps_to_column"), TIMESTAMP
    )


def bools_to_column(values: Sequence[Optional[bool]]) -> PyColumnView:
    """A BOOL column."""
    return PyColumnView(_bools(values, "bools_to_column"), BOOL)


def tiny_ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A TINYINT column."""
    return PyColumnView(_ints(values, TINYINT, "tiny_ints_to_column"), TINYINT)


def small_ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A SMALLINT column."""
    return PyColumnView(_ints(values, SMALLINT, "small_ints_to_column"), SMALLINT)


def ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """An INT column."""
    return PyColumnView(_ints(values, INT, "ints_to_column"), INT)


def big_ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A BIGINT column."""
    return PyColumnView(_ints(values, BIGINT, "big_ints_to_column"), BIGINT)


def unsigned_tiny_ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A TINYINT UNSIGNED column."""
    return PyColumnView(_ints(values, UTINYINT, "unsigned_tiny_ints_to_column"), UTINYINT)


def unsigned_small_ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A SMALLINT UNSIGNED column."""
    return PyColumnView(_ints(values, USMALLINT, "unsigned_small_ints_to_column"), USMALLINT)


def unsigned_ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """An INT UNSIGNED column."""
    return PyColumnView(_ints(values, UINT, "unsigned_ints_to_column"), UINT)


def unsigned_big_ints_to_column(values: Sequence[Optional[int]]) -> PyColumnView:
    """A BIGINT UNSIGNED column."""
    return PyColumnView(_ints(values, UBIGINT, "unsigned_big_ints_to_column"), UBIGINT)


def floats_to_column(values: Sequence[Optional[float]]) -> PyColumnView:
    """A FLOAT column (values rounded to 32 bits)."""
    return PyColumnView(_floats(values, FLOAT, "floats_to_column"), FLOAT)


def doubles_to_column(values: Sequence[Optional[float]]) -> PyColumnView:
    """A DOUBLE column."""
    return PyColumnView(_floats(values, DOUBLE, "doubles_to_column"), DOUBLE)


def decimal64_to_column(values: Sequence[Optional[decimal.Decimal]]) -> PyColumnView:
    """A DECIMAL64 column (at most 18 digits) of ``decimal.Decimal`` values; its scale is the
    largest scale among them. Bound to a column of smaller scale, values are rounded half
    away from zero, as TDengine rounds."""
    return PyColumnView(_decimals(values, DECIMAL64), DECIMAL64)


def decimal_to_column(values: Sequence[Optional[decimal.Decimal]]) -> PyColumnView:
    """A DECIMAL column (at most 38 digits) of ``decimal.Decimal`` values; its scale is the
    largest scale among them. Bound to a column of smaller scale, values are rounded half
    away from zero, as TDengine rounds."""
    return PyColumnView(_decimals(values, DECIMAL), DECIMAL)


def varchar_to_column(values: Sequence[Optional[str]]) -> PyColumnView:
    """A VARCHAR column."""
    return PyColumnView(_texts(values, VARCHAR, "varchar_to_column"), VARCHAR)


def nchar_to_column(values: Sequence[Optional[str]]) -> PyColumnView:
    """An NCHAR column."""
    return PyColumnView(_texts(values, NCHAR, "nchar_to_column"), NCHAR)


def json_to_column(values: Sequence[Optional[str]]) -> PyColumnView:
    """A JSON column (TDengine allows JSON only as a tag; this is for symmetry with
    taos-ws-py)."""
    return PyColumnView(_texts(values, JSON, "json_to_column"), JSON)


def binary_to_column(values: Sequence[Optional[str]]) -> PyColumnView:
    """A BINARY column: BINARY is VARCHAR in TDengine 3, so this takes ``str`` values."""
    return PyColumnView(_texts(values, VARCHAR, "binary_to_column"), VARCHAR)


def varbinary_to_column(values: Sequence[Optional[bytes]]) -> PyColumnView:
    """A VARBINARY column."""
    return PyColumnView(_bytes(values, VARBINARY, "varbinary_to_column"), VARBINARY)


def geometry_to_column(values: Sequence[Optional[bytes]]) -> PyColumnView:
    """A GEOMETRY column of WKB bytes."""
    return PyColumnView(_bytes(values, GEOMETRY, "geometry_to_column"), GEOMETRY)


def blob_to_column(values: Sequence[Optional[bytes]]) -> PyColumnView:
    """A BLOB column."""
    return PyColumnView(_bytes(values, BLOB, "blob_to_column"), BLOB)
