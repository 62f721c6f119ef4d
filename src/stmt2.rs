//! stmt2 (`stmt2.md`): prepare a statement with `?` placeholders once, then bind Arrow
//! arrays to it, table by table, and execute. Inserts go out as stmt2's columnar bind
//! payload, written straight from the Arrow buffers by `taosarrow_codec::stmt2`.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use taosarrow_codec::stmt2::{
    encode_bind_frame, BindField, BindRole, EncodeOptions, TableBind, BIND_FRAME_HEADER_LEN,
    PAYLOAD_HEADER_LEN,
};
use taosarrow_codec::{precision_of, timestamp_ticks};
use taosarrow_protocol::messages::{
    from_json, Request, Stmt2ExecResponse, Stmt2InitRequest, Stmt2PrepareRequest,
    Stmt2PrepareResponse, Stmt2ResultResponse, StmtIdRequest, StmtResponse,
};
use taosarrow_protocol::time::rfc3339_utc;
use taosarrow_protocol::{Code, Precision, TdType};
use tokio_tungstenite::tungstenite::Message;

use crate::connection::result_schema;
use crate::socket::{check_header, Reply, Socket};
use crate::stream::ResultStream;
use crate::{ConnectOptions, Error, ErrorKind};

/// A prepared statement of one connection (stmt2).
///
/// ```no_run
/// # async fn demo(conn: &taosarrow::Connection) -> Result<(), taosarrow::Error> {
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Int32Array, TimestampMillisecondArray};
/// use taosarrow::codec::stmt2::TableBind;
/// let mut stmt = conn.stmt2().await?;
/// stmt.prepare("insert into db.t values (?, ?)").await?;
/// let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![1_700_000_000_000]));
/// let v: ArrayRef = Arc::new(Int32Array::from(vec![1]));
/// stmt.bind(&[TableBind::new(vec![ts, v])]).await?;
/// assert_eq!(stmt.exec().await?, 1);
/// stmt.close().await?;
/// # Ok(()) }
/// ```
pub struct Stmt2 {
    socket: Arc<Socket>,
    opts: ConnectOptions,
    stmt_id: u64,
    fields: Vec<BindField>,
    is_insert: bool,
    /// Number of `?` of a prepared query.
    params: usize,
    encode: EncodeOptions,
    closed: bool,
}

impl std::fmt::Debug for Stmt2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stmt2")
            .field("stmt_id", &self.stmt_id)
            .field("is_insert", &self.is_insert)
            .field("fields", &self.fields)
            .finish()
    }
}

/// A server error of a stmt2 request, classified as a statement error.
fn stmt_error(code: Code, message: String) -> Error {
    Error::Server {
        code,
        message,
        kind: ErrorKind::Statement,
    }
}

impl Stmt2 {
    pub(crate) async fn init(socket: Arc<Socket>, opts: ConnectOptions) -> Result<Stmt2, Error> {
        let req = |req_id| {
            Request::Stmt2Init(Stmt2InitRequest {
                req_id,
                single_stb_insert: false,
                single_table_bind_once: false,
            })
        };
        let resp: StmtResponse = json_request(&socket, req, "stmt2_init").await?;
        Ok(Stmt2 {
            socket,
            opts,
            stmt_id: resp.stmt_id,
            fields: Vec::new(),
            is_insert: false,
            params: 0,
            encode: EncodeOptions::default(),
            closed: false,
        })
    }

    /// The statement id on the server.
    pub fn id(&self) -> u64 {
        self.stmt_id
    }

    /// Accept timestamps finer than the database precision (and decimals with more digits
    /// than the column's scale) by truncating them; off by default, when such a value is an
    /// error naming its column and row.
    pub fn set_allow_truncation(&mut self, allow: bool) {
        self.encode.allow_truncation = allow;
    }

    /// Prepares `sql` (placeholders `?`); may be called again with other SQL.
    pub async fn prepare(&mut self, sql: &str) -> Result<(), Error> {
        let stmt_id = self.stmt_id;
        let req = |req_id| {
            Request::Stmt2Prepare(Stmt2PrepareRequest {
                req_id,
                stmt_id,
                sql: sql.to_owned(),
                get_fields: true,
            })
        };
        let resp: Stmt2PrepareResponse = json_request(&self.socket, req, "stmt2_prepare").await?;
        let (fields, params) = prepared_fields(resp.fields.unwrap_or_default(), resp.fields_count)?;
        self.is_insert = resp.is_insert;
        self.params = params;
        self.fields = fields;
        Ok(())
    }

    /// The placeholders of an INSERT, in order (table name, tags, columns), as prepare
    /// described them; empty for a query.
    pub fn fields(&self) -> &[BindField] {
        &self.fields
    }

    /// Whether the prepared SQL is an INSERT.
    pub fn is_insert(&self) -> bool {
        self.is_insert
    }

    /// Number of placeholders.
    pub fn param_count(&self) -> usize {
        self.params
    }

    /// Binds tables of an INSERT: each names its child table when the SQL has a `tbname`
    /// placeholder, carries one length-1 array per tag and one array per column, in field
    /// order. Arrow types are converted losslessly (see `taosarrow_codec::stmt2`); a value
    /// that does not fit is an error naming its column and row, raised before anything is
    /// sent. Several binds may precede one [`exec`](Self::exec).
    pub async fn bind(&mut self, tables: &[TableBind]) -> Result<(), Error> {
        self.bind_sized(tables, 0).await
    }

    /// [`bind`](Self::bind) with the payload size known in advance (bytes to reserve).
    pub(crate) async fn bind_sized(
        &mut self,
        tables: &[TableBind],
        payload_bytes: usize,
    ) -> Result<(), Error> {
        if !self.is_insert {
            return Err(Error::Interface(
                "bind() is for INSERT statements; use bind_params() for a query".into(),
            ));
        }
        let fields = self.fields.clone();
        self.send_bind(&fields, tables, payload_bytes).await
    }

    /// Binds the parameters of a prepared query: one length-1 array per `?`, in order. The
    /// TDengine type of each is taken from its Arrow type.
    pub async fn bind_params(&mut self, params: &[ArrayRef]) -> Result<(), Error> {
        if self.is_insert {
            return Err(Error::Interface(
                "bind_params() is for queries; use bind() for an INSERT".into(),
            ));
        }
        if params.len() != self.params {
            return Err(Error::Interface(format!(
                "the query has {} placeholder(s), {} value(s) given",
                self.params,
                params.len()
            )));
        }
        let mut fields = Vec::with_capacity(params.len());
        let mut values = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            if p.len() != 1 {
                return Err(Error::Interface(format!(
                    "query parameter {i} must hold exactly one value, not {}",
                    p.len()
                )));
            }
            // The wire carries no unit for a TIMESTAMP parameter: send the instant as
            // RFC 3339 text in UTC, as the official Go client does.
            let value = match p.data_type() {
                DataType::Timestamp(..) => timestamp_text(i, p)?,
                _ => p.clone(),
            };
            fields.push(query_field(i, value.data_type())?);
            values.push(value);
        }
        let table = TableBind::new(values);
        self.send_bind(&fields, std::slice::from_ref(&table), 0)
            .await
    }

    async fn send_bind(
        &mut self,
        fields: &[BindField],
        tables: &[TableBind],
        payload_bytes: usize,
    ) -> Result<(), Error> {
        let ticket = self.socket.ticket()?;
        let mut frame =
            Vec::with_capacity(BIND_FRAME_HEADER_LEN + PAYLOAD_HEADER_LEN + payload_bytes);
        encode_bind_frame(
            ticket.req_id(),
            self.stmt_id,
            fields,
            tables,
            &self.encode,
            &mut frame,
        )?;
        let reply = ticket.call(Message::binary(frame)).await?;
        let _: StmtResponse = parse_reply(reply, "stmt2_bind")?;
        Ok(())
    }

    /// Executes what was bound; returns the rows written (0 for a query).
    pub async fn exec(&mut self) -> Result<u64, Error> {
        let stmt_id = self.stmt_id;
        let req = |req_id| Request::Stmt2Exec(StmtIdRequest { req_id, stmt_id });
        let resp: Stmt2ExecResponse = json_request(&self.socket, req, "stmt2_exec").await?;
        u64::try_from(resp.affected)
            .map_err(|_| Error::invalid_response("stmt2_exec", "negative affected"))
    }

    /// The result of an executed query, as a stream of record batches.
    pub async fn result(&mut self) -> Result<ResultStream, Error> {
        let stmt_id = self.stmt_id;
        let req = |req_id| Request::Stmt2Result(StmtIdRequest { req_id, stmt_id });
        let r: Stmt2ResultResponse = json_request(&self.socket, req, "stmt2_result").await?;
        let (schema, precision) = result_schema(&r.columns, &self.opts)?;
        Ok(ResultStream::start(
            self.socket.clone(),
            r.id,
            schema,
            precision,
        ))
    }

    /// Closes the statement on the server.
    pub async fn close(mut self) -> Result<(), Error> {
        self.closed = true;
        let stmt_id = self.stmt_id;
        let req = |req_id| Request::Stmt2Close(StmtIdRequest { req_id, stmt_id });
        let _: StmtResponse = json_request(&self.socket, req, "stmt2_close").await?;
        Ok(())
    }
}

impl Drop for Stmt2 {
    /// A statement dropped without [`close`](Stmt2::close) is closed in the background
    /// (the reply is not awaited).
    fn drop(&mut self) {
        if !self.closed {
            let req = Request::Stmt2Close(StmtIdRequest {
                req_id: self.socket.req_id(),
                stmt_id: self.stmt_id,
            });
            let _ = self.socket.send(Message::text(req.to_json()));
        }
    }
}

/// A one-value timestamp array as RFC 3339 text in UTC, to the nanosecond.
pub(crate) fn timestamp_text(i: usize, a: &ArrayRef) -> Result<ArrayRef, Error> {
    if a.is_null(0) {
        return Ok(Arc::new(arrow_array::StringArray::new_null(1)));
    }
    let Some((v, unit)) = timestamp_ticks(a.as_ref(), 0) else {
        return Ok(a.clone());
    };
    let text = rfc3339_utc(v, unit).ok_or_else(|| {
        Error::Interface(format!("query parameter {i}: timestamp {v} out of range"))
    })?;
    Ok(Arc::new(arrow_array::StringArray::from(vec![text])))
}

/// The field of query parameter `i` from its Arrow type.
fn query_field(i: usize, dt: &DataType) -> Result<BindField, Error> {
    let name = format!("?{}", i + 1);
    match dt {
        DataType::Timestamp(unit, _) => {
            // Seconds travel as milliseconds, the coarsest precision.
            let p = precision_of(*unit).unwrap_or(Precision::Millisecond);
            return Ok(BindField::timestamp(name, p, BindRole::Query));
        }
        DataType::Decimal128(p, s) => {
            let s = u8::try_from(*s).map_err(|_| {
                Error::Interface(format!("query parameter {i}: negative decimal scale"))
            })?;
            return Ok(BindField::decimal(name, *p, s, BindRole::Query));
        }
        _ => {}
    }
    let ty = match taosarrow_codec::td_type_for(dt) {
        // A parameter is typed by its value (`stmt2.md` §5.6): bytes are VARBINARY whatever
        // the width of their offsets.
        Some(TdType::Blob) => TdType::VarBinary,
        Some(ty) if !ty.is_decimal() && ty != TdType::Timestamp => ty,
        _ => {
            return Err(Error::Interface(format!(
                "query parameter {i}: Arrow type {dt} cannot be bound"
            )))
        }
    };
    Ok(BindField::new(name, ty, BindRole::Query))
}

/// The placeholders a `stmt2_prepare` response describes, and its parameter count.
pub(crate) fn prepared_fields(
    wire: Vec<taosarrow_protocol::messages::Stmt2Field>,
    fields_count: i64,
) -> Result<(Vec<BindField>, usize), Error> {
    let mut fields = Vec::with_capacity(wire.len());
    for f in wire {
        let field = BindField::from_wire(
            f.name,
            f.field_type.into(),
            f.precision.into(),
            f.scale.into(),
            f.bytes.into(),
            f.bind_type.into(),
        )
        .map_err(|e| Error::invalid_response("stmt2_prepare", e.to_string()))?;
        fields.push(field);
    }
    let params = usize::try_from(fields_count)
        .map_err(|_| Error::invalid_response("stmt2_prepare", "negative fields_count"))?;
    Ok((fields, params))
}

/// Sends a JSON request and decodes its reply, turning a non-zero code into a statement
/// error.
pub(crate) async fn json_request<T: serde::de::DeserializeOwned + HasHeader>(
    socket: &Socket,
    req: impl FnOnce(u64) -> Request,
    action: &'static str,
) -> Result<T, Error> {
    let ticket = socket.ticket()?;
    let req = req(ticket.req_id());
    let reply = ticket.call(Message::text(req.to_json())).await?;
    parse_reply(reply, action)
}

pub(crate) fn parse_reply<T: serde::de::DeserializeOwned + HasHeader>(
    reply: Reply,
    action: &'static str,
) -> Result<T, Error> {
    let Reply::Text(text) = reply else {
        return Err(Error::invalid_response(
            action,
            "a binary frame instead of JSON",
        ));
    };
    let h = taosarrow_protocol::messages::peek_header(&text)?;
    check_header(&h, stmt_error)?;
    let resp: T = from_json(action, &text)?;
    Ok(resp)
}

/// Responses that carry the common header (all stmt and stmt2 responses).
pub(crate) trait HasHeader {}
impl HasHeader for StmtResponse {}
impl HasHeader for Stmt2PrepareResponse {}
impl HasHeader for Stmt2ExecResponse {}
impl HasHeader for Stmt2ResultResponse {}
