//! Arrow arrays ⇄ stmt2 bind payloads (`stmt2.md` §5).
//!
//! * Client side: [`encode_payload`] / [`encode_bind_frame`] write the bind payload of a
//!   prepared statement from Arrow arrays (one [`TableBind`] per child table), converting
//!   losslessly where the Arrow type differs from the column's (Int32 → BIGINT, any Timestamp
//!   unit → the database precision, Decimal128 → decimal text, dictionaries → their values)
//!   and refusing lossy conversions with an error naming the column and row.
//!   [`encode_bind_exec_frame`] writes the column-wise `stmt2_bind_exec` frame.
//!   [`estimate_payload_size`] sizes a bind without encoding it.
//! * Server side: [`parse_bind_frame`] splits a frame, [`parse_payload`] checks a payload as
//!   taosAdapter does and then against the prepared fields, returning Arrow arrays.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Int32Array, TimestampMillisecondArray};
//! use taosarrow_codec::stmt2::{encode_payload, parse_payload, BindField, BindRole, EncodeOptions, TableBind};
//! use taosarrow_protocol::{Precision, TdType};
//!
//! let fields = [
//!     BindField::timestamp("ts", Precision::Microsecond, BindRole::Column),
//!     BindField::new("v", TdType::BigInt, BindRole::Column),
//! ];
//! let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![1_700_000_000_000]));
//! let v: ArrayRef = Arc::new(Int32Array::from(vec![42]));
//! let mut payload = Vec::new();
//! encode_payload(&fields, &[TableBind::new(vec![ts, v])], &EncodeOptions::default(), &mut payload)?;
//! let tables = parse_payload(&payload, &fields)?;
//! assert_eq!(tables[0].num_rows(), 1);
//! # Ok::<(), taosarrow_codec::stmt2::Stmt2Error>(())
//! ```

mod bind_exec;
mod ctx;
mod decimal;
mod encode;
mod error;
mod field;
mod field_block;
mod parse;
mod size;
mod time;
mod to_arrow;
mod var;

pub use bind_exec::{
    encode_bind_exec_frame, encode_bind_exec_payload, parse_bind_exec_payload, parse_bind_exec_raw,
    RawBindExec,
};
pub use encode::{
    encode_bind_frame, encode_payload, estimate_payload_size, estimate_table_size,
    BIND_EXEC_FRAME_HEADER_LEN, BIND_FRAME_HEADER_LEN, BIND_VERSION, PAYLOAD_HEADER_LEN,
};
pub use error::{BindLocation, Stmt2Error};
pub use field::{BindField, BindRole, EncodeOptions, TableBind};
pub use parse::{parse_bind_frame, parse_raw, BindFrame, RawField, RawPayload, RawTable};
pub use to_arrow::{check_against, field_arrow_type, parse_payload, ParsedTable};
