//! The field being written, for error locations, and the per-row length record every
//! variable-width writer shares. A leaf: the writers (`field_block`, `time`, `var`,
//! `decimal`) depend on it, never the other way round.

use arrow_schema::DataType;
use taosarrow_protocol::wire::patch_u32;

use super::error::{BindLocation, Stmt2Error};
use super::field::{BindField, EncodeOptions};

/// Context for errors: which table and field is being written.
pub(crate) struct Ctx<'a> {
    pub table: usize,
    pub field: &'a BindField,
    pub opts: EncodeOptions,
}

impl Ctx<'_> {
    pub fn at(&self, row: Option<usize>) -> BindLocation {
        BindLocation {
            table: self.table,
            field: self.field.name.clone(),
            row,
        }
    }

    pub fn mismatch(&self, dt: &DataType) -> Stmt2Error {
        Stmt2Error::TypeMismatch {
            at: self.at(None),
            arrow: dt.to_string(),
            ty: self.field.ty,
        }
    }

    pub fn overflow(&self, row: usize, value: impl ToString) -> Stmt2Error {
        Stmt2Error::Overflow {
            at: self.at(Some(row)),
            value: value.to_string(),
            ty: self.field.ty,
        }
    }
}

/// Records the length of row `i` (the bytes appended since `before`).
pub(crate) fn set_length(
    out: &mut [u8],
    lengths_pos: usize,
    i: usize,
    len: usize,
    ctx: &Ctx<'_>,
) -> Result<(), Stmt2Error> {
    let len = i32::try_from(len).map_err(|_| ctx.overflow(i, format!("of {len} bytes")))?;
    patch_u32(out, lengths_pos + 4 * i, len as u32);
    Ok(())
}
