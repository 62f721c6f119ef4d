//! Time units: database precisions, the units timestamp ticks are counted in, TDengine's
//! duration units (`10s`, `1d`) and RFC 3339 text of a tick count.
//!
//! Everything here is Arrow-free; the codec maps Arrow's `TimeUnit` onto [`TickUnit`].

use std::fmt;

/// Nanoseconds in one second.
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// The unit a count of timestamp ticks is in: TDengine's three precisions, and the whole
/// seconds Arrow has besides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TickUnit {
    /// Seconds (Arrow only; no TDengine database has this precision).
    Second,
    /// Milliseconds.
    Millisecond,
    /// Microseconds.
    Microsecond,
    /// Nanoseconds.
    Nanosecond,
}

impl TickUnit {
    /// Every unit, coarsest first.
    pub const ALL: [TickUnit; 4] = [
        TickUnit::Second,
        TickUnit::Millisecond,
        TickUnit::Microsecond,
        TickUnit::Nanosecond,
    ];

    /// Ticks per second.
    pub const fn per_second(self) -> i64 {
        match self {
            TickUnit::Second => 1,
            TickUnit::Millisecond => 1_000,
            TickUnit::Microsecond => 1_000_000,
            TickUnit::Nanosecond => NANOS_PER_SECOND,
        }
    }

    /// Nanoseconds per tick.
    pub const fn nanos(self) -> i64 {
        NANOS_PER_SECOND / self.per_second()
    }

    /// The short name: `s`, `ms`, `us` or `ns` (the precision names of TDengine and the
    /// unit names of pyarrow and polars).
    pub const fn name(self) -> &'static str {
        match self {
            TickUnit::Second => "s",
            TickUnit::Millisecond => "ms",
            TickUnit::Microsecond => "us",
            TickUnit::Nanosecond => "ns",
        }
    }

    /// The English name in the singular, lower case: `second`, `millisecond`, ….
    pub const fn word(self) -> &'static str {
        match self {
            TickUnit::Second => "second",
            TickUnit::Millisecond => "millisecond",
            TickUnit::Microsecond => "microsecond",
            TickUnit::Nanosecond => "nanosecond",
        }
    }

    /// The database precision with this unit (seconds have none).
    pub const fn precision(self) -> Option<Precision> {
        match self {
            TickUnit::Second => None,
            TickUnit::Millisecond => Some(Precision::Millisecond),
            TickUnit::Microsecond => Some(Precision::Microsecond),
            TickUnit::Nanosecond => Some(Precision::Nanosecond),
        }
    }

    /// Ticks of this unit for an instant given as whole seconds since the epoch and the
    /// nanoseconds within that second (rounded down to a whole tick); `None` on overflow.
    pub fn ticks_of(self, secs: i64, subsec_nanos: u32) -> Option<i64> {
        secs.checked_mul(self.per_second())?
            .checked_add(i64::from(subsec_nanos) / self.nanos())
    }
}

impl fmt::Display for TickUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A database's timestamp precision; the unit of every TIMESTAMP in its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Precision {
    /// Milliseconds (code 0, `'ms'`), TDengine's default.
    #[default]
    Millisecond = 0,
    /// Microseconds (code 1, `'us'`).
    Microsecond = 1,
    /// Nanoseconds (code 2, `'ns'`).
    Nanosecond = 2,
}

/// A precision code or name that is not ms, us or ns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown timestamp precision {0}")]
pub struct UnknownPrecision(pub String);

impl Precision {
    /// Every precision, in code order.
    pub const ALL: [Precision; 3] = [
        Precision::Millisecond,
        Precision::Microsecond,
        Precision::Nanosecond,
    ];

    /// The code used in query responses (`precision`): 0, 1 or 2.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The precision for a query-response code.
    pub fn from_code(code: i64) -> Result<Self, UnknownPrecision> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or_else(|| UnknownPrecision(code.to_string()))
    }

    /// The unit of its ticks.
    pub const fn unit(self) -> TickUnit {
        match self {
            Precision::Millisecond => TickUnit::Millisecond,
            Precision::Microsecond => TickUnit::Microsecond,
            Precision::Nanosecond => TickUnit::Nanosecond,
        }
    }

    /// The name used in `CREATE DATABASE … PRECISION 'ms'|'us'|'ns'`.
    pub const fn name(self) -> &'static str {
        self.unit().name()
    }

    /// Ticks per second in this precision.
    pub const fn ticks_per_second(self) -> i64 {
        self.unit().per_second()
    }
}

impl std::str::FromStr for Precision {
    type Err = UnknownPrecision;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| s.eq_ignore_ascii_case(p.name()))
            .ok_or_else(|| UnknownPrecision(s.to_owned()))
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A unit letter of a TDengine duration literal (`10s`, `1d`, `500a`; letters are read
/// ignoring case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// `b`: nanoseconds.
    Nanosecond,
    /// `u`: microseconds.
    Microsecond,
    /// `a`: milliseconds.
    Millisecond,
    /// `s`: seconds.
    Second,
    /// `m`: minutes.
    Minute,
    /// `h`: hours.
    Hour,
    /// `d`: days.
    Day,
    /// `w`: weeks.
    Week,
    /// `n`: calendar months (no fixed length).
    Month,
    /// `y`: calendar years (no fixed length).
    Year,
}

impl DurationUnit {
    /// Every unit, shortest first.
    pub const ALL: [DurationUnit; 10] = [
        DurationUnit::Nanosecond,
        DurationUnit::Microsecond,
        DurationUnit::Millisecond,
        DurationUnit::Second,
        DurationUnit::Minute,
        DurationUnit::Hour,
        DurationUnit::Day,
        DurationUnit::Week,
        DurationUnit::Month,
        DurationUnit::Year,
    ];

    /// The letter TDengine writes it with (lower case).
    pub const fn letter(self) -> u8 {
        match self {
            DurationUnit::Nanosecond => b'b',
            DurationUnit::Microsecond => b'u',
            DurationUnit::Millisecond => b'a',
            DurationUnit::Second => b's',
            DurationUnit::Minute => b'm',
            DurationUnit::Hour => b'h',
            DurationUnit::Day => b'd',
            DurationUnit::Week => b'w',
            DurationUnit::Month => b'n',
            DurationUnit::Year => b'y',
        }
    }

    /// The unit a letter names, in either case.
    pub fn from_letter(letter: u8) -> Option<Self> {
        let l = letter.to_ascii_lowercase();
        Self::ALL.into_iter().find(|u| u.letter() == l)
    }

    /// Its fixed length in nanoseconds; `None` for months and years.
    pub const fn nanos(self) -> Option<i64> {
        const MINUTE: i64 = 60 * NANOS_PER_SECOND;
        const DAY: i64 = 24 * 60 * MINUTE;
        Some(match self {
            DurationUnit::Nanosecond => 1,
            DurationUnit::Microsecond => TickUnit::Microsecond.nanos(),
            DurationUnit::Millisecond => TickUnit::Millisecond.nanos(),
            DurationUnit::Second => NANOS_PER_SECOND,
            DurationUnit::Minute => MINUTE,
            DurationUnit::Hour => 60 * MINUTE,
            DurationUnit::Day => DAY,
            DurationUnit::Week => 7 * DAY,
            DurationUnit::Month | DurationUnit::Year => return None,
        })
    }
}

/// `ticks` of `unit` as RFC 3339 text in UTC, always with nine fraction digits and a
/// `+00:00` offset (`2024-01-02T03:04:05.000000006+00:00`), as the official Go client sends
/// TIMESTAMP query parameters; `None` outside the years chrono can represent.
pub fn rfc3339_utc(ticks: i64, unit: TickUnit) -> Option<String> {
    let per = unit.per_second();
    let secs = ticks.div_euclid(per);
    // rem_euclid(per) * nanos < 10^9, so it fits a u32.
    let nanos = u32::try_from(ticks.rem_euclid(per) * unit.nanos()).ok()?;
    let dt = chrono::DateTime::from_timestamp(secs, nanos)?;
    Some(dt.format("%Y-%m-%dT%H:%M:%S%.9f+00:00").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_parses_names_and_codes() {
        assert_eq!("NS".parse::<Precision>(), Ok(Precision::Nanosecond));
        assert_eq!(Precision::from_code(1), Ok(Precision::Microsecond));
        assert!(Precision::from_code(3).is_err());
        assert!(Precision::from_code(-1).is_err());
        assert!("s".parse::<Precision>().is_err());
        for p in Precision::ALL {
            assert_eq!(Precision::from_code(i64::from(p.code())), Ok(p));
            assert_eq!(p.name().parse::<Precision>(), Ok(p));
            assert_eq!(p.unit().precision(), Some(p));
        }
    }

    #[test]
    fn units_agree() {
        let per: Vec<i64> = TickUnit::ALL.iter().map(|u| u.per_second()).collect();
        assert_eq!(per, [1, 1_000, 1_000_000, 1_000_000_000]);
        for u in TickUnit::ALL {
            assert_eq!(u.per_second() * u.nanos(), NANOS_PER_SECOND);
        }
        assert_eq!(Precision::Microsecond.ticks_per_second(), 1_000_000);
        assert_eq!(TickUnit::Second.precision(), None);
        assert_eq!(TickUnit::Microsecond.ticks_of(-1, 999_999_999), Some(-1));
        assert_eq!(TickUnit::Millisecond.ticks_of(1, 500_000_000), Some(1_500));
        assert_eq!(TickUnit::Nanosecond.ticks_of(i64::MAX, 0), None);
    }

    #[test]
    fn duration_letters() {
        assert_eq!(
            DurationUnit::from_letter(b'A'),
            Some(DurationUnit::Millisecond)
        );
        assert_eq!(DurationUnit::from_letter(b'x'), None);
        assert_eq!(DurationUnit::Day.nanos(), Some(86_400_000_000_000));
        assert_eq!(DurationUnit::Week.nanos(), Some(7 * 86_400_000_000_000));
        assert_eq!(DurationUnit::Year.nanos(), None);
        let letters: Vec<u8> = DurationUnit::ALL.iter().map(|u| u.letter()).collect();
        assert_eq!(letters, b"buasmhdwny");
        for u in DurationUnit::ALL {
            assert_eq!(DurationUnit::from_letter(u.letter()), Some(u));
        }
    }

    #[test]
    fn rfc3339_text() {
        assert_eq!(
            rfc3339_utc(1_700_000_000_123, TickUnit::Millisecond).as_deref(),
            Some("2023-11-14T22:13:20.123000000+00:00")
        );
        assert_eq!(
            rfc3339_utc(-1, TickUnit::Nanosecond).as_deref(),
            Some("1969-12-31T23:59:59.999999999+00:00")
        );
        assert_eq!(
            rfc3339_utc(0, TickUnit::Second).as_deref(),
            Some("1970-01-01T00:00:00.000000000+00:00")
        );
        assert_eq!(rfc3339_utc(i64::MAX, TickUnit::Second), None);
    }
}
