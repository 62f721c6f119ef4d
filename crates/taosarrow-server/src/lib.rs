//! An embedded, in-memory, TDengine-compatible server speaking taosAdapter's WebSocket protocol.
#![warn(missing_docs)]

pub mod engine;
pub mod error;

pub use error::ServerError;
