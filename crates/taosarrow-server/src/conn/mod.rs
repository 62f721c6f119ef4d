//! One WebSocket connection: reads frames, answers them in order, pings, injects faults.

mod binary;
mod blocks;
mod fetch;
mod query;
mod results;
mod statements;
mod stmt1;
mod stmt1_values;
mod text;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::time::{interval_at, timeout_at, Instant as TokioInstant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use taosarrow_protocol::messages::{to_json, ResponseHeader};

use crate::engine::{Engine, Session};
use crate::{ServerConfig, ServerError};
use results::Results;
use statements::Statements;

/// Ping period after `conn` (taosAdapter: 54 s).
const PING_PERIOD: Duration = Duration::from_secs(54);
/// A connection with no data and no pong for this long is closed (taosAdapter: 114 s).
const IDLE_LIMIT: Duration = Duration::from_secs(114);

/// What every connection of one server shares.
pub(crate) struct Shared {
    pub engine: Engine,
    pub config: ServerConfig,
    /// Results opened and not yet freed, over all connections.
    pub open_results: Arc<std::sync::atomic::AtomicUsize>,
    /// Connections accepted so far (faults limited to the first one use it).
    pub accepted: std::sync::atomic::AtomicU64,
}

impl Shared {
    pub fn new(engine: Engine, config: ServerConfig) -> Self {
        Shared {
            engine,
            config,
            open_results: Arc::default(),
            accepted: Default::default(),
        }
    }
}

/// Whether to keep serving after a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Close,
}

/// The state of one connection.
pub(crate) struct Connection {
    shared: Arc<Shared>,
    ws: WebSocketStream<TcpStream>,
    /// Set by a successful `conn`.
    session: Option<Session>,
    user: String,
    results: Results,
    statements: Statements,
    frames_sent: u64,
    /// The frame this connection loses instead of sending (`FaultConfig::lose_reply`).
    lose_reply: Option<u64>,
}

fn elapsed_ns(start: Instant) -> i64 {
    i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX)
}

impl Connection {
    pub fn new(shared: Arc<Shared>, ws: WebSocketStream<TcpStream>) -> Self {
        let results = Results::new(Arc::clone(&shared.open_results));
        let first = shared
            .accepted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            == 0;
        let lose_reply = shared.config.faults.lose_reply.filter(|_| first);
        Connection {
            shared,
            ws,
            session: None,
            user: String::new(),
            results,
            statements: Statements::default(),
            frames_sent: 0,
            lose_reply,
        }
    }

    /// Serves until the client leaves, the socket fails, the idle limit passes or a fault
    /// drops the connection. Dropping the connection frees all its results.
    pub async fn run(mut self) {
        let mut deadline = TokioInstant::now() + IDLE_LIMIT;
        let mut ping = interval_at(TokioInstant::now() + PING_PERIOD, PING_PERIOD);
        loop {
            let next = tokio::select! {
                _ = ping.tick(), if self.session.is_some() => {
                    if self.ws.send(Message::Ping(Vec::new().into())).await.is_err() {
                        return;
                    }
                    continue;
                }
                next = timeout_at(deadline, self.ws.next()) => next,
            };
            let msg = match next {
                Ok(Some(Ok(msg))) => msg,
                // Idle too long, end of stream or a socket/protocol error.
                Err(_) | Ok(None) | Ok(Some(Err(_))) => return,
            };
            let flow = match msg {
                Message::Text(t) => {
                    deadline = TokioInstant::now() + IDLE_LIMIT;
                    self.on_text(t.as_bytes()).await
                }
                Message::Binary(b) => {
                    deadline = TokioInstant::now() + IDLE_LIMIT;
                    self.on_binary(&b).await
                }
                Message::Pong(_) => {
                    deadline = TokioInstant::now() + IDLE_LIMIT;
                    Flow::Continue
                }
                // Pings are answered by the WebSocket layer; a Close is answered by it too,
                // after which the stream ends.
                Message::Ping(_) | Message::Close(_) | Message::Frame(_) => Flow::Continue,
            };
            if flow == Flow::Close {
                return;
            }
        }
    }

    /// Sends one frame, after the configured delay; `Close` when the socket failed or the
    /// frame budget of `drop_after_frames` is spent. Once `withhold_after_frames` frames were
    /// sent, frames are silently not sent.
    async fn send(&mut self, msg: Message) -> Flow {
        let faults = &self.shared.config.faults;
        if let Some(delay) = faults.reply_delay {
            tokio::time::sleep(delay).await;
        }
        if matches!(faults.withhold_after_frames, Some(n) if self.frames_sent >= n) {
            return Flow::Continue;
        }
        let limit = faults.drop_after_frames;
        if self.lose_reply == Some(self.frames_sent + 1) {
            return Flow::Close;
        }
        if matches!(limit, Some(n) if self.frames_sent >= n) {
            return Flow::Close;
        }
        if self.ws.send(msg).await.is_err() {
            return Flow::Close;
        }
        self.frames_sent += 1;
        match limit {
            Some(n) if self.frames_sent >= n => Flow::Close,
            _ => Flow::Continue,
        }
    }

    async fn send_json<T: Serialize>(&mut self, resp: &T) -> Flow {
        self.send(Message::Text(to_json(resp).into())).await
    }

    async fn send_binary(&mut self, frame: Vec<u8>) -> Flow {
        self.send(Message::Binary(frame.into())).await
    }

    /// Sends a handler's outcome: its response, or the common error response.
    async fn reply<T: Serialize>(
        &mut self,
        action: &str,
        req_id: u64,
        start: Instant,
        outcome: Result<T, ServerError>,
    ) -> Flow {
        match outcome {
            Ok(resp) => self.send_json(&resp).await,
            Err(e) => self.send_error(action, req_id, start, e).await,
        }
    }

    /// Sends the common error response.
    async fn send_error(
        &mut self,
        action: &str,
        req_id: u64,
        start: Instant,
        err: ServerError,
    ) -> Flow {
        let header =
            ResponseHeader::error(action, req_id, elapsed_ns(start), err.code, err.message);
        self.send_json(&header).await
    }
}
