//! `NativeConnection`: a client connection shared by Python threads.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use taosarrow::{ConnectOptions, Connection, Outcome};

use crate::errors::named;
use crate::result::NativeResult;
use crate::wait::wait;

/// One connection; every call releases the GIL, so threads share it freely.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeConnection {
    inner: Mutex<Option<Arc<Connection>>>,
    timezone: Option<String>,
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

fn get<'py, T: FromPyObjectOwned<'py>>(
    options: &Bound<'py, PyDict>,
    key: &str,
) -> PyResult<Option<T>> {
    match options.get_item(key)? {
        Some(v) if !v.is_none() => Ok(Some(v.extract().map_err(Into::into)?)),
        _ => Ok(None),
    }
}

fn seconds(py: Python<'_>, key: &str, v: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(v).map_err(|_| {
        named(
            py,
            "InterfaceError",
            format!("{key} must be a non-negative number of seconds"),
            None,
        )
    })
}

/// The client options from a DSN and the keyword options of `taosarrow.connect`.
fn options(py: Python<'_>, dsn: Option<&str>, kw: &Bound<'_, PyDict>) -> PyResult<ConnectOptions> {
    let mut o = match dsn {
        Some(d) => ConnectOptions::from_dsn(d).map_err(crate::errors::to_py_err)?,
        None => ConnectOptions::new(),
    };
    let host: Option<String> = get(kw, "host")?;
    let port: Option<u16> = get(kw, "port")?;
    if host.is_some() || port.is_some() {
        let current = o
            .addresses()
            .first()
            .map(|a| (a.host.clone(), a.port.unwrap_or(6041)));
        let (h0, p0) = current.unwrap_or_else(|| ("localhost".into(), 6041));
        o = o.with_host(host.unwrap_or(h0), port.unwrap_or(p0));
    }
    let user: Option<String> = get(kw, "user")?;
    let password: Option<String> = get(kw, "password")?;
    if user.is_some() || password.is_some() {
        let u = user.unwrap_or_else(|| o.user().to_string());
        o = o.with_credentials(u, password.unwrap_or_else(|| "taosdata".into()));
    }
    if let Some(db) = get::<String>(kw, "database")? {
        o = o.with_database(db);
    }
    if let Some(tz) = get::<String>(kw, "timezone")? {
        o = o.with_timezone(&tz).map_err(crate::errors::to_py_err)?;
    }
    if let Some(c) = get::<bool>(kw, "compression")? {
        o = o.with_compression(c);
    }
    if let Some(n) = get::<u32>(kw, "conn_retries")? {
        o = o.with_conn_retries(n);
    }
    let base: Option<u64> = get(kw, "retry_backoff_ms")?;
    let max: Option<u64> = get(kw, "retry_backoff_max_ms")?;
    if base.is_some() || max.is_some() {
        let b = base
            .map(Duration::from_millis)
            .unwrap_or_else(|| o.retry_backoff());
        let m = max
            .map(Duration::from_millis)
            .unwrap_or_else(|| o.retry_backoff_max());
        o = o.with_retry_backoff(b, m);
    }
    if let Some(t) = get::<f64>(kw, "read_timeout")? {
        o = o.with_read_timeout(seconds(py, "read_timeout", t)?);
    }
    if let Some(t) = get::<f64>(kw, "connect_timeout")? {
        o = o.with_connect_timeout(seconds(py, "connect_timeout", t)?);
    }
    Ok(o)
}

#[pymethods]
impl NativeConnection {
    #[new]
    #[pyo3(signature = (dsn, options))]
    fn new(py: Python<'_>, dsn: Option<&str>, options: &Bound<'_, PyDict>) -> PyResult<Self> {
        let opts = self::options(py, dsn, options)?;
        let timezone = opts.timezone().map(str::to_string);
        let conn = wait(py, async move { Connection::connect(&opts).await })?;
        Ok(NativeConnection {
            inner: Mutex::new(Some(Arc::new(conn))),
            timezone,
        })
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

    /// Closes the connection (idempotent).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(arc) = taken {
            if let Ok(conn) = Arc::try_unwrap(arc) {
                wait(py, async move { conn.close().await })?;
            }
        }
        Ok(())
    }
}
