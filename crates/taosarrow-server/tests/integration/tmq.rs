//! The TMQ endpoint `/rest/tmq` frame by frame (`tmq.md`): the handshake, subscribe options
//! and errors, the held-message and `message_id` rules, `fetch_raw_data` decoded into Arrow,
//! the legacy `fetch` / `fetch_block` / `fetch_raw` paths, JSON meta, offsets, and what a
//! closed connection leaves behind.

use crate::support;

use std::time::Duration;

use crate::support::{server, Client};
use arrow::array::{Array, Int32Array};
use serde_json::{json, Value};
use taosarrow_codec::tmq::decode_data_rsp;
use taosarrow_codec::SchemaOptions;
use taosarrow_protocol::frames::{
    FetchRawDataBody, FetchRawDataFrame, FetchRawFrame, TmqFetchBlockFrame,
};
use taosarrow_server::{LocalServer, ServerConfig};
use tokio_tungstenite::tungstenite::Message;

async fn open_tmq(s: &LocalServer) -> Client {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/rest/tmq", s.url()))
        .await
        .unwrap();
    Client { ws }
}

/// A server with database `d` (2 vgroups), super table `st (ts, v int) tags (g int)`, child
/// tables `c0`, `c1` and topic `t1` over the database; and an SQL client.
async fn setup(meta: bool) -> (LocalServer, Client) {
    let s = server(ServerConfig::default()).await;
    let mut sql = Client::connect(&s).await;
    for q in [
        "create database d vgroups 2",
        "create stable d.st (ts timestamp, v int) tags (g int)",
        "create table d.c0 using d.st tags (0)",
        "create table d.c1 using d.st tags (1)",
    ] {
        let r = sql.exec(q).await;
        assert_eq!(r["code"], 0, "{q}: {r}");
    }
    let topic = if meta {
        "create topic t1 with meta as database d"
    } else {
        "create topic t1 as database d"
    };
    assert_eq!(sql.exec(topic).await["code"], 0);
    (s, sql)
}

async fn subscribe(c: &mut Client, group: &str, extra: Value) -> Value {
    let mut args = json!({
        "req_id": 1, "user": "root", "password": "taosdata", "group_id": group,
        "client_id": "c", "offset_rest": "earliest", "auto_commit": "false",
        "topics": ["t1"]});
    if let (Some(a), Some(e)) = (args.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            a.insert(k.clone(), v.clone());
        }
    }
    c.call(json!({"action": "subscribe", "args": args})).await
}

async fn poll(c: &mut Client, req_id: u64, message_id: u64) -> Value {
    c.call(json!({"action": "poll", "args": {
        "req_id": req_id, "blocking_time": 200, "message_id": message_id}}))
        .await
}

/// `fetch_raw_data` of `message_id`: (table, v) of every row.
async fn fetch_rows(c: &mut Client, message_id: u64) -> Vec<(String, i32)> {
    c.send_text(
        &json!({"action": "fetch_raw_data", "args": {"req_id": 77, "message_id": message_id}})
            .to_string(),
    )
    .await;
    let frame = c.recv_bin().await;
    let f = FetchRawDataFrame::decode(&frame).unwrap();
    assert_eq!(f.req_id, 77);
    assert_eq!(f.message_id, message_id);
    let FetchRawDataBody::Raw { meta_type, raw } = f.body else {
        panic!("an error frame: {:?}", f.body)
    };
    assert_eq!(meta_type, 2);
    let rsp = decode_data_rsp(raw, &SchemaOptions::default()).unwrap();
    let mut out = Vec::new();
    for b in rsp.blocks {
        let v = b
            .batch
            .column_by_name("v")
            .unwrap()
            .as_any()
            .downcast_ref::<Int32Array>()
            .unwrap()
            .clone();
        for i in 0..v.len() {
            out.push((b.table.clone().unwrap(), v.value(i)));
        }
    }
    out
}

/// Polls and fetches until a poll brings nothing; every row in order of delivery. `last` is
/// the id of the last message received on the connection (polls name it, so none is
/// re-delivered), updated.
async fn drain(c: &mut Client, last: &mut u64) -> Vec<(String, i32)> {
    let mut rows = Vec::new();
    for n in 0..100 {
        let p = poll(c, 100 + n, *last).await;
        assert_eq!(p["code"], 0, "{p}");
        if p["have_message"] == false {
            return rows;
        }
        *last = p["message_id"].as_u64().unwrap();
        if p["message_type"] == 1 {
            rows.extend(fetch_rows(c, *last).await);
        }
    }
    panic!("no end of messages");
}

#[tokio::test]
async fn version_subscribe_poll_and_fetch_raw_data() {
    let (s, mut sql) = setup(false).await;
    let mut c = open_tmq(&s).await;
    let v = c.call(json!({"action": "version"})).await;
    assert_eq!(
        (v["code"].clone(), v["action"].clone()),
        (json!(0), json!("version"))
    );
    assert!(v["version"].as_str().unwrap() >= "3.3.2.0", "{v}");
    let r = subscribe(&mut c, "g", json!({})).await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(r["action"], "subscribe");
    sql.exec("insert into d.c0 values (1, 10) (2, 11)").await;
    sql.exec("insert into d.c1 values (1, 20)").await;
    let p = poll(&mut c, 5, 0).await;
    assert_eq!(p["have_message"], true, "{p}");
    assert_eq!(p["message_id"], 1);
    assert_eq!(p["topic"], "t1");
    assert_eq!(p["database"], "d");
    assert_eq!(p["message_type"], 1);
    assert!(p["vgroup_id"].as_i64().unwrap() > 0);
    assert!(p["offset"].as_i64().unwrap() >= 0);
    let mut rows = fetch_rows(&mut c, 1).await;
    rows.extend(drain(&mut c, &mut 1).await);
    rows.sort();
    assert_eq!(
        rows,
        vec![("c0".into(), 10), ("c0".into(), 11), ("c1".into(), 20)]
    );
    let l = c
        .call(json!({"action": "list_topics", "args": {"req_id": 9}}))
        .await;
    assert_eq!(l["topics"], json!(["t1"]));
}

#[tokio::test]
async fn held_message_rules_and_redelivery() {
    let (s, mut sql) = setup(false).await;
    let mut c = open_tmq(&s).await;
    // Before subscribe.
    let p = poll(&mut c, 1, 0).await;
    assert_eq!(
        (p["code"].clone(), p["message"].clone()),
        (json!(65535), json!("tmq not init"))
    );
    assert_eq!(subscribe(&mut c, "g", json!({})).await["code"], 0);
    let again = subscribe(&mut c, "g", json!({})).await;
    assert_eq!(again["code"], 65535);
    assert_eq!(again["message"], "tmq should have unsubscribed first");
    let r = c
        .call(json!({"action": "fetch_json_meta", "args": {"req_id": 2, "message_id": 1}}))
        .await;
    assert_eq!(r["message"], "message is nil");
    sql.exec("insert into d.c0 values (1, 10)").await;
    sql.exec("insert into d.c1 values (1, 20)").await;
    let first = poll(&mut c, 3, 0).await;
    assert_eq!(first["message_id"], 1);
    // A poll naming another message than the held one gets the held one's answer again.
    let re = poll(&mut c, 4, 0).await;
    assert_eq!(re["message_id"], 1);
    assert_eq!(re["req_id"], 4);
    assert_eq!(re["offset"], first["offset"]);
    assert_eq!(re["vgroup_id"], first["vgroup_id"]);
    // Naming the held one polls for real.
    let second = poll(&mut c, 5, 1).await;
    assert_eq!(second["message_id"], 2, "{second}");
    // Only the held message can be fetched.
    c.send_text(
        &json!({"action": "fetch_raw_data", "args": {"req_id": 6, "message_id": 1}}).to_string(),
    )
    .await;
    let frame = c.recv_bin().await;
    let f = FetchRawDataFrame::decode(&frame).unwrap();
    match f.body {
        FetchRawDataBody::Error { code, message } => {
            assert_eq!(code.0, 65535);
            assert_eq!(message, "message ID is not equal");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fetch_rows(&mut c, 2).await.len(), 1);
    let r = c
        .call(json!({"action": "fetch_json_meta", "args": {"req_id": 7, "message_id": 2}}))
        .await;
    assert_eq!(r["code"], 65535);
    assert!(
        r["message"].as_str().unwrap().contains("can not get meta"),
        "{r}"
    );
    assert_eq!(r["message_id"], 2);
    // After unsubscribe the message is freed; subscribing again works.
    let u = c
        .call(json!({"action": "unsubscribe", "args": {"req_id": 8}}))
        .await;
    assert_eq!(u["code"], 0);
    c.send_text(
        &json!({"action": "fetch_raw_data", "args": {"req_id": 9, "message_id": 2}}).to_string(),
    )
    .await;
    let frame = c.recv_bin().await;
    let f = FetchRawDataFrame::decode(&frame).unwrap();
    assert!(
        matches!(f.body, FetchRawDataBody::Error { ref message, .. } if message == "message has been freed")
    );
    assert_eq!(subscribe(&mut c, "g", json!({})).await["code"], 0);
}

#[tokio::test]
async fn undecodable_and_unknown_requests_get_no_answer() {
    let (s, _sql) = setup(false).await;
    let mut c = open_tmq(&s).await;
    c.send_text("{not json").await;
    c.send_text(r#"{"action":"close","args":{"req_id":1}}"#)
        .await;
    c.send_text(r#"{"action":"poll","args":{"req_id":"x"}}"#)
        .await;
    c.send_bin(vec![1, 2, 3]).await;
    let v = c
        .call(json!({"action": "version", "args": {"req_id": 42}}))
        .await;
    assert_eq!(v["req_id"], 42, "the first answer is the version's: {v}");
}

#[tokio::test]
async fn subscribe_errors_carry_tdengine_codes() {
    let (s, _sql) = setup(false).await;
    let mut c = open_tmq(&s).await;
    let r = subscribe(&mut c, "g", json!({"password": "wrong"})).await;
    assert_eq!(r["code"], 0x0357, "{r}");
    let r = subscribe(&mut c, "g", json!({"topics": ["nope"]})).await;
    assert_eq!(r["code"], 0x03E1, "{r}");
    let r = subscribe(&mut c, "g", json!({"config": {"no.such.key": "1"}})).await;
    assert_eq!(r["code"], 0x0118, "{r}");
    assert!(r["message"]
        .as_str()
        .unwrap()
        .contains("unknown configuration key"));
    let r = subscribe(&mut c, "g", json!({"offset_rest": "sometimes"})).await;
    assert_eq!(r["code"], 0x0118, "{r}");
    let r = subscribe(&mut c, "g", json!({"auto_commit": "maybe"})).await;
    assert_eq!(r["code"], 65535, "{r}");
    let r = subscribe(&mut c, "", json!({})).await;
    assert_eq!(r["code"], 0x0118, "{r}");
    let r = subscribe(&mut c, "g", json!({"db": "nodb"})).await;
    assert_eq!(r["code"], 0x0388, "{r}");
}

#[tokio::test]
async fn offsets_commit_seek_and_assignment() {
    let (s, mut sql) = setup(false).await;
    sql.exec("insert into d.c0 values (1, 10)").await;
    sql.exec("insert into d.c1 values (1, 20)").await;
    let mut c = open_tmq(&s).await;
    assert_eq!(subscribe(&mut c, "g", json!({})).await["code"], 0);
    let a = c
        .call(json!({"action": "assignment", "args": {"req_id": 2, "topic": "t1"}}))
        .await;
    let vgroups: Vec<Value> = a["assignment"].as_array().unwrap().clone();
    assert_eq!(vgroups.len(), 2, "{a}");
    let pairs: Vec<Value> = vgroups
        .iter()
        .map(|v| json!({"topic": "t1", "vgroup_id": v["vgroup_id"]}))
        .collect();
    let committed = c
        .call(json!({"action": "committed", "args": {"req_id": 3, "topic_vgroup_ids": pairs}}))
        .await;
    assert_eq!(
        committed["committed"],
        json!([-2147467247i64, -2147467247i64])
    );
    let mut last = 0;
    assert_eq!(drain(&mut c, &mut last).await.len(), 2);
    let pos = c
        .call(json!({"action": "position", "args": {"req_id": 4, "topic_vgroup_ids": pairs}}))
        .await;
    let ends: Vec<i64> = vgroups.iter().map(|v| v["end"].as_i64().unwrap()).collect();
    assert_eq!(pos["position"], json!(ends), "{pos}");
    let commit = c
        .call(json!({"action": "commit", "args": {"req_id": 5, "message_id": 0}}))
        .await;
    assert_eq!(commit["code"], 0);
    let committed = c
        .call(json!({"action": "committed", "args": {"req_id": 6, "topic_vgroup_ids": pairs}}))
        .await;
    assert_eq!(committed["committed"], json!(ends));
    // commit_offset echoes, committed follows; seek outside [begin, end] is refused.
    let vg = vgroups[0]["vgroup_id"].clone();
    let r = c
        .call(json!({"action": "commit_offset", "args": {"req_id": 7, "topic": "t1", "vgroup_id": vg, "offset": 0}}))
        .await;
    assert_eq!(
        (r["topic"].clone(), r["offset"].clone()),
        (json!("t1"), json!(0))
    );
    assert!(r["timing"].is_number());
    let r = c
        .call(json!({"action": "seek", "args": {"req_id": 8, "topic": "t1", "vgroup_id": vg, "offset": 1_000_000}}))
        .await;
    assert_eq!(r["code"], 0x4007, "{r}");
    let r = c
        .call(json!({"action": "seek", "args": {"req_id": 9, "topic": "t1", "vgroup_id": 99999, "offset": 0}}))
        .await;
    assert_eq!(r["code"], 0x4008, "{r}");
    let r = c
        .call(json!({"action": "assignment", "args": {"req_id": 10, "topic": "other"}}))
        .await;
    assert_eq!(r["code"], 0x4009, "{r}");
    // Seeking every vgroup to its beginning delivers everything again.
    for v in &vgroups {
        let r = c
            .call(json!({"action": "seek", "args": {"req_id": 11, "topic": "t1", "vgroup_id": v["vgroup_id"], "offset": v["begin"]}}))
            .await;
        assert_eq!(r["code"], 0, "{r}");
        assert!(r["timing"].is_number());
    }
    assert_eq!(drain(&mut c, &mut last).await.len(), 2);
}

#[tokio::test]
async fn a_group_resumes_after_its_commit_on_a_new_connection() {
    let (s, mut sql) = setup(false).await;
    let mut a = open_tmq(&s).await;
    assert_eq!(subscribe(&mut a, "g", json!({})).await["code"], 0);
    sql.exec("insert into d.c0 values (1, 10)").await;
    assert_eq!(drain(&mut a, &mut 0).await, vec![("c0".into(), 10)]);
    a.call(json!({"action": "commit", "args": {"req_id": 5, "message_id": 0}}))
        .await;
    a.ws.close(None).await.unwrap();
    drop(a);
    // The closed connection's consumer goes away.
    for _ in 0..50 {
        if sql_rows(&mut sql, "show consumers").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sql_rows(&mut sql, "show consumers").await, 0);
    sql.exec("insert into d.c0 values (2, 11)").await;
    let mut b = open_tmq(&s).await;
    assert_eq!(subscribe(&mut b, "g", json!({})).await["code"], 0);
    assert_eq!(drain(&mut b, &mut 0).await, vec![("c0".into(), 11)]);
    // Auto-commit (adapter-side) commits before a poll once the interval passed.
    let mut c = open_tmq(&s).await;
    assert_eq!(
        subscribe(
            &mut c,
            "h",
            json!({"auto_commit": "true", "auto_commit_interval_ms": "1"})
        )
        .await["code"],
        0
    );
    let mut last = 0;
    assert_eq!(drain(&mut c, &mut last).await.len(), 2);
    tokio::time::sleep(Duration::from_millis(5)).await;
    poll(&mut c, 900, last).await;
    let r = c
        .call(json!({"action": "assignment", "args": {"req_id": 2, "topic": "t1"}}))
        .await;
    let pairs: Vec<Value> = r["assignment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| json!({"topic": "t1", "vgroup_id": v["vgroup_id"]}))
        .collect();
    let committed = c
        .call(json!({"action": "committed", "args": {"req_id": 3, "topic_vgroup_ids": pairs}}))
        .await;
    assert!(
        committed["committed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v.as_i64().unwrap() >= 0),
        "{committed}"
    );
}

/// The number of rows a query returns, through `fetch_raw_block`.
async fn sql_rows(sql: &mut Client, q: &str) -> usize {
    let r = sql.query(1, q).await;
    assert_eq!(r["code"], 0, "{q}: {r}");
    let id = r["id"].as_u64().unwrap();
    let mut total = 0;
    loop {
        match sql.fetch_raw_body(2, id).await {
            support::Fetched::Block(b) => total += taosarrow_codec::read_header(&b).unwrap().rows,
            support::Fetched::Finished => return total,
            support::Fetched::Error(code, m) => panic!("{q}: {code} {m}"),
        }
    }
}

#[tokio::test]
async fn meta_messages_and_the_legacy_fetch_paths() {
    let (s, mut sql) = setup(true).await;
    let mut c = open_tmq(&s).await;
    assert_eq!(subscribe(&mut c, "g", json!({})).await["code"], 0);
    sql.exec("create table d.n1 (ts timestamp, v int)").await;
    sql.exec("insert into d.n1 values (1, 5)").await;
    let mut last = 0;
    let mut metas = Vec::new();
    let mut rows = 0;
    for n in 0..50 {
        let p = poll(&mut c, 10 + n, last).await;
        if p["have_message"] == false {
            break;
        }
        last = p["message_id"].as_u64().unwrap();
        if p["message_type"] == 2 {
            let m = c
                .call(
                    json!({"action": "fetch_json_meta", "args": {"req_id": 1, "message_id": last}}),
                )
                .await;
            assert_eq!(m["code"], 0, "{m}");
            metas.push(m["data"].clone());
            // Raw meta has no form here: an error, as JSON.
            let r = c
                .call(json!({"action": "fetch_raw", "args": {"req_id": 2, "message_id": last}}))
                .await;
            assert_eq!(r["code"], 65535);
            continue;
        }
        // Legacy: fetch describes a block, fetch_block sends it under the fetch's req_id.
        let f = c
            .call(json!({"action": "fetch", "args": {"req_id": 300, "message_id": last}}))
            .await;
        assert_eq!(f["completed"], false, "{f}");
        assert_eq!(f["table_name"], "n1");
        assert_eq!(f["fields_names"], json!(["ts", "v"]));
        assert_eq!(f["fields_types"], json!([9, 4]));
        assert_eq!(f["rows"], 1);
        c.send_text(
            &json!({"action": "fetch_block", "args": {"req_id": 301, "message_id": last}})
                .to_string(),
        )
        .await;
        let frame = c.recv_bin().await;
        let b = TmqFetchBlockFrame::decode(&frame).unwrap();
        assert_eq!((b.req_id, b.message_id), (300, last));
        assert_eq!(taosarrow_codec::read_header(b.block).unwrap().rows, 1);
        let f = c
            .call(json!({"action": "fetch", "args": {"req_id": 302, "message_id": last}}))
            .await;
        assert_eq!(f["completed"], true);
        // fetch_raw: the data payload in the tag-3 layout.
        c.send_text(
            &json!({"action": "fetch_raw", "args": {"req_id": 303, "message_id": last}})
                .to_string(),
        )
        .await;
        let frame = c.recv_bin().await;
        let raw = FetchRawFrame::decode(&frame).unwrap();
        assert_eq!(raw.req_id, 303);
        let rsp = decode_data_rsp(raw.raw, &SchemaOptions::default()).unwrap();
        rows += rsp.blocks.iter().map(|b| b.batch.num_rows()).sum::<usize>();
    }
    assert_eq!(rows, 1);
    assert!(
        metas
            .iter()
            .any(|m| m["type"] == "create" && m["tableName"] == "n1" && m["tableType"] == "normal"),
        "{metas:?}"
    );
}

#[tokio::test]
async fn a_newer_poll_replaces_a_waiting_one() {
    let (s, mut sql) = setup(false).await;
    let mut c = open_tmq(&s).await;
    assert_eq!(
        subscribe(&mut c, "g", json!({"offset_rest": "latest"})).await["code"],
        0
    );
    c.send_text(
        &json!({"action": "poll", "args": {"req_id": 1, "blocking_time": 5000}}).to_string(),
    )
    .await;
    c.send_text(
        &json!({"action": "poll", "args": {"req_id": 2, "blocking_time": 5000}}).to_string(),
    )
    .await;
    // Other requests are answered while a poll waits.
    let v = c
        .call(json!({"action": "version", "args": {"req_id": 3}}))
        .await;
    assert_eq!(v["req_id"], 3);
    sql.exec("insert into d.c0 values (1, 10)").await;
    let p = c.recv_json().await;
    assert_eq!(p["req_id"], 2, "only the newer poll is answered: {p}");
    assert_eq!(p["have_message"], true);
    let next = tokio::time::timeout(Duration::from_millis(300), c.ws.next_frame()).await;
    assert!(next.is_err(), "the replaced poll got an answer: {next:?}");
}

trait NextFrame {
    async fn next_frame(&mut self) -> Option<Message>;
}

impl NextFrame
    for tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>
{
    async fn next_frame(&mut self) -> Option<Message> {
        use futures_util::StreamExt;
        loop {
            match self.next().await {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(m)) => return Some(m),
                _ => return None,
            }
        }
    }
}
