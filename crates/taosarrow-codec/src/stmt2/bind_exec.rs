//! `stmt2_bind_exec` (action 11): the column-wise payload (`stmt2.md` §10).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, StringArray, UInt32Array};
use arrow_select::{concat::concat, take::take};
use taosarrow_protocol::frames::BinaryAction;
use taosarrow_protocol::wire::{patch_u32, put_u32, Reader};
use taosarrow_protocol::TdType;

use super::ctx::Ctx;
use super::encode::{check_shape, put_frame_header};
use super::error::Stmt2Error;
use super::field::{BindField, BindRole, EncodeOptions, Roles, TableBind};
use super::field_block::write_block;
use super::parse::{field_block, RawField};
use super::to_arrow::{to_array, ParsedTable};

/// Fixed header of the column-wise payload.
const HEADER: usize = 20;
/// Largest field count the adapter accepts.
const MAX_FIELDS: u32 = 4096;

/// Appends a complete `stmt2_bind_exec` frame (action 11) to `out`.
pub fn encode_bind_exec_frame(
    req_id: u64,
    stmt_id: u64,
    fields: &[BindField],
    tables: &[TableBind],
    opts: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), Stmt2Error> {
    let start = out.len();
    put_frame_header(out, req_id, stmt_id, BinaryAction::Stmt2BindExec);
    encode_bind_exec_payload(fields, tables, opts, out).inspect_err(|_| out.truncate(start))
}

/// Appends the column-wise payload: one block per prepared field in prepare order, each with
/// every row of every table (table names and tags repeated per row). Row numbers in errors
/// count across all tables.
pub fn encode_bind_exec_payload(
    fields: &[BindField],
    tables: &[TableBind],
    opts: &EncodeOptions,
    out: &mut Vec<u8>,
) -> Result<(), Stmt2Error> {
    let roles = Roles::of(fields);
    check_shape(&roles, tables)?;
    let rows: usize = tables.iter().map(TableBind::num_rows).sum();
    let row_count = i32::try_from(rows).map_err(|_| Stmt2Error::TooLarge {
        what: "row count",
        len: rows,
    })?;
    if fields.len() > MAX_FIELDS as usize {
        return Err(Stmt2Error::Shape(format!(
            "{} fields, at most 4096",
            fields.len()
        )));
    }
    let runs = 1 + tables.windows(2).filter(|w| w[0].name != w[1].name).count();
    let start = out.len();
    put_u32(out, 0);
    put_u32(out, row_count as u32);
    put_u32(out, runs as u32);
    put_u32(out, fields.len() as u32);
    put_u32(out, HEADER as u32);
    let (mut tag_i, mut col_i) = (0, 0);
    let arrow_err = |e: arrow_schema::ArrowError| Stmt2Error::Shape(e.to_string());
    for field in fields {
        let array: ArrayRef = match field.role {
            BindRole::TableName => {
                // Collected first: a flattened iterator has no exact size, which the
                // string builder requires.
                let names: Vec<&str> = tables
                    .iter()
                    .flat_map(|t| {
                        std::iter::repeat_n(t.name.as_deref().unwrap_or(""), t.num_rows())
                    })
                    .collect();
                Arc::new(StringArray::from_iter_values(names))
            }
            BindRole::Tag => {
                let parts = tables
                    .iter()
                    .map(|t| {
                        let idx = UInt32Array::from(vec![0u32; t.num_rows()]);
                        take(t.tags[tag_i].as_ref(), &idx, None)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(arrow_err)?;
                tag_i += 1;
                concat_all(&parts).map_err(arrow_err)?
            }
            BindRole::Column | BindRole::Query => {
                let parts: Vec<ArrayRef> =
                    tables.iter().map(|t| t.columns[col_i].clone()).collect();
                col_i += 1;
                concat_all(&parts).map_err(arrow_err)?
            }
        };
        let name_field;
        let field = if field.role == BindRole::TableName {
            name_field = BindField::new(field.name.clone(), TdType::VarChar, BindRole::TableName);
            &name_field
        } else {
            field
        };
        let ctx = Ctx {
            table: 0,
            field,
            opts: *opts,
        };
        if let Err(e) = write_block(out, array.as_ref(), &ctx) {
            out.truncate(start);
            return Err(e);
        }
    }
    let total = out.len() - start;
    let Ok(total) = u32::try_from(total) else {
        out.truncate(start);
        return Err(Stmt2Error::TooLarge {
            what: "payload",
            len: total,
        });
    };
    patch_u32(out, start, total);
    Ok(())
}

fn concat_all(parts: &[ArrayRef]) -> Result<ArrayRef, arrow_schema::ArrowError> {
    if parts.len() == 1 {
        return Ok(parts[0].clone());
    }
    let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
    concat(&refs)
}

/// A structurally valid column-wise payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBindExec<'a> {
    /// Rows per field block.
    pub row_count: usize,
    /// Number of tables the sender announced.
    pub table_count: usize,
    /// One block per prepared field, in prepare order.
    pub fields: Vec<RawField<'a>>,
}

/// Checks and splits an action-11 payload (`stmt2.md` §10).
pub fn parse_bind_exec_raw(payload: &[u8]) -> Result<RawBindExec<'_>, Stmt2Error> {
    let err = |m: String| Stmt2Error::protocol(m);
    let mut r = Reader::new(payload, "stmt2 bind exec payload");
    let h = (r.u32(), r.u32(), r.u32(), r.u32(), r.u32());
    let (Ok(total), Ok(rows), Ok(tables), Ok(count), Ok(off)) = h else {
        return Err(err("data length is less than 20".into()));
    };
    if total as usize != payload.len() {
        return Err(err(format!(
            "total length not match, expect {}, but get {total}",
            payload.len()
        )));
    }
    if rows == 0 || rows > i32::MAX as u32 {
        return Err(err(format!("invalid row count {rows}")));
    }
    if count == 0 || count > MAX_FIELDS {
        return Err(err(format!("invalid field count {count}")));
    }
    if (off as usize) < HEADER || off >= total {
        return Err(err(format!("invalid field offset {off}")));
    }
    let mut at = off as usize;
    let mut fields = Vec::with_capacity(count as usize);
    for f in 0..count as usize {
        let (block, used) = field_block(&payload[at..])
            .ok_or_else(|| err(format!("bind data length error, fieldIndex: {f}")))?;
        if block.num != rows as usize {
            return Err(err(format!(
                "field {f} has {} rows, row count is {rows}",
                block.num
            )));
        }
        fields.push(block);
        at += used;
    }
    if at != payload.len() {
        return Err(err(format!("{} trailing bytes", payload.len() - at)));
    }
    Ok(RawBindExec {
        row_count: rows as usize,
        table_count: tables as usize,
        fields,
    })
}

/// Parses an action-11 payload against the prepared fields and regroups it per table
/// (consecutive equal names are one table; a tag takes its value from the table's first row).
pub fn parse_bind_exec_payload(
    payload: &[u8],
    fields: &[BindField],
) -> Result<Vec<ParsedTable>, Stmt2Error> {
    let raw = parse_bind_exec_raw(payload)?;
    let invalid =
        |m: String| Stmt2Error::rejected(taosarrow_protocol::Code::TSC_INVALID_OPERATION, m);
    if raw.fields.len() != fields.len() {
        return Err(invalid(format!(
            "bind has {} fields, the statement {}",
            raw.fields.len(),
            fields.len()
        )));
    }
    let mut names: Option<ArrayRef> = None;
    let mut arrays = Vec::with_capacity(fields.len());
    for (f, block) in fields.iter().zip(&raw.fields) {
        if f.role == BindRole::TableName {
            let nf = BindField::new(f.name.clone(), TdType::VarChar, BindRole::TableName);
            let a = to_array(block, &nf, 0)?;
            if a.null_count() > 0 {
                return Err(invalid("table name is NULL".into()));
            }
            names = Some(a);
        } else {
            arrays.push((f.role, to_array(block, f, 0)?));
        }
    }
    // Runs of equal names (one run without a tbname field).
    let mut runs: Vec<(Option<String>, usize, usize)> = Vec::new();
    match &names {
        Some(n) => {
            let n = n.as_string::<i32>();
            for i in 0..n.len() {
                match runs.last_mut() {
                    Some((Some(name), _, len)) if name == n.value(i) => *len += 1,
                    _ => runs.push((Some(n.value(i).to_owned()), i, 1)),
                }
            }
        }
        None => runs.push((None, 0, raw.row_count)),
    }
    Ok(runs
        .into_iter()
        .map(|(name, start, len)| ParsedTable {
            name,
            tags: arrays
                .iter()
                .filter(|(r, _)| *r == BindRole::Tag)
                .map(|(_, a)| a.slice(start, 1))
                .collect(),
            columns: arrays
                .iter()
                .filter(|(r, _)| *r != BindRole::Tag)
                .map(|(_, a)| a.slice(start, len))
                .collect(),
        })
        .collect())
}
