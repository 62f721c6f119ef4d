//! The in-memory catalog: databases, super tables, child and normal tables, their schemas.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use arrow::datatypes::{Schema, SchemaRef};
use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, Precision};

use super::storage::{SharedData, TableData};
use super::tmq::wal::{
    Retention, Wal, DEFAULT_RETENTION_PERIOD_S, DEFAULT_RETENTION_SIZE_KB, DEFAULT_VGROUPS,
};
use super::types::field;
use crate::ServerError;

/// Poisoned locks only follow a panic elsewhere; the data is still consistent enough to read.
pub fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

/// See [`read`].
pub fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

/// Columns (first = timestamp) and tags of a super table.
#[derive(Debug, Clone)]
pub struct StableDef {
    /// Name.
    pub name: String,
    /// Data columns.
    pub columns: Vec<ColumnSpec>,
    /// Tag columns.
    pub tags: Vec<ColumnSpec>,
}

/// A child or normal table.
#[derive(Debug)]
pub struct Table {
    /// Name.
    pub name: String,
    /// Super table name and tag values (one per tag of the super table) for child tables.
    pub child_of: Option<(String, RwLock<Vec<ScalarValue>>)>,
    /// Columns of a normal table (child tables use their super table's).
    pub columns: RwLock<Vec<ColumnSpec>>,
    /// Rows.
    pub data: SharedData,
    /// Creation time (ms).
    pub created: i64,
    /// Time to live in days (`TTL`); 0 = none.
    ttl_days: std::sync::atomic::AtomicI32,
}

impl Table {
    /// Time to live in days; 0 = none.
    pub fn ttl_days(&self) -> i32 {
        self.ttl_days.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets the time to live in days.
    pub fn set_ttl_days(&self, days: i32) {
        self.ttl_days
            .store(days, std::sync::atomic::Ordering::Relaxed);
    }

    /// A table with no rows yet, not in any database (see [`Database::adopt_table`]).
    pub fn new(
        name: &str,
        columns: Vec<ColumnSpec>,
        schema: SchemaRef,
        child_of: Option<(String, Vec<ScalarValue>)>,
    ) -> Self {
        Table {
            name: name.to_owned(),
            child_of: child_of.map(|(s, tags)| (s, RwLock::new(tags))),
            columns: RwLock::new(columns),
            data: Arc::new(RwLock::new(TableData::new(schema))),
            created: now_ms(),
            ttl_days: Default::default(),
        }
    }
}

/// A database.
#[derive(Debug)]
pub struct Database {
    /// Name.
    pub name: String,
    /// Timestamp precision.
    pub precision: Precision,
    /// Other options as written (`KEEP 3650`, …); ALTER DATABASE changes some.
    pub options: RwLock<Vec<(String, String)>>,
    /// Creation time (ms).
    pub created: i64,
    /// Super tables.
    pub stables: RwLock<BTreeMap<String, Arc<RwLock<StableDef>>>>,
    /// Child and normal tables.
    pub tables: RwLock<BTreeMap<String, Arc<Table>>>,
    /// The write-ahead log of its vgroups (what TMQ consumers read).
    pub wal: Wal,
    /// Views: name → the query text, and when each was made (ms).
    pub views: RwLock<BTreeMap<String, View>>,
}

/// A view: a named query, read as a subquery wherever the view is named in FROM.
#[derive(Debug, Clone)]
pub struct View {
    /// The query (`SELECT …`).
    pub query: String,
    /// Creation time (ms).
    pub created: i64,
    /// The user who made it.
    pub owner: Option<String>,
}

/// Arrow schema of `cols` in `precision`.
pub fn schema_of(cols: &[ColumnSpec], precision: Precision) -> Result<SchemaRef, ServerError> {
    let fields = cols
        .iter()
        .map(|c| field(c, precision))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arc::new(Schema::new(fields)))
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Database {
    /// A new empty database.
    /// A new empty database. `options` may set `vgroups`, `wal_retention_period` and
    /// `wal_retention_size` (unparsable values were rejected by CREATE DATABASE).
    pub fn new(name: String, precision: Precision, options: Vec<(String, String)>) -> Self {
        let opt = |k: &str| {
            options
                .iter()
                .find(|(key, _)| key == k)
                .and_then(|(_, v)| v.parse::<i64>().ok())
        };
        let vgroups = opt("vgroups")
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(DEFAULT_VGROUPS);
        let retention = Retention {
            period_s: opt("wal_retention_period").unwrap_or(DEFAULT_RETENTION_PERIOD_S),
            size_kb: opt("wal_retention_size").unwrap_or(DEFAULT_RETENTION_SIZE_KB),
        };
        Database {
            name,
            precision,
            options: RwLock::new(options),
            created: now_ms(),
            stables: RwLock::default(),
            tables: RwLock::default(),
            wal: Wal::new(vgroups, retention),
            views: RwLock::default(),
        }
    }

    /// The table `name`, or 0x2603.
    pub fn table(&self, name: &str) -> Result<Arc<Table>, ServerError> {
        read(&self.tables)
            .get(name)
            .cloned()
            .ok_or_else(|| table_not_exist(name))
    }

    /// The super table `name`, if any.
    pub fn stable(&self, name: &str) -> Option<Arc<RwLock<StableDef>>> {
        read(&self.stables).get(name).cloned()
    }

    /// Creates a table; `columns` for normal tables, the super table's for child tables.
    pub fn create_table(
        &self,
        name: &str,
        columns: Vec<ColumnSpec>,
        child_of: Option<(String, Vec<ScalarValue>)>,
        if_not_exists: bool,
    ) -> Result<Arc<Table>, ServerError> {
        let schema = schema_of(&columns, self.precision)?;
        self.create_table_with_schema(name, columns, schema, child_of, if_not_exists)
    }

    /// [`Database::create_table`] with the Arrow schema of `columns` already built (the
    /// super table's, shared by the child tables one insert creates).
    pub fn create_table_with_schema(
        &self,
        name: &str,
        columns: Vec<ColumnSpec>,
        schema: SchemaRef,
        child_of: Option<(String, Vec<ScalarValue>)>,
        if_not_exists: bool,
    ) -> Result<Arc<Table>, ServerError> {
        if read(&self.stables).contains_key(name) {
            return Err(ServerError::from_code(Code::MND_STB_ALREADY_EXIST));
        }
        let mut tables = write(&self.tables);
        if let Some(t) = tables.get(name) {
            return if if_not_exists {
                Ok(t.clone())
            } else {
                Err(ServerError::from_code(Code::TDB_TABLE_ALREADY_EXIST))
            };
        }
        let t = Arc::new(Table::new(name, columns, schema, child_of));
        tables.insert(name.to_owned(), t.clone());
        Ok(t)
    }

    /// Adds a table built by [`Table::new`] under its name, replacing nothing: a table of
    /// that name already there is kept. The caller checked the name is free (under the
    /// commit lock, which DDL also takes, so it still is).
    pub fn adopt_table(&self, t: Arc<Table>) {
        write(&self.tables).entry(t.name.clone()).or_insert(t);
    }

    /// The data columns of a table (its super table's for a child table).
    pub fn columns_of(&self, t: &Table) -> Result<Vec<ColumnSpec>, ServerError> {
        match &t.child_of {
            Some((s, _)) => {
                let st = self.stable(s).ok_or_else(|| table_not_exist(s))?;
                let cols = read(&st).columns.clone();
                Ok(cols)
            }
            None => Ok(read(&t.columns).clone()),
        }
    }

    /// Child tables of super table `stable`.
    pub fn children(&self, stable: &str) -> Vec<Arc<Table>> {
        read(&self.tables)
            .values()
            .filter(|t| t.child_of.as_ref().is_some_and(|(s, _)| s == stable))
            .cloned()
            .collect()
    }
}

/// 0x2603 `Table does not exist: <name>`.
pub fn table_not_exist(name: &str) -> ServerError {
    ServerError::new(
        Code::PAR_TABLE_NOT_EXIST,
        format!("Table does not exist: {name}"),
    )
}

/// All databases.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Databases by name.
    pub dbs: RwLock<BTreeMap<String, Arc<Database>>>,
}

impl Catalog {
    /// The database `name`, or 0x0388.
    pub fn db(&self, name: &str) -> Result<Arc<Database>, ServerError> {
        read(&self.dbs)
            .get(name)
            .cloned()
            .ok_or_else(|| ServerError::from_code(Code::MND_DB_NOT_EXIST))
    }
}
