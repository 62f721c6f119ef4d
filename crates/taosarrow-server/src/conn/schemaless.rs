//! `insert`: a schemaless payload for the current database (`schemaless.md` §1), on `/ws`
//! and on the legacy `/rest/schemaless` endpoint.

use std::time::Instant;

use taosarrow_protocol::messages::{
    ResponseHeader, SchemalessInsertRequest, SchemalessInsertResponse,
};
use taosarrow_protocol::schemaless::{SchemalessPrecision, SchemalessProtocol};
use taosarrow_protocol::Code;

use super::{elapsed_ns, Connection, Flow};
use crate::engine::schemaless::{SmlOutcome, SmlRequest};
use crate::ServerError;

impl Connection {
    /// Parses and applies the payload off the connection's task (a large one takes a while),
    /// then answers with the rows written and the data points parsed.
    pub(super) async fn schemaless_insert(
        &mut self,
        action: &str,
        req_id: u64,
        req: SchemalessInsertRequest,
        start: Instant,
    ) -> Flow {
        let outcome = self
            .run_schemaless(req)
            .await
            .map(|o| SchemalessInsertResponse {
                header: ResponseHeader::ok(action, req_id, elapsed_ns(start)),
                affected_rows: i64::try_from(o.affected_rows).unwrap_or(i64::MAX),
                total_rows: i64::try_from(o.total_rows).unwrap_or(i64::MAX),
            });
        self.reply(action, req_id, start, outcome).await
    }

    async fn run_schemaless(
        &mut self,
        req: SchemalessInsertRequest,
    ) -> Result<SmlOutcome, ServerError> {
        let Some(session) = self.session.as_mut() else {
            return Err(ServerError::protocol("server not connected"));
        };
        // taosAdapter refuses a missing protocol before TDengine sees the request.
        if req.protocol == 0 {
            return Err(ServerError::protocol("schemaless write protocol is null"));
        }
        let protocol = SchemalessProtocol::from_code(req.protocol).ok_or_else(|| {
            ServerError::new(
                Code::SML_INVALID_PROTOCOL_TYPE,
                format!("Invalid line protocol type: {}", req.protocol),
            )
        })?;
        let ttl = i32::try_from(req.ttl)
            .ok()
            .filter(|t| *t >= 0)
            .ok_or_else(|| {
                ServerError::new(Code::INVALID_PARA, format!("invalid ttl {}", req.ttl))
            })?;
        session.start_statement();
        let session = session.clone();
        let engine = self.shared.engine.clone();
        let task = tokio::task::spawn_blocking(move || {
            let sml = SmlRequest {
                protocol,
                precision: SchemalessPrecision::from_wire(&req.precision),
                data: &req.data,
                ttl,
                table_name_key: &req.table_name_key,
            };
            engine.schemaless_insert(&session, &sml)
        });
        task.await
            .map_err(|e| ServerError::internal(format!("schemaless insert failed: {e}")))?
    }
}
