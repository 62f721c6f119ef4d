//! TDengine time functions that need exact 64-bit tick arithmetic, as DataFusion functions:
//! `td_timediff(a, b, unit)` is `(a - b) / unit` on ticks, in BIGINT (the arithmetic typing
//! of [`super::arith`] would make a plain subtraction DOUBLE, which cannot hold nanosecond
//! ticks exactly); `td_timetruncate(ts, unit, zone, ticks_per_second)` is TIMETRUNCATE: a
//! timestamp cut down to a multiple of `unit`, whole days and weeks counted from midnight in
//! `zone` (the connection's; UTC when empty), shorter units from the epoch.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, Int64Array, StringArray};
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
/// The name the translator calls TO_ISO8601 by.
pub(crate) const TO_ISO8601: &str = "td_to_iso8601";

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
            ScalarUDF::new_from_impl(ToIso8601 {
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

/// `a` as BIGINT ticks (a timestamp's ticks in its unit, an integer as it is); `function`
/// names the caller in the error for another type.
fn ticks(a: &ArrayRef, function: &str) -> Result<Int64Array> {
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
        | DataType::Null => {
            let cast = cast(a, &DataType::Int64)?;
            cast.as_any()
                .downcast_ref::<Int64Array>()
                .cloned()
                .ok_or_else(|| DataFusionError::Internal("ticks".into()))
        }
        other => Err(DataFusionError::Plan(format!(
            "{function} takes timestamps or integers, not {other}"
        ))),
    }
}

/// `a` as text.
fn texts(a: &ArrayRef) -> Result<StringArray> {
    cast(a, &DataType::Utf8)?
        .as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| DataFusionError::Internal("text".into()))
}

/// Whether every argument is a scalar (the result is one too).
fn all_scalar(args: &ScalarFunctionArgs) -> bool {
    args.args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)))
}

/// `out` as the function's value: a scalar when every argument was one.
fn output(scalar: bool, out: ArrayRef) -> Result<ColumnarValue> {
    Ok(if scalar {
        ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&out, 0)?)
    } else {
        ColumnarValue::Array(out)
    })
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
        let scalar = all_scalar(&args);
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [a, b, unit] = &arrays[..] else {
            return Err(DataFusionError::Plan(
                "timediff takes two times and a unit".into(),
            ));
        };
        let (a, b, unit) = (
            ticks(a, "timediff")?,
            ticks(b, "timediff")?,
            ticks(unit, "timediff")?,
        );
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
        output(scalar, out)
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
        let scalar = all_scalar(&args);
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [ts, unit, zone, per_second] = &arrays[..] else {
            return Err(DataFusionError::Plan(
                "timetruncate takes a time and a unit".into(),
            ));
        };
        let out_type = ts.data_type().clone();
        let (ts, unit, per_second) = (
            ticks(ts, "timetruncate")?,
            ticks(unit, "timetruncate")?,
            ticks(per_second, "timetruncate")?,
        );
        let zone = texts(zone)?;
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
        output(scalar, out)
    }
}

/// `td_to_iso8601(t, ticks_per_second, zone, offset)`: `t` (a timestamp, or an integer whose
/// digits give its unit: 10 or fewer seconds, 13 ms, 16 µs, 19 ns) as TDengine's
/// `2022-01-01T08:00:00.000+0800`, in `zone` (an IANA name; UTC when empty) or, when `offset`
/// is given (`+0530`, `-05:00`, `+08`, `Z`), at that fixed offset, written as given.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToIso8601 {
    signature: Signature,
}

/// A fixed offset as TO_ISO8601's second argument writes it, in seconds east of UTC.
fn fixed_offset(text: &str) -> Option<i32> {
    if text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// One value as TDengine's ISO 8601 text.
fn iso8601(
    ticks: i64,
    per_second: i64,
    tz: Option<chrono_tz::Tz>,
    fixed: Option<(i32, &str)>,
) -> Option<String> {
    use chrono::{Offset, TimeZone};
    let secs = ticks.div_euclid(per_second);
    let frac = ticks.rem_euclid(per_second);
    let utc = chrono::DateTime::from_timestamp(secs, 0)?;
    let (offset, suffix) = match fixed {
        Some((off, text)) => (off, text.to_owned()),
        None => {
            let tz = tz.unwrap_or(chrono_tz::UTC);
            let off = tz
                .offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc();
            let sign = if off < 0 { '-' } else { '+' };
            (
                off,
                format!("{sign}{:02}{:02}", off.abs() / 3600, off.abs() % 3600 / 60),
            )
        }
    };
    let local = utc.naive_utc() + chrono::Duration::seconds(i64::from(offset));
    let fraction = match per_second {
        1 => String::new(),
        1_000 => format!(".{frac:03}"),
        1_000_000 => format!(".{frac:06}"),
        _ => format!(".{frac:09}"),
    };
    Some(format!(
        "{}{fraction}{suffix}",
        local.format("%Y-%m-%dT%H:%M:%S")
    ))
}

impl ScalarUDFImpl for ToIso8601 {
    fn name(&self) -> &str {
        TO_ISO8601
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = all_scalar(&args);
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [t, per_second, zone, offset] = &arrays[..] else {
            return Err(DataFusionError::Plan(
                "to_iso8601 takes a time and a zone".into(),
            ));
        };
        let is_timestamp = matches!(t.data_type(), DataType::Timestamp(..));
        let (t, per_second) = (ticks(t, "to_iso8601")?, ticks(per_second, "to_iso8601")?);
        let (zone, offset) = (texts(zone)?, texts(offset)?);
        let mut out = arrow::array::StringBuilder::with_capacity(t.len(), t.len() * 29);
        for i in 0..t.len() {
            if t.is_null(i) {
                out.append_null();
                continue;
            }
            let v = t.value(i);
            let unit = if is_timestamp {
                per_second.value(i)
            } else {
                match v.unsigned_abs().to_string().len() {
                    0..=10 => 1,
                    11..=13 => 1_000,
                    14..=16 => 1_000_000,
                    _ => 1_000_000_000,
                }
            };
            let fixed = if offset.is_null(i) || offset.value(i).is_empty() {
                None
            } else {
                let text = offset.value(i);
                let off = fixed_offset(text).ok_or_else(|| {
                    DataFusionError::Plan(format!("Invalid timezone format: {text}"))
                })?;
                Some((off, text))
            };
            let tz = (!zone.is_null(i))
                .then(|| zone.value(i).parse::<chrono_tz::Tz>().ok())
                .flatten();
            match iso8601(v, unit, tz, fixed) {
                Some(text) => out.append_value(text),
                None => out.append_null(),
            }
        }
        let out: ArrayRef = Arc::new(out.finish());
        output(scalar, out)
    }
}

#[cfg(test)]
mod tests {
    use super::{fixed_offset, iso8601, truncate};

    #[test]
    fn iso8601_is_written_as_tdengine_writes_it() {
        let sh: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        // 2021-12-31T16:00:00Z
        let ms = 1_640_966_400_000;
        assert_eq!(
            iso8601(ms, 1000, Some(sh), None).unwrap(),
            "2022-01-01T00:00:00.000+0800"
        );
        assert_eq!(
            iso8601(ms + 5, 1000, None, None).unwrap(),
            "2021-12-31T16:00:00.005+0000"
        );
        assert_eq!(
            iso8601(ms, 1000, None, Some((19_800, "+0530"))).unwrap(),
            "2021-12-31T21:30:00.000+0530"
        );
        assert_eq!(
            iso8601(1_643_738_400, 1, Some(sh), None).unwrap(),
            "2022-02-02T02:00:00+0800"
        );
        assert_eq!(
            iso8601(-1, 1_000_000_000, None, None).unwrap(),
            "1969-12-31T23:59:59.999999999+0000"
        );
        assert_eq!(fixed_offset("-05:00"), Some(-18_000));
        assert_eq!(fixed_offset("+08"), Some(28_800));
        assert_eq!(fixed_offset("Z"), Some(0));
        assert_eq!(fixed_offset("Asia/Shanghai"), None);
        assert_eq!(fixed_offset("+99"), None);
    }

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
