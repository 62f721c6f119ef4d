//! The SQL engine: an in-memory catalog, TDengine DDL/INSERT, and SELECT through DataFusion.
//! Knows nothing of the network; the WebSocket layer calls [`Engine::execute`].
//!
//! * [`catalog`]: databases, super tables, child and normal tables.
//! * [`storage`]: per-table Arrow batches sorted by timestamp, overwrite on duplicate ts.
//! * `ddl`, `show`: CREATE/DROP/ALTER/USE and SHOW/DESCRIBE, parsed by hand.
//! * `insert`: TDengine's multi-table INSERT syntax.
//! * `select`: the TDengine → DataFusion translation (INTERVAL, PARTITION BY, FIRST/LAST…).

mod arith;
pub mod bind;
pub mod catalog;
pub mod commit;
mod ddl;
mod delete;
mod evolve;
mod insert;
mod json_tag;
mod kill;
pub mod lexer;
mod like;
pub mod limits;
pub mod peers;
pub mod prepared;
mod result;
pub mod schemaless;
mod select;
mod show;
pub mod storage;
pub(crate) mod time;
mod time_functions;
pub mod tmq;
mod translate;
pub mod types;
pub mod users;
mod values;
mod wkt;

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use taosarrow_protocol::{Code, Precision};

use self::catalog::{Catalog, Database};
use self::commit::CommitLock;
use self::lexer::{tokenize, Token};
use self::limits::SqlLimits;
use self::peers::{Peer, Peers};
use self::users::{Access, Users};
use crate::config::DEFAULT_MEMORY_LIMIT;
use crate::ServerError;

/// The shared SQL engine: one per server, used by every connection at once.
#[derive(Debug, Clone)]
pub struct Engine {
    catalog: Arc<Catalog>,
    limits: SqlLimits,
    /// Orders writes and DDL against reads (see [`commit`]).
    commit: Arc<CommitLock>,
    /// Held by a schemaless request from its schema changes to its commit.
    schemaless: Arc<std::sync::RwLock<()>>,
    /// DataFusion's runtime, shared by every query: its memory pool bounds them all together.
    runtime: Arc<RuntimeEnv>,
    /// The server as TDengine's one dnode (SHOW DNODES).
    dnode: Arc<Dnode>,
    /// Topics and consumers.
    tmq: Arc<tmq::Tmq>,
    /// The server's time zone: how a connection that names none reads time strings.
    timezone: Option<chrono_tz::Tz>,
    /// Who may log in, and what each may touch.
    users: Arc<Users>,
    /// The connections being served and the statements they run.
    peers: Arc<Peers>,
}

impl Default for Engine {
    fn default() -> Self {
        let now = catalog::now_ms();
        Engine {
            catalog: Arc::default(),
            limits: SqlLimits::default(),
            commit: Arc::default(),
            schemaless: Arc::default(),
            runtime: runtime(DEFAULT_MEMORY_LIMIT),
            dnode: Arc::new(Dnode {
                endpoint: DEFAULT_DNODE_ENDPOINT.to_owned(),
                created: now,
                started: now,
            }),
            tmq: Arc::default(),
            timezone: None,
            users: Arc::default(),
            peers: Arc::default(),
        }
    }
}

/// The endpoint SHOW DNODES reports for an engine no server listens for: TDengine's
/// default dnode endpoint (`localhost`, `serverPort` 6030).
pub const DEFAULT_DNODE_ENDPOINT: &str = "localhost:6030";

/// The one dnode an engine is, as SHOW DNODES and `information_schema.ins_dnodes` list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dnode {
    /// Where the node is reached: the address its server listens on.
    pub(crate) endpoint: String,
    /// When the engine (the node's data) was created, in ms since the epoch.
    pub(crate) created: i64,
    /// When its server last started listening, in ms since the epoch.
    pub(crate) started: i64,
}

/// A DataFusion runtime whose operators may hold `limit` bytes at once. Nothing spills to
/// disk: a query over the limit fails (`Out of Memory`) instead.
fn runtime(limit: usize) -> Arc<RuntimeEnv> {
    let builder = RuntimeEnvBuilder::new()
        .with_memory_limit(limit, 1.0)
        .with_disk_manager_builder(
            DiskManagerBuilder::default().with_mode(DiskManagerMode::Disabled),
        );
    match builder.build_arc() {
        Ok(rt) => rt,
        // Only a disk manager with directories can fail to build; this one has none.
        Err(_) => Arc::new(RuntimeEnv::default()),
    }
}

/// Per-connection state: the current database and the connection time zone.
#[derive(Debug, Clone, Default)]
pub struct Session {
    db: Option<String>,
    /// The time zone the connection set (`conn.tz`, `options_connection`).
    tz: Option<chrono_tz::Tz>,
    /// The server's time zone, used when the connection set none (UTC when `None`).
    server_tz: Option<chrono_tz::Tz>,
    /// When the running statement started: its `NOW`, the same for every `NOW` in it.
    now: chrono::DateTime<chrono::Utc>,
    /// Rows a SELECT reads instead of the stored ones, per table of the current database:
    /// how a query topic evaluates its SELECT over one write.
    overlay: Option<Arc<RowsOverlay>>,
    /// The user the connection logged in as; `None` for the embedding program, which may do
    /// anything.
    user: Option<Arc<str>>,
    /// What the running statement needs of the databases it touches.
    access: Access,
    /// The connection, as SHOW CONNECTIONS lists it (none for an embedded session).
    peer: Option<Arc<Peer>>,
}

/// Rows per table name that a SELECT reads instead of the stored rows (see
/// [`Session::set_overlay`]); tables not in it read as empty.
pub type RowsOverlay = std::collections::HashMap<String, Vec<RecordBatch>>;

impl Session {
    /// A session whose current database is `db` (as `conn` names it), reading time strings
    /// in UTC until a zone is set; a server's connections start from [`Engine::session`].
    pub fn new(db: Option<String>) -> Self {
        Session {
            db: db.filter(|d| !d.is_empty()),
            tz: None,
            server_tz: None,
            now: chrono::Utc::now(),
            overlay: None,
            user: None,
            access: Access::Read,
            peer: None,
        }
    }

    /// The user this session acts for (`None`: the embedding program).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Makes the session act for `user`, whose privileges every statement is then checked
    /// against.
    pub fn set_user(&mut self, user: Option<&str>) {
        self.user = user.map(Arc::from);
    }

    /// Lists the session's statements under connection `peer` (SHOW QUERIES, KILL).
    pub fn set_peer(&mut self, peer: Option<Arc<Peer>>) {
        self.peer = peer;
    }

    /// Sets what the next statements need of the databases they touch: how the stmt and
    /// schemaless paths, which bypass [`Engine::execute`], mark their writes.
    pub fn set_access(&mut self, access: Access) {
        self.access = access;
    }

    /// Makes SELECTs of this session read `overlay`'s rows instead of the stored ones (and
    /// nothing for tables not in it); `None` reads storage again.
    pub fn set_overlay(&mut self, overlay: Option<Arc<RowsOverlay>>) {
        self.overlay = overlay;
    }

    /// The rows SELECTs read instead of storage, if set.
    pub(crate) fn overlay(&self) -> Option<&RowsOverlay> {
        self.overlay.as_deref()
    }

    /// The current database.
    pub fn current_db(&self) -> Option<&str> {
        self.db.as_deref()
    }

    /// Sets the connection time zone used to read time strings and find `TODAY`'s
    /// midnight; `None` goes back to the server's zone.
    pub fn set_timezone(&mut self, tz: Option<chrono_tz::Tz>) {
        self.tz = tz;
    }

    /// The zone time strings without an offset are read in: the connection's if it set one,
    /// else the server's (as TDengine does); `None` is UTC.
    pub fn timezone(&self) -> Option<chrono_tz::Tz> {
        self.tz.or(self.server_tz)
    }

    /// Starts a statement: its `NOW` is this moment.
    pub(crate) fn start_statement(&mut self) {
        self.now = chrono::Utc::now();
    }

    /// When the running statement started: what `NOW` and `TODAY` in it are read from.
    pub(crate) fn statement_time(&self) -> chrono::DateTime<chrono::Utc> {
        self.now
    }
}

/// What a statement produced.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// No result set (INSERT, DDL): rows written (0 for DDL).
    Affected {
        /// Rows written.
        rows: u64,
    },
    /// A result set.
    Rows(ResultSet),
}

/// A query result: fields carry the codec metadata (`taos.type_code`, `taos.length`, …).
#[derive(Debug, Clone)]
pub struct ResultSet {
    /// Result columns.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// Unit of every TIMESTAMP column.
    pub precision: Precision,
}

impl ResultSet {
    /// Total rows.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

impl Engine {
    /// An empty engine whose queries may hold [`DEFAULT_MEMORY_LIMIT`] bytes at once.
    pub fn new() -> Self {
        Engine::default()
    }

    /// The same engine with the statement limits `limits` (default [`SqlLimits::default`]).
    pub fn with_limits(mut self, limits: SqlLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The statement limits.
    pub fn limits(&self) -> &SqlLimits {
        &self.limits
    }

    /// The same engine (its data shared with `self`) with the memory its queries may hold
    /// at once set to `bytes` (see [`crate::ServerConfig::memory_limit`]).
    pub fn with_memory_limit(mut self, bytes: usize) -> Self {
        self.runtime = runtime(bytes);
        self
    }

    /// The same engine (its data shared with `self`) as the dnode reached at `endpoint`
    /// (`host:port`), started now: what SHOW DNODES reports as its `endpoint` and
    /// `reboot_time`. [`crate::LocalServer`] sets the address it listens on; an engine
    /// no server listens for reports [`DEFAULT_DNODE_ENDPOINT`].
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.dnode = Arc::new(Dnode {
            endpoint: endpoint.into(),
            created: self.dnode.created,
            started: catalog::now_ms(),
        });
        self
    }

    /// The same engine (its data shared with `self`) in time zone `tz`: how its sessions
    /// ([`Engine::session`]) read time strings without an offset when the connection names
    /// no zone. `None` (the default of a bare engine) is UTC; a server sets its process's
    /// zone ([`crate::ServerConfig::timezone`]).
    pub fn with_timezone(mut self, tz: Option<chrono_tz::Tz>) -> Self {
        self.timezone = tz;
        self
    }

    /// The server's time zone (see [`Engine::with_timezone`]).
    pub fn timezone(&self) -> Option<chrono_tz::Tz> {
        self.timezone
    }

    /// A session of this engine whose current database is `db`, in the engine's time zone
    /// until the connection sets its own.
    pub fn session(&self, db: Option<String>) -> Session {
        let mut s = Session::new(db);
        s.server_tz = self.timezone;
        s
    }

    /// The same engine (its data shared with `self`) whose first superuser is `user` with
    /// `password` (a server sets its configured user; a bare engine's is `root` /
    /// `taosdata`).
    pub fn with_root_user(self, user: &str, password: &str) -> Self {
        self.users.set_root(user, password);
        self
    }

    /// Who may log in, and what each may touch.
    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The connections being served and the statements they run.
    pub fn peers(&self) -> &Arc<Peers> {
        &self.peers
    }

    /// The dnode this engine is.
    pub(crate) fn dnode(&self) -> &Dnode {
        &self.dnode
    }

    /// DataFusion's runtime for a query.
    pub(crate) fn runtime(&self) -> &Arc<RuntimeEnv> {
        &self.runtime
    }

    /// True when database `name` exists.
    pub fn database_exists(&self, name: &str) -> bool {
        self.catalog.db(&name.to_ascii_lowercase()).is_ok()
    }

    /// Runs one SQL statement for `session`. While it runs it is listed under the
    /// session's connection (SHOW QUERIES); a `KILL QUERY` of it, or of its connection,
    /// ends it with 0x022D.
    pub async fn execute(&self, session: &mut Session, sql: &str) -> Result<Outcome, ServerError> {
        let sql = sql.trim().trim_end_matches(';').trim_end();
        session.start_statement();
        let running = session
            .peer
            .clone()
            .map(|p| p.start_query(&self.peers, sql));
        let run = self.dispatch(session, sql);
        match &running {
            Some(q) => {
                tokio::select! {
                    biased;
                    () = q.killed() => Err(ServerError::from_code(Code::TSC_QUERY_KILLED)),
                    out = run => out,
                }
            }
            None => run.await,
        }
    }

    /// [`Engine::execute`] of one statement, by its first word.
    async fn dispatch(&self, session: &mut Session, sql: &str) -> Result<Outcome, ServerError> {
        let toks = tokenize(sql)?;
        self.limits.check(sql, &toks)?;
        let Some(first) = toks.first() else {
            return Err(ServerError::syntax(sql));
        };
        if users::sql::is_user_statement(&toks) {
            return users::sql::run(self, session, sql, &toks);
        }
        let kw = first.text.to_ascii_uppercase();
        match kw.as_str() {
            "CREATE" | "DROP" | "ALTER" | "USE" => {
                // Tables are written by DDL; topics, consumer groups and USE only read.
                let reads = kw == "USE"
                    || toks
                        .get(1)
                        .is_some_and(|t| t.is_kw("TOPIC") || t.is_kw("CONSUMER"));
                session.access = if reads { Access::Read } else { Access::Write };
                // DDL changes tables and schemas: not while a write or a read is under way.
                let _commit = self.commit.writing();
                ddl::run(self, session, sql, &toks)
            }
            "SHOW" | "DESCRIBE" | "DESC" => {
                session.access = Access::Read;
                show::run(self, session, sql, &toks).map(Outcome::Rows)
            }
            "INSERT" => {
                session.access = Access::Write;
                match insert::select::select_at(&toks, sql) {
                    Some(at) => insert::select::run(self, session, sql, &toks, at).await,
                    None => insert::run(self, session, sql, &toks),
                }
            }
            "SELECT" | "WITH" | "(" => {
                session.access = Access::Read;
                self.limits.check_query(sql, &toks)?;
                select::run(self, session, sql, &toks)
                    .await
                    .map(Outcome::Rows)
            }
            "KILL" => kill::run(self, session, sql, &toks),
            "DELETE" => delete::run(self, session, sql, &toks),
            // FLUSH DATABASE db: the data is in memory already, nothing to flush; the database
            // must exist and be the user's to write.
            "FLUSH" if toks.len() == 3 && toks[1].is_kw("DATABASE") => {
                self.resolve_db_for(session, Some(&toks[2].name()), Access::Write)?;
                Ok(Outcome::Affected { rows: 0 })
            }
            "EXPLAIN" | "FLUSH" | "COMPACT" | "TRIM" | "BALANCE" | "REDISTRIBUTE" | "SPLIT"
            | "MERGE" | "RESET" | "RESTORE" | "PAUSE" | "RESUME" | "SUBSCRIBE" => {
                Err(unsupported(&format!("{kw} statements")))
            }
            _ => Err(ServerError::syntax(sql)),
        }
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Topics and consumers.
    pub fn tmq(&self) -> &Arc<tmq::Tmq> {
        &self.tmq
    }

    /// The lock every commit takes (see [`commit`]).
    pub(crate) fn commit_lock(&self) -> &Arc<CommitLock> {
        &self.commit
    }

    /// Held by a schemaless request from its schema changes to its commit.
    pub(crate) fn schemaless_lock(&self) -> &std::sync::RwLock<()> {
        &self.schemaless
    }

    /// The database a name refers to: `db.x` → `db`, else the session's, else 0x2616;
    /// 0x2644 when the session's user may not touch it as the running statement needs
    /// ([`Session::set_access`]).
    pub(crate) fn resolve_db(
        &self,
        session: &Session,
        db: Option<&str>,
    ) -> Result<Arc<Database>, ServerError> {
        self.resolve_db_for(session, db, session.access)
    }

    /// [`Engine::resolve_db`] for a statement that needs `access` of it.
    pub(crate) fn resolve_db_for(
        &self,
        session: &Session,
        db: Option<&str>,
        access: Access,
    ) -> Result<Arc<Database>, ServerError> {
        let db = match db.or(session.current_db()) {
            Some(d) => self.catalog.db(&d.to_ascii_lowercase())?,
            None => return Err(ServerError::from_code(Code::PAR_DB_NOT_SPECIFIED)),
        };
        self.users.check(session.user(), &db.name, None, access)?;
        Ok(db)
    }

    /// Checks that the session's user may touch table (or super table) `table` of `db` as
    /// `access` needs (see [`Users::check_table`]).
    pub(crate) fn check_table(
        &self,
        session: &Session,
        db: &Database,
        table: &str,
        access: Access,
    ) -> Result<(), ServerError> {
        self.users.check_table(session.user(), db, table, access)
    }

    /// The registry a statement prepared now checks later writes against, with its user.
    pub(crate) fn write_guard(&self, session: &Session) -> users::WriteGuard {
        users::WriteGuard {
            users: Arc::clone(&self.users),
            user: session.user.clone(),
        }
    }
}

/// A possibly db-qualified name at `toks[*i]`: (`db`, `name`), advancing `i`.
pub(crate) fn qualified_name(
    toks: &[Token<'_>],
    i: &mut usize,
    sql: &str,
) -> Result<(Option<String>, String), ServerError> {
    let name_at = |i: usize| -> Result<String, ServerError> {
        match toks.get(i) {
            Some(t) if matches!(t.kind, lexer::Kind::Word | lexer::Kind::Quoted) => Ok(t.name()),
            Some(t) => Err(ServerError::syntax(&sql[t.pos..])),
            None => Err(ServerError::syntax("")),
        }
    };
    let first = name_at(*i)?;
    *i += 1;
    if toks.get(*i).is_some_and(|t| t.is_punct(".")) {
        let second = name_at(*i + 1)?;
        *i += 2;
        Ok((Some(first), second))
    } else {
        Ok((None, first))
    }
}

/// A syntax error at token `i` (or at the end).
pub(crate) fn syntax_at(toks: &[Token<'_>], i: usize, sql: &str) -> ServerError {
    match toks.get(i) {
        Some(t) => ServerError::syntax(&sql[t.pos..]),
        None => ServerError::new(
            Code::PAR_SYNTAX_ERROR,
            "syntax error near \"\" (incomplete statement)",
        ),
    }
}

/// 0x2600 naming a construct the engine does not support.
pub(crate) fn unsupported(what: &str) -> ServerError {
    ServerError::new(
        Code::PAR_SYNTAX_ERROR,
        format!("syntax error: {what} is not supported by this server"),
    )
}

#[cfg(test)]
mod alter_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod json_tag_tests;
#[cfg(test)]
mod show_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod timezone_tests;
#[cfg(test)]
mod tmq_tests;
