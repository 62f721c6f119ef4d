"""A connection shared by 16 threads (threadsafety 2), Ctrl-C during a blocking call,
ResourceWarning for unclosed connections, and the SQL a polars lazy scan sends."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import polars as pl
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


def test_ctrl_c_interrupts_a_blocking_connect(server_factory):
    stalled = server_factory("--stall")  # accepts TCP, never answers
    script = textwrap.dedent(
        f"""
        import sys, time
        import taosarrow
        start = time.monotonic()
        print("ready", flush=True)
        try:
            taosarrow.connect("{stalled.dsn()}", connect_timeout=120, conn_retries=0)
        except KeyboardInterrupt:
            print(f"interrupted after {{time.monotonic() - start:.2f}}", flush=True)
            sys.exit(0)
        print("no interrupt", flush=True)
        sys.exit(1)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # inside the blocking connect by now
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert out.startswith("interrupted"), out
    assert took < 5.0, f"Ctrl-C took {took:.1f} s to interrupt"


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
