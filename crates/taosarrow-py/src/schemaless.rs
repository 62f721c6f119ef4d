//! `NativeConnection.schemaless_insert`: lines from a Python `str`, a sequence of `str` or
//! an Arrow string column (read through the Arrow C interface, no Python object per line),
//! written by the client's `schemaless_insert` with the GIL released.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use pyo3_arrow::input::AnyArray;
use taosarrow::{
    Code, Connection, Error, SchemalessOutcome, SchemalessPrecision, SchemalessProtocol,
};

use crate::errors::{class_for, named, to_py_err};
use crate::wait::wait;

/// What `lines` was given as.
enum Payload {
    /// One payload: for line and telnet input cut at `\n` (never inside a line), for JSON
    /// sent as it is.
    Text(PyBackedStr),
    /// One line (or, for JSON, one piece of the document) per element.
    List(Vec<PyBackedStr>),
    /// The chunks of an Arrow string column.
    Arrow(Vec<ArrayRef>),
}

/// A `SchemalessError` raised before anything is sent.
fn refused(py: Python<'_>, code: Code, msg: String) -> PyErr {
    named(py, "SchemalessError", msg, Some(code.0))
}

/// The protocol of a `SmlProtocol`/`PySchemalessProtocol` member, an int 1–3, or a name
/// (`"line"`, `"telnet"`, `"json"`, …). 0 (`UNKNOWN_PROTOCOL`) and other codes are refused.
pub fn protocol_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<SchemalessProtocol> {
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()?
            .parse::<SchemalessProtocol>()
            .map_err(|e| refused(py, Code::SML_INVALID_PROTOCOL_TYPE, e.to_string()));
    }
    let code = int_of(py, obj, "protocol")?;
    SchemalessProtocol::from_code(code).ok_or_else(|| {
        refused(
            py,
            Code::SML_INVALID_PROTOCOL_TYPE,
            format!(
                "invalid schemaless protocol {code}: use SmlProtocol.LINE_PROTOCOL (1), \
                 TELNET_PROTOCOL (2) or JSON_PROTOCOL (3)"
            ),
        )
    })
}

/// The precision of a `SmlPrecision`/`PySchemalessPrecision` member, an int 0–6, `None`
/// (not configured) or a unit name (`"ms"`, `"us"`, `"ns"`, `"hour"`, …).
pub fn precision_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<SchemalessPrecision> {
    if obj.is_none() {
        return Ok(SchemalessPrecision::NotConfigured);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()?
            .parse::<SchemalessPrecision>()
            .map_err(|e| refused(py, Code::SML_INVALID_PRECISION_TYPE, e.to_string()));
    }
    let code = int_of(py, obj, "precision")?;
    SchemalessPrecision::from_code(code).ok_or_else(|| {
        refused(
            py,
            Code::SML_INVALID_PRECISION_TYPE,
            format!("invalid schemaless precision {code}: use SmlPrecision (0-6)"),
        )
    })
}

/// `int(obj)` (an IntEnum member, an int, or an enum exporting `__int__` such as
/// taos-ws-py's); a `TypeError` for anything else, booleans included.
fn int_of(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    let type_error = || {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "schemaless {what} must be an enum member, an int or a name, not {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    };
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyFloat>() {
        return Err(type_error());
    }
    if !obj.is_instance_of::<PyInt>() && !obj.hasattr(intern!(py, "__int__"))? {
        return Err(type_error());
    }
    py.get_type::<PyInt>()
        .call1((obj,))
        .and_then(|i| i.extract::<i64>())
        .map_err(|_| type_error())
}

/// The wire code (1–3) of a protocol given in any accepted form; raises `SchemalessError`
/// (errno `0x3000`) for an unknown one.
#[pyfunction]
pub fn protocol_code(py: Python<'_>, protocol: &Bound<'_, PyAny>) -> PyResult<u8> {
    Ok(protocol_of(py, protocol)?.code())
}

/// The code (0–6) of a precision given in any accepted form; raises `SchemalessError`
/// (errno `0x3001`) for an unknown one.
#[pyfunction]
pub fn precision_code(py: Python<'_>, precision: &Bound<'_, PyAny>) -> PyResult<u8> {
    Ok(precision_of(py, precision)?.code())
}

impl Payload {
    fn from_py(py: Python<'_>, lines: &Bound<'_, PyAny>) -> PyResult<Payload> {
        if let Ok(s) = lines.cast::<PyString>() {
            return Ok(Payload::Text(s.clone().try_into()?));
        }
        if lines.hasattr(intern!(py, "__arrow_c_array__"))?
            || lines.hasattr(intern!(py, "__arrow_c_stream__"))?
        {
            let (chunks, _) = lines
                .extract::<AnyArray>()?
                .into_chunked_array()?
                .into_inner();
            for chunk in &chunks {
                if !matches!(
                    chunk.data_type(),
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                ) {
                    return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "schemaless lines must be a string column, not {}",
                        chunk.data_type()
                    )));
                }
            }
            return Ok(Payload::Arrow(chunks));
        }
        match lines.extract::<Vec<PyBackedStr>>() {
            Ok(v) => Ok(Payload::List(v)),
            Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "schemaless lines must be a str, a sequence of str or an Arrow string column \
                 (pyarrow, polars, pandas), not {}",
                lines
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))),
        }
    }
}

/// The lines of Arrow string chunks, borrowed from their buffers; a null is an error naming
/// its position.
fn arrow_lines(chunks: &[ArrayRef]) -> Result<Vec<&str>, Error> {
    let total = chunks.iter().map(|c| c.len()).sum();
    let mut out = Vec::with_capacity(total);
    for chunk in chunks {
        if chunk.null_count() > 0 {
            let at = (0..chunk.len()).find(|&i| chunk.is_null(i)).unwrap_or(0);
            return Err(Error::Interface(format!(
                "schemaless line {} is null",
                out.len() + at
            )));
        }
        match chunk.data_type() {
            DataType::Utf8 => out.extend(chunk.as_string::<i32>().iter().flatten()),
            DataType::LargeUtf8 => out.extend(chunk.as_string::<i64>().iter().flatten()),
            DataType::Utf8View => out.extend(chunk.as_string_view().iter().flatten()),
            other => {
                return Err(Error::Interface(format!(
                    "schemaless lines must be strings, not {other}"
                )))
            }
        }
    }
    Ok(out)
}

/// The arguments of one call, owned so the write runs with the GIL released.
pub struct Call {
    payload: Payload,
    protocol: SchemalessProtocol,
    precision: SchemalessPrecision,
    ttl: Option<i32>,
    req_id: Option<u64>,
    table_name_key: Option<String>,
}

impl Call {
    /// Reads the Python arguments.
    pub fn new(
        py: Python<'_>,
        lines: &Bound<'_, PyAny>,
        protocol: &Bound<'_, PyAny>,
        precision: &Bound<'_, PyAny>,
        ttl: Option<i32>,
        req_id: Option<u64>,
        table_name_key: Option<String>,
    ) -> PyResult<Call> {
        Ok(Call {
            protocol: protocol_of(py, protocol)?,
            precision: precision_of(py, precision)?,
            payload: Payload::from_py(py, lines)?,
            ttl,
            req_id,
            table_name_key: table_name_key.filter(|k| !k.is_empty()),
        })
    }

    /// Writes with the GIL released. The payload comes back to be dropped here, with the
    /// GIL held: a list's strings are released at once rather than queued for later.
    pub fn run(self, py: Python<'_>, conn: Arc<Connection>) -> PyResult<SchemalessOutcome> {
        let (payload, result) = wait(py, async move {
            let Call {
                payload,
                protocol,
                precision,
                ttl,
                req_id,
                table_name_key,
            } = self;
            let key = table_name_key.as_deref();
            let result = match &payload {
                Payload::Text(text) => {
                    let lines: Vec<&str> = if protocol == SchemalessProtocol::Json {
                        vec![&**text]
                    } else {
                        text.split('\n').collect()
                    };
                    conn.schemaless_insert(&lines, protocol, precision, ttl, req_id, key)
                        .await
                }
                Payload::List(lines) => {
                    conn.schemaless_insert(lines, protocol, precision, ttl, req_id, key)
                        .await
                }
                Payload::Arrow(chunks) => match arrow_lines(chunks) {
                    Ok(lines) => {
                        conn.schemaless_insert(&lines, protocol, precision, ttl, req_id, key)
                            .await
                    }
                    Err(e) => Err(e),
                },
            };
            Ok((payload, result))
        })?;
        drop(payload);
        result.map_err(to_py_err)
    }
}

/// The exception of a failed schemaless insert (`None` for other errors), with the line
/// account as attributes: `affected_rows` (rows earlier batches wrote, as taospy names it),
/// `total_rows`, `lines_written`, `failed_lines` (`(start, end)`), `failed_batch`
/// (`"not_sent"`, `"refused"` or `"unknown"`), `unsent_from` and `lines`.
pub fn schemaless_error(py: Python<'_>, err: &Error) -> Option<PyErr> {
    let Error::Schemaless(e) = err else {
        return None;
    };
    let exc = named(py, class_for(err), err.message(), err.code().map(|c| c.0));
    let value = exc.value(py);
    let _ = value.setattr("affected_rows", e.affected_rows);
    let _ = value.setattr("total_rows", e.total_rows);
    let _ = value.setattr("lines_written", e.lines_written);
    let _ = value.setattr("failed_lines", (e.failed_lines.start, e.failed_lines.end));
    let _ = value.setattr("failed_batch", e.failed_batch.name());
    let _ = value.setattr("unsent_from", e.unsent_from);
    let _ = value.setattr("lines", e.lines);
    Some(exc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{LargeStringArray, StringArray, StringViewArray};

    #[test]
    fn arrow_lines_borrow_every_string_type_in_order() {
        let chunks: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec!["a 1", "b 2"])),
            Arc::new(LargeStringArray::from(vec!["c 3"])),
            Arc::new(StringViewArray::from(vec![
                "d 4",
                "a line longer than twelve bytes",
            ])),
        ];
        assert_eq!(
            arrow_lines(&chunks).unwrap(),
            vec![
                "a 1",
                "b 2",
                "c 3",
                "d 4",
                "a line longer than twelve bytes"
            ]
        );
    }

    #[test]
    fn a_null_line_is_refused_with_its_position() {
        let chunks: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec!["a"])),
            Arc::new(StringArray::from(vec![Some("b"), None])),
        ];
        let e = arrow_lines(&chunks).unwrap_err();
        assert!(e.to_string().contains("line 2 is null"), "{e}");
    }
}
