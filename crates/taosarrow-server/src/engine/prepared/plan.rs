//! Planning a prepared INSERT, in the order of its clauses: the target table (or `?`), the
//! `USING … TAGS (?, …)` tags, the data columns, then the column list and `VALUES (?, …)`.

use std::sync::Arc;

use taosarrow_codec::stmt2::{BindField, BindRole};
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, Precision, TdType};

use super::super::catalog::{read, table_not_exist, Database};
use super::super::lexer::{Kind, Token};
use super::super::users::Access;
use super::super::{qualified_name, syntax_at, Engine, Session};
use super::{split_name, unsupported_stmt, InsertPlan, OpenTable};
use crate::ServerError;

/// The placeholders planned so far and where their values go.
#[derive(Default)]
struct Placeholders {
    fields: Vec<BindField>,
    tag_index: Vec<usize>,
    col_index: Vec<usize>,
}

/// Plans the INSERT `toks` of `sql` (its first token is INSERT).
pub(super) fn insert(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<InsertPlan, ServerError> {
    let mut i = 1;
    // `INTO ?` or `INTO db.?`: the database named, and the token after the mark.
    let open_at = match (toks.get(2), toks.get(3), toks.get(4)) {
        (t, ..) if is_mark(t) => Some((None, 3)),
        (Some(d), Some(dot), t)
            if matches!(d.kind, Kind::Word | Kind::Quoted) && dot.is_punct(".") && is_mark(t) =>
        {
            Some((Some(d.name()), 5))
        }
        _ => None,
    };
    if let Some((db_name, after)) =
        open_at.filter(|&(_, k)| !toks.get(k).is_some_and(|t| t.is_kw("USING")))
    {
        if !toks.get(1).is_some_and(|t| t.is_kw("INTO")) {
            return Err(syntax_at(toks, 1, sql));
        }
        // `INSERT INTO [db.]? [(cols…)] VALUES (?, …)`: the columns are those of the table
        // named later (stmt v1 `set_table_name`, the stmt2 table-name section), whose name
        // may give the database; else it is `db`, else the current database then.
        let db = match &db_name {
            Some(d) => Some(e.resolve_db_for(s, Some(d), Access::Write)?),
            None => e.resolve_db_for(s, None, Access::Write).ok(),
        };
        let mut i = after;
        let (listed, n) = values_clause(sql, toks, &mut i)?;
        return Ok(InsertPlan {
            db,
            table: None,
            stable: None,
            fields: vec![tbname_field()],
            tag_index: Vec::new(),
            col_index: Vec::new(),
            open: Some(OpenTable {
                listed,
                n,
                catalog: Arc::clone(&e.catalog),
                guard: e.write_guard(s),
            }),
            commit: Arc::clone(e.commit_lock()),
            tz: s.timezone(),
        });
    }
    let (db, table) = target(e, s, sql, toks, &mut i)?;
    if let Some(t) = table
        .as_deref()
        .filter(|t| db.table(t).is_ok() || db.stable(t).is_some())
    {
        e.check_table(s, &db, t, Access::Write)?;
    }
    let mut p = Placeholders::default();
    if table.is_none() {
        p.fields.push(tbname_field());
    }
    let mut stable = using_tags(&db, sql, toks, &mut i, &mut p)?;
    // The data columns: the super table's (USING / tbname form) or the table's own.
    let target_stable = match (&stable, &table) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(t)) if db.stable(t).is_some() => Some(t.clone()),
        _ => None,
    };
    let via_stable_tbname = stable.is_none() && target_stable.is_some();
    let cols = data_columns(&db, target_stable.as_deref(), table.as_deref())?;
    let (listed, n) = values_clause(sql, toks, &mut i)?;
    let names = bound_names(listed, via_stable_tbname, &cols, n)?;
    if via_stable_tbname {
        let Some(sname) = &target_stable else {
            return Err(ServerError::syntax(sql));
        };
        tbname_form(&db, sname, &names, &mut p)?;
        stable = Some(sname.clone());
    } else {
        for name in &names {
            let k = position(&cols, name)?;
            p.col_index.push(k);
            p.fields
                .push(field(&cols[k], BindRole::Column, db.precision));
        }
    }
    if !p.col_index.contains(&0) {
        return Err(ServerError::new(
            Code::PAR_INVALID_COLUMN,
            "Invalid column name: primary timestamp column must be given",
        ));
    }
    let table = if via_stable_tbname { None } else { table };
    Ok(InsertPlan {
        db: Some(db),
        table,
        stable,
        fields: p.fields,
        tag_index: p.tag_index,
        col_index: p.col_index,
        open: None,
        commit: Arc::clone(e.commit_lock()),
        tz: s.timezone(),
    })
}

/// The plan of `INSERT INTO ? [(cols…)] VALUES (?, …)` (`plan`, whose table is `open`) for
/// the table `name` (`tb` or `db.tb`): a normal or child table that exists. Its fields are
/// the table-name placeholder, then the columns bound.
pub(super) fn named(
    plan: &InsertPlan,
    open: &OpenTable,
    name: &str,
) -> Result<InsertPlan, ServerError> {
    let (dname, bare) = split_name(name)?;
    let db = match dname {
        Some(d) => open.catalog.db(&d.to_ascii_lowercase())?,
        None => Arc::clone(plan.db()?),
    };
    let db = &db;
    if bare.len() > super::super::bind::MAX_TABLE_NAME {
        return Err(ServerError::new(
            Code::PAR_INVALID_IDENTIFIER_NAME,
            format!(
                "Invalid identifier name: table name longer than {} bytes",
                super::super::bind::MAX_TABLE_NAME
            ),
        ));
    }
    if db.stable(&bare).is_some() {
        // TDengine's answer to `INSERT INTO stb VALUES (?, …)` (no column list naming
        // `tbname`): a syntax error.
        return Err(ServerError::new(
            Code::TSC_SQL_SYNTAX_ERROR,
            format!(
                "syntax error: {bare} is a super table: (...tbname, ts...) bounded cols is \
                 expected for supertable insertion"
            ),
        ));
    }
    let tb = db.table(&bare)?;
    open.guard.check(db, &bare)?;
    let cols = db.columns_of(&tb)?;
    let names = bound_names(open.listed.clone(), false, &cols, open.n)?;
    let mut fields = vec![tbname_field()];
    let mut col_index = Vec::with_capacity(names.len());
    for n in &names {
        let k = position(&cols, n)?;
        col_index.push(k);
        fields.push(field(&cols[k], BindRole::Column, db.precision));
    }
    if !col_index.contains(&0) {
        return Err(ServerError::new(
            Code::PAR_INVALID_COLUMN,
            "Invalid column name: primary timestamp column must be given",
        ));
    }
    Ok(InsertPlan {
        db: Some(Arc::clone(db)),
        table: None,
        stable: None,
        fields,
        tag_index: Vec::new(),
        col_index,
        open: None,
        commit: Arc::clone(&plan.commit),
        tz: plan.tz,
    })
}

/// `INTO name` or `INTO ?` from `*i`: the database (of the name, else of the `USING` super
/// table, else the current one) and the table named, if any.
fn target(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
) -> Result<(Arc<Database>, Option<String>), ServerError> {
    if !toks.get(*i).is_some_and(|t| t.is_kw("INTO")) {
        return Err(syntax_at(toks, *i, sql));
    }
    *i += 1;
    let (db_name, table) = if is_mark(toks.get(*i)) {
        *i += 1;
        (None, None)
    } else {
        let (d, t) = qualified_name(toks, i, sql)?;
        (d, Some(t))
    };
    // `INSERT INTO ? USING db.stb …` takes the database from the super table.
    let using_db = if table.is_none() && toks.get(*i).is_some_and(|t| t.is_kw("USING")) {
        let mut j = *i + 1;
        qualified_name(toks, &mut j, sql)?.0
    } else {
        None
    };
    let db = e.resolve_db_for(s, db_name.as_deref().or(using_db.as_deref()), Access::Write)?;
    Ok((db, table))
}

/// `USING stb [(tags)] TAGS (?, …)` at `*i`, if there: adds the tag placeholders and returns
/// the super table.
fn using_tags(
    db: &Database,
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
    p: &mut Placeholders,
) -> Result<Option<String>, ServerError> {
    if !toks.get(*i).is_some_and(|t| t.is_kw("USING")) {
        return Ok(None);
    }
    *i += 1;
    let (sdb, sname) = qualified_name(toks, i, sql)?;
    if sdb.is_some_and(|d| d != db.name) {
        return Err(unsupported_stmt("a super table in another database"));
    }
    let st = db.stable(&sname).ok_or_else(|| table_not_exist(&sname))?;
    let def = read(&st).clone();
    let names = if toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        name_list(toks, i, sql)?
    } else {
        def.tags.iter().map(|t| t.name.clone()).collect()
    };
    if !toks.get(*i).is_some_and(|t| t.is_kw("TAGS")) {
        return Err(syntax_at(toks, *i, sql));
    }
    *i += 1;
    let n = mark_list(toks, i, sql)?;
    if n != names.len() {
        return Err(ServerError::new(
            Code::PAR_INCORRECT_NUM_OF_COL,
            "Illegal number of tags",
        ));
    }
    for name in &names {
        let k = position(&def.tags, name)?;
        p.tag_index.push(k);
        p.fields
            .push(field(&def.tags[k], BindRole::Tag, db.precision));
    }
    Ok(Some(sname))
}

/// The data columns rows are written to: the super table's, else the named table's.
fn data_columns(
    db: &Database,
    stable: Option<&str>,
    table: Option<&str>,
) -> Result<Vec<ColumnSpec>, ServerError> {
    match (stable, table) {
        (Some(s), _) => {
            let st = db.stable(s).ok_or_else(|| table_not_exist(s))?;
            let cols = read(&st).columns.clone();
            Ok(cols)
        }
        (None, Some(t)) => {
            let tb = db.table(t)?;
            db.columns_of(&tb)
        }
        (None, None) => Err(ServerError::new(
            Code::TSC_STMT_TBNAME_ERROR,
            "Stmt table name not set",
        )),
    }
}

/// `[(cols…)] VALUES (?, …)` at `*i`, ending the statement: the column list, if any, and
/// the number of placeholders.
fn values_clause(
    sql: &str,
    toks: &[Token<'_>],
    i: &mut usize,
) -> Result<(Option<Vec<String>>, usize), ServerError> {
    let listed = if toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        Some(name_list(toks, i, sql)?)
    } else {
        None
    };
    if !toks
        .get(*i)
        .is_some_and(|t| t.is_kw("VALUES") || t.is_kw("VALUE"))
    {
        return Err(syntax_at(toks, *i, sql));
    }
    *i += 1;
    let n = mark_list(toks, i, sql)?;
    if *i != toks.len() {
        return Err(unsupported_stmt("more than one VALUES clause"));
    }
    Ok((listed, n))
}

/// The names the `n` VALUES placeholders bind: the column list, else every column.
fn bound_names(
    listed: Option<Vec<String>>,
    via_stable_tbname: bool,
    cols: &[ColumnSpec],
    n: usize,
) -> Result<Vec<String>, ServerError> {
    let names: Vec<String> = match listed {
        Some(v) => v,
        None if via_stable_tbname => {
            return Err(unsupported_stmt(
                "a super table without a column list naming `tbname`",
            ))
        }
        None => cols.iter().map(|c| c.name.clone()).collect(),
    };
    if n != names.len() {
        return Err(ServerError::new(
            Code::PAR_INCORRECT_NUM_OF_COL,
            "Illegal number of columns",
        ));
    }
    Ok(names)
}

/// `INSERT INTO stb (tbname, tag…, col…)`: adds the placeholders of `names` in the order the
/// column list gives them, roles mixed, as TDengine reports them (`stmt2.md` §4: fields in
/// placeholder order); the bind payload still groups values by role.
fn tbname_form(
    db: &Database,
    sname: &str,
    names: &[String],
    p: &mut Placeholders,
) -> Result<(), ServerError> {
    let st = db.stable(sname).ok_or_else(|| table_not_exist(sname))?;
    let def = read(&st).clone();
    let mut tb_seen = false;
    for name in names {
        if name.eq_ignore_ascii_case("tbname") {
            tb_seen = true;
            p.fields.push(tbname_field());
        } else if let Ok(k) = position(&def.tags, name) {
            p.tag_index.push(k);
            p.fields
                .push(field(&def.tags[k], BindRole::Tag, db.precision));
        } else {
            let k = position(&def.columns, name)?;
            p.col_index.push(k);
            p.fields
                .push(field(&def.columns[k], BindRole::Column, db.precision));
        }
    }
    if !tb_seen {
        return Err(unsupported_stmt(
            "a super table without a column list naming `tbname`",
        ));
    }
    Ok(())
}

/// The table-name placeholder.
fn tbname_field() -> BindField {
    let mut f = BindField::new("tbname", TdType::VarChar, BindRole::TableName);
    f.bytes = super::super::bind::TBNAME_BYTES;
    f
}

/// Whether `t` is a `?` placeholder.
fn is_mark(t: Option<&Token<'_>>) -> bool {
    t.is_some_and(|t| t.is_punct("?"))
}

/// A parenthesised name list `(a, b, …)` at `i`.
fn name_list(toks: &[Token<'_>], i: &mut usize, sql: &str) -> Result<Vec<String>, ServerError> {
    let mut v = Vec::new();
    *i += 1;
    loop {
        let t = toks.get(*i).ok_or_else(|| syntax_at(toks, *i, sql))?;
        if !matches!(t.kind, Kind::Word | Kind::Quoted) {
            return Err(syntax_at(toks, *i, sql));
        }
        v.push(t.name());
        *i += 1;
        match toks.get(*i) {
            Some(t) if t.is_punct(")") => {
                *i += 1;
                return Ok(v);
            }
            Some(t) if t.is_punct(",") => *i += 1,
            _ => return Err(syntax_at(toks, *i, sql)),
        }
    }
}

/// A parenthesised list of `?` at `i`; returns how many.
fn mark_list(toks: &[Token<'_>], i: &mut usize, sql: &str) -> Result<usize, ServerError> {
    if !toks.get(*i).is_some_and(|t| t.is_punct("(")) {
        return Err(syntax_at(toks, *i, sql));
    }
    *i += 1;
    let mut n = 0;
    loop {
        if !is_mark(toks.get(*i)) {
            return Err(unsupported_stmt("a literal value among the placeholders"));
        }
        n += 1;
        *i += 1;
        match toks.get(*i) {
            Some(t) if t.is_punct(")") => {
                *i += 1;
                return Ok(n);
            }
            Some(t) if t.is_punct(",") => *i += 1,
            _ => return Err(syntax_at(toks, *i, sql)),
        }
    }
}

/// The placeholder of `spec` in `role`.
fn field(spec: &ColumnSpec, role: BindRole, precision: Precision) -> BindField {
    let mut f = BindField::new(spec.name.clone(), spec.ty, role);
    f.bytes = super::super::bind::wire_bytes(spec);
    if spec.ty == TdType::Timestamp {
        f.precision = precision.code();
    } else if spec.ty.is_decimal() {
        f.precision = spec.precision;
        f.scale = spec.scale;
    }
    f
}

/// The index of the column `name` (case-insensitive) in `specs`.
fn position(specs: &[ColumnSpec], name: &str) -> Result<usize, ServerError> {
    specs
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            ServerError::new(
                Code::PAR_INVALID_COLUMN,
                format!("Invalid column name: {name}"),
            )
        })
}
