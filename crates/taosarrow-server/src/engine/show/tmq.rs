//! SHOW TOPICS, SHOW CONSUMERS and SHOW SUBSCRIPTIONS, with the columns of TDengine's
//! `information_schema.ins_topics`, `ins_consumers` and `ins_subscriptions`.

use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Precision, TdType};

use super::columns::{bigints, ints, strs, ts, vc};
use crate::engine::result::from_columns;
use crate::engine::{Engine, ResultSet};
use crate::ServerError;

/// SHOW TOPICS / `ins_topics`.
pub(super) fn topics(e: &Engine) -> Result<ResultSet, ServerError> {
    let topics = e.tmq().topics();
    from_columns(
        &[
            vc("topic_name", 192),
            vc("db_name", 64),
            ColumnSpec::new("create_time", TdType::Timestamp),
            vc("sql", 1024),
            vc("schema", 8192),
            vc("meta", 4),
            vc("type", 8),
        ],
        vec![
            strs(topics.iter().map(|t| Some(t.name.clone()))),
            strs(topics.iter().map(|t| Some(t.db.name.clone()))),
            ts(topics.iter().map(|t| Some(t.created))),
            strs(topics.iter().map(|t| Some(t.sql.clone()))),
            strs(topics.iter().map(|_| Some(String::new()))),
            strs(
                topics
                    .iter()
                    .map(|t| Some(if t.with_meta { "yes" } else { "no" }.to_owned())),
            ),
            strs(topics.iter().map(|t| Some(t.type_name().to_owned()))),
        ],
        Precision::Millisecond,
    )
}

/// SHOW CONSUMERS / `ins_consumers`.
pub(super) fn consumers(e: &Engine) -> Result<ResultSet, ServerError> {
    let rows = e.tmq().consumer_rows();
    from_columns(
        &[
            ColumnSpec::new("consumer_id", TdType::BigInt),
            vc("consumer_group", 192),
            vc("client_id", 192),
            vc("user", 23),
            vc("fqdn", 128),
            vc("status", 20),
            vc("topics", 8192),
            ColumnSpec::new("up_time", TdType::Timestamp),
            ColumnSpec::new("subscribe_time", TdType::Timestamp),
            ColumnSpec::new("rebalance_time", TdType::Timestamp),
            vc("parameters", 8192),
        ],
        vec![
            bigints(rows.iter().map(|r| Some(r.id))),
            strs(rows.iter().map(|r| Some(r.group.clone()))),
            strs(rows.iter().map(|r| Some(r.client_id.clone()))),
            strs(rows.iter().map(|r| Some(r.user.clone()))),
            strs(rows.iter().map(|_| Some(e.dnode().endpoint.clone()))),
            strs(rows.iter().map(|r| Some(r.status.to_owned()))),
            strs(rows.iter().map(|r| Some(r.topics.clone()))),
            ts(rows.iter().map(|r| Some(r.up_since))),
            ts(rows.iter().map(|r| Some(r.subscribed_at))),
            ts(rows.iter().map(|r| Some(r.rebalanced_at))),
            strs(rows.iter().map(|r| Some(r.parameters.clone()))),
        ],
        Precision::Millisecond,
    )
}

/// SHOW SUBSCRIPTIONS / `ins_subscriptions`: one row per (topic, group, vgroup); `offset`
/// as TDengine writes a log offset (`log:<version>`).
pub(super) fn subscriptions(e: &Engine) -> Result<ResultSet, ServerError> {
    let rows = e.tmq().subscription_rows();
    from_columns(
        &[
            vc("topic_name", 204),
            vc("consumer_group", 193),
            ColumnSpec::new("vgroup_id", TdType::Int),
            ColumnSpec::new("consumer_id", TdType::BigInt),
            vc("offset", 64),
            ColumnSpec::new("rows", TdType::BigInt),
        ],
        vec![
            strs(rows.iter().map(|r| Some(r.topic.clone()))),
            strs(rows.iter().map(|r| Some(r.group.clone()))),
            ints(rows.iter().map(|r| Some(r.vgroup_id))),
            bigints(rows.iter().map(|r| r.consumer)),
            strs(rows.iter().map(|r| r.offset.map(|o| format!("log:{o}")))),
            bigints(rows.iter().map(|r| Some(r.rows as i64))),
        ],
        Precision::Millisecond,
    )
}
