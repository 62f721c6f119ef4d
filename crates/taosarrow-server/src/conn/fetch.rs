//! Fetching results: JSON `fetch` + binary `fetch_block` (`sql.md` §4–§5) and the combined
//! binary fetch_raw_block (action 7, `sql.md` §6). A result is freed at its end or on error.

use std::borrow::Cow;
use std::time::Instant;

use arrow::array::RecordBatch;

use taosarrow_protocol::frames::{FetchBlockResponse, FetchRawBlockResponse, RawBlockBody};
use taosarrow_protocol::messages::{FetchResponse, ResponseHeader};

use super::{blocks, elapsed_ns, Connection, Flow};
use crate::ServerError;

impl Connection {
    /// The next slice of result `id`; frees the result at its end.
    fn next_batch(&mut self, id: u64) -> Result<Option<RecordBatch>, ServerError> {
        let result = self
            .results
            .get_mut(id)
            .ok_or_else(|| ServerError::protocol("result is nil"))?;
        let next = result.next_block();
        if !matches!(next, Ok(Some(_))) {
            self.results.free(id);
        }
        next.map_err(ServerError::internal)
    }

    /// Appends the raw block of `batch` to `out`; frees result `id` on failure.
    fn encode_for(
        &mut self,
        id: u64,
        batch: &RecordBatch,
        out: &mut Vec<u8>,
    ) -> Result<(), ServerError> {
        let corrupt = self.shared.config.faults.corrupt_blocks;
        let r = blocks::encode(batch, out, corrupt);
        if r.is_err() {
            self.results.free(id);
        }
        r
    }

    pub(super) async fn fetch_json(&mut self, req_id: u64, id: u64, start: Instant) -> Flow {
        let next = self.next_batch(id).and_then(|batch| match batch {
            None => Ok(None),
            Some(batch) => {
                let mut block = Vec::new();
                self.encode_for(id, &batch, &mut block)?;
                Ok(Some((block, batch.num_rows() as i64)))
            }
        });
        let resp = match next {
            Err(e) => return self.send_error("fetch", req_id, start, e).await,
            Ok(None) => FetchResponse {
                header: ResponseHeader::ok("fetch", req_id, elapsed_ns(start)),
                id,
                completed: true,
                lengths: None,
                rows: 0,
            },
            Ok(Some((block, rows))) => {
                let lengths = blocks::schema_widths(&block);
                if let Some(r) = self.results.get_mut(id) {
                    r.last_block = Some(block);
                }
                FetchResponse {
                    header: ResponseHeader::ok("fetch", req_id, elapsed_ns(start)),
                    id,
                    completed: false,
                    lengths: Some(lengths),
                    rows,
                }
            }
        };
        self.send_json(&resp).await
    }

    pub(super) async fn fetch_block(&mut self, req_id: u64, id: u64, start: Instant) -> Flow {
        let frame = match self.results.get_mut(id) {
            None => Err(ServerError::protocol("result is nil")),
            Some(r) => match &r.last_block {
                None => Err(ServerError::protocol("block is nil")),
                Some(block) => {
                    let mut out = Vec::with_capacity(16 + block.len());
                    FetchBlockResponse {
                        timing: elapsed_ns(start) as u64,
                        result_id: id,
                        block,
                    }
                    .encode(&mut out);
                    Ok(out)
                }
            },
        };
        match frame {
            Ok(out) => self.send_binary(out).await,
            Err(e) => self.send_error("fetch_block", req_id, start, e).await,
        }
    }

    pub(super) async fn fetch_raw_block(&mut self, req_id: u64, id: u64, start: Instant) -> Flow {
        let mut out = Vec::new();
        let timing = |s: Instant| elapsed_ns(s) as u64;
        let written = match self.next_batch(id) {
            Ok(Some(batch)) => FetchRawBlockResponse::encode_block_with::<ServerError>(
                &mut out,
                timing(start),
                req_id,
                id,
                |o| self.encode_for(id, &batch, o),
            ),
            Ok(None) => FetchRawBlockResponse {
                timing: timing(start),
                req_id,
                result_id: id,
                body: RawBlockBody::Finished,
            }
            .encode(&mut out)
            .map_err(ServerError::from),
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => self.send_binary(out).await,
            Err(e) => self.fetch_raw_block_error(req_id, id, start, e).await,
        }
    }

    /// Answers a fetch_raw_block request with a binary error frame (`sql.md` §6.3).
    pub(super) async fn fetch_raw_block_error(
        &mut self,
        req_id: u64,
        id: u64,
        start: Instant,
        e: ServerError,
    ) -> Flow {
        let mut out = Vec::new();
        let frame = FetchRawBlockResponse {
            timing: elapsed_ns(start) as u64,
            req_id,
            result_id: id,
            body: RawBlockBody::Error {
                code: e.code,
                message: Cow::Owned(e.message),
            },
        };
        if frame.encode(&mut out).is_err() {
            return Flow::Close;
        }
        self.send_binary(out).await
    }
}
