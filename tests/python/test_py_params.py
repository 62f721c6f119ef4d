"""qmark substitution and literal quoting (no server needed)."""

import datetime as dt
import decimal

import pytest

from taosarrow._params import format_query, placeholder_positions, quote
from taosarrow._polars_scan import build_select, translate
from taosarrow.exceptions import InterfaceError, ProgrammingError


def test_plain_values():
    sql = format_query("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [1, 2.5, None, True, "x"])
    assert sql == "INSERT INTO t VALUES (1, 2.5, NULL, true, 'x')"


@pytest.mark.parametrize(
    "evil",
    ["x'); DROP DATABASE db; --", "\\'; DROP TABLE t; --", "a\\", "''", "\\\\'", "?'?"],
)
def test_injection_stays_inside_the_literal(evil):
    sql = format_query("SELECT * FROM t WHERE s = ? AND n = ?", [evil, 1])
    literal = sql[len("SELECT * FROM t WHERE s = "): sql.rindex(" AND n = ")]
    # The literal is one quoted token: re-scanning finds no placeholder or stray quote outside it.
    assert literal.startswith("'") and literal.endswith("'")
    assert placeholder_positions(literal + " ?") == [len(literal) + 1]
    assert sql.endswith(" AND n = 1")


@pytest.mark.parametrize("value", [-1, -2.5, decimal.Decimal("-3.25")])
def test_a_negative_parameter_after_minus_is_not_a_comment(value):
    sql = format_query("SELECT 5 -? AS d, ? AS e FROM t WHERE v = 1", [value, 2])
    assert "--" not in sql
    assert sql == f"SELECT 5 - {quote(value)} AS d, 2 AS e FROM t WHERE v = 1"
    assert format_query("SELECT 5 - ?", [value]) == f"SELECT 5 - {quote(value)}"


def test_placeholders_inside_literals_and_comments_are_ignored():
    sql = "SELECT '?', `a?`, \"?\" FROM t -- ?\n WHERE x = ? /* ? */"
    assert len(placeholder_positions(sql)) == 1
    assert format_query(sql, [5]).count("x = 5") == 1


def test_count_mismatch_and_bad_types():
    with pytest.raises(ProgrammingError):
        format_query("SELECT ?", [])
    with pytest.raises(ProgrammingError):
        format_query("SELECT ?", "a")
    with pytest.raises(ProgrammingError):
        quote(float("nan"))
    with pytest.raises(InterfaceError):
        quote(object())


def test_other_literals():
    assert quote(b"\x00\xff") == "'\\x00ff'"
    assert quote(decimal.Decimal("1.50")) == "1.50"
    assert quote(dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)) == "'2024-01-02 03:04:05.000006+00:00'"


def test_polars_pushdown_sql():
    pl = pytest.importorskip("polars")
    schema = {"ts": pl.Datetime("ms", "UTC"), "a": pl.Int32, "s": pl.String}
    pred = (
        (pl.col("ts") >= dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
        & pl.col("a").is_in([1, 2])
        & pl.col("s").str.contains("x")
        & (pl.col("s") == "it's")
    )
    where, complete = translate(pred, schema)
    assert not complete
    assert "`ts` >= 1577836800000" in where
    assert "`a` IN (1, 2)" in where
    assert "`s` = 'it''s'" in where
    assert "contains" not in where.lower()
    sql = build_select("db.t", ["a"], where, 10, False)
    assert sql.startswith("SELECT `a` FROM `db`.`t` WHERE ") and sql.endswith(" LIMIT 10")
