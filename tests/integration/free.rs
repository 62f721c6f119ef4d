//! The server-side result is freed when the stream ends, when it is dropped early and when it
//! is cancelled, and the connection stays usable. `LocalServer::open_results` counts the
//! server's open results over all connections.

use std::time::Duration;

use futures_util::StreamExt;
use taosarrow::{ConnectOptions, Connection, Error};
use taosarrow_server::{LocalServer, ServerConfig};

/// 50,000 rows = 13 blocks of at most 4,096 rows: several fetches are left after the first.
const ROWS: usize = 50_000;

async fn setup() -> (LocalServer, Connection) {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    let opts = ConnectOptions::from_dsn(&server.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0);
    let conn = Connection::connect(&opts).await.unwrap();
    conn.exec("create database f").await.unwrap();
    conn.exec("create table f.t (ts timestamp, v bigint)")
        .await
        .unwrap();
    for chunk in 0..(ROWS / 5_000) {
        let mut sql = String::from("insert into f.t values ");
        for i in chunk * 5_000..(chunk + 1) * 5_000 {
            sql.push_str(&format!("({}, {i}) ", 1_700_000_000_000i64 + i as i64));
        }
        conn.exec(&sql).await.unwrap();
    }
    (server, conn)
}

/// Waits until the server has no open result; `free_result` has no reply, so the test polls
/// the count (up to 10 s) instead of assuming an order of frames.
async fn wait_all_freed(server: &LocalServer) -> usize {
    for _ in 0..1_000 {
        if server.open_results() == 0 {
            return 0;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.open_results()
}

#[tokio::test]
async fn reading_to_the_end_frees_the_result() {
    let (server, conn) = setup().await;
    let batches = conn
        .query("select * from f.t")
        .await
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), ROWS);
    assert_eq!(wait_all_freed(&server).await, 0);
}

#[tokio::test]
async fn dropping_after_one_batch_frees_the_result() {
    let (server, conn) = setup().await;
    let mut stream = conn.query("select * from f.t").await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(first.num_rows() > 0 && first.num_rows() < ROWS);
    // The result is open on the server while the stream is alive…
    assert_eq!(server.open_results(), 1);
    drop(stream);
    // …and freed once it is dropped, while the connection stays open.
    assert_eq!(wait_all_freed(&server).await, 0);
    let again = conn
        .query("select count(*) from f.t")
        .await
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(again[0].num_rows(), 1);
}

#[tokio::test]
async fn dropping_before_any_batch_frees_the_result() {
    let (server, conn) = setup().await;
    let stream = conn.query("select * from f.t").await.unwrap();
    assert_eq!(server.open_results(), 1);
    drop(stream);
    assert_eq!(wait_all_freed(&server).await, 0);
}

#[tokio::test]
async fn cancel_ends_the_stream_and_frees_the_result() {
    let (server, conn) = setup().await;
    let mut stream = conn.query("select * from f.t").await.unwrap();
    let _ = stream.next().await.unwrap().unwrap();
    stream.cancel_handle().cancel();
    let mut after = 0usize;
    let mut cancelled = false;
    while let Some(item) = stream.next().await {
        match item {
            Ok(b) => after += b.num_rows(),
            Err(Error::Cancelled) => {
                cancelled = true;
                break;
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert!(cancelled, "the stream should end with Error::Cancelled");
    assert!(after < ROWS);
    assert_eq!(wait_all_freed(&server).await, 0);
}

#[tokio::test]
async fn many_abandoned_streams_leave_nothing_open() {
    let (server, conn) = setup().await;
    for _ in 0..20 {
        let mut s = conn.query("select * from f.t").await.unwrap();
        let _ = s.next().await;
    }
    assert_eq!(wait_all_freed(&server).await, 0);
}

#[tokio::test]
async fn closing_the_connection_frees_its_results() {
    let (server, conn) = setup().await;
    let mut stream = conn.query("select * from f.t").await.unwrap();
    let _ = stream.next().await;
    std::mem::forget(stream); // no free_result from the client at all
    conn.close().await.unwrap();
    assert_eq!(wait_all_freed(&server).await, 0);
}
