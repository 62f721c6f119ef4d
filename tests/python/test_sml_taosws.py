"""Oracle: the official client's ``schemaless_insert`` (taos-ws-py 0.7.0) against the embedded
server. The same data written by taos-ws-py into one database and by taosarrow into another
must read back identically (schemas, child-table names, rows), through either client."""

from __future__ import annotations

from typing import Any, List, Tuple

import pytest
import taosws

import taosarrow
from taosarrow import PySchemalessPrecision, PySchemalessProtocol

LINE = [
    "measurement,host=host1 field1=2i,field2=2.0 1577837300000",
    "measurement,host=host1 field1=2i,field2=2.0 1577837400000",
    "measurement,host=host2 field1=3i,field2=2.5,field3=\"text\" 1577837500000",
    'st,t1=3,t2=4,t3=t3 c1=3i64,c3="passit",c2=false,c4=4f64 1577837600000',
    'st,t1=3,t2=4,t3=t3 c1=-5i64,c3="passed",c2=true,c4=1.5 1577837700000',
    'st2,t1=a c1=-5i8,c2=L"中文",c3=7u16,c4=2.5f32 1577837700000',
    "widen,id=a v=\"short\" 1577837300000",
    "widen,id=a v=\"a longer string value\",extra=1u32 1577837400000",
]
TELNET = [
    "meters.voltage 1648432611249 219 location=California.SanFrancisco group=2",
    "meters.voltage 1648432611250 218 location=California.SanFrancisco group=2",
    "meters.voltage 1648432611249 221 location=California.LosAngeles group=3",
    "meters.voltage 1648432611250 217 location=California.LosAngeles group=3",
    "meters.int 1648432611250 217i32 location=California.LosAngeles group=3",
    "meters.seconds 1648432611 1.5 location=Beijing",
]
JSON = [
    """[
    {"metric": "meters.current", "timestamp": 1681345954000, "value": 10.3,
    "tags": {"location": "California.SanFrancisco", "groupid": 2}},
    {"metric": "meters.current", "timestamp": 1648432611250, "value": 12.6,
    "tags": {"location": "California.SanFrancisco", "groupid": 2}},
    {"metric": "typed", "timestamp": {"value": 1648432611, "type": "s"},
    "value": {"value": 7, "type": "i16"}, "tags": {"k": {"value": "v", "type": "nchar"}}}
    ]"""
]
CASES = [
    ("line", LINE, PySchemalessProtocol.Line, taosws.PySchemalessProtocol.Line),
    ("telnet", TELNET, PySchemalessProtocol.Telnet, taosws.PySchemalessProtocol.Telnet),
    ("json", JSON, PySchemalessProtocol.Json, taosws.PySchemalessProtocol.Json),
]


def ws_connect(server: Any, db: str) -> Any:
    return taosws.connect(server.dsn(db=db).replace("ws://", "taosws://"))


def snapshot(conn: taosarrow.Connection, db: str) -> List[Tuple[str, Any, Any, Any]]:
    """Every super table of ``db``: its columns, its child tables and their rows."""
    out = []
    stables = sorted(taosarrow.read_arrow(f"SHOW {db}.STABLES", conn).column(0).to_pylist())
    for st in stables:
        schema = taosarrow.read_arrow(f"DESCRIBE {db}.`{st}`", conn).to_pylist()
        children = sorted(taosarrow.read_arrow(f"SELECT DISTINCT tbname FROM {db}.`{st}`", conn).column(0).to_pylist())
        rows = taosarrow.read_arrow(f"SELECT tbname, * FROM {db}.`{st}` ORDER BY tbname, _ts", conn).to_pylist()
        out.append((st, schema, children, rows))
    return out


def ws_rows(server: Any, db: str, table: str) -> List[Tuple[Any, ...]]:
    conn = ws_connect(server, db)
    try:
        return list(conn.query(f"SELECT tbname, * FROM `{table}` ORDER BY tbname, _ts"))
    finally:
        conn.close()


@pytest.mark.parametrize("name, data, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_taosws_and_taosarrow_write_the_same(server, name, data, ours, theirs):
    with taosarrow.connect(server.dsn()) as conn:
        conn.execute(f"CREATE DATABASE ws_{name} PRECISION 'ms'")
        conn.execute(f"CREATE DATABASE ta_{name} PRECISION 'ms'")
        ws = ws_connect(server, f"ws_{name}")
        try:
            ws.schemaless_insert(
                lines=data,
                protocol=theirs,
                precision=taosws.PySchemalessPrecision.Millisecond,
                ttl=0,
                req_id=123,
            )
        finally:
            ws.close()
        conn.execute(f"USE ta_{name}")
        written = conn.schemaless_insert(
            lines=data, protocol=ours, precision=PySchemalessPrecision.Millisecond, ttl=0, req_id=123
        )
        theirs_seen = snapshot(conn, f"ws_{name}")
        ours_seen = snapshot(conn, f"ta_{name}")
        assert theirs_seen, "taos-ws-py wrote nothing"
        assert ours_seen == theirs_seen
        assert written == sum(len(rows) for _, _, _, rows in ours_seen)
        # Read through the official client too.
        for st, _, _, _ in ours_seen:
            assert ws_rows(server, f"ta_{name}", st) == ws_rows(server, f"ws_{name}", st)


@pytest.mark.parametrize(
    "precision",
    ["NonConfigured", "Hour", "Minute", "Second", "Millisecond", "Nanosecond"],
)
@pytest.mark.parametrize("db_precision", ["ms", "ns"])
def test_precisions_match_taosws(server, precision, db_precision):
    value = {
        "NonConfigured": 1_626_006_833_639_000_000,
        "Hour": 451_668,
        "Minute": 27_100_113,
        "Second": 1_626_006_833,
        "Millisecond": 1_626_006_833_639,
        "Nanosecond": 1_626_006_833_639_000_000,
    }[precision]
    line = [f"p f=1i,g=\"x\" {value}"]
    with taosarrow.connect(server.dsn()) as conn:
        for db in ("ws_p", "ta_p"):
            conn.execute(f"CREATE DATABASE {db} PRECISION '{db_precision}'")
        ws = ws_connect(server, "ws_p")
        try:
            ws.schemaless_insert(
                lines=line,
                protocol=taosws.PySchemalessProtocol.Line,
                precision=getattr(taosws.PySchemalessPrecision, precision),
                ttl=0,
                req_id=1,
            )
        finally:
            ws.close()
        conn.execute("USE ta_p")
        conn.schemaless_insert(line, PySchemalessProtocol.Line, getattr(PySchemalessPrecision, precision))
        theirs = taosarrow.read_arrow("SELECT _ts, f, g FROM ws_p.p", conn).to_pylist()
        ours = taosarrow.read_arrow("SELECT _ts, f, g FROM ta_p.p", conn).to_pylist()
        assert len(ours) == 1
        assert ours == theirs


def test_microseconds_taosws_sends_ms_where_we_send_u(server):
    """taos-ws-py 0.7.0 maps ``PySchemalessPrecision.Microsecond`` to ``"ms"`` on the wire
    (its Rust ``Into<SchemalessPrecision>`` sends Millisecond), so its microsecond lines
    are read as milliseconds; taosarrow sends ``"u"``. Hence Microsecond is not among the
    precisions compared above."""
    us = 1_626_006_833_639_123
    with taosarrow.connect(server.dsn()) as conn:
        for db in ("ws_u", "ta_u"):
            conn.execute(f"CREATE DATABASE {db} PRECISION 'us'")
        conn.execute("USE ta_u")
        conn.schemaless_insert([f"p f=1i {us // 1000}"], "line", PySchemalessPrecision.Microsecond)
        ws = ws_connect(server, "ws_u")
        try:
            ws.schemaless_insert(
                lines=[f"p f=1i {us // 1000}"],
                protocol=taosws.PySchemalessProtocol.Line,
                precision=taosws.PySchemalessPrecision.Microsecond,
                ttl=0,
                req_id=1,
            )
        finally:
            ws.close()
        ours = taosarrow.read_arrow("SELECT _ts FROM ta_u.p", conn).column(0).cast("int64").to_pylist()
        theirs = taosarrow.read_arrow("SELECT _ts FROM ws_u.p", conn).column(0).cast("int64").to_pylist()
        assert ours == [us // 1000]
        assert theirs == [us // 1000 * 1000]
