//! The protocol crate's error: malformed JSON requests and binary frames.
//!
//! Where taosAdapter answers a malformed request with a fixed text (`overview.md` §4–§5,
//! `sql.md` §3 and §6), [`ProtocolError`]'s `Display` is exactly that text, so a server can
//! send `err.to_string()` with code [`Code::ADAPTER_PROTOCOL`](crate::Code::ADAPTER_PROTOCOL).

/// A request or frame that cannot be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The text frame is not a JSON object with an optional `action` and `args`.
    #[error("unmarshal request error")]
    Unmarshal(#[source] serde_json::Error),
    /// The JSON request has no `action`.
    #[error("request no action")]
    NoAction,
    /// The JSON request names an action this crate does not know.
    #[error("unknown action {0}")]
    UnknownAction(String),
    /// The `args` of a known action do not fit its request type.
    #[error("unmarshal {action} request error")]
    BadArgs {
        /// The request's action.
        action: String,
        /// The `req_id` found in `args`, or 0.
        req_id: u64,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// A JSON response that does not deserialize into the expected type.
    #[error("invalid {action} response: {source}")]
    BadResponse {
        /// The expected action.
        action: &'static str,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// A response that decodes but breaks the protocol: a binary frame where JSON was due
    /// (or the reverse), a negative count, field arrays of the wrong length, an unknown type
    /// or precision code.
    #[error("invalid {action} response: {reason}")]
    InvalidResponse {
        /// The request it answers (or `handshake`).
        action: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A binary frame shorter than its fixed part.
    #[error("message length is too short")]
    TooShort {
        /// What was being decoded.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        got: usize,
    },
    /// A binary query (or validate_sql) frame with a version other than 1.
    #[error("unknown binary query version:{0}")]
    UnknownQueryVersion(u16),
    /// A fetch_raw_block request or response with a version other than 1.
    #[error("unknown fetch raw block version")]
    UnknownFetchVersion(u16),
    /// A binary query whose SQL is shorter than its declared length.
    #[error("uncompleted message, sql length:{sql_len}, remainMessageLength:{remain}")]
    Uncompleted {
        /// The declared SQL length.
        sql_len: u32,
        /// The bytes actually left.
        remain: usize,
    },
    /// Text that must be UTF-8 is not.
    #[error("{what} is not valid UTF-8")]
    InvalidUtf8 {
        /// Which text.
        what: &'static str,
    },
    /// A binary frame whose action code is not the one expected here.
    #[error("unexpected binary action {got}, expected {expected}")]
    UnexpectedAction {
        /// The expected action code.
        expected: u64,
        /// The action code found.
        got: u64,
    },
    /// A fetch_raw_block response whose `finished` byte is neither 0 nor 1.
    #[error("invalid finished flag {0}")]
    InvalidFinished(u8),
    /// A fetch_raw_block error response whose code is not 0 but has no TDengine code in its
    /// low 16 bits (it would read as success).
    #[error("invalid error code {0:#x} in a fetch_raw_block response")]
    InvalidErrorCode(u32),
    /// A length that does not fit in the frame's u32 field.
    #[error("{what} of {len} bytes does not fit in a u32 length")]
    TooLong {
        /// Which field.
        what: &'static str,
        /// Its length.
        len: usize,
    },
}

impl ProtocolError {
    /// An [`InvalidResponse`](ProtocolError::InvalidResponse) to `action`.
    pub fn invalid_response(action: &'static str, reason: impl Into<String>) -> Self {
        ProtocolError::InvalidResponse {
            action,
            reason: reason.into(),
        }
    }
}
