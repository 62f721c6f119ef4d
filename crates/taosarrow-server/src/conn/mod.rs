//! One WebSocket connection: reads frames, answers them in order, pings, injects faults.

mod binary;
mod blocks;
mod fetch;
mod query;
mod results;
mod schemaless;
mod statements;
mod stmt1;
mod stmt1_values;
mod text;
mod tmq;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::time::{interval_at, timeout_at, Instant as TokioInstant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use taosarrow_protocol::messages::{to_json, ResponseHeader};

use crate::engine::peers::{PeerGuard, PeerOptions};
use crate::engine::{Engine, Session};
use crate::{ServerConfig, ServerError};
use results::Results;
use statements::Statements;

/// Ping period after `conn` (taosAdapter: 54 s).
const PING_PERIOD: Duration = Duration::from_secs(54);

/// What every connection of one server shares.
pub(crate) struct Shared {
    pub engine: Engine,
    pub config: ServerConfig,
    /// Results opened and not yet freed, over all connections.
    pub open_results: Arc<std::sync::atomic::AtomicUsize>,
    /// Connections accepted so far (faults limited to the first one use it).
    pub accepted: std::sync::atomic::AtomicU64,
    /// Connections being served (refused ones not counted).
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
}

impl Shared {
    pub fn new(engine: Engine, config: ServerConfig) -> Self {
        Shared {
            engine,
            config,
            open_results: Arc::default(),
            accepted: Default::default(),
            connections: Arc::default(),
        }
    }
}

/// Sends one frame within `limit`; false when the socket failed or the peer did not take the
/// frame in time (a peer that stopped reading).
pub(crate) async fn send_within<S>(ws: &mut S, msg: Message, limit: Duration) -> bool
where
    S: futures_util::Sink<Message> + Unpin,
{
    matches!(tokio::time::timeout(limit, ws.send(msg)).await, Ok(Ok(())))
}

/// Closes with code 1009 (message too big), telling the peer the limit, within `limit`.
async fn close_too_big(ws: &mut WebSocketStream<TcpStream>, max: usize, limit: Duration) {
    let frame = CloseFrame {
        code: CloseCode::Size,
        reason: format!("message larger than the server's limit of {max} bytes").into(),
    };
    let _ = tokio::time::timeout(limit, ws.close(Some(frame))).await;
}

/// Whether to keep serving after a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Close,
}

/// The path a connection was upgraded on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Endpoint {
    /// `/ws`: every action.
    #[default]
    Ws,
    /// `/rest/schemaless`, the legacy endpoint: `version`, `conn` and `insert` only.
    Schemaless,
    /// `/rest/tmq`: one TMQ consumer (`tmq.md`).
    Tmq,
}

/// The state of one connection.
pub(crate) struct Connection {
    shared: Arc<Shared>,
    ws: WebSocketStream<TcpStream>,
    /// The path it was upgraded on.
    endpoint: Endpoint,
    /// Set by a successful `conn`.
    session: Option<Session>,
    user: String,
    results: Results,
    statements: Statements,
    frames_sent: u64,
    /// The frame this connection loses instead of sending (`FaultConfig::lose_reply`).
    lose_reply: Option<u64>,
    /// The consumer of a `/rest/tmq` connection.
    tmq: Option<tmq::TmqState>,
    /// `ip:port` the client connected from.
    addr: String,
    /// The connection as SHOW CONNECTIONS lists it, once logged in.
    peer: Option<PeerGuard>,
}

fn elapsed_ns(start: Instant) -> i64 {
    i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX)
}

impl Connection {
    pub fn new(
        shared: Arc<Shared>,
        ws: WebSocketStream<TcpStream>,
        endpoint: Endpoint,
        addr: String,
    ) -> Self {
        let config = &shared.config;
        let results = Results::new(Arc::clone(&shared.open_results), config.max_results);
        let bind_limit = statements::Bound {
            rows: config.max_bind_rows,
            bytes: config.max_bind_bytes,
        };
        let statements = Statements::new(config.max_statements, bind_limit);
        let first = shared
            .accepted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            == 0;
        let lose_reply = shared.config.faults.lose_reply.filter(|_| first);
        Connection {
            shared,
            ws,
            endpoint,
            session: None,
            user: String::new(),
            results,
            statements,
            frames_sent: 0,
            lose_reply,
            tmq: None,
            addr,
            peer: None,
        }
    }

    /// Lists the logged-in connection (SHOW CONNECTIONS) with what the client said about
    /// itself, and its session's statements under it.
    fn register_peer(&mut self, options: PeerOptions) {
        let engine = &self.shared.engine;
        let guard = engine.peers().register(&self.user, &self.addr);
        guard.peer().update_options(|o| *o = options);
        if let Some(s) = self.session.as_mut() {
            s.set_peer(Some(Arc::clone(guard.peer())));
        }
        self.peer = Some(guard);
    }

    /// Serves until the client leaves, the socket fails, a reply cannot be written within the
    /// write timeout, the login or idle timeout passes, a message exceeds the size limit or a
    /// fault drops the connection. Dropping the connection frees all its results and
    /// statements.
    pub async fn run(mut self) {
        let config = &self.shared.config;
        let (idle, write, max_message) = (
            config.idle_timeout,
            config.write_timeout,
            config.max_message_bytes,
        );
        // Until `conn` succeeds only the login deadline counts: requests do not extend it.
        let mut deadline = TokioInstant::now() + config.login_timeout;
        let mut ping = interval_at(TokioInstant::now() + PING_PERIOD, PING_PERIOD);
        loop {
            let peer = self.peer.as_ref().map(|p| Arc::clone(p.peer()));
            let killed = async {
                match &peer {
                    Some(p) => p.killed().await,
                    None => std::future::pending().await,
                }
            };
            let next = tokio::select! {
                // KILL CONNECTION: the connection closes, as a killed TDengine client's does.
                () = killed => return,
                _ = ping.tick(), if self.session.is_some() => {
                    if !send_within(&mut self.ws, Message::Ping(Vec::new().into()), write).await {
                        return;
                    }
                    continue;
                }
                (req_id, start, out) = tmq::pending_poll(&mut self.tmq) => {
                    if self.tmq_poll_done(req_id, start, out).await == Flow::Close {
                        return;
                    }
                    continue;
                }
                next = timeout_at(deadline, self.ws.next()) => next,
            };
            let msg = match next {
                Ok(Some(Ok(msg))) => msg,
                Ok(Some(Err(WsError::Capacity(_)))) => {
                    return close_too_big(&mut self.ws, max_message, write).await
                }
                // Login or idle timeout, end of stream or a socket/protocol error.
                Err(_) | Ok(None) | Ok(Some(Err(_))) => return,
            };
            // A client's keep-alive Ping (the official clients send one every 29 s) counts.
            let activity = matches!(
                msg,
                Message::Text(_) | Message::Binary(_) | Message::Ping(_) | Message::Pong(_)
            );
            let flow = match msg {
                Message::Text(t) if self.endpoint == Endpoint::Tmq => {
                    self.on_tmq_text(t.as_bytes()).await
                }
                Message::Text(t) => self.on_text(t.as_bytes()).await,
                // `/rest/tmq` has no binary requests.
                Message::Binary(_) if self.endpoint == Endpoint::Tmq => Flow::Continue,
                Message::Binary(b) => self.on_binary(&b).await,
                Message::Pong(_) => Flow::Continue,
                // Pings are answered by the WebSocket layer; a Close is answered by it too,
                // after which the stream ends.
                Message::Ping(_) | Message::Close(_) | Message::Frame(_) => Flow::Continue,
            };
            if flow == Flow::Close {
                return;
            }
            // Once logged in, data, pings and pongs keep the connection alive.
            if activity && self.session.is_some() {
                deadline = TokioInstant::now() + idle;
                if let Some(p) = &self.peer {
                    p.peer().touch();
                }
            }
        }
    }

    /// Sends one frame, after the configured delay; `Close` when the socket failed, the peer
    /// did not take the frame within the write timeout, or the frame budget of
    /// `drop_after_frames` is spent. Once `withhold_after_frames` frames were sent, frames are
    /// silently not sent.
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
        let write = self.shared.config.write_timeout;
        if !send_within(&mut self.ws, msg, write).await {
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
