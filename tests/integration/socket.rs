//! The socket layer against a scripted peer and the embedded server: `req_id` collisions,
//! frames withdrawn after their wait ended, the incoming message size limit.

use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use futures_util::{SinkExt, StreamExt};
use taosarrow::protocol::frames::BinaryQuery;
use taosarrow::protocol::messages::{to_json, ConnResponse, QueryResponse, ResponseHeader};
use taosarrow::{ConnectOptions, Connection, Delivery, Error, ErrorKind, DEFAULT_MAX_MESSAGE_SIZE};
use taosarrow_server::{LocalServer, ServerConfig};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type Peer = WebSocketStream<TcpStream>;

/// Accepts one client and answers its `version` and `conn` requests.
async fn scripted_peer(listener: TcpListener) -> Peer {
    let (tcp, _) = listener.accept().await.unwrap();
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let mut ws = tokio_tungstenite::accept_async_with_config(tcp, Some(config))
        .await
        .unwrap();
    for action in ["version", "conn"] {
        let Some(Ok(Message::Text(_))) = ws.next().await else {
            panic!("expected the {action} request");
        };
        let reply = ConnResponse {
            header: ResponseHeader::ok(action, 0, 0),
            version: "3.3.6.0".into(),
            list_instances: None,
        };
        ws.send(Message::text(to_json(&reply))).await.unwrap();
    }
    ws
}

async fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

fn to(port: u16, read_timeout: Duration) -> ConnectOptions {
    ConnectOptions::new()
        .with_host("127.0.0.1", port)
        .with_conn_retries(0)
        .with_read_timeout(read_timeout)
}

/// The next binary query the peer receives: its `req_id` and SQL.
async fn next_query(ws: &mut Peer) -> Option<(u64, String)> {
    loop {
        match ws.next().await? {
            Ok(Message::Binary(b)) => {
                let q = BinaryQuery::decode(&b).unwrap();
                return Some((q.req_id, q.sql.to_owned()));
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

#[tokio::test]
async fn a_request_whose_wait_ended_in_the_queue_is_never_written() {
    let (l, port) = listener().await;
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<String>();
    let peer = tokio::spawn(async move {
        let mut ws = scripted_peer(l).await;
        // Read nothing until told: the client's writer stays blocked in the large frame.
        go_rx.await.unwrap();
        while let Some((req_id, sql)) = next_query(&mut ws).await {
            let label = if sql.len() > 1000 {
                "large".into()
            } else {
                sql
            };
            let done = label == "select 'last'";
            seen_tx.send(label).unwrap();
            if done {
                let reply = QueryResponse {
                    header: ResponseHeader::ok("binary_query", req_id, 0),
                    is_update: true,
                    ..QueryResponse::default()
                };
                ws.send(Message::text(to_json(&reply))).await.unwrap();
            }
        }
    });
    let c = Connection::connect(&to(port, Duration::from_secs(2)))
        .await
        .unwrap();
    // Far above the socket buffers of both ends: writing it blocks until the peer reads.
    let large = format!("insert into t values {}", " ".repeat(64 << 20));
    // The third call's future is dropped by its caller while its frame waits in the queue.
    let dropped = tokio::time::timeout(Duration::from_millis(100), c.exec("create database third"));
    let (first, second, third) =
        tokio::join!(c.exec(&large), c.exec("create database second"), dropped);
    assert!(third.is_err(), "the caller gave up first: {third:?}");
    let second = second.unwrap_err();
    assert!(matches!(second, Error::NotSent { .. }), "{second:?}");
    assert_eq!(second.delivery(), Some(Delivery::NotSent));
    assert_eq!(second.kind(), ErrorKind::Connection);
    let first = first.unwrap_err();
    assert!(matches!(first, Error::Timeout { .. }), "{first:?}");
    assert_eq!(first.delivery(), Some(Delivery::Unknown));

    go_tx.send(()).unwrap();
    assert_eq!(c.exec("select 'last'").await.unwrap(), 0);
    let mut seen = Vec::new();
    while let Some(s) = seen_rx.recv().await {
        let last = s == "select 'last'";
        seen.push(s);
        if last {
            break;
        }
    }
    assert_eq!(seen, ["large", "select 'last'"]);
    drop(c);
    peer.await.unwrap();
}

#[tokio::test]
async fn a_message_above_the_limit_fails_the_connection_at_once() {
    let (l, port) = listener().await;
    let peer = tokio::spawn(async move {
        let mut ws = scripted_peer(l).await;
        let _ = next_query(&mut ws).await;
        // The header of a binary frame announcing 1 TiB, then nothing.
        let mut header = vec![0x82, 127];
        header.extend_from_slice(&(1u64 << 40).to_be_bytes());
        ws.get_mut().write_all(&header).await.unwrap();
        ws.get_mut().flush().await.unwrap();
        // Keep the socket open: only the announced size can end the wait.
        let _ = ws.get_mut().readable().await;
        ws
    });
    let c = Connection::connect(&to(port, Duration::from_secs(30)).with_reconnect(false))
        .await
        .unwrap();
    let e = c.exec("select 1").await.unwrap_err();
    match &e {
        Error::MessageTooLarge { size, limit } => {
            assert_eq!(*size, 1usize << 40);
            assert_eq!(*limit, DEFAULT_MAX_MESSAGE_SIZE);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert_eq!(e.delivery(), Some(Delivery::Unknown));
    drop(c);
    peer.abort();
}

async fn two_tables(s: &LocalServer) -> Connection {
    let o = ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0);
    let c = Connection::connect(&o).await.unwrap();
    c.exec("create database rq").await.unwrap();
    for (t, v) in [("a", 1), ("b", 2)] {
        c.exec(&format!("create table rq.{t} (ts timestamp, v int)"))
            .await
            .unwrap();
        c.exec(&format!("insert into rq.{t} values (1700000000000, {v})"))
            .await
            .unwrap();
    }
    c
}

async fn value(c: &Connection, table: &str, req_id: u64) -> Result<i32, Error> {
    let b = c
        .query_with_req_id(&format!("select v from rq.{table}"), req_id)
        .await?
        .collect_all()
        .await?;
    Ok(b[0].column(0).as_primitive::<Int32Type>().value(0))
}

#[tokio::test]
async fn a_req_id_in_flight_is_refused_not_shared() {
    let s = LocalServer::start(ServerConfig::default()).await.unwrap();
    let c = two_tables(&s).await;
    let (a, b) = tokio::join!(value(&c, "a", 7), value(&c, "b", 7));
    assert_eq!(a.unwrap(), 1, "the first call reads its own table");
    match b.unwrap_err() {
        Error::ReqIdInUse { req_id } => assert_eq!(req_id, 7),
        other => panic!("{other:?}"),
    }
    // Once the first call is answered, the id is free again.
    assert_eq!(value(&c, "b", 7).await.unwrap(), 2);
}

#[tokio::test]
async fn the_message_size_limit_is_an_option() {
    let s = LocalServer::start(ServerConfig::default()).await.unwrap();
    let c = two_tables(&s).await;
    let mut sql = String::from("insert into rq.a values ");
    for i in 0..2000 {
        sql.push_str(&format!("({}, {i}) ", 1_700_000_001_000i64 + i));
    }
    c.exec(&sql).await.unwrap();
    let dsn = format!("{}?max_message_size=4096", s.dsn("root", "taosdata"));
    let o = ConnectOptions::from_dsn(&dsn).unwrap();
    assert_eq!(o.max_message_size(), 4096);
    let small = Connection::connect(&o.with_reconnect(false)).await.unwrap();
    let e = small
        .query("select * from rq.a")
        .await
        .unwrap()
        .collect_all()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::MessageTooLarge { limit: 4096, size } if size > 4096),
        "{e:?}"
    );
}
