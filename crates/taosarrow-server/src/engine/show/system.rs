//! The tables of `information_schema` and `performance_schema`, with TDengine 3.3's columns
//! (`systable.c`), filled from the engine: its databases, tables, users, vgroups, topics and
//! consumers, the connections being served and the statements they run. SHOW statements are
//! queries on these ([`super::run`]); a SELECT reads them like any table.
//!
//! Tables of a cluster this single-node server has nothing for (functions, streams, views,
//! compacts, …) exist with their columns and no rows, so tools that read them get what an
//! idle TDengine answers.

use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::TdType;

use super::columns::{col, vc, Cell, Rows};
use crate::config::SERVER_VERSION;
use crate::engine::catalog::{read, Database, Table};
use crate::engine::users::User;
use crate::engine::{Engine, ResultSet, Session};
use crate::ServerError;

/// The system database TDengine's `ins_*` tables live in.
pub(crate) const INFORMATION_SCHEMA: &str = "information_schema";
/// The system database of the `perf_*` tables.
pub(crate) const PERFORMANCE_SCHEMA: &str = "performance_schema";

/// Whether `db` names one of the two system databases.
pub(crate) fn is_system_db(db: &str) -> bool {
    db.eq_ignore_ascii_case(INFORMATION_SCHEMA) || db.eq_ignore_ascii_case(PERFORMANCE_SCHEMA)
}

/// What a system table is filled from.
struct Ctx<'a> {
    e: &'a Engine,
    s: &'a Session,
}

/// One system table: its columns and how its rows are made.
struct SysTable {
    db: &'static str,
    name: &'static str,
    /// Only users with `SYSINFO 1` may read it.
    sysinfo: bool,
    specs: fn() -> Vec<ColumnSpec>,
    fill: fn(&Ctx<'_>, &mut Rows) -> Result<(), ServerError>,
}

/// A table with no rows.
fn nothing(_: &Ctx<'_>, _: &mut Rows) -> Result<(), ServerError> {
    Ok(())
}

const I: &str = INFORMATION_SCHEMA;
const P: &str = PERFORMANCE_SCHEMA;

/// Every system table, in the order `ins_tables` lists them.
static TABLES: &[SysTable] = &[
    SysTable {
        db: I,
        name: "ins_dnodes",
        sysinfo: true,
        specs: dnodes_specs,
        fill: dnodes,
    },
    SysTable {
        db: I,
        name: "ins_mnodes",
        sysinfo: true,
        specs: mnodes_specs,
        fill: mnodes,
    },
    SysTable {
        db: I,
        name: "ins_qnodes",
        sysinfo: true,
        specs: qnodes_specs,
        fill: nothing,
    },
    SysTable {
        db: I,
        name: "ins_snodes",
        sysinfo: true,
        specs: qnodes_specs,
        fill: nothing,
    },
    SysTable {
        db: I,
        name: "ins_cluster",
        sysinfo: true,
        specs: cluster_specs,
        fill: cluster,
    },
    SysTable {
        db: I,
        name: "ins_databases",
        sysinfo: false,
        specs: databases_specs,
        fill: databases,
    },
    SysTable {
        db: I,
        name: "ins_functions",
        sysinfo: false,
        specs: functions_specs,
        fill: nothing,
    },
    SysTable {
        db: I,
        name: "ins_indexes",
        sysinfo: false,
        specs: indexes_specs,
        fill: nothing,
    },
    SysTable {
        db: I,
        name: "ins_stables",
        sysinfo: false,
        specs: stables_specs,
        fill: stables,
    },
    SysTable {
        db: I,
        name: "ins_tables",
        sysinfo: false,
        specs: tables_specs,
        fill: tables,
    },
    SysTable {
        db: I,
        name: "ins_tags",
        sysinfo: false,
        specs: tags_specs,
        fill: tags,
    },
    SysTable {
        db: I,
        name: "ins_columns",
        sysinfo: false,
        specs: columns_specs,
        fill: columns,
    },
    SysTable {
        db: I,
        name: "ins_users",
        sysinfo: true,
        specs: users_specs,
        fill: users,
    },
    SysTable {
        db: I,
        name: "ins_users_full",
        sysinfo: true,
        specs: users_full_specs,
        fill: users_full,
    },
    SysTable {
        db: I,
        name: "ins_grants",
        sysinfo: true,
        specs: grants_specs,
        fill: grants,
    },
    SysTable {
        db: I,
        name: "ins_vgroups",
        sysinfo: true,
        specs: vgroups_specs,
        fill: vgroups,
    },
    SysTable {
        db: I,
        name: "ins_configs",
        sysinfo: false,
        specs: configs_specs,
        fill: configs,
    },
    SysTable {
        db: I,
        name: "ins_dnode_variables",
        sysinfo: true,
        specs: variables_specs,
        fill: variables,
    },
    SysTable {
        db: I,
        name: "ins_topics",
        sysinfo: false,
        specs: topics_specs,
        fill: topics,
    },
    SysTable {
        db: I,
        name: "ins_subscriptions",
        sysinfo: false,
        specs: subscriptions_specs,
        fill: subscriptions,
    },
    SysTable {
        db: I,
        name: "ins_streams",
        sysinfo: false,
        specs: streams_specs,
        fill: nothing,
    },
    SysTable {
        db: I,
        name: "ins_vnodes",
        sysinfo: true,
        specs: vnodes_specs,
        fill: vnodes,
    },
    SysTable {
        db: I,
        name: "ins_user_privileges",
        sysinfo: true,
        specs: privileges_specs,
        fill: privileges,
    },
    SysTable {
        db: I,
        name: "ins_views",
        sysinfo: false,
        specs: views_specs,
        fill: views,
    },
    SysTable {
        db: I,
        name: "ins_compacts",
        sysinfo: false,
        specs: compacts_specs,
        fill: nothing,
    },
    SysTable {
        db: I,
        name: "ins_tsmas",
        sysinfo: false,
        specs: tsmas_specs,
        fill: nothing,
    },
    SysTable {
        db: P,
        name: "perf_connections",
        sysinfo: false,
        specs: connections_specs,
        fill: connections,
    },
    SysTable {
        db: P,
        name: "perf_queries",
        sysinfo: false,
        specs: queries_specs,
        fill: queries,
    },
    SysTable {
        db: P,
        name: "perf_consumers",
        sysinfo: false,
        specs: consumers_specs,
        fill: consumers,
    },
    SysTable {
        db: P,
        name: "perf_trans",
        sysinfo: false,
        specs: trans_specs,
        fill: nothing,
    },
    SysTable {
        db: P,
        name: "perf_apps",
        sysinfo: false,
        specs: apps_specs,
        fill: nothing,
    },
];

/// The rows of system table `db.name` (both lower-cased) as `s`'s user may see them;
/// `None` for a table that does not exist, 0x2644 for one the user may not read.
pub(crate) fn system_table(
    e: &Engine,
    s: &Session,
    db: &str,
    name: &str,
) -> Option<Result<ResultSet, ServerError>> {
    // `ins_consumers` is what earlier releases of this server called `perf_consumers`.
    let (db, name) = match (db, name) {
        (INFORMATION_SCHEMA, "ins_consumers") => (PERFORMANCE_SCHEMA, "perf_consumers"),
        other => other,
    };
    let t = TABLES.iter().find(|t| t.db == db && t.name == name)?;
    if t.sysinfo && !e.users().has_sysinfo(s.user()) {
        return Some(Err(crate::engine::users::permission_denied()));
    }
    let mut rows = Rows::new((t.specs)());
    let ctx = Ctx { e, s };
    Some((t.fill)(&ctx, &mut rows).and_then(|()| rows.finish()))
}

/// The number of system tables in `db` (what `ins_databases.ntables` shows for it).
fn system_tables_in(db: &str) -> usize {
    TABLES.iter().filter(|t| t.db == db).count()
}

// ---- nodes and cluster -------------------------------------------------------------------

fn dnodes_specs() -> Vec<ColumnSpec> {
    vec![
        col("id", TdType::Int),
        vc("endpoint", 134),
        col("vnodes", TdType::SmallInt),
        col("support_vnodes", TdType::SmallInt),
        vc("status", 10),
        col("create_time", TdType::Timestamp),
        col("reboot_time", TdType::Timestamp),
        vc("note", 256),
    ]
}

/// The one dnode the server is. Its vnodes are its databases' vgroups; it has no vnode
/// limit, so `support_vnodes` is the largest SMALLINT.
fn dnodes(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let node = c.e.dnode();
    let vnodes: usize = user_dbs(c).iter().map(|d| d.wal.vgroups().len()).sum();
    r.push(vec![
        1i32.into(),
        node.endpoint.as_str().into(),
        i16::try_from(vnodes).unwrap_or(i16::MAX).into(),
        i16::MAX.into(),
        "ready".into(),
        node.created.into(),
        node.started.into(),
        "".into(),
    ]);
    Ok(())
}

fn mnodes_specs() -> Vec<ColumnSpec> {
    vec![
        col("id", TdType::Int),
        vc("endpoint", 134),
        vc("role", 12),
        vc("status", 9),
        col("create_time", TdType::Timestamp),
        col("role_time", TdType::Timestamp),
    ]
}

fn mnodes(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let node = c.e.dnode();
    r.push(vec![
        1i32.into(),
        node.endpoint.as_str().into(),
        "leader".into(),
        "ready".into(),
        node.created.into(),
        node.started.into(),
    ]);
    Ok(())
}

fn qnodes_specs() -> Vec<ColumnSpec> {
    vec![
        col("id", TdType::Int),
        vc("endpoint", 134),
        col("create_time", TdType::Timestamp),
    ]
}

fn cluster_specs() -> Vec<ColumnSpec> {
    vec![
        col("id", TdType::BigInt),
        vc("name", 40),
        col("uptime", TdType::Int),
        col("create_time", TdType::Timestamp),
        vc("version", 10),
        col("expire_time", TdType::Timestamp),
    ]
}

/// The cluster of one dnode: its id and name derive from the node's creation, so they stay
/// the same for the engine's life.
fn cluster(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let node = c.e.dnode();
    let id = cluster_id(node.created);
    let uptime_s = (crate::engine::catalog::now_ms() - node.started).max(0) / 1000;
    r.push(vec![
        id.into(),
        format!("{:016x}-{:016x}", id as u64, node.created as u64).into(),
        i32::try_from(uptime_s).unwrap_or(i32::MAX).into(),
        node.created.into(),
        SERVER_VERSION.into(),
        Cell::Null,
    ]);
    Ok(())
}

/// A positive 63-bit FNV-1a hash of `bytes`: ids that stay the same for the same input.
fn positive_hash(bytes: impl IntoIterator<Item = u8>) -> i64 {
    let h = bytes.into_iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (h >> 1) as i64
}

/// A positive id derived from `seed`.
fn cluster_id(seed: i64) -> i64 {
    positive_hash(seed.to_le_bytes())
}

// ---- databases -----------------------------------------------------------------------------

fn databases_specs() -> Vec<ColumnSpec> {
    vec![
        vc("name", 64),
        col("create_time", TdType::Timestamp),
        col("vgroups", TdType::Int),
        col("ntables", TdType::BigInt),
        col("replica", TdType::TinyInt),
        vc("strict", 4),
        vc("duration", 10),
        vc("keep", 32),
        col("buffer", TdType::Int),
        col("pagesize", TdType::Int),
        col("pages", TdType::Int),
        col("minrows", TdType::Int),
        col("maxrows", TdType::Int),
        col("comp", TdType::TinyInt),
        vc("precision", 2),
        vc("status", 10),
        vc("retentions", 60),
        col("single_stable", TdType::Bool),
        vc("cachemodel", 11),
        col("cachesize", TdType::Int),
        col("wal_level", TdType::TinyInt),
        col("wal_fsync_period", TdType::Int),
        col("wal_retention_period", TdType::Int),
        col("wal_retention_size", TdType::BigInt),
        col("stt_trigger", TdType::SmallInt),
        col("table_prefix", TdType::SmallInt),
        col("table_suffix", TdType::SmallInt),
        col("tsdb_pagesize", TdType::Int),
        col("keep_time_offset", TdType::Int),
        col("s3_chunkpages", TdType::Int),
        vc("s3_keeplocal", 10),
        col("s3_compact", TdType::TinyInt),
        col("with_arbitrator", TdType::TinyInt),
        vc("encrypt_algorithm", 16),
    ]
}

/// The user databases `c`'s user may see, by name.
fn user_dbs(c: &Ctx<'_>) -> Vec<std::sync::Arc<Database>> {
    let users = c.e.users();
    read(&c.e.catalog().dbs)
        .values()
        .filter(|d| users.sees_db(c.s.user(), &d.name))
        .cloned()
        .collect()
}

/// A database option as written at CREATE (or ALTER) DATABASE, unquoted.
fn opt(db: &Database, key: &str) -> Option<String> {
    read(&db.options)
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim_matches(|c| c == '\'' || c == '"').to_owned())
}

/// An integer database option, else its default.
fn opt_int(db: &Database, key: &str, default: i64) -> i64 {
    opt(db, key).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A DURATION / KEEP value in minutes: `n` (days), `nd`, `nh` or `nm`.
fn minutes(v: &str) -> Option<i64> {
    let v = v.trim();
    let (num, unit) = match v.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&v[..i], c.to_ascii_lowercase()),
        _ => (v, 'd'),
    };
    let n: i64 = num.trim().parse().ok()?;
    match unit {
        'd' => n.checked_mul(1440),
        'h' => n.checked_mul(60),
        'm' => Some(n),
        _ => None,
    }
}

/// Minutes as TDengine prints a duration or keep: in days, else hours, else minutes.
fn format_minutes(m: i64) -> String {
    if m % 1440 == 0 {
        format!("{}d", m / 1440)
    } else if m % 60 == 0 {
        format!("{}h", m / 60)
    } else {
        format!("{m}m")
    }
}

/// The database's DURATION, as printed (default 10 days).
pub(super) fn duration_of(db: &Database) -> String {
    format_minutes(
        opt(db, "duration")
            .as_deref()
            .and_then(minutes)
            .unwrap_or(10 * 1440),
    )
}

/// The database's KEEP, as printed: three values (default 3650 days each).
pub(super) fn keep_of(db: &Database) -> String {
    let given: Vec<i64> = opt(db, "keep")
        .map(|v| v.split(',').filter_map(minutes).collect())
        .unwrap_or_default();
    let k0 = given.first().copied().unwrap_or(3650 * 1440);
    let k1 = given.get(1).copied().unwrap_or(k0);
    let k2 = given.get(2).copied().unwrap_or(k1);
    [k0, k1, k2].map(format_minutes).join(",")
}

/// One database option's effective value: what it was created with, else TDengine 3.3's
/// default.
pub(super) struct DbOptions {
    pub buffer: i64,
    pub cachemodel: String,
    pub cachesize: i64,
    pub comp: i64,
    pub maxrows: i64,
    pub minrows: i64,
    pub pages: i64,
    pub pagesize: i64,
    pub replica: i64,
    pub single_stable: bool,
    pub strict: String,
    pub stt_trigger: i64,
    pub table_prefix: i64,
    pub table_suffix: i64,
    pub tsdb_pagesize: i64,
    pub wal_fsync_period: i64,
    pub wal_level: i64,
    pub keep_time_offset: i64,
    pub s3_chunkpages: i64,
    pub s3_keeplocal: String,
    pub s3_compact: i64,
    pub encrypt_algorithm: String,
}

impl DbOptions {
    pub(super) fn of(db: &Database) -> Self {
        let s = |k: &str, d: &str| {
            opt(db, k)
                .unwrap_or_else(|| d.to_owned())
                .to_ascii_lowercase()
        };
        DbOptions {
            buffer: opt_int(db, "buffer", 256),
            cachemodel: s("cachemodel", "none"),
            cachesize: opt_int(db, "cachesize", 1),
            comp: opt_int(db, "comp", 2),
            maxrows: opt_int(db, "maxrows", 4096),
            minrows: opt_int(db, "minrows", 100),
            pages: opt_int(db, "pages", 256),
            pagesize: opt_int(db, "pagesize", 4),
            replica: opt_int(db, "replica", 1),
            single_stable: opt_int(db, "single_stable", 0) != 0,
            strict: s("strict", "on"),
            stt_trigger: opt_int(db, "stt_trigger", 2),
            table_prefix: opt_int(db, "table_prefix", 0),
            table_suffix: opt_int(db, "table_suffix", 0),
            tsdb_pagesize: opt_int(db, "tsdb_pagesize", 4),
            wal_fsync_period: opt_int(db, "wal_fsync_period", 3000),
            wal_level: opt_int(db, "wal_level", 1),
            keep_time_offset: opt_int(db, "keep_time_offset", 0),
            s3_chunkpages: opt_int(db, "s3_chunkpages", 131_072),
            s3_keeplocal: format_minutes(
                opt(db, "s3_keeplocal")
                    .as_deref()
                    .and_then(minutes)
                    .unwrap_or(525_600),
            ),
            s3_compact: opt_int(db, "s3_compact", 1),
            encrypt_algorithm: s("encrypt_algorithm", "none"),
        }
    }
}

fn databases(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let width = databases_specs().len();
    for sys in [INFORMATION_SCHEMA, PERFORMANCE_SCHEMA] {
        let mut row = vec![Cell::Null; width];
        row[0] = sys.into();
        row[3] = system_tables_in(sys).into();
        row[14] = "ms".into();
        row[15] = "ready".into();
        r.push(row);
    }
    for db in user_dbs(c) {
        let o = DbOptions::of(&db);
        let retention = db.wal.retention();
        r.push(vec![
            db.name.as_str().into(),
            db.created.into(),
            db.wal.vgroups().len().into(),
            read(&db.tables).len().into(),
            o.replica.into(),
            o.strict.into(),
            duration_of(&db).into(),
            keep_of(&db).into(),
            o.buffer.into(),
            o.pagesize.into(),
            o.pages.into(),
            o.minrows.into(),
            o.maxrows.into(),
            o.comp.into(),
            db.precision.name().into(),
            "ready".into(),
            Cell::Null,
            o.single_stable.into(),
            o.cachemodel.into(),
            o.cachesize.into(),
            o.wal_level.into(),
            o.wal_fsync_period.into(),
            retention.period_s.into(),
            retention.size_kb.into(),
            o.stt_trigger.into(),
            o.table_prefix.into(),
            o.table_suffix.into(),
            o.tsdb_pagesize.into(),
            o.keep_time_offset.into(),
            o.s3_chunkpages.into(),
            o.s3_keeplocal.into(),
            o.s3_compact.into(),
            0i8.into(),
            o.encrypt_algorithm.into(),
        ]);
    }
    Ok(())
}

// ---- super tables, tables, tags, columns ---------------------------------------------------

fn stables_specs() -> Vec<ColumnSpec> {
    vec![
        vc("stable_name", 192),
        vc("db_name", 64),
        col("create_time", TdType::Timestamp),
        col("columns", TdType::Int),
        col("tags", TdType::Int),
        col("last_update", TdType::Timestamp),
        vc("table_comment", 1024),
        vc("watermark", 64),
        vc("max_delay", 64),
        vc("rollup", 128),
        col("uid", TdType::BigInt),
    ]
}

/// A stable positive uid for `db.name` (TDengine's are random; these are FNV-1a hashes, so
/// the same table has the same uid for the engine's life).
fn uid(db: &str, name: &str) -> i64 {
    positive_hash(db.bytes().chain([b'.']).chain(name.bytes()))
}

fn stables(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for db in user_dbs(c) {
        let defs: Vec<_> = read(&db.stables)
            .values()
            .map(|d| read(d).clone())
            .collect();
        for d in defs {
            r.push(vec![
                d.name.as_str().into(),
                db.name.as_str().into(),
                db.created.into(),
                d.columns.len().into(),
                d.tags.len().into(),
                db.created.into(),
                "".into(),
                "5000a,5000a".into(),
                "-1a,-1a".into(),
                "".into(),
                uid(&db.name, &d.name).into(),
            ]);
        }
    }
    Ok(())
}

fn tables_specs() -> Vec<ColumnSpec> {
    vec![
        vc("table_name", 192),
        vc("db_name", 64),
        col("create_time", TdType::Timestamp),
        col("columns", TdType::Int),
        vc("stable_name", 192),
        col("uid", TdType::BigInt),
        col("vgroup_id", TdType::Int),
        col("ttl", TdType::Int),
        vc("table_comment", 1024),
        vc("type", 21),
    ]
}

/// TDengine's name for the kind of table `t` is.
fn table_type(t: &Table) -> &'static str {
    if t.child_of.is_some() {
        "CHILD_TABLE"
    } else {
        "NORMAL_TABLE"
    }
}

fn tables(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for t in TABLES {
        r.push(vec![
            t.name.into(),
            t.db.into(),
            Cell::Null,
            (t.specs)().len().into(),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            "SYSTEM_TABLE".into(),
        ]);
    }
    for db in user_dbs(c) {
        let tables: Vec<_> = read(&db.tables).values().cloned().collect();
        for t in tables {
            r.push(vec![
                t.name.as_str().into(),
                db.name.as_str().into(),
                t.created.into(),
                db.columns_of(&t)?.len().into(),
                t.child_of.as_ref().map(|(s, _)| s.clone()).into(),
                uid(&db.name, &t.name).into(),
                db.wal.vgroup_of(&t.name).id.into(),
                t.ttl_days().into(),
                "".into(),
                table_type(&t).into(),
            ]);
        }
    }
    Ok(())
}

fn tags_specs() -> Vec<ColumnSpec> {
    vec![
        vc("table_name", 192),
        vc("db_name", 64),
        vc("stable_name", 192),
        vc("tag_name", 64),
        vc("tag_type", 32),
        vc("tag_value", 16384),
    ]
}

/// A column's type with its length, as `ins_columns` / `ins_tags` / SHOW CREATE print it:
/// `VARCHAR(20)`, `NCHAR(8)`, `INT`, `DECIMAL(10, 2)`.
pub(super) fn sized_type(c: &ColumnSpec) -> String {
    match c.ty {
        TdType::VarChar | TdType::NChar | TdType::VarBinary | TdType::Geometry => {
            format!("{}({})", c.ty.sql_name(), c.length)
        }
        _ => c.type_name(),
    }
}

/// A tag value as `ins_tags.tag_value` shows it; `None` for NULL.
pub(super) fn tag_text(v: &ScalarValue) -> Option<String> {
    if v.is_null() {
        return None;
    }
    Some(match v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => s.clone(),
        ScalarValue::Binary(Some(b))
        | ScalarValue::LargeBinary(Some(b))
        | ScalarValue::BinaryView(Some(b)) => {
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            format!("\\x{hex}")
        }
        ScalarValue::TimestampMillisecond(Some(n), _)
        | ScalarValue::TimestampMicrosecond(Some(n), _)
        | ScalarValue::TimestampNanosecond(Some(n), _)
        | ScalarValue::TimestampSecond(Some(n), _) => n.to_string(),
        other => other.to_string(),
    })
}

fn tags(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for db in user_dbs(c) {
        let tables: Vec<_> = read(&db.tables).values().cloned().collect();
        for t in tables {
            let Some((stable, values)) = &t.child_of else {
                continue;
            };
            let Some(st) = db.stable(stable) else {
                continue;
            };
            let specs = read(&st).tags.clone();
            let values = read(values).clone();
            for (spec, v) in specs.iter().zip(values.iter()) {
                r.push(vec![
                    t.name.as_str().into(),
                    db.name.as_str().into(),
                    stable.as_str().into(),
                    spec.name.as_str().into(),
                    sized_type(spec).into(),
                    tag_text(v).into(),
                ]);
            }
        }
    }
    Ok(())
}

fn columns_specs() -> Vec<ColumnSpec> {
    vec![
        vc("table_name", 192),
        vc("db_name", 64),
        vc("table_type", 21),
        vc("col_name", 64),
        vc("col_type", 32),
        col("col_length", TdType::Int),
        col("col_precision", TdType::Int),
        col("col_scale", TdType::Int),
        col("col_nullable", TdType::Int),
    ]
}

fn push_columns(r: &mut Rows, table: &str, db: &str, kind: &str, cols: &[ColumnSpec]) {
    for c in cols {
        r.push(vec![
            table.into(),
            db.into(),
            kind.into(),
            c.name.as_str().into(),
            sized_type(c).into(),
            c.length.into(),
            c.precision.into(),
            c.scale.into(),
            Cell::Int(1),
        ]);
    }
}

fn columns(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for t in TABLES {
        push_columns(r, t.name, t.db, "SYSTEM_TABLE", &(t.specs)());
    }
    for db in user_dbs(c) {
        let defs: Vec<_> = read(&db.stables)
            .values()
            .map(|d| read(d).clone())
            .collect();
        for d in &defs {
            push_columns(r, &d.name, &db.name, "SUPER_TABLE", &d.columns);
        }
        let tables: Vec<_> = read(&db.tables).values().cloned().collect();
        for t in tables {
            push_columns(r, &t.name, &db.name, table_type(&t), &db.columns_of(&t)?);
        }
    }
    Ok(())
}

// ---- users ---------------------------------------------------------------------------------

fn users_specs() -> Vec<ColumnSpec> {
    vec![
        vc("name", 24),
        col("super", TdType::TinyInt),
        col("enable", TdType::TinyInt),
        col("sysinfo", TdType::TinyInt),
        col("createdb", TdType::TinyInt),
        col("create_time", TdType::Timestamp),
        vc("allowed_host", 49152),
    ]
}

/// The users `c`'s user may list: all of them for a superuser, itself otherwise.
fn visible_users(c: &Ctx<'_>) -> Vec<User> {
    let users = c.e.users();
    let me = c.s.user();
    users
        .list()
        .into_iter()
        .filter(|u| users.is_super(me) || Some(u.name.as_str()) == me)
        .collect()
}

fn users(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for u in visible_users(c) {
        r.push(vec![
            u.name.as_str().into(),
            u.superuser.into(),
            u.enable.into(),
            u.sysinfo.into(),
            u.createdb.into(),
            u.created.into(),
            "127.0.0.1/32, ::1/128, 0.0.0.0/0".into(),
        ]);
    }
    Ok(())
}

fn users_full_specs() -> Vec<ColumnSpec> {
    vec![
        vc("name", 24),
        col("super", TdType::TinyInt),
        col("enable", TdType::TinyInt),
        col("sysinfo", TdType::TinyInt),
        col("createdb", TdType::TinyInt),
        vc("encrypted_pass", 32),
        vc("allowed_host", 49152),
    ]
}

fn users_full(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    if !c.e.users().is_super(c.s.user()) {
        return Err(crate::engine::users::permission_denied());
    }
    for u in visible_users(c) {
        r.push(vec![
            u.name.as_str().into(),
            u.superuser.into(),
            u.enable.into(),
            u.sysinfo.into(),
            u.createdb.into(),
            u.encrypted_pass().into(),
            "127.0.0.1/32, ::1/128, 0.0.0.0/0".into(),
        ]);
    }
    Ok(())
}

fn privileges_specs() -> Vec<ColumnSpec> {
    vec![
        vc("user_name", 24),
        vc("privilege", 10),
        vc("db_name", 65),
        vc("table_name", 193),
        vc("condition", 49152),
        vc("notes", 64),
    ]
}

/// One row per grant: a superuser's one row is `all` / `all`; a database grant has an empty
/// `table_name`.
fn privileges(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for u in visible_users(c) {
        let row = |privilege: &str, db: String, table: String| -> Vec<Cell> {
            vec![
                u.name.as_str().into(),
                privilege.into(),
                db.into(),
                table.into(),
                "".into(),
                "".into(),
            ]
        };
        if u.superuser {
            r.push(row("all", "all".to_owned(), String::new()));
            continue;
        }
        for g in u.read.union(&u.write) {
            let (db, table) = g.names();
            if u.read.contains(g) {
                r.push(row("read", db.clone(), table.clone()));
            }
            if u.write.contains(g) {
                r.push(row("write", db, table));
            }
        }
        for t in &u.subscribe {
            r.push(row("subscribe", t.clone(), "".to_owned()));
        }
    }
    Ok(())
}

fn grants_specs() -> Vec<ColumnSpec> {
    vec![
        vc("version", 9),
        vc("expire_time", 19),
        vc("service_time", 19),
        vc("expired", 5),
        vc("state", 9),
        vc("timeseries", 21),
        vc("dnodes", 10),
        vc("cpu_cores", 10),
    ]
}

/// What a community edition TDengine answers: no license, no limits.
fn grants(_: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    r.push(
        [
            "community",
            "unlimited",
            "limited",
            "false",
            "ungranted",
            "unlimited",
            "unlimited",
            "unlimited",
        ]
        .map(Cell::from)
        .to_vec(),
    );
    Ok(())
}

// ---- vgroups, vnodes, configuration --------------------------------------------------------

fn vgroups_specs() -> Vec<ColumnSpec> {
    let mut v = vec![
        col("vgroup_id", TdType::Int),
        vc("db_name", 64),
        col("tables", TdType::Int),
    ];
    for k in 1..=4 {
        v.push(col(&format!("v{k}_dnode"), TdType::SmallInt));
        v.push(vc(&format!("v{k}_status"), 9));
    }
    v.extend([
        col("cacheload", TdType::Int),
        col("cacheelements", TdType::Int),
        col("tsma", TdType::TinyInt),
    ]);
    v
}

fn vgroups(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for db in user_dbs(c) {
        let names: Vec<String> = read(&db.tables).keys().cloned().collect();
        for v in db.wal.vgroups() {
            let n = names
                .iter()
                .filter(|t| db.wal.vgroup_of(t).id == v.id)
                .count();
            let mut row = vec![v.id.into(), db.name.as_str().into(), n.into()];
            row.extend([1i16.into(), "leader".into()]);
            row.extend(std::iter::repeat_n(Cell::Null, 6));
            row.extend([0i32.into(), 0i32.into(), 0i8.into()]);
            r.push(row);
        }
    }
    Ok(())
}

fn vnodes_specs() -> Vec<ColumnSpec> {
    vec![
        col("dnode_id", TdType::Int),
        col("vgroup_id", TdType::Int),
        vc("db_name", 64),
        vc("status", 9),
        col("role_time", TdType::Timestamp),
        col("start_time", TdType::Timestamp),
        col("restored", TdType::Bool),
    ]
}

fn vnodes(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let started = c.e.dnode().started;
    for db in user_dbs(c) {
        for v in db.wal.vgroups() {
            r.push(vec![
                1i32.into(),
                v.id.into(),
                db.name.as_str().into(),
                "leader".into(),
                started.into(),
                started.into(),
                true.into(),
            ]);
        }
    }
    Ok(())
}

fn configs_specs() -> Vec<ColumnSpec> {
    vec![vc("name", 32), vc("value", 64)]
}

/// The server configuration a client can read: `(name, value, scope, info)`.
pub(super) fn config_items(e: &Engine) -> Vec<(&'static str, String, &'static str, &'static str)> {
    let node = e.dnode();
    let (fqdn, port) = node
        .endpoint
        .rsplit_once(':')
        .map_or((node.endpoint.as_str(), "6030"), |(h, p)| (h, p));
    let tz = e
        .timezone()
        .map_or("UTC".to_owned(), |t| t.name().to_owned());
    vec![
        (
            "firstEp",
            node.endpoint.clone(),
            "both",
            "first endpoint of the cluster",
        ),
        (
            "fqdn",
            fqdn.to_owned(),
            "server",
            "the node's fully qualified domain name",
        ),
        (
            "serverPort",
            port.to_owned(),
            "both",
            "port the node serves",
        ),
        (
            "timezone",
            tz,
            "both",
            "the time zone of time strings without an offset",
        ),
        ("locale", "C.UTF-8".to_owned(), "both", "locale"),
        ("charset", "UTF-8".to_owned(), "both", "character set"),
        (
            "supportVnodes",
            i16::MAX.to_string(),
            "server",
            "vnodes the node may hold",
        ),
        (
            "maxShellConns",
            "50000".to_owned(),
            "server",
            "connections the node accepts",
        ),
        (
            "statusInterval",
            "1".to_owned(),
            "server",
            "seconds between dnode status reports",
        ),
        ("queryPolicy", "1".to_owned(), "client", "where queries run"),
        ("enableCoreFile", "0".to_owned(), "both", "write core files"),
        (
            "version",
            SERVER_VERSION.to_owned(),
            "both",
            "server version",
        ),
    ]
}

fn configs(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for (name, value, _, _) in config_items(c.e) {
        r.push(vec![name.into(), value.into()]);
    }
    Ok(())
}

fn variables_specs() -> Vec<ColumnSpec> {
    vec![
        col("dnode_id", TdType::Int),
        vc("name", 32),
        vc("value", 4096),
        vc("scope", 8),
        vc("info", 64),
    ]
}

fn variables(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for (name, value, scope, info) in config_items(c.e) {
        r.push(vec![
            1i32.into(),
            name.into(),
            value.into(),
            scope.into(),
            info.into(),
        ]);
    }
    Ok(())
}

// ---- TMQ -----------------------------------------------------------------------------------

fn topics_specs() -> Vec<ColumnSpec> {
    vec![
        vc("topic_name", 192),
        vc("db_name", 64),
        col("create_time", TdType::Timestamp),
        vc("sql", 2048),
        vc("schema", 65517),
        vc("meta", 4),
        vc("type", 8),
    ]
}

fn topics(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let users = c.e.users();
    for t in c.e.tmq().topics() {
        if !users.sees_db(c.s.user(), &t.db.name)
            && users.check_subscribe(c.s.user(), &t.name).is_err()
        {
            continue;
        }
        r.push(vec![
            t.name.as_str().into(),
            t.db.name.as_str().into(),
            t.created.into(),
            t.sql.as_str().into(),
            "".into(),
            if t.with_meta { "yes" } else { "no" }.into(),
            t.type_name().into(),
        ]);
    }
    Ok(())
}

fn subscriptions_specs() -> Vec<ColumnSpec> {
    vec![
        vc("topic_name", 204),
        vc("consumer_group", 193),
        col("vgroup_id", TdType::Int),
        col("consumer_id", TdType::BigInt),
        vc("offset", 64),
        col("rows", TdType::BigInt),
    ]
}

/// One row per (topic, group, vgroup); `offset` as TDengine writes a log offset
/// (`log:<version>`).
fn subscriptions(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for s in c.e.tmq().subscription_rows() {
        r.push(vec![
            s.topic.into(),
            s.group.into(),
            s.vgroup_id.into(),
            s.consumer.into(),
            s.offset.map(|o| format!("log:{o}")).into(),
            s.rows.into(),
        ]);
    }
    Ok(())
}

fn consumers_specs() -> Vec<ColumnSpec> {
    vec![
        col("consumer_id", TdType::BigInt),
        vc("consumer_group", 192),
        vc("client_id", 192),
        vc("user", 23),
        vc("fqdn", 128),
        vc("status", 20),
        vc("topics", 8192),
        col("up_time", TdType::Timestamp),
        col("subscribe_time", TdType::Timestamp),
        col("rebalance_time", TdType::Timestamp),
        vc("parameters", 8192),
    ]
}

fn consumers(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let fqdn = c.e.dnode().endpoint.clone();
    for row in c.e.tmq().consumer_rows() {
        r.push(vec![
            row.id.into(),
            row.group.into(),
            row.client_id.into(),
            row.user.into(),
            fqdn.as_str().into(),
            row.status.into(),
            row.topics.into(),
            row.up_since.into(),
            row.subscribed_at.into(),
            row.rebalanced_at.into(),
            row.parameters.into(),
        ]);
    }
    Ok(())
}

// ---- connections and queries ---------------------------------------------------------------

fn connections_specs() -> Vec<ColumnSpec> {
    vec![
        col("conn_id", TdType::UInt),
        vc("user", 24),
        vc("app", 24),
        col("pid", TdType::UInt),
        vc("end_point", 134),
        col("login_time", TdType::Timestamp),
        col("last_access", TdType::Timestamp),
        vc("user_app", 24),
        vc("user_ip", 22),
        vc("connector_info", 255),
    ]
}

/// Whether `c`'s user may see the activity of `user` (its own, or anyone's for a superuser).
fn sees_user(c: &Ctx<'_>, user: &str) -> bool {
    let me = c.s.user();
    me.is_none_or(|m| m == user) || c.e.users().is_super(me)
}

fn connections(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for p in c.e.peers().connections() {
        if !sees_user(c, &p.user) {
            continue;
        }
        let o = p.options;
        r.push(vec![
            p.id.into(),
            p.user.into(),
            o.app.clone().into(),
            0u32.into(),
            p.addr.into(),
            p.login_ms.into(),
            p.last_access_ms.into(),
            o.app.into(),
            o.ip.into(),
            o.connector.into(),
        ]);
    }
    Ok(())
}

fn queries_specs() -> Vec<ColumnSpec> {
    vec![
        vc("kill_id", 26),
        col("query_id", TdType::UBigInt),
        col("conn_id", TdType::UInt),
        vc("app", 24),
        col("pid", TdType::Int),
        vc("user", 24),
        vc("end_point", 22),
        col("create_time", TdType::Timestamp),
        col("exec_usec", TdType::BigInt),
        col("stable_query", TdType::Bool),
        col("sub_query", TdType::Bool),
        col("sub_num", TdType::Int),
        vc("sub_status", 1000),
        vc("sql", 2048),
        vc("user_app", 24),
        vc("user_ip", 22),
    ]
}

fn queries(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    let peers = c.e.peers();
    let conns = peers.connections();
    for q in peers.queries() {
        let Some(p) = conns.iter().find(|p| p.id == q.conn_id) else {
            continue;
        };
        if !sees_user(c, &p.user) {
            continue;
        }
        r.push(vec![
            q.kill_id.into(),
            q.query_id.into(),
            q.conn_id.into(),
            p.options.app.clone().into(),
            0i32.into(),
            p.user.as_str().into(),
            p.addr.as_str().into(),
            q.started_ms.into(),
            q.exec_us.into(),
            false.into(),
            false.into(),
            0i32.into(),
            "".into(),
            q.sql.into(),
            p.options.app.clone().into(),
            p.options.ip.clone().into(),
        ]);
    }
    Ok(())
}

// ---- tables without rows here --------------------------------------------------------------

fn functions_specs() -> Vec<ColumnSpec> {
    vec![
        vc("name", 64),
        vc("comment", 4095),
        col("aggregate", TdType::Int),
        vc("output_type", 31),
        col("create_time", TdType::Timestamp),
        col("code_len", TdType::Int),
        col("bufsize", TdType::Int),
        vc("func_language", 31),
        vc("func_body", 65517),
        col("func_version", TdType::Int),
    ]
}

fn indexes_specs() -> Vec<ColumnSpec> {
    vec![
        vc("index_name", 192),
        vc("db_name", 64),
        vc("table_name", 192),
        col("vgroup_id", TdType::Int),
        col("create_time", TdType::Timestamp),
        vc("column_name", 192),
        vc("index_type", 192),
    ]
}

fn streams_specs() -> Vec<ColumnSpec> {
    let mut v = vec![
        vc("stream_name", 192),
        col("create_time", TdType::Timestamp),
        vc("stream_id", 19),
        vc("history_id", 19),
        vc("sql", 2048),
        vc("status", 20),
        vc("source_db", 64),
        vc("target_db", 64),
        vc("target_table", 192),
        col("watermark", TdType::BigInt),
    ];
    for name in [
        "trigger",
        "sink_quota",
        "checkpoint_interval",
        "checkpoint_backup",
        "history_scan_idle",
    ] {
        v.push(vc(name, 20));
    }
    v
}

fn views_specs() -> Vec<ColumnSpec> {
    vec![
        vc("view_name", 192),
        vc("db_name", 64),
        vc("effective_user", 24),
        col("create_time", TdType::Timestamp),
        vc("type", 128),
        vc("query_sql", 2048),
        vc("parameters", 2048),
        vc("default_values", 2048),
        vc("target_table", 192),
    ]
}

fn views(c: &Ctx<'_>, r: &mut Rows) -> Result<(), ServerError> {
    for db in user_dbs(c) {
        let views: Vec<(String, crate::engine::catalog::View)> = read(&db.views)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, v) in views {
            r.push(vec![
                name.into(),
                db.name.as_str().into(),
                v.owner.into(),
                v.created.into(),
                "NORMAL".into(),
                v.query.into(),
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ]);
        }
    }
    Ok(())
}

fn compacts_specs() -> Vec<ColumnSpec> {
    vec![
        col("compact_id", TdType::Int),
        vc("db_name", 64),
        col("start_time", TdType::Timestamp),
    ]
}

fn tsmas_specs() -> Vec<ColumnSpec> {
    vec![
        vc("tsma_name", 192),
        vc("db_name", 64),
        vc("table_name", 192),
        vc("target_db", 64),
        vc("target_stb", 192),
        vc("stream_name", 64),
        col("create_time", TdType::Timestamp),
        vc("interval", 64),
        vc("create_sql", 2048),
        vc("func_list", 2048),
    ]
}

fn trans_specs() -> Vec<ColumnSpec> {
    vec![
        col("id", TdType::Int),
        col("create_time", TdType::Timestamp),
        vc("stage", 12),
        vc("oper", 14),
        vc("db", 64),
        vc("stable", 192),
        col("failed_times", TdType::Int),
        col("last_exec_time", TdType::Timestamp),
        vc("last_action_info", 511),
    ]
}

fn apps_specs() -> Vec<ColumnSpec> {
    let mut v = vec![
        col("app_id", TdType::UBigInt),
        vc("ip", 16),
        col("pid", TdType::Int),
        vc("name", 24),
        col("start_time", TdType::Timestamp),
    ];
    for name in [
        "insert_req",
        "insert_row",
        "insert_time",
        "insert_bytes",
        "fetch_bytes",
        "query_time",
        "slow_query",
        "total_req",
        "current_req",
    ] {
        v.push(col(name, TdType::UBigInt));
    }
    v.push(col("last_access", TdType::Timestamp));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_in_the_largest_whole_unit() {
        assert_eq!(minutes("3650"), Some(3650 * 1440));
        assert_eq!(minutes("10d"), Some(14400));
        assert_eq!(minutes("36h"), Some(2160));
        assert_eq!(minutes("90m"), Some(90));
        assert_eq!(minutes("x"), None);
        assert_eq!(minutes(""), None);
        assert_eq!(format_minutes(14400), "10d");
        assert_eq!(format_minutes(2160), "36h");
        assert_eq!(format_minutes(90), "90m");
    }

    #[test]
    fn every_system_table_builds_empty_and_names_are_unique() {
        let e = Engine::new();
        let s = e.session(None);
        let mut seen = std::collections::BTreeSet::new();
        for t in TABLES {
            assert!(seen.insert((t.db, t.name)), "{} twice", t.name);
            let rs = system_table(&e, &s, t.db, t.name).unwrap().unwrap();
            assert_eq!(rs.schema.fields().len(), (t.specs)().len(), "{}", t.name);
        }
        assert!(system_table(&e, &s, INFORMATION_SCHEMA, "ins_nope").is_none());
    }
}
