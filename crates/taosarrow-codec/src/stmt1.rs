//! The binary frames of stmt v1 (`stmt2.md` §12): the 24-byte request header (action 1 =
//! `set_tags`, 2 = `bind`) followed directly by one raw block ([`encode_block`]) holding one
//! column per tag or per column, typed by its field. There is no version field.

use arrow_array::RecordBatch;
use taosarrow_protocol::frames::{BinaryAction, BinaryHeader, HEADER_LEN};

use crate::{encode_block, CodecError};

/// Which stmt v1 binary request a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stmt1Frame {
    /// Action 1: the tags of the current child table, a block of exactly one row.
    SetTags,
    /// Action 2: rows of the columns (insert), or the one row of a query's parameters.
    Bind,
}

impl Stmt1Frame {
    /// The frame's binary action.
    pub fn action(self) -> BinaryAction {
        match self {
            Stmt1Frame::SetTags => BinaryAction::SetTags,
            Stmt1Frame::Bind => BinaryAction::Bind,
        }
    }
}

/// Appends a complete stmt v1 `set_tags` / `bind` frame for `batch` to `out`. Each column's
/// TDengine type comes from its field, as in [`encode_block`]; a Timestamp column's values
/// must already be in the database precision. On error `out` is left as it was.
pub fn encode_stmt1_frame(
    req_id: u64,
    stmt_id: u64,
    frame: Stmt1Frame,
    batch: &RecordBatch,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    let start = out.len();
    BinaryHeader {
        req_id,
        resource_id: stmt_id,
        action: frame.action().code(),
    }
    .encode(out);
    encode_block(batch, out).inspect_err(|_| out.truncate(start))
}

/// The raw block of a stmt v1 binary frame (everything after the 24-byte header); empty
/// when the frame is no longer than the header.
pub fn stmt1_block(frame: &[u8]) -> &[u8] {
    frame.get(HEADER_LEN..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int32Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;
    use crate::{block_schema, decode_block, SchemaOptions};

    #[test]
    fn a_frame_is_the_header_then_the_raw_block() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("v", DataType::Int32, true),
            Field::new("s", DataType::Utf8, true),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(vec![Some(1), None])),
            Arc::new(StringArray::from(vec![None, Some("ab")])),
        ];
        let batch = RecordBatch::try_new(schema, cols).unwrap();
        let mut out = vec![0xAA];
        encode_stmt1_frame(7, 3, Stmt1Frame::Bind, &batch, &mut out).unwrap();
        let frame = &out[1..];
        let h = BinaryHeader::decode(frame).unwrap();
        assert_eq!((h.req_id, h.resource_id, h.action), (7, 3, 2));
        let block = stmt1_block(frame);
        let mut direct = Vec::new();
        encode_block(&batch, &mut direct).unwrap();
        assert_eq!(block, &direct[..]);
        let schema = block_schema(block, &SchemaOptions::default()).unwrap();
        let back = decode_block(block, &schema).unwrap();
        assert_eq!(back.num_rows(), 2);
        assert_eq!(back.column(0).as_ref(), batch.column(0).as_ref());
        assert_eq!(stmt1_block(&frame[..10]), b"");
    }

    #[test]
    fn set_tags_is_action_one_and_a_failed_encode_leaves_out_alone() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "l",
            DataType::List(Arc::new(Field::new("i", DataType::Int32, true))),
            true,
        )]));
        let list =
            arrow_array::ListArray::new_null(Arc::new(Field::new("i", DataType::Int32, true)), 1);
        let batch = RecordBatch::try_new(schema, vec![Arc::new(list)]).unwrap();
        let mut out = vec![1, 2, 3];
        assert!(encode_stmt1_frame(1, 1, Stmt1Frame::SetTags, &batch, &mut out).is_err());
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(Stmt1Frame::SetTags.action().code(), 1);
    }
}
