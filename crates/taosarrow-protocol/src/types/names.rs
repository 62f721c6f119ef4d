//! SQL names: the spellings DDL accepts, the name each type is printed with (which Python's
//! `TaosField.type()` reports too), and the PEP 249 type object each type compares equal to.

use super::TdType;

/// Every SQL spelling of a type, upper case with single spaces, and the type it names: the
/// printed names of [`TdType::sql_name`] and the aliases DDL accepts (`BOOLEAN`, `INTEGER`,
/// `BINARY`). `DECIMAL` names both decimal codes; [`TdType::decimal_for`] picks one by
/// precision.
pub const SQL_NAMES: [(&str, TdType); 25] = [
    ("NULL", TdType::Null),
    ("BOOL", TdType::Bool),
    ("BOOLEAN", TdType::Bool),
    ("TINYINT", TdType::TinyInt),
    ("SMALLINT", TdType::SmallInt),
    ("INT", TdType::Int),
    ("INTEGER", TdType::Int),
    ("BIGINT", TdType::BigInt),
    ("FLOAT", TdType::Float),
    ("DOUBLE", TdType::Double),
    ("VARCHAR", TdType::VarChar),
    ("BINARY", TdType::VarChar),
    ("TIMESTAMP", TdType::Timestamp),
    ("NCHAR", TdType::NChar),
    ("TINYINT UNSIGNED", TdType::UTinyInt),
    ("SMALLINT UNSIGNED", TdType::USmallInt),
    ("INT UNSIGNED", TdType::UInt),
    ("INTEGER UNSIGNED", TdType::UInt),
    ("BIGINT UNSIGNED", TdType::UBigInt),
    ("JSON", TdType::Json),
    ("VARBINARY", TdType::VarBinary),
    ("DECIMAL", TdType::Decimal),
    ("BLOB", TdType::Blob),
    ("MEDIUMBLOB", TdType::MediumBlob),
    ("GEOMETRY", TdType::Geometry),
];

/// The PEP 249 type object a type's column compares equal to (`Cursor.description`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeGroup {
    /// BOOL, the integers, FLOAT, DOUBLE and the decimals.
    Number,
    /// VARCHAR, NCHAR and JSON text.
    String,
    /// VARBINARY, BLOB, MEDIUMBLOB and GEOMETRY (WKB) bytes.
    Binary,
    /// TIMESTAMP.
    Datetime,
}

impl TypeGroup {
    /// The name of the PEP 249 type object: `NUMBER`, `STRING`, `BINARY` or `DATETIME`.
    pub const fn name(self) -> &'static str {
        match self {
            TypeGroup::Number => "NUMBER",
            TypeGroup::String => "STRING",
            TypeGroup::Binary => "BINARY",
            TypeGroup::Datetime => "DATETIME",
        }
    }
}

impl TdType {
    /// The type an SQL type name stands for, ignoring case and runs of white space
    /// (`"int  unsigned"` is INT UNSIGNED); `None` for a name [`SQL_NAMES`] does not list.
    ///
    /// ```
    /// use taosarrow_protocol::TdType;
    /// assert_eq!(TdType::from_sql_name("binary"), Some(TdType::VarChar));
    /// assert_eq!(TdType::from_sql_name("TINYINT UNSIGNED"), Some(TdType::UTinyInt));
    /// assert_eq!(TdType::from_sql_name("TEXT"), None);
    /// ```
    pub fn from_sql_name(name: &str) -> Option<TdType> {
        let same = |known: &str| {
            let mut words = name.split_whitespace();
            known
                .split(' ')
                .all(|k| words.next().is_some_and(|w| w.eq_ignore_ascii_case(k)))
                && words.next().is_none()
        };
        SQL_NAMES
            .iter()
            .find(|(known, _)| same(known))
            .map(|&(_, ty)| ty)
    }

    /// Whether a column of this type can be stored, read and bound. False for NULL (no column
    /// has it) and MEDIUMBLOB (defined, but decoded by no client: rejected everywhere).
    pub const fn is_supported(self) -> bool {
        !matches!(self, TdType::Null | TdType::MediumBlob)
    }

    /// The PEP 249 type object the type belongs to; `None` for NULL.
    pub const fn group(self) -> Option<TypeGroup> {
        Some(match self {
            TdType::Null => return None,
            TdType::VarChar | TdType::NChar | TdType::Json => TypeGroup::String,
            TdType::VarBinary | TdType::Blob | TdType::MediumBlob | TdType::Geometry => {
                TypeGroup::Binary
            }
            TdType::Timestamp => TypeGroup::Datetime,
            _ => TypeGroup::Number,
        })
    }

    /// Whether a stmt2 field block of this type carries a length array (`stmt2.md` §5.5:
    /// the variable-width types and the decimals, which are bound as text).
    pub const fn bind_has_lengths(self) -> bool {
        self.fixed_width().is_none() || self.is_decimal()
    }
}
