//! Bad input gets a typed error naming the column (and row), never a panic (`raw-block.md` §12).

mod common;

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
use common::{example_a, example_b, set_i32};
use taosarrow_codec::{
    arrow_schema, block_length, decode_block, encode_block, CodecError, ColumnSpec, Location,
    SchemaOptions,
};
use taosarrow_protocol::TdType;

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

/// Decodes example A with one edit and returns the error.
fn err_a(edit: impl FnOnce(&mut Vec<u8>)) -> CodecError {
    let mut block = example_a();
    edit(&mut block);
    decode_block(&block, &schema_a()).expect_err("the edited block must be rejected")
}

fn err_b(edit: impl FnOnce(&mut Vec<u8>)) -> CodecError {
    let mut block = example_b();
    edit(&mut block);
    decode_block(&block, &schema_b()).expect_err("the edited block must be rejected")
}

/// Asserts an `InvalidData` error at `column` (and `row`) whose reason contains `words`.
fn assert_data(e: CodecError, column: usize, row: Option<usize>, words: &str) {
    match &e {
        CodecError::InvalidData { at, reason } => {
            assert_eq!((at.column, at.row), (column, row), "{e}");
            assert!(at.name.is_some(), "{e}");
            assert!(reason.contains(words), "{e}");
        }
        other => panic!("expected InvalidData, got {other:?}"),
    }
}

#[test]
fn header_problems() {
    let a = example_a();
    assert!(matches!(
        block_length(&a[..27]),
        Err(CodecError::Truncated { needed: 28, .. })
    ));
    assert!(matches!(
        decode_block(&a[..94], &schema_a()),
        Err(CodecError::Truncated { needed: 95, .. })
    ));
    assert!(matches!(
        err_a(|b| set_i32(b, 4, -1)),
        CodecError::InvalidHeader(_)
    ));
    assert!(matches!(
        err_a(|b| set_i32(b, 4, 27)),
        CodecError::InvalidHeader(_)
    ));
    assert!(matches!(
        err_a(|b| set_i32(b, 8, -2)),
        CodecError::InvalidHeader(_)
    ));
    assert!(matches!(
        err_a(|b| set_i32(b, 12, -1)),
        CodecError::InvalidHeader(_)
    ));
    assert!(matches!(
        err_a(|b| set_i32(b, 12, 1_000_000_000)),
        CodecError::LimitExceeded { .. }
    ));
    assert!(matches!(
        err_a(|b| set_i32(b, 12, 10)),
        CodecError::Truncated { .. }
    ));
}

#[test]
fn huge_row_counts_fail_before_allocating() {
    for rows in [i32::MAX, 1 << 24, 3] {
        let e = err_a(|b| set_i32(b, 8, rows));
        assert!(
            matches!(
                e,
                CodecError::InvalidData { .. } | CodecError::Truncated { .. }
            ),
            "{e:?}"
        );
    }
}

#[test]
fn type_codes() {
    let e = err_a(|b| b[28] = 99);
    assert!(
        matches!(e, CodecError::UnknownType { code: 99, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("column 0"), "{e}");
    let e = err_a(|b| b[28] = 0xF0);
    assert!(
        matches!(e, CodecError::UnknownType { code: -16, .. }),
        "{e:?}"
    );
    for code in [0u8, 19] {
        let e = err_a(|b| b[33] = code);
        match e {
            CodecError::UnsupportedType { at, .. } => assert_eq!(at.column, 1),
            other => panic!("{other:?}"),
        }
    }
    // A known type that is not the schema's.
    let e = err_a(|b| b[33] = 5);
    assert!(matches!(e, CodecError::SchemaMismatch(_)), "{e:?}");
    let e = decode_block(&example_a(), &schema_b()).unwrap_err();
    assert!(matches!(e, CodecError::SchemaMismatch(_)), "{e:?}");
}

#[test]
fn fixed_width_length_must_be_rows_times_width() {
    let e = err_a(|b| set_i32(b, 47, 12));
    assert_data(e, 1, None, "length array");
    let e = err_a(|b| set_i32(b, 47, -8));
    assert_data(e, 1, None, "negative");
}

#[test]
fn bool_bytes_must_be_zero_or_one() {
    let schema = arrow_schema(
        &[ColumnSpec::new("f", TdType::Bool)],
        &SchemaOptions::default(),
    )
    .unwrap();
    let values: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)]));
    let batch = RecordBatch::try_new(schema.clone(), vec![values]).unwrap();
    let mut block = Vec::new();
    encode_block(&batch, &mut block).unwrap();
    // header 28 + schema 5 + length 4, then the bitmap byte, then 3 data bytes.
    let data = 28 + 5 + 4 + 1;
    let mut bad = block.clone();
    bad[data + 2] = 2;
    assert_data(decode_block(&bad, &schema).unwrap_err(), 0, Some(2), "BOOL");
    // The slot of a NULL row is ignored whatever it holds.
    let mut null_slot = block.clone();
    null_slot[data + 1] = 0x7F;
    assert_eq!(decode_block(&null_slot, &schema).unwrap(), batch);
}

#[test]
fn decimal_schema_field_is_checked() {
    // Column 1 (DECIMAL64) schema entry starts at 33: type, scale, precision, 0, width.
    assert_data(err_b(|b| b[37] = 16), 1, None, "width 16");
    assert_data(err_b(|b| b[35] = 19), 1, None, "precision");
    assert_data(err_b(|b| b[34] = 11), 1, None, "scale");
    assert_data(err_b(|b| b[42] = 8), 2, None, "width 8");
    assert_data(err_b(|b| b[40] = 39), 2, None, "precision");
    // DECIMAL (code 17) is only for 19 ≤ p; p ≤ 18 is DECIMAL64.
    assert_data(err_b(|b| b[40] = 18), 2, None, "precision 18");
}

#[test]
fn nchar_must_be_whole_valid_code_points() {
    assert_data(err_b(|b| b[81] = 7), 0, Some(0), "4-byte");
    assert_data(
        err_b(|b| b[83..87].copy_from_slice(&[0, 0xD8, 0, 0])),
        0,
        Some(0),
        "code point",
    );
    assert_data(
        err_b(|b| b[83..87].copy_from_slice(&[0, 0, 0x11, 0])),
        0,
        Some(0),
        "code point",
    );
}

#[test]
fn text_must_be_utf8() {
    assert_data(err_a(|b| b[92] = 0xFF), 2, Some(1), "UTF-8");
    assert_data(err_b(|b| b[166] = 0xC3), 4, Some(0), "UTF-8");
}

#[test]
fn offsets_and_lengths_stay_inside_the_value_area() {
    assert_data(err_a(|b| set_i32(b, 85, 5)), 2, Some(1), "outside");
    assert_data(err_a(|b| set_i32(b, 85, 4)), 2, Some(1), "outside");
    assert_data(err_a(|b| set_i32(b, 85, i32::MAX)), 2, Some(1), "outside");
    assert_data(err_a(|b| b[89] = 4), 2, Some(1), "runs past");
    assert_data(err_b(|b| set_i32(b, 149, -1)), 3, Some(0), "runs past");
    assert_data(err_a(|b| set_i32(b, 51, -5)), 2, None, "negative");
    assert!(matches!(
        err_a(|b| set_i32(b, 51, 1000)),
        CodecError::Truncated { .. }
    ));
}

#[test]
fn block_length_must_match_the_columns() {
    // Two bytes past the last column: more than the one trailer byte.
    let e = err_a(|b| {
        b.push(0);
        set_i32(b, 4, 96);
    });
    assert!(matches!(e, CodecError::InvalidHeader(_)), "{e:?}");
    // Shorter than the columns.
    let e = err_a(|b| set_i32(b, 4, 90));
    assert!(matches!(e, CodecError::Truncated { .. }), "{e:?}");
}

#[test]
fn errors_name_the_column_and_row() {
    let e = err_a(|b| b[92] = 0xFF);
    let text = e.to_string();
    assert!(text.contains("column 2 (s)"), "{text}");
    assert!(text.contains("row 1"), "{text}");
    let at = Location {
        column: 3,
        name: None,
        row: None,
    };
    assert_eq!(at.to_string(), "column 3");
}

#[test]
fn every_truncation_is_an_error() {
    for (block, schema) in [(example_a(), schema_a()), (example_b(), schema_b())] {
        for cut in 0..block.len() - 1 {
            assert!(decode_block(&block[..cut], &schema).is_err(), "cut {cut}");
            if cut >= 28 {
                // The header agrees with the cut: the columns no longer fit.
                let mut short = block[..cut].to_vec();
                set_i32(&mut short, 4, cut as i32);
                assert!(decode_block(&short, &schema).is_err(), "cut {cut}");
            }
        }
    }
}

#[test]
fn every_single_byte_edit_is_handled() {
    for (block, schema) in [(example_a(), schema_a()), (example_b(), schema_b())] {
        let mut ok = 0usize;
        for at in 0..block.len() {
            for v in 0..=255u8 {
                let mut edited = block.clone();
                edited[at] = v;
                if let Ok(batch) = decode_block(&edited, &schema) {
                    assert_eq!(batch.num_columns(), schema.fields().len());
                    ok += 1;
                }
            }
        }
        // Bytes that readers ignore (version, flag, group id, NULL slots…) still decode.
        assert!(ok > 0);
    }
}

#[test]
fn a_character_split_across_two_values_is_invalid() {
    let schema = arrow_schema(
        &[ColumnSpec::new("s", TdType::VarChar).with_length(4)],
        &SchemaOptions::default(),
    )
    .unwrap();
    let values: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["ab", "c"]));
    let batch = RecordBatch::try_new(schema.clone(), vec![values]).unwrap();
    let mut block = Vec::new();
    encode_block(&batch, &mut block).unwrap();
    // Value area at 45: `02 00 61 62` then `01 00 63`. Together the payloads spell "中"
    // (e4 b8 ad), but neither value is UTF-8 on its own.
    assert_eq!(&block[45..52], &[2, 0, b'a', b'b', 1, 0, b'c']);
    block[47] = 0xE4;
    block[48] = 0xB8;
    block[51] = 0xAD;
    assert_data(
        decode_block(&block, &schema).unwrap_err(),
        0,
        Some(0),
        "UTF-8",
    );
}

mod one_corrupted_field {
    //! Valid blocks of random schemas with one field overwritten by a hostile value: decoding
    //! with the block's own schema or with the original one never panics, and whatever decodes
    //! survives encode → decode (the `decode_block` fuzz target's checks).
    use proptest::prelude::*;
    use taosarrow_codec::fuzzing::decode_block_target;
    use taosarrow_codec::testing::{corrupt_field, random_batch, random_schema, HOSTILE_U32};
    use taosarrow_codec::{decode_block, encode_block, SchemaOptions};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics(
            seed in 0..512u64,
            at in any::<prop::sample::Index>(),
            width in prop::sample::select(vec![1usize, 2, 4]),
            value in prop::sample::select(HOSTILE_U32.to_vec()),
        ) {
            let cols = 1 + (seed % 5) as usize;
            let schema = random_schema(seed, cols, &SchemaOptions::default());
            let batch = random_batch(seed, &schema, 1 + (seed % 9) as usize, 0.3);
            let mut block = Vec::new();
            encode_block(&batch, &mut block).unwrap();
            let bad = corrupt_field(&block, at.index(block.len()), width, u64::from(value));
            let _ = decode_block(&bad, &schema);
            decode_block_target(&bad);
        }
    }
}
