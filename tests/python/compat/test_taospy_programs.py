"""The example programs taospy's documentation lists, call for call, written as a taospy
user would, with ``import taosarrow as taos`` instead of ``import taos``.

Where a program prints, these tests check what it would have printed. The programs are
``insert-lines.py``, ``json-tag.py``, ``native_all_type_query.py`` and
``native_all_type_stmt.py`` of taos-connector-python's ``examples/`` (``bind-multi.py`` and
``bind-row.py`` use ``from taos import *`` and are in ``test_taospy_star_import.py``;
``tests/test_stmt2.py`` is in ``test_taospy_stmt2_program.py``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

import taosarrow as taos
from taosarrow import SmlPrecision, SmlProtocol  # noqa: F401  (as the program imports them)
from taosarrow import PrecisionEnum, new_bind_params

#: The WKB of POINT(100 100), as native_all_type_stmt.py spells it out byte by byte.
POINT_100_100 = bytes(
    [0x01, 0x01, 0x00, 0x00, 0x00]
    + [0x00] * 6
    + [0x59, 0x40]
    + [0x00] * 6
    + [0x59, 0x40]
)


def ms(value: dt.datetime) -> int:
    """A row timestamp (an aware datetime) as epoch milliseconds."""
    return round(value.timestamp() * 1000)


def test_insert_lines(adapter_port):
    conn = taos.connect()
    dbname = "pytest_line"
    conn.execute("drop database if exists %s" % dbname)
    conn.execute("create database if not exists %s precision 'us'" % dbname)
    conn.select_db(dbname)

    lines = [
        'st,t1=3i64,t2=4f64,t3="t3" c1=3i64,c3=L"pass",c2=false,c4=4f64 1626006833639000000',
    ]
    assert conn.schemaless_insert(lines, taos.SmlProtocol.LINE_PROTOCOL, taos.SmlPrecision.NOT_CONFIGURED) == 1
    # The same line again overwrites the row (same timestamp): still one row.
    conn.schemaless_insert(lines, taos.SmlProtocol.LINE_PROTOCOL, taos.SmlPrecision.NOT_CONFIGURED)

    result = conn.query("show tables")
    tables = [row[0] for row in result]
    assert len(tables) == 1 and tables[0].startswith("t_")

    rows = conn.query("select c1, c3, c2, c4, t1, t2, t3 from st").fetch_all()
    # Line-protocol tags are NCHAR, kept as written.
    assert rows == [(3, "pass", False, 4.0, "3i64", "4f64", '"t3"')]
    (ts,) = conn.query("select _ts from st").fetch_all()[0]  # schemaless names it _ts
    assert round(ts.timestamp() * 1_000_000) == 1626006833639000

    conn.execute("drop database if exists %s" % dbname)
    conn.close()


def test_json_tag(adapter_port):
    conn = taos.connect()
    conn.execute("drop database if exists py_test_json_type")
    conn.execute("create database if not exists py_test_json_type")
    conn.execute("use py_test_json_type")

    conn.execute("create stable s1 (ts timestamp, v1 int) tags (info json)")
    conn.execute("create table s1_1 using s1 tags ('{\"k1\": \"v1\"}')")
    tags = conn.query("select info, tbname from s1").fetch_all_into_dict()
    # A projection of tags reads rows, and s1_1 has none yet: the program prints [] (as it
    # does against TDengine 3; `SELECT TAGS` would list the child tables).
    assert tags == []
    k1 = conn.query("select info->'k1' as k1 from s1").fetch_all_into_dict()
    assert k1 == []

    # Beyond the program: with a row, the same two queries show the tag and its key.
    conn.execute("insert into s1_1 values (now, 1)")
    tags = conn.query("select info, tbname from s1").fetch_all_into_dict()
    assert len(tags) == 1 and tags[0]["tbname"] == "s1_1"
    assert json.loads(tags[0]["info"]) == {"k1": "v1"}
    k1 = conn.query("select info->'k1' as k1 from s1").fetch_all_into_dict()
    assert k1 == [{"k1": '"v1"'}]

    conn.execute("drop database py_test_json_type")
    conn.close()


HOST, NATIVE_PORT = "127.0.0.1", 6030


def test_native_all_type_query(server_on):
    server_on(NATIVE_PORT)

    # json_tag_example()
    conn = taos.connect(host=HOST, port=NATIVE_PORT, user="root", password="taosdata")
    rows_affected: int = conn.execute("CREATE DATABASE IF NOT EXISTS example_json_tag")
    assert rows_affected == 0
    rows_affected = conn.execute(
        "create table if not exists example_json_tag.stb (ts timestamp, v int) tags(jt json)"
    )
    assert rows_affected == 0
    rows_affected = conn.execute(
        "insert into example_json_tag.tb1 using example_json_tag.stb tags('{\"name\":\"value\"}') values(now, 1)"
    )
    assert rows_affected == 1
    result = conn.query("SELECT ts, v, jt FROM example_json_tag.stb limit 100", req_id=1)
    rows = [(row[0], row[1], row[2]) for row in result]
    assert len(rows) == 1
    ts, v, jt = rows[0]
    assert isinstance(ts, dt.datetime) and ts.tzinfo is not None
    assert v == 1 and json.loads(jt) == {"name": "value"}
    conn.close()

    # all_type_example()
    conn = taos.connect(host=HOST, port=NATIVE_PORT, user="root", password="taosdata")
    assert conn.execute("CREATE DATABASE IF NOT EXISTS all_type_example") == 0
    conn.select_db("all_type_example")
    cols = [
        "ts timestamp",
        "int_col INT",
        "double_col DOUBLE",
        "bool_col BOOL",
        "binary_col BINARY(100)",
        "nchar_col NCHAR(100)",
        "varbinary_col VARBINARY(100)",
        "geometry_col GEOMETRY(100)",
    ]
    tags = [
        "int_tag INT",
        "double_tag DOUBLE",
        "bool_tag BOOL",
        "binary_tag BINARY(100)",
        "nchar_tag NCHAR(100)",
        "varbinary_tag VARBINARY(100)",
        "geometry_tag GEOMETRY(100)",
    ]
    conn.execute(
        "create table IF NOT EXISTS all_type_example.stb(%s) tags(%s)" % (",".join(cols), ",".join(tags))
    )
    rows_affected = conn.execute(
        "INSERT INTO all_type_example.tb1 using all_type_example.stb tags(1, 1.1, true, 'binary_value', "
        "'nchar_value', '\\x98f46e', 'POINT(100 100)') "
        + "values(now, 1, 1.1, true, 'binary_value', 'nchar_value', '\\x98f46e', 'POINT(100 100)')"
    )
    assert rows_affected == 1
    result = conn.query("SELECT * FROM all_type_example.stb limit 100", req_id=1)
    data = result.fetch_all_into_dict()
    assert len(data) == 1
    row = data[0]
    assert list(row) == [c.split()[0] for c in cols + tags]
    assert isinstance(row["ts"], dt.datetime)
    assert (row["int_col"], row["double_col"], row["bool_col"]) == (1, 1.1, True)
    assert (row["binary_col"], row["nchar_col"]) == ("binary_value", "nchar_value")
    assert row["varbinary_col"] == b"\x98\xf4\x6e" and isinstance(row["varbinary_col"], bytes)
    assert row["geometry_col"] == POINT_100_100
    assert (row["int_tag"], row["double_tag"], row["bool_tag"]) == (1, 1.1, True)
    assert (row["binary_tag"], row["nchar_tag"]) == ("binary_value", "nchar_value")
    assert row["varbinary_tag"] == b"\x98\xf4\x6e"
    assert row["geometry_tag"] == POINT_100_100
    conn.close()


def test_native_all_type_stmt(server_on):
    server_on(NATIVE_PORT)

    # json_tag_example()
    conn = taos.connect(host=HOST, port=NATIVE_PORT, user="root", password="taosdata")
    assert conn.execute("CREATE DATABASE IF NOT EXISTS example_json_tag") == 0
    conn.select_db("example_json_tag")
    assert conn.execute("create table if not exists stb (ts timestamp, v int) tags(jt json)") == 0

    stmt = conn.statement("INSERT INTO ? using stb tags(?) VALUES (?,?)")
    tags = new_bind_params(1)
    tags[0].json('{"name":"value"}')
    stmt.set_tbname_tags("tb1", tags)
    params = new_bind_params(2)
    params[0].timestamp(1626861392589, PrecisionEnum.Milliseconds)
    params[1].int(7)
    stmt.bind_param(params)
    stmt.execute()
    assert stmt.affected_rows == 1

    result = conn.query("SELECT ts, v, jt FROM stb limit 100", req_id=1)
    rows = list(result)
    assert len(rows) == 1
    assert ms(rows[0][0]) == 1626861392589 and rows[0][1] == 7
    assert json.loads(rows[0][2]) == {"name": "value"}
    conn.close()

    # all_type_example()
    conn = taos.connect(host=HOST, port=NATIVE_PORT, user="root", password="taosdata")
    assert conn.execute("CREATE DATABASE IF NOT EXISTS all_type_example") == 0
    conn.select_db("all_type_example")
    conn.execute(
        "create table IF NOT EXISTS stb(ts timestamp,int_col INT,double_col DOUBLE,bool_col BOOL,"
        "binary_col BINARY(100),nchar_col NCHAR(100),varbinary_col VARBINARY(100),"
        "geometry_col GEOMETRY(100)) tags(int_tag INT,double_tag DOUBLE,bool_tag BOOL,"
        "binary_tag BINARY(100),nchar_tag NCHAR(100),varbinary_tag VARBINARY(100),"
        "geometry_tag GEOMETRY(100))"
    )
    stmt = conn.statement("INSERT INTO ? using stb tags(?,?,?,?,?,?,?) VALUES (?,?,?,?,?,?,?,?)")
    tags = new_bind_params(7)
    tags[0].int(1)
    tags[1].double(1.1)
    tags[2].bool(True)
    tags[3].binary("hello")
    tags[4].nchar("stmt")
    tags[5].varbinary(bytearray("Hello, world!", "utf-8"))
    tags[6].geometry(bytearray(POINT_100_100))
    stmt.set_tbname_tags("tb1", tags)

    params = new_bind_params(8)
    params[0].timestamp(1626861392589, PrecisionEnum.Milliseconds)
    params[1].int(1)
    params[2].double(1.1)
    params[3].bool(True)
    params[4].binary("hello")
    params[5].nchar("stmt")
    params[6].varbinary(bytearray("Hello, world!", "utf-8"))
    params[7].geometry(bytearray(POINT_100_100))
    stmt.bind_param(params)
    stmt.execute()
    assert stmt.affected_rows == 1

    result = conn.query("SELECT * FROM stb limit 100", req_id=1)
    data = result.fetch_all_into_dict()
    assert len(data) == 1
    row = data[0]
    assert ms(row["ts"]) == 1626861392589
    assert (row["int_col"], row["double_col"], row["bool_col"]) == (1, 1.1, True)
    assert (row["binary_col"], row["nchar_col"]) == ("hello", "stmt")
    assert row["varbinary_col"] == b"Hello, world!"
    assert row["geometry_col"] == POINT_100_100
    assert (row["int_tag"], row["double_tag"], row["bool_tag"]) == (1, 1.1, True)
    assert (row["binary_tag"], row["nchar_tag"]) == ("hello", "stmt")
    assert row["varbinary_tag"] == b"Hello, world!"
    assert row["geometry_tag"] == POINT_100_100
    conn.close()


def test_programs_catch_errors_the_documented_way(adapter_port):
    """The programs wrap their calls in ``except Exception as err: print(err)``; what they
    print is taospy's ``[0x%04x]: message``, and the class is the documented one."""
    conn = taos.connect()
    with pytest.raises(taos.ProgrammingError) as info:
        conn.execute("CREATE TABLE 123")
    err = info.value
    assert err.errno == -2147473920  # 0x80000000 | 0x2600, as a signed 32-bit int
    assert str(err) == f"[0x2600]: {err.msg}"
    assert isinstance(err, taos.Error) and isinstance(err, Exception)
    conn.close()
