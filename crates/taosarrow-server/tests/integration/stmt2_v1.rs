//! stmt (v1) on `/ws`: JSON `set_tags` / `bind`, raw-block binary binds (actions 1 and 2),
//! `add_batch` per table, `exec`, field and parameter descriptions, `use_result` for
//! queries, `close` without a reply, and the id counter shared with stmt2.

use std::sync::Arc;

use crate::support::{schema_of, server, Client, Fetched};
use arrow::array::{Array, ArrayRef, AsArray, Int32Array, RecordBatch, StringArray};
use arrow::datatypes::{Int32Type, Int64Type, TimestampMillisecondType};
use serde_json::{json, Value};
use taosarrow_codec::{arrow_schema, decode_block, encode_block, ColumnSpec, SchemaOptions};
use taosarrow_protocol::TdType;
use taosarrow_server::{LocalServer, ServerConfig};

const T0: i64 = 1_700_000_000_000;

async fn setup() -> (LocalServer, Client) {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    c.exec("create database db").await;
    c.exec("use db").await;
    c.exec("create stable st (ts timestamp, v int, s varchar(8)) tags (g int, site nchar(4))")
        .await;
    (s, c)
}

async fn act(c: &mut Client, action: &str, id: u64, extra: Value) -> Value {
    let mut args = json!({"req_id": 3, "stmt_id": id});
    if let (Value::Object(a), Value::Object(e)) = (&mut args, extra) {
        a.extend(e);
    }
    c.call(json!({"action": action, "args": args})).await
}

fn ok(r: &Value, action: &str) {
    assert_eq!(
        (r["code"].as_i64(), r["action"].as_str()),
        (Some(0), Some(action)),
        "{r}"
    );
}

/// A binary v1 frame: req_id, stmt_id, action, then the raw block of `batch`.
fn block_frame(id: u64, action: u64, batch: &RecordBatch) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&44u64.to_le_bytes());
    f.extend_from_slice(&id.to_le_bytes());
    f.extend_from_slice(&action.to_le_bytes());
    encode_block(batch, &mut f).unwrap();
    f
}

fn batch(specs: &[ColumnSpec], cols: Vec<ArrayRef>) -> RecordBatch {
    let schema = arrow_schema(specs, &SchemaOptions::default()).unwrap();
    RecordBatch::try_new(schema, cols).unwrap()
}

#[tokio::test]
async fn insert_with_json_and_raw_block_binds() {
    let (_s, mut c) = setup().await;
    // The counter is shared with stmt2: stmt2_init takes 1, init takes 2.
    let r = c
        .call(json!({"action": "stmt2_init", "args": {"req_id": 1}}))
        .await;
    assert_eq!(r["stmt_id"], 1);
    let r = c
        .call(json!({"action": "init", "args": {"req_id": 2}}))
        .await;
    ok(&r, "init");
    let id = r["stmt_id"].as_u64().unwrap();
    assert_eq!(id, 2);
    let r = act(
        &mut c,
        "prepare",
        id,
        json!({"sql": "insert into ? using st tags(?, ?) values(?, ?, ?)"}),
    )
    .await;
    ok(&r, "prepare");
    assert_eq!(
        (r["is_insert"].clone(), r["stmt_id"].clone()),
        (json!(true), json!(id))
    );

    let r = act(&mut c, "get_tag_fields", id, json!({})).await;
    ok(&r, "get_tag_fields");
    assert_eq!(
        r["fields"],
        json!([{"name": "g", "field_type": 4, "precision": 0, "scale": 0, "bytes": 4},
               {"name": "site", "field_type": 10, "precision": 0, "scale": 0, "bytes": 18}])
    );
    let r = act(&mut c, "get_col_fields", id, json!({})).await;
    let names: Vec<&str> = r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ts", "v", "s"]);
    let r = act(&mut c, "stmt_num_params", id, json!({})).await;
    assert_eq!(r["num_params"], 3, "{r}");
    let r = act(&mut c, "stmt_get_param", id, json!({"index": 2})).await;
    assert_eq!(
        (
            r["index"].clone(),
            r["data_type"].clone(),
            r["length"].clone()
        ),
        (json!(2), json!(8), json!(10)),
        "{r}"
    );
    let r = act(&mut c, "stmt_get_param", id, json!({"index": 3})).await;
    assert_eq!(r["code"], 0x0118, "{r}");

    // Table a: JSON tags and two JSON binds (rows accumulate until add_batch).
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "a"})).await,
        "set_table_name",
    );
    ok(
        &act(&mut c, "set_tags", id, json!({"tags": [1, "日本"]})).await,
        "set_tags",
    );
    let r = act(
        &mut c,
        "bind",
        id,
        json!({"columns": [[T0, "2023-11-14T22:13:20.001Z"], [10, null], ["x", null]]}),
    )
    .await;
    ok(&r, "bind");
    ok(
        &act(
            &mut c,
            "bind",
            id,
            json!({"columns": [[T0 + 2], [12], ["z"]]}),
        )
        .await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");

    // Table b: binary tags (action 1) and binary columns (action 2).
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "b"})).await,
        "set_table_name",
    );
    let tags = batch(
        &[
            ColumnSpec::new("g", TdType::Int),
            ColumnSpec::new("site", TdType::NChar),
        ],
        vec![
            Arc::new(Int32Array::from(vec![2])),
            Arc::new(StringArray::from(vec!["ü"])),
        ],
    );
    c.send_bin(block_frame(id, 1, &tags)).await;
    let r = c.recv_json().await;
    ok(&r, "set_tags");
    assert_eq!(r["req_id"], 44);
    let cols = batch(
        &[
            ColumnSpec::new("ts", TdType::Timestamp),
            ColumnSpec::new("v", TdType::Int),
            ColumnSpec::new("s", TdType::VarChar),
        ],
        vec![
            Arc::new(arrow::array::TimestampMillisecondArray::from(vec![
                T0,
                T0 + 5,
            ])),
            Arc::new(Int32Array::from(vec![Some(20), None])),
            Arc::new(StringArray::from(vec![Some("y"), Some("w")])),
        ],
    );
    c.send_bin(block_frame(id, 2, &cols)).await;
    ok(&c.recv_json().await, "bind");
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");

    let r = act(&mut c, "exec", id, json!({})).await;
    ok(&r, "exec");
    assert_eq!(r["affected"], 5);

    let q = c
        .binary_query(
            1,
            "select tbname, g, site, ts, v, s from st order by tbname, ts",
        )
        .await;
    let schema = schema_of(&q);
    let Fetched::Block(block) = c.fetch_raw_body(2, q["id"].as_u64().unwrap()).await else {
        panic!("no block")
    };
    let b = decode_block(&block, &schema).unwrap();
    let tb: Vec<&str> = (0..5)
        .map(|i| b.column(0).as_string::<i32>().value(i))
        .collect();
    assert_eq!(tb, ["a", "a", "a", "b", "b"]);
    assert_eq!(
        b.column(1).as_primitive::<Int32Type>().values(),
        &[1, 1, 1, 2, 2]
    );
    assert_eq!(b.column(2).as_string::<i32>().value(0), "日本");
    assert_eq!(b.column(2).as_string::<i32>().value(4), "ü");
    assert_eq!(
        b.column(3)
            .as_primitive::<TimestampMillisecondType>()
            .values(),
        &[T0, T0 + 1, T0 + 2, T0, T0 + 5]
    );
    let v = b.column(4).as_primitive::<Int32Type>();
    assert_eq!(
        (
            v.value(0),
            v.is_valid(1),
            v.value(2),
            v.value(3),
            v.is_valid(4)
        ),
        (10, false, 12, 20, false)
    );

    // close answers nothing; the statement is gone afterwards. stmt2_close refuses a v1 id.
    let r = act(&mut c, "stmt2_close", id, json!({})).await;
    assert_eq!(
        (r["code"].as_i64(), r["message"].as_str()),
        (Some(65535), Some("stmtID:2, isStmt2:true not match")),
        "{r}"
    );
    c.send_text(&json!({"action": "close", "args": {"req_id": 5, "stmt_id": id}}).to_string())
        .await;
    let r = act(&mut c, "exec", id, json!({})).await;
    assert_eq!(
        (
            r["code"].as_i64(),
            r["message"].as_str(),
            r["req_id"].as_u64()
        ),
        (Some(65535), Some("stmt is nil"), Some(3)),
        "{r}"
    );
    let r = act(&mut c, "close", 1, json!({})).await;
    assert_eq!(
        (r["code"].as_i64(), r["message"].as_str()),
        (Some(65535), Some("stmtID:1, isStmt2:false not match")),
        "{r}"
    );
}

#[tokio::test]
async fn bad_binds_and_queries_with_use_result() {
    let (_s, mut c) = setup().await;
    c.exec("insert into c1 using st tags(1, 'x') values (1700000000000, 1, 'a') (1700000000001, 2, 'b')")
        .await;
    let id = c
        .call(json!({"action": "init", "args": {"req_id": 1}}))
        .await["stmt_id"]
        .as_u64()
        .unwrap();
    ok(
        &act(
            &mut c,
            "prepare",
            id,
            json!({"sql": "insert into c1 values(?, ?, ?)"}),
        )
        .await,
        "prepare",
    );
    // Wrong JSON shapes: 0xFFFF with taosAdapter's prefix.
    let r = act(&mut c, "bind", id, json!({"columns": [[T0], [1]]})).await;
    assert_eq!(r["code"], 65535, "{r}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .starts_with("stmt parse column json:"),
        "{r}"
    );
    let r = act(
        &mut c,
        "bind",
        id,
        json!({"columns": [[T0, T0 + 1], [1], ["a", "b"]]}),
    )
    .await;
    assert!(
        r["message"].as_str().unwrap().contains("wrong row length"),
        "{r}"
    );
    let r = act(
        &mut c,
        "bind",
        id,
        json!({"columns": [[T0], ["not a number"], ["a"]]}),
    )
    .await;
    assert_eq!(r["code"], 65535, "{r}");
    // A value too long is refused at add_batch; add_batch without rows is an API error.
    ok(
        &act(
            &mut c,
            "bind",
            id,
            json!({"columns": [[T0], [1], ["nine char"]]}),
        )
        .await,
        "bind",
    );
    assert_eq!(
        act(&mut c, "add_batch", id, json!({})).await["code"],
        0x2653
    );
    assert_eq!(
        act(&mut c, "add_batch", id, json!({})).await["code"],
        0x022A
    );
    // A raw block with the wrong number of columns.
    let two = batch(
        &[
            ColumnSpec::new("ts", TdType::Timestamp),
            ColumnSpec::new("v", TdType::Int),
        ],
        vec![
            Arc::new(arrow::array::TimestampMillisecondArray::from(vec![T0])),
            Arc::new(Int32Array::from(vec![1])),
        ],
    );
    c.send_bin(block_frame(id, 2, &two)).await;
    let r = c.recv_json().await;
    assert_eq!(
        (r["code"].as_i64(), r["message"].as_str()),
        (Some(65535), Some("stmt column count not match")),
        "{r}"
    );
    assert_eq!(act(&mut c, "exec", id, json!({})).await["code"], 0x022A);

    // A query: parameters from a one-row raw block, then use_result and fetch.
    let r = act(
        &mut c,
        "prepare",
        id,
        json!({"sql": "select ts, v from c1 where v >= ? order by ts"}),
    )
    .await;
    assert_eq!(r["is_insert"], false, "{r}");
    assert_eq!(
        act(&mut c, "stmt_num_params", id, json!({})).await["num_params"],
        1
    );
    let p = batch(
        &[ColumnSpec::new("p", TdType::BigInt)],
        vec![Arc::new(arrow::array::Int64Array::from(vec![2]))],
    );
    c.send_bin(block_frame(id, 2, &p)).await;
    ok(&c.recv_json().await, "bind");
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");
    assert_eq!(act(&mut c, "exec", id, json!({})).await["affected"], 0);
    let r = act(&mut c, "use_result", id, json!({})).await;
    ok(&r, "use_result");
    assert_eq!(
        (r["fields_names"].clone(), r["fields_types"].clone()),
        (json!(["ts", "v"]), json!([9, 4]))
    );
    let schema = schema_of(&r);
    let Fetched::Block(block) = c.fetch_raw_body(2, r["result_id"].as_u64().unwrap()).await else {
        panic!("no block")
    };
    let b = decode_block(&block, &schema).unwrap();
    assert_eq!(b.column(1).as_primitive::<Int32Type>().values(), &[2]);
    let n = c.binary_query(1, "select count(*) from st").await;
    let Fetched::Block(block) = c.fetch_raw_body(2, n["id"].as_u64().unwrap()).await else {
        panic!("no block")
    };
    let b = decode_block(&block, &schema_of(&n)).unwrap();
    assert_eq!(
        b.column(0).as_primitive::<Int64Type>().value(0),
        2,
        "rejected binds wrote nothing"
    );
}
