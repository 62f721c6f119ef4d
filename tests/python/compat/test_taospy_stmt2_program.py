"""taospy's documented stmt2 test program (``tests/test_stmt2.py`` of taos-connector-python),
call for call, with ``import taosarrow as taos``: ``statement2`` binds by table, with
``BindTable``, into normal tables, with ``tbname`` as a bound column, a query with
parameters, and the invalid inputs it expects to fail."""

from __future__ import annotations

import math
import struct
from datetime import datetime

import pytest

import taosarrow as taos
from taosarrow import bind2, log
from taosarrow.statement2 import *  # noqa: F403 - what the program does

DBNAME, STBNAME, NTB1, NTB2 = "stmt2", "meters", "ntb1", "ntb2"


def wkb_point(wkt):
    """The little-endian WKB of ``POINT(x y)`` (the program uses shapely for this)."""
    if wkt is None:
        return None
    if isinstance(wkt, bytes):
        wkt = wkt.decode()
    x, y = (float(v) for v in wkt[wkt.index("(") + 1 : wkt.index(")")].split())
    return struct.pack("<BIdd", 1, 1, x, y)


@pytest.fixture
def conn(adapter_port):
    log.setting(True, True, True, True, True, True)
    c = taos.connect()
    yield c
    c.close()


def expected_ms(value):
    """What the program compares a row's timestamp with."""
    if isinstance(value, int):
        return value
    return int(bind2.datetime_to_timestamp(value, PrecisionEnum.Milliseconds).value)  # noqa: F405


def same(expected, got):
    """The program's ``compareLine``: bools compared as truth values, floats to 1e-3."""
    if len(expected) != len(got):
        return False
    for e, g in zip(expected, got):
        if e == g:
            continue
        if isinstance(g, bool):
            if bool(e) != g:
                return False
        elif isinstance(g, float):
            if not math.isclose(e, g, rel_tol=1e-3):
                return False
        else:
            return False
    return True


def check_table(conn, sql, tags, columns):
    expected = []
    for i in range(len(columns[0])):
        row = [expected_ms(columns[0][i])] + [col[i] for col in columns[1:]]
        if tags is not None:
            row += tags
        expected.append(row)
    got = []
    for row in conn.query(sql):
        row = list(row)
        row[0] = int(row[0].timestamp() * 1000)
        got.append(row)
    assert len(got) == len(expected)
    for e, g in zip(expected, got):
        assert same(e, g), (e, g)


def check_tables(conn, stbname, tbnames, tags, datas):
    for i, name in enumerate(tbnames):
        if stbname is None:
            sql = f"select * from {DBNAME}.{name} "
        else:
            sql = f"select * from {DBNAME}.{stbname} where tbname='{name}' "
        check_table(conn, sql, tags[i], datas[i])


def prepare(conn):
    conn.execute("drop database if exists %s" % DBNAME)
    conn.execute("create database if not exists %s precision 'ms' " % DBNAME)
    conn.select_db(DBNAME)
    conn.execute(
        f"create table if not exists {DBNAME}.{STBNAME}(ts timestamp, name binary(32), sex bool, "
        "score int, remarks blob) tags(grade nchar(8), class int)"
    )
    for ntb in (NTB1, NTB2):
        conn.execute(
            f"create table if not exists {DBNAME}.{ntb} (ts timestamp, name varbinary(32), sex bool, "
            "score float, geo geometry(128), remarks blob)"
        )


MIXED_TS = [
    1601481600000,
    1601481600004,
    "2024-09-19 10:00:00",
    "2024-09-19 10:00:01.123",
    datetime(2024, 9, 20, 10, 11, 12, 456),
]
BLOBS = [b"binary value_1", b"binary value_2", b"binary value_3", b"binary value_4", b"binary value_5"]
SEQ_TS = [1601481600000 + i for i in range(5)]


def table_datas(with_blob=True):
    datas = [
        [list(MIXED_TS), ["Mary", "Tom", "Jack", "Jane", "alex"], [0, 1, 1, 0, 1], [98, 80, 60, 100, 99]],
        [list(SEQ_TS), ["Mary2", "Tom2", "Jack2", "Jane2", "alex2"], [0, 1, 1, 0, 1], [298, 280, 260, 2100, 299]],
        [list(SEQ_TS), ["Mary3", "Tom3", "Jack3", "Jane3", "alex3"], [0, 1, 1, 0, 1], [398, 380, 360, 3100, 399]],
    ]
    if with_blob:
        for d in datas:
            d.append(list(BLOBS))
    return datas


def bind_tables(stmt2, tbnames, tags, datas):
    tables = [BindTable(tbnames[i], tags[i]) for i in range(3)]  # noqa: F405
    for table, data in zip(tables, datas):
        for column in data:
            table.add_col_data(column)
    stmt2.bind_param_with_tables(tables)
    stmt2.execute()


def test_stmt2_insert(conn):
    prepare(conn)

    # insert_bind_param_with_table: a fixed child table name, its tags bound.
    ctb = "ctb"
    stmt2 = conn.statement2(f"insert into {DBNAME}.{ctb} using {DBNAME}.{STBNAME} tags (?,?) values(?,?,?,?,?)")
    tags = [["grade2", 1]]
    datas = [table_datas()[0]]
    stmt2.bind_param(None, tags, datas)
    stmt2.execute()
    check_tables(conn, STBNAME, [ctb], tags, datas)
    stmt2.close()

    # insert_bind_param_with_tables
    stmt2 = conn.statement2(f"insert into ? using {DBNAME}.{STBNAME} tags(?,?) values(?,?,?,?,?)")
    tbnames = ["t1", "t2", "t3"]
    tags = [["grade2", 1], ["grade2", 2], ["grade2", 3]]
    datas = table_datas()
    bind_tables(stmt2, tbnames, tags, datas)
    check_tables(conn, STBNAME, tbnames, tags, datas)

    # check_input_invalid_param: a table without tags, then a timestamp out of range.
    invalid = table_datas(with_blob=False)
    with pytest.raises(Exception):
        bind_tables(stmt2, tbnames, [["grade2", 1], None, ["grade2", 3]], invalid)
    invalid[0][0][0] = 100000000000000000000000
    with pytest.raises(Exception):
        bind_tables(stmt2, tbnames, tags, invalid)

    # insert_bind_param: three child tables, NULLs in tags and columns.
    tbnames = ["d1", "d2", "d3"]
    tags = [["grade1", 1], ["grade1", None], [None, 3]]
    ts6 = [1601481600000 + i for i in range(6)]
    datas = [
        [list(ts6), ["Mary", "Tom", "Jack", "Jane", "alex", None], [0, 1, 1, 0, 1, None],
         [98, 80, 60, 100, 99, None], BLOBS + [None]],
        [list(ts6), ["Mary2", "Tom2", "Jack2", "Jane2", "alex2", None], [0, 1, 1, 0, 1, 0],
         [298, 280, 260, 2100, 299, None], BLOBS + [None]],
        [list(ts6), ["Mary3", "Tom3", "Jack3", "Jane3", "alex3", "Mark"], [0, 1, 1, 0, 1, None],
         [398, 380, 360, 3100, 399, None], BLOBS + [None]],
    ]
    stmt2.bind_param(tbnames, tags, datas)
    stmt2.execute()
    check_tables(conn, STBNAME, tbnames, tags, datas)
    stmt2.close()

    # insert_with_normal_tables: varbinary from bytes, bools from 0/3.14/True, floats from ints.
    stmt2 = conn.statement2(f"insert into {DBNAME}.{NTB1} values(?,?,?,?,?,?)")
    wkbs = [wkb_point(w) for w in [None, "POINT(121.213 31.234)", "POINT(122.22 32.222)", None, "POINT(124.22 34.222)"]]
    datas = [[list(MIXED_TS), [b"Mary", b"tom", b"Jack", b"Jane", None], [0, 3.14, True, 0, 1],
              [98, 99.87, 60, 100, 99], wkbs, list(BLOBS)]]
    table0 = BindTable(NTB1, None)  # noqa: F405
    for column in datas[0]:
        table0.add_col_data(column)
    stmt2.bind_param_with_tables([table0])
    stmt2.execute()
    check_tables(conn, None, [NTB1], [None], datas)
    stmt2.close()

    # insert_bind_param_normal_tables: the same through bind_param, no tags.
    stmt2 = conn.statement2(f"insert into {DBNAME}.{NTB2} values(?,?,?,?,?,?)")
    wkbs = [wkb_point(w) for w in [None, b"POINT(121.213 31.234)", b"POINT(122.22 32.222)", None, b"POINT(124.22 34.222)"]]
    datas = [[list(MIXED_TS), [b"Mary", b"tom", b"Jack", b"Jane", None], [0, 3.14, True, 0, 1],
              [98, 99.87, 60, 100, 99], wkbs, list(BLOBS)]]
    stmt2.bind_param([NTB2], None, datas)
    stmt2.execute()
    check_tables(conn, None, [NTB2], [None], datas)
    stmt2.close()


def test_stmt2_prepare_empty_sql(conn):
    assert taos.IS_V3
    stmt2 = conn.statement2()
    with pytest.raises(StatementError):  # noqa: F405
        stmt2.prepare(sql="")


def test_bind_invalid_tbnames_type(adapter_port):
    conn = taos.connect()
    conn.execute("drop database if exists stmt2")
    conn.execute("create database stmt2")
    conn.select_db("stmt2")
    conn.execute("create stable stmt2_stable (ts timestamp, a int) tags (b int);")
    conn.execute("create table stmt2_subtable using stmt2_stable tags(0);")
    stmt2 = conn.statement2("insert into ? using stmt2.stmt2_stable tags(?) values(?,?)")
    with pytest.raises(StatementError):  # noqa: F405
        stmt2.bind_param("stmt2_subtable", [[1]], [[[1626861392589], [1]]])
    conn.close()


def test_stmt2_query(conn):
    prepare(conn)
    for i, (name, sex, score, remark) in enumerate(
        [("Mary2", "false", "298", "XXX"), ("Tom2", "true", "280", "YYY"), ("Jack2", "true", "260", "ZZZ"),
         ("Jane2", "false", "2100", "WWW"), ("Tom2", "true", "299", "ZZZ"), ("Tom2", "false", "NULL", "WWW")]
    ):
        conn.execute(
            f"insert into d2 using {STBNAME} tags('grade1', 2) values('2020-10-01 00:00:00.00{i}', "
            f"'{name}', {sex}, {score}, '{remark}')"
        )
    stmt2 = conn.statement2(f"select * from {DBNAME}.d2 where name in (?) and score > ? and sex = ?;")
    stmt2.bind_param(None, None, [[["Tom2"], [100], [True]]])
    stmt2.execute()
    res2 = list(stmt2.result())
    res1 = list(conn.query(f"select * from {DBNAME}.d2 where name in ('Tom2') and score > 100 and sex = true;"))
    assert len(res2) == len(res1) == 2
    assert res2 == res1
    stmt2.close()


def test_stmt2_example(conn):
    rows_affected: int = conn.execute("CREATE DATABASE IF NOT EXISTS power")
    assert rows_affected == 0
    conn.select_db("power")
    conn.execute("create table if not exists stb (ts timestamp, v int) tags(jt json)")
    stmt = conn.statement2("INSERT INTO stb (ts, v, jt, tbname) VALUES (?,?,?,?)")
    datas = [
        [1626861392589, 7, '{"name":"value"}', "tb1"],
        [1626861392590, 8, '{"name":"value2"}', "tb2"],
        [1626861392591, 9, '{"name":"value3"}', "tb3"],
        [1626861392592, 10, '{"name":"value4"}', "tb4"],
        [1626861392593, 11, '{"name":"value4"}', "tb4"],
        [1626861392584, 7, '{"name":"value"}', "tb1"],
        [1626861392595, 8, '{"name":"value2"}', "tb2"],
        [1626861392596, 9, '{"name":"value3"}', "tb3"],
        [1626861392597, 10, '{"name":"value4"}', "tb4"],
        [1626861392598, 11, '{"name":"value4"}', "tb4"],
    ]
    stmt.bind_param(None, None, datas)
    stmt.execute()
    assert stmt.affected_rows == 10

    result = conn.query("SELECT ts, v, jt FROM stb limit 100", req_id=1)
    got = sorted((int(r[0].timestamp() * 1000), r[1], r[2]) for r in result)
    assert got == sorted((d[0], d[1], d[2]) for d in datas)
    names = sorted(r[0] for r in conn.query("select distinct tbname from stb"))
    assert names == ["tb1", "tb2", "tb3", "tb4"]
