"""The embedded server's SQL as the official client taos-ws-py 0.7.0 sees it: aggregates, GROUP BY /
PARTITION BY, INTERVAL … SLIDING windows, WHERE on ts/tags/tbname, ORDER BY/LIMIT/OFFSET,
SHOW/DESCRIBE, ALTER, overwrites, auto-create, NOW ± interval — and errors carrying TDengine codes.

Every expected value is computed here from the rows inserted (a small model of the data).
taos-ws-py 0.7.0 exceptions have no ``errno``: the code is in the text ``[0xCODE] …``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterator, List, Optional

import pytest
import taosws

import fidelity_data as fd
from conftest import RunningServer, start_server

T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC, ms
TABLES = {"a1": ("sf", 1), "a2": ("la", 1), "a3": ("sf", 2)}


def model() -> List[Dict[str, Any]]:
    """The rows of agg.m: 10 per child, ts = T0 + k s, v = 10t + k (a2: NULL at k 5 and 9),
    f = k/2 + t, s = '<tb>-<k>'."""
    rows = []
    for t, (tb, (loc, gid)) in enumerate(TABLES.items(), start=1):
        for k in range(10):
            v: Optional[int] = 10 * t + k
            if tb == "a2" and k in (5, 9):
                v = None
            rows.append(dict(ts=T0 + 1000 * k, v=v, f=k / 2 + t, s=f"{tb}-{k}", tb=tb, loc=loc, gid=gid))
    return rows


ROWS = model()


@pytest.fixture(scope="module")
def srv() -> Iterator[RunningServer]:
    s = start_server()
    conn = taosws.connect(s.dsn())
    conn.execute("CREATE DATABASE agg PRECISION 'ms' KEEP 3650 DURATION 10")
    conn.execute("CREATE STABLE agg.m (ts TIMESTAMP, v INT, f DOUBLE, s NCHAR(8)) TAGS (loc VARCHAR(10), gid INT)")
    for tb, (loc, gid) in TABLES.items():
        conn.execute(f"CREATE TABLE agg.{tb} USING agg.m TAGS ('{loc}', {gid})")
    values: Dict[str, List[str]] = {tb: [] for tb in TABLES}
    for r in ROWS:
        v = "NULL" if r["v"] is None else str(r["v"])
        values[r["tb"]].append(f"({r['ts']}, {v}, {r['f']}, '{r['s']}')")
    # Many tables in one statement.
    sql = "INSERT INTO " + " ".join(f"agg.{tb} VALUES {' '.join(v)}" for tb, v in values.items())
    assert conn.execute(sql) == len(ROWS)
    conn.close()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ws(srv: RunningServer) -> Iterator["taosws.Connection"]:
    conn = taosws.connect(srv.dsn())
    yield conn
    conn.close()


def fetch(conn, sql: str) -> List[tuple]:
    """Rows through Cursor.fetchall, ms timestamps turned into ticks."""
    cur = conn.cursor()
    cur.execute(sql)
    return [tuple(fd.ticks_of_datetime(v, "ms") if isinstance(v, dt.datetime) else v for v in r) for r in cur.fetchall()]


def codes(conn, sql: str) -> List[int]:
    cur = conn.cursor()
    cur.execute(sql)
    return [d[1] for d in cur.description]


def non_null(rows, key="v"):
    return [r[key] for r in rows if r[key] is not None]


def test_aggregates_over_a_super_table(ws):
    sql = "SELECT COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v), AVG(f), AVG(v) FROM agg.m"
    vs = non_null(ROWS)
    assert fetch(ws, sql) == [
        (len(ROWS), len(vs), sum(vs), min(vs), max(vs), sum(r["f"] for r in ROWS) / len(ROWS), sum(vs) / len(vs))
    ]
    # COUNT and SUM(INT) are BIGINT, MIN/MAX keep INT, AVG is DOUBLE.
    assert codes(ws, sql) == [5, 5, 5, 4, 4, 7, 7]


def test_first_last_last_row(ws):
    a2 = [r for r in ROWS if r["tb"] == "a2"]
    assert fetch(ws, "SELECT FIRST(v), LAST(v), LAST_ROW(v), FIRST(s), LAST(ts) FROM agg.a2") == [
        (a2[0]["v"], non_null(a2)[-1], None, a2[0]["s"], a2[-1]["ts"])
    ]
    # Per child of the super table.
    got = fetch(ws, "SELECT tbname, LAST(v), LAST_ROW(f) FROM agg.m PARTITION BY tbname ORDER BY tbname")
    want = []
    for tb in sorted(TABLES):
        rows = [r for r in ROWS if r["tb"] == tb]
        want.append((tb, non_null(rows)[-1], rows[-1]["f"]))
    assert got == want


def test_group_by_tbname_and_tags(ws):
    got = fetch(ws, "SELECT tbname, COUNT(*), SUM(v) FROM agg.m GROUP BY tbname ORDER BY tbname")
    assert got == [
        (tb, 10, sum(non_null([r for r in ROWS if r["tb"] == tb]))) for tb in sorted(TABLES)
    ]
    got = fetch(ws, "SELECT loc, COUNT(*), MAX(v) FROM agg.m GROUP BY loc ORDER BY loc")
    assert got == [
        (loc, len(rs), max(non_null(rs)))
        for loc in ("la", "sf")
        for rs in [[r for r in ROWS if r["loc"] == loc]]
    ]
    got = fetch(ws, "SELECT gid, loc, MIN(f) FROM agg.m PARTITION BY gid, loc")
    assert sorted(got) == sorted(
        {(r["gid"], r["loc"], min(x["f"] for x in ROWS if (x["gid"], x["loc"]) == (r["gid"], r["loc"]))) for r in ROWS}
    )


def windows(rows, interval: int, sliding: int):
    """TDengine INTERVAL/SLIDING windows over `rows`: start aligned to `sliding`, [start, start + interval)."""
    out = {}
    for r in rows:
        first = (r["ts"] - interval) // sliding * sliding + sliding
        for start in range(first, r["ts"] + 1, sliding):
            if start <= r["ts"] < start + interval:
                out.setdefault(start, []).append(r)
    return [(s, s + interval, out[s]) for s in sorted(out)]


def test_interval_with_sliding(ws):
    a1 = [r for r in ROWS if r["tb"] == "a1"]
    got = fetch(ws, "SELECT _wstart, _wend, COUNT(*), SUM(v) FROM agg.a1 INTERVAL(4s) SLIDING(2s)")
    want = [(s, e, len(rs), sum(non_null(rs))) for s, e, rs in windows(a1, 4000, 2000)]
    assert got == want
    assert want[0][0] == T0 - 2000  # a window that starts before the first row
    assert codes(ws, "SELECT _wstart, _wend, COUNT(*) FROM agg.a1 INTERVAL(4s) SLIDING(2s)") == [9, 9, 5]


def test_interval_partitioned_by_tbname(ws):
    got = fetch(ws, "SELECT tbname, _wstart, COUNT(v), AVG(f) FROM agg.m PARTITION BY tbname INTERVAL(3s) ORDER BY tbname, _wstart")
    want = []
    for tb in sorted(TABLES):
        for s, _, rs in windows([r for r in ROWS if r["tb"] == tb], 3000, 3000):
            want.append((tb, s, len(non_null(rs)), sum(r["f"] for r in rs) / len(rs)))
    assert got == want


def test_interval_over_a_time_range_with_limit(ws):
    got = fetch(
        ws,
        f"SELECT _wstart, MAX(v) FROM agg.m WHERE ts >= {T0 + 2000} AND ts < {T0 + 8000} INTERVAL(2s) LIMIT 2 OFFSET 1",
    )
    want = []
    for s, _, rs in windows([r for r in ROWS if T0 + 2000 <= r["ts"] < T0 + 8000], 2000, 2000):
        want.append((s, max(non_null(rs))))
    assert got == want[1:3]


def test_where_on_ts_tags_and_tbname(ws):
    a1 = [r for r in ROWS if r["tb"] == "a1"]
    assert fetch(ws, f"SELECT v FROM agg.a1 WHERE ts BETWEEN {T0 + 2000} AND {T0 + 4000} ORDER BY ts") == [
        (r["v"],) for r in a1[2:5]
    ]
    # Time strings are read in the connection's time zone (UTC here).
    assert fetch(ws, "SELECT v FROM agg.a1 WHERE ts >= '2023-11-14 22:13:27' ORDER BY ts") == [(r["v"],) for r in a1[7:]]
    assert fetch(ws, "SELECT COUNT(*) FROM agg.m WHERE loc = 'sf' AND gid = 2") == [(10,)]
    assert fetch(ws, "SELECT COUNT(*) FROM agg.m WHERE tbname IN ('a1', 'a3')") == [(20,)]
    assert fetch(ws, "SELECT DISTINCT tbname FROM agg.m WHERE v > 25 ORDER BY tbname") == [("a2",), ("a3",)]
    assert fetch(ws, "SELECT s FROM agg.m WHERE tbname = 'a2' AND v IS NULL ORDER BY ts") == [("a2-5",), ("a2-9",)]


def test_order_by_limit_offset(ws):
    vs = sorted(non_null(ROWS), reverse=True)
    assert fetch(ws, "SELECT v FROM agg.m WHERE v IS NOT NULL ORDER BY v DESC LIMIT 3 OFFSET 2") == [(v,) for v in vs[2:5]]
    a3 = [r for r in ROWS if r["tb"] == "a3"]
    assert fetch(ws, "SELECT ts, s FROM agg.a3 ORDER BY ts LIMIT 4, 3") == [(r["ts"], r["s"]) for r in a3[4:7]]
    assert fetch(ws, "SELECT ts, f * 2 + 1 AS g FROM agg.a3 ORDER BY ts DESC LIMIT 2") == [
        (r["ts"], r["f"] * 2 + 1) for r in a3[::-1][:2]
    ]


def test_show_and_describe(ws):
    names = [r[0] for r in list(ws.query("SHOW DATABASES"))]
    assert "agg" in names
    ws.execute("USE agg")
    assert [r[0] for r in ws.query("SHOW STABLES")] == ["m"]
    assert sorted(r[0] for r in ws.query("SHOW TABLES")) == ["a1", "a2", "a3"]
    desc = [tuple(r[:4]) for r in ws.query("DESCRIBE agg.m")]
    assert desc == [
        ("ts", "TIMESTAMP", 8, ""),
        ("v", "INT", 4, ""),
        ("f", "DOUBLE", 8, ""),
        ("s", "NCHAR", 8, ""),
        ("loc", "VARCHAR", 10, "TAG"),
        ("gid", "INT", 4, "TAG"),
    ]
    # Connection.cursor() opens its own socket, so the USE above shows on this connection only.
    [(db, version)] = list(ws.query("SELECT DATABASE(), SERVER_VERSION()"))
    assert db == "agg" and version.startswith("3.")
    assert fetch(ws, "SELECT DATABASE()") == [(None,)]


def test_show_dnodes_as_the_connector_examples_run_it(srv, ws):
    """taos-ws-py's examples and tests begin with ``show dnodes``: one dnode, ready, at the
    address the server listens on; ``information_schema.ins_dnodes`` is the same table."""
    [row] = list(ws.query("show dnodes"))
    dnode_id, endpoint, vnodes, support_vnodes, status, _created, _rebooted, note = row
    assert (dnode_id, endpoint, status, note) == (1, f"{srv.host}:{srv.port}", "ready", "")
    assert 1 <= vnodes < support_vnodes
    assert fetch(ws, "SELECT id, status FROM information_schema.ins_dnodes") == [(1, "ready")]
    [(created_ms, rebooted_ms)] = fetch(ws, "SELECT create_time, reboot_time FROM information_schema.ins_dnodes")
    assert T0 < created_ms <= rebooted_ms


def test_json_tag_example(ws):
    """The taospy example json-tag.py, and the filters of TDengine's JSON manual page."""
    ws.execute("CREATE STABLE agg.js (ts TIMESTAMP, v1 INT) TAGS (info JSON)")
    ws.execute("""CREATE TABLE agg.js_1 USING agg.js TAGS ('{"k1": "v1", "n": 2}')""")
    ws.execute("CREATE TABLE agg.js_2 USING agg.js TAGS (NULL)")
    ws.execute(f"INSERT INTO agg.js_1 VALUES ({T0}, 1) agg.js_2 VALUES ({T0}, 2)")
    assert fetch(ws, "SELECT info->'k1' AS k1 FROM agg.js ORDER BY v1") == [('"v1"',), (None,)]
    assert fetch(ws, "SELECT info->'n', info->'none' FROM agg.js_1") == [("2.000000000", None)]
    assert fetch(ws, "SELECT v1 FROM agg.js WHERE info->'k1' = 'v1'") == [(1,)]
    assert fetch(ws, "SELECT v1 FROM agg.js WHERE info->'n' > 1 AND info CONTAINS 'k1'") == [(1,)]
    assert fetch(ws, "SELECT v1 FROM agg.js WHERE info->'k1' IS NULL") == [(2,)]
    assert fetch(ws, "SELECT v1 FROM agg.js WHERE info CONTAINS 'k2'") == []


def test_alter_add_column_and_tag(ws):
    ws.execute("CREATE TABLE agg.alt (ts TIMESTAMP, v INT)")
    ws.execute(f"INSERT INTO agg.alt VALUES ({T0}, 1)")
    ws.execute("ALTER TABLE agg.alt ADD COLUMN w DOUBLE")
    ws.execute(f"INSERT INTO agg.alt VALUES ({T0 + 1}, 2, 2.5)")
    assert fetch(ws, "SELECT * FROM agg.alt") == [(T0, 1, None), (T0 + 1, 2, 2.5)]
    ws.execute("CREATE STABLE agg.m2 (ts TIMESTAMP, v INT) TAGS (g INT)")
    ws.execute(f"INSERT INTO agg.m2c USING agg.m2 TAGS (7) VALUES ({T0}, 1)")
    ws.execute("ALTER STABLE agg.m2 ADD TAG label NCHAR(4)")
    ws.execute("ALTER STABLE agg.m2 ADD COLUMN x BIGINT")
    assert fetch(ws, "SELECT * FROM agg.m2") == [(T0, 1, None, 7, None)]
    assert [tuple(r[:4]) for r in ws.query("DESCRIBE agg.m2")][-2:] == [("g", "INT", 4, "TAG"), ("label", "NCHAR", 4, "TAG")]


def test_same_timestamp_overwrites_and_rows_stay_ordered(ws):
    ws.execute("CREATE TABLE agg.ow (ts TIMESTAMP, v INT, s VARCHAR(4))")
    assert ws.execute(f"INSERT INTO agg.ow VALUES ({T0 + 2}, 2, 'b') ({T0}, 0, 'a') ({T0 + 1}, 1, 'x')") == 3
    ws.execute(f"INSERT INTO agg.ow VALUES ({T0 + 1}, 10, 'y')")
    assert fetch(ws, "SELECT * FROM agg.ow") == [(T0, 0, "a"), (T0 + 1, 10, "y"), (T0 + 2, 2, "b")]
    assert fetch(ws, "SELECT COUNT(*) FROM agg.ow") == [(3,)]


def test_insert_using_tags_auto_creates_children(ws):
    n = ws.execute(
        f"INSERT INTO agg.n1 USING agg.m TAGS ('ny', 3) VALUES ({T0}, 1, 0.5, 'n1') "
        f"agg.n2 USING agg.m TAGS ('ny', 4) VALUES ({T0}, 2, 1.5, 'n2') ({T0 + 1}, 3, 2.5, 'n2b')"
    )
    assert n == 3
    assert fetch(ws, "SELECT tbname, gid, SUM(v) FROM agg.m WHERE loc = 'ny' GROUP BY tbname, gid ORDER BY tbname") == [
        ("n1", 3, 1),
        ("n2", 4, 5),
    ]
    ws.execute("DROP TABLE agg.n1")
    ws.execute("DROP TABLE agg.n2")
    assert fetch(ws, "SELECT COUNT(*) FROM agg.m") == [(len(ROWS),)]


def test_now_plus_minus_interval(ws):
    # Every NOW of one statement is the statement's start, so the offsets are exact whatever
    # the clock reads; the later query only needs the clock not to run backwards (and the
    # test to take less than 23 hours).
    ws.execute("CREATE TABLE agg.nw (ts TIMESTAMP, v INT)")
    ws.execute("INSERT INTO agg.nw VALUES (NOW - 1h, 1) (NOW, 2) (NOW + 1h, 3) (NOW() + 1d, 4)")
    rows = fetch(ws, "SELECT ts, v FROM agg.nw ORDER BY ts")
    assert [r[1] for r in rows] == [1, 2, 3, 4]
    now = rows[1][0]
    assert [r[0] - now for r in rows] == [-3_600_000, 0, 3_600_000, 86_400_000]
    assert fetch(ws, "SELECT COUNT(*) FROM agg.nw WHERE ts <= NOW + 1h") == [(3,)]
    assert fetch(ws, "SELECT COUNT(*) FROM agg.nw WHERE ts >= NOW - 1h - 1d") == [(4,)]


def test_arithmetic_is_double_and_timestamps_shift_by_ticks(ws):
    a1 = [r for r in ROWS if r["tb"] == "a1"]
    sql = f"SELECT v / 4, v % 3, -v, v * 2 + 1, ts - 1000, 500 + ts, ts + 1s FROM agg.a1 ORDER BY ts LIMIT 2"
    assert codes(ws, sql) == [7, 7, 7, 7, 9, 9, 9]
    assert fetch(ws, sql) == [
        (r["v"] / 4, float(r["v"] % 3), float(-r["v"]), r["v"] * 2 + 1.0, r["ts"] - 1000, r["ts"] + 500, r["ts"] + 1000)
        for r in a1[:2]
    ]
    vs = non_null(ROWS)
    assert fetch(ws, "SELECT SUM(v) / COUNT(v) FROM agg.m") == [(sum(vs) / len(vs),)]
    assert fetch(ws, "SELECT CAST(v AS DOUBLE), CAST(f AS INT) FROM agg.a1 WHERE v = 11") == [(11.0, 1)]


def test_string_escapes(ws):
    ws.execute("CREATE TABLE agg.esc (ts TIMESTAMP, s NCHAR(16))")
    ws.execute(f"INSERT INTO agg.esc VALUES ({T0}, 'it\\'s') ({T0 + 1}, 'tab\\there') ({T0 + 2}, \"dq 'x'\")")
    assert fetch(ws, "SELECT s FROM agg.esc ORDER BY ts") == [("it's",), ("tab\there",), ("dq 'x'",)]
    assert fetch(ws, "SELECT ts FROM agg.esc WHERE s = 'it\\'s'") == [(T0,)]
    assert fetch(ws, "SELECT ts FROM agg.esc WHERE s = \"dq 'x'\"") == [(T0 + 2,)]


def test_connection_time_zone(srv):
    """Time strings without an offset are read in the DSN's time zone; day windows start at its
    midnight."""
    conn = taosws.connect(srv.dsn() + "?timezone=Asia/Shanghai")
    conn.execute("CREATE TABLE agg.tz (ts TIMESTAMP, v INT)")
    # T0 is 2023-11-15 06:13:20 in Shanghai (UTC+8).
    conn.execute("INSERT INTO agg.tz VALUES ('2023-11-15 06:13:20', 1) ('2023-11-15 07:00:00.5', 2) ('2023-11-14T15:59:59Z', 3)")
    assert fetch(conn, "SELECT ts, v FROM agg.tz") == [(T0 - 22_401_000, 3), (T0, 1), (T0 + 2_800_500, 2)]
    assert fetch(conn, "SELECT v FROM agg.tz WHERE ts = '2023-11-15 06:13:20'") == [(1,)]
    assert fetch(conn, "SELECT v FROM agg.tz WHERE ts >= '2023-11-15 00:00:00' ORDER BY v") == [(1,), (2,)]
    midnight = T0 - 22_400_000  # 2023-11-15 00:00:00 +08:00
    assert fetch(conn, "SELECT _wstart, COUNT(*) FROM agg.tz INTERVAL(1d)") == [(midnight - 86_400_000, 1), (midnight, 2)]
    [(text, _)] = list(conn.query("SELECT _wstart, COUNT(*) FROM agg.tz WHERE v = 1 INTERVAL(1d)"))
    assert text == "2023-11-15 00:00:00 CST"
    conn.close()


def _raises(call, cls, code: str, *fragments: str) -> str:
    with pytest.raises(cls) as info:
        call()
    text = str(info.value)
    assert text.startswith(f"[{code}]"), text
    for f in fragments:
        assert f in text, text
    return text


ERRORS = [
    ("SELEC * FROM agg.m", "0x2600", ["syntax error"]),
    ("SELECT * FROM agg.nope", "0x2662", ["Fail to get table info", "Table does not exist"]),
    ("SELECT * FROM nodb.t", "0x0388", ["Database not exist"]),
    ("USE nodb", "0x0388", ["Database not exist"]),
    ("CREATE DATABASE agg", "0x0381", ["Database already exists"]),
    ("CREATE TABLE agg.a1 (ts TIMESTAMP, v INT)", "0x0603", ["Table already exists"]),
    ("CREATE STABLE agg.m (ts TIMESTAMP, v INT) TAGS (g INT)", "0x0360", ["STable already exists"]),
    (f"INSERT INTO agg.nope VALUES ({T0}, 1)", "0x2603", ["Table does not exist"]),
    (f"INSERT INTO agg.a1 VALUES ({T0}, 1)", "0x2634", []),
    (f"INSERT INTO agg.a1 (ts, s) VALUES ({T0}, 'longer than 8')", "0x2653", []),
    ("SELECT nosuch FROM agg.a1", "0x2602", ["nosuch"]),
    # Unsupported syntax: the syntax-error code and a message naming what is unsupported.
    ("SELECT _wstart, COUNT(*) FROM agg.a1 INTERVAL(1s) FILL(PREV)", "0x2600", ["FILL"]),
    ("SELECT COUNT(*) FROM agg.a1 SESSION(ts, 2s)", "0x2600", ["SESSION"]),
    ("SELECT COUNT(*) FROM agg.a1 STATE_WINDOW(v)", "0x2600", ["STATE_WINDOW"]),
    ("SELECT COUNT(*) FROM agg.a1 EVENT_WINDOW START WITH v > 1 END WITH v < 5", "0x2600", ["EVENT_WINDOW"]),
    ("SELECT COUNT(*) FROM agg.m PARTITION BY tbname SLIMIT 1", "0x2600", ["SLIMIT"]),
    # TDengine limits each partition: a global LIMIT would differ silently.
    ("SELECT tbname, _wstart, COUNT(*) FROM agg.m PARTITION BY tbname INTERVAL(1s) LIMIT 2", "0x2600", ["PARTITION BY"]),
    ("SELECT INTERP(v) FROM agg.a1 RANGE('2023-11-14 22:13:20', '2023-11-14 22:13:25') EVERY(1s)", "0x2600", []),
    ("SELECT DIFF(v) FROM agg.a1", "0x2600", ["diff"]),
    ("SELECT TOP(v, 2) FROM agg.a1", "0x2600", ["top"]),
    ("SELECT _wstart, COUNT(*) FROM agg.a1 INTERVAL(2s, 1s)", "0x2600", ["INTERVAL with an offset"]),
    ("SELECT _wstart, COUNT(*) FROM agg.a1 INTERVAL(1n)", "0x2600", ["months or years"]),
    ("SELECT * FROM (SELECT * FROM (SELECT v FROM agg.a1))", "0x2600", ["more than one level of subquery"]),
    ("SELECT * FROM agg.a1, agg.a2 WHERE a1.ts = a2.ts", "0x2600", ["several tables in FROM"]),
    ("EXPLAIN SELECT * FROM agg.a1", "0x2600", ["EXPLAIN"]),
    ("DELETE FROM agg.a1 WHERE v > 1", "0x2655", ["definite time window range"]),
    ("DELETE FROM agg.m WHERE gid = 1", "0x2600", ["tag condition"]),
    ("DELETE FROM agg.a1 WHERE ts > 1 OR ts < 0", "0x2600", ["OR"]),
    ("SHOW TABLE DISTRIBUTED agg.a1", "0x2600", ["SHOW TABLE DISTRIBUTED"]),
    ("ALTER TABLE agg.a1 SET TAG nope = 5", "0x036A", ["nope"]),
    ("ALTER TABLE agg.a1 SET TAG gid = 'x'", "0x2605", []),
    ("CREATE STREAM s1 INTO agg.s1 AS SELECT COUNT(*) FROM agg.m INTERVAL(1s)", "0x2600", ["CREATE STREAM"]),
    # The JSON operators take a JSON tag (agg.m has none).
    ("SELECT v->'k' FROM agg.m", "0x2605", ["->", "JSON tag"]),
    ("SELECT v FROM agg.m WHERE loc CONTAINS 'k'", "0x2605", ["CONTAINS", "JSON tag"]),
    ("SELECT ->'k' FROM agg.m", "0x2600", ["->"]),
]


@pytest.mark.parametrize("sql, code, fragments", ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_errors_carry_tdengine_codes(ws, sql, code, fragments):
    _raises(lambda: ws.execute(sql), taosws.QueryError, code, *fragments)
    _raises(lambda: ws.query(sql), taosws.QueryError, code, *fragments)
    _raises(lambda: ws.cursor().execute(sql), taosws.OperationalError, code, *fragments)
    # The connection keeps working after an error.
    assert fetch(ws, "SELECT COUNT(*) FROM agg.a3") == [(10,)]


def test_database_not_specified(srv):
    conn = taosws.connect(srv.dsn())
    _raises(lambda: conn.execute("SELECT * FROM m"), taosws.QueryError, "0x2616")
    conn.close()


def test_authentication_failure(srv):
    _raises(lambda: taosws.connect(srv.dsn(password="nope")), taosws.ConnectionError, "0x0357", "Authentication failure")
    _raises(lambda: taosws.connect(srv.dsn(db="nodb")), taosws.ConnectionError, "0x0388")


def test_decimal_text_takes_exponents_and_rounds_half_away_from_zero(ws):
    """TDengine reads ``1.23E+5`` into a DECIMAL as 123000 and rounds extra fractional
    digits half away from zero (``99.9876`` → ``99.99``, ``-1.995`` → ``-2.00``)."""
    ws.execute("CREATE TABLE agg.dec (ts TIMESTAMP, d DECIMAL(20, 2))")
    ws.execute(
        f"INSERT INTO agg.dec VALUES ({T0}, 1.23E+5) ({T0 + 1}, '99.9876') ({T0 + 2}, -1.995) ({T0 + 3}, 0.005)"
    )
    got = [str(r[0]) for r in ws.query("SELECT d FROM agg.dec ORDER BY ts")]
    assert got == ["123000.00", "99.99", "-2.00", "0.01"]


def test_delete_removes_a_time_range(ws):
    """DELETE by time range (TDengine's SQL reference, "Delete Data"): from a table, and from
    every child table of a super table; the answer is the rows deleted."""
    ws.execute("CREATE STABLE agg.del (ts TIMESTAMP, v INT) TAGS (g INT)")
    for k in (1, 2):
        values = " ".join(f"({T0 + s * 1000}, {s})" for s in range(10))
        ws.execute(f"INSERT INTO agg.del_{k} USING agg.del TAGS ({k}) VALUES {values}")
    assert ws.execute(f"DELETE FROM agg.del_1 WHERE ts >= {T0 + 8000}") == 2
    assert [r[0] for r in ws.query("SELECT v FROM agg.del_1 ORDER BY ts")] == list(range(8))
    # BETWEEN is inclusive; a time string is read like any other.
    assert ws.execute("DELETE FROM agg.del WHERE ts BETWEEN '2023-11-14T22:13:21Z' AND '2023-11-14T22:13:22Z'") == 4
    assert [r[0] for r in ws.query("SELECT v FROM agg.del_2 ORDER BY ts")] == [0, 3, 4, 5, 6, 7, 8, 9]
    assert ws.execute("DELETE FROM agg.del") == 14
    assert list(ws.query("SELECT COUNT(*) FROM agg.del")) == [(0,)]


def test_set_tag_changes_a_child_tables_tags(ws):
    """ALTER TABLE child SET TAG (TDengine's SQL reference, "Manage Tables"), several at once in
    3.3; what tag queries and SHOW TAGS read afterwards."""
    ws.execute("CREATE STABLE agg.st (ts TIMESTAMP, v INT) TAGS (g INT, loc VARCHAR(8))")
    ws.execute(f"INSERT INTO agg.st_1 USING agg.st TAGS (1, 'here') VALUES ({T0}, 1)")
    ws.execute("ALTER TABLE agg.st_1 SET TAG g = 7, loc = 'there'")
    assert list(ws.query("SELECT g, loc FROM agg.st")) == [(7, "there")]
    assert [r[5] for r in ws.query("SHOW TAGS FROM agg.st_1")] == ["7", "there"]
    ws.execute("ALTER TABLE agg.st_1 SET TAG loc = NULL")
    assert list(ws.query("SELECT loc FROM agg.st WHERE loc IS NULL")) == [(None,)]


def test_insert_select_copies_query_rows(ws):
    """INSERT INTO tb [(cols)] subquery (TDengine's SQL reference, "Insert"): the query's rows,
    matched to the named columns by position."""
    ws.execute("CREATE TABLE agg.copied (ts TIMESTAMP, v INT, s NCHAR(8))")
    written = ws.execute("INSERT INTO agg.copied (ts, v) SELECT ts, v FROM agg.a1 WHERE v IS NOT NULL")
    want = [r["v"] for r in ROWS if r["tb"] == "a1" and r["v"] is not None]
    assert written == len(want)
    got = sorted(r[0] for r in ws.query("SELECT v FROM agg.copied"))
    assert got == sorted(want)
    assert list(ws.query("SELECT COUNT(*) FROM agg.copied WHERE s IS NULL")) == [(len(want),)]


def test_spread_is_max_minus_min_as_double(ws):
    """SPREAD (TDengine's reference, "Aggregate Functions"): the difference of the largest and
    the smallest value, a DOUBLE; on the timestamp column, in ticks of the precision."""
    v = [r["v"] for r in ROWS if r["tb"] == "a1" and r["v"] is not None]
    ts = [r["ts"] for r in ROWS if r["tb"] == "a1"]
    [(got_v, got_ts)] = list(ws.query("SELECT SPREAD(v), SPREAD(ts) FROM agg.a1"))
    assert got_v == float(max(v) - min(v)) and isinstance(got_v, float)
    assert got_ts == float(max(ts) - min(ts))
    per_table = dict(ws.query("SELECT tbname, SPREAD(f) FROM agg.m PARTITION BY tbname"))
    for tb in TABLES:
        f = [r["f"] for r in ROWS if r["tb"] == tb]
        assert per_table[tb] == pytest.approx(max(f) - min(f))


def test_cast_to_a_sized_string_type_cuts_to_its_length(ws):
    """CAST(expr AS BINARY(n) | VARCHAR(n) | NCHAR(n)) (TDengine's reference, "Conversion
    Functions"): the text of the value, at most n characters."""
    ws.execute("CREATE TABLE agg.casts (ts TIMESTAMP, v INT, s NCHAR(10))")
    ws.execute(f"INSERT INTO agg.casts VALUES ({T0}, 12345, '中文abc')")
    [row] = list(ws.query("SELECT CAST(v AS BINARY(3)), CAST(s AS NCHAR(3)), CAST(v AS VARCHAR(10)) FROM agg.casts"))
    assert row == ("123", "中文a", "12345")


def test_case_when_needs_no_parentheses(ws):
    """CASE WHEN … END (TDengine's reference, "Operators" / "Conditional Functions") as a
    select item of its own, with or without an alias."""
    got = list(ws.query("SELECT CASE WHEN v > 1 THEN 'big' ELSE 'small' END, CASE v WHEN 1 THEN 'one' END AS w FROM agg.a1 WHERE v IS NOT NULL ORDER BY ts"))
    want = [("big" if r["v"] > 1 else "small", "one" if r["v"] == 1 else None) for r in sorted(ROWS, key=lambda r: r["ts"]) if r["tb"] == "a1" and r["v"] is not None]
    assert got == want


def test_time_functions(srv):
    """TIMEZONE(), TIMEDIFF(a, b[, unit]) and TO_UNIXTIMESTAMP('…') (TDengine's reference,
    "Time and Date Functions"): TIMEDIFF is BIGINT ticks of the database precision, exact for
    nanoseconds, or whole units."""
    conn = taosws.connect(srv.dsn() + "?timezone=Asia/Shanghai")
    conn.execute("CREATE DATABASE tf PRECISION 'ns'")
    conn.execute("CREATE TABLE tf.t (ts TIMESTAMP, v INT)")
    base = 1_700_000_000_000_000_001
    conn.execute(f"INSERT INTO tf.t VALUES ({base}, 1) ({base + 90_000_000_001}, 2)")
    assert list(conn.query("SELECT TIMEZONE()")) == [("Asia/Shanghai (CST, +0800)",)]
    assert [r[0] for r in conn.query(f"SELECT TIMEDIFF(ts, {base}) FROM tf.t ORDER BY ts")] == [0, 90_000_000_001]
    assert [r[0] for r in conn.query(f"SELECT TIMEDIFF(ts, {base}, 1m) FROM tf.t ORDER BY ts")] == [0, 1]
    # The string is read in the connection's zone: 22:13:20 in Shanghai is 14:13:20 UTC.
    [(ticks,)] = list(conn.query("SELECT TO_UNIXTIMESTAMP('2023-11-14 22:13:20') FROM tf.t LIMIT 1"))
    assert ticks == 1_699_971_200 * 10**9
    conn.close()


def test_timetruncate_counts_days_from_the_connections_midnight(srv):
    """TIMETRUNCATE(ts, unit[, use_current_tz]) (TDengine's reference, "Time and Date
    Functions"): shorter units from the epoch; days from midnight in the connection's zone,
    or in UTC with 0 as the third argument."""
    conn = taosws.connect(srv.dsn() + "?timezone=Asia/Shanghai")
    conn.execute("CREATE DATABASE tt PRECISION 'ms'")
    conn.execute("CREATE TABLE tt.t (ts TIMESTAMP, v INT)")
    conn.execute("INSERT INTO tt.t VALUES (1700000000123, 1)")  # 2023-11-14 22:13:20.123 UTC
    ticks = lambda sql: [r[0] for r in conn.query(f"SELECT CAST({sql} AS BIGINT) FROM tt.t")]
    assert ticks("TIMETRUNCATE(ts, 1s)") == [1_700_000_000_000]
    assert ticks("TIMETRUNCATE(ts, 1m)") == [1_699_999_980_000]
    assert ticks("TIMETRUNCATE(ts, 1d)") == [1_699_977_600_000]  # 2023-11-15 00:00 in Shanghai
    assert ticks("TIMETRUNCATE(ts, 1d, 0)") == [1_699_920_000_000]  # 2023-11-14 00:00 UTC
    conn.close()


def test_first_last_and_last_row_of_star(ws):
    """FIRST(*) / LAST(*) / LAST_ROW(*) (TDengine's reference, "Selection Functions"): the
    function of every data column (no tags), named `last(col)`; FIRST and LAST skip NULLs,
    LAST_ROW does not."""
    ws.execute("CREATE STABLE agg.fl (ts TIMESTAMP, v INT, s VARCHAR(4)) TAGS (g INT)")
    ws.execute(f"INSERT INTO agg.fl_1 USING agg.fl TAGS (1) VALUES ({T0}, 1, 'a') ({T0 + 2}, NULL, 'c')")
    ws.execute(f"INSERT INTO agg.fl_2 USING agg.fl TAGS (2) VALUES ({T0 + 1}, 2, NULL)")
    cur = ws.cursor()
    cur.execute("SELECT LAST(*) FROM agg.fl")
    assert [d[0] for d in cur.description] == ["last(ts)", "last(v)", "last(s)"]
    [row] = fetch(ws, "SELECT LAST(*) FROM agg.fl")
    assert row == (T0 + 2, 2, "c")
    assert fetch(ws, "SELECT FIRST(*) FROM agg.fl") == [(T0, 1, "a")]
    assert fetch(ws, "SELECT LAST_ROW(*) FROM agg.fl") == [(T0 + 2, None, "c")]


def test_percentile_and_apercentile(ws):
    """PERCENTILE(x, p) / APERCENTILE(x, p) (TDengine's reference, "Aggregate Functions"): the
    p-th percentile interpolated between ranks, a DOUBLE; p outside 0..100 is 0x2803."""
    ws.execute("CREATE TABLE agg.pc (ts TIMESTAMP, v INT)")
    ws.execute("INSERT INTO agg.pc VALUES " + " ".join(f"({T0 + k}, {k})" for k in range(1, 11)))
    # Ranks 1..10: the median sits halfway between 5 and 6; the 90th at 9 + 0.1 * (10 - 9).
    [got] = list(ws.query("SELECT PERCENTILE(v, 50), PERCENTILE(v, 90), PERCENTILE(v, 0) FROM agg.pc"))
    # The interpolation is DataFusion's percentile_cont, good to about 1e-6 (9.099999 here).
    assert got == pytest.approx((5.5, 9.1, 1.0), abs=1e-5)
    [(approx,)] = list(ws.query("SELECT APERCENTILE(v, 50, 't-digest') FROM agg.pc"))
    assert approx == pytest.approx(5.5, abs=0.5)
    _raises(lambda: ws.query("SELECT PERCENTILE(v, 101) FROM agg.pc"), taosws.QueryError, "0x2803")


def test_stddev_is_the_population_deviation_and_hyperloglog_counts_distinct(ws):
    """STDDEV (TDengine's reference, "Aggregate Functions") divides by n: the deviation of
    1, 2, 3, 4 is sqrt(1.25). HYPERLOGLOG estimates the distinct values (exact here, small)."""
    ws.execute("CREATE TABLE agg.sd (ts TIMESTAMP, v INT)")
    ws.execute(f"INSERT INTO agg.sd VALUES ({T0}, 1) ({T0 + 1}, 2) ({T0 + 2}, 3) ({T0 + 3}, 4) ({T0 + 4}, 4)")
    [(sd,)] = list(ws.query(f"SELECT STDDEV(v) FROM agg.sd WHERE ts < {T0 + 4}"))
    assert sd == pytest.approx(1.25 ** 0.5, rel=1e-12)
    assert list(ws.query("SELECT HYPERLOGLOG(v) FROM agg.sd")) == [(4,)]


def test_match_and_nmatch_take_regular_expressions(ws):
    """MATCH / NMATCH (TDengine's reference, "Operators"): a regular expression found anywhere
    in the string, or not; a pattern that is not one is a syntax error, not a server fault."""
    ws.execute("CREATE TABLE agg.rx (ts TIMESTAMP, s VARCHAR(10), n NCHAR(10))")
    ws.execute(f"INSERT INTO agg.rx VALUES ({T0}, 'abc', '中文x') ({T0 + 1}, 'xyz', 'abc')")
    assert [r[0] for r in ws.query("SELECT s FROM agg.rx WHERE s MATCH '^a'")] == ["abc"]
    assert [r[0] for r in ws.query("SELECT s FROM agg.rx WHERE s NMATCH '^a'")] == ["xyz"]
    assert [r[0] for r in ws.query("SELECT n FROM agg.rx WHERE n MATCH '文'")] == ["中文x"]
    _raises(lambda: ws.query("SELECT s FROM agg.rx WHERE s MATCH '(a'"), taosws.QueryError, "0x2600", "regular expression")


def test_union_and_union_all(ws):
    """UNION ALL keeps every row, UNION drops repeats (TDengine's reference, "Query Data");
    a trailing ORDER BY / LIMIT orders the whole result."""
    ws.execute("CREATE TABLE agg.ua (ts TIMESTAMP, v INT)")
    ws.execute("CREATE TABLE agg.ub (ts TIMESTAMP, v INT)")
    ws.execute(f"INSERT INTO agg.ua VALUES ({T0}, 1) ({T0 + 1}, 2)")
    ws.execute(f"INSERT INTO agg.ub VALUES ({T0}, 2) ({T0 + 2}, 3)")
    assert sorted(r[0] for r in ws.query("SELECT v FROM agg.ua UNION ALL SELECT v FROM agg.ub")) == [1, 2, 2, 3]
    assert sorted(r[0] for r in ws.query("SELECT v FROM agg.ua UNION SELECT v FROM agg.ub")) == [1, 2, 3]
    got = [r[0] for r in ws.query("SELECT v FROM agg.ua UNION ALL SELECT v FROM agg.ub ORDER BY v DESC LIMIT 2")]
    assert got == [3, 2]
    _raises(lambda: ws.query("SELECT v FROM agg.ua UNION ALL SELECT ts, v FROM agg.ub"), taosws.QueryError, "0x2600")


def test_a_subquery_in_from(ws):
    """SELECT … FROM (SELECT …) (TDengine's reference, "Nested Query"): the outer query reads
    the inner result, windows included when it keeps the timestamp column."""
    ws.execute("CREATE STABLE agg.sq (ts TIMESTAMP, v INT) TAGS (g INT)")
    ws.execute(f"INSERT INTO agg.sq_1 USING agg.sq TAGS (1) VALUES ({T0}, 1) ({T0 + 1000}, 2)")
    ws.execute(f"INSERT INTO agg.sq_2 USING agg.sq TAGS (2) VALUES ({T0}, 10)")
    assert list(ws.query("SELECT AVG(v) FROM (SELECT v FROM agg.sq_1)")) == [(1.5,)]
    assert list(ws.query("SELECT MAX(m) FROM (SELECT tbname, MAX(v) AS m FROM agg.sq PARTITION BY tbname)")) == [(10,)]
    got = fetch(ws, "SELECT _wstart, COUNT(*) FROM (SELECT ts, v FROM agg.sq WHERE v < 10) INTERVAL(1s)")
    assert got == [(T0, 1), (T0 + 1000, 1)]


def test_views(ws):
    """CREATE [OR REPLACE] VIEW / DROP VIEW (TDengine's reference, "Views"): a named query read
    wherever the view is named in FROM; SHOW VIEWS and ins_views list it."""
    ws.execute("CREATE TABLE agg.vt (ts TIMESTAMP, v INT)")
    ws.execute(f"INSERT INTO agg.vt VALUES ({T0}, 1) ({T0 + 1000}, 2)")
    ws.execute("CREATE VIEW agg.vv AS SELECT ts, v * 10 AS w FROM agg.vt")
    assert fetch(ws, "SELECT * FROM agg.vv ORDER BY ts") == [(T0, 10.0), (T0 + 1000, 20.0)]
    assert list(ws.query("SELECT MAX(w) FROM agg.vv")) == [(20.0,)]
    assert [r[0] for r in ws.query("SHOW agg.VIEWS")] == ["vv"]
    _raises(lambda: ws.execute("CREATE VIEW agg.vv AS SELECT 1"), taosws.QueryError, "0x2600", "exists")
    ws.execute("CREATE OR REPLACE VIEW agg.vv AS SELECT ts, v FROM agg.vt WHERE v > 1")
    assert fetch(ws, "SELECT v FROM agg.vv") == [(2,)]
    ws.execute("DROP VIEW agg.vv")
    _raises(lambda: ws.query("SELECT * FROM agg.vv"), taosws.QueryError, "0x2662")
    ws.execute("DROP VIEW IF EXISTS agg.vv")


def test_a_column_named_twice_in_the_select_list(ws):
    """`SELECT DISTINCT c1, c1` and `SELECT v AS x, v AS x`: TDengine returns both columns
    under the names written."""
    ws.execute("CREATE TABLE agg.twice (ts TIMESTAMP, v INT)")
    ws.execute(f"INSERT INTO agg.twice VALUES ({T0}, 1) ({T0 + 1}, 1) ({T0 + 2}, 2)")
    cur = ws.cursor()
    cur.execute("SELECT DISTINCT v, v FROM agg.twice")
    assert [d[0] for d in cur.description] == ["v", "v"]
    assert sorted(cur.fetchall()) == [(1, 1), (2, 2)]
    cur.execute("SELECT v AS x, v AS x FROM agg.twice ORDER BY ts")
    assert [d[0] for d in cur.description] == ["x", "x"]
    assert cur.fetchall() == [(1, 1), (1, 1), (2, 2)]


def test_to_iso8601(srv):
    """TO_ISO8601(t[, offset]) (TDengine's reference, "Time and Date Functions"): the time in
    the connection's zone with a +HHMM suffix, fractions in the database precision; an
    integer's digits give its unit; a fixed offset is written as given."""
    conn = taosws.connect(srv.dsn() + "?timezone=Asia/Shanghai")
    conn.execute("CREATE DATABASE iso PRECISION 'us'")
    conn.execute("CREATE TABLE iso.t (ts TIMESTAMP, v INT)")
    conn.execute("INSERT INTO iso.t VALUES (1700000000123456, 1)")  # 2023-11-14 22:13:20.123456 UTC
    assert list(conn.query("SELECT TO_ISO8601(ts) FROM iso.t")) == [("2023-11-15T06:13:20.123456+0800",)]
    assert list(conn.query("SELECT TO_ISO8601(ts, '+0530') FROM iso.t")) == [("2023-11-15T03:43:20.123456+0530",)]
    assert list(conn.query("SELECT TO_ISO8601(1643738400) FROM iso.t")) == [("2022-02-02T02:00:00+0800",)]
    assert list(conn.query("SELECT TO_ISO8601(1643738400123) FROM iso.t")) == [("2022-02-02T02:00:00.123+0800",)]
    conn.close()
