#!/usr/bin/env python3
"""TMQ benchmark: consuming a topic into a DataFrame, taosarrow vs taos-ws-py; and the poll
latency of a freshly written row.

Same embedded server, same data, one run. A database topic over ts, 4 numeric columns and
1 VARCHAR in 10 child tables (2 vgroups). Each consumer runs in its own subprocess so its
peak memory (max RSS) is its own, and reads from the beginning until it has every row:

* taosarrow: ``taosarrow.Consumer`` → ``message.to_arrow()`` per message → one pyarrow
  table → pandas (raw blocks decoded straight into Arrow, GIL released in ``poll``);
* taos-ws-py 0.7.0: ``Consumer.poll`` → ``block.fetchall()`` per block →
  ``pandas.DataFrame`` (the documented way).

Latency: a taosarrow consumer subscribed with ``latest`` waits in ``poll`` while one row is
inserted; the time from the INSERT call to the message in hand, median and 95th percentile.

Use a release build of the native module (``make bench-python``)::

    python benches/python/tmq_bench.py                 # 1,000,000 and 10,000,000 rows
    python benches/python/tmq_bench.py --rows 100000   # quick
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Dict, List

TABLES = 10
TOPIC = "tmq_bench_topic"

CONSUMER = r"""
import json, resource, sys, time
host, port, kind, group, expected = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
import pandas, pyarrow  # imports are not timed

def hwm_mb():
    # This process's own peak RSS (VmHWM); ru_maxrss would include the parent's peak, which
    # Linux carries over fork + exec, and the parent holds the server's data.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")

conf = {
    "td.connect.websocket.scheme": "ws", "td.connect.ip": host, "td.connect.port": port,
    "td.connect.user": "root", "td.connect.pass": "taosdata", "group.id": group,
    "auto.offset.reset": "earliest", "enable.auto.commit": "false",
}
rows = 0
if kind == "taosarrow":
    import taosarrow
    start = time.perf_counter()
    consumer = taosarrow.Consumer(conf)
    consumer.subscribe(["%s"])
    tables = []
    while rows < expected:
        m = consumer.poll(5.0)
        if m is None:
            break
        t = m.to_arrow()
        rows += t.num_rows
        tables.append(t)
    df = pyarrow.concat_tables(tables).to_pandas()
    consumer.close()
else:
    import taosws
    start = time.perf_counter()
    consumer = taosws.Consumer(conf=conf)
    consumer.subscribe(["%s"])
    values, names = [], None
    while rows < expected:
        m = consumer.poll(timeout=5.0)
        if not m:
            break
        for block in m:
            if names is None:
                names = [f.name() for f in block.fields()]
            part = block.fetchall()
            rows += len(part)
            values.extend(part)
    df = pandas.DataFrame(values, columns=names)
    consumer.close()
elapsed = time.perf_counter() - start
print(json.dumps({"rows": len(df), "seconds": elapsed, "peak_mb": hwm_mb()}))
""" % (TOPIC, TOPIC)


def load(dsn: str, rows: int) -> None:
    import numpy as np
    import polars as pl

    import taosarrow

    per = rows // TABLES
    rng = np.random.default_rng(5)
    n = per * TABLES
    df = pl.DataFrame(
        {
            "ts": pl.Series(1_600_000_000_000 + np.tile(np.arange(per, dtype=np.int64), TABLES)).cast(pl.Datetime("ms")),
            "current": rng.random(n) * 20,
            "voltage": rng.integers(200, 240, n, dtype=np.int32),
            "phase": rng.random(n).astype(np.float32),
            "seq": np.arange(n, dtype=np.int64),
            "note": [f"note {i % 1000}" for i in range(n)],
            "tb": np.repeat([f"d{t}" for t in range(TABLES)], per),
            "location": np.repeat([f"room {t}" for t in range(TABLES)], per),
        }
    )
    with taosarrow.connect(dsn) as conn:
        conn.execute(f"DROP TOPIC IF EXISTS {TOPIC}")
        conn.execute("DROP DATABASE IF EXISTS tq")
        conn.execute("CREATE DATABASE tq PRECISION 'ms' VGROUPS 2")
        conn.execute(f"CREATE TOPIC {TOPIC} AS DATABASE tq")
        conn.write(df, stable="tq.meters", subtable="tb", tags=["location"], mode="create")


def consume(host: str, port: int, kind: str, group: str, rows: int) -> Dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CONSUMER, host, str(port), kind, group, str(rows)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def latency(dsn: str, host: str, port: int, samples: int = 50) -> List[float]:
    import taosarrow

    consumer = taosarrow.Consumer(
        {
            "td.connect.ip": host,
            "td.connect.port": port,
            "td.connect.user": "root",
            "td.connect.pass": "taosdata",
            "group.id": "latency",
            "auto.offset.reset": "latest",
        }
    )
    consumer.subscribe([TOPIC])
    out = []
    with taosarrow.connect(dsn) as conn:
        for i in range(samples):
            start = time.perf_counter()
            conn.execute(f"INSERT INTO tq.d0 VALUES ({2_000_000_000_000 + i}, 1.0, 220, 0.5, {i}, 'x')")
            m = consumer.poll(5.0)
            assert m is not None and m.to_arrow().num_rows == 1
            out.append(time.perf_counter() - start)
    consumer.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, action="append", help="rows (repeatable); default 1M and 10M")
    args = ap.parse_args()
    sizes: List[int] = args.rows or [1_000_000, 10_000_000]
    from taosarrow.testing import LocalServer

    with LocalServer() as server:
        dsn = server.dsn()
        host, port = server.host, server.port
        for rows in sizes:
            t = time.perf_counter()
            load(dsn, rows)
            print(f"\n{rows:,} rows (ts, 4 numeric, 1 VARCHAR) in topic {TOPIC}, loaded in {time.perf_counter() - t:.1f} s")
            results = {k: consume(host, port, k, f"{k}-{rows}", rows) for k in ("taos-ws-py", "taosarrow")}
            for k, r in results.items():
                assert int(r["rows"]) == rows, (k, r)
            base = results["taos-ws-py"]["seconds"]
            print(f"{'consumer':<12} {'seconds':>9} {'rows/s':>14} {'peak MB':>9} {'speed-up':>9}")
            for k, r in results.items():
                print(f"{k:<12} {r['seconds']:>9.3f} {rows / r['seconds']:>14,.0f} {r['peak_mb']:>9.0f} {base / r['seconds']:>8.1f}x")
        lat = sorted(latency(dsn, host, port))
        p95 = lat[int(len(lat) * 0.95) - 1]
        print(f"\npoll latency of a freshly written row: median {statistics.median(lat) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms ({len(lat)} samples)")


if __name__ == "__main__":
    main()
