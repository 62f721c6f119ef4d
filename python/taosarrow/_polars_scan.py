"""SQL generation for ``scan_polars``: polars projection, predicates and ``n_rows`` → SELECT.

The predicate polars hands to an IO source is walked through its JSON serialization. Every
conjunct that maps onto a plain SQL comparison (``= != < <= > >=``, ``is_between``, ``is_in``,
``is_null``/``is_not_null``, ``~``, ``&``, ``|``) on a column and a literal goes into ``WHERE``;
the rest is left to polars. The source always applies the full predicate to the batches it
yields, so a conjunct that is pushed down is simply checked twice.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import struct
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from . import _native
from ._params import quote

__all__ = ["quote_ident", "translate", "predicate_sql", "build_select"]

_OPS = {"Eq": "=", "NotEq": "<>", "Lt": "<", "LtEq": "<=", "Gt": ">", "GtEq": ">="}
_FLIP = {"Eq": "Eq", "NotEq": "NotEq", "Lt": "Gt", "LtEq": "GtEq", "Gt": "Lt", "GtEq": "LtEq"}
# polars' serialized time units → nanoseconds per tick.
_UNIT_NS = {
    "Nanoseconds": _native.NANOS_PER_TICK["ns"],
    "Microseconds": _native.NANOS_PER_TICK["us"],
    "Milliseconds": _native.NANOS_PER_TICK["ms"],
}
_NUMERIC_SCALARS = {
    "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Float32", "Float64",
}


class _NoPush(Exception):
    """This part of the predicate stays with polars."""


def quote_ident(name: str) -> str:
    """A back-quoted identifier (TDengine's quoting, back quotes inside doubled); a NUL,
    which would end TDengine's statement text, is refused."""
    if "\x00" in name:
        raise ValueError(f"cannot quote the identifier {name!r}")
    return _native.quote_ident(name)


class _Ctx:
    def __init__(self, columns: Dict[str, Any], ts_unit_ns: Dict[str, int]) -> None:
        self.columns = columns  # name → polars dtype (for literals)
        self.ts_unit_ns = ts_unit_ns  # timestamp column → ns per tick


def _column(node: Any, ctx: _Ctx) -> str:
    if isinstance(node, dict) and "Column" in node and isinstance(node["Column"], str):
        name = node["Column"]
        if name in ctx.columns:
            return name
    raise _NoPush


def _literal_value(node: Any, column: str, ctx: _Ctx) -> str:
    if not (isinstance(node, dict) and "Literal" in node):
        raise _NoPush
    lit = node["Literal"]
    if "Dyn" in lit:
        (kind, value), = lit["Dyn"].items()
        if kind in ("Int", "Float") and not isinstance(value, bool):
            return _number(value, column, ctx, "Dyn")
        if kind == "Str" and isinstance(value, str):
            return quote(value)
        raise _NoPush
    if "Scalar" in lit:
        (kind, value), = lit["Scalar"].items() if isinstance(lit["Scalar"], dict) else (("?", None),)
        if kind in _NUMERIC_SCALARS:
            return _number(value, column, ctx, kind)
        if kind == "Boolean" and isinstance(value, bool):
            return quote(value)
        if kind == "String" and isinstance(value, str):
            return quote(value)
        if kind == "Datetime" and isinstance(value, list) and len(value) == 3:
            return _timestamp(value[0], value[1], column, ctx)
        raise _NoPush
    raise _NoPush


def _number(value: Any, column: str, ctx: _Ctx, kind: str) -> str:
    """The SQL literal for comparing ``column`` with a numeric polars literal of ``kind``
    (``"Dyn"`` for a dynamic literal such as ``pl.col("f") == 0.1``, else its dtype name).

    The server compares a FLOAT column with a literal in double precision, while polars
    casts a dynamic literal to the column's ``Float32`` first: for such a column the literal
    sent is that ``Float32`` value, written exactly. When a ``Float32`` column or a
    ``Float32`` literal meets a typed literal, the literal is sent only when ``Float32``
    holds it exactly: comparing in single or in double precision then agree.
    """
    if column in ctx.ts_unit_ns or isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _NoPush
    float32_column = _is_float32(ctx.columns.get(column))
    if kind == "Dyn" and float32_column:
        return quote(_float32(value))
    if (float32_column or kind == "Float32") and _float32(value) != value:
        raise _NoPush
    return quote(value)


def _is_float32(dtype: Any) -> bool:
    import polars as pl

    return dtype is not None and dtype == pl.Float32


def _float32(value: Any) -> float:
    """``value`` rounded once to the nearest ``Float32`` (as polars casts it); not pushed when
    that is not finite or would round twice (an integer beyond 2**53)."""
    if isinstance(value, int) and abs(value) > 2**53:
        raise _NoPush
    try:
        single: float = struct.unpack("<f", struct.pack("<f", float(value)))[0]
    except (OverflowError, struct.error):
        raise _NoPush from None
    if not math.isfinite(single):
        raise _NoPush
    return single


def _timestamp(ticks: Any, unit: str, column: str, ctx: _Ctx) -> str:
    col_ns = ctx.ts_unit_ns.get(column)
    lit_ns = _UNIT_NS.get(unit)
    if col_ns is None or lit_ns is None or not isinstance(ticks, int):
        raise _NoPush
    total_ns = ticks * lit_ns
    if total_ns % col_ns:
        raise _NoPush  # not representable exactly at the column's precision
    return str(total_ns // col_ns)


def _list_values(node: Any) -> List[Any]:
    if not (isinstance(node, dict) and "Literal" in node):
        raise _NoPush
    scalar = node["Literal"].get("Scalar")
    if not (isinstance(scalar, dict) and isinstance(scalar.get("List"), list)):
        raise _NoPush
    import polars as pl

    frame = pl.read_ipc_stream(io.BytesIO(bytes(scalar["List"])))
    if frame.width != 1:
        raise _NoPush
    series = frame.to_series()
    if series.dtype.is_temporal():
        raise _NoPush
    return series.to_list()


def _walk(node: Any, ctx: _Ctx) -> str:
    if not isinstance(node, dict) or len(node) != 1:
        raise _NoPush
    (kind, body), = node.items()
    if kind == "BinaryExpr":
        op = body["op"]
        if op in ("And", "LogicalAnd"):
            return f"({_walk(body['left'], ctx)} AND {_walk(body['right'], ctx)})"
        if op in ("Or", "LogicalOr"):
            return f"({_walk(body['left'], ctx)} OR {_walk(body['right'], ctx)})"
        if op in _OPS:
            left, right = body["left"], body["right"]
            if isinstance(left, dict) and "Literal" in left:
                left, right, op = right, left, _FLIP[op]
            col = _column(left, ctx)
            return f"{quote_ident(col)} {_OPS[op]} {_literal_value(right, col, ctx)}"
        raise _NoPush
    if kind == "Function":
        func, args = body["function"], body["input"]
        boolean = func.get("Boolean") if isinstance(func, dict) else None
        if boolean == "Not" and len(args) == 1:
            return f"(NOT {_walk(args[0], ctx)})"
        if boolean in ("IsNull", "IsNotNull") and len(args) == 1:
            col = _column(args[0], ctx)
            return f"{quote_ident(col)} IS {'NOT ' if boolean == 'IsNotNull' else ''}NULL"
        if isinstance(boolean, dict) and "IsBetween" in boolean and len(args) == 3:
            col = _column(args[0], ctx)
            lo, hi = _literal_value(args[1], col, ctx), _literal_value(args[2], col, ctx)
            closed = boolean["IsBetween"].get("closed", "Both")
            lo_op = ">=" if closed in ("Both", "Left") else ">"
            hi_op = "<=" if closed in ("Both", "Right") else "<"
            q = quote_ident(col)
            return f"({q} {lo_op} {lo} AND {q} {hi_op} {hi})"
        if isinstance(boolean, dict) and "IsIn" in boolean and len(args) == 2:
            col = _column(args[0], ctx)
            if col in ctx.ts_unit_ns:
                raise _NoPush
            values = _list_values(args[1])
            if not values or any(v is None for v in values):
                raise _NoPush  # SQL IN never matches NULL; leave such lists to polars
            if _is_float32(ctx.columns.get(col)) and any(
                isinstance(v, bool) or not isinstance(v, (int, float)) or _float32(v) != v
                for v in values
            ):
                raise _NoPush  # only values Float32 holds exactly compare alike both ways
            return f"{quote_ident(col)} IN ({', '.join(quote(v) for v in values)})"
        raise _NoPush
    raise _NoPush


def _conjuncts(node: Any) -> Iterable[Any]:
    if (
        isinstance(node, dict)
        and "BinaryExpr" in node
        and node["BinaryExpr"].get("op") in ("And", "LogicalAnd")
    ):
        yield from _conjuncts(node["BinaryExpr"]["left"])
        yield from _conjuncts(node["BinaryExpr"]["right"])
    else:
        yield node


def translate(predicate: Any, schema: Dict[str, Any]) -> Tuple[Optional[str], bool]:
    """``(SQL condition of the pushable conjuncts or None, whether every conjunct was pushed)``.

    ``schema`` maps column names to polars dtypes (timestamp columns need their unit).
    """
    if predicate is None:
        return None, True
    import polars as pl

    tree = json.loads(predicate.meta.serialize(format="json"))
    ts_units: Dict[str, int] = {}
    for name, dtype in schema.items():
        if isinstance(dtype, pl.Datetime):
            ts_units[name] = _native.NANOS_PER_TICK[dtype.time_unit or "us"]
    ctx = _Ctx(dict(schema), ts_units)
    parts: List[str] = []
    complete = True
    for conjunct in _conjuncts(tree):
        try:
            parts.append(_walk(conjunct, ctx))
        except (_NoPush, KeyError, TypeError, ValueError):
            complete = False
    return (" AND ".join(parts) if parts else None), complete


def predicate_sql(predicate: Any, schema: Dict[str, Any]) -> Optional[str]:
    """The SQL condition for the pushable conjuncts of a polars predicate, or ``None``."""
    return translate(predicate, schema)[0]


def build_select(
    source: str,
    columns: Optional[Sequence[str]],
    where: Optional[str],
    limit: Optional[int],
    is_query: bool,
) -> str:
    """``SELECT <columns> FROM <source> [WHERE …] [LIMIT n]``.

    ``source`` is a table name (quoted here, ``db.table`` allowed) or, when ``is_query``, a
    query used as a sub-query.
    """
    cols = "*" if columns is None else ", ".join(quote_ident(c) for c in columns)
    if is_query:
        frm = f"({source})"
    else:
        if "\x00" in source:
            raise ValueError(f"cannot quote the table name {source!r}")
        frm = _native.quote_table(source)
    sql = f"SELECT {cols} FROM {frm}"
    if where:
        sql += f" WHERE {where}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql
