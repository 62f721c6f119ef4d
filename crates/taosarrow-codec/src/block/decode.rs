//! Raw block → Arrow `RecordBatch`.
//!
//! One pass per column: fixed-width data is copied in bulk and its null bitmap converted a
//! word at a time; variable-width values are gathered into Arrow offsets + values buffers with
//! no allocation per value. Every length, offset and count is checked before it is used.

use arrow_array::{make_array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer};
use arrow_data::ArrayData;
use arrow_schema::{DataType, Field, SchemaRef};
use taosarrow_protocol::TdType;

use super::bounds::need;
use super::decode_var::{decode_var, Expansion};
use super::{read_layout, BlockColumn};
use crate::bitmap::td_to_arrow_nulls;
use crate::error::{CodecError, Location};
use crate::schema::{arrow_type, SchemaOptions};
use crate::time::precision_of;

/// Limits of [`decode_block_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// How many bytes more than their stored value areas a block's variable-width columns may
    /// decode to, over all its columns. Rows may share one stored value (TDengine stores a
    /// repeated tag or constant once) and each row gets its own copy, so without a bound a
    /// small block could ask for terabytes. Default [`DEFAULT_MAX_EXPANSION`] (256 MiB).
    pub max_expansion: usize,
}

/// The default [`DecodeOptions::max_expansion`]: 256 MiB, room for 4096 rows sharing 64 KiB of
/// tag values.
pub const DEFAULT_MAX_EXPANSION: usize = 256 << 20;

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_expansion: DEFAULT_MAX_EXPANSION,
        }
    }
}

impl DecodeOptions {
    /// Sets [`DecodeOptions::max_expansion`].
    pub fn with_max_expansion(mut self, bytes: usize) -> Self {
        self.max_expansion = bytes;
        self
    }
}

/// Decodes one raw block into a `RecordBatch` with the given schema, with the default
/// [`DecodeOptions`].
///
/// The block's column types must match the schema: each TDengine type must decode to the
/// field's Arrow type (see [`crate::arrow_field`]); TIMESTAMP takes the field's unit and time
/// zone, since blocks do not carry the precision. The block may be followed by other bytes
/// (its header gives its length).
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{Array, Int32Array, RecordBatch};
/// use taosarrow_codec::{arrow_schema, decode_block, encode_block, ColumnSpec, SchemaOptions};
/// use taosarrow_protocol::TdType;
///
/// let schema = arrow_schema(&[ColumnSpec::new("v", TdType::Int)], &SchemaOptions::default())?;
/// let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int32Array::from(vec![Some(1), None]))])?;
/// let mut block = Vec::new();
/// encode_block(&batch, &mut block)?;
/// assert_eq!(decode_block(&block, &schema)?, batch);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode_block(block: &[u8], schema: &SchemaRef) -> Result<RecordBatch, CodecError> {
    decode_block_with(block, schema, &DecodeOptions::default())
}

/// Like [`decode_block`], with explicit limits.
pub fn decode_block_with(
    block: &[u8],
    schema: &SchemaRef,
    opts: &DecodeOptions,
) -> Result<RecordBatch, CodecError> {
    let mut expansion = Expansion::new(opts.max_expansion);
    let (header, columns, mut pos) = read_layout(block).map_err(|e| name_column(e, schema))?;
    let block = &block[..header.length];
    if columns.len() != schema.fields().len() {
        return Err(CodecError::SchemaMismatch(format!(
            "the block has {} columns, the schema {}",
            columns.len(),
            schema.fields().len()
        )));
    }
    let rows = header.rows;
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    for (i, (col, field)) in columns.iter().zip(schema.fields()).enumerate() {
        let at = Location {
            column: i,
            name: Some(field.name().clone()),
            row: None,
        };
        check_type(col, field, &at)?;
        let rest = &block[pos..];
        let (array, used) = if col.ty.fixed_width().is_some() {
            decode_fixed(rest, rows, col, field.data_type(), &at)?
        } else {
            decode_var(rest, rows, col, field.data_type(), &at, &mut expansion)?
        };
        arrays.push(array);
        pos += used;
    }
    // The block ends at the last column, or one trailer byte after it.
    if block.len() != pos && block.len() != pos + 1 {
        return Err(CodecError::InvalidHeader(format!(
            "block length {} does not match its columns, which end at byte {pos}",
            block.len()
        )));
    }
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(
        schema.clone(),
        arrays,
        &options,
    )?)
}

/// Adds the schema's column name to an error from the layout, which knows only indices.
fn name_column(e: CodecError, schema: &SchemaRef) -> CodecError {
    let name = |at: &mut Location| {
        if at.name.is_none() {
            at.name = schema.fields().get(at.column).map(|f| f.name().clone());
        }
    };
    match e {
        CodecError::InvalidData { mut at, reason } => {
            name(&mut at);
            CodecError::InvalidData { at, reason }
        }
        CodecError::UnknownType { mut at, code } => {
            name(&mut at);
            CodecError::UnknownType { at, code }
        }
        other => other,
    }
}

/// Checks that a block column of type `col.ty` can decode to the field's Arrow type: the type
/// [`crate::arrow_type`] gives it, with the field's unit and zone for a TIMESTAMP (blocks do
/// not carry the precision).
fn check_type(col: &BlockColumn, field: &Field, at: &Location) -> Result<(), CodecError> {
    let dt = field.data_type();
    if !col.ty.is_supported() {
        return Err(CodecError::UnsupportedType {
            at: at.clone(),
            ty: col.ty,
        });
    }
    if col.ty.is_decimal() {
        check_decimal(col, at)?;
    }
    let opts = match dt {
        DataType::Timestamp(unit, timezone) => SchemaOptions {
            precision: precision_of(*unit).unwrap_or_default(),
            timezone: timezone.clone(),
        },
        _ => SchemaOptions::default(),
    };
    let expected = arrow_type(&col.to_column_spec(String::new()), &opts);
    if expected.is_ok_and(|t| t == *dt) {
        Ok(())
    } else {
        Err(CodecError::SchemaMismatch(format!(
            "{at}: the block has TDengine {}, the schema expects Arrow {dt}",
            col.ty
        )))
    }
}

/// Validates a DECIMAL column's packed schema field (width, precision and scale,
/// `raw-block.md` §6).
fn check_decimal(col: &BlockColumn, at: &Location) -> Result<(), CodecError> {
    let b = col.bytes.to_le_bytes();
    let width = col.ty.fixed_width().unwrap_or(0);
    let (precision, scale) = col.decimal_precision_scale();
    if usize::from(b[3]) != width || b[2] != 0 || !col.ty.is_valid_decimal(precision, scale) {
        return Err(CodecError::data(
            at.clone(),
            format!(
                "invalid {} schema field {:#010x} (width {}, precision {precision}, scale {scale})",
                col.ty, col.bytes, b[3]
            ),
        ));
    }
    Ok(())
}

fn decode_fixed(
    bytes: &[u8],
    rows: usize,
    col: &BlockColumn,
    dt: &DataType,
    at: &Location,
) -> Result<(ArrayRef, usize), CodecError> {
    let width = col.ty.fixed_width().unwrap_or(1);
    let bitmap_len = rows.div_ceil(8);
    let data_len = rows.checked_mul(width).ok_or(CodecError::LimitExceeded {
        what: "column data size",
        value: rows as u64,
        limit: (usize::MAX / width) as u64,
    })?;
    if col.length != data_len {
        return Err(CodecError::data(
            at.clone(),
            format!(
                "length array says {} bytes, {rows} rows of {width} bytes need {data_len}",
                col.length
            ),
        ));
    }
    let used = bitmap_len + data_len;
    need("fixed-width column", used, bytes.len())?;
    let nulls = td_to_arrow_nulls(&bytes[..bitmap_len], rows);
    let data = &bytes[bitmap_len..used];
    let values = match col.ty {
        TdType::Bool => bool_values(data, nulls.as_ref(), at)?,
        TdType::Decimal64 => {
            let mut wide: Vec<i128> = Vec::with_capacity(rows);
            wide.extend(data.chunks_exact(8).map(|c| {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                i128::from(i64::from_le_bytes(w))
            }));
            Buffer::from_vec(wide)
        }
        // Little-endian on the wire and in memory: one bulk copy.
        _ => Buffer::from_slice_ref(data),
    };
    let array = ArrayData::builder(dt.clone())
        .len(rows)
        .nulls(nulls)
        .add_buffer(values)
        .build()?;
    Ok((make_array(array), used))
}

/// BOOL bytes must be 0 or 1 in non-NULL rows; packs them into Arrow's bit-packed values.
fn bool_values(
    data: &[u8],
    nulls: Option<&NullBuffer>,
    at: &Location,
) -> Result<Buffer, CodecError> {
    if data.iter().any(|&b| b > 1) {
        for (row, &b) in data.iter().enumerate() {
            if b > 1 && nulls.is_none_or(|n| n.is_valid(row)) {
                return Err(CodecError::data(
                    Location {
                        row: Some(row),
                        ..at.clone()
                    },
                    format!("BOOL byte {b:#04x} is neither 0 nor 1"),
                ));
            }
        }
    }
    Ok(BooleanBuffer::collect_bool(data.len(), |i| data[i] == 1).into_inner())
}
