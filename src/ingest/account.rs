//! The running account of an ingest: rows and chunks written, the input positions they
//! came from (stored, or of unknown outcome), how far the input was read, and the first
//! error.

use std::ops::Range;

use super::outcome::ChunkOutcome;
use super::plan::{complement, merge};
use super::{IngestError, IngestReport, Progress};
use crate::Error;

/// The outcome of one chunk, as its worker reports it.
pub(super) struct Done {
    /// Rows in the chunk.
    pub rows: u64,
    /// The input positions of those rows.
    pub positions: Vec<Range<u64>>,
    /// What became of the chunk.
    pub outcome: ChunkOutcome,
}

/// What has been written so far and what went wrong first.
pub(super) struct Account {
    /// Rows written (as the server counted them).
    rows: u64,
    /// Chunks written.
    chunks: u64,
    /// The input positions written, in the order the chunks finished.
    written: Vec<Range<u64>>,
    /// The input positions of chunks whose exec was sent but whose reply was not seen.
    unknown: Vec<Range<u64>>,
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
            unknown: Vec::new(),
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
        match done.outcome {
            ChunkOutcome::Written(affected) => {
                self.rows += affected.min(done.rows);
                self.chunks += 1;
                self.written.extend(done.positions);
                if let Some(p) = &self.progress {
                    p(self.rows);
                }
            }
            ChunkOutcome::Unknown(e) => {
                self.unknown.extend(done.positions);
                self.record(e);
            }
            ChunkOutcome::NotWritten(e) => self.record(e),
        }
    }

    /// Marks the input as read no further than it has been.
    pub(super) fn stop_reading(&mut self) {
        self.unread_from = Some(self.read);
    }

    /// Records `e` unless an error came first.
    pub(super) fn record(&mut self, e: Error) {
        if self.first_error.is_none() {
            self.first_error = Some(e);
        }
    }

    /// Records `e` (unless an error came first) and stops reading.
    pub(super) fn fail(&mut self, e: Error) {
        self.record(e);
        self.stop_reading();
    }

    /// The report, or the error naming exactly which rows were written, which may have
    /// been, and which were not.
    pub(super) fn into_result(self) -> Result<IngestReport, Error> {
        match self.first_error {
            None => Ok(IngestReport {
                rows: self.rows,
                chunks: self.chunks,
                rows_read: self.read,
            }),
            Some(source) => {
                let written = merge(self.written);
                let unknown = merge(self.unknown);
                let settled = merge(written.iter().chain(&unknown).cloned().collect());
                let not_written = complement(&settled, self.read);
                Err(IngestError {
                    rows_written: self.rows,
                    written,
                    unknown,
                    not_written,
                    unread_from: self.unread_from,
                    source: Box::new(source),
                }
                .into())
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // vectors of row ranges are the point
mod tests {
    use super::*;

    fn lost() -> Error {
        Error::closed("closed by the server")
    }

    #[test]
    fn unknown_chunks_are_neither_written_nor_not_written() {
        let mut a = Account::new(None);
        a.read(40);
        a.book(Done {
            rows: 10,
            positions: vec![0..10],
            outcome: ChunkOutcome::Written(10),
        });
        a.book(Done {
            rows: 10,
            positions: vec![10..20],
            outcome: ChunkOutcome::Unknown(lost()),
        });
        a.book(Done {
            rows: 10,
            positions: vec![20..30],
            outcome: ChunkOutcome::NotWritten(lost()),
        });
        let Err(Error::Ingest(e)) = a.into_result() else {
            panic!("an unknown outcome is a failure")
        };
        assert_eq!(e.rows_written, 10);
        assert_eq!(e.written, vec![0..10]);
        assert_eq!(e.unknown, vec![10..20]);
        assert_eq!(e.not_written, vec![20..40]);
    }
}
