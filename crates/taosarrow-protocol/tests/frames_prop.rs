//! Property tests: decoders never panic on arbitrary bytes, and encode → decode is lossless.

use proptest::prelude::*;
use taosarrow_protocol::frames::{
    BinaryAction, BinaryHeader, BinaryQuery, FetchRawBlockRequest, FetchRawBlockResponse,
    RawBlockBody, ServerBinary,
};
use taosarrow_protocol::messages::{QueryRequest, Request};
use taosarrow_protocol::Code;

proptest! {
    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let _ = BinaryHeader::decode(&bytes);
        let _ = BinaryQuery::decode(&bytes);
        let _ = FetchRawBlockRequest::decode(&bytes);
        let _ = FetchRawBlockResponse::decode(&bytes);
        let _ = ServerBinary::decode(&bytes);
        let _ = Request::parse(&bytes);
    }

    #[test]
    fn raw_block_frames_with_flag_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..96)) {
        let mut frame = vec![0xFF; 8];
        frame.extend_from_slice(&7u64.to_le_bytes());
        frame.extend_from_slice(&1u16.to_le_bytes());
        frame.extend_from_slice(&tail);
        let _ = FetchRawBlockResponse::decode(&frame);
    }

    #[test]
    fn binary_query_round_trips(req_id in any::<u64>(), sql in ".{1,64}") {
        let mut out = Vec::new();
        BinaryQuery { req_id, action: BinaryAction::BinaryQuery, sql: &sql }.encode(&mut out).unwrap();
        let q = BinaryQuery::decode(&out).unwrap();
        prop_assert_eq!(q.req_id, req_id);
        prop_assert_eq!(q.sql, sql.as_str());
        // Every strict prefix is rejected.
        for n in 0..out.len() {
            prop_assert!(BinaryQuery::decode(&out[..n]).is_err());
        }
    }

    #[test]
    fn raw_block_responses_round_trip(
        timing in any::<u64>(), req_id in any::<u64>(), result_id in any::<u64>(),
        block in proptest::collection::vec(any::<u8>(), 0..64), code in 1u16.., msg in ".{0,20}", kind in 0u8..3,
    ) {
        let body = match kind {
            0 => RawBlockBody::Block(&block),
            1 => RawBlockBody::Finished,
            _ => RawBlockBody::Error { code: Code(code), message: msg.as_str().into() },
        };
        let frame = FetchRawBlockResponse { timing, req_id, result_id, body };
        let mut out = Vec::new();
        frame.encode(&mut out).unwrap();
        prop_assert_eq!(FetchRawBlockResponse::decode(&out).unwrap(), frame);
    }

    #[test]
    fn query_requests_round_trip(req_id in any::<u64>(), sql in ".{0,64}") {
        let r = Request::Query(QueryRequest { req_id, sql });
        prop_assert_eq!(Request::parse(r.to_json().as_bytes()).unwrap(), r);
    }
}

mod one_corrupted_field {
    //! Valid frames with one field overwritten by a hostile value: the decoders never panic and
    //! what decodes re-encodes to the same value (the `binary_frames` fuzz target's checks).
    use proptest::prelude::*;
    use taosarrow_protocol::frames::{
        BinaryAction, BinaryQuery, FetchRawBlockResponse, RawBlockBody,
    };
    use taosarrow_protocol::fuzzing::binary_frames_target;

    const HOSTILE: [u64; 8] = [0, 1, 7, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, u64::MAX];

    proptest! {
        #[test]
        fn never_panics(
            sql in ".{0,40}",
            block in proptest::collection::vec(any::<u8>(), 0..64),
            kind in 0u8..2,
            at in any::<prop::sample::Index>(),
            width in prop::sample::select(vec![1usize, 2, 4, 8]),
            value in prop::sample::select(HOSTILE.to_vec()),
        ) {
            let mut frame = Vec::new();
            if kind == 0 {
                BinaryQuery { req_id: 1, action: BinaryAction::BinaryQuery, sql: &sql }
                    .encode(&mut frame).unwrap();
            } else {
                FetchRawBlockResponse { timing: 1, req_id: 2, result_id: 3, body: RawBlockBody::Block(&block) }
                    .encode(&mut frame).unwrap();
            }
            let at = at.index(frame.len());
            let width = width.min(frame.len() - at);
            frame[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
            binary_frames_target(&frame);
        }
    }
}
