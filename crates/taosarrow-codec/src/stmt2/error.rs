//! The stmt2 codec's error type.

use taosarrow_protocol::{Code, TdType};

/// Where a value sits in a bind: table index, field name and row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindLocation {
    /// Index of the table in the bind (0-based).
    pub table: usize,
    /// Name of the column or tag (as prepare reported it).
    pub field: String,
    /// Row within that table, when one row is at fault.
    pub row: Option<usize>,
}

impl std::fmt::Display for BindLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "column `{}` of table {}", self.field, self.table)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        Ok(())
    }
}

/// Errors of the stmt2 encoder and parser.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Stmt2Error {
    /// The Arrow type cannot be bound to the field's TDengine type.
    #[error("{at}: cannot bind Arrow {arrow} to {ty}")]
    TypeMismatch {
        /// Where.
        at: BindLocation,
        /// The Arrow type given (as Arrow prints it).
        arrow: String,
        /// The field's TDengine type.
        ty: TdType,
    },
    /// A value does not fit the field's type (e.g. 300 into TINYINT).
    #[error("{at}: value {value} out of range for {ty}")]
    Overflow {
        /// Where.
        at: BindLocation,
        /// The value, as text.
        value: String,
        /// The field's TDengine type.
        ty: TdType,
    },
    /// Converting a timestamp (or decimal) to the target precision would drop digits.
    #[error("{at}: value {value} loses precision when converted to {target}")]
    PrecisionLoss {
        /// Where.
        at: BindLocation,
        /// The value, as text.
        value: String,
        /// The target unit, e.g. `us` or `scale 2`.
        target: String,
    },
    /// The bind's shape does not match the prepared statement (counts, row numbers, names).
    #[error("invalid bind: {0}")]
    Shape(String),
    /// A prepared field description that cannot be used (unknown type code, role, precision).
    #[error("invalid field `{name}`: {reason}")]
    Field {
        /// Field name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The payload would exceed a wire limit (u32/i32 lengths).
    #[error("{what} too large: {len} bytes")]
    TooLarge {
        /// Which length.
        what: &'static str,
        /// The length.
        len: usize,
    },
    /// A structural error in a received frame or payload, detected as taosAdapter does
    /// (answered with code 0xFFFF and this message).
    #[error("{0}")]
    Protocol(String),
    /// A payload that is well formed but does not fit the prepared statement; carries the
    /// TDengine code the server answers with.
    #[error("{message}")]
    Rejected {
        /// TDengine error code.
        code: Code,
        /// Error text.
        message: String,
    },
}

impl Stmt2Error {
    /// The TDengine / taosAdapter code this error is answered with, where one applies.
    pub fn code(&self) -> Option<Code> {
        match self {
            Stmt2Error::Protocol(_) => Some(Code::ADAPTER_PROTOCOL),
            Stmt2Error::Rejected { code, .. } => Some(*code),
            Stmt2Error::Overflow { .. } => Some(Code::TSC_VALUE_OUT_OF_RANGE),
            Stmt2Error::TypeMismatch { .. } => Some(Code::PAR_WRONG_VALUE_TYPE),
            _ => None,
        }
    }

    pub(crate) fn protocol(msg: impl Into<String>) -> Self {
        Stmt2Error::Protocol(msg.into())
    }

    pub(crate) fn rejected(code: Code, msg: impl Into<String>) -> Self {
        Stmt2Error::Rejected {
            code,
            message: msg.into(),
        }
    }
}
