//! What a connection remembers of its session to restore it on a new socket, and which
//! statements are safe to send again after a lost reply.

/// The database a `USE db` statement selects (`USE db`, `use \`db\`;`), or `None` when `sql`
/// is not one.
pub(crate) fn use_target(sql: &str) -> Option<String> {
    let s = sql.trim().trim_end_matches(';').trim_end();
    let (word, rest) = s.split_once(|c: char| c.is_ascii_whitespace())?;
    if !word.eq_ignore_ascii_case("use") {
        return None;
    }
    let name = rest.trim();
    let name = match name.strip_prefix('`') {
        Some(quoted) => quoted.strip_suffix('`')?,
        None => name,
    };
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    valid.then(|| name.to_owned())
}

/// Leading keywords of statements that only read: sending one again after its reply was
/// lost cannot change anything.
const READ_ONLY: &[&str] = &["select", "show", "describe", "desc", "explain"];

/// Whether `sql` starts with a read-only keyword (comments and parentheses are not looked
/// through: anything else counts as a write).
pub(crate) fn is_read_only(sql: &str) -> bool {
    let word = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    READ_ONLY.iter().any(|k| word.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_statements_name_their_database() {
        assert_eq!(use_target("use db1").as_deref(), Some("db1"));
        assert_eq!(use_target("  USE\t`My_Db` ; ").as_deref(), Some("My_Db"));
        assert_eq!(use_target("use db;").as_deref(), Some("db"));
        assert_eq!(use_target("use"), None);
        assert_eq!(use_target("use a b"), None);
        assert_eq!(use_target("used db"), None);
        assert_eq!(use_target("select 1"), None);
        assert_eq!(use_target("use `unterminated"), None);
    }

    #[test]
    fn only_reads_are_read_only() {
        for sql in [
            "select 1",
            " SHOW databases",
            "describe t",
            "desc t",
            "explain select 1",
        ] {
            assert!(is_read_only(sql), "{sql}");
        }
        for sql in [
            "insert into t values (1, 2)",
            "create table t (ts timestamp)",
            "selectx",
            "",
            "/* c */ select 1",
        ] {
            assert!(!is_read_only(sql), "{sql}");
        }
    }
}
