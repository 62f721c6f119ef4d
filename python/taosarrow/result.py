"""``TaosResult`` and ``TaosField``: a query's result, iterated as rows, and its columns."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, NamedTuple, Tuple

from .types import TYPE_NAMES

__all__ = ["TaosResult", "TaosField"]


class TaosField(NamedTuple):
    """One result column: its name, TDengine type code and declared length."""

    name: str
    type_code: int
    length: int
    precision: int
    scale: int

    def type(self) -> str:
        """The TDengine type name, e.g. ``"NCHAR"``."""
        return TYPE_NAMES.get(self.type_code, str(self.type_code))

    def bytes(self) -> int:
        """The declared length (``fields_lengths``)."""
        return self.length


class TaosResult:
    """The result of :meth:`Connection.query`: iterate for rows (tuples)."""

    def __init__(self, native: Any) -> None:
        self._native = native
        self._fields = [TaosField(*f) for f in native.fields()]

    @property
    def fields(self) -> List[TaosField]:
        """The result columns."""
        return list(self._fields)

    @property
    def field_count(self) -> int:
        """The number of result columns."""
        return len(self._fields)

    @property
    def precision(self) -> str:
        """The timestamp precision of the result: ``"ms"``, ``"us"`` or ``"ns"``."""
        return self._native.precision

    def __iter__(self) -> Iterator[Tuple[Any, ...]]:
        while True:
            rows = self._native.fetch_rows(None)
            if not rows:
                return
            yield from rows

    def fetch_all_into_dict(self) -> List[Dict[str, Any]]:
        """Every remaining row as a ``{column name: value}`` dict."""
        names = [f.name for f in self._fields]
        return [dict(zip(names, row)) for row in self]

    def to_arrow(self) -> Any:
        """The remaining rows as a table exporting ``__arrow_c_stream__``."""
        return self._native.read_all()

    def close(self) -> None:
        """Stops the query and frees its server-side result."""
        self._native.close()
