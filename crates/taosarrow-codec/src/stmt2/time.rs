//! TIMESTAMP values: any Arrow Timestamp unit (or Int64 ticks) to the database precision.

use arrow_array::Array;
use arrow_buffer::{NullBuffer, ToByteSlice};
use arrow_schema::DataType;

use super::ctx::Ctx;
use super::error::Stmt2Error;
use crate::time::tick_unit;

/// Writes `array`'s values as i64 ticks in the field's precision. Int64 is taken as ticks
/// already in that precision; a Timestamp is converted from its unit (checked multiply when
/// the database is finer, exact division when coarser unless truncation is allowed).
pub(crate) fn write_timestamps(
    out: &mut Vec<u8>,
    array: &dyn Array,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error> {
    let precision = ctx.field.time_precision()?;
    let target = precision.ticks_per_second();
    let source = match array.data_type() {
        DataType::Timestamp(unit, _) => tick_unit(*unit).per_second(),
        DataType::Int64 => target,
        dt => return Err(ctx.mismatch(dt)),
    };
    // Timestamp arrays of every unit and Int64 share the i64 layout.
    let data = array.to_data();
    let values: &[i64] = match data.buffers().first() {
        Some(buf) if buf.len() >= (data.offset() + data.len()) * 8 => {
            let all: &[i64] = buf.typed_data();
            &all[data.offset()..data.offset() + data.len()]
        }
        _ => return Err(ctx.mismatch(array.data_type())),
    };
    let nulls = array.logical_nulls();
    let nulls = nulls.as_ref().filter(|b| b.null_count() > 0);
    if source == target {
        out.extend_from_slice(values.to_byte_slice());
        return Ok(());
    }
    let start = out.len();
    out.resize(start + values.len() * 8, 0);
    let dst = &mut out[start..];
    if source < target {
        let mul = target / source;
        for (i, (&v, slot)) in values.iter().zip(dst.chunks_exact_mut(8)).enumerate() {
            let t = if is_null(nulls, i) {
                0
            } else {
                v.checked_mul(mul).ok_or_else(|| ctx.overflow(i, v))?
            };
            slot.copy_from_slice(&t.to_le_bytes());
        }
        return Ok(());
    }
    let div = source / target;
    let exact = match nulls {
        // The common case in a tight loop; the usual divisors are constants, so the
        // division compiles to a multiplication.
        None => match div {
            1_000 => scale_down(values, dst, 1_000),
            1_000_000 => scale_down(values, dst, 1_000_000),
            _ => scale_down(values, dst, div),
        },
        Some(_) => {
            let mut exact = true;
            for (i, (&v, slot)) in values.iter().zip(dst.chunks_exact_mut(8)).enumerate() {
                if !is_null(nulls, i) {
                    exact &= v % div == 0;
                    slot.copy_from_slice(&v.div_euclid(div).to_le_bytes());
                }
            }
            exact
        }
    };
    if !exact && !ctx.opts.allow_truncation {
        let i = (0..values.len())
            .find(|&i| !is_null(nulls, i) && values[i] % div != 0)
            .unwrap_or(0);
        return Err(Stmt2Error::PrecisionLoss {
            at: ctx.at(Some(i)),
            value: values.get(i).copied().unwrap_or(0).to_string(),
            target: precision.name().to_owned(),
        });
    }
    Ok(())
}

fn is_null(nulls: Option<&NullBuffer>, i: usize) -> bool {
    nulls.is_some_and(|b| b.is_null(i))
}

/// `dst[i] = values[i].div_euclid(div)` as little-endian bytes; true when every division
/// was exact. Always inlined, so a literal `div` at the call becomes a multiplication.
#[inline(always)]
fn scale_down(values: &[i64], dst: &mut [u8], div: i64) -> bool {
    let mut rest = 0i64;
    for (&v, slot) in values.iter().zip(dst.chunks_exact_mut(8)) {
        rest |= v.rem_euclid(div);
        slot.copy_from_slice(&v.div_euclid(div).to_le_bytes());
    }
    rest == 0
}
