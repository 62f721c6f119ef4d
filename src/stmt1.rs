//! stmt (v1), TDengine's first prepared-statement API (`stmt2.md` §12): prepare SQL with `?`
//! placeholders, then set the table name and tags and bind rows table by table, and execute.
//! Tags and columns go out as binary frames carrying one raw block
//! (`taosarrow_codec::stmt1`), each column converted to its prepared field's type first.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::{can_cast_types, cast_with_options, CastOptions};
use arrow_schema::{DataType, Field, Schema};
use taosarrow_codec::stmt1::{encode_stmt1_frame, Stmt1Frame};
use taosarrow_codec::stmt2::{BindField, BindLocation, BindRole, Stmt2Error};
use taosarrow_codec::{arrow_field, ColumnSpec, SchemaOptions};
use taosarrow_protocol::messages::{
    ReqIdArgs, Request, StmtExecResponse, StmtField, StmtFieldsResponse, StmtIdRequest,
    StmtNumParamsResponse, StmtPrepareRequest, StmtPrepareResponse, StmtResponse,
    StmtSetTableNameRequest, StmtUseResultResponse,
};
use taosarrow_protocol::{Precision, TdType};
use tokio_tungstenite::tungstenite::Message;

use crate::connection::result_schema;
use crate::socket::Socket;
use crate::stmt2::{json_request, parse_reply, timestamp_text, HasHeader};
use crate::stream::ResultStream;
use crate::{ConnectOptions, Error};

/// A prepared statement of one connection (stmt v1).
///
/// ```no_run
/// # async fn demo(conn: &taosarrow::Connection) -> Result<(), taosarrow::Error> {
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Int32Array, TimestampMillisecondArray};
/// let mut stmt = conn.stmt().await?;
/// stmt.prepare("insert into db.t values (?, ?)").await?;
/// let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![1_700_000_000_000]));
/// let v: ArrayRef = Arc::new(Int32Array::from(vec![1]));
/// stmt.bind(&[ts, v]).await?;
/// stmt.add_batch().await?;
/// assert_eq!(stmt.exec().await?, 1);
/// stmt.close();
/// # Ok(()) }
/// ```
pub struct Stmt {
    socket: Arc<Socket>,
    opts: ConnectOptions,
    stmt_id: u64,
    prepared: bool,
    is_insert: bool,
    /// The tags of a prepared INSERT; `None` when the server did not describe them.
    tags: Option<Vec<BindField>>,
    /// The columns of a prepared INSERT; `None` when the server did not describe them.
    cols: Option<Vec<BindField>>,
    /// The columns were not described at prepare (`insert into ? values (…)`, whose table
    /// is named later): every `set_tbname` asks for those of the table it names, which may
    /// differ from table to table.
    per_table: bool,
    params: usize,
    affected: u64,
    closed: bool,
}

impl std::fmt::Debug for Stmt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stmt")
            .field("stmt_id", &self.stmt_id)
            .field("is_insert", &self.is_insert)
            .field("tags", &self.tags)
            .field("cols", &self.cols)
            .field("closed", &self.closed)
            .finish()
    }
}

impl Stmt {
    pub(crate) async fn init(socket: Arc<Socket>, opts: ConnectOptions) -> Result<Stmt, Error> {
        let req = |req_id| Request::StmtInit(ReqIdArgs { req_id });
        let resp: StmtResponse = json_request(&socket, req, "init").await?;
        Ok(Stmt {
            socket,
            opts,
            stmt_id: resp.stmt_id,
            prepared: false,
            is_insert: false,
            tags: None,
            cols: None,
            per_table: false,
            params: 0,
            affected: 0,
            closed: false,
        })
    }

    /// The statement id on the server.
    pub fn id(&self) -> u64 {
        self.stmt_id
    }

    fn open(&self) -> Result<(), Error> {
        if self.closed {
            return Err(Error::Interface("the statement is closed".into()));
        }
        Ok(())
    }

    fn ready(&self) -> Result<(), Error> {
        self.open()?;
        if !self.prepared {
            return Err(Error::Interface("the statement is not prepared".into()));
        }
        Ok(())
    }

    fn id_request(&self, make: fn(StmtIdRequest) -> Request) -> impl FnOnce(u64) -> Request {
        let stmt_id = self.stmt_id;
        move |req_id| make(StmtIdRequest { req_id, stmt_id })
    }

    /// Prepares `sql` (placeholders `?`); may be called again with other SQL. For an INSERT
    /// the tags and columns are asked for at once.
    pub async fn prepare(&mut self, sql: &str) -> Result<(), Error> {
        self.open()?;
        let stmt_id = self.stmt_id;
        let req = |req_id| {
            Request::StmtPrepare(StmtPrepareRequest {
                req_id,
                stmt_id,
                sql: sql.to_owned(),
            })
        };
        self.prepared = false;
        let resp: StmtPrepareResponse = json_request(&self.socket, req, "prepare").await?;
        self.is_insert = resp.is_insert;
        (self.tags, self.cols) = (None, None);
        if self.is_insert {
            self.describe().await?;
        }
        self.per_table = self.is_insert && self.cols.is_none();
        let req = self.id_request(Request::StmtNumParams);
        let n: StmtNumParamsResponse = json_request(&self.socket, req, "stmt_num_params").await?;
        self.params = usize::try_from(n.num_params)
            .map_err(|_| Error::invalid_response("stmt_num_params", "negative num_params"))?;
        self.prepared = true;
        Ok(())
    }

    /// Asks for the tags and columns not known yet. A server that cannot describe them yet
    /// (e.g. before the table name is set) leaves them unknown; binds are then sent with
    /// the Arrow types given.
    async fn describe(&mut self) -> Result<(), Error> {
        if self.tags.is_none() {
            self.tags = self
                .fields(Request::StmtGetTagFields, "get_tag_fields", BindRole::Tag)
                .await?;
        }
        if self.cols.is_none() {
            self.cols = self
                .fields(
                    Request::StmtGetColFields,
                    "get_col_fields",
                    BindRole::Column,
                )
                .await?;
        }
        Ok(())
    }

    async fn fields(
        &self,
        make: fn(StmtIdRequest) -> Request,
        action: &'static str,
        role: BindRole,
    ) -> Result<Option<Vec<BindField>>, Error> {
        let req = self.id_request(make);
        let resp: StmtFieldsResponse = match json_request(&self.socket, req, action).await {
            Ok(r) => r,
            Err(Error::Server { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        described_fields(resp, role, action).map(Some)
    }

    /// Whether the prepared SQL is an INSERT.
    pub fn is_insert(&self) -> bool {
        self.is_insert
    }

    /// Number of placeholders: the columns of an INSERT, the `?` of a query.
    pub fn num_params(&self) -> usize {
        self.params
    }

    /// The tags of a prepared INSERT, when the server described them.
    pub fn tag_fields(&self) -> Option<&[BindField]> {
        self.tags.as_deref()
    }

    /// The columns of a prepared INSERT, when the server described them.
    pub fn col_fields(&self) -> Option<&[BindField]> {
        self.cols.as_deref()
    }

    /// Names the table the next rows go to (`insert into ? …`). For `insert into ? values
    /// (…)` without `USING` the server describes that table's columns only now; they are
    /// asked for at every call, so tables of different schemas may follow one another.
    pub async fn set_tbname(&mut self, name: &str) -> Result<(), Error> {
        self.ready()?;
        let stmt_id = self.stmt_id;
        let req = |req_id| {
            Request::StmtSetTableName(StmtSetTableNameRequest {
                req_id,
                stmt_id,
                name: name.to_owned(),
            })
        };
        let _: StmtResponse = json_request(&self.socket, req, "set_table_name").await?;
        if self.per_table {
            (self.tags, self.cols) = (None, None);
        }
        if self.is_insert && (self.tags.is_none() || self.cols.is_none()) {
            self.describe().await?;
        }
        Ok(())
    }

    /// Sets the tags of the current child table: one length-1 array per tag, in tag order,
    /// each converted losslessly to its tag's type (an error naming the tag otherwise).
    pub async fn set_tags(&mut self, tags: &[ArrayRef]) -> Result<(), Error> {
        self.ready()?;
        if !self.is_insert {
            return Err(Error::Interface(
                "set_tags() is for INSERT statements".into(),
            ));
        }
        if let Some((i, a)) = tags.iter().enumerate().find(|(_, a)| a.len() != 1) {
            return Err(shape(format!(
                "tag {i} must hold exactly one value, not {}",
                a.len()
            )));
        }
        let batch = insert_batch(self.tags.as_deref(), tags, "tag")?;
        self.send(Stmt1Frame::SetTags, &batch, "set_tags").await
    }

    /// Binds rows: for an INSERT one array per column, in column order, all of one length,
    /// each converted losslessly to its column's type (an error naming the column
    /// otherwise); for a query one length-1 array per `?`, typed by its Arrow type.
    /// Several binds (and [`add_batch`](Self::add_batch)es) may precede one
    /// [`exec`](Self::exec).
    pub async fn bind(&mut self, columns: &[ArrayRef]) -> Result<(), Error> {
        self.ready()?;
        let batch = if self.is_insert {
            if let Some(first) = columns.first() {
                let rows = first.len();
                if let Some((i, a)) = columns.iter().enumerate().find(|(_, a)| a.len() != rows) {
                    return Err(shape(format!(
                        "column {i} has {} rows, column 0 has {rows}",
                        a.len()
                    )));
                }
            }
            insert_batch(self.cols.as_deref(), columns, "column")?
        } else {
            self.query_batch(columns)?
        };
        self.send(Stmt1Frame::Bind, &batch, "bind").await
    }

    fn query_batch(&self, params: &[ArrayRef]) -> Result<RecordBatch, Error> {
        if params.len() != self.params {
            return Err(shape(format!(
                "the query has {} placeholder(s), {} value(s) given",
                self.params,
                params.len()
            )));
        }
        let mut fields = Vec::with_capacity(params.len());
        let mut values = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            if p.len() != 1 {
                return Err(shape(format!(
                    "query parameter {i} must hold exactly one value, not {}",
                    p.len()
                )));
            }
            // The server refuses TIMESTAMP query parameters: an instant travels as RFC 3339
            // text in UTC. Dictionaries travel as their values.
            let value = match p.data_type() {
                DataType::Timestamp(..) => timestamp_text(i, p)?,
                DataType::Dictionary(_, v) => cast_checked(p, v)
                    .map_err(|e| Error::Interface(format!("query parameter {i}: {e}")))?,
                _ => p.clone(),
            };
            fields.push(Field::new(
                format!("?{}", i + 1),
                value.data_type().clone(),
                true,
            ));
            values.push(value);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), values)
            .map_err(|e| Error::Interface(format!("query parameters: {e}")))
    }

    async fn send(
        &self,
        frame: Stmt1Frame,
        batch: &RecordBatch,
        action: &'static str,
    ) -> Result<(), Error> {
        let ticket = self.socket.ticket()?;
        let mut out = Vec::new();
        encode_stmt1_frame(ticket.req_id(), self.stmt_id, frame, batch, &mut out)
            .map_err(|e| shape(e.to_string()))?;
        let reply = ticket.call(Message::binary(out)).await?;
        let _: StmtResponse = parse_reply(reply, action)?;
        Ok(())
    }

    /// Closes the rows bound for the current table; the next table (or more rows) may follow.
    pub async fn add_batch(&mut self) -> Result<(), Error> {
        self.ready()?;
        let req = self.id_request(Request::StmtAddBatch);
        let _: StmtResponse = json_request(&self.socket, req, "add_batch").await?;
        Ok(())
    }

    /// Executes what was bound; returns the rows this exec wrote (0 for a query).
    pub async fn exec(&mut self) -> Result<u64, Error> {
        self.ready()?;
        let req = self.id_request(Request::StmtExec);
        let resp: StmtExecResponse = json_request(&self.socket, req, "exec").await?;
        let n = u64::try_from(resp.affected)
            .map_err(|_| Error::invalid_response("exec", "negative affected"))?;
        self.affected += n;
        Ok(n)
    }

    /// Rows written by every exec of this statement so far.
    pub fn affected_rows(&self) -> u64 {
        self.affected
    }

    /// The result of an executed query, as a stream of record batches.
    pub async fn result(&mut self) -> Result<ResultStream, Error> {
        self.ready()?;
        let req = self.id_request(Request::StmtUseResult);
        let r: StmtUseResultResponse = json_request(&self.socket, req, "use_result").await?;
        let (schema, precision) = result_schema(&r.columns, &self.opts)?;
        Ok(ResultStream::start(
            self.socket.clone(),
            r.result_id,
            schema,
            precision,
        ))
    }

    /// Closes the statement on the server (idempotent). The server answers a `close` only
    /// when it fails, so nothing is awaited; later calls fail with an interface error.
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        let req = Request::StmtClose(StmtIdRequest {
            req_id: self.socket.req_id(),
            stmt_id: self.stmt_id,
        });
        // A lost socket has freed the statement already.
        let _ = self.socket.send(Message::text(req.to_json()));
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }
}

impl Drop for Stmt {
    /// A statement dropped without [`close`](Stmt::close) is closed in the background.
    fn drop(&mut self) {
        self.close();
    }
}

impl HasHeader for StmtPrepareResponse {}
impl HasHeader for StmtExecResponse {}
impl HasHeader for StmtFieldsResponse {}
impl HasHeader for StmtNumParamsResponse {}
impl HasHeader for StmtUseResultResponse {}

/// A bind-shape error, raised before anything is sent.
fn shape(msg: String) -> Error {
    Error::Bind(Stmt2Error::Shape(msg))
}

/// The tags or columns a `get_tag_fields` / `get_col_fields` response describes.
pub(crate) fn described_fields(
    resp: StmtFieldsResponse,
    role: BindRole,
    action: &'static str,
) -> Result<Vec<BindField>, Error> {
    let wire = resp.fields.unwrap_or_default();
    wire.into_iter()
        .map(|f| bind_field(f, role, action))
        .collect()
}

/// A `get_tag_fields` / `get_col_fields` entry as a [`BindField`].
fn bind_field(f: StmtField, role: BindRole, action: &'static str) -> Result<BindField, Error> {
    BindField::from_wire(
        f.name,
        f.field_type.into(),
        f.precision.into(),
        f.scale.into(),
        f.bytes.into(),
        role.code().into(),
    )
    .map_err(|e| Error::invalid_response(action, e.to_string()))
}

/// The block of an INSERT's tags or columns: each array converted to its field's type when
/// the fields are known (`what` names them in errors), else sent as given.
fn insert_batch(
    fields: Option<&[BindField]>,
    arrays: &[ArrayRef],
    what: &str,
) -> Result<RecordBatch, Error> {
    let Some(fields) = fields else {
        let schema = arrays
            .iter()
            .enumerate()
            .map(|(i, a)| Field::new(format!("{what}{i}"), a.data_type().clone(), true))
            .collect::<Vec<_>>();
        return RecordBatch::try_new(Arc::new(Schema::new(schema)), arrays.to_vec())
            .map_err(|e| shape(e.to_string()));
    };
    if arrays.len() != fields.len() {
        return Err(shape(format!(
            "the statement has {} {what}(s), {} given",
            fields.len(),
            arrays.len()
        )));
    }
    let mut schema = Vec::with_capacity(fields.len());
    let mut columns = Vec::with_capacity(fields.len());
    for (f, a) in fields.iter().zip(arrays) {
        let field = block_field(f)?;
        columns.push(conform(a, f, field.data_type())?);
        schema.push(field);
    }
    RecordBatch::try_new(Arc::new(Schema::new(schema)), columns).map_err(|e| shape(e.to_string()))
}

/// The Arrow field a tag or column is written as: its TDengine type in the metadata, the
/// crate's Arrow type for it (TIMESTAMP in the database precision).
fn block_field(f: &BindField) -> Result<Field, Error> {
    let precision = if f.ty == TdType::Timestamp {
        f.time_precision()?
    } else {
        Precision::Millisecond
    };
    let mut spec = ColumnSpec::new(f.name.clone(), f.ty);
    if f.ty.fixed_width().is_none() {
        // The encoder uses the longest value.
        spec.length = 0;
    }
    if f.ty.is_decimal() {
        spec.precision = f.precision;
        spec.scale = f.scale;
    }
    let opts = SchemaOptions {
        precision,
        timezone: None,
    };
    let field = arrow_field(&spec, &opts).map_err(|e| Stmt2Error::Field {
        name: f.name.clone(),
        reason: e.to_string(),
    })?;
    Ok(field.with_nullable(true))
}

/// Casts with overflow (and unparsable text) as errors, never as NULLs.
fn cast_checked(a: &ArrayRef, to: &DataType) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let opts = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    cast_with_options(a.as_ref(), to, &opts)
}

fn is_text(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn is_bytes(dt: &DataType) -> bool {
    is_text(dt)
        || matches!(
            dt,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView
        )
}

/// `a` as the Arrow type `want` of field `f`, converted only when no value changes: the
/// conversion is undone and compared (text parsed into numbers or times is checked by the
/// parse itself). An Int64 array into a TIMESTAMP is taken as ticks in the database
/// precision.
fn conform(a: &ArrayRef, f: &BindField, want: &DataType) -> Result<ArrayRef, Error> {
    let at = |row| BindLocation {
        table: 0,
        field: f.name.clone(),
        row,
    };
    let mismatch = |dt: &DataType| {
        Error::Bind(Stmt2Error::TypeMismatch {
            at: at(None),
            arrow: dt.to_string(),
            ty: f.ty,
        })
    };
    if a.data_type() == want {
        return Ok(a.clone());
    }
    // Dictionaries stand for their values.
    let source = match a.data_type() {
        DataType::Dictionary(_, v) => cast_checked(a, v).map_err(|_| mismatch(a.data_type()))?,
        _ => a.clone(),
    };
    let dt = source.data_type().clone();
    if &dt == want {
        return Ok(source);
    }
    let allowed = match f.ty {
        TdType::Timestamp => matches!(
            dt,
            DataType::Timestamp(..) | DataType::Int64 | DataType::Null
        ),
        _ => can_cast_types(&dt, want),
    };
    // Bytes are not text: a VARCHAR takes no binary data, a number no bytes.
    let bytes_into_text = is_bytes(&dt) && !is_text(&dt) && is_text(want);
    if !allowed || bytes_into_text {
        return Err(mismatch(&dt));
    }
    let value_at = |i: usize| {
        arrow_cast::display::array_value_to_string(source.as_ref(), i).unwrap_or_default()
    };
    let out = cast_checked(&source, want).map_err(|e| {
        let row = (0..source.len()).find(|&i| cast_checked(&source.slice(i, 1), want).is_err());
        Error::Bind(Stmt2Error::Overflow {
            at: at(row),
            value: row.map_or_else(|| e.to_string(), value_at),
            ty: f.ty,
        })
    })?;
    if is_text(&dt) && !is_bytes(want) {
        return Ok(out);
    }
    let back = cast_checked(&out, &dt).ok();
    if back.as_ref().map(|b| b.as_ref()) == Some(source.as_ref()) {
        return Ok(out);
    }
    let row = (0..source.len()).find(|&i| {
        back.as_ref()
            .is_none_or(|b| b.slice(i, 1).as_ref() != source.slice(i, 1).as_ref())
    });
    let value = row.map(value_at).unwrap_or_default();
    let target = match f.ty {
        TdType::Timestamp => f
            .time_precision()
            .map_or("TIMESTAMP", |p| p.name())
            .to_owned(),
        ty => ty.to_string(),
    };
    Err(Error::Bind(Stmt2Error::PrecisionLoss {
        at: at(row),
        value,
        target,
    }))
}

#[cfg(test)]
mod tests {
    use arrow_array::{
        Float32Array, Float64Array, Int32Array, Int64Array, StringArray, TimestampMicrosecondArray,
        TimestampNanosecondArray, UInt8Array,
    };

    use super::*;

    fn field(ty: TdType) -> BindField {
        BindField::new("c", ty, BindRole::Column)
    }

    fn conform_to(a: ArrayRef, f: &BindField) -> Result<ArrayRef, Error> {
        let want = block_field(f)?.data_type().clone();
        conform(&a, f, &want)
    }

    #[test]
    fn lossless_conversions_pass() {
        let f = field(TdType::BigInt);
        let out = conform_to(Arc::new(Int32Array::from(vec![Some(1), None])), &f).unwrap();
        assert_eq!(
            out.as_ref(),
            &Int64Array::from(vec![Some(1), None]) as &dyn Array
        );
        let ts = BindField::timestamp("ts", Precision::Millisecond, BindRole::Column);
        let us: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![1_000, 2_000]));
        assert_eq!(conform_to(us, &ts).unwrap().len(), 2);
        let ticks: ArrayRef = Arc::new(Int64Array::from(vec![5]));
        let out = conform_to(ticks, &ts).unwrap();
        assert_eq!(
            out.data_type(),
            &DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, None)
        );
        let d = conform_to(
            Arc::new(Float32Array::from(vec![1.5])),
            &field(TdType::Double),
        );
        assert!(d.is_ok());
        let s = conform_to(Arc::new(StringArray::from(vec!["12"])), &field(TdType::Int));
        assert!(s.is_ok());
    }

    #[test]
    fn lossy_conversions_name_the_column_and_row() {
        let e = conform_to(
            Arc::new(Int32Array::from(vec![1, 300])),
            &field(TdType::TinyInt),
        )
        .unwrap_err();
        assert!(e.to_string().contains("`c`"), "{e}");
        let ts = BindField::timestamp("ts", Precision::Millisecond, BindRole::Column);
        let ns: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![1_000_000, 1_000_001]));
        let e = conform_to(ns, &ts).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Bind(Stmt2Error::PrecisionLoss { ref at, .. }) if at.row == Some(1) && at.field == "ts"
            ),
            "{e}"
        );
        let e = conform_to(
            Arc::new(Float64Array::from(vec![0.1])),
            &field(TdType::Float),
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::Bind(Stmt2Error::PrecisionLoss { .. })),
            "{e}"
        );
        let e =
            conform_to(Arc::new(Float64Array::from(vec![1.5])), &field(TdType::Int)).unwrap_err();
        assert!(
            matches!(e, Error::Bind(Stmt2Error::PrecisionLoss { .. })),
            "{e}"
        );
        let e = conform_to(Arc::new(UInt8Array::from(vec![2])), &field(TdType::Bool)).unwrap_err();
        assert!(
            matches!(e, Error::Bind(Stmt2Error::PrecisionLoss { .. })),
            "{e}"
        );
        let e =
            conform_to(Arc::new(StringArray::from(vec!["x"])), &field(TdType::Int)).unwrap_err();
        assert!(matches!(e, Error::Bind(Stmt2Error::Overflow { .. })), "{e}");
        let bin: ArrayRef = Arc::new(arrow_array::BinaryArray::from(vec![&b"a"[..]]));
        let e = conform_to(bin, &field(TdType::VarChar)).unwrap_err();
        assert!(
            matches!(e, Error::Bind(Stmt2Error::TypeMismatch { .. })),
            "{e}"
        );
    }
}
