//! The type table as Python sees it, built from the Rust one: the name and PEP 249 type
//! object of each type code, and the Arrow type a placeholder's values are built as.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3_arrow::PyDataType;
use taosarrow::codec::stmt2::{field_arrow_type, BindField, BindRole, Stmt2Error};
use taosarrow::protocol::TdType;

/// One row of the table: `(type_code, name, group, supported)`.
type TypeRow = (u8, &'static str, Option<&'static str>, bool);

/// Every TDengine type, in code order, as `(type_code, name, group, supported)`: the name
/// `TaosField.type()` reports, the PEP 249 type object it compares equal to (`"NUMBER"`,
/// `"STRING"`, `"BINARY"`, `"DATETIME"`; `None` for NULL) and whether columns of it can be
/// read and bound (not NULL, not MEDIUMBLOB).
#[pyfunction]
pub fn type_table() -> Vec<TypeRow> {
    TdType::ALL
        .iter()
        .map(|ty| {
            (
                ty.code(),
                ty.sql_name(),
                ty.group().map(|g| g.name()),
                ty.is_supported(),
            )
        })
        .collect()
}

/// The Arrow type the values of a placeholder of `type_code` are built as: `precision` is the
/// database precision code (0 ms, 1 µs, 2 ns) for a TIMESTAMP and the precision of a DECIMAL,
/// `scale` a DECIMAL's scale. Raises `ValueError` for an unknown or unsupported type code and
/// an invalid precision or scale.
#[pyfunction]
pub fn arrow_type(type_code: i64, precision: u8, scale: u8) -> PyResult<PyDataType> {
    let ty = i32::try_from(type_code)
        .ok()
        .and_then(|c| TdType::from_code(c).ok())
        .ok_or_else(|| PyValueError::new_err(format!("unknown type code {type_code}")))?;
    if !ty.is_supported() {
        return Err(PyValueError::new_err(format!(
            "unsupported type code {type_code} ({ty})"
        )));
    }
    let mut field = BindField::new("", ty, BindRole::Column);
    field.precision = precision;
    field.scale = scale;
    match field_arrow_type(&field) {
        Ok(dt) => Ok(PyDataType::new(dt)),
        Err(Stmt2Error::Field { reason, .. }) => Err(PyValueError::new_err(reason)),
        Err(other) => Err(PyValueError::new_err(other.to_string())),
    }
}
