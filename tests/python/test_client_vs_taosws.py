"""Our client against the official one: for every TDengine type in each precision, the rows
(PEP 249), Arrow, pandas and polars results of ``taosarrow`` agree value for value with what
taos-ws-py 0.7.0 reads from the same tables, and with the values inserted; dtypes asserted.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Dict, Iterator, List, Optional

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import taosws

import fidelity_data as fd
import taosarrow
from conftest import RunningServer, start_server

TZ = "Asia/Shanghai"
SELECT_ALL = "SELECT * FROM fid_{p}.st ORDER BY ts"


@pytest.fixture(scope="module")
def srv() -> Iterator[RunningServer]:
    s = start_server()
    oracle = taosws.connect(s.dsn())
    for precision in fd.PRECISIONS:
        fd.load_every_type(oracle, precision)
    oracle.close()
    yield s
    s.stop()


def dsn(srv: RunningServer, tz: Optional[str]) -> str:
    return srv.dsn() + (f"?timezone={tz}" if tz else "")


@pytest.fixture(scope="module")
def ours(srv: RunningServer) -> Iterator[Dict[Optional[str], "taosarrow.Connection"]]:
    conns = {tz: taosarrow.connect(dsn(srv, tz)) for tz in (None, TZ)}
    yield conns
    for c in conns.values():
        c.close()


@pytest.fixture(scope="module")
def theirs(srv: RunningServer) -> Iterator[Dict[Optional[str], Any]]:
    conns = {tz: taosws.connect(dsn(srv, tz)) for tz in (None, TZ)}
    yield conns
    for c in conns.values():
        c.close()


def assert_rows_agree(mine: List[tuple], official: List[tuple]) -> None:
    assert len(mine) == len(official)
    for r, (a, b) in enumerate(zip(mine, official)):
        assert len(a) == len(b)
        for c, (x, y) in enumerate(zip(a, b)):
            where = (r, fd.ALL_NAMES[c] if len(a) == len(fd.ALL_NAMES) else c, x, y)
            assert type(x) is type(y), where
            assert x == y, where
            if isinstance(x, dt.datetime):
                assert x.utcoffset() == y.utcoffset(), where
            if isinstance(x, Decimal):
                assert str(x) == str(y), where


@pytest.mark.parametrize("tz", [None, TZ])
@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_rows_agree_with_the_official_client(ours, theirs, precision, tz):
    cur = ours[tz].cursor()
    cur.execute(SELECT_ALL.format(p=precision))
    mine = cur.fetchall()
    ocur = theirs[tz].cursor()
    ocur.execute(SELECT_ALL.format(p=precision))
    official = ocur.fetchall()
    assert_rows_agree(mine, official)
    want = fd.expected_rows(precision)
    for row, exp in zip(mine, want):
        fd.assert_same_values(fd.normalize(row, precision), exp)
    if tz:
        assert all(str(r[0].tzinfo) == tz for r in mine if isinstance(r[0], dt.datetime))
    # PEP 249 description: 7-tuples whose name, type code and internal size match taos-ws-py's.
    assert [(d[0], d[1], d[3]) for d in cur.description] == [tuple(d[:3]) for d in ocur.description]
    assert all(len(d) == 7 for d in cur.description)


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_query_iteration_agrees(ours, theirs, precision):
    result = ours[None].query(SELECT_ALL.format(p=precision))
    official = theirs[None].query(SELECT_ALL.format(p=precision))
    assert result.field_count == official.field_count
    assert [(f.name, f.type_code, f.bytes()) for f in result.fields] == [
        (f.name(), fd.WS_TYPES[f.name()][1], f.bytes()) for f in official.fields
    ]
    # Type names as TDengine prints them; taos-ws-py says BINARY for VARCHAR.
    assert [f.type() for f in result.fields] == [
        "VARCHAR" if f.type() == "BINARY" else f.type() for f in official.fields
    ]
    mine = [fd.normalize(r, precision) for r in result]
    # taos-ws-py's query iteration renders timestamps as text; both become ticks.
    assert mine == [fd.normalize(r, precision) for r in official]
    for row, exp in zip(mine, fd.expected_rows(precision)):
        fd.assert_same_values(row, exp)


def arrow_types(precision: str, tz: Optional[str]) -> Dict[str, pa.DataType]:
    ts = pa.timestamp(precision, tz=tz)
    return {
        "ts": ts,
        "c_bool": pa.bool_(),
        "c_i8": pa.int8(),
        "c_i16": pa.int16(),
        "c_i32": pa.int32(),
        "c_i64": pa.int64(),
        "c_u8": pa.uint8(),
        "c_u16": pa.uint16(),
        "c_u32": pa.uint32(),
        "c_u64": pa.uint64(),
        "c_f32": pa.float32(),
        "c_f64": pa.float64(),
        "c_vc": pa.string(),
        "c_bin": pa.string(),
        "c_nc": pa.string(),
        "c_vb": pa.binary(),
        "c_geo": pa.binary(),
        "c_d64": pa.decimal128(18, 1),
        "c_d128": pa.decimal128(38, 10),
        "c_d38": pa.decimal128(38, 0),
        "c_blob": pa.large_binary(),
        "t_i": pa.int32(),
        "t_u": pa.uint64(),
        "t_f": pa.float64(),
        "t_b": pa.bool_(),
        "t_s": pa.string(),
        "t_nc": pa.string(),
        "t_ts": ts,
    }


def plain(values: List[Any]) -> List[Any]:
    """pandas/numpy missing markers (NaN, NaT, NA) → None, numpy scalars → Python."""
    out = []
    for v in values:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif hasattr(v, "item") and not isinstance(v, (bytes, Decimal)):
            out.append(v.item())
        else:
            out.append(v)
    return out


def ts_ticks(values: List[Any], precision: str) -> List[Optional[int]]:
    """pandas Timestamps → ticks (exact: ``.value`` is ns)."""
    per = 1_000_000_000 // fd.TICKS_PER_SECOND[precision]
    return [None if v is pd.NaT or v is None else v.value // per for v in values]


@pytest.mark.parametrize("tz", [None, TZ])
@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_arrow_types_and_values(ours, precision, tz):
    cur = ours[tz].cursor()
    cur.execute(SELECT_ALL.format(p=precision))
    table = cur.fetch_arrow_table()
    types = arrow_types(precision, tz)
    assert table.schema.names == fd.ALL_NAMES
    assert {f.name: f.type for f in table.schema} == types
    assert table.schema.field("c_geo").metadata[b"ARROW:extension:name"] == b"geoarrow.wkb"
    want = fd.expected_by_name(precision)
    for name in fd.ALL_NAMES:
        col = table.column(name)
        if pa.types.is_timestamp(col.type):
            got = col.cast(pa.int64()).to_pylist()
        else:
            got = col.to_pylist()
        fd.assert_same_values(got, want[name], [name] * len(got))
    # read_arrow and the streaming reader give the same table.
    assert taosarrow.read_arrow(SELECT_ALL.format(p=precision), ours[tz]).equals(table)
    cur.execute(SELECT_ALL.format(p=precision))
    assert cur.fetch_record_batch().read_all().equals(table)


def pandas_dtypes(precision: str, tz: Optional[str]) -> Dict[str, str]:
    ts = f"datetime64[{precision}, {tz}]" if tz else f"datetime64[{precision}]"
    # What this pandas makes of an Arrow string column (object or its string dtype).
    text = str(pa.array(["a"]).to_pandas().dtype)
    return {
        "ts": ts,
        "c_bool": "boolean",
        "c_i8": "Int8",
        "c_i16": "Int16",
        "c_i32": "Int32",
        "c_i64": "Int64",
        "c_u8": "UInt8",
        "c_u16": "UInt16",
        "c_u32": "UInt32",
        "c_u64": "UInt64",
        "c_f32": "float32",
        "c_f64": "float64",
        "c_vc": text,
        "c_bin": text,
        "c_nc": text,
        "c_vb": "object",
        "c_geo": "object",
        "c_d64": "object",
        "c_d128": "object",
        "c_d38": "object",
        "c_blob": "object",
        "t_i": "Int32",
        "t_u": "UInt64",
        "t_f": "float64",
        "t_b": "boolean",
        "t_s": text,
        "t_nc": text,
        "t_ts": ts,
    }


@pytest.mark.parametrize("tz", [None, TZ])
@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_pandas_dtypes_and_values(ours, precision, tz):
    cur = ours[tz].cursor()
    cur.execute(SELECT_ALL.format(p=precision))
    df = cur.fetch_df()
    assert list(df.columns) == fd.ALL_NAMES
    assert {c: str(t) for c, t in df.dtypes.items()} == pandas_dtypes(precision, tz)
    want = fd.expected_by_name(precision)
    for name in fd.ALL_NAMES:
        values = list(df[name])
        got = ts_ticks(values, precision) if name in ("ts", "t_ts") else plain(values)
        fd.assert_same_values(got, want[name], [name] * len(got))
    assert taosarrow.read_pandas(SELECT_ALL.format(p=precision), ours[tz]).equals(df)


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_pandas_pyarrow_backend(ours, precision):
    df = taosarrow.read_pandas(SELECT_ALL.format(p=precision), ours[TZ], dtype_backend="pyarrow")
    types = arrow_types(precision, TZ)
    assert {c: t.pyarrow_dtype for c, t in df.dtypes.items()} == types
    assert df["c_u64"].tolist()[:2] == [18446744073709551615, 0]


def polars_dtypes(precision: str, tz: Optional[str]) -> Dict[str, Any]:
    ts = pl.Datetime(precision, tz)
    return {
        "ts": ts,
        "c_bool": pl.Boolean,
        "c_i8": pl.Int8,
        "c_i16": pl.Int16,
        "c_i32": pl.Int32,
        "c_i64": pl.Int64,
        "c_u8": pl.UInt8,
        "c_u16": pl.UInt16,
        "c_u32": pl.UInt32,
        "c_u64": pl.UInt64,
        "c_f32": pl.Float32,
        "c_f64": pl.Float64,
        "c_vc": pl.String,
        "c_bin": pl.String,
        "c_nc": pl.String,
        "c_vb": pl.Binary,
        "c_d64": pl.Decimal(18, 1),
        "c_d128": pl.Decimal(38, 10),
        "c_d38": pl.Decimal(38, 0),
        "c_blob": pl.Binary,
        "t_i": pl.Int32,
        "t_u": pl.UInt64,
        "t_f": pl.Float64,
        "t_b": pl.Boolean,
        "t_s": pl.String,
        "t_nc": pl.String,
        "t_ts": ts,
    }


@pytest.mark.parametrize("tz", [None, TZ])
@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_polars_dtypes_and_values(ours, precision, tz):
    cur = ours[tz].cursor()
    cur.execute(SELECT_ALL.format(p=precision))
    df = cur.fetch_polars()
    assert df.columns == fd.ALL_NAMES
    schema = dict(df.schema)
    geo = schema.pop("c_geo")
    assert schema == polars_dtypes(precision, tz)
    # GEOMETRY stays WKB bytes (polars may keep the geoarrow extension around Binary).
    assert geo == pl.Binary or "geoarrow.wkb" in str(geo)
    want = fd.expected_by_name(precision)
    for name in fd.ALL_NAMES:
        series = df[name]
        if name in ("ts", "t_ts"):
            got = series.dt.epoch(precision).to_list()
        elif name == "c_geo":
            got = series.to_arrow().cast(pa.binary()).to_pylist()
        else:
            got = series.to_list()
        fd.assert_same_values(got, want[name], [name] * len(got))
    assert taosarrow.read_polars(SELECT_ALL.format(p=precision), ours[tz]).equals(df)


@pytest.mark.parametrize("precision", fd.PRECISIONS)
def test_json_tag_agrees(ours, theirs, precision):
    sql = f"SELECT ts, v, info FROM fid_{precision}.sj ORDER BY ts"
    cur = ours[None].cursor()
    cur.execute(sql)
    ocur = theirs[None].cursor()
    ocur.execute(sql)
    assert_rows_agree(cur.fetchall(), ocur.fetchall())
    table = taosarrow.read_arrow(sql, ours[None])
    assert table.column("info").to_pylist() == [fd.JSON_TAG, None]
    info = table.schema.field("info").type
    assert isinstance(info, pa.BaseExtensionType)
    assert (info.extension_name, info.storage_type) == ("arrow.json", pa.string())


BIG_ROWS = 100_001
BIG_BASE = 1_600_000_000_000_000_000


def test_large_result_agrees(srv, ours, theirs):
    """100,001 rows (25 blocks of 4,096 and a partial one) in ns: rows, Arrow and polars agree."""
    conn = ours[None]
    conn.execute("CREATE DATABASE cbig PRECISION 'ns'")
    conn.execute("CREATE TABLE cbig.t (ts TIMESTAMP, v BIGINT, d DECIMAL(20,3), s NCHAR(10))")
    for start in range(0, BIG_ROWS, 10_000):
        stop = min(BIG_ROWS, start + 10_000)
        values = " ".join(
            f"({BIG_BASE + 3 * i}, {'NULL' if i % 997 == 0 else i * 1_000_003}, {i}.{i % 1000:03d}, 'é{i}')"
            for i in range(start, stop)
        )
        assert conn.execute(f"INSERT INTO cbig.t VALUES {values}") == stop - start
    sql = "SELECT ts, v, d, s FROM cbig.t ORDER BY ts"
    cur = conn.cursor()
    cur.execute(sql)
    mine = cur.fetchall()
    ocur = theirs[None].cursor()
    ocur.execute(sql)
    official = ocur.fetchall()
    assert mine == official
    assert len(mine) == BIG_ROWS
    assert mine[-1] == (BIG_BASE + 3 * (BIG_ROWS - 1), (BIG_ROWS - 1) * 1_000_003, Decimal("100000.000"), "é100000")
    table = taosarrow.read_arrow(sql, conn)
    assert table.num_rows == BIG_ROWS
    assert table.column("ts").cast(pa.int64()).to_pylist() == [r[0] for r in official]
    assert table.column("v").to_pylist() == [r[1] for r in official]
    assert table.column("d").to_pylist() == [r[2] for r in official]
    df = taosarrow.read_polars(sql, conn)
    assert df["s"].to_list() == [r[3] for r in official]
    assert df["v"].sum() == sum(r[1] for r in official if r[1] is not None)


ERRORS = [
    ("SELEC 1", 0x2600),
    ("SELECT * FROM fid_ms.nope", 0x2662),
    ("SELECT * FROM nodb.t", 0x0388),
    ("SELECT nosuch FROM fid_ms.st", 0x2602),
    ("CREATE DATABASE fid_ms", 0x0381),
    ("SELECT COUNT(*) FROM fid_ms.st STATE_WINDOW(c_i32)", 0x2600),
]


@pytest.mark.parametrize("sql, code", ERRORS)
def test_errors_agree(ours, theirs, sql, code):
    with pytest.raises(taosws.QueryError) as official:
        theirs[None].execute(sql)
    assert str(official.value).startswith(f"[0x{code:04X}]")
    with pytest.raises(taosarrow.DatabaseError) as mine:
        ours[None].execute(sql)
    assert mine.value.errno == code - 2**31
    # The same server message inside both.
    assert mine.value.msg in str(official.value)
    with pytest.raises(taosarrow.DatabaseError) as from_cursor:
        ours[None].cursor().execute(sql)
    assert from_cursor.value.errno == code - 2**31


def test_authentication_failure_agrees(srv):
    with pytest.raises(taosws.ConnectionError, match=r"^\[0x0357\]"):
        taosws.connect(srv.dsn(password="bad"))
    with pytest.raises(taosarrow.ConnectionError) as info:
        taosarrow.connect(srv.dsn(password="bad"), conn_retries=0)
    assert info.value.errno == 0x0357 - 2**31
    assert "Authentication failure" in info.value.msg
    assert isinstance(info.value, taosarrow.OperationalError)
