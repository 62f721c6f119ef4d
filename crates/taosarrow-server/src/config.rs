//! Server settings and fault injection for reliability tests.

use std::time::Duration;

use taosarrow_protocol::dsn::{DEFAULT_PASSWORD, DEFAULT_USER};

/// The TDengine version the server reports: in `version` and `conn` replies and as
/// `SELECT SERVER_VERSION()`. At least 3.3.2.0, so the official clients use the binary query
/// and fetch_raw_block path (`overview.md` §3.1).
pub const SERVER_VERSION: &str = "3.3.6.0";

/// Default rows per result block.
pub const DEFAULT_BLOCK_ROWS: usize = 4096;

/// Default bound on the memory DataFusion's operators (sorts, aggregations, joins) may
/// hold at once across all queries: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: usize = 1 << 30;

/// How a server listens, whom it lets in and how it cuts results into blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Interface to bind, default `127.0.0.1`.
    pub host: String,
    /// Port to bind, 0 = any free port (the default).
    pub port: u16,
    /// The one user accepted by `conn`, default `root`.
    pub user: String,
    /// Its password, default `taosdata`.
    pub password: String,
    /// Maximum rows per result block (at least 1), default 4096.
    pub block_rows: usize,
    /// Bytes the query engine's operators may hold at once, over all running queries;
    /// a query that needs more fails with `Out of Memory` (0x0102) and the server keeps
    /// serving. Default [`DEFAULT_MEMORY_LIMIT`] (1 GiB).
    pub memory_limit: usize,
    /// Faults to inject.
    pub faults: FaultConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: "127.0.0.1".to_owned(),
            port: 0,
            user: DEFAULT_USER.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            block_rows: DEFAULT_BLOCK_ROWS,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            faults: FaultConfig::default(),
        }
    }
}

impl ServerConfig {
    /// Sets the port.
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the rows per block (values below 1 are raised to 1).
    pub fn with_block_rows(mut self, rows: usize) -> Self {
        self.block_rows = rows;
        self
    }

    /// Sets the query engine's memory limit in bytes (see [`ServerConfig::memory_limit`]).
    pub fn with_memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Sets the accepted user and password.
    pub fn with_credentials(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.user = user.into();
        self.password = password.into();
        self
    }

    /// Sets the faults to inject.
    pub fn with_faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }
}

/// Faults the server injects on every connection; all off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultConfig {
    /// After sending this many frames on a connection (the `version` and `conn` replies
    /// count), close its TCP socket abruptly, without a WebSocket Close frame.
    pub drop_after_frames: Option<u64>,
    /// Wait this long before sending each reply frame.
    pub reply_delay: Option<Duration>,
    /// Accept TCP connections but never answer anything, not even the HTTP upgrade.
    pub stall: bool,
    /// Corrupt every raw block sent (`fetch_raw_block` and `fetch_block`): the block header's
    /// row count is set to `i32::MAX`, so the block promises far more data than it holds.
    pub corrupt_blocks: bool,
}
