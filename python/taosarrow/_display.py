"""``__repr__`` and ``_repr_html_`` (Jupyter) of connections, results and cursors: the server,
database and user (never the password), the columns and the rows read so far."""

from __future__ import annotations

import html
from typing import Any, Iterable, List, Optional, Sequence, Tuple


def connection_summary(native: Any) -> Optional[Tuple[str, str, Optional[str], bool]]:
    """``(address, user, database, tls)``, or ``None`` for a closed connection."""
    if native is None:
        return None
    return native.describe()


def connection_repr(native: Any) -> str:
    s = connection_summary(native)
    if s is None:
        return "<taosarrow.Connection closed>"
    addr, user, db, tls = s
    scheme = "wss" if tls else "ws"
    return f"<taosarrow.Connection {scheme}://{user}@{addr}/{db or ''}>"


def connection_html(native: Any) -> str:
    s = connection_summary(native)
    if s is None:
        return "<b>taosarrow.Connection</b> (closed)"
    addr, user, db, tls = s
    rows = [("server", f"{'wss' if tls else 'ws'}://{addr}"), ("user", user), ("database", db or "(none)")]
    return "<b>taosarrow.Connection</b>" + _table(("", ""), rows)


def columns_repr(kind: str, columns: Sequence[Tuple[str, str]], rows_read: int) -> str:
    cols = ", ".join(f"{n} {t}" for n, t in columns)
    return f"<taosarrow.{kind} ({cols}); {rows_read} rows read>"


def columns_html(kind: str, columns: Sequence[Tuple[str, str]], rows_read: int) -> str:
    return (
        f"<b>taosarrow.{kind}</b>: {len(columns)} columns, {rows_read} rows read"
        + _table(("column", "type"), columns)
    )


def _table(head: Tuple[str, str], rows: Iterable[Tuple[Any, Any]]) -> str:
    out: List[str] = ["<table>"]
    if any(head):
        out.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>")
    for a, b in rows:
        out.append(f"<tr><td>{html.escape(str(a))}</td><td>{html.escape(str(b))}</td></tr>")
    out.append("</table>")
    return "".join(out)
