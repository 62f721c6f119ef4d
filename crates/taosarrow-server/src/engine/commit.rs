//! Applying writes: every table one INSERT statement or one stmt2 exec writes is checked
//! first, then all of them are applied under one commit. A failure stores nothing, and no
//! reader sees part of a write: readers take the [`CommitLock`] shared while they copy the
//! tables of a statement, writers and DDL take it exclusively.
//!
//! Because a row whose timestamp is already stored replaces the older one, applying the same
//! write twice leaves what applying it once left: a client may re-send a write whose outcome
//! it did not see.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::Code;

use super::catalog::{read, table_not_exist, write, Database, Table};
use super::tmq::meta;
use super::tmq::wal::LoggedRows;
use crate::ServerError;

/// Orders writes against reads of several tables (see the module documentation). One per
/// engine, shared by its clones.
#[derive(Debug, Default)]
pub struct CommitLock(RwLock<()>);

impl CommitLock {
    /// Held while a statement copies its tables: no commit lands meanwhile. Take it once per
    /// statement (a second shared acquisition by the same thread can wait on a writer).
    pub fn reading(&self) -> RwLockReadGuard<'_, ()> {
        read(&self.0)
    }

    /// Held while a commit or a DDL statement changes tables.
    pub fn writing(&self) -> RwLockWriteGuard<'_, ()> {
        write(&self.0)
    }
}

/// The rows one write puts into one table.
#[derive(Debug)]
pub struct TableWrite {
    /// The table's database.
    pub db: Arc<Database>,
    /// The table's name.
    pub name: String,
    /// How to create the table if it does not exist when the write is applied; `None` means
    /// it must exist.
    pub create: Option<NewChild>,
    /// The rows, in the table's columns.
    pub batch: RecordBatch,
}

/// A child table created on demand (`USING … TAGS`, a bound super table).
#[derive(Debug, Clone)]
pub struct NewChild {
    /// The super table.
    pub stable: String,
    /// Its data columns.
    pub columns: Vec<ColumnSpec>,
    /// Their Arrow schema.
    pub schema: SchemaRef,
    /// The tag values, one per tag of the super table.
    pub tags: Vec<ScalarValue>,
    /// Time to live in days (`TTL`); 0 = none.
    pub ttl_days: i32,
}

/// Applies `writes` as one commit: all of them or, on the first error, none (no table
/// created, no row stored). Returns the rows written.
pub fn commit(lock: &CommitLock, writes: Vec<TableWrite>) -> Result<u64, ServerError> {
    let _commit = lock.writing();
    let mut created: HashMap<(String, String), Arc<Table>> = HashMap::new();
    let mut new_tables: Vec<(Arc<Database>, Arc<Table>)> = Vec::new();
    let mut checked = Vec::with_capacity(writes.len());
    for w in writes {
        let key = (w.db.name.clone(), w.name.clone());
        let table = match created.get(&key) {
            Some(t) => Arc::clone(t),
            None => match (w.db.table(&w.name), &w.create) {
                (Ok(t), _) => t,
                (Err(_), Some(child)) => {
                    if w.db.stable(&w.name).is_some() {
                        return Err(ServerError::from_code(Code::MND_STB_ALREADY_EXIST));
                    }
                    let t = Arc::new(Table::new(
                        &w.name,
                        child.columns.clone(),
                        child.schema.clone(),
                        Some((child.stable.clone(), child.tags.clone())),
                    ));
                    t.set_ttl_days(child.ttl_days);
                    created.insert(key, Arc::clone(&t));
                    new_tables.push((Arc::clone(&w.db), Arc::clone(&t)));
                    t
                }
                (Err(e), None) => return Err(e),
            },
        };
        let data = read(&table.data);
        // The columns changed since the rows were read (an ALTER in between).
        if data.schema().fields().len() != w.batch.num_columns() {
            return Err(table_not_exist(&w.name));
        }
        let batch = data.check(w.batch)?;
        drop(data);
        checked.push((w.db, table, batch));
    }
    // Nothing below fails: the commit is applied whole.
    for (db, t) in &new_tables {
        db.adopt_table(Arc::clone(t));
        log_created_child(db, t);
    }
    let mut rows = 0;
    let mut logged: Vec<(Arc<Database>, Vec<LoggedRows>)> = Vec::new();
    for (db, table, batch) in checked {
        let entry = LoggedRows {
            table: table.name.clone(),
            stable: table.child_of.as_ref().map(|(s, _)| s.clone()),
            batch: batch.batch().clone(),
        };
        match logged.iter_mut().find(|(d, _)| Arc::ptr_eq(d, &db)) {
            Some((_, v)) => v.push(entry),
            None => logged.push((db, vec![entry])),
        }
        rows += write(&table.data).append(batch);
    }
    // Logged under the commit lock: the log's order is the commit order.
    for (db, entries) in logged {
        db.wal.log_rows(entries);
    }
    Ok(rows)
}

/// Logs the creation of a child table an insert made (`USING … TAGS`), for `WITH META`.
fn log_created_child(db: &Database, t: &Table) {
    let Some((stable, tags)) = &t.child_of else {
        return;
    };
    let Some(def) = db.stable(stable) else {
        return;
    };
    let specs = read(&def).tags.clone();
    let values = read(tags).clone();
    db.wal
        .log_meta(meta::create_child(&t.name, stable, &specs, &values), false);
}
