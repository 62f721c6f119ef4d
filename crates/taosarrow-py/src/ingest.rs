//! `ingest(conn, data, …)`: Arrow data from Python (any `__arrow_c_stream__` object) into a
//! table through stmt2, with the GIL released while batches are read, encoded and sent.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatchReader;
use taosarrow::{Error, IngestMode, IngestOptions, IngestTarget, Subtable};

use crate::connection::NativeConnection;
use crate::errors::{class_name, named};
use crate::wait::wait;

/// Writes `data` (an Arrow stream) into `table`, or into child tables of `stable`; returns
/// the rows written. A failure raises with `rows_written`, `written`, `not_written` and
/// `unread_from` attributes saying exactly which input rows are stored.
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
        progress: progress.map(|cb| {
            let cb = Arc::new(cb);
            Arc::new(move |rows: u64| {
                Python::attach(|py| {
                    // A failing progress callback must not stop the write.
                    let _ = cb.call1(py, (rows,));
                });
            }) as taosarrow::Progress
        }),
    };
    let reader = data.into_reader()?;
    let schema = reader.schema();
    let conn = conn.connection(py)?;
    wait(py, async move {
        conn.ingest(schema, reader, &target, &opts)
            .await
            .map(|r| r.rows)
    })
}

/// The exception for a failed ingest (`None` for other errors), with the row account as
/// attributes: `rows_written`, `written` and `not_written` (lists of `(start, end)` input
/// row positions) and `unread_from`.
pub fn ingest_error(py: Python<'_>, err: &Error) -> Option<PyErr> {
    let Error::Ingest(e) = err else { return None };
    let exc = named(
        py,
        class_name(err.kind()),
        err.to_string(),
        err.code().map(|c| c.0),
    );
    let value = exc.value(py);
    let ranges = |v: &[std::ops::Range<u64>]| -> Vec<(u64, u64)> {
        v.iter().map(|r| (r.start, r.end)).collect()
    };
    let _ = value.setattr("rows_written", e.rows_written);
    let _ = value.setattr("written", ranges(&e.written));
    let _ = value.setattr("not_written", ranges(&e.not_written));
    let _ = value.setattr("unread_from", e.unread_from);
    Some(exc)
}
