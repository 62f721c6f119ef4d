//! `INSERT INTO [db.]table [(col, …)] SELECT …`: the query's rows written into a normal or
//! child table, its columns matched by position to the listed columns (all the table's when
//! none are listed) and cast to their types; the columns not listed are NULL. The query runs
//! to its end before anything is written, and the write is one commit.

use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef};
use arrow::record_batch::RecordBatch;
use taosarrow_protocol::Code;

use super::super::commit::{commit, TableWrite};
use super::super::lexer::{tokenize, Token};
use super::super::users::Access;
use super::super::{qualified_name, select, Engine, Outcome, Session};
use super::column_list;
use crate::ServerError;

/// Where the SELECT of an `INSERT … SELECT` starts, if the statement is one.
pub(crate) fn select_at(toks: &[Token<'_>], sql: &str) -> Option<usize> {
    if !toks.get(1).is_some_and(|t| t.is_kw("INTO")) {
        return None;
    }
    let mut i = 2;
    qualified_name(toks, &mut i, sql).ok()?;
    column_list(toks, &mut i, sql).ok()?;
    toks.get(i)
        .filter(|t| t.is_kw("SELECT") || t.is_punct("("))
        .map(|_| i)
}

/// Runs `INSERT … SELECT`, the SELECT starting at token `at`.
pub(crate) async fn run(
    e: &Engine,
    s: &mut Session,
    sql: &str,
    toks: &[Token<'_>],
    at: usize,
) -> Result<Outcome, ServerError> {
    let mut i = 2;
    let (dbn, name) = qualified_name(toks, &mut i, sql)?;
    let listed = column_list(toks, &mut i, sql)?;
    let db = e.resolve_db_for(s, dbn.as_deref(), Access::Write)?;
    if db.stable(&name).is_some() {
        return Err(super::super::unsupported(
            "INSERT … SELECT into a super table (name the child table)",
        ));
    }
    let table = db.table(&name)?;
    e.check_table(s, &db, &name, Access::Write)?;
    let cols = db.columns_of(&table)?;
    let targets: Vec<usize> = match &listed {
        None => (0..cols.len()).collect(),
        Some(names) => names
            .iter()
            .map(|n| {
                cols.iter().position(|c| c.name == *n).ok_or_else(|| {
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
    let query = &sql[toks[at].pos..];
    let query_toks = tokenize(query)?;
    e.limits().check_query(query, &query_toks)?;
    let access = s.access;
    s.access = Access::Read;
    let result = select::run(e, s, query, &query_toks).await;
    s.access = access;
    let result = result?;
    if result.schema.fields().len() != targets.len() {
        return Err(ServerError::new(
            Code::PAR_INCORRECT_NUM_OF_COL,
            format!(
                "Illegal number of columns: the query gives {}, the insert names {}",
                result.schema.fields().len(),
                targets.len()
            ),
        ));
    }
    let schema = table
        .data
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .schema()
        .clone();
    let mut writes = Vec::with_capacity(result.batches.len());
    for b in &result.batches {
        if b.num_rows() == 0 {
            continue;
        }
        let mut arrays: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| new_null_array(f.data_type(), b.num_rows()))
            .collect();
        for (k, &col) in targets.iter().enumerate() {
            let want = schema.field(col).data_type();
            arrays[col] = arrow::compute::cast(b.column(k), want).map_err(|err| {
                ServerError::new(
                    Code::PAR_WRONG_VALUE_TYPE,
                    format!("Invalid value type for column {}: {err}", cols[col].name),
                )
            })?;
        }
        let batch =
            RecordBatch::try_new(Arc::clone(&schema), arrays).map_err(ServerError::internal)?;
        writes.push(TableWrite {
            db: Arc::clone(&db),
            name: name.clone(),
            create: None,
            batch,
        });
    }
    if writes.is_empty() {
        return Ok(Outcome::Affected { rows: 0 });
    }
    let rows = commit(e.commit_lock(), writes)?;
    Ok(Outcome::Affected { rows })
}
