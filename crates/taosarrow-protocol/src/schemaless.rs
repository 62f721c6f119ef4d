//! Schemaless writing's two enumerations (`schemaless.md` §1, §1.1): which text format a
//! payload is in, and the unit of line-protocol timestamps, with their wire forms.
//!
//! ```
//! use taosarrow_protocol::schemaless::{SchemalessPrecision, SchemalessProtocol};
//! assert_eq!(SchemalessProtocol::Line.code(), 1);
//! assert_eq!(SchemalessPrecision::Microsecond.wire(), "u");
//! // The server's mapping: `"us"` is not a precision and silently means "not configured".
//! assert_eq!(SchemalessPrecision::from_wire("us"), SchemalessPrecision::NotConfigured);
//! ```

use std::fmt;
use std::str::FromStr;

use crate::Precision;

/// The format of a schemaless payload (`protocol` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemalessProtocol {
    /// InfluxDB line protocol (1).
    Line,
    /// OpenTSDB telnet lines (2).
    Telnet,
    /// OpenTSDB JSON (3).
    Json,
}

impl SchemalessProtocol {
    /// The wire code: 1, 2 or 3.
    pub fn code(self) -> u8 {
        match self {
            SchemalessProtocol::Line => 1,
            SchemalessProtocol::Telnet => 2,
            SchemalessProtocol::Json => 3,
        }
    }

    /// The protocol of a wire code, if it is one.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(SchemalessProtocol::Line),
            2 => Some(SchemalessProtocol::Telnet),
            3 => Some(SchemalessProtocol::Json),
            _ => None,
        }
    }

    /// Its short name: `line`, `telnet` or `json`.
    pub fn name(self) -> &'static str {
        match self {
            SchemalessProtocol::Line => "line",
            SchemalessProtocol::Telnet => "telnet",
            SchemalessProtocol::Json => "json",
        }
    }
}

impl fmt::Display for SchemalessProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a schemaless protocol or precision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown schemaless {what} {name:?} (expected one of {expected})")]
pub struct UnknownSchemalessName {
    /// `protocol` or `precision`.
    pub what: &'static str,
    /// The name given.
    pub name: String,
    /// The names accepted.
    pub expected: &'static str,
}

impl FromStr for SchemalessProtocol {
    type Err = UnknownSchemalessName;

    /// `line`/`influxdb`, `telnet`/`opentsdb_telnet`, `json`/`opentsdb_json`, any case, or
    /// the wire codes `1`–`3`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "line" | "influxdb" | "influx" | "line_protocol" | "1" => SchemalessProtocol::Line,
            "telnet" | "opentsdb_telnet" | "telnet_protocol" | "2" => SchemalessProtocol::Telnet,
            "json" | "opentsdb_json" | "json_protocol" | "3" => SchemalessProtocol::Json,
            _ => {
                return Err(UnknownSchemalessName {
                    what: "protocol",
                    name: s.to_owned(),
                    expected: "line, telnet, json",
                })
            }
        })
    }
}

/// The unit of line-protocol timestamps (`precision` on the wire). Telnet and JSON
/// timestamps carry their own unit and ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SchemalessPrecision {
    /// Not configured (0): line-protocol timestamps are nanoseconds.
    #[default]
    NotConfigured,
    /// Hours (1).
    Hour,
    /// Minutes (2).
    Minute,
    /// Seconds (3).
    Second,
    /// Milliseconds (4).
    Millisecond,
    /// Microseconds (5).
    Microsecond,
    /// Nanoseconds (6).
    Nanosecond,
}

impl SchemalessPrecision {
    /// Every precision, in code order.
    pub const ALL: [SchemalessPrecision; 7] = [
        SchemalessPrecision::NotConfigured,
        SchemalessPrecision::Hour,
        SchemalessPrecision::Minute,
        SchemalessPrecision::Second,
        SchemalessPrecision::Millisecond,
        SchemalessPrecision::Microsecond,
        SchemalessPrecision::Nanosecond,
    ];

    /// TDengine's `TSDB_SML_TIMESTAMP_*` value, 0–6 (the native API's and taospy's).
    pub fn code(self) -> u8 {
        match self {
            SchemalessPrecision::NotConfigured => 0,
            SchemalessPrecision::Hour => 1,
            SchemalessPrecision::Minute => 2,
            SchemalessPrecision::Second => 3,
            SchemalessPrecision::Millisecond => 4,
            SchemalessPrecision::Microsecond => 5,
            SchemalessPrecision::Nanosecond => 6,
        }
    }

    /// The precision of a code 0–6.
    pub fn from_code(code: i64) -> Option<Self> {
        usize::try_from(code)
            .ok()
            .and_then(|c| Self::ALL.get(c).copied())
    }

    /// The string sent on the wire: `""`, `h`, `m`, `s`, `ms`, `u`, `ns`. Microseconds are
    /// `u`: the server does not know `us`.
    pub fn wire(self) -> &'static str {
        match self {
            SchemalessPrecision::NotConfigured => "",
            SchemalessPrecision::Hour => "h",
            SchemalessPrecision::Minute => "m",
            SchemalessPrecision::Second => "s",
            SchemalessPrecision::Millisecond => "ms",
            SchemalessPrecision::Microsecond => "u",
            SchemalessPrecision::Nanosecond => "ns",
        }
    }

    /// The server's reading of a wire string (taosAdapter's exact, case-sensitive match):
    /// `u` and `μ` are microseconds, and anything unknown, `us` included, is
    /// [`SchemalessPrecision::NotConfigured`].
    pub fn from_wire(s: &str) -> Self {
        match s {
            "h" => SchemalessPrecision::Hour,
            "m" => SchemalessPrecision::Minute,
            "s" => SchemalessPrecision::Second,
            "ms" => SchemalessPrecision::Millisecond,
            "u" | "\u{03bc}" => SchemalessPrecision::Microsecond,
            "ns" => SchemalessPrecision::Nanosecond,
            _ => SchemalessPrecision::NotConfigured,
        }
    }

    /// How many nanoseconds one tick is, for a line-protocol timestamp (not configured:
    /// nanoseconds).
    pub fn nanos_per_tick(self) -> i64 {
        match self {
            SchemalessPrecision::Hour => 3_600_000_000_000,
            SchemalessPrecision::Minute => 60_000_000_000,
            SchemalessPrecision::Second => 1_000_000_000,
            SchemalessPrecision::Millisecond => 1_000_000,
            SchemalessPrecision::Microsecond => 1_000,
            SchemalessPrecision::Nanosecond | SchemalessPrecision::NotConfigured => 1,
        }
    }
}

impl From<Precision> for SchemalessPrecision {
    fn from(p: Precision) -> Self {
        match p {
            Precision::Millisecond => SchemalessPrecision::Millisecond,
            Precision::Microsecond => SchemalessPrecision::Microsecond,
            Precision::Nanosecond => SchemalessPrecision::Nanosecond,
        }
    }
}

impl fmt::Display for SchemalessPrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SchemalessPrecision::NotConfigured => "not configured",
            other => other.wire(),
        })
    }
}

impl FromStr for SchemalessPrecision {
    type Err = UnknownSchemalessName;

    /// The usual unit names, any case: `h`/`hour(s)`, `m`/`min`/`minute(s)`, `s`/`second(s)`,
    /// `ms`/`millisecond(s)`, `u`/`us`/`μs`/`microsecond(s)`, `ns`/`nanosecond(s)`, `""`/
    /// `not_configured`, or the codes `0`–`6`. Unlike [`SchemalessPrecision::from_wire`],
    /// an unknown name is an error and `us` means microseconds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_lowercase();
        Ok(match lower.as_str() {
            "" | "0" | "not_configured" | "none" => SchemalessPrecision::NotConfigured,
            "h" | "hour" | "hours" | "1" => SchemalessPrecision::Hour,
            "m" | "min" | "minute" | "minutes" | "2" => SchemalessPrecision::Minute,
            "s" | "second" | "seconds" | "3" => SchemalessPrecision::Second,
            "ms" | "millisecond" | "milliseconds" | "milli_seconds" | "4" => {
                SchemalessPrecision::Millisecond
            }
            "u" | "us" | "\u{03bc}" | "\u{03bc}s" | "microsecond" | "microseconds"
            | "micro_seconds" | "5" => SchemalessPrecision::Microsecond,
            "ns" | "nanosecond" | "nanoseconds" | "nano_seconds" | "6" => {
                SchemalessPrecision::Nanosecond
            }
            _ => {
                return Err(UnknownSchemalessName {
                    what: "precision",
                    name: s.to_owned(),
                    expected: "h, m, s, ms, us, ns or not_configured",
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip_and_us_is_the_trap() {
        for p in SchemalessPrecision::ALL {
            assert_eq!(SchemalessPrecision::from_wire(p.wire()), p);
            assert_eq!(SchemalessPrecision::from_code(i64::from(p.code())), Some(p));
            assert_eq!(p.wire().parse::<SchemalessPrecision>(), Ok(p));
        }
        assert_eq!(
            SchemalessPrecision::from_wire("\u{03bc}"),
            SchemalessPrecision::Microsecond
        );
        for unknown in ["us", "MS", "x", "U"] {
            assert_eq!(
                SchemalessPrecision::from_wire(unknown),
                SchemalessPrecision::NotConfigured
            );
        }
        assert_eq!("us".parse(), Ok(SchemalessPrecision::Microsecond));
        assert!("fortnight".parse::<SchemalessPrecision>().is_err());
        assert_eq!(SchemalessPrecision::from_code(7), None);
    }

    #[test]
    fn protocols_by_code_and_name() {
        for p in [
            SchemalessProtocol::Line,
            SchemalessProtocol::Telnet,
            SchemalessProtocol::Json,
        ] {
            assert_eq!(SchemalessProtocol::from_code(i64::from(p.code())), Some(p));
            assert_eq!(p.name().parse(), Ok(p));
        }
        assert_eq!(SchemalessProtocol::from_code(0), None);
        assert!("csv".parse::<SchemalessProtocol>().is_err());
    }
}
