//! Users and their privileges: who may log in, and what each statement may touch.
//!
//! The server's configured user (`--user` / `--password`, `root` / `taosdata` by default) is
//! the first superuser and cannot be dropped. Superusers may do anything; any other user
//! reads a database it was granted READ (or ALL) on, writes one it was granted WRITE (or
//! ALL) on, owns the databases it created, and subscribes to the topics it created or was
//! granted SUBSCRIBE on. Passwords are kept as TDengine keeps them, an MD5 digest, compared
//! in constant time; they are never logged or shown.
//!
//! [`sql`] parses and runs CREATE / ALTER / DROP USER, GRANT and REVOKE.

pub(crate) mod sql;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

use md5::{Digest, Md5};
use taosarrow_protocol::Code;

use super::catalog::{now_ms, read, write, Database};
use crate::ServerError;

/// The longest user name (TDengine's `TSDB_USER_LEN` less its terminator).
pub const MAX_USER_NAME: usize = 23;
/// The shortest password CREATE / ALTER USER accept (`TSDB_PASSWORD_MIN_LEN`).
pub const MIN_PASSWORD: usize = 8;
/// The longest password CREATE / ALTER USER accept (`TSDB_PASSWORD_MAX_LEN`).
pub const MAX_PASSWORD: usize = 255;

/// What a statement needs of the database it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// SELECT, SHOW, DESCRIBE.
    #[default]
    Read,
    /// INSERT, stmt / stmt2 / schemaless writes, and DDL on tables.
    Write,
}

/// What a grant covers. A grant on `*.*` is, as in TDengine, one on each database that
/// exists when it is made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// `db.*`.
    Database(String),
    /// `db.table`.
    Table(String, String),
}

impl Scope {
    /// The database the scope is in.
    pub fn db(&self) -> &str {
        match self {
            Scope::Database(d) | Scope::Table(d, _) => d,
        }
    }

    /// Whether the scope covers the whole of database `db`.
    fn covers_whole_db(&self, db: &str) -> bool {
        matches!(self, Scope::Database(d) if d == db)
    }

    /// The `db_name` and `table_name` of `ins_user_privileges`.
    pub fn names(&self) -> (String, String) {
        match self {
            Scope::Database(d) => (d.clone(), String::new()),
            Scope::Table(d, t) => (d.clone(), t.clone()),
        }
    }
}

/// One user.
#[derive(Debug, Clone)]
pub struct User {
    /// Name (case is kept; TDengine user names are case-sensitive).
    pub name: String,
    /// MD5 of the password.
    pass: [u8; 16],
    /// A superuser may do anything.
    pub superuser: bool,
    /// A disabled user cannot log in.
    pub enable: bool,
    /// May read system information (dnodes, vgroups, users, …).
    pub sysinfo: bool,
    /// May create databases.
    pub createdb: bool,
    /// Creation time, ms since the epoch.
    pub created: i64,
    /// Databases it created (it owns them).
    pub owned_dbs: BTreeSet<String>,
    /// Topics it created.
    pub owned_topics: BTreeSet<String>,
    /// READ grants.
    pub read: BTreeSet<Scope>,
    /// WRITE grants.
    pub write: BTreeSet<Scope>,
    /// SUBSCRIBE grants, by topic.
    pub subscribe: BTreeSet<String>,
}

/// The MD5 digest a password is kept as.
fn digest(password: &str) -> [u8; 16] {
    Md5::digest(password.as_bytes()).into()
}

impl User {
    fn new(name: &str, password: &str, superuser: bool) -> Self {
        User {
            name: name.to_owned(),
            pass: digest(password),
            superuser,
            enable: true,
            sysinfo: true,
            createdb: superuser,
            created: now_ms(),
            owned_dbs: BTreeSet::new(),
            owned_topics: BTreeSet::new(),
            read: BTreeSet::new(),
            write: BTreeSet::new(),
            subscribe: BTreeSet::new(),
        }
    }

    /// The password digest as lower-case hex (`ins_users_full.encrypted_pass`).
    pub fn encrypted_pass(&self) -> String {
        self.pass.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn password_matches(&self, password: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(digest(password).ct_eq(&self.pass))
    }

    /// Whether the user may touch database `db` as `access` needs: with `table`, that
    /// table (a grant on the database or on the table); without, some of the database (a
    /// grant on it or on one of its tables; the tables are checked as they are named).
    fn allows(&self, db: &str, table: Option<&str>, access: Access) -> bool {
        if self.superuser || self.owned_dbs.contains(db) {
            return true;
        }
        let grants = match access {
            Access::Read => &self.read,
            Access::Write => &self.write,
        };
        grants.iter().any(|g| match (g, table) {
            (g, _) if g.covers_whole_db(db) => true,
            (Scope::Table(d, t), Some(tb)) => d == db && t == tb,
            (Scope::Table(d, _), None) => d == db,
            _ => false,
        })
    }

    /// Whether the user may see database `db` at all (SHOW DATABASES).
    fn sees(&self, db: &str) -> bool {
        self.superuser
            || self.owned_dbs.contains(db)
            || self.read.iter().chain(&self.write).any(|g| g.db() == db)
    }
}

/// Every user of a server.
#[derive(Debug)]
pub struct Users {
    /// The first superuser's name (never dropped).
    root: RwLock<String>,
    users: RwLock<BTreeMap<String, User>>,
}

impl Default for Users {
    fn default() -> Self {
        Users::new("root", "taosdata")
    }
}

/// What a prepared statement checks the tables it is later bound to against: the
/// registry and the user that prepared it.
#[derive(Debug, Clone)]
pub struct WriteGuard {
    /// The registry.
    pub users: Arc<Users>,
    /// The user (`None`: the embedding program).
    pub user: Option<Arc<str>>,
}

impl WriteGuard {
    /// Checks that the user may write table `table` of `db`; 0x2644 when not.
    pub fn check(&self, db: &Database, table: &str) -> Result<(), ServerError> {
        let user = self.user.as_deref();
        self.users.check(user, &db.name, None, Access::Write)?;
        self.users.check_table(user, db, table, Access::Write)
    }
}

/// 0x2644, TDengine's answer to a statement on something the user may not touch.
pub fn permission_denied() -> ServerError {
    ServerError::from_code(Code::PAR_PERMISSION_DENIED)
}

/// 0x0303, TDengine's answer to an administrative statement of a user without the right.
pub fn no_rights() -> ServerError {
    ServerError::from_code(Code::MND_NO_RIGHTS)
}

impl Users {
    /// A registry whose only user is the superuser `root` with `password`.
    pub fn new(root: &str, password: &str) -> Self {
        let mut users = BTreeMap::new();
        users.insert(root.to_owned(), User::new(root, password, true));
        Users {
            root: RwLock::new(root.to_owned()),
            users: RwLock::new(users),
        }
    }

    /// Makes `name` / `password` the first superuser, replacing the previous one (a server
    /// started on an engine sets its configured user).
    pub fn set_root(&self, name: &str, password: &str) {
        let mut users = write(&self.users);
        let old = std::mem::replace(&mut *write(&self.root), name.to_owned());
        if old != name {
            users.remove(&old);
        }
        let user = users
            .entry(name.to_owned())
            .or_insert_with(|| User::new(name, password, true));
        user.pass = digest(password);
        user.superuser = true;
        user.enable = true;
        user.sysinfo = true;
        user.createdb = true;
    }

    /// Checks a login: 0x0357 for an unknown user or a wrong password, alike (so a client
    /// cannot tell which); 0x0315 for a disabled user with the right password.
    pub fn authenticate(&self, name: &str, password: &str) -> Result<(), ServerError> {
        let users = read(&self.users);
        // An unknown user still costs one comparison, so its timing matches a wrong password.
        match users.get(name) {
            Some(u) if u.password_matches(password) => {
                if u.enable {
                    Ok(())
                } else {
                    Err(ServerError::from_code(Code::MND_USER_DISABLED))
                }
            }
            Some(_) => Err(ServerError::from_code(Code::MND_AUTH_FAILURE)),
            None => {
                let _ = User::new("", "", false).password_matches(password);
                Err(ServerError::from_code(Code::MND_AUTH_FAILURE))
            }
        }
    }

    /// A copy of user `name`.
    pub fn get(&self, name: &str) -> Option<User> {
        read(&self.users).get(name).cloned()
    }

    /// Every user, by name.
    pub fn list(&self) -> Vec<User> {
        read(&self.users).values().cloned().collect()
    }

    /// `Ok` when `user` is `None` (the embedding program) or a user for whom `allowed` holds;
    /// else `refused()` (an unknown user is refused too).
    fn require(
        &self,
        user: Option<&str>,
        allowed: impl FnOnce(&User) -> bool,
        refused: fn() -> ServerError,
    ) -> Result<(), ServerError> {
        let Some(user) = user else { return Ok(()) };
        match read(&self.users).get(user) {
            Some(u) if allowed(u) => Ok(()),
            _ => Err(refused()),
        }
    }

    /// Whether `user` (`None`: the embedding program itself) is a superuser.
    pub fn is_super(&self, user: Option<&str>) -> bool {
        user.is_none_or(|u| read(&self.users).get(u).is_some_and(|u| u.superuser))
    }

    /// Whether `user` may read system information (`SYSINFO 1`).
    pub fn has_sysinfo(&self, user: Option<&str>) -> bool {
        user.is_none_or(|u| {
            read(&self.users)
                .get(u)
                .is_some_and(|u| u.superuser || u.sysinfo)
        })
    }

    /// Checks that `user` may touch `db` (or its table `table`) as `access` needs; 0x2644
    /// when not. `None` is the embedding program, which may do anything.
    pub fn check(
        &self,
        user: Option<&str>,
        db: &str,
        table: Option<&str>,
        access: Access,
    ) -> Result<(), ServerError> {
        self.require(user, |u| u.allows(db, table, access), permission_denied)
    }

    /// Checks that `user` may touch table (or super table) `table` of `db` as `access`
    /// needs: a grant on the database, on the table, or — for a child table — on its super
    /// table; 0x2644 when not.
    pub fn check_table(
        &self,
        user: Option<&str>,
        db: &Database,
        table: &str,
        access: Access,
    ) -> Result<(), ServerError> {
        if self.check(user, &db.name, Some(table), access).is_ok() {
            return Ok(());
        }
        let parent = db
            .table(table)
            .ok()
            .and_then(|t| t.child_of.as_ref().map(|(s, _)| s.clone()));
        match parent {
            Some(st) => self.check(user, &db.name, Some(&st), access),
            None => Err(permission_denied()),
        }
    }

    /// Whether `user` sees database `db` in SHOW DATABASES and the system tables.
    pub fn sees_db(&self, user: Option<&str>, db: &str) -> bool {
        user.is_none_or(|u| read(&self.users).get(u).is_some_and(|u| u.sees(db)))
    }

    /// Checks that `user` may create a database (superuser or `CREATEDB 1`); 0x0303 when not.
    pub fn check_create_db(&self, user: Option<&str>) -> Result<(), ServerError> {
        self.require(user, |u| u.superuser || u.createdb, no_rights)
    }

    /// Checks that `user` may drop or alter database `db` (superuser or its owner); 0x0303.
    pub fn check_own_db(&self, user: Option<&str>, db: &str) -> Result<(), ServerError> {
        self.require(user, |u| u.superuser || u.owned_dbs.contains(db), no_rights)
    }

    /// Records that `user` created database `db`.
    pub fn created_db(&self, user: Option<&str>, db: &str) {
        if let Some(name) = user {
            if let Some(u) = write(&self.users).get_mut(name) {
                u.owned_dbs.insert(db.to_owned());
            }
        }
    }

    /// Forgets every privilege on database `db` (it was dropped).
    pub fn dropped_db(&self, db: &str) {
        for u in write(&self.users).values_mut() {
            u.owned_dbs.remove(db);
            u.read.retain(|g| g.db() != db);
            u.write.retain(|g| g.db() != db);
        }
    }

    /// Records that `user` created topic `topic`.
    pub fn created_topic(&self, user: Option<&str>, topic: &str) {
        if let Some(name) = user {
            if let Some(u) = write(&self.users).get_mut(name) {
                u.owned_topics.insert(topic.to_owned());
            }
        }
    }

    /// Forgets every privilege on topic `topic` (it was dropped).
    pub fn dropped_topic(&self, topic: &str) {
        for u in write(&self.users).values_mut() {
            u.owned_topics.remove(topic);
            u.subscribe.remove(topic);
        }
    }

    /// Checks that `user` may drop topic `topic` of database `db` (superuser, the topic's
    /// creator or the database's owner); 0x0303 when not.
    pub fn check_own_topic(
        &self,
        user: Option<&str>,
        topic: &str,
        db: &str,
    ) -> Result<(), ServerError> {
        self.require(
            user,
            |u| u.superuser || u.owned_topics.contains(topic) || u.owned_dbs.contains(db),
            no_rights,
        )
    }

    /// Checks that `user` may subscribe to `topic` (superuser, its creator, or granted
    /// SUBSCRIBE); 0x0303 when not, as TDengine's mnode answers.
    pub fn check_subscribe(&self, user: Option<&str>, topic: &str) -> Result<(), ServerError> {
        self.require(
            user,
            |u| u.superuser || u.owned_topics.contains(topic) || u.subscribe.contains(topic),
            no_rights,
        )
    }
}

#[cfg(test)]
mod tests;
