//! Entry points of the fuzz targets (`fuzz/` at the repository root) over this crate's parsers
//! of outside bytes, and of the `cargo test` replay of their corpora. Each takes arbitrary bytes
//! and checks the invariant its target asserts: no panic, and what parses survives a round trip.
//! A violation panics, which is what a fuzzer reports.

use crate::dsn::{percent_encode, Dsn};
use crate::frames::{
    peek_binary_req_id, BinaryHeader, BinaryQuery, FetchBlockResponse, FetchRawBlockRequest,
    FetchRawBlockResponse, ServerBinary,
};
use crate::frames::{peek_tmq_binary_req_id, FetchRawDataFrame, FetchRawFrame, TmqFetchBlockFrame};
use crate::messages::{
    from_json, peek_header, ConnResponse, CurrentDbResponse, FetchResponse, InfoResponse,
    NumFieldsResponse, QueryResponse, Request, ServerStatusResponse, Stmt2ExecResponse,
    Stmt2PrepareResponse, Stmt2ResultResponse, StmtExecResponse, StmtFieldsResponse,
    StmtGetParamResponse, StmtNumParamsResponse, StmtPrepareResponse, StmtResponse,
    StmtUseResultResponse, TmqRequest, ValidateSqlResponse, VersionResponse,
};

/// Binary frames of both directions: request headers, binary queries, fetch requests, and the
/// server's fetch responses. Frames that decode and have an encoder encode back to the same
/// value.
pub fn binary_frames_target(data: &[u8]) {
    let _ = peek_binary_req_id(data);
    if let Ok(h) = BinaryHeader::decode(data) {
        let _ = h.known_action();
        let mut out = Vec::new();
        h.encode(&mut out);
        assert_eq!(out, data[..out.len()], "a header re-encodes to its bytes");
    }
    // An empty SQL decodes from a longer frame (bytes after the SQL are ignored) but encodes
    // to the 30 bytes that taosAdapter, and so `decode`, call too short.
    if let Ok(q) = BinaryQuery::decode(data).map_err(drop).and_then(|q| {
        if q.sql.is_empty() {
            Err(())
        } else {
            Ok(q)
        }
    }) {
        let mut out = Vec::new();
        q.encode(&mut out).expect("a decoded query encodes");
        assert_eq!(
            BinaryQuery::decode(&out).ok(),
            Some(q),
            "binary query round trip"
        );
    }
    if let Ok(r) = FetchRawBlockRequest::decode(data) {
        let mut out = Vec::new();
        r.encode(&mut out);
        assert_eq!(
            FetchRawBlockRequest::decode(&out).ok(),
            Some(r),
            "fetch request round trip"
        );
    }
    if let Ok(r) = FetchRawBlockResponse::decode(data) {
        let mut out = Vec::new();
        r.encode(&mut out).expect("a decoded response encodes");
        let again = FetchRawBlockResponse::decode(&out).expect("an encoded response decodes");
        assert_eq!(again, r, "fetch_raw_block response round trip");
    }
    let _ = FetchBlockResponse::decode(data);
    let _ = ServerBinary::decode(data);
    // The `/rest/tmq` binary answers, as the consumer reads them.
    let _ = peek_tmq_binary_req_id(data);
    let _ = FetchRawDataFrame::decode(data);
    let _ = FetchRawFrame::decode(data);
    let _ = TmqFetchBlockFrame::decode(data);
}

/// A JSON text frame as the server reads it: [`Request::parse`] on `/ws` and
/// [`TmqRequest::parse`] on `/rest/tmq`. A request that parses
/// serializes to JSON that parses to the same request.
pub fn json_request_target(data: &[u8]) {
    tmq_request(data);
    let Ok(req) = Request::parse(data) else {
        return;
    };
    let json = req.to_json();
    let again = Request::parse(json.as_bytes()).expect("a serialized request parses");
    assert_eq!(again, req, "request JSON round trip");
}

/// A JSON text frame as the server's `/rest/tmq` endpoint reads it: [`TmqRequest::parse`].
/// A request that parses serializes to JSON that parses to the same request.
fn tmq_request(data: &[u8]) {
    let Ok(req) = TmqRequest::parse(data) else {
        return;
    };
    let json = req.to_json();
    let again = TmqRequest::parse(json.as_bytes()).expect("a serialized TMQ request parses");
    assert_eq!(again, req, "TMQ request JSON round trip");
}

/// A JSON text frame as the client reads it: the header peek that routes it, then every
/// response type the client decodes.
pub fn json_response_target(data: &[u8]) {
    let _ = peek_header(data);
    let _ = from_json::<VersionResponse>("version", data);
    let _ = from_json::<ConnResponse>("conn", data);
    let _ = from_json::<QueryResponse>("query", data);
    let _ = from_json::<FetchResponse>("fetch", data);
    let _ = from_json::<NumFieldsResponse>("num_fields", data);
    let _ = from_json::<CurrentDbResponse>("get_current_db", data);
    let _ = from_json::<InfoResponse>("get_server_info", data);
    let _ = from_json::<ValidateSqlResponse>("validate_sql", data);
    let _ = from_json::<ServerStatusResponse>("check_server_status", data);
    let _ = from_json::<Stmt2PrepareResponse>("stmt2_prepare", data);
    let _ = from_json::<Stmt2ExecResponse>("stmt2_exec", data);
    let _ = from_json::<Stmt2ResultResponse>("stmt2_result", data);
    let _ = from_json::<StmtResponse>("stmt2_init", data);
    let _ = from_json::<StmtPrepareResponse>("prepare", data);
    let _ = from_json::<StmtExecResponse>("exec", data);
    let _ = from_json::<StmtFieldsResponse>("get_col_fields", data);
    let _ = from_json::<StmtNumParamsResponse>("stmt_num_params", data);
    let _ = from_json::<StmtGetParamResponse>("stmt_get_param", data);
    let _ = from_json::<StmtUseResultResponse>("use_result", data);
}

/// Writes a parsed DSN back as text, every part percent-encoded, so that parsing the text
/// gives the same [`Dsn`].
pub fn render_dsn(d: &Dsn) -> String {
    let mut s = String::from(if d.tls { "wss://" } else { "ws://" });
    if let Some(user) = &d.user {
        s.push_str(&percent_encode(user));
        if let Some(pw) = &d.password {
            s.push(':');
            s.push_str(&percent_encode(pw));
        }
        s.push('@');
    }
    let hosts: Vec<String> = d
        .addresses
        .iter()
        .map(|a| {
            let host = if a.host.starts_with('[') {
                a.host.clone()
            } else {
                percent_encode(&a.host)
            };
            match a.port {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        })
        .collect();
    s.push_str(&hosts.join(","));
    if let Some(db) = &d.database {
        s.push('/');
        s.push_str(&percent_encode(db));
    }
    for (i, (k, v)) in d.params.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(&percent_encode(k));
        s.push('=');
        s.push_str(&percent_encode(v));
    }
    s
}

/// A DSN (any UTF-8 text): [`Dsn::parse`] returns a DSN or an error, never panics, and a DSN
/// that parses, written back with every part percent-encoded, parses to the same DSN.
pub fn dsn_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dsn) = Dsn::parse(text) else {
        return;
    };
    let rendered = render_dsn(&dsn);
    let again = Dsn::parse(&rendered).expect("a rendered DSN parses");
    assert!(
        again == dsn,
        "DSN round trip changed it (rendered {rendered:?})"
    );
}
