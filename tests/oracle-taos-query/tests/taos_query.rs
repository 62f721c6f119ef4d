//! Cross-check against the official parser: crates.io `taos-query` 0.12.4 reads the blocks our
//! encoder writes to the same values (every type it knows: it predates DECIMAL and BLOB).

// The spec's worked examples, shared with the codec's own integration tests.
#[path = "../../../crates/taosarrow-codec/tests/common/mod.rs"]
mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use proptest::prelude::*;
use taos_query::common::{Precision as TqPrecision, Value};
use taos_query::RawBlock;
use taosarrow_codec::testing::{random_batch, random_spec, RESULT_TYPES};
use taosarrow_codec::{arrow_schema, column_spec, encode_block, SchemaOptions};
use taosarrow_protocol::{Precision, TdType};

fn tq_precision(p: Precision) -> TqPrecision {
    match p {
        Precision::Millisecond => TqPrecision::Millisecond,
        Precision::Microsecond => TqPrecision::Microsecond,
        Precision::Nanosecond => TqPrecision::Nanosecond,
    }
}

/// Asserts that taos-query's value for (row, col) is the batch's.
fn assert_same(batch: &RecordBatch, values: &[Vec<Value>], precision: Precision) {
    assert_eq!(values.len(), batch.num_rows());
    for (c, array) in batch.columns().iter().enumerate() {
        let ty = column_spec(batch.schema().field(c)).unwrap().ty;
        for (r, row) in values.iter().enumerate() {
            let got = &row[c];
            let at = format!("row {r} column {c} ({ty}): {got:?}");
            if array.is_null(r) {
                assert!(matches!(got, Value::Null(_)), "{at}");
                continue;
            }
            let ok = match (array.data_type(), got) {
                (DataType::Boolean, Value::Bool(v)) => array.as_boolean().value(r) == *v,
                (DataType::Int8, Value::TinyInt(v)) => {
                    array.as_primitive::<Int8Type>().value(r) == *v
                }
                (DataType::Int16, Value::SmallInt(v)) => {
                    array.as_primitive::<Int16Type>().value(r) == *v
                }
                (DataType::Int32, Value::Int(v)) => {
                    array.as_primitive::<Int32Type>().value(r) == *v
                }
                (DataType::Int64, Value::BigInt(v)) => {
                    array.as_primitive::<Int64Type>().value(r) == *v
                }
                (DataType::UInt8, Value::UTinyInt(v)) => {
                    array.as_primitive::<UInt8Type>().value(r) == *v
                }
                (DataType::UInt16, Value::USmallInt(v)) => {
                    array.as_primitive::<UInt16Type>().value(r) == *v
                }
                (DataType::UInt32, Value::UInt(v)) => {
                    array.as_primitive::<UInt32Type>().value(r) == *v
                }
                (DataType::UInt64, Value::UBigInt(v)) => {
                    array.as_primitive::<UInt64Type>().value(r) == *v
                }
                (DataType::Float32, Value::Float(v)) => {
                    array.as_primitive::<Float32Type>().value(r).to_bits() == v.to_bits()
                }
                (DataType::Float64, Value::Double(v)) => {
                    array.as_primitive::<Float64Type>().value(r).to_bits() == v.to_bits()
                }
                (DataType::Timestamp(unit, _), Value::Timestamp(t)) => {
                    let raw = match unit {
                        TimeUnit::Millisecond => array
                            .as_primitive::<arrow_array::types::TimestampMillisecondType>()
                            .value(r),
                        TimeUnit::Microsecond => array
                            .as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                            .value(r),
                        _ => array
                            .as_primitive::<arrow_array::types::TimestampNanosecondType>()
                            .value(r),
                    };
                    t.as_raw_i64() == raw && t.precision() == tq_precision(precision)
                }
                (DataType::Utf8, Value::VarChar(s)) if ty == TdType::VarChar => {
                    array.as_string::<i32>().value(r) == s
                }
                (DataType::Utf8, Value::NChar(s)) if ty == TdType::NChar => {
                    array.as_string::<i32>().value(r) == s
                }
                (DataType::Utf8, Value::Json(j)) if ty == TdType::Json => {
                    let ours: serde_json::Value =
                        serde_json::from_str(array.as_string::<i32>().value(r)).unwrap();
                    &ours == j
                }
                (DataType::Binary, Value::VarBinary(b)) if ty == TdType::VarBinary => {
                    array.as_binary::<i32>().value(r) == b.as_ref()
                }
                (DataType::Binary, Value::Geometry(b)) if ty == TdType::Geometry => {
                    array.as_binary::<i32>().value(r) == b.as_ref()
                }
                _ => false,
            };
            assert!(ok, "{at}");
        }
    }
}

/// Parses a block with taos-query (its row iterator needs the field names).
fn parse(block: Vec<u8>, precision: Precision, batch: &RecordBatch) -> Vec<Vec<Value>> {
    let mut raw = RawBlock::parse_from_raw_block(block, tq_precision(precision));
    raw.with_field_names(batch.schema().fields().iter().map(|f| f.name().clone()));
    assert_eq!(raw.nrows(), batch.num_rows());
    raw.to_values()
}

/// The types taos-query 0.12.4 can parse.
fn known_types() -> Vec<TdType> {
    RESULT_TYPES
        .into_iter()
        .filter(|t| !matches!(t, TdType::Decimal | TdType::Decimal64 | TdType::Blob))
        .collect()
}

fn cross_check(seed: u64, types: &[TdType], rows: usize, nulls: f64, precision: Precision) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let specs: Vec<_> = types
        .iter()
        .enumerate()
        .map(|(i, &ty)| random_spec(&mut rng, &format!("c{i}"), ty))
        .collect();
    let opts = SchemaOptions {
        precision,
        timezone: None,
    };
    let schema = arrow_schema(&specs, &opts).unwrap();
    let batch = random_batch(rng.random(), &schema, rows, nulls);
    let mut block = Vec::new();
    encode_block(&batch, &mut block).unwrap();
    let values = parse(block, precision, &batch);
    assert_eq!(values.len(), rows);
    assert_same(&batch, &values, precision);
}

#[test]
fn every_known_type_in_every_precision() {
    for (i, precision) in [
        Precision::Millisecond,
        Precision::Microsecond,
        Precision::Nanosecond,
    ]
    .into_iter()
    .enumerate()
    {
        for (rows, nulls) in [(1, 0.0), (9, 0.5), (200, 0.1), (65, 1.0)] {
            cross_check(
                i as u64 * 100 + rows as u64,
                &known_types(),
                rows,
                nulls,
                precision,
            );
        }
    }
}

#[test]
fn nanosecond_timestamps_and_non_ascii_nchar_are_exact() {
    use std::sync::Arc;
    let specs = [
        taosarrow_codec::ColumnSpec::new("ts", TdType::Timestamp),
        taosarrow_codec::ColumnSpec::new("n", TdType::NChar).with_length(10),
    ];
    let opts = SchemaOptions {
        precision: Precision::Nanosecond,
        timezone: Some(Arc::from("UTC")),
    };
    let schema = arrow_schema(&specs, &opts).unwrap();
    let ts =
        arrow_array::TimestampNanosecondArray::from(vec![1_700_000_000_123_456_789, -1, i64::MAX])
            .with_timezone("UTC");
    let n = arrow_array::StringArray::from(vec![Some("中文nchar"), None, Some("😀𝄞é")]);
    let batch = RecordBatch::try_new(schema, vec![Arc::new(ts), Arc::new(n)]).unwrap();
    let mut block = Vec::new();
    encode_block(&batch, &mut block).unwrap();
    let values = parse(block, Precision::Nanosecond, &batch);
    assert_same(&batch, &values, Precision::Nanosecond);
    assert!(matches!(&values[0][1], Value::NChar(s) if s == "中文nchar"));
    assert!(
        matches!(&values[0][0], Value::Timestamp(t) if t.as_raw_i64() == 1_700_000_000_123_456_789)
    );
}

#[test]
fn taos_query_reads_the_spec_example_a() {
    let mut raw = RawBlock::parse_from_raw_block(common::example_a(), TqPrecision::Millisecond);
    raw.with_field_names(["ts", "v", "s"]);
    let values = raw.to_values();
    assert!(matches!(&values[0][1], Value::Int(42)));
    assert!(matches!(&values[1][2], Value::VarChar(s) if s == "abc"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_blocks_read_the_same(
        seed in any::<u64>(),
        picks in prop::collection::vec(0usize..17, 1..8),
        rows in 1usize..600,
        nulls in prop_oneof![Just(0.0), Just(0.2), Just(1.0)],
        precision in 0u8..3,
    ) {
        let known = known_types();
        let types: Vec<TdType> = picks.iter().map(|&i| known[i % known.len()]).collect();
        let precision = Precision::from_code(i64::from(precision)).unwrap();
        cross_check(seed, &types, rows, nulls, precision);
    }
}
