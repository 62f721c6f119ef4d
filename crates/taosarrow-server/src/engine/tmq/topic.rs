//! Topics: `CREATE TOPIC`, `DROP TOPIC` and what each form delivers (`tmq.md` §6).

use std::sync::Arc;

use taosarrow_protocol::Code;

use super::super::catalog::{now_ms, Database};
use super::super::lexer::{Kind, Token};
use super::super::{qualified_name, syntax_at, Engine, Session};
use crate::ServerError;

/// The most topics a server holds (TDengine's `tmqMaxTopicNum` default).
pub const MAX_TOPICS: usize = 20;

/// What a topic reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicSource {
    /// `AS DATABASE db`: every table's rows, no tags.
    Database,
    /// `AS STABLE stb [WHERE cond]`: the rows of its child tables (those whose tags pass
    /// `cond`), no tags.
    Stable {
        /// The super table.
        stable: String,
        /// The tag condition, as written.
        filter: Option<String>,
    },
    /// `AS SELECT …`: the rows of the query, evaluated on each write.
    Query {
        /// The SELECT statement.
        select: String,
        /// The table it reads (a super, child or normal table).
        table: String,
    },
}

/// One topic.
#[derive(Debug)]
pub struct Topic {
    /// Its name.
    pub name: String,
    /// The database it reads.
    pub db: Arc<Database>,
    /// What it delivers.
    pub source: TopicSource,
    /// `WITH META`: DDL is delivered too.
    pub with_meta: bool,
    /// The statement after `AS`, as SHOW TOPICS lists it.
    pub sql: String,
    /// Creation time (ms).
    pub created: i64,
}

impl Topic {
    /// `SHOW TOPICS`' `type` column.
    pub fn type_name(&self) -> &'static str {
        match self.source {
            TopicSource::Database => "db",
            TopicSource::Stable { .. } => "stable",
            TopicSource::Query { .. } => "column",
        }
    }

    /// Whether the DDL of `table` (a child of `stable`, or a super table) concerns this
    /// topic: everything of its database, or a super table and its children.
    pub fn reads_meta(&self, table: &str, stable: Option<&str>) -> bool {
        match &self.source {
            TopicSource::Stable { stable: s, .. } => table == s || stable == Some(s.as_str()),
            _ => self.reads_table(table, stable),
        }
    }

    /// Whether rows of `table` (a child of `stable`) can belong to this topic, before any
    /// tag filter or query is applied.
    pub fn reads_table(&self, table: &str, stable: Option<&str>) -> bool {
        match &self.source {
            TopicSource::Database => true,
            TopicSource::Stable { stable: s, .. } => stable == Some(s.as_str()),
            TopicSource::Query { table: t, .. } => t == table || stable == Some(t.as_str()),
        }
    }
}

/// The words of a SELECT that make a topic query invalid: aggregates and windows.
const NOT_IN_TOPICS: &[&str] = &[
    "INTERVAL",
    "SESSION",
    "STATE_WINDOW",
    "EVENT_WINDOW",
    "COUNT_WINDOW",
    "FILL",
    "GROUP",
    "PARTITION",
    "ORDER",
    "LIMIT",
    "SLIMIT",
    "UNION",
    "JOIN",
];

/// Aggregate and selection functions (TDengine rejects them in a topic).
const AGGREGATES: &[&str] = &[
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "FIRST",
    "LAST",
    "LAST_ROW",
    "SPREAD",
    "STDDEV",
    "APERCENTILE",
    "PERCENTILE",
    "TOP",
    "BOTTOM",
    "ELAPSED",
    "LEASTSQUARES",
    "HISTOGRAM",
    "HYPERLOGLOG",
    "MODE",
    "SAMPLE",
    "TAIL",
    "UNIQUE",
    "TWA",
    "IRATE",
    "DIFF",
    "CSUM",
    "MAVG",
    "DERIVATIVE",
    "STATECOUNT",
    "STATEDURATION",
    "INTERP",
];

fn invalid_query(what: &str) -> ServerError {
    ServerError::new(
        Code::MND_INVALID_TOPIC_QUERY,
        format!("Topic with invalid query: {what} is not allowed in a topic"),
    )
}

/// A parsed `CREATE TOPIC`.
#[derive(Debug)]
pub struct CreateTopic {
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// The topic name.
    pub name: String,
    /// `WITH META`.
    pub with_meta: bool,
    /// What it reads.
    pub source: TopicSource,
    /// The database it reads.
    pub db: Arc<Database>,
    /// The statement after `AS`.
    pub sql: String,
}

fn kw(toks: &[Token<'_>], i: usize, k: &str) -> bool {
    toks.get(i).is_some_and(|t| t.is_kw(k))
}

/// Parses `CREATE TOPIC …` (`toks[0..2]` = `CREATE TOPIC`) and resolves what it names.
pub fn parse_create(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<CreateTopic, ServerError> {
    let mut i = 2;
    let mut if_not_exists = false;
    if kw(toks, i, "IF") && kw(toks, i + 1, "NOT") && kw(toks, i + 2, "EXISTS") {
        if_not_exists = true;
        i += 3;
    }
    let (qual, name) = qualified_name(toks, &mut i, sql)?;
    if qual.is_some() || name.is_empty() || name.len() > 192 {
        return Err(ServerError::new(
            Code::MND_INVALID_TOPIC,
            format!("Invalid topic name: {name}"),
        ));
    }
    let mut with_meta = false;
    if kw(toks, i, "WITH") && kw(toks, i + 1, "META") {
        with_meta = true;
        i += 2;
    }
    if !kw(toks, i, "AS") {
        return Err(syntax_at(toks, i, sql));
    }
    i += 1;
    let body_at = toks.get(i).map_or(sql.len(), |t| t.pos);
    let body = sql[body_at..].trim().to_owned();
    let (db, source) = if kw(toks, i, "DATABASE") {
        i += 1;
        let (_, dbn) = qualified_name(toks, &mut i, sql)?;
        if i < toks.len() {
            return Err(syntax_at(toks, i, sql));
        }
        (
            e.catalog().db(&dbn.to_ascii_lowercase())?,
            TopicSource::Database,
        )
    } else if kw(toks, i, "STABLE") {
        i += 1;
        let (dbn, stb) = qualified_name(toks, &mut i, sql)?;
        let db = e.resolve_db(s, dbn.as_deref())?;
        if db.stable(&stb).is_none() {
            return Err(ServerError::from_code(Code::MND_STB_NOT_EXIST));
        }
        let filter = if kw(toks, i, "WHERE") {
            let at = toks.get(i + 1).map_or(sql.len(), |t| t.pos);
            let cond = sql[at..].trim();
            if cond.is_empty() {
                return Err(syntax_at(toks, i + 1, sql));
            }
            Some(cond.to_owned())
        } else if i < toks.len() {
            return Err(syntax_at(toks, i, sql));
        } else {
            None
        };
        (
            db,
            TopicSource::Stable {
                stable: stb,
                filter,
            },
        )
    } else if kw(toks, i, "SELECT") {
        if with_meta {
            return Err(ServerError::new(
                Code::MND_INVALID_TOPIC_OPTION,
                "Topic with invalid option: WITH META is only for STABLE and DATABASE topics",
            ));
        }
        let select = &toks[i..];
        for (k, t) in select.iter().enumerate() {
            if t.kind != Kind::Word {
                continue;
            }
            let upper = t.text.to_ascii_uppercase();
            if NOT_IN_TOPICS.contains(&upper.as_str()) {
                return Err(invalid_query(&upper));
            }
            if AGGREGATES.contains(&upper.as_str())
                && select.get(k + 1).is_some_and(|n| n.is_punct("("))
            {
                return Err(invalid_query(&format!("the aggregate {upper}()")));
            }
        }
        let from = select
            .iter()
            .position(|t| t.is_kw("FROM"))
            .ok_or_else(|| invalid_query("a SELECT without FROM"))?;
        let mut j = i + from + 1;
        let (dbn, table) = qualified_name(toks, &mut j, sql)?;
        if toks[j..]
            .iter()
            .any(|t| t.is_kw("FROM") || t.is_kw("SELECT"))
        {
            return Err(invalid_query("a subquery"));
        }
        let db = e.resolve_db(s, dbn.as_deref())?;
        if db.stable(&table).is_none() && db.table(&table).is_err() {
            return Err(ServerError::new(
                Code::PAR_TABLE_NOT_EXIST,
                format!("Table does not exist: {table}"),
            ));
        }
        (
            db,
            TopicSource::Query {
                select: body.clone(),
                table,
            },
        )
    } else {
        return Err(syntax_at(toks, i, sql));
    };
    Ok(CreateTopic {
        if_not_exists,
        name,
        with_meta,
        source,
        db,
        sql: body,
    })
}

impl CreateTopic {
    /// The topic this statement defines, created now.
    pub fn into_topic(self) -> Topic {
        Topic {
            name: self.name,
            db: self.db,
            source: self.source,
            with_meta: self.with_meta,
            sql: self.sql,
            created: now_ms(),
        }
    }
}

/// A parsed `DROP TOPIC [IF EXISTS] [FORCE] name` (`FORCE` may also follow the name).
#[derive(Debug, PartialEq, Eq)]
pub struct DropTopic {
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `FORCE`: drop even while subscribed.
    pub force: bool,
    /// The topic.
    pub name: String,
}

/// Parses `DROP TOPIC …` (`toks[0..2]` = `DROP TOPIC`).
pub fn parse_drop(sql: &str, toks: &[Token<'_>]) -> Result<DropTopic, ServerError> {
    let mut i = 2;
    let mut if_exists = false;
    if kw(toks, i, "IF") && kw(toks, i + 1, "EXISTS") {
        if_exists = true;
        i += 2;
    }
    let mut force = false;
    if kw(toks, i, "FORCE") && toks.len() > i + 1 {
        force = true;
        i += 1;
    }
    let (_, name) = qualified_name(toks, &mut i, sql)?;
    if kw(toks, i, "FORCE") {
        force = true;
        i += 1;
    }
    if i < toks.len() {
        return Err(syntax_at(toks, i, sql));
    }
    Ok(DropTopic {
        if_exists,
        force,
        name,
    })
}

/// A parsed `DROP CONSUMER GROUP [IF EXISTS] [FORCE] group ON topic`.
#[derive(Debug, PartialEq, Eq)]
pub struct DropGroup {
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `FORCE`: drop even while a consumer of it is subscribed.
    pub force: bool,
    /// The consumer group.
    pub group: String,
    /// The topic.
    pub topic: String,
}

/// Parses `DROP CONSUMER GROUP …` (`toks[0..3]` = `DROP CONSUMER GROUP`).
pub fn parse_drop_group(sql: &str, toks: &[Token<'_>]) -> Result<DropGroup, ServerError> {
    let mut i = 3;
    let mut if_exists = false;
    if kw(toks, i, "IF") && kw(toks, i + 1, "EXISTS") {
        if_exists = true;
        i += 2;
    }
    let mut force = false;
    if kw(toks, i, "FORCE") && !kw(toks, i + 1, "ON") {
        force = true;
        i += 1;
    }
    let group = match toks.get(i) {
        Some(t) if matches!(t.kind, Kind::Word | Kind::Quoted | Kind::Str) => {
            i += 1;
            if t.kind == Kind::Str {
                t.string_value().into_owned()
            } else {
                t.name()
            }
        }
        _ => return Err(syntax_at(toks, i, sql)),
    };
    if !kw(toks, i, "ON") {
        return Err(syntax_at(toks, i, sql));
    }
    i += 1;
    let (_, topic) = qualified_name(toks, &mut i, sql)?;
    if i < toks.len() {
        return Err(syntax_at(toks, i, sql));
    }
    Ok(DropGroup {
        if_exists,
        force,
        group,
        topic,
    })
}
