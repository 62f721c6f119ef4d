//! stmt (v1) on the WebSocket (`stmt2.md` §12): `init`, `prepare`, `set_table_name`,
//! `set_tags`, `bind` (JSON, or binary actions 1 / 2 carrying a raw block), `add_batch`,
//! `exec`, `use_result`, `get_tag_fields`, `get_col_fields`, `stmt_num_params`,
//! `stmt_get_param`, `close`. Statements share the id counter of stmt2; rows reach storage
//! through the same Arrow path as stmt2 binds.

use std::time::Instant;

use arrow::array::ArrayRef;
use arrow::compute::concat;
use serde_json::{json, Map, Value};
use taosarrow_codec::stmt1::stmt1_block;
use taosarrow_codec::stmt2::{BindField, BindRole, ParsedTable};
use taosarrow_codec::{DecodeOptions, DEFAULT_MAX_EXPANSION};
use taosarrow_protocol::messages::{Request, ResponseHeader};
use taosarrow_protocol::{Code, Precision};

use super::results::OpenResult;
use super::statements::{Bound, Statement, StmtKind};
use super::stmt1_values::{block_columns, block_params, json_column, rows_match};
use super::{blocks, elapsed_ns, Connection, Flow};
use crate::engine::prepared::{self, InsertPlan, Prepared};
use crate::ServerError;

fn nil() -> ServerError {
    StmtKind::Stmt.nil()
}

fn api(msg: impl Into<String>) -> ServerError {
    ServerError::new(Code::TSC_STMT_API_ERROR, msg)
}

fn insert_plan(st: &Statement) -> Result<&InsertPlan, ServerError> {
    match &st.prepared {
        Some(Prepared::Insert(plan)) => Ok(plan),
        Some(Prepared::Query { .. }) => Err(api("Stmt API usage error: not an insert statement")),
        None => Err(api("Stmt API usage error: statement not prepared")),
    }
}

/// The plan binds follow: for `INSERT INTO ? VALUES (?, …)` that of the table named by
/// `set_table_name` (none yet: TDengine's "Stmt table name not set"), else the prepared one.
fn bind_plan(st: &Statement) -> Result<&InsertPlan, ServerError> {
    let plan = insert_plan(st)?;
    if !plan.is_open() {
        return Ok(plan);
    }
    st.table_plan
        .as_ref()
        .ok_or_else(|| ServerError::new(Code::TSC_STMT_TBNAME_ERROR, "Stmt table name not set"))
}

/// The database precision of a prepared insert (from its TIMESTAMP fields; ms without one).
fn precision_of(fields: &[BindField]) -> Precision {
    fields
        .iter()
        .find(|f| f.ty == taosarrow_protocol::TdType::Timestamp)
        .and_then(|f| f.time_precision().ok())
        .unwrap_or(Precision::Millisecond)
}

/// A v1 field object: `{name, field_type, precision, scale, bytes}`.
fn v1_field(f: &BindField) -> Value {
    json!({"name": f.name, "field_type": f.ty.code(), "precision": f.precision,
           "scale": f.scale, "bytes": f.bytes})
}

/// Appends bound columns to the rows already bound for the current table.
fn append(current: &mut ParsedTable, cols: Vec<ArrayRef>) -> Result<(), ServerError> {
    if current.columns.is_empty() {
        current.columns = cols;
        return Ok(());
    }
    let joined = current
        .columns
        .iter()
        .zip(&cols)
        .map(|(a, b)| concat(&[a.as_ref(), b.as_ref()]))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServerError::protocol(e.to_string()))?;
    current.columns = joined;
    Ok(())
}

/// Appends bound columns to the statement's current table when the connection's bind limit
/// allows them; a refused bind keeps nothing.
fn keep(
    st: &mut Statement,
    cols: Vec<ArrayRef>,
    in_use: Bound,
    limit: Bound,
) -> Result<(), ServerError> {
    let extra = Bound::of_columns(&cols);
    limit.check(in_use, extra)?;
    append(&mut st.current, cols)?;
    st.bound = st.bound.plus(extra);
    Ok(())
}

impl Connection {
    /// How raw blocks of binds are decoded: rows sharing a stored value may expand the block
    /// by no more than the connection may hold bound.
    fn decode_options(&self) -> DecodeOptions {
        let max = self.shared.config.max_bind_bytes.min(DEFAULT_MAX_EXPANSION);
        DecodeOptions::default().with_max_expansion(max)
    }

    /// Answers a stmt v1 JSON request (one of the `Stmt*` requests; the session was checked
    /// by the caller).
    pub(super) async fn stmt1_text(&mut self, req: Request, start: Instant) -> Flow {
        let (action, req_id) = (req.action(), req.req_id());
        if let Request::StmtClose(r) = req {
            return match self.stmt1_close(r.stmt_id) {
                Ok(()) => Flow::Continue,
                Err(e) => self.stmt_failure(action, req_id, r.stmt_id, start, e).await,
            };
        }
        let (stmt_id, outcome) = match req {
            Request::StmtInit(_) => (
                0,
                (self.statements.add(StmtKind::Stmt)).map(|id| json!({"stmt_id": id})),
            ),
            Request::StmtPrepare(r) => (r.stmt_id, self.stmt1_prepare(r.stmt_id, &r.sql)),
            Request::StmtSetTableName(r) => {
                (r.stmt_id, self.stmt1_set_table_name(r.stmt_id, &r.name))
            }
            Request::StmtSetTags(r) => (r.stmt_id, self.stmt1_set_tags_json(r.stmt_id, &r.tags)),
            Request::StmtBind(r) => (r.stmt_id, self.stmt1_bind_json(r.stmt_id, &r.columns)),
            Request::StmtAddBatch(r) => (r.stmt_id, self.stmt1_add_batch(r.stmt_id)),
            Request::StmtExec(r) => (
                r.stmt_id,
                self.exec_statement(r.stmt_id, StmtKind::Stmt)
                    .await
                    .map(|n| json!({"affected": n})),
            ),
            Request::StmtGetTagFields(r) => {
                (r.stmt_id, self.stmt1_fields(r.stmt_id, BindRole::Tag))
            }
            Request::StmtGetColFields(r) => {
                (r.stmt_id, self.stmt1_fields(r.stmt_id, BindRole::Column))
            }
            Request::StmtUseResult(r) => (r.stmt_id, self.stmt1_use_result(r.stmt_id)),
            Request::StmtNumParams(r) => (r.stmt_id, self.stmt1_num_params(r.stmt_id)),
            Request::StmtGetParam(r) => (r.stmt_id, self.stmt1_get_param(r.stmt_id, r.index)),
            other => (
                0,
                Err(ServerError::protocol(format!(
                    "unknown action {}",
                    other.action()
                ))),
            ),
        };
        self.stmt1_reply(action, req_id, stmt_id, start, outcome)
            .await
    }

    /// The binary `set_tags` (1) and `bind` (2) frames: the 24-byte header, then a raw block.
    pub(super) async fn stmt1_binary(
        &mut self,
        action: &str,
        frame: &[u8],
        req_id: u64,
        stmt_id: u64,
        start: Instant,
    ) -> Flow {
        let block = stmt1_block(frame);
        let outcome = if action == "set_tags" {
            self.stmt1_set_tags_block(stmt_id, block)
        } else {
            self.stmt1_bind_block(stmt_id, block)
        };
        self.stmt1_reply(action, req_id, stmt_id, start, outcome)
            .await
    }

    async fn stmt1_reply(
        &mut self,
        action: &str,
        req_id: u64,
        stmt_id: u64,
        start: Instant,
        outcome: Result<Value, ServerError>,
    ) -> Flow {
        let extra = match outcome {
            Ok(v) => v,
            Err(e) => return self.stmt_failure(action, req_id, stmt_id, start, e).await,
        };
        let header = ResponseHeader::ok(action, req_id, elapsed_ns(start));
        let mut body: Map<String, Value> = match serde_json::to_value(header) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        body.insert("stmt_id".into(), json!(stmt_id));
        if let Value::Object(m) = extra {
            body.extend(m);
        }
        self.send_json(&Value::Object(body)).await
    }

    fn stmt1(&mut self, stmt_id: u64) -> Result<&mut Statement, ServerError> {
        self.statements.get(stmt_id, StmtKind::Stmt).ok_or_else(nil)
    }

    fn stmt1_close(&mut self, stmt_id: u64) -> Result<(), ServerError> {
        self.statements.close(stmt_id, StmtKind::Stmt)
    }

    fn stmt1_prepare(&mut self, stmt_id: u64, sql: &str) -> Result<Value, ServerError> {
        let session = self.session.as_ref().ok_or_else(nil)?;
        self.statements
            .get(stmt_id, StmtKind::Stmt)
            .ok_or_else(nil)?;
        let prepared = prepared::prepare(&self.shared.engine, session, sql)?;
        let is_insert = matches!(prepared, Prepared::Insert(_));
        self.stmt1(stmt_id)?.reset(prepared);
        Ok(json!({"is_insert": is_insert}))
    }

    fn stmt1_set_table_name(&mut self, stmt_id: u64, name: &str) -> Result<Value, ServerError> {
        let st = self.stmt1(stmt_id)?;
        let plan = insert_plan(st)?;
        if !st.current.columns.is_empty() {
            return Err(api(
                "Stmt API usage error: add_batch before changing the table name",
            ));
        }
        // `INSERT INTO ? VALUES`: the table's columns are what the binds that follow fill.
        let table_plan = if plan.is_open() {
            Some(plan.for_table(name)?)
        } else {
            None
        };
        st.table_plan = table_plan;
        st.current.name = Some(name.to_owned());
        Ok(json!({}))
    }

    fn stmt1_set_tags_json(&mut self, stmt_id: u64, tags: &Value) -> Result<Value, ServerError> {
        let st = self.stmt1(stmt_id)?;
        let fields = bind_plan(st)?.bound_fields(BindRole::Tag);
        if fields.is_empty() {
            return Ok(json!({}));
        }
        let parse = |m: String| ServerError::protocol(format!("stmt parse tag json:{m}"));
        let values = tags
            .as_array()
            .ok_or_else(|| parse("tags must be an array".into()))?;
        if values.len() != fields.len() {
            return Err(parse(format!(
                "{} tags given, the statement has {}",
                values.len(),
                fields.len()
            )));
        }
        let arrays = fields
            .iter()
            .zip(values)
            .map(|(f, v)| json_column(f, std::slice::from_ref(v)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(parse)?;
        st.current.tags = arrays;
        Ok(json!({}))
    }

    fn stmt1_set_tags_block(&mut self, stmt_id: u64, block: &[u8]) -> Result<Value, ServerError> {
        let decode = self.decode_options();
        let st = self.stmt1(stmt_id)?;
        let plan = bind_plan(st)?;
        let fields = plan.bound_fields(BindRole::Tag);
        if fields.is_empty() {
            return Ok(json!({}));
        }
        let (rows, arrays) = block_columns(block, &fields, precision_of(&plan.fields), &decode)
            .map_err(|m| {
                let m = if m.contains("count not match") {
                    "stmt tags count not match".to_owned()
                } else {
                    m
                };
                ServerError::protocol(m)
            })?;
        if rows != 1 {
            return Err(ServerError::protocol("rows not equal 1"));
        }
        st.current.tags = arrays;
        Ok(json!({}))
    }

    fn stmt1_bind_json(&mut self, stmt_id: u64, columns: &Value) -> Result<Value, ServerError> {
        let (in_use, limit) = (self.statements.bound_total(), self.statements.bind_limit);
        let st = self.stmt1(stmt_id)?;
        let fields = bind_plan(st)?.bound_fields(BindRole::Column);
        if fields.is_empty() {
            return Ok(json!({}));
        }
        let parse = |m: String| ServerError::protocol(format!("stmt parse column json:{m}"));
        let cols = columns
            .as_array()
            .ok_or_else(|| parse("columns must be an array".into()))?;
        if cols.len() != fields.len() {
            return Err(parse(format!(
                "{} columns given, the statement has {}",
                cols.len(),
                fields.len()
            )));
        }
        let arrays = fields
            .iter()
            .zip(cols)
            .map(|(f, c)| match c.as_array() {
                Some(values) => json_column(f, values),
                None => Err(format!("column {} must be an array", f.name)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(parse)?;
        if !rows_match(&arrays) {
            return Err(parse("wrong row length".into()));
        }
        keep(st, arrays, in_use, limit)?;
        Ok(json!({}))
    }

    fn stmt1_bind_block(&mut self, stmt_id: u64, block: &[u8]) -> Result<Value, ServerError> {
        let (in_use, limit) = (self.statements.bound_total(), self.statements.bind_limit);
        let decode = self.decode_options();
        let st = self.stmt1(stmt_id)?;
        match &st.prepared {
            Some(Prepared::Insert(_)) => {
                let plan = bind_plan(st)?;
                let fields = plan.bound_fields(BindRole::Column);
                let precision = precision_of(&plan.fields);
                let (_, arrays) = block_columns(block, &fields, precision, &decode)
                    .map_err(ServerError::protocol)?;
                keep(st, arrays, in_use, limit)?;
            }
            Some(Prepared::Query { .. }) => {
                let params = block_params(block, &decode).map_err(|m| {
                    ServerError::protocol(format!("parse row block info error, err:{m}"))
                })?;
                st.params = Some(params);
            }
            None => return Err(api("Stmt API usage error: statement not prepared")),
        }
        Ok(json!({}))
    }

    fn stmt1_add_batch(&mut self, stmt_id: u64) -> Result<Value, ServerError> {
        let st = self.stmt1(stmt_id)?;
        let plan = match &st.prepared {
            Some(Prepared::Insert(_)) => bind_plan(st)?,
            Some(Prepared::Query { .. }) => return Ok(json!({})),
            None => return Err(api("Stmt API usage error: statement not prepared")),
        };
        if st.current.columns.is_empty() {
            return Err(api("Stmt API usage error: add_batch without bound rows"));
        }
        let has_tbname = plan.fields.iter().any(|f| f.role == BindRole::TableName);
        if has_tbname && st.current.name.is_none() {
            return Err(api("Stmt API usage error: table name not set"));
        }
        let table = ParsedTable {
            name: st.current.name.clone(),
            tags: st.current.tags.clone(),
            columns: std::mem::take(&mut st.current.columns),
        };
        bind_plan(st)?.validate(std::slice::from_ref(&table))?;
        st.pending.push(table);
        Ok(json!({}))
    }

    fn stmt1_fields(&mut self, stmt_id: u64, role: BindRole) -> Result<Value, ServerError> {
        let st = self.stmt1(stmt_id)?;
        let fields = bind_plan(st)?.bound_fields(role);
        Ok(match (fields.is_empty(), role) {
            // taosAdapter omits an empty tag list and sends `null` for an empty column list.
            (true, BindRole::Tag) => json!({}),
            (true, _) => json!({"fields": null}),
            (false, _) => json!({"fields": fields.iter().map(v1_field).collect::<Vec<_>>()}),
        })
    }

    fn stmt1_num_params(&mut self, stmt_id: u64) -> Result<Value, ServerError> {
        let st = self.stmt1(stmt_id)?;
        let n = match &st.prepared {
            // Before `set_table_name` names the table of `INSERT INTO ? VALUES (?, …)`,
            // the placeholders of its VALUES clause.
            Some(Prepared::Insert(plan)) => match (bind_plan(st), plan.open_marks()) {
                (Ok(p), _) => p.bound_fields(BindRole::Column).len(),
                (Err(_), Some(n)) => n,
                (Err(e), None) => return Err(e),
            },
            Some(Prepared::Query { marks, .. }) => marks.len(),
            None => return Err(api("Stmt API usage error: statement not prepared")),
        };
        Ok(json!({"num_params": n}))
    }

    fn stmt1_get_param(&mut self, stmt_id: u64, index: i64) -> Result<Value, ServerError> {
        let st = self.stmt1(stmt_id)?;
        let fields = bind_plan(st)?.bound_fields(BindRole::Column);
        let f = usize::try_from(index)
            .ok()
            .and_then(|i| fields.get(i))
            .ok_or_else(|| ServerError::from_code(Code::INVALID_PARA))?;
        Ok(json!({"index": index, "data_type": f.ty.code(), "length": f.bytes}))
    }

    fn stmt1_use_result(&mut self, stmt_id: u64) -> Result<Value, ServerError> {
        // Checked before the result leaves the statement, so a refusal loses nothing.
        self.results.check_room()?;
        let st = self.stmt1(stmt_id)?;
        if matches!(st.prepared, Some(Prepared::Insert(_))) {
            return Err(ServerError::protocol("stmt is insert, no result set"));
        }
        let rs = st
            .result
            .take()
            .ok_or_else(|| api("Stmt API usage error: execute the query first"))?;
        let c = blocks::columns(&rs.schema, rs.precision)?;
        let block_rows = self.shared.config.block_rows;
        let id = self
            .results
            .insert(OpenResult::new(rs.schema, rs.batches, block_rows))?;
        Ok(json!({
            "result_id": id, "fields_count": c.fields_count, "fields_names": c.fields_names,
            "fields_types": c.fields_types, "fields_lengths": c.fields_lengths,
            "precision": c.precision, "fields_precisions": c.fields_precisions,
            "fields_scales": c.fields_scales,
        }))
    }
}
