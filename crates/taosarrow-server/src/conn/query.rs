//! `query` and binary query (action 6): run SQL, answer with the result's schema (`sql.md` §2–§3).

use std::time::Instant;

use taosarrow_protocol::messages::{QueryResponse, ResponseHeader};

use super::results::OpenResult;
use super::{blocks, elapsed_ns, Connection, Flow};
use crate::engine::Outcome;
use crate::ServerError;

impl Connection {
    /// Runs one statement; `action` is `query` or `binary_query`.
    pub(super) async fn query(
        &mut self,
        action: &str,
        req_id: u64,
        sql: &str,
        start: Instant,
    ) -> Flow {
        let outcome = self.execute(sql).await.map(|mut resp| {
            resp.header = ResponseHeader::ok(action, req_id, elapsed_ns(start));
            resp
        });
        self.reply(action, req_id, start, outcome).await
    }

    async fn execute(&mut self, sql: &str) -> Result<QueryResponse, ServerError> {
        let Some(session) = self.session.as_mut() else {
            return Err(ServerError::protocol("server not connected"));
        };
        // A query that would open a result beyond the limit is refused before it runs.
        self.results.check_room()?;
        let outcome = self.shared.engine.execute(session, sql.trim()).await?;
        Ok(match outcome {
            Outcome::Affected { rows } => QueryResponse {
                is_update: true,
                affected_rows: i64::try_from(rows).unwrap_or(i64::MAX),
                ..QueryResponse::default()
            },
            Outcome::Rows(rs) => {
                let columns = blocks::columns(&rs.schema, rs.precision)?;
                let block_rows = self.shared.config.block_rows;
                let id = self
                    .results
                    .insert(OpenResult::new(rs.schema, rs.batches, block_rows))?;
                QueryResponse {
                    id,
                    columns,
                    ..QueryResponse::default()
                }
            }
        })
    }
}
