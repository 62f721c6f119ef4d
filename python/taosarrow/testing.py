"""The embedded, in-memory, TDengine-compatible server for tests, notebooks and demos.

    from taosarrow.testing import LocalServer
    with LocalServer() as server:
        conn = taosarrow.connect(server.dsn())
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import quote

from . import _native

__all__ = ["LocalServer"]


class LocalServer:
    """An embedded server running in this process on its own thread (port 0 = any free port)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        user: str = "root",
        password: str = "taosdata",
        block_rows: int = 4096,
    ) -> None:
        if not getattr(_native, "HAS_SERVER", False):
            raise RuntimeError("this build of taosarrow has no embedded server (feature 'server')")
        self.user = user
        self.password = password
        self._native: Any = _native.NativeServer(host, port, user, password, block_rows)

    @property
    def url(self) -> str:
        """The WebSocket base URL, e.g. ``ws://127.0.0.1:6041``."""
        return self._native.url

    @property
    def host(self) -> str:
        """The bound interface."""
        return self._native.host

    @property
    def port(self) -> int:
        """The bound port."""
        return self._native.port

    @property
    def running(self) -> bool:
        """Whether :meth:`shutdown` has not been called yet."""
        return self._native.running

    def dsn(self, database: Optional[str] = None) -> str:
        """A DSN with this server's credentials, e.g. ``ws://root:taosdata@127.0.0.1:6041/db``.

        The user, password and database are percent-encoded, so any characters in them
        (``@ : / ? # %``, non-ASCII) reach the server as they are.
        """
        user, password = quote(self.user, safe=""), quote(self.password, safe="")
        host = f"[{self.host}]" if ":" in self.host else self.host
        base = f"ws://{user}:{password}@{host}:{self.port}"
        return f"{base}/{quote(database, safe='')}" if database else base

    def open_results(self) -> int:
        """Results opened on the server and not yet freed, over all connections: 0 when no
        client leaks one."""
        return int(self._native.open_results())

    def connections(self) -> int:
        """Connections the server is serving."""
        return int(self._native.connections())

    def shutdown(self) -> None:
        """Stops the server and closes its connections (idempotent)."""
        self._native.shutdown()

    def __enter__(self) -> "LocalServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"LocalServer(url={self.url!r}, running={self.running})"
