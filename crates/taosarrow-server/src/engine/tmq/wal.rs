//! The write-ahead log a database keeps per vgroup, which TMQ consumers read (`tmq.md` §4).
//!
//! Every commit and every DDL statement gets the next version of the vgroups it touches, in
//! commit order. What an entry holds:
//!
//! * DDL (create/alter/drop of super, child and normal tables) is always kept: a few hundred
//!   bytes of JSON each, read by `WITH META` topics.
//! * Rows are kept while the database has at least one topic, as the `RecordBatch`es that were
//!   written (their buffers shared with storage, not copied). A database with no topic spends
//!   only the version number on a write. When its first topic is created, each vgroup's
//!   current rows are logged once ([`Wal::seed`]), so that an `earliest` consumer of a topic
//!   made after the data still reads it, as it would from TDengine's retained WAL.
//!
//! Entries older than `WAL_RETENTION_PERIOD` seconds, or beyond `WAL_RETENTION_SIZE` KB, are
//! trimmed (TDengine 3.3's defaults: 3600 s, no size limit).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arrow::record_batch::RecordBatch;

/// TDengine 3.3's default `WAL_RETENTION_PERIOD`, in seconds.
pub const DEFAULT_RETENTION_PERIOD_S: i64 = 3600;
/// TDengine 3.3's default `WAL_RETENTION_SIZE` (KB): -1 = no limit.
pub const DEFAULT_RETENTION_SIZE_KB: i64 = -1;
/// The default `VGROUPS` of a database.
pub const DEFAULT_VGROUPS: usize = 2;
/// The most vgroups a database may have (TDengine's limit).
pub const MAX_VGROUPS: usize = 1024;

/// Vgroup ids are unique across databases, as in a TDengine cluster; TDengine's first is 2.
static NEXT_VGROUP_ID: AtomicI32 = AtomicI32::new(2);

/// The rows one commit wrote into one table.
#[derive(Debug, Clone)]
pub struct LoggedRows {
    /// The table written.
    pub table: String,
    /// Its super table, for a child table.
    pub stable: Option<String>,
    /// The rows as written, in the table's columns.
    pub batch: RecordBatch,
}

/// One DDL statement as a `WITH META` topic delivers it.
#[derive(Debug, Clone)]
pub struct MetaEvent {
    /// The table the statement is about (a super table's name for its own DDL).
    pub table: String,
    /// The super table it concerns: the table itself for super-table DDL, the parent of a
    /// child table; `None` for a normal table.
    pub stable: Option<String>,
    /// The JSON `fetch_json_meta` returns (`tmq.md` §3.8).
    pub json: serde_json::Value,
}

/// What one log entry holds.
#[derive(Debug, Clone)]
pub enum Logged {
    /// The rows of one commit in this vgroup, one element per table.
    Rows(Arc<Vec<LoggedRows>>),
    /// One DDL statement.
    Meta(Arc<MetaEvent>),
}

/// One version of a vgroup's log.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The version (offset) of the entry.
    pub version: i64,
    /// When it was logged (ms since the epoch).
    pub at_ms: i64,
    /// Bytes it holds (Arrow buffer sizes), for `WAL_RETENTION_SIZE`.
    pub bytes: usize,
    /// The rows or the DDL.
    pub body: Logged,
}

impl Entry {
    /// Rows in the entry (0 for DDL).
    pub fn num_rows(&self) -> usize {
        match &self.body {
            Logged::Rows(r) => r.iter().map(|t| t.batch.num_rows()).sum(),
            Logged::Meta(_) => 0,
        }
    }
}

#[derive(Debug, Default)]
struct LogInner {
    /// The first version still retained (what `assignment` reports as `begin`).
    begin: i64,
    /// The version the next entry gets (`end`).
    next: i64,
    entries: VecDeque<Entry>,
    bytes: usize,
}

/// The log of one vgroup.
#[derive(Debug)]
pub struct VgroupLog {
    /// The vgroup id.
    pub id: i32,
    inner: Mutex<LogInner>,
}

/// A read of a vgroup's log from some version on.
#[derive(Debug, Clone)]
pub struct LogRead {
    /// The entries read, in version order.
    pub entries: Vec<Entry>,
    /// The first version retained when read.
    pub begin: i64,
    /// The version after the last one logged when read.
    pub end: i64,
}

impl VgroupLog {
    fn lock(&self) -> MutexGuard<'_, LogInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `(begin, end)`: the first retained version and the version after the last.
    pub fn range(&self) -> (i64, i64) {
        let g = self.lock();
        (g.begin, g.next)
    }

    /// The entries from `from` on (from `begin` when `from` is older), up to about
    /// `max_rows` rows (at least one entry when there is one).
    pub fn read(&self, from: i64, max_rows: usize) -> LogRead {
        let g = self.lock();
        let mut entries = Vec::new();
        let mut rows = 0;
        let start = g.entries.partition_point(|e| e.version < from);
        for e in g.entries.iter().skip(start) {
            if !entries.is_empty() && rows + e.num_rows() > max_rows {
                break;
            }
            rows += e.num_rows();
            entries.push(e.clone());
        }
        LogRead {
            entries,
            begin: g.begin,
            end: g.next,
        }
    }

    fn push(&self, body: Option<Logged>, retention: Retention) -> i64 {
        let mut g = self.lock();
        let version = g.next;
        g.next += 1;
        if let Some(body) = body {
            let bytes = match &body {
                Logged::Rows(r) => r.iter().map(|t| t.batch.get_array_memory_size()).sum(),
                Logged::Meta(m) => m.json.to_string().len(),
            };
            g.bytes += bytes;
            g.entries.push_back(Entry {
                version,
                at_ms: super::super::catalog::now_ms(),
                bytes,
                body,
            });
        } else if g.entries.is_empty() {
            // Nothing retained before this version: the range starts after it.
            g.begin = g.next;
        }
        retention.trim(&mut g);
        version
    }
}

/// How long and how much a log keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// `WAL_RETENTION_PERIOD` in seconds; ≤ 0 keeps entries regardless of age.
    pub period_s: i64,
    /// `WAL_RETENTION_SIZE` in KB; ≤ 0 keeps entries regardless of size.
    pub size_kb: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            period_s: DEFAULT_RETENTION_PERIOD_S,
            size_kb: DEFAULT_RETENTION_SIZE_KB,
        }
    }
}

impl Retention {
    fn trim(self, g: &mut LogInner) {
        let now = super::super::catalog::now_ms();
        let max_age_ms = self.period_s.saturating_mul(1000);
        let max_bytes = usize::try_from(self.size_kb.saturating_mul(1024)).unwrap_or(0);
        while let Some(first) = g.entries.front() {
            let too_old = self.period_s > 0 && now.saturating_sub(first.at_ms) > max_age_ms;
            let too_big = self.size_kb > 0 && g.bytes > max_bytes && g.entries.len() > 1;
            if !(too_old || too_big) {
                break;
            }
            g.bytes = g.bytes.saturating_sub(first.bytes);
            g.entries.pop_front();
        }
        g.begin = g.entries.front().map_or(g.next, |e| e.version);
    }
}

/// The write-ahead log of one database: one [`VgroupLog`] per vgroup.
#[derive(Debug)]
pub struct Wal {
    vgroups: Vec<VgroupLog>,
    retention: std::sync::Mutex<Retention>,
    /// Topics reading this database: rows are retained while there is one.
    topics: AtomicUsize,
    /// Woken on every entry, for polls waiting for data.
    changed: tokio::sync::Notify,
}

/// FNV-1a of a table name: stable across runs, so the same data lands in the same vgroups.
fn fnv1a(name: &str) -> u32 {
    name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

impl Wal {
    /// A log of `vgroups` vgroups (at least 1, at most [`MAX_VGROUPS`]) with fresh ids.
    pub fn new(vgroups: usize, retention: Retention) -> Wal {
        let n = vgroups.clamp(1, MAX_VGROUPS);
        let first = NEXT_VGROUP_ID.fetch_add(n as i32, Ordering::Relaxed);
        Wal {
            vgroups: (0..n)
                .map(|k| VgroupLog {
                    id: first + k as i32,
                    inner: Mutex::default(),
                })
                .collect(),
            retention: std::sync::Mutex::new(retention),
            topics: AtomicUsize::new(0),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// The vgroups.
    pub fn vgroups(&self) -> &[VgroupLog] {
        &self.vgroups
    }

    /// The vgroup with id `id`.
    pub fn vgroup(&self, id: i32) -> Option<&VgroupLog> {
        self.vgroups.iter().find(|v| v.id == id)
    }

    /// The vgroup table `name` lives in.
    pub fn vgroup_of(&self, name: &str) -> &VgroupLog {
        let k = fnv1a(name) as usize % self.vgroups.len();
        &self.vgroups[k]
    }

    /// The retention settings.
    pub fn retention(&self) -> Retention {
        *self.retention.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the retention settings (ALTER DATABASE); the next entry trims by them.
    pub fn set_retention(&self, retention: Retention) {
        *self.retention.lock().unwrap_or_else(|e| e.into_inner()) = retention;
    }

    /// True while some topic reads the database (rows are being retained).
    pub fn retains_rows(&self) -> bool {
        self.topics.load(Ordering::Acquire) > 0
    }

    /// A topic on the database was created: rows are retained from now on.
    pub fn topic_added(&self) {
        self.topics.fetch_add(1, Ordering::AcqRel);
    }

    /// A topic on the database was dropped.
    pub fn topic_removed(&self) {
        let _ = self
            .topics
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// Logs the rows of one commit: one entry per vgroup written, in table order within it.
    /// Without a topic only the versions advance.
    pub fn log_rows(&self, rows: Vec<LoggedRows>) {
        if rows.is_empty() {
            return;
        }
        let retain = self.retains_rows();
        let mut per_vgroup: Vec<Vec<LoggedRows>> = vec![Vec::new(); self.vgroups.len()];
        for r in rows {
            let k = fnv1a(&r.table) as usize % self.vgroups.len();
            per_vgroup[k].push(r);
        }
        for (k, rows) in per_vgroup.into_iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let body = retain.then(|| Logged::Rows(Arc::new(rows)));
            self.vgroups[k].push(body, self.retention());
        }
        self.changed.notify_waiters();
    }

    /// Logs one DDL statement: in the vgroup of `event.table`, or in every vgroup for a
    /// super table's own DDL (each vgroup holds child tables of it).
    pub fn log_meta(&self, event: MetaEvent, all_vgroups: bool) {
        let event = Arc::new(event);
        if all_vgroups {
            for v in &self.vgroups {
                v.push(Some(Logged::Meta(Arc::clone(&event))), self.retention());
            }
        } else {
            let v = self.vgroup_of(&event.table);
            v.push(Some(Logged::Meta(event)), self.retention());
        }
        self.changed.notify_waiters();
    }

    /// Logs `rows` (every table's current rows) as one entry per vgroup: what a database's
    /// first topic starts from. A no-op when rows are already retained.
    pub fn seed(&self, rows: Vec<LoggedRows>) {
        if self.retains_rows() {
            return;
        }
        self.topics.fetch_add(1, Ordering::AcqRel);
        self.log_rows(rows);
        self.topics.fetch_sub(1, Ordering::AcqRel);
    }

    /// A future that completes at the next logged entry. Create it before reading the log,
    /// then await it, so an entry logged in between is not missed.
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use arrow::datatypes::{DataType, Field, Schema};

    fn rows(table: &str, n: i64) -> LoggedRows {
        let schema = Arc::new(Schema::new(vec![Field::new("ts", DataType::Int64, false)]));
        let batch =
            RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from_iter_values(0..n))])
                .unwrap();
        LoggedRows {
            table: table.into(),
            stable: None,
            batch,
        }
    }

    #[test]
    fn versions_advance_without_a_topic_and_rows_are_not_kept() {
        let wal = Wal::new(2, Retention::default());
        wal.log_rows(vec![rows("a", 3), rows("b", 3)]);
        let total: usize = wal
            .vgroups()
            .iter()
            .map(|v| v.read(0, usize::MAX).entries.len())
            .sum();
        assert_eq!(total, 0);
        let ends: i64 = wal.vgroups().iter().map(|v| v.range().1).sum();
        assert_eq!(ends, 2, "one version per vgroup written");
        for v in wal.vgroups() {
            let (b, e) = v.range();
            assert_eq!(b, e, "nothing retained: begin == end");
        }
    }

    #[test]
    fn rows_are_kept_while_a_topic_exists_and_share_buffers() {
        let wal = Wal::new(1, Retention::default());
        wal.topic_added();
        let r = rows("a", 5);
        let ptr = r.batch.column(0).to_data().buffers()[0].as_ptr();
        wal.log_rows(vec![r]);
        let read = wal.vgroups()[0].read(0, usize::MAX);
        assert_eq!(read.entries.len(), 1);
        let Logged::Rows(t) = &read.entries[0].body else {
            panic!("rows expected")
        };
        assert_eq!(t[0].batch.column(0).to_data().buffers()[0].as_ptr(), ptr);
        assert_eq!((read.begin, read.end), (0, 1));
        wal.topic_removed();
        wal.log_rows(vec![rows("a", 1)]);
        assert_eq!(wal.vgroups()[0].read(0, usize::MAX).entries.len(), 1);
    }

    #[test]
    fn tables_hash_to_stable_vgroups() {
        let wal = Wal::new(4, Retention::default());
        let k = wal.vgroup_of("d1001").id - wal.vgroups()[0].id;
        let again = Wal::new(4, Retention::default());
        assert_eq!(again.vgroup_of("d1001").id - again.vgroups()[0].id, k);
        let hit: std::collections::HashSet<i32> = (0..64)
            .map(|i| wal.vgroup_of(&format!("t{i}")).id)
            .collect();
        assert_eq!(hit.len(), 4, "64 tables spread over all 4 vgroups");
    }

    #[test]
    fn size_retention_trims_the_oldest() {
        let wal = Wal::new(
            1,
            Retention {
                period_s: 0,
                size_kb: 1,
            },
        );
        wal.topic_added();
        for _ in 0..10 {
            wal.log_rows(vec![rows("a", 100)]);
        }
        let read = wal.vgroups()[0].read(0, usize::MAX);
        assert!(read.entries.len() < 10);
        assert_eq!(read.begin, read.entries[0].version);
        assert_eq!(read.end, 10);
    }

    #[test]
    fn read_stops_near_max_rows_but_returns_one_entry() {
        let wal = Wal::new(1, Retention::default());
        wal.topic_added();
        for _ in 0..4 {
            wal.log_rows(vec![rows("a", 10)]);
        }
        let v = &wal.vgroups()[0];
        assert_eq!(v.read(0, 25).entries.len(), 2);
        assert_eq!(v.read(0, 1).entries.len(), 1);
        assert_eq!(v.read(3, 100).entries[0].version, 3);
        assert!(v.read(4, 100).entries.is_empty());
    }
}
