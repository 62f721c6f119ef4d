//! Entry point of the client's fuzz target (`fuzz/` at the repository root) and of the
//! `cargo test` replay of its corpus: what a hostile server can send in answer to a query, a
//! stmt2 prepare, or a stmt (v1) `get_*_fields` / `use_result`.

use taosarrow_codec::decode_block;
use taosarrow_codec::stmt2::BindRole;
use taosarrow_protocol::frames::{FetchRawBlockResponse, RawBlockBody};
use taosarrow_protocol::messages::{
    from_json, QueryResponse, Stmt2PrepareResponse, StmtFieldsResponse, StmtUseResultResponse,
};

use crate::connection::result_schema;
use crate::socket::check_header;
use crate::stmt1::described_fields;
use crate::stmt2::prepared_fields;
use crate::{ConnectOptions, Error};

/// A server's answer to a query, as the client handles it: a JSON query response, a `0x00`
/// byte, then a fetch_raw_block response frame. The JSON becomes the result schema (through
/// the same code as [`crate::Connection::query`]) and the frame's block is decoded against
/// it; the JSON is also read as a stmt2 prepare response into bind fields, as a stmt (v1)
/// fields response into bind fields and as a `use_result` response into a result schema.
/// Everything ends in a value or a typed error, never a panic.
pub fn server_reply_target(data: &[u8]) {
    let (json, frame) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    if let Ok(resp) = from_json::<StmtFieldsResponse>("get_tag_fields", json) {
        let _ = check_header(&resp.header, Error::server)
            .and_then(|()| described_fields(resp, BindRole::Tag, "get_tag_fields"));
    }
    if let Ok(resp) = from_json::<StmtUseResultResponse>("use_result", json) {
        let _ = check_header(&resp.header, Error::server)
            .and_then(|()| result_schema(&resp.columns, &ConnectOptions::default()));
    }
    if let Ok(resp) = from_json::<Stmt2PrepareResponse>("stmt2_prepare", json) {
        let _ = check_header(&resp.header, Error::server)
            .and_then(|()| prepared_fields(resp.fields.unwrap_or_default(), resp.fields_count));
    }
    let Ok(resp) = from_json::<QueryResponse>("binary_query", json) else {
        return;
    };
    if check_header(&resp.header, Error::server).is_err() {
        return;
    }
    let Ok((schema, _precision)) = result_schema(&resp.columns, &ConnectOptions::default()) else {
        return;
    };
    if let Ok(FetchRawBlockResponse {
        body: RawBlockBody::Block(block),
        ..
    }) = FetchRawBlockResponse::decode(frame)
    {
        let _ = decode_block(block, &schema);
    }
}
