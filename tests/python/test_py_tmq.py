"""taosarrow.tmq: configuration parsing, the two method shapes and errors that need no server."""

from __future__ import annotations

import pytest

import taosarrow
from taosarrow import tmq
from taosarrow.tmq import Consumer, Message, TmqError, TopicPartition, config_pairs


def test_module_exports():
    assert taosarrow.Consumer is Consumer
    assert taosarrow.tmq.Message is Message
    assert tmq.TmqError is taosarrow.TmqError is taosarrow.ConsumerException


def test_config_values_strings_and_natives():
    pairs = config_pairs(
        {
            "group.id": "g1",
            "td.connect.port": 6042,
            "enable.auto.commit": False,
            "msg.with.table.name": True,
            "auto.commit.interval.ms": "1000",
            "session.timeout.ms": 12000.5,
            "client.id": None,
            "decode_binary": False,
        }
    )
    assert pairs == [
        ("group.id", "g1"),
        ("td.connect.port", "6042"),
        ("enable.auto.commit", "false"),
        ("msg.with.table.name", "true"),
        ("auto.commit.interval.ms", "1000"),
        ("session.timeout.ms", "12000.5"),
    ]


@pytest.mark.parametrize(
    "conf, text",
    [
        ({"group.id": ["g"]}, "invalid value for group.id"),
        ({1: "x", "group.id": "g"}, "configuration keys are strings"),
        ("group.id=g", "must be a dict"),
    ],
)
def test_config_rejects_bad_values(conf, text):
    with pytest.raises(TmqError, match=text):
        config_pairs(conf)


def test_group_id_is_required():
    with pytest.raises(TmqError, match="group.id must be set"):
        Consumer({"td.connect.ip": "localhost"})
    with pytest.raises(TmqError, match="group.id must be set"):
        Consumer()


def test_topic_partition_reads_both_ways():
    tp = TopicPartition("t1", 3, 10, begin=1, end=20)
    # taospy: attributes.
    assert (tp.topic, tp.partition, tp.offset, tp.begin, tp.end) == ("t1", 3, 10, 1, 20)
    # taos-ws-py: methods of the assignment.
    assert tp.topic() == "t1"
    [a] = tp.assignments()
    assert (a.vg_id(), a.offset(), a.begin(), a.end()) == (3, 10, 1, 20)
    tp.offset = 11
    assert tp.offset() == 11
    assert str(tp) == "TopicPartition(topic=t1, partition=3, offset=11)"
    assert tp == TopicPartition("t1", 3, 11)
    assert tp != TopicPartition("t1", 2, 11)


class _Recorder:
    """Stands in for the native consumer: records each call, answers offsets with 7."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def call(*args):
            self.calls.append((name, *args))
            return 7 if name in ("committed", "position") else None

        return call


def _consumer_over(native):
    c = Consumer.__new__(Consumer)
    c._native = native
    return c


def test_both_method_shapes_reach_the_same_calls():
    rec = _Recorder()
    c = _consumer_over(rec)
    c.seek(TopicPartition("t", 2, 5))
    c.seek("t", 3, 6)
    c.commit(offsets=[TopicPartition("t", 2, 9)])
    c.commit_offset("t", 3, 10)
    c.commit()
    assert c.committed("t", 2) == 7
    [tp] = c.position([TopicPartition("t", 4, 0)])
    assert tp.offset == 7
    assert rec.calls == [
        ("seek", "t", 2, 5),
        ("seek", "t", 3, 6),
        ("commit_offset", "t", 2, 9),
        ("commit_offset", "t", 3, 10),
        ("commit_all",),
        ("committed", "t", 2),
        ("position", "t", 4),
    ]
    with pytest.raises(TmqError, match="Invalid partition type"):
        c.committed([("t", 2)])
    with pytest.raises(TmqError, match="not both"):
        c.commit(message=object(), offsets=[])
    c.close()
    assert rec.calls[-1] == ("close",)
    with pytest.raises(TmqError, match="closed"):
        c.poll(0.1)


def test_unclosed_consumer_warns():
    c = _consumer_over(_Recorder())
    with pytest.warns(ResourceWarning, match="unclosed taosarrow Consumer"):
        c.__del__()
    assert c.closed


class _FakeMessage:
    def __init__(self, kind, table):
        self.kind, self._table = kind, table
        self.topic, self.database, self.vgroup_id, self.offset, self.meta_json = "t", "db", 2, 0, None

    def table(self):
        return self._table


class _FakePoller(_Recorder):
    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)

    def poll(self, timeout):
        return self.answers.pop(0) if self.answers else None


def test_stream_yields_arrow_tables_of_data_messages_and_stops_when_idle():
    import pyarrow as pa

    t1, t2 = pa.table({"v": [1, 2]}), pa.table({"v": [3]})
    c = _consumer_over(_FakePoller([_FakeMessage("data", t1), None, _FakeMessage("meta", None), _FakeMessage("data", t2)]))
    assert [t.to_pydict() for t in c.stream(0.01, idle_polls=2)] == [{"v": [1, 2]}, {"v": [3]}]
    c.close()


def test_async_iteration_polls_messages():
    import asyncio

    import pyarrow as pa

    c = _consumer_over(_FakePoller([_FakeMessage("data", pa.table({"v": [5]}))]))

    async def first():
        async for msg in c:
            return msg

    msg = asyncio.run(first())
    assert msg.to_arrow().to_pydict() == {"v": [5]}
    assert msg.to_pandas()["v"].tolist() == [5]
    c.close()
