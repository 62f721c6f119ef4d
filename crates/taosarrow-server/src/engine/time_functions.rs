//! TDengine time functions that need exact 64-bit tick arithmetic, as DataFusion functions:
//! `td_timediff(a, b, unit)` is `(a - b) / unit` on ticks, in BIGINT (the arithmetic typing
//! of [`super::arith`] would make a plain subtraction DOUBLE, which cannot hold nanosecond
//! ticks exactly).

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The name the translator calls TIMEDIFF by.
pub(crate) const TIMEDIFF: &str = "td_timediff";

/// The functions, built once and registered into every statement's context.
pub(crate) fn functions() -> &'static [ScalarUDF] {
    static FUNCTIONS: LazyLock<Vec<ScalarUDF>> = LazyLock::new(|| {
        vec![ScalarUDF::new_from_impl(TimeDiff {
            signature: Signature::any(3, Volatility::Immutable),
        })]
    });
    &FUNCTIONS
}

/// `td_timediff(a, b, unit)`: timestamps or integers `a`, `b` as ticks; `unit` ticks > 0.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TimeDiff {
    signature: Signature,
}

/// `a` as BIGINT ticks (a timestamp's ticks in its unit, an integer as it is).
fn ticks(a: &ArrayRef) -> Result<ArrayRef> {
    match a.data_type() {
        DataType::Timestamp(..)
        | DataType::Int64
        | DataType::Int32
        | DataType::Int16
        | DataType::Int8
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Null => Ok(cast(a, &DataType::Int64)?),
        other => Err(DataFusionError::Plan(format!(
            "timediff takes timestamps or integers, not {other}"
        ))),
    }
}

impl ScalarUDFImpl for TimeDiff {
    fn name(&self) -> &str {
        TIMEDIFF
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [a, b, unit] = &arrays[..] else {
            return Err(DataFusionError::Plan(
                "timediff takes two times and a unit".into(),
            ));
        };
        let (a, b, unit) = (ticks(a)?, ticks(b)?, ticks(unit)?);
        let a = a
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| DataFusionError::Internal("ticks".into()))?;
        let b = b
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| DataFusionError::Internal("ticks".into()))?;
        let unit = unit
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| DataFusionError::Internal("ticks".into()))?;
        let out: Int64Array = (0..a.len())
            .map(|i| {
                if a.is_null(i) || b.is_null(i) || unit.is_null(i) || unit.value(i) <= 0 {
                    return None;
                }
                a.value(i)
                    .checked_sub(b.value(i))
                    .map(|d| d / unit.value(i))
            })
            .collect();
        let out: ArrayRef = Arc::new(out);
        Ok(if scalar {
            ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&out, 0)?)
        } else {
            ColumnarValue::Array(out)
        })
    }
}
