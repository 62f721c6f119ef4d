"""taospy's stmt (v1) parameter builders without a server: ``new_bind_params`` /
``new_multi_binds``, every typed setter of ``TaosBind`` / ``TaosMultiBind`` and the Arrow
array it builds, NULLs, timestamp precisions (ints, floats, datetimes, ISO strings), Arrow
and numpy input, bad values, and what binding takes from them."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import taosarrow
from taosarrow import (
    PrecisionEnum,
    PrecisionError,
    ProgrammingError,
    TaosBind,
    TaosMultiBind,
    new_bind_param,
    new_bind_params,
    new_multi_bind,
    new_multi_binds,
)
from taosarrow.bind import bind_arrays
from taosarrow.stmt1 import Stmt1Field

UTC = dt.timezone.utc
MS = 1626861392589


def one() -> TaosBind:
    return new_bind_params(1)[0]


def many() -> TaosMultiBind:
    return new_multi_binds(1)[0]


@pytest.fixture
def shanghai() -> Iterator[None]:
    """Local time is Asia/Shanghai (UTC+8, no DST) for the test."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


# -- the factories and the exports ------------------------------------------------------------


def test_factories_give_unset_parameters():
    params = new_bind_params(3)
    assert len(params) == 3 and all(type(p) is TaosBind for p in params)
    assert len({id(p) for p in params}) == 3
    binds = new_multi_binds(2)
    assert len(binds) == 2 and all(type(b) is TaosMultiBind for b in binds)
    assert type(new_bind_param()) is TaosBind and type(new_multi_bind()) is TaosMultiBind
    assert new_bind_params(0) == []
    p = params[0]
    assert not p.is_set and p.buffer_type == 0 and p.num == 0
    assert repr(p) == "TaosBind(unset)"
    with pytest.raises(ProgrammingError, match="not set"):
        p.array


@pytest.mark.parametrize("size", [-1, 1.5, "2", True, None])
def test_factories_reject_bad_sizes(size):
    with pytest.raises(ProgrammingError, match="parameter count"):
        new_bind_params(size)
    with pytest.raises(ProgrammingError, match="parameter count"):
        new_multi_binds(size)


def test_top_level_names_as_taospy_exports_them():
    names = {}
    exec("from taosarrow import *", names)
    for name in ("new_bind_params", "new_multi_binds", "new_bind_param", "new_multi_bind",
                 "PrecisionEnum", "TaosBind", "TaosMultiBind", "TaosStmt"):
        assert name in names, name
        assert name in taosarrow.__all__
    assert (PrecisionEnum.Milliseconds, PrecisionEnum.Microseconds, PrecisionEnum.Nanoseconds) \
        == (0, 1, 2)
    assert issubclass(PrecisionError, taosarrow.Error)


# -- integers ---------------------------------------------------------------------------------

INTS = [
    ("tinyint", 2, pa.int8(), -(2**7), 2**7 - 1),
    ("smallint", 3, pa.int16(), -(2**15), 2**15 - 1),
    ("int", 4, pa.int32(), -(2**31), 2**31 - 1),
    ("bigint", 5, pa.int64(), -(2**63), 2**63 - 1),
    ("tinyint_unsigned", 11, pa.uint8(), 0, 2**8 - 1),
    ("smallint_unsigned", 12, pa.uint16(), 0, 2**16 - 1),
    ("int_unsigned", 13, pa.uint32(), 0, 2**32 - 1),
    ("bigint_unsigned", 14, pa.uint64(), 0, 2**64 - 1),
]


@pytest.mark.parametrize("setter,code,arrow,lo,hi", INTS)
def test_integer_setters_bounds_and_nulls(setter, code, arrow, lo, hi):
    p = one()
    getattr(p, setter)(hi)
    assert (p.buffer_type, p.num, p.precision) == (code, 1, None)
    assert p.array.type == arrow and p.array.to_pylist() == [hi]
    getattr(p, setter)(None)
    assert p.array.type == arrow and p.array.to_pylist() == [None]
    b = many()
    getattr(b, setter)([lo, None, hi])
    assert b.array.type == arrow and b.array.to_pylist() == [lo, None, hi]
    getattr(b, setter)((None, None))
    assert b.array.type == arrow and b.array.to_pylist() == [None, None] and b.num == 2
    assert repr(b) == f"TaosMultiBind({taosarrow.types.TYPE_NAMES[code]}, num=2)"


@pytest.mark.parametrize("setter,code,arrow,lo,hi", INTS)
def test_integer_setters_reject_out_of_range(setter, code, arrow, lo, hi):
    for bad in (lo - 1, hi + 1):
        with pytest.raises(ProgrammingError, match=rf"^{setter}\(\)"):
            getattr(many(), setter)([0, bad])


@pytest.mark.parametrize("setter", [s[0] for s in INTS])
@pytest.mark.parametrize("bad,shown", [(1.5, "float 1.5"), ("7", "str '7'"), (True, "bool True"),
                                       (b"1", "bytes b'1'")])
def test_integer_setters_reject_other_types(setter, bad, shown):
    with pytest.raises(ProgrammingError, match=rf"{setter}\(\): takes int .*value 1 is {shown}"):
        getattr(many(), setter)([1, bad])


@pytest.mark.parametrize("n", [3, 100])
def test_long_and_short_lists_give_the_same_arrays_and_errors(n):
    # Long lists are typed by pyarrow first; short ones value by value.
    b = many()
    b.bigint_unsigned([2**64 - 1] * n + [None])
    assert b.array.type == pa.uint64() and b.array.to_pylist() == [2**64 - 1] * n + [None]
    b.smallint(list(range(n)) + [None])
    assert b.array.type == pa.int16() and b.array.to_pylist() == list(range(n)) + [None]
    b.timestamp([MS] * n + [None], PrecisionEnum.Nanoseconds)
    assert b.array.type == pa.int64()  # raw ticks of the database precision, as in taospy
    assert b.array.to_pylist() == [MS] * n + [None]
    with pytest.raises(ProgrammingError,
                       match=rf"tinyint\(\): value {n} \(300\) is out of range for TINYINT \(-128..127\)"):
        b.tinyint([1] * n + [300])
    with pytest.raises(ProgrammingError, match=rf"value {n} \(-1\) is out of range for INT UNSIGNED"):
        b.int_unsigned([1] * n + [-1])
    with pytest.raises(ProgrammingError, match=rf"value {n} is float 2.5"):
        b.int([1] * n + [2.5])
    with pytest.raises(ProgrammingError, match=rf"value {n} is bool True"):
        b.bigint([1] * n + [True])
    with pytest.raises(ProgrammingError, match="64-bit"):
        b.timestamp([1] * n + [2**63])


def test_integers_from_numpy_scalars_and_arrays():
    b = many()
    b.smallint([np.int16(5), None, np.int64(-7)])
    assert b.array.to_pylist() == [5, None, -7]
    b.int_unsigned(np.array([1, 2, 3], dtype=np.int64))
    assert b.array.type == pa.uint32() and b.array.to_pylist() == [1, 2, 3]
    with pytest.raises(ProgrammingError, match="tinyint"):
        b.tinyint(np.array([1000]))
    with pytest.raises(ProgrammingError, match="integers, got an Arrow double"):
        b.int(np.array([1.0]))
    with pytest.raises(ProgrammingError, match="2-dimensional"):
        b.int(np.zeros((2, 2), dtype=np.int32))


def test_integers_from_arrow_arrays_are_cast_safely():
    b = many()
    src = pa.array([1, None, 3], type=pa.int64())
    b.tinyint(src)
    assert b.array.type == pa.int8() and b.array.to_pylist() == [1, None, 3]
    b.bigint(pa.chunked_array([[1, 2], [3]]))
    assert b.array.to_pylist() == [1, 2, 3]
    with pytest.raises(ProgrammingError, match="tinyint_unsigned"):
        b.tinyint_unsigned(pa.array([-1]))
    with pytest.raises(ProgrammingError, match="integers, got an Arrow string"):
        b.int(pa.array(["1"]))


# -- bool, float, double -----------------------------------------------------------------------


def test_bool_setter():
    b = many()
    b.bool((True, None, False))
    assert b.buffer_type == 1 and b.array.type == pa.bool_()
    assert b.array.to_pylist() == [True, None, False]
    b.bool([1, 0, 5])  # ints are true when not 0, as C reads them
    assert b.array.to_pylist() == [True, False, True]
    b.bool([np.bool_(False), np.True_, None])
    assert b.array.to_pylist() == [False, True, None]
    p = one()
    p.bool(None)
    assert p.array.to_pylist() == [None]
    with pytest.raises(ProgrammingError, match=r"bool\(\): takes bool .*value 0 is str 'yes'"):
        p.bool("yes")
    with pytest.raises(ProgrammingError, match=r"value 1 is float 1.0"):
        b.bool([True, 1.0])
    b.bool(pa.array([True, None]))
    assert b.array.to_pylist() == [True, None]


@pytest.mark.parametrize("setter,code,arrow", [("float", 6, pa.float32()),
                                               ("double", 7, pa.float64())])
def test_float_setters(setter, code, arrow):
    b = many()
    getattr(b, setter)([3, None, 1.25])
    assert b.buffer_type == code and b.array.type == arrow
    assert b.array.to_pylist() == [3.0, None, 1.25]
    p = one()
    getattr(p, setter)(10.1)
    assert p.array.to_pylist() == [pytest.approx(10.1, rel=1e-6)]
    getattr(p, setter)(None)
    assert p.array.to_pylist() == [None]
    with pytest.raises(ProgrammingError, match=rf"{setter}\(\): takes int or float .*str '1'"):
        getattr(p, setter)("1")
    with pytest.raises(ProgrammingError, match=r"value 0 is bool True"):
        getattr(b, setter)([True])
    getattr(b, setter)(np.array([1.5, 2.5], dtype=np.float64))
    assert b.array.type == arrow and b.array.to_pylist() == [1.5, 2.5]
    with pytest.raises(ProgrammingError, match="numbers, got an Arrow string"):
        getattr(b, setter)(pa.array(["x"]))


def test_double_keeps_full_precision():
    p = one()
    p.double(10.11)
    assert p.array.to_pylist() == [10.11]


# -- text and bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("setter,code", [("binary", 8), ("varchar", 8), ("nchar", 10),
                                         ("json", 15)])
def test_text_setters(setter, code):
    b = many()
    getattr(b, setter)(["涛思数据", None, b"abc", bytearray(b"de"), memoryview(b"fg"), ""])
    assert b.buffer_type == code and b.array.type == pa.string()
    assert b.array.to_pylist() == ["涛思数据", None, "abc", "de", "fg", ""]
    p = one()
    getattr(p, setter)("hello")
    assert p.array.to_pylist() == ["hello"] and p.num == 1
    getattr(p, setter)(None)
    assert p.array.to_pylist() == [None]
    getattr(b, setter)([None, None, None])
    assert b.array.type == pa.string() and b.array.null_count == 3
    with pytest.raises(ProgrammingError, match=rf"{setter}\(\): value 1 is not valid UTF-8"):
        getattr(b, setter)(["ok", b"\xff\xfe"])
    with pytest.raises(ProgrammingError, match=rf"{setter}\(\): takes str or bytes .*int 5"):
        getattr(b, setter)(["ok", 5])
    getattr(b, setter)(pa.array(["x", None], type=pa.large_string()))
    assert b.array.type == pa.string() and b.array.to_pylist() == ["x", None]
    with pytest.raises(ProgrammingError, match=setter):
        getattr(b, setter)(pa.array([b"\xff"], type=pa.binary()))
    with pytest.raises(ProgrammingError, match="takes text, got an Arrow int64"):
        getattr(b, setter)(pa.array([1]))


def test_json_tag_value():
    p = one()
    p.json('{"name":"value"}')
    assert p.buffer_type == 15 and p.array.to_pylist() == ['{"name":"value"}']


WKB_POINT = bytearray([0x01, 0x01, 0, 0, 0] + [0] * 6 + [0x59, 0x40] + [0] * 6 + [0x59, 0x40])


def test_varbinary_setter():
    b = many()
    b.varbinary([None, bytearray(b"Hello, world!"), b"\x00\xff", memoryview(b"m"), "é"])
    assert b.buffer_type == 16 and b.array.type == pa.binary()
    assert b.array.to_pylist() == [None, b"Hello, world!", b"\x00\xff", b"m", "é".encode()]
    p = one()
    p.varbinary(bytearray(b"Hello"))
    assert p.array.to_pylist() == [b"Hello"]
    with pytest.raises(ProgrammingError, match=r"varbinary\(\): takes bytes or str .*int 3"):
        p.varbinary(3)
    b.varbinary(pa.array(["s"]))
    assert b.array.to_pylist() == [b"s"]


def test_geometry_setter_takes_wkb_only():
    p = one()
    p.geometry(WKB_POINT)
    assert p.buffer_type == 20 and p.array.type == pa.binary()
    assert p.array.to_pylist() == [bytes(WKB_POINT)]
    b = many()
    b.geometry([None, bytes(WKB_POINT)])
    assert b.array.to_pylist() == [None, bytes(WKB_POINT)]
    with pytest.raises(ProgrammingError, match=r"geometry\(\): takes WKB bytes .*str 'POINT"):
        p.geometry("POINT (1 1)")
    with pytest.raises(ProgrammingError, match="takes bytes, got an Arrow string"):
        b.geometry(pa.array(["POINT (1 1)"]))


def test_no_decimal_setter_as_in_taospy():
    assert not hasattr(TaosBind(), "decimal")


def test_null_setter():
    b = many()
    b.null(3)
    assert b.buffer_type == 0 and b.num == 3 and b.array.type == pa.null()
    p = one()
    p.null()
    assert p.num == 1
    for bad in (-1, 1.0, True):
        with pytest.raises(ProgrammingError, match="row count"):
            b.null(bad)


# -- timestamps --------------------------------------------------------------------------------


def test_timestamp_ints_are_raw_ticks_of_the_database_precision():
    # As taospy binds them: the int goes as it is, precision= does not scale it.
    p = one()
    p.timestamp(MS)
    assert (p.buffer_type, p.precision) == (9, 0)
    assert p.array.type == pa.int64() and p.array.to_pylist() == [MS]
    for prec in [PrecisionEnum.Microseconds, PrecisionEnum.Nanoseconds, 0, "us", "NS"]:
        p.timestamp(MS * 1000, prec)
        assert p.array.type == pa.int64(), prec
        assert p.array.to_pylist() == [MS * 1000]
    # Mixed with instants, an int counts ticks of precision=.
    p.timestamp([MS, dt.datetime(2021, 7, 21, 9, 56, 32, 590000, tzinfo=dt.timezone.utc)])
    assert p.array.type == pa.timestamp("ms") and p.array.cast(pa.int64()).to_pylist() == [MS, MS + 1]
    b = many()
    b.timestamp((MS, None, MS + 2))
    assert b.array.cast(pa.int64()).to_pylist() == [MS, None, MS + 2]
    b.timestamp([None, None])
    assert b.array.type == pa.timestamp("ms") and b.array.null_count == 2
    b.timestamp([2**63 - 1, -(2**63) + 1], PrecisionEnum.Nanoseconds)
    assert b.array.cast(pa.int64()).to_pylist() == [2**63 - 1, -(2**63) + 1]


def test_timestamp_floats_are_seconds():
    p = one()
    p.timestamp(1626861392.589)
    assert p.array.cast(pa.int64()).to_pylist() == [MS]
    p.timestamp(1626861392.589, PrecisionEnum.Microseconds)
    assert p.array.cast(pa.int64()).to_pylist() == [MS * 1000]
    with pytest.raises(PrecisionError, match="nanoseconds"):
        p.timestamp(1626861392.589, PrecisionEnum.Nanoseconds)
    with pytest.raises(ProgrammingError, match=r"timestamp\(\): value 0: nan"):
        p.timestamp(float("nan"))


def test_timestamp_aware_datetimes_are_exact_in_every_precision():
    d = dt.datetime(2021, 7, 21, 10, 56, 32, 589123, tzinfo=UTC)
    seconds = int(d.replace(microsecond=0).timestamp())
    p = one()
    p.timestamp(d)
    assert p.array.cast(pa.int64()).to_pylist() == [seconds * 1000 + 589]
    p.timestamp(d, PrecisionEnum.Microseconds)
    assert p.array.cast(pa.int64()).to_pylist() == [seconds * 10**6 + 589123]
    p.timestamp(d, PrecisionEnum.Nanoseconds)
    assert p.array.cast(pa.int64()).to_pylist() == [seconds * 10**9 + 589123000]
    east = d.astimezone(dt.timezone(dt.timedelta(hours=8)))
    p.timestamp(east)
    assert p.array.cast(pa.int64()).to_pylist() == [seconds * 1000 + 589]
    # Before the epoch the cut is towards the past, as for every later instant.
    p.timestamp(dt.datetime(1969, 12, 31, 23, 59, 59, 999500, tzinfo=UTC))
    assert p.array.cast(pa.int64()).to_pylist() == [-1]


def test_timestamp_naive_datetimes_are_local_time(shanghai):
    p = one()
    p.timestamp(dt.datetime(2020, 1, 1, 8, 0, 0, 5000))
    assert p.array.cast(pa.int64()).to_pylist() == [1577836800005]
    p.timestamp("2020-01-01 08:00:00")
    assert p.array.cast(pa.int64()).to_pylist() == [1577836800000]


def test_timestamp_wall_times_read_again_in_a_connection_time_zone(shanghai):
    p = one()
    p.timestamp([dt.datetime(2020, 1, 1, 8, 0), "2020-01-01 08:00:00.5", None])
    assert p.array.cast(pa.int64()).to_pylist() == [1577836800000, 1577836800500, None]
    assert p.array_in(None) is p.array
    # Los Angeles: UTC-8 in January.
    later = 1577836800000 + 16 * 3600 * 1000
    assert p.array_in("America/Los_Angeles").cast(pa.int64()).to_pylist() == [
        later, later + 500, None]
    assert p.array_in("UTC").type == pa.timestamp("ms")
    # Values with an offset, ints and Arrow input are instants: the zone changes nothing.
    p.timestamp([dt.datetime(2020, 1, 1, tzinfo=UTC), "2020-01-01T00:00:00Z", MS])
    assert p.array_in("America/Los_Angeles") is p.array
    p.timestamp(pa.array([MS], pa.timestamp("ms")))
    assert p.array_in("America/Los_Angeles") is p.array
    p.timestamp(dt.datetime(2020, 1, 1))
    with pytest.raises(ProgrammingError, match="'Nowhere/Else'.*cannot load"):
        p.array_in("Nowhere/Else")
    assert bind_arrays([p], "tag", None, "UTC")[0].cast(pa.int64()).to_pylist() == [
        1577836800000]


def test_timestamp_iso_strings_keep_nanoseconds():
    b = many()
    texts = ["2020-01-01T00:00:00.123456789+00:00", "2020-01-01 00:00:00.5Z",
             "2020-01-01T08:00:00.000000001+08:00", None]
    b.timestamp(texts, PrecisionEnum.Nanoseconds)
    base = 1577836800 * 10**9
    assert b.array.cast(pa.int64()).to_pylist() == [base + 123456789, base + 500000000,
                                                    base + 1, None]
    b.timestamp(texts, PrecisionEnum.Milliseconds)
    base = 1577836800 * 1000
    assert b.array.cast(pa.int64()).to_pylist() == [base + 123, base + 500, base, None]
    b.timestamp(["2020-01-01T00:00:00,25+00:00"], "us")
    assert b.array.cast(pa.int64()).to_pylist() == [1577836800 * 10**6 + 250000]


def test_timestamp_mixed_values_in_one_column():
    b = many()
    d = dt.datetime(2020, 1, 1, tzinfo=UTC)
    b.timestamp([1577836800000, 1577836800.001, d, "2020-01-01T00:00:00.002+00:00", None])
    assert b.array.cast(pa.int64()).to_pylist() == [1577836800000, 1577836800001,
                                                    1577836800000, 1577836800002, None]


@pytest.mark.parametrize("bad,why", [
    (True, "bool"), (dt.date(2020, 1, 1), "date"), ([1], "list"),
    ("yesterday", "Invalid isoformat"), (b"2020-01-01", "bytes"),
])
def test_timestamp_rejects_bad_values(bad, why):
    with pytest.raises(ProgrammingError, match=rf"timestamp\(\): value 1: .*{why}"):
        many().timestamp([MS, bad])


def test_timestamp_out_of_64_bits_raises():
    with pytest.raises(ProgrammingError, match="64-bit"):
        many().timestamp([2**63])
    with pytest.raises(ProgrammingError, match="timestamp"):
        many().timestamp([dt.datetime(2300, 1, 1, tzinfo=UTC)], PrecisionEnum.Nanoseconds)


@pytest.mark.parametrize("bad", [3, 9, -1, "s", None, 1.0, True])
def test_timestamp_rejects_unknown_precisions(bad):
    with pytest.raises(PrecisionError, match="unknown timestamp precision"):
        one().timestamp(MS, bad)


def test_timestamp_from_arrow_and_numpy():
    b = many()
    b.timestamp(pa.array([MS, None], type=pa.timestamp("ms")), PrecisionEnum.Nanoseconds)
    assert b.array.type == pa.timestamp("ns")
    assert b.array.cast(pa.int64()).to_pylist() == [MS * 10**6, None]
    b.timestamp(pa.array([MS * 1000], type=pa.timestamp("us", tz="Asia/Shanghai")))
    assert b.array.type == pa.timestamp("ms") and b.array.cast(pa.int64()).to_pylist() == [MS]
    with pytest.raises(ProgrammingError, match="lose data"):
        b.timestamp(pa.array([MS * 1000 + 1], type=pa.timestamp("us")))
    b.timestamp(np.array([MS, MS + 1], dtype=np.int64), PrecisionEnum.Microseconds)
    assert b.array.type == pa.int64() and b.array.to_pylist() == [MS, MS + 1]
    b.timestamp(np.array(["2020-01-01T00:00:00.000000001"], dtype="datetime64[ns]"), "ns")
    assert b.array.cast(pa.int64()).to_pylist() == [1577836800 * 10**9 + 1]
    with pytest.raises(ProgrammingError, match="got an Arrow string"):
        b.timestamp(pa.array(["2020-01-01"]))


def test_timestamp_pandas_timestamps_keep_their_nanoseconds():
    t = pd.Timestamp("2020-01-01T00:00:00.123456789", tz="UTC")
    b = many()
    b.timestamp([t, None], PrecisionEnum.Nanoseconds)
    assert b.array.cast(pa.int64()).to_pylist() == [1577836800 * 10**9 + 123456789, None]
    b.timestamp([t], PrecisionEnum.Microseconds)
    assert b.array.cast(pa.int64()).to_pylist() == [1577836800 * 10**6 + 123456]


def test_a_failed_setter_leaves_the_parameter_as_it_was():
    p = one()
    p.int(4)
    with pytest.raises(ProgrammingError):
        p.int("x")
    assert p.buffer_type == 4 and p.array.to_pylist() == [4]


# -- binding: the arrays the statement sends ---------------------------------------------------


def test_bind_arrays_takes_set_binds_only():
    a, c = new_multi_binds(2)
    a.timestamp([MS, MS + 1])
    c.int([1, 2])
    assert bind_arrays([a, c]) == [a.array, c.array]
    assert bind_arrays((p for p in [a])) == [a.array]
    with pytest.raises(ProgrammingError, match="column 1 was not set"):
        bind_arrays([a, TaosMultiBind()])
    with pytest.raises(ProgrammingError, match="tag 1: expected a TaosBind/TaosMultiBind, got int"):
        bind_arrays([a, 5], "tag")


def test_bind_arrays_types_untyped_nulls_by_their_fields():
    a, n = new_multi_binds(2)
    a.timestamp([MS, MS + 1])
    n.null(2)
    fields = [Stmt1Field("ts", 9, 2, 0, 8), Stmt1Field("v", 12, 0, 0, 2)]
    out = bind_arrays([a, n], "column", fields)
    assert out[0] is a.array  # converted by the statement, to the database precision
    assert out[1].type == pa.uint16() and out[1].null_count == 2
    assert bind_arrays([n], "column", [])[0].type == pa.null()
