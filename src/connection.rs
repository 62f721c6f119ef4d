//! The async connection: `exec` and `query` over binary query (action 6).

use std::sync::Arc;

use ::arrow_schema::SchemaRef;
use taosarrow_codec::{arrow_schema, ColumnSpec, SchemaOptions};
use taosarrow_protocol::frames::{BinaryAction, BinaryQuery};
use taosarrow_protocol::messages::{from_json, QueryResponse, ResultColumns};
use taosarrow_protocol::{Precision, TdType};
use tokio_tungstenite::tungstenite::Message;

use crate::socket::{check_header, Reply, Socket};
use crate::stream::ResultStream;
use crate::{ConnectOptions, Error};

/// An open connection. Cheap to share by reference; `exec` and `query` may run concurrently
/// (replies are matched by `req_id`).
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
    socket: Arc<Socket>,
    opts: ConnectOptions,
    addr: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("addr", &self.addr)
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
    /// address with backoff, each attempt bounded by `connect_timeout`.
    pub async fn connect(opts: &ConnectOptions) -> Result<Connection, Error> {
        let (ws, addr) = crate::transport::connect(opts).await?;
        Ok(Connection {
            socket: Arc::new(Socket::start(ws, opts.read_timeout)),
            opts: opts.clone(),
            addr,
        })
    }

    /// The address (`host:port`) this connection uses.
    pub fn address(&self) -> &str {
        &self.addr
    }

    /// The options it was opened with.
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// Runs a statement and returns the affected rows (0 for DDL). A statement that returns
    /// rows is drained and freed, and its row count returned.
    pub async fn exec(&self, sql: &str) -> Result<u64, Error> {
        let id = self.socket.req_id();
        self.exec_with_req_id(sql, id).await
    }

    /// [`exec`](Self::exec) with a caller-chosen `req_id`.
    pub async fn exec_with_req_id(&self, sql: &str, req_id: u64) -> Result<u64, Error> {
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
        let id = self.socket.req_id();
        self.execute_with_req_id(sql, id).await
    }

    /// [`execute`](Self::execute) with a caller-chosen `req_id`.
    pub async fn execute_with_req_id(&self, sql: &str, req_id: u64) -> Result<Outcome, Error> {
        self.run(sql, req_id).await
    }

    /// Runs a query and returns its result as a stream of record batches. The schema is
    /// known at once; blocks are fetched ahead while the previous one decodes. Statements
    /// without a result set give an empty stream with an empty schema.
    pub async fn query(&self, sql: &str) -> Result<ResultStream, Error> {
        let id = self.socket.req_id();
        self.query_with_req_id(sql, id).await
    }

    /// [`query`](Self::query) with a caller-chosen `req_id`.
    pub async fn query_with_req_id(&self, sql: &str, req_id: u64) -> Result<ResultStream, Error> {
        match self.run(sql, req_id).await? {
            Outcome::Affected(_) => Ok(ResultStream::empty(Precision::Millisecond)),
            Outcome::Rows(s) => Ok(s),
        }
    }

    /// Closes the socket; pending requests, and every later one on this connection or its
    /// results, fail with [`Error::Closed`]. Callable while other tasks use the connection.
    pub async fn close(&self) -> Result<(), Error> {
        self.socket.close();
        Ok(())
    }

    async fn run(&self, sql: &str, req_id: u64) -> Result<Outcome, Error> {
        let mut frame = Vec::with_capacity(30 + sql.len());
        BinaryQuery {
            req_id,
            action: BinaryAction::BinaryQuery,
            sql,
        }
        .encode(&mut frame)
        .map_err(|e| Error::Interface(e.to_string()))?;
        let reply = self.socket.request(req_id, Message::binary(frame)).await?;
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
            self.socket.clone(),
            resp.id,
            schema,
            precision,
        )))
    }

    /// A new stmt2 statement on this connection (`stmt2_init`); prepare it next.
    pub async fn stmt2(&self) -> Result<crate::Stmt2, Error> {
        crate::Stmt2::init(self.socket.clone(), self.opts.clone()).await
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
