"""taospy and taos-ws-py programs against taosarrow: ``connect`` options, the connection,
``TaosResult`` and ``TaosField``, the cursor extras, row-path types and the import paths."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import taosarrow
from taosarrow.testing import LocalServer
from taosarrow.utils import gen_req_id

NS = 1_700_000_000_123_456_789


@pytest.fixture(scope="module")
def server():
    with LocalServer() as s:
        yield s


@pytest.fixture
def conn(server):
    with taosarrow.connect(server.dsn()) as c:
        yield c


def current_db(c) -> str:
    return c.cursor().execute("SELECT DATABASE()").fetchone()[0]


# ---- connect ---------------------------------------------------------------------------


def test_every_key_as_native_values_and_as_strings(server):
    native = dict(
        host=server.host, port=server.port, user="root", password="taosdata", compression=True,
        conn_retries=5, retry_backoff_ms=10, retry_backoff_max_ms=50, read_timeout=300,
        connect_timeout=10, tcp_nodelay=False, max_message_size=1 << 20, schemaless_batch_bytes=4096,
        reconnect=True, retry_writes=False, timezone="UTC", user_app="app1", user_ip="10.0.0.1",
        conn_mode=1, bi_mode=False, websocket=True, ns_timestamps="int", totp_code="123456",
    )
    text = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in native.items()}
    for options in (native, text):
        with taosarrow.connect(**options) as c:
            assert c.execute("CREATE DATABASE IF NOT EXISTS keys") == 0
            assert c.timezone == "UTC"
    assert set(native) | {"database", "token", "bearer_token", "tls_ca"} == set(taosarrow.connection.OPTION_NAMES)


def test_bad_values_as_strings_are_interface_errors(server):
    for key, value in [("port", "sixty"), ("compression", "perhaps"), ("read_timeout", "0"), ("conn_retries", "-1"),
                       ("ns_timestamps", "float"), ("websocket", "http2")]:
        with pytest.raises(taosarrow.InterfaceError, match=key):
            taosarrow.connect(server.dsn(), **{key: value})


def test_aliases_of_both_packages(server):
    with taosarrow.connect(server.dsn()) as c:
        c.execute("CREATE DATABASE IF NOT EXISTS alias_db")
    variants = [
        dict(username="root", password="taosdata", db="alias_db"),
        dict(user="root", **{"pass": "taosdata"}, database="alias_db"),
        dict(username="root", password="taosdata", db="alias_db", tz="Asia/Shanghai"),
    ]
    for v in variants:
        for host_key in ("host", "url", "ip"):
            with taosarrow.connect(port=str(server.port), **{host_key: server.host}, **v) as c:
                assert current_db(c) == "alias_db"
    with taosarrow.connect(server.dsn(), tz="Asia/Shanghai", conn_timeout="2.5", ws="ws") as c:
        assert c.timezone == "Asia/Shanghai"
    aliases = dict(taosarrow.connection.OPTION_ALIASES)
    assert aliases["username"] == "user" and aliases["db"] == "database" and aliases["tz"] == "timezone"


def test_an_args_dict_as_taos_ws_py_takes_it(server):
    args = {"user": "root", "password": "taosdata", "host": server.host, "port": str(server.port)}
    with taosarrow.connect(None, args) as c:
        assert c.execute("CREATE DATABASE IF NOT EXISTS args_db") == 0
    # Keywords win over the dict, both over the DSN.
    with taosarrow.connect(server.dsn(), {"database": "nosuch"}, database="args_db") as c:
        assert current_db(c) == "args_db"
    with taosarrow.connect(server.dsn(), args={"db": "args_db"}) as c:
        assert current_db(c) == "args_db"


def test_token_keys_reach_the_server(server):
    # The embedded server accepts token fields without checking them, as a local one may.
    with taosarrow.connect(server.dsn(), bearer_token="tok") as c:
        assert len(c.query("SHOW DATABASES").fetch_all()) >= 1
    with taosarrow.connect(f"{server.dsn()}?bearer_token=tok&totp_code=1&user_app=a") as c:
        assert len(c.query("SHOW DATABASES").fetch_all()) >= 1


def test_execute_of_a_query_affects_no_rows_and_frees_its_result(server_factory):
    # As taospy's and taos-ws-py's execute: 0 for a query. With room for one open result on
    # the server, a second query still runs only if execute freed the first one's.
    limited = server_factory("--max-results", "1")
    with taosarrow.connect(limited.dsn()) as c:
        assert c.execute("SHOW DATABASES") == 0
        assert c.execute_with_req_id("SHOW DATABASES", 7) == 0
        assert len(c.query("SHOW DATABASES").fetch_all()) >= 1


@pytest.mark.parametrize("key, value", [("charset", "UTF-8"), ("config", "/etc/taos"), ("native", False),
                                        ("decode_binary", True), ("version_prefer", "3.x")])
def test_legacy_keys_warn_instead_of_failing(server, key, value):
    with pytest.warns(DeprecationWarning, match=key) as record:
        c = taosarrow.connect(server.dsn(), **{key: value})
    assert record[0].filename == __file__
    c.close()


def test_decode_binary_false_and_unknown_keys_are_refused(server):
    with pytest.raises(taosarrow.InterfaceError, match="decode_binary"):
        taosarrow.connect(server.dsn(), decode_binary=False)
    with pytest.raises(taosarrow.InterfaceError, match="bogus"):
        taosarrow.connect(server.dsn(), bogus="1")
    with pytest.raises(taosarrow.InterfaceError, match="bogus"):
        taosarrow.connect(server.dsn(), {"bogus": "1"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        taosarrow.connect(server.dsn()).close()


# ---- the connection --------------------------------------------------------------------


def test_connection_calls(conn):
    conn.commit()
    conn.rollback()
    assert conn.execute("CREATE DATABASE cc PRECISION 'ms'") == 0
    assert conn.select_db("cc") is None
    assert current_db(conn) == "cc"
    assert conn.execute("CREATE TABLE t (ts TIMESTAMP, v INT)") == 0
    assert conn.execute("INSERT INTO t VALUES (1700000000000, 1) (1700000000001, 2)") == 2
    assert conn.load_table_info("t,cc.t") is None
    conn.clear_result_set()
    version = conn.cursor().execute("SELECT SERVER_VERSION()").fetchone()[0]
    assert conn.server_info == version and version[0].isdigit()
    assert conn.client_info == taosarrow.__version__
    inserted = conn.query("INSERT INTO t VALUES (1700000000002, 3)")
    assert inserted.affected_rows == 1 and inserted.field_count == 0 and inserted.fetch_all() == []
    assert conn.execute_with_req_id("INSERT INTO t VALUES (1700000000003, 4)", gen_req_id()) == 1
    assert [r[1] for r in conn.query("SELECT * FROM t ORDER BY ts", req_id=gen_req_id())] == [1, 2, 3, 4]
    with pytest.raises(taosarrow.ProgrammingError):
        conn.select_db("no_such_db")
    conn.close()
    conn.close()
    with pytest.raises(taosarrow.InterfaceError):
        conn.select_db("cc")


# ---- TaosResult and TaosField ----------------------------------------------------------


@pytest.fixture
def weather(conn):
    conn.execute("CREATE DATABASE IF NOT EXISTS rs PRECISION 'ms'")
    conn.execute("CREATE STABLE IF NOT EXISTS rs.weather (ts TIMESTAMP, temperature FLOAT, note NCHAR(8)) TAGS (location INT)")
    values = " ".join(f"({1_700_000_000_000 + i}, {i}.5, 'n{i}')" for i in range(10))
    conn.execute(f"INSERT INTO rs.t1 USING rs.weather TAGS (1) VALUES {values}")
    return "SELECT ts, temperature, note, location FROM rs.weather ORDER BY ts"


def test_fields_are_taospy_attributes_and_taos_ws_py_methods(conn, weather):
    result = conn.query(weather)
    fields = result.fields
    assert result.field_count == fields.count == len(fields) == 4
    ts, temp, note, loc = fields
    assert (ts.name, ts.type, ts.bytes, ts.length) == ("ts", 9, 8, 8)
    assert (ts.name(), ts.type(), ts.bytes()) == ("ts", "TIMESTAMP", 8)
    assert (temp.type, temp.type()) == (6, "FLOAT") and (loc.type, loc.type()) == (4, "INT")
    assert (note.type, note.type(), note.bytes) == (10, "NCHAR", 8)
    assert isinstance(ts.name, str) and isinstance(ts.type, int) and isinstance(ts.bytes, int)
    assert ts["name"] == "ts" and ts["type"] == 9 and ts["bytes"] == 8
    assert str(ts) == "{name: ts, type: 9, bytes: 8}"
    assert tuple(ts) == ("ts", 9, 8, 0, 0) and ts.type_code == 9 and ts.type_name == "TIMESTAMP"
    assert [f.name for f in fields] == ["ts", "temperature", "note", "location"]
    result.close()


def test_result_iteration_and_counts(conn, weather):
    result = conn.query(weather)
    assert result.row_count == 0 and result.precision == 0 and result.precision_name == "ms"
    first = next(result)
    assert first[0] == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    assert first[1:] == (0.5, "n0", 1)
    assert result.next()[2] == "n1" and result.row_count == 2
    assert iter(result) is result
    rest = list(result)
    assert [r[2] for r in rest] == [f"n{i}" for i in range(2, 10)] and result.row_count == 10
    assert result.fetch_all() == [] and list(result) == []
    assert result.errno() == 0 and result.errstr() == ""
    result.close()
    result.close()


def test_fetch_all_dicts_blocks_and_rows_iter(conn, weather):
    all_rows = conn.query(weather).fetch_all()
    assert len(all_rows) == 10 and all(isinstance(r, tuple) for r in all_rows)
    dicts = conn.query(weather).fetch_all_into_dict()
    assert dicts[3] == dict(zip(["ts", "temperature", "note", "location"], all_rows[3]))
    blocks = list(conn.query(weather).blocks_iter())
    assert sum(n for _, n in blocks) == 10 and [r for rows, _ in blocks for r in rows] == all_rows
    result = conn.query(weather)
    rows = list(result.rows_iter(num_of_rows=4))
    assert [r() for r in rows] == all_rows[:4] and rows[0].as_tuple() == all_rows[0]
    assert rows[1].as_dict()["note"] == "n1" and result.row_count == 4
    assert result.fetch_block()[1] == 6
    with pytest.raises(StopIteration):
        result.fetch_block()
    stopped = conn.query(weather)
    stopped.stop_query()
    assert stopped.fetch_all() == []


def test_results_of_a_small_block_server():
    with LocalServer(block_rows=3) as s, taosarrow.connect(s.dsn()) as c:
        c.execute("CREATE DATABASE b PRECISION 'us'")
        c.execute("CREATE TABLE b.t (ts TIMESTAMP, v INT)")
        c.execute("INSERT INTO b.t VALUES " + " ".join(f"({1_700_000_000_000_000 + i}, {i})" for i in range(8)))
        result = c.query("SELECT * FROM b.t ORDER BY ts")
        assert result.precision == 1
        assert [n for _, n in result.blocks_iter()] == [3, 3, 2]
        result = c.query("SELECT * FROM b.t ORDER BY ts")
        assert next(result)[1] == 0 and result.fetch_block()[1] == 2 and len(result.fetch_all()) == 5
        assert result.row_count == 8


# ---- the cursor ------------------------------------------------------------------------


def test_cursor_execute_returns_affected_rows_or_the_cursor(conn):
    cur = conn.cursor()
    assert cur.execute("CREATE DATABASE cur PRECISION 'ms'") == 0
    assert cur.execute("CREATE TABLE cur.t (ts TIMESTAMP, v INT, s VARCHAR(16))") == 0
    assert cur.execute("INSERT INTO cur.t VALUES (1700000000000, 1, 'a') (1700000000001, 2, 'b')") == 2
    assert cur.rowcount == cur.row_count == cur.affected_rows == 2
    assert cur.execute("INSERT INTO cur.t VALUES (?, ?, ?)", [1_700_000_000_002, 3, "c"]) == 1
    assert cur.execute("SELECT v FROM cur.t ORDER BY ts") is cur
    assert cur.affected_rows == 0 and cur.keys() == ["v"] and cur.istype(0, "int")
    assert cur.fetchall() == [(1,), (2,), (3,)] and cur.row_count == 3
    assert cur.execute("SELECT v FROM cur.t WHERE v = ?", (2,)).fetchall() == [(2,)]
    assert cur.execute("SELECT v, s FROM cur.t ORDER BY ts", None, gen_req_id()).fetch_all_into_dict()[0] == {"v": 1, "s": "a"}
    cur.execute("SELECT s FROM cur.t ORDER BY ts", parameters=None)
    assert cur.fetchallintodict() == [{"s": "a"}, {"s": "b"}, {"s": "c"}]
    assert cur.nextset() is None
    cur.setinputsize(None)
    cur.setoutputsizes(None)
    with pytest.raises(taosarrow.NotSupportedError):
        cur.call_proc("p")


def test_taos_ws_py_format_parameters(conn):
    """taos-ws-py's own test: ``{}`` placeholders filled by ``str.format`` arguments."""
    cur = conn.cursor()
    db = "t_ws"
    assert cur.execute("SHOW DATABASES", 1) is cur
    cur.execute("drop database if exists {}", db)
    cur.execute("create database {}", db)
    cur.execute("use {name}", name=db)
    assert current_db(conn) == db
    cur.execute("create stable stb (ts timestamp, v1 int) tags(t1 int)")
    data = [{"name": "tb1", "t1": 1}, {"name": "tb2", "t1": 2}]
    assert cur.execute_many("create table {name} using stb tags({t1})", data) == 0
    ts = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc)
    data = [("tb1", ts, 1), ("tb2", ts, 2)]
    assert cur.execute_many("insert into {} values('{}', {})", data) == 2
    assert cur.row_count == 2
    cur.execute("select ts, v1, t1 from stb order by t1")
    assert cur.fetchall() == [(ts, 1, 1), (ts, 2, 2)]
    assert cur.execute_with_req_id("show databases", 1) is cur
    cur.execute_with_req_id("use {name}", name=db, req_id=13)
    rows = [{"name": "tb3", "t1": 3}]
    assert cur.execute_many_with_req_id("create table {name} using stb tags({t1})", rows, 1) == 0
    assert cur.execute_with_req_id("insert into tb3 values({}, {v})", 1_704_164_645_678, v=3, req_id=gen_req_id()) == 1
    with pytest.raises(taosarrow.ProgrammingError, match="req_id"):
        cur.execute_with_req_id("show databases")


def test_format_parameters_cannot_change_the_statement(conn):
    cur = conn.cursor()
    cur.execute("CREATE DATABASE fmt PRECISION 'ms'")
    cur.execute("CREATE TABLE fmt.t (ts TIMESTAMP, s VARCHAR(64), n NCHAR(16), v DOUBLE)")
    tricky = "it's a \\' test; DROP DATABASE fmt --"
    assert cur.execute("INSERT INTO fmt.t VALUES ({}, '{}', '{n}', {v:.2f})", 1_700_000_000_000, tricky, n="x'y", v=1.5) == 1
    assert cur.execute("INSERT INTO fmt.t VALUES ({ts}, {s}, NULL, {v})", ts=1_700_000_000_001, s=None, v=decimal.Decimal("-2.5")) == 1
    assert cur.execute("SELECT s, n, v FROM fmt.t ORDER BY ts").fetchall() == [(tricky, "x'y", 1.5), (None, None, -2.5)]
    for bad in ["x; DROP DATABASE fmt", "a b", "'q'", "1)--"]:
        with pytest.raises(taosarrow.ProgrammingError, match="cannot stand bare"):
            cur.execute("SELECT * FROM fmt.t WHERE s = {}", bad)
    with pytest.raises(taosarrow.ProgrammingError, match="no parameter"):
        cur.execute("SELECT {} {}", 1)
    with pytest.raises(taosarrow.ProgrammingError, match="comment"):
        cur.execute("SELECT 1 -- {}", "x")
    assert cur.execute("SELECT COUNT(*) FROM fmt.t").fetchone() == (2,)
    # A negative number after a minus sign does not start a comment.
    assert cur.execute("SELECT v FROM fmt.t WHERE 0-v = 0-{}", -2.5).fetchall() == [(-2.5,)]


def test_taospy_execute_many_appends_value_groups(conn):
    cur = conn.cursor()
    cur.execute("CREATE DATABASE em PRECISION 'ms'")
    cur.execute("CREATE TABLE em.t (ts TIMESTAMP, v INT, s VARCHAR(8))")
    rows = [(1_700_000_000_000, 1, "a'b"), [1_700_000_000_001, 2, None]]
    assert cur.execute_many("INSERT INTO em.t VALUES", rows) == 2
    assert cur.execute("SELECT v, s FROM em.t ORDER BY ts").fetchall() == [(1, "a'b"), (2, None)]
    with pytest.raises(taosarrow.ProgrammingError):
        cur.execute_many("SELECT {v}", [{"v": 1}])


def test_cursor_log(conn, tmp_path):
    cur = conn.cursor()
    path = tmp_path / "sql.log"
    cur.log(str(path))
    cur.execute("SHOW DATABASES")
    assert path.read_text(encoding="utf-8") == "SHOW DATABASES;\n"


# ---- row-path types --------------------------------------------------------------------


@pytest.fixture
def typed(conn):
    conn.execute("CREATE DATABASE IF NOT EXISTS ty_ns PRECISION 'ns'")
    conn.execute("CREATE TABLE IF NOT EXISTS ty_ns.t (ts TIMESTAMP, vb VARBINARY(8), g GEOMETRY(64), b BLOB, d DECIMAL(10,2), d2 DECIMAL(30,5))")
    conn.execute(f"INSERT INTO ty_ns.t VALUES ({NS}, '\\x00ff', 'POINT(1 2)', '\\x0102', 12.34, -123456789012345678901.5)")
    conn.execute(f"INSERT INTO ty_ns.t VALUES ({NS + 1}, NULL, NULL, NULL, NULL, NULL)")
    return "SELECT * FROM ty_ns.t ORDER BY ts"


def test_binary_and_decimal_values(conn, typed):
    row, empty = conn.query(typed).fetch_all()
    assert row[1] == b"\x00\xff" and isinstance(row[2], bytes) and row[3] == b"\x01\x02"
    assert row[4] == decimal.Decimal("12.34") and row[5] == decimal.Decimal("-123456789012345678901.50000")
    assert empty[1:] == (None,) * 5


def test_ns_timestamps_are_ints_by_default_and_a_real_type_on_request(server, conn, typed):
    assert conn.query(typed).fetch_all()[0][0] == NS
    assert conn.cursor().execute(typed).fetchone()[0] == NS and conn.ns_timestamps == "int"
    with taosarrow.connect(server.dsn(), ns_timestamps="pandas", timezone="Asia/Shanghai") as c:
        ts = c.query(typed).fetch_all()[0][0]
        assert isinstance(ts, pd.Timestamp) and ts.value == NS and ts.nanosecond == 789
        assert str(ts.tz) == "Asia/Shanghai"
        assert c.cursor().execute(typed).fetchone()[0] == ts
    with taosarrow.connect(f"{server.dsn()}?ns_timestamps=numpy") as c:
        ts = c.cursor().execute(typed).fetchone()[0]
        assert isinstance(ts, np.datetime64) and ts == np.datetime64(NS, "ns")
        assert next(iter(c.query(typed)))[0].astype("int64") == NS
        assert c.query(typed).fetch_all()[1][0] == np.datetime64(NS + 1, "ns")


def test_ms_us_are_datetimes_and_arrow_paths_are_timestamps(conn, typed):
    conn.execute("CREATE DATABASE IF NOT EXISTS ty_us PRECISION 'us'")
    conn.execute("CREATE TABLE IF NOT EXISTS ty_us.t (ts TIMESTAMP, v INT)")
    conn.execute("INSERT INTO ty_us.t VALUES (1700000000123456, 1)")
    us = conn.query("SELECT ts FROM ty_us.t").fetch_all()[0][0]
    assert us == dt.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=dt.timezone.utc)
    table = pa.table(conn.query(typed).to_arrow())
    assert table.schema.field("ts").type == pa.timestamp("ns")
    assert table.column("ts")[0].value == NS
    assert taosarrow.read_pandas(typed, conn)["ts"].iloc[0].value == NS


# ---- import paths ----------------------------------------------------------------------


def test_import_paths():
    from taosarrow import IS_V3, TaosConnection, TaosCursor
    from taosarrow.error import ProgrammingError
    from taosarrow.utils import gen_req_id as g

    assert IS_V3 is True and TaosConnection is taosarrow.Connection and TaosCursor is taosarrow.Cursor
    assert ProgrammingError is taosarrow.ProgrammingError and g is gen_req_id


def test_gen_req_id_is_taospy_shaped_and_unique():
    ids = [gen_req_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**63 for i in ids)
    # pid bits and hash bits are the same for one process; the serial counts up.
    assert {(i >> 48) & 0xF for i in ids} == {os.getpid() & 0xF}
    assert len({i >> 52 for i in ids}) == 1
    assert (ids[1] & 0xFFFFF) == ((ids[0] & 0xFFFFF) + 1) & 0xFFFFF


def test_json_braces_in_the_sql_are_not_placeholders(conn):
    cur = conn.cursor()
    cur.execute("CREATE DATABASE js PRECISION 'ms'")
    cur.execute("CREATE STABLE js.st (ts TIMESTAMP, v INT) TAGS (j JSON)")
    sql = 'INSERT INTO js.d1 USING js.st TAGS (\'{"k": 1}\') VALUES'
    assert cur.execute_many(sql, [(1_700_000_000_000, 1), (1_700_000_000_001, 2)]) == 2
    assert cur.execute('SELECT v FROM js.st ORDER BY ts').fetchall() == [(1,), (2,)]
    # qmark parameters with the same literal in the SQL.
    assert cur.execute('INSERT INTO js.d1 USING js.st TAGS (\'{"k": 1}\') VALUES (?, ?)', params=(1_700_000_000_002, 3)) == 1
    with pytest.raises(taosarrow.ProgrammingError, match="parameters"):
        cur.execute("SELECT ?", (1,), 2, 3)


def test_taospy_module_level_names():
    from taosarrow import statement2, utils

    assert taosarrow.IS_V3 is True and statement2.IS_V3 is True and "IS_V3" in statement2.__all__
    # MurmurHash3 x86_32 with taospy's seed, over the first `length` bytes.
    assert utils.murmurhash3_32(b"", 0) == utils.murmurhash3_32(b"abc", 0)
    assert utils.murmurhash3_32(b"python", 6) != utils.murmurhash3_32(b"python", 5)
    assert 0 <= utils.murmurhash3_32(b"123", 3) < 2**32
    with pytest.raises(ValueError):
        utils.murmurhash3_32(b"ab", 3)
    with pytest.raises(TypeError):
        utils.murmurhash3_32("ab", 2)


def test_small_caller_req_ids_get_their_own_replies(server):
    # taos-ws-py programs pass req_id 1 (or 2, …) to every call. Closing a result just after
    # its query leaves its first fetch's reply on the way; the next call, reusing a small id,
    # must not take that reply for its own (fresh connections: the client's ids start low).
    for _ in range(40):
        with taosarrow.connect(server.dsn()) as c:
            assert c.execute_with_req_id("SHOW DATABASES", 1) == 0
            assert c.execute_with_req_id("CREATE DATABASE IF NOT EXISTS rq", 2) == 0
            assert c.execute_with_req_id("SHOW DATABASES", 1) == 0
