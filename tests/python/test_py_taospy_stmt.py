"""taospy's statement API (``conn.statement(sql)``, stmt v1, with ``new_bind_params`` /
``new_multi_binds``) against the in-process server: the flows of taospy's ``bind-row``,
``bind-multi``, ``json-tag`` and ``native_all_type_stmt`` examples and of its stmt tests,
call for call (``USE db`` stands for ``select_db``), then affected rows over several
executes, several child tables per execute, queries with ``?``, timestamp precisions, the
taos-ws-py views on the same statement, and the errors."""

from __future__ import annotations

import datetime as dt
import json
import struct
from typing import Any, Iterator, List, NamedTuple

import pyarrow as pa
import pytest

import taosarrow as taos
from taosarrow import (
    InterfaceError,
    PrecisionEnum,
    ProgrammingError,
    StatementError,
    new_bind_params,
    new_multi_binds,
)
from taosarrow.stmt1 import Statement
from taosarrow.taos_stmt import TaosStmt
from taosarrow.testing import LocalServer

MS = 1626861392589
UTC = dt.timezone.utc
LOG = (
    "create table if not exists log(ts timestamp, bo bool, nil tinyint, "
    "ti tinyint, si smallint, ii int, bi bigint, tu tinyint unsigned, "
    "su smallint unsigned, iu int unsigned, bu bigint unsigned, "
    "ff float, dd double, bb binary(100), nn nchar(100), tt timestamp)"
)
LOG_TAGS = (
    " tags (t1 timestamp, t2 bool, t3 tinyint, t4 tinyint, t5 smallint, t6 int, t7 bigint, "
    "t8 tinyint unsigned, t9 smallint unsigned, t10 int unsigned, t11 bigint unsigned, "
    "t12 float, t13 double, t14 binary(100), t15 nchar(100), t16 timestamp)"
)
Q16 = ",".join("?" * 16)
WKB_POINT = bytes([0x01, 0x01, 0, 0, 0] + [0] * 6 + [0x59, 0x40] + [0] * 6 + [0x59, 0x40])


def f32(x: float) -> float:
    """The value a FLOAT column holds for ``x``."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def at(ms: int) -> dt.datetime:
    """The datetime a row holds for ``ms`` milliseconds since the epoch."""
    return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=ms)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


def connect_db(server: LocalServer, name: str, precision: str = "ms") -> "taos.Connection":
    conn = taos.connect(server.dsn())
    conn.execute(f"drop database if exists {name}")
    conn.execute(f"create database if not exists {name} precision '{precision}'")
    conn.execute(f"use {name}")
    return conn


@pytest.fixture
def conn(server: LocalServer, request: pytest.FixtureRequest) -> Iterator["taos.Connection"]:
    c = connect_db(server, "tp_" + request.node.name.split("[")[0].removeprefix("test_")[:40])
    yield c
    c.close()


def rows(conn: "taos.Connection", sql: str) -> List[tuple]:
    return [tuple(r) for r in conn.query(sql)]


def ticks(conn: "taos.Connection", sql: str) -> List[Any]:
    """The first column of ``sql`` as integers (timestamps as ticks of the database)."""
    t = pa.table(conn.query(sql).to_arrow())
    return t.column(0).cast(pa.int64()).to_pylist()


def fill_log_row(params: List[Any], ts: int) -> None:
    """The sixteen setters of taospy's bind-row example."""
    params[0].timestamp(ts)
    params[1].bool(True)
    params[2].tinyint(None)
    params[3].tinyint(2)
    params[4].smallint(3)
    params[5].int(4)
    params[6].bigint(5)
    params[7].tinyint_unsigned(6)
    params[8].smallint_unsigned(7)
    params[9].int_unsigned(8)
    params[10].bigint_unsigned(9)
    params[11].float(10.1)
    params[12].double(10.11)
    params[13].binary("hello")
    params[14].nchar("stmt")
    params[15].timestamp(ts, PrecisionEnum.Milliseconds)


LOG_ROW = (True, None, 2, 3, 4, 5, 6, 7, 8, 9, f32(10.1), 10.11, "hello", "stmt")


# -- the taospy example flows ------------------------------------------------------------------


def test_bind_row_example(conn):
    conn.execute(LOG)
    stmt = conn.statement(f"insert into log values({Q16})")
    assert isinstance(stmt, TaosStmt) and isinstance(stmt, Statement)
    params = new_bind_params(16)
    fill_log_row(params, MS)
    stmt.bind_param(params)
    params[0].timestamp(MS + 1)
    params[15].timestamp(None)
    stmt.bind_param(params)
    stmt.execute()
    assert stmt.affected_rows == 2
    result = conn.query("select * from log")
    got = [tuple(r) for r in result]
    result.close()
    stmt.close()
    assert got == [(at(MS),) + LOG_ROW + (at(MS),), (at(MS + 1),) + LOG_ROW + (None,)]


def test_bind_multi_example(conn):
    conn.execute(LOG)
    stmt = conn.statement(f"insert into log values({Q16})")
    params = new_multi_binds(16)
    params[0].timestamp((MS, MS + 1, MS + 2))
    params[1].bool((True, None, False))
    params[2].tinyint([-128, -128, None])  # a value in TDengine 3, not NULL
    params[3].tinyint([0, 127, None])
    params[4].smallint([3, None, 2])
    params[5].int([3, 4, None])
    params[6].bigint([3, 4, None])
    params[7].tinyint_unsigned([3, 4, None])
    params[8].smallint_unsigned([3, 4, None])
    params[9].int_unsigned([3, 4, None])
    params[10].bigint_unsigned([3, 4, None])
    params[11].float([3, None, 1])
    params[12].double([3, None, 1.2])
    params[13].binary(["abc", "dddafadfadfadfadfa", None])
    params[14].nchar(["涛思数据", None, "a long string with 中文字符"])
    params[15].timestamp([None, None, MS + 2])
    stmt.bind_param_batch(params)
    stmt.execute()
    assert stmt.affected_rows == 3
    assert rows(conn, "select * from log") == [
        (at(MS), True, -128, 0, 3, 3, 3, 3, 3, 3, 3, 3.0, 3.0, "abc", "涛思数据", None),
        (at(MS + 1), None, -128, 127, None, 4, 4, 4, 4, 4, 4, None, None,
         "dddafadfadfadfadfa", None, None),
        (at(MS + 2), False, None, None, 2, None, None, None, None, None, None, 1.0, 1.2, None,
         "a long string with 中文字符", at(MS + 2)),
    ]
    stmt.close()


def test_set_tbname_tags_with_every_type(conn):
    conn.execute(LOG + LOG_TAGS)
    stmt = conn.statement(f"insert into ? using log tags ({Q16}) values ({Q16})")
    tags = new_bind_params(16)
    fill_log_row(tags, MS)
    stmt.set_tbname_tags("tb1", tags)
    params = new_bind_params(16)
    fill_log_row(params, MS)
    stmt.bind_param(params)
    stmt.execute()
    assert stmt.affected_rows == 1
    row = rows(conn, "select * from log")[0]
    assert row[:16] == (at(MS),) + LOG_ROW + (at(MS),)
    assert row[16:] == (at(MS),) + LOG_ROW + (at(MS),)
    assert rows(conn, "select tbname from log") == [("tb1",)]


def test_null_tags_and_columns(conn):
    conn.execute(LOG + LOG_TAGS)
    stmt = conn.statement(f"insert into ? using log tags ({Q16}) values ({Q16})")
    tags = new_bind_params(16)
    fill_log_row(tags, MS)
    stmt.set_tbname_tags("tb1", tags)
    params = new_multi_binds(16)
    params[0].timestamp([MS, MS + 1, MS + 2])
    for p, setter in zip(params[1:15], ["bool", "tinyint", "tinyint", "smallint", "int",
                                         "bigint", "tinyint_unsigned", "smallint_unsigned",
                                         "int_unsigned", "bigint_unsigned", "float", "double",
                                         "binary", "nchar"]):
        getattr(p, setter)([None, None, None])
    params[15].timestamp([None, None, None])
    stmt.bind_param_batch(params)
    stmt.execute()
    assert stmt.affected_rows == 3
    got = rows(conn, "select * from log")
    assert [r[0] for r in got] == [at(MS), at(MS + 1), at(MS + 2)]
    assert all(v is None for r in got for v in r[1:16])


def test_json_tag_example(conn):
    # taospy's json-tag example: JSON tags written and read with plain SQL (with a data row:
    # this server answers a tags-only query of a super table from its rows).
    conn.execute("create stable s1 (ts timestamp, v1 int) tags (info json)")
    conn.execute("create table s1_1 using s1 tags ('{\"k1\": \"v1\"}')")
    conn.execute("insert into s1_1 values (now, 1)")
    tags = conn.query("select info, tbname from s1").fetch_all_into_dict()
    assert [(json.loads(t["info"]), t["tbname"]) for t in tags] == [({"k1": "v1"}, "s1_1")]
    # native_all_type_stmt's json_tag_example: a JSON tag bound through the statement.
    rows_affected = conn.execute("create table if not exists stb (ts timestamp, v int) tags(jt json)")
    assert rows_affected == 0
    stmt = conn.statement("INSERT INTO ? using stb tags(?) VALUES (?,?)")
    tags = new_bind_params(1)
    tags[0].json('{"name":"value"}')
    stmt.set_tbname_tags("tb1", tags)
    params = new_bind_params(2)
    params[0].timestamp(MS, PrecisionEnum.Milliseconds)
    params[1].int(7)
    stmt.bind_param(params)
    stmt.execute()
    assert stmt.affected_rows == 1
    result = conn.query("SELECT ts, v, jt FROM stb limit 100", req_id=1)
    assert [tuple(r) for r in result] == [(at(MS), 7, '{"name":"value"}')]


def test_all_type_example(conn):
    cols = ["ts timestamp", "int_col INT", "double_col DOUBLE", "bool_col BOOL",
            "binary_col BINARY(100)", "nchar_col NCHAR(100)", "varbinary_col VARBINARY(100)",
            "geometry_col GEOMETRY(100)"]
    tag_defs = ["int_tag INT", "double_tag DOUBLE", "bool_tag BOOL", "binary_tag BINARY(100)",
                "nchar_tag NCHAR(100)", "varbinary_tag VARBINARY(100)",
                "geometry_tag GEOMETRY(100)"]
    conn.execute("create table IF NOT EXISTS stb(%s) tags(%s)" % (",".join(cols), ",".join(tag_defs)))
    stmt = conn.statement("INSERT INTO ? using stb tags(?,?,?,?,?,?,?) VALUES (?,?,?,?,?,?,?,?)")
    tags = new_bind_params(7)
    tags[0].int(1)
    tags[1].double(1.1)
    tags[2].bool(True)
    tags[3].binary("hello")
    tags[4].nchar("stmt")
    tags[5].varbinary(bytearray("Hello, world!", "utf-8"))
    tags[6].geometry(bytearray(WKB_POINT))
    stmt.set_tbname_tags("tb1", tags)
    params = new_bind_params(8)
    params[0].timestamp(MS, PrecisionEnum.Milliseconds)
    params[1].int(1)
    params[2].double(1.1)
    params[3].bool(True)
    params[4].binary("hello")
    params[5].nchar("stmt")
    params[6].varbinary(bytearray("Hello, world!", "utf-8"))
    params[7].geometry(bytearray(WKB_POINT))
    stmt.bind_param(params)
    stmt.execute()
    assert stmt.affected_rows == 1
    result = conn.query("SELECT * FROM stb limit 100", req_id=1)
    values = (1, 1.1, True, "hello", "stmt", b"Hello, world!", WKB_POINT)
    got = result.fetch_all_into_dict()
    assert len(got) == 1
    assert tuple(got[0].values()) == (at(MS),) + values + values


# -- affected rows, child tables, batches ------------------------------------------------------


def test_affected_rows_add_up_over_executes_and_tables(conn):
    conn.execute("create stable st (ts timestamp, v int) tags (loc nchar(10), g int)")
    stmt = conn.statement("insert into ? using st tags (?, ?) values (?, ?)")
    for n, name in enumerate(["d1", "d2", "d3"]):
        tags = new_bind_params(2)
        tags[0].nchar(f"loc{n}")
        tags[1].int(n)
        stmt.set_tbname_tags(name, tags)
        values = new_multi_binds(2)
        values[0].timestamp([MS + i for i in range(n + 1)])
        values[1].int(list(range(n + 1)))
        stmt.bind_param_batch(values)
    assert stmt.execute() == 6
    assert stmt.affected_rows == 6
    tags = new_bind_params(2)
    tags[0].nchar("loc0")
    tags[1].int(0)
    stmt.set_tbname_tags("d1", tags)
    one = new_bind_params(2)
    one[0].timestamp(MS + 100)
    one[1].int(100)
    stmt.bind_param(one)
    assert stmt.execute() == 1
    assert stmt.affected_rows == 7
    assert rows(conn, "select tbname, count(*) from st group by tbname order by tbname") == [
        ("d1", 2), ("d2", 2), ("d3", 3)]
    assert rows(conn, "select distinct tbname, loc, g from st order by tbname") == [
        ("d1", "loc0", 0), ("d2", "loc1", 1), ("d3", "loc2", 2)]
    stmt.close()


def test_existing_child_table_and_set_tbname_then_set_tags(conn):
    conn.execute("create stable st (ts timestamp, v int) tags (g int)")
    conn.execute("create table c1 using st tags (1)")
    stmt = conn.statement("insert into c1 values (?, ?)")
    p = new_bind_params(2)
    p[0].timestamp(MS)
    p[1].int(1)
    stmt.bind_param(p)
    stmt.execute()
    stmt2 = conn.statement("insert into ? using st tags (?) values (?, ?)")
    stmt2.set_tbname("c2")
    tag = new_bind_params(1)
    tag[0].int(2)
    stmt2.set_tags(tag)
    stmt2.bind_param(p)
    stmt2.execute()
    assert (stmt.affected_rows, stmt2.affected_rows) == (1, 1)
    assert rows(conn, "select tbname, g, v from st order by tbname") == [("c1", 1, 1), ("c2", 2, 1)]


def test_bind_param_without_add_batch(conn):
    conn.execute("create table t (ts timestamp, v int)")
    stmt = conn.statement("insert into t values (?, ?)")
    p = new_multi_binds(2)
    p[0].timestamp([MS, MS + 1])
    p[1].int([1, 2])
    stmt.bind_param_batch(p, add_batch=False)
    p[0].timestamp([MS + 2])
    p[1].int([3])
    stmt.bind_param(p, add_batch=False)
    stmt.add_batch()
    assert stmt.execute() == 3
    assert rows(conn, "select v from t order by ts") == [(1,), (2,), (3,)]


def test_bind_params_with_lists_bind_several_rows(conn):
    # As with TDengine 3's taospy, whose new_bind_params gives multi binds.
    conn.execute("create table t (ts timestamp, v int)")
    stmt = conn.statement("insert into t values (?, ?)")
    p = new_bind_params(2)
    p[0].timestamp([MS, MS + 1])
    p[1].int((1, None))
    stmt.bind_param(p)
    assert stmt.execute() == 2
    assert rows(conn, "select v from t order by ts") == [(1,), (None,)]


def test_setters_convert_to_the_column_types(conn):
    conn.execute("create table t (ts timestamp, big bigint, f double, s varchar(10), vb varbinary(10))")
    stmt = conn.statement("insert into t values (?, ?, ?, ?, ?)")
    p = new_multi_binds(5)
    p[0].timestamp([MS, MS + 1])
    p[1].int([1, None])
    p[2].float([1.5, 2])
    p[3].nchar(["ü", None])
    p[4].binary(["x", None])
    stmt.bind_param_batch(p)
    stmt.execute()
    assert rows(conn, "select big, f, s, vb from t order by ts") == [
        (1, 1.5, "ü", b"x"), (None, 2.0, None, None)]


def test_null_setter_takes_the_column_type(conn):
    conn.execute("create table t (ts timestamp, v int, s varchar(4))")
    stmt = conn.statement("insert into t values (?, ?, ?)")
    p = new_multi_binds(3)
    p[0].timestamp([MS, MS + 1])
    p[1].null(2)
    p[2].null(2)
    stmt.bind_param_batch(p)
    stmt.execute()
    assert rows(conn, "select v, s from t") == [(None, None), (None, None)]


# -- queries -----------------------------------------------------------------------------------


def test_query_with_parameters_and_use_result(conn):
    conn.execute(LOG)
    ins = conn.statement(f"insert into log values({Q16})")
    params = new_bind_params(16)
    for i in range(3):
        fill_log_row(params, MS + i)
        params[5].int(i)
        ins.bind_param(params)
    ins.execute()
    stmt = conn.statement("select ts, ii, bb from log where ii >= ? and bb = ? and ts > ?")
    q = new_bind_params(3)
    q[0].int(1)
    q[1].binary("hello")
    q[2].timestamp(MS)
    stmt.bind_param(q)
    stmt.execute()
    result = stmt.use_result()
    assert [tuple(r) for r in result] == [(at(MS + 1), 1, "hello"), (at(MS + 2), 2, "hello")]
    assert stmt.affected_rows == 0
    stmt.close()


# -- timestamps and precisions -----------------------------------------------------------------


@pytest.mark.parametrize("precision,factor", [("ms", 1), ("us", 1000), ("ns", 1_000_000)])
def test_timestamps_in_each_database_precision(server, precision, factor):
    conn = connect_db(server, f"tp_prec_{precision}", precision)
    try:
        conn.execute("create table t (ts timestamp, n int)")
        stmt = conn.statement("insert into t values (?, ?)")
        p = new_multi_binds(2)
        d = dt.datetime(2021, 7, 21, 9, 56, 32, 590000, tzinfo=UTC)
        p[0].timestamp([MS, d, "2021-07-21T09:56:32.592+00:00"])
        p[1].int([0, 1, 2])
        stmt.bind_param_batch(p)
        p[0].timestamp([(MS + 10) * 1000], PrecisionEnum.Microseconds)
        p[1].int([3])
        stmt.bind_param_batch(p)
        # Ints alone are raw ticks of the database precision, whatever precision= says.
        p[0].timestamp([(MS + 20) * factor], PrecisionEnum.Microseconds)
        p[1].int([4])
        stmt.bind_param_batch(p)
        stmt.execute()
        assert stmt.affected_rows == 5
        got = ticks(conn, "select ts from t order by n")
        assert got == [MS * factor, (MS + 1) * factor, (MS + 3) * factor, (MS + 10) * 1000,
                       (MS + 20) * factor]
    finally:
        conn.close()


def test_finer_ticks_than_the_database_raise(conn):
    conn.execute("create table t (ts timestamp, n int)")
    stmt = conn.statement("insert into t values (?, ?)")
    p = new_bind_params(2)
    p[0].timestamp("2021-07-21T09:56:32.589001+00:00", PrecisionEnum.Microseconds)
    p[1].int(1)
    with pytest.raises(StatementError, match="ts"):
        stmt.bind_param(p)
    p[0].timestamp("2021-07-21T09:56:32.589000+00:00", PrecisionEnum.Microseconds)
    stmt.bind_param(p)
    stmt.execute()
    assert ticks(conn, "select ts from t") == [MS]


def test_naive_datetimes_are_wall_time_of_the_connection_time_zone(server):
    conn = connect_db(server, "tp_tz")
    conn.close()
    conn = taos.connect(server.dsn("tp_tz"), timezone="Asia/Shanghai")
    try:
        conn.execute("create table t (ts timestamp, n int)")
        stmt = conn.statement("insert into t values (?, ?)")
        p = new_multi_binds(2)
        p[0].timestamp([dt.datetime(2020, 1, 1, 8, 0), "2020-01-01 08:00:01",
                        dt.datetime(2020, 1, 1, 0, 0, 2, tzinfo=UTC)])
        p[1].int([0, 1, 2])
        stmt.bind_param_batch(p)
        stmt.execute()
        midnight_utc = 1577836800000
        assert ticks(conn, "select ts from t order by n") == [
            midnight_utc, midnight_utc + 1000, midnight_utc + 2000]
    finally:
        conn.close()


def test_nanoseconds_from_iso_strings(server):
    conn = connect_db(server, "tp_ns_iso", "ns")
    try:
        conn.execute("create table t (ts timestamp, n int)")
        stmt = conn.statement("insert into t values (?, ?)")
        p = new_bind_params(2)
        p[0].timestamp("2021-07-21T09:56:32.589000001Z", PrecisionEnum.Nanoseconds)
        p[1].int(1)
        stmt.bind_param(p)
        stmt.execute()
        assert ticks(conn, "select ts from t") == [MS * 1_000_000 + 1]
    finally:
        conn.close()


# -- taos-ws-py views on the same statement ----------------------------------------------------


class View(NamedTuple):
    """Stands for a taos-ws-py tag/column view: an Arrow array and its type code."""

    array: Any
    type_code: int


def test_taos_ws_py_views_on_the_same_statement(conn):
    conn.execute("create stable st (ts timestamp, v int) tags (g int)")
    stmt = conn.statement()
    stmt.prepare("insert into ? using st tags (?) values (?, ?)")
    stmt.set_tbname_tags("d1", [View(pa.array([1], pa.int32()), 4)])
    stmt.bind_param([View(pa.array([MS, MS + 1], pa.timestamp("ms")), 9),
                     View(pa.array([1, 2], pa.int32()), 4)])
    stmt.add_batch()  # taos-ws-py's bind_param does not end the batch
    tags = new_bind_params(1)
    tags[0].int(2)
    stmt.set_tbname_tags("d2", tags)
    p = new_bind_params(2)
    p[0].timestamp(MS)
    p[1].int(3)
    stmt.bind_param(p)
    assert stmt.execute() == 3
    assert stmt.affect_rows() == 3 == stmt.affected_rows
    assert rows(conn, "select tbname, g, v from st order by tbname, ts") == [
        ("d1", 1, 1), ("d1", 1, 2), ("d2", 2, 3)]


# -- errors ------------------------------------------------------------------------------------


def test_prepare_errors_carry_the_server_code(conn):
    for sql in ("insert into nosuch values (?, ?)", "insert into ? using nost tags (?) values (?, ?)"):
        with pytest.raises(StatementError, match="Table does not exist") as e:
            conn.statement(sql)
        assert e.value.errno is not None and e.value.errno & 0xFFFF == 0x2603


def test_bad_binds_raise_and_the_statement_goes_on(conn):
    conn.execute("create table t (ts timestamp, v tinyint)")
    stmt = conn.statement("insert into t values (?, ?)")
    p = new_bind_params(2)
    p[0].timestamp(MS)
    with pytest.raises(ProgrammingError, match="column 1 was not set"):
        stmt.bind_param(p)
    p[1].bigint(300)
    with pytest.raises(StatementError, match="column `v` .* 300 out of range for TINYINT"):
        stmt.bind_param(p)
    p[1].binary("x")
    with pytest.raises(StatementError, match="column `v` .* x out of range for TINYINT"):
        stmt.bind_param(p)
    with pytest.raises(StatementError, match="the statement has 2 column"):
        stmt.bind_param(p[:1])
    p[1].tinyint([1, 2])
    with pytest.raises(StatementError, match="column 1 has 2 rows, column 0 has 1"):
        stmt.bind_param(p)
    with pytest.raises(ProgrammingError, match="cannot be mixed"):
        stmt.bind_param([p[0], View(pa.array([1], pa.int8()), 2)])
    with pytest.raises(ProgrammingError, match="takes new_multi_binds"):
        stmt.bind_param_batch([View(pa.array([MS], pa.timestamp("ms")), 9)])
    with pytest.raises(ProgrammingError, match="single one"):
        stmt.bind_param(p[0])
    with pytest.raises(ProgrammingError, match="expected a list, got int"):
        stmt.bind_param(5)
    p[1].tinyint(1)
    stmt.bind_param(p)
    assert stmt.execute() == 1 and stmt.affected_rows == 1
    assert rows(conn, "select v from t") == [(1,)]


def test_tag_errors(conn):
    conn.execute("create stable stt (ts timestamp, v int) tags (g int)")
    tags = new_bind_params(1)
    tags[0].int(1)
    q = conn.statement("select * from stt where v > ?")
    with pytest.raises(InterfaceError, match="set_tags.. is for INSERT statements"):
        q.set_tags(tags)
    child = conn.statement("insert into ? using stt tags (?) values (?, ?)")
    child.set_tbname("c")
    two = new_multi_binds(1)
    two[0].int([1, 2])
    with pytest.raises(StatementError, match="tag 0 must hold exactly one value, not 2"):
        child.set_tags(two)
    with pytest.raises(StatementError, match="the statement has 1 tag"):
        child.set_tags(tags + tags)
    tags[0].binary("x")
    with pytest.raises(StatementError, match="`g`"):
        child.set_tags(tags)


def test_a_closed_statement_raises(conn):
    conn.execute("create table t (ts timestamp, v int)")
    stmt = conn.statement("insert into t values (?, ?)")
    p = new_bind_params(2)
    p[0].timestamp(MS)
    p[1].int(1)
    stmt.close()
    stmt.close()
    for call in (lambda: stmt.bind_param(p), stmt.execute, lambda: stmt.set_tbname_tags("x", p),
                 stmt.use_result):
        with pytest.raises(InterfaceError, match="closed"):
            call()
