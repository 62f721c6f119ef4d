//! SHOW TABLE TAGS [tags] FROM [db.]tb [FROM db]: one row per child table (of a super
//! table, or the child table itself), `tbname` then its tags in their own types; and the
//! check SHOW TAGS FROM makes first.

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::Code;

use super::columns::vc;
use super::Parser;
use crate::engine::catalog::{read, Database};
use crate::engine::types::field;
use crate::engine::{Engine, ResultSet, Session};
use crate::ServerError;

/// What SHOW TAGS / TABLE TAGS answer for a table that does not exist.
fn no_meta() -> ServerError {
    ServerError::new(
        Code::PAR_GET_META_ERROR,
        "Fail to get table info, error: Table does not exist",
    )
}

/// SHOW TAGS FROM reads a table that exists.
pub(super) fn check_tag_table(db: &Database, table: &str) -> Result<(), ServerError> {
    if db.stable(table).is_some() || db.table(table).is_ok() {
        Ok(())
    } else {
        Err(no_meta())
    }
}

/// After `SHOW TABLE TAGS`.
pub(super) fn table_tags(
    e: &Engine,
    s: &Session,
    p: &mut Parser<'_, '_>,
) -> Result<ResultSet, ServerError> {
    // The optional list of tags (and TBNAME) before FROM.
    let mut wanted: Vec<String> = Vec::new();
    while !p.peek_kw("FROM") {
        wanted.push(p.name()?);
        if p.toks.get(p.i).is_some_and(|t| t.is_punct(",")) {
            p.i += 1;
        } else if !p.peek_kw("FROM") {
            return Err(p.syntax());
        }
    }
    p.expect_kw("FROM")?;
    let (mut dbn, table) = p.qualified()?;
    if p.eat_kw("FROM") {
        dbn = Some(p.name()?);
    }
    p.end()?;
    let db = e.resolve_db(s, dbn.as_deref())?;
    let (stable, children) = if db.stable(&table).is_some() {
        (table.clone(), db.children(&table))
    } else {
        let t = db.table(&table).map_err(|_| no_meta())?;
        match &t.child_of {
            Some((sn, _)) => (sn.clone(), vec![Arc::clone(&t)]),
            None => return Err(ServerError::from_code(Code::PAR_INVALID_TAGS_PC)),
        }
    };
    let tags: Vec<ColumnSpec> = db
        .stable(&stable)
        .map(|s| read(&s).tags.clone())
        .unwrap_or_default();
    // Which output columns: `None` is tbname, `Some(k)` the k-th tag.
    let picks: Vec<Option<usize>> = if wanted.is_empty() {
        std::iter::once(None)
            .chain((0..tags.len()).map(Some))
            .collect()
    } else {
        wanted
            .iter()
            .map(|w| {
                if w.eq_ignore_ascii_case("tbname") {
                    Ok(None)
                } else {
                    tags.iter()
                        .position(|t| t.name.eq_ignore_ascii_case(w))
                        .map(Some)
                        .ok_or_else(|| {
                            ServerError::new(
                                Code::PAR_INVALID_COLUMN,
                                format!("Invalid column name: {w}"),
                            )
                        })
                }
            })
            .collect::<Result<_, _>>()?
    };
    let values: Vec<Vec<ScalarValue>> = children
        .iter()
        .map(|c| {
            c.child_of
                .as_ref()
                .map(|(_, v)| read(v).clone())
                .unwrap_or_default()
        })
        .collect();
    let mut fields = Vec::with_capacity(picks.len());
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(picks.len());
    for pick in &picks {
        match pick {
            None => {
                fields.push(field(&vc("tbname", 192), db.precision)?);
                cols.push(Arc::new(StringArray::from_iter_values(
                    children.iter().map(|c| c.name.as_str()),
                )));
            }
            Some(k) => {
                let f = field(&tags[*k], db.precision)?;
                let cells = values
                    .iter()
                    .map(|v| v.get(*k).cloned().unwrap_or(ScalarValue::Null));
                let array = if children.is_empty() {
                    arrow::array::new_empty_array(f.data_type())
                } else {
                    let a = ScalarValue::iter_to_array(cells).map_err(ServerError::internal)?;
                    arrow::compute::cast(&a, f.data_type()).map_err(ServerError::internal)?
                };
                fields.push(f);
                cols.push(array);
            }
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), cols).map_err(ServerError::internal)?;
    Ok(ResultSet {
        schema,
        batches: vec![batch],
        precision: db.precision,
    })
}
