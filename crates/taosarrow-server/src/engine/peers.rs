//! The connections a server is serving and the statements they are running: what
//! `performance_schema.perf_connections` / `perf_queries` (SHOW CONNECTIONS / QUERIES) list
//! and what `KILL CONNECTION` / `KILL QUERY` act on.
//!
//! A connection registers once its login succeeds ([`Peers::register`]) and leaves when the
//! returned [`PeerGuard`] drops; each statement it runs is listed while its
//! [`QueryGuard`] lives. A kill is a flag plus a `watch` channel, so a waiter that starts
//! after the kill still sees it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::watch;

use super::catalog::now_ms;

/// The longest statement text `perf_queries.sql` holds (TDengine's `TSDB_SHOW_SQL_LEN`);
/// a longer one is listed cut at a character boundary.
pub const MAX_LISTED_SQL: usize = 2048;

/// Every connection being served, by connection id.
#[derive(Debug, Default)]
pub struct Peers {
    next_conn: AtomicU32,
    next_query: AtomicU64,
    conns: Mutex<BTreeMap<u32, Arc<Peer>>>,
}

/// A kill switch: set once, awaited by any number of tasks.
#[derive(Debug)]
struct Kill {
    tx: watch::Sender<bool>,
}

impl Kill {
    fn new() -> Self {
        Kill {
            tx: watch::channel(false).0,
        }
    }

    fn kill(&self) {
        self.tx.send_replace(true);
    }

    fn is_killed(&self) -> bool {
        *self.tx.borrow()
    }

    /// Completes once [`Kill::kill`] was called (at once if it already was).
    async fn killed(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail while it is borrowed.
        let _ = rx.wait_for(|k| *k).await;
    }
}

/// What a client told the server about itself (`options_connection` 2, 3 and 4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerOptions {
    /// The application's name (option 3, `TSDB_OPTION_CONNECTION_USER_APP`).
    pub app: Option<String>,
    /// The client's own idea of its IP (option 2, `TSDB_OPTION_CONNECTION_USER_IP`).
    pub ip: Option<String>,
    /// The connector and its version (option 4, `TSDB_OPTION_CONNECTION_CONNECTOR_INFO`).
    pub connector: Option<String>,
}

/// One logged-in connection.
#[derive(Debug)]
pub struct Peer {
    id: u32,
    user: String,
    /// `ip:port` the connection came from (empty when unknown).
    addr: String,
    login_ms: i64,
    last_access_ms: AtomicI64,
    options: Mutex<PeerOptions>,
    queries: Mutex<BTreeMap<u64, Arc<RunningQuery>>>,
    kill: Kill,
}

/// A statement a connection is running.
#[derive(Debug)]
pub struct RunningQuery {
    id: u64,
    conn_id: u32,
    sql: String,
    started_ms: i64,
    started: Instant,
    kill: Kill,
}

/// A connection as `perf_connections` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// Connection id (what `KILL CONNECTION` takes).
    pub id: u32,
    /// The user it logged in as.
    pub user: String,
    /// `ip:port` it came from.
    pub addr: String,
    /// Login time, ms since the epoch.
    pub login_ms: i64,
    /// Its last request, ms since the epoch.
    pub last_access_ms: i64,
    /// What it told the server about itself.
    pub options: PeerOptions,
}

/// A running statement as `perf_queries` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryInfo {
    /// `conn_id:query_id` in hex, what `KILL QUERY` takes.
    pub kill_id: String,
    /// Query id, unique over the server's life.
    pub query_id: u64,
    /// Connection that runs it.
    pub conn_id: u32,
    /// Statement text (at most [`MAX_LISTED_SQL`] bytes).
    pub sql: String,
    /// Start, ms since the epoch.
    pub started_ms: i64,
    /// Time spent so far, µs.
    pub exec_us: i64,
}

/// Removes its connection from the registry when dropped.
#[derive(Debug)]
pub struct PeerGuard {
    peers: Arc<Peers>,
    peer: Arc<Peer>,
}

/// Removes its statement from its connection's list when dropped.
#[derive(Debug)]
pub struct QueryGuard {
    peer: Arc<Peer>,
    query: Arc<RunningQuery>,
}

/// Why a kill found nothing to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillError {
    /// No connection has that id (TDengine's 0x030E).
    NoConnection,
    /// The id is not `conn:query` (TDengine's 0x030C).
    BadQueryId,
}

/// `sql` as SHOW QUERIES (and an error message) may show it: the password of CREATE /
/// ALTER USER replaced by `'******'`, so no password is ever listed or echoed.
pub(crate) fn listed_sql(sql: &str) -> std::borrow::Cow<'_, str> {
    let Ok(toks) = super::lexer::tokenize(sql) else {
        return sql.into();
    };
    let is_user_stmt = toks
        .first()
        .is_some_and(|t| t.is_kw("CREATE") || t.is_kw("ALTER"))
        && toks.get(1).is_some_and(|t| t.is_kw("USER"));
    if !is_user_stmt {
        return sql.into();
    }
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    for w in toks.windows(2) {
        if w[0].is_kw("PASS") && w[1].kind == super::lexer::Kind::Str {
            out.push_str(&sql[at..w[1].pos]);
            out.push_str("'******'");
            at = w[1].pos + w[1].text.len();
        }
    }
    out.push_str(&sql[at..]);
    out.into()
}

/// `s` cut to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Peers {
    /// Lists a connection that just logged in as `user` from `addr`.
    pub fn register(self: &Arc<Self>, user: &str, addr: &str) -> PeerGuard {
        let id = self
            .next_conn
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1);
        let now = now_ms();
        let peer = Arc::new(Peer {
            id,
            user: user.to_owned(),
            addr: addr.to_owned(),
            login_ms: now,
            last_access_ms: AtomicI64::new(now),
            options: Mutex::default(),
            queries: Mutex::default(),
            kill: Kill::new(),
        });
        lock(&self.conns).insert(id, Arc::clone(&peer));
        PeerGuard {
            peers: Arc::clone(self),
            peer,
        }
    }

    /// The connections being served, by id.
    pub fn connections(&self) -> Vec<PeerInfo> {
        let conns: Vec<Arc<Peer>> = lock(&self.conns).values().cloned().collect();
        conns.iter().map(|p| p.info()).collect()
    }

    /// The statements running now, by connection then start.
    pub fn queries(&self) -> Vec<QueryInfo> {
        let conns: Vec<Arc<Peer>> = lock(&self.conns).values().cloned().collect();
        let mut out = Vec::new();
        for p in conns {
            let queries: Vec<Arc<RunningQuery>> = lock(&p.queries).values().cloned().collect();
            out.extend(queries.iter().map(|q| q.info()));
        }
        out
    }

    /// The connection `id`, if it is being served.
    pub fn get(&self, id: u32) -> Option<Arc<Peer>> {
        lock(&self.conns).get(&id).cloned()
    }

    /// Kills connection `id`: it stops serving and every statement it runs fails.
    pub fn kill_connection(&self, id: u32) -> Result<Arc<Peer>, KillError> {
        let peer = self.get(id).ok_or(KillError::NoConnection)?;
        peer.kill.kill();
        for q in lock(&peer.queries).values() {
            q.kill.kill();
        }
        Ok(peer)
    }

    /// Kills the statement `kill_id` (`conn_id:query_id`, both hex, as `perf_queries`
    /// lists it). As TDengine does, a statement that already ended on a live connection is
    /// not an error; the connection must exist.
    pub fn kill_query(&self, kill_id: &str) -> Result<(), KillError> {
        let (conn, query) = kill_id.split_once(':').ok_or(KillError::BadQueryId)?;
        let conn = u32::from_str_radix(conn.trim(), 16).map_err(|_| KillError::NoConnection)?;
        let peer = self.get(conn).ok_or(KillError::NoConnection)?;
        let Ok(query) = u64::from_str_radix(query.trim(), 16) else {
            return Ok(());
        };
        if let Some(q) = lock(&peer.queries).get(&query).cloned() {
            q.kill.kill();
        }
        Ok(())
    }
}

impl Peer {
    /// Connection id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The user it logged in as.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Notes a request now (`last_access`).
    pub fn touch(&self) {
        self.last_access_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// Changes what the client said about itself with `f`.
    pub fn update_options(&self, f: impl FnOnce(&mut PeerOptions)) {
        f(&mut lock(&self.options));
    }

    /// True once the connection was killed.
    pub fn is_killed(&self) -> bool {
        self.kill.is_killed()
    }

    /// Completes once the connection is killed.
    pub async fn killed(&self) {
        self.kill.killed().await
    }

    /// Lists `sql` as running on this connection until the guard drops. A statement started
    /// on a killed connection is killed from the start.
    pub fn start_query(self: &Arc<Self>, peers: &Peers, sql: &str) -> QueryGuard {
        let id = peers
            .next_query
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1);
        let query = Arc::new(RunningQuery {
            id,
            conn_id: self.id,
            sql: cut(&listed_sql(sql), MAX_LISTED_SQL).to_owned(),
            started_ms: now_ms(),
            started: Instant::now(),
            kill: Kill::new(),
        });
        if self.is_killed() {
            query.kill.kill();
        }
        lock(&self.queries).insert(id, Arc::clone(&query));
        QueryGuard {
            peer: Arc::clone(self),
            query,
        }
    }

    fn info(&self) -> PeerInfo {
        PeerInfo {
            id: self.id,
            user: self.user.clone(),
            addr: self.addr.clone(),
            login_ms: self.login_ms,
            last_access_ms: self.last_access_ms.load(Ordering::Relaxed),
            options: lock(&self.options).clone(),
        }
    }
}

impl RunningQuery {
    fn info(&self) -> QueryInfo {
        QueryInfo {
            kill_id: format!("{:x}:{:x}", self.conn_id, self.id),
            query_id: self.id,
            conn_id: self.conn_id,
            sql: self.sql.clone(),
            started_ms: self.started_ms,
            exec_us: i64::try_from(self.started.elapsed().as_micros()).unwrap_or(i64::MAX),
        }
    }
}

impl PeerGuard {
    /// The connection.
    pub fn peer(&self) -> &Arc<Peer> {
        &self.peer
    }
}

impl Drop for PeerGuard {
    fn drop(&mut self) {
        lock(&self.peers.conns).remove(&self.peer.id);
    }
}

impl QueryGuard {
    /// Completes once the statement is killed (by `KILL QUERY` or `KILL CONNECTION`).
    pub async fn killed(&self) {
        self.query.kill.killed().await
    }
}

impl Drop for QueryGuard {
    fn drop(&mut self) {
        lock(&self.peer.queries).remove(&self.query.id);
    }
}

/// A poisoned registry lock only follows a panic elsewhere; the maps stay consistent.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_and_queries_are_listed_while_their_guards_live() {
        let peers = Arc::new(Peers::default());
        let a = peers.register("root", "127.0.0.1:5000");
        let b = peers.register("u1", "127.0.0.1:5001");
        assert_eq!(
            peers.connections().iter().map(|p| p.id).collect::<Vec<_>>(),
            [a.peer().id(), b.peer().id()]
        );
        let q = a.peer().start_query(&peers, "select 1");
        let listed = peers.queries();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].sql, "select 1");
        assert_eq!(
            listed[0].kill_id,
            format!("{:x}:{:x}", a.peer().id(), listed[0].query_id)
        );
        drop(q);
        assert!(peers.queries().is_empty());
        drop(a);
        assert_eq!(peers.connections().len(), 1);
        assert_eq!(peers.connections()[0].user, "u1");
    }

    #[tokio::test]
    async fn kills_reach_waiters_that_start_before_or_after() {
        let peers = Arc::new(Peers::default());
        let a = peers.register("root", "");
        let q = a.peer().start_query(&peers, "select 1");
        let kill_id = peers.queries()[0].kill_id.clone();
        assert_eq!(peers.kill_query("ffff:1"), Err(KillError::NoConnection));
        assert_eq!(peers.kill_query("nonsense"), Err(KillError::BadQueryId));
        // A statement that is not running on a live connection: nothing to do, no error.
        let live = format!("{:x}:ffffff", a.peer().id());
        assert_eq!(peers.kill_query(&live), Ok(()));
        peers.kill_query(&kill_id).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), q.killed())
            .await
            .unwrap();
        assert!(!a.peer().is_killed());
        let q2 = a.peer().start_query(&peers, "select 2");
        let id = a.peer().id();
        assert!(matches!(
            peers.kill_connection(id + 100),
            Err(KillError::NoConnection)
        ));
        peers.kill_connection(id).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), q2.killed())
            .await
            .unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), a.peer().killed())
            .await
            .unwrap();
        // A statement started after the kill is killed from the start.
        let q3 = a.peer().start_query(&peers, "select 3");
        tokio::time::timeout(std::time::Duration::from_secs(5), q3.killed())
            .await
            .unwrap();
    }

    #[test]
    fn passwords_are_never_listed() {
        assert_eq!(
            listed_sql("create user u pass 'Secret_pw1' sysinfo 0"),
            "create user u pass '******' sysinfo 0"
        );
        assert_eq!(
            listed_sql("ALTER USER u PASS \"Secret_pw1\""),
            "ALTER USER u PASS '******'"
        );
        assert_eq!(listed_sql("select 'pass'"), "select 'pass'");
    }

    #[test]
    fn long_statements_are_listed_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_LISTED_SQL);
        let got = cut(&long, MAX_LISTED_SQL);
        assert!(got.len() <= MAX_LISTED_SQL && got.len() >= MAX_LISTED_SQL - 1);
        assert!(long.starts_with(got));
    }
}
