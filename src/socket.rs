//! One socket: a reader task routing replies by `req_id`, a writer task owning the sink, and
//! request/reply with `read_timeout` on every wait.
//!
//! A request is a [`Ticket`]: its `req_id` is registered before its frame is queued, so two
//! requests in flight never share a `req_id` (a caller-chosen one already in flight is
//! refused with [`Error::ReqIdInUse`]). A queued frame carries a state the writer claims
//! before writing it; a request whose wait ends first (timeout, closed socket, dropped
//! future) withdraws its frame, which is then never written, and reports
//! [`Error::NotSent`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
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
use tokio_tungstenite::tungstenite::error::CapacityError;
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

/// A queued frame not yet taken by the writer.
const QUEUED: u8 = 0;
/// The writer took the frame: it is being, or has been, written.
const TAKEN: u8 = 1;
/// Its request withdrew the frame before the writer took it: it is never written.
const WITHDRAWN: u8 = 2;

/// A frame for the writer, with the state of its request when it has one.
struct Outgoing {
    msg: Message,
    state: Option<Arc<AtomicU8>>,
}

/// Why a socket closed: kept to fail every later request the same way.
#[derive(Clone)]
enum Closure {
    /// Closed by the peer or the network, or by the client.
    Closed {
        reason: &'static str,
        source: Option<Arc<WsError>>,
        by_client: bool,
    },
    /// The server sent a message above `max_message_size`.
    TooLarge { size: usize, limit: usize },
}

impl Closure {
    fn error(&self) -> Error {
        match self {
            Closure::Closed { reason, source, .. } => Error::Closed {
                reason,
                source: source.clone(),
            },
            Closure::TooLarge { size, limit } => Error::MessageTooLarge {
                size: *size,
                limit: *limit,
            },
        }
    }

    fn lost(reason: &'static str, source: Option<WsError>) -> Closure {
        Closure::Closed {
            reason,
            source: source.map(Arc::new),
            by_client: false,
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
    tx: mpsc::UnboundedSender<Outgoing>,
    pending: Arc<Mutex<Pending>>,
    next_req_id: AtomicU64,
    read_timeout: Duration,
    reader: JoinHandle<()>,
}

fn lock(p: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

/// The first `req_id` the client picks itself. Callers choose theirs (taos-ws-py programs
/// pass small numbers such as 1, taospy's `gen_req_id` values stay below 2^63); the
/// client's own ids count up from 2^62, so the late reply to a request the client gave up on
/// (a fetch cut short by closing its result) is never taken for the reply to a caller's
/// request that reuses a number.
const FIRST_AUTO_REQ_ID: u64 = 1 << 62;

/// The reason given to requests of a socket replaced by a reconnect.
const RETIRED: &str = "the connection was re-established since; results and statements \
                       opened before are no longer valid";

impl Socket {
    /// Starts the reader and writer tasks on the current runtime.
    /// While nothing is sent for [`PING_EVERY`], the writer sends a Ping.
    pub(crate) fn start(ws: Ws, read_timeout: Duration) -> Socket {
        Socket::start_with_ping(ws, read_timeout, PING_EVERY)
    }

    /// [`start`](Self::start) with a Ping after `ping_every` without a frame sent.
    pub(crate) fn start_with_ping(ws: Ws, read_timeout: Duration, ping_every: Duration) -> Socket {
        let (sink, stream) = ws.split();
        let (tx, rx) = mpsc::unbounded_channel();
        let pending = Arc::new(Mutex::new(Pending::default()));
        tokio::spawn(write_loop(sink, rx, pending.clone(), ping_every));
        let reader = tokio::spawn(read_loop(stream, pending.clone(), tx.clone()));
        Socket {
            tx,
            pending,
            next_req_id: AtomicU64::new(FIRST_AUTO_REQ_ID),
            read_timeout,
            reader,
        }
    }

    /// How long a request waits for its reply.
    pub(crate) fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// A fresh request id, for a frame that expects no reply.
    pub(crate) fn req_id(&self) -> u64 {
        self.next_req_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A request with a fresh `req_id` (one not in flight), registered for its reply.
    pub(crate) fn ticket(&self) -> Result<Ticket<'_>, Error> {
        let mut p = lock(&self.pending);
        if let Some(closure) = &p.closed {
            return Err(not_sent(closure.error()));
        }
        let mut req_id = self.req_id();
        while p.waiters.contains_key(&req_id) {
            req_id = self.req_id();
        }
        Ok(self.register(&mut p, req_id))
    }

    /// A request with a caller-chosen `req_id`; [`Error::ReqIdInUse`] when a request with
    /// it is in flight.
    pub(crate) fn ticket_with(&self, req_id: u64) -> Result<Ticket<'_>, Error> {
        let mut p = lock(&self.pending);
        if let Some(closure) = &p.closed {
            return Err(not_sent(closure.error()));
        }
        if p.waiters.contains_key(&req_id) {
            return Err(Error::ReqIdInUse { req_id });
        }
        Ok(self.register(&mut p, req_id))
    }

    /// A ticket for `req_id` given a fresh one when `None`.
    pub(crate) fn ticket_for(&self, req_id: Option<u64>) -> Result<Ticket<'_>, Error> {
        match req_id {
            Some(id) => self.ticket_with(id),
            None => self.ticket(),
        }
    }

    fn register(&self, p: &mut Pending, req_id: u64) -> Ticket<'_> {
        let (wtx, wrx) = oneshot::channel();
        p.waiters.insert(req_id, wtx);
        Ticket {
            socket: self,
            req_id,
            rx: Some(wrx),
            state: Arc::new(AtomicU8::new(QUEUED)),
        }
    }

    /// Sends a frame expecting no reply.
    pub(crate) fn send(&self, msg: Message) -> Result<(), Error> {
        if let Some(closure) = &lock(&self.pending).closed {
            return Err(not_sent(closure.error()));
        }
        self.tx
            .send(Outgoing { msg, state: None })
            .map_err(|_| not_sent(Error::closed("connection closed")))
    }

    /// Whether the socket was closed by the peer or the network (not by the client): a
    /// connection replaces such a socket by reconnecting.
    pub(crate) fn is_lost(&self) -> bool {
        match &lock(&self.pending).closed {
            Some(Closure::Closed { by_client, .. }) => !by_client,
            Some(Closure::TooLarge { .. }) => true,
            None => self.reader.is_finished(),
        }
    }

    /// Marks a lost socket as replaced by a new one: later requests on it (from results and
    /// statements opened before) fail with an error saying so, keeping the original cause.
    pub(crate) fn retire(&self) {
        let mut p = lock(&self.pending);
        let source = match &p.closed {
            Some(Closure::Closed { source, .. }) => source.clone(),
            _ => None,
        };
        p.closed = Some(Closure::Closed {
            reason: RETIRED,
            source,
            by_client: false,
        });
    }

    /// Closes the socket: pending requests fail, a Close frame is sent.
    pub(crate) fn close(&self) {
        fail_all(
            &self.pending,
            Closure::Closed {
                reason: "closed by the client",
                source: None,
                by_client: true,
            },
        );
        let _ = self.tx.send(Outgoing {
            msg: Message::Close(None),
            state: None,
        });
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
        self.reader.abort();
    }
}

/// `e` for a request whose frame was never written.
fn not_sent(e: Error) -> Error {
    Error::NotSent {
        source: Box::new(e),
    }
}

/// One request registered on a socket: its `req_id` is reserved until the ticket is used or
/// dropped.
pub(crate) struct Ticket<'a> {
    socket: &'a Socket,
    req_id: u64,
    rx: Option<oneshot::Receiver<Result<Reply, Error>>>,
    state: Arc<AtomicU8>,
}

impl Ticket<'_> {
    /// The request id to put in the frame.
    pub(crate) fn req_id(&self) -> u64 {
        self.req_id
    }

    /// Queues the frame and waits up to `read_timeout` for the reply. When the wait ends
    /// without a reply and the frame was not written yet, it never will be, and the error is
    /// [`Error::NotSent`].
    pub(crate) async fn call(self, msg: Message) -> Result<Reply, Error> {
        let after = self.socket.read_timeout;
        self.call_within(msg, after).await
    }

    /// [`call`](Self::call) waiting up to `after` instead of `read_timeout`: for a request
    /// the server may legitimately hold (a TMQ poll waits up to its blocking time).
    pub(crate) async fn call_within(
        mut self,
        msg: Message,
        after: Duration,
    ) -> Result<Reply, Error> {
        let Some(rx) = self.rx.take() else {
            return Err(Error::Interface("request already sent".into()));
        };
        let out = Outgoing {
            msg,
            state: Some(self.state.clone()),
        };
        if self.socket.tx.send(out).is_err() {
            return Err(not_sent(Error::closed("connection closed")));
        }
        let r = match tokio::time::timeout(after, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(Error::closed("connection closed")),
            Err(_) => Err(Error::Timeout {
                what: "response",
                after,
            }),
        };
        match r {
            Ok(reply) => Ok(reply),
            Err(e) if self.withdraw() => Err(not_sent(e)),
            Err(e) => Err(e),
        }
    }

    /// Withdraws the frame if the writer has not taken it; whether it did.
    fn withdraw(&self) -> bool {
        let s = self
            .state
            .compare_exchange(QUEUED, WITHDRAWN, Ordering::SeqCst, Ordering::SeqCst);
        matches!(s, Ok(_) | Err(WITHDRAWN))
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.withdraw();
        lock(&self.socket.pending).waiters.remove(&self.req_id);
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

/// How long the writer waits with nothing to send before it sends a Ping (payload `TAOS`),
/// so that proxies and the server see an idle socket alive.
pub(crate) const PING_EVERY: Duration = Duration::from_secs(29);

/// The keep-alive Ping.
fn ping() -> Message {
    Message::Ping(Bytes::from_static(b"TAOS"))
}

async fn write_loop(
    mut sink: SplitSink<Ws, Message>,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
    pending: Arc<Mutex<Pending>>,
    ping_every: Duration,
) {
    loop {
        let out = match tokio::time::timeout(ping_every, rx.recv()).await {
            Ok(Some(out)) => out,
            Ok(None) => break,
            Err(_) => Outgoing {
                msg: ping(),
                state: None,
            },
        };
        if let Some(state) = &out.state {
            let taken = state.compare_exchange(QUEUED, TAKEN, Ordering::SeqCst, Ordering::SeqCst);
            if taken.is_err() {
                // Withdrawn by a request whose wait ended: never written.
                continue;
            }
        }
        let is_close = matches!(out.msg, Message::Close(_));
        if let Err(e) = sink.send(out.msg).await {
            fail_all(&pending, Closure::lost("connection lost", Some(e)));
            break;
        }
        if is_close {
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
    tx: mpsc::UnboundedSender<Outgoing>,
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
                let _ = tx.send(Outgoing {
                    msg: Message::Pong(p),
                    state: None,
                });
            }
            Some(Ok(Message::Close(_))) | None => {
                break Closure::lost("closed by the server", None)
            }
            Some(Ok(_)) => {}
            Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                break Closure::TooLarge {
                    size,
                    limit: max_size,
                }
            }
            Some(Err(e)) => break Closure::lost("connection lost", Some(e)),
        }
    };
    fail_all(&pending, closure);
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;

    #[tokio::test]
    async fn an_idle_socket_sends_a_ping_with_payload_taos() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let peer = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            loop {
                match ws.next().await {
                    Some(Ok(Message::Ping(p))) => return p.to_vec(),
                    Some(Ok(_)) => continue,
                    other => panic!("no ping before {other:?}"),
                }
            }
        });
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
            .await
            .unwrap();
        let socket = Socket::start_with_ping(ws, Duration::from_secs(5), Duration::from_millis(50));
        let payload = tokio::time::timeout(Duration::from_secs(5), peer)
            .await
            .expect("a ping within the timeout")
            .unwrap();
        assert_eq!(payload, b"TAOS");
        drop(socket);
    }
}
