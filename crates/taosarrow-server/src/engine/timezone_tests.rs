//! Time strings without an offset are read in the connection's time zone, else the
//! server's (TDengine's rule), wherever SQL or a bind carries one.

use super::tests::first_column;
use super::*;

const SHANGHAI: chrono_tz::Tz = chrono_tz::Tz::Asia__Shanghai;
/// 2025-01-01 12:00:00 in Shanghai (04:00 UTC), in ms.
const NOON_SHANGHAI_MS: i64 = 1_735_704_000_000;

async fn run(e: &Engine, s: &mut Session, sql: &str) {
    e.execute(s, sql)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
}

async fn setup(e: &Engine, s: &mut Session) {
    run(e, s, "create database d").await;
    run(e, s, "use d").await;
    run(
        e,
        s,
        "create stable st (ts timestamp, v int) tags (at timestamp)",
    )
    .await;
    run(e, s, "create table t (ts timestamp, v int)").await;
}

#[tokio::test]
async fn a_connection_without_a_zone_reads_strings_in_the_servers_zone() {
    let e = Engine::new().with_timezone(Some(SHANGHAI));
    let mut s = e.session(None);
    setup(&e, &mut s).await;
    run(
        &e,
        &mut s,
        "insert into t values ('2025-01-01 12:00:00', 1)",
    )
    .await;
    run(
        &e,
        &mut s,
        "insert into c1 using st tags ('2025-01-01 12:00:00') values ('2025-01-01T12:00:00', 2)",
    )
    .await;
    let ticks = first_column(&e, &mut s, "select cast(ts as bigint) from t").await;
    assert_eq!(ticks, [NOON_SHANGHAI_MS.to_string()]);
    let ticks = first_column(&e, &mut s, "select cast(ts as bigint) from c1").await;
    assert_eq!(ticks, [NOON_SHANGHAI_MS.to_string()]);
    let tag = first_column(&e, &mut s, "select cast(at as bigint) from c1").await;
    assert_eq!(tag, [NOON_SHANGHAI_MS.to_string()]);
    // WHERE literals follow the same rule.
    let hit = first_column(
        &e,
        &mut s,
        "select v from t where ts = '2025-01-01 12:00:00'",
    )
    .await;
    assert_eq!(hit, ["1"]);
    // An explicit offset is always honoured.
    let hit = first_column(
        &e,
        &mut s,
        "select v from t where ts = '2025-01-01T04:00:00Z'",
    )
    .await;
    assert_eq!(hit, ["1"]);
}

#[tokio::test]
async fn the_connections_zone_overrides_the_servers_and_none_restores_it() {
    let e = Engine::new().with_timezone(Some(SHANGHAI));
    let mut s = e.session(None);
    setup(&e, &mut s).await;
    s.set_timezone(Some(chrono_tz::Tz::UTC));
    run(
        &e,
        &mut s,
        "insert into t values ('2025-01-01 12:00:00', 1)",
    )
    .await;
    s.set_timezone(None);
    run(
        &e,
        &mut s,
        "insert into t values ('2025-01-01 12:00:00', 2)",
    )
    .await;
    let ticks = first_column(&e, &mut s, "select cast(ts as bigint) from t order by v").await;
    let utc_noon = NOON_SHANGHAI_MS + 8 * 3_600_000;
    assert_eq!(ticks, [utc_noon.to_string(), NOON_SHANGHAI_MS.to_string()]);
}

#[tokio::test]
async fn a_bare_engine_and_session_read_strings_in_utc() {
    let e = Engine::new();
    let mut s = Session::new(None);
    setup(&e, &mut s).await;
    run(
        &e,
        &mut s,
        "insert into t values ('2025-01-01 12:00:00', 1)",
    )
    .await;
    let ticks = first_column(&e, &mut s, "select cast(ts as bigint) from t").await;
    assert_eq!(ticks, [(NOON_SHANGHAI_MS + 8 * 3_600_000).to_string()]);
}

#[tokio::test]
async fn today_is_the_midnight_of_the_connections_zone() {
    let e = Engine::new().with_timezone(Some(SHANGHAI));
    let mut s = e.session(None);
    setup(&e, &mut s).await;
    run(&e, &mut s, "insert into t values (today(), 1)").await;
    let ticks = first_column(&e, &mut s, "select cast(ts as bigint) from t").await;
    let stored: i64 = ticks[0].parse().unwrap();
    let expect = time::today(s.statement_time(), Precision::Millisecond, Some(SHANGHAI));
    assert_eq!(stored, expect);
    // Midnight in Shanghai is 16:00 UTC.
    assert_eq!(stored.rem_euclid(86_400_000), 16 * 3_600_000);
    let hit = first_column(&e, &mut s, "select v from t where ts = today()").await;
    assert_eq!(hit, ["1"]);
}
