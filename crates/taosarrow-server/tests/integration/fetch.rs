//! Results over all three fetch paths, in blocks of at most `block_rows` rows.

use crate::support::{load, schema_of, server, Client, Fetched};
use arrow::array::{Array, Int32Array, RecordBatch, StringArray, TimestampMillisecondArray};
use serde_json::json;
use taosarrow_codec::decode_block;
use taosarrow_protocol::frames::{FetchBlockResponse, FetchRawBlockResponse, RawBlockBody};
use taosarrow_server::ServerConfig;

const SELECT: &str = "select ts, v, s from db.t order by ts";

/// Checks that the batches hold rows `0..n` as written by `setup_sql`, in order.
fn check_rows(batches: &[RecordBatch], n: usize) {
    let mut i = 0usize;
    for b in batches {
        let ts = b
            .column(0)
            .as_any()
            .downcast_ref::<TimestampMillisecondArray>()
            .unwrap();
        let v = b.column(1).as_any().downcast_ref::<Int32Array>().unwrap();
        let s = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
        for r in 0..b.num_rows() {
            assert_eq!(ts.value(r), 1_700_000_000_000 + i as i64, "row {i}");
            if i % 7 == 3 {
                assert!(v.is_null(r), "row {i}");
            } else {
                assert_eq!(v.value(r), i as i32, "row {i}");
            }
            assert_eq!(s.value(r), format!("s{i}"));
            i += 1;
        }
    }
    assert_eq!(i, n);
}

#[tokio::test]
async fn binary_query_and_fetch_raw_block() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    load(&mut c, 10_000).await;
    let q = c.binary_query(0, SELECT).await;
    assert_eq!(q["code"], 0, "{q}");
    assert_eq!(q["action"], "binary_query");
    assert_eq!(q["is_update"], false);
    assert_eq!(q["fields_count"], 3);
    assert_eq!(q["fields_names"], json!(["ts", "v", "s"]));
    assert_eq!(q["fields_types"], json!([9, 4, 8]));
    assert_eq!(q["fields_lengths"], json!([8, 4, 10]));
    assert_eq!(q["fields_precisions"], json!([0, 0, 0]));
    assert_eq!(q["fields_scales"], json!([0, 0, 0]));
    assert_eq!(q["precision"], 0);
    let id = q["id"].as_u64().unwrap();
    assert!(id >= 1);
    let schema = schema_of(&q);
    let mut batches = Vec::new();
    let mut sizes = Vec::new();
    for req_id in 100u64.. {
        let frame = c.fetch_raw(req_id, id).await;
        let r = FetchRawBlockResponse::decode(&frame).unwrap();
        assert_eq!((r.req_id, r.result_id), (req_id, id));
        match r.body {
            RawBlockBody::Block(block) => {
                let b = decode_block(block, &schema).unwrap();
                sizes.push(b.num_rows());
                batches.push(b);
            }
            RawBlockBody::Finished => break,
            RawBlockBody::Error { code, message } => panic!("{code} {message}"),
        }
    }
    assert_eq!(sizes, vec![4096, 4096, 1808]);
    check_rows(&batches, 10_000);
    // The result is freed at its end.
    let frame = c.fetch_raw(999, id).await;
    let r = FetchRawBlockResponse::decode(&frame).unwrap();
    assert!(
        matches!(r.body, RawBlockBody::Error { ref message, .. } if message == "result is nil")
    );
}

#[tokio::test]
async fn json_fetch_and_fetch_block() {
    let s = server(ServerConfig::default().with_block_rows(1000)).await;
    let mut c = Client::connect(&s).await;
    load(&mut c, 2_500).await;
    let q = c.query(7, SELECT).await;
    assert_eq!(
        (q["code"].as_u64(), q["action"].as_str()),
        (Some(0), Some("query")),
        "{q}"
    );
    let id = q["id"].as_u64().unwrap();
    let schema = schema_of(&q);
    let r = c
        .call(json!({"action": "fetch_block", "args": {"req_id": 1, "id": id}}))
        .await;
    assert_eq!(r["message"], "block is nil");
    let mut batches = Vec::new();
    let mut rows = Vec::new();
    loop {
        let f = c
            .call(json!({"action": "fetch", "args": {"req_id": 3, "id": id}}))
            .await;
        assert_eq!(
            (f["code"].as_u64(), f["action"].as_str(), f["id"].as_u64()),
            (Some(0), Some("fetch"), Some(id)),
            "{f}"
        );
        if f["completed"] == true {
            assert!(f["lengths"].is_null());
            assert_eq!(f["rows"], 0);
            break;
        }
        assert_eq!(f["lengths"], json!([8, 4, 12]));
        rows.push(f["rows"].as_u64().unwrap());
        let mut frames = Vec::new();
        for _ in 0..2 {
            c.send_text(
                &json!({"action": "fetch_block", "args": {"req_id": 3, "id": id}}).to_string(),
            )
            .await;
            frames.push(c.recv_bin().await);
        }
        assert_eq!(
            frames[0][8..],
            frames[1][8..],
            "fetch_block does not consume the block"
        );
        let fb = FetchBlockResponse::decode(&frames[0]).unwrap();
        assert_eq!(fb.result_id, id);
        let b = decode_block(fb.block, &schema).unwrap();
        assert_eq!(b.num_rows() as u64, *rows.last().unwrap());
        batches.push(b);
    }
    assert_eq!(rows, vec![1000, 1000, 500]);
    check_rows(&batches, 2_500);
    let f = c
        .call(json!({"action": "fetch", "args": {"req_id": 4, "id": id}}))
        .await;
    assert_eq!(f["message"], "result is nil");
}

#[tokio::test]
async fn update_results_ids_and_free_result() {
    let s = server(ServerConfig::default().with_block_rows(10)).await;
    let mut c = Client::connect(&s).await;
    load(&mut c, 0).await;
    let u = c
        .query(
            21,
            "insert into db.t values (1700000000000, 0, 's0') (1700000000001, 1, 's1')",
        )
        .await;
    assert_eq!(u["code"], 0, "{u}");
    assert_eq!(
        (
            u["is_update"].as_bool(),
            u["affected_rows"].as_i64(),
            u["id"].as_u64()
        ),
        (Some(true), Some(2), Some(0))
    );
    for k in [
        "fields_names",
        "fields_types",
        "fields_lengths",
        "fields_precisions",
        "fields_scales",
    ] {
        assert!(u[k].is_null(), "{k}: {u}");
    }
    assert_eq!(u["fields_count"], 0);
    let a = c.binary_query(1, SELECT).await["id"].as_u64().unwrap();
    let b = c.query(2, SELECT).await["id"].as_u64().unwrap();
    assert_eq!(b, a + 1, "ids count up per connection");
    let n = c
        .call(json!({"action": "num_fields", "args": {"req_id": 3, "result_id": a}}))
        .await;
    assert_eq!(n["num_fields"], 3);
    c.send_text(&json!({"action": "free_result", "args": {"req_id": 0, "id": a}}).to_string())
        .await;
    let r = c.fetch_raw_body(5, a).await;
    assert_eq!(r, Fetched::Error(0xFFFF, "result is nil".into()));
    let r = c.fetch_raw_body(6, b).await;
    assert!(matches!(r, Fetched::Block(_)), "{r:?}");

    // Another connection has its own ids and cannot see these results.
    let mut other = Client::connect(&s).await;
    let r = other.fetch_raw_body(1, b).await;
    assert_eq!(r, Fetched::Error(0xFFFF, "result is nil".into()));
}

#[tokio::test]
async fn empty_result_and_errors() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    load(&mut c, 3).await;
    let q = c
        .binary_query(1, "select ts, v, s from db.t where v > 1000")
        .await;
    assert_eq!(
        (q["code"].as_u64(), q["is_update"].as_bool()),
        (Some(0), Some(false)),
        "{q}"
    );
    assert_eq!(q["fields_count"], 3);
    let id = q["id"].as_u64().unwrap();
    assert_eq!(c.fetch_raw_body(2, id).await, Fetched::Finished);

    let e = c.binary_query(3, "selec * from db.t").await;
    assert_eq!(e["code"], 0x2600, "{e}");
    assert_eq!(
        (e["action"].as_str(), e["req_id"].as_u64()),
        (Some("binary_query"), Some(3))
    );
    let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
    assert_eq!(
        keys.len(),
        5,
        "an error carries only the common fields: {e}"
    );
    let e = c.query(4, "select * from db.no_such_table").await;
    assert_ne!(e["code"], 0, "{e}");
    let e = c.query(5, "select * from no_such_db.t").await;
    assert_ne!(e["code"], 0, "{e}");
}
