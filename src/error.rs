//! The client's one error type, carrying TDengine's code where there is one.

use std::sync::Arc;
use std::time::Duration;

use taosarrow_protocol::{Code, ProtocolError};
use tokio_tungstenite::tungstenite::Error as WsError;

/// The family an error belongs to; the Python layer maps each to its exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Could not connect, authenticate, or the connection broke or timed out.
    Connection,
    /// The server rejected or failed a query (syntax, missing table, …).
    Query,
    /// A prepared-statement (stmt2) failure.
    Statement,
    /// A schemaless-write failure.
    Schemaless,
    /// A TMQ (subscription) failure.
    Tmq,
    /// Misuse of the client API or bad options (DSN, builder).
    Interface,
    /// The peer sent something that does not follow the protocol.
    Protocol,
    /// The caller cancelled the operation (e.g. a result stream's cancel handle).
    Cancelled,
    /// A blocking call interrupted by its caller (e.g. Ctrl-C).
    Interrupted,
}

/// Whether the frame of a failed request reached the socket: what a caller needs to know
/// before retrying a write. See [`Error::delivery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Delivery {
    /// The frame was never written to the socket: the request had no effect on the server,
    /// and retrying it cannot apply it twice.
    NotSent,
    /// The frame was written (or was being written) but no reply was seen: the server may or
    /// may not have executed the request.
    Unknown,
}

/// Any failure of the client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error reported by the server, with TDengine's code and message.
    #[error("[{code}] {message}")]
    Server {
        /// TDengine's code, masked to 16 bits.
        code: Code,
        /// The server's message.
        message: String,
        /// The family, chosen from the code and the request that failed.
        kind: ErrorKind,
    },
    /// A DSN or option that is malformed or unknown.
    #[error("invalid connection options: {0}")]
    Options(String),
    /// Connecting failed (after all addresses and retries).
    #[error("cannot connect to {addr} after {attempts} attempt(s): {source}")]
    Connect {
        /// The address (`host:port`) of the last attempt.
        addr: String,
        /// Why the last attempt failed.
        #[source]
        source: Box<Error>,
        /// Attempts made over all addresses.
        attempts: u32,
    },
    /// No answer within the configured time.
    #[error("{what} timed out after {after:?}")]
    Timeout {
        /// What was being waited for (`connect`, `handshake`, `response`).
        what: &'static str,
        /// The limit that expired.
        after: Duration,
    },
    /// The connection was closed (by the peer, a network failure, or `close()`).
    #[error(
        "connection closed: {reason}{}",
        .source.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
    )]
    Closed {
        /// Who or what closed it, e.g. `closed by the server`.
        reason: &'static str,
        /// The network failure that closed it, when one did (shared by every request the
        /// closed socket fails).
        #[source]
        source: Option<Arc<WsError>>,
    },
    /// A request failed before its frame was written to the socket (the connection was
    /// already closed, reconnecting failed, or its wait ended while the frame was still
    /// queued): the server never saw it. [`Error::delivery`] is [`Delivery::NotSent`]; the
    /// kind and code are those of `source`.
    #[error("request not sent: {source}")]
    NotSent {
        /// Why it was not sent.
        #[source]
        source: Box<Error>,
    },
    /// A caller-chosen `req_id` is already used by a request in flight on this connection;
    /// replies are matched by `req_id`, so a second request with it is refused (not sent).
    #[error("req_id {req_id} is already in flight on this connection")]
    ReqIdInUse {
        /// The refused request id.
        req_id: u64,
    },
    /// The server sent a WebSocket message larger than the connection's
    /// `max_message_size`; the connection is closed (nothing of the message is buffered).
    #[error("message of {size} bytes exceeds the limit of {limit} bytes (max_message_size)")]
    MessageTooLarge {
        /// The size the message announced, in bytes.
        size: usize,
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// A WebSocket failure other than a closed connection.
    #[error("websocket error: {0}")]
    WebSocket(#[source] WsError),
    /// The TLS handshake failed (certificate not trusted, name mismatch, protocol error).
    #[error("TLS error: {0}")]
    Tls(#[source] rustls::Error),
    /// A malformed message from the server.
    #[error("protocol error: {0}")]
    Protocol(#[source] ProtocolError),
    /// A result block that does not decode.
    #[error("cannot decode result block: {0}")]
    Decode(#[from] taosarrow_codec::CodecError),
    /// Arrow data that cannot be bound to a prepared statement (type mismatch, overflow,
    /// precision loss, wrong shape); raised before anything is sent.
    #[error("cannot bind: {0}")]
    Bind(#[from] taosarrow_codec::stmt2::Stmt2Error),
    /// A bulk ingest failed; says exactly which rows were written.
    #[error(transparent)]
    Ingest(Box<crate::IngestError>),
    /// A schemaless insert failed; says which lines were written, which may have been and
    /// which were never sent.
    #[error(transparent)]
    Schemaless(Box<crate::SchemalessError>),
    /// A schemaless line that does not fit in one batch (the frame limit is
    /// `schemaless_batch_bytes`, capped by `max_message_size`); raised before anything is
    /// sent.
    #[error(
        "schemaless line {line} ({bytes} bytes) does not fit in one request of at most {limit} \
         bytes (schemaless_batch_bytes)"
    )]
    SchemalessLineTooLong {
        /// Its position in the lines given, from 0.
        line: usize,
        /// Its length in bytes.
        bytes: usize,
        /// The frame limit in bytes.
        limit: usize,
    },
    /// The query was cancelled by the caller.
    #[error("query cancelled")]
    Cancelled,
    /// A blocking call interrupted by its caller (e.g. Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// API misuse (e.g. a feature not available in this build).
    #[error("{0}")]
    Interface(String),
}

impl Error {
    /// TDengine's code for server errors, or the official clients' client-side code
    /// (0xE0xx) for local failures (`overview.md` §6.3).
    pub fn code(&self) -> Option<Code> {
        match self {
            Error::Server { code, .. } => Some(*code),
            Error::Options(_) => Some(Code(0xE000)),
            Error::WebSocket(_) | Error::Tls(_) => Some(Code(0xE001)),
            Error::Closed { .. } => Some(Code(0xE002)),
            Error::Timeout { .. } => Some(Code(0xE004)),
            Error::Connect { .. } => Some(Code(0xE005)),
            Error::Protocol(_) => Some(Code(0xE007)),
            Error::MessageTooLarge { .. } => Some(Code(0xE007)),
            Error::ReqIdInUse { .. } => Some(Code::INVALID_PARA),
            Error::NotSent { source } => source.code(),
            Error::Bind(e) => e.code(),
            Error::Ingest(e) => e.source.code(),
            Error::Schemaless(e) => e.source.code(),
            Error::SchemalessLineTooLong { .. } => Some(Code::INVALID_PARA),
            _ => None,
        }
    }

    /// The error's family.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Server { kind, .. } => *kind,
            Error::Connect { .. }
            | Error::Timeout { .. }
            | Error::Closed { .. }
            | Error::MessageTooLarge { .. } => ErrorKind::Connection,
            Error::NotSent { source } => source.kind(),
            Error::ReqIdInUse { .. } => ErrorKind::Interface,
            Error::WebSocket(_) | Error::Tls(_) => ErrorKind::Connection,
            Error::Protocol(_) | Error::Decode(_) => ErrorKind::Protocol,
            Error::Options(_) | Error::Interface(_) => ErrorKind::Interface,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Interrupted => ErrorKind::Interrupted,
            Error::Bind(_) => ErrorKind::Statement,
            Error::Ingest(e) => e.source.kind(),
            Error::Schemaless(e) => e.source.kind(),
            Error::SchemalessLineTooLong { .. } => ErrorKind::Schemaless,
        }
    }

    /// Whether the request that failed reached the server, for errors of a request on an
    /// open connection:
    /// - [`Delivery::NotSent`] for [`Error::NotSent`]: the frame was never written, the
    ///   request had no effect;
    /// - [`Delivery::Unknown`] for a connection that closed ([`Error::Closed`],
    ///   [`Error::MessageTooLarge`]) or a reply that timed out ([`Error::Timeout`] of a
    ///   `response`) after the frame was written: the request may have been executed.
    ///
    /// `None` for every other error: the server answered (a [`Error::Server`] error means
    /// the request failed there), or the failure happened in the client before any request
    /// (options, binding, connecting).
    pub fn delivery(&self) -> Option<Delivery> {
        match self {
            Error::NotSent { .. } => Some(Delivery::NotSent),
            Error::Closed { .. } | Error::MessageTooLarge { .. } => Some(Delivery::Unknown),
            Error::Timeout { what, .. } if *what == "response" => Some(Delivery::Unknown),
            Error::Ingest(e) => e.source.delivery(),
            Error::Schemaless(e) => e.source.delivery(),
            _ => None,
        }
    }

    /// The server's message for server errors (also for a schemaless insert sent as one
    /// batch), else the rendered error.
    pub fn message(&self) -> String {
        match self {
            Error::Server { message, .. } => message.clone(),
            Error::Schemaless(e) if e.batches == 1 => e.source.message(),
            other => other.to_string(),
        }
    }

    /// A server error of a query or exec; authentication and connection codes are
    /// classified as [`ErrorKind::Connection`].
    pub(crate) fn server(code: Code, message: impl Into<String>) -> Error {
        let kind = classify(code);
        Error::Server {
            code,
            message: message.into(),
            kind,
        }
    }

    /// A server error of a TMQ request (always [`ErrorKind::Tmq`], whatever the code).
    pub(crate) fn server_tmq(code: Code, message: impl Into<String>) -> Error {
        Error::Server {
            code,
            message: message.into(),
            kind: ErrorKind::Tmq,
        }
    }

    /// A closed connection with no network error behind it.
    pub(crate) fn closed(reason: &'static str) -> Error {
        Error::Closed {
            reason,
            source: None,
        }
    }

    /// A connection closed by a network failure.
    pub(crate) fn closed_by(reason: &'static str, source: WsError) -> Error {
        Error::Closed {
            reason,
            source: Some(Arc::new(source)),
        }
    }

    /// A response to `action` that breaks the protocol; see
    /// [`ProtocolError::InvalidResponse`].
    pub(crate) fn invalid_response(action: &'static str, reason: impl Into<String>) -> Error {
        Error::Protocol(ProtocolError::invalid_response(action, reason))
    }

    /// A server error raised while connecting (always [`ErrorKind::Connection`]).
    pub(crate) fn server_conn(code: Code, message: impl Into<String>) -> Error {
        Error::Server {
            code,
            message: message.into(),
            kind: ErrorKind::Connection,
        }
    }
}

/// The family of a server code met on the SQL path.
pub fn classify(code: Code) -> ErrorKind {
    match code.0 {
        // RPC and connection-level codes, authentication and white list.
        0x000B | 0x0018 | 0x0019 | 0x0134 | 0x020B | 0x0213 | 0x0351 | 0x0357 => {
            ErrorKind::Connection
        }
        0x021B => ErrorKind::Schemaless,
        0x0400..=0x04FF => ErrorKind::Statement,
        0x4000..=0x40FF => ErrorKind::Tmq,
        0xFFFF => ErrorKind::Protocol,
        _ => ErrorKind::Query,
    }
}

impl From<WsError> for Error {
    /// A closed socket or an I/O failure is [`Error::Closed`]; anything else
    /// [`Error::WebSocket`].
    fn from(e: WsError) -> Self {
        match e {
            WsError::ConnectionClosed | WsError::AlreadyClosed => Error::closed_by("by peer", e),
            WsError::Io(_) => Error::closed_by("I/O error", e),
            other => Error::WebSocket(other),
        }
    }
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

impl From<taosarrow_protocol::dsn::DsnError> for Error {
    fn from(e: taosarrow_protocol::dsn::DsnError) -> Self {
        Error::Options(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    /// The chain of `source()`s below `e`, as type-checked references.
    fn chain<'a>(
        e: &'a (dyn std::error::Error + 'static),
    ) -> Vec<&'a (dyn std::error::Error + 'static)> {
        std::iter::successors(e.source(), |e| (*e).source()).collect()
    }

    #[test]
    fn variants_keep_their_sources() {
        let ws = Error::from(WsError::AttackAttempt);
        assert!(matches!(ws, Error::WebSocket(_)), "{ws:?}");
        assert!(ws
            .source()
            .and_then(|s| s.downcast_ref::<WsError>())
            .is_some());

        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let closed = Error::from(WsError::Io(io));
        let below = chain(&closed);
        assert!(
            below[0].downcast_ref::<Arc<WsError>>().is_some(),
            "{closed:?}"
        );
        assert!(
            below
                .iter()
                .any(|e| e.downcast_ref::<std::io::Error>().is_some()),
            "{closed:?}"
        );
        assert!(Error::closed("closed by the client").source().is_none());

        let tls = Error::Tls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        assert!(tls
            .source()
            .and_then(|s| s.downcast_ref::<rustls::Error>())
            .is_some());
        assert!(tls.to_string().contains("UnknownIssuer"), "{tls}");

        let protocol = Error::from(ProtocolError::NoAction);
        let source = protocol
            .source()
            .and_then(|s| s.downcast_ref::<ProtocolError>());
        assert!(
            matches!(source, Some(ProtocolError::NoAction)),
            "{protocol:?}"
        );

        let arrow = arrow_schema::ArrowError::ComputeError("boom".into());
        let decode = Error::Decode(taosarrow_codec::CodecError::from(arrow));
        let below = chain(&decode);
        assert!(below[0]
            .downcast_ref::<taosarrow_codec::CodecError>()
            .is_some());
        assert!(below[1]
            .downcast_ref::<arrow_schema::ArrowError>()
            .is_some());
        assert!(decode.to_string().contains("boom"), "{decode}");

        let connect = Error::Connect {
            addr: "h:1".into(),
            source: Box::new(protocol),
            attempts: 1,
        };
        let below = chain(&connect);
        assert!(below[0].downcast_ref::<Box<Error>>().is_some());
        assert!(below[1].downcast_ref::<ProtocolError>().is_some());
    }

    #[test]
    fn closed_text_names_the_cause() {
        let io = std::io::Error::other("reset by test");
        let e = Error::closed_by("connection lost", WsError::Io(io));
        let text = e.to_string();
        assert!(
            text.starts_with("connection closed: connection lost: "),
            "{text}"
        );
        assert!(text.contains("reset by test"), "{text}");
        assert_eq!(
            Error::closed("by peer").to_string(),
            "connection closed: by peer"
        );
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert_eq!(e.code(), Some(Code(0xE002)));
    }
}
