//! Bulk ingest: Arrow record batches → stmt2 column binds, chunked by payload size, with
//! several chunks in flight, and an exact account of what was written, what may have been
//! and what was not when it fails or is stopped.

mod account;
mod ddl;
mod mode;
mod outcome;
mod pipeline;
mod plan;
mod stop;

use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use taosarrow_protocol::quote::{quote_ident, quote_table};

use crate::{Connection, Error};
use ddl::{max_lengths, sql_type};
pub use mode::{IngestMode, UnknownIngestMode};
use pipeline::{run_pipeline, Source};
use plan::{chunks, parse_template, Mapping, Namer};
pub use stop::IngestStop;

/// How the child table of each row of a super-table write is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subtable {
    /// The value of this (string) column; the column is not written as data.
    Column(String),
    /// A template over columns, e.g. `d_{location}_{group_id}`; `{{`/`}}` are braces.
    Template(String),
}

/// Where the rows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestTarget {
    /// A normal table or one existing child table (`db.table` or `table` in the current
    /// database). Every column of the data is a column of the table.
    Table(String),
    /// A super table: each row goes to the child table that [`Subtable`] names, created on
    /// demand with the row's `tags` columns as tag values. The remaining columns are data.
    SuperTable {
        /// The super table (`db.stable` or `stable`).
        stable: String,
        /// How child tables are named.
        subtable: Subtable,
        /// The columns of the data that are tags, in the super table's tag order.
        tags: Vec<String>,
    },
}

/// Called after each written chunk with the rows written so far.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// Options of [`Connection::ingest`].
#[derive(Clone)]
pub struct IngestOptions {
    /// What to do about the target table.
    pub mode: IngestMode,
    /// Target size of one bind payload (default 1 MiB: small enough that the server parses
    /// one chunk while the next is encoded, large enough to keep round trips few).
    pub chunk_bytes: usize,
    /// Chunks written concurrently, each on its own statement (default 2).
    pub in_flight: usize,
    /// Truncate timestamps finer than the database precision instead of failing.
    pub allow_truncation: bool,
    /// Progress callback.
    pub progress: Option<Progress>,
    /// Stops the ingest early when raised (default `None`: runs to the end or the first
    /// failure); see [`IngestStop`].
    pub stop: Option<IngestStop>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            mode: IngestMode::Append,
            chunk_bytes: 1 << 20,
            in_flight: 2,
            allow_truncation: false,
            progress: None,
            stop: None,
        }
    }
}

impl std::fmt::Debug for IngestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("mode", &self.mode)
            .field("chunk_bytes", &self.chunk_bytes)
            .field("in_flight", &self.in_flight)
            .field("allow_truncation", &self.allow_truncation)
            .field("progress", &self.progress.is_some())
            .field("stop", &self.stop)
            .finish()
    }
}

/// What a successful ingest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IngestReport {
    /// Rows written (as the server counted them).
    pub rows: u64,
    /// Bind + exec round trips.
    pub chunks: u64,
    /// Input rows read (every row of the input).
    pub rows_read: u64,
}

/// A failed (or stopped) ingest: which input rows were written, which may have been, and
/// which were not. Positions count rows over all input batches from 0; every row read is in
/// exactly one of three lists:
/// - `written`: stored (the server confirmed the exec of their chunk);
/// - `unknown`: the exec of their chunk was sent but its reply was not seen (a timeout, a
///   dropped connection): they may or may not be stored;
/// - `not_written`: certainly not stored (the chunk failed before its exec was sent, the
///   server answered it with an error, or it was never started).
///
/// Rows never read from the input (from `unread_from` on) are not written either.
///
/// Writing `unknown` and `not_written` rows again (or all the data) never duplicates: the
/// server applies one stmt2 exec all-or-nothing across its tables, and a row with the
/// timestamp of a stored row overwrites it, so a re-sent chunk leaves the same rows
/// whether or not its first exec was applied.
#[derive(Debug, thiserror::Error)]
#[error("ingest failed after writing {rows_written} row(s) ({}); outcome unknown: {}; not written: {}: {source}", fmt_ranges(.written), fmt_ranges(.unknown), fmt_not_written(.not_written, .unread_from))]
pub struct IngestError {
    /// Rows confirmed written before the failure.
    pub rows_written: u64,
    /// The positions confirmed written, merged and sorted.
    pub written: Vec<Range<u64>>,
    /// The positions whose exec was sent but whose outcome was not seen, merged and sorted.
    pub unknown: Vec<Range<u64>>,
    /// The positions read from the input and certainly not written, merged and sorted.
    pub not_written: Vec<Range<u64>>,
    /// Rows from this position on were never read from the input (`None`: all were read).
    pub unread_from: Option<u64>,
    /// The first error met.
    #[source]
    pub source: Box<Error>,
}

fn fmt_ranges(v: &[Range<u64>]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    let shown: Vec<String> = v
        .iter()
        .take(8)
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect();
    let more = if v.len() > 8 {
        format!(" and {} more ranges", v.len() - 8)
    } else {
        String::new()
    };
    format!("rows {}{more}", shown.join(", "))
}

fn fmt_not_written(v: &[Range<u64>], unread: &Option<u64>) -> String {
    match unread {
        Some(at) => format!("{} and every row from {at} on", fmt_ranges(v)),
        None => fmt_ranges(v),
    }
}

impl From<IngestError> for Error {
    fn from(e: IngestError) -> Self {
        Error::Ingest(Box::new(e))
    }
}

/// The input of an ingest: record batches of one schema.
pub type BatchResult = Result<RecordBatch, ArrowError>;

impl Connection {
    /// Writes record batches into a table through stmt2 column binds.
    ///
    /// The data's column names select the table's columns (case-insensitive). Timestamps
    /// of any Arrow unit are converted to the database precision (an error on precision loss
    /// unless [`IngestOptions::allow_truncation`]); strings, binaries and dictionaries bind
    /// to VARCHAR/NCHAR/VARBINARY/…; a value that does not fit fails before it is sent,
    /// naming its column and row. In `Create`/`Replace` modes the input is read once up
    /// front to size variable-width columns.
    ///
    /// On failure the [`IngestError`] lists exactly which rows were written, which may have
    /// been (their exec was sent, its reply was not seen) and which were not. At the first
    /// failure, or once [`IngestOptions::stop`] is raised, no further chunk is started and
    /// the chunks in flight are waited for (each bounded by the read timeout).
    pub async fn ingest<I>(
        &self,
        schema: SchemaRef,
        batches: I,
        target: &IngestTarget,
        opts: &IngestOptions,
    ) -> Result<IngestReport, Error>
    where
        I: IntoIterator<Item = BatchResult>,
        I::IntoIter: Send,
    {
        let mut input = batches.into_iter();
        let mut buffered: Option<Vec<RecordBatch>> = None;
        if opts.mode != IngestMode::Append {
            let all = input
                .by_ref()
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Error::Interface(format!("reading the input: {e}")))?;
            self.create_target(&schema, &all, target, opts.mode).await?;
            buffered = Some(all);
        }
        let (sql, namer, fixed_name) = insert_sql(&schema, target)?;
        let in_flight = opts.in_flight.max(1);
        let mut stmts = Vec::with_capacity(in_flight);
        for _ in 0..in_flight {
            let mut s = self.stmt2().await?;
            s.set_allow_truncation(opts.allow_truncation);
            s.prepare(&sql).await?;
            stmts.push(s);
        }
        let fields = stmts[0].fields().to_vec();
        let mapping = Mapping::new(&fields, &schema)?;
        let source: Source<'_> = match buffered {
            Some(all) => Box::new(all.into_iter().map(Ok)),
            None => Box::new(input),
        };
        run_pipeline(
            stmts,
            source,
            &schema,
            |batch, offset| {
                chunks(
                    batch,
                    offset,
                    &fields,
                    &mapping,
                    &namer,
                    fixed_name.as_deref(),
                    opts.chunk_bytes.max(1),
                )
            },
            opts.progress.clone(),
            opts.stop.clone(),
        )
        .await
    }

    async fn create_target(
        &self,
        schema: &SchemaRef,
        batches: &[RecordBatch],
        target: &IngestTarget,
        mode: IngestMode,
    ) -> Result<(), Error> {
        let lengths = max_lengths(batches, schema.fields().len());
        let (name, is_super) = match target {
            IngestTarget::Table(t) => (t, false),
            IngestTarget::SuperTable { stable, .. } => (stable, true),
        };
        let (tag_names, skip): (Vec<&str>, Option<&str>) = match target {
            IngestTarget::Table(_) => (Vec::new(), None),
            IngestTarget::SuperTable { tags, subtable, .. } => (
                tags.iter().map(String::as_str).collect(),
                match subtable {
                    Subtable::Column(c) => Some(c.as_str()),
                    Subtable::Template(_) => None,
                },
            ),
        };
        let mut cols = Vec::new();
        let mut tags = Vec::new();
        let mut ts_seen = false;
        for (i, f) in schema.fields().iter().enumerate() {
            if Some(f.name().as_str()) == skip {
                continue;
            }
            let def = format!("{} {}", quote_ident(f.name()), sql_type(f, lengths[i])?);
            if tag_names.iter().any(|t| t == f.name()) {
                tags.push(def);
            } else {
                if !ts_seen {
                    if !matches!(f.data_type(), arrow_schema::DataType::Timestamp(..)) {
                        return Err(Error::Interface(format!(
                            "the first data column must be the timestamp, not `{}` ({})",
                            f.name(),
                            f.data_type()
                        )));
                    }
                    ts_seen = true;
                }
                cols.push(def);
            }
        }
        if !ts_seen {
            return Err(Error::Interface("the data has no timestamp column".into()));
        }
        if is_super && tags.len() != tag_names.len() {
            return Err(Error::Interface(
                "every tag must be a column of the data".into(),
            ));
        }
        if mode == IngestMode::Replace {
            let kind = if is_super { "STABLE" } else { "TABLE" };
            self.exec(&format!("DROP {kind} IF EXISTS {}", quote_table(name)))
                .await?;
        }
        let if_not = if mode == IngestMode::CreateAppend {
            " IF NOT EXISTS"
        } else {
            ""
        };
        let sql = if is_super {
            format!(
                "CREATE STABLE{if_not} {} ({}) TAGS ({})",
                quote_table(name),
                cols.join(", "),
                tags.join(", ")
            )
        } else {
            format!(
                "CREATE TABLE{if_not} {} ({})",
                quote_table(name),
                cols.join(", ")
            )
        };
        self.exec(&sql).await?;
        Ok(())
    }
}

/// The INSERT with placeholders, and how rows find their child table.
fn insert_sql(
    schema: &SchemaRef,
    target: &IngestTarget,
) -> Result<(String, Namer, Option<String>), Error> {
    match target {
        IngestTarget::Table(t) => {
            let cols: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| quote_ident(f.name()))
                .collect();
            let marks = vec!["?"; cols.len()].join(", ");
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({marks})",
                quote_table(t),
                cols.join(", ")
            );
            Ok((sql, Namer::Fixed, Some(t.clone())))
        }
        IngestTarget::SuperTable {
            stable,
            subtable,
            tags,
        } => {
            let (namer, skip) = match subtable {
                Subtable::Column(c) => {
                    let i = schema
                        .fields()
                        .iter()
                        .position(|f| f.name() == c)
                        .ok_or_else(|| {
                            Error::Interface(format!("the data has no subtable column `{c}`"))
                        })?;
                    (Namer::Column(i), Some(c.as_str()))
                }
                Subtable::Template(t) => (Namer::Template(parse_template(t, schema)?), None),
            };
            for t in tags {
                if !schema.fields().iter().any(|f| f.name() == t) {
                    return Err(Error::Interface(format!(
                        "the data has no tag column `{t}`"
                    )));
                }
            }
            let mut names = vec!["tbname".to_owned()];
            names.extend(tags.iter().map(|t| quote_ident(t)));
            for f in schema.fields() {
                let n = f.name();
                if Some(n.as_str()) != skip && !tags.iter().any(|t| t == n) {
                    names.push(quote_ident(n));
                }
            }
            let marks = vec!["?"; names.len()].join(", ");
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({marks})",
                quote_table(stable),
                names.join(", ")
            );
            Ok((sql, namer, None))
        }
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // vectors of row ranges are the point
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[allow(dead_code)]
    fn ingest_future_is_send(conn: &Connection, schema: SchemaRef) {
        let batches: Vec<BatchResult> = Vec::new();
        let target = IngestTarget::Table("t".into());
        let opts = IngestOptions::default();
        let fut = conn.ingest(schema, batches, &target, &opts);
        assert_send(&fut);
    }

    #[test]
    fn error_text_names_the_rows() {
        let e = IngestError {
            rows_written: 10,
            written: vec![0..10],
            unknown: vec![],
            not_written: vec![10..20],
            unread_from: Some(20),
            source: Box::new(Error::closed("by peer")),
        };
        let text = e.to_string();
        assert!(text.contains("writing 10 row(s) (rows 0..10)"), "{text}");
        assert!(text.contains("outcome unknown: none"), "{text}");
        assert!(
            text.contains("rows 10..20 and every row from 20 on"),
            "{text}"
        );
    }

    #[test]
    fn error_text_names_the_rows_of_unknown_outcome() {
        let e = IngestError {
            rows_written: 10,
            written: vec![0..10],
            unknown: vec![10..15],
            not_written: vec![15..20],
            unread_from: None,
            source: Box::new(Error::closed("by peer")),
        };
        let text = e.to_string();
        assert!(
            text.contains("outcome unknown: rows 10..15; not written: rows 15..20:"),
            "{text}"
        );
    }
}
