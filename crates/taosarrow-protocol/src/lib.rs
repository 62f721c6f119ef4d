//! TDengine's WebSocket protocol as data: the type table, precisions and time units, JSON
//! messages, binary frame layouts and their little-endian wire primitives, action codes, error
//! codes, the DSN grammar, SQL quoting, hex text and schemaless writing's enumerations.
//!
//! This crate does no I/O and knows nothing of Arrow; the codec and the client build on it.
#![warn(missing_docs)]

pub mod codes;
pub mod dsn;
pub mod error;
pub mod frames;
pub mod fuzzing;
pub mod hex;
pub mod messages;
pub mod quote;
pub mod schemaless;
pub mod time;
pub mod types;
pub mod wire;

pub use codes::Code;
pub use error::ProtocolError;
pub use quote::{quote_ident, quote_literal};
pub use time::{DurationUnit, Precision, TickUnit, UnknownPrecision};
pub use types::{TdType, TypeGroup, UnknownTypeCode};
