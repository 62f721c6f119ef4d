//! `NativeResult`: one query's stream, read as rows, as a table or as a streaming reader.

use std::sync::{Arc, Mutex};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, DataType, SchemaRef};
use futures_util::StreamExt;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3_arrow::{PyRecordBatchReader, PyTable};
use taosarrow::{NsTimestamps, ResultStream};

use crate::errors::{named, to_py_err};
use crate::rows::batches_to_rows;
use crate::wait::wait;

/// Where the stream is: still reading, finished, or taken away (closed, interrupted).
pub(crate) enum State {
    Open(ResultStream),
    Done,
    Closed,
}

/// A query result; its batches can be read once, by any of the methods.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeResult {
    state: Arc<Mutex<State>>,
    schema: SchemaRef,
    precision: &'static str,
    timezone: Option<String>,
}

impl NativeResult {
    /// Wraps a client stream; `timezone` is the connection's zone for row datetimes.
    pub fn new(stream: ResultStream, timezone: Option<String>) -> Self {
        let schema = stream.schema();
        let precision = stream.precision().name();
        NativeResult {
            state: Arc::new(Mutex::new(State::Open(stream))),
            schema,
            precision,
            timezone,
        }
    }

    /// Takes the stream out (to move it into a task); `None` when finished.
    fn take(&self, py: Python<'_>) -> PyResult<Option<ResultStream>> {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(&mut *guard, State::Closed) {
            State::Open(s) => Ok(Some(s)),
            State::Done => {
                *guard = State::Done;
                Ok(None)
            }
            State::Closed => Err(named(
                py,
                "InterfaceError",
                "the result is closed".into(),
                None,
            )),
        }
    }

    /// [`take`](Self::take) for a task that reads the stream elsewhere.
    pub(crate) fn take_stream(&self, py: Python<'_>) -> PyResult<Option<ResultStream>> {
        self.take(py)
    }

    /// The state a task puts the stream back into ([`NativeResult::restore`]).
    pub(crate) fn state_handle(&self) -> Arc<Mutex<State>> {
        Arc::clone(&self.state)
    }

    /// Puts a stream read elsewhere back (`None`: it ended).
    pub(crate) fn restore(state: &Mutex<State>, stream: Option<ResultStream>) {
        let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
        *guard = match stream {
            Some(s) => State::Open(s),
            None => State::Done,
        };
    }

    fn put_back(&self, stream: Option<ResultStream>) {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *guard = match stream {
            Some(s) => State::Open(s),
            None => State::Done,
        };
    }

    /// The next batch, or `None` at the end.
    fn next_batch(&self, py: Python<'_>) -> PyResult<Option<RecordBatch>> {
        let Some(mut stream) = self.take(py)? else {
            return Ok(None);
        };
        let (stream, item) = wait(py, async move {
            let item = stream.next().await.transpose()?;
            Ok((stream, item))
        })?;
        let finished = item.is_none();
        self.put_back((!finished).then_some(stream));
        Ok(item)
    }
}

/// Column metadata as `(name, type_code, length, precision, scale)`.
pub(crate) fn field_tuple(field: &arrow_schema::Field) -> (String, u8, u32, u8, i8) {
    let meta = field.metadata();
    let code = meta
        .get(taosarrow::codec::META_TYPE_CODE)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let length = meta
        .get(taosarrow::codec::META_LENGTH)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let (precision, scale) = match field.data_type() {
        DataType::Decimal128(p, s) => (*p, *s),
        _ => (0, 0),
    };
    (field.name().clone(), code, length, precision, scale)
}

#[pymethods]
impl NativeResult {
    /// Per column `(name, type_code, length, precision, scale)`.
    fn fields(&self) -> Vec<(String, u8, u32, u8, i8)> {
        self.schema
            .fields()
            .iter()
            .map(|f| field_tuple(f))
            .collect()
    }

    /// The timestamp precision: `"ms"`, `"us"` or `"ns"`.
    #[getter]
    fn precision(&self) -> &'static str {
        self.precision
    }

    /// The rows of the next batch as tuples (an empty list at the end). `size` is a hint;
    /// `ns_timestamps` (`"int"`, the default, `"pandas"` or `"numpy"`) chooses the value of
    /// nanosecond timestamps.
    #[pyo3(signature = (size=None, ns_timestamps=None))]
    fn fetch_rows<'py>(
        &self,
        py: Python<'py>,
        size: Option<usize>,
        ns_timestamps: Option<&str>,
    ) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        let _ = size;
        let ns = match ns_timestamps {
            Some(name) => NsTimestamps::parse(name).map_err(to_py_err)?,
            None => NsTimestamps::Int,
        };
        match self.next_batch(py)? {
            Some(batch) => batches_to_rows(py, &[batch], self.timezone.as_deref(), ns),
            None => Ok(Vec::new()),
        }
    }

    /// Every remaining batch as one table (exports `__arrow_c_stream__`).
    fn read_all(&self, py: Python<'_>) -> PyResult<PyTable> {
        let batches = match self.take(py)? {
            Some(stream) => wait(py, stream.collect_all())?,
            None => Vec::new(),
        };
        self.put_back(None);
        PyTable::try_new(batches, self.schema.clone())
    }

    /// The remaining batches as a streaming reader (exports `__arrow_c_stream__`).
    fn reader(&self, py: Python<'_>) -> PyResult<PyRecordBatchReader> {
        let stream = self.take(py)?;
        Ok(PyRecordBatchReader::new(Box::new(BlockingReader {
            stream,
            schema: self.schema.clone(),
        })))
    }

    /// Stops the query and frees its server-side result; returns once the free is queued
    /// on the connection, so the next request reaches the server after it.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = {
            let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
            match std::mem::replace(&mut *guard, State::Closed) {
                State::Open(s) => Some(s),
                _ => None,
            }
        };
        if let Some(s) = taken {
            wait(py, async move {
                s.close().await;
                Ok(())
            })?;
        }
        Ok(())
    }
}

/// A `RecordBatchReader` over a result stream; each `next` releases the GIL while it waits.
struct BlockingReader {
    stream: Option<ResultStream>,
    schema: SchemaRef,
}

impl Iterator for BlockingReader {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut stream = self.stream.take()?;
        let polled = Python::attach(|py| {
            wait(py, async move {
                let item = stream.next().await.transpose()?;
                Ok((stream, item))
            })
        });
        match polled {
            Ok((stream, Some(batch))) => {
                self.stream = Some(stream);
                Some(Ok(batch))
            }
            Ok((_, None)) => None,
            Err(e) => Some(Err(ArrowError::ExternalError(Box::new(e)))),
        }
    }
}

impl RecordBatchReader for BlockingReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}
