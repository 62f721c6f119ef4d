//! Arrow batches → Python row tuples, with the values of the TDengine type table:
//! ms/µs timestamps as time-zone-aware `datetime`, ns as `int` (or, by the connect option
//! `ns_timestamps`, a `pandas.Timestamp` or `numpy.datetime64`, both keeping the
//! nanoseconds), DECIMAL as `decimal.Decimal`, binary types as `bytes`, NULL as `None`.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use pyo3::IntoPyObjectExt;
use taosarrow::NsTimestamps;

use crate::errors::named;

/// Python objects the conversion needs, fetched once per call.
struct Ctx<'py> {
    tz: Bound<'py, PyAny>,
    from_ts: Bound<'py, PyAny>,
    decimal: Bound<'py, PyAny>,
    /// How ns timestamps become values: `None` for `int`, else the constructor called
    /// with `(ticks, *ns_args)` and `ns_kwargs`.
    ns_ctor: Option<Bound<'py, PyAny>>,
    ns_args: Bound<'py, PyTuple>,
    ns_kwargs: Option<Bound<'py, PyDict>>,
}

impl<'py> Ctx<'py> {
    fn new(py: Python<'py>, tz: Option<&str>, ns: NsTimestamps) -> PyResult<Self> {
        let datetime = PyModule::import(py, "datetime")?;
        let tz = match tz {
            Some(name) if name.eq_ignore_ascii_case("utc") => {
                datetime.getattr("timezone")?.getattr("utc")?
            }
            Some(name) => PyModule::import(py, "zoneinfo")?
                .getattr("ZoneInfo")?
                .call1((name,))?,
            None => local_zone(py)?,
        };
        let (ns_ctor, ns_args, ns_kwargs) = match ns {
            NsTimestamps::Pandas => {
                // `pandas.Timestamp(ns_since_epoch, tz=zone)`: the instant, shown in `zone`.
                let kwargs = PyDict::new(py);
                kwargs.set_item("tz", &tz)?;
                let ctor = PyModule::import(py, "pandas")?.getattr("Timestamp")?;
                (Some(ctor), PyTuple::empty(py), Some(kwargs))
            }
            NsTimestamps::Numpy => {
                let ctor = PyModule::import(py, "numpy")?.getattr("datetime64")?;
                (Some(ctor), PyTuple::new(py, ["ns"])?, None)
            }
            _ => (None, PyTuple::empty(py), None),
        };
        Ok(Ctx {
            tz,
            from_ts: datetime.getattr("datetime")?.getattr("fromtimestamp")?,
            decimal: PyModule::import(py, "decimal")?.getattr("Decimal")?,
            ns_ctor,
            ns_args,
            ns_kwargs,
        })
    }

    /// The row value of a nanosecond timestamp.
    fn nanos(&self, py: Python<'py>, ticks: i64) -> PyResult<Bound<'py, PyAny>> {
        match &self.ns_ctor {
            None => ticks.into_bound_py_any(py),
            Some(ctor) => {
                let mut args = vec![ticks.into_bound_py_any(py)?];
                args.extend(self.ns_args.iter());
                ctor.call(PyTuple::new(py, args)?, self.ns_kwargs.as_ref())
            }
        }
    }

    /// A datetime from `ticks` of `per_sec` per second (µs kept, finer units truncated).
    fn datetime(&self, ticks: i64, per_sec: i64) -> PyResult<Bound<'py, PyAny>> {
        let secs = ticks.div_euclid(per_sec);
        let micros = ticks.rem_euclid(per_sec) * 1_000_000 / per_sec;
        let dt = self.from_ts.call1((secs, &self.tz))?;
        if micros == 0 {
            return Ok(dt);
        }
        let kwargs = pyo3::types::PyDict::new(dt.py());
        kwargs.set_item("microsecond", micros)?;
        dt.call_method("replace", (), Some(&kwargs))
    }
}

/// The local time zone as a `zoneinfo.ZoneInfo` when the system names it, else a fixed
/// offset from `datetime.now().astimezone()`.
fn local_zone(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let datetime = PyModule::import(py, "datetime")?;
    let now = datetime
        .getattr("datetime")?
        .call_method0("now")?
        .call_method0("astimezone")?;
    now.getattr("tzinfo")
}

/// Every row of `batches` as a tuple; `tz` names the zone for ms/µs timestamps (and
/// `pandas.Timestamp` ones), `ns` chooses the value of ns timestamps.
pub fn batches_to_rows<'py>(
    py: Python<'py>,
    batches: &[RecordBatch],
    tz: Option<&str>,
    ns: NsTimestamps,
) -> PyResult<Vec<Bound<'py, PyTuple>>> {
    let ctx = Ctx::new(py, tz, ns)?;
    let mut rows = Vec::new();
    for batch in batches {
        let columns = batch
            .columns()
            .iter()
            .map(|c| column_values(py, &ctx, c))
            .collect::<PyResult<Vec<_>>>()?;
        for r in 0..batch.num_rows() {
            rows.push(PyTuple::new(py, columns.iter().map(|c| &c[r]))?);
        }
    }
    Ok(rows)
}

fn column_values<'py>(
    py: Python<'py>,
    ctx: &Ctx<'py>,
    array: &ArrayRef,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    macro_rules! prim {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            (0..a.len())
                .map(|i| opt(py, a.is_valid(i).then(|| a.value(i))))
                .collect()
        }};
    }
    match array.data_type() {
        DataType::Null => Ok((0..array.len()).map(|_| py.None().into_bound(py)).collect()),
        DataType::Boolean => {
            let a = array.as_boolean();
            (0..a.len())
                .map(|i| opt(py, a.is_valid(i).then(|| a.value(i))))
                .collect()
        }
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            (0..a.len())
                .map(|i| opt(py, a.is_valid(i).then(|| f64::from(a.value(i)))))
                .collect()
        }
        DataType::Float64 => prim!(Float64Type),
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            (0..a.len())
                .map(|i| opt(py, a.is_valid(i).then(|| a.value(i))))
                .collect()
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            (0..a.len())
                .map(|i| opt(py, a.is_valid(i).then(|| a.value(i))))
                .collect()
        }
        DataType::Binary => {
            let a = array.as_binary::<i32>();
            Ok((0..a.len())
                .map(|i| bytes(py, a.is_valid(i).then(|| a.value(i))))
                .collect())
        }
        DataType::LargeBinary => {
            let a = array.as_binary::<i64>();
            Ok((0..a.len())
                .map(|i| bytes(py, a.is_valid(i).then(|| a.value(i))))
                .collect())
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            let a = array.as_primitive::<TimestampNanosecondType>();
            (0..a.len())
                .map(|i| {
                    if a.is_valid(i) {
                        ctx.nanos(py, a.value(i))
                    } else {
                        Ok(py.None().into_bound(py))
                    }
                })
                .collect()
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let a = array.as_primitive::<TimestampMicrosecondType>();
            timestamps(
                py,
                ctx,
                (0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i))),
                1_000_000,
            )
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            let a = array.as_primitive::<TimestampMillisecondType>();
            timestamps(
                py,
                ctx,
                (0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i))),
                1_000,
            )
        }
        DataType::Decimal128(_, _) => {
            let a = array.as_primitive::<Decimal128Type>();
            (0..a.len())
                .map(|i| {
                    if a.is_valid(i) {
                        ctx.decimal.call1((a.value_as_string(i),))
                    } else {
                        Ok(py.None().into_bound(py))
                    }
                })
                .collect()
        }
        other => Err(named(
            py,
            "NotSupportedError",
            format!("no Python value for Arrow type {other}"),
            None,
        )),
    }
}

fn opt<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: Option<T>) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Some(v) => v.into_bound_py_any(py),
        None => Ok(py.None().into_bound(py)),
    }
}

fn bytes<'py>(py: Python<'py>, v: Option<&[u8]>) -> Bound<'py, PyAny> {
    match v {
        Some(b) => PyBytes::new(py, b).into_any(),
        None => py.None().into_bound(py),
    }
}

fn timestamps<'py>(
    py: Python<'py>,
    ctx: &Ctx<'py>,
    values: impl Iterator<Item = Option<i64>>,
    per_sec: i64,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    values
        .map(|v| match v {
            Some(t) => ctx.datetime(t, per_sec),
            None => Ok(py.None().into_bound(py)),
        })
        .collect()
}
