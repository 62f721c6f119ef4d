"""The stmt2 calls of taospy (``conn.statement2``) and taos-ws-py (``conn.stmt2_statement``)
as their own test programs make them, on the embedded server; what was written is read back
through taosarrow and through the official client taos-ws-py."""

from __future__ import annotations

import datetime as dt
import struct
from decimal import Decimal
from typing import Iterator, List

import pytest

import taosarrow
import taosarrow as taosws  # the taos-ws-py spelling, as users write it
from taosarrow import bind2
from taosarrow.statement2 import *  # noqa: F401,F403 - what taospy programs import
from taosarrow.statement2 import BindTable, PrecisionEnum, StatementError, TaosStmt2, TaosStmt2Option
from taosarrow.testing import LocalServer

import taosws as official  # the official client, installed by make test

T0 = 1_601_481_600_000
# POINT(121.213 31.234) as WKB.
WKB = b"\x01\x01\x00\x00\x00" + struct.pack("<dd", 121.213, 31.234)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def db(server: LocalServer, request) -> str:
    """A fresh millisecond database named after the test."""
    name = "c2_" + request.node.name.split("[")[0].removeprefix("test_")[:40]
    admin = taosarrow.connect(server.dsn())
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name} PRECISION 'ms'")
    admin.close()
    return name


@pytest.fixture
def conn(server: LocalServer, db: str) -> Iterator[taosarrow.Connection]:
    c = taosarrow.connect(server.dsn(db))
    yield c
    c.close()


def ws_rows(server: LocalServer, db: str, sql: str) -> List[tuple]:
    """Rows as the official client reads them."""
    c = official.connect(server.dsn(db))
    try:
        return [tuple(r) for r in c.query(sql)]
    finally:
        c.close()


def rows(conn, sql: str) -> List[tuple]:
    return [tuple(r) for r in conn.query(sql)]


def f32(x):
    return None if x is None else struct.unpack("<f", struct.pack("<f", x))[0]


def local_ms(d: dt.datetime) -> int:
    """Milliseconds since the epoch of a naive local datetime (floor)."""
    return int(d.replace(microsecond=0).timestamp()) * 1000 + d.microsecond // 1000


# -- taos-ws-py -----------------------------------------------------------------------------
def _ws_tables(conn) -> None:
    conn.execute("create table t1 (ts timestamp, a int, b float, c varchar(10))")
    conn.execute(
        "create table stb1 (ts timestamp, a int, b float, c varchar(10)) tags (t1 int, t2 binary(10))"
    )


def _stmt2_query(conn, sql):
    stmt2 = conn.stmt2_statement()
    stmt2.prepare(sql)
    param = taosws.stmt2_bind_param_view(table_name="", tags=None, columns=[taosws.ints_to_column([2])])
    stmt2.bind([param])
    stmt2.execute()
    got = [row[1] for row in stmt2.result_set()]
    stmt2.close()
    return got


def test_taosws_normal_table(conn, db, server):
    _ws_tables(conn)
    stmt2 = conn.stmt2_statement()
    assert isinstance(stmt2, TaosStmt2)
    stmt2.prepare("insert into t1 values (?, ?, ?, ?)")
    param = taosws.stmt2_bind_param_view(
        table_name="",
        tags=None,
        columns=[
            taosws.millis_timestamps_to_column([1686844800000, 1686844801000, 1686844802000, 1686844803000]),
            taosws.ints_to_column([1, 2, 3, 4]),
            taosws.floats_to_column([1.1, 2.2, 3.3, 4.4]),
            taosws.varchar_to_column(["a", "b", "c", "d"]),
        ],
    )
    stmt2.bind([param])
    assert stmt2.execute() == 4
    assert stmt2.affect_rows() == 4
    stmt2.close()
    assert _stmt2_query(conn, "select * from t1 where a > ?") == [3, 4]
    assert ws_rows(server, db, "select a, b, c from t1 order by ts") == [
        (1, f32(1.1), "a"), (2, f32(2.2), "b"), (3, f32(3.3), "c"), (4, f32(4.4), "d")
    ]


def test_taosws_stable_with_tags(conn, db, server):
    _ws_tables(conn)
    stmt2 = conn.stmt2_statement()
    stmt2.prepare("insert into ? using stb1 tags (?, ?) values (?, ?, ?, ?)")
    param = taosws.stmt2_bind_param_view(
        table_name="stb1_1",
        tags=[taosws.int_to_tag(1), taosws.varchar_to_tag("aaa")],
        columns=[
            taosws.millis_timestamps_to_column([1686844800000, 1686844801000, 1686844802000, 1686844803000]),
            taosws.ints_to_column([1, 2, 3, 4]),
            taosws.floats_to_column([1.1, 2.2, 3.3, 4.4]),
            taosws.varchar_to_column(["a", "b", "c", "d"]),
        ],
    )
    second = taosws.stmt2_bind_param_view(
        "stb1_2",
        [taosws.int_to_tag(None), taosws.varchar_to_tag("bbb")],
        [taosws.millis_timestamps_to_column([1686844800000]), taosws.ints_to_column([None]),
         taosws.floats_to_column([None]), taosws.varchar_to_column([None])],
    )
    stmt2.bind([param, second])
    assert stmt2.execute() == 5
    assert _stmt2_query(conn, "select * from stb1 where a > ?") == [3, 4]
    assert ws_rows(server, db, "select tbname, t1, t2, a from stb1 order by tbname, ts") == [
        ("stb1_1", 1, "aaa", 1), ("stb1_1", 1, "aaa", 2), ("stb1_1", 1, "aaa", 3),
        ("stb1_1", 1, "aaa", 4), ("stb1_2", None, "bbb", None),
    ]


def test_taosws_tbname_column_list_form(conn):
    _ws_tables(conn)
    stmt = conn.stmt2_statement()
    stmt.prepare("INSERT INTO stb1 (tbname, t1, ts, a) VALUES (?, ?, ?, ?)")
    stmt.bind([taosws.stmt2_bind_param_view(
        "vianame", [taosws.int_to_tag(3)],
        [taosws.millis_timestamps_to_column([T0, T0 + 1]), taosws.ints_to_column([7, 8])],
    )])
    assert stmt.execute() == 2
    assert rows(conn, "SELECT tbname, t1, a FROM stb1 ORDER BY ts") == [("vianame", 3, 7), ("vianame", 3, 8)]


def test_taosws_every_type_read_back_by_the_official_client(conn, db, server):
    conn.execute(
        "CREATE STABLE at (ts TIMESTAMP, bo BOOL, ti TINYINT, si SMALLINT, i INT, bi BIGINT, "
        "uti TINYINT UNSIGNED, usi SMALLINT UNSIGNED, ui INT UNSIGNED, ubi BIGINT UNSIGNED, "
        "fl FLOAT, dbl DOUBLE, vc VARCHAR(20), bn BINARY(20), nc NCHAR(10), vb VARBINARY(10), "
        "geo GEOMETRY(64), bl BLOB) TAGS (tb BOOL, tts TIMESTAMP, tv VARBINARY(8))"
    )
    stmt = conn.stmt2_statement()
    stmt.prepare("INSERT INTO ? USING at TAGS (?, ?, ?) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    cols = [
        taosws.millis_timestamps_to_column([T0, T0 + 1]),
        taosws.bools_to_column([True, None]),
        taosws.tiny_ints_to_column([-128, None]),
        taosws.small_ints_to_column([None, 32767]),
        taosws.ints_to_column([-(2**31), None]),
        taosws.big_ints_to_column([2**63 - 1, None]),
        taosws.unsigned_tiny_ints_to_column([255, None]),
        taosws.unsigned_small_ints_to_column([None, 65535]),
        taosws.unsigned_ints_to_column([2**32 - 1, 0]),
        taosws.unsigned_big_ints_to_column([2**64 - 1, None]),
        taosws.floats_to_column([1.5, None]),
        taosws.doubles_to_column([None, 2.5e300]),
        taosws.varchar_to_column(["héllo", None]),
        taosws.binary_to_column(["bin", ""]),
        taosws.nchar_to_column(["日本語", None]),
        taosws.varbinary_to_column([b"\x00\xff", None]),
        taosws.geometry_to_column([WKB, None]),
        taosws.blob_to_column([b"\x124Vx", None]),
    ]
    tags = [
        taosws.bool_to_tag(False),
        taosws.timestamp_to_tag(T0 - 5, taosws.PyPrecision.Milliseconds),
        taosws.varbinary_to_tag(b"\x01"),
    ]
    stmt.bind([taosws.stmt2_bind_param_view("at1", tags, cols)])
    assert stmt.execute() == 2
    sql = ("SELECT bo, ti, si, i, bi, uti, usi, ui, ubi, fl, dbl, vc, bn, nc, vb, bl, "
           "tb, CAST(tts AS BIGINT), tv FROM at ORDER BY ts")
    expected = [
        (True, -128, None, -(2**31), 2**63 - 1, 255, None, 2**32 - 1, 2**64 - 1, 1.5, None,
         "héllo", "bin", "日本語", b"\x00\xff", b"\x124Vx", False, T0 - 5, b"\x01"),
        (None, None, 32767, None, None, None, 65535, 0, None, None, 2.5e300,
         None, "", None, None, None, False, T0 - 5, b"\x01"),
    ]
    assert ws_rows(server, db, sql) == expected
    assert rows(conn, sql) == expected


@pytest.mark.parametrize(
    "precision, builder, values",
    [
        ("us", "micros_timestamps_to_column", [1_700_000_000_000_001, 1_700_000_000_000_002]),
        ("ns", "nanos_timestamps_to_column", [1_700_000_000_000_000_001, 1_700_000_000_000_000_002]),
        ("ns", "millis_timestamps_to_column", [1_700_000_000_001, 1_700_000_000_002]),
    ],
)
def test_taosws_timestamp_precisions(server, precision, builder, values):
    name = f"c2_prec_{precision}_{builder[:5]}"
    admin = taosarrow.connect(server.dsn())
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name} PRECISION '{precision}'")
    admin.execute(f"CREATE TABLE {name}.t (ts TIMESTAMP, v INT)")
    admin.close()
    with taosarrow.connect(server.dsn(name)) as conn:
        stmt = conn.stmt2_statement()
        stmt.prepare("INSERT INTO t VALUES (?, ?)")
        stmt.bind([taosws.stmt2_bind_param_view(None, None, [getattr(taosws, builder)(values), taosws.ints_to_column([1, 2])])])
        assert stmt.execute() == 2
        scale = 1_000_000 if builder.startswith("millis") else 1
        assert [r[0] for r in rows(conn, "SELECT CAST(ts AS BIGINT) FROM t ORDER BY ts")] == [v * scale for v in values]


def test_taosws_finer_timestamps_than_the_database_are_refused(conn):
    conn.execute("CREATE TABLE t (ts TIMESTAMP, v INT)")
    stmt = conn.stmt2_statement()
    stmt.prepare("INSERT INTO t VALUES (?, ?)")
    with pytest.raises(taosarrow.Error):
        stmt.bind([taosws.stmt2_bind_param_view(None, None, [
            taosws.micros_timestamps_to_column([1_700_000_000_000_001]), taosws.ints_to_column([1])])])
    assert rows(conn, "SELECT COUNT(*) FROM t") == [(0,)]


def test_taosws_decimals_rounded_to_the_column_scale(conn, db, server):
    conn.execute("CREATE TABLE dec (ts TIMESTAMP, d64 DECIMAL(10, 2), d128 DECIMAL(20, 10))")
    stmt = conn.stmt2_statement()
    stmt.prepare("insert into dec values (?, ?, ?)")
    d64 = [Decimal("99.9876"), Decimal("1.0234"), None, Decimal("0.995"), Decimal("-1.995")]
    d128 = [Decimal("1234567890.1234567890"), Decimal("1.23E+5"), Decimal("0.1234567890123"), None, None]
    stmt.bind([taosws.stmt2_bind_param_view(None, None, [
        taosws.millis_timestamps_to_column([T0 + i for i in range(5)]),
        taosws.decimal64_to_column(d64),
        taosws.decimal_to_column(d128),
    ])])
    assert stmt.execute() == 5
    expected = [
        (Decimal("99.99"), Decimal("1234567890.1234567890")),
        (Decimal("1.02"), Decimal("123000")),
        (None, Decimal("0.1234567890")),
        (Decimal("1.00"), None),
        (Decimal("-2.00"), None),
    ]
    assert rows(conn, "SELECT d64, d128 FROM dec ORDER BY ts") == expected
    assert ws_rows(server, db, "SELECT d64, d128 FROM dec ORDER BY ts") == expected
    stmt.prepare("select d64 from dec where d64 >= ? and d128 >= ? order by ts")
    stmt.bind([taosws.stmt2_bind_param_view(None, None, [
        taosws.decimal64_to_column([Decimal("1.00")]), taosws.decimal_to_column([Decimal("100000")])])])
    stmt.execute()
    assert [tuple(r) for r in stmt.result_set()] == [(Decimal("99.99"),), (Decimal("1.02"),)]
    # Too many digits for the column: refused, nothing written.
    stmt.prepare("insert into dec values (?, ?, ?)")
    with pytest.raises(taosarrow.Error):
        stmt.bind([taosws.stmt2_bind_param_view(None, None, [
            taosws.millis_timestamps_to_column([T0 + 9]),
            taosws.decimal64_to_column([Decimal("123456789.5")]),
            taosws.decimal_to_column([None]),
        ])])


def test_taosws_shape_errors(conn):
    _ws_tables(conn)
    stmt = conn.stmt2_statement()
    stmt.prepare("insert into ? using stb1 tags (?, ?) values (?, ?, ?, ?)")
    ts = taosws.millis_timestamps_to_column([T0, T0 + 1])
    cols = [ts, taosws.ints_to_column([1, 2]), taosws.floats_to_column([1, 2]), taosws.varchar_to_column(["a", "b"])]
    tags = [taosws.int_to_tag(1), taosws.varchar_to_tag("x")]
    with pytest.raises(taosarrow.ProgrammingError, match="column"):
        stmt.bind([taosws.stmt2_bind_param_view("d", tags, cols[:3])])
    with pytest.raises(taosarrow.ProgrammingError, match="tag"):
        stmt.bind([taosws.stmt2_bind_param_view("d", tags[:1], cols)])
    with pytest.raises(taosarrow.ProgrammingError, match="different lengths"):
        stmt.bind([taosws.stmt2_bind_param_view("d", tags, [ts, taosws.ints_to_column([1]), *cols[2:]])])
    with pytest.raises(taosarrow.ProgrammingError, match="table_name"):
        stmt.bind([taosws.stmt2_bind_param_view(None, tags, cols)])
    with pytest.raises(TypeError):
        stmt.bind([cols])
    stmt.prepare("select * from t1 where a > ?")
    with pytest.raises(taosarrow.ProgrammingError, match="placeholder"):
        stmt.bind([taosws.stmt2_bind_param_view(None, None, [taosws.ints_to_column([1]), taosws.ints_to_column([2])])])
    stmt.close()
    with pytest.raises(taosarrow.InterfaceError):
        stmt.prepare("select 1")


# -- taospy ---------------------------------------------------------------------------------
def _taospy_tables(conn) -> None:
    conn.execute(
        "create table meters (ts timestamp, name binary(32), sex bool, score int, remarks blob) "
        "tags (grade nchar(8), class int)"
    )
    conn.execute(
        "create table ntb1 (ts timestamp, name varbinary(32), sex bool, score float, geo geometry(128), remarks blob)"
    )


def test_taospy_bind_param_child_tables(conn, db, server):
    _taospy_tables(conn)
    stmt2 = conn.statement2("insert into ? using meters tags(?,?) values(?,?,?,?,?)")
    assert stmt2.is_insert() and stmt2.is_insert
    tbnames = ["d1", "d2", "d3"]
    tags = [["grade1", 1], ["grade1", None], [None, 3]]
    datas = [
        [
            [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5],
            ["Mary", "Tom", "Jack", "Jane", "alex", None],
            [0, 1, 1, 0, 1, None],
            [98, 80, 60, 100, 99, None],
            [b"binary value_1", b"binary value_2", b"binary value_3", b"binary value_4", b"binary value_5", None],
        ],
        [
            [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5],
            ["Mary2", "Tom2", "Jack2", "Jane2", "alex2", None],
            [0, 1, 1, 0, 1, 0],
            [298, 280, 260, 2100, 299, None],
            [b"v1", b"v2", b"v3", b"v4", b"v5", None],
        ],
        [
            [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5],
            ["Mary3", "Tom3", "Jack3", "Jane3", "alex3", "Mark"],
            [0, 1, 1, 0, 1, None],
            [398, 380, 360, 3100, 399, None],
            [b"w1", b"w2", b"w3", b"w4", b"w5", None],
        ],
    ]
    stmt2.bind_param(tbnames, tags, datas)
    assert stmt2.execute() == 18
    assert stmt2.affected_rows == 18
    for name, trow, cols in zip(tbnames, tags, datas):
        got = ws_rows(server, db,
                      f"select cast(ts as bigint), name, sex, score, remarks, grade, class from meters where tbname = '{name}' order by ts")
        want = [tuple(c[i] for c in cols) + tuple(trow) for i in range(6)]
        want = [(w[0], w[1], None if w[2] is None else bool(w[2]), *w[3:]) for w in want]
        assert got == want
    stmt2.close()


def test_taospy_normal_table_mixed_values(conn, db, server):
    _taospy_tables(conn)
    stmt2 = conn.statement2("insert into ntb1 values(?,?,?,?,?,?)")
    naive = dt.datetime(2024, 9, 20, 10, 11, 12, 456)
    datas = [[
        [T0, T0 + 4, "2024-09-19 10:00:00", "2024-09-19 10:00:01.123", naive],
        [b"Mary", b"tom", b"Jack", b"Jane", None],
        [0, 3.14, True, 0, 1],
        [98, 99.87, 60, 100, 99],
        [None, WKB, WKB, None, WKB],
        [b"binary value_1", b"binary value_2", b"binary value_3", b"binary value_4", b"binary value_5"],
    ]]
    # The table name is ignored when the SQL names the table, as taospy's client does.
    stmt2.bind_param(["ntb1"], None, datas)
    assert stmt2.execute() == 5
    got = rows(conn, "select cast(ts as bigint), name, sex, score, remarks from ntb1 order by ts")
    want_ts = sorted([T0, T0 + 4, local_ms(dt.datetime(2024, 9, 19, 10, 0, 0)),
                      local_ms(dt.datetime(2024, 9, 19, 10, 0, 1, 123000)), local_ms(naive)])
    assert [r[0] for r in got] == want_ts
    by_ts = {r[0]: r[1:] for r in got}
    assert by_ts[T0] == (b"Mary", False, 98.0, b"binary value_1")
    assert by_ts[T0 + 4] == (b"tom", True, f32(99.87), b"binary value_2")
    assert by_ts[local_ms(naive)] == (None, True, 99.0, b"binary value_5")
    assert ws_rows(server, db, "select count(geo) from ntb1") == [(3,)]


def test_taospy_naive_datetimes_in_the_connection_time_zone(server, conn, db):
    conn.execute("create table tz (ts timestamp, v int)")
    with taosarrow.connect(server.dsn(db), timezone="Asia/Shanghai") as c:
        s = c.statement2("insert into tz values (?, ?)")
        s.bind_param(None, None, [[
            ["2024-09-19 10:00:00", dt.datetime(2024, 9, 19, 10, 0, 1), "2024-09-19T02:00:02Z",
             dt.datetime(2024, 9, 19, 2, 0, 3, 999999, tzinfo=dt.timezone.utc)],
            [1, 2, 3, 4],
        ]])
        assert s.execute() == 4
        # Naive datetimes only: converted as one array.
        s.bind_param(None, None, [[[dt.datetime(2024, 9, 19, 10, 0, 4), dt.datetime(2024, 9, 19, 10, 0, 5, 1500)], [5, 6]]])
        assert s.execute() == 2
    base = int(dt.datetime(2024, 9, 19, 2, 0, 0, tzinfo=dt.timezone.utc).timestamp()) * 1000
    assert rows(conn, "select cast(ts as bigint), v from tz order by ts") == [
        (base, 1), (base + 1000, 2), (base + 2000, 3), (base + 3999, 4), (base + 4000, 5), (base + 5001, 6)
    ]


def test_taospy_bind_param_with_tables_and_bound_child_table(conn, server):
    _taospy_tables(conn)
    stmt2 = conn.statement2(f"insert into ? using meters tags(?,?) values(?,?,?,?,?)")
    cols = [
        [T0, T0 + 1, T0 + 2],
        ["Mary", "Tom", "Jack"],
        [0, 1, 1],
        [98, 80, 60],
        [b"x", b"y", b"z"],
    ]
    tables = []
    for i, name in enumerate(["t1", "t2", "t3"]):
        t = BindTable(name, ["grade2", i + 1])
        for c in cols:
            t.add_col_data(c)
        tables.append(t)
    stmt2.bind_param_with_tables(tables)
    assert stmt2.execute() == 9
    assert rows(conn, "select tbname, count(*), sum(score) from meters partition by tbname order by tbname") == [
        ("t1", 3, 238), ("t2", 3, 238), ("t3", 3, 238)
    ]
    stmt2.close()
    # A fixed child table with bound tags, names None.
    stmt2 = conn.statement2("insert into ctb using meters tags (?,?) values(?,?,?,?,?)")
    stmt2.bind_param(None, [["grade9", 9]], [cols])
    assert stmt2.execute() == 3
    assert rows(conn, "select distinct grade, class from ctb") == [("grade9", 9)]


def test_taospy_invalid_params_are_statement_errors(conn):
    _taospy_tables(conn)
    stmt2 = conn.statement2("insert into ? using meters tags(?,?) values(?,?,?,?,?)")
    cols = [[T0, T0 + 1], ["a", "b"], [0, 1], [1, 2], [b"x", None]]
    tags = [["g", 1], ["g", 2]]
    with pytest.raises(StatementError, match="some entries are None"):
        stmt2.bind_param(["t1", "t2"], [["g", 1], None], [cols, cols])
    with pytest.raises(StatementError, match="list or tuple"):
        stmt2.bind_param("t1", tags[:1], [cols])
    with pytest.raises(StatementError, match="one per table"):
        stmt2.bind_param(["t1"], tags, [cols, cols])
    with pytest.raises(StatementError, match="tag value"):
        stmt2.bind_param(["t1"], [["g"]], [cols])
    with pytest.raises(StatementError, match="column"):
        stmt2.bind_param(["t1"], [["g", 1]], [cols[:4]])
    with pytest.raises(StatementError, match="different lengths"):
        stmt2.bind_param(["t1"], [["g", 1]], [[[T0], *cols[1:]]])
    with pytest.raises(StatementError, match="out of range"):
        stmt2.bind_param(["t1"], [["g", 1]], [[[100000000000000000000000, T0], *cols[1:]]])
    with pytest.raises(StatementError, match="score"):
        stmt2.bind_param(["t1"], [["g", 1]], [[cols[0], cols[1], cols[2], [1, 2**40], cols[4]]])
    with pytest.raises(StatementError, match="score"):
        stmt2.bind_param(["t1"], [["g", 1]], [[cols[0], cols[1], cols[2], [1, 2.5], cols[4]]])
    with pytest.raises(StatementError, match="sex"):
        stmt2.bind_param(["t1"], [["g", 1]], [[cols[0], cols[1], ["yes", "no"], cols[3], cols[4]]])
    with pytest.raises(StatementError, match="TIMESTAMP"):
        stmt2.bind_param(["t1"], [["g", 1]], [[[1.5, T0], *cols[1:]]])
    with pytest.raises(taosarrow.NotSupportedError, match="IGNORE"):
        stmt2.bind_param(["t1"], [["g", 1]], [[cols[0], ["a", taosarrow.IGNORE], *cols[2:]]])
    assert isinstance(StatementError("x"), taosarrow.ProgrammingError)
    stmt2.bind_param(["t1"], [["g", 1]], [cols])
    assert stmt2.execute() == 2
    assert rows(conn, "select count(*) from meters") == [(2,)]


def test_taospy_prepare_errors(conn):
    stmt2 = conn.statement2()
    with pytest.raises(StatementError):
        stmt2.prepare(sql="")
    with pytest.raises(StatementError):
        stmt2.prepare(None)  # type: ignore[arg-type]
    with pytest.raises(StatementError):
        stmt2.bind_param(None, None, [[[1]]])
    with pytest.raises(StatementError) as info:
        stmt2.prepare("insert into no_such_table values (?, ?)")
    assert info.value.errno is not None and info.value.errno & 0xFFFF != 0
    stmt2.close()
    stmt2.close()


def test_taospy_tbname_bound_as_a_column_takes_rows(conn, db, server):
    conn.execute("create table if not exists stb (ts timestamp, v int) tags(jt json)")
    stmt = conn.statement2("INSERT INTO stb (ts, v, jt, tbname) VALUES (?,?,?,?)")
    assert stmt.is_tbname
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
    got = ws_rows(server, db, "SELECT tbname, CAST(ts AS BIGINT), v FROM stb ORDER BY tbname, ts")
    assert got == sorted((r[3], r[0], r[1]) for r in datas)
    with pytest.raises(StatementError, match="4 value"):
        stmt.bind_param(None, None, [[1626861392589, 7, "tb1"]])


def test_taospy_query(conn):
    _taospy_tables(conn)
    for i, (name, sex, score) in enumerate(
        [("Mary2", "false", 298), ("Tom2", "true", 280), ("Jack2", "true", 260),
         ("Jane2", "false", 2100), ("Tom2", "true", 299), ("Tom2", "false", "NULL")]
    ):
        conn.execute(f"insert into d2 using meters tags('grade1', 2) values({T0 + i}, '{name}', {sex}, {score}, 'X')")
    stmt2 = conn.statement2("select * from d2 where name in (?) and score > ? and sex = ?;")
    assert not stmt2.is_insert()
    stmt2.bind_param(None, None, [[["Tom2"], [100], [True]]])
    stmt2.execute()
    got = [tuple(r) for r in stmt2.result()]
    want = rows(conn, "select * from d2 where name in ('Tom2') and score > 100 and sex = true;")
    assert got == want and len(got) == 2
    # Bare values, a datetime, a float and a Decimal.
    stmt2.prepare("select count(*) from d2 where ts >= ? and score > ? and name <> ?")
    stmt2.bind_param(None, None, [[dt.datetime.fromtimestamp((T0 + 1) / 1000, dt.timezone.utc), 270.5, "x"]])
    stmt2.execute()
    assert list(stmt2.result()) == [(3,)]
    with pytest.raises(StatementError, match="placeholder"):
        stmt2.bind_param(None, None, [[1, 2]])
    with pytest.raises(StatementError, match="None"):
        stmt2.bind_param(None, None, [[None, 1, "x"]])


def test_taospy_decimals_from_decimal_text_and_numbers(conn):
    conn.execute("create table d (ts timestamp, d64 decimal(10, 2), d128 decimal(30, 4))")
    stmt2 = conn.statement2("insert into d values (?, ?, ?)")
    stmt2.bind_param(None, None, [[
        [T0, T0 + 1, T0 + 2, T0 + 3],
        [Decimal("1.005"), Decimal("-2.5"), None, Decimal("7")],
        ["12345678901234567890.12345", 3, 2.5, "-0.00005"],
    ]])
    assert stmt2.execute() == 4
    assert rows(conn, "select d64, d128 from d order by ts") == [
        (Decimal("1.01"), Decimal("12345678901234567890.1235")),
        (Decimal("-2.50"), Decimal("3.0000")),
        (None, Decimal("2.5000")),
        (Decimal("7.00"), Decimal("-0.0001")),
    ]


def test_taospy_option_and_import_paths(conn):
    with pytest.raises(StatementError, match="reqid"):
        TaosStmt2Option(reqid="1")  # type: ignore[arg-type]
    with pytest.raises(StatementError, match="is_async"):
        TaosStmt2Option(is_async=True)
    assert TaosStmt2Option(userdata=None).reqid is None  # other keywords ignored, as taospy does
    opt = TaosStmt2Option(reqid=7, single_stb_insert=True, single_table_bind_once=True)
    assert (opt.reqid, opt.single_stb_insert, opt.single_table_bind_once) == (7, True, True)
    conn.execute("create table o (ts timestamp, v int)")
    s = conn.statement2("insert into o values (?, ?)", opt)
    assert s.option is opt
    n, fields = s.get_fields()
    assert n == 2 and [(f.name, f.type, f.field_type) for f in fields] == [("ts", 9, 1), ("v", 4, 1)]
    s.bind_param(None, None, [[[T0], [1]]])
    assert s.execute() == 1
    with pytest.raises(StatementError):
        conn.statement2("insert into o values (?, ?)", option={"reqid": 1})
    assert taosarrow.TaosStmt2 is TaosStmt2 and taosarrow.BindTable is BindTable
    assert taosarrow.statement2.TaosStmt2 is TaosStmt2 and taosarrow.bind2.BindTable is BindTable
    assert PrecisionEnum.Milliseconds == 0 and PrecisionEnum.Nanoseconds == 2
    assert bind2.datetime_to_timestamp(T0, PrecisionEnum.Milliseconds).value == T0
    aware = dt.datetime(2020, 10, 1, tzinfo=dt.timezone.utc)
    assert bind2.datetime_to_timestamp(aware, PrecisionEnum.Microseconds).value == 1_601_510_400_000_000
    assert bind2.datetime_to_timestamp("2020-10-01T00:00:00.123456789Z", PrecisionEnum.Nanoseconds).value == (
        1_601_510_400_123_456_789
    )
    assert bind2.datetime_to_timestamp(None, PrecisionEnum.Milliseconds).value == -(2**63)
    assert bind2.get_is_null_type(bind2.IGNORE) == bind2.IS_NULL_TYPE_IGNORE == 2
    assert bind2.get_is_null_type(None) == 1 and bind2.get_is_null_type(0) == 0
    assert bind2.IgnoreUpdateType(None) != bind2.IgnoreUpdateType("None")


@pytest.mark.parametrize("precision", ["ms", "us", "ns"])
def test_taospy_timestamps_in_each_precision(server, precision):
    """Ints are ticks of the database precision; datetimes and ISO text are converted exactly
    (the finer part floored)."""
    name = f"c2_tp_{precision}"
    admin = taosarrow.connect(server.dsn())
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name} PRECISION '{precision}'")
    admin.execute(f"CREATE TABLE {name}.t (ts TIMESTAMP, v INT)")
    admin.close()
    per_s = {"ms": 10**3, "us": 10**6, "ns": 10**9}[precision]
    base = 1_700_000_000  # seconds
    aware = dt.datetime.fromtimestamp(base + 2, dt.timezone.utc).replace(microsecond=123456)
    with taosarrow.connect(server.dsn(name)) as conn:
        stmt = conn.statement2("INSERT INTO t VALUES (?, ?)")
        stmt.bind_param(None, None, [[
            [base * per_s + 1, "2023-11-14T22:13:21.123456789Z", aware],
            [1, 2, 3],
        ]])
        assert stmt.execute() == 3
        got = rows(conn, "SELECT CAST(ts AS BIGINT), v FROM t ORDER BY ts")
    frac_ns = 123_456_789
    assert got == [
        (base * per_s + 1, 1),
        ((base + 1) * per_s + frac_ns * per_s // 10**9, 2),
        ((base + 2) * per_s + 123_456_000 * per_s // 10**9, 3),
    ]


def test_views_and_arrow_arrays_bind_through_bind_param(conn):
    import pyarrow as pa

    conn.execute("CREATE STABLE s (ts TIMESTAMP, v BIGINT, n NCHAR(8), b VARBINARY(8)) TAGS (g INT)")
    stmt = conn.statement2("INSERT INTO ? USING s TAGS (?) VALUES (?, ?, ?, ?)")
    stmt.bind_param(
        ["a"],
        [[taosarrow.int_to_tag(4)]],
        [[
            taosarrow.millis_timestamps_to_column([T0, T0 + 1]),
            taosarrow.ints_to_column([1, None]),  # INT values into BIGINT
            pa.array([b"x", None], pa.binary()),  # UTF-8 bytes into NCHAR
            pa.array(["y", "z"]),  # text into VARBINARY
        ]],
    )
    assert stmt.execute() == 2
    assert rows(conn, "SELECT g, v, n, b FROM s ORDER BY ts") == [(4, 1, "x", b"y"), (4, None, None, b"z")]
    with pytest.raises(StatementError, match="UTF-8"):
        stmt.bind_param(["a"], [[4]], [[[T0], [1], pa.array([b"\xff"]), [b"q"]]])


def test_taosws_statement_class_takes_the_connection(conn):
    conn.execute("CREATE TABLE t (ts TIMESTAMP, v INT)")
    stmt = taosws.TaosStmt2(conn)
    stmt.prepare("INSERT INTO t VALUES (?, ?)")
    stmt.bind(taosws.stmt2_bind_param_view(None, None, [taosws.millis_timestamps_to_column([T0]), taosws.ints_to_column([5])]))
    assert stmt.execute() == 1 and stmt.affect_rows() == 1
    with stmt:
        pass
    with pytest.raises(taosarrow.InterfaceError):
        stmt.execute()
    assert rows(conn, "SELECT v FROM t") == [(5,)]


def test_taospy_naive_datetimes_are_local_time_without_a_connection_time_zone(conn, monkeypatch):
    import time

    conn.execute("CREATE TABLE t (ts TIMESTAMP, v INT)")
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +05:30, no daylight saving time
    time.tzset()
    try:
        stmt = conn.statement2("INSERT INTO t VALUES (?, ?)")
        stmt.bind_param(None, None, [[["2024-01-01 05:30:00", dt.datetime(2024, 1, 1, 5, 30, 1)], [1, 2]]])
        assert stmt.execute() == 2
        assert bind2.datetime_to_timestamp(dt.datetime(2024, 1, 1, 5, 30), PrecisionEnum.Milliseconds).value == (
            1_704_067_200_000
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert rows(conn, "SELECT CAST(ts AS BIGINT), v FROM t ORDER BY ts") == [(1_704_067_200_000, 1), (1_704_067_201_000, 2)]


def test_readme_stmt2_example_runs(conn):
    """The README's stmt2 example, run on the tables it assumes."""
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"## Prepared statements \(stmt2\)\n.*?```python\n(.*?)```", readme, re.S)
    assert block is not None
    conn.execute("CREATE STABLE meters (ts TIMESTAMP, c FLOAT, v INT) TAGS (loc NCHAR(8), g INT)")
    conn.execute("CREATE TABLE t (ts TIMESTAMP, v INT)")
    scope = {"conn": conn, "taosarrow": taosarrow}
    exec(compile(block.group(1), "README.md", "exec"), scope)
    assert scope["stmt"].affect_rows() == 1
    assert rows(conn, "SELECT COUNT(*) FROM meters") == [(2,)]
    assert rows(conn, "SELECT v FROM t") == [(7,)]


def _every_type_views(mod):
    """The same child table's data built with ``mod``'s builders (taos-ws-py or ours)."""
    tags = [
        mod.bool_to_tag(True), mod.tiny_int_to_tag(-1), mod.small_int_to_tag(None),
        mod.int_to_tag(7), mod.big_int_to_tag(2**40), mod.u_tiny_int_to_tag(200),
        mod.u_small_int_to_tag(60000), mod.u_int_to_tag(None), mod.u_big_int_to_tag(2**63),
        mod.float_to_tag(0.25), mod.double_to_tag(-1e-10), mod.varchar_to_tag("tv"),
        mod.nchar_to_tag("标签"), mod.varbinary_to_tag(b"\x00t"),
        mod.timestamp_to_tag(T0 + 7, mod.PyPrecision.Milliseconds), mod.geometry_to_tag(WKB),
    ]
    cols = [
        mod.millis_timestamps_to_column([T0, T0 + 1, T0 + 2]),
        mod.bools_to_column([True, False, None]),
        mod.tiny_ints_to_column([-128, None, 127]),
        mod.small_ints_to_column([None, -32768, 32767]),
        mod.ints_to_column([0, None, -7]),
        mod.big_ints_to_column([-(2**63), 2**63 - 1, None]),
        mod.unsigned_tiny_ints_to_column([None, 0, 255]),
        mod.unsigned_small_ints_to_column([65535, None, 1]),
        mod.unsigned_ints_to_column([2**32 - 1, 5, None]),
        mod.unsigned_big_ints_to_column([None, 2**64 - 1, 0]),
        mod.floats_to_column([3.25, None, -0.5]),
        mod.doubles_to_column([None, 1e308, -2.5]),
        mod.varchar_to_column(["", None, "ascii"]),
        mod.binary_to_column(["b1", "b2", None]),
        mod.nchar_to_column(["ñ", None, "日本"]),
        mod.varbinary_to_column([None, b"\xff\x00", b""]),
        mod.geometry_to_column([WKB, None, WKB]),
        mod.blob_to_column([b"blob", None, b"\x00"]),
        mod.decimal64_to_column([Decimal("12.345"), None, Decimal("-0.005")]),
        mod.decimal_to_column([Decimal("123456789012.123456789"), Decimal("-1"), None]),
    ]
    return tags, cols


def test_our_views_write_what_taosws_views_write(conn, db, server):
    conn.execute(
        "CREATE STABLE st (ts TIMESTAMP, bo BOOL, ti TINYINT, si SMALLINT, i INT, bi BIGINT, "
        "uti TINYINT UNSIGNED, usi SMALLINT UNSIGNED, ui INT UNSIGNED, ubi BIGINT UNSIGNED, "
        "fl FLOAT, dbl DOUBLE, vc VARCHAR(20), bn BINARY(20), nc NCHAR(10), vb VARBINARY(10), "
        "geo GEOMETRY(64), bl BLOB, d64 DECIMAL(12, 2), d128 DECIMAL(30, 6)) TAGS (tbo BOOL, tti TINYINT, tsi SMALLINT, "
        "tii INT, tbi BIGINT, tuti TINYINT UNSIGNED, tusi SMALLINT UNSIGNED, tui INT UNSIGNED, "
        "tubi BIGINT UNSIGNED, tfl FLOAT, tdb DOUBLE, tvc VARCHAR(8), tnc NCHAR(8), tvb VARBINARY(8), "
        "tts TIMESTAMP, tgeo GEOMETRY(64))"
    )
    sql = "INSERT INTO ? USING st TAGS (" + ", ".join("?" * 16) + ") VALUES (" + ", ".join("?" * 20) + ")"
    ws = official.connect(server.dsn(db))
    try:
        theirs = ws.stmt2_statement()
        theirs.prepare(sql)
        tags, cols = _every_type_views(official)
        theirs.bind([official.stmt2_bind_param_view("by_taosws", tags, cols)])
        assert theirs.execute() == 3
    finally:
        ws.close()
    ours = conn.stmt2_statement()
    ours.prepare(sql)
    tags, cols = _every_type_views(taosarrow)
    ours.bind([taosarrow.stmt2_bind_param_view("by_taosarrow", tags, cols)])
    assert ours.execute() == 3
    select = ("SELECT CAST(ts AS BIGINT), bo, ti, si, i, bi, uti, usi, ui, ubi, fl, dbl, vc, bn, nc, vb, "
              "geo, bl, d64, d128, tbo, tti, tsi, tii, tbi, tuti, tusi, tui, tubi, tfl, tdb, tvc, tnc, tvb, "
              "CAST(tts AS BIGINT), tgeo FROM {} ORDER BY ts")
    a = ws_rows(server, db, select.format("by_taosws"))
    b = ws_rows(server, db, select.format("by_taosarrow"))
    assert len(a) == 3 and a == b
    assert a[0][:6] == (T0, True, -128, None, 0, -(2**63)) and a[0][18] == Decimal("12.35")
    assert rows(conn, select.format("by_taosws")) == rows(conn, select.format("by_taosarrow"))


def test_taospy_numpy_and_pandas_columns(server):
    """numpy / pandas columns go to pyarrow whole: naive datetime64 values are UTC instants
    (as Arrow reads them), kept to the nanosecond in a nanosecond database."""
    import numpy as np
    import pandas as pd

    name = "c2_numpy"
    admin = taosarrow.connect(server.dsn())
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name} PRECISION 'ns'")
    admin.execute(f"CREATE TABLE {name}.t (ts TIMESTAMP, v INT, f DOUBLE)")
    admin.close()
    ts = np.array(["2024-01-01T00:00:00.000000001", "2024-01-01T00:00:00.000000002"], dtype="datetime64[ns]")
    with taosarrow.connect(server.dsn(name)) as conn:
        stmt = conn.statement2("INSERT INTO t VALUES (?, ?, ?)")
        stmt.bind_param(None, None, [[ts, np.array([1, 2], dtype=np.int16), pd.Series([0.5, None])]])
        assert stmt.execute() == 2
        # numpy ints among other values are ticks too.
        stmt.bind_param(None, None, [[[np.int64(1_704_067_200_000_000_003), "2024-01-01T00:00:00.000000004Z"], [3, 4], [None, 1.0]]])
        assert stmt.execute() == 2
        assert rows(conn, "SELECT CAST(ts AS BIGINT), v, f FROM t ORDER BY ts") == [
            (1_704_067_200_000_000_001, 1, 0.5),
            (1_704_067_200_000_000_002, 2, None),
            (1_704_067_200_000_000_003, 3, None),
            (1_704_067_200_000_000_004, 4, 1.0),
        ]


@pytest.mark.parametrize("client", ["official", "taosarrow"])
def test_tbname_column_list_in_any_order(conn, db, server, client):
    """Placeholders are reported in the column list's order, roles mixed (as TDengine does);
    both clients still bind by role."""
    _ws_tables(conn)
    sql = "INSERT INTO stb1 (ts, tbname, a, t2, t1) VALUES (?, ?, ?, ?, ?)"
    s = conn.statement2(sql)
    assert [(f.name, f.bind_type) for f in s.fields] == [("ts", 1), ("tbname", 4), ("a", 1), ("t2", 2), ("t1", 2)]
    s.close()
    mod = official if client == "official" else taosarrow
    c = official.connect(server.dsn(db)) if client == "official" else conn
    stmt = c.stmt2_statement()
    stmt.prepare(sql)
    stmt.bind([mod.stmt2_bind_param_view(
        "mixed", [mod.varchar_to_tag("x"), mod.int_to_tag(9)],
        [mod.millis_timestamps_to_column([T0, T0 + 1]), mod.ints_to_column([1, 2])],
    )])
    assert stmt.execute() == 2
    if client == "official":
        c.close()
    assert rows(conn, "SELECT tbname, t1, t2, CAST(ts AS BIGINT), a FROM stb1 ORDER BY ts") == [
        ("mixed", 9, "x", T0, 1), ("mixed", 9, "x", T0 + 1, 2)
    ]
    # taospy's rows follow the same order.
    s = conn.statement2(sql)
    s.bind_param(None, None, [[T0 + 2, "mixed2", 3, "y", 8]])
    assert s.execute() == 1
    assert rows(conn, "SELECT t1, t2, a FROM stb1 WHERE tbname = 'mixed2'") == [(8, "y", 3)]
