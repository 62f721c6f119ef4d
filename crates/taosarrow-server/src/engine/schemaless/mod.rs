//! Schemaless writing (`schemaless.md`): InfluxDB line protocol, OpenTSDB telnet lines and
//! OpenTSDB JSON, parsed into data points that create and extend super tables, child tables,
//! columns and tags on the fly, then stored through the same commit as every other write.
//!
//! * [`value`]: the typing of values by their syntax (§3.2).
//! * [`line`], [`telnet`], [`json`]: one parser per format, each filling a reused [`Point`]
//!   that borrows from the payload (no allocation per value unless a value had escapes).
//! * [`naming`]: child-table names (§3.4) and the dot replacement of table names.
//! * `apply`: the points of one request grouped into tables, the schema changes they need,
//!   and the commit.
//!
//! A request is applied whole or not at all: every line is parsed and checked first, then
//! the schema changes are made, then all rows are committed at once.

mod apply;
pub mod json;
pub mod line;
pub mod naming;
pub mod telnet;
pub mod value;

use std::borrow::Cow;

use taosarrow_protocol::schemaless::{SchemalessPrecision, SchemalessProtocol};
use taosarrow_protocol::Code;

use super::{Engine, Session};
use crate::ServerError;
pub use value::SmlValue;

/// What one data point gives: a super table, its tags, its fields and a time.
#[derive(Debug, Default)]
pub struct Point<'a> {
    /// The measurement or metric, unescaped.
    pub measurement: Cow<'a, str>,
    /// The point's series as written: two points with equal, non-empty series have the same
    /// super table and tags (line protocol: measurement and tag set; telnet: metric and tag
    /// text). Empty when the format has no such text (JSON).
    pub series: (&'a str, &'a str),
    /// Tags, in the order written.
    pub tags: Vec<(Cow<'a, str>, SmlValue<'a>)>,
    /// Fields (the one `_value` of OpenTSDB formats), in the order written.
    pub fields: Vec<(Cow<'a, str>, SmlValue<'a>)>,
    /// The timestamp.
    pub time: PointTime,
}

impl Point<'_> {
    /// Empties the point for the next line, keeping its allocations.
    pub fn clear(&mut self) {
        self.measurement = Cow::Borrowed("");
        self.series = ("", "");
        self.tags.clear();
        self.fields.clear();
        self.time = PointTime::Now;
    }
}

/// When a point happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PointTime {
    /// No timestamp, or 0: the time the request is applied.
    #[default]
    Now,
    /// `ticks` units of `nanos` nanoseconds since the epoch.
    Ticks {
        /// The value as written.
        ticks: i64,
        /// Nanoseconds per tick.
        nanos: i64,
    },
}

/// Longest super-table name, in bytes (TDengine: shorter than 192).
pub const MAX_TABLE_NAME: usize = 191;
/// Longest column or tag name, in bytes (TDengine: shorter than 64).
pub const MAX_COLUMN_NAME: usize = 63;

/// 0x020A for an empty or too long measurement/metric.
pub(crate) fn check_table_name(name: &str, line: usize) -> Result<(), ServerError> {
    if name.is_empty() || name.len() > MAX_TABLE_NAME {
        return Err(ServerError::new(
            Code::TSC_INVALID_TABLE_ID_LENGTH,
            format!(
                "measurement of {} bytes in line {line}: it must have 1 to {MAX_TABLE_NAME}",
                name.len()
            ),
        ));
    }
    Ok(())
}

/// 0x021F for an empty or too long tag or field key.
pub(crate) fn check_key(key: &str, line: usize) -> Result<(), ServerError> {
    if key.is_empty() || key.len() > MAX_COLUMN_NAME {
        return Err(ServerError::new(
            Code::TSC_INVALID_COLUMN_LENGTH,
            format!(
                "key of {} bytes in line {line}: it must have 1 to {MAX_COLUMN_NAME}",
                key.len()
            ),
        ));
    }
    Ok(())
}

/// 0x3002 naming the line.
pub(crate) fn invalid_line(line: usize, why: &str) -> ServerError {
    ServerError::new(
        Code::SML_INVALID_DATA,
        format!("invalid data in line {line}: {why}"),
    )
}

/// One schemaless request, as the `insert` message carries it.
#[derive(Debug, Clone, Copy)]
pub struct SmlRequest<'a> {
    /// The format of `data`.
    pub protocol: SchemalessProtocol,
    /// The unit of line-protocol timestamps.
    pub precision: SchemalessPrecision,
    /// The payload.
    pub data: &'a str,
    /// TTL in days of the child tables created; 0 = none.
    pub ttl: i32,
    /// The tag whose value names the child table; `""` = none.
    pub table_name_key: &'a str,
}

/// What a request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SmlOutcome {
    /// Rows stored.
    pub affected_rows: u64,
    /// Data points parsed.
    pub total_rows: u64,
}

/// The lines of a line or telnet payload that hold data: 1-based line numbers, without the
/// `\r` of CRLF; blank lines and `#` comments skipped.
pub fn data_lines(data: &str) -> impl Iterator<Item = (usize, &str)> {
    data.split('\n').enumerate().filter_map(|(i, l)| {
        let l = l.strip_suffix('\r').unwrap_or(l);
        let t = l.trim_start_matches(' ');
        (!t.is_empty() && !t.starts_with('#')).then_some((i + 1, l))
    })
}

impl Engine {
    /// Applies one schemaless request to the session's current database: every point parsed
    /// and checked, then the tables, columns and tags it needs made, then all rows stored
    /// in one commit. On an error nothing is stored (tables created by an earlier part of
    /// the same request are kept only if the error came after the schema changes, which
    /// happens only when a concurrent DDL statement conflicts).
    pub fn schemaless_insert(
        &self,
        session: &Session,
        req: &SmlRequest<'_>,
    ) -> Result<SmlOutcome, ServerError> {
        let db = self.resolve_db_for(session, None, super::users::Access::Write)?;
        // Parsed first, so the points that borrow from it outlive the writer.
        let doc = match req.protocol {
            SchemalessProtocol::Json => json::parse_document(req.data)?,
            _ => Vec::new(),
        };
        let mut writer = apply::Writer::new(db, req, session.statement_time());
        let mut point = Point::default();
        match req.protocol {
            SchemalessProtocol::Line => {
                let nanos = req.precision.nanos_per_tick();
                for (no, text) in data_lines(req.data) {
                    point.clear();
                    line::parse_line(text, no, nanos, &mut point)?;
                    writer.add(&point, no)?;
                }
            }
            SchemalessProtocol::Telnet => {
                for (no, text) in data_lines(req.data) {
                    point.clear();
                    telnet::parse_line(text, no, &mut point)?;
                    writer.add(&point, no)?;
                }
            }
            SchemalessProtocol::Json => {
                for (i, obj) in doc.iter().enumerate() {
                    point.clear();
                    json::parse_point(obj, i + 1, &mut point)?;
                    writer.add(&point, i + 1)?;
                }
            }
        }
        writer.finish(self)
    }
}

#[cfg(test)]
mod tests;
