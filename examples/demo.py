"""taosarrow demo: an embedded TDengine-compatible server, a DataFrame in, pandas and polars out.

Run with `make demo`. Writes go through multi-row INSERT statements generated from the
DataFrame (the columnar stmt2 ingest path is the next step); reads go straight from raw
blocks into Arrow.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import polars as pl

import taosarrow
from taosarrow.testing import LocalServer

ROWS = 300_000
TABLES = 10
CHUNK = 5_000


def make_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(42)
    start = np.int64(1_700_000_000_000)
    return pd.DataFrame(
        {
            "ts": start + np.arange(rows, dtype=np.int64),
            "current": rng.normal(10.0, 2.0, rows).round(3),
            "voltage": rng.integers(200, 240, rows, dtype=np.int32),
            "phase": rng.random(rows).round(4),
            "device": [f"d{i % TABLES}" for i in range(rows)],
        }
    )


def ingest(conn: taosarrow.Connection, df: pd.DataFrame) -> int:
    written = 0
    for device, part in df.groupby("device", sort=False):
        for lo in range(0, len(part), CHUNK):
            chunk = part.iloc[lo : lo + CHUNK]
            values = " ".join(
                f"({ts}, {c}, {v}, {p})"
                for ts, c, v, p in zip(chunk["ts"], chunk["current"], chunk["voltage"], chunk["phase"])
            )
            written += conn.execute(
                f"INSERT INTO {device} USING meters TAGS ('{device}') VALUES {values}"
            )
    return written


def main() -> None:
    df = make_frame(ROWS)
    with LocalServer() as server, taosarrow.connect(server.dsn()) as conn:
        print(f"embedded server at {server.url}")
        conn.execute("CREATE DATABASE demo PRECISION 'ms'")
        conn.execute("USE demo")
        conn.execute(
            "CREATE STABLE meters (ts TIMESTAMP, current DOUBLE, voltage INT, phase DOUBLE) "
            "TAGS (location VARCHAR(16))"
        )

        t = time.perf_counter()
        written = ingest(conn, df)
        dt = time.perf_counter() - t
        print(f"ingest  (INSERT)  {written:>9,} rows in {dt:6.3f} s  {written / dt / 1e6:6.2f} M rows/s")

        t = time.perf_counter()
        pdf = taosarrow.read_pandas("SELECT * FROM meters", conn)
        dt = time.perf_counter() - t
        print(f"read    -> pandas {len(pdf):>9,} rows in {dt:6.3f} s  {len(pdf) / dt / 1e6:6.2f} M rows/s")

        t = time.perf_counter()
        plf = taosarrow.read_polars("SELECT * FROM meters", conn)
        dt = time.perf_counter() - t
        print(f"read    -> polars {plf.height:>9,} rows in {dt:6.3f} s  {plf.height / dt / 1e6:6.2f} M rows/s")

        t = time.perf_counter()
        lazy = (
            taosarrow.scan_polars("meters", conn)
            .filter(pl.col("voltage") >= 230)
            .select("ts", "current", "voltage")
        )
        hot = lazy.collect()
        dt = time.perf_counter() - t
        print(f"lazy scan, voltage >= 230 pushed down: {hot.height:,} rows in {dt:.3f} s")

        assert len(pdf) == ROWS and plf.height == ROWS
        assert hot.height == int((df["voltage"] >= 230).sum())
        print(pdf.head())


if __name__ == "__main__":
    main()
