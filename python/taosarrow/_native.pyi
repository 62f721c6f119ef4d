"""Type stubs for the native half of ``taosarrow`` (PyO3)."""

from typing import Any, Callable, Dict, List, Optional, Tuple

__version__: str
HAS_SERVER: bool
#: Precision code (0, 1, 2) → unit name (``"ms"``, ``"us"``, ``"ns"``).
PRECISION_NAMES: Dict[int, str]
#: Unit name (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) → nanoseconds per tick.
NANOS_PER_TICK: Dict[str, int]

def quote_ident(name: str) -> str: ...
def quote_table(name: str) -> str: ...
def quote_literal(text: str) -> str: ...
#: The keyword options ``NativeConnection`` accepts (``ConnectOptions::KEYS``).
OPTION_NAMES: Tuple[str, ...]
#: Other names of options as ``(alias, option)`` (``ConnectOptions::ALIASES``).
OPTION_ALIASES: Tuple[Tuple[str, str], ...]
#: Legacy options accepted without effect, as ``(option, why)`` (``ConnectOptions::IGNORED_KEYS``).
IGNORED_OPTIONS: Tuple[Tuple[str, str], ...]
#: The ``mode`` names ``ingest`` accepts (``IngestMode``).
INGEST_MODES: Tuple[str, ...]

class NativeResult:
    @property
    def precision(self) -> str: ...
    def fields(self) -> List[Tuple[str, int, int, int, int]]: ...
    def fetch_rows(self, size: Optional[int] = None, ns_timestamps: Optional[str] = None) -> List[Tuple[Any, ...]]:
        """The rows of the next batch (``[]`` at the end); ``ns_timestamps``: ``"int"``
        (default), ``"pandas"`` or ``"numpy"``, the value of nanosecond timestamps."""
        ...
    def read_all(self) -> Any: ...
    def reader(self) -> Any: ...
    def close(self) -> None: ...

class NativeConnection:
    def __init__(self, dsn: Optional[str], options: Dict[str, Any]) -> None: ...
    @property
    def timezone(self) -> Optional[str]: ...
    @property
    def ns_timestamps(self) -> str:
        """``"int"``, ``"pandas"`` or ``"numpy"`` (option ``ns_timestamps``)."""
        ...
    @property
    def ignored_options(self) -> List[str]:
        """The legacy options given and ignored, in order."""
        ...
    def exec(self, sql: str, req_id: Optional[int] = None) -> int: ...
    def execute(self, sql: str, req_id: Optional[int] = None) -> Tuple[int, Optional[NativeResult]]: ...
    def query(self, sql: str, req_id: Optional[int] = None) -> NativeResult: ...
    def schemaless_insert(
        self,
        lines: Any,
        protocol: Any,
        precision: Any = None,
        ttl: Optional[int] = None,
        req_id: Optional[int] = None,
        table_name_key: Optional[str] = None,
    ) -> Tuple[int, int]:
        """``(affected_rows, total_rows)``. ``lines``: a ``str``, a sequence of ``str`` or an
        object exporting an Arrow string array (``__arrow_c_array__``/``__arrow_c_stream__``).
        Raises ``SchemalessError`` with the line account on failure."""
        ...
    def close(self) -> None: ...

def protocol_code(protocol: Any) -> int:
    """The wire code (1-3) of a protocol enum member, int or name; ``SchemalessError``
    (errno ``0x3000``) for an unknown one."""
    ...

def precision_code(precision: Any) -> int:
    """The code (0-6) of a precision enum member, int, name or ``None``;
    ``SchemalessError`` (errno ``0x3001``) for an unknown one."""
    ...

def ingest(
    conn: NativeConnection,
    data: Any,
    table: Optional[str] = None,
    stable: Optional[str] = None,
    subtable: Optional[str] = None,
    subtable_template: Optional[str] = None,
    tags: Optional[List[str]] = None,
    mode: str = "append",
    chunk_bytes: int = 1048576,
    in_flight: int = 2,
    allow_truncation: bool = False,
    progress: Optional[Callable[[int], Any]] = None,
) -> int:
    """Rows written. A failure raises with ``rows_written``, ``written``, ``unknown``,
    ``not_written`` and ``unread_from``; Ctrl-C or ``progress`` raising
    ``KeyboardInterrupt`` raises ``taosarrow.exceptions.IngestInterrupted`` (a
    ``KeyboardInterrupt``) with the same attributes."""
    ...

def type_table() -> List[Tuple[int, str, Optional[str], bool]]:
    """Every TDengine type as ``(type_code, name, group, supported)``."""
    ...

def arrow_type(type_code: int, precision: int, scale: int) -> Any:
    """The Arrow type (exporting ``__arrow_c_schema__``) of a placeholder's values; raises
    ``ValueError`` for unknown or unsupported codes and invalid precisions."""
    ...

class NativeStmt2:
    def __init__(self, conn: NativeConnection) -> None: ...
    def prepare(self, sql: str) -> Tuple[bool, int, List[Tuple[str, int, int, int, int, int]]]: ...
    def bind(self, tables: List[Tuple[Optional[str], List[Any], List[Any]]]) -> None: ...
    def bind_params(self, params: List[Any]) -> None: ...
    def execute(self) -> int: ...
    def result(self) -> NativeResult: ...
    def close(self) -> None: ...

class NativeServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        user: str = "root",
        password: str = "taosdata",
        block_rows: int = 4096,
    ) -> None: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def running(self) -> bool: ...
    def shutdown(self) -> None: ...
