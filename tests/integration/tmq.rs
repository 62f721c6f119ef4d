//! The TMQ consumer against the embedded server's `/rest/tmq`: rows as Arrow in every
//! precision, consumer groups splitting vgroups, commits and resuming, offsets and seek, meta
//! messages, topic forms, auto-commit, errors, a poll whose answer never comes, and
//! reconnecting after a dropped socket without losing rows.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use futures_util::{SinkExt, StreamExt};
use taosarrow::protocol::messages::{to_json, ResponseHeader, TmqRequest, TmqSubscribeResponse};
use taosarrow::tmq::{Consumer, ConsumerOptions, Message, MessageKind};
use taosarrow::{Code, ConnectOptions, Connection, Error, ErrorKind};
use taosarrow_server::{FaultConfig, LocalServer, ServerConfig};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message as WsMessage;

async fn server() -> (LocalServer, Connection) {
    let s = LocalServer::start(ServerConfig::default()).await.unwrap();
    let opts = ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(20));
    let c = Connection::connect(&opts).await.unwrap();
    (s, c)
}

async fn exec_all(c: &Connection, sql: &[&str]) {
    for q in sql {
        c.exec(q).await.unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

/// Consumer options of `group` reading from the earliest offset, auto-commit off, with the
/// extra DSN parameters `extra` (`&k=v…`).
fn consumer_opts(s: &LocalServer, group: &str, extra: &str) -> ConsumerOptions {
    let dsn = format!(
        "{}?group.id={group}&client.id={group}-c&auto.offset.reset=earliest\
         &enable.auto.commit=false{extra}",
        s.dsn("root", "taosdata")
    );
    let mut o = ConsumerOptions::from_dsn(&dsn).unwrap();
    let conn = o.connect_options().clone();
    *o.connect_options_mut() = conn
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(20));
    o
}

async fn consumer(s: &LocalServer, group: &str, topic: &str) -> Consumer {
    let c = Consumer::connect(&consumer_opts(s, group, ""))
        .await
        .unwrap();
    c.subscribe(&[topic]).await.unwrap();
    c
}

/// Polls until `rows` rows arrived (every message kept) or 20 polls in a row found nothing.
async fn drain(c: &Consumer, rows: usize) -> Vec<Message> {
    let mut got = Vec::new();
    let mut n = 0;
    let mut idle = 0;
    while n < rows && idle < 20 {
        match c.poll(Duration::from_millis(200)).await.unwrap() {
            Some(m) => {
                idle = 0;
                n += m.num_rows();
                got.push(m);
            }
            None => idle += 1,
        }
    }
    got
}

/// `(table, ts ticks, v)` of every row of `messages`, sorted by `v`.
fn rows(messages: &[Message]) -> Vec<(String, i64, i32)> {
    let mut out = Vec::new();
    for m in messages {
        for b in m.blocks() {
            let table = b.table_name().unwrap_or_default().to_owned();
            let batch = b.batch();
            let ts = ticks(batch, "ts");
            let v = batch
                .column_by_name("v")
                .unwrap_or_else(|| panic!("no v in {:?}", batch.schema()))
                .as_primitive::<Int32Type>();
            for (i, t) in ts.into_iter().enumerate() {
                out.push((table.clone(), t, v.value(i)));
            }
        }
    }
    out.sort_by_key(|r| r.2);
    out
}

fn ticks(batch: &RecordBatch, name: &str) -> Vec<i64> {
    let col = batch.column_by_name(name).unwrap();
    let ints = arrow_cast::cast(col, &DataType::Int64).unwrap();
    ints.as_primitive::<Int64Type>().values().to_vec()
}

#[tokio::test]
async fn rows_come_back_as_arrow_with_exact_timestamps_in_each_precision() {
    let (s, sql) = server().await;
    let cases = [
        ("ms", TimeUnit::Millisecond, 1_700_000_000_001_i64, None),
        (
            "us",
            TimeUnit::Microsecond,
            1_700_000_000_000_001,
            Some("UTC"),
        ),
        (
            "ns",
            TimeUnit::Nanosecond,
            1_700_000_000_000_000_001,
            Some("Asia/Shanghai"),
        ),
    ];
    for (p, unit, t0, tz) in cases {
        exec_all(
            &sql,
            &[
                &format!("create database d_{p} precision '{p}' vgroups 1"),
                &format!("create table d_{p}.t (ts timestamp, v int)"),
                &format!("create topic t_{p} as database d_{p}"),
            ],
        )
        .await;
        let mut opts = consumer_opts(&s, &format!("g_{p}"), "");
        if let Some(tz) = tz {
            let conn = opts.connect_options().clone().with_timezone(tz).unwrap();
            *opts.connect_options_mut() = conn;
        }
        let c = Consumer::connect(&opts).await.unwrap();
        c.subscribe(&[format!("t_{p}")]).await.unwrap();
        assert_eq!(c.list_topics(), [format!("t_{p}")]);
        sql.exec(&format!(
            "insert into d_{p}.t values ({t0}, 1) ({}, 2) ({}, NULL)",
            t0 + 1,
            t0 + 2
        ))
        .await
        .unwrap();
        let got = drain(&c, 3).await;
        assert!(!got.is_empty(), "{p}: no message");
        for m in &got {
            assert_eq!(m.kind(), MessageKind::Data);
            assert_eq!(m.topic(), format!("t_{p}"));
            assert_eq!(m.database(), format!("d_{p}"));
            assert_eq!(m.precision().name(), p);
            for b in m.blocks() {
                assert_eq!(b.table_name(), Some("t"));
                let f = b.batch().schema();
                assert_eq!(
                    f.field(0).data_type(),
                    &DataType::Timestamp(unit, tz.map(Into::into)),
                    "{p}"
                );
            }
        }
        let batches: Vec<RecordBatch> = got.into_iter().flat_map(Message::into_batches).collect();
        let all = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
        assert_eq!(ticks(&all, "ts"), [t0, t0 + 1, t0 + 2], "{p}");
        let v = all.column(1).as_primitive::<Int32Type>();
        assert_eq!((v.value(0), v.value(1), v.is_null(2)), (1, 2, true), "{p}");
        // The same type a query of the table gives on a connection with that zone.
        let mut q = ConnectOptions::from_dsn(&s.dsn("root", "taosdata")).unwrap();
        if let Some(tz) = tz {
            q = q.with_timezone(tz).unwrap();
        }
        let qc = Connection::connect(&q).await.unwrap();
        let schema = qc
            .query(&format!("select ts from d_{p}.t"))
            .await
            .unwrap()
            .schema();
        assert_eq!(
            schema.field(0).data_type(),
            all.schema().field(0).data_type()
        );
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn two_consumers_of_a_group_split_the_vgroups() {
    let (s, sql) = server().await;
    let mut ddl = vec![
        "create database d vgroups 2".to_owned(),
        "create stable d.st (ts timestamp, v int) tags (g int)".to_owned(),
    ];
    for i in 0..8 {
        ddl.push(format!("create table d.c{i} using d.st tags ({i})"));
    }
    ddl.push("create topic t as database d".to_owned());
    exec_all(&sql, &ddl.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let a = consumer(&s, "g", "t").await;
    assert_eq!(a.assignment("t").await.unwrap().len(), 2);
    let b = consumer(&s, "g", "t").await;
    let va: BTreeSet<i32> = a
        .assignment("t")
        .await
        .unwrap()
        .iter()
        .map(|x| x.vgroup_id)
        .collect();
    let vb: BTreeSet<i32> = b
        .assignment("t")
        .await
        .unwrap()
        .iter()
        .map(|x| x.vgroup_id)
        .collect();
    assert_eq!((va.len(), vb.len()), (1, 1), "{va:?} {vb:?}");
    assert!(va.is_disjoint(&vb), "{va:?} {vb:?}");
    for i in 0..8 {
        sql.exec(&format!(
            "insert into d.c{i} values ({}, {i})",
            1_700_000_000_000_i64 + i
        ))
        .await
        .unwrap();
    }
    let (mut from_a, mut from_b) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs(20);
    while rows(&from_a).len() + rows(&from_b).len() < 8 && Instant::now() < deadline {
        if let Some(m) = a.poll(Duration::from_millis(100)).await.unwrap() {
            from_a.push(m);
        }
        if let Some(m) = b.poll(Duration::from_millis(100)).await.unwrap() {
            from_b.push(m);
        }
    }
    let seen_a: BTreeSet<i32> = from_a.iter().map(Message::vgroup_id).collect();
    let seen_b: BTreeSet<i32> = from_b.iter().map(Message::vgroup_id).collect();
    assert_eq!(seen_a, va, "consumer a read only its own vgroup");
    assert_eq!(seen_b, vb, "consumer b read only its own vgroup");
    let mut all: Vec<i32> = rows(&from_a)
        .iter()
        .chain(&rows(&from_b))
        .map(|r| r.2)
        .collect();
    all.sort();
    assert_eq!(all, (0..8).collect::<Vec<_>>(), "every row once");
    for (table, _, v) in rows(&from_a).into_iter().chain(rows(&from_b)) {
        assert_eq!(table, format!("c{v}"));
    }
}

#[tokio::test]
async fn a_new_consumer_of_the_group_resumes_after_the_commit() {
    let (s, sql) = server().await;
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create table d.t (ts timestamp, v int)",
            "create topic t as database d",
            "insert into d.t values (1700000000000, 0) (1700000000001, 1) (1700000000002, 2)",
        ],
    )
    .await;
    let c1 = consumer(&s, "g", "t").await;
    let [a] = &c1.assignment("t").await.unwrap()[..] else {
        panic!("one vgroup")
    };
    let vg = a.vgroup_id;
    assert_eq!(
        c1.committed("t", vg).await.unwrap(),
        None,
        "nothing committed yet"
    );
    let got = drain(&c1, 3).await;
    assert_eq!(
        rows(&got).iter().map(|r| r.2).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    let last = got.last().unwrap();
    c1.commit(last).await.unwrap();
    let committed = c1.committed("t", vg).await.unwrap().expect("committed");
    assert_eq!(committed, c1.position("t", vg).await.unwrap());
    c1.close().await.unwrap();
    // Calls after close fail as closed.
    assert_eq!(
        c1.position("t", vg).await.unwrap_err().kind(),
        ErrorKind::Connection
    );

    sql.exec("insert into d.t values (1700000000003, 3) (1700000000004, 4)")
        .await
        .unwrap();
    let c2 = consumer(&s, "g", "t").await;
    assert_eq!(c2.committed("t", vg).await.unwrap(), Some(committed));
    let got = drain(&c2, 2).await;
    assert_eq!(rows(&got).iter().map(|r| r.2).collect::<Vec<_>>(), [3, 4]);
    assert!(c2.poll(Duration::from_millis(300)).await.unwrap().is_none());
    // Another group starts from the earliest offset again.
    let other = consumer(&s, "g2", "t").await;
    assert_eq!(rows(&drain(&other, 5).await).len(), 5);
}

#[tokio::test]
async fn commit_offset_and_seek_to_begin_deliver_again() {
    let (s, sql) = server().await;
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create table d.t (ts timestamp, v int)",
            "create topic t as database d",
            "insert into d.t values (1700000000000, 0)",
            "insert into d.t values (1700000000001, 1)",
            "insert into d.t values (1700000000002, 2)",
        ],
    )
    .await;
    let c = consumer(&s, "g", "t").await;
    let first = drain(&c, 3).await;
    assert_eq!(rows(&first).len(), 3);
    let all = c.assignments().await.unwrap();
    let [(topic, vgs)] = &all[..] else {
        panic!("{all:?}")
    };
    assert_eq!(topic, "t");
    let [a] = vgs[..] else { panic!("{vgs:?}") };
    assert!(a.begin <= a.end, "{a:?}");
    assert_eq!(a.offset, c.position("t", a.vgroup_id).await.unwrap());
    assert!(c.poll(Duration::from_millis(200)).await.unwrap().is_none());

    c.seek("t", a.vgroup_id, a.begin).await.unwrap();
    assert_eq!(c.position("t", a.vgroup_id).await.unwrap(), a.begin);
    let again = drain(&c, 3).await;
    assert_eq!(
        rows(&again),
        rows(&first),
        "seek to begin delivers everything again"
    );

    // commit_offset stores exactly the value given.
    let m = &first[0];
    c.commit_offset("t", m.vgroup_id(), m.offset())
        .await
        .unwrap();
    assert_eq!(
        c.committed("t", m.vgroup_id()).await.unwrap(),
        Some(m.offset())
    );
    // A vgroup that does not exist.
    let e = c.seek("t", 9999, 0).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tmq, "{e}");
    assert!(e.code().is_some(), "{e}");
}

/// Every JSON meta object of `messages`, batch meta flattened.
fn metas(messages: &[Message]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for m in messages {
        let Some(meta) = m.meta() else { continue };
        match meta.get("metas").and_then(|v| v.as_array()) {
            Some(list) => out.extend(list.iter().cloned()),
            None => out.push(meta.clone()),
        }
    }
    out
}

#[tokio::test]
async fn a_topic_with_meta_delivers_the_ddl_as_json() {
    let (s, sql) = server().await;
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create topic t with meta as database d",
        ],
    )
    .await;
    let c = consumer(&s, "g", "t").await;
    exec_all(
        &sql,
        &[
            "create stable d.st (ts timestamp, v int) tags (g int)",
            "create table d.c1 using d.st tags (1)",
            "insert into d.c1 values (1700000000000, 7)",
        ],
    )
    .await;
    let mut got = Vec::new();
    let mut idle = 0;
    while idle < 10 {
        match c.poll(Duration::from_millis(200)).await.unwrap() {
            Some(m) => got.push(m),
            None => idle += 1,
        }
    }
    assert!(got.iter().any(|m| m.kind().has_meta()), "{got:?}");
    for m in &got {
        assert_eq!(m.kind().has_meta(), m.meta().is_some(), "{m:?}");
        if m.kind() == MessageKind::Meta {
            assert!(m.blocks().is_empty());
        }
    }
    let metas = metas(&got);
    let stable = metas
        .iter()
        .find(|m| m["type"] == "create" && m["tableName"] == "st")
        .unwrap_or_else(|| panic!("no create of st in {metas:?}"));
    assert_eq!(stable["tableType"], "super");
    let columns: Vec<&str> = stable["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["ts", "v"]);
    assert!(
        metas
            .iter()
            .any(|m| m["type"] == "create" && m["tableName"] == "c1"),
        "{metas:?}"
    );
    assert_eq!(rows(&got), [("c1".to_owned(), 1_700_000_000_000, 7)]);
}

#[tokio::test]
async fn stable_and_query_topics_deliver_what_they_select() {
    let (s, sql) = server().await;
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create stable d.st (ts timestamp, v int, w double) tags (g int)",
            "create table d.c0 using d.st tags (0)",
            "create table d.c1 using d.st tags (1)",
            "create topic ts1 as stable d.st where g = 1",
            "create topic tq as select ts, v from d.st",
            "insert into d.c0 values (1700000000000, 10, 0.5)",
            "insert into d.c1 values (1700000000001, 11, 1.5)",
        ],
    )
    .await;
    let stable = consumer(&s, "g1", "ts1").await;
    let got = drain(&stable, 1).await;
    assert_eq!(rows(&got), [("c1".to_owned(), 1_700_000_000_001, 11)]);
    assert!(stable
        .poll(Duration::from_millis(300))
        .await
        .unwrap()
        .is_none());
    for m in &got {
        for b in m.blocks() {
            let names: Vec<String> = b
                .batch()
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            assert_eq!(names, ["ts", "v", "w"], "all columns, no tags");
        }
    }
    let query = consumer(&s, "g2", "tq").await;
    let got = drain(&query, 2).await;
    assert_eq!(rows(&got).iter().map(|r| r.2).collect::<Vec<_>>(), [10, 11]);
    for m in &got {
        for b in m.blocks() {
            let names: Vec<String> = b
                .batch()
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            assert_eq!(names, ["ts", "v"], "the projection");
        }
    }
}

#[tokio::test]
async fn the_client_auto_commits_before_a_poll() {
    let (s, sql) = server().await;
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create table d.t (ts timestamp, v int)",
            "create topic t as database d",
            "insert into d.t values (1700000000000, 0)",
        ],
    )
    .await;
    let opts = consumer_opts(
        &s,
        "g",
        "&enable.auto.commit=true&auto.commit.interval.ms=0",
    );
    assert!(opts.auto_commit());
    let c = Consumer::connect(&opts).await.unwrap();
    c.subscribe(&["t"]).await.unwrap();
    let got = drain(&c, 1).await;
    let vg = got[0].vgroup_id();
    assert_eq!(
        c.committed("t", vg).await.unwrap(),
        None,
        "not before the next poll"
    );
    let _ = c.poll(Duration::from_millis(100)).await.unwrap();
    let committed = c.committed("t", vg).await.unwrap();
    assert_eq!(committed, Some(c.position("t", vg).await.unwrap()));

    // Without auto-commit nothing is committed by polling.
    let manual = consumer(&s, "g_manual", "t").await;
    drain(&manual, 1).await;
    let _ = manual.poll(Duration::from_millis(100)).await.unwrap();
    assert_eq!(manual.committed("t", vg).await.unwrap(), None);
}

#[tokio::test]
async fn errors_carry_the_tdengine_code() {
    let (s, sql) = server().await;
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create topic t as database d",
        ],
    )
    .await;
    let c = Consumer::connect(&consumer_opts(&s, "g", ""))
        .await
        .unwrap();
    let e = c.poll(Duration::from_millis(10)).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Tmq, Some(Code(0xFFFF))),
        "{e}"
    );
    let e = c.subscribe(&["no_such_topic"]).await.unwrap_err();
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert_eq!(e.code(), Some(Code(0x03E1)), "{e}");
    assert_eq!(e.kind(), ErrorKind::Tmq);
    assert!(c.list_topics().is_empty());

    // Unsubscribe, then subscribe again on the same consumer.
    c.subscribe(&["t"]).await.unwrap();
    assert_eq!(c.subscription().await.unwrap(), ["t"]);
    c.unsubscribe().await.unwrap();
    assert!(c.list_topics().is_empty());
    assert!(c.subscription().await.unwrap().is_empty());
    c.subscribe(&["t"]).await.unwrap();
    assert_eq!(c.list_topics(), ["t"]);

    // A consumer without a group is refused by the server.
    let mut opts = ConsumerOptions::from_dsn(&s.dsn("root", "taosdata")).unwrap();
    let conn = opts.connect_options().clone().with_conn_retries(0);
    *opts.connect_options_mut() = conn;
    let nogroup = Consumer::connect(&opts).await.unwrap();
    let e = nogroup.subscribe(&["t"]).await.unwrap_err();
    assert_eq!(e.code(), Some(Code(0x0118)), "{e}");
}

/// A peer that answers the handshake and `subscribe`, then never answers anything.
async fn silent_after_subscribe(listener: TcpListener) {
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
    let mut seen = BTreeMap::new();
    while let Some(Ok(msg)) = ws.next().await {
        let WsMessage::Text(t) = msg else { continue };
        let req = TmqRequest::parse(t.as_bytes()).unwrap();
        *seen.entry(req.action()).or_insert(0) += 1;
        let reply = match req.action() {
            "version" => r#"{"code":0,"message":"","action":"version","req_id":0,"timing":1,"version":"3.3.6.0"}"#.to_owned(),
            "subscribe" => to_json(&TmqSubscribeResponse {
                header: ResponseHeader::ok("subscribe", req.req_id(), 1),
                version: "3.3.6.0".into(),
            }),
            _ => continue,
        };
        ws.send(WsMessage::text(reply)).await.unwrap();
    }
}

#[tokio::test]
async fn a_poll_whose_answer_never_comes_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(silent_after_subscribe(listener));
    let conn = ConnectOptions::new()
        .with_host("127.0.0.1", port)
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_millis(500));
    let opts = ConsumerOptions::new()
        .with_connect_options(conn)
        .with_group_id("g");
    let c = Consumer::connect(&opts).await.unwrap();
    c.subscribe(&["t"]).await.unwrap();
    let started = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(10), c.poll(Duration::from_millis(300)))
        .await
        .expect("the poll must end by itself");
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    // The poll's own wait plus read_timeout, not read_timeout alone.
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
}

/// A peer that records every request: it answers the first poll with data message 1 (one
/// block, table `d1`, one row), its `fetch_raw_data` with the rows, later polls with nothing.
async fn scripted_data_peer(
    listener: TcpListener,
    seen: tokio::sync::mpsc::UnboundedSender<TmqRequest>,
) {
    use taosarrow::protocol::frames::{FetchRawDataBody, FetchRawDataFrame};
    use taosarrow::protocol::messages::{TmqCommitResponse, TmqPollResponse};
    use taosarrow_codec::tmq::{encode_data_rsp, DataRspBlock};

    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
    let mut polls = 0;
    while let Some(Ok(msg)) = ws.next().await {
        let WsMessage::Text(t) = msg else { continue };
        let req = TmqRequest::parse(t.as_bytes()).unwrap();
        let _ = seen.send(req.clone());
        let reply = match &req {
            TmqRequest::Version(_) => WsMessage::text(
                r#"{"code":0,"message":"","action":"version","req_id":0,"timing":1,"version":"3.3.6.0"}"#,
            ),
            TmqRequest::Subscribe(r) => WsMessage::text(to_json(&TmqSubscribeResponse {
                header: ResponseHeader::ok("subscribe", r.req_id, 1),
                version: "3.3.6.0".into(),
            })),
            TmqRequest::Poll(r) => {
                polls += 1;
                let first = polls == 1;
                WsMessage::text(to_json(&TmqPollResponse {
                    header: ResponseHeader::ok("poll", r.req_id, 1),
                    have_message: first,
                    topic: if first { "t".into() } else { String::new() },
                    database: if first { "d".into() } else { String::new() },
                    vgroup_id: if first { 2 } else { 0 },
                    message_type: if first { 1 } else { 0 },
                    message_id: if first { 1 } else { 0 },
                    offset: if first { 5 } else { 0 },
                }))
            }
            TmqRequest::FetchRawData(r) => {
                let schema = std::sync::Arc::new(arrow_schema::Schema::new(vec![
                    arrow_schema::Field::new(
                        "ts",
                        DataType::Timestamp(TimeUnit::Millisecond, None),
                        false,
                    ),
                    arrow_schema::Field::new("v", DataType::Int32, true),
                ]));
                let batch = RecordBatch::try_new(
                    schema,
                    vec![
                        std::sync::Arc::new(arrow_array::TimestampMillisecondArray::from(vec![
                            1_700_000_000_000,
                        ])),
                        std::sync::Arc::new(arrow_array::Int32Array::from(vec![42])),
                    ],
                )
                .unwrap();
                let mut raw = Vec::new();
                encode_data_rsp(
                    &[DataRspBlock {
                        table: "d1",
                        batch: &batch,
                    }],
                    taosarrow::Precision::Millisecond,
                    5,
                    6,
                    &mut raw,
                )
                .unwrap();
                let mut frame = Vec::new();
                FetchRawDataFrame {
                    timing: 1,
                    req_id: r.req_id,
                    message_id: r.message_id,
                    body: FetchRawDataBody::Raw {
                        meta_type: 2,
                        raw: &raw,
                    },
                }
                .encode(&mut frame)
                .unwrap();
                WsMessage::binary(frame)
            }
            TmqRequest::Commit(r) => WsMessage::text(to_json(&TmqCommitResponse {
                header: ResponseHeader::ok("commit", r.req_id, 1),
                message_id: r.message_id,
            })),
            _ => continue,
        };
        ws.send(reply).await.unwrap();
    }
}

#[tokio::test]
async fn polls_name_the_last_message_and_fetch_its_rows() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(scripted_data_peer(listener, tx));
    let conn = ConnectOptions::new()
        .with_host("127.0.0.1", port)
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(5));
    let opts = ConsumerOptions::new()
        .with_connect_options(conn)
        .with_group_id("g")
        .with_auto_commit(true)
        .with_auto_commit_interval(Duration::ZERO);
    let c = Consumer::connect(&opts).await.unwrap();
    c.subscribe(&["t"]).await.unwrap();
    let m = c
        .poll(Duration::from_millis(250))
        .await
        .unwrap()
        .expect("a message");
    assert_eq!(
        (
            m.topic(),
            m.database(),
            m.vgroup_id(),
            m.offset(),
            m.message_id()
        ),
        ("t", "d", 2, 5, 1)
    );
    assert_eq!(rows(&[m]), [("d1".to_owned(), 1_700_000_000_000, 42)]);
    assert!(c.poll(Duration::from_millis(250)).await.unwrap().is_none());
    c.close().await.unwrap();

    let mut requests = Vec::new();
    while let Ok(r) = rx.try_recv() {
        requests.push(r);
    }
    let actions: Vec<&str> = requests.iter().map(TmqRequest::action).collect();
    // Auto-commit happens in the client, before the poll after a delivered message.
    assert_eq!(
        actions,
        [
            "version",
            "subscribe",
            "poll",
            "fetch_raw_data",
            "commit",
            "poll"
        ]
    );
    let TmqRequest::Subscribe(sub) = &requests[1] else {
        unreachable!()
    };
    assert_eq!(
        sub.auto_commit.as_deref(),
        Some("false"),
        "the server never auto-commits"
    );
    assert_eq!(sub.group_id.as_deref(), Some("g"));
    let polls: Vec<_> = requests
        .iter()
        .filter_map(|r| match r {
            TmqRequest::Poll(p) => Some((p.blocking_time, p.message_id)),
            _ => None,
        })
        .collect();
    assert_eq!(polls, [(250, Some(0)), (250, Some(1))]);
    let TmqRequest::FetchRawData(f) = &requests[3] else {
        unreachable!()
    };
    assert_eq!(f.message_id, 1);
    let TmqRequest::Commit(k) = &requests[4] else {
        unreachable!()
    };
    assert_eq!(k.message_id, 1);
}

/// Rows per insert in [`consume_through`]: what the server puts in one message at most, so
/// every insert is a message of its own.
const ROWS_PER_INSERT: i32 = 4096;

/// Inserts in [`consume_through`].
const INSERTS: i32 = 8;

/// Writes rows `v = 0..INSERTS * ROWS_PER_INSERT` into a one-vgroup topic (one message per
/// insert; 13 frames on the writing connection) through a server with `faults` whose first
/// connection is the consumer's (its frame 1 is `version`, 2 `subscribe`, then poll 3, its
/// `fetch_raw_data` 4, the commit 5, …), and polls with a commit after every message until
/// every row came or 20 polls in a row brought nothing. `extra` adds DSN parameters to the
/// consumer's. Returns the `v` of every row received and the errors the consumer's calls
/// returned.
async fn consume_through(faults: FaultConfig, extra: &str) -> (Vec<i32>, Vec<Error>) {
    let s = LocalServer::start(ServerConfig::default().with_faults(faults))
        .await
        .unwrap();
    // The consumer's socket is the server's first connection.
    let c = Consumer::connect(&consumer_opts(&s, "g", extra))
        .await
        .unwrap();
    let opts = ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0);
    let sql = Connection::connect(&opts).await.unwrap();
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create table d.t (ts timestamp, v int)",
            "create topic t as database d",
        ],
    )
    .await;
    for i in 0..INSERTS {
        let values: Vec<String> = (0..ROWS_PER_INSERT)
            .map(|j| {
                let v = i * ROWS_PER_INSERT + j;
                format!("({}, {v})", 1_700_000_000_000_i64 + i64::from(v))
            })
            .collect();
        sql.exec(&format!("insert into d.t values {}", values.join(" ")))
            .await
            .unwrap();
    }
    c.subscribe(&["t"]).await.unwrap();
    let mut got = Vec::new();
    let mut errors = Vec::new();
    let mut idle = 0;
    let mut seen = BTreeSet::new();
    while seen.len() < all_rows().len() && idle < 20 {
        match c.poll(Duration::from_millis(200)).await {
            Ok(Some(m)) => {
                idle = 0;
                let vs: Vec<i32> = rows(std::slice::from_ref(&m))
                    .into_iter()
                    .map(|r| r.2)
                    .collect();
                seen.extend(vs.iter().copied());
                got.extend(vs);
                if let Err(e) = c.commit(&m).await {
                    errors.push(e);
                }
            }
            Ok(None) => idle += 1,
            Err(e) => {
                errors.push(e);
                idle += 1;
            }
        }
    }
    (got, errors)
}

/// Every `v` [`consume_through`] writes.
fn all_rows() -> BTreeSet<i32> {
    (0..INSERTS * ROWS_PER_INSERT).collect()
}

fn lose_reply(frame: u64) -> FaultConfig {
    FaultConfig {
        lose_reply: Some(frame),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_dropped_connection_loses_no_rows() {
    let all = all_rows();
    // The reply to the first poll, to its fetch, to the second fetch, to the third poll: the
    // poll in flight is issued again on a new socket and nothing surfaces.
    for lost in [3, 4, 7, 9] {
        let (got, errors) = consume_through(lose_reply(lost), "").await;
        assert!(errors.is_empty(), "frame {lost}: {errors:?}");
        assert_eq!(
            got.iter().copied().collect::<BTreeSet<_>>(),
            all,
            "frame {lost}: {} rows",
            got.len()
        );
    }
    // The reply to the first commit: the commit may or may not have been applied, so it
    // fails as a connection error; the next poll reconnects and goes on.
    let (got, errors) = consume_through(lose_reply(5), "").await;
    let [e] = &errors[..] else {
        panic!("one failed commit: {errors:?}")
    };
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert_eq!(
        got.iter().copied().collect::<BTreeSet<_>>(),
        all,
        "{} rows",
        got.len()
    );
}

#[tokio::test]
async fn a_consumer_whose_connections_keep_dropping_gets_every_row() {
    // Every connection is closed after 16 frames: the eight messages need 26 on the
    // consumer's socket (the handshake, then a poll, a fetch and a commit each), so every
    // row arriving takes a reconnect. The drop falls between the fetch of the fifth message
    // and its commit.
    let (got, errors) = consume_through(
        FaultConfig {
            drop_after_frames: Some(16),
            ..Default::default()
        },
        "",
    )
    .await;
    let all = all_rows();
    assert_eq!(
        got.iter().copied().collect::<BTreeSet<_>>(),
        all,
        "{} rows",
        got.len()
    );
    // Only commits of messages polled on a dropped socket fail, as connection errors.
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    }
}

#[tokio::test]
async fn without_reconnect_a_dropped_consumer_stays_down() {
    let (got, errors) = consume_through(lose_reply(4), "&reconnect=false").await;
    // The first message's fetch was lost: nothing arrived, and every poll failed.
    assert!(got.is_empty(), "{} rows", got.len());
    assert!(!errors.is_empty());
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    }
}

#[tokio::test]
async fn a_closed_consumer_does_not_reconnect() {
    let s = LocalServer::start(ServerConfig::default().with_faults(lose_reply(3)))
        .await
        .unwrap();
    let c = Consumer::connect(&consumer_opts(&s, "g", ""))
        .await
        .unwrap();
    let opts = ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0);
    let sql = Connection::connect(&opts).await.unwrap();
    exec_all(
        &sql,
        &[
            "create database d vgroups 1",
            "create table d.t (ts timestamp, v int)",
            "create topic t as database d",
            "insert into d.t values (1700000000000, 0)",
        ],
    )
    .await;
    c.subscribe(&["t"]).await.unwrap();
    // Frame 3, the reply to this request, is lost with the socket.
    let e = c.subscription().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    c.close().await.unwrap();
    let e = c.poll(Duration::from_millis(100)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e:?}");
    assert!(c.subscription().await.is_err());
}
