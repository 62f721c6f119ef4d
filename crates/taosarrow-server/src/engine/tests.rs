//! Unit tests of the engine's dispatch; full coverage is in `tests/engine_*.rs`.

use super::*;

#[tokio::test]
async fn create_insert_select() {
    let e = Engine::new();
    let mut s = Session::new(None);
    e.execute(&mut s, "create database d precision 'us'")
        .await
        .unwrap();
    e.execute(&mut s, "use d").await.unwrap();
    e.execute(&mut s, "create table t (ts timestamp, v int)")
        .await
        .unwrap();
    let r = e
        .execute(&mut s, "insert into t values (1, 10) (2, 20)")
        .await
        .unwrap();
    assert!(matches!(r, Outcome::Affected { rows: 2 }));
    let Outcome::Rows(rs) = e.execute(&mut s, "select * from t").await.unwrap() else {
        panic!()
    };
    assert_eq!(rs.num_rows(), 2);
    assert_eq!(rs.precision, Precision::Microsecond);
}

/// Rows of a SELECT as the debug text of their first column.
async fn first_column(e: &Engine, s: &mut Session, sql: &str) -> Vec<String> {
    let Outcome::Rows(rs) = e.execute(s, sql).await.unwrap() else {
        panic!("{sql}: no rows")
    };
    let mut out = Vec::new();
    for b in &rs.batches {
        let col = arrow::compute::cast(b.column(0), &arrow::datatypes::DataType::Utf8).unwrap();
        let col = col
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        out.extend(col.iter().map(|v| v.unwrap_or("NULL").to_owned()));
    }
    out
}

#[tokio::test]
async fn integers_compared_with_timestamps_are_ticks() {
    let e = Engine::new();
    let mut s = Session::new(None);
    e.execute(&mut s, "create database d precision 'ns'")
        .await
        .unwrap();
    e.execute(&mut s, "use d").await.unwrap();
    e.execute(&mut s, "create table t (ts timestamp, v int)")
        .await
        .unwrap();
    e.execute(
        &mut s,
        "insert into t values (1700000000123456789, 1) (1700000000123456790, 2) (1700000000123456791, 3)",
    )
    .await
    .unwrap();
    for (sql, want) in [
        ("select v from t where ts = 1700000000123456790", vec!["2"]),
        ("select v from t where 1700000000123456790 < ts", vec!["3"]),
        (
            "select v from t where ts between 1700000000123456789 and 1700000000123456790 order by v",
            vec!["1", "2"],
        ),
        (
            "select v from t where ts in (1700000000123456789, 1700000000123456791) order by v",
            vec!["1", "3"],
        ),
        ("select v from t where ts >= 1700000000123456790 and v < 3", vec!["2"]),
    ] {
        assert_eq!(first_column(&e, &mut s, sql).await, want, "{sql}");
    }
}

#[tokio::test]
async fn select_from_a_missing_table_is_a_meta_error() {
    let e = Engine::new();
    let mut s = Session::new(None);
    e.execute(&mut s, "create database d").await.unwrap();
    let err = e
        .execute(&mut s, "select * from d.nope")
        .await
        .expect_err("missing table");
    assert_eq!(err.code, Code::PAR_GET_META_ERROR);
    assert!(err.message.contains("Table does not exist"), "{err}");
}
