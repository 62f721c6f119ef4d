//! Encode → parse round trips: 1,000 tables, and random rows/NULLs (proptest).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, StringArray, TimestampMicrosecondArray};
use proptest::prelude::*;
use taosarrow_codec::stmt2::*;
use taosarrow_protocol::{Precision, TdType};

fn fields() -> Vec<BindField> {
    vec![
        BindField::new("tbname", TdType::VarChar, BindRole::TableName),
        BindField::new("site", TdType::NChar, BindRole::Tag),
        BindField::timestamp("ts", Precision::Microsecond, BindRole::Column),
        BindField::new("v", TdType::BigInt, BindRole::Column),
        BindField::new("s", TdType::VarChar, BindRole::Column),
    ]
}

fn table(t: usize, v: Vec<Option<i64>>, s: Vec<Option<String>>) -> TableBind {
    let n = v.len();
    let ts: ArrayRef = Arc::new(TimestampMicrosecondArray::from(
        (0..n as i64)
            .map(|i| 1_700_000_000_000_000 + i)
            .collect::<Vec<_>>(),
    ));
    TableBind::new(vec![
        ts,
        Arc::new(Int64Array::from(v)),
        Arc::new(StringArray::from(s)),
    ])
    .with_name(format!("d{t}"))
    .with_tags(vec![
        Arc::new(StringArray::from(vec![format!("site-{t}")])) as ArrayRef
    ])
}

fn check(tables: &[TableBind]) {
    let f = fields();
    let mut out = Vec::new();
    encode_payload(&f, tables, &EncodeOptions::default(), &mut out).unwrap();
    assert!(estimate_payload_size(&f, tables) >= out.len());
    let parsed = parse_payload(&out, &f).unwrap();
    assert_eq!(parsed.len(), tables.len());
    for (p, t) in parsed.iter().zip(tables) {
        assert_eq!(p.name, t.name);
        assert_eq!(p.tags[0].as_ref(), t.tags[0].as_ref());
        for (a, b) in p.columns.iter().zip(&t.columns) {
            assert_eq!(a.to_data(), b.to_data());
        }
    }
}

#[test]
fn thousand_tables() {
    let tables: Vec<_> = (0..1000)
        .map(|t| {
            table(
                t,
                (0..3).map(|i| Some((t * 3 + i) as i64)).collect(),
                vec![Some("x".into()), None, Some("yz".into())],
            )
        })
        .collect();
    check(&tables);
}

proptest! {
    #[test]
    fn random_rows_round_trip(rows in prop::collection::vec(
        prop::collection::vec((any::<Option<i64>>(), prop::option::of("[a-z\u{4e00}-\u{4e10}]{0,8}")), 1..20), 1..5)) {
        let tables: Vec<_> = rows.into_iter().enumerate().map(|(t, r)| {
            let (v, s): (Vec<_>, Vec<_>) = r.into_iter().unzip();
            table(t, v, s)
        }).collect();
        check(&tables);
    }

    #[test]
    fn parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_payload(&bytes, &fields());
        let _ = parse_bind_frame(&bytes);
        let _ = parse_bind_exec_raw(&bytes);
    }
}

/// The server rounds DECIMAL text with more fraction digits than the column's scale half away
/// from zero, as TDengine does (`0.995` → `1.00`).
#[test]
fn decimal_text_is_rounded_to_the_column_scale() {
    use arrow_array::Decimal128Array;
    let ts: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![1, 2, 3, 4, 5, 6]));
    let sent: Vec<i128> = vec![995, 994, 1995, -995, 123_000_000, 5];
    let d: ArrayRef = Arc::new(
        Decimal128Array::from(sent)
            .with_precision_and_scale(12, 3)
            .unwrap(),
    );
    let send = [
        BindField::timestamp("ts", Precision::Microsecond, BindRole::Column),
        BindField::decimal("d", 12, 3, BindRole::Column),
    ];
    let recv = [
        send[0].clone(),
        BindField::decimal("d", 12, 2, BindRole::Column),
    ];
    let mut out = Vec::new();
    encode_payload(
        &send,
        &[TableBind::new(vec![ts, d])],
        &EncodeOptions::default(),
        &mut out,
    )
    .unwrap();
    let parsed = parse_payload(&out, &recv).unwrap();
    let got = parsed[0].columns[1]
        .as_any()
        .downcast_ref::<Decimal128Array>()
        .unwrap();
    assert_eq!(
        got.values().to_vec(),
        vec![100, 99, 200, -100, 12_300_000, 1]
    );
}

mod one_corrupted_field {
    //! Valid payloads with one field overwritten by a hostile value: the parsers never panic and
    //! what parses re-encodes to the same arrays (the `stmt2_payload` fuzz target's checks).
    use proptest::prelude::*;
    use taosarrow_codec::fuzzing::{stmt2_input, stmt2_payload_target};
    use taosarrow_codec::stmt2::*;
    use taosarrow_codec::testing::{corrupt_field, HOSTILE_U32};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics(
            rows in prop::collection::vec((any::<Option<i64>>(), prop::option::of("[a-z\u{4e00}-\u{4e10}]{0,6}")), 1..6),
            tables in 1usize..4,
            at in any::<prop::sample::Index>(),
            width in prop::sample::select(vec![1usize, 2, 4]),
            value in prop::sample::select(HOSTILE_U32.to_vec()),
        ) {
            let f = super::fields();
            let binds: Vec<TableBind> = (0..tables)
                .map(|t| {
                    let (v, s): (Vec<_>, Vec<_>) = rows.iter().cloned().unzip();
                    super::table(t, v, s)
                })
                .collect();
            let mut payload = Vec::new();
            encode_payload(&f, &binds, &EncodeOptions::default(), &mut payload).unwrap();
            let bad = corrupt_field(&payload, at.index(payload.len()), width, u64::from(value));
            let _ = parse_payload(&bad, &f);
            let _ = parse_bind_exec_payload(&bad, &f);
            stmt2_payload_target(&stmt2_input(&f, &bad));
        }
    }
}
