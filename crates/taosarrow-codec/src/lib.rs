//! TDengine raw blocks ⇄ Arrow `RecordBatch`es, Arrow ⇄ stmt2 bind payloads, and the one
//! TDengine↔Arrow type table. No I/O.
#![warn(missing_docs)]

pub mod stmt2;
