//! JSON requests and responses of the SQL path on `/ws`, shared by client and server.
//!
//! Requests: build a [`Request`] and send [`Request::to_json`]; a server decodes with
//! [`Request::parse`]. Responses: serde structs flattening a [`ResponseHeader`]; encode with
//! [`to_json`], decode with [`from_json`].
//!
//! ```
//! use taosarrow_protocol::messages::{QueryRequest, Request};
//! let req = Request::Query(QueryRequest { req_id: 12, sql: "select 1".into() });
//! let text = req.to_json();
//! assert_eq!(Request::parse(text.as_bytes()).unwrap(), req);
//! ```

mod head;
mod request;
mod response;
mod schemaless;
mod stmt1;
mod stmt2;
mod tmq;

pub use head::{ArgsShape, RequestHead};
pub use request::{
    CheckServerStatusRequest, ConnOption, ConnRequest, ConnectionInfoRequest, NumFieldsRequest,
    OptionsConnectionRequest, QueryRequest, ReqIdArgs, Request, ResultRequest,
};
pub use response::{
    from_json, peek_header, to_json, ConnResponse, CurrentDbResponse, ErrorResponse, FetchResponse,
    InfoResponse, NumFieldsResponse, QueryResponse, ResponseHeader, ResultColumns,
    ServerStatusResponse, ValidateSqlResponse, VersionResponse,
};
pub use schemaless::{escaped_len, SchemalessInsertRequest, SchemalessInsertResponse};
pub use stmt1::{
    StmtBindRequest, StmtExecResponse, StmtField, StmtFieldsResponse, StmtGetParamRequest,
    StmtGetParamResponse, StmtNumParamsResponse, StmtPrepareRequest, StmtPrepareResponse,
    StmtSetTableNameRequest, StmtSetTagsRequest, StmtUseResultResponse,
};
pub use stmt2::{
    Stmt2ExecResponse, Stmt2Field, Stmt2InitRequest, Stmt2PrepareRequest, Stmt2PrepareResponse,
    Stmt2ResultResponse, StmtIdRequest, StmtResponse, BIND_TYPE_COLUMN, BIND_TYPE_QUERY,
    BIND_TYPE_TABLE_NAME, BIND_TYPE_TAG,
};
pub use tmq::{
    TmqAssignment, TmqAssignmentRequest, TmqAssignmentResponse, TmqCommitOffsetRequest,
    TmqCommitOffsetResponse, TmqCommitResponse, TmqCommittedResponse, TmqErrorResponse,
    TmqFetchJsonMetaResponse, TmqFetchResponse, TmqListTopicsResponse, TmqMessageRequest,
    TmqPollRequest, TmqPollResponse, TmqPositionResponse, TmqRequest, TmqSeekRequest,
    TmqSeekResponse, TmqSubscribeRequest, TmqSubscribeResponse, TmqTopicVgroup,
    TmqTopicVgroupsRequest, TmqUnsubscribeResponse, TMQ_ADAPTER_ERROR, TMQ_NO_COMMITTED,
    TMQ_RES_DATA, TMQ_RES_METADATA, TMQ_RES_TABLE_META,
};

#[cfg(test)]
mod tests;
