//! What a bind is made of: the prepared fields and the tables' Arrow arrays.

use arrow_array::ArrayRef;
use taosarrow_protocol::{Precision, TdType};

use super::error::Stmt2Error;

/// What a placeholder stands for (`bind_type` in the prepare response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindRole {
    /// A column value (`bind_type` 1).
    Column = 1,
    /// A tag value (`bind_type` 2).
    Tag = 2,
    /// A query parameter (`bind_type` 3).
    Query = 3,
    /// The child table's name (`bind_type` 4).
    TableName = 4,
}

impl BindRole {
    /// The role for a `bind_type` code.
    pub fn from_code(code: i64) -> Option<BindRole> {
        Some(match code {
            1 => BindRole::Column,
            2 => BindRole::Tag,
            3 => BindRole::Query,
            4 => BindRole::TableName,
            _ => return None,
        })
    }

    /// The `bind_type` code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// One placeholder of a prepared statement, as `stmt2_prepare` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindField {
    /// Column, tag or `tbname`.
    pub name: String,
    /// The data type (`field_type`).
    pub ty: TdType,
    /// TIMESTAMP: the database precision code (0 ms, 1 µs, 2 ns); DECIMAL: its precision.
    pub precision: u8,
    /// DECIMAL scale.
    pub scale: u8,
    /// Declared width (`bytes`), informative only.
    pub bytes: i32,
    /// What the placeholder is (`bind_type`).
    pub role: BindRole,
}

impl BindField {
    /// A field of `role` and type `ty` (precision, scale and bytes 0).
    pub fn new(name: impl Into<String>, ty: TdType, role: BindRole) -> Self {
        BindField {
            name: name.into(),
            ty,
            precision: 0,
            scale: 0,
            bytes: ty.fixed_width().map_or(0, |w| w as i32),
            role,
        }
    }

    /// A TIMESTAMP field in a database of precision `precision`.
    pub fn timestamp(name: impl Into<String>, precision: Precision, role: BindRole) -> Self {
        let mut f = BindField::new(name, TdType::Timestamp, role);
        f.precision = precision.code();
        f
    }

    /// A DECIMAL field: code 21 when `precision ≤ 18`, else 17 ([`TdType::decimal_for`]).
    pub fn decimal(name: impl Into<String>, precision: u8, scale: u8, role: BindRole) -> Self {
        let mut f = BindField::new(name, TdType::decimal_for(precision), role);
        f.precision = precision;
        f.scale = scale;
        f
    }

    /// A field from the raw numbers of a prepare response's field object.
    pub fn from_wire(
        name: impl Into<String>,
        field_type: i64,
        precision: i64,
        scale: i64,
        bytes: i64,
        bind_type: i64,
    ) -> Result<Self, Stmt2Error> {
        let name = name.into();
        let bad = |reason: String| Stmt2Error::Field {
            name: name.clone(),
            reason,
        };
        let ty = i32::try_from(field_type)
            .ok()
            .and_then(|c| TdType::from_code(c).ok())
            .ok_or_else(|| bad(format!("unknown type code {field_type}")))?;
        let role = BindRole::from_code(bind_type)
            .ok_or_else(|| bad(format!("unknown bind_type {bind_type}")))?;
        let precision =
            u8::try_from(precision).map_err(|_| bad(format!("invalid precision {precision}")))?;
        let scale = u8::try_from(scale).map_err(|_| bad(format!("invalid scale {scale}")))?;
        let bytes = i32::try_from(bytes).map_err(|_| bad(format!("invalid bytes {bytes}")))?;
        Ok(BindField {
            name,
            ty,
            precision,
            scale,
            bytes,
            role,
        })
    }

    /// The database precision of a TIMESTAMP field.
    pub fn time_precision(&self) -> Result<Precision, Stmt2Error> {
        Precision::from_code(self.precision.into()).map_err(|_| Stmt2Error::Field {
            name: self.name.clone(),
            reason: format!("invalid timestamp precision {}", self.precision),
        })
    }
}

/// The data bound for one child table (or, for a query, the one row of parameters).
#[derive(Debug, Clone, Default)]
pub struct TableBind {
    /// The table name; required exactly when the statement has a `tbname` placeholder.
    pub name: Option<String>,
    /// One array of length 1 per tag field, in field order.
    pub tags: Vec<ArrayRef>,
    /// One array per column (or query-parameter) field, in field order, all of one length.
    pub columns: Vec<ArrayRef>,
}

impl TableBind {
    /// A table with columns only.
    pub fn new(columns: Vec<ArrayRef>) -> Self {
        TableBind {
            name: None,
            tags: Vec::new(),
            columns,
        }
    }

    /// Sets the table name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the tag values.
    pub fn with_tags(mut self, tags: Vec<ArrayRef>) -> Self {
        self.tags = tags;
        self
    }

    /// Number of rows (the length of the first column; 0 without columns).
    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }
}

/// Options of the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EncodeOptions {
    /// Accept dropping digits when converting timestamps to a coarser precision (or decimals
    /// to a smaller scale); the value is truncated toward negative infinity (timestamps) or
    /// zero (decimals). Off: such a value is an error.
    pub allow_truncation: bool,
}

/// The fields of a prepared statement split by role.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Roles<'a> {
    pub has_tbname: bool,
    pub tags: usize,
    pub cols: usize,
    pub fields: &'a [BindField],
}

impl<'a> Roles<'a> {
    pub fn of(fields: &'a [BindField]) -> Self {
        let mut r = Roles {
            has_tbname: false,
            tags: 0,
            cols: 0,
            fields,
        };
        for f in fields {
            match f.role {
                BindRole::TableName => r.has_tbname = true,
                BindRole::Tag => r.tags += 1,
                BindRole::Column | BindRole::Query => r.cols += 1,
            }
        }
        r
    }

    pub fn tag_fields(&self) -> impl Iterator<Item = &'a BindField> {
        self.fields.iter().filter(|f| f.role == BindRole::Tag)
    }

    pub fn col_fields(&self) -> impl Iterator<Item = &'a BindField> {
        self.fields
            .iter()
            .filter(|f| matches!(f.role, BindRole::Column | BindRole::Query))
    }
}
