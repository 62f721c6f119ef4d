//! JSON requests: dispatch by action (`overview.md` §3–§4, `sql.md` §2–§7).

use std::time::Instant;

use serde_json::Value;
use taosarrow_protocol::messages::{
    ConnRequest, ConnResponse, CurrentDbResponse, InfoResponse, NumFieldsResponse,
    OptionsConnectionRequest, Request, ResponseHeader, ServerStatusResponse, VersionResponse,
};
use taosarrow_protocol::{Code, ProtocolError};

use super::{elapsed_ns, Connection, Flow};
use crate::config::SERVER_VERSION;
use crate::engine::Session;
use crate::ServerError;

/// The `req_id` inside `args`, when the text is JSON at all.
fn peek_req_id(text: &[u8]) -> u64 {
    serde_json::from_slice::<Value>(text)
        .ok()
        .and_then(|v| v.get("args")?.get("req_id")?.as_u64())
        .unwrap_or(0)
}

/// Parses an IANA time zone name.
fn parse_tz(tz: &str) -> Result<chrono_tz::Tz, ServerError> {
    tz.parse::<chrono_tz::Tz>()
        .map_err(|_| ServerError::new(Code::INVALID_PARA, format!("Invalid timezone: {tz}")))
}

impl Connection {
    pub(super) async fn on_text(&mut self, text: &[u8]) -> Flow {
        let start = Instant::now();
        let req = match Request::parse(text) {
            Ok(r) => r,
            Err(ProtocolError::UnknownAction(a)) if super::stmt1::ACTIONS.contains(&a.as_str()) => {
                return self.stmt1_text(&a, text, start).await;
            }
            Err(e) => {
                let (action, req_id) = match &e {
                    ProtocolError::BadArgs { action, req_id, .. } => (action.clone(), *req_id),
                    ProtocolError::UnknownAction(a) => (a.clone(), peek_req_id(text)),
                    ProtocolError::NoAction => (String::new(), peek_req_id(text)),
                    _ => (String::new(), 0),
                };
                let err = ServerError::protocol(e.to_string());
                return self.send_error(&action, req_id, start, err).await;
            }
        };
        let action = req.action();
        let req_id = req.req_id();
        let allowed_early = matches!(
            req,
            Request::Version(_) | Request::Conn(_) | Request::CheckServerStatus(_)
        );
        if self.session.is_none() && !allowed_early {
            let err = ServerError::protocol("server not connected");
            return self.send_error(action, req_id, start, err).await;
        }
        match req {
            Request::Version(_) => {
                let resp = VersionResponse {
                    header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                    version: SERVER_VERSION.to_owned(),
                };
                self.send_json(&resp).await
            }
            Request::Conn(c) => match self.conn(&c) {
                Ok(()) => {
                    let resp = ConnResponse {
                        header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                        version: SERVER_VERSION.to_owned(),
                        list_instances: None,
                    };
                    self.send_json(&resp).await
                }
                Err(e) => self.send_error(action, req_id, start, e).await,
            },
            Request::Query(q) => self.query(action, req_id, &q.sql, start).await,
            Request::Fetch(r) => self.fetch_json(r.req_id, r.id, start).await,
            Request::FetchBlock(r) => self.fetch_block(r.req_id, r.id, start).await,
            Request::FreeResult(r) => {
                self.results.free(r.id);
                Flow::Continue
            }
            Request::NumFields(r) => match self.results.get_mut(r.result_id) {
                Some(res) => {
                    let resp = NumFieldsResponse {
                        num_fields: res.schema.fields().len() as i64,
                        header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                    };
                    self.send_json(&resp).await
                }
                None => {
                    let err = ServerError::protocol("result is nil");
                    self.send_error(action, req_id, start, err).await
                }
            },
            Request::GetCurrentDb(_) => {
                let db = self.session.as_ref().and_then(|s| s.current_db());
                match db.map(|d| d.to_string()) {
                    Some(db) => {
                        let resp = CurrentDbResponse {
                            header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                            db,
                        };
                        self.send_json(&resp).await
                    }
                    None => {
                        let err = ServerError::from_code(Code::TSC_DB_NOT_SELECTED);
                        self.send_error(action, req_id, start, err).await
                    }
                }
            }
            Request::GetServerInfo(_) => {
                let resp = InfoResponse {
                    header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                    info: SERVER_VERSION.to_owned(),
                };
                self.send_json(&resp).await
            }
            Request::OptionsConnection(o) => match self.apply_options(&o) {
                Ok(()) => {
                    let header = ResponseHeader::ok(action, req_id, elapsed_ns(start));
                    self.send_json(&header).await
                }
                Err(e) => self.send_error(action, req_id, start, e).await,
            },
            Request::CheckServerStatus(_) => {
                let resp = ServerStatusResponse {
                    header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                    status: 2,
                    details: String::new(),
                };
                self.send_json(&resp).await
            }
            Request::GetConnectionInfo(r) => {
                if r.info == 0 {
                    let resp = InfoResponse {
                        header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                        info: self.user.clone(),
                    };
                    self.send_json(&resp).await
                } else {
                    let err = ServerError::from_code(Code::INVALID_PARA);
                    self.send_error(action, req_id, start, err).await
                }
            }
            Request::Stmt2Init(_) => self.stmt2_init(action, req_id, start).await,
            Request::Stmt2Prepare(p) => {
                self.stmt2_prepare(action, req_id, p.stmt_id, &p.sql, p.get_fields, start)
                    .await
            }
            Request::Stmt2Exec(r) => self.stmt2_exec(action, req_id, r.stmt_id, start).await,
            Request::Stmt2Result(r) => self.stmt2_result(action, req_id, r.stmt_id, start).await,
            Request::Stmt2Close(r) => self.stmt2_close(action, req_id, r.stmt_id, start).await,
            other => {
                let err = ServerError::protocol(format!("unknown action {}", other.action()));
                self.send_error(action, req_id, start, err).await
            }
        }
    }

    /// The `conn` handshake (`overview.md` §3.2–§3.3).
    fn conn(&mut self, c: &ConnRequest) -> Result<(), ServerError> {
        if self.session.is_some() {
            return Err(ServerError::protocol("duplicate connections"));
        }
        let config = &self.shared.config;
        if c.user != config.user || c.password != config.password {
            return Err(ServerError::from_code(Code::MND_AUTH_FAILURE));
        }
        if let Some(db) = c.database() {
            if !self.shared.engine.database_exists(db) {
                return Err(ServerError::from_code(Code::MND_DB_NOT_EXIST));
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
        let mut session = Session::new(c.database().map(str::to_owned));
        session.set_timezone(tz);
        self.user = c.user.clone();
        self.session = Some(session);
        Ok(())
    }
}

impl Connection {
    /// `options_connection`: -1 clear all, 0 charset, 1 time zone, 2 IP, 3 app, 4 connector.
    /// Options apply in order; the first failure stops (earlier ones stay applied).
    fn apply_options(&mut self, o: &OptionsConnectionRequest) -> Result<(), ServerError> {
        for opt in &o.options {
            match (opt.option, opt.value.as_deref()) {
                (-1, _) | (1, None | Some("")) => self.set_timezone(None),
                (1, Some(tz)) => {
                    let tz = parse_tz(tz)?;
                    self.set_timezone(Some(tz));
                }
                (0 | 2..=4, _) => {}
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
