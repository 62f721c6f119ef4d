//! `ingest(conn, data, …)`: Arrow data from Python (any `__arrow_c_stream__` object) into a
//! table through stmt2, with the GIL released while batches are read, encoded and sent.
//!
//! Ctrl-C (or a progress callback raising `KeyboardInterrupt`) stops the ingest: no chunk
//! is started any more, the chunks sent settle (bounded by the read timeout), and
//! `IngestInterrupted` (a `KeyboardInterrupt`) is raised with the row account. A second
//! Ctrl-C while they settle abandons the wait and raises plain `KeyboardInterrupt`.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatchReader;
use taosarrow::blocking::wait_in_slices;
use taosarrow::{
    Error, IngestError, IngestMode, IngestOptions, IngestReport, IngestStop, IngestTarget, Subtable,
};

use crate::connection::NativeConnection;
use crate::errors::{class_for, internal, named, to_py_err};

/// Writes `data` (an Arrow stream) into `table`, or into child tables of `stable`; returns
/// the rows written. A failure raises with `rows_written`, `written`, `unknown`,
/// `not_written` and `unread_from` attributes saying exactly which input rows are stored,
/// which may be, and which are not; an interrupt raises `IngestInterrupted` with the same.
#[pyfunction]
#[pyo3(signature = (conn, data, table=None, stable=None, subtable=None, subtable_template=None,
                    tags=None, mode="append", chunk_bytes=1048576, in_flight=2,
                    allow_truncation=false, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn ingest(
    py: Python<'_>,
    conn: &NativeConnection,
    data: PyRecordBatchReader,
    table: Option<String>,
    stable: Option<String>,
    subtable: Option<String>,
    subtable_template: Option<String>,
    tags: Option<Vec<String>>,
    mode: &str,
    chunk_bytes: usize,
    in_flight: usize,
    allow_truncation: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<u64> {
    let stop = IngestStop::new();
    let callback_interrupt: Arc<Mutex<Option<PyErr>>> = Arc::default();
    let progress =
        progress.map(|cb| progress_callback(cb, stop.clone(), callback_interrupt.clone()));
    let (target, opts) = plan(
        py,
        Where {
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
        progress,
        stop.clone(),
    )?;
    let reader = data.into_reader()?;
    let schema = reader.schema();
    let conn = conn.connection(py)?;
    let mut handle = taosarrow::runtime()
        .spawn(async move { conn.ingest(schema, reader, &target, &opts).await });
    ingest_wait(py, &mut handle, &stop, &callback_interrupt)
}

/// Where an ingest writes: `table`, or child tables of `stable`.
pub(crate) struct Where {
    pub table: Option<String>,
    pub stable: Option<String>,
    pub subtable: Option<String>,
    pub subtable_template: Option<String>,
    pub tags: Option<Vec<String>>,
}

/// The target and options of an ingest, checked.
#[allow(clippy::too_many_arguments)]
pub(crate) fn plan(
    py: Python<'_>,
    to: Where,
    mode: &str,
    chunk_bytes: usize,
    in_flight: usize,
    allow_truncation: bool,
    progress: Option<taosarrow::Progress>,
    stop: IngestStop,
) -> PyResult<(IngestTarget, IngestOptions)> {
    let Where {
        table,
        stable,
        subtable,
        subtable_template,
        tags,
    } = to;
    let bad = |msg: &str| named(py, "ProgrammingError", msg.to_owned(), None);
    let target = match (table, stable) {
        (Some(t), None) => {
            if subtable.is_some() || subtable_template.is_some() || tags.is_some() {
                return Err(bad("subtable and tags go with stable=, not table="));
            }
            IngestTarget::Table(t)
        }
        (None, Some(s)) => {
            let sub = match (subtable, subtable_template) {
                (Some(c), None) => Subtable::Column(c),
                (None, Some(t)) => Subtable::Template(t),
                _ => {
                    return Err(bad(
                        "a super-table write needs exactly one of subtable= (a column) or subtable_template=",
                    ))
                }
            };
            IngestTarget::SuperTable {
                stable: s,
                subtable: sub,
                tags: tags.unwrap_or_default(),
            }
        }
        _ => return Err(bad("give exactly one of table= or stable=")),
    };
    let opts = IngestOptions {
        mode: mode
            .parse::<IngestMode>()
            .map_err(|e| bad(&e.to_string()))?,
        chunk_bytes,
        in_flight,
        allow_truncation,
        progress,
        stop: Some(stop),
    };
    Ok((target, opts))
}

/// Waits for the ingest task with the GIL released; Ctrl-C stops it (see the module doc).
fn ingest_wait(
    py: Python<'_>,
    handle: &mut tokio::task::JoinHandle<Result<IngestReport, Error>>,
    stop: &IngestStop,
    callback_interrupt: &Mutex<Option<PyErr>>,
) -> PyResult<u64> {
    let mut wait_for_task = || {
        wait_in_slices(
            &mut *handle,
            |slice| py.detach(|| slice.run()),
            || py.check_signals(),
        )
    };
    let (joined, signal) = match wait_for_task() {
        Ok(joined) => (joined, None),
        Err(signal) => {
            // Ctrl-C: start no further chunk, let those sent settle, then report.
            stop.stop();
            match wait_for_task() {
                Ok(joined) => (joined, Some(signal)),
                Err(again) => {
                    handle.abort();
                    return Err(again);
                }
            }
        }
    };
    let outcome = joined.map_err(|join| internal(format!("background task failed: {join}")))?;
    // A Ctrl-C that came in the last slice, as the ingest finished, is reported too.
    let signal = signal.or_else(|| py.check_signals().err());
    let interrupt = signal.or_else(|| {
        callback_interrupt
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    });
    match (outcome, interrupt) {
        (Ok(report), None) => Ok(report.rows),
        (Ok(report), Some(cause)) => Err(interrupted(py, cause, &Account::complete(&report))),
        (Err(Error::Ingest(e)), Some(cause)) => Err(interrupted(py, cause, &Account::of(&e))),
        (Err(_), Some(cause)) => Err(interrupted(py, cause, &Account::nothing())),
        (Err(e), None) => Err(to_py_err(e)),
    }
}

/// The progress callback for the Rust side: calls `cb` with the rows written so far. A
/// `KeyboardInterrupt` it raises stops the ingest (kept in `interrupt` to be raised at the
/// end); any other exception is ignored, as a failing progress callback must not stop
/// the write.
fn progress_callback(
    cb: Py<PyAny>,
    stop: IngestStop,
    interrupt: Arc<Mutex<Option<PyErr>>>,
) -> taosarrow::Progress {
    Arc::new(move |rows: u64| {
        Python::attach(|py| {
            let Err(e) = cb.call1(py, (rows,)) else {
                return;
            };
            if e.is_instance_of::<PyKeyboardInterrupt>(py) {
                stop.stop();
                let mut slot = interrupt.lock().unwrap_or_else(|p| p.into_inner());
                if slot.is_none() {
                    *slot = Some(e);
                }
            }
        });
    })
}

/// The row account an ingest exception carries as attributes.
struct Account {
    message: String,
    rows_written: u64,
    written: Vec<(u64, u64)>,
    unknown: Vec<(u64, u64)>,
    not_written: Vec<(u64, u64)>,
    unread_from: Option<u64>,
}

fn pairs(v: &[Range<u64>]) -> Vec<(u64, u64)> {
    v.iter().map(|r| (r.start, r.end)).collect()
}

impl Account {
    /// The account of a failed or stopped ingest.
    fn of(e: &IngestError) -> Self {
        Account {
            message: e.to_string(),
            rows_written: e.rows_written,
            written: pairs(&e.written),
            unknown: pairs(&e.unknown),
            not_written: pairs(&e.not_written),
            unread_from: e.unread_from,
        }
    }

    /// An ingest that wrote everything before the interrupt was seen.
    fn complete(r: &IngestReport) -> Self {
        Account {
            message: format!(
                "ingest interrupted after writing every row ({} row(s))",
                r.rows
            ),
            rows_written: r.rows,
            written: if r.rows_read > 0 {
                vec![(0, r.rows_read)]
            } else {
                Vec::new()
            },
            unknown: Vec::new(),
            not_written: Vec::new(),
            unread_from: None,
        }
    }

    /// An ingest stopped before any row was sent (while preparing or creating the table).
    fn nothing() -> Self {
        Account {
            message: "ingest interrupted before writing anything".into(),
            rows_written: 0,
            written: Vec::new(),
            unknown: Vec::new(),
            not_written: Vec::new(),
            unread_from: Some(0),
        }
    }

    /// Sets the account's attributes on `exc`.
    fn attach(&self, py: Python<'_>, exc: &PyErr) {
        let value = exc.value(py);
        let _ = value.setattr("rows_written", self.rows_written);
        let _ = value.setattr("written", self.written.clone());
        let _ = value.setattr("unknown", self.unknown.clone());
        let _ = value.setattr("not_written", self.not_written.clone());
        let _ = value.setattr("unread_from", self.unread_from);
    }
}

/// `IngestInterrupted` (a `KeyboardInterrupt`) with the account, caused by `cause`.
fn interrupted(py: Python<'_>, cause: PyErr, account: &Account) -> PyErr {
    let exc = named(py, "IngestInterrupted", account.message.clone(), None);
    account.attach(py, &exc);
    exc.set_cause(py, Some(cause));
    exc
}

/// The exception for a failed ingest (`None` for other errors), with the row account as
/// attributes: `rows_written`, `written`, `unknown` and `not_written` (lists of
/// `(start, end)` input row positions) and `unread_from`.
pub fn ingest_error(py: Python<'_>, err: &Error) -> Option<PyErr> {
    let Error::Ingest(e) = err else { return None };
    let exc = named(py, class_for(err), err.to_string(), err.code().map(|c| c.0));
    Account::of(e).attach(py, &exc);
    Some(exc)
}
