//! The engine's storage under concurrency and partial failure: a read sees one consistent
//! snapshot (never an overwritten row next to its replacement), one INSERT or stmt2 exec
//! is all-or-nothing across its tables, and re-sending one is idempotent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int32Array, StringArray};
use arrow::datatypes::{DataType, Int64Type};
use taosarrow_codec::stmt2::ParsedTable;
use taosarrow_server::engine::prepared::{prepare, Prepared};
use taosarrow_server::engine::{Engine, Outcome, ResultSet, Session};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn exec(e: &Engine, s: &mut Session, sql: &str) -> Outcome {
    block_on(e.execute(s, sql)).unwrap_or_else(|err| panic!("{sql}: {err}"))
}

fn rows(e: &Engine, s: &mut Session, sql: &str) -> ResultSet {
    match exec(e, s, sql) {
        Outcome::Rows(rs) => rs,
        Outcome::Affected { .. } => panic!("{sql}: no result set"),
    }
}

/// The values of column `col` of a result as i64 (timestamps as ticks).
fn ints(rs: &ResultSet, col: usize) -> Vec<i64> {
    let mut out = Vec::new();
    for b in &rs.batches {
        let c = arrow::compute::cast(b.column(col), &DataType::Int64).unwrap();
        out.extend(c.as_primitive::<Int64Type>().iter().map(|v| v.unwrap()));
    }
    out
}

fn count(e: &Engine, s: &mut Session, sql: &str) -> i64 {
    ints(&rows(e, s, sql), 0)[0]
}

fn setup() -> (Engine, Session) {
    let e = Engine::new();
    let mut s = Session::new(None);
    exec(&e, &mut s, "create database d precision 'ms'");
    exec(&e, &mut s, "use d");
    exec(&e, &mut s, "create table t (ts timestamp, v int)");
    exec(
        &e,
        &mut s,
        "create stable st (ts timestamp, v int) tags (g int)",
    );
    (e, s)
}

/// Rows stored before the overwrites start: enough that merging them on a read takes long
/// enough for the writer to be waiting on the table when the merge ends.
const STORED: i64 = 20_000;
/// Timestamps 1..=TS_PER_WRITE are written again and again; a read must show each once.
const TS_PER_WRITE: i64 = 8;
const WRITES: usize = 2000;
const READS: usize = 400;

#[test]
fn a_read_during_overwrites_never_sees_a_timestamp_twice() {
    let (e, mut s) = setup();
    let plan = match prepare(&e, &s, "insert into t values (?, ?)").unwrap() {
        Prepared::Insert(p) => p,
        Prepared::Query { .. } => panic!("not an insert"),
    };
    let ts: Vec<i64> = (1..=STORED).collect();
    let v: Vec<i32> = vec![0; ts.len()];
    let mut preload = bound("t", 0, &ts, &v);
    preload.name = None;
    preload.tags.clear();
    assert_eq!(plan.write(&[preload]).unwrap(), STORED as u64);
    let writer_done = Arc::new(AtomicBool::new(false));
    let writer = {
        let e = e.clone();
        let done = Arc::clone(&writer_done);
        std::thread::spawn(move || {
            let mut s = Session::new(Some("d".to_owned()));
            for i in 0..WRITES {
                let values: Vec<String> = (1..=TS_PER_WRITE)
                    .map(|ts| format!("({ts}, {i})"))
                    .collect();
                exec(
                    &e,
                    &mut s,
                    &format!("insert into t values {}", values.join(" ")),
                );
            }
            done.store(true, Ordering::Release);
        })
    };
    let mut reads = 0;
    // Bounded: at most READS reads, and at least one after the writer finished.
    loop {
        let finished = writer_done.load(Ordering::Acquire);
        let counts = rows(&e, &mut s, "select count(*), count(distinct ts) from t");
        assert_eq!(
            (ints(&counts, 0), ints(&counts, 1)),
            (vec![STORED], vec![STORED]),
            "read {reads} shows a timestamp twice"
        );
        reads += 1;
        if finished || reads >= READS {
            break;
        }
    }
    writer.join().unwrap();
    let ts = ints(&rows(&e, &mut s, "select ts from t"), 0);
    assert_eq!(ts, (1..=STORED).collect::<Vec<_>>());
}

/// A stmt2 INSERT through the super table with the child table name bound.
fn stmt2_plan(e: &Engine, s: &Session) -> taosarrow_server::engine::prepared::InsertPlan {
    match prepare(e, s, "insert into ? using st tags (?) values (?, ?)").unwrap() {
        Prepared::Insert(p) => p,
        Prepared::Query { .. } => panic!("not an insert"),
    }
}

fn bound(name: &str, tag: i32, ts: &[i64], v: &[i32]) -> ParsedTable {
    let ts: ArrayRef = Arc::new(arrow::array::TimestampMillisecondArray::from(ts.to_vec()));
    ParsedTable {
        name: Some(name.to_owned()),
        tags: vec![Arc::new(Int32Array::from(vec![tag])) as ArrayRef],
        columns: vec![ts, Arc::new(Int32Array::from(v.to_vec())) as ArrayRef],
    }
}

#[test]
fn a_stmt2_exec_whose_last_table_fails_stores_nothing() {
    let (e, mut s) = setup();
    exec(&e, &mut s, "create table c0 using st tags (0)");
    exec(&e, &mut s, "insert into c0 values (1, 1)");
    let plan = stmt2_plan(&e, &s);
    let before = count(&e, &mut s, "select count(*) from st");
    let tables = [
        bound("c0", 0, &[2, 3], &[2, 3]),
        bound("c1", 1, &[1, 2], &[1, 2]),
        // The super table's own name cannot become a child table.
        bound("st", 2, &[1], &[1]),
    ];
    let err = plan.write(&tables).unwrap_err();
    assert_eq!(
        err.code,
        taosarrow_protocol::Code::MND_STB_ALREADY_EXIST,
        "{err}"
    );
    assert_eq!(count(&e, &mut s, "select count(*) from st"), before);
    assert_eq!(count(&e, &mut s, "select count(*) from c0"), 1);
    let tables = rows(&e, &mut s, "show tables");
    let names = tables.batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .map(|a| a.iter().flatten().map(str::to_owned).collect::<Vec<_>>());
    assert_eq!(names, Some(vec!["c0".to_owned(), "t".to_owned()]));
}

#[test]
fn a_stmt2_exec_sent_twice_stores_what_it_stores_once() {
    let (e, mut s) = setup();
    let plan = stmt2_plan(&e, &s);
    let tables = [
        bound("c1", 1, &[1, 2, 3], &[10, 20, 30]),
        bound("c2", 2, &[1, 2], &[100, 200]),
        bound("c1", 1, &[4], &[40]),
    ];
    let sql = "select ts, v, g from st order by g, ts";
    assert_eq!(plan.write(&tables).unwrap(), 6);
    let once = rows(&e, &mut s, sql);
    assert_eq!(plan.write(&tables).unwrap(), 6);
    let twice = rows(&e, &mut s, sql);
    assert_eq!(count(&e, &mut s, "select count(*) from st"), 6);
    for col in 0..3 {
        assert_eq!(ints(&once, col), ints(&twice, col), "column {col}");
    }
    assert_eq!(ints(&twice, 1), vec![10, 20, 30, 40, 100, 200]);
}

#[test]
fn a_multi_table_insert_whose_last_table_fails_stores_nothing() {
    let (e, mut s) = setup();
    exec(&e, &mut s, "insert into t values (1, 1)");
    let err = block_on(e.execute(
        &mut s,
        "insert into t values (2, 2) c1 using st tags (1) values (1, 1) nosuch values (1, 1)",
    ))
    .unwrap_err();
    assert_eq!(
        err.code,
        taosarrow_protocol::Code::PAR_TABLE_NOT_EXIST,
        "{err}"
    );
    assert_eq!(count(&e, &mut s, "select count(*) from t"), 1);
    assert_eq!(count(&e, &mut s, "select count(*) from st"), 0);
    let err = block_on(e.execute(&mut s, "select * from c1")).unwrap_err();
    assert_eq!(
        err.code,
        taosarrow_protocol::Code::PAR_GET_META_ERROR,
        "{err}"
    );
}

#[test]
fn a_multi_table_insert_sent_twice_stores_what_it_stores_once() {
    let (e, mut s) = setup();
    let sql = "insert into t values (1, 1) (2, 2) c1 using st tags (1) values (1, 10) \
               c2 using st tags (2) values (1, 20) (2, 21) t values (3, 3)";
    let Outcome::Affected { rows: first } = exec(&e, &mut s, sql) else {
        panic!()
    };
    let once = (
        rows(&e, &mut s, "select ts, v from t order by ts"),
        rows(&e, &mut s, "select ts, v, g from st order by g, ts"),
    );
    let Outcome::Affected { rows: second } = exec(&e, &mut s, sql) else {
        panic!()
    };
    let twice = (
        rows(&e, &mut s, "select ts, v from t order by ts"),
        rows(&e, &mut s, "select ts, v, g from st order by g, ts"),
    );
    assert_eq!((first, second), (6, 6));
    for col in 0..2 {
        assert_eq!(ints(&once.0, col), ints(&twice.0, col));
    }
    for col in 0..3 {
        assert_eq!(ints(&once.1, col), ints(&twice.1, col));
    }
    assert_eq!(ints(&twice.0, 1), vec![1, 2, 3]);
    assert_eq!(ints(&twice.1, 1), vec![10, 20, 21]);
}
