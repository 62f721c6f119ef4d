//! `ResultStream`: a background task fetches raw blocks (action 7) one request at a time,
//! staying one block ahead of the consumer, who decodes them into record batches.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use ::arrow_schema::{Schema, SchemaRef};
use arrow_array::RecordBatch;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use taosarrow_codec::decode_block;
use taosarrow_protocol::frames::{FetchRawBlockRequest, FetchRawBlockResponse, RawBlockBody};
use taosarrow_protocol::messages::{Request, ResultRequest};
use taosarrow_protocol::Precision;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

use crate::socket::{Reply, Socket};
use crate::Error;

/// Raw blocks buffered ahead of the consumer.
const AHEAD: usize = 2;

/// The rows of one query, as a [`Stream`] of [`RecordBatch`]es.
///
/// The schema is known before the first batch ([`schema`](Self::schema)); timestamps carry
/// the database precision and the connection's time zone. The server-side result is freed
/// when the stream ends, is dropped, or is [cancelled](Self::cancel).
pub struct ResultStream {
    schema: SchemaRef,
    precision: Precision,
    rx: Option<mpsc::Receiver<Result<Bytes, Error>>>,
    stop: Arc<Mutex<Option<oneshot::Sender<()>>>>,
    cancelled: Arc<AtomicBool>,
    /// Resolves once the fetch task has queued `free_result` (or ended without a result).
    freed: Option<oneshot::Receiver<()>>,
}

impl std::fmt::Debug for ResultStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultStream")
            .field("schema", &self.schema)
            .field("precision", &self.precision)
            .finish()
    }
}

/// Cancels a [`ResultStream`] from anywhere (another task or thread).
#[derive(Debug, Clone)]
pub struct CancelHandle {
    stop: Arc<Mutex<Option<oneshot::Sender<()>>>>,
    cancelled: Arc<AtomicBool>,
}

impl CancelHandle {
    /// Stops fetching, frees the server-side result; the stream then yields
    /// [`Error::Cancelled`] once and ends.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let tx = self.stop.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(tx) = tx {
            let _ = tx.send(());
        }
    }
}

impl ResultStream {
    /// A stream with no columns and no rows (the result of a statement without a result set).
    pub(crate) fn empty(precision: Precision) -> ResultStream {
        ResultStream {
            schema: Arc::new(Schema::empty()),
            precision,
            rx: None,
            stop: Arc::new(Mutex::new(None)),
            cancelled: Arc::new(AtomicBool::new(false)),
            freed: None,
        }
    }

    pub(crate) fn start(
        socket: Arc<Socket>,
        result_id: u64,
        schema: SchemaRef,
        precision: Precision,
    ) -> ResultStream {
        let (tx, rx) = mpsc::channel(AHEAD);
        let (stop_tx, stop_rx) = oneshot::channel();
        let (freed_tx, freed_rx) = oneshot::channel();
        tokio::spawn(async move {
            fetch_loop(socket, result_id, tx, stop_rx).await;
            let _ = freed_tx.send(());
        });
        ResultStream {
            schema,
            precision,
            rx: Some(rx),
            stop: Arc::new(Mutex::new(Some(stop_tx))),
            cancelled: Arc::new(AtomicBool::new(false)),
            freed: Some(freed_rx),
        }
    }

    /// The Arrow schema of every batch.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The timestamp precision of the result.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// A handle that can cancel this stream from elsewhere.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle {
            stop: self.stop.clone(),
            cancelled: self.cancelled.clone(),
        }
    }

    /// Stops fetching and frees the server-side result.
    pub fn cancel(&self) {
        self.cancel_handle().cancel();
    }

    /// [`cancel`](Self::cancel), then waits until the `free_result` request is queued on
    /// the socket: a request sent after `close` returns reaches the server after it, so the
    /// result no longer counts against the server's limit of open results.
    pub async fn close(mut self) {
        self.cancel();
        if let Some(freed) = self.freed.take() {
            let _ = freed.await;
        }
    }

    /// Reads every remaining batch.
    pub async fn collect_all(mut self) -> Result<Vec<RecordBatch>, Error> {
        let mut out = Vec::new();
        while let Some(b) = self.next().await {
            out.push(b?);
        }
        Ok(out)
    }

    /// Decodes one raw block against the schema.
    fn decode(&self, block: &[u8]) -> Result<RecordBatch, Error> {
        Ok(decode_block(block, &self.schema)?)
    }
}

impl Stream for ResultStream {
    type Item = Result<RecordBatch, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Poll::Ready(self.rx.take().map(|_| Err(Error::Cancelled)));
        }
        let Some(rx) = self.rx.as_mut() else {
            return Poll::Ready(None);
        };
        match rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                self.rx = None;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                self.rx = None;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(Some(Ok(block))) => {
                let r = self.decode(&block);
                if r.is_err() {
                    self.rx = None;
                    self.cancel();
                }
                Poll::Ready(Some(r))
            }
        }
    }
}

impl Drop for ResultStream {
    fn drop(&mut self) {
        let tx = self.stop.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(tx) = tx {
            let _ = tx.send(());
        }
    }
}

/// Sends `free_result` (no reply expected).
fn free(socket: &Socket, result_id: u64) {
    let req = Request::FreeResult(ResultRequest {
        req_id: socket.req_id(),
        id: result_id,
    });
    let _ = socket.send(Message::text(req.to_json()));
}

enum Step {
    Block(Bytes),
    Finished,
}

async fn fetch_one(socket: &Socket, result_id: u64) -> Result<Step, Error> {
    let ticket = socket.ticket()?;
    let mut frame = Vec::with_capacity(26);
    FetchRawBlockRequest {
        req_id: ticket.req_id(),
        result_id,
    }
    .encode(&mut frame);
    let reply = ticket.call(Message::binary(frame)).await?;
    let bytes = match reply {
        Reply::Binary(b) => b,
        Reply::Text(t) => {
            // A JSON error (e.g. before conn); anything else is a protocol violation.
            let h = taosarrow_protocol::messages::peek_header(&t)?;
            crate::socket::check_header(&h, Error::server)?;
            return Err(Error::invalid_response(
                "fetch_raw_block",
                "a JSON frame instead of a binary one",
            ));
        }
    };
    let resp = FetchRawBlockResponse::decode(&bytes)?;
    match resp.body {
        RawBlockBody::Block(b) => {
            let start = b.as_ptr() as usize - bytes.as_ptr() as usize;
            Ok(Step::Block(bytes.slice(start..start + b.len())))
        }
        RawBlockBody::Finished => Ok(Step::Finished),
        RawBlockBody::Error { code, message } => Err(Error::server(code, message.into_owned())),
    }
}

async fn fetch_loop(
    socket: Arc<Socket>,
    result_id: u64,
    tx: mpsc::Sender<Result<Bytes, Error>>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        let step = tokio::select! {
            _ = &mut stop => break,
            s = fetch_one(&socket, result_id) => s,
        };
        match step {
            Ok(Step::Block(b)) => {
                let sent = tokio::select! {
                    _ = &mut stop => false,
                    r = tx.send(Ok(b)) => r.is_ok(),
                };
                if !sent {
                    break;
                }
            }
            Ok(Step::Finished) => break,
            Err(e) => {
                // A fetch only reads: whether its frame went out does not matter to the
                // reader of the result, the cause does.
                let e = match e {
                    Error::NotSent { source } => *source,
                    e => e,
                };
                let _ = tx.send(Err(e)).await;
                break;
            }
        }
    }
    free(&socket, result_id);
}
