//! Over the WebSocket: the JSON operator `->` answers a column of type JSON (code 15), and
//! SHOW DNODES the one dnode at the address the server listens on.

use crate::support::{schema_of, server, Client, Fetched};
use arrow::array::{Array, AsArray, RecordBatch};
use serde_json::{json, Value};
use taosarrow_codec::decode_block;
use taosarrow_server::ServerConfig;

/// Every row of a binary query's result, read to its end.
async fn all_rows(c: &mut Client, q: &Value) -> Vec<RecordBatch> {
    let schema = schema_of(q);
    let id = q["id"].as_u64().unwrap();
    let mut out = Vec::new();
    for req_id in 100u64.. {
        match c.fetch_raw_body(req_id, id).await {
            Fetched::Block(b) => out.push(decode_block(&b, &schema).unwrap()),
            Fetched::Finished => break,
            Fetched::Error(code, message) => panic!("{code} {message}"),
        }
    }
    out
}

/// Column `col` of `batches` as text, `None` for NULL.
fn texts(batches: &[RecordBatch], col: usize) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let a = b.column(col).as_string::<i32>();
        out.extend((0..a.len()).map(|i| (!a.is_null(i)).then(|| a.value(i).to_owned())));
    }
    out
}

#[tokio::test]
async fn the_json_operator_answers_json_values() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    for sql in [
        "create database db",
        "create stable db.s1 (ts timestamp, v1 int) tags (info json)",
        r#"create table db.s1_1 using db.s1 tags ('{"k1": "v1", "n": 1, "键": "值"}')"#,
        r#"create table db.s1_2 using db.s1 tags ('{"k2": true}')"#,
        "insert into db.s1_1 values (1700000000000, 1) db.s1_2 values (1700000000000, 2)",
    ] {
        c.exec(sql).await;
    }
    let q = c
        .binary_query(
            2,
            "select info->'k1' as k1, info->'n', info->'键', v1 from db.s1 order by v1",
        )
        .await;
    assert_eq!(q["code"], 0, "{q}");
    assert_eq!(
        q["fields_names"],
        json!(["k1", "info->'n'", "info->'键'", "v1"])
    );
    assert_eq!(q["fields_types"], json!([15, 15, 15, 4]));
    assert_eq!(q["fields_lengths"], json!([4095, 4095, 4095, 4]));
    let rows = all_rows(&mut c, &q).await;
    let some = |v: &str| Some(v.to_owned());
    assert_eq!(texts(&rows, 0), [some("\"v1\""), None]);
    assert_eq!(texts(&rows, 1), [some("1.000000000"), None]);
    assert_eq!(texts(&rows, 2), [some("\"值\""), None]);
    // WHERE on a key's value and on its presence, through the text query path.
    let q = c
        .query(
            3,
            "select v1 from db.s1 where info->'k1' = 'v1' or info contains 'k2'",
        )
        .await;
    assert_eq!(q["code"], 0, "{q}");
    let q = c
        .binary_query(4, "select v1 from db.s1 where info->'k2' = true")
        .await;
    let rows = all_rows(&mut c, &q).await;
    assert_eq!(rows.iter().map(RecordBatch::num_rows).sum::<usize>(), 1);
    // Hostile operands: TDengine errors, and the connection goes on.
    let long = "k".repeat(70_000);
    for (sql, code) in [
        ("select ->'k1' from db.s1".to_owned(), 0x2600),
        ("select info-> from db.s1".to_owned(), 0x2600),
        ("select v1->'k1' from db.s1".to_owned(), 0x2605),
        (format!("select info->'{long}' from db.s1"), 0x2600),
    ] {
        let r = c.query(5, &sql).await;
        assert_eq!(r["code"], code, "{}: {r}", &sql[..sql.len().min(40)]);
    }
    assert_eq!(c.query(6, "select count(*) from db.s1").await["code"], 0);
}

#[tokio::test]
async fn show_dnodes_names_the_listening_address() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    for sql in ["show dnodes", "select * from information_schema.ins_dnodes"] {
        let q = c.binary_query(2, sql).await;
        assert_eq!(q["code"], 0, "{sql}: {q}");
        assert_eq!(
            q["fields_names"],
            json!([
                "id",
                "endpoint",
                "vnodes",
                "support_vnodes",
                "status",
                "create_time",
                "reboot_time",
                "note"
            ]),
            "{sql}"
        );
        assert_eq!(q["fields_types"], json!([4, 8, 3, 3, 8, 9, 9, 8]), "{sql}");
        assert_eq!(
            q["fields_lengths"],
            json!([4, 134, 2, 2, 10, 8, 8, 256]),
            "{sql}"
        );
        let rows = all_rows(&mut c, &q).await;
        assert_eq!(texts(&rows, 1), [Some(s.addr().to_string())], "{sql}");
        assert_eq!(texts(&rows, 4), [Some("ready".to_owned())], "{sql}");
        let id = rows[0]
            .column(0)
            .as_primitive::<arrow::datatypes::Int32Type>();
        assert_eq!(id.value(0), 1);
    }
}
