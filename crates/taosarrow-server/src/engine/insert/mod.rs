//! TDengine INSERT: many tables and rows in one statement, column lists, `USING … TAGS`
//! auto-creation, NOW ± durations and time strings. Each table clause is read in steps:
//! the table (created on demand), the column list, then its VALUES tuples ([`rows`]).

mod rows;
pub(crate) mod select;

use std::collections::HashMap;
use std::sync::Arc;

use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::Code;

use super::catalog::{schema_of, Database, Table};
use super::commit::{commit, NewChild, TableWrite};
use super::ddl::using_clause;
use super::lexer::Token;
use super::users::Access;
use super::{qualified_name, syntax_at, unsupported, Engine, Outcome, Session};
use crate::ServerError;
use rows::Rows;

/// Child tables this statement creates, by (database, name), for the clauses that write
/// them again without `USING`.
type Pending = HashMap<(String, String), NewChild>;

/// Runs an INSERT statement: every table clause is read first, then all are written in one
/// commit, so a clause that fails stores nothing of the statement.
pub fn run(e: &Engine, s: &Session, sql: &str, toks: &[Token<'_>]) -> Result<Outcome, ServerError> {
    let mut i = 1;
    if !toks.get(i).is_some_and(|t| t.is_kw("INTO")) {
        return Err(syntax_at(toks, i, sql));
    }
    i += 1;
    let mut writes = Vec::new();
    let mut pending = Pending::new();
    while i < toks.len() {
        writes.push(table_clause(e, s, sql, toks, &mut i, &mut pending)?);
    }
    if writes.iter().all(|w| w.batch.num_rows() == 0) && toks.len() <= 2 {
        return Err(syntax_at(toks, i, sql));
    }
    let rows = commit(e.commit_lock(), writes)?;
    Ok(Outcome::Affected { rows })
}

/// One `[db.]table [(cols)] [USING … TAGS (…)] VALUES (…) …` clause: its rows, not yet
/// written.
fn table_clause(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
    pending: &mut Pending,
) -> Result<TableWrite, ServerError> {
    let (dbn, name) = qualified_name(toks, i, sql)?;
    let db = e.resolve_db_for(s, dbn.as_deref(), Access::Write)?;
    if db.table(&name).is_ok() {
        e.check_table(s, &db, &name, Access::Write)?;
    }
    let listed = column_list(toks, i, sql)?;
    let key = (db.name.clone(), name.clone());
    let (cols, create) = match target_table(e, s, &db, &name, sql, toks, i, pending.get(&key))? {
        Target::Existing(table) => (db.columns_of(&table)?, None),
        Target::New(child) => {
            pending.insert(key, child.clone());
            (child.columns.clone(), Some(child))
        }
    };
    values_keyword(toks, i, sql)?;
    let targets = target_columns(&cols, listed.as_deref())?;
    let mut rows = Rows::new(&cols, targets, rows_hint(&toks[*i..]), db.precision, s);
    rows.parse(toks, i, sql)?;
    let batch = rows.finish()?;
    Ok(TableWrite {
        db,
        name,
        create,
        batch,
    })
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

/// The table a clause writes.
enum Target {
    /// It exists.
    Existing(Arc<Table>),
    /// `USING … TAGS (…)` (of this clause or an earlier one) creates it when the statement
    /// is committed.
    New(NewChild),
}

/// The table written: an existing one, or a child table `USING … TAGS (…)` creates when it
/// does not exist yet (`earlier`: the creation an earlier clause asked for).
#[allow(clippy::too_many_arguments)]
fn target_table(
    e: &Engine,
    s: &Session,
    db: &Database,
    name: &str,
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
    earlier: Option<&NewChild>,
) -> Result<Target, ServerError> {
    if toks.get(*i).is_some_and(|t| t.is_kw("USING")) {
        *i += 1;
        let (stable, columns, tags) = using_clause(e, s, db, sql, toks, i)?;
        if let Ok(t) = db.table(name) {
            return Ok(Target::Existing(t));
        }
        if let Some(child) = earlier {
            return Ok(Target::New(child.clone()));
        }
        let schema = schema_of(&columns, db.precision)?;
        return Ok(Target::New(NewChild {
            ttl_days: 0,
            stable,
            columns,
            schema,
            tags,
        }));
    }
    if db.stable(name).is_some() {
        return Err(unsupported(
            "INSERT into a super table without USING/tbname",
        ));
    }
    match (db.table(name), earlier) {
        (Ok(t), _) => Ok(Target::Existing(t)),
        (Err(_), Some(child)) => Ok(Target::New(child.clone())),
        (Err(e), None) => Err(e),
    }
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
