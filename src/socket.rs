//! One socket: a reader task routing replies by `req_id`, a writer task owning the sink, and
//! request/reply with `read_timeout` on every wait.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use taosarrow_protocol::frames::peek_binary_req_id;
use taosarrow_protocol::messages::{peek_header, ResponseHeader};
use taosarrow_protocol::Code;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::transport::Ws;
use crate::Error;

/// A reply frame.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A JSON reply.
    Text(Bytes),
    /// A binary reply (fetch_raw_block).
    Binary(Bytes),
}

/// The error a reply's header reports, if any: its code (masked to 16 bits) and message made
/// into an [`Error`] by `to_error` ([`Error::server`], [`Error::server_conn`], …).
pub(crate) fn check_header(
    header: &ResponseHeader,
    to_error: fn(Code, String) -> Error,
) -> Result<(), Error> {
    if header.is_ok() {
        Ok(())
    } else {
        Err(to_error(header.code(), header.message.clone()))
    }
}

type Waiter = oneshot::Sender<Result<Reply, Error>>;

/// Why a socket closed: kept to fail every later request the same way.
#[derive(Clone)]
struct Closure {
    reason: &'static str,
    source: Option<Arc<WsError>>,
}

impl Closure {
    fn error(&self) -> Error {
        Error::Closed {
            reason: self.reason,
            source: self.source.clone(),
        }
    }
}

#[derive(Default)]
struct Pending {
    waiters: HashMap<u64, Waiter>,
    closed: Option<Closure>,
}

/// The shared state of one socket.
pub(crate) struct Socket {
    tx: mpsc::UnboundedSender<Message>,
    pending: Arc<Mutex<Pending>>,
    next_req_id: AtomicU64,
    read_timeout: Duration,
    reader: JoinHandle<()>,
}

fn lock(p: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

impl Socket {
    /// Starts the reader and writer tasks on the current runtime.
    pub(crate) fn start(ws: Ws, read_timeout: Duration) -> Socket {
        let (sink, stream) = ws.split();
        let (tx, rx) = mpsc::unbounded_channel();
        let pending = Arc::new(Mutex::new(Pending::default()));
        tokio::spawn(write_loop(sink, rx));
        let reader = tokio::spawn(read_loop(stream, pending.clone(), tx.clone()));
        Socket {
            tx,
            pending,
            next_req_id: AtomicU64::new(1),
            read_timeout,
            reader,
        }
    }

    /// A fresh request id.
    pub(crate) fn req_id(&self) -> u64 {
        self.next_req_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends a frame expecting no reply.
    pub(crate) fn send(&self, msg: Message) -> Result<(), Error> {
        if let Some(closure) = &lock(&self.pending).closed {
            return Err(closure.error());
        }
        self.tx
            .send(msg)
            .map_err(|_| Error::closed("connection closed"))
    }

    /// Sends a frame and waits up to `read_timeout` for the reply with this `req_id`.
    pub(crate) async fn request(&self, req_id: u64, msg: Message) -> Result<Reply, Error> {
        let (wtx, wrx) = oneshot::channel();
        {
            let mut p = lock(&self.pending);
            if let Some(closure) = &p.closed {
                return Err(closure.error());
            }
            p.waiters.insert(req_id, wtx);
        }
        let guard = Unregister {
            pending: &self.pending,
            req_id,
        };
        self.tx
            .send(msg)
            .map_err(|_| Error::closed("connection closed"))?;
        let r = match tokio::time::timeout(self.read_timeout, wrx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(Error::closed("connection closed")),
            Err(_) => Err(Error::Timeout {
                what: "response",
                after: self.read_timeout,
            }),
        };
        drop(guard);
        r
    }

    /// Closes the socket: pending requests fail, a Close frame is sent.
    pub(crate) fn close(&self) {
        fail_all(
            &self.pending,
            Closure {
                reason: "closed by the client",
                source: None,
            },
        );
        let _ = self.tx.send(Message::Close(None));
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
        self.reader.abort();
    }
}

struct Unregister<'a> {
    pending: &'a Mutex<Pending>,
    req_id: u64,
}

impl Drop for Unregister<'_> {
    fn drop(&mut self) {
        lock(self.pending).waiters.remove(&self.req_id);
    }
}

fn fail_all(pending: &Mutex<Pending>, closure: Closure) {
    let waiters = {
        let mut p = lock(pending);
        if p.closed.is_none() {
            p.closed = Some(closure.clone());
        }
        std::mem::take(&mut p.waiters)
    };
    for (_, w) in waiters {
        let _ = w.send(Err(closure.error()));
    }
}

async fn write_loop(mut sink: SplitSink<Ws, Message>, mut rx: mpsc::UnboundedReceiver<Message>) {
    while let Some(msg) = rx.recv().await {
        let is_close = matches!(msg, Message::Close(_));
        if sink.send(msg).await.is_err() || is_close {
            break;
        }
    }
    let _ = sink.close().await;
}

fn route(pending: &Mutex<Pending>, req_id: u64, reply: Reply) {
    let w = lock(pending).waiters.remove(&req_id);
    match w {
        Some(w) => {
            let _ = w.send(Ok(reply));
        }
        None => tracing::debug!(req_id, "reply for no waiting request dropped"),
    }
}

async fn read_loop(
    mut stream: SplitStream<Ws>,
    pending: Arc<Mutex<Pending>>,
    tx: mpsc::UnboundedSender<Message>,
) {
    let closure = loop {
        match stream.next().await {
            Some(Ok(Message::Text(t))) => {
                let bytes: Bytes = t.into();
                match peek_header(&bytes) {
                    Ok(h) => route(&pending, h.req_id, Reply::Text(bytes)),
                    Err(e) => tracing::warn!(error = %e, "undecodable text frame dropped"),
                }
            }
            Some(Ok(Message::Binary(b))) => match peek_binary_req_id(&b) {
                Some(req_id) => route(&pending, req_id, Reply::Binary(b)),
                None => tracing::warn!(len = b.len(), "unexpected binary frame dropped"),
            },
            Some(Ok(Message::Ping(p))) => {
                let _ = tx.send(Message::Pong(p));
            }
            Some(Ok(Message::Close(_))) | None => {
                break Closure {
                    reason: "closed by the server",
                    source: None,
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                break Closure {
                    reason: "connection lost",
                    source: Some(Arc::new(e)),
                }
            }
        }
    };
    fail_all(&pending, closure);
}
