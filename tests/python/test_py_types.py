"""The Python-visible type table follows the native (Rust) one: names, PEP 249 groups, and
the Arrow types placeholders are bound with."""

from __future__ import annotations

from typing import Dict, Tuple

import pyarrow as pa
import pytest

import taosarrow
from taosarrow import _native
from taosarrow.exceptions import ProgrammingError
from taosarrow.statement import Stmt2Field, _arrow_type
from taosarrow.types import TYPE_NAMES

TABLE: Dict[int, Tuple[str, object, bool]] = {
    code: (name, group, ok) for code, name, group, ok in _native.type_table()
}

#: The Arrow type of each supported code, as ``types.md`` §1 lists it (millisecond database).
EXPECTED = {
    1: pa.bool_(),
    2: pa.int8(),
    3: pa.int16(),
    4: pa.int32(),
    5: pa.int64(),
    6: pa.float32(),
    7: pa.float64(),
    8: pa.string(),
    9: pa.timestamp("ms"),
    10: pa.string(),
    11: pa.uint8(),
    12: pa.uint16(),
    13: pa.uint32(),
    14: pa.uint64(),
    15: pa.string(),
    16: pa.binary(),
    17: pa.decimal128(38, 4),
    18: pa.large_binary(),
    20: pa.binary(),
    21: pa.decimal128(18, 4),
}


def field(code: int, precision: int = 0, scale: int = 0) -> Stmt2Field:
    return Stmt2Field("c", code, precision, scale, 0, 1)


def test_native_table_covers_every_code_once() -> None:
    codes = [row[0] for row in _native.type_table()]
    assert codes == list(range(22))
    assert TABLE[19] == ("MEDIUMBLOB", "BINARY", False)
    assert TABLE[0] == ("NULL", None, False)


def test_type_names_are_the_native_names() -> None:
    assert TYPE_NAMES == {code: name for code, (name, _, _) in TABLE.items()}
    assert TYPE_NAMES[8] == "VARCHAR"
    assert TYPE_NAMES[11] == "TINYINT UNSIGNED"
    assert TYPE_NAMES[17] == TYPE_NAMES[21] == "DECIMAL"
    f = taosarrow.TaosField("v", 13, 4, 0, 0)
    assert f.type() == "INT UNSIGNED"


def test_pep249_groups_are_the_native_groups() -> None:
    objects = {
        "NUMBER": taosarrow.NUMBER,
        "STRING": taosarrow.STRING,
        "BINARY": taosarrow.BINARY,
        "DATETIME": taosarrow.DATETIME,
    }
    for code, (_, group, _) in TABLE.items():
        for name, obj in objects.items():
            assert (code == obj) == (group == name), (code, name)
        assert code != taosarrow.ROWID
    assert taosarrow.NUMBER == 1 and taosarrow.NUMBER == 21
    assert taosarrow.STRING == 15 and taosarrow.BINARY == 20 and taosarrow.DATETIME == 9


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_placeholder_arrow_types_follow_the_native_table(code: int) -> None:
    assert TABLE[code][2]
    precision = {17: 38, 21: 18}.get(code, 0)
    scale = 4 if code in (17, 21) else 0
    assert _arrow_type(field(code, precision, scale)) == EXPECTED[code]


def test_timestamp_placeholders_take_the_database_precision() -> None:
    assert _arrow_type(field(9, 1)) == pa.timestamp("us")
    assert _arrow_type(field(9, 2)) == pa.timestamp("ns")


@pytest.mark.parametrize("code", [0, 19, 22, -1])
def test_unsupported_placeholders_are_rejected(code: int) -> None:
    with pytest.raises(ProgrammingError, match="placeholder 'c'"):
        _arrow_type(field(code))


def test_invalid_decimal_placeholders_are_rejected() -> None:
    # DECIMAL64 holds at most 18 digits, DECIMAL at least 19.
    with pytest.raises(ProgrammingError):
        _arrow_type(field(21, 19, 0))
    with pytest.raises(ProgrammingError):
        _arrow_type(field(17, 18, 0))
    with pytest.raises(ProgrammingError):
        _arrow_type(field(17, 20, 21))
