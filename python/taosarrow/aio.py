"""asyncio: ``await taosarrow.aio.connect(dsn)`` and an :class:`AsyncConnection` whose calls
run on taosarrow's own tokio runtime and settle an asyncio future when done — no thread per
call, no ``run_in_executor``, the event loop never blocks. Cancelling the awaiting task
stops the call; a query's server-side result is freed.

::

    import asyncio, taosarrow.aio as aio

    async def main():
        async with await aio.connect("ws://root:taosdata@localhost:6041/db") as conn:
            table = await conn.read_arrow("SELECT * FROM meters")
            async for batch in conn.stream("SELECT * FROM meters"):
                ...
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Dict, List, Mapping, Optional, Sequence

from . import _native
from .connection import Connection

__all__ = ["connect", "AsyncConnection"]


def _settle(future: "asyncio.Future[Any]", error: Optional[BaseException], value: Any) -> None:
    # Runs on the loop (call_soon_threadsafe); a cancelled future is left alone.
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


async def _call(start: Any, *args: Any) -> Any:
    """Starts a native call with a fresh future of the running loop and awaits it; a
    cancellation cancels the native call too."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    call = start(loop, future, _settle, *args)
    try:
        return await future
    except asyncio.CancelledError:
        call.cancel()
        raise


async def connect(dsn: Optional[str] = None, args: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> "AsyncConnection":
    """Connects without blocking the loop; the options are :func:`taosarrow.connect`'s."""
    options: Dict[str, Any] = dict(args or {})
    options.update((k, v) for k, v in kwargs.items() if v is not None)
    native = await _call(_native.connect_async, dsn, options)
    return AsyncConnection(Connection._from_native(native))


class AsyncConnection:
    """An asyncio connection (an async context manager). The blocking
    :class:`~taosarrow.Connection` it wraps is :attr:`sync`."""

    def __init__(self, conn: Connection) -> None:
        self.sync = conn

    async def __aenter__(self) -> "AsyncConnection":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<taosarrow.aio.AsyncConnection of {self.sync!r}>"

    async def execute(self, sql: str) -> int:
        """Runs a statement; returns the affected rows (0 for one with a result set, whose
        rows are read and dropped)."""
        affected, _ = await _call(_native.execute_async, self.sync._conn(), sql)
        return int(affected)

    async def query(self, sql: str) -> List[tuple]:
        """The rows of ``sql`` as tuples, with the values the blocking row API gives."""
        affected, rows = await _call(_native.execute_async, self.sync._conn(), sql)
        return list(rows) if rows is not None else []

    async def read_arrow(self, sql: str) -> Any:
        """The result of ``sql`` as a ``pyarrow.Table``."""
        import pyarrow as pa

        table = await _call(_native.read_arrow_async, self.sync._conn(), sql)
        return pa.table(table)

    async def read_pandas(self, sql: str, *, dtype_backend: str = "numpy", categories: Any = None) -> Any:
        """The result of ``sql`` as a pandas ``DataFrame`` (``categories`` as for
        :func:`taosarrow.read_pandas`)."""
        from . import _frames

        table = await _call(_native.read_arrow_async, self.sync._conn(), sql)
        return _frames.to_pandas(table, dtype_backend=dtype_backend, categories=categories)

    async def read_polars(self, sql: str) -> Any:
        """The result of ``sql`` as a polars ``DataFrame``."""
        from . import _frames

        table = await _call(_native.read_arrow_async, self.sync._conn(), sql)
        return _frames.to_polars(table)

    async def stream(self, sql: str) -> AsyncIterator[Any]:
        """``async for batch in conn.stream(sql)``: the result's ``pyarrow.RecordBatch``es as
        they arrive. Leaving the loop early (or cancelling) frees the server-side result."""
        import pyarrow as pa

        result = await _call(_native.query_async, self.sync._conn(), sql)
        try:
            while True:
                batch = await _call(_native.next_batch_async, result)
                if batch is None:
                    return
                yield pa.record_batch(batch)
        finally:
            result.close()

    async def write(
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
    ) -> int:
        """:meth:`taosarrow.Connection.write` (the Arrow ingest path, stmt2 column binds) on
        the runtime; returns rows written. A failure raises with the same row account
        (``written``, ``not_written`` …). Cancelling starts no further chunk."""
        from .writes import to_arrow_stream

        return int(
            await _call(
                _native.write_async,
                self.sync._conn(),
                to_arrow_stream(data),
                table,
                stable,
                subtable,
                subtable_template,
                list(tags) if tags is not None else None,
                mode,
                chunk_bytes,
                in_flight,
                allow_truncation,
            )
        )

    async def close(self) -> None:
        """Closes the connection."""
        self.sync.close()
