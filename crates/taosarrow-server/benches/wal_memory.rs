//! What the TMQ write-ahead log costs in memory (not criterion: one run, resident set
//! sizes). Writes `TAOSARROW_BENCH_ROWS` rows (default 10,000,000; ts, DOUBLE, INT) through
//! the prepared-insert path in 100,000-row binds, to a database without a topic and then to
//! one with a topic, and reports how much the process grew against the bytes of the stored
//! Arrow batches. Without a topic the log keeps only versions, so growth ≈ storage; with a
//! topic the log shares the stored batches' buffers, so growth stays ≈ storage too (not 2×).
//!
//! ```sh
//! cargo bench -p taosarrow-server --bench wal_memory
//! ```

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int32Array, TimestampMillisecondArray};
use taosarrow_codec::stmt2::ParsedTable;
use taosarrow_server::engine::prepared::{prepare, Prepared};
use taosarrow_server::engine::{Engine, Outcome, Session};

const CHUNK: usize = 100_000;

/// Resident set size of this process, in bytes (Linux `/proc/self/statm`).
fn rss() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn chunk(start: usize, n: usize) -> ParsedTable {
    let ts: Vec<i64> = (start..start + n)
        .map(|i| 1_600_000_000_000 + i as i64)
        .collect();
    let v: Vec<f64> = (start..start + n).map(|i| i as f64 * 0.5).collect();
    let k: Vec<i32> = (start..start + n).map(|i| i as i32).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(TimestampMillisecondArray::from(ts)),
        Arc::new(Float64Array::from(v)),
        Arc::new(Int32Array::from(k)),
    ];
    ParsedTable {
        name: None,
        tags: Vec::new(),
        columns,
    }
}

/// Writes `rows` rows into `db.t`; returns (RSS growth, bytes of the stored batches).
async fn write(e: &Engine, db: &str, topic: bool, rows: usize) -> (usize, usize) {
    let mut s = Session::new(None);
    for sql in [
        format!("create database {db} vgroups 2"),
        format!("create table {db}.t (ts timestamp, v double, k int)"),
    ] {
        e.execute(&mut s, &sql).await.expect("DDL");
    }
    if topic {
        let sql = format!("create topic {db}_topic as database {db}");
        e.execute(&mut s, &sql).await.expect("CREATE TOPIC");
    }
    let Prepared::Insert(plan) =
        prepare(e, &s, &format!("insert into {db}.t values (?, ?, ?)")).expect("prepare")
    else {
        panic!("an INSERT prepares as an insert")
    };
    let before = rss();
    let mut stored = 0;
    let mut at = 0;
    while at < rows {
        let n = CHUNK.min(rows - at);
        let t = chunk(at, n);
        stored += t
            .columns
            .iter()
            .map(|c| c.get_array_memory_size())
            .sum::<usize>();
        plan.write(&[t]).expect("write");
        at += n;
    }
    let grown = rss().saturating_sub(before);
    let Outcome::Rows(rs) = e
        .execute(&mut s, &format!("select count(*) from {db}.t"))
        .await
        .expect("count")
    else {
        panic!("count(*) has rows")
    };
    assert_eq!(rs.num_rows(), 1);
    (grown, stored)
}

fn main() {
    // Under `cargo test --all-targets` (no `--bench`) a small smoke run.
    let bench = std::env::args().any(|a| a == "--bench");
    let rows = if bench {
        std::env::var("TAOSARROW_BENCH_ROWS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000_000)
    } else {
        50_000
    };
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(async {
        let e = Engine::new();
        for (db, topic) in [("no_topic", false), ("with_topic", true)] {
            let (grown, stored) = write(&e, db, topic, rows).await;
            println!(
                "{rows} rows into a database {}: RSS +{:.0} MB, stored batches {:.0} MB, ratio {:.2}",
                if topic { "with a topic" } else { "without a topic" },
                grown as f64 / 1e6,
                stored as f64 / 1e6,
                grown as f64 / stored.max(1) as f64
            );
        }
    });
}
