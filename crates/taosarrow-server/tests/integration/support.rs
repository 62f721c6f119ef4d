//! Helpers for the network tests: a raw WebSocket client speaking the `/ws` protocol.
//! Used by the other modules of this test binary as `crate::support`.
#![allow(dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use taosarrow_protocol::frames::{BinaryAction, BinaryQuery, FetchRawBlockRequest};
use taosarrow_server::{LocalServer, ServerConfig};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub async fn server(config: ServerConfig) -> LocalServer {
    LocalServer::start(config).await.unwrap()
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// Opens `/ws` without any handshake message.
    pub async fn open(server: &LocalServer) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(format!("{}/ws", server.url()))
            .await
            .unwrap();
        Client { ws }
    }

    /// Opens `/ws` and does `version` + `conn` with the default credentials.
    pub async fn connect(server: &LocalServer) -> Client {
        let mut c = Client::open(server).await;
        let v = c.call(json!({"action": "version"})).await;
        assert_eq!(v["code"], 0, "{v}");
        let r = c.conn("root", "taosdata", "").await;
        assert_eq!(r["code"], 0, "{r}");
        c
    }

    pub async fn conn(&mut self, user: &str, password: &str, db: &str) -> Value {
        self.call(json!({"action": "conn", "args": {
            "req_id": 15229797142470328321u64, "user": user, "password": password, "db": db,
            "connector": "python-ws-v0.7.0-315f180"}}))
            .await
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    pub async fn send_bin(&mut self, frame: Vec<u8>) {
        self.ws.send(Message::Binary(frame.into())).await.unwrap();
    }

    /// The next data frame (pings skipped); `None` when the connection ended.
    pub async fn next(&mut self) -> Option<Message> {
        loop {
            let msg = tokio::time::timeout(TIMEOUT, self.ws.next())
                .await
                .expect("no reply within the timeout");
            match msg {
                None | Some(Err(_)) => return None,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_))) => return None,
                Some(Ok(m)) => return Some(m),
            }
        }
    }

    pub async fn recv_json(&mut self) -> Value {
        match self.next().await {
            Some(Message::Text(t)) => serde_json::from_str(t.as_str()).unwrap(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    pub async fn recv_bin(&mut self) -> Vec<u8> {
        match self.next().await {
            Some(Message::Binary(b)) => b.to_vec(),
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }

    pub async fn call(&mut self, req: Value) -> Value {
        self.send_text(&req.to_string()).await;
        self.recv_json().await
    }

    /// Text `query`.
    pub async fn query(&mut self, req_id: u64, sql: &str) -> Value {
        self.call(json!({"action": "query", "args": {"req_id": req_id, "sql": sql}}))
            .await
    }

    /// Text `query` that must succeed.
    pub async fn exec(&mut self, sql: &str) -> Value {
        let r = self.query(1, sql).await;
        assert_eq!(r["code"], 0, "{sql}: {r}");
        r
    }

    /// Binary query (action 6).
    pub async fn binary_query(&mut self, req_id: u64, sql: &str) -> Value {
        let mut frame = Vec::new();
        BinaryQuery {
            req_id,
            action: BinaryAction::BinaryQuery,
            sql,
        }
        .encode(&mut frame)
        .unwrap();
        self.send_bin(frame).await;
        self.recv_json().await
    }

    /// fetch_raw_block (action 7): sends the request, returns the raw reply frame.
    pub async fn fetch_raw(&mut self, req_id: u64, result_id: u64) -> Vec<u8> {
        let mut frame = Vec::new();
        FetchRawBlockRequest { req_id, result_id }.encode(&mut frame);
        self.send_bin(frame).await;
        self.recv_bin().await
    }
}

/// SQL creating `db.t (ts, v INT, s VARCHAR(10))` with `n` rows: ts = 1_700_000_000_000 + i ms,
/// v = i (NULL when i % 7 == 3), s = "s<i>".
pub fn setup_sql(n: usize) -> Vec<String> {
    let mut sqls = vec![
        "create database if not exists db".to_owned(),
        "create table if not exists db.t (ts timestamp, v int, s varchar(10))".to_owned(),
    ];
    for chunk in (0..n).collect::<Vec<_>>().chunks(2000) {
        let mut sql = String::from("insert into db.t values ");
        for &i in chunk {
            let v = if i % 7 == 3 {
                "NULL".to_owned()
            } else {
                i.to_string()
            };
            sql.push_str(&format!(
                "({}, {v}, 's{i}') ",
                1_700_000_000_000u64 + i as u64
            ));
        }
        sqls.push(sql);
    }
    sqls
}

pub async fn load(client: &mut Client, n: usize) {
    for sql in setup_sql(n) {
        client.exec(&sql).await;
    }
}

/// The Arrow schema a query response describes.
pub fn schema_of(resp: &Value) -> arrow::datatypes::SchemaRef {
    use taosarrow_codec::{arrow_schema, ColumnSpec, SchemaOptions};
    use taosarrow_protocol::{Precision, TdType};
    let names = resp["fields_names"].as_array().unwrap();
    let types = resp["fields_types"].as_array().unwrap();
    let lengths = resp["fields_lengths"].as_array().unwrap();
    let cols: Vec<ColumnSpec> = (0..names.len())
        .map(|i| {
            let ty = TdType::from_code(types[i].as_i64().unwrap() as i32).unwrap();
            let mut c = ColumnSpec::new(names[i].as_str().unwrap(), ty)
                .with_length(lengths[i].as_u64().unwrap() as u32);
            c.precision = resp["fields_precisions"][i].as_u64().unwrap_or(0) as u8;
            c.scale = resp["fields_scales"][i].as_u64().unwrap_or(0) as u8;
            c
        })
        .collect();
    let precision = Precision::from_code(resp["precision"].as_i64().unwrap()).unwrap();
    arrow_schema(
        &cols,
        &SchemaOptions {
            precision,
            timezone: None,
        },
    )
    .unwrap()
}

/// A decoded fetch_raw_block reply, owning its bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    Block(Vec<u8>),
    Finished,
    Error(u16, String),
}

impl Client {
    /// fetch_raw_block, decoded; checks that req_id and result id are echoed.
    pub async fn fetch_raw_body(&mut self, req_id: u64, result_id: u64) -> Fetched {
        use taosarrow_protocol::frames::{FetchRawBlockResponse, RawBlockBody};
        let frame = self.fetch_raw(req_id, result_id).await;
        let r = FetchRawBlockResponse::decode(&frame).unwrap();
        assert_eq!((r.req_id, r.result_id), (req_id, result_id));
        match r.body {
            RawBlockBody::Block(b) => Fetched::Block(b.to_vec()),
            RawBlockBody::Finished => Fetched::Finished,
            RawBlockBody::Error { code, message } => Fetched::Error(code.0, message.into_owned()),
        }
    }
}
