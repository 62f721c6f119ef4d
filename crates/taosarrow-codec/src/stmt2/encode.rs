//! The stmt2 bind payload (`stmt2.md` §5.2–5.4) and the action 9 frame.

use arrow_array::Array;
use taosarrow_protocol::frames::{BinaryAction, BinaryHeader, HEADER_LEN};
use taosarrow_protocol::types::MAX_DECIMAL_PRECISION;
use taosarrow_protocol::wire::{patch_u32, put_i32, put_u16, put_u32};

use super::ctx::Ctx;
use super::error::Stmt2Error;
use super::field::{BindField, EncodeOptions, Roles, TableBind};
use super::field_block::write_block;

/// Payload header size.
pub const PAYLOAD_HEADER_LEN: usize = 28;
/// Size of the fixed part of a `stmt2_bind` frame (24-byte header, version, `col_idx`).
pub const BIND_FRAME_HEADER_LEN: usize = HEADER_LEN + 2 + 4;
/// Size of the fixed part of a `stmt2_bind_exec` frame (24-byte header, version).
pub const BIND_EXEC_FRAME_HEADER_LEN: usize = HEADER_LEN + 2;
/// The only stmt2 bind version.
pub const BIND_VERSION: u16 = 1;

/// Appends the fixed part of a `stmt2_bind` or `stmt2_bind_exec` frame: the binary header
/// and the version (the `col_idx` of action 9 is the caller's).
pub(crate) fn put_frame_header(out: &mut Vec<u8>, req_id: u64, stmt_id: u64, action: BinaryAction) {
    BinaryHeader {
        req_id,
        resource_id: stmt_id,
        action: action.code(),
    }
    .encode(out);
    put_u16(out, BIND_VERSION);
}

/// Appends a complete `stmt2_bind` frame (action 9, `col_idx` = -1) to `out`.
pub fn encode_bind_frame(
    req_id: u64,
    stmt_id: u64,
    fields: &[BindField],
    tables: &[TableBind],
    opts: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), Stmt2Error> {
    let start = out.len();
    put_frame_header(out, req_id, stmt_id, BinaryAction::Stmt2Bind);
    put_i32(out, -1); // col_idx: all columns
    encode_payload(fields, tables, opts, out).inspect_err(|_| out.truncate(start))
}

/// Appends the bind payload (the bytes after the 30-byte frame header) to `out`.
///
/// `fields` are the statement's placeholders as `stmt2_prepare` reported them, in order;
/// `tables` hold, per child table, the name (exactly when there is a `tbname` field), one
/// length-1 array per tag field and one array per column field, in field order. On error
/// `out` is left as it was.
pub fn encode_payload(
    fields: &[BindField],
    tables: &[TableBind],
    opts: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), Stmt2Error> {
    let start = out.len();
    let res = write_payload(fields, tables, opts, out, start);
    if res.is_err() {
        out.truncate(start);
    }
    res
}

fn count_u32(what: &'static str, n: usize) -> Result<u32, Stmt2Error> {
    i32::try_from(n)
        .map(|v| v as u32)
        .map_err(|_| Stmt2Error::TooLarge { what, len: n })
}

/// Checks the tables against the fields: counts, tag rows, equal column lengths, names.
pub(crate) fn check_shape(roles: &Roles<'_>, tables: &[TableBind]) -> Result<(), Stmt2Error> {
    if tables.is_empty() {
        return Err(Stmt2Error::Shape("no table to bind".into()));
    }
    if roles.tags + roles.cols == 0 {
        return Err(Stmt2Error::Shape(
            "the statement has no tag or column placeholders".into(),
        ));
    }
    for (t, table) in tables.iter().enumerate() {
        if table.tags.len() != roles.tags || table.columns.len() != roles.cols {
            return Err(Stmt2Error::Shape(format!(
                "table {t}: {} tags and {} columns given, the statement has {} and {}",
                table.tags.len(),
                table.columns.len(),
                roles.tags,
                roles.cols
            )));
        }
        for (f, tag) in roles.tag_fields().zip(&table.tags) {
            if tag.len() != 1 {
                return Err(Stmt2Error::Shape(format!(
                    "table {t}: tag `{}` has {} values, expected 1",
                    f.name,
                    tag.len()
                )));
            }
        }
        let rows = table.num_rows();
        for (f, col) in roles.col_fields().zip(&table.columns) {
            if col.len() != rows {
                return Err(Stmt2Error::Shape(format!(
                    "table {t}: column `{}` has {} rows, the first column {rows}",
                    f.name,
                    col.len()
                )));
            }
        }
        if roles.cols > 0 && rows == 0 {
            return Err(Stmt2Error::Shape(format!("table {t} has no rows")));
        }
        match (&table.name, roles.has_tbname) {
            (Some(name), true) => check_name(t, name)?,
            (None, true) => return Err(Stmt2Error::Shape(format!("table {t}: no table name"))),
            (Some(_), false) => {
                return Err(Stmt2Error::Shape(format!(
                    "table {t}: a table name is given but the statement has no tbname placeholder"
                )))
            }
            (None, false) => {}
        }
    }
    Ok(())
}

fn check_name(t: usize, name: &str) -> Result<(), Stmt2Error> {
    if name.is_empty() {
        return Err(Stmt2Error::Shape(format!("table {t}: table name is empty")));
    }
    if name.as_bytes().contains(&0) {
        return Err(Stmt2Error::Shape(format!(
            "table {t}: table name contains NUL"
        )));
    }
    if name.len() >= usize::from(u16::MAX) {
        return Err(Stmt2Error::TooLarge {
            what: "table name",
            len: name.len(),
        });
    }
    Ok(())
}

fn write_payload(
    fields: &[BindField],
    tables: &[TableBind],
    opts: &EncodeOptions,
    out: &mut Vec<u8>,
    start: usize,
) -> Result<(), Stmt2Error> {
    let roles = Roles::of(fields);
    check_shape(&roles, tables)?;
    out.reserve(estimate_payload_size(fields, tables));
    let count = count_u32("table count", tables.len())?;
    put_u32(out, 0); // total_length
    put_u32(out, count);
    put_u32(out, roles.tags as u32);
    put_u32(out, roles.cols as u32);
    out.resize(start + PAYLOAD_HEADER_LEN, 0); // three offsets, patched below
    let rel = |out: &Vec<u8>| -> Result<u32, Stmt2Error> {
        let len = out.len() - start;
        u32::try_from(len).map_err(|_| Stmt2Error::TooLarge {
            what: "payload",
            len,
        })
    };
    if roles.has_tbname {
        let off = rel(out)?;
        patch_u32(out, start + 16, off);
        for table in tables {
            let len = table.name.as_deref().map_or(0, str::len) + 1;
            put_u16(out, len as u16);
        }
        for table in tables {
            out.extend_from_slice(table.name.as_deref().unwrap_or("").as_bytes());
            out.push(0);
        }
    }
    for (tags, slot) in [(true, 20), (false, 24)] {
        let n = if tags { roles.tags } else { roles.cols };
        if n == 0 {
            continue;
        }
        let off = rel(out)?;
        patch_u32(out, start + slot, off);
        let lengths_pos = out.len();
        out.resize(lengths_pos + 4 * tables.len(), 0);
        for (t, table) in tables.iter().enumerate() {
            let before = out.len();
            let (arrays, fs): (&[_], Vec<_>) = if tags {
                (&table.tags, roles.tag_fields().collect())
            } else {
                (&table.columns, roles.col_fields().collect())
            };
            for (field, array) in fs.into_iter().zip(arrays) {
                let ctx = Ctx {
                    table: t,
                    field,
                    opts: *opts,
                };
                write_block(out, array.as_ref(), &ctx)?;
            }
            let len = out.len() - before;
            let len = u32::try_from(len).map_err(|_| Stmt2Error::TooLarge {
                what: "table data",
                len,
            })?;
            patch_u32(out, lengths_pos + 4 * t, len);
        }
    }
    let total = rel(out)?;
    patch_u32(out, start, total);
    Ok(())
}

/// An upper bound of the payload size [`encode_payload`] writes for these tables (exact
/// unless a fixed-width column is entirely NULL or DECIMAL values are shorter than their
/// maximum text), computed without encoding; use it to split a large ingest into binds of a
/// few megabytes.
pub fn estimate_payload_size(fields: &[BindField], tables: &[TableBind]) -> usize {
    PAYLOAD_HEADER_LEN
        + tables
            .iter()
            .map(|t| estimate_table_size(fields, t))
            .sum::<usize>()
}

/// The share of one table in [`estimate_payload_size`] (name, tag and column sections).
pub fn estimate_table_size(fields: &[BindField], table: &TableBind) -> usize {
    let roles = Roles::of(fields);
    let mut size = 0;
    if roles.has_tbname {
        size += 2 + table.name.as_deref().map_or(0, str::len) + 1;
    }
    if roles.tags > 0 {
        size += 4;
        for (f, a) in roles.tag_fields().zip(&table.tags) {
            size += block_size(f, a.as_ref());
        }
    }
    if roles.cols > 0 {
        size += 4;
        for (f, a) in roles.col_fields().zip(&table.columns) {
            size += block_size(f, a.as_ref());
        }
    }
    size
}

fn block_size(f: &BindField, a: &dyn Array) -> usize {
    let n = a.len();
    if f.ty.is_decimal() {
        // sign, up to 38 digits, point, leading zero
        let text = usize::from(MAX_DECIMAL_PRECISION) + 3;
        return 17 + 5 * n + text * n;
    }
    match f.ty.fixed_width() {
        Some(w) => 17 + n + w * n,
        None => 17 + 5 * n + super::size::value_bytes(a),
    }
}
