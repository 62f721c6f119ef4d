"""What a notebook shows of connections, results and cursors (never a password), and
progress reported by reads."""

from __future__ import annotations

import pyarrow as pa

import taosarrow
from taosarrow.testing import LocalServer

ROWS = 10_000


def test_reprs_name_the_server_and_columns_but_not_the_password():
    with LocalServer(password="s3cret-pw") as srv, taosarrow.connect(srv.dsn()) as conn:
        conn.execute("CREATE DATABASE disp")
        conn.execute("USE disp")
        text, page = repr(conn), conn._repr_html_()
        assert f"root@{srv.host}:{srv.port}/disp" in text
        assert "s3cret-pw" not in text and "s3cret-pw" not in page
        assert "<b>taosarrow.Connection</b>" in page and "disp" in page
        conn.execute("CREATE TABLE t (ts TIMESTAMP, v INT)")
        conn.execute("INSERT INTO t VALUES (1700000000000, 1) (1700000000001, 2)")
        result = conn.query("SELECT ts, v FROM t")
        assert repr(result) == "<taosarrow.TaosResult (ts TIMESTAMP, v INT); 0 rows read>"
        assert len(result.fetch_all()) == 2
        assert "2 rows read" in repr(result) and "<th>column</th>" in result._repr_html_()
        cur = conn.cursor()
        cur.execute("SELECT v FROM t")
        cur.fetchall()
        assert repr(cur) == "<taosarrow.Cursor (v INT); 2 rows read>"
    assert repr(conn) == "<taosarrow.Connection closed>"


def test_reads_report_progress_in_rows():
    with LocalServer() as srv, taosarrow.connect(srv.dsn()) as conn:
        conn.execute("CREATE DATABASE prog")
        conn.write(
            pa.table({"ts": pa.array(range(1_700_000_000_000, 1_700_000_000_000 + ROWS), pa.timestamp("ms")),
                      "v": pa.array(range(ROWS), pa.int32())}),
            table="prog.t", mode="create",
        )
        seen = []
        table = taosarrow.read_arrow("SELECT * FROM prog.t", conn, progress=seen.append)
        assert table.num_rows == ROWS
        assert len(seen) > 1 and seen == sorted(seen) and seen[-1] == ROWS
        seen.clear()
        df = taosarrow.read_pandas("SELECT v FROM prog.t", conn, progress=seen.append)
        assert len(df) == ROWS and seen[-1] == ROWS
        seen.clear()
        pl = taosarrow.read_polars("SELECT v FROM prog.t", conn, progress=seen.append)
        assert pl.height == ROWS and seen[-1] == ROWS
        # progress=True is a tqdm bar when tqdm is there, nothing otherwise: either way it reads.
        assert taosarrow.read_arrow("SELECT * FROM prog.t", conn, progress=True).num_rows == ROWS
