//! SHOW and DESCRIBE. As TDengine does, most SHOW statements are queries on a system table
//! ([`system`]): the statement names the table, a filter (`db_name`, LIKE on the name, the
//! kind of table) and the columns it shows. The rest are built here: DESCRIBE
//! ([`describe`]), SHOW CREATE … ([`create`]), SHOW TABLE TAGS ([`tags`]) and SHOW
//! VARIABLES.

mod columns;
mod create;
mod describe;
mod system;
mod tags;

use arrow::array::{Array, BooleanArray};
use arrow::compute::filter_record_batch;
use arrow::util::display::array_value_to_string;

use super::lexer::{Kind, Token};
use super::like::like;
use super::{syntax_at, unsupported, Engine, ResultSet, Session};
use crate::ServerError;
use columns::{col, vc, Rows};
use taosarrow_protocol::{Code, TdType};

pub(crate) use system::{is_system_db, system_table, INFORMATION_SCHEMA, PERFORMANCE_SCHEMA};

/// A condition on one column of a system table.
#[derive(Debug, Clone)]
enum Pred {
    /// Equal to (compared as text).
    Eq(String),
    /// Not equal to.
    Ne(String),
    /// Matches a LIKE pattern.
    Like(String),
}

/// A SHOW statement as a query on a system table.
#[derive(Debug)]
struct ShowQuery {
    db: &'static str,
    table: &'static str,
    /// Every condition must hold (AND).
    filter: Vec<(&'static str, Pred)>,
    /// Rows satisfying any of these are kept too (`OR`), when there are any.
    any_of: Vec<(&'static str, Pred)>,
    /// The columns shown; all when empty.
    project: &'static [&'static str],
}

impl ShowQuery {
    fn new(db: &'static str, table: &'static str) -> Self {
        ShowQuery {
            db,
            table,
            filter: Vec::new(),
            any_of: Vec::new(),
            project: &[],
        }
    }

    fn ins(table: &'static str) -> Self {
        ShowQuery::new(INFORMATION_SCHEMA, table)
    }

    fn perf(table: &'static str) -> Self {
        ShowQuery::new(PERFORMANCE_SCHEMA, table)
    }

    fn show(mut self, cols: &'static [&'static str]) -> Self {
        self.project = cols;
        self
    }

    fn r#where(mut self, col: &'static str, p: Pred) -> Self {
        self.filter.push((col, p));
        self
    }

    fn run(self, e: &Engine, s: &Session) -> Result<ResultSet, ServerError> {
        let rs = system_table(e, s, self.db, self.table)
            .ok_or_else(|| ServerError::internal(format!("no system table {}", self.table)))??;
        select_rows(rs, &self.filter, &self.any_of, self.project)
    }
}

/// The rows of `rs` meeting every `all` condition (and one of `any`, if given), with only
/// the `project` columns (all when empty).
fn select_rows(
    rs: ResultSet,
    all: &[(&str, Pred)],
    any: &[(&str, Pred)],
    project: &[&str],
) -> Result<ResultSet, ServerError> {
    let schema = rs.schema.clone();
    let index = |name: &str| {
        schema
            .index_of(name)
            .map_err(|_| ServerError::internal(format!("no system column {name}")))
    };
    let conds: Vec<(usize, &Pred)> = all
        .iter()
        .map(|(c, p)| index(c).map(|i| (i, p)))
        .collect::<Result<_, _>>()?;
    let alts: Vec<(usize, &Pred)> = any
        .iter()
        .map(|(c, p)| index(c).map(|i| (i, p)))
        .collect::<Result<_, _>>()?;
    let indices: Vec<usize> = project.iter().map(|c| index(c)).collect::<Result<_, _>>()?;
    let mut batches = Vec::with_capacity(rs.batches.len());
    for b in rs.batches {
        let holds = |i: usize, p: &Pred, row: usize| -> bool {
            let a = b.column(i);
            if a.is_null(row) {
                return false;
            }
            let v = array_value_to_string(a, row).unwrap_or_default();
            match p {
                Pred::Eq(x) => &v == x,
                Pred::Ne(x) => &v != x,
                Pred::Like(pat) => like(pat, &v),
            }
        };
        let keep: BooleanArray = (0..b.num_rows())
            .map(|row| {
                Some(
                    conds.iter().all(|(i, p)| holds(*i, p, row))
                        && (alts.is_empty() || alts.iter().any(|(i, p)| holds(*i, p, row))),
                )
            })
            .collect();
        let b = filter_record_batch(&b, &keep).map_err(ServerError::internal)?;
        let b = if indices.is_empty() {
            b
        } else {
            b.project(&indices).map_err(ServerError::internal)?
        };
        batches.push(b);
    }
    let schema = match batches.first() {
        Some(b) => b.schema(),
        None if indices.is_empty() => schema,
        None => std::sync::Arc::new(schema.project(&indices).map_err(ServerError::internal)?),
    };
    Ok(ResultSet {
        schema,
        batches,
        precision: rs.precision,
    })
}

/// Runs SHOW … or DESCRIBE ….
pub fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<ResultSet, ServerError> {
    if !toks[0].is_kw("SHOW") {
        return describe::run(e, s, sql, toks);
    }
    let mut p = Parser { toks, i: 1, sql };
    let q = p.show(e, s)?;
    Ok(q)
}

/// Reads a SHOW statement token by token.
struct Parser<'t, 'a> {
    toks: &'t [Token<'a>],
    i: usize,
    sql: &'t str,
}

impl<'t, 'a> Parser<'t, 'a> {
    fn peek_kw(&self, kw: &str) -> bool {
        self.toks.get(self.i).is_some_and(|t| t.is_kw(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.peek_kw(kw);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), ServerError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    fn syntax(&self) -> ServerError {
        syntax_at(self.toks, self.i, self.sql)
    }

    fn end(&self) -> Result<(), ServerError> {
        if self.i < self.toks.len() {
            Err(self.syntax())
        } else {
            Ok(())
        }
    }

    /// A name (bare or back-quoted).
    fn name(&mut self) -> Result<String, ServerError> {
        match self.toks.get(self.i) {
            Some(t) if matches!(t.kind, Kind::Word | Kind::Quoted) => {
                self.i += 1;
                Ok(t.name())
            }
            _ => Err(self.syntax()),
        }
    }

    /// `db.` before a keyword, if present.
    fn db_prefix(&mut self) -> Option<String> {
        let t = self.toks.get(self.i)?;
        if matches!(t.kind, Kind::Word | Kind::Quoted)
            && self.toks.get(self.i + 1).is_some_and(|t| t.is_punct("."))
        {
            self.i += 2;
            return Some(t.name());
        }
        None
    }

    /// `[db.]name`.
    fn qualified(&mut self) -> Result<(Option<String>, String), ServerError> {
        let first = self.name()?;
        if self.toks.get(self.i).is_some_and(|t| t.is_punct(".")) {
            self.i += 1;
            let second = self.name()?;
            return Ok((Some(first), second));
        }
        Ok((None, first))
    }

    /// `LIKE 'pattern'`, if present.
    fn like(&mut self) -> Result<Option<String>, ServerError> {
        if !self.eat_kw("LIKE") {
            return Ok(None);
        }
        match self.toks.get(self.i) {
            Some(t) if t.kind == Kind::Str => {
                self.i += 1;
                Ok(Some(t.like_pattern().into_owned()))
            }
            _ => Err(self.syntax()),
        }
    }

    /// An integer literal.
    fn int(&mut self) -> Result<i64, ServerError> {
        match self.toks.get(self.i) {
            Some(t) if t.kind == Kind::Number => {
                self.i += 1;
                t.text.parse().map_err(|_| self.syntax())
            }
            _ => Err(self.syntax()),
        }
    }

    /// The database a db-scoped SHOW lists: the named one, else the current one (it must
    /// exist and the user may read it).
    fn db(e: &Engine, s: &Session, db: Option<&str>) -> Result<String, ServerError> {
        Ok(e.resolve_db(s, db)?.name.clone())
    }

    fn show(&mut self, e: &Engine, s: &Session) -> Result<ResultSet, ServerError> {
        let word = self
            .toks
            .get(self.i)
            .map(|t| t.text.to_ascii_uppercase())
            .unwrap_or_default();
        // Statements that are not a system table query.
        match word.as_str() {
            "CREATE" => {
                self.i += 1;
                return create::run(e, s, self);
            }
            "TABLE" if self.toks.get(self.i + 1).is_some_and(|t| t.is_kw("TAGS")) => {
                self.i += 2;
                return tags::table_tags(e, s, self);
            }
            "TABLE"
                if self
                    .toks
                    .get(self.i + 1)
                    .is_some_and(|t| t.is_kw("DISTRIBUTED")) =>
            {
                return Err(unsupported("SHOW TABLE DISTRIBUTED"));
            }
            "VARIABLES" | "LOCAL" | "CLUSTER"
                if word != "CLUSTER"
                    || self
                        .toks
                        .get(self.i + 1)
                        .is_some_and(|t| t.is_kw("VARIABLES")) =>
            {
                self.eat_kw("LOCAL");
                self.eat_kw("CLUSTER");
                self.expect_kw("VARIABLES")?;
                let like = self.like()?;
                self.end()?;
                return variables(e, like.as_deref());
            }
            "DNODE" => {
                self.i += 1;
                let id = self.int()?;
                self.expect_kw("VARIABLES")?;
                let like = self.like()?;
                self.end()?;
                let mut q = ShowQuery::ins("ins_dnode_variables")
                    .r#where("dnode_id", Pred::Eq(id.to_string()));
                if let Some(l) = like {
                    q = q.r#where("name", Pred::Like(l));
                }
                return q.run(e, s);
            }
            "ALIVE" => {
                self.i += 1;
                self.end()?;
                return alive();
            }
            _ => {}
        }
        let q = self.system_query(e, s)?;
        q.run(e, s)
    }

    /// The system table query of a SHOW statement.
    fn system_query(&mut self, e: &Engine, s: &Session) -> Result<ShowQuery, ServerError> {
        // `SHOW [NORMAL | CHILD] [db.]TABLES`, `SHOW USER | SYSTEM DATABASES`.
        let at = |k: usize, kw: &str| self.toks.get(self.i + k).is_some_and(|t| t.is_kw(kw));
        let dotted_at = |k: usize, kw: &str| {
            self.toks
                .get(self.i + k + 1)
                .is_some_and(|t| t.is_punct("."))
                && at(k + 2, kw)
        };
        let kind = ["NORMAL", "CHILD"]
            .into_iter()
            .find(|k| at(0, k) && (at(1, "TABLES") || dotted_at(1, "TABLES")))
            .or_else(|| {
                ["USER", "SYSTEM"]
                    .into_iter()
                    .find(|k| at(0, k) && at(1, "DATABASES"))
            });
        if kind.is_some() {
            self.i += 1;
        }
        let db = self.db_prefix();
        let start = self.i;
        let word = self
            .toks
            .get(self.i)
            .map(|t| t.text.to_ascii_uppercase())
            .unwrap_or_default();
        self.i += 1;
        let scoped = matches!(
            word.as_str(),
            "STABLES" | "TABLES" | "VGROUPS" | "STREAMS" | "VIEWS" | "ALIVE"
        );
        if db.is_some() && !scoped {
            return Err(syntax_at(self.toks, start, self.sql));
        }
        let q = match word.as_str() {
            "DATABASES" => {
                let mut q = ShowQuery::ins("ins_databases").show(&["name"]);
                match kind {
                    Some("USER") => {
                        q = q
                            .r#where("name", Pred::Ne(INFORMATION_SCHEMA.into()))
                            .r#where("name", Pred::Ne(PERFORMANCE_SCHEMA.into()));
                    }
                    Some("SYSTEM") => {
                        q.any_of = vec![
                            ("name", Pred::Eq(INFORMATION_SCHEMA.into())),
                            ("name", Pred::Eq(PERFORMANCE_SCHEMA.into())),
                        ];
                    }
                    _ => {}
                }
                self.with_like(q, "name")?
            }
            "STABLES" => {
                let db = Self::db(e, s, db.as_deref())?;
                let q = ShowQuery::ins("ins_stables")
                    .show(&["stable_name"])
                    .r#where("db_name", Pred::Eq(db));
                self.with_like(q, "stable_name")?
            }
            "TABLES" => {
                let db = Self::db(e, s, db.as_deref())?;
                let mut q = ShowQuery::ins("ins_tables")
                    .show(&["table_name"])
                    .r#where("db_name", Pred::Eq(db));
                match kind {
                    Some("NORMAL") => q = q.r#where("type", Pred::Eq("NORMAL_TABLE".into())),
                    Some("CHILD") => q = q.r#where("type", Pred::Eq("CHILD_TABLE".into())),
                    _ => {}
                }
                self.with_like(q, "table_name")?
            }
            "VGROUPS" => {
                let db = Self::db(e, s, db.as_deref())?;
                ShowQuery::ins("ins_vgroups").r#where("db_name", Pred::Eq(db))
            }
            "STREAMS" => {
                if let Some(d) = db.as_deref() {
                    Self::db(e, s, Some(d))?;
                }
                ShowQuery::ins("ins_streams").show(&["stream_name"])
            }
            "VIEWS" => {
                let db = Self::db(e, s, db.as_deref())?;
                let q = ShowQuery::ins("ins_views").r#where("db_name", Pred::Eq(db));
                self.with_like(q, "view_name")?
            }
            "USERS" => {
                if self.eat_kw("FULL") {
                    ShowQuery::ins("ins_users_full")
                } else {
                    ShowQuery::ins("ins_users")
                }
            }
            "USER" => {
                self.expect_kw("PRIVILEGES")?;
                ShowQuery::ins("ins_user_privileges")
            }
            "DNODES" => ShowQuery::ins("ins_dnodes"),
            "MNODES" => ShowQuery::ins("ins_mnodes"),
            "QNODES" => ShowQuery::ins("ins_qnodes"),
            "SNODES" => ShowQuery::ins("ins_snodes"),
            "CLUSTER" => ShowQuery::ins("ins_cluster"),
            "GRANTS" | "LICENCES" | "LICENSES" => {
                if self.eat_kw("FULL") || self.eat_kw("LOGS") {
                    return Err(unsupported(
                        "SHOW GRANTS FULL / LOGS (an enterprise edition statement)",
                    ));
                }
                ShowQuery::ins("ins_grants")
            }
            "VNODES" => ShowQuery::ins("ins_vnodes"),
            "FUNCTIONS" => ShowQuery::ins("ins_functions").show(&["name"]),
            "COMPACTS" => ShowQuery::ins("ins_compacts"),
            "TOPICS" => ShowQuery::ins("ins_topics").show(&["topic_name"]),
            "SUBSCRIPTIONS" => ShowQuery::ins("ins_subscriptions"),
            "CONSUMERS" => ShowQuery::perf("perf_consumers"),
            "CONNECTIONS" => ShowQuery::perf("perf_connections"),
            "QUERIES" => ShowQuery::perf("perf_queries"),
            "APPS" => ShowQuery::perf("perf_apps"),
            "TRANSACTIONS" => ShowQuery::perf("perf_trans"),
            "TAGS" | "INDEXES" => {
                self.expect_kw("FROM")?;
                let (mut dbn, table) = self.qualified()?;
                if self.eat_kw("FROM") {
                    dbn = Some(self.name()?);
                }
                let db = e.resolve_db(s, dbn.as_deref())?;
                let sys = if word == "TAGS" {
                    tags::check_tag_table(&db, &table)?;
                    "ins_tags"
                } else {
                    "ins_indexes"
                };
                ShowQuery::ins(sys)
                    .r#where("db_name", Pred::Eq(db.name.clone()))
                    .r#where("table_name", Pred::Eq(table))
            }
            _ => {
                let words: Vec<&str> = self.toks[1..self.toks.len().min(3)]
                    .iter()
                    .map(|t| t.text)
                    .collect();
                return Err(unsupported(&format!(
                    "SHOW {}",
                    words.join(" ").to_ascii_uppercase()
                )));
            }
        };
        self.end()?;
        Ok(q)
    }

    /// `q` with a `LIKE` on column `col` if the statement has one.
    fn with_like(&mut self, q: ShowQuery, col: &'static str) -> Result<ShowQuery, ServerError> {
        Ok(match self.like()? {
            Some(p) => q.r#where(col, Pred::Like(p)),
            None => q,
        })
    }
}

/// SHOW [LOCAL | CLUSTER] VARIABLES [LIKE 'p']: the server's configuration items.
fn variables(e: &Engine, like_pattern: Option<&str>) -> Result<ResultSet, ServerError> {
    let mut rows = Rows::new(vec![
        vc("name", 30),
        vc("value", 4094),
        vc("scope", 6),
        vc("category", 6),
        vc("info", 62),
    ]);
    for (name, value, scope, info) in system::config_items(e) {
        if like_pattern.is_some_and(|p| !like(p, name)) {
            continue;
        }
        rows.push(vec![
            name.into(),
            value.into(),
            scope.into(),
            "global".into(),
            info.into(),
        ]);
    }
    rows.finish()
}

/// SHOW ALIVE: every vgroup of this one node is available (1).
fn alive() -> Result<ResultSet, ServerError> {
    let mut rows = Rows::new(vec![col("status", TdType::Int)]);
    rows.push(vec![1i32.into()]);
    rows.finish()
}

/// 0x0388 naming no database (what SHOW CREATE DATABASE answers for a missing one).
fn db_not_exist() -> ServerError {
    ServerError::from_code(Code::MND_DB_NOT_EXIST)
}
