#!/usr/bin/env python3
"""Read benchmark: a query result into pandas and polars, taosarrow vs taos-ws-py.

Same embedded server, same data, one run. The table has ts, 4 numeric columns, 1 VARCHAR
and 1 tag over 10 child tables. Each reader runs in its own subprocess so its peak memory
(max RSS) is its own; the figure includes the interpreter and libraries (~100-200 MB).

* taosarrow: ``taosarrow.read_pandas`` / ``read_polars`` (raw blocks → Arrow → DataFrame,
  no Python object per value, GIL released while fetching and decoding);
* taos-ws-py 0.7.0: ``cursor.execute`` + ``fetchall`` → ``pandas.DataFrame`` /
  ``polars.DataFrame`` (the documented way to get a DataFrame from it).

Use a release build of the native module (``make bench-python``)::

    python benches/python/read_bench.py                 # 1,000,000 and 10,000,000 rows
    python benches/python/read_bench.py --rows 100000   # quick
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Dict, List

SQL = "SELECT ts, current, voltage, phase, seq, note, location FROM rb.meters"
TABLES = 10

READER = r"""
import json, resource, sys, time
dsn, kind, sql = sys.argv[1], sys.argv[2], sys.argv[3]
import pandas, polars, pyarrow  # imports are not timed
if kind.startswith("taosarrow"):
    import taosarrow
    start = time.perf_counter()
    with taosarrow.connect(dsn) as conn:
        df = taosarrow.read_pandas(sql, conn) if kind.endswith("pandas") else taosarrow.read_polars(sql, conn)
else:
    import taosws
    start = time.perf_counter()
    conn = taosws.connect(dsn.replace("ws://", "taosws://"))
    cur = conn.cursor()
    cur.execute(sql)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if kind.endswith("pandas"):
        import pandas as pd
        df = pd.DataFrame(rows, columns=names)
    else:
        import polars as pl
        df = pl.DataFrame(rows, schema=names, orient="row")
    conn.close()
elapsed = time.perf_counter() - start
n = len(df)
print(json.dumps({"rows": n, "seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def load(dsn: str, rows: int) -> None:
    import numpy as np
    import polars as pl

    import taosarrow

    per = rows // TABLES
    rng = np.random.default_rng(3)
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
        conn.execute("DROP DATABASE IF EXISTS rb")
        conn.execute("CREATE DATABASE rb PRECISION 'ms'")
        conn.write(df, stable="rb.meters", subtable="tb", tags=["location"], mode="create")


def run(dsn: str, kind: str) -> Dict[str, float]:
    out = subprocess.run([sys.executable, "-c", READER, dsn, kind, SQL], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, action="append", help="rows (repeatable); default 1M and 10M")
    args = ap.parse_args()
    sizes: List[int] = args.rows or [1_000_000, 10_000_000]
    from taosarrow.testing import LocalServer

    with LocalServer() as server:
        dsn = server.dsn()
        for rows in sizes:
            t = time.perf_counter()
            load(dsn, rows)
            print(f"\n{rows:,} rows (ts, 4 numeric, 1 VARCHAR, 1 tag) loaded in {time.perf_counter() - t:.1f} s")
            results = {k: run(dsn, k) for k in ("taos-ws-py pandas", "taosarrow pandas", "taos-ws-py polars", "taosarrow polars")}
            for k, r in results.items():
                assert int(r["rows"]) == rows, (k, r)
            print(f"{'reader':<20} {'seconds':>9} {'rows/s':>14} {'peak MB':>9} {'speed-up':>9}")
            for target in ("pandas", "polars"):
                base = results[f"taos-ws-py {target}"]["seconds"]
                for who in ("taos-ws-py", "taosarrow"):
                    r = results[f"{who} {target}"]
                    print(f"{who + ' ' + target:<20} {r['seconds']:>9.3f} {rows / r['seconds']:>14,.0f} {r['peak_mb']:>9.0f} {base / r['seconds']:>8.1f}x")


if __name__ == "__main__":
    main()
