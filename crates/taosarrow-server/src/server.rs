//! The accept loop: one task per TCP connection, WebSocket upgrade on `/ws` only, at most
//! [`crate::ServerConfig::max_connections`] served at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use taosarrow_protocol::messages::{to_json, RequestHead, ResponseHeader};
use taosarrow_protocol::Code;

use crate::conn::{send_within, Connection, Endpoint, Shared};

/// How long a client may take to complete the HTTP upgrade.
const UPGRADE_TIMEOUT: Duration = Duration::from_secs(30);

/// Accepts connections until the task is dropped; dropping it drops every connection.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let max = shared.config.max_connections.min(Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    // Refusing takes a short exchange; at most as many refusals as slots run at once, more
    // clients are disconnected without one.
    let refusals = Arc::new(Semaphore::new(max.max(1)));
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match Arc::clone(&slots).try_acquire_owned() {
                    Ok(slot) => {
                        conns.spawn(handle(stream, Arc::clone(&shared), slot));
                    }
                    Err(_) => {
                        if let Ok(permit) = Arc::clone(&refusals).try_acquire_owned() {
                            conns.spawn(refuse(stream, Arc::clone(&shared), permit));
                        }
                    }
                },
                // Out of descriptors and the like: back off briefly and keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// The endpoint of an upgrade path: `/ws`, `/rest/tmq` and the legacy `/rest/schemaless`; any
/// other path is answered 404.
#[allow(clippy::result_large_err)]
fn check_path(req: &Request) -> Result<Endpoint, ErrorResponse> {
    match req.uri().path() {
        "/ws" => Ok(Endpoint::Ws),
        "/rest/schemaless" => Ok(Endpoint::Schemaless),
        "/rest/tmq" => Ok(Endpoint::Tmq),
        _ => {
            let mut not_found = ErrorResponse::new(Some("404 page not found".to_owned()));
            *not_found.status_mut() = StatusCode::NOT_FOUND;
            Err(not_found)
        }
    }
}

/// The WebSocket limits: no message or frame above `max_message_bytes` is read.
fn ws_config(shared: &Shared) -> WebSocketConfig {
    let max = shared.config.max_message_bytes;
    WebSocketConfig::default()
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
}

async fn upgrade(
    stream: TcpStream,
    shared: &Shared,
) -> Option<(WebSocketStream<TcpStream>, Endpoint)> {
    // Small request/response frames: latency matters more than packet count.
    let _ = stream.set_nodelay(true);
    let mut endpoint = Endpoint::Ws;
    // tungstenite's callback type fixes the error type (an HTTP response).
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| {
        endpoint = check_path(req)?;
        Ok(resp)
    };
    let upgrade =
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(ws_config(shared)));
    match tokio::time::timeout(UPGRADE_TIMEOUT, upgrade).await {
        Ok(Ok(ws)) => Some((ws, endpoint)),
        Ok(Err(_)) | Err(_) => None,
    }
}

/// Serves one connection, holding its `slot` until it ends.
async fn handle(stream: TcpStream, shared: Arc<Shared>, slot: OwnedSemaphorePermit) {
    if shared.config.faults.stall {
        return hold(stream).await;
    }
    let addr = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let Some((ws, endpoint)) = upgrade(stream, &shared).await else {
        return;
    };
    let _counted = Counted::new(&shared.connections);
    Connection::new(Arc::clone(&shared), ws, endpoint, addr)
        .run()
        .await;
    drop(slot);
}

/// One served connection in [`Shared::connections`], for as long as it lives.
struct Counted<'a>(&'a AtomicUsize);

impl<'a> Counted<'a> {
    fn new(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Counted(counter)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A client beyond `max_connections`: its first request is answered with
/// `TSDB_CODE_RPC_MAX_SESSIONS`, then the connection is closed (code 1013, try again later).
/// A client that sends nothing is closed after the login timeout.
async fn refuse(stream: TcpStream, shared: Arc<Shared>, permit: OwnedSemaphorePermit) {
    let Some((mut ws, _)) = upgrade(stream, &shared).await else {
        return;
    };
    let config = &shared.config;
    let message = format!(
        "too many connections: the server serves at most {}",
        config.max_connections
    );
    let first = tokio::time::timeout(config.login_timeout, ws.next()).await;
    if let Ok(Some(Ok(Message::Text(text)))) = first {
        let head = RequestHead::parse(text.as_bytes()).ok();
        let (action, req_id) = head.map_or((String::new(), 0), |h| (h.action, h.req_id));
        let header =
            ResponseHeader::error(&action, req_id, 0, Code::RPC_MAX_SESSIONS, message.clone());
        let reply = Message::Text(to_json(&header).into());
        if !send_within(&mut ws, reply, config.write_timeout).await {
            return;
        }
    }
    let frame = CloseFrame {
        code: CloseCode::Again,
        reason: message.into(),
    };
    let _ = tokio::time::timeout(config.write_timeout, ws.close(Some(frame))).await;
    drop(permit);
}

/// The stall fault: read and discard everything, answer nothing, until the client leaves.
async fn hold(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}
