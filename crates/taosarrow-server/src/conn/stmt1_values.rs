//! stmt v1 values as Arrow arrays: the JSON forms of `set_tags` / `bind` and the raw blocks
//! of the binary `set_tags` (1) / `bind` (2) frames (`stmt2.md` §12).

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Float64Array, Int64Array, StringArray, UInt64Array,
};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::DataType;
use serde_json::Value;
use taosarrow_codec::stmt2::{field_arrow_type, BindField};
use taosarrow_codec::{block_schema, decode_block_with, DecodeOptions, SchemaOptions};
use taosarrow_protocol::hex::HexError;
use taosarrow_protocol::{Precision, TdType};

/// Converts `a` to the Arrow type of `f`, failing (not nulling) on values out of range.
pub(super) fn to_field_type(a: &ArrayRef, f: &BindField) -> Result<ArrayRef, String> {
    let want = field_arrow_type(f).map_err(|e| e.to_string())?;
    if a.data_type() == &want {
        return Ok(a.clone());
    }
    let opts = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    cast_with_options(a.as_ref(), &want, &opts).map_err(|e| {
        format!(
            "field {}: cannot bind {} as {}: {e}",
            f.name,
            a.data_type(),
            f.ty
        )
    })
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    let s = s.strip_prefix("\\x").unwrap_or(s);
    taosarrow_protocol::hex::decode(s).map_err(|e| match e {
        HexError::OddLength(_) => format!("odd hex length: {s}"),
        _ => format!("invalid hex string: {s}"),
    })
}

/// A TIMESTAMP value: a number already in the column precision, or RFC 3339 text.
fn timestamp(v: &Value, p: Precision) -> Result<i64, String> {
    if let Some(n) = v.as_i64() {
        return Ok(n);
    }
    let s = v.as_str().ok_or_else(|| format!("invalid timestamp {v}"))?;
    let t = chrono::DateTime::parse_from_rfc3339(s).map_err(|e| format!("parse time: {e}"))?;
    p.unit()
        .ticks_of(t.timestamp(), t.timestamp_subsec_nanos())
        .ok_or_else(|| format!("timestamp out of range: {s}"))
}

/// One column (or tag) from JSON values, with taosAdapter's forms: `null` = NULL, numbers,
/// `true`/`false`, strings, hex strings for VARBINARY / GEOMETRY, TIMESTAMP as a number in
/// the column precision or RFC 3339 text.
pub(super) fn json_column(f: &BindField, values: &[Value]) -> Result<ArrayRef, String> {
    let bad = |v: &Value| format!("field {}: invalid {} value {v}", f.name, f.ty);
    macro_rules! each {
        ($get:expr) => {
            values
                .iter()
                .map(|v| {
                    if v.is_null() {
                        Ok(None)
                    } else {
                        $get(v).map(Some).ok_or_else(|| bad(v))
                    }
                })
                .collect::<Result<Vec<_>, String>>()?
        };
    }
    let raw: ArrayRef = match f.ty {
        TdType::Bool => Arc::new(BooleanArray::from(each!(Value::as_bool))),
        TdType::TinyInt | TdType::SmallInt | TdType::Int | TdType::BigInt => {
            Arc::new(Int64Array::from(each!(Value::as_i64)))
        }
        TdType::UTinyInt | TdType::USmallInt | TdType::UInt | TdType::UBigInt => {
            Arc::new(UInt64Array::from(each!(Value::as_u64)))
        }
        TdType::Float | TdType::Double => Arc::new(Float64Array::from(each!(Value::as_f64))),
        TdType::Timestamp => {
            let p = f.time_precision().map_err(|e| e.to_string())?;
            let v: Vec<Option<i64>> = values
                .iter()
                .map(|v| {
                    if v.is_null() {
                        Ok(None)
                    } else {
                        timestamp(v, p).map(Some)
                    }
                })
                .collect::<Result<_, _>>()?;
            Arc::new(Int64Array::from(v))
        }
        TdType::VarBinary | TdType::Geometry => {
            let v: Vec<Option<Vec<u8>>> = values
                .iter()
                .map(|v| match v {
                    Value::Null => Ok(None),
                    Value::String(s) => hex(s).map(Some),
                    other => Err(bad(other)),
                })
                .collect::<Result<_, _>>()?;
            Arc::new(BinaryArray::from_iter(v))
        }
        TdType::Decimal | TdType::Decimal64 => {
            let v: Vec<Option<String>> = values
                .iter()
                .map(|v| match v {
                    Value::Null => Ok(None),
                    Value::String(s) => Ok(Some(s.clone())),
                    Value::Number(n) => Ok(Some(n.to_string())),
                    other => Err(bad(other)),
                })
                .collect::<Result<_, _>>()?;
            Arc::new(StringArray::from(v))
        }
        _ => Arc::new(StringArray::from(each!(|v: &Value| v
            .as_str()
            .map(str::to_owned)))),
    };
    to_field_type(&raw, f)
}

/// The columns of a raw block, each converted to its field's type. TIMESTAMP values are read
/// in `precision` (a raw block carries no unit); the block is decoded with `decode`'s limits.
pub(super) fn block_columns(
    block: &[u8],
    fields: &[BindField],
    precision: Precision,
    decode: &DecodeOptions,
) -> Result<(usize, Vec<ArrayRef>), String> {
    let opts = SchemaOptions {
        precision,
        timezone: None,
    };
    let schema = block_schema(block, &opts).map_err(|e| e.to_string())?;
    let batch = decode_block_with(block, &schema, decode).map_err(|e| e.to_string())?;
    if batch.num_columns() != fields.len() {
        return Err("stmt column count not match".to_owned());
    }
    let cols = batch
        .columns()
        .iter()
        .zip(fields)
        .map(|(a, f)| to_field_type(a, f))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((batch.num_rows(), cols))
}

/// The raw block's columns as query parameters, typed by the block (TIMESTAMP refused, as
/// taosAdapter does for query binds), decoded with `decode`'s limits.
pub(super) fn block_params(block: &[u8], decode: &DecodeOptions) -> Result<Vec<ArrayRef>, String> {
    let opts = SchemaOptions {
        precision: Precision::Millisecond,
        timezone: None,
    };
    let schema = block_schema(block, &opts).map_err(|e| e.to_string())?;
    if let Some(f) = schema
        .fields()
        .iter()
        .find(|f| matches!(f.data_type(), DataType::Timestamp(..)))
    {
        return Err(format!("unsupported data type 9 ({})", f.name()));
    }
    let batch = decode_block_with(block, &schema, decode).map_err(|e| e.to_string())?;
    if batch.num_rows() != 1 {
        return Err("query only supports one row".to_owned());
    }
    Ok(batch.columns().to_vec())
}

/// Whether all columns have the same number of rows.
pub(super) fn rows_match(columns: &[ArrayRef]) -> bool {
    columns.windows(2).all(|w| w[0].len() == w[1].len())
}
