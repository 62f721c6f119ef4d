//! Seeded data generators shared by the property tests, the benches and the fuzz target
//! (feature `testing`). The same seed always gives the same schema and the same batch.

use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, LargeBinaryBuilder, PrimitiveBuilder, StringBuilder,
};
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{ArrayRef, ArrowPrimitiveType, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use taosarrow_protocol::{Precision, TdType};

use crate::{arrow_schema, column_spec, ColumnSpec, SchemaOptions};

/// Every type that can appear in a result block (all but NULL and MEDIUMBLOB).
pub const RESULT_TYPES: [TdType; 20] = [
    TdType::Bool,
    TdType::TinyInt,
    TdType::SmallInt,
    TdType::Int,
    TdType::BigInt,
    TdType::Float,
    TdType::Double,
    TdType::VarChar,
    TdType::Timestamp,
    TdType::NChar,
    TdType::UTinyInt,
    TdType::USmallInt,
    TdType::UInt,
    TdType::UBigInt,
    TdType::Json,
    TdType::VarBinary,
    TdType::Decimal,
    TdType::Blob,
    TdType::Geometry,
    TdType::Decimal64,
];

/// Characters the text generators draw from: ASCII, 2-, 3- and 4-byte UTF-8.
const CHARS: [char; 12] = [
    'a', 'Z', '0', ' ', '"', 'é', 'ß', '中', '文', '€', '😀', '𝄞',
];

/// A random column of type `ty` named `name`, with a random declared length (and
/// precision/scale for DECIMAL types).
pub fn random_spec(rng: &mut impl Rng, name: &str, ty: TdType) -> ColumnSpec {
    if let Some(precisions) = ty.decimal_precisions() {
        let p = rng.random_range(precisions);
        return ColumnSpec::decimal(name, p, rng.random_range(0..=p));
    }
    match ty {
        TdType::VarChar | TdType::NChar | TdType::VarBinary | TdType::Geometry => {
            ColumnSpec::new(name, ty).with_length(rng.random_range(1..=64))
        }
        _ => ColumnSpec::new(name, ty),
    }
}

/// A schema of `cols` columns of random result types (with repeats).
pub fn random_schema(seed: u64, cols: usize, opts: &SchemaOptions) -> SchemaRef {
    let mut rng = StdRng::seed_from_u64(seed);
    let specs: Vec<ColumnSpec> = (0..cols)
        .map(|i| {
            let ty = RESULT_TYPES[rng.random_range(0..RESULT_TYPES.len())];
            random_spec(&mut rng, &format!("c{i}"), ty)
        })
        .collect();
    // Every spec above maps to Arrow; a failure here is a bug in the type table.
    arrow_schema(&specs, opts).unwrap_or_else(|e| panic!("generated schema: {e}"))
}

/// A batch of `rows` rows for `schema` (whose fields carry the codec metadata), each value
/// NULL with probability `null_fraction`. Values respect the declared lengths.
pub fn random_batch(seed: u64, schema: &SchemaRef, rows: usize, null_fraction: f64) -> RecordBatch {
    let mut rng = StdRng::seed_from_u64(seed);
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| {
            let spec = column_spec(f).unwrap_or_else(|e| panic!("field {}: {e}", f.name()));
            random_array(&mut rng, &spec, f.data_type(), rows, null_fraction)
        })
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(schema.clone(), columns, &options)
        .unwrap_or_else(|e| panic!("generated batch: {e}"))
}

/// The benches' fixed-width schema: TIMESTAMP, BOOL, TINYINT, SMALLINT, INT, BIGINT, FLOAT,
/// DOUBLE (8 columns, 28 bytes a row).
pub fn fixed_width_schema(precision: Precision) -> SchemaRef {
    let specs: Vec<ColumnSpec> = [
        TdType::Timestamp,
        TdType::Bool,
        TdType::TinyInt,
        TdType::SmallInt,
        TdType::Int,
        TdType::BigInt,
        TdType::Float,
        TdType::Double,
    ]
    .iter()
    .map(|&ty| ColumnSpec::new(ty.sql_name().to_lowercase(), ty))
    .collect();
    let opts = SchemaOptions {
        precision,
        timezone: None,
    };
    arrow_schema(&specs, &opts).unwrap_or_else(|e| panic!("fixed-width schema: {e}"))
}

/// The benches' text schema: VARCHAR(32), NCHAR(16), VARCHAR(64), NCHAR(8).
pub fn text_schema() -> SchemaRef {
    let specs = [
        ColumnSpec::new("v32", TdType::VarChar).with_length(32),
        ColumnSpec::new("n16", TdType::NChar).with_length(16),
        ColumnSpec::new("v64", TdType::VarChar).with_length(64),
        ColumnSpec::new("n8", TdType::NChar).with_length(8),
    ];
    arrow_schema(&specs, &SchemaOptions::default()).unwrap_or_else(|e| panic!("text schema: {e}"))
}

fn is_null(rng: &mut impl Rng, fraction: f64) -> bool {
    fraction > 0.0 && rng.random_bool(fraction.min(1.0))
}

fn primitive<T: ArrowPrimitiveType>(
    rng: &mut StdRng,
    rows: usize,
    nulls: f64,
    mut value: impl FnMut(&mut StdRng) -> T::Native,
) -> PrimitiveBuilder<T> {
    let mut b = PrimitiveBuilder::<T>::with_capacity(rows);
    for _ in 0..rows {
        if is_null(rng, nulls) {
            b.append_null();
        } else {
            b.append_value(value(rng));
        }
    }
    b
}

fn text(rng: &mut StdRng, max_chars: usize, max_bytes: usize, out: &mut String) {
    out.clear();
    let n = rng.random_range(0..=max_chars);
    for _ in 0..n {
        let c = CHARS[rng.random_range(0..CHARS.len())];
        if out.len() + c.len_utf8() > max_bytes {
            break;
        }
        out.push(c);
    }
}

fn random_array(
    rng: &mut StdRng,
    spec: &ColumnSpec,
    dt: &DataType,
    rows: usize,
    nulls: f64,
) -> ArrayRef {
    let len = spec.length as usize;
    match spec.ty {
        TdType::Bool => {
            let mut b = BooleanBuilder::with_capacity(rows);
            for _ in 0..rows {
                if is_null(rng, nulls) {
                    b.append_null();
                } else {
                    b.append_value(rng.random());
                }
            }
            Arc::new(b.finish())
        }
        TdType::TinyInt => {
            Arc::new(primitive::<Int8Type>(rng, rows, nulls, |r| r.random()).finish())
        }
        TdType::SmallInt => {
            Arc::new(primitive::<Int16Type>(rng, rows, nulls, |r| r.random()).finish())
        }
        TdType::Int => Arc::new(primitive::<Int32Type>(rng, rows, nulls, |r| r.random()).finish()),
        TdType::BigInt => {
            Arc::new(primitive::<Int64Type>(rng, rows, nulls, |r| r.random()).finish())
        }
        TdType::UTinyInt => {
            Arc::new(primitive::<UInt8Type>(rng, rows, nulls, |r| r.random()).finish())
        }
        TdType::USmallInt => {
            Arc::new(primitive::<UInt16Type>(rng, rows, nulls, |r| r.random()).finish())
        }
        TdType::UInt => {
            Arc::new(primitive::<UInt32Type>(rng, rows, nulls, |r| r.random()).finish())
        }
        TdType::UBigInt => {
            Arc::new(primitive::<UInt64Type>(rng, rows, nulls, |r| r.random()).finish())
        }
        TdType::Float => Arc::new(
            primitive::<Float32Type>(rng, rows, nulls, |r| r.random_range(-1e6f32..1e6)).finish(),
        ),
        TdType::Double => Arc::new(
            primitive::<Float64Type>(rng, rows, nulls, |r| r.random_range(-1e12f64..1e12)).finish(),
        ),
        TdType::Timestamp => {
            let DataType::Timestamp(unit, tz) = dt else {
                panic!("TIMESTAMP field of type {dt}")
            };
            let base: i64 = 1_700_000_000_000;
            let ms = |r: &mut StdRng| base + r.random_range(0..1_000_000_000i64);
            let tz = tz.clone();
            match unit {
                TimeUnit::Millisecond => Arc::new(
                    primitive::<TimestampMillisecondType>(rng, rows, nulls, ms)
                        .finish()
                        .with_timezone_opt(tz),
                ),
                TimeUnit::Microsecond => Arc::new(
                    primitive::<TimestampMicrosecondType>(rng, rows, nulls, |r| {
                        ms(r) * 1000 + r.random_range(0..1000)
                    })
                    .finish()
                    .with_timezone_opt(tz),
                ),
                _ => Arc::new(
                    primitive::<TimestampNanosecondType>(rng, rows, nulls, |r| {
                        ms(r) * 1_000_000 + r.random_range(0..1_000_000)
                    })
                    .finish()
                    .with_timezone_opt(tz),
                ),
            }
        }
        TdType::Decimal | TdType::Decimal64 => {
            let max = 10i128.pow(u32::from(spec.precision)) - 1;
            let mut b =
                primitive::<Decimal128Type>(rng, rows, nulls, |r| r.random_range(-max..=max));
            Arc::new(
                b.finish()
                    .with_precision_and_scale(spec.precision, spec.scale as i8)
                    .unwrap_or_else(|e| panic!("decimal: {e}")),
            )
        }
        TdType::VarChar | TdType::NChar | TdType::Json => {
            let mut b = StringBuilder::with_capacity(rows, rows * 8);
            let mut s = String::new();
            for _ in 0..rows {
                if is_null(rng, nulls) {
                    b.append_null();
                } else if spec.ty == TdType::Json {
                    let v: i32 = rng.random();
                    b.append_value(format!("{{\"k\":{v},\"s\":\"中a\"}}"));
                } else if spec.ty == TdType::NChar {
                    text(rng, len, usize::MAX, &mut s);
                    b.append_value(&s);
                } else {
                    text(rng, len, len, &mut s);
                    b.append_value(&s);
                }
            }
            Arc::new(b.finish())
        }
        TdType::VarBinary | TdType::Geometry => {
            let mut b = BinaryBuilder::with_capacity(rows, rows * 8);
            let mut v = Vec::new();
            for _ in 0..rows {
                if is_null(rng, nulls) {
                    b.append_null();
                } else {
                    v.clear();
                    v.extend((0..rng.random_range(0..=len)).map(|_| rng.random::<u8>()));
                    b.append_value(&v);
                }
            }
            Arc::new(b.finish())
        }
        TdType::Blob => {
            let mut b = LargeBinaryBuilder::with_capacity(rows, rows * 8);
            let mut v = Vec::new();
            for _ in 0..rows {
                if is_null(rng, nulls) {
                    b.append_null();
                } else {
                    v.clear();
                    v.extend((0..rng.random_range(0..=300)).map(|_| rng.random::<u8>()));
                    b.append_value(&v);
                }
            }
            Arc::new(b.finish())
        }
        TdType::Null | TdType::MediumBlob => panic!("{} has no generator", spec.ty),
    }
}
