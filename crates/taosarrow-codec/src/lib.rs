//! TDengine raw blocks ⇄ Arrow `RecordBatch`es, Arrow ⇄ stmt2 bind payloads, and the one
//! TDengine↔Arrow type table. No I/O.
//!
//! * [`arrow_schema`] / [`arrow_field`] turn a query's column descriptions into an Arrow
//!   schema; [`column_spec`] goes back.
//! * [`decode_block`] turns a raw result block into a `RecordBatch`; [`encode_block`] is its
//!   exact inverse; [`block_length`] and [`block_schema`] inspect a block.
//! * Bad input never panics: every length, offset and count from a block is checked before
//!   it is used, and problems come back as a [`CodecError`] naming the column and row.
//! * [`stmt1`] frames the binary `set_tags` / `bind` requests of stmt v1 around a raw block.
//! * [`decimal::parse`] reads DECIMAL text the way TDengine does (exponents included), for
//!   stmt2 payloads and SQL literals alike.
//! * [`tmq`] writes and reads the rows of a TMQ data message (`fetch_raw_data`): raw blocks
//!   with their column schema and table name.
//! * [`testing`]: seeded data generators shared by the property tests, the benches, the
//!   fuzz target (`fuzz/` at the repository root) and the other crates' tests.
//!
//! An Arrow `Null` column is written as a VARCHAR whose rows are all NULL (TDengine blocks have
//! no NULL-typed columns).
#![warn(missing_docs)]

#[cfg(not(target_endian = "little"))]
compile_error!(
    "taosarrow-codec copies little-endian wire data in bulk and needs a little-endian target"
);

mod bitmap;
pub mod block;
pub mod decimal;
mod error;
pub mod fuzzing;
mod schema;
pub mod stmt1;
pub mod stmt2;
pub mod testing;
mod time;
pub mod tmq;

pub use block::{
    block_length, block_schema, decode_block, decode_block_with, encode_block, read_header,
    read_layout, BlockColumn, BlockHeader, DecodeOptions, DEFAULT_MAX_EXPANSION,
};
pub use error::{CodecError, Location};
pub use schema::{
    arrow_field, arrow_schema, arrow_type, column_spec, td_type_for, ColumnSpec, SchemaOptions,
    BLOB_LENGTH, EXTENSION_JSON, EXTENSION_WKB, JSON_LENGTH, META_EXTENSION_NAME, META_LENGTH,
    META_TYPE, META_TYPE_CODE,
};
pub use time::{precision_of, tick_unit, time_unit, timestamp_ticks, timestamp_type_text};
