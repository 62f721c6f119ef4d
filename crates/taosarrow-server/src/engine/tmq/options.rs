//! Consumer options as `tmq_conf_set` takes them: string keys and values, unknown keys and
//! bad values refused with 0x0118 (`tmq.md` §3.2).

use std::time::Duration;

use taosarrow_protocol::Code;

use crate::ServerError;

/// Where a group without a committed offset starts reading a vgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffsetReset {
    /// The first retained version.
    Earliest,
    /// Only what is written from now on (TDengine's default since 3.2.0.0).
    #[default]
    Latest,
    /// Fail the poll.
    None,
}

/// What a subscribing consumer asked for.
#[derive(Debug, Clone)]
pub struct SubscribeOptions {
    /// `group.id` (required).
    pub group: String,
    /// `client.id`.
    pub client_id: String,
    /// `td.connect.user`.
    pub user: String,
    /// `auto.offset.reset`.
    pub offset_reset: OffsetReset,
    /// `session.timeout.ms` (default 12 s, 6 s – 30 min).
    pub session_timeout: Duration,
    /// `max.poll.interval.ms` (default 300 s).
    pub max_poll_interval: Duration,
    /// `msg.with.table.name` (always true since 3.2.0.0).
    pub with_table_name: bool,
    /// `experimental.snapshot.enable`: accepted; this server reads its log either way.
    pub snapshot: bool,
    /// `msg.enable.batchmeta`.
    pub batch_meta: bool,
    /// `msg.consume.rawdata`: raw-data messages (type 4) asked for.
    pub raw_data: bool,
    /// `min.poll.rows` (default 4096): rows a poll tries to gather.
    pub min_poll_rows: usize,
    /// Every pair as given, for SHOW CONSUMERS' `parameters`.
    pub pairs: Vec<(String, String)>,
}

impl Default for SubscribeOptions {
    fn default() -> Self {
        SubscribeOptions {
            group: String::new(),
            client_id: String::new(),
            user: String::new(),
            offset_reset: OffsetReset::Latest,
            session_timeout: Duration::from_millis(12_000),
            max_poll_interval: Duration::from_millis(300_000),
            with_table_name: true,
            snapshot: false,
            batch_meta: false,
            raw_data: false,
            min_poll_rows: 4096,
            pairs: Vec::new(),
        }
    }
}

/// Keys `tmq_conf_set` knows that need no checking here.
const OTHER_KEYS: &[&str] = &[
    "td.connect.ip",
    "td.connect.port",
    "td.connect.pass",
    "td.connect.db",
    "td.connect.token",
    "td.connect.bearer_token",
    "bearer_token",
    "enable.auto.commit",
    "auto.commit.interval.ms",
    "heartbeat.interval.ms",
    "experimental.snapshot.batch.size",
    "enable.replay",
    "msg.consume.excluded",
    "msg.consume.rawdata",
    "fetch.max.wait.ms",
    "session.timeout.ms",
    "max.poll.interval.ms",
];

fn invalid(key: &str, value: &str) -> ServerError {
    ServerError::new(
        Code::INVALID_PARA,
        format!("invalid value for key '{key}': {value}"),
    )
}

fn boolean(key: &str, value: &str) -> Result<bool, ServerError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(invalid(key, value)),
    }
}

fn number(
    key: &str,
    value: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ServerError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| invalid(key, value))
}

impl SubscribeOptions {
    /// Reads `pairs` in order (a later pair overrides an earlier one), as `tmq_conf_set`
    /// does; an empty value leaves the default. `group.id` must be set.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<SubscribeOptions, ServerError> {
        let mut o = SubscribeOptions::default();
        for (k, v) in pairs {
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "group.id" => {
                    if v.len() > 192 {
                        return Err(invalid(k, v));
                    }
                    o.group = v.clone();
                }
                "client.id" => o.client_id = v.clone(),
                "td.connect.user" => o.user = v.clone(),
                "auto.offset.reset" => {
                    o.offset_reset = match v.to_ascii_lowercase().as_str() {
                        "earliest" => OffsetReset::Earliest,
                        "latest" => OffsetReset::Latest,
                        "none" => OffsetReset::None,
                        _ => return Err(invalid(k, v)),
                    }
                }
                "session.timeout.ms" => {
                    o.session_timeout = Duration::from_millis(number(k, v, 6_000..=1_800_000)?);
                }
                "max.poll.interval.ms" => {
                    o.max_poll_interval =
                        Duration::from_millis(number(k, v, 1_000..=i32::MAX as u64)?);
                }
                "msg.with.table.name" => o.with_table_name = boolean(k, v)?,
                "experimental.snapshot.enable" => o.snapshot = boolean(k, v)?,
                "msg.enable.batchmeta" => o.batch_meta = boolean(k, v)?,
                "min.poll.rows" => {
                    o.min_poll_rows = number(k, v, 1..=i32::MAX as u64)? as usize;
                }
                "enable.auto.commit"
                | "enable.replay"
                | "msg.consume.excluded"
                | "msg.consume.rawdata" => {
                    boolean(k, v)?;
                }
                "auto.commit.interval.ms"
                | "heartbeat.interval.ms"
                | "fetch.max.wait.ms"
                | "experimental.snapshot.batch.size" => {
                    number(k, v, 0..=i64::MAX as u64)?;
                }
                other if OTHER_KEYS.contains(&other) || other.starts_with("td.connect.") => {}
                other => {
                    return Err(ServerError::new(
                        Code::INVALID_PARA,
                        format!("unknown configuration key: {other}"),
                    ))
                }
            }
        }
        if o.group.is_empty() {
            return Err(ServerError::new(
                Code::INVALID_PARA,
                "invalid value for key 'group.id': it must be set",
            ));
        }
        o.pairs = pairs.to_vec();
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_the_documented_keys() {
        let o = SubscribeOptions::from_pairs(&pairs(&[
            ("group.id", "g1"),
            ("client.id", "c1"),
            ("auto.offset.reset", "earliest"),
            ("session.timeout.ms", "6000"),
            ("max.poll.interval.ms", "2000"),
            ("msg.with.table.name", "true"),
            ("experimental.snapshot.enable", "false"),
            ("fetch.max.wait.ms", "3001"),
            ("min.poll.rows", "129"),
            ("td.connect.token", "x"),
        ]))
        .unwrap();
        assert_eq!(o.group, "g1");
        assert_eq!(o.offset_reset, OffsetReset::Earliest);
        assert_eq!(o.session_timeout, Duration::from_secs(6));
        assert_eq!(o.max_poll_interval, Duration::from_secs(2));
        assert_eq!(o.min_poll_rows, 129);
    }

    #[test]
    fn refuses_unknown_keys_bad_values_and_no_group() {
        let e =
            SubscribeOptions::from_pairs(&pairs(&[("group.id", "g"), ("nope", "1")])).unwrap_err();
        assert_eq!(e.code, Code::INVALID_PARA);
        assert!(e.message.contains("unknown configuration key: nope"));
        let e = SubscribeOptions::from_pairs(&pairs(&[
            ("group.id", "g"),
            ("auto.offset.reset", "sometimes"),
        ]))
        .unwrap_err();
        assert!(e.message.contains("auto.offset.reset"));
        let e = SubscribeOptions::from_pairs(&pairs(&[
            ("group.id", "g"),
            ("session.timeout.ms", "10"),
        ]))
        .unwrap_err();
        assert!(e.message.contains("session.timeout.ms"));
        assert!(SubscribeOptions::from_pairs(&pairs(&[("client.id", "c")])).is_err());
    }
}
