"""Arrow streams → pyarrow, pandas and polars objects (through the PyCapsule protocol)."""

from __future__ import annotations

from typing import Any

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


def to_pandas(stream: Any, *, dtype_backend: str = "numpy") -> Any:
    """A pandas ``DataFrame``; timestamps keep their unit and time zone
    (``datetime64[ns, tz]`` for ns databases)."""
    table = to_pyarrow_table(stream)
    if dtype_backend == "pyarrow":
        import pandas as pd

        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if dtype_backend != "numpy":
        raise ValueError("dtype_backend must be 'numpy' or 'pyarrow'")
    return table.to_pandas()


def to_polars(stream: Any) -> Any:
    """A polars ``DataFrame`` (the stream crosses through the PyCapsule protocol)."""
    import polars as pl

    return pl.DataFrame(stream)
