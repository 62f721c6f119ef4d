//! Entry points of the fuzz targets (`fuzz/` at the repository root) over this crate's parsers
//! of outside bytes, and of the `cargo test` replay of their corpora. Each takes arbitrary bytes
//! and checks the invariant its target asserts: no panic, and what decodes survives encode →
//! decode unchanged. A violation panics, which is what a fuzzer reports.

use taosarrow_protocol::TdType;

use crate::stmt2::{
    encode_payload, parse_bind_exec_payload, parse_bind_exec_raw, parse_bind_frame, parse_payload,
    parse_raw, BindField, BindRole, EncodeOptions, TableBind,
};
use crate::{block_length, block_schema, decode_block, encode_block, SchemaOptions};

/// A raw result block, decoded with the schema the bytes themselves declare (so every type
/// path is reachable). A block that decodes must encode and decode back to the same batch.
pub fn decode_block_target(data: &[u8]) {
    let _ = block_length(data);
    let Ok(schema) = block_schema(data, &SchemaOptions::default()) else {
        return;
    };
    let Ok(batch) = decode_block(data, &schema) else {
        return;
    };
    let mut block = Vec::new();
    encode_block(&batch, &mut block).expect("a decoded batch encodes");
    let again = decode_block(&block, &schema).expect("an encoded batch decodes");
    assert_eq!(again, batch, "encode → decode changed a decoded block");
}

/// Bytes per field in the prefix [`stmt2_payload_target`] reads its prepared fields from.
pub const STMT2_FIELD_BYTES: usize = 5;

/// Writes the input [`stmt2_payload_target`] reads: the field list as its prefix (a count byte,
/// then per field its type code, `bind_type`, precision, scale and a length byte), then the
/// payload. The seed corpus is built with it.
pub fn stmt2_input(fields: &[BindField], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + fields.len() * STMT2_FIELD_BYTES + payload.len());
    out.push(u8::try_from(fields.len()).unwrap_or(u8::MAX));
    for f in fields.iter().take(usize::from(u8::MAX)) {
        out.push(f.ty.code());
        out.push(f.role.code());
        out.push(f.precision);
        out.push(f.scale);
        out.push(u8::try_from(f.bytes.clamp(0, 255)).unwrap_or(u8::MAX));
    }
    out.extend_from_slice(payload);
    out
}

/// Reads the field prefix of [`stmt2_input`]; `None` when the bytes do not describe fields the
/// prepare response could have sent.
fn stmt2_fields(data: &[u8]) -> Option<(Vec<BindField>, &[u8])> {
    let (&n, rest) = data.split_first()?;
    let n = usize::from(n);
    let table = rest.get(..n * STMT2_FIELD_BYTES)?;
    let mut fields = Vec::with_capacity(n);
    for (i, f) in table.chunks_exact(STMT2_FIELD_BYTES).enumerate() {
        let field = BindField::from_wire(
            format!("f{i}"),
            i64::from(f[0]),
            i64::from(f[2]),
            i64::from(f[3]),
            i64::from(f[4]),
            i64::from(f[1]),
        )
        .ok()?;
        fields.push(field);
    }
    Some((fields, &rest[n * STMT2_FIELD_BYTES..]))
}

/// A stmt2 bind payload (and the frames around it) against prepared fields read from the
/// input's prefix ([`stmt2_input`]): the frame splitters, the structural parse and the typed
/// parse must return an error or tables, never panic. Tables that parse must encode back into
/// a payload that parses to the same arrays.
pub fn stmt2_payload_target(data: &[u8]) {
    let _ = parse_bind_frame(data);
    let _ = parse_raw(data);
    let _ = parse_bind_exec_raw(data);
    let Some((fields, payload)) = stmt2_fields(data) else {
        return;
    };
    let _ = parse_raw(payload);
    let _ = parse_bind_exec_payload(payload, &fields);
    let Ok(tables) = parse_payload(payload, &fields) else {
        return;
    };
    if fields.iter().any(|f| f.role == BindRole::Query)
        || fields
            .iter()
            .any(|f| f.ty == TdType::Timestamp && f.time_precision().is_err())
    {
        return;
    }
    let binds: Vec<TableBind> = tables
        .iter()
        .map(|t| {
            let mut b = TableBind::new(t.columns.clone()).with_tags(t.tags.clone());
            if let Some(name) = &t.name {
                b = b.with_name(name.clone());
            }
            b
        })
        .collect();
    let mut again = Vec::new();
    if encode_payload(&fields, &binds, &EncodeOptions::default(), &mut again).is_err() {
        // Values the parser accepts but the encoder refuses (e.g. a name it would quote
        // differently) are not a decoding bug.
        return;
    }
    let reparsed = parse_payload(&again, &fields).expect("an encoded payload parses");
    for (a, b) in reparsed.iter().zip(&tables) {
        assert_eq!(a.columns, b.columns, "encode → parse changed a column");
        assert_eq!(a.tags, b.tags, "encode → parse changed a tag");
    }
}

/// `original` with each declared length of 0 ("not declared": the encoder then writes the
/// widest value's length) replaced by the length `encoded` carries, so that a block whose
/// bytes declare a zero width yet hold longer values compares equal after the round trip.
fn with_inferred_lengths(
    original: &arrow_array::RecordBatch,
    encoded: &arrow_array::RecordBatch,
) -> arrow_array::RecordBatch {
    use crate::META_LENGTH;
    let fields: Vec<arrow_schema::Field> = original
        .schema()
        .fields()
        .iter()
        .zip(encoded.schema().fields())
        .map(|(o, e)| {
            let mut meta = o.metadata().clone();
            if meta.get(META_LENGTH).map(String::as_str) == Some("0") {
                if let Some(len) = e.metadata().get(META_LENGTH) {
                    meta.insert(META_LENGTH.to_owned(), len.clone());
                }
            }
            o.as_ref().clone().with_metadata(meta)
        })
        .collect();
    let schema = std::sync::Arc::new(arrow_schema::Schema::new_with_metadata(
        fields,
        original.schema().metadata().clone(),
    ));
    let rows = arrow_array::RecordBatchOptions::new().with_row_count(Some(original.num_rows()));
    arrow_array::RecordBatch::try_new_with_options(schema, original.columns().to_vec(), &rows)
        .expect("same columns under a schema that differs in metadata only")
}

/// A TMQ data payload (`fetch_raw_data`'s rows): decoding must return an error or blocks,
/// never panic. Each decoded block must encode (in its own precision) and decode back to the
/// same table and columns.
pub fn tmq_data_rsp_target(data: &[u8]) {
    use crate::tmq::{decode_data_rsp, encode_data_rsp, DataRspBlock};
    let Ok(rsp) = decode_data_rsp(data, &SchemaOptions::default()) else {
        return;
    };
    for b in &rsp.blocks {
        let block = DataRspBlock {
            table: b.table.as_deref().unwrap_or(""),
            batch: &b.batch,
        };
        let mut again = Vec::new();
        encode_data_rsp(&[block], b.precision, 0, 0, &mut again).expect("a decoded block encodes");
        let back =
            decode_data_rsp(&again, &SchemaOptions::default()).expect("an encoded payload decodes");
        assert_eq!(back.blocks.len(), 1);
        assert_eq!(
            back.blocks[0].batch,
            with_inferred_lengths(&b.batch, &back.blocks[0].batch),
            "encode → decode changed a block"
        );
        if b.table.is_some() {
            assert_eq!(back.blocks[0].table, b.table);
        }
    }
}
