"""``crates/taosarrow-server/SQL.md`` says what the embedded server does with each statement
form, clause and function: each example is run again here and must give the recorded outcome."""

from __future__ import annotations

import sql_support


def test_the_sql_support_table_is_current(server):
    now = sql_support.survey(server.dsn())
    recorded = sql_support.DOC.read_text()
    if now != recorded:
        changed = [
            f"  recorded: {a}\n  now:      {b}"
            for a, b in zip(recorded.splitlines(), now.splitlines())
            if a != b
        ]
        raise AssertionError(
            "SQL.md is out of date; run tests/python/sql_support.py to regenerate it:\n"
            + "\n".join(changed[:20])
        )
