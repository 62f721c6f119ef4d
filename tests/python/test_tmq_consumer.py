"""taosarrow.tmq.Consumer against the embedded server: rows as Arrow in every precision, the
taospy and taos-ws-py shapes, consumer groups, commits, seek, meta messages, errors."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa
import pytest

import taosarrow
from taosarrow.exceptions import errno_code
from taosarrow.tmq import Consumer, Message, TmqError, TopicPartition

NO_COMMITTED = -2147467247


def conf(server: Any, group: str, **extra: Any) -> Dict[str, Any]:
    """A taospy-style configuration for ``server``: earliest, auto-commit off."""
    c: Dict[str, Any] = {
        "td.connect.ip": server.host,
        "td.connect.port": server.port,
        "td.connect.user": "root",
        "td.connect.pass": "taosdata",
        "group.id": group,
        "client.id": f"{group}-c",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    }
    c.update(extra)
    return c


def run(server: Any, *sql: str) -> None:
    conn = taosarrow.connect(server.dsn())
    try:
        for q in sql:
            conn.execute(q)
    finally:
        conn.close()


def drain(c: Consumer, rows: int, idle_polls: int = 15) -> List[Message]:
    """Polls until ``rows`` rows arrived or ``idle_polls`` polls in a row found nothing."""
    got: List[Message] = []
    n = idle = 0
    while n < rows and idle < idle_polls:
        m = c.poll(0.2)
        if m is None:
            idle += 1
            continue
        idle = 0
        got.append(m)
        n += sum(b.nrows() for b in m)
    return got


def values(messages: List[Message]) -> List[Tuple[Optional[str], int]]:
    """``(table, v)`` of every row, sorted by ``v``, read through the Arrow path."""
    out = []
    for m in messages:
        for b in m:
            t = b.to_arrow()
            out.extend((b.table(), v) for v in t.column("v").to_pylist())
    return sorted(out, key=lambda r: (r[1] is None, r[1] or 0))


@pytest.mark.parametrize(
    "precision, unit, t0",
    [("ms", "ms", 1_700_000_000_001), ("us", "us", 1_700_000_000_000_001), ("ns", "ns", 1_700_000_000_000_000_001)],
)
def test_rows_come_back_as_arrow_with_exact_timestamps(server, precision, unit, t0):
    run(
        server,
        f"CREATE DATABASE d PRECISION '{precision}' VGROUPS 1",
        "CREATE TABLE d.t (ts TIMESTAMP, v INT, s VARCHAR(8))",
        "CREATE TOPIC tp AS DATABASE d",
    )
    with Consumer(conf(server, "g")) as c:
        c.subscribe(["tp"])
        assert c.list_topics() == ["tp"]
        run(server, f"INSERT INTO d.t VALUES ({t0}, 1, 'a') ({t0 + 1}, 2, NULL) ({t0 + 2}, NULL, 'c')")
        got = drain(c, 3)
        assert got, "no message"
        for m in got:
            assert (m.topic(), m.database(), m.kind, m.error()) == ("tp", "d", "data", None)
            assert m.meta() is None
            assert m.vgroup() == m.get_vgroup_id()
            for b in m.value():
                assert b.table() == "t"
                assert [f.name for f in b.fields()] == ["ts", "v", "s"]
                assert [f.type_code for f in b.fields()] == [9, 4, 8]
                assert b.ncols() == 3
        table = pa.concat_tables([m.to_arrow() for m in got])
        assert table.schema.field("ts").type == pa.timestamp(unit, tz=table.schema.field("ts").type.tz)
        assert table.column("ts").cast(pa.int64()).to_pylist() == [t0, t0 + 1, t0 + 2]
        assert table.column("v").to_pylist() == [1, 2, None]
        assert table.column("s").to_pylist() == ["a", None, "c"]
        # The same Arrow type as a query of the table on a connection.
        conn = taosarrow.connect(server.dsn())
        try:
            queried = pa.table(conn.query("SELECT ts FROM d.t").to_arrow())
        finally:
            conn.close()
        assert queried.schema.field("ts").type == table.schema.field("ts").type
        # Rows as taospy gives them.
        rows = [r for m in got for b in m for r in b.fetchall()]
        assert [r[1] for r in rows] == [1, 2, None]
        if unit == "ns":
            assert [r[0] for r in rows] == [t0, t0 + 1, t0 + 2]
        else:
            per_sec = 1000 if unit == "ms" else 1_000_000
            assert [round(r[0].timestamp() * per_sec) for r in rows] == [t0, t0 + 1, t0 + 2]


def test_arrow_exports_pandas_polars_and_stream(server):
    run(
        server,
        "CREATE DATABASE d VGROUPS 1",
        "CREATE TABLE d.t (ts TIMESTAMP, v INT)",
        "CREATE TOPIC tp AS DATABASE d",
        "INSERT INTO d.t VALUES (1700000000000, 5) (1700000000001, 6)",
    )
    with Consumer(conf(server, "g")) as c:
        c.subscribe(["tp"])
        [m] = drain(c, 2)
        assert pa.RecordBatchReader.from_stream(m).read_all().column("v").to_pylist() == [5, 6]
        assert m.to_pandas()["v"].tolist() == [5, 6]
        assert m.to_polars()["v"].to_list() == [5, 6]
        c.seek("tp", m.vgroup(), c.assignment()[0].begin)
        tables = list(c.stream(0.2, idle_polls=3))
        assert [v for t in tables for v in t.column("v").to_pylist()] == [5, 6]


def test_two_consumers_of_a_group_split_the_vgroups(server):
    tables = [f"CREATE TABLE d.c{i} USING d.st TAGS ({i})" for i in range(8)]
    run(
        server,
        "CREATE DATABASE d VGROUPS 2",
        "CREATE STABLE d.st (ts TIMESTAMP, v INT) TAGS (g INT)",
        *tables,
        "CREATE TOPIC tp AS DATABASE d",
    )
    a = Consumer(conf(server, "g"))
    b = Consumer(conf(server, "g"))
    try:
        a.subscribe(["tp"])
        assert len(a.assignment()) == 2
        b.subscribe(["tp"])
        [pa_] = a.assignment()
        [pb] = b.assignment()
        assert pa_.topic == pb.topic == "tp"
        assert pa_.partition != pb.partition
        run(server, *[f"INSERT INTO d.c{i} VALUES ({1_700_000_000_000 + i}, {i})" for i in range(8)])
        got: Dict[str, List[Message]] = {"a": [], "b": []}
        deadline = time.monotonic() + 20
        while sum(len(values(v)) for v in got.values()) < 8 and time.monotonic() < deadline:
            for name, c in (("a", a), ("b", b)):
                m = c.poll(0.1)
                if m is not None:
                    got[name].append(m)
        assert {m.vgroup() for m in got["a"]} == {pa_.partition}
        assert {m.vgroup() for m in got["b"]} == {pb.partition}
        everything = values(got["a"]) + values(got["b"])
        assert sorted(v for _, v in everything) == list(range(8))
        assert all(t == f"c{v}" for t, v in everything)
    finally:
        a.close()
        b.close()


def test_commit_then_a_new_consumer_resumes(server):
    run(
        server,
        "CREATE DATABASE d VGROUPS 1",
        "CREATE TABLE d.t (ts TIMESTAMP, v INT)",
        "CREATE TOPIC tp AS DATABASE d",
        "INSERT INTO d.t VALUES (1700000000000, 0) (1700000000001, 1) (1700000000002, 2)",
    )
    with Consumer(conf(server, "g")) as c1:
        c1.subscribe(["tp"])
        [tp] = c1.assignment()
        vg = tp.vg_id()
        # Nothing committed yet: TDengine's value, in both shapes.
        assert c1.committed("tp", vg) == NO_COMMITTED
        [part] = c1.committed([TopicPartition("tp", vg)])
        assert part.offset == NO_COMMITTED
        got = drain(c1, 3)
        assert [v for _, v in values(got)] == [0, 1, 2]
        c1.commit(got[-1])
        committed = c1.committed("tp", vg)
        assert committed >= 0
        assert committed == c1.position("tp", vg)
        [pos] = c1.position([TopicPartition("tp", vg)])
        assert pos.offset == committed
    run(server, "INSERT INTO d.t VALUES (1700000000003, 3) (1700000000004, 4)")
    with Consumer(conf(server, "g")) as c2:
        c2.subscribe(["tp"])
        assert c2.committed("tp", vg) == committed
        assert [v for _, v in values(drain(c2, 2))] == [3, 4]
        assert c2.poll(0.3) is None
        # taospy's commit(offsets=...) stores exactly the offset given.
        c2.commit(offsets=[TopicPartition("tp", vg, 1)])
        assert c2.committed("tp", vg) == 1


def test_seek_to_begin_delivers_again(server):
    run(
        server,
        "CREATE DATABASE d VGROUPS 1",
        "CREATE TABLE d.t (ts TIMESTAMP, v INT)",
        "CREATE TOPIC tp AS DATABASE d",
        "INSERT INTO d.t VALUES (1700000000000, 0)",
        "INSERT INTO d.t VALUES (1700000000001, 1)",
    )
    with Consumer(conf(server, "g")) as c:
        c.subscribe(["tp"])
        first = values(drain(c, 2))
        assert [v for _, v in first] == [0, 1]
        assert c.poll(0.2) is None
        [tp] = c.assignment()
        [a] = tp.assignments()
        assert (a.vg_id(), a.offset()) == (tp.partition, tp.offset)
        assert tp.begin <= tp.end
        c.seek(TopicPartition("tp", tp.partition, tp.begin))
        assert c.position("tp", tp.partition) == tp.begin
        assert values(drain(c, 2)) == first
        c.seek("tp", tp.partition, tp.begin)
        assert values(drain(c, 2)) == first


def test_a_topic_with_meta_gives_meta_messages_with_json(server):
    run(server, "CREATE DATABASE d VGROUPS 1", "CREATE TOPIC tp WITH META AS DATABASE d")
    with Consumer(conf(server, "g")) as c:
        c.subscribe(["tp"])
        run(
            server,
            "CREATE STABLE d.st (ts TIMESTAMP, v INT) TAGS (g INT)",
            "CREATE TABLE d.c1 USING d.st TAGS (1)",
            "INSERT INTO d.c1 VALUES (1700000000000, 7)",
        )
        got: List[Message] = []
        idle = 0
        while idle < 8:
            m = c.poll(0.2)
            if m is None:
                idle += 1
            else:
                got.append(m)
        kinds = [m.kind for m in got]
        assert "meta" in kinds or "metadata" in kinds, kinds
        metas: List[Dict[str, Any]] = []
        for m in got:
            meta = m.meta()
            if m.kind == "data":
                assert meta is None
                continue
            assert isinstance(meta, dict)
            metas.extend(meta.get("metas", [meta]))
            if m.kind == "meta":
                assert m.value() is None
                assert len(m) == 0
                assert m.to_arrow().num_rows == 0
        stable = [x for x in metas if x.get("type") == "create" and x.get("tableName") == "st"]
        assert stable, metas
        assert stable[0]["tableType"] == "super"
        assert [col["name"] for col in stable[0]["columns"]] == ["ts", "v"]
        assert values(got) == [("c1", 7)]


def test_errors_carry_the_tdengine_code(server):
    run(server, "CREATE DATABASE d VGROUPS 1", "CREATE TOPIC tp AS DATABASE d")
    with Consumer(conf(server, "g")) as c:
        with pytest.raises(TmqError) as info:
            c.subscribe(["no_such_topic"])
        assert errno_code(info.value.errno) == 0x03E1
        assert taosarrow.ConsumerException is TmqError
        c.subscribe(["tp"])
        c.unsubscribe()
        assert c.list_topics() == []
        c.subscribe(["tp"])
        assert c.list_topics() == ["tp"]
    with pytest.raises(TmqError, match="unknown|no.such.key"):
        Consumer(conf(server, "g", **{"no.such.key": "1"}))
    c = Consumer(conf(server, "g"))
    c.close()
    c.close()
    assert c.closed
    with pytest.raises(TmqError, match="closed"):
        c.poll(0.1)


def test_dsn_form(server):
    run(
        server,
        "CREATE DATABASE d VGROUPS 1",
        "CREATE TABLE d.t (ts TIMESTAMP, v INT)",
        "CREATE TOPIC tp AS DATABASE d",
        "INSERT INTO d.t VALUES (1700000000000, 9)",
    )
    dsn = server.dsn() + "?group.id=g&auto.offset.reset=earliest&enable.auto.commit=false"
    with Consumer(dsn=dsn) as c:
        c.subscribe(["tp"])
        assert [v for _, v in values(drain(c, 1))] == [9]


def test_poll_releases_the_gil(server):
    run(server, "CREATE DATABASE d VGROUPS 1", "CREATE TOPIC tp AS DATABASE d")
    with Consumer(conf(server, "g")) as c:
        c.subscribe(["tp"])
        done = threading.Event()
        result: List[Optional[Message]] = []

        def poller() -> None:
            result.append(c.poll(1.5))
            done.set()

        t = threading.Thread(target=poller)
        start = time.monotonic()
        t.start()
        ticks = 0
        while not done.is_set():
            ticks += 1
            time.sleep(0.01)
        t.join()
        assert result == [None]
        assert time.monotonic() - start >= 1.0
        # The main thread kept running while the poll waited.
        assert ticks >= 50, ticks


def test_readme_subscription_example_runs(capsys):
    """The README's data-subscription example runs as written and prints the row count."""
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"## Data subscription \(TMQ\) as Arrow\n\n```python\n(.*?)```", readme, re.S)
    assert block is not None
    exec(compile(block.group(1), "README.md", "exec"), {})
    assert capsys.readouterr().out.strip() == "1"
