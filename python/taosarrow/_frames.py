"""Arrow streams → pyarrow, pandas and polars objects (through the PyCapsule protocol)."""

from __future__ import annotations

from typing import Any, Callable, Optional

__all__ = ["to_pyarrow_table", "to_pyarrow_reader", "to_pandas", "to_polars"]


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


def to_pandas(stream: Any, *, dtype_backend: str = "numpy") -> Any:
    """A pandas ``DataFrame``; timestamps keep their unit and time zone
    (``datetime64[ns, tz]`` for ns databases). With the default ``"numpy"`` backend integers
    and booleans use pandas' nullable dtypes (``Int64`` …) so NULLs never cost exactness."""
    table = to_pyarrow_table(stream)
    if dtype_backend == "pyarrow":
        import pandas as pd

        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if dtype_backend != "numpy":
        raise ValueError("dtype_backend must be 'numpy' or 'pyarrow'")
    return table.to_pandas(types_mapper=_nullable_types())


def to_polars(stream: Any) -> Any:
    """A polars ``DataFrame`` (the stream crosses through the PyCapsule protocol)."""
    import polars as pl

    return pl.DataFrame(stream)
