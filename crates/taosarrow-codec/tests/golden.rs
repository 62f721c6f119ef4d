//! The hand-worked examples of the raw block spec (`raw-block.md` §13, §14) as golden vectors:
//! the decoder must read them to the documented values and the encoder must write them back
//! byte for byte.

mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int32Type, TimestampMillisecondType};
use arrow_array::{
    Array, ArrayRef, Decimal128Array, Int32Array, LargeBinaryArray, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use arrow_schema::{DataType, TimeUnit};
use common::{example_a, example_b, hex};
use taosarrow_codec::{
    arrow_schema, block_length, decode_block, encode_block, read_layout, ColumnSpec, SchemaOptions,
    META_LENGTH, META_TYPE, META_TYPE_CODE,
};
use taosarrow_protocol::{Precision, TdType};

fn schema_a() -> arrow_schema::SchemaRef {
    arrow_schema(
        &[
            ColumnSpec::new("ts", TdType::Timestamp),
            ColumnSpec::new("v", TdType::Int),
            ColumnSpec::new("s", TdType::VarChar).with_length(10),
        ],
        &SchemaOptions::default(),
    )
    .unwrap()
}

fn schema_b() -> arrow_schema::SchemaRef {
    arrow_schema(
        &[
            ColumnSpec::new("n", TdType::NChar).with_length(4),
            ColumnSpec::decimal("d64", 10, 2),
            ColumnSpec::decimal("d", 20, 4),
            ColumnSpec::new("b", TdType::Blob),
            ColumnSpec::new("j", TdType::Json),
        ],
        &SchemaOptions::default(),
    )
    .unwrap()
}

#[test]
fn example_a_decodes_to_the_documented_rows() {
    let block = example_a();
    assert_eq!(block.len(), 95);
    assert_eq!(block_length(&block).unwrap(), 95);
    let batch = decode_block(&block, &schema_a()).unwrap();
    assert_eq!(batch.num_rows(), 2);
    let ts = batch.column(0).as_primitive::<TimestampMillisecondType>();
    assert_eq!(
        ts.values().as_ref(),
        &[1_700_000_000_000, 1_700_000_001_000]
    );
    assert_eq!(ts.null_count(), 0);
    let v = batch.column(1).as_primitive::<Int32Type>();
    assert_eq!(v.value(0), 42);
    assert!(v.is_null(1));
    let s = batch.column(2).as_string::<i32>();
    assert!(s.is_null(0));
    assert_eq!(s.value(1), "abc");
    assert_eq!(
        batch.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, None)
    );
}

#[test]
fn example_a_is_encoded_byte_for_byte() {
    let batch = RecordBatch::try_new(
        schema_a(),
        vec![
            Arc::new(TimestampMillisecondArray::from(vec![
                1_700_000_000_000,
                1_700_000_001_000,
            ])) as ArrayRef,
            Arc::new(Int32Array::from(vec![Some(42), None])),
            Arc::new(StringArray::from(vec![None, Some("abc")])),
        ],
    )
    .unwrap();
    let mut out = vec![0xEE]; // the encoder appends: what is already there stays
    encode_block(&batch, &mut out).unwrap();
    assert_eq!(out[0], 0xEE);
    assert_eq!(hex(&out[1..]), hex(&example_a()));
}

#[test]
fn example_b_decodes_to_the_documented_rows() {
    let block = example_b();
    assert_eq!(block.len(), 173);
    let batch = decode_block(&block, &schema_b()).unwrap();
    assert_eq!(batch.num_rows(), 2);
    let n = batch.column(0).as_string::<i32>();
    assert_eq!(n.value(0), "中a");
    let d64 = batch.column(1).as_primitive::<Decimal128Type>();
    assert_eq!(d64.data_type(), &DataType::Decimal128(10, 2));
    assert_eq!(d64.value_as_string(0), "123.45");
    let d = batch.column(2).as_primitive::<Decimal128Type>();
    assert_eq!(d.data_type(), &DataType::Decimal128(20, 4));
    assert_eq!(d.value_as_string(0), "-1.5000");
    let b = batch.column(3).as_binary::<i64>();
    assert_eq!(b.value(0), &[1, 2]);
    let j = batch.column(4).as_string::<i32>();
    assert_eq!(j.value(0), r#"{"k":1}"#);
    for col in batch.columns() {
        assert!(col.is_valid(0));
        assert!(col.is_null(1));
    }
    let (_, cols, _) = read_layout(&block).unwrap();
    assert_eq!(cols[1].decimal_precision_scale(), (10, 2));
    assert_eq!(cols[2].decimal_precision_scale(), (20, 4));
}

#[test]
fn example_b_is_encoded_byte_for_byte() {
    let batch = RecordBatch::try_new(
        schema_b(),
        vec![
            Arc::new(StringArray::from(vec![Some("中a"), None])) as ArrayRef,
            Arc::new(
                Decimal128Array::from(vec![Some(12345), None])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ),
            Arc::new(
                Decimal128Array::from(vec![Some(-15000), None])
                    .with_precision_and_scale(20, 4)
                    .unwrap(),
            ),
            Arc::new(LargeBinaryArray::from(vec![Some(&[1u8, 2][..]), None])),
            Arc::new(StringArray::from(vec![Some(r#"{"k":1}"#), None])),
        ],
    )
    .unwrap();
    let mut out = Vec::new();
    encode_block(&batch, &mut out).unwrap();
    assert_eq!(hex(&out), hex(&example_b()));
}

#[test]
fn blocks_without_the_trailer_are_accepted() {
    for (block, schema) in [(example_a(), schema_a()), (example_b(), schema_b())] {
        let expected = decode_block(&block, &schema).unwrap();
        let mut short = block[..block.len() - 1].to_vec();
        let len = short.len() as i32;
        short[4..8].copy_from_slice(&len.to_le_bytes());
        assert_eq!(decode_block(&short, &schema).unwrap(), expected);
    }
}

#[test]
fn bytes_after_the_block_are_not_part_of_it() {
    let mut block = example_a();
    block.extend_from_slice(&[0xFF; 13]);
    assert_eq!(block_length(&block).unwrap(), 95);
    let batch = decode_block(&block, &schema_a()).unwrap();
    assert_eq!(batch.num_rows(), 2);
}

#[test]
fn fields_carry_the_tdengine_metadata() {
    let schema = schema_b();
    let n = schema.field(0);
    assert_eq!(n.metadata()[META_TYPE_CODE], "10");
    assert_eq!(n.metadata()[META_TYPE], "NCHAR");
    assert_eq!(n.metadata()[META_LENGTH], "4");
    assert_eq!(schema.field(3).metadata()[META_LENGTH], "4194304");
    assert_eq!(schema.field(4).metadata()[META_LENGTH], "4095");
}

#[test]
fn timestamp_unit_and_zone_come_from_the_schema() {
    let opts = SchemaOptions {
        precision: Precision::Nanosecond,
        timezone: Some("Asia/Shanghai".into()),
    };
    let schema = arrow_schema(
        &[
            ColumnSpec::new("ts", TdType::Timestamp),
            ColumnSpec::new("v", TdType::Int),
            ColumnSpec::new("s", TdType::VarChar).with_length(10),
        ],
        &opts,
    )
    .unwrap();
    let batch = decode_block(&example_a(), &schema).unwrap();
    assert_eq!(
        batch.column(0).data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, Some("Asia/Shanghai".into()))
    );
    // The stored integers are kept as they are: the unit is the database's.
    let ts = batch
        .column(0)
        .as_primitive::<arrow_array::types::TimestampNanosecondType>();
    assert_eq!(ts.value(1), 1_700_000_001_000);
}

#[test]
fn a_block_describes_its_own_columns() {
    let own = taosarrow_codec::block_schema(&example_b(), &SchemaOptions::default()).unwrap();
    for (ours, documented) in own.fields().iter().zip(schema_b().fields()) {
        let a = taosarrow_codec::column_spec(ours).unwrap();
        let b = taosarrow_codec::column_spec(documented).unwrap();
        assert_eq!(
            (a.ty, a.length, a.precision, a.scale),
            (b.ty, b.length, b.precision, b.scale)
        );
        assert_eq!(ours.data_type(), documented.data_type());
    }
    let own = taosarrow_codec::block_schema(&example_a(), &SchemaOptions::default()).unwrap();
    assert_eq!(own.field(2).metadata()[META_LENGTH], "10");
    assert_eq!(own.field(0).name(), "c0");
}

#[test]
fn null_slots_are_written_as_zeros_whatever_the_array_holds() {
    use arrow_buffer::{NullBuffer, ScalarBuffer};
    // 70 rows so that both the 64-row words and the remainder are visited.
    let values: Vec<i32> = (1..=70).collect();
    let valid: Vec<bool> = (0..70).map(|r| r % 3 != 0).collect();
    let array = Int32Array::new(
        ScalarBuffer::from(values),
        Some(NullBuffer::from(valid.clone())),
    );
    let schema = arrow_schema(
        &[ColumnSpec::new("v", TdType::Int)],
        &SchemaOptions::default(),
    )
    .unwrap();
    let batch = RecordBatch::try_new(schema, vec![Arc::new(array) as ArrayRef]).unwrap();
    let mut out = Vec::new();
    encode_block(&batch, &mut out).unwrap();
    let data = 28 + 5 + 4 + 9; // header, schema, length, bitmap of 70 rows
    for (row, ok) in valid.iter().enumerate() {
        let slot = i32::from_le_bytes(out[data + row * 4..data + row * 4 + 4].try_into().unwrap());
        assert_eq!(slot, if *ok { row as i32 + 1 } else { 0 }, "row {row}");
    }
}
