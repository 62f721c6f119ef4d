//! SHOW DATABASES / STABLES / TABLES and DESCRIBE.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int32Array, StringArray, TimestampMillisecondArray};
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Precision, TdType};

use super::catalog::{read, table_not_exist};
use super::lexer::Token;
use super::result::from_columns;
use super::types::describe_name;
use super::{qualified_name, syntax_at, unsupported, Engine, ResultSet, Session};
use crate::ServerError;

fn vc(name: &str, n: u32) -> ColumnSpec {
    ColumnSpec::new(name, TdType::VarChar).with_length(n)
}

fn strs<I: IntoIterator<Item = Option<String>>>(it: I) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

fn ts(it: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMillisecondArray::from_iter(it))
}

fn ints(it: impl IntoIterator<Item = Option<i32>>) -> ArrayRef {
    Arc::new(Int32Array::from_iter(it))
}

/// The rows of `v` whose `keep` flag is set.
fn kept<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(x, _)| x)
        .collect()
}

/// Runs SHOW … or DESCRIBE ….
pub fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<ResultSet, ServerError> {
    let ms = Precision::Millisecond;
    if !toks[0].is_kw("SHOW") {
        let mut i = 1;
        let (dbn, name) = qualified_name(toks, &mut i, sql)?;
        if i < toks.len() {
            return Err(syntax_at(toks, i, sql));
        }
        return describe(e, s, dbn.as_deref(), &name);
    }
    let mut i = 1;
    let mut dbn = None;
    if toks.len() > 3 && toks[2].is_punct(".") {
        dbn = Some(toks[1].name());
        i = 3;
    }
    let what = toks
        .get(i)
        .map(|t| t.text.to_ascii_uppercase())
        .unwrap_or_default();
    i += 1;
    let like = if toks.get(i).is_some_and(|t| t.is_kw("LIKE")) {
        let p = toks
            .get(i + 1)
            .filter(|t| t.kind == super::lexer::Kind::Str)
            .ok_or_else(|| syntax_at(toks, i + 1, sql))?;
        i += 2;
        Some(p.string_value().into_owned())
    } else {
        None
    };
    if !matches!(what.as_str(), "DATABASES" | "STABLES" | "TABLES") {
        let words: Vec<&str> = toks[1..toks.len().min(3)].iter().map(|t| t.text).collect();
        return Err(unsupported(&format!(
            "SHOW {}",
            words.join(" ").to_ascii_uppercase()
        )));
    }
    if i < toks.len() {
        return Err(syntax_at(toks, i, sql));
    }
    let matches = |n: &str| {
        like.as_deref()
            .is_none_or(|p| like_match(p.as_bytes(), n.as_bytes()))
    };
    match what.as_str() {
        "DATABASES" if dbn.is_none() => {
            let dbs: Vec<_> = read(&e.catalog().dbs).values().cloned().collect();
            let mut names = vec![
                Some("information_schema".to_owned()),
                Some("performance_schema".to_owned()),
            ];
            let mut created = vec![None, None];
            let mut ntables = vec![None, None];
            let mut prec = vec![Some("ms".to_owned()), Some("ms".to_owned())];
            for d in &dbs {
                names.push(Some(d.name.clone()));
                created.push(Some(d.created));
                ntables.push(Some(read(&d.tables).len() as i32));
                prec.push(Some(d.precision.name().to_owned()));
            }
            let keep: Vec<bool> = names
                .iter()
                .map(|n| matches(n.as_deref().unwrap_or("")))
                .collect();
            from_columns(
                &[
                    vc("name", 64),
                    ColumnSpec::new("create_time", TdType::Timestamp),
                    ColumnSpec::new("ntables", TdType::Int),
                    vc("precision", 2),
                ],
                vec![
                    strs(kept(names, &keep)),
                    ts(kept(created, &keep)),
                    ints(kept(ntables, &keep)),
                    strs(kept(prec, &keep)),
                ],
                ms,
            )
        }
        "STABLES" => {
            let db = e.resolve_db(s, dbn.as_deref())?;
            let st: Vec<_> = read(&db.stables)
                .values()
                .map(|d| read(d).clone())
                .filter(|d| matches(&d.name))
                .collect();
            from_columns(
                &[
                    vc("stable_name", 192),
                    vc("db_name", 64),
                    ColumnSpec::new("create_time", TdType::Timestamp),
                    ColumnSpec::new("columns", TdType::Int),
                    ColumnSpec::new("tags", TdType::Int),
                ],
                vec![
                    strs(st.iter().map(|d| Some(d.name.clone()))),
                    strs(st.iter().map(|_| Some(db.name.clone()))),
                    ts(st.iter().map(|_| Some(db.created))),
                    ints(st.iter().map(|d| Some(d.columns.len() as i32))),
                    ints(st.iter().map(|d| Some(d.tags.len() as i32))),
                ],
                ms,
            )
        }
        "TABLES" => {
            let db = e.resolve_db(s, dbn.as_deref())?;
            let ts_: Vec<_> = read(&db.tables)
                .values()
                .filter(|t| matches(&t.name))
                .cloned()
                .collect();
            let mut ncols = Vec::with_capacity(ts_.len());
            for t in &ts_ {
                ncols.push(Some(db.columns_of(t)?.len() as i32));
            }
            from_columns(
                &[
                    vc("table_name", 192),
                    vc("db_name", 64),
                    ColumnSpec::new("create_time", TdType::Timestamp),
                    ColumnSpec::new("columns", TdType::Int),
                    vc("stable_name", 192),
                    vc("type", 21),
                ],
                vec![
                    strs(ts_.iter().map(|t| Some(t.name.clone()))),
                    strs(ts_.iter().map(|_| Some(db.name.clone()))),
                    ts(ts_.iter().map(|t| Some(t.created))),
                    ints(ncols),
                    strs(
                        ts_.iter()
                            .map(|t| t.child_of.as_ref().map(|(s, _)| s.clone())),
                    ),
                    strs(ts_.iter().map(|t| {
                        Some(
                            if t.child_of.is_some() {
                                "CHILD_TABLE"
                            } else {
                                "NORMAL_TABLE"
                            }
                            .to_owned(),
                        )
                    })),
                ],
                ms,
            )
        }
        _ => Err(unsupported(&format!("SHOW {what}"))),
    }
}

fn describe(
    e: &Engine,
    s: &Session,
    dbn: Option<&str>,
    name: &str,
) -> Result<ResultSet, ServerError> {
    let db = e.resolve_db(s, dbn)?;
    let (cols, tags) = if let Some(st) = db.stable(name) {
        let d = read(&st);
        (d.columns.clone(), d.tags.clone())
    } else {
        let t = db.table(name).map_err(|_| table_not_exist(name))?;
        let cols = db.columns_of(&t)?;
        let tags = match &t.child_of {
            Some((sn, _)) => db
                .stable(sn)
                .map(|s| read(&s).tags.clone())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        (cols, tags)
    };
    let all: Vec<(&ColumnSpec, bool)> = cols
        .iter()
        .map(|c| (c, false))
        .chain(tags.iter().map(|t| (t, true)))
        .collect();
    from_columns(
        &[
            vc("field", 64),
            vc("type", 32),
            ColumnSpec::new("length", TdType::Int),
            vc("note", 16),
        ],
        vec![
            strs(all.iter().map(|(c, _)| Some(c.name.clone()))),
            strs(all.iter().map(|(c, _)| Some(describe_name(c)))),
            ints(all.iter().map(|(c, _)| Some(c.length as i32))),
            strs(
                all.iter()
                    .map(|(_, tag)| Some(if *tag { "TAG" } else { "" }.to_owned())),
            ),
        ],
        Precision::Millisecond,
    )
}

/// SQL LIKE with `%` and `_`.
fn like_match(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'%') => (0..=s.len()).any(|k| like_match(&p[1..], &s[k..])),
        Some(b'_') => !s.is_empty() && like_match(&p[1..], &s[1..]),
        Some(c) => s.first() == Some(c) && like_match(&p[1..], &s[1..]),
    }
}
