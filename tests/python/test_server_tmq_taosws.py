"""The official client's TMQ consumer (taos-ws-py 0.7.0) against the embedded server: every
column type in each precision read back exactly, consumer groups splitting the vgroups,
commits surviving the consumer, offsets, seek, assignment and errors."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Dict, List, Tuple

import pytest
import taosws

TS = {"ms": 1700000000123, "us": 1700000000123456, "ns": 1700000000123456789}
PER_SECOND = {"ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}

COLUMNS = (
    "ts timestamp, b bool, i8 tinyint, i16 smallint, i32 int, i64 bigint, u8 tinyint unsigned, "
    "u16 smallint unsigned, u32 int unsigned, u64 bigint unsigned, f float, d double, "
    "vc varchar(20), nc nchar(10), vb varbinary(16), g geometry(64), dec decimal(10,2)"
)
VALUES = (
    "true, -1, -2, -3, -4, 250, 65000, 4000000000, 18446744073709551615, 1.5, 2.25, "
    "'héllo', '中文', '\\x0102', 'POINT (1 2)', 12.34"
)
# POINT (1 2) as little-endian WKB.
POINT_WKB = bytes.fromhex("0101000000000000000000f03f0000000000000040")
EXPECTED = (
    True, -1, -2, -3, -4, 250, 65000, 4000000000, 18446744073709551615, 1.5, 2.25,
    "héllo", "中文", b"\x01\x02", POINT_WKB, Decimal("12.34"),
)


def consumer(server, group: str, reset: str = "earliest", **extra: str) -> taosws.Consumer:
    conf = {
        "td.connect.websocket.scheme": "ws",
        "td.connect.ip": server.host,
        "td.connect.port": str(server.port),
        "td.connect.user": "root",
        "td.connect.pass": "taosdata",
        "group.id": group,
        "client.id": f"{group}-client",
        "auto.offset.reset": reset,
        "enable.auto.commit": "false",
    }
    conf.update(extra)
    return taosws.Consumer(conf=conf)


def drain(c: taosws.Consumer, commit: bool = False) -> List[Tuple[str, int, tuple]]:
    """Every (topic, vgroup, row) until a poll brings nothing."""
    out = []
    while True:
        m = c.poll(timeout=0.5)
        if not m:
            return out
        for block in m:
            for row in block:
                out.append((m.topic(), m.vgroup(), tuple(row)))
        if commit:
            c.commit(m)


@pytest.fixture
def ws(server):
    conn = taosws.connect(server.dsn().replace("ws://", "taosws://"))
    yield conn
    conn.close()


def expected_ts(precision: str, ticks: int):
    if precision == "ns":
        return ticks
    seconds, rest = divmod(ticks, PER_SECOND[precision])
    micros = rest * (1_000_000 // PER_SECOND[precision])
    base = dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
    return base + dt.timedelta(microseconds=micros)


@pytest.mark.parametrize("precision", ["ms", "us", "ns"])
def test_every_type_reads_back_exactly(server, ws, precision):
    db = f"tq_{precision}"
    ws.execute(f"create database {db} precision '{precision}' vgroups 2")
    ws.execute(f"create stable {db}.st ({COLUMNS}) tags (t int)")
    ws.execute(f"create topic topic_{precision} as stable {db}.st")
    ts = TS[precision]
    ws.execute(f"insert into {db}.c1 using {db}.st tags (1) values ({ts}, {VALUES})")
    nulls = ", ".join(["null"] * len(EXPECTED))
    ws.execute(f"insert into {db}.c1 values ({ts + 1}, {nulls})")
    c = consumer(server, "g1")
    c.subscribe([f"topic_{precision}"])
    rows = drain(c)
    c.close()
    assert [r[0] for r in rows] == [f"topic_{precision}"] * 2
    got = [r[2] for r in rows]
    assert len(got) == 2
    first, second = got
    assert first[0] == expected_ts(precision, ts)
    assert first[1:] == EXPECTED
    assert second[0] == expected_ts(precision, ts + 1)
    assert second[1:] == (None,) * len(EXPECTED)


@pytest.fixture
def meters(ws):
    ws.execute("create database power vgroups 2")
    ws.execute("create stable power.meters (ts timestamp, v int) tags (loc int)")
    ws.execute("create topic topic_meters as database power")
    yield ws


def insert_meters(ws, base: int, tables: int = 8) -> List[int]:
    values = []
    for t in range(tables):
        v = base + t
        ws.execute(f"insert into power.d{t} using power.meters tags ({t}) values ({1700000000000 + v}, {v})")
        values.append(v)
    return values


def test_a_group_splits_the_vgroups_and_groups_are_independent(server, meters):
    a = consumer(server, "split")
    b = consumer(server, "split")
    a.subscribe(["topic_meters"])
    b.subscribe(["topic_meters"])
    values = insert_meters(meters, 0)
    rows_a = drain(a)
    rows_b = drain(b)
    vgroups_a = {r[1] for r in rows_a}
    vgroups_b = {r[1] for r in rows_b}
    assert vgroups_a and vgroups_b and not vgroups_a & vgroups_b
    assert sorted(r[2][1] for r in rows_a + rows_b) == values
    assign_a = [x.vg_id() for t in a.assignment() for x in t.assignments()]
    assign_b = [x.vg_id() for t in b.assignment() for x in t.assignments()]
    assert len(assign_a) == len(assign_b) == 1 and assign_a != assign_b
    other = consumer(server, "other")
    other.subscribe(["topic_meters"])
    assert sorted(r[2][1] for r in drain(other)) == values
    for c in (a, b, other):
        c.close()


def test_commit_survives_the_consumer_and_latest_skips_history(server, meters):
    first = insert_meters(meters, 0)
    c = consumer(server, "resume")
    c.subscribe(["topic_meters"])
    assert sorted(r[2][1] for r in drain(c, commit=True)) == first
    c.unsubscribe()
    c.close()
    later = insert_meters(meters, 100)
    again = consumer(server, "resume")
    again.subscribe(["topic_meters"])
    assert sorted(r[2][1] for r in drain(again)) == later
    again.close()
    latest = consumer(server, "fresh", reset="latest")
    latest.subscribe(["topic_meters"])
    assert drain(latest) == []
    newest = insert_meters(meters, 200, tables=2)
    assert sorted(r[2][1] for r in drain(latest)) == newest
    latest.close()


def test_offsets_committed_position_and_seek(server, meters):
    values = insert_meters(meters, 0)
    c = consumer(server, "offsets")
    c.subscribe(["topic_meters"])
    (assignment,) = c.assignment()
    assert assignment.topic() == "topic_meters"
    vgroups = assignment.assignments()
    assert len(vgroups) == 2
    for v in vgroups:
        assert c.committed("topic_meters", v.vg_id()) == -2147467247
        assert v.begin() <= v.offset() <= v.end()
    assert sorted(r[2][1] for r in drain(c)) == values
    ends: Dict[int, int] = {}
    for t in c.assignment():
        for v in t.assignments():
            ends[v.vg_id()] = v.end()
            assert c.position("topic_meters", v.vg_id()) == v.end()
            c.commit_offset("topic_meters", v.vg_id(), v.end())
            assert c.committed("topic_meters", v.vg_id()) == v.end()
            c.seek("topic_meters", v.vg_id(), v.begin())
    assert sorted(r[2][1] for r in drain(c)) == values
    # taos-ws-py 0.7.0 unwraps seek's result: the server's error surfaces as its panic.
    with pytest.raises(BaseException, match="0x4007"):
        c.seek("topic_meters", next(iter(ends)), max(ends.values()) + 1000)
    c.close()


def test_unknown_topic_and_bad_options_are_errors(server, meters):
    c = consumer(server, "errors")
    with pytest.raises(Exception, match="(?i)topic"):
        c.subscribe(["no_such_topic"])
    c.close()
    with pytest.raises(Exception, match="(?i)unknown configuration key|invalid"):
        bad = consumer(server, "errors", **{"auto.offset.reset": "sometimes"})
        bad.subscribe(["topic_meters"])


def test_topic_statements_and_show(server, meters):
    c = consumer(server, "shown")
    c.subscribe(["topic_meters"])
    with pytest.raises(Exception):
        meters.execute("drop topic topic_meters")
    topics = [row[0] for row in meters.query("show topics")]
    assert topics == ["topic_meters"]
    consumers = list(meters.query("show consumers"))
    assert len(consumers) == 1 and consumers[0][1] == "shown"
    subs = list(meters.query("show subscriptions"))
    assert sorted(row[0] for row in subs) == ["topic_meters", "topic_meters"]
    c.unsubscribe()
    c.close()
    # taos-ws-py does not wait for the server to take the unsubscribe / close: retry while
    # the topic still counts as subscribed.
    deadline = time.monotonic() + 5
    while True:
        try:
            meters.execute("drop topic topic_meters")
            break
        except taosws.QueryError as e:
            if "0x03EB" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    assert list(meters.query("show topics")) == []


@pytest.mark.parametrize("precision", ["ms", "us", "ns"])
def test_taosarrow_consumes_what_taosws_wrote_exactly_as_a_query_reads_it(server, ws, precision):
    """taos-ws-py writes every type; taosarrow's Consumer delivers the same Arrow table a
    taosarrow query of those rows returns (types, precision, values)."""
    import pyarrow as pa

    import taosarrow

    db = f"tx_{precision}"
    ws.execute(f"create database {db} precision '{precision}'")
    ws.execute(f"create stable {db}.st ({COLUMNS}) tags (t int)")
    ws.execute(f"create topic tx_topic_{precision} as stable {db}.st")
    ts = TS[precision]
    ws.execute(f"insert into {db}.c1 using {db}.st tags (1) values ({ts}, {VALUES})")
    ws.execute(f"insert into {db}.c1 values ({ts + 1}, {', '.join(['null'] * len(EXPECTED))})")
    consumer = taosarrow.Consumer(
        {
            "td.connect.ip": server.host,
            "td.connect.port": server.port,
            "group.id": "cross",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([f"tx_topic_{precision}"])
    tables = []
    for _ in range(20):
        m = consumer.poll(0.5)
        if m is None:
            break
        tables.append(m.to_arrow())
    consumer.close()
    got = pa.concat_tables(tables).sort_by("ts")
    with taosarrow.connect(server.dsn()) as conn:
        cols = ", ".join(c.split()[0] for c in COLUMNS.split(", "))
        want = taosarrow.read_arrow(f"select {cols} from {db}.c1 order by ts", conn)
    assert got.schema.types == want.schema.types
    assert got.column_names == want.column_names
    assert got.to_pylist() == want.to_pylist()


def test_a_consumer_closed_before_committing_leaves_its_rows_to_the_next(server, meters):
    values = insert_meters(meters, 0)
    c = consumer(server, "redeliver")
    c.subscribe(["topic_meters"])
    assert sorted(r[2][1] for r in drain(c)) == values
    c.close()  # nothing committed
    again = consumer(server, "redeliver")
    again.subscribe(["topic_meters"])
    assert sorted(r[2][1] for r in drain(again)) == values
    again.close()
