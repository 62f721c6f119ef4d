//! `NativeStmt1`: a stmt (v1) statement bound with Arrow arrays (any `__arrow_c_array__`
//! object), one array per tag or column; the Python layer builds those from its views.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3_arrow::PyArray;
use taosarrow::codec::stmt2::BindField;
use taosarrow::Stmt;
use tokio::sync::Mutex;

use crate::connection::NativeConnection;
use crate::errors::named;
use crate::result::NativeResult;
use crate::wait::wait;

/// A stmt (v1) prepared statement; calls on one statement are serialized, and every call
/// that talks to the server releases the GIL.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeStmt1 {
    stmt: Arc<Mutex<Option<Stmt>>>,
    timezone: Option<String>,
}

/// One tag or column as Python sees it: `(name, type_code, precision, scale, bytes)`.
type FieldTuple = (String, u8, u8, u8, i32);

fn field_tuples(fields: Option<&[BindField]>) -> Vec<FieldTuple> {
    fields
        .unwrap_or_default()
        .iter()
        .map(|f| (f.name.clone(), f.ty.code(), f.precision, f.scale, f.bytes))
        .collect()
}

fn arrays(list: Vec<PyArray>) -> Vec<arrow_array::ArrayRef> {
    list.into_iter().map(|a| a.into_inner().0).collect()
}

fn closed(py: Python<'_>) -> PyErr {
    named(
        py,
        "InterfaceError",
        "the statement is closed (or in use by another thread)".into(),
        None,
    )
}

impl NativeStmt1 {
    /// Runs `f` on the statement with the GIL released; the statement is taken for the
    /// duration of the call and put back afterwards.
    fn with<F, Fut, T>(&self, py: Python<'_>, f: F) -> PyResult<T>
    where
        F: FnOnce(Stmt) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = (Stmt, Result<T, taosarrow::Error>)> + Send + 'static,
        T: Send + 'static,
    {
        let stmt = self.stmt.try_lock().ok().and_then(|mut g| g.take());
        let Some(stmt) = stmt else {
            return Err(closed(py));
        };
        let back = self.stmt.clone();
        wait(py, async move {
            let (stmt, result) = f(stmt).await;
            *back.lock().await = Some(stmt);
            result
        })
    }

    /// Reads from the statement without waiting on the server.
    fn peek<T>(&self, py: Python<'_>, f: impl FnOnce(&Stmt) -> T) -> PyResult<T> {
        let guard = self.stmt.try_lock().map_err(|_| closed(py))?;
        guard.as_ref().map(f).ok_or_else(|| closed(py))
    }
}

#[pymethods]
impl NativeStmt1 {
    /// Opens a statement on `conn` (`init`).
    #[new]
    fn new(py: Python<'_>, conn: &NativeConnection) -> PyResult<Self> {
        let c = conn.connection(py)?;
        let stmt = wait(py, async move { c.stmt().await })?;
        Ok(NativeStmt1 {
            stmt: Arc::new(Mutex::new(Some(stmt))),
            timezone: conn.timezone_name(),
        })
    }

    /// Prepares `sql`; returns `(is_insert, num_params)`.
    fn prepare(&self, py: Python<'_>, sql: String) -> PyResult<(bool, usize)> {
        self.with(py, move |mut s| async move {
            let r = s
                .prepare(&sql)
                .await
                .map(|()| (s.is_insert(), s.num_params()));
            (s, r)
        })
    }

    /// Names the table the next rows go to.
    fn set_tbname(&self, py: Python<'_>, name: String) -> PyResult<()> {
        self.with(py, move |mut s| async move {
            let r = s.set_tbname(&name).await;
            (s, r)
        })
    }

    /// Sets the tags of the current table: one length-1 array per tag.
    fn set_tags(&self, py: Python<'_>, tags: Vec<PyArray>) -> PyResult<()> {
        let tags = arrays(tags);
        self.with(py, move |mut s| async move {
            let r = s.set_tags(&tags).await;
            (s, r)
        })
    }

    /// Binds rows (one array per column, equal lengths) or a query's parameters (one
    /// length-1 array per `?`).
    fn bind(&self, py: Python<'_>, columns: Vec<PyArray>) -> PyResult<()> {
        let columns = arrays(columns);
        self.with(py, move |mut s| async move {
            let r = s.bind(&columns).await;
            (s, r)
        })
    }

    /// Ends the rows bound for the current table.
    fn add_batch(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |mut s| async move {
            let r = s.add_batch().await;
            (s, r)
        })
    }

    /// Executes what was bound; returns the rows this exec wrote.
    fn execute(&self, py: Python<'_>) -> PyResult<u64> {
        self.with(py, |mut s| async move {
            let r = s.exec().await;
            (s, r)
        })
    }

    /// The tags of the prepared INSERT as `(name, type_code, precision, scale, bytes)`;
    /// empty when there are none or the server did not describe them.
    fn tag_fields(&self, py: Python<'_>) -> PyResult<Vec<FieldTuple>> {
        self.peek(py, |s| field_tuples(s.tag_fields()))
    }

    /// The columns of the prepared INSERT as `(name, type_code, precision, scale, bytes)`.
    fn col_fields(&self, py: Python<'_>) -> PyResult<Vec<FieldTuple>> {
        self.peek(py, |s| field_tuples(s.col_fields()))
    }

    /// The result of an executed query.
    fn result(&self, py: Python<'_>) -> PyResult<NativeResult> {
        let stream = self.with(py, |mut s| async move {
            let r = s.result().await;
            (s, r)
        })?;
        Ok(NativeResult::new(stream, self.timezone.clone()))
    }

    /// Closes the statement (idempotent); later calls raise `InterfaceError`.
    fn close(&self) {
        let taken = self.stmt.try_lock().ok().and_then(|mut g| g.take());
        if let Some(mut s) = taken {
            s.close();
        }
    }
}
