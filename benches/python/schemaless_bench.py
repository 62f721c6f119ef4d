#!/usr/bin/env python3
"""Schemaless-write benchmark: InfluxDB line protocol into the embedded server.

Compares, against the same embedded server in one run:

* taosarrow ``Connection.schemaless_insert`` from a list of ``str`` and from a pyarrow
  string array (read through the Arrow C interface);
* taos-ws-py 0.7.0 ``Connection.schemaless_insert`` from the same list.

The lines have 4 fields and 2 tags over 1,000 tag sets (so 1,000 child tables of one super
table), millisecond timestamps. Names are short so that taos-ws-py's single request for all
1,000,000 lines (it does not batch) stays below the server's 64 MiB message limit. Each writer gets a fresh database; every run is checked by
counting the rows written. Use a release build of the native module (``make bench-python``)::

    python benches/python/schemaless_bench.py            # 1,000,000 lines
    python benches/python/schemaless_bench.py --lines 100000 --tag-sets 100 --repeat 5

Each writer runs ``--repeat`` times (default 1), each run into a fresh database that is
dropped after its rows are counted, and its median time is reported.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable, List, Tuple

import pyarrow as pa
import taosws

import taosarrow
from taosarrow.testing import LocalServer

BASE_MS = 1_700_000_000_000


def make_lines(n: int, tag_sets: int) -> List[str]:
    """``n`` lines: 2 tags (1,000 combinations by default), 4 fields, distinct timestamps
    within each tag set."""
    return [
        f"meters,loc=l{i % tag_sets},g=g{i % 10} "
        f"c={(i % 97) * 0.25},v={200 + i % 40}i,p={(i % 13) * 0.5},n=\"n{i % 100}\" "
        f"{BASE_MS + i // tag_sets}"
        for i in range(n)
    ]


def count(dsn: str, db: str) -> int:
    with taosarrow.connect(dsn) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT COUNT(*) FROM {db}.meters")
        return int(cur.fetchone()[0])


def write_taosarrow(dsn: str, db: str, data: Any) -> None:
    with taosarrow.connect(f"{dsn}/{db}") as conn:
        conn.schemaless_insert(data, taosarrow.SmlProtocol.LINE_PROTOCOL, taosarrow.SmlPrecision.MILLI_SECONDS)


def write_taosws(dsn: str, db: str, data: List[str]) -> None:
    conn = taosws.connect(dsn.replace("ws://", "taosws://") + "/" + db)
    conn.schemaless_insert(
        lines=data,
        protocol=taosws.PySchemalessProtocol.Line,
        precision=taosws.PySchemalessPrecision.Millisecond,
        ttl=0,
        req_id=1,
    )
    conn.close()


def run(
    name: str, fn: Callable[[str], None], dsn: str, db: str, rows: int, repeat: int
) -> Tuple[str, float]:
    """Median seconds of ``repeat`` writes, each into a fresh database and checked."""
    times = []
    for i in range(repeat):
        run_db = f"{db}_{i}"
        with taosarrow.connect(dsn) as conn:
            conn.execute(f"CREATE DATABASE {run_db} PRECISION 'ms'")
        start = time.perf_counter()
        fn(run_db)
        times.append(time.perf_counter() - start)
        got = count(dsn, run_db)
        if got != rows:
            raise SystemExit(f"{name}: {got} rows stored, expected {rows}")
        with taosarrow.connect(dsn) as conn:
            conn.execute(f"DROP DATABASE {run_db}")
    return name, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--tag-sets", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs per writer; the median is shown")
    args = ap.parse_args()
    data = make_lines(args.lines, args.tag_sets)
    arrow = pa.array(data)
    mb = sum(len(s) for s in data) / 1e6
    results: List[Tuple[str, float]] = []
    with LocalServer() as server:
        dsn = server.dsn()
        writers: List[Tuple[str, str, Callable[[str], None]]] = [
            ("taos-ws-py schemaless_insert (list)", "w0", lambda db: write_taosws(dsn, db, data)),
            ("taosarrow schemaless_insert (list)", "w1", lambda db: write_taosarrow(dsn, db, data)),
            ("taosarrow schemaless_insert (pyarrow)", "w2", lambda db: write_taosarrow(dsn, db, arrow)),
        ]
        for name, db, fn in writers:
            results.append(run(name, fn, dsn, db, len(data), args.repeat))
    baseline = results[0][1]
    print(
        f"\n{len(data):,} line-protocol lines ({mb:.1f} MB; 4 fields, 2 tags, "
        f"{args.tag_sets:,} tag sets), median of {args.repeat} run(s) each\n"
    )
    print(f"{'writer':<40} {'seconds':>9} {'rows/s':>14} {'vs taos-ws-py':>14}")
    for name, secs in results:
        print(f"{name:<40} {secs:>9.3f} {len(data) / secs:>14,.0f} {baseline / secs:>13.2f}x")


if __name__ == "__main__":
    main()
