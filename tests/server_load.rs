//! Soak and load against the embedded server: many calls on one connection leave memory
//! flat and no result open, many connections reading and writing at once lose no row, a
//! reader never sees an overwritten row next to its replacement, and a query over the
//! server's memory limit is an `Out of Memory` error after which the server keeps serving.
//! Every loop is bounded by a count, none by time.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Int64Array, RecordBatch, TimestampMillisecondArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use taosarrow::{Code, ConnectOptions, Connection, IngestMode, IngestOptions, IngestTarget};
use taosarrow_server::{LocalServer, ServerConfig};

async fn connect(server: &LocalServer) -> Connection {
    let opts = ConnectOptions::from_dsn(&server.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(30));
    Connection::connect(&opts).await.unwrap()
}

/// The values of the first column of `sql`'s rows as i64.
async fn ints(conn: &Connection, sql: &str, col: usize) -> Vec<i64> {
    let batches = conn
        .query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect_all()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out = Vec::new();
    for b in &batches {
        let c = arrow_cast::cast(b.column(col), &DataType::Int64).unwrap();
        out.extend(c.as_primitive::<Int64Type>().iter().map(|v| v.unwrap()));
    }
    out
}

/// The number of rows `sql` answers.
async fn rows_of(conn: &Connection, sql: &str) -> usize {
    let batches = conn
        .query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect_all()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    batches.iter().map(RecordBatch::num_rows).sum()
}

async fn count(conn: &Connection, sql: &str) -> i64 {
    ints(conn, sql, 0).await[0]
}

/// `n` rows: timestamps `first_ts..first_ts+n` (ms) and `v` from `v(i)`.
fn rows(first_ts: i64, n: usize, v: impl Fn(i64) -> i64) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            false,
        ),
        Field::new("v", DataType::Int64, true),
    ]));
    let ts: Vec<i64> = (first_ts..first_ts + n as i64).collect();
    let vs: Vec<i64> = ts.iter().map(|&t| v(t)).collect();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(TimestampMillisecondArray::from(ts)),
            Arc::new(Int64Array::from(vs)),
        ],
    )
    .unwrap()
}

async fn ingest(conn: &Connection, table: &str, batch: RecordBatch, mode: IngestMode) -> u64 {
    let opts = IngestOptions {
        mode,
        ..IngestOptions::default()
    };
    conn.ingest(
        batch.schema(),
        vec![Ok(batch)],
        &IngestTarget::Table(table.to_owned()),
        &opts,
    )
    .await
    .unwrap_or_else(|e| panic!("ingest into {table}: {e}"))
    .rows
}

/// Resident set size of this process (client and server both), from `/proc/self/statm`.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

const QUERIES: usize = 10_000;
const INGESTS: usize = 1_000;
const ROWS_PER_INGEST: usize = 5;
/// Calls before the first RSS reading: caches, pools and the allocator settle.
const WARM_UP_QUERIES: usize = 1_000;
/// Growth allowed between the end of the warm-up and the end: far below what leaking one
/// result or statement per call would add over 9,000 queries and 900 ingests (a few KiB
/// each), far above what the 4,500 stored rows take.
const RSS_TOLERANCE: u64 = 24 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_queries_and_a_thousand_ingests_leave_memory_flat_and_nothing_open() {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    let conn = connect(&server).await;
    conn.exec("create database db").await.unwrap();
    conn.exec("create table db.t (ts timestamp, v bigint)")
        .await
        .unwrap();
    let per_ingest = QUERIES / INGESTS;
    let mut after_warm_up = None;
    let mut written = 0;
    for q in 0..QUERIES {
        if q % per_ingest == 0 {
            let first = (q / per_ingest * ROWS_PER_INGEST) as i64;
            let batch = rows(first, ROWS_PER_INGEST, |t| t * 2);
            written += ingest(&conn, "db.t", batch, IngestMode::Append).await;
        }
        // Every result path: queries planned by DataFusion and listings answered directly.
        let sql = match q % 6 {
            0 => "select count(*) from db.t".to_owned(),
            1 => format!("select ts, v from db.t where ts >= {} limit 3", q % 5),
            2 => "show databases".to_owned(),
            3 => "describe db.t".to_owned(),
            4 => "show db.tables".to_owned(),
            _ => "select max(v), min(ts) from db.t".to_owned(),
        };
        let got = rows_of(&conn, &sql).await;
        assert!(got > 0, "{sql}");
        if q + 1 == WARM_UP_QUERIES {
            after_warm_up = Some(rss_bytes());
        }
    }
    let end = rss_bytes();
    let start = after_warm_up.unwrap();
    assert!(
        end <= start + RSS_TOLERANCE,
        "RSS grew from {start} to {end} bytes (tolerance {RSS_TOLERANCE})"
    );
    assert_eq!(written, (INGESTS * ROWS_PER_INGEST) as u64);
    assert_eq!(
        count(&conn, "select count(*) from db.t").await,
        (INGESTS * ROWS_PER_INGEST) as i64
    );
    assert_eq!(server.open_results(), 0);
}

const CONNECTIONS: usize = 64;
const ROUNDS: usize = 12;
const ROWS_PER_WRITE: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_connections_reading_and_writing_lose_no_row() {
    let server = Arc::new(LocalServer::start(ServerConfig::default()).await.unwrap());
    let admin = connect(&server).await;
    admin.exec("create database db").await.unwrap();
    admin
        .exec("create stable db.st (ts timestamp, v bigint) tags (k int)")
        .await
        .unwrap();
    admin
        .exec("create table db.shared (ts timestamp, v bigint)")
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for k in 0..CONNECTIONS {
        let server = Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let conn = connect(&server).await;
            for r in 0..ROUNDS {
                // Its own child table, created by the first write, through SQL.
                let base = (r * ROWS_PER_WRITE) as i64;
                let values: Vec<String> = (0..ROWS_PER_WRITE as i64)
                    .map(|i| format!("({}, {k})", base + i))
                    .collect();
                let sql = format!(
                    "insert into db.c{k} using db.st tags ({k}) values {}",
                    values.join(" ")
                );
                assert_eq!(
                    conn.exec(&sql).await.unwrap(),
                    ROWS_PER_WRITE as u64,
                    "{sql}"
                );
                // The shared table, through stmt2 ingest: timestamps no one else writes.
                let first = ((k * ROUNDS + r) * ROWS_PER_WRITE) as i64;
                let batch = rows(first, ROWS_PER_WRITE, |_| k as i64);
                let n = ingest(&conn, "db.shared", batch, IngestMode::Append).await;
                assert_eq!(n, ROWS_PER_WRITE as u64);
                // Reads see at least what this connection wrote.
                let own = count(&conn, &format!("select count(*) from db.c{k}")).await;
                assert_eq!(own, ((r + 1) * ROWS_PER_WRITE) as i64);
                let all = count(&conn, "select count(*) from db.st").await;
                assert!(all >= own, "{all} < {own}");
                let shared = count(
                    &conn,
                    &format!("select count(*) from db.shared where v = {k}"),
                )
                .await;
                assert_eq!(shared, ((r + 1) * ROWS_PER_WRITE) as i64);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let per_conn = (ROUNDS * ROWS_PER_WRITE) as i64;
    let total = CONNECTIONS as i64 * per_conn;
    assert_eq!(count(&admin, "select count(*) from db.st").await, total);
    assert_eq!(count(&admin, "select count(*) from db.shared").await, total);
    for k in 0..CONNECTIONS {
        let sql = format!("select count(*) from db.st where k = {k}");
        assert_eq!(count(&admin, &sql).await, per_conn, "{sql}");
    }
    let distinct = ints(&admin, "select ts from db.shared", 0).await;
    assert_eq!(
        distinct.iter().collect::<BTreeSet<_>>().len() as i64,
        total,
        "a shared timestamp was lost or doubled"
    );
    assert_eq!(server.open_results(), 0);
}

/// Rows the reader's table holds: merging them on a read lasts long enough for the writer to
/// be waiting on the table when the merge ends.
const STORED: usize = 20_000;
const OVERWRITES: usize = 300;
const READS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_during_overwrites_never_sees_a_timestamp_twice() {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    let reader = connect(&server).await;
    reader.exec("create database db").await.unwrap();
    let n = ingest(&reader, "db.t", rows(0, STORED, |_| 0), IngestMode::Create).await;
    assert_eq!(n, STORED as u64);
    let writer = connect(&server).await;
    let done = Arc::new(AtomicBool::new(false));
    let writing = {
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            for i in 0..OVERWRITES {
                let values: Vec<String> = (0..8).map(|ts| format!("({ts}, {i})")).collect();
                writer
                    .exec(&format!("insert into db.t values {}", values.join(" ")))
                    .await
                    .unwrap();
            }
            done.store(true, Ordering::Release);
        })
    };
    let mut reads = 0;
    // At most READS reads, and at least one after the writer finished.
    loop {
        let finished = done.load(Ordering::Acquire);
        let sql = "select count(*), count(distinct ts) from db.t";
        let (all, distinct) = (ints(&reader, sql, 0).await, ints(&reader, sql, 1).await);
        assert_eq!(all, vec![STORED as i64], "read {reads}");
        assert_eq!(distinct, vec![STORED as i64], "read {reads}");
        reads += 1;
        if finished || reads >= READS {
            break;
        }
    }
    writing.await.unwrap();
    let v = ints(&reader, "select v from db.t where ts < 8", 0).await;
    assert_eq!(v, vec![OVERWRITES as i64 - 1; 8]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_over_the_memory_limit_is_out_of_memory_and_the_server_keeps_serving() {
    let config = ServerConfig::default().with_memory_limit(4 << 20);
    let server = LocalServer::start(config).await.unwrap();
    let conn = connect(&server).await;
    conn.exec("create database db").await.unwrap();
    const N: usize = 300_000;
    let n = ingest(&conn, "db.t", rows(0, N, |t| t), IngestMode::Create).await;
    assert_eq!(n, N as u64);
    for sql in [
        "select v, count(*) from db.t group by v",
        "select ts, v from db.t order by v desc",
    ] {
        let err = match conn.query(sql).await {
            Ok(stream) => stream.collect_all().await.map(|_| ()),
            Err(e) => Err(e),
        }
        .expect_err(sql);
        assert_eq!(err.code(), Some(Code::OUT_OF_MEMORY), "{sql}: {err}");
    }
    assert_eq!(count(&conn, "select count(*) from db.t").await, N as i64);
    let other = connect(&server).await;
    assert_eq!(
        ints(&other, "select v from db.t where ts = 7", 0).await,
        vec![7]
    );
    assert_eq!(server.open_results(), 0);
}
