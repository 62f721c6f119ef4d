"""The example programs of taos-ws-py (``taos-ws-py/examples/*.py`` in taos-connector-python),
call for call, written as a taos-ws-py user would, with ``import taosarrow as taosws``."""

from __future__ import annotations

import datetime

import taosarrow as taosws
from taosarrow import PySchemalessPrecision, PySchemalessProtocol

ENV = {
    "db_protocol": "taosws",
    "db_user": "root",
    "db_pass": "taosdata",
    "db_host": "localhost",
    "db_port": 6041,
    "db_name": "t_ws",
}


def make_context(config):
    url = f"{config['db_protocol']}://{config['db_user']}:{config['db_pass']}@{config['db_host']}:{config['db_port']}"
    return taosws.connect(url), config["db_name"]


TABLES = [{"name": "tb1", "t1": 1}, {"name": "tb2", "t1": 2}, {"name": "tb3", "t1": 3}]


def stored_rows(conn):
    return sorted((row[1], row[2]) for row in conn.query("select ts, v1, t1 from stb"))


def test_connection_execute(adapter_port):
    conn, db = make_context(ENV)
    res = conn.execute("show dnodes")
    assert res == 0
    conn.execute(f"drop database if exists {db}")
    conn.execute(f"create database {db}")
    conn.execute(f"use {db}")
    conn.execute("create stable stb (ts timestamp, v1 int) tags(t1 int)")
    for d in TABLES:
        assert conn.execute(f"create table {d.get('name')} using stb tags({d.get('t1')})") == 0
    ts = datetime.datetime.now().astimezone()
    for d in [("tb1", ts, 1), ("tb2", ts, 2), ("tb3", ts, 3)]:
        assert conn.execute(f"insert into {d[0]} values('{d[1]}', {d[2]})") == 1
    row = conn.execute("select * from stb")
    assert row == 0  # taos-ws-py: a query run through execute affects no rows
    assert stored_rows(conn) == [(1, 1), (2, 2), (3, 3)]
    conn.close()


def test_connection_execute_with_req_id(adapter_port):
    conn, db = make_context(ENV)
    assert conn.execute_with_req_id("show dnodes", 1) == 0
    conn.execute_with_req_id(f"drop database if exists {db}", 1)
    conn.execute_with_req_id(f"create database {db}", 1)
    conn.execute_with_req_id(f"use {db}", 1)
    conn.execute_with_req_id("create stable stb (ts timestamp, v1 int) tags(t1 int)", 1)
    for d in TABLES:
        conn.execute_with_req_id(f"create table {d.get('name')} using stb tags({d.get('t1')})", 1)
    ts = datetime.datetime.now().astimezone()
    for d in [("tb1", ts, 1), ("tb2", ts, 2), ("tb3", ts, 3)]:
        assert conn.execute_with_req_id(f"insert into {d[0]} values('{d[1]}', {d[2]})", 1) == 1
    assert conn.execute_with_req_id("select * from stb", 1) == 0
    assert stored_rows(conn) == [(1, 1), (2, 2), (3, 3)]
    conn.close()


def test_cursor_execute(adapter_port):
    conn, db = make_context(ENV)
    cur = conn.cursor()
    cur.execute("show dnodes", 1)
    assert cur.fetchall()  # one dnode
    cur.execute(f"drop database if exists {db}")
    cur.execute(f"create database {db}")
    cur.execute("use {name}", name=db)
    cur.execute("create stable stb (ts timestamp, v1 int) tags(t1 int)")
    cur.execute_many("create table {name} using stb tags({t1})", TABLES)
    ts = datetime.datetime.now().astimezone()
    cur.execute_many("insert into {} values('{}', {})", [("tb1", ts, 1), ("tb2", ts, 2), ("tb3", ts, 3)])
    assert cur.row_count == 3
    cur.execute("select * from stb")
    row = cur.fetchone()
    assert row is not None and len(row) == 3
    assert row[0].tzinfo is not None and abs(row[0].timestamp() - ts.timestamp()) < 0.001
    cur.close()
    assert stored_rows(conn) == [(1, 1), (2, 2), (3, 3)]
    conn.close()


def test_cursor_execute_with_req_id(adapter_port):
    conn, db = make_context(ENV)
    cur = conn.cursor()
    cur.execute_with_req_id("show dnodes", 1)
    cur.execute_with_req_id(f"drop database if exists {db}", req_id=1)
    cur.execute_with_req_id(f"create database {db}", req_id=1)
    cur.execute_with_req_id("use {name}", name=db, req_id=1)
    cur.execute_with_req_id("create stable stb (ts timestamp, v1 int) tags(t1 int)", req_id=1)
    cur.execute_many_with_req_id("create table {name} using stb tags({t1})", TABLES, 1)
    ts = datetime.datetime.now().astimezone()
    cur.execute_many_with_req_id("insert into {} values('{}', {})", [("tb1", ts, 1), ("tb2", ts, 2), ("tb3", ts, 3)], 1)
    cur.execute_with_req_id("select * from stb", 1)
    row = cur.fetchone()
    assert row is not None
    assert stored_rows(conn) == [(1, 1), (2, 2), (3, 3)]
    conn.close()


def test_demo(adapter_port):
    conn = taosws.connect("ws://localhost:6041")
    conn.execute("create database if not exists connwspy")
    conn.execute("use connwspy")
    conn.execute("create table if not exists stb (ts timestamp, c1 int) tags (t1 int)")
    conn.execute("create table if not exists tb1 using stb tags (1)")
    conn.execute("insert into tb1 values (now, 1)")
    conn.execute("insert into tb1 values (now, 2)")
    conn.execute("insert into tb1 values (now, 3)")

    result = conn.query("show databases")
    num_of_fields = result.field_count
    assert num_of_fields == len(result.fields) > 0
    names = []
    for field in result.fields:
        assert isinstance(str(field), str)
        names.append(field.name())
        assert isinstance(field.type(), str) and isinstance(field.bytes(), int)
    assert names[0] == "name"
    databases = [row[0] for row in result]
    assert "connwspy" in databases
    # Three inserts at `now`: those within one millisecond overwrite each other (the last wins).
    values = [r[0] for r in conn.query("select c1 from connwspy.tb1")]
    assert values and set(values) <= {1, 2, 3} and values[-1] == 3
    conn.execute("drop database if exists connwspy")
    conn.close()


def test_schemaless_example(adapter_port):
    import taosarrow as taos

    taos_conn = taos.connect()
    taos_conn.execute("drop database if exists test")
    taos_conn.execute("create database if not exists test")

    conn = taosws.connect("taosws://root:taosdata@localhost:6041/test")
    line_data = [
        "measurement,host=host1 field1=2i,field2=2.0 1577837300000",
        "measurement,host=host1 field1=2i,field2=2.0 1577837400000",
        "measurement,host=host1 field1=2i,field2=2.0 1577837500000",
        "measurement,host=host1 field1=2i,field2=2.0 1577837600000",
    ]
    json_data = [
        """[
        {"metric": "meters.current", "timestamp": 1681345954000, "value": 10.3,
        "tags": {"location": "California.SanFrancisco", "groupid": 2}},
        {"metric": "meters.current", "timestamp": 1648432611250, "value": 12.6,
        "tags": {"location": "California.SanFrancisco", "groupid": 2}}
        ]"""
    ]
    telnet_data = [
        "meters.voltage 1648432611249 219 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611250 218 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611249 221 location=California.LosAngeles group=3",
        "meters.voltage 1648432611250 217 location=California.LosAngeles group=3",
    ]
    conn.schemaless_insert(
        lines=line_data,
        protocol=PySchemalessProtocol.Line,
        precision=PySchemalessPrecision.Millisecond,
        ttl=0,
        req_id=123,
    )
    conn.schemaless_insert(
        lines=json_data,
        protocol=PySchemalessProtocol.Json,
        precision=PySchemalessPrecision.Millisecond,
        ttl=0,
        req_id=123,
    )
    conn.schemaless_insert(
        lines=telnet_data,
        protocol=PySchemalessProtocol.Telnet,
        precision=PySchemalessPrecision.Millisecond,
        ttl=0,
        req_id=123,
    )
    conn.close()

    counts = {
        table: taos_conn.query(f"select count(*) from test.{table}").fetch_all()[0][0]
        for table in ("measurement", "meters_current", "meters_voltage")  # dots become underscores
    }
    assert counts == {"measurement": 4, "meters_current": 2, "meters_voltage": 4}
    taos_conn.close()


def before_stmt_test(db_name):
    import taosarrow as taos

    taos_conn = taos.connect()
    taos_conn.execute("drop database if exists %s" % db_name)
    taos_conn.execute("create database %s" % db_name)
    taos_conn.select_db(db_name)
    taos_conn.execute("create table t1 (ts timestamp, a int, b float, c varchar(10))")
    taos_conn.execute("create table stb1 (ts timestamp, a int, b float, c varchar(10)) tags (t1 int, t2 binary(10))")
    taos_conn.close()


def test_stmt_example_insert(adapter_port):
    db_name = "test_ws_stmt_1"
    before_stmt_test(db_name)
    conn = taosws.connect("taosws://root:taosdata@localhost:6041/%s" % db_name)
    stmt = conn.statement()
    stmt.prepare("insert into t1 values (?, ?, ?, ?)")
    stmt.bind_param(
        [
            taosws.millis_timestamps_to_column([1686844900000, 1686844901000, 1686844902000, 1686844903000]),
            taosws.ints_to_column([1, 2, 3, 4]),
            taosws.floats_to_column([1.1, 2.2, 3.3, 4.4]),
            taosws.varchar_to_column(["a", "b", "c", "d"]),
        ]
    )
    stmt.add_batch()
    rows = stmt.execute()
    assert rows == 4
    stmt.close()
    got = [(r[1], r[3]) for r in conn.query("select * from t1")]
    assert got == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
    conn.close()


def test_stmt_example_insert_into_stable(adapter_port):
    db_name = "test_ws_stmt_2"
    before_stmt_test(db_name)
    conn = taosws.connect("taosws://root:taosdata@localhost:6041/%s" % db_name)
    stmt = conn.statement()
    stmt.prepare("insert into ? using stb1 tags (?, ?) values (?, ?, ?, ?)")
    stmt.set_tbname("stb1_1")
    stmt.set_tags([taosws.int_to_tag(1), taosws.varchar_to_tag("aaa")])
    stmt.bind_param(
        [
            taosws.millis_timestamps_to_column([1686844900000, 1686844901000, 1686844902000, 1686844903000]),
            taosws.ints_to_column([1, 2, 3, 4]),
            taosws.floats_to_column([1.1, 2.2, 3.3, 4.4]),
            taosws.varchar_to_column(["a", "b", "c", "d"]),
        ]
    )
    stmt.add_batch()
    rows = stmt.execute()
    assert rows == 4
    stmt.close()
    got = [(r[1], r[3], r[4], r[5]) for r in conn.query("select * from stb1 where tbname = 'stb1_1'")]
    assert got == [(1, "a", 1, "aaa"), (2, "b", 1, "aaa"), (3, "c", 1, "aaa"), (4, "d", 1, "aaa")]
    conn.close()
