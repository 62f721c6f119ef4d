//! The one place where client errors become Python exceptions.
//!
//! The exception classes live in Python (`taosarrow.exceptions`); they are looked up by name
//! and built with `(msg, errno)`, so `errno` and `msg` survive the crossing.

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;
use taosarrow::{Error, ErrorKind};

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The name of the `taosarrow.exceptions` class for an error kind. (An
/// [`ErrorKind::Interrupted`] error becomes Python's own `KeyboardInterrupt`.)
pub fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Connection => "ConnectionError",
        ErrorKind::Query => "QueryError",
        ErrorKind::Statement => "StatementError",
        ErrorKind::Schemaless => "SchemalessError",
        ErrorKind::Tmq => "TmqError",
        ErrorKind::Interface => "InterfaceError",
        ErrorKind::Protocol => "ResultError",
        ErrorKind::Cancelled => "OperationalError",
        _ => "DatabaseError",
    }
}

/// Builds the Python exception for a client error.
pub fn to_py_err(err: Error) -> PyErr {
    if err.kind() == ErrorKind::Interrupted {
        return PyKeyboardInterrupt::new_err(err.to_string());
    }
    Python::attach(|py| {
        crate::ingest::ingest_error(py, &err)
            .or_else(|| crate::schemaless::schemaless_error(py, &err))
            .unwrap_or_else(|| {
                named(
                    py,
                    class_name(err.kind()),
                    err.message(),
                    err.code().map(|c| c.0),
                )
            })
    })
}

/// An exception of the named `taosarrow.exceptions` class with `(msg, errno)`.
pub fn named(py: Python<'_>, class: &str, msg: String, errno: Option<u16>) -> PyErr {
    match exception(py, class, msg, errno) {
        Ok(e) => e,
        Err(lookup) => lookup,
    }
}

fn exception(py: Python<'_>, class: &str, msg: String, errno: Option<u16>) -> PyResult<PyErr> {
    let module = EXCEPTIONS.get_or_try_init(py, || {
        PyModule::import(py, "taosarrow.exceptions").map(Bound::unbind)
    })?;
    let cls = module.bind(py).getattr(class)?;
    let instance = cls.call1((msg, errno))?;
    Ok(PyErr::from_value(instance))
}

/// A Python `RuntimeError` for a broken invariant of the glue itself.
pub fn internal(msg: impl Into<String>) -> PyErr {
    PyRuntimeError::new_err(msg.into())
}
