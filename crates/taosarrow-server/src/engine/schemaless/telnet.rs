//! OpenTSDB telnet lines (`schemaless.md` §4):
//! `<metric> <timestamp> <value> <tagk>=<tagv>[ <tagk>=<tagv>…]`, elements separated by
//! one or more spaces. The value goes to the column `_value`; tags are NCHAR.

use std::borrow::Cow;

use taosarrow_protocol::Code;

use super::value::{parse_field_value, SmlValue};
use super::{check_key, check_table_name, invalid_line, Point, PointTime};
use crate::ServerError;

/// The column OpenTSDB values go to.
pub const VALUE_COLUMN: &str = "_value";

/// The next space-separated element at `*i`, advancing past it and the spaces after it.
fn element<'a>(line: &'a str, i: &mut usize) -> &'a str {
    let b = line.as_bytes();
    let start = *i;
    while *i < b.len() && b[*i] != b' ' {
        *i += 1;
    }
    let e = &line[start..*i];
    while *i < b.len() && b[*i] == b' ' {
        *i += 1;
    }
    e
}

/// An OpenTSDB timestamp: 10 digits are seconds, 13 milliseconds, `0` now (the request's
/// precision plays no part). 0x0127 otherwise.
pub fn opentsdb_time(digits: &str, line: usize) -> Result<PointTime, ServerError> {
    let bad = || {
        ServerError::new(
            Code::INVALID_TIMESTAMP,
            format!(
                "invalid timestamp {digits:?} in line {line}: timestamp precision can only be \
                 seconds (10 digits) or milliseconds (13 digits)"
            ),
        )
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let nanos = match digits.len() {
        _ if digits.bytes().all(|c| c == b'0') => return Ok(PointTime::Now),
        10 => 1_000_000_000,
        13 => 1_000_000,
        _ => return Err(bad()),
    };
    let ticks = digits.parse().map_err(|_| bad())?;
    Ok(PointTime::Ticks { ticks, nanos })
}

/// Parses one telnet line into `p` (cleared by the caller).
pub fn parse_line<'a>(line: &'a str, no: usize, p: &mut Point<'a>) -> Result<(), ServerError> {
    let mut i = 0;
    let b = line.as_bytes();
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let metric = element(line, &mut i);
    check_table_name(metric, no)?;
    p.measurement = Cow::Borrowed(metric);
    let ts = element(line, &mut i);
    if ts.is_empty() {
        return Err(invalid_line(no, "no timestamp"));
    }
    p.time = opentsdb_time(ts, no)?;
    let value = element(line, &mut i);
    if value.is_empty() {
        return Err(invalid_line(no, "no value"));
    }
    p.fields
        .push((Cow::Borrowed(VALUE_COLUMN), parse_field_value(value, no)?));
    let tags_start = i;
    while i < b.len() {
        let tag = element(line, &mut i);
        let Some((k, v)) = tag.split_once('=') else {
            return Err(invalid_line(no, &format!("tag {tag:?} has no '='")));
        };
        check_key(k, no)?;
        if v.is_empty() || v.contains('=') {
            return Err(invalid_line(
                no,
                &format!("tag {tag:?} has an invalid value"),
            ));
        }
        p.tags
            .push((Cow::Borrowed(k), SmlValue::NChar(Cow::Borrowed(v))));
    }
    if p.tags.is_empty() {
        return Err(invalid_line(no, "at least one tag is required"));
    }
    p.series = (metric, line[tags_start..].trim_end_matches(' '));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Point<'_>, ServerError> {
        let mut p = Point::default();
        parse_line(line, 3, &mut p).map(|()| p)
    }

    #[test]
    fn the_adapter_example_and_value_typing() {
        let p = parse("meters.current 1648432611249 10.3 location=California.SanFrancisco group=2")
            .unwrap();
        assert_eq!(p.measurement, "meters.current");
        assert_eq!(
            p.time,
            PointTime::Ticks {
                ticks: 1648432611249,
                nanos: 1_000_000
            }
        );
        assert_eq!(p.fields, [(Cow::Borrowed("_value"), SmlValue::F64(10.3))]);
        assert_eq!(p.tags.len(), 2);
        assert_eq!(p.tags[1], ("group".into(), SmlValue::NChar("2".into())));
        assert_eq!(
            p.series,
            ("meters.current", "location=California.SanFrancisco group=2")
        );
        let p = parse("m   1648432611   219i32   t=1  ").unwrap();
        assert_eq!(
            p.time,
            PointTime::Ticks {
                ticks: 1648432611,
                nanos: 1_000_000_000
            }
        );
        assert_eq!(p.fields[0].1, SmlValue::I32(219));
        assert_eq!(parse("m 0 \"abc\" t=1").unwrap().time, PointTime::Now);
        assert_eq!(
            parse("m 0 true t=1").unwrap().fields[0].1,
            SmlValue::Bool(true)
        );
    }

    #[test]
    fn malformed_lines() {
        let cases: &[(&str, Code)] = &[
            ("m 1648432611249 1", Code::SML_INVALID_DATA),
            ("m 1648432611249", Code::SML_INVALID_DATA),
            ("m", Code::SML_INVALID_DATA),
            ("m 1648432611249 1 t", Code::SML_INVALID_DATA),
            ("m 1648432611249 1 t=", Code::SML_INVALID_DATA),
            ("m 1648432611249 1 t=a=b", Code::SML_INVALID_DATA),
            ("m 1648432611249 1 =a", Code::TSC_INVALID_COLUMN_LENGTH),
            ("m 164843261124 1 t=1", Code::INVALID_TIMESTAMP),
            ("m 16484326112490 1 t=1", Code::INVALID_TIMESTAMP),
            ("m 1648432611x49 1 t=1", Code::INVALID_TIMESTAMP),
            ("m -648432611 1 t=1", Code::INVALID_TIMESTAMP),
            ("m 1648432611249 x t=1", Code::TSC_INVALID_VALUE),
        ];
        for (line, code) in cases {
            let err = parse(line)
                .err()
                .unwrap_or_else(|| panic!("{line:?} parsed"));
            assert_eq!(err.code, *code, "{line:?}: {}", err.message);
            assert!(err.message.contains("line 3"), "{line:?}: {}", err.message);
        }
    }
}
