//! JSON responses of the SQL path on `/ws` (`overview.md` §3–§6, `sql.md` §2–§7).
//!
//! Every response flattens a [`ResponseHeader`] (`code`, `message`, `action`, `req_id`,
//! `timing`). A failed request is answered with the header alone, [`ErrorResponse`].
//! Action-specific fields default when absent, as the official clients accept.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::{Code, ProtocolError};

/// The fields every JSON response carries (`overview.md` §4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseHeader {
    /// TDengine code masked to 16 bits; 0 = success.
    pub code: u32,
    /// Error text, `""` on success.
    #[serde(default)]
    pub message: String,
    /// The request's action (`binary_query` for binary queries).
    pub action: String,
    /// The request's `req_id`.
    #[serde(default)]
    pub req_id: u64,
    /// Nanoseconds spent on the request.
    #[serde(default)]
    pub timing: i64,
}

impl ResponseHeader {
    /// A success header.
    pub fn ok(action: impl Into<String>, req_id: u64, timing: i64) -> Self {
        ResponseHeader {
            code: 0,
            message: String::new(),
            action: action.into(),
            req_id,
            timing,
        }
    }

    /// An error header; `code` goes out as is (it is already 16 bits).
    pub fn error(
        action: impl Into<String>,
        req_id: u64,
        timing: i64,
        code: Code,
        message: impl Into<String>,
    ) -> Self {
        ResponseHeader {
            code: u32::from(code.0),
            message: message.into(),
            action: action.into(),
            req_id,
            timing,
        }
    }

    /// The code as a [`Code`] (masked to 16 bits).
    pub fn code(&self) -> Code {
        Code((self.code & 0xFFFF) as u16)
    }

    /// True when `code` is 0.
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }
}

/// The common error response: the header alone (`overview.md` §6.1).
pub type ErrorResponse = ResponseHeader;

/// `version` response (`overview.md` §3.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Server version, e.g. `3.3.6.0`.
    #[serde(default)]
    pub version: String,
}

/// `conn` response (`overview.md` §3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Server version again.
    #[serde(default)]
    pub version: String,
    /// Server instances, only when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_instances: Option<Vec<String>>,
}

/// The columns of a result set, as `query`, `binary_query` (`sql.md` §2.1) and
/// `stmt2_result` (`stmt2.md` §8) responses describe them. The arrays are `null` for updates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultColumns {
    /// Number of result columns.
    #[serde(default)]
    pub fields_count: i64,
    /// Column names.
    #[serde(default)]
    pub fields_names: Option<Vec<String>>,
    /// Column type codes.
    #[serde(default)]
    pub fields_types: Option<Vec<u8>>,
    /// User-facing column widths (`sql.md` §2.3).
    #[serde(default)]
    pub fields_lengths: Option<Vec<i64>>,
    /// Timestamp precision of the result: 0 ms, 1 µs, 2 ns.
    #[serde(default)]
    pub precision: u8,
    /// DECIMAL precision per column, 0 elsewhere.
    #[serde(default)]
    pub fields_precisions: Option<Vec<i64>>,
    /// DECIMAL scale per column, 0 elsewhere.
    #[serde(default)]
    pub fields_scales: Option<Vec<i64>>,
}

/// `query` / `binary_query` response (`sql.md` §2.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Result id; 0 when `is_update`.
    #[serde(default)]
    pub id: u64,
    /// True when the statement has no result set.
    #[serde(default)]
    pub is_update: bool,
    /// Rows written (INSERT).
    #[serde(default)]
    pub affected_rows: i64,
    /// The result's columns.
    #[serde(flatten)]
    pub columns: ResultColumns,
}

/// `fetch` response (`sql.md` §4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Result id.
    #[serde(default)]
    pub id: u64,
    /// True when no data is left (the result is then freed).
    #[serde(default)]
    pub completed: bool,
    /// Per-column schema widths; null when completed.
    #[serde(default)]
    pub lengths: Option<Vec<i64>>,
    /// Rows in the block.
    #[serde(default)]
    pub rows: i64,
}

/// `num_fields` response (`sql.md` §7.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumFieldsResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Number of columns.
    #[serde(default)]
    pub num_fields: i64,
}

/// `get_current_db` response (`sql.md` §7.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentDbResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Current database.
    #[serde(default)]
    pub db: String,
}

/// `get_server_info` and `get_connection_info` responses (`sql.md` §7.4, §7.9).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The information text.
    #[serde(default)]
    pub info: String,
}

/// `validate_sql` (binary action 10) response (`sql.md` §7.7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidateSqlResponse {
    /// Common fields (`code` 0 even when the SQL is invalid).
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// 0 = valid, else the unmasked negative int32 TDengine code.
    #[serde(default)]
    pub result_code: i64,
}

/// `check_server_status` response (`sql.md` §7.8).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStatusResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// 0 unavailable, 1 network ok, 2 service ok, 3 degraded, 4 exiting.
    #[serde(default)]
    pub status: i32,
    /// Details text.
    #[serde(default)]
    pub details: String,
}

/// Serializes a response into JSON text.
pub fn to_json<T: Serialize>(resp: &T) -> String {
    // Responses hold only strings, integers, booleans and arrays of them: they always serialize.
    serde_json::to_string(resp).unwrap_or_default()
}

/// Decodes a response of the given action from JSON text.
pub fn from_json<T: DeserializeOwned>(
    action: &'static str,
    text: &[u8],
) -> Result<T, ProtocolError> {
    serde_json::from_slice(text).map_err(|source| ProtocolError::BadResponse { action, source })
}

/// Reads only the header of any JSON response (to route it by `action` and `req_id`).
pub fn peek_header(text: &[u8]) -> Result<ResponseHeader, ProtocolError> {
    from_json("any", text)
}
