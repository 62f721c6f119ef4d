//! Python bindings for taosarrow: PyO3 glue only.
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use taosarrow::{ConnectOptions, IngestMode};

mod aio;
mod connection;
mod errors;
mod ingest;
mod log;
mod result;
mod rows;
mod schemaless;
#[cfg(feature = "server")]
mod server;
mod sql;
mod stmt1;
mod stmt2;
mod tmq;
mod types;
mod wait;

/// The native half of the `taosarrow` Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    log::install();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(log::_log_test_event, m)?)?;
    m.add_class::<aio::NativeCall>()?;
    m.add_function(wrap_pyfunction!(aio::connect_async, m)?)?;
    m.add_function(wrap_pyfunction!(aio::execute_async, m)?)?;
    m.add_function(wrap_pyfunction!(aio::query_async, m)?)?;
    m.add_function(wrap_pyfunction!(aio::read_arrow_async, m)?)?;
    m.add_function(wrap_pyfunction!(aio::next_batch_async, m)?)?;
    m.add_function(wrap_pyfunction!(aio::write_async, m)?)?;
    m.add_class::<connection::NativeConnection>()?;
    m.add_class::<result::NativeResult>()?;
    m.add_function(wrap_pyfunction!(ingest::ingest, m)?)?;
    m.add_class::<stmt1::NativeStmt1>()?;
    m.add_class::<stmt2::NativeStmt2>()?;
    m.add_class::<tmq::NativeConsumer>()?;
    m.add_class::<tmq::NativeMessage>()?;
    m.add_function(wrap_pyfunction!(types::type_table, m)?)?;
    m.add_function(wrap_pyfunction!(types::arrow_type, m)?)?;
    m.add_function(wrap_pyfunction!(schemaless::protocol_code, m)?)?;
    m.add_function(wrap_pyfunction!(schemaless::precision_code, m)?)?;
    sql::register(m)?;
    #[cfg(feature = "server")]
    m.add_class::<server::NativeServer>()?;
    m.add("HAS_SERVER", cfg!(feature = "server"))?;
    m.add("OPTION_NAMES", PyTuple::new(m.py(), ConnectOptions::KEYS)?)?;
    m.add(
        "OPTION_ALIASES",
        PyTuple::new(m.py(), ConnectOptions::ALIASES.iter().copied())?,
    )?;
    m.add(
        "IGNORED_OPTIONS",
        PyTuple::new(m.py(), ConnectOptions::IGNORED_KEYS.iter().copied())?,
    )?;
    let modes = IngestMode::ALL.map(IngestMode::name);
    m.add("INGEST_MODES", PyTuple::new(m.py(), modes)?)?;
    Ok(())
}
