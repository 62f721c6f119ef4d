//! The client's one error type, carrying TDengine's code where there is one.

use std::time::Duration;

use taosarrow_protocol::Code;

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
    #[error("cannot connect to {addr} after {attempts} attempt(s): {reason}")]
    Connect {
        /// The address (`host:port`) of the last attempt.
        addr: String,
        /// Why the last attempt failed.
        reason: String,
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
    #[error("connection closed: {0}")]
    Closed(String),
    /// A WebSocket or I/O failure.
    #[error("websocket error: {0}")]
    WebSocket(String),
    /// The TLS handshake failed (certificate not trusted, name mismatch, protocol error).
    #[error("TLS error: {0}")]
    Tls(String),
    /// A malformed message from the server.
    #[error("protocol error: {0}")]
    Protocol(String),
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
            Error::Closed(_) => Some(Code(0xE002)),
            Error::Timeout { .. } => Some(Code(0xE004)),
            Error::Connect { .. } => Some(Code(0xE005)),
            Error::Protocol(_) => Some(Code(0xE007)),
            Error::Bind(e) => e.code(),
            Error::Ingest(e) => e.source.code(),
            _ => None,
        }
    }

    /// The error's family.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Server { kind, .. } => *kind,
            Error::Connect { .. } | Error::Timeout { .. } | Error::Closed(_) => {
                ErrorKind::Connection
            }
            Error::WebSocket(_) | Error::Tls(_) => ErrorKind::Connection,
            Error::Protocol(_) | Error::Decode(_) => ErrorKind::Protocol,
            Error::Options(_) | Error::Interface(_) => ErrorKind::Interface,
            Error::Cancelled | Error::Interrupted => ErrorKind::Query,
            Error::Bind(_) => ErrorKind::Statement,
            Error::Ingest(e) => e.source.kind(),
        }
    }

    /// The server's message for server errors, else the rendered error.
    pub fn message(&self) -> String {
        match self {
            Error::Server { message, .. } => message.clone(),
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

impl From<tokio_tungstenite::tungstenite::Error> for Error {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> Self {
        use tokio_tungstenite::tungstenite::Error as W;
        match e {
            W::ConnectionClosed | W::AlreadyClosed => Error::Closed("by peer".into()),
            W::Io(io) => Error::Closed(io.to_string()),
            other => Error::WebSocket(other.to_string()),
        }
    }
}

impl From<taosarrow_protocol::ProtocolError> for Error {
    fn from(e: taosarrow_protocol::ProtocolError) -> Self {
        Error::Protocol(e.to_string())
    }
}

impl From<taosarrow_protocol::dsn::DsnError> for Error {
    fn from(e: taosarrow_protocol::dsn::DsnError) -> Self {
        Error::Options(e.to_string())
    }
}
