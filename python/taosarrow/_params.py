"""Client-side parameter substitution with safe literal quoting.

``qmark`` (:func:`format_query`): used when statements cannot be bound server-side (stmt2).
Placeholders are ``?`` outside string literals, quoted identifiers and comments. Strings are
quoted by the native ``quote_literal`` (``'`` and ``\\`` doubled), so that neither TDengine's
tokenizer (backslash escapes and doubled quotes) nor a plain SQL tokenizer (doubled quotes only)
can be made to end the literal early.

``str.format`` style (:func:`format_braces`): taos-ws-py's ``Cursor.execute(sql, *args,
**kwargs)``, e.g. ``"INSERT INTO {} VALUES ('{}', {v})"``; see there for how each value is
written so that it cannot change the statement's tokens.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers
import re
import string
from typing import Any, List, Mapping, Sequence

from ._native import quote_ident, quote_literal
from .exceptions import InterfaceError, ProgrammingError

__all__ = ["quote", "format_query", "placeholder_positions", "format_braces", "has_braces"]


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


#: Text a bare ``{}`` may become as it is: a name (``tb1``, ``db.tb1``) or a number.
_BARE = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

_FORMATTER = string.Formatter()


#: A ``str.format`` field name: empty, an index or a name, then ``.attr`` / ``[key]`` parts.
_FIELD = re.compile(r"(\d*|[A-Za-z_]\w*)([.\[].*)?", re.S)


def has_braces(sql: str) -> bool:
    """Whether ``sql`` has ``str.format`` replacement fields (``{}``, ``{name}``, ``{0}``).
    Braces that cannot be one, as in a JSON literal (``'{"k": 1}'``), do not count."""
    try:
        return any(
            field is not None and _FIELD.fullmatch(field) is not None
            for _lit, field, _spec, _conv in _FORMATTER.parse(sql)
        )
    except ValueError:
        return False


def _scan(text: str, state: str) -> str:
    """The lexical state after ``text`` starting in ``state``: ``""`` (SQL), ``"'"``, ``'"'``
    or ``"`"`` (inside that quote), ``"--"`` or ``"/*"`` (inside a comment)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if state == "":
            if c in "'\"`":
                state = c
            elif text.startswith("--", i):
                state, i = "--", i + 1
            elif text.startswith("/*", i):
                state, i = "/*", i + 1
        elif state == "--":
            if c == "\n":
                state = ""
        elif state == "/*":
            if text.startswith("*/", i):
                state, i = "", i + 1
        elif c == "\\" and state != "`":
            i += 1
        elif c == state:
            state = ""  # a doubled quote closes and reopens: the same state afterwards
        i += 1
    return state


def _render(value: Any, spec: str, conversion: Any, state: str, before: str) -> str:
    """One ``str.format`` field's text for the lexical ``state`` it stands in."""
    if state in ("--", "/*"):
        raise ProgrammingError("a {} placeholder inside an SQL comment")
    if state:
        text = format(_FORMATTER.convert_field(value, conversion), spec)
        if "\x00" in text:
            raise ProgrammingError("a parameter contains a NUL character")
        if state == "'":
            return quote_literal(text)[1:-1]
        if state == "`":
            return quote_ident(text)[1:-1]
        if '"' in text or "\\" in text:
            raise ProgrammingError(
                "a value with \" or \\ inside a \"…\" literal; write '{}' in the SQL instead"
            )
        return text
    if conversion is None and not spec:
        if isinstance(value, numbers.Integral) and not isinstance(value, (bool, int)):
            value = int(value)  # numpy and other integer types
        elif isinstance(value, numbers.Real) and not isinstance(value, (bool, int, float)):
            value = float(value)
        if value is None or isinstance(value, (bool, int, float, decimal.Decimal, bytes, bytearray, _dt.date)):
            literal = quote(value)
            return " " + literal if _glues(before, literal) else literal
        if isinstance(value, str) and _BARE.fullmatch(value):
            return " " + value if _glues(before, value) else value
    else:
        text = format(_FORMATTER.convert_field(value, conversion), spec)
        if _BARE.fullmatch(text):
            return " " + text if _glues(before, text) else text
        value = text
    raise ProgrammingError(
        f"the value {value!r} cannot stand bare in the SQL (only names and numbers can): "
        "put the placeholder in quotes ('{}') or use ? parameters"
    )


def format_braces(sql: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """``sql.format(*args, **kwargs)`` as taos-ws-py's cursor does it, with each value written
    so that it cannot change the statement's tokens:

    - inside a quoted literal in the SQL (``'{}'``): the value's ``str.format`` text with
      ``'`` and ``\\`` doubled (``"…"`` literals refuse values holding ``"`` or ``\\``);
      inside backquotes, a backquote is doubled;
    - bare (``VALUES ({})``, ``CREATE TABLE {}``): ``None`` as NULL, booleans, numbers,
      ``bytes`` and dates as literals (:func:`quote`), strings only when they are a name
      (``tb1``, ``db.tb1``) or a number; any other string raises :class:`ProgrammingError`
      (quote the placeholder, or use ``?`` parameters, bound server-side).

    Format specs and conversions (``{:.2f}``, ``{!s}``) apply; unused arguments are ignored,
    as by ``str.format``; a missing one raises :class:`ProgrammingError`.
    """
    out: List[str] = []
    state = ""
    auto = 0
    try:
        parsed = list(_FORMATTER.parse(sql))
    except ValueError as e:
        raise ProgrammingError(f"bad {{}} placeholder in the SQL: {e}") from None
    for literal, field, spec, conversion in parsed:
        out.append(literal)
        state = _scan(literal, state)
        if field is None:
            continue
        if spec and "{" in spec:
            raise ProgrammingError("nested {} in a format spec are not supported")
        if field == "" or field[0] in ".[":
            field = f"{auto}{field}"
            auto += 1
        try:
            value, _first = _FORMATTER.get_field(field, args, kwargs)
        except (IndexError, KeyError, AttributeError, TypeError) as e:
            raise ProgrammingError(f"no parameter for {{{field}}} in the SQL: {e!r}") from None
        out.append(_render(value, spec or "", conversion, state, literal))
    return "".join(out)
