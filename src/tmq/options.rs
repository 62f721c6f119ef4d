//! Consumer options: a typed builder, the DSN form and the configuration keys of taospy and
//! taos-ws-py (`group.id`, `td.connect.ip`, …), on top of [`ConnectOptions`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use taosarrow_protocol::dsn::Dsn;

use crate::{ConnectOptions, Error};

/// Where a consumer group without a committed offset starts (`auto.offset.reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OffsetReset {
    /// The start of the retained log.
    Earliest,
    /// Only data written after subscribing (TDengine's default since 3.2.0.0).
    Latest,
    /// No start: polling a vgroup without a committed offset is an error.
    None,
}

impl OffsetReset {
    /// The option value: `earliest`, `latest` or `none`.
    pub fn name(self) -> &'static str {
        match self {
            OffsetReset::Earliest => "earliest",
            OffsetReset::Latest => "latest",
            OffsetReset::None => "none",
        }
    }

    /// The choice an option value names (case-insensitive).
    pub fn parse(v: &str) -> Result<Self, Error> {
        match v.trim().to_ascii_lowercase().as_str() {
            "earliest" => Ok(OffsetReset::Earliest),
            "latest" => Ok(OffsetReset::Latest),
            "none" => Ok(OffsetReset::None),
            _ => Err(Error::Options(format!(
                "parameter `auto.offset.reset` must be earliest, latest or none, got `{v}`"
            ))),
        }
    }
}

/// Default `auto.commit.interval.ms`: 5 s.
pub const DEFAULT_AUTO_COMMIT_INTERVAL: Duration = Duration::from_millis(5000);

/// Everything a [`Consumer`](crate::tmq::Consumer) needs: where and how to connect
/// ([`ConnectOptions`]: addresses, credentials, TLS, token, time zone, timeouts, retries)
/// and the consumer configuration sent in `subscribe`.
///
/// Build it with [`ConsumerOptions::new`] and the `with_*` methods, from a DSN
/// ([`from_dsn`](Self::from_dsn): `ws://user:pass@host:port?group.id=g1&auto.offset.reset=earliest`)
/// or from configuration pairs ([`from_pairs`](Self::from_pairs), the dictionaries of taospy
/// and taos-ws-py). `Debug` never shows the password or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsumerOptions {
    pub(crate) conn: ConnectOptions,
    pub(crate) group_id: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) offset_reset: Option<OffsetReset>,
    pub(crate) snapshot_enable: bool,
    pub(crate) with_table_name: bool,
    pub(crate) auto_commit: bool,
    pub(crate) auto_commit_interval: Duration,
    pub(crate) enable_batch_meta: bool,
    pub(crate) msg_consume_excluded: Option<String>,
    pub(crate) msg_consume_rawdata: Option<String>,
    pub(crate) session_timeout: Option<Duration>,
    pub(crate) max_poll_interval: Option<Duration>,
    pub(crate) offset_seek: Vec<(i32, i64)>,
    pub(crate) config: BTreeMap<String, String>,
}

impl Default for ConsumerOptions {
    fn default() -> Self {
        ConsumerOptions {
            conn: ConnectOptions::default(),
            group_id: None,
            client_id: None,
            offset_reset: None,
            snapshot_enable: false,
            with_table_name: true,
            auto_commit: true,
            auto_commit_interval: DEFAULT_AUTO_COMMIT_INTERVAL,
            enable_batch_meta: true,
            msg_consume_excluded: None,
            msg_consume_rawdata: None,
            session_timeout: None,
            max_poll_interval: None,
            offset_seek: Vec::new(),
            config: BTreeMap::new(),
        }
    }
}

impl fmt::Debug for ConsumerOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumerOptions")
            .field("conn", &self.conn)
            .field("group_id", &self.group_id)
            .field("client_id", &self.client_id)
            .field("offset_reset", &self.offset_reset)
            .field("snapshot_enable", &self.snapshot_enable)
            .field("with_table_name", &self.with_table_name)
            .field("auto_commit", &self.auto_commit)
            .field("auto_commit_interval", &self.auto_commit_interval)
            .field("enable_batch_meta", &self.enable_batch_meta)
            .field("msg_consume_excluded", &self.msg_consume_excluded)
            .field("msg_consume_rawdata", &self.msg_consume_rawdata)
            .field("session_timeout", &self.session_timeout)
            .field("max_poll_interval", &self.max_poll_interval)
            .field("offset_seek", &self.offset_seek)
            .field("config", &self.config.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, Error> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Error::Options(format!(
            "parameter `{key}` must be true or false, got `{v}`"
        ))),
    }
}

fn parse_ms(key: &str, v: &str) -> Result<Duration, Error> {
    v.trim()
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| Error::Options(format!("parameter `{key}` must be milliseconds, got `{v}`")))
}

/// The DSN form `offset=<vg>:<off>[,<vg>:<off>…]`.
fn parse_offset_seek(v: &str) -> Result<Vec<(i32, i64)>, Error> {
    let bad = || {
        Error::Options(format!(
            "parameter `offset` must be <vgroup>:<offset>[,…], got `{v}`"
        ))
    };
    v.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (vg, off) = p.split_once(':').ok_or_else(bad)?;
            let vg = vg.trim().parse::<i32>().map_err(|_| bad())?;
            let off = off.trim().parse::<i64>().map_err(|_| bad())?;
            Ok((vg, off))
        })
        .collect()
}

impl ConsumerOptions {
    /// Defaults: the [`ConnectOptions`] defaults, no group, `auto.offset.reset` left to the
    /// server, auto-commit on every [`DEFAULT_AUTO_COMMIT_INTERVAL`] (done by the client),
    /// table names on, batch meta on, snapshots off.
    pub fn new() -> Self {
        Self::default()
    }

    /// A consumer on the connection described by `conn`.
    pub fn with_connect_options(mut self, conn: ConnectOptions) -> Self {
        self.conn = conn;
        self
    }

    /// Parses a DSN: the [`ConnectOptions`] form with consumer keys as parameters, e.g.
    /// `ws://root:taosdata@localhost:6041?group.id=g1&auto.offset.reset=earliest`.
    ///
    /// ```
    /// let o = taosarrow::tmq::ConsumerOptions::from_dsn(
    ///     "ws://root:taosdata@127.0.0.1:6041?group.id=g1&auto.offset.reset=earliest",
    /// ).unwrap();
    /// assert_eq!(o.group_id(), Some("g1"));
    /// ```
    pub fn from_dsn(dsn: &str) -> Result<Self, Error> {
        let d = Dsn::parse(dsn)?;
        let mut o = ConsumerOptions::default();
        o.conn.tls = d.tls;
        o.conn.addresses = d.addresses;
        o.conn.database = d.database;
        if let Some(u) = d.user {
            o.conn.user = u;
        }
        if let Some(p) = d.password {
            o.conn.password = p;
        }
        for (k, v) in &d.params {
            o.set(k, v)?;
        }
        Ok(o)
    }

    /// Options from configuration pairs, applied in order with [`set`](Self::set).
    ///
    /// ```
    /// let o = taosarrow::tmq::ConsumerOptions::from_pairs([
    ///     ("td.connect.ip", "127.0.0.1"), ("td.connect.port", "7000"),
    ///     ("group.id", "g1"), ("enable.auto.commit", "false"),
    /// ]).unwrap();
    /// assert_eq!(o.connect_options().addresses_text(), "127.0.0.1:7000");
    /// assert!(!o.auto_commit());
    /// ```
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Error> {
        let mut o = ConsumerOptions::default();
        for (k, v) in pairs {
            o.set(k.as_ref(), v.as_ref())?;
        }
        Ok(o)
    }

    /// The consumer keys [`set`](Self::set) accepts besides the [`ConnectOptions`] keys.
    pub const KEYS: &'static [&'static str] = &[
        "group.id",
        "client.id",
        "auto.offset.reset",
        "enable.auto.commit",
        "auto.commit.interval.ms",
        "experimental.snapshot.enable",
        "msg.with.table.name",
        "msg.enable.batchmeta",
        "msg.consume.excluded",
        "msg.consume.rawdata",
        "session.timeout.ms",
        "max.poll.interval.ms",
        "offset",
    ];

    /// The `td.connect.*` keys, as `(key, ConnectOptions key)`.
    pub const CONNECT_KEYS: &'static [(&'static str, &'static str)] = &[
        ("td.connect.ip", "host"),
        ("td.connect.port", "port"),
        ("td.connect.user", "user"),
        ("td.connect.pass", "password"),
        ("td.connect.db", "database"),
        ("td.connect.token", "token"),
        ("td.connect.websocket.scheme", "websocket"),
    ];

    /// Sets one option from its text form: a consumer key ([`KEYS`](Self::KEYS)), a
    /// `td.connect.*` key ([`CONNECT_KEYS`](Self::CONNECT_KEYS)), or any key (or alias) of
    /// [`ConnectOptions::set`]. Booleans are `true`/`false`/`1`/`0`, durations milliseconds.
    /// Unknown keys and malformed values are an [`Error::Options`] naming the key.
    pub fn set(&mut self, k: &str, v: &str) -> Result<(), Error> {
        if let Some((_, key)) = Self::CONNECT_KEYS.iter().find(|(name, _)| *name == k) {
            return self.conn.set(key, v);
        }
        match k {
            "group.id" => self.group_id = Some(v.to_owned()).filter(|g| !g.is_empty()),
            "client.id" => self.client_id = Some(v.to_owned()).filter(|c| !c.is_empty()),
            "auto.offset.reset" => self.offset_reset = Some(OffsetReset::parse(v)?),
            "enable.auto.commit" => self.auto_commit = parse_bool(k, v)?,
            "auto.commit.interval.ms" => self.auto_commit_interval = parse_ms(k, v)?,
            "experimental.snapshot.enable" => self.snapshot_enable = parse_bool(k, v)?,
            "msg.with.table.name" => self.with_table_name = parse_bool(k, v)?,
            "msg.enable.batchmeta" => self.enable_batch_meta = parse_bool(k, v)?,
            "msg.consume.excluded" => self.msg_consume_excluded = Some(v.to_owned()),
            "msg.consume.rawdata" => self.msg_consume_rawdata = Some(v.to_owned()),
            "session.timeout.ms" => self.session_timeout = Some(parse_ms(k, v)?),
            "max.poll.interval.ms" => self.max_poll_interval = Some(parse_ms(k, v)?),
            "offset" => self.offset_seek = parse_offset_seek(v)?,
            _ => return self.conn.set(k, v),
        }
        Ok(())
    }

    /// Passes `key=value` to the server in `subscribe`'s `config`, after every other option
    /// (so it overrides them).
    pub fn with_config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// Sets the consumer group (`group.id`).
    pub fn with_group_id(mut self, group: impl Into<String>) -> Self {
        self.group_id = Some(group.into());
        self
    }

    /// Sets the client id (`client.id`).
    pub fn with_client_id(mut self, client: impl Into<String>) -> Self {
        self.client_id = Some(client.into());
        self
    }

    /// Sets `auto.offset.reset`.
    pub fn with_offset_reset(mut self, reset: OffsetReset) -> Self {
        self.offset_reset = Some(reset);
        self
    }

    /// Sets `enable.auto.commit` (done by the client before a poll once the interval passed).
    pub fn with_auto_commit(mut self, on: bool) -> Self {
        self.auto_commit = on;
        self
    }

    /// Sets `auto.commit.interval.ms`.
    pub fn with_auto_commit_interval(mut self, every: Duration) -> Self {
        self.auto_commit_interval = every;
        self
    }

    /// Sets `experimental.snapshot.enable`.
    pub fn with_snapshot(mut self, on: bool) -> Self {
        self.snapshot_enable = on;
        self
    }

    /// Sets `msg.with.table.name`.
    pub fn with_table_name(mut self, on: bool) -> Self {
        self.with_table_name = on;
        self
    }

    /// Sets `msg.enable.batchmeta`.
    pub fn with_batch_meta(mut self, on: bool) -> Self {
        self.enable_batch_meta = on;
        self
    }

    /// Sets `session.timeout.ms`.
    pub fn with_session_timeout(mut self, t: Duration) -> Self {
        self.session_timeout = Some(t);
        self
    }

    /// Sets `max.poll.interval.ms`.
    pub fn with_max_poll_interval(mut self, t: Duration) -> Self {
        self.max_poll_interval = Some(t);
        self
    }

    /// The connection options.
    pub fn connect_options(&self) -> &ConnectOptions {
        &self.conn
    }

    /// The connection options, to change.
    pub fn connect_options_mut(&mut self) -> &mut ConnectOptions {
        &mut self.conn
    }

    /// The consumer group.
    pub fn group_id(&self) -> Option<&str> {
        self.group_id.as_deref()
    }

    /// The client id.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// `auto.offset.reset`, if set.
    pub fn offset_reset(&self) -> Option<OffsetReset> {
        self.offset_reset
    }

    /// Whether the client auto-commits.
    pub fn auto_commit(&self) -> bool {
        self.auto_commit
    }

    /// The auto-commit interval.
    pub fn auto_commit_interval(&self) -> Duration {
        self.auto_commit_interval
    }

    /// Whether snapshots are enabled.
    pub fn snapshot_enable(&self) -> bool {
        self.snapshot_enable
    }

    /// Whether messages carry table names.
    pub fn with_table_name_enabled(&self) -> bool {
        self.with_table_name
    }

    /// `session.timeout.ms`, if set.
    pub fn session_timeout(&self) -> Option<Duration> {
        self.session_timeout
    }

    /// `max.poll.interval.ms`, if set.
    pub fn max_poll_interval(&self) -> Option<Duration> {
        self.max_poll_interval
    }

    /// The `(vgroup, offset)` pairs sought on the first topic right after subscribing (DSN
    /// `offset`).
    pub fn offset_seek(&self) -> &[(i32, i64)] {
        &self.offset_seek
    }

    /// The extra `config` pairs.
    pub fn config(&self) -> &BTreeMap<String, String> {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taospy_keys_fill_connection_and_consumer() {
        let o = ConsumerOptions::from_pairs([
            ("td.connect.ip", "db.example"),
            ("td.connect.port", "7001"),
            ("td.connect.user", "u1"),
            ("td.connect.pass", "p1"),
            ("td.connect.websocket.scheme", "wss"),
            ("group.id", "g1"),
            ("client.id", "c1"),
            ("auto.offset.reset", "Earliest"),
            ("enable.auto.commit", "0"),
            ("auto.commit.interval.ms", "250"),
            ("session.timeout.ms", "6000"),
            ("max.poll.interval.ms", "9000"),
            ("msg.with.table.name", "false"),
            ("experimental.snapshot.enable", "true"),
        ])
        .unwrap();
        assert_eq!(o.conn.addresses_text(), "db.example:7001");
        assert_eq!(o.conn.user(), "u1");
        assert_eq!(o.conn.password, "p1");
        assert!(o.conn.tls());
        assert_eq!(o.group_id(), Some("g1"));
        assert_eq!(o.client_id(), Some("c1"));
        assert_eq!(o.offset_reset(), Some(OffsetReset::Earliest));
        assert!(!o.auto_commit());
        assert_eq!(o.auto_commit_interval(), Duration::from_millis(250));
        assert_eq!(o.session_timeout(), Some(Duration::from_millis(6000)));
        assert_eq!(o.max_poll_interval(), Some(Duration::from_millis(9000)));
        assert!(!o.with_table_name_enabled());
        assert!(o.snapshot_enable());
        assert!(!format!("{o:?}").contains("p1"));
    }

    #[test]
    fn dsn_carries_both_halves() {
        let o = ConsumerOptions::from_dsn(
            "ws://u:pw@h1:6001,h2:6002/power?group.id=g&auto.offset.reset=latest\
             &read_timeout=3&offset=2:10,3:20&timezone=Asia/Shanghai",
        )
        .unwrap();
        assert_eq!(o.conn.addresses_text(), "h1:6001,h2:6002");
        assert_eq!(o.conn.database(), Some("power"));
        assert_eq!(o.conn.user(), "u");
        assert_eq!(o.conn.read_timeout(), Duration::from_secs(3));
        assert_eq!(o.conn.timezone(), Some("Asia/Shanghai"));
        assert_eq!(o.group_id(), Some("g"));
        assert_eq!(o.offset_reset(), Some(OffsetReset::Latest));
        assert_eq!(o.offset_seek(), [(2, 10), (3, 20)]);
    }

    #[test]
    fn bad_keys_and_values_name_the_key() {
        for (k, v) in [
            ("auto.offset.reset", "oldest"),
            ("enable.auto.commit", "maybe"),
            ("auto.commit.interval.ms", "-1"),
            ("offset", "2-10"),
            ("no.such.key", "1"),
        ] {
            let e = ConsumerOptions::from_pairs([(k, v)]).unwrap_err();
            assert!(matches!(e, Error::Options(_)), "{e:?}");
            assert!(e.to_string().contains(k), "{k}: {e}");
        }
    }
}
