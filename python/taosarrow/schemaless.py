"""Schemaless writing: InfluxDB line protocol, OpenTSDB telnet and OpenTSDB JSON.

The protocol and precision constants carry taospy's names and values, plus the names
taos-ws-py and the TDengine documentation use, as aliases of the same members::

    SmlProtocol.LINE_PROTOCOL is SmlProtocol.Line is PySchemalessProtocol.Line  # 1
    SmlPrecision.MILLI_SECONDS is SmlPrecision.Millisecond                       # 4

``Connection.schemaless_insert`` also takes plain ints and names (``"line"``, ``"ms"``).
"""

from __future__ import annotations

import enum
from typing import Any, Optional, Tuple, Union


__all__ = [
    "SmlProtocol",
    "SmlPrecision",
    "PySchemalessProtocol",
    "PySchemalessPrecision",
    "schemaless_insert",
]


class SmlProtocol(enum.IntEnum):
    """Schemaless protocols (taospy's ``taos.SmlProtocol``; taos-ws-py's names as aliases)."""

    UNKNOWN_PROTOCOL = 0
    LINE_PROTOCOL = 1
    TELNET_PROTOCOL = 2
    JSON_PROTOCOL = 3
    # taos-ws-py (``PySchemalessProtocol``) names.
    Unknown = 0
    Line = 1
    Telnet = 2
    Json = 3


class SmlPrecision(enum.IntEnum):
    """Line-protocol timestamp units (taospy's ``taos.SmlPrecision``, TDengine's
    ``TSDB_SML_TIMESTAMP_*``); the documentation's and taos-ws-py's names are aliases."""

    NOT_CONFIGURED = 0
    HOURS = 1
    MINUTES = 2
    SECONDS = 3
    MILLI_SECONDS = 4
    MICRO_SECONDS = 5
    NANO_SECONDS = 6
    # The documentation's (and taos-ws-py's ``PySchemalessPrecision``) names.
    NotConfigured = 0
    NonConfigured = 0
    Hour = 1
    Minute = 2
    Second = 3
    Millisecond = 4
    Microsecond = 5
    Nanosecond = 6


#: taos-ws-py's name for :class:`SmlProtocol` (``PySchemalessProtocol.Line`` …).
PySchemalessProtocol = SmlProtocol
#: taos-ws-py's name for :class:`SmlPrecision` (``PySchemalessPrecision.Millisecond`` …).
PySchemalessPrecision = SmlPrecision

ProtocolArg = Union[SmlProtocol, int, str, Any]
PrecisionArg = Union[SmlPrecision, int, str, None, Any]


def _as_arrow(lines: Any) -> Any:
    """A pandas Series as a pyarrow array; anything else as it is."""
    if hasattr(lines, "__arrow_c_array__") or hasattr(lines, "__arrow_c_stream__"):
        return lines
    module = type(lines).__module__.split(".", 1)[0]
    if module == "pandas":
        import pyarrow as pa

        return pa.array(lines, from_pandas=True)
    if module == "polars":
        return lines.to_arrow()
    return lines


def schemaless_insert(
    native_connection: Any,
    lines: Any,
    protocol: ProtocolArg,
    precision: PrecisionArg = None,
    req_id: Optional[int] = None,
    ttl: Optional[int] = None,
    table_name_key: Optional[str] = None,
) -> Tuple[int, int]:
    """``(affected_rows, total_rows)``; see ``Connection.schemaless_insert``."""
    return native_connection.schemaless_insert(
        _as_arrow(lines),
        protocol,
        precision,
        ttl=ttl,
        req_id=req_id,
        table_name_key=table_name_key,
    )
