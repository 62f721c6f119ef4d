"""taosarrow.aio: calls that settle asyncio futures from taosarrow's runtime, many at once on
one loop without blocking it, and cancellation that frees the server's result."""

from __future__ import annotations

import asyncio
import re
import time

import pandas as pd
import pyarrow as pa
import pytest

import taosarrow
import taosarrow.aio as aio
from taosarrow.testing import LocalServer

ROWS = 50_000  # 13 blocks of at most 4,096 rows
T0 = 1_700_000_000_000


@pytest.fixture(scope="module")
def srv():
    with LocalServer() as s:
        with taosarrow.connect(s.dsn()) as c:
            c.execute("CREATE DATABASE aio")
            c.execute("CREATE TABLE aio.t (ts TIMESTAMP, v BIGINT)")
            c.write(pa.table({"ts": pa.array(range(T0, T0 + ROWS), pa.timestamp("ms")), "v": pa.array(range(ROWS), pa.int64())}), table="aio.t")
        yield s


def run(coro):
    return asyncio.run(coro)


def test_every_call_of_the_connection(srv):
    async def main():
        async with await aio.connect(srv.dsn(), database="aio") as conn:
            assert await conn.execute("CREATE TABLE w (ts TIMESTAMP, x DOUBLE)") == 0
            assert await conn.execute(f"INSERT INTO w VALUES ({T0}, 1.5) ({T0 + 1}, 2.5)") == 2
            assert await conn.query("SELECT x FROM w ORDER BY ts") == [(1.5,), (2.5,)]
            table = await conn.read_arrow("SELECT COUNT(*) AS n FROM t")
            assert table.column("n").to_pylist() == [ROWS]
            df = await conn.read_pandas("SELECT v FROM t WHERE v < 3 ORDER BY ts")
            assert list(df["v"]) == [0, 1, 2]
            pl = await conn.read_polars("SELECT v FROM t WHERE v < 2 ORDER BY ts")
            assert pl["v"].to_list() == [0, 1]
            batches = [b async for b in conn.stream("SELECT * FROM t")]
            assert len(batches) > 1 and sum(b.num_rows for b in batches) == ROWS
            written = await conn.write(pd.DataFrame({"ts": pd.to_datetime([T0 + 5], unit="ms"), "x": [9.0]}), "w")
            assert written == 1
            frame = pd.DataFrame({"ts": pd.to_datetime([T0, T0 + 1], unit="ms"), "v": [1.0, 2.0],
                                  "dev": ["a", "b"], "site": ["s1", "s2"]})
            assert await conn.write(frame, stable="sw", subtable="dev", tags=["site"], mode="create") == 2
            assert await conn.query("SELECT COUNT(*) FROM sw") == [(2,)]
            bad = pd.DataFrame({"ts": pd.to_datetime([T0], unit="ms"), "nope": [1]})
            with pytest.raises(taosarrow.Error) as failed:
                await conn.write(bad, "w")
            # The same exception the blocking write raises.
            with pytest.raises(type(failed.value), match=re.escape(str(failed.value.msg))):
                conn.sync.write(bad, "w")
            with pytest.raises(taosarrow.ProgrammingError):
                await conn.read_arrow("SELECT * FROM nope")
    run(main())


def test_many_queries_on_one_loop_do_not_block_it(srv):
    async def main():
        async with await aio.connect(srv.dsn()) as conn:
            ticks = 0
            done = asyncio.Event()

            async def ticker():
                nonlocal ticks
                while not done.is_set():
                    ticks += 1
                    await asyncio.sleep(0.001)

            t = asyncio.create_task(ticker())
            start = time.monotonic()
            tables = await asyncio.gather(*(conn.read_arrow("SELECT v FROM aio.t") for _ in range(20)))
            elapsed = time.monotonic() - start
            done.set()
            await t
            assert all(tb.num_rows == ROWS for tb in tables)
            # The loop ran its other task all along: at least one tick per 20 ms of querying.
            assert ticks >= max(2, int(elapsed / 0.02)), (ticks, elapsed)
    run(main())


def test_cancelling_frees_the_servers_result(srv):
    async def main():
        async with await aio.connect(srv.dsn()) as conn:
            task = asyncio.create_task(conn.read_arrow("SELECT * FROM aio.t"))
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # Leaving a stream after its first batch frees the rest.
            async for _ in conn.stream("SELECT * FROM aio.t"):
                break
            # The connection still serves.
            assert (await conn.read_arrow("SELECT COUNT(*) AS n FROM aio.t")).column("n").to_pylist() == [ROWS]
    run(main())
    deadline = time.monotonic() + 5
    while srv.open_results() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert srv.open_results() == 0


def test_a_failed_connect_raises(srv):
    async def main():
        with pytest.raises(taosarrow.Error):
            await aio.connect(srv.dsn().replace("taosdata", "wrong-password"), conn_retries=0)
    run(main())
