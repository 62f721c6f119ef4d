"""``Connection``: the PEP 249 connection plus TDengine's own calls."""

from __future__ import annotations

import importlib
import threading
import warnings
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Tuple

from . import _native
from .exceptions import InterfaceError
from .result import TaosField, TaosResult

if TYPE_CHECKING:
    from .statement2 import TaosStmt2
    from .taos_stmt import TaosStmt

__all__ = ["Connection", "TaosResult", "TaosField", "connect", "OPTION_NAMES", "OPTION_ALIASES"]

#: The keyword options ``connect`` accepts: the keys of the Rust client's
#: ``ConnectOptions::set``, which checks them and their values.
OPTION_NAMES: Tuple[str, ...] = _native.OPTION_NAMES

#: Other names of some options, as ``(alias, option)`` (``ConnectOptions::ALIASES``), e.g.
#: ``("db", "database")``.
OPTION_ALIASES: Tuple[Tuple[str, str], ...] = _native.OPTION_ALIASES

#: Legacy options accepted with a ``DeprecationWarning`` and no effect, as ``(key, why)``.
_IGNORED_WHY: Dict[str, str] = dict(_native.IGNORED_OPTIONS)

#: The module each ``ns_timestamps`` choice needs.
_NS_MODULES: Dict[str, str] = {"pandas": "pandas", "numpy": "numpy"}


class Connection:
    """A connection to a TDengine (taosAdapter WebSocket) server; safe to share by threads.

    Made by :func:`connect` (see there for the options); taospy's ``TaosConnection`` and
    taos-ws-py's ``Connection`` calls are all here.
    """

    def __init__(self, dsn: Optional[str] = None, args: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> None:
        self._lock = threading.Lock()
        self._native: Any = None
        options: Dict[str, Any] = dict(args or {})
        options.update((k, v) for k, v in kwargs.items() if v is not None)
        self._native = _native.NativeConnection(dsn, options)
        self.timezone: Optional[str] = self._native.timezone
        self._ns_timestamps: str = self._native.ns_timestamps
        module = _NS_MODULES.get(self._ns_timestamps)
        if module is not None:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                self.close()
                raise InterfaceError(f"ns_timestamps={self._ns_timestamps!r} needs {module} installed") from exc
        for key in self._native.ignored_options:
            warnings.warn(
                f"taosarrow.connect: option {key!r} is accepted for compatibility and ignored: "
                f"{_IGNORED_WHY.get(key, 'it has no meaning here')}",
                DeprecationWarning,
                stacklevel=3,
            )

    @classmethod
    def _from_native(cls, native: Any) -> "Connection":
        """A connection around a native one already connected (:func:`taosarrow.aio.connect`)."""
        self = cls.__new__(cls)
        self._lock = threading.Lock()
        self._native = native
        self.timezone = native.timezone
        self._ns_timestamps = native.ns_timestamps
        return self

    # -- internals ------------------------------------------------------------------------
    def _conn(self) -> Any:
        native = self._native
        if native is None:
            raise InterfaceError("the connection is closed")
        return native

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native is None

    # -- PEP 249 --------------------------------------------------------------------------
    def cursor(self) -> "Cursor":
        """A new cursor on this connection."""
        from .cursor import Cursor

        self._conn()
        return Cursor(self)

    def commit(self) -> None:
        """TDengine has no transactions: nothing to do."""
        self._conn()

    def rollback(self) -> None:
        """TDengine has no transactions: nothing to do."""
        self._conn()

    def close(self) -> None:
        """Closes the connection; later calls raise :class:`InterfaceError`, and calls other
        threads are making on it end with the closed-connection error. Idempotent."""
        with self._lock:
            native, self._native = self._native, None
        if native is not None:
            native.close()

    # -- TDengine calls -------------------------------------------------------------------
    def execute(self, sql: str, req_id: Optional[int] = None) -> int:
        """Runs a statement and returns the number of affected rows. A query affects none: it
        returns 0 and its result is freed unread, as taospy's and taos-ws-py's ``execute``
        do (read rows with :meth:`query`)."""
        affected, native = self._conn().execute(sql, req_id)
        if native is not None:
            native.close()
            return 0
        return affected

    def query(self, sql: str, req_id: Optional[int] = None) -> TaosResult:
        """Runs a statement and returns its result for iteration; a statement without a
        result set gives an empty result whose ``affected_rows`` is the server's count."""
        affected, native = self._conn().execute(sql, req_id)
        return TaosResult(native, self._ns_timestamps, affected)

    def execute_with_req_id(self, sql: str, req_id: int) -> int:
        """:meth:`execute` with a request id chosen by the caller (for tracing)."""
        return self.execute(sql, req_id)

    def query_with_req_id(self, sql: str, req_id: int) -> TaosResult:
        """:meth:`query` with a request id chosen by the caller (for tracing)."""
        return self.query(sql, req_id)

    def select_db(self, database: str) -> None:
        """Makes ``database`` the current one (``USE database``); later unqualified names
        and reconnects use it."""
        from ._native import quote_ident

        self._conn().exec(f"USE {quote_ident(database)}", None)

    @property
    def server_info(self) -> str:
        """The server's version (``SELECT SERVER_VERSION()``), as taospy's property."""
        result = self._conn().query("SELECT SERVER_VERSION()", None)
        try:
            rows = result.fetch_rows(None, None)
        finally:
            result.close()
        return str(rows[0][0]) if rows else ""

    @property
    def client_info(self) -> str:
        """This client's version (taosarrow's ``__version__``), as taospy's property."""
        return _native.__version__

    @property
    def ns_timestamps(self) -> str:
        """How row values show nanosecond timestamps: ``"int"``, ``"pandas"`` or
        ``"numpy"`` (the ``ns_timestamps`` option)."""
        return self._ns_timestamps

    def load_table_info(self, tables: str) -> None:
        """taospy's hint to load table metadata into the native client's cache: accepted
        and nothing to do (this client keeps no metadata cache)."""
        if not isinstance(tables, str):
            raise InterfaceError("load_table_info takes a comma-separated str of table names")
        self._conn()

    def clear_result_set(self) -> None:
        """taospy's no-op: results are freed when closed or read to the end."""
        self._conn()

    def write(
        self,
        data: Any,
        table: Optional[str] = None,
        *,
        stable: Optional[str] = None,
        subtable: Optional[str] = None,
        subtable_template: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        mode: str = "append",
        chunk_bytes: int = 1024 * 1024,
        in_flight: int = 2,
        allow_truncation: bool = False,
        progress: Any = None,
    ) -> int:
        """Writes a DataFrame or Arrow data through stmt2 column binds; returns rows written.

        ``data``: a pyarrow Table / RecordBatch / RecordBatchReader, a polars or pandas
        DataFrame, or any object with ``__arrow_c_stream__``. Its column names pick the
        table's columns. Either ``table`` (a normal or child table), or ``stable`` with
        ``subtable`` (a column naming each row's child table) or ``subtable_template``
        (e.g. ``"d_{location}"``) and ``tags`` (the columns that are tags); child tables are
        created on demand. ``mode``: ``append``, ``create``, ``create_append`` or
        ``replace`` (the last three derive the table from the data's schema; the first
        timestamp column is the primary key). Timestamps finer than the database precision
        raise unless ``allow_truncation``. ``progress=True`` shows a tqdm bar when tqdm is
        installed; a callable receives the rows written so far. ``chunk_bytes`` is the
        target size of one bind (default 1 MiB) and ``in_flight`` how many binds are sent
        concurrently (default 2).

        On failure the exception has ``rows_written``, ``written`` (stored), ``unknown``
        (the exec was sent but its reply was not seen, e.g. a timeout: maybe stored) and
        ``not_written`` (certainly not stored), as ``(start, end)`` input row ranges, and
        ``unread_from``. Writing ``unknown`` and ``not_written`` rows again (or all the data)
        never duplicates: one stmt2 exec is applied all-or-nothing and rows with the same
        timestamp overwrite. At the first failure no further chunk is started. Ctrl-C (or a
        ``progress`` callable raising ``KeyboardInterrupt``) starts no further chunk, waits
        for those sent (bounded by the read timeout) and raises
        :class:`~taosarrow.IngestInterrupted`, a ``KeyboardInterrupt`` with the same
        attributes; a second Ctrl-C stops waiting.
        """
        from .writes import write

        return write(
            self._conn(),
            data,
            table=table,
            stable=stable,
            subtable=subtable,
            subtable_template=subtable_template,
            tags=tags,
            mode=mode,
            chunk_bytes=chunk_bytes,
            in_flight=in_flight,
            allow_truncation=allow_truncation,
            progress=progress,
        )

    def schemaless_insert(
        self,
        lines: Any,
        protocol: Any,
        precision: Any = None,
        req_id: Optional[int] = None,
        ttl: Optional[int] = None,
        table_name_key: Optional[str] = None,
    ) -> int:
        """Writes schemaless data into the current database (``USE db`` or the DSN's);
        returns the rows written, as taospy does. Tables, columns and tags are created as
        the data needs them.

        ``lines``: a list (any sequence) of ``str``; one ``str`` (a whole payload, lines
        separated by ``\n``); or a pyarrow, polars or pandas string column, read through
        the Arrow C interface (no Python object per line). Line and telnet input is sent in
        batches of at most ``schemaless_batch_bytes`` (a connect option, default 16 MiB),
        never splitting a line; JSON input is joined by ``\n`` into one document and sent
        in one request.

        ``protocol``: :class:`~taosarrow.SmlProtocol` (``LINE_PROTOCOL``, ``TELNET_PROTOCOL``,
        ``JSON_PROTOCOL``; ``PySchemalessProtocol.Line`` … are the same members), taos-ws-py's
        ``PySchemalessProtocol``, an int 1-3 or a name (``"line"``, ``"telnet"``, ``"json"``).
        ``UNKNOWN_PROTOCOL`` (0) is refused.

        ``precision``: the unit of line-protocol timestamps, :class:`~taosarrow.SmlPrecision`
        (``MILLI_SECONDS``, or the aliases ``Millisecond``, ``PySchemalessPrecision.Millisecond``),
        an int 0-6, a name (``"ms"``, ``"us"``, ``"ns"``, ``"s"``, ``"m"``, ``"h"``) or ``None``
        / ``NOT_CONFIGURED`` (nanoseconds). Telnet and JSON timestamps carry their own unit.

        ``req_id``: the request id (of the first batch); ``ttl``: days to live of the child
        tables created; ``table_name_key``: a tag whose value names the child table.

        Failures raise :class:`~taosarrow.SchemalessError` (``errno``: the server's code,
        ``msg``) carrying the line account: ``affected_rows`` (rows earlier batches wrote),
        ``lines_written``, ``failed_lines`` (``(start, end)``), ``failed_batch``
        (``"refused"``: lines before the offending one may be stored; ``"unknown"``;
        ``"not_sent"``) and ``unsent_from`` (lines from there on were never sent). A lost
        connection raises :class:`~taosarrow.ConnectionError` with the same attributes.
        """
        from .schemaless import schemaless_insert

        affected, _total = schemaless_insert(
            self._conn(), lines, protocol, precision, req_id=req_id, ttl=ttl,
            table_name_key=table_name_key,
        )
        return affected

    def schemaless_insert_raw(
        self,
        lines: str,
        protocol: Any,
        precision: Any = None,
        req_id: Optional[int] = None,
        ttl: Optional[int] = None,
        table_name_key: Optional[str] = None,
    ) -> int:
        """taospy's name for :meth:`schemaless_insert` with one ``str`` payload."""
        if not isinstance(lines, str):
            raise TypeError("schemaless_insert_raw takes one str payload")
        return self.schemaless_insert(lines, protocol, precision, req_id, ttl, table_name_key)

    def statement(self, sql: Optional[str] = None) -> "TaosStmt":
        """A stmt (v1) prepared statement (prepared at once when ``sql`` is given). It takes
        taospy's binds (``new_bind_params`` / ``new_multi_binds``) and taos-ws-py's tag and
        column views alike."""
        from .taos_stmt import TaosStmt

        return TaosStmt(self._conn(), sql)

    def statement2(self, sql: Optional[str] = None, option: Any = None) -> "TaosStmt2":
        """taospy's stmt2 statement (prepared at once when ``sql`` is given); ``option`` is
        a :class:`~taosarrow.statement2.TaosStmt2Option`."""
        from .statement2 import TaosStmt2

        return TaosStmt2(self._conn(), sql, option)

    def stmt2_statement(self) -> "TaosStmt2":
        """taos-ws-py's stmt2 statement: ``prepare``, then ``bind`` views."""
        from .statement2 import TaosStmt2

        return TaosStmt2(self._conn())

    def _query_native(self, sql: str) -> Any:
        return self._conn().query(sql, None)

    def _execute_native(self, sql: str, req_id: Optional[int] = None) -> Tuple[int, Any]:
        """``(affected rows, None)`` or ``(0, native result)``, as the server answered."""
        return self._conn().execute(sql, req_id)

    def __repr__(self) -> str:
        from ._display import connection_repr

        return connection_repr(self._native)

    def _repr_html_(self) -> str:
        from ._display import connection_html

        return connection_html(self._native)

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_native", None) is not None:
            warnings.warn(
                "taosarrow.Connection was not closed; use close() or a with block",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )
            try:
                self.close()
            except Exception:  # noqa: BLE001 - nothing to report to at interpreter exit
                pass


def connect(dsn: Optional[str] = None, args: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Connection:
    """Connects to a server. ``dsn`` is e.g. ``"ws://root:taosdata@localhost:6041/db"``
    (schemes ``ws``, ``wss``, ``taosws``, ``taos+ws`` …; query parameters take the option
    names below).

    The user and password may be percent-encoded (``urllib.parse.quote(p, safe="")``), which
    always works; written as they are, they may hold ``/ ? # :`` and ``@``, except a password
    with an ``@`` followed later by a ``?``. A password is never quoted in an error.

    Options come as keywords (taospy style) or in an ``args`` dict (taos-ws-py style,
    ``connect(dsn, {"user": …})``); keywords win over ``args``, both over the DSN, and
    ``None`` values are ignored. Values may be native (``port=6041``, ``compression=True``)
    or strings (``port="6041"``, ``compression="true"``, ``read_timeout="300"``). The
    options, listed in :data:`OPTION_NAMES` and checked by the Rust client:

    - ``user`` (alias ``username``), ``password`` (``pass``), ``host`` (``url``, ``ip``),
      ``port``, ``database`` (``db``);
    - ``token`` (a cloud token, sent on the URL), ``bearer_token`` (token authentication),
      ``totp_code`` (one-time password), ``user_app``, ``user_ip`` (recorded by the
      server), ``conn_mode`` (1: BI mode; ``bi_mode=True`` is the same);
    - ``timezone`` (alias ``tz``): the IANA zone of the session and of row datetimes;
    - ``compression``, ``conn_retries``, ``retry_backoff_ms``, ``retry_backoff_max_ms``,
      ``read_timeout`` and ``connect_timeout`` (``conn_timeout``; seconds, above 0),
      ``tcp_nodelay``, ``tls_ca`` (PEM text or a file path), ``websocket`` (``ws``; true,
      ``"ws"`` or ``"wss"``), ``max_message_size`` (bytes, default 256 MiB),
      ``schemaless_batch_bytes`` (the largest schemaless request, bytes, default 16 MiB),
      ``reconnect`` (default on: a dropped socket is replaced on the next call, restoring
      the current database) and ``retry_writes`` (default off: a write whose reply was lost
      with its socket is not sent again);
    - ``ns_timestamps``: how row values (``fetchone``, iterating a :class:`TaosResult` …)
      show timestamps of nanosecond databases: ``"int"`` (default, as taospy: nanoseconds
      since the epoch), ``"pandas"`` (a time-zone-aware ``pandas.Timestamp``) or
      ``"numpy"`` (``numpy.datetime64`` in ns, UTC). Never a ``datetime``, which would drop
      the nanoseconds. Millisecond and microsecond timestamps are always time-zone-aware
      ``datetime``; the Arrow, pandas and polars reads always give real timestamps.

    taospy's and taos-ws-py's legacy options ``charset``, ``config``, ``native``,
    ``version_prefer`` and ``decode_binary`` (only ``True``) are accepted with a
    ``DeprecationWarning`` and have no effect. An unknown option or a bad value raises
    :class:`InterfaceError`; failing to connect raises :class:`ConnectionError`.
    """
    return Connection(dsn, args, **kwargs)


from .cursor import Cursor  # noqa: E402  (circular: Cursor uses Connection)
