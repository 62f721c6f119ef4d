//! Consumers, consumer groups and offsets: who owns which vgroup of a topic, where each
//! consumer reads next, what each group committed (`tmq.md` §4, §5).
//!
//! A subscription is one (topic, group). Its vgroups are split round-robin over the group's
//! live members in consumer-id order; the split is redone whenever a member joins, leaves, or
//! misses `session.timeout.ms` (no request) or `max.poll.interval.ms` (no poll). Committed
//! offsets belong to the subscription and outlive its consumers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use taosarrow_protocol::Code;

use super::options::{OffsetReset, SubscribeOptions};
use super::topic::Topic;
use crate::ServerError;

/// A consumer id, unique per server.
pub type ConsumerId = i64;

/// One consumer (one subscribed `/rest/tmq` connection).
#[derive(Debug)]
pub(super) struct ConsumerState {
    pub opts: SubscribeOptions,
    /// Subscribed topics, in subscription order.
    pub topics: Vec<Arc<Topic>>,
    /// When it last sent anything / last polled.
    pub last_seen: Instant,
    pub last_poll: Instant,
    /// Expired by a timeout: out of its groups until its next poll.
    pub lost: bool,
    /// Next version to read, per (topic, vgroup) it owns and has read or sought.
    pub positions: HashMap<(String, i32), i64>,
    /// Where the next poll starts looking, for round-robin over its vgroups.
    pub cursor: usize,
    /// Created / subscribed / last rebalanced (ms), for SHOW CONSUMERS.
    pub up_since: i64,
    pub subscribed_at: i64,
    pub rebalanced_at: i64,
}

/// One (topic, group).
#[derive(Debug, Default)]
pub(super) struct Subscription {
    pub members: BTreeSet<ConsumerId>,
    /// Owner of each vgroup, for the vgroups that have one.
    pub owner: BTreeMap<i32, ConsumerId>,
    pub committed: HashMap<i32, i64>,
    /// Rows delivered per vgroup, for SHOW SUBSCRIPTIONS.
    pub rows: HashMap<i32, u64>,
}

/// Every consumer and subscription of a server.
#[derive(Debug, Default)]
pub(super) struct Groups {
    pub consumers: BTreeMap<ConsumerId, ConsumerState>,
    pub subs: BTreeMap<(String, String), Subscription>,
}

/// One vgroup a consumer owns: the topic, the vgroup id and where it reads next.
#[derive(Debug, Clone)]
pub(super) struct Owned {
    pub topic: Arc<Topic>,
    pub vgroup: i32,
    pub position: i64,
}

pub(super) fn key(topic: &str, group: &str) -> (String, String) {
    (topic.to_owned(), group.to_owned())
}

impl Groups {
    /// Splits the vgroups of `(topic, group)` over its members again.
    pub fn rebalance(&mut self, topic: &Topic, group: &str) {
        let k = key(&topic.name, group);
        let Some(sub) = self.subs.get_mut(&k) else {
            return;
        };
        let members: Vec<ConsumerId> = sub.members.iter().copied().collect();
        let vgroups: Vec<i32> = topic.db.wal.vgroups().iter().map(|v| v.id).collect();
        let mut owner = BTreeMap::new();
        if !members.is_empty() {
            for (n, vg) in vgroups.iter().enumerate() {
                owner.insert(*vg, members[n % members.len()]);
            }
        }
        let now = super::super::catalog::now_ms();
        for (vg, old) in &sub.owner {
            if owner.get(vg) != Some(old) {
                if let Some(c) = self.consumers.get_mut(old) {
                    c.positions.remove(&(topic.name.clone(), *vg));
                    c.rebalanced_at = now;
                }
            }
        }
        let gained: Vec<(i32, ConsumerId)> = owner
            .iter()
            .filter(|(vg, new)| sub.owner.get(vg) != Some(new))
            .map(|(vg, new)| (*vg, *new))
            .collect();
        sub.owner = owner;
        // A vgroup is pinned where its new owner starts, so `latest` means "from the
        // assignment on", not "whatever the end is at the next poll".
        for (vg, new) in gained {
            let start = self.position(new, topic, vg).ok();
            if let Some(c) = self.consumers.get_mut(&new) {
                c.rebalanced_at = now;
                if let Some(p) = start {
                    c.positions.insert((topic.name.clone(), vg), p);
                }
            }
        }
    }

    /// Adds consumer `id` to the groups of its topics.
    pub fn join(&mut self, id: ConsumerId) {
        let Some(c) = self.consumers.get_mut(&id) else {
            return;
        };
        c.lost = false;
        let group = c.opts.group.clone();
        let topics = c.topics.clone();
        for t in &topics {
            self.subs
                .entry(key(&t.name, &group))
                .or_default()
                .members
                .insert(id);
            self.rebalance(t, &group);
        }
    }

    /// Takes consumer `id` out of its groups (it stays known, with no vgroup).
    pub fn leave(&mut self, id: ConsumerId) {
        let Some(c) = self.consumers.get_mut(&id) else {
            return;
        };
        let group = c.opts.group.clone();
        let topics = c.topics.clone();
        c.positions.clear();
        for t in &topics {
            if let Some(sub) = self.subs.get_mut(&key(&t.name, &group)) {
                sub.members.remove(&id);
            }
            self.rebalance(t, &group);
        }
    }

    /// Marks every consumer that missed its session or poll deadline as lost (out of its
    /// groups, which are rebalanced).
    pub fn expire(&mut self, now: Instant) {
        let lost: Vec<ConsumerId> = self
            .consumers
            .iter()
            .filter(|(_, c)| {
                !c.lost
                    && !c.topics.is_empty()
                    && (now.duration_since(c.last_seen) > c.opts.session_timeout
                        || now.duration_since(c.last_poll) > c.opts.max_poll_interval)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in lost {
            self.leave(id);
            if let Some(c) = self.consumers.get_mut(&id) {
                c.lost = true;
            }
        }
    }

    /// The topic `name` as consumer `id` subscribed it, or 0x4009.
    pub fn topic_of(&self, id: ConsumerId, name: &str) -> Result<Arc<Topic>, ServerError> {
        self.consumers
            .get(&id)
            .and_then(|c| c.topics.iter().find(|t| t.name == name).cloned())
            .ok_or_else(|| {
                ServerError::new(
                    Code::TMQ_INVALID_TOPIC,
                    format!("Topic does not belong to this consumer: {name}"),
                )
            })
    }

    /// Checks that `id` owns `vgroup` of `topic` (0x4009 / 0x4008 otherwise).
    pub fn check_owner(&self, id: ConsumerId, topic: &str, vgroup: i32) -> Result<(), ServerError> {
        let t = self.topic_of(id, topic)?;
        let group = self.group_of(id);
        let owned = self
            .subs
            .get(&key(&t.name, &group))
            .and_then(|s| s.owner.get(&vgroup))
            == Some(&id);
        if owned {
            Ok(())
        } else {
            Err(ServerError::new(
                Code::TMQ_INVALID_VGID,
                format!("VgId does not belong to this consumer: {vgroup}"),
            ))
        }
    }

    pub fn group_of(&self, id: ConsumerId) -> String {
        self.consumers
            .get(&id)
            .map(|c| c.opts.group.clone())
            .unwrap_or_default()
    }

    /// Where consumer `id` reads `vgroup` of `topic` next: its own position, else the
    /// group's committed offset, else `begin` or `end` by `auto.offset.reset`.
    pub fn position(&self, id: ConsumerId, topic: &Topic, vgroup: i32) -> Result<i64, ServerError> {
        let c = self
            .consumers
            .get(&id)
            .ok_or_else(|| ServerError::from_code(Code::TMQ_CONSUMER_CLOSED))?;
        if let Some(p) = c.positions.get(&(topic.name.clone(), vgroup)) {
            return Ok(*p);
        }
        let (begin, end) = topic.db.wal.vgroup(vgroup).map_or((0, 0), |v| v.range());
        let committed = self
            .subs
            .get(&key(&topic.name, &c.opts.group))
            .and_then(|s| s.committed.get(&vgroup).copied());
        Ok(match (committed, c.opts.offset_reset) {
            (Some(off), _) => off.clamp(begin, end),
            (None, OffsetReset::Earliest) => begin,
            (None, OffsetReset::Latest) => end,
            (None, OffsetReset::None) => {
                return Err(ServerError::new(
                    Code::TMQ_NO_COMMITTED,
                    "No committed info and auto.offset.reset is none",
                ))
            }
        })
    }

    /// The vgroups consumer `id` owns, with their positions, in (topic, vgroup) order.
    pub fn owned(&self, id: ConsumerId) -> Result<Vec<Owned>, ServerError> {
        let Some(c) = self.consumers.get(&id) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for t in &c.topics {
            if let Some(sub) = self.subs.get(&key(&t.name, &c.opts.group)) {
                for (vg, owner) in &sub.owner {
                    if *owner == id {
                        out.push(Owned {
                            topic: Arc::clone(t),
                            vgroup: *vg,
                            position: self.position(id, t, *vg)?,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Whether a consumer that is not lost is subscribed to `topic`.
    pub fn topic_in_use(&self, topic: &str) -> bool {
        self.subs
            .iter()
            .any(|((t, _), s)| t == topic && !s.members.is_empty())
    }
}
