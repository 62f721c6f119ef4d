"""taospy's stmt (v1) calls on the one ``Connection.statement(sql)``: ``TaosStmt``.

taospy programs bind ``new_bind_params`` / ``new_multi_binds`` lists; taos-ws-py programs
bind tag and column views (``*_to_tag`` / ``*_to_column``) or Arrow arrays. ``TaosStmt``
tells them apart by type and takes both::

    stmt = conn.statement("INSERT INTO ? USING stb TAGS (?) VALUES (?, ?)")
    tags = new_bind_params(1)
    tags[0].int(1)
    stmt.set_tbname_tags("d1", tags)
    params = new_bind_params(2)
    params[0].timestamp(1626861392589, PrecisionEnum.Milliseconds)
    params[1].int(7)
    stmt.bind_param(params)          # taospy: also ends the batch (add_batch=True)
    stmt.execute()
    assert stmt.affected_rows == 1

The binds' arrays go through :meth:`~taosarrow.stmt1.Statement.set_tag_arrays` and
:meth:`~taosarrow.stmt1.Statement.bind_arrays`, which convert each to its tag's or column's
type where no value changes. taos-ws-py views go to :class:`~taosarrow.stmt1.Statement` as
they are, and its ``bind_param`` does not end the batch, as in taos-ws-py.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from .bind import TaosMultiBind, bind_arrays
from .exceptions import ProgrammingError
from .result import TaosResult
from .stmt1 import Statement

__all__ = ["TaosStmt"]


def _taospy_binds(params: Any, what: str) -> Tuple[bool, List[Any]]:
    """``(True, binds)`` when every item of ``params`` is a ``TaosBind``/``TaosMultiBind``,
    ``(False, items)`` for taos-ws-py views and Arrow arrays; a mix raises."""
    if isinstance(params, TaosMultiBind):
        raise ProgrammingError(
            f"{what}: expected a list of binds (new_bind_params(n)), got a single one"
        )
    try:
        items = list(params)
    except TypeError:
        raise ProgrammingError(f"{what}: expected a list, got {type(params).__name__}") from None
    kinds = {isinstance(p, TaosMultiBind) for p in items}
    if kinds == {True, False}:
        raise ProgrammingError(
            f"{what}: TaosBind/TaosMultiBind values cannot be mixed with views or arrays"
        )
    return kinds == {True}, items


class TaosStmt(Statement):
    """A stmt (v1) prepared statement taking taospy's binds as well as taos-ws-py's views
    (from :meth:`Connection.statement <taosarrow.Connection.statement>`).

    ``affected_rows`` counts the rows written by every ``execute`` so far, as taospy's
    does."""

    def __init__(self, native_connection: Any, sql: Optional[str] = None) -> None:
        #: The connection's time zone: naive datetimes in binds are wall time there.
        self._timezone: Optional[str] = getattr(native_connection, "timezone", None)
        super().__init__(native_connection, sql)

    def set_tags(self, tags: Sequence[Any]) -> None:
        """Sets the current table's tags: taospy's ``new_bind_params(n)`` (one value each),
        or taos-ws-py tag views / length-1 Arrow arrays."""
        taospy, items = _taospy_binds(tags, "tags")
        if taospy:
            self.set_tag_arrays(bind_arrays(items, "tag", self.tag_fields(), self._timezone))
        else:
            super().set_tags(items)

    def set_tbname_tags(self, name: str, tags: Sequence[Any]) -> None:
        """Names the child table and sets its tags (taospy's ``new_bind_params(n)`` or
        taos-ws-py's tag views); the table is created on ``execute`` when it does not
        exist."""
        self.set_tbname(name)
        self.set_tags(tags)

    def bind_param(self, params: Sequence[Any], add_batch: bool = True) -> None:
        """Binds rows. taospy: ``params`` from ``new_bind_params(n)`` (one row; lists bind
        several), and the batch is ended unless ``add_batch=False``. taos-ws-py: column
        views or Arrow arrays, and the program calls :meth:`add_batch`."""
        taospy, items = _taospy_binds(params, "params")
        if taospy:
            self._bind_taospy(items, add_batch)
        else:
            super().bind_param(items)

    def bind_param_batch(self, binds: Sequence[Any], add_batch: bool = True) -> None:
        """Binds several rows: taospy's ``new_multi_binds(n)``, one list of values per
        column, all of one length; the batch is ended unless ``add_batch=False``."""
        taospy, items = _taospy_binds(binds, "binds")
        if not taospy:
            raise ProgrammingError(
                "bind_param_batch() takes new_multi_binds(n); bind views with bind_param()"
            )
        self._bind_taospy(items, add_batch)

    def _bind_taospy(self, binds: Sequence[TaosMultiBind], add_batch: bool) -> None:
        fields = self.col_fields() if self.is_insert else None
        self.bind_arrays(bind_arrays(binds, "column", fields, self._timezone))
        if add_batch:
            self.add_batch()

    def use_result(self) -> TaosResult:
        """The result of an executed query (taospy's name for :meth:`result`)."""
        return self.result()

    def __enter__(self) -> "TaosStmt":
        return self
