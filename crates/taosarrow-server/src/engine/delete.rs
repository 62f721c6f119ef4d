//! `DELETE FROM [db.]table [WHERE ts-condition]`: TDengine deletes by time range. The
//! condition names the primary timestamp column only — comparisons (`<`, `<=`, `>`, `>=`,
//! `=`) with a literal (a number of ticks, a time string, `NOW ± duration`) and `BETWEEN`,
//! joined by AND. A super table deletes from each of its child tables. The whole statement
//! is read before any row goes; the answer is the rows deleted.

use taosarrow_protocol::Code;

use super::catalog::{read, write};
use super::lexer::{Kind, Token};
use super::users::Access;
use super::values::{parse_lit, Lit};
use super::{qualified_name, syntax_at, unsupported, Engine, Outcome, Session};
use crate::engine::time::parse_time_string;
use crate::ServerError;

/// The inclusive range `[lo, hi]` of timestamps a condition keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    lo: i64,
    hi: i64,
}

/// Runs a DELETE statement.
pub(crate) fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<Outcome, ServerError> {
    if !toks.get(1).is_some_and(|t| t.is_kw("FROM")) {
        return Err(syntax_at(toks, 1, sql));
    }
    let mut i = 2;
    let (dbn, name) = qualified_name(toks, &mut i, sql)?;
    let db = e.resolve_db_for(s, dbn.as_deref(), Access::Write)?;
    let tables = if db.stable(&name).is_some() {
        db.children(&name)
    } else {
        vec![db.table(&name)?]
    };
    e.check_table(s, &db, &name, Access::Write)?;
    let ts_name = match tables.first() {
        Some(t) => db
            .columns_of(t)?
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        None => db
            .stable(&name)
            .and_then(|st| read(&st).columns.first().map(|c| c.name.clone()))
            .unwrap_or_default(),
    };
    let range = if i < toks.len() {
        if !toks[i].is_kw("WHERE") {
            return Err(syntax_at(toks, i, sql));
        }
        i += 1;
        let tags: Vec<String> = db
            .stable(&name)
            .map(|st| read(&st).tags.iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default();
        condition(s, db.precision, &ts_name, &tags, sql, toks, &mut i)?
    } else {
        Range {
            lo: i64::MIN,
            hi: i64::MAX,
        }
    };
    let _commit = e.commit_lock().writing();
    let mut deleted = 0u64;
    if range.lo <= range.hi {
        for t in &tables {
            deleted += write(&t.data).delete_range(range.lo, range.hi)?;
        }
    }
    Ok(Outcome::Affected { rows: deleted })
}

/// `cond [AND cond …]` to the end of the statement, each on the timestamp column.
fn condition(
    s: &Session,
    p: taosarrow_protocol::Precision,
    ts_name: &str,
    tags: &[String],
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
) -> Result<Range, ServerError> {
    let mut r = Range {
        lo: i64::MIN,
        hi: i64::MAX,
    };
    let value = |i: &mut usize| -> Result<i64, ServerError> {
        let at = *i;
        match parse_lit(toks, i, sql, p, s.statement_time(), s.timezone())? {
            Lit::Ts(t) => Ok(t),
            Lit::Num(n) => n.parse::<i64>().map_err(|_| syntax_at(toks, at, sql)),
            Lit::Str(text) => parse_time_string(&text, p, s.timezone()),
            _ => Err(syntax_at(toks, at, sql)),
        }
    };
    loop {
        let col = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        if !matches!(col.kind, Kind::Word | Kind::Quoted) {
            return Err(syntax_at(toks, *i, sql));
        }
        if !col.name().eq_ignore_ascii_case(ts_name) {
            if tags.iter().any(|t| t.eq_ignore_ascii_case(&col.name())) {
                return Err(unsupported("DELETE with a tag condition"));
            }
            return Err(ServerError::from_code(Code::PAR_INVALID_DELETE_WHERE));
        }
        *i += 1;
        let op = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        if op.is_kw("BETWEEN") {
            *i += 1;
            let lo = value(i)?;
            if !toks.get(*i).is_some_and(|t| t.is_kw("AND")) {
                return Err(syntax_at(toks, *i, sql));
            }
            *i += 1;
            let hi = value(i)?;
            r.lo = r.lo.max(lo);
            r.hi = r.hi.min(hi);
        } else {
            let text = op.text;
            *i += 1;
            let v = value(i)?;
            match text {
                ">" => r.lo = r.lo.max(v.saturating_add(1)),
                ">=" => r.lo = r.lo.max(v),
                "<" => r.hi = r.hi.min(v.saturating_sub(1)),
                "<=" => r.hi = r.hi.min(v),
                "=" => {
                    r.lo = r.lo.max(v);
                    r.hi = r.hi.min(v);
                }
                _ => {
                    return Err(unsupported(&format!(
                        "DELETE with the condition operator {text}"
                    )))
                }
            }
        }
        match toks.get(*i) {
            None => return Ok(r),
            Some(t) if t.is_kw("AND") => *i += 1,
            Some(t) if t.is_kw("OR") => return Err(unsupported("DELETE with OR")),
            Some(_) => return Err(syntax_at(toks, *i, sql)),
        }
    }
}
