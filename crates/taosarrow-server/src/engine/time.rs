//! Timestamps in SQL text: integers in the db precision, time strings in the connection
//! time zone, `NOW`, `TODAY` and durations such as `1d`, `10s`, `500a`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use taosarrow_protocol::{Code, DurationUnit, Precision};

use crate::ServerError;

/// `NOW` for a statement that started at `at`, in ticks of `p`.
pub fn now(at: DateTime<chrono::Utc>, p: Precision) -> i64 {
    p.unit()
        .ticks_of(at.timestamp(), at.timestamp_subsec_nanos())
        .unwrap_or(i64::MAX)
}

/// The start of the day of `at` in time zone `tz` (UTC when `None`) in ticks of `p`: what
/// `TODAY` means for a statement that started at `at` on a connection in `tz`.
pub fn today(at: DateTime<chrono::Utc>, p: Precision, tz: Option<chrono_tz::Tz>) -> i64 {
    let midnight = match tz {
        None => at.date_naive().and_time(chrono::NaiveTime::MIN).and_utc(),
        Some(z) => {
            let local = at.with_timezone(&z).date_naive();
            // A day that starts in a DST gap starts at its first existing instant.
            (0..24)
                .find_map(|h| {
                    let t = local.and_hms_opt(h, 0, 0)?;
                    z.from_local_datetime(&t).earliest()
                })
                .map_or(at, |t| t.with_timezone(&chrono::Utc))
        }
    };
    now(midnight, p)
}

/// The time zone of this process, as TDengine's server reads time strings without an
/// offset when the connection names none: `TZ` when it names an IANA zone (with or without
/// a leading `:`), else the system's zone; `None` (UTC) when neither is known.
pub fn local_zone() -> Option<chrono_tz::Tz> {
    let from_env = std::env::var("TZ")
        .ok()
        .and_then(|v| v.trim_start_matches(':').parse::<chrono_tz::Tz>().ok());
    from_env.or_else(|| {
        iana_time_zone::get_timezone()
            .ok()
            .and_then(|name| name.parse().ok())
    })
}

fn bad_ts(s: &str) -> ServerError {
    ServerError::new(
        Code::PAR_INCORRECT_TIMESTAMP_VAL,
        format!("Incorrect TIMESTAMP value: {s}"),
    )
}

fn ticks_of(dt: DateTime<chrono::Utc>, p: Precision, s: &str) -> Result<i64, ServerError> {
    p.unit()
        .ticks_of(dt.timestamp(), dt.timestamp_subsec_nanos())
        .ok_or_else(|| bad_ts(s))
}

/// A time string (`2024-01-01 00:00:00.000`, ISO 8601 with `T`, optional zone offset or `Z`)
/// in ticks of `p`; strings without a zone are read in `tz` (UTC when `None`).
pub fn parse_time_string(
    s: &str,
    p: Precision,
    tz: Option<chrono_tz::Tz>,
) -> Result<i64, ServerError> {
    let t = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return ticks_of(dt.with_timezone(&chrono::Utc), p, s);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return ticks_of(dt.with_timezone(&chrono::Utc), p, s);
        }
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| bad_ts(s))?;
    let utc = match tz {
        None => naive.and_utc(),
        Some(z) => z
            .from_local_datetime(&naive)
            .earliest()
            .ok_or_else(|| bad_ts(s))?
            .with_timezone(&chrono::Utc),
    };
    ticks_of(utc, p, s)
}

/// A duration literal such as `1d`, `10s`, `500a`, `3u`, `7b` in ticks of `p`. Months and
/// years (`n`, `y`) have no fixed length and are refused.
pub fn duration_ticks(lit: &str, p: Precision) -> Result<i64, ServerError> {
    // The unit is the last character (split on a char boundary: `lit` is user text).
    let split = lit.char_indices().next_back().map_or(0, |(k, _)| k);
    let (num, unit) = lit.split_at(split);
    let n: i64 = num.parse().map_err(|_| ServerError::syntax(lit))?;
    let nanos = <[u8; 1]>::try_from(unit.as_bytes())
        .ok()
        .and_then(|[letter]| DurationUnit::from_letter(letter))
        .and_then(DurationUnit::nanos)
        .ok_or_else(|| {
            ServerError::new(
                Code::PAR_SYNTAX_ERROR,
                format!("syntax error: duration {lit} in months or years is not supported"),
            )
        })?;
    let per_tick = p.unit().nanos();
    let total = n
        .checked_mul(nanos)
        .ok_or_else(|| ServerError::syntax(lit))?;
    if total % per_tick != 0 {
        return Err(ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            format!("syntax error: duration {lit} is finer than the database precision"),
        ));
    }
    Ok(total / per_tick)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_durations() {
        let p = Precision::Millisecond;
        assert_eq!(
            parse_time_string("1970-01-01 00:00:01.5", p, None).unwrap(),
            1500
        );
        assert_eq!(
            parse_time_string("2024-01-01T00:00:00Z", p, None).unwrap(),
            1_704_067_200_000
        );
        assert_eq!(
            parse_time_string("2024-01-01 08:00:00+08:00", p, None).unwrap(),
            1_704_067_200_000
        );
        let sh: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        assert_eq!(
            parse_time_string("2024-01-01 08:00:00", p, Some(sh)).unwrap(),
            1_704_067_200_000
        );
        assert_eq!(
            parse_time_string("1970-01-01 00:00:00.123456789", Precision::Nanosecond, None)
                .unwrap(),
            123_456_789
        );
        assert!(parse_time_string("yesterday", p, None).is_err());
        let at = DateTime::parse_from_rfc3339("2025-01-01T20:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        // 20:00 UTC is already 04:00 on the next day in Shanghai.
        assert_eq!(today(at, p, None), 1_735_689_600_000);
        assert_eq!(today(at, p, Some(sh)), 1_735_747_200_000);
        assert_eq!(duration_ticks("1d", p).unwrap(), 86_400_000);
        assert_eq!(duration_ticks("10u", Precision::Microsecond).unwrap(), 10);
        assert!(duration_ticks("1u", p).is_err());
        assert!(duration_ticks("1n", p).is_err());
        assert!(duration_ticks("1中", p).is_err());
        assert!(duration_ticks("", p).is_err());
    }
}
