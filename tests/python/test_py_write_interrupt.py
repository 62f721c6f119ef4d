"""Ctrl-C during ``Connection.write``: no chunk starts after it, the chunks sent settle, and
``IngestInterrupted`` (a ``KeyboardInterrupt``) carries the exact row account; and the
``unknown`` list of a write whose exec reply was lost."""

from __future__ import annotations

import _thread
import signal
import threading
from typing import List, Tuple

import pyarrow as pa
import pytest

import taosarrow
from taosarrow import IngestInterrupted

BASE_MS = 1_700_000_000_000
ROWS = 20_000
IN_FLIGHT = 2


def table(rows: int = ROWS) -> pa.Table:
    return pa.table(
        {
            "ts": pa.array([BASE_MS + i for i in range(rows)], pa.timestamp("ms")),
            "v": pa.array([float(i) for i in range(rows)], pa.float64()),
        }
    )


@pytest.fixture
def conn(server):
    c = taosarrow.connect(server.dsn())
    c.execute("CREATE DATABASE w PRECISION 'ms'")
    c.execute("CREATE TABLE w.t (ts TIMESTAMP, v DOUBLE)")
    yield c
    c.close()


def rows_in(ranges: List[Tuple[int, int]]) -> int:
    return sum(end - start for start, end in ranges)


def stored_positions(c) -> List[int]:
    """The input positions stored in ``w.t`` (timestamps are ``BASE_MS + position``)."""
    got = taosarrow.read_arrow("SELECT ts FROM w.t ORDER BY ts", c)
    return [t - BASE_MS for t in got.column("ts").cast(pa.int64()).to_pylist()]


def positions(ranges: List[Tuple[int, int]]) -> List[int]:
    return [p for start, end in ranges for p in range(start, end)]


def check_account(e: IngestInterrupted, c) -> None:
    """Every input row is in one list, and the stored rows are exactly the written ones."""
    assert isinstance(e, KeyboardInterrupt)
    assert e.unread_from is None or e.unread_from <= ROWS
    assert rows_in(e.written) + rows_in(e.unknown) + rows_in(e.not_written) + (
        ROWS - e.unread_from if e.unread_from is not None else 0
    ) == ROWS
    assert e.unknown == []  # no fault: every exec sent was answered
    assert e.rows_written == rows_in(e.written)
    assert stored_positions(c) == positions(e.written)


def test_progress_raising_keyboard_interrupt_stops_the_write_at_once(server, conn):
    calls: List[int] = []

    def progress(rows: int) -> None:
        calls.append(rows)
        raise KeyboardInterrupt

    with pytest.raises(IngestInterrupted) as info:
        conn.write(table(), "w.t", chunk_bytes=16 * 1024, in_flight=IN_FLIGHT, progress=progress)
    e = info.value
    assert isinstance(e.__cause__, KeyboardInterrupt)
    # Outcomes are booked before another chunk is handed out: when the first one raised, at
    # most 2 x in_flight chunks (in flight and queued) had been handed out, none after it.
    assert 1 <= len(calls) <= 2 * IN_FLIGHT
    assert e.not_written
    check_account(e, conn)
    # Nothing is written after the exception: a new connection sees the same rows.
    with taosarrow.connect(server.dsn()) as other:
        assert stored_positions(other) == positions(e.written)


def test_ctrl_c_during_a_write_raises_with_the_account(server, conn):
    # A SIGINT handler that says when it ran: the progress callback (which holds up the
    # write) raises the signal and waits until the waiting main thread has seen it.
    handled = threading.Event()

    def on_sigint(signum, frame):
        handled.set()
        raise KeyboardInterrupt

    def progress(rows: int) -> None:
        if not handled.is_set():
            _thread.interrupt_main(signal.SIGINT)
            assert handled.wait(timeout=30)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        with pytest.raises(IngestInterrupted) as info:
            conn.write(table(), "w.t", chunk_bytes=16 * 1024, in_flight=IN_FLIGHT, progress=progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    e = info.value
    assert isinstance(e.__cause__, KeyboardInterrupt)
    check_account(e, conn)
    with taosarrow.connect(server.dsn()) as other:
        assert stored_positions(other) == positions(e.written)


def test_a_lost_exec_reply_is_unknown_and_resending_it_is_exact(server_factory):
    # version + conn, stmt2 init + prepare, two bind/exec pairs, the third bind's reply:
    # the third exec is executed but its reply is withheld. Every connection has its own
    # frame budget, so each step below uses a fresh one.
    s = server_factory("--withhold-after-frames", str(2 + 2 + 4 + 1))

    def count() -> int:
        with taosarrow.connect(s.dsn()) as c:
            return c.cursor().execute("SELECT COUNT(*) FROM w.t").fetchone()[0]

    def resend(ranges: List[Tuple[int, int]]) -> None:
        for start, end in ranges:
            with taosarrow.connect(s.dsn()) as c:
                c.write(data.slice(start, end - start), "w.t", in_flight=1)

    with taosarrow.connect(s.dsn()) as setup:
        setup.execute("CREATE DATABASE w PRECISION 'ms'")
        setup.execute("CREATE TABLE w.t (ts TIMESTAMP, v DOUBLE)")
    data = table()
    with taosarrow.connect(s.dsn(), read_timeout=0.5) as c:
        with pytest.raises(taosarrow.ConnectionError) as info:
            c.write(data, "w.t", chunk_bytes=32 * 1024, in_flight=1)
    e = info.value
    assert e.unknown, str(e)
    assert rows_in(e.written) + rows_in(e.unknown) + rows_in(e.not_written) == ROWS
    assert "outcome unknown" in str(e)
    # The server executed the exec whose reply it withheld.
    assert count() == e.rows_written + rows_in(e.unknown)
    # Re-sending exactly the unknown rows duplicates nothing; with the rest, all are there.
    resend(e.unknown)
    assert count() == e.rows_written + rows_in(e.unknown)
    resend(e.not_written)
    assert count() == ROWS
