#!/usr/bin/env python3
"""Bulk-write benchmark: DataFrame → TDengine super table over child tables (1,000 by default).

Compares, against the same embedded server in one run:

* taosarrow ``Connection.write`` from a pandas DataFrame and from a polars DataFrame
  (Arrow buffers straight into stmt2 column binds);
* taos-ws-py 0.7.0 stmt2 with its column builders (``millis_timestamps_to_column`` …), the
  official way to bind columns, fed from the same pandas DataFrame.

Each writer gets a fresh database; every run is checked by counting the rows written.
Use a release build of the native module (``make bench-python``)::

    python benches/python/ingest_bench.py            # 1,000,000 rows
    python benches/python/ingest_bench.py --rows 100000 --tables 100 --repeat 5
    python benches/python/ingest_bench.py --shape wide          # 20 columns incl. NCHAR, DECIMAL
    python benches/python/ingest_bench.py --tables 10000        # 100 rows per child table

Each writer runs ``--repeat`` times (default 3), each run into a fresh database that is
dropped after its rows are counted, and its median time is reported.
"""

from __future__ import annotations

import argparse
import decimal
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


#: The wide shape's extra columns: name, TDengine type, NumPy/pandas maker, taos-ws-py builder.
WIDE_EXTRA = [
    ("d2", "DOUBLE", lambda rng, n: rng.random(n), "doubles_to_column"),
    ("d3", "DOUBLE", lambda rng, n: rng.random(n), "doubles_to_column"),
    ("d4", "DOUBLE", lambda rng, n: rng.random(n), "doubles_to_column"),
    ("f2", "FLOAT", lambda rng, n: rng.random(n).astype(np.float32), "floats_to_column"),
    ("f3", "FLOAT", lambda rng, n: rng.random(n).astype(np.float32), "floats_to_column"),
    ("i2", "INT", lambda rng, n: rng.integers(-1000, 1000, n, dtype=np.int32), "ints_to_column"),
    ("i3", "INT", lambda rng, n: rng.integers(-1000, 1000, n, dtype=np.int32), "ints_to_column"),
    ("b2", "BIGINT", lambda rng, n: rng.integers(-(10**12), 10**12, n, dtype=np.int64), "big_ints_to_column"),
    ("s1", "SMALLINT", lambda rng, n: rng.integers(-1000, 1000, n, dtype=np.int16), "small_ints_to_column"),
    ("s2", "SMALLINT", lambda rng, n: rng.integers(-1000, 1000, n, dtype=np.int16), "small_ints_to_column"),
    ("t1", "TINYINT", lambda rng, n: rng.integers(-100, 100, n, dtype=np.int8), "tiny_ints_to_column"),
    ("ok", "BOOL", lambda rng, n: rng.random(n) < 0.5, "bools_to_column"),
    (
        "label",
        "NCHAR(16)",
        lambda rng, n: np.array([f"名前 {i}" for i in range(500)], dtype=object)[np.arange(n) % 500],
        "nchar_to_column",
    ),
    (
        "amount",
        "DECIMAL(12,3)",
        lambda rng, n: pd.array(
            [decimal.Decimal(int(v)).scaleb(-3) for v in rng.integers(-(10**11), 10**11, n)],
            dtype=pd.ArrowDtype(pyarrow.decimal128(12, 3)),
        ),
        "decimal64_to_column",
    ),
]


def make_frame(rows: int, tables: int, shape: str) -> pd.DataFrame:
    """ts, 4 numeric columns, 1 VARCHAR (and for ``wide`` 14 more, NCHAR and DECIMAL among
    them), the child-table name and one tag."""
    per_table = rows // tables
    rng = np.random.default_rng(7)
    table_no = np.repeat(np.arange(tables), per_table)
    ts = BASE_MS + np.tile(np.arange(per_table, dtype=np.int64) * 1000, tables)
    n = len(table_no)
    cols = {
        "ts": pd.to_datetime(ts, unit="ms"),
        "current": rng.random(n) * 20,
        "voltage": rng.integers(200, 240, n, dtype=np.int32),
        "phase": rng.random(n).astype(np.float32),
        "seq": np.arange(n, dtype=np.int64),
        "note": np.array([f"n{i % 1000}" for i in range(n)], dtype=object),
    }
    if shape == "wide":
        cols.update({name: make(rng, n) for name, _, make, _ in WIDE_EXTRA})
    cols["tb"] = np.array([f"d{t}" for t in range(tables)], dtype=object)[table_no]
    cols["groupid"] = (table_no % 10).astype(np.int32)
    return pd.DataFrame(cols)


def stable_ddl(db: str, shape: str) -> str:
    extra = "".join(f", {name} {ty}" for name, ty, _, _ in WIDE_EXTRA) if shape == "wide" else ""
    return (
        f"CREATE STABLE {db}.meters (ts TIMESTAMP, current DOUBLE, voltage INT, phase FLOAT, "
        f"seq BIGINT, note VARCHAR(16){extra}) TAGS (groupid INT)"
    )


def prepare_db(dsn: str, db: str, shape: str) -> None:
    with taosarrow.connect(dsn) as conn:
        conn.execute(f"CREATE DATABASE {db} PRECISION 'ms'")
        conn.execute(stable_ddl(db, shape))


def count(dsn: str, db: str) -> int:
    with taosarrow.connect(dsn) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT COUNT(*) FROM {db}.meters")
        return int(cur.fetchone()[0])


def write_taosarrow(dsn: str, db: str, data: object) -> None:
    with taosarrow.connect(dsn) as conn:
        conn.write(data, stable=f"{db}.meters", subtable="tb", tags=["groupid"])


def taosws_columns(part: pd.DataFrame, shape: str) -> list:
    """The official column builders over one child table's rows (Python lists, as its API takes)."""
    cols = [
        taosws.millis_timestamps_to_column((part["ts"].astype("int64") // 1_000_000).tolist()),
        taosws.doubles_to_column(part["current"].tolist()),
        taosws.ints_to_column(part["voltage"].tolist()),
        taosws.floats_to_column(part["phase"].tolist()),
        taosws.big_ints_to_column(part["seq"].tolist()),
        taosws.varchar_to_column(part["note"].tolist()),
    ]
    if shape == "wide":
        cols += [getattr(taosws, builder)(part[name].tolist()) for name, _, _, builder in WIDE_EXTRA]
    return cols


def write_taosws(dsn: str, db: str, df: pd.DataFrame, shape: str, tables_per_bind: int = 100) -> None:
    conn = taosws.connect(dsn.replace("ws://", "taosws://") + "/" + db)
    stmt = conn.stmt2_statement()
    marks = ", ".join("?" * (len(df.columns) - 2))
    stmt.prepare(f"INSERT INTO ? USING meters TAGS (?) VALUES ({marks})")
    params = []
    for name, part in df.groupby("tb", sort=False):
        params.append(
            taosws.stmt2_bind_param_view(
                table_name=str(name),
                tags=[taosws.int_to_tag(int(part["groupid"].iloc[0]))],
                columns=taosws_columns(part, shape),
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
    name: str, fn: Callable[[str], None], dsn: str, db: str, rows: int, repeat: int, shape: str
) -> Tuple[str, float]:
    """Median seconds of ``repeat`` writes, each into a fresh database and checked."""
    times = []
    for i in range(repeat):
        run_db = f"{db}_{i}"
        prepare_db(dsn, run_db, shape)
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
    ap.add_argument("--shape", choices=("narrow", "wide"), default="narrow", help="narrow: 6 columns; wide: 20")
    args = ap.parse_args()
    df = make_frame(args.rows, args.tables, args.shape)
    rows = len(df)
    pl_df = pl.from_pandas(df)
    results: List[Tuple[str, float]] = []
    with LocalServer() as server:
        dsn = server.dsn()
        writers: List[Tuple[str, str, Callable[[str], None]]] = [
            ("taos-ws-py stmt2 (column lists)", "w0", lambda db: write_taosws(dsn, db, df, args.shape)),
            ("taosarrow write (pandas)", "w1", lambda db: write_taosarrow(dsn, db, df)),
            ("taosarrow write (polars)", "w2", lambda db: write_taosarrow(dsn, db, pl_df)),
        ]
        for name, db, fn in writers:
            results.append(run(name, fn, dsn, db, rows, args.repeat, args.shape))
    baseline = results[0][1]
    what = "ts, 4 numeric, 1 VARCHAR" if args.shape == "narrow" else "ts + 19 columns incl. NCHAR and DECIMAL"
    print(
        f"\n{rows:,} rows ({what}) over {args.tables:,} child tables, "
        f"median of {args.repeat} runs each\n"
    )
    print(f"{'writer':<36} {'seconds':>9} {'rows/s':>14} {'vs taos-ws-py':>14}")
    for name, secs in results:
        print(f"{name:<36} {secs:>9.3f} {rows / secs:>14,.0f} {baseline / secs:>13.1f}x")


if __name__ == "__main__":
    main()
