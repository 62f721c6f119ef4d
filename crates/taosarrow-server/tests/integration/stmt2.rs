//! stmt2 on `/ws`, driven frame by frame with our codec's encoder: prepare fields as
//! taosAdapter reports them, the worked example of `stmt2.md` §6 byte for byte, accumulated
//! binds, queries through `stmt2_result` + `fetch_raw_block`, `stmt2_bind_exec`, and the
//! adapter's answers to malformed or mismatched binds.

use std::sync::Arc;

use crate::support::{schema_of, server, Client, Fetched};
use arrow::array::{
    Array, ArrayRef, AsArray, Float32Array, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use arrow::compute::concat_batches;
use arrow::datatypes::{Int32Type, TimestampMillisecondType};
use serde_json::{json, Value};
use taosarrow_codec::decode_block;
use taosarrow_codec::stmt2::{
    encode_bind_exec_frame, encode_bind_frame, BindField, BindRole, EncodeOptions, TableBind,
};
use taosarrow_protocol::TdType;
use taosarrow_server::{LocalServer, ServerConfig};

const T0: i64 = 1_700_000_000_000;

async fn setup() -> (LocalServer, Client) {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    c.exec("create database db precision 'ms'").await;
    c.exec("use db").await;
    c.exec(
        "create stable meters (ts timestamp, current float, note varchar(16)) tags (groupid int)",
    )
    .await;
    c.exec("create table t (ts timestamp, v int, s varchar(10))")
        .await;
    (s, c)
}

async fn init(c: &mut Client) -> u64 {
    let r = c
        .call(json!({"action": "stmt2_init", "args": {"req_id": 7, "single_stb_insert": true}}))
        .await;
    assert_eq!(
        (r["code"].as_i64(), r["action"].as_str()),
        (Some(0), Some("stmt2_init")),
        "{r}"
    );
    r["stmt_id"].as_u64().unwrap()
}

async fn prepare(c: &mut Client, id: u64, sql: &str) -> Value {
    c.call(json!({"action": "stmt2_prepare",
                  "args": {"req_id": 8, "stmt_id": id, "sql": sql, "get_fields": true}}))
        .await
}

async fn simple(c: &mut Client, action: &str, id: u64) -> Value {
    c.call(json!({"action": action, "args": {"req_id": 9, "stmt_id": id}}))
        .await
}

/// The placeholders of a prepare response, as the client decodes them.
fn fields_of(resp: &Value) -> Vec<BindField> {
    resp["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_i64().unwrap();
            BindField::from_wire(
                f["name"].as_str().unwrap(),
                n("field_type"),
                n("precision"),
                n("scale"),
                n("bytes"),
                n("bind_type"),
            )
            .unwrap()
        })
        .collect()
}

async fn bind(c: &mut Client, id: u64, fields: &[BindField], tables: &[TableBind]) -> Value {
    let mut frame = Vec::new();
    encode_bind_frame(
        11,
        id,
        fields,
        tables,
        &EncodeOptions::default(),
        &mut frame,
    )
    .unwrap();
    c.send_bin(frame).await;
    c.recv_json().await
}

/// Runs `sql` with a binary query and reads every block of the result.
async fn select(c: &mut Client, sql: &str) -> RecordBatch {
    let q = c.binary_query(3, sql).await;
    assert_eq!(q["code"], 0, "{sql}: {q}");
    fetch_all(c, &q, q["id"].as_u64().unwrap()).await
}

async fn fetch_all(c: &mut Client, described: &Value, id: u64) -> RecordBatch {
    let schema = schema_of(described);
    let mut batches = Vec::new();
    loop {
        match c.fetch_raw_body(5, id).await {
            Fetched::Block(b) => batches.push(decode_block(&b, &schema).unwrap()),
            Fetched::Finished => break,
            Fetched::Error(code, m) => panic!("{code} {m}"),
        }
    }
    concat_batches(&schema, &batches).unwrap()
}

fn ts(v: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampMillisecondArray::from(v))
}

fn ints(v: Vec<Option<i32>>) -> ArrayRef {
    Arc::new(Int32Array::from(v))
}

fn strs(v: Vec<Option<&str>>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}

fn assert_error(r: &Value, code: i64, action: &str, text: &str) {
    assert_eq!(r["code"].as_i64(), Some(code), "{r}");
    assert_eq!(r["action"], action, "{r}");
    let m = r["message"].as_str().unwrap();
    assert!(m.contains(text), "{m:?} lacks {text:?}");
}

#[tokio::test]
async fn prepare_reports_placeholders_like_taosadapter() {
    let (_s, mut c) = setup().await;
    c.exec("create database ns precision 'ns'").await;
    c.exec(
        "create stable ns.st (ts timestamp, c1 int, c2 varchar(16), c3 nchar(4), \
         c4 decimal(10, 2)) tags (g int, site varchar(8))",
    )
    .await;
    let id = init(&mut c).await;
    let r = prepare(
        &mut c,
        id,
        "insert into ? using ns.st tags(?, ?) values(?, ?, ?, ?, ?)",
    )
    .await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(
        (r["action"].as_str(), r["stmt_id"].as_u64()),
        (Some("stmt2_prepare"), Some(id))
    );
    assert_eq!(r["is_insert"], true);
    assert_eq!(r["fields_count"], 8);
    let f = |name: &str, ty: i64, precision: i64, scale: i64, bytes: i64, bind: i64| {
        json!({"name": name, "field_type": ty, "precision": precision, "scale": scale,
               "bytes": bytes, "bind_type": bind})
    };
    assert_eq!(
        r["fields"],
        json!([
            f("tbname", 8, 0, 0, 271, 4),
            f("g", 4, 0, 0, 4, 2),
            f("site", 8, 0, 0, 10, 2),
            f("ts", 9, 2, 0, 8, 1),
            f("c1", 4, 0, 0, 4, 1),
            f("c2", 8, 0, 0, 18, 1),
            f("c3", 10, 0, 0, 18, 1),
            f("c4", 21, 10, 2, 8, 1),
        ])
    );
    // A literal child table: no tbname placeholder.
    let r = prepare(
        &mut c,
        id,
        "insert into ns.d1 using ns.st tags(?, ?) values(?, ?, ?, ?, ?)",
    )
    .await;
    let names: Vec<&str> = r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["g", "site", "ts", "c1", "c2", "c3", "c4"]);
    // A super table with tbname in the column list: the column list's order, roles mixed,
    // as TDengine reports them (its stmt2 get_fields tests, "random order").
    let r = prepare(
        &mut c,
        id,
        "insert into ns.st (c1, tbname, ts, site) values(?, ?, ?, ?)",
    )
    .await;
    let roles: Vec<(&str, i64)> = r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["bind_type"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(roles, [("c1", 1), ("tbname", 4), ("ts", 1), ("site", 2)]);
    // A query: no fields, the number of `?`.
    let r = prepare(&mut c, id, "select * from ns.st where c1 > ? and site = ?").await;
    assert_eq!(
        (
            r["is_insert"].clone(),
            r["fields"].clone(),
            r["fields_count"].clone()
        ),
        (json!(false), Value::Null, json!(2))
    );
    // get_fields false.
    let r = c
        .call(
            json!({"action": "stmt2_prepare", "args": {"req_id": 1, "stmt_id": id,
              "sql": "insert into db.t values(?, ?, ?)", "get_fields": false}}),
        )
        .await;
    assert_eq!(
        (r["fields"].clone(), r["fields_count"].clone()),
        (Value::Null, json!(0)),
        "{r}"
    );
    // Errors carry stmt_id.
    let r = prepare(&mut c, id, "insert into db.nope values(?, ?)").await;
    assert_ne!(r["code"], 0);
    assert_eq!(r["stmt_id"].as_u64(), Some(id));
    let r = prepare(&mut c, 99, "insert into db.t values(?, ?, ?)").await;
    assert_error(&r, 65535, "stmt2_prepare", "stmt2 is nil");
}

#[tokio::test]
async fn the_worked_example_frame_inserts_two_rows() {
    let (_s, mut c) = setup().await;
    let id = init(&mut c).await;
    assert_eq!(id, 1);
    let r = prepare(
        &mut c,
        id,
        "INSERT INTO ? USING meters TAGS(?) VALUES(?,?,?)",
    )
    .await;
    assert_eq!(r["code"], 0, "{r}");
    let hex = "0100000000000000010000000000000009000000000000000100ffffffffa000000001000000010000000300\
               00001c000000210000003b0000000300643100160000001600000004000000010000000000040000000700\
               000061000000230000000900000002000000000000100000000068e5cf8b010000e86be5cf8b0100001b00\
               00000600000002000000000100080000000000c03f00000000230000000800000002000000000001030000\
               00050000000800000061626368656c6c6f";
    let frame = taosarrow_protocol::hex::decode(hex).unwrap();
    assert_eq!(frame.len(), 190);
    c.send_bin(frame).await;
    let r = c.recv_json().await;
    assert_eq!(
        (
            r["code"].as_i64(),
            r["action"].as_str(),
            r["req_id"].as_u64(),
            r["stmt_id"].as_u64()
        ),
        (Some(0), Some("stmt2_bind"), Some(1), Some(1)),
        "{r}"
    );
    let r = simple(&mut c, "stmt2_exec", id).await;
    assert_eq!(
        (r["code"].as_i64(), r["affected"].as_i64()),
        (Some(0), Some(2)),
        "{r}"
    );
    let b = select(
        &mut c,
        "select tbname, groupid, ts, current, note from meters order by ts",
    )
    .await;
    assert_eq!(b.num_rows(), 2);
    assert_eq!(b.column(0).as_string::<i32>().value(1), "d1");
    assert_eq!(b.column(1).as_primitive::<Int32Type>().values(), &[7, 7]);
    assert_eq!(
        b.column(2)
            .as_primitive::<TimestampMillisecondType>()
            .values(),
        &[1_700_000_000_000, 1_700_000_001_000]
    );
    let cur = b.column(3).as_any().downcast_ref::<Float32Array>().unwrap();
    assert_eq!((cur.value(0), cur.is_null(1)), (1.5, true));
    let note = b.column(4).as_string::<i32>();
    assert_eq!((note.value(0), note.value(1)), ("abc", "hello"));
}

#[tokio::test]
async fn binds_accumulate_and_queries_read_through_fetch_raw_block() {
    let (_s, mut c) = setup().await;
    let id = init(&mut c).await;
    let fields = fields_of(&prepare(&mut c, id, "insert into t values(?, ?, ?)").await);
    for k in 0..2i64 {
        let t = TableBind::new(vec![
            ts(vec![T0 + 2 * k, T0 + 2 * k + 1]),
            ints(vec![Some(k as i32 * 2), None]),
            strs(vec![Some("a"), Some("日本")]),
        ]);
        let r = bind(&mut c, id, &fields, &[t]).await;
        assert_eq!(r["code"], 0, "{r}");
    }
    let r = simple(&mut c, "stmt2_exec", id).await;
    assert_eq!(r["affected"], 4, "{r}");
    // Exec again without a new bind.
    let r = simple(&mut c, "stmt2_exec", id).await;
    assert_error(&r, 0x022A, "stmt2_exec", "without bind");
    let r = simple(&mut c, "stmt2_result", id).await;
    assert_error(&r, 65535, "stmt2_result", "stmt is insert, no result set");

    // The same statement prepared as a query.
    let r = prepare(
        &mut c,
        id,
        "select ts, v, s from t where ts >= ? and s = ? order by ts",
    )
    .await;
    assert_eq!(r["fields_count"], 2, "{r}");
    let params = [
        BindField::new("?1", TdType::BigInt, BindRole::Query),
        BindField::new("?2", TdType::VarChar, BindRole::Query),
    ];
    let p = TableBind::new(vec![
        Arc::new(Int64Array::from(vec![T0 + 1])),
        strs(vec![Some("日本")]),
    ]);
    let r = bind(&mut c, id, &params, &[p]).await;
    assert_eq!(r["code"], 0, "{r}");
    let r = simple(&mut c, "stmt2_exec", id).await;
    assert_eq!(
        (r["code"].as_i64(), r["affected"].as_i64()),
        (Some(0), Some(0)),
        "{r}"
    );
    let res = simple(&mut c, "stmt2_result", id).await;
    assert_eq!(res["code"], 0, "{res}");
    assert_eq!(res["fields_names"], json!(["ts", "v", "s"]));
    assert_eq!(res["fields_types"], json!([9, 4, 8]));
    let b = fetch_all(&mut c, &res, res["id"].as_u64().unwrap()).await;
    assert_eq!(
        b.column(0)
            .as_primitive::<TimestampMillisecondType>()
            .values(),
        &[T0 + 1, T0 + 3]
    );
    assert!(b.column(1).is_null(0) && b.column(1).is_null(1));
    // A second stmt2_result fails; close succeeds, also for an unknown id.
    let r = simple(&mut c, "stmt2_result", id).await;
    assert_ne!(r["code"], 0, "{r}");
    for sid in [id, 12345] {
        let r = simple(&mut c, "stmt2_close", sid).await;
        assert_eq!(
            (r["code"].as_i64(), r["stmt_id"].as_u64()),
            (Some(0), Some(sid)),
            "{r}"
        );
    }
    let r = simple(&mut c, "stmt2_exec", id).await;
    assert_error(&r, 65535, "stmt2_exec", "stmt2 is nil");
}

#[tokio::test]
async fn child_tables_are_created_and_equal_timestamps_overwrite() {
    let (_s, mut c) = setup().await;
    let id = init(&mut c).await;
    let fields = fields_of(
        &prepare(
            &mut c,
            id,
            "insert into ? using meters tags(?) values(?, ?, ?)",
        )
        .await,
    );
    let table = |name: &str, g: i32, cur: f32| {
        TableBind::new(vec![
            ts(vec![T0, T0 + 1]),
            Arc::new(Float32Array::from(vec![cur, cur])) as ArrayRef,
            strs(vec![Some(name), None]),
        ])
        .with_name(name)
        .with_tags(vec![ints(vec![Some(g)])])
    };
    let r = bind(
        &mut c,
        id,
        &fields,
        &[table("d1", 1, 1.0), table("d2", 2, 2.0)],
    )
    .await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(simple(&mut c, "stmt2_exec", id).await["affected"], 4);
    // Same rows again with other values: overwritten, not duplicated.
    let r = bind(&mut c, id, &fields, &[table("d1", 1, 5.0)]).await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(simple(&mut c, "stmt2_exec", id).await["affected"], 2);
    let b = select(
        &mut c,
        "select tbname, groupid, current from meters order by tbname, ts",
    )
    .await;
    let names: Vec<&str> = (0..4)
        .map(|i| b.column(0).as_string::<i32>().value(i))
        .collect();
    assert_eq!(names, ["d1", "d1", "d2", "d2"]);
    assert_eq!(
        b.column(1).as_primitive::<Int32Type>().values(),
        &[1, 1, 2, 2]
    );
    let cur = b.column(2).as_any().downcast_ref::<Float32Array>().unwrap();
    assert_eq!(cur.values(), &[5.0, 5.0, 2.0, 2.0]);
}

#[tokio::test]
async fn bind_exec_writes_a_column_wise_frame() {
    let (_s, mut c) = setup().await;
    let id = init(&mut c).await;
    let fields = fields_of(
        &prepare(
            &mut c,
            id,
            "insert into ? using meters tags(?) values(?, ?, ?)",
        )
        .await,
    );
    let tables: Vec<TableBind> = (0..3)
        .map(|i| {
            TableBind::new(vec![
                ts(vec![T0 + i]),
                Arc::new(Float32Array::from(vec![i as f32])) as ArrayRef,
                strs(vec![Some("x")]),
            ])
            .with_name(format!("e{i}"))
            .with_tags(vec![ints(vec![Some(i as i32)])])
        })
        .collect();
    let mut frame = Vec::new();
    encode_bind_exec_frame(
        21,
        id,
        &fields,
        &tables,
        &EncodeOptions::default(),
        &mut frame,
    )
    .unwrap();
    c.send_bin(frame).await;
    let r = c.recv_json().await;
    assert_eq!(
        (
            r["code"].as_i64(),
            r["action"].as_str(),
            r["req_id"].as_u64(),
            r["affected"].as_i64()
        ),
        (Some(0), Some("stmt2_bind_exec"), Some(21), Some(3)),
        "{r}"
    );
    let b = select(&mut c, "select tbname, groupid from meters order by ts").await;
    assert_eq!(b.column(1).as_primitive::<Int32Type>().values(), &[0, 1, 2]);
    assert_eq!(b.column(0).as_string::<i32>().value(2), "e2");
}

#[tokio::test]
async fn malformed_and_mismatched_binds_are_rejected_and_write_nothing() {
    let (_s, mut c) = setup().await;
    let id = init(&mut c).await;
    let fields = fields_of(
        &prepare(
            &mut c,
            id,
            "insert into ? using meters tags(?) values(?, ?, ?)",
        )
        .await,
    );
    let good = TableBind::new(vec![
        ts(vec![T0]),
        Arc::new(Float32Array::from(vec![1.0f32])) as ArrayRef,
        strs(vec![Some("ok")]),
    ])
    .with_name("m1")
    .with_tags(vec![ints(vec![Some(1)])]);
    let mut frame = Vec::new();
    encode_bind_frame(
        4,
        id,
        &fields,
        std::slice::from_ref(&good),
        &EncodeOptions::default(),
        &mut frame,
    )
    .unwrap();

    // Shorter than the 30-byte header.
    c.send_bin(frame[..29].to_vec()).await;
    assert_error(
        &c.recv_json().await,
        65535,
        "stmt2_bind",
        "message length is too short",
    );
    // Unknown version.
    let mut bad = frame.clone();
    bad[24] = 2;
    c.send_bin(bad).await;
    assert_error(
        &c.recv_json().await,
        65535,
        "stmt2_bind",
        "unknown stmt2 bind version",
    );
    // Payload cut short: total_length no longer matches.
    c.send_bin(frame[..frame.len() - 1].to_vec()).await;
    assert_error(
        &c.recv_json().await,
        65535,
        "stmt2_bind",
        "total length not match",
    );
    // Unknown statement.
    let mut other = frame.clone();
    other[8..16].copy_from_slice(&77u64.to_le_bytes());
    c.send_bin(other).await;
    assert_error(&c.recv_json().await, 65535, "stmt2_bind", "stmt2 is nil");
    // A column sent with another type code than prepare reported (BIGINT for FLOAT).
    let mut wrong = fields.clone();
    wrong[3] = BindField::new("current", TdType::BigInt, BindRole::Column);
    let t = TableBind::new(vec![
        ts(vec![T0]),
        Arc::new(Int64Array::from(vec![1])),
        strs(vec![Some("x")]),
    ])
    .with_name("m2")
    .with_tags(vec![ints(vec![Some(1)])]);
    let r = bind(&mut c, id, &wrong, &[t]).await;
    assert_error(&r, 0x0200, "stmt2_bind", "mis-match");
    assert_eq!(r["stmt_id"].as_u64(), Some(id));
    // A value longer than VARCHAR(16), next to a good table: the whole bind is refused.
    let long = TableBind::new(vec![
        ts(vec![T0]),
        Arc::new(Float32Array::from(vec![1.0f32])) as ArrayRef,
        strs(vec![Some("seventeen chars!!")]),
    ])
    .with_name("m3")
    .with_tags(vec![ints(vec![Some(1)])]);
    let r = bind(&mut c, id, &fields, &[good.clone(), long]).await;
    assert_error(&r, 0x2653, "stmt2_bind", "Value too long");
    // A NULL primary timestamp.
    let null_ts = TableBind::new(vec![
        Arc::new(TimestampMillisecondArray::from(vec![None, Some(T0)])) as ArrayRef,
        Arc::new(Float32Array::from(vec![1.0f32, 2.0])) as ArrayRef,
        strs(vec![None, None]),
    ])
    .with_name("m4")
    .with_tags(vec![ints(vec![Some(1)])]);
    let r = bind(&mut c, id, &fields, &[null_ts]).await;
    assert_error(&r, 0x2635, "stmt2_bind", "TIMESTAMP");
    // Nothing was kept: exec has no data.
    assert_error(
        &simple(&mut c, "stmt2_exec", id).await,
        0x022A,
        "stmt2_exec",
        "without bind",
    );
    let b = select(&mut c, "select count(*) from meters").await;
    assert_eq!(
        b.column(0)
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        0
    );
}

#[tokio::test]
async fn a_table_outside_the_super_table_fails_the_whole_exec() {
    let (_s, mut c) = setup().await;
    let id = init(&mut c).await;
    let sql = "insert into ? using meters tags(?) values(?, ?, ?)";
    let fields = fields_of(&prepare(&mut c, id, sql).await);
    let table = |name: &str| {
        TableBind::new(vec![
            ts(vec![T0]),
            Arc::new(Float32Array::from(vec![1.0f32])) as ArrayRef,
            strs(vec![None]),
        ])
        .with_name(name)
        .with_tags(vec![ints(vec![Some(1)])])
    };
    // `t` is a normal table, not a child of `meters`.
    let r = bind(&mut c, id, &fields, &[table("fresh"), table("t")]).await;
    assert_eq!(r["code"], 0, "{r}");
    let r = simple(&mut c, "stmt2_exec", id).await;
    assert_error(&r, 0x0200, "stmt2_exec", "not a child table of meters");
    let b = select(&mut c, "select count(*) from meters").await;
    assert_eq!(
        b.column(0)
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        0
    );
}
