//! SHOW DATABASES / STABLES / TABLES / DNODES and DESCRIBE: the statement is parsed here,
//! each listing is built in [`listings`], DESCRIBE in [`describe`]. The `information_schema`
//! tables a SELECT reads are the same listings ([`system_table`]).

mod columns;
mod describe;
mod listings;
mod tmq;

use super::lexer::{Kind, Token};
use super::{qualified_name, syntax_at, unsupported, Engine, ResultSet, Session};
use crate::ServerError;

/// What a SHOW statement lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    Databases,
    Stables,
    Tables,
    Dnodes,
    Topics,
    Consumers,
    Subscriptions,
}

/// The system database whose tables [`system_table`] serves.
pub(crate) const INFORMATION_SCHEMA: &str = "information_schema";

/// The rows of `information_schema.name` (`name` lower-cased), the listing of the SHOW
/// statement TDengine rewrites into a query on it; `None` for a table this server does not
/// have.
pub(crate) fn system_table(e: &Engine, name: &str) -> Option<Result<ResultSet, ServerError>> {
    match name {
        "ins_databases" => Some(listings::databases(e, None)),
        "ins_dnodes" => Some(listings::dnodes(e)),
        "ins_topics" => Some(tmq::topics(e)),
        "ins_consumers" => Some(tmq::consumers(e)),
        "ins_subscriptions" => Some(tmq::subscriptions(e)),
        _ => None,
    }
}

/// A parsed `SHOW [db.]{DATABASES | STABLES | TABLES} [LIKE 'pattern']`.
#[derive(Debug)]
struct Show {
    listing: Listing,
    /// The database named before the dot (never for DATABASES).
    db: Option<String>,
    /// The LIKE pattern.
    like: Option<String>,
}

/// Runs SHOW … or DESCRIBE ….
pub fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<ResultSet, ServerError> {
    if !toks[0].is_kw("SHOW") {
        let mut i = 1;
        let (dbn, name) = qualified_name(toks, &mut i, sql)?;
        if i < toks.len() {
            return Err(syntax_at(toks, i, sql));
        }
        return describe::describe(e, s, dbn.as_deref(), &name);
    }
    let show = parse_show(sql, toks)?;
    let like = show.like.as_deref();
    match show.listing {
        Listing::Databases => listings::databases(e, like),
        Listing::Stables => listings::stables(e, s, show.db.as_deref(), like),
        Listing::Tables => listings::tables(e, s, show.db.as_deref(), like),
        Listing::Dnodes => listings::dnodes(e),
        Listing::Topics => tmq::topics(e),
        Listing::Consumers => tmq::consumers(e),
        Listing::Subscriptions => tmq::subscriptions(e),
    }
}

/// Parses the tokens of a SHOW statement (`toks[0]` is `SHOW`).
fn parse_show(sql: &str, toks: &[Token<'_>]) -> Result<Show, ServerError> {
    let mut i = 1;
    let mut db = None;
    if toks.len() > 3 && toks[2].is_punct(".") {
        db = Some(toks[1].name());
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
            .filter(|t| t.kind == Kind::Str)
            .ok_or_else(|| syntax_at(toks, i + 1, sql))?;
        i += 2;
        Some(p.like_pattern().into_owned())
    } else {
        None
    };
    let listing = match what.as_str() {
        "DATABASES" => Listing::Databases,
        "STABLES" => Listing::Stables,
        "TABLES" => Listing::Tables,
        "DNODES" => Listing::Dnodes,
        "TOPICS" => Listing::Topics,
        "CONSUMERS" => Listing::Consumers,
        "SUBSCRIPTIONS" => Listing::Subscriptions,
        _ => {
            let words: Vec<&str> = toks[1..toks.len().min(3)].iter().map(|t| t.text).collect();
            return Err(unsupported(&format!(
                "SHOW {}",
                words.join(" ").to_ascii_uppercase()
            )));
        }
    };
    if i < toks.len() {
        return Err(syntax_at(toks, i, sql));
    }
    let global = matches!(
        listing,
        Listing::Databases
            | Listing::Dnodes
            | Listing::Topics
            | Listing::Consumers
            | Listing::Subscriptions
    );
    if global && db.is_some() {
        return Err(unsupported(&format!("SHOW {what}")));
    }
    // TDengine's grammar has no LIKE for SHOW DNODES.
    if global && listing != Listing::Databases && like.is_some() {
        return Err(syntax_at(toks, 2, sql));
    }
    Ok(Show { listing, db, like })
}
