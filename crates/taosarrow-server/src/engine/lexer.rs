//! A small tokenizer for TDengine SQL: identifiers, `quoted` names, strings, numbers,
//! durations (`10s`, `1d`) and punctuation. Tokens borrow from the statement text.

use std::borrow::Cow;

use taosarrow_protocol::DurationUnit;

use crate::ServerError;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A bare word (keyword or name).
    Word,
    /// A back-quoted name, quotes removed.
    Quoted,
    /// A string literal in single or double quotes; `text` keeps the quotes.
    Str,
    /// A number (integer or decimal, no sign).
    Number,
    /// A number with a time unit, e.g. `10s`, `1d`, `500a`.
    Duration,
    /// Punctuation or an operator.
    Punct,
}

/// One token: its kind, its text and its byte offset in the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token's kind.
    pub kind: Kind,
    /// The token text (without the enclosing back quotes for [`Kind::Quoted`]; doubled ones
    /// inside stay doubled, [`Token::name`] reads them).
    pub text: &'a str,
    /// Byte offset of the token in the statement.
    pub pos: usize,
}

impl<'a> Token<'a> {
    /// True for a bare word equal to `kw` ignoring case.
    pub fn is_kw(&self, kw: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    /// True for the punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.text == p
    }

    /// The content of a string literal, quotes removed and escapes resolved.
    pub fn string_value(&self) -> Cow<'a, str> {
        self.unescaped(false)
    }

    /// The content of a string literal used as a LIKE pattern: as [`Token::string_value`],
    /// but `\%` and `\_` keep their backslash (they match a literal `%` or `_`), as
    /// TDengine's parser keeps them.
    pub fn like_pattern(&self) -> Cow<'a, str> {
        self.unescaped(true)
    }

    fn unescaped(&self, keep_wildcard_escapes: bool) -> Cow<'a, str> {
        let Some(inner) = self
            .text
            .get(1..self.text.len().saturating_sub(1))
            .filter(|_| self.kind == Kind::Str && self.text.len() >= 2)
        else {
            return Cow::Borrowed(self.text);
        };
        if !inner.contains('\\') && !inner.contains(&self.text[..1].repeat(2)) {
            return Cow::Borrowed(inner);
        }
        let quote = self.text.as_bytes()[0] as char;
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    // `\x..` is kept for VARBINARY hex literals.
                    Some('x') => out.push_str("\\x"),
                    Some(w @ ('%' | '_')) if keep_wildcard_escapes => {
                        out.push('\\');
                        out.push(w);
                    }
                    Some(o) => out.push(o),
                    None => out.push('\\'),
                }
            } else if c == quote && chars.peek() == Some(&quote) {
                chars.next();
                out.push(quote);
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// A name: a bare word lower-cased, a back-quoted name as written (a doubled back quote
    /// read as one).
    pub fn name(&self) -> String {
        match self.kind {
            Kind::Quoted => self.text.replace("``", "`"),
            _ => self.text.to_ascii_lowercase(),
        }
    }
}

/// Splits `sql` into tokens; an unterminated string or quote is a syntax error.
pub fn tokenize(sql: &str) -> Result<Vec<Token<'_>>, ServerError> {
    let b = sql.as_bytes();
    let mut out = Vec::with_capacity(sql.len() / 4);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'\'' || c == b'"' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(ServerError::syntax(&sql[start..])),
                    Some(b'\\') => i += 2,
                    Some(&q) if q == c => {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(_) => i += 1,
                }
            }
            if i > b.len() {
                return Err(ServerError::syntax(&sql[start..]));
            }
            out.push(Token {
                kind: Kind::Str,
                text: &sql[start..i],
                pos: start,
            });
            continue;
        }
        if c == b'`' {
            // A doubled back quote stays inside the name, as in TDengine's tokenizer.
            i += 1;
            while i < b.len() && (b[i] != b'`' || b.get(i + 1) == Some(&b'`')) {
                i += if b[i] == b'`' { 2 } else { 1 };
            }
            if i >= b.len() {
                return Err(ServerError::syntax(&sql[start..]));
            }
            out.push(Token {
                kind: Kind::Quoted,
                text: &sql[start + 1..i],
                pos: start,
            });
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                let mut j = i + 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    i = j;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let mut kind = Kind::Number;
            if i < b.len() && DurationUnit::from_letter(b[i]).is_some() {
                let end_ok =
                    |j: usize| j >= b.len() || !(b[j].is_ascii_alphanumeric() || b[j] == b'_');
                if end_ok(i + 1) {
                    i += 1;
                    kind = Kind::Duration;
                }
            }
            if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
                // Hex literal or a name starting with digits.
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                kind = Kind::Word;
            }
            out.push(Token {
                kind,
                text: &sql[start..i],
                pos: start,
            });
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(Token {
                kind: Kind::Word,
                text: &sql[start..i],
                pos: start,
            });
            continue;
        }
        // Compared as bytes: the byte after an ASCII operator may start a multi-byte char.
        let two = b.get(i..i + 2).unwrap_or_default();
        // `->` (TDengine's JSON operator) only when written without a space: `a - > b`
        // stays a minus and a comparison.
        let len = if matches!(two, b"<=" | b">=" | b"<>" | b"!=" | b"||" | b"::" | b"->") {
            2
        } else {
            1
        };
        i += len;
        out.push(Token {
            kind: Kind::Punct,
            text: &sql[start..i],
            pos: start,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = tokenize("insert into `T1` values (now-1d, 'a''b', 1.5e3, -2)").unwrap();
        let kinds: Vec<_> = t.iter().map(|t| t.kind).collect();
        assert_eq!(kinds[2], Kind::Quoted);
        assert_eq!(t[2].text, "T1");
        assert_eq!(t[7].kind, Kind::Duration);
        assert_eq!(t[9].string_value(), "a'b");
        assert_eq!(t[11].text, "1.5e3");
        assert!(tokenize("select 'abc").is_err());
        assert!(tokenize("select `abc``").is_err());
    }

    /// Punctuation, operators and quotes followed by a multi-byte character.
    #[test]
    fn multi_byte_text_after_any_token() {
        for sql in [
            "SELECT a,中",
            "select 1<中",
            "select 1>é",
            "select 1!🚀",
            "select a.中",
            "select 1中",
            "select 1e中",
            "select 'a'中",
            "select `a`中",
            "select '\\中'",
            "select '\\中",
            "中",
            "é,",
            ",é",
        ] {
            let _ = tokenize(sql);
        }
        let t = tokenize("SELECT a,中").unwrap();
        assert_eq!(t[2].text, ",");
        assert_eq!(t[3].text, "中");
        assert_eq!(t[3].kind, Kind::Word);
        let t = tokenize("select 1<=é").unwrap();
        assert_eq!(t[2].text, "<=");
        assert_eq!(t[3].text, "é");
    }

    /// `->` is one token only when its two characters touch; `--` still starts a comment.
    #[test]
    fn json_arrow_is_one_token_only_unspaced() {
        let t = tokenize("select info->'k1', a - > b, c->-1, d-->x").unwrap();
        let texts: Vec<&str> = t.iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            [
                "select", "info", "->", "'k1'", ",", "a", "-", ">", "b", ",", "c", "->", "-", "1",
                ",", "d"
            ]
        );
        assert!(t[2].is_punct("->"));
        assert!(t[6].is_punct("-") && t[7].is_punct(">"));
    }

    #[test]
    fn like_patterns_keep_wildcard_escapes() {
        let t = tokenize(r"show tables like 'a\_b\%c\n'").unwrap();
        assert_eq!(t[3].like_pattern(), "a\\_b\\%c\n");
        assert_eq!(t[3].string_value(), "a_b%c\n");
    }

    proptest::proptest! {
        /// Any text lexes to tokens or a syntax error, never a panic; every token's text is
        /// the statement's text at its position.
        #[test]
        fn any_text_lexes_without_panicking(s in "\\PC{0,40}|[,.<>=!|:'\"`\\\\x0-9a-z中é🚀 -]{0,24}") {
            if let Ok(toks) = tokenize(&s) {
                for t in toks {
                    proptest::prop_assert!(s.get(t.pos..).is_some());
                    let _ = t.string_value();
                    let _ = t.name();
                }
            }
        }
    }

    /// Texts that stress quoting: quotes of every kind, backslashes before the letters the
    /// lexer treats specially, non-ASCII, control characters and NUL.
    const HARD: &[&str] = &[
        "",
        "plain",
        "it's",
        "''",
        "'",
        "\\",
        "a\\",
        "\\'",
        "\\n\\t\\r\\0\\x41\\%",
        "x'); DROP DATABASE db; --",
        "line\none\r\ttab",
        "nul\0inside",
        "\"double\" and `back`",
        "``",
        "温度 ☃ 🚀",
        "?",
    ];

    fn lexed_literal(q: &str) -> String {
        let sql = format!("select {q} from t");
        let toks = tokenize(&sql).unwrap();
        assert_eq!(toks.len(), 4, "{q}");
        assert_eq!(toks[1].kind, Kind::Str);
        toks[1].string_value().into_owned()
    }

    fn lexed_ident(q: &str) -> String {
        let sql = format!("select a from {q}.{q} where 1");
        let toks = tokenize(&sql).unwrap();
        assert_eq!(toks.len(), 8, "{q}");
        assert_eq!(toks[3].kind, Kind::Quoted);
        assert_eq!(toks[5].kind, Kind::Quoted);
        assert_eq!(toks[3].name(), toks[5].name());
        toks[3].name()
    }

    #[test]
    fn quoted_text_reads_back() {
        use taosarrow_protocol::{quote_ident, quote_literal};
        for s in HARD {
            assert_eq!(lexed_literal(&quote_literal(s)), *s);
            assert_eq!(lexed_ident(&quote_ident(s)), *s);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_quoted_text_reads_back(s in "\\PC*|[\\\\'`\"\\x00\n\\PC]{0,12}") {
            use taosarrow_protocol::{quote_ident, quote_literal};
            proptest::prop_assert_eq!(lexed_literal(&quote_literal(&s)), s.clone());
            proptest::prop_assert_eq!(lexed_ident(&quote_ident(&s)), s);
        }
    }
}
