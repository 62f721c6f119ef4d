//! Reconnecting after a dropped socket: the next call gets a new socket with the same
//! session; calls in flight fail unless sending them again is harmless; results and
//! statements of the old socket fail clearly.

use std::sync::Arc;
use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Int32Array, RecordBatch, TimestampMillisecondArray};
use arrow_schema::{DataType, TimeUnit};
use futures_util::StreamExt;
use taosarrow::codec::stmt2::TableBind;
use taosarrow::{ConnectOptions, Connection, Delivery, Error, ErrorKind};
use taosarrow_server::engine::Engine;
use taosarrow_server::{FaultConfig, LocalServer, ServerConfig};

/// A server whose first connection loses reply frame `n` (and drops its socket there).
async fn losing_reply(n: u64) -> LocalServer {
    let faults = FaultConfig {
        lose_reply: Some(n),
        ..FaultConfig::default()
    };
    let config = ServerConfig::default()
        .with_block_rows(100)
        .with_faults(faults);
    LocalServer::start(config).await.unwrap()
}

fn opts(s: &LocalServer) -> ConnectOptions {
    ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(20))
}

fn ints(batches: &[RecordBatch]) -> Vec<i32> {
    batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<Int32Type>().values().to_vec())
        .collect()
}

async fn values(c: &Connection, sql: &str) -> Vec<i32> {
    ints(&c.query(sql).await.unwrap().collect_all().await.unwrap())
}

#[tokio::test]
async fn a_write_in_flight_fails_and_the_next_call_reconnects_to_the_same_database() {
    // Replies: version, conn, create, use, create table; the insert's is lost.
    let s = losing_reply(6).await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    c.exec("create database rdb").await.unwrap();
    c.exec("use rdb").await.unwrap();
    c.exec("create table t (ts timestamp, v int)")
        .await
        .unwrap();
    let e = c
        .exec("insert into t values (1700000000000, 1)")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Closed { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert_eq!(e.delivery(), Some(Delivery::Unknown));
    assert_eq!(c.database().as_deref(), Some("rdb"));
    // The next call reconnects, selects `rdb` again (the table name is unqualified), and
    // sees the insert executed once: it was not sent again.
    assert_eq!(values(&c, "select v from t").await, [1]);
    assert_eq!(
        c.exec("insert into t values (1700000000001, 2)")
            .await
            .unwrap(),
        1
    );
    assert_eq!(values(&c, "select v from t order by ts").await, [1, 2]);
}

#[tokio::test]
async fn a_read_whose_reply_was_lost_is_sent_again() {
    let s = losing_reply(5).await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    c.exec("create database qdb").await.unwrap();
    c.exec("create table qdb.t (ts timestamp, v int)")
        .await
        .unwrap();
    let st = c.query("select v from qdb.t").await.unwrap();
    assert_eq!(st.schema().fields().len(), 1);
    assert!(st
        .collect_all()
        .await
        .unwrap()
        .iter()
        .all(|b| b.num_rows() == 0));
}

#[tokio::test]
async fn retry_writes_sends_a_lost_write_again() {
    let s = losing_reply(5).await;
    let c = Connection::connect(&opts(&s).with_retry_writes(true))
        .await
        .unwrap();
    c.exec("create database wdb").await.unwrap();
    c.exec("create table wdb.t (ts timestamp, v int)")
        .await
        .unwrap();
    // Executed on the lost socket and again on the new one: the same timestamp is
    // overwritten, so the row is there once.
    assert_eq!(
        c.exec("insert into wdb.t values (1700000000000, 7)")
            .await
            .unwrap(),
        1
    );
    assert_eq!(values(&c, "select v from wdb.t").await, [7]);
}

#[tokio::test]
async fn reconnect_off_leaves_the_connection_closed() {
    let s = losing_reply(3).await;
    let o = ConnectOptions::from_dsn(&format!("{}?reconnect=false", s.dsn("root", "taosdata")))
        .unwrap()
        .with_conn_retries(0);
    assert!(!o.reconnect());
    let c = Connection::connect(&o).await.unwrap();
    let e = c.exec("create database odb").await.unwrap_err();
    assert!(matches!(e, Error::Closed { .. }), "{e:?}");
    let e = c.exec("show databases").await.unwrap_err();
    match &e {
        Error::NotSent { source } => assert!(matches!(**source, Error::Closed { .. }), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.delivery(), Some(Delivery::NotSent));
    assert_eq!(e.kind(), ErrorKind::Connection);
}

#[tokio::test]
async fn results_and_statements_of_the_lost_socket_fail_clearly() {
    // Replies: version, conn, create db, create table, insert, stmt2_init, stmt2_prepare,
    // the query; the first block fetched is lost.
    let s = losing_reply(9).await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    c.exec("create database sdb").await.unwrap();
    c.exec("create table sdb.t (ts timestamp, v int)")
        .await
        .unwrap();
    let mut sql = String::from("insert into sdb.t values ");
    for i in 0..300 {
        sql.push_str(&format!("({}, {i}) ", 1_700_000_000_000i64 + i));
    }
    c.exec(&sql).await.unwrap();
    let mut stmt = c.stmt2().await.unwrap();
    stmt.prepare("insert into sdb.t values (?, ?)")
        .await
        .unwrap();
    let mut st = c.query("select v from sdb.t").await.unwrap();
    let e = st.next().await.unwrap().unwrap_err();
    assert!(matches!(e, Error::Closed { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Connection);
    // The connection itself recovers.
    let count = c.query("select count(*) from sdb.t").await.unwrap();
    let rows: usize = count
        .collect_all()
        .await
        .unwrap()
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, 1);
    // The statement belonged to the old socket.
    let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![1_800_000_000_000]));
    let v: ArrayRef = Arc::new(Int32Array::from(vec![1]));
    let e = stmt.bind(&[TableBind::new(vec![ts, v])]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(e.to_string().contains("no longer valid"), "{e}");
    // A new statement works.
    let mut fresh = c.stmt2().await.unwrap();
    fresh
        .prepare("insert into sdb.t values (?, ?)")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_survives_a_server_restart_on_the_same_port() {
    let engine = Engine::new();
    let first = LocalServer::spawn_with_engine(ServerConfig::default(), engine.clone()).unwrap();
    let port = first.addr().port();
    let setup = Connection::connect(&opts(&first)).await.unwrap();
    setup.exec("create database zdb").await.unwrap();
    setup
        .exec("create table zdb.t (ts timestamp, v int)")
        .await
        .unwrap();
    setup
        .exec("insert into zdb.t values (1700000000000, 1)")
        .await
        .unwrap();
    drop(setup);
    // The DSN's database and the time zone are restored on the new socket.
    let o = ConnectOptions::from_dsn(&format!("ws://root:taosdata@127.0.0.1:{port}/zdb"))
        .unwrap()
        .with_conn_retries(0)
        .with_timezone("Asia/Shanghai")
        .unwrap();
    let c = Connection::connect(&o).await.unwrap();
    assert_eq!(values(&c, "select v from t").await, [1]);

    first.shutdown();
    let second =
        LocalServer::spawn_with_engine(ServerConfig::default().with_port(port), engine.clone())
            .unwrap();
    let st = c.query("select ts, v from t").await.unwrap();
    assert_eq!(
        st.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, Some("Asia/Shanghai".into()))
    );
    assert_eq!(st.collect_all().await.unwrap()[0].num_rows(), 1);
    assert_eq!(
        c.exec("insert into t values (1700000000001, 2)")
            .await
            .unwrap(),
        1
    );
    assert_eq!(values(&c, "select v from t order by ts").await, [1, 2]);
    assert_eq!(c.address(), format!("127.0.0.1:{port}"));
    drop(c);
    second.shutdown();
}
