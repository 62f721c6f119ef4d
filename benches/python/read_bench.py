#!/usr/bin/env python3
"""Read benchmark: query results into Arrow, pandas and polars, taosarrow vs taos-ws-py.

Same embedded server, same data, one run. Each case is a table shape, a database precision
and a row count:

* ``narrow``: ts, 4 numeric columns (DOUBLE, INT, FLOAT, BIGINT), 1 VARCHAR and 1 tag over
  10 child tables;
* ``wide``: ts and 19 columns (DOUBLE ×4, FLOAT ×3, INT ×3, BIGINT ×2, SMALLINT ×2, TINYINT,
  BOOL, VARCHAR(32), NCHAR(16), DECIMAL(12,3)) and 1 tag over 10 child tables;
* ``tables``: the narrow shape over 1,000 child tables, read by one query of the super table.

Each reader runs in its own subprocess so its peak memory (VmHWM) is its own; the baseline
(the interpreter with pandas, polars and pyarrow imported, before connecting) is printed beside
it, so ``peak − baseline`` is what the read cost. Readers:

* taosarrow: ``read_arrow`` (a pyarrow Table), ``read_pandas``, ``read_polars`` (raw blocks →
  Arrow → DataFrame, no Python object per value on the Arrow path, GIL released while fetching
  and decoding);
* taos-ws-py 0.7.0: ``cursor.execute`` + ``fetchall`` → ``pandas.DataFrame`` /
  ``polars.DataFrame`` (the documented way to get a DataFrame from it).

The loopback figure is measured in the same run: two processes move the Arrow table's number
of bytes over a plain TCP socket on 127.0.0.1, and ``read_arrow``'s bytes/s is printed as a
share of it, beside the rate at which a new process gets as much fresh memory (the kernel
zeroing each page on first touch), which any reader materialising the result pays and the
socket loop, reusing one buffer, does not.

Use a release build of the native module (``make bench-python``)::

    python benches/python/read_bench.py                  # the default cases (see CASES)
    python benches/python/read_bench.py --rows 100000    # every default case at 100,000 rows
    python benches/python/read_bench.py --case narrow:ns:10000000 --no-taosws
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional

#: The default cases: shape:precision:rows.
CASES = [
    "narrow:ms:1000000",
    "narrow:us:1000000",
    "narrow:ns:1000000",
    "narrow:ms:10000000",
    "narrow:ns:10000000",
    "wide:ms:1000000",
    "wide:ns:1000000",
    "tables:ms:1000000",
]

TAOSARROW = ("taosarrow arrow", "taosarrow pandas", "taosarrow polars")
TAOSWS = ("taos-ws-py pandas", "taos-ws-py polars")

READER = r"""
import json, sys, time
dsn, kind, sql = sys.argv[1], sys.argv[2], sys.argv[3]
import pandas, polars, pyarrow  # imports are not timed

def hwm_mb():
    # This process's own peak RSS (VmHWM). ru_maxrss is not: Linux carries the parent's peak
    # over fork + exec into it, and the parent here holds the server's data.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")

baseline = hwm_mb()
nbytes = None
if kind.startswith("taosarrow"):
    import taosarrow
    start = time.perf_counter()
    with taosarrow.connect(dsn) as conn:
        if kind.endswith("arrow"):
            df = taosarrow.read_arrow(sql, conn)
            nbytes = df.nbytes
        elif kind.endswith("pandas"):
            df = taosarrow.read_pandas(sql, conn)
        else:
            df = taosarrow.read_polars(sql, conn)
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
peak = hwm_mb()
print(json.dumps({"rows": n, "seconds": elapsed, "peak_mb": peak, "baseline_mb": baseline, "nbytes": nbytes}))
"""

#: The receiving end of the loopback measurement: reads until the sender closes.
SINK = r"""
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
buf = bytearray(1 << 20)
view = memoryview(buf)
total = 0
while True:
    n = s.recv_into(view)
    if n == 0:
        break
    total += n
print(total, flush=True)
"""


#: First touch of fresh memory: a child maps ``nbytes`` of anonymous memory and writes one
#: byte per page, so the kernel must provide (and zero) every page — what any reader pays to
#: materialise a result of that size, and what a socket loop reusing one buffer does not.
FRESH = r"""
import mmap, sys, time
n = int(sys.argv[1])
m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
view = memoryview(m)
start = time.perf_counter()
for i in range(0, n, mmap.PAGESIZE):
    view[i] = 1
print(n / (time.perf_counter() - start))
"""


@dataclass
class Case:
    shape: str
    precision: str
    rows: int

    @property
    def tables(self) -> int:
        return 1000 if self.shape == "tables" else 10

    @property
    def db(self) -> str:
        return f"rb_{self.shape}_{self.precision}"

    @property
    def sql(self) -> str:
        if self.shape == "wide":
            return f"SELECT * FROM {self.db}.meters"
        return f"SELECT ts, current, voltage, phase, seq, note, location FROM {self.db}.meters"

    def describe(self) -> str:
        what = {
            "narrow": "ts, 4 numeric, 1 VARCHAR, 1 tag; 10 child tables",
            "wide": "ts + 19 columns incl. NCHAR and DECIMAL, 1 tag; 10 child tables",
            "tables": "ts, 4 numeric, 1 VARCHAR, 1 tag; 1,000 child tables",
        }[self.shape]
        return f"{self.rows:,} rows, {self.precision} database ({what})"


def parse_case(text: str) -> Case:
    shape, precision, rows = text.split(":")
    if shape not in ("narrow", "wide", "tables") or precision not in ("ms", "us", "ns"):
        raise argparse.ArgumentTypeError(f"bad case {text!r}: shape narrow|wide|tables, precision ms|us|ns")
    return Case(shape, precision, int(rows))


def frame(case: Case):  # -> polars.DataFrame
    import numpy as np
    import polars as pl

    tables = case.tables
    per = case.rows // tables
    n = per * tables
    rng = np.random.default_rng(3)
    scale = {"ms": 1, "us": 1_000, "ns": 1_000_000}[case.precision]
    # One row per millisecond, expressed in the database's unit.
    ts = (1_600_000_000_000 + np.tile(np.arange(per, dtype=np.int64), tables)) * scale
    cols = {
        "ts": pl.Series(ts).cast(pl.Datetime(case.precision)),
        "current": rng.random(n) * 20,
        "voltage": rng.integers(200, 240, n, dtype=np.int32),
        "phase": rng.random(n).astype(np.float32),
        "seq": np.arange(n, dtype=np.int64),
        "note": pl.Series([f"note {i}" for i in range(1000)])[np.arange(n) % 1000],
    }
    if case.shape == "wide":
        cols.update(
            {
                "d2": rng.random(n),
                "d3": rng.random(n),
                "d4": rng.random(n),
                "f2": rng.random(n).astype(np.float32),
                "f3": rng.random(n).astype(np.float32),
                "i2": rng.integers(-1000, 1000, n, dtype=np.int32),
                "i3": rng.integers(-1000, 1000, n, dtype=np.int32),
                "b2": rng.integers(-(10**12), 10**12, n, dtype=np.int64),
                "s1": rng.integers(-1000, 1000, n, dtype=np.int16),
                "s2": rng.integers(-1000, 1000, n, dtype=np.int16),
                "t1": rng.integers(-100, 100, n, dtype=np.int8),
                "ok": rng.random(n) < 0.5,
                "label": pl.Series([f"名前 {i}" for i in range(500)])[np.arange(n) % 500],
                "amount": pl.Series((rng.random(n) - 0.5) * 2e6).cast(pl.Decimal(12, 3)),
            }
        )
    cols["tb"] = np.repeat([f"d{t}" for t in range(tables)], per)
    cols["location"] = np.repeat([f"room {t}" for t in range(tables)], per)
    return pl.DataFrame(cols)


def load(dsn: str, case: Case) -> None:
    import taosarrow

    df = frame(case)
    with taosarrow.connect(dsn) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {case.db}")
        conn.execute(f"CREATE DATABASE {case.db} PRECISION '{case.precision}'")
        if case.shape == "wide":
            conn.execute(
                f"CREATE STABLE {case.db}.meters (ts TIMESTAMP, current DOUBLE, voltage INT, phase FLOAT, "
                "seq BIGINT, note VARCHAR(16), d2 DOUBLE, d3 DOUBLE, d4 DOUBLE, f2 FLOAT, f3 FLOAT, "
                "i2 INT, i3 INT, b2 BIGINT, s1 SMALLINT, s2 SMALLINT, t1 TINYINT, ok BOOL, "
                "label NCHAR(16), amount DECIMAL(12,3)) TAGS (location VARCHAR(16))"
            )
            mode = "append"
        else:
            mode = "create"
        conn.write(df, stable=f"{case.db}.meters", subtable="tb", tags=["location"], mode=mode)
        got = conn.query(f"SELECT COUNT(*) FROM {case.db}.meters").fetch_all()[0][0]
        assert got == case.rows // case.tables * case.tables, (case, got)


def drop(dsn: str, case: Case) -> None:
    import taosarrow

    with taosarrow.connect(dsn) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {case.db}")


def run(dsn: str, kind: str, sql: str) -> Dict[str, float]:
    out = subprocess.run([sys.executable, "-c", READER, dsn, kind, sql], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def loopback(nbytes: int) -> float:
    """Bytes/s of a plain TCP socket between this process and a child moving ``nbytes``
    (best of three)."""
    best = 0.0
    chunk = bytes(1 << 20)
    for _ in range(3):
        with socket.create_server(("127.0.0.1", 0)) as srv:
            port = srv.getsockname()[1]
            child = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE, text=True)
            conn, _ = srv.accept()
            start = time.perf_counter()
            left = nbytes
            with conn:
                while left > 0:
                    n = min(left, len(chunk))
                    conn.sendall(chunk[:n] if n < len(chunk) else chunk)
                    left -= n
            # The child prints the count as soon as it has read everything: its exit is not timed.
            got = child.stdout.readline() if child.stdout else ""
            elapsed = time.perf_counter() - start
            child.wait()
            assert int(got.strip()) == nbytes
            best = max(best, nbytes / elapsed)
    return best


def fresh_memory(nbytes: int) -> float:
    """Bytes/s at which a new process gets ``nbytes`` of fresh memory (best of three)."""
    runs = [
        float(subprocess.run([sys.executable, "-c", FRESH, str(nbytes)], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return max(runs)


def report(
    case: Case, results: Dict[str, Dict[str, float]], wire: Optional[float], fresh: Optional[float]
) -> None:
    rows = case.rows // case.tables * case.tables
    print(f"\n{case.describe()}")
    print(f"{'reader':<20} {'seconds':>9} {'rows/s':>14} {'peak MB':>9} {'base MB':>8} {'speed-up':>9}")
    for target in ("arrow", "pandas", "polars"):
        base = results.get(f"taos-ws-py {target}", {}).get("seconds")
        for who in ("taos-ws-py", "taosarrow"):
            r = results.get(f"{who} {target}")
            if r is None:
                continue
            ratio = f"{base / r['seconds']:>8.1f}x" if base else f"{'':>9}"
            print(
                f"{who + ' ' + target:<20} {r['seconds']:>9.3f} {rows / r['seconds']:>14,.0f} "
                f"{r['peak_mb']:>9.0f} {r['baseline_mb']:>8.0f} {ratio}"
            )
    arrow = results.get("taosarrow arrow")
    if arrow and arrow.get("nbytes"):
        nbytes = int(arrow["nbytes"])
        rate = nbytes / arrow["seconds"]
        mem = (arrow["peak_mb"] - arrow["baseline_mb"]) * 2**20 / nbytes
        line = f"Arrow table {nbytes / 1e6:,.0f} MB at {rate / 1e9:.2f} GB/s; read peak RSS above baseline {mem:.2f}x the table"
        if wire:
            line += f"; loopback socket {wire / 1e9:.2f} GB/s, read_arrow at {100 * rate / wire:.0f}% of it"
        if fresh:
            line += f"; first touch of as much fresh memory {fresh / 1e9:.2f} GB/s"
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", type=parse_case, action="append", help="shape:precision:rows (repeatable)")
    ap.add_argument("--rows", type=int, help="run every default case at this many rows")
    ap.add_argument("--no-taosws", action="store_true", help="taosarrow readers only (no ratios)")
    ap.add_argument("--block-rows", type=int, default=None, help="server block size in rows (default: the server's)")
    args = ap.parse_args()
    cases: List[Case] = args.case or [parse_case(c) for c in CASES]
    if args.rows:
        cases = list({(c.shape, c.precision): Case(c.shape, c.precision, args.rows) for c in cases}.values())
    from taosarrow.testing import LocalServer

    kinds = TAOSARROW + (() if args.no_taosws else TAOSWS)
    server_args = {} if args.block_rows is None else {"block_rows": args.block_rows}
    with LocalServer(**server_args) as server:
        dsn = server.dsn()
        for case in cases:
            t = time.perf_counter()
            load(dsn, case)
            print(f"\n[{case.describe()}: loaded in {time.perf_counter() - t:.1f} s]", flush=True)
            results = {k: run(dsn, k, case.sql) for k in kinds}
            for k, r in results.items():
                assert int(r["rows"]) == case.rows // case.tables * case.tables, (k, r)
            nbytes = results["taosarrow arrow"].get("nbytes")
            wire = loopback(int(nbytes)) if nbytes else None
            fresh = fresh_memory(int(nbytes)) if nbytes else None
            report(case, results, wire, fresh)
            drop(dsn, case)


if __name__ == "__main__":
    main()
