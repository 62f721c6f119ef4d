"""The exception contract taospy and taos-ws-py programs rely on, against the embedded server:
class names and tree, ``errno`` in taospy's signed 32-bit form, ``msg``, ``str(e)``."""

from __future__ import annotations

import pickle

import pytest

import taosarrow
import taosarrow.error
import taosarrow.exceptions
from taosarrow.testing import LocalServer

#: taos-ws-py 0.7.0's exception names (its module adds exactly these).
TAOSWS_NAMES = [
    "Error",
    "Warning",
    "DatabaseError",
    "InterfaceError",
    "ConnectionError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "QueryError",
    "FetchError",
    "ConsumerException",
]
#: taospy's ``taos.error`` classes.
TAOSPY_NAMES = [
    "Error",
    "Warning",
    "InterfaceError",
    "DatabaseError",
    "ConnectionError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "StatementError",
    "ResultError",
    "SchemalessError",
    "LinesError",
    "TmqError",
    "DataTypeAndRangeError",
]


def signed(code: int) -> int:
    """taospy's errno of a 16-bit TDengine code."""
    return code - 2**31


@pytest.fixture(scope="module")
def server():
    with LocalServer() as s:
        yield s


@pytest.fixture
def conn(server):
    with taosarrow.connect(server.dsn()) as c:
        yield c


@pytest.mark.parametrize("name", sorted(set(TAOSWS_NAMES + TAOSPY_NAMES)))
def test_every_name_is_one_class_in_every_module(name):
    cls = getattr(taosarrow, name)
    assert getattr(taosarrow.error, name) is cls
    assert getattr(taosarrow.exceptions, name) is cls
    assert issubclass(cls, Exception)
    assert name in taosarrow.error.__all__ and name in taosarrow.__all__


def test_the_tree_places_every_upstream_name():
    ex = taosarrow.exceptions
    assert ex.FetchError is ex.ResultError
    assert ex.ConsumerException is ex.TmqError
    assert ex.LinesError is ex.SchemalessError
    assert issubclass(ex.QueryError, ex.ProgrammingError) and issubclass(ex.QueryError, ex.DatabaseError)
    assert issubclass(ex.OperationalQueryError, ex.QueryError)
    assert issubclass(ex.OperationalQueryError, ex.OperationalError)
    assert issubclass(ex.ConnectionError, ex.Error) and issubclass(ex.ConsumerException, ex.Error)
    assert issubclass(ex.DataTypeAndRangeError, ex.Error)
    assert not issubclass(ex.InterfaceError, ex.DatabaseError)
    for name in TAOSWS_NAMES + TAOSPY_NAMES:
        if name != "Warning":
            assert issubclass(getattr(ex, name), ex.Error), name


def test_a_bad_statement_is_a_programming_error_with_taospy_errno(conn):
    with pytest.raises(taosarrow.ProgrammingError) as info:
        conn.execute("CREATE TABLE 123")
    e = info.value
    assert isinstance(e, taosarrow.QueryError) and not isinstance(e, taosarrow.OperationalError)
    assert e.errno == -2147473920 == signed(0x2600)
    assert e.errno & 0xFFFF == 0x2600 and taosarrow.exceptions.errno_code(e.errno) == 0x2600
    assert e.msg and "[0x" not in e.msg
    assert str(e) == f"[0x2600]: {e.msg}"
    assert e.args == (e.msg,)


@pytest.mark.parametrize("how", ["execute", "query", "cursor"])
def test_every_statement_path_raises_the_same(conn, how):
    sql = "SELECT * FROM nodb_here.t"
    with pytest.raises(taosarrow.QueryError) as info:
        if how == "cursor":
            conn.cursor().execute(sql)
        else:
            getattr(conn, how)(sql)
    assert info.value.errno == signed(0x0388)
    assert str(info.value).startswith("[0x0388]: ")


def test_errors_of_the_connection_itself(server):
    with pytest.raises(taosarrow.ConnectionError) as info:
        taosarrow.connect(server.dsn().replace("taosdata@", "wrong@"), conn_retries=0)
    e = info.value
    assert isinstance(e, taosarrow.OperationalError)
    assert e.errno == signed(0x0357) and str(e) == f"[0x0357]: {e.msg}"
    with pytest.raises(taosarrow.InterfaceError) as bad:
        taosarrow.connect(server.dsn(), no_such_option=1)
    # Client-side codes are the official clients' 0xE0xx ones.
    assert bad.value.errno == signed(0xE000)
    assert "no_such_option" in bad.value.msg


def test_errors_without_a_code_keep_errno_none(conn):
    cur = conn.cursor()
    cur.close()
    with pytest.raises(taosarrow.InterfaceError) as info:
        cur.execute("SELECT 1")
    assert info.value.errno is None
    assert str(info.value) == info.value.msg == "the cursor is closed"
    with pytest.raises(taosarrow.ProgrammingError) as fmt:
        conn.cursor().execute("SELECT {}", "1; DROP DATABASE x")
    assert fmt.value.errno is None


def test_constructed_errors_behave_as_taospy(conn):
    e = taosarrow.ProgrammingError("boom", signed(0x2600))
    assert str(e) == "[0x2600]: boom" and e.msg == "boom"
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is taosarrow.ProgrammingError and (back.msg, back.errno) == ("boom", signed(0x2600))
    assert str(taosarrow.InternalError(errno=0x1234, msg="m")) == "[0x1234]: m"
    assert str(taosarrow.Error()) == "" and taosarrow.Error().errno is None


def test_schemaless_and_ingest_errors_use_the_same_errno(conn):
    conn.execute("CREATE DATABASE sml_err PRECISION 'ms'")
    conn.select_db("sml_err")
    with pytest.raises(taosarrow.SchemalessError) as info:
        conn.schemaless_insert(["c,t=1 c4=4 1700000000000", "c,t=1 c4=4i 1700000000001"], "line", "ms")
    assert info.value.errno == signed(0x3004)
    assert str(info.value) == f"[0x3004]: {info.value.msg}"
    import pyarrow as pa

    conn.execute("CREATE TABLE sml_err.w (ts TIMESTAMP, v INT)")
    with pytest.raises(taosarrow.StatementError) as ingest:
        conn.write(pa.table({"ts": pa.array([1], pa.timestamp("ms")), "nope": [1]}), "sml_err.w")
    assert ingest.value.errno == signed(0x2602)
    assert str(ingest.value) == f"[0x2602]: {ingest.value.msg}" and "nope" in ingest.value.msg


def test_an_operational_server_code_is_an_operational_error(server_factory):
    """0x0022 (too many open results) is the server's load, not the statement's fault: an
    ``OperationalError`` that taospy programs still catch as ``ProgrammingError``."""
    limited = server_factory("--max-results", "1", "--block-rows", "1")
    with taosarrow.connect(limited.dsn()) as c:
        # One row per block and more blocks than the client reads ahead: the result stays
        # open on the server (a result read to its end is freed at once, which would race
        # with the next query).
        c.execute("CREATE DATABASE held")
        c.execute("CREATE TABLE held.t (ts TIMESTAMP, v INT)")
        c.execute("INSERT INTO held.t VALUES " + " ".join(f"({1700000000000 + k}, {k})" for k in range(64)))
        held = c.query("SELECT * FROM held.t")
        with pytest.raises(taosarrow.OperationalError) as info:
            c.query("SHOW DATABASES")
        e = info.value
        assert type(e) is taosarrow.OperationalQueryError
        assert isinstance(e, taosarrow.QueryError) and isinstance(e, taosarrow.ProgrammingError)
        assert e.errno == signed(0x0022) and str(e) == f"[0x0022]: {e.msg}"
        held.close()
        assert len(c.query("SHOW DATABASES").fetch_all()) >= 1


def test_schemaless_error_takes_taospy_arguments():
    e = taosarrow.SchemalessError("bad line", signed(0x3002), 7)
    assert (e.msg, e.errno, e.affected_rows) == ("bad line", signed(0x3002), 7)
    assert str(e) == "[0x3002]: bad line"
    assert pickle.loads(pickle.dumps(e)).affected_rows == 7
