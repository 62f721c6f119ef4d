//! Entry points of the server's fuzz targets (`fuzz/` at the repository root) and of the
//! `cargo test` replay of their corpora. Each takes arbitrary bytes and asserts what a hostile
//! client must never achieve: a panic anywhere in the server (counted by a panic hook, since a
//! connection task's panic would otherwise only drop its connection), or a connection that
//! neither answers nor closes.
//!
//! * [`sql_target`]: SQL text, statement by statement, on a fresh [`Engine`].
//! * [`requests_target`]: any frames, text or binary, on a fresh logged-in connection.
//! * [`stmt1_bind_target`]: a stmt v1 binary `bind` (or `set_tags`) frame's raw block, on a
//!   prepared statement.
//! * [`sml_line_target`], [`sml_telnet_target`], [`sml_json_target`]: a schemaless payload
//!   of each format, parsed and applied on a fresh [`Engine`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use taosarrow_protocol::frames::{BinaryAction, BinaryHeader};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::engine::schemaless::SmlRequest;
use crate::engine::{Engine, Session};
use crate::{LocalServer, ServerConfig};
use taosarrow_protocol::schemaless::{SchemalessPrecision, SchemalessProtocol};

/// How long a connection may take to answer the closing probe before it counts as hung.
const ANSWER_LIMIT: Duration = Duration::from_secs(20);
/// Most statements or frames one input is split into.
const MAX_PARTS: usize = 16;
/// The `req_id` of the probe sent after an input's frames.
const PROBE_REQ_ID: u64 = 0x5EED_F00D;
/// The database, super table and child table that exist before any input runs.
const PRELUDE: &[&str] = &[
    "CREATE DATABASE IF NOT EXISTS fz PRECISION 'us'",
    "CREATE STABLE IF NOT EXISTS fz.st (ts TIMESTAMP, v INT, s VARCHAR(16), n NCHAR(8), \
     b VARBINARY(16), d DECIMAL(10,2), f DOUBLE) TAGS (g INT, tn VARCHAR(8))",
    "CREATE TABLE IF NOT EXISTS fz.t1 USING fz.st TAGS (1, 'a')",
    "INSERT INTO fz.t1 VALUES (1700000000000000, 1, 'x', 'y', '\\x41', 1.25, 0.5)",
    "CREATE STABLE IF NOT EXISTS fz.sj (ts TIMESTAMP, v INT) TAGS (info JSON)",
    "CREATE TABLE IF NOT EXISTS fz.j1 USING fz.sj TAGS ('{\"k\": \"v\", \"n\": 1, \"b\": true}')",
    "INSERT INTO fz.j1 VALUES (1700000000000000, 1)",
];

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts panics on every thread (server tasks included) and then runs the previous hook.
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime starts")
    })
}

/// Runs `f` and panics if anything panicked meanwhile, here or on a server thread.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    count_panics();
    let before = PANICS.load(Ordering::SeqCst);
    let out = f();
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        before,
        "a panic while handling this {what} (a panic on any thread counts)"
    );
    out
}

/// Splits an input into at most [`MAX_PARTS`] parts at `sep`.
fn parts(data: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> {
    data.split(move |b| *b == sep).take(MAX_PARTS)
}

/// A fresh engine on which [`PRELUDE`] has run.
async fn prelude_engine() -> Engine {
    let engine = Engine::new();
    let mut session = Session::new(None);
    for sql in PRELUDE {
        engine
            .execute(&mut session, sql)
            .await
            .expect("the prelude runs");
    }
    engine
}

/// SQL text (any bytes; invalid UTF-8 is skipped), split at `;` into statements that run in
/// order on a fresh engine holding the database `fz` ([`PRELUDE`]). Every statement returns a
/// result or a TDengine error; none panics.
pub fn sql_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    no_panic("SQL", || {
        runtime().block_on(async {
            let engine = prelude_engine().await;
            let mut session = Session::new(Some("fz".to_owned()));
            for sql in text.split(';').take(MAX_PARTS) {
                let _ = engine.execute(&mut session, sql).await;
            }
        })
    });
}

/// A schemaless payload of `protocol`: the first byte picks the precision (its value modulo
/// 7) and whether the tag `t` names child tables (bit 7); the rest is the payload, applied on
/// a fresh engine holding [`PRELUDE`]'s database. It is stored whole or refused with a
/// TDengine code, never a panic; when stored, every data point parsed is a row written.
fn sml_target(protocol: SchemalessProtocol, data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    no_panic("schemaless payload", || {
        runtime().block_on(async {
            let engine = prelude_engine().await;
            let session = Session::new(Some("fz".to_owned()));
            let req = SmlRequest {
                protocol,
                precision: SchemalessPrecision::ALL[usize::from(first % 7)],
                data: text,
                ttl: 0,
                table_name_key: if first & 0x80 != 0 { "t" } else { "" },
            };
            if let Ok(out) = engine.schemaless_insert(&session, &req) {
                assert_eq!(
                    out.affected_rows, out.total_rows,
                    "every point parsed is stored"
                );
            }
        })
    });
}

/// InfluxDB line protocol: see [`sml_target`].
pub fn sml_line_target(data: &[u8]) {
    sml_target(SchemalessProtocol::Line, data);
}

/// OpenTSDB telnet lines: see [`sml_target`].
pub fn sml_telnet_target(data: &[u8]) {
    sml_target(SchemalessProtocol::Telnet, data);
}

/// OpenTSDB JSON: see [`sml_target`].
pub fn sml_json_target(data: &[u8]) {
    sml_target(SchemalessProtocol::Json, data);
}

/// Runs one SQL statement against a fresh, empty in-memory engine (no current database) and
/// discards the result: the property tests' entry point. Must never panic, hang or overflow the
/// stack, whatever `text` is.
pub fn sql(text: &str) {
    sql_on(&Engine::new(), &mut Session::new(None), text);
}

/// Runs `text` against `engine` for `session` and discards the result (for tests that prepare
/// a database and tables first).
pub fn sql_on(engine: &Engine, session: &mut Session, text: &str) {
    let _ = runtime().block_on(engine.execute(session, text));
}

/// The server every network target talks to: one per process, with [`PRELUDE`] run.
fn server() -> &'static LocalServer {
    static SERVER: OnceLock<LocalServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = LocalServer::spawn(ServerConfig::default()).expect("the server starts");
        runtime().block_on(async {
            let mut c = open(&server, "").await;
            for sql in PRELUDE {
                let r = c
                    .call(json!({"action": "query", "args": {"req_id": 1, "sql": sql}}))
                    .await;
                assert_eq!(
                    r.as_ref().map(|r| r["code"].clone()),
                    Some(json!(0)),
                    "{sql}: {r:?}"
                );
            }
        });
        server
    })
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One logged-in client connection.
struct Client {
    ws: Ws,
}

/// A connection logged in with the default credentials to `db` (`""`: none).
async fn open(server: &LocalServer, db: &str) -> Client {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/ws", server.url()))
        .await
        .expect("the server accepts a connection");
    let mut c = Client { ws };
    let r = c
        .call(
            json!({"action": "conn", "args": {"req_id": 1, "user": "root",
            "password": "taosdata", "db": db}}),
        )
        .await;
    assert_eq!(r.map(|r| r["code"].clone()), Some(json!(0)), "login");
    c
}

impl Client {
    /// Sends a JSON request and returns its answer (`None`: the connection closed).
    async fn call(&mut self, req: Value) -> Option<Value> {
        self.ws.send(Message::text(req.to_string())).await.ok()?;
        self.next_text().await
    }

    async fn next_text(&mut self) -> Option<Value> {
        loop {
            match self.ws.next().await? {
                Ok(Message::Text(t)) => return serde_json::from_str(&t).ok(),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Sends the probe and reads until its answer or the end of the connection: either proves
    /// the server handled every frame before it. Panics when neither comes in time.
    async fn settle(mut self) {
        let probe = json!({"action": "version", "args": {"req_id": PROBE_REQ_ID}});
        if self
            .ws
            .send(Message::text(probe.to_string()))
            .await
            .is_err()
        {
            return;
        }
        let answered = tokio::time::timeout(ANSWER_LIMIT, async {
            loop {
                match self.ws.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(Message::Text(t))) => {
                        let v: Value = serde_json::from_str(&t).unwrap_or_default();
                        if v["req_id"] == json!(PROBE_REQ_ID) {
                            return;
                        }
                    }
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert!(answered.is_ok(), "the server neither answered nor closed");
        let _ = self.ws.close(None).await;
    }
}

/// Frames separated by `0xFF` (a byte UTF-8 never has): each part that is UTF-8 goes as a text
/// frame, any other as a binary frame, on a fresh connection logged in to `fz`.
pub fn requests_target(data: &[u8]) {
    let server = server();
    no_panic("request", || {
        runtime().block_on(async {
            let mut c = open(server, "fz").await;
            for part in parts(data, 0xFF) {
                let msg = match std::str::from_utf8(part) {
                    Ok(text) => Message::text(text.to_owned()),
                    Err(_) => Message::binary(part.to_vec()),
                };
                if c.ws.send(msg).await.is_err() {
                    return;
                }
            }
            c.settle().await;
        })
    });
}

/// The topic the TMQ target subscribes to (re-created before each input, in case an input of
/// another target dropped it).
const TMQ_TOPIC_SQL: &str = "CREATE TOPIC IF NOT EXISTS fz_topic WITH META AS DATABASE fz";

/// Frames separated by `0xFF` on a fresh `/rest/tmq` connection that subscribed to a `WITH
/// META` database topic over `fz` from the earliest offset (UTF-8 parts as text frames,
/// others binary), then one row written; the connection must answer or close, and no thread
/// may panic.
pub fn tmq_requests_target(data: &[u8]) {
    let server = server();
    no_panic("TMQ request", || {
        runtime().block_on(async {
            let mut sql = open(server, "fz").await;
            let topic = json!({"action": "query", "args": {"req_id": 1, "sql": TMQ_TOPIC_SQL}});
            if sql.call(topic).await.is_none() {
                return;
            }
            let Ok((ws, _)) =
                tokio_tungstenite::connect_async(format!("{}/rest/tmq", server.url())).await
            else {
                return;
            };
            let mut c = Client { ws };
            let sub = json!({"action": "subscribe", "args": {"req_id": 1, "user": "root",
                "password": "taosdata", "group_id": "fz", "offset_rest": "earliest",
                "topics": ["fz_topic"]}});
            if c.call(sub).await.is_none() {
                return;
            }
            for part in parts(data, 0xFF) {
                let msg = match std::str::from_utf8(part) {
                    Ok(text) => Message::text(text.to_owned()),
                    Err(_) => Message::binary(part.to_vec()),
                };
                if c.ws.send(msg).await.is_err() {
                    return;
                }
            }
            let write = json!({"action": "query", "args": {"req_id": 2,
                "sql": "INSERT INTO fz.t1 VALUES (NOW, 2, 'z', 'w', '\\x42', 2.5, 1.5)"}});
            let _ = sql.call(write).await;
            c.settle().await;
        })
    });
}

/// SQL the stmt v1 target prepares: a child table name, both tags and every column.
const STMT1_SQL: &str = "INSERT INTO ? USING fz.st TAGS (?, ?) VALUES (?, ?, ?, ?, ?, ?, ?)";

/// A stmt v1 binary frame body (the raw block after the 24-byte header and the action's
/// fields): the first byte picks `set_tags` (odd) or `bind` (even), the rest is the block, sent
/// on a statement prepared with [`STMT1_SQL`] and a table name; then `add_batch` and `exec`.
pub fn stmt1_bind_target(data: &[u8]) {
    let server = server();
    let Some((&pick, block)) = data.split_first() else {
        return;
    };
    no_panic("stmt v1 bind", || {
        runtime().block_on(async {
            let mut c = open(server, "fz").await;
            let Some(init) = c.call(json!({"action": "init", "args": {"req_id": 2}})).await else {
                return;
            };
            let stmt_id = init["stmt_id"].as_u64().expect("init answers a stmt_id");
            for req in [
                json!({"action": "prepare", "args": {"req_id": 3, "stmt_id": stmt_id, "sql": STMT1_SQL}}),
                json!({"action": "set_table_name", "args": {"req_id": 4, "stmt_id": stmt_id, "name": "fz.t2"}}),
            ] {
                let r = c.call(req).await;
                assert_eq!(r.map(|r| r["code"].clone()), Some(json!(0)), "stmt setup");
            }
            let action = if pick % 2 == 1 {
                BinaryAction::SetTags
            } else {
                BinaryAction::Bind
            };
            let mut frame = Vec::with_capacity(24 + block.len());
            BinaryHeader {
                req_id: 5,
                resource_id: stmt_id,
                action: action.code(),
            }
            .encode(&mut frame);
            frame.extend_from_slice(block);
            if c.ws.send(Message::binary(frame)).await.is_err() {
                return;
            }
            for req in [
                json!({"action": "add_batch", "args": {"req_id": 6, "stmt_id": stmt_id}}),
                json!({"action": "exec", "args": {"req_id": 7, "stmt_id": stmt_id}}),
            ] {
                if c.ws.send(Message::text(req.to_string())).await.is_err() {
                    return;
                }
            }
            c.settle().await;
        })
    });
}
