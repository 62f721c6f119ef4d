//! Handshake, JSON/binary error behaviour and the small actions of `/ws`.

use crate::support;

use crate::support::{server, Client};
use serde_json::json;
use taosarrow_protocol::frames::{FetchRawBlockResponse, RawBlockBody};
use taosarrow_server::{ServerConfig, SERVER_VERSION};

#[tokio::test]
async fn version_and_conn() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::open(&s).await;
    let v = c.call(json!({"action": "version"})).await;
    assert_eq!(v["code"], 0);
    assert_eq!(v["action"], "version");
    assert_eq!(v["version"], SERVER_VERSION);
    assert_eq!(v["req_id"], 0);
    assert!(v["timing"].as_i64().unwrap() >= 0);
    let v = c
        .call(json!({"action": "version", "args": {"req_id": 77}}))
        .await;
    assert_eq!(v["req_id"], 77);
    let r = c.conn("root", "taosdata", "").await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(r["message"], "");
    assert_eq!(r["action"], "conn");
    assert_eq!(r["req_id"].as_u64(), Some(15229797142470328321));
    assert_eq!(r["version"], SERVER_VERSION);
    let dup = c.conn("root", "taosdata", "").await;
    assert_eq!(dup["code"], 0xFFFF);
    assert_eq!(dup["message"], "duplicate connections");
}

#[tokio::test]
async fn authentication_and_unknown_database() {
    let s = server(ServerConfig::default().with_credentials("alice", "secret")).await;
    let mut c = Client::open(&s).await;
    let r = c.conn("root", "taosdata", "").await;
    assert_eq!(r["code"], 0x0357, "{r}");
    assert_eq!(r["message"], "Authentication failure");
    assert_eq!(r["action"], "conn");
    let r = c.conn("alice", "wrong", "").await;
    assert_eq!(r["code"], 0x0357);
    let r = c.conn("alice", "secret", "no_such_db").await;
    assert_eq!(r["code"], 0x0388, "{r}");
    assert_eq!(r["message"], "Database not exist");
    // Failed attempts leave the socket unauthenticated; a good one still works.
    let q = c.query(3, "select 1").await;
    assert_eq!(q["message"], "server not connected");
    let r = c.conn("alice", "secret", "").await;
    assert_eq!(r["code"], 0, "{r}");
}

#[tokio::test]
async fn requests_before_conn_are_refused() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::open(&s).await;
    let q = c.query(5, "show databases").await;
    assert_eq!(q["code"], 0xFFFF);
    assert_eq!(q["message"], "server not connected");
    assert_eq!(q["action"], "query");
    assert_eq!(q["req_id"], 5);
    let b = c.binary_query(6, "show databases").await;
    assert_eq!(b["message"], "server not connected");
    assert_eq!(b["action"], "binary_query");
    assert_eq!(b["req_id"], 6);
    let st = c
        .call(json!({"action": "check_server_status", "args": {"req_id": 9, "fqdn": null, "port": 0}}))
        .await;
    assert_eq!(st["code"], 0);
    assert_eq!(st["status"], 2);
    assert_eq!(st["req_id"], 9);
}

#[tokio::test]
async fn malformed_json_requests() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    c.send_text("{not json").await;
    let r = c.recv_json().await;
    assert_eq!(
        (r["code"].as_u64(), r["message"].as_str()),
        (Some(0xFFFF), Some("unmarshal request error"))
    );
    assert_eq!(
        (r["action"].as_str(), r["req_id"].as_u64()),
        (Some(""), Some(0))
    );
    let r = c.call(json!({"args": {"req_id": 4}})).await;
    assert_eq!(r["message"], "request no action");
    let r = c
        .call(json!({"action": "bogus", "args": {"req_id": 8}}))
        .await;
    assert_eq!(r["message"], "unknown action bogus");
    assert_eq!(r["req_id"], 8);
    let r = c
        .call(json!({"action": "query", "args": {"req_id": 11, "sql": 5}}))
        .await;
    assert_eq!(r["message"], "unmarshal query request error");
    assert_eq!(
        (r["action"].as_str(), r["req_id"].as_u64()),
        (Some("query"), Some(11))
    );
    // The connection still works.
    let v = c.call(json!({"action": "version"})).await;
    assert_eq!(v["code"], 0);
}

#[tokio::test]
async fn malformed_binary_requests() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    c.send_bin(vec![1, 2, 3]).await;
    let r = c.recv_json().await;
    assert_eq!(r["message"], "message length is too short");
    assert_eq!(r["req_id"], 0);
    let mut unknown = Vec::new();
    for v in [7u64, 0, 99] {
        unknown.extend_from_slice(&v.to_le_bytes());
    }
    c.send_bin(unknown).await;
    let r = c.recv_json().await;
    assert_eq!(
        (r["message"].as_str(), r["action"].as_str()),
        (Some("unknown binary action 99"), Some("unknown"))
    );
    assert_eq!(r["req_id"], 7);

    // Binary query: too short (empty SQL), wrong version, SQL cut short.
    let mut q = Vec::new();
    taosarrow_protocol::frames::BinaryQuery {
        req_id: 12,
        action: taosarrow_protocol::frames::BinaryAction::BinaryQuery,
        sql: "show databases",
    }
    .encode(&mut q)
    .unwrap();
    c.send_bin(q[..30].to_vec()).await;
    let r = c.recv_json().await;
    assert_eq!(
        (r["message"].as_str(), r["action"].as_str()),
        (Some("message length is too short"), Some("binary_query"))
    );
    let mut v2 = q.clone();
    v2[24] = 2;
    c.send_bin(v2).await;
    assert_eq!(
        c.recv_json().await["message"],
        "unknown binary query version:2"
    );
    c.send_bin(q[..q.len() - 4].to_vec()).await;
    assert_eq!(
        c.recv_json().await["message"],
        "uncompleted message, sql length:14, remainMessageLength:10"
    );

    // fetch_raw_block errors come back as binary frames.
    let mut f = Vec::new();
    taosarrow_protocol::frames::FetchRawBlockRequest {
        req_id: 5,
        result_id: 9,
    }
    .encode(&mut f);
    c.send_bin(f[..25].to_vec()).await;
    let frame = c.recv_bin().await;
    let r = FetchRawBlockResponse::decode(&frame).unwrap();
    assert!(
        matches!(r.body, RawBlockBody::Error { ref message, .. } if message == "message length is too short")
    );
    let frame = c.fetch_raw(5, 9).await;
    let r = FetchRawBlockResponse::decode(&frame).unwrap();
    assert_eq!((r.req_id, r.result_id), (5, 9));
    match r.body {
        RawBlockBody::Error { code, message } => {
            assert_eq!(code.0, 0xFFFF);
            assert_eq!(message, "result is nil");
        }
        other => panic!("expected an error frame, got {other:?}"),
    }
    assert_eq!(frame.len(), 64, "same layout as the spec's example");
}

#[tokio::test]
async fn small_actions() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    let r = c
        .call(json!({"action": "get_server_info", "args": {"req_id": 2}}))
        .await;
    assert_eq!(
        (r["code"].as_u64(), r["info"].as_str()),
        (Some(0), Some(SERVER_VERSION))
    );
    let r = c
        .call(json!({"action": "get_connection_info", "args": {"req_id": 3, "info": 0}}))
        .await;
    assert_eq!(r["info"], "root");
    let r = c
        .call(json!({"action": "get_current_db", "args": {"req_id": 4}}))
        .await;
    assert_ne!(r["code"], 0, "no database selected: {r}");
    let r = c
        .call(json!({"action": "options_connection", "args": {"req_id": 5, "options": [
            {"option": 1, "value": "Asia/Shanghai"}, {"option": 3, "value": "app"}, {"option": -1, "value": null}]}}))
        .await;
    assert_eq!(
        (r["code"].as_u64(), r["action"].as_str()),
        (Some(0), Some("options_connection"))
    );
    let r = c
        .call(json!({"action": "options_connection", "args": {"req_id": 6, "options": [{"option": 1, "value": "Mars/Olympus"}]}}))
        .await;
    assert_ne!(r["code"], 0);
    let r = c
        .call(json!({"action": "num_fields", "args": {"req_id": 7, "result_id": 42}}))
        .await;
    assert_eq!(r["message"], "result is nil");
    let r = c
        .call(json!({"action": "fetch", "args": {"req_id": 8, "id": 42}}))
        .await;
    assert_eq!(
        (r["message"].as_str(), r["action"].as_str()),
        (Some("result is nil"), Some("fetch"))
    );
    let r = c
        .call(json!({"action": "fetch_block", "args": {"req_id": 9, "id": 42}}))
        .await;
    assert_eq!(
        (r["message"].as_str(), r["action"].as_str()),
        (Some("result is nil"), Some("fetch_block"))
    );
    // free_result is never answered, not even for unknown ids.
    c.send_text(&json!({"action": "free_result", "args": {"req_id": 10, "id": 42}}).to_string())
        .await;
    let v = c
        .call(json!({"action": "version", "args": {"req_id": 11}}))
        .await;
    assert_eq!(
        (v["action"].as_str(), v["req_id"].as_u64()),
        (Some("version"), Some(11))
    );
}

#[tokio::test]
async fn other_paths_are_404() {
    let s = server(ServerConfig::default()).await;
    for path in ["/", "/rest/ws", "/wsx"] {
        let err = tokio_tungstenite::connect_async(format!("{}{path}", s.url()))
            .await
            .unwrap_err();
        match err {
            tokio_tungstenite::tungstenite::Error::Http(resp) => assert_eq!(resp.status(), 404),
            other => panic!("{path}: expected HTTP 404, got {other:?}"),
        }
    }
    // The token query parameter is accepted.
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/ws?token=abc", s.url()))
        .await
        .unwrap();
    drop(ws);
}

#[tokio::test]
async fn many_connections_at_once() {
    let s = server(ServerConfig::default()).await;
    let mut tasks = Vec::new();
    for i in 0..16u64 {
        let url = s.url();
        tasks.push(tokio::spawn(async move {
            let (ws, _) = tokio_tungstenite::connect_async(format!("{url}/ws"))
                .await
                .unwrap();
            let mut c = Client { ws };
            c.call(json!({"action": "version"})).await;
            let r = c.conn("root", "taosdata", "").await;
            assert_eq!(r["code"], 0);
            for k in 0..5 {
                let r = c
                    .call(json!({"action": "get_server_info", "args": {"req_id": i * 100 + k}}))
                    .await;
                assert_eq!(r["req_id"].as_u64(), Some(i * 100 + k));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test]
async fn client_pings_are_answered() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    c.ws.send(Message::Ping(b"TAOS".to_vec().into()))
        .await
        .unwrap();
    let reply = tokio::time::timeout(support::TIMEOUT, c.ws.next())
        .await
        .unwrap();
    match reply {
        Some(Ok(Message::Pong(p))) => assert_eq!(&p[..], b"TAOS"),
        other => panic!("expected a pong, got {other:?}"),
    }
}
