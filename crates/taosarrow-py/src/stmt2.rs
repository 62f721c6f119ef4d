//! `NativeStmt2`: a stmt2 statement bound with Arrow arrays (any `__arrow_c_array__`
//! object); the Python layer builds those arrays from lists for the taospy-style API.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3_arrow::PyArray;
use taosarrow::codec::stmt2::TableBind;
use taosarrow::Stmt2;
use tokio::sync::Mutex;

use crate::connection::NativeConnection;
use crate::errors::named;
use crate::result::NativeResult;
use crate::wait::wait;

/// A prepared statement; calls on one statement are serialized, and every call releases
/// the GIL.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeStmt2 {
    stmt: Arc<Mutex<Option<Stmt2>>>,
    timezone: Option<String>,
}

/// One placeholder as Python sees it: `(name, type_code, precision, scale, bytes, bind_type)`.
type FieldTuple = (String, u8, u8, u8, i32, u8);

impl NativeStmt2 {
    fn with<F, Fut, T>(&self, py: Python<'_>, f: F) -> PyResult<T>
    where
        F: FnOnce(Stmt2) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = (Stmt2, Result<T, taosarrow::Error>)> + Send + 'static,
        T: Send + 'static,
    {
        let slot = self.stmt.clone();
        let closed = || {
            named(
                py,
                "InterfaceError",
                "the statement is closed (or in use by another thread)".into(),
                None,
            )
        };
        // Take the statement for the duration of the call; put it back afterwards.
        let stmt = slot.try_lock().ok().and_then(|mut g| g.take());
        let Some(stmt) = stmt else {
            return Err(closed());
        };
        let back = slot.clone();
        wait(py, async move {
            let (stmt, result) = f(stmt).await;
            *back.lock().await = Some(stmt);
            result
        })
    }
}

#[pymethods]
impl NativeStmt2 {
    /// Opens a statement on `conn` (`stmt2_init`).
    #[new]
    fn new(py: Python<'_>, conn: &NativeConnection) -> PyResult<Self> {
        let c = conn.connection(py)?;
        let stmt = wait(py, async move { c.stmt2().await })?;
        Ok(NativeStmt2 {
            stmt: Arc::new(Mutex::new(Some(stmt))),
            timezone: conn.timezone_name(),
        })
    }

    /// Prepares `sql`; returns `(is_insert, param_count, fields)`.
    fn prepare(&self, py: Python<'_>, sql: String) -> PyResult<(bool, usize, Vec<FieldTuple>)> {
        self.with(py, move |mut s| async move {
            let r = s.prepare(&sql).await.map(|()| {
                let fields = s
                    .fields()
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            f.ty.code(),
                            f.precision,
                            f.scale,
                            f.bytes,
                            f.role.code(),
                        )
                    })
                    .collect();
                (s.is_insert(), s.param_count(), fields)
            });
            (s, r)
        })
    }

    /// Binds tables of an INSERT: `[(name or None, [tag arrays], [column arrays]), …]`.
    fn bind(
        &self,
        py: Python<'_>,
        tables: Vec<(Option<String>, Vec<PyArray>, Vec<PyArray>)>,
    ) -> PyResult<()> {
        let tables: Vec<TableBind> = tables
            .into_iter()
            .map(|(name, tags, cols)| TableBind {
                name,
                tags: tags.into_iter().map(|a| a.into_inner().0).collect(),
                columns: cols.into_iter().map(|a| a.into_inner().0).collect(),
            })
            .collect();
        self.with(py, move |mut s| async move {
            let r = s.bind(&tables).await;
            (s, r)
        })
    }

    /// Binds the parameters of a query: one length-1 array per `?`.
    fn bind_params(&self, py: Python<'_>, params: Vec<PyArray>) -> PyResult<()> {
        let params: Vec<_> = params.into_iter().map(|a| a.into_inner().0).collect();
        self.with(py, move |mut s| async move {
            let r = s.bind_params(&params).await;
            (s, r)
        })
    }

    /// Executes what was bound; returns the rows written.
    fn execute(&self, py: Python<'_>) -> PyResult<u64> {
        self.with(py, |mut s| async move {
            let r = s.exec().await;
            (s, r)
        })
    }

    /// The result of an executed query.
    fn result(&self, py: Python<'_>) -> PyResult<NativeResult> {
        let stream = self.with(py, |mut s| async move {
            let r = s.result().await;
            (s, r)
        })?;
        Ok(NativeResult::new(stream, self.timezone.clone()))
    }

    /// Closes the statement (idempotent).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.stmt.try_lock().ok().and_then(|mut g| g.take());
        if let Some(s) = taken {
            wait(py, async move { s.close().await })?;
        }
        Ok(())
    }
}
