//! Schema changes of a super table and what they do to its child tables: a column added
//! (NULL in the stored rows), a tag added (NULL for every child), a VARCHAR/NCHAR/VARBINARY
//! column or tag widened, a column or tag dropped or renamed; the same for a normal table's
//! columns. `ALTER` and schemaless writing both go through here; the
//! caller holds the super table's definition locked and the commit lock exclusively.

use std::sync::Arc;

use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::Code;

use super::catalog::{schema_of, write, Database, StableDef, Table};
use super::types::field;
use crate::ServerError;

/// 0x036B or 0x0369 when `name` is already a column or tag of `def`.
fn check_free(def: &StableDef, name: &str, is_tag: bool) -> Result<(), ServerError> {
    if def
        .columns
        .iter()
        .chain(def.tags.iter())
        .any(|c| c.name == name)
    {
        return Err(ServerError::from_code(if is_tag {
            Code::MND_TAG_ALREADY_EXIST
        } else {
            Code::MND_COLUMN_ALREADY_EXIST
        }));
    }
    Ok(())
}

/// Adds the data column `spec` to super table `def` of `db`; every child table's stored
/// rows get it as NULL.
pub fn add_column(db: &Database, def: &mut StableDef, spec: ColumnSpec) -> Result<(), ServerError> {
    check_free(def, &spec.name, false)?;
    field(&spec, db.precision)?;
    def.columns.push(spec);
    let schema = schema_of(&def.columns, db.precision)?;
    for c in db.children(&def.name) {
        write(&c.data).add_column(schema.clone())?;
    }
    Ok(())
}

/// Adds the tag `spec` to super table `def` of `db`, NULL for every existing child table.
pub fn add_tag(db: &Database, def: &mut StableDef, spec: ColumnSpec) -> Result<(), ServerError> {
    check_free(def, &spec.name, true)?;
    let null = ScalarValue::try_from(field(&spec, db.precision)?.data_type())
        .map_err(ServerError::internal)?;
    def.tags.push(spec);
    for c in db.children(&def.name) {
        if let Some((_, tags)) = &c.child_of {
            write(tags).push(null.clone());
        }
    }
    Ok(())
}

/// Widens the variable-length column (or, with `is_tag`, tag) `name` of `def` to `length`;
/// a length not above the current one, or a type without a length, is refused.
pub fn widen(
    db: &Database,
    def: &mut StableDef,
    name: &str,
    length: u32,
    is_tag: bool,
) -> Result<(), ServerError> {
    if is_tag {
        return widen_spec(&mut def.tags, name, length, true);
    }
    widen_spec(&mut def.columns, name, length, false)?;
    relabel(db, &def.columns, &db.children(&def.name))
}

/// Widens `name` of `list` to `length`: the declared-length check of [`widen`].
pub fn widen_spec(
    list: &mut [ColumnSpec],
    name: &str,
    length: u32,
    is_tag: bool,
) -> Result<(), ServerError> {
    let index = position(list, name, is_tag)?;
    let spec = &mut list[index];
    let Some(max) = spec.ty.max_declared_length() else {
        return Err(ServerError::new(
            Code::PAR_INVALID_VAR_COLUMN_LEN,
            format!(
                "only the length of a VARCHAR, NCHAR or VARBINARY column can change, not {name}'s"
            ),
        ));
    };
    if length <= spec.length || length > max {
        return Err(ServerError::new(
            Code::PAR_INVALID_VAR_COLUMN_LEN,
            format!(
                "Invalid binary/nchar column length: {name} is {} long, the new length {length} must be longer and at most {max}",
                spec.length
            ),
        ));
    }
    spec.length = length;
    Ok(())
}

/// The position of `name` in `list`, or 0x036C / 0x036A.
fn position(list: &[ColumnSpec], name: &str, is_tag: bool) -> Result<usize, ServerError> {
    list.iter().position(|c| c.name == name).ok_or_else(|| {
        ServerError::from_code(if is_tag {
            Code::MND_TAG_NOT_EXIST
        } else {
            Code::MND_COLUMN_NOT_EXIST
        })
    })
}

/// Removes data column `name` from `columns` (a super table's or a normal table's) and from
/// the stored rows of `tables`, which hold those columns. The timestamp cannot go (0x03C2),
/// nor the last other column (0x2651), as in TDengine.
pub fn drop_column(
    db: &Database,
    columns: &mut Vec<ColumnSpec>,
    tables: &[Arc<Table>],
    name: &str,
) -> Result<(), ServerError> {
    let index = position(columns, name, false)?;
    if index == 0 {
        return Err(ServerError::from_code(Code::MND_INVALID_STB_ALTER_OPTION));
    }
    if columns.len() <= 2 {
        return Err(ServerError::from_code(Code::PAR_INVALID_DROP_COL));
    }
    let mut kept = columns.clone();
    kept.remove(index);
    let schema = schema_of(&kept, db.precision)?;
    for t in tables {
        write(&t.data).drop_column(index, schema.clone())?;
    }
    *columns = kept;
    Ok(())
}

/// Removes tag `name` of super table `def` and its value in every child table; the last tag
/// cannot go (0x03C2).
pub fn drop_tag(db: &Database, def: &mut StableDef, name: &str) -> Result<(), ServerError> {
    let index = position(&def.tags, name, true)?;
    if def.tags.len() <= 1 {
        return Err(ServerError::from_code(Code::MND_INVALID_STB_ALTER_OPTION));
    }
    def.tags.remove(index);
    for c in db.children(&def.name) {
        if let Some((_, tags)) = &c.child_of {
            let mut tags = write(tags);
            if index < tags.len() {
                tags.remove(index);
            }
        }
    }
    Ok(())
}

/// Renames column (or, with `is_tag`, tag) `old` of `list` to `new`; `others` are the
/// table's remaining names (its tags for a column, its columns for a tag), which `new` must
/// not take either. Returns the renamed position.
pub fn rename(
    list: &mut [ColumnSpec],
    others: &[ColumnSpec],
    old: &str,
    new: &str,
    is_tag: bool,
) -> Result<usize, ServerError> {
    let index = position(list, old, is_tag)?;
    if list.iter().chain(others).any(|c| c.name == new) {
        return Err(ServerError::from_code(if is_tag {
            Code::MND_TAG_ALREADY_EXIST
        } else {
            Code::MND_COLUMN_ALREADY_EXIST
        }));
    }
    list[index].name = new.to_owned();
    Ok(index)
}

/// Relabels the stored rows of `tables` with the Arrow schema of `columns` (after a rename
/// or a widened length: the same Arrow types).
pub fn relabel(
    db: &Database,
    columns: &[ColumnSpec],
    tables: &[Arc<Table>],
) -> Result<(), ServerError> {
    let schema = schema_of(columns, db.precision)?;
    for t in tables {
        write(&t.data).set_schema(schema.clone())?;
    }
    Ok(())
}
