//! TMQ data subscription in the engine: topics, the per-vgroup write-ahead log, consumer
//! groups, offsets and polling (`tmq.md`). The `/rest/tmq` connection layer calls
//! [`Tmq`]'s methods; SQL reaches it through `CREATE/DROP TOPIC`, `DROP CONSUMER GROUP` and
//! `SHOW TOPICS/CONSUMERS/SUBSCRIPTIONS`.
//!
//! * [`wal`]: what every commit and DDL statement logs, per vgroup.
//! * [`topic`]: topic definitions and their statements.
//! * `group`: consumers, the vgroup split of each (topic, group), positions and commits.
//! * [`poll`]: what a topic delivers of log entries.
//! * [`meta`]: the DDL JSON of `WITH META` topics.
//! * [`options`]: the consumer configuration keys.

mod group;
pub mod meta;
pub mod options;
pub mod poll;
pub mod topic;
pub mod wal;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use taosarrow_protocol::Code;

pub use self::group::ConsumerId;
use self::group::{key, ConsumerState, Groups};
pub use self::options::{OffsetReset, SubscribeOptions};
pub use self::poll::{Polled, PolledBlock, PolledKind};
use self::topic::{CreateTopic, DropGroup, DropTopic, Topic, MAX_TOPICS};
use self::wal::LoggedRows;
use super::catalog::{now_ms, read, write, Database};
use super::storage::snapshot;
use super::Engine;
use crate::ServerError;

/// Rows a poll gathers at most into one message.
pub const MAX_POLL_ROWS: usize = 1 << 20;

/// One vgroup of a topic as `assignment` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VgroupAssignment {
    /// The vgroup id.
    pub vgroup_id: i32,
    /// Where the consumer reads next.
    pub offset: i64,
    /// The first retained version.
    pub begin: i64,
    /// The version after the last one.
    pub end: i64,
}

/// Every topic and consumer of an engine.
#[derive(Debug, Default)]
pub struct Tmq {
    topics: RwLock<BTreeMap<String, Arc<Topic>>>,
    groups: Mutex<Groups>,
    next_consumer: AtomicI64,
}

impl Tmq {
    fn groups(&self) -> MutexGuard<'_, Groups> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The topic `name`.
    pub fn topic(&self, name: &str) -> Option<Arc<Topic>> {
        read(&self.topics).get(name).cloned()
    }

    /// Every topic, by name.
    pub fn topics(&self) -> Vec<Arc<Topic>> {
        read(&self.topics).values().cloned().collect()
    }

    /// True when some topic reads database `db` (it cannot be dropped then).
    pub fn database_has_topics(&self, db: &str) -> bool {
        read(&self.topics).values().any(|t| t.db.name == db)
    }

    /// True when some topic reads super table `stable` of `db`.
    pub fn stable_has_topics(&self, db: &str, stable: &str) -> bool {
        read(&self.topics).values().any(|t| {
            t.db.name == db
                && match &t.source {
                    topic::TopicSource::Stable { stable: s, .. } => s == stable,
                    topic::TopicSource::Query { table, .. } => table == stable,
                    topic::TopicSource::Database => false,
                }
        })
    }

    /// Runs `CREATE TOPIC`. Called under the engine's commit lock (as all DDL), so no write
    /// lands between the seed of a database's first topic and the start of its logging.
    pub fn create_topic(&self, stmt: CreateTopic) -> Result<(), ServerError> {
        let mut topics = write(&self.topics);
        if topics.contains_key(&stmt.name) {
            return if stmt.if_not_exists {
                Ok(())
            } else {
                Err(ServerError::from_code(Code::MND_TOPIC_ALREADY_EXIST))
            };
        }
        if topics.len() >= MAX_TOPICS {
            return Err(ServerError::from_code(Code::MND_TOO_MANY_TOPICS));
        }
        let topic = stmt.into_topic();
        let db = Arc::clone(&topic.db);
        if !db.wal.retains_rows() {
            db.wal.seed(current_rows(&db)?);
        }
        db.wal.topic_added();
        topics.insert(topic.name.clone(), Arc::new(topic));
        Ok(())
    }

    /// Runs `DROP TOPIC`: refused (0x03EB) while a consumer is subscribed, unless `FORCE`.
    pub fn drop_topic(&self, stmt: DropTopic) -> Result<(), ServerError> {
        let mut topics = write(&self.topics);
        let Some(topic) = topics.get(&stmt.name).cloned() else {
            return if stmt.if_exists {
                Ok(())
            } else {
                Err(ServerError::from_code(Code::MND_TOPIC_NOT_EXIST))
            };
        };
        let mut g = self.groups();
        if g.topic_in_use(&stmt.name) && !stmt.force {
            return Err(ServerError::from_code(Code::MND_TOPIC_SUBSCRIBED));
        }
        for c in g.consumers.values_mut() {
            c.topics.retain(|t| t.name != stmt.name);
            c.positions.retain(|(t, _), _| t != &stmt.name);
        }
        g.subs.retain(|(t, _), _| t != &stmt.name);
        topics.remove(&stmt.name);
        topic.db.wal.topic_removed();
        Ok(())
    }

    /// Runs `DROP CONSUMER GROUP`: its committed offsets go; refused (0x03EC) while a
    /// consumer of it is subscribed, unless `FORCE`.
    pub fn drop_group(&self, stmt: DropGroup) -> Result<(), ServerError> {
        if self.topic(&stmt.topic).is_none() {
            return Err(ServerError::from_code(Code::MND_TOPIC_NOT_EXIST));
        }
        let mut g = self.groups();
        let k = key(&stmt.topic, &stmt.group);
        let Some(sub) = g.subs.get(&k) else {
            return if stmt.if_exists {
                Ok(())
            } else {
                Err(ServerError::from_code(Code::MND_SUBSCRIBE_NOT_EXIST))
            };
        };
        if !sub.members.is_empty() && !stmt.force {
            return Err(ServerError::from_code(Code::MND_CGROUP_USED));
        }
        let members: Vec<ConsumerId> = sub.members.iter().copied().collect();
        for id in members {
            if let Some(c) = g.consumers.get_mut(&id) {
                c.topics.retain(|t| t.name != stmt.topic);
                c.positions.retain(|(t, _), _| t != &stmt.topic);
            }
        }
        g.subs.remove(&k);
        Ok(())
    }

    /// A new consumer subscribed to `topics` (all must exist, 0x03E1 otherwise), or
    /// consumer `existing` re-subscribing after an unsubscribe (only the topics change).
    pub fn subscribe(
        &self,
        existing: Option<ConsumerId>,
        opts: SubscribeOptions,
        topics: &[String],
    ) -> Result<ConsumerId, ServerError> {
        let mut resolved = Vec::with_capacity(topics.len());
        for name in topics {
            let t = self.topic(name).ok_or_else(|| {
                ServerError::new(
                    Code::MND_TOPIC_NOT_EXIST,
                    format!("Topic not exist: {name}"),
                )
            })?;
            if !resolved.iter().any(|r: &Arc<Topic>| r.name == t.name) {
                resolved.push(t);
            }
        }
        let mut g = self.groups();
        let now = Instant::now();
        let id = match existing.filter(|id| g.consumers.contains_key(id)) {
            Some(id) => {
                g.leave(id);
                id
            }
            None => {
                let id = self.next_consumer.fetch_add(1, Ordering::Relaxed) + 1;
                let ms = now_ms();
                g.consumers.insert(
                    id,
                    ConsumerState {
                        opts,
                        topics: Vec::new(),
                        last_seen: now,
                        last_poll: now,
                        lost: false,
                        positions: Default::default(),
                        cursor: 0,
                        up_since: ms,
                        subscribed_at: ms,
                        rebalanced_at: ms,
                    },
                );
                id
            }
        };
        if let Some(c) = g.consumers.get_mut(&id) {
            c.topics = resolved;
            c.subscribed_at = now_ms();
            c.last_seen = now;
            c.last_poll = now;
        }
        g.join(id);
        Ok(id)
    }

    /// Leaves every group; the consumer may subscribe again.
    pub fn unsubscribe(&self, id: ConsumerId) {
        let mut g = self.groups();
        g.leave(id);
        if let Some(c) = g.consumers.get_mut(&id) {
            c.topics.clear();
        }
    }

    /// Forgets the consumer (its connection closed).
    pub fn close(&self, id: ConsumerId) {
        let mut g = self.groups();
        g.leave(id);
        g.consumers.remove(&id);
    }

    /// Records a sign of life (any request or pong) for `session.timeout.ms`.
    pub fn touch(&self, id: ConsumerId) {
        if let Some(c) = self.groups().consumers.get_mut(&id) {
            c.last_seen = Instant::now();
        }
    }

    /// The topics consumer `id` is subscribed to.
    pub fn subscription(&self, id: ConsumerId) -> Vec<String> {
        self.groups()
            .consumers
            .get(&id)
            .map(|c| c.topics.iter().map(|t| t.name.clone()).collect())
            .unwrap_or_default()
    }

    /// Polls for one message, waiting up to `blocking` for a write when there is nothing to
    /// read. A message is delivered whole; the consumer's position moves past it.
    pub async fn poll(
        &self,
        e: &Engine,
        id: ConsumerId,
        blocking: Duration,
    ) -> Result<Option<Polled>, ServerError> {
        let deadline = tokio::time::Instant::now() + blocking;
        loop {
            let (owned, cursor, min_rows, dbs) = {
                let mut g = self.groups();
                let now = Instant::now();
                g.expire(now);
                let lost = match g.consumers.get_mut(&id) {
                    Some(c) => {
                        c.last_seen = now;
                        c.last_poll = now;
                        c.lost
                    }
                    None => return Err(ServerError::from_code(Code::TMQ_CONSUMER_CLOSED)),
                };
                if lost {
                    g.join(id);
                }
                let owned = g.owned(id)?;
                let (cursor, min_rows) = g
                    .consumers
                    .get(&id)
                    .map_or((0, 4096), |c| (c.cursor, c.opts.min_poll_rows));
                let mut dbs: Vec<Arc<Database>> = Vec::new();
                for o in &owned {
                    if !dbs.iter().any(|d| Arc::ptr_eq(d, &o.topic.db)) {
                        dbs.push(Arc::clone(&o.topic.db));
                    }
                }
                (owned, cursor, min_rows, dbs)
            };
            // Registered before reading, so a write in between wakes this poll.
            let mut waits: Vec<_> = dbs.iter().map(|d| Box::pin(d.wal.changed())).collect();
            for w in &mut waits {
                w.as_mut().enable();
            }
            let max_rows = min_rows.clamp(4096, MAX_POLL_ROWS);
            let n = owned.len();
            for step in 0..n {
                let k = (cursor + step) % n;
                let o = &owned[k];
                let Some(log) = o.topic.db.wal.vgroup(o.vgroup) else {
                    continue;
                };
                let mut position = o.position;
                loop {
                    let read = log.read(position, max_rows);
                    if read.entries.is_empty() {
                        break;
                    }
                    let (msg, used) = poll::build(e, &o.topic, o.vgroup, &read.entries).await?;
                    let used = used.max(1);
                    let next = read.entries[used - 1].version + 1;
                    if !self.advance(id, o, position, next, msg.as_ref(), k + 1) {
                        // Rebalanced or sought meanwhile: start over.
                        break;
                    }
                    position = next;
                    if let Some(mut m) = msg {
                        m.next = next;
                        return Ok(Some(m));
                    }
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            if waits.is_empty() {
                tokio::time::sleep_until(deadline).await;
                return Ok(None);
            }
            let any = futures_util::future::select_all(waits);
            if tokio::time::timeout_at(deadline, any).await.is_err() {
                return Ok(None);
            }
        }
    }

    /// Moves `id`'s position of `o` from `from` to `to` if it still owns the vgroup and
    /// nobody moved it meanwhile; counts the rows of `msg`.
    fn advance(
        &self,
        id: ConsumerId,
        o: &group::Owned,
        from: i64,
        to: i64,
        msg: Option<&Polled>,
        cursor: usize,
    ) -> bool {
        let mut g = self.groups();
        let group = g.group_of(id);
        let owns = g
            .subs
            .get(&key(&o.topic.name, &group))
            .and_then(|s| s.owner.get(&o.vgroup))
            == Some(&id);
        if !owns || g.position(id, &o.topic, o.vgroup).ok() != Some(from) {
            return false;
        }
        if let Some(c) = g.consumers.get_mut(&id) {
            c.positions.insert((o.topic.name.clone(), o.vgroup), to);
            if msg.is_some() {
                c.cursor = cursor;
            }
        }
        if let Some(m) = msg {
            if let Some(s) = g.subs.get_mut(&key(&o.topic.name, &group)) {
                *s.rows.entry(o.vgroup).or_default() += m.num_rows() as u64;
            }
        }
        true
    }

    /// Commits every current position of `id` (`commit`).
    pub fn commit_all(&self, id: ConsumerId) -> Result<(), ServerError> {
        let mut g = self.groups();
        let owned = g.owned(id)?;
        let group = g.group_of(id);
        for o in owned {
            if let Some(s) = g.subs.get_mut(&key(&o.topic.name, &group)) {
                s.committed.insert(o.vgroup, o.position);
            }
        }
        Ok(())
    }

    /// Stores `offset` as the committed offset of `(topic, vgroup)` (`commit_offset`).
    pub fn commit_offset(
        &self,
        id: ConsumerId,
        topic: &str,
        vgroup: i32,
        offset: i64,
    ) -> Result<(), ServerError> {
        let mut g = self.groups();
        g.check_owner(id, topic, vgroup)?;
        let group = g.group_of(id);
        if offset < 0 {
            return Err(ServerError::from_code(Code::TMQ_VERSION_OUT_OF_RANGE));
        }
        if let Some(s) = g.subs.get_mut(&key(topic, &group)) {
            s.committed.insert(vgroup, offset);
        }
        Ok(())
    }

    /// The committed offset of `(topic, vgroup)`, or [`TMQ_NO_COMMITTED`].
    ///
    /// [`TMQ_NO_COMMITTED`]: taosarrow_protocol::messages::TMQ_NO_COMMITTED
    pub fn committed(&self, id: ConsumerId, topic: &str, vgroup: i32) -> Result<i64, ServerError> {
        let g = self.groups();
        let t = g.topic_of(id, topic)?;
        if t.db.wal.vgroup(vgroup).is_none() {
            return Err(ServerError::new(
                Code::TMQ_INVALID_VGID,
                format!("VgId does not belong to this consumer: {vgroup}"),
            ));
        }
        let group = g.group_of(id);
        Ok(g.subs
            .get(&key(topic, &group))
            .and_then(|s| s.committed.get(&vgroup).copied())
            .unwrap_or(taosarrow_protocol::messages::TMQ_NO_COMMITTED))
    }

    /// Where the next poll of `(topic, vgroup)` reads.
    pub fn position(&self, id: ConsumerId, topic: &str, vgroup: i32) -> Result<i64, ServerError> {
        let g = self.groups();
        g.check_owner(id, topic, vgroup)?;
        let t = g.topic_of(id, topic)?;
        g.position(id, &t, vgroup)
    }

    /// Makes the next poll of `(topic, vgroup)` read from `offset` (within `[begin, end]`).
    pub fn seek(
        &self,
        id: ConsumerId,
        topic: &str,
        vgroup: i32,
        offset: i64,
    ) -> Result<(), ServerError> {
        let mut g = self.groups();
        g.check_owner(id, topic, vgroup)?;
        let t = g.topic_of(id, topic)?;
        let (begin, end) = t.db.wal.vgroup(vgroup).map_or((0, 0), |v| v.range());
        if offset < begin || offset > end {
            return Err(ServerError::new(
                Code::TMQ_VERSION_OUT_OF_RANGE,
                format!("Offset out of range: {offset} is not in [{begin}, {end}]"),
            ));
        }
        if let Some(c) = g.consumers.get_mut(&id) {
            c.positions.insert((topic.to_owned(), vgroup), offset);
        }
        Ok(())
    }

    /// The vgroups of `topic` assigned to `id`.
    pub fn assignment(
        &self,
        id: ConsumerId,
        topic: &str,
    ) -> Result<Vec<VgroupAssignment>, ServerError> {
        let g = self.groups();
        g.topic_of(id, topic)?;
        Ok(g.owned(id)?
            .into_iter()
            .filter(|o| o.topic.name == topic)
            .map(|o| {
                let (begin, end) = o
                    .topic
                    .db
                    .wal
                    .vgroup(o.vgroup)
                    .map_or((0, 0), |v| v.range());
                VgroupAssignment {
                    vgroup_id: o.vgroup,
                    offset: o.position,
                    begin,
                    end,
                }
            })
            .collect())
    }

    /// Rows of SHOW CONSUMERS: (id, group, client id, status, topics, up, subscribed,
    /// rebalanced, parameters).
    pub(crate) fn consumer_rows(&self) -> Vec<ConsumerRow> {
        let g = self.groups();
        g.consumers
            .iter()
            .map(|(id, c)| ConsumerRow {
                id: *id,
                group: c.opts.group.clone(),
                client_id: c.opts.client_id.clone(),
                user: c.opts.user.clone(),
                status: if c.lost {
                    "lost"
                } else if c.topics.is_empty() {
                    "clear"
                } else {
                    "ready"
                },
                topics: c
                    .topics
                    .iter()
                    .map(|t| t.name.clone())
                    .collect::<Vec<_>>()
                    .join(","),
                up_since: c.up_since,
                subscribed_at: c.subscribed_at,
                rebalanced_at: c.rebalanced_at,
                parameters: c
                    .opts
                    .pairs
                    .iter()
                    .filter(|(k, _)| !k.contains("pass") && !k.contains("token"))
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect::<Vec<_>>()
                    .join(","),
            })
            .collect()
    }

    /// Rows of SHOW SUBSCRIPTIONS: one per (topic, group, vgroup).
    pub(crate) fn subscription_rows(&self) -> Vec<SubscriptionRow> {
        let topics = self.topics();
        let g = self.groups();
        let mut out = Vec::new();
        for ((topic, group), s) in &g.subs {
            let Some(t) = topics.iter().find(|t| &t.name == topic) else {
                continue;
            };
            for v in t.db.wal.vgroups() {
                let owner = s.owner.get(&v.id).copied();
                let offset = owner
                    .and_then(|c| g.consumers.get(&c))
                    .and_then(|c| c.positions.get(&(topic.clone(), v.id)).copied())
                    .or_else(|| s.committed.get(&v.id).copied());
                out.push(SubscriptionRow {
                    topic: topic.clone(),
                    group: group.clone(),
                    vgroup_id: v.id,
                    consumer: owner,
                    offset,
                    rows: s.rows.get(&v.id).copied().unwrap_or(0),
                });
            }
        }
        out
    }
}

/// One row of SHOW CONSUMERS.
#[derive(Debug, Clone)]
pub(crate) struct ConsumerRow {
    pub id: ConsumerId,
    pub group: String,
    pub client_id: String,
    pub user: String,
    pub status: &'static str,
    pub topics: String,
    pub up_since: i64,
    pub subscribed_at: i64,
    pub rebalanced_at: i64,
    pub parameters: String,
}

/// One row of SHOW SUBSCRIPTIONS.
#[derive(Debug, Clone)]
pub(crate) struct SubscriptionRow {
    pub topic: String,
    pub group: String,
    pub vgroup_id: i32,
    pub consumer: Option<ConsumerId>,
    pub offset: Option<i64>,
    pub rows: u64,
}

/// Every table's current rows, for [`wal::Wal::seed`].
fn current_rows(db: &Database) -> Result<Vec<LoggedRows>, ServerError> {
    let tables: Vec<_> = read(&db.tables).values().cloned().collect();
    let mut out = Vec::new();
    for t in tables {
        let stable = t.child_of.as_ref().map(|(s, _)| s.clone());
        for batch in snapshot(&t.data)? {
            out.push(LoggedRows {
                table: t.name.clone(),
                stable: stable.clone(),
                batch,
            });
        }
    }
    Ok(out)
}
