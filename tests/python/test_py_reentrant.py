"""taosarrow called from inside taosarrow: a write whose input is the streaming result of
another query (the input is pulled on the client's runtime threads), and a progress
callback that queries. Each runs in a child process, so that a crash there fails the test
instead of killing pytest."""

from __future__ import annotations

import subprocess
import sys
import textwrap

ROWS = 3000

SETUP = textwrap.dedent(
    f"""
    import pyarrow as pa
    import taosarrow
    from taosarrow.testing import LocalServer

    server = LocalServer(block_rows=256)
    conn = taosarrow.connect(server.dsn())
    conn.execute("CREATE DATABASE w")
    conn.execute("CREATE TABLE w.src (ts TIMESTAMP, v BIGINT)")
    source = pa.table({{
        "ts": pa.array([1_700_000_000_000 + i for i in range({ROWS})], pa.timestamp("ms")),
        "v": pa.array(list(range({ROWS})), pa.int64()),
    }})
    assert conn.write(source, "w.src", chunk_bytes=4096) == {ROWS}

    def stored(table):
        return conn.cursor().execute(f"SELECT COUNT(*), SUM(v) FROM {{table}}").fetchone()
    """
)


def run_child(body: str) -> str:
    """Runs SETUP + ``body`` in a fresh interpreter; returns its stdout, asserting exit 0."""
    proc = subprocess.run(
        [sys.executable, "-c", SETUP + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def test_write_reads_its_input_from_the_reader_of_another_query():
    out = run_child(
        f"""
        native = conn._query_native("SELECT ts, v FROM w.src").reader()
        assert conn.write(native, "w.a", mode="create", chunk_bytes=4096) == {ROWS}
        cur = conn.cursor()
        cur.execute("SELECT ts, v FROM w.src")
        assert conn.write(cur.fetch_record_batch(), "w.b", mode="create", chunk_bytes=4096) == {ROWS}
        print(stored("w.a"), stored("w.b"))
        """
    )
    want = (ROWS, sum(range(ROWS)))
    assert out.strip() == f"{want} {want}"


def test_progress_callback_that_queries():
    out = run_child(
        f"""
        seen = []

        def progress(rows):
            seen.append((rows, stored("w.p")[0]))

        assert conn.write(source, "w.p", mode="create", chunk_bytes=4096, in_flight=1, progress=progress) == {ROWS}
        assert len(seen) > 1, seen
        assert seen[-1][0] == {ROWS}, seen
        # Each callback's query saw at least the rows reported written so far.
        assert all(rows <= count for rows, count in seen), seen
        print(len(seen), stored("w.p"))
        """
    )
    calls, _, rest = out.strip().partition(" ")
    assert int(calls) > 1
    assert rest == str((ROWS, sum(range(ROWS))))
