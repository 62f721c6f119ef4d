"""DataFrame / Arrow writes: ``Connection.write`` and ``Cursor.adbc_ingest``.

Data goes from Arrow buffers straight into stmt2 column binds (no Python object per value).
Anything Arrow-compatible is accepted: a pyarrow ``Table``, ``RecordBatch`` or
``RecordBatchReader``, a polars ``DataFrame``, a pandas ``DataFrame`` (through pyarrow), or
any object with ``__arrow_c_stream__``.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple

from . import _native

__all__ = ["write", "to_arrow_stream", "MODES"]

#: The write modes: ``append`` (the table exists), ``create`` (create it from the data's
#: schema; an error if it exists), ``create_append`` (create if missing, then append) and
#: ``replace`` (drop, create, write). The Rust client's ``IngestMode`` names them and checks
#: the ``mode`` of every write.
MODES: Tuple[str, ...] = _native.INGEST_MODES


def to_arrow_stream(data: Any) -> Any:
    """An object exporting ``__arrow_c_stream__`` for ``data``."""
    if hasattr(data, "__arrow_c_stream__"):
        return data
    module = type(data).__module__.split(".", 1)[0]
    if module == "pandas":
        try:
            import pyarrow as pa
        except ImportError as exc:  # pragma: no cover - pyarrow ships with the pandas extra
            raise ImportError("writing a pandas DataFrame needs pyarrow") from exc
        return pa.Table.from_pandas(data, preserve_index=False)
    if hasattr(data, "__arrow_c_array__"):
        import pyarrow as pa

        return pa.table(pa.record_batch(data))
    raise TypeError(
        f"cannot write a {type(data).__name__}: pass a pyarrow Table/RecordBatch/Reader, "
        "a polars or pandas DataFrame, or an object with __arrow_c_stream__"
    )


def _progress_callback(
    progress: Any, total: Optional[int], desc: str = "taosarrow write"
) -> Optional[Callable[[int], None]]:
    """What ``progress=`` asks for: ``None``/``False`` nothing, a callable itself, ``True`` a
    tqdm bar (when tqdm is installed) taking the rows done so far."""
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return None
        bar = tqdm(total=total, unit="rows", desc=desc)
        done = [0]

        def update(rows: int) -> None:
            bar.update(rows - done[0])
            done[0] = rows
            if total is not None and rows >= total:
                bar.close()

        update.close = bar.close  # type: ignore[attr-defined]
        return update
    raise TypeError("progress must be True, False, None or a callable taking the rows done so far")


def _row_count(data: Any) -> Optional[int]:
    for attr in ("num_rows", "height"):
        n = getattr(data, attr, None)
        if isinstance(n, int):
            return n
    try:
        return len(data)
    except TypeError:
        return None


def write(
    native_connection: Any,
    data: Any,
    *,
    table: Optional[str] = None,
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
    """Writes ``data`` and returns the number of rows written; see ``Connection.write``.

    An unknown ``mode`` (see :data:`MODES`) raises ``ProgrammingError``. A failure raises
    with ``rows_written``, ``written``, ``unknown``, ``not_written`` and ``unread_from``;
    Ctrl-C, or ``progress`` raising ``KeyboardInterrupt``, raises
    :class:`~taosarrow.exceptions.IngestInterrupted` with the same attributes once the
    chunks already sent have settled.
    """
    total = _row_count(data)
    stream = to_arrow_stream(data)
    tag_list: Optional[List[str]] = list(tags) if tags is not None else None
    return _native.ingest(
        native_connection,
        stream,
        table=table,
        stable=stable,
        subtable=subtable,
        subtable_template=subtable_template,
        tags=tag_list,
        mode=mode,
        chunk_bytes=chunk_bytes,
        in_flight=in_flight,
        allow_truncation=allow_truncation,
        progress=_progress_callback(progress, total),
    )
