//! stmt2 on the WebSocket (`stmt2.md`): `stmt2_init`, `stmt2_prepare`, the binary
//! `stmt2_bind` (action 9) and `stmt2_bind_exec` (action 11), `stmt2_exec`, `stmt2_result`,
//! `stmt2_close`. Payloads are checked by the codec as taosAdapter checks them, then at bind
//! time by [`crate::engine::bind`]; a rejected bind keeps nothing. Bound inserts go straight
//! from the parsed Arrow columns into storage; several binds accumulate until one exec.

use std::collections::HashMap;
use std::time::Instant;

use arrow::array::ArrayRef;
use serde::Serialize;
use taosarrow_codec::stmt2::{
    check_against, parse_bind_exec_payload, parse_bind_exec_raw, parse_bind_frame, parse_payload,
    parse_raw, BindField, BindFrame, BindRole, ParsedTable, RawField, Stmt2Error,
};
use taosarrow_protocol::frames::BinaryAction;
use taosarrow_protocol::messages::{
    ResponseHeader, ResultColumns, Stmt2ExecResponse, Stmt2Field, Stmt2PrepareResponse,
    Stmt2ResultResponse, StmtResponse,
};
use taosarrow_protocol::types::{DECIMAL64_PRECISION, MAX_DECIMAL_PRECISION};
use taosarrow_protocol::{Code, TdType};

use super::results::OpenResult;
use super::{blocks, elapsed_ns, Connection, Flow};
use crate::engine::prepared::{self, Prepared};
use crate::engine::{Engine, Outcome, ResultSet, Session};
use crate::ServerError;

/// Which API opened a statement: its id is valid only for the actions of that API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StmtKind {
    /// stmt v1 (`init`).
    Stmt,
    /// stmt2 (`stmt2_init`).
    Stmt2,
}

impl StmtKind {
    /// The error for an id that names no open statement of this kind.
    pub(super) fn nil(self) -> ServerError {
        ServerError::protocol(match self {
            StmtKind::Stmt => "stmt is nil",
            StmtKind::Stmt2 => "stmt2 is nil",
        })
    }
}

/// Rows and bytes (Arrow memory) bound and not yet executed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Bound {
    /// Rows.
    pub rows: usize,
    /// Bytes of the bound arrays.
    pub bytes: usize,
}

impl Bound {
    /// The rows of `columns` (the length of the first) and the bytes of their values. Only
    /// the slice each array covers counts: the tables of one bind are slices of shared
    /// buffers, which must not be counted once per table.
    pub(super) fn of_columns(columns: &[ArrayRef]) -> Bound {
        let bytes = |c: &ArrayRef| {
            (c.to_data().get_slice_memory_size()).unwrap_or_else(|_| c.get_array_memory_size())
        };
        Bound {
            rows: columns.first().map_or(0, |c| c.len()),
            bytes: columns.iter().map(bytes).sum(),
        }
    }

    /// The rows and memory of `tables`, their tags included.
    pub(super) fn of_tables(tables: &[ParsedTable]) -> Bound {
        tables.iter().fold(Bound::default(), |acc, t| {
            let tags = Bound::of_columns(&t.tags).bytes;
            acc.plus(Bound::of_columns(&t.columns)).plus(Bound {
                rows: 0,
                bytes: tags,
            })
        })
    }

    /// The sum, saturating.
    pub(super) fn plus(self, o: Bound) -> Bound {
        Bound {
            rows: self.rows.saturating_add(o.rows),
            bytes: self.bytes.saturating_add(o.bytes),
        }
    }

    /// Fails with `RPC_MSG_EXCCED_LIMIT` when `in_use` plus `extra` exceeds `self`, the limit.
    pub(super) fn check(self, in_use: Bound, extra: Bound) -> Result<(), ServerError> {
        let total = in_use.plus(extra);
        let over = |what: &str, n: usize, limit: usize| {
            ServerError::new(
                Code::RPC_MSG_EXCCED_LIMIT,
                format!(
                    "bound {what} not yet executed would reach {n}, over this connection's \
                     limit of {limit}: execute or close statements first"
                ),
            )
        };
        if total.rows > self.rows {
            return Err(over("rows", total.rows, self.rows));
        }
        if total.bytes > self.bytes {
            return Err(over("bytes", total.bytes, self.bytes));
        }
        Ok(())
    }
}

/// One statement of a connection.
pub(crate) struct Statement {
    /// The API that opened it.
    kind: StmtKind,
    pub(super) prepared: Option<Prepared>,
    /// Insert tables bound since the last exec.
    pub(super) pending: Vec<ParsedTable>,
    /// The parameters bound to a query.
    pub(super) params: Option<Vec<ArrayRef>>,
    /// The result of an executed query, until `stmt2_result` / `use_result` takes it.
    pub(super) result: Option<ResultSet>,
    /// stmt v1: the table being bound (name, tags, columns since the last `add_batch`).
    pub(super) current: ParsedTable,
    /// What `pending` and `current` hold.
    pub(super) bound: Bound,
    /// stmt v1, `INSERT INTO ? VALUES (?, …)`: the plan of the table `set_table_name` named
    /// last, whose columns the binds fill.
    pub(super) table_plan: Option<prepared::InsertPlan>,
}

impl Statement {
    /// A fresh statement of the given kind.
    fn new(kind: StmtKind) -> Self {
        Statement {
            kind,
            prepared: None,
            pending: Vec::new(),
            params: None,
            result: None,
            current: ParsedTable {
                name: None,
                tags: Vec::new(),
                columns: Vec::new(),
            },
            bound: Bound::default(),
            table_plan: None,
        }
    }

    /// Forgets everything but the kind (a new `prepare`).
    pub(super) fn reset(&mut self, prepared: Prepared) {
        *self = Statement::new(self.kind);
        self.prepared = Some(prepared);
    }
}

/// The statements of a connection; ids from one counter (shared by stmt v1 and stmt2)
/// starting at 1.
pub(crate) struct Statements {
    next_id: u64,
    open: HashMap<u64, Statement>,
    /// Most statements open at once ([`crate::ServerConfig::max_statements`]).
    max: usize,
    /// Most rows and bytes bound and not executed over all statements
    /// ([`crate::ServerConfig::max_bind_rows`], [`crate::ServerConfig::max_bind_bytes`]).
    pub(super) bind_limit: Bound,
}

impl Statements {
    /// No statements yet, with the connection's limits.
    pub(super) fn new(max: usize, bind_limit: Bound) -> Self {
        Statements {
            next_id: 0,
            open: HashMap::new(),
            max,
            bind_limit,
        }
    }

    /// A new statement; its id. Fails with `RPC_MAX_SESSIONS` when the connection holds its
    /// limit of statements already.
    pub(super) fn add(&mut self, kind: StmtKind) -> Result<u64, ServerError> {
        if self.open.len() >= self.max {
            return Err(ServerError::new(
                Code::RPC_MAX_SESSIONS,
                format!(
                    "too many open statements on this connection (limit {}): close one first",
                    self.max
                ),
            ));
        }
        self.next_id += 1;
        self.open.insert(self.next_id, Statement::new(kind));
        Ok(self.next_id)
    }

    /// What all statements hold bound and not executed.
    pub(super) fn bound_total(&self) -> Bound {
        self.open
            .values()
            .fold(Bound::default(), |acc, s| acc.plus(s.bound))
    }

    /// The statement `id` when it is of `kind`.
    pub(super) fn get(&mut self, id: u64, kind: StmtKind) -> Option<&mut Statement> {
        self.open.get_mut(&id).filter(|s| s.kind == kind)
    }

    /// Closes statement `id` of `kind`. Closing an unknown id succeeds, as taosAdapter
    /// does; an id of the other kind does not.
    pub(super) fn close(&mut self, id: u64, kind: StmtKind) -> Result<(), ServerError> {
        if self.open.get(&id).is_some_and(|s| s.kind != kind) {
            let is_stmt2 = kind == StmtKind::Stmt2;
            return Err(ServerError::protocol(format!(
                "stmtID:{id}, isStmt2:{is_stmt2} not match"
            )));
        }
        self.open.remove(&id);
        Ok(())
    }
}

fn nil() -> ServerError {
    StmtKind::Stmt2.nil()
}

fn stmt_error(e: Stmt2Error) -> ServerError {
    let code = e.code().unwrap_or(Code::ADAPTER_PROTOCOL);
    ServerError::new(code, e.to_string())
}

fn wire_field(f: &BindField) -> Stmt2Field {
    Stmt2Field {
        name: f.name.clone(),
        field_type: f.ty.code() as i8,
        precision: f.precision,
        scale: f.scale,
        bytes: f.bytes,
        bind_type: f.role.code() as i8,
    }
}

/// Query parameters: the types come from the payload itself (prepare has no fields for a
/// query). TIMESTAMP parameters are read in milliseconds, DECIMAL64 as DECIMAL(18, 8) and DECIMAL
/// as DECIMAL(38, 18) text.
fn query_fields(blocks: &[RawField<'_>]) -> Result<Vec<BindField>, ServerError> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if f.num != 1 {
                return Err(ServerError::protocol("query only supports one row"));
            }
            let ty = TdType::from_code(f.type_code).map_err(|_| {
                ServerError::new(
                    Code::PAR_WRONG_VALUE_TYPE,
                    format!("parameter {i}: unknown type code {}", f.type_code),
                )
            })?;
            let name = format!("?{}", i + 1);
            Ok(match ty {
                // The parameter's own precision is unknown: read it at the widest scale its
                // type allows with room for the integer digits.
                TdType::Decimal64 => {
                    BindField::decimal(name, *DECIMAL64_PRECISION.end(), 8, BindRole::Query)
                }
                TdType::Decimal => {
                    BindField::decimal(name, MAX_DECIMAL_PRECISION, 18, BindRole::Query)
                }
                _ => BindField::new(name, ty, BindRole::Query),
            })
        })
        .collect()
}

impl Connection {
    pub(super) async fn stmt2_init(&mut self, action: &str, req_id: u64, start: Instant) -> Flow {
        let outcome = self.statements.add(StmtKind::Stmt2);
        let stmt_id = *outcome.as_ref().unwrap_or(&0);
        let outcome = outcome.map(|stmt_id| StmtResponse {
            header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
            stmt_id,
        });
        self.stmt_reply(action, req_id, stmt_id, start, outcome)
            .await
    }

    pub(super) async fn stmt2_prepare(
        &mut self,
        action: &str,
        req_id: u64,
        stmt_id: u64,
        sql: &str,
        get_fields: bool,
        start: Instant,
    ) -> Flow {
        let Some(session) = self.session.as_ref() else {
            return self
                .send_error(
                    action,
                    req_id,
                    start,
                    ServerError::protocol("server not connected"),
                )
                .await;
        };
        let outcome = prepare_stmt2(
            &self.shared.engine,
            session,
            &mut self.statements,
            stmt_id,
            sql,
            get_fields,
        )
        .map(|(is_insert, fields, fields_count)| Stmt2PrepareResponse {
            header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
            stmt_id,
            is_insert,
            fields,
            fields_count,
        });
        self.stmt_reply(action, req_id, stmt_id, start, outcome)
            .await
    }

    /// The binary `stmt2_bind` frame (action 9) or `stmt2_bind_exec` frame (action 11), whose
    /// header carried `req_id`.
    pub(super) async fn stmt2_bind(&mut self, frame: &[u8], req_id: u64, start: Instant) -> Flow {
        const ACTION: &str = "stmt2_bind";
        let bind = match parse_bind_frame(frame) {
            Ok(b) => b,
            Err(e) => return self.send_error(ACTION, req_id, start, stmt_error(e)).await,
        };
        let (req_id, stmt_id) = (bind.req_id, bind.stmt_id);
        if bind.col_idx != -1 {
            let e = ServerError::new(
                Code::OPS_NOT_SUPPORT,
                "binding a single column (col_idx ≥ 0) is not supported",
            );
            return self.stmt_failure(ACTION, req_id, stmt_id, start, e).await;
        }
        if bind.action == BinaryAction::Stmt2BindExec.code() {
            return self.stmt2_bind_exec(bind, start).await;
        }
        let (in_use, limit) = (self.statements.bound_total(), self.statements.bind_limit);
        let outcome = match self.statements.get(stmt_id, StmtKind::Stmt2) {
            None => Err(nil()),
            Some(st) => match &st.prepared {
                None => Err(ServerError::new(
                    Code::TSC_STMT_API_ERROR,
                    "stmt2 bind before prepare",
                )),
                Some(Prepared::Insert(plan)) => open_bind(plan, bind.payload).and_then(|tables| {
                    plan.validate(&tables)?;
                    let extra = Bound::of_tables(&tables);
                    limit.check(in_use, extra)?;
                    st.bound = st.bound.plus(extra);
                    st.pending.extend(tables);
                    Ok(())
                }),
                Some(Prepared::Query { .. }) => {
                    parse_raw(bind.payload).map_err(stmt_error).and_then(|raw| {
                        if raw.tables.len() != 1 {
                            return Err(ServerError::protocol("query only supports one row"));
                        }
                        let fields = query_fields(&raw.tables[0].columns)?;
                        let mut tables = check_against(&raw, &fields).map_err(stmt_error)?;
                        let t = tables.pop().ok_or_else(|| {
                            ServerError::protocol("query bind without parameters")
                        })?;
                        st.params = Some(t.columns);
                        Ok(())
                    })
                }
            },
        };
        match outcome {
            Ok(()) => {
                let resp = StmtResponse {
                    header: ResponseHeader::ok(ACTION, req_id, elapsed_ns(start)),
                    stmt_id,
                };
                self.send_json(&resp).await
            }
            Err(e) => self.stmt_failure(ACTION, req_id, stmt_id, start, e).await,
        }
    }

    /// The binary `stmt2_bind_exec` frame (action 11): a column-wise bind, then exec.
    async fn stmt2_bind_exec(&mut self, bind: BindFrame<'_>, start: Instant) -> Flow {
        const ACTION: &str = "stmt2_bind_exec";
        let (req_id, stmt_id) = (bind.req_id, bind.stmt_id);
        let (in_use, limit) = (self.statements.bound_total(), self.statements.bind_limit);
        let bound = match self.statements.get(stmt_id, StmtKind::Stmt2) {
            None => Err(nil()),
            Some(st) => match &st.prepared {
                None => Err(ServerError::new(
                    Code::TSC_STMT_API_ERROR,
                    "stmt2 bind before prepare",
                )),
                Some(Prepared::Insert(plan)) => parse_bind_exec_payload(bind.payload, &plan.fields)
                    .map_err(stmt_error)
                    .and_then(|tables| {
                        plan.validate(&tables)?;
                        let extra = Bound::of_tables(&tables);
                        limit.check(in_use, extra)?;
                        st.bound = st.bound.plus(extra);
                        st.pending.extend(tables);
                        Ok(())
                    }),
                Some(Prepared::Query { .. }) => parse_bind_exec_raw(bind.payload)
                    .map_err(stmt_error)
                    .and_then(|raw| {
                        if raw.row_count != 1 {
                            return Err(ServerError::protocol("query only supports one row"));
                        }
                        let fields = query_fields(&raw.fields)?;
                        let mut tables =
                            parse_bind_exec_payload(bind.payload, &fields).map_err(stmt_error)?;
                        let t = tables.pop().ok_or_else(|| {
                            ServerError::protocol("query bind without parameters")
                        })?;
                        st.params = Some(t.columns);
                        Ok(())
                    }),
            },
        };
        if let Err(e) = bound {
            return self.stmt_failure(ACTION, req_id, stmt_id, start, e).await;
        }
        self.stmt2_exec(ACTION, req_id, stmt_id, start).await
    }

    pub(super) async fn stmt2_exec(
        &mut self,
        action: &str,
        req_id: u64,
        stmt_id: u64,
        start: Instant,
    ) -> Flow {
        let outcome = (self.exec_statement(stmt_id, StmtKind::Stmt2).await).map(|affected| {
            Stmt2ExecResponse {
                header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                stmt_id,
                affected: i64::try_from(affected).unwrap_or(i64::MAX),
            }
        });
        self.stmt_reply(action, req_id, stmt_id, start, outcome)
            .await
    }

    /// Executes statement `stmt_id` of `kind`: writes the pending tables of an insert,
    /// runs a query with its bound parameters (keeping the result for `stmt2_result` /
    /// `use_result`). Returns the rows written.
    pub(super) async fn exec_statement(
        &mut self,
        stmt_id: u64,
        kind: StmtKind,
    ) -> Result<u64, ServerError> {
        let st = self
            .statements
            .get(stmt_id, kind)
            .ok_or_else(|| kind.nil())?;
        match &st.prepared {
            None => Err(ServerError::new(
                Code::TSC_STMT_API_ERROR,
                "stmt2 exec before prepare",
            )),
            Some(Prepared::Insert(plan)) => {
                if st.pending.is_empty() {
                    return Err(ServerError::new(
                        Code::TSC_STMT_API_ERROR,
                        "stmt2 exec without bind",
                    ));
                }
                let tables = std::mem::take(&mut st.pending);
                st.bound = Bound::of_columns(&st.current.columns);
                plan.write(&tables)
            }
            Some(Prepared::Query { sql, marks }) => {
                let params = match (&st.params, marks.is_empty()) {
                    (Some(p), _) => p.clone(),
                    (None, true) => Vec::new(),
                    (None, false) => {
                        return Err(ServerError::new(
                            Code::TSC_STMT_API_ERROR,
                            "stmt2 exec without bind",
                        ))
                    }
                };
                let text = prepared::substitute(sql, marks, &params)?;
                let session = self
                    .session
                    .as_mut()
                    .ok_or_else(|| ServerError::protocol("server not connected"))?;
                let outcome = self.shared.engine.execute(session, &text).await?;
                let st = self
                    .statements
                    .get(stmt_id, kind)
                    .ok_or_else(|| kind.nil())?;
                st.result = match outcome {
                    Outcome::Rows(rs) => Some(rs),
                    Outcome::Affected { .. } => None,
                };
                Ok(0)
            }
        }
    }

    pub(super) async fn stmt2_result(
        &mut self,
        action: &str,
        req_id: u64,
        stmt_id: u64,
        start: Instant,
    ) -> Flow {
        let outcome = self
            .open_stmt2_result(stmt_id)
            .map(|(id, columns)| Stmt2ResultResponse {
                header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                stmt_id,
                id,
                columns,
            });
        self.stmt_reply(action, req_id, stmt_id, start, outcome)
            .await
    }

    /// Takes the result of executed query statement `stmt_id` and opens it for fetching:
    /// its id and columns.
    fn open_stmt2_result(&mut self, stmt_id: u64) -> Result<(u64, ResultColumns), ServerError> {
        // Checked before the result leaves the statement, so a refusal loses nothing.
        self.results.check_room()?;
        let rs = match self.statements.get(stmt_id, StmtKind::Stmt2) {
            None => Err(nil()),
            Some(st) => match (&st.prepared, st.result.take()) {
                (Some(Prepared::Insert(_)), _) => {
                    Err(ServerError::protocol("stmt is insert, no result set"))
                }
                (_, None) => Err(ServerError::new(
                    Code::TSC_STMT_API_ERROR,
                    "no result: execute the query first",
                )),
                (_, Some(rs)) => Ok(rs),
            },
        }?;
        let columns = blocks::columns(&rs.schema, rs.precision)?;
        let block_rows = self.shared.config.block_rows;
        let id = self
            .results
            .insert(OpenResult::new(rs.schema, rs.batches, block_rows))?;
        Ok((id, columns))
    }

    pub(super) async fn stmt2_close(
        &mut self,
        action: &str,
        req_id: u64,
        stmt_id: u64,
        start: Instant,
    ) -> Flow {
        let outcome = (self.statements.close(stmt_id, StmtKind::Stmt2)).map(|()| StmtResponse {
            header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
            stmt_id,
        });
        self.stmt_reply(action, req_id, stmt_id, start, outcome)
            .await
    }

    /// Sends a statement handler's outcome: its response, or the stmt error response.
    async fn stmt_reply<T: Serialize>(
        &mut self,
        action: &str,
        req_id: u64,
        stmt_id: u64,
        start: Instant,
        outcome: Result<T, ServerError>,
    ) -> Flow {
        match outcome {
            Ok(resp) => self.send_json(&resp).await,
            Err(e) => self.stmt_failure(action, req_id, stmt_id, start, e).await,
        }
    }

    /// A stmt error response: the common header plus `stmt_id`.
    pub(super) async fn stmt_failure(
        &mut self,
        action: &str,
        req_id: u64,
        stmt_id: u64,
        start: Instant,
        e: ServerError,
    ) -> Flow {
        let resp = StmtResponse {
            header: ResponseHeader::error(action, req_id, elapsed_ns(start), e.code, e.message),
            stmt_id,
        };
        self.send_json(&resp).await
    }
}

/// The tables of a stmt2 bind of `plan`. For `INSERT INTO ? VALUES (?, …)` the tables the
/// payload names give the columns: they must exist and, within one bind, share a schema (as
/// TDengine binds all tables of one bind against one set of fields).
fn open_bind(plan: &prepared::InsertPlan, payload: &[u8]) -> Result<Vec<ParsedTable>, ServerError> {
    if !plan.is_open() {
        return parse_payload(payload, &plan.fields).map_err(stmt_error);
    }
    let raw = parse_raw(payload).map_err(stmt_error)?;
    let mut first: Option<prepared::InsertPlan> = None;
    for t in &raw.tables {
        let bytes = t.name.ok_or_else(|| {
            ServerError::new(Code::TSC_STMT_TBNAME_ERROR, "Stmt table name not set")
        })?;
        let name = std::str::from_utf8(bytes).map_err(|_| {
            ServerError::new(
                Code::PAR_INVALID_IDENTIFIER_NAME,
                "Invalid identifier name: table name is not UTF-8",
            )
        })?;
        let p = plan.for_table(name)?;
        match &first {
            None => first = Some(p),
            Some(f) if same_fields(&f.fields, &p.fields) => {}
            Some(_) => {
                return Err(ServerError::new(
                    Code::TSC_INVALID_OPERATION,
                    format!(
                        "table {name} has other columns than the first table of this bind: \
                         the tables of one bind must share a schema"
                    ),
                ))
            }
        }
    }
    let first = first.ok_or_else(|| ServerError::protocol("stmt2 bind without tables"))?;
    check_against(&raw, &first.fields).map_err(stmt_error)
}

/// Whether two tables bind alike: the same placeholders in the same order.
fn same_fields(a: &[BindField], b: &[BindField]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.name == y.name
                && x.ty == y.ty
                && x.bytes == y.bytes
                && x.role == y.role
                && x.precision == y.precision
                && x.scale == y.scale
        })
}

/// Prepares `sql` for stmt2 statement `stmt_id`: whether it is an INSERT, its fields when
/// `get_fields` asks for them, and the field (or, for a query, parameter) count.
fn prepare_stmt2(
    engine: &Engine,
    session: &Session,
    statements: &mut Statements,
    stmt_id: u64,
    sql: &str,
    get_fields: bool,
) -> Result<(bool, Option<Vec<Stmt2Field>>, i64), ServerError> {
    if statements.get(stmt_id, StmtKind::Stmt2).is_none() {
        return Err(nil());
    }
    let prepared = prepared::prepare(engine, session, sql)?;
    let answer = match &prepared {
        // TDengine cannot describe `INSERT INTO ? VALUES (?, …)` before a table is named:
        // `taos_stmt2_get_fields` fails with TSC_STMT_TBNAME_ERROR "Table does not exist"
        // (TDengine `source/client/test/stmt2Test.cpp`, `insert_ntb_get_fields_Test`, "normal
        // table must have tbname"), and taosAdapter answers `stmt2_prepare` with that error
        // when `get_fields` is set. Without `get_fields` the prepare succeeds and each bind's
        // table-name section names the tables.
        Prepared::Insert(plan) if plan.is_open() && get_fields => {
            return Err(ServerError::new(
                Code::TSC_STMT_TBNAME_ERROR,
                "Table does not exist: the table of `INSERT INTO ? VALUES` is named only when \
                 binding, so its fields cannot be described at prepare",
            ));
        }
        Prepared::Insert(plan) => {
            let f: Vec<Stmt2Field> = plan.fields.iter().map(wire_field).collect();
            let n = f.len() as i64;
            (
                true,
                get_fields.then_some(f),
                if get_fields { n } else { 0 },
            )
        }
        Prepared::Query { marks, .. } => (false, None, marks.len() as i64),
    };
    if let Some(st) = statements.get(stmt_id, StmtKind::Stmt2) {
        st.reset(prepared);
    }
    Ok(answer)
}
