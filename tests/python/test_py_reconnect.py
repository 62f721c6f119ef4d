"""A connection survives a restart of its server on the same port: its next call reconnects."""

from __future__ import annotations

import taosarrow
from taosarrow.testing import LocalServer


def test_a_connection_survives_a_server_restart() -> None:
    first = LocalServer()
    port = first.port
    conn = taosarrow.connect(first.dsn())
    try:
        cur = conn.cursor()
        cur.execute("CREATE DATABASE before_restart")
        first.shutdown()
        with LocalServer(port=port):
            # A read first: sent again if it went out on the dropped socket.
            cur.execute("SHOW DATABASES")
            names = {row[0] for row in cur.fetchall()}
            # A fresh, empty server answered.
            assert "before_restart" not in names
            cur.execute("CREATE DATABASE after_restart")
            cur.execute("SHOW DATABASES")
            assert "after_restart" in {row[0] for row in cur.fetchall()}
    finally:
        conn.close()
