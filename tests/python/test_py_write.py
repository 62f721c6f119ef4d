"""DataFrame / Arrow writes (``Connection.write``, ``Cursor.adbc_ingest``) and the stmt2 API
(``Connection.statement2``), read back by taosarrow and by the official client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import taosws

import taosarrow

BASE_MS = 1_700_000_000_000


def frame(tables: int, per_table: int) -> pd.DataFrame:
    rows = tables * per_table
    return pd.DataFrame(
        {
            "ts": pd.to_datetime([BASE_MS + (i % per_table) * 1000 for i in range(rows)], unit="ms"),
            "current": [i * 0.5 for i in range(rows)],
            "voltage": pd.array([None if i % 7 == 3 else 200 + i % 30 for i in range(rows)], dtype="Int32"),
            "note": [None if i % 5 == 0 else f"n{i} é中" for i in range(rows)],
            "tb": [f"d{i // per_table}" for i in range(rows)],
            "groupid": [(i // per_table) % 4 for i in range(rows)],
        }
    )


@pytest.fixture
def conn(server):
    c = taosarrow.connect(server.dsn())
    c.execute("CREATE DATABASE w PRECISION 'ms'")
    yield c
    c.close()


def test_pandas_into_a_super_table_matches_taosws(conn, server):
    df = frame(50, 20)
    n = conn.write(df, stable="w.meters", subtable="tb", tags=["groupid"], mode="create")
    assert n == 1000
    ours = taosarrow.read_pandas("SELECT tbname, ts, current, voltage, note, groupid FROM w.meters ORDER BY tbname, ts", conn)
    assert len(ours) == 1000
    # The official client reads the same rows.
    ws = taosws.connect(server.dsn().replace("ws://", "taosws://"))
    theirs = list(ws.query("SELECT tbname, ts, current, voltage, note, groupid FROM w.meters ORDER BY tbname, ts"))
    ws.close()
    assert len(theirs) == 1000
    expected = df.sort_values(["tb", "ts"]).reset_index(drop=True)
    # Timestamps exactly, through our pandas read (datetime64[ms]).
    assert (ours["ts"].dt.tz_localize(None).astype("datetime64[ms]") == expected["ts"]).all()
    for got, (_, row) in zip(theirs, expected.iterrows()):
        assert got[0] == row["tb"]
        assert got[2] == row["current"]
        assert got[3] == (None if pd.isna(row["voltage"]) else int(row["voltage"]))
        assert got[4] == (None if pd.isna(row["note"]) else row["note"])
        assert got[5] == row["groupid"]


def test_polars_and_pyarrow_inputs(conn):
    df = pl.DataFrame(
        {
            "ts": pl.Series([BASE_MS + i for i in range(100)]).cast(pl.Datetime("ms")),
            "v": pl.Series(list(range(100)), dtype=pl.Int64),
            "s": [f"x{i}" for i in range(100)],
        }
    )
    assert conn.write(df, "w.p", mode="create") == 100
    table = pa.table({"ts": pa.array([BASE_MS + 1000 + i for i in range(10)], pa.timestamp("ms")), "v": pa.array(range(10), pa.int64()), "s": pa.array(["y"] * 10)})
    assert conn.write(table, "w.p") == 10
    assert conn.write(table.to_reader(), "w.p") == 10  # same rows again: overwrite
    out = taosarrow.read_polars("SELECT COUNT(*) AS n, SUM(v) AS s FROM w.p", conn)
    assert out["n"][0] == 110
    assert out["s"][0] == sum(range(100)) + sum(range(10))


def test_adbc_ingest_modes(conn):
    t = pa.table({"ts": pa.array([BASE_MS, BASE_MS + 1], pa.timestamp("ms")), "v": pa.array([1.5, None])})
    cur = conn.cursor()
    assert cur.adbc_ingest("a", t, mode="create", db_schema_name="w") == 2
    assert cur.rowcount == 2
    with pytest.raises(taosarrow.Error):
        cur.adbc_ingest("a", t, mode="create", db_schema_name="w")
    assert cur.adbc_ingest("a", t.slice(0, 1), mode="replace", db_schema_name="w") == 1
    cur.execute("SELECT COUNT(*) FROM w.a")
    assert cur.fetchone()[0] == 1
    with pytest.raises(taosarrow.ProgrammingError):
        cur.adbc_ingest("a", t, mode="upsert", db_schema_name="w")


def test_ns_database_keeps_nanoseconds(conn):
    conn.execute("CREATE DATABASE wn PRECISION 'ns'")
    ts = pa.array([1_700_000_000_000_000_001, 1_700_000_000_000_000_002], pa.timestamp("ns"))
    conn.write(pa.table({"ts": ts, "v": pa.array([1, 2], pa.int32())}), "wn.t", mode="create")
    got = taosarrow.read_arrow("SELECT ts FROM wn.t ORDER BY ts", conn)
    assert got.column("ts").cast(pa.int64()).to_pylist() == [1_700_000_000_000_000_001, 1_700_000_000_000_000_002]


def test_precision_loss_and_type_errors_are_statement_errors(conn):
    conn.execute("CREATE TABLE w.t (ts TIMESTAMP, v TINYINT)")
    ns = pa.table({"ts": pa.array([1_700_000_000_000_000_001], pa.timestamp("ns")), "v": pa.array([1], pa.int8())})
    with pytest.raises(taosarrow.StatementError) as e:
        conn.write(ns, "w.t")
    assert e.value.rows_written == 0
    assert e.value.not_written == [(0, 1)]
    assert "`ts`" in str(e.value)
    assert conn.write(ns, "w.t", allow_truncation=True) == 1
    big = pa.table({"ts": pa.array([BASE_MS], pa.timestamp("ms")), "v": pa.array([300], pa.int32())})
    with pytest.raises(taosarrow.StatementError, match="300"):
        conn.write(big, "w.t")


def test_progress_callback_sees_every_row(conn):
    seen = []
    conn.write(frame(10, 500), stable="w.m2", subtable="tb", tags=["groupid"], mode="create", chunk_bytes=8192, progress=seen.append)
    assert seen and seen[-1] == 5000
    assert seen == sorted(seen)


def test_bad_targets_are_programming_errors(conn):
    df = frame(1, 2)
    with pytest.raises(taosarrow.ProgrammingError):
        conn.write(df)
    with pytest.raises(taosarrow.ProgrammingError):
        conn.write(df, "w.x", stable="w.y")
    with pytest.raises(taosarrow.ProgrammingError):
        conn.write(df, stable="w.y", tags=["groupid"])
    with pytest.raises(TypeError):
        conn.write(object(), "w.x")


def test_statement2_insert_and_query(conn):
    conn.execute("CREATE STABLE w.s (ts TIMESTAMP, v INT, d DECIMAL(10, 2), s VARCHAR(20)) TAGS (g INT, loc NCHAR(10))")
    stmt = conn.statement2("INSERT INTO ? USING w.s TAGS (?, ?) VALUES (?, ?, ?, ?)")
    assert stmt.is_insert
    assert [f.bind_type for f in stmt.fields] == [4, 2, 2, 1, 1, 1, 1]
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    stmt.bind_param(
        ["s1", "s2"],
        [[1, "北京"], [2, None]],
        [
            [[t0, t0 + dt.timedelta(seconds=1)], [1, None], [Decimal("12.34"), Decimal("-0.01")], ["a", None]],
            [[int(t0.timestamp() * 1000)], [3], [None], ["c"]],
        ],
    )
    assert stmt.execute() == 3
    stmt.prepare("SELECT tbname, v, d FROM w.s WHERE v >= ? ORDER BY ts, tbname")
    assert not stmt.is_insert
    stmt.bind_param(None, None, [[[1]]])
    stmt.execute()
    rows = list(stmt.result())
    assert [(r[0], r[1], r[2]) for r in rows] == [("s1", 1, Decimal("12.34")), ("s2", 3, None)]
    stmt.close()
    with pytest.raises(taosarrow.InterfaceError):
        stmt.execute()


def test_statement2_bind_rows_groups_by_table(conn):
    conn.execute("CREATE STABLE w.r (ts TIMESTAMP, v INT) TAGS (g INT)")
    with conn.statement2("INSERT INTO ? USING w.r TAGS (?) VALUES (?, ?)") as stmt:
        stmt.bind_rows([("r1", 1, BASE_MS, 10), ("r2", 2, BASE_MS, 20), ("r1", 1, BASE_MS + 1, 11)])
        assert stmt.execute() == 3
    cur = conn.cursor()
    cur.execute("SELECT SUM(v) FROM w.r1")
    assert cur.fetchone()[0] == 21


def test_readme_python_example_runs():
    """The README's Python example is code users copy: it must run as written."""
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"## Python in one screen\n\n```python\n(.*?)```", readme, re.S)
    assert block is not None
    exec(compile(block.group(1), "README.md", "exec"), {})
