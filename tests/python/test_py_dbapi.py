"""The PEP 249 surface and TDengine's own connection calls, against the embedded server."""

from __future__ import annotations

import datetime as dt

import pytest

import taosarrow
from taosarrow import exceptions as ex


def test_module_globals_and_constructors():
    assert (taosarrow.apilevel, taosarrow.threadsafety, taosarrow.paramstyle) == ("2.0", 2, "qmark")
    assert taosarrow.Date(2024, 1, 2) == dt.date(2024, 1, 2)
    assert taosarrow.Time(3, 4, 5) == dt.time(3, 4, 5)
    assert taosarrow.Timestamp(2024, 1, 2, 3, 4, 5) == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert taosarrow.Binary(bytearray(b"ab")) == b"ab" and taosarrow.Binary(b"\x00") == b"\x00"
    assert isinstance(taosarrow.TimestampFromTicks(0), dt.datetime)


def test_exception_tree():
    tree = {
        ex.InterfaceError: ex.Error,
        ex.DatabaseError: ex.Error,
        ex.DataError: ex.DatabaseError,
        ex.OperationalError: ex.DatabaseError,
        ex.IntegrityError: ex.DatabaseError,
        ex.InternalError: ex.DatabaseError,
        ex.ProgrammingError: ex.DatabaseError,
        ex.NotSupportedError: ex.DatabaseError,
        ex.ConnectionError: ex.OperationalError,
        ex.QueryError: ex.ProgrammingError,
        ex.StatementError: ex.ProgrammingError,
        ex.ResultError: ex.DatabaseError,
        ex.SchemalessError: ex.DataError,
        ex.TmqError: ex.OperationalError,
    }
    for cls, base in tree.items():
        assert issubclass(cls, base), cls
        e = cls("boom", 0x2600)
        assert (e.errno, e.msg) == (0x2600, "boom")
    assert issubclass(ex.Error, Exception) and issubclass(ex.Warning, Exception)


def test_cursor_surface(server):
    with taosarrow.connect(server.dsn()) as conn:
        conn.commit()
        conn.rollback()
        cur = conn.cursor()
        assert cur.rowcount == -1 and cur.description is None and cur.arraysize >= 1
        cur.execute("CREATE DATABASE pe PRECISION 'ms'")
        cur.execute("CREATE TABLE pe.t (ts TIMESTAMP, i INT, s VARCHAR(8), b VARBINARY(4), f DOUBLE)")
        cur.executemany("INSERT INTO pe.t VALUES (?, ?, ?, ?, ?)", [(1_700_000_000_000 + i, i, f"s{i}", bytes([i]), i / 2) for i in range(10)])
        assert cur.rowcount == 10
        cur.execute("SELECT ts, i, s, b, f FROM pe.t ORDER BY ts")
        names = [d[0] for d in cur.description]
        assert names == ["ts", "i", "s", "b", "f"]
        assert all(len(d) == 7 for d in cur.description)
        codes = [d[1] for d in cur.description]
        assert codes[0] == taosarrow.DATETIME and codes[1] == taosarrow.NUMBER and codes[4] == taosarrow.NUMBER
        assert codes[2] == taosarrow.STRING and codes[3] == taosarrow.BINARY
        assert codes[1] != taosarrow.STRING
        first = cur.fetchone()
        assert first[1] == 0 and first[0].tzinfo is not None
        cur.arraysize = 3
        assert len(cur.fetchmany()) == 3
        assert len(cur.fetchmany(2)) == 2
        rest = cur.fetchall()
        assert [r[1] for r in rest] == [6, 7, 8, 9]
        assert cur.fetchone() is None
        assert cur.rowcount == 10
        with pytest.raises(ex.NotSupportedError):
            cur.callproc("p")
        cur.close()
        with pytest.raises(ex.InterfaceError):
            cur.execute("SELECT 1")


def test_connection_calls(server):
    conn = taosarrow.connect(server.dsn())
    assert conn.execute("CREATE DATABASE tc") == 0
    assert conn.execute_with_req_id("CREATE TABLE tc.t (ts TIMESTAMP, v INT)", 77) == 0
    assert conn.execute("INSERT INTO tc.t VALUES (1700000000000, 1) (1700000000001, 2)") == 2
    res = conn.query_with_req_id("SELECT ts, v FROM tc.t ORDER BY ts", 78)
    assert res.field_count == 2 and [f.name for f in res.fields] == ["ts", "v"]
    assert [r[1] for r in res] == [1, 2]
    assert [d["v"] for d in conn.query("SELECT v FROM tc.t ORDER BY ts").fetch_all_into_dict()] == [1, 2]
    with pytest.raises(ex.QueryError) as info:
        conn.query("SELECT * FROM tc.nope")
    assert info.value.errno == 0x2662 - 2**31
    with pytest.raises(ex.ConnectionError):
        taosarrow.connect(server.dsn(password="wrong"), conn_retries=0)
    conn.close()
    conn.close()  # idempotent
    with pytest.raises(ex.InterfaceError):
        conn.execute("SELECT 1")


def test_keyword_options_go_through_the_rust_options(server, server_factory):
    from taosarrow import _native
    from taosarrow.connection import OPTION_NAMES
    from taosarrow.writes import MODES

    assert OPTION_NAMES == _native.OPTION_NAMES
    assert {"host", "port", "user", "password", "read_timeout", "tls_ca"} <= set(OPTION_NAMES)
    assert MODES == ("append", "create", "create_append", "replace")
    # No DSN: host, port and credentials as keywords; None values are ignored.
    conn = taosarrow.connect(
        host=server.host,
        port=server.port,
        user="root",
        password="taosdata",
        read_timeout=5.5,
        tcp_nodelay=True,
        database=None,
    )
    assert conn.execute("CREATE DATABASE kw") == 0
    conn.close()
    # The password of the DSN survives a keyword user.
    alice = server_factory("--user", "alice", "--password", "s3cret")
    with taosarrow.connect(f"ws://x:s3cret@{alice.host}:{alice.port}", user="alice") as c:
        assert c.execute("CREATE DATABASE kw") == 0
    with pytest.raises(ex.InterfaceError, match="bogus"):
        taosarrow.connect(server.dsn(), bogus=1)
    with pytest.raises(ex.InterfaceError, match="read_timeout"):
        taosarrow.connect(server.dsn(), read_timeout=-1)
    with pytest.raises(ex.InterfaceError, match="port"):
        taosarrow.connect(server.dsn(), port=70000)
