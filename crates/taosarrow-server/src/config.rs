//! Server settings and fault injection for reliability tests.

use std::time::Duration;

use taosarrow_protocol::dsn::{DEFAULT_PASSWORD, DEFAULT_USER};

/// The TDengine version the server reports: in `version` and `conn` replies and as
/// `SELECT SERVER_VERSION()`. At least 3.3.2.0, so the official clients use the binary query
/// and fetch_raw_block path (`overview.md` §3.1).
pub const SERVER_VERSION: &str = "3.3.6.0";

/// Default rows per result block.
pub const DEFAULT_BLOCK_ROWS: usize = 4096;
/// Default [`ServerConfig::max_message_bytes`]: 64 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 << 20;
/// Default [`ServerConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default [`ServerConfig::login_timeout`]: 30 s.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServerConfig::idle_timeout`]: 114 s, as taosAdapter.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(114);
/// Default [`ServerConfig::write_timeout`]: 60 s.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`ServerConfig::max_results`] per connection.
pub const DEFAULT_MAX_RESULTS: usize = 1024;
/// Default [`ServerConfig::max_statements`] per connection.
pub const DEFAULT_MAX_STATEMENTS: usize = 1024;
/// Default [`ServerConfig::max_bind_rows`] per connection.
pub const DEFAULT_MAX_BIND_ROWS: usize = 10_000_000;
/// Default [`ServerConfig::max_bind_bytes`] per connection: 256 MiB.
pub const DEFAULT_MAX_BIND_BYTES: usize = 256 << 20;

/// Default bound on the memory DataFusion's operators (sorts, aggregations, joins) may
/// hold at once across all queries: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: usize = 1 << 30;

/// How a server listens, whom it lets in, how it cuts results into blocks and what one client
/// may hold. `Debug` prints the password as `***`.
#[derive(Clone, PartialEq, Eq)]
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
    /// Largest WebSocket message (and frame) accepted, in bytes, checked before anything is
    /// parsed; a larger one closes the connection with close code 1009. Default 64 MiB.
    pub max_message_bytes: usize,
    /// Most connections served at once; a client beyond it is answered with error 0x0022
    /// (`TSDB_CODE_RPC_MAX_SESSIONS`) and disconnected. A slot frees when its connection
    /// ends. Default 1024.
    pub max_connections: usize,
    /// How long a new connection may take to send a successful `conn`; a silent or
    /// unauthenticated peer is disconnected after it. Default 30 s.
    pub login_timeout: Duration,
    /// A logged-in connection with no request and no pong for this long is disconnected.
    /// Default 114 s (taosAdapter's).
    pub idle_timeout: Duration,
    /// How long one frame may take to be written to the client; a client that stops reading
    /// is disconnected after it and all its results and statements are freed. Default 60 s.
    pub write_timeout: Duration,
    /// Most open results per connection; a query beyond it fails with error 0x0022 until a
    /// result is freed. Default 1024.
    pub max_results: usize,
    /// Most open statements (stmt v1 and stmt2 together) per connection; an `init` beyond it
    /// fails with error 0x0022 until a statement is closed. Default 1024.
    pub max_statements: usize,
    /// Most rows bound and not yet executed, over all statements of a connection; a bind
    /// beyond it fails with error 0x002B (`TSDB_CODE_RPC_MSG_EXCCED_LIMIT`) and keeps nothing.
    /// Default 10,000,000.
    pub max_bind_rows: usize,
    /// Most bytes of bound, not yet executed values (Arrow memory), over all statements of a
    /// connection; a bind beyond it fails with error 0x002B and keeps nothing. Default 256 MiB.
    pub max_bind_bytes: usize,
    /// Bytes the query engine's operators may hold at once, over all running queries;
    /// a query that needs more fails with `Out of Memory` (0x0102) and the server keeps
    /// serving. Default [`DEFAULT_MEMORY_LIMIT`] (1 GiB).
    pub memory_limit: usize,
    /// The server's time zone: how a time string without an offset (in INSERT values, WHERE
    /// literals, string binds) is read, and where `TODAY()` starts, for a connection that
    /// names no zone of its own (`timezone` in its DSN) — TDengine's rule. Default: this
    /// process's zone (`TZ`, else the system's); `None` is UTC.
    pub timezone: Option<chrono_tz::Tz>,
    /// Faults to inject.
    pub faults: FaultConfig,
}

impl std::fmt::Debug for ServerConfig {
    /// Every field but the password, which is printed as `***`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"***")
            .field("block_rows", &self.block_rows)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("max_connections", &self.max_connections)
            .field("login_timeout", &self.login_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("max_results", &self.max_results)
            .field("max_statements", &self.max_statements)
            .field("max_bind_rows", &self.max_bind_rows)
            .field("max_bind_bytes", &self.max_bind_bytes)
            .field("memory_limit", &self.memory_limit)
            .field("timezone", &self.timezone)
            .field("faults", &self.faults)
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: "127.0.0.1".to_owned(),
            port: 0,
            user: DEFAULT_USER.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            block_rows: DEFAULT_BLOCK_ROWS,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            login_timeout: DEFAULT_LOGIN_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            max_results: DEFAULT_MAX_RESULTS,
            max_statements: DEFAULT_MAX_STATEMENTS,
            max_bind_rows: DEFAULT_MAX_BIND_ROWS,
            max_bind_bytes: DEFAULT_MAX_BIND_BYTES,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            timezone: crate::engine::time::local_zone(),
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

    /// Sets the server's time zone (see [`ServerConfig::timezone`]).
    pub fn with_timezone(mut self, tz: Option<chrono_tz::Tz>) -> Self {
        self.timezone = tz;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let c = ServerConfig::default().with_credentials("alice", "s3cr3t-pw");
        let text = format!("{c:?}");
        assert!(!text.contains("s3cr3t-pw"), "{text}");
        assert!(text.contains("alice") && text.contains("***"), "{text}");
        assert!(text.contains("max_connections"), "{text}");
    }
}
