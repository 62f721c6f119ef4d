//! The write pipeline of an ingest: the input is cut into chunks, the chunks are handed to
//! a pool of statements (one task each), and every outcome is booked in the [`Account`].
//! At the first failure, or when the caller's [`IngestStop`] is raised, no chunk is
//! started any more (not even one already queued), the chunks in flight are waited for,
//! and so the account of written, unknown and not-written rows is exact. If the ingest is
//! abandoned (its future dropped), the chunks in flight finish on their own and nothing
//! queued is started.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use super::account::{Account, Done};
use super::outcome::{outcome_of, ChunkOutcome};
use super::plan::Chunk;
use super::stop::IngestStop;
use super::{BatchResult, IngestReport, Progress};
use crate::{Error, Stmt2};

/// The input of the pipeline: record batches of one schema.
pub(super) type Source<'a> = Box<dyn Iterator<Item = BatchResult> + Send + 'a>;

/// Writes the chunks `cut` makes of each batch of `source` through `stmts`, several in
/// flight; `progress` is told the rows written after each chunk; `stop` ends it early.
pub(super) async fn run_pipeline(
    stmts: Vec<Stmt2>,
    source: Source<'_>,
    schema: &SchemaRef,
    cut: impl FnMut(&RecordBatch, u64) -> Result<Vec<Chunk>, Error>,
    progress: Option<Progress>,
    stop: Option<IngestStop>,
) -> Result<IngestReport, Error> {
    let mut pool = Pool::start(stmts, stop);
    let mut account = Account::new(progress);
    feed(&mut pool, &mut account, source, schema, cut).await;
    pool.finish(&mut account).await;
    account.into_result()
}

/// Reads `source` and hands out its chunks until it ends, something fails or the caller
/// stops the ingest.
async fn feed(
    pool: &mut Pool,
    account: &mut Account,
    mut source: Source<'_>,
    schema: &SchemaRef,
    mut cut: impl FnMut(&RecordBatch, u64) -> Result<Vec<Chunk>, Error>,
) {
    loop {
        pool.book_ready(account);
        if account.failed() {
            account.stop_reading();
            return;
        }
        if pool.caller_stopped() {
            pool.halt.stop();
            account.fail(Error::Interrupted);
            return;
        }
        let batch = match source.next() {
            None => return,
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                account.fail(Error::Interface(format!("reading the input: {e}")));
                return;
            }
        };
        if batch.schema().fields() != schema.fields() {
            account.fail(Error::Interface(
                "a batch's schema differs from the first batch's".into(),
            ));
            return;
        }
        let offset = account.read(batch.num_rows());
        let pieces = match cut(&batch, offset) {
            Ok(p) => p,
            Err(e) => {
                account.fail(e);
                return;
            }
        };
        for chunk in pieces {
            if !pool.hand_out(chunk, account).await {
                return;
            }
        }
    }
}

/// Raises the pool's halt when dropped: an abandoned ingest starts no queued chunk.
struct HaltOnDrop(IngestStop);

impl Drop for HaltOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// One task per statement, taking chunks from one queue and reporting each outcome.
struct Pool {
    /// The queue of chunks (as deep as there are workers).
    work: mpsc::Sender<Chunk>,
    /// The workers' end of the queue. Held here too so that the queue stays open while
    /// feeding even when every worker has stopped: their failures, not a closed queue,
    /// end the feeding, and so the account says how far the input was read.
    queue: Arc<Mutex<mpsc::Receiver<Chunk>>>,
    /// The outcomes of the chunks.
    done: mpsc::UnboundedReceiver<Done>,
    /// The worker tasks.
    tasks: Vec<JoinHandle<()>>,
    /// Once raised, workers start no further chunk (raised at the first failure, when the
    /// caller stops the ingest, and when the pool is dropped).
    halt: IngestStop,
    /// The caller's stop signal.
    caller: Option<IngestStop>,
    /// Raises `halt` when the pool goes away.
    _halt_on_drop: HaltOnDrop,
}

impl Pool {
    /// Spawns a worker for each statement.
    fn start(stmts: Vec<Stmt2>, caller: Option<IngestStop>) -> Self {
        let (work, queue) = mpsc::channel::<Chunk>(stmts.len());
        let queue = Arc::new(Mutex::new(queue));
        let (done_tx, done) = mpsc::unbounded_channel::<Done>();
        let halt = IngestStop::new();
        let tasks = stmts
            .into_iter()
            .map(|stmt| tokio::spawn(worker(stmt, queue.clone(), done_tx.clone(), halt.clone())))
            .collect();
        Pool {
            work,
            queue,
            done,
            tasks,
            halt: halt.clone(),
            caller,
            _halt_on_drop: HaltOnDrop(halt),
        }
    }

    /// True once the caller raised its stop signal.
    fn caller_stopped(&self) -> bool {
        self.caller.as_ref().is_some_and(IngestStop::is_stopped)
    }

    /// Completes when the caller raises its stop signal (never without one).
    async fn caller_stop(caller: &Option<IngestStop>) {
        match caller {
            Some(s) => s.stopped().await,
            None => std::future::pending().await,
        }
    }

    /// Books the outcomes already in.
    fn book_ready(&mut self, account: &mut Account) {
        while let Ok(d) = self.done.try_recv() {
            account.book(d);
        }
    }

    /// Hands `chunk` to the next free worker, booking the outcomes that come in while
    /// every worker is busy. False when feeding must stop: a chunk failed or the caller
    /// stopped (nothing more is handed out), or the queue is closed.
    async fn hand_out(&mut self, chunk: Chunk, account: &mut Account) -> bool {
        loop {
            tokio::select! {
                biased;
                _ = Self::caller_stop(&self.caller) => {
                    self.halt.stop();
                    account.fail(Error::Interrupted);
                    return false;
                }
                Some(d) = self.done.recv() => {
                    account.book(d);
                    if account.failed() {
                        account.stop_reading();
                        return false;
                    }
                }
                permit = self.work.reserve() => {
                    return match permit {
                        Ok(permit) => {
                            permit.send(chunk);
                            true
                        }
                        Err(_) => false,
                    };
                }
            }
        }
    }

    /// Closes the queue, books the outcome of every chunk started, and waits for the
    /// workers to close their statements. A stop from the caller while waiting keeps the
    /// queued chunks from starting.
    async fn finish(self, account: &mut Account) {
        let Pool {
            work,
            queue,
            mut done,
            tasks,
            halt,
            caller,
            _halt_on_drop,
        } = self;
        drop(work);
        loop {
            tokio::select! {
                biased;
                _ = Self::caller_stop(&caller), if !halt.is_stopped() => {
                    halt.stop();
                    account.record(Error::Interrupted);
                }
                d = done.recv() => match d {
                    Some(d) => account.book(d),
                    None => break,
                },
            }
        }
        for t in tasks {
            let _ = t.await;
        }
        drop(queue);
    }
}

/// Writes chunks from `queue` through `stmt` until the queue closes, a chunk fails or
/// `halt` is raised, reporting each outcome on `done`; then closes the statement. A
/// failure raises `halt` at once, so no other worker starts a queued chunk.
async fn worker(
    mut stmt: Stmt2,
    queue: Arc<Mutex<mpsc::Receiver<Chunk>>>,
    done: mpsc::UnboundedSender<Done>,
    halt: IngestStop,
) {
    loop {
        let next = tokio::select! {
            biased;
            _ = halt.stopped() => None,
            c = async { queue.lock().await.recv().await } => c,
        };
        let Some(chunk) = next else { break };
        if halt.is_stopped() {
            // Taken from the queue as the halt came: never started, so not written.
            break;
        }
        let outcome = write_chunk(&mut stmt, &chunk).await;
        let failed = !matches!(outcome, ChunkOutcome::Written(_));
        if failed {
            halt.stop();
        }
        let _ = done.send(Done {
            rows: chunk.rows,
            positions: chunk.positions,
            outcome,
        });
        if failed {
            break;
        }
    }
    let _ = stmt.close().await;
}

/// One bind + exec round trip, and what became of it.
///
/// A failed bind is [`ChunkOutcome::NotWritten`] whatever the failure: no exec was sent
/// for the chunk, and the worker closes this statement right after, so a bind that
/// reaches the server late is never executed. A failed exec is judged by [`outcome_of`].
async fn write_chunk(stmt: &mut Stmt2, chunk: &Chunk) -> ChunkOutcome {
    if let Err(e) = stmt.bind_sized(&chunk.tables, chunk.bytes).await {
        return ChunkOutcome::NotWritten(e);
    }
    match stmt.exec().await {
        Ok(rows) => ChunkOutcome::Written(rows),
        Err(e) => outcome_of(e),
    }
}
