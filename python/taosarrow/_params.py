"""Client-side ``qmark`` parameter substitution with safe literal quoting.

Used until statements are bound server-side (stmt2). Placeholders are ``?`` outside string
literals, quoted identifiers and comments. Strings are quoted by the native ``quote_literal``
(``'`` and ``\\`` doubled), so that neither TDengine's tokenizer (backslash escapes and doubled
quotes) nor a plain SQL tokenizer (doubled quotes only) can be made to end the literal early.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
from typing import Any, List, Sequence

from ._native import quote_literal
from .exceptions import InterfaceError, ProgrammingError

__all__ = ["quote", "format_query", "placeholder_positions"]


def _quote_str(value: str) -> str:
    # TDengine reads the statement as a C string: a NUL would end it.
    if "\x00" in value:
        raise ProgrammingError("a string parameter contains a NUL character")
    return quote_literal(value)


def quote(value: Any) -> str:
    """The SQL literal for one parameter value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ProgrammingError(f"cannot bind the non-finite float {value!r}")
        return repr(float(value))
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ProgrammingError(f"cannot bind the non-finite decimal {value!r}")
        return format(value, "f")
    if isinstance(value, str):
        return _quote_str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "'\\x" + bytes(value).hex() + "'"
    if isinstance(value, _dt.datetime):
        text = value.isoformat(sep=" ", timespec="microseconds")
        return _quote_str(text)
    if isinstance(value, _dt.date):
        return _quote_str(value.isoformat())
    if isinstance(value, _dt.time):
        raise ProgrammingError("TDengine has no TIME type; bind a datetime instead")
    raise InterfaceError(f"cannot bind a parameter of type {type(value).__name__}")


def placeholder_positions(sql: str) -> List[int]:
    """Offsets of the ``?`` placeholders outside literals, quoted names and comments."""
    out: List[int] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            i += 1
            while i < n:
                d = sql[i]
                if d == "\\" and c != "`":
                    i += 2
                    continue
                if d == c:
                    if i + 1 < n and sql[i + 1] == c:
                        i += 2
                        continue
                    break
                i += 1
            if i >= n:
                raise ProgrammingError("unterminated quoted text in SQL")
            i += 1
        elif c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
        elif c == "/" and sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            if j < 0:
                raise ProgrammingError("unterminated comment in SQL")
            i = j + 2
        else:
            if c == "?":
                out.append(i)
            i += 1
    return out


def _glues(before: str, literal: str) -> bool:
    """True when ``literal`` written right after ``before`` would change the tokens: a
    negative number after ``-`` makes ``--``, the start of a comment."""
    return literal.startswith("-") and before.endswith("-")


def format_query(sql: str, params: Sequence[Any] | None) -> str:
    """``sql`` with each ``?`` replaced by the quoted literal of the matching parameter."""
    if params is None:
        return sql
    if isinstance(params, (str, bytes)) or not isinstance(params, Sequence):
        raise ProgrammingError("parameters must be a sequence (paramstyle is 'qmark')")
    positions = placeholder_positions(sql)
    if len(positions) != len(params):
        raise ProgrammingError(
            f"the SQL has {len(positions)} placeholders but {len(params)} parameters were given"
        )
    parts: List[str] = []
    last = 0
    for pos, value in zip(positions, params):
        before = sql[last:pos]
        literal = quote(value)
        parts.append(before)
        if _glues(sql[:pos], literal):
            parts.append(" ")
        parts.append(literal)
        last = pos + 1
    parts.append(sql[last:])
    return "".join(parts)
