"""Data subscription (TMQ): ``Consumer``, ``Message``, ``TopicPartition``.

One ``Consumer`` speaks both dialects users know. taospy's::

    c = Consumer({"group.id": "g", "td.connect.ip": "localhost"})
    c.subscribe(["topic"])
    msg = c.poll(1.0)
    for block in msg.value(): ...
    c.commit(offsets=[TopicPartition("topic", 2, 10)])

and taos-ws-py's (``commit(message)``, ``commit_offset(topic, vg_id, offset)``,
``seek(topic, vg_id, offset)``, ``committed(topic, vg_id)``, ``message.vgroup()``, iterating
a message's blocks with ``fields()``, ``nrows()``, ``fetchall()``). A message is also an
Arrow object: ``message.to_arrow()`` (a ``pyarrow.Table``), ``__arrow_c_stream__`` for any
PyCapsule consumer, ``to_pandas()``, ``to_polars()``; ``consumer.stream()`` yields Arrow
tables and ``async for message in consumer`` polls without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any, AsyncIterator, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _frames
from .exceptions import NotSupportedError, TmqError
from .result import TaosField

__all__ = ["Consumer", "Message", "MessageBlock", "TopicPartition", "Assignment", "TmqError"]

#: The message kinds, as ``Message.kind`` names them.
KINDS = ("data", "meta", "metadata")

#: Keys this module reads itself instead of passing them on.
_LOCAL_KEYS = ("decode_binary",)


def config_pairs(conf: Optional[Mapping[str, Any]]) -> List[Tuple[str, str]]:
    """The consumer configuration as ``(key, text)`` pairs, in order: values may be strings
    or natives (``True`` → ``"true"``, ``6041`` → ``"6041"``); ``None`` values are skipped.
    ``group.id`` is required (as in taospy and taos-ws-py)."""
    if conf is None:
        conf = {}
    if not isinstance(conf, Mapping):
        raise TmqError(f"the consumer configuration must be a dict, not {type(conf).__name__}")
    pairs: List[Tuple[str, str]] = []
    for key, value in conf.items():
        if not isinstance(key, str):
            raise TmqError(f"configuration keys are strings, not {key!r}")
        if key in _LOCAL_KEYS or value is None:
            continue
        pairs.append((key, _text(key, value)))
    return pairs


def _text(key: str, value: Any) -> str:
    """The wire text of one option value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TmqError(f"invalid value for {key}: {value!r} (give a string, a number or a bool)")


class _CallableStr(str):
    """A ``str`` attribute (taospy) that returns itself when called (taos-ws-py)."""

    __slots__ = ()

    def __call__(self) -> str:
        return str(self)


class _CallableInt(int):
    """An ``int`` attribute (taospy) that returns itself when called (taos-ws-py)."""

    __slots__ = ()

    def __call__(self) -> int:
        return int(self)


class TopicPartition:
    """One vgroup of a topic and an offset (taospy's ``TopicPartition``).

    ``topic``, ``partition``, ``offset``, ``begin`` and ``end`` are attributes as in taospy;
    read through :meth:`Consumer.assignment` they are also taos-ws-py's assignment: the
    attributes can be called (``tp.topic()``, ``tp.offset()``), ``vg_id()`` is the vgroup
    and ``assignments()`` lists this vgroup's :class:`Assignment`.
    """

    def __init__(self, topic: str, partition: int, offset: int = 0, begin: int = 0, end: int = 0) -> None:
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.begin = begin
        self.end = end

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "topic":
            value = _CallableStr(value)
        elif name in ("partition", "offset", "begin", "end"):
            value = _CallableInt(value)
        object.__setattr__(self, name, value)

    def vg_id(self) -> int:
        """The vgroup id (taos-ws-py)."""
        return int(self.partition)

    def assignments(self) -> List["Assignment"]:
        """taos-ws-py's per-topic assignment list, for this vgroup."""
        return [Assignment(int(self.partition), int(self.offset), int(self.begin), int(self.end))]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TopicPartition):
            return NotImplemented
        return (self.topic, self.partition, self.offset) == (other.topic, other.partition, other.offset)

    def __repr__(self) -> str:
        return "TopicPartition(topic=%s, partition=%s, offset=%s)" % (self.topic, self.partition, self.offset)

    __str__ = __repr__


class Assignment:
    """One vgroup's assignment: ``vg_id()``, ``offset()``, ``begin()``, ``end()`` (taos-ws-py)."""

    __slots__ = ("_vg_id", "_offset", "_begin", "_end")

    def __init__(self, vg_id: int, offset: int, begin: int, end: int) -> None:
        self._vg_id, self._offset, self._begin, self._end = vg_id, offset, begin, end

    def vg_id(self) -> int:
        """The vgroup id."""
        return self._vg_id

    def offset(self) -> int:
        """The consumer's current offset in the vgroup."""
        return self._offset

    def begin(self) -> int:
        """The first retained version."""
        return self._begin

    def end(self) -> int:
        """The version after the last written one."""
        return self._end

    def __repr__(self) -> str:
        return f"Assignment(vg_id={self._vg_id}, offset={self._offset}, begin={self._begin}, end={self._end})"


class MessageBlock:
    """The rows of one table in a data message: ``fields()``, ``nrows()``, ``ncols()``,
    ``fetchall()``, ``table()``, iteration over rows (taospy and taos-ws-py), plus
    ``to_arrow()``."""

    def __init__(self, native: Any, index: int, table: Optional[str], fields: List[Tuple[Any, ...]], nrows: int) -> None:
        self._native = native
        self._index = index
        self._table = table
        self._fields = [TaosField(*f) for f in fields]
        self._nrows = nrows

    def fields(self) -> List[TaosField]:
        """The block's columns."""
        return list(self._fields)

    def nrows(self) -> int:
        """The number of rows."""
        return self._nrows

    def ncols(self) -> int:
        """The number of columns."""
        return len(self._fields)

    def table(self) -> Optional[str]:
        """The table the rows belong to (``None`` without ``msg.with.table.name``)."""
        return self._table

    def fetchall(self) -> List[Tuple[Any, ...]]:
        """Every row as a tuple."""
        return self._native.block_rows(self._index)

    def to_arrow(self) -> Any:
        """The block as a ``pyarrow.Table``."""
        return _frames.to_pyarrow_table(self._native.block_table(self._index))

    def __iter__(self) -> Iterator[Tuple[Any, ...]]:
        return iter(self.fetchall())

    def __repr__(self) -> str:
        return f"MessageBlock(table={self._table!r}, nrows={self._nrows}, ncols={len(self._fields)})"


class Message:
    """One polled message: data (rows of one vgroup), meta (DDL as JSON) or both.

    taospy: ``value()`` (the blocks, ``None`` for a meta message), ``error()``,
    ``offset()``, ``topic()``, ``database()``; taos-ws-py: ``vgroup()`` / ``get_vgroup_id()``,
    iteration over blocks; Arrow: ``to_arrow()``, ``__arrow_c_stream__``, ``to_pandas()``,
    ``to_polars()``.
    """

    def __init__(self, native: Any) -> None:
        self._native = native
        self._blocks: Optional[List[MessageBlock]] = None

    # -- identity -------------------------------------------------------------------------
    def topic(self) -> str:
        """The topic the message came from."""
        return self._native.topic

    def database(self) -> str:
        """The topic's database."""
        return self._native.database

    def vgroup(self) -> int:
        """The vgroup id (taos-ws-py)."""
        return self._native.vgroup_id

    get_vgroup_id = vgroup

    def offset(self) -> int:
        """The offset (WAL version) the message was read from."""
        return self._native.offset

    @property
    def kind(self) -> str:
        """``"data"``, ``"meta"`` or ``"metadata"``."""
        return self._native.kind

    def error(self) -> None:
        """taospy's per-message error: always ``None`` (errors are raised by ``poll``)."""
        return None

    # -- rows -----------------------------------------------------------------------------
    def _all_blocks(self) -> List[MessageBlock]:
        if self._blocks is None:
            self._blocks = [
                MessageBlock(self._native, i, table, fields, nrows)
                for i, (table, fields, nrows) in enumerate(self._native.blocks())
            ]
        return self._blocks

    def value(self) -> Optional[List[MessageBlock]]:
        """The blocks of a data message (taospy); ``None`` for a meta-only message."""
        if self.kind == "meta":
            return None
        return self._all_blocks()

    def meta(self) -> Optional[Any]:
        """The JSON meta of a meta message, parsed (``None`` for data)."""
        text = self._native.meta_json
        return None if text is None else json.loads(text)

    def __iter__(self) -> Iterator[MessageBlock]:
        return iter(self._all_blocks())

    def __len__(self) -> int:
        return len(self._all_blocks())

    # -- Arrow ----------------------------------------------------------------------------
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """Every block's rows as one Arrow stream (the PyCapsule protocol)."""
        return self._native.table().__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> Any:
        """Every block's rows as one ``pyarrow.Table`` (blocks of one message share a
        schema; use the blocks' own ``to_arrow()`` for a database topic with several)."""
        return _frames.to_pyarrow_table(self._native.table())

    def to_pandas(self, **kwargs: Any) -> Any:
        """The rows as a pandas ``DataFrame`` (see ``taosarrow.read_pandas`` for the types)."""
        return _frames.to_pandas(self._native.table(), **kwargs)

    def to_polars(self) -> Any:
        """The rows as a polars ``DataFrame``."""
        return _frames.to_polars(self._native.table())

    def __repr__(self) -> str:
        return (
            f"Message(topic={self.topic()!r}, vgroup={self.vgroup()}, offset={self.offset()}, kind={self.kind!r})"
        )


_Partitions = Union[TopicPartition, Sequence[TopicPartition]]


class Consumer:
    """A TMQ consumer of the embedded or a remote server's ``/rest/tmq``.

    ``Consumer(conf)`` takes taospy's and taos-ws-py's keys (``td.connect.ip``,
    ``td.connect.port``, ``td.connect.user``, ``td.connect.pass``, ``td.connect.token``,
    ``td.connect.websocket.scheme``, ``group.id``, ``client.id``, ``auto.offset.reset``,
    ``enable.auto.commit``, ``auto.commit.interval.ms``, ``session.timeout.ms``,
    ``max.poll.interval.ms``, ``msg.with.table.name``, ``experimental.snapshot.enable``,
    and ``host``/``port``/``user``/``password``), values as strings or natives;
    ``dsn="ws://user:pass@host:port?group.id=g"`` gives the same as a DSN. Use it as a
    context manager, or call :meth:`close`; an unclosed consumer warns (``ResourceWarning``).
    """

    def __init__(self, conf: Optional[Mapping[str, Any]] = None, dsn: Optional[str] = None) -> None:
        self._native: Any = None
        pairs = config_pairs(conf)
        if dsn is None and not any(k == "group.id" for k, _ in pairs):
            raise TmqError("group.id must be set in configurations")
        self._decode_binary = bool((conf or {}).get("decode_binary", True))
        from . import _native

        native_consumer = getattr(_native, "NativeConsumer", None)
        if native_consumer is None:
            raise NotSupportedError("this build of taosarrow has no TMQ consumer")
        self._native = native_consumer(dsn, pairs)

    def _inner(self) -> Any:
        if self._native is None:
            raise TmqError("the consumer is closed")
        return self._native

    # -- subscription ---------------------------------------------------------------------
    def subscribe(self, topics: Sequence[str]) -> None:
        """Subscribes to ``topics`` (replacing the current subscription)."""
        if isinstance(topics, str):
            raise TmqError("subscribe takes a list of topic names")
        self._inner().subscribe([str(t) for t in topics])

    def unsubscribe(self) -> None:
        """Leaves every topic (the consumer stays open)."""
        self._inner().unsubscribe()

    def list_topics(self) -> List[str]:
        """The subscribed topics."""
        return list(self._inner().list_topics())

    # -- polling --------------------------------------------------------------------------
    def poll(self, timeout: Optional[float] = 1.0) -> Optional[Message]:
        """The next message, or ``None`` after ``timeout`` seconds without one. Releases the
        GIL while waiting; Ctrl-C interrupts it (``KeyboardInterrupt``)."""
        secs = 1.0 if timeout is None else float(timeout)
        if secs < 0:
            raise TmqError("the poll timeout cannot be negative")
        native = self._inner().poll(secs)
        return None if native is None else Message(native)

    def __iter__(self) -> Iterator[Message]:
        """Polls until a message arrives, forever (taospy's iteration)."""
        while True:
            msg = self.poll(1.0)
            if msg is not None:
                yield msg

    def stream(self, timeout: float = 1.0, *, max_messages: Optional[int] = None, idle_polls: Optional[int] = None) -> Iterator[Any]:
        """Arrow tables, one per data message (meta messages are skipped). Stops after
        ``max_messages`` messages or ``idle_polls`` polls in a row that found nothing; runs
        until interrupted when neither is given."""
        seen = idle = 0
        while max_messages is None or seen < max_messages:
            msg = self.poll(timeout)
            if msg is None:
                idle += 1
                if idle_polls is not None and idle >= idle_polls:
                    return
                continue
            idle = 0
            seen += 1
            if msg.kind != "meta":
                yield msg.to_arrow()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._aiter()

    async def _aiter(self) -> AsyncIterator[Message]:
        loop = asyncio.get_running_loop()
        while self._native is not None:
            msg = await loop.run_in_executor(None, self.poll, 0.5)
            if msg is not None:
                yield msg

    # -- offsets --------------------------------------------------------------------------
    def commit(self, message: Optional[Message] = None, offsets: Optional[Sequence[TopicPartition]] = None) -> None:
        """Commits ``message``'s offset (taos-ws-py's ``commit(message)``), or ``offsets``
        (taospy), or, with neither, every current position."""
        if message is not None and offsets is not None:
            raise TmqError("commit takes a message or offsets, not both")
        inner = self._inner()
        if message is not None:
            if not isinstance(message, Message):
                raise TmqError("Invalid message type")
            inner.commit(message._native)
            return
        if offsets is not None:
            for tp in _partition_list(offsets):
                inner.commit_offset(str(tp.topic), int(tp.partition), int(tp.offset))
            return
        inner.commit_all()

    def commit_offset(self, topic: str, vg_id: int, offset: int) -> None:
        """Commits ``offset`` for one vgroup of a topic (taos-ws-py)."""
        self._inner().commit_offset(str(topic), int(vg_id), int(offset))

    def seek(self, partition: Union[TopicPartition, str], vg_id: Optional[int] = None, offset: Optional[int] = None) -> None:
        """Moves the position: ``seek(TopicPartition)`` (taospy) or ``seek(topic, vg_id,
        offset)`` (taos-ws-py)."""
        if isinstance(partition, TopicPartition):
            topic, vg, off = str(partition.topic), int(partition.partition), int(partition.offset)
        elif vg_id is None or offset is None:
            raise TmqError("seek takes a TopicPartition or (topic, vg_id, offset)")
        else:
            topic, vg, off = str(partition), int(vg_id), int(offset)
        self._inner().seek(topic, vg, off)

    def committed(self, partitions: Union[_Partitions, str], vg_id: Optional[int] = None) -> Any:
        """Committed offsets: ``committed([TopicPartition])`` → the partitions with their
        ``offset`` set (taospy), or ``committed(topic, vg_id)`` → an int (taos-ws-py); an
        offset nothing was committed for is TDengine's -2147467247."""
        return self._offsets("committed", partitions, vg_id)

    def position(self, partitions: Union[_Partitions, str], vg_id: Optional[int] = None) -> Any:
        """Current positions, in the two forms :meth:`committed` takes."""
        return self._offsets("position", partitions, vg_id)

    def _offsets(self, what: str, partitions: Any, vg_id: Optional[int]) -> Any:
        call = getattr(self._inner(), what)
        if isinstance(partitions, str):
            if vg_id is None:
                raise TmqError(f"{what} takes a list of TopicPartition or (topic, vg_id)")
            return call(partitions, int(vg_id))
        parts = _partition_list(partitions)
        for tp in parts:
            tp.offset = call(str(tp.topic), int(tp.partition))
        return parts

    def assignment(self) -> Optional[List[TopicPartition]]:
        """One :class:`TopicPartition` per assigned vgroup of every subscribed topic (taospy;
        also readable as taos-ws-py's assignment, see :class:`TopicPartition`), ``None`` when
        nothing is subscribed."""
        found = self._inner().assignments()
        if not found:
            return None
        return [
            TopicPartition(topic, vg, offset, begin, end)
            for topic, rows in found
            for vg, offset, begin, end in rows
        ]

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        """Leaves the group and closes the connection. Idempotent."""
        native, self._native = self._native, None
        if native is not None:
            native.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native is None

    def __enter__(self) -> "Consumer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_native", None) is not None:
            warnings.warn("unclosed taosarrow Consumer; call close() or use it in a with block", ResourceWarning, stacklevel=2)
            try:
                self.close()
            except Exception:  # noqa: BLE001 - nothing to report to in a finaliser
                pass


def _partition_list(partitions: Any) -> List[TopicPartition]:
    if isinstance(partitions, TopicPartition):
        return [partitions]
    parts = list(partitions)
    for tp in parts:
        if not isinstance(tp, TopicPartition):
            raise TmqError("Invalid partition type")
    return parts
