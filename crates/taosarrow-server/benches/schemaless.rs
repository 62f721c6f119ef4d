//! Schemaless line protocol in the embedded server (criterion): the parser alone, and a whole
//! request (parse, group into child tables, commit) on a fresh database. Throughput counts
//! the payload's bytes. The payload is the ingest benchmark's: 4 fields, 2 tags, 1,000 tag
//! sets, `TAOSARROW_BENCH_LINES` lines (default 100,000).
//!
//! ```sh
//! cargo bench -p taosarrow-server --bench schemaless -- --warm-up-time 1 --measurement-time 5
//! ```

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use taosarrow_protocol::schemaless::{SchemalessPrecision, SchemalessProtocol};
use taosarrow_server::engine::schemaless::{data_lines, line, Point, SmlRequest};
use taosarrow_server::engine::{Engine, Session};

/// `n` lines over 1,000 tag sets, one millisecond apart per series.
fn payload(n: usize) -> String {
    let mut s = String::with_capacity(n * 110);
    for i in 0..n {
        let (set, step) = (i % 1000, i / 1000);
        s.push_str(&format!(
            "meters,location=California.SanFrancisco{},groupid={} current={}.{},voltage={}i,phase=0.{}f32,ok=t {}\n",
            set % 10,
            set,
            10 + i % 7,
            i % 100,
            200 + i % 30,
            i % 1000,
            1_700_000_000_000u64 + step as u64,
        ));
    }
    s
}

fn lines() -> usize {
    std::env::var("TAOSARROW_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn benches(c: &mut Criterion) {
    // Under `cargo test --all-targets` (no `--bench`) a small smoke run.
    let bench = std::env::args().any(|a| a == "--bench");
    let n = if bench { lines() } else { 2_000 };
    let data = payload(n);
    let mut g = c.benchmark_group("schemaless");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("parse_line_protocol", |b| {
        b.iter(|| {
            let mut p = Point::default();
            let mut fields = 0;
            for (no, text) in data_lines(&data) {
                p.clear();
                line::parse_line(text, no, 1_000_000, &mut p).expect("valid line");
                fields += p.fields.len();
            }
            assert_eq!(fields, n * 4);
        })
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    g.bench_function("insert_line_protocol", |b| {
        b.iter(|| {
            let engine = Engine::new();
            let mut s = Session::new(None);
            rt.block_on(engine.execute(&mut s, "create database b precision 'ms'"))
                .expect("create database");
            let s = Session::new(Some("b".to_owned()));
            let req = SmlRequest {
                protocol: SchemalessProtocol::Line,
                precision: SchemalessPrecision::Millisecond,
                data: &data,
                ttl: 0,
                table_name_key: "",
            };
            let out = engine.schemaless_insert(&s, &req).expect("stored");
            assert_eq!(out.affected_rows, n as u64);
        })
    });
    g.finish();
}

criterion_group!(schemaless, benches);
criterion_main!(schemaless);
