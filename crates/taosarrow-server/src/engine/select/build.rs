//! Writing the DataFusion statement: the select list (with `*` expanded and labels as
//! TDengine names them), the FROM clause (table references replaced, the main table widened
//! into its INTERVAL windows), then GROUP BY / ORDER BY around the other clauses.

use std::collections::HashMap;

use taosarrow_codec::timestamp_type_text;
use taosarrow_protocol::Precision;

use super::super::lexer::Kind;
use super::super::syntax_at;
use super::super::translate::{first_last_sql, quote, Translator};
use super::clauses::{Clauses, SelectList};
use super::tables::TableRef;
use super::CLAUSE_KWS;
use crate::engine::result::DUPLICATE_MARK;
use crate::ServerError;

/// `SELECT [DISTINCT] …` with each item translated.
pub(super) fn select_list(
    tr: &Translator<'_, '_>,
    list: &SelectList,
    main: Option<&TableRef>,
) -> Result<String, ServerError> {
    let (toks, sql) = (tr.toks, tr.sql);
    let mut select_parts = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for &(a, b) in &list.items {
        let n = b - a;
        if n == 1 && toks[a].is_punct("*")
            || n == 3 && toks[a + 2].is_punct("*") && toks[a + 1].is_punct(".")
        {
            let m = main.ok_or_else(|| syntax_at(toks, a, sql))?;
            select_parts.extend(m.star.iter().map(|c| quote(c)));
            continue;
        }
        // FIRST(*) / LAST(*) / LAST_ROW(*): the function of every column of the table, named
        // `last(col)` as TDengine names them.
        if n == 4
            && toks[a + 1].is_punct("(")
            && toks[a + 2].is_punct("*")
            && toks[a + 3].is_punct(")")
            && ["FIRST", "LAST", "LAST_ROW"]
                .iter()
                .any(|f| toks[a].is_kw(f))
        {
            let m = main.ok_or_else(|| syntax_at(toks, a, sql))?;
            let f = toks[a].text.to_ascii_lowercase();
            let ts = quote(&tr.ts);
            for c in &m.columns {
                let body = first_last_sql(&f, &quote(c), &ts);
                select_parts.push(format!("{body} AS {}", quote(&format!("{f}({c})"))));
            }
            continue;
        }
        let last = toks[b - 1];
        // A bare END closes a CASE; it is never an alias.
        let has_alias = n >= 2
            && matches!(last.kind, Kind::Word | Kind::Quoted)
            && !(last.kind == Kind::Word && last.is_kw("END"))
            && (toks[b - 2].is_kw("AS")
                || toks[b - 2].is_punct(")")
                || matches!(
                    toks[b - 2].kind,
                    Kind::Word | Kind::Quoted | Kind::Number | Kind::Str
                ) && !toks[b - 2].is_kw("AS"))
            && !(toks[b - 2].is_punct("."));
        let simple = n == 1
            && matches!(toks[a].kind, Kind::Word | Kind::Quoted)
            && !toks[a].is_kw("now")
            && !toks[a].is_kw("today")
            || n == 3 && toks[a + 1].is_punct(".");
        // A name given twice (`SELECT DISTINCT v, v`) is made unique for DataFusion with a
        // marker that `result::finish` takes off again.
        let mut unique = |label: String| -> String {
            let n = seen.iter().filter(|l| **l == label).count();
            seen.push(label.clone());
            if n == 0 {
                label
            } else {
                format!("{label}{DUPLICATE_MARK}{n}")
            }
        };
        if has_alias {
            let body_end = if toks[b - 2].is_kw("AS") {
                b - 2
            } else {
                b - 1
            };
            let label = unique(last.name());
            select_parts.push(format!("{} AS {}", tr.expr(a, body_end)?, quote(&label)));
        } else if simple && !matches!(toks[a].text.to_ascii_lowercase().as_str(), "_rowts" | "_c0")
        {
            let name = toks[b - 1].name();
            let label = unique(name.clone());
            if label == name {
                select_parts.push(tr.expr(a, b)?);
            } else {
                select_parts.push(format!("{} AS {}", tr.expr(a, b)?, quote(&label)));
            }
        } else {
            let label = &sql[toks[a].pos
                ..toks[b - 1].pos
                    + toks[b - 1].text.len()
                    + usize::from(toks[b - 1].kind == Kind::Quoted) * 2];
            let label = unique(label.to_owned());
            select_parts.push(format!("{} AS {}", tr.expr(a, b)?, quote(&label)));
        }
    }
    Ok(format!(
        "SELECT {}{}",
        list.distinct,
        select_parts.join(", ")
    ))
}

/// ` FROM …` up to the next clause, with the table references replaced and the first one
/// wrapped into its windows under INTERVAL.
pub(super) fn from_clause(
    tr: &Translator<'_, '_>,
    refs: &HashMap<usize, (usize, String)>,
    main: Option<&TableRef>,
    from_at: usize,
    c: &Clauses,
) -> Result<String, ServerError> {
    let toks = tr.toks;
    let mut from_sql = String::from(" FROM ");
    let mut k = from_at + 1;
    let mut first_ref = true;
    while k < c.from_end {
        if let Some((end, text)) = refs.get(&k) {
            let alias_follows = toks.get(*end).is_some_and(|t| {
                (t.kind == Kind::Word
                    && !t.is_kw("WHERE")
                    && !t.is_kw("JOIN")
                    && !t.is_kw("ON")
                    && !CLAUSE_KWS.iter().any(|c| t.is_kw(c))
                    && !t.is_kw("INNER")
                    && !t.is_kw("LEFT")
                    && !t.is_kw("RIGHT"))
                    || t.kind == Kind::Quoted
            });
            let name = &toks[*end - 1];
            if first_ref && c.interval.is_some() {
                let alias = if alias_follows {
                    toks[*end].name()
                } else {
                    name.name()
                };
                from_sql.push_str(&windowed(text, &alias, main, c, tr.precision)?);
                k = if alias_follows { end + 1 } else { *end };
            } else {
                from_sql.push_str(text);
                if !alias_follows {
                    from_sql.push_str(" AS ");
                    from_sql.push_str(&quote(&name.name()));
                }
                from_sql.push(' ');
                k = *end;
            }
            first_ref = false;
        } else {
            from_sql.push_str(&tr.expr(k, k + 1)?);
            from_sql.push(' ');
            k += 1;
        }
    }
    Ok(from_sql)
}

/// The main table `text` as a subquery named `alias` with one row per window each row falls
/// in (`_wstart`, `_wend`), for INTERVAL and SLIDING.
fn windowed(
    text: &str,
    alias: &str,
    main: Option<&TableRef>,
    c: &Clauses,
    precision: Precision,
) -> Result<String, ServerError> {
    let (iv, sl) = c.interval.unwrap_or((1, 1));
    let align = c.align;
    let m = main.ok_or_else(|| ServerError::internal("no main table"))?;
    let ts = quote(&m.ts);
    let ty = timestamp_type_text(precision);
    let n = (iv + sl - 1) / sl;
    let tsi = format!("arrow_cast(_s.{ts}, 'Int64')");
    let base = format!("({tsi} - (((({tsi} + {align}) % {sl}) + {sl}) % {sl}))");
    let (join, kexpr) = if n > 1 {
        let vals: Vec<String> = (0..n).map(|v| format!("({v})")).collect();
        (
            format!(" CROSS JOIN (VALUES {}) AS _k(k)", vals.join(",")),
            format!(" - _k.k * {sl}"),
        )
    } else {
        (String::new(), String::new())
    };
    Ok(format!(
        "(SELECT _x.*, arrow_cast(_x._ws, '{ty}') AS _wstart, arrow_cast(_x._ws + {iv}, '{ty}') AS _wend FROM (SELECT _s.*, {base}{kexpr} AS _ws FROM {text} AS _s{join}) AS _x WHERE _x._ws + {iv} > arrow_cast(_x.{ts}, 'Int64')) AS {}",
        quote(alias)
    ))
}

/// The other clauses in order, with GROUP BY (the GROUP BY keys, the PARTITION BY keys under
/// aggregation or windows, and the windows) put before the first one that is not WHERE, and
/// the windows ordered by `_wstart` unless ORDER BY is given.
pub(super) fn clauses_sql(
    tr: &Translator<'_, '_>,
    c: &Clauses,
    has_agg: bool,
) -> Result<String, ServerError> {
    let toks = tr.toks;
    let mut out = String::new();
    let mut order_seen = false;
    let mut group_keys: Vec<String> = Vec::new();
    if let Some((a, b)) = c.group {
        group_keys.push(tr.expr(a, b)?);
    }
    if let Some((a, b)) = c.partition {
        if has_agg || c.interval.is_some() {
            group_keys.push(tr.expr(a, b)?);
        }
    }
    if c.interval.is_some() {
        group_keys.push("_wstart, _wend".to_owned());
    }
    let mut pending_group = !group_keys.is_empty();
    for &(a, b) in &c.other {
        let t = toks[a];
        if pending_group && !t.is_kw("WHERE") {
            out.push_str(&format!(" GROUP BY {}", group_keys.join(", ")));
            pending_group = false;
        }
        if t.is_kw("ORDER") {
            order_seen = true;
        }
        if !order_seen && c.interval.is_some() && (t.is_kw("LIMIT") || t.is_kw("OFFSET")) {
            out.push_str(" ORDER BY _wstart");
            order_seen = true;
        }
        out.push(' ');
        out.push_str(&tr.expr(a, b)?);
    }
    if pending_group {
        out.push_str(&format!(" GROUP BY {}", group_keys.join(", ")));
    }
    if !order_seen && c.interval.is_some() {
        let mut keys = Vec::new();
        if let Some((a, b)) = c.partition {
            keys.push(tr.expr(a, b)?);
        }
        keys.push("_wstart".to_owned());
        out.push_str(&format!(" ORDER BY {}", keys.join(", ")));
    }
    Ok(out)
}
