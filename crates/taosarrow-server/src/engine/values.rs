//! Literal values of INSERT and TAGS clauses, appended straight into Arrow builders.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::*;
use arrow::datatypes::DataType;
use taosarrow_codec::{decimal, ColumnSpec};
use taosarrow_protocol::{hex, Code, Precision, TdType};

use super::lexer::{Kind, Token};
use super::time::{duration_ticks, now, parse_time_string, today};
use super::{syntax_at, wkt};
use crate::ServerError;

/// One literal of a VALUES or TAGS list.
#[derive(Debug, Clone)]
pub enum Lit<'a> {
    /// NULL.
    Null,
    /// A string literal's content.
    Str(Cow<'a, str>),
    /// A number as written, with its sign.
    Num(Cow<'a, str>),
    /// TRUE/FALSE.
    Bool(bool),
    /// A timestamp computed from NOW/TODAY ± durations, in db ticks.
    Ts(i64),
}

/// Reads one literal at `toks[*i]`, advancing `i`; `NOW` and `TODAY` are those of the
/// statement's start `at`, `TODAY` the midnight of time zone `tz` (UTC when `None`).
pub fn parse_lit<'a>(
    toks: &[Token<'a>],
    i: &mut usize,
    sql: &str,
    p: Precision,
    at: chrono::DateTime<chrono::Utc>,
    tz: Option<chrono_tz::Tz>,
) -> Result<Lit<'a>, ServerError> {
    let t = *toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
    *i += 1;
    match t.kind {
        Kind::Str => Ok(Lit::Str(t.string_value())),
        Kind::Number => Ok(Lit::Num(Cow::Borrowed(t.text))),
        Kind::Punct if t.text == "-" || t.text == "+" => {
            let n = *toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
            if n.kind != Kind::Number
                && !(n.kind == Kind::Word && n.text.to_ascii_lowercase().starts_with("0x"))
            {
                return Err(syntax_at(toks, *i - 1, sql));
            }
            *i += 1;
            Ok(Lit::Num(if t.text == "-" {
                Cow::Owned(format!("-{}", n.text))
            } else {
                Cow::Borrowed(n.text)
            }))
        }
        Kind::Word => {
            let w = t.text;
            if w.eq_ignore_ascii_case("null") {
                Ok(Lit::Null)
            } else if w.eq_ignore_ascii_case("true") {
                Ok(Lit::Bool(true))
            } else if w.eq_ignore_ascii_case("false") {
                Ok(Lit::Bool(false))
            } else if w.eq_ignore_ascii_case("now") || w.eq_ignore_ascii_case("today") {
                if toks.get(*i).is_some_and(|t| t.is_punct("("))
                    && toks.get(*i + 1).is_some_and(|t| t.is_punct(")"))
                {
                    *i += 2;
                }
                let mut ts = if w.eq_ignore_ascii_case("today") {
                    today(at, p, tz)
                } else {
                    now(at, p)
                };
                while let Some(op) = toks.get(*i).filter(|t| t.is_punct("+") || t.is_punct("-")) {
                    let d = toks
                        .get(*i + 1)
                        .filter(|t| t.kind == Kind::Duration)
                        .ok_or_else(|| syntax_at(toks, *i, sql))?;
                    let ticks = duration_ticks(d.text, p)?;
                    ts = if op.text == "+" {
                        ts.saturating_add(ticks)
                    } else {
                        ts.saturating_sub(ticks)
                    };
                    *i += 2;
                }
                Ok(Lit::Ts(ts))
            } else if hex_digits(w).is_some() {
                Ok(Lit::Num(Cow::Borrowed(w)))
            } else {
                Err(syntax_at(toks, *i - 1, sql))
            }
        }
        _ => Err(syntax_at(toks, *i - 1, sql)),
    }
}

/// Where a value goes: its column and the session's time zone.
pub struct Target<'s> {
    /// The column.
    pub spec: &'s ColumnSpec,
    /// Database precision.
    pub precision: Precision,
    /// Connection time zone.
    pub tz: Option<chrono_tz::Tz>,
}

fn wrong(spec: &ColumnSpec, what: &str) -> ServerError {
    ServerError::new(
        Code::PAR_WRONG_VALUE_TYPE,
        format!(
            "Invalid value type: {what} for column {} of type {}",
            spec.name, spec.ty
        ),
    )
}

fn too_long(spec: &ColumnSpec) -> ServerError {
    ServerError::new(
        Code::PAR_VALUE_TOO_LONG,
        format!("Value too long for column/tag: {}", spec.name),
    )
}

/// The digits of a `0x…` literal (at least one character after the prefix), or `None`.
fn hex_digits(s: &str) -> Option<&str> {
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    (!digits.is_empty()).then_some(digits)
}

fn parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(digits) = hex_digits(body) {
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        i128::from_str_radix(digits, 16).ok()?
    } else if let Ok(v) = body.parse::<i128>() {
        v
    } else {
        let f: f64 = body.parse().ok()?;
        if !f.is_finite() {
            return None;
        }
        f.trunc() as i128
    };
    Some(if neg { -v } else { v })
}

/// A column under construction.
pub enum ColBuilder {
    /// BOOL.
    Bool(BooleanBuilder),
    /// Signed integers and timestamps, by width.
    I8(Int8Builder),
    /// SMALLINT.
    I16(Int16Builder),
    /// INT.
    I32(Int32Builder),
    /// BIGINT and TIMESTAMP.
    I64(Int64Builder),
    /// TINYINT UNSIGNED.
    U8(UInt8Builder),
    /// SMALLINT UNSIGNED.
    U16(UInt16Builder),
    /// INT UNSIGNED.
    U32(UInt32Builder),
    /// BIGINT UNSIGNED.
    U64(UInt64Builder),
    /// FLOAT.
    F32(Float32Builder),
    /// DOUBLE.
    F64(Float64Builder),
    /// VARCHAR, NCHAR, JSON.
    Str(StringBuilder),
    /// VARBINARY, GEOMETRY.
    Bin(BinaryBuilder),
    /// BLOB.
    LBin(LargeBinaryBuilder),
    /// DECIMAL.
    Dec(Decimal128Builder),
}

impl ColBuilder {
    /// A builder for `spec` with room for `cap` rows.
    pub fn new(spec: &ColumnSpec, cap: usize) -> Self {
        match spec.ty {
            TdType::Bool => ColBuilder::Bool(BooleanBuilder::with_capacity(cap)),
            TdType::TinyInt => ColBuilder::I8(Int8Builder::with_capacity(cap)),
            TdType::SmallInt => ColBuilder::I16(Int16Builder::with_capacity(cap)),
            TdType::Int => ColBuilder::I32(Int32Builder::with_capacity(cap)),
            TdType::BigInt | TdType::Timestamp => ColBuilder::I64(Int64Builder::with_capacity(cap)),
            TdType::UTinyInt => ColBuilder::U8(UInt8Builder::with_capacity(cap)),
            TdType::USmallInt => ColBuilder::U16(UInt16Builder::with_capacity(cap)),
            TdType::UInt => ColBuilder::U32(UInt32Builder::with_capacity(cap)),
            TdType::UBigInt => ColBuilder::U64(UInt64Builder::with_capacity(cap)),
            TdType::Float => ColBuilder::F32(Float32Builder::with_capacity(cap)),
            TdType::Double => ColBuilder::F64(Float64Builder::with_capacity(cap)),
            TdType::VarBinary | TdType::Geometry => {
                ColBuilder::Bin(BinaryBuilder::with_capacity(cap, cap * 8))
            }
            TdType::Blob | TdType::MediumBlob => {
                ColBuilder::LBin(LargeBinaryBuilder::with_capacity(cap, cap * 8))
            }
            TdType::Decimal | TdType::Decimal64 => {
                ColBuilder::Dec(Decimal128Builder::with_capacity(cap))
            }
            TdType::VarChar | TdType::NChar | TdType::Json | TdType::Null => {
                ColBuilder::Str(StringBuilder::with_capacity(cap, cap * 8))
            }
        }
    }

    /// Appends a NULL.
    pub fn append_null(&mut self) {
        match self {
            ColBuilder::Bool(b) => b.append_null(),
            ColBuilder::I8(b) => b.append_null(),
            ColBuilder::I16(b) => b.append_null(),
            ColBuilder::I32(b) => b.append_null(),
            ColBuilder::I64(b) => b.append_null(),
            ColBuilder::U8(b) => b.append_null(),
            ColBuilder::U16(b) => b.append_null(),
            ColBuilder::U32(b) => b.append_null(),
            ColBuilder::U64(b) => b.append_null(),
            ColBuilder::F32(b) => b.append_null(),
            ColBuilder::F64(b) => b.append_null(),
            ColBuilder::Str(b) => b.append_null(),
            ColBuilder::Bin(b) => b.append_null(),
            ColBuilder::LBin(b) => b.append_null(),
            ColBuilder::Dec(b) => b.append_null(),
        }
    }

    /// Appends `lit` converted to the column's type.
    pub fn append(&mut self, lit: &Lit<'_>, t: &Target<'_>) -> Result<(), ServerError> {
        let spec = t.spec;
        if matches!(lit, Lit::Null) {
            if spec.ty == TdType::Timestamp && spec.name.is_empty() {
                return Err(ServerError::new(
                    Code::PAR_INCORRECT_TIMESTAMP_VAL,
                    "Primary timestamp column should not be null",
                ));
            }
            self.append_null();
            return Ok(());
        }
        let text: &str = match lit {
            Lit::Str(s) | Lit::Num(s) => s,
            _ => "",
        };
        let int = || -> Result<i128, ServerError> {
            match lit {
                Lit::Bool(b) => Ok(i128::from(*b)),
                Lit::Ts(v) => Ok(i128::from(*v)),
                _ => parse_int(text.trim()).ok_or_else(|| wrong(spec, text)),
            }
        };
        macro_rules! int_col {
            ($b:expr, $t:ty) => {{
                let v = int()?;
                let v = <$t>::try_from(v).map_err(|_| {
                    ServerError::new(
                        Code::PAR_WRONG_VALUE_TYPE,
                        format!(
                            "Invalid value type: {v} out of range for column {}",
                            spec.name
                        ),
                    )
                })?;
                $b.append_value(v)
            }};
        }
        match self {
            ColBuilder::Bool(b) => {
                let v = match lit {
                    Lit::Bool(v) => *v,
                    _ => match text.trim().to_ascii_lowercase().as_str() {
                        "true" => true,
                        "false" => false,
                        n => parse_int(n)
                            .map(|v| v != 0)
                            .ok_or_else(|| wrong(spec, text))?,
                    },
                };
                b.append_value(v)
            }
            ColBuilder::I64(b) if spec.ty == TdType::Timestamp => {
                let v = match lit {
                    Lit::Ts(v) => *v,
                    Lit::Num(n) => parse_int(n)
                        .and_then(|v| i64::try_from(v).ok())
                        .ok_or_else(|| {
                            ServerError::new(
                                Code::PAR_INCORRECT_TIMESTAMP_VAL,
                                format!("Incorrect TIMESTAMP value: {n}"),
                            )
                        })?,
                    Lit::Str(s) => parse_time_string(s, t.precision, t.tz)?,
                    _ => return Err(wrong(spec, "bool")),
                };
                b.append_value(v)
            }
            ColBuilder::I8(b) => int_col!(b, i8),
            ColBuilder::I16(b) => int_col!(b, i16),
            ColBuilder::I32(b) => int_col!(b, i32),
            ColBuilder::I64(b) => int_col!(b, i64),
            ColBuilder::U8(b) => int_col!(b, u8),
            ColBuilder::U16(b) => int_col!(b, u16),
            ColBuilder::U32(b) => int_col!(b, u32),
            ColBuilder::U64(b) => int_col!(b, u64),
            ColBuilder::F32(b) => b.append_value(float(lit, text, spec)? as f32),
            ColBuilder::F64(b) => b.append_value(float(lit, text, spec)?),
            ColBuilder::Str(b) => {
                let s: Cow<'_, str> = match lit {
                    Lit::Bool(v) => Cow::Owned(v.to_string()),
                    Lit::Ts(v) => Cow::Owned(v.to_string()),
                    _ => Cow::Borrowed(text),
                };
                let len = if spec.ty == TdType::NChar {
                    s.chars().count()
                } else {
                    s.len()
                };
                if spec.ty == TdType::Json {
                    if !s.trim().is_empty()
                        && serde_json::from_str::<serde_json::Value>(&s)
                            .map_or(true, |v| !v.is_object())
                    {
                        return Err(ServerError::new(
                            Code::PAR_WRONG_VALUE_TYPE,
                            format!(
                                "Invalid value type: JSON tag {} must be an object",
                                spec.name
                            ),
                        ));
                    }
                } else if len > spec.length as usize {
                    return Err(too_long(spec));
                }
                b.append_value(s)
            }
            ColBuilder::Bin(b) => {
                let bytes = binary_value(lit, text, spec)?;
                b.append_value(bytes)
            }
            ColBuilder::LBin(b) => {
                let bytes = binary_value(lit, text, spec)?;
                b.append_value(bytes)
            }
            ColBuilder::Dec(b) => {
                let v = decimal::parse(text.trim().as_bytes(), spec.precision, spec.scale)
                    .ok_or_else(|| {
                        ServerError::new(
                            Code::PAR_WRONG_VALUE_TYPE,
                            format!(
                                "Invalid value type: {text} for column {} of type DECIMAL({}, {})",
                                spec.name, spec.precision, spec.scale
                            ),
                        )
                    })?;
                b.append_value(v)
            }
        }
        Ok(())
    }

    /// The finished column with the Arrow type `dt`.
    pub fn finish(&mut self, dt: &DataType) -> Result<ArrayRef, ServerError> {
        let a: ArrayRef = match self {
            ColBuilder::Bool(b) => Arc::new(b.finish()),
            ColBuilder::I8(b) => Arc::new(b.finish()),
            ColBuilder::I16(b) => Arc::new(b.finish()),
            ColBuilder::I32(b) => Arc::new(b.finish()),
            ColBuilder::I64(b) => Arc::new(b.finish()),
            ColBuilder::U8(b) => Arc::new(b.finish()),
            ColBuilder::U16(b) => Arc::new(b.finish()),
            ColBuilder::U32(b) => Arc::new(b.finish()),
            ColBuilder::U64(b) => Arc::new(b.finish()),
            ColBuilder::F32(b) => Arc::new(b.finish()),
            ColBuilder::F64(b) => Arc::new(b.finish()),
            ColBuilder::Str(b) => Arc::new(b.finish()),
            ColBuilder::Bin(b) => Arc::new(b.finish()),
            ColBuilder::LBin(b) => Arc::new(b.finish()),
            // The builder holds unscaled values at the column's scale: label them with the
            // column's precision and scale (a cast would rescale them).
            ColBuilder::Dec(b) => match dt {
                DataType::Decimal128(p, s) => Arc::new(
                    b.finish()
                        .with_precision_and_scale(*p, *s)
                        .map_err(ServerError::internal)?,
                ),
                _ => Arc::new(b.finish()),
            },
        };
        if a.data_type() == dt {
            return Ok(a);
        }
        arrow::compute::cast(&a, dt).map_err(ServerError::internal)
    }
}

fn float(lit: &Lit<'_>, text: &str, spec: &ColumnSpec) -> Result<f64, ServerError> {
    match lit {
        Lit::Bool(b) => Ok(f64::from(u8::from(*b))),
        Lit::Ts(v) => Ok(*v as f64),
        _ => text.trim().parse::<f64>().map_err(|_| wrong(spec, text)),
    }
}

fn binary_value<'a>(
    lit: &'a Lit<'_>,
    text: &'a str,
    spec: &ColumnSpec,
) -> Result<Cow<'a, [u8]>, ServerError> {
    if !matches!(lit, Lit::Str(_)) {
        return Err(wrong(spec, text));
    }
    let bytes: Cow<'a, [u8]> = if spec.ty == TdType::Geometry {
        Cow::Owned(wkt::to_wkb(text).ok_or_else(|| {
            ServerError::new(
                Code::PAR_WRONG_VALUE_TYPE,
                format!(
                    "Invalid value type: geometry {text} for column {}",
                    spec.name
                ),
            )
        })?)
    } else if let Some(h) = hex::strip_escape(text).and_then(|h| hex::decode(h).ok()) {
        Cow::Owned(h)
    } else {
        Cow::Borrowed(text.as_bytes())
    };
    if spec.ty != TdType::Blob && bytes.len() > spec.length as usize {
        return Err(too_long(spec));
    }
    if spec.ty == TdType::Blob && bytes.len() > taosarrow_codec::BLOB_LENGTH as usize {
        return Err(too_long(spec));
    }
    Ok(bytes)
}
