//! Limits on the shape of a SQL statement, checked on its tokens before anything parses it.

use taosarrow_protocol::Code;

use super::lexer::{Kind, Token};
use crate::ServerError;

/// Default of [`SqlLimits::max_nesting_depth`].
pub const DEFAULT_MAX_NESTING_DEPTH: usize = 128;

/// Default of [`SqlLimits::max_query_operators`].
pub const DEFAULT_MAX_QUERY_OPERATORS: usize = 1000;

/// Default of [`SqlLimits::query_stack_bytes`]: 64 MiB (address space; pages are touched only
/// as deep as a query goes).
pub const DEFAULT_QUERY_STACK_BYTES: usize = 64 << 20;

/// The punctuation that joins two operands (or negates one).
const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "=", "<", ">", "<=", ">=", "!=", "<>", "||", "&", "|", "^", "~",
];

/// The keywords that join two conditions.
const LOGICAL: &[&str] = &["AND", "OR", "NOT"];

/// Characters of the statement quoted after `near` in a limit's error.
const NEAR_CHARS: usize = 32;

/// Limits on the statements the engine accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlLimits {
    /// The deepest nesting of parentheses (function calls, subqueries, grouping) a statement
    /// may have; deeper is a syntax error (0x2600). Default [`DEFAULT_MAX_NESTING_DEPTH`].
    pub max_nesting_depth: usize,
    /// The most operators (arithmetic, comparison, `AND`/`OR`/`NOT`) a query may have: each
    /// one deepens the expression tree the query planner walks recursively, so a long flat
    /// chain (`a + 1 + 1 …`, `v = 1 OR v = 2 …`) would overflow its stack. More is a syntax
    /// error (0x2600). `IN (…)` lists are not operators. Default
    /// [`DEFAULT_MAX_QUERY_OPERATORS`].
    pub max_query_operators: usize,
    /// The stack of the thread a query is planned and run on. Default
    /// [`DEFAULT_QUERY_STACK_BYTES`].
    pub query_stack_bytes: usize,
}

impl Default for SqlLimits {
    fn default() -> Self {
        SqlLimits {
            max_nesting_depth: DEFAULT_MAX_NESTING_DEPTH,
            max_query_operators: DEFAULT_MAX_QUERY_OPERATORS,
            query_stack_bytes: DEFAULT_QUERY_STACK_BYTES,
        }
    }
}

impl SqlLimits {
    /// Sets [`SqlLimits::max_nesting_depth`].
    pub fn with_max_nesting_depth(mut self, depth: usize) -> Self {
        self.max_nesting_depth = depth;
        self
    }

    /// Sets [`SqlLimits::max_query_operators`].
    pub fn with_max_query_operators(mut self, operators: usize) -> Self {
        self.max_query_operators = operators;
        self
    }

    /// Sets [`SqlLimits::query_stack_bytes`].
    pub fn with_query_stack_bytes(mut self, bytes: usize) -> Self {
        self.query_stack_bytes = bytes;
        self
    }

    /// Checks the tokens of the query `sql` against [`SqlLimits::max_query_operators`].
    pub fn check_query(&self, sql: &str, toks: &[Token<'_>]) -> Result<(), ServerError> {
        let mut count = 0usize;
        for (k, t) in toks.iter().enumerate() {
            // A sign after `(`, `,` or another operator is part of a literal (`IN (-1, -2)`).
            let unary = (t.is_punct("-") || t.is_punct("+"))
                && k.checked_sub(1)
                    .is_none_or(|p| toks[p].kind == Kind::Punct && !toks[p].is_punct(")"));
            let op = (t.kind == Kind::Punct && OPERATORS.contains(&t.text) && !unary)
                || LOGICAL.iter().any(|kw| t.is_kw(kw));
            if op {
                count += 1;
                if count > self.max_query_operators {
                    return Err(ServerError::new(
                        Code::PAR_SYNTAX_ERROR,
                        format!(
                            "syntax error near \"{}\": more than {} operators in one query",
                            near(sql, t.pos),
                            self.max_query_operators
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks the tokens of `sql` against the limits.
    pub fn check(&self, sql: &str, toks: &[Token<'_>]) -> Result<(), ServerError> {
        let mut depth = 0usize;
        for t in toks {
            if t.is_punct("(") {
                depth += 1;
                if depth > self.max_nesting_depth {
                    return Err(too_deep(sql, t.pos, self.max_nesting_depth));
                }
            } else if t.is_punct(")") {
                depth = depth.saturating_sub(1);
            }
        }
        Ok(())
    }
}

/// 0x2600 for nesting deeper than `max`, quoting a few characters from byte `pos` on.
fn too_deep(sql: &str, pos: usize, max: usize) -> ServerError {
    ServerError::new(
        Code::PAR_SYNTAX_ERROR,
        format!(
            "syntax error near \"{}\": parentheses nested deeper than {max} levels",
            near(sql, pos)
        ),
    )
}

/// A few characters of `sql` from byte `pos` on.
fn near(sql: &str, pos: usize) -> String {
    sql.get(pos..)
        .unwrap_or_default()
        .chars()
        .take(NEAR_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lexer::tokenize;

    #[test]
    fn nesting_up_to_the_limit_passes() {
        let limits = SqlLimits::default().with_max_nesting_depth(3);
        let ok = "select (((1))) + (((2)))";
        assert!(limits.check(ok, &tokenize(ok).unwrap()).is_ok());
        let deep = "select ((((1))))";
        let e = limits.check(deep, &tokenize(deep).unwrap()).unwrap_err();
        assert_eq!(e.code, Code::PAR_SYNTAX_ERROR);
        assert!(e.message.contains("deeper than 3"), "{}", e.message);
        assert!(e.message.contains("near \"(1))))\""), "{}", e.message);
    }
}
