//! SQL quoting as TDengine's parser reads it: identifiers in back quotes, string literals in
//! single quotes.
//!
//! * An identifier is written as `` `name` `` with every back quote inside doubled; TDengine's
//!   tokenizer keeps a doubled delimiter inside the token and its parser turns `` `` `` back
//!   into one (`parTokenizer.c`, `trimEscape` in `parAstCreater.c`).
//! * A string literal is written as `'text'` with every `'` doubled and every `\` doubled;
//!   TDengine reads `''` as `'` and `\\` as `\` (`trimString` in `parUtil.c`), and so does a
//!   plain SQL tokenizer for `''`, so neither can be made to end the literal early. Every
//!   other character, newlines and non-ASCII text included, is written as it is.
//!
//! A NUL character is written as it is too: TDengine takes the statement as a C string, so
//! a NUL ends it there and the unterminated quote is a syntax error (no other text is read
//! in its place). Callers that want a clearer error refuse NUL first.

/// `name` as a back-quoted identifier; a back quote inside is doubled.
///
/// ```
/// use taosarrow_protocol::quote_ident;
/// assert_eq!(quote_ident("select"), "`select`");
/// assert_eq!(quote_ident("a`b"), "`a``b`");
/// ```
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_quoted(&mut out, name, '`', &['`']);
    out
}

/// A possibly qualified table name: `db.table` becomes `` `db`.`table` `` (split at the
/// first dot), a bare name is quoted whole.
///
/// ```
/// use taosarrow_protocol::quote::quote_table;
/// assert_eq!(quote_table("db.t"), "`db`.`t`");
/// assert_eq!(quote_table("t"), "`t`");
/// ```
pub fn quote_table(name: &str) -> String {
    match name.split_once('.') {
        Some((db, t)) => format!("{}.{}", quote_ident(db), quote_ident(t)),
        None => quote_ident(name),
    }
}

/// `text` as a single-quoted string literal; `'` and `\` inside are doubled.
///
/// ```
/// use taosarrow_protocol::quote_literal;
/// assert_eq!(quote_literal("it's"), "'it''s'");
/// assert_eq!(quote_literal(r"C:\x"), r"'C:\\x'");
/// ```
pub fn quote_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text, '\'', &['\'', '\\']);
    out
}

/// Appends `text` between two `quote`s, doubling every character in `doubled`.
fn push_quoted(out: &mut String, text: &str, quote: char, doubled: &[char]) {
    out.push(quote);
    let mut rest = text;
    while let Some(i) = rest.find(doubled) {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            out.push(c);
            out.push(c);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(quote_ident("t"), "`t`");
        assert_eq!(quote_ident(""), "``");
        assert_eq!(quote_ident("a`b"), "`a``b`");
        assert_eq!(quote_ident("``"), "``````");
        assert_eq!(quote_ident("温度 'x'"), "`温度 'x'`");
        assert_eq!(quote_table("db.t"), "`db`.`t`");
        assert_eq!(quote_table("db.a.b"), "`db`.`a.b`");
    }

    #[test]
    fn literals() {
        assert_eq!(quote_literal(""), "''");
        assert_eq!(quote_literal("x"), "'x'");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\"), "'a\\\\'");
        assert_eq!(quote_literal("\\'"), "'\\\\'''");
        assert_eq!(quote_literal("\"`?"), "'\"`?'");
        assert_eq!(quote_literal("é\n\t\0"), "'é\n\t\0'");
    }

    proptest::proptest! {
        #[test]
        fn literal_is_the_text_with_delimiters_doubled(s in ".*") {
            let q = quote_literal(&s);
            let inner = &q[1..q.len() - 1];
            proptest::prop_assert_eq!(inner.replace("''", "'").replace("\\\\", "\\"), s.clone());
            let singles = inner.matches('\'').count();
            proptest::prop_assert_eq!(singles, 2 * s.matches('\'').count());
        }
    }
}
