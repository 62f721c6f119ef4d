//! DESCRIBE: the columns, then the tags, of a table or super table.

use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Precision, TdType};

use super::columns::{ints, strs, vc};
use crate::engine::catalog::{read, table_not_exist};
use crate::engine::result::from_columns;
use crate::engine::{Engine, ResultSet, Session};
use crate::ServerError;

/// DESCRIBE [db.]name.
pub(super) fn describe(
    e: &Engine,
    s: &Session,
    dbn: Option<&str>,
    name: &str,
) -> Result<ResultSet, ServerError> {
    let db = e.resolve_db(s, dbn)?;
    let (cols, tags) = if let Some(st) = db.stable(name) {
        let d = read(&st);
        (d.columns.clone(), d.tags.clone())
    } else {
        let t = db.table(name).map_err(|_| table_not_exist(name))?;
        let cols = db.columns_of(&t)?;
        let tags = match &t.child_of {
            Some((sn, _)) => db
                .stable(sn)
                .map(|s| read(&s).tags.clone())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        (cols, tags)
    };
    let all: Vec<(&ColumnSpec, bool)> = cols
        .iter()
        .map(|c| (c, false))
        .chain(tags.iter().map(|t| (t, true)))
        .collect();
    from_columns(
        &[
            vc("field", 64),
            vc("type", 32),
            ColumnSpec::new("length", TdType::Int),
            vc("note", 16),
        ],
        vec![
            strs(all.iter().map(|(c, _)| Some(c.name.clone()))),
            strs(all.iter().map(|(c, _)| Some(c.type_name()))),
            ints(all.iter().map(|(c, _)| Some(c.length as i32))),
            strs(
                all.iter()
                    .map(|(_, tag)| Some(if *tag { "TAG" } else { "" }.to_owned())),
            ),
        ],
        Precision::Millisecond,
    )
}
