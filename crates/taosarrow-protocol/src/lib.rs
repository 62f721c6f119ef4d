//! TDengine's WebSocket protocol as data: type codes, precisions, JSON messages, binary frame
//! layouts, action codes, error codes, the DSN grammar and hex text.
//!
//! This crate does no I/O and knows nothing of Arrow; the codec and the client build on it.
#![warn(missing_docs)]

pub mod codes;
pub mod dsn;
pub mod error;
pub mod frames;
pub mod hex;
pub mod messages;
pub mod types;

pub use codes::Code;
pub use error::ProtocolError;
pub use types::{Precision, TdType, UnknownPrecision, UnknownTypeCode};
