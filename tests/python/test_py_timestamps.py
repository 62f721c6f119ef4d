"""The contract of ``taosarrow._timestamps``: exact instants from ISO text and datetimes,
ticks under an explicit rounding policy, the 64-bit range, and Arrow rescaling."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import pyarrow as pa
import pytest

from taosarrow import _native
from taosarrow import _timestamps as ts
from taosarrow._timestamps import Rounding, TimestampError

UTC = dt.timezone.utc
#: 2020-01-01T00:00:00Z in seconds.
S2020 = 1_577_836_800
NS = 10**9


def test_precision_tables_come_from_the_native_module():
    assert ts.UNITS == dict(_native.PRECISION_NAMES) == {0: "ms", 1: "us", 2: "ns"}
    assert ts.CODES == {"ms": 0, "us": 1, "ns": 2}
    assert ts.NS_PER_TICK == {0: 1_000_000, 1: 1_000, 2: 1}
    assert ts.TICKS_PER_SECOND == {0: 1_000, 1: 1_000_000, 2: 1_000_000_000}


@pytest.mark.parametrize(
    "text,ns",
    [
        ("2020-01-01T00:00:00.123456789Z", S2020 * NS + 123_456_789),
        ("2020-01-01T00:00:00.123456789+00:00", S2020 * NS + 123_456_789),
        ("2020-01-01T08:00:00.000000001+08:00", S2020 * NS + 1),
        ("2020-01-01T08:00:00.000000001+0800", S2020 * NS + 1),
        ("2020-01-01T08:00:00.000000001+08", S2020 * NS + 1),
        ("2019-12-31T19:00:00.5-05:00", S2020 * NS + 500_000_000),
        ("2020-01-01 00:00:00,25z", S2020 * NS + 250_000_000),
        ("  2020-1-1 0:00  Z ", S2020 * NS),
        # Digits beyond the ninth are cut, never rounded up.
        ("2020-01-01T00:00:00.9999999999Z", S2020 * NS + 999_999_999),
        # Forms only Python's fromisoformat reads keep their fraction exactly too.
        ("20200101T000000.000000007Z", S2020 * NS + 7),
        ("2020-01-01T05:30:00.000000003+05:30:00", S2020 * NS + 3),
    ],
)
def test_iso_text_gives_exact_nanoseconds(text, ns):
    assert ts.iso_ns(text) == ns
    assert not ts.parse_iso(text).naive


def test_iso_text_without_offset_is_wall_time_in_the_zone_given():
    parsed = ts.parse_iso("2020-01-01 08:00:00.000000009")
    assert parsed.naive and parsed.fraction_ns == 9
    assert ts.iso_ns("2020-01-01 08:00:00.000000009", "Asia/Shanghai") == S2020 * NS + 9
    assert ts.iso_ns("2020-01-01 08:00:00.000000009", ts.zone("Asia/Shanghai")) == S2020 * NS + 9
    # January in Los Angeles is UTC-8.
    assert ts.iso_ns("2019-12-31T16:00:00", "America/Los_Angeles") == S2020 * NS
    # An offset in the text wins over the zone.
    assert ts.iso_ns("2020-01-01T00:00:00Z", "Asia/Shanghai") == S2020 * NS


def test_naive_values_without_a_zone_are_local_time(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +05:30, no daylight saving time
    time.tzset()
    try:
        assert ts.iso_ns("2020-01-01 05:30:00.000000001") == S2020 * NS + 1
        assert ts.datetime_ns(dt.datetime(2020, 1, 1, 5, 30)) == S2020 * NS
        assert ts.datetime_ns(pd.Timestamp("2020-01-01T05:30:00.000000001")) == S2020 * NS + 1
    finally:
        monkeypatch.undo()
        time.tzset()


def test_negative_epochs_before_1970_are_exact():
    assert ts.iso_ns("1969-12-31T23:59:59.999999999Z") == -1
    assert ts.iso_ns("1900-01-01T00:00:00.000000001Z") == -2_208_988_800 * NS + 1
    d = dt.datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    assert ts.datetime_ns(d) == -1000
    # Floor: towards the past, for every precision.
    assert ts.to_ticks(-1, 0, Rounding.FLOOR) == -1
    assert ts.to_ticks(-1_000_001, 1, Rounding.FLOOR) == -1001
    assert ts.to_ticks(-1, 2, Rounding.FLOOR) == -1


def test_datetimes_are_exact_and_naive_ones_wall_time():
    d = dt.datetime(2020, 1, 1, 8, 0, 0, 123_456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert ts.datetime_ns(d) == S2020 * NS + 123_456_000
    assert ts.datetime_ns(d, "America/Los_Angeles", extra_ns=789) == S2020 * NS + 123_456_789
    naive = dt.datetime(2020, 1, 1, 8, 0, 0, 1)
    assert ts.is_naive(naive) and not ts.is_naive(d)
    assert ts.datetime_ns(naive, "Asia/Shanghai") == S2020 * NS + 1000


def test_pandas_timestamps_keep_their_nanoseconds():
    t = pd.Timestamp("2020-01-01T00:00:00.123456789", tz="UTC")
    assert ts.datetime_ns(t) == S2020 * NS + 123_456_789
    assert ts.datetime_ns(pd.Timestamp("2020-01-01T08:00:00.000000001"), "Asia/Shanghai") == S2020 * NS + 1


def test_rounding_policies():
    ns = S2020 * NS + 123_456_789
    assert [ts.to_ticks(ns, p, Rounding.FLOOR) for p in (0, 1, 2)] == [
        S2020 * 1000 + 123, S2020 * 10**6 + 123_456, ns]
    assert ts.to_ticks(ns, 2, Rounding.EXACT) == ns
    assert ts.to_ticks(S2020 * NS + 5_000_000, 0, Rounding.EXACT) == S2020 * 1000 + 5
    with pytest.raises(TimestampError, match="finer part than ms"):
        ts.to_ticks(ns, 0, Rounding.EXACT)
    with pytest.raises(TimestampError, match="'text' has a finer part than us"):
        ts.to_ticks(-1, 1, Rounding.EXACT, shown="text")


def test_ticks_beyond_64_bits_raise():
    assert ts.to_ticks(2**63 - 1, 2, Rounding.FLOOR) == 2**63 - 1
    assert ts.to_ticks(-(2**63), 2, Rounding.FLOOR) == -(2**63)
    with pytest.raises(TimestampError, match="out of range"):
        ts.to_ticks(2**63, 2, Rounding.FLOOR)
    with pytest.raises(TimestampError, match="out of range"):
        ts.to_ticks(ts.datetime_ns(dt.datetime(2300, 1, 1, tzinfo=UTC)), 2, Rounding.FLOOR)
    # Year 2300 fits in microseconds.
    assert ts.to_ticks(ts.datetime_ns(dt.datetime(2300, 1, 1, tzinfo=UTC)), 1, Rounding.FLOOR) > 0
    with pytest.raises(TimestampError, match="out of range"):
        ts.check_range(-(2**63) - 1)
    with pytest.raises(TimestampError, match="out of range"):
        ts.seconds_ticks(1e300, 0)


def test_float_seconds_round_to_the_nearest_tick():
    assert ts.seconds_ticks(1626861392.589, 0) == 1626861392589
    assert ts.seconds_ticks(1626861392.589, 1) == 1626861392589000
    assert ts.seconds_ticks(-0.0015, 0) == -2
    for bad in (float("nan"), float("inf")):
        with pytest.raises(TimestampError, match="not a timestamp"):
            ts.seconds_ticks(bad, 0)


@pytest.mark.parametrize(
    "text", ["yesterday", "2020-13-01T00:00:00", "2020-01-01T25:00:00Z", "2020-01-01T00:00:00+24:00", ""]
)
def test_unreadable_text_raises(text):
    with pytest.raises(TimestampError, match="cannot read|offset"):
        ts.parse_iso(text)
    with pytest.raises(TimestampError, match="must be a str"):
        ts.parse_iso(b"2020-01-01")  # type: ignore[arg-type]


def test_unknown_zones_raise_one_clear_error():
    with pytest.raises(TimestampError, match="'Nowhere/Else', which Python cannot load.*tzdata"):
        ts.zone("Nowhere/Else")
    with pytest.raises(TimestampError, match="cannot load"):
        ts.datetime_ns(dt.datetime(2020, 1, 1), "Nowhere/Else")
    # Aware values never look the zone up.
    assert ts.datetime_ns(dt.datetime(2020, 1, 1, tzinfo=UTC), "Nowhere/Else") == S2020 * NS
    assert ts.zone("UTC") is ts.zone("UTC")


def test_rescale_arrow_arrays():
    ms = pa.array([S2020 * 1000 + 1, None, -1], pa.timestamp("ms"))
    up = ts.rescale(ms, 2, Rounding.FLOOR)
    assert up.type == pa.timestamp("ns")
    assert up.cast(pa.int64()).to_pylist() == [(S2020 * 1000 + 1) * 10**6, None, -(10**6)]
    assert ts.rescale(ms, 0, Rounding.EXACT) is ms
    ns = pa.array([S2020 * NS + 1_999_999, -1, None], pa.timestamp("ns", tz="Asia/Shanghai"))
    down = ts.rescale(ns, 0, Rounding.FLOOR)
    assert down.type == pa.timestamp("ms")
    assert down.cast(pa.int64()).to_pylist() == [S2020 * 1000 + 1, -1, None]
    with pytest.raises(TimestampError, match="ticks -1 have a finer part than us and would lose data"):
        ts.rescale(pa.array([1000, -1], pa.timestamp("ns")), 1, Rounding.EXACT)
    exact = ts.rescale(pa.array([-2000, None], pa.timestamp("ns", tz="UTC")), 1, Rounding.EXACT)
    assert exact.type == pa.timestamp("us") and exact.cast(pa.int64()).to_pylist() == [-2, None]
    with pytest.raises(TimestampError, match="out of range for precision ns"):
        ts.rescale(pa.array([2**62], pa.timestamp("ms")), 2, Rounding.FLOOR)
