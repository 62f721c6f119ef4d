#!/usr/bin/env python3
"""Bulk-write benchmark: DataFrame → TDengine super table over 1,000 child tables.

Compares, against the same embedded server in one run:

* taosarrow ``Connection.write`` from a pandas DataFrame and from a polars DataFrame
  (Arrow buffers straight into stmt2 column binds);
* taos-ws-py 0.7.0 stmt2 with its column builders (``millis_timestamps_to_column`` …), the
  official way to bind columns, fed from the same pandas DataFrame.

Each writer gets a fresh database; every run is checked by counting the rows written.
Use a release build of the native module (``make bench-python``)::

    python benches/python/ingest_bench.py            # 1,000,000 rows
    python benches/python/ingest_bench.py --rows 100000 --tables 100 --repeat 5

Each writer runs ``--repeat`` times (default 3), each run into a fresh database that is
dropped after its rows are counted, and its median time is reported.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable, Dict, List, Tuple

import numpy as np
import pandas as pd
import polars as pl
import pyarrow  # noqa: F401 - imported before timing (pandas input goes through it)
import taosws

import taosarrow
from taosarrow.testing import LocalServer

BASE_MS = 1_700_000_000_000


def make_frame(rows: int, tables: int) -> pd.DataFrame:
    """ts, 4 numeric columns, 1 VARCHAR, the child-table name and one tag."""
    per_table = rows // tables
    rng = np.random.default_rng(7)
    table_no = np.repeat(np.arange(tables), per_table)
    ts = BASE_MS + np.tile(np.arange(per_table, dtype=np.int64) * 1000, tables)
    n = len(table_no)
    return pd.DataFrame(
        {
            "ts": pd.to_datetime(ts, unit="ms"),
            "current": rng.random(n) * 20,
            "voltage": rng.integers(200, 240, n, dtype=np.int32),
            "phase": rng.random(n).astype(np.float32),
            "seq": np.arange(n, dtype=np.int64),
            "note": np.array([f"n{i % 1000}" for i in range(n)], dtype=object),
            "tb": np.array([f"d{t}" for t in table_no], dtype=object),
            "groupid": (table_no % 10).astype(np.int32),
        }
    )


STABLE_DDL = (
    "CREATE STABLE {db}.meters (ts TIMESTAMP, current DOUBLE, voltage INT, phase FLOAT, "
    "seq BIGINT, note VARCHAR(16)) TAGS (groupid INT)"
)


def prepare_db(dsn: str, db: str) -> None:
    with taosarrow.connect(dsn) as conn:
        conn.execute(f"CREATE DATABASE {db} PRECISION 'ms'")
        conn.execute(STABLE_DDL.format(db=db))


def count(dsn: str, db: str) -> int:
    with taosarrow.connect(dsn) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT COUNT(*) FROM {db}.meters")
        return int(cur.fetchone()[0])


def write_taosarrow(dsn: str, db: str, data: object) -> None:
    with taosarrow.connect(dsn) as conn:
        conn.write(data, stable=f"{db}.meters", subtable="tb", tags=["groupid"])


def write_taosws(dsn: str, db: str, df: pd.DataFrame, tables_per_bind: int = 100) -> None:
    conn = taosws.connect(dsn.replace("ws://", "taosws://") + "/" + db)
    stmt = conn.stmt2_statement()
    stmt.prepare("INSERT INTO ? USING meters TAGS (?) VALUES (?, ?, ?, ?, ?, ?)")
    params = []
    for name, part in df.groupby("tb", sort=False):
        params.append(
            taosws.stmt2_bind_param_view(
                table_name=str(name),
                tags=[taosws.int_to_tag(int(part["groupid"].iloc[0]))],
                columns=[
                    taosws.millis_timestamps_to_column(
                        (part["ts"].astype("int64") // 1_000_000).tolist()
                    ),
                    taosws.doubles_to_column(part["current"].tolist()),
                    taosws.ints_to_column(part["voltage"].tolist()),
                    taosws.floats_to_column(part["phase"].tolist()),
                    taosws.big_ints_to_column(part["seq"].tolist()),
                    taosws.varchar_to_column(part["note"].tolist()),
                ],
            )
        )
        if len(params) == tables_per_bind:
            stmt.bind(params)
            stmt.execute()
            params = []
    if params:
        stmt.bind(params)
        stmt.execute()
    conn.close()


def run(
    name: str, fn: Callable[[str], None], dsn: str, db: str, rows: int, repeat: int
) -> Tuple[str, float]:
    """Median seconds of ``repeat`` writes, each into a fresh database and checked."""
    times = []
    for i in range(repeat):
        run_db = f"{db}_{i}"
        prepare_db(dsn, run_db)
        start = time.perf_counter()
        fn(run_db)
        times.append(time.perf_counter() - start)
        got = count(dsn, run_db)
        if got != rows:
            raise SystemExit(f"{name}: {got} rows stored, expected {rows}")
        # Every run starts from the same server state (no earlier run's rows held).
        with taosarrow.connect(dsn) as conn:
            conn.execute(f"DROP DATABASE {run_db}")
    return name, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--tables", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per writer; the median is shown")
    args = ap.parse_args()
    df = make_frame(args.rows, args.tables)
    rows = len(df)
    pl_df = pl.from_pandas(df)
    results: List[Tuple[str, float]] = []
    with LocalServer() as server:
        dsn = server.dsn()
        writers: List[Tuple[str, str, Callable[[str], None]]] = [
            ("taos-ws-py stmt2 (column lists)", "w0", lambda db: write_taosws(dsn, db, df)),
            ("taosarrow write (pandas)", "w1", lambda db: write_taosarrow(dsn, db, df)),
            ("taosarrow write (polars)", "w2", lambda db: write_taosarrow(dsn, db, pl_df)),
        ]
        for name, db, fn in writers:
            results.append(run(name, fn, dsn, db, rows, args.repeat))
    baseline = results[0][1]
    print(
        f"\n{rows:,} rows (ts, 4 numeric, 1 VARCHAR) over {args.tables:,} child tables, "
        f"median of {args.repeat} runs each\n"
    )
    print(f"{'writer':<36} {'seconds':>9} {'rows/s':>14} {'vs taos-ws-py':>14}")
    for name, secs in results:
        print(f"{name:<36} {secs:>9.3f} {rows / secs:>14,.0f} {baseline / secs:>13.1f}x")


if __name__ == "__main__":
    main()
