//! Binary requests: the 24-byte header, then binary query (6), fetch_raw_block (7) and
//! validate_sql (10) (`overview.md` §5, `sql.md` §3, §6, §7.7); stmt v1 set_tags (1) and bind
//! (2), stmt2_bind (9) and stmt2_bind_exec (11) (`stmt2.md` §5, §10, §12).

use std::time::Instant;

use taosarrow_protocol::frames::{BinaryAction, BinaryHeader, BinaryQuery, FetchRawBlockRequest};
use taosarrow_protocol::Code;

use super::{Connection, Flow};
use crate::ServerError;

impl Connection {
    pub(super) async fn on_binary(&mut self, frame: &[u8]) -> Flow {
        let start = Instant::now();
        let header = match BinaryHeader::decode(frame) {
            Ok(h) => h,
            // Shorter than the 24-byte header: nothing can be echoed.
            Err(e) => return self.send_error("unknown", 0, start, e.into()).await,
        };
        let req_id = header.req_id;
        let Some(action) = header.known_action() else {
            let err = ServerError::protocol(format!("unknown binary action {}", header.action));
            return self.send_error("unknown", req_id, start, err).await;
        };
        let name = action.name();
        if self.session.is_none() {
            let err = ServerError::protocol("server not connected");
            return self.send_error(name, req_id, start, err).await;
        }
        match action {
            BinaryAction::BinaryQuery => match BinaryQuery::decode(frame) {
                Ok(q) => self.query(name, req_id, q.sql, start).await,
                Err(e) => self.send_error(name, req_id, start, e.into()).await,
            },
            BinaryAction::FetchRawBlock => match FetchRawBlockRequest::decode(frame) {
                Ok(r) => self.fetch_raw_block(r.req_id, r.result_id, start).await,
                Err(e) => {
                    self.fetch_raw_block_error(req_id, header.resource_id, start, e.into())
                        .await
                }
            },
            BinaryAction::Stmt2Bind | BinaryAction::Stmt2BindExec => {
                self.stmt2_bind(frame, req_id, start).await
            }
            BinaryAction::SetTags | BinaryAction::Bind => {
                self.stmt1_binary(name, frame, req_id, header.resource_id, start)
                    .await
            }
            _ => {
                let err = ServerError::from_code(Code::OPS_NOT_SUPPORT);
                self.send_error(name, req_id, start, err).await
            }
        }
    }
}
