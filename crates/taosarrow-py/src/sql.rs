//! SQL quoting and time-unit names from the protocol crate, for the Python half.

use std::collections::HashMap;

use pyo3::prelude::*;
use taosarrow::protocol::{quote, Precision, TickUnit};

/// `name` as a back-quoted identifier; a back quote inside is doubled.
#[pyfunction]
pub fn quote_ident(name: &str) -> String {
    quote::quote_ident(name)
}

/// A possibly qualified table name (`db.table`, split at the first dot), each part quoted.
#[pyfunction]
pub fn quote_table(name: &str) -> String {
    quote::quote_table(name)
}

/// `text` as a single-quoted string literal; `'` and `\` inside are doubled.
#[pyfunction]
pub fn quote_literal(text: &str) -> String {
    quote::quote_literal(text)
}

/// Adds the functions and the unit tables `PRECISION_NAMES` (precision code → `"ms"`,
/// `"us"`, `"ns"`) and `NANOS_PER_TICK` (unit name, `"s"` included → nanoseconds).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(quote_ident, m)?)?;
    m.add_function(wrap_pyfunction!(quote_table, m)?)?;
    m.add_function(wrap_pyfunction!(quote_literal, m)?)?;
    let names: HashMap<u8, &str> = Precision::ALL
        .iter()
        .map(|p| (p.code(), p.name()))
        .collect();
    m.add("PRECISION_NAMES", names)?;
    let nanos: HashMap<&str, i64> = TickUnit::ALL
        .iter()
        .map(|u| (u.name(), u.nanos()))
        .collect();
    m.add("NANOS_PER_TICK", nanos)?;
    Ok(())
}
