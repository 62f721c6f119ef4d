"""Arrow streams → pyarrow, pandas and polars objects (through the PyCapsule protocol)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Union

__all__ = ["to_pyarrow_table", "to_pyarrow_reader", "to_pandas", "to_polars", "Categories"]

#: ``categories=`` of the pandas reads: ``True`` (every string column), column names, or
#: ``None``/``False`` (none).
Categories = Union[None, bool, Sequence[str]]


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("this needs pyarrow: pip install 'taosarrow[pyarrow]'") from exc
    return pyarrow


def to_pyarrow_table(stream: Any) -> Any:
    """A ``pyarrow.Table`` from any object exporting ``__arrow_c_stream__``."""
    pa = _pyarrow()
    return pa.RecordBatchReader.from_stream(stream).read_all()


def to_pyarrow_reader(stream: Any) -> Any:
    """A ``pyarrow.RecordBatchReader`` over an object exporting ``__arrow_c_stream__``."""
    return _pyarrow().RecordBatchReader.from_stream(stream)


def _nullable_types() -> Callable[[Any], Optional[Any]]:
    """Arrow integer and boolean types → pandas' nullable dtypes (``Int64``, ``UInt64``,
    ``boolean`` …): with NumPy dtypes a NULL would turn a BIGINT column into float64, which
    cannot hold every 64-bit value."""
    import pandas as pd

    pa = _pyarrow()
    mapping = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.UInt8Dtype(),
        pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    return mapping.get


def to_pandas(stream: Any, *, dtype_backend: str = "numpy", categories: Categories = None) -> Any:
    """A pandas ``DataFrame``; timestamps keep their unit and time zone
    (``datetime64[ns, tz]`` for ns databases). With the default ``"numpy"`` backend integers
    and booleans use pandas' nullable dtypes (``Int64`` …) so NULLs never cost exactness.

    ``categories`` turns string columns into ``pandas.Categorical`` (one Python ``str`` per
    distinct value instead of one per row, for low-cardinality text such as tags): ``True`` for
    every VARCHAR/NCHAR column, or a list of column names. It applies to the ``"numpy"``
    backend; ``"pyarrow"`` keeps strings in Arrow memory already.

    The conversion frees each Arrow column once it is converted, so the peak is about one
    copy of the data rather than two."""
    table = to_pyarrow_table(stream)
    if dtype_backend == "pyarrow":
        import pandas as pd

        return table.to_pandas(types_mapper=pd.ArrowDtype, self_destruct=True)
    if dtype_backend != "numpy":
        raise ValueError("dtype_backend must be 'numpy' or 'pyarrow'")
    options: dict = {"types_mapper": _nullable_types(), "split_blocks": True, "self_destruct": True}
    if categories is True:
        options["strings_to_categorical"] = True
    elif categories:
        if isinstance(categories, str):
            raise TypeError("categories must be True, False, None or a list of column names")
        names = list(categories)
        unknown = [n for n in names if n not in table.column_names]
        if unknown:
            raise ValueError(f"categories names columns the result does not have: {unknown}")
        options["categories"] = names
    elif categories not in (None, False):
        raise TypeError("categories must be True, False, None or a list of column names")
    return table.to_pandas(**options)


def to_polars(stream: Any) -> Any:
    """A polars ``DataFrame`` (the stream crosses through the PyCapsule protocol)."""
    import polars as pl

    return pl.DataFrame(stream)
