"""The official client taos-ws-py 0.7.0 against our server: handshake, results, errors.

taos-ws-py's exceptions carry only the rendered text ``[0xCODE] Internal error: `message```,
so the code is checked in that text.
"""

from __future__ import annotations

import pytest
import taosws

N_ROWS = 10_000  # more than two blocks of 4096 rows
BASE_TS = 1_700_000_000_000


def load(conn, n: int = N_ROWS) -> None:
    """db.t(ts, v INT, s VARCHAR(10)) with rows i: ts = BASE_TS + i ms, v = i (NULL if i % 7 == 3)."""
    conn.execute("create database if not exists db")
    conn.execute("create table if not exists db.t (ts timestamp, v int, s varchar(10))")
    for start in range(0, n, 2000):
        values = " ".join(
            f"({BASE_TS + i}, {'NULL' if i % 7 == 3 else i}, 's{i}')"
            for i in range(start, min(n, start + 2000))
        )
        assert conn.execute(f"insert into db.t values {values}") == min(2000, n - start)


def check_rows(rows, n: int = N_ROWS) -> None:
    assert len(rows) == n
    for i, row in enumerate(rows):
        assert row[1] == (None if i % 7 == 3 else i), i
        assert row[2] == f"s{i}", i


def test_connect_and_version(server):
    conn = taosws.connect(server.dsn())
    # A statement round trip proves the handshake completed on the binary path.
    assert conn.execute("create database if not exists db") == 0
    conn.close()


def test_bad_password_raises_connection_error(server):
    with pytest.raises(taosws.ConnectionError) as info:
        taosws.connect(server.dsn(password="wrong"))
    assert "[0x0357]" in str(info.value)
    assert "Authentication failure" in str(info.value)


def test_custom_credentials(server_factory):
    s = server_factory("--user", "alice", "--password", "s3cret")
    with pytest.raises(taosws.ConnectionError, match=r"\[0x0357\]"):
        taosws.connect(s.dsn())
    conn = taosws.connect(s.dsn(user="alice", password="s3cret"))
    conn.close()


def test_unknown_database_in_dsn(server):
    with pytest.raises(taosws.ConnectionError, match=r"\[0x0388\]"):
        taosws.connect(server.dsn(db="no_such_db"))


def test_database_in_dsn(server):
    conn = taosws.connect(server.dsn())
    load(conn, 10)
    conn2 = taosws.connect(server.dsn(db="db"))
    rows = list(conn2.query("select ts, v, s from t order by ts"))
    check_rows(rows, 10)


def test_query_iteration_over_many_blocks(server):
    conn = taosws.connect(server.dsn())
    load(conn)
    result = conn.query("select ts, v, s from db.t order by ts")
    assert result.field_count == 3
    fields = [(f.name(), f.type(), f.bytes()) for f in result.fields]
    assert fields == [("ts", "TIMESTAMP", 8), ("v", "INT", 4), ("s", "BINARY", 10)]
    check_rows(list(result))


def test_cursor_fetchall_and_description(server):
    conn = taosws.connect(server.dsn())
    load(conn)
    cur = conn.cursor()
    cur.execute("select ts, v, s from db.t order by ts")
    assert [d[:3] for d in cur.description] == [("ts", 9, 8), ("v", 4, 4), ("s", 8, 10)]
    check_rows(cur.fetchall())
    # A second query on the same cursor (the first result is freed by the client).
    cur.execute("select ts, v, s from db.t order by ts")
    check_rows(cur.fetchall())


def test_cursor_fetchone(server):
    conn = taosws.connect(server.dsn())
    load(conn, 3)
    cur = conn.cursor()
    cur.execute("select ts, v, s from db.t order by ts")
    assert [cur.fetchone()[2] for _ in range(3)] == ["s0", "s1", "s2"]


def test_small_blocks(server_factory):
    s = server_factory("--block-rows", "7")
    conn = taosws.connect(s.dsn())
    load(conn, 100)
    check_rows(list(conn.query("select ts, v, s from db.t order by ts")), 100)


def test_empty_result(server):
    conn = taosws.connect(server.dsn())
    load(conn, 5)
    assert list(conn.query("select ts, v, s from db.t where v > 1000")) == []


def test_many_connections(server):
    conns = [taosws.connect(server.dsn()) for _ in range(8)]
    load(conns[0], 50)
    for c in conns:
        check_rows(list(c.query("select ts, v, s from db.t order by ts")), 50)
    for c in conns:
        c.close()


@pytest.mark.parametrize(
    "sql, code",
    [
        ("selec * from db.t", "0x2600"),
        ("select * from no_such_db.t", "0x0388"),
        ("select * from db.no_such_table", "0x2662"),
    ],
)
def test_errors_carry_tdengine_codes(server, sql, code):
    conn = taosws.connect(server.dsn())
    load(conn, 1)
    with pytest.raises(taosws.QueryError) as info:
        conn.query(sql)
    assert f"[{code}]" in str(info.value)
    with pytest.raises(taosws.QueryError, match=rf"\[{code}\]"):
        conn.execute(sql)
    cur = conn.cursor()
    with pytest.raises(taosws.OperationalError, match=rf"\[{code}\]"):
        cur.execute(sql)
    # The connection still works after errors.
    assert len(list(conn.query("select ts, v, s from db.t"))) == 1


def test_duplicate_table_error(server):
    conn = taosws.connect(server.dsn())
    load(conn, 1)
    with pytest.raises(taosws.QueryError, match=r"\[0x(0603|2617|0360)\]"):
        conn.execute("create table db.t (ts timestamp, v int, s varchar(10))")

