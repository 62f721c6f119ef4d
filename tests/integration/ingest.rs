//! Bulk ingest through stmt2 against the embedded server: every type round-trips, super
//! tables with many child tables, precision checks, type errors before anything is sent, and
//! an exact account of what was written when the connection drops mid-ingest.
#![allow(clippy::single_range_in_vec_init)] // vectors of row ranges are the point

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use rand::rngs::StdRng;
use rand::SeedableRng;
use taosarrow::{
    ConnectOptions, Connection, Error, ErrorKind, IngestMode, IngestOptions, IngestTarget, Subtable,
};
use taosarrow_codec::testing::{random_spec, random_table_batch};
use taosarrow_codec::{arrow_schema, ColumnSpec, SchemaOptions};
use taosarrow_protocol::{Precision, TdType};
use taosarrow_server::engine::Engine;
use taosarrow_server::{FaultConfig, LocalServer, ServerConfig};

async fn connect(server: &LocalServer) -> Connection {
    let opts = ConnectOptions::from_dsn(&server.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(20));
    Connection::connect(&opts).await.unwrap()
}

async fn setup(precision: &str) -> (LocalServer, Connection) {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    let conn = connect(&server).await;
    conn.exec(&format!("create database db precision '{precision}'"))
        .await
        .unwrap();
    (server, conn)
}

async fn read(conn: &Connection, sql: &str) -> RecordBatch {
    let stream = conn.query(sql).await.unwrap();
    let schema = stream.schema();
    let batches = stream.collect_all().await.unwrap();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

fn ok(batches: Vec<RecordBatch>) -> std::vec::IntoIter<taosarrow::BatchResult> {
    batches.into_iter().map(Ok).collect::<Vec<_>>().into_iter()
}

fn opts(mode: IngestMode) -> IngestOptions {
    IngestOptions {
        mode,
        ..IngestOptions::default()
    }
}

/// Every type a data column can have (JSON is a tag type only), each once but DECIMAL64
/// and DECIMAL, which also come at their widest precision.
const DATA_TYPES: [TdType; 19] = [
    TdType::Bool,
    TdType::TinyInt,
    TdType::SmallInt,
    TdType::Int,
    TdType::BigInt,
    TdType::UTinyInt,
    TdType::USmallInt,
    TdType::UInt,
    TdType::UBigInt,
    TdType::Float,
    TdType::Double,
    TdType::VarChar,
    TdType::NChar,
    TdType::VarBinary,
    TdType::Geometry,
    TdType::Blob,
    TdType::Decimal64,
    TdType::Decimal,
    TdType::Timestamp,
];

/// A `ts` column, then a column of each of [`DATA_TYPES`] (declared lengths and decimal
/// precisions drawn from a fixed seed), then DECIMAL(18, 4) and DECIMAL(38, 10).
fn all_types_schema(precision: Precision) -> SchemaRef {
    let mut rng = StdRng::seed_from_u64(7);
    let mut specs = vec![ColumnSpec::new("ts", TdType::Timestamp)];
    specs.extend(
        DATA_TYPES
            .iter()
            .enumerate()
            .map(|(i, &ty)| random_spec(&mut rng, &format!("c{i}"), ty)),
    );
    specs.push(ColumnSpec::decimal("dec18", 18, 4));
    specs.push(ColumnSpec::decimal("dec38", 38, 10));
    let opts = SchemaOptions {
        precision,
        timezone: None,
    };
    arrow_schema(&specs, &opts).unwrap()
}

/// One batch with every bindable type, strictly increasing timestamps, each type's extreme
/// values in the first rows, non-ASCII text, and (from 100 rows on) NULLs in every column
/// but `ts`.
fn all_types(precision: Precision, n: usize) -> RecordBatch {
    let batch = random_table_batch(11, &all_types_schema(precision), n, 0.3);
    assert_eq!(batch.column(0).null_count(), 0);
    if n >= 100 {
        for (f, c) in batch.schema().fields().iter().zip(batch.columns()).skip(1) {
            assert!(c.null_count() > 0, "no NULL in column {}", f.name());
        }
    }
    let non_ascii = batch
        .columns()
        .iter()
        .filter_map(|c| c.as_string_opt::<i32>())
        .any(|s| s.iter().flatten().any(|v| !v.is_ascii()));
    assert!(n < 2 || non_ascii, "no non-ASCII text");
    batch
}

/// Compares values column by column (types of the read side may carry metadata).
fn assert_same_values(wrote: &RecordBatch, got: &RecordBatch) {
    assert_eq!(wrote.num_rows(), got.num_rows());
    for (i, f) in wrote.schema().fields().iter().enumerate() {
        let a = wrote.column(i);
        let b = got.column(i);
        assert_eq!(a.data_type(), b.data_type(), "column {}", f.name());
        assert_eq!(a.to_data(), b.to_data(), "column {}", f.name());
    }
}

#[tokio::test]
async fn every_type_round_trips_in_each_precision() {
    for precision in [
        Precision::Millisecond,
        Precision::Microsecond,
        Precision::Nanosecond,
    ] {
        let p = precision.name();
        let (_server, conn) = setup(p).await;
        let batch = all_types(precision, 100);
        let report = conn
            .ingest(
                batch.schema(),
                ok(vec![batch.clone()]),
                &IngestTarget::Table("db.t".into()),
                &opts(IngestMode::Create),
            )
            .await
            .unwrap();
        assert_eq!(report.rows, 100, "{p}");
        let got = read(&conn, "select * from db.t order by ts").await;
        assert_same_values(&batch, &got);
    }
}

#[tokio::test]
async fn many_small_chunks_and_several_batches() {
    let (_server, conn) = setup("ms").await;
    let a = all_types(Precision::Millisecond, 3000);
    let (first, second) = (a.slice(0, 1700), a.slice(1700, 1300));
    let o = IngestOptions {
        mode: IngestMode::Create,
        chunk_bytes: 16 * 1024,
        in_flight: 3,
        ..IngestOptions::default()
    };
    let report = conn
        .ingest(
            a.schema(),
            ok(vec![first, second]),
            &IngestTarget::Table("db.t".into()),
            &o,
        )
        .await
        .unwrap();
    assert_eq!(report.rows, 3000);
    assert!(report.chunks > 10, "{report:?}");
    let got = read(&conn, "select * from db.t order by ts").await;
    assert_same_values(&a, &got);
}

fn meters(tables: usize, rows_per_table: usize) -> RecordBatch {
    let n = tables * rows_per_table;
    let ts = TimestampMillisecondArray::from_iter_values(
        (0..n).map(|i| 1_700_000_000_000 + (i % rows_per_table) as i64 * 1000),
    );
    let current = Float64Array::from_iter_values((0..n).map(|i| i as f64));
    let name = StringArray::from_iter_values((0..n).map(|i| format!("d{}", i / rows_per_table)));
    let group = Int32Array::from_iter_values((0..n).map(|i| (i / rows_per_table) as i32 % 10));
    let location =
        StringArray::from_iter_values((0..n).map(|i| format!("loc{}", i / rows_per_table)));
    let schema = Schema::new(vec![
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            false,
        ),
        Field::new("current", DataType::Float64, true),
        Field::new("tb", DataType::Utf8, false),
        Field::new("groupid", DataType::Int32, true),
        Field::new("location", DataType::Utf8, true),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(ts),
            Arc::new(current),
            Arc::new(name),
            Arc::new(group),
            Arc::new(location),
        ],
    )
    .unwrap()
}

#[tokio::test]
async fn super_table_with_a_thousand_child_tables() {
    let (_server, conn) = setup("ms").await;
    let batch = meters(1000, 5);
    let target = IngestTarget::SuperTable {
        stable: "db.meters".into(),
        subtable: Subtable::Column("tb".into()),
        tags: vec!["groupid".into(), "location".into()],
    };
    let report = conn
        .ingest(
            batch.schema(),
            ok(vec![batch]),
            &target,
            &opts(IngestMode::Create),
        )
        .await
        .unwrap();
    assert_eq!(report.rows, 5000);
    let counts = read(&conn, "select tbname, count(*), first(groupid), first(location) from db.meters partition by tbname").await;
    assert_eq!(counts.num_rows(), 1000);
    let n = counts.column(1).as_primitive::<Int64Type>();
    assert!(n.values().iter().all(|&c| c == 5));
    let one = read(
        &conn,
        "select groupid, location, sum(current) from db.d123 group by groupid, location",
    )
    .await;
    assert_eq!(one.column(0).as_primitive::<Int32Type>().value(0), 3);
    assert_eq!(one.column(1).as_string::<i32>().value(0), "loc123");
    let expect: f64 = (615..620).map(|i| i as f64).sum();
    assert_eq!(one.column(2).as_primitive::<Float64Type>().value(0), expect);
}

#[tokio::test]
async fn subtable_template_names_children() {
    let (_server, conn) = setup("ms").await;
    let batch = meters(3, 2);
    let cols: Vec<usize> = vec![0, 1, 3, 4]; // without `tb`
    let batch = batch.project(&cols).unwrap();
    let target = IngestTarget::SuperTable {
        stable: "db.m".into(),
        subtable: Subtable::Template("m_{location}_{groupid}".into()),
        tags: vec!["groupid".into(), "location".into()],
    };
    conn.ingest(
        batch.schema(),
        ok(vec![batch]),
        &target,
        &opts(IngestMode::Create),
    )
    .await
    .unwrap();
    let got = read(&conn, "select count(*) from db.m_loc2_2").await;
    assert_eq!(got.column(0).as_primitive::<Int64Type>().value(0), 2);
}

#[tokio::test]
async fn append_needs_the_table_and_create_refuses_an_existing_one() {
    let (_server, conn) = setup("ms").await;
    let batch = meters(1, 3).project(&[0, 1]).unwrap();
    let t = IngestTarget::Table("db.plain".into());
    let e = conn
        .ingest(
            batch.schema(),
            ok(vec![batch.clone()]),
            &t,
            &opts(IngestMode::Append),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    conn.ingest(
        batch.schema(),
        ok(vec![batch.clone()]),
        &t,
        &opts(IngestMode::Create),
    )
    .await
    .unwrap();
    assert!(conn
        .ingest(
            batch.schema(),
            ok(vec![batch.clone()]),
            &t,
            &opts(IngestMode::Create)
        )
        .await
        .is_err());
    // Same rows again: same timestamps overwrite.
    conn.ingest(
        batch.schema(),
        ok(vec![batch.clone()]),
        &t,
        &opts(IngestMode::Append),
    )
    .await
    .unwrap();
    conn.ingest(
        batch.schema(),
        ok(vec![batch.clone()]),
        &t,
        &opts(IngestMode::CreateAppend),
    )
    .await
    .unwrap();
    let got = read(&conn, "select count(*) from db.plain").await;
    assert_eq!(got.column(0).as_primitive::<Int64Type>().value(0), 3);
    conn.ingest(
        batch.schema(),
        ok(vec![batch.slice(0, 1)]),
        &t,
        &opts(IngestMode::Replace),
    )
    .await
    .unwrap();
    let got = read(&conn, "select count(*) from db.plain").await;
    assert_eq!(got.column(0).as_primitive::<Int64Type>().value(0), 1);
}

#[tokio::test]
async fn precision_loss_is_refused_before_anything_is_written() {
    let (_server, conn) = setup("ms").await;
    conn.exec("create table db.t (ts timestamp, v int)")
        .await
        .unwrap();
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("ts", DataType::Timestamp(TimeUnit::Nanosecond, None), false),
        Field::new("v", DataType::Int32, true),
    ]));
    let ts =
        TimestampNanosecondArray::from(vec![1_700_000_000_000_000_000, 1_700_000_000_001_000_001]);
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(ts), Arc::new(Int32Array::from(vec![1, 2]))],
    )
    .unwrap();
    let e = conn
        .ingest(
            schema.clone(),
            ok(vec![batch.clone()]),
            &IngestTarget::Table("db.t".into()),
            &opts(IngestMode::Append),
        )
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("`ts`") && text.contains("row 1"), "{text}");
    assert_eq!(e.kind(), ErrorKind::Statement);
    match &e {
        Error::Ingest(i) => {
            assert_eq!(i.rows_written, 0);
            assert_eq!(i.not_written, vec![0..2]);
        }
        other => panic!("{other:?}"),
    }
    let got = read(&conn, "select count(*) from db.t").await;
    assert_eq!(got.column(0).as_primitive::<Int64Type>().value(0), 0);
    let o = IngestOptions {
        allow_truncation: true,
        ..IngestOptions::default()
    };
    conn.ingest(
        schema,
        ok(vec![batch]),
        &IngestTarget::Table("db.t".into()),
        &o,
    )
    .await
    .unwrap();
    let got = read(&conn, "select ts from db.t order by ts").await;
    let ts = got.column(0).as_primitive::<TimestampMillisecondType>();
    assert_eq!(ts.values(), &[1_700_000_000_000, 1_700_000_000_001]);
}

#[tokio::test]
async fn wrong_types_and_missing_columns_are_clear_errors() {
    let (_server, conn) = setup("ms").await;
    conn.exec("create table db.t (ts timestamp, v int)")
        .await
        .unwrap();
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            false,
        ),
        Field::new("v", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(TimestampMillisecondArray::from(vec![1])),
            Arc::new(StringArray::from(vec!["x"])),
        ],
    )
    .unwrap();
    let e = conn
        .ingest(
            schema,
            ok(vec![batch]),
            &IngestTarget::Table("db.t".into()),
            &opts(IngestMode::Append),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("`v`"), "{e}");
    // Overflow: 300 into TINYINT UNSIGNED is named by column and row.
    conn.exec("create table db.u (ts timestamp, v tinyint unsigned)")
        .await
        .unwrap();
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            false,
        ),
        Field::new("v", DataType::Int32, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(TimestampMillisecondArray::from(vec![1, 2])),
            Arc::new(Int32Array::from(vec![1, 300])),
        ],
    )
    .unwrap();
    let e = conn
        .ingest(
            schema,
            ok(vec![batch]),
            &IngestTarget::Table("db.u".into()),
            &opts(IngestMode::Append),
        )
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("`v`") && text.contains("row 1") && text.contains("300"),
        "{text}"
    );
    let got = read(&conn, "select count(*) from db.u").await;
    assert_eq!(got.column(0).as_primitive::<Int64Type>().value(0), 0);
}

#[tokio::test]
async fn empty_and_all_null_inputs() {
    let (_server, conn) = setup("us").await;
    let batch = all_types(Precision::Microsecond, 10);
    let empty = batch.slice(0, 0);
    let t = IngestTarget::Table("db.t".into());
    let r = conn
        .ingest(
            batch.schema(),
            ok(vec![empty.clone()]),
            &t,
            &opts(IngestMode::Create),
        )
        .await
        .unwrap();
    assert_eq!(r.rows, 0);
    let r = conn
        .ingest(
            batch.schema(),
            ok(Vec::new()),
            &t,
            &opts(IngestMode::Append),
        )
        .await
        .unwrap();
    assert_eq!(r.rows, 0);
    // Every column but ts NULL.
    let nulls: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                c.clone()
            } else {
                arrow_array::new_null_array(c.data_type(), c.len())
            }
        })
        .collect();
    let all_null = RecordBatch::try_new(batch.schema(), nulls).unwrap();
    conn.ingest(
        batch.schema(),
        ok(vec![all_null.clone()]),
        &t,
        &opts(IngestMode::Append),
    )
    .await
    .unwrap();
    let got = read(&conn, "select * from db.t order by ts").await;
    assert_same_values(&all_null, &got);
}

#[tokio::test]
async fn dropped_connection_reports_exactly_what_was_written() {
    // One engine behind two servers: one drops every connection after a few frames, the
    // other is used to check what was stored.
    let engine = Engine::new();
    let clean = LocalServer::start_with_engine(ServerConfig::default(), engine.clone())
        .await
        .unwrap();
    let faulty = LocalServer::start_with_engine(
        ServerConfig::default().with_faults(FaultConfig {
            // version + conn, 2 × (init + prepare), then 3 bind/exec pairs.
            drop_after_frames: Some(2 + 4 + 6),
            ..FaultConfig::default()
        }),
        engine,
    )
    .await
    .unwrap();
    let check = connect(&clean).await;
    check.exec("create database db").await.unwrap();
    let batch = meters(1, 20_000).project(&[0, 1]).unwrap();
    check
        .exec("create table db.t (ts timestamp, current double)")
        .await
        .unwrap();
    let o = IngestOptions {
        chunk_bytes: 32 * 1024,
        ..IngestOptions::default()
    };
    let conn = connect(&faulty).await;
    let t = IngestTarget::Table("db.t".into());
    let e = conn
        .ingest(batch.schema(), ok(vec![batch.clone()]), &t, &o)
        .await
        .unwrap_err();
    let Error::Ingest(info) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(info.source.kind(), ErrorKind::Connection, "{e}");
    assert!(info.rows_written > 0 && info.rows_written < 20_000, "{e}");
    // The rows the error calls written are exactly the rows stored.
    let stored = read(&check, "select ts from db.t order by ts").await;
    let stored: BTreeSet<i64> = stored
        .column(0)
        .as_primitive::<TimestampMillisecondType>()
        .values()
        .iter()
        .copied()
        .collect();
    let ts = batch.column(0).as_primitive::<TimestampMillisecondType>();
    let claimed: BTreeSet<i64> = info
        .written
        .iter()
        .flat_map(|r| r.clone())
        .map(|p| ts.value(p as usize))
        .collect();
    assert_eq!(stored, claimed);
    assert_eq!(stored.len() as u64, info.rows_written);
    let not: u64 = info.not_written.iter().map(|r| r.end - r.start).sum();
    let unknown: u64 = info.unknown.iter().map(|r| r.end - r.start).sum();
    assert_eq!(not + unknown + info.rows_written, 20_000);
    // Writing everything again through the clean server leaves no duplicates.
    let retry = connect(&clean).await;
    retry
        .ingest(
            batch.schema(),
            ok(vec![batch]),
            &t,
            &IngestOptions::default(),
        )
        .await
        .unwrap();
    let got = read(&check, "select count(*) from db.t").await;
    assert_eq!(got.column(0).as_primitive::<Int64Type>().value(0), 20_000);
}

#[tokio::test]
async fn stmt2_query_with_parameters() {
    let (_server, conn) = setup("ms").await;
    let batch = meters(1, 10).project(&[0, 1]).unwrap();
    conn.ingest(
        batch.schema(),
        ok(vec![batch]),
        &IngestTarget::Table("db.q".into()),
        &opts(IngestMode::Create),
    )
    .await
    .unwrap();
    let mut stmt = conn.stmt2().await.unwrap();
    stmt.prepare("select ts, current from db.q where current >= ? and current < ?")
        .await
        .unwrap();
    assert!(!stmt.is_insert());
    let lo: ArrayRef = Arc::new(Float64Array::from(vec![3.0]));
    let hi: ArrayRef = Arc::new(Float64Array::from(vec![6.0]));
    stmt.bind_params(&[lo, hi]).await.unwrap();
    stmt.exec().await.unwrap();
    let batches = stmt.result().await.unwrap().collect_all().await.unwrap();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 3);
    stmt.close().await.unwrap();
}

/// A clean server and a faulty one over one engine, a `db.t (ts, current)` table, and the
/// rows to write (one table of `rows` rows, distinct timestamps).
async fn faulty_pair(faults: FaultConfig, rows: usize) -> (LocalServer, LocalServer, RecordBatch) {
    let engine = Engine::new();
    let clean = LocalServer::start_with_engine(ServerConfig::default(), engine.clone())
        .await
        .unwrap();
    let faulty =
        LocalServer::start_with_engine(ServerConfig::default().with_faults(faults), engine)
            .await
            .unwrap();
    let check = connect(&clean).await;
    check.exec("create database db").await.unwrap();
    check
        .exec("create table db.t (ts timestamp, current double)")
        .await
        .unwrap();
    (clean, faulty, meters(1, rows).project(&[0, 1]).unwrap())
}

/// The timestamps stored in `db.t`.
async fn stored_ts(conn: &Connection) -> BTreeSet<i64> {
    let stored = read(conn, "select ts from db.t order by ts").await;
    stored
        .column(0)
        .as_primitive::<TimestampMillisecondType>()
        .values()
        .iter()
        .copied()
        .collect()
}

/// The timestamps of the rows of `batch` at `ranges`.
fn ts_at(batch: &RecordBatch, ranges: &[std::ops::Range<u64>]) -> BTreeSet<i64> {
    let ts = batch.column(0).as_primitive::<TimestampMillisecondType>();
    ranges
        .iter()
        .flat_map(|r| r.clone())
        .map(|p| ts.value(p as usize))
        .collect()
}

/// The rows of `batch` at `ranges`, one batch per range.
fn rows_at(batch: &RecordBatch, ranges: &[std::ops::Range<u64>]) -> Vec<RecordBatch> {
    ranges
        .iter()
        .map(|r| batch.slice(r.start as usize, (r.end - r.start) as usize))
        .collect()
}

fn row_count(ranges: &[std::ops::Range<u64>]) -> u64 {
    ranges.iter().map(|r| r.end - r.start).sum()
}

/// Connects to `server` with a short read timeout, for faults that swallow replies.
async fn connect_impatient(server: &LocalServer) -> Connection {
    let opts = ConnectOptions::from_dsn(&server.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_millis(500));
    Connection::connect(&opts).await.unwrap()
}

#[tokio::test]
async fn an_exec_whose_reply_is_lost_is_unknown_and_resending_it_is_exact() {
    // version + conn, init + prepare, two bind/exec pairs, then the third bind's reply: the
    // third exec is executed but its reply is never sent.
    let faults = FaultConfig {
        withhold_after_frames: Some(2 + 2 + 4 + 1),
        ..FaultConfig::default()
    };
    let (clean, faulty, batch) = faulty_pair(faults, 20_000).await;
    let o = IngestOptions {
        chunk_bytes: 32 * 1024,
        in_flight: 1,
        ..IngestOptions::default()
    };
    let t = IngestTarget::Table("db.t".into());
    let conn = connect_impatient(&faulty).await;
    let e = conn
        .ingest(batch.schema(), ok(vec![batch.clone()]), &t, &o)
        .await
        .unwrap_err();
    let Error::Ingest(info) = &e else {
        panic!("{e:?}")
    };
    assert!(
        matches!(*info.source, Error::Timeout { .. }),
        "{e}: {:?}",
        info.source
    );
    assert!(!info.unknown.is_empty(), "{e}");
    let check = connect(&clean).await;
    let stored = stored_ts(&check).await;
    // Every row is in exactly one list, and `not_written` means not stored.
    let total = row_count(&info.written) + row_count(&info.unknown) + row_count(&info.not_written);
    assert_eq!(total, 20_000, "{e}");
    assert!(stored.is_disjoint(&ts_at(&batch, &info.not_written)), "{e}");
    assert!(ts_at(&batch, &info.written).is_subset(&stored), "{e}");
    assert_eq!(info.rows_written, row_count(&info.written));
    // Here the server did execute the chunk whose reply it withheld.
    let maybe = ts_at(&batch, &info.unknown);
    assert!(maybe.is_subset(&stored), "{e}");
    assert_eq!(stored.len() as u64, info.rows_written + maybe.len() as u64);
    // Re-sending exactly the unknown rows adds nothing twice.
    let retry = connect(&clean).await;
    let schema = batch.schema();
    retry
        .ingest(
            schema.clone(),
            ok(rows_at(&batch, &info.unknown)),
            &t,
            &IngestOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(stored_ts(&check).await, stored);
    // And with the rows not written, everything is there exactly once.
    retry
        .ingest(
            schema,
            ok(rows_at(&batch, &info.not_written)),
            &t,
            &IngestOptions::default(),
        )
        .await
        .unwrap();
    let got = read(&check, "select count(*) from db.t").await;
    assert_eq!(got.column(0).as_primitive::<Int64Type>().value(0), 20_000);
}

/// Ingests 20,000 rows in 32 KiB chunks, one in flight, through a server with `faults`,
/// then checks the account against what was stored: `written` is stored, `not_written` is
/// not, nothing outside `written` ∪ `unknown` is, and re-sending exactly `unknown` leaves the
/// count at `rows_written` + `unknown`. With `expect_unknown`, some rows must be `unknown`.
async fn check_account_after_fault(faults: FaultConfig, expect_unknown: bool) {
    let (clean, faulty, batch) = faulty_pair(faults, 20_000).await;
    let o = IngestOptions {
        chunk_bytes: 32 * 1024,
        in_flight: 1,
        ..IngestOptions::default()
    };
    let t = IngestTarget::Table("db.t".into());
    let conn = connect(&faulty).await;
    let e = conn
        .ingest(batch.schema(), ok(vec![batch.clone()]), &t, &o)
        .await
        .unwrap_err();
    let Error::Ingest(info) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(info.source.kind(), ErrorKind::Connection, "{e}");
    if expect_unknown {
        assert!(!info.unknown.is_empty(), "{e}");
    }
    let check = connect(&clean).await;
    let stored = stored_ts(&check).await;
    let total = row_count(&info.written) + row_count(&info.unknown) + row_count(&info.not_written);
    assert_eq!(total, 20_000, "{e}");
    assert!(stored.is_disjoint(&ts_at(&batch, &info.not_written)), "{e}");
    let mut claimed = ts_at(&batch, &info.written);
    assert!(claimed.is_subset(&stored), "{e}");
    claimed.extend(ts_at(&batch, &info.unknown));
    assert!(stored.is_subset(&claimed), "{e}");
    let retry = connect(&clean).await;
    retry
        .ingest(
            batch.schema(),
            ok(rows_at(&batch, &info.unknown)),
            &t,
            &IngestOptions::default(),
        )
        .await
        .unwrap();
    let expected = info.rows_written + row_count(&info.unknown);
    let got = read(&check, "select count(*) from db.t").await;
    assert_eq!(
        got.column(0).as_primitive::<Int64Type>().value(0) as u64,
        expected
    );
}

/// The connection drops after the third bind's reply, so the third exec goes into a dying
/// socket: whether its frame left before the client saw the close is a race, and the account
/// says which (not written when the socket never wrote it, unknown when it did).
#[tokio::test]
async fn a_drop_before_an_exec_reply_is_accounted_exactly() {
    // version + conn, init + prepare, two bind/exec pairs, the third bind's reply.
    let faults = FaultConfig {
        drop_after_frames: Some(2 + 2 + 4 + 1),
        ..FaultConfig::default()
    };
    check_account_after_fault(faults, false).await;
}

/// The server applies the third exec and drops the socket instead of replying: that chunk
/// was certainly sent and its outcome not seen, so it is unknown; re-sending it is exact.
#[tokio::test]
async fn a_drop_after_the_exec_is_applied_is_unknown_and_resending_it_is_exact() {
    // version + conn, init + prepare, two bind/exec pairs, the third bind: the tenth reply.
    let faults = FaultConfig {
        lose_reply: Some(2 + 2 + 4 + 2),
        ..FaultConfig::default()
    };
    check_account_after_fault(faults, true).await;
}

#[tokio::test]
async fn a_stop_starts_no_further_chunk_and_accounts_for_every_row() {
    let (_server, conn) = setup("ms").await;
    conn.exec("create table db.t (ts timestamp, current double)")
        .await
        .unwrap();
    let batch = meters(1, 20_000).project(&[0, 1]).unwrap();
    let stop = taosarrow::IngestStop::new();
    let calls = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let progress: taosarrow::Progress = {
        let stop = stop.clone();
        let calls = calls.clone();
        Arc::new(move |_rows| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            stop.stop();
        })
    };
    let in_flight = 2;
    let o = IngestOptions {
        chunk_bytes: 16 * 1024,
        in_flight,
        progress: Some(progress),
        stop: Some(stop),
        ..IngestOptions::default()
    };
    let t = IngestTarget::Table("db.t".into());
    let e = conn
        .ingest(batch.schema(), ok(vec![batch.clone()]), &t, &o)
        .await
        .unwrap_err();
    let Error::Ingest(info) = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(*info.source, Error::Interrupted), "{e}");
    assert_eq!(e.kind(), ErrorKind::Interrupted);
    // Outcomes are booked before another chunk is handed out, so when the first one raised
    // the stop at most `2 × in_flight` chunks (in flight and queued) had been handed out,
    // and none after it.
    let chunks = calls.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=2 * in_flight as u64).contains(&chunks),
        "{chunks} chunks: {e}"
    );
    assert!(info.unknown.is_empty(), "{e}");
    assert!(!info.not_written.is_empty(), "{e}");
    assert_eq!(
        row_count(&info.written) + row_count(&info.not_written),
        20_000,
        "{e}"
    );
    // What the error calls written is exactly what is stored, and stays so.
    let stored = stored_ts(&conn).await;
    assert_eq!(stored, ts_at(&batch, &info.written));
    assert_eq!(stored.len() as u64, info.rows_written);
}

#[tokio::test]
async fn a_stop_while_reading_hands_out_nothing_read_after_it() {
    let (_server, conn) = setup("ms").await;
    conn.exec("create table db.t (ts timestamp, current double)")
        .await
        .unwrap();
    let batch = meters(1, 20_000).project(&[0, 1]).unwrap();
    let stop = taosarrow::IngestStop::new();
    // 40 batches of 500 rows, one chunk each; the stop is raised as batch 5 is read.
    let source = {
        let stop = stop.clone();
        let batch = batch.clone();
        (0..40).map(move |i| {
            if i == 5 {
                stop.stop();
            }
            Ok(batch.slice(i * 500, 500))
        })
    };
    let o = IngestOptions {
        stop: Some(stop),
        ..IngestOptions::default()
    };
    let t = IngestTarget::Table("db.t".into());
    let e = conn
        .ingest(batch.schema(), source, &t, &o)
        .await
        .unwrap_err();
    let Error::Ingest(info) = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(*info.source, Error::Interrupted), "{e}");
    assert_eq!(info.unread_from, Some(3000), "{e}");
    assert!(info.unknown.is_empty(), "{e}");
    // Batch 5 was read but never handed out; what is stored is exactly what is written.
    assert!(info.written.iter().all(|r| r.end <= 2500), "{e}");
    assert_eq!(
        row_count(&info.written) + row_count(&info.not_written),
        3000,
        "{e}"
    );
    let stored = stored_ts(&conn).await;
    assert_eq!(stored, ts_at(&batch, &info.written));
    assert_eq!(stored.len() as u64, info.rows_written);
}
