//! Writes the seed corpus of every fuzz target into `<dir>/<target>/` (the only argument;
//! `fuzz/corpus` is the committed one): the specification's worked examples (the golden vectors
//! of the codec tests), valid encodings of seeded random data over every type, and requests,
//! responses, DSNs and SQL like those real clients and servers send. Deterministic: the same
//! files every run.

#[path = "../../../crates/taosarrow-codec/tests/common/mod.rs"]
mod golden;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray};
use taosarrow_codec::fuzzing::stmt2_input;
use taosarrow_codec::stmt2::{
    encode_payload, BindField, BindRole, EncodeOptions, TableBind, BIND_FRAME_HEADER_LEN,
};
use taosarrow_codec::testing::{random_batch, random_schema, random_spec, random_table_batch};
use taosarrow_codec::{arrow_schema, encode_block, ColumnSpec, SchemaOptions};
use taosarrow_protocol::frames::{
    BinaryAction, BinaryHeader, BinaryQuery, FetchRawBlockRequest, FetchRawBlockResponse,
    RawBlockBody,
};
use taosarrow_protocol::{Code, Precision, TdType};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Corpus {
    dir: PathBuf,
}

impl Corpus {
    fn target(&self, name: &str) -> Result<Target> {
        let dir = self.dir.join(name);
        std::fs::create_dir_all(&dir)?;
        Ok(Target { dir, n: 0 })
    }
}

struct Target {
    dir: PathBuf,
    n: usize,
}

impl Target {
    fn add(&mut self, bytes: impl AsRef<[u8]>) -> Result<()> {
        std::fs::write(self.dir.join(format!("seed-{:03}", self.n)), bytes)?;
        self.n += 1;
        Ok(())
    }
}

/// Seeded random blocks over every result type, with and without NULLs.
fn random_blocks() -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for seed in 0..48u64 {
        let cols = 1 + (seed % 6) as usize;
        let rows = [1, 2, 3, 8, 9, 17][(seed % 6) as usize];
        let nulls = [0.0, 0.3, 1.0][(seed % 3) as usize];
        let schema = random_schema(seed, cols, &SchemaOptions::default());
        let batch = random_batch(seed, &schema, rows, nulls);
        let mut block = Vec::new();
        encode_block(&batch, &mut block)?;
        out.push(block);
    }
    Ok(out)
}

/// The bind field of a column spec.
fn bind_field(spec: &ColumnSpec, role: BindRole, precision: Precision) -> BindField {
    match spec.ty {
        TdType::Timestamp => BindField::timestamp(spec.name.clone(), precision, role),
        ty if ty.is_decimal() => {
            BindField::decimal(spec.name.clone(), spec.precision, spec.scale, role)
        }
        ty => BindField::new(spec.name.clone(), ty, role),
    }
}

/// Bind payloads of seeded random tables: a TIMESTAMP and one column of each bindable type,
/// some with a `tbname` and a tag.
fn stmt2_seeds(t: &mut Target) -> Result<()> {
    let golden = golden::bytes(golden::STMT2_EXAMPLE);
    let golden_fields = [
        BindField::new("tbname", TdType::VarChar, BindRole::TableName),
        BindField::new("groupid", TdType::Int, BindRole::Tag),
        BindField::timestamp("ts", Precision::Millisecond, BindRole::Column),
        BindField::new("current", TdType::Float, BindRole::Column),
        BindField::new("note", TdType::VarChar, BindRole::Column),
    ];
    t.add(stmt2_input(
        &golden_fields,
        &golden[BIND_FRAME_HEADER_LEN..],
    ))?;
    t.add(&golden)?;
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
    for (i, ty) in TdType::ALL.into_iter().enumerate() {
        if !ty.is_supported() || ty == TdType::Timestamp || ty == TdType::Json {
            continue;
        }
        for precision in [Precision::Millisecond, Precision::Nanosecond] {
            let specs = vec![
                ColumnSpec::new("ts", TdType::Timestamp),
                random_spec(&mut rng, "c", ty),
            ];
            let opts = SchemaOptions {
                precision,
                ..SchemaOptions::default()
            };
            let schema = arrow_schema(&specs, &opts)?;
            let batch = random_table_batch(i as u64, &schema, 4, 0.25);
            let mut fields: Vec<BindField> = specs
                .iter()
                .map(|s| bind_field(s, BindRole::Column, precision))
                .collect();
            let mut table = TableBind::new(batch.columns().to_vec());
            if precision == Precision::Nanosecond {
                fields.insert(
                    0,
                    BindField::new("tbname", TdType::VarChar, BindRole::TableName),
                );
                fields.insert(1, BindField::new("g", TdType::Int, BindRole::Tag));
                table = table
                    .with_name(format!("d{i}"))
                    .with_tags(vec![Arc::new(Int32Array::from(vec![i as i32])) as ArrayRef]);
            }
            let mut payload = Vec::new();
            encode_payload(&fields, &[table], &EncodeOptions::default(), &mut payload)?;
            t.add(stmt2_input(&fields, &payload))?;
        }
    }
    Ok(())
}

fn binary_frame_seeds(t: &mut Target) -> Result<()> {
    for (action, sql) in [
        (BinaryAction::BinaryQuery, "select * from fz.st"),
        (BinaryAction::ValidateSql, "select 1"),
        (BinaryAction::BinaryQuery, "insert into t values (now, 1)"),
    ] {
        let mut f = Vec::new();
        BinaryQuery {
            req_id: 9,
            action,
            sql,
        }
        .encode(&mut f)?;
        t.add(f)?;
    }
    let mut f = Vec::new();
    FetchRawBlockRequest {
        req_id: 3,
        result_id: 1,
    }
    .encode(&mut f);
    t.add(f)?;
    let block = golden::example_a();
    for body in [
        RawBlockBody::Block(&block),
        RawBlockBody::Finished,
        RawBlockBody::Error {
            code: Code(0x2603),
            message: "Table does not exist".into(),
        },
    ] {
        let mut f = Vec::new();
        FetchRawBlockResponse {
            timing: 5,
            req_id: 3,
            result_id: 1,
            body,
        }
        .encode(&mut f)?;
        t.add(f)?;
    }
    for action in [
        BinaryAction::Bind,
        BinaryAction::SetTags,
        BinaryAction::Stmt2Bind,
    ] {
        let mut f = Vec::new();
        BinaryHeader {
            req_id: 4,
            resource_id: 1,
            action: action.code(),
        }
        .encode(&mut f);
        f.extend_from_slice(&block);
        t.add(f)?;
    }
    Ok(())
}

/// JSON requests of every kind a client sends.
const REQUESTS: &[&str] = &[
    r#"{"action":"version"}"#,
    r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"fz","connector":"python-ws-v0.7.0"}}"#,
    r#"{"action":"conn","args":{"req_id":1,"user":"root","password":"taosdata","db":"","tz":"Asia/Shanghai","app":"a","ip":"127.0.0.1"}}"#,
    r#"{"action":"query","args":{"req_id":2,"sql":"select * from fz.t1"}}"#,
    r#"{"action":"fetch","args":{"req_id":3,"id":1}}"#,
    r#"{"action":"fetch_block","args":{"req_id":4,"id":1}}"#,
    r#"{"action":"free_result","args":{"req_id":5,"id":1}}"#,
    r#"{"action":"num_fields","args":{"req_id":6,"id":1}}"#,
    r#"{"action":"get_current_db","args":{"req_id":7}}"#,
    r#"{"action":"get_server_info","args":{"req_id":8}}"#,
    r#"{"action":"check_server_status","args":{"req_id":9,"fqdn":"localhost","port":6030}}"#,
    r#"{"action":"options_connection","args":{"req_id":10,"options":[{"option":1,"value":"UTC"}]}}"#,
    r#"{"action":"stmt2_init","args":{"req_id":11,"single_stb_insert":false,"single_table_bind_once":false}}"#,
    r#"{"action":"stmt2_prepare","args":{"req_id":12,"stmt_id":1,"sql":"insert into ? using fz.st tags(?,?) values(?,?,?,?,?,?,?)","get_fields":true}}"#,
    r#"{"action":"stmt2_exec","args":{"req_id":13,"stmt_id":1}}"#,
    r#"{"action":"stmt2_result","args":{"req_id":14,"stmt_id":1}}"#,
    r#"{"action":"stmt2_close","args":{"req_id":15,"stmt_id":1}}"#,
    r#"{"action":"init","args":{"req_id":16}}"#,
    r#"{"action":"prepare","args":{"req_id":17,"stmt_id":1,"sql":"insert into ? values(?,?)"}}"#,
    r#"{"action":"set_table_name","args":{"req_id":18,"stmt_id":1,"name":"fz.t1"}}"#,
    r#"{"action":"set_tags","args":{"req_id":19,"stmt_id":1,"tags":[1,"a"]}}"#,
    r#"{"action":"bind","args":{"req_id":20,"stmt_id":1,"columns":[[1700000000000000],[1]]}}"#,
    r#"{"action":"add_batch","args":{"req_id":21,"stmt_id":1}}"#,
    r#"{"action":"exec","args":{"req_id":22,"stmt_id":1}}"#,
    r#"{"action":"close","args":{"req_id":23,"stmt_id":1}}"#,
    r#"{"action":"stmt_num_params","args":{"req_id":24,"stmt_id":1}}"#,
    r#"{"action":"stmt_get_param","args":{"req_id":25,"stmt_id":1,"index":0}}"#,
];

/// JSON responses of the kinds a client reads.
const RESPONSES: &[&str] = &[
    r#"{"code":0,"message":"","action":"version","version":"3.3.6.0"}"#,
    r#"{"code":0,"message":"","action":"conn","req_id":1,"timing":1}"#,
    r#"{"code":9731,"message":"Table does not exist","action":"query","req_id":2,"timing":1}"#,
    r#"{"code":0,"message":"","action":"binary_query","req_id":2,"timing":1,"id":1,"is_update":false,"affected_rows":0,"fields_count":3,"fields_names":["ts","v","s"],"fields_types":[9,4,8],"fields_lengths":[8,4,10],"precision":0,"fields_precisions":[0,0,0],"fields_scales":[0,0,0]}"#,
    r#"{"code":0,"message":"","action":"binary_query","req_id":2,"timing":1,"id":0,"is_update":true,"affected_rows":3,"fields_count":0,"fields_names":null,"fields_types":null,"fields_lengths":null,"precision":0}"#,
    r#"{"code":0,"message":"","action":"fetch","req_id":3,"timing":1,"id":1,"completed":false,"lengths":[8,4,5],"rows":2}"#,
    r#"{"code":0,"message":"","action":"stmt2_prepare","req_id":12,"timing":1,"stmt_id":1,"is_insert":true,"fields":[{"name":"tbname","field_type":8,"precision":0,"scale":0,"bytes":272,"bind_type":4},{"name":"g","field_type":4,"precision":0,"scale":0,"bytes":4,"bind_type":2},{"name":"ts","field_type":9,"precision":1,"scale":0,"bytes":8,"bind_type":1},{"name":"d","field_type":21,"precision":10,"scale":2,"bytes":8,"bind_type":1}],"fields_count":4}"#,
    r#"{"code":0,"message":"","action":"stmt2_exec","req_id":13,"timing":1,"stmt_id":1,"affected":2}"#,
    r#"{"code":0,"message":"","action":"stmt2_result","req_id":14,"timing":1,"stmt_id":1,"result_id":2,"fields_count":1,"fields_names":["c"],"fields_types":[5],"fields_lengths":[8],"precision":0}"#,
];

/// DSNs of every shape the grammar allows.
const DSNS: &[&str] = &[
    "ws://localhost:6041",
    "ws://root:taosdata@localhost:6041/db?timezone=Asia%2FShanghai",
    "wss://u%40x:p%3Fa%2Fss@cloud.example.com/power?token=abc&read_timeout=30",
    "taos+ws://[::1]:6041,127.0.0.1:6042/db",
    "ws://",
    "ws://h1,h2:1,h3/?conn_retries=3&retry_backoff_ms=10&compression",
    "ws://%E4%B8%AD:%E6%96%87@host/%E5%BA%93",
];

/// SQL like the tests and TDengine's documentation use.
const SQL: &[&str] = &[
    "SELECT * FROM fz.t1",
    "SELECT ts, v, s FROM st WHERE v > 0 AND s LIKE 'x%' ORDER BY ts DESC LIMIT 10 OFFSET 1",
    "SELECT last(v), first(s), count(*), avg(f), spread(v) FROM st GROUP BY tbname",
    "SELECT _wstart, max(v) FROM st INTERVAL(1s) SLIDING(500a) FILL(PREV)",
    "SELECT * FROM st PARTITION BY tn STATE_WINDOW(v)",
    "SELECT tbname, g FROM st WHERE g IN (1, 2, 3) AND ts BETWEEN '2023-01-01' AND now",
    "INSERT INTO t2 USING st TAGS (2, 'b') VALUES (now, 1, 'a', 'b', '\\x4142', 3.14, -1e3)",
    "INSERT INTO t1 VALUES ('2023-11-14 22:13:20.000', NULL, NULL, NULL, NULL, NULL, NULL) t3 USING st TAGS(3,'c') VALUES (now+1s, 2, 'x', '中文', 'y', '-0.5', 1)",
    "CREATE TABLE t4 (ts TIMESTAMP, a BIGINT UNSIGNED, b BOOL, c GEOMETRY(64), d VARBINARY(8), e DECIMAL(20,4), j BLOB)",
    "CREATE STABLE s2 (ts TIMESTAMP, v FLOAT) TAGS (j JSON)",
    "ALTER TABLE st ADD COLUMN z SMALLINT",
    "DROP TABLE IF EXISTS t4",
    "SHOW DATABASES LIKE 'f%_'",
    "SHOW TABLES",
    "SHOW STABLES LIKE 's%'",
    "DESCRIBE st",
    "USE fz",
    "SELECT CAST(v AS BIGINT), TO_ISO8601(ts), timetruncate(ts, 1d), abs(-v) % 3 FROM t1",
    "SELECT * FROM (SELECT ts, v FROM t1) WHERE v IS NOT NULL",
    "SELECT server_version(), database(), now(), today()",
    "DELETE FROM t1 WHERE ts < now - 1d",
];

/// Administration: SHOW CREATE / TAGS / VARIABLES, users, grants and KILL.
const ADMIN_SQL: &[&str] = &[
    "SHOW CREATE STABLE st",
    "SHOW CREATE TABLE fz.t1",
    "SHOW CREATE DATABASE fz",
    "SHOW TABLE TAGS tbname, g FROM st",
    "SHOW TAGS FROM t1 FROM fz",
    "SHOW NORMAL `fz`.TABLES LIKE 't%'",
    "SHOW DNODE 1 VARIABLES LIKE 'f%'",
    "SHOW USERS FULL",
    "SELECT kill_id, sql FROM performance_schema.perf_queries WHERE conn_id > 0 ORDER BY create_time LIMIT 1",
    "CREATE USER u1 PASS 'Passw0rd!' SYSINFO 0 CREATEDB 1 HOST '127.0.0.1'",
    "ALTER USER u1 PASS 'N3w_passw0rd'",
    "GRANT READ, WRITE ON fz.* TO u1",
    "GRANT SUBSCRIBE ON tp TO u1",
    "REVOKE ALL ON *.* FROM u1",
    "KILL QUERY '1:2'",
    "KILL CONNECTION 1",
    "DELETE FROM fz.t1 WHERE ts BETWEEN '2023-01-01' AND now - 1d AND ts > 0",
    "CREATE OR REPLACE VIEW fz.v1 AS SELECT ts, v FROM fz.t1 UNION ALL SELECT ts, v FROM (SELECT ts, v FROM st)",
];

/// Frames a client sends in a session: JSON text and binary frames, separated by `0xFF`.
fn request_sequences(t: &mut Target) -> Result<()> {
    for r in REQUESTS {
        t.add(r)?;
    }
    let mut query = Vec::new();
    BinaryQuery {
        req_id: 9,
        action: BinaryAction::BinaryQuery,
        sql: "select * from fz.t1",
    }
    .encode(&mut query)?;
    let mut fetch = Vec::new();
    FetchRawBlockRequest {
        req_id: 10,
        result_id: 1,
    }
    .encode(&mut fetch);
    let mut seq = query.clone();
    seq.push(0xFF);
    seq.extend_from_slice(&fetch);
    seq.push(0xFF);
    seq.extend_from_slice(REQUESTS[6].as_bytes());
    t.add(&seq)?;
    let mut seq = REQUESTS[12].as_bytes().to_vec();
    seq.push(0xFF);
    seq.extend_from_slice(REQUESTS[13].as_bytes());
    seq.push(0xFF);
    let golden = golden::bytes(golden::STMT2_EXAMPLE);
    seq.extend_from_slice(&golden);
    seq.push(0xFF);
    seq.extend_from_slice(REQUESTS[14].as_bytes());
    t.add(&seq)?;
    for i in [16, 17, 18, 21, 22] {
        let mut one = REQUESTS[16].as_bytes().to_vec();
        one.push(0xFF);
        one.extend_from_slice(REQUESTS[i].as_bytes());
        t.add(one)?;
    }
    Ok(())
}

/// Raw blocks for the stmt v1 target's statement: the bound columns (`bind`, first byte even)
/// and the tags (`set_tags`, first byte odd) of `fz.st`.
fn stmt1_seeds(t: &mut Target) -> Result<()> {
    let opts = SchemaOptions {
        precision: Precision::Microsecond,
        ..SchemaOptions::default()
    };
    let cols = [
        ColumnSpec::new("ts", TdType::Timestamp),
        ColumnSpec::new("v", TdType::Int),
        ColumnSpec::new("s", TdType::VarChar).with_length(16),
        ColumnSpec::new("n", TdType::NChar).with_length(8),
        ColumnSpec::new("b", TdType::VarBinary).with_length(16),
        ColumnSpec::decimal("d", 10, 2),
        ColumnSpec::new("f", TdType::Double),
    ];
    let schema = arrow_schema(&cols, &opts)?;
    for (seed, rows) in [(1u64, 1usize), (2, 3), (3, 17)] {
        let batch = random_table_batch(seed, &schema, rows, 0.2);
        let mut f = vec![0u8];
        encode_block(&batch, &mut f)?;
        t.add(f)?;
    }
    let tags = [
        ColumnSpec::new("g", TdType::Int),
        ColumnSpec::new("tn", TdType::VarChar).with_length(8),
    ];
    let tag_schema = arrow_schema(&tags, &opts)?;
    let batch = RecordBatch::try_new(
        tag_schema,
        vec![
            Arc::new(Int32Array::from(vec![5])) as ArrayRef,
            Arc::new(StringArray::from(vec!["tag"])) as ArrayRef,
        ],
    )?;
    let mut f = vec![1u8];
    encode_block(&batch, &mut f)?;
    t.add(f)?;
    Ok(())
}

fn server_reply_seeds(t: &mut Target) -> Result<()> {
    let block = golden::example_a();
    let mut frame = Vec::new();
    FetchRawBlockResponse {
        timing: 1,
        req_id: 3,
        result_id: 1,
        body: RawBlockBody::Block(&block),
    }
    .encode(&mut frame)?;
    let mut seed = RESPONSES[3].as_bytes().to_vec();
    seed.push(0);
    seed.extend_from_slice(&frame);
    t.add(seed)?;
    for r in &RESPONSES[6..] {
        t.add(r)?;
    }
    Ok(())
}

/// TMQ data payloads: seeded random tables in each precision, one to three blocks each.
fn tmq_seeds(t: &mut Target) -> Result<()> {
    use taosarrow_codec::tmq::{encode_data_rsp, DataRspBlock};
    for seed in 0..24u64 {
        let precision = Precision::ALL[(seed % 3) as usize];
        let opts = SchemaOptions {
            precision,
            timezone: None,
        };
        let cols = 1 + (seed % 5) as usize;
        let schema = random_schema(seed, cols, &opts);
        let batches: Vec<RecordBatch> = (0..1 + seed % 3)
            .map(|k| random_batch(seed * 7 + k, &schema, 1 + (k as usize) * 3, 0.25))
            .collect();
        let names: Vec<String> = (0..batches.len()).map(|k| format!("d{k}")).collect();
        let blocks: Vec<DataRspBlock<'_>> = batches
            .iter()
            .zip(&names)
            .map(|(batch, table)| DataRspBlock { table, batch })
            .collect();
        let mut out = Vec::new();
        encode_data_rsp(&blocks, precision, seed as i64, seed as i64 + 1, &mut out)?;
        t.add(out)?;
    }
    Ok(())
}

/// `/rest/tmq` request sequences (parts separated by `0xFF`) as the official clients send
/// them after `subscribe`: polls, every fetch form, offsets, seek, assignment, unsubscribe.
fn tmq_request_sequences(t: &mut Target) -> Result<()> {
    let reqs = [
        r#"{"action":"poll","args":{"req_id":2,"blocking_time":100,"message_id":0}}"#,
        r#"{"action":"fetch_raw_data","args":{"req_id":3,"message_id":1}}"#,
        r#"{"action":"fetch_json_meta","args":{"req_id":4,"message_id":1}}"#,
        r#"{"action":"fetch","args":{"req_id":5,"message_id":1}}"#,
        r#"{"action":"fetch_block","args":{"req_id":6,"message_id":1}}"#,
        r#"{"action":"fetch_raw","args":{"req_id":7,"message_id":1}}"#,
        r#"{"action":"poll","args":{"req_id":8,"blocking_time":100,"message_id":1}}"#,
        r#"{"action":"commit","args":{"req_id":9,"message_id":2}}"#,
        r#"{"action":"assignment","args":{"req_id":10,"topic":"fz_topic"}}"#,
        r#"{"action":"committed","args":{"req_id":11,"topic_vgroup_ids":[{"topic":"fz_topic","vgroup_id":2}]}}"#,
        r#"{"action":"position","args":{"req_id":12,"topic_vgroup_ids":[{"topic":"fz_topic","vgroup_id":2}]}}"#,
        r#"{"action":"seek","args":{"req_id":13,"topic":"fz_topic","vgroup_id":2,"offset":0}}"#,
        r#"{"action":"commit_offset","args":{"req_id":14,"topic":"fz_topic","vgroup_id":2,"offset":1}}"#,
        r#"{"action":"list_topics","args":{"req_id":15}}"#,
        r#"{"action":"unsubscribe","args":{"req_id":16}}"#,
        r#"{"action":"subscribe","args":{"req_id":17,"user":"root","password":"taosdata","group_id":"g2","topics":["fz_topic"]}}"#,
    ];
    let mut all = Vec::new();
    for (i, r) in reqs.iter().enumerate() {
        if i > 0 {
            all.push(0xFF);
        }
        all.extend_from_slice(r.as_bytes());
    }
    t.add(&all)?;
    for r in reqs {
        t.add(r)?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let dir = std::env::args().nth(1).ok_or("usage: seed_corpus <dir>")?;
    let corpus = Corpus {
        dir: Path::new(&dir).to_path_buf(),
    };

    let mut t = corpus.target("decode_block")?;
    t.add(golden::example_a())?;
    t.add(golden::example_b())?;
    for b in random_blocks()? {
        t.add(b)?;
    }
    tmq_seeds(&mut corpus.target("tmq_data_rsp")?)?;
    stmt2_seeds(&mut corpus.target("stmt2_payload")?)?;
    binary_frame_seeds(&mut corpus.target("binary_frames")?)?;
    let mut t = corpus.target("json_request")?;
    for r in REQUESTS {
        t.add(r)?;
    }
    let mut t = corpus.target("json_response")?;
    for r in RESPONSES {
        t.add(r)?;
    }
    let mut t = corpus.target("dsn")?;
    for d in DSNS {
        t.add(d)?;
    }
    server_reply_seeds(&mut corpus.target("server_reply")?)?;
    let mut t = corpus.target("sql")?;
    for s in SQL {
        t.add(s)?;
    }
    t.add(SQL[..4].join(";"))?;
    for s in ADMIN_SQL {
        t.add(s)?;
    }
    request_sequences(&mut corpus.target("requests")?)?;
    tmq_request_sequences(&mut corpus.target("tmq_requests")?)?;
    stmt1_seeds(&mut corpus.target("stmt1_bind")?)?;
    schemaless_seeds(&corpus)?;
    Ok(())
}

/// The specification's schemaless examples, each behind its first byte (precision ms = 4;
/// 0x84 also names child tables by the tag `t`).
fn schemaless_seeds(corpus: &Corpus) -> Result<()> {
    let seeds: [(&str, &[&str]); 3] = [
        (
            "sml_line",
            &[
                "st,t1=3,t2=4,t3=t3 c1=3i64,c3=\"passit\",c2=false,c4=4f64 1626006833639000000",
                "measurement,host=host1 field1=2i,field2=2.0 1577837300000\nmeasurement,host=host1 field1=2i,field2=2.0 1577837400000",
                "my\\ m\\,x,t\\ k=v\\=1 s=\"a \\\"b\\\" c\",n=L\"天津\",g=G\"POINT(1 2)\",b=B\"\\x98f46e\",u=8u8,f=1.5f32 1700000000000",
                "st,t=1 v=1i 1000\nst,t=1 v=1 2000\n# comment\n\nnt v=t",
            ],
        ),
        (
            "sml_telnet",
            &[
                "meters.current 1648432611249 10.3 location=California.SanFrancisco group=2",
                "m 1648432611 219i32 t=1 u=2\nm 0 \"abc\" t=1 u=2",
            ],
        ),
        (
            "sml_json",
            &[
                r#"[{"metric":"meters2.current","timestamp":1648432611249,"value":10.3,"tags":{"location":"California.SanFrancisco","groupid":2}}]"#,
                r#"{"metric":"m","timestamp":{"value":1626006833639000,"type":"us"},"value":{"value":-7,"type":"i8"},"tags":{"t":{"value":"x","type":"nchar"},"b":true}}"#,
            ],
        ),
    ];
    for (name, payloads) in seeds {
        let mut t = corpus.target(name)?;
        for (k, p) in payloads.iter().enumerate() {
            let first = if k % 2 == 0 { 4u8 } else { 0x84 };
            let mut bytes = vec![first];
            bytes.extend_from_slice(p.as_bytes());
            t.add(bytes)?;
        }
    }
    Ok(())
}
