//! `INSERT INTO ? VALUES (?, …)` and `INSERT INTO ? (cols…) VALUES (?, …)` without `USING`:
//! the table is named only when binding. stmt v1 names it with `set_table_name` (a normal
//! or existing child table, `db.tb` allowed), after which the field descriptions and binds
//! follow that table; stmt2 names the tables in each bind's table-name section.

use std::sync::Arc;

use crate::support::{schema_of, server, Client, Fetched};
use arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::compute::concat_batches;
use arrow::datatypes::{Int32Type, TimestampMillisecondType};
use serde_json::{json, Value};
use taosarrow_codec::decode_block;
use taosarrow_codec::stmt2::{encode_bind_frame, BindField, BindRole, EncodeOptions, TableBind};
use taosarrow_protocol::TdType;
use taosarrow_server::{LocalServer, ServerConfig};

const T0: i64 = 1_700_000_000_000;

async fn setup() -> (LocalServer, Client) {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    c.exec("create database db precision 'ms'").await;
    c.exec("use db").await;
    c.exec("create table t1 (ts timestamp, v int)").await;
    c.exec("create table t2 (ts timestamp, s varchar(8))").await;
    c.exec("create table t3 (ts timestamp, x double, v int)")
        .await;
    c.exec("create stable st (ts timestamp, v int) tags (g int)")
        .await;
    c.exec("create table c1 using st tags (7)").await;
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

fn fails(r: &Value, code: i64, text: &str) {
    assert_eq!(r["code"].as_i64(), Some(code), "{r}");
    let m = r["message"].as_str().unwrap_or_default();
    assert!(m.contains(text), "{m:?} lacks {text:?}");
}

async fn select(c: &mut Client, sql: &str) -> RecordBatch {
    let q = c.binary_query(3, sql).await;
    assert_eq!(q["code"], 0, "{sql}: {q}");
    let schema = schema_of(&q);
    let id = q["id"].as_u64().unwrap();
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

fn field_names(r: &Value) -> Vec<String> {
    r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn v1_init(c: &mut Client, sql: &str) -> u64 {
    let r = c
        .call(json!({"action": "init", "args": {"req_id": 1}}))
        .await;
    let id = r["stmt_id"].as_u64().unwrap();
    let r = act(c, "prepare", id, json!({ "sql": sql })).await;
    ok(&r, "prepare");
    assert_eq!(r["is_insert"], true, "{r}");
    id
}

#[tokio::test]
async fn v1_set_table_name_picks_the_table_and_its_columns() {
    let (_s, mut c) = setup().await;
    let id = v1_init(&mut c, "insert into ? values(?, ?)").await;

    // Before a table is named there is nothing to describe or bind (TDengine:
    // TSC_STMT_TBNAME_ERROR).
    fails(
        &act(&mut c, "get_col_fields", id, json!({})).await,
        0x022B,
        "table name not set",
    );
    fails(
        &act(&mut c, "bind", id, json!({"columns": [[T0], [1]]})).await,
        0x022B,
        "table name not set",
    );
    // Unknown tables and super tables are refused at set_table_name.
    fails(
        &act(&mut c, "set_table_name", id, json!({"name": "nope"})).await,
        0x2603,
        "Table does not exist",
    );
    fails(
        &act(&mut c, "set_table_name", id, json!({"name": "st"})).await,
        0x0216,
        "bounded cols is expected for supertable insertion",
    );
    // Three columns for two placeholders.
    fails(
        &act(&mut c, "set_table_name", id, json!({"name": "t3"})).await,
        0x2634,
        "Illegal number of columns",
    );

    // t1 (ts, v int), then t2 (ts, s varchar): other columns, same statement, one exec.
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "t1"})).await,
        "set_table_name",
    );
    let r = act(&mut c, "get_col_fields", id, json!({})).await;
    assert_eq!(
        r["fields"],
        json!([{"name": "ts", "field_type": 9, "precision": 0, "scale": 0, "bytes": 8},
               {"name": "v", "field_type": 4, "precision": 0, "scale": 0, "bytes": 4}]),
        "{r}"
    );
    let r = act(&mut c, "get_tag_fields", id, json!({})).await;
    ok(&r, "get_tag_fields");
    assert!(r.get("fields").is_none(), "{r}");
    assert_eq!(
        act(&mut c, "stmt_num_params", id, json!({})).await["num_params"],
        2
    );
    ok(
        &act(
            &mut c,
            "bind",
            id,
            json!({"columns": [[T0, T0 + 1], [1, 2]]}),
        )
        .await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");

    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "db.t2"})).await,
        "set_table_name",
    );
    let r = act(&mut c, "get_col_fields", id, json!({})).await;
    assert_eq!(field_names(&r), ["ts", "s"]);
    assert_eq!(r["fields"][1]["field_type"], 8, "{r}");
    ok(
        &act(
            &mut c,
            "bind",
            id,
            json!({"columns": [[T0 + 5], ["hello"]]}),
        )
        .await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");

    // An existing child table.
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "c1"})).await,
        "set_table_name",
    );
    assert_eq!(
        field_names(&act(&mut c, "get_col_fields", id, json!({})).await),
        ["ts", "v"]
    );
    ok(
        &act(&mut c, "bind", id, json!({"columns": [[T0 + 9], [70]]})).await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");

    let r = act(&mut c, "exec", id, json!({})).await;
    ok(&r, "exec");
    assert_eq!(r["affected"], 4);

    let b = select(&mut c, "select ts, v from t1 order by ts").await;
    assert_eq!(
        b.column(0)
            .as_primitive::<TimestampMillisecondType>()
            .values(),
        &[T0, T0 + 1]
    );
    assert_eq!(b.column(1).as_primitive::<Int32Type>().values(), &[1, 2]);
    let b = select(&mut c, "select s from t2").await;
    assert_eq!(b.column(0).as_string::<i32>().value(0), "hello");
    let b = select(&mut c, "select v, g from st").await;
    assert_eq!(b.column(0).as_primitive::<Int32Type>().values(), &[70]);
    assert_eq!(b.column(1).as_primitive::<Int32Type>().values(), &[7]);

    // The same statement keeps working after exec.
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "t1"})).await,
        "set_table_name",
    );
    ok(
        &act(&mut c, "bind", id, json!({"columns": [[T0 + 3], [3]]})).await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");
    assert_eq!(act(&mut c, "exec", id, json!({})).await["affected"], 1);
}

#[tokio::test]
async fn v1_column_list_binds_those_columns_and_leaves_the_rest_null() {
    let (_s, mut c) = setup().await;
    let id = v1_init(&mut c, "INSERT INTO ? (ts, v) VALUES (?, ?)").await;
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "t3"})).await,
        "set_table_name",
    );
    assert_eq!(
        field_names(&act(&mut c, "get_col_fields", id, json!({})).await),
        ["ts", "v"]
    );
    ok(
        &act(&mut c, "bind", id, json!({"columns": [[T0], [5]]})).await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");
    // t1 has the listed columns too; t2 has no `v`.
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "t1"})).await,
        "set_table_name",
    );
    ok(
        &act(&mut c, "bind", id, json!({"columns": [[T0], [6]]})).await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");
    fails(
        &act(&mut c, "set_table_name", id, json!({"name": "t2"})).await,
        0x2602,
        "Invalid column name: v",
    );
    assert_eq!(act(&mut c, "exec", id, json!({})).await["affected"], 2);
    let b = select(&mut c, "select x, v from t3").await;
    assert!(b.column(0).is_null(0));
    assert_eq!(b.column(1).as_primitive::<Int32Type>().value(0), 5);

    // A column list without the primary timestamp is refused when the table is named.
    let id = v1_init(&mut c, "insert into ? (v) values (?)").await;
    fails(
        &act(&mut c, "set_table_name", id, json!({"name": "t1"})).await,
        0x2602,
        "primary timestamp",
    );
}

#[tokio::test]
async fn v1_hostile_table_names_are_clear_errors() {
    let (_s, mut c) = setup().await;
    let id = v1_init(&mut c, "insert into ? values(?, ?)").await;
    let long = "x".repeat(300);
    for (name, code) in [
        ("", 0x2617),
        ("   ", 0x2617),
        (".", 0x2617),
        ("db.", 0x2617),
        ("..", 0x2617),
        ("``", 0x2617),
        (long.as_str(), 0x2617),
        ("表", 0x2603),
        ("t1\u{0}", 0x2603),
        ("other.t1", 0x0388),
    ] {
        let r = act(&mut c, "set_table_name", id, json!({ "name": name })).await;
        assert_eq!(r["code"].as_i64(), Some(code), "{name:?}: {r}");
        assert!(!r["message"].as_str().unwrap_or_default().is_empty(), "{r}");
    }
    // A failed set_table_name leaves no table named; the connection still works.
    fails(
        &act(&mut c, "get_col_fields", id, json!({})).await,
        0x022B,
        "",
    );
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "`t1`"})).await,
        "set_table_name",
    );
    ok(
        &act(&mut c, "bind", id, json!({"columns": [[T0], [1]]})).await,
        "bind",
    );
    ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");
    assert_eq!(act(&mut c, "exec", id, json!({})).await["affected"], 1);
}

#[tokio::test]
async fn v1_names_may_give_another_database_or_the_only_one() {
    let (s, mut c) = setup().await;
    c.exec("create database db2 precision 'us'").await;
    c.exec("create table db2.u (ts timestamp, v int)").await;
    let id = v1_init(&mut c, "insert into ? values(?, ?)").await;
    for (name, ts) in [
        ("db2.u", T0 * 1000),
        ("t1", T0),
        ("`DB2`.`u`", T0 * 1000 + 1),
    ] {
        ok(
            &act(&mut c, "set_table_name", id, json!({ "name": name })).await,
            "set_table_name",
        );
        ok(
            &act(&mut c, "bind", id, json!({"columns": [[ts], [1]]})).await,
            "bind",
        );
        ok(&act(&mut c, "add_batch", id, json!({})).await, "add_batch");
    }
    // The other database's precision: microseconds.
    let r = act(&mut c, "get_col_fields", id, json!({})).await;
    assert_eq!(r["fields"][0]["precision"], 1, "{r}");
    assert_eq!(act(&mut c, "exec", id, json!({})).await["affected"], 3);
    let b = select(&mut c, "select count(*) from db2.u").await;
    assert_eq!(
        b.column(0)
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        2
    );

    // `INSERT INTO db2.? VALUES`: plain names are looked up in db2.
    let id = v1_init(&mut c, "insert into db2.? values(?, ?)").await;
    ok(
        &act(&mut c, "set_table_name", id, json!({"name": "u"})).await,
        "set_table_name",
    );
    fails(
        &act(&mut c, "set_table_name", id, json!({"name": "t1"})).await,
        0x2603,
        "",
    );
    let r = act(
        &mut c,
        "prepare",
        id,
        json!({"sql": "insert into nodb.? values(?, ?)"}),
    )
    .await;
    assert_eq!(r["code"], 0x0388, "{r}");

    // Without a current database only `db.table` names resolve.
    let mut c2 = Client::connect(&s).await;
    let id = v1_init(&mut c2, "insert into ? values(?, ?)").await;
    fails(
        &act(&mut c2, "set_table_name", id, json!({"name": "t1"})).await,
        0x2616,
        "",
    );
    ok(
        &act(&mut c2, "set_table_name", id, json!({"name": "db.t1"})).await,
        "set_table_name",
    );
    ok(
        &act(&mut c2, "bind", id, json!({"columns": [[T0 + 7], [7]]})).await,
        "bind",
    );
    ok(&act(&mut c2, "add_batch", id, json!({})).await, "add_batch");
    assert_eq!(act(&mut c2, "exec", id, json!({})).await["affected"], 1);
}

#[tokio::test]
async fn v1_prepare_defers_syntax_errors_to_exec_as_tdengine_does() {
    // taos_stmt_prepare only keeps the SQL (and taosAdapter's `prepare` asks
    // taos_stmt_is_insert, which looks at the first word); TDengine parses at bind / exec.
    let (_s, mut c) = setup().await;
    let r = c
        .call(json!({"action": "init", "args": {"req_id": 1}}))
        .await;
    let id = r["stmt_id"].as_u64().unwrap();
    let r = act(&mut c, "prepare", id, json!({"sql": "selec 1"})).await;
    ok(&r, "prepare");
    assert_eq!(r["is_insert"], false);
    let r = act(&mut c, "exec", id, json!({})).await;
    assert_eq!(r["code"], 0x2600, "{r}");
}

// ---- stmt2 ----

async fn stmt2_init(c: &mut Client) -> u64 {
    let r = c
        .call(json!({"action": "stmt2_init", "args": {"req_id": 7}}))
        .await;
    r["stmt_id"].as_u64().unwrap()
}

async fn stmt2_prepare(c: &mut Client, id: u64, sql: &str, get_fields: bool) -> Value {
    c.call(json!({"action": "stmt2_prepare",
                  "args": {"req_id": 8, "stmt_id": id, "sql": sql, "get_fields": get_fields}}))
        .await
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

fn table(name: &str, columns: Vec<ArrayRef>) -> TableBind {
    let mut t = TableBind::new(columns);
    t.name = Some(name.to_owned());
    t
}

fn ts(v: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampMillisecondArray::from(v))
}

fn ints(v: Vec<i32>) -> ArrayRef {
    Arc::new(Int32Array::from(v))
}

/// The fields a client binds `(tbname, ts, v int)` with, having learnt them elsewhere (the
/// server cannot describe them at prepare).
fn ts_int_fields() -> Vec<BindField> {
    let mut tb = BindField::new("tbname", TdType::VarChar, BindRole::TableName);
    tb.bytes = 271;
    let mut ts = BindField::new("ts", TdType::Timestamp, BindRole::Column);
    ts.bytes = 8;
    let mut v = BindField::new("v", TdType::Int, BindRole::Column);
    v.bytes = 4;
    vec![tb, ts, v]
}

#[tokio::test]
async fn stmt2_prepare_cannot_describe_and_binds_name_the_tables() {
    let (_s, mut c) = setup().await;
    let id = stmt2_init(&mut c).await;
    // As TDengine's taos_stmt2_get_fields, which taosAdapter's prepare calls for get_fields.
    let r = stmt2_prepare(&mut c, id, "insert into ? values(?, ?)", true).await;
    fails(&r, 0x022B, "Table does not exist");
    assert_eq!(r["stmt_id"].as_u64(), Some(id));
    let r = stmt2_prepare(&mut c, id, "insert into ? values(?, ?)", false).await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(
        (
            r["is_insert"].clone(),
            r["fields"].clone(),
            r["fields_count"].clone()
        ),
        (json!(true), Value::Null, json!(0))
    );
    let f = ts_int_fields();
    // A normal and a child table of one schema in one bind, another bind, one exec.
    let r = bind(
        &mut c,
        id,
        &f,
        &[
            table("t1", vec![ts(vec![T0, T0 + 1]), ints(vec![1, 2])]),
            table("db.c1", vec![ts(vec![T0]), ints(vec![10])]),
        ],
    )
    .await;
    ok(&r, "stmt2_bind");
    ok(
        &bind(
            &mut c,
            id,
            &f,
            &[table("t1", vec![ts(vec![T0 + 2]), ints(vec![3])])],
        )
        .await,
        "stmt2_bind",
    );
    let r = c
        .call(json!({"action": "stmt2_exec", "args": {"req_id": 9, "stmt_id": id}}))
        .await;
    assert_eq!(
        (r["code"].clone(), r["affected"].clone()),
        (json!(0), json!(4)),
        "{r}"
    );
    let b = select(&mut c, "select v from t1 order by ts").await;
    assert_eq!(b.column(0).as_primitive::<Int32Type>().values(), &[1, 2, 3]);
    let b = select(&mut c, "select v from c1").await;
    assert_eq!(b.column(0).as_primitive::<Int32Type>().values(), &[10]);

    // Unknown tables, super tables, tables of other schemas in one bind, hostile names:
    // each bind is refused whole and writes nothing.
    let one = |name: &str| table(name, vec![ts(vec![T0 + 50]), ints(vec![50])]);
    for (name, code, text) in [
        ("nope", 0x2603, "Table does not exist"),
        ("st", 0x0216, "supertable"),
        // (An empty name cannot be encoded; the payload parser refuses it as taosAdapter.)
        (".", 0x2617, "empty table name"),
        ("  ", 0x2617, "empty table name"),
        ("表", 0x2603, "Table does not exist"),
    ] {
        let r = bind(&mut c, id, &f, &[one("t1"), one(name)]).await;
        fails(&r, code, text);
    }
    let long = "y".repeat(300);
    let r = bind(&mut c, id, &f, &[one(&long)]).await;
    assert_ne!(r["code"], 0, "{r}");
    let mut s_fields = ts_int_fields();
    s_fields[2] = BindField::new("s", TdType::VarChar, BindRole::Column);
    s_fields[2].bytes = 10;
    let r = bind(
        &mut c,
        id,
        &f,
        &[one("t1"), table("t2", vec![ts(vec![T0]), ints(vec![1])])],
    )
    .await;
    fails(&r, 0x0200, "share a schema");
    // A bind whose blocks do not match the named table's columns.
    let r = bind(
        &mut c,
        id,
        &s_fields,
        &[table(
            "t1",
            vec![ts(vec![T0]), Arc::new(StringArray::from(vec!["a"]))],
        )],
    )
    .await;
    assert_ne!(r["code"], 0, "{r}");
    let r = c
        .call(json!({"action": "stmt2_exec", "args": {"req_id": 9, "stmt_id": id}}))
        .await;
    assert_eq!(r["code"], 0x022A, "nothing bound since the last exec: {r}");
    let b = select(&mut c, "select count(*) from t1").await;
    assert_eq!(
        b.column(0)
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(0),
        3
    );
    // A table of the other schema, in a bind of its own, with its own fields.
    ok(
        &bind(
            &mut c,
            id,
            &s_fields,
            &[table(
                "t2",
                vec![ts(vec![T0]), Arc::new(StringArray::from(vec!["b"]))],
            )],
        )
        .await,
        "stmt2_bind",
    );
    let r = c
        .call(json!({"action": "stmt2_exec", "args": {"req_id": 9, "stmt_id": id}}))
        .await;
    assert_eq!(r["affected"], 1, "{r}");
}
