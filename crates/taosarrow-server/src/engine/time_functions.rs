//! TDengine time functions that need exact 64-bit tick arithmetic, as DataFusion functions:
//! `td_timediff(a, b, unit)` is `(a - b) / unit` on ticks, in BIGINT (the arithmetic typing
//! of [`super::arith`] would make a plain subtraction DOUBLE, which cannot hold nanosecond
//! ticks exactly); `td_timetruncate(ts, unit, zone, ticks_per_second)` is TIMETRUNCATE: a
//! timestamp cut down to a multiple of `unit`, whole days and weeks counted from midnight in
//! `zone` (the connection's; UTC when empty), shorter units from the epoch.

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
/// The name the translator calls TIMETRUNCATE by.
pub(crate) const TIMETRUNCATE: &str = "td_timetruncate";

/// The functions, built once and registered into every statement's context.
pub(crate) fn functions() -> &'static [ScalarUDF] {
    static FUNCTIONS: LazyLock<Vec<ScalarUDF>> = LazyLock::new(|| {
        vec![
            ScalarUDF::new_from_impl(TimeDiff {
                signature: Signature::any(3, Volatility::Immutable),
            }),
            ScalarUDF::new_from_impl(TimeTruncate {
                signature: Signature::any(4, Volatility::Immutable),
            }),
        ]
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

/// `td_timetruncate(ts, unit_ticks, zone, ticks_per_second)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TimeTruncate {
    signature: Signature,
}

/// `ts` cut down to a multiple of `unit`: from midnight of `tz` when `unit` is whole days,
/// else from the epoch.
fn truncate(ts: i64, unit: i64, tz: Option<chrono_tz::Tz>, per_second: i64) -> Option<i64> {
    let day = 86_400 * per_second;
    let offset = match tz {
        Some(tz) if unit % day == 0 => {
            use chrono::{Offset, TimeZone};
            let secs = ts.div_euclid(per_second);
            let utc = chrono::DateTime::from_timestamp(secs, 0)?;
            i64::from(
                tz.offset_from_utc_datetime(&utc.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ) * per_second
        }
        _ => 0,
    };
    let local = ts.checked_add(offset)?;
    local
        .checked_sub(local.rem_euclid(unit))?
        .checked_sub(offset)
}

impl ScalarUDFImpl for TimeTruncate {
    fn name(&self) -> &str {
        TIMETRUNCATE
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(match args.first() {
            Some(t @ DataType::Timestamp(..)) => t.clone(),
            _ => DataType::Int64,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [ts, unit, zone, per_second] = &arrays[..] else {
            return Err(DataFusionError::Plan(
                "timetruncate takes a time and a unit".into(),
            ));
        };
        let out_type = ts.data_type().clone();
        let (ts, unit, per_second) = (ticks(ts)?, ticks(unit)?, ticks(per_second)?);
        let ts = ts
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| DataFusionError::Internal("ticks".into()))?;
        let unit = unit
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| DataFusionError::Internal("ticks".into()))?;
        let per_second = per_second
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| DataFusionError::Internal("ticks".into()))?;
        let zone = cast(zone, &DataType::Utf8)?;
        let zone = zone
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .ok_or_else(|| DataFusionError::Internal("zone".into()))?;
        let out: Int64Array = (0..ts.len())
            .map(|i| {
                if ts.is_null(i)
                    || unit.is_null(i)
                    || unit.value(i) <= 0
                    || per_second.value(i) <= 0
                {
                    return None;
                }
                let tz = (!zone.is_null(i))
                    .then(|| zone.value(i).parse::<chrono_tz::Tz>().ok())
                    .flatten();
                truncate(ts.value(i), unit.value(i), tz, per_second.value(i))
            })
            .collect();
        let out: ArrayRef = cast(&(Arc::new(out) as ArrayRef), &out_type)?;
        Ok(if scalar {
            ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&out, 0)?)
        } else {
            ColumnarValue::Array(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn days_start_at_the_zones_midnight_and_shorter_units_at_the_epoch() {
        let ms = 1000;
        // 2023-11-14 22:13:20.123 UTC = 2023-11-15 06:13:20.123 in Shanghai.
        let t = 1_700_000_000_123;
        assert_eq!(truncate(t, 1000, None, ms), Some(1_700_000_000_000));
        assert_eq!(truncate(t, 60_000, None, ms), Some(1_699_999_980_000));
        let day = 86_400_000;
        assert_eq!(truncate(t, day, None, ms), Some(1_699_920_000_000)); // 2023-11-14 00:00 UTC
        let sh: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        // Midnight of 2023-11-15 in Shanghai is 2023-11-14 16:00 UTC.
        assert_eq!(truncate(t, day, Some(sh), ms), Some(1_699_977_600_000));
        // Before the epoch too.
        assert_eq!(truncate(-1, 1000, None, ms), Some(-1000));
    }
}
