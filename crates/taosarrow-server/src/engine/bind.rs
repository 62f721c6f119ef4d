//! Checks on bound Arrow data before it reaches storage (stmt2 and stmt v1), and the widths
//! `stmt2_prepare` / `get_col_fields` report. TDengine rejects these at bind time, so a
//! rejected bind leaves nothing pending and nothing written.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use taosarrow_codec::stmt2::{BindField, ParsedTable};
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, TdType};

use crate::ServerError;

/// `bytes` of the table-name placeholder (TDengine's `TSDB_TABLE_FNAME_LEN` as reported by
/// taosAdapter's prepare, e.g. in its `all_stb` field test).
pub const TBNAME_BYTES: i32 = 271;

/// Longest table name (TDengine's `TSDB_TABLE_NAME_LEN` - 1).
pub const MAX_TABLE_NAME: usize = 192;

/// The `bytes` TDengine reports for a column or tag ([`TdType::schema_bytes`]): the width
/// for fixed types, the declared length plus the 2-byte length prefix for VARCHAR /
/// VARBINARY / GEOMETRY, four bytes per character plus 2 for NCHAR.
pub fn wire_bytes(spec: &ColumnSpec) -> i32 {
    i32::try_from(spec.ty.schema_bytes(spec.length)).unwrap_or(i32::MAX)
}

fn too_long(field: &str, table: usize, row: usize) -> ServerError {
    ServerError::new(
        Code::PAR_VALUE_TOO_LONG,
        format!("Value too long for column/tag: {field} (table {table}, row {row})"),
    )
}

/// The longest value allowed by `f.bytes`, in bytes (or characters for NCHAR); `None` when
/// the type has no declared limit.
fn limit(f: &BindField) -> Option<usize> {
    f.ty.max_declared_length()?;
    let n = f.ty.declared_length(u32::try_from(f.bytes).ok()?)?;
    usize::try_from(n).ok()
}

/// The first row of `a` longer than `max` (bytes, or characters when `chars`). Byte lengths
/// come from the offsets alone; characters are counted only in values that have more bytes
/// than `max` (a character is at least one byte).
fn first_too_long(a: &ArrayRef, max: usize, chars: bool) -> Option<usize> {
    fn over<O: arrow::array::OffsetSizeTrait>(
        a: &ArrayRef,
        offsets: &[O],
        values: &[u8],
        max: usize,
        chars: bool,
    ) -> Option<usize> {
        offsets.windows(2).enumerate().find_map(|(i, w)| {
            let (start, end) = (w[0].as_usize(), w[1].as_usize());
            let long = end - start > max
                && a.is_valid(i)
                && (!chars || String::from_utf8_lossy(&values[start..end]).chars().count() > max);
            long.then_some(i)
        })
    }
    match a.data_type() {
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            over(a, s.value_offsets(), s.values(), max, chars)
        }
        DataType::Binary => {
            let b = a.as_binary::<i32>();
            over(a, b.value_offsets(), b.values(), max, false)
        }
        DataType::LargeBinary => {
            let b = a.as_binary::<i64>();
            over(a, b.value_offsets(), b.values(), max, false)
        }
        _ => None,
    }
}

/// Checks bound tables against the prepared fields: table names present and at most 192
/// bytes, VARCHAR / VARBINARY / GEOMETRY / NCHAR values within their declared length, the
/// primary timestamp (column field `ts_field`, when bound) never NULL.
pub fn validate(
    fields: &[BindField],
    tables: &[ParsedTable],
    ts_field: Option<usize>,
) -> Result<(), ServerError> {
    let tags: Vec<&BindField> = fields
        .iter()
        .filter(|f| f.role == taosarrow_codec::stmt2::BindRole::Tag)
        .collect();
    let cols: Vec<&BindField> = fields
        .iter()
        .filter(|f| f.role == taosarrow_codec::stmt2::BindRole::Column)
        .collect();
    for (t, table) in tables.iter().enumerate() {
        if let Some(name) = &table.name {
            if name.trim().is_empty() {
                return Err(ServerError::new(
                    Code::PAR_INVALID_IDENTIFIER_NAME,
                    format!("Invalid identifier name: empty table name (table {t})"),
                ));
            }
            if name.len() > MAX_TABLE_NAME {
                return Err(ServerError::new(
                    Code::PAR_INVALID_IDENTIFIER_NAME,
                    format!("Invalid identifier name: table name longer than {MAX_TABLE_NAME} bytes (table {t})"),
                ));
            }
        }
        let pairs = tags
            .iter()
            .zip(&table.tags)
            .chain(cols.iter().zip(&table.columns));
        for (f, a) in pairs {
            if let Some(max) = limit(f) {
                if let Some(row) = first_too_long(a, max, f.ty == TdType::NChar) {
                    return Err(too_long(&f.name, t, row));
                }
            }
        }
        if let Some(a) = ts_field.and_then(|k| table.columns.get(k)) {
            if let Some(row) = a
                .logical_nulls()
                .and_then(|n| n.iter().position(|valid| !valid))
            {
                return Err(ServerError::new(
                    Code::PAR_INCORRECT_TIMESTAMP_VAL,
                    format!("Incorrect TIMESTAMP value: the primary timestamp is NULL (table {t}, row {row})"),
                ));
            }
        }
    }
    Ok(())
}
