//! Fault injection: dropped connections, delayed replies, stalls and corrupt blocks.

use std::time::{Duration, Instant};

use crate::support::{load, schema_of, server, Client, Fetched};
use serde_json::json;
use taosarrow_codec::decode_block;
use taosarrow_server::{FaultConfig, ServerConfig};

fn with_faults(faults: FaultConfig) -> ServerConfig {
    ServerConfig::default().with_faults(faults)
}

#[tokio::test]
async fn drop_after_frames_closes_the_socket() {
    let s = server(with_faults(FaultConfig {
        drop_after_frames: Some(3),
        ..Default::default()
    }))
    .await;
    let mut c = Client::connect(&s).await; // frames 1 and 2
    let r = c
        .call(json!({"action": "get_server_info", "args": {"req_id": 1}}))
        .await; // frame 3
    assert_eq!(r["code"], 0);
    c.send_text(&json!({"action": "version"}).to_string()).await;
    assert!(
        c.next().await.is_none(),
        "the connection must end after 3 frames"
    );
    // Each connection has its own budget.
    let mut c = Client::connect(&s).await;
    let r = c
        .call(json!({"action": "get_server_info", "args": {"req_id": 2}}))
        .await;
    assert_eq!(r["req_id"], 2);
}

#[tokio::test]
async fn reply_delay_delays_every_reply() {
    let delay = Duration::from_millis(300);
    let s = server(with_faults(FaultConfig {
        reply_delay: Some(delay),
        ..Default::default()
    }))
    .await;
    let mut c = Client::open(&s).await;
    let start = Instant::now();
    let v = c.call(json!({"action": "version"})).await;
    assert_eq!(v["code"], 0);
    assert!(start.elapsed() >= delay, "{:?}", start.elapsed());
}

#[tokio::test]
async fn stall_accepts_tcp_but_never_answers() {
    let s = server(with_faults(FaultConfig {
        stall: true,
        ..Default::default()
    }))
    .await;
    let tcp = tokio::net::TcpStream::connect(s.addr()).await;
    assert!(tcp.is_ok());
    let upgrade = tokio_tungstenite::connect_async(format!("{}/ws", s.url()));
    let r = tokio::time::timeout(Duration::from_millis(700), upgrade).await;
    assert!(r.is_err(), "the upgrade must not complete");
}

#[tokio::test]
async fn corrupt_blocks_are_detected_by_the_decoder() {
    let s = server(with_faults(FaultConfig {
        corrupt_blocks: true,
        ..Default::default()
    }))
    .await;
    let mut c = Client::connect(&s).await;
    load(&mut c, 20).await;
    let q = c.binary_query(1, "select ts, v, s from db.t").await;
    assert_eq!(q["code"], 0, "{q}");
    let schema = schema_of(&q);
    let Fetched::Block(block) = c.fetch_raw_body(2, q["id"].as_u64().unwrap()).await else {
        panic!("expected a block");
    };
    assert_eq!(&block[8..12], &i32::MAX.to_le_bytes());
    assert!(decode_block(&block, &schema).is_err());
    // The JSON path's fetch_block carries the same corruption.
    let q = c.query(3, "select ts, v, s from db.t").await;
    let id = q["id"].as_u64().unwrap();
    c.call(json!({"action": "fetch", "args": {"req_id": 4, "id": id}}))
        .await;
    c.send_text(&json!({"action": "fetch_block", "args": {"req_id": 4, "id": id}}).to_string())
        .await;
    let frame = c.recv_bin().await;
    assert!(decode_block(&frame[16..], &schema).is_err());
}

#[tokio::test]
async fn shutdown_closes_connections() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    let addr = s.addr();
    s.shutdown();
    assert!(c.next().await.is_none());
    // The port no longer accepts WebSocket sessions.
    let r = tokio::time::timeout(
        Duration::from_secs(2),
        tokio_tungstenite::connect_async(format!("ws://{addr}/ws")),
    )
    .await;
    assert!(!matches!(r, Ok(Ok(_))));
}

#[test]
fn spawn_works_from_sync_code_and_drop_stops_it() {
    let s = taosarrow_server::LocalServer::spawn(ServerConfig::default()).unwrap();
    let addr = s.addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());
    drop(s);
    assert!(std::net::TcpStream::connect(addr).is_err());
}
