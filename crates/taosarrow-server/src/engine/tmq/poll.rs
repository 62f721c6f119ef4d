//! Turning log entries into what one poll delivers: the rows (or the DDL) a topic sees of
//! them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use taosarrow_protocol::Precision;

use super::topic::{Topic, TopicSource};
use super::wal::{Entry, Logged};
use crate::engine::{Engine, Outcome};
use crate::ServerError;

/// What a polled message holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolledKind {
    /// Rows (message type 1).
    Data,
    /// One DDL statement (message type 2).
    Meta,
}

/// The rows of one table in a polled message.
#[derive(Debug, Clone)]
pub struct PolledBlock {
    /// The table the rows were written to.
    pub table: String,
    /// The rows, in the topic's columns.
    pub batch: RecordBatch,
}

/// One message a poll delivers.
#[derive(Debug, Clone)]
pub struct Polled {
    /// The topic.
    pub topic: String,
    /// The database it reads.
    pub database: String,
    /// The vgroup the message comes from.
    pub vgroup_id: i32,
    /// The version the read started at (`tmq_get_vgroup_offset`).
    pub offset: i64,
    /// The version after the message: where the next read of the vgroup starts.
    pub next: i64,
    /// Data or meta.
    pub kind: PolledKind,
    /// The rows (data messages).
    pub blocks: Vec<PolledBlock>,
    /// The DDL JSON (meta messages).
    pub meta: Option<serde_json::Value>,
    /// The database's timestamp precision.
    pub precision: Precision,
}

impl Polled {
    /// Rows in the message.
    pub fn num_rows(&self) -> usize {
        self.blocks.iter().map(|b| b.batch.num_rows()).sum()
    }
}

/// The child tables of a super-table topic's `WHERE` condition, read now.
async fn matching_children(
    e: &Engine,
    topic: &Topic,
    stable: &str,
    filter: &str,
) -> Result<HashSet<String>, ServerError> {
    let mut s = e.session(Some(topic.db.name.clone()));
    let sql = format!(
        "SELECT DISTINCT tbname FROM {} WHERE {filter}",
        taosarrow_protocol::quote::quote_ident(stable)
    );
    let Outcome::Rows(rs) = Box::pin(e.execute(&mut s, &sql)).await? else {
        return Ok(HashSet::new());
    };
    let mut out = HashSet::new();
    for b in &rs.batches {
        let col = arrow::compute::cast(b.column(0), &arrow::datatypes::DataType::Utf8)
            .map_err(ServerError::internal)?;
        let col = col
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .ok_or_else(|| ServerError::internal("tbname is not text"))?;
        out.extend(col.iter().flatten().map(str::to_owned));
    }
    Ok(out)
}

/// The rows of a query topic over `batch`, written to `table`.
async fn query_rows(
    e: &Engine,
    topic: &Topic,
    select: &str,
    table: &str,
    batch: &RecordBatch,
) -> Result<Vec<RecordBatch>, ServerError> {
    let mut s = e.session(Some(topic.db.name.clone()));
    let mut overlay = HashMap::new();
    overlay.insert(table.to_owned(), vec![batch.clone()]);
    s.set_overlay(Some(Arc::new(overlay)));
    match Box::pin(e.execute(&mut s, select)).await? {
        Outcome::Rows(rs) => Ok(rs
            .batches
            .into_iter()
            .filter(|b| b.num_rows() > 0)
            .collect()),
        Outcome::Affected { .. } => Ok(Vec::new()),
    }
}

/// What `topic` delivers of `entries` (consecutive entries of one vgroup, from one read):
/// `None` when none of them concern it. A meta entry is a message of its own, so only the
/// first entry can be one; data stops before the next meta entry the topic delivers.
/// Returns the message and the number of entries it consumed.
pub async fn build(
    e: &Engine,
    topic: &Topic,
    vgroup_id: i32,
    entries: &[Entry],
) -> Result<(Option<Polled>, usize), ServerError> {
    let base = |kind, offset| Polled {
        topic: topic.name.clone(),
        database: topic.db.name.clone(),
        vgroup_id,
        offset,
        next: offset,
        kind,
        blocks: Vec::new(),
        meta: None,
        precision: topic.db.precision,
    };
    let Some(first) = entries.first() else {
        return Ok((None, 0));
    };
    let wants_meta = |m: &super::wal::MetaEvent| {
        topic.with_meta && topic.reads_meta(&m.table, m.stable.as_deref())
    };
    if let Logged::Meta(m) = &first.body {
        if wants_meta(m) {
            let mut p = base(PolledKind::Meta, first.version);
            p.meta = Some(m.json.clone());
            return Ok((Some(p), 1));
        }
    }
    let mut children: Option<HashSet<String>> = None;
    let mut msg = base(PolledKind::Data, first.version);
    let mut used = 0;
    for entry in entries {
        let rows = match &entry.body {
            Logged::Meta(m) if wants_meta(m) && used > 0 => break,
            Logged::Meta(_) => {
                used += 1;
                continue;
            }
            Logged::Rows(rows) => rows,
        };
        used += 1;
        for r in rows.iter() {
            if !topic.reads_table(&r.table, r.stable.as_deref()) || r.batch.num_rows() == 0 {
                continue;
            }
            match &topic.source {
                TopicSource::Database => msg.blocks.push(PolledBlock {
                    table: r.table.clone(),
                    batch: r.batch.clone(),
                }),
                TopicSource::Stable { stable, filter } => {
                    if let Some(f) = filter {
                        if children.is_none() {
                            children = Some(matching_children(e, topic, stable, f).await?);
                        }
                        if !children.as_ref().is_some_and(|c| c.contains(&r.table)) {
                            continue;
                        }
                    }
                    msg.blocks.push(PolledBlock {
                        table: r.table.clone(),
                        batch: r.batch.clone(),
                    });
                }
                TopicSource::Query { select, .. } => {
                    for batch in query_rows(e, topic, select, &r.table, &r.batch).await? {
                        msg.blocks.push(PolledBlock {
                            table: r.table.clone(),
                            batch,
                        });
                    }
                }
            }
        }
    }
    if msg.blocks.is_empty() {
        return Ok((None, used));
    }
    Ok((Some(msg), used))
}
