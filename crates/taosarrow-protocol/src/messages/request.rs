//! JSON requests of the SQL path on `/ws` (`overview.md` §3–§4, `sql.md` §2–§7).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::head::RequestHead;
use super::schemaless::SchemalessInsertRequest;
use super::stmt1::{
    StmtBindRequest, StmtGetParamRequest, StmtPrepareRequest, StmtSetTableNameRequest,
    StmtSetTagsRequest,
};
use super::stmt2::{Stmt2InitRequest, Stmt2PrepareRequest, StmtIdRequest};
use crate::ProtocolError;

/// `conn` arguments (`overview.md` §3.2). Unknown fields are ignored when decoding. `Debug`
/// never shows the password or the one-time password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// User name.
    #[serde(default)]
    pub user: String,
    /// Password.
    #[serde(default)]
    pub password: String,
    /// Default database; `""` or absent = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<String>,
    /// Connection mode; only 0 (BI mode) is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<i64>,
    /// IANA time zone of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Application name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Client IP to record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Connector identification, e.g. `python-ws-v0.7.0-315f180`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// One-time password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<String>,
    /// Token authentication instead of user/password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<String>,
    /// Ask for the list of server instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_instances: Option<bool>,
}

impl std::fmt::Debug for ConnRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "***");
        f.debug_struct("ConnRequest")
            .field("req_id", &self.req_id)
            .field("user", &self.user)
            .field("password", &"***")
            .field("db", &self.db)
            .field("mode", &self.mode)
            .field("tz", &self.tz)
            .field("app", &self.app)
            .field("ip", &self.ip)
            .field("connector", &self.connector)
            .field("totp_code", &hidden(&self.totp_code))
            .field("bearer_token", &hidden(&self.bearer_token))
            .field("list_instances", &self.list_instances)
            .finish()
    }
}

#[cfg(test)]
mod debug_tests {
    use super::ConnRequest;

    #[test]
    fn debug_hides_the_secrets() {
        let r = ConnRequest {
            user: "root".into(),
            password: "pa55-secret".into(),
            totp_code: Some("123987".into()),
            bearer_token: Some("tok-secret".into()),
            ..ConnRequest::default()
        };
        let text = format!("{r:?}");
        for secret in ["pa55-secret", "123987", "tok-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("root"), "{text}");
    }
}

impl ConnRequest {
    /// The requested database, `None` when absent or empty.
    pub fn database(&self) -> Option<&str> {
        self.db.as_deref().map(str::trim).filter(|d| !d.is_empty())
    }
}

/// `args` holding only a `req_id` (`version`, `get_current_db`, `get_server_info`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReqIdArgs {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
}

/// `query` arguments (`sql.md` §2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// One SQL statement.
    #[serde(default)]
    pub sql: String,
}

/// `fetch`, `fetch_block` and `free_result` arguments (`sql.md` §4, §5, §7.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The result id from the query response.
    #[serde(default)]
    pub id: u64,
}

/// `num_fields` arguments: note the key `result_id` (`sql.md` §7.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumFieldsRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The result id.
    #[serde(default)]
    pub result_id: u64,
}

/// One option of `options_connection` (`sql.md` §7.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnOption {
    /// -1 clear all, 0 charset, 1 time zone, 2 user IP, 3 user app, 4 connector info.
    pub option: i32,
    /// The value, or null.
    #[serde(default)]
    pub value: Option<String>,
}

/// `options_connection` arguments (`sql.md` §7.5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionsConnectionRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// Options, applied in order.
    #[serde(default)]
    pub options: Vec<ConnOption>,
}

/// `check_server_status` arguments (`sql.md` §7.8).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckServerStatusRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// Server FQDN, null = local.
    #[serde(default)]
    pub fqdn: Option<String>,
    /// Port, 0 = default.
    #[serde(default)]
    pub port: i32,
}

/// `get_connection_info` arguments (`sql.md` §7.9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfoRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// 0 = user name.
    #[serde(default)]
    pub info: i32,
}

/// Every JSON request of the SQL path, tagged by `action` with its `args`.
///
/// Serializes to `{"action":"…","args":{…}}`; a `version` request with `req_id` 0 is sent
/// without `args`, as the official clients do. Decode with [`Request::parse`], which reports
/// taosAdapter's error texts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// `version`; `args` may be absent, null or `{"req_id":N}`.
    Version(ReqIdArgs),
    /// `conn`: authenticate and pick a database.
    Conn(Box<ConnRequest>),
    /// `query`: run one SQL statement.
    Query(QueryRequest),
    /// `fetch`: next block of a result (legacy JSON path).
    Fetch(ResultRequest),
    /// `fetch_block`: the block of the last `fetch`, answered in binary.
    FetchBlock(ResultRequest),
    /// `free_result`: never answered.
    FreeResult(ResultRequest),
    /// `num_fields`.
    NumFields(NumFieldsRequest),
    /// `get_current_db`.
    GetCurrentDb(ReqIdArgs),
    /// `get_server_info`.
    GetServerInfo(ReqIdArgs),
    /// `options_connection`.
    OptionsConnection(OptionsConnectionRequest),
    /// `check_server_status`.
    CheckServerStatus(CheckServerStatusRequest),
    /// `get_connection_info`.
    GetConnectionInfo(ConnectionInfoRequest),
    /// `stmt2_init`: a new statement (`stmt2.md` §3).
    Stmt2Init(Stmt2InitRequest),
    /// `stmt2_prepare` (`stmt2.md` §4).
    Stmt2Prepare(Stmt2PrepareRequest),
    /// `stmt2_exec` (`stmt2.md` §7).
    Stmt2Exec(StmtIdRequest),
    /// `stmt2_result` (`stmt2.md` §8).
    Stmt2Result(StmtIdRequest),
    /// `stmt2_close` (`stmt2.md` §9).
    Stmt2Close(StmtIdRequest),
    /// `insert`: a schemaless payload (`schemaless.md` §1).
    SchemalessInsert(SchemalessInsertRequest),
    /// stmt v1 `init`: a new statement (`stmt2.md` §12).
    StmtInit(ReqIdArgs),
    /// stmt v1 `prepare`.
    StmtPrepare(StmtPrepareRequest),
    /// stmt v1 `set_table_name`.
    StmtSetTableName(StmtSetTableNameRequest),
    /// stmt v1 JSON `set_tags`.
    StmtSetTags(StmtSetTagsRequest),
    /// stmt v1 JSON `bind`.
    StmtBind(StmtBindRequest),
    /// stmt v1 `add_batch`.
    StmtAddBatch(StmtIdRequest),
    /// stmt v1 `exec`.
    StmtExec(StmtIdRequest),
    /// stmt v1 `close`: answered only when it fails.
    StmtClose(StmtIdRequest),
    /// stmt v1 `get_tag_fields`.
    StmtGetTagFields(StmtIdRequest),
    /// stmt v1 `get_col_fields`.
    StmtGetColFields(StmtIdRequest),
    /// stmt v1 `use_result`.
    StmtUseResult(StmtIdRequest),
    /// stmt v1 `stmt_num_params`.
    StmtNumParams(StmtIdRequest),
    /// stmt v1 `stmt_get_param`.
    StmtGetParam(StmtGetParamRequest),
}

impl Request {
    /// Decodes a text frame, with taosAdapter's error for each kind of failure: bad JSON →
    /// [`ProtocolError::Unmarshal`], no action → [`ProtocolError::NoAction`], unknown action
    /// → [`ProtocolError::UnknownAction`], bad `args` → [`ProtocolError::BadArgs`] (carrying
    /// the `req_id` when it could be read). Absent or null `args` decode as defaults.
    pub fn parse(text: &[u8]) -> Result<Request, ProtocolError> {
        let head = RequestHead::parse(text)?;
        Request::parse_with_head(&head, text)
    }

    /// Decodes the request whose [`RequestHead`] was read from `text` already: only its
    /// `args` are parsed, once, into the action's type. [`ProtocolError::UnknownAction`] for
    /// an action this crate does not know.
    pub fn parse_with_head(head: &RequestHead, text: &[u8]) -> Result<Request, ProtocolError> {
        Ok(match head.require_action()? {
            "version" => Request::Version(head.args(text)?),
            "conn" => Request::Conn(Box::new(head.args(text)?)),
            "query" => Request::Query(head.args(text)?),
            "fetch" => Request::Fetch(head.args(text)?),
            "fetch_block" => Request::FetchBlock(head.args(text)?),
            "free_result" => Request::FreeResult(head.args(text)?),
            "num_fields" => Request::NumFields(head.args(text)?),
            "get_current_db" => Request::GetCurrentDb(head.args(text)?),
            "get_server_info" => Request::GetServerInfo(head.args(text)?),
            "options_connection" => Request::OptionsConnection(head.args(text)?),
            "check_server_status" => Request::CheckServerStatus(head.args(text)?),
            "get_connection_info" => Request::GetConnectionInfo(head.args(text)?),
            "stmt2_init" => Request::Stmt2Init(head.args(text)?),
            "stmt2_prepare" => Request::Stmt2Prepare(head.args(text)?),
            "stmt2_exec" => Request::Stmt2Exec(head.args(text)?),
            "stmt2_result" => Request::Stmt2Result(head.args(text)?),
            "stmt2_close" => Request::Stmt2Close(head.args(text)?),
            "insert" => Request::SchemalessInsert(head.args(text)?),
            "init" => Request::StmtInit(head.args(text)?),
            "prepare" => Request::StmtPrepare(head.args(text)?),
            "set_table_name" => Request::StmtSetTableName(head.args(text)?),
            "set_tags" => Request::StmtSetTags(head.args(text)?),
            "bind" => Request::StmtBind(head.args(text)?),
            "add_batch" => Request::StmtAddBatch(head.args(text)?),
            "exec" => Request::StmtExec(head.args(text)?),
            "close" => Request::StmtClose(head.args(text)?),
            "get_tag_fields" => Request::StmtGetTagFields(head.args(text)?),
            "get_col_fields" => Request::StmtGetColFields(head.args(text)?),
            "use_result" => Request::StmtUseResult(head.args(text)?),
            "stmt_num_params" => Request::StmtNumParams(head.args(text)?),
            "stmt_get_param" => Request::StmtGetParam(head.args(text)?),
            _ => return Err(ProtocolError::UnknownAction(head.action.clone())),
        })
    }

    /// The action name, as sent in `action`.
    pub fn action(&self) -> &'static str {
        match self {
            Request::Version(_) => "version",
            Request::Conn(_) => "conn",
            Request::Query(_) => "query",
            Request::Fetch(_) => "fetch",
            Request::FetchBlock(_) => "fetch_block",
            Request::FreeResult(_) => "free_result",
            Request::NumFields(_) => "num_fields",
            Request::GetCurrentDb(_) => "get_current_db",
            Request::GetServerInfo(_) => "get_server_info",
            Request::OptionsConnection(_) => "options_connection",
            Request::CheckServerStatus(_) => "check_server_status",
            Request::GetConnectionInfo(_) => "get_connection_info",
            Request::Stmt2Init(_) => "stmt2_init",
            Request::Stmt2Prepare(_) => "stmt2_prepare",
            Request::Stmt2Exec(_) => "stmt2_exec",
            Request::Stmt2Result(_) => "stmt2_result",
            Request::Stmt2Close(_) => "stmt2_close",
            Request::SchemalessInsert(_) => "insert",
            Request::StmtInit(_) => "init",
            Request::StmtPrepare(_) => "prepare",
            Request::StmtSetTableName(_) => "set_table_name",
            Request::StmtSetTags(_) => "set_tags",
            Request::StmtBind(_) => "bind",
            Request::StmtAddBatch(_) => "add_batch",
            Request::StmtExec(_) => "exec",
            Request::StmtClose(_) => "close",
            Request::StmtGetTagFields(_) => "get_tag_fields",
            Request::StmtGetColFields(_) => "get_col_fields",
            Request::StmtUseResult(_) => "use_result",
            Request::StmtNumParams(_) => "stmt_num_params",
            Request::StmtGetParam(_) => "stmt_get_param",
        }
    }

    /// The request's `req_id`.
    pub fn req_id(&self) -> u64 {
        match self {
            Request::Conn(r) => r.req_id,
            Request::Query(r) => r.req_id,
            Request::Fetch(r) | Request::FetchBlock(r) | Request::FreeResult(r) => r.req_id,
            Request::NumFields(r) => r.req_id,
            Request::Version(r) | Request::GetCurrentDb(r) | Request::GetServerInfo(r) => r.req_id,
            Request::OptionsConnection(r) => r.req_id,
            Request::CheckServerStatus(r) => r.req_id,
            Request::GetConnectionInfo(r) => r.req_id,
            Request::Stmt2Init(r) => r.req_id,
            Request::Stmt2Prepare(r) => r.req_id,
            Request::Stmt2Exec(r) | Request::Stmt2Result(r) | Request::Stmt2Close(r) => r.req_id,
            Request::SchemalessInsert(r) => r.req_id,
            Request::StmtInit(r) => r.req_id,
            Request::StmtPrepare(r) => r.req_id,
            Request::StmtSetTableName(r) => r.req_id,
            Request::StmtSetTags(r) => r.req_id,
            Request::StmtBind(r) => r.req_id,
            Request::StmtAddBatch(r)
            | Request::StmtExec(r)
            | Request::StmtClose(r)
            | Request::StmtGetTagFields(r)
            | Request::StmtGetColFields(r)
            | Request::StmtUseResult(r)
            | Request::StmtNumParams(r) => r.req_id,
            Request::StmtGetParam(r) => r.req_id,
        }
    }

    fn args_value(&self) -> Result<Option<Value>, serde_json::Error> {
        let v = match self {
            Request::Version(r) if r.req_id == 0 => return Ok(None),
            Request::Version(r) | Request::GetCurrentDb(r) | Request::GetServerInfo(r) => {
                serde_json::to_value(r)
            }
            Request::Conn(r) => serde_json::to_value(r),
            Request::Query(r) => serde_json::to_value(r),
            Request::Fetch(r) | Request::FetchBlock(r) | Request::FreeResult(r) => {
                serde_json::to_value(r)
            }
            Request::NumFields(r) => serde_json::to_value(r),
            Request::OptionsConnection(r) => serde_json::to_value(r),
            Request::CheckServerStatus(r) => serde_json::to_value(r),
            Request::GetConnectionInfo(r) => serde_json::to_value(r),
            Request::Stmt2Init(r) => serde_json::to_value(r),
            Request::Stmt2Prepare(r) => serde_json::to_value(r),
            Request::Stmt2Exec(r) | Request::Stmt2Result(r) | Request::Stmt2Close(r) => {
                serde_json::to_value(r)
            }
            Request::SchemalessInsert(r) => serde_json::to_value(r),
            Request::StmtInit(r) => serde_json::to_value(r),
            Request::StmtPrepare(r) => serde_json::to_value(r),
            Request::StmtSetTableName(r) => serde_json::to_value(r),
            Request::StmtSetTags(r) => serde_json::to_value(r),
            Request::StmtBind(r) => serde_json::to_value(r),
            Request::StmtAddBatch(r)
            | Request::StmtExec(r)
            | Request::StmtClose(r)
            | Request::StmtGetTagFields(r)
            | Request::StmtGetColFields(r)
            | Request::StmtUseResult(r)
            | Request::StmtNumParams(r) => serde_json::to_value(r),
            Request::StmtGetParam(r) => serde_json::to_value(r),
        };
        v.map(Some)
    }

    /// Serializes into JSON text.
    pub fn to_json(&self) -> String {
        // Plain strings and integers always serialize; `Display` of a Value cannot fail.
        let mut obj = serde_json::Map::new();
        obj.insert("action".into(), Value::from(self.action()));
        if let Ok(Some(args)) = self.args_value() {
            obj.insert("args".into(), args);
        }
        Value::Object(obj).to_string()
    }
}
