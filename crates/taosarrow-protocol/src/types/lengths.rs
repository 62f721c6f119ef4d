//! Declared lengths (`fields_lengths`, `VARCHAR(n)`) and the schema widths (`bytes`) that raw
//! blocks and prepare responses report for them (`types.md` §1, `sql.md` §2.3).

use super::TdType;

/// Declared length TDengine reports for JSON columns (`fields_lengths`).
pub const JSON_LENGTH: u32 = 4095;
/// Declared length TDengine reports for BLOB columns: its largest value, 4 MiB.
pub const BLOB_LENGTH: u32 = 4 << 20;
/// Schema width (`bytes`) TDengine reports for JSON columns (`TSDB_MAX_JSON_TAG_LEN`).
pub const JSON_SCHEMA_BYTES: u32 = 16384;
/// The largest `n` of `VARCHAR(n)`, `VARBINARY(n)` and `GEOMETRY(n)`.
pub const MAX_VARCHAR_LENGTH: u32 = 65_517;
/// The largest `n` of `NCHAR(n)` (characters).
pub const MAX_NCHAR_LENGTH: u32 = 16_374;

impl TdType {
    /// The declared length of a column whose type has no `(n)`: the width for fixed types,
    /// [`JSON_LENGTH`] and [`BLOB_LENGTH`]; 0 ("not known") for the types declared with a
    /// length and for NULL.
    pub const fn natural_length(self) -> u32 {
        match self {
            TdType::Json => JSON_LENGTH,
            TdType::Blob | TdType::MediumBlob => BLOB_LENGTH,
            _ => match self.fixed_width() {
                Some(w) => w as u32,
                None => 0,
            },
        }
    }

    /// For the types declared with a length — `VARCHAR(n)`, `NCHAR(n)` (characters),
    /// `VARBINARY(n)`, `GEOMETRY(n)` — the largest `n` allowed; `None` for the others.
    pub const fn max_declared_length(self) -> Option<u32> {
        match self {
            TdType::VarChar | TdType::VarBinary | TdType::Geometry => Some(MAX_VARCHAR_LENGTH),
            TdType::NChar => Some(MAX_NCHAR_LENGTH),
            _ => None,
        }
    }

    /// The schema width (`bytes`) of a column of this type declared with length `declared`:
    /// `n + 2` for VARCHAR, VARBINARY and GEOMETRY, `4n + 2` for NCHAR (UCS-4), `n + 4` for
    /// BLOB, [`JSON_SCHEMA_BYTES`] for JSON, the width for fixed types (raw blocks pack a
    /// DECIMAL's precision and scale above it). Saturates at `u32::MAX`.
    pub const fn schema_bytes(self, declared: u32) -> u32 {
        match self {
            TdType::NChar => declared.saturating_mul(4).saturating_add(2),
            TdType::Json => JSON_SCHEMA_BYTES,
            _ => match (self.fixed_width(), self.var_prefix_width()) {
                (Some(w), _) => w as u32,
                (None, Some(prefix)) => declared.saturating_add(prefix as u32),
                (None, None) => declared,
            },
        }
    }

    /// The declared length of a column whose schema width is `bytes` (the inverse of
    /// [`TdType::schema_bytes`] as TDengine applies it to raw blocks): `bytes - 2` for VARCHAR,
    /// VARBINARY and GEOMETRY, `(bytes - 2) / 4` for NCHAR, [`JSON_LENGTH`], [`BLOB_LENGTH`],
    /// the width for fixed types. `None` when `bytes` is shorter than the length prefix.
    pub const fn declared_length(self, bytes: u32) -> Option<u32> {
        match self {
            TdType::VarChar | TdType::VarBinary | TdType::Geometry => bytes.checked_sub(2),
            TdType::NChar => match bytes.checked_sub(2) {
                Some(n) => Some(n / 4),
                None => None,
            },
            _ => Some(self.natural_length()),
        }
    }
}
