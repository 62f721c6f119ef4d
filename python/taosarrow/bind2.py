"""What programs import from taospy's ``taos.bind2``: :class:`BindTable`, the
partial-update marker ``IGNORE`` and its helpers, and ``datetime_to_timestamp``.

taospy's ctypes bind structures (``TaosStmt2Bind``, ``new_stmt2_binds``, ``new_bindv``) have
no counterpart: values are bound as Arrow arrays (see :mod:`taosarrow.statement`).
"""

from __future__ import annotations

import ctypes
from typing import Any

from ._timestamps import seconds_ticks
from .statement import IGNORE, BindTable, IgnoreUpdateType, datetime_ticks
from .statement2 import PrecisionEnum

__all__ = [
    "BindTable",
    "IGNORE",
    "IgnoreUpdateType",
    "IS_NULL_TYPE_FALSE",
    "IS_NULL_TYPE_TRUE",
    "IS_NULL_TYPE_IGNORE",
    "get_is_null_type",
    "datetime_to_timestamp",
    "PrecisionEnum",
]

#: taospy's ``is_null`` states of a bound value.
IS_NULL_TYPE_FALSE = 0
IS_NULL_TYPE_TRUE = 1
IS_NULL_TYPE_IGNORE = 2

#: The BIGINT NULL sentinel taospy returns for a NULL timestamp.
_BIGINT_NULL = -(2**63)


def get_is_null_type(value: Any) -> int:
    """``IS_NULL_TYPE_IGNORE`` for :data:`IGNORE`, ``IS_NULL_TYPE_TRUE`` for ``None``,
    otherwise ``IS_NULL_TYPE_FALSE``."""
    if isinstance(value, IgnoreUpdateType) and value == IGNORE:
        return IS_NULL_TYPE_IGNORE
    if value is None:
        return IS_NULL_TYPE_TRUE
    return IS_NULL_TYPE_FALSE


def datetime_to_timestamp(value: Any, precision: Any, is_null_type: int = 0) -> ctypes.c_int64:
    """The ticks of ``value`` in ``precision`` (a :data:`PrecisionEnum` value) as a
    ``ctypes.c_int64``, as taospy returns them: ints are ticks already, a ``datetime`` or
    ISO 8601 text is converted exactly (naive: local time; finer parts than the precision
    dropped), a float is seconds (rounded to the nearest tick; NaN, infinities and ticks
    beyond 64 bits raise ``ValueError``). ``None`` (or ``is_null_type > 0``) gives the NULL
    sentinel."""
    if is_null_type > 0 or value is None:
        return ctypes.c_int64(_BIGINT_NULL)
    if isinstance(value, ctypes.c_int64):
        return value
    code = int(PrecisionEnum(int(precision)))
    if isinstance(value, float):
        return ctypes.c_int64(seconds_ticks(value, code))
    return ctypes.c_int64(datetime_ticks(value, code))
