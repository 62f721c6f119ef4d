//! The connection layer is bounded against hostile or slow clients: message size, connection
//! count, write, login and idle timeouts, open results and statements and bound rows/bytes per
//! connection, each configurable and each with a TDengine-like error; and the session is
//! checked before a request's arguments are parsed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{server, Client, TIMEOUT};
use arrow::array::{RecordBatch, StringArray, TimestampMillisecondArray};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use taosarrow_codec::{arrow_schema, encode_block, ColumnSpec, SchemaOptions};
use taosarrow_protocol::TdType;
use taosarrow_server::{LocalServer, ServerConfig};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

const MAX_SESSIONS: u64 = 0x0022;
const MSG_EXCEED_LIMIT: u64 = 0x002B;
const T0: i64 = 1_700_000_000_000;

/// Waits until `cond` holds, up to [`TIMEOUT`]; polls, yielding between checks.
async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Resolves within [`TIMEOUT`] or fails the test.
async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// Reads until the server ends the connection; the close frame's code, if one came.
async fn closed(c: &mut Client) -> Option<CloseCode> {
    within("the server closing the connection", async {
        loop {
            match c.ws.next().await {
                None | Some(Err(_)) => return None,
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code),
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
}

fn config() -> ServerConfig {
    ServerConfig::default()
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_the_connection_unparsed() {
    let s = server(ServerConfig {
        max_message_bytes: 1024,
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    // Under the limit: answered as usual.
    let r = c.query(1, "select 1").await;
    assert_eq!(r["code"], 0, "{r}");
    let sql = format!("select '{}'", "x".repeat(2000));
    let big = json!({"action": "query", "args": {"req_id": 2, "sql": sql}}).to_string();
    c.send_text(&big).await;
    assert_eq!(closed(&mut c).await, Some(CloseCode::Size));
    wait_until("the connection to end", || s.connections() == 0).await;
    assert_eq!(s.open_results(), 0);
}

#[tokio::test]
async fn the_session_is_checked_before_the_arguments_are_parsed() {
    let s = server(config()).await;
    let mut c = Client::open(&s).await;
    // Arguments that do not fit their type: refused for the session, not for the arguments.
    let r = c
        .call(json!({"action": "query", "args": {"req_id": 5, "sql": 7}}))
        .await;
    assert_eq!(
        (r["code"].as_u64(), r["message"].as_str()),
        (Some(0xFFFF), Some("server not connected")),
        "{r}"
    );
    assert_eq!(
        (r["action"].as_str(), r["req_id"].as_u64()),
        (Some("query"), Some(5))
    );
    let r = c
        .call(json!({"action": "prepare", "args": {"req_id": 6, "stmt_id": "x"}}))
        .await;
    assert_eq!(r["message"], "server not connected", "{r}");
    assert_eq!(r["req_id"], 6);
    let r = c
        .call(json!({"action": "nonsense", "args": {"req_id": 7}}))
        .await;
    assert_eq!(r["message"], "server not connected", "{r}");
    // After conn the same requests get their argument errors, with the req_id.
    assert_eq!(c.conn("root", "taosdata", "").await["code"], 0);
    let r = c
        .call(json!({"action": "query", "args": {"req_id": 8, "sql": 7}}))
        .await;
    assert_eq!(r["message"], "unmarshal query request error", "{r}");
    assert_eq!(r["req_id"], 8);
    let r = c
        .call(json!({"action": "prepare", "args": {"req_id": 9, "stmt_id": "x"}}))
        .await;
    assert_eq!(r["message"], "unmarshal prepare request error", "{r}");
    assert_eq!(r["req_id"], 9);
    let r = c
        .call(json!({"action": "nonsense", "args": {"req_id": 10}}))
        .await;
    assert_eq!(r["message"], "unknown action nonsense", "{r}");
    assert_eq!(r["req_id"], 10);
}

#[tokio::test]
async fn connections_beyond_the_limit_are_refused_and_the_slot_frees() {
    let s = server(ServerConfig {
        max_connections: 1,
        ..config()
    })
    .await;
    let mut first = Client::connect(&s).await;
    wait_until("the first connection", || s.connections() == 1).await;
    let mut second = Client::open(&s).await;
    let r = second
        .call(json!({"action": "version", "args": {"req_id": 3}}))
        .await;
    assert_eq!(r["code"].as_u64(), Some(MAX_SESSIONS), "{r}");
    assert_eq!(
        (r["action"].as_str(), r["req_id"].as_u64()),
        (Some("version"), Some(3))
    );
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("too many connections"),
        "{r}"
    );
    assert_eq!(closed(&mut second).await, Some(CloseCode::Again));
    // The first one is unaffected.
    assert_eq!(first.query(1, "select 1").await["code"], 0);
    first.ws.close(None).await.unwrap();
    closed(&mut first).await;
    wait_until("the slot to free", || s.connections() == 0).await;
    let mut third = Client::connect(&s).await;
    assert_eq!(third.query(1, "select 1").await["code"], 0);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_after_the_write_timeout() {
    let s = server(ServerConfig {
        write_timeout: Duration::from_millis(300),
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    let r = c.query(1, "select 1").await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(s.open_results(), 1);
    // Requests whose error replies echo 4 KiB each, sent and never read: the server's
    // writes stall once the socket buffers are full.
    let tz = "x".repeat(4096);
    let req = json!({"action": "options_connection",
                     "args": {"req_id": 2, "options": [{"option": 1, "value": tz}]}})
    .to_string();
    let (mut sink, _stream) = c.ws.split();
    let flood = tokio::spawn(async move {
        for _ in 0..20_000 {
            if sink.send(Message::Text(req.clone().into())).await.is_err() {
                return;
            }
        }
    });
    wait_until("the stalled connection to be dropped", || {
        s.connections() == 0 && s.open_results() == 0
    })
    .await;
    flood.abort();
}

#[tokio::test]
async fn a_silent_peer_is_dropped_after_the_login_timeout() {
    let s = server(ServerConfig {
        login_timeout: Duration::from_millis(300),
        ..config()
    })
    .await;
    // Sends nothing at all.
    let mut silent = Client::open(&s).await;
    assert_eq!(closed(&mut silent).await, None);
    // Keeps talking but never logs in: requests do not extend the login deadline.
    let mut chatty = Client::open(&s).await;
    within("the chatty peer to be dropped", async {
        loop {
            if chatty
                .ws
                .send(Message::Text(r#"{"action":"version"}"#.into()))
                .await
                .is_err()
            {
                return;
            }
            match chatty.ws.next().await {
                Some(Ok(Message::Text(_))) => continue,
                _ => return,
            }
        }
    })
    .await;
    wait_until("both to be gone", || s.connections() == 0).await;
    // A client that logs in in time stays connected past the login timeout while active.
    let mut c = Client::connect(&s).await;
    let start = std::time::Instant::now();
    let mut i = 0;
    while start.elapsed() < Duration::from_millis(1200) {
        i += 1;
        let r = c.query(i, "select 1").await;
        assert_eq!(r["code"], 0, "{r}");
        c.send_text(&json!({"action": "free_result", "args": {"id": r["id"]}}).to_string())
            .await;
    }
    assert_eq!(s.connections(), 1);
}

#[tokio::test]
async fn an_idle_session_is_dropped_after_the_idle_timeout() {
    let s = server(ServerConfig {
        idle_timeout: Duration::from_millis(300),
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    assert_eq!(c.query(1, "select 1").await["code"], 0);
    assert_eq!(closed(&mut c).await, None);
    wait_until("the results to be freed", || {
        s.connections() == 0 && s.open_results() == 0
    })
    .await;
}

#[tokio::test]
async fn a_session_that_pings_outlives_the_idle_timeout() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let s = server(ServerConfig {
        idle_timeout: Duration::from_millis(300),
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.ws.send(Message::Ping(b"TAOS".to_vec().into()))
            .await
            .unwrap();
    }
    // 800 ms, well past the timeout, with nothing but pings: still served.
    assert_eq!(c.query(1, "select 1").await["code"], 0);
}

#[tokio::test]
async fn open_results_per_connection_are_limited_until_one_is_freed() {
    let s = server(ServerConfig {
        max_results: 2,
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    let a = c.query(1, "select 1").await;
    let b = c.query(2, "select 2").await;
    assert_eq!((a["code"].as_u64(), b["code"].as_u64()), (Some(0), Some(0)));
    let r = c.query(3, "select 3").await;
    assert_eq!(r["code"].as_u64(), Some(MAX_SESSIONS), "{r}");
    assert_eq!(r["req_id"], 3);
    assert!(r["message"].as_str().unwrap().contains("limit 2"), "{r}");
    // A refused query opened nothing; freeing one result makes room.
    assert_eq!(s.open_results(), 2);
    c.send_text(
        &json!({"action": "free_result", "args": {"req_id": 4, "id": a["id"]}}).to_string(),
    )
    .await;
    let r = c.query(5, "select 5").await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(s.open_results(), 2);
    // Another connection has its own budget.
    let mut other = Client::connect(&s).await;
    assert_eq!(other.query(1, "select 1").await["code"], 0);
}

#[tokio::test]
async fn open_statements_per_connection_are_limited_until_one_is_closed() {
    let s = server(ServerConfig {
        max_statements: 2,
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    let a = c
        .call(json!({"action": "stmt2_init", "args": {"req_id": 1}}))
        .await;
    let b = c
        .call(json!({"action": "init", "args": {"req_id": 2}}))
        .await;
    assert_eq!((a["code"].as_u64(), b["code"].as_u64()), (Some(0), Some(0)));
    for r in [
        c.call(json!({"action": "stmt2_init", "args": {"req_id": 3}}))
            .await,
        c.call(json!({"action": "init", "args": {"req_id": 4}}))
            .await,
    ] {
        assert_eq!(r["code"].as_u64(), Some(MAX_SESSIONS), "{r}");
        assert!(r["message"].as_str().unwrap().contains("limit 2"), "{r}");
    }
    let r = c
        .call(json!({"action": "stmt2_close", "args": {"req_id": 5, "stmt_id": a["stmt_id"]}}))
        .await;
    assert_eq!(r["code"], 0, "{r}");
    let r = c
        .call(json!({"action": "stmt2_init", "args": {"req_id": 6}}))
        .await;
    assert_eq!(r["code"], 0, "{r}");
}

async fn stmt1_insert(c: &mut Client) -> u64 {
    c.exec("create database if not exists db").await;
    c.exec("create table if not exists db.b (ts timestamp, v varchar(1000))")
        .await;
    let r = c
        .call(json!({"action": "init", "args": {"req_id": 1}}))
        .await;
    let id = r["stmt_id"].as_u64().unwrap();
    let r = c
        .call(
            json!({"action": "prepare", "args": {"req_id": 2, "stmt_id": id,
                     "sql": "insert into db.b values(?, ?)"}}),
        )
        .await;
    assert_eq!(r["code"], 0, "{r}");
    id
}

async fn act(c: &mut Client, action: &str, id: u64, extra: Value) -> Value {
    let mut args = json!({"req_id": 3, "stmt_id": id});
    if let (Value::Object(a), Value::Object(e)) = (&mut args, extra) {
        a.extend(e);
    }
    c.call(json!({"action": action, "args": args})).await
}

#[tokio::test]
async fn bound_rows_per_connection_are_limited_and_a_refused_bind_keeps_nothing() {
    let s = server(ServerConfig {
        max_bind_rows: 3,
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    let id = stmt1_insert(&mut c).await;
    let r = act(
        &mut c,
        "bind",
        id,
        json!({"columns": [[T0, T0 + 1], ["a", "b"]]}),
    )
    .await;
    assert_eq!(r["code"], 0, "{r}");
    let r = act(
        &mut c,
        "bind",
        id,
        json!({"columns": [[T0 + 2, T0 + 3], ["c", "d"]]}),
    )
    .await;
    assert_eq!(r["code"].as_u64(), Some(MSG_EXCEED_LIMIT), "{r}");
    assert!(r["message"].as_str().unwrap().contains("rows"), "{r}");
    assert_eq!(act(&mut c, "add_batch", id, json!({})).await["code"], 0);
    let r = act(&mut c, "exec", id, json!({})).await;
    assert_eq!(r["affected"], 2, "{r}");
    // Executing freed the budget.
    let r = act(
        &mut c,
        "bind",
        id,
        json!({"columns": [[T0 + 4, T0 + 5, T0 + 6], ["e", "f", "g"]]}),
    )
    .await;
    assert_eq!(r["code"], 0, "{r}");
}

#[tokio::test]
async fn bound_bytes_per_connection_are_limited() {
    let s = server(ServerConfig {
        max_bind_bytes: 64 << 10,
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    let id = stmt1_insert(&mut c).await;
    let v = "y".repeat(900);
    let ts: Vec<i64> = (0..100).map(|i| T0 + i).collect();
    let r = act(
        &mut c,
        "bind",
        id,
        json!({"columns": [ts, vec![v.as_str(); 100]]}),
    )
    .await;
    assert_eq!(r["code"].as_u64(), Some(MSG_EXCEED_LIMIT), "{r}");
    assert!(r["message"].as_str().unwrap().contains("bytes"), "{r}");
    let r = act(&mut c, "bind", id, json!({"columns": [[T0], [v]]})).await;
    assert_eq!(r["code"], 0, "{r}");
}

/// A stmt v1 bind frame (action 2) of `rows` rows whose VARCHAR values all point at row 0's
/// 1000-byte value.
fn shared_value_bind(id: u64, rows: usize) -> Vec<u8> {
    let schema = arrow_schema(
        &[
            ColumnSpec::new("ts", TdType::Timestamp),
            ColumnSpec::new("v", TdType::VarChar).with_length(1000),
        ],
        &SchemaOptions::default(),
    )
    .unwrap();
    let big = "z".repeat(1000);
    let mut values = vec![""; rows];
    values[0] = &big;
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(TimestampMillisecondArray::from(
                (0..rows as i64).map(|i| T0 + i).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(values)),
        ],
    )
    .unwrap();
    let mut f = Vec::new();
    f.extend_from_slice(&44u64.to_le_bytes());
    f.extend_from_slice(&id.to_le_bytes());
    f.extend_from_slice(&2u64.to_le_bytes());
    let block_at = f.len();
    encode_block(&batch, &mut f).unwrap();
    // Header 28, two column schemas (5 each) and lengths (4 each); the TIMESTAMP column's
    // bitmap and values; then the VARCHAR offsets.
    let offsets_at = block_at + 28 + 2 * 9 + rows.div_ceil(8) + rows * 8;
    for row in 0..rows {
        let at = offsets_at + row * 4;
        f[at..at + 4].copy_from_slice(&0i32.to_le_bytes());
    }
    f
}

#[tokio::test]
async fn a_stmt1_block_whose_rows_share_one_big_value_is_refused() {
    let s = server(ServerConfig {
        max_bind_bytes: 64 << 10,
        ..config()
    })
    .await;
    let mut c = Client::connect(&s).await;
    let id = stmt1_insert(&mut c).await;
    // 200 rows × 1000 bytes from a block of under 3 KB of values.
    c.send_bin(shared_value_bind(id, 200)).await;
    let r = c.recv_json().await;
    assert_eq!(
        (r["action"].as_str(), r["req_id"].as_u64()),
        (Some("bind"), Some(44))
    );
    assert_ne!(r["code"], 0, "{r}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("sharing stored values"),
        "{r}"
    );
    // Sharing within the limit is TDengine's own encoding of repeated values: accepted.
    c.send_bin(shared_value_bind(id, 3)).await;
    let r = c.recv_json().await;
    assert_eq!(r["code"], 0, "{r}");
    // The connection is still usable and the refused bind kept nothing.
    assert_eq!(act(&mut c, "add_batch", id, json!({})).await["code"], 0);
    let r = act(&mut c, "exec", id, json!({})).await;
    assert_eq!(r["affected"], 3, "{r}");
    let r = c.exec("select count(*) from db.b").await;
    assert_eq!(r["code"], 0);
}

#[tokio::test]
async fn limits_are_per_server_and_default_generously() {
    let d = ServerConfig::default();
    assert!(d.max_message_bytes >= 64 << 20);
    assert!(d.max_connections >= 64 && d.max_results >= 64 && d.max_statements >= 64);
    let s: LocalServer = server(d).await;
    let mut c = Client::connect(&s).await;
    for i in 0..100 {
        assert_eq!(c.query(i, "select 1").await["code"], 0);
    }
    assert_eq!(s.open_results(), 100);
}
