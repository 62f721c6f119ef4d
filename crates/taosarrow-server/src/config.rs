//! Server settings and fault injection for reliability tests.

use std::time::Duration;

use taosarrow_protocol::dsn::{DEFAULT_PASSWORD, DEFAULT_USER};

/// The TDengine version the server reports: in `version` and `conn` replies and as
/// `SELECT SERVER_VERSION()`. At least 3.3.2.0, so the official clients use the binary query
/// and fetch_raw_block path (`overview.md` §3.1).
pub const SERVER_VERSION: &str = "3.3.6.0";

/// Default rows per result block.
pub const DEFAULT_BLOCK_ROWS: usize = 4096;

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
    /// On the first connection the server accepts only: handle the request whose reply
    /// would be this frame (the `version` and `conn` replies are frames 1 and 2), then close
    /// the TCP socket abruptly instead of sending that reply. The request took effect and
    /// its client cannot know; later connections are served normally, so a client that
    /// reconnects finds a healthy server.
    pub lose_reply: Option<u64>,
    /// Wait this long before sending each reply frame.
    pub reply_delay: Option<Duration>,
    /// After sending this many frames on a connection, send nothing more but go on reading
    /// and executing requests: every later reply is lost on the way, so the client times out
    /// on work the server did.
    pub withhold_after_frames: Option<u64>,
    /// Accept TCP connections but never answer anything, not even the HTTP upgrade.
    pub stall: bool,
    /// Corrupt every raw block sent (`fetch_raw_block` and `fetch_block`): the block header's
    /// row count is set to `i32::MAX`, so the block promises far more data than it holds.
    pub corrupt_blocks: bool,
}
