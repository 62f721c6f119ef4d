//! Arrow `RecordBatch` → raw block, the exact inverse of the decoder.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;
use taosarrow_protocol::types::BLOB_LENGTH;
use taosarrow_protocol::wire::{patch_u32, put_i32, put_u32, put_u64};
use taosarrow_protocol::TdType;

use super::{BLOCK_FLAG, BLOCK_VERSION, COLUMN_SCHEMA_LEN, HEADER_LEN, MAX_COLUMNS, MAX_ROWS};
use crate::bitmap::arrow_to_td_nulls;
use crate::error::{CodecError, Location};
use crate::schema::{column_spec, with_column, ColumnSpec};

/// Appends `batch` to `out` as one raw block, as TDengine writes it: version 1, flag
/// `0x80000000`, group id 0, little-endian lengths and a trailing `0x00` byte.
///
/// Each column's TDengine type comes from its field (see [`crate::column_spec`]): the field
/// metadata when present, else the Arrow type. A Timestamp column's i64 values are written as
/// they are, so its unit must be the database precision. Values in NULL slots are written as
/// zeros. An Arrow `Null` column becomes a VARCHAR whose rows are all NULL. On error `out` is
/// left as it was.
pub fn encode_block(batch: &RecordBatch, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let start = out.len();
    let r = encode_block_into(batch, out);
    if r.is_err() {
        out.truncate(start);
    }
    r
}

fn encode_block_into(batch: &RecordBatch, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let rows = batch.num_rows();
    let cols = batch.num_columns();
    if cols > MAX_COLUMNS {
        return Err(CodecError::LimitExceeded {
            what: "column count",
            value: cols as u64,
            limit: MAX_COLUMNS as u64,
        });
    }
    if rows > MAX_ROWS {
        return Err(CodecError::LimitExceeded {
            what: "row count",
            value: rows as u64,
            limit: MAX_ROWS as u64,
        });
    }
    let specs = batch
        .schema()
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| column_spec(f).map_err(|e| with_column(e, i)))
        .collect::<Result<Vec<_>, _>>()?;
    // No client decodes these in a block (`raw-block.md` §11).
    if let Some((i, spec)) = specs.iter().enumerate().find(|(_, s)| !s.ty.is_supported()) {
        return Err(CodecError::UnsupportedType {
            at: Location {
                column: i,
                name: Some(spec.name.clone()),
                row: None,
            },
            ty: spec.ty,
        });
    }

    let start = out.len();
    put_i32(out, BLOCK_VERSION);
    put_i32(out, 0); // total length, patched below
    put_i32(out, rows as i32);
    put_i32(out, cols as i32);
    put_u32(out, BLOCK_FLAG);
    put_u64(out, 0); // group id
    for (i, (spec, array)) in specs.iter().zip(batch.columns()).enumerate() {
        out.push(spec.ty.code());
        put_i32(out, schema_bytes(spec, array, i)?);
    }
    let lengths_at = out.len();
    out.resize(lengths_at + cols * 4, 0);
    for (i, (spec, array)) in specs.iter().zip(batch.columns()).enumerate() {
        let at = Location {
            column: i,
            name: Some(spec.name.clone()),
            row: None,
        };
        let length = if spec.ty.fixed_width().is_some() {
            encode_fixed(spec, array, &at, out)?
        } else {
            encode_var(spec, array, &at, out)?
        };
        let length = i32::try_from(length).map_err(|_| CodecError::LimitExceeded {
            what: "column section size",
            value: length as u64,
            limit: i32::MAX as u64,
        })?;
        patch_u32(out, lengths_at + i * 4, length as u32);
    }
    out.push(0); // blankFill trailer
    let total = out.len() - start;
    let total = i32::try_from(total).map_err(|_| CodecError::LimitExceeded {
        what: "block size",
        value: total as u64,
        limit: i32::MAX as u64,
    })?;
    patch_u32(out, start + 4, total as u32);
    debug_assert_eq!(HEADER_LEN + cols * COLUMN_SCHEMA_LEN, lengths_at - start);
    Ok(())
}

/// The schema `bytes` field of a column (`raw-block.md` §3, §6).
fn schema_bytes(spec: &ColumnSpec, array: &ArrayRef, column: usize) -> Result<i32, CodecError> {
    if let Some(width) = spec.ty.fixed_width() {
        if spec.ty.is_decimal() {
            let width = width as i32;
            return Ok((width << 24) | (i32::from(spec.precision) << 8) | i32::from(spec.scale));
        }
        return Ok(width as i32);
    }
    let declared = if spec.length > 0 {
        spec.length as usize
    } else {
        let source = ByteSource::new(array, spec, column)?;
        (0..array.len())
            .filter(|&i| !source.is_null(i))
            .map(|i| {
                let v = source.value(i);
                if spec.ty == TdType::NChar {
                    String::from_utf8_lossy(v).chars().count()
                } else {
                    v.len()
                }
            })
            .max()
            .unwrap_or(0)
    };
    // Blocks report a BLOB column's width as its largest value, without the length prefix
    // a prepare response adds (`TdType::schema_bytes`).
    if matches!(spec.ty, TdType::Blob | TdType::MediumBlob) {
        return Ok(BLOB_LENGTH as i32);
    }
    let bytes = spec
        .ty
        .schema_bytes(u32::try_from(declared).unwrap_or(u32::MAX));
    Ok(i32::try_from(bytes).unwrap_or(i32::MAX))
}

fn mismatch(spec: &ColumnSpec, array: &ArrayRef, at: &Location) -> CodecError {
    CodecError::UnsupportedArrowType {
        at: at.clone(),
        data_type: array.data_type().clone(),
        target: spec.ty.sql_name().to_owned(),
    }
}

/// Writes the null bitmap and `rows × width` data bytes; returns the data length.
fn encode_fixed(
    spec: &ColumnSpec,
    array: &ArrayRef,
    at: &Location,
    out: &mut Vec<u8>,
) -> Result<usize, CodecError> {
    let rows = array.len();
    let width = spec.ty.fixed_width().unwrap_or(1);
    let expected = match spec.ty {
        TdType::Bool => matches!(array.data_type(), DataType::Boolean),
        TdType::TinyInt => matches!(array.data_type(), DataType::Int8),
        TdType::SmallInt => matches!(array.data_type(), DataType::Int16),
        TdType::Int => matches!(array.data_type(), DataType::Int32),
        TdType::BigInt => matches!(array.data_type(), DataType::Int64),
        TdType::UTinyInt => matches!(array.data_type(), DataType::UInt8),
        TdType::USmallInt => matches!(array.data_type(), DataType::UInt16),
        TdType::UInt => matches!(array.data_type(), DataType::UInt32),
        TdType::UBigInt => matches!(array.data_type(), DataType::UInt64),
        TdType::Float => matches!(array.data_type(), DataType::Float32),
        TdType::Double => matches!(array.data_type(), DataType::Float64),
        TdType::Timestamp => matches!(array.data_type(), DataType::Timestamp(..) | DataType::Int64),
        TdType::Decimal | TdType::Decimal64 => {
            matches!(array.data_type(), DataType::Decimal128(..))
        }
        _ => false,
    };
    if !expected {
        return Err(mismatch(spec, array, at));
    }
    let nulls = array.logical_nulls();
    arrow_to_td_nulls(nulls.as_ref(), rows, out);
    let data_at = out.len();
    match spec.ty {
        TdType::Bool => {
            let values = array.as_boolean().values();
            out.extend(values.iter().map(u8::from));
        }
        TdType::Decimal64 => {
            let values = array
                .as_primitive::<arrow_array::types::Decimal128Type>()
                .values();
            out.reserve(rows * 8);
            for (row, &v) in values.iter().enumerate() {
                let narrow = if nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                    0
                } else {
                    i64::try_from(v).map_err(|_| {
                        CodecError::data(
                            Location {
                                row: Some(row),
                                ..at.clone()
                            },
                            format!("unscaled value {v} does not fit DECIMAL64"),
                        )
                    })?
                };
                out.extend_from_slice(&narrow.to_le_bytes());
            }
        }
        _ => {
            // Little-endian in memory and on the wire: one bulk copy of the value buffer.
            let data = array.to_data();
            let buffer = data
                .buffers()
                .first()
                .ok_or_else(|| mismatch(spec, array, at))?;
            let from = data.offset() * width;
            let bytes = buffer
                .as_slice()
                .get(from..from + rows * width)
                .ok_or_else(|| {
                    CodecError::data(at.clone(), "value buffer shorter than its array")
                })?;
            out.extend_from_slice(bytes);
        }
    }
    if let Some(nulls) = nulls.as_ref().filter(|n| n.null_count() > 0) {
        zero_null_slots(&mut out[data_at..], nulls, width);
    }
    Ok(rows * width)
}

fn zero_null_slots(data: &mut [u8], nulls: &NullBuffer, width: usize) {
    // Visit only the NULL rows: the zero bits of the validity, 64 rows at a time.
    let chunks = nulls.inner().bit_chunks();
    let mut zero = |row: usize| data[row * width..(row + 1) * width].fill(0);
    let mut base = 0;
    for word in chunks.iter() {
        let mut missing = !word;
        while missing != 0 {
            zero(base + missing.trailing_zeros() as usize);
            missing &= missing - 1;
        }
        base += 64;
    }
    let rem = chunks.remainder_len();
    if rem > 0 {
        let mut missing = !chunks.remainder_bits() & (u64::MAX >> (64 - rem));
        while missing != 0 {
            zero(base + missing.trailing_zeros() as usize);
            missing &= missing - 1;
        }
    }
}

/// Any Arrow string or binary array, read as bytes.
enum ByteSource<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
    Binary(&'a arrow_array::BinaryArray),
    LargeBinary(&'a arrow_array::LargeBinaryArray),
    BinaryView(&'a arrow_array::BinaryViewArray),
    /// An Arrow `Null` column: every row NULL.
    AllNull,
}

impl<'a> ByteSource<'a> {
    fn new(array: &'a ArrayRef, spec: &ColumnSpec, column: usize) -> Result<Self, CodecError> {
        let text = matches!(spec.ty, TdType::VarChar | TdType::NChar | TdType::Json);
        let source = match array.data_type() {
            DataType::Null => ByteSource::AllNull,
            DataType::Utf8 if text => ByteSource::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 if text => ByteSource::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View if text => ByteSource::Utf8View(array.as_string_view()),
            DataType::Binary if !text => ByteSource::Binary(array.as_binary::<i32>()),
            DataType::LargeBinary if !text => ByteSource::LargeBinary(array.as_binary::<i64>()),
            DataType::BinaryView if !text => ByteSource::BinaryView(array.as_binary_view()),
            _ => {
                return Err(mismatch(
                    spec,
                    array,
                    &Location {
                        column,
                        name: Some(spec.name.clone()),
                        row: None,
                    },
                ))
            }
        };
        Ok(source)
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            ByteSource::Utf8(a) => a.is_null(i),
            ByteSource::LargeUtf8(a) => a.is_null(i),
            ByteSource::Utf8View(a) => a.is_null(i),
            ByteSource::Binary(a) => a.is_null(i),
            ByteSource::LargeBinary(a) => a.is_null(i),
            ByteSource::BinaryView(a) => a.is_null(i),
            ByteSource::AllNull => true,
        }
    }

    /// The value as text, for the string layouts (which Arrow guarantees are UTF-8).
    fn text(&self, i: usize) -> Option<&'a str> {
        match self {
            ByteSource::Utf8(a) => Some(a.value(i)),
            ByteSource::LargeUtf8(a) => Some(a.value(i)),
            ByteSource::Utf8View(a) => Some(a.value(i)),
            _ => None,
        }
    }

    fn value(&self, i: usize) -> &'a [u8] {
        match self {
            ByteSource::Utf8(a) => a.value(i).as_bytes(),
            ByteSource::LargeUtf8(a) => a.value(i).as_bytes(),
            ByteSource::Utf8View(a) => a.value(i).as_bytes(),
            ByteSource::Binary(a) => a.value(i),
            ByteSource::LargeBinary(a) => a.value(i),
            ByteSource::BinaryView(a) => a.value(i),
            ByteSource::AllNull => &[],
        }
    }
}

/// Writes the offset array and the length-prefixed values; returns the value area length.
fn encode_var(
    spec: &ColumnSpec,
    array: &ArrayRef,
    at: &Location,
    out: &mut Vec<u8>,
) -> Result<usize, CodecError> {
    let rows = array.len();
    let source = ByteSource::new(array, spec, at.column)?;
    let wide_prefix = matches!(spec.ty, TdType::Blob | TdType::MediumBlob);
    if !wide_prefix && spec.ty != TdType::NChar {
        let fast = match &source {
            ByteSource::Utf8(a) => {
                encode_offsets(a.value_offsets(), a.value_data(), a.nulls(), out)
            }
            ByteSource::LargeUtf8(a) => {
                encode_offsets(a.value_offsets(), a.value_data(), a.nulls(), out)
            }
            ByteSource::Binary(a) => {
                encode_offsets(a.value_offsets(), a.value_data(), a.nulls(), out)
            }
            ByteSource::LargeBinary(a) => {
                encode_offsets(a.value_offsets(), a.value_data(), a.nulls(), out)
            }
            _ => None,
        };
        if let Some(area) = fast {
            return Ok(area);
        }
    }
    let offsets_at = out.len();
    out.resize(offsets_at + rows * 4, 0);
    let area_at = out.len();
    let too_long = |row: usize, len: usize, max: usize| {
        CodecError::data(
            Location {
                row: Some(row),
                ..at.clone()
            },
            format!(
                "value of {len} bytes exceeds the {max}-byte limit of {}",
                spec.ty
            ),
        )
    };
    for row in 0..rows {
        let offset = if source.is_null(row) {
            -1
        } else {
            let rel = out.len() - area_at;
            let rel = i32::try_from(rel).map_err(|_| too_long(row, rel, i32::MAX as usize))?;
            let value = source.value(row);
            if spec.ty == TdType::NChar {
                // NCHAR sources are string layouts (`ByteSource::new`), already UTF-8.
                let text = source.text(row).ok_or_else(|| mismatch(spec, array, at))?;
                write_ucs4(text, row, out, at)?;
            } else if wide_prefix {
                let len = u32::try_from(value.len())
                    .map_err(|_| too_long(row, value.len(), u32::MAX as usize))?;
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(value);
            } else {
                let len = u16::try_from(value.len())
                    .map_err(|_| too_long(row, value.len(), u16::MAX as usize))?;
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(value);
            }
            rel
        };
        out[offsets_at + row * 4..offsets_at + row * 4 + 4].copy_from_slice(&offset.to_le_bytes());
    }
    Ok(out.len() - area_at)
}

/// The offset array and u16-prefixed values of an offsets-and-values array (VARCHAR,
/// VARBINARY, GEOMETRY, JSON from `Utf8`/`Binary` and their large forms) in one pass over
/// pre-sized output: no per-value dispatch, bounds re-checks or growth. `None` (and `out`
/// untouched) when some value is longer than a u16 prefix holds or the area could pass
/// `i32::MAX`: the general path then reports exactly which row.
fn encode_offsets<O: arrow_array::OffsetSizeTrait>(
    offsets: &[O],
    values: &[u8],
    nulls: Option<&NullBuffer>,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let rows = offsets.len().checked_sub(1)?;
    let first = offsets.first()?.as_usize();
    let span = offsets.last()?.as_usize().checked_sub(first)?;
    // At most every byte of the span plus a 2-byte prefix per row.
    let bound = span.checked_add(rows.checked_mul(2)?)?;
    if i32::try_from(bound).is_err() || values.len() < first + span {
        return None;
    }
    let offsets_at = out.len();
    let area_at = offsets_at + rows * 4;
    out.resize(area_at + bound, 0);
    let (offset_slots, area) = out[offsets_at..].split_at_mut(rows * 4);
    let mut pos = 0usize;
    for (row, (slot, w)) in offset_slots
        .chunks_exact_mut(4)
        .zip(offsets.windows(2))
        .enumerate()
    {
        if nulls.is_some_and(|n| n.is_null(row)) {
            slot.copy_from_slice(&(-1i32).to_le_bytes());
            continue;
        }
        let (from, to) = (w[0].as_usize(), w[1].as_usize());
        let Some(len) = to.checked_sub(from).and_then(|l| u16::try_from(l).ok()) else {
            out.truncate(offsets_at);
            return None;
        };
        // `pos` < `bound` ≤ i32::MAX was checked above.
        slot.copy_from_slice(&(pos as i32).to_le_bytes());
        area[pos..pos + 2].copy_from_slice(&len.to_le_bytes());
        let len = usize::from(len);
        area[pos + 2..pos + 2 + len].copy_from_slice(&values[from..to]);
        pos += 2 + len;
    }
    out.truncate(area_at + pos);
    Some(pos)
}

/// Writes a UTF-8 string as an NCHAR value: u16 byte count, then UTF-32LE code points.
fn write_ucs4(text: &str, row: usize, out: &mut Vec<u8>, at: &Location) -> Result<(), CodecError> {
    let loc = || Location {
        row: Some(row),
        ..at.clone()
    };
    let prefix_at = out.len();
    // At most one character per UTF-8 byte: size the value once, write each code point in
    // place, then cut to the real length.
    out.resize(prefix_at + 2 + 4 * text.len(), 0);
    let mut pos = prefix_at + 2;
    if text.is_ascii() {
        // One code point per byte: a plain widening loop the compiler vectorises.
        for (dst, &b) in out[pos..].chunks_exact_mut(4).zip(text.as_bytes()) {
            dst[0] = b;
        }
        pos += 4 * text.len();
    } else {
        for c in text.chars() {
            out[pos..pos + 4].copy_from_slice(&u32::from(c).to_le_bytes());
            pos += 4;
        }
    }
    out.truncate(pos);
    let bytes = out.len() - prefix_at - 2;
    let prefix = u16::try_from(bytes).map_err(|_| {
        CodecError::data(
            loc(),
            format!("NCHAR value of {} characters exceeds 16383", bytes / 4),
        )
    })?;
    out[prefix_at..prefix_at + 2].copy_from_slice(&prefix.to_le_bytes());
    Ok(())
}
