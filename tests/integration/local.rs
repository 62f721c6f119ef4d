//! The client against the embedded server: types, precisions, large results, faults.

use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};
use futures_util::StreamExt;
use taosarrow::{ConnectOptions, Connection, Error, ErrorKind};
use taosarrow_server::{FaultConfig, LocalServer, ServerConfig};

async fn server(config: ServerConfig) -> LocalServer {
    LocalServer::start(config).await.unwrap()
}

fn opts(s: &LocalServer) -> ConnectOptions {
    ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(20))
}

#[tokio::test]
async fn every_type_reads_back() {
    let s = server(ServerConfig::default()).await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    assert_eq!(c.exec("create database db").await.unwrap(), 0);
    c.exec(
        "create table db.t (ts timestamp, b bool, ti tinyint, si smallint, i int, bi bigint, \
         uti tinyint unsigned, usi smallint unsigned, ui int unsigned, ubi bigint unsigned, \
         f float, d double, vc varchar(20), nc nchar(10), vb varbinary(16))",
    )
    .await
    .unwrap();
    let n = c
        .exec(
            "insert into db.t values \
             (1700000000001, true, -128, -32768, -2147483648, -9223372036854775808, 255, 65535, \
              4294967295, 18446744073709551615, 1.5, -2.25, 'hello', '中文ok', '\\x0102ff'), \
             (1700000000002, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
              NULL, NULL, NULL)",
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    let stream = c.query("select * from db.t order by ts").await.unwrap();
    let schema = stream.schema();
    assert_eq!(
        schema.field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    let batches = stream.collect_all().await.unwrap();
    let b = arrow_select_concat(&batches);
    assert_eq!(b.num_rows(), 2);
    let col = |i: usize| b.column(i).clone();
    assert_eq!(
        col(0).as_primitive::<TimestampMillisecondType>().value(0),
        1700000000001
    );
    assert!(col(1).as_boolean().value(0));
    assert_eq!(col(2).as_primitive::<Int8Type>().value(0), -128);
    assert_eq!(col(3).as_primitive::<Int16Type>().value(0), -32768);
    assert_eq!(col(4).as_primitive::<Int32Type>().value(0), i32::MIN);
    assert_eq!(col(5).as_primitive::<Int64Type>().value(0), i64::MIN);
    assert_eq!(col(6).as_primitive::<UInt8Type>().value(0), 255);
    assert_eq!(col(7).as_primitive::<UInt16Type>().value(0), 65535);
    assert_eq!(col(8).as_primitive::<UInt32Type>().value(0), u32::MAX);
    assert_eq!(col(9).as_primitive::<UInt64Type>().value(0), u64::MAX);
    assert_eq!(col(10).as_primitive::<Float32Type>().value(0), 1.5);
    assert_eq!(col(11).as_primitive::<Float64Type>().value(0), -2.25);
    assert_eq!(col(12).as_string::<i32>().value(0), "hello");
    assert_eq!(col(13).as_string::<i32>().value(0), "中文ok");
    assert_eq!(col(14).as_binary::<i32>().value(0), &[1u8, 2, 0xff]);
    for i in 1..15 {
        assert!(b.column(i).is_null(1), "column {i} row 1 must be NULL");
    }
}

fn arrow_select_concat(batches: &[arrow_array::RecordBatch]) -> arrow_array::RecordBatch {
    assert!(!batches.is_empty());
    arrow_select::concat::concat_batches(&batches[0].schema(), batches).unwrap()
}

#[tokio::test]
async fn precisions_and_time_zone() {
    let s = server(ServerConfig::default()).await;
    let o = opts(&s).with_timezone("Asia/Shanghai").unwrap();
    let c = Connection::connect(&o).await.unwrap();
    for (p, unit, v) in [
        ("ms", TimeUnit::Millisecond, 1_700_000_000_123i64),
        ("us", TimeUnit::Microsecond, 1_700_000_000_123_456),
        ("ns", TimeUnit::Nanosecond, 1_700_000_000_123_456_789),
    ] {
        c.exec(&format!("create database d{p} precision '{p}'"))
            .await
            .unwrap();
        c.exec(&format!("create table d{p}.t (ts timestamp, v int)"))
            .await
            .unwrap();
        c.exec(&format!("insert into d{p}.t values ({v}, 1)"))
            .await
            .unwrap();
        let st = c.query(&format!("select ts from d{p}.t")).await.unwrap();
        assert_eq!(
            st.schema().field(0).data_type(),
            &DataType::Timestamp(unit, Some("Asia/Shanghai".into()))
        );
        let b = st.collect_all().await.unwrap();
        let got = match unit {
            TimeUnit::Millisecond => b[0]
                .column(0)
                .as_primitive::<TimestampMillisecondType>()
                .value(0),
            TimeUnit::Microsecond => b[0]
                .column(0)
                .as_primitive::<TimestampMicrosecondType>()
                .value(0),
            _ => b[0]
                .column(0)
                .as_primitive::<TimestampNanosecondType>()
                .value(0),
        };
        assert_eq!(got, v, "precision {p}");
    }
}

async fn load(c: &Connection, n: usize) {
    c.exec("create database if not exists big").await.unwrap();
    c.exec("create table if not exists big.t (ts timestamp, v bigint, s varchar(16))")
        .await
        .unwrap();
    let mut i = 0;
    while i < n {
        let mut sql = String::from("insert into big.t values ");
        for j in i..(i + 5000).min(n) {
            sql.push_str(&format!(
                "({}, {j}, 'r{j}') ",
                1_600_000_000_000i64 + j as i64
            ));
        }
        c.exec(&sql).await.unwrap();
        i += 5000;
    }
}

#[tokio::test]
async fn million_rows_in_many_blocks() {
    let s = server(ServerConfig::default()).await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    let n = 1_000_000;
    load(&c, n).await;
    let mut st = c.query("select v from big.t").await.unwrap();
    let (mut rows, mut blocks, mut sum) = (0usize, 0usize, 0i128);
    while let Some(b) = st.next().await {
        let b = b.unwrap();
        rows += b.num_rows();
        blocks += 1;
        for v in b.column(0).as_primitive::<Int64Type>().values() {
            sum += *v as i128;
        }
    }
    assert_eq!(rows, n);
    assert!(blocks >= n / 4096, "{blocks} blocks");
    assert_eq!(sum, (n as i128 - 1) * n as i128 / 2);
}

#[tokio::test]
async fn early_drop_and_cancel_leave_the_connection_usable() {
    let s = server(ServerConfig::default().with_block_rows(100)).await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    load(&c, 10_000).await;
    for _ in 0..5 {
        let mut st = c.query("select * from big.t").await.unwrap();
        assert!(st.next().await.unwrap().is_ok());
        drop(st);
    }
    let mut st = c.query("select * from big.t").await.unwrap();
    assert!(st.next().await.unwrap().is_ok());
    st.cancel();
    assert!(matches!(st.next().await, Some(Err(Error::Cancelled))));
    assert!(st.next().await.is_none());
    let b = c
        .query("select count(*) from big.t")
        .await
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(b[0].num_rows(), 1);
}

#[tokio::test]
async fn server_errors_carry_code_and_kind() {
    let s = server(ServerConfig::default()).await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    let e = c.query("selec nonsense").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Query);
    assert_eq!(e.code(), Some(taosarrow::Code::PAR_SYNTAX_ERROR), "{e}");
    let bad = opts(&s).with_credentials("root", "wrong");
    let e = Connection::connect(&bad).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert!(!e.to_string().contains("wrong"));
}

#[tokio::test]
async fn dead_first_address_fails_over() {
    let s = server(ServerConfig::default()).await;
    // Bound but not listening: connecting is refused, and the port stays reserved.
    let dead = tokio::net::TcpSocket::new_v4().unwrap();
    dead.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    for _ in 0..4 {
        let o = ConnectOptions::new()
            .with_host("127.0.0.1", dead_port)
            .with_address("127.0.0.1", s.addr().port())
            .with_conn_retries(0);
        let c = Connection::connect(&o).await.unwrap();
        assert_eq!(c.address(), format!("127.0.0.1:{}", s.addr().port()));
        assert_eq!(c.exec("create database if not exists x").await.unwrap(), 0);
    }
}

#[tokio::test]
async fn stalled_server_hits_connect_timeout() {
    let faults = FaultConfig {
        stall: true,
        ..FaultConfig::default()
    };
    let s = server(ServerConfig::default().with_faults(faults)).await;
    let o = opts(&s).with_connect_timeout(Duration::from_millis(300));
    let r = tokio::time::timeout(Duration::from_secs(30), Connection::connect(&o))
        .await
        .expect("connect must give up by itself");
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Connect { attempts: 1, .. }), "{e:?}");
    assert!(e.to_string().contains("connect timed out"), "{e}");
}

#[tokio::test]
async fn drop_mid_fetch_is_a_typed_error() {
    // Frames counted by the server: version, conn, three statement replies, the query
    // reply; then the socket is cut while the client fetches.
    let faults = FaultConfig {
        drop_after_frames: Some(6),
        ..FaultConfig::default()
    };
    let f = server(
        ServerConfig::default()
            .with_block_rows(100)
            .with_faults(faults),
    )
    .await;
    let c = Connection::connect(&opts(&f)).await.unwrap();
    let r = c.exec("create database if not exists big").await;
    assert!(r.is_ok());
    let e = c
        .exec("create table if not exists big.t (ts timestamp, v bigint, s varchar(16))")
        .await;
    assert!(e.is_ok());
    let mut sql = String::from("insert into big.t values ");
    for j in 0..1000 {
        sql.push_str(&format!("({}, {j}, 'r{j}') ", 1_600_000_000_000i64 + j));
    }
    let ins = c.exec(&sql).await;
    assert!(ins.is_ok());
    let res = tokio::time::timeout(Duration::from_secs(30), async {
        let mut st = c.query("select * from big.t").await?;
        while let Some(b) = st.next().await {
            b?;
        }
        Ok::<(), Error>(())
    })
    .await
    .expect("must fail within read_timeout");
    let e = res.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert!(matches!(e, Error::Closed { .. }), "{e:?}");
}
