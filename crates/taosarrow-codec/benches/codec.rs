//! Decode and encode throughput of raw blocks (criterion).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use taosarrow_codec::testing::{fixed_width_schema, random_batch, text_schema};
use taosarrow_codec::{arrow_schema, decode_block, encode_block, ColumnSpec, SchemaOptions};
use taosarrow_protocol::{Precision, TdType};

const ROWS: usize = 65_536;

fn bench_case(c: &mut Criterion, name: &str, batch: &arrow_array::RecordBatch) {
    let schema = batch.schema();
    let mut block = Vec::new();
    encode_block(batch, &mut block).expect("encode");
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(block.len() as u64));
    group.bench_function(name, |b| {
        b.iter(|| decode_block(black_box(&block), &schema).expect("decode"))
    });
    group.finish();
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Bytes(block.len() as u64));
    let mut out = Vec::with_capacity(block.len());
    group.bench_function(name, |b| {
        b.iter(|| {
            out.clear();
            encode_block(black_box(batch), &mut out).expect("encode");
        })
    });
    group.finish();
}

fn two_columns(ty: TdType, lengths: [u32; 2]) -> arrow_schema::SchemaRef {
    let specs = lengths.map(|n| ColumnSpec::new(format!("{ty}{n}"), ty).with_length(n));
    arrow_schema(&specs, &SchemaOptions::default()).expect("schema")
}

fn benches(c: &mut Criterion) {
    let fixed = fixed_width_schema(Precision::Millisecond);
    bench_case(c, "fixed/8cols", &random_batch(1, &fixed, ROWS, 0.0));
    bench_case(c, "nullable/8cols", &random_batch(2, &fixed, ROWS, 0.1));
    bench_case(
        c,
        "text/varchar_nchar",
        &random_batch(3, &text_schema(), ROWS, 0.0),
    );
    let varchar = two_columns(TdType::VarChar, [32, 64]);
    bench_case(c, "text/varchar", &random_batch(4, &varchar, ROWS, 0.0));
    let nchar = two_columns(TdType::NChar, [16, 8]);
    bench_case(c, "text/nchar", &random_batch(5, &nchar, ROWS, 0.0));
}

criterion_group!(codec, benches);
criterion_main!(codec);
