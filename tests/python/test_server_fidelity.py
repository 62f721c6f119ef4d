"""The embedded server proved by the official client, taos-ws-py 0.7.0: every column type in each
precision read back exactly through ``Cursor.execute/fetchall`` and ``Connection.query``
iteration; a multi-block result of 100,000+ rows.

Aggregates, windows, DDL and errors are in ``test_server_fidelity_sql.py``.
"""

from __future__ import annotations

import json
from typing import Iterator

import pytest
import taosws

import fidelity_data as fd
from conftest import RunningServer, start_server


@pytest.fixture(scope="module")
def srv() -> Iterator[RunningServer]:
    s = start_server()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def loaded(srv: RunningServer) -> RunningServer:
    conn = taosws.connect(srv.dsn())
    for precision in fd.PRECISIONS:
        fd.load_every_type(conn, precision)
    conn.close()
    return srv


@pytest.fixture(scope="module")
def ws(loaded: RunningServer) -> Iterator["taosws.Connection"]:
    conn = taosws.connect(loaded.dsn())
    yield conn
    conn.close()


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_every_type_through_cursor_fetchall(ws, precision):
    cur = ws.cursor()
    cur.execute(f"SELECT * FROM fid_{precision}.st ORDER BY ts")
    assert [d[:3] for d in cur.description] == [(n,) + fd.WS_TYPES[n][1:] for n in fd.ALL_NAMES]
    rows = cur.fetchall()
    want = fd.expected_rows(precision)
    assert len(rows) == len(want)
    for got, exp in zip(rows, want):
        if precision == "ns":
            assert type(got[0]) is int
        fd.assert_same_values(fd.normalize(got, precision), exp)


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_every_type_through_query_iteration(ws, precision):
    result = ws.query(f"SELECT * FROM fid_{precision}.st ORDER BY ts")
    assert result.field_count == len(fd.ALL_NAMES)
    assert [(f.name(), f.type(), f.bytes()) for f in result.fields] == [
        (n, fd.WS_TYPES[n][0], fd.WS_TYPES[n][2]) for n in fd.ALL_NAMES
    ]
    rows = list(result)
    want = fd.expected_rows(precision)
    assert len(rows) == len(want)
    for got, exp in zip(rows, want):
        assert isinstance(got[0], str)  # query iteration renders timestamps as text
        fd.assert_same_values(fd.normalize(got, precision), exp)


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_ns_timestamps_are_exact_integers(ws, precision):
    base = fd.BASE_TS[precision]
    cur = ws.cursor()
    cur.execute(f"SELECT ts, c_i32 FROM fid_{precision}.st WHERE ts = {base + 1}")
    rows = [fd.normalize(r, precision, (0,)) for r in cur.fetchall()]
    assert rows == [(base + 1, -2147483648)]
    # One tick apart stays one tick apart (a float would merge 1700000000123456789 and …790).
    cur.execute(f"SELECT ts FROM fid_{precision}.st WHERE ts >= {base} AND ts <= {base + 3} ORDER BY ts")
    assert [fd.normalize(r, precision, (0,))[0] for r in cur.fetchall()] == [base, base + 1, base + 2, base + 3]


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_selected_columns_and_tags_by_child(ws, precision):
    cur = ws.cursor()
    cur.execute(f"SELECT tbname, c_nc, c_d128, c_geo, t_nc FROM fid_{precision}.st WHERE tbname = 'd2'")
    assert cur.fetchall() == [
        ("d2", "日本語テキスト", fd.ROW_MISC[17][1], fd.ROW_MISC[15][1], None)
    ]
    rows = list(ws.query(f"SELECT c_vb, c_blob, t_s FROM fid_{precision}.d1 ORDER BY ts"))
    assert rows == [
        (fd.ROW_MAX[14][1], fd.ROW_MAX[19][1], "tag 中文"),
        (fd.ROW_MIN[14][1], fd.ROW_MIN[19][1], "tag 中文"),
        (None, None, "tag 中文"),
    ]


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_json_tag(ws, precision):
    cur = ws.cursor()
    cur.execute(f"SELECT ts, v, info FROM fid_{precision}.sj ORDER BY ts")
    assert [d[:3] for d in cur.description] == [("ts", 9, 8), ("v", 4, 4), ("info", 15, 4095)]
    rows = [fd.normalize(r, precision, (0,)) for r in cur.fetchall()]
    base = fd.BASE_TS[precision]
    assert rows == [(base, 1, fd.JSON_TAG), (base + 1, 2, None)]
    assert json.loads(rows[0][2]) == {"k": "v 中文", "n": 1.5, "t": True}
    result = ws.query(f"SELECT info FROM fid_{precision}.j1")
    assert [(f.name(), f.type(), f.bytes()) for f in result.fields] == [("info", "JSON", 4095)]
    assert list(result) == [(fd.JSON_TAG,)]


BIG_ROWS = 100_003  # 25 full 4,096-row blocks and a partial one
BIG_BASE = 1_600_000_000_000_000_000


@pytest.fixture(scope="module")
def big(srv: RunningServer) -> RunningServer:
    """big.t(ts ns, v BIGINT, s VARCHAR): row i at BIG_BASE + 7i ns, v = i * 3 - 50,000 (NULL when
    i % 1000 == 999), s = 'r<i>'."""
    conn = taosws.connect(srv.dsn())
    conn.execute("CREATE DATABASE big PRECISION 'ns'")
    conn.execute("CREATE TABLE big.t (ts TIMESTAMP, v BIGINT, s VARCHAR(12))")
    step = 10_000
    for start in range(0, BIG_ROWS, step):
        stop = min(BIG_ROWS, start + step)
        values = " ".join(
            f"({BIG_BASE + 7 * i}, {'NULL' if i % 1000 == 999 else i * 3 - 50_000}, 'r{i}')"
            for i in range(start, stop)
        )
        assert conn.execute(f"INSERT INTO big.t VALUES {values}") == stop - start
    conn.close()
    return srv


def _big_v(i: int):
    return None if i % 1000 == 999 else i * 3 - 50_000


def test_large_result_through_cursor(big):
    conn = taosws.connect(big.dsn())
    cur = conn.cursor()
    cur.execute("SELECT ts, v, s FROM big.t ORDER BY ts")
    rows = cur.fetchall()
    assert len(rows) == BIG_ROWS
    assert [r[0] for r in rows] == [BIG_BASE + 7 * i for i in range(BIG_ROWS)]
    assert [r[1] for r in rows] == [_big_v(i) for i in range(BIG_ROWS)]
    assert [r[2] for r in rows] == [f"r{i}" for i in range(BIG_ROWS)]
    conn.close()


def test_large_result_through_query_iteration_descending(big):
    conn = taosws.connect(big.dsn())
    rows = list(conn.query("SELECT v, s FROM big.t ORDER BY ts DESC"))
    assert len(rows) == BIG_ROWS
    assert rows[0] == (_big_v(BIG_ROWS - 1), f"r{BIG_ROWS - 1}")
    assert rows[-1] == (_big_v(0), "r0")
    assert sum(r[0] for r in rows if r[0] is not None) == sum(
        v for v in map(_big_v, range(BIG_ROWS)) if v is not None
    )
    assert [r[1] for r in rows] == [f"r{i}" for i in reversed(range(BIG_ROWS))]
    # The server-side aggregate over the same rows agrees.
    [(count, count_v, total, lo, hi)] = list(
        conn.query("SELECT COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v) FROM big.t")
    )
    values = [v for v in map(_big_v, range(BIG_ROWS)) if v is not None]
    assert (count, count_v, total, lo, hi) == (BIG_ROWS, len(values), sum(values), min(values), max(values))
    conn.close()


def test_ns_windows_over_many_blocks(big):
    """INTERVAL in a nanosecond database over 100k rows: windows of 100 µs, exact counts and sums."""
    conn = taosws.connect(big.dsn())
    cur = conn.cursor()
    cur.execute("SELECT _wstart, _wend, COUNT(*), SUM(v) FROM big.t INTERVAL(100u)")
    got = cur.fetchall()
    windows: dict = {}
    for i in range(BIG_ROWS):
        start = BIG_BASE + (7 * i) // 100_000 * 100_000
        count, total = windows.get(start, (0, None))
        v = _big_v(i)
        if v is not None:
            total = v if total is None else total + v
        windows[start] = (count + 1, total)
    assert got == [(s, s + 100_000, c, t) for s, (c, t) in sorted(windows.items())]
    assert type(got[0][0]) is int  # ns timestamps stay exact integers
    conn.close()
