"""stmt2 and stmt (v1) on the embedded server, driven by the official client taos-ws-py 0.7.0
and read back through it: a normal table with every bindable type and NULLs, child tables
created on demand through ``insert into ? using stb tags(?, ?) values(?, ?, ?, ?)``, the
``tbname`` column-list form, queries with ``?``, timestamp precisions, overwrite on equal
timestamps, rejected binds that write nothing, and stmt v1 (``conn.statement()``).
"""

from __future__ import annotations

import struct
from typing import Iterator, List, Optional

import pytest
import taosws

from conftest import RunningServer, start_server

T0 = 1_700_000_000_000


@pytest.fixture(scope="module")
def srv() -> Iterator[RunningServer]:
    s = start_server()
    yield s
    s.stop()


@pytest.fixture
def db(srv: RunningServer, request) -> Iterator["taosws.Connection"]:
    """A fresh database named after the test, and a connection using it."""
    name = "s2_" + request.node.name.split("[")[0].removeprefix("test_")[:40]
    admin = taosws.connect(srv.dsn())
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name} PRECISION 'ms'")
    conn = taosws.connect(srv.dsn(db=name))
    conn.execute(
        "CREATE STABLE stb (ts TIMESTAMP, a INT, b FLOAT, c VARCHAR(10)) TAGS (t1 INT, t2 VARCHAR(10))"
    )
    conn.execute("CREATE TABLE t1 (ts TIMESTAMP, a INT, b FLOAT, c VARCHAR(10))")
    yield conn
    conn.close()
    admin.close()


def f32(x: Optional[float]) -> Optional[float]:
    """The value a FLOAT column holds for ``x``."""
    return None if x is None else struct.unpack("<f", struct.pack("<f", x))[0]


def rows(conn: "taosws.Connection", sql: str) -> List[tuple]:
    return [tuple(r) for r in conn.query(sql)]


def view(columns, table_name: Optional[str] = "", tags=None):
    return taosws.stmt2_bind_param_view(table_name=table_name, tags=tags, columns=columns)


def test_normal_table_every_type_with_nulls(db):
    db.execute(
        "CREATE TABLE alltypes (ts TIMESTAMP, bo BOOL, ti TINYINT, si SMALLINT, i INT, bi BIGINT, "
        "uti TINYINT UNSIGNED, usi SMALLINT UNSIGNED, ui INT UNSIGNED, ubi BIGINT UNSIGNED, "
        "fl FLOAT, dbl DOUBLE, vc VARCHAR(20), nc NCHAR(10), vb VARBINARY(10))"
    )
    stmt = db.stmt2_statement()
    stmt.prepare("INSERT INTO alltypes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    data = [
        [T0, T0 + 1, T0 + 2],
        [True, None, False],
        [-128, 127, None],
        [-32768, None, 32767],
        [None, -(2**31), 2**31 - 1],
        [-(2**63), 2**63 - 1, None],
        [0, 255, None],
        [None, 0, 65535],
        [4294967295, None, 0],
        [0, 2**64 - 1, None],
        [1.5, None, -3.25],
        [None, 2.5e300, -1e-300],
        ["héllo", None, ""],
        ["日本語", "ü", None],
        [b"\x00\x01", None, b"\xff"],
    ]
    columns = [
        taosws.millis_timestamps_to_column(data[0]),
        taosws.bools_to_column(data[1]),
        taosws.tiny_ints_to_column(data[2]),
        taosws.small_ints_to_column(data[3]),
        taosws.ints_to_column(data[4]),
        taosws.big_ints_to_column(data[5]),
        taosws.unsigned_tiny_ints_to_column(data[6]),
        taosws.unsigned_small_ints_to_column(data[7]),
        taosws.unsigned_ints_to_column(data[8]),
        taosws.unsigned_big_ints_to_column(data[9]),
        taosws.floats_to_column(data[10]),
        taosws.doubles_to_column(data[11]),
        taosws.varchar_to_column(data[12]),
        taosws.nchar_to_column(data[13]),
        taosws.varbinary_to_column(data[14]),
    ]
    stmt.bind([view(columns)])
    assert stmt.execute() == 3
    stmt.close()
    got = rows(
        db,
        "SELECT CAST(ts AS BIGINT), bo, ti, si, i, bi, uti, usi, ui, ubi, fl, dbl, vc, nc, vb "
        "FROM alltypes ORDER BY ts",
    )
    want = [tuple(col[r] for col in data) for r in range(3)]
    want = [w[:10] + (f32(w[10]),) + w[11:] for w in want]
    assert got == want


def test_child_tables_created_on_demand(db):
    stmt = db.stmt2_statement()
    stmt.prepare("insert into ? using stb tags (?, ?) values (?, ?, ?, ?)")
    params = [
        view(
            [
                taosws.millis_timestamps_to_column([T0 + i, T0 + 1000]),
                taosws.ints_to_column([i, None]),
                taosws.floats_to_column([0.5 * i, 1.25]),
                taosws.varchar_to_column([f"r{i}", None]),
            ],
            table_name=f"d{i}",
            tags=[taosws.int_to_tag(10 + i), taosws.varchar_to_tag(f"site{i}")],
        )
        for i in range(4)
    ]
    stmt.bind(params)
    assert stmt.execute() == 8
    got = rows(db, "SELECT tbname, t1, t2, CAST(ts AS BIGINT), a, b, c FROM stb ORDER BY tbname, ts")
    want = []
    for i in range(4):
        want.append((f"d{i}", 10 + i, f"site{i}", T0 + i, i, 0.5 * i, f"r{i}"))
        want.append((f"d{i}", 10 + i, f"site{i}", T0 + 1000, None, 1.25, None))
    assert got == want
    assert sorted(r[0] for r in rows(db, "SHOW TABLES")) == ["d0", "d1", "d2", "d3", "t1"]


def test_tbname_column_list_form(db):
    stmt = db.stmt2_statement()
    stmt.prepare("INSERT INTO stb (tbname, t1, ts, a) VALUES (?, ?, ?, ?)")
    stmt.bind(
        [
            view(
                [taosws.millis_timestamps_to_column([T0, T0 + 1]), taosws.ints_to_column([7, 8])],
                table_name="vianame",
                tags=[taosws.int_to_tag(3)],
            )
        ]
    )
    assert stmt.execute() == 2
    got = rows(db, "SELECT tbname, t1, t2, CAST(ts AS BIGINT), a, b, c FROM stb ORDER BY ts")
    assert got == [("vianame", 3, None, T0, 7, None, None), ("vianame", 3, None, T0 + 1, 8, None, None)]


def _fill_t1(db) -> None:
    stmt = db.stmt2_statement()
    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    stmt.bind(
        [
            view(
                [
                    taosws.millis_timestamps_to_column([T0, T0 + 1, T0 + 2, T0 + 3]),
                    taosws.ints_to_column([1, 2, 3, 4]),
                    taosws.floats_to_column([1.1, 2.2, 3.3, 4.4]),
                    taosws.varchar_to_column(["a", "b", "c", "d"]),
                ]
            )
        ]
    )
    assert stmt.execute() == 4
    stmt.close()


def test_query_with_parameters(db):
    _fill_t1(db)
    stmt = db.stmt2_statement()
    stmt.prepare("select cast(ts as bigint), a, b, c from t1 where a > ? and c <> ? order by ts")
    stmt.bind([view([taosws.ints_to_column([1]), taosws.varchar_to_column(["c"])])])
    stmt.execute()
    got = [tuple(r) for r in stmt.result_set()]
    assert got == [(T0 + 1, 2, f32(2.2), "b"), (T0 + 3, 4, f32(4.4), "d")]
    # The same statement prepared again, with a timestamp parameter.
    stmt.prepare("select a from t1 where ts >= ? order by ts")
    stmt.bind([view([taosws.millis_timestamps_to_column([T0 + 2])])])
    stmt.execute()
    assert [tuple(r) for r in stmt.result_set()] == [(3,), (4,)]
    stmt.close()


@pytest.mark.parametrize(
    "precision, builder, values",
    [
        ("us", "micros_timestamps_to_column", [1_700_000_000_000_001, 1_700_000_000_000_002]),
        ("ns", "nanos_timestamps_to_column", [1_700_000_000_000_000_001, 1_700_000_000_000_000_002]),
    ],
)
def test_timestamp_precisions(srv, precision, builder, values):
    conn = taosws.connect(srv.dsn())
    name = f"s2_prec_{precision}"
    conn.execute(f"DROP DATABASE IF EXISTS {name}")
    conn.execute(f"CREATE DATABASE {name} PRECISION '{precision}'")
    conn.execute(f"CREATE STABLE {name}.m (ts TIMESTAMP, v INT) TAGS (g INT)")
    stmt = conn.stmt2_statement()
    stmt.prepare(f"INSERT INTO ? USING {name}.m TAGS (?) VALUES (?, ?)")
    stmt.bind(
        [
            view(
                [getattr(taosws, builder)(values), taosws.ints_to_column([1, 2])],
                table_name=f"{name}.c1",
                tags=[taosws.int_to_tag(5)],
            )
        ]
    )
    assert stmt.execute() == 2
    assert rows(conn, f"SELECT CAST(ts AS BIGINT), v, g FROM {name}.m ORDER BY ts") == [
        (values[0], 1, 5),
        (values[1], 2, 5),
    ]
    conn.close()


def test_same_timestamp_overwrites(db):
    stmt = db.stmt2_statement()
    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    for a in (1, 2):
        cols = [
            taosws.millis_timestamps_to_column([T0, T0 + 5]),
            taosws.ints_to_column([a, a]),
            taosws.floats_to_column([None, None]),
            taosws.varchar_to_column([str(a), None]),
        ]
        stmt.bind([view(cols)])
        assert stmt.execute() == 2
    assert rows(db, "SELECT CAST(ts AS BIGINT), a, b, c FROM t1 ORDER BY ts") == [
        (T0, 2, None, "2"),
        (T0 + 5, 2, None, None),
    ]


def test_rejected_binds_write_nothing(db):
    stmt = db.stmt2_statement()
    stmt.prepare("insert into ? using stb tags (?, ?) values (?, ?, ?, ?)")
    good = [
        taosws.millis_timestamps_to_column([T0]),
        taosws.ints_to_column([1]),
        taosws.floats_to_column([1.0]),
        taosws.varchar_to_column(["ok"]),
    ]
    tags = [taosws.int_to_tag(1), taosws.varchar_to_tag("x")]
    # A value longer than VARCHAR(10).
    too_long = good[:3] + [taosws.varchar_to_column(["x" * 11])]
    with pytest.raises(Exception, match=r"0x2653|[Vv]alue too long"):
        stmt.bind([view(good, "e1", tags), view(too_long, "e2", tags)])
        stmt.execute()
    # A column bound with the wrong type (BIGINT for INT).
    wrong = [good[0], taosws.big_ints_to_column([1])] + good[2:]
    with pytest.raises(Exception):
        stmt.bind([view(wrong, "e3", tags)])
        stmt.execute()
    assert rows(db, "SELECT COUNT(*) FROM stb") == [(0,)]


def test_stmt_v1_insert_into_normal_and_child_tables(db):
    stmt = db.statement()
    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    stmt.bind_param(
        [
            taosws.millis_timestamps_to_column([T0, T0 + 1]),
            taosws.ints_to_column([1, None]),
            taosws.floats_to_column([1.5, 2.5]),
            taosws.varchar_to_column(["a", None]),
        ]
    )
    stmt.add_batch()
    assert stmt.execute() == 2
    stmt.close()

    stmt = db.statement()
    stmt.prepare("insert into ? using stb tags (?, ?) values (?, ?, ?, ?)")
    for i in range(2):
        stmt.set_tbname_tags(f"v{i}", [taosws.int_to_tag(i), taosws.varchar_to_tag(None)])
        stmt.bind_param(
            [
                taosws.millis_timestamps_to_column([T0 + i]),
                taosws.ints_to_column([i]),
                taosws.floats_to_column([None]),
                taosws.varchar_to_column(["é"]),
            ]
        )
        stmt.add_batch()
    assert stmt.execute() == 2
    stmt.close()
    assert rows(db, "SELECT CAST(ts AS BIGINT), a, b, c FROM t1 ORDER BY ts") == [
        (T0, 1, 1.5, "a"),
        (T0 + 1, None, 2.5, None),
    ]
    assert rows(db, "SELECT tbname, t1, t2, CAST(ts AS BIGINT), a, b, c FROM stb ORDER BY tbname") == [
        ("v0", 0, None, T0, 0, None, "é"),
        ("v1", 1, None, T0 + 1, 1, None, "é"),
    ]


def test_decimals_rounded_to_the_column_scale_and_bound_in_queries(db):
    from decimal import Decimal

    db.execute("CREATE TABLE dec (ts TIMESTAMP, d64 DECIMAL(10, 2), d128 DECIMAL(20, 10))")
    stmt = db.stmt2_statement()
    stmt.prepare("insert into dec values (?, ?, ?)")
    d64 = [Decimal("99.9876"), Decimal("1.0234"), None, Decimal("0.995"), Decimal("-1.995")]
    d128 = [Decimal("1234567890.1234567890"), Decimal("1.23E+5"), Decimal("0.1234567890123"), None, None]
    stmt.bind(
        [
            view(
                [
                    taosws.millis_timestamps_to_column([T0 + i for i in range(5)]),
                    taosws.decimal64_to_column(d64),
                    taosws.decimal_to_column(d128),
                ]
            )
        ]
    )
    assert stmt.execute() == 5
    assert rows(db, "SELECT d64, d128 FROM dec ORDER BY ts") == [
        (Decimal("99.99"), Decimal("1234567890.1234567890")),
        (Decimal("1.02"), Decimal("123000")),
        (None, Decimal("0.1234567890")),
        (Decimal("1.00"), None),
        (Decimal("-2.00"), None),
    ]
    stmt.prepare("select d64 from dec where d64 >= ? and d128 >= ? order by ts")
    stmt.bind([view([taosws.decimal64_to_column([Decimal("1.00")]), taosws.decimal_to_column([Decimal("100000")])])])
    stmt.execute()
    assert [tuple(r) for r in stmt.result_set()] == [(Decimal("99.99"),), (Decimal("1.02"),)]
