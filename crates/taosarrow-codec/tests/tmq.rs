//! The TMQ data payload of `tmq.md` §3.5.1: the worked example byte for byte (around the raw
//! block, whose own layout `golden.rs` covers), round trips in every precision, and hostile
//! payloads refused with an error.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, TimestampMillisecondArray};
use taosarrow_codec::testing::{random_batch, random_schema};
use taosarrow_codec::tmq::{decode_data_rsp, encode_data_rsp, DataRspBlock};
use taosarrow_codec::{arrow_schema, encode_block, ColumnSpec, SchemaOptions};
use taosarrow_protocol::{Precision, TdType};

fn example_batch() -> RecordBatch {
    let schema = arrow_schema(
        &[
            ColumnSpec::new("ts", TdType::Timestamp),
            ColumnSpec::new("v", TdType::Int),
        ],
        &SchemaOptions::default(),
    )
    .unwrap();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(TimestampMillisecondArray::from(vec![1_700_000_000_000])),
        Arc::new(Int32Array::from(vec![7])),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

#[test]
fn the_worked_example_is_written_byte_for_byte() {
    let batch = example_batch();
    let mut raw = Vec::new();
    encode_block(&batch, &mut raw).unwrap();
    let mut out = Vec::new();
    encode_data_rsp(
        &[DataRspBlock {
            table: "d1",
            batch: &batch,
        }],
        Precision::Millisecond,
        10,
        11,
        &mut out,
    )
    .unwrap();
    let mut want: Vec<u8> = vec![
        0x64, // format 100
        0x12,
        0,
        0,
        0, // offset_len 18
        0x01,
        0x0a,
        0,
        0,
        0,
        0,
        0,
        0,
        0, // req offset: log, version 10
        0x01,
        0x0b,
        0,
        0,
        0,
        0,
        0,
        0,
        0, // rsp offset: log, version 11
        0x01,
        0,
        0,
        0,                      // block_num 1
        0x01,                   // with_tbname
        0x01,                   // with_schema
        (18 + raw.len()) as u8, // block_len (one varint byte below 128)
        0x01,
        0,
        0,
        0,
        0,
        0,
        0,
        0, // block_version 1
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0x01, // rows 1, big-endian
        0x00, // not compressed
        0x00, // precision ms
    ];
    want.extend_from_slice(&raw);
    want.extend_from_slice(&[
        0x04, 0x02, // ncols 2, schema_version 1 (zigzag)
        0x09, 0x01, 0x10, 0x02, 0x03, b't', b's', 0x00, // TIMESTAMP, bytes 8, id 1, "ts"
        0x04, 0x01, 0x08, 0x04, 0x02, b'v', 0x00, // INT, bytes 4, id 2, "v"
        0x03, b'd', b'1', 0x00, // table "d1"
    ]);
    assert_eq!(out, want);

    let rsp = decode_data_rsp(&out, &SchemaOptions::default()).unwrap();
    assert_eq!(rsp.precision, Precision::Millisecond);
    assert_eq!(rsp.blocks.len(), 1);
    assert_eq!(rsp.blocks[0].table.as_deref(), Some("d1"));
    assert_eq!(rsp.blocks[0].batch, batch);
}

#[test]
fn the_legacy_offset_layout_is_read() {
    let batch = example_batch();
    let mut out = Vec::new();
    encode_data_rsp(
        &[DataRspBlock {
            table: "d1",
            batch: &batch,
        }],
        Precision::Millisecond,
        10,
        11,
        &mut out,
    )
    .unwrap();
    // Before format 100 the payload starts with the two offsets themselves.
    let legacy: Vec<u8> = out[5..].to_vec();
    let rsp = decode_data_rsp(&legacy, &SchemaOptions::default()).unwrap();
    assert_eq!(rsp.blocks[0].batch, batch);
}

#[test]
fn every_precision_and_type_round_trips_with_names_and_tables() {
    for (k, precision) in Precision::ALL.into_iter().enumerate() {
        let opts = SchemaOptions {
            precision,
            timezone: None,
        };
        let batches: Vec<RecordBatch> = (0..3u64)
            .map(|i| {
                let schema = random_schema(k as u64 * 10 + i, 8, &opts);
                random_batch(i, &schema, 5 + i as usize, 0.3)
            })
            .collect();
        let names = ["a", "täble b", "c"];
        let blocks: Vec<DataRspBlock<'_>> = batches
            .iter()
            .zip(names)
            .map(|(batch, table)| DataRspBlock { table, batch })
            .collect();
        let mut out = Vec::new();
        encode_data_rsp(&blocks, precision, 1, 2, &mut out).unwrap();
        let rsp = decode_data_rsp(&out, &opts).unwrap();
        assert_eq!(rsp.precision, precision);
        for ((got, want), name) in rsp.blocks.iter().zip(&batches).zip(names) {
            assert_eq!(got.table.as_deref(), Some(name));
            assert_eq!(got.batch.schema().fields().len(), want.num_columns());
            for (a, b) in got
                .batch
                .schema()
                .fields()
                .iter()
                .zip(want.schema().fields())
            {
                assert_eq!(a.name(), b.name());
                assert_eq!(a.data_type(), b.data_type());
            }
            assert_eq!(got.batch.columns(), want.columns());
        }
    }
}

#[test]
fn hostile_payloads_are_errors() {
    let batch = example_batch();
    let mut good = Vec::new();
    encode_data_rsp(
        &[DataRspBlock {
            table: "d1",
            batch: &batch,
        }],
        Precision::Millisecond,
        0,
        0,
        &mut good,
    )
    .unwrap();
    // Every truncation.
    for n in 0..good.len() {
        assert!(
            decode_data_rsp(&good[..n], &SchemaOptions::default()).is_err(),
            "{n}"
        );
    }
    // A block count the bytes cannot hold.
    let mut many = good.clone();
    many[23..27].copy_from_slice(&i32::MAX.to_le_bytes());
    assert!(decode_data_rsp(&many, &SchemaOptions::default()).is_err());
    let mut negative = good.clone();
    negative[23..27].copy_from_slice(&(-1i32).to_le_bytes());
    assert!(decode_data_rsp(&negative, &SchemaOptions::default()).is_err());
    // A hostile offset block length.
    let mut offsets = good.clone();
    offsets[1..5].copy_from_slice(&i32::MAX.to_le_bytes());
    assert!(decode_data_rsp(&offsets, &SchemaOptions::default()).is_err());
    // An unknown precision.
    let mut precision = good.clone();
    precision[46] = 9;
    assert!(decode_data_rsp(&precision, &SchemaOptions::default()).is_err());
    // A schema that lists another column count than the block has.
    let mut cols = good.clone();
    let at = good.len() - 4 - 17;
    assert_eq!(cols[at], 0x04);
    cols[at] = 0x06;
    assert!(decode_data_rsp(&cols, &SchemaOptions::default()).is_err());
    // A table name without its NUL.
    let mut name = good.clone();
    let last = name.len() - 1;
    name[last] = b'x';
    assert!(decode_data_rsp(&name, &SchemaOptions::default()).is_err());
    // A block that decodes still reads as rows.
    let rsp = decode_data_rsp(&good, &SchemaOptions::default()).unwrap();
    assert_eq!(rsp.blocks[0].batch.column(1).len(), 1);
}
