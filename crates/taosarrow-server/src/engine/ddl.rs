//! CREATE / DROP / ALTER / USE, parsed by a small recursive-descent parser (TDengine DDL is
//! not standard SQL).

use std::sync::{Arc, RwLock};

use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, Precision, TdType};

use super::catalog::{read, schema_of, table_not_exist, write, Database, StableDef, Table};
use super::lexer::{Kind, Token};
use super::tmq::wal::MAX_VGROUPS;
use super::tmq::{meta, topic};
use super::types::parse_type;
use super::values::{parse_lit, ColBuilder, Target};
use super::{qualified_name, syntax_at, unsupported, Engine, Outcome, Session};
use crate::ServerError;

type Toks<'a, 'b> = &'b [Token<'a>];

fn affected() -> Outcome {
    Outcome::Affected { rows: 0 }
}

fn kw(toks: Toks<'_, '_>, i: usize, k: &str) -> bool {
    toks.get(i).is_some_and(|t| t.is_kw(k))
}

fn expect_kw(toks: Toks<'_, '_>, i: &mut usize, k: &str, sql: &str) -> Result<(), ServerError> {
    if kw(toks, *i, k) {
        *i += 1;
        Ok(())
    } else {
        Err(syntax_at(toks, *i, sql))
    }
}

fn expect_punct(toks: Toks<'_, '_>, i: &mut usize, p: &str, sql: &str) -> Result<(), ServerError> {
    if toks.get(*i).is_some_and(|t| t.is_punct(p)) {
        *i += 1;
        Ok(())
    } else {
        Err(syntax_at(toks, *i, sql))
    }
}

fn if_exists(toks: Toks<'_, '_>, i: &mut usize, not: bool) -> bool {
    let seq: &[&str] = if not {
        &["IF", "NOT", "EXISTS"]
    } else {
        &["IF", "EXISTS"]
    };
    if seq.iter().enumerate().all(|(k, w)| kw(toks, *i + k, w)) {
        *i += seq.len();
        true
    } else {
        false
    }
}

fn end(toks: Toks<'_, '_>, i: usize, sql: &str) -> Result<(), ServerError> {
    if i < toks.len() {
        Err(syntax_at(toks, i, sql))
    } else {
        Ok(())
    }
}

/// Runs a CREATE, DROP, ALTER or USE statement.
pub fn run(
    e: &Engine,
    s: &mut Session,
    sql: &str,
    toks: Toks<'_, '_>,
) -> Result<Outcome, ServerError> {
    let mut i = 1;
    let first = toks[0].text.to_ascii_uppercase();
    match first.as_str() {
        "USE" => {
            let (_, name) = qualified_name(toks, &mut i, sql)?;
            end(toks, i, sql)?;
            e.catalog().db(&name)?;
            if !e.users().sees_db(s.user(), &name) {
                return Err(super::users::permission_denied());
            }
            s.db = Some(name);
            Ok(affected())
        }
        "CREATE" => {
            if kw(toks, i, "DATABASE") {
                i += 1;
                create_database(e, s, sql, toks, i)
            } else if kw(toks, i, "STABLE") {
                i += 1;
                create_table(e, s, sql, toks, i, true)
            } else if kw(toks, i, "TABLE") {
                i += 1;
                create_table(e, s, sql, toks, i, false)
            } else if kw(toks, i, "VIEW") || (kw(toks, i, "OR") && kw(toks, i + 1, "REPLACE")) {
                create_view(e, s, sql, toks, i)
            } else if kw(toks, i, "TOPIC") {
                let stmt = topic::parse_create(e, s, sql, toks)?;
                let name = stmt.name.clone();
                let created = e.tmq().topic(&name).is_none();
                e.tmq().create_topic(stmt)?;
                if created {
                    e.users().created_topic(s.user(), &name);
                }
                Ok(affected())
            } else {
                Err(unsupported(&format!(
                    "CREATE {}",
                    toks.get(i).map_or("", |t| t.text)
                )))
            }
        }
        "DROP" => drop(e, s, sql, toks),
        "ALTER" => alter(e, s, sql, toks),
        _ => Err(syntax_at(toks, 0, sql)),
    }
}

/// `CREATE [OR REPLACE] VIEW [db.]name AS SELECT …`: the query is kept as text and read as
/// a subquery wherever the view is named in FROM (where it is checked, as TDengine checks a
/// view's query when it is used).
fn create_view(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: Toks<'_, '_>,
    mut i: usize,
) -> Result<Outcome, ServerError> {
    let replace = kw(toks, i, "OR") && kw(toks, i + 1, "REPLACE");
    if replace {
        i += 2;
    }
    expect_kw(toks, &mut i, "VIEW", sql)?;
    let (dbn, name) = qualified_name(toks, &mut i, sql)?;
    expect_kw(toks, &mut i, "AS", sql)?;
    if !kw(toks, i, "SELECT") {
        return Err(syntax_at(toks, i, sql));
    }
    let query = sql[toks[i].pos..].to_owned();
    let db = e.resolve_db_for(s, dbn.as_deref(), super::users::Access::Write)?;
    if db.table(&name).is_ok() || db.stable(&name).is_some() {
        return Err(ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            format!("syntax error: a table named {name} exists"),
        ));
    }
    let mut views = write(&db.views);
    if views.contains_key(&name) && !replace {
        return Err(ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            format!("syntax error: view {name} already exists"),
        ));
    }
    views.insert(
        name,
        super::catalog::View {
            query,
            created: super::catalog::now_ms(),
            owner: s.user().map(str::to_owned),
        },
    );
    Ok(affected())
}

/// A database option's value from `toks[*i]`: a string's content, a number (with its sign),
/// or a word, with `,` / `:` continuations kept (`KEEP 3650,3650,3650`, `RETENTIONS
/// 15s:7d,1m:21d`).
fn option_value(toks: Toks<'_, '_>, i: &mut usize, sql: &str) -> Result<String, ServerError> {
    let read_one = |i: &mut usize| -> Result<String, ServerError> {
        let v = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        *i += 1;
        if v.kind == Kind::Str {
            return Ok(v.string_value().into_owned());
        }
        if v.is_punct("-") && toks.get(*i).is_some_and(|n| n.kind == Kind::Number) {
            *i += 1;
            return Ok(format!("-{}", toks[*i - 1].text));
        }
        Ok(v.text.to_owned())
    };
    let mut value = read_one(i)?;
    while toks
        .get(*i)
        .is_some_and(|t| t.is_punct(",") || t.is_punct(":"))
        && *i + 1 < toks.len()
    {
        value.push_str(toks[*i].text);
        *i += 1;
        value.push_str(&read_one(i)?);
    }
    Ok(value)
}

/// The options ALTER DATABASE may change (TDengine 3.3's `alter_db_option`).
const ALTERABLE_DB_OPTIONS: [&str; 14] = [
    "buffer",
    "cachemodel",
    "cachesize",
    "keep",
    "pages",
    "replica",
    "stt_trigger",
    "wal_level",
    "wal_fsync_period",
    "wal_retention_period",
    "wal_retention_size",
    "minrows",
    "keep_time_offset",
    "s3_keeplocal",
];

/// `ALTER DATABASE db option value [option value …]`: every option is read and checked
/// before any changes.
fn alter_database(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: Toks<'_, '_>,
) -> Result<Outcome, ServerError> {
    let mut i = 2;
    let (_, name) = qualified_name(toks, &mut i, sql)?;
    let db = e.catalog().db(&name)?;
    e.users().check_own_db(s.user(), &db.name)?;
    let mut changes: Vec<(String, String)> = Vec::new();
    while i < toks.len() {
        let key = toks[i];
        let key_name = key.text.to_ascii_lowercase();
        if key.kind != Kind::Word || !ALTERABLE_DB_OPTIONS.contains(&key_name.as_str()) {
            return Err(syntax_at(toks, i, sql));
        }
        i += 1;
        let value = option_value(toks, &mut i, sql)?;
        let int = value.parse::<i64>();
        let valid = match key_name.as_str() {
            "wal_retention_period" | "wal_retention_size" => int.is_ok_and(|n| n >= -1),
            "keep" | "cachemodel" | "s3_keeplocal" => true,
            _ => int.is_ok_and(|n| n >= 0),
        };
        if !valid {
            return Err(ServerError::new(
                Code::MND_INVALID_DB_OPTION,
                format!("Invalid option {key_name}: {value}"),
            ));
        }
        changes.push((key_name, value));
    }
    if changes.is_empty() {
        return Err(syntax_at(toks, i, sql));
    }
    {
        let mut options = write(&db.options);
        for (k, v) in &changes {
            match options.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v.clone(),
                None => options.push((k.clone(), v.clone())),
            }
        }
    }
    let mut retention = db.wal.retention();
    for (k, v) in &changes {
        let n = v.parse::<i64>().unwrap_or_default();
        match k.as_str() {
            "wal_retention_period" => retention.period_s = n,
            "wal_retention_size" => retention.size_kb = n,
            _ => {}
        }
    }
    db.wal.set_retention(retention);
    Ok(affected())
}

fn create_database(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: Toks<'_, '_>,
    mut i: usize,
) -> Result<Outcome, ServerError> {
    e.users().check_create_db(s.user())?;
    let ine = if_exists(toks, &mut i, true);
    let (_, name) = qualified_name(toks, &mut i, sql)?;
    let mut precision = Precision::Millisecond;
    let mut options = Vec::new();
    while i < toks.len() {
        let key = toks[i];
        if key.kind != Kind::Word {
            return Err(syntax_at(toks, i, sql));
        }
        i += 1;
        let v = option_value(toks, &mut i, sql)?;
        if key.is_kw("PRECISION") {
            precision = v.parse().map_err(|_| {
                ServerError::new(
                    Code::MND_INVALID_DB_OPTION,
                    format!("Invalid option precision: {v}"),
                )
            })?;
        }
        let key_name = key.text.to_ascii_lowercase();
        let int = v.parse::<i64>();
        let valid = match key_name.as_str() {
            "vgroups" => int.is_ok_and(|n| (1..=MAX_VGROUPS as i64).contains(&n)),
            "wal_retention_period" => int.is_ok_and(|n| n >= -1),
            "wal_retention_size" => int.is_ok_and(|n| n >= -1),
            _ => true,
        };
        if !valid {
            return Err(ServerError::new(
                Code::MND_INVALID_DB_OPTION,
                format!("Invalid option {key_name}: {v}"),
            ));
        }
        options.push((key_name, v));
    }
    let mut dbs = write(&e.catalog().dbs);
    if dbs.contains_key(&name) {
        return if ine {
            Ok(affected())
        } else {
            Err(ServerError::from_code(Code::MND_DB_ALREADY_EXIST))
        };
    }
    if matches!(name.as_str(), "information_schema" | "performance_schema") || name.len() > 64 {
        return Err(ServerError::from_code(Code::MND_INVALID_DB));
    }
    dbs.insert(
        name.clone(),
        Arc::new(Database::new(name.clone(), precision, options)),
    );
    e.users().created_db(s.user(), &name);
    Ok(affected())
}

/// Parses `(name type, …)`.
fn column_list(
    toks: Toks<'_, '_>,
    i: &mut usize,
    sql: &str,
) -> Result<Vec<ColumnSpec>, ServerError> {
    expect_punct(toks, i, "(", sql)?;
    let mut cols: Vec<ColumnSpec> = Vec::new();
    loop {
        let t = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        if !matches!(t.kind, Kind::Word | Kind::Quoted) {
            return Err(syntax_at(toks, *i, sql));
        }
        let name = t.name();
        *i += 1;
        let spec = parse_type(&name, toks, i, sql)?;
        // Column options: COMMENT '…', ENCODE '…', COMPRESS '…', LEVEL '…', PRIMARY KEY.
        while toks.get(*i).is_some_and(|t| t.kind == Kind::Word) {
            if kw(toks, *i, "PRIMARY") && kw(toks, *i + 1, "KEY") {
                return Err(unsupported("composite PRIMARY KEY"));
            }
            *i += 2;
        }
        if cols.iter().any(|c| c.name == spec.name) {
            return Err(ServerError::from_code(Code::PAR_DUPLICATED_COLUMN));
        }
        cols.push(spec);
        let sep = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        *i += 1;
        if sep.is_punct(")") {
            return Ok(cols);
        }
        if !sep.is_punct(",") {
            return Err(syntax_at(toks, *i - 1, sql));
        }
    }
}

/// One table a CREATE TABLE / STABLE statement creates, read and checked before any is.
enum NewTable {
    Child {
        db: Arc<Database>,
        name: String,
        ine: bool,
        stable: String,
        cols: Vec<ColumnSpec>,
        tags: Vec<ScalarValue>,
    },
    Normal {
        db: Arc<Database>,
        name: String,
        ine: bool,
        cols: Vec<ColumnSpec>,
    },
    Stable {
        db: Arc<Database>,
        name: String,
        ine: bool,
        cols: Vec<ColumnSpec>,
        tags: Vec<ColumnSpec>,
    },
}

/// The table options TDengine takes after a column list (or a child table's TAGS): each a
/// word and a value (`COMMENT 'c'`, `TTL 1`, `SMA(a, b)`, `WATERMARK 1s, 2s`, …). They are
/// accepted and not kept; a word that is not one is a syntax error.
fn table_options(toks: Toks<'_, '_>, i: &mut usize, sql: &str) -> Result<Option<i32>, ServerError> {
    const OPTIONS: [&str; 8] = [
        "COMMENT",
        "TTL",
        "SMA",
        "WATERMARK",
        "MAX_DELAY",
        "ROLLUP",
        "DELETE_MARK",
        "KEEP",
    ];
    let mut ttl = None;
    while toks
        .get(*i)
        .is_some_and(|t| OPTIONS.iter().any(|o| t.is_kw(o)))
    {
        let opt = toks[*i].text.to_ascii_uppercase();
        *i += 1;
        if toks.get(*i).is_some_and(|t| t.is_punct("(")) {
            // SMA(a, b) / ROLLUP(f, …): to the closing parenthesis.
            while !toks.get(*i).is_some_and(|t| t.is_punct(")")) {
                if *i >= toks.len() {
                    return Err(syntax_at(toks, *i, sql));
                }
                *i += 1;
            }
            *i += 1;
            continue;
        }
        let v = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        if opt == "TTL" {
            ttl = Some(
                v.text
                    .parse::<i32>()
                    .map_err(|_| syntax_at(toks, *i, sql))?,
            );
        }
        *i += 1;
        while toks.get(*i).is_some_and(|t| t.is_punct(",")) && toks.get(*i + 1).is_some() {
            *i += 2;
        }
    }
    Ok(ttl)
}

fn create_table(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: Toks<'_, '_>,
    mut i: usize,
    stable: bool,
) -> Result<Outcome, ServerError> {
    // Every table of the statement is read first: a statement refused anywhere creates
    // nothing.
    let mut plans = Vec::new();
    let mut ttls = Vec::new();
    loop {
        let ine = if_exists(toks, &mut i, true);
        let (dbn, name) = qualified_name(toks, &mut i, sql)?;
        let db = e.resolve_db(s, dbn.as_deref())?;
        if kw(toks, i, "USING") {
            i += 1;
            let (st, cols, tags) = using_clause(e, s, &db, sql, toks, &mut i)?;
            ttls.push(table_options(toks, &mut i, sql)?);
            plans.push(NewTable::Child {
                db,
                name,
                ine,
                stable: st,
                cols,
                tags,
            });
        } else {
            let cols = column_list(toks, &mut i, sql)?;
            if cols[0].ty != TdType::Timestamp {
                return Err(ServerError::new(
                    Code::PAR_SYNTAX_ERROR,
                    "The first column must be timestamp",
                ));
            }
            if cols.iter().any(|c| c.ty == TdType::Json) {
                return Err(ServerError::new(
                    Code::PAR_SYNTAX_ERROR,
                    "Only tag can be json type",
                ));
            }
            let tags = if kw(toks, i, "TAGS") {
                i += 1;
                Some(column_list(toks, &mut i, sql)?)
            } else {
                None
            };
            ttls.push(table_options(toks, &mut i, sql)?);
            match (stable, tags) {
                (_, Some(tags)) => plans.push(NewTable::Stable {
                    db,
                    name,
                    ine,
                    cols,
                    tags,
                }),
                (true, None) => return Err(syntax_at(toks, i, sql)),
                (false, None) => plans.push(NewTable::Normal {
                    db,
                    name,
                    ine,
                    cols,
                }),
            }
        }
        // Several tables in one statement are child tables (`… USING stb TAGS (…)`).
        if plans.len() > 1 && !plans.iter().all(|p| matches!(p, NewTable::Child { .. })) {
            return Err(ServerError::new(
                Code::PAR_SYNTAX_ERROR,
                "syntax error: only child tables (USING … TAGS) can be created several in one statement",
            ));
        }
        if i >= toks.len() {
            break;
        }
        if stable {
            return Err(syntax_at(toks, i, sql));
        }
    }
    // Names that exist already refuse the statement before anything is created.
    for p in &plans {
        let (db, name, ine) = match p {
            NewTable::Child { db, name, ine, .. }
            | NewTable::Normal { db, name, ine, .. }
            | NewTable::Stable { db, name, ine, .. } => (db, name, *ine),
        };
        let exists = db.table(name).is_ok() || db.stable(name).is_some();
        if exists && !ine {
            return Err(if db.stable(name).is_some() {
                ServerError::from_code(Code::MND_STB_ALREADY_EXIST)
            } else {
                ServerError::from_code(Code::TDB_TABLE_ALREADY_EXIST)
            });
        }
    }
    for (p, ttl) in plans.into_iter().zip(ttls) {
        match p {
            NewTable::Child {
                db,
                name,
                ine,
                stable,
                cols,
                tags,
            } => {
                if db.table(&name).is_ok() {
                    continue;
                }
                let tag_specs = db
                    .stable(&stable)
                    .map(|d| read(&d).tags.clone())
                    .unwrap_or_default();
                let event = meta::create_child(&name, &stable, &tag_specs, &tags);
                let t = db.create_table(&name, cols, Some((stable, tags)), ine)?;
                db.wal.log_meta(event, false);
                if let Some(days) = ttl {
                    t.set_ttl_days(days);
                }
            }
            NewTable::Normal {
                db,
                name,
                ine,
                cols,
            } => {
                let existed = db.table(&name).is_ok();
                let t = db.create_table(&name, cols.clone(), None, ine)?;
                if !existed {
                    db.wal.log_meta(meta::create_normal(&name, &cols), false);
                    if let Some(days) = ttl {
                        t.set_ttl_days(days);
                    }
                }
            }
            NewTable::Stable {
                db,
                name,
                ine,
                cols,
                tags,
            } => create_stable(&db, name, cols, tags, ine)?,
        }
    }
    Ok(affected())
}

fn create_stable(
    db: &Database,
    name: String,
    cols: Vec<ColumnSpec>,
    tags: Vec<ColumnSpec>,
    ine: bool,
) -> Result<(), ServerError> {
    if tags.iter().any(|t| t.ty == TdType::Json) && tags.len() > 1 {
        return Err(ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            "Only one tag if there is a json tag",
        ));
    }
    if tags.iter().any(|t| cols.iter().any(|c| c.name == t.name)) {
        return Err(ServerError::from_code(Code::PAR_DUPLICATED_COLUMN));
    }
    schema_of(&cols, db.precision)?;
    schema_of(&tags, db.precision)?;
    if read(&db.tables).contains_key(&name) {
        return Err(ServerError::from_code(Code::TDB_TABLE_ALREADY_EXIST));
    }
    let mut st = write(&db.stables);
    if st.contains_key(&name) {
        return if ine {
            Ok(())
        } else {
            Err(ServerError::from_code(Code::MND_STB_ALREADY_EXIST))
        };
    }
    db.wal
        .log_meta(meta::create_stable(&name, &cols, &tags), true);
    st.insert(
        name.clone(),
        Arc::new(RwLock::new(StableDef {
            name,
            columns: cols,
            tags,
        })),
    );
    Ok(())
}

/// Parses `stb [(tag, …)] TAGS (v, …)` after USING and returns (super table, tag values).
pub fn using_clause(
    e: &Engine,
    s: &Session,
    db: &Database,
    sql: &str,
    toks: Toks<'_, '_>,
    i: &mut usize,
) -> Result<(String, Vec<ColumnSpec>, Vec<ScalarValue>), ServerError> {
    let (sdb, sname) = qualified_name(toks, i, sql)?;
    if let Some(sdb) = sdb {
        if sdb != db.name {
            return Err(unsupported("a super table in another database"));
        }
    }
    let _ = e;
    let st = db.stable(&sname).ok_or_else(|| table_not_exist(&sname))?;
    let def = read(&st).clone();
    let mut names: Option<Vec<String>> = None;
    if toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        *i += 1;
        let mut v = Vec::new();
        loop {
            let t = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
            v.push(t.name());
            *i += 1;
            if toks.get(*i).is_some_and(|t| t.is_punct(")")) {
                *i += 1;
                break;
            }
            expect_punct(toks, i, ",", sql)?;
        }
        names = Some(v);
    }
    expect_kw(toks, i, "TAGS", sql)?;
    expect_punct(toks, i, "(", sql)?;
    let mut lits = Vec::new();
    loop {
        lits.push(parse_lit(
            toks,
            i,
            sql,
            db.precision,
            s.statement_time(),
            s.timezone(),
        )?);
        if toks.get(*i).is_some_and(|t| t.is_punct(")")) {
            *i += 1;
            break;
        }
        expect_punct(toks, i, ",", sql)?;
    }
    let order: Vec<usize> = match &names {
        None => (0..def.tags.len()).collect(),
        Some(ns) => ns
            .iter()
            .map(|n| {
                def.tags.iter().position(|t| &t.name == n).ok_or_else(|| {
                    ServerError::new(
                        Code::PAR_INVALID_COLUMN,
                        format!("Invalid column name: {n}"),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    if lits.len() != order.len() {
        return Err(ServerError::from_code(Code::PAR_INCORRECT_NUM_OF_COL));
    }
    let mut values: Vec<ScalarValue> = Vec::with_capacity(def.tags.len());
    for (k, spec) in def.tags.iter().enumerate() {
        let f = super::types::field(spec, db.precision)?;
        let mut b = ColBuilder::new(spec, 1);
        match order.iter().position(|&o| o == k) {
            Some(p) => b.append(
                &lits[p],
                &Target {
                    spec,
                    precision: db.precision,
                    tz: s.timezone(),
                },
            )?,
            None => b.append_null(),
        }
        let arr = b.finish(f.data_type())?;
        values.push(ScalarValue::try_from_array(&arr, 0).map_err(ServerError::internal)?);
    }
    Ok((def.name, def.columns, values))
}

#[allow(clippy::too_many_arguments)]
fn drop(
    e: &Engine,
    s: &mut Session,
    sql: &str,
    toks: Toks<'_, '_>,
) -> Result<Outcome, ServerError> {
    let mut i = 1;
    let what = toks
        .get(i)
        .map(|t| t.text.to_ascii_uppercase())
        .unwrap_or_default();
    i += 1;
    if what == "TOPIC" {
        let stmt = topic::parse_drop(sql, toks)?;
        let name = stmt.name.clone();
        if let Some(t) = e.tmq().topic(&name) {
            e.users().check_own_topic(s.user(), &t.name, &t.db.name)?;
        }
        e.tmq().drop_topic(stmt)?;
        e.users().dropped_topic(&name);
        return Ok(affected());
    }
    if what == "VIEW" {
        let ie = if_exists(toks, &mut i, false);
        let (dbn, name) = qualified_name(toks, &mut i, sql)?;
        end(toks, i, sql)?;
        let db = e.resolve_db_for(s, dbn.as_deref(), super::users::Access::Write)?;
        if write(&db.views).remove(&name).is_none() && !ie {
            return Err(ServerError::new(
                Code::PAR_TABLE_NOT_EXIST,
                format!("View does not exist: {name}"),
            ));
        }
        return Ok(affected());
    }
    if what == "CONSUMER" && kw(toks, 2, "GROUP") {
        e.tmq().drop_group(topic::parse_drop_group(sql, toks)?)?;
        return Ok(affected());
    }
    let ie = if_exists(toks, &mut i, false);
    match what.as_str() {
        "DATABASE" => {
            let (_, name) = qualified_name(toks, &mut i, sql)?;
            end(toks, i, sql)?;
            if e.database_exists(&name) {
                e.users().check_own_db(s.user(), &name)?;
            }
            if e.tmq().database_has_topics(&name) {
                return Err(ServerError::from_code(Code::MND_TOPIC_MUST_BE_DELETED));
            }
            if write(&e.catalog().dbs).remove(&name).is_none() && !ie {
                return Err(ServerError::from_code(Code::MND_DB_NOT_EXIST));
            }
            e.users().dropped_db(&name);
            if s.db.as_deref() == Some(name.as_str()) {
                s.db = None;
            }
        }
        "TABLE" | "STABLE" => {
            // The whole statement is read and every table checked before any is dropped: a
            // statement refused anywhere drops nothing.
            let mut targets = Vec::new();
            loop {
                let (dbn, name) = qualified_name(toks, &mut i, sql)?;
                targets.push((dbn, name));
                if i >= toks.len() {
                    break;
                }
                expect_punct(toks, &mut i, ",", sql)?;
            }
            let mut resolved = Vec::with_capacity(targets.len());
            for (dbn, name) in targets {
                let db = e.resolve_db(s, dbn.as_deref())?;
                let is_stable = db.stable(&name).is_some();
                if is_stable && e.tmq().stable_has_topics(&db.name, &name) {
                    return Err(ServerError::from_code(Code::MND_TOPIC_MUST_BE_DELETED));
                }
                let is_table = db.table(&name).is_ok();
                let found = if what == "STABLE" {
                    is_stable
                } else {
                    is_stable || is_table
                };
                if !found && !ie {
                    return Err(if what == "STABLE" {
                        ServerError::from_code(Code::MND_STB_NOT_EXIST)
                    } else {
                        table_not_exist(&name)
                    });
                }
                resolved.push((db, name));
            }
            for (db, name) in resolved {
                drop_one(&db, &name, what == "STABLE");
            }
        }
        _ => return Err(unsupported(&format!("DROP {what}"))),
    }
    Ok(affected())
}

/// Drops table or super table `name` of `db` (a super table with its child tables) and
/// logs it for `WITH META` topics; `only_stable` leaves a table of that name alone.
fn drop_one(db: &Database, name: &str, only_stable: bool) {
    let dropped_child = db
        .table(name)
        .ok()
        .map(|t| t.child_of.as_ref().map(|(s, _)| s.clone()));
    if write(&db.stables).remove(name).is_some() {
        write(&db.tables).retain(|_, t| t.child_of.as_ref().is_none_or(|(st, _)| st != name));
        db.wal
            .log_meta(meta::drop_table(name, Some(name), true), true);
    } else if let Some(parent) = dropped_child.filter(|_| !only_stable) {
        write(&db.tables).remove(name);
        db.wal
            .log_meta(meta::drop_table(name, parent.as_deref(), false), false);
    }
}

/// Whether `toks[i]` is `TAG` (true) or `COLUMN` (false); anything else is a syntax error.
fn tag_or_column(toks: Toks<'_, '_>, i: usize, sql: &str) -> Result<bool, ServerError> {
    if kw(toks, i, "TAG") {
        Ok(true)
    } else if kw(toks, i, "COLUMN") {
        Ok(false)
    } else {
        Err(syntax_at(toks, i, sql))
    }
}

/// `COLUMN|TAG name TYPE` from `toks[i]` to the end of an ALTER statement: whether it is a
/// tag, and the column.
fn column_clause(
    toks: Toks<'_, '_>,
    mut i: usize,
    sql: &str,
) -> Result<(bool, ColumnSpec), ServerError> {
    let is_tag = tag_or_column(toks, i, sql)?;
    i += 1;
    let t = toks.get(i).ok_or_else(|| syntax_at(toks, i, sql))?;
    let cname = t.name();
    i += 1;
    let spec = parse_type(&cname, toks, &mut i, sql)?;
    end(toks, i, sql)?;
    Ok((is_tag, spec))
}

/// `MODIFY COLUMN|TAG c TYPE(n)` (from `toks[i]`, after MODIFY): widens a VARCHAR, NCHAR or
/// VARBINARY column or tag of a super table, or a column of a normal table.
fn modify(
    db: &Database,
    name: &str,
    sql: &str,
    toks: Toks<'_, '_>,
    i: usize,
) -> Result<Outcome, ServerError> {
    let (is_tag, spec) = column_clause(toks, i, sql)?;
    let cname = spec.name.clone();
    let same_type = |list: &[ColumnSpec]| match list.iter().find(|c| c.name == cname) {
        Some(c) if c.ty != spec.ty => Err(ServerError::new(
            Code::PAR_INVALID_VAR_COLUMN_LEN,
            format!(
                "the type of {cname} cannot change from {} to {}",
                c.ty, spec.ty
            ),
        )),
        _ => Ok(()),
    };
    if let Some(st) = db.stable(name) {
        let mut def = write(&st);
        same_type(if is_tag { &def.tags } else { &def.columns })?;
        super::evolve::widen(db, &mut def, &cname, spec.length, is_tag)?;
        return Ok(affected());
    }
    let t = normal_table(db, name, is_tag)?;
    let mut cols = write(&t.columns);
    same_type(&cols)?;
    super::evolve::widen_spec(&mut cols, &cname, spec.length, false)?;
    super::evolve::relabel(db, &cols, std::slice::from_ref(&t))?;
    Ok(affected())
}

/// The normal table `name` of `db` for an ALTER of its columns: a child table's columns
/// and any tag change belong to its super table.
fn normal_table(db: &Database, name: &str, is_tag: bool) -> Result<Arc<Table>, ServerError> {
    let t = db.table(name)?;
    if is_tag || t.child_of.is_some() {
        return Err(ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            "syntax error: only a super table's schema can get tags or columns this way",
        ));
    }
    Ok(t)
}

/// `COLUMN|TAG name` and the end of the statement, from `toks[i]`: whether it is a tag, and
/// the name.
fn named_clause(
    toks: Toks<'_, '_>,
    i: &mut usize,
    sql: &str,
    names: usize,
) -> Result<(bool, Vec<String>), ServerError> {
    let is_tag = tag_or_column(toks, *i, sql)?;
    *i += 1;
    let mut out = Vec::with_capacity(names);
    for _ in 0..names {
        let t = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        out.push(t.name());
        *i += 1;
    }
    end(toks, *i, sql)?;
    Ok((is_tag, out))
}

/// `DROP COLUMN|TAG c` (from `toks[i]`, after DROP).
fn drop_field(
    db: &Database,
    name: &str,
    sql: &str,
    toks: Toks<'_, '_>,
    mut i: usize,
) -> Result<Outcome, ServerError> {
    let (is_tag, names) = named_clause(toks, &mut i, sql, 1)?;
    let field = &names[0];
    if let Some(st) = db.stable(name) {
        let mut def = write(&st);
        if is_tag {
            super::evolve::drop_tag(db, &mut def, field)?;
        } else {
            let children = db.children(name);
            super::evolve::drop_column(db, &mut def.columns, &children, field)?;
        }
        return Ok(affected());
    }
    let t = normal_table(db, name, is_tag)?;
    let mut cols = write(&t.columns);
    super::evolve::drop_column(db, &mut cols, std::slice::from_ref(&t), field)?;
    Ok(affected())
}

/// `RENAME COLUMN|TAG old new` (from `toks[i]`, after RENAME): a tag of a super table, a
/// column of a normal table (TDengine renames no super-table column).
fn rename_field(
    db: &Database,
    name: &str,
    sql: &str,
    toks: Toks<'_, '_>,
    mut i: usize,
) -> Result<Outcome, ServerError> {
    let (is_tag, names) = named_clause(toks, &mut i, sql, 2)?;
    let (old, new) = (&names[0], &names[1]);
    if let Some(st) = db.stable(name) {
        if !is_tag {
            return Err(ServerError::from_code(Code::MND_INVALID_STB_ALTER_OPTION));
        }
        let mut def = write(&st);
        let def = &mut *def;
        super::evolve::rename(&mut def.tags, &def.columns, old, new, true)?;
        return Ok(affected());
    }
    let t = normal_table(db, name, is_tag)?;
    let mut cols = write(&t.columns);
    super::evolve::rename(&mut cols, &[], old, new, false)?;
    super::evolve::relabel(db, &cols, std::slice::from_ref(&t))?;
    Ok(affected())
}

fn alter(e: &Engine, s: &Session, sql: &str, toks: Toks<'_, '_>) -> Result<Outcome, ServerError> {
    let mut i = 1;
    let what = toks
        .get(i)
        .map(|t| t.text.to_ascii_uppercase())
        .unwrap_or_default();
    if what == "DATABASE" {
        return alter_database(e, s, sql, toks);
    }
    if what != "TABLE" && what != "STABLE" {
        return Err(unsupported(&format!("ALTER {what}")));
    }
    i += 1;
    let (dbn, name) = qualified_name(toks, &mut i, sql)?;
    let db = e.resolve_db(s, dbn.as_deref())?;
    if kw(toks, i, "SET") && kw(toks, i + 1, "TAG") {
        return set_tags(s, &db, &name, sql, toks, i + 2);
    }
    if kw(toks, i, "TTL") || kw(toks, i, "COMMENT") {
        let ttl = table_options(toks, &mut i, sql)?;
        end(toks, i, sql)?;
        let t = db.table(&name)?;
        if let Some(days) = ttl {
            t.set_ttl_days(days);
        }
        return Ok(affected());
    }
    let out = alter_table(&db, &name, sql, toks, i)?;
    log_alter(&db, &name, toks, i, sql);
    Ok(out)
}

/// Logs a done `ALTER` for `WITH META` topics, with TDengine's `alterType` codes (add tag 1,
/// drop tag 2, rename tag 3, add column 5, drop column 6, widen column 7, widen tag 8, rename
/// column 10) and the fields its JSON meta names.
fn log_alter(db: &Database, name: &str, toks: Toks<'_, '_>, i: usize, sql: &str) {
    let verb = toks
        .get(i)
        .map(|t| t.text.to_ascii_uppercase())
        .unwrap_or_default();
    let typed = |code_tag: i32, code_col: i32| {
        column_clause(toks, i + 1, sql).ok().map(|(is_tag, c)| {
            let mut extra = serde_json::json!({"colName": c.name, "colType": c.ty.code()});
            if c.ty.max_declared_length().is_some() && c.length > 0 {
                extra["colLength"] = serde_json::json!(c.length);
            }
            (if is_tag { code_tag } else { code_col }, extra)
        })
    };
    let named = |n: usize, code_tag: i32, code_col: i32| {
        let mut j = i + 1;
        named_clause(toks, &mut j, sql, n)
            .ok()
            .map(|(is_tag, names)| {
                let mut extra = serde_json::json!({"colName": names[0]});
                if let Some(new) = names.get(1) {
                    extra["colNewName"] = serde_json::json!(new);
                }
                (if is_tag { code_tag } else { code_col }, extra)
            })
    };
    let change = match verb.as_str() {
        "ADD" => typed(1, 5),
        "MODIFY" => typed(8, 7),
        "DROP" => named(1, 2, 6),
        "RENAME" => named(2, 3, 10),
        _ => None,
    };
    let Some((alter_type, extra)) = change else {
        return;
    };
    let is_super = db.stable(name).is_some();
    let stable = if is_super {
        None
    } else {
        db.table(name)
            .ok()
            .and_then(|t| t.child_of.as_ref().map(|(s, _)| s.clone()))
    };
    let event = meta::alter(name, stable.as_deref(), is_super, alter_type, extra);
    db.wal.log_meta(event, is_super);
}

/// `ALTER TABLE child SET TAG t1 = v1 [, t2 = v2 …]` from `toks[i]` (after `TAG`): every
/// value is read and converted to its tag's type before any is set.
fn set_tags(
    s: &Session,
    db: &Arc<Database>,
    name: &str,
    sql: &str,
    toks: Toks<'_, '_>,
    mut i: usize,
) -> Result<Outcome, ServerError> {
    let t = db.table(name)?;
    let Some((stable, values)) = &t.child_of else {
        return Err(ServerError::from_code(Code::PAR_INVALID_TAGS_PC));
    };
    let specs = db
        .stable(stable)
        .map(|st| read(&st).tags.clone())
        .ok_or_else(|| table_not_exist(stable))?;
    let mut changes: Vec<(usize, ScalarValue, String)> = Vec::new();
    loop {
        let tag = toks
            .get(i)
            .filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
            .ok_or_else(|| syntax_at(toks, i, sql))?
            .name();
        i += 1;
        expect_punct(toks, &mut i, "=", sql)?;
        let k = specs.iter().position(|c| c.name == tag).ok_or_else(|| {
            ServerError::new(
                Code::MND_TAG_NOT_EXIST,
                format!("Tag does not exist: {tag}"),
            )
        })?;
        let at = i;
        let lit = parse_lit(
            toks,
            &mut i,
            sql,
            db.precision,
            s.statement_time(),
            s.timezone(),
        )?;
        let spec = &specs[k];
        let f = super::types::field(spec, db.precision)?;
        let mut b = ColBuilder::new(spec, 1);
        b.append(
            &lit,
            &Target {
                spec,
                precision: db.precision,
                tz: s.timezone(),
            },
        )?;
        let arr = b.finish(f.data_type())?;
        let v = ScalarValue::try_from_array(&arr, 0).map_err(ServerError::internal)?;
        changes.push((
            k,
            v,
            sql[toks[at].pos..toks[i - 1].pos + toks[i - 1].text.len()].to_owned(),
        ));
        if i >= toks.len() {
            break;
        }
        expect_punct(toks, &mut i, ",", sql)?;
    }
    {
        let mut current = write(values);
        for (k, v, _) in &changes {
            if let Some(slot) = current.get_mut(*k) {
                *slot = v.clone();
            }
        }
    }
    for (k, v, text) in changes {
        let extra = serde_json::json!({
            "colName": specs[k].name,
            "colValue": text.trim_matches('\''),
            "colValueNull": v.is_null(),
        });
        // alterType 4: TDengine's TSDB_ALTER_TABLE_UPDATE_TAG_VAL.
        db.wal
            .log_meta(meta::alter(name, Some(stable), false, 4, extra), false);
    }
    Ok(affected())
}

/// The ALTER TABLE / STABLE clause from `toks[i]` on, applied to `name`.
fn alter_table(
    db: &Arc<Database>,
    name: &str,
    sql: &str,
    toks: Toks<'_, '_>,
    mut i: usize,
) -> Result<Outcome, ServerError> {
    let db = Arc::clone(db);
    let name = name.to_owned();
    if kw(toks, i, "MODIFY") {
        return modify(&db, &name, sql, toks, i + 1);
    }
    if kw(toks, i, "DROP") {
        return drop_field(&db, &name, sql, toks, i + 1);
    }
    if kw(toks, i, "RENAME") {
        return rename_field(&db, &name, sql, toks, i + 1);
    }
    expect_kw(toks, &mut i, "ADD", sql).map_err(|_| {
        unsupported("ALTER other than ADD / DROP / MODIFY / RENAME of a COLUMN or TAG")
    })?;
    let (is_tag, spec) = column_clause(toks, i, sql)?;
    let cname = spec.name.clone();
    super::types::field(&spec, db.precision)?;
    if let Some(st) = db.stable(&name) {
        let mut def = write(&st);
        if is_tag {
            super::evolve::add_tag(&db, &mut def, spec)?;
        } else {
            super::evolve::add_column(&db, &mut def, spec)?;
        }
        return Ok(affected());
    }
    let t = normal_table(&db, &name, is_tag)?;
    let mut cols = write(&t.columns);
    if cols.iter().any(|c| c.name == cname) {
        return Err(ServerError::from_code(Code::MND_COLUMN_ALREADY_EXIST));
    }
    cols.push(spec);
    let schema = schema_of(&cols, db.precision)?;
    write(&t.data).add_column(schema)?;
    Ok(affected())
}
