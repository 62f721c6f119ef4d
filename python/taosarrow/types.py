"""PEP 249 type objects and constructors.

``Cursor.description`` reports TDengine type codes (``int``). The type objects below compare
equal to every code of their group, so ``description[i][1] == NUMBER`` works as PEP 249 asks.
The names and groups come from the Rust type table (``_native.type_table()``).
"""

from __future__ import annotations

import datetime as _dt
import time as _time
from typing import Dict, FrozenSet, Tuple

from . import _native

__all__ = [
    "DBAPITypeObject",
    "STRING",
    "BINARY",
    "NUMBER",
    "DATETIME",
    "ROWID",
    "Date",
    "Time",
    "Timestamp",
    "DateFromTicks",
    "TimeFromTicks",
    "TimestampFromTicks",
    "Binary",
    "TYPE_NAMES",
]

#: Every TDengine type as ``(type_code, name, group, supported)``, from the Rust type table.
_TABLE = _native.type_table()

#: TDengine type code → the name TDengine prints.
TYPE_NAMES: Dict[int, str] = {code: name for code, name, _group, _ok in _TABLE}


def _codes(group: str) -> Tuple[int, ...]:
    """The type codes of one PEP 249 group in the Rust type table."""
    return tuple(code for code, _name, g, _ok in _TABLE if g == group)


class DBAPITypeObject:
    """A group of TDengine type codes that compares equal to each of its members."""

    def __init__(self, name: str, *codes: int) -> None:
        self.name = name
        self.codes: FrozenSet[int] = frozenset(codes)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self.codes == other.codes
        if isinstance(other, int) and not isinstance(other, bool):
            return other in self.codes
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self.codes)

    def __repr__(self) -> str:
        return f"<DBAPITypeObject {self.name}>"


#: Text: VARCHAR/BINARY, NCHAR, JSON.
STRING = DBAPITypeObject("STRING", *_codes("STRING"))
#: Raw bytes: VARBINARY, BLOB, MEDIUMBLOB, GEOMETRY (WKB).
BINARY = DBAPITypeObject("BINARY", *_codes("BINARY"))
#: Numbers: BOOL, the signed and unsigned integers, FLOAT, DOUBLE, the DECIMAL types.
NUMBER = DBAPITypeObject("NUMBER", *_codes("NUMBER"))
#: TIMESTAMP.
DATETIME = DBAPITypeObject("DATETIME", *_codes("DATETIME"))
#: TDengine has no row id type; nothing compares equal to it.
ROWID = DBAPITypeObject("ROWID")

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime


def DateFromTicks(ticks: float) -> _dt.date:
    """A date from seconds since the epoch, in local time (PEP 249)."""
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:
    """A time of day from seconds since the epoch, in local time (PEP 249)."""
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:
    """A timestamp from seconds since the epoch, in local time (PEP 249)."""
    return Timestamp(*_time.localtime(ticks)[:6])


def Binary(value) -> bytes:  # noqa: N802 - the name PEP 249 requires
    """A binary value (PEP 249)."""
    return bytes(value)
