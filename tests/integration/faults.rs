//! Connection faults against tiny local listeners: refused ports, silent peers, peers that
//! hang up. Attempts are counted, not timed.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use taosarrow::{ConnectOptions, Connection, Error, ErrorKind};
use tokio::net::{TcpListener, TcpSocket};

fn fast(port: u16, retries: u32) -> ConnectOptions {
    ConnectOptions::new()
        .with_host("127.0.0.1", port)
        .with_conn_retries(retries)
        .with_retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .with_connect_timeout(Duration::from_secs(5))
}

/// A port nothing listens on, reserved for as long as the returned socket lives: it is bound
/// but never listening, so connecting to it is refused and no other process can take it.
fn refusing_port() -> (TcpSocket, u16) {
    let s = TcpSocket::new_v4().unwrap();
    s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = s.local_addr().unwrap().port();
    (s, port)
}

#[tokio::test]
async fn refused_reports_every_attempt() {
    let (_reserved, port) = refusing_port();
    let e = Connection::connect(&fast(port, 3)).await.unwrap_err();
    match &e {
        Error::Connect { attempts, addr, .. } => {
            assert_eq!(*attempts, 4);
            assert_eq!(addr, &format!("127.0.0.1:{port}"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.kind(), ErrorKind::Connection);
}

#[tokio::test]
async fn hang_up_is_retried_exactly_conn_retries_times() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicU32::new(0));
    let a = accepted.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            a.fetch_add(1, Ordering::SeqCst);
            drop(s);
        }
    });
    let e = Connection::connect(&fast(port, 2)).await.unwrap_err();
    assert!(matches!(e, Error::Connect { attempts: 3, .. }), "{e:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn silent_peer_hits_connect_timeout() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    let opts = fast(port, 1).with_connect_timeout(Duration::from_millis(300));
    // The guard only keeps a broken client from hanging the test run.
    let r = tokio::time::timeout(Duration::from_secs(30), Connection::connect(&opts))
        .await
        .expect("connect must give up by itself");
    let e = r.unwrap_err();
    match &e {
        Error::Connect {
            attempts, source, ..
        } => {
            assert_eq!(*attempts, 2);
            let reason = source.to_string();
            assert!(reason.contains("connect timed out"), "{reason}");
            assert!(
                matches!(
                    **source,
                    Error::Timeout {
                        what: "connect",
                        ..
                    }
                ),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn blocking_connect_refused() {
    let (_reserved, port) = taosarrow::runtime().block_on(async { refusing_port() });
    let e = taosarrow::blocking::Connection::connect(&fast(port, 0)).unwrap_err();
    assert!(matches!(e, Error::Connect { attempts: 1, .. }), "{e:?}");
}

#[test]
fn interruptible_wait_stops_on_check() {
    let mut calls = 0;
    let r: Result<(), &str> =
        taosarrow::blocking::block_on_interruptible(std::future::pending::<()>(), || {
            calls += 1;
            if calls == 3 {
                Err("interrupted")
            } else {
                Ok(())
            }
        });
    assert_eq!(r, Err("interrupted"));
    assert_eq!(calls, 3);
}
