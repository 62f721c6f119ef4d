//! TDengine's WebSocket protocol as data: the type table, precisions, JSON messages, binary
//! frame layouts and their little-endian wire primitives, action codes, error codes and the
//! DSN grammar.
//!
//! This crate does no I/O and knows nothing of Arrow; the codec and the client build on it.
#![warn(missing_docs)]

pub mod codes;
pub mod dsn;
pub mod error;
pub mod frames;
pub mod messages;
pub mod types;
pub mod wire;

pub use codes::Code;
pub use error::ProtocolError;
pub use types::{Precision, TdType, TypeGroup, UnknownPrecision, UnknownTypeCode};
