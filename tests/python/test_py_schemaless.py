"""``Connection.schemaless_insert``: argument forms, inputs, errors and precisions, written to
the embedded server and read back."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import socket
import struct
import threading

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import taosws

import taosarrow
from taosarrow import (
    PySchemalessPrecision,
    PySchemalessProtocol,
    SchemalessError,
    SmlPrecision,
    SmlProtocol,
    _native,
)

BASE_MS = 1_626_006_833_639


def lines(n: int, measurement: str = "m") -> list:
    return [f"{measurement},t1=a{i % 7},t2=b f1={i}i,f2={i}.5 {BASE_MS + i}" for i in range(n)]


def ints(conn: taosarrow.Connection, sql: str) -> list:
    """The first column as ints (timestamps as their ticks)."""
    table = taosarrow.read_arrow(sql, conn)
    return table.column(0).cast(pa.int64()).to_pylist()


def count(conn: taosarrow.Connection, table: str) -> int:
    return ints(conn, f"SELECT COUNT(*) FROM {table}")[0]


@pytest.fixture
def conn(server):
    c = taosarrow.connect(server.dsn())
    c.execute("CREATE DATABASE sml PRECISION 'ms'")
    c.execute("USE sml")
    yield c
    c.close()


# ---- enums and argument forms (no server) -------------------------------------------------


def test_enum_values_are_taospys():
    assert [(m.name, m.value) for m in SmlProtocol] == [
        ("UNKNOWN_PROTOCOL", 0),
        ("LINE_PROTOCOL", 1),
        ("TELNET_PROTOCOL", 2),
        ("JSON_PROTOCOL", 3),
    ]
    assert [(m.name, m.value) for m in SmlPrecision] == [
        ("NOT_CONFIGURED", 0),
        ("HOURS", 1),
        ("MINUTES", 2),
        ("SECONDS", 3),
        ("MILLI_SECONDS", 4),
        ("MICRO_SECONDS", 5),
        ("NANO_SECONDS", 6),
    ]


def test_aliases_are_the_same_members():
    assert PySchemalessProtocol is SmlProtocol
    assert PySchemalessPrecision is SmlPrecision
    for alias, canonical in [
        (SmlProtocol.Unknown, SmlProtocol.UNKNOWN_PROTOCOL),
        (SmlProtocol.Line, SmlProtocol.LINE_PROTOCOL),
        (SmlProtocol.Telnet, SmlProtocol.TELNET_PROTOCOL),
        (SmlProtocol.Json, SmlProtocol.JSON_PROTOCOL),
        (SmlPrecision.NotConfigured, SmlPrecision.NOT_CONFIGURED),
        (SmlPrecision.NonConfigured, SmlPrecision.NOT_CONFIGURED),
        (SmlPrecision.Hour, SmlPrecision.HOURS),
        (SmlPrecision.Minute, SmlPrecision.MINUTES),
        (SmlPrecision.Second, SmlPrecision.SECONDS),
        (SmlPrecision.Millisecond, SmlPrecision.MILLI_SECONDS),
        (SmlPrecision.Microsecond, SmlPrecision.MICRO_SECONDS),
        (SmlPrecision.Nanosecond, SmlPrecision.NANO_SECONDS),
    ]:
        assert alias is canonical


def test_taosws_enums_have_our_values():
    for name in ("Unknown", "Line", "Telnet", "Json"):
        assert int(getattr(taosws.PySchemalessProtocol, name)) == getattr(SmlProtocol, name)
    for name in ("NonConfigured", "Hour", "Minute", "Second", "Millisecond", "Microsecond", "Nanosecond"):
        assert int(getattr(taosws.PySchemalessPrecision, name)) == getattr(SmlPrecision, name)


@pytest.mark.parametrize(
    "given, code",
    [
        (SmlProtocol.LINE_PROTOCOL, 1),
        (SmlProtocol.TELNET_PROTOCOL, 2),
        (SmlProtocol.JSON_PROTOCOL, 3),
        (PySchemalessProtocol.Line, 1),
        (PySchemalessProtocol.Telnet, 2),
        (PySchemalessProtocol.Json, 3),
        (taosws.PySchemalessProtocol.Line, 1),
        (taosws.PySchemalessProtocol.Telnet, 2),
        (taosws.PySchemalessProtocol.Json, 3),
        (1, 1),
        (2, 2),
        (3, 3),
        ("line", 1),
        ("LINE", 1),
        ("influxdb", 1),
        ("telnet", 2),
        ("opentsdb_telnet", 2),
        ("json", 3),
        ("opentsdb_json", 3),
    ],
)
def test_every_protocol_form(given, code):
    assert _native.protocol_code(given) == code


@pytest.mark.parametrize(
    "given, code",
    [(m, m.value) for m in SmlPrecision]
    + [(getattr(SmlPrecision, n), v) for n, v in [("Hour", 1), ("Minute", 2), ("Second", 3), ("Millisecond", 4), ("Microsecond", 5), ("Nanosecond", 6), ("NotConfigured", 0)]]
    + [(getattr(taosws.PySchemalessPrecision, n), v) for n, v in [("NonConfigured", 0), ("Hour", 1), ("Minute", 2), ("Second", 3), ("Millisecond", 4), ("Microsecond", 5), ("Nanosecond", 6)]]
    + [(i, i) for i in range(7)]
    + [
        (None, 0),
        ("", 0),
        ("h", 1),
        ("hour", 1),
        ("m", 2),
        ("minute", 2),
        ("s", 3),
        ("second", 3),
        ("ms", 4),
        ("MS", 4),
        ("millisecond", 4),
        ("us", 5),
        ("u", 5),
        ("μs", 5),
        ("microsecond", 5),
        ("ns", 6),
        ("nanosecond", 6),
    ],
)
def test_every_precision_form(given, code):
    assert _native.precision_code(given) == code


@pytest.mark.parametrize("given", [SmlProtocol.UNKNOWN_PROTOCOL, taosws.PySchemalessProtocol.Unknown, 0, 4, -1, "csv"])
def test_unknown_protocols_are_refused(given):
    with pytest.raises(SchemalessError) as info:
        _native.protocol_code(given)
    assert info.value.errno == 0x3000 - 2**31
    assert info.value.msg


@pytest.mark.parametrize("given", [7, -1, "fortnight"])
def test_unknown_precisions_are_refused(given):
    with pytest.raises(SchemalessError) as info:
        _native.precision_code(given)
    assert info.value.errno == 0x3001 - 2**31


@pytest.mark.parametrize("given", [True, 1.0, [1], object()])
def test_wrong_types_are_type_errors(given):
    with pytest.raises(TypeError):
        _native.protocol_code(given)
    with pytest.raises(TypeError):
        _native.precision_code(given)


def test_schemaless_error_is_a_database_error_and_pickles():
    e = SchemalessError("bad", 0x3002)
    e.affected_rows = 5
    assert isinstance(e, taosarrow.DatabaseError)
    back = pickle.loads(pickle.dumps(e))
    assert (back.msg, back.errno, back.affected_rows) == ("bad", 0x3002, 5)
    assert str(back) == "[0x3002]: bad"


# ---- the wire, against a recording mock server ------------------------------------------


class RecordingServer:
    """A minimal WebSocket server answering ``version``, ``conn`` and ``insert`` (one affected
    row per line) and recording every ``insert``'s arguments."""

    def __init__(self) -> None:
        self.inserts: list = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    @staticmethod
    def _exact(c: socket.socket, n: int) -> bytes:
        b = b""
        while len(b) < n:
            chunk = c.recv(n - len(b))
            if not chunk:
                raise EOFError
            b += chunk
        return b

    def _frame(self, c: socket.socket) -> tuple:
        head = self._exact(c, 2)
        n = head[1] & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._exact(c, 2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._exact(c, 8))[0]
        mask = self._exact(c, 4) if head[1] & 0x80 else b"\0\0\0\0"
        data = bytearray(self._exact(c, n))
        for i in range(n):
            data[i] ^= mask[i % 4]
        return head[0] & 0x0F, bytes(data)

    @staticmethod
    def _send(c: socket.socket, reply: dict) -> None:
        b = json.dumps(reply).encode()
        size = bytes([len(b)]) if len(b) < 126 else bytes([126]) + struct.pack(">H", len(b))
        c.sendall(bytes([0x81]) + size + b)

    def _serve(self, c: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += c.recv(4096)
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key")
        )
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        c.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        while True:
            try:
                op, data = self._frame(c)
            except (EOFError, OSError):
                return
            if op == 8:
                return
            if op != 1:
                continue
            msg = json.loads(data)
            args = msg.get("args") or {}
            reply = {"code": 0, "message": "", "action": msg["action"], "req_id": args.get("req_id") or 0, "timing": 0}
            if msg["action"] == "insert":
                self.inserts.append(args)
                lines = args["data"].count("\n") + 1
                reply.update(affected_rows=lines, total_rows=lines)
            self._send(c, reply)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def recorder():
    s = RecordingServer()
    yield s
    s.close()


def test_arguments_reach_the_wire(recorder):
    with taosarrow.connect(f"ws://root:taosdata@127.0.0.1:{recorder.port}", conn_retries=0) as c:
        assert c.schemaless_insert(["a 1", "b 2"], SmlProtocol.TELNET_PROTOCOL, SmlPrecision.MICRO_SECONDS,
                                   req_id=4242, ttl=7, table_name_key="id") == 2
        assert c.schemaless_insert("x 1\ny 2\nz 3", "line", None) == 3
    first, second = recorder.inserts
    assert first == {"req_id": 4242, "protocol": 2, "precision": "u", "data": "a 1\nb 2", "ttl": 7, "table_name_key": "id"}
    assert (second["protocol"], second["precision"], second["data"]) == (1, "", "x 1\ny 2\nz 3")
    assert (second["ttl"], second["table_name_key"]) == (0, "")
    assert second["req_id"] != 0


def test_batches_from_python_keep_lines_whole(recorder):
    data = lines(300)
    with taosarrow.connect(f"ws://root:taosdata@127.0.0.1:{recorder.port}", conn_retries=0,
                           schemaless_batch_bytes=2048) as c:
        assert c.schemaless_insert(pa.array(data), "line", "ms") == 300
    assert len(recorder.inserts) > 5
    assert [line for r in recorder.inserts for line in r["data"].split("\n")] == data
    assert all(len(json.dumps({"action": "insert", "args": r})) <= 2048 for r in recorder.inserts)


# ---- written and read back ----------------------------------------------------------------


def test_protocol_zero_is_refused_before_sending(conn):
    with pytest.raises(SchemalessError) as info:
        conn.schemaless_insert(lines(1), SmlProtocol.UNKNOWN_PROTOCOL, SmlPrecision.MILLI_SECONDS)
    assert info.value.errno == 0x3000 - 2**31
    assert taosarrow.read_arrow("SHOW STABLES", conn).num_rows == 0


def test_the_argument_forms_all_write(conn):
    forms = [
        (SmlProtocol.LINE_PROTOCOL, SmlPrecision.MILLI_SECONDS),
        (PySchemalessProtocol.Line, PySchemalessPrecision.Millisecond),
        (taosws.PySchemalessProtocol.Line, taosws.PySchemalessPrecision.Millisecond),
        (1, 4),
        ("line", "ms"),
    ]
    for i, (protocol, precision) in enumerate(forms):
        n = conn.schemaless_insert(lines(3, f"f{i}"), protocol, precision)
        assert n == 3
        assert ints(conn, f"SELECT _ts FROM f{i} ORDER BY _ts") == [BASE_MS, BASE_MS + 1, BASE_MS + 2]
    # Keyword names of taospy and taos-ws-py.
    n = conn.schemaless_insert(
        lines=lines(2, "kw"), protocol=PySchemalessProtocol.Line,
        precision=PySchemalessPrecision.Millisecond, ttl=0, req_id=123,
    )
    assert n == 2


def test_list_str_and_arrow_inputs(conn):
    data = lines(50)
    inputs = {
        "list": data,
        "tuple": tuple(data),
        "str": "\n".join(data),
        "pa_array": pa.array(data),
        "pa_large": pa.array(data, type=pa.large_string()),
        "pa_view": pa.array(data, type=pa.string_view()),
        "pa_chunked": pa.chunked_array([data[:20], data[20:]]),
        "polars": pl.Series("lines", data),
        "pandas": pd.Series(data),
        "pandas_arrow": pd.Series(data, dtype="string[pyarrow]"),
    }
    for name, given in inputs.items():
        table = f"in_{name}"
        got = [line.replace("m,", f"{table},", 1) for line in data]
        if isinstance(given, str):
            given = "\n".join(got)
        elif isinstance(given, (list, tuple)):
            given = type(given)(got)
        elif isinstance(given, pl.Series):
            given = pl.Series("lines", got)
        elif isinstance(given, pd.Series):
            given = pd.Series(got, dtype=given.dtype)
        elif isinstance(given, pa.ChunkedArray):
            given = pa.chunked_array([got[:20], got[20:]])
        else:
            given = pa.array(got, type=given.type)
        assert conn.schemaless_insert(given, "line", "ms") == 50, name
        assert count(conn, table) == 50, name
        assert ints(conn, f"SELECT f1 FROM {table} ORDER BY _ts") == list(range(50)), name


def test_bad_inputs(conn):
    with pytest.raises(TypeError):
        conn.schemaless_insert(pa.array([1, 2]), "line", "ms")
    with pytest.raises(TypeError):
        conn.schemaless_insert(12, "line", "ms")
    with pytest.raises(taosarrow.Error, match="null"):
        conn.schemaless_insert(pa.array(["m f=1i 1", None]), "line", "ms")
    assert conn.schemaless_insert([], "line", "ms") == 0


def test_telnet_and_json(conn):
    telnet = [
        "meters.voltage 1648432611249 219 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611250 218 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611249 221 location=California.LosAngeles group=3",
        "meters.voltage 1648432611250 217 location=California.LosAngeles group=3",
    ]
    assert conn.schemaless_insert(telnet, SmlProtocol.TELNET_PROTOCOL, None) == 4
    assert count(conn, "meters_voltage") == 4
    doc = """[
    {"metric": "meters.current", "timestamp": 1681345954000, "value": 10.3,
    "tags": {"location": "California.SanFrancisco", "groupid": 2}},
    {"metric": "meters.current", "timestamp": 1648432611250, "value": 12.6,
    "tags": {"location": "California.SanFrancisco", "groupid": 2}}
    ]"""
    # As one str, and as a list whose elements are joined by "\n" into one document.
    assert conn.schemaless_insert(doc, SmlProtocol.JSON_PROTOCOL, SmlPrecision.NOT_CONFIGURED) == 2
    assert conn.schemaless_insert(doc.split("\n"), "json", None) == 2
    assert count(conn, "meters_current") == 2


def test_schemaless_error_has_errno_and_msg(conn):
    with pytest.raises(SchemalessError) as info:
        conn.schemaless_insert(["c,t=1 c4=4 1700000000000", "c,t=1 c4=4i 1700000000001"], "line", "ms")
    e = info.value
    assert e.errno == 0x3004 - 2**31
    assert isinstance(e.msg, str) and e.msg
    assert isinstance(e, taosarrow.DatabaseError)
    assert e.affected_rows == 0
    assert e.failed_batch == "refused"
    assert e.failed_lines == (0, 2)
    assert e.unsent_from == 2


def test_a_later_batch_failing_says_what_was_written(server):
    with taosarrow.connect(server.dsn(), schemaless_batch_bytes=4096) as c:
        c.execute("CREATE DATABASE later PRECISION 'ms'")
        c.execute("USE later")
        data = lines(1000)
        data[600] = 'm,t1=a,t2=b f1="text" 1'
        with pytest.raises(SchemalessError) as info:
            c.schemaless_insert(data, "line", "ms")
        e = info.value
        assert e.errno == 0x3004 - 2**31
        start, end = e.failed_lines
        assert start <= 600 < end
        assert e.lines_written == start
        assert e.affected_rows == start
        assert e.unsent_from == end
        assert e.lines == 1000
        assert f"lines {end}..1000 not sent" in e.msg
        unsent_ts = BASE_MS + end
        assert ints(c, f"SELECT COUNT(*) FROM m WHERE _ts >= {unsent_ts}") == [0]
        assert count(c, "m") >= start


def test_a_line_over_the_batch_limit_is_refused_before_sending(server):
    with taosarrow.connect(server.dsn(), schemaless_batch_bytes=1024) as c:
        c.execute("CREATE DATABASE big PRECISION 'ms'")
        c.execute("USE big")
        data = lines(10)
        data[4] = f'm f="{"x" * 2000}" 1'
        with pytest.raises(SchemalessError, match="line 4") as info:
            c.schemaless_insert(data, "line", "ms")
        assert info.value.errno == 0x0118 - 2**31
        assert taosarrow.read_arrow("SHOW STABLES", c).num_rows == 0


def test_table_name_key_names_the_child_table(conn):
    data = ["st,id=dev_1,loc=a f=1i 1700000000000", "st,id=dev_2,loc=b f=2i 1700000000001"]
    assert conn.schemaless_insert(data, "line", "ms", req_id=77, ttl=10, table_name_key="id") == 2
    names = sorted(taosarrow.read_arrow("SELECT DISTINCT tbname FROM st", conn).column(0).to_pylist())
    assert names == ["dev_1", "dev_2"]
    shown = taosarrow.read_arrow("SHOW TABLES", conn).column(0).to_pylist()
    assert {"dev_1", "dev_2"} <= set(shown)


@pytest.mark.parametrize("db_precision, factor", [("ms", 1), ("us", 1_000), ("ns", 1_000_000)])
def test_precisions_give_exact_ticks(server, db_precision, factor):
    with taosarrow.connect(server.dsn()) as c:
        c.execute(f"CREATE DATABASE p{db_precision} PRECISION '{db_precision}'")
        c.execute(f"USE p{db_precision}")
        cases = [
            (SmlPrecision.MILLI_SECONDS, BASE_MS, BASE_MS),
            (SmlPrecision.MICRO_SECONDS, BASE_MS * 1000, BASE_MS),
            (SmlPrecision.NANO_SECONDS, BASE_MS * 1_000_000, BASE_MS),
            (SmlPrecision.NOT_CONFIGURED, BASE_MS * 1_000_000, BASE_MS),
            (SmlPrecision.SECONDS, BASE_MS // 1000, BASE_MS // 1000 * 1000),
            (SmlPrecision.MINUTES, 27_100_113, 27_100_113 * 60_000),
            (SmlPrecision.HOURS, 451_668, 451_668 * 3_600_000),
        ]
        for i, (precision, value, want_ms) in enumerate(cases):
            assert c.schemaless_insert([f"t{i} f=1i {value}"], SmlProtocol.LINE_PROTOCOL, precision) == 1
            assert ints(c, f"SELECT _ts FROM t{i}") == [want_ms * factor], precision
        # "us" is our name for microseconds (sent as "u", which the server knows).
        c.schemaless_insert([f"u f=1i {BASE_MS * 1000}"], "line", "us")
        assert ints(c, "SELECT _ts FROM u") == [BASE_MS * factor]


def test_a_million_lines_in_one_call(conn):
    n = 1_000_000
    data = pa.array([f"big,t1=a{i % 1000},t2=b f1={i}i,f2=1.5,f3=2i,f4=t {BASE_MS + i}" for i in range(n)])
    assert conn.schemaless_insert(data, SmlProtocol.LINE_PROTOCOL, SmlPrecision.MILLI_SECONDS) == n
    assert count(conn, "big") == n
    assert ints(conn, "SELECT MAX(f1) FROM big") == [n - 1]
