//! The accept loop: one task per TCP connection, WebSocket upgrade on `/ws` only.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

use crate::conn::{Connection, Shared};

/// How long a client may take to complete the HTTP upgrade.
const UPGRADE_TIMEOUT: Duration = Duration::from_secs(30);

/// Accepts connections until the task is dropped; dropping it drops every connection.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(handle(stream, Arc::clone(&shared)));
                }
                // Out of descriptors and the like: back off briefly and keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Only `/ws` is upgraded; any other path is answered 404.
#[allow(clippy::result_large_err)]
fn check_path(req: &Request, resp: Response) -> Result<Response, ErrorResponse> {
    if req.uri().path() == "/ws" {
        return Ok(resp);
    }
    let mut not_found = ErrorResponse::new(Some("404 page not found".to_owned()));
    *not_found.status_mut() = StatusCode::NOT_FOUND;
    Err(not_found)
}

async fn handle(stream: TcpStream, shared: Arc<Shared>) {
    // Small request/response frames: latency matters more than packet count.
    let _ = stream.set_nodelay(true);
    if shared.config.faults.stall {
        return hold(stream).await;
    }
    let upgrade = tokio_tungstenite::accept_hdr_async(stream, check_path);
    let ws = match tokio::time::timeout(UPGRADE_TIMEOUT, upgrade).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(_)) | Err(_) => return,
    };
    Connection::new(shared, ws).run().await
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
