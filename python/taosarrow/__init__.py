"""taosarrow: an Apache-Arrow-native connector for TDengine.

PEP 249 (``connect``, ``Connection``, ``Cursor``) plus Arrow, pandas and polars reads::

    import taosarrow
    with taosarrow.connect("ws://root:taosdata@localhost:6041/db") as conn:
        df = taosarrow.read_pandas("SELECT * FROM meters", conn)
"""

from __future__ import annotations

from ._native import __version__
from .connection import Connection, connect
from .result import TaosField, TaosResult
from .cursor import Cursor
from .bind import (
    TaosBind,
    TaosMultiBind,
    new_bind_param,
    new_bind_params,
    new_multi_bind,
    new_multi_binds,
)
from .precision import PrecisionEnum
from .taos_stmt import TaosStmt
from .exceptions import (
    ConnectionError,
    DatabaseError,
    DataError,
    Error,
    IngestInterrupted,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PrecisionError,
    ProgrammingError,
    QueryError,
    ResultError,
    SchemalessError,
    StatementError,
    TmqError,
    Warning,
)
from .reads import read_arrow, read_pandas, read_polars, scan_polars
from .schemaless import PySchemalessPrecision, PySchemalessProtocol, SmlPrecision, SmlProtocol
from .types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)

#: PEP 249 module globals.
apilevel = "2.0"
threadsafety = 2
paramstyle = "qmark"

__all__ = [
    "__version__",
    "apilevel",
    "threadsafety",
    "paramstyle",
    "connect",
    "Connection",
    "Cursor",
    "TaosResult",
    "TaosField",
    "read_arrow",
    "read_pandas",
    "read_polars",
    "scan_polars",
    "SmlProtocol",
    "SmlPrecision",
    "new_bind_param",
    "new_bind_params",
    "new_multi_bind",
    "new_multi_binds",
    "TaosBind",
    "TaosMultiBind",
    "TaosStmt",
    "PrecisionEnum",
    "PySchemalessProtocol",
    "PySchemalessPrecision",
    "Warning",
    "Error",
    "InterfaceError",
    "DatabaseError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "ConnectionError",
    "QueryError",
    "IngestInterrupted",
    "StatementError",
    "ResultError",
    "SchemalessError",
    "TmqError",
    "PrecisionError",
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
]
