//! Schema changes of a super table and what they do to its child tables: a column added
//! (NULL in the stored rows), a tag added (NULL for every child), a VARCHAR/NCHAR/VARBINARY
//! column or tag widened. `ALTER STABLE` and schemaless writing both go through here; the
//! caller holds the super table's definition locked and the commit lock exclusively.

use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::Code;

use super::catalog::{schema_of, write, Database, StableDef};
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
    let list = if is_tag {
        &mut def.tags
    } else {
        &mut def.columns
    };
    let spec = list.iter_mut().find(|c| c.name == name).ok_or_else(|| {
        ServerError::from_code(if is_tag {
            Code::MND_TAG_NOT_EXIST
        } else {
            Code::MND_COLUMN_NOT_EXIST
        })
    })?;
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
    if !is_tag {
        let schema = schema_of(&def.columns, db.precision)?;
        for c in db.children(&def.name) {
            write(&c.data).set_schema(schema.clone())?;
        }
    }
    Ok(())
}
