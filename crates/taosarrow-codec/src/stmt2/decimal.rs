//! DECIMAL values travel as decimal text (`stmt2.md` §5.5), at the column's scale.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::Array;
use arrow_schema::DataType;
use taosarrow_protocol::types::MAX_DECIMAL_PRECISION;

use super::ctx::{set_length, Ctx};
use super::error::Stmt2Error;
use crate::decimal::{format, parse, pow10};

/// Writes each value as text at the field's scale, recording lengths.
pub(crate) fn write_decimals(
    out: &mut Vec<u8>,
    array: &dyn Array,
    lengths_pos: usize,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error> {
    let f = ctx.field;
    let limit = match (f.precision, f.scale) {
        (1..=MAX_DECIMAL_PRECISION, s) if s <= f.precision => {
            pow10(u32::from(f.precision)).unwrap_or(i128::MAX)
        }
        (p, s) => {
            return Err(Stmt2Error::Field {
                name: f.name.clone(),
                reason: format!("invalid DECIMAL precision/scale ({p}, {s})"),
            })
        }
    };
    let nulls = array.logical_nulls();
    let is_null = |i: usize| nulls.as_ref().is_some_and(|b| b.is_null(i));
    let mut buf = [0u8; 48];
    let mut emit = |out: &mut Vec<u8>, i: usize, v: i128, from: i8| -> Result<(), Stmt2Error> {
        let v = rescale(v, from, f.scale, ctx, i)?;
        if v.unsigned_abs() >= limit.unsigned_abs() {
            return Err(ctx.overflow(i, format(v, f.scale, &mut buf).escape_ascii()));
        }
        let text = format(v, f.scale, &mut buf);
        out.extend_from_slice(text);
        set_length(out, lengths_pos, i, text.len(), ctx)
    };
    macro_rules! each {
        ($a:expr, $scale:expr) => {{
            let a = $a;
            for i in 0..a.len() {
                if !is_null(i) {
                    emit(out, i, i128::from(a.value(i)), $scale)?;
                }
            }
        }};
    }
    match array.data_type() {
        DataType::Decimal128(_, s) => each!(array.as_primitive::<Decimal128Type>(), *s),
        DataType::Decimal64(_, s) => each!(array.as_primitive::<Decimal64Type>(), *s),
        DataType::Decimal32(_, s) => each!(array.as_primitive::<Decimal32Type>(), *s),
        DataType::Int8 => each!(array.as_primitive::<Int8Type>(), 0),
        DataType::Int16 => each!(array.as_primitive::<Int16Type>(), 0),
        DataType::Int32 => each!(array.as_primitive::<Int32Type>(), 0),
        DataType::Int64 => each!(array.as_primitive::<Int64Type>(), 0),
        DataType::UInt8 => each!(array.as_primitive::<UInt8Type>(), 0),
        DataType::UInt16 => each!(array.as_primitive::<UInt16Type>(), 0),
        DataType::UInt32 => each!(array.as_primitive::<UInt32Type>(), 0),
        DataType::UInt64 => each!(array.as_primitive::<UInt64Type>(), 0),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            for i in 0..array.len() {
                if is_null(i) {
                    continue;
                }
                let text = string_at(array, i);
                let v = parse(text.as_bytes(), f.precision, f.scale)
                    .ok_or_else(|| ctx.overflow(i, format!("{text:?}")))?;
                emit(out, i, v, f.scale as i8)?;
            }
        }
        dt => return Err(ctx.mismatch(dt)),
    }
    Ok(())
}

fn string_at(array: &dyn Array, i: usize) -> &str {
    match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().value(i),
        DataType::Utf8View => array.as_string_view().value(i),
        _ => array.as_string::<i32>().value(i),
    }
}

/// Moves an unscaled value from scale `from` to `to`.
fn rescale(v: i128, from: i8, to: u8, ctx: &Ctx<'_>, row: usize) -> Result<i128, Stmt2Error> {
    let (from, to) = (i32::from(from), i32::from(to));
    if from == to {
        return Ok(v);
    }
    let k = (to - from).unsigned_abs();
    let p = pow10(k).ok_or_else(|| ctx.overflow(row, v))?;
    if to > from {
        return v.checked_mul(p).ok_or_else(|| ctx.overflow(row, v));
    }
    if v % p != 0 && !ctx.opts.allow_truncation {
        return Err(Stmt2Error::PrecisionLoss {
            at: ctx.at(Some(row)),
            value: format!("{v}e-{from}"),
            target: format!("scale {to}"),
        });
    }
    Ok(v / p)
}
