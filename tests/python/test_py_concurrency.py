"""A connection shared by 16 threads (threadsafety 2), Ctrl-C during a blocking call, the GIL
released while a call waits, close() while another thread is in a call, ResourceWarning for
unclosed connections, and the SQL a polars lazy scan sends. Synchronisation is by events and
by what a peer observes, never by sleeping."""

from __future__ import annotations

import gc
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import warnings

import polars as pl
import pyarrow as pa
import pytest

import taosarrow


def test_sixteen_threads_share_one_connection(server):
    conn = taosarrow.connect(server.dsn())
    conn.execute("CREATE DATABASE th")
    conn.execute("CREATE STABLE th.m (ts TIMESTAMP, v BIGINT) TAGS (k INT)")
    errors: list = []
    results: dict = {}

    def work(k: int) -> None:
        try:
            values = " ".join(f"({1_700_000_000_000 + i}, {k * 1000 + i})" for i in range(200))
            assert conn.execute(f"INSERT INTO th.t{k} USING th.m TAGS ({k}) VALUES {values}") == 200
            cur = conn.cursor()
            for _ in range(5):
                cur.execute(f"SELECT COUNT(*), SUM(v) FROM th.t{k}")
                results[k] = cur.fetchone()
            table = cur.execute(f"SELECT v FROM th.t{k} ORDER BY ts").fetch_arrow_table()
            assert table.column("v").to_pylist() == [k * 1000 + i for i in range(200)]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append((k, exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert results == {k: (200, sum(k * 1000 + i for i in range(200))) for k in range(16)}
    conn.close()


class SilentPeer:
    """A TCP listener that accepts and then never answers (not even the WebSocket upgrade):
    a client connecting to it is inside its blocking connect once :meth:`accept` returns."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(60)  # a bound on the wait, not a synchronisation
        self.port = self.listener.getsockname()[1]
        self.accepted: list = []

    def dsn(self) -> str:
        return f"ws://root:taosdata@127.0.0.1:{self.port}"

    def accept(self) -> None:
        """Waits until a client has connected."""
        conn, _ = self.listener.accept()
        self.accepted.append(conn)

    def close(self) -> None:
        for c in self.accepted:
            c.close()
        self.listener.close()


def test_ctrl_c_interrupts_a_blocking_connect():
    peer = SilentPeer()
    script = textwrap.dedent(
        f"""
        import sys
        import taosarrow
        try:
            taosarrow.connect("{peer.dsn()}", connect_timeout=600, read_timeout=600, conn_retries=0)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(0)
        except BaseException as exc:
            print(f"no interrupt: {{exc!r}}", flush=True)
            sys.exit(1)
        print("no interrupt: connected", flush=True)
        sys.exit(1)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        peer.accept()  # the child is inside taosarrow.connect now, waiting for the upgrade
        proc.send_signal(signal.SIGINT)
        # The peer never answers and the connect timeout is far beyond this bound: only the
        # interrupt can end the call in time.
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        peer.close()
    assert proc.returncode == 0, out
    assert out.strip() == "interrupted", out


def test_a_blocking_call_releases_the_gil():
    """Thread A blocks in a native connect that only ends when the peer hangs up; the main
    thread runs Python code meanwhile and then hangs up. Were the GIL held during the wait,
    the main thread could not run until A's call ended (by its timeout), and A would be seen
    as finished before the main thread hung up."""
    peer = SilentPeer()
    outcome: list = []
    finished = threading.Event()

    def blocked() -> None:
        try:
            taosarrow.connect(peer.dsn(), connect_timeout=30, read_timeout=30, conn_retries=0)
            outcome.append("connected")
        except taosarrow.Error as exc:
            outcome.append(exc)
        finally:
            finished.set()

    a = threading.Thread(target=blocked)
    a.start()
    try:
        peer.accept()  # A is inside the native call now
        # Python code on this thread while A waits: possible only with the GIL released.
        total = sum(i * i for i in range(100_000))
        assert not finished.is_set(), "the call ended before the peer hung up"
        for c in peer.accepted:
            c.close()  # the peer hangs up: A's connect fails
        assert finished.wait(timeout=60)
    finally:
        a.join(timeout=60)
        peer.close()
    assert total == sum(i * i for i in range(100_000))
    assert len(outcome) == 1 and isinstance(outcome[0], taosarrow.Error), outcome


def test_close_takes_effect_while_another_thread_is_in_a_call(server):
    conn = taosarrow.connect(server.dsn())
    conn.execute("CREATE DATABASE cl")
    rows = 3000
    data = pa.table(
        {
            "ts": pa.array([1_700_000_000_000 + i for i in range(rows)], pa.timestamp("ms")),
            "v": pa.array(list(range(rows)), pa.int64()),
        }
    )
    in_callback = threading.Event()
    release = threading.Event()
    outcome: list = []

    def progress(written: int) -> None:
        if not in_callback.is_set():
            in_callback.set()
            assert release.wait(timeout=60)

    def writer() -> None:
        try:
            outcome.append(
                conn.write(data, "cl.t", mode="create", chunk_bytes=4096, in_flight=1, progress=progress)
            )
        except taosarrow.Error as exc:
            outcome.append(exc)

    a = threading.Thread(target=writer)
    a.start()
    try:
        # The writer is inside conn.write with chunks still to send.
        assert in_callback.wait(timeout=60)
        conn.close()
    finally:
        release.set()
        a.join(timeout=60)
    assert not a.is_alive()
    assert len(outcome) == 1
    err = outcome[0]
    assert isinstance(err, taosarrow.Error), f"the write went on after close(): {err!r}"
    assert "closed" in str(err), err
    assert 0 < err.rows_written < rows
    with pytest.raises(taosarrow.InterfaceError, match="closed"):
        conn.execute("SELECT 1")


def test_unclosed_connection_warns(server):
    conn = taosarrow.connect(server.dsn())
    with pytest.warns(ResourceWarning, match="not closed"):
        del conn
        gc.collect()
    # A closed one does not.
    conn = taosarrow.connect(server.dsn())
    conn.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del conn
        gc.collect()


def test_lazy_scan_pushes_projection_predicates_and_limit(server):
    conn = taosarrow.connect(server.dsn())
    conn.execute("CREATE DATABASE lz PRECISION 'ms'")
    df = pl.DataFrame(
        {
            "ts": pl.Series([1_700_000_000_000 + i * 1000 for i in range(600)]).cast(pl.Datetime("ms")),
            "v": list(range(600)),
            "s": [f"s{i % 3}" for i in range(600)],
            "dev": [f"d{i % 6}" for i in range(600)],
            "loc": [f"l{i % 2}" for i in range(600)],
        }
    )
    conn.write(df, stable="lz.m", subtable="dev", tags=["loc"], mode="create")
    sent: list = []
    lo = pl.datetime(2023, 11, 14, 22, 15, 0, time_unit="ms")
    lazy = (
        taosarrow.scan_polars("lz.m", conn, on_sql=sent.append)
        .filter((pl.col("ts") >= lo) & (pl.col("v") < 500) & (pl.col("loc") == "l1") & pl.col("s").is_in(["s0", "s2"]))
        .filter(pl.col("s").str.ends_with("0"))  # not pushable: polars filters it
        .select("ts", "v", "s")
    )
    got = lazy.collect().sort("ts")
    full = taosarrow.read_polars("SELECT * FROM lz.m", conn)
    want = (
        full.filter((pl.col("ts") >= lo) & (pl.col("v") < 500) & (pl.col("loc") == "l1") & pl.col("s").is_in(["s0", "s2"]))
        .filter(pl.col("s").str.ends_with("0"))
        .select("ts", "v", "s")
        .sort("ts")
    )
    assert got.equals(want)
    assert got.height > 0
    sql = sent[-1]
    assert sql.startswith("SELECT ") and "FROM `lz`.`m`" in sql, sql
    for part in ("`ts` >= ", "`v` < 500", "`loc` = 'l1'", "`s` IN ('s0', 's2')"):
        assert part in sql, (part, sql)
    assert "ends_with" not in sql
    assert "`dev`" not in sql.split(" FROM ")[0]  # projection: unused columns are not fetched
    # n_rows → LIMIT
    sent.clear()
    head = taosarrow.scan_polars("lz.m", conn, on_sql=sent.append).select("v").head(7).collect()
    assert head.height == 7
    assert sent[-1].endswith("LIMIT 7"), sent
    conn.close()
