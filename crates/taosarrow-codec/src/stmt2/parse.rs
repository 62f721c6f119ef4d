//! Server side: the structural checks taosAdapter makes on a bind payload (`stmt2.md` §5.7
//! steps 1–6), without trusting any length, count or offset.

use taosarrow_protocol::frames::{BinaryAction, BinaryHeader, HEADER_LEN};
use taosarrow_protocol::wire::Reader;

use super::encode::{
    BIND_EXEC_FRAME_HEADER_LEN, BIND_FRAME_HEADER_LEN, BIND_VERSION, PAYLOAD_HEADER_LEN,
};
use super::error::Stmt2Error;

/// A `stmt2_bind` (action 9) or `stmt2_bind_exec` (action 11) frame, split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindFrame<'a> {
    /// Request id.
    pub req_id: u64,
    /// Statement id.
    pub stmt_id: u64,
    /// 9 ([`BinaryAction::Stmt2Bind`]) or 11 ([`BinaryAction::Stmt2BindExec`]).
    pub action: u64,
    /// Column index (-1 = all); always -1 for action 11, which has none on the wire.
    pub col_idx: i32,
    /// The payload after the fixed header.
    pub payload: &'a [u8],
}

/// Splits a `stmt2_bind` or `stmt2_bind_exec` frame, checking its length and version with
/// taosAdapter's messages. The payload itself is checked by [`parse_raw`] (action 9) or
/// [`parse_bind_exec_raw`](super::parse_bind_exec_raw) (action 11).
pub fn parse_bind_frame(frame: &[u8]) -> Result<BindFrame<'_>, Stmt2Error> {
    let too_short = || Stmt2Error::protocol("message length is too short");
    let header = BinaryHeader::decode(frame).map_err(|_| too_short())?;
    let exec = match header.known_action() {
        Some(BinaryAction::Stmt2Bind) => false,
        Some(BinaryAction::Stmt2BindExec) => true,
        _ => {
            return Err(Stmt2Error::protocol(format!(
                "unknown binary action {}",
                header.action
            )))
        }
    };
    let fixed = if exec {
        BIND_EXEC_FRAME_HEADER_LEN
    } else {
        BIND_FRAME_HEADER_LEN
    };
    if frame.len() < fixed {
        return Err(too_short());
    }
    let mut r = Reader::at(frame, HEADER_LEN, "stmt2 bind frame");
    if r.u16().ok() != Some(BIND_VERSION) {
        return Err(Stmt2Error::protocol(if exec {
            "unknown stmt2 bind exec version"
        } else {
            "unknown stmt2 bind version"
        }));
    }
    let col_idx = if exec { -1 } else { r.i32().unwrap_or(-1) };
    Ok(BindFrame {
        req_id: header.req_id,
        stmt_id: header.resource_id,
        action: header.action,
        col_idx,
        payload: &frame[fixed..],
    })
}

/// One field block as sent (`stmt2.md` §5.5), borrowing from the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawField<'a> {
    /// `type` (data type code as sent).
    pub type_code: i32,
    /// `num` rows.
    pub num: usize,
    /// `is_null`, one byte per row (nonzero = NULL).
    pub is_null: &'a [u8],
    /// The length array (`4·num` bytes of i32), when `have_length` was nonzero.
    pub lengths: Option<&'a [u8]>,
    /// The buffer.
    pub buffer: &'a [u8],
}

impl RawField<'_> {
    /// Length of row `i` from the length array (0 without one).
    // Called once per row: a checked slice read rather than a `Reader` per value.
    pub fn length(&self, i: usize) -> i32 {
        self.lengths
            .and_then(|l| l.get(4 * i..4 * i + 4))
            .map_or(0, |b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// One table of a payload: name bytes (without the NUL), tag blocks, column blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTable<'a> {
    /// Table name, when the payload has a table-name section.
    pub name: Option<&'a [u8]>,
    /// `tag_count` blocks (empty without a tag section).
    pub tags: Vec<RawField<'a>>,
    /// `col_count` blocks (empty without a column section).
    pub columns: Vec<RawField<'a>>,
}

/// A structurally valid payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPayload<'a> {
    /// `tag_count` from the header.
    pub tag_count: usize,
    /// `col_count` from the header.
    pub col_count: usize,
    /// Whether the table-name section is present.
    pub has_names: bool,
    /// One entry per table (`count`).
    pub tables: Vec<RawTable<'a>>,
}

/// Checks and splits an action-9 payload as taosAdapter does (`stmt2.md` §5.7 steps 2–6).
/// Beyond the adapter, every block must lie within its table's `data_length`.
pub fn parse_raw(payload: &[u8]) -> Result<RawPayload<'_>, Stmt2Error> {
    if payload.len() < PAYLOAD_HEADER_LEN {
        return Err(Stmt2Error::protocol("data length is less than 28"));
    }
    let mut h = [0u64; 7];
    let mut r = Reader::new(payload, "stmt2 bind payload header");
    for v in &mut h {
        *v = u64::from(
            r.u32()
                .map_err(|_| Stmt2Error::protocol("data length is less than 28"))?,
        );
    }
    let [total, count, tag_count, col_count, names_off, tags_off, cols_off] = h;
    if total != payload.len() as u64 {
        return Err(Stmt2Error::protocol(format!(
            "total length not match, expect {}, but get {total}",
            payload.len()
        )));
    }
    if names_off == 0 && tags_off == 0 && cols_off == 0 {
        return Err(Stmt2Error::protocol(
            "no table names, tags or columns in bind data",
        ));
    }
    let count_us = count as usize;
    let mut names: Option<Vec<&[u8]>> = None;
    if names_off > 0 {
        let mut end = names_off + 2 * count;
        if end > total {
            return Err(Stmt2Error::protocol(format!(
                "table name lengths out of range, total length: {total}, tableNamesLengthEnd: {end}"
            )));
        }
        let mut r = Reader::at(payload, names_off as usize, "stmt2 table name lengths");
        let lens = (0..count_us)
            .map(|_| r.u16().map(u64::from))
            .collect::<Result<Vec<u64>, _>>()
            .map_err(|e| Stmt2Error::protocol(e.to_string()))?;
        if let Some(i) = lens.iter().position(|&l| l == 0) {
            return Err(Stmt2Error::protocol(format!(
                "table name length is 0, tableIndex: {i}"
            )));
        }
        end += lens.iter().sum::<u64>();
        if end > total {
            return Err(Stmt2Error::protocol(format!(
                "table names out of range, total length: {total}, tableNameTotalLength: {end}"
            )));
        }
        let mut pos = (names_off + 2 * count) as usize;
        let mut v = Vec::with_capacity(count_us);
        for (i, &l) in lens.iter().enumerate() {
            let name = &payload[pos..pos + l as usize];
            pos += l as usize;
            match name.split_last() {
                Some((0, body)) if !body.contains(&0) => v.push(body),
                _ => {
                    return Err(Stmt2Error::protocol(format!(
                        "table name is not NUL-terminated, tableIndex: {i}"
                    )))
                }
            }
        }
        names = Some(v);
    }
    let tags = section(payload, "tag", tags_off, count, tag_count)?;
    let cols = section(payload, "col", cols_off, count, col_count)?;
    let mut tables = Vec::with_capacity(count_us);
    let mut tags_it = tags.into_iter().flatten();
    let mut cols_it = cols.into_iter().flatten();
    for t in 0..count_us {
        tables.push(RawTable {
            name: names.as_ref().map(|n| n[t]),
            tags: tags_it.next().unwrap_or_default(),
            columns: cols_it.next().unwrap_or_default(),
        });
    }
    Ok(RawPayload {
        tag_count: tag_count as usize,
        col_count: col_count as usize,
        has_names: names.is_some(),
        tables,
    })
}

/// The tag or column section: per-table lengths, then each table's blocks.
fn section<'a>(
    payload: &'a [u8],
    what: &str,
    off: u64,
    count: u64,
    field_count: u64,
) -> Result<Option<Vec<Vec<RawField<'a>>>>, Stmt2Error> {
    if off == 0 {
        return Ok(None);
    }
    let total = payload.len() as u64;
    let plural = if what == "tag" { "tags" } else { "cols" };
    if field_count == 0 {
        return Err(Stmt2Error::protocol(format!(
            "{what} count is 0, but {plural} offset is not 0"
        )));
    }
    let mut end = off + 4 * count;
    if end > total {
        return Err(Stmt2Error::protocol(format!(
            "{plural} out of range, total length: {total}, {what}End: {end}"
        )));
    }
    let mut r = Reader::at(payload, off as usize, "stmt2 section lengths");
    let lens = (0..count as usize)
        .map(|_| r.u32().map(u64::from))
        .collect::<Result<Vec<u64>, _>>()
        .map_err(|e| Stmt2Error::protocol(e.to_string()))?;
    if let Some(i) = lens.iter().position(|&l| l == 0) {
        return Err(Stmt2Error::protocol(format!(
            "{what} length is 0, tableIndex: {i}"
        )));
    }
    end += lens.iter().sum::<u64>();
    if end > total {
        return Err(Stmt2Error::protocol(format!(
            "{plural} out of range, total length: {total}, {plural}TotalLength: {end}"
        )));
    }
    let mut pos = (off + 4 * count) as usize;
    let mut tables = Vec::with_capacity(lens.len());
    for (t, &l) in lens.iter().enumerate() {
        let data = &payload[pos..pos + l as usize];
        pos += l as usize;
        // Each block takes at least 17 bytes: never reserve more than the bytes can hold.
        let mut blocks = Vec::with_capacity((field_count as usize).min(data.len() / 17));
        let mut at = 0;
        for f in 0..field_count as usize {
            let (block, used) = field_block(&data[at..]).ok_or_else(|| block_error(t, f))?;
            blocks.push(block);
            at += used;
        }
        if at != data.len() {
            return Err(block_error(t, field_count as usize));
        }
        tables.push(blocks);
    }
    Ok(Some(tables))
}

fn block_error(t: usize, f: usize) -> Stmt2Error {
    Stmt2Error::protocol(format!(
        "bind data length error, tableIndex: {t}, fieldIndex: {f}"
    ))
}

/// Reads one field block at the start of `data`: the block and its size, or `None` when it
/// runs past `data` or its `total_length` disagrees with its contents.
pub(crate) fn field_block(data: &[u8]) -> Option<(RawField<'_>, usize)> {
    let mut r = Reader::new(data, "stmt2 field block");
    let total = r.u32().ok()? as usize;
    let type_code = r.i32().ok()?;
    let num = usize::try_from(r.i32().ok()?).ok()?;
    let is_null = r.bytes(num).ok()?;
    let have_length = r.u8().ok()?;
    let lengths = if have_length != 0 {
        Some(r.bytes(num.checked_mul(4)?).ok()?)
    } else {
        None
    };
    let buffer_length = r.i32().ok()?;
    let buffer = if buffer_length > 0 {
        r.bytes(buffer_length as usize).ok()?
    } else {
        &data[..0]
    };
    if r.position() != total {
        return None;
    }
    Some((
        RawField {
            type_code,
            num,
            is_null,
            lengths,
            buffer,
        },
        total,
    ))
}
