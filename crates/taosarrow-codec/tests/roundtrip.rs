//! encode → decode is the identity: random schemas over every result type, random NULLs,
//! 0 to 5,000 rows; and the block written back from the decoded batch is the same bytes.

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BinaryViewArray, LargeStringArray, NullArray, RecordBatch, StringArray,
    StringViewArray,
};
use arrow_schema::{DataType, Field, Schema};
use proptest::prelude::*;
use taosarrow_codec::testing::{random_batch, random_schema, RESULT_TYPES};
use taosarrow_codec::{
    arrow_schema, column_spec, decode_block, encode_block, read_layout, ColumnSpec, SchemaOptions,
};
use taosarrow_protocol::{Precision, TdType};

fn options(precision: u8, tz: bool) -> SchemaOptions {
    SchemaOptions {
        precision: Precision::from_code(i64::from(precision)).unwrap(),
        timezone: tz.then(|| Arc::from("Asia/Shanghai")),
    }
}

fn round_trip(batch: &RecordBatch) {
    let mut block = Vec::new();
    encode_block(batch, &mut block).unwrap();
    let decoded = decode_block(&block, &batch.schema()).unwrap();
    assert_eq!(&decoded, batch);
    let mut again = Vec::new();
    encode_block(&decoded, &mut again).unwrap();
    assert_eq!(again, block);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_batches_round_trip(
        seed in any::<u64>(),
        cols in 1usize..10,
        rows in prop_oneof![0usize..8, 0usize..5000],
        nulls in prop_oneof![Just(0.0), Just(0.1), Just(0.5), Just(1.0)],
        precision in 0u8..3,
        tz in any::<bool>(),
    ) {
        let schema = random_schema(seed, cols, &options(precision, tz));
        let batch = random_batch(seed ^ 0x5eed, &schema, rows, nulls);
        round_trip(&batch);
    }
}

#[test]
fn every_type_round_trips_at_edge_sizes() {
    let specs: Vec<ColumnSpec> = RESULT_TYPES
        .iter()
        .map(|&ty| match ty {
            TdType::Decimal64 => ColumnSpec::decimal("d64", 18, 6),
            TdType::Decimal => ColumnSpec::decimal("d", 38, 10),
            TdType::VarChar | TdType::NChar | TdType::VarBinary | TdType::Geometry => {
                ColumnSpec::new(ty.sql_name(), ty).with_length(30)
            }
            _ => ColumnSpec::new(ty.sql_name(), ty),
        })
        .collect();
    for precision in 0..3 {
        let schema = arrow_schema(&specs, &options(precision, precision == 1)).unwrap();
        for rows in [0, 1, 7, 8, 9, 63, 64, 65, 1000] {
            for nulls in [0.0, 0.3, 1.0] {
                round_trip(&random_batch(rows as u64, &schema, rows, nulls));
            }
        }
    }
}

#[test]
fn sliced_batches_round_trip() {
    let schema = random_schema(7, 20, &SchemaOptions::default());
    let batch = random_batch(8, &schema, 300, 0.2);
    for (offset, len) in [(1, 100), (13, 250), (299, 1), (64, 0)] {
        round_trip(&batch.slice(offset, len));
    }
}

#[test]
fn other_arrow_string_and_binary_layouts_are_written_as_varchar_and_varbinary() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("large", DataType::LargeUtf8, true),
        Field::new("view", DataType::Utf8View, true),
        Field::new("bview", DataType::BinaryView, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(LargeStringArray::from(vec![Some("中文"), None])) as ArrayRef,
            Arc::new(StringViewArray::from(vec![
                None,
                Some("a longer string than twelve"),
            ])),
            Arc::new(BinaryViewArray::from(vec![Some(&b"\x00\x01"[..]), None])),
        ],
    )
    .unwrap();
    let mut block = Vec::new();
    encode_block(&batch, &mut block).unwrap();
    let (_, cols, _) = read_layout(&block).unwrap();
    assert_eq!(cols[0].ty, TdType::VarChar);
    // Declared length inferred from the longest value (6 bytes) + 2.
    assert_eq!(cols[0].bytes, 8);
    assert_eq!(cols[1].bytes, 29);
    assert_eq!(cols[2].ty, TdType::VarBinary);
    let target = arrow_schema(
        &[
            ColumnSpec::new("large", TdType::VarChar).with_length(6),
            ColumnSpec::new("view", TdType::VarChar).with_length(27),
            ColumnSpec::new("bview", TdType::VarBinary).with_length(2),
        ],
        &SchemaOptions::default(),
    )
    .unwrap();
    let decoded = decode_block(&block, &target).unwrap();
    let large = decoded
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert_eq!(large.value(0), "中文");
    assert!(large.is_null(1));
    assert_eq!(decoded.column(1).null_count(), 1);
    assert_eq!(decoded.column(2).len(), 2);
}

#[test]
fn an_arrow_null_column_is_written_as_an_all_null_varchar() {
    let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Null, true)]));
    let batch =
        RecordBatch::try_new(schema, vec![Arc::new(NullArray::new(3)) as ArrayRef]).unwrap();
    let mut block = Vec::new();
    encode_block(&batch, &mut block).unwrap();
    let spec = column_spec(batch.schema().field(0)).unwrap();
    assert_eq!(spec.ty, TdType::VarChar);
    let target = arrow_schema(&[spec], &SchemaOptions::default()).unwrap();
    let decoded = decode_block(&block, &target).unwrap();
    assert_eq!(decoded.num_rows(), 3);
    assert_eq!(decoded.column(0).null_count(), 3);
}

#[test]
fn encoder_rejects_what_tdengine_cannot_hold() {
    // A DECIMAL64 value must fit in i64.
    let spec = ColumnSpec::decimal("d", 18, 0);
    let schema = arrow_schema(&[spec], &SchemaOptions::default()).unwrap();
    let big = arrow_array::Decimal128Array::from(vec![Some(i128::from(i64::MAX) + 1)])
        .with_precision_and_scale(18, 0)
        .unwrap();
    let batch = RecordBatch::try_new(schema, vec![Arc::new(big) as ArrayRef]).unwrap();
    assert!(encode_block(&batch, &mut Vec::new()).is_err());
    // A VARCHAR value longer than a u16 prefix can count.
    let long = "x".repeat(70_000);
    let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(
        schema,
        vec![Arc::new(StringArray::from(vec![long])) as ArrayRef],
    )
    .unwrap();
    let e = encode_block(&batch, &mut Vec::new()).unwrap_err();
    assert!(e.to_string().contains("row 0"), "{e}");
    // Lists have no TDengine type.
    let schema = Arc::new(Schema::new(vec![Field::new(
        "l",
        DataType::new_list(DataType::Int32, true),
        true,
    )]));
    let list =
        arrow_array::ListArray::new_null(Arc::new(Field::new_list_field(DataType::Int32, true)), 1);
    let batch = RecordBatch::try_new(schema, vec![Arc::new(list) as ArrayRef]).unwrap();
    assert!(encode_block(&batch, &mut Vec::new()).is_err());
}

#[test]
fn encoder_refuses_null_and_mediumblob_type_codes() {
    use std::collections::HashMap;
    for code in ["0", "19"] {
        let field = Field::new("x", DataType::LargeBinary, true).with_metadata(HashMap::from([(
            taosarrow_codec::META_TYPE_CODE.to_owned(),
            code.to_owned(),
        )]));
        let array = arrow_array::LargeBinaryArray::from(vec![Some(&b"x"[..])]);
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(vec![field])),
            vec![Arc::new(array) as ArrayRef],
        )
        .unwrap();
        let e = encode_block(&batch, &mut Vec::new()).unwrap_err();
        assert!(
            matches!(e, taosarrow_codec::CodecError::UnsupportedType { .. }),
            "{e:?}"
        );
    }
}

#[test]
fn a_value_too_long_for_its_prefix_is_refused_naming_its_row() {
    let long = "x".repeat(usize::from(u16::MAX) + 1);
    let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8, true)]));
    for sliced in [false, true] {
        let array = StringArray::from(vec![Some("pad"), Some("ok"), None, Some(long.as_str())]);
        let array: ArrayRef = if sliced {
            Arc::new(array.slice(1, 3))
        } else {
            Arc::new(array)
        };
        let row = if sliced { 2 } else { 3 };
        let batch = RecordBatch::try_new(Arc::clone(&schema), vec![array]).unwrap();
        let mut block = b"kept".to_vec();
        let err = encode_block(&batch, &mut block).unwrap_err().to_string();
        assert!(err.contains("65535-byte limit"), "{err}");
        assert!(err.contains(&format!("row {row}")), "{err}");
        assert_eq!(
            block, b"kept",
            "a failed encode leaves the output as it was"
        );
    }
}
