//! TDengine INSERT: many tables and rows in one statement, column lists, `USING … TAGS`
//! auto-creation, NOW ± durations and time strings.

use arrow::record_batch::RecordBatch;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, TdType};

use super::catalog::{schema_of, table_not_exist, write};
use super::ddl::using_clause;
use super::lexer::Token;
use super::values::{parse_lit, ColBuilder, Target};
use super::{qualified_name, syntax_at, unsupported, Engine, Outcome, Session};
use crate::ServerError;

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

fn table_clause(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
) -> Result<u64, ServerError> {
    let (dbn, name) = qualified_name(toks, i, sql)?;
    let db = e.resolve_db(s, dbn.as_deref())?;
    // Optional column list.
    let mut listed: Option<Vec<String>> = None;
    if toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        *i += 1;
        let mut v = Vec::new();
        loop {
            let t = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
            v.push(t.name());
            *i += 1;
            let sep = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
            *i += 1;
            if sep.is_punct(")") {
                break;
            }
            if !sep.is_punct(",") {
                return Err(syntax_at(toks, *i - 1, sql));
            }
        }
        listed = Some(v);
    }
    let table = if toks.get(*i).is_some_and(|t| t.is_kw("USING")) {
        *i += 1;
        let (stable, cols, tags) = using_clause(e, s, &db, sql, toks, i)?;
        match db.table(&name) {
            Ok(t) => t,
            Err(_) => db.create_table(&name, cols, Some((stable, tags)), true)?,
        }
    } else {
        if db.stable(&name).is_some() {
            return Err(unsupported(
                "INSERT into a super table without USING/tbname",
            ));
        }
        db.table(&name)?
    };
    match toks.get(*i) {
        Some(t) if t.is_kw("VALUES") || t.is_kw("VALUE") => *i += 1,
        Some(t) if t.is_kw("FILE") => return Err(unsupported("INSERT … FILE")),
        Some(t) if t.is_kw("SELECT") => return Err(unsupported("INSERT … SELECT")),
        _ => return Err(syntax_at(toks, *i, sql)),
    }
    let cols: Vec<ColumnSpec> = db.columns_of(&table)?;
    let targets: Vec<usize> = match &listed {
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
    // Estimate the row count to size builders.
    let rows_hint = toks[*i..]
        .iter()
        .take_while(|t| !t.is_kw("USING"))
        .filter(|t| t.is_punct("("))
        .count()
        .max(1);
    let mut builders: Vec<ColBuilder> =
        cols.iter().map(|c| ColBuilder::new(c, rows_hint)).collect();
    let ts_spec = ColumnSpec {
        name: String::new(),
        ..cols[0].clone()
    };
    let specs: Vec<&ColumnSpec> = cols
        .iter()
        .enumerate()
        .map(|(k, c)| if k == 0 { &ts_spec } else { c })
        .collect();
    let mut rows = 0u64;
    while toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        *i += 1;
        for (k, &col) in targets.iter().enumerate() {
            if k > 0 {
                if !toks.get(*i).is_some_and(|t| t.is_punct(",")) {
                    return Err(count_error(toks, *i, sql));
                }
                *i += 1;
            }
            let lit = parse_lit(toks, i, sql, db.precision)?;
            let target = Target {
                spec: specs[col],
                precision: db.precision,
                tz: s.tz,
            };
            builders[col].append(&lit, &target).map_err(|e| {
                if col == 0 && e.code == Code::PAR_WRONG_VALUE_TYPE {
                    ServerError::new(Code::PAR_INCORRECT_TIMESTAMP_VAL, e.message)
                } else {
                    e
                }
            })?;
        }
        if !toks.get(*i).is_some_and(|t| t.is_punct(")")) {
            return Err(count_error(toks, *i, sql));
        }
        *i += 1;
        for (k, b) in builders.iter_mut().enumerate() {
            if !seen[k] {
                b.append_null();
            }
        }
        rows += 1;
        if toks.get(*i).is_some_and(|t| t.is_punct(",")) {
            *i += 1;
        }
    }
    if rows == 0 {
        return Err(syntax_at(toks, *i, sql));
    }
    let schema = schema_of(&cols, db.precision)?;
    let arrays = builders
        .iter_mut()
        .zip(schema.fields())
        .map(|(b, f)| b.finish(f.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    let batch = RecordBatch::try_new(schema, arrays).map_err(ServerError::internal)?;
    debug_assert_eq!(cols[0].ty, TdType::Timestamp);
    let mut data = write(&table.data);
    if data.schema().fields().len() != batch.num_columns() {
        return Err(table_not_exist(&name));
    }
    data.append_batch(batch)
}

fn count_error(toks: &[Token<'_>], i: usize, sql: &str) -> ServerError {
    match toks.get(i) {
        Some(t) if t.is_punct(",") || t.is_punct(")") => {
            ServerError::new(Code::PAR_INCORRECT_NUM_OF_COL, "Illegal number of columns")
        }
        _ => syntax_at(toks, i, sql),
    }
}
