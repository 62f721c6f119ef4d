//! The one place where client errors become Python exceptions.
//!
//! The exception classes live in Python (`taosarrow.exceptions`); they are looked up by name
//! and built with `(msg, errno)`, so `errno` and `msg` survive the crossing.

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;
use taosarrow::{Code, Error, ErrorKind};

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The name of the `taosarrow.exceptions` class for an error kind. (An
/// [`ErrorKind::Interrupted`] error becomes Python's own `KeyboardInterrupt`.) Prefer
/// [`class_for`], which also looks at the server's code.
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

/// Whether a server code of a refused SQL statement is an operational failure (the server
/// could not run it now: network, memory, load, a killed query, a vnode or leader not
/// ready) rather than a fault of the statement.
fn operational_code(code: Code) -> bool {
    matches!(
        code.0,
        // RPC: network, broken link, timeouts, too many sessions.
        0x0001..=0x00FF
            // Out of memory.
            | 0x0102
            // Query killed.
            | 0x022D
            // Vnode, query runtime and sync (leader, replication) failures.
            | 0x0500..=0x05FF
            | 0x0700..=0x07FF
            | 0x0900..=0x09FF
            // taosAdapter: too many requests.
            | 0xFFFE
    )
}

/// The `taosarrow.exceptions` class of a client error: the one table from errors to
/// classes. A refused SQL statement is a `QueryError` (a `ProgrammingError`, as taospy
/// raises for every query), or an `OperationalQueryError` (also an `OperationalError`) for
/// an [operational code](operational_code); every other error gets the class of its kind.
pub fn class_for(err: &Error) -> &'static str {
    match (err.kind(), err.code()) {
        (ErrorKind::Query, Some(code)) if operational_code(code) => "OperationalQueryError",
        (kind, _) => class_name(kind),
    }
}

/// `errno` as taospy reports it: TDengine's 32-bit error code, `0x80000000 | code`, as a
/// signed integer (`0x2600` gives `-2147473920`).
pub fn errno_of(code: u16) -> i32 {
    // The sign bit set on a 16-bit code: the bit pattern of a negative i32.
    i32::from_ne_bytes((0x8000_0000_u32 | u32::from(code)).to_ne_bytes())
}

/// Builds the Python exception for a client error.
pub fn to_py_err(err: Error) -> PyErr {
    if err.kind() == ErrorKind::Interrupted {
        return PyKeyboardInterrupt::new_err(err.to_string());
    }
    Python::attach(|py| {
        crate::ingest::ingest_error(py, &err)
            .or_else(|| crate::schemaless::schemaless_error(py, &err))
            .unwrap_or_else(|| named(py, class_for(&err), err.message(), err.code().map(|c| c.0)))
    })
}

/// An exception of the named `taosarrow.exceptions` class with `(msg, errno)`; `code` is
/// TDengine's 16-bit code, passed on in taospy's signed 32-bit form ([`errno_of`]).
pub fn named(py: Python<'_>, class: &str, msg: String, code: Option<u16>) -> PyErr {
    match exception(py, class, msg, code.map(errno_of)) {
        Ok(e) => e,
        Err(lookup) => lookup,
    }
}

fn exception(py: Python<'_>, class: &str, msg: String, errno: Option<i32>) -> PyResult<PyErr> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_is_taospy_signed_form() {
        assert_eq!(errno_of(0x2600), -2_147_473_920);
        assert_eq!(errno_of(0), i32::MIN);
        assert_eq!(errno_of(0xFFFF), -2_147_418_113);
    }

    #[test]
    fn statement_errors_split_by_code() {
        let server = |code: u16| Error::Server {
            code: Code(code),
            message: "m".into(),
            kind: ErrorKind::Query,
        };
        assert_eq!(class_for(&server(0x2600)), "QueryError");
        assert_eq!(class_for(&server(0x0388)), "QueryError");
        assert_eq!(class_for(&server(0x022D)), "OperationalQueryError");
        assert_eq!(class_for(&server(0x0019)), "OperationalQueryError");
        assert_eq!(class_for(&server(0xFFFE)), "OperationalQueryError");
        assert_eq!(class_for(&Error::Options("x".into())), "InterfaceError");
        assert_eq!(class_for(&Error::Cancelled), "OperationalError");
    }
}
