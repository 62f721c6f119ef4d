"""taosarrow demo: an embedded TDengine-compatible server, a DataFrame in, pandas and polars out.

Run with `make demo`. A polars DataFrame is written through stmt2 column binds (Arrow
buffers straight into the bind payload, one child table per device); reads go straight
from raw blocks into Arrow.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd  # noqa: F401 - imported up front so the read timings exclude it
import polars as pl
import pyarrow  # noqa: F401

import taosarrow
from taosarrow.testing import LocalServer

ROWS = 1_000_000
TABLES = 100


def make_frame(rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(42)
    start = np.int64(1_700_000_000_000)
    device = np.arange(rows) % TABLES
    return pl.DataFrame(
        {
            # One reading per device per millisecond.
            "ts": pl.Series(start + np.arange(rows, dtype=np.int64) // TABLES).cast(pl.Datetime("ms")),
            "current": rng.normal(10.0, 2.0, rows).round(3),
            "voltage": rng.integers(200, 240, rows, dtype=np.int32),
            "phase": rng.random(rows).round(4),
            "device": [f"d{i}" for i in device],
            "location": [f"room{i % 7}" for i in device],
        }
    )


def main() -> None:
    df = make_frame(ROWS)
    with LocalServer() as server, taosarrow.connect(server.dsn()) as conn:
        print(f"embedded server at {server.url}")
        conn.execute("CREATE DATABASE demo PRECISION 'ms'")
        conn.execute("USE demo")

        t = time.perf_counter()
        written = conn.write(df, stable="meters", subtable="device", tags=["location"], mode="create")
        dt = time.perf_counter() - t
        print(f"write   polars -> stmt2 {written:>9,} rows in {dt:6.3f} s  {written / dt / 1e6:6.2f} M rows/s")

        t = time.perf_counter()
        pdf = taosarrow.read_pandas("SELECT * FROM meters", conn)
        dt = time.perf_counter() - t
        print(f"read    -> pandas       {len(pdf):>9,} rows in {dt:6.3f} s  {len(pdf) / dt / 1e6:6.2f} M rows/s")

        t = time.perf_counter()
        plf = taosarrow.read_polars("SELECT * FROM meters", conn)
        dt = time.perf_counter() - t
        print(f"read    -> polars       {plf.height:>9,} rows in {dt:6.3f} s  {plf.height / dt / 1e6:6.2f} M rows/s")

        t = time.perf_counter()
        lazy = (
            taosarrow.scan_polars("meters", conn)
            .filter(pl.col("voltage") >= 230)
            .select("ts", "current", "voltage")
        )
        hot = lazy.collect()
        dt = time.perf_counter() - t
        print(f"lazy scan, voltage >= 230 pushed down: {hot.height:,} rows in {dt:.3f} s")

        assert written == ROWS and len(pdf) == ROWS and plf.height == ROWS
        assert hot.height == int((df["voltage"] >= 230).sum())
        print(pdf.head())


if __name__ == "__main__":
    main()
