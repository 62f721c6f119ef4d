"""The official client's stmt2 API (taos-ws-py 0.7.0) against the embedded server: inserts
into a normal table and into child tables of a super table (table name and tags bound), a
query with a bound parameter, and errors; and its stmt (v1) API on
``insert into ? values (?, ?)``, whose table ``set_tbname`` names."""

from __future__ import annotations

from decimal import Decimal

import pytest
import taosws

TS = [1686844800000, 1686844801000, 1686844802000, 1686844803000]


@pytest.fixture
def ws(server):
    conn = taosws.connect(server.dsn().replace("ws://", "taosws://"))
    conn.execute("create database s2 precision 'ms'")
    conn.execute("use s2")
    conn.execute("create table t1 (ts timestamp, a int, b float, c varchar(10))")
    conn.execute("create table stb1 (ts timestamp, a int, b float, c varchar(10)) tags (t1 int, t2 binary(10))")
    yield conn
    conn.close()


def test_insert_into_a_normal_table(ws):
    stmt = ws.stmt2_statement()
    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    param = taosws.stmt2_bind_param_view(
        table_name="",
        tags=None,
        columns=[
            taosws.millis_timestamps_to_column(TS),
            taosws.ints_to_column([1, 2, None, 4]),
            taosws.floats_to_column([1.5, 2.5, 3.5, None]),
            taosws.varchar_to_column(["a", "b", "c", None]),
        ],
    )
    stmt.bind([param])
    assert stmt.execute() == 4
    rows = list(ws.query("select a, b, c from t1 order by ts"))
    assert rows == [(1, 1.5, "a"), (2, 2.5, "b"), (None, 3.5, "c"), (4, None, None)]


def test_insert_into_child_tables_with_bound_names_and_tags(ws):
    stmt = ws.stmt2_statement()
    stmt.prepare("insert into ? using stb1 tags (?, ?) values (?, ?, ?, ?)")
    params = [
        taosws.stmt2_bind_param_view(
            table_name=f"stb1_{k}",
            tags=[taosws.int_to_tag(k), taosws.varchar_to_tag(f"tag{k}")],
            columns=[
                taosws.millis_timestamps_to_column(TS),
                taosws.ints_to_column([k * 10 + i for i in range(4)]),
                taosws.floats_to_column([0.5] * 4),
                taosws.varchar_to_column(["x", "y", "z", "w"]),
            ],
        )
        for k in range(1, 4)
    ]
    stmt.bind(params)
    assert stmt.execute() == 12
    rows = list(ws.query("select tbname, t1, t2, count(*), sum(a) from stb1 partition by tbname, t1, t2 order by tbname"))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("stb1_1", 1, "tag1", 4, 46),
        ("stb1_2", 2, "tag2", 4, 86),
        ("stb1_3", 3, "tag3", 4, 126),
    ]
    # The same statement binds the next batch without re-preparing; same timestamps overwrite.
    stmt.bind(params[:1])
    assert stmt.execute() == 4
    assert list(ws.query("select count(*) from stb1"))[0][0] == 12


def test_query_with_a_parameter(ws):
    ws.execute("insert into t1 values (1686844800000, 1, 1.0, 'a') (1686844801000, 2, 2.0, 'b') (1686844802000, 3, 3.0, 'c')")
    stmt = ws.stmt2_statement()
    stmt.prepare("select * from t1 where a > ?")
    stmt.bind([taosws.stmt2_bind_param_view(table_name="", tags=None, columns=[taosws.ints_to_column([1])])])
    stmt.execute()
    rows = list(stmt.result_set())
    assert [r[1] for r in rows] == [2, 3]


def test_decimal_columns(ws):
    ws.execute("create table d (ts timestamp, v decimal(10, 2), w decimal(30, 5))")
    stmt = ws.stmt2_statement()
    stmt.prepare("insert into d values (?, ?, ?)")
    stmt.bind([
        taosws.stmt2_bind_param_view(
            table_name="",
            tags=None,
            columns=[
                taosws.millis_timestamps_to_column(TS[:2]),
                taosws.decimal64_to_column([Decimal("12345678.91"), None]),
                taosws.decimal_to_column([Decimal("-1234567890123456789012345.12345"), Decimal("0.00001")]),
            ],
        )
    ])
    assert stmt.execute() == 2
    cur = ws.cursor()
    cur.execute("select v, w from s2.d order by ts")
    rows = cur.fetchall()
    assert [tuple(map(lambda x: None if x is None else Decimal(str(x)), r)) for r in rows] == [
        (Decimal("12345678.91"), Decimal("-1234567890123456789012345.12345")),
        (None, Decimal("0.00001")),
    ]


def test_wrong_column_count_is_rejected(ws):
    stmt = ws.stmt2_statement()
    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    bad = taosws.stmt2_bind_param_view(
        table_name="",
        tags=None,
        columns=[taosws.millis_timestamps_to_column(TS), taosws.ints_to_column([1, 2, 3, 4])],
    )
    with pytest.raises(Exception) as info:
        stmt.bind([bad])
    assert "column" in str(info.value).lower() or "bind" in str(info.value).lower()
    assert list(ws.query("select count(*) from t1"))[0][0] == 0


def test_stmt1_tables_named_by_set_tbname(ws):
    ws.execute("create table t2 (ts timestamp, s varchar(8))")
    stmt = ws.statement()
    stmt.prepare("insert into ? values (?, ?, ?, ?)")
    stmt.set_tbname("t1")
    stmt.bind_param(
        [
            taosws.millis_timestamps_to_column(TS[:2]),
            taosws.ints_to_column([1, 2]),
            taosws.floats_to_column([0.5, None]),
            taosws.varchar_to_column(["a", None]),
        ]
    )
    stmt.add_batch()
    with pytest.raises(taosws.ProgrammingError, match="Table does not exist"):
        stmt.set_tbname("nope")
    assert stmt.execute() == 2
    # Another statement, another schema per table: t2 (ts, s) after a child table.
    ws.execute("create table c1 using stb1 tags (1, 'x')")
    stmt.prepare("insert into ? (ts, a) values (?, ?)")
    stmt.set_tbname("c1")
    stmt.bind_param([taosws.millis_timestamps_to_column(TS[:1]), taosws.ints_to_column([7])])
    stmt.add_batch()
    assert stmt.execute() == 1
    stmt.prepare("insert into ? values (?, ?)")
    stmt.set_tbname("t2")
    stmt.bind_param([taosws.millis_timestamps_to_column(TS[:1]), taosws.varchar_to_column(["s"])])
    stmt.add_batch()
    assert stmt.execute() == 1
    assert list(ws.query("select a, c from t1 order by ts")) == [(1, "a"), (2, None)]
    assert list(ws.query("select a, t1 from stb1 where tbname = 'c1'")) == [(7, 1)]
    assert list(ws.query("select s from t2")) == [("s",)]


def test_stmt2_cannot_describe_a_table_named_later(ws):
    # As TDengine's taos_stmt2_get_fields, which taosAdapter's stmt2_prepare calls.
    stmt = ws.stmt2_statement()
    with pytest.raises(taosws.ProgrammingError, match="0x022B"):
        stmt.prepare("insert into ? values (?, ?, ?, ?)")
