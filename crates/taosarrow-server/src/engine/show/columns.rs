//! The column builders of SHOW and DESCRIBE results, and [`Rows`], the row-at-a-time
//! builder the system tables use.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int16Array, Int32Array, Int64Array, Int8Array,
    StringArray, TimestampMillisecondArray, UInt32Array, UInt64Array,
};
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Precision, TdType};

use crate::engine::result::from_columns;
use crate::engine::ResultSet;
use crate::ServerError;

/// A VARCHAR(`n`) result column.
pub(super) fn vc(name: &str, n: u32) -> ColumnSpec {
    ColumnSpec::new(name, TdType::VarChar).with_length(n)
}

/// A result column of fixed-width type `ty`.
pub(super) fn col(name: &str, ty: TdType) -> ColumnSpec {
    ColumnSpec::new(name, ty)
}

/// One value of a system table row; [`Rows::finish`] turns a column of them into the
/// column's Arrow type.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// NULL.
    Null,
    /// Text (VARCHAR / NCHAR columns).
    Str(String),
    /// Any integer, TIMESTAMP (ms) included.
    Int(i64),
    /// BOOL.
    Bool(bool),
    /// DOUBLE.
    Float(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Str(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Str(s)
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Str(s.clone())
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Cell::Bool(b)
    }
}

impl From<f64> for Cell {
    fn from(f: f64) -> Self {
        Cell::Float(f)
    }
}

macro_rules! int_cells {
    ($($t:ty),*) => {$(
        impl From<$t> for Cell {
            fn from(n: $t) -> Self {
                Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_cells!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}

/// A system table being built a row at a time, in the column order of its specs.
#[derive(Debug)]
pub(super) struct Rows {
    specs: Vec<ColumnSpec>,
    rows: Vec<Vec<Cell>>,
}

impl Rows {
    /// An empty table with these columns.
    pub(super) fn new(specs: Vec<ColumnSpec>) -> Self {
        Rows {
            specs,
            rows: Vec::new(),
        }
    }

    /// Appends a row: one cell per column, in order.
    pub(super) fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(
            row.len(),
            self.specs.len(),
            "a system table row of the wrong width"
        );
        self.rows.push(row);
    }

    /// The table as a result set (TIMESTAMP columns in ms).
    pub(super) fn finish(self) -> Result<ResultSet, ServerError> {
        let Rows { specs, rows } = self;
        let mut cols = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            let cells = rows.iter().map(|r| r.get(i).unwrap_or(&Cell::Null));
            cols.push(column(spec, cells)?);
        }
        from_columns(&specs, cols, Precision::Millisecond)
    }
}

/// The cells of one column as an array of the column's type.
fn column<'a>(
    spec: &ColumnSpec,
    cells: impl Iterator<Item = &'a Cell>,
) -> Result<ArrayRef, ServerError> {
    let mismatch = || {
        ServerError::internal(format!(
            "a system table cell does not fit column {} ({})",
            spec.name,
            spec.type_name()
        ))
    };
    let int = |c: &Cell| -> Result<Option<i64>, ServerError> {
        match c {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(*n)),
            Cell::Bool(b) => Ok(Some(i64::from(*b))),
            _ => Err(mismatch()),
        }
    };
    Ok(match spec.ty {
        TdType::VarChar | TdType::NChar => {
            let v: Vec<Option<String>> = cells
                .map(|c| match c {
                    Cell::Null => None,
                    Cell::Str(s) => Some(s.clone()),
                    Cell::Int(n) => Some(n.to_string()),
                    Cell::Bool(b) => Some(b.to_string()),
                    Cell::Float(f) => Some(f.to_string()),
                })
                .collect();
            Arc::new(StringArray::from(v))
        }
        TdType::Bool => {
            let v = cells
                .map(|c| int(c).map(|n| n.map(|n| n != 0)))
                .collect::<Result<Vec<_>, ServerError>>()?;
            Arc::new(BooleanArray::from(v))
        }
        TdType::Double => {
            let v = cells
                .map(|c| match c {
                    Cell::Float(f) => Ok(Some(*f)),
                    other => int(other).map(|n| n.map(|n| n as f64)),
                })
                .collect::<Result<Vec<_>, ServerError>>()?;
            Arc::new(Float64Array::from(v))
        }
        ty => {
            let v = cells.map(int).collect::<Result<Vec<_>, ServerError>>()?;
            match ty {
                TdType::TinyInt => Arc::new(Int8Array::from(narrow(v).ok_or_else(mismatch)?)),
                TdType::SmallInt => Arc::new(Int16Array::from(narrow(v).ok_or_else(mismatch)?)),
                TdType::Int => Arc::new(Int32Array::from(narrow(v).ok_or_else(mismatch)?)),
                TdType::UInt => Arc::new(UInt32Array::from(narrow(v).ok_or_else(mismatch)?)),
                TdType::UBigInt => Arc::new(UInt64Array::from(narrow(v).ok_or_else(mismatch)?)),
                TdType::BigInt => Arc::new(Int64Array::from(v)),
                TdType::Timestamp => Arc::new(TimestampMillisecondArray::from(v)),
                _ => return Err(mismatch()),
            }
        }
    })
}

/// `v` in a narrower integer type; `None` when a value does not fit.
fn narrow<T: TryFrom<i64>>(v: Vec<Option<i64>>) -> Option<Vec<Option<T>>> {
    v.into_iter()
        .map(|n| match n {
            None => Some(None),
            Some(n) => T::try_from(n).ok().map(Some),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;

    #[test]
    fn rows_become_typed_columns_and_a_misfit_is_an_error() {
        let mut r = Rows::new(vec![
            vc("name", 8),
            col("n", TdType::TinyInt),
            col("t", TdType::Timestamp),
            col("b", TdType::Bool),
            col("u", TdType::UInt),
        ]);
        r.push(vec![
            "a".into(),
            1i32.into(),
            5i64.into(),
            true.into(),
            7u32.into(),
        ]);
        r.push(vec![
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
        ]);
        let rs = r.finish().unwrap();
        let b = &rs.batches[0];
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.column(1).null_count(), 1);
        let mut bad = Rows::new(vec![col("n", TdType::TinyInt)]);
        bad.push(vec![1000i32.into()]);
        assert!(bad.finish().is_err());
        let mut bad = Rows::new(vec![col("n", TdType::Int)]);
        bad.push(vec!["x".into()]);
        assert!(bad.finish().is_err());
    }
}
