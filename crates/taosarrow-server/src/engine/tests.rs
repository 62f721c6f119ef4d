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
pub(super) async fn first_column(e: &Engine, s: &mut Session, sql: &str) -> Vec<String> {
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

/// An engine with `d.t(ts ms, v INT, f FLOAT, s VARCHAR)` holding two rows.
async fn small() -> (Engine, Session) {
    let e = Engine::new();
    let mut s = Session::new(None);
    for sql in [
        "create database d",
        "use d",
        "create table t (ts timestamp, v int, f float, s varchar(8))",
        "insert into t values (1700000000000, 7, 1.5, 'it\\'s') (1700000001000, -3, 2.5, 'x')",
    ] {
        e.execute(&mut s, sql).await.unwrap();
    }
    (e, s)
}

/// The TDengine type code of every result column and the rows as text.
async fn typed(e: &Engine, s: &mut Session, sql: &str) -> (Vec<String>, Vec<String>) {
    let Outcome::Rows(rs) = e.execute(s, sql).await.unwrap() else {
        panic!("{sql}: no rows")
    };
    let types = rs
        .schema
        .fields()
        .iter()
        .map(|f| {
            taosarrow_codec::column_spec(f)
                .unwrap()
                .ty
                .sql_name()
                .to_owned()
        })
        .collect();
    let mut rows = Vec::new();
    for b in &rs.batches {
        for r in 0..b.num_rows() {
            let cells: Vec<String> = b
                .columns()
                .iter()
                .map(|c| arrow::util::display::array_value_to_string(c, r).unwrap())
                .collect();
            rows.push(cells.join("|"));
        }
    }
    (types, rows)
}

#[tokio::test]
async fn arithmetic_is_double_as_in_tdengine() {
    let (e, mut s) = small().await;
    let (types, rows) = typed(&e, &mut s, "select v / 2, v % 4, v * 2, -v, 1 + 1 from t").await;
    assert_eq!(types, ["DOUBLE"; 5]);
    assert_eq!(rows, ["3.5|3.0|14.0|-7.0|2.0", "-1.5|-3.0|-6.0|3.0|2.0"]);
    let (types, rows) = typed(&e, &mut s, "select sum(v) / count(v) from t").await;
    assert_eq!(
        (types, rows),
        (vec!["DOUBLE".to_owned()], vec!["2.0".to_owned()])
    );
    let (_, rows) = typed(&e, &mut s, "select v from t where v / 2 = 3.5").await;
    assert_eq!(rows, ["7"]);
}

#[tokio::test]
async fn timestamps_shift_by_integer_ticks() {
    let (e, mut s) = small().await;
    let (types, rows) = typed(&e, &mut s, "select ts - 1000, 500 + ts from t where v = 7").await;
    assert_eq!(types, ["TIMESTAMP", "TIMESTAMP"]);
    assert_eq!(rows, ["2023-11-14T22:13:19|2023-11-14T22:13:20.500"]);
}

#[tokio::test]
async fn string_escapes_and_casts() {
    let (e, mut s) = small().await;
    let (_, rows) = typed(&e, &mut s, "select v from t where s = 'it\\'s'").await;
    assert_eq!(rows, ["7"]);
    let (types, rows) = typed(
        &e,
        &mut s,
        "select cast(v as double), cast(f as int) from t",
    )
    .await;
    assert_eq!(types, ["DOUBLE", "INT"]);
    assert_eq!(rows[0], "7.0|1"); // C-style truncation, as TDengine casts
}

#[tokio::test]
async fn unsupported_syntax_is_named() {
    let (e, mut s) = small().await;
    for (sql, what) in [
        (
            "select * from (select * from (select v from t))",
            "more than one level of subquery",
        ),
        ("select * from t, t", "several tables in FROM"),
        ("explain select * from t", "EXPLAIN statements"),
        ("show table distributed t", "SHOW TABLE DISTRIBUTED"),
        (
            "select _wstart, count(*) from t partition by v interval(1s) limit 1",
            "LIMIT/OFFSET with PARTITION BY",
        ),
    ] {
        let err = e.execute(&mut s, sql).await.expect_err(sql);
        assert_eq!(err.code, Code::PAR_SYNTAX_ERROR, "{sql}");
        assert!(err.message.contains(what), "{sql}: {}", err.message);
    }
}

#[tokio::test]
async fn time_strings_and_day_windows_follow_the_connection_time_zone() {
    let (e, mut s) = small().await;
    s.set_timezone(Some(chrono_tz::Asia::Shanghai));
    // 1700000000000 is 2023-11-15 06:13:20 in Shanghai.
    let (_, rows) = typed(
        &e,
        &mut s,
        "select v from t where ts = '2023-11-15 06:13:20'",
    )
    .await;
    assert_eq!(rows, ["7"]);
    let (_, rows) = typed(
        &e,
        &mut s,
        "select v from t where ts in ('2023-11-15 06:13:21', '2000-01-01 00:00:00')",
    )
    .await;
    assert_eq!(rows, ["-3"]);
    // The day window starts at Shanghai midnight: 2023-11-14T16:00:00Z.
    let (_, rows) = typed(&e, &mut s, "select _wstart, count(*) from t interval(1d)").await;
    assert_eq!(rows, ["2023-11-14T16:00:00|2"]);
    s.set_timezone(None);
    let (_, rows) = typed(&e, &mut s, "select _wstart, count(*) from t interval(1d)").await;
    assert_eq!(rows, ["2023-11-14T00:00:00|2"]);
}

/// MATCH / NMATCH are regular-expression matches; a bad pattern is the statement's error.
#[tokio::test]
async fn match_and_nmatch_are_regular_expressions() {
    let (e, mut s) = small().await;
    let all = e.execute(&mut s, "select count(*) from t").await.unwrap();
    let count = |o: Outcome| match o {
        Outcome::Rows(rs) => rs.num_rows(),
        other => panic!("{other:?}"),
    };
    assert_eq!(count(all), 1);
    for sql in [
        "select v from t where s match '.*'",
        "select v from t where s nmatch '^never$'",
    ] {
        e.execute(&mut s, sql)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
    let err = e
        .execute(&mut s, "select v from t where s match '(a'")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PAR_SYNTAX_ERROR);
    assert!(
        err.message.contains("regular expression"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn decimal_literals_take_exponents_as_tdengine_does() {
    let e = Engine::new();
    let mut s = Session::new(None);
    for sql in [
        "create database d",
        "use d",
        "create table t (ts timestamp, v decimal(10, 2))",
        "insert into t values (1, 1.23E+5) (2, '-5e-3') (3, ' 0.995 ')",
    ] {
        e.execute(&mut s, sql).await.unwrap();
    }
    let got = first_column(&e, &mut s, "select v from t order by ts").await;
    assert_eq!(got, ["123000.00", "-0.01", "1.00"]);
    for bad in ["1e", "1.2.3", "1e9"] {
        let sql = format!("insert into t values (4, '{bad}')");
        let err = e.execute(&mut s, &sql).await.unwrap_err();
        assert_eq!(err.code, Code::PAR_WRONG_VALUE_TYPE, "{bad}: {err}");
    }
}

/// Every NOW of a statement is its start: 20 000 `NOW + k a` literals are exactly k ms apart,
/// however long the statement takes to read.
#[tokio::test]
async fn now_is_one_instant_per_statement() {
    let e = Engine::new();
    let mut s = Session::new(None);
    e.execute(&mut s, "create database d").await.unwrap();
    e.execute(&mut s, "use d").await.unwrap();
    e.execute(&mut s, "create table t (ts timestamp, v bigint)")
        .await
        .unwrap();
    let n = 20_000;
    let mut sql = String::from("insert into t values");
    for k in 0..n {
        sql.push_str(&format!(" (now + {k}a, {k})"));
    }
    e.execute(&mut s, &sql).await.unwrap();
    let Outcome::Rows(rs) = e
        .execute(&mut s, "select ts, v, now() from t order by ts")
        .await
        .unwrap()
    else {
        panic!("no rows")
    };
    let mut ts = Vec::new();
    let mut v = Vec::new();
    for b in &rs.batches {
        let col = |k: usize| {
            arrow::compute::cast(b.column(k), &arrow::datatypes::DataType::Int64).unwrap()
        };
        let (t, w) = (col(0), col(1));
        ts.extend(
            t.as_any()
                .downcast_ref::<arrow::array::Int64Array>()
                .unwrap()
                .values()
                .iter()
                .copied(),
        );
        v.extend(
            w.as_any()
                .downcast_ref::<arrow::array::Int64Array>()
                .unwrap()
                .values()
                .iter()
                .copied(),
        );
    }
    assert_eq!(ts.len(), n);
    let offsets: Vec<i64> = ts.iter().map(|t| t - ts[0]).collect();
    assert_eq!(offsets, v);
}

#[tokio::test]
async fn alter_stable_modify_widens_a_column_and_a_tag() {
    let e = Engine::new();
    let mut s = Session::new(None);
    for sql in [
        "create database d",
        "use d",
        "create stable st (ts timestamp, v varchar(4)) tags (g nchar(2))",
        "insert into c1 using st tags ('ab') values (1, 'abcd')",
    ] {
        e.execute(&mut s, sql).await.unwrap();
    }
    let long = "insert into c1 values (2, 'abcdefghij')";
    assert!(e.execute(&mut s, long).await.is_err());
    e.execute(&mut s, "alter stable st modify column v varchar(10)")
        .await
        .unwrap();
    e.execute(&mut s, long).await.unwrap();
    e.execute(&mut s, "alter stable st modify tag g nchar(5)")
        .await
        .unwrap();
    e.execute(&mut s, "create table c2 using st tags ('abcde')")
        .await
        .unwrap();
    assert_eq!(
        first_column(&e, &mut s, "select v from st order by ts").await,
        ["abcd", "abcdefghij"]
    );
    for narrower in [
        "alter stable st modify column v varchar(3)",
        "alter stable st modify column v nchar(20)",
        "alter stable st modify column ts timestamp",
    ] {
        assert!(e.execute(&mut s, narrower).await.is_err(), "{narrower}");
    }
}
