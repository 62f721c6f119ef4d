//! The write pipeline of an ingest: the input is cut into chunks, the chunks are handed to
//! a pool of statements (one task each), and every outcome is booked in the [`Account`].
//! Feeding stops at the first failure and the chunks in flight are waited for, so the
//! account of written rows is exact.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use super::account::{Account, Done};
use super::plan::Chunk;
use super::{BatchResult, IngestReport, Progress};
use crate::{Error, Stmt2};

/// The input of the pipeline: record batches of one schema.
pub(super) type Source<'a> = Box<dyn Iterator<Item = BatchResult> + Send + 'a>;

/// Writes the chunks `cut` makes of each batch of `source` through `stmts`, several in
/// flight; `progress` is told the rows written after each chunk.
pub(super) async fn run_pipeline(
    stmts: Vec<Stmt2>,
    source: Source<'_>,
    schema: &SchemaRef,
    cut: impl FnMut(&RecordBatch, u64) -> Result<Vec<Chunk>, Error>,
    progress: Option<Progress>,
) -> Result<IngestReport, Error> {
    let mut pool = Pool::start(stmts);
    let mut account = Account::new(progress);
    feed(&mut pool, &mut account, source, schema, cut).await;
    pool.finish(&mut account).await;
    account.into_result()
}

/// Reads `source` and hands out its chunks until it ends or something fails.
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
}

impl Pool {
    /// Spawns a worker for each statement.
    fn start(stmts: Vec<Stmt2>) -> Self {
        let (work, queue) = mpsc::channel::<Chunk>(stmts.len());
        let queue = Arc::new(Mutex::new(queue));
        let (done_tx, done) = mpsc::unbounded_channel::<Done>();
        let tasks = stmts
            .into_iter()
            .map(|stmt| tokio::spawn(worker(stmt, queue.clone(), done_tx.clone())))
            .collect();
        Pool {
            work,
            queue,
            done,
            tasks,
        }
    }

    /// Books the outcomes already in.
    fn book_ready(&mut self, account: &mut Account) {
        while let Ok(d) = self.done.try_recv() {
            account.book(d);
        }
    }

    /// Hands `chunk` to the next free worker, booking the outcomes that come in while
    /// every worker is busy. False when feeding must stop: a chunk failed (nothing more is
    /// handed out) or the queue is closed.
    async fn hand_out(&mut self, chunk: Chunk, account: &mut Account) -> bool {
        loop {
            tokio::select! {
                permit = self.work.reserve() => {
                    return match permit {
                        Ok(permit) => {
                            permit.send(chunk);
                            true
                        }
                        Err(_) => false,
                    };
                }
                Some(d) = self.done.recv() => {
                    account.book(d);
                    if account.failed() {
                        account.stop_reading();
                        return false;
                    }
                }
            }
        }
    }

    /// Closes the queue, books the outcome of every chunk handed out, and waits for the
    /// workers to close their statements.
    async fn finish(self, account: &mut Account) {
        let Pool {
            work,
            queue,
            mut done,
            tasks,
        } = self;
        drop(work);
        while let Some(d) = done.recv().await {
            account.book(d);
        }
        for t in tasks {
            let _ = t.await;
        }
        drop(queue);
    }
}

/// Writes chunks from `queue` through `stmt` until the queue closes or a chunk fails,
/// reporting each outcome on `done`; then closes the statement.
async fn worker(
    mut stmt: Stmt2,
    queue: Arc<Mutex<mpsc::Receiver<Chunk>>>,
    done: mpsc::UnboundedSender<Done>,
) {
    loop {
        let next = queue.lock().await.recv().await;
        let Some(chunk) = next else { break };
        let result = write_chunk(&mut stmt, &chunk).await;
        let failed = result.is_err();
        let _ = done.send(Done {
            rows: chunk.rows,
            positions: chunk.positions,
            result,
        });
        if failed {
            break;
        }
    }
    let _ = stmt.close().await;
}

/// One bind + exec round trip; the rows the server wrote.
async fn write_chunk(stmt: &mut Stmt2, chunk: &Chunk) -> Result<u64, Error> {
    stmt.bind_sized(&chunk.tables, chunk.bytes).await?;
    stmt.exec().await
}
