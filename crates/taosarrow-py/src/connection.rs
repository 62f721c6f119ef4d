//! `NativeConnection`: a client connection shared by Python threads.

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};
use taosarrow::{ConnectOptions, Connection, NsTimestamps, Outcome};

use crate::errors::{named, to_py_err};
use crate::result::NativeResult;
use crate::schemaless::Call;
use crate::wait::wait;

/// One connection; every call releases the GIL, so threads share it freely.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeConnection {
    inner: Mutex<Option<Arc<Connection>>>,
    timezone: Option<String>,
    ns_timestamps: NsTimestamps,
    ignored: Vec<&'static str>,
}

impl NativeConnection {
    /// The open connection, or `InterfaceError` once closed.
    pub(crate) fn connection(&self, py: Python<'_>) -> PyResult<Arc<Connection>> {
        self.conn(py)
    }

    /// The connection's time zone, if one was given.
    pub(crate) fn timezone_name(&self) -> Option<String> {
        self.timezone.clone()
    }

    fn conn(&self, py: Python<'_>) -> PyResult<Arc<Connection>> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| {
            named(
                py,
                "InterfaceError",
                "the connection is closed".into(),
                None,
            )
        })
    }
}

/// The text `ConnectOptions::set` takes for a keyword option's value.
fn option_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(b.is_true().to_string());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    Ok(value.str()?.to_cow()?.into_owned())
}

/// The client options from a DSN and the keyword options of `taosarrow.connect`, each set
/// through `ConnectOptions::set` (keys in `ConnectOptions::KEYS`); `None` values are skipped.
fn options(dsn: Option<&str>, kw: &Bound<'_, PyDict>) -> PyResult<ConnectOptions> {
    let mut o = match dsn {
        Some(d) => ConnectOptions::from_dsn(d).map_err(to_py_err)?,
        None => ConnectOptions::new(),
    };
    for (key, value) in kw.iter() {
        if value.is_none() {
            continue;
        }
        let key = key.str()?;
        o.set(&key.to_cow()?, &option_text(&value)?)
            .map_err(to_py_err)?;
    }
    Ok(o)
}

/// What a connection is made from: its options, read before connecting.
pub(crate) struct Prepared {
    /// The client options.
    pub options: ConnectOptions,
    timezone: Option<String>,
    ns_timestamps: NsTimestamps,
    ignored: Vec<&'static str>,
}

impl Prepared {
    /// The native connection around `conn`, connected with these options.
    pub(crate) fn finish(self, conn: Connection) -> NativeConnection {
        NativeConnection {
            inner: Mutex::new(Some(Arc::new(conn))),
            timezone: self.timezone,
            ns_timestamps: self.ns_timestamps,
            ignored: self.ignored,
        }
    }
}

impl NativeConnection {
    /// Reads the DSN and keyword options of a connection.
    pub(crate) fn prepare(dsn: Option<&str>, options: &Bound<'_, PyDict>) -> PyResult<Prepared> {
        let opts = self::options(dsn, options)?;
        Ok(Prepared {
            timezone: opts.timezone().map(str::to_string),
            ns_timestamps: opts.ns_timestamps(),
            ignored: opts.ignored_keys().to_vec(),
            options: opts,
        })
    }

    /// How row values show nanosecond timestamps.
    pub(crate) fn ns_mode(&self) -> NsTimestamps {
        self.ns_timestamps
    }
}

#[pymethods]
impl NativeConnection {
    #[new]
    #[pyo3(signature = (dsn, options))]
    fn new(py: Python<'_>, dsn: Option<&str>, options: &Bound<'_, PyDict>) -> PyResult<Self> {
        let prepared = NativeConnection::prepare(dsn, options)?;
        let opts = prepared.options.clone();
        let conn = wait(py, async move { Connection::connect(&opts).await })?;
        Ok(prepared.finish(conn))
    }

    /// `(address, user, database, tls)` of an open connection (no password), for reprs;
    /// `None` once closed.
    fn describe(&self) -> Option<(String, String, Option<String>, bool)> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|c| {
            let o = c.options();
            (c.address(), o.user().to_owned(), c.database(), o.tls())
        })
    }

    /// How row values show nanosecond timestamps: `"int"`, `"pandas"` or `"numpy"`
    /// (option `ns_timestamps`).
    #[getter]
    fn ns_timestamps(&self) -> &'static str {
        self.ns_timestamps.name()
    }

    /// The legacy options given and ignored (`ConnectOptions::IGNORED_KEYS`), in order.
    #[getter]
    fn ignored_options(&self) -> Vec<&'static str> {
        self.ignored.clone()
    }

    /// The connection's time zone (DSN `timezone`), if one was given.
    #[getter]
    fn timezone(&self) -> Option<String> {
        self.timezone.clone()
    }

    /// Runs a statement; returns the affected rows.
    #[pyo3(signature = (sql, req_id=None))]
    fn exec(&self, py: Python<'_>, sql: String, req_id: Option<u64>) -> PyResult<u64> {
        let conn = self.conn(py)?;
        wait(py, async move {
            match req_id {
                Some(id) => conn.exec_with_req_id(&sql, id).await,
                None => conn.exec(&sql).await,
            }
        })
    }

    /// Runs a statement; returns `(affected_rows, None)` when the server answers without a
    /// result set, `(0, result)` when it answers with one.
    #[pyo3(signature = (sql, req_id=None))]
    fn execute(
        &self,
        py: Python<'_>,
        sql: String,
        req_id: Option<u64>,
    ) -> PyResult<(u64, Option<NativeResult>)> {
        let conn = self.conn(py)?;
        let outcome = wait(py, async move {
            match req_id {
                Some(id) => conn.execute_with_req_id(&sql, id).await,
                None => conn.execute(&sql).await,
            }
        })?;
        Ok(match outcome {
            Outcome::Affected(n) => (n, None),
            Outcome::Rows(stream) => (0, Some(NativeResult::new(stream, self.timezone.clone()))),
        })
    }

    /// Runs a query; returns its streaming result.
    #[pyo3(signature = (sql, req_id=None))]
    fn query(&self, py: Python<'_>, sql: String, req_id: Option<u64>) -> PyResult<NativeResult> {
        let conn = self.conn(py)?;
        let stream = wait(py, async move {
            match req_id {
                Some(id) => conn.query_with_req_id(&sql, id).await,
                None => conn.query(&sql).await,
            }
        })?;
        Ok(NativeResult::new(stream, self.timezone.clone()))
    }

    /// Writes schemaless data into the current database; returns `(affected_rows,
    /// total_rows)`. `lines`: a `str` (one payload), a sequence of `str`, or an Arrow string
    /// column; `protocol` and `precision`: enum members, ints or names.
    #[pyo3(signature = (lines, protocol, precision=None, ttl=None, req_id=None, table_name_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn schemaless_insert(
        &self,
        py: Python<'_>,
        lines: &Bound<'_, PyAny>,
        protocol: &Bound<'_, PyAny>,
        precision: Option<&Bound<'_, PyAny>>,
        ttl: Option<i32>,
        req_id: Option<u64>,
        table_name_key: Option<String>,
    ) -> PyResult<(u64, u64)> {
        let none = py.None().into_bound(py);
        let call = Call::new(
            py,
            lines,
            protocol,
            precision.unwrap_or(&none),
            ttl,
            req_id,
            table_name_key,
        )?;
        let conn = self.conn(py)?;
        let done = call.run(py, conn)?;
        Ok((done.affected_rows, done.total_rows))
    }

    /// Closes the connection (idempotent). Calls other threads are making on it fail with
    /// the closed-connection error, and so do later ones.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(conn) = taken {
            wait(py, async move { conn.close().await })?;
        }
        Ok(())
    }
}
