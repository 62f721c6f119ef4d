//! Variable-length field blocks: strings, binaries, dictionaries and DECIMAL text.

use arrow_array::cast::AsArray;
use arrow_array::types::{ByteArrayType, ByteViewType};
use arrow_array::{Array, GenericByteArray, GenericByteViewArray, OffsetSizeTrait};
use arrow_buffer::{ArrowNativeType, NullBuffer};
use arrow_schema::DataType;
use taosarrow_protocol::wire::{patch_u32, put_u32};
use taosarrow_protocol::TdType;

use super::ctx::{set_length, Ctx};
use super::decimal;
use super::error::Stmt2Error;

/// Appends the length array, `buffer_length` and the buffer (`have_length` already written).
pub(crate) fn write_var(
    out: &mut Vec<u8>,
    array: &dyn Array,
    nulls: Option<&NullBuffer>,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error> {
    let n = array.len();
    let lengths_pos = out.len();
    out.resize(lengths_pos + 4 * n, 0);
    let buf_len_pos = out.len();
    put_u32(out, 0);
    let data_start = out.len();
    if ctx.field.ty.is_decimal() {
        decimal::write_decimals(out, array, lengths_pos, ctx)?;
    } else {
        let text = matches!(ctx.field.ty, TdType::VarChar | TdType::NChar | TdType::Json);
        let binary = matches!(
            ctx.field.ty,
            TdType::VarChar | TdType::VarBinary | TdType::Geometry | TdType::Blob
        );
        if !accepts(array.data_type(), text, binary) {
            return Err(ctx.mismatch(array.data_type()));
        }
        write_bytes(out, array, nulls, lengths_pos, ctx)?;
    }
    let len = out.len() - data_start;
    let len = i32::try_from(len).map_err(|_| Stmt2Error::TooLarge {
        what: "field buffer",
        len,
    })?;
    patch_u32(out, buf_len_pos, len as u32);
    Ok(())
}

fn accepts(dt: &DataType, text: bool, binary: bool) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => text,
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => binary,
        DataType::Dictionary(_, v) => accepts(v, text, binary),
        _ => false,
    }
}

fn write_bytes(
    out: &mut Vec<u8>,
    array: &dyn Array,
    nulls: Option<&NullBuffer>,
    lengths_pos: usize,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error> {
    match array.data_type() {
        DataType::Utf8 => offsets(out, array.as_string::<i32>(), nulls, lengths_pos, ctx),
        DataType::LargeUtf8 => offsets(out, array.as_string::<i64>(), nulls, lengths_pos, ctx),
        DataType::Binary => offsets(out, array.as_binary::<i32>(), nulls, lengths_pos, ctx),
        DataType::LargeBinary => offsets(out, array.as_binary::<i64>(), nulls, lengths_pos, ctx),
        DataType::Utf8View => views(out, array.as_string_view(), nulls, lengths_pos, ctx),
        DataType::BinaryView => views(out, array.as_binary_view(), nulls, lengths_pos, ctx),
        DataType::FixedSizeBinary(_) => {
            let a = array.as_fixed_size_binary();
            per_row(out, a.len(), nulls, lengths_pos, ctx, |i| a.value(i))
        }
        DataType::Dictionary(_, _) => {
            let Some(dict) = array.as_any_dictionary_opt() else {
                return Err(ctx.mismatch(array.data_type()));
            };
            let keys = dict.normalized_keys();
            let values = dict.values();
            let getter =
                byte_getter(values.as_ref()).ok_or_else(|| ctx.mismatch(array.data_type()))?;
            per_row(out, keys.len(), nulls, lengths_pos, ctx, |i| {
                getter(keys[i])
            })
        }
        dt => Err(ctx.mismatch(dt)),
    }
}

type Getter<'a> = Box<dyn Fn(usize) -> &'a [u8] + 'a>;

/// Row accessor for the value arrays a dictionary may have.
fn byte_getter(values: &dyn Array) -> Option<Getter<'_>> {
    Some(match values.data_type() {
        DataType::Utf8 => {
            let a = values.as_string::<i32>();
            Box::new(move |i| a.value(i).as_bytes())
        }
        DataType::LargeUtf8 => {
            let a = values.as_string::<i64>();
            Box::new(move |i| a.value(i).as_bytes())
        }
        DataType::Utf8View => {
            let a = values.as_string_view();
            Box::new(move |i| a.value(i).as_bytes())
        }
        DataType::Binary => {
            let a = values.as_binary::<i32>();
            Box::new(move |i| a.value(i))
        }
        DataType::LargeBinary => {
            let a = values.as_binary::<i64>();
            Box::new(move |i| a.value(i))
        }
        DataType::BinaryView => {
            let a = values.as_binary_view();
            Box::new(move |i| a.value(i))
        }
        DataType::FixedSizeBinary(_) => {
            let a = values.as_fixed_size_binary();
            Box::new(move |i| a.value(i))
        }
        _ => return None,
    })
}

fn per_row<'a, F>(
    out: &mut Vec<u8>,
    n: usize,
    nulls: Option<&NullBuffer>,
    lengths_pos: usize,
    ctx: &Ctx<'_>,
    get: F,
) -> Result<(), Stmt2Error>
where
    F: Fn(usize) -> &'a [u8],
{
    for i in 0..n {
        if nulls.is_some_and(|b| b.is_null(i)) {
            continue;
        }
        let v = get(i);
        out.extend_from_slice(v);
        set_length(out, lengths_pos, i, v.len(), ctx)?;
    }
    Ok(())
}

/// Offset-based arrays: without NULLs the values are one contiguous range, copied at once.
fn offsets<T: ByteArrayType>(
    out: &mut Vec<u8>,
    a: &GenericByteArray<T>,
    nulls: Option<&NullBuffer>,
    lengths_pos: usize,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error>
where
    T::Offset: OffsetSizeTrait,
{
    let offs = a.value_offsets();
    if nulls.is_some() || a.is_empty() {
        return per_row(out, a.len(), nulls, lengths_pos, ctx, |i| {
            let v: &[u8] = a.value(i).as_ref();
            v
        });
    }
    let first = offs[0].as_usize();
    let last = offs[offs.len() - 1].as_usize();
    out.extend_from_slice(&a.value_data()[first..last]);
    for (i, w) in offs.windows(2).enumerate() {
        set_length(out, lengths_pos, i, (w[1] - w[0]).as_usize(), ctx)?;
    }
    Ok(())
}

fn views<T: ByteViewType + ?Sized>(
    out: &mut Vec<u8>,
    a: &GenericByteViewArray<T>,
    nulls: Option<&NullBuffer>,
    lengths_pos: usize,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error> {
    per_row(out, a.len(), nulls, lengths_pos, ctx, |i| {
        let v: &[u8] = a.value(i).as_ref();
        v
    })
}
