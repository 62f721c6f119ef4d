"""Time strings without an offset, as the official client taos-ws-py 0.7.0 sends them: read in
the connection's ``timezone``, else in the server's zone (the ``TZ`` of ``taosarrow serve``, or
``--timezone``), as TDengine reads them — so a user in Shanghai who inserts
``'2025-01-01 12:00:00'`` reads back noon in Shanghai, not 20:00.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import taosws

from conftest import RunningServer

NOON_SHANGHAI_MS = 1_735_704_000_000  # 2025-01-01 12:00:00 +08:00 (04:00 UTC)
HOUR_MS = 3_600_000


def ticks(conn, sql: str) -> list:
    return [row[0] for row in conn.query(sql)]


def prepare(conn) -> None:
    conn.execute("CREATE DATABASE tz")
    conn.execute("CREATE TABLE tz.t (ts TIMESTAMP, v INT)")


def test_a_shanghai_server_reads_strings_in_shanghai(server_factory):
    srv: RunningServer = server_factory(env={"TZ": "Asia/Shanghai"})
    conn = taosws.connect(srv.dsn())
    prepare(conn)
    conn.execute("INSERT INTO tz.t VALUES ('2025-01-01 12:00:00', 1)")
    assert ticks(conn, "SELECT CAST(ts AS BIGINT) FROM tz.t") == [NOON_SHANGHAI_MS]
    assert ticks(conn, "SELECT v FROM tz.t WHERE ts = '2025-01-01 12:00:00'") == [1]
    assert ticks(conn, "SELECT v FROM tz.t WHERE ts = '2025-01-01T04:00:00Z'") == [1]
    # TODAY() is Shanghai's midnight: 16:00 UTC of the day before.
    conn.execute("INSERT INTO tz.t VALUES (TODAY(), 2)")
    [today] = ticks(conn, "SELECT CAST(ts AS BIGINT) FROM tz.t WHERE v = 2")
    assert today % 86_400_000 == 16 * HOUR_MS
    conn.close()


def test_the_dsn_timezone_overrides_the_servers(server_factory):
    srv: RunningServer = server_factory(env={"TZ": "Asia/Shanghai"})
    conn = taosws.connect(srv.dsn() + "?timezone=UTC")
    prepare(conn)
    conn.execute("INSERT INTO tz.t VALUES ('2025-01-01 12:00:00', 1)")
    assert ticks(conn, "SELECT CAST(ts AS BIGINT) FROM tz.t") == [NOON_SHANGHAI_MS + 8 * HOUR_MS]
    conn.close()


def test_the_timezone_flag_overrides_the_process_zone(server_factory):
    srv: RunningServer = server_factory("--timezone", "America/New_York", env={"TZ": "Asia/Shanghai"})
    conn = taosws.connect(srv.dsn())
    prepare(conn)
    conn.execute("INSERT INTO tz.t VALUES ('2025-01-01 12:00:00', 1)")
    # Noon in New York in January is 17:00 UTC.
    assert ticks(conn, "SELECT CAST(ts AS BIGINT) FROM tz.t") == [NOON_SHANGHAI_MS + 13 * HOUR_MS]
    conn.close()


def test_a_client_and_server_in_shanghai_read_back_what_was_written(server_factory):
    """The official suite's setting: both processes with ``TZ=Asia/Shanghai``, no ``timezone`` in
    the DSN. taos-ws-py renders the timestamp in the local zone: the wall time inserted."""
    srv: RunningServer = server_factory(env={"TZ": "Asia/Shanghai"})
    script = textwrap.dedent(
        f"""
        import taosws
        conn = taosws.connect({srv.dsn()!r})
        conn.execute("CREATE DATABASE tz")
        conn.execute("CREATE TABLE tz.t (ts TIMESTAMP, v INT)")
        conn.execute("INSERT INTO tz.t VALUES ('2025-01-01 12:00:00', 1)")
        [(ts, ticks, v)] = list(conn.query("SELECT ts, CAST(ts AS BIGINT), v FROM tz.t"))
        print(ts, ticks, v, sep="|")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "TZ": "Asia/Shanghai"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().split("|") == ["2025-01-01 12:00:00 +08:00", str(NOON_SHANGHAI_MS), "1"]
