//! stmt (v1) against the embedded server: every type, NULLs, the three precisions, child
//! tables with tags, several batches per exec, queries with `?`, and the errors.

use std::sync::Arc;
use std::time::Duration;

use arrow_array::types::Int8Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Decimal128Array, DictionaryArray, Float32Array,
    Float64Array, Int16Array, Int32Array, Int64Array, Int8Array, RecordBatch, StringArray,
    TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray, UInt16Array,
    UInt32Array, UInt64Array, UInt8Array,
};
use taosarrow::codec::stmt2::Stmt2Error;
use taosarrow::protocol::TdType;
use taosarrow::{ConnectOptions, Connection, Error, ErrorKind};
use taosarrow_server::{LocalServer, ServerConfig};

async fn setup(precision: &str) -> (LocalServer, Connection) {
    let s = LocalServer::start(ServerConfig::default()).await.unwrap();
    let opts = ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(20));
    let c = Connection::connect(&opts).await.unwrap();
    c.exec(&format!("create database db precision '{precision}'"))
        .await
        .unwrap();
    (s, c)
}

fn arc<A: Array + 'static>(a: A) -> ArrayRef {
    Arc::new(a)
}

/// Every cell of a query as text (`NULL` for nulls), row by row.
async fn rows(c: &Connection, sql: &str) -> Vec<Vec<String>> {
    let batches = c.query(sql).await.unwrap().collect_all().await.unwrap();
    table(&batches)
}

fn table(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            out.push(
                b.columns()
                    .iter()
                    .map(|a| {
                        if a.is_null(r) {
                            "NULL".to_owned()
                        } else {
                            arrow_cast::display::array_value_to_string(a, r).unwrap()
                        }
                    })
                    .collect(),
            );
        }
    }
    out
}

fn strs(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

#[tokio::test]
async fn stmt1_every_type_with_nulls() {
    let (_s, c) = setup("ms").await;
    c.exec(
        "create table db.t (ts timestamp, b bool, ti tinyint, si smallint, i int, bi bigint, \
         uti tinyint unsigned, usi smallint unsigned, ui int unsigned, ubi bigint unsigned, \
         f float, d double, vc varchar(20), nc nchar(10), vb varbinary(16), \
         d64 decimal(10, 2), d128 decimal(24, 6))",
    )
    .await
    .unwrap();
    let mut st = c.stmt().await.unwrap();
    st.prepare("insert into db.t values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .await
        .unwrap();
    assert!(st.is_insert());
    assert_eq!(st.num_params(), 17);
    let cols = st.col_fields().unwrap();
    assert_eq!(cols.len(), 17);
    assert_eq!(cols[0].name, "ts");
    assert_eq!(cols[13].ty, TdType::NChar);
    assert_eq!(st.tag_fields().unwrap().len(), 0);
    let d64 = Decimal128Array::from(vec![Some(12345), None])
        .with_precision_and_scale(10, 2)
        .unwrap();
    let d128 = Decimal128Array::from(vec![None, Some(-1_500_000)])
        .with_precision_and_scale(24, 6)
        .unwrap();
    let columns = vec![
        arc(TimestampMillisecondArray::from(vec![
            1_700_000_000_001,
            1_700_000_000_002,
        ])),
        arc(BooleanArray::from(vec![Some(true), None])),
        arc(Int8Array::from(vec![Some(-128), None])),
        arc(Int16Array::from(vec![None, Some(32767)])),
        arc(Int32Array::from(vec![Some(-2_147_483_648), None])),
        arc(Int64Array::from(vec![Some(i64::MIN), None])),
        arc(UInt8Array::from(vec![Some(255), None])),
        arc(UInt16Array::from(vec![None, Some(65535)])),
        arc(UInt32Array::from(vec![Some(u32::MAX), None])),
        arc(UInt64Array::from(vec![Some(u64::MAX), None])),
        arc(Float32Array::from(vec![Some(1.5), None])),
        arc(Float64Array::from(vec![None, Some(-2.25)])),
        arc(StringArray::from(vec![Some("hello"), None])),
        arc(StringArray::from(vec![Some("中文ok"), None])),
        arc(BinaryArray::from(vec![Some(&b"\x01\x02\xff"[..]), None])),
        arc(d64),
        arc(d128),
    ];
    st.bind(&columns).await.unwrap();
    st.add_batch().await.unwrap();
    assert_eq!(st.exec().await.unwrap(), 2);
    assert_eq!(st.affected_rows(), 2);
    st.close();
    let got = rows(&c, "select * from db.t order by ts").await;
    assert_eq!(
        got,
        strs(&[
            &[
                "2023-11-14T22:13:20.001",
                "true",
                "-128",
                "NULL",
                "-2147483648",
                "-9223372036854775808",
                "255",
                "NULL",
                "4294967295",
                "18446744073709551615",
                "1.5",
                "NULL",
                "hello",
                "中文ok",
                "0102ff",
                "123.45",
                "NULL"
            ],
            &[
                "2023-11-14T22:13:20.002",
                "NULL",
                "NULL",
                "32767",
                "NULL",
                "NULL",
                "NULL",
                "65535",
                "NULL",
                "NULL",
                "NULL",
                "-2.25",
                "NULL",
                "NULL",
                "NULL",
                "NULL",
                "-1.500000"
            ],
        ])
    );
}

#[tokio::test]
async fn stmt1_converts_losslessly_and_refuses_naming_the_column() {
    let (_s, c) = setup("ms").await;
    c.exec("create table db.t (ts timestamp, v bigint, f double, s varchar(8), n tinyint)")
        .await
        .unwrap();
    let mut st = c.stmt().await.unwrap();
    st.prepare("insert into db.t values (?, ?, ?, ?, ?)")
        .await
        .unwrap();
    let dict: DictionaryArray<Int8Type> = vec!["a", "b"].into_iter().collect();
    let columns = vec![
        // Microseconds that are whole milliseconds, Int32 into BIGINT, Float32 into DOUBLE,
        // a dictionary into VARCHAR, Int64 into TINYINT within range.
        arc(TimestampMicrosecondArray::from(vec![1_000_000, 2_000_000])),
        arc(Int32Array::from(vec![7, 8])),
        arc(Float32Array::from(vec![0.5, 1.0])),
        arc(dict),
        arc(Int64Array::from(vec![Some(-3), None])),
    ];
    st.bind(&columns).await.unwrap();
    st.add_batch().await.unwrap();
    assert_eq!(st.exec().await.unwrap(), 2);
    assert_eq!(
        rows(&c, "select * from db.t order by ts").await,
        strs(&[
            &["1970-01-01T00:00:01", "7", "0.5", "a", "-3"],
            &["1970-01-01T00:00:02", "8", "1.0", "b", "NULL"],
        ])
    );

    let ts = arc(TimestampMillisecondArray::from(vec![5_000]));
    let ok = |v: ArrayRef| {
        vec![
            ts.clone(),
            v,
            arc(Float64Array::from(vec![1.0])),
            arc(StringArray::from(vec!["x"])),
            arc(Int8Array::from(vec![1])),
        ]
    };
    // 300 does not fit a TINYINT.
    let mut bad = ok(arc(Int64Array::from(vec![1])));
    bad[4] = arc(Int32Array::from(vec![300]));
    let e = st.bind(&bad).await.unwrap_err();
    assert!(
        matches!(&e, Error::Bind(Stmt2Error::Overflow { at, .. }) if at.field == "n" && at.row == Some(0)),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::Statement);
    // Sub-millisecond digits would be lost.
    let mut bad = ok(arc(Int64Array::from(vec![1])));
    bad[0] = arc(TimestampMicrosecondArray::from(vec![5_000_001]));
    let e = st.bind(&bad).await.unwrap_err();
    assert!(
        matches!(&e, Error::Bind(Stmt2Error::PrecisionLoss { at, .. }) if at.field == "ts"),
        "{e}"
    );
    // A fraction is not a BIGINT; bytes are not text.
    let e = st
        .bind(&ok(arc(Float64Array::from(vec![1.5]))))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("`v`"), "{e}");
    let mut bad = ok(arc(Int64Array::from(vec![1])));
    bad[3] = arc(BinaryArray::from(vec![&b"x"[..]]));
    let e = st.bind(&bad).await.unwrap_err();
    assert!(
        matches!(&e, Error::Bind(Stmt2Error::TypeMismatch { at, .. }) if at.field == "s"),
        "{e}"
    );
    // Nothing of the refused binds reached the server: this bind is the only one.
    st.bind(&ok(arc(Int64Array::from(vec![9])))).await.unwrap();
    st.add_batch().await.unwrap();
    assert_eq!(st.exec().await.unwrap(), 1);
    assert_eq!(st.affected_rows(), 3);
}

/// One table per database precision; the timestamps bound in a finer unit must be exact.
async fn precision_round_trip(precision: &str, ts: ArrayRef, want: &[&str]) {
    let (_s, c) = setup(precision).await;
    c.exec("create table db.t (ts timestamp, v int)")
        .await
        .unwrap();
    let mut st = c.stmt().await.unwrap();
    st.prepare("insert into db.t values (?, ?)").await.unwrap();
    let f = &st.col_fields().unwrap()[0];
    assert_eq!(f.ty, TdType::Timestamp);
    let n = ts.len();
    let v = arc(Int32Array::from((0..n as i32).collect::<Vec<_>>()));
    st.bind(&[ts, v]).await.unwrap();
    st.add_batch().await.unwrap();
    assert_eq!(st.exec().await.unwrap(), n as u64);
    let got = rows(&c, "select cast(ts as bigint) from db.t order by ts").await;
    let want: Vec<Vec<String>> = want.iter().map(|w| vec![(*w).to_owned()]).collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn stmt1_microsecond_database() {
    let ns = arc(TimestampNanosecondArray::from(vec![
        1_700_000_000_123_456_000,
    ]));
    let ms = arc(TimestampMillisecondArray::from(vec![1_700_000_000_124]));
    precision_round_trip("us", ns, &["1700000000123456"]).await;
    precision_round_trip("us", ms, &["1700000000124000"]).await;
}

#[tokio::test]
async fn stmt1_nanosecond_database() {
    let ns = arc(TimestampNanosecondArray::from(vec![
        1_700_000_000_123_456_789,
        1_700_000_000_123_456_790,
    ]));
    precision_round_trip("ns", ns, &["1700000000123456789", "1700000000123456790"]).await;
    // Plain Int64 values are ticks in the database precision.
    let ticks = arc(Int64Array::from(vec![1_700_000_000_000_000_001]));
    precision_round_trip("ns", ticks, &["1700000000000000001"]).await;
}

#[tokio::test]
async fn stmt1_child_tables_with_tags_and_several_batches() {
    let (_s, c) = setup("ms").await;
    c.exec("create stable db.stb (ts timestamp, v int, s varchar(10)) tags (g int, site nchar(8))")
        .await
        .unwrap();
    let mut st = c.stmt().await.unwrap();
    st.prepare("insert into ? using db.stb tags (?, ?) values (?, ?, ?)")
        .await
        .unwrap();
    let tags = st.tag_fields().unwrap();
    assert_eq!(
        tags.iter()
            .map(|f| (f.name.as_str(), f.ty))
            .collect::<Vec<_>>(),
        [("g", TdType::Int), ("site", TdType::NChar)]
    );
    assert_eq!(st.col_fields().unwrap().len(), 3);
    for (k, name) in ["d1", "d2"].iter().enumerate() {
        st.set_tbname(&format!("db.{name}")).await.unwrap();
        let site = if k == 0 { Some("北京") } else { None };
        st.set_tags(&[
            arc(Int64Array::from(vec![k as i64 + 1])),
            arc(StringArray::from(vec![site])),
        ])
        .await
        .unwrap();
        // Two binds for the table, each closed by add_batch.
        for part in 0..2i64 {
            let base = 1_000 * (10 * k as i64 + part);
            st.bind(&[
                arc(TimestampMillisecondArray::from(vec![base, base + 1])),
                arc(Int32Array::from(vec![Some(k as i32), None])),
                arc(StringArray::from(vec![Some(name.to_string()), None])),
            ])
            .await
            .unwrap();
            st.add_batch().await.unwrap();
        }
    }
    assert_eq!(st.exec().await.unwrap(), 8);
    assert_eq!(
        rows(
            &c,
            "select tbname, g, site, count(*) from db.stb group by tbname, g, site order by tbname"
        )
        .await,
        strs(&[&["d1", "1", "北京", "4"], &["d2", "2", "NULL", "4"]])
    );
    assert_eq!(
        rows(&c, "select ts, v, s from db.d1 order by ts limit 2").await,
        strs(&[
            &["1970-01-01T00:00:00", "0", "d1"],
            &["1970-01-01T00:00:00.001", "NULL", "NULL"]
        ])
    );

    // A second exec on the same statement: affected_rows adds up.
    st.set_tbname("db.d3").await.unwrap();
    st.set_tags(&[
        arc(Int32Array::from(vec![3])),
        arc(StringArray::from(vec!["x"])),
    ])
    .await
    .unwrap();
    st.bind(&[
        arc(TimestampMillisecondArray::from(vec![1])),
        arc(Int32Array::from(vec![1])),
        arc(StringArray::from(vec!["z"])),
    ])
    .await
    .unwrap();
    st.add_batch().await.unwrap();
    assert_eq!(st.exec().await.unwrap(), 1);
    assert_eq!(st.affected_rows(), 9);

    // Tags: one value each, and the right number of them.
    let e = st
        .set_tags(&[
            arc(Int32Array::from(vec![1, 2])),
            arc(StringArray::from(vec!["x"])),
        ])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Bind(Stmt2Error::Shape(_))), "{e}");
    let e = st
        .set_tags(&[arc(Int32Array::from(vec![1]))])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Bind(Stmt2Error::Shape(_))), "{e}");
}

#[tokio::test]
async fn stmt1_json_tags() {
    let (_s, c) = setup("ms").await;
    c.exec("create stable db.js (ts timestamp, v int) tags (j json)")
        .await
        .unwrap();
    let mut st = c.stmt().await.unwrap();
    st.prepare("insert into ? using db.js tags (?) values (?, ?)")
        .await
        .unwrap();
    assert_eq!(st.tag_fields().unwrap()[0].ty, TdType::Json);
    st.set_tbname("db.j1").await.unwrap();
    st.set_tags(&[arc(StringArray::from(vec![r#"{"k":"v","n":1}"#]))])
        .await
        .unwrap();
    st.bind(&[
        arc(TimestampMillisecondArray::from(vec![1])),
        arc(Int32Array::from(vec![5])),
    ])
    .await
    .unwrap();
    st.add_batch().await.unwrap();
    assert_eq!(st.exec().await.unwrap(), 1);
    let got = rows(&c, "select j, v from db.js").await;
    assert_eq!(got.len(), 1);
    let j: serde_json::Value = serde_json::from_str(&got[0][0]).unwrap();
    assert_eq!(j, serde_json::json!({"k": "v", "n": 1}));
    assert_eq!(got[0][1], "5");
}

#[tokio::test]
async fn stmt1_query_with_params() {
    let (_s, c) = setup("ms").await;
    c.exec("create table db.t (ts timestamp, v int, s varchar(8))")
        .await
        .unwrap();
    c.exec("insert into db.t values (1000, 1, 'a') (2000, 2, 'b') (3000, 3, 'b')")
        .await
        .unwrap();
    let mut st = c.stmt().await.unwrap();
    st.prepare("select v, s from db.t where v >= ? and s = ? order by v")
        .await
        .unwrap();
    assert!(!st.is_insert());
    assert_eq!(st.num_params(), 2);
    assert!(st.col_fields().is_none());
    st.bind(&[
        arc(Int32Array::from(vec![2])),
        arc(StringArray::from(vec!["b"])),
    ])
    .await
    .unwrap();
    assert_eq!(st.exec().await.unwrap(), 0);
    let batches = st.result().await.unwrap().collect_all().await.unwrap();
    assert_eq!(table(&batches), strs(&[&["2", "b"], &["3", "b"]]));

    // Bound again with other values, and with a timestamp parameter.
    st.prepare("select v from db.t where ts > ? order by v")
        .await
        .unwrap();
    st.bind(&[arc(TimestampMillisecondArray::from(vec![1_500]))])
        .await
        .unwrap();
    st.exec().await.unwrap();
    let batches = st.result().await.unwrap().collect_all().await.unwrap();
    assert_eq!(table(&batches), strs(&[&["2"], &["3"]]));

    // A query takes exactly one value per `?`.
    let e = st
        .bind(&[arc(Int32Array::from(vec![1, 2]))])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Bind(Stmt2Error::Shape(_))), "{e}");
    let e = st.bind(&[]).await.unwrap_err();
    assert!(matches!(e, Error::Bind(Stmt2Error::Shape(_))), "{e}");
}

#[tokio::test]
async fn stmt1_errors() {
    let (_s, c) = setup("ms").await;
    c.exec("create table db.t (ts timestamp, v int)")
        .await
        .unwrap();
    let mut st = c.stmt().await.unwrap();
    // Nothing before prepare.
    let e = st
        .bind(&[arc(Int32Array::from(vec![1]))])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Interface, "{e}");
    // Bad SQL and a missing table: server errors with TDengine codes.
    let e = st
        .prepare("insert into db.t valuez (?, ?)")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Statement, "{e}");
    assert!(e.code().is_some_and(|c| c.0 != 0), "{e}");
    let e = st
        .prepare("insert into db.nope values (?, ?)")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Statement, "{e}");
    // The failed prepare leaves the statement unprepared.
    let e = st.add_batch().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Interface, "{e}");

    st.prepare("insert into db.t values (?, ?)").await.unwrap();
    // Wrong column count and unequal lengths are refused before sending.
    let e = st
        .bind(&[arc(TimestampMillisecondArray::from(vec![1]))])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Bind(Stmt2Error::Shape(_))), "{e}");
    let e = st
        .bind(&[
            arc(TimestampMillisecondArray::from(vec![1, 2])),
            arc(Int32Array::from(vec![1])),
        ])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Bind(Stmt2Error::Shape(_))), "{e}");
    // add_batch with nothing bound: the server refuses.
    let e = st.add_batch().await.unwrap_err();
    assert!(matches!(e, Error::Server { .. }), "{e}");
    assert_eq!(e.kind(), ErrorKind::Statement);
    st.close();
    assert!(st.is_closed());
    let e = st
        .prepare("insert into db.t values (?, ?)")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Interface, "{e}");
    let e = st.exec().await.unwrap_err();
    assert!(e.to_string().contains("closed"), "{e}");
    st.close();
    // The connection is still fine, and a new statement works.
    let mut st = c.stmt().await.unwrap();
    st.prepare("insert into db.t values (?, ?)").await.unwrap();
    st.bind(&[
        arc(TimestampMillisecondArray::from(vec![1])),
        arc(Int32Array::from(vec![1])),
    ])
    .await
    .unwrap();
    st.add_batch().await.unwrap();
    assert_eq!(st.exec().await.unwrap(), 1);
}

#[test]
fn stmt1_blocking() {
    let s = taosarrow::runtime()
        .block_on(LocalServer::start(ServerConfig::default()))
        .unwrap();
    let opts = ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0);
    let c = taosarrow::blocking::Connection::connect(&opts).unwrap();
    c.exec("create database db").unwrap();
    c.exec("create table db.t (ts timestamp, v int)").unwrap();
    let mut st = c.stmt().unwrap();
    st.prepare("insert into db.t values (?, ?)").unwrap();
    st.bind(&[
        arc(TimestampMillisecondArray::from(vec![1, 2])),
        arc(Int32Array::from(vec![1, 2])),
    ])
    .unwrap();
    st.add_batch().unwrap();
    assert_eq!(st.exec().unwrap(), 2);
    assert_eq!(st.as_async().affected_rows(), 2);
    st.prepare("select count(*) from db.t where v > ?").unwrap();
    st.bind(&[arc(Int32Array::from(vec![1]))]).unwrap();
    st.exec().unwrap();
    let batches: Vec<RecordBatch> = st.result().unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(table(&batches), strs(&[&["1"]]));
    st.close();
}

#[tokio::test]
async fn stmt1_tables_named_later_are_described_one_by_one() {
    let (_s, c) = setup("ms").await;
    for sql in [
        "create table db.a (ts timestamp, v int)",
        "create table db.b (ts timestamp, s varchar(4))",
    ] {
        c.exec(sql).await.unwrap();
    }
    let mut st = c.stmt().await.unwrap();
    st.prepare("insert into ? values (?, ?)").await.unwrap();
    assert!(st.is_insert());
    assert_eq!(st.num_params(), 2);
    assert!(
        st.col_fields().is_none(),
        "nothing to describe before a table is named"
    );
    st.set_tbname("db.a").await.unwrap();
    let names: Vec<&str> = st
        .col_fields()
        .unwrap()
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, ["ts", "v"]);
    let ts = arc(TimestampMillisecondArray::from(vec![1_700_000_000_000]));
    st.bind(&[ts.clone(), arc(Int64Array::from(vec![5]))])
        .await
        .unwrap();
    st.add_batch().await.unwrap();
    // Table b has other columns: the string binds to its VARCHAR, not to a's INT.
    st.set_tbname("db.b").await.unwrap();
    assert_eq!(st.col_fields().unwrap()[1].ty, TdType::VarChar);
    st.bind(&[ts, arc(StringArray::from(vec!["hey"]))])
        .await
        .unwrap();
    st.add_batch().await.unwrap();
    let err = st.set_tbname("db.nope").await.unwrap_err();
    assert!(err.to_string().contains("Table does not exist"), "{err}");
    assert_eq!(st.exec().await.unwrap(), 2);
    assert_eq!(rows(&c, "select v from db.a").await, strs(&[&["5"]]));
    assert_eq!(rows(&c, "select s from db.b").await, strs(&[&["hey"]]));
}
