//! TDengine INSERT: many tables and rows in one statement, column lists, `USING … TAGS`
//! auto-creation, NOW ± durations and time strings. Each table clause is read in steps:
//! the table (created on demand), the column list, then its VALUES tuples ([`rows`]).

mod rows;

use std::sync::Arc;

use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::Code;

use super::catalog::{table_not_exist, write, Database, Table};
use super::ddl::using_clause;
use super::lexer::Token;
use super::{qualified_name, syntax_at, unsupported, Engine, Outcome, Session};
use crate::ServerError;
use rows::Rows;

/// Runs an INSERT statement.
pub fn run(e: &Engine, s: &Session, sql: &str, toks: &[Token<'_>]) -> Result<Outcome, ServerError> {
    let mut i = 1;
    if !toks.get(i).is_some_and(|t| t.is_kw("INTO")) {
        return Err(syntax_at(toks, i, sql));
    }
    i += 1;
    let mut total = 0u64;
    while i < toks.len() {
        total += table_clause(e, s, sql, toks, &mut i)?;
    }
    if total == 0 && toks.len() <= 2 {
        return Err(syntax_at(toks, i, sql));
    }
    Ok(Outcome::Affected { rows: total })
}

/// One `[db.]table [(cols)] [USING … TAGS (…)] VALUES (…) …` clause: writes its rows and
/// returns how many.
fn table_clause(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
) -> Result<u64, ServerError> {
    let (dbn, name) = qualified_name(toks, i, sql)?;
    let db = e.resolve_db(s, dbn.as_deref())?;
    let listed = column_list(toks, i, sql)?;
    let table = target_table(e, s, &db, &name, sql, toks, i)?;
    values_keyword(toks, i, sql)?;
    let cols: Vec<ColumnSpec> = db.columns_of(&table)?;
    let targets = target_columns(&cols, listed.as_deref())?;
    let mut rows = Rows::new(&cols, targets, rows_hint(&toks[*i..]), db.precision, s);
    rows.parse(toks, i, sql)?;
    let batch = rows.finish()?;
    let mut data = write(&table.data);
    if data.schema().fields().len() != batch.num_columns() {
        return Err(table_not_exist(&name));
    }
    data.append_batch(batch)
}

/// The optional `(col, …)` list after the table name.
fn column_list(
    toks: &[Token<'_>],
    i: &mut usize,
    sql: &str,
) -> Result<Option<Vec<String>>, ServerError> {
    if !toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        return Ok(None);
    }
    *i += 1;
    let mut v = Vec::new();
    loop {
        let t = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        v.push(t.name());
        *i += 1;
        let sep = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        *i += 1;
        if sep.is_punct(")") {
            return Ok(Some(v));
        }
        if !sep.is_punct(",") {
            return Err(syntax_at(toks, *i - 1, sql));
        }
    }
}

/// The table written: an existing one, or a child table `USING … TAGS (…)` creates when it
/// does not exist yet.
fn target_table(
    e: &Engine,
    s: &Session,
    db: &Database,
    name: &str,
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
) -> Result<Arc<Table>, ServerError> {
    if toks.get(*i).is_some_and(|t| t.is_kw("USING")) {
        *i += 1;
        let (stable, cols, tags) = using_clause(e, s, db, sql, toks, i)?;
        return match db.table(name) {
            Ok(t) => Ok(t),
            Err(_) => db.create_table(name, cols, Some((stable, tags)), true),
        };
    }
    if db.stable(name).is_some() {
        return Err(unsupported(
            "INSERT into a super table without USING/tbname",
        ));
    }
    db.table(name)
}

/// `VALUES` (or `VALUE`); `FILE` and `SELECT` sources are not supported.
fn values_keyword(toks: &[Token<'_>], i: &mut usize, sql: &str) -> Result<(), ServerError> {
    match toks.get(*i) {
        Some(t) if t.is_kw("VALUES") || t.is_kw("VALUE") => {
            *i += 1;
            Ok(())
        }
        Some(t) if t.is_kw("FILE") => Err(unsupported("INSERT … FILE")),
        Some(t) if t.is_kw("SELECT") => Err(unsupported("INSERT … SELECT")),
        _ => Err(syntax_at(toks, *i, sql)),
    }
}

/// The table column of each value of a tuple: the listed ones, or every column in order.
/// The timestamp must be one of them, and no column may come twice.
fn target_columns(
    cols: &[ColumnSpec],
    listed: Option<&[String]>,
) -> Result<Vec<usize>, ServerError> {
    let targets: Vec<usize> = match listed {
        None => (0..cols.len()).collect(),
        Some(names) => names
            .iter()
            .map(|n| {
                cols.iter().position(|c| &c.name == n).ok_or_else(|| {
                    ServerError::new(
                        Code::PAR_INVALID_COLUMN,
                        format!("Invalid column name: {n}"),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    if !targets.contains(&0) {
        return Err(ServerError::new(
            Code::PAR_INVALID_COLUMN,
            "Invalid column name: primary timestamp column must be given",
        ));
    }
    let mut seen = vec![false; cols.len()];
    for &t in &targets {
        if std::mem::replace(&mut seen[t], true) {
            return Err(ServerError::from_code(Code::PAR_DUPLICATED_COLUMN));
        }
    }
    Ok(targets)
}

/// An estimate of the tuples ahead (to size the column builders): the `(…)` groups that
/// follow one another from `toks[0]` on, separated by nothing or a comma. Reads only this
/// table clause's tuples, so a statement of many table clauses stays linear.
fn rows_hint(toks: &[Token<'_>]) -> usize {
    let mut count = 0;
    let mut depth = 0usize;
    for t in toks {
        if t.is_punct("(") {
            if depth == 0 {
                count += 1;
            }
            depth += 1;
        } else if t.is_punct(")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && !t.is_punct(",") {
            break;
        }
    }
    count.max(1)
}
