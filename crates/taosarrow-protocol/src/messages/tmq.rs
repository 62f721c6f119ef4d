//! JSON requests and responses of the TMQ endpoint `/rest/tmq` (`tmq.md` §3).
//!
//! Requests: build a [`TmqRequest`] and send [`TmqRequest::to_json`]; a server decodes with
//! [`TmqRequest::parse`]. Responses are serde structs flattening a [`ResponseHeader`], encoded
//! and decoded with [`to_json`](super::to_json) / [`from_json`](super::from_json).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::head::RequestHead;
use super::request::ReqIdArgs;
use super::response::ResponseHeader;
use crate::ProtocolError;

/// `committed`'s value for a vgroup with nothing committed: `TSDB_CODE_TMQ_NO_COMMITTED`
/// (0x80004011) read as a signed 32-bit number (`tmq.md` §3.11).
pub const TMQ_NO_COMMITTED: i64 = -2147467247;
/// Poll message type: data rows (`TMQ_RES_DATA`).
pub const TMQ_RES_DATA: u8 = 1;
/// Poll message type: table meta (`TMQ_RES_TABLE_META`).
pub const TMQ_RES_TABLE_META: u8 = 2;
/// Poll message type: meta and data (`TMQ_RES_METADATA`).
pub const TMQ_RES_METADATA: u8 = 3;
/// The adapter-side error code of TMQ requests (`tmq.md` §1).
pub const TMQ_ADAPTER_ERROR: u16 = 0xFFFF;

/// `subscribe` arguments (`tmq.md` §3.2). Every option is a string on the wire; absent ones
/// are `None`. `Debug` never shows the password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqSubscribeRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// User name (`td.connect.user`).
    #[serde(default)]
    pub user: String,
    /// Password (`td.connect.pass`).
    #[serde(default)]
    pub password: String,
    /// Database (`td.connect.db`), used only when non-empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<String>,
    /// `group.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// `client.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `auto.offset.reset`; wins over [`offset_rest`](Self::offset_rest) when non-empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_reset: Option<String>,
    /// `auto.offset.reset` under its legacy misspelling, which the Rust client sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_rest: Option<String>,
    /// `experimental.snapshot.enable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_enable: Option<String>,
    /// `msg.with.table.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_table_name: Option<String>,
    /// `enable.auto.commit`, handled by the server itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_commit: Option<String>,
    /// `auto.commit.interval.ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_commit_interval_ms: Option<String>,
    /// `msg.enable.batchmeta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_batch_meta: Option<String>,
    /// `msg.consume.excluded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_consume_excluded: Option<String>,
    /// `msg.consume.rawdata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_consume_rawdata: Option<String>,
    /// `session.timeout.ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_timeout_ms: Option<String>,
    /// `max.poll.interval.ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_poll_interval_ms: Option<String>,
    /// Time zone of the consumer's connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Application name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Client IP to record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Connector identification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// Ask for the list of server instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_instances: Option<bool>,
    /// Topic names.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Further TDengine options, applied after the fields above.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
}

impl std::fmt::Debug for TmqSubscribeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config: BTreeMap<&str, &str> = self
            .config
            .iter()
            .map(|(k, v)| {
                let secret = k.contains("pass") || k.contains("token");
                (k.as_str(), if secret { "***" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("TmqSubscribeRequest")
            .field("req_id", &self.req_id)
            .field("user", &self.user)
            .field("password", &"***")
            .field("db", &self.db)
            .field("group_id", &self.group_id)
            .field("client_id", &self.client_id)
            .field("offset_reset", &self.offset_reset)
            .field("offset_rest", &self.offset_rest)
            .field("snapshot_enable", &self.snapshot_enable)
            .field("with_table_name", &self.with_table_name)
            .field("auto_commit", &self.auto_commit)
            .field("auto_commit_interval_ms", &self.auto_commit_interval_ms)
            .field("enable_batch_meta", &self.enable_batch_meta)
            .field("msg_consume_excluded", &self.msg_consume_excluded)
            .field("msg_consume_rawdata", &self.msg_consume_rawdata)
            .field("session_timeout_ms", &self.session_timeout_ms)
            .field("max_poll_interval_ms", &self.max_poll_interval_ms)
            .field("tz", &self.tz)
            .field("app", &self.app)
            .field("ip", &self.ip)
            .field("connector", &self.connector)
            .field("list_instances", &self.list_instances)
            .field("topics", &self.topics)
            .field("config", &config)
            .finish()
    }
}

/// `poll` arguments (`tmq.md` §3.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqPollRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// Milliseconds the poll may wait for data.
    #[serde(default)]
    pub blocking_time: i64,
    /// The id of the last message the client received; a different held message is re-sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u64>,
}

/// Arguments naming the held message: every fetch action and `commit` (`tmq.md` §3.4, §3.9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqMessageRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The held message's id.
    #[serde(default)]
    pub message_id: u64,
}

/// `commit_offset` arguments (`tmq.md` §3.10).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqCommitOffsetRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// Topic name.
    #[serde(default)]
    pub topic: String,
    /// Vgroup id.
    #[serde(default)]
    pub vgroup_id: i32,
    /// Offset to commit.
    #[serde(default)]
    pub offset: i64,
}

/// `seek` arguments (`tmq.md` §3.12).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqSeekRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// Topic name.
    #[serde(default)]
    pub topic: String,
    /// Vgroup id.
    #[serde(default)]
    pub vgroup_id: i32,
    /// The offset the next poll of that vgroup starts at.
    #[serde(default)]
    pub offset: i64,
}

/// One (topic, vgroup) pair of `committed` / `position` (`tmq.md` §3.11).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqTopicVgroup {
    /// Topic name.
    #[serde(default)]
    pub topic: String,
    /// Vgroup id.
    #[serde(default)]
    pub vgroup_id: i32,
}

/// `committed` and `position` arguments (`tmq.md` §3.11).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqTopicVgroupsRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The pairs asked about; the response answers in this order.
    #[serde(default)]
    pub topic_vgroup_ids: Vec<TmqTopicVgroup>,
}

/// `assignment` arguments (`tmq.md` §3.13).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqAssignmentRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// Topic name.
    #[serde(default)]
    pub topic: String,
}

/// Every JSON request of `/rest/tmq`, tagged by `action` with its `args`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TmqRequest {
    /// `version`; `args` may be absent.
    Version(ReqIdArgs),
    /// `subscribe`: credentials, consumer options and topics.
    Subscribe(Box<TmqSubscribeRequest>),
    /// `poll`.
    Poll(TmqPollRequest),
    /// `fetch_raw_data`: the held message's rows, answered in binary (§3.5).
    FetchRawData(TmqMessageRequest),
    /// `fetch_raw`: the held message's raw bytes, legacy binary layout (§3.6).
    FetchRaw(TmqMessageRequest),
    /// `fetch`: next block of the held message (legacy, §3.7).
    Fetch(TmqMessageRequest),
    /// `fetch_block`: the block of the last `fetch`, answered in binary.
    FetchBlock(TmqMessageRequest),
    /// `fetch_json_meta` (§3.8).
    FetchJsonMeta(TmqMessageRequest),
    /// `commit`: all current positions (§3.9).
    Commit(TmqMessageRequest),
    /// `commit_offset` (§3.10).
    CommitOffset(TmqCommitOffsetRequest),
    /// `committed` (§3.11).
    Committed(TmqTopicVgroupsRequest),
    /// `position` (§3.11).
    Position(TmqTopicVgroupsRequest),
    /// `seek` (§3.12).
    Seek(TmqSeekRequest),
    /// `assignment` (§3.13).
    Assignment(TmqAssignmentRequest),
    /// `list_topics` (§3.14).
    ListTopics(ReqIdArgs),
    /// `unsubscribe` (§3.14).
    Unsubscribe(ReqIdArgs),
}

impl TmqRequest {
    /// Decodes a text frame. Bad JSON, a missing or unknown action and bad `args` are errors
    /// (the server answers none of them, `tmq.md` §1).
    pub fn parse(text: &[u8]) -> Result<TmqRequest, ProtocolError> {
        let head = RequestHead::parse(text)?;
        TmqRequest::parse_with_head(&head, text)
    }

    /// Decodes the request whose [`RequestHead`] was read from `text` already.
    pub fn parse_with_head(head: &RequestHead, text: &[u8]) -> Result<TmqRequest, ProtocolError> {
        Ok(match head.require_action()? {
            "version" => TmqRequest::Version(head.args(text)?),
            "subscribe" => TmqRequest::Subscribe(Box::new(head.args(text)?)),
            "poll" => TmqRequest::Poll(head.args(text)?),
            "fetch_raw_data" => TmqRequest::FetchRawData(head.args(text)?),
            "fetch_raw" => TmqRequest::FetchRaw(head.args(text)?),
            "fetch" => TmqRequest::Fetch(head.args(text)?),
            "fetch_block" => TmqRequest::FetchBlock(head.args(text)?),
            "fetch_json_meta" => TmqRequest::FetchJsonMeta(head.args(text)?),
            "commit" => TmqRequest::Commit(head.args(text)?),
            "commit_offset" => TmqRequest::CommitOffset(head.args(text)?),
            "committed" => TmqRequest::Committed(head.args(text)?),
            "position" => TmqRequest::Position(head.args(text)?),
            "seek" => TmqRequest::Seek(head.args(text)?),
            "assignment" => TmqRequest::Assignment(head.args(text)?),
            "list_topics" => TmqRequest::ListTopics(head.args(text)?),
            "unsubscribe" => TmqRequest::Unsubscribe(head.args(text)?),
            _ => return Err(ProtocolError::UnknownAction(head.action.clone())),
        })
    }

    /// The action name, as sent in `action`.
    pub fn action(&self) -> &'static str {
        match self {
            TmqRequest::Version(_) => "version",
            TmqRequest::Subscribe(_) => "subscribe",
            TmqRequest::Poll(_) => "poll",
            TmqRequest::FetchRawData(_) => "fetch_raw_data",
            TmqRequest::FetchRaw(_) => "fetch_raw",
            TmqRequest::Fetch(_) => "fetch",
            TmqRequest::FetchBlock(_) => "fetch_block",
            TmqRequest::FetchJsonMeta(_) => "fetch_json_meta",
            TmqRequest::Commit(_) => "commit",
            TmqRequest::CommitOffset(_) => "commit_offset",
            TmqRequest::Committed(_) => "committed",
            TmqRequest::Position(_) => "position",
            TmqRequest::Seek(_) => "seek",
            TmqRequest::Assignment(_) => "assignment",
            TmqRequest::ListTopics(_) => "list_topics",
            TmqRequest::Unsubscribe(_) => "unsubscribe",
        }
    }

    /// The request's `req_id`.
    pub fn req_id(&self) -> u64 {
        match self {
            TmqRequest::Version(r) | TmqRequest::ListTopics(r) | TmqRequest::Unsubscribe(r) => {
                r.req_id
            }
            TmqRequest::Subscribe(r) => r.req_id,
            TmqRequest::Poll(r) => r.req_id,
            TmqRequest::FetchRawData(r)
            | TmqRequest::FetchRaw(r)
            | TmqRequest::Fetch(r)
            | TmqRequest::FetchBlock(r)
            | TmqRequest::FetchJsonMeta(r)
            | TmqRequest::Commit(r) => r.req_id,
            TmqRequest::CommitOffset(r) => r.req_id,
            TmqRequest::Committed(r) | TmqRequest::Position(r) => r.req_id,
            TmqRequest::Seek(r) => r.req_id,
            TmqRequest::Assignment(r) => r.req_id,
        }
    }

    /// The `message_id` the request names, if it names one (errors echo it).
    pub fn message_id(&self) -> Option<u64> {
        match self {
            TmqRequest::Poll(r) => r.message_id,
            TmqRequest::FetchRawData(r)
            | TmqRequest::FetchRaw(r)
            | TmqRequest::Fetch(r)
            | TmqRequest::FetchBlock(r)
            | TmqRequest::FetchJsonMeta(r)
            | TmqRequest::Commit(r) => Some(r.message_id),
            _ => None,
        }
    }

    fn args_value(&self) -> Result<Option<Value>, serde_json::Error> {
        let v = match self {
            TmqRequest::Version(r) if r.req_id == 0 => return Ok(None),
            TmqRequest::Version(r) | TmqRequest::ListTopics(r) | TmqRequest::Unsubscribe(r) => {
                serde_json::to_value(r)
            }
            TmqRequest::Subscribe(r) => serde_json::to_value(r),
            TmqRequest::Poll(r) => serde_json::to_value(r),
            TmqRequest::FetchRawData(r)
            | TmqRequest::FetchRaw(r)
            | TmqRequest::Fetch(r)
            | TmqRequest::FetchBlock(r)
            | TmqRequest::FetchJsonMeta(r)
            | TmqRequest::Commit(r) => serde_json::to_value(r),
            TmqRequest::CommitOffset(r) => serde_json::to_value(r),
            TmqRequest::Committed(r) | TmqRequest::Position(r) => serde_json::to_value(r),
            TmqRequest::Seek(r) => serde_json::to_value(r),
            TmqRequest::Assignment(r) => serde_json::to_value(r),
        };
        v.map(Some)
    }

    /// Serializes into JSON text; `version` with `req_id` 0 goes without `args`.
    pub fn to_json(&self) -> String {
        let mut obj = serde_json::Map::new();
        obj.insert("action".into(), Value::from(self.action()));
        if let Ok(Some(args)) = self.args_value() {
            obj.insert("args".into(), args);
        }
        Value::Object(obj).to_string()
    }
}

/// An error response of `/rest/tmq`: the header, plus the request's `message_id` when it had
/// one (`tmq.md` §1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqErrorResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The request's message id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u64>,
}

/// `subscribe` response (`tmq.md` §3.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqSubscribeResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Server version.
    #[serde(default)]
    pub version: String,
}

/// `poll` response (`tmq.md` §3.3); without a message the other fields are zero/empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqPollResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Whether a message arrived within `blocking_time`.
    #[serde(default)]
    pub have_message: bool,
    /// Topic of the message.
    #[serde(default)]
    pub topic: String,
    /// Database of the message.
    #[serde(default)]
    pub database: String,
    /// Vgroup of the message.
    #[serde(default)]
    pub vgroup_id: i32,
    /// [`TMQ_RES_DATA`], [`TMQ_RES_TABLE_META`] or [`TMQ_RES_METADATA`].
    #[serde(default)]
    pub message_type: u8,
    /// Handle to fetch the message with.
    #[serde(default)]
    pub message_id: u64,
    /// The message's vgroup offset.
    #[serde(default)]
    pub offset: i64,
}

/// Legacy `fetch` response (`tmq.md` §3.7): the next block's description, or `completed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqFetchResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The held message's id.
    #[serde(default)]
    pub message_id: u64,
    /// True when the message has no more blocks.
    #[serde(default)]
    pub completed: bool,
    /// Table of the block.
    #[serde(default)]
    pub table_name: String,
    /// Rows of the block.
    #[serde(default)]
    pub rows: i64,
    /// Number of columns.
    #[serde(default)]
    pub fields_count: i64,
    /// Column names.
    #[serde(default)]
    pub fields_names: Option<Vec<String>>,
    /// Column type codes.
    #[serde(default)]
    pub fields_types: Option<Vec<u8>>,
    /// Column widths.
    #[serde(default)]
    pub fields_lengths: Option<Vec<i64>>,
    /// Timestamp precision: 0 ms, 1 µs, 2 ns.
    #[serde(default)]
    pub precision: u8,
}

/// `fetch_json_meta` response (`tmq.md` §3.8).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TmqFetchJsonMetaResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The held message's id.
    #[serde(default)]
    pub message_id: u64,
    /// The TDengine JSON meta, or null (always present on the wire).
    pub data: Value,
}

/// `commit` response (`tmq.md` §3.9).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqCommitResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The request's message id, echoed.
    #[serde(default)]
    pub message_id: u64,
}

/// `commit_offset` response (`tmq.md` §3.10), echoing the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqCommitOffsetResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Topic name.
    #[serde(default)]
    pub topic: String,
    /// Vgroup id.
    #[serde(default)]
    pub vgroup_id: i32,
    /// Committed offset.
    #[serde(default)]
    pub offset: i64,
}

/// `committed` response (`tmq.md` §3.11): one value per requested pair, [`TMQ_NO_COMMITTED`]
/// where nothing is committed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqCommittedResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Committed offsets, in request order.
    #[serde(default)]
    pub committed: Vec<i64>,
}

/// `position` response (`tmq.md` §3.11).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqPositionResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Positions, in request order.
    #[serde(default)]
    pub position: Vec<i64>,
}

/// `seek` response (`tmq.md` §3.12): the header alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqSeekResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
}

/// One vgroup of an `assignment` response (`tmq.md` §3.13).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqAssignment {
    /// Vgroup id.
    #[serde(default)]
    pub vgroup_id: i32,
    /// Current position.
    #[serde(default)]
    pub offset: i64,
    /// First retained version.
    #[serde(default)]
    pub begin: i64,
    /// Last retained version.
    #[serde(default)]
    pub end: i64,
}

/// `assignment` response (`tmq.md` §3.13).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqAssignmentResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The topic's vgroups assigned to this consumer.
    #[serde(default)]
    pub assignment: Vec<TmqAssignment>,
}

/// `list_topics` response (`tmq.md` §3.14).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqListTopicsResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Subscribed topics.
    #[serde(default)]
    pub topics: Vec<String>,
}

/// `unsubscribe` response (`tmq.md` §3.14): the header alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmqUnsubscribeResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{from_json, to_json};

    #[test]
    fn requests_round_trip() {
        let reqs = [
            TmqRequest::Version(ReqIdArgs { req_id: 0 }),
            TmqRequest::Subscribe(Box::new(TmqSubscribeRequest {
                req_id: 1,
                user: "root".into(),
                password: "taosdata".into(),
                group_id: Some("g1".into()),
                offset_rest: Some("earliest".into()),
                topics: vec!["t1".into()],
                config: [("td.connect.token".to_string(), "x".to_string())].into(),
                ..TmqSubscribeRequest::default()
            })),
            TmqRequest::Poll(TmqPollRequest {
                req_id: 5,
                blocking_time: 2500,
                message_id: Some(0),
            }),
            TmqRequest::FetchRawData(TmqMessageRequest {
                req_id: 100,
                message_id: 1,
            }),
            TmqRequest::Committed(TmqTopicVgroupsRequest {
                req_id: 14,
                topic_vgroup_ids: vec![TmqTopicVgroup {
                    topic: "t".into(),
                    vgroup_id: 56,
                }],
            }),
            TmqRequest::Seek(TmqSeekRequest {
                req_id: 16,
                topic: "t".into(),
                vgroup_id: 56,
                offset: 0,
            }),
        ];
        for req in reqs {
            let text = req.to_json();
            assert_eq!(TmqRequest::parse(text.as_bytes()).unwrap(), req, "{text}");
        }
    }

    #[test]
    fn parses_the_spec_examples_and_rejects_unknown_actions() {
        let sub = br#"{"action":"subscribe","args":{"req_id":1,"user":"root","password":"taosdata","db":"","group_id":"g1","client_id":"c1","offset_rest":"earliest","snapshot_enable":"false","with_table_name":"true","auto_commit":"false","enable_batch_meta":"1","topics":["topic_meters"],"config":{"td.connect.token":"s3cr3t"}}}"#;
        let TmqRequest::Subscribe(s) = TmqRequest::parse(sub).unwrap() else {
            panic!("not a subscribe")
        };
        assert_eq!(s.offset_rest.as_deref(), Some("earliest"));
        assert_eq!(s.topics, ["topic_meters"]);
        assert!(!format!("{s:?}").contains("taosdata"));
        assert!(!format!("{s:?}").contains("s3cr3t"));
        assert_eq!(
            TmqRequest::parse(br#"{"action":"version"}"#).unwrap(),
            TmqRequest::Version(ReqIdArgs { req_id: 0 })
        );
        assert!(matches!(
            TmqRequest::parse(br#"{"action":"close","args":{}}"#),
            Err(ProtocolError::UnknownAction(_))
        ));
        assert!(TmqRequest::parse(b"{not json").is_err());
    }

    #[test]
    fn poll_response_matches_the_spec_shape() {
        let text = r#"{"code":0,"message":"","action":"poll","req_id":5,"timing":1277505,"have_message":true,"topic":"topic_meters","database":"power","vgroup_id":56,"message_type":1,"message_id":1561,"offset":5621}"#;
        let r: TmqPollResponse = from_json("poll", text.as_bytes()).unwrap();
        assert_eq!((r.vgroup_id, r.message_id, r.offset), (56, 1561, 5621));
        let back: TmqPollResponse = from_json("poll", to_json(&r).as_bytes()).unwrap();
        assert_eq!(back, r);
        let err = TmqErrorResponse {
            header: ResponseHeader::error("fetch_raw", 3, 0, crate::Code(0xFFFF), "x"),
            message_id: Some(7),
        };
        assert!(to_json(&err).contains(r#""message_id":7"#));
    }
}
