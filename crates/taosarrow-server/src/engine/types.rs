//! TDengine type names in DDL → [`ColumnSpec`] (type + declared length) → Arrow field.

use arrow::datatypes::Field;
use taosarrow_codec::{arrow_field, ColumnSpec, SchemaOptions};
use taosarrow_protocol::{Code, Precision, TdType};

use super::lexer::{Kind, Token};
use crate::ServerError;

/// Parses a type at `toks[*i]` (e.g. `NCHAR(20)`, `INT UNSIGNED`, `DECIMAL(20,4)`) for the
/// column `name`; advances `i` past it.
pub fn parse_type(
    name: &str,
    toks: &[Token<'_>],
    i: &mut usize,
    sql: &str,
) -> Result<ColumnSpec, ServerError> {
    let t = toks.get(*i).ok_or_else(|| ServerError::syntax(""))?;
    let near = || ServerError::syntax(&sql[t.pos..]);
    if t.kind != Kind::Word {
        return Err(near());
    }
    *i += 1;
    let word = t.text.to_ascii_uppercase();
    let unsigned = |i: &mut usize| -> bool {
        if toks.get(*i).is_some_and(|t| t.is_kw("UNSIGNED")) {
            *i += 1;
            true
        } else {
            false
        }
    };
    let ty = match word.as_str() {
        "BOOL" | "BOOLEAN" => TdType::Bool,
        "TINYINT" => {
            if unsigned(i) {
                TdType::UTinyInt
            } else {
                TdType::TinyInt
            }
        }
        "SMALLINT" => {
            if unsigned(i) {
                TdType::USmallInt
            } else {
                TdType::SmallInt
            }
        }
        "INT" | "INTEGER" => {
            if unsigned(i) {
                TdType::UInt
            } else {
                TdType::Int
            }
        }
        "BIGINT" => {
            if unsigned(i) {
                TdType::UBigInt
            } else {
                TdType::BigInt
            }
        }
        "FLOAT" => TdType::Float,
        "DOUBLE" => TdType::Double,
        "TIMESTAMP" => TdType::Timestamp,
        "BINARY" | "VARCHAR" => TdType::VarChar,
        "NCHAR" => TdType::NChar,
        "JSON" => TdType::Json,
        "VARBINARY" => TdType::VarBinary,
        "GEOMETRY" => TdType::Geometry,
        "BLOB" => TdType::Blob,
        "DECIMAL" => TdType::Decimal,
        "MEDIUMBLOB" => {
            return Err(ServerError::new(
                Code::PAR_SYNTAX_ERROR,
                "MEDIUMBLOB is not supported",
            ))
        }
        _ => return Err(near()),
    };
    let mut args = Vec::new();
    if toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        *i += 1;
        loop {
            let a = toks.get(*i).ok_or_else(near)?;
            if a.kind != Kind::Number {
                return Err(ServerError::syntax(&sql[a.pos..]));
            }
            args.push(
                a.text
                    .parse::<u32>()
                    .map_err(|_| ServerError::syntax(&sql[a.pos..]))?,
            );
            *i += 1;
            let sep = toks.get(*i).ok_or_else(near)?;
            *i += 1;
            if sep.is_punct(")") {
                break;
            }
            if !sep.is_punct(",") {
                return Err(ServerError::syntax(&sql[sep.pos..]));
            }
        }
    }
    let bad_len = || {
        ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            format!("Invalid data type length of column {name}"),
        )
    };
    let spec = match ty {
        TdType::VarChar | TdType::NChar | TdType::VarBinary | TdType::Geometry => {
            let [n] = args[..] else { return Err(bad_len()) };
            let max = if ty == TdType::NChar { 16_374 } else { 65_517 };
            if n == 0 || n > max {
                return Err(bad_len());
            }
            ColumnSpec::new(name, ty).with_length(n)
        }
        TdType::Decimal => {
            let (p, s) = match args[..] {
                [p] => (p, 0),
                [p, s] => (p, s),
                _ => return Err(bad_len()),
            };
            if p == 0 || p > 38 || s > p {
                return Err(ServerError::new(
                    Code::PAR_SYNTAX_ERROR,
                    format!("Invalid column type: DECIMAL({p},{s}) of column {name}"),
                ));
            }
            ColumnSpec::decimal(name, p as u8, s as u8)
        }
        _ => {
            if !args.is_empty() {
                return Err(bad_len());
            }
            ColumnSpec::new(name, ty)
        }
    };
    Ok(spec)
}

/// The Arrow field of a stored column in a database of `precision` (no time zone).
pub fn field(spec: &ColumnSpec, precision: Precision) -> Result<Field, ServerError> {
    arrow_field(
        spec,
        &SchemaOptions {
            precision,
            timezone: None,
        },
    )
    .map_err(|e| ServerError::new(Code::PAR_SYNTAX_ERROR, e.to_string()))
}

/// The type text DESCRIBE shows, e.g. `NCHAR`, `DECIMAL(20, 4)`.
pub fn describe_name(spec: &ColumnSpec) -> String {
    if spec.ty.is_decimal() {
        format!("DECIMAL({}, {})", spec.precision, spec.scale)
    } else {
        spec.ty.sql_name().to_owned()
    }
}
