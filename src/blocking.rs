//! A blocking facade over the async API, running everything on the one shared runtime.
//!
//! Do not call these functions from inside an async task (they block the thread).

use std::future::Future;
use std::time::Duration;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use futures_util::StreamExt;
use taosarrow_protocol::Precision;

use crate::{runtime, CancelHandle, ConnectOptions, Error};

/// How often [`block_on_interruptible`] polls its check.
pub const INTERRUPT_POLL: Duration = Duration::from_millis(100);

/// Runs `fut` on the shared runtime, calling `check` every 100 ms while it waits; the first
/// error `check` returns abandons (drops) the future and is returned.
///
/// ```
/// let v: Result<u32, ()> = taosarrow::blocking::block_on_interruptible(async { 7 }, || Ok(()));
/// assert_eq!(v, Ok(7));
/// ```
pub fn block_on_interruptible<F, E>(
    fut: F,
    mut check: impl FnMut() -> Result<(), E>,
) -> Result<F::Output, E>
where
    F: Future,
{
    runtime().block_on(async move {
        let mut fut = std::pin::pin!(fut);
        let mut tick = tokio::time::interval(INTERRUPT_POLL);
        tick.tick().await;
        loop {
            tokio::select! {
                out = &mut fut => return Ok(out),
                _ = tick.tick() => check()?,
            }
        }
    })
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

    /// Closes the connection.
    pub fn close(self) -> Result<(), Error> {
        runtime().block_on(self.inner.close())
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
