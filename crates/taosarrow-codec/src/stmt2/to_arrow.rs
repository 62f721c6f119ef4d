//! Server side, step 7: check a structurally valid payload against the prepared fields and
//! turn each field block into an Arrow array.

use std::sync::Arc;

use arrow_array::{
    make_array, ArrayRef, BinaryArray, BooleanArray, Decimal128Array, LargeBinaryArray,
    OffsetSizeTrait, StringArray,
};
use arrow_buffer::{BooleanBuffer, Buffer, MutableBuffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_data::ArrayData;
use arrow_schema::DataType;
use taosarrow_protocol::{Code, Precision, TdType};

use super::error::Stmt2Error;
use super::field::{BindField, Roles};
use super::parse::{parse_raw, RawField, RawPayload};
use crate::decimal;
use crate::{arrow_type, ColumnSpec, SchemaOptions};

/// One table of a received bind, as Arrow arrays.
#[derive(Debug, Clone)]
pub struct ParsedTable {
    /// The table name, when the statement has a `tbname` placeholder.
    pub name: Option<String>,
    /// One length-1 array per tag field, in field order.
    pub tags: Vec<ArrayRef>,
    /// One array per column field, in field order.
    pub columns: Vec<ArrayRef>,
}

impl ParsedTable {
    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }
}

fn invalid(msg: impl Into<String>) -> Stmt2Error {
    Stmt2Error::rejected(Code::TSC_INVALID_OPERATION, msg)
}

/// Parses an action-9 payload (the bytes after the 30-byte frame header) against the
/// statement's prepared fields: all of `stmt2.md` §5.7, then type codes, counts, row numbers,
/// NULL placeholders, lengths, UTF-8 and DECIMAL text. Never panics.
pub fn parse_payload(payload: &[u8], fields: &[BindField]) -> Result<Vec<ParsedTable>, Stmt2Error> {
    let raw = parse_raw(payload)?;
    check_against(&raw, fields)
}

/// Step 7 on an already split payload.
pub fn check_against(
    raw: &RawPayload<'_>,
    fields: &[BindField],
) -> Result<Vec<ParsedTable>, Stmt2Error> {
    let roles = Roles::of(fields);
    if raw.has_names != roles.has_tbname {
        return Err(invalid(if roles.has_tbname {
            "table name is required but missing"
        } else {
            "table name given but the statement has no tbname placeholder"
        }));
    }
    let tag_count = if raw.tables.first().is_some_and(|t| !t.tags.is_empty()) {
        raw.tag_count
    } else {
        0
    };
    let col_count = if raw.tables.first().is_some_and(|t| !t.columns.is_empty()) {
        raw.col_count
    } else {
        0
    };
    if tag_count != roles.tags || col_count != roles.cols {
        return Err(invalid(format!(
            "bind has {tag_count} tags and {col_count} columns, the statement {} and {}",
            roles.tags, roles.cols
        )));
    }
    let tag_fields: Vec<(&BindField, DataType)> = roles
        .tag_fields()
        .map(|f| Ok((f, field_arrow_type(f)?)))
        .collect::<Result<_, Stmt2Error>>()?;
    let col_fields: Vec<(&BindField, DataType)> = roles
        .col_fields()
        .map(|f| Ok((f, field_arrow_type(f)?)))
        .collect::<Result<_, Stmt2Error>>()?;
    let mut arena = FixedArena::new(raw, &tag_fields, &col_fields);
    let mut out = Vec::with_capacity(raw.tables.len());
    for (t, table) in raw.tables.iter().enumerate() {
        let name = match table.name {
            Some(b) => Some(
                std::str::from_utf8(b)
                    .map_err(|_| invalid(format!("table name is not UTF-8, tableIndex: {t}")))?
                    .to_owned(),
            ),
            None => None,
        };
        let mut tags = Vec::with_capacity(tag_fields.len());
        for ((f, dt), block) in tag_fields.iter().zip(&table.tags) {
            if block.num != 1 {
                return Err(invalid(format!(
                    "tag `{}` of table {t} has {} values, expected 1",
                    f.name, block.num
                )));
            }
            tags.push(typed_array(block, f, dt, t, arena.take(block, f))?);
        }
        let mut columns = Vec::with_capacity(col_fields.len());
        let rows = table.columns.first().map_or(0, |b| b.num);
        for ((f, dt), block) in col_fields.iter().zip(&table.columns) {
            if block.num != rows {
                return Err(invalid("row number in each bind param should be the same"));
            }
            columns.push(typed_array(block, f, dt, t, arena.take(block, f))?);
        }
        if col_fields.is_empty() || rows > 0 {
            out.push(ParsedTable {
                name,
                tags,
                columns,
            });
        } else {
            return Err(invalid(format!("table {t} has no rows")));
        }
    }
    Ok(out)
}

/// The Arrow type a field's values are returned as (the crate's type table).
pub fn field_arrow_type(f: &BindField) -> Result<DataType, Stmt2Error> {
    let precision = if f.ty == TdType::Timestamp {
        f.time_precision()?
    } else {
        Precision::Millisecond
    };
    let mut spec = ColumnSpec::new(f.name.clone(), f.ty);
    if f.ty.is_decimal() {
        spec.precision = f.precision;
        spec.scale = f.scale;
    }
    let opts = SchemaOptions {
        precision,
        timezone: None,
    };
    arrow_type(&spec, &opts).map_err(|e| Stmt2Error::Field {
        name: f.name.clone(),
        reason: e.to_string(),
    })
}

/// Alignment of each value buffer inside a [`FixedArena`] (Arrow's buffer alignment).
const ARENA_ALIGN: usize = 64;

/// Bytes a fixed-width block takes in the arena: `Some` only for blocks whose buffer is
/// exactly `num · width` bytes of a plain fixed-width type (BOOL and DECIMAL are converted,
/// not copied; a wrong length is reported by [`typed_array`]).
fn arena_len(b: &RawField<'_>, f: &BindField) -> Option<usize> {
    if f.ty == TdType::Bool || f.ty.is_decimal() || b.type_code != i32::from(f.ty.code()) {
        return None;
    }
    let w = f.ty.fixed_width()?;
    (b.buffer.len() == b.num.checked_mul(w)? && !b.buffer.is_empty()).then_some(b.buffer.len())
}

/// The fixed-width values of a whole payload copied into one allocation, each block at a
/// 64-byte boundary, and handed out as zero-copy slices: one allocation per bind instead of
/// one per column per table. The allocation lives as long as any of its slices, so arrays
/// kept from one bind free their memory together.
struct FixedArena {
    buffer: Buffer,
    /// Start of the next block to hand out.
    next: usize,
}

impl FixedArena {
    fn new(
        raw: &RawPayload<'_>,
        tag_fields: &[(&BindField, DataType)],
        col_fields: &[(&BindField, DataType)],
    ) -> FixedArena {
        let blocks = || {
            raw.tables.iter().flat_map(|table| {
                let tags = tag_fields.iter().zip(&table.tags);
                let cols = col_fields.iter().zip(&table.columns);
                tags.chain(cols)
                    .filter_map(|((f, _), b)| arena_len(b, f).map(|_| b.buffer))
            })
        };
        let total: usize = blocks()
            .map(|v| v.len().next_multiple_of(ARENA_ALIGN))
            .sum();
        let mut buffer = MutableBuffer::with_capacity(total);
        for v in blocks() {
            buffer.extend_from_slice(v);
            let padded = buffer.len().next_multiple_of(ARENA_ALIGN);
            buffer.resize(padded, 0);
        }
        FixedArena {
            buffer: buffer.into(),
            next: 0,
        }
    }

    /// The copy of `b`'s values, when `b` was copied into the arena (blocks are taken in
    /// the order [`FixedArena::new`] visited them).
    fn take(&mut self, b: &RawField<'_>, f: &BindField) -> Option<Buffer> {
        let len = arena_len(b, f)?;
        let slice = self.buffer.slice_with_length(self.next, len);
        self.next += len.next_multiple_of(ARENA_ALIGN);
        Some(slice)
    }
}

/// One field block as an Arrow array (see [`typed_array`]).
pub(crate) fn to_array(b: &RawField<'_>, f: &BindField, t: usize) -> Result<ArrayRef, Stmt2Error> {
    typed_array(b, f, &field_arrow_type(f)?, t, None)
}

/// True when some row of the block is NULL.
fn any_null(is_null: &[u8]) -> bool {
    // Word at a time: the compiler vectorises the OR-reduction.
    let mut words = is_null.chunks_exact(8);
    let mut acc = 0u64;
    for w in &mut words {
        acc |= u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
    }
    acc != 0 || words.remainder().iter().any(|&x| x != 0)
}

/// One field block as an Arrow array of type `dt` (the field's [`field_arrow_type`]);
/// `values`, when given, is a copy of a fixed-width block's buffer.
fn typed_array(
    b: &RawField<'_>,
    f: &BindField,
    dt: &DataType,
    t: usize,
    values: Option<Buffer>,
) -> Result<ArrayRef, Stmt2Error> {
    if b.type_code != i32::from(f.ty.code()) {
        return Err(Stmt2Error::rejected(
            Code::TSC_INVALID_OPERATION,
            format!(
                "column type mis-match with buffer type, field `{}` of table {t}: expected {}, got {}",
                f.name,
                f.ty.code(),
                b.type_code
            ),
        ));
    }
    let n = b.num;
    let nulls = any_null(b.is_null)
        .then(|| NullBuffer::from(BooleanBuffer::collect_bool(n, |i| b.is_null[i] == 0)));
    let all_null = nulls.as_ref().is_some_and(|x| x.null_count() == n);
    let bad = |why: String| invalid(format!("field `{}` of table {t}: {why}", f.name));
    if f.ty.bind_has_lengths() {
        if *dt == DataType::LargeBinary {
            let offsets = value_offsets::<i64>(b).map_err(bad)?;
            return large_binary(b.buffer, offsets, nulls).map_err(bad);
        }
        let offsets = value_offsets::<i32>(b).map_err(bad)?;
        if !f.ty.is_decimal() {
            return var_array(dt, b.buffer, offsets, nulls).map_err(bad);
        }
        let value = |i: usize| &b.buffer[offsets[i] as usize..offsets[i + 1] as usize];
        let mut v = Vec::with_capacity(n);
        for i in 0..n {
            if b.is_null[i] != 0 {
                v.push(0);
                continue;
            }
            v.push(
                decimal::parse(value(i), f.precision, f.scale).ok_or_else(|| {
                    Stmt2Error::rejected(
                        Code::TSC_VALUE_OUT_OF_RANGE,
                        format!(
                            "field `{}` of table {t}, row {i}: invalid DECIMAL({}, {}) value {:?}",
                            f.name,
                            f.precision,
                            f.scale,
                            String::from_utf8_lossy(value(i))
                        ),
                    )
                })?,
            );
        }
        let a = Decimal128Array::new(ScalarBuffer::from(v), nulls);
        let a = a
            .with_precision_and_scale(f.precision, f.scale as i8)
            .map_err(|e| bad(e.to_string()))?;
        return Ok(Arc::new(a));
    }
    let w = f.ty.fixed_width().unwrap_or(0);
    let data = if let Some(copied) = values {
        copied
    } else if b.buffer.is_empty() && all_null {
        Buffer::from(vec![0u8; n * w])
    } else if b.buffer.len() == n * w {
        Buffer::from(b.buffer)
    } else {
        return Err(bad(format!(
            "buffer has {} bytes, {n} values of {w} bytes need {}",
            b.buffer.len(),
            n * w
        )));
    };
    if f.ty == TdType::Bool {
        let values = BooleanBuffer::collect_bool(n, |i| data[i] != 0);
        return Ok(Arc::new(BooleanArray::new(values, nulls)));
    }
    let data = ArrayData::try_new(
        dt.clone(),
        n,
        nulls.map(|x| x.into_inner().into_inner()),
        0,
        vec![data],
        vec![],
    )
    .map_err(|e| bad(e.to_string()))?;
    Ok(make_array(data))
}

/// The Arrow offsets of a variable-length block: NULL rows take no bytes, lengths must not
/// be negative, and they must add up to exactly the buffer.
fn value_offsets<O: OffsetSizeTrait>(b: &RawField<'_>) -> Result<Vec<O>, String> {
    let lengths = b.lengths.ok_or("length array missing")?;
    if O::from_usize(b.buffer.len()).is_none() {
        return Err(format!("buffer of {} bytes is too large", b.buffer.len()));
    }
    let mut offsets = Vec::with_capacity(b.num + 1);
    offsets.push(O::usize_as(0));
    let mut end = 0usize;
    for (i, (l, &null)) in lengths.chunks_exact(4).zip(b.is_null).enumerate() {
        let l = i32::from_le_bytes([l[0], l[1], l[2], l[3]]);
        if l < 0 {
            return Err(format!("negative length {l} at row {i}"));
        }
        end += if null == 0 { l as usize } else { 0 };
        // Wraps only when `end` passes the buffer size, which the check below refuses.
        offsets.push(O::usize_as(end));
    }
    if offsets.len() != b.num + 1 {
        return Err("length array shorter than the rows".into());
    }
    if end != b.buffer.len() {
        return Err(format!(
            "lengths add up to {end} bytes, buffer has {}",
            b.buffer.len()
        ));
    }
    Ok(offsets)
}

fn large_binary(
    buffer: &[u8],
    offsets: Vec<i64>,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef, String> {
    let o = OffsetBuffer::new(ScalarBuffer::from(offsets));
    LargeBinaryArray::try_new(o, Buffer::from(buffer), nulls)
        .map(|a| Arc::new(a) as ArrayRef)
        .map_err(|e| e.to_string())
}

fn var_array(
    dt: &DataType,
    buffer: &[u8],
    offsets: Vec<i32>,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef, String> {
    let values = Buffer::from(buffer);
    let o = OffsetBuffer::new(ScalarBuffer::from(offsets));
    if *dt == DataType::Utf8 {
        StringArray::try_new(o, values, nulls)
            .map(|a| Arc::new(a) as ArrayRef)
            .map_err(|_| "value is not valid UTF-8".to_string())
    } else {
        BinaryArray::try_new(o, values, nulls)
            .map(|a| Arc::new(a) as ArrayRef)
            .map_err(|e| e.to_string())
    }
}
