//! Opening a socket: address order, retries with backoff, the upgrade and the
//! `version`/`conn` handshake, all under `connect_timeout` (`overview.md` §3, §9).

use futures_util::{SinkExt, StreamExt};
use taosarrow_protocol::dsn::{percent_encode, Address, DEFAULT_PASSWORD, DEFAULT_USER};
use taosarrow_protocol::messages::{
    from_json, peek_header, ConnRequest, ConnResponse, ReqIdArgs, Request,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::error::{TlsError, UrlError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use crate::socket::check_header;
use crate::{ConnectOptions, Error};

/// The socket type of a connection: plain TCP for `ws`, rustls for `wss`.
pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The connector string sent in `conn` and `subscribe`.
pub(crate) const CONNECTOR: &str = concat!("taosarrow-rs-v", env!("CARGO_PKG_VERSION"));

/// Outcome of one attempt: retry the same address, or give up on it.
enum Attempt {
    Retry(Error),
    NextAddress(Error),
}

/// The WebSocket endpoint a socket is opened on, and the handshake it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/ws`: `version`, then `conn` with the credentials (`overview.md` §3).
    Sql,
    /// `/rest/tmq`: `version` only; credentials travel in `subscribe` (`tmq.md` §1).
    Tmq,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Sql => "/ws",
            Endpoint::Tmq => "/rest/tmq",
        }
    }
}

/// Connects to `/ws` with failover and retries; returns the socket and its address.
pub(crate) async fn connect(opts: &ConnectOptions) -> Result<(Ws, String), Error> {
    connect_to(opts, Endpoint::Sql).await
}

/// Connects to `endpoint` with failover and retries; returns the socket and its address.
pub(crate) async fn connect_to(
    opts: &ConnectOptions,
    endpoint: Endpoint,
) -> Result<(Ws, String), Error> {
    // Built once per connect; a bad custom CA fails before any network traffic.
    let tls = if opts.tls {
        Some(Connector::Rustls(crate::tls::client_config(
            opts.ca_pem.as_deref(),
        )?))
    } else {
        None
    };
    if opts.compression {
        tracing::warn!(
            "compression requested, but the WebSocket library has no permessage-deflate: \
             connecting uncompressed"
        );
    }
    let n = opts.addresses.len();
    let start = if n > 1 { rand::random_range(0..n) } else { 0 };
    let mut attempts = 0u32;
    let mut last: Option<(String, Error)> = None;
    for i in 0..n {
        let addr = &opts.addresses[(start + i) % n];
        let addr_text = addr.to_string();
        for attempt in 0..=opts.conn_retries {
            if attempt > 0 {
                tokio::time::sleep(opts.backoff(attempt - 1)).await;
            }
            attempts += 1;
            match one_attempt(opts, addr, tls.clone(), endpoint).await {
                Ok(ws) => return Ok((ws, addr_text)),
                Err(Attempt::Retry(e)) => {
                    tracing::debug!(addr = %addr_text, attempt, error = %e, "connect attempt failed");
                    last = Some((addr_text.clone(), e));
                }
                Err(Attempt::NextAddress(e)) => {
                    last = Some((addr_text.clone(), e));
                    break;
                }
            }
        }
    }
    Err(match last {
        Some((_, e @ (Error::Server { .. } | Error::Tls(_)))) => e,
        Some((addr, e)) => Error::Connect {
            addr,
            source: Box::new(e),
            attempts,
        },
        None => Error::Options("no address to connect to".into()),
    })
}

async fn one_attempt(
    opts: &ConnectOptions,
    addr: &Address,
    tls: Option<Connector>,
    endpoint: Endpoint,
) -> Result<Ws, Attempt> {
    let t = opts.connect_timeout;
    match tokio::time::timeout(t, open(opts, addr, tls, endpoint)).await {
        Ok(r) => r,
        Err(_) => Err(Attempt::Retry(Error::Timeout {
            what: "connect",
            after: t,
        })),
    }
}

async fn open(
    opts: &ConnectOptions,
    addr: &Address,
    tls: Option<Connector>,
    endpoint: Endpoint,
) -> Result<Ws, Attempt> {
    let port = port_of(addr, tls.is_some());
    let host = addr.host.trim_start_matches('[').trim_end_matches(']');
    let tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| Attempt::Retry(Error::closed_by("TCP connect failed", WsError::Io(e))))?;
    tcp.set_nodelay(opts.tcp_nodelay)
        .map_err(|e| Attempt::Retry(Error::closed_by("cannot set TCP_NODELAY", WsError::Io(e))))?;
    let scheme = if tls.is_some() { "wss" } else { "ws" };
    let mut url = format!("{scheme}://{}:{port}{}", addr.host, endpoint.path());
    if let Some(token) = &opts.token {
        url.push_str("?token=");
        url.push_str(&percent_encode(token));
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(opts.max_message_size))
        .max_frame_size(Some(opts.max_message_size));
    let (mut ws, _) = tokio_tungstenite::client_async_tls_with_config(url, tcp, Some(config), tls)
        .await
        .map_err(|e| upgrade_error(e, opts))?;
    match endpoint {
        Endpoint::Sql => handshake(&mut ws, opts).await?,
        Endpoint::Tmq => version(&mut ws).await?,
    }
    Ok(ws)
}

/// The port to dial: the address's, else the scheme's default (443 for `wss`, 80 for `ws`).
fn port_of(addr: &Address, tls: bool) -> u16 {
    addr.port.unwrap_or(if tls { 443 } else { 80 })
}

/// A failed TLS handshake or upgrade. Certificate and TLS protocol failures will not heal by
/// retrying the same address; I/O failures may.
fn upgrade_error(e: WsError, opts: &ConnectOptions) -> Attempt {
    match e {
        WsError::Tls(TlsError::Rustls(tls)) => Attempt::NextAddress(Error::Tls(*tls)),
        // The host is not a valid DNS name: no retry will change that.
        WsError::Tls(other) => Attempt::NextAddress(Error::WebSocket(WsError::Tls(other))),
        // rustls reports certificate failures through the I/O error of the stream.
        WsError::Io(io) => match rustls_cause(io) {
            Ok(tls) => Attempt::NextAddress(Error::Tls(tls)),
            Err(io) => Attempt::Retry(Error::closed_by("I/O error", WsError::Io(io))),
        },
        WsError::Url(UrlError::UnableToConnect(url)) => Attempt::Retry(Error::WebSocket(
            WsError::Url(UrlError::UnableToConnect(redact_token(&url, opts))),
        )),
        other => Attempt::Retry(Error::WebSocket(other)),
    }
}

/// The rustls error inside an I/O error of a TLS stream, or the I/O error itself.
fn rustls_cause(io: std::io::Error) -> Result<rustls::Error, std::io::Error> {
    if !io
        .get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
    {
        return Err(io);
    }
    let kind = io.kind();
    match io
        .into_inner()
        .map(|inner| inner.downcast::<rustls::Error>())
    {
        Some(Ok(tls)) => Ok(*tls),
        Some(Err(inner)) => Err(std::io::Error::new(kind, inner)),
        None => Err(std::io::Error::from(kind)),
    }
}

fn redact_token(msg: &str, opts: &ConnectOptions) -> String {
    match &opts.token {
        Some(t) if !t.is_empty() => msg
            .replace(&percent_encode(t), "***")
            .replace(t.as_str(), "***"),
        _ => msg.to_owned(),
    }
}

/// Reads the next text frame, answering pings.
async fn next_text(ws: &mut Ws) -> Result<String, Attempt> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => return Ok(t.as_str().to_owned()),
            Some(Ok(Message::Ping(p))) => {
                ws.send(Message::Pong(p))
                    .await
                    .map_err(|e| Attempt::Retry(e.into()))?;
            }
            Some(Ok(Message::Close(_))) | None => {
                return Err(Attempt::Retry(Error::closed("closed during the handshake")))
            }
            Some(Ok(_)) => {
                return Err(Attempt::NextAddress(Error::invalid_response(
                    "handshake",
                    "an unexpected binary frame",
                )))
            }
            Some(Err(e)) => return Err(Attempt::Retry(e.into())),
        }
    }
}

/// Sends `version` and checks its reply.
async fn version(ws: &mut Ws) -> Result<(), Attempt> {
    ws.send(Message::text(
        Request::Version(ReqIdArgs::default()).to_json(),
    ))
    .await
    .map_err(|e| Attempt::Retry(e.into()))?;
    let text = next_text(ws).await?;
    let h = peek_header(text.as_bytes()).map_err(|e| Attempt::NextAddress(e.into()))?;
    check_header(&h, Error::server_conn).map_err(Attempt::NextAddress)
}

async fn handshake(ws: &mut Ws, opts: &ConnectOptions) -> Result<(), Attempt> {
    let send = |e: WsError| Attempt::Retry(e.into());
    version(ws).await?;
    let (user, password) = if opts.token.is_some() {
        (DEFAULT_USER.to_owned(), DEFAULT_PASSWORD.to_owned())
    } else {
        (opts.user.clone(), opts.password.clone())
    };
    let conn = ConnRequest {
        req_id: 1,
        user,
        password,
        db: Some(opts.database.clone().unwrap_or_default()),
        tz: opts.timezone.as_deref().map(str::to_owned),
        connector: Some(CONNECTOR.into()),
        // DSN `conn_mode=1` asks for BI mode, which the server knows as mode 0.
        mode: opts.conn_mode.filter(|m| *m == 1).map(|_| 0),
        app: opts.user_app.clone(),
        ip: opts.user_ip.clone(),
        totp_code: opts.totp_code.clone(),
        bearer_token: opts.bearer_token.clone(),
        ..ConnRequest::default()
    };
    ws.send(Message::text(Request::Conn(Box::new(conn)).to_json()))
        .await
        .map_err(send)?;
    loop {
        let text = next_text(ws).await?;
        let h = peek_header(text.as_bytes()).map_err(|e| Attempt::NextAddress(e.into()))?;
        match h.action.as_str() {
            "version" => continue,
            "conn" => {}
            other => {
                return Err(Attempt::NextAddress(Error::invalid_response(
                    "conn",
                    format!("an unexpected `{other}` reply"),
                )))
            }
        }
        check_header(&h, Error::server_conn).map_err(Attempt::NextAddress)?;
        let _: ConnResponse =
            from_json("conn", text.as_bytes()).map_err(|e| Attempt::NextAddress(e.into()))?;
        return Ok(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_port_is_the_scheme_default() {
        let bare = Address {
            host: "example.com".into(),
            port: None,
        };
        assert_eq!(port_of(&bare, true), 443);
        assert_eq!(port_of(&bare, false), 80);
        let given = Address {
            host: "example.com".into(),
            port: Some(6041),
        };
        assert_eq!(port_of(&given, true), 6041);
    }
}
