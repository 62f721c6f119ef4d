//! TDengine type names in DDL → [`ColumnSpec`] (type + declared length) → Arrow field; the
//! names, lengths and DECIMAL ranges come from the protocol crate's type table.

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
    // `INT UNSIGNED` and the like are two words; try the longer name first.
    let unsigned = toks
        .get(*i)
        .filter(|u| u.is_kw("UNSIGNED"))
        .and_then(|_| TdType::from_sql_name(&format!("{} UNSIGNED", t.text)));
    let ty = match unsigned {
        Some(ty) => {
            *i += 1;
            ty
        }
        None => TdType::from_sql_name(t.text).ok_or_else(near)?,
    };
    match ty {
        // NULL is a value, not a column type.
        TdType::Null => return Err(near()),
        ty if !ty.is_supported() => {
            return Err(ServerError::new(
                Code::PAR_SYNTAX_ERROR,
                format!("{ty} is not supported"),
            ))
        }
        _ => {}
    }
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
    let spec = match ty.max_declared_length() {
        Some(max) => {
            let [n] = args[..] else { return Err(bad_len()) };
            if n == 0 || n > max {
                return Err(bad_len());
            }
            ColumnSpec::new(name, ty).with_length(n)
        }
        None if ty.is_decimal() => {
            let (p, s) = match args[..] {
                [p] => (p, 0),
                [p, s] => (p, s),
                _ => return Err(bad_len()),
            };
            let valid = u8::try_from(p)
                .ok()
                .zip(u8::try_from(s).ok())
                .filter(|&(p, s)| TdType::decimal_for(p).is_valid_decimal(p, s));
            let Some((p, s)) = valid else {
                return Err(ServerError::new(
                    Code::PAR_SYNTAX_ERROR,
                    format!("Invalid column type: DECIMAL({p},{s}) of column {name}"),
                ));
            };
            ColumnSpec::decimal(name, p, s)
        }
        None => {
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
