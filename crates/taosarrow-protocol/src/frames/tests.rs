use super::*;
use crate::frames::{FetchBlockResponse, FetchRawBlockResponse, RawBlockBody, ServerBinary};
use crate::Code;
use std::borrow::Cow;

fn hex(s: &str) -> Vec<u8> {
    crate::hex::decode(&s.split_whitespace().collect::<String>()).unwrap()
}

#[test]
fn binary_query_matches_spec_example() {
    let wire = hex(
        "02 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  0f 00 00 00
         73 65 6c 65 63 74 20 2a 20 66 72 6f 6d 20 74",
    );
    assert_eq!(wire.len(), 45);
    let q = BinaryQuery::decode(&wire).unwrap();
    assert_eq!(q.req_id, 2);
    assert_eq!(q.action, BinaryAction::BinaryQuery);
    assert_eq!(q.sql, "select * from t");
    let mut out = Vec::new();
    q.encode(&mut out).unwrap();
    assert_eq!(out, wire);
}

#[test]
fn binary_query_errors_have_adapter_texts() {
    let mut ok = Vec::new();
    BinaryQuery {
        req_id: 1,
        action: BinaryAction::BinaryQuery,
        sql: "select 1",
    }
    .encode(&mut ok)
    .unwrap();
    // Shorter than 31 bytes, including an empty SQL.
    for n in [0, 8, 24, 30] {
        let e = BinaryQuery::decode(&ok[..n]).unwrap_err();
        assert_eq!(e.to_string(), "message length is too short", "len {n}");
    }
    let mut bad_version = ok.clone();
    bad_version[24] = 2;
    assert_eq!(
        BinaryQuery::decode(&bad_version).unwrap_err().to_string(),
        "unknown binary query version:2"
    );
    let cut = &ok[..ok.len() - 3];
    assert_eq!(
        BinaryQuery::decode(cut).unwrap_err().to_string(),
        "uncompleted message, sql length:8, remainMessageLength:5"
    );
    let mut huge = ok.clone();
    huge[26..30].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        BinaryQuery::decode(&huge),
        Err(ProtocolError::Uncompleted {
            sql_len: u32::MAX,
            ..
        })
    ));
    let mut not_utf8 = ok.clone();
    let last = not_utf8.len() - 1;
    not_utf8[last] = 0xFF;
    assert!(matches!(
        BinaryQuery::decode(&not_utf8),
        Err(ProtocolError::InvalidUtf8 { .. })
    ));
    // Trailing bytes after the SQL are ignored.
    let mut trailing = ok.clone();
    trailing.extend_from_slice(b"xyz");
    assert_eq!(BinaryQuery::decode(&trailing).unwrap().sql, "select 1");
}

#[test]
fn validate_sql_uses_the_query_layout() {
    let mut out = Vec::new();
    BinaryQuery {
        req_id: u64::MAX - 1,
        action: BinaryAction::ValidateSql,
        sql: "show databases",
    }
    .encode(&mut out)
    .unwrap();
    assert_eq!(out[16], 10);
    let q = BinaryQuery::decode(&out).unwrap();
    assert_eq!(q.action, BinaryAction::ValidateSql);
    assert_eq!(q.req_id, u64::MAX - 1);
}

#[test]
fn fetch_raw_block_request_matches_spec_example() {
    let wire = hex("03 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00 01 00");
    let r = FetchRawBlockRequest::decode(&wire).unwrap();
    assert_eq!(
        r,
        FetchRawBlockRequest {
            req_id: 3,
            result_id: 1
        }
    );
    let mut out = Vec::new();
    r.encode(&mut out);
    assert_eq!(out, wire);
    for n in 0..26 {
        assert!(matches!(
            FetchRawBlockRequest::decode(&wire[..n]),
            Err(ProtocolError::TooShort { .. })
        ));
    }
    let mut v2 = wire.clone();
    v2[24] = 2;
    assert_eq!(
        FetchRawBlockRequest::decode(&v2).unwrap_err().to_string(),
        "unknown fetch raw block version"
    );
}

#[test]
fn header_and_actions() {
    let h = BinaryHeader {
        req_id: 1 << 63,
        resource_id: 5,
        action: 42,
    };
    let mut out = Vec::new();
    h.encode(&mut out);
    assert_eq!(out.len(), HEADER_LEN);
    assert_eq!(BinaryHeader::decode(&out).unwrap(), h);
    assert_eq!(h.known_action(), None);
    assert!(BinaryHeader::decode(&out[..23]).is_err());
    for code in [1, 2, 3, 4, 5, 6, 7, 9, 10, 11] {
        let a = BinaryAction::from_code(code).unwrap();
        assert_eq!(a.code(), code);
    }
    assert_eq!(BinaryAction::from_code(8), None);
    assert_eq!(BinaryAction::FetchRawBlock.name(), "fetch_raw_block");
    assert_eq!(BinaryAction::BinaryQuery.name(), "binary_query");
}

#[test]
fn raw_block_response_end_matches_spec_example() {
    let wire = hex(
        "ff ff ff ff ff ff ff ff 07 00 00 00 00 00 00 00 01 00 20 03 00 00 00 00 00 00
         04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 01",
    );
    assert_eq!(wire.len(), 51);
    let r = FetchRawBlockResponse::decode(&wire).unwrap();
    let expect = FetchRawBlockResponse {
        timing: 800,
        req_id: 4,
        result_id: 1,
        body: RawBlockBody::Finished,
    };
    assert_eq!(r, expect);
    let mut out = Vec::new();
    expect.encode(&mut out).unwrap();
    assert_eq!(out, wire);
}

#[test]
fn raw_block_response_error_matches_spec_example() {
    let wire = hex(
        "ff ff ff ff ff ff ff ff 07 00 00 00 00 00 00 00 01 00 f4 01 00 00 00 00 00 00
         05 00 00 00 00 00 00 00 ff ff 00 00 0d 00 00 00 72 65 73 75 6c 74 20 69 73 20 6e 69 6c
         09 00 00 00 00 00 00 00 01",
    );
    assert_eq!(wire.len(), 64);
    let expect = FetchRawBlockResponse {
        timing: 500,
        req_id: 5,
        result_id: 9,
        body: RawBlockBody::Error {
            code: Code::ADAPTER_PROTOCOL,
            message: Cow::Borrowed("result is nil"),
        },
    };
    assert_eq!(FetchRawBlockResponse::decode(&wire).unwrap(), expect);
    let mut out = Vec::new();
    expect.encode(&mut out).unwrap();
    assert_eq!(out, wire);
}

#[test]
fn raw_block_response_block_matches_spec_prefix() {
    let prefix = hex(
        "ff ff ff ff ff ff ff ff  07 00 00 00 00 00 00 00  01 00  e8 03 00 00 00 00 00 00
         03 00 00 00 00 00 00 00  00 00 00 00  00 00 00 00  01 00 00 00 00 00 00 00  00  5f 00 00 00",
    );
    assert_eq!(prefix.len(), 55);
    let block: Vec<u8> = (0..95u8).collect();
    let frame = FetchRawBlockResponse {
        timing: 1000,
        req_id: 3,
        result_id: 1,
        body: RawBlockBody::Block(&block),
    };
    let mut out = Vec::new();
    frame.encode(&mut out).unwrap();
    assert_eq!(out.len(), 150);
    assert_eq!(&out[..55], &prefix[..]);
    assert_eq!(FetchRawBlockResponse::decode(&out).unwrap(), frame);

    // encode_block_with writes the same bytes.
    let mut streamed = vec![0xAA];
    FetchRawBlockResponse::encode_block_with::<ProtocolError>(&mut streamed, 1000, 3, 1, |o| {
        o.extend_from_slice(&block);
        Ok(())
    })
    .unwrap();
    assert_eq!(&streamed[1..], &out[..]);
    // A failing writer leaves the buffer as it was.
    let r = FetchRawBlockResponse::encode_block_with(&mut streamed, 1, 1, 1, |o| {
        o.push(1);
        Err(ProtocolError::NoAction)
    });
    assert!(r.is_err());
    assert_eq!(&streamed[1..], &out[..]);

    // Every truncation is an error, never a panic.
    for n in 0..out.len() {
        assert!(FetchRawBlockResponse::decode(&out[..n]).is_err(), "len {n}");
    }
    // A block length larger than the frame is rejected.
    let mut lying = out.clone();
    lying[51..55].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        FetchRawBlockResponse::decode(&lying),
        Err(ProtocolError::TooShort { .. })
    ));
    let mut bad_finished = out.clone();
    bad_finished[50] = 7;
    assert!(FetchRawBlockResponse::decode(&bad_finished).is_err());
}

#[test]
fn fetch_block_response_and_classification() {
    let block = [1u8, 2, 3, 4];
    let f = FetchBlockResponse {
        timing: 77,
        result_id: 3,
        block: &block,
    };
    let mut out = Vec::new();
    f.encode(&mut out);
    assert_eq!(out.len(), 20);
    assert_eq!(ServerBinary::decode(&out).unwrap(), ServerBinary::Block(f));
    assert!(FetchBlockResponse::decode(&out[..15]).is_err());

    let mut raw = Vec::new();
    FetchRawBlockResponse {
        timing: 1,
        req_id: 2,
        result_id: 3,
        body: RawBlockBody::Finished,
    }
    .encode(&mut raw)
    .unwrap();
    assert!(matches!(
        ServerBinary::decode(&raw).unwrap(),
        ServerBinary::RawBlock(_)
    ));
    assert!(ServerBinary::decode(&[]).is_err());
}

#[test]
fn binary_replies_are_routed_by_their_req_id() {
    let wire = hex(
        "ff ff ff ff ff ff ff ff 07 00 00 00 00 00 00 00 01 00 f4 01 00 00 00 00 00 00
         05 00 00 00 00 00 00 00 ff ff 00 00 0d 00 00 00 72 65 73 75 6c 74 20 69 73 20 6e 69 6c
         09 00 00 00 00 00 00 00 01",
    );
    assert_eq!(peek_binary_req_id(&wire), Some(5));
    // The id is read before the rest is checked; a frame cut inside it has none.
    assert_eq!(peek_binary_req_id(&wire[..34]), Some(5));
    assert_eq!(peek_binary_req_id(&wire[..33]), None);
    assert_eq!(peek_binary_req_id(&[]), None);
    // A fetch_block response carries no req_id.
    let mut block = Vec::new();
    FetchBlockResponse {
        timing: 5,
        result_id: 9,
        block: &[0; 40],
    }
    .encode(&mut block);
    assert_eq!(peek_binary_req_id(&block), None);
}

/// An error code whose low 16 bits are 0 would read as success once masked: a protocol error.
#[test]
fn raw_block_error_code_without_a_tdengine_code_is_rejected() {
    let mut frame = Vec::new();
    FetchRawBlockResponse {
        timing: 1,
        req_id: 2,
        result_id: 3,
        body: RawBlockBody::Error {
            code: Code(0x2603),
            message: Cow::Borrowed("gone"),
        },
    }
    .encode(&mut frame)
    .unwrap();
    // flag 8 + action 8 + version 2 + timing 8 + req_id 8 = 34: the u32 code.
    frame[34..38].copy_from_slice(&0x0001_0000u32.to_le_bytes());
    assert!(matches!(
        FetchRawBlockResponse::decode(&frame),
        Err(ProtocolError::InvalidErrorCode(0x0001_0000))
    ));
    frame[34..38].copy_from_slice(&0x8000_2603u32.to_le_bytes());
    let ok = FetchRawBlockResponse::decode(&frame).unwrap();
    assert!(matches!(
        ok.body,
        RawBlockBody::Error {
            code: Code(0x2603),
            ..
        }
    ));
}
