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
