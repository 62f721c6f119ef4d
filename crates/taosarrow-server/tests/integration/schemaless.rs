//! The schemaless `insert` action over the WebSocket, on `/ws` and on the legacy
//! `/rest/schemaless` endpoint (`schemaless.md` §1).

use crate::support::{server, Client};
use serde_json::{json, Value};
use taosarrow_server::{LocalServer, ServerConfig};

async fn insert(c: &mut Client, req_id: u64, protocol: i64, precision: &str, data: &str) -> Value {
    c.call(json!({"action": "insert", "args": {
        "req_id": req_id, "protocol": protocol, "precision": precision, "data": data,
        "ttl": null, "table_name_key": null}}))
        .await
}

async fn with_db(s: &LocalServer) -> Client {
    let mut c = Client::connect(s).await;
    assert_eq!(
        c.exec("create database sml precision 'ms'").await["code"],
        0
    );
    assert_eq!(c.exec("use sml").await["code"], 0);
    c
}

#[tokio::test]
async fn insert_answers_rows_written_and_points_parsed() {
    let s = server(ServerConfig::default()).await;
    let mut c = with_db(&s).await;
    let data = "measurement,host=host1 field1=2i,field2=2.0 1577837300000\n\
                measurement,host=host1 field1=2i,field2=2.0 1577837400000";
    let r = insert(&mut c, 2, 1, "ms", data).await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(r["action"], "insert");
    assert_eq!(r["req_id"], 2);
    assert_eq!(
        (r["affected_rows"].clone(), r["total_rows"].clone()),
        (json!(2), json!(2))
    );
    assert!(r["timing"].as_i64().is_some(), "{r}");
    let q = c.query(3, "select count(*) from sml.measurement").await;
    assert_eq!(q["code"], 0, "{q}");
    // Telnet and JSON on the same connection.
    let r = insert(
        &mut c,
        4,
        2,
        "",
        "meters.current 1648432611249 10.3 location=LA group=2",
    )
    .await;
    assert_eq!(
        (r["code"].clone(), r["affected_rows"].clone()),
        (json!(0), json!(1)),
        "{r}"
    );
    let r = insert(
        &mut c,
        5,
        3,
        "",
        r#"[{"metric":"meters2.current","timestamp":1648432611249,"value":10.3,"tags":{"location":"LA","groupid":2}}]"#,
    )
    .await;
    assert_eq!(
        (r["code"].clone(), r["affected_rows"].clone()),
        (json!(0), json!(1)),
        "{r}"
    );
}

#[tokio::test]
async fn refusals_carry_their_codes_and_no_row_counts() {
    let s = server(ServerConfig::default()).await;
    // Before `conn`.
    let mut c = Client::open(&s).await;
    let r = insert(&mut c, 1, 1, "ms", "m v=1").await;
    assert_eq!(
        (r["code"].clone(), r["message"].clone()),
        (json!(65535), json!("server not connected"))
    );
    let mut c = Client::connect(&s).await;
    // No current database.
    let r = insert(&mut c, 2, 1, "ms", "m v=1").await;
    assert_eq!(r["code"], 0x2616, "{r}");
    let mut c = with_db(&s).await;
    let r = c
        .call(json!({"action": "insert", "args": {"req_id": 3, "data": "m v=1"}}))
        .await;
    assert_eq!(
        (r["code"].clone(), r["message"].clone()),
        (json!(65535), json!("schemaless write protocol is null"))
    );
    assert_eq!(r["req_id"], 3);
    let r = insert(&mut c, 4, 4, "ms", "m v=1").await;
    assert_eq!(r["code"], 0x3000, "{r}");
    let r = insert(&mut c, 5, 1, "ms", "m,t=1 c4=4 1\nm,t=1 c4=4i 2").await;
    assert_eq!(r["code"], 0x3004, "{r}");
    assert!(r["message"].as_str().unwrap().contains("line 2"), "{r}");
    assert!(r.get("affected_rows").is_none(), "{r}");
    let r = insert(&mut c, 6, 1, "ms", "m v=").await;
    assert_eq!(r["code"], 0x0203, "{r}");
    let r = insert(&mut c, 7, 3, "", "{").await;
    assert_eq!(r["code"], 0x0221, "{r}");
    // The connection still works.
    let r = insert(&mut c, 8, 1, "ms", "m,t=1 v=1i 1000").await;
    assert_eq!(r["code"], 0, "{r}");
}

#[tokio::test]
async fn the_legacy_endpoint_knows_version_conn_and_insert() {
    let s = server(ServerConfig::default()).await;
    let mut c = with_db(&s).await;
    drop(c.exec("select 1").await);
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/rest/schemaless", s.url()))
        .await
        .unwrap();
    let mut l = Client { ws };
    assert_eq!(l.call(json!({"action": "version"})).await["code"], 0);
    let r = l.call(json!({"action": "conn", "args": {"req_id": 1, "user": "root", "password": "taosdata", "db": "sml"}})).await;
    assert_eq!(r["code"], 0, "{r}");
    // Malformed JSON: an error with req_id 0.
    l.send_text("{not json").await;
    let r = l.recv_json().await;
    assert_ne!(r["code"], 0, "{r}");
    assert_eq!(r["req_id"], 0);
    // An unknown action gets no answer: the next answer is the insert's.
    l.send_text(r#"{"action":"query","args":{"req_id":9,"sql":"select 1"}}"#)
        .await;
    let r = insert(&mut l, 10, 1, "ms", "legacy,t=1 v=1i 1000").await;
    assert_eq!(
        (
            r["code"].clone(),
            r["req_id"].clone(),
            r["affected_rows"].clone()
        ),
        (json!(0), json!(10), json!(1)),
        "{r}"
    );
    let q = c.query(11, "select count(*) from sml.legacy").await;
    assert_eq!(q["code"], 0, "{q}");
}

#[tokio::test]
async fn a_large_payload_is_applied_off_the_connection_task() {
    let s = server(ServerConfig::default()).await;
    let mut c = with_db(&s).await;
    let data: String = (0..100_000)
        .map(|i| {
            format!(
                "big,dev=d{} v={}i,w=1.5 {}\n",
                i % 100,
                i,
                1_700_000_000_000u64 + i / 100
            )
        })
        .collect();
    let r = insert(&mut c, 1, 1, "ms", &data).await;
    assert_eq!(
        (r["affected_rows"].clone(), r["total_rows"].clone()),
        (json!(100_000), json!(100_000)),
        "{r}"
    );
    let q = c.query(2, "select count(*) from sml.big").await;
    assert_eq!(q["code"], 0, "{q}");
}
