//! JSON messages of stmt v1 (`stmt2.md` §12), shared by client and server. Actions naming
//! only a statement (`add_batch`, `exec`, `close`, `get_tag_fields`, `get_col_fields`,
//! `use_result`, `stmt_num_params`) take a [`StmtIdRequest`](super::StmtIdRequest); `init`
//! takes a [`ReqIdArgs`](super::ReqIdArgs). The binary `set_tags` (1) / `bind` (2) frames are
//! the 24-byte header followed by a raw block (`taosarrow_codec::stmt1`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ResponseHeader, ResultColumns};

/// `prepare` arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtPrepareRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The statement from `init`.
    #[serde(default)]
    pub stmt_id: u64,
    /// SQL with `?` placeholders.
    #[serde(default)]
    pub sql: String,
}

/// `set_table_name` arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtSetTableNameRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// The (child) table name.
    #[serde(default)]
    pub name: String,
}

/// JSON `set_tags` arguments: one JSON value per tag (`null` = NULL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtSetTagsRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// The tag values, in tag order.
    #[serde(default)]
    pub tags: Value,
}

/// JSON `bind` arguments: one JSON array of row values per column (column-major).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtBindRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// The columns, in column order.
    #[serde(default)]
    pub columns: Value,
}

/// `stmt_get_param` arguments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtGetParamRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// Column index, from 0.
    #[serde(default)]
    pub index: i64,
}

/// `prepare` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtPrepareResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// Whether the SQL is an INSERT.
    #[serde(default)]
    pub is_insert: bool,
}

/// `exec` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtExecResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// Rows written by this exec.
    #[serde(default)]
    pub affected: i64,
}

/// One tag or column of a prepared INSERT (`get_tag_fields` / `get_col_fields`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtField {
    /// Column or tag name.
    #[serde(default)]
    pub name: String,
    /// The data type code (`TSDB_DATA_TYPE_*`).
    #[serde(default)]
    pub field_type: i8,
    /// TIMESTAMP: the database precision (0 ms, 1 µs, 2 ns); DECIMAL: its precision.
    #[serde(default)]
    pub precision: u8,
    /// DECIMAL scale.
    #[serde(default)]
    pub scale: u8,
    /// Declared width.
    #[serde(default)]
    pub bytes: i32,
}

/// `get_tag_fields` / `get_col_fields` response; `fields` is absent (tags) or `null`
/// (columns) when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtFieldsResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// The fields in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<StmtField>>,
}

/// `stmt_num_params` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtNumParamsResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// Number of placeholders (columns of an INSERT, `?` of a query).
    #[serde(default)]
    pub num_params: i64,
}

/// `stmt_get_param` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtGetParamResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// The column index asked for.
    #[serde(default)]
    pub index: i64,
    /// Its data type code.
    #[serde(default)]
    pub data_type: i64,
    /// Its declared width.
    #[serde(default)]
    pub length: i64,
}

/// `use_result` response: a result id fetched like a query result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtUseResultResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// The result id (same id space as `query` results).
    #[serde(default)]
    pub result_id: u64,
    /// The result's columns.
    #[serde(flatten)]
    pub columns: ResultColumns,
}
