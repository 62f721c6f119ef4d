//! CREATE / ALTER / DROP USER, GRANT and REVOKE, with TDengine 3.3's rules and codes:
//!
//! * a user name has 1 to 23 bytes (0x2610 when longer);
//! * a password has 8 to 255 characters (0x2611 shorter, 0x2610 longer), none of them a
//!   space, quote, back quote or backslash (0x2648), and at least three of the four kinds
//!   upper case, lower case, digit and `!@#$%^&*()-_+=[]{}:;><?|~,.` (0x0353) — TDengine's
//!   strong-password rule, which always accepts `taosdata`;
//! * only a superuser creates users, grants and revokes (0x0303) and drops users (0x2644,
//!   never the first superuser); any user may change its own password.

use std::collections::BTreeSet;

use taosarrow_protocol::Code;

use super::{
    no_rights, permission_denied, Scope, User, Users, MAX_PASSWORD, MAX_USER_NAME, MIN_PASSWORD,
};
use crate::engine::catalog::{read, write};
use crate::engine::lexer::{Kind, Token};
use crate::engine::{syntax_at, unsupported, Engine, Outcome, Session};
use crate::ServerError;

/// The special characters a strong password may use.
const SPECIAL: &str = "!@#$%^&*()-_+=[]{}:;><?|~,.";

/// Whether the statement at `toks` is one of the user statements.
pub(crate) fn is_user_statement(toks: &[Token<'_>]) -> bool {
    let first = toks.first();
    if first.is_some_and(|t| t.is_kw("GRANT") || t.is_kw("REVOKE")) {
        return true;
    }
    first.is_some_and(|t| t.is_kw("CREATE") || t.is_kw("ALTER") || t.is_kw("DROP"))
        && toks.get(1).is_some_and(|t| t.is_kw("USER"))
}

/// Runs a user statement. An error quoting the statement (a syntax error) quotes it with
/// its password masked.
pub(crate) fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<Outcome, ServerError> {
    run_unmasked(e, s, sql, toks).map_err(|mut err| {
        let masked = crate::engine::peers::listed_sql(sql);
        if masked != sql {
            for (plain, hidden) in toks
                .windows(2)
                .filter(|w| w[0].is_kw("PASS"))
                .map(|w| (w[1].text, "'******'"))
            {
                err.message = err.message.replace(plain, hidden);
            }
        }
        err
    })
}

fn run_unmasked(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<Outcome, ServerError> {
    let mut p = P { toks, i: 0, sql };
    let verb = p.word();
    let users = e.users();
    match verb.as_str() {
        "CREATE" => {
            p.i += 1; // USER
            if !users.is_super(s.user()) {
                return Err(no_rights());
            }
            let name = p.user_name()?;
            p.expect("PASS")?;
            let pass = p.password()?;
            let mut user = User::new(&name, &pass, false);
            user.createdb = false;
            while p.i < toks.len() {
                match p.word().as_str() {
                    "SYSINFO" => user.sysinfo = p.flag("sysinfo")?,
                    "CREATEDB" => user.createdb = p.flag("createdb")?,
                    "IS_IMPORT" => {
                        if p.flag("is_import")? {
                            return Err(unsupported("CREATE USER … IS_IMPORT 1"));
                        }
                    }
                    "HOST" => p.hosts()?,
                    _ => return Err(p.syntax_before()),
                }
            }
            let mut all = write(&users.users);
            if all.contains_key(&name) {
                return Err(ServerError::from_code(Code::MND_USER_ALREADY_EXIST));
            }
            all.insert(name, user);
        }
        "ALTER" => {
            p.i += 1; // USER
            let name = p.user_name()?;
            let what = p.word();
            let me = s.user();
            let is_super = users.is_super(me);
            let mut all = write(&users.users);
            let target = all
                .get_mut(&name)
                .ok_or_else(|| ServerError::from_code(Code::MND_USER_NOT_EXIST))?;
            match what.as_str() {
                "PASS" => {
                    let pass = p.password()?;
                    p.end()?;
                    if !is_super && me != Some(name.as_str()) {
                        return Err(no_rights());
                    }
                    target.pass = super::digest(&pass);
                }
                "ENABLE" | "SYSINFO" | "CREATEDB" => {
                    let v = p.flag(&what.to_ascii_lowercase())?;
                    p.end()?;
                    // Nobody changes a superuser's rights, nor a user its own.
                    if !is_super || target.superuser {
                        return Err(no_rights());
                    }
                    match what.as_str() {
                        "ENABLE" => target.enable = v,
                        "SYSINFO" => target.sysinfo = v,
                        _ => target.createdb = v,
                    }
                }
                "ADD" | "DROP" if p.peek("HOST") => {
                    p.i += 1;
                    p.hosts()?;
                    if !is_super {
                        return Err(no_rights());
                    }
                }
                _ => return Err(p.syntax_before()),
            }
        }
        "DROP" => {
            p.i += 1; // USER
            let name = p.user_name()?;
            p.end()?;
            if !users.is_super(s.user()) || name == *read(&users.root) {
                return Err(permission_denied());
            }
            if write(&users.users).remove(&name).is_none() {
                return Err(ServerError::from_code(Code::MND_USER_NOT_EXIST));
            }
        }
        "GRANT" | "REVOKE" => {
            let grant = verb == "GRANT";
            let privs = p.privileges()?;
            p.expect("ON")?;
            let level = p.level()?;
            if p.peek("WITH") {
                return Err(unsupported("GRANT … WITH a tag condition"));
            }
            p.expect(if grant { "TO" } else { "FROM" })?;
            let name = p.user_name()?;
            p.end()?;
            if !users.is_super(s.user()) {
                return Err(no_rights());
            }
            apply(e, grant, &privs, &level, &name)?;
        }
        _ => return Err(syntax_at(toks, 0, sql)),
    }
    Ok(Outcome::Affected { rows: 0 })
}

/// What a GRANT / REVOKE gives or takes.
#[derive(Debug, Default)]
struct Privileges {
    read: bool,
    write: bool,
    subscribe: bool,
}

/// What a GRANT / REVOKE is on.
#[derive(Debug)]
enum Level {
    /// `*.*`.
    All,
    /// `db.*`.
    Db(String),
    /// `db.table`.
    Table(String, String),
    /// A bare name: a database, or with SUBSCRIBE a topic.
    Name(String),
}

fn apply(
    e: &Engine,
    grant: bool,
    privs: &Privileges,
    level: &Level,
    user: &str,
) -> Result<(), ServerError> {
    let users: &Users = e.users();
    if !read(&users.users).contains_key(user) {
        return Err(ServerError::from_code(Code::MND_USER_NOT_EXIST));
    }
    let db_exists = |db: &str| {
        if e.database_exists(db) {
            Ok(())
        } else {
            Err(ServerError::from_code(Code::MND_DB_NOT_EXIST))
        }
    };
    // The scopes READ / WRITE apply to, and the topic SUBSCRIBE applies to.
    let (scopes, topic): (Vec<Scope>, Option<String>) = match level {
        Level::Name(n) if privs.subscribe => {
            if e.tmq().topic(n).is_none() {
                return Err(ServerError::from_code(Code::MND_TOPIC_NOT_EXIST));
            }
            (Vec::new(), Some(n.clone()))
        }
        Level::Name(db) | Level::Db(db) => {
            db_exists(db)?;
            (vec![Scope::Database(db.clone())], None)
        }
        Level::All => {
            let dbs: Vec<String> = read(&e.catalog().dbs).keys().cloned().collect();
            (dbs.into_iter().map(Scope::Database).collect(), None)
        }
        Level::Table(db, tb) => {
            db_exists(db)?;
            let d = e.catalog().db(db)?;
            let is_child = d.table(tb).is_ok_and(|t| t.child_of.is_some());
            if is_child {
                return Err(ServerError::new(
                    Code::PAR_SYNTAX_ERROR,
                    "syntax error near \"\": Only supertable and normal table can be granted",
                ));
            }
            if d.stable(tb).is_none() && d.table(tb).is_err() {
                return Err(crate::engine::catalog::table_not_exist(tb));
            }
            (vec![Scope::Table(db.clone(), tb.clone())], None)
        }
    };
    let mut all = write(&users.users);
    let Some(u) = all.get_mut(user) else {
        return Err(ServerError::from_code(Code::MND_USER_NOT_EXIST));
    };
    let change = |set: &mut BTreeSet<Scope>| {
        for sc in &scopes {
            if grant {
                set.insert(sc.clone());
            } else {
                set.remove(sc);
            }
        }
        if !grant && matches!(level, Level::All) {
            set.clear();
        }
    };
    if privs.read {
        change(&mut u.read);
    }
    if privs.write {
        change(&mut u.write);
    }
    if let Some(t) = topic {
        if grant {
            u.subscribe.insert(t);
        } else {
            u.subscribe.remove(&t);
        }
    }
    Ok(())
}

/// Checks a new password against TDengine's rules.
fn check_password(pass: &str) -> Result<(), ServerError> {
    let n = pass.chars().count();
    if n < MIN_PASSWORD {
        return Err(ServerError::from_code(Code::PAR_PASSWD_TOO_SHORT_OR_EMPTY));
    }
    if n > MAX_PASSWORD {
        return Err(ServerError::from_code(Code::PAR_NAME_OR_PASSWD_TOO_LONG));
    }
    if pass
        .chars()
        .any(|c| matches!(c, ' ' | '\'' | '"' | '`' | '\\'))
    {
        return Err(ServerError::from_code(Code::PAR_INVALID_PASSWD));
    }
    if pass == "taosdata" {
        return Ok(());
    }
    let kinds = [
        pass.chars().any(|c| c.is_ascii_uppercase()),
        pass.chars().any(|c| c.is_ascii_lowercase()),
        pass.chars().any(|c| c.is_ascii_digit()),
        pass.chars().any(|c| SPECIAL.contains(c)),
    ];
    let known = pass
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c));
    if !known || kinds.iter().filter(|k| **k).count() < 3 {
        return Err(ServerError::from_code(Code::MND_INVALID_PASS_FORMAT));
    }
    Ok(())
}

/// A cursor over a user statement's tokens.
struct P<'t, 'a> {
    toks: &'t [Token<'a>],
    i: usize,
    sql: &'t str,
}

impl P<'_, '_> {
    /// The next token as an upper-cased word, consumed.
    fn word(&mut self) -> String {
        let w = self
            .toks
            .get(self.i)
            .map(|t| t.text.to_ascii_uppercase())
            .unwrap_or_default();
        self.i += 1;
        w
    }

    fn peek(&self, kw: &str) -> bool {
        self.toks.get(self.i).is_some_and(|t| t.is_kw(kw))
    }

    fn expect(&mut self, kw: &str) -> Result<(), ServerError> {
        if self.peek(kw) {
            self.i += 1;
            Ok(())
        } else {
            Err(syntax_at(self.toks, self.i, self.sql))
        }
    }

    fn end(&self) -> Result<(), ServerError> {
        if self.i < self.toks.len() {
            Err(syntax_at(self.toks, self.i, self.sql))
        } else {
            Ok(())
        }
    }

    /// A syntax error at the token just consumed.
    fn syntax_before(&self) -> ServerError {
        syntax_at(self.toks, self.i.saturating_sub(1), self.sql)
    }

    /// A user name: a word or back-quoted name, as written (user names keep their case).
    fn user_name(&mut self) -> Result<String, ServerError> {
        let t = self
            .toks
            .get(self.i)
            .filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
            .ok_or_else(|| syntax_at(self.toks, self.i, self.sql))?;
        self.i += 1;
        let name = match t.kind {
            Kind::Quoted => t.name(),
            _ => t.text.to_owned(),
        };
        if name.is_empty() {
            return Err(ServerError::from_code(Code::MND_INVALID_USER_FORMAT));
        }
        if name.len() > MAX_USER_NAME {
            return Err(ServerError::from_code(Code::PAR_NAME_OR_PASSWD_TOO_LONG));
        }
        Ok(name)
    }

    /// A quoted password, checked.
    fn password(&mut self) -> Result<String, ServerError> {
        let t = self
            .toks
            .get(self.i)
            .filter(|t| t.kind == Kind::Str)
            .ok_or_else(|| syntax_at(self.toks, self.i, self.sql))?;
        self.i += 1;
        let pass = t.string_value().trim().to_owned();
        check_password(&pass)?;
        Ok(pass)
    }

    /// `0` or `1` after an option word.
    fn flag(&mut self, option: &str) -> Result<bool, ServerError> {
        let t = self
            .toks
            .get(self.i)
            .ok_or_else(|| syntax_at(self.toks, self.i, self.sql))?;
        self.i += 1;
        match t.text {
            "0" => Ok(false),
            "1" => Ok(true),
            _ => Err(ServerError::new(
                Code::INVALID_PARA,
                format!("Invalid option {option}: {}", t.text),
            )),
        }
    }

    /// `HOST 'ip[/mask]'[, …]` (accepted; this server does not filter by address).
    fn hosts(&mut self) -> Result<(), ServerError> {
        loop {
            if !self.toks.get(self.i).is_some_and(|t| t.kind == Kind::Str) {
                return Err(syntax_at(self.toks, self.i, self.sql));
            }
            self.i += 1;
            if self.toks.get(self.i).is_some_and(|t| t.is_punct(",")) {
                self.i += 1;
            } else {
                return Ok(());
            }
        }
    }

    /// `ALL | SUBSCRIBE | READ|WRITE|ALTER[, …]`.
    fn privileges(&mut self) -> Result<Privileges, ServerError> {
        let mut p = Privileges::default();
        loop {
            match self.word().as_str() {
                "ALL" => {
                    p.read = true;
                    p.write = true;
                }
                "READ" => p.read = true,
                // ALTER of tables goes with writing them here.
                "WRITE" | "ALTER" => p.write = true,
                "SUBSCRIBE" => p.subscribe = true,
                _ => return Err(self.syntax_before()),
            }
            if self.toks.get(self.i).is_some_and(|t| t.is_punct(",")) {
                self.i += 1;
            } else {
                return Ok(p);
            }
        }
    }

    /// `*.* | db.* | db.tb | name`.
    fn level(&mut self) -> Result<Level, ServerError> {
        let star = |t: Option<&Token<'_>>| t.is_some_and(|t| t.is_punct("*"));
        let name_at = |t: Option<&Token<'_>>| {
            t.filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
                .map(|t| t.name())
        };
        let dot = |t: Option<&Token<'_>>| t.is_some_and(|t| t.is_punct("."));
        let (a, b, c) = (
            self.toks.get(self.i),
            self.toks.get(self.i + 1),
            self.toks.get(self.i + 2),
        );
        if star(a) && dot(b) && star(c) {
            self.i += 3;
            return Ok(Level::All);
        }
        let first = name_at(a).ok_or_else(|| syntax_at(self.toks, self.i, self.sql))?;
        if !dot(b) {
            self.i += 1;
            return Ok(Level::Name(first));
        }
        if star(c) {
            self.i += 3;
            return Ok(Level::Db(first));
        }
        let second = name_at(c).ok_or_else(|| syntax_at(self.toks, self.i + 2, self.sql))?;
        self.i += 3;
        Ok(Level::Table(first, second))
    }
}

#[cfg(test)]
mod tests {
    use super::check_password;
    use taosarrow_protocol::Code;

    #[test]
    fn passwords_follow_the_strong_password_rule() {
        for ok in [
            "taosdata",
            "token_pass_1",
            "Ab1!@#$%^&*()-_+=[]{}",
            "Abcdefg1",
            "abc.def1",
        ] {
            assert!(check_password(ok).is_ok(), "{ok}");
        }
        let code = |p: &str| check_password(p).unwrap_err().code;
        assert_eq!(code("Ab1!"), Code::PAR_PASSWD_TOO_SHORT_OR_EMPTY);
        assert_eq!(code(""), Code::PAR_PASSWD_TOO_SHORT_OR_EMPTY);
        assert_eq!(code("12345678"), Code::MND_INVALID_PASS_FORMAT);
        assert_eq!(code("abcdefgh"), Code::MND_INVALID_PASS_FORMAT);
        assert_eq!(code("Abcdefg1 "), Code::PAR_INVALID_PASSWD);
        assert_eq!(code("Abcdéfg1"), Code::MND_INVALID_PASS_FORMAT);
        assert_eq!(code(&"Ab1".repeat(100)), Code::PAR_NAME_OR_PASSWD_TOO_LONG);
    }
}
