"""Fixtures of the compatibility suite: programs written for taospy or taos-ws-py, run
against the embedded server with only the import line changed.

The programs connect the way their documentation shows: ``connect()`` with no arguments
(``localhost:6041``), ``port=6030`` or a ``taosws://…:6041`` DSN. So the server is bound to
the port the program names, as a real TDengine would be.
"""

from __future__ import annotations

import socket
from typing import Callable, Iterator

import pytest

from taosarrow.testing import LocalServer


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def server_on() -> Iterator[Callable[[int], LocalServer]]:
    """Starts an embedded server on a given port (the one the program connects to)."""
    started = []

    def start(port: int) -> LocalServer:
        if not _free(port):
            pytest.fail(f"port {port} is in use; the compatibility suite needs it free")
        server = LocalServer(port=port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()


@pytest.fixture
def adapter_port(server_on) -> LocalServer:
    """A server where taosAdapter listens by default: localhost:6041."""
    return server_on(6041)
