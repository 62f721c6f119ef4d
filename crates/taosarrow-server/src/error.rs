//! The server's error: a TDengine code and the message sent to the client.

use taosarrow_protocol::Code;

/// An error answered to a client: TDengine's 16-bit code and its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[{code}] {message}")]
pub struct ServerError {
    /// The TDengine error code sent on the wire.
    pub code: Code,
    /// The message sent on the wire.
    pub message: String,
}

impl ServerError {
    /// An error with an explicit message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ServerError {
            code,
            message: message.into(),
        }
    }

    /// An error with TDengine's built-in message for `code`.
    pub fn from_code(code: Code) -> Self {
        let message = code.default_message().unwrap_or("error").to_owned();
        ServerError { code, message }
    }

    /// `syntax error near "<rest>"`, TDengine's parser error (0x2600).
    pub fn syntax(near: impl AsRef<str>) -> Self {
        ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            format!("syntax error near \"{}\"", near.as_ref()),
        )
    }

    /// A failure inside the server (`Internal error`, 0x02FF) with the text of what failed
    /// underneath, usually an Arrow or DataFusion error.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ServerError::new(Code::TSC_INTERNAL_ERROR, e.to_string())
    }

    /// taosAdapter's own protocol failure (0xFFFF) with its message, e.g. `server not connected`.
    pub fn protocol(message: impl Into<String>) -> Self {
        ServerError::new(Code::ADAPTER_PROTOCOL, message)
    }
}

impl From<taosarrow_protocol::ProtocolError> for ServerError {
    /// A malformed request: code 0xFFFF with taosAdapter's text for it.
    fn from(e: taosarrow_protocol::ProtocolError) -> Self {
        ServerError::protocol(e.to_string())
    }
}
