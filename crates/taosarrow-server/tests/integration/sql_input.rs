//! Hostile SQL over the WebSocket: each statement gets a TDengine error and the same
//! connection runs the next query.

use crate::support::{load, server, Client};
use serde_json::Value;
use taosarrow_server::ServerConfig;

/// The row count of a successful `select count(*)`: the connection still works.
async fn still_answers(c: &mut Client, after: &str) {
    let r = c.query(99, "select count(*) from db.t").await;
    assert_eq!(r["code"], 0, "after {after:?}: {r}");
}

#[tokio::test]
async fn hostile_statements_get_errors_and_the_connection_stays_usable() {
    let s = server(ServerConfig::default()).await;
    let mut c = Client::connect(&s).await;
    load(&mut c, 3).await;
    c.exec("create table db.vb (ts timestamp, b varbinary(8))")
        .await;
    let deep = 100_000;
    let cases: Vec<(String, u64)> = vec![
        ("SELECT a,中".to_owned(), 0x2602),
        ("insert into db.t values (10, 'aé', 'x')".to_owned(), 0x2605),
        ("insert into db.t values (10, 中, 'x')".to_owned(), 0x2600),
        (
            "insert into db.vb values (10, '\\x中中中中')".to_owned(),
            0x2653,
        ),
        (
            format!(
                "select {}v{} from db.t",
                "last(".repeat(deep),
                ")".repeat(deep)
            ),
            0x2600,
        ),
        ("select last(last(v)) from db.t".to_owned(), 0x2627),
        (format!("show databases like '{}x'", "%".repeat(40)), 0),
        (format!("show databases like '{}'", "%".repeat(100_000)), 0),
    ];
    for (k, (sql, code)) in cases.iter().enumerate() {
        let r: Value = c.query(k as u64 + 10, sql).await;
        let short: String = sql.chars().take(60).collect();
        assert_eq!(r["code"], *code, "{short}: {r}");
        still_answers(&mut c, &short).await;
    }
}
