//! `Connection::schemaless_insert`: batching, the error account and the wire arguments
//! against a recording mock server, and end to end against the embedded server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use futures_util::{SinkExt, StreamExt};
use taosarrow::protocol::messages::{escaped_len, Request, SchemalessInsertRequest};
use taosarrow::{
    Code, ConnectOptions, Connection, Error, ErrorKind, FailedBatch, SchemalessPrecision,
    SchemalessProtocol, DEFAULT_SCHEMALESS_BATCH_BYTES,
};
use taosarrow_server::{LocalServer, ServerConfig};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const LINE: SchemalessProtocol = SchemalessProtocol::Line;
const MS: SchemalessPrecision = SchemalessPrecision::Millisecond;

// ---- a mock server that records every `insert` ------------------------------------------

/// The `insert` requests a mock server received.
type Seen = Arc<Mutex<Vec<SchemalessInsertRequest>>>;

/// A WebSocket server that answers `version` and `conn`, records each `insert` and answers
/// it with one affected row per line; a payload containing `BAD` is refused with
/// `SML_INVALID_DATA`, one containing `DROP` closes the connection without a reply.
async fn mock() -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                while let Some(Ok(msg)) = ws.next().await {
                    let Message::Text(text) = msg else { continue };
                    let reply = match Request::parse(text.as_bytes()) {
                        Ok(Request::Version(_)) => {
                            r#"{"code":0,"message":"","action":"version","req_id":0,"timing":0,"version":"3.3.6.0"}"#.to_owned()
                        }
                        Ok(Request::Conn(_)) => {
                            r#"{"code":0,"message":"","action":"conn","req_id":1,"timing":0}"#
                                .to_owned()
                        }
                        Ok(Request::SchemalessInsert(r)) => {
                            let id = r.req_id;
                            let lines = r.data.split('\n').count();
                            let bad = r.data.contains("BAD");
                            let drop = r.data.contains("DROP");
                            record.lock().unwrap().push(r);
                            if drop {
                                return;
                            }
                            if bad {
                                format!(
                                    r#"{{"code":12290,"message":"invalid data in line","action":"insert","req_id":{id},"timing":0}}"#
                                )
                            } else {
                                format!(
                                    r#"{{"code":0,"message":"","action":"insert","req_id":{id},"timing":0,"affected_rows":{lines},"total_rows":{lines}}}"#
                                )
                            }
                        }
                        _ => continue,
                    };
                    if ws.send(Message::text(reply)).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, seen)
}

fn mock_opts(port: u16) -> ConnectOptions {
    ConnectOptions::new()
        .with_host("127.0.0.1", port)
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(10))
}

/// `n` line-protocol lines of a few dozen bytes, distinct timestamps.
fn lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            format!(
                "m,t1=a{},t2=b f1={i}i,f2={i}.5 {}",
                i % 7,
                1_700_000_000_000i64 + i as i64
            )
        })
        .collect()
}

/// The batches a greedy cut at `limit` frame bytes gives (lines without characters JSON
/// escapes, so a line costs its length and a separator 2 bytes).
fn expected_batches(lines: &[String], overhead: usize, limit: usize) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut size = overhead;
    for l in lines {
        match out.last_mut() {
            Some(b) if size + 2 + l.len() <= limit => {
                b.push(l.clone());
                size += 2 + l.len();
            }
            _ => {
                out.push(vec![l.clone()]);
                size = overhead + l.len();
            }
        }
    }
    out
}

fn overhead(precision: SchemalessPrecision, key: &str) -> usize {
    SchemalessInsertRequest {
        precision: precision.wire().into(),
        table_name_key: key.into(),
        ..SchemalessInsertRequest::default()
    }
    .json_len()
}

#[tokio::test]
async fn batches_never_cut_a_line_and_the_sums_are_right() {
    let (port, seen) = mock().await;
    let limit = 2048;
    let c = Connection::connect(&mock_opts(port).with_schemaless_batch_bytes(limit))
        .await
        .unwrap();
    let input = lines(500);
    let done = c
        .schemaless_insert(&input, LINE, MS, None, None, None)
        .await
        .unwrap();
    let want = expected_batches(&input, overhead(MS, ""), limit);
    assert!(want.len() > 10, "{} batches", want.len());
    assert_eq!(done.affected_rows, 500);
    assert_eq!(done.total_rows, 500);
    assert_eq!(done.batches, want.len() as u64);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), want.len());
    for (req, batch) in seen.iter().zip(&want) {
        // Each batch is whole lines joined by `\n`, in order, and its frame fits.
        assert_eq!(req.data, batch.join("\n"));
        assert!(req.to_json().len() <= limit, "{}", req.to_json().len());
        // Only the separators are escaped (each `\n` is two bytes in the frame).
        assert_eq!(escaped_len(&req.data), req.data.len() + batch.len() - 1);
    }
    let all: Vec<&str> = seen.iter().flat_map(|r| r.data.split('\n')).collect();
    assert_eq!(all, input.iter().map(String::as_str).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_limit_is_capped_by_max_message_size() {
    let (port, seen) = mock().await;
    let o = mock_opts(port).with_max_message_size(4096);
    assert_eq!(o.schemaless_batch_bytes(), DEFAULT_SCHEMALESS_BATCH_BYTES);
    let c = Connection::connect(&o).await.unwrap();
    let input = lines(1000);
    let done = c
        .schemaless_insert(&input, LINE, MS, None, None, None)
        .await
        .unwrap();
    let want = expected_batches(&input, overhead(MS, ""), 4096);
    assert_eq!(done.batches, want.len() as u64);
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.to_json().len() <= 4096));
}

#[tokio::test]
async fn arguments_go_on_the_wire_and_req_id_is_the_first_batchs() {
    let (port, seen) = mock().await;
    let c = Connection::connect(&mock_opts(port).with_schemaless_batch_bytes(1024))
        .await
        .unwrap();
    let input = lines(60);
    let done = c
        .schemaless_insert(
            &input,
            SchemalessProtocol::Telnet,
            SchemalessPrecision::Microsecond,
            Some(7),
            Some(4242),
            Some("t1"),
        )
        .await
        .unwrap();
    assert!(done.batches > 1);
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len() as u64, done.batches);
    assert_eq!(got[0].req_id, 4242);
    let ids: std::collections::HashSet<u64> = got.iter().map(|r| r.req_id).collect();
    assert_eq!(ids.len(), got.len(), "every batch has its own req_id");
    for r in &got {
        assert_eq!(r.protocol, 2);
        assert_eq!(r.precision, "u", "microseconds go out as `u`, not `us`");
        assert_eq!(r.ttl, 7);
        assert_eq!(r.table_name_key, "t1");
    }
    // Unset options go out as the server's "absent".
    c.schemaless_insert(
        &["x"],
        LINE,
        SchemalessPrecision::NotConfigured,
        None,
        None,
        None,
    )
    .await
    .unwrap();
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (
            last.precision.as_str(),
            last.ttl,
            last.table_name_key.as_str(),
            last.data.as_str()
        ),
        ("", 0, "", "x")
    );
    assert_ne!(last.req_id, 0);
}

#[tokio::test]
async fn json_is_one_request_whatever_its_size() {
    let (port, seen) = mock().await;
    let c = Connection::connect(&mock_opts(port).with_schemaless_batch_bytes(300))
        .await
        .unwrap();
    let mut doc = vec!["[".to_owned()];
    for i in 0..20 {
        doc.push(format!(
            r#"{{"metric":"meters.current","timestamp":{},"value":{i}.5,"tags":{{"location":"SF","groupid":{i}}}}}{}"#,
            1_648_432_611_249i64 + i,
            if i < 19 { "," } else { "" }
        ));
    }
    doc.push("]".to_owned());
    let done = c
        .schemaless_insert(&doc, SchemalessProtocol::Json, MS, None, None, None)
        .await
        .unwrap();
    assert_eq!(done.batches, 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].to_json().len() > 300);
    assert_eq!(seen[0].data, doc.join("\n"));
    assert_eq!(seen[0].protocol, 3);
    let parsed: serde_json::Value = serde_json::from_str(&seen[0].data).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn a_line_longer_than_the_limit_fails_before_anything_is_sent() {
    let (port, seen) = mock().await;
    let c = Connection::connect(&mock_opts(port).with_schemaless_batch_bytes(1024))
        .await
        .unwrap();
    let mut input = lines(100);
    input[57] = format!("m f=\"{}\" 1", "x".repeat(2000));
    let e = c
        .schemaless_insert(&input, LINE, MS, None, None, None)
        .await
        .unwrap_err();
    match &e {
        Error::SchemalessLineTooLong { line, bytes, limit } => {
            assert_eq!((*line, *bytes, *limit), (57, input[57].len(), 1024));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.kind(), ErrorKind::Schemaless);
    assert!(e.to_string().contains("line 57"), "{e}");
    assert!(seen.lock().unwrap().is_empty(), "nothing may be sent");
    // Empty input sends nothing and writes nothing.
    let none: [&str; 0] = [];
    let done = c
        .schemaless_insert(&none, LINE, MS, None, None, None)
        .await
        .unwrap();
    assert_eq!((done.affected_rows, done.batches), (0, 0));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_later_batch_refused_reports_what_earlier_ones_wrote() {
    let (port, seen) = mock().await;
    let limit = 1024;
    let c = Connection::connect(&mock_opts(port).with_schemaless_batch_bytes(limit))
        .await
        .unwrap();
    let mut input = lines(200);
    let want = expected_batches(&input, overhead(MS, ""), limit);
    // A bad line in the third batch (same length, so the cut is the same).
    let third_start: usize = want[..2].iter().map(Vec::len).sum();
    let third_end = third_start + want[2].len();
    let at = third_start + 1;
    input[at] = input[at].replacen("m,", "BAD", 1).replacen("t1", "t", 1);
    assert_eq!(input[at].len(), lines(200)[at].len());
    let e = c
        .schemaless_insert(&input, LINE, MS, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::SML_INVALID_DATA));
    assert_eq!(e.kind(), ErrorKind::Schemaless);
    let Error::Schemaless(account) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(account.affected_rows, third_start as u64);
    assert_eq!(account.total_rows, third_start as u64);
    assert_eq!(account.lines_written, third_start);
    assert_eq!(account.failed_lines, third_start..third_end);
    assert_eq!(account.failed_batch, FailedBatch::Refused);
    assert_eq!(account.unsent_from, third_end);
    assert_eq!(account.lines, 200);
    assert_eq!(account.batches, want.len());
    match &*account.source {
        Error::Server { code, message, .. } => {
            assert_eq!(*code, Code::SML_INVALID_DATA);
            assert_eq!(message, "invalid data in line");
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "writing {third_start} row(s) from lines 0..{third_start}"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("lines {third_end}..200 not sent")),
        "{text}"
    );
    // Nothing after the failing batch went out.
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_single_batch_error_carries_the_servers_code_and_message() {
    let (port, _seen) = mock().await;
    let c = Connection::connect(&mock_opts(port)).await.unwrap();
    let e = c
        .schemaless_insert(&["BAD line"], LINE, MS, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::SML_INVALID_DATA));
    assert_eq!(e.kind(), ErrorKind::Schemaless);
    assert_eq!(e.message(), "invalid data in line");
    let Error::Schemaless(account) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (
            account.affected_rows,
            account.lines_written,
            account.unsent_from
        ),
        (0, 0, 1)
    );
}

#[tokio::test]
async fn a_lost_reply_leaves_the_batch_unknown() {
    let (port, seen) = mock().await;
    let c = Connection::connect(&mock_opts(port).with_schemaless_batch_bytes(1024))
        .await
        .unwrap();
    let mut input = lines(100);
    let want = expected_batches(&input, overhead(MS, ""), 1024);
    let second = want[0].len();
    input[second] = input[second]
        .replacen("m,", "DROP", 1)
        .replacen("t1", "", 1);
    let e = c
        .schemaless_insert(&input, LINE, MS, None, None, None)
        .await
        .unwrap_err();
    let Error::Schemaless(account) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(account.failed_batch, FailedBatch::Unknown);
    assert_eq!(account.affected_rows, second as u64);
    assert_eq!(account.failed_lines.start, second);
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn the_batch_size_is_a_dsn_parameter() {
    let o = ConnectOptions::from_dsn("ws://h:1?schemaless_batch_bytes=65536").unwrap();
    assert_eq!(o.schemaless_batch_bytes(), 65536);
    assert!(ConnectOptions::from_dsn("ws://h:1?schemaless_batch_bytes=0").is_err());
    assert_eq!(
        ConnectOptions::new().schemaless_batch_bytes(),
        16 << 20,
        "default 16 MiB"
    );
}

#[tokio::test]
async fn a_zero_batch_size_is_refused_at_connect() {
    let e = Connection::connect(&ConnectOptions::new().with_schemaless_batch_bytes(0))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Options(_)), "{e:?}");
    assert!(e.to_string().contains("schemaless_batch_bytes"), "{e}");
}

// ---- end to end against the embedded server ---------------------------------------------

async fn server() -> LocalServer {
    LocalServer::start(ServerConfig::default()).await.unwrap()
}

fn opts(s: &LocalServer) -> ConnectOptions {
    ConnectOptions::from_dsn(&s.dsn("root", "taosdata"))
        .unwrap()
        .with_conn_retries(0)
        .with_read_timeout(Duration::from_secs(60))
}

async fn rows(c: &Connection, sql: &str) -> Vec<RecordBatch> {
    c.query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect_all()
        .await
        .unwrap()
}

/// The first column of a one-column result as i64 (timestamps as their ticks).
async fn ints(c: &Connection, sql: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for b in rows(c, sql).await {
        let col = arrow_cast::cast(b.column(0), &DataType::Int64).unwrap();
        let col = col.as_primitive::<Int64Type>();
        out.extend((0..col.len()).map(|i| col.value(i)));
    }
    out
}

async fn strings(c: &Connection, sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    for b in rows(c, sql).await {
        let col = arrow_cast::cast(b.column(0), &DataType::Utf8).unwrap();
        let col = col.as_string::<i32>();
        out.extend((0..col.len()).map(|i| col.value(i).to_owned()));
    }
    out.sort();
    out
}

async fn use_db(c: &Connection, db: &str, precision: &str) {
    c.exec(&format!("create database {db} precision '{precision}'"))
        .await
        .unwrap();
    c.exec(&format!("use {db}")).await.unwrap();
}

#[tokio::test]
async fn line_telnet_and_json_write_and_read_back() {
    let s = server().await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    use_db(&c, "sml", "ms").await;
    let line = [
        "measurement,host=host1 field1=2i,field2=2.0 1577837300000",
        "measurement,host=host1 field1=2i,field2=2.0 1577837400000",
        "measurement,host=host1 field1=2i,field2=2.0 1577837500000",
        "measurement,host=host1 field1=2i,field2=2.0 1577837600000",
    ];
    let done = c
        .schemaless_insert(&line, LINE, MS, Some(0), Some(123), None)
        .await
        .unwrap();
    assert_eq!(
        (done.affected_rows, done.total_rows, done.batches),
        (4, 4, 1)
    );
    assert_eq!(ints(&c, "select count(*) from measurement").await, vec![4]);
    let telnet = [
        "meters.voltage 1648432611249 219 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611250 218 location=California.SanFrancisco group=2",
        "meters.voltage 1648432611249 221 location=California.LosAngeles group=3",
    ];
    let done = c
        .schemaless_insert(&telnet, SchemalessProtocol::Telnet, MS, None, None, None)
        .await
        .unwrap();
    assert_eq!(done.affected_rows, 3);
    assert_eq!(
        ints(&c, "select count(*) from meters_voltage").await,
        vec![3]
    );
    let json = [
        r#"[{"metric":"meters.current","timestamp":1648432611249,"value":10.3,
        "tags":{"location":"California.SanFrancisco","groupid":2}},
        {"metric":"meters.current","timestamp":1648432611250,"value":12.6,
        "tags":{"location":"California.SanFrancisco","groupid":2}}]"#,
    ];
    let done = c
        .schemaless_insert(&json, SchemalessProtocol::Json, MS, None, None, None)
        .await
        .unwrap();
    assert_eq!(done.affected_rows, 2);
    assert_eq!(
        ints(&c, "select count(*) from meters_current").await,
        vec![2]
    );
}

#[tokio::test]
async fn batches_against_the_server_store_every_line_exactly() {
    let s = server().await;
    let c = Connection::connect(&opts(&s).with_schemaless_batch_bytes(64 << 10))
        .await
        .unwrap();
    use_db(&c, "smlb", "ms").await;
    let input = lines(20_000);
    let done = c
        .schemaless_insert(&input, LINE, MS, None, None, None)
        .await
        .unwrap();
    assert!(done.batches > 10, "{done:?}");
    assert_eq!(done.affected_rows, 20_000);
    assert_eq!(done.total_rows, 20_000);
    assert_eq!(ints(&c, "select count(*) from m").await, vec![20_000]);
    // No line was cut: every value came back with its own timestamp.
    let f1 = ints(&c, "select f1 from m order by _ts").await;
    assert_eq!(f1, (0..20_000).collect::<Vec<i64>>());
    let ts = ints(&c, "select _ts from m order by _ts").await;
    assert_eq!(ts[19_999], 1_700_000_000_000 + 19_999);
}

#[tokio::test]
async fn precision_is_converted_to_the_database_precision() {
    let s = server().await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    let ms = 1_626_006_833_639i64;
    for (db, db_tick) in [("pms", ms), ("pus", ms * 1000), ("pns", ms * 1_000_000)] {
        let unit = &db[1..];
        use_db(&c, db, unit).await;
        for (i, (p, v)) in [
            (SchemalessPrecision::Millisecond, ms),
            (SchemalessPrecision::Microsecond, ms * 1000),
            (SchemalessPrecision::Nanosecond, ms * 1_000_000),
            (SchemalessPrecision::NotConfigured, ms * 1_000_000),
            (SchemalessPrecision::Second, ms / 1000),
        ]
        .into_iter()
        .enumerate()
        {
            let line = format!("p{i} f=1i {v}");
            c.schemaless_insert(&[line.as_str()], LINE, p, None, None, None)
                .await
                .unwrap();
            let want = if p == SchemalessPrecision::Second {
                db_tick / ms * (ms / 1000) * 1000
            } else {
                db_tick
            };
            assert_eq!(
                ints(&c, &format!("select _ts from p{i}")).await,
                vec![want],
                "{p:?} into a {unit} database"
            );
        }
    }
}

#[tokio::test]
async fn table_name_key_names_the_child_table() {
    let s = server().await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    use_db(&c, "tnk", "ms").await;
    let input = [
        "st,id=dev_1,loc=a f=1i 1700000000000",
        "st,id=dev_2,loc=b f=2i 1700000000001",
    ];
    c.schemaless_insert(&input, LINE, MS, Some(30), None, Some("id"))
        .await
        .unwrap();
    assert_eq!(
        strings(&c, "select distinct tbname from st").await,
        vec!["dev_1".to_owned(), "dev_2".to_owned()]
    );
}

#[tokio::test]
async fn server_errors_carry_their_code() {
    let s = server().await;
    let c = Connection::connect(&opts(&s)).await.unwrap();
    use_db(&c, "errs", "ms").await;
    let e = c
        .schemaless_insert(
            &["c,t=1 c4=4 1700000000000", "c,t=1 c4=4i 1700000000001"],
            LINE,
            MS,
            None,
            None,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::SML_NOT_SAME_TYPE), "{e}");
    assert_eq!(e.kind(), ErrorKind::Schemaless);
    let e = c
        .schemaless_insert(&["not a line"], LINE, MS, None, None, None)
        .await
        .unwrap_err();
    assert!(e.code().is_some_and(|c| c.0 != 0), "{e}");
    assert_eq!(e.kind(), ErrorKind::Schemaless);
}

#[tokio::test]
async fn a_later_batch_failing_on_the_server_leaves_later_lines_unwritten() {
    let s = server().await;
    let c = Connection::connect(&opts(&s).with_schemaless_batch_bytes(4096))
        .await
        .unwrap();
    use_db(&c, "later", "ms").await;
    let mut input = lines(1000);
    let want = expected_batches(&input, overhead(MS, ""), 4096);
    let third: usize = want[..2].iter().map(Vec::len).sum();
    input[third + 3] = "m,t1=a,t2=b f1=\"text\" 1".to_owned();
    let e = c
        .schemaless_insert(&input, LINE, MS, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::SML_NOT_SAME_TYPE), "{e}");
    let Error::Schemaless(account) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(account.affected_rows, third as u64);
    assert_eq!(account.lines_written, third);
    assert_eq!(account.failed_batch, FailedBatch::Refused);
    let unsent_ts = 1_700_000_000_000i64 + account.unsent_from as i64;
    let stored = ints(&c, "select count(*) from m").await[0];
    assert!(stored >= third as i64, "{stored}");
    assert_eq!(
        ints(
            &c,
            &format!("select count(*) from m where _ts >= {unsent_ts}")
        )
        .await,
        vec![0]
    );
}

#[test]
fn the_blocking_wrapper_writes() {
    let s = taosarrow::runtime().block_on(server());
    let c = taosarrow::blocking::Connection::connect(&opts(&s)).unwrap();
    c.exec("create database blk precision 'ns'").unwrap();
    c.exec("use blk").unwrap();
    let done = c
        .schemaless_insert(
            &["b f=1i 1626006833639".to_owned()],
            LINE,
            MS,
            None,
            None,
            None,
        )
        .unwrap();
    assert_eq!(done.affected_rows, 1);
    let b = c.query("select _ts from b").unwrap().collect_all().unwrap();
    let ts = arrow_cast::cast(b[0].column(0), &DataType::Int64).unwrap();
    assert_eq!(
        ts.as_primitive::<Int64Type>().value(0),
        1_626_006_833_639_000_000
    );
}
