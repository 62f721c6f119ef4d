//! InfluxDB line protocol as TDengine reads it (`schemaless.md` §3):
//! `measurement[,tag=value…] field=value[,field=value…] [timestamp]`.
//!
//! One pass over the bytes of a line; names and values are slices of it, copied only when
//! they held escapes. Every failure names the line.

use std::borrow::Cow;

use super::value::{parse_field_value, SmlValue};
use super::{check_key, check_table_name, invalid_line, Point, PointTime};
use crate::ServerError;

/// The characters a backslash escapes in a measurement.
const MEASUREMENT_ESCAPES: &[u8] = b", \\";
/// The characters a backslash escapes in tag keys, tag values and field keys.
const KEY_ESCAPES: &[u8] = b",= \\";

/// Removes escaping backslashes (`\,` → `,` for the characters in `escapes`); a backslash
/// before anything else stays.
fn unescape<'a>(raw: &'a str, escaped: bool, escapes: &[u8]) -> Cow<'a, str> {
    if !escaped {
        return Cow::Borrowed(raw);
    }
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1).is_some_and(|n| escapes.contains(n)) {
            out.push(b[i + 1]);
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    // Only ASCII bytes were removed, so the rest is still UTF-8.
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(raw),
    }
}

/// Scans from `*i` to the first unescaped byte in `stops` (or the end); returns the slice and
/// whether it held a backslash. A backslash always takes the byte after it.
fn scan<'a>(line: &'a str, i: &mut usize, stops: &[u8]) -> (&'a str, bool) {
    let b = line.as_bytes();
    let start = *i;
    let mut escaped = false;
    while *i < b.len() {
        let c = b[*i];
        if c == b'\\' {
            escaped = true;
            // The escaped byte may start a multi-byte character: skip the whole character.
            *i += 1;
            while *i < b.len() && (b[*i] & 0xC0) == 0x80 {
                *i += 1;
            }
            if *i < b.len() {
                *i += 1;
                while *i < b.len() && (b[*i] & 0xC0) == 0x80 {
                    *i += 1;
                }
            }
            continue;
        }
        if stops.contains(&c) {
            break;
        }
        *i += 1;
    }
    (&line[start..*i], escaped)
}

fn skip_spaces(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i] == b' ' {
        *i += 1;
    }
}

/// Scans a field value at `*i`: a quoted string (with an optional one-letter prefix) to its
/// closing unescaped quote, or anything else to the next `,` or space.
fn scan_value<'a>(line: &'a str, i: &mut usize, no: usize) -> Result<&'a str, ServerError> {
    let b = line.as_bytes();
    let start = *i;
    let quote_at = match (b.get(*i), b.get(*i + 1)) {
        (Some(b'"'), _) => Some(*i),
        (Some(b'L' | b'l' | b'G' | b'g' | b'B' | b'b'), Some(b'"')) => Some(*i + 1),
        _ => None,
    };
    let Some(q) = quote_at else {
        while *i < b.len() && b[*i] != b',' && b[*i] != b' ' {
            *i += 1;
        }
        return Ok(&line[start..*i]);
    };
    *i = q + 1;
    loop {
        match b.get(*i) {
            None => {
                return Err(invalid_line(
                    no,
                    "a string field value has no closing quote",
                ))
            }
            Some(b'\\') => *i += 2,
            Some(b'"') => {
                *i += 1;
                break;
            }
            Some(_) => *i += 1,
        }
    }
    // `*i` may have stepped past the end on a trailing backslash.
    *i = (*i).min(b.len());
    if !line.is_char_boundary(*i) {
        return Err(invalid_line(
            no,
            "a string field value has no closing quote",
        ));
    }
    match b.get(*i) {
        None | Some(b',') | Some(b' ') => Ok(&line[start..*i]),
        Some(_) => Err(invalid_line(no, "text after a string field value")),
    }
}

/// Parses one line into `p` (cleared by the caller). `nanos` is the length of one timestamp
/// tick in nanoseconds, from the request's precision.
pub fn parse_line<'a>(
    line: &'a str,
    no: usize,
    nanos: i64,
    p: &mut Point<'a>,
) -> Result<(), ServerError> {
    let b = line.as_bytes();
    let mut i = 0;
    skip_spaces(b, &mut i);
    let m_start = i;
    let (raw, escaped) = scan(line, &mut i, b", ");
    let measurement = unescape(raw, escaped, MEASUREMENT_ESCAPES);
    check_table_name(&measurement, no)?;
    p.measurement = measurement;
    if b.get(i) == Some(&b',') {
        loop {
            i += 1;
            let (raw_key, esc) = scan(line, &mut i, b"=, ");
            if b.get(i) != Some(&b'=') {
                return Err(invalid_line(no, "a tag has no '='"));
            }
            let key = unescape(raw_key, esc, KEY_ESCAPES);
            check_key(&key, no)?;
            i += 1;
            let (raw_val, esc) = scan(line, &mut i, b", ");
            if raw_val.is_empty() {
                return Err(invalid_line(no, "a tag has an empty value"));
            }
            let val = unescape(raw_val, esc, KEY_ESCAPES);
            p.tags.push((key, SmlValue::NChar(val)));
            match b.get(i) {
                Some(b',') => continue,
                Some(b' ') => break,
                _ => return Err(invalid_line(no, "no field set")),
            }
        }
    }
    p.series = (&line[m_start..i], "");
    if b.get(i) != Some(&b' ') {
        return Err(invalid_line(no, "no field set"));
    }
    skip_spaces(b, &mut i);
    if i >= b.len() {
        return Err(invalid_line(no, "no field set"));
    }
    loop {
        let (raw_key, esc) = scan(line, &mut i, b"=, ");
        if b.get(i) != Some(&b'=') {
            return Err(invalid_line(no, "a field has no '='"));
        }
        let key = unescape(raw_key, esc, KEY_ESCAPES);
        check_key(&key, no)?;
        i += 1;
        let raw_val = scan_value(line, &mut i, no)?;
        p.fields.push((key, parse_field_value(raw_val, no)?));
        match b.get(i) {
            Some(b',') => i += 1,
            _ => break,
        }
    }
    skip_spaces(b, &mut i);
    let ts_start = i;
    while i < b.len() && b[i] != b' ' {
        i += 1;
    }
    let ts = &line[ts_start..i];
    skip_spaces(b, &mut i);
    if i < b.len() {
        return Err(invalid_line(no, "text after the timestamp"));
    }
    p.time = parse_time(ts, nanos, no)?;
    Ok(())
}

/// A line's timestamp: empty or `0` is now; else an integer in the request's precision.
fn parse_time(ts: &str, nanos: i64, no: usize) -> Result<PointTime, ServerError> {
    if ts.is_empty() {
        return Ok(PointTime::Now);
    }
    let digits = ts.strip_prefix('-').unwrap_or(ts);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(invalid_line(no, &format!("invalid timestamp {ts:?}")));
    }
    let ticks: i64 = ts
        .parse()
        .map_err(|_| invalid_line(no, &format!("timestamp {ts:?} out of range")))?;
    Ok(if ticks == 0 {
        PointTime::Now
    } else {
        PointTime::Ticks { ticks, nanos }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use taosarrow_protocol::Code;

    fn parse(line: &str) -> Result<Point<'_>, ServerError> {
        let mut p = Point::default();
        parse_line(line, 1, 1_000_000, &mut p).map(|()| p)
    }

    fn tags<'a>(p: &'a Point<'_>) -> Vec<(&'a str, &'a str)> {
        p.tags
            .iter()
            .map(|(k, v)| match v {
                SmlValue::NChar(s) => (&**k, &**s),
                other => panic!("tag value {other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_documented_example() {
        let p =
            parse(r#"st,t1=3,t2=4,t3=t3 c1=3i64,c3="passit",c2=false,c4=4f64 1626006833639000000"#)
                .unwrap();
        assert_eq!(p.measurement, "st");
        assert_eq!(tags(&p), [("t1", "3"), ("t2", "4"), ("t3", "t3")]);
        let fields: Vec<_> = p.fields.iter().map(|(k, v)| (&**k, v.clone())).collect();
        assert_eq!(
            fields,
            [
                ("c1", SmlValue::I64(3)),
                ("c3", SmlValue::VarChar("passit".into())),
                ("c2", SmlValue::Bool(false)),
                ("c4", SmlValue::F64(4.0)),
            ]
        );
        assert_eq!(
            p.time,
            PointTime::Ticks {
                ticks: 1626006833639000000,
                nanos: 1_000_000
            }
        );
        assert_eq!(p.series, ("st,t1=3,t2=4,t3=t3", ""));
    }

    #[test]
    fn escapes_by_element() {
        let p = parse(r#"my\ m\,x,t\ k\=1=v\,a\ l\=ue f\,k\=\ =1i 1"#).unwrap();
        assert_eq!(p.measurement, "my m,x");
        assert_eq!(tags(&p), [("t k=1", "v,a l=ue")]);
        assert_eq!(p.fields[0].0, "f,k= ");
        // A backslash before another character is literal; `\\` is one backslash.
        let p = parse(r#"m\a\\,t=x\y f=1"#).unwrap();
        assert_eq!(p.measurement, "m\\a\\");
        assert_eq!(tags(&p), [("t", "x\\y")]);
        // Quoted values keep spaces, commas and equals signs; `\"` and `\\` are unescaped.
        let p = parse(r#"m s="a b,c=d \"q\" \\",n=1 5"#).unwrap();
        assert_eq!(p.fields[0].1, SmlValue::VarChar(r#"a b,c=d "q" \"#.into()));
        assert_eq!(p.fields[1].1, SmlValue::F64(1.0));
        // Non-ASCII names and values.
        let p = parse("温度,地点=北京 值=1.5,名=L\"天津\" 7").unwrap();
        assert_eq!(p.measurement, "温度");
        assert_eq!(p.fields[1].1, SmlValue::NChar("天津".into()));
    }

    #[test]
    fn no_tags_no_timestamp_and_extra_spaces() {
        let p = parse("m f=1i").unwrap();
        assert!(p.tags.is_empty());
        assert_eq!(p.time, PointTime::Now);
        assert_eq!(parse("m f=1i 0").unwrap().time, PointTime::Now);
        let p = parse("  m,t=1   f=1i   12  ").unwrap();
        assert_eq!(
            p.time,
            PointTime::Ticks {
                ticks: 12,
                nanos: 1_000_000
            }
        );
    }

    #[test]
    fn malformed_lines_are_errors_naming_the_line() {
        let cases: &[(&str, Code)] = &[
            ("m", Code::SML_INVALID_DATA),
            ("m,t=1", Code::SML_INVALID_DATA),
            ("m,t=1 ", Code::SML_INVALID_DATA),
            ("m,t f=1", Code::SML_INVALID_DATA),
            ("m,t= f=1", Code::SML_INVALID_DATA),
            ("m f", Code::SML_INVALID_DATA),
            ("m f=1 12 13", Code::SML_INVALID_DATA),
            ("m f=1 1x", Code::SML_INVALID_DATA),
            ("m f=1 99999999999999999999", Code::SML_INVALID_DATA),
            ("m f=\"open", Code::SML_INVALID_DATA),
            ("m f=\"a\"b", Code::SML_INVALID_DATA),
            ("m f=\"a\\", Code::SML_INVALID_DATA),
            (",t=1 f=1", Code::TSC_INVALID_TABLE_ID_LENGTH),
            ("m,=1 f=1", Code::TSC_INVALID_COLUMN_LENGTH),
            ("m =1", Code::TSC_INVALID_COLUMN_LENGTH),
            ("m f=", Code::TSC_INVALID_VALUE),
            ("m f=abc", Code::TSC_INVALID_VALUE),
            ("m f=300i8", Code::TSC_VALUE_OUT_OF_RANGE),
        ];
        for (line, code) in cases {
            let err = parse(line)
                .err()
                .unwrap_or_else(|| panic!("{line:?} parsed"));
            assert_eq!(err.code, *code, "{line:?}: {}", err.message);
            assert!(err.message.contains("line 1"), "{line:?}: {}", err.message);
        }
        let long = format!("{} f=1", "m".repeat(192));
        assert_eq!(
            parse(&long).unwrap_err().code,
            Code::TSC_INVALID_TABLE_ID_LENGTH
        );
        assert!(parse(&format!("{} f=1", "m".repeat(191))).is_ok());
        let key = format!("m {}=1", "k".repeat(64));
        assert_eq!(
            parse(&key).unwrap_err().code,
            Code::TSC_INVALID_COLUMN_LENGTH
        );
    }

    #[test]
    fn a_backslash_before_a_multibyte_character_keeps_it_whole() {
        let p = parse("m\\é,t=\\ü f=1").unwrap();
        assert_eq!(p.measurement, "m\\é");
        assert_eq!(tags(&p), [("t", "\\ü")]);
        assert!(parse("m\\").is_err());
        assert!(parse("m f=\"\\é").is_err());
    }
}
