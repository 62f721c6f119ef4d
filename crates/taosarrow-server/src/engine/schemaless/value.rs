//! The values of schemaless data points and their typing (`schemaless.md` §3.2): one
//! [`SmlValue`] per field, tag or `_value`, borrowed from the payload unless it had escapes.

use std::borrow::Cow;

use taosarrow_protocol::{hex, Code, TdType};

use super::super::wkt;
use crate::ServerError;

/// One value, typed as its syntax says.
#[derive(Debug, Clone, PartialEq)]
pub enum SmlValue<'a> {
    /// BOOL.
    Bool(bool),
    /// TINYINT.
    I8(i8),
    /// SMALLINT.
    I16(i16),
    /// INT.
    I32(i32),
    /// BIGINT.
    I64(i64),
    /// TINYINT UNSIGNED.
    U8(u8),
    /// SMALLINT UNSIGNED.
    U16(u16),
    /// INT UNSIGNED.
    U32(u32),
    /// BIGINT UNSIGNED.
    U64(u64),
    /// FLOAT.
    F32(f32),
    /// DOUBLE.
    F64(f64),
    /// VARCHAR.
    VarChar(Cow<'a, str>),
    /// NCHAR.
    NChar(Cow<'a, str>),
    /// VARBINARY.
    VarBinary(Cow<'a, [u8]>),
    /// GEOMETRY, as WKB.
    Geometry(Vec<u8>),
}

impl SmlValue<'_> {
    /// The column type the value makes.
    pub fn td_type(&self) -> TdType {
        match self {
            SmlValue::Bool(_) => TdType::Bool,
            SmlValue::I8(_) => TdType::TinyInt,
            SmlValue::I16(_) => TdType::SmallInt,
            SmlValue::I32(_) => TdType::Int,
            SmlValue::I64(_) => TdType::BigInt,
            SmlValue::U8(_) => TdType::UTinyInt,
            SmlValue::U16(_) => TdType::USmallInt,
            SmlValue::U32(_) => TdType::UInt,
            SmlValue::U64(_) => TdType::UBigInt,
            SmlValue::F32(_) => TdType::Float,
            SmlValue::F64(_) => TdType::Double,
            SmlValue::VarChar(_) => TdType::VarChar,
            SmlValue::NChar(_) => TdType::NChar,
            SmlValue::VarBinary(_) => TdType::VarBinary,
            SmlValue::Geometry(_) => TdType::Geometry,
        }
    }

    /// The declared length the value needs: bytes for VARCHAR, VARBINARY and GEOMETRY,
    /// characters for NCHAR, 0 for fixed-width types.
    pub fn width(&self) -> usize {
        match self {
            SmlValue::VarChar(s) => s.len(),
            SmlValue::NChar(s) => s.chars().count(),
            SmlValue::VarBinary(b) => b.len(),
            SmlValue::Geometry(b) => b.len(),
            _ => 0,
        }
    }

    /// The bytes that stand for the value in a generated child-table name (TDengine's
    /// `buildChildTableName`): a string's bytes, a number's little-endian bytes.
    pub fn name_bytes(&self, out: &mut Vec<u8>) {
        match self {
            SmlValue::Bool(v) => out.push(u8::from(*v)),
            SmlValue::I8(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::I16(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::I32(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::I64(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::U8(v) => out.push(*v),
            SmlValue::U16(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::U32(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::U64(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::F32(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::F64(v) => out.extend_from_slice(&v.to_le_bytes()),
            SmlValue::VarChar(s) | SmlValue::NChar(s) => out.extend_from_slice(s.as_bytes()),
            SmlValue::VarBinary(b) => out.extend_from_slice(b),
            SmlValue::Geometry(b) => out.extend_from_slice(b),
        }
    }

    /// The same value, owning its text.
    pub fn into_owned(self) -> SmlValue<'static> {
        match self {
            SmlValue::Bool(v) => SmlValue::Bool(v),
            SmlValue::I8(v) => SmlValue::I8(v),
            SmlValue::I16(v) => SmlValue::I16(v),
            SmlValue::I32(v) => SmlValue::I32(v),
            SmlValue::I64(v) => SmlValue::I64(v),
            SmlValue::U8(v) => SmlValue::U8(v),
            SmlValue::U16(v) => SmlValue::U16(v),
            SmlValue::U32(v) => SmlValue::U32(v),
            SmlValue::U64(v) => SmlValue::U64(v),
            SmlValue::F32(v) => SmlValue::F32(v),
            SmlValue::F64(v) => SmlValue::F64(v),
            SmlValue::VarChar(s) => SmlValue::VarChar(Cow::Owned(s.into_owned())),
            SmlValue::NChar(s) => SmlValue::NChar(Cow::Owned(s.into_owned())),
            SmlValue::VarBinary(b) => SmlValue::VarBinary(Cow::Owned(b.into_owned())),
            SmlValue::Geometry(b) => SmlValue::Geometry(b),
        }
    }
}

/// 0x0203 for a value that cannot be read.
pub fn invalid_value(line: usize, what: &str) -> ServerError {
    ServerError::new(
        Code::TSC_INVALID_VALUE,
        format!("invalid value {what:?} in line {line}"),
    )
}

fn out_of_range(line: usize, what: &str) -> ServerError {
    ServerError::new(
        Code::TSC_VALUE_OUT_OF_RANGE,
        format!("value {what:?} out of range in line {line}"),
    )
}

/// Removes the backslash of `\"` and `\\` in a quoted field value's body.
fn unescape_quoted(body: &str) -> Cow<'_, str> {
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.clone().next() {
                Some(n @ ('"' | '\\')) => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Reads a field value (also telnet's value) by its syntax: quoted strings with an optional
/// `L`/`G`/`B` prefix, booleans, numbers with a type suffix. `raw` is the value as written
/// (quotes included); `line` names the line in errors.
pub fn parse_field_value(raw: &str, line: usize) -> Result<SmlValue<'_>, ServerError> {
    let bytes = raw.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(invalid_value(line, raw));
    };
    // Quoted forms.
    let (prefix, quoted) = match first {
        b'"' => (None, raw),
        b'L' | b'l' | b'G' | b'g' | b'B' | b'b' if bytes.get(1) == Some(&b'"') => {
            (Some(first.to_ascii_uppercase()), &raw[1..])
        }
        _ => (None, ""),
    };
    if !quoted.is_empty() {
        if quoted.len() < 2 || !quoted.ends_with('"') || ends_escaped(quoted) {
            return Err(invalid_value(line, raw));
        }
        let body = &quoted[1..quoted.len() - 1];
        return Ok(match prefix {
            None => SmlValue::VarChar(unescape_quoted(body)),
            Some(b'L') => SmlValue::NChar(unescape_quoted(body)),
            Some(b'G') => {
                let text = unescape_quoted(body);
                SmlValue::Geometry(wkt::to_wkb(&text).ok_or_else(|| invalid_value(line, raw))?)
            }
            _ => {
                let text = unescape_quoted(body);
                match hex::strip_escape(&text) {
                    Some(h) => SmlValue::VarBinary(Cow::Owned(
                        hex::decode(h).map_err(|_| invalid_value(line, raw))?,
                    )),
                    None => SmlValue::VarBinary(match text {
                        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
                    }),
                }
            }
        });
    }
    match raw {
        "t" | "T" | "true" | "True" | "TRUE" => return Ok(SmlValue::Bool(true)),
        "f" | "F" | "false" | "False" | "FALSE" => return Ok(SmlValue::Bool(false)),
        _ => {}
    }
    parse_number(raw, line)
}

/// True when the closing quote of `quoted` is escaped (`"abc\"`): an odd run of backslashes
/// before it.
fn ends_escaped(quoted: &str) -> bool {
    let inner = &quoted.as_bytes()[1..quoted.len() - 1];
    inner.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The type suffixes, longest first so `i64` is not read as `i`.
const SUFFIXES: [(&str, TdType); 12] = [
    ("i64", TdType::BigInt),
    ("u64", TdType::UBigInt),
    ("i32", TdType::Int),
    ("u32", TdType::UInt),
    ("i16", TdType::SmallInt),
    ("u16", TdType::USmallInt),
    ("f32", TdType::Float),
    ("f64", TdType::Double),
    ("i8", TdType::TinyInt),
    ("u8", TdType::UTinyInt),
    ("i", TdType::BigInt),
    ("u", TdType::UBigInt),
];

/// A number with an optional type suffix; no suffix is DOUBLE.
fn parse_number(raw: &str, line: usize) -> Result<SmlValue<'_>, ServerError> {
    let (digits, ty) = SUFFIXES
        .iter()
        .find_map(|&(s, ty)| raw.strip_suffix(s).map(|d| (d, ty)))
        .unwrap_or((raw, TdType::Double));
    if !looks_numeric(digits) {
        return Err(invalid_value(line, raw));
    }
    macro_rules! int {
        ($t:ty, $v:ident) => {{
            let v = parse_int(digits).ok_or_else(|| invalid_value(line, raw))?;
            SmlValue::$v(<$t>::try_from(v).map_err(|_| out_of_range(line, raw))?)
        }};
    }
    Ok(match ty {
        TdType::TinyInt => int!(i8, I8),
        TdType::SmallInt => int!(i16, I16),
        TdType::Int => int!(i32, I32),
        TdType::BigInt => int!(i64, I64),
        TdType::UTinyInt => int!(u8, U8),
        TdType::USmallInt => int!(u16, U16),
        TdType::UInt => int!(u32, U32),
        TdType::UBigInt => int!(u64, U64),
        TdType::Float => {
            let f = parse_float(digits, line, raw)? as f32;
            if f.is_infinite() {
                return Err(out_of_range(line, raw));
            }
            SmlValue::F32(f)
        }
        _ => SmlValue::F64(parse_float(digits, line, raw)?),
    })
}

/// Digits with an optional sign, point and exponent: what TDengine's `strtod`/`strtoll` read
/// whole. Words like `inf` and `nan` are not numbers here.
fn looks_numeric(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_digit() || (b[0] == b'.' && b.get(1).is_some_and(u8::is_ascii_digit)))
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
}

/// An integer, as i128 so every range check is exact (one of more digits than any i128 has
/// reads as `i128::MAX`: out of every range).
fn parse_int(s: &str) -> Option<i128> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.len() > 38 {
        return digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(i128::MAX);
    }
    s.parse::<i128>().ok()
}

/// A finite float; one too large for a DOUBLE is out of range.
fn parse_float(s: &str, line: usize, raw: &str) -> Result<f64, ServerError> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(out_of_range(line, raw)),
        Err(_) => Err(invalid_value(line, raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> SmlValue<'_> {
        parse_field_value(s, 1).unwrap()
    }

    fn code(s: &str) -> Code {
        parse_field_value(s, 1).unwrap_err().code
    }

    #[test]
    fn every_row_of_the_typing_table() {
        assert_eq!(v("\"text\""), SmlValue::VarChar("text".into()));
        assert_eq!(v("L\"text\""), SmlValue::NChar("text".into()));
        assert_eq!(v("l\"text\""), SmlValue::NChar("text".into()));
        assert_eq!(
            v("B\"\\x98f46e\""),
            SmlValue::VarBinary(vec![0x98, 0xf4, 0x6e].into())
        );
        assert_eq!(
            v("b\"hello\""),
            SmlValue::VarBinary(b"hello".to_vec().into())
        );
        assert!(matches!(
            v("G\"POINT(4.343 89.342)\""),
            SmlValue::Geometry(_)
        ));
        assert!(matches!(v("g\"POINT(1 2)\""), SmlValue::Geometry(_)));
        for t in ["t", "T", "true", "True", "TRUE"] {
            assert_eq!(v(t), SmlValue::Bool(true));
        }
        for f in ["f", "F", "false", "False", "FALSE"] {
            assert_eq!(v(f), SmlValue::Bool(false));
        }
        assert_eq!(v("2"), SmlValue::F64(2.0));
        assert_eq!(v("2.5f64"), SmlValue::F64(2.5));
        assert_eq!(v("-1.5e3"), SmlValue::F64(-1500.0));
        assert_eq!(v("2.5f32"), SmlValue::F32(2.5));
        assert_eq!(v("-8i8"), SmlValue::I8(-8));
        assert_eq!(v("8u8"), SmlValue::U8(8));
        assert_eq!(v("-16i16"), SmlValue::I16(-16));
        assert_eq!(v("16u16"), SmlValue::U16(16));
        assert_eq!(v("-32i32"), SmlValue::I32(-32));
        assert_eq!(v("32u32"), SmlValue::U32(32));
        assert_eq!(v("-64i64"), SmlValue::I64(-64));
        assert_eq!(v("64u64"), SmlValue::U64(64));
        assert_eq!(v("2i"), SmlValue::I64(2));
        assert_eq!(v("2u"), SmlValue::U64(2));
        assert_eq!(v("18446744073709551615"), SmlValue::F64(u64::MAX as f64));
    }

    #[test]
    fn escapes_in_quoted_values() {
        assert_eq!(v(r#""a\"b""#), SmlValue::VarChar("a\"b".into()));
        assert_eq!(v(r#""a\\b""#), SmlValue::VarChar("a\\b".into()));
        // A backslash before anything else is literal.
        assert_eq!(v(r#""a\nb""#), SmlValue::VarChar("a\\nb".into()));
        assert_eq!(v(r#""a b,c=d""#), SmlValue::VarChar("a b,c=d".into()));
        assert_eq!(code(r#""abc\""#), Code::TSC_INVALID_VALUE);
        assert_eq!(v(r#""abc\\""#), SmlValue::VarChar("abc\\".into()));
    }

    #[test]
    fn bad_and_out_of_range_values() {
        for bad in [
            "",
            "abc",
            "\"open",
            "1.5i",
            "1x",
            "inf",
            "nan",
            "--1",
            "L\"",
            "B\"\\xZZ\"",
        ] {
            assert_eq!(code(bad), Code::TSC_INVALID_VALUE, "{bad}");
        }
        for big in [
            "128i8",
            "-1u8",
            "256u8",
            "40000i16",
            "3000000000i32",
            "-1u",
            "1e39f32",
        ] {
            assert_eq!(code(big), Code::TSC_VALUE_OUT_OF_RANGE, "{big}");
        }
        assert_eq!(code("1e400"), Code::TSC_VALUE_OUT_OF_RANGE);
        assert_eq!(code(&"9".repeat(100_000)), Code::TSC_VALUE_OUT_OF_RANGE);
        assert_eq!(
            code(&format!("{}i", "9".repeat(100_000))),
            Code::TSC_VALUE_OUT_OF_RANGE
        );
        assert_eq!(
            code(&format!("{}.5i", "9".repeat(100_000))),
            Code::TSC_INVALID_VALUE
        );
    }
}
