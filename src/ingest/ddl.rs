//! `CREATE TABLE` / `CREATE STABLE` text derived from an Arrow schema (ingest `create` and
//! `replace` modes).

use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Field};
use taosarrow_codec::column_spec;
use taosarrow_protocol::types::MAX_VARCHAR_LENGTH;
use taosarrow_protocol::TdType;

use crate::Error;

/// VARCHAR / NCHAR / VARBINARY width used when the data holds only NULLs or empty values.
const MIN_VAR_WIDTH: usize = 16;
/// TDengine's largest VARCHAR / VARBINARY width.
const MAX_VAR_WIDTH: usize = MAX_VARCHAR_LENGTH as usize;

/// The TDengine column type (as SQL) for an Arrow field, sized from the data it will hold
/// (`max_len`: the longest value in bytes, for variable-width types). Dictionary arrays are
/// typed by their values.
pub(crate) fn sql_type(field: &Field, max_len: usize) -> Result<String, Error> {
    let value_field;
    let field = match field.data_type() {
        DataType::Dictionary(_, value) => {
            value_field = Field::new(field.name(), value.as_ref().clone(), true);
            &value_field
        }
        _ => field,
    };
    let spec = column_spec(field).map_err(|e| {
        Error::Interface(format!(
            "column `{}`: no TDengine type for Arrow {} ({e})",
            field.name(),
            field.data_type()
        ))
    })?;
    let width = || {
        let declared = usize::try_from(spec.length).unwrap_or(0);
        let wanted = max_len.max(declared).max(MIN_VAR_WIDTH);
        // Leave room for longer values in later writes: round up to a power of two.
        wanted.next_power_of_two().min(MAX_VAR_WIDTH)
    };
    Ok(match spec.ty {
        TdType::VarChar | TdType::VarBinary | TdType::Geometry => {
            if max_len > MAX_VAR_WIDTH {
                return Err(Error::Interface(format!(
                    "column `{}`: a value of {max_len} bytes exceeds TDengine's {MAX_VAR_WIDTH}",
                    field.name()
                )));
            }
            format!("{}({})", spec.ty.sql_name(), width())
        }
        TdType::NChar => format!("NCHAR({})", width() / 4 + 1),
        _ => spec.type_name(),
    })
}

/// The longest value, in bytes, of each variable-width column over `batches`.
pub(crate) fn max_lengths(batches: &[RecordBatch], ncols: usize) -> Vec<usize> {
    let mut out = vec![0usize; ncols];
    for b in batches {
        for (i, col) in b.columns().iter().enumerate().take(ncols) {
            out[i] = out[i].max(longest(col.as_ref()));
        }
    }
    out
}

fn longest(a: &dyn Array) -> usize {
    use arrow_array::cast::AsArray;
    match a.data_type() {
        DataType::Utf8 => max_by(a.as_string::<i32>().iter().map(|v| v.map(str::len))),
        DataType::LargeUtf8 => max_by(a.as_string::<i64>().iter().map(|v| v.map(str::len))),
        DataType::Utf8View => max_by(a.as_string_view().iter().map(|v| v.map(str::len))),
        DataType::Binary => max_by(a.as_binary::<i32>().iter().map(|v| v.map(<[u8]>::len))),
        DataType::LargeBinary => max_by(a.as_binary::<i64>().iter().map(|v| v.map(<[u8]>::len))),
        DataType::BinaryView => max_by(a.as_binary_view().iter().map(|v| v.map(<[u8]>::len))),
        DataType::Dictionary(_, _) => a
            .as_any_dictionary_opt()
            .map_or(0, |d| longest(d.values().as_ref())),
        _ => 0,
    }
}

fn max_by(it: impl Iterator<Item = Option<usize>>) -> usize {
    it.flatten().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_arrow() {
        let f = |dt: DataType| Field::new("c", dt, true);
        assert_eq!(sql_type(&f(DataType::Int64), 0).unwrap(), "BIGINT");
        assert_eq!(
            sql_type(&f(DataType::UInt8), 0).unwrap(),
            "TINYINT UNSIGNED"
        );
        assert_eq!(sql_type(&f(DataType::Utf8), 20).unwrap(), "VARCHAR(32)");
        assert_eq!(sql_type(&f(DataType::Utf8), 0).unwrap(), "VARCHAR(16)");
        assert_eq!(
            sql_type(&f(DataType::Decimal128(38, 10)), 0).unwrap(),
            "DECIMAL(38, 10)"
        );
        let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert_eq!(sql_type(&f(dict), 5).unwrap(), "VARCHAR(16)");
        assert!(sql_type(&f(DataType::Utf8), 70_000).is_err());
        assert!(sql_type(&f(DataType::Date32), 0).is_err());
    }
}
