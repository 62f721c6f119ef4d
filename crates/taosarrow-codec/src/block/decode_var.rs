//! Variable-width columns: offsets + length-prefixed values → Arrow offsets + values, with
//! no allocation per value. NCHAR is transcoded from UCS-4; VARCHAR/JSON are validated as
//! UTF-8 in one pass.

use arrow_array::{make_array, ArrayRef};
use arrow_buffer::{BooleanBufferBuilder, Buffer, NullBuffer};
use arrow_data::ArrayData;
use arrow_schema::DataType;
use taosarrow_protocol::TdType;

use super::bounds::need;
use super::BlockColumn;
use crate::error::{CodecError, Location};

/// The little-endian i32 at `at`, which the caller has checked lies within `b`.
///
/// Called once per row (offsets and u32 length prefixes): a plain indexed read rather than the
/// protocol crate's `Reader`, whose per-read checks the caller has already made for the whole
/// array.
#[inline]
fn read_i32(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// How a variable-width column's values are copied into Arrow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum VarKind {
    /// UTF-8 text (VARCHAR, JSON) → Utf8, validated.
    Utf8,
    /// UCS-4 text (NCHAR) → Utf8, transcoded.
    Ucs4,
    /// Bytes with a u16 prefix → Binary.
    Binary,
    /// Bytes with a u32 prefix → LargeBinary.
    LargeBinary,
}

/// What a block's variable-width columns may still decode to beyond their value areas
/// ([`super::DecodeOptions::max_expansion`]), shared by all the columns of one block.
pub(super) struct Expansion {
    limit: usize,
    left: usize,
}

impl Expansion {
    /// A budget of `limit` bytes for one block.
    pub(super) fn new(limit: usize) -> Self {
        Expansion { limit, left: limit }
    }

    /// Accounts for a column whose `area`-byte value area decodes to `decoded` bytes.
    fn take(&mut self, area: usize, decoded: usize, at: &Location) -> Result<(), CodecError> {
        let extra = decoded.saturating_sub(area);
        if extra > self.left {
            return Err(CodecError::data(
                at.clone(),
                format!(
                    "rows sharing stored values decode to {decoded} bytes from a {area}-byte \
                     value area, beyond the block's limit of {} extra bytes",
                    self.limit
                ),
            ));
        }
        self.left -= extra;
        Ok(())
    }
}

pub(super) fn decode_var(
    bytes: &[u8],
    rows: usize,
    col: &BlockColumn,
    dt: &DataType,
    at: &Location,
    expansion: &mut Expansion,
) -> Result<(ArrayRef, usize), CodecError> {
    let offsets_len = rows.checked_mul(4).ok_or(CodecError::LimitExceeded {
        what: "row count",
        value: rows as u64,
        limit: (usize::MAX / 4) as u64,
    })?;
    let used = offsets_len
        .checked_add(col.length)
        .ok_or(CodecError::InvalidHeader("column length overflows".into()))?;
    need("variable-width column", used, bytes.len())?;
    let offsets = &bytes[..offsets_len];
    let area = &bytes[offsets_len..used];
    let kind = match col.ty {
        TdType::VarChar | TdType::Json => VarKind::Utf8,
        TdType::NChar => VarKind::Ucs4,
        TdType::Blob => VarKind::LargeBinary,
        _ => VarKind::Binary,
    };
    // Checks every value and sizes the output before anything is allocated for it.
    let decoded = decoded_len(offsets, area, rows, kind, at)?;
    expansion.take(area.len(), decoded, at)?;
    let array = if kind == VarKind::LargeBinary {
        gather::<i64>(offsets, area, rows, kind, decoded, dt, at)?
    } else {
        gather::<i32>(offsets, area, rows, kind, decoded, dt, at)?
    };
    Ok((array, used))
}

/// An Arrow offset type (i32 or i64).
trait Offset: Copy + arrow_buffer::ArrowNativeType {
    fn from_len(len: usize) -> Option<Self>;
}

impl Offset for i32 {
    fn from_len(len: usize) -> Option<Self> {
        i32::try_from(len).ok()
    }
}

impl Offset for i64 {
    fn from_len(len: usize) -> Option<Self> {
        i64::try_from(len).ok()
    }
}

impl VarKind {
    /// Bytes of the length prefix of each value.
    fn prefix(self) -> usize {
        if self == VarKind::LargeBinary {
            4
        } else {
            2
        }
    }
}

/// The error for `row` of the column at `at`.
fn row_err(at: &Location, row: usize, reason: String) -> CodecError {
    CodecError::data(
        Location {
            row: Some(row),
            ..at.clone()
        },
        reason,
    )
}

/// Where the payload of `row` lies in `area`, `None` for NULL; an error when the offset or
/// the value's length points outside the value area. `offsets` holds at least `row + 1`
/// entries (checked by the caller).
fn value_at(
    offsets: &[u8],
    area: &[u8],
    row: usize,
    kind: VarKind,
    at: &Location,
) -> Result<Option<std::ops::Range<usize>>, CodecError> {
    let off = read_i32(offsets, row * 4);
    if off < 0 {
        return Ok(None);
    }
    let start = off as usize;
    let payload_at = start + kind.prefix();
    if payload_at > area.len() {
        return Err(row_err(
            at,
            row,
            format!(
                "value offset {start} is outside the {}-byte value area",
                area.len()
            ),
        ));
    }
    let len = if kind.prefix() == 2 {
        usize::from(u16::from_le_bytes([area[start], area[start + 1]]))
    } else {
        read_i32(area, start) as u32 as usize
    };
    let end = payload_at + len;
    if end > area.len() {
        return Err(row_err(
            at,
            row,
            format!(
                "value of {len} bytes at offset {start} runs past the {}-byte value area",
                area.len()
            ),
        ));
    }
    Ok(Some(payload_at..end))
}

/// The total payload bytes of the column's non-NULL values, every value checked to lie in the
/// value area. An upper bound of the decoded size (NCHAR shrinks from UCS-4 to UTF-8); more
/// than the area when rows share a stored value.
fn decoded_len(
    offsets: &[u8],
    area: &[u8],
    rows: usize,
    kind: VarKind,
    at: &Location,
) -> Result<usize, CodecError> {
    let mut total = 0usize;
    for row in 0..rows {
        if let Some(r) = value_at(offsets, area, row, kind, at)? {
            total = total.saturating_add(r.len());
        }
    }
    Ok(total)
}

/// Copies the values into Arrow buffers; `decoded` is [`decoded_len`] of the same column,
/// already checked against the block's expansion budget.
fn gather<O: Offset>(
    offsets: &[u8],
    area: &[u8],
    rows: usize,
    kind: VarKind,
    decoded: usize,
    dt: &DataType,
    at: &Location,
) -> Result<ArrayRef, CodecError> {
    let mut out_offsets: Vec<O> = Vec::with_capacity(rows + 1);
    // NCHAR transcoding writes up to 4 bytes of slack past a value.
    let slack = if kind == VarKind::Ucs4 { 4 } else { 0 };
    let mut values: Vec<u8> = Vec::with_capacity(decoded + slack);
    let mut validity = BooleanBufferBuilder::new(rows);
    let mut null_count = 0usize;
    out_offsets.push(O::usize_as(0));
    for row in 0..rows {
        let Some(range) = value_at(offsets, area, row, kind, at)? else {
            validity.append(false);
            null_count += 1;
            let last = out_offsets[out_offsets.len() - 1];
            out_offsets.push(last);
            continue;
        };
        validity.append(true);
        let payload = &area[range];
        if kind == VarKind::Ucs4 {
            ucs4_to_utf8(payload, &mut values).map_err(|e| row_err(at, row, e))?;
        } else {
            values.extend_from_slice(payload);
        }
        let next = O::from_len(values.len()).ok_or_else(|| {
            row_err(
                at,
                row,
                "column values exceed the Arrow offset range".to_owned(),
            )
        })?;
        out_offsets.push(next);
    }
    let nulls = (null_count > 0).then(|| NullBuffer::new(validity.finish()));
    if kind == VarKind::Utf8 && !is_utf8_at_offsets(&values, &out_offsets) {
        return Err(locate_bad_utf8(offsets, area, rows, at)
            .unwrap_or_else(|| CodecError::data(at.clone(), "text is not valid UTF-8")));
    }
    let data = ArrayData::builder(dt.clone())
        .len(rows)
        .nulls(nulls)
        .add_buffer(Buffer::from_vec(out_offsets))
        .add_buffer(Buffer::from_vec(values));
    // SAFETY: the offsets start at 0, never decrease and end at the values' length, since
    // they were pushed above as the running length of `values`; the null buffer has `rows`
    // bits; `dt` is the Utf8/Binary/LargeBinary type whose offset width `O` is (checked by
    // `check_type`); text is valid UTF-8 split at character boundaries: NCHAR because it was
    // encoded from `char`s, VARCHAR/JSON by `is_utf8_at_offsets` just above.
    Ok(make_array(unsafe { data.build_unchecked() }))
}

/// Whether `values` is valid UTF-8 and every offset falls on a character boundary, i.e.
/// every value is valid UTF-8 on its own. One SIMD pass over the whole buffer.
fn is_utf8_at_offsets<O: Offset>(values: &[u8], offsets: &[O]) -> bool {
    if simdutf8::basic::from_utf8(values).is_err() {
        return false;
    }
    // A UTF-8 continuation byte is 0b10xx_xxxx, i.e. -64..=-1 as i8.
    offsets
        .iter()
        .all(|o| values.get(o.as_usize()).is_none_or(|&b| (b as i8) >= -0x40))
}

/// Finds the first row whose VARCHAR/JSON value is not valid UTF-8.
fn locate_bad_utf8(offsets: &[u8], area: &[u8], rows: usize, at: &Location) -> Option<CodecError> {
    (0..rows).find_map(|row| {
        let off = read_i32(offsets, row * 4);
        if off < 0 {
            return None;
        }
        let start = off as usize;
        let len = usize::from(u16::from_le_bytes([area[start], area[start + 1]]));
        let payload = &area[start + 2..start + 2 + len];
        std::str::from_utf8(payload).err().map(|e| {
            CodecError::data(
                Location {
                    row: Some(row),
                    ..at.clone()
                },
                format!("text is not valid UTF-8: {e}"),
            )
        })
    })
}

/// Appends UCS-4 (UTF-32LE) code points as UTF-8.
///
/// Branch-light: each code point is stored as one 4-byte write and the write position moves
/// by its UTF-8 length, so mixed-width text costs no mispredicted branches; validity is
/// accumulated and checked once per value.
fn ucs4_to_utf8(payload: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    if !payload.len().is_multiple_of(4) {
        return Err(format!(
            "NCHAR value of {} bytes is not a whole number of 4-byte code points",
            payload.len()
        ));
    }
    let start = out.len();
    // UTF-8 never takes more bytes than UCS-4; 4 bytes of slack take the last 4-byte write.
    out.resize(start + payload.len() + 4, 0);
    let buf = &mut out[start..];
    // Fast path, vectorised: all code points ASCII → one byte each.
    let ascii = payload.chunks_exact(4).fold(0u32, |acc, u| {
        acc | u32::from_le_bytes([u[0], u[1], u[2], u[3]])
    }) < 0x80;
    if ascii {
        for (dst, unit) in buf.iter_mut().zip(payload.chunks_exact(4)) {
            *dst = unit[0];
        }
        out.truncate(start + payload.len() / 4);
        return Ok(());
    }
    let mut pos = 0;
    let mut bad = false;
    for unit in payload.chunks_exact(4) {
        let cp = u32::from_le_bytes([unit[0], unit[1], unit[2], unit[3]]);
        bad |= (0xD800..0xE000).contains(&cp) | (cp > 0x10FFFF);
        let (bytes, len) = utf8_bytes(cp);
        buf[pos..pos + 4].copy_from_slice(&bytes.to_le_bytes());
        pos += len;
    }
    out.truncate(start + pos);
    if bad {
        let cp = payload
            .chunks_exact(4)
            .map(|u| u32::from_le_bytes([u[0], u[1], u[2], u[3]]))
            .find(|&cp| char::from_u32(cp).is_none())
            .unwrap_or_default();
        return Err(format!("invalid NCHAR code point {cp:#x}"));
    }
    Ok(())
}

/// The UTF-8 encoding of a valid code point as the low bytes of a little-endian u32, and its
/// length (garbage for invalid code points, which the caller rejects).
#[inline(always)]
fn utf8_bytes(cp: u32) -> (u32, usize) {
    let len = 1 + usize::from(cp >= 0x80) + usize::from(cp >= 0x800) + usize::from(cp >= 0x10000);
    let cont = |shift: u32| 0x80 | ((cp >> shift) & 0x3F);
    let one = cp;
    let two = (0xC0 | (cp >> 6)) | (cont(0) << 8);
    let three = (0xE0 | (cp >> 12)) | (cont(6) << 8) | (cont(0) << 16);
    let four = (0xF0 | (cp >> 18)) | (cont(12) << 8) | (cont(6) << 16) | (cont(0) << 24);
    ([one, two, three, four][len - 1], len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_values_take_the_fast_path_correctly() {
        let mut out = b"pre".to_vec();
        ucs4_to_utf8(&[0x61, 0, 0, 0, 0x7f, 0, 0, 0, 0x30, 0, 0, 0], &mut out).unwrap();
        assert_eq!(out, b"pre\x61\x7f0");
        let mut out = Vec::new();
        ucs4_to_utf8(&[], &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn transcodes_every_width_and_rejects_non_scalars() {
        let text =
            "a\u{7f}\u{80}é\u{7ff}\u{800}中\u{d7ff}\u{e000}\u{fffd}\u{ffff}\u{10000}😀\u{10ffff}";
        let ucs4: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let mut out = vec![b'x'];
        ucs4_to_utf8(&ucs4, &mut out).unwrap();
        assert_eq!(&out[1..], text.as_bytes());
        assert_eq!(out[0], b'x');
        for bad in [0xD800u32, 0xDFFF, 0x110000, u32::MAX] {
            let mut unit = ucs4.clone();
            unit.extend_from_slice(&bad.to_le_bytes());
            assert!(ucs4_to_utf8(&unit, &mut Vec::new()).is_err(), "{bad:#x}");
        }
        assert!(ucs4_to_utf8(&[0x61, 0, 0], &mut Vec::new()).is_err());
    }
}
