//! TIMESTAMP values: any Arrow Timestamp unit (or Int64 ticks) to the database precision.

use arrow_array::Array;
use arrow_buffer::ToByteSlice;
use arrow_schema::DataType;

use super::block::{unit_ticks, Ctx};
use super::error::{precision_name, Stmt2Error};

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
        DataType::Timestamp(unit, _) => unit_ticks(*unit),
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
    out.reserve(values.len() * 8);
    let is_null = |i: usize| nulls.is_some_and(|b| b.is_null(i));
    if source < target {
        let mul = target / source;
        for (i, &v) in values.iter().enumerate() {
            let t = if is_null(i) {
                0
            } else {
                v.checked_mul(mul).ok_or_else(|| ctx.overflow(i, v))?
            };
            out.extend_from_slice(&t.to_le_bytes());
        }
    } else {
        let div = source / target;
        let truncate = ctx.opts.allow_truncation;
        for (i, &v) in values.iter().enumerate() {
            let t = if is_null(i) {
                0
            } else {
                if !truncate && v % div != 0 {
                    return Err(Stmt2Error::PrecisionLoss {
                        at: ctx.at(Some(i)),
                        value: v.to_string(),
                        target: precision_name(precision),
                    });
                }
                v.div_euclid(div)
            };
            out.extend_from_slice(&t.to_le_bytes());
        }
    }
    Ok(())
}
