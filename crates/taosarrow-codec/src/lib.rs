//! TDengine raw blocks ⇄ Arrow `RecordBatch`es, and the one TDengine↔Arrow type table.
#![warn(missing_docs)]
