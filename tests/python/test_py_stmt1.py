"""taos-ws-py's statement API (``conn.statement()``, stmt v1) against the in-process server:
the flows of taos-ws-py's stmt example (normal table, child table with tags), every type,
NULLs, several batches per execute, a query with ``?`` and the errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator, List

import pyarrow as pa
import pytest

import taosarrow
from taosarrow.stmt1 import Statement, Stmt1Field
from taosarrow.testing import LocalServer

TS = [1686844800000, 1686844801000, 1686844802000, 1686844803000]


# taos-ws-py's builders, as its examples call them.
millis = taosarrow.millis_timestamps_to_column
ints = taosarrow.ints_to_column
floats = taosarrow.floats_to_column
varchars = taosarrow.varchar_to_column


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def conn(server: LocalServer, request: pytest.FixtureRequest) -> Iterator[taosarrow.Connection]:
    db = "s1_" + request.node.name.replace("[", "_").replace("]", "").replace("-", "_")
    c = taosarrow.connect(server.dsn())
    c.execute(f"create database {db} precision 'ms'")
    c.execute(f"use {db}")
    c.execute("create table t1 (ts timestamp, a int, b float, c varchar(10))")
    c.execute("create table stb1 (ts timestamp, a int, b float, c varchar(10)) tags (t1 int, t2 binary(10))")
    yield c
    c.close()


def rows(conn: taosarrow.Connection, sql: str) -> List[tuple]:
    return [tuple(r) for r in conn.query(sql)]


def test_insert_into_a_normal_table(conn: taosarrow.Connection) -> None:
    # taos-ws-py's stmt example, as written there.
    stmt = conn.statement()
    assert isinstance(stmt, Statement)
    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    stmt.bind_param(
        [
            taosarrow.millis_timestamps_to_column(TS),
            taosarrow.ints_to_column([1, 2, 3, 4]),
            taosarrow.floats_to_column([1.1, 2.2, 3.3, 4.4]),
            taosarrow.varchar_to_column(["a", "b", "c", "d"]),
        ]
    )
    stmt.add_batch()
    rows_written = stmt.execute()
    assert rows_written == 4
    assert stmt.affect_rows() == 4 and stmt.affected_rows == 4
    stmt.close()
    got = rows(conn, "select a, b, c from t1 order by ts")
    assert [(a, c) for a, _, c in got] == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
    assert [b for _, b, _ in got] == pytest.approx([1.1, 2.2, 3.3, 4.4], rel=1e-6)


def test_json_and_timestamp_tags(conn: taosarrow.Connection) -> None:
    conn.execute("create stable js (ts timestamp, v int) tags (j json)")
    conn.execute("create stable tt (ts timestamp, v int) tags (at timestamp, n nchar(4))")
    stmt = conn.statement("insert into ? using js tags (?) values (?, ?)")
    stmt.set_tbname_tags("j1", [taosarrow.json_to_tag('{"k": "v"}')])
    stmt.bind_param([millis(TS[:1]), ints([1])])
    stmt.add_batch()
    assert stmt.execute() == 1
    stmt.prepare("insert into ? using tt tags (?, ?) values (?, ?)")
    stmt.set_tbname_tags("t_1", [taosarrow.timestamp_to_tag(TS[1], "ms"), taosarrow.nchar_to_tag("北京")])
    stmt.bind_param([millis(TS[:1]), ints([2])])
    stmt.add_batch()
    assert stmt.execute() == 1
    stmt.close()
    assert rows(conn, "select cast(at as bigint), n, v from tt") == [(TS[1], "北京", 2)]
    assert len(rows(conn, "select j from js")) == 1


def test_insert_into_a_child_table_with_tags(conn: taosarrow.Connection) -> None:
    stmt = conn.statement()
    stmt.prepare("insert into ? using stb1 tags (?, ?) values (?, ?, ?, ?)")
    assert stmt.is_insert and stmt.num_params == 4
    assert [(f.name, f.type_code) for f in stmt.tag_fields()] == [("t1", 4), ("t2", 8)]
    assert [f.name for f in stmt.col_fields()] == ["ts", "a", "b", "c"]
    assert isinstance(stmt.col_fields()[0], Stmt1Field)
    stmt.set_tbname("stb1_1")
    stmt.set_tags([taosarrow.int_to_tag(1), taosarrow.varchar_to_tag("aaa")])
    stmt.bind_param([millis(TS), ints([1, 2, None, 4]), floats([1.5, None, 3.5, 4.5]), varchars(["a", None, "c", "d"])])
    stmt.add_batch()
    # A second child table in the same execute, named and tagged in one call.
    stmt.set_tbname_tags("stb1_2", [taosarrow.int_to_tag(2), taosarrow.varchar_to_tag(None)])
    stmt.bind_param([millis(TS[:2]), ints([7, 8]), floats([0.5, 0.25]), varchars(["x", "y"])])
    stmt.add_batch()
    assert stmt.execute() == 6
    stmt.close()
    assert rows(conn, "select tbname, t1, t2, count(*) from stb1 group by tbname, t1, t2 order by tbname") == [
        ("stb1_1", 1, "aaa", 4),
        ("stb1_2", 2, None, 2),
    ]
    assert rows(conn, "select a, b, c from stb1_1 order by ts") == [(1, 1.5, "a"), (2, None, None), (None, 3.5, "c"), (4, 4.5, "d")]


def test_several_batches_and_executes_add_up(conn: taosarrow.Connection) -> None:
    stmt = conn.statement("insert into t1 values (?, ?, ?, ?)")
    for k in range(3):
        stmt.bind_param([millis([TS[0] + 10 * k, TS[0] + 10 * k + 1]), ints([k, k]), floats([0.0, 1.0]), varchars(["p", "q"])])
        stmt.add_batch()
    assert stmt.execute() == 6
    stmt.bind_param([millis([TS[3]]), ints([9]), floats([9.0]), varchars(["z"])])
    stmt.add_batch()
    assert stmt.execute() == 1
    assert stmt.affected_rows == 7
    assert rows(conn, "select count(*) from t1") == [(7,)]
    stmt.close()


def test_every_type_and_nulls(conn: taosarrow.Connection) -> None:
    conn.execute(
        "create table alltypes (ts timestamp, b bool, ti tinyint, si smallint, i int, bi bigint, "
        "uti tinyint unsigned, usi smallint unsigned, ui int unsigned, ubi bigint unsigned, "
        "f float, d double, vc varchar(20), nc nchar(10), vb varbinary(16), dec64 decimal(10, 2))"
    )
    stmt = conn.statement("insert into alltypes values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    assert [f.type_code for f in stmt.col_fields()] == [9, 1, 2, 3, 4, 5, 11, 12, 13, 14, 6, 7, 8, 10, 16, 21]
    stmt.bind_param(
        [
            millis(TS[:2]),
            taosarrow.bools_to_column([True, None]),
            taosarrow.tiny_ints_to_column([-128, None]),
            taosarrow.small_ints_to_column([None, 32767]),
            taosarrow.ints_to_column([-(2**31), None]),
            taosarrow.big_ints_to_column([-(2**63), None]),
            taosarrow.unsigned_tiny_ints_to_column([255, None]),
            taosarrow.unsigned_small_ints_to_column([None, 65535]),
            taosarrow.unsigned_ints_to_column([2**32 - 1, None]),
            taosarrow.unsigned_big_ints_to_column([2**64 - 1, None]),
            taosarrow.floats_to_column([1.5, None]),
            taosarrow.doubles_to_column([None, -2.25]),
            taosarrow.varchar_to_column(["hello", None]),
            taosarrow.nchar_to_column(["中文ok", None]),
            taosarrow.varbinary_to_column([b"\x01\xff", None]),
            taosarrow.decimal64_to_column([Decimal("123.45"), None]),
        ]
    )
    stmt.add_batch()
    assert stmt.execute() == 2
    stmt.close()
    got = rows(conn, "select b, ti, si, i, bi, uti, usi, ui, ubi, f, d, vc, nc, vb, dec64 from alltypes order by ts")
    assert got == [
        (True, -128, None, -(2**31), -(2**63), 255, None, 2**32 - 1, 2**64 - 1, 1.5, None, "hello", "中文ok", b"\x01\xff", Decimal("123.45")),
        (None, None, 32767, None, None, None, 65535, None, None, None, -2.25, None, None, None, None),
    ]


@pytest.mark.parametrize("precision", ["us", "ns"])
def test_finer_databases_keep_every_digit(server: LocalServer, precision: str) -> None:
    c = taosarrow.connect(server.dsn())
    db = f"s1_prec_{precision}"
    c.execute(f"create database {db} precision '{precision}'")
    c.execute(f"create table {db}.t (ts timestamp, v int)")
    stmt = c.statement(f"insert into {db}.t values (?, ?)")
    assert stmt.col_fields()[0].precision == {"us": 1, "ns": 2}[precision]
    ns = [1_700_000_000_123_456_789 if precision == "ns" else 1_700_000_000_123_456_000]
    stmt.bind_param([taosarrow.nanos_timestamps_to_column(ns), ints([1])])
    stmt.add_batch()
    assert stmt.execute() == 1
    want = ns[0] if precision == "ns" else ns[0] // 1000
    assert rows(c, f"select cast(ts as bigint) from {db}.t") == [(want,)]
    # Digits the database cannot hold are refused, naming the column.
    if precision == "us":
        with pytest.raises(taosarrow.StatementError, match="ts"):
            stmt.bind_param([taosarrow.nanos_timestamps_to_column([1_700_000_000_123_456_789]), ints([1])])
    stmt.close()
    c.close()


def test_query_with_parameters(conn: taosarrow.Connection) -> None:
    conn.execute("insert into t1 values (1686844800000, 1, 1.5, 'a') (1686844801000, 2, 2.5, 'b') (1686844802000, 3, 3.5, 'b')")
    stmt = conn.statement()
    stmt.prepare("select a, c from t1 where a >= ? and c = ? order by a")
    assert not stmt.is_insert and stmt.num_params == 2
    stmt.bind_param([ints([2]), varchars(["b"])])
    stmt.execute()
    assert [tuple(r) for r in stmt.result()] == [(2, "b"), (3, "b")]
    stmt.close()


def test_plain_arrow_arrays_bind_too(conn: taosarrow.Connection) -> None:
    stmt = conn.statement("insert into t1 values (?, ?, ?, ?)")
    stmt.bind_arrays([pa.array(TS[:1], pa.timestamp("ms")), pa.array([5], pa.int64()), pa.array([0.5], pa.float64()), pa.array(["w"])])
    stmt.add_batch()
    assert stmt.execute() == 1
    assert rows(conn, "select a, b, c from t1") == [(5, 0.5, "w")]
    stmt.close()


def test_errors(conn: taosarrow.Connection) -> None:
    stmt = conn.statement()
    with pytest.raises(taosarrow.ProgrammingError) as e:
        stmt.prepare("insert into t1 valuez (?, ?)")
    assert isinstance(e.value, taosarrow.StatementError)
    assert e.value.errno is not None and e.value.errno & 0xFFFF != 0
    with pytest.raises(taosarrow.StatementError) as e:
        stmt.prepare("insert into no_such_table values (?, ?)")
    assert e.value.errno is not None and e.value.errno & 0xFFFF != 0

    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    # Wrong column count, unequal lengths, a value that does not fit, not an array.
    with pytest.raises(taosarrow.StatementError, match="4 column"):
        stmt.bind_param([millis(TS[:1]), ints([1])])
    with pytest.raises(taosarrow.StatementError):
        stmt.bind_param([millis(TS[:2]), ints([1]), floats([1.0]), varchars(["a"])])
    with pytest.raises(taosarrow.StatementError, match="`a`"):
        stmt.bind_param([millis(TS[:1]), taosarrow.big_ints_to_column([2**40]), floats([1.0]), varchars(["a"])])
    with pytest.raises(taosarrow.ProgrammingError, match="column 1"):
        stmt.bind_param([millis(TS[:1]), [1], floats([1.0]), varchars(["a"])])
    # add_batch with nothing bound: the server refuses with a TDengine code.
    with pytest.raises(taosarrow.StatementError) as e:
        stmt.add_batch()
    assert e.value.errno is not None and e.value.errno & 0xFFFF != 0
    # Tags on a normal table's statement: there are none to set.
    with pytest.raises(taosarrow.StatementError):
        stmt.set_tags([taosarrow.int_to_tag(1)])

    stmt.close()
    stmt.close()
    with pytest.raises(taosarrow.InterfaceError, match="closed"):
        stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    with pytest.raises(taosarrow.InterfaceError):
        stmt.execute()
    # The connection still works.
    assert rows(conn, "select count(*) from t1") == [(0,)]
