//! The rows of a TMQ data message as `fetch_raw_data` carries them (`tmq.md` §3.5.1): an
//! offset block, then per table a raw block (`raw-block.md`) with the column schema and the
//! table name. [`encode_data_rsp`] writes it from Arrow batches; [`decode_data_rsp`] reads it
//! into Arrow batches, one per block, named by the schema the payload carries.
//!
//! Every count, length and varint is checked against the bytes present: hostile input gives a
//! [`CodecError`], never a panic or an allocation the input does not pay for.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use taosarrow_protocol::Precision;

use crate::block::{read_layout, MAX_COLUMNS};
use crate::error::CodecError;
use crate::schema::{arrow_schema, ColumnSpec, SchemaOptions};
use crate::{decode_block_with, encode_block, DecodeOptions};

/// The payload format TDengine writes (`MQ_DATA_RSP_VERSION`).
pub const DATA_RSP_FORMAT: u8 = 100;
/// Bytes of the per-block header (`SRetrieveTableRspForTmq`): version, rows, compressed,
/// precision.
pub const BLOCK_ENTRY_HEADER_LEN: usize = 18;
/// The offset type byte of a log offset (`TMQ_OFFSET__LOG`).
const OFFSET_TYPE_LOG: u8 = 1;
/// Longest varint accepted: a u64 in 7-bit groups.
const MAX_VARINT_BYTES: usize = 10;

/// One table's rows to encode.
#[derive(Debug, Clone, Copy)]
pub struct DataRspBlock<'a> {
    /// The table the rows belong to (sent with every block).
    pub table: &'a str,
    /// The rows; TIMESTAMP columns in the database precision.
    pub batch: &'a RecordBatch,
}

/// One decoded block.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedDataBlock {
    /// The table name, when the payload carries names.
    pub table: Option<String>,
    /// The block's timestamp precision.
    pub precision: Precision,
    /// The rows, with the column names of the payload's schema.
    pub batch: RecordBatch,
}

/// A decoded data payload.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRsp {
    /// The timestamp precision of the blocks (of the first block; all share the database's).
    pub precision: Precision,
    /// The blocks in payload order.
    pub blocks: Vec<DecodedDataBlock>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_zigzag(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_cstr(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64 + 1);
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

fn put_offset(out: &mut Vec<u8>, version: i64) {
    out.push(OFFSET_TYPE_LOG);
    out.extend_from_slice(&version.to_le_bytes());
}

/// Appends the data payload of `blocks` (`tmq.md` §3.5.1): format 100, the request and
/// response offsets as log offsets, `with_tbname = 1`, `with_schema = 1`, then every block
/// with its schema (column ids from 1, schema version 1) and table name.
///
/// A client decoder assumes at least one block; `blocks` may be empty only for a payload no
/// client reads. On error `out` is left as it was.
pub fn encode_data_rsp(
    blocks: &[DataRspBlock<'_>],
    precision: Precision,
    req_offset: i64,
    rsp_offset: i64,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    let start = out.len();
    let r = encode_into(blocks, precision, req_offset, rsp_offset, out);
    if r.is_err() {
        out.truncate(start);
    }
    r
}

fn encode_into(
    blocks: &[DataRspBlock<'_>],
    precision: Precision,
    req_offset: i64,
    rsp_offset: i64,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    let count = i32::try_from(blocks.len()).map_err(|_| CodecError::LimitExceeded {
        what: "block count",
        value: blocks.len() as u64,
        limit: i32::MAX as u64,
    })?;
    out.push(DATA_RSP_FORMAT);
    out.extend_from_slice(&18i32.to_le_bytes());
    put_offset(out, req_offset);
    put_offset(out, rsp_offset);
    out.extend_from_slice(&count.to_le_bytes());
    out.push(1); // with_tbname
    out.push(1); // with_schema
    let mut raw = Vec::new();
    for b in blocks {
        raw.clear();
        encode_block(b.batch, &mut raw)?;
        put_varint(out, (BLOCK_ENTRY_HEADER_LEN + raw.len()) as u64);
        out.extend_from_slice(&1i64.to_le_bytes());
        out.extend_from_slice(&(b.batch.num_rows() as i64).to_be_bytes());
        out.push(0); // not compressed
        out.push(precision.code());
        out.extend_from_slice(&raw);
        let (_, columns, _) = read_layout(&raw)?;
        put_zigzag(out, columns.len() as i64);
        put_zigzag(out, 1);
        for (i, (col, field)) in columns.iter().zip(b.batch.schema().fields()).enumerate() {
            out.push(col.ty.code());
            out.push(1);
            put_zigzag(out, i64::from(col.bytes));
            put_zigzag(out, i as i64 + 1);
            put_cstr(out, field.name());
        }
        put_cstr(out, b.table);
    }
    Ok(())
}

/// A cursor over a payload that reports what it was reading when bytes run out.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        let available = self.buf.len() - self.pos;
        if n > available {
            return Err(CodecError::Truncated {
                what,
                needed: n,
                available,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, CodecError> {
        Ok(self.bytes(1, what)?[0])
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, CodecError> {
        let b = self.bytes(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn varint(&mut self, what: &'static str) -> Result<u64, CodecError> {
        let mut v: u64 = 0;
        for i in 0..MAX_VARINT_BYTES {
            let b = self.u8(what)?;
            let bits = u64::from(b & 0x7F);
            if i == MAX_VARINT_BYTES - 1 && bits > 1 {
                break;
            }
            v |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CodecError::InvalidHeader(format!(
            "{what}: varint longer than 64 bits"
        )))
    }

    fn zigzag(&mut self, what: &'static str) -> Result<i64, CodecError> {
        let n = self.varint(what)?;
        Ok((n >> 1) as i64 ^ -((n & 1) as i64))
    }

    fn cstr(&mut self, what: &'static str) -> Result<String, CodecError> {
        let len = self.varint(what)?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l >= 1)
            .ok_or_else(|| CodecError::InvalidHeader(format!("{what}: length {len}")))?;
        let b = self.bytes(len, what)?;
        let (text, nul) = b.split_at(len - 1);
        if nul != [0] {
            return Err(CodecError::InvalidHeader(format!(
                "{what}: missing its trailing NUL"
            )));
        }
        String::from_utf8(text.to_vec())
            .map_err(|_| CodecError::InvalidHeader(format!("{what}: not UTF-8")))
    }
}

/// Skips the offset block: from format 100 on an i32 length and that many bytes; before, two
/// offsets whose type byte says their size (the first type byte is the "format").
fn skip_offsets(c: &mut Cursor<'_>, format: u8) -> Result<(), CodecError> {
    if format >= DATA_RSP_FORMAT {
        let len = c.i32("offset block length")?;
        let len = usize::try_from(len).map_err(|_| {
            CodecError::InvalidHeader(format!("negative offset block length {len}"))
        })?;
        c.bytes(len, "offset block")?;
        return Ok(());
    }
    let mut ty = format;
    for i in 0..2 {
        if i == 1 {
            ty = c.u8("response offset type")?;
        }
        let n = match ty {
            1 => 8,
            2 | 3 => 16,
            0 => 0,
            other => {
                return Err(CodecError::InvalidHeader(format!(
                    "unknown offset type {other}"
                )))
            }
        };
        c.bytes(n, "offset")?;
    }
    Ok(())
}

/// Reads a data payload (`tmq.md` §3.5.1) into Arrow batches, one per block. Column names
/// come from the payload's schema (`c0`, `c1`, … without one), types from the blocks
/// themselves, TIMESTAMP units from each block's precision and the time zone from `opts`.
/// Bytes after the last block are ignored, as clients do.
pub fn decode_data_rsp(bytes: &[u8], opts: &SchemaOptions) -> Result<DataRsp, CodecError> {
    decode_data_rsp_with(bytes, opts, &DecodeOptions::default())
}

/// Like [`decode_data_rsp`], with explicit block limits.
pub fn decode_data_rsp_with(
    bytes: &[u8],
    opts: &SchemaOptions,
    limits: &DecodeOptions,
) -> Result<DataRsp, CodecError> {
    let mut c = Cursor { buf: bytes, pos: 0 };
    let format = c.u8("payload format")?;
    skip_offsets(&mut c, format)?;
    let count = c.i32("block count")?;
    let count = usize::try_from(count)
        .map_err(|_| CodecError::InvalidHeader(format!("negative block count {count}")))?;
    let with_tbname = c.u8("with_tbname")? != 0;
    let with_schema = c.u8("with_schema")? != 0;
    // Each block takes at least its header: no more entries than the bytes can hold.
    let room = (bytes.len() - c.pos) / (BLOCK_ENTRY_HEADER_LEN + 1);
    let mut blocks = Vec::with_capacity(count.min(room));
    let mut precision = None;
    for _ in 0..count {
        let len = c.varint("block length")?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l >= BLOCK_ENTRY_HEADER_LEN)
            .ok_or_else(|| CodecError::InvalidHeader(format!("block entry length {len}")))?;
        let entry = c.bytes(len, "block entry")?;
        let p = Precision::from_code(i64::from(entry[17]))
            .map_err(|e| CodecError::InvalidHeader(e.to_string()))?;
        if entry[16] != 0 {
            return Err(CodecError::InvalidHeader(
                "compressed TMQ blocks are not supported".into(),
            ));
        }
        let raw = &entry[BLOCK_ENTRY_HEADER_LEN..];
        let (_, columns, _) = read_layout(raw)?;
        let names: Vec<String> = if with_schema {
            let n = c.zigzag("schema column count")?;
            if n < 0 || n as usize > MAX_COLUMNS || n as usize != columns.len() {
                return Err(CodecError::SchemaMismatch(format!(
                    "the schema lists {n} columns, the block has {}",
                    columns.len()
                )));
            }
            c.zigzag("schema version")?;
            let mut names = Vec::with_capacity(columns.len());
            for _ in 0..columns.len() {
                c.u8("schema column type")?;
                c.u8("schema column flags")?;
                c.zigzag("schema column bytes")?;
                c.zigzag("schema column id")?;
                names.push(c.cstr("schema column name")?);
            }
            names
        } else {
            (0..columns.len()).map(|i| format!("c{i}")).collect()
        };
        let table = if with_tbname {
            Some(c.cstr("table name")?)
        } else {
            None
        };
        let specs: Vec<ColumnSpec> = columns
            .iter()
            .zip(names)
            .map(|(col, name)| col.to_column_spec(name))
            .collect();
        let schema: SchemaRef = arrow_schema(
            &specs,
            &SchemaOptions {
                precision: p,
                timezone: opts.timezone.clone(),
            },
        )?;
        let batch = decode_block_with(raw, &Arc::clone(&schema), limits)?;
        precision.get_or_insert(p);
        blocks.push(DecodedDataBlock {
            table,
            precision: p,
            batch,
        });
    }
    Ok(DataRsp {
        precision: precision.unwrap_or(opts.precision),
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_overlong_ones_are_refused() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut c = Cursor { buf: &out, pos: 0 };
            assert_eq!(c.varint("v").unwrap(), v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            put_zigzag(&mut out, v);
            let mut c = Cursor { buf: &out, pos: 0 };
            assert_eq!(c.zigzag("v").unwrap(), v);
        }
        let eleven = [0xFFu8; 11];
        let mut c = Cursor {
            buf: &eleven,
            pos: 0,
        };
        assert!(c.varint("v").is_err());
    }
}
