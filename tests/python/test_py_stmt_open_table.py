"""``insert into ? values (?, ?)`` (and with a column list) without ``USING``: the table is
named only by ``set_tbname``. Through taospy's statement (``new_bind_params``) and
taos-ws-py's (column views) to normal and child tables, several tables of different schemas
before one ``execute``, the errors for unknown and super tables, and stmt2, which cannot
describe such a statement at prepare (as TDengine)."""

from __future__ import annotations

from typing import Iterator, List

import pytest

import taosarrow
import taosarrow as taos
from taosarrow import StatementError, new_bind_params
from taosarrow.testing import LocalServer

MS = 1626861392589


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def conn(server: LocalServer, request: pytest.FixtureRequest) -> Iterator["taos.Connection"]:
    db = "ot_" + request.node.name.removeprefix("test_")[:40]
    c = taos.connect(server.dsn())
    c.execute(f"drop database if exists {db}")
    c.execute(f"create database {db} precision 'ms'")
    c.execute(f"use {db}")
    c.execute("create table t1 (ts timestamp, v int)")
    c.execute("create table t2 (ts timestamp, s binary(8))")
    c.execute("create table t3 (ts timestamp, x double, v int)")
    c.execute("create stable st (ts timestamp, v int) tags (g int)")
    c.execute("create table c1 using st tags (7)")
    yield c
    c.close()


def rows(conn: "taos.Connection", sql: str) -> List[tuple]:
    return [tuple(r) for r in conn.query(sql)]


def test_taospy_set_tbname_to_a_normal_and_a_child_table(conn):
    stmt = conn.statement("insert into ? values (?, ?)")
    assert stmt.is_insert
    stmt.set_tbname("t1")
    assert [f.name for f in stmt.col_fields()] == ["ts", "v"]
    p = new_bind_params(2)
    p[0].timestamp(MS)
    p[1].int(1)
    stmt.bind_param(p)
    stmt.set_tbname("c1")
    p[0].timestamp(MS + 1)
    p[1].int(2)
    stmt.bind_param(p)
    # Another schema before the same execute: the columns follow the table named.
    stmt.set_tbname("t2")
    assert [f.name for f in stmt.col_fields()] == ["ts", "s"]
    q = new_bind_params(2)
    q[0].timestamp(MS + 2)
    q[1].binary("hi")
    stmt.bind_param(q)
    assert stmt.execute() == 3
    stmt.close()
    assert rows(conn, "select v from t1") == [(1,)]
    assert rows(conn, "select tbname, g, v from st") == [("c1", 7, 2)]
    assert rows(conn, "select s from t2") == [("hi",)]


def test_taospy_column_list_and_db_qualified_name(conn):
    db = rows(conn, "select database()")[0][0]
    stmt = conn.statement("insert into ? (ts, v) values (?, ?)")
    stmt.set_tbname(f"{db}.t3")
    p = new_bind_params(2)
    p[0].timestamp(MS)
    p[1].int(5)
    stmt.bind_param(p)
    assert stmt.execute() == 1
    assert rows(conn, "select x, v from t3") == [(None, 5)]


def test_taos_ws_py_views(conn):
    stmt = conn.statement()
    stmt.prepare("insert into ? values (?, ?)")
    stmt.set_tbname("c1")
    stmt.bind_param(
        [taosarrow.millis_timestamps_to_column([MS, MS + 1]), taosarrow.ints_to_column([3, 4])]
    )
    stmt.add_batch()
    assert stmt.execute() == 2
    assert rows(conn, "select v from c1 order by ts") == [(3,), (4,)]


def test_unknown_and_super_tables_are_refused_by_set_tbname(conn):
    stmt = conn.statement("insert into ? values (?, ?)")
    with pytest.raises(StatementError, match="Table does not exist") as e:
        stmt.set_tbname("nope")
    assert e.value.errno is not None and e.value.errno & 0xFFFF == 0x2603
    with pytest.raises(StatementError, match="supertable") as e:
        stmt.set_tbname("st")
    assert e.value.errno is not None and e.value.errno & 0xFFFF == 0x0216
    for bad in ("", ".", "x" * 300):
        with pytest.raises(StatementError) as e:
            stmt.set_tbname(bad)
        assert e.value.errno is not None and e.value.errno & 0xFFFF == 0x2617
    # Nothing was written and the statement still works.
    stmt.set_tbname("t1")
    p = new_bind_params(2)
    p[0].timestamp(MS)
    p[1].int(9)
    stmt.bind_param(p)
    assert stmt.execute() == 1
    assert rows(conn, "select v from t1") == [(9,)]


def test_stmt2_cannot_describe_the_statement_at_prepare(conn):
    # TDengine's taos_stmt2_get_fields fails with TSC_STMT_TBNAME_ERROR (0x022B) for
    # `insert into ? values (...)`, so taosAdapter's stmt2_prepare does (with get_fields).
    with pytest.raises(StatementError, match="Table does not exist") as e:
        conn.statement2("insert into ? values (?, ?)")
    assert e.value.errno is not None and e.value.errno & 0xFFFF == 0x022B
    ws = conn.stmt2_statement()
    with pytest.raises(StatementError) as e:
        ws.prepare("insert into ? (ts, v) values (?, ?)")
    assert e.value.errno is not None and e.value.errno & 0xFFFF == 0x022B
    # The USING form is described and binds as before.
    s2 = conn.statement2("insert into ? using st tags (?) values (?, ?)")
    s2.bind_param(["c2"], [[8]], [[[MS], [1]]])
    s2.execute()
    assert rows(conn, "select tbname, g, v from st where tbname = 'c2'") == [("c2", 8, 1)]
