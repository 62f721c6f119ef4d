//! Schemaless writing through the engine: what each format creates, stores and refuses.

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use taosarrow_protocol::schemaless::{SchemalessPrecision as P, SchemalessProtocol as Proto};
use taosarrow_protocol::Code;

use super::*;
use crate::engine::{Engine, Outcome, Session};

async fn engine(precision: &str) -> (Engine, Session) {
    let e = Engine::new();
    let mut s = Session::new(None);
    e.execute(
        &mut s,
        &format!("create database d precision '{precision}'"),
    )
    .await
    .unwrap();
    e.execute(&mut s, "use d").await.unwrap();
    (e, s)
}

fn req<'a>(protocol: Proto, precision: P, data: &'a str) -> SmlRequest<'a> {
    SmlRequest {
        protocol,
        precision,
        data,
        ttl: 0,
        table_name_key: "",
    }
}

fn line(e: &Engine, s: &Session, precision: P, data: &str) -> Result<SmlOutcome, ServerError> {
    e.schemaless_insert(s, &req(Proto::Line, precision, data))
}

/// Every row of a query as text cells (NULL as `NULL`).
async fn rows(e: &Engine, s: &mut Session, sql: &str) -> Vec<Vec<String>> {
    let Outcome::Rows(rs) = e.execute(s, sql).await.unwrap() else {
        panic!("{sql}: no rows")
    };
    let mut out = Vec::new();
    for b in &rs.batches {
        let cols: Vec<_> = b
            .columns()
            .iter()
            .map(|c| match c.data_type() {
                DataType::Binary => c.clone(),
                DataType::Timestamp(..) => arrow::compute::cast(
                    &arrow::compute::cast(c, &DataType::Int64).unwrap(),
                    &DataType::Utf8,
                )
                .unwrap(),
                _ => arrow::compute::cast(c, &DataType::Utf8).unwrap(),
            })
            .collect();
        for r in 0..b.num_rows() {
            out.push(
                cols.iter()
                    .map(|c| {
                        if c.is_null(r) {
                            "NULL".to_owned()
                        } else if let Some(bin) = c.as_binary_opt::<i32>() {
                            taosarrow_protocol::hex::encode(bin.value(r))
                        } else {
                            c.as_string::<i32>().value(r).to_owned()
                        }
                    })
                    .collect(),
            );
        }
    }
    out
}

/// DESCRIBE as (name, type, length, note).
async fn describe(e: &Engine, s: &mut Session, t: &str) -> Vec<(String, String, String, String)> {
    rows(e, s, &format!("describe `{t}`"))
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
        .collect()
}

/// DESCRIBE as (name, type).
async fn types(e: &Engine, s: &mut Session, t: &str) -> Vec<(String, String)> {
    describe(e, s, t)
        .await
        .into_iter()
        .map(|(n, ty, _, _)| (n, ty))
        .collect()
}

/// Owned copies of (name, type) pairs, to compare with [`types`].
fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn col(name: &str, ty: &str, len: u32, note: &str) -> (String, String, String, String) {
    (name.into(), ty.into(), len.to_string(), note.into())
}

#[tokio::test]
async fn the_documented_example_creates_its_table() {
    let (e, mut s) = engine("ns").await;
    let out = line(
        &e,
        &s,
        P::NotConfigured,
        r#"st,t1=3,t2=4,t3=t3 c1=3i64,c3="passit",c2=false,c4=4f64 1626006833639000000"#,
    )
    .unwrap();
    assert_eq!(
        out,
        SmlOutcome {
            affected_rows: 1,
            total_rows: 1
        }
    );
    assert_eq!(
        describe(&e, &mut s, "st").await,
        [
            col("_ts", "TIMESTAMP", 8, ""),
            col("c1", "BIGINT", 8, ""),
            col("c3", "VARCHAR", 6, ""),
            col("c2", "BOOL", 1, ""),
            col("c4", "DOUBLE", 8, ""),
            col("t1", "NCHAR", 1, "TAG"),
            col("t2", "NCHAR", 1, "TAG"),
            col("t3", "NCHAR", 2, "TAG"),
        ]
    );
    let got = rows(&e, &mut s, "select tbname, * from st").await;
    // md5("st,t1=3,t2=4,t3=t3"), computed by another MD5 implementation.
    assert_eq!(
        got,
        [[
            "t_5674733529a38572948e6d500eacb850",
            "1626006833639000000",
            "3",
            "passit",
            "false",
            "4.0",
            "3",
            "4",
            "t3"
        ]]
    );
}

#[tokio::test]
async fn every_value_type_is_stored_with_its_type() {
    let (e, mut s) = engine("ms").await;
    let data = concat!(
        r#"ty,t=a s="str",n=L"nchar",g=G"POINT(1 2)",b=B"\x98f46e",bb=b"hi",o=t,d=1.5,d2=2f64,f=2.5f32,"#,
        r#"i8=-8i8,u8=8u8,i16=-16i16,u16=16u16,i32=-32i32,u32=32u32,i64=-64i64,u64=64u64,i=5i,u=6u 1700000000000"#
    );
    line(&e, &s, P::Millisecond, data).unwrap();
    let types = types(&e, &mut s, "ty").await;
    let want = [
        ("_ts", "TIMESTAMP"),
        ("s", "VARCHAR"),
        ("n", "NCHAR"),
        ("g", "GEOMETRY"),
        ("b", "VARBINARY"),
        ("bb", "VARBINARY"),
        ("o", "BOOL"),
        ("d", "DOUBLE"),
        ("d2", "DOUBLE"),
        ("f", "FLOAT"),
        ("i8", "TINYINT"),
        ("u8", "TINYINT UNSIGNED"),
        ("i16", "SMALLINT"),
        ("u16", "SMALLINT UNSIGNED"),
        ("i32", "INT"),
        ("u32", "INT UNSIGNED"),
        ("i64", "BIGINT"),
        ("u64", "BIGINT UNSIGNED"),
        ("i", "BIGINT"),
        ("u", "BIGINT UNSIGNED"),
        ("t", "NCHAR"),
    ];
    assert_eq!(types, pairs(&want));
    let r = &rows(&e, &mut s, "select * from ty").await[0];
    assert_eq!(r[1..3], ["str", "nchar"]);
    assert_eq!(r[4..6], ["98f46e", "6869"]);
    assert_eq!(
        r[6..],
        [
            "true", "1.5", "2.0", "2.5", "-8", "8", "-16", "16", "-32", "32", "-64", "64", "5",
            "6", "a"
        ]
    );
}

#[tokio::test]
async fn each_precision_lands_on_exact_ticks_in_each_database_precision() {
    // 2021-07-11T12:33:53.639Z in every unit the request may use.
    let cases = [
        (P::Hour, "451668"),
        (P::Minute, "27100113"),
        (P::Second, "1626006833"),
        (P::Millisecond, "1626006833639"),
        (P::Microsecond, "1626006833639123"),
        (P::Nanosecond, "1626006833639123456"),
        (P::NotConfigured, "1626006833639123456"),
    ];
    for (db, per) in [("ms", 1_000_000i128), ("us", 1_000), ("ns", 1)] {
        let (e, mut s) = engine(db).await;
        for (k, (p, ts)) in cases.iter().enumerate() {
            line(&e, &s, *p, &format!("m{k},t=x v={k}i {ts}")).unwrap();
            let got = rows(&e, &mut s, &format!("select _ts from m{k}")).await;
            let ns = ts.parse::<i128>().unwrap() * i128::from(p.nanos_per_tick());
            assert_eq!(got, [[(ns / per).to_string()]], "{p:?} into {db}");
        }
    }
}

#[tokio::test]
async fn the_us_string_is_not_microseconds_on_the_wire() {
    // "us" maps to "not configured" (nanoseconds), as taosAdapter reads it.
    assert_eq!(P::from_wire("us"), P::NotConfigured);
    let (e, mut s) = engine("ns").await;
    line(&e, &s, P::from_wire("us"), "m,t=x v=1i 1626006833639123").unwrap();
    assert_eq!(
        rows(&e, &mut s, "select _ts from m").await,
        [["1626006833639123"]]
    );
}

#[tokio::test]
async fn columns_and_tags_are_added_and_widened_and_absent_ones_are_null() {
    let (e, mut s) = engine("ms").await;
    line(&e, &s, P::Millisecond, "w,t1=a c1=\"ab\" 1000").unwrap();
    line(
        &e,
        &s,
        P::Millisecond,
        "w,t1=abcdef,t2=x c1=\"abcdefgh\",c2=2i 2000\nw,t1=a c2=3i 3000",
    )
    .unwrap();
    assert_eq!(
        describe(&e, &mut s, "w").await,
        [
            col("_ts", "TIMESTAMP", 8, ""),
            col("c1", "VARCHAR", 8, ""),
            col("c2", "BIGINT", 8, ""),
            col("t1", "NCHAR", 6, "TAG"),
            col("t2", "NCHAR", 1, "TAG"),
        ]
    );
    let got = rows(&e, &mut s, "select _ts, c1, c2, t1, t2 from w order by _ts").await;
    assert_eq!(
        got,
        [
            ["1000", "ab", "NULL", "a", "NULL"],
            ["2000", "abcdefgh", "2", "abcdef", "x"],
            ["3000", "NULL", "3", "a", "NULL"],
        ]
    );
    // SQL writes into the widened column of the first child (md5("w,t1=a")) fit.
    e.execute(
        &mut s,
        "insert into t_af70ccbf73e08cd049bf843dea35325b values (4000, 'abcdefgh', 4)",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_type_conflict_is_refused_and_stores_nothing() {
    let (e, mut s) = engine("ms").await;
    let err = line(&e, &s, P::Millisecond, "c,t=1 c4=4 1000\nc,t=1 c4=4i 2000").unwrap_err();
    assert_eq!(err.code, Code::SML_NOT_SAME_TYPE, "{}", err.message);
    assert!(err.message.contains("line 2"), "{}", err.message);
    assert!(
        e.execute(&mut s, "select * from c").await.is_err(),
        "nothing was created"
    );
    line(&e, &s, P::Millisecond, "c,t=1 c4=4 1000").unwrap();
    let err = line(&e, &s, P::Millisecond, "c,t=1 c4=4i 2000").unwrap_err();
    assert_eq!(err.code, Code::SML_NOT_SAME_TYPE);
    // Tags are NCHAR text in line protocol: `1i` is a string here, a new child table.
    line(&e, &s, P::Millisecond, "c,t=1i c4=4 2000").unwrap();
    assert_eq!(rows(&e, &mut s, "select count(*) from c").await, [["2"]]);
}

#[tokio::test]
async fn table_name_key_names_the_child_and_is_not_a_tag() {
    let (e, mut s) = engine("ms").await;
    let r = SmlRequest {
        table_name_key: "dev",
        ttl: 7,
        ..req(
            Proto::Line,
            P::Millisecond,
            "k,dev=d1.a,site=x v=1i 1000\nk,dev=d1.a,site=y v=2i 2000",
        )
    };
    assert_eq!(e.schemaless_insert(&s, &r).unwrap().affected_rows, 2);
    // Dots become underscores; the first line's tags win.
    assert_eq!(
        rows(&e, &mut s, "select tbname, v, site from k order by _ts").await,
        [["d1_a", "1", "x"], ["d1_a", "2", "x"]]
    );
    assert!(describe(&e, &mut s, "k").await.iter().all(|c| c.0 != "dev"));
    let db = e.resolve_db(&s, None).unwrap();
    assert_eq!(db.table("d1_a").unwrap().ttl_days(), 7);
}

#[tokio::test]
async fn lines_without_tags_share_one_child_table() {
    let (e, mut s) = engine("ms").await;
    line(&e, &s, P::Millisecond, "nt v=1i 1000\nnt v=2i 2000").unwrap();
    let got = rows(
        &e,
        &mut s,
        "select count(distinct tbname), count(*) from nt",
    )
    .await;
    assert_eq!(got, [["1", "2"]]);
    assert!(describe(&e, &mut s, "nt")
        .await
        .iter()
        .any(|c| c.0 == NULL_TAG_NAME));
}

const NULL_TAG_NAME: &str = "_tag_null";

#[tokio::test]
async fn telnet_lines_and_their_timestamps() {
    let (e, mut s) = engine("ms").await;
    let data = "meters.current 1648432611249 10.3 location=California.SanFrancisco group=2\n\
                meters.current 1648432612 11.5 location=California.SanFrancisco group=2\n\
                meters.current 1648432613 12i32 location=California.LA group=3";
    let err = e
        .schemaless_insert(&s, &req(Proto::Telnet, P::NotConfigured, data))
        .unwrap_err();
    assert_eq!(err.code, Code::SML_NOT_SAME_TYPE, "{}", err.message);
    let data = &data[..data.rfind('\n').unwrap()];
    let out = e
        .schemaless_insert(&s, &req(Proto::Telnet, P::Nanosecond, data))
        .unwrap();
    assert_eq!(
        out,
        SmlOutcome {
            affected_rows: 2,
            total_rows: 2
        }
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select _ts, _value, location, `group` from meters_current order by _ts"
        )
        .await,
        [
            ["1648432611249", "10.3", "California.SanFrancisco", "2"],
            ["1648432612000", "11.5", "California.SanFrancisco", "2"],
        ]
    );
}

#[tokio::test]
async fn json_points_keep_their_types() {
    let (e, mut s) = engine("us").await;
    let data = r#"[{"metric":"meters2.current","timestamp":1648432611249,"value":10.3,
        "tags":{"location":"California.SanFrancisco","groupid":2}},
        {"metric":"meters2.current","timestamp":{"value":1648432611249500,"type":"us"},"value":{"value":11,"type":"double"},
        "tags":{"location":"California.SanFrancisco","groupid":2}},
        {"metric":"meters2.voltage","timestamp":1648432611,"value":{"value":219,"type":"int"},
        "tags":{"location":{"value":"LA","type":"nchar"},"on":true}}]"#;
    let out = e
        .schemaless_insert(&s, &req(Proto::Json, P::NotConfigured, data))
        .unwrap();
    assert_eq!(
        out,
        SmlOutcome {
            affected_rows: 3,
            total_rows: 3
        }
    );
    let d = types(&e, &mut s, "meters2_current").await;
    // JSON objects are read with their keys sorted, so tags are created in key order.
    assert_eq!(
        d,
        pairs(&[
            ("_ts", "TIMESTAMP"),
            ("_value", "DOUBLE"),
            ("groupid", "DOUBLE"),
            ("location", "VARCHAR")
        ])
    );
    let d = types(&e, &mut s, "meters2_voltage").await;
    assert_eq!(
        d,
        pairs(&[
            ("_ts", "TIMESTAMP"),
            ("_value", "INT"),
            ("location", "NCHAR"),
            ("on", "BOOL")
        ])
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select _ts, _value from meters2_current order by _ts"
        )
        .await,
        [["1648432611249000", "10.3"], ["1648432611249500", "11.0"]]
    );
}

#[tokio::test]
async fn errors_of_the_error_table() {
    let (e, s) = engine("ms").await;
    let long = format!("m v=\"{}\" 1000", "x".repeat(65_518));
    let cases: Vec<(Proto, String, Code)> = vec![
        (Proto::Line, "m,t=1 1000".into(), Code::SML_INVALID_DATA),
        (
            Proto::Line,
            "m,t=1 c4=4 1000\nm,t=1 c4=4i 2000".into(),
            Code::SML_NOT_SAME_TYPE,
        ),
        (Proto::Line, "m v= 1".into(), Code::TSC_INVALID_VALUE),
        (
            Proto::Line,
            format!("{} v=1", "m".repeat(192)),
            Code::TSC_INVALID_TABLE_ID_LENGTH,
        ),
        (
            Proto::Line,
            format!("m {}=1", "k".repeat(64)),
            Code::TSC_INVALID_COLUMN_LENGTH,
        ),
        (Proto::Line, long, Code::PAR_INVALID_VAR_COLUMN_LEN),
        (Proto::Line, "m,t=1,t=2 v=1".into(), Code::SML_INVALID_DATA),
        (Proto::Line, "m,v=1 v=1".into(), Code::SML_INVALID_DATA),
        (Proto::Line, "m v=1,v=2".into(), Code::SML_INVALID_DATA),
        (
            Proto::Telnet,
            "m 16484326 1 t=1".into(),
            Code::INVALID_TIMESTAMP,
        ),
        (Proto::Json, "{".into(), Code::TSC_INVALID_JSON),
        (
            Proto::Json,
            r#"{"metric":"m","timestamp":0,"value":{"value":1,"type":"x"},"tags":{"t":1}}"#.into(),
            Code::TSC_INVALID_JSON_TYPE,
        ),
        (
            Proto::Json,
            r#"{"metric":"m","timestamp":0,"value":{"value":300,"type":"u8"},"tags":{"t":1}}"#
                .into(),
            Code::TSC_VALUE_OUT_OF_RANGE,
        ),
    ];
    for (p, data, code) in cases {
        let err = e
            .schemaless_insert(&s, &req(p, P::Millisecond, &data))
            .unwrap_err();
        assert_eq!(
            err.code,
            code,
            "{}: {}",
            &data[..data.len().min(60)],
            err.message
        );
    }
    // The longest VARCHAR fits.
    line(
        &e,
        &s,
        P::Millisecond,
        &format!("m v=\"{}\" 1000", "x".repeat(65_517)),
    )
    .unwrap();
}

#[tokio::test]
async fn blank_lines_comments_and_crlf_are_skipped() {
    let (e, mut s) = engine("ms").await;
    let out = line(
        &e,
        &s,
        P::Millisecond,
        "\n# comment\r\nb,t=1 v=1i 1000\r\n\n  \nb,t=1 v=2i 2000\n",
    )
    .unwrap();
    assert_eq!(
        out,
        SmlOutcome {
            affected_rows: 2,
            total_rows: 2
        }
    );
    assert_eq!(rows(&e, &mut s, "select count(*) from b").await, [["2"]]);
}

#[tokio::test]
async fn no_database_selected_is_refused() {
    let e = Engine::new();
    let s = Session::new(None);
    let err = line(&e, &s, P::Millisecond, "m v=1").unwrap_err();
    assert_eq!(err.code, Code::PAR_DB_NOT_SPECIFIED);
}

mod hostile {
    use proptest::prelude::*;

    use crate::fuzzing::{sml_json_target, sml_line_target, sml_telnet_target};

    /// Payloads of grammar fragments, behind a first byte choosing precision and table
    /// naming: most lines are nearly valid, so the checks past the parser run too.
    fn payload(fragments: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
        (
            any::<u8>(),
            proptest::collection::vec(proptest::sample::select(fragments), 0..40),
        )
            .prop_map(|(first, parts)| {
                let mut out = vec![first];
                out.extend(parts.concat().into_bytes());
                out
            })
    }

    const LINE: &[&str] = &[
        "m",
        "st",
        "m.x",
        ",t=1",
        ",t=a\\ b",
        ",g=é",
        ",t",
        " ",
        "  ",
        "f=1i",
        "f=1",
        "g=2u8",
        ",f=\"x\"",
        ",s=L\"天\"",
        ",b=B\"\\x0f\"",
        ",p=G\"POINT(1 2)\"",
        " 1626006833639",
        " 0",
        " -5",
        "\n",
        "\r\n",
        "#",
        "=",
        ",",
        "\\",
        "\"",
        "t",
        "F",
        "i8",
        "1e400",
        "99999999999999999999i",
    ];
    const TELNET: &[&str] = &[
        "m",
        "m.x",
        " ",
        "1648432611249",
        "1648432611",
        "0",
        "12",
        "10.3",
        "1i8",
        "\"s\"",
        "true",
        "t=1",
        "u=é",
        "=",
        "t==",
        "\n",
    ];
    const JSON: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"metric\"",
        "\"m.x\"",
        "\"timestamp\"",
        "1648432611249",
        "1648432611",
        "0",
        "-1",
        "1.5",
        "\"value\"",
        "10.3",
        "true",
        "null",
        "\"tags\"",
        "\"t\"",
        "\"type\"",
        "\"i8\"",
        "\"nchar\"",
        "\"us\"",
        "300",
        "\"s\"",
        "{\"value\":1,\"type\":\"int\"}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        #[test]
        fn line_payloads_never_panic(p in payload(LINE)) {
            sml_line_target(&p);
        }

        #[test]
        fn telnet_payloads_never_panic(p in payload(TELNET)) {
            sml_telnet_target(&p);
        }

        #[test]
        fn json_payloads_never_panic(p in payload(JSON)) {
            sml_json_target(&p);
        }
    }
}
