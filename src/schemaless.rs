//! Schemaless writing (`schemaless.md`): InfluxDB line protocol, OpenTSDB telnet lines or
//! OpenTSDB JSON sent as `insert` requests, line and telnet input cut into batches that keep
//! each frame below [`ConnectOptions::schemaless_batch_bytes`](crate::ConnectOptions).

use std::ops::Range;
use std::sync::Arc;

use taosarrow_protocol::messages::{
    escaped_len, from_json, SchemalessInsertRequest, SchemalessInsertResponse,
};
use taosarrow_protocol::schemaless::{SchemalessPrecision, SchemalessProtocol};
use taosarrow_protocol::Code;
use tokio_tungstenite::tungstenite::Message;

use crate::socket::{check_header, Reply, Socket};
use crate::{classify, Connection, Delivery, Error, ErrorKind};

/// What a successful [`Connection::schemaless_insert`] did, summed over its batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SchemalessOutcome {
    /// Rows written, as the server counted them.
    pub affected_rows: u64,
    /// Data points the server parsed (for line and telnet input, the lines).
    pub total_rows: u64,
    /// `insert` requests sent (0 for empty input).
    pub batches: u64,
}

/// What became of the batch that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailedBatch {
    /// Its frame was never written to the socket: none of its lines is stored.
    NotSent,
    /// The server answered it with an error. Schemaless writing is not atomic: lines before
    /// the offending one may be stored.
    Refused,
    /// It was sent but no reply was seen (timeout, lost connection, unreadable reply): any of
    /// its lines may be stored.
    Unknown,
}

impl FailedBatch {
    /// `not_sent`, `refused` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            FailedBatch::NotSent => "not_sent",
            FailedBatch::Refused => "refused",
            FailedBatch::Unknown => "unknown",
        }
    }
}

/// A failed schemaless insert: which input lines were written, which may have been, and
/// which were never sent. Line positions index the `lines` given, from 0:
/// - `0..lines_written`: in batches the server confirmed (`affected_rows` rows);
/// - `failed_lines`: the batch that failed (see [`FailedBatch`]);
/// - `unsent_from..lines`: never sent.
#[derive(Debug, thiserror::Error)]
#[error("{}", describe(self))]
pub struct SchemalessError {
    /// Rows written by the batches before the failing one.
    pub affected_rows: u64,
    /// Data points the server parsed in those batches.
    pub total_rows: u64,
    /// Lines `0..lines_written` were in confirmed batches.
    pub lines_written: usize,
    /// The lines of the batch that failed.
    pub failed_lines: Range<usize>,
    /// What became of that batch.
    pub failed_batch: FailedBatch,
    /// The first line never sent (`failed_lines.start` when the failed batch was not sent).
    pub unsent_from: usize,
    /// How many lines were given.
    pub lines: usize,
    /// How many batches the input was cut into.
    pub batches: usize,
    /// The error of the failed batch.
    #[source]
    pub source: Box<Error>,
}

fn describe(e: &SchemalessError) -> String {
    if e.batches == 1 {
        return format!(
            "schemaless insert of {} line(s) failed: {}",
            e.lines, e.source
        );
    }
    let fate = match e.failed_batch {
        FailedBatch::NotSent => "not sent",
        FailedBatch::Refused => "refused (lines before the offending one may be stored)",
        FailedBatch::Unknown => "sent, outcome unknown (any of them may be stored)",
    };
    format!(
        "schemaless insert failed after writing {} row(s) from lines 0..{}; lines {}..{} {fate}; \
         lines {}..{} not sent: {}",
        e.affected_rows,
        e.lines_written,
        e.failed_lines.start,
        e.failed_lines.end,
        e.unsent_from,
        e.lines,
        e.source
    )
}

impl From<SchemalessError> for Error {
    fn from(e: SchemalessError) -> Self {
        Error::Schemaless(Box::new(e))
    }
}

/// A server error of an `insert` request: a schemaless error unless the code is one of
/// the connection family.
fn sml_error(code: Code, message: String) -> Error {
    let kind = match classify(code) {
        ErrorKind::Connection => ErrorKind::Connection,
        _ => ErrorKind::Schemaless,
    };
    Error::Server {
        code,
        message,
        kind,
    }
}

/// The frame bytes of a request whose `data` is empty (the JSON envelope and the other
/// fields), as [`SchemalessInsertRequest::json_len`] counts them.
fn frame_overhead(precision: SchemalessPrecision, table_name_key: &str) -> usize {
    SchemalessInsertRequest {
        precision: precision.wire().to_owned(),
        table_name_key: table_name_key.to_owned(),
        ..SchemalessInsertRequest::default()
    }
    .json_len()
}

/// Cuts `lines` into consecutive batches whose frames (`overhead` plus the JSON-escaped
/// lines joined by `\n`) stay within `limit` bytes, never splitting a line. A line that does
/// not fit alone is [`Error::SchemalessLineTooLong`]. Empty input gives no batch.
pub(crate) fn plan_batches<S: AsRef<str>>(
    lines: &[S],
    overhead: usize,
    limit: usize,
) -> Result<Vec<Range<usize>>, Error> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut size = overhead;
    for (i, line) in lines.iter().enumerate() {
        let escaped = escaped_len(line.as_ref());
        if overhead + escaped > limit {
            return Err(Error::SchemalessLineTooLong {
                line: i,
                bytes: line.as_ref().len(),
                limit,
            });
        }
        // The `\n` before every line but a batch's first is two bytes escaped.
        let grown = if i == start {
            size + escaped
        } else {
            size + 2 + escaped
        };
        if grown > limit {
            batches.push(start..i);
            start = i;
            size = overhead + escaped;
        } else {
            size = grown;
        }
    }
    if start < lines.len() {
        batches.push(start..lines.len());
    }
    Ok(batches)
}

/// `lines[range]` joined by `\n`.
fn join<S: AsRef<str>>(lines: &[S], range: Range<usize>) -> String {
    let part = &lines[range];
    let len = part.iter().map(|l| l.as_ref().len() + 1).sum::<usize>();
    let mut data = String::with_capacity(len);
    for (i, line) in part.iter().enumerate() {
        if i > 0 {
            data.push('\n');
        }
        data.push_str(line.as_ref());
    }
    data
}

/// The fixed fields of every batch of one call.
struct Args<'a> {
    protocol: SchemalessProtocol,
    precision: SchemalessPrecision,
    ttl: Option<i32>,
    table_name_key: Option<&'a str>,
}

impl Args<'_> {
    /// The text frame of one batch, with a placeholder `req_id` (set per send).
    fn request(&self, data: String) -> SchemalessInsertRequest {
        SchemalessInsertRequest {
            req_id: 0,
            protocol: i64::from(self.protocol.code()),
            precision: self.precision.wire().to_owned(),
            data,
            ttl: i64::from(self.ttl.unwrap_or(0)),
            table_name_key: self.table_name_key.unwrap_or("").to_owned(),
        }
    }
}

impl Connection {
    /// Writes schemaless data into the connection's current database (the DSN's, or the
    /// last `USE`): InfluxDB line protocol, OpenTSDB telnet lines or OpenTSDB JSON. Super
    /// tables, child tables, columns and tags are created as the data needs them.
    ///
    /// - `lines` are joined with `\n`. For [`SchemalessProtocol::Json`] they make one JSON
    ///   document (an object or an array of objects, usually given as one string), sent in
    ///   one request whatever its size. Line and telnet input is cut into batches, one
    ///   `insert` request each, so that each frame stays within
    ///   [`ConnectOptions::schemaless_batch_bytes`](crate::ConnectOptions::schemaless_batch_bytes)
    ///   (default 16 MiB, never above `max_message_size`); a line (an element of `lines`)
    ///   is never split, and one that does not fit alone is
    ///   [`Error::SchemalessLineTooLong`] before anything is sent. Empty input sends nothing.
    /// - `precision` is the unit of line-protocol timestamps
    ///   ([`SchemalessPrecision::NotConfigured`]: nanoseconds); telnet and JSON timestamps
    ///   carry their own.
    /// - `ttl`: days to live of the child tables created; `None` or 0 for none.
    /// - `req_id`: the id of the first batch (later ones get fresh ids); `None` for a fresh
    ///   one. [`Error::ReqIdInUse`] when a request with it is in flight.
    /// - `table_name_key`: a tag whose value names the child table (the tag is then not
    ///   stored); `None` for generated names.
    ///
    /// Batches are sent one after the other. A failure is an [`Error::Schemaless`] whose
    /// [`SchemalessError`] says which lines earlier batches wrote (and how many rows), what
    /// became of the failing batch, and from which line on nothing was sent; its
    /// [`code`](Error::code) is the server's (e.g. `0x3002`, invalid data). Writing is not
    /// atomic: lines of a refused batch before the offending one may be stored.
    ///
    /// ```no_run
    /// # async fn demo(conn: &taosarrow::Connection) -> Result<(), taosarrow::Error> {
    /// use taosarrow::{SchemalessPrecision, SchemalessProtocol};
    /// conn.exec("create database if not exists sml precision 'ms'").await?;
    /// conn.exec("use sml").await?;
    /// let lines = [
    ///     "meters,location=SF,groupid=2 current=10.3,voltage=219i 1648432611249",
    ///     "meters,location=SF,groupid=2 current=12.6,voltage=218i 1648432611250",
    /// ];
    /// let done = conn
    ///     .schemaless_insert(&lines, SchemalessProtocol::Line, SchemalessPrecision::Millisecond,
    ///                        None, None, None)
    ///     .await?;
    /// assert_eq!(done.affected_rows, 2);
    /// # Ok(()) }
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub async fn schemaless_insert<S: AsRef<str>>(
        &self,
        lines: &[S],
        protocol: SchemalessProtocol,
        precision: SchemalessPrecision,
        ttl: Option<i32>,
        req_id: Option<u64>,
        table_name_key: Option<&str>,
    ) -> Result<SchemalessOutcome, Error> {
        let args = Args {
            protocol,
            precision,
            ttl,
            table_name_key,
        };
        let batches = if lines.is_empty() {
            Vec::new()
        } else if protocol == SchemalessProtocol::Json {
            // One batch of every line.
            std::iter::once(0..lines.len()).collect()
        } else {
            let limit = self.options().schemaless_batch_limit();
            plan_batches(
                lines,
                frame_overhead(precision, table_name_key.unwrap_or("")),
                limit,
            )?
        };
        let mut done = SchemalessOutcome::default();
        let Some(first) = batches.first() else {
            return Ok(done);
        };
        let mut next = Some(args.request(join(lines, first.clone())));
        for (k, range) in batches.iter().enumerate() {
            let Some(req) = next.take() else { break };
            let id = if k == 0 { req_id } else { None };
            // Build the next batch's payload while this one is written and answered.
            let (reply, built) = tokio::join!(self.send_insert(req, id), async {
                batches
                    .get(k + 1)
                    .map(|r| args.request(join(lines, r.clone())))
            });
            next = built;
            match reply {
                Ok(resp) => {
                    done.affected_rows += resp.affected_rows.max(0) as u64;
                    done.total_rows += resp.total_rows.max(0) as u64;
                    done.batches += 1;
                }
                Err(e) => {
                    let failed_batch = match &e {
                        Error::Server { .. } => FailedBatch::Refused,
                        _ if e.delivery() == Some(Delivery::NotSent) => FailedBatch::NotSent,
                        Error::ReqIdInUse { .. } => FailedBatch::NotSent,
                        _ => FailedBatch::Unknown,
                    };
                    let unsent_from = match failed_batch {
                        FailedBatch::NotSent => range.start,
                        _ => range.end,
                    };
                    return Err(SchemalessError {
                        affected_rows: done.affected_rows,
                        total_rows: done.total_rows,
                        lines_written: range.start,
                        failed_lines: range.clone(),
                        failed_batch,
                        unsent_from,
                        lines: lines.len(),
                        batches: batches.len(),
                        source: Box::new(e),
                    }
                    .into());
                }
            }
        }
        Ok(done)
    }

    /// Sends one `insert` request, on a new socket when the current one was lost; sent
    /// again after a reconnect only when its frame never went out or `retry_writes` is on.
    async fn send_insert(
        &self,
        req: SchemalessInsertRequest,
        req_id: Option<u64>,
    ) -> Result<SchemalessInsertResponse, Error> {
        let mut req = req;
        let mut resent = false;
        loop {
            let socket = self.socket().await?;
            match insert_on(&socket, &mut req, req_id).await {
                Err(e) if !resent && self.may_resend_write(&e) => {
                    tracing::debug!(error = %e, "socket lost; sending the insert again");
                    resent = true;
                }
                r => return r,
            }
        }
    }
}

/// One `insert` round trip on `socket`.
async fn insert_on(
    socket: &Arc<Socket>,
    req: &mut SchemalessInsertRequest,
    req_id: Option<u64>,
) -> Result<SchemalessInsertResponse, Error> {
    let ticket = socket.ticket_for(req_id)?;
    req.req_id = ticket.req_id();
    let reply = ticket.call(Message::text(req.to_json())).await?;
    let Reply::Text(text) = reply else {
        return Err(Error::invalid_response(
            "insert",
            "a binary frame instead of JSON",
        ));
    };
    let resp: SchemalessInsertResponse = from_json("insert", &text)?;
    check_header(&resp.header, sml_error)?;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(lines: &[&str], batches: &[Range<usize>]) -> Vec<usize> {
        batches
            .iter()
            .map(|r| {
                let req = SchemalessInsertRequest {
                    data: join(lines, r.clone()),
                    ..SchemalessInsertRequest::default()
                };
                req.json_len()
            })
            .collect()
    }

    #[test]
    fn batches_cover_every_line_once_and_stay_within_the_limit() {
        let lines: Vec<String> = (0..1000)
            .map(|i| format!("m,t=\"{i}\" f={}i {i}", "x".repeat(i % 37)))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let overhead = frame_overhead(SchemalessPrecision::NotConfigured, "");
        for limit in [overhead + 60, overhead + 200, overhead + 4096, 1 << 20] {
            let b = plan_batches(&refs, overhead, limit).unwrap();
            // Consecutive, complete, none empty.
            assert_eq!(b.first().unwrap().start, 0);
            assert_eq!(b.last().unwrap().end, refs.len());
            for w in b.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
            assert!(b.iter().all(|r| !r.is_empty()));
            for (r, size) in b.iter().zip(sizes(&refs, &b)) {
                assert!(size <= limit, "{r:?}: {size} > {limit}");
                // The next line would not have fitted (batches are as full as they can be).
                if r.end < refs.len() {
                    let grown = size + 2 + escaped_len(refs[r.end]);
                    assert!(grown > limit, "{r:?} could take line {}", r.end);
                }
                // The real frame is no longer than counted.
                let req = SchemalessInsertRequest {
                    data: join(&refs, r.clone()),
                    ..SchemalessInsertRequest::default()
                };
                assert!(req.to_json().len() <= size);
            }
        }
        assert_eq!(
            plan_batches(&refs, overhead, 1 << 30).unwrap(),
            vec![0..1000]
        );
    }

    #[test]
    fn escapes_count_towards_the_limit() {
        let overhead = 10;
        // Each line is 4 bytes but 8 escaped; two joined are 8 + 2 + 8 = 18.
        let lines = ["\"\"\"\"", "\\\\\\\\", "ab"];
        assert_eq!(
            plan_batches(&lines, overhead, 10 + 18).unwrap(),
            vec![0..2, 2..3]
        );
        assert_eq!(
            plan_batches(&lines, overhead, 10 + 17).unwrap(),
            vec![0..1, 1..3]
        );
    }

    #[test]
    fn a_line_that_cannot_fit_alone_is_refused_with_its_position() {
        let lines = ["short", "a much longer line", "x"];
        let e = plan_batches(&lines, 10, 20).unwrap_err();
        match e {
            Error::SchemalessLineTooLong { line, bytes, limit } => {
                assert_eq!((line, bytes, limit), (1, 18, 20));
            }
            other => panic!("{other:?}"),
        }
        let e = plan_batches(&lines, 10, 20).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Schemaless);
        assert!(e.to_string().contains("line 1"), "{e}");
        let none: [&str; 0] = [];
        assert!(plan_batches(&none, 10, 20).unwrap().is_empty());
    }

    #[test]
    fn server_errors_of_insert_are_schemaless_unless_of_the_connection() {
        let e = sml_error(Code::SML_INVALID_DATA, "bad line".into());
        assert_eq!(e.kind(), ErrorKind::Schemaless);
        assert_eq!(e.code(), Some(Code::SML_INVALID_DATA));
        assert_eq!(
            sml_error(Code(0xFFFF), "x".into()).kind(),
            ErrorKind::Schemaless
        );
        assert_eq!(
            sml_error(Code(0x020B), "x".into()).kind(),
            ErrorKind::Connection
        );
    }

    #[test]
    fn the_error_account_names_lines_and_rows() {
        let e: Error = SchemalessError {
            affected_rows: 7,
            total_rows: 7,
            lines_written: 7,
            failed_lines: 7..10,
            failed_batch: FailedBatch::Refused,
            unsent_from: 10,
            lines: 20,
            batches: 3,
            source: Box::new(sml_error(Code::SML_INVALID_DATA, "bad line 2".into())),
        }
        .into();
        let text = e.to_string();
        assert!(text.contains("writing 7 row(s) from lines 0..7"), "{text}");
        assert!(text.contains("lines 7..10 refused"), "{text}");
        assert!(text.contains("lines 10..20 not sent"), "{text}");
        assert!(text.contains("bad line 2"), "{text}");
        assert_eq!(e.code(), Some(Code::SML_INVALID_DATA));
        assert_eq!(e.kind(), ErrorKind::Schemaless);
        assert_eq!(e.message(), text);
    }

    #[test]
    fn joined_lines_and_requests() {
        assert_eq!(join(&["a", "b", "c"], 0..3), "a\nb\nc");
        assert_eq!(join(&["a", "b", "c"], 1..2), "b");
        let args = Args {
            protocol: SchemalessProtocol::Telnet,
            precision: SchemalessPrecision::Microsecond,
            ttl: Some(3),
            table_name_key: Some("id"),
        };
        let r = args.request("x".into());
        assert_eq!(
            (
                r.protocol,
                r.precision.as_str(),
                r.ttl,
                r.table_name_key.as_str()
            ),
            (2, "u", 3, "id")
        );
        let none = Args {
            ttl: None,
            table_name_key: None,
            ..args
        }
        .request(String::new());
        assert_eq!((none.ttl, none.table_name_key.as_str()), (0, ""));
    }
}
