//! An embedded, in-memory, TDengine-compatible server speaking taosAdapter's WebSocket protocol.
//!
//! [`LocalServer`] binds a local port (any free one by default) and serves `/ws`: the
//! `version`/`conn` handshake, SQL through the [`engine`], results in raw blocks of at most
//! [`ServerConfig::block_rows`] rows over all three fetch paths, and TDengine's error codes.
//! [`FaultConfig`] injects faults for reliability tests.
#![warn(missing_docs)]

pub mod config;
mod conn;
pub mod engine;
pub mod error;
pub mod local;
mod server;

pub use config::{
    FaultConfig, ServerConfig, DEFAULT_BLOCK_ROWS, DEFAULT_MEMORY_LIMIT, SERVER_VERSION,
};
pub use error::ServerError;
pub use local::{LocalServer, ServerStartError};
