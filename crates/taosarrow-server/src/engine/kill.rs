//! KILL QUERY 'kill_id' and KILL CONNECTION conn_id (the ids SHOW QUERIES / SHOW
//! CONNECTIONS list). A killed statement fails with 0x022D; a killed connection is closed.
//! A superuser may kill anything, any other user its own connections and statements.

use taosarrow_protocol::Code;

use super::lexer::{Kind, Token};
use super::peers::KillError;
use super::users::no_rights;
use super::{syntax_at, unsupported, Engine, Outcome, Session};
use crate::ServerError;

/// What a kill that found nothing answers.
fn kill_error(e: KillError) -> ServerError {
    match e {
        KillError::NoConnection => ServerError::from_code(Code::MND_INVALID_CONN_ID),
        KillError::BadQueryId => ServerError::from_code(Code::MND_INVALID_QUERY_ID),
    }
}

/// Checks that `s`'s user may kill connection `conn` (whose peer must exist).
fn may_kill(e: &Engine, s: &Session, conn: u32) -> Result<(), ServerError> {
    let peer = e
        .peers()
        .get(conn)
        .ok_or_else(|| kill_error(KillError::NoConnection))?;
    if e.users().is_super(s.user()) || s.user() == Some(peer.user()) {
        Ok(())
    } else {
        Err(no_rights())
    }
}

/// Runs a KILL statement.
pub(crate) fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<Outcome, ServerError> {
    let what = toks.get(1).map(|t| t.text.to_ascii_uppercase());
    let arg = toks.get(2).ok_or_else(|| syntax_at(toks, 2, sql))?;
    if toks.len() > 3 {
        return Err(syntax_at(toks, 3, sql));
    }
    match what.as_deref() {
        Some("QUERY") => {
            if arg.kind != Kind::Str {
                return Err(syntax_at(toks, 2, sql));
            }
            let id = arg.string_value();
            let (conn, _) = id
                .split_once(':')
                .ok_or_else(|| kill_error(KillError::BadQueryId))?;
            let conn = u32::from_str_radix(conn.trim(), 16)
                .map_err(|_| kill_error(KillError::NoConnection))?;
            may_kill(e, s, conn)?;
            e.peers().kill_query(&id).map_err(kill_error)?;
        }
        Some("CONNECTION") => {
            if arg.kind != Kind::Number {
                return Err(syntax_at(toks, 2, sql));
            }
            let id: u32 = arg
                .text
                .parse()
                .map_err(|_| kill_error(KillError::NoConnection))?;
            may_kill(e, s, id)?;
            e.peers().kill_connection(id).map_err(kill_error)?;
        }
        Some(other) => return Err(unsupported(&format!("KILL {other}"))),
        None => return Err(syntax_at(toks, 1, sql)),
    }
    Ok(Outcome::Affected { rows: 0 })
}
