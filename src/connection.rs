//! The async connection: `exec` and `query` over binary query (action 6).

use std::sync::{Arc, Mutex};

use ::arrow_schema::SchemaRef;
use taosarrow_codec::{arrow_schema, ColumnSpec, SchemaOptions};
use taosarrow_protocol::frames::{BinaryAction, BinaryQuery};
use taosarrow_protocol::messages::{from_json, QueryResponse, ResultColumns};
use taosarrow_protocol::{Precision, TdType};
use tokio_tungstenite::tungstenite::Message;

use crate::session;
use crate::socket::{check_header, Reply, Socket};
use crate::stream::ResultStream;
use crate::{ConnectOptions, Error};

/// An open connection. Cheap to share by reference; `exec` and `query` may run concurrently
/// (replies are matched by `req_id`).
///
/// When the socket drops (server restart, a proxy's idle timeout), the next call reconnects
/// with the same options (addresses in failover order, credentials, time zone) and the
/// current database (the DSN's, or the last `USE db`), then proceeds. Calls in flight at the
/// drop fail with a connection error ([`Error::delivery`] says whether the server may have
/// executed them); one is sent again on the new socket only when that cannot apply it twice:
/// its frame was never written, it is a read (`SELECT`, `SHOW`, `DESCRIBE`, `EXPLAIN`), or
/// the `retry_writes` option is on. Results and statements opened on the old socket fail
/// with an error saying so. `reconnect=false` turns this off.
///
/// ```no_run
/// # async fn demo() -> Result<(), taosarrow::Error> {
/// use futures_util::TryStreamExt;
/// let opts = taosarrow::ConnectOptions::from_dsn("ws://root:taosdata@localhost:6041")?;
/// let conn = taosarrow::Connection::connect(&opts).await?;
/// conn.exec("create database if not exists demo").await?;
/// let batches: Vec<_> = conn.query("select server_version()").await?.try_collect().await?;
/// # Ok(()) }
/// ```
pub struct Connection {
    current: Mutex<Current>,
    /// Held while a lost socket is replaced, so concurrent calls reconnect once.
    reconnecting: tokio::sync::Mutex<()>,
    /// The database to select on a new socket: the DSN's, then the last `USE db`.
    database: Mutex<Option<String>>,
    opts: ConnectOptions,
}

/// The socket in use and its address.
struct Current {
    socket: Arc<Socket>,
    addr: String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("addr", &lock(&self.current).addr)
            .field("options", &self.opts)
            .finish()
    }
}

/// What the server answered to a statement: rows affected, or a result set.
pub enum Outcome {
    /// The statement has no result set (the server's `is_update`: INSERT, CREATE, USE, …);
    /// the rows it wrote (0 for DDL).
    Affected(u64),
    /// The statement has a result set (SELECT, SHOW, DESCRIBE, …), to read as record
    /// batches.
    Rows(ResultStream),
}

impl Connection {
    /// Connects: addresses from a random start with failover, `conn_retries` retries per
    /// address with backoff, each attempt bounded by `connect_timeout`. Options that cannot
    /// work (a zero timeout or message size) are an [`Error::Options`].
    pub async fn connect(opts: &ConnectOptions) -> Result<Connection, Error> {
        opts.validate()?;
        let (ws, addr) = crate::transport::connect(opts).await?;
        Ok(Connection {
            current: Mutex::new(Current {
                socket: Arc::new(Socket::start(ws, opts.read_timeout)),
                addr,
            }),
            reconnecting: tokio::sync::Mutex::new(()),
            database: Mutex::new(opts.database.clone()),
            opts: opts.clone(),
        })
    }

    /// The address (`host:port`) this connection uses (after a reconnect, the new one).
    pub fn address(&self) -> String {
        lock(&self.current).addr.clone()
    }

    /// The options it was opened with.
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// The database a reconnect selects: the DSN's, or the last one a `USE` selected.
    pub fn database(&self) -> Option<String> {
        lock(&self.database).clone()
    }

    /// Runs a statement and returns the affected rows (0 for DDL). A statement that returns
    /// rows is drained and freed, and its row count returned.
    pub async fn exec(&self, sql: &str) -> Result<u64, Error> {
        self.exec_inner(sql, None).await
    }

    /// [`exec`](Self::exec) with a caller-chosen `req_id`; [`Error::ReqIdInUse`] when a
    /// request with that id is in flight on this connection.
    pub async fn exec_with_req_id(&self, sql: &str, req_id: u64) -> Result<u64, Error> {
        self.exec_inner(sql, Some(req_id)).await
    }

    async fn exec_inner(&self, sql: &str, req_id: Option<u64>) -> Result<u64, Error> {
        match self.run(sql, req_id).await? {
            Outcome::Affected(n) => Ok(n),
            Outcome::Rows(s) => {
                let batches = s.collect_all().await?;
                Ok(batches.iter().map(|b| b.num_rows() as u64).sum())
            }
        }
    }

    /// Runs a statement and returns what the server answered: [`Outcome::Affected`] for a
    /// statement without a result set, [`Outcome::Rows`] for one with (even an empty one).
    /// Nothing is guessed from the SQL text.
    pub async fn execute(&self, sql: &str) -> Result<Outcome, Error> {
        self.run(sql, None).await
    }

    /// [`execute`](Self::execute) with a caller-chosen `req_id`; [`Error::ReqIdInUse`] when
    /// a request with that id is in flight on this connection.
    pub async fn execute_with_req_id(&self, sql: &str, req_id: u64) -> Result<Outcome, Error> {
        self.run(sql, Some(req_id)).await
    }

    /// Runs a query and returns its result as a stream of record batches. The schema is
    /// known at once; blocks are fetched ahead while the previous one decodes. Statements
    /// without a result set give an empty stream with an empty schema.
    pub async fn query(&self, sql: &str) -> Result<ResultStream, Error> {
        self.query_inner(sql, None).await
    }

    /// [`query`](Self::query) with a caller-chosen `req_id`; [`Error::ReqIdInUse`] when a
    /// request with that id is in flight on this connection.
    pub async fn query_with_req_id(&self, sql: &str, req_id: u64) -> Result<ResultStream, Error> {
        self.query_inner(sql, Some(req_id)).await
    }

    async fn query_inner(&self, sql: &str, req_id: Option<u64>) -> Result<ResultStream, Error> {
        match self.run(sql, req_id).await? {
            Outcome::Affected(_) => Ok(ResultStream::empty(Precision::Millisecond)),
            Outcome::Rows(s) => Ok(s),
        }
    }

    /// Closes the socket; pending requests, and every later one on this connection or its
    /// results, fail with [`Error::Closed`]. Callable while other tasks use the connection.
    pub async fn close(&self) -> Result<(), Error> {
        lock(&self.current).socket.close();
        Ok(())
    }

    /// The socket to use: the current one, or a new one when it was lost and reconnecting
    /// is on. A failed reconnect is [`Error::NotSent`] (nothing was sent).
    pub(crate) async fn socket(&self) -> Result<Arc<Socket>, Error> {
        let s = lock(&self.current).socket.clone();
        if !self.opts.reconnect || !s.is_lost() {
            return Ok(s);
        }
        let _one_at_a_time = self.reconnecting.lock().await;
        let s = lock(&self.current).socket.clone();
        if !s.is_lost() {
            return Ok(s);
        }
        let mut opts = self.opts.clone();
        opts.database = self.database();
        let (ws, addr) = crate::transport::connect(&opts)
            .await
            .map_err(|e| Error::NotSent {
                source: Box::new(e),
            })?;
        tracing::debug!(addr = %addr, "reconnected");
        let fresh = Arc::new(Socket::start(ws, opts.read_timeout));
        s.retire();
        *lock(&self.current) = Current {
            socket: fresh.clone(),
            addr,
        };
        Ok(fresh)
    }

    /// Whether a statement that failed with `e` may be sent again on a new socket: the socket
    /// was lost, and either the frame never went out or sending it twice is harmless.
    fn may_resend(&self, e: &Error, sql: &str) -> bool {
        self.may_resend_request(e, session::is_read_only(sql))
    }

    /// [`may_resend`](Self::may_resend) for a write that is not SQL (a schemaless insert).
    pub(crate) fn may_resend_write(&self, e: &Error) -> bool {
        self.may_resend_request(e, false)
    }

    fn may_resend_request(&self, e: &Error, read_only: bool) -> bool {
        if !self.opts.reconnect {
            return false;
        }
        match e {
            Error::NotSent { source } => matches!(**source, Error::Closed { .. }),
            Error::Closed { .. } => self.opts.retry_writes || read_only,
            _ => false,
        }
    }

    async fn run(&self, sql: &str, req_id: Option<u64>) -> Result<Outcome, Error> {
        let mut resent = false;
        loop {
            let socket = self.socket().await?;
            match self.run_on(&socket, sql, req_id).await {
                Err(e) if !resent && self.may_resend(&e, sql) => {
                    tracing::debug!(error = %e, "socket lost; sending the statement again");
                    resent = true;
                }
                r => {
                    if matches!(r, Ok(Outcome::Affected(_))) {
                        if let Some(db) = session::use_target(sql) {
                            *lock(&self.database) = Some(db);
                        }
                    }
                    return r;
                }
            }
        }
    }

    async fn run_on(
        &self,
        socket: &Arc<Socket>,
        sql: &str,
        req_id: Option<u64>,
    ) -> Result<Outcome, Error> {
        let ticket = socket.ticket_for(req_id)?;
        let mut frame = Vec::with_capacity(30 + sql.len());
        BinaryQuery {
            req_id: ticket.req_id(),
            action: BinaryAction::BinaryQuery,
            sql,
        }
        .encode(&mut frame)
        .map_err(|e| Error::Interface(e.to_string()))?;
        let reply = ticket.call(Message::binary(frame)).await?;
        let Reply::Text(text) = reply else {
            return Err(Error::invalid_response(
                "binary_query",
                "a binary frame instead of JSON",
            ));
        };
        let resp: QueryResponse = from_json("binary_query", &text)?;
        check_header(&resp.header, Error::server)?;
        if resp.is_update || resp.columns.fields_count == 0 {
            return Ok(Outcome::Affected(resp.affected_rows.max(0) as u64));
        }
        let (schema, precision) = result_schema(&resp.columns, &self.opts)?;
        Ok(Outcome::Rows(ResultStream::start(
            socket.clone(),
            resp.id,
            schema,
            precision,
        )))
    }

    /// A new stmt2 statement on this connection (`stmt2_init`); prepare it next. A lost
    /// socket is replaced first (see the type's documentation); a statement does not survive
    /// a later drop.
    pub async fn stmt2(&self) -> Result<crate::Stmt2, Error> {
        let socket = self.socket().await?;
        crate::Stmt2::init(socket, self.opts.clone()).await
    }

    /// A new stmt (v1) statement on this connection (`init`); prepare it next. A lost
    /// socket is replaced first; a statement does not survive a later drop.
    pub async fn stmt(&self) -> Result<crate::Stmt, Error> {
        let socket = self.socket().await?;
        crate::Stmt::init(socket, self.opts.clone()).await
    }
}

/// The Arrow schema and precision of a result described by a query (or `stmt2_result`)
/// response, with the connection's time zone applied.
pub(crate) fn result_schema(
    r: &ResultColumns,
    opts: &ConnectOptions,
) -> Result<(SchemaRef, Precision), Error> {
    let bad = |what: &str| Error::invalid_response("query", what);
    let n = usize::try_from(r.fields_count).map_err(|_| bad("negative fields_count"))?;
    let names = r
        .fields_names
        .as_deref()
        .ok_or_else(|| bad("no fields_names"))?;
    let types = r
        .fields_types
        .as_deref()
        .ok_or_else(|| bad("no fields_types"))?;
    let lengths = r
        .fields_lengths
        .as_deref()
        .ok_or_else(|| bad("no fields_lengths"))?;
    if names.len() != n || types.len() != n || lengths.len() != n {
        return Err(bad("field arrays do not match fields_count"));
    }
    let precs = r.fields_precisions.as_deref();
    let scales = r.fields_scales.as_deref();
    let mut cols = Vec::with_capacity(n);
    for i in 0..n {
        let ty = TdType::from_code(i32::from(types[i])).map_err(|e| bad(&e.to_string()))?;
        let small = |v: Option<&[i64]>| {
            v.and_then(|v| v.get(i))
                .map(|x| u8::try_from(*x).unwrap_or(0))
                .unwrap_or(0)
        };
        cols.push(ColumnSpec {
            name: names[i].clone(),
            ty,
            length: u32::try_from(lengths[i]).map_err(|_| bad("bad field length"))?,
            precision: small(precs),
            scale: small(scales),
        });
    }
    let precision =
        Precision::from_code(i64::from(r.precision)).map_err(|e| bad(&e.to_string()))?;
    let opts = SchemaOptions {
        precision,
        timezone: opts.timezone.clone(),
    };
    Ok((arrow_schema(&cols, &opts)?, precision))
}
