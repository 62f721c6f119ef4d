//! The raw result block (`raw-block.md`): header, column schemas, length array, sections.

mod bounds;
mod decode;
mod decode_var;
mod encode;

pub use decode::{decode_block, decode_block_with, DecodeOptions, DEFAULT_MAX_EXPANSION};
pub use encode::encode_block;

use taosarrow_protocol::wire::Reader;
use taosarrow_protocol::{ProtocolError, TdType};

use crate::error::{CodecError, Location};
use crate::schema::ColumnSpec;

/// Size of the fixed block header.
pub const HEADER_LEN: usize = 28;
/// Bytes per column schema entry (type i8 + bytes i32).
pub const COLUMN_SCHEMA_LEN: usize = 5;
/// Largest column count accepted (TDengine's own limit is 4096 columns).
pub const MAX_COLUMNS: usize = 4096;
/// Largest row count accepted in one block.
pub const MAX_ROWS: usize = i32::MAX as usize;
/// Flag TDengine writes: bit 31, "has column info segment".
pub const BLOCK_FLAG: u32 = 0x8000_0000;
/// The version written in blocks delivered over WebSocket.
pub const BLOCK_VERSION: i32 = 1;

/// The 28-byte block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    /// Version field (1 over WebSocket; readers ignore it).
    pub version: i32,
    /// Total block length, header and trailer included.
    pub length: usize,
    /// Row count.
    pub rows: usize,
    /// Column count.
    pub cols: usize,
    /// Flag field (readers ignore it).
    pub flag: u32,
    /// Group id (0 for ordinary queries).
    pub group_id: u64,
}

/// One column schema entry: the TDengine type and the schema width `bytes` (for DECIMAL the
/// packed width/precision/scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockColumn {
    /// The column type.
    pub ty: TdType,
    /// The schema width field as stored.
    pub bytes: i32,
    /// The length array entry: bytes of the column's data area (fixed) or value area (var).
    pub length: usize,
}

impl BlockColumn {
    /// DECIMAL precision and scale unpacked from `bytes` (`raw-block.md` §6).
    pub fn decimal_precision_scale(&self) -> (u8, u8) {
        let b = self.bytes.to_le_bytes();
        (b[1], b[0])
    }

    /// The column as a query response would describe it, named `name`: the declared length
    /// is derived from `bytes` as TDengine does ([`TdType::declared_length`]: VARCHAR n + 2 →
    /// n, NCHAR 4n + 2 → n, JSON → 4095, BLOB → 4194304; DECIMAL precision and scale unpacked).
    pub fn to_column_spec(&self, name: impl Into<String>) -> ColumnSpec {
        let declared = u32::try_from(self.bytes).unwrap_or(0);
        let mut spec = ColumnSpec::new(name, self.ty);
        spec.length = self.ty.declared_length(declared).unwrap_or(0);
        if self.ty.is_decimal() {
            let (precision, scale) = self.decimal_precision_scale();
            spec.precision = precision;
            spec.scale = scale;
        }
        spec
    }
}

/// The Arrow schema a block's own column schemas describe, with columns named `c0`, `c1`, …
/// (blocks carry no names). For inspecting blocks whose query response is not at hand.
pub fn block_schema(
    block: &[u8],
    opts: &crate::SchemaOptions,
) -> Result<arrow_schema::SchemaRef, CodecError> {
    let (_, columns, _) = read_layout(block)?;
    let specs: Vec<ColumnSpec> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| c.to_column_spec(format!("c{i}")))
        .collect();
    crate::arrow_schema(&specs, opts)
}

/// A short read of a block's fixed fields, as the codec reports it.
fn short(e: ProtocolError) -> CodecError {
    match e {
        ProtocolError::TooShort { what, need, got } => truncated(what, need, got),
        other => CodecError::InvalidHeader(other.to_string()),
    }
}

fn truncated(what: &'static str, needed: usize, available: usize) -> CodecError {
    CodecError::Truncated {
        what,
        needed,
        available,
    }
}

/// Reads and checks the header of the block at the start of `bytes`.
pub fn read_header(bytes: &[u8]) -> Result<BlockHeader, CodecError> {
    if bytes.len() < HEADER_LEN {
        return Err(truncated("block header", HEADER_LEN, bytes.len()));
    }
    let mut r = Reader::new(bytes, "block header");
    let version = r.i32().map_err(short)?;
    let length = r.i32().map_err(short)?;
    let rows = r.i32().map_err(short)?;
    let cols = r.i32().map_err(short)?;
    let flag = r.u32().map_err(short)?;
    let group_id = r.u64().map_err(short)?;
    let length = usize::try_from(length)
        .ok()
        .filter(|&l| l >= HEADER_LEN)
        .ok_or_else(|| CodecError::InvalidHeader(format!("block length {length}")))?;
    let rows = usize::try_from(rows)
        .map_err(|_| CodecError::InvalidHeader(format!("row count {rows}")))?;
    let cols = usize::try_from(cols)
        .map_err(|_| CodecError::InvalidHeader(format!("column count {cols}")))?;
    if cols > MAX_COLUMNS {
        return Err(CodecError::LimitExceeded {
            what: "column count",
            value: cols as u64,
            limit: MAX_COLUMNS as u64,
        });
    }
    if length > bytes.len() {
        return Err(truncated("block", length, bytes.len()));
    }
    Ok(BlockHeader {
        version,
        length,
        rows,
        cols,
        flag,
        group_id,
    })
}

/// The total length of the block at the start of `bytes`, checked against the bytes there.
pub fn block_length(bytes: &[u8]) -> Result<usize, CodecError> {
    read_header(bytes).map(|h| h.length)
}

/// Reads the header and the column schema and length arrays. Returns the header, the
/// columns and the offset of the first column section.
pub fn read_layout(block: &[u8]) -> Result<(BlockHeader, Vec<BlockColumn>, usize), CodecError> {
    let header = read_header(block)?;
    let block = &block[..header.length];
    let meta_end = HEADER_LEN + header.cols * (COLUMN_SCHEMA_LEN + 4);
    if meta_end > block.len() {
        return Err(truncated(
            "column schemas and lengths",
            meta_end,
            block.len(),
        ));
    }
    let mut schemas = Reader::at(block, HEADER_LEN, "column schemas");
    let mut lengths = Reader::at(
        block,
        HEADER_LEN + header.cols * COLUMN_SCHEMA_LEN,
        "column lengths",
    );
    let mut columns = Vec::with_capacity(header.cols);
    for i in 0..header.cols {
        let loc = || Location {
            column: i,
            name: None,
            row: None,
        };
        let code = i32::from(schemas.u8().map_err(short)? as i8);
        let ty =
            TdType::from_code(code).map_err(|_| CodecError::UnknownType { at: loc(), code })?;
        let bytes = schemas.i32().map_err(short)?;
        let length = lengths.i32().map_err(short)?;
        let length = usize::try_from(length)
            .map_err(|_| CodecError::data(loc(), format!("negative column length {length}")))?;
        columns.push(BlockColumn { ty, bytes, length });
    }
    Ok((header, columns, meta_end))
}
