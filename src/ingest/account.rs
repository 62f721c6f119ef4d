//! The running account of an ingest: rows and chunks written, the input positions they
//! came from, how far the input was read, and the first error.

use std::ops::Range;

use super::plan::{complement, merge};
use super::{IngestError, IngestReport, Progress};
use crate::Error;

/// The outcome of one chunk, as its worker reports it.
pub(super) struct Done {
    /// Rows in the chunk.
    pub rows: u64,
    /// The input positions of those rows.
    pub positions: Vec<Range<u64>>,
    /// The rows the server wrote, or why the chunk failed.
    pub result: Result<u64, Error>,
}

/// What has been written so far and what went wrong first.
pub(super) struct Account {
    /// Rows written (as the server counted them).
    rows: u64,
    /// Chunks written.
    chunks: u64,
    /// The input positions written, in the order the chunks finished.
    written: Vec<Range<u64>>,
    /// The first error met.
    first_error: Option<Error>,
    /// Rows read from the input.
    read: u64,
    /// Where reading stopped early (`None`: the input was read to its end).
    unread_from: Option<u64>,
    /// Called with the rows written after each chunk.
    progress: Option<Progress>,
}

impl Account {
    /// Nothing read, nothing written.
    pub(super) fn new(progress: Option<Progress>) -> Self {
        Account {
            rows: 0,
            chunks: 0,
            written: Vec::new(),
            first_error: None,
            read: 0,
            unread_from: None,
            progress,
        }
    }

    /// True once an error was met.
    pub(super) fn failed(&self) -> bool {
        self.first_error.is_some()
    }

    /// Counts a batch of `rows` rows as read; returns the position of its first row.
    pub(super) fn read(&mut self, rows: usize) -> u64 {
        let offset = self.read;
        self.read += rows as u64;
        offset
    }

    /// Books the outcome of one chunk.
    pub(super) fn book(&mut self, done: Done) {
        match done.result {
            Ok(affected) => {
                self.rows += affected.min(done.rows);
                self.chunks += 1;
                self.written.extend(done.positions);
                if let Some(p) = &self.progress {
                    p(self.rows);
                }
            }
            Err(e) => {
                if self.first_error.is_none() {
                    self.first_error = Some(e);
                }
            }
        }
    }

    /// Marks the input as read no further than it has been.
    pub(super) fn stop_reading(&mut self) {
        self.unread_from = Some(self.read);
    }

    /// Records `e` (unless an error came first) and stops reading.
    pub(super) fn fail(&mut self, e: Error) {
        if self.first_error.is_none() {
            self.first_error = Some(e);
        }
        self.stop_reading();
    }

    /// The report, or the error naming exactly which rows were written.
    pub(super) fn into_result(self) -> Result<IngestReport, Error> {
        match self.first_error {
            None => Ok(IngestReport {
                rows: self.rows,
                chunks: self.chunks,
            }),
            Some(source) => {
                let written = merge(self.written);
                let not_written = complement(&written, self.read);
                Err(IngestError {
                    rows_written: self.rows,
                    written,
                    not_written,
                    unread_from: self.unread_from,
                    source: Box::new(source),
                }
                .into())
            }
        }
    }
}
