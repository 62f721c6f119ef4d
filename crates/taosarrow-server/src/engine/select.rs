//! The TDengine → DataFusion translation: table registration (with `tbname` and tags),
//! `*` expansion without pseudo-columns, INTERVAL/SLIDING windows (`_wstart`, `_wend`),
//! PARTITION BY, FIRST/LAST/LAST_ROW; expressions are translated token by token in `translate`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::{Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::catalog::MemorySchemaProvider;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use datafusion::scalar::ScalarValue;
use taosarrow_codec::{timestamp_type_text, ColumnSpec};
use taosarrow_protocol::{Code, Precision, TdType};

use super::catalog::{read, schema_of, write, Database};
use super::lexer::{Kind, Token};
use super::result::finish;
use super::time::duration_ticks;
use super::translate::{depths, quote, Translator};
use super::{syntax_at, unsupported, Engine, ResultSet, Session};
use crate::ServerError;

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
    "CONTAINS",
    "MATCH",
    "NMATCH",
];
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

/// One table referenced in FROM.
struct TableRef {
    db: Arc<Database>,
    /// Columns `*` expands to.
    star: Vec<String>,
    ts: String,
    /// Lower-cased names of its TIMESTAMP columns and tags.
    ts_cols: Vec<String>,
}

/// The offset of `tz` east of UTC now, in ticks of `p` (0 without a time zone).
fn tz_offset_ticks(tz: Option<chrono_tz::Tz>, p: Precision) -> i64 {
    use chrono::{Offset, TimeZone};
    tz.map_or(0, |tz| {
        let secs = tz
            .offset_from_utc_datetime(&chrono::Utc::now().naive_utc())
            .fix()
            .local_minus_utc();
        i64::from(secs) * p.ticks_per_second()
    })
}

/// What TDengine's parser answers for a FROM table that does not exist: 0x2662
/// (`PAR_GET_META_ERROR` wrapping "Table does not exist"), as its parser tests expect.
fn no_table_info() -> ServerError {
    ServerError::new(
        Code::PAR_GET_META_ERROR,
        "Fail to get table info, error: Table does not exist",
    )
}

/// Registers `name` of `db` into `ctx` and returns what the translation needs of it.
fn register(ctx: &SessionContext, db: &Arc<Database>, name: &str) -> Result<TableRef, ServerError> {
    let tbname = ColumnSpec::new("tbname", TdType::VarChar).with_length(192);
    let p = db.precision;
    let (cols, tags, children): (Vec<ColumnSpec>, Vec<ColumnSpec>, Vec<_>) =
        if let Some(st) = db.stable(name) {
            let d = read(&st).clone();
            (d.columns, d.tags, db.children(name))
        } else {
            let t = db.table(name)?;
            let cols = db.columns_of(&t)?;
            let tags = match &t.child_of {
                Some((s, _)) => db
                    .stable(s)
                    .map(|s| read(&s).tags.clone())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            (cols, tags, vec![t])
        };
    let is_stable = db.stable(name).is_some();
    let mut all = cols.clone();
    all.extend(tags.iter().cloned());
    all.push(tbname);
    let schema: SchemaRef = schema_of(&all, p)?;
    let mut batches = Vec::new();
    for c in &children {
        let stored = {
            let needs = read(&c.data).needs_compaction();
            if needs {
                write(&c.data).compact()?;
            }
            read(&c.data).batches()
        };
        let tag_values: Vec<ScalarValue> = match &c.child_of {
            Some((_, t)) => read(t).clone(),
            None => Vec::new(),
        };
        for b in stored {
            let n = b.num_rows();
            let mut arrays: Vec<ArrayRef> = b.columns()[..cols.len().min(b.num_columns())].to_vec();
            for v in &tag_values {
                arrays.push(v.to_array_of_size(n).map_err(ServerError::internal)?);
            }
            arrays.push(
                ScalarValue::Utf8(Some(c.name.clone()))
                    .to_array_of_size(n)
                    .map_err(ServerError::internal)?,
            );
            batches
                .push(RecordBatch::try_new(schema.clone(), arrays).map_err(ServerError::internal)?);
        }
    }
    let table = MemTable::try_new(schema, vec![batches]).map_err(ServerError::internal)?;
    let catalog = ctx
        .catalog("datafusion")
        .ok_or_else(|| ServerError::internal("no catalog"))?;
    if catalog.schema(&db.name).is_none() {
        catalog
            .register_schema(&db.name, Arc::new(MemorySchemaProvider::new()))
            .map_err(ServerError::internal)?;
    }
    let schema_provider = catalog
        .schema(&db.name)
        .ok_or_else(|| ServerError::internal("no schema"))?;
    if !schema_provider.table_exist(name) {
        schema_provider
            .register_table(name.to_owned(), Arc::new(table))
            .map_err(ServerError::internal)?;
    }
    let mut star: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
    if is_stable {
        star.extend(tags.iter().map(|t| t.name.clone()));
    }
    let ts_cols = all
        .iter()
        .filter(|c| c.ty == TdType::Timestamp)
        .map(|c| c.name.to_ascii_lowercase())
        .collect();
    Ok(TableRef {
        db: db.clone(),
        star,
        ts: cols[0].name.clone(),
        ts_cols,
    })
}

/// Runs a SELECT.
pub async fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<ResultSet, ServerError> {
    for (k, t) in toks.iter().enumerate() {
        if let Some(u) = UNSUPPORTED.iter().find(|u| t.is_kw(u)) {
            return Err(unsupported(u));
        }
        if t.is_punct(";") {
            return Err(unsupported("more than one statement"));
        }
        if t.is_punct("-")
            && toks
                .get(k + 1)
                .is_some_and(|n| n.is_punct(">") && n.pos == t.pos + 1)
        {
            return Err(unsupported("the JSON operator ->"));
        }
    }
    let depth = depths(toks);
    for (k, t) in toks.iter().enumerate() {
        if depth[k] == 0 && t.is_kw("UNION") {
            return Err(unsupported("UNION"));
        }
        if t.is_kw("FROM") && toks.get(k + 1).is_some_and(|n| n.is_punct("(")) {
            return Err(unsupported("a subquery in FROM"));
        }
    }
    let config = SessionConfig::new()
        .with_target_partitions(1)
        .with_information_schema(false);
    let ctx = SessionContext::new_with_config(config);
    // FROM / JOIN table references.
    let mut refs: HashMap<usize, (usize, String)> = HashMap::new();
    let mut main: Option<TableRef> = None;
    let mut ts_cols: Vec<String> = ["_wstart", "_wend", "_rowts", "_c0"]
        .map(str::to_owned)
        .to_vec();
    let mut k = 0;
    while k < toks.len() {
        if (toks[k].is_kw("FROM") || toks[k].is_kw("JOIN"))
            && toks
                .get(k + 1)
                .is_some_and(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        {
            let mut i = k + 1;
            let (dbn, name) = super::qualified_name(toks, &mut i, sql)?;
            let db = e.resolve_db(s, dbn.as_deref())?;
            if db.stable(&name).is_none() && db.table(&name).is_err() {
                return Err(no_table_info());
            }
            if toks[k].is_kw("FROM") {
                let mut j = i;
                if toks.get(j).is_some_and(|t| t.is_kw("AS")) {
                    j += 1;
                }
                if toks.get(j).is_some_and(|t| {
                    t.kind == Kind::Quoted || t.kind == Kind::Word && !t.is_kw("WHERE")
                }) {
                    j += 1;
                }
                if toks.get(j).is_some_and(|t| t.is_punct(",")) {
                    return Err(unsupported("several tables in FROM (use JOIN … ON)"));
                }
            }
            let r = register(&ctx, &db, &name)?;
            ts_cols.extend(r.ts_cols.iter().cloned());
            let text = format!("{}.{}", quote(&db.name), quote(&name));
            refs.insert(k + 1, (i, text));
            if main.is_none() && depth[k] == 0 {
                main = Some(r);
            }
            k = i;
        } else {
            k += 1;
        }
    }
    let precision = main
        .as_ref()
        .map(|m| m.db.precision)
        .or_else(|| {
            s.current_db()
                .and_then(|d| e.catalog().db(d).ok())
                .map(|d| d.precision)
        })
        .unwrap_or_default();
    let tr = Translator {
        sql,
        toks,
        db_name: s.current_db().unwrap_or("").to_owned(),
        precision,
        ts: main
            .as_ref()
            .map_or_else(|| "ts".to_owned(), |m| m.ts.clone()),
        ts_cols,
        tz: s.timezone(),
    };
    // Top-level clause positions.
    let top = |kw: &str| (0..toks.len()).find(|&i| depth[i] == 0 && toks[i].is_kw(kw));
    let select_at = top("SELECT").ok_or_else(|| syntax_at(toks, 0, sql))?;
    if select_at != 0 {
        return Err(unsupported(
            "WITH or a parenthesised query at the top level",
        ));
    }
    let from_at = top("FROM");
    let clause_kws = [
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
    let next_clause = |after: usize| {
        (after..toks.len())
            .find(|&i| depth[i] == 0 && clause_kws.iter().any(|k| toks[i].is_kw(k)))
            .unwrap_or(toks.len())
    };
    let list_end = from_at.unwrap_or_else(|| next_clause(1));
    let mut distinct = String::new();
    let mut list_start = 1;
    if toks.get(1).is_some_and(|t| t.is_kw("DISTINCT")) {
        distinct = "DISTINCT ".to_owned();
        list_start = 2;
    }
    // Select list.
    let mut items = Vec::new();
    let mut start = list_start;
    for i in list_start..=list_end {
        if i == list_end || (depth[i] == 0 && toks[i].is_punct(",")) {
            if start >= i {
                return Err(syntax_at(toks, i, sql));
            }
            items.push((start, i));
            start = i + 1;
        }
    }
    let has_agg = toks[list_start..list_end]
        .windows(2)
        .any(|w| w[1].is_punct("(") && AGGREGATES.iter().any(|a| w[0].is_kw(a)));
    let mut select_parts = Vec::new();
    for &(a, b) in &items {
        let n = b - a;
        if n == 1 && toks[a].is_punct("*")
            || n == 3 && toks[a + 2].is_punct("*") && toks[a + 1].is_punct(".")
        {
            let m = main.as_ref().ok_or_else(|| syntax_at(toks, a, sql))?;
            select_parts.extend(m.star.iter().map(|c| quote(c)));
            continue;
        }
        let last = toks[b - 1];
        let has_alias = n >= 2
            && matches!(last.kind, Kind::Word | Kind::Quoted)
            && (toks[b - 2].is_kw("AS")
                || toks[b - 2].is_punct(")")
                || matches!(
                    toks[b - 2].kind,
                    Kind::Word | Kind::Quoted | Kind::Number | Kind::Str
                ) && !toks[b - 2].is_kw("AS"))
            && !(toks[b - 2].is_punct("."));
        let simple = n == 1
            && matches!(toks[a].kind, Kind::Word | Kind::Quoted)
            && !toks[a].is_kw("now")
            && !toks[a].is_kw("today")
            || n == 3 && toks[a + 1].is_punct(".");
        if has_alias {
            let body_end = if toks[b - 2].is_kw("AS") {
                b - 2
            } else {
                b - 1
            };
            select_parts.push(format!(
                "{} AS {}",
                tr.expr(a, body_end)?,
                quote(&last.name())
            ));
        } else if simple && !matches!(toks[a].text.to_ascii_lowercase().as_str(), "_rowts" | "_c0")
        {
            select_parts.push(tr.expr(a, b)?);
        } else {
            let label = &sql[toks[a].pos
                ..toks[b - 1].pos
                    + toks[b - 1].text.len()
                    + usize::from(toks[b - 1].kind == Kind::Quoted) * 2];
            select_parts.push(format!("{} AS {}", tr.expr(a, b)?, quote(label)));
        }
    }
    let mut out = format!("SELECT {distinct}{}", select_parts.join(", "));
    // FROM … up to WHERE/… (with table references replaced), then the remaining clauses.
    let Some(from_at) = from_at else {
        let rest = tr.expr(list_end, toks.len())?;
        out.push(' ');
        out.push_str(&rest);
        return execute(&ctx, &out, precision).await;
    };
    let from_end = next_clause(from_at + 1);
    let mut partition: Option<(usize, usize)> = None;
    let mut interval: Option<(i64, i64)> = None;
    // Day and week windows start at midnight of the connection time zone (TDengine
    // `taosTimeTruncate`): the offset east of UTC in ticks.
    let mut align = 0i64;
    let mut group: Option<(usize, usize)> = None;
    let mut other = Vec::new();
    let mut i = from_end;
    while i < toks.len() {
        let end = next_clause(i + 1);
        let t = toks[i];
        if t.is_kw("PARTITION") {
            if !toks.get(i + 1).is_some_and(|t| t.is_kw("BY")) {
                return Err(syntax_at(toks, i, sql));
            }
            partition = Some((i + 2, end));
        } else if t.is_kw("INTERVAL") || t.is_kw("SLIDING") {
            let args: Vec<&Token<'_>> = toks[i + 1..end]
                .iter()
                .filter(|t| !t.is_punct("(") && !t.is_punct(")"))
                .collect();
            if args.is_empty()
                || args
                    .iter()
                    .any(|a| a.kind != Kind::Duration && !a.is_punct(","))
            {
                return Err(syntax_at(toks, i, sql));
            }
            if args.len() > 1 {
                return Err(unsupported("INTERVAL with an offset"));
            }
            let d = duration_ticks(args[0].text, precision)?;
            if d <= 0 {
                return Err(syntax_at(toks, i, sql));
            }
            if t.is_kw("INTERVAL") {
                interval = Some((d, d));
                if args[0].text.ends_with(['d', 'w']) {
                    align = tz_offset_ticks(s.timezone(), precision);
                }
            } else {
                let iv = interval.as_mut().ok_or_else(|| syntax_at(toks, i, sql))?;
                if d > iv.0 {
                    return Err(ServerError::new(
                        Code::PAR_SYNTAX_ERROR,
                        "sliding value no larger than the interval value",
                    ));
                }
                iv.1 = d;
            }
        } else if t.is_kw("GROUP") {
            group = Some((i + 2, end));
        } else {
            other.push((i, end));
        }
        i = end;
    }
    // TDengine applies LIMIT/OFFSET to each partition (SLIMIT limits partitions); a global
    // limit would be a silently different answer.
    if partition.is_some()
        && other
            .iter()
            .any(|&(a, _)| toks[a].is_kw("LIMIT") || toks[a].is_kw("OFFSET"))
    {
        return Err(unsupported(
            "LIMIT/OFFSET with PARTITION BY (TDengine limits each partition)",
        ));
    }
    // FROM clause with references replaced; the main table wrapped for windows.
    let mut from_sql = String::from(" FROM ");
    let mut k = from_at + 1;
    let mut first_ref = true;
    while k < from_end {
        if let Some((end, text)) = refs.get(&k) {
            let alias_follows = toks.get(*end).is_some_and(|t| {
                (t.kind == Kind::Word
                    && !t.is_kw("WHERE")
                    && !t.is_kw("JOIN")
                    && !t.is_kw("ON")
                    && !clause_kws.iter().any(|c| t.is_kw(c))
                    && !t.is_kw("INNER")
                    && !t.is_kw("LEFT")
                    && !t.is_kw("RIGHT"))
                    || t.kind == Kind::Quoted
            });
            let name = &toks[*end - 1];
            if first_ref && interval.is_some() {
                let (iv, sl) = interval.unwrap_or((1, 1));
                let m = main
                    .as_ref()
                    .ok_or_else(|| ServerError::internal("no main table"))?;
                let ts = quote(&m.ts);
                let ty = timestamp_type_text(precision);
                let n = (iv + sl - 1) / sl;
                let tsi = format!("arrow_cast(_s.{ts}, 'Int64')");
                let base = format!("({tsi} - (((({tsi} + {align}) % {sl}) + {sl}) % {sl}))");
                let (join, kexpr) = if n > 1 {
                    let vals: Vec<String> = (0..n).map(|v| format!("({v})")).collect();
                    (
                        format!(" CROSS JOIN (VALUES {}) AS _k(k)", vals.join(",")),
                        format!(" - _k.k * {sl}"),
                    )
                } else {
                    (String::new(), String::new())
                };
                let alias = if alias_follows {
                    toks[*end].name()
                } else {
                    name.name()
                };
                from_sql.push_str(&format!(
                    "(SELECT _x.*, arrow_cast(_x._ws, '{ty}') AS _wstart, arrow_cast(_x._ws + {iv}, '{ty}') AS _wend FROM (SELECT _s.*, {base}{kexpr} AS _ws FROM {text} AS _s{join}) AS _x WHERE _x._ws + {iv} > arrow_cast(_x.{ts}, 'Int64')) AS {}",
                    quote(&alias)
                ));
                k = if alias_follows { end + 1 } else { *end };
            } else {
                from_sql.push_str(text);
                if !alias_follows {
                    from_sql.push_str(" AS ");
                    from_sql.push_str(&quote(&name.name()));
                }
                from_sql.push(' ');
                k = *end;
            }
            first_ref = false;
        } else {
            from_sql.push_str(&tr.expr(k, k + 1)?);
            from_sql.push(' ');
            k += 1;
        }
    }
    out.push_str(&from_sql);
    let mut order_seen = false;
    let mut group_keys: Vec<String> = Vec::new();
    if let Some((a, b)) = group {
        group_keys.push(tr.expr(a, b)?);
    }
    if let Some((a, b)) = partition {
        if has_agg || interval.is_some() {
            group_keys.push(tr.expr(a, b)?);
        }
    }
    if interval.is_some() {
        group_keys.push("_wstart, _wend".to_owned());
    }
    let mut pending_group = !group_keys.is_empty();
    for (a, b) in other {
        let t = toks[a];
        if pending_group && !t.is_kw("WHERE") {
            out.push_str(&format!(" GROUP BY {}", group_keys.join(", ")));
            pending_group = false;
        }
        if t.is_kw("ORDER") {
            order_seen = true;
        }
        if !order_seen && interval.is_some() && (t.is_kw("LIMIT") || t.is_kw("OFFSET")) {
            out.push_str(" ORDER BY _wstart");
            order_seen = true;
        }
        out.push(' ');
        out.push_str(&tr.expr(a, b)?);
    }
    if pending_group {
        out.push_str(&format!(" GROUP BY {}", group_keys.join(", ")));
    }
    if !order_seen && interval.is_some() {
        let mut keys = Vec::new();
        if let Some((a, b)) = partition {
            keys.push(tr.expr(a, b)?);
        }
        keys.push("_wstart".to_owned());
        out.push_str(&format!(" ORDER BY {}", keys.join(", ")));
    }
    execute(&ctx, &out, precision).await
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
        DataFusionError::SQL(_, _)
        | DataFusionError::Plan(_)
        | DataFusionError::NotImplemented(_) => {
            ServerError::new(Code::PAR_SYNTAX_ERROR, format!("syntax error: {msg}"))
        }
        _ => ServerError::internal(msg),
    }
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
