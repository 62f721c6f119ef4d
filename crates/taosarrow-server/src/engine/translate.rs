//! Token-level translation of TDengine expressions to DataFusion SQL: NOW/TODAY, durations,
//! FIRST/LAST/LAST_ROW, DATABASE()/SERVER_VERSION(), and integers or time strings compared with
//! (or added to) TIMESTAMP columns read as ticks in the connection time zone.

use taosarrow_codec::timestamp_type_text;
use taosarrow_protocol::{Code, Precision};

use super::json_tag::{JsonRead, MAX_JSON_KEY_LEN};
use super::lexer::{Kind, Token};
use super::time::{duration_ticks, now, parse_time_string, today};
use super::{syntax_at, unsupported};
use crate::{ServerError, SERVER_VERSION};

pub(super) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Index of the matching `)` for the `(` at `open`.
pub(super) fn close_of(toks: &[Token<'_>], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in toks.iter().enumerate().skip(open) {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}

pub(super) fn depths(toks: &[Token<'_>]) -> Vec<i32> {
    let mut d = 0;
    toks.iter()
        .map(|t| {
            if t.is_punct("(") {
                d += 1;
                d - 1
            } else if t.is_punct(")") {
                d -= 1;
                d
            } else {
                d
            }
        })
        .collect()
}

/// For each token, the index where the run of literals and commas just before it starts
/// (the token itself when the one before it is neither): `ts IN (1, 2, …)` finds its `(` in
/// one step per literal instead of walking back over the list.
pub(super) fn literal_run_starts(toks: &[Token<'_>]) -> Vec<usize> {
    let mut out = Vec::with_capacity(toks.len());
    for k in 0..toks.len() {
        let start = match k.checked_sub(1) {
            Some(p)
                if toks[p].is_punct(",") || matches!(toks[p].kind, Kind::Number | Kind::Str) =>
            {
                out[p]
            }
            _ => k,
        };
        out.push(start);
    }
    out
}

/// The functions whose calls the translation expands (repeating their argument), which
/// therefore cannot nest.
const EXPANDED: &[&str] = &["first", "last", "last_row"];

/// 0x2627 when the tokens `from..to` call a function of [`EXPANDED`].
fn reject_nested_expansion(toks: &[Token<'_>], from: usize, to: usize) -> Result<(), ServerError> {
    let nested = toks[from..to]
        .windows(2)
        .any(|w| w[1].is_punct("(") && EXPANDED.iter().any(|f| w[0].is_kw(f)));
    if nested {
        return Err(ServerError::from_code(Code::PAR_AGG_FUNC_NESTING));
    }
    Ok(())
}

/// 0x2605: the left operand of `op` (`->` or CONTAINS) is not a JSON tag.
fn not_a_json_tag(op: &str, name: Option<&str>) -> ServerError {
    let what = name.map_or_else(|| "an expression".to_owned(), str::to_owned);
    ServerError::new(
        Code::PAR_WRONG_VALUE_TYPE,
        format!("Invalid value type: the left operand of {op} must be a JSON tag, not {what}"),
    )
}

/// What the translation of one SELECT needs to know.
pub(super) struct Translator<'a, 't> {
    /// The statement text.
    pub sql: &'a str,
    /// Its tokens.
    pub toks: &'t [Token<'a>],
    /// The current database ("" when none).
    pub db_name: String,
    /// The precision of the main table's database.
    pub precision: Precision,
    /// The main table's timestamp column.
    pub ts: String,
    /// Lower-cased names of the TIMESTAMP columns in scope (plus window pseudo-columns).
    pub ts_cols: Vec<String>,
    /// Lower-cased names of the JSON tags in scope: the left operands `->` and CONTAINS take.
    pub json_cols: Vec<String>,
    /// Lower-cased names of every column and tag in scope.
    pub names: Vec<String>,
    /// The connection time zone: time strings without an offset are read in it.
    pub tz: Option<chrono_tz::Tz>,
    /// [`literal_run_starts`] of `toks`.
    pub run_starts: Vec<usize>,
    /// When the statement started: its `NOW`.
    pub now: chrono::DateTime<chrono::Utc>,
}

const COMPARISONS: &[&str] = &["=", "<", ">", "<=", ">=", "!=", "<>"];

/// What a literal next to `tag->'key'` is, which decides how the key's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LiteralKind {
    /// A string: compared with string values.
    Str,
    /// A number, possibly signed: compared with numbers (and booleans as 1 and 0).
    Number,
    /// TRUE or FALSE: compared as 1 or 0 with numbers and booleans.
    Bool,
    /// NULL: the comparison is NULL whatever the value.
    Null,
}

impl Translator<'_, '_> {
    /// An interval of `ticks` in the database precision (`INTERVAL '5 milliseconds'`).
    fn interval(&self, ticks: i64) -> String {
        format!("INTERVAL '{ticks} {}s'", self.precision.unit().word())
    }

    /// True when the integer at `toks[k]` shifts a TIMESTAMP column (`ts - 1000`,
    /// `1000 + ts`): TDengine adds ticks and the result stays a TIMESTAMP.
    fn is_ts_shift(&self, k: usize) -> bool {
        let toks = self.toks;
        let sign = |i: usize| {
            toks.get(i)
                .is_some_and(|t| t.is_punct("+") || t.is_punct("-"))
        };
        k >= 2 && sign(k - 1) && self.is_ts_name(k - 2)
            || toks.get(k + 1).is_some_and(|t| t.is_punct("+")) && self.is_ts_name(k + 2)
    }

    /// True when `toks[k]` names a TIMESTAMP column.
    fn is_ts_name(&self, k: usize) -> bool {
        self.toks.get(k).is_some_and(|t| {
            matches!(t.kind, Kind::Word | Kind::Quoted)
                && self.ts_cols.contains(&t.name().to_ascii_lowercase())
        })
    }

    /// True when the integer at `toks[k]` is compared with a TIMESTAMP column (`ts = n`,
    /// `n < ts`, `ts BETWEEN n AND m`, `ts IN (n, …)`): TDengine reads it as ticks.
    /// The arguments of the call whose name is at token `k` (its `(` at `k + 1`): each as a
    /// token range, split at top-level commas, and the index of the closing parenthesis.
    fn call_args(&self, k: usize) -> Result<(Vec<(usize, usize)>, usize), ServerError> {
        let toks = self.toks;
        let close = close_of(toks, k + 1).ok_or_else(|| syntax_at(toks, k, self.sql))?;
        let mut args = Vec::new();
        let (mut depth, mut start) = (0i32, k + 2);
        for (j, t) in toks.iter().enumerate().take(close).skip(k + 2) {
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
            } else if depth == 0 && t.is_punct(",") {
                args.push((start, j));
                start = j + 1;
            }
        }
        if start < close {
            args.push((start, close));
        }
        if args.iter().any(|(a, b)| a >= b) {
            return Err(syntax_at(toks, k, self.sql));
        }
        Ok((args, close))
    }

    /// For `CAST(` at token `k`: `(index of AS, n, index of the closing parenthesis)` when
    /// the target is `BINARY(n)`, `VARCHAR(n)` or `NCHAR(n)`.
    fn sized_string_cast(&self, k: usize) -> Option<(usize, u64, usize)> {
        let toks = self.toks;
        let close = close_of(toks, k + 1)?;
        let mut depth = 0i32;
        let mut as_at = None;
        for (j, t) in toks.iter().enumerate().take(close).skip(k + 2) {
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
            } else if depth == 0 && t.is_kw("AS") {
                as_at = Some(j);
            }
        }
        let a = as_at?;
        let ty = toks.get(a + 1)?;
        let sized = ["BINARY", "VARCHAR", "NCHAR"].iter().any(|w| ty.is_kw(w));
        if !sized
            || !toks.get(a + 2)?.is_punct("(")
            || !toks.get(a + 4)?.is_punct(")")
            || a + 5 != close
        {
            return None;
        }
        let n: u64 = toks.get(a + 3)?.text.parse().ok()?;
        Some((a, n, close))
    }

    fn is_ts_operand(&self, k: usize) -> bool {
        let toks = self.toks;
        let is_cmp = |i: usize| {
            toks.get(i)
                .is_some_and(|t| t.kind == Kind::Punct && COMPARISONS.contains(&t.text))
        };
        if k >= 2 && is_cmp(k - 1) && self.is_ts_name(k - 2) {
            return true;
        }
        if is_cmp(k + 1) && self.is_ts_name(k + 2) {
            return true;
        }
        if k >= 2 && toks[k - 1].is_kw("BETWEEN") && self.is_ts_name(k - 2) {
            return true;
        }
        if k >= 4
            && toks[k - 1].is_kw("AND")
            && toks[k - 3].is_kw("BETWEEN")
            && self.is_ts_name(k - 4)
        {
            return true;
        }
        let j = self.run_starts.get(k).copied().unwrap_or(k);
        j >= 3
            && toks[j - 1].is_punct("(")
            && toks[j - 2].is_kw("IN")
            && (self.is_ts_name(j - 3)
                || j >= 4 && toks[j - 3].is_kw("NOT") && self.is_ts_name(j - 4))
    }

    fn ts_literal(&self, ticks: i64) -> String {
        format!(
            "arrow_cast({ticks}, '{}')",
            timestamp_type_text(self.precision)
        )
    }

    /// The literal starting at `toks[i]` (before `to`): its kind and the index after it.
    fn literal_at(&self, i: usize, to: usize) -> Option<(LiteralKind, usize)> {
        let t = self.toks.get(i).filter(|_| i < to)?;
        match t.kind {
            Kind::Str => Some((LiteralKind::Str, i + 1)),
            Kind::Number => Some((LiteralKind::Number, i + 1)),
            Kind::Word if t.is_kw("TRUE") || t.is_kw("FALSE") => Some((LiteralKind::Bool, i + 1)),
            Kind::Word if t.is_kw("NULL") => Some((LiteralKind::Null, i + 1)),
            Kind::Punct if t.is_punct("-") || t.is_punct("+") => {
                let n = self.toks.get(i + 1).filter(|_| i + 1 < to)?;
                (n.kind == Kind::Number).then_some((LiteralKind::Number, i + 2))
            }
            _ => None,
        }
    }

    /// The JSON tag operator whose left operand starts at `toks[k]`: `tag->'key'` or
    /// `tag CONTAINS 'key'` with `tag` a JSON tag, possibly qualified (`t.tag`). Returns its
    /// translation and the index of the first token after what it consumed.
    ///
    /// `->` compared with a literal reads the value as the literal's type (`tag->'k' = 'v'`
    /// compares strings, `tag->'k' > 1` numbers, as TDengine does); anywhere else it is the
    /// value as JSON text.
    fn json_operator(
        &self,
        k: usize,
        from: usize,
        to: usize,
    ) -> Result<Option<(String, usize)>, ServerError> {
        let toks = self.toks;
        let is_name = |i: usize| {
            i < to
                && toks
                    .get(i)
                    .is_some_and(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        };
        if !is_name(k) || k > from && toks[k - 1].is_punct(".") {
            return Ok(None);
        }
        let qualified = toks.get(k + 1).is_some_and(|t| t.is_punct(".")) && is_name(k + 2);
        let op_at = if qualified { k + 3 } else { k + 1 };
        let Some(op) = toks
            .get(op_at)
            .filter(|t| op_at < to && (t.is_punct("->") || t.is_kw("CONTAINS")))
        else {
            return Ok(None);
        };
        let op_name = if op.is_punct("->") { "->" } else { "CONTAINS" };
        let key_at = op_at + 1;
        let key = match toks.get(key_at).filter(|_| key_at < to) {
            Some(t) if t.kind == Kind::Str => t.string_value(),
            Some(t) if matches!(t.kind, Kind::Number | Kind::Word | Kind::Quoted) => {
                return Err(ServerError::new(
                    Code::PAR_WRONG_VALUE_TYPE,
                    format!(
                        "Invalid value type: the key after {op_name} must be a string, not {}",
                        t.text
                    ),
                ));
            }
            _ => return Err(syntax_at(toks, key_at, self.sql)),
        };
        if key.len() > MAX_JSON_KEY_LEN {
            return Err(ServerError::new(
                Code::PAR_SYNTAX_ERROR,
                format!(
                    "syntax error: json key too long, more than {MAX_JSON_KEY_LEN} bytes ({} bytes)",
                    key.len()
                ),
            ));
        }
        // The statement parses; now its meaning (TDengine: parser, then translater).
        let column = toks[op_at - 1].name();
        let lower = column.to_ascii_lowercase();
        if !self.json_cols.contains(&lower) {
            if !self.names.contains(&lower) {
                return Err(ServerError::new(
                    Code::PAR_INVALID_COLUMN,
                    format!("Invalid column name: {column}"),
                ));
            }
            return Err(not_a_json_tag(op_name, Some(&column)));
        }
        let col: Vec<String> = toks[k..op_at]
            .iter()
            .map(|t| match t.kind {
                Kind::Quoted => quote(&t.name()),
                _ => t.text.to_owned(),
            })
            .collect();
        let args = format!("{}, {}", col.concat(), sql_string(&key));
        let after = key_at + 1;
        if op_name == "CONTAINS" {
            return Ok(Some((
                format!("{}({args})", JsonRead::Contains.name()),
                after,
            )));
        }
        let call = |read: JsonRead| format!("{}({args})", read.name());
        let read_for = |kind: LiteralKind| match kind {
            LiteralKind::Str => JsonRead::Text,
            LiteralKind::Number | LiteralKind::Bool => JsonRead::Number,
            LiteralKind::Null => JsonRead::Value,
        };
        let is_cmp = |i: usize| {
            i < to
                && toks
                    .get(i)
                    .is_some_and(|t| t.kind == Kind::Punct && COMPARISONS.contains(&t.text))
        };
        let kw_at = |i: usize, kw: &str| i < to && toks.get(i).is_some_and(|t| t.is_kw(kw));
        let not_literal =
            || unsupported("comparing the JSON operator -> with anything but a literal");
        // `tag->'k' <op> literal`.
        if is_cmp(after) {
            let (kind, end) = self.literal_at(after + 1, to).ok_or_else(not_literal)?;
            if kind == LiteralKind::Bool {
                // TDengine compares a boolean with a JSON value as the number 1 or 0.
                let one = usize::from(toks[after + 1].is_kw("TRUE"));
                let cmp = toks[after].text;
                return Ok(Some((
                    format!("{} {cmp} {one}", call(JsonRead::Number)),
                    end,
                )));
            }
            return Ok(Some((call(read_for(kind)), after)));
        }
        let negated = usize::from(kw_at(after, "NOT"));
        if kw_at(after + negated, "BETWEEN") {
            return match self.literal_at(after + negated + 1, to) {
                Some((kind @ (LiteralKind::Str | LiteralKind::Number), _)) => {
                    Ok(Some((call(read_for(kind)), after)))
                }
                _ => Err(not_literal()),
            };
        }
        if kw_at(after + negated, "LIKE") {
            return Ok(Some((call(JsonRead::Text), after)));
        }
        if kw_at(after + negated, "IN") {
            return Err(unsupported(
                "IN on the JSON operator -> (TDengine has no such filter)",
            ));
        }
        // `literal <op> tag->'k'`.
        if k > from && is_cmp(k - 1) {
            let kind = (k >= from + 2)
                .then(|| self.literal_at(k - 2, to))
                .flatten()
                .filter(|(_, end)| *end == k - 1)
                .or_else(|| {
                    (k >= from + 3)
                        .then(|| self.literal_at(k - 3, to))
                        .flatten()
                        .filter(|(_, end)| *end == k - 1)
                })
                .map(|(kind, _)| kind);
            return match kind {
                Some(kind @ (LiteralKind::Str | LiteralKind::Number | LiteralKind::Null)) => {
                    Ok(Some((call(read_for(kind)), after)))
                }
                _ => Err(not_literal()),
            };
        }
        Ok(Some((call(JsonRead::Value), after)))
    }

    /// Translates tokens `range` to DataFusion SQL.
    pub(super) fn expr(&self, from: usize, to: usize) -> Result<String, ServerError> {
        let toks = self.toks;
        let mut out = String::new();
        let mut k = from;
        while k < to {
            let t = toks[k];
            if let Some((piece, next)) = self.json_operator(k, from, to)? {
                if !out.is_empty() && !out.ends_with('(') {
                    out.push(' ');
                }
                out.push_str(&piece);
                k = next;
                continue;
            }
            if t.is_punct("->") {
                // Not after a name: nothing, or an expression, on its left.
                if k == from {
                    return Err(syntax_at(toks, k, self.sql));
                }
                return Err(not_a_json_tag("->", None));
            }
            if t.is_kw("CONTAINS") {
                return Err(not_a_json_tag("CONTAINS", None));
            }
            let next_paren = toks.get(k + 1).is_some_and(|n| n.is_punct("(")) && k + 1 < to;
            let piece = match t.kind {
                Kind::Word => {
                    let w = t.text.to_ascii_lowercase();
                    match w.as_str() {
                        "now" | "today" => {
                            if next_paren && toks.get(k + 2).is_some_and(|n| n.is_punct(")")) {
                                k += 2;
                            }
                            self.ts_literal(if w == "today" {
                                today(self.now, self.precision, self.tz)
                            } else {
                                now(self.now, self.precision)
                            })
                        }
                        "database" | "server_version" | "client_version" | "server_status"
                            if next_paren && toks.get(k + 2).is_some_and(|n| n.is_punct(")")) =>
                        {
                            k += 2;
                            match w.as_str() {
                                "database" => {
                                    if self.db_name.is_empty() {
                                        "arrow_cast(NULL, 'Utf8')".to_owned()
                                    } else {
                                        sql_string(&self.db_name)
                                    }
                                }
                                "server_status" => "1".to_owned(),
                                _ => sql_string(SERVER_VERSION),
                            }
                        }
                        "first" | "last" | "last_row" if next_paren => {
                            let close = close_of(toks, k + 1)
                                .ok_or_else(|| syntax_at(toks, k, self.sql))?;
                            if close == k + 3 && toks[k + 2].is_punct("*") {
                                return Err(unsupported(&format!("{w}(*)")));
                            }
                            reject_nested_expansion(toks, k + 2, close)?;
                            let arg = self.expr(k + 2, close)?;
                            let ts = quote(&self.ts);
                            k = close;
                            first_last_sql(&w, &arg, &ts)
                        }
                        // CAST(x AS BINARY(n) | VARCHAR(n) | NCHAR(n)): the text of x cut to n
                        // characters, as TDengine's CAST to a sized string type gives it.
                        "cast" if next_paren && self.sized_string_cast(k).is_some() => {
                            let (as_at, n, close) = self
                                .sized_string_cast(k)
                                .ok_or_else(|| syntax_at(toks, k, self.sql))?;
                            let arg = self.expr(k + 2, as_at)?;
                            k = close;
                            format!("substr(CAST({arg} AS VARCHAR), 1, {n})")
                        }
                        // PERCENTILE(x, p) and APERCENTILE(x, p[, algorithm]) ("Aggregate
                        // Functions"): the p-th percentile (0 ≤ p ≤ 100), interpolated between
                        // ranks, as DOUBLE; APERCENTILE may approximate.
                        "percentile" | "apercentile" if next_paren => {
                            let (args, close) = self.call_args(k)?;
                            let approx = w == "apercentile";
                            let arity_ok = if approx {
                                (2..=3).contains(&args.len())
                            } else {
                                args.len() == 2
                            };
                            if !arity_ok {
                                return Err(syntax_at(toks, k, self.sql));
                            }
                            let (p0, p1) = args[1];
                            let p: f64 = (p1 == p0 + 1 && toks[p0].kind == Kind::Number)
                                .then(|| toks[p0].text.parse().ok())
                                .flatten()
                                .filter(|p| (0.0..=100.0).contains(p))
                                .ok_or_else(|| {
                                    ServerError::new(
                                        Code::FUNC_FUNTION_PARA_VALUE,
                                        format!("Invalid parameter value : {w}: the percentile is a number from 0 to 100"),
                                    )
                                })?;
                            if let Some(&(a0, a1)) = args.get(2) {
                                let known = a1 == a0 + 1
                                    && toks[a0].kind == Kind::Str
                                    && matches!(
                                        toks[a0].string_value().to_ascii_lowercase().as_str(),
                                        "default" | "t-digest"
                                    );
                                if !known {
                                    return Err(syntax_at(toks, a0, self.sql));
                                }
                            }
                            let arg = self.expr(args[0].0, args[0].1)?;
                            k = close;
                            let f = if approx {
                                "approx_percentile_cont"
                            } else {
                                "percentile_cont"
                            };
                            format!(
                                "CAST({f}({}) WITHIN GROUP (ORDER BY {arg}) AS DOUBLE)",
                                p / 100.0
                            )
                        }
                        // MATCH / NMATCH ("Operators"): a regular expression matches (or
                        // not) anywhere in the string; Rust's regex engine runs in time linear
                        // in the input, whatever the pattern.
                        "match" if !next_paren => "~".to_owned(),
                        "nmatch" if !next_paren => "!~".to_owned(),
                        // STDDEV is the population standard deviation in TDengine (divided
                        // by n, not n - 1).
                        "stddev" | "std" if next_paren => "stddev_pop".to_owned(),
                        // HYPERLOGLOG(x): the approximate number of distinct values, BIGINT.
                        "hyperloglog" if next_paren => {
                            let (args, close) = self.call_args(k)?;
                            let [(a0, a1)] = args[..] else {
                                return Err(syntax_at(toks, k, self.sql));
                            };
                            let arg = self.expr(a0, a1)?;
                            k = close;
                            format!("CAST(approx_distinct({arg}) AS BIGINT)")
                        }
                        // TIMEZONE(): the connection's zone, as TDengine names it.
                        "timezone"
                            if next_paren && toks.get(k + 2).is_some_and(|n| n.is_punct(")")) =>
                        {
                            k += 2;
                            sql_string(&timezone_text(self.tz, self.now))
                        }
                        // TIMEDIFF(a, b[, unit]) ("Time Functions"): a - b in ticks of the
                        // database precision, or in whole `unit`s.
                        "timediff" if next_paren => {
                            let (args, close) = self.call_args(k)?;
                            if !(2..=3).contains(&args.len()) {
                                return Err(syntax_at(toks, k, self.sql));
                            }
                            let a = self.expr(args[0].0, args[0].1)?;
                            let b = self.expr(args[1].0, args[1].1)?;
                            let unit = match args.get(2) {
                                Some(&(u0, u1))
                                    if u1 == u0 + 1 && toks[u0].kind == Kind::Duration =>
                                {
                                    let unit = duration_ticks(toks[u0].text, self.precision)?;
                                    if unit <= 0 {
                                        return Err(syntax_at(toks, u0, self.sql));
                                    }
                                    unit
                                }
                                Some(&(u0, _)) => return Err(syntax_at(toks, u0, self.sql)),
                                None => 1,
                            };
                            let out = format!(
                                "{}({a}, {b}, CAST({unit} AS BIGINT))",
                                super::time_functions::TIMEDIFF
                            );
                            k = close;
                            out
                        }
                        // TIMETRUNCATE(ts, unit[, use_current_tz]) ("Time Functions"): whole
                        // days from midnight in the connection's zone unless the third
                        // argument is 0.
                        "timetruncate" if next_paren => {
                            let (args, close) = self.call_args(k)?;
                            if !(2..=3).contains(&args.len()) {
                                return Err(syntax_at(toks, k, self.sql));
                            }
                            let (u0, u1) = args[1];
                            if u1 != u0 + 1 || toks[u0].kind != Kind::Duration {
                                return Err(syntax_at(toks, u0, self.sql));
                            }
                            let unit = duration_ticks(toks[u0].text, self.precision)?;
                            let local = match args.get(2) {
                                None => true,
                                Some(&(z0, z1))
                                    if z1 == z0 + 1 && matches!(toks[z0].text, "0" | "1") =>
                                {
                                    toks[z0].text == "1"
                                }
                                Some(&(z0, _)) => return Err(syntax_at(toks, z0, self.sql)),
                            };
                            let zone = match (local, self.tz) {
                                (true, Some(tz)) => tz.name().to_owned(),
                                _ => String::new(),
                            };
                            let ts = self.expr(args[0].0, args[0].1)?;
                            k = close;
                            format!(
                                "{}({ts}, CAST({unit} AS BIGINT), {}, CAST({} AS BIGINT))",
                                super::time_functions::TIMETRUNCATE,
                                sql_string(&zone),
                                self.precision.ticks_per_second()
                            )
                        }
                        // TO_ISO8601(t[, offset]) ("Time Functions"): the time as ISO 8601
                        // text in the connection's zone, or at the fixed offset given.
                        "to_iso8601" if next_paren => {
                            let (args, close) = self.call_args(k)?;
                            if !(1..=2).contains(&args.len()) {
                                return Err(syntax_at(toks, k, self.sql));
                            }
                            let offset = match args.get(1) {
                                Some(&(o0, o1)) if o1 == o0 + 1 && toks[o0].kind == Kind::Str => {
                                    toks[o0].string_value().into_owned()
                                }
                                Some(&(o0, _)) => return Err(syntax_at(toks, o0, self.sql)),
                                None => String::new(),
                            };
                            let zone = self.tz.map(|t| t.name().to_owned()).unwrap_or_default();
                            let t = self.expr(args[0].0, args[0].1)?;
                            k = close;
                            format!(
                                "{}({t}, CAST({} AS BIGINT), {}, {})",
                                super::time_functions::TO_ISO8601,
                                self.precision.ticks_per_second(),
                                sql_string(&zone),
                                sql_string(&offset)
                            )
                        }
                        // TO_UNIXTIMESTAMP('time string'): its ticks in the database precision.
                        "to_unixtimestamp" if next_paren => {
                            let (args, close) = self.call_args(k)?;
                            match args[..] {
                                [(a0, a1)] if a1 == a0 + 1 && toks[a0].kind == Kind::Str => {
                                    let ticks = parse_time_string(
                                        &toks[a0].string_value(),
                                        self.precision,
                                        self.tz,
                                    )?;
                                    k = close;
                                    format!("CAST({ticks} AS BIGINT)")
                                }
                                _ => {
                                    return Err(unsupported(
                                        "to_unixtimestamp of anything but a time string literal",
                                    ))
                                }
                            }
                        }
                        // SPREAD (TDengine's reference, "Aggregate Functions"): max - min
                        // as DOUBLE, timestamps in their ticks; NULLs are skipped.
                        "spread" if next_paren => {
                            let close = close_of(toks, k + 1)
                                .ok_or_else(|| syntax_at(toks, k, self.sql))?;
                            if close == k + 3 && toks[k + 2].is_punct("*") {
                                return Err(unsupported("spread(*)"));
                            }
                            let arg = self.expr(k + 2, close)?;
                            k = close;
                            format!("(CAST(max({arg}) AS DOUBLE) - CAST(min({arg}) AS DOUBLE))")
                        }
                        "_rowts" | "_c0" => quote(&self.ts),
                        "interp" | "diff" | "csum" | "derivative" | "irate" | "mavg"
                        | "statecount" | "stateduration" | "twa" | "top" | "bottom" | "sample"
                        | "tail" | "unique" | "elapsed" | "hyperloglog" | "histogram"
                        | "leastsquares" | "_irowts" | "_isfilled" | "_qstart" | "_qend"
                        | "_wduration" | "tbuid" | "_tags" => {
                            return Err(unsupported(&format!("function or pseudo-column {w}")));
                        }
                        _ => t.text.to_owned(),
                    }
                }
                Kind::Quoted => quote(&t.name()),
                // A time string compared with a timestamp is read in the connection time zone.
                Kind::Str if self.is_ts_operand(k) => self.ts_literal(parse_time_string(
                    &t.string_value(),
                    self.precision,
                    self.tz,
                )?),
                // Escapes (`\'`, `\n`, …) resolved; DataFusion reads standard SQL strings.
                Kind::Str => sql_string(&t.string_value()),
                Kind::Duration => {
                    let ticks = duration_ticks(t.text, self.precision)?;
                    self.interval(ticks)
                }
                Kind::Number
                    if t.text.bytes().all(|b| b.is_ascii_digit()) && self.is_ts_shift(k) =>
                {
                    let ticks = t
                        .text
                        .parse::<i64>()
                        .map_err(|_| ServerError::from_code(Code::PAR_INCORRECT_TIMESTAMP_VAL))?;
                    self.interval(ticks)
                }
                Kind::Number
                    if t.text.bytes().all(|b| b.is_ascii_digit()) && self.is_ts_operand(k) =>
                {
                    let ticks = t
                        .text
                        .parse::<i64>()
                        .map_err(|_| ServerError::from_code(Code::PAR_INCORRECT_TIMESTAMP_VAL))?;
                    self.ts_literal(ticks)
                }
                _ => t.text.to_owned(),
            };
            if !out.is_empty()
                && !t.is_punct(".")
                && !t.is_punct(")")
                && !t.is_punct(",")
                && !out.ends_with('.')
                && !out.ends_with('(')
            {
                out.push(' ');
            }
            out.push_str(&piece);
            k += 1;
        }
        Ok(out)
    }
}

/// The zone as TDengine's `TIMEZONE()` shows it: `Asia/Shanghai (CST, +0800)`.
fn timezone_text(tz: Option<chrono_tz::Tz>, at: chrono::DateTime<chrono::Utc>) -> String {
    let tz = tz.unwrap_or(chrono_tz::UTC);
    let local = at.with_timezone(&tz);
    format!(
        "{} ({}, {})",
        tz.name(),
        local.format("%Z"),
        local.format("%z")
    )
}

/// TDengine's FIRST / LAST (NULLs skipped) and LAST_ROW (NULLs kept) of `arg` along the
/// timestamp column `ts`, as DataFusion aggregates (`f` lower-cased).
pub(super) fn first_last_sql(f: &str, arg: &str, ts: &str) -> String {
    match f {
        "first" => format!("first_value({arg} ORDER BY {ts}) FILTER (WHERE ({arg}) IS NOT NULL)"),
        "last" => format!("last_value({arg} ORDER BY {ts}) FILTER (WHERE ({arg}) IS NOT NULL)"),
        _ => format!("last_value({arg} ORDER BY {ts})"),
    }
}
