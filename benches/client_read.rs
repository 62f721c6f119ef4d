//! Reads a large result from the embedded server into Arrow, beside a plain WebSocket loop
//! that fetches the same blocks without decoding them (the transport limit).
//!
//! Rows: env `TAOSARROW_BENCH_ROWS` (default 10,000,000). Run with
//! `cargo bench -p taosarrow --bench client_read`. Under `cargo test --all-targets` (no
//! `--bench` argument) it runs once on 20,000 rows as a smoke test.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use taosarrow::protocol::frames::{
    BinaryAction, BinaryQuery, FetchRawBlockRequest, FetchRawBlockResponse, RawBlockBody,
};
use taosarrow::protocol::messages::{from_json, ConnRequest, QueryResponse, ReqIdArgs, Request};
use taosarrow::{ConnectOptions, Connection};
use taosarrow_server::{LocalServer, ServerConfig};
use tokio_tungstenite::tungstenite::Message;

const SQL: &str = "select ts, v, d, s from bench.t";

/// Writes `n` rows through stmt2 ingest (batches of 100,000 rows).
async fn load(c: &Connection, n: usize) {
    use std::sync::Arc;

    use arrow_array::{
        Float64Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
    };
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    use taosarrow::{IngestMode, IngestOptions, IngestTarget};

    c.exec("create database if not exists bench").await.unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            false,
        ),
        Field::new("v", DataType::Int64, true),
        Field::new("d", DataType::Float64, true),
        Field::new("s", DataType::Utf8, true),
    ]));
    let batches: Vec<_> = (0..n)
        .step_by(100_000)
        .map(|start| {
            let end = (start + 100_000).min(n);
            let r = start..end;
            Ok(RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(TimestampMillisecondArray::from_iter_values(
                        r.clone().map(|j| 1_600_000_000_000i64 + j as i64),
                    )),
                    Arc::new(Int64Array::from_iter_values(r.clone().map(|j| j as i64))),
                    Arc::new(Float64Array::from_iter_values(
                        r.clone().map(|j| (j % 1000) as f64 + 0.5),
                    )),
                    Arc::new(StringArray::from_iter_values(
                        r.map(|j| format!("s{}", j % 100_000)),
                    )),
                ],
            )
            .unwrap())
        })
        .collect();
    let opts = IngestOptions {
        mode: IngestMode::Create,
        ..IngestOptions::default()
    };
    let target = IngestTarget::Table("bench.t".into());
    let report = c.ingest(schema, batches, &target, &opts).await.unwrap();
    assert_eq!(report.rows as usize, n);
}

/// Our client: rows and Arrow bytes.
async fn client_read(c: &Connection) -> (usize, usize) {
    let mut st = c.query(SQL).await.unwrap();
    let (mut rows, mut bytes) = (0, 0);
    while let Some(b) = st.next().await {
        let b = b.unwrap();
        rows += b.num_rows();
        bytes += b.get_array_memory_size();
    }
    (rows, bytes)
}

/// A bare WebSocket loop: same requests, blocks counted, not decoded.
async fn raw_read(url: &str) -> (usize, usize) {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{url}/ws"))
        .await
        .unwrap();
    let next_text = async |ws: &mut tokio_tungstenite::WebSocketStream<_>| loop {
        if let Some(Ok(Message::Text(t))) = ws.next().await {
            return t;
        }
    };
    ws.send(Message::text(
        Request::Version(ReqIdArgs::default()).to_json(),
    ))
    .await
    .unwrap();
    next_text(&mut ws).await;
    let conn = ConnRequest {
        req_id: 1,
        user: "root".into(),
        password: "taosdata".into(),
        ..ConnRequest::default()
    };
    ws.send(Message::text(Request::Conn(Box::new(conn)).to_json()))
        .await
        .unwrap();
    next_text(&mut ws).await;
    let mut frame = Vec::new();
    BinaryQuery {
        req_id: 2,
        action: BinaryAction::BinaryQuery,
        sql: SQL,
    }
    .encode(&mut frame)
    .unwrap();
    ws.send(Message::binary(frame)).await.unwrap();
    let q: QueryResponse = from_json("binary_query", next_text(&mut ws).await.as_bytes()).unwrap();
    let (mut rows, mut bytes) = (0usize, 0usize);
    for req_id in 3.. {
        let mut f = Vec::new();
        FetchRawBlockRequest {
            req_id,
            result_id: q.id,
        }
        .encode(&mut f);
        ws.send(Message::binary(f)).await.unwrap();
        let b = loop {
            if let Some(Ok(Message::Binary(b))) = ws.next().await {
                break b;
            }
        };
        match FetchRawBlockResponse::decode(&b).unwrap().body {
            RawBlockBody::Block(blk) => {
                bytes += blk.len();
                rows += taosarrow::codec::read_header(blk).unwrap().rows;
            }
            _ => break,
        }
    }
    (rows, bytes)
}

fn report(name: &str, rows: usize, bytes: usize, t: Duration) -> f64 {
    let s = t.as_secs_f64();
    let rps = rows as f64 / s;
    println!(
        "{name:<28} {rows:>10} rows in {s:>7.3} s: {:>8.2} M rows/s, {:>8.1} MB/s",
        rps / 1e6,
        bytes as f64 / s / 1e6
    );
    rps
}

fn main() {
    let n: usize = std::env::var("TAOSARROW_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            10_000_000
        } else {
            20_000
        });
    let rt = taosarrow::runtime();
    rt.block_on(async {
        let server = LocalServer::start(ServerConfig::default()).await.unwrap();
        let opts = ConnectOptions::from_dsn(&server.dsn("root", "taosdata")).unwrap();
        let c = Connection::connect(&opts).await.unwrap();
        let t = Instant::now();
        load(&c, n).await;
        println!("loaded {n} rows in {:.1} s", t.elapsed().as_secs_f64());
        let mut best_raw = 0f64;
        let mut best_client = 0f64;
        for round in 0..3 {
            let t = Instant::now();
            let (rows, bytes) = raw_read(&server.url()).await;
            assert_eq!(rows, n);
            best_raw = best_raw.max(report(
                &format!("ws loop (blocks) #{round}"),
                rows,
                bytes,
                t.elapsed(),
            ));
            let t = Instant::now();
            let (rows, bytes) = client_read(&c).await;
            assert_eq!(rows, n);
            best_client = best_client.max(report(
                &format!("client -> Arrow #{round}"),
                rows,
                bytes,
                t.elapsed(),
            ));
        }
        println!(
            "client / transport limit: {:.0}%",
            100.0 * best_client / best_raw
        );
    });
}
