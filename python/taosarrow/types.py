"""PEP 249 type objects and constructors.

``Cursor.description`` reports TDengine type codes (``int``). The type objects below compare
equal to every code of their group, so ``description[i][1] == NUMBER`` works as PEP 249 asks.
"""

from __future__ import annotations

import datetime as _dt
import time as _time
from typing import FrozenSet

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

#: TDengine type code → the name TDengine prints.
TYPE_NAMES = {
    0: "NULL",
    1: "BOOL",
    2: "TINYINT",
    3: "SMALLINT",
    4: "INT",
    5: "BIGINT",
    6: "FLOAT",
    7: "DOUBLE",
    8: "VARCHAR",
    9: "TIMESTAMP",
    10: "NCHAR",
    11: "TINYINT UNSIGNED",
    12: "SMALLINT UNSIGNED",
    13: "INT UNSIGNED",
    14: "BIGINT UNSIGNED",
    15: "JSON",
    16: "VARBINARY",
    17: "DECIMAL",
    18: "BLOB",
    19: "MEDIUMBLOB",
    20: "GEOMETRY",
    21: "DECIMAL",
}


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
STRING = DBAPITypeObject("STRING", 8, 10, 15)
#: Raw bytes: VARBINARY, BLOB, GEOMETRY (WKB).
BINARY = DBAPITypeObject("BINARY", 16, 18, 19, 20)
#: Numbers: BOOL, the signed and unsigned integers, FLOAT, DOUBLE, the DECIMAL types.
NUMBER = DBAPITypeObject("NUMBER", 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 17, 21)
#: TIMESTAMP.
DATETIME = DBAPITypeObject("DATETIME", 9)
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
