//! The rows of SHOW DATABASES, SHOW STABLES and SHOW TABLES, filtered by LIKE, and of
//! SHOW DNODES.

use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Precision, TdType};

use super::columns::{ints, kept, smallints, strs, ts, vc};
use super::INFORMATION_SCHEMA;
use crate::engine::catalog::read;
use crate::engine::like::like;
use crate::engine::result::from_columns;
use crate::engine::{Engine, ResultSet, Session};
use crate::ServerError;

/// The system databases SHOW DATABASES lists first.
const SYSTEM_DATABASES: [&str; 2] = [INFORMATION_SCHEMA, "performance_schema"];

/// True when `name` matches the LIKE pattern (every name without one).
fn matches(pattern: Option<&str>, name: &str) -> bool {
    pattern.is_none_or(|p| like(p, name))
}

/// SHOW DATABASES: the system databases, then every database of the catalog.
pub(super) fn databases(e: &Engine, like: Option<&str>) -> Result<ResultSet, ServerError> {
    let dbs: Vec<_> = read(&e.catalog().dbs).values().cloned().collect();
    let mut names: Vec<Option<String>> = SYSTEM_DATABASES
        .iter()
        .map(|n| Some((*n).to_owned()))
        .collect();
    let mut created = vec![None; SYSTEM_DATABASES.len()];
    let mut ntables = vec![None; SYSTEM_DATABASES.len()];
    let mut prec = vec![Some("ms".to_owned()); SYSTEM_DATABASES.len()];
    for d in &dbs {
        names.push(Some(d.name.clone()));
        created.push(Some(d.created));
        ntables.push(Some(read(&d.tables).len() as i32));
        prec.push(Some(d.precision.name().to_owned()));
    }
    let keep: Vec<bool> = names
        .iter()
        .map(|n| matches(like, n.as_deref().unwrap_or("")))
        .collect();
    from_columns(
        &[
            vc("name", 64),
            ColumnSpec::new("create_time", TdType::Timestamp),
            ColumnSpec::new("ntables", TdType::Int),
            vc("precision", 2),
        ],
        vec![
            strs(kept(names, &keep)),
            ts(kept(created, &keep)),
            ints(kept(ntables, &keep)),
            strs(kept(prec, &keep)),
        ],
        Precision::Millisecond,
    )
}

/// SHOW [db.]STABLES.
pub(super) fn stables(
    e: &Engine,
    s: &Session,
    db: Option<&str>,
    like: Option<&str>,
) -> Result<ResultSet, ServerError> {
    let db = e.resolve_db(s, db)?;
    let st: Vec<_> = read(&db.stables)
        .values()
        .map(|d| read(d).clone())
        .filter(|d| matches(like, &d.name))
        .collect();
    from_columns(
        &[
            vc("stable_name", 192),
            vc("db_name", 64),
            ColumnSpec::new("create_time", TdType::Timestamp),
            ColumnSpec::new("columns", TdType::Int),
            ColumnSpec::new("tags", TdType::Int),
        ],
        vec![
            strs(st.iter().map(|d| Some(d.name.clone()))),
            strs(st.iter().map(|_| Some(db.name.clone()))),
            ts(st.iter().map(|_| Some(db.created))),
            ints(st.iter().map(|d| Some(d.columns.len() as i32))),
            ints(st.iter().map(|d| Some(d.tags.len() as i32))),
        ],
        Precision::Millisecond,
    )
}

/// SHOW [db.]TABLES: normal and child tables.
pub(super) fn tables(
    e: &Engine,
    s: &Session,
    db: Option<&str>,
    like: Option<&str>,
) -> Result<ResultSet, ServerError> {
    let db = e.resolve_db(s, db)?;
    let tables: Vec<_> = read(&db.tables)
        .values()
        .filter(|t| matches(like, &t.name))
        .cloned()
        .collect();
    let mut ncols = Vec::with_capacity(tables.len());
    for t in &tables {
        ncols.push(Some(db.columns_of(t)?.len() as i32));
    }
    from_columns(
        &[
            vc("table_name", 192),
            vc("db_name", 64),
            ColumnSpec::new("create_time", TdType::Timestamp),
            ColumnSpec::new("columns", TdType::Int),
            vc("stable_name", 192),
            vc("type", 21),
        ],
        vec![
            strs(tables.iter().map(|t| Some(t.name.clone()))),
            strs(tables.iter().map(|_| Some(db.name.clone()))),
            ts(tables.iter().map(|t| Some(t.created))),
            ints(ncols),
            strs(
                tables
                    .iter()
                    .map(|t| t.child_of.as_ref().map(|(s, _)| s.clone())),
            ),
            strs(tables.iter().map(|t| {
                let kind = if t.child_of.is_some() {
                    "CHILD_TABLE"
                } else {
                    "NORMAL_TABLE"
                };
                Some(kind.to_owned())
            })),
        ],
        Precision::Millisecond,
    )
}

/// SHOW DNODES: the one dnode the server is, with TDengine 3's columns (`systable.c`
/// `dnodesSchema`; `machine_id` is the enterprise edition's). Its vnodes are its user
/// databases, one each; it has no vnode limit, so `support_vnodes` is the largest SMALLINT.
pub(super) fn dnodes(e: &Engine) -> Result<ResultSet, ServerError> {
    let node = e.dnode();
    let databases = read(&e.catalog().dbs).len();
    from_columns(
        &[
            ColumnSpec::new("id", TdType::Int),
            vc("endpoint", 134),
            ColumnSpec::new("vnodes", TdType::SmallInt),
            ColumnSpec::new("support_vnodes", TdType::SmallInt),
            vc("status", 10),
            ColumnSpec::new("create_time", TdType::Timestamp),
            ColumnSpec::new("reboot_time", TdType::Timestamp),
            vc("note", 256),
        ],
        vec![
            ints([Some(1)]),
            strs([Some(node.endpoint.clone())]),
            smallints([Some(i16::try_from(databases).unwrap_or(i16::MAX))]),
            smallints([Some(i16::MAX)]),
            strs([Some("ready".to_owned())]),
            ts([Some(node.created)]),
            ts([Some(node.started)]),
            strs([Some(String::new())]),
        ],
        Precision::Millisecond,
    )
}
