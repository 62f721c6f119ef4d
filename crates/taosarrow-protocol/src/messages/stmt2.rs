//! JSON messages of stmt2 (`stmt2.md` §3–§9), shared by client and server. The binary
//! `stmt2_bind` / `stmt2_bind_exec` frames are in `taosarrow_codec::stmt2`.

use serde::{Deserialize, Serialize};

use super::{ResponseHeader, ResultColumns};

/// `stmt2_init` arguments (`stmt2.md` §3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stmt2InitRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// Promise: one exec writes child tables of a single super table only.
    #[serde(default)]
    pub single_stb_insert: bool,
    /// Promise: each child table is bound at most once per exec.
    #[serde(default)]
    pub single_table_bind_once: bool,
}

/// `stmt2_prepare` arguments (`stmt2.md` §4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stmt2PrepareRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The statement from `stmt2_init`.
    #[serde(default)]
    pub stmt_id: u64,
    /// SQL with `?` placeholders.
    #[serde(default)]
    pub sql: String,
    /// Whether the response should describe every placeholder.
    #[serde(default)]
    pub get_fields: bool,
}

/// Arguments naming one statement: `stmt2_exec`, `stmt2_result`, `stmt2_close` and most
/// stmt v1 actions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtIdRequest {
    /// Request id, echoed.
    #[serde(default)]
    pub req_id: u64,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
}

/// One placeholder of a prepared statement (`stmt2.md` §4, `TAOS_FIELD_ALL`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stmt2Field {
    /// Column or tag name; `tbname` for the table-name placeholder.
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
    /// The role: 1 column, 2 tag, 3 query parameter, 4 table name.
    #[serde(default)]
    pub bind_type: i8,
}

/// The `bind_type` of a column placeholder.
pub const BIND_TYPE_COLUMN: i8 = 1;
/// The `bind_type` of a tag placeholder.
pub const BIND_TYPE_TAG: i8 = 2;
/// The `bind_type` of a query parameter.
pub const BIND_TYPE_QUERY: i8 = 3;
/// The `bind_type` of the table-name placeholder.
pub const BIND_TYPE_TABLE_NAME: i8 = 4;

/// A stmt2 response carrying only the header and `stmt_id`: `stmt2_init`, `stmt2_bind`,
/// `stmt2_close`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
}

/// `stmt2_prepare` response (`stmt2.md` §4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stmt2PrepareResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// Whether the SQL is an INSERT.
    #[serde(default)]
    pub is_insert: bool,
    /// The placeholders in order; `null` for a query or when not asked for.
    #[serde(default)]
    pub fields: Option<Vec<Stmt2Field>>,
    /// Number of placeholders.
    #[serde(default)]
    pub fields_count: i64,
}

/// `stmt2_exec` (and `stmt2_bind_exec`) response (`stmt2.md` §7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stmt2ExecResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// Rows written by this exec (0 for a query).
    #[serde(default)]
    pub affected: i64,
}

/// `stmt2_result` response (`stmt2.md` §8): a result id fetched like a query result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stmt2ResultResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// The statement.
    #[serde(default)]
    pub stmt_id: u64,
    /// The result id (same id space as `query` results).
    #[serde(default)]
    pub id: u64,
    /// The result's columns.
    #[serde(flatten)]
    pub columns: ResultColumns,
}
