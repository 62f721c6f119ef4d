//! JSON requests: dispatch by action (`overview.md` §3–§4, `sql.md` §2–§7).

use std::time::Instant;

use serde::Serialize;
use taosarrow_protocol::messages::{
    ConnRequest, ConnResponse, CurrentDbResponse, InfoResponse, NumFieldsResponse,
    OptionsConnectionRequest, Request, RequestHead, ResponseHeader, ServerStatusResponse,
    VersionResponse,
};
use taosarrow_protocol::Code;

use super::{elapsed_ns, Connection, Endpoint, Flow};
use crate::config::SERVER_VERSION;
use crate::engine::peers::PeerOptions;
use crate::ServerError;

/// Parses an IANA time zone name.
fn parse_tz(tz: &str) -> Result<chrono_tz::Tz, ServerError> {
    tz.parse::<chrono_tz::Tz>()
        .map_err(|_| ServerError::new(Code::INVALID_PARA, format!("Invalid timezone: {tz}")))
}

/// The actions a connection may send before a successful `conn`.
fn allowed_before_conn(action: &str) -> bool {
    matches!(action, "version" | "conn" | "check_server_status")
}

/// The one JSON response of a request [`Connection::answer`] handles.
#[derive(Serialize)]
#[serde(untagged)]
enum Answer {
    Header(ResponseHeader),
    Version(VersionResponse),
    Conn(ConnResponse),
    NumFields(NumFieldsResponse),
    CurrentDb(CurrentDbResponse),
    Info(InfoResponse),
    ServerStatus(ServerStatusResponse),
}

impl Connection {
    /// One JSON request: read its action and `req_id` only, check the session, then parse
    /// its arguments (once, into their type) and dispatch it.
    pub(super) async fn on_text(&mut self, text: &[u8]) -> Flow {
        let start = Instant::now();
        let head = match RequestHead::parse(text) {
            Ok(h) => h,
            Err(e) => return self.send_error("", 0, start, e.into()).await,
        };
        let (action, req_id) = (head.action.as_str(), head.req_id);
        // The legacy schemaless endpoint knows three actions and ignores the rest.
        if self.endpoint == Endpoint::Schemaless && !matches!(action, "version" | "conn" | "insert")
        {
            return Flow::Continue;
        }
        if let Err(e) = head.require_action() {
            return self.send_error(action, req_id, start, e.into()).await;
        }
        if self.session.is_none() && !allowed_before_conn(action) {
            let err = ServerError::protocol("server not connected");
            return self.send_error(action, req_id, start, err).await;
        }
        let req = match Request::parse_with_head(&head, text) {
            Ok(r) => r,
            Err(e) => return self.send_error(action, req_id, start, e.into()).await,
        };
        let (action, req_id) = (req.action(), req.req_id());
        match req {
            // Results and statements: their handlers answer (or stay silent) themselves.
            Request::Query(q) => self.query(action, req_id, &q.sql, start).await,
            Request::Fetch(r) => self.fetch_json(r.req_id, r.id, start).await,
            Request::FetchBlock(r) => self.fetch_block(r.req_id, r.id, start).await,
            Request::FreeResult(r) => {
                self.results.free(r.id);
                Flow::Continue
            }
            Request::Stmt2Init(_) => self.stmt2_init(action, req_id, start).await,
            Request::Stmt2Prepare(p) => {
                self.stmt2_prepare(action, req_id, p.stmt_id, &p.sql, p.get_fields, start)
                    .await
            }
            Request::Stmt2Exec(r) => self.stmt2_exec(action, req_id, r.stmt_id, start).await,
            Request::Stmt2Result(r) => self.stmt2_result(action, req_id, r.stmt_id, start).await,
            Request::Stmt2Close(r) => self.stmt2_close(action, req_id, r.stmt_id, start).await,
            Request::SchemalessInsert(r) => self.schemaless_insert(action, req_id, r, start).await,
            r @ (Request::StmtInit(_)
            | Request::StmtPrepare(_)
            | Request::StmtSetTableName(_)
            | Request::StmtSetTags(_)
            | Request::StmtBind(_)
            | Request::StmtAddBatch(_)
            | Request::StmtExec(_)
            | Request::StmtClose(_)
            | Request::StmtGetTagFields(_)
            | Request::StmtGetColFields(_)
            | Request::StmtUseResult(_)
            | Request::StmtNumParams(_)
            | Request::StmtGetParam(_)) => self.stmt1_text(r, start).await,
            // The rest: one JSON response each.
            other => {
                let header = ResponseHeader::ok(action, req_id, elapsed_ns(start));
                let answer = self.answer(other, header);
                self.reply(action, req_id, start, answer).await
            }
        }
    }

    /// The response to a request answered with one JSON message, built around `header`.
    fn answer(&mut self, req: Request, header: ResponseHeader) -> Result<Answer, ServerError> {
        Ok(match req {
            Request::Version(_) => Answer::Version(VersionResponse {
                header,
                version: SERVER_VERSION.to_owned(),
            }),
            Request::Conn(c) => {
                self.conn(&c)?;
                Answer::Conn(ConnResponse {
                    header,
                    version: SERVER_VERSION.to_owned(),
                    list_instances: None,
                })
            }
            Request::NumFields(r) => {
                let res = (self.results.get_mut(r.result_id))
                    .ok_or_else(|| ServerError::protocol("result is nil"))?;
                Answer::NumFields(NumFieldsResponse {
                    num_fields: res.schema.fields().len() as i64,
                    header,
                })
            }
            Request::GetCurrentDb(_) => {
                let db = (self.session.as_ref().and_then(|s| s.current_db()))
                    .map(|d| d.to_string())
                    .ok_or_else(|| ServerError::from_code(Code::TSC_DB_NOT_SELECTED))?;
                Answer::CurrentDb(CurrentDbResponse { header, db })
            }
            Request::GetServerInfo(_) => Answer::Info(InfoResponse {
                header,
                info: SERVER_VERSION.to_owned(),
            }),
            Request::OptionsConnection(o) => {
                self.apply_options(&o)?;
                Answer::Header(header)
            }
            Request::CheckServerStatus(_) => Answer::ServerStatus(ServerStatusResponse {
                header,
                status: 2,
                details: String::new(),
            }),
            Request::GetConnectionInfo(r) if r.info == 0 => Answer::Info(InfoResponse {
                header,
                info: self.user.clone(),
            }),
            Request::GetConnectionInfo(_) => {
                return Err(ServerError::from_code(Code::INVALID_PARA))
            }
            other => {
                let message = format!("unknown action {}", other.action());
                return Err(ServerError::protocol(message));
            }
        })
    }

    /// The `conn` handshake (`overview.md` §3.2–§3.3).
    fn conn(&mut self, c: &ConnRequest) -> Result<(), ServerError> {
        if self.session.is_some() {
            return Err(ServerError::protocol("duplicate connections"));
        }
        let engine = &self.shared.engine;
        engine.users().authenticate(&c.user, &c.password)?;
        if let Some(db) = c.database() {
            if !engine.database_exists(db) {
                return Err(ServerError::from_code(Code::MND_DB_NOT_EXIST));
            }
            if !engine
                .users()
                .sees_db(Some(&c.user), &db.to_ascii_lowercase())
            {
                return Err(crate::engine::users::permission_denied());
            }
        }
        if let Some(mode) = c.mode {
            if mode != 0 {
                return Err(ServerError::protocol(format!("unexpected mode:{mode}")));
            }
        }
        let tz = match c.tz.as_deref().filter(|t| !t.is_empty()) {
            Some(tz) => Some(parse_tz(tz)?),
            None => None,
        };
        let mut session = self.shared.engine.session(c.database().map(str::to_owned));
        session.set_timezone(tz);
        session.set_user(Some(&c.user));
        self.user = c.user.clone();
        self.session = Some(session);
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        self.register_peer(PeerOptions {
            app: given(&c.app),
            ip: given(&c.ip),
            connector: given(&c.connector),
        });
        Ok(())
    }
}

impl Connection {
    /// `options_connection`: -1 clear all, 0 charset, 1 time zone, 2 IP, 3 app, 4 connector.
    /// Options apply in order; the first failure stops (earlier ones stay applied).
    fn apply_options(&mut self, o: &OptionsConnectionRequest) -> Result<(), ServerError> {
        for opt in &o.options {
            match (opt.option, opt.value.as_deref()) {
                (-1, _) => {
                    self.set_timezone(None);
                    if let Some(p) = &self.peer {
                        p.peer().update_options(|o| {
                            o.ip = None;
                            o.app = None;
                        });
                    }
                }
                (1, None | Some("")) => self.set_timezone(None),
                (1, Some(tz)) => {
                    let tz = parse_tz(tz)?;
                    self.set_timezone(Some(tz));
                }
                (2..=4, v) => {
                    let v = v.filter(|v| !v.is_empty()).map(str::to_owned);
                    if let Some(p) = &self.peer {
                        p.peer().update_options(|o| match opt.option {
                            2 => o.ip = v,
                            3 => o.app = v,
                            _ => o.connector = v,
                        });
                    }
                }
                (0, _) => {}
                (n, _) => {
                    return Err(ServerError::new(
                        Code::INVALID_PARA,
                        format!("Invalid parameters: unknown option {n}"),
                    ))
                }
            }
        }
        Ok(())
    }

    fn set_timezone(&mut self, tz: Option<chrono_tz::Tz>) {
        if let Some(session) = self.session.as_mut() {
            session.set_timezone(tz);
        }
    }
}
