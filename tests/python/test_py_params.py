"""qmark substitution and literal quoting (no server needed)."""

import datetime as dt
import decimal

import polars as pl
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


def test_polars_pushdown_sends_the_float32_value_of_a_literal_on_a_float_column():
    schema = {"f": pl.Float32, "d": pl.Float64}
    # A dynamic literal is cast to the column's Float32 by polars: that exact value is sent.
    assert translate(pl.col("f") == 0.1, schema) == ("`f` = 0.10000000149011612", True)
    assert translate(pl.col("f") > 16777217, schema) == ("`f` > 16777216.0", True)
    # A DOUBLE column compares with the literal as given.
    assert translate(pl.col("d") == 0.1, schema) == ("`d` = 0.1", True)
    # A typed literal Float32 cannot hold exactly, or beyond its range, stays with polars.
    assert translate(pl.col("f") == pl.lit(0.1, dtype=pl.Float64), schema) == (None, False)
    assert translate(pl.col("f") == pl.lit(0.5, dtype=pl.Float64), schema) == ("`f` = 0.5", True)
    assert translate(pl.col("f") < 1e40, schema) == (None, False)
    assert translate(pl.col("f").is_in([0.1]), schema) == (None, False)
    assert translate(pl.col("f").is_in([0.5, 2.0]), schema) == ("`f` IN (0.5, 2.0)", True)
    # So is a typed Float32 literal, whatever the column.
    for col in ("f", "d"):
        assert translate(pl.col(col) == pl.lit(0.1, dtype=pl.Float32), schema) == (None, False)
        assert translate(pl.col(col) == pl.lit(0.5, dtype=pl.Float32), schema) == (f"`{col}` = 0.5", True)
