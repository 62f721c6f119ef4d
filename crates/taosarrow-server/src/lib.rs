//! An embedded, in-memory, TDengine-compatible server speaking taosAdapter's WebSocket protocol.
//!
//! [`LocalServer`] binds a local port (any free one by default) and serves `/ws`: the
//! `version`/`conn` handshake, SQL through the [`engine`], results in raw blocks of at most
//! [`ServerConfig::block_rows`] rows over all three fetch paths, and TDengine's error codes.
//! [`FaultConfig`] injects faults for reliability tests.
//!
//! Writes are atomic: one INSERT statement or one stmt2 exec is applied to all its tables or,
//! if any of them fails, to none, and a query sees each write whole or not at all (see
//! [`engine::commit`]). Since a row with a stored timestamp overwrites it, sending the same
//! write twice stores what sending it once does, so a client may re-send a write whose
//! outcome it did not see. Queries share one memory pool of [`ServerConfig::memory_limit`]
//! bytes; one that needs more fails with `Out of Memory` (0x0102).
#![warn(missing_docs)]

pub mod config;
mod conn;
pub mod engine;
pub mod error;
pub mod fuzzing;
pub mod local;
mod server;

pub use config::{
    FaultConfig, ServerConfig, DEFAULT_BLOCK_ROWS, DEFAULT_MEMORY_LIMIT, SERVER_VERSION,
};
pub use error::ServerError;
pub use local::{LocalServer, ServerStartError};
