"""The PEP 249 exception tree, with the classes taospy and taos-ws-py users know inside it.

Every class carries ``errno`` and ``msg``, as taospy's do: ``errno`` is TDengine's 32-bit error
code in taospy's signed form, ``0x80000000 | code`` as a signed ``int`` (code ``0x2600`` gives
``-2147473920``; ``errno & 0xFFFF`` is the code), or ``None`` when the error has no TDengine
code (a mistake caught in Python); ``msg`` is the server's text. ``str(e)`` is
``[0x2600]: <msg>`` (the low 16 bits), or just the message without a code.

Where the errors come from:

- a SQL statement the server refuses: :class:`QueryError` (a :class:`ProgrammingError`, which
  taospy raises for every refused query, and taos-ws-py's ``QueryError``); when the code says
  the server could not run it now (network, memory, a killed query, a vnode or leader not
  ready, too many requests), :class:`OperationalQueryError`, which is also an
  :class:`OperationalError`;
- connecting, authenticating, a lost connection or a timeout: :class:`ConnectionError`;
- stmt2 / prepared statements: :class:`StatementError`; schemaless writes:
  :class:`SchemalessError`; subscriptions: :class:`TmqError` (taos-ws-py's
  ``ConsumerException`` is the same class); a malformed result: :class:`ResultError`
  (taos-ws-py's ``FetchError`` is the same class); misuse of the API and bad options:
  :class:`InterfaceError`.

The native module looks these classes up by name; the table from client errors and server
codes to classes is in one place, on the Rust side (``class_for`` in the PyO3 glue).
"""

from __future__ import annotations

from typing import List, Optional, Tuple

__all__ = [
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
    "StatementError",
    "ResultError",
    "SchemalessError",
    "TmqError",
    "PrecisionError",
    "IngestInterrupted",
    "OperationalQueryError",
    "FetchError",
    "ConsumerException",
    "LinesError",
    "DataTypeAndRangeError",
    "errno_code",
]


def errno_code(errno: Optional[int]) -> Optional[int]:
    """The 16-bit TDengine code of an ``errno`` (``-2147473920`` → ``0x2600``), or ``None``."""
    return None if errno is None else errno & 0xFFFF


class Warning(Exception):  # noqa: A001 - the name PEP 249 requires
    """Important warnings, e.g. data truncation (PEP 249)."""


class Error(Exception):
    """Base class of every taosarrow error (PEP 249). ``errno``: taospy's signed 32-bit
    form of the TDengine code, or ``None``; ``msg``: the message."""

    msg: str
    errno: Optional[int]

    def __init__(self, msg: Optional[str] = "", errno: Optional[int] = None) -> None:
        msg = "" if msg is None else str(msg)
        super().__init__(msg)
        self.msg = msg
        self.errno = errno

    def __str__(self) -> str:
        if self.errno is None:
            return self.msg
        return "[0x%04x]: %s" % (self.errno & 0xFFFF, self.msg)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(msg={self.msg!r}, errno={self.errno!r})"

    def __reduce__(self):
        return (type(self), (self.msg, self.errno))


class InterfaceError(Error):
    """An error of the connector itself rather than of the database (PEP 249)."""


class DatabaseError(Error):
    """An error reported by or about the database (PEP 249)."""


class DataError(DatabaseError):
    """A problem with the processed data: out-of-range value, bad type (PEP 249)."""


class OperationalError(DatabaseError):
    """An error in the database's operation: lost connection, timeout (PEP 249)."""


class IntegrityError(DatabaseError):
    """Relational integrity is affected (PEP 249)."""


class InternalError(DatabaseError):
    """The database met an internal error (PEP 249)."""


class ProgrammingError(DatabaseError):
    """A programming error: SQL syntax, missing table, wrong parameter count (PEP 249)."""


class NotSupportedError(DatabaseError):
    """A method or database API the database does not support (PEP 249)."""


class ConnectionError(OperationalError):  # noqa: A001 - the name TDengine users know
    """Connecting or staying connected failed (bad address, authentication, lost link)."""


class QueryError(ProgrammingError):
    """The server refused a SQL statement (syntax, unknown table or database, …): taospy's
    ``ProgrammingError`` and taos-ws-py's ``QueryError``."""


class OperationalQueryError(QueryError, OperationalError):
    """The server could not run a SQL statement now (network, memory, a killed query, a
    vnode or leader not ready, too many requests): a :class:`QueryError` (so taospy's
    ``ProgrammingError``) that is also an :class:`OperationalError`."""


class StatementError(ProgrammingError):
    """A prepared statement (stmt2) failed: prepare, bind or execute."""


class ResultError(DatabaseError):
    """Reading a result failed: malformed or truncated block, unexpected type."""


#: taos-ws-py's name for :class:`ResultError` (the same class).
FetchError = ResultError


class DataTypeAndRangeError(DataError):
    """A value of the wrong Python type or out of range for its column (taospy's bind
    checks)."""


class SchemalessError(DataError):
    """A schemaless write (line protocol, telnet, JSON) failed. A ``DatabaseError``, as
    taospy's ``SchemalessError`` is; ``errno`` is the server's code (e.g. ``0x3002``).

    The line account (positions index the ``lines`` given, from 0):

    - ``affected_rows``: rows written by the batches before the failing one (taospy's name);
    - ``total_rows``: data points the server parsed in those batches;
    - ``lines_written``: lines ``0..lines_written`` were in confirmed batches;
    - ``failed_lines``: ``(start, end)`` of the batch that failed, or ``None`` when the call
      failed before sending anything;
    - ``failed_batch``: ``"refused"`` (the server answered with an error; writing is not
      atomic, so lines before the offending one may be stored), ``"unknown"`` (sent, no
      reply seen) or ``"not_sent"``;
    - ``unsent_from``: lines from here on were never sent;
    - ``lines``: how many lines were given.
    """

    affected_rows: int
    total_rows: int
    lines_written: int
    failed_lines: Optional[Tuple[int, int]]
    failed_batch: Optional[str]
    unsent_from: Optional[int]
    lines: Optional[int]

    def __init__(self, msg: Optional[str] = "", errno: Optional[int] = None, affected_rows: int = 0) -> None:
        super().__init__(msg, errno)
        self.affected_rows = affected_rows
        self.total_rows = 0
        self.lines_written = 0
        self.failed_lines = None
        self.failed_batch = None
        self.unsent_from = None
        self.lines = None

    def __reduce__(self):
        return (type(self), (self.msg, self.errno), dict(self.__dict__))


#: taospy's name for a failed legacy line insert: the same class as :class:`SchemalessError`.
LinesError = SchemalessError


class TmqError(OperationalError):
    """A data-subscription (TMQ) consumer operation failed."""


#: taos-ws-py's name for :class:`TmqError` (the same class).
ConsumerException = TmqError


class PrecisionError(ProgrammingError):
    """A timestamp cannot be given in the precision asked for (e.g. a float of seconds in
    nanoseconds), or the precision is not one of ``PrecisionEnum``'s (taospy's name)."""


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C (or a progress callback raising ``KeyboardInterrupt``) during
    ``Connection.write``: no chunk was started after it, the chunks already sent settled, and
    this carries the row account of the write. It is a ``KeyboardInterrupt`` (so it stops a
    program as Ctrl-C does); ``__cause__`` is the original interrupt.

    The account has the attributes of a failed write's exception, positions counting input
    rows from 0, every row read in exactly one list:

    - ``rows_written``: rows confirmed stored;
    - ``written``: ``(start, end)`` ranges confirmed stored;
    - ``unknown``: ranges whose exec was sent but whose reply was not seen: they may or may
      not be stored;
    - ``not_written``: ranges certainly not stored;
    - ``unread_from``: rows from this position on were never read (``None``: all were).

    Writing ``unknown`` and ``not_written`` rows again never duplicates: one stmt2 exec is
    applied all-or-nothing and a row with a stored row's timestamp overwrites it.
    """

    rows_written: int
    written: List[Tuple[int, int]]
    unknown: List[Tuple[int, int]]
    not_written: List[Tuple[int, int]]
    unread_from: Optional[int]

    def __init__(self, msg: str = "", errno: Optional[int] = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.errno = errno
        self.rows_written = 0
        self.written = []
        self.unknown = []
        self.not_written = []
        self.unread_from = None

    def __reduce__(self):
        return (type(self), (self.msg, self.errno), dict(self.__dict__))
