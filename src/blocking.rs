//! A blocking facade over the async API, running everything on the one shared runtime, and
//! the one interruptible wait the bindings build on ([`wait_in_slices`]).
//!
//! Do not call these functions from inside an async task (they block the thread).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use futures_util::StreamExt;
use taosarrow_protocol::Precision;

use crate::{
    runtime, CancelHandle, ConnectOptions, Error, SchemalessOutcome, SchemalessPrecision,
    SchemalessProtocol,
};

/// How often [`block_on_interruptible`] and [`wait_in_slices`] run their check.
pub const INTERRUPT_POLL: Duration = Duration::from_millis(100);

/// One wait of at most [`INTERRUPT_POLL`] for a future, on the shared runtime; see
/// [`wait_in_slices`].
#[must_use = "a slice waits only when run"]
pub struct Slice<'a, F: Future> {
    fut: Pin<&'a mut F>,
}

impl<F: Future> Slice<'_, F> {
    /// Blocks the thread until the future finishes (its output) or [`INTERRUPT_POLL`] has
    /// passed (`None`).
    pub fn run(self) -> Option<F::Output> {
        // The timer is created inside `block_on`, where the runtime's reactor is current.
        runtime().block_on(async { tokio::time::timeout(INTERRUPT_POLL, self.fut).await.ok() })
    }
}

/// The one blocking wait: drives `fut` on the shared runtime in slices of
/// [`INTERRUPT_POLL`], and calls `check` between slices; the first error `check` returns
/// abandons (drops) the future and is returned.
///
/// `run` runs each slice and returns what it returned: `|slice| slice.run()`, or a wrapper
/// that, say, releases a lock around it (the Python module releases the GIL there and
/// polls for Ctrl-C in `check`, with the GIL held).
///
/// ```
/// use taosarrow::blocking::wait_in_slices;
/// let v: Result<u32, ()> = wait_in_slices(async { 7 }, |slice| slice.run(), || Ok(()));
/// assert_eq!(v, Ok(7));
/// ```
pub fn wait_in_slices<F, E>(
    fut: F,
    mut run: impl FnMut(Slice<'_, F>) -> Option<F::Output>,
    mut check: impl FnMut() -> Result<(), E>,
) -> Result<F::Output, E>
where
    F: Future,
{
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Some(out) = run(Slice { fut: fut.as_mut() }) {
            return Ok(out);
        }
        check()?;
    }
}

/// Runs `fut` on the shared runtime, calling `check` every [`INTERRUPT_POLL`] while it
/// waits; the first error `check` returns abandons (drops) the future and is returned.
///
/// ```
/// let v: Result<u32, ()> = taosarrow::blocking::block_on_interruptible(async { 7 }, || Ok(()));
/// assert_eq!(v, Ok(7));
/// ```
pub fn block_on_interruptible<F, E>(
    fut: F,
    check: impl FnMut() -> Result<(), E>,
) -> Result<F::Output, E>
where
    F: Future,
{
    wait_in_slices(fut, |slice| slice.run(), check)
}

/// A blocking connection.
#[derive(Debug)]
pub struct Connection {
    inner: crate::Connection,
}

impl Connection {
    /// Connects (see [`crate::Connection::connect`]).
    pub fn connect(opts: &ConnectOptions) -> Result<Connection, Error> {
        let inner = runtime().block_on(crate::Connection::connect(opts))?;
        Ok(Connection { inner })
    }

    /// The async connection underneath.
    pub fn as_async(&self) -> &crate::Connection {
        &self.inner
    }

    /// Runs a statement, returns affected rows.
    pub fn exec(&self, sql: &str) -> Result<u64, Error> {
        runtime().block_on(self.inner.exec(sql))
    }

    /// [`exec`](Self::exec) with a `req_id`.
    pub fn exec_with_req_id(&self, sql: &str, req_id: u64) -> Result<u64, Error> {
        runtime().block_on(self.inner.exec_with_req_id(sql, req_id))
    }

    /// Runs a query; iterate the result for record batches.
    pub fn query(&self, sql: &str) -> Result<ResultStream, Error> {
        let inner = runtime().block_on(self.inner.query(sql))?;
        Ok(ResultStream { inner })
    }

    /// [`query`](Self::query) with a `req_id`.
    pub fn query_with_req_id(&self, sql: &str, req_id: u64) -> Result<ResultStream, Error> {
        let inner = runtime().block_on(self.inner.query_with_req_id(sql, req_id))?;
        Ok(ResultStream { inner })
    }

    /// Writes schemaless data (see [`crate::Connection::schemaless_insert`]).
    ///
    /// ```no_run
    /// # fn demo(conn: &taosarrow::blocking::Connection) -> Result<(), taosarrow::Error> {
    /// use taosarrow::{SchemalessPrecision, SchemalessProtocol};
    /// let lines = ["meters.voltage 1648432611249 219 location=SF group=2"];
    /// let done = conn.schemaless_insert(&lines, SchemalessProtocol::Telnet,
    ///                                   SchemalessPrecision::NotConfigured, None, None, None)?;
    /// assert_eq!(done.affected_rows, 1);
    /// # Ok(()) }
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn schemaless_insert<S: AsRef<str>>(
        &self,
        lines: &[S],
        protocol: SchemalessProtocol,
        precision: SchemalessPrecision,
        ttl: Option<i32>,
        req_id: Option<u64>,
        table_name_key: Option<&str>,
    ) -> Result<SchemalessOutcome, Error> {
        runtime().block_on(self.inner.schemaless_insert(
            lines,
            protocol,
            precision,
            ttl,
            req_id,
            table_name_key,
        ))
    }

    /// A new stmt (v1) statement on this connection; see [`crate::Stmt`].
    pub fn stmt(&self) -> Result<Stmt, Error> {
        let inner = runtime().block_on(self.inner.stmt())?;
        Ok(Stmt { inner })
    }

    /// Closes the connection.
    pub fn close(self) -> Result<(), Error> {
        runtime().block_on(self.inner.close())
    }
}

/// A blocking stmt (v1) statement; each method blocks on [`crate::Stmt`]'s.
#[derive(Debug)]
pub struct Stmt {
    inner: crate::Stmt,
}

impl Stmt {
    /// See [`crate::Stmt::prepare`].
    pub fn prepare(&mut self, sql: &str) -> Result<(), Error> {
        runtime().block_on(self.inner.prepare(sql))
    }

    /// See [`crate::Stmt::set_tbname`].
    pub fn set_tbname(&mut self, name: &str) -> Result<(), Error> {
        runtime().block_on(self.inner.set_tbname(name))
    }

    /// See [`crate::Stmt::set_tags`].
    pub fn set_tags(&mut self, tags: &[ArrayRef]) -> Result<(), Error> {
        runtime().block_on(self.inner.set_tags(tags))
    }

    /// See [`crate::Stmt::bind`].
    pub fn bind(&mut self, columns: &[ArrayRef]) -> Result<(), Error> {
        runtime().block_on(self.inner.bind(columns))
    }

    /// See [`crate::Stmt::add_batch`].
    pub fn add_batch(&mut self) -> Result<(), Error> {
        runtime().block_on(self.inner.add_batch())
    }

    /// See [`crate::Stmt::exec`].
    pub fn exec(&mut self) -> Result<u64, Error> {
        runtime().block_on(self.inner.exec())
    }

    /// See [`crate::Stmt::result`].
    pub fn result(&mut self) -> Result<ResultStream, Error> {
        let inner = runtime().block_on(self.inner.result())?;
        Ok(ResultStream { inner })
    }

    /// The async statement underneath (placeholders, fields, affected rows, close).
    pub fn as_async(&self) -> &crate::Stmt {
        &self.inner
    }

    /// See [`crate::Stmt::close`].
    pub fn close(&mut self) {
        self.inner.close()
    }
}

/// A blocking result: an [`Iterator`] of record batches.
#[derive(Debug)]
pub struct ResultStream {
    inner: crate::ResultStream,
}

impl ResultStream {
    /// The schema, known before the first batch.
    pub fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    /// The timestamp precision.
    pub fn precision(&self) -> Precision {
        self.inner.precision()
    }

    /// Stops fetching and frees the server-side result.
    pub fn cancel(&self) {
        self.inner.cancel()
    }

    /// A handle that cancels from another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.inner.cancel_handle()
    }

    /// Reads all remaining batches.
    pub fn collect_all(self) -> Result<Vec<RecordBatch>, Error> {
        runtime().block_on(self.inner.collect_all())
    }

    /// The async stream underneath.
    pub fn into_async(self) -> crate::ResultStream {
        self.inner
    }
}

impl Iterator for ResultStream {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        runtime().block_on(self.inner.next())
    }
}

/// A blocking TMQ consumer; each method blocks on [`crate::tmq::Consumer`]'s.
#[derive(Debug)]
pub struct Consumer {
    inner: crate::tmq::Consumer,
}

impl Consumer {
    /// See [`crate::tmq::Consumer::connect`].
    pub fn connect(opts: &crate::tmq::ConsumerOptions) -> Result<Consumer, Error> {
        let inner = runtime().block_on(crate::tmq::Consumer::connect(opts))?;
        Ok(Consumer { inner })
    }

    /// The async consumer underneath.
    pub fn as_async(&self) -> &crate::tmq::Consumer {
        &self.inner
    }

    /// See [`crate::tmq::Consumer::subscribe`].
    pub fn subscribe(&self, topics: &[impl AsRef<str>]) -> Result<(), Error> {
        runtime().block_on(self.inner.subscribe(topics))
    }

    /// See [`crate::tmq::Consumer::poll`].
    pub fn poll(&self, timeout: Duration) -> Result<Option<crate::tmq::Message>, Error> {
        runtime().block_on(self.inner.poll(timeout))
    }

    /// See [`crate::tmq::Consumer::commit`].
    pub fn commit(&self, message: &crate::tmq::Message) -> Result<(), Error> {
        runtime().block_on(self.inner.commit(message))
    }

    /// See [`crate::tmq::Consumer::commit_all`].
    pub fn commit_all(&self) -> Result<(), Error> {
        runtime().block_on(self.inner.commit_all())
    }

    /// See [`crate::tmq::Consumer::commit_offset`].
    pub fn commit_offset(&self, topic: &str, vgroup_id: i32, offset: i64) -> Result<(), Error> {
        runtime().block_on(self.inner.commit_offset(topic, vgroup_id, offset))
    }

    /// See [`crate::tmq::Consumer::committed`].
    pub fn committed(&self, topic: &str, vgroup_id: i32) -> Result<Option<i64>, Error> {
        runtime().block_on(self.inner.committed(topic, vgroup_id))
    }

    /// See [`crate::tmq::Consumer::position`].
    pub fn position(&self, topic: &str, vgroup_id: i32) -> Result<i64, Error> {
        runtime().block_on(self.inner.position(topic, vgroup_id))
    }

    /// See [`crate::tmq::Consumer::seek`].
    pub fn seek(&self, topic: &str, vgroup_id: i32, offset: i64) -> Result<(), Error> {
        runtime().block_on(self.inner.seek(topic, vgroup_id, offset))
    }

    /// See [`crate::tmq::Consumer::assignment`].
    pub fn assignment(&self, topic: &str) -> Result<Vec<crate::tmq::Assignment>, Error> {
        runtime().block_on(self.inner.assignment(topic))
    }

    /// See [`crate::tmq::Consumer::assignments`].
    pub fn assignments(&self) -> Result<Vec<(String, Vec<crate::tmq::Assignment>)>, Error> {
        runtime().block_on(self.inner.assignments())
    }

    /// See [`crate::tmq::Consumer::list_topics`].
    pub fn list_topics(&self) -> Vec<String> {
        self.inner.list_topics()
    }

    /// See [`crate::tmq::Consumer::unsubscribe`].
    pub fn unsubscribe(&self) -> Result<(), Error> {
        runtime().block_on(self.inner.unsubscribe())
    }

    /// See [`crate::tmq::Consumer::close`].
    pub fn close(self) -> Result<(), Error> {
        runtime().block_on(self.inner.close())
    }
}
