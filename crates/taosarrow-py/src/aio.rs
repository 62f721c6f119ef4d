//! The asyncio side of the native calls: each `*_async` method spawns its work on the
//! client's tokio runtime and returns at once with a [`NativeCall`]; when the work ends, the
//! asyncio future it was given is settled on its event loop (`loop.call_soon_threadsafe`).
//! No thread waits per call, and no executor. Cancelling the awaiting task calls
//! [`NativeCall::cancel`], which aborts the work: a query's stream is dropped, which frees
//! its server-side result.

use std::future::Future;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3_arrow::{PyRecordBatch, PyTable};
use taosarrow::{Connection, NsTimestamps, Outcome};
use tokio::task::AbortHandle;

use crate::connection::NativeConnection;
use crate::errors::to_py_err;
use crate::result::NativeResult;
use crate::rows::batches_to_rows;

/// Work started for an awaiting asyncio task.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeCall {
    abort: Mutex<Option<AbortHandle>>,
}

#[pymethods]
impl NativeCall {
    /// Stops the work (the awaiting task was cancelled); the future is left unsettled.
    fn cancel(&self) {
        if let Some(a) = self.abort.lock().unwrap_or_else(|e| e.into_inner()).take() {
            a.abort();
        }
    }
}

/// Where a call's outcome goes: `loop.call_soon_threadsafe(settle, future, error, value)`.
#[derive(Clone)]
pub(crate) struct Target {
    event_loop: Arc<Py<PyAny>>,
    future: Arc<Py<PyAny>>,
    settle: Arc<Py<PyAny>>,
}

impl Target {
    pub(crate) fn new(event_loop: Py<PyAny>, future: Py<PyAny>, settle: Py<PyAny>) -> Self {
        Target {
            event_loop: Arc::new(event_loop),
            future: Arc::new(future),
            settle: Arc::new(settle),
        }
    }
}

/// Spawns `work`; when it ends, `convert` (GIL held) turns its value into a Python object
/// and the future is settled with it, or with the error.
pub(crate) fn spawn<F, T, C>(target: Target, work: F, convert: C) -> NativeCall
where
    F: Future<Output = Result<T, taosarrow::Error>> + Send + 'static,
    T: Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let task = taosarrow::runtime().spawn(async move {
        let out = work.await;
        // Taking the GIL may wait: not on a runtime worker.
        let _ = tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let (error, value) = match out.map_err(to_py_err).and_then(|v| convert(py, v)) {
                    Ok(v) => (py.None(), v),
                    Err(e) => (e.into_value(py).into_any(), py.None()),
                };
                let args = (
                    target.settle.clone_ref(py),
                    target.future.clone_ref(py),
                    error,
                    value,
                );
                // A closed loop has nobody awaiting: nothing to settle.
                let _ = target
                    .event_loop
                    .bind(py)
                    .call_method1("call_soon_threadsafe", args);
            })
        })
        .await;
    });
    NativeCall {
        abort: Mutex::new(Some(task.abort_handle())),
    }
}

/// `asyncio`'s connect: a [`NativeConnection`] made on the runtime.
#[pyfunction]
#[pyo3(signature = (event_loop, future, settle, dsn, options))]
pub fn connect_async(
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    settle: Py<PyAny>,
    dsn: Option<&str>,
    options: &Bound<'_, PyDict>,
) -> PyResult<NativeCall> {
    let prepared = NativeConnection::prepare(dsn, options)?;
    let opts = prepared.options.clone();
    Ok(spawn(
        Target::new(event_loop, future, settle),
        async move { Connection::connect(&opts).await },
        move |py, conn| Ok(Py::new(py, prepared.finish(conn))?.into_any()),
    ))
}

/// The rows of `batches` as tuples, as the blocking API shows them.
fn rows_of(
    py: Python<'_>,
    batches: &[arrow_array::RecordBatch],
    tz: Option<&str>,
    ns: NsTimestamps,
) -> PyResult<Py<PyAny>> {
    let rows: Vec<Bound<'_, PyTuple>> = batches_to_rows(py, batches, tz, ns)?;
    Ok(rows.into_pyobject(py)?.into_any().unbind())
}

/// Runs a statement; settles with `(affected_rows, None)` or `(0, rows)` for a statement
/// that answers with a result set (its rows read to the end).
#[pyfunction]
pub fn execute_async(
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    settle: Py<PyAny>,
    conn: &Bound<'_, NativeConnection>,
    sql: String,
) -> PyResult<NativeCall> {
    let (tz, ns) = (conn.get().timezone_name(), conn.get().ns_mode());
    let conn = conn.get().connection(conn.py())?;
    Ok(spawn(
        Target::new(event_loop, future, settle),
        async move {
            match conn.execute(&sql).await? {
                Outcome::Affected(n) => Ok((n, None)),
                Outcome::Rows(stream) => Ok((0, Some(stream.collect_all().await?))),
            }
        },
        move |py, (n, batches)| {
            let rows = match batches {
                Some(b) => rows_of(py, &b, tz.as_deref(), ns)?,
                None => py.None(),
            };
            Ok((n, rows).into_pyobject(py)?.into_any().unbind())
        },
    ))
}

/// Runs a query and reads it whole; settles with a pyarrow-compatible table.
#[pyfunction]
pub fn read_arrow_async(
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    settle: Py<PyAny>,
    conn: &Bound<'_, NativeConnection>,
    sql: String,
) -> PyResult<NativeCall> {
    let conn = conn.get().connection(conn.py())?;
    Ok(spawn(
        Target::new(event_loop, future, settle),
        async move {
            let stream = conn.query(&sql).await?;
            let schema = stream.schema();
            Ok((stream.collect_all().await?, schema))
        },
        |py, (batches, schema)| {
            let table = PyTable::try_new(batches, schema)?;
            Ok(table.into_pyobject(py)?.into_any().unbind())
        },
    ))
}

/// Starts a query; settles with its [`NativeResult`], whose batches
/// [`NativeResult::next_batch_async`] reads.
#[pyfunction]
pub fn query_async(
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    settle: Py<PyAny>,
    conn: &Bound<'_, NativeConnection>,
    sql: String,
) -> PyResult<NativeCall> {
    let tz = conn.get().timezone_name();
    let conn = conn.get().connection(conn.py())?;
    Ok(spawn(
        Target::new(event_loop, future, settle),
        async move { conn.query(&sql).await },
        move |py, stream| Ok(Py::new(py, NativeResult::new(stream, tz))?.into_any()),
    ))
}

/// Reads the next batch; settles with a pyarrow-compatible record batch, or `None` at
/// the end. Cancelling drops the stream, which frees the server-side result.
#[pyfunction]
pub fn next_batch_async(
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    settle: Py<PyAny>,
    result: &Bound<'_, NativeResult>,
) -> PyResult<NativeCall> {
    let stream = result.get().take_stream(result.py())?;
    let state = result.get().state_handle();
    Ok(spawn(
        Target::new(event_loop, future, settle),
        async move {
            let Some(mut stream) = stream else {
                return Ok((None, None));
            };
            use futures_util::StreamExt;
            let item = stream.next().await.transpose()?;
            let rest = item.is_some().then_some(stream);
            Ok((item, rest))
        },
        move |py, (item, rest)| {
            NativeResult::restore(&state, rest);
            Ok(match item {
                Some(b) => PyRecordBatch::new(b).into_pyobject(py)?.into_any().unbind(),
                None => py.None(),
            })
        },
    ))
}

/// Writes `data` (an Arrow stream) as `Connection.write` does; settles with the rows
/// written, or the write's exception with its row account. Cancelling starts no further
/// chunk: the account of what the server stored is lost with the task, and writing the
/// same data again never duplicates (rows with the same timestamp overwrite).
#[pyfunction]
#[pyo3(signature = (event_loop, future, settle, conn, data, table=None, stable=None,
                    subtable=None, subtable_template=None, tags=None, mode="append",
                    chunk_bytes=1048576, in_flight=2, allow_truncation=false))]
#[allow(clippy::too_many_arguments)]
pub fn write_async(
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    settle: Py<PyAny>,
    conn: &Bound<'_, NativeConnection>,
    data: pyo3_arrow::PyRecordBatchReader,
    table: Option<String>,
    stable: Option<String>,
    subtable: Option<String>,
    subtable_template: Option<String>,
    tags: Option<Vec<String>>,
    mode: &str,
    chunk_bytes: usize,
    in_flight: usize,
    allow_truncation: bool,
) -> PyResult<NativeCall> {
    let py = conn.py();
    let stop = taosarrow::IngestStop::new();
    let (target, opts) = crate::ingest::plan(
        py,
        crate::ingest::Where {
            table,
            stable,
            subtable,
            subtable_template,
            tags,
        },
        mode,
        chunk_bytes,
        in_flight,
        allow_truncation,
        None,
        stop,
    )?;
    let reader = data.into_reader()?;
    let schema = reader.schema();
    let conn = conn.get().connection(py)?;
    Ok(spawn(
        Target::new(event_loop, future, settle),
        async move { conn.ingest(schema, reader, &target, &opts).await },
        |py, report| Ok(report.rows.into_pyobject(py)?.into_any().unbind()),
    ))
}
