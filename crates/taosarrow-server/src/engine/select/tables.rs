//! The tables a SELECT reads: every FROM / JOIN reference is resolved and registered into the
//! DataFusion context as a memory table (with its tags and `tbname`).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::{DataType, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::catalog::MemorySchemaProvider;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, Precision, TdType};

use super::super::catalog::{read, schema_of, Database};
use super::super::lexer::{Kind, Token};
use super::super::show::{is_system_db, system_table};
use super::super::storage::snapshot;
use super::super::translate::quote;
use super::super::users::Access;
use super::super::{qualified_name, unsupported, Engine, ResultSet, Session};
use crate::ServerError;

/// One table referenced in FROM.
pub(super) struct TableRef {
    /// The precision of its database.
    pub(super) precision: Precision,
    /// Columns `*` expands to.
    pub(super) star: Vec<String>,
    /// Its data columns (no tags): what `LAST(*)` and the like cover.
    pub(super) columns: Vec<String>,
    pub(super) ts: String,
    /// Lower-cased names of its TIMESTAMP columns and tags.
    pub(super) ts_cols: Vec<String>,
    /// Lower-cased names of its JSON tags.
    pub(super) json_cols: Vec<String>,
    /// Lower-cased names of all its columns and tags.
    pub(super) names: Vec<String>,
}

/// The FROM / JOIN table references of a statement, registered into its context.
pub(super) struct Tables {
    /// By the token index of a reference's name: the index after the name and the
    /// qualified name it is replaced with.
    pub(super) refs: HashMap<usize, (usize, String)>,
    /// The first table referenced at the top level.
    pub(super) main: Option<TableRef>,
    /// Lower-cased names of the TIMESTAMP columns (pseudo-columns and every table's).
    pub(super) ts_cols: Vec<String>,
    /// Lower-cased names of every table's JSON tags.
    pub(super) json_cols: Vec<String>,
    /// Lower-cased names of every table's columns and tags.
    pub(super) names: Vec<String>,
}

impl Tables {
    /// The precision of the main table, else of the current database, else the default.
    pub(super) fn precision(&self, e: &Engine, s: &Session) -> Precision {
        self.main
            .as_ref()
            .map(|m| m.precision)
            .or_else(|| {
                s.current_db()
                    .and_then(|d| e.catalog().db(d).ok())
                    .map(|d| d.precision)
            })
            .unwrap_or_default()
    }
}

/// What TDengine's parser answers for a FROM table that does not exist: 0x2662
/// (`PAR_GET_META_ERROR` wrapping "Table does not exist"), as its parser tests expect.
fn no_table_info() -> ServerError {
    ServerError::new(
        Code::PAR_GET_META_ERROR,
        "Fail to get table info, error: Table does not exist",
    )
}

/// Resolves every FROM / JOIN table reference of `toks` and registers it into `ctx`.
pub(super) fn register_tables(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
    depth: &[i32],
    ctx: &SessionContext,
) -> Result<Tables, ServerError> {
    let mut refs: HashMap<usize, (usize, String)> = HashMap::new();
    let mut main: Option<TableRef> = None;
    let mut ts_cols: Vec<String> = ["_wstart", "_wend", "_rowts", "_c0"]
        .map(str::to_owned)
        .to_vec();
    let mut json_cols: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    // Every table of the statement is copied under one shared commit lock: the statement
    // sees each write whole or not at all, across all its tables.
    let _commit = e.commit_lock().reading();
    let mut k = 0;
    while k < toks.len() {
        if (toks[k].is_kw("FROM") || toks[k].is_kw("JOIN"))
            && toks
                .get(k + 1)
                .is_some_and(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        {
            let mut i = k + 1;
            let (dbn, name) = qualified_name(toks, &mut i, sql)?;
            // A subquery of FROM, registered into `ctx` as a view (see `select::run`).
            if dbn.is_none() && name.starts_with(SUBQUERY_PREFIX) {
                let r = derived(ctx, &name)?;
                ts_cols.extend(r.ts_cols.iter().cloned());
                names.extend(r.names.iter().cloned());
                refs.insert(k + 1, (i, quote(&name)));
                if main.is_none() && depth[k] == 0 {
                    main = Some(r);
                }
                k = i;
                continue;
            }
            let system = dbn
                .as_deref()
                .or(s.current_db())
                .filter(|d| is_system_db(d))
                .map(str::to_ascii_lowercase);
            let (r, db_name) = if let Some(sys) = system {
                let rows = system_table(e, s, &sys, &name.to_ascii_lowercase())
                    .ok_or_else(no_table_info)??;
                if toks[k].is_kw("FROM") {
                    reject_comma_join(toks, i)?;
                }
                let r = register_rows(ctx, &sys, &name, rows)?;
                (r, sys)
            } else {
                let db = e.resolve_db_for(s, dbn.as_deref(), Access::Read)?;
                if db.stable(&name).is_none() && db.table(&name).is_err() {
                    return Err(no_table_info());
                }
                e.check_table(s, &db, &name, Access::Read)?;
                if toks[k].is_kw("FROM") {
                    reject_comma_join(toks, i)?;
                }
                (register(ctx, s, &db, &name)?, db.name.clone())
            };
            ts_cols.extend(r.ts_cols.iter().cloned());
            json_cols.extend(r.json_cols.iter().cloned());
            names.extend(r.names.iter().cloned());
            let text = format!("{}.{}", quote(&db_name), quote(&name));
            refs.insert(k + 1, (i, text));
            if main.is_none() && depth[k] == 0 {
                main = Some(r);
            }
            k = i;
        } else {
            k += 1;
        }
    }
    Ok(Tables {
        refs,
        main,
        ts_cols,
        json_cols,
        names,
    })
}

/// The name prefix of a FROM subquery registered as a view; no TDengine name starts so.
pub(super) const SUBQUERY_PREFIX: &str = "__taosarrow_subquery_";

/// The table reference of the subquery view `name` registered into `ctx`: its columns, its
/// first TIMESTAMP column as the timeline.
fn derived(ctx: &SessionContext, name: &str) -> Result<TableRef, ServerError> {
    let schema = ctx
        .catalog("datafusion")
        .and_then(|c| c.schema("public"))
        .ok_or_else(|| ServerError::internal("no default schema"))?;
    let provider = futures_util::FutureExt::now_or_never(schema.table(name))
        .ok_or_else(|| ServerError::internal("a subquery view was not ready"))?
        .map_err(ServerError::internal)?
        .ok_or_else(no_table_info)?;
    let schema = provider.schema();
    let precision = schema
        .fields()
        .iter()
        .find_map(|f| match f.data_type() {
            DataType::Timestamp(unit, _) => taosarrow_codec::precision_of(*unit),
            _ => None,
        })
        .unwrap_or_default();
    table_ref_of(&schema, precision)
}

/// Rejects `FROM a [AS x], b`: a comma after the first table (and its alias) at `i`.
fn reject_comma_join(toks: &[Token<'_>], i: usize) -> Result<(), ServerError> {
    let mut j = i;
    if toks.get(j).is_some_and(|t| t.is_kw("AS")) {
        j += 1;
    }
    if toks
        .get(j)
        .is_some_and(|t| t.kind == Kind::Quoted || t.kind == Kind::Word && !t.is_kw("WHERE"))
    {
        j += 1;
    }
    if toks.get(j).is_some_and(|t| t.is_punct(",")) {
        return Err(unsupported("several tables in FROM (use JOIN … ON)"));
    }
    Ok(())
}

/// Registers `name` of `db` into `ctx` and returns what the translation needs of it.
fn register(
    ctx: &SessionContext,
    s: &Session,
    db: &Arc<Database>,
    name: &str,
) -> Result<TableRef, ServerError> {
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
        let stored = match s.overlay() {
            Some(rows) => rows.get(&c.name).cloned().unwrap_or_default(),
            None => snapshot(&c.data)?,
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
    register_table(ctx, &db.name, name, table)?;
    let mut star: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
    if is_stable {
        star.extend(tags.iter().map(|t| t.name.clone()));
    }
    let names_of = |ty: TdType| -> Vec<String> {
        all.iter()
            .filter(|c| c.ty == ty)
            .map(|c| c.name.to_ascii_lowercase())
            .collect()
    };
    Ok(TableRef {
        precision: db.precision,
        columns: cols.iter().map(|c| c.name.clone()).collect(),
        star,
        ts: cols[0].name.clone(),
        ts_cols: names_of(TdType::Timestamp),
        json_cols: names_of(TdType::Json),
        names: all.iter().map(|c| c.name.to_ascii_lowercase()).collect(),
    })
}

/// Registers the rows of a system table (`information_schema.name`) into `ctx`.
fn register_rows(
    ctx: &SessionContext,
    schema_name: &str,
    name: &str,
    rows: ResultSet,
) -> Result<TableRef, ServerError> {
    let r = table_ref_of(&rows.schema, rows.precision)?;
    let table = MemTable::try_new(Arc::clone(&rows.schema), vec![rows.batches])
        .map_err(ServerError::internal)?;
    register_table(ctx, schema_name, name, table)?;
    Ok(r)
}

/// The reference to a table known only by its Arrow schema (a system table, a subquery
/// view): every column, the first TIMESTAMP column as the timeline (FIRST / LAST order by
/// it; such a table has no primary key).
fn table_ref_of(schema: &Schema, precision: Precision) -> Result<TableRef, ServerError> {
    let fields = schema.fields();
    let ts_cols: Vec<String> = fields
        .iter()
        .filter(|f| matches!(f.data_type(), DataType::Timestamp(_, _)))
        .map(|f| f.name().to_ascii_lowercase())
        .collect();
    let star: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
    let ts = fields
        .iter()
        .find(|f| matches!(f.data_type(), DataType::Timestamp(_, _)))
        .map(|f| f.name().clone())
        .or_else(|| star.first().cloned())
        .ok_or_else(|| ServerError::internal("a table without columns"))?;
    Ok(TableRef {
        precision,
        names: star.iter().map(|n| n.to_ascii_lowercase()).collect(),
        columns: star.clone(),
        star,
        ts,
        ts_cols,
        json_cols: Vec::new(),
    })
}

/// Registers `table` as `schema_name.name` into `ctx` (once: a table read twice by one
/// statement is registered by its first reference).
fn register_table(
    ctx: &SessionContext,
    schema_name: &str,
    name: &str,
    table: MemTable,
) -> Result<(), ServerError> {
    let catalog = ctx
        .catalog("datafusion")
        .ok_or_else(|| ServerError::internal("no catalog"))?;
    if catalog.schema(schema_name).is_none() {
        catalog
            .register_schema(schema_name, Arc::new(MemorySchemaProvider::new()))
            .map_err(ServerError::internal)?;
    }
    let schema_provider = catalog
        .schema(schema_name)
        .ok_or_else(|| ServerError::internal("no schema"))?;
    if !schema_provider.table_exist(name) {
        schema_provider
            .register_table(name.to_owned(), Arc::new(table))
            .map_err(ServerError::internal)?;
    }
    Ok(())
}
