//! Limits on the shape of a SQL statement, checked on its tokens before anything parses it.

use taosarrow_protocol::Code;

use super::lexer::Token;
use crate::ServerError;

/// Default of [`SqlLimits::max_nesting_depth`].
pub const DEFAULT_MAX_NESTING_DEPTH: usize = 128;

/// Characters of the statement quoted after `near` in a limit's error.
const NEAR_CHARS: usize = 32;

/// Limits on the statements the engine accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlLimits {
    /// The deepest nesting of parentheses (function calls, subqueries, grouping) a statement
    /// may have; deeper is a syntax error (0x2600). Default [`DEFAULT_MAX_NESTING_DEPTH`].
    pub max_nesting_depth: usize,
}

impl Default for SqlLimits {
    fn default() -> Self {
        SqlLimits {
            max_nesting_depth: DEFAULT_MAX_NESTING_DEPTH,
        }
    }
}

impl SqlLimits {
    /// Sets [`SqlLimits::max_nesting_depth`].
    pub fn with_max_nesting_depth(mut self, depth: usize) -> Self {
        self.max_nesting_depth = depth;
        self
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
    let rest = sql.get(pos..).unwrap_or_default();
    let near: String = rest.chars().take(NEAR_CHARS).collect();
    ServerError::new(
        Code::PAR_SYNTAX_ERROR,
        format!("syntax error near \"{near}\": parentheses nested deeper than {max} levels"),
    )
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
