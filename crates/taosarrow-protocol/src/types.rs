//! TDengine data type codes (`types.md`); timestamp precisions live in [`crate::time`].
//!
//! The codes are the same in a query response's `fields_types`, in raw block column schemas,
//! in stmt2 payloads and in TMQ data.

use std::fmt;

pub use crate::time::{Precision, UnknownPrecision};

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
    /// Code 19: MEDIUMBLOB. Defined but decoded by no client; rejected.
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

    /// The SQL name as TDengine's own tools print it (`DESCRIBE`, REST `column_meta`).
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
    fn widths_follow_the_spec() {
        assert_eq!(TdType::Decimal.fixed_width(), Some(16));
        assert_eq!(TdType::Decimal64.fixed_width(), Some(8));
        assert_eq!(TdType::Blob.var_prefix_width(), Some(4));
        assert_eq!(TdType::NChar.var_prefix_width(), Some(2));
        assert_eq!(TdType::NChar.fixed_width(), None);
    }
}
