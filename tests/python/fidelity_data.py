"""Shared data for the fidelity suites: a super table with every TDengine column type, the SQL
that fills it, and the exact Python values the official client must read back.

Timestamps are kept as integer ticks in the database precision; helpers turn the values a client
returns (tz-aware ``datetime``, ``int``, or the ``str`` of ``Connection.query`` iteration) into
ticks so that every comparison is exact.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from decimal import Decimal
from typing import Any, Dict, List, Sequence, Tuple

PRECISIONS = ("ms", "us", "ns")
TICKS_PER_SECOND = {"ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
# 2023-11-14 22:13:20.123456789 UTC, cut to each precision; ns values are not exact as floats.
BASE_TS = {"ms": 1_700_000_000_123, "us": 1_700_000_000_123_456, "ns": 1_700_000_000_123_456_789}

# (name, SQL type) after the leading `ts TIMESTAMP`.
COLUMNS: List[Tuple[str, str]] = [
    ("c_bool", "BOOL"),
    ("c_i8", "TINYINT"),
    ("c_i16", "SMALLINT"),
    ("c_i32", "INT"),
    ("c_i64", "BIGINT"),
    ("c_u8", "TINYINT UNSIGNED"),
    ("c_u16", "SMALLINT UNSIGNED"),
    ("c_u32", "INT UNSIGNED"),
    ("c_u64", "BIGINT UNSIGNED"),
    ("c_f32", "FLOAT"),
    ("c_f64", "DOUBLE"),
    ("c_vc", "VARCHAR(64)"),
    ("c_bin", "BINARY(32)"),
    ("c_nc", "NCHAR(32)"),
    ("c_vb", "VARBINARY(32)"),
    ("c_geo", "GEOMETRY(256)"),
    ("c_d64", "DECIMAL(18,1)"),
    ("c_d128", "DECIMAL(38,10)"),
    ("c_d38", "DECIMAL(38,0)"),
    ("c_blob", "BLOB"),
]
TAGS: List[Tuple[str, str]] = [
    ("t_i", "INT"),
    ("t_u", "BIGINT UNSIGNED"),
    ("t_f", "DOUBLE"),
    ("t_b", "BOOL"),
    ("t_s", "VARCHAR(20)"),
    ("t_nc", "NCHAR(10)"),
    ("t_ts", "TIMESTAMP"),
]
ALL_NAMES = ["ts"] + [c for c, _ in COLUMNS] + [t for t, _ in TAGS]
# taos-ws-py's type names (TaosField.type()) and codes (Cursor.description).
WS_TYPES = {
    "ts": ("TIMESTAMP", 9, 8),
    "c_bool": ("BOOL", 1, 1),
    "c_i8": ("TINYINT", 2, 1),
    "c_i16": ("SMALLINT", 3, 2),
    "c_i32": ("INT", 4, 4),
    "c_i64": ("BIGINT", 5, 8),
    "c_u8": ("TINYINT UNSIGNED", 11, 1),
    "c_u16": ("SMALLINT UNSIGNED", 12, 2),
    "c_u32": ("INT UNSIGNED", 13, 4),
    "c_u64": ("BIGINT UNSIGNED", 14, 8),
    "c_f32": ("FLOAT", 6, 4),
    "c_f64": ("DOUBLE", 7, 8),
    "c_vc": ("BINARY", 8, 64),
    "c_bin": ("BINARY", 8, 32),
    "c_nc": ("NCHAR", 10, 32),
    "c_vb": ("VARBINARY", 16, 32),
    "c_geo": ("GEOMETRY", 20, 256),
    "c_d64": ("DECIMAL", 21, 8),
    "c_d128": ("DECIMAL", 17, 16),
    "c_d38": ("DECIMAL", 17, 16),
    "c_blob": ("BLOB", 18, 4_194_304),
    "t_i": ("INT", 4, 4),
    "t_u": ("BIGINT UNSIGNED", 14, 8),
    "t_f": ("DOUBLE", 7, 8),
    "t_b": ("BOOL", 1, 1),
    "t_s": ("BINARY", 8, 20),
    "t_nc": ("NCHAR", 10, 10),
    "t_ts": ("TIMESTAMP", 9, 8),
}


def f32(x: float) -> float:
    """``x`` rounded to IEEE single precision, as a FLOAT column stores it."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def wkb_point(x: float, y: float) -> bytes:
    return struct.pack("<BIdd", 1, 1, x, y)


def wkb_linestring(points: Sequence[Tuple[float, float]]) -> bytes:
    return struct.pack("<BII", 1, 2, len(points)) + b"".join(struct.pack("<dd", *p) for p in points)


def wkb_polygon(rings: Sequence[Sequence[Tuple[float, float]]]) -> bytes:
    out = struct.pack("<BII", 1, 3, len(rings))
    for ring in rings:
        out += struct.pack("<I", len(ring)) + b"".join(struct.pack("<dd", *p) for p in ring)
    return out


NINES_38 = "9" * 38
# One row per entry: (SQL literal, expected Python value) for every column in COLUMNS order.
ROW_MAX = [
    ("true", True),
    ("127", 127),
    ("32767", 32767),
    ("2147483647", 2147483647),
    ("9223372036854775807", 9223372036854775807),
    ("255", 255),
    ("65535", 65535),
    ("4294967295", 4294967295),
    ("18446744073709551615", 18446744073709551615),
    ("3.4028234663852886e+38", f32(3.4028234663852886e38)),
    ("1.7976931348623157e+308", 1.7976931348623157e308),
    ("'héllo 中文 😀'", "héllo 中文 😀"),
    ("'bin-ascii 123'", "bin-ascii 123"),
    ("'héllo 中文 😀'", "héllo 中文 😀"),
    ("'\\x00ff10ab'", b"\x00\xff\x10\xab"),
    ("'POINT(1.5 -2.25)'", wkb_point(1.5, -2.25)),
    ("99999999999999999.9", Decimal("99999999999999999.9")),
    (f"{NINES_38[:28]}.{NINES_38[:10]}", Decimal(f"{NINES_38[:28]}.{NINES_38[:10]}")),
    (NINES_38, Decimal(NINES_38)),
    ("'\\x00010203ff'", b"\x00\x01\x02\x03\xff"),
]
ROW_MIN = [
    ("false", False),
    ("-128", -128),
    ("-32768", -32768),
    ("-2147483648", -2147483648),
    ("-9223372036854775808", -9223372036854775808),
    ("0", 0),
    ("0", 0),
    ("0", 0),
    ("0", 0),
    ("-1.17549435e-38", f32(-1.17549435e-38)),
    ("5e-324", 5e-324),
    ("''", ""),
    ("'x'", "x"),
    ("'ASCII only'", "ASCII only"),
    ("'abc'", b"abc"),
    ("'LINESTRING(0 0, 1 1.5, -2 3)'", wkb_linestring([(0, 0), (1, 1.5), (-2, 3)])),
    ("-99999999999999999.9", Decimal("-99999999999999999.9")),
    (f"-{NINES_38[:28]}.{NINES_38[:10]}", Decimal(f"-{NINES_38[:28]}.{NINES_38[:10]}")),
    (f"-{NINES_38}", Decimal(f"-{NINES_38}")),
    ("''", b""),
]
ROW_NULL = [("NULL", None)] * len(COLUMNS)
ROW_MISC = [
    ("true", True),
    ("0", 0),
    ("1", 1),
    ("-1", -1),
    ("1234567890123", 1234567890123),
    ("1", 1),
    ("2", 2),
    ("3", 3),
    ("4", 4),
    ("0.1", f32(0.1)),
    ("0.1", 0.1),
    ("'it\\'s'", "it's"),
    ("'日本'", "日本"),
    ("'日本語テキスト'", "日本語テキスト"),
    ("'\\x01'", b"\x01"),
    ("'POLYGON((0 0, 4 0, 4 4, 0 4, 0 0))'", wkb_polygon([[(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]])),
    ("0.1", Decimal("0.1")),
    ("0.0000000001", Decimal("0.0000000001")),
    ("0", Decimal("0")),
    ("'hello'", b"hello"),
]
# Tags of the child tables: d1 has values, d2 only NULLs.
TAGS_D1 = [
    ("42", 42),
    ("18446744073709551615", 18446744073709551615),
    ("-0.5", -0.5),
    ("true", True),
    ("'tag 中文'", "tag 中文"),
    ("'北京 😀'", "北京 😀"),
]
TAGS_D2 = [("NULL", None)] * len(TAGS)


def stable_ddl(name: str = "st") -> str:
    cols = ", ".join(f"{c} {t}" for c, t in COLUMNS)
    tags = ", ".join(f"{c} {t}" for c, t in TAGS)
    return f"CREATE STABLE {name} (ts TIMESTAMP, {cols}) TAGS ({tags})"


def _values(ts: int, row: Sequence[Tuple[str, Any]]) -> str:
    return "(" + ", ".join([str(ts)] + [sql for sql, _ in row]) + ")"


def d1_tags(precision: str) -> List[Tuple[str, Any]]:
    """d1's tags: TAGS_D1 plus the TIMESTAMP tag (BASE_TS)."""
    return TAGS_D1 + [(str(BASE_TS[precision]), BASE_TS[precision])]


def load_every_type(conn: Any, precision: str) -> str:
    """Creates database ``fid_<precision>`` with the every-type super table ``st`` (children d1,
    d2) and the JSON-tag super table ``sj``; returns the database name."""
    db = f"fid_{precision}"
    base = BASE_TS[precision]
    conn.execute(f"CREATE DATABASE {db} PRECISION '{precision}'")
    conn.execute(f"USE {db}")
    conn.execute(stable_ddl())
    tags = ", ".join(sql for sql, _ in d1_tags(precision))
    conn.execute(f"CREATE TABLE d1 USING st TAGS ({tags})")
    rows = " ".join(_values(base + i, r) for i, r in enumerate((ROW_MAX, ROW_MIN, ROW_NULL)))
    assert conn.execute(f"INSERT INTO d1 VALUES {rows}") == 3
    null_tags = ", ".join(sql for sql, _ in TAGS_D2)
    # Auto-create through INSERT … USING … TAGS.
    assert conn.execute(f"INSERT INTO d2 USING st TAGS ({null_tags}) VALUES {_values(base + 3, ROW_MISC)}") == 1
    conn.execute("CREATE STABLE sj (ts TIMESTAMP, v INT) TAGS (info JSON)")
    conn.execute(f"INSERT INTO j1 USING sj TAGS ('{JSON_TAG}') VALUES ({base}, 1)")
    conn.execute(f"INSERT INTO j2 USING sj TAGS (NULL) VALUES ({base + 1}, 2)")
    return db


JSON_TAG = '{"k":"v 中文","n":1.5,"t":true}'


def expected_rows(precision: str) -> List[Tuple[Any, ...]]:
    """``SELECT * FROM st ORDER BY ts`` with timestamps as ticks."""
    base = BASE_TS[precision]
    tag1 = tuple(v for _, v in d1_tags(precision))
    tag2 = tuple(v for _, v in TAGS_D2)
    out = []
    for i, row in enumerate((ROW_MAX, ROW_MIN, ROW_NULL)):
        out.append((base + i,) + tuple(v for _, v in row) + tag1)
    out.append((base + 3,) + tuple(v for _, v in ROW_MISC) + tag2)
    return out


TS_COLUMNS = {0, ALL_NAMES.index("t_ts")}


def ticks_of_datetime(value: dt.datetime, precision: str) -> int:
    """A tz-aware datetime → integer ticks (exact for ms and us)."""
    assert value.tzinfo is not None, value
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros // 1_000 if precision == "ms" else micros


_TS_TEXT = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?\s*(Z|UTC|[+-]\d\d:?\d\d)?$"
)


def ticks_of_text(text: str, precision: str) -> int:
    """The timestamp text of taos-ws-py's ``Connection.query`` iteration → integer ticks."""
    m = _TS_TEXT.match(text.strip())
    assert m, f"unexpected timestamp text {text!r}"
    y, mo, d, h, mi, s, frac, off = m.groups()
    secs = int(dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=dt.timezone.utc).timestamp())
    if off and off not in ("Z", "UTC"):
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        secs -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    nanos = int((frac or "").ljust(9, "0"))
    total = secs * 1_000_000_000 + nanos
    return total // (1_000_000_000 // TICKS_PER_SECOND[precision])


def normalize(row: Sequence[Any], precision: str, ts_cols: Sequence[int] = tuple(TS_COLUMNS)) -> Tuple[Any, ...]:
    """Timestamps of a client row → ticks; checks their Python type as it goes."""
    out = list(row)
    for i in ts_cols:
        v = out[i]
        if v is None:
            continue
        if isinstance(v, str):
            out[i] = ticks_of_text(v, precision)
        elif isinstance(v, dt.datetime):
            assert precision != "ns", f"ns timestamps are ints, got {v!r}"
            out[i] = ticks_of_datetime(v, precision)
        else:
            assert type(v) is int, v
            out[i] = v
    return tuple(out)


def assert_same_values(got: Sequence[Any], want: Sequence[Any], names: Sequence[str] = ALL_NAMES) -> None:
    """Value-by-value equality with exact types (bool is not int, Decimal keeps its scale)."""
    assert len(got) == len(want), (got, want)
    for name, g, w in zip(names, got, want):
        if w is None:
            assert g is None, (name, g)
            continue
        assert type(g) is type(w), (name, type(g), g, w)
        assert g == w, (name, g, w)
        if isinstance(w, Decimal):
            assert str(g) == str(w), (name, str(g), str(w))


def expected_by_name(precision: str) -> Dict[str, List[Any]]:
    """Column name → the expected values of ``SELECT * FROM st ORDER BY ts``."""
    rows = expected_rows(precision)
    return {name: [r[i] for r in rows] for i, name in enumerate(ALL_NAMES)}
