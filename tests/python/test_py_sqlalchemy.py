"""The SQLAlchemy 2 dialect ``taosarrow://``, pandas ``read_sql`` / ``read_sql_table`` /
``to_sql`` through it, and connection pools (DBUtils ``PooledDB``, SQLAlchemy ``QueuePool``),
against the embedded server in this process."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import exc, func, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import taosarrow
from taosarrow.sqlalchemy import BIGINT_UNSIGNED, DECIMAL, NCHAR, TIMESTAMP, VARCHAR, arrow_insert
from taosarrow.testing import LocalServer

T0 = 1_700_000_000_000  # ms


@pytest.fixture(scope="module")
def srv():
    with LocalServer() as s:
        with taosarrow.connect(s.dsn()) as c:
            c.execute("CREATE DATABASE sa PRECISION 'ms'")
            c.execute("CREATE DATABASE sans PRECISION 'ns'")
            c.execute("CREATE STABLE sa.meters (ts TIMESTAMP, current FLOAT, voltage INT, d DECIMAL(10, 2)) TAGS (location VARCHAR(16), gid INT)")
            c.execute("CREATE TABLE sa.d1 USING sa.meters TAGS ('Beijing', 1)")
            c.execute("CREATE TABLE sa.d2 USING sa.meters TAGS ('Shanghai', 2)")
            c.execute("CREATE TABLE sa.plain (ts TIMESTAMP, v BIGINT, s NCHAR(8))")
            c.execute(f"INSERT INTO sa.d1 VALUES ({T0}, 10.5, 220, 1.25) ({T0 + 1000}, 11.5, 221, 2.50)")
            c.execute(f"INSERT INTO sa.d2 VALUES ({T0}, 9.5, 219, NULL)")
        yield s


@pytest.fixture(scope="module")
def engine(srv):
    e = sa.create_engine(f"taosarrow://root:taosdata@{srv.host}:{srv.port}/sa")
    yield e
    e.dispose()


def dsn(engine) -> str:
    return f"ws://root:taosdata@{engine.url.host}:{engine.url.port}"


def test_core_selects_bind_their_parameters(engine):
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        rows = conn.execute(
            text("SELECT voltage FROM meters WHERE location = :loc ORDER BY ts"), {"loc": "Beijing"}
        ).all()
        assert [r[0] for r in rows] == [220, 221]
        # A value that would break a quoted literal is bound, not spliced in.
        assert conn.execute(text("SELECT COUNT(*) FROM meters WHERE location = :loc"), {"loc": "x' OR '1'='1"}).scalar() == 0
        meters = sa.Table("meters", sa.MetaData(), autoload_with=conn)
        got = conn.execute(select(func.count()).select_from(meters).where(meters.c.gid == 1)).scalar()
        assert got == 2
        q = select(meters.c.voltage).order_by(meters.c.ts.desc()).limit(1).offset(1)
        assert conn.execute(q).scalar() == 220


def test_reflection_sees_databases_tables_columns_and_tags(engine):
    insp = sa.inspect(engine)
    assert {"sa", "sans", "information_schema"} <= set(insp.get_schema_names())
    assert sorted(insp.get_table_names()) == ["meters", "plain"]
    assert insp.has_table("d1") and insp.has_table("meters") and not insp.has_table("nope")
    cols = {c["name"]: c for c in insp.get_columns("meters")}
    assert list(cols) == ["ts", "current", "voltage", "d", "location", "gid"]
    assert isinstance(cols["ts"]["type"], TIMESTAMP) and cols["ts"]["type"].precision == "ms"
    assert isinstance(cols["d"]["type"], DECIMAL) and (cols["d"]["type"].precision, cols["d"]["type"].scale) == (10, 2)
    assert isinstance(cols["location"]["type"], VARCHAR) and cols["location"]["type"].length == 16
    assert cols["location"]["comment"] == "TAG" and cols["voltage"]["comment"] is None
    assert insp.get_pk_constraint("plain")["constrained_columns"] == ["ts"]
    assert isinstance(insp.get_columns("plain")[2]["type"], NCHAR)
    assert [c["name"] for c in insp.get_columns("d1")] == list(cols)
    with pytest.raises(exc.NoSuchTableError):
        insp.get_columns("nope")


def test_ddl_from_metadata_and_executemany(engine):
    md = sa.MetaData()
    t = sa.Table(
        "made",
        md,
        sa.Column("ts", sa.DateTime, primary_key=True),
        sa.Column("v", sa.Integer, nullable=False),
        sa.Column("u", BIGINT_UNSIGNED),
        sa.Column("name", sa.String(12)),
        sa.Column("value", sa.Numeric(10, 3)),
        sa.Column("site", sa.String(8), info={"tag": True}),
    )
    ddl = str(sa.schema.CreateTable(t).compile(engine))
    # Names are back-quoted where TDengine needs it (`value` is one of its keywords).
    assert (
        "CREATE STABLE made (ts TIMESTAMP, v INT, u BIGINT UNSIGNED, name VARCHAR(12), `value` DECIMAL(10, 3))"
        " TAGS (site VARCHAR(8))"
    ) in ddl
    plain = sa.Table("made_plain", md, sa.Column("ts", sa.DateTime), sa.Column("v", sa.Float))
    md.create_all(engine, tables=[plain])
    base = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(plain.insert(), [{"ts": base + dt.timedelta(seconds=k), "v": k / 2} for k in range(100)])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(plain)).scalar() == 100
        assert conn.execute(select(func.sum(plain.c.v))).scalar() == pytest.approx(sum(k / 2 for k in range(100)))
    md.drop_all(engine, tables=[plain])
    assert not sa.inspect(engine).has_table("made_plain")
    bad = sa.Table("bad", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("ts", sa.DateTime))
    with pytest.raises(exc.CompileError, match="first column"):
        sa.schema.CreateTable(bad).compile(engine)


class Base(DeclarativeBase):
    pass


class Plain(Base):
    __tablename__ = "plain"
    ts: Mapped[dt.datetime] = mapped_column(TIMESTAMP, primary_key=True)
    v: Mapped[int] = mapped_column(sa.BigInteger)
    s: Mapped[str] = mapped_column(NCHAR(8))


def test_the_orm_read_path(engine):
    with taosarrow.connect(f"ws://root:taosdata@{engine.url.host}:{engine.url.port}/sa") as c:
        c.execute(f"INSERT INTO plain VALUES ({T0}, 7, 'seven') ({T0 + 1}, 8, 'eight')")
    with Session(engine) as s:
        got = s.scalars(select(Plain).where(Plain.v >= 7).order_by(Plain.ts)).all()
        assert [(p.v, p.s) for p in got] == [(7, "seven"), (8, "eight")]
        assert got[0].ts == dt.datetime.fromtimestamp(T0 / 1000, dt.timezone.utc)


def test_pandas_read_sql_keeps_decimals_and_timestamps(engine):
    df = pd.read_sql("SELECT ts, voltage, d FROM meters WHERE location = 'Beijing' ORDER BY ts", engine)
    assert list(df["voltage"]) == [220, 221]
    assert list(df["d"]) == [Decimal("1.25"), Decimal("2.50")]
    assert [int(pd.Timestamp(t).value // 1_000_000) for t in df["ts"]] == [T0, T0 + 1000]
    bound = pd.read_sql("SELECT voltage FROM meters WHERE voltage > ? ORDER BY ts", engine, params=(219,))
    assert list(bound["voltage"]) == [220, 221]
    table = pd.read_sql_table("plain", engine)
    assert list(table.columns) == ["ts", "v", "s"]
    # pandas' own pyarrow backend turns Decimal objects into doubles; taosarrow's Arrow read
    # keeps the DECIMAL type.
    arrow = taosarrow.read_pandas("SELECT d FROM sa.meters ORDER BY ts", dsn(engine), dtype_backend="pyarrow")
    assert str(arrow["d"].dtype).startswith("decimal128(10, 2)")
    # pandas' plain DB-API path works on a taosarrow connection too.
    with taosarrow.connect(dsn(engine)) as raw, pytest.warns(UserWarning):
        plain = pd.read_sql("SELECT voltage FROM sa.meters ORDER BY ts, voltage", raw)
    assert sorted(plain["voltage"]) == [219, 220, 221]


def test_to_sql_writes_through_the_arrow_path_with_exact_nanoseconds(srv):
    engine = sa.create_engine(f"taosarrow://root:taosdata@{srv.host}:{srv.port}/sans")
    ts = pd.to_datetime([1_700_000_000_000_000_001, 1_700_000_000_000_000_002, 1_700_000_000_000_000_003], unit="ns", utc=True)
    df = pd.DataFrame({"ts": ts, "v": [1.5, 2.5, 3.5], "name": ["a", "b", "c"]})
    written = df.to_sql("frame", engine, index=False, method=arrow_insert)
    assert written == 3
    with pytest.raises(ValueError):
        df.to_sql("frame", engine, index=False, if_exists="fail")
    df.to_sql("frame", engine, index=False, if_exists="append", method=arrow_insert, chunksize=2)
    back = pd.read_sql("SELECT ts, v, name FROM frame ORDER BY ts", engine)
    assert [pd.Timestamp(t).value for t in back["ts"]] == [t.value for t in ts]
    assert list(back["v"]) == [1.5, 2.5, 3.5]
    # Replaced with pandas' own inserts (one stmt2 executemany). pandas hands those rows over
    # as Python datetimes, which hold microseconds: the three rows above would become one.
    us = pd.DataFrame({"ts": ts + pd.to_timedelta([0, 1000, 2000], unit="ns"), "v": [1.0, 2.0, 3.0], "name": ["x", "y", "z"]})
    us.to_sql("frame", engine, index=False, if_exists="replace")
    assert pd.read_sql("SELECT COUNT(*) AS n FROM frame", engine)["n"][0] == 3
    # dtype= picks the TDengine types of the new table.
    df.to_sql("typed", engine, index=False, dtype={"name": NCHAR(4), "v": DECIMAL(8, 3)}, method=arrow_insert)
    typed = {c["name"]: c["type"] for c in sa.inspect(engine).get_columns("typed")}
    assert isinstance(typed["name"], NCHAR) and typed["name"].length == 4
    assert isinstance(typed["v"], DECIMAL) and (typed["v"].precision, typed["v"].scale) == (8, 3)
    assert list(pd.read_sql("SELECT v FROM typed ORDER BY ts", engine)["v"]) == [Decimal("1.500"), Decimal("2.500"), Decimal("3.500")]
    # A DatetimeIndex is the timestamp key.
    by_index = df.set_index("ts")
    by_index.to_sql("indexed", engine, method=arrow_insert)
    cols = [c["name"] for c in sa.inspect(engine).get_columns("indexed")]
    assert cols == ["ts", "v", "name"]
    engine.dispose()


def test_pools_serve_sixteen_threads_without_leaking(srv):
    from dbutils.pooled_db import PooledDB

    pool = PooledDB(
        taosarrow,
        maxconnections=4,
        blocking=True,
        host=srv.host,
        port=srv.port,
        user="root",
        password="taosdata",
        database="sa",
        charset="UTF-8",
        timezone="UTC",
    )
    engine = sa.create_engine(
        f"taosarrow://root:taosdata@{srv.host}:{srv.port}/sa", pool_size=4, max_overflow=0, pool_pre_ping=True
    )
    errors = []

    def with_dbutils() -> None:
        try:
            for _ in range(20):
                conn = pool.connection()
                cur = conn.cursor()
                cur.execute("SELECT COUNT(*) FROM meters WHERE gid = ?", (1,))
                assert cur.fetchone()[0] == 2
                cur.close()
                conn.close()
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    def with_queue_pool() -> None:
        try:
            for _ in range(20):
                with engine.connect() as conn:
                    assert conn.execute(text("SELECT COUNT(*) FROM meters")).scalar() == 3
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=f) for f in [with_dbutils, with_queue_pool] * 8]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert srv.open_results() == 0
    pool.close()
    engine.dispose()
