//! Python bindings for taosarrow: PyO3 glue only.
use pyo3::prelude::*;

/// The native half of the `taosarrow` Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
