"""Timestamp precisions as taospy names them (``PrecisionEnum``), for the stmt binders.

The codes are TDengine's database precision codes (0 ms, 1 µs, 2 ns); their unit names
come from the native ``PRECISION_NAMES`` table (through :mod:`taosarrow._timestamps`).
"""

from __future__ import annotations

import enum
import numbers
from typing import Any

from ._timestamps import CODES, UNITS
from .exceptions import PrecisionError

__all__ = ["PrecisionEnum", "PrecisionError", "precision_code"]


class PrecisionEnum(enum.IntEnum):
    """The unit of a bound timestamp: ``timestamp(value, PrecisionEnum.Microseconds)``.

    Members are ints (0, 1, 2), so code passing the plain numbers works too."""

    Milliseconds = 0
    Microseconds = 1
    Nanoseconds = 2


def precision_code(precision: Any) -> int:
    """The precision code (0 ms, 1 µs, 2 ns) of a :class:`PrecisionEnum` member, an int
    0-2 or a unit name (``"ms"``, ``"us"``, ``"ns"``); :class:`PrecisionError` otherwise."""
    if isinstance(precision, str):
        code = CODES.get(precision.lower())
        if code is not None:
            return code
    elif isinstance(precision, numbers.Integral) and not isinstance(precision, bool):
        if int(precision) in UNITS:
            return int(precision)
    raise PrecisionError(
        f"unknown timestamp precision {precision!r}: use PrecisionEnum.Milliseconds (0), "
        "Microseconds (1) or Nanoseconds (2)"
    )
