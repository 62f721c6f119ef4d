//! A connection's open results: ids from a counter starting at 1, blocks of at most
//! `block_rows` rows cut from the engine's batches.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use taosarrow_protocol::Code;

use crate::ServerError;

/// One open result.
pub(crate) struct OpenResult {
    pub schema: SchemaRef,
    batches: std::vec::IntoIter<RecordBatch>,
    current: Option<(RecordBatch, usize)>,
    block_rows: usize,
    /// The block of the last JSON `fetch`, for `fetch_block`.
    pub last_block: Option<Vec<u8>>,
}

impl OpenResult {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>, block_rows: usize) -> Self {
        OpenResult {
            schema,
            batches: batches.into_iter(),
            current: None,
            block_rows: block_rows.max(1),
            last_block: None,
        }
    }

    /// The next non-empty slice of at most `max` rows of one batch, or `None` at the end.
    fn take(&mut self, max: usize) -> Option<RecordBatch> {
        loop {
            if let Some((batch, offset)) = &mut self.current {
                let left = batch.num_rows() - *offset;
                if left > 0 {
                    let n = left.min(max);
                    let slice = batch.slice(*offset, n);
                    *offset += n;
                    return Some(slice);
                }
            }
            let next = self.batches.next()?;
            self.current = Some((next, 0));
        }
    }

    /// The next block: exactly `block_rows` rows except the last, whatever the engine's batch
    /// sizes (slices of several batches are concatenated). `None` at the end.
    pub fn next_block(&mut self) -> Result<Option<RecordBatch>, ArrowError> {
        let mut parts = Vec::new();
        let mut rows = 0;
        while rows < self.block_rows {
            match self.take(self.block_rows - rows) {
                Some(part) => {
                    rows += part.num_rows();
                    parts.push(part);
                }
                None => break,
            }
        }
        match parts.len() {
            0 => Ok(None),
            1 => Ok(parts.pop()),
            _ => concat_batches(&parts[0].schema(), &parts).map(Some),
        }
    }
}

/// The results of one connection. Every open result is also counted in a server-wide
/// counter (see `LocalServer::open_results`), so tests can prove that clients free them.
pub(crate) struct Results {
    next_id: u64,
    open: HashMap<u64, OpenResult>,
    server_open: Arc<AtomicUsize>,
    /// Most results open at once ([`crate::ServerConfig::max_results`]).
    max: usize,
}

impl Results {
    /// No results yet; `server_open` is the server-wide count of open results, `max` the most
    /// this connection may hold open.
    pub fn new(server_open: Arc<AtomicUsize>, max: usize) -> Self {
        Results {
            next_id: 0,
            open: HashMap::new(),
            server_open,
            max,
        }
    }

    /// Fails with `RPC_MAX_SESSIONS` when no further result may be opened.
    pub fn check_room(&self) -> Result<(), ServerError> {
        if self.open.len() >= self.max {
            return Err(ServerError::new(
                Code::RPC_MAX_SESSIONS,
                format!(
                    "too many open results on this connection (limit {}): free a result first",
                    self.max
                ),
            ));
        }
        Ok(())
    }

    /// Registers a result and returns its id (1, 2, … never reused); fails as
    /// [`Results::check_room`] does when the connection holds its limit already.
    pub fn insert(&mut self, result: OpenResult) -> Result<u64, ServerError> {
        self.check_room()?;
        self.next_id += 1;
        self.open.insert(self.next_id, result);
        self.server_open.fetch_add(1, Ordering::Relaxed);
        Ok(self.next_id)
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut OpenResult> {
        self.open.get_mut(&id)
    }

    /// Frees a result; unknown ids are ignored.
    pub fn free(&mut self, id: u64) {
        if self.open.remove(&id).is_some() {
            self.server_open.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Drop for Results {
    /// A closed connection frees all its results.
    fn drop(&mut self) {
        self.server_open
            .fetch_sub(self.open.len(), Ordering::Relaxed);
    }
}
