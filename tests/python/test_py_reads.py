"""The native connection against the embedded server: rows, Arrow, pandas and polars agree
with each other and with the official client."""

from __future__ import annotations

import decimal
import struct

import polars as pl
import pyarrow as pa
import pytest
import taosws

import taosarrow
from taosarrow.testing import LocalServer


@pytest.fixture(scope="module")
def server():
    with LocalServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def conn(server):
    c = taosarrow.connect(server.dsn())
    c.execute("CREATE DATABASE r PRECISION 'ns'")
    c.execute("USE r")
    c.execute(
        "CREATE STABLE m (ts TIMESTAMP, v DOUBLE, n BIGINT, s VARCHAR(16), d DECIMAL(20,4)) "
        "TAGS (loc NCHAR(8))"
    )
    c.execute(
        "INSERT INTO d1 USING m TAGS ('北京') VALUES "
        "(1700000000000000001, 1.5, 7, 'a', 123.4567) "
        "(1700000000000000002, NULL, NULL, NULL, NULL) "
        "(1700000000000000003, -2.25, -9223372036854775807, 'é中', -99999.0001)"
    )
    yield c
    c.close()


EXPECTED = [
    (1700000000000000001, 1.5, 7, "a", decimal.Decimal("123.4567"), "北京"),
    (1700000000000000002, None, None, None, None, "北京"),
    (1700000000000000003, -2.25, -9223372036854775807, "é中", decimal.Decimal("-99999.0001"), "北京"),
]


def test_rows_match_the_official_client(server, conn):
    cur = conn.cursor()
    cur.execute("SELECT * FROM m")
    rows = cur.fetchall()
    assert rows == EXPECTED
    assert [d[0] for d in cur.description] == ["ts", "v", "n", "s", "d", "loc"]
    official = taosws.connect(f"{server.url}/r".replace("ws://", "ws://root:taosdata@"))
    ocur = official.cursor()
    ocur.execute("SELECT * FROM m")
    assert [tuple(r) for r in ocur.fetchall()] == rows
    official.close()


def test_arrow_keeps_ns_and_types(conn):
    table = taosarrow.read_arrow("SELECT * FROM m", conn)
    assert table.schema.field("ts").type == pa.timestamp("ns")
    assert table.schema.field("d").type == pa.decimal128(20, 4)
    assert table.column("ts").cast(pa.int64()).to_pylist() == [r[0] for r in EXPECTED]
    assert table.column("s").to_pylist() == [r[3] for r in EXPECTED]


def test_pandas_and_polars_agree(conn):
    pdf = taosarrow.read_pandas("SELECT ts, v, n FROM m", conn)
    assert str(pdf["ts"].dtype) == "datetime64[ns]"
    assert pdf["ts"].astype("int64").tolist() == [r[0] for r in EXPECTED]
    plf = taosarrow.read_polars("SELECT ts, v, n FROM m", conn)
    assert str(plf.schema["ts"]) == "Datetime(time_unit='ns', time_zone=None)"
    assert plf["n"].to_list() == [r[2] for r in EXPECTED]
    assert plf["v"].to_list() == [r[1] for r in EXPECTED]


def test_pandas_categories_on_request(conn):
    import pandas as pd

    plain = taosarrow.read_pandas("SELECT s, loc FROM m", conn)
    assert not isinstance(plain["s"].dtype, pd.CategoricalDtype)
    assert not isinstance(plain["loc"].dtype, pd.CategoricalDtype)
    every = taosarrow.read_pandas("SELECT s, loc FROM m", conn, categories=True)
    assert isinstance(every["s"].dtype, pd.CategoricalDtype)
    assert isinstance(every["loc"].dtype, pd.CategoricalDtype)
    assert every["loc"].cat.categories.tolist() == ["北京"]
    assert every["s"].astype(object).where(every["s"].notna(), None).tolist() == [r[3] for r in EXPECTED]
    some = taosarrow.read_pandas("SELECT s, loc FROM m", conn, categories=["loc"])
    assert not isinstance(some["s"].dtype, pd.CategoricalDtype)
    assert isinstance(some["loc"].dtype, pd.CategoricalDtype)
    with pytest.raises(ValueError, match="nope"):
        taosarrow.read_pandas("SELECT s FROM m", conn, categories=["nope"])
    with pytest.raises(TypeError):
        taosarrow.read_pandas("SELECT s FROM m", conn, categories="loc")
    cur = conn.cursor()
    cur.execute("SELECT loc FROM m")
    assert isinstance(cur.fetch_df(categories=True)["loc"].dtype, pd.CategoricalDtype)


def test_errors_carry_the_tdengine_code(conn):
    with pytest.raises(taosarrow.ProgrammingError) as info:
        conn.execute("SELECT * FROM no_such_table")
    assert info.value.errno == 0x2662 - 2**31


F32_VALUES = [0.1, 0.1, 0.2, 0.3, 0.3, 1.0 / 3, -0.1, 16777216.0, 16777218.0, 0.0, 0.5]


@pytest.fixture(scope="module")
def f32_table(conn):
    """Table ``f32``: a FLOAT column ``f`` holding ``F32_VALUES``, and a DOUBLE column ``g``
    holding them too, every other one widened from FLOAT (0.1 and 0.10000000149011612)."""
    conn.execute("CREATE TABLE f32 (ts TIMESTAMP, f FLOAT, g DOUBLE)")
    wide = [v if i % 2 else struct.unpack("<f", struct.pack("<f", v))[0] for i, v in enumerate(F32_VALUES)]
    values = " ".join(f"({1700000000000000000 + i}, {v!r}, {w!r})" for i, (v, w) in enumerate(zip(F32_VALUES, wide)))
    conn.execute(f"INSERT INTO f32 VALUES {values}")
    return "f32"


@pytest.mark.parametrize(
    "make_filter",
    [
        lambda c: c == 0.1,
        lambda c: c > 0.1,
        lambda c: c <= 0.1,
        lambda c: c >= 0.1,
        lambda c: c < 0.3,
        lambda c: c != 0.1,
        lambda c: 0.1 == c,
        lambda c: c.is_between(0.1, 0.3),
        lambda c: c.is_between(-0.1, 1.0 / 3, closed="none"),
        lambda c: c == 16777217,
        lambda c: c >= 1e40,
        lambda c: c == pl.lit(0.1, dtype=pl.Float64),
        lambda c: c == pl.lit(0.1, dtype=pl.Float32),
        lambda c: c == pl.lit(16777217, dtype=pl.Int64),
        lambda c: c.is_in([0.1, 0.3]),
        lambda c: c.is_in([0.5, 16777216.0]),
        lambda c: pl.col("g") == pl.lit(0.1, dtype=pl.Float32),
        lambda c: pl.col("g") <= pl.lit(0.3, dtype=pl.Float32),
        lambda c: pl.col("g") == pl.lit(0.5, dtype=pl.Float32),
        lambda c: c == pl.lit(0.5, dtype=pl.Float32),
    ],
)
def test_polars_pushdown_on_a_float_column_keeps_what_polars_keeps(conn, f32_table, make_filter):
    expr = make_filter(pl.col("f"))
    full = taosarrow.read_polars(f"SELECT * FROM {f32_table}", conn)
    assert full.schema["f"] == pl.Float32
    want = full.filter(expr).sort("ts")
    sent: list = []
    got = taosarrow.scan_polars(f32_table, conn, on_sql=sent.append).filter(expr).collect().sort("ts")
    assert got.equals(want), (sent, got, want)
