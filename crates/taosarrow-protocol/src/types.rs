//! The one declarative TDengine type table (`types.md`) for everything that needs no Arrow:
//! wire codes, SQL names and their aliases, widths, declared-length rules, DECIMAL precision
//! ranges, how stmt2 binds each type, and the names Python shows. The Arrow side of the table
//! is `taosarrow_codec`'s `schema` module, driven by this one. Timestamp precisions live in
//! [`crate::time`].
//!
//! The codes are the same in a query response's `fields_types`, in raw block column schemas,
//! in stmt2 payloads and in TMQ data.

use std::fmt;

mod decimal;
mod lengths;
mod names;

pub use crate::time::{Precision, UnknownPrecision};
pub use decimal::{DECIMAL128_PRECISION, DECIMAL64_PRECISION, MAX_DECIMAL_PRECISION};
pub use lengths::{
    BLOB_LENGTH, JSON_LENGTH, JSON_SCHEMA_BYTES, MAX_NCHAR_LENGTH, MAX_VARCHAR_LENGTH,
};
pub use names::{TypeGroup, SQL_NAMES};

/// A TDengine column or tag type, by its wire code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum TdType {
    /// Code 0: the NULL type. Never appears in result blocks.
    Null = 0,
    /// Code 1: BOOL, one byte `00`/`01`.
    Bool = 1,
    /// Code 2: TINYINT, i8.
    TinyInt = 2,
    /// Code 3: SMALLINT, i16.
    SmallInt = 3,
    /// Code 4: INT, i32.
    Int = 4,
    /// Code 5: BIGINT, i64.
    BigInt = 5,
    /// Code 6: FLOAT, f32.
    Float = 6,
    /// Code 7: DOUBLE, f64.
    Double = 7,
    /// Code 8: VARCHAR / BINARY, UTF-8 text with a u16 length prefix.
    VarChar = 8,
    /// Code 9: TIMESTAMP, i64 ticks in the result's precision.
    Timestamp = 9,
    /// Code 10: NCHAR, UCS-4 text with a u16 byte-count prefix.
    NChar = 10,
    /// Code 11: TINYINT UNSIGNED, u8.
    UTinyInt = 11,
    /// Code 12: SMALLINT UNSIGNED, u16.
    USmallInt = 12,
    /// Code 13: INT UNSIGNED, u32.
    UInt = 13,
    /// Code 14: BIGINT UNSIGNED, u64.
    UBigInt = 14,
    /// Code 15: JSON (tags only), UTF-8 JSON text with a u16 length prefix.
    Json = 15,
    /// Code 16: VARBINARY, raw bytes with a u16 length prefix.
    VarBinary = 16,
    /// Code 17: DECIMAL with 19 ≤ precision ≤ 38, 16-byte unscaled integer.
    Decimal = 17,
    /// Code 18: BLOB, raw bytes with a u32 length prefix.
    Blob = 18,
    /// Code 19: MEDIUMBLOB. Defined but decoded by no client; rejected everywhere
    /// ([`TdType::is_supported`]).
    MediumBlob = 19,
    /// Code 20: GEOMETRY, WKB with a u16 length prefix.
    Geometry = 20,
    /// Code 21: DECIMAL with precision ≤ 18 ("DECIMAL64"), 8-byte unscaled integer.
    Decimal64 = 21,
}

/// A type code that names no TDengine type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown TDengine type code {0}")]
pub struct UnknownTypeCode(pub i32);

impl TdType {
    /// Every type, in code order.
    pub const ALL: [TdType; 22] = [
        TdType::Null,
        TdType::Bool,
        TdType::TinyInt,
        TdType::SmallInt,
        TdType::Int,
        TdType::BigInt,
        TdType::Float,
        TdType::Double,
        TdType::VarChar,
        TdType::Timestamp,
        TdType::NChar,
        TdType::UTinyInt,
        TdType::USmallInt,
        TdType::UInt,
        TdType::UBigInt,
        TdType::Json,
        TdType::VarBinary,
        TdType::Decimal,
        TdType::Blob,
        TdType::MediumBlob,
        TdType::Geometry,
        TdType::Decimal64,
    ];

    /// The wire code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The type for a wire code.
    pub fn from_code(code: i32) -> Result<Self, UnknownTypeCode> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or(UnknownTypeCode(code))
    }

    /// The SQL name as TDengine's own tools print it (`DESCRIBE`, REST `column_meta`), and
    /// as Python's `TaosField.type()` reports it. [`TdType::from_sql_name`] reads it back
    /// (DECIMAL as code 17; [`TdType::decimal_for`] picks by precision).
    pub const fn sql_name(self) -> &'static str {
        match self {
            TdType::Null => "NULL",
            TdType::Bool => "BOOL",
            TdType::TinyInt => "TINYINT",
            TdType::SmallInt => "SMALLINT",
            TdType::Int => "INT",
            TdType::BigInt => "BIGINT",
            TdType::Float => "FLOAT",
            TdType::Double => "DOUBLE",
            TdType::VarChar => "VARCHAR",
            TdType::Timestamp => "TIMESTAMP",
            TdType::NChar => "NCHAR",
            TdType::UTinyInt => "TINYINT UNSIGNED",
            TdType::USmallInt => "SMALLINT UNSIGNED",
            TdType::UInt => "INT UNSIGNED",
            TdType::UBigInt => "BIGINT UNSIGNED",
            TdType::Json => "JSON",
            TdType::VarBinary => "VARBINARY",
            TdType::Decimal => "DECIMAL",
            TdType::Blob => "BLOB",
            TdType::MediumBlob => "MEDIUMBLOB",
            TdType::Geometry => "GEOMETRY",
            TdType::Decimal64 => "DECIMAL",
        }
    }

    /// Bytes per value for fixed-width types (stored with a null bitmap in blocks);
    /// `None` for variable-width types and NULL.
    pub const fn fixed_width(self) -> Option<usize> {
        match self {
            TdType::Bool | TdType::TinyInt | TdType::UTinyInt => Some(1),
            TdType::SmallInt | TdType::USmallInt => Some(2),
            TdType::Int | TdType::UInt | TdType::Float => Some(4),
            TdType::BigInt
            | TdType::UBigInt
            | TdType::Double
            | TdType::Timestamp
            | TdType::Decimal64 => Some(8),
            TdType::Decimal => Some(16),
            _ => None,
        }
    }

    /// Size in bytes of the length prefix of each value of a variable-width type
    /// (u16 for all but BLOB and MEDIUMBLOB, which use u32); `None` for fixed-width types.
    pub const fn var_prefix_width(self) -> Option<usize> {
        match self {
            TdType::VarChar
            | TdType::NChar
            | TdType::Json
            | TdType::VarBinary
            | TdType::Geometry => Some(2),
            TdType::Blob | TdType::MediumBlob => Some(4),
            _ => None,
        }
    }

    /// True for DECIMAL and DECIMAL64.
    pub const fn is_decimal(self) -> bool {
        matches!(self, TdType::Decimal | TdType::Decimal64)
    }
}

impl fmt::Display for TdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for ty in TdType::ALL {
            assert_eq!(TdType::from_code(i32::from(ty.code())), Ok(ty));
        }
        assert_eq!(TdType::from_code(22), Err(UnknownTypeCode(22)));
        assert_eq!(TdType::from_code(-1), Err(UnknownTypeCode(-1)));
    }

    #[test]
    fn every_type_has_one_row_in_the_table() {
        for ty in TdType::ALL {
            // The printed name parses back; DECIMAL64 prints as DECIMAL, whose precision
            // picks the code again.
            let parsed = TdType::from_sql_name(ty.sql_name());
            match ty.decimal_precisions() {
                Some(r) => {
                    assert_eq!(parsed, Some(TdType::Decimal));
                    assert_eq!(TdType::decimal_for(*r.start()), ty);
                    assert_eq!(TdType::decimal_for(*r.end()), ty);
                }
                None => assert_eq!(parsed, Some(ty), "{ty}"),
            }
            assert_eq!(
                TdType::from_sql_name(&ty.sql_name().to_lowercase().replace(' ', "  ")),
                parsed
            );
            assert_eq!(ty.to_string(), ty.sql_name());
            // Exactly one of fixed width and length prefix, except NULL.
            assert_eq!(
                ty.fixed_width().is_some() != ty.var_prefix_width().is_some(),
                ty != TdType::Null,
                "{ty}"
            );
            assert_eq!(
                ty.bind_has_lengths(),
                ty.fixed_width().is_none() || ty.is_decimal()
            );
            assert_eq!(ty.group().is_none(), ty == TdType::Null);
            assert_eq!(
                ty.is_supported(),
                !matches!(ty, TdType::Null | TdType::MediumBlob)
            );
            assert_eq!(ty.is_decimal(), ty.decimal_precisions().is_some());
            // Declared lengths survive the schema width, for every type that has one.
            let n = ty.max_declared_length().unwrap_or(ty.natural_length());
            if ty != TdType::Null {
                assert_eq!(ty.declared_length(ty.schema_bytes(n)), Some(n), "{ty}");
            }
        }
        for (name, ty) in SQL_NAMES {
            assert_eq!(TdType::from_sql_name(name), Some(ty), "{name}");
        }
        assert_eq!(
            TdType::from_sql_name("Integer   Unsigned"),
            Some(TdType::UInt)
        );
        assert_eq!(TdType::from_sql_name("BOOLEAN"), Some(TdType::Bool));
        assert_eq!(TdType::from_sql_name("INT UNSIGNED X"), None);
        assert_eq!(TdType::from_sql_name("UNSIGNED"), None);
        assert_eq!(TdType::from_sql_name(""), None);
    }

    #[test]
    fn decimal_precision_picks_the_code() {
        assert_eq!(TdType::decimal_for(1), TdType::Decimal64);
        assert_eq!(TdType::decimal_for(18), TdType::Decimal64);
        assert_eq!(TdType::decimal_for(19), TdType::Decimal);
        assert_eq!(TdType::decimal_for(38), TdType::Decimal);
        assert!(TdType::Decimal64.is_valid_decimal(18, 18));
        assert!(!TdType::Decimal64.is_valid_decimal(19, 0));
        assert!(!TdType::Decimal64.is_valid_decimal(0, 0));
        assert!(!TdType::Decimal64.is_valid_decimal(10, 11));
        assert!(TdType::Decimal.is_valid_decimal(38, 0));
        assert!(!TdType::Decimal.is_valid_decimal(39, 0));
        assert!(!TdType::Decimal.is_valid_decimal(18, 0));
        assert!(!TdType::Int.is_valid_decimal(10, 0));
        for p in 1..=MAX_DECIMAL_PRECISION {
            assert!(TdType::decimal_for(p).is_valid_decimal(p, 0), "{p}");
        }
    }

    #[test]
    fn declared_lengths_follow_the_spec() {
        assert_eq!(TdType::VarChar.schema_bytes(20), 22);
        assert_eq!(TdType::NChar.schema_bytes(20), 82);
        assert_eq!(TdType::NChar.declared_length(82), Some(20));
        assert_eq!(TdType::VarChar.declared_length(1), None);
        assert_eq!(TdType::Json.schema_bytes(0), JSON_SCHEMA_BYTES);
        assert_eq!(
            TdType::Json.declared_length(JSON_SCHEMA_BYTES),
            Some(JSON_LENGTH)
        );
        assert_eq!(TdType::Blob.natural_length(), 4_194_304);
        assert_eq!(TdType::Blob.schema_bytes(BLOB_LENGTH), BLOB_LENGTH + 4);
        assert_eq!(TdType::Decimal.schema_bytes(0), 16);
        assert_eq!(TdType::NChar.schema_bytes(u32::MAX), u32::MAX);
        assert_eq!(TdType::NChar.max_declared_length(), Some(16_374));
        assert_eq!(TdType::Geometry.max_declared_length(), Some(65_517));
        assert_eq!(TdType::Blob.max_declared_length(), None);
    }

    #[test]
    fn widths_follow_the_spec() {
        assert_eq!(TdType::Decimal.fixed_width(), Some(16));
        assert_eq!(TdType::Decimal64.fixed_width(), Some(8));
        assert_eq!(TdType::Blob.var_prefix_width(), Some(4));
        assert_eq!(TdType::NChar.var_prefix_width(), Some(2));
        assert_eq!(TdType::NChar.fixed_width(), None);
    }
}
