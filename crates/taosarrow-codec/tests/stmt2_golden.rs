//! The worked example of `stmt2.md` §6, byte for byte, and error paths of the parser.

mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, TimestampMillisecondType};
use arrow_array::Array;
use arrow_array::{
    ArrayRef, Float32Array, Int32Array, Int64Array, StringArray, TimestampMillisecondArray,
    TimestampNanosecondArray,
};
use taosarrow_codec::stmt2::*;
use taosarrow_protocol::{Code, Precision, TdType};

use common::STMT2_EXAMPLE as GOLDEN;

fn hex(s: &str) -> Vec<u8> {
    taosarrow_protocol::hex::decode(s).unwrap()
}

fn fields() -> Vec<BindField> {
    vec![
        BindField::new("tbname", TdType::VarChar, BindRole::TableName),
        BindField::new("groupid", TdType::Int, BindRole::Tag),
        BindField::timestamp("ts", Precision::Millisecond, BindRole::Column),
        BindField::new("current", TdType::Float, BindRole::Column),
        BindField::new("note", TdType::VarChar, BindRole::Column),
    ]
}

fn table() -> TableBind {
    let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![
        1700000000000,
        1700000001000,
    ]));
    let cur: ArrayRef = Arc::new(Float32Array::from(vec![Some(1.5), None]));
    let note: ArrayRef = Arc::new(StringArray::from(vec!["abc", "hello"]));
    TableBind::new(vec![ts, cur, note])
        .with_name("d1")
        .with_tags(vec![Arc::new(Int32Array::from(vec![7])) as ArrayRef])
}

#[test]
fn worked_example_encodes_byte_exact() {
    let mut out = Vec::new();
    encode_bind_frame(
        1,
        1,
        &fields(),
        &[table()],
        &EncodeOptions::default(),
        &mut out,
    )
    .unwrap();
    assert_eq!(out, hex(GOLDEN));
    assert_eq!(out.len(), 190);
    assert!(estimate_payload_size(&fields(), &[table()]) >= out.len() - 30);
}

#[test]
fn worked_example_parses_back() {
    let frame = hex(GOLDEN);
    let f = parse_bind_frame(&frame).unwrap();
    assert_eq!((f.req_id, f.stmt_id, f.action, f.col_idx), (1, 1, 9, -1));
    let tables = parse_payload(f.payload, &fields()).unwrap();
    assert_eq!(tables.len(), 1);
    let t = &tables[0];
    assert_eq!(t.name.as_deref(), Some("d1"));
    assert_eq!(t.tags[0].as_primitive::<Int32Type>().value(0), 7);
    let ts = t.columns[0].as_primitive::<TimestampMillisecondType>();
    assert_eq!(ts.values().as_ref(), &[1700000000000, 1700000001000]);
    let cur = t.columns[1].as_primitive::<Float32Type>();
    assert_eq!(cur.value(0), 1.5);
    assert!(cur.is_null(1));
    let note = t.columns[2].as_string::<i32>();
    assert_eq!((note.value(0), note.value(1)), ("abc", "hello"));
}

#[test]
fn all_null_fixed_column_has_no_buffer() {
    let mut t = table();
    t.columns[1] = Arc::new(Float32Array::from(vec![None, None]));
    let mut out = Vec::new();
    encode_payload(&fields(), &[t], &EncodeOptions::default(), &mut out).unwrap();
    assert_eq!(out.len(), 160 - 8);
    let block = hex("130000000600000002000000010100");
    let needle: Vec<u8> = [block.as_slice(), &[0, 0, 0, 0]].concat();
    assert!(out.windows(needle.len()).any(|w| w == needle.as_slice()));
    let parsed = parse_payload(&out, &fields()).unwrap();
    assert_eq!(parsed[0].columns[1].null_count(), 2);
}

fn protocol_err(payload: &[u8]) -> String {
    match parse_payload(payload, &fields()) {
        Err(e) => {
            assert_eq!(e.code(), Some(Code::ADAPTER_PROTOCOL), "{e}");
            e.to_string()
        }
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn structural_errors_use_adapter_messages() {
    let good = hex(GOLDEN)[30..].to_vec();
    assert_eq!(protocol_err(&good[..27]), "data length is less than 28");
    assert!(
        protocol_err(&good[..100]).starts_with("total length not match, expect 100, but get 160")
    );
    let mut p = good.clone();
    p[28..30].copy_from_slice(&[0, 0]);
    assert_eq!(protocol_err(&p), "table name length is 0, tableIndex: 0");
    let mut p = good.clone();
    p[33..37].copy_from_slice(&0u32.to_le_bytes());
    assert_eq!(protocol_err(&p), "tag length is 0, tableIndex: 0");
    let mut p = good.clone();
    p[4..8].copy_from_slice(&u32::MAX.to_le_bytes()); // count
    assert!(protocol_err(&p).contains("out of range"));
    let mut p = good.clone();
    p[8..12].copy_from_slice(&0u32.to_le_bytes()); // tag_count 0 with a tag section
    assert_eq!(protocol_err(&p), "tag count is 0, but tags offset is not 0");
    let mut p = good.clone();
    p[63..67].copy_from_slice(&36u32.to_le_bytes()); // first column block's total_length
    assert_eq!(
        protocol_err(&p),
        "bind data length error, tableIndex: 0, fieldIndex: 0"
    );
    let mut p = good.clone();
    p[71..75].copy_from_slice(&(-5i32).to_le_bytes()); // negative num
    assert!(protocol_err(&p).starts_with("bind data length error"));
    let mut p = good.clone();
    p[71..75].copy_from_slice(&i32::MAX.to_le_bytes()); // huge num
    assert!(protocol_err(&p).starts_with("bind data length error"));
    let mut p = good.clone();
    p[148..152].copy_from_slice(&(-1i32).to_le_bytes()); // VARCHAR buffer_length -1
    assert!(protocol_err(&p).starts_with("bind data length error"));
}

#[test]
fn frame_errors() {
    let frame = hex(GOLDEN);
    let e = parse_bind_frame(&frame[..29]).unwrap_err();
    assert_eq!(e.to_string(), "message length is too short");
    let mut f = frame.clone();
    f[24] = 2;
    assert_eq!(
        parse_bind_frame(&f).unwrap_err().to_string(),
        "unknown stmt2 bind version"
    );
}

#[test]
fn type_code_mismatch_is_rejected_with_tdengine_code() {
    let mut p = hex(GOLDEN)[30..].to_vec();
    p[67..71].copy_from_slice(&5u32.to_le_bytes()); // TIMESTAMP block says BIGINT
    let e = parse_payload(&p, &fields()).unwrap_err();
    assert_eq!(e.code(), Some(Code::TSC_INVALID_OPERATION));
    assert!(e.to_string().contains("mis-match"), "{e}");
    let mut p = hex(GOLDEN)[30..].to_vec();
    p[144..148].copy_from_slice(&4u32.to_le_bytes()); // "hello" length 5 -> 4
    let e = parse_payload(&p, &fields()).unwrap_err();
    assert_eq!(e.code(), Some(Code::TSC_INVALID_OPERATION), "{e}");
}

fn enc(
    fields: &[BindField],
    cols: Vec<ArrayRef>,
    opts: EncodeOptions,
) -> Result<Vec<u8>, Stmt2Error> {
    let mut out = vec![0xAA];
    let r = encode_payload(fields, &[TableBind::new(cols)], &opts, &mut out);
    if r.is_err() {
        assert_eq!(out, vec![0xAA], "output restored on error");
    }
    r.map(|_| out[1..].to_vec())
}

/// Encodes one column with `opts`, parses it back and returns that column.
fn round_trip(fields: &[BindField], col: ArrayRef, opts: EncodeOptions) -> ArrayRef {
    let out = enc(fields, vec![col], opts).unwrap();
    parse_payload(&out, fields).unwrap()[0].columns[0].clone()
}

const TRUNCATE: EncodeOptions = EncodeOptions {
    allow_truncation: true,
};

#[test]
fn overflow_names_column_and_row() {
    let f = [BindField::new("small", TdType::TinyInt, BindRole::Column)];
    let e = enc(
        &f,
        vec![Arc::new(Int64Array::from(vec![1, 300]))],
        EncodeOptions::default(),
    )
    .unwrap_err();
    match &e {
        Stmt2Error::Overflow { at, value, ty } => {
            assert_eq!(
                (at.field.as_str(), at.row, value.as_str(), *ty),
                ("small", Some(1), "300", TdType::TinyInt)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.code(), Some(Code::TSC_VALUE_OUT_OF_RANGE));
    // NULL slots are not checked.
    enc(
        &f,
        vec![Arc::new(Int64Array::from(vec![Some(1), None]))],
        EncodeOptions::default(),
    )
    .unwrap();
}

#[test]
fn type_mismatch_is_rejected() {
    let f = [BindField::new("n", TdType::Int, BindRole::Column)];
    let e = enc(
        &f,
        vec![Arc::new(StringArray::from(vec!["1"]))],
        EncodeOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Stmt2Error::TypeMismatch { .. }), "{e:?}");
    let f = [BindField::new("s", TdType::VarChar, BindRole::Column)];
    let e = enc(
        &f,
        vec![Arc::new(Int32Array::from(vec![1]))],
        EncodeOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Stmt2Error::TypeMismatch { .. }), "{e:?}");
}

#[test]
fn timestamp_precision_loss_and_truncation() {
    let f = [BindField::timestamp(
        "ts",
        Precision::Microsecond,
        BindRole::Column,
    )];
    let ns = || -> ArrayRef {
        Arc::new(TimestampNanosecondArray::from(vec![
            1_000_000, 1_000_001, -1,
        ]))
    };
    let e = enc(&f, vec![ns()], EncodeOptions::default()).unwrap_err();
    match e {
        Stmt2Error::PrecisionLoss { at, .. } => assert_eq!(at.row, Some(1)),
        other => panic!("{other:?}"),
    }
    let got = round_trip(&f, ns(), TRUNCATE);
    let v = got.as_primitive::<arrow_array::types::TimestampMicrosecondType>();
    assert_eq!(v.values().as_ref(), &[1000, 1000, -1]);
    // With NULLs: a NULL row's stored value never counts as precision loss, the first
    // inexact non-NULL row is named, and ns -> ms divides by 1,000,000.
    let ms = [BindField::timestamp(
        "ts",
        Precision::Millisecond,
        BindRole::Column,
    )];
    let with_nulls = || -> ArrayRef {
        let values = vec![2_000_000, 7, 3_000_000, 3_000_001, -4_000_000];
        let nulls = arrow_buffer::NullBuffer::from(vec![true, false, true, true, true]);
        Arc::new(TimestampNanosecondArray::new(values.into(), Some(nulls)))
    };
    let e = enc(&ms, vec![with_nulls()], EncodeOptions::default()).unwrap_err();
    match e {
        Stmt2Error::PrecisionLoss { at, value, .. } => {
            assert_eq!(at.row, Some(3));
            assert_eq!(value, "3000001");
        }
        other => panic!("{other:?}"),
    }
    let got = round_trip(&ms, with_nulls(), TRUNCATE);
    let v = got.as_primitive::<arrow_array::types::TimestampMillisecondType>();
    assert_eq!(v.null_count(), 1);
    assert!(v.is_null(1));
    assert_eq!(
        [v.value(0), v.value(2), v.value(3), v.value(4)],
        [2, 3, 3, -4]
    );
    let exact: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![-5_000_000, 6_000_000]));
    let got = round_trip(&ms, exact, EncodeOptions::default());
    let v = got.as_primitive::<arrow_array::types::TimestampMillisecondType>();
    assert_eq!(v.values().as_ref(), &[-5, 6]);
    // ms -> ns multiplies; overflow is an error
    let f = [BindField::timestamp(
        "ts",
        Precision::Nanosecond,
        BindRole::Column,
    )];
    let e = enc(
        &f,
        vec![Arc::new(TimestampMillisecondArray::from(vec![
            i64::MAX / 10,
        ]))],
        EncodeOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Stmt2Error::Overflow { .. }), "{e:?}");
}
