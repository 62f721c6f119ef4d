//! The VALUES tuples of one INSERT table clause, read into one Arrow column builder per
//! table column, then finished into one record batch.

use arrow::record_batch::RecordBatch;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, Precision, TdType};

use crate::engine::catalog::schema_of;
use crate::engine::lexer::Token;
use crate::engine::values::{parse_lit, ColBuilder, Target};
use crate::engine::{syntax_at, Session};
use crate::ServerError;

/// The rows of one table clause being read.
pub(super) struct Rows<'c> {
    /// The table's columns.
    cols: &'c [ColumnSpec],
    /// The table column of each value of a tuple.
    targets: Vec<usize>,
    /// Per table column: whether the tuples give it (the others are NULL in every row).
    given: Vec<bool>,
    /// One builder per table column.
    builders: Vec<ColBuilder>,
    /// The primary timestamp column without its name, which marks it as the primary key
    /// for [`ColBuilder::append`] (no NULLs).
    ts_spec: ColumnSpec,
    /// The database precision.
    precision: Precision,
    /// The connection time zone.
    tz: Option<chrono_tz::Tz>,
    /// When the statement started (its `NOW`).
    at: chrono::DateTime<chrono::Utc>,
    /// Tuples read.
    count: u64,
}

impl<'c> Rows<'c> {
    /// No rows yet for `cols` (`cols[0]` is the timestamp), the tuples giving the columns
    /// `targets` in order; builders sized for `rows_hint` rows; time strings and `NOW` read
    /// as `session`'s.
    pub(super) fn new(
        cols: &'c [ColumnSpec],
        targets: Vec<usize>,
        rows_hint: usize,
        precision: Precision,
        session: &Session,
    ) -> Self {
        let mut given = vec![false; cols.len()];
        for &t in &targets {
            given[t] = true;
        }
        Rows {
            cols,
            targets,
            given,
            builders: cols.iter().map(|c| ColBuilder::new(c, rows_hint)).collect(),
            ts_spec: ColumnSpec {
                name: String::new(),
                ..cols[0].clone()
            },
            precision,
            tz: session.timezone(),
            at: session.statement_time(),
            count: 0,
        }
    }

    /// Reads the `(…), (…) …` tuples from `toks[*i]` on (at least one).
    pub(super) fn parse(
        &mut self,
        toks: &[Token<'_>],
        i: &mut usize,
        sql: &str,
    ) -> Result<(), ServerError> {
        while toks.get(*i).is_some_and(|t| t.is_punct("(")) {
            *i += 1;
            self.tuple(toks, i, sql)?;
            if toks.get(*i).is_some_and(|t| t.is_punct(",")) {
                *i += 1;
            }
        }
        if self.count == 0 {
            return Err(syntax_at(toks, *i, sql));
        }
        Ok(())
    }

    /// One tuple after its `(`: a value per target column, then `)`.
    fn tuple(&mut self, toks: &[Token<'_>], i: &mut usize, sql: &str) -> Result<(), ServerError> {
        for (k, &col) in self.targets.iter().enumerate() {
            if k > 0 {
                if !toks.get(*i).is_some_and(|t| t.is_punct(",")) {
                    return Err(count_error(toks, *i, sql));
                }
                *i += 1;
            }
            let lit = parse_lit(toks, i, sql, self.precision, self.at, self.tz)?;
            let target = Target {
                spec: if col == 0 {
                    &self.ts_spec
                } else {
                    &self.cols[col]
                },
                precision: self.precision,
                tz: self.tz,
            };
            self.builders[col].append(&lit, &target).map_err(|e| {
                if col == 0 && e.code == Code::PAR_WRONG_VALUE_TYPE {
                    ServerError::new(Code::PAR_INCORRECT_TIMESTAMP_VAL, e.message)
                } else {
                    e
                }
            })?;
        }
        if !toks.get(*i).is_some_and(|t| t.is_punct(")")) {
            return Err(count_error(toks, *i, sql));
        }
        *i += 1;
        for (b, given) in self.builders.iter_mut().zip(&self.given) {
            if !given {
                b.append_null();
            }
        }
        self.count += 1;
        Ok(())
    }

    /// The rows read, as a batch of the table's schema.
    pub(super) fn finish(mut self) -> Result<RecordBatch, ServerError> {
        let schema = schema_of(self.cols, self.precision)?;
        let arrays = self
            .builders
            .iter_mut()
            .zip(schema.fields())
            .map(|(b, f)| b.finish(f.data_type()))
            .collect::<Result<Vec<_>, _>>()?;
        let batch = RecordBatch::try_new(schema, arrays).map_err(ServerError::internal)?;
        debug_assert_eq!(self.cols[0].ty, TdType::Timestamp);
        Ok(batch)
    }
}

/// The error for a tuple with too few or too many values (or a syntax error).
fn count_error(toks: &[Token<'_>], i: usize, sql: &str) -> ServerError {
    match toks.get(i) {
        Some(t) if t.is_punct(",") || t.is_punct(")") => {
            ServerError::new(Code::PAR_INCORRECT_NUM_OF_COL, "Illegal number of columns")
        }
        _ => syntax_at(toks, i, sql),
    }
}
