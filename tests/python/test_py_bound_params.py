"""PEP 249 parameters bound server-side through stmt2: ``execute`` with ``?`` and
``executemany`` in one bind, against the embedded server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import taosarrow

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def cur(server):
    conn = taosarrow.connect(server.dsn())
    c = conn.cursor()
    c.execute("CREATE DATABASE bp PRECISION 'us'")
    c.execute("CREATE STABLE bp.m (ts TIMESTAMP, v INT, s VARCHAR(40), d DECIMAL(12, 3)) TAGS (g INT)")
    yield c
    c.close()
    conn.close()


def test_executemany_writes_all_rows_in_one_bind(cur):
    rows = [(f"m{i % 7}", i % 7, T0 + dt.timedelta(microseconds=i), i, f"s{i}", Decimal(i) / 8) for i in range(2000)]
    cur.executemany("INSERT INTO ? USING bp.m TAGS (?) VALUES (?, ?, ?, ?)", rows)
    assert cur.rowcount == 2000
    cur.execute("SELECT COUNT(*), SUM(v) FROM bp.m")
    assert cur.fetchone() == (2000, sum(range(2000)))
    cur.execute("SELECT ts, d FROM bp.m1 ORDER BY ts LIMIT 2")
    got = cur.fetchall()
    assert got[0][0] == T0 + dt.timedelta(microseconds=1)
    assert got[1][1] == Decimal(8) / 8


def test_query_parameters_are_values_not_sql(cur):
    evil = "x'); DROP DATABASE bp; --"
    cur.execute("INSERT INTO bp.t1 USING bp.m TAGS (?) VALUES (?, ?, ?, ?)", (1, T0, 1, evil, None))
    cur.execute("INSERT INTO bp.t1 USING bp.m TAGS (?) VALUES (?, ?, ?, ?)", (1, T0 + dt.timedelta(seconds=1), 2, "plain", Decimal("1.5")))
    cur.execute("SELECT v, s FROM bp.t1 WHERE s = ?", (evil,))
    assert cur.fetchall() == [(1, evil)]
    assert cur.description[0][0] == "v"
    cur.execute("SELECT v FROM bp.t1 WHERE ts > ? AND v >= ?", (T0, 2))
    assert cur.fetchall() == [(2,)]
    cur.execute("SHOW DATABASES")
    assert "bp" in [r[0] for r in cur.fetchall()]


def test_a_negative_parameter_after_minus_is_not_a_comment(cur):
    cur.execute("INSERT INTO bp.t1 USING bp.m TAGS (?) VALUES (?, ?, ?, ?)", (1, T0, 1, "a", None))
    cur.execute("SELECT v FROM bp.t1 WHERE v = 0 -? AND s = ?", (-1, "a"))
    assert cur.fetchall() == [(1,)]
    cur.execute("SELECT v FROM bp.t1 WHERE v = 0 -? AND s = ?", (-1, "no such"))
    assert cur.fetchall() == []


def test_bad_parameters_are_programming_errors(cur):
    with pytest.raises(taosarrow.ProgrammingError):
        cur.execute("INSERT INTO bp.t2 USING bp.m TAGS (?) VALUES (?, ?, ?, ?)", (1, T0, "not an int", "s", None))
    with pytest.raises(taosarrow.ProgrammingError):
        cur.executemany("INSERT INTO bp.t2 USING bp.m TAGS (?) VALUES (?, ?, ?, ?)", [(1, T0, 1)])
    cur.execute("SELECT COUNT(*) FROM bp.m")
    assert cur.fetchone() == (0,)
