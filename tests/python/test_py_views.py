"""taos-ws-py's value views (``*_to_tag``, ``*_to_column``): the Arrow arrays they hold, and
the same errors as taos-ws-py for values that do not fit."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

import taosarrow

import taosws  # the official client, installed by make test

# (builder, TDengine type code, Arrow type, good values)
COLUMNS = [
    ("bools_to_column", 1, pa.bool_(), [True, None, False]),
    ("tiny_ints_to_column", 2, pa.int8(), [-128, None, 127]),
    ("small_ints_to_column", 3, pa.int16(), [-32768, None, 32767]),
    ("ints_to_column", 4, pa.int32(), [-(2**31), None, 2**31 - 1]),
    ("big_ints_to_column", 5, pa.int64(), [-(2**63), None, 2**63 - 1]),
    ("floats_to_column", 6, pa.float32(), [1.5, None, -2.25]),
    ("doubles_to_column", 7, pa.float64(), [1.5, None, 1e300]),
    ("varchar_to_column", 8, pa.string(), ["a", None, "βγ"]),
    ("binary_to_column", 8, pa.string(), ["a", None, "b"]),
    ("millis_timestamps_to_column", 9, pa.timestamp("ms"), [1_700_000_000_000, None, -1]),
    ("micros_timestamps_to_column", 9, pa.timestamp("us"), [1_700_000_000_000_000, None]),
    ("nanos_timestamps_to_column", 9, pa.timestamp("ns"), [1_700_000_000_000_000_001, None]),
    ("nchar_to_column", 10, pa.string(), ["中文", None]),
    ("unsigned_tiny_ints_to_column", 11, pa.uint8(), [0, None, 255]),
    ("unsigned_small_ints_to_column", 12, pa.uint16(), [0, None, 65535]),
    ("unsigned_ints_to_column", 13, pa.uint32(), [0, None, 2**32 - 1]),
    ("unsigned_big_ints_to_column", 14, pa.uint64(), [0, None, 2**64 - 1]),
    ("json_to_column", 15, pa.string(), ['{"a":1}', None]),
    ("varbinary_to_column", 16, pa.binary(), [b"\x00\xff", None, bytearray(b"x")]),
    ("blob_to_column", 18, pa.large_binary(), [b"", None, b"\x124Vx"]),
    ("geometry_to_column", 20, pa.binary(), [b"\x01\x01\x00\x00\x00" + bytes(16), None]),
]

TAGS = [
    ("bool_to_tag", 1, pa.bool_(), True),
    ("tiny_int_to_tag", 2, pa.int8(), -128),
    ("small_int_to_tag", 3, pa.int16(), 32767),
    ("int_to_tag", 4, pa.int32(), 7),
    ("big_int_to_tag", 5, pa.int64(), -(2**63)),
    ("float_to_tag", 6, pa.float32(), 0.5),
    ("double_to_tag", 7, pa.float64(), 0.1),
    ("varchar_to_tag", 8, pa.string(), "sf"),
    ("nchar_to_tag", 10, pa.string(), "北京"),
    ("u_tiny_int_to_tag", 11, pa.uint8(), 255),
    ("u_small_int_to_tag", 12, pa.uint16(), 65535),
    ("u_int_to_tag", 13, pa.uint32(), 2**32 - 1),
    ("u_big_int_to_tag", 14, pa.uint64(), 2**64 - 1),
    ("json_to_tag", 15, pa.string(), '{"k":"v"}'),
    ("varbinary_to_tag", 16, pa.binary(), b"\x00\x01"),
    ("geometry_to_tag", 20, pa.binary(), b"\x01\x01\x00\x00\x00" + bytes(16)),
]


def test_every_taosws_builder_exists_with_the_same_name():
    names = [n for n in dir(taosws) if n.endswith(("_to_tag", "_to_column"))]
    assert names, "taos-ws-py exports builders"
    missing = [n for n in names if not callable(getattr(taosarrow, n, None))]
    assert missing == []
    for n in ["PyTagView", "PyColumnView", "PyPrecision", "stmt2_bind_param_view"]:
        assert hasattr(taosarrow, n), n


@pytest.mark.parametrize("name,code,arrow,values", COLUMNS, ids=[c[0] for c in COLUMNS])
def test_column_views_hold_the_arrow_type_of_their_tdengine_type(name, code, arrow, values):
    view = getattr(taosarrow, name)(values)
    assert isinstance(view, taosarrow.PyColumnView)
    assert view.type_code == code
    assert view.array.type == arrow
    assert len(view) == len(values)
    assert view.array.null_count == values.count(None)
    # taos-ws-py takes the same values.
    getattr(taosws, name)(values)
    got = view.array.to_pylist()
    if arrow == pa.timestamp("ms") or pa.types.is_timestamp(arrow):
        got = view.array.cast(pa.int64()).to_pylist()
    if arrow in (pa.binary(), pa.large_binary()):
        values = [None if v is None else bytes(v) for v in values]
    assert got == values
    assert repr(view).startswith("PyColumnView(")


@pytest.mark.parametrize("name,code,arrow,value", TAGS, ids=[t[0] for t in TAGS])
def test_tag_views_hold_one_value(name, code, arrow, value):
    view = getattr(taosarrow, name)(value)
    assert isinstance(view, taosarrow.PyTagView)
    assert view.type_code == code and view.array.type == arrow and len(view.array) == 1
    assert view.array[0].as_py() == value
    null = getattr(taosarrow, name)(None)
    assert null.array.type == arrow and null.array.null_count == 1
    assert repr(view).startswith("PyTagView(")


@pytest.mark.parametrize(
    "precision,unit",
    [
        (taosarrow.PyPrecision.Milliseconds, "ms"),
        (taosarrow.PyPrecision.Microseconds, "us"),
        (taosarrow.PyPrecision.Nanoseconds, "ns"),
    ],
)
def test_timestamp_tag_takes_a_precision(precision, unit):
    view = taosarrow.timestamp_to_tag(1_700_000_000_123, precision)
    assert view.type_code == 9 and view.array.type == pa.timestamp(unit)
    assert view.array.cast(pa.int64())[0].as_py() == 1_700_000_000_123
    assert taosarrow.timestamp_to_tag(None, precision).array.null_count == 1
    with pytest.raises(TypeError):
        taosarrow.timestamp_to_tag(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        taosarrow.timestamp_to_tag(1, 7)


# Bad inputs, each given to taos-ws-py and to us: the same exception class.
BAD = [
    ("tiny_int_to_tag", 128),
    ("tiny_int_to_tag", -129),
    ("tiny_int_to_tag", 1.5),
    ("int_to_tag", "1"),
    ("u_tiny_int_to_tag", -1),
    ("u_big_int_to_tag", 2**64),
    ("big_int_to_tag", 2**63),
    ("bool_to_tag", 1),
    ("bool_to_tag", "yes"),
    ("varchar_to_tag", 5),
    ("double_to_tag", "x"),
    ("ints_to_column", [1, 2**31]),
    ("ints_to_column", [1.0]),
    ("ints_to_column", "ab"),
    ("small_ints_to_column", [40000]),
    ("unsigned_ints_to_column", [-1]),
    ("unsigned_big_ints_to_column", [2**64]),
    ("big_ints_to_column", [2**63]),
    ("millis_timestamps_to_column", [2**63]),
    ("millis_timestamps_to_column", [1.5]),
    ("bools_to_column", [1]),
    ("floats_to_column", ["a"]),
    ("varchar_to_column", [1]),
    ("varbinary_to_column", [1]),
]


@pytest.mark.parametrize("name,arg", BAD, ids=[f"{n}-{a!r}"[:60] for n, a in BAD])
def test_bad_values_raise_what_taosws_raises(name, arg):
    with pytest.raises(Exception) as theirs:
        getattr(taosws, name)(arg)
    with pytest.raises(Exception) as ours:
        getattr(taosarrow, name)(arg)
    assert type(ours.value) is theirs.type, (ours.value, theirs.value)
    assert str(ours.value)


def test_out_of_range_is_overflow_error_with_the_builder_named():
    with pytest.raises(OverflowError, match="tiny_ints_to_column"):
        taosarrow.tiny_ints_to_column([1, 200])


def test_bools_and_ints_and_empty_lists():
    assert taosarrow.ints_to_column([True, False]).array.to_pylist() == [1, 0]
    assert len(taosarrow.ints_to_column([])) == 0
    assert taosarrow.ints_to_column((1, 2)).array.to_pylist() == [1, 2]
    assert taosarrow.floats_to_column([1, 2]).array.to_pylist() == [1.0, 2.0]
    assert taosarrow.ints_to_column([None, None]).array.type == pa.int32()


def test_views_export_the_arrow_c_interface():
    view = taosarrow.ints_to_column([1, 2, None])
    assert pa.array(view).to_pylist() == [1, 2, None]


def test_decimal_views_take_the_largest_scale():
    v = taosarrow.decimal64_to_column([Decimal("99.9876"), Decimal("1.0234"), None])
    assert v.type_code == 21 and v.array.type == pa.decimal128(18, 4)
    assert v.array.to_pylist() == [Decimal("99.9876"), Decimal("1.0234"), None]
    v = taosarrow.decimal_to_column([Decimal("1234567890.1234567890"), Decimal("1.23E+5")])
    assert v.type_code == 17 and v.array.type == pa.decimal128(38, 10)
    assert v.array.to_pylist()[1] == Decimal("123000")
    assert taosarrow.decimal64_to_column([None, None]).array.null_count == 2
    assert taosarrow.decimal_to_column([]).array.type == pa.decimal128(38, 0)
    assert "DECIMAL(18, 4)" in repr(taosarrow.decimal64_to_column([Decimal("1.0001")]))


@pytest.mark.parametrize(
    "builder,value,message",
    [
        ("decimal64_to_column", 1, r"expected decimal\.Decimal or None, got int at index 0"),
        ("decimal_to_column", "1.5", r"expected decimal\.Decimal or None, got str at index 0"),
        ("decimal64_to_column", Decimal("NaN"), r"decimal value must be finite, got 'NaN' at index 0"),
        ("decimal_to_column", Decimal("-Infinity"), r"must be finite, got '-Infinity' at index 0"),
        ("decimal_to_column", Decimal("sNaN"), r"must be finite, got 'sNaN' at index 0"),
        ("decimal64_to_column", Decimal("0.1234567890123456789"), r"^decimal64 scale exceeds maximum 18: "),
        ("decimal_to_column", Decimal("1E-100"), r"^decimal scale exceeds maximum 38: "),
        (
            "decimal_to_column",
            Decimal("0.123456789012345678901234567890123456789"),
            r"^decimal scale exceeds maximum 38: ",
        ),
    ],
)
def test_decimal_errors_match_taosws(builder, value, message):
    for mod in (taosws, taosarrow):
        with pytest.raises(mod.ProgrammingError, match=message):
            getattr(mod, builder)([value])


def test_decimal_precision_beyond_the_type_is_refused():
    with pytest.raises(taosarrow.ProgrammingError, match="decimal64 precision exceeds maximum 18"):
        taosarrow.decimal64_to_column([Decimal("1" * 19)])
    with pytest.raises(taosarrow.ProgrammingError, match="decimal precision exceeds maximum 38"):
        taosarrow.decimal_to_column([Decimal("1" * 39)])
    # Each fits, together they need 19 digits.
    with pytest.raises(taosarrow.ProgrammingError, match="decimal64"):
        taosarrow.decimal64_to_column([Decimal("1" * 17), Decimal("0.12")])


def test_stmt2_bind_param_view_checks_its_arguments():
    cols = [taosarrow.ints_to_column([1])]
    p = taosarrow.stmt2_bind_param_view("t", [taosarrow.int_to_tag(1)], cols)
    assert p.table_name == "t" and len(p.tags) == 1 and len(p.columns) == 1
    assert "PyStmt2BindParam" in repr(p)
    p = taosarrow.stmt2_bind_param_view(table_name=None, tags=None, columns=cols)
    assert p.tags is None
    with pytest.raises(taosarrow.ProgrammingError, match="stmt2 columns cannot be empty"):
        taosarrow.stmt2_bind_param_view("t", None, [])
    with pytest.raises(taosws.ProgrammingError, match="stmt2 columns cannot be empty"):
        taosws.stmt2_bind_param_view("t", None, [])
    with pytest.raises(TypeError):
        taosarrow.stmt2_bind_param_view("t", None, [[1, 2]])
    with pytest.raises(TypeError):
        taosarrow.stmt2_bind_param_view("t", [taosarrow.ints_to_column([1])], cols)


def test_precision_enum():
    assert [p.name for p in taosarrow.PyPrecision] == ["Milliseconds", "Microseconds", "Nanoseconds"]
    assert int(taosarrow.PyPrecision.Microseconds) == int(taosws.PyPrecision.Microseconds) == 1


def test_decimal_errors_name_the_index_as_taosws_does():
    values = [Decimal("1.5"), None, 5]
    for mod in (taosws, taosarrow):
        with pytest.raises(mod.ProgrammingError, match=r"got int at index 2$"):
            mod.decimal_to_column(values)
    values = [Decimal("1.5"), Decimal("Infinity")]
    for mod in (taosws, taosarrow):
        with pytest.raises(mod.ProgrammingError, match=r"got 'Infinity' at index 1$"):
            mod.decimal64_to_column(values)
