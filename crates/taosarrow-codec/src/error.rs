//! The codec's error type.

use arrow_schema::{ArrowError, DataType};
use taosarrow_protocol::TdType;

/// Where in a block or batch an error was found: the column, and the row where one applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Zero-based column index.
    pub column: usize,
    /// Column name, when known (raw blocks carry no names; the schema does).
    pub name: Option<String>,
    /// Zero-based row index, when the problem is one value.
    pub row: Option<usize>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "column {}", self.column)?;
        if let Some(name) = &self.name {
            write!(f, " ({name})")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong decoding or encoding a raw block or building a schema.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The input ended before a part that its header or lengths promised.
    #[error("raw block truncated: {what} needs {needed} bytes but only {available} remain")]
    Truncated {
        /// The part being read.
        what: &'static str,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// A header field is out of its valid range.
    #[error("invalid raw block header: {0}")]
    InvalidHeader(String),
    /// A count or size exceeds the codec's sanity cap.
    #[error("{what} of {value} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was counted.
        what: &'static str,
        /// The value found.
        value: u64,
        /// The cap.
        limit: u64,
    },
    /// A column schema names a type code that does not exist.
    #[error("{at}: unknown TDengine type code {code}")]
    UnknownType {
        /// The column.
        at: Location,
        /// The code found.
        code: i32,
    },
    /// A column's TDengine type cannot be carried (NULL, MEDIUMBLOB).
    #[error("{at}: TDengine type {ty} is not supported in result blocks")]
    UnsupportedType {
        /// The column.
        at: Location,
        /// The type.
        ty: TdType,
    },
    /// The block's columns differ from the expected schema.
    #[error("raw block does not match the result schema: {0}")]
    SchemaMismatch(String),
    /// A value or a column section is malformed.
    #[error("{at}: {reason}")]
    InvalidData {
        /// Where.
        at: Location,
        /// What is wrong, in words.
        reason: String,
    },
    /// An Arrow type that has no TDengine counterpart.
    #[error("{at}: Arrow type {data_type} cannot be written as TDengine {target}")]
    UnsupportedArrowType {
        /// The column.
        at: Location,
        /// The Arrow type.
        data_type: DataType,
        /// The TDengine type asked for, or "any type".
        target: String,
    },
    /// Field metadata that does not parse.
    #[error("field {field}: metadata {key}={value:?} is invalid")]
    InvalidMetadata {
        /// Field name.
        field: String,
        /// Metadata key.
        key: &'static str,
        /// The value found.
        value: String,
    },
    /// An Arrow error while assembling arrays.
    #[error("arrow error: {0}")]
    Arrow(#[from] ArrowError),
}

impl CodecError {
    pub(crate) fn data(at: Location, reason: impl Into<String>) -> Self {
        CodecError::InvalidData {
            at,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn arrow_errors_are_the_source() {
        let e = CodecError::from(ArrowError::ComputeError("boom".into()));
        assert_eq!(e.to_string(), "arrow error: Compute error: boom");
        let source = e.source().and_then(|s| s.downcast_ref::<ArrowError>());
        assert!(
            matches!(source, Some(ArrowError::ComputeError(m)) if m == "boom"),
            "{e:?}"
        );
    }
}
