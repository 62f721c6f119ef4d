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

/// The first timestamp of [`increasing_timestamps`]: 2023-11-14T22:13:20Z in milliseconds.
const FIRST_TIMESTAMP_MS: i64 = 1_700_000_000_000;

/// A batch like [`random_batch`] for rows written to a table and read back: column 0 (the
/// primary TIMESTAMP) is [`increasing_timestamps`], never NULL, and every other column
/// starts with its type's [`extreme_values`], followed by random values (NULL with
/// probability `null_fraction`). With fewer rows than extremes, only the first ones are
/// kept.
pub fn random_table_batch(
    seed: u64,
    schema: &SchemaRef,
    rows: usize,
    null_fraction: f64,
) -> RecordBatch {
    let random = random_batch(seed, schema, rows, null_fraction);
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .zip(random.columns())
        .enumerate()
        .map(|(i, (f, col))| {
            if i == 0 {
                return increasing_timestamps(f.data_type(), rows);
            }
            let spec = column_spec(f).unwrap_or_else(|e| panic!("field {}: {e}", f.name()));
            let Some(extremes) = extreme_values(&spec) else {
                return col.clone();
            };
            let k = extremes.len().min(rows);
            arrow_select::concat::concat(&[
                extremes.slice(0, k).as_ref(),
                col.slice(k, rows - k).as_ref(),
            ])
            .unwrap_or_else(|e| panic!("column {}: {e}", f.name()))
        })
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(schema.clone(), columns, &options)
        .unwrap_or_else(|e| panic!("generated batch: {e}"))
}

/// A TIMESTAMP column of type `dt` (any unit and zone), no NULLs, strictly increasing by
/// one unit a row from 2023-11-14T22:13:20Z, so the finer units have sub-millisecond
/// digits.
pub fn increasing_timestamps(dt: &DataType, rows: usize) -> ArrayRef {
    let DataType::Timestamp(unit, tz) = dt else {
        panic!("a timestamp column of type {dt}")
    };
    let per_ms = match unit {
        TimeUnit::Second => panic!("TDengine has no second precision"),
        TimeUnit::Millisecond => 1,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1_000_000,
    };
    let values = (0..rows as i64).map(|i| FIRST_TIMESTAMP_MS * per_ms + i);
    let tz = tz.clone();
    match unit {
        TimeUnit::Millisecond => Arc::new(
            arrow_array::PrimitiveArray::<TimestampMillisecondType>::from_iter_values(values)
                .with_timezone_opt(tz),
        ),
        TimeUnit::Microsecond => Arc::new(
            arrow_array::PrimitiveArray::<TimestampMicrosecondType>::from_iter_values(values)
                .with_timezone_opt(tz),
        ),
        _ => Arc::new(
            arrow_array::PrimitiveArray::<TimestampNanosecondType>::from_iter_values(values)
                .with_timezone_opt(tz),
        ),
    }
}

/// The extreme values of column `spec`, none NULL, as the generators type them: the smallest then
/// the largest value of an integer, FLOAT or DOUBLE; ±(10^p − 1) of a DECIMAL(p, s);
/// `false`, `true`; the empty value then the longest the declared length allows for
/// VARCHAR (that many bytes, mostly 4-byte characters), NCHAR (that many 4-byte
/// characters), VARBINARY and GEOMETRY (that many 0xff bytes). `None` for the types
/// without a declared bound: TIMESTAMP, JSON and BLOB.
pub fn extreme_values(spec: &ColumnSpec) -> Option<ArrayRef> {
    fn pair<T: ArrowPrimitiveType>(min: T::Native, max: T::Native) -> ArrayRef {
        Arc::new(arrow_array::PrimitiveArray::<T>::from_iter_values([
            min, max,
        ]))
    }
    let len = spec.length as usize;
    Some(match spec.ty {
        TdType::Bool => Arc::new(arrow_array::BooleanArray::from(vec![false, true])),
        TdType::TinyInt => pair::<Int8Type>(i8::MIN, i8::MAX),
        TdType::SmallInt => pair::<Int16Type>(i16::MIN, i16::MAX),
        TdType::Int => pair::<Int32Type>(i32::MIN, i32::MAX),
        TdType::BigInt => pair::<Int64Type>(i64::MIN, i64::MAX),
        TdType::UTinyInt => pair::<UInt8Type>(0, u8::MAX),
        TdType::USmallInt => pair::<UInt16Type>(0, u16::MAX),
        TdType::UInt => pair::<UInt32Type>(0, u32::MAX),
        TdType::UBigInt => pair::<UInt64Type>(0, u64::MAX),
        TdType::Float => pair::<Float32Type>(f32::MIN, f32::MAX),
        TdType::Double => pair::<Float64Type>(f64::MIN, f64::MAX),
        TdType::Decimal | TdType::Decimal64 => {
            let max = 10i128.pow(u32::from(spec.precision)) - 1;
            Arc::new(
                arrow_array::PrimitiveArray::<Decimal128Type>::from_iter_values([-max, max])
                    .with_precision_and_scale(spec.precision, spec.scale as i8)
                    .unwrap_or_else(|e| panic!("decimal: {e}")),
            )
        }
        TdType::VarChar => Arc::new(arrow_array::StringArray::from(vec![
            String::new(),
            longest_text(len, len),
        ])),
        TdType::NChar => Arc::new(arrow_array::StringArray::from(vec![
            String::new(),
            longest_text(len, usize::MAX),
        ])),
        TdType::VarBinary | TdType::Geometry => {
            Arc::new(arrow_array::BinaryArray::from_iter_values([
                Vec::new(),
                vec![0xffu8; len],
            ]))
        }
        _ => return None,
    })
}

/// The longest text of at most `max_chars` characters and `max_bytes` bytes, each
/// character the widest that still fits (4-byte, then 3-, 2- and 1-byte UTF-8).
fn longest_text(max_chars: usize, max_bytes: usize) -> String {
    let mut out = String::new();
    for _ in 0..max_chars {
        let fits = ['😀', '中', 'é', 'a']
            .into_iter()
            .find(|c| out.len().saturating_add(c.len_utf8()) <= max_bytes);
        match fits {
            Some(c) => out.push(c),
            None => break,
        }
    }
    out
}

/// Values worth writing over a length, count, offset or type field of otherwise valid bytes:
/// zero, one, small, sign and width boundaries, and all-ones.
pub const HOSTILE_U32: [u32; 14] = [
    0,
    1,
    2,
    7,
    0x7F,
    0x80,
    0xFF,
    0x100,
    0xFFFF,
    0x1_0000,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
];

/// `bytes` with one field overwritten: the `width` bytes (1, 2, 4 or 8) at `at` replaced by
/// `value` little-endian (truncated to the width), shifted left to fit when `at` is too close to
/// the end. Structurally valid input with one bad field reaches the checks that arbitrary bytes
/// never get past.
pub fn corrupt_field(bytes: &[u8], at: usize, width: usize, value: u64) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let width = width.min(8).min(out.len());
    if width == 0 {
        return out;
    }
    let at = at.min(out.len() - width);
    out[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
    out
}
