//! One field block (`stmt2.md` §5.5): header, `is_null`, lengths, buffer.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, BooleanArray, PrimitiveArray};
use arrow_buffer::{NullBuffer, ToByteSlice};
use arrow_schema::DataType;
use taosarrow_protocol::wire::{patch_u32, put_u32, Le};
use taosarrow_protocol::TdType;

use super::ctx::Ctx;
use super::error::Stmt2Error;
use super::var;

/// Appends the field block for `array` bound to `ctx.field`.
pub(crate) fn write_block(
    out: &mut Vec<u8>,
    array: &dyn Array,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error> {
    if !ctx.field.ty.is_supported() {
        // Like the parser (which has no Arrow type for them): NULL and MEDIUMBLOB are refused.
        return Err(Stmt2Error::Field {
            name: ctx.field.name.clone(),
            reason: format!("type {} is not supported", ctx.field.ty),
        });
    }
    let n = array.len();
    let num = i32::try_from(n).map_err(|_| Stmt2Error::TooLarge {
        what: "row count",
        len: n,
    })?;
    let start = out.len();
    put_u32(out, 0); // total_length, patched below
    put_u32(out, u32::from(ctx.field.ty.code()));
    put_u32(out, num as u32);
    let nulls = array.logical_nulls();
    let nulls = nulls.as_ref().filter(|b| b.null_count() > 0);
    match nulls {
        None => out.resize(out.len() + n, 0),
        Some(b) => out.extend(b.iter().map(|valid| u8::from(!valid))),
    }
    let all_null = nulls.is_some_and(|b| b.null_count() == n);
    if ctx.field.ty.bind_has_lengths() {
        out.push(1);
        var::write_var(out, array, nulls, ctx)?;
    } else {
        out.push(0);
        let len_pos = out.len();
        put_u32(out, 0);
        if !all_null && n > 0 {
            let data_start = out.len();
            write_fixed(out, array, ctx)?;
            if let Some(b) = nulls {
                zero_null_slots(out, data_start, b, ctx.field.ty);
            }
            let len = out.len() - data_start;
            let len = i32::try_from(len).map_err(|_| Stmt2Error::TooLarge {
                what: "field buffer",
                len,
            })?;
            patch_u32(out, len_pos, len as u32);
        }
    }
    let total = out.len() - start;
    let total = u32::try_from(total).map_err(|_| Stmt2Error::TooLarge {
        what: "field block",
        len: total,
    })?;
    patch_u32(out, start, total);
    Ok(())
}

/// Both serializers write zero bytes in NULL slots; do the same whatever Arrow holds there.
fn zero_null_slots(out: &mut [u8], data_start: usize, nulls: &NullBuffer, ty: TdType) {
    let w = ty.fixed_width().unwrap_or(0);
    for i in (0..nulls.len()).filter(|&i| nulls.is_null(i)) {
        let p = data_start + i * w;
        out[p..p + w].fill(0);
    }
}

fn bulk<T: ArrowPrimitiveType>(out: &mut Vec<u8>, a: &PrimitiveArray<T>) {
    out.extend_from_slice(a.values().as_ref().to_byte_slice());
}

/// Converts each value with `f`; NULL slots get the default value unchecked.
fn convert<S, T, F>(
    out: &mut Vec<u8>,
    a: &PrimitiveArray<S>,
    ctx: &Ctx<'_>,
    f: F,
) -> Result<(), Stmt2Error>
where
    S: ArrowPrimitiveType,
    S::Native: std::fmt::Display,
    T: Le,
    F: Fn(S::Native) -> Option<T>,
{
    out.reserve(a.len() * std::mem::size_of::<T>());
    let nulls = a.nulls().filter(|b| b.null_count() > 0);
    for (i, &v) in a.values().iter().enumerate() {
        if nulls.is_some_and(|b| b.is_null(i)) {
            T::default().put(out);
            continue;
        }
        match f(v) {
            Some(t) => t.put(out),
            None => return Err(ctx.overflow(i, v)),
        }
    }
    Ok(())
}

/// Any Arrow integer array into the integer type `T`, checked.
fn int_into<T>(out: &mut Vec<u8>, array: &dyn Array, ctx: &Ctx<'_>) -> Result<(), Stmt2Error>
where
    T: Le + TryFrom<i8> + TryFrom<i16> + TryFrom<i32> + TryFrom<i64>,
    T: TryFrom<u8> + TryFrom<u16> + TryFrom<u32> + TryFrom<u64>,
{
    macro_rules! go {
        ($P:ty) => {
            convert::<$P, T, _>(out, array.as_primitive::<$P>(), ctx, |v| {
                T::try_from(v).ok()
            })
        };
    }
    match array.data_type() {
        DataType::Int8 => go!(Int8Type),
        DataType::Int16 => go!(Int16Type),
        DataType::Int32 => go!(Int32Type),
        DataType::Int64 => go!(Int64Type),
        DataType::UInt8 => go!(UInt8Type),
        DataType::UInt16 => go!(UInt16Type),
        DataType::UInt32 => go!(UInt32Type),
        DataType::UInt64 => go!(UInt64Type),
        dt => Err(ctx.mismatch(dt)),
    }
}

/// The Arrow type whose values are bit-identical to the TDengine type's wire form: the
/// integers and floats (BOOL, TIMESTAMP and DECIMAL are converted on the way), typed by the
/// one type table.
fn native_type(ty: TdType) -> Option<DataType> {
    let bit_identical = ty.fixed_width().is_some()
        && !ty.is_decimal()
        && !matches!(ty, TdType::Bool | TdType::Timestamp);
    if !bit_identical {
        return None;
    }
    crate::arrow_type(
        &crate::ColumnSpec::new("", ty),
        &crate::SchemaOptions::default(),
    )
    .ok()
}

fn write_fixed(out: &mut Vec<u8>, array: &dyn Array, ctx: &Ctx<'_>) -> Result<(), Stmt2Error> {
    let dt = array.data_type();
    let ty = ctx.field.ty;
    if native_type(ty).as_ref() == Some(dt) {
        // Same bits on both sides: one copy of the values buffer.
        macro_rules! copy {
            ($P:ty) => {
                bulk(out, array.as_primitive::<$P>())
            };
        }
        match dt {
            DataType::Int8 => copy!(Int8Type),
            DataType::Int16 => copy!(Int16Type),
            DataType::Int32 => copy!(Int32Type),
            DataType::Int64 => copy!(Int64Type),
            DataType::UInt8 => copy!(UInt8Type),
            DataType::UInt16 => copy!(UInt16Type),
            DataType::UInt32 => copy!(UInt32Type),
            DataType::UInt64 => copy!(UInt64Type),
            DataType::Float32 => copy!(Float32Type),
            DataType::Float64 => copy!(Float64Type),
            _ => return Err(ctx.mismatch(dt)),
        }
        return Ok(());
    }
    match ty {
        TdType::Bool => match array.as_boolean_opt() {
            Some(b) => write_bool(out, b),
            None => return Err(ctx.mismatch(dt)),
        },
        TdType::TinyInt => int_into::<i8>(out, array, ctx)?,
        TdType::SmallInt => int_into::<i16>(out, array, ctx)?,
        TdType::Int => int_into::<i32>(out, array, ctx)?,
        TdType::BigInt => int_into::<i64>(out, array, ctx)?,
        TdType::UTinyInt => int_into::<u8>(out, array, ctx)?,
        TdType::USmallInt => int_into::<u16>(out, array, ctx)?,
        TdType::UInt => int_into::<u32>(out, array, ctx)?,
        TdType::UBigInt => int_into::<u64>(out, array, ctx)?,
        TdType::Float => float_into_f32(out, array, ctx)?,
        TdType::Double => float_into_f64(out, array, ctx)?,
        TdType::Timestamp => super::time::write_timestamps(out, array, ctx)?,
        _ => return Err(ctx.mismatch(dt)),
    }
    Ok(())
}

fn write_bool(out: &mut Vec<u8>, b: &BooleanArray) {
    out.extend(b.values().iter().map(u8::from));
}

/// Largest integer magnitude every f64 holds exactly (2^53).
const F64_EXACT: u64 = 1 << 53;

fn float_into_f32(out: &mut Vec<u8>, array: &dyn Array, ctx: &Ctx<'_>) -> Result<(), Stmt2Error> {
    macro_rules! go {
        ($P:ty, $f:expr) => {
            convert::<$P, f32, _>(out, array.as_primitive::<$P>(), ctx, $f)
        };
    }
    match array.data_type() {
        DataType::Float64 => go!(Float64Type, |v: f64| {
            let f = v as f32;
            (f64::from(f) == v || v.is_nan()).then_some(f)
        }),
        DataType::Float16 => go!(Float16Type, |v: F16| Some(v.to_f32())),
        DataType::Int8 => go!(Int8Type, |v| Some(f32::from(v))),
        DataType::Int16 => go!(Int16Type, |v| Some(f32::from(v))),
        DataType::UInt8 => go!(UInt8Type, |v| Some(f32::from(v))),
        DataType::UInt16 => go!(UInt16Type, |v| Some(f32::from(v))),
        dt => Err(ctx.mismatch(dt)),
    }
}

type F16 = <Float16Type as ArrowPrimitiveType>::Native;

fn float_into_f64(out: &mut Vec<u8>, array: &dyn Array, ctx: &Ctx<'_>) -> Result<(), Stmt2Error> {
    macro_rules! go {
        ($P:ty, $f:expr) => {
            convert::<$P, f64, _>(out, array.as_primitive::<$P>(), ctx, $f)
        };
    }
    match array.data_type() {
        DataType::Float32 => go!(Float32Type, |v| Some(f64::from(v))),
        DataType::Float16 => go!(Float16Type, |v: F16| Some(v.to_f64())),
        DataType::Int8 => go!(Int8Type, |v| Some(f64::from(v))),
        DataType::Int16 => go!(Int16Type, |v| Some(f64::from(v))),
        DataType::Int32 => go!(Int32Type, |v| Some(f64::from(v))),
        DataType::UInt8 => go!(UInt8Type, |v| Some(f64::from(v))),
        DataType::UInt16 => go!(UInt16Type, |v| Some(f64::from(v))),
        DataType::UInt32 => go!(UInt32Type, |v| Some(f64::from(v))),
        DataType::Int64 => go!(Int64Type, |v: i64| (v.unsigned_abs() <= F64_EXACT)
            .then_some(v as f64)),
        DataType::UInt64 => go!(UInt64Type, |v: u64| (v <= F64_EXACT).then_some(v as f64)),
        dt => Err(ctx.mismatch(dt)),
    }
}
