//! Topics, consumer groups, offsets and polling through the engine's [`tmq::Tmq`] API (the
//! `/rest/tmq` wire is tested in `tests/integration/tmq.rs`).

use std::collections::BTreeSet;
use std::time::Duration;

use arrow::array::{Array, Int32Array};

use super::tests::first_column;
use super::tmq::{ConsumerId, OffsetReset, Polled, PolledKind, SubscribeOptions};
use super::*;

async fn run(e: &Engine, s: &mut Session, sql: &str) {
    if let Err(err) = e.execute(s, sql).await {
        panic!("{sql}: {err}");
    }
}

async fn error_code(e: &Engine, s: &mut Session, sql: &str) -> Code {
    match e.execute(s, sql).await {
        Ok(_) => panic!("{sql}: accepted"),
        Err(err) => err.code,
    }
}

/// A database `d` (2 vgroups) with super table `st (ts, v int) tags (g int)` and children
/// `c0`..`c3` with tag `g = n`.
async fn setup() -> (Engine, Session) {
    let e = Engine::new();
    let mut s = Session::new(None);
    run(&e, &mut s, "create database d vgroups 2").await;
    run(&e, &mut s, "use d").await;
    run(
        &e,
        &mut s,
        "create stable st (ts timestamp, v int) tags (g int)",
    )
    .await;
    for n in 0..4 {
        run(
            &e,
            &mut s,
            &format!("create table c{n} using st tags ({n})"),
        )
        .await;
    }
    (e, s)
}

fn opts(group: &str, reset: OffsetReset) -> SubscribeOptions {
    SubscribeOptions {
        group: group.to_owned(),
        offset_reset: reset,
        ..SubscribeOptions::default()
    }
}

fn subscribe(e: &Engine, group: &str, reset: OffsetReset, topics: &[&str]) -> ConsumerId {
    let topics: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
    e.tmq()
        .subscribe(None, opts(group, reset), &topics)
        .unwrap()
}

/// Polls until nothing comes within 50 ms; returns the messages.
async fn drain(e: &Engine, id: ConsumerId) -> Vec<Polled> {
    let mut out = Vec::new();
    while let Some(m) = e
        .tmq()
        .poll(e, id, Duration::from_millis(50))
        .await
        .unwrap()
    {
        out.push(m);
    }
    out
}

/// (table, v) of every data row of `msgs`.
fn rows(msgs: &[Polled]) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    for m in msgs.iter().filter(|m| m.kind == PolledKind::Data) {
        for b in &m.blocks {
            let v = b
                .batch
                .column_by_name("v")
                .unwrap()
                .as_any()
                .downcast_ref::<Int32Array>()
                .unwrap()
                .clone();
            for i in 0..v.len() {
                out.push((b.table.clone(), v.value(i)));
            }
        }
    }
    out.sort();
    out
}

async fn insert_all(e: &Engine, s: &mut Session, base: i64) {
    for n in 0..4 {
        run(
            e,
            s,
            &format!(
                "insert into c{n} values ({}, {n}) ({}, {})",
                base + n as i64,
                base + 100 + n as i64,
                n + 10
            ),
        )
        .await;
    }
}

fn expected_all() -> Vec<(String, i32)> {
    let mut v: Vec<(String, i32)> = (0..4)
        .flat_map(|n| [(format!("c{n}"), n), (format!("c{n}"), n + 10)])
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_database_topic_delivers_rows_written_before_and_after_subscribing() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    // Earlier rows are seeded into the log when the first topic is created.
    run(&e, &mut s, "insert into c0 values (1, 7)").await;
    let id = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    insert_all(&e, &mut s, 1_000).await;
    let got = rows(&drain(&e, id).await);
    let mut want = expected_all();
    want.push(("c0".into(), 7));
    want.sort();
    assert_eq!(got, want);
    // Nothing more until a new write.
    assert!(drain(&e, id).await.is_empty());
    run(&e, &mut s, "insert into c3 values (5000, 99)").await;
    assert_eq!(rows(&drain(&e, id).await), vec![("c3".into(), 99)]);
}

#[tokio::test]
async fn rows_written_before_the_first_topic_are_seeded() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "insert into c1 values (1, 5)").await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let id = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    assert_eq!(rows(&drain(&e, id).await), vec![("c1".into(), 5)]);
}

#[tokio::test]
async fn latest_skips_what_was_written_before_subscribing() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    insert_all(&e, &mut s, 1_000).await;
    let id = subscribe(&e, "g", OffsetReset::Latest, &["t1"]);
    assert!(drain(&e, id).await.is_empty());
    run(&e, &mut s, "insert into c2 values (9000, 42)").await;
    assert_eq!(rows(&drain(&e, id).await), vec![("c2".into(), 42)]);
}

#[tokio::test]
async fn a_poll_waits_for_a_write() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let id = subscribe(&e, "g", OffsetReset::Latest, &["t1"]);
    let e2 = e.clone();
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut s = Session::new(Some("d".into()));
        e2.execute(&mut s, "insert into c0 values (1, 3)")
            .await
            .unwrap();
    });
    let m = e
        .tmq()
        .poll(&e, id, Duration::from_secs(10))
        .await
        .unwrap()
        .expect("a message once the write lands");
    assert_eq!(rows(&[m]), vec![("c0".into(), 3)]);
    writer.await.unwrap();
}

#[tokio::test]
async fn consumers_of_one_group_split_the_vgroups_and_groups_are_independent() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    let b = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    let other = subscribe(&e, "h", OffsetReset::Earliest, &["t1"]);
    let va: Vec<i32> = e
        .tmq()
        .assignment(a, "t1")
        .unwrap()
        .iter()
        .map(|x| x.vgroup_id)
        .collect();
    let vb: Vec<i32> = e
        .tmq()
        .assignment(b, "t1")
        .unwrap()
        .iter()
        .map(|x| x.vgroup_id)
        .collect();
    assert_eq!(va.len(), 1);
    assert_eq!(vb.len(), 1);
    assert_ne!(va, vb);
    insert_all(&e, &mut s, 1_000).await;
    let ra = rows(&drain(&e, a).await);
    let rb = rows(&drain(&e, b).await);
    let ta: BTreeSet<_> = ra.iter().map(|r| r.0.clone()).collect();
    let tb: BTreeSet<_> = rb.iter().map(|r| r.0.clone()).collect();
    assert!(ta.is_disjoint(&tb), "{ta:?} / {tb:?}");
    let mut both = [ra, rb].concat();
    both.sort();
    assert_eq!(both, expected_all());
    // The other group reads everything on its own.
    assert_eq!(rows(&drain(&e, other).await), expected_all());
    // A leaving member's vgroups go to the one left.
    e.tmq().close(b);
    assert_eq!(e.tmq().assignment(a, "t1").unwrap().len(), 2);
}

#[tokio::test]
async fn committed_offsets_outlive_the_consumer() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    insert_all(&e, &mut s, 1_000).await;
    assert_eq!(rows(&drain(&e, a).await), expected_all());
    let vg = e.tmq().assignment(a, "t1").unwrap()[0].vgroup_id;
    assert_eq!(
        e.tmq().committed(a, "t1", vg).unwrap(),
        taosarrow_protocol::messages::TMQ_NO_COMMITTED
    );
    e.tmq().commit_all(a).unwrap();
    let pos = e.tmq().position(a, "t1", vg).unwrap();
    assert_eq!(e.tmq().committed(a, "t1", vg).unwrap(), pos);
    e.tmq().close(a);
    run(&e, &mut s, "insert into c0 values (5000, 77)").await;
    // The group resumes after its commit: only the new row.
    let b = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    assert_eq!(rows(&drain(&e, b).await), vec![("c0".into(), 77)]);
}

#[tokio::test]
async fn seek_rereads_and_errors_name_the_problem() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    insert_all(&e, &mut s, 1_000).await;
    assert_eq!(rows(&drain(&e, a).await), expected_all());
    for v in e.tmq().assignment(a, "t1").unwrap() {
        assert_eq!(v.offset, v.end);
        e.tmq().seek(a, "t1", v.vgroup_id, v.begin).unwrap();
        let err = e.tmq().seek(a, "t1", v.vgroup_id, v.end + 1).unwrap_err();
        assert_eq!(err.code, Code::TMQ_VERSION_OUT_OF_RANGE);
    }
    assert_eq!(rows(&drain(&e, a).await), expected_all());
    let err = e.tmq().seek(a, "t1", 999, 0).unwrap_err();
    assert_eq!(err.code, Code::TMQ_INVALID_VGID);
    let err = e.tmq().position(a, "nope", 2).unwrap_err();
    assert_eq!(err.code, Code::TMQ_INVALID_TOPIC);
    let err = e
        .tmq()
        .subscribe(None, opts("g", OffsetReset::Earliest), &["missing".into()])
        .unwrap_err();
    assert_eq!(err.code, Code::MND_TOPIC_NOT_EXIST);
}

#[tokio::test]
async fn offset_reset_none_fails_without_a_commit() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let a = subscribe(&e, "g", OffsetReset::None, &["t1"]);
    let err = e
        .tmq()
        .poll(&e, a, Duration::from_millis(10))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::TMQ_NO_COMMITTED);
}

#[tokio::test]
async fn a_stable_topic_filters_children_by_tag() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as stable st where g >= 2").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    insert_all(&e, &mut s, 1_000).await;
    let got = rows(&drain(&e, a).await);
    let want: Vec<_> = expected_all()
        .into_iter()
        .filter(|(t, _)| t == "c2" || t == "c3")
        .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn a_query_topic_projects_and_filters_each_write() {
    let (e, mut s) = setup().await;
    run(
        &e,
        &mut s,
        "create topic t1 as select ts, v, tbname from st where v >= 10 and g < 2",
    )
    .await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    insert_all(&e, &mut s, 1_000).await;
    let got = rows(&drain(&e, a).await);
    assert_eq!(got, vec![("c0".into(), 10), ("c1".into(), 11)]);
}

#[tokio::test]
async fn with_meta_delivers_ddl_before_the_rows() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 with meta as database d").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    run(&e, &mut s, "create table n1 (ts timestamp, v int)").await;
    run(&e, &mut s, "insert into n1 values (1, 1)").await;
    run(&e, &mut s, "insert into c9 using st tags (9) values (1, 2)").await;
    let msgs = drain(&e, a).await;
    let metas: Vec<&serde_json::Value> = msgs.iter().filter_map(|m| m.meta.as_ref()).collect();
    let names: BTreeSet<&str> = metas
        .iter()
        .filter_map(|m| m["tableName"].as_str())
        .collect();
    assert!(names.contains("n1") && names.contains("c9"), "{metas:?}");
    for m in &metas {
        assert_eq!(m["type"], "create");
    }
    assert_eq!(rows(&msgs), vec![("c9".into(), 2), ("n1".into(), 1)]);
}

#[tokio::test]
async fn topic_statements_follow_tdengine() {
    let (e, mut s) = setup().await;
    assert_eq!(
        error_code(&e, &mut s, "create topic t1 as select count(*) from st").await,
        Code::MND_INVALID_TOPIC_QUERY
    );
    run(&e, &mut s, "create topic t1 as database d").await;
    assert_eq!(
        error_code(&e, &mut s, "create topic t1 as database d").await,
        Code::MND_TOPIC_ALREADY_EXIST
    );
    run(&e, &mut s, "create topic if not exists t1 as database d").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    assert_eq!(
        error_code(&e, &mut s, "drop topic t1").await,
        Code::MND_TOPIC_SUBSCRIBED
    );
    assert_eq!(
        error_code(&e, &mut s, "drop database d").await,
        Code::MND_TOPIC_MUST_BE_DELETED
    );
    assert_eq!(
        error_code(&e, &mut s, "drop consumer group g on t1").await,
        Code::MND_CGROUP_USED
    );
    assert_eq!(first_column(&e, &mut s, "show topics").await, vec!["t1"]);
    let consumers = first_column(&e, &mut s, "show consumers").await;
    assert_eq!(consumers, vec![a.to_string()]);
    let subs = first_column(&e, &mut s, "show subscriptions").await;
    assert_eq!(subs, vec!["t1", "t1"]);
    e.tmq().unsubscribe(a);
    run(&e, &mut s, "drop consumer group g on t1").await;
    run(&e, &mut s, "drop topic t1").await;
    assert_eq!(
        error_code(&e, &mut s, "drop topic t1").await,
        Code::MND_TOPIC_NOT_EXIST
    );
    run(&e, &mut s, "drop topic if exists t1").await;
    run(&e, &mut s, "drop database d").await;
}

#[tokio::test]
async fn drop_topic_force_ends_the_subscription() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    run(&e, &mut s, "drop topic force t1").await;
    assert!(e.tmq().subscription(a).is_empty());
    assert!(e.tmq().topic("t1").is_none());
}

#[tokio::test]
async fn alter_and_json_tags_are_delivered_as_meta() {
    let e = Engine::new();
    let mut s = Session::new(None);
    run(&e, &mut s, "create database d vgroups 2").await;
    run(&e, &mut s, "use d").await;
    run(
        &e,
        &mut s,
        "create stable sj (ts timestamp, v int) tags (j json)",
    )
    .await;
    run(&e, &mut s, "create topic t1 with meta as stable sj").await;
    let a = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    run(
        &e,
        &mut s,
        "insert into cj using sj tags ('{\"k\":1}') values (1, 2)",
    )
    .await;
    run(&e, &mut s, "alter stable sj add column w varchar(8)").await;
    run(&e, &mut s, "alter stable sj modify column w varchar(16)").await;
    run(&e, &mut s, "alter stable sj drop column w").await;
    let msgs = drain(&e, a).await;
    let metas: Vec<&serde_json::Value> = msgs.iter().filter_map(|m| m.meta.as_ref()).collect();
    let child = metas
        .iter()
        .find(|m| m["type"] == "create" && m["tableName"] == "cj")
        .expect("the child's creation");
    assert_eq!(child["using"], "sj");
    assert!(child["tags"].to_string().contains('k'), "{child}");
    // Each ALTER once (a super table's DDL goes to every vgroup, delivered once per vgroup).
    let alters: Vec<(i64, String)> = metas
        .iter()
        .filter(|m| m["type"] == "alter")
        .map(|m| {
            (
                m["alterType"].as_i64().unwrap(),
                m["colName"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (code, name) in [(5, "w"), (7, "w"), (6, "w")] {
        assert!(alters.contains(&(code, name.to_owned())), "{alters:?}");
    }
    let add = metas.iter().find(|m| m["alterType"] == 5).unwrap();
    assert_eq!(add["colLength"], 8);
    assert_eq!(rows(&msgs), vec![("cj".into(), 2)]);
}

#[tokio::test]
async fn a_consumer_that_stops_polling_loses_its_vgroups() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let mut slow = opts("g", OffsetReset::Earliest);
    slow.max_poll_interval = Duration::from_millis(100);
    let a = e.tmq().subscribe(None, slow, &["t1".into()]).unwrap();
    let b = subscribe(&e, "g", OffsetReset::Earliest, &["t1"]);
    assert_eq!(e.tmq().assignment(b, "t1").unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    insert_all(&e, &mut s, 1_000).await;
    // b's poll finds a past its max.poll.interval: the group is rebalanced to b alone.
    assert_eq!(rows(&drain(&e, b).await), expected_all());
    assert_eq!(e.tmq().assignment(b, "t1").unwrap().len(), 2);
    assert!(e.tmq().assignment(a, "t1").unwrap().is_empty());
    // a polls again: it rejoins and the vgroups are split again.
    assert!(e.tmq().poll(&e, a, Duration::ZERO).await.is_ok());
    assert_eq!(e.tmq().assignment(a, "t1").unwrap().len(), 1);
}

#[tokio::test]
async fn a_write_during_a_poll_is_delivered_exactly_once() {
    let (e, mut s) = setup().await;
    run(&e, &mut s, "create topic t1 as database d").await;
    let id = subscribe(&e, "g", OffsetReset::Latest, &["t1"]);
    let e2 = e.clone();
    let writer = tokio::spawn(async move {
        let mut s = Session::new(Some("d".into()));
        for k in 0..20 {
            tokio::time::sleep(Duration::from_millis(2)).await;
            e2.execute(
                &mut s,
                &format!("insert into c{} values ({}, {k})", k % 4, 10 + k),
            )
            .await
            .unwrap();
        }
    });
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while got.len() < 20 && std::time::Instant::now() < deadline {
        if let Some(m) = e
            .tmq()
            .poll(&e, id, Duration::from_millis(20))
            .await
            .unwrap()
        {
            got.extend(rows(&[m]).into_iter().map(|r| r.1));
        }
    }
    writer.await.unwrap();
    got.extend(rows(&drain(&e, id).await).into_iter().map(|r| r.1));
    got.sort();
    assert_eq!(got, (0..20).collect::<Vec<i32>>());
}
