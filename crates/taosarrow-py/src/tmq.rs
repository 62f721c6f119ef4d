//! `NativeConsumer` and `NativeMessage`: the TMQ consumer behind `taosarrow.tmq`.
//!
//! Every network call (and the decoding of a polled message into Arrow, which happens inside
//! the poll) runs with the GIL released; a message's rows reach Python as an Arrow table
//! without a Python object per value. Only `block_rows` builds row tuples.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow_schema::Schema;
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3_arrow::PyTable;
use taosarrow::tmq::{Consumer, ConsumerOptions, Message, MessageKind, TMQ_NO_COMMITTED};
use taosarrow::{Error, NsTimestamps};

use crate::errors::{named, to_py_err};
use crate::result::field_tuple;
use crate::rows::batches_to_rows;
use crate::wait::wait;

/// Column metadata as `(name, type_code, length, precision, scale)`.
type FieldTuple = (String, u8, u32, u8, i8);

/// One vgroup's assignment as `(vgroup_id, offset, begin, end)`.
type AssignmentTuple = (i32, i64, i64, i64);

/// The consumer options from a DSN and the configuration pairs, applied in order.
fn options(dsn: Option<&str>, pairs: &[(String, String)]) -> Result<ConsumerOptions, Error> {
    let mut o = match dsn {
        Some(d) => ConsumerOptions::from_dsn(d)?,
        None => ConsumerOptions::new(),
    };
    for (k, v) in pairs {
        o.set(k, v)?;
    }
    Ok(o)
}

/// A consumer error as Python sees it: bad configuration is a `TmqError` (as in taospy and
/// taos-ws-py), everything else goes through the one error table.
fn config_error(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Options(msg) => named(py, "TmqError", msg, None),
        other => to_py_err(other),
    }
}

/// One TMQ consumer on its own connection; every call releases the GIL.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeConsumer {
    inner: Mutex<Option<Arc<Consumer>>>,
    timezone: Option<String>,
    ns_timestamps: NsTimestamps,
}

impl NativeConsumer {
    /// The open consumer, or `TmqError` once closed.
    fn consumer(&self, py: Python<'_>) -> PyResult<Arc<Consumer>> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .clone()
            .ok_or_else(|| named(py, "TmqError", "the consumer is closed".into(), None))
    }
}

#[pymethods]
impl NativeConsumer {
    /// Connects to the server's `/rest/tmq` with the options of `dsn` (if given) and then
    /// `pairs` (taospy / taos-ws-py configuration keys, values as text).
    #[new]
    #[pyo3(signature = (dsn, pairs))]
    fn new(py: Python<'_>, dsn: Option<&str>, pairs: Vec<(String, String)>) -> PyResult<Self> {
        let opts = options(dsn, &pairs).map_err(|e| config_error(py, e))?;
        let timezone = opts.connect_options().timezone().map(str::to_owned);
        let ns_timestamps = opts.connect_options().ns_timestamps();
        let consumer = wait(py, async move { Consumer::connect(&opts).await })?;
        Ok(NativeConsumer {
            inner: Mutex::new(Some(Arc::new(consumer))),
            timezone,
            ns_timestamps,
        })
    }

    /// Subscribes to `topics`.
    fn subscribe(&self, py: Python<'_>, topics: Vec<String>) -> PyResult<()> {
        let c = self.consumer(py)?;
        wait(py, async move { c.subscribe(&topics).await })
    }

    /// Leaves every topic; the consumer stays open.
    fn unsubscribe(&self, py: Python<'_>) -> PyResult<()> {
        let c = self.consumer(py)?;
        wait(py, async move { c.unsubscribe().await })
    }

    /// The subscribed topics.
    fn list_topics(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        Ok(self.consumer(py)?.list_topics())
    }

    /// The next message, or `None` after `timeout_secs` seconds without one.
    fn poll(&self, py: Python<'_>, timeout_secs: f64) -> PyResult<Option<NativeMessage>> {
        let timeout = Duration::try_from_secs_f64(timeout_secs).map_err(|_| {
            PyValueError::new_err(format!(
                "the poll timeout must be a non-negative number of seconds, got {timeout_secs}"
            ))
        })?;
        let c = self.consumer(py)?;
        let polled = wait(py, async move { c.poll(timeout).await })?;
        Ok(polled.map(|message| NativeMessage {
            message: Arc::new(message),
            timezone: self.timezone.clone(),
            ns_timestamps: self.ns_timestamps,
        }))
    }

    /// Commits every current position (`message` included).
    fn commit(&self, py: Python<'_>, message: PyRef<'_, NativeMessage>) -> PyResult<()> {
        let c = self.consumer(py)?;
        let m = message.message.clone();
        wait(py, async move { c.commit(&m).await })
    }

    /// Commits every current position.
    fn commit_all(&self, py: Python<'_>) -> PyResult<()> {
        let c = self.consumer(py)?;
        wait(py, async move { c.commit_all().await })
    }

    /// Stores `offset` as the committed offset of one vgroup of `topic`.
    fn commit_offset(
        &self,
        py: Python<'_>,
        topic: String,
        vgroup_id: i32,
        offset: i64,
    ) -> PyResult<()> {
        let c = self.consumer(py)?;
        wait(py, async move {
            c.commit_offset(&topic, vgroup_id, offset).await
        })
    }

    /// The committed offset of one vgroup; TDengine's -2147467247 when nothing is committed
    /// (what taospy and taos-ws-py return).
    fn committed(&self, py: Python<'_>, topic: String, vgroup_id: i32) -> PyResult<i64> {
        let c = self.consumer(py)?;
        let v = wait(py, async move { c.committed(&topic, vgroup_id).await })?;
        Ok(v.unwrap_or(TMQ_NO_COMMITTED))
    }

    /// The offset the next poll of one vgroup reads.
    fn position(&self, py: Python<'_>, topic: String, vgroup_id: i32) -> PyResult<i64> {
        let c = self.consumer(py)?;
        wait(py, async move { c.position(&topic, vgroup_id).await })
    }

    /// Makes the next poll of one vgroup start at `offset`.
    fn seek(&self, py: Python<'_>, topic: String, vgroup_id: i32, offset: i64) -> PyResult<()> {
        let c = self.consumer(py)?;
        wait(py, async move { c.seek(&topic, vgroup_id, offset).await })
    }

    /// Per subscribed topic, its vgroups assigned to this consumer as
    /// `(vgroup_id, offset, begin, end)`.
    fn assignments(&self, py: Python<'_>) -> PyResult<Vec<(String, Vec<AssignmentTuple>)>> {
        let c = self.consumer(py)?;
        let all = wait(py, async move { c.assignments().await })?;
        Ok(all
            .into_iter()
            .map(|(topic, vgs)| {
                let rows = vgs
                    .iter()
                    .map(|a| (a.vgroup_id, a.offset, a.begin, a.end))
                    .collect();
                (topic, rows)
            })
            .collect())
    }

    /// Closes the connection (the server ends the membership). Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(c) = taken {
            wait(py, async move { c.close().await })?;
        }
        Ok(())
    }
}

/// One polled message, its rows already decoded into Arrow.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeMessage {
    message: Arc<Message>,
    timezone: Option<String>,
    ns_timestamps: NsTimestamps,
}

impl NativeMessage {
    fn block(&self, i: usize) -> PyResult<&taosarrow::tmq::TmqBlock> {
        self.message.blocks().get(i).ok_or_else(|| {
            PyIndexError::new_err(format!(
                "block {i} of a message with {} blocks",
                self.message.blocks().len()
            ))
        })
    }
}

#[pymethods]
impl NativeMessage {
    /// The topic.
    #[getter]
    fn topic(&self) -> &str {
        self.message.topic()
    }

    /// The topic's database.
    #[getter]
    fn database(&self) -> &str {
        self.message.database()
    }

    /// The vgroup the message comes from.
    #[getter]
    fn vgroup_id(&self) -> i32 {
        self.message.vgroup_id()
    }

    /// The message's offset in its vgroup.
    #[getter]
    fn offset(&self) -> i64 {
        self.message.offset()
    }

    /// The server's handle of the message.
    #[getter]
    fn message_id(&self) -> u64 {
        self.message.message_id()
    }

    /// `"data"`, `"meta"` or `"metadata"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.message.kind() {
            MessageKind::Data => "data",
            MessageKind::Meta => "meta",
            MessageKind::MetaData => "metadata",
        }
    }

    /// The timestamp precision of the blocks: `"ms"`, `"us"` or `"ns"`.
    #[getter]
    fn precision(&self) -> &'static str {
        self.message.precision().name()
    }

    /// The JSON meta as text (`None` for a data message).
    #[getter]
    fn meta_json(&self) -> Option<String> {
        self.message.meta().map(|m| m.to_string())
    }

    /// Per block `(table, fields, nrows)`; `fields` as `(name, type_code, length, precision,
    /// scale)`.
    fn blocks(&self) -> Vec<(Option<String>, Vec<FieldTuple>, usize)> {
        self.message
            .blocks()
            .iter()
            .map(|b| {
                let fields = b
                    .batch()
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| field_tuple(f))
                    .collect();
                (
                    b.table_name().map(str::to_owned),
                    fields,
                    b.batch().num_rows(),
                )
            })
            .collect()
    }

    /// The rows of block `i` as tuples (the values of query rows).
    fn block_rows<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        let batch = self.block(i)?.batch().clone();
        batches_to_rows(py, &[batch], self.timezone.as_deref(), self.ns_timestamps)
    }

    /// Block `i` as a table (exports `__arrow_c_stream__`).
    fn block_table(&self, i: usize) -> PyResult<PyTable> {
        let batch = self.block(i)?.batch().clone();
        let schema = batch.schema();
        PyTable::try_new(vec![batch], schema)
    }

    /// Every block as one table (exports `__arrow_c_stream__`); an empty table without
    /// columns for a meta message. Blocks of different schemas (tables of different shapes
    /// in a database topic) raise `TmqError`: read them one by one with `block_table`.
    fn table(&self, py: Python<'_>) -> PyResult<PyTable> {
        let blocks = self.message.blocks();
        let Some(first) = blocks.first() else {
            return PyTable::try_new(Vec::new(), Arc::new(Schema::empty()));
        };
        let schema = first.batch().schema();
        if let Some(other) = blocks.iter().find(|b| b.batch().schema() != schema) {
            return Err(named(
                py,
                "TmqError",
                format!(
                    "the blocks of this message have different columns (tables {:?} and {:?}); \
                     read each block on its own",
                    first.table_name().unwrap_or(""),
                    other.table_name().unwrap_or("")
                ),
                None,
            ));
        }
        let batches = blocks.iter().map(|b| b.batch().clone()).collect();
        PyTable::try_new(batches, schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_take_the_dsn_then_the_pairs() {
        let pairs = [
            ("group.id".to_owned(), "g2".to_owned()),
            ("td.connect.port".to_owned(), "7001".to_owned()),
        ];
        let o = options(
            Some("ws://u:p@h:6001?group.id=g1&auto.offset.reset=latest"),
            &pairs,
        )
        .unwrap();
        assert_eq!(o.group_id(), Some("g2"));
        assert_eq!(o.connect_options().addresses_text(), "h:7001");
        assert_eq!(o.connect_options().user(), "u");
        let e = options(None, &[("no.such.key".to_owned(), "1".to_owned())]).unwrap_err();
        assert!(matches!(e, Error::Options(_)), "{e:?}");
    }
}
