//! Connection options: a typed builder and the DSN form (`overview.md` §8).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use taosarrow_protocol::dsn::{Address, Dsn, DEFAULT_PASSWORD, DEFAULT_PORT, DEFAULT_USER};

use crate::Error;

/// Everything needed to connect. Build with [`ConnectOptions::new`] and the `with_*` methods,
/// or parse a DSN with [`ConnectOptions::from_dsn`]. `Debug` never shows the password or
/// the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    pub(crate) tls: bool,
    pub(crate) addresses: Vec<Address>,
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) database: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) timezone: Option<Arc<str>>,
    pub(crate) compression: bool,
    pub(crate) conn_retries: u32,
    pub(crate) retry_backoff: Duration,
    pub(crate) retry_backoff_max: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) tcp_nodelay: bool,
    pub(crate) ca_pem: Option<Vec<u8>>,
    pub(crate) max_message_size: usize,
    pub(crate) reconnect: bool,
    pub(crate) retry_writes: bool,
    pub(crate) schemaless_batch_bytes: usize,
    pub(crate) bearer_token: Option<String>,
    pub(crate) totp_code: Option<String>,
    pub(crate) user_app: Option<String>,
    pub(crate) user_ip: Option<String>,
    pub(crate) conn_mode: Option<u32>,
    pub(crate) ns_timestamps: NsTimestamps,
    pub(crate) ignored: Vec<&'static str>,
}

/// How the language bindings present nanosecond timestamps as row values (DSN and keyword
/// option `ns_timestamps`). The Rust client and every Arrow path always give Arrow
/// timestamps; this only concerns row tuples, where a Python `datetime` cannot hold
/// nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NsTimestamps {
    /// An `int` of nanoseconds since the epoch (what taospy returns; the default).
    #[default]
    Int,
    /// A time-zone-aware `pandas.Timestamp`, which keeps the nanoseconds.
    Pandas,
    /// A `numpy.datetime64` in `ns` (UTC, no time zone).
    Numpy,
}

impl NsTimestamps {
    /// Every choice, in the order documented.
    pub const ALL: [NsTimestamps; 3] =
        [NsTimestamps::Int, NsTimestamps::Pandas, NsTimestamps::Numpy];

    /// The option value naming this choice: `int`, `pandas` or `numpy`.
    pub fn name(self) -> &'static str {
        match self {
            NsTimestamps::Int => "int",
            NsTimestamps::Pandas => "pandas",
            NsTimestamps::Numpy => "numpy",
        }
    }

    /// The choice an option value names (case-insensitive).
    pub fn parse(v: &str) -> Result<Self, Error> {
        let lower = v.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|c| c.name() == lower)
            .ok_or_else(|| {
                Error::Options(format!(
                    "parameter `ns_timestamps` must be int, pandas or numpy, got `{v}`"
                ))
            })
    }
}

/// Default [`ConnectOptions::max_message_size`]: 256 MiB, well above the largest block a
/// server sends (a result block is capped near 64 MiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 256 << 20;

/// Default [`ConnectOptions::schemaless_batch_bytes`]: 16 MiB, a quarter of the 64 MiB a
/// server reads in one message by default.
pub const DEFAULT_SCHEMALESS_BATCH_BYTES: usize = 16 << 20;

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            tls: false,
            addresses: vec![Address {
                host: "localhost".into(),
                port: Some(DEFAULT_PORT),
            }],
            user: DEFAULT_USER.into(),
            password: DEFAULT_PASSWORD.into(),
            database: None,
            token: None,
            timezone: None,
            compression: false,
            conn_retries: 5,
            retry_backoff: Duration::from_millis(200),
            retry_backoff_max: Duration::from_millis(2000),
            read_timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
            tcp_nodelay: true,
            ca_pem: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            reconnect: true,
            retry_writes: false,
            schemaless_batch_bytes: DEFAULT_SCHEMALESS_BATCH_BYTES,
            bearer_token: None,
            totp_code: None,
            user_app: None,
            user_ip: None,
            conn_mode: None,
            ns_timestamps: NsTimestamps::Int,
            ignored: Vec::new(),
        }
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("tls", &self.tls)
            .field("addresses", &self.addresses_text())
            .field("user", &self.user)
            .field("password", &"***")
            .field("database", &self.database)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("timezone", &self.timezone)
            .field("compression", &self.compression)
            .field("conn_retries", &self.conn_retries)
            .field("retry_backoff", &self.retry_backoff)
            .field("retry_backoff_max", &self.retry_backoff_max)
            .field("read_timeout", &self.read_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("tcp_nodelay", &self.tcp_nodelay)
            .field("custom_ca", &self.ca_pem.is_some())
            .field("max_message_size", &self.max_message_size)
            .field("reconnect", &self.reconnect)
            .field("retry_writes", &self.retry_writes)
            .field("schemaless_batch_bytes", &self.schemaless_batch_bytes)
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "***"))
            .field("totp_code", &self.totp_code.as_ref().map(|_| "***"))
            .field("user_app", &self.user_app)
            .field("user_ip", &self.user_ip)
            .field("conn_mode", &self.conn_mode)
            .field("ns_timestamps", &self.ns_timestamps)
            .field("ignored", &self.ignored)
            .finish()
    }
}

impl fmt::Display for ConnectOptions {
    /// A DSN without secrets: `ws://root@host:port/db`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "wss" } else { "ws" };
        write!(f, "{scheme}://{}@{}", self.user, self.addresses_text())?;
        if let Some(db) = &self.database {
            write!(f, "/{db}")?;
        }
        Ok(())
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, Error> {
    match v.to_ascii_lowercase().as_str() {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Error::Options(format!(
            "parameter `{key}` must be true or false, got `{v}`"
        ))),
    }
}

fn parse_u64(key: &str, v: &str) -> Result<u64, Error> {
    v.trim().parse::<u64>().map_err(|_| {
        Error::Options(format!(
            "parameter `{key}` must be a non-negative integer, got `{v}`"
        ))
    })
}

fn parse_secs(key: &str, v: &str) -> Result<Duration, Error> {
    let f: f64 = v
        .trim()
        .parse()
        .map_err(|_| Error::Options(format!("parameter `{key}` must be seconds, got `{v}`")))?;
    Duration::try_from_secs_f64(f)
        .map_err(|_| Error::Options(format!("parameter `{key}` must be seconds, got `{v}`")))
}

/// A size in bytes of at least 1.
fn parse_size(key: &str, v: &str) -> Result<usize, Error> {
    match usize::try_from(parse_u64(key, v)?) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::Options(format!(
            "parameter `{key}` must be a size in bytes of at least 1, got `{v}`"
        ))),
    }
}

/// A timeout of at least a nanosecond: zero would fail every wait at once.
fn parse_timeout(key: &str, v: &str) -> Result<Duration, Error> {
    let d = parse_secs(key, v)?;
    if d.is_zero() {
        return Err(zero_timeout(key));
    }
    Ok(d)
}

fn zero_timeout(key: &str) -> Error {
    Error::Options(format!(
        "parameter `{key}` must be more than 0 seconds (a zero timeout fails every wait)"
    ))
}

fn parse_timezone(tz: &str) -> Result<Arc<str>, Error> {
    tz.parse::<chrono_tz::Tz>()
        .map_err(|_| Error::Options(format!("unknown time zone `{tz}`")))?;
    Ok(Arc::from(tz))
}

impl ConnectOptions {
    /// Defaults: `ws://localhost:6041`, user `root`, password `taosdata`, 5 retries with a
    /// 200 ms backoff capped at 2 s, `read_timeout` 300 s, `connect_timeout` 10 s,
    /// `tcp_nodelay` on, no compression, messages up to [`DEFAULT_MAX_MESSAGE_SIZE`],
    /// reconnect on, `retry_writes` off, schemaless batches up to
    /// [`DEFAULT_SCHEMALESS_BATCH_BYTES`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `[ws|wss]://[user:pass@][host1:port1[,…]][/db][?params]`. Unknown or
    /// malformed parameters are an [`Error::Options`].
    ///
    /// ```
    /// let o = taosarrow::ConnectOptions::from_dsn("ws://root:taosdata@127.0.0.1:6041/db?read_timeout=5").unwrap();
    /// assert_eq!(o.read_timeout(), std::time::Duration::from_secs(5));
    /// ```
    pub fn from_dsn(dsn: &str) -> Result<Self, Error> {
        let d = Dsn::parse(dsn)?;
        let mut o = ConnectOptions {
            tls: d.tls,
            addresses: d.addresses,
            database: d.database,
            ..Self::default()
        };
        if let Some(u) = d.user {
            o.user = u;
        }
        if let Some(p) = d.password {
            o.password = p;
        }
        for (k, v) in &d.params {
            o.set(k, v)?;
        }
        Ok(o)
    }

    /// Every key [`set`](Self::set) accepts under its own name (the DSN parameters and the
    /// keyword options of the bindings). [`ALIASES`](Self::ALIASES) lists the other names
    /// of some of them and [`IGNORED_KEYS`](Self::IGNORED_KEYS) the legacy keys accepted
    /// without effect.
    pub const KEYS: &'static [&'static str] = &[
        "user",
        "password",
        "host",
        "port",
        "database",
        "token",
        "bearer_token",
        "totp_code",
        "timezone",
        "compression",
        "conn_retries",
        "retry_backoff_ms",
        "retry_backoff_max_ms",
        "read_timeout",
        "connect_timeout",
        "tcp_nodelay",
        "tls_ca",
        "max_message_size",
        "reconnect",
        "retry_writes",
        "schemaless_batch_bytes",
        "user_app",
        "user_ip",
        "conn_mode",
        "bi_mode",
        "websocket",
        "ns_timestamps",
    ];

    /// Other names of keys, as `(alias, key)`: the ones taospy and taos-ws-py accept
    /// (`username`, `pass`, `db`, `url`/`ip` for the host, `ws`) and `tz`, `conn_timeout`.
    pub const ALIASES: &'static [(&'static str, &'static str)] = &[
        ("username", "user"),
        ("pass", "password"),
        ("db", "database"),
        ("url", "host"),
        ("ip", "host"),
        ("tz", "timezone"),
        ("conn_timeout", "connect_timeout"),
        ("ws", "websocket"),
    ];

    /// Legacy keys of taospy and taos-ws-py that have no meaning over this client's
    /// WebSocket connection, as `(key, why)`. [`set`](Self::set) accepts them without
    /// effect and records them ([`ignored_keys`](Self::ignored_keys)) so that a binding can
    /// warn. `decode_binary` is accepted only as `true` (the behaviour it asks for).
    pub const IGNORED_KEYS: &'static [(&'static str, &'static str)] = &[
        ("charset", "the WebSocket protocol always carries UTF-8"),
        (
            "config",
            "it names a native client (taosc) configuration directory",
        ),
        ("native", "this client always connects over WebSocket"),
        ("decode_binary", "VARCHAR values are always decoded to text"),
        ("version_prefer", "the server's version is always asked for"),
    ];

    /// The key an option name stands for: itself, or the key of an alias.
    pub fn canonical_key(k: &str) -> &str {
        Self::ALIASES
            .iter()
            .find(|(alias, _)| *alias == k)
            .map_or(k, |(_, key)| key)
    }

    /// Sets one option from its text form, as a DSN parameter writes it: booleans
    /// `true`/`false`/`1`/`0` (empty is true), counts and milliseconds as integers,
    /// timeouts as seconds (`1.5`, more than 0), `max_message_size` and
    /// `schemaless_batch_bytes` in bytes (at least 1),
    /// `tls_ca` as PEM text or a file path. `host` and `port`
    /// replace the addresses with one (keeping the other half of the first address).
    /// `websocket` takes a boolean (true changes nothing) or a scheme (`ws`, `wss`,
    /// `taosws`, `taoswss`); `conn_mode` `1` (or `bi_mode` true) asks for BI mode;
    /// `ns_timestamps` is `int`, `pandas` or `numpy` ([`NsTimestamps`]).
    /// [`ALIASES`](Self::ALIASES) name the same keys; [`IGNORED_KEYS`](Self::IGNORED_KEYS)
    /// are accepted and recorded, nothing else.
    /// An unknown key or a malformed value is an [`Error::Options`] naming the key.
    ///
    /// ```
    /// let mut o = taosarrow::ConnectOptions::new();
    /// o.set("port", "7000").unwrap();
    /// o.set("read_timeout", "2.5").unwrap();
    /// o.set("db", "power").unwrap();
    /// assert_eq!(o.addresses_text(), "localhost:7000");
    /// assert_eq!(o.database(), Some("power"));
    /// o.set("charset", "UTF-8").unwrap();
    /// assert_eq!(o.ignored_keys(), ["charset"]);
    /// assert!(o.set("bogus", "1").is_err());
    /// ```
    pub fn set(&mut self, k: &str, v: &str) -> Result<(), Error> {
        if let Some((key, _)) = Self::IGNORED_KEYS.iter().find(|(key, _)| *key == k) {
            if *key == "decode_binary" && !parse_bool(k, v)? {
                return Err(Error::Options(
                    "parameter `decode_binary=false` is not supported: VARCHAR values are \
                     always text (read VARBINARY columns for bytes)"
                        .into(),
                ));
            }
            if !self.ignored.contains(key) {
                self.ignored.push(key);
            }
            return Ok(());
        }
        let k = Self::canonical_key(k);
        match k {
            "user" => self.user = v.to_owned(),
            "password" => self.password = v.to_owned(),
            "host" => self.set_address(v.to_owned(), self.first_port()),
            "port" => {
                let port = match v.trim().parse::<u16>() {
                    Ok(p) if p > 0 => p,
                    _ => {
                        return Err(Error::Options(format!(
                            "parameter `{k}` must be a port number in 1..=65535, got `{v}`"
                        )))
                    }
                };
                let host = self
                    .addresses
                    .first()
                    .map_or_else(|| "localhost".to_owned(), |a| a.host.clone());
                self.set_address(host, port);
            }
            "database" => self.database = Some(v.to_owned()).filter(|d| !d.is_empty()),
            "token" => self.token = Some(v.to_owned()),
            "bearer_token" => self.bearer_token = Some(v.to_owned()).filter(|t| !t.is_empty()),
            "totp_code" => self.totp_code = Some(v.to_owned()).filter(|t| !t.is_empty()),
            "user_app" => self.user_app = Some(v.to_owned()),
            "user_ip" => self.user_ip = Some(v.to_owned()),
            "conn_mode" => {
                self.conn_mode = Some(
                    u32::try_from(parse_u64(k, v)?)
                        .map_err(|_| Error::Options(format!("parameter `{k}` is too large")))?,
                )
            }
            "bi_mode" => self.conn_mode = parse_bool(k, v)?.then_some(1),
            "websocket" => match v.trim().to_ascii_lowercase().as_str() {
                "ws" | "taosws" => self.tls = false,
                "wss" | "taoswss" => self.tls = true,
                _ => {
                    parse_bool(k, v).map_err(|_| {
                        Error::Options(format!(
                            "parameter `{k}` must be true, false, ws or wss, got `{v}`"
                        ))
                    })?;
                }
            },
            "ns_timestamps" => self.ns_timestamps = NsTimestamps::parse(v)?,
            "timezone" => self.timezone = Some(parse_timezone(v)?),
            "compression" => self.compression = parse_bool(k, v)?,
            "conn_retries" => {
                self.conn_retries = u32::try_from(parse_u64(k, v)?)
                    .map_err(|_| Error::Options(format!("parameter `{k}` is too large")))?
            }
            "retry_backoff_ms" => self.retry_backoff = Duration::from_millis(parse_u64(k, v)?),
            "retry_backoff_max_ms" => {
                self.retry_backoff_max = Duration::from_millis(parse_u64(k, v)?)
            }
            "read_timeout" => self.read_timeout = parse_timeout(k, v)?,
            "connect_timeout" => self.connect_timeout = parse_timeout(k, v)?,
            "max_message_size" => self.max_message_size = parse_size(k, v)?,
            "schemaless_batch_bytes" => self.schemaless_batch_bytes = parse_size(k, v)?,
            "reconnect" => self.reconnect = parse_bool(k, v)?,
            "retry_writes" => self.retry_writes = parse_bool(k, v)?,
            "tcp_nodelay" => self.tcp_nodelay = parse_bool(k, v)?,
            "tls_ca" => {
                let pem = if v.starts_with("-----BEGIN") {
                    v.as_bytes().to_vec()
                } else {
                    std::fs::read(v).map_err(|e| {
                        Error::Options(format!("cannot read `tls_ca` file `{v}`: {e}"))
                    })?
                };
                self.ca_pem = Some(pem);
            }
            other => {
                return Err(Error::Options(format!("unknown parameter `{other}`")));
            }
        }
        Ok(())
    }

    /// The legacy keys ([`IGNORED_KEYS`](Self::IGNORED_KEYS)) given and ignored, in order.
    pub fn ignored_keys(&self) -> &[&'static str] {
        &self.ignored
    }

    /// How bindings present nanosecond timestamps in row values.
    pub fn ns_timestamps(&self) -> NsTimestamps {
        self.ns_timestamps
    }

    /// Sets how bindings present nanosecond timestamps in row values.
    pub fn with_ns_timestamps(mut self, ns: NsTimestamps) -> Self {
        self.ns_timestamps = ns;
        self
    }

    /// Token authentication (`bearer_token`, sent in the `conn` request instead of relying
    /// on user and password).
    pub fn with_bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// The port of the first address, or the default one.
    fn first_port(&self) -> u16 {
        self.addresses
            .first()
            .and_then(|a| a.port)
            .unwrap_or(DEFAULT_PORT)
    }

    fn set_address(&mut self, host: String, port: u16) {
        self.addresses = vec![Address {
            host,
            port: Some(port),
        }];
    }

    /// Replaces the addresses with one `host:port`.
    pub fn with_host(mut self, host: impl Into<String>, port: u16) -> Self {
        self.set_address(host.into(), port);
        self
    }

    /// Adds a failover address.
    pub fn with_address(mut self, host: impl Into<String>, port: u16) -> Self {
        self.addresses.push(Address {
            host: host.into(),
            port: Some(port),
        });
        self
    }

    /// Uses TLS (`wss`).
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Trusts this PEM CA certificate (in addition to the built-in roots) for `wss`.
    pub fn with_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }

    /// Sets user and password.
    pub fn with_credentials(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.user = user.into();
        self.password = password.into();
        self
    }

    /// Sets the default database.
    pub fn with_database(mut self, db: impl Into<String>) -> Self {
        self.database = Some(db.into());
        self
    }

    /// Sets a cloud token (sent as `?token=` on the upgrade URL).
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets the IANA time zone carried into Arrow timestamp types and sent as `conn.tz`.
    pub fn with_timezone(mut self, tz: &str) -> Result<Self, Error> {
        self.timezone = Some(parse_timezone(tz)?);
        Ok(self)
    }

    /// Asks for permessage-deflate. The WebSocket library (tokio-tungstenite 0.30) does not
    /// implement it, so the connection is made uncompressed and a warning is logged; the
    /// server accepts uncompressed clients.
    pub fn with_compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }

    /// Retries per address after the first attempt (default 5).
    pub fn with_conn_retries(mut self, n: u32) -> Self {
        self.conn_retries = n;
        self
    }

    /// Base and maximum backoff between attempts.
    pub fn with_retry_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.retry_backoff = base;
        self.retry_backoff_max = max;
        self
    }

    /// How long to wait for each response (default 300 s); zero is refused when connecting.
    pub fn with_read_timeout(mut self, t: Duration) -> Self {
        self.read_timeout = t;
        self
    }

    /// Limit for TCP connect + upgrade + handshake of one attempt (default 10 s); zero is
    /// refused when connecting.
    pub fn with_connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Sets TCP_NODELAY (default on).
    pub fn with_tcp_nodelay(mut self, on: bool) -> Self {
        self.tcp_nodelay = on;
        self
    }

    /// The largest WebSocket message (and frame) accepted from the server, in bytes
    /// (default [`DEFAULT_MAX_MESSAGE_SIZE`], 256 MiB). A larger one fails the connection
    /// with [`Error::MessageTooLarge`] before any of it is buffered. Zero is refused when
    /// connecting.
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Whether a connection whose socket dropped reconnects on its next call (default on);
    /// see [`Connection`](crate::Connection).
    pub fn with_reconnect(mut self, on: bool) -> Self {
        self.reconnect = on;
        self
    }

    /// Whether a write whose reply was lost with its socket is sent again after
    /// reconnecting (default off: it fails with [`Delivery::Unknown`](crate::Delivery),
    /// since the server may have executed it). Turn on only when writing twice is harmless,
    /// e.g. inserts that rewrite the same timestamps.
    pub fn with_retry_writes(mut self, on: bool) -> Self {
        self.retry_writes = on;
        self
    }

    /// The largest frame of one schemaless `insert` request, in bytes (default
    /// [`DEFAULT_SCHEMALESS_BATCH_BYTES`], 16 MiB; DSN `schemaless_batch_bytes`): line and
    /// telnet input is cut into batches that fit. The limit applied is never above
    /// [`max_message_size`](Self::with_max_message_size). Zero is refused when connecting.
    pub fn with_schemaless_batch_bytes(mut self, bytes: usize) -> Self {
        self.schemaless_batch_bytes = bytes;
        self
    }

    /// The largest message accepted from the server, in bytes.
    pub fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// The configured largest schemaless `insert` frame, in bytes.
    pub fn schemaless_batch_bytes(&self) -> usize {
        self.schemaless_batch_bytes
    }

    /// The frame limit schemaless batches are cut to: `schemaless_batch_bytes`, capped by
    /// `max_message_size`.
    pub(crate) fn schemaless_batch_limit(&self) -> usize {
        self.schemaless_batch_bytes.min(self.max_message_size)
    }

    /// Whether a dropped socket is replaced on the next call.
    pub fn reconnect(&self) -> bool {
        self.reconnect
    }

    /// Whether writes whose reply was lost are sent again after reconnecting.
    pub fn retry_writes(&self) -> bool {
        self.retry_writes
    }

    /// Checks what the builder cannot: timeouts and the message size must be above zero.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.read_timeout.is_zero() {
            return Err(zero_timeout("read_timeout"));
        }
        if self.connect_timeout.is_zero() {
            return Err(zero_timeout("connect_timeout"));
        }
        if self.max_message_size == 0 {
            return Err(Error::Options(
                "parameter `max_message_size` must be at least 1 byte".into(),
            ));
        }
        if self.schemaless_batch_bytes == 0 {
            return Err(Error::Options(
                "parameter `schemaless_batch_bytes` must be at least 1 byte".into(),
            ));
        }
        Ok(())
    }

    /// The addresses, comma-separated.
    pub fn addresses_text(&self) -> String {
        let v: Vec<String> = self.addresses.iter().map(|a| a.to_string()).collect();
        v.join(",")
    }

    /// The addresses.
    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }

    /// The user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The default database.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The time zone.
    pub fn timezone(&self) -> Option<&str> {
        self.timezone.as_deref()
    }

    /// Whether compression is requested.
    pub fn compression(&self) -> bool {
        self.compression
    }

    /// Retries per address.
    pub fn conn_retries(&self) -> u32 {
        self.conn_retries
    }

    /// Base backoff.
    pub fn retry_backoff(&self) -> Duration {
        self.retry_backoff
    }

    /// Maximum backoff.
    pub fn retry_backoff_max(&self) -> Duration {
        self.retry_backoff_max
    }

    /// Response timeout.
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// Connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// TCP_NODELAY.
    pub fn tcp_nodelay(&self) -> bool {
        self.tcp_nodelay
    }

    /// Whether TLS is used.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// Delay before retry `attempt` (0-based): `min(max, base × 2^attempt)` × [0.8, 1.2],
    /// never above `max`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = self.retry_backoff.as_secs_f64() * 2f64.powi(attempt.min(30) as i32);
        let capped = base.min(self.retry_backoff_max.as_secs_f64());
        let jitter = rand::random_range(0.8..1.2);
        let d = (capped * jitter).min(self.retry_backoff_max.as_secs_f64());
        Duration::from_secs_f64(d.max(0.0))
    }
}
