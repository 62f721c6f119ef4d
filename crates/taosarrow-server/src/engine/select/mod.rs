//! The TDengine → DataFusion translation: table registration (with `tbname` and tags),
//! `*` expansion without pseudo-columns, INTERVAL/SLIDING windows (`_wstart`, `_wend`),
//! PARTITION BY, FIRST/LAST/LAST_ROW; expressions are translated token by token in `translate`.
//!
//! A statement is run in steps: rejecting what is not supported and reading its shape
//! ([`clauses`]), registering its tables ([`tables`]), writing the DataFusion statement
//! ([`build`]), then executing it.

mod build;
mod clauses;
mod tables;

use arrow::datatypes::Schema;
use datafusion::error::DataFusionError;
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use taosarrow_protocol::{Code, Precision};

use super::json_tag;
use super::lexer::Token;
use super::result::finish;
use super::translate::{depths, literal_run_starts, Translator};
use super::{Engine, ResultSet, Session};
use crate::ServerError;
use clauses::{Clauses, SelectList};
use tables::Tables;

/// Keywords whose clauses the translation does not support.
const UNSUPPORTED: &[&str] = &[
    "FILL",
    "SESSION",
    "STATE_WINDOW",
    "EVENT_WINDOW",
    "COUNT_WINDOW",
    "SLIMIT",
    "SOFFSET",
    "JLIMIT",
    "WINDOW_OFFSET",
    "EVERY",
    "RANGE",
];
/// The aggregate functions (a call in the select list groups PARTITION BY keys).
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "first",
    "last",
    "last_row",
    "spread",
    "stddev",
    "twa",
    "apercentile",
    "percentile",
    "leastsquares",
    "elapsed",
    "hyperloglog",
    "mode",
    "median",
];

/// The keywords that start a top-level clause after the select list.
const CLAUSE_KWS: &[&str] = &[
    "WHERE",
    "PARTITION",
    "INTERVAL",
    "SLIDING",
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "UNION",
];

/// Runs a SELECT.
pub async fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<ResultSet, ServerError> {
    let depth = depths(toks);
    if let Some(expanded) = expand_views(e, s, sql, toks, &depth)? {
        let toks = super::lexer::tokenize(&expanded)?;
        return Box::pin(run(e, s, &expanded, &toks)).await;
    }
    let ctx = context(e);
    // `a UNION [ALL] b …`: each SELECT translated on its own into one context; the result
    // has the first one's column names and precision.
    let unions: Vec<usize> = (0..toks.len())
        .filter(|&k| depth[k] == 0 && toks[k].is_kw("UNION"))
        .collect();
    if unions.is_empty() {
        // `FROM (SELECT …)`: the inner SELECT becomes a view the outer one reads.
        if let Some(open) = (0..toks.len()).find(|&k| {
            depth[k] == 0
                && toks[k].is_kw("FROM")
                && toks.get(k + 1).is_some_and(|t| t.is_punct("("))
                && toks.get(k + 2).is_some_and(|t| t.is_kw("SELECT"))
        }) {
            let close = super::translate::close_of(toks, open + 1)
                .ok_or_else(|| super::syntax_at(toks, open + 1, sql))?;
            let inner = &sql[toks[open + 2].pos..toks[close].pos];
            let inner_toks = super::lexer::tokenize(inner)?;
            let inner_depth = depths(&inner_toks);
            clauses::reject_unsupported(&inner_toks, &inner_depth)?;
            if inner_toks
                .windows(2)
                .any(|w| w[0].is_kw("FROM") && w[1].is_punct("("))
            {
                return Err(super::unsupported(
                    "more than one level of subquery in FROM",
                ));
            }
            let (inner_sql, _) = translate_one(e, s, inner, &inner_toks, &inner_depth, &ctx)?;
            let view = ctx.sql(&inner_sql).await.map_err(map_df_error)?.into_view();
            let name = format!("{}1", tables::SUBQUERY_PREFIX);
            ctx.register_table(name.as_str(), view)
                .map_err(ServerError::internal)?;
            let outer = format!(
                "{} {} {}",
                &sql[..toks[open + 1].pos],
                name,
                &sql[toks[close].pos + 1..]
            );
            let outer_toks = super::lexer::tokenize(&outer)?;
            let outer_depth = depths(&outer_toks);
            clauses::reject_unsupported(&outer_toks, &outer_depth)?;
            if outer_toks
                .windows(2)
                .any(|w| w[0].is_kw("FROM") && w[1].is_punct("("))
            {
                return Err(super::unsupported(
                    "more than one level of subquery in FROM",
                ));
            }
            let (out, precision) = translate_one(e, s, &outer, &outer_toks, &outer_depth, &ctx)?;
            return execute_on_query_stack(ctx, out, precision, e.limits().query_stack_bytes).await;
        }
        clauses::reject_unsupported(toks, &depth)?;
        let (out, precision) = translate_one(e, s, sql, toks, &depth, &ctx)?;
        return execute_on_query_stack(ctx, out, precision, e.limits().query_stack_bytes).await;
    }
    let mut out = String::new();
    let mut precision = None;
    let mut start = 0usize;
    for (n, &u) in unions
        .iter()
        .chain(std::iter::once(&toks.len()))
        .enumerate()
    {
        let part_end = if u < toks.len() {
            toks[u].pos
        } else {
            sql.len()
        };
        let from = if start == 0 { 0 } else { toks[start].pos };
        let part = &sql[from..part_end];
        let part_toks = super::lexer::tokenize(part)?;
        if !part_toks.first().is_some_and(|t| t.is_kw("SELECT")) {
            return Err(super::syntax_at(toks, start, sql));
        }
        let part_depth = depths(&part_toks);
        clauses::reject_unsupported(&part_toks, &part_depth)?;
        let (text, p) = translate_one(e, s, part, &part_toks, &part_depth, &ctx)?;
        precision.get_or_insert(p);
        if n > 0 {
            out.push_str(if toks[unions[n - 1] + 1].is_kw("ALL") {
                " UNION ALL "
            } else {
                " UNION "
            });
        }
        out.push_str(&text);
        if u < toks.len() {
            start = u + 1 + usize::from(toks.get(u + 1).is_some_and(|t| t.is_kw("ALL")));
            if start >= toks.len() {
                return Err(super::syntax_at(toks, start, sql));
            }
        }
    }
    let precision = precision.unwrap_or_default();
    execute_on_query_stack(ctx, out, precision, e.limits().query_stack_bytes).await
}

/// `sql` with each view named in a top-level FROM / JOIN replaced by its query in
/// parentheses; `None` when it names no view.
fn expand_views(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
    depth: &[i32],
) -> Result<Option<String>, ServerError> {
    let mut out = String::new();
    let mut at = 0usize;
    let mut k = 0usize;
    while k < toks.len() {
        let t = toks[k];
        let named = depth[k] == 0
            && (t.is_kw("FROM") || t.is_kw("JOIN"))
            && toks.get(k + 1).is_some_and(|n| {
                matches!(
                    n.kind,
                    super::lexer::Kind::Word | super::lexer::Kind::Quoted
                )
            });
        if !named {
            k += 1;
            continue;
        }
        let mut i = k + 1;
        let (dbn, name) = super::qualified_name(toks, &mut i, sql)?;
        let db = dbn
            .as_deref()
            .or(s.current_db())
            .and_then(|d| e.catalog().db(&d.to_ascii_lowercase()).ok());
        let view = db.and_then(|d| super::catalog::read(&d.views).get(&name).cloned());
        if let Some(v) = view {
            out.push_str(&sql[at..toks[k + 1].pos]);
            out.push('(');
            out.push_str(&v.query);
            out.push(')');
            at = toks[i - 1].pos
                + toks[i - 1].text.len()
                + usize::from(toks[i - 1].kind == super::lexer::Kind::Quoted) * 2;
        }
        k = i;
    }
    if at == 0 {
        return Ok(None);
    }
    out.push_str(&sql[at..]);
    Ok(Some(out))
}

/// One SELECT as DataFusion SQL, its tables registered into `ctx`, and its precision.
fn translate_one(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
    depth: &[i32],
    ctx: &SessionContext,
) -> Result<(String, Precision), ServerError> {
    let tables = tables::register_tables(e, s, sql, toks, depth, ctx)?;
    let precision = tables.precision(e, s);
    let tr = translator(s, sql, toks, &tables, precision);
    let list = SelectList::parse(toks, depth, sql)?;
    let mut out = build::select_list(&tr, &list, tables.main.as_ref())?;
    let Some(from_at) = list.from_at else {
        let rest = tr.expr(list.end, toks.len())?;
        out.push(' ');
        out.push_str(&rest);
        return Ok((out, precision));
    };
    let c = Clauses::parse(toks, depth, sql, from_at, precision, s.timezone())?;
    out.push_str(&build::from_clause(
        &tr,
        &tables.refs,
        tables.main.as_ref(),
        from_at,
        &c,
    )?);
    out.push_str(&build::clauses_sql(&tr, &c, list.has_agg)?);
    Ok((out, precision))
}

/// A DataFusion context for one statement, on the engine's runtime (its memory pool).
fn context(e: &Engine) -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(1)
        .with_information_schema(false);
    let ctx = SessionContext::new_with_config_rt(config, std::sync::Arc::clone(e.runtime()));
    for f in json_tag::functions()
        .iter()
        .chain(super::time_functions::functions())
    {
        ctx.register_udf(f.clone());
    }
    ctx
}

/// The expression translator of a statement over `tables`.
fn translator<'a, 't>(
    s: &Session,
    sql: &'a str,
    toks: &'t [Token<'a>],
    tables: &Tables,
    precision: Precision,
) -> Translator<'a, 't> {
    Translator {
        sql,
        toks,
        db_name: s.current_db().unwrap_or("").to_owned(),
        precision,
        ts: tables
            .main
            .as_ref()
            .map_or_else(|| "ts".to_owned(), |m| m.ts.clone()),
        ts_cols: tables.ts_cols.clone(),
        json_cols: tables.json_cols.clone(),
        names: tables.names.clone(),
        tz: s.timezone(),
        run_starts: literal_run_starts(toks),
        now: s.statement_time(),
    }
}

fn map_df_error(e: DataFusionError) -> ServerError {
    let msg = e.to_string();
    match e.find_root() {
        DataFusionError::SchemaError(se, _) => {
            if let datafusion::common::SchemaError::FieldNotFound { field, .. } = se.as_ref() {
                return ServerError::new(
                    Code::PAR_INVALID_COLUMN,
                    format!("Invalid column name: {}", field.name()),
                );
            }
            ServerError::new(Code::PAR_SYNTAX_ERROR, msg)
        }
        DataFusionError::ResourcesExhausted(_) => ServerError::new(
            Code::OUT_OF_MEMORY,
            format!("Out of Memory: the query needs more than the server's memory limit: {msg}"),
        ),
        DataFusionError::SQL(_, _)
        | DataFusionError::Plan(_)
        | DataFusionError::NotImplemented(_) => {
            ServerError::new(Code::PAR_SYNTAX_ERROR, format!("syntax error: {msg}"))
        }
        // A MATCH / NMATCH pattern that is not a regular expression: the statement's fault.
        _ if msg.contains("regex parse error") => ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            format!("Syntax error in regular expression: {msg}"),
        ),
        // A literal that does not convert to the column's type.
        DataFusionError::ArrowError(err, _)
            if matches!(err.as_ref(), arrow::error::ArrowError::CastError(_)) =>
        {
            ServerError::new(
                Code::PAR_WRONG_VALUE_TYPE,
                format!("Invalid value type: {msg}"),
            )
        }
        _ => ServerError::internal(msg),
    }
}

/// Plans and runs `sql` on a thread of its own with a `stack_bytes` stack: DataFusion walks
/// expression trees recursively, and a long operator chain would overflow a runtime
/// worker's stack and abort the server. A panic there ends in an internal error.
async fn execute_on_query_stack(
    ctx: SessionContext,
    sql: String,
    p: Precision,
    stack_bytes: usize,
) -> Result<ResultSet, ServerError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("taosarrow-query".to_owned())
        .stack_size(stack_bytes)
        .spawn(move || {
            let result = match tokio::runtime::Builder::new_current_thread().build() {
                Ok(rt) => rt.block_on(execute(&ctx, &sql, p)),
                Err(e) => Err(ServerError::internal(e)),
            };
            let _ = tx.send(result);
        })
        .map_err(ServerError::internal)?;
    rx.await
        .map_err(|_| ServerError::internal("the query ended without a result"))?
}

async fn execute(ctx: &SessionContext, sql: &str, p: Precision) -> Result<ResultSet, ServerError> {
    let (state, plan) = ctx.sql(sql).await.map_err(map_df_error)?.into_parts();
    let plan = super::arith::tdengine_arithmetic(plan).map_err(map_df_error)?;
    let df = DataFrame::new(state, plan);
    let schema: Schema = df.schema().as_arrow().clone();
    let batches = df.collect().await.map_err(map_df_error)?;
    let schema = batches
        .first()
        .map_or(schema, |b| b.schema().as_ref().clone());
    finish(&schema, batches, p)
}
