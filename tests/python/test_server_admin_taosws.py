"""What administration tools and the official client taos-ws-py 0.7.0 send beyond data:
SHOW statements and ``information_schema`` / ``performance_schema`` with TDengine 3.3's
columns, users and grants enforced on every path (SQL, stmt2, schemaless, TMQ), and KILL."""

from __future__ import annotations

import time

import pytest
import taosws

from conftest import RunningServer


def connect(server: RunningServer, user: str = "root", password: str = "taosdata", db: str = ""):
    dsn = server.dsn(user, password).replace("ws://", "taosws://")
    return taosws.connect(f"{dsn}/{db}" if db else dsn)


def col(conn, sql: str, k: int = 0) -> list:
    return [row[k] for row in conn.query(sql)]


def fields(conn, sql: str) -> list:
    return [f.name() for f in conn.query(sql).fields]


@pytest.fixture
def root(server):
    conn = connect(server)
    for sql in [
        "create database d vgroups 2",
        "create stable d.st (ts timestamp, v int) tags (t1 int, t2 varchar(8))",
        "create table d.c1 using d.st tags (1, 'a')",
        "create table d.n1 (ts timestamp, v int)",
        "insert into d.c1 values (1700000000000, 1)",
        "create user reader pass 'Reader_pass1'",
    ]:
        conn.execute(sql)
    yield conn
    conn.close()


def test_show_statements_have_tdengine_3_3s_columns(server, root):
    assert fields(root, "show dnodes") == [
        "id", "endpoint", "vnodes", "support_vnodes", "status", "create_time", "reboot_time", "note",
    ]
    assert col(root, "show databases") == ["information_schema", "performance_schema", "d"]
    # What the taosws SQLAlchemy dialect sends to reflect a database.
    assert col(root, "show `d`.stables") == ["st"]
    assert col(root, "show normal `d`.tables") == ["n1"]
    assert col(root, "show child `d`.tables") == ["c1"]
    assert len(fields(root, "select * from information_schema.ins_databases")) == 34
    assert fields(root, "describe d.st") == ["field", "type", "length", "note", "encode", "compress", "level"]
    assert col(root, "show create table d.c1", 1) == ["CREATE TABLE `c1` USING `st` (`t1`, `t2`) TAGS (1, \"a\")"]
    assert col(root, "show d.vgroups", 1) == ["d", "d"]
    assert col(root, "select name from information_schema.ins_databases where name like '%schema' order by name desc limit 1") == [
        "performance_schema"
    ]
    assert col(root, "show users") == ["reader", "root"]


def test_show_connections_lists_each_client_with_its_connector(server, root):
    other = connect(server, db="d")
    rows = list(root.query("show connections"))
    assert len(rows) == 2
    assert {r[1] for r in rows} == {"root"}
    # taos-ws-py names itself in `conn`; the column is `connector_info`.
    names = fields(root, "show connections")
    connector = [r[names.index("connector_info")] for r in rows]
    assert all(c.startswith("python-ws-v") for c in connector), connector
    # Each end point is the client's address.
    assert all(r[names.index("end_point")].startswith("127.0.0.1:") for r in rows)
    # The statement that asks is running while it is asked.
    queries = list(root.query("select sql from performance_schema.perf_queries"))
    assert queries == [("select sql from performance_schema.perf_queries",)]
    other.close()


def test_kill_connection_closes_it_and_bad_ids_are_errors(server, root):
    victim = connect(server)
    listed = set(col(root, "show connections"))
    assert len(listed) == 2
    # A connection's own statement is the one running on it while it lists the queries.
    (victim_id,) = col(victim, "select conn_id from performance_schema.perf_queries")
    assert victim_id in listed
    root.execute(f"kill connection {victim_id}")
    deadline = time.monotonic() + 5
    while victim_id in col(root, "show connections"):
        assert time.monotonic() < deadline, "the killed connection is still listed"
        time.sleep(0.02)
    with pytest.raises(Exception, match="0x030E"):
        root.execute("kill connection 4000000000")
    with pytest.raises(Exception, match="0x030C"):
        root.execute("kill query 'no-colon'")


def test_grants_are_enforced_on_sql_stmt2_and_schemaless(server, root):
    with pytest.raises(Exception, match="0x0357"):
        connect(server, "reader", "wrong")
    reader = connect(server, "reader", "Reader_pass1")
    with pytest.raises(Exception, match="0x2644"):
        reader.query("select * from d.c1")
    assert col(reader, "show databases") == ["information_schema", "performance_schema"]

    root.execute("grant read on d.* to reader")
    assert col(reader, "select v from d.c1") == [1]
    assert col(reader, "show databases") == ["information_schema", "performance_schema", "d"]
    with pytest.raises(Exception, match="0x2644"):
        reader.execute("insert into d.n1 values (1700000000000, 5)")
    # stmt2 inserts check the same privilege.
    stmt = reader.stmt2_statement()
    with pytest.raises(Exception, match="0x2644"):
        stmt.prepare("insert into d.n1 values (?, ?)")
    # Schemaless writes too.
    reader.execute("use d")
    with pytest.raises(Exception, match="0x2644"):
        reader.schemaless_insert(
            lines=["sml,t=1 v=1i 1700000000000"],
            protocol=taosws.PySchemalessProtocol.Line,
            precision=taosws.PySchemalessPrecision.Millisecond,
            ttl=0,
            req_id=1,
        )

    root.execute("grant write on d.* to reader")
    reader.execute("insert into d.n1 values (1700000000000, 5)")
    stmt = reader.stmt2_statement()
    stmt.prepare("insert into d.n1 values (?, ?)")
    stmt.bind([taosws.stmt2_bind_param_view(
        table_name="", tags=None,
        columns=[taosws.millis_timestamps_to_column([1700000000001]), taosws.ints_to_column([6])],
    )])
    assert stmt.execute() == 1
    assert col(root, "select v from d.n1 order by ts") == [5, 6]
    privileges = sorted(
        (r[1], r[2]) for r in root.query("select * from information_schema.ins_user_privileges where user_name = 'reader'")
    )
    assert privileges == [("read", "d"), ("write", "d")]
    root.execute("revoke all on d.* from reader")
    with pytest.raises(Exception, match="0x2644"):
        reader.query("select * from d.c1")
    reader.close()


def test_subscribing_needs_the_topic(server, root):
    root.execute("create topic tp as select * from d.st")
    conf = {
        "td.connect.websocket.scheme": "ws",
        "td.connect.ip": server.host,
        "td.connect.port": str(server.port),
        "td.connect.user": "reader",
        "td.connect.pass": "Reader_pass1",
        "group.id": "g",
        "auto.offset.reset": "earliest",
    }
    c = taosws.Consumer(conf=conf)
    with pytest.raises(Exception, match="0x0303"):
        c.subscribe(["tp"])
    c.close()
    root.execute("grant subscribe on tp to reader")
    c = taosws.Consumer(conf=conf)
    c.subscribe(["tp"])
    rows = []
    deadline = time.monotonic() + 10
    while not rows and time.monotonic() < deadline:
        m = c.poll(timeout=0.5)
        if m:
            rows = [tuple(r) for block in m for r in block]
    assert rows and rows[0][1] == 1
    c.unsubscribe()
    c.close()


def test_passwords_follow_the_strong_password_rule(root):
    with pytest.raises(Exception, match="0x0353"):
        root.execute("create user weak pass '12345678'")
    with pytest.raises(Exception, match="0x2611"):
        root.execute("create user short pass 'Ab1!'")
    root.execute("create user strong pass 'Ab1!@#$%^&*()-_+=[]{}'")
    assert "strong" in col(root, "show users")
    root.execute("drop user strong")
    with pytest.raises(Exception, match="0x2644"):
        root.execute("drop user root")
