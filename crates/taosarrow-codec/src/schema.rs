//! The Arrow side of the one TDengine type table (`types.md` §1); everything that needs no
//! Arrow (names, widths, declared lengths, DECIMAL ranges) is in `taosarrow_protocol::types`.
//!
//! A TDengine column becomes an Arrow [`Field`] whose metadata records the TDengine type code,
//! name and declared length, so that [`column_spec`] can turn the field back into the exact
//! TDengine column and a round trip loses nothing.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};
pub use taosarrow_protocol::types::{BLOB_LENGTH, JSON_LENGTH};
use taosarrow_protocol::{Precision, TdType};

use crate::error::{CodecError, Location};
use crate::time::{precision_of, time_unit};

/// Field metadata key holding the TDengine type code, e.g. `"10"`. Authoritative.
pub const META_TYPE_CODE: &str = "taos.type_code";
/// Field metadata key holding the TDengine type name, e.g. `"NCHAR"`. For people.
pub const META_TYPE: &str = "taos.type";
/// Field metadata key holding the declared length (`fields_lengths`), e.g. `"20"`.
pub const META_LENGTH: &str = "taos.length";
/// Arrow's field metadata key naming an extension type.
pub const META_EXTENSION_NAME: &str = "ARROW:extension:name";
/// The canonical Arrow extension for JSON text (storage Utf8).
pub const EXTENSION_JSON: &str = "arrow.json";
/// The GeoArrow extension for well-known binary geometry (storage Binary).
pub const EXTENSION_WKB: &str = "geoarrow.wkb";

/// One TDengine result column as a query response describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name.
    pub name: String,
    /// TDengine type.
    pub ty: TdType,
    /// The user-facing declared length (`fields_lengths`): `n` for VARCHAR(n), VARBINARY(n),
    /// GEOMETRY(n); `n` characters for NCHAR(n); the width for fixed types; 4095 for JSON;
    /// 4194304 for BLOB. 0 means "not known" (the encoder then uses the longest value).
    pub length: u32,
    /// DECIMAL precision (0 for other types).
    pub precision: u8,
    /// DECIMAL scale (0 for other types).
    pub scale: u8,
}

impl ColumnSpec {
    /// A column of `ty` with its natural length ([`TdType::natural_length`]): the width for
    /// fixed types, the TDengine constants for JSON and BLOB, 0 (unknown) for the other
    /// variable types.
    pub fn new(name: impl Into<String>, ty: TdType) -> Self {
        ColumnSpec {
            name: name.into(),
            ty,
            length: ty.natural_length(),
            precision: 0,
            scale: 0,
        }
    }

    /// Sets the declared length.
    pub fn with_length(mut self, length: u32) -> Self {
        self.length = length;
        self
    }

    /// A DECIMAL column: DECIMAL64 (code 21) when `precision ≤ 18`, else DECIMAL (code 17)
    /// ([`TdType::decimal_for`]).
    pub fn decimal(name: impl Into<String>, precision: u8, scale: u8) -> Self {
        let mut spec = ColumnSpec::new(name, TdType::decimal_for(precision));
        spec.precision = precision;
        spec.scale = scale;
        spec
    }

    /// The type as `DESCRIBE` prints it: the SQL name, with precision and scale for a
    /// DECIMAL (`DECIMAL(20, 4)`).
    pub fn type_name(&self) -> String {
        if self.ty.is_decimal() {
            format!("DECIMAL({}, {})", self.precision, self.scale)
        } else {
            self.ty.sql_name().to_owned()
        }
    }
}

/// What a result's Arrow types depend on besides the columns themselves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaOptions {
    /// The database precision: the unit of every TIMESTAMP column.
    pub precision: Precision,
    /// The IANA time zone put on Timestamp types (`None`: no zone, values are UTC).
    pub timezone: Option<Arc<str>>,
}

/// The Arrow type of a TDengine column. NULL and MEDIUMBLOB have none.
pub fn arrow_type(col: &ColumnSpec, opts: &SchemaOptions) -> Result<DataType, CodecError> {
    Ok(match col.ty {
        TdType::Bool => DataType::Boolean,
        TdType::TinyInt => DataType::Int8,
        TdType::SmallInt => DataType::Int16,
        TdType::Int => DataType::Int32,
        TdType::BigInt => DataType::Int64,
        TdType::UTinyInt => DataType::UInt8,
        TdType::USmallInt => DataType::UInt16,
        TdType::UInt => DataType::UInt32,
        TdType::UBigInt => DataType::UInt64,
        TdType::Float => DataType::Float32,
        TdType::Double => DataType::Float64,
        TdType::Timestamp => DataType::Timestamp(time_unit(opts.precision), opts.timezone.clone()),
        TdType::VarChar | TdType::NChar | TdType::Json => DataType::Utf8,
        TdType::VarBinary | TdType::Geometry => DataType::Binary,
        TdType::Blob => DataType::LargeBinary,
        TdType::Decimal | TdType::Decimal64 => {
            if !col.ty.is_valid_decimal(col.precision, col.scale) {
                return Err(CodecError::InvalidData {
                    at: Location {
                        column: 0,
                        name: Some(col.name.clone()),
                        row: None,
                    },
                    reason: format!(
                        "invalid {} precision/scale ({}, {})",
                        col.ty, col.precision, col.scale
                    ),
                });
            }
            DataType::Decimal128(col.precision, col.scale as i8)
        }
        TdType::Null | TdType::MediumBlob => {
            return Err(CodecError::UnsupportedType {
                at: Location {
                    column: 0,
                    name: Some(col.name.clone()),
                    row: None,
                },
                ty: col.ty,
            })
        }
    })
}

/// The Arrow field for a TDengine column: always nullable, carrying the TDengine type code,
/// name and declared length in its metadata (and the JSON / WKB extension names).
pub fn arrow_field(col: &ColumnSpec, opts: &SchemaOptions) -> Result<Field, CodecError> {
    let data_type = arrow_type(col, opts)?;
    let mut metadata = HashMap::with_capacity(4);
    metadata.insert(META_TYPE_CODE.to_owned(), col.ty.code().to_string());
    metadata.insert(META_TYPE.to_owned(), col.ty.sql_name().to_owned());
    metadata.insert(META_LENGTH.to_owned(), col.length.to_string());
    match col.ty {
        TdType::Json => {
            metadata.insert(META_EXTENSION_NAME.to_owned(), EXTENSION_JSON.to_owned());
        }
        TdType::Geometry => {
            metadata.insert(META_EXTENSION_NAME.to_owned(), EXTENSION_WKB.to_owned());
        }
        _ => {}
    }
    Ok(Field::new(col.name.clone(), data_type, true).with_metadata(metadata))
}

/// The Arrow schema of a result, one field per column (see [`arrow_field`]).
pub fn arrow_schema(cols: &[ColumnSpec], opts: &SchemaOptions) -> Result<SchemaRef, CodecError> {
    let fields = cols
        .iter()
        .enumerate()
        .map(|(i, c)| arrow_field(c, opts).map_err(|e| with_column(e, i)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arc::new(Schema::new(fields)))
}

/// The TDengine column an Arrow field stands for: from its metadata when it has
/// [`META_TYPE_CODE`], otherwise inferred from the Arrow type (Utf8 → VARCHAR, Binary →
/// VARBINARY, LargeBinary → BLOB, Decimal128(p, s) → DECIMAL64 or DECIMAL by p, …).
pub fn column_spec(field: &Field) -> Result<ColumnSpec, CodecError> {
    let name = field.name().clone();
    let meta = field.metadata();
    let bad = |key: &'static str, value: &str| CodecError::InvalidMetadata {
        field: name.clone(),
        key,
        value: value.to_owned(),
    };
    let unsupported = || CodecError::UnsupportedArrowType {
        at: Location {
            column: 0,
            name: Some(name.clone()),
            row: None,
        },
        data_type: field.data_type().clone(),
        target: "any type".to_owned(),
    };
    let ty = match meta.get(META_TYPE_CODE) {
        Some(code) => {
            let n: i32 = code.parse().map_err(|_| bad(META_TYPE_CODE, code))?;
            TdType::from_code(n).map_err(|_| bad(META_TYPE_CODE, code))?
        }
        None => td_type_for(field.data_type()).ok_or_else(unsupported)?,
    };
    let mut spec = ColumnSpec::new(name.clone(), ty);
    if let Some(len) = meta.get(META_LENGTH) {
        spec.length = len.parse().map_err(|_| bad(META_LENGTH, len))?;
    }
    if ty.is_decimal() {
        match field.data_type() {
            DataType::Decimal128(p, s) | DataType::Decimal64(p, s) if *s >= 0 => {
                spec.precision = *p;
                spec.scale = *s as u8;
                // A DECIMAL64 is at most 18 digits, DECIMAL at least 19: keep the code honest.
                spec.ty = TdType::decimal_for(*p);
                spec.length = spec.ty.natural_length();
            }
            _ => return Err(unsupported()),
        }
    }
    Ok(spec)
}

/// The TDengine type an Arrow type is written as when its field carries no type metadata:
/// Utf8 (any offsets or view) → VARCHAR, Binary → VARBINARY, LargeBinary → BLOB,
/// Decimal128(p, s) → DECIMAL64 or DECIMAL by p, Null → VARCHAR, each integer, float, Boolean
/// and Timestamp (but in seconds) → its TDengine namesake; `None` for anything else.
pub fn td_type_for(dt: &DataType) -> Option<TdType> {
    Some(match dt {
        DataType::Boolean => TdType::Bool,
        DataType::Int8 => TdType::TinyInt,
        DataType::Int16 => TdType::SmallInt,
        DataType::Int32 => TdType::Int,
        DataType::Int64 => TdType::BigInt,
        DataType::UInt8 => TdType::UTinyInt,
        DataType::UInt16 => TdType::USmallInt,
        DataType::UInt32 => TdType::UInt,
        DataType::UInt64 => TdType::UBigInt,
        DataType::Float32 => TdType::Float,
        DataType::Float64 => TdType::Double,
        DataType::Timestamp(unit, _) if precision_of(*unit).is_some() => TdType::Timestamp,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => TdType::VarChar,
        DataType::Binary | DataType::BinaryView => TdType::VarBinary,
        DataType::LargeBinary => TdType::Blob,
        DataType::Decimal128(p, _) | DataType::Decimal64(p, _) => TdType::decimal_for(*p),
        DataType::Null => TdType::VarChar,
        _ => return None,
    })
}

/// Puts the column index into an error raised for a column spec at index 0.
pub(crate) fn with_column(e: CodecError, column: usize) -> CodecError {
    match e {
        CodecError::InvalidData { mut at, reason } => {
            at.column = column;
            CodecError::InvalidData { at, reason }
        }
        CodecError::UnsupportedType { mut at, ty } => {
            at.column = column;
            CodecError::UnsupportedType { at, ty }
        }
        CodecError::UnsupportedArrowType {
            mut at,
            data_type,
            target,
        } => {
            at.column = column;
            CodecError::UnsupportedArrowType {
                at,
                data_type,
                target,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests;
