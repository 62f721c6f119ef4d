//! Reading a SELECT's shape: what is rejected up front, where the select list and the
//! top-level clauses are, and the windowing (PARTITION BY, INTERVAL/SLIDING, GROUP BY).

use taosarrow_protocol::{Code, Precision};

use super::super::lexer::{Kind, Token};
use super::super::syntax_at;
use super::super::time::duration_ticks;
use super::super::unsupported;
use super::{AGGREGATES, CLAUSE_KWS, UNSUPPORTED};
use crate::ServerError;

/// Rejects what the translation does not support: the keywords of [`UNSUPPORTED`], several
/// statements, UNION and subqueries in FROM.
pub(super) fn reject_unsupported(toks: &[Token<'_>], depth: &[i32]) -> Result<(), ServerError> {
    for t in toks {
        if let Some(u) = UNSUPPORTED.iter().find(|u| t.is_kw(u)) {
            return Err(unsupported(u));
        }
        if t.is_punct(";") {
            return Err(unsupported("more than one statement"));
        }
    }
    for (k, t) in toks.iter().enumerate() {
        if depth[k] == 0 && t.is_kw("UNION") {
            return Err(unsupported("UNION"));
        }
    }
    Ok(())
}

/// The index of the next top-level clause keyword at or after `after` (else the end).
pub(super) fn next_clause(toks: &[Token<'_>], depth: &[i32], after: usize) -> usize {
    (after..toks.len())
        .find(|&i| depth[i] == 0 && CLAUSE_KWS.iter().any(|k| toks[i].is_kw(k)))
        .unwrap_or(toks.len())
}

/// Where the select list is.
pub(super) struct SelectList {
    /// `"DISTINCT "` or nothing.
    pub(super) distinct: &'static str,
    /// The token index where the list ends (FROM, the next clause or the end).
    pub(super) end: usize,
    /// The token range of each item.
    pub(super) items: Vec<(usize, usize)>,
    /// Whether an aggregate function is called in the list.
    pub(super) has_agg: bool,
    /// The index of the top-level FROM.
    pub(super) from_at: Option<usize>,
}

impl SelectList {
    /// Finds the select list (the statement must start with SELECT) and splits its items.
    pub(super) fn parse(toks: &[Token<'_>], depth: &[i32], sql: &str) -> Result<Self, ServerError> {
        let top = |kw: &str| (0..toks.len()).find(|&i| depth[i] == 0 && toks[i].is_kw(kw));
        let select_at = top("SELECT").ok_or_else(|| syntax_at(toks, 0, sql))?;
        if select_at != 0 {
            return Err(unsupported(
                "WITH or a parenthesised query at the top level",
            ));
        }
        let from_at = top("FROM");
        let end = from_at.unwrap_or_else(|| next_clause(toks, depth, 1));
        let mut distinct = "";
        let mut start = 1;
        if toks.get(1).is_some_and(|t| t.is_kw("DISTINCT")) {
            distinct = "DISTINCT ";
            start = 2;
        }
        let list_start = start;
        let mut items = Vec::new();
        for i in list_start..=end {
            if i == end || (depth[i] == 0 && toks[i].is_punct(",")) {
                if start >= i {
                    return Err(syntax_at(toks, i, sql));
                }
                items.push((start, i));
                start = i + 1;
            }
        }
        let has_agg = toks[list_start..end]
            .windows(2)
            .any(|w| w[1].is_punct("(") && AGGREGATES.iter().any(|a| w[0].is_kw(a)));
        Ok(Self {
            distinct,
            end,
            items,
            has_agg,
            from_at,
        })
    }
}

/// The clauses after FROM, with the windowing ones read.
pub(super) struct Clauses {
    /// The token index where the FROM clause ends.
    pub(super) from_end: usize,
    /// The token range of the PARTITION BY keys.
    pub(super) partition: Option<(usize, usize)>,
    /// INTERVAL and SLIDING, in ticks.
    pub(super) interval: Option<(i64, i64)>,
    /// Day and week windows start at midnight of the connection time zone (TDengine
    /// `taosTimeTruncate`): the offset east of UTC in ticks.
    pub(super) align: i64,
    /// The token range of the GROUP BY keys.
    pub(super) group: Option<(usize, usize)>,
    /// The token ranges of the other clauses (WHERE, HAVING, ORDER BY, LIMIT …), in order.
    pub(super) other: Vec<(usize, usize)>,
}

impl Clauses {
    /// Reads the top-level clauses after the FROM at `from_at`.
    pub(super) fn parse(
        toks: &[Token<'_>],
        depth: &[i32],
        sql: &str,
        from_at: usize,
        precision: Precision,
        tz: Option<chrono_tz::Tz>,
    ) -> Result<Self, ServerError> {
        let from_end = next_clause(toks, depth, from_at + 1);
        let mut partition: Option<(usize, usize)> = None;
        let mut interval: Option<(i64, i64)> = None;
        let mut align = 0i64;
        let mut group: Option<(usize, usize)> = None;
        let mut other = Vec::new();
        let mut i = from_end;
        while i < toks.len() {
            let end = next_clause(toks, depth, i + 1);
            let t = toks[i];
            if t.is_kw("PARTITION") {
                if !toks.get(i + 1).is_some_and(|t| t.is_kw("BY")) {
                    return Err(syntax_at(toks, i, sql));
                }
                partition = Some((i + 2, end));
            } else if t.is_kw("INTERVAL") || t.is_kw("SLIDING") {
                let (d, text) = window_duration(toks, i, end, sql, precision)?;
                if t.is_kw("INTERVAL") {
                    interval = Some((d, d));
                    if text.ends_with(['d', 'w']) {
                        align = tz_offset_ticks(tz, precision);
                    }
                } else {
                    let iv = interval.as_mut().ok_or_else(|| syntax_at(toks, i, sql))?;
                    if d > iv.0 {
                        return Err(ServerError::new(
                            Code::PAR_SYNTAX_ERROR,
                            "sliding value no larger than the interval value",
                        ));
                    }
                    iv.1 = d;
                }
            } else if t.is_kw("GROUP") {
                group = Some((i + 2, end));
            } else {
                other.push((i, end));
            }
            i = end;
        }
        // TDengine applies LIMIT/OFFSET to each partition (SLIMIT limits partitions); a
        // global limit would be a silently different answer.
        if partition.is_some()
            && other
                .iter()
                .any(|&(a, _)| toks[a].is_kw("LIMIT") || toks[a].is_kw("OFFSET"))
        {
            return Err(unsupported(
                "LIMIT/OFFSET with PARTITION BY (TDengine limits each partition)",
            ));
        }
        Ok(Self {
            from_end,
            partition,
            interval,
            align,
            group,
            other,
        })
    }
}

/// The single positive duration argument of the INTERVAL or SLIDING at `i` (up to `end`),
/// in ticks of `precision`, with its text.
fn window_duration<'a>(
    toks: &[Token<'a>],
    i: usize,
    end: usize,
    sql: &str,
    precision: Precision,
) -> Result<(i64, &'a str), ServerError> {
    let args: Vec<&Token<'a>> = toks[i + 1..end]
        .iter()
        .filter(|t| !t.is_punct("(") && !t.is_punct(")"))
        .collect();
    if args.is_empty()
        || args
            .iter()
            .any(|a| a.kind != Kind::Duration && !a.is_punct(","))
    {
        return Err(syntax_at(toks, i, sql));
    }
    if args.len() > 1 {
        return Err(unsupported("INTERVAL with an offset"));
    }
    let d = duration_ticks(args[0].text, precision)?;
    if d <= 0 {
        return Err(syntax_at(toks, i, sql));
    }
    Ok((d, args[0].text))
}

/// The offset of `tz` east of UTC now, in ticks of `p` (0 without a time zone).
fn tz_offset_ticks(tz: Option<chrono_tz::Tz>, p: Precision) -> i64 {
    use chrono::{Offset, TimeZone};
    tz.map_or(0, |tz| {
        let secs = tz
            .offset_from_utc_datetime(&chrono::Utc::now().naive_utc())
            .fix()
            .local_minus_utc();
        i64::from(secs) * p.ticks_per_second()
    })
}
