"""taosarrow: an Apache-Arrow-native connector for TDengine.

PEP 249 (``connect``, ``Connection``, ``Cursor``) plus Arrow, pandas and polars reads::

    import taosarrow
    with taosarrow.connect("ws://root:taosdata@localhost:6041/db") as conn:
        df = taosarrow.read_pandas("SELECT * FROM meters", conn)
"""

from __future__ import annotations

from ._native import __version__
from .connection import Connection, connect
from .result import TaosBlocks, TaosField, TaosFields, TaosResult, TaosRow, TaosRows
from .cursor import Cursor
from . import error, utils
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
    ConsumerException,
    DatabaseError,
    DataError,
    DataTypeAndRangeError,
    Error,
    FetchError,
    IngestInterrupted,
    IntegrityError,
    InterfaceError,
    InternalError,
    LinesError,
    NotSupportedError,
    OperationalError,
    OperationalQueryError,
    PrecisionError,
    ProgrammingError,
    QueryError,
    ResultError,
    SchemalessError,
    StatementError,
    TmqError,
    Warning,
)
from . import tmq
from .tmq import Consumer, Message, TopicPartition
from .reads import read_arrow, read_pandas, read_polars, scan_polars
from . import _views
from ._views import *  # noqa: F401,F403 - taos-ws-py's value views and builders
from . import bind2, statement2
from .statement import IGNORE, BindTable
from .statement2 import TaosStmt2, TaosStmt2Option
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

from .utils import IS_V3  # noqa: E402

#: taospy's name of the connection class.
TaosConnection = Connection
#: taospy's name of the cursor class.
TaosCursor = Cursor

#: PEP 249 module globals.
apilevel = "2.0"
threadsafety = 2
paramstyle = "qmark"

__all__ = [
    "__version__",
    "IS_V3",
    "TaosConnection",
    "TaosCursor",
    "TaosFields",
    "TaosRow",
    "TaosRows",
    "TaosBlocks",
    "error",
    "utils",
    "OperationalQueryError",
    "FetchError",
    "ConsumerException",
    "LinesError",
    "DataTypeAndRangeError",
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
    "Consumer",
    "Message",
    "TopicPartition",
    "tmq",
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
    "TaosStmt2",
    "TaosStmt2Option",
    "BindTable",
    "IGNORE",
    *_views.__all__,
]
