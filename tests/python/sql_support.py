"""The embedded server's support for TDengine's statement forms, clauses and functions, found
by running one example of each through the official client (taos-ws-py) and recorded in
``crates/taosarrow-server/SQL.md``. ``test_sql_support_doc.py`` checks that the file says what
the server does now; after a change, regenerate it:

    TAOSARROW_SERVER_BIN=… .venv/bin/python tests/python/sql_support.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List, Tuple

DOC = Path(__file__).resolve().parents[2] / "crates" / "taosarrow-server" / "SQL.md"

T0 = 1_700_000_000_000

#: What each probe runs on: a millisecond database `sup` with a super table of two child
#: tables, a normal table and a JSON-tag super table.
SETUP = [
    "CREATE DATABASE sup PRECISION 'ms'",
    "USE sup",
    "CREATE STABLE st (ts TIMESTAMP, v INT, f DOUBLE, s VARCHAR(16), b BOOL) TAGS (g INT, loc VARCHAR(8))",
    "CREATE TABLE c1 USING st TAGS (1, 'a')",
    "CREATE TABLE c2 USING st TAGS (2, 'b')",
    "CREATE TABLE n1 (ts TIMESTAMP, v INT, f DOUBLE, s VARCHAR(16))",
    "CREATE STABLE sj (ts TIMESTAMP, v INT) TAGS (info JSON)",
    "CREATE TABLE j1 USING sj TAGS ('{\"k\": \"x\"}')",
    "INSERT INTO c1 VALUES " + " ".join(f"({T0 + k * 1000}, {k}, {k / 2}, 's{k}', {str(k % 2 == 0).lower()})" for k in range(20)),
    "INSERT INTO c2 VALUES " + " ".join(f"({T0 + k * 1000}, {k * 10}, {k}, 't{k}', false)" for k in range(20)),
    "INSERT INTO n1 VALUES " + " ".join(f"({T0 + k * 1000}, {k}, {k}, 'n{k}')" for k in range(20)),
    f"INSERT INTO j1 VALUES ({T0}, 1)",
]

#: (section, form, example). Examples that change data come last in their section.
PROBES: List[Tuple[str, str, str]] = [
    # Statements
    ("Statements", "CREATE DATABASE … options", "CREATE DATABASE p1 VGROUPS 2 KEEP 365 DURATION 10 PRECISION 'us'"),
    ("Statements", "ALTER DATABASE", "ALTER DATABASE sup KEEP 100"),
    ("Statements", "CREATE STABLE … TAGS", "CREATE STABLE p_st (ts TIMESTAMP, v INT) TAGS (t INT)"),
    ("Statements", "CREATE TABLE (normal)", "CREATE TABLE p_n (ts TIMESTAMP, v INT) TTL 10 COMMENT 'c'"),
    ("Statements", "CREATE TABLE … USING … TAGS, several", "CREATE TABLE p_c1 USING st TAGS (3, 'c') p_c2 USING st TAGS (4, 'd')"),
    ("Statements", "ALTER TABLE ADD COLUMN", "ALTER TABLE p_n ADD COLUMN w BIGINT"),
    ("Statements", "ALTER TABLE MODIFY COLUMN", "ALTER TABLE n1 MODIFY COLUMN s VARCHAR(32)"),
    ("Statements", "ALTER TABLE RENAME COLUMN", "ALTER TABLE p_n RENAME COLUMN w w2"),
    ("Statements", "ALTER TABLE DROP COLUMN", "ALTER TABLE p_n DROP COLUMN w2"),
    ("Statements", "ALTER TABLE SET TAG", "ALTER TABLE p_c1 SET TAG g = 30, loc = 'cc'"),
    ("Statements", "ALTER TABLE TTL", "ALTER TABLE p_n TTL 5"),
    ("Statements", "ALTER STABLE ADD TAG", "ALTER STABLE p_st ADD TAG t2 VARCHAR(4)"),
    ("Statements", "INSERT … VALUES, several tables", f"INSERT INTO c1 VALUES ({T0 + 99000}, 1, 1, 'x', true) n1 VALUES ({T0 + 99000}, 1, 1, 'x')"),
    ("Statements", "INSERT … USING … TAGS (auto-create)", f"INSERT INTO p_c3 USING st TAGS (5, 'e') VALUES ({T0}, 1, 1, 'x', true)"),
    ("Statements", "INSERT … SELECT", "INSERT INTO p_n (ts, v) SELECT ts, v FROM c1"),
    ("Statements", "DELETE FROM … WHERE ts …", f"DELETE FROM p_n WHERE ts < {T0 + 5000}"),
    ("Statements", "DROP TABLE a, b", "DROP TABLE p_c1, p_c2"),
    ("Statements", "DROP STABLE", "DROP STABLE p_st"),
    ("Statements", "CREATE TOPIC … AS SELECT", "CREATE TOPIC p_tp AS SELECT ts, v FROM st WHERE v > 1"),
    ("Statements", "DROP TOPIC", "DROP TOPIC p_tp"),
    ("Statements", "CREATE VIEW", "CREATE VIEW p_v AS SELECT * FROM c1"),
    ("Statements", "CREATE STREAM", "CREATE STREAM p_s INTO p_out AS SELECT _wstart, COUNT(*) FROM st INTERVAL(1s)"),
    ("Statements", "CREATE USER / GRANT / REVOKE / DROP USER", "CREATE USER p_u PASS 'Passw0rd!'"),
    ("Statements", "GRANT", "GRANT READ ON sup.* TO p_u"),
    ("Statements", "KILL QUERY", "KILL QUERY '1:1'"),
    ("Statements", "FLUSH DATABASE", "FLUSH DATABASE sup"),
    ("Statements", "COMPACT DATABASE", "COMPACT DATABASE sup"),
    ("Statements", "EXPLAIN", "EXPLAIN SELECT * FROM c1"),
    ("Statements", "SHOW CREATE TABLE", "SHOW CREATE TABLE c1"),
    ("Statements", "SHOW TABLE DISTRIBUTED", "SHOW TABLE DISTRIBUTED c1"),
    ("Statements", "DESCRIBE", "DESCRIBE st"),
    # Query forms and clauses
    ("Queries", "WHERE on ts, columns, tags, tbname", f"SELECT * FROM st WHERE ts >= {T0} AND v > 1 AND g = 1 AND tbname = 'c1'"),
    ("Queries", "GROUP BY", "SELECT g, COUNT(*) FROM st GROUP BY g"),
    ("Queries", "PARTITION BY tbname", "SELECT tbname, MAX(v) FROM st PARTITION BY tbname"),
    ("Queries", "INTERVAL … SLIDING", "SELECT _wstart, _wend, AVG(v) FROM st INTERVAL(5s) SLIDING(2s)"),
    ("Queries", "INTERVAL with an offset", "SELECT _wstart, COUNT(*) FROM st INTERVAL(5s, 1s)"),
    ("Queries", "INTERVAL in months", "SELECT _wstart, COUNT(*) FROM st INTERVAL(1n)"),
    ("Queries", "PARTITION BY … INTERVAL", "SELECT tbname, _wstart, COUNT(*) FROM st PARTITION BY tbname INTERVAL(5s)"),
    ("Queries", "FILL(PREV)", "SELECT _wstart, AVG(v) FROM c1 INTERVAL(500a) FILL(PREV)"),
    ("Queries", "FILL(LINEAR)", "SELECT _wstart, AVG(v) FROM c1 INTERVAL(500a) FILL(LINEAR)"),
    ("Queries", "SESSION", "SELECT _wstart, COUNT(*) FROM c1 SESSION(ts, 2s)"),
    ("Queries", "STATE_WINDOW", "SELECT _wstart, COUNT(*) FROM c1 STATE_WINDOW(b)"),
    ("Queries", "EVENT_WINDOW", "SELECT _wstart, COUNT(*) FROM c1 EVENT_WINDOW START WITH v > 2 END WITH v > 5"),
    ("Queries", "COUNT_WINDOW", "SELECT _wstart, COUNT(*) FROM c1 COUNT_WINDOW(5)"),
    ("Queries", "INTERP … RANGE … EVERY", f"SELECT INTERP(v) FROM c1 RANGE({T0}, {T0 + 5000}) EVERY(500a) FILL(LINEAR)"),
    ("Queries", "ORDER BY … LIMIT … OFFSET", "SELECT * FROM st ORDER BY ts DESC LIMIT 5 OFFSET 2"),
    ("Queries", "SLIMIT / SOFFSET", "SELECT COUNT(*) FROM st PARTITION BY tbname SLIMIT 1"),
    ("Queries", "DISTINCT", "SELECT DISTINCT g FROM st"),
    ("Queries", "DISTINCT with a repeated column", "SELECT DISTINCT v, v FROM c1"),
    ("Queries", "UNION ALL", "SELECT v FROM c1 UNION ALL SELECT v FROM c2"),
    ("Queries", "subquery in FROM", "SELECT AVG(v) FROM (SELECT v FROM c1)"),
    ("Queries", "JOIN on ts", "SELECT a.v, b.v FROM c1 a JOIN c2 b ON a.ts = b.ts"),
    ("Queries", "CASE WHEN", "SELECT CASE WHEN v > 1 THEN 'big' ELSE 'small' END FROM c1"),
    ("Queries", "LIKE", "SELECT * FROM c1 WHERE s LIKE 's1%'"),
    ("Queries", "MATCH / NMATCH", "SELECT * FROM c1 WHERE s MATCH '^s1'"),
    ("Queries", "JSON tag ->", "SELECT info->'k' FROM sj"),
    ("Queries", "JSON tag CONTAINS", "SELECT * FROM sj WHERE info CONTAINS 'k'"),
    ("Queries", "information_schema", "SELECT name FROM information_schema.ins_databases WHERE name LIKE 's%' ORDER BY name LIMIT 1"),
    ("Queries", "BOOL in arithmetic", "SELECT v + b FROM c1"),
    ("Queries", "string literal BETWEEN on INT", "SELECT * FROM c1 WHERE v BETWEEN 'a' AND 'e'"),
    ("Queries", "NOW / TODAY ± durations", "SELECT * FROM c1 WHERE ts > NOW - 3650d AND ts < TODAY() + 1d"),
]

FUNCTIONS = [
    # Aggregates
    ("count", "COUNT(*)"), ("sum", "SUM(v)"), ("avg", "AVG(v)"), ("min", "MIN(v)"), ("max", "MAX(v)"),
    ("first", "FIRST(v)"), ("last", "LAST(v)"), ("last_row", "LAST_ROW(v)"), ("first(*)", "FIRST(*)"),
    ("spread", "SPREAD(v)"), ("stddev", "STDDEV(v)"), ("percentile", "PERCENTILE(v, 50)"),
    ("apercentile", "APERCENTILE(v, 50)"), ("twa", "TWA(v)"), ("elapsed", "ELAPSED(ts)"),
    ("leastsquares", "LEASTSQUARES(v, 1, 1)"), ("hyperloglog", "HYPERLOGLOG(v)"), ("mode", "MODE(v)"),
    ("histogram", "HISTOGRAM(v, 'user_input', '[1, 3, 5]', 0)"),
    # Selection and time-series
    ("top", "TOP(v, 2)"), ("bottom", "BOTTOM(v, 2)"), ("sample", "SAMPLE(v, 2)"), ("tail", "TAIL(v, 2)"),
    ("unique", "UNIQUE(v)"), ("diff", "DIFF(v)"), ("csum", "CSUM(v)"), ("derivative", "DERIVATIVE(v, 1s, 0)"),
    ("irate", "IRATE(v)"), ("mavg", "MAVG(v, 2)"), ("statecount", "STATECOUNT(v, 'GT', 2)"),
    ("stateduration", "STATEDURATION(v, 'GT', 2, 1s)"),
    # Scalar
    ("abs", "ABS(v)"), ("ceil", "CEIL(f)"), ("floor", "FLOOR(f)"), ("round", "ROUND(f)"), ("sqrt", "SQRT(f)"),
    ("pow", "POW(v, 2)"), ("log", "LOG(f + 1)"), ("sin", "SIN(f)"), ("concat", "CONCAT(s, 'x')"),
    ("concat_ws", "CONCAT_WS('-', s, 'x')"), ("length", "LENGTH(s)"), ("char_length", "CHAR_LENGTH(s)"),
    ("lower / upper", "UPPER(s)"), ("ltrim / rtrim", "LTRIM(s)"), ("substr", "SUBSTR(s, 1, 2)"),
    ("cast", "CAST(v AS BIGINT)"), ("cast to BINARY(n)", "CAST(v AS BINARY(2))"),
    # Time
    ("now", "NOW()"), ("today", "TODAY()"), ("timezone", "TIMEZONE()"), ("timetruncate", "TIMETRUNCATE(ts, 1m)"),
    ("timediff", "TIMEDIFF(ts, NOW())"), ("to_iso8601", "TO_ISO8601(ts)"), ("to_unixtimestamp", "TO_UNIXTIMESTAMP('2023-11-14 22:13:20')"),
    ("to_timestamp", "TO_TIMESTAMP('2023-11-14', 'yyyy-mm-dd')"), ("to_char", "TO_CHAR(ts, 'yyyy-mm-dd')"),
    # System
    ("database / server_version / server_status", "SERVER_VERSION()"),
]


def outcome(conn, sql: str) -> str:
    """``supported``, or ``refused: [0xCODE] message`` (the message's first line, shortened)."""
    try:
        conn.execute(sql) if not sql.lstrip().upper().startswith(("SELECT", "SHOW", "DESC")) else list(conn.query(sql))
        return "supported"
    except Exception as e:  # noqa: BLE001 - the message is the record
        text = str(e).splitlines()[0]
        m = re.search(r"\[(0x[0-9A-Fa-f]{4})\]\s*:?\s*(.*)", text)
        code, msg = (m.group(1).upper().replace("0X", "0x"), m.group(2)) if m else ("", text)
        msg = re.sub(r"\s+", " ", msg)
        # taos-ws-py wraps the server's message as ``Internal error: `…` ``.
        msg = re.sub(r"^Internal error: `(.*?)`?$", r"\1", msg)
        if len(msg) > 110:
            msg = msg[:107] + "…"
        return f"refused: {code} {msg}".replace("|", "\\|")


def survey(dsn: str) -> str:
    """The Markdown table of every probe's outcome on a fresh server at ``dsn``."""
    import taosws

    conn = taosws.connect(dsn.replace("ws://", "taosws://"))
    for sql in SETUP:
        conn.execute(sql)
    lines = [
        "# TDengine SQL on the embedded server",
        "",
        "What `taosarrow serve` / `LocalServer` does with one example of each statement form, query",
        "clause and function of TDengine 3.3's SQL reference, run through the official client",
        "(taos-ws-py). Generated by `tests/python/sql_support.py`; `make test` checks it is current.",
        "",
    ]
    section = None
    for sec, form, sql in PROBES:
        if sec != section:
            lines += ["", f"## {sec}", "", "| Form | Example | Status |", "|---|---|---|"]
            section = sec
        lines.append(f"| {form} | `{sql.replace('|', chr(92) + '|')}` | {outcome(conn, sql)} |")
    lines += ["", "## Functions", "", "| Function | Example | Status |", "|---|---|---|"]
    for name, call in FUNCTIONS:
        sql = f"SELECT {call} FROM c1"
        lines.append(f"| {name} | `{call}` | {outcome(conn, sql)} |")
    conn.close()
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from conftest import start_server

    server = start_server()
    try:
        DOC.write_text(survey(server.dsn()))
    finally:
        server.stop()
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
